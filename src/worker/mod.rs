//! The engine's web worker: glue between `postMessage` and [`Engine`]. All logic is in the engine.
//!
//! Files arrive as `File` handles next to a [`ToWorker`] message and are read here in chunks with
//! `Blob.slice().arrayBuffer()`, so a 2 GB file never sits in memory; progress goes back at most
//! every [`PROGRESS_EVERY_MS`]. Between chunks the worker yields, so `Cancel` and queries are
//! answered while a load runs.
//!
//! Once the queue is empty (and loading reported done), the worker reads again the files the
//! integrity check needs hashed ([`Engine::integrity_to_hash`]: digests and the log files they list),
//! one at a time from their kept sources, so ingest itself never pays for SHA-256.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, DedicatedWorkerGlobalScope, File, MessageEvent};

use crate::analysis::detail::{cut_event, RangeReader};
use crate::engine::{Engine, EventDetail, Query, Response};
use crate::ingest::progress::Run;
use crate::integrity::hash::{Finished, Hasher, Sha, KEEP_BYTES};
use crate::integrity::{digest_named, HashOutcome, NotRead, StopCause};
use crate::protocol::{FromWorker, MemoryFull, Phase, Progress, Timings, ToWorker, TEST_PANIC_FRAGMENT};

mod export;
mod inflate;
mod pool;
mod search;
use crate::sample::SAMPLE_FILES;
use crate::store::FileId;
use pool::EngineReads;

/// Bytes read from a file at a time.
pub const CHUNK_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

/// Progress messages are sent at most this often while loading.
pub const PROGRESS_EVERY_MS: f64 = 200.0;

/// Files whose first slice is asked of the browser before the engine needs it, so that thousands of
/// small files do not each wait for a read while the engine sits idle (reads overlap with parsing).
pub const READ_AHEAD_FILES: usize = 64;

/// Small files next to each other in the queue are read together, as one `Blob` made of them and one
/// read, up to this many files...
pub const GROUP_FILES: usize = 32;

/// ... and this many bytes; a file over [`GROUP_FILE_BYTES`] is read on its own. Each read costs the
/// browser a round trip or two whatever its size (about 0.4 ms a file, measured in a trace of 5,744
/// small files), which grouping pays once per group.
pub const GROUP_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

/// Files larger than this are never grouped.
pub const GROUP_FILE_BYTES: f64 = 1024.0 * 1024.0;

/// Bytes asked for ahead at most (so read-ahead never holds more than this besides the engine).
pub const READ_AHEAD_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

/// The most the engine's memory may grow to while loading (see [`MemoryFull`]): WebAssembly's memory
/// tops out at 4 GB, and queries need room beyond the store (an event table sorted over 20 million
/// rows takes 80 MB more while it sorts). At about 150 bytes per event this holds some 20 million.
pub const MEMORY_LIMIT: u64 = 3 << 30;

/// The least limit set from a small device's memory (see `memory_limit`).
pub const MEMORY_LIMIT_FLOOR: u64 = 512 << 20;

/// The engine's memory limit here: [`MEMORY_LIMIT`], or half the device's memory where the browser
/// says it has less than twice that (`navigator.deviceMemory`, in GB, which Chromium gives), but not
/// under [`MEMORY_LIMIT_FLOOR`]. A tab that takes more than the machine has is stopped by the browser,
/// everything it loaded lost.
fn memory_limit() -> u64 {
    let device = Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"deviceMemory".into()))
        .ok()
        .and_then(|gb| gb.as_f64())
        .filter(|gb| gb.is_finite() && *gb > 0.0);
    match device {
        Some(gb) => ((gb * f64::from(1u32 << 30) / 2.0) as u64).clamp(MEMORY_LIMIT_FLOOR, MEMORY_LIMIT),
        None => MEMORY_LIMIT,
    }
}

/// What a file the engine was reading when its memory reached the limit says (see
/// [`crate::ingest::FileReader::stopped`]).
fn memory_reason(limit: u64) -> String {
    format!("the engine's memory reached its limit ({})", crate::text::bytes(limit))
}

/// Where a file's bytes are: kept for every file read, so the engine can read one again (an event's
/// original JSON, a hash for integrity checks) without the person dropping it again.
#[derive(Clone)]
pub(crate) enum Source {
    File(File),
    Bytes(&'static [u8]),
}

struct Job {
    /// Set when the file is handed to an ingest worker (see [`pool`]).
    id: u32,
    path: String,
    size: u64,
    source: Source,
    /// The first slice's read, once asked for ahead of time.
    first: Option<Ahead>,
    /// Hash it as it is read, for the integrity check: decided when it is handed out or started
    /// (see [`Worker::digests_pending`]).
    hash: bool,
    /// A part of a split file (see `Engine::split`): the file (as the engine's worker numbers it) and
    /// the bytes `start..end` where the lines to read start. `size` is then the part's length in the
    /// engine's worker, the whole file's in an ingest worker.
    part: Option<(FileId, u64, u64)>,
    /// Its place among the files the page posted to read (see [`FromWorker::NotRead`]).
    seq: Option<u64>,
}

impl Job {
    /// A whole file to read (numbered when handed out or started).
    fn new(path: String, size: u64, source: Source) -> Self {
        Job { id: 0, path, size, source, first: None, hash: false, part: None, seq: None }
    }
}

/// A read asked of the browser before the engine needs it.
#[derive(Clone)]
enum Ahead {
    /// The file's first slice (or the whole file).
    Slice(js_sys::Promise),
    /// The whole file, as bytes `offset..offset + len` of one read of several files together.
    Group { read: js_sys::Promise, offset: u32, len: u32 },
}

#[derive(Default)]
#[allow(clippy::struct_excessive_bools)] // independent flags, each set by its own message from the page
pub(crate) struct Worker {
    pub(crate) engine: Engine,
    /// By file id: where each file's bytes are.
    pub(crate) sources: Vec<Source>,
    queue: VecDeque<Job>,
    running: bool,
    cancel: bool,
    progress: Progress,
    last_progress: f64,
    /// This run of loading: when it started, and where the counters were then.
    run: Run,
    /// The ingest workers (see [`pool`]).
    pool: Option<pool::Pool>,
    /// The page said more files of this drop follow (see `ToWorker::Ingest`).
    more: bool,
    /// What this worker is reading: a big file (see [`pool::big`]) or not, and whether it cut it into
    /// parts. The ingest workers may take other big files meanwhile, as [`pool::poolable`] says.
    reading: EngineReads,
    /// The engine's memory limit ([`memory_limit`], set when the worker starts; 0 before).
    limit: u64,
    /// Whether files at a `CloudTrail-Digest` path given may not all be read yet.
    digests: GivenDigests,
    /// Files to read again to hash them, once the queue is empty.
    hashes: HashQueue,
    /// Why files to hash were not, after the last Cancel or stop (see [`Worker::record_hash`]).
    stop_why: StopCause,
    /// The page asked to hash the files stopped before ([`ToWorker::CheckAgain`]), once the queue
    /// loop has nothing else in flight; a Cancel or stop sent after it forgets it.
    recheck: bool,
    /// Files the page has posted to read, all drops so far (the next one's [`Job::seq`]).
    posted: u64,
    /// Of those, the ones a Cancel left unread, not told to the page yet ([`FromWorker::NotRead`]).
    cancelled_seqs: Vec<u64>,
}

/// Whether the digests given to the engine's worker are all read (see [`Worker::digests_pending`]).
#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum GivenDigests {
    #[default]
    AllRead,
    /// Some may not be read yet.
    Pending,
}

