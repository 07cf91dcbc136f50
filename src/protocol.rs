//! The messages between the page and the engine's worker: one typed contract for both threads.
//!
//! Pure serde types, so both sides and the native tests share them. `File` handles are not serde
//! data: the page attaches them next to the message (see `worker::glue`), never as copied bytes.

use serde::{Deserialize, Serialize};

use crate::analysis::filter::Filter;
use crate::engine::{Query, Response, Status};
use crate::export::Format;

/// A file handed to an ingest worker ([`ToWorker::Parse`]): job id, relative path, whether to hash
/// it, and the part of it to read (`(start, end)` bytes where its lines start), if only a part.
pub type ParseJob = (u32, String, bool, Option<(u64, u64)>);

/// From the page to the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Read the attached files, in order; `paths[i]` is the relative path of file `i`.
    Ingest {
        /// The relative path (folder drops) or name of each attached file.
        paths: Vec<String>,
        /// More files of the same drop follow (the page posts a large drop in batches), so running
        /// out of files is not the end of loading.
        #[serde(default)]
        more: bool,
    },
    /// Files dropped but a Cancel came before the page handed them over: not read, but noted as
    /// such, as the files the worker had queued are (the integrity check and the summary say so).
    /// Paths only: handing a `File` over costs as long as asking its size, a third of a millisecond
    /// a file, which for a large drop kept the page "Stopping" for seconds. Not counted in
    /// [`Progress::files_cancelled`]: the page counts them.
    Unread {
        /// The relative path (folder drops) or name of each file.
        paths: Vec<String>,
        /// Dropped folders a Cancel stopped a walk before it listed: their files were never found
        /// (see `Engine::not_listed`).
        #[serde(default)]
        folders: Vec<String>,
    },
    /// Read the sample logs bundled into the worker.
    LoadSample,
    /// Stop reading; keep what was loaded. Always answered by a progress report counting it
    /// ([`Progress::cancels`]), at once when nothing is being loaded (the page's drop never reached
    /// the worker), else once loading has stopped.
    Cancel,
    /// Once loading is over, stop hashing files for the integrity check (files loaded before the
    /// digests that list them, read again); those not hashed yet say so until [`ToWorker::CheckAgain`].
    /// Ignored while loading, so a stop sent as a new drop starts does not cancel it.
    StopCheck,
    /// Hash the files not hashed because loading was cancelled or checking stopped first.
    CheckAgain,
    /// Export the events a filter keeps; the file comes back as [`FromWorker::Download`].
    Export {
        /// JSON, JSON lines or CSV.
        format: Format,
        /// Which events.
        filter: Box<Filter>,
    },
    /// Search the whole JSON of every event held for `text`, reading the files again (see
    /// `analysis::json_search`); reported as it goes by [`FromWorker::JsonSearch`]. A search under way
    /// stops (and keeps nothing) when another is asked for; an empty `text` only stops it.
    SearchJson {
        /// What to look for, as typed in the search box.
        text: String,
    },
    /// Answer a question.
    Query {
        /// Echoed in the answer.
        id: u32,
        /// The question.
        query: Box<Query>,
    },
    /// Only decompress the attached files (no parsing, nothing stored), for the benchmark, which
    /// splits the cost of loading into inflating and the rest; answered by [`FromWorker::Inflated`].
    Inflate,
    /// To an ingest worker (a worker the engine's worker started, see `worker::pool`): read the
    /// attached files (`jobs[i]` is the job id and path of file `i`) and send them back as batches.
    Parse {
        /// `(job id, relative path, hash, part)` of each attached file: with `hash`, the file is
        /// hashed as it is read, for the integrity check (see `Engine::hash_while_reading`), and its
        /// hash travels with its batch; with `part`, `(start, end)`, only the lines of the file that
        /// start in those bytes are read (a part of a split file, see `Engine::split`).
        jobs: Vec<ParseJob>,
    },
    /// Panic on purpose, to test that the page survives a crashed engine. The page sends it only when
    /// its URL fragment is [`TEST_PANIC_FRAGMENT`] (see `e2e/crash.test.mjs`); a crash needs no
    /// attacker help to be harmless, so this opens nothing. An ingest worker given it (see
    /// [`ToWorker::TestIngestPanic`]) panics just after it sends its next part of a file instead.
    TestPanic,
    /// Make the next ingest worker given files panic just after it sends part of one, to test that
    /// the file keeps that part and says the rest was not read. The page sends it only when its URL
    /// fragment is [`TEST_INGEST_PANIC_FRAGMENT`] (see `e2e/worker.test.mjs`).
    TestIngestPanic,
    /// To an ingest worker: hash the attached files for the integrity check, without loading them
    /// (`files[i]` is the engine's id of attached file `i`): files loaded before the digest that
    /// lists them, read again after the load; answered by [`FromWorker::Hashed`], a few at a time.
    HashFiles {
        /// The engine's file id of each attached file.
        files: Vec<u32>,
    },
    /// To an ingest worker: the engine's memory is full (`why`), so stop each file read in several
    /// slices after the current one, and leave those not started unread (see `worker::pool`).
    StopParts {
        /// What the warning of a file cut short gives as the reason.
        why: String,
    },
    /// Set the engine's memory limit (see `worker::memory_limit`) to its memory now plus `above`
    /// bytes, to test what happens when it is reached without loading gigabytes. The page sends it
    /// only when its URL fragment is [`TEST_MEMORY_LIMIT_FRAGMENT`] followed by megabytes (see
    /// `e2e/worker.test.mjs`); a lower limit only means fewer files read.
    TestMemoryLimit {
        /// Bytes above the engine's memory when the message arrives.
        above: u64,
    },
}

