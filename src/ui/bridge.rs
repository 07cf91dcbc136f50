//! The page's end of the worker protocol: starts the worker, sends it files and queries, and turns
//! its messages into actions.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, File, HtmlAnchorElement, MessageEvent, Url, Worker, WorkerOptions};
use yew::{Callback, UseReducerDispatcher};

use super::state::State;
use super::task::soon;
use crate::engine::{Query, Response};
use crate::protocol::{FromWorker, Phase, Progress, ToWorker};
use crate::text::{plural, thousands};
use crate::viewstate::Action;

/// While loading, the overview is refreshed at most this often.
const LIVE_EVERY_MS: f64 = 500.0;

/// Files handed to the worker per message, at most. Posting a `File` costs the page 0.15 to 1 ms (the
/// browser asks for each file's size and time on disk to serialize its handle, slower while the worker
/// reads), so thousands in one message froze the page for a second or more. A batch is sized from
/// what the last ones cost, but the cost swings (the first posts of a drop took 0.6 ms of CPU a
/// file, later ones 0.1 ms): at 64 a misjudged batch held the thread for 25 ms of CPU.
const BATCH_FILES: usize = 16;

/// Main-thread time spent posting batches before the page gets the thread back (well under the
/// 50 ms of a long task); batches are sized to fit it from the time files took so far.
const POST_SLICE_MS: f64 = 10.0;

/// Paths in one [`ToWorker::Unread`] message.
const UNREAD_BATCH: usize = 1024;

const START_MARK: &str = "trailscope:ingest-start";
const END_MARK: &str = "trailscope:ingest-end";

/// The relative paths of a load's files, `[i]` for file `i`; `None`: each file's own (its
/// `webkitRelativePath` from a folder pick, else its name), read as the file is posted.
type Paths = Option<Rc<[String]>>;

/// What was asked to be loaded, in order: a restarted engine (after a crash) reads it all again,
/// but for what a Cancel left unread, which it is told of as not read, as the engine before it was.
/// Only `File` handles are kept on this thread, never their bytes.
enum Load {
    Files {
        files: Array,
        paths: Paths,
        /// Files of it (by index) a Cancel left unread: queued in the worker, or not posted yet.
        not_read: HashSet<u32>,
    },
    Sample,
    /// The sample, which a Cancel stopped before it was posted: a restarted engine does not load it.
    SampleNotRead,
    /// What a Cancel left of folder walks (see [`super::walk::Left`]): files found and not handed
    /// over, and folders not listed.
    WalkLeft {
        files: Vec<String>,
        folders: Vec<String>,
    },
}

impl Load {
    /// Whether a Cancel left this load unread, wholly or in part: a restarted engine's load, given
    /// the loads again, ends as stopped when the last one was.
    fn cancelled(&self) -> bool {
        match self {
            Load::Files { not_read, .. } => !not_read.is_empty(),
            Load::SampleNotRead | Load::WalkLeft { .. } => true,
            Load::Sample => false,
        }
    }

    /// Keeps `load` in `LOADS`; its index there.
    fn keep(load: Load) -> usize {
        LOADS.with(|l| {
            let mut l = l.borrow_mut();
            l.push(load);
            l.len() - 1
        })
    }

    /// Marks the file at `index` as left unread by a Cancel.
    fn not_read(loads: &mut [Load], load: usize, index: u32) {
        if let Some(Load::Files { not_read, .. }) = loads.get_mut(load) {
            not_read.insert(index);
        }
    }
}

impl Item {
    /// Files of it to read not posted yet.
    fn to_read(&self) -> u64 {
        match self {
            Item::Files { files, next, unread: false, .. } => u64::from(files.length().saturating_sub(*next)),
            Item::Files { .. } | Item::Sample { .. } => 0,
        }
    }

    /// Files of it to note as not read (a Cancel left them).
    fn to_note(&self) -> u64 {
        match self {
            Item::Files { files, next, unread: true, .. } => u64::from(files.length().saturating_sub(*next)),
            Item::Files { .. } | Item::Sample { .. } => 0,
        }
    }

    /// The index in its load of the file at `i` here.
    fn index_in_load(at: Option<&Rc<[u32]>>, i: u32) -> u32 {
        at.and_then(|at| at.get(i as usize).copied()).unwrap_or(i)
    }
}

/// What waits to be handed to the worker, in order.
enum Item {
    /// The files of one load (a JS array of `File`s, as picked), from `next` on. Kept as the one
    /// array: taking thousands of files apart into handles and paths at the drop took 30 ms and more.
    Files {
        files: Array,
        paths: Paths,
        next: u32,
        /// A Cancel came first: posted only to be noted as not read ([`ToWorker::Unread`]).
        unread: bool,
        /// Where its files are kept in `LOADS`: the load, and each file's index there when it is
        /// not the same as here (a restarted engine is given the files a Cancel did not leave).
        load: usize,
        at: Option<Rc<[u32]>>,
    },
    /// The sample, kept in `LOADS` at `load`.
    Sample { load: usize },
}