impl Worker {
    /// Hands queued files to the ingest workers that want more now, not only when the running queue
    /// loop next looks: it may be reading a large file itself. Without a running loop, nothing is
    /// queued for long (one that starts hands files out first); after a Cancel, the loop drops what
    /// is queued.
    fn hand_out_now(&mut self) {
        if self.memory_full() {
            return;
        }
        if !(self.running && !self.cancel && self.pool.is_some()) {
            return;
        }
        let pending = self.digests_pending();
        if let Some(pool) = self.pool.as_mut() {
            let engine = &self.engine;
            pool.hand_out(&mut self.queue, self.reading, &|path| engine.wants_hash(path, pending));
            if self.queue.is_empty() {
                pool.hand_out_hashes(&mut self.hashes.jobs);
            }
        }
    }

    /// Whether files at a `CloudTrail-Digest` path were given and are not all read yet: they may
    /// list any file. Files are hashed for the integrity check as they are read, here and by the
    /// ingest workers, rather than read again after the load (see `Engine::hash_while_reading`), when
    /// the check will want them hashed, decided as each is handed out or started
    /// ([`Engine::wants_hash`]): while digests are pending, every file is. The page posts digests
    /// ahead of the logs beside them (see `ui::bridge`), so few logs are read before they are. So a
    /// drop without digests hashes nothing, unless digests dropped earlier list its files; a file
    /// only a digest dropped later lists is read again after the load.
    fn digests_pending(&mut self) -> bool {
        if self.digests == GivenDigests::Pending {
            let given = |job: &Job| digest_named(&job.path);
            let unread = self.queue.iter().any(given)
                || self.pool.as_ref().is_some_and(|p| p.inflight_any(given))
                || self.engine.reading_digest();
            if !unread {
                self.digests = GivenDigests::AllRead;
            }
        }
        self.digests == GivenDigests::Pending
    }

    /// The page's [`ToWorker::Cancel`]: [`Worker::cancel_load`], answered by a report counting it.
    fn cancel(&mut self) {
        self.progress.cancels += 1;
        self.progress.files_cancelled = 0;
        let loading = self.running && self.progress.phase != Phase::Done;
        self.cancel_load();
        if !loading && !is_ingest_worker() {
            // Nothing is being loaded: the page cancelled a drop before handing this worker any of
            // it. Said at once, as no end of loading will say it.
            self.progress.cancelled = true;
            send_progress(self, true);
        }
    }

    /// Stop after the current slice; keep what was read (a Cancel, or a stop of the check).
    fn cancel_load(&mut self) {
        self.more = false;
        wake();
        if self.running {
            (self.cancel, self.recheck) = (true, false);
            self.stop_why =
                if self.progress.phase == Phase::Done { StopCause::CheckStopped } else { StopCause::LoadCancelled };
            if let Some(pool) = &self.pool {
                pool.cancel();
            }
        }
        // In an ingest worker, the engine's worker asks.
        pool::on_cancel();
    }

    /// [`ToWorker::Ingest`]: queues the files (`File`s, with their `paths`) and hands them out.
    fn take_files(&mut self, paths: Vec<String>, files: &Array, more: bool) {
        self.more = more;
        wake();
        if paths.iter().any(|p| digest_named(p)) {
            self.digests = GivenDigests::Pending;
        }
        let first = self.posted;
        self.posted += paths.len() as u64;
        for (i, path) in paths.into_iter().enumerate() {
            let Ok(file) = files.get(i as u32).dyn_into::<File>() else { continue };
            let size = file.size() as u64;
            let seq = Some(first + i as u64);
            self.queue.push_back(Job { seq, ..Job::new(path, size, Source::File(file)) });
            self.progress.files_total += 1;
            self.progress.bytes_total += size;
        }
        self.hand_out_now();
    }

    /// [`ToWorker::StopCheck`]: once loading is over, stop hashing files for the integrity check: a
    /// Cancel then ([`next_step`] tells the two apart by the phase).
    fn stop_check(&mut self) {
        if self.running && self.progress.phase == Phase::Done && self.queue.is_empty() {
            self.cancel_load();
        }
    }

    /// [`ToWorker::CheckAgain`]: hash the files not hashed because loading was cancelled or checking
    /// stopped first. The queue loop (started if it is not running) does so once nothing else is to
    /// be read or hashed ([`Worker::recheck`]): an ingest worker may still hold files a stop has not
    /// come back from, which it will give back as not hashed.
    fn check_again(&mut self) {
        self.recheck = true;
        if self.running {
            wake();
        } else {
            (self.running, self.cancel) = (true, false);
            spawn_local(run_queue());
        }
    }

    /// Records a file's hash; one stopped says why: after a Cancel while loading, or a stop of the
    /// check ([`Worker::stop_why`]), which only this worker knows.
    pub(crate) fn record_hash(&mut self, file: FileId, outcome: HashOutcome) {
        let outcome = match outcome {
            HashOutcome::Stopped(_) => HashOutcome::Stopped(self.stop_why),
            outcome => outcome,
        };
        self.engine.set_integrity_hash(file, outcome);
    }

    /// Records the hash of a file read again (see [`HashQueue`]), which counts as read again unless
    /// it was stopped before its end.
    pub(crate) fn record_rehash(&mut self, file: FileId, outcome: HashOutcome) {
        if !matches!(outcome, HashOutcome::Stopped(_)) {
            self.engine.read_again(1);
        }
        self.record_hash(file, outcome);
    }

    /// Whether the engine's memory is at its limit (see [`MemoryFull`]): checked before each file is
    /// started or handed out, and between slices of a file this worker reads. The first time, the
    /// progress says so; it stays so (WebAssembly's memory never shrinks).
    fn memory_full(&mut self) -> bool {
        if self.progress.memory_full.is_none() && self.over_limit() {
            let limit = self.limit();
            self.progress.memory_full = Some(MemoryFull { limit_bytes: limit, ..MemoryFull::default() });
            if let Some(pool) = &self.pool {
                pool.stop_parts(&memory_reason(limit));
            }
        }
        self.progress.memory_full.is_some()
    }

    fn limit(&self) -> u64 {
        if self.limit == 0 {
            MEMORY_LIMIT
        } else {
            self.limit
        }
    }

    fn over_limit(&self) -> bool {
        self.progress.memory_full.is_some() || heap_bytes() >= self.limit()
    }

    /// Takes every queued file out unread (Cancel, or the memory is full): see [`Worker::unread`].
    fn drop_queue(&mut self) {
        let jobs: Vec<Job> = self.queue.drain(..).collect();
        for job in &jobs {
            self.unread(job);
        }
    }

    /// A file given and not read (queued, or handed back by an ingest worker that had not started
    /// it) leaves the totals; at the memory limit it counts in [`MemoryFull`] and the engine's
    /// summary, while after a Cancel it is simply not loaded.
    fn unread(&mut self, job: &Job) {
        if let Some((file, start, end)) = job.part {
            // A part of a file partly read: the file says which bytes were not.
            self.progress.bytes_total -= end - start;
            let why = match &self.progress.memory_full {
                Some(full) => memory_reason(full.limit_bytes),
                None => "loading was cancelled".to_owned(),
            };
            self.engine.part_unread(file, start, &why);
            return;
        }
        self.progress.files_total -= 1;
        self.progress.bytes_total -= job.size;
        if self.progress.memory_full.is_none() {
            self.progress.files_cancelled += 1;
            self.cancelled_seqs.extend(job.seq);
        }
        let why = if self.progress.memory_full.is_some() { NotRead::MemoryFull } else { NotRead::Cancelled };
        self.engine.not_read(&job.path, why, Some(job.size));
        let Some(full) = self.progress.memory_full.as_mut() else { return };
        self.engine.left_unread(&job.path, job.size, &memory_reason(full.limit_bytes));
        // The engine counts them (its summary says so); the progress tells the page.
        if let Some(u) = self.engine.unread() {
            (full.files_not_read, full.bytes_not_read) = (u.files, u.bytes);
            if full.first_not_read.is_none() {
                full.first_not_read.clone_from(&u.first);
            }
        }
    }
}

