//! Exports in the worker: the events a filter keeps, assembled into a `Blob` in parts (so no single
//! copy is large) and posted to the page as a download. JSON exports read each file once, in the
//! order of its first kept event, cutting the kept events out as they pass (see [`Cutter`]).

use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};

use super::{ask_part, bytes_of, handled, post, post_with, read_slice, Source, CHUNK_BYTES, WORKER};
use crate::analysis::filter::Filter;
use crate::export::{self, Format, Reread};
use crate::protocol::FromWorker;
use crate::store::Row;

/// Blob parts are cut at about this size.
const PART_BYTES: usize = 4 << 20;

/// The file being assembled.
struct Out {
    parts: Array,
    buf: Vec<u8>,
    records: bool,
    first: bool,
    count: u64,
    problems: Vec<String>,
}

impl Out {
    fn event(&mut self, json: &str) {
        if self.records && !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        self.buf.extend_from_slice(json.as_bytes());
        if !self.records {
            self.buf.push(b'\n');
        }
        self.count += 1;
        self.maybe_flush();
    }

    fn maybe_flush(&mut self) {
        if self.buf.len() > PART_BYTES {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.parts.push(&Uint8Array::from(self.buf.as_slice()));
            self.buf.clear();
        }
    }
}

/// One file's share of a JSON export or of a search of the events' JSON.
pub(super) struct FilePlan {
    pub(super) path: String,
    source: Option<Source>,
    rows: Vec<Row>,
    /// The read of its first slice, once asked for ahead of its turn (see [`read_ahead`]).
    first: Option<js_sys::Promise>,
}

/// Builds an export of the events `filter` keeps and posts it as a download.
pub(super) async fn export(format: Format, filter: Filter) {
    let records = format == Format::Records;
    let mut out = Out { parts: Array::new(), buf: Vec::new(), records, first: true, count: 0, problems: Vec::new() };
    match format {
        Format::Csv => csv(&filter, &mut out),
        Format::Records | Format::JsonLines => {
            if records {
                out.buf.extend_from_slice(b"{\"Records\":[");
            }
            let mut files = plan(&filter);
            while let Some(file) = files.pop_front() {
                read_ahead(&mut files);
                json_of_file(file, &mut out).await;
            }
            if records {
                out.buf.extend_from_slice(b"]}\n");
            }
        }
    }
    out.flush();
    let (name, mime) = format.file();
    let props = web_sys::BlobPropertyBag::new();
    props.set_type(mime);
    match web_sys::Blob::new_with_u8_array_sequence_and_options(&out.parts, &props) {
        Ok(blob) => post_with(
            &FromWorker::Download { name: name.to_owned(), events: out.count, problems: out.problems },
            Some(&blob),
        ),
        Err(e) => post(&FromWorker::Failed { message: format!("the export could not be assembled: {e:?}") }),
    }
}

fn csv(filter: &Filter, out: &mut Out) {
    let worker = WORKER.with(Rc::clone);
    let w = worker.borrow();
    out.buf.extend_from_slice(export::CSV_HEADER.as_bytes());
    for r in w.engine.rows_matching(filter) {
        let file = w.engine.files().get(w.engine.store().locator(r).file as usize).map_or("", |f| f.path.as_str());
        out.buf.extend_from_slice(export::csv_row(w.engine.store(), r, file).as_bytes());
        out.count += 1;
        out.maybe_flush();
    }
}

/// Files whose first slice is asked for before their turn, so the browser reads them while the
/// engine cuts the one before: one read at a time left the worker waiting on each of thousands of
/// small files.
const READ_AHEAD: usize = 4;

/// Asks for the first slice of the next [`READ_AHEAD`] files of `files` not asked for yet.
pub(super) fn read_ahead(files: &mut VecDeque<FilePlan>) {
    for file in files.iter_mut().take(READ_AHEAD).filter(|f| f.first.is_none()) {
        if let Some(Source::File(f)) = &file.source {
            file.first = ask_part(f, 0.0, CHUNK_BYTES.min(f.size())).ok().map(handled);
        }
    }
}

/// The kept rows grouped by file, files in the order of their first kept event.
pub(super) fn plan(filter: &Filter) -> VecDeque<FilePlan> {
    let worker = WORKER.with(Rc::clone);
    let w = worker.borrow();
    w.engine
        .rows_by_file(filter)
        .into_iter()
        .map(|(f, rows)| FilePlan {
            path: w.engine.files().get(f as usize).map(|e| e.path.clone()).unwrap_or_default(),
            source: w.sources.get(f as usize).cloned(),
            rows,
            first: None,
        })
        .collect()
}

async fn json_of_file(file: FilePlan, out: &mut Out) {
    let path = file.path.clone();
    let problems = reread(
        file,
        &mut |_, json| match json {
            Ok(text) => out.event(&text),
            Err(e) => out.problems.push(format!("{path}: {e}")),
        },
        &|| false,
    )
    .await;
    out.problems.extend(problems);
}

/// Reads one file's planned events again (see [`Reread`]), handing each to `take` as it is cut out;
/// stops between chunks once `stop` says so. Returns what went wrong with the file as a whole.
pub(super) async fn reread(
    file: FilePlan,
    take: &mut dyn FnMut(Row, Result<String, String>),
    stop: &dyn Fn() -> bool,
) -> Vec<String> {
    let mut reread = {
        let worker = WORKER.with(Rc::clone);
        let w = worker.borrow();
        Reread::new(w.engine.store(), file.rows, take)
    };
    let error = match file.source {
        _ if !reread.wants_bytes() => None,
        None => Some(export::GONE.to_owned()),
        Some(Source::Bytes(bytes)) => reread.push(bytes, take).err(),
        Some(Source::File(f)) => {
            let size = f.size();
            let mut at = 0.0;
            let mut error = None;
            let mut first = file.first;
            while at < size && reread.wants_bytes() && error.is_none() && !stop() {
                let end = (at + CHUNK_BYTES).min(size);
                let bytes = match first.take() {
                    Some(asked) => bytes_of(asked).await,
                    None => read_slice(&f, at, end).await,
                };
                error = match bytes {
                    Ok(bytes) => reread.push(&bytes, take).err(),
                    Err(e) => Some(e),
                };
                at = end;
            }
            error
        }
    };
    if stop() {
        return Vec::new();
    }
    reread.finish(&file.path, error)
}