/// The URL fragment that makes the page send [`ToWorker::TestPanic`] once loading is done.
pub const TEST_PANIC_FRAGMENT: &str = "trailscope-test=worker-panic";

/// The URL fragment that makes the page send [`ToWorker::TestIngestPanic`] with its first load.
pub const TEST_INGEST_PANIC_FRAGMENT: &str = "trailscope-test=ingest-panic";

/// The URL fragment, followed by a number of megabytes, that makes the page send
/// [`ToWorker::TestMemoryLimit`] before its first load.
pub const TEST_MEMORY_LIMIT_FRAGMENT: &str = "trailscope-test=memory-limit-";

/// Where ingest is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Phase {
    /// Nothing loaded yet.
    #[default]
    Idle,
    /// Reading files.
    Loading,
    /// All queued files read (or cancelled); the store is queryable.
    Done,
}

/// Ingest progress, sent while loading and once at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Where ingest is.
    pub phase: Phase,
    /// Counters from the engine.
    pub status: Status,
    /// Files queued so far, all batches.
    pub files_total: u64,
    /// Bytes queued so far (compressed, as on disk).
    pub bytes_total: u64,
    /// The file being read.
    pub current: Option<String>,
    /// Size of the worker's wasm memory.
    pub heap_bytes: u64,
    /// Whether the last batch was cancelled.
    pub cancelled: bool,
    /// Cancels this worker has been sent, every one answered by a report ([`ToWorker::Cancel`]): a
    /// report counting the page's last Cancel tells it loading has stopped.
    #[serde(default)]
    pub cancels: u32,
    /// Files given to the worker and left unread by the last Cancel (not counting the files the page
    /// had not posted yet, which only it knows).
    #[serde(default)]
    pub files_cancelled: u64,
    /// Files noted as not read, every [`ToWorker::Unread`] so far: the page's Cancel ends once they
    /// reach the files it handed over so.
    #[serde(default)]
    pub noted_unread: u64,
    /// Milliseconds since this run of loading started (a run lasts while the queue is not empty).
    #[serde(default)]
    pub elapsed_ms: u64,
    /// Compressed bytes read per second over this run (0 until there is a measure).
    #[serde(default)]
    pub rate_bytes_per_s: u64,
    /// Events added per second over this run.
    #[serde(default)]
    pub rate_events_per_s: u64,
    /// Estimated milliseconds left at this run's rate (`None` until there is a rate).
    #[serde(default)]
    pub eta_ms: Option<u64>,
    /// Ingest workers reading files besides the engine's own worker (0: it reads them alone).
    #[serde(default)]
    pub workers: u32,
    /// Of those, the ones whose wasm has loaded and that take files.
    #[serde(default)]
    pub readers: u32,
    /// Memory of those ingest workers, as they last reported it.
    #[serde(default)]
    pub workers_heap_bytes: u64,
    /// Where the worker's time went over this run, for the benchmark.
    #[serde(default)]
    pub timings: Timings,
    /// The engine's memory reached its limit: files queued since are not read.
    #[serde(default)]
    pub memory_full: Option<MemoryFull>,
    /// Once loading is over, files still to hash for the integrity check (read again: loaded before
    /// the digests that list them), queued or being hashed; 0 otherwise.
    #[serde(default)]
    pub checking: u64,
}

impl Progress {
    /// Files the worker was given, every drop so far: those it counts in [`Progress::files_total`]
    /// and those the memory limit left unread ([`MemoryFull::files_not_read`]).
    pub fn files_received(&self) -> u64 {
        self.files_total + self.memory_full.as_ref().map_or(0, |f| f.files_not_read)
    }

