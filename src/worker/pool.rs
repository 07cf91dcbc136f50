//! Several ingest workers: the engine's worker hands files to workers of its own (the same script in
//! another role), which read, decompress and parse them into small stores and send those back as
//! batches (`Engine::take_batch`), which the engine adds to the one store every query reads
//! (`Engine::absorb_batch`). Parsing, the bulk of loading, then runs on every core; absorbing a batch
//! costs a small share of reading it.
//!
//! The engine's worker keeps the queue and hands out files a few dozen at a time: an ingest worker
//! asks for more ([`FromWorker::Want`]) before it runs out, and sends a batch every
//! [`BATCH_EVENTS`] events or [`BATCH_MS`], so views fill in while loading. A batch may end in the
//! middle of a large file, and the next one carries on with it (`Engine::absorb_part`), so a large
//! file shows its events as it is read and is never held whole. Big files (see [`BIG_TEXT_BYTES`])
//! are read by the engine's worker itself unless it is reading one already, as are files while the
//! ingest workers start; the files queued behind such a file go to the ingest workers meanwhile. A
//! crashed ingest worker's files go back to the queue, to be read by the engine's worker, which then
//! reports the crash as it would its own; a file it had sent part of keeps that part, and a warning
//! says the rest was not read. The ingest workers start with the engine's worker (so they load the
//! site's files with the rest of it, and the page makes no request later) and stay until the page
//! goes: idle, each holds the memory of one batch. Once the engine's memory is full (see
//! [`crate::protocol::MemoryFull`]), it hands out nothing more and tells the ingest workers to stop
//! files they read in parts after the current slice ([`ToWorker::StopParts`]); files they have not
//! started come back unread.
//!
//! After a load, files to read again for the integrity check (loaded before the digest that lists
//! them) are handed out the same way ([`ToWorker::HashFiles`], [`Pool::hand_out_hashes`]); an ingest
//! worker reads, decompresses and hashes them without its engine and sends the outcomes back a few
//! at a time ([`FromWorker::Hashed`]); the engine's worker hashes only those they cannot take.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{File, MessageEvent};

use super::{
    envelope, hash_source, heap_bytes, now, post, read_ahead, read_file, scope, send_progress, wake, Digests, Job,
    Source, WORKER,
};
use crate::engine::Engine;
use crate::protocol::{FromWorker, ToWorker};
use crate::store::FileId;

/// The `name` an ingest worker is started with, so it knows its role.
pub const INGEST_NAME: &str = "trailscope-ingest";

/// Most ingest workers, however many cores there are.
pub const MAX_WORKERS: usize = 4;

/// Files handed to an ingest worker at a time.
pub(crate) const HAND_FILES: usize = 48;

/// Compressed bytes handed to an ingest worker at a time (at least one file).
const HAND_BYTES: u64 = 24 * 1024 * 1024;

/// An ingest worker asks for more files when this many are left in its queue.
const LOW_WATER: usize = 16;

/// An ingest worker sends a batch once it holds this many events, in the middle of a file or not...
pub const BATCH_EVENTS: usize = 16_384;

/// ... or this many milliseconds after its last batch (checked between files, and while a file is
/// read once that file alone has taken this long since the last batch).
pub const BATCH_MS: f64 = 300.0;

/// A file whose text is likely longer than this is big: about a batch's worth of events
/// ([`BATCH_EVENTS`] of CloudTrail's are about 25 MB). The engine's worker reads a big file itself,
/// adding its events as they are read, rather than taking them as batches; while it does, the ingest
/// workers may take other big files it could not cut into parts either, which they send in parts as
/// they read, so a drop of several still uses every core (see [`poolable`]). (When ingest workers
/// sent only whole files, a big file they read showed nothing until its end, 2.3 s at 0 events for a
/// 36 MB `.json.gz` export of 150,000 events, and arrived as one batch held twice, 308 heap bytes per
/// event for that load against 138.)
const BIG_TEXT_BYTES: u64 = 32 * 1024 * 1024;

/// The parts a large plain file of one event per line is cut into (see `Engine::split`), so that
/// every ingest worker reads some of it: small enough that the workers finish within a part's time of
/// each other (about a quarter of a second on one core), large enough that a part costs nothing
/// beside its lines. A part job is handed out alone ([`Pool::hand_out`]), so no worker holds more
/// than the one it reads and the one after.
pub(crate) const PART_BYTES: u64 = 16 << 20;

/// A part is read from a few bytes before its start, with slices asked for ahead up to this much past
/// its end: far enough to finish the record that crosses its end when that is an event
/// ([`crate::ingest::limits::MAX_EVENT_BYTES`]) and its line break (a longer one is skipped anyway).
/// Lines that open no record (see [`crate::ingest::range`]) go with the record before them, so a part
/// that has not ended there reads on, a slice at a time, until it has.
pub(crate) const PART_TAIL: u64 = crate::ingest::limits::MAX_EVENT_BYTES as u64 + 2;