/// The relative path of a picked file: below the chosen folder for folder picks (it tells account,
/// region and date), else its name.
fn own_path(file: &File) -> String {
    let rel = Reflect::get(file, &"webkitRelativePath".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    if rel.is_empty() {
        file.name()
    } else {
        rel
    }
}

/// The same files with CloudTrail digests first, as a folder walk hands them over (see
/// `walk::walk`): the browser lists a picked folder's files in no set order. A digest's file name
/// says it is one (`<account>_CloudTrail-Digest_<region>_...`), so only names are read.
fn digests_first(files: Array) -> Array {
    let (digests, rest) = (Array::new(), Array::new());
    for file in files.iter() {
        let digest = file.dyn_ref::<File>().is_some_and(|f| f.name().contains("_CloudTrail-Digest_"));
        if digest { &digests } else { &rest }.push(&file);
    }
    if digests.length() == 0 {
        return files;
    }
    digests.concat(&rest)
}

/// Files (and sample loads) not posted yet: posted in batches over several tasks by [`pump`].
#[derive(Default)]
struct Outbox {
    items: VecDeque<Item>,
    /// A slice of posting runs or is scheduled.
    pumping: bool,
    /// The bridge is gone (a crash replaced it): post nothing more.
    closed: bool,
    /// Milliseconds posting one file took lately (0 before the first batch).
    ms_per_file: f64,
    /// Folder walks handing files over (see [`Bridge::walk`]): every batch is posted only once they end.
    walks: u32,
    /// Cancels so far: a walk started before the last one hands nothing more over.
    cancels: u32,
    /// Cancels the worker has answered, loading over and every file handed over after them noted
    /// as not read (as the page's `ViewState` waits for). Files to read wait until it has answered
    /// the last: posted sooner, the Cancel would take them too, and the page's count of files on
    /// their way would not know it.
    answered: u32,
    /// Files handed over after Cancels to be noted as not read, all so far.
    unread_total: u64,
    /// What each folder walk under way has not listed or handed over yet (see [`super::walk::Left`]).
    walks_left: Vec<Rc<RefCell<super::walk::Left>>>,
    /// Every file posted to this worker to read, in order: its load and index in `LOADS` (see
    /// [`FromWorker::NotRead`]).
    posted: Vec<(usize, u32)>,
}

impl Outbox {
    /// Whether the worker's report `p` answers the last Cancel ([`Progress::answers`], as the page's
    /// `ViewState` takes it): the files to read that waited for it can go then.
    fn answered_by(&mut self, p: &Progress) -> bool {
        let answers = self.answered < self.cancels && p.answers(self.cancels, self.unread_total);
        if answers {
            self.answered = self.cancels;
        }
        answers
    }
}

thread_local! {
    static LOADS: RefCell<Vec<Load>> = const { RefCell::new(Vec::new()) };
}

/// The worker and what the page needs to talk to it.
pub struct Bridge {
    worker: Option<Worker>,
    dispatch: UseReducerDispatcher<State>,
    next_id: Rc<Cell<u32>>,
    /// Who waits for which answer.
    waiting: Rc<RefCell<HashMap<u32, Callback<Response>>>>,
    /// Messages held until the worker says it is ready (`None` once it has).
    held: Rc<RefCell<Option<Vec<JsValue>>>>,
    /// Files waiting to be posted.
    outbox: Rc<RefCell<Outbox>>,
    _handlers: Vec<Closure<dyn FnMut(JsValue)>>,
}

fn envelope(msg: &ToWorker, files: Option<&Array>) -> Result<JsValue, String> {
    let extra: Vec<(&str, &JsValue)> = files.map(|f| ("files", f.as_ref())).into_iter().collect();
    crate::worker::envelope(msg, &extra).map(JsValue::from)
}

fn post(worker: &Worker, msg: &ToWorker, files: Option<&Array>) -> Result<(), String> {
    worker.post_message(&envelope(msg, files)?).map_err(|e| format!("{e:?}"))
}

/// The worker panicked, or an uncaught error (a wasm trap, out of memory) left it unusable: stop it,
/// and let the page offer a new one (which gets a bridge and an outbox of its own).
fn crashed(worker: &Worker, outbox: &RefCell<Outbox>, dispatch: &UseReducerDispatcher<State>, message: &str) {
    worker.terminate();
    outbox.borrow_mut().closed = true;
    dispatch.dispatch(Action::Crashed(format!("The engine stopped: {message}")));
}

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

impl Bridge {
    /// Starts the worker (`worker_loader.js`, next to the page).
    pub fn new(dispatch: UseReducerDispatcher<State>) -> Bridge {
        let opts = WorkerOptions::new();
        let worker = match Worker::new_with_options("./worker_loader.js", &opts) {
            Ok(w) => w,
            Err(e) => {
                dispatch.dispatch(Action::Failed(format!("The engine could not start in a web worker: {e:?}")));
                return Bridge {
                    worker: None,
                    dispatch,
                    next_id: Rc::new(Cell::new(1)),
                    waiting: Rc::default(),
                    held: Rc::default(),
                    outbox: Rc::default(),
                    _handlers: Vec::new(),
                };
            }
        };
        let next_id = Rc::new(Cell::new(1));
        let live = Rc::new(Live::default());
        let waiting: Rc<RefCell<HashMap<u32, Callback<Response>>>> = Rc::default();
        let held: Rc<RefCell<Option<Vec<JsValue>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let outbox: Rc<RefCell<Outbox>> = Rc::default();
        let on_message = {
            let (worker, dispatch, next_id, waiting, held, outbox) =
                (worker.clone(), dispatch.clone(), next_id.clone(), waiting.clone(), held.clone(), outbox.clone());
            Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                let data = e.unchecked_into::<MessageEvent>().data();
                let blob = Reflect::get(&data, &"blob".into()).ok().and_then(|b| b.dyn_into::<Blob>().ok());
                let msg = Reflect::get(&data, &"msg".into()).unwrap_or(JsValue::UNDEFINED);
                let msg: FromWorker = match serde_wasm_bindgen::from_value(msg) {
                    Ok(m) => m,
                    Err(e) => {
                        dispatch.dispatch(Action::Failed(format!(
                            "The engine sent a message the page does not understand: {e}"
                        )));
                        return;
                    }
                };
                match msg {
                    FromWorker::Ready => ready(&worker, &held, &outbox, &dispatch),
                    FromWorker::Progress(p) => {
                        let phase = p.phase;
                        if outbox.borrow_mut().answered_by(&p) {
                            start_pump(&worker, &outbox, &dispatch);
                        }
                        dispatch.dispatch(Action::Progress(p));
                        live.loading.set(phase == Phase::Loading);
                        let since = now() - live.asked.get();
                        // An idle report (ingest workers getting ready before any drop) changes no view.
                        if phase != Phase::Idle && (phase == Phase::Done || since >= LIVE_EVERY_MS) {
                            live.ask(&worker, &next_id, &dispatch);
                        } else if phase == Phase::Loading && !live.trailing.replace(true) {
                            // A report sooner than that: ask once the time has passed, so the views
                            // show it even when no report follows (the engine's worker waiting for a
                            // slow read of a large file, say).
                            let (live, worker, next_id, dispatch) =
                                (live.clone(), worker.clone(), next_id.clone(), dispatch.clone());
                            let wait = (LIVE_EVERY_MS - since).ceil() as u32;
                            gloo::timers::callback::Timeout::new(wait, move || {
                                live.trailing.set(false);
                                if live.loading.get() && now() - live.asked.get() >= LIVE_EVERY_MS - 1.0 {
                                    live.ask(&worker, &next_id, &dispatch);
                                }
                            })
                            .forget();
                        }
                    }
                    FromWorker::NotRead { seqs } => cancelled_unread(&outbox.borrow(), &seqs),
                    FromWorker::Memory { heap_bytes } => dispatch.dispatch(Action::Memory(heap_bytes)),
                    FromWorker::Answer { id, response } => answered(id, *response, &waiting, &dispatch),
                    FromWorker::AnswerJson { id, json } => match serde_json::from_str::<Response>(&json) {
                        Ok(response) => answered(id, response, &waiting, &dispatch),
                        Err(e) => dispatch.dispatch(Action::Failed(format!(
                            "The engine sent an answer the page does not understand: {e}"
                        ))),
                    },
                    FromWorker::Failed { message } => dispatch.dispatch(Action::Failed(message)),
                    // Only the benchmark asks for inflating alone, from a worker of its own.
                    FromWorker::Inflated { .. }
                    | FromWorker::Batch { .. }
                    | FromWorker::Want
                    | FromWorker::Hashed { .. } => {}
                    FromWorker::JsonSearch(report) => dispatch.dispatch(Action::JsonSearch(report)),
                    FromWorker::Crashed { message } => crashed(&worker, &outbox, &dispatch, &message),
                    FromWorker::Download { name, events, problems } => {
                        downloaded(&name, blob.as_ref(), &dispatch);
                        dispatch.dispatch(Action::Exported { name, events, problems });
                    }
                }
            })
        };
        let on_error = {
            let (worker, outbox, dispatch) = (worker.clone(), outbox.clone(), dispatch.clone());
            Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                let message = Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_default();
                crashed(&worker, &outbox, &dispatch, &message);
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Bridge { worker: Some(worker), dispatch, next_id, waiting, held, outbox, _handlers: vec![on_message, on_error] }
    }

    /// Queues files (and sample loads) for the worker and starts posting them once it is ready.
    fn hand_over(&self, items: impl IntoIterator<Item = Item>) {
        // Not their sizes: the browser fetches a file's size from its disk on first asking, as long as
        // posting it takes; the worker adds the sizes up as the files arrive.
        let mut files = 0;
        {
            let mut outbox = self.outbox.borrow_mut();
            for item in items {
                files += item.to_read();
                outbox.items.push_back(item);
            }
        }
        if files > 0 {
            self.dispatch.dispatch(Action::Sending { files });
        }
        self.pump_if_ready();
    }

    /// Starts posting what waits in the outbox, once the worker has said it is ready.
    fn pump_if_ready(&self) {
        if let (Some(worker), None) = (&self.worker, self.held.borrow().as_ref()) {
            start_pump(worker, &self.outbox, &self.dispatch);
        }
    }

    fn send(&self, msg: &ToWorker, files: Option<&Array>) {
        let result = match (&self.worker, self.held.borrow_mut().as_mut()) {
            (None, _) => Err("the engine is not running".into()),
            (Some(_), Some(held)) => envelope(msg, files).map(|m| held.push(m)),
            (Some(w), None) => post(w, msg, files),
        };
        if let Err(e) = result {
            self.dispatch.dispatch(Action::Failed(format!("Could not reach the engine: {e}")));
        }
    }

    fn started(&self) {
        if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
            perf.clear_marks_with_mark_name(START_MARK);
            let _ = perf.mark(START_MARK);
        }
        if let Some(megabytes) = super::crash::take_memory_limit() {
            self.send(&ToWorker::TestMemoryLimit { above: megabytes << 20 }, None);
        }
        self.dispatch.dispatch(Action::Started);
    }

    /// Reads picked or dropped files (a JS array of `File`s), each under its own path (see
    /// [`own_path`]). Costs the page the same for one file or thousands: the files are taken apart in
    /// small batches as they are posted.
    pub fn ingest(&self, files: Array) {
        if files.length() == 0 {
            return;
        }
        self.started();
        if super::crash::take_ingest_panic() {
            self.send(&ToWorker::TestIngestPanic, None);
        }
        self.queue(digests_first(files), None);
    }

    /// Queues files of the load under way, kept to be read again by a restarted engine.
    fn queue(&self, files: Array, paths: Paths) {
        let load = Load::keep(Load::Files { files: files.clone(), paths: paths.clone(), not_read: HashSet::new() });
        self.hand_over([Item::Files { files, paths, next: 0, unread: false, load, at: None }]);
    }

    /// Walks dropped folders (see [`super::walk`]) and reads their files as the walk finds them. The
    /// load starts now, so the status bar says so from the drop on, and it does not end before the
    /// walk does.
    pub fn walk(self: &Rc<Self>, dropped: super::walk::Dropped) {
        self.started();
        let left = Rc::new(RefCell::new(super::walk::Left::default()));
        let cancels = {
            let mut o = self.outbox.borrow_mut();
            o.walks += 1;
            o.walks_left.push(left.clone());
            o.cancels
        };
        self.dispatch.dispatch(Action::Listing(true));
        let bridge = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let mut to = HandOver { bridge: &bridge, cancels };
            let (found, problems) = super::walk::walk(dropped, &mut to, &left).await;
            bridge.outbox.borrow_mut().walks_left.retain(|l| !Rc::ptr_eq(l, &left));
            bridge.walked(cancels, found, &problems);
        });
    }

    /// Opens the browser's folder picker (where [`super::walk::can_pick_folder`]) and walks the
    /// folder chosen, as a dropped one; must be called while handling the person's click.
    pub fn pick_folder(self: &Rc<Self>) {
        let bridge = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            match super::walk::pick_folder().await {
                Ok(Some(folder)) => bridge.walk(folder),
                Ok(None) => {}
                Err(why) => {
                    bridge.dispatch.dispatch(Action::Failed(format!(
                        "The folder could not be opened ({why}); drop it on the page instead."
                    )));
                }
            }
        });
    }

    /// A walk ended, having found `found` files.
    fn walked(&self, cancels: u32, found: u64, problems: &[String]) {
        let closed = {
            let mut o = self.outbox.borrow_mut();
            if o.cancels != cancels {
                // Cancelled: what it found before is loaded, the rest was never asked for.
                return;
            }
            o.walks -= 1;
            o.closed
        };
        if closed {
            self.dispatch.dispatch(Action::Failed(format!(
                "The engine stopped while the folders were listed, after {}; add them again to read all \
                 of them.",
                plural(found, "file", "files")
            )));
            return;
        }
        if !problems.is_empty() {
            self.dispatch.dispatch(Action::Failed(some_of(problems)));
        } else if found == 0 {
            self.dispatch.dispatch(Action::Failed("Nothing to read in those folders: no files in them.".into()));
        }
        if self.outbox.borrow().walks == 0 {
            self.dispatch.dispatch(Action::Listing(false));
        }
        let idle = !self.outbox.borrow().pumping;
        if idle {
            finish_if_empty(&self.outbox, &self.dispatch);
        }
    }

    /// Loads the bundled sample.
    pub fn load_sample(&self) {
        let load = Load::keep(Load::Sample);
        self.started();
        self.hand_over([Item::Sample { load }]);
    }

    /// Exports the events a filter keeps; the file downloads when ready.
    pub fn export(&self, format: crate::export::Format, filter: crate::analysis::filter::Filter) {
        self.dispatch.dispatch(Action::Exporting(format!("{format:?}")));
        self.send(&ToWorker::Export { format, filter: Box::new(filter) }, None);
    }

    /// Searches the whole JSON of every event for `text` (see `analysis::json_search`), stopping the
    /// search under way; an empty `text` only stops it.
    pub fn search_json(&self, text: &str) {
        if !text.trim().is_empty() {
            let report = crate::analysis::json_search::JsonSearchReport { text: text.to_owned(), ..Default::default() };
            self.dispatch.dispatch(Action::JsonSearch(report));
        }
        self.send(&ToWorker::SearchJson { text: text.to_owned() }, None);
    }

    /// Stops loading, keeping what was read; files not handed to the worker yet are dropped, and folder
    /// walks stop.
    pub fn cancel(&self) {
        let (unsent, found, folders) = {
            let mut o = self.outbox.borrow_mut();
            let unsent: u64 = o.items.iter().map(Item::to_read).sum();
            // Files not posted yet are not read: an engine restarted after a crash is not given
            // them to read either (see `replay`). They are still handed over after the Cancel, to be
            // noted as not read: the integrity check then calls a log a digest lists "not read", not
            // "missing", and the summary counts it with the files the engine had queued.
            LOADS.with(|l| {
                let mut loads = l.borrow_mut();
                o.items.retain_mut(|item| match item {
                    Item::Files { files, next, unread, load, at, .. } => {
                        if !*unread {
                            for i in *next..files.length() {
                                Load::not_read(&mut loads, *load, Item::index_in_load(at.as_ref(), i));
                            }
                        }
                        *unread = true;
                        true
                    }
                    Item::Sample { load } => {
                        if let Some(sample) = loads.get_mut(*load) {
                            *sample = Load::SampleNotRead;
                        }
                        false
                    }
                });
            });
            o.walks = 0;
            let (found, folders) = walks_left(o.walks_left.drain(..));
            if !found.is_empty() || !folders.is_empty() {
                Load::keep(Load::WalkLeft { files: found.clone(), folders: folders.clone() });
            }
            o.cancels += 1;
            o.unread_total += unsent + found.len() as u64;
            (unsent, found, folders)
        };
        // What the walks under way had found and not handed over goes to be noted as not read, as
        // the files not posted do, and the folders they had not listed, so that the integrity check
        // does not take the logs in them for missing. Before the Cancel, which the engine answers
        // only once it has noted them all.
        let (unsent, folders_count) = (unsent + found.len() as u64, folders.len() as u64);
        self.note_walk_left(&found, folders);
        self.dispatch.dispatch(Action::SendingStopped { unsent, folders: folders_count });
        self.send(&ToWorker::Cancel, None);
        self.pump_if_ready();
    }

    /// Hands the engine what a Cancel left of folder walks, to be noted: the files found and not
    /// handed over as not read, the folders not listed as such.
    fn note_walk_left(&self, files: &[String], folders: Vec<String>) {
        let mut folders = Some(folders).filter(|f| !f.is_empty());
        for paths in files.chunks(UNREAD_BATCH) {
            self.send(&ToWorker::Unread { paths: paths.to_vec(), folders: folders.take().unwrap_or_default() }, None);
        }
        if let Some(folders) = folders {
            self.send(&ToWorker::Unread { paths: Vec::new(), folders }, None);
        }
    }

    /// Stops hashing files for the integrity check after the load (see [`ToWorker::StopCheck`]).
    pub fn stop_check(&self) {
        self.send(&ToWorker::StopCheck, None);
    }

    /// Hashes the files the integrity check stopped before (see [`ToWorker::CheckAgain`]).
    pub fn check_again(&self) {
        self.send(&ToWorker::CheckAgain, None);
    }

    /// Asks a question; the answer arrives as an action (or, for downloads, as a file).
    pub fn query(&self, query: Query) {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.send(&ToWorker::Query { id, query: Box::new(query) }, None);
    }

    /// Asks a question; `answer` receives the response.
    pub fn ask(&self, query: Query, answer: Callback<Response>) {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.waiting.borrow_mut().insert(id, answer);
        self.send(&ToWorker::Query { id, query: Box::new(query) }, None);
    }
}