thread_local! {
    pub(crate) static WORKER: Rc<RefCell<Worker>> = Rc::new(RefCell::new(Worker::default()));
    /// Resolves the promise the queue loop waits on when it has nothing to read (see [`news`]).
    static NEWS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    /// Whether a report [`send_progress`] held back is due (a timer runs [`progress_later`]).
    static PROGRESS_DUE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// [`progress_later`], as the timer calls it (made once).
    static PROGRESS_LATER: Closure<dyn FnMut()> = Closure::new(progress_later);
}

/// Sends the report [`send_progress`] held back (unless one went since, which holds it back again).
fn progress_later() {
    PROGRESS_DUE.with(|due| due.set(false));
    WORKER.with(|w| {
        if let Ok(mut w) = w.try_borrow_mut() {
            send_progress(&mut w, false);
        }
    });
}

/// Wakes the queue loop if it waits for news: files arrived, an ingest worker sent a batch, asked
/// for more files or was lost.
pub(crate) fn wake() {
    if let Some(f) = NEWS.with(|n| n.borrow_mut().take()) {
        let _ = f.call0(&JsValue::NULL);
    }
}

/// Waits until [`wake`].
async fn news() {
    let promise = js_sys::Promise::new(&mut |resolve, _| NEWS.with(|n| *n.borrow_mut() = Some(resolve)));
    let _ = JsFuture::from(promise).await;
}

/// Whether this worker is one of the engine's ingest workers (see [`pool`]), not the engine's own.
fn is_ingest_worker() -> bool {
    scope().name() == pool::INGEST_NAME
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

pub(crate) fn post(msg: &FromWorker) {
    post_with(msg, None);
}

/// What every message between the page and the workers looks like: `{msg, ...extra}`, the typed
/// message and, next to it, what serde cannot carry (`File`s, a `Blob`, an `ArrayBuffer`).
pub(crate) fn envelope(msg: &impl serde::Serialize, extra: &[(&str, &JsValue)]) -> Result<js_sys::Object, String> {
    let envelope = js_sys::Object::new();
    let value = serde_wasm_bindgen::to_value(msg).map_err(|e| format!("cannot encode a message: {e}"))?;
    Reflect::set(&envelope, &"msg".into(), &value).map_err(|e| format!("{e:?}"))?;
    for (key, v) in extra {
        Reflect::set(&envelope, &(*key).into(), v).map_err(|e| format!("{e:?}"))?;
    }
    Ok(envelope)
}

/// Posts `{msg, blob?}`: the typed message, and a `Blob` next to it for downloads.
pub(crate) fn post_with(msg: &FromWorker, blob: Option<&web_sys::Blob>) {
    let extra: Vec<(&str, &JsValue)> = blob.map(|b| ("blob", b.as_ref())).into_iter().collect();
    match envelope(msg, &extra) {
        Ok(envelope) => {
            let _ = scope().post_message(&envelope);
        }
        Err(e) => web_sys::console::error_1(&format!("trailscope worker: {e}").into()),
    }
}

fn heap_bytes() -> u64 {
    let memory = wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>();
    u64::from(memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length())
}

/// Milliseconds, from the worker's high-resolution clock.
fn now() -> f64 {
    scope().performance().map_or_else(js_sys::Date::now, |p| p.now())
}

/// Starts the worker: installs the message handler.
pub fn start() {
    set_panic_hook();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| on_message(&e.data()));
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    let ingest = is_ingest_worker();
    if !ingest {
        // The engine's worker: start the ingest workers now, while the site's files load anyway.
        let n = pool::wanted_workers();
        if n > 0 {
            WORKER.with(|w| w.borrow_mut().pool = pool::Pool::start(n));
        }
        WORKER.with(|w| w.borrow_mut().limit = memory_limit());
    }
    warm_up(ingest);
    post(&FromWorker::Ready);
}

/// Times an ingest worker reads the bundled sample (about 1,000 events, 1 MB of JSON) when it starts;
/// the engine's worker, which mostly adds batches, reads it half as often.
const WARM_UP_ROUNDS: usize = 4;

/// How often the engine's worker adds the sample's batch to a throwaway engine when it starts...
/// The browser compiles a function again, optimised, once it has run a certain amount of that
/// function's code, so a large function called only a few times a second during a load waits long
/// for it: [`Engine::query`], the largest function of the worker's wasm, answers the page's overview
/// every 500 ms. With 2 batches and 2 overviews it was compiled during the load, not before.
const WARM_UP_ABSORBS: usize = 16;

/// ... and how many overviews (and progress reports) it answers after each.
const WARM_UP_OVERVIEWS: usize = 4;

/// Messages between the workers encoded and decoded when a worker starts (see [`warm_messages`]).
const WARM_UP_MESSAGES: usize = 64;

/// Reads the bundled sample into a throwaway engine a few times, batch included, before a worker
/// says it is ready (while the page waits for a drop). The browser first runs WebAssembly
/// compiled quickly, and compiles the functions that turn out to be hot again, optimised, on other
/// threads. Without this that happened during the user's first load: a trace of a 300,000-event load
/// showed 1.2 s of compiling competing with the ingest workers for the cores, and parsing ran
/// unoptimised until it was done. The sample is already in the worker, so this reads nothing.
/// The engine's worker then adds the batch to throwaway engines and answers the overviews and
/// progress reports that a load brings, as messages; both kinds of worker encode and decode the
/// messages that go between them.
fn warm_up(ingest: bool) {
    let rounds = if ingest { WARM_UP_ROUNDS } else { WARM_UP_ROUNDS / 2 };
    let mut batch = Vec::new();
    for _ in 0..rounds {
        let mut engine = Engine::for_batches();
        for (path, bytes) in SAMPLE_FILES {
            engine.ingest_bytes(path, bytes);
        }
        batch = engine.take_batch();
    }
    for _ in 0..WARM_UP_MESSAGES {
        warm_messages();
    }
    if ingest {
        return;
    }
    for _ in 0..WARM_UP_ABSORBS {
        let mut whole = Engine::new();
        // The sample is ours and reads cleanly; a failure would only mean less warming.
        let _ = whole.absorb_batch(&batch);
        for id in 0..WARM_UP_OVERVIEWS {
            let answer = crate::protocol::answer(id as u32, Box::new(whole.query(&Query::Overview)));
            let progress = Progress { status: whole.status(), ..Progress::default() };
            for msg in [answer, FromWorker::Progress(Box::new(progress))] {
                drop(envelope(&msg, &[]));
            }
        }
    }
}