/// How much longer the text of a gzip file is than the file, at least, for CloudTrail logs (the
/// benchmark's: 8.1 times).
const GZIP_RATIO: u64 = 8;

/// How many ingest workers to start: one per core the browser reports, up to [`MAX_WORKERS`]; none
/// on a single core, where they could only take turns with the engine.
pub fn wanted_workers() -> usize {
    let cores = Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"hardwareConcurrency".into()))
        .ok()
        .and_then(|c| c.as_f64())
        .unwrap_or(1.0) as usize;
    if cores < 2 {
        0
    } else {
        cores.min(MAX_WORKERS)
    }
}

/// Whether a queued file's name ends in `.gz`: its text is likely [`GZIP_RATIO`] times as long, and it
/// cannot be cut into parts (a gzip stream is read from its start).
fn gz_named(job: &Job) -> bool {
    let name = job.path.as_bytes();
    name.len() >= 3 && name[name.len() - 3..].eq_ignore_ascii_case(b".gz")
}

/// Whether a queued file is big (see [`BIG_TEXT_BYTES`]), judged from its size and its name's `.gz`.
/// A part of a split file is plain text, whatever the file is named (only plain text is cut): a part
/// of a JSON-lines file named `.gz` had been judged eight times its length, so the engine's worker
/// read the parts itself once it was done with the start.
pub(crate) fn big(job: &Job) -> bool {
    let ratio = if job.part.is_none() && gz_named(job) { GZIP_RATIO } else { 1 };
    job.size.saturating_mul(ratio) > BIG_TEXT_BYTES
}

/// What the engine's worker is reading, as far as the big files the ingest workers may take go (see
/// [`poolable`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum EngineReads {
    /// No big file (or a part of one): it reads every big file itself, adding its events as they are
    /// read.
    #[default]
    NoBig,
    /// The start of a big file, which it cuts into parts for every reader when that file is plain
    /// text of one event per line (see `split_file`), or has cut: other big files that it could cut
    /// too wait for it, as an ingest worker reads a file whole; only those named `.gz` go.
    BigStart,
    /// A big file it could not cut, to its end: any big file may go, to be read whole meanwhile.
    BigWhole,
}

/// Whether a queued file can go to an ingest worker, with the engine's worker reading `engine`: a
/// small one always; a big one only while the engine's worker reads a big file: one named `.gz`
/// (which no reader can cut) at once, any other once the file the engine's worker reads turns out
/// not to be cut, which keeps it busy to the end. Until then those wait, as the engine's worker may cut
/// them into parts for every reader (see [`EngineReads`]): of two plain JSON-lines exports, of 50 and
/// 407 MB, the second had been read whole by one ingest worker, long after the first's parts were done.
pub(crate) fn poolable(job: &Job, engine: EngineReads) -> bool {
    matches!(job.source, Source::File(_))
        && (!big(job)
            || match engine {
                EngineReads::NoBig => false,
                EngineReads::BigStart => gz_named(job),
                EngineReads::BigWhole => true,
            })
}

struct Child {
    worker: web_sys::Worker,
    /// Its wasm has loaded and it listens.
    ready: bool,
    /// It has room for more files.
    wants: bool,
    /// It crashed or failed to start: it gets nothing more.
    dead: bool,
    /// Its memory, as it last reported.
    heap: u64,
    /// The job whose part ended its last batch, and that file's id in the engine: its next batch
    /// starts with the rest of it.
    part: Option<(u32, FileId)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(JsValue)>,
}

/// The engine worker's side: its ingest workers and the files they hold.
pub(crate) struct Pool {
    children: Vec<Child>,
    /// Files handed out and not back yet, by job id, with the ingest worker that has them.
    inflight: HashMap<u32, (Job, usize)>,
    /// Files handed out to hash ([`ToWorker::HashFiles`]) and not back yet, by file id, with the
    /// ingest worker that has them.
    hashing: HashMap<FileId, (Job, usize)>,
    next_job: u32,
    /// The next ingest worker given files is to panic after its first part of one (a test's:
    /// [`ToWorker::TestIngestPanic`]).
    pub test_panic: bool,
}