impl Bridge {
    /// Sends everything loaded so far again (to a new engine, after a crash): the files to read, and
    /// those a Cancel left unread and what it left of folder walks, to be noted as not read, as the
    /// engine before it had them.
    pub fn replay(&self) {
        let (items, left, stopped) = LOADS.with(|loads| {
            let (mut items, mut left) = (Vec::new(), Vec::new());
            for (load, what) in loads.borrow().iter().enumerate() {
                match what {
                    Load::Files { files, paths, not_read } if not_read.is_empty() => {
                        items.push(Item::Files {
                            files: files.clone(),
                            paths: paths.clone(),
                            next: 0,
                            unread: false,
                            load,
                            at: None,
                        });
                    }
                    // Its files a Cancel left unread are noted as such again, not read.
                    Load::Files { files, paths, not_read } => {
                        let split = |keep: bool| {
                            let at: Vec<u32> = (0..files.length()).filter(|i| not_read.contains(i) != keep).collect();
                            let array: Array = at.iter().map(|&i| files.get(i)).collect();
                            let paths =
                                paths.as_ref().map(|p| at.iter().filter_map(|&i| p.get(i as usize).cloned()).collect());
                            (array, paths, Rc::from(at))
                        };
                        for keep in [true, false] {
                            let (files, paths, at) = split(keep);
                            if files.length() > 0 {
                                items.push(Item::Files { files, paths, next: 0, unread: !keep, load, at: Some(at) });
                            }
                        }
                    }
                    Load::Sample => items.push(Item::Sample { load }),
                    Load::SampleNotRead => {}
                    Load::WalkLeft { files, folders } => left.push((files.clone(), folders.clone())),
                }
            }
            // As before the crash, the load ends as stopped if the last one a Cancel left unread.
            let stopped = loads.borrow().last().is_some_and(Load::cancelled);
            (items, left, stopped)
        });
        if items.is_empty() && left.is_empty() {
            return;
        }
        self.started();
        // What the Cancel left, for the bar: the restarted engine is told of it, not sent a Cancel.
        if stopped {
            let noted: u64 = items.iter().map(Item::to_note).sum();
            let found: usize = left.iter().map(|(files, _)| files.len()).sum();
            let folders: usize = left.iter().map(|(_, folders)| folders.len()).sum();
            self.dispatch.dispatch(Action::Replaying {
                not_read: noted + found as u64,
                folders: folders as u64,
                walked: !left.is_empty(),
            });
        }
        for (files, folders) in left {
            self.note_walk_left(&files, folders);
        }
        self.hand_over(items);
    }