/// Encodes and decodes, without posting them, the messages a load sends between the engine's worker
/// and the ingest workers (files handed out, a batch sent back), as [`warm_up`] does the parsing.
fn warm_messages() {
    let jobs: Vec<u32> = (0..pool::HAND_FILES as u32).collect();
    let parse =
        ToWorker::Parse { jobs: jobs.iter().map(|&id| (id, format!("AWSLogs/{id}.json.gz"), false, None)).collect() };
    let batch = FromWorker::Batch { jobs, dropped: Vec::new(), heap_bytes: 0, read_ms: 0, ingest_ms: 0 };
    let msg = |e: js_sys::Object| Reflect::get(&e, &"msg".into()).unwrap_or(JsValue::UNDEFINED);
    if let Ok(e) = envelope(&parse, &[]) {
        drop(serde_wasm_bindgen::from_value::<ToWorker>(msg(e)));
    }
    if let Ok(e) = envelope(&batch, &[]) {
        drop(serde_wasm_bindgen::from_value::<FromWorker>(msg(e)));
    }
}

/// A panic leaves the engine's state half-changed and the wasm instance trapped, so the worker cannot
/// go on: the hook logs it (as `console_error_panic_hook` does) and tells the page, which keeps what it
/// shows and offers a restart that reads the same files again.
fn set_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&FromWorker::Crashed { message: info.to_string() });
    }));
}

/// Answers a query (other than an event's detail, which reads its file).
fn answer(id: u32, query: &Query) {
    let (response, memory) = WORKER.with(|w| {
        let mut w = w.borrow_mut();
        // While loading, the page shows the counts of the last report beside the views it asks for,
        // and a view answered from a later state ran ahead of them (the overview said 158,002
        // events, the status bar 124,421). A report goes first when the counts have moved since.
        if w.running && w.engine.status() != w.progress.status {
            send_progress(&mut w, true);
        }
        let t = now();
        let response = Box::new(w.engine.query(query));
        if w.running {
            w.run.query_ms += now() - t;
        }
        // Loading reports memory with its progress; idle, a query that built an index (the
        // timeline's) would otherwise leave "in use" short of the truth.
        let heap = heap_bytes();
        let grew = !w.running && heap != w.progress.heap_bytes;
        if grew {
            w.progress.heap_bytes = heap;
        }
        (response, grew.then_some(heap))
    });
    post(&crate::protocol::answer(id, response));
    if let Some(heap_bytes) = memory {
        post(&FromWorker::Memory { heap_bytes });
    }
}

fn on_message(data: &JsValue) {
    let msg = Reflect::get(data, &"msg".into()).unwrap_or(JsValue::UNDEFINED);
    let msg: ToWorker = match serde_wasm_bindgen::from_value(msg) {
        Ok(m) => m,
        Err(e) => {
            post(&FromWorker::Failed { message: format!("the worker got a message it does not understand: {e}") });
            return;
        }
    };
    WORKER.with(|w| {
        let mut w = w.borrow_mut();
        match msg {
            ToWorker::Ingest { paths, more } => {
                let files: Array = Reflect::get(data, &"files".into()).map(JsCast::unchecked_into).unwrap_or_default();
                w.take_files(paths, &files, more);
            }
            ToWorker::Unread { paths, folders } => {
                for path in &paths {
                    w.engine.not_read(path, NotRead::Cancelled, None);
                }
                for folder in &folders {
                    w.engine.not_listed(folder);
                }
                w.progress.noted_unread += paths.len() as u64;
                // The integrity check changed: the page asks again on the report.
                send_progress(&mut w, false);
            }
            ToWorker::LoadSample => {
                // The page posts the sample after the files dropped with it.
                w.more = false;
                wake();
                for (path, bytes) in SAMPLE_FILES {
                    w.queue.push_back(Job::new(format!("sample/{path}"), bytes.len() as u64, Source::Bytes(bytes)));
                    w.progress.files_total += 1;
                    w.progress.bytes_total += bytes.len() as u64;
                }
            }
            ToWorker::TestMemoryLimit { above } => w.limit = heap_bytes() + above,
            ToWorker::StopParts { why } => pool::on_stop_parts(why),
            ToWorker::TestPanic if is_ingest_worker() => pool::arm_test_panic(),
            ToWorker::TestPanic => panic!("a test asked the engine to panic ({TEST_PANIC_FRAGMENT})"),
            ToWorker::TestIngestPanic => {
                if let Some(pool) = w.pool.as_mut() {
                    pool.test_panic = true;
                }
            }
            ToWorker::Cancel => w.cancel(),
            ToWorker::StopCheck => w.stop_check(),
            ToWorker::CheckAgain => w.check_again(),
            msg @ (ToWorker::Parse { .. } | ToWorker::HashFiles { .. }) => {
                let files: Array = Reflect::get(data, &"files".into()).map(JsCast::unchecked_into).unwrap_or_default();
                drop(w);
                pool::on_files(msg, &files);
                return;
            }
            ToWorker::Export { format, filter } => {
                drop(w);
                spawn_local(export::export(format, *filter));
                return;
            }
            ToWorker::SearchJson { text } => {
                drop(w);
                search::start(text);
                return;
            }
            ToWorker::Query { id, query } => {
                if let Query::Event { row } = *query {
                    let detail = w.engine.event_detail(row);
                    let source = detail.as_ref().and_then(|d| w.sources.get(d.locator.file as usize).cloned());
                    drop(w);
                    spawn_local(answer_event(id, detail, source));
                    return;
                }
                drop(w);
                answer(id, &query);
                return;
            }
            ToWorker::Inflate => {
                let files: Array = Reflect::get(data, &"files".into()).map(JsCast::unchecked_into).unwrap_or_default();
                let files = files.iter().filter_map(|f| f.dyn_into::<File>().ok()).collect();
                drop(w);
                spawn_local(inflate::inflate(files));
                return;
            }
        }
        if !w.running && !w.queue.is_empty() {
            w.running = true;
            w.cancel = false;
            w.progress.cancelled = false;
            w.progress.phase = Phase::Loading;
            let status = w.engine.status();
            w.run = Run::start(now(), status.bytes_read, status.events);
            drop(w);
            spawn_local(run_queue());
        }
    });
}

fn send_progress(w: &mut Worker, force: bool) {
    let t = now();
    if !force && t - w.last_progress < PROGRESS_EVERY_MS {
        // Sent when the interval is up, unless another goes first: a read that takes long (a slow
        // disk, a big file's next slice) would otherwise leave the page showing the counts of
        // up to an interval before it.
        if !PROGRESS_DUE.with(|due| due.replace(true)) {
            let wait = (w.last_progress + PROGRESS_EVERY_MS - t).ceil().max(1.0) as i32;
            PROGRESS_LATER.with(|f| {
                let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(f.as_ref().unchecked_ref(), wait);
            });
        }
        return;
    }
    w.last_progress = t;
    // Before the report that counts them.
    if !w.cancelled_seqs.is_empty() {
        post(&FromWorker::NotRead { seqs: std::mem::take(&mut w.cancelled_seqs) });
    }
    w.progress.status = w.engine.status();
    w.progress.heap_bytes = heap_bytes();
    let outstanding = w.hashes_outstanding() as u64;
    let p = &mut w.progress;
    let m = w.run.measure(t, p.status.bytes_read, p.bytes_total, p.status.events);
    p.elapsed_ms = m.elapsed_ms;
    p.rate_bytes_per_s = m.rate_bytes_per_s;
    p.rate_events_per_s = m.rate_events_per_s;
    p.eta_ms = if p.phase == Phase::Loading { m.eta_ms } else { None };
    p.workers = w.pool.as_ref().map_or(0, |pool| pool.alive() as u32);
    p.readers = w.pool.as_ref().map_or(0, |pool| pool.ready() as u32);
    p.workers_heap_bytes = w.pool.as_ref().map_or(0, pool::Pool::heap_bytes);
    p.checking = if w.running && p.phase == Phase::Done { outstanding } else { 0 };
    let r = &w.run;
    p.timings = Timings {
        read_ms: r.read_ms as u64,
        ingest_ms: r.ingest_ms as u64,
        query_ms: r.query_ms as u64,
        files: r.files,
        reads: r.reads,
        absorb_ms: r.absorb_ms as u64,
        workers_read_ms: r.workers_read_ms as u64,
        workers_ingest_ms: r.workers_ingest_ms as u64,
        workers_hashed: r.workers_hashed,
        split: r.split,
        parts_here: r.parts_here,
    };
    post(&FromWorker::Progress(Box::new(w.progress.clone())));
}