impl Pool {
    /// Starts `n` ingest workers (the script this worker runs), or `None` when none can start.
    pub fn start(n: usize) -> Option<Pool> {
        let href = Reflect::get(&js_sys::global(), &"location".into())
            .and_then(|l| Reflect::get(&l, &"href".into()))
            .ok()?
            .as_string()?;
        let mut children = Vec::new();
        for index in 0..n {
            let opts = web_sys::WorkerOptions::new();
            opts.set_name(INGEST_NAME);
            let Ok(worker) = web_sys::Worker::new_with_options(&href, &opts) else { break };
            let on_message =
                Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| on_child_message(index, &e.data()));
            let on_error = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                // Handled here: an error left unhandled in an ingest worker is reported on to the
                // page as the engine's worker's own, which then shows the engine as crashed.
                if let Some(e) = e.dyn_ref::<web_sys::Event>() {
                    e.prevent_default();
                }
                let started = WORKER
                    .with(|w| w.borrow().pool.as_ref().and_then(|p| p.children.get(index)).is_some_and(|c| c.ready));
                child_lost(
                    index,
                    if started { "an ingest worker stopped" } else { "an ingest worker could not start" },
                );
            });
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            children.push(Child {
                worker,
                ready: false,
                wants: false,
                dead: false,
                heap: 0,
                part: None,
                _on_message: on_message,
                _on_error: on_error,
            });
        }
        (!children.is_empty()).then(|| Pool {
            children,
            inflight: HashMap::new(),
            hashing: HashMap::new(),
            next_job: 1,
            test_panic: false,
        })
    }

    /// Ingest workers listening.
    pub fn ready(&self) -> usize {
        self.children.iter().filter(|c| c.ready && !c.dead).count()
    }

    /// Ingest workers started and not lost.
    pub fn alive(&self) -> usize {
        self.children.iter().filter(|c| !c.dead).count()
    }

    /// Their memory, as last reported.
    pub fn heap_bytes(&self) -> u64 {
        self.children.iter().filter(|c| !c.dead).map(|c| c.heap).sum()
    }

    /// Files handed out and not back yet.
    pub fn busy(&self) -> bool {
        !self.inflight.is_empty()
    }

    /// Whether an ingest worker is hashing file `id` (see [`Self::hand_out_hashes`]).
    pub fn hashing(&self, id: FileId) -> bool {
        self.hashing.contains_key(&id)
    }

    /// Files handed out to hash and not back yet.
    pub fn hashing_count(&self) -> usize {
        self.hashing.len()
    }

    /// Hands files to read again and hash (`Job::id` the file's), from the front of `jobs`, to the
    /// ingest workers that want more, as [`Self::hand_out`] does files to load: the files whose
    /// digests came after them are read again on every core. Files held in memory (the sample)
    /// stay for the engine's worker.
    pub fn hand_out_hashes(&mut self, jobs: &mut VecDeque<Job>) {
        for index in 0..self.children.len() {
            let c = &self.children[index];
            if !c.ready || !c.wants || c.dead || jobs.is_empty() {
                continue;
            }
            let (mut given, mut bytes) = (Vec::new(), 0);
            let mut at = 0;
            while given.len() < HAND_FILES && bytes < HAND_BYTES && at < jobs.len() {
                if matches!(jobs[at].source, Source::File(_)) {
                    let mut job = jobs.remove(at).expect("within the queue");
                    bytes += job.size;
                    job.first = None;
                    given.push(job);
                } else {
                    at += 1;
                }
            }
            if given.is_empty() {
                return;
            }
            let msg = ToWorker::HashFiles { files: given.iter().map(|j| j.id).collect() };
            let Some(given) = self.give(index, &msg, given, jobs) else { continue };
            for job in given {
                self.hashing.insert(job.id, (job, index));
            }
        }
    }

    /// Posts `msg` with the files of `jobs` to ingest worker `index`, which then wants nothing more
    /// until it asks, and gives the jobs back to note in flight. If it cannot be posted, they go back
    /// to the front of `queue` (before any file that was behind them, and still in order among
    /// themselves) and that ingest worker gets nothing more.
    fn give(&mut self, index: usize, msg: &ToWorker, jobs: Vec<Job>, queue: &mut VecDeque<Job>) -> Option<Vec<Job>> {
        let files = Array::new();
        for job in &jobs {
            if let Source::File(f) = &job.source {
                files.push(f);
            }
        }
        let posted = envelope(msg, &[("files", &files)])
            .and_then(|m| self.children[index].worker.post_message(&m).map_err(|e| format!("{e:?}")));
        if posted.is_err() {
            for job in jobs.into_iter().rev() {
                queue.push_front(job);
            }
            self.children[index].dead = true;
            return None;
        }
        self.children[index].wants = false;
        Some(jobs)
    }

    /// Whether a file handed out and not back yet is one `is` holds for.
    pub fn inflight_any(&self, is: impl Fn(&Job) -> bool) -> bool {
        self.inflight.values().any(|(job, _)| is(job))
    }

    /// Hands files from the front of `queue` to the ingest workers that want more, a few dozen each.
    /// Files the engine's worker must read itself (big ones, as [`poolable`] says with the engine's
    /// worker reading `engine`; the sample) stay in the queue, in order, and the files behind them are
    /// handed out past them, so a large file at the front does not keep the ingest workers idle
    /// while the engine's worker reads it. The ingest workers hash a file as they read it when `hash`
    /// says so of its path (see `Worker::digests_pending`).
    pub fn hand_out(&mut self, queue: &mut VecDeque<Job>, engine: EngineReads, hash: &dyn Fn(&str) -> bool) {
        for index in 0..self.children.len() {
            let c = &self.children[index];
            if !c.ready || !c.wants || c.dead {
                continue;
            }
            let (mut jobs, mut bytes) = (Vec::new(), 0);
            let mut at = 0;
            while jobs.len() < HAND_FILES && bytes < HAND_BYTES && at < queue.len() {
                if !poolable(&queue[at], engine) {
                    at += 1;
                    continue;
                }
                // A run of files to hand out, taken out at once (moving only the few files before it).
                let mut end = at;
                while end < queue.len()
                    && poolable(&queue[end], engine)
                    && jobs.len() + (end - at) < HAND_FILES
                    && bytes < HAND_BYTES
                {
                    bytes += queue[end].size;
                    end += 1;
                    // A part of a split file ends the hand (see [`PART_BYTES`]).
                    if queue[end - 1].part.is_some() {
                        bytes = HAND_BYTES;
                    }
                }
                jobs.extend(queue.drain(at..end));
            }
            for job in &mut jobs {
                job.id = self.next_job;
                job.first = None;
                // A part is never hashed: the check hashes a file whole.
                job.hash = job.part.is_none() && hash(&job.path);
                self.next_job += 1;
            }
            if jobs.is_empty() {
                return;
            }
            let list =
                jobs.iter().map(|job| (job.id, job.path.clone(), job.hash, job.part.map(|(_, s, e)| (s, e)))).collect();
            if std::mem::take(&mut self.test_panic) {
                if let Ok(m) = envelope(&ToWorker::TestPanic, &[]) {
                    let _ = self.children[index].worker.post_message(&m);
                }
            }
            let Some(jobs) = self.give(index, &ToWorker::Parse { jobs: list }, jobs, queue) else { continue };
            for job in jobs {
                self.inflight.insert(job.id, (job, index));
            }
        }
    }

    /// Tells every ingest worker to stop reading files in parts (`why`: the engine's memory is
    /// full; see [`on_stop_parts`]).
    pub fn stop_parts(&self, why: &str) {
        self.tell_all(&ToWorker::StopParts { why: why.to_owned() });
    }

    /// Tells every ingest worker to stop; each sends what it read and the files it did not start.
    pub fn cancel(&self) {
        self.tell_all(&ToWorker::Cancel);
    }

    /// Posts `msg` to every ingest worker not lost.
    fn tell_all(&self, msg: &ToWorker) {
        if let Ok(msg) = envelope(msg, &[]) {
            for c in self.children.iter().filter(|c| !c.dead) {
                let _ = c.worker.post_message(&msg);
            }
        }
    }
}