    /// Whether this report answers the page's `cancels` Cancels: loading is over after the last,
    /// and the `handed_unread` files handed over after them are noted as not read. Nothing more of
    /// the cancelled load will come, and files dropped since can go to the worker.
    pub fn answers(&self, cancels: u32, handed_unread: u64) -> bool {
        self.cancels >= cancels && self.phase != Phase::Loading && self.noted_unread >= handed_unread
    }
}

/// Loading stopped at the engine's memory limit (see `worker::memory_limit`): a tab that grows its
/// memory past what the browser allows (4 GB for WebAssembly) or the machine has is stopped
/// outright, everything loaded lost, so the engine stops taking files before that and says which
/// it did not read. Files it had begun are read to their end, except a big file it reads itself,
/// which stops between two slices with a warning saying how far it got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryFull {
    /// The limit reached, in bytes of the engine's memory.
    pub limit_bytes: u64,
    /// Files not read because of it, over every drop since.
    pub files_not_read: u64,
    /// Their size on disk.
    pub bytes_not_read: u64,
    /// The path of the first of them.
    pub first_not_read: Option<String>,
}

/// Milliseconds the worker spent in each part of loading, over one run (see `scripts/bench-ingest.mjs`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timings {
    /// Waiting for the browser to read file slices.
    pub read_ms: u64,
    /// In the engine: decompressing, parsing and storing.
    pub ingest_ms: u64,
    /// Answering queries (the views' live refreshes) while loading.
    pub query_ms: u64,
    /// Files read.
    pub files: u64,
    /// File slices read.
    pub reads: u64,
    /// Adding the ingest workers' batches to the store (included in `ingest_ms`).
    #[serde(default)]
    pub absorb_ms: u64,
    /// Summed over the ingest workers: reading files and decompressing, parsing and storing them.
    #[serde(default)]
    pub workers_read_ms: u64,
    /// Summed over the ingest workers: decompressing, parsing and storing.
    #[serde(default)]
    pub workers_ingest_ms: u64,
    /// Files the ingest workers read again to hash them (see `ToWorker::HashFiles`).
    #[serde(default)]
    pub workers_hashed: u64,
    /// Files the engine's worker cut into parts for every reader (see `Engine::split`).
    #[serde(default)]
    pub split: u64,
    /// Parts of those that the engine's worker read itself, as no ingest worker could.
    #[serde(default)]
    pub parts_here: u64,
}

/// From the worker to the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker is listening. Messages posted before this would be lost (its handler is installed
    /// only once its wasm has loaded), so the page holds them until then.
    Ready,
    /// Progress; `phase` says whether loading is over.
    Progress(Box<Progress>),
    /// The engine's memory grew while it was idle (answering a query built an index, such as the
    /// timeline's): the new [`Progress::heap_bytes`], so that "in use" stays true. It asks nothing
    /// of the page, unlike a progress report, which refreshes the overview.
    Memory {
        /// The engine's wasm memory in bytes.
        heap_bytes: u64,
    },
    /// Files posted to read that a Cancel left unread, by their place among every file posted to
    /// this worker to read (0 for the first), sent before the progress report that counts them
    /// ([`Progress::files_cancelled`]). The page then leaves them out of what it gives an engine
    /// started after a crash to read again: a Cancel's files were not loaded.
    NotRead {
        /// Places, in the order the files were found unread.
        seqs: Vec<u64>,
    },
    /// The answer to `ToWorker::Query { id, .. }`.
    Answer {
        /// The query's id.
        id: u32,
        /// The answer.
        response: Box<Response>,
    },
    /// The answer to `ToWorker::Query { id, .. }` when it is long lists (the overview, counts; see
    /// [`answer`]): the response as JSON text, which the page parses in one go; walking it as
    /// thousands of JS objects took the page 10 ms at the first overview of a large load.
    AnswerJson {
        /// The query's id.
        id: u32,
        /// The [`Response`], as JSON.
        json: String,
    },
    /// A file to save; its `Blob` travels next to the message (as `blob`), never through serde.
    Download {
        /// Suggested file name.
        name: String,
        /// Events in it.
        events: u64,
        /// Events that could not be read again (the file changed or went away), for people.
        problems: Vec<String>,
    },
    /// How a search of the events' JSON ([`ToWorker::SearchJson`]) is going, or how it ended.
    JsonSearch(crate::analysis::json_search::JsonSearchReport),
    /// Something the worker could not do; what was loaded is kept.
    Failed {
        /// For people.
        message: String,
    },
    /// The answer to [`ToWorker::Inflate`].
    Inflated {
        /// Compressed bytes read.
        bytes_in: u64,
        /// Decompressed bytes produced.
        bytes_out: u64,
        /// Milliseconds from the message to the last byte, reads included.
        ms: u64,
        /// Milliseconds in the decoder alone.
        inflate_ms: u64,
    },
    /// From an ingest worker: the files of jobs `jobs`, read whole (or, after a cancel, as far as they
    /// were read), as an `Engine::take_batch` whose bytes travel next to the message (as `bytes`, a
    /// transferred `ArrayBuffer`). The first may be the rest of a file whose part ended its last batch,
    /// and the last may be a file it is still reading, whose part ends this one. `dropped` are jobs
    /// it was given but did not start (after a cancel).
    Batch {
        /// Job ids, in the batch's file order.
        jobs: Vec<u32>,
        /// Jobs not started.
        dropped: Vec<u32>,
        /// The ingest worker's wasm memory.
        heap_bytes: u64,
        /// Milliseconds it waited for reads since its last batch.
        read_ms: u64,
        /// Milliseconds in its engine since its last batch.
        ingest_ms: u64,
    },
    /// From an ingest worker: it is running low on files; send more.
    Want,
    /// From an ingest worker: what hashing files it was given ([`ToWorker::HashFiles`]) gave, by
    /// file id; `dropped` it did not start (after a Cancel).
    Hashed {
        /// `(file id, outcome)` of each file hashed since its last such message.
        outcomes: Vec<(u32, crate::integrity::HashOutcome)>,
        /// Files not started.
        dropped: Vec<u32>,
    },
    /// The engine panicked (its panic hook sends this just before the worker's wasm traps): the worker
    /// is unusable; the page keeps what it shows and offers to start a new one.
    Crashed {
        /// The panic message, for people.
        message: String,
    },
}