/// What the queue loop does next.
enum Next {
    /// Read a queued file.
    Ingest(Job),
    /// Wait for the ingest workers (see [`pool`]).
    Wait,
    /// Hash a file read earlier, for the integrity check (its `id` is the file's).
    Hash(Job),
    /// Nothing left.
    Finish,
}

/// Files to hash for the integrity check that were not hashed as they were read (read before the
/// digest that lists them, or not to their end; see [`Worker::digests_pending`]), asked of the engine
/// once the queue is empty. They are read again as files to load are, small neighbours together and
/// asked for ahead (see [`read_ahead`]): read one after the other, the 6,299 files of a 300,000-event
/// folder with its digests took 11.1–13.2 s to check after the load, 7.2–9.5 s so (README,
/// "Checking log integrity"). The ingest workers take them, as they take files to load
/// ([`pool::Pool::hand_out_hashes`]); the engine's worker reads only those they cannot take (the
/// sample), or all of them when there are no ingest workers.
#[derive(Default)]
struct HashQueue {
    jobs: VecDeque<Job>,
    fetched: bool,
}

impl Worker {
    /// Queues the files the engine wants hashed now (and no ingest worker is hashing), from their
    /// kept sources; one whose bytes were not kept is not read, and says why.
    fn fetch_hashes(&mut self) {
        for id in self.to_hash_unheld() {
            match self.sources.get(id as usize).cloned() {
                Some(source) => {
                    let size = match &source {
                        Source::File(f) => f.size() as u64,
                        Source::Bytes(b) => b.len() as u64,
                    };
                    self.hashes.jobs.push_back(Job { id, ..Job::new(String::new(), size, source) });
                }
                None => self.engine.set_integrity_hash(id, HashOutcome::Unread("its bytes were not kept".into())),
            }
        }
        self.hashes.fetched = true;
    }

    /// Files to hash an ingest worker was lost with: back to the front of the queue of files to
    /// hash, unless that is to be fetched anew (which finds them).
    fn hashes_back(&mut self, jobs: Vec<Job>) {
        if self.hashes.fetched {
            for job in jobs.into_iter().rev() {
                self.hashes.jobs.push_front(job);
            }
        }
    }

    /// Files to hash not back yet: queued, or handed to an ingest worker.
    pub(crate) fn hashes_outstanding(&self) -> usize {
        self.hashes.jobs.len() + self.pool.as_ref().map_or(0, pool::Pool::hashing_count)
    }

    /// The files the engine wants hashed now that no ingest worker is hashing (one that is gives its
    /// outcome when it is back).
    fn to_hash_unheld(&self) -> Vec<FileId> {
        let held = |id: &FileId| self.pool.as_ref().is_some_and(|p| p.hashing(*id));
        self.engine.integrity_to_hash().into_iter().filter(|id| !held(id)).collect()
    }
}

/// Picks the next step; tells the page when loading is over (before any hashing starts).
fn next_step(w: &mut Worker) -> Next {
    if w.cancel {
        w.cancel = false;
        // A Cancel while loading; once loading is over, a stop of the check (see `stop_check`).
        if w.progress.phase != Phase::Done {
            w.progress.cancelled = true;
        }
        w.drop_queue();
        // Files not hashed yet stay unchecked, and say why, until the check is asked again; those
        // an ingest worker holds say so as it gives them back.
        let rest: Vec<FileId> =
            if w.hashes.fetched { w.hashes.jobs.drain(..).map(|j| j.id).collect() } else { w.to_hash_unheld() };
        for id in rest {
            w.record_hash(id, HashOutcome::Stopped(w.stop_why));
        }
        w.hashes.fetched = true;
    }
    if w.memory_full() {
        w.drop_queue();
    }
    let mut waiting = false;
    let pending = w.digests_pending();
    if let Some(pool) = w.pool.as_mut() {
        let engine = &w.engine;
        pool.hand_out(&mut w.queue, EngineReads::NoBig, &|path| engine.wants_hash(path, pending));
        // While the ingest workers start, the engine reads itself; then the files they do not take,
        // the first of them wherever it is in the queue: behind files the ingest workers will take
        // (a split file's parts, say), it would keep the engine's worker idle meanwhile.
        let own = if pool.ready() == 0 {
            (!w.queue.is_empty()).then_some(0)
        } else {
            w.queue.iter().position(|j| !pool::poolable(j, EngineReads::NoBig))
        };
        if let Some(job) = own.filter(|&at| at > 0).and_then(|at| w.queue.remove(at)) {
            w.queue.push_front(job);
        }
        waiting = own.is_none() && (pool.busy() || !w.queue.is_empty());
        if pool.alive() == 0 {
            waiting = false;
        }
    }
    // The page is still posting this drop's files: wait for them rather than end the run.
    waiting |= w.queue.is_empty() && w.more;
    if waiting {
        w.progress.phase = Phase::Loading;
        w.hashes = HashQueue::default();
        return Next::Wait;
    }
    if let Some(job) = w.queue.pop_front() {
        // With ingest workers taking files, the engine's worker reads only those they cannot take
        // (see [`pool::Pool::hand_out`]): reads asked ahead would mostly be of files they take.
        if w.pool.as_ref().is_none_or(|p| p.ready() == 0) {
            read_ahead(&mut w.queue);
        }
        w.progress.phase = Phase::Loading;
        // New files can list or be listed: ask again once the queue is empty.
        w.hashes = HashQueue::default();
        return Next::Ingest(job);
    }
    if w.progress.phase != Phase::Done {
        w.progress.phase = Phase::Done;
        w.progress.current = None;
        send_progress(w, true);
    }
    let fetched_now = !w.hashes.fetched;
    if fetched_now {
        w.fetch_hashes();
    }
    let mut hashing = false;
    if let Some(pool) = w.pool.as_mut() {
        pool.hand_out_hashes(&mut w.hashes.jobs);
        hashing = pool.hashing_count() > 0;
    }
    // The page says the check is under way (`Progress::checking`) from the start.
    if fetched_now && w.hashes_outstanding() > 0 {
        send_progress(w, true);
    }
    // With ingest workers to take them, the engine's worker hashes only what they cannot (the sample).
    let pooled = w.pool.as_ref().is_some_and(|p| p.ready() > 0);
    if !pooled || w.hashes.jobs.front().is_some_and(|j| matches!(j.source, Source::Bytes(_))) {
        if let Some(job) = w.hashes.jobs.pop_front() {
            read_ahead(&mut w.hashes.jobs);
            return Next::Hash(job);
        }
    }
    if hashing || (pooled && !w.hashes.jobs.is_empty()) {
        return Next::Wait;
    }
    // Nothing in flight: the files stopped before can be asked again.
    if std::mem::take(&mut w.recheck) && w.engine.check_again() > 0 {
        w.hashes = HashQueue::default();
        return next_step(w);
    }
    w.running = false;
    send_progress(w, true);
    Next::Finish
}