fn on_child_message(index: usize, data: &JsValue) {
    let msg = Reflect::get(data, &"msg".into()).unwrap_or(JsValue::UNDEFINED);
    let Ok(msg) = serde_wasm_bindgen::from_value::<FromWorker>(msg) else { return };
    match msg {
        FromWorker::Batch { jobs, dropped, heap_bytes, read_ms, ingest_ms } => {
            let bytes = Reflect::get(data, &"bytes".into()).map(|b| Uint8Array::new(&b).to_vec()).unwrap_or_default();
            let unreadable = WORKER.with(|w| {
                let mut w = w.borrow_mut();
                let w = &mut *w;
                let pool = w.pool.as_mut()?;
                let child = pool.children.get_mut(index)?;
                child.heap = heap_bytes;
                let continues = child.part.map(|(_, file)| file);
                // Which of the batch's files are parts of a split file, and of which.
                let part_of: Vec<Option<(FileId, u64)>> = jobs
                    .iter()
                    .map(|j| pool.inflight.get(j).and_then(|(job, _)| job.part).map(|(file, start, _)| (file, start)))
                    .collect();
                let t = now();
                let added = w.engine.absorb_split(&bytes, continues, &part_of);
                let spent = now() - t;
                let (ids, open) = match added {
                    Ok(added) => added,
                    // Never expected (the same build wrote the bytes). Its files are still in
                    // flight, so losing the ingest worker gives them to the engine's worker.
                    Err(e) => return Some(e),
                };
                child.part = open.and_then(|file| Some((*jobs.last()?, file)));
                for (i, (&id, job)) in ids.iter().zip(&jobs).enumerate() {
                    // A file still being read (the batch's last, if it ends in a part) stays in
                    // flight, as its ingest worker may yet be lost. Not any file of that number: the
                    // parts of a split file all have the file's.
                    let source = if open.is_some() && i + 1 == jobs.len() {
                        pool.inflight.get(job).map(|(j, _)| j.source.clone())
                    } else {
                        pool.inflight.remove(job).map(|(j, _)| j.source)
                    };
                    // The rest of a file already has its source.
                    if let (Some(source), true) = (source, id as usize == w.sources.len()) {
                        w.sources.push(source);
                    }
                }
                let dropped: Vec<Job> =
                    dropped.iter().filter_map(|id| pool.inflight.remove(id)).map(|(j, _)| j).collect();
                // Not started before a Cancel, or left unread at the memory limit.
                for job in &dropped {
                    w.unread(job);
                }
                // Files read whole (a split file's parts are not files).
                w.run.files +=
                    ids.iter().zip(&part_of).filter(|&(&id, of)| of.is_none() && Some(id) != open).count() as u64;
                w.run.ingest_ms += spent;
                w.run.absorb_ms += spent;
                w.run.workers_read_ms += read_ms as f64;
                w.run.workers_ingest_ms += ingest_ms as f64;
                // The last file out is back: say so now, as the engine's worker may be reading a large
                // file of its own and send nothing for a while.
                let all_back = !w.pool.as_ref().is_some_and(Pool::busy);
                // Batches are most of what fills the engine's memory: check it now, which tells the
                // ingest workers to stop files in parts if it is full.
                w.memory_full();
                wake();
                send_progress(w, all_back);
                None
            });
            if let Some(e) = unreadable {
                web_sys::console::error_1(&format!("trailscope: a batch could not be read ({e})").into());
                child_lost(index, "a batch from an ingest worker could not be read");
            }
        }
        FromWorker::Hashed { outcomes, dropped } => WORKER.with(|w| {
            let mut w = w.borrow_mut();
            let w = &mut *w;
            let Some(pool) = w.pool.as_mut() else { return };
            // Only files still handed out (not lost with a worker and handed out again since).
            let outcomes: Vec<_> = outcomes.into_iter().filter(|(id, _)| pool.hashing.remove(id).is_some()).collect();
            let dropped: Vec<_> = dropped.into_iter().filter(|id| pool.hashing.remove(id).is_some()).collect();
            for (id, outcome) in outcomes {
                w.record_rehash(id, outcome);
                w.run.workers_hashed += 1;
            }
            for id in dropped {
                w.record_hash(id, crate::integrity::HashOutcome::Stopped(w.stop_why));
            }
            let last = w.hashes_outstanding() == 0;
            wake();
            send_progress(w, last);
        }),
        FromWorker::Ready | FromWorker::Want => WORKER.with(|w| {
            let mut w = w.borrow_mut();
            let w = &mut *w;
            let Some(pool) = w.pool.as_mut() else { return };
            let first = pool.children.get(index).is_some_and(|c| !c.ready);
            if let Some(c) = pool.children.get_mut(index) {
                c.ready = true;
                c.wants = true;
            }
            w.hand_out_now();
            wake();
            if first {
                // The page shows how many are ready (`data-readers`).
                send_progress(w, true);
            }
        }),
        FromWorker::Crashed { message } => {
            web_sys::console::error_1(&format!("trailscope: an ingest worker crashed: {message}").into());
            child_lost(index, "an ingest worker crashed");
        }
        FromWorker::Failed { message } => post(&FromWorker::Failed { message }),
        _ => {}
    }
}

