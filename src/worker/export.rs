//! Exports in the worker: the events a filter keeps, assembled into a `Blob` in parts (so no single
//! copy is large) and posted to the page as a download. JSON exports read each file once, in the
//! order of its first kept event, cutting the kept events out as they pass (see [`Cutter`]).

use std::collections::BTreeMap;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};

use super::{post, post_with, read_slice, Source, CHUNK_BYTES, WORKER};
use crate::analysis::filter::Filter;
use crate::export::{self, Cutter, Format};
use crate::protocol::FromWorker;
use crate::store::{Locator, Row};

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

    fn take(&mut self, path: &str, got: &mut Vec<(Row, Result<String, String>)>) {
        for (_, j) in got.drain(..) {
            match j {
                Ok(text) => self.event(&text),
                Err(e) => self.problems.push(format!("{path}: {e}")),
            }
        }
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

/// One file's share of a JSON export.
struct FilePlan {
    path: String,
    source: Option<Source>,
    rows: Vec<(Row, Locator)>,
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
            for file in plan(&filter) {
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

/// The kept rows grouped by file, files in the order of their first kept event.
fn plan(filter: &Filter) -> Vec<FilePlan> {
    let worker = WORKER.with(Rc::clone);
    let w = worker.borrow();
    let store = w.engine.store();
    let mut by_file: BTreeMap<u32, Vec<(Row, Locator)>> = BTreeMap::new();
    let mut order: Vec<u32> = Vec::new();
    for r in w.engine.rows_matching(filter) {
        let loc = store.locator(r);
        let rows = by_file.entry(loc.file).or_default();
        if rows.is_empty() {
            order.push(loc.file);
        }
        rows.push((r, loc));
    }
    order
        .into_iter()
        .map(|f| FilePlan {
            path: w.engine.files().get(f as usize).map(|e| e.path.clone()).unwrap_or_default(),
            source: w.sources.get(f as usize).cloned(),
            rows: by_file.remove(&f).unwrap_or_default(),
        })
        .collect()
}

async fn json_of_file(file: FilePlan, out: &mut Out) {
    let worker = WORKER.with(Rc::clone);
    let (from_csv, json): (Vec<_>, Vec<_>) = {
        let w = worker.borrow();
        file.rows.into_iter().partition(|(r, _)| !export::has_json(w.engine.store(), *r))
    };
    for (r, _) in from_csv {
        let text = export::event_from_columns(worker.borrow().engine.store(), r);
        out.event(&text);
    }
    if json.is_empty() {
        return;
    }
    let Some(source) = file.source else {
        out.problems.push(format!("{}: the file is no longer available", file.path));
        return;
    };
    let mut cutter = Cutter::new(json);
    let mut got: Vec<(Row, Result<String, String>)> = Vec::new();
    let result = match source {
        Source::Bytes(bytes) => cutter.push(bytes, &mut |r, j| got.push((r, j))).map_err(|e| e.to_string()),
        Source::File(f) => {
            let size = f.size();
            let mut at = 0.0;
            let mut result = Ok(());
            while at < size && !cutter.done() && result.is_ok() {
                let end = (at + CHUNK_BYTES).min(size);
                result = match read_slice(&f, at, end).await {
                    Ok(bytes) => cutter.push(&bytes, &mut |r, j| got.push((r, j))).map_err(|e| e.to_string()),
                    Err(e) => Err(e),
                };
                out.take(&file.path, &mut got);
                at = end;
            }
            result
        }
    };
    out.take(&file.path, &mut got);
    if let Err(e) = result {
        out.problems.push(format!("{}: {e}", file.path));
    }
    if !cutter.missing().is_empty() {
        out.problems.push(format!(
            "{}: {} could not be read again (the file ended early)",
            file.path,
            crate::text::plural(cutter.missing().len() as u64, "event", "events")
        ));
    }
}