async fn run_queue() {
    let worker = WORKER.with(Rc::clone);
    // Digests the browser is taking of files this worker read with hashing on, not yet recorded.
    let mut digests = Digests::default();
    loop {
        // Recorded before the queue loop may look for files still to hash (its queue empty), and
        // every so often, so few contents wait.
        if digests.len() >= DIGESTS_AHEAD || worker.borrow().queue.is_empty() {
            let done = digests.wait().await;
            let mut w = worker.borrow_mut();
            for (file, outcome) in done {
                w.engine.set_integrity_hash(file, outcome);
            }
        }
        let next = next_step(&mut worker.borrow_mut());
        let (first, job) = match next {
            Next::Ingest(mut job) => (job.first.take(), job),
            Next::Wait => {
                news().await;
                continue;
            }
            Next::Finish => return,
            Next::Hash(job) => {
                let outcome = hash_source(job.source, job.first, || worker.borrow().cancel).await;
                let mut w = worker.borrow_mut();
                w.record_rehash(job.id, outcome);
                let last = w.hashes_outstanding() == 0;
                send_progress(&mut w, last);
                continue;
            }
        };
        let Some(id) = start_job(&mut worker.borrow_mut(), &job) else { continue };
        match &job.source {
            Source::Bytes(bytes) => {
                let mut w = worker.borrow_mut();
                let t = now();
                w.engine.push(id, bytes);
                w.run.ingest_ms += now() - t;
            }
            Source::File(file) => {
                // Bytes given to the engine so far, to know when to try cutting the file.
                let fed = Cell::new(0u64);
                let read = read_file(
                    file,
                    first,
                    pool::bytes_to_read(&job, file.size() as u64),
                    // The memory limit cuts a file only after a slice of it, so a file started just as
                    // the memory filled is not listed with nothing read. A part (or the start of a
                    // file cut into parts) ends once it has its lines.
                    |sliced| {
                        let w = worker.borrow();
                        w.cancel || (sliced && w.over_limit()) || w.engine.part_read(id)
                    },
                    |bytes, _| {
                        let mut w = worker.borrow_mut();
                        let t = now();
                        w.engine.push(id, bytes);
                        w.run.ingest_ms += now() - t;
                        let before = fed.replace(fed.get() + bytes.len() as u64);
                        if job.part.is_none() && before < SPLIT_AFTER && fed.get() >= SPLIT_AFTER {
                            split_file(&mut w, &job, id, fed.get());
                        }
                        send_progress(&mut w, false);
                    },
                )
                .await;
                let mut w = worker.borrow_mut();
                match read {
                    Ok(mut stats) => {
                        w.run.read_ms += stats.read_ms;
                        w.run.reads += stats.reads;
                        stats.stopped &= !w.engine.part_read(id);
                        if stats.stopped && w.cancel {
                            w.engine.read_cancelled(id);
                        } else if stats.stopped {
                            let why = memory_reason(w.limit());
                            w.engine.read_stopped(id, &why);
                        }
                    }
                    Err(why) => w.engine.read_failed(id, &why),
                }
            }
        }
        let mut w = worker.borrow_mut();
        w.reading = EngineReads::NoBig;
        let t = now();
        w.engine.close_file(id);
        digests.start(&mut w.engine);
        w.run.ingest_ms += now() - t;
        w.run.files += u64::from(job.part.is_none());
        send_progress(&mut w, false);
    }
}

/// Opens the file (or part) `job` in the engine, to be read by the engine's worker: answers its
/// number, or `None` for a part no longer to be read.
fn start_job(w: &mut Worker, job: &Job) -> Option<FileId> {
    w.progress.current = Some(job.path.clone());
    send_progress(w, false);
    if let Some((file, start, _)) = job.part {
        // A part of a split file that no ingest worker took (one was lost before it began).
        let opened = w.engine.open_part(file, start).map(|_| file);
        w.run.parts_here += u64::from(opened.is_some());
        return opened;
    }
    let pending = w.digests_pending();
    let hash = w.engine.wants_hash(&job.path, pending);
    w.engine.hash_while_reading(hash);
    let id = w.engine.open_file(&job.path, job.size);
    debug_assert_eq!(id as usize, w.sources.len());
    w.sources.push(job.source.clone());
    // Other big files that cannot be cut may go to the ingest workers now, rather than wait for
    // this one; the rest wait until it is cut, or found not to be (see `split_file`).
    if matches!(job.source, Source::File(_)) && pool::big(job) {
        w.reading = EngineReads::BigStart;
        w.hand_out_now();
    }
    Some(id)
}

/// Bytes of a big plain file the engine's worker reads before it tries to cut the rest into parts for
/// the ingest workers (see [`split_file`]): enough lines to tell one event per line from other shapes.
const SPLIT_AFTER: u64 = 1 << 20;

/// Cuts the big file the engine's worker is reading (`job`, file `id`, `fed` bytes given to the
/// engine so far) into parts for the ingest workers, when it is plain text of one event per line
/// (see `Engine::split`) and there are ingest workers to read them: one 457 MB JSON-lines export
/// used one core before. The engine's worker reads on only through the slices it has asked for
/// already (see [`SLICES_AHEAD`]), then absorbs the ingest workers' batches; the parts go to the
/// front of the queue, to be handed out next, a part at a time.
fn split_file(w: &mut Worker, job: &Job, id: FileId, fed: u64) {
    let pooled = w.pool.as_ref().is_some_and(|p| p.ready() > 0);
    if !pooled || w.cancel || w.over_limit() || !matches!(job.source, Source::File(_)) || !pool::big(job) {
        return;
    }
    let keep_to = fed + SLICES_AHEAD as u64 * CHUNK_BYTES as u64;
    let parts = w.engine.split(id, keep_to, pool::PART_BYTES);
    for &(start, end) in parts.iter().rev() {
        let part = Job::new(job.path.clone(), end - start, job.source.clone());
        w.queue.push_front(Job { part: Some((id, start, end)), ..part });
    }
    if parts.is_empty() {
        // Read whole here: the big files that waited for this worker to cut them may go now.
        w.reading = EngineReads::BigWhole;
    } else {
        w.run.split += 1;
    }
    w.hand_out_now();
}

/// Most digests asked of the browser and not yet recorded (see [`Digests`]).
const DIGESTS_AHEAD: usize = 32;

/// Digests the browser is taking, for the integrity check, of the content of files an engine hashed
/// as it read them (see `Engine::take_kept`), by the engine's file number. The browser copies the
/// content when asked, so it is freed at once; the engine records the outcomes once [`Digests::wait`]
/// gives them. Where the browser has no SHA-256, the engine hashes the content itself, at once.
#[derive(Default)]
pub(crate) struct Digests(Vec<(FileId, u64, js_sys::Promise)>);

impl Digests {
    /// Asks the browser for the digest of each content the engine kept.
    pub(crate) fn start(&mut self, engine: &mut Engine) {
        for (file, content) in engine.take_kept() {
            if let Some(promise) = ask_sha256(&content) {
                self.0.push((file, content.len() as u64, handled(promise)));
            } else {
                engine.set_integrity_hash(file, HashOutcome::of_content(&content));
            }
        }
    }