/// An ingest worker is gone: its files go back to the front of the queue, for the engine's worker.
fn child_lost(index: usize, why: &str) {
    WORKER.with(|w| {
        let mut w = w.borrow_mut();
        let w = &mut *w;
        let Some(pool) = w.pool.as_mut() else { return };
        let Some(c) = pool.children.get_mut(index) else { return };
        if c.dead {
            return;
        }
        c.dead = true;
        c.worker.terminate();
        if let Some((job, file)) = c.part.take() {
            // Part of it is in the store already; reading it again would add those events twice.
            match pool.inflight.remove(&job).and_then(|(job, _)| job.part) {
                Some((_, start, _)) => w.engine.split_part_lost(file, start, why),
                None => w.engine.part_lost(file, why),
            }
        }
        // Files it was hashing are hashed by another, or the engine's worker.
        let mut hashes: Vec<Job> = pool.hashing.extract_if(|_, (_, i)| *i == index).map(|(_, (job, _))| job).collect();
        hashes.sort_by_key(|j| j.id);
        w.hashes_back(hashes);
        let Some(pool) = w.pool.as_mut() else { return };
        let mut back: Vec<Job> = pool.inflight.extract_if(|_, (_, i)| *i == index).map(|(_, (job, _))| job).collect();
        back.sort_by_key(|j| j.id);
        web_sys::console::warn_1(
            &format!("trailscope: {why}; the engine reads its {} files itself", back.len()).into(),
        );
        for job in back.into_iter().rev() {
            w.queue.push_front(job);
        }
        wake();
        send_progress(w, true);
    });
}