/// The message answering query `id`: long lists as [`FromWorker::AnswerJson`], the rest as they are.
pub fn answer(id: u32, response: Box<Response>) -> FromWorker {
    if matches!(*response, Response::Overview(_) | Response::Counts { .. }) {
        if let Ok(json) = serde_json::to_string(&response) {
            return FromWorker::AnswerJson { id, json };
        }
    }
    FromWorker::Answer { id, response }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::counts::{Count, Counts, NameCount};
    use crate::engine::{FileRow, FileWarning, Overview};
    use crate::ingest::FileKind;

    fn overview() -> Overview {
        let count = |key: &str, count| Count { key: key.to_owned(), count };
        Overview {
            status: Status {
                events: 300_000,
                duplicates: 2,
                files: 5_744,
                bytes_read: (1 << 60) + 1,
                ..Status::default()
            },
            counts: Counts {
                events: 300_000,
                errors: 17,
                first: Some(1_700_000_000_000),
                last: None,
                by_source: vec![count("ecr.amazonaws.com", 250_000), count("", 3)],
                by_name: vec![NameCount {
                    source: "ecr.amazonaws.com".into(),
                    name: "Put\"Image\u{1F600}\n".into(),
                    count: 9,
                    errors: 1,
                }],
                by_principal: vec![count("arn:aws:iam::123456789012:role/ci", 5)],
                principals: 1,
                ..Counts::default()
            },
            names_total: 1,
            files: vec![FileRow {
                id: 3,
                path: "AWSLogs/123456789012/CloudTrail/eu-west-1/2024/01/02/x.json.gz".into(),
                kind: FileKind::Logs,
                formats: Vec::new(),
                gzip: true,
                bytes: 1_234,
                events: 50,
                duplicates: 0,
                rejected: 0,
                warnings: 1,
            }],
            files_total: 5_744,
            warnings: vec![FileWarning {
                file: 3,
                path: "a.json".into(),
                offset: Some(7),
                message: "<b>bad</b>".into(),
            }],
            logging: crate::analysis::logging::Weakenings { stops: 1, narrows: 2, refused: 3 },
            monitoring: crate::analysis::logging::Weakenings::default(),
        }
    }

    #[test]
    fn ok_overview_and_counts_answers_go_as_json_and_read_back_the_same() {
        let o = overview();
        let m = answer(7, Box::new(Response::Overview(Box::new(o.clone()))));
        let FromWorker::AnswerJson { id: 7, json } = m else { panic!("not JSON: {m:?}") };
        assert_eq!(serde_json::from_str::<Response>(&json).unwrap(), Response::Overview(Box::new(o.clone())));

        let counts = Response::Counts { counts: Box::new(o.counts), names_total: 1 };
        let FromWorker::AnswerJson { id: 8, json } = answer(8, Box::new(counts.clone())) else { panic!("not JSON") };
        assert_eq!(serde_json::from_str::<Response>(&json).unwrap(), counts);
    }

    #[test]
    fn ok_other_answers_go_as_they_are() {
        let r = Response::SummaryJson("{}".into());
        assert_eq!(answer(9, Box::new(r.clone())), FromWorker::Answer { id: 9, response: Box::new(r) });
    }
}