    /// What the engine has been asked to read, for people: files picked or dropped (not those a
    /// Cancel left unread), and whether the sample is among them.
    pub fn loads() -> (u64, bool) {
        LOADS.with(|l| {
            let l = l.borrow();
            let files = l
                .iter()
                .map(|load| match load {
                    Load::Files { files, not_read, .. } => u64::from(files.length()) - not_read.len() as u64,
                    _ => 0,
                })
                .sum();
            (files, l.iter().any(|load| matches!(load, Load::Sample)))
        })
    }

    /// Makes the engine panic (only for the crash test: see [`ToWorker::TestPanic`]).
    pub fn test_panic(&self) {
        self.send(&ToWorker::TestPanic, None);
    }
}

impl Drop for Bridge {
    /// A replaced bridge (after a crash) stops its worker, so no message reaches dropped handlers.
    fn drop(&mut self) {
        let mut outbox = self.outbox.borrow_mut();
        outbox.closed = true;
        outbox.items.clear();
        drop(outbox);
        if let Some(worker) = &self.worker {
            worker.set_onmessage(None);
            worker.set_onerror(None);
            worker.terminate();
        }
    }
}

/// Hands an answer to whoever asked for it, or to the state.
fn answered(
    id: u32,
    response: Response,
    waiting: &RefCell<HashMap<u32, Callback<Response>>>,
    dispatch: &UseReducerDispatcher<State>,
) {
    let callback = waiting.borrow_mut().remove(&id);
    if let Some(cb) = callback {
        cb.emit(response);
        return;
    }
    match response {
        Response::SummaryJson(text) => {
            if let Err(e) = download("trailscope-summary.json", "application/json", &text) {
                dispatch.dispatch(Action::Failed(format!("The download failed: {e}")));
            }
        }
        other => dispatch.dispatch(Action::Answer(Box::new(other))),
    }
}