// ---- The ingest worker's side ----

/// An ingest worker's state: its own engine, the files it was given, what it read since its last batch.
#[derive(Default)]
struct Parser {
    engine: Engine,
    queue: VecDeque<Job>,
    running: bool,
    cancel: bool,
    /// It asked for more files ([`FromWorker::Want`]) since it was last given some.
    asked: bool,
    /// Jobs read since the last batch, in file order.
    done: Vec<u32>,
    /// Jobs left unread since the last batch (see [`on_stop_parts`]).
    unread: Vec<u32>,
    /// Why files read in several slices stop after the current one ([`ToWorker::StopParts`]).
    stop_parts: Option<String>,
    /// Digests of files read since the last batch, taken by the browser: each batch waits for
    /// them, so it carries the hashes of its files (see `Engine::take_batch`).
    digests: Digests,
    last_batch: f64,
    read_ms: f64,
    ingest_ms: f64,
}

thread_local! {
    /// Panic just after sending the next part of a file (a test's: [`ToWorker::TestIngestPanic`]).
    static PANIC_AFTER_PART: Cell<bool> = const { Cell::new(false) };
    static PARSER: Rc<RefCell<Parser>> =
        Rc::new(RefCell::new(Parser { engine: Engine::for_batches(), ..Parser::default() }));
}

/// Files given to an ingest worker: [`ToWorker::Parse`] to load, [`ToWorker::HashFiles`] to hash.
pub(crate) fn on_files(msg: ToWorker, files: &Array) {
    match msg {
        ToWorker::Parse { jobs } => on_parse(jobs, files),
        ToWorker::HashFiles { files: ids } => on_hash_files(ids, files),
        _ => {}
    }
}

/// [`ToWorker::Parse`]: queue the files and start reading if idle.
fn on_parse(jobs: Vec<crate::protocol::ParseJob>, files: &Array) {
    PARSER.with(|p| {
        let mut p = p.borrow_mut();
        p.asked = false;
        for (i, (id, path, hash, part)) in jobs.into_iter().enumerate() {
            let Ok(file) = files.get(i as u32).dyn_into::<File>() else { continue };
            let size = file.size() as u64;
            // The file's number is the engine's worker's business; here a part is its bytes.
            let part = part.map(|(start, end)| (0, start, end));
            p.queue.push_back(Job { id, hash, part, ..Job::new(path, size, Source::File(file)) });
        }
        if !p.running && !p.queue.is_empty() {
            p.running = true;
            p.last_batch = now();
            spawn_local(parse_queue());
        }
    });
}

/// Files an ingest worker was given to hash ([`ToWorker::HashFiles`]): read apart from files to
/// load, which need its engine; these need none.
#[derive(Default)]
struct Hashing {
    queue: VecDeque<Job>,
    running: bool,
    cancel: bool,
    /// It asked for more ([`FromWorker::Want`]) since it was last given some.
    asked: bool,
}

thread_local! {
    static HASHING: Rc<RefCell<Hashing>> = Rc::default();
}

/// Outcomes sent together, at most (or every [`BATCH_MS`]).
const HASHED_AT_ONCE: usize = 16;

/// [`ToWorker::HashFiles`]: queue the files to hash and start if idle.
fn on_hash_files(ids: Vec<u32>, files: &Array) {
    HASHING.with(|h| {
        let mut h = h.borrow_mut();
        h.asked = false;
        for (i, id) in ids.into_iter().enumerate() {
            let Ok(file) = files.get(i as u32).dyn_into::<File>() else { continue };
            let size = file.size() as u64;
            h.queue.push_back(Job { id, ..Job::new(String::new(), size, Source::File(file)) });
        }
        if !h.running && !h.queue.is_empty() {
            h.running = true;
            spawn_local(hash_queue());
        }
    });
}