    /// Digests asked for and not yet given.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Waits for every digest asked for. One the browser refused is left out: its file is read
    /// again after the load, as when hashing is off.
    pub(crate) async fn wait(&mut self) -> Vec<(FileId, HashOutcome)> {
        let mut done = Vec::with_capacity(self.0.len());
        for (file, bytes, promise) in std::mem::take(&mut self.0) {
            if let Some(sha256) = sha256_of(promise).await {
                done.push((file, HashOutcome::Hashed { sha256, bytes }));
            }
        }
        done
    }
}

/// Slices of a file asked for ahead while one is fed (see `read_file`): the browser reads a 4 MB slice
/// of a file on disk in about as long as the engine parses one of JSON lines, and two ahead waited less
/// than one (0.74–0.86 s against 0.93–1.04 s for the benchmark's JSON-lines file, six loads each).
const SLICES_AHEAD: usize = 2;

/// What reading one file cost.
struct ReadStats {
    reads: u64,
    read_ms: f64,
    /// `stop` said so before the end of the file.
    stopped: bool,
}

/// Reads the bytes `span` says of `file` (all of it, or a part of a split file) in [`CHUNK_BYTES`]
/// slices (the first may have been asked for ahead, `first`), giving
/// each to `feed` in pieces of at most [`FEED_BYTES`], with whether the piece ends the file, until
/// the end or until `stop` says so; `stop` is told whether a slice has been read yet. The next
/// [`SLICES_AHEAD`] slices (below `span.ahead_to`) are asked for before one is fed, so the browser
/// reads them while the engine parses: a 457 MB JSON-lines file waited 1.6–1.9 s of its 4.6–5.2 s
/// load for slices read one after the other, 0.75–0.95 s with two ahead.
async fn read_file(
    file: &File,
    first: Option<Ahead>,
    span: pool::Span,
    stop: impl Fn(bool) -> bool,
    mut feed: impl FnMut(&[u8], bool),
) -> Result<ReadStats, String> {
    let mut stats = ReadStats { reads: 0, read_ms: 0.0, stopped: false };
    let mut first = first;
    // Reads of the slices from `at` on, asked for while the ones before were fed, and where the last ends.
    let mut next: VecDeque<js_sys::Promise> = VecDeque::new();
    let pool::Span { from, ahead_to, to: size } = span;
    let mut asked_to = from;
    let mut piece = Vec::new();
    let mut at = from;
    // Slices end at `ahead_to` too, so that a part reads no more than that unless it must.
    let slice_end = |at: f64| (at + CHUNK_BYTES).min(if at < ahead_to { ahead_to } else { size });
    while at < size && !stop(at > from) {
        let end = slice_end(at);
        let t = now();
        let read = match next.pop_front().map_or_else(|| first.take(), |asked| Some(Ahead::Slice(asked))) {
            Some(Ahead::Slice(asked)) => js_bytes_of(asked).await,
            // A group's read failed (one of its files went away, say): this file alone, so that the
            // message names the file that fails.
            Some(Ahead::Group { read, offset, len }) => match js_part_of(read, offset, len).await {
                Some(bytes) if u64::from(bytes.length()) == (end - at) as u64 => Ok(bytes),
                _ => js_bytes_of(ask_part(file, at, end)?).await,
            },
            None => js_bytes_of(ask_part(file, at, end)?).await,
        };
        stats.reads += 1;
        stats.read_ms += now() - t;
        let read = read?;
        asked_to = f64::max(asked_to, end);
        while next.len() < SLICES_AHEAD && asked_to < ahead_to {
            // Failing to ask now is not fatal: asked again next time round, the failure names itself.
            let Ok(asked) = ask_part(file, asked_to, slice_end(asked_to)) else { break };
            next.push_back(handled(asked));
            asked_to = slice_end(asked_to);
        }
        in_pieces(&read, &mut piece, end >= size, &mut feed);
        at = end;
    }
    stats.stopped = at < size;
    if from == 0.0 && size == 0.0 && !stop(false) {
        // A file deleted after it was picked has size 0 too: only a read of the file itself tells
        // it from an empty file (it fails, NotFoundError), so the warning says what happened. Not
        // `first`: a group's read of its 0 bytes succeeds without touching the file (e2e-tested).
        let t = now();
        let bytes = bytes_of(file.array_buffer()).await?;
        stats.reads += 1;
        stats.read_ms += now() - t;
        feed(&bytes, true);
    }
    Ok(stats)
}

/// Asks the browser for the first slice of the next queued files (see [`READ_AHEAD_FILES`]), small
/// neighbours together (see [`GROUP_FILES`]).
fn read_ahead(queue: &mut VecDeque<Job>) {
    let (mut bytes, mut i) = (0.0, 0);
    let ahead = queue.len().min(READ_AHEAD_FILES);
    while i < ahead && bytes <= READ_AHEAD_BYTES {
        // A part of a split file is read from its own start, never from the file's.
        let (Source::File(file), None) = (&queue[i].source, queue[i].part) else {
            i += 1;
            continue;
        };
        let size = file.size();
        if queue[i].first.is_some() || size > GROUP_FILE_BYTES {
            let end = size.min(CHUNK_BYTES);
            if queue[i].first.is_none() {
                queue[i].first = ask_ahead(file, end);
            }
            bytes += end;
            i += 1;
            continue;
        }
        // A run of small files not asked for yet.
        let (parts, mut members, mut total) = (Array::new(), Vec::new(), 0.0);
        let mut j = i;
        while j < ahead && members.len() < GROUP_FILES {
            let job = &queue[j];
            let (Source::File(f), None) = (&job.source, job.part) else { break };
            let size = f.size();
            if job.first.is_some() || size > GROUP_FILE_BYTES || (total + size > GROUP_BYTES && !members.is_empty()) {
                break;
            }
            parts.push(f);
            members.push((j, total as u32, size as u32));
            total += size;
            j += 1;
        }
        let read = match members.len() {
            1 => ask_ahead(file, size).map(|ahead| vec![ahead]),
            _ => Blob::new_with_blob_sequence(&parts).ok().map(|blob| {
                let read = handled(blob.array_buffer());
                members.iter().map(|&(_, offset, len)| Ahead::Group { read: read.clone(), offset, len }).collect()
            }),
        };
        if let Some(reads) = read {
            for ((at, ..), ahead) in members.iter().zip(reads) {
                queue[*at].first = Some(ahead);
            }
        }
        bytes += total;
        i = j;
    }
}

/// Asks ahead for the first `end` bytes of one file (see [`handled`]).
fn ask_ahead(file: &File, end: f64) -> Option<Ahead> {
    ask_part(file, 0.0, end).ok().map(|read| Ahead::Slice(handled(read)))
}

/// Marks a read asked ahead of time as handled, and returns it: a read that fails before the engine
/// awaits it (a file gone from disk) would otherwise be reported as an unhandled rejection, an error
/// in the console for a failure the file's warning already names. Awaiting it later still fails.
pub(super) fn handled(read: js_sys::Promise) -> js_sys::Promise {
    thread_local! {
        static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
    }
    IGNORE.with(|ignore| {
        let _ = read.catch(ignore);
    });
    read
}

/// One file's bytes out of a group's read (still in the browser's memory), or `None` if that read
/// failed.
async fn js_part_of(read: js_sys::Promise, offset: u32, len: u32) -> Option<Uint8Array> {
    let buf = JsFuture::from(read).await.ok()?;
    let all = Uint8Array::new(&buf);
    let end = offset.checked_add(len)?;
    (end <= all.length()).then(|| all.subarray(offset, end))
}