/// The worker is ready: posts the messages held for it, then starts on the files.
fn ready(
    worker: &Worker,
    held: &RefCell<Option<Vec<JsValue>>>,
    outbox: &Rc<RefCell<Outbox>>,
    dispatch: &UseReducerDispatcher<State>,
) {
    for m in held.borrow_mut().take().unwrap_or_default() {
        if let Err(e) = worker.post_message(&m) {
            dispatch.dispatch(Action::Failed(format!("Could not reach the engine: {e:?}")));
        }
    }
    start_pump(worker, outbox, dispatch);
}

/// Starts posting what waits in the outbox, unless that is already under way.
fn start_pump(worker: &Worker, outbox: &Rc<RefCell<Outbox>>, dispatch: &UseReducerDispatcher<State>) {
    {
        let mut o = outbox.borrow_mut();
        if o.pumping || o.closed || o.items.is_empty() {
            return;
        }
        o.pumping = true;
    }
    // In a task of its own: not in the drop's, which should only take the files.
    let (worker, outbox, dispatch) = (worker.clone(), outbox.clone(), dispatch.clone());
    soon(move || pump(worker, outbox, dispatch));
}

/// Posts batches of files for about [`POST_SLICE_MS`], then yields the thread to the page and goes
/// on in a later task, until the outbox is empty.
fn pump(worker: Worker, outbox: Rc<RefCell<Outbox>>, dispatch: UseReducerDispatcher<State>) {
    let start = now();
    loop {
        let (files, paths, sample, more, unread_batch) = {
            let mut o = outbox.borrow_mut();
            if o.closed {
                return;
            }
            if o.items.is_empty() {
                drop(o);
                finish_if_empty(&outbox, &dispatch);
                return;
            }
            let left = POST_SLICE_MS - (now() - start);
            let fit = if o.ms_per_file > 0.0 { (left / o.ms_per_file) as usize } else { 8 };
            // Files noted as not read go as paths only, many at a time (see `ToWorker::Unread`).
            let unread_next = matches!(o.items.front(), Some(Item::Files { unread: true, .. }));
            let batch = if unread_next { UNREAD_BATCH } else { fit.clamp(1, BATCH_FILES) };
            let (files, mut paths) = (Array::new(), Vec::new());
            if !unread_next && o.answered < o.cancels {
                // Files to read wait for the engine's answer to the last Cancel (they start
                // pumping again then).
                o.pumping = false;
                return;
            }
            let mut sample = false;
            let mut posted = Vec::new();
            // A batch is of files to read, or of files to note as not read, not both.
            let mut unread_batch = false;
            while paths.len() < batch {
                match o.items.front_mut() {
                    Some(Item::Files { unread, .. }) if !paths.is_empty() && *unread != unread_batch => break,
                    Some(Item::Files { files: all, paths: known, next, unread, load, at }) => {
                        unread_batch = *unread;
                        let end = all.length().min(*next + (batch - paths.len()) as u32);
                        for i in *next..end {
                            let Ok(file) = all.get(i).dyn_into::<File>() else { continue };
                            paths.push(match known {
                                Some(known) => known.get(i as usize).cloned().unwrap_or_else(|| file.name()),
                                None => own_path(&file),
                            });
                            if !*unread {
                                files.push(&file);
                                posted.push((*load, Item::index_in_load(at.as_ref(), i)));
                            }
                        }
                        *next = end;
                        if end >= all.length() {
                            o.items.pop_front();
                        }
                    }
                    // In order: the files before it, then the sample.
                    Some(Item::Sample { .. }) => {
                        o.items.pop_front();
                        sample = true;
                        break;
                    }
                    None => break,
                }
            }
            o.posted.append(&mut posted);
            // More to read follows: not files only to be noted as not read (a restarted engine is
            // given those after the files it reads).
            let more = sample || o.items.iter().any(|i| matches!(i, Item::Sample { .. }) || i.to_read() > 0);
            (files, paths, sample, more, unread_batch)
        };
        let mut result = Ok(());
        if unread_batch {
            result = post(&worker, &ToWorker::Unread { paths, folders: Vec::new() }, None);
        } else if !paths.is_empty() {
            let (t, n) = (now(), paths.len());
            result = post(&worker, &ToWorker::Ingest { paths, more }, Some(&files));
            let per_file = (now() - t) / n as f64;
            let mut o = outbox.borrow_mut();
            // Up at once when posting gets slower, down gently when faster.
            o.ms_per_file =
                if o.ms_per_file > 0.0 { per_file.max(f64::midpoint(o.ms_per_file, per_file)) } else { per_file };
        }
        if sample {
            result = result.and(post(&worker, &ToWorker::LoadSample, None));
        }
        if let Err(e) = result {
            dispatch.dispatch(Action::Failed(format!("Could not reach the engine: {e}")));
        }
        // The last batch is posted: say so in this task, before any report of the worker on it is
        // handled (in a later task, `Sent` could come after the worker's last "done").
        if finish_if_empty(&outbox, &dispatch) {
            return;
        }
        if now() - start >= POST_SLICE_MS {
            let (worker, outbox, dispatch) = (worker.clone(), outbox.clone(), dispatch.clone());
            soon(move || pump(worker, outbox, dispatch));
            return;
        }
    }
}

