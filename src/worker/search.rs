//! Searches of the events' whole JSON in the worker (see `analysis::json_search`): every event held
//! is read again from the user's files, file by file as an export reads them, with a report to the
//! page at most every [`PROGRESS_EVERY_MS`] and at the end.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;

use super::export::{plan, read_ahead, reread};
use super::{now, post, PROGRESS_EVERY_MS, WORKER};
use crate::analysis::filter::Filter;
use crate::analysis::json_search::{JsonSearch, JsonSearchReport};
use crate::protocol::FromWorker;

/// Events searched between two looks at the clock, for a report.
const ASK_CLOCK_EVERY: u64 = 1024;

/// Problems listed in a report; the rest are counted in one more line.
const MAX_PROBLEMS: usize = 20;

thread_local! {
    /// The search under way: each [`start`] makes a new one, and the one before stops.
    static CURRENT: Cell<u64> = const { Cell::new(0) };
}

/// [`crate::protocol::ToWorker::SearchJson`]: stops the search under way, and starts one for `text`
/// unless it is empty.
pub(super) fn start(text: String) {
    let this = CURRENT.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    if !text.trim().is_empty() {
        spawn_local(search(text, this));
    }
}

/// Reports how far the search got, when the last report is [`PROGRESS_EVERY_MS`] old.
fn progress(report: &JsonSearchReport, reported: &mut f64) {
    if now() - *reported >= PROGRESS_EVERY_MS {
        *reported = now();
        post(&FromWorker::JsonSearch(JsonSearchReport { problems: Vec::new(), ..report.clone() }));
    }
}

async fn search(text: String, this: u64) {
    let stopped = || CURRENT.with(Cell::get) != this;
    let (mut files, upto) = {
        let worker = WORKER.with(Rc::clone);
        let len = worker.borrow().engine.store().len() as u32;
        (plan(&Filter::default()), len)
    };
    let mut search = JsonSearch::new(&text);
    let mut report = JsonSearchReport { text, total: u64::from(upto), ..JsonSearchReport::default() };
    post(&FromWorker::JsonSearch(report.clone()));
    let mut reported = now();
    while let Some(file) = files.pop_front() {
        if stopped() {
            break;
        }
        read_ahead(&mut files);
        let path = file.path.clone();
        let mut take = |r, json| {
            report.take(&mut search, &path, r, json);
            // Within a file too: a big one holds most of the events.
            if report.searched.is_multiple_of(ASK_CLOCK_EVERY) {
                progress(&report, &mut reported);
            }
        };
        let problems = reread(file, &mut take, &stopped).await;
        report.problems.extend(problems);
        progress(&report, &mut reported);
    }
    if stopped() {
        report.stopped = true;
        report.problems.clear();
        post(&FromWorker::JsonSearch(report));
        return;
    }
    if report.problems.len() > MAX_PROBLEMS {
        let more = report.problems.len() - MAX_PROBLEMS;
        report.problems.truncate(MAX_PROBLEMS);
        report.problems.push(format!("and {more} more"));
    }
    WORKER.with(|w| w.borrow_mut().engine.set_json_hits(search.finish(upto)));
    report.done = true;
    post(&FromWorker::JsonSearch(report));
}