/// Bytes read are copied into wasm memory this many at a time, into one buffer: a whole
/// [`CHUNK_BYTES`] chunk copied at once was a 4 MB block of its own, beside the engine's.
pub(crate) const FEED_BYTES: u32 = 256 << 10;

/// Gives `bytes` to `feed` [`FEED_BYTES`] at a time, copied into `piece`, with whether the piece ends
/// the file (the last of the file's last slice, `last_slice`).
fn in_pieces(bytes: &Uint8Array, piece: &mut Vec<u8>, last_slice: bool, feed: &mut impl FnMut(&[u8], bool)) {
    let len = bytes.length();
    let mut at = 0;
    while at < len {
        let end = len.min(at + FEED_BYTES);
        piece.resize((end - at) as usize, 0);
        bytes.subarray(at, end).copy_to(piece);
        feed(piece, last_slice && end == len);
        at = end;
    }
}

/// Reads a file again, from its kept source, into the SHA-256 of its decompressed content (its first
/// slice may have been asked for ahead, `first`, see [`HashQueue`]). The content is hashed by the
/// browser when it has its own SHA-256 ([`browser_sha256`]), else here. Once `cancelled` says so,
/// it stops after the current slice and says the file was not hashed.
async fn hash_source(source: Source, first: Option<Ahead>, cancelled: impl Fn() -> bool) -> HashOutcome {
    let mut hasher = Hasher::keeping(KEEP_BYTES);
    match source {
        Source::Bytes(bytes) => hasher.push(bytes),
        Source::File(file) => {
            let read =
                read_file(&file, first, pool::Span::whole(file.size()), |_| cancelled(), |bytes, _| hasher.push(bytes))
                    .await;
            match read {
                // Its cause is set by the engine's worker as it records it (`Worker::record_hash`).
                Ok(stats) if stats.stopped => return HashOutcome::Stopped(StopCause::LoadCancelled),
                Ok(_) => {}
                Err(message) => return HashOutcome::Unread(message),
            }
        }
    }
    match hasher.finish_kept() {
        Finished::Done(outcome) => outcome,
        Finished::Whole(content) => match browser_sha256(&content).await {
            Some(sha256) => HashOutcome::Hashed { sha256, bytes: content.len() as u64 },
            None => HashOutcome::of_content(&content),
        },
    }
}

/// SHA-256 by the browser's `crypto.subtle` (native code: 1.0-1.3 GB/s in this machine's Chromium
/// for 117 KB files, against about 270 MB/s for the `sha2` crate in wasm), or `None` where there is
/// none (not a secure context) or it refuses.
async fn browser_sha256(bytes: &[u8]) -> Option<Sha> {
    sha256_of(ask_sha256(bytes)?).await
}

/// Asks the browser's `crypto.subtle` for the SHA-256 of `bytes` (see [`browser_sha256`]), or
/// `None` where there is none or it refuses at once. The browser copies `bytes` when asked, so
/// nothing points into wasm memory while it hashes, and they may be freed at once.
fn ask_sha256(bytes: &[u8]) -> Option<js_sys::Promise> {
    let subtle = scope().crypto().ok()?.subtle();
    if subtle.is_undefined() {
        return None;
    }
    subtle.digest_with_str_and_u8_array("SHA-256", bytes).ok()
}

/// The digest an [`ask_sha256`] promise gives, or `None` if the browser refused.
async fn sha256_of(promise: js_sys::Promise) -> Option<Sha> {
    let digest = JsFuture::from(promise).await.ok()?;
    let digest = Uint8Array::new(&digest);
    let mut sha = Sha::default();
    if digest.length() as usize != sha.len() {
        return None;
    }
    digest.copy_to(&mut sha);
    Some(sha)
}

/// What a rejected read says, as `name: message` (a `DOMException` such as `NotFoundError: ...`).
fn js_error(e: &JsValue) -> String {
    let field = |k: &str| Reflect::get(e, &k.into()).ok().and_then(|v| v.as_string()).filter(|s| !s.is_empty());
    match (field("name"), field("message")) {
        (Some(name), Some(message)) => format!("{name}: {message}"),
        (Some(text), None) | (None, Some(text)) => text,
        (None, None) => e.as_string().unwrap_or_else(|| "no reason given".into()),
    }
}

/// Reads bytes `start..end` of a browser `File`.
pub async fn read_slice(file: &File, start: f64, end: f64) -> Result<Vec<u8>, String> {
    bytes_of(ask_part(file, start, end)?).await
}

/// Asks the browser for bytes `start..end` of a `File`: the whole file is read as it is, since
/// `Blob.slice` registers a new blob with the browser, a synchronous round trip that cost an ingest
/// worker about 0.7 ms a file, more than parsing a small one (most CloudTrail files are well under
/// [`CHUNK_BYTES`]).
pub(super) fn ask_part(file: &File, start: f64, end: f64) -> Result<js_sys::Promise, String> {
    if start <= 0.0 && end >= file.size() {
        return Ok(file.array_buffer());
    }
    let blob = file.slice_with_f64_and_f64(start, end).map_err(|e| format!("cannot slice the file: {e:?}"))?;
    Ok(blob.array_buffer())
}

/// The bytes of a `Blob.arrayBuffer()` read, copied into wasm memory.
pub(super) async fn bytes_of(read: js_sys::Promise) -> Result<Vec<u8>, String> {
    Ok(js_bytes_of(read).await?.to_vec())
}

/// The bytes of a `Blob.arrayBuffer()` read, still in the browser's memory.
async fn js_bytes_of(read: js_sys::Promise) -> Result<Uint8Array, String> {
    let buf = JsFuture::from(read).await.map_err(|e| js_error(&e))?;
    Ok(Uint8Array::new(&buf))
}

/// Reads one event's original JSON again from its file and answers query `id` with it.
async fn answer_event(id: u32, detail: Option<EventDetail>, source: Option<Source>) {
    let detail = match (detail, source) {
        (Some(mut d), Some(source)) => {
            d.json = read_event(&d, source).await;
            Some(Box::new(d))
        }
        (Some(d), None) => Some(Box::new(d)),
        (None, _) => None,
    };
    post(&FromWorker::Answer { id, response: Box::new(Response::Event(detail)) });
}

async fn read_event(d: &EventDetail, source: Source) -> Result<String, String> {
    let loc = d.locator;
    let mut reader = RangeReader::new(&loc);
    let feed = |reader: &mut RangeReader, bytes: &[u8]| reader.push(bytes).map_err(|e| e.to_string());
    match source {
        Source::Bytes(bytes) => feed(&mut reader, bytes)?,
        Source::File(file) if !d.gzip => {
            // Plain text: the locator's offsets are file offsets, so read just the event.
            let end = loc.offset as f64 + f64::from(loc.len);
            let bytes = read_slice(&file, loc.offset as f64, end).await?;
            let mut shifted = RangeReader::new(&crate::store::Locator { offset: 0, ..loc });
            feed(&mut shifted, &bytes)?;
            return cut_event(loc.kind, &shifted.finish()?, d.csv_header.as_deref());
        }
        Source::File(file) => {
            let size = file.size();
            let mut at = 0.0;
            while at < size && !reader.done() {
                let end = (at + CHUNK_BYTES).min(size);
                feed(&mut reader, &read_slice(&file, at, end).await?)?;
                at = end;
            }
        }
    }
    cut_event(loc.kind, &reader.finish()?, d.csv_header.as_deref())
}