/// When nothing waits to be posted: ends the pumping and, unless a folder walk may hand more over,
/// tells the page every batch is posted.
fn finish_if_empty(outbox: &RefCell<Outbox>, dispatch: &UseReducerDispatcher<State>) -> bool {
    {
        let mut o = outbox.borrow_mut();
        if !o.items.is_empty() {
            return false;
        }
        o.pumping = false;
        if o.walks > 0 {
            return true;
        }
    }
    dispatch.dispatch(Action::Sent);
    true
}

/// Where a folder walk hands its files: the load of the bridge it started on, while that load is not
/// cancelled and its engine runs.
struct HandOver<'a> {
    bridge: &'a Bridge,
    cancels: u32,
}

impl super::walk::Found for HandOver<'_> {
    fn files(&mut self, files: Vec<File>, paths: Vec<String>) -> bool {
        {
            let o = self.bridge.outbox.borrow();
            if o.closed || o.cancels != self.cancels {
                return false;
            }
        }
        self.bridge.queue(files.into_iter().collect(), Some(Rc::from(paths)));
        true
    }
}

/// Files posted to read that a Cancel left unread (`seqs`, see [`FromWorker::NotRead`]): a restarted
/// engine is not given them to read.
fn cancelled_unread(outbox: &Outbox, seqs: &[u64]) {
    LOADS.with(|l| {
        let mut loads = l.borrow_mut();
        for &(load, index) in seqs.iter().filter_map(|&seq| outbox.posted.get(seq as usize)) {
            Load::not_read(&mut loads, load, index);
        }
    });
}