/// Hashes the files given, as the engine's worker does its own (`hash_source`), sending the
/// outcomes a few at a time; after a Cancel, the files not started go back as dropped.
async fn hash_queue() {
    let hashing = HASHING.with(Rc::clone);
    let mut outcomes = Vec::new();
    let mut last = now();
    loop {
        let job = {
            let mut h = hashing.borrow_mut();
            if h.cancel || h.queue.is_empty() {
                let dropped = h.queue.drain(..).map(|j| j.id).collect();
                (h.cancel, h.running) = (false, false);
                post(&FromWorker::Hashed { outcomes, dropped });
                // Emptied by a Cancel before it ran low, it has not asked yet.
                ask_for_more(&mut h.asked);
                return;
            }
            if h.queue.len() <= LOW_WATER {
                ask_for_more(&mut h.asked);
            }
            read_ahead(&mut h.queue);
            h.queue.pop_front().expect("not empty")
        };
        let outcome = hash_source(job.source, job.first, || hashing.borrow().cancel).await;
        outcomes.push((job.id, outcome));
        if outcomes.len() >= HASHED_AT_ONCE || now() - last >= BATCH_MS {
            post(&FromWorker::Hashed { outcomes: std::mem::take(&mut outcomes), dropped: Vec::new() });
            last = now();
        }
    }
}

/// [`ToWorker::TestPanic`] in an ingest worker: panic just after sending the next part of a file.
pub(crate) fn arm_test_panic() {
    PANIC_AFTER_PART.with(|p| p.set(true));
}

/// [`ToWorker::StopParts`] in an ingest worker: from now on a file read in several slices stops
/// after the current one, saying `why`, and one not started is left unread (sent back as dropped,
/// for the engine's worker to count); files read in one slice are still read.
pub(crate) fn on_stop_parts(why: String) {
    PARSER.with(|p| p.borrow_mut().stop_parts = Some(why));
}

/// [`ToWorker::Cancel`] in an ingest worker: stop after the current slice.
pub(crate) fn on_cancel() {
    PARSER.with(|p| {
        let mut p = p.borrow_mut();
        if p.running {
            p.cancel = true;
        }
    });
    HASHING.with(|h| {
        let mut h = h.borrow_mut();
        if h.running {
            h.cancel = true;
        }
    });
}

/// Asks the engine's worker for more files ([`FromWorker::Want`]) unless it was asked since files
/// were last given: when the queue runs low ([`LOW_WATER`]), and when a Cancel empties it before
/// that, as the engine's worker gives files only to an ingest worker that asked (one cancelled just
/// after it was given many got no files again, and a Check again after a stopped check waited for it
/// forever).
fn ask_for_more(asked: &mut bool) {
    if !*asked {
        *asked = true;
        post(&FromWorker::Want);
    }
}

async fn parse_queue() {
    let parser = PARSER.with(Rc::clone);
    loop {
        // The last batch waits for the digests of its files.
        let last = {
            let p = parser.borrow();
            p.cancel || p.queue.is_empty()
        };
        if last {
            wait_digests(&parser).await;
        }
        let job = {
            let mut p = parser.borrow_mut();
            if p.cancel {
                let dropped = p.queue.drain(..).map(|j| j.id).collect();
                send_batch(&mut p, dropped, None);
                p.cancel = false;
                p.running = false;
                // Emptied by a Cancel before it ran low, it has not asked yet.
                ask_for_more(&mut p.asked);
                return;
            }
            let Some(job) = p.queue.pop_front() else {
                send_batch(&mut p, Vec::new(), None);
                p.running = false;
                return;
            };
            if p.queue.len() <= LOW_WATER {
                ask_for_more(&mut p.asked);
            }
            read_ahead(&mut p.queue);
            if p.stop_parts.is_some() && job.size as f64 > super::CHUNK_BYTES {
                p.unread.push(job.id);
                continue;
            }
            job
        };
        // A file read in several pieces may send a batch partway, where nothing can wait: the
        // digests of the files before it are in first.
        if job.size > u64::from(super::FEED_BYTES) {
            wait_digests(&parser).await;
        }
        // The file's number in the engine, which starts afresh after each batch: a file still being
        // read when one is sent carries on as its first.
        let id = Cell::new(open(&mut parser.borrow_mut().engine, &job));
        let started = now();
        let range = bytes_to_read(&job, job.size);
        if let Source::File(file) = &job.source {
            let read = read_file(
                file,
                job.first,
                range,
                // A stop for files in parts cuts one only after a slice of it; a part stops once it
                // has its lines.
                |fed| {
                    let p = parser.borrow();
                    p.cancel || (fed && p.stop_parts.is_some()) || p.engine.part_read(id.get())
                },
                |bytes, end| {
                    let mut p = parser.borrow_mut();
                    let t = now();
                    p.engine.push(id.get(), bytes);
                    p.ingest_ms += now() - t;
                    // Not at the file's end: the batch due then follows with the file whole, rather
                    // than end with all of it as a part and leave an empty rest to the next.
                    if !end && batch_due(&p, started) {
                        send_batch(&mut p, Vec::new(), Some(job.id));
                        id.set(0);
                        assert!(!PANIC_AFTER_PART.get(), "a test asked an ingest worker to panic after a part");
                    }
                },
            )
            .await;
            let mut p = parser.borrow_mut();
            match read {
                Ok(stats) => {
                    p.read_ms += stats.read_ms;
                    let stopped = stats.stopped && !p.engine.part_read(id.get());
                    match (stopped, p.cancel, p.stop_parts.clone()) {
                        (true, false, Some(why)) => p.engine.read_stopped(id.get(), &why),
                        (true, ..) => p.engine.read_cancelled(id.get()),
                        _ => {}
                    }
                }
                Err(why) => p.engine.read_failed(id.get(), &why),
            }
        }
        let due = {
            let mut p = parser.borrow_mut();
            let p = &mut *p;
            let t = now();
            p.engine.close_file(id.get());
            p.digests.start(&mut p.engine);
            p.ingest_ms += now() - t;
            p.done.push(job.id);
            batch_due(p, p.last_batch)
        };
        if due {
            wait_digests(&parser).await;
            send_batch(&mut parser.borrow_mut(), Vec::new(), None);
        }
    }
}