/// What folder walks left, each in path order: the files they found and had not handed over, and
/// the folders they had not listed.
fn walks_left(walks: impl Iterator<Item = Rc<RefCell<super::walk::Left>>>) -> (Vec<String>, Vec<String>) {
    let (mut files, mut folders) = (Vec::new(), Vec::new());
    for left in walks {
        let left = std::mem::take(&mut *left.borrow_mut());
        files.extend(left.files);
        folders.extend(left.folders);
    }
    files.sort_unstable();
    folders.sort_unstable();
    (files, folders)
}

/// Problems to show: the first few, and how many more.
fn some_of(problems: &[String]) -> String {
    const SHOWN: usize = 10;
    let text = problems.iter().take(SHOWN).cloned().collect::<Vec<_>>().join("; ");
    match problems.len().checked_sub(SHOWN) {
        Some(more) if more > 0 => format!("{text}; and {} more", thousands(more as u64)),
        _ => text,
    }
}

/// The live overview while loading: asked at most every [`LIVE_EVERY_MS`] on the engine's progress
/// reports, and once more that long after a report that came sooner.
#[derive(Default)]
struct Live {
    /// When it was last asked for.
    asked: Cell<f64>,
    /// The last report said a load runs.
    loading: Cell<bool>,
    /// An ask waits for [`LIVE_EVERY_MS`] to pass.
    trailing: Cell<bool>,
}