/// Opens `job` in an ingest worker's engine: a file, or a part of one.
fn open(engine: &mut Engine, job: &Job) -> FileId {
    engine.hash_while_reading(job.hash);
    match job.part {
        Some((_, start, end)) => engine.open_file_part(&job.path, job.size, start, end),
        None => engine.open_file(&job.path, job.size),
    }
}

/// The bytes of a file of `size` bytes to read for `job` (see [`Span`]): all of them, or for a part
/// from where its reader is fed ([`crate::ingest::range::RecordRange::first_byte`]), asked for
/// ahead to a little past its end (see [`PART_TAIL`]), and read on to the file's end if need be.
/// (An ingest worker's job has the file's size; the engine's worker's a part's.)
pub(crate) fn bytes_to_read(job: &Job, size: u64) -> Span {
    match job.part {
        Some((_, start, end)) => Span {
            from: crate::ingest::range::RecordRange::new(start, end).first_byte() as f64,
            ahead_to: end.saturating_add(PART_TAIL).min(size) as f64,
            to: size as f64,
        },
        None => Span::whole(size as f64),
    }
}

/// Bytes of a file to read: `from..to`, with slices asked for ahead only below `ahead_to`, the last
/// of them ending there (past it, one is read when it is needed).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub from: f64,
    pub ahead_to: f64,
    pub to: f64,
}

impl Span {
    /// A whole file of `size` bytes.
    pub fn whole(size: f64) -> Self {
        Span { from: 0.0, ahead_to: size, to: size }
    }
}

/// Waits for the digests asked of the browser since the last batch and gives them to the engine,
/// for the next batch to carry.
async fn wait_digests(parser: &Rc<RefCell<Parser>>) {
    let mut digests = std::mem::take(&mut parser.borrow_mut().digests);
    if digests.len() == 0 {
        return;
    }
    let done = digests.wait().await;
    let mut p = parser.borrow_mut();
    for (file, outcome) in done {
        p.engine.set_integrity_hash(file, outcome);
    }
}

/// Whether a batch is due: [`BATCH_EVENTS`] held, or [`BATCH_MS`] gone since the last batch and since
/// `since` (a file's start, for a part of it; the last batch itself, between files).
fn batch_due(p: &Parser, since: f64) -> bool {
    p.engine.store().len() >= BATCH_EVENTS || now() - p.last_batch.max(since) >= BATCH_MS
}

/// Sends what was read since the last batch (its bytes transferred, not copied) and starts afresh;
/// `reading` is the job of the file still being read, if any, whose events so far end the batch.
fn send_batch(p: &mut Parser, mut dropped: Vec<u32>, reading: Option<u32>) {
    dropped.append(&mut p.unread);
    if p.done.is_empty() && dropped.is_empty() && reading.is_none() {
        return;
    }
    let bytes = Uint8Array::from(&p.engine.take_batch()[..]);
    let mut jobs = std::mem::take(&mut p.done);
    jobs.extend(reading);
    let msg = FromWorker::Batch {
        jobs,
        dropped,
        heap_bytes: heap_bytes(),
        read_ms: p.read_ms as u64,
        ingest_ms: p.ingest_ms as u64,
    };
    (p.read_ms, p.ingest_ms, p.last_batch) = (0.0, 0.0, now());
    let buffer: JsValue = bytes.buffer().into();
    match envelope(&msg, &[("bytes", &buffer)]) {
        Ok(envelope) => {
            let _ = scope().post_message_with_transfer(&envelope, &Array::of1(&buffer));
        }
        Err(e) => web_sys::console::error_1(&format!("trailscope ingest worker: a batch: {e}").into()),
    }
}