impl Live {
    fn ask(&self, worker: &Worker, next_id: &Cell<u32>, dispatch: &UseReducerDispatcher<State>) {
        self.asked.set(now());
        let id = next_id.get();
        next_id.set(id + 1);
        if let Err(e) = post(worker, &ToWorker::Query { id, query: Box::new(Query::Overview) }, None) {
            dispatch.dispatch(Action::Failed(format!("Could not ask the engine: {e}")));
        }
    }
}

/// Records `performance.measure("trailscope:ingest")` from the drop to now.
pub fn measure_ingest() {
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        if perf.get_entries_by_name(START_MARK).length() == 0 {
            return;
        }
        let _ = perf.mark(END_MARK);
        let _ = perf.measure_with_start_mark_and_end_mark("trailscope:ingest", START_MARK, END_MARK);
        perf.clear_marks_with_mark_name(START_MARK);
        perf.clear_marks_with_mark_name(END_MARK);
    }
}

/// Saves text as a file through a temporary `blob:` link; nothing leaves the browser.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = Array::of1(&JsValue::from_str(text));
    let props = BlobPropertyBag::new();
    props.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &props).map_err(|e| format!("{e:?}"))?;
    save_blob(name, &blob)
}

/// Saves an export's file, which came next to its [`FromWorker::Download`], or says why not.
fn downloaded(name: &str, blob: Option<&Blob>, dispatch: &UseReducerDispatcher<State>) {
    let saved = blob.map_or_else(|| Err("the export arrived without its file".into()), |b| save_blob(name, b));
    if let Err(e) = saved {
        dispatch.dispatch(Action::Failed(format!("The download failed: {e}")));
    }
}

/// Saves a `Blob` as a file through a temporary `blob:` link.
pub fn save_blob(name: &str, blob: &Blob) -> Result<(), String> {
    let url = Url::create_object_url_with_blob(blob).map_err(|e| format!("{e:?}"))?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: HtmlAnchorElement = document.create_element("a").map_err(|e| format!("{e:?}"))?.unchecked_into();
    #[expect(clippy::disallowed_methods, reason = "our own blob: URL, made just above from the export's Blob")]
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoked later: revoking at once can cancel the download in some browsers.
    gloo::timers::callback::Timeout::new(60_000, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
