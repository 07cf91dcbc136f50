//! The engine: ingest + store + analysis behind one small protocol.
//!
//! The browser runs it in a web worker; tests run it natively. Files are opened, pushed in chunks and
//! closed; questions are [`Query`] values answered by small [`Response`] values, so nothing that grows
//! with the number of events ever crosses the worker boundary.

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::analysis::counts::{by_value, count, Count, Counts, NameCount, Tally};
use crate::analysis::events::{self, EventPage, EventView, Order, RowCache};
use crate::analysis::filter::{Compiled, Field, Filter};
use crate::analysis::identity::{self, IdentityReport};
use crate::analysis::json_search::{JsonSearch, JsonSearchReport};
use crate::analysis::timeline::{GroupBy, Prepared, Timeline, TimelineQuery};
use crate::export;
use crate::ingest::{FileKind, FileReader, FileReport, Format, PathMeta};
use crate::integrity::check::Checked;
use crate::integrity::hash::{Finished, KEEP_BYTES};
use crate::integrity::keys::KeyMaterial;
use crate::integrity::report::KeysInput;
use crate::integrity::{Finding, HashOutcome, Integrity, IntegrityReport, NotRead};
use crate::model::time::format_iso;
use crate::store::{FileId, Locator, RecordKind, Store};

/// Longest list in a response: breakdowns beyond this are cut and say how many were left out.
pub const MAX_LIST: usize = 500;

/// How the filter menu shows a field's empty value (the events that logged none), and the text that
/// finds it there.
pub const NONE_VALUE: &str = "(none)";

/// Warnings listed in an overview (all are counted).
pub const MAX_WARNINGS_LISTED: usize = 200;

/// Files listed in an overview (files with warnings first; all are counted).
pub const MAX_FILES_LISTED: usize = 200;

/// One input file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative path as dropped (folder drops keep their folders), or the name.
    pub path: String,
    /// Size in bytes as the browser reported it.
    pub size: u64,
    /// What reading it gave (`Pending` while open).
    pub report: FileReport,
}

impl FileEntry {
    /// What the path says (account, region, delivery date): read from the path when asked, rather than
    /// kept per file (four strings a file was about 3 bytes per event at 52 events a file).
    pub fn meta(&self) -> PathMeta {
        PathMeta::from_path(&self.path)
    }
}

/// Files the engine was given and did not read, and why (see [`Engine::left_unread`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unread {
    /// Why, as the first file left unread was told (the engine's worker: its memory limit).
    pub why: String,
    /// How many.
    pub files: u64,
    /// Their size, as on disk.
    pub bytes: u64,
    /// The path of the first of them.
    pub first: Option<String>,
}

/// The ingest counters shown in the status bar and on `[data-testid=ingest-status]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// Unique events held.
    pub events: u64,
    /// Re-delivered events not added again.
    pub duplicates: u64,
    /// Files read to the end.
    pub files: u64,
    /// Files recognised but holding no events (digests).
    pub skipped: u64,
    /// Files that are not CloudTrail, or empty.
    pub unreadable: u64,
    /// Warnings, all files.
    pub warnings: u64,
    /// Records that could not be stored.
    pub rejected: u64,
    /// Compressed bytes read.
    pub bytes_read: u64,
    /// Decompressed bytes parsed.
    pub bytes_decoded: u64,
    /// Resident bytes of the store.
    pub store_bytes: u64,
    /// Files hashed for the integrity check (after ingest; see [`crate::integrity`]).
    #[serde(default)]
    pub hashed: u64,
    /// Files of those read whose reading Cancel stopped partway.
    #[serde(default)]
    pub files_cut: u64,
    /// Log files read whose every event was already held: dropped again, or a log delivered twice.
    /// Counted in `files`, so the page can say how many of those added nothing.
    #[serde(default)]
    pub repeated: u64,
    /// Moves whenever the integrity check's hash outcomes change ([`crate::integrity::Integrity::changes`]),
    /// so the page asks for the check again.
    #[serde(default)]
    pub integrity_changes: u64,
}

/// A file as listed in the overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRow {
    /// File number.
    pub id: FileId,
    /// Relative path.
    pub path: String,
    /// What it is.
    pub kind: FileKind,
    /// Shapes found.
    pub formats: Vec<Format>,
    /// Whether it was gzip.
    pub gzip: bool,
    /// Compressed size.
    pub bytes: u64,
    /// Events added.
    pub events: u64,
    /// Events already held.
    pub duplicates: u64,
    /// Records not stored.
    pub rejected: u64,
    /// Warnings.
    pub warnings: u64,
}

/// A warning with the file it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileWarning {
    /// File number.
    pub file: FileId,
    /// Relative path.
    pub path: String,
    /// Byte offset in the decompressed content.
    pub offset: Option<u64>,
    /// The message.
    pub message: String,
}

/// The overview page: status, counts, files and warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// Counters.
    pub status: Status,
    /// Breakdowns (lists cut at [`MAX_LIST`]).
    pub counts: Counts,
    /// Distinct event names before the cut.
    pub names_total: u64,
    /// Listed files.
    pub files: Vec<FileRow>,
    /// All files.
    pub files_total: u64,
    /// Listed warnings.
    pub warnings: Vec<FileWarning>,
    /// Calls that stopped or narrowed CloudTrail's logging, or tried to (the Integrity tab lists them).
    #[serde(default)]
    pub logging: crate::analysis::logging::Weakenings,
    /// Calls that turned off or narrowed the other services that watch the account, or tried to.
    #[serde(default)]
    pub monitoring: crate::analysis::logging::Weakenings,
}

/// A question for the engine.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Query {
    /// Status, counts over everything, files, warnings.
    Overview,
    /// Counts and breakdowns over the events a filter keeps.
    Counts(Box<Filter>),
    /// The machine-readable triage summary, `trailscope-summary.json`.
    SummaryJson,
    /// The container story (pushes, pulls, lifecycle runs, repositories, images, deployments).
    Container(Box<crate::analysis::container::ContainerQuery>),
    /// Identity breakdowns, role chains and the attention list over the events a filter keeps.
    Identities(Box<Filter>),
    /// The integrity check against the dropped digest files, with the pasted keys and signatures.
    Integrity(Box<KeysInput>),
    /// One page of the event table.
    Events {
        /// Which events.
        filter: Box<Filter>,
        /// Oldest or newest first.
        order: Order,
        /// First row wanted.
        offset: u64,
        /// Rows wanted (capped at [`events::MAX_PAGE`]).
        limit: u32,
    },
    /// One event in full: its table row, where it came from, and its original JSON (which the worker
    /// reads again from the file; the engine alone answers without it).
    Event {
        /// Store row.
        row: u32,
    },
    /// A shared view's link, resolved against the loaded logs.
    Resolve(Box<crate::link::ViewLink>),
    /// Events under a filter by the values of one of its list fields (for the filter menu; see
    /// [`crate::analysis::counts::by_value`]), only those containing `narrow` (ignoring case; the
    /// empty value as [`NONE_VALUE`]). The
    /// filter's own values of that field are left out (they are alternatives to the others): each
    /// count is what picking that value alone would keep.
    Values {
        /// The field.
        field: crate::analysis::filter::Field,
        /// Which events.
        filter: Box<Filter>,
        /// Text the values must contain, any case; empty for all.
        narrow: String,
    },
    /// Timeline buckets over a time range.
    Timeline(Box<TimelineQuery>),
}

/// The answer to a [`Query`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// For [`Query::Overview`].
    Overview(Box<Overview>),
    /// For [`Query::Counts`] (lists cut at [`MAX_LIST`]; `names_total` says how many names there were).
    Counts {
        /// The counts.
        counts: Box<Counts>,
        /// Distinct event names before the cut.
        names_total: u64,
    },
    /// For [`Query::SummaryJson`]: the document, pretty-printed.
    SummaryJson(String),
    /// For [`Query::Container`].
    Container(Box<crate::analysis::container::ContainerAnswer>),
    /// For [`Query::Identities`] (lists cut; each says how long it was).
    Identities(Box<IdentityReport>),
    /// For [`Query::Integrity`] (lists cut at [`MAX_LIST`]; the report says how many there were).
    Integrity(Box<IntegrityReport>),
    /// For [`Query::Events`].
    Events(Box<EventPage>),
    /// For [`Query::Event`]; `None` when there is no such row.
    Event(Option<Box<EventDetail>>),
    /// For [`Query::Resolve`].
    Resolved(Box<crate::link::Resolved>),
    /// For [`Query::Values`] (cut at [`MAX_LIST`]), and how many values there were (that contain
    /// the text asked for).
    Values(Vec<crate::analysis::counts::Count>, u64),
    /// For [`Query::Timeline`].
    Timeline(Box<Timeline>),
}

/// One event in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetail {
    /// The table row.
    pub view: EventView,
    /// The file's relative path.
    pub path: String,
    /// Where the event is in the file.
    pub locator: crate::store::Locator,
    /// Whether the file is gzip (it must then be read from the start).
    pub gzip: bool,
    /// The original JSON (or, for a CSV export, the row), or why it could not be read.
    pub json: Result<String, String>,
    /// For a console CSV row, its file's header cells (the row is shown keyed by them).
    pub csv_header: Option<Vec<String>>,
    /// The ECR repository the event belongs to, if any.
    pub repo: Option<crate::analysis::container::report::RepoRef>,
    /// The image it belongs to (a push or pull of one image), if any.
    pub image: Option<crate::analysis::container::report::ImageRef>,
}

/// The timeline's prepared events with what they were prepared for: store version, filter, grouping.
type TimelineCache = (crate::store::Version, Filter, GroupBy, Rc<Prepared>);

/// A field's values, counted, with what they were counted for: store version, field, filter (the
/// field's own values cleared).
type ValuesCache = (crate::store::Version, Field, Filter, Rc<Vec<Count>>);

/// Buckets the files name, with the number of files and digests they were read from.
type FileBuckets = (usize, usize, Rc<Vec<String>>);

/// [`Engine::log_places`]' answer, with the numbers of files, digests and events it was made from.
type PlacesCache = ((usize, usize, usize), Rc<crate::analysis::logging::LogPlaces>);

/// Ingest and analysis state.
#[derive(Default)]
pub struct Engine {
    store: Store,
    /// Boxed, so the vector that doubles as files arrive holds a pointer per file, not the entry's
    /// 184 bytes: in wasm a doubled vector leaves its old block behind, and each entry alone fits
    /// in the blocks other tables left.
    #[allow(clippy::vec_box)]
    files: Vec<Box<FileEntry>>,
    open: Vec<(FileId, FileReader)>,
    /// Files an ingest worker is still reading, absorbed in parts so far (see [`Self::absorb_part`]),
    /// each with the events of its parts this engine already held.
    parts: Vec<(FileId, u64)>,
    /// Files of JSON lines cut into parts that several readers read (see [`Self::split`]).
    splits: Vec<Split>,
    /// The joined container story, rebuilt when events are added.
    container: crate::analysis::container::Cache,
    /// Digests read and hashes computed, for the integrity check.
    integrity: Integrity,
    /// The last integrity check, with the input it answered; cleared whenever files or hashes change.
    integrity_cache: RefCell<Option<(KeysInput, Rc<Checked>)>>,
    /// The event table's rows for the last filter.
    rows: std::cell::RefCell<RowCache>,
    /// Counts over every event, kept up to date as rows are added (see [`Engine::counts_all`]).
    all_counts: RefCell<AllCounts>,
    /// The timeline's events for the last filter and grouping, by time (keyed by the store's size).
    timeline: RefCell<Option<TimelineCache>>,
    /// The "+ Filter" menu's last field's values, so narrowing them by a text only reads the list.
    values: RefCell<Option<ValuesCache>>,
    /// The buckets the files tell trails deliver to (digests, the folder above `AWSLogs/`), with
    /// the number of files and digests they were read from: a large drop has a hundred thousand
    /// paths to look through, and events are added many times between two files.
    file_buckets: RefCell<Option<FileBuckets>>,
    /// Where trails put their log files (those buckets with the trails' calls), with the numbers
    /// of files, digests and events they were worked out from: a filter change on the Identities
    /// tab, and the overview each half second of a load, ask for them.
    places: RefCell<Option<PlacesCache>>,
    /// Files given and not read (see [`Engine::left_unread`]).
    unread: Option<Unread>,
    /// Files opened from now on are hashed as they are read (see [`Engine::hash_while_reading`]).
    hash_on_read: bool,
    /// Decompressed content of files hashed as they were read, kept whole for the caller to hash
    /// (see [`Engine::take_kept`]).
    kept: Vec<(FileId, Vec<u8>)>,
    /// Files read again after their load to hash them (see [`Engine::read_again`]).
    read_again: u64,
}

/// A file of JSON lines cut into parts (see [`Engine::split`]): each part's report so far, in file order.
struct Split {
    file: FileId,
    parts: Vec<SplitPart>,
}

/// One part of a [`Split`] file: the lines that start in `start..end`.
struct SplitPart {
    start: u64,
    end: u64,
    /// What reading it gave so far: the report of the last batch that carried it, or, once this
    /// engine read it itself, the reader's.
    report: FileReport,
    /// Events its batches gave that this engine held already (counted as duplicates).
    held: u64,
    /// Read to its end (or given up: see [`Engine::part_unread`]).
    done: bool,
    /// Why it was not read at all, if it was not (see [`Engine::part_unread`]).
    unread: Option<String>,
    /// This engine is reading it (its report is the open reader's until it closes).
    here: bool,
}

impl Split {
    fn part(&mut self, start: u64) -> Option<&mut SplitPart> {
        self.parts.iter_mut().find(|p| p.start == start)
    }

    fn done(&self) -> bool {
        self.parts.iter().all(|p| p.done)
    }

    /// The file's report: its parts' together, first saying which bytes were not read (one warning
    /// for each run of neighbouring parts left for the same reason, so a cancelled load of a file in
    /// a hundred parts says so once, not a hundred times, and never after the cap on warnings).
    fn report(&self) -> FileReport {
        let read = self.parts.iter().filter(|p| p.unread.is_none()).map(|p| &p.report);
        let mut r = FileReport::of_parts(read, self.done());
        let mut not_read = Vec::new();
        let mut at = 0;
        while at < self.parts.len() {
            let Some(why) = &self.parts[at].unread else {
                at += 1;
                continue;
            };
            let mut last = at;
            while self.parts.get(last + 1).is_some_and(|p| p.unread.as_ref() == Some(why)) {
                last += 1;
            }
            let (start, end) = (self.parts[at].start, self.parts[last].end);
            not_read.push(crate::ingest::Warning {
                offset: Some(start),
                message: format!(
                    "bytes {} to {} of this file were not read: {why}",
                    crate::text::thousands(start),
                    crate::text::thousands(end)
                ),
            });
            at = last + 1;
        }
        if !not_read.is_empty() {
            r.cut = true;
            r.warnings_total += not_read.len() as u64;
            not_read.append(&mut r.warnings);
            not_read.truncate(crate::ingest::limits::MAX_WARNINGS_PER_FILE);
            r.warnings = not_read;
        }
        r
    }
}

/// Counts over the first `rows` rows of the store, as it was after `upgrades` in-place changes, and
/// the last answer made from them (the overview, its view and the filter bar all ask, every refresh).
#[derive(Default)]
struct AllCounts {
    rows: usize,
    upgrades: u64,
    tally: Tally,
    /// Lists cut at [`MAX_LIST`], and the number of event names before the cut.
    listed: Option<(Counts, u64)>,
}

impl Engine {
    /// An empty engine.
    pub fn new() -> Self {
        Self::default()
    }

    /// An engine for an ingest worker: it reads files for [`Self::take_batch`] and keeps every
    /// record, duplicates included, so that the engine absorbing the batches, which sees every
    /// copy of an event, chooses which one counts (see [`Self::absorb_batch`]).
    pub fn for_batches() -> Self {
        let mut e = Self::new();
        e.store.keep_every_record();
        e
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The input files.
    pub fn files(&self) -> &[Box<FileEntry>] {
        &self.files
    }

    /// Whether files opened from now on are also hashed as they are read, for the integrity check,
    /// rather than read again after the load: for files the check needs hashed (the worker asks
    /// [`Engine::wants_hash`] before each file). A file that decompresses to at most [`KEEP_BYTES`] is kept whole at its end, for the
    /// caller to hash with the browser's faster SHA-256 ([`Engine::take_kept`]); a bigger one is
    /// hashed here as it is read. A file not read to its end is hashed by reading it again, as
    /// before ([`Engine::integrity_to_hash`]).
    pub fn hash_while_reading(&mut self, on: bool) {
        self.hash_on_read = on;
    }

    /// Whether the file at `path`, about to be read, is one to hash as it is read (see
    /// [`Engine::hash_while_reading`]): a digest (the chain check needs its hash), a file whose name a
    /// digest read so far lists, or, while `digests_pending` (digests given and not all read yet,
    /// which may list it), any file. With no digest given, none.
    pub fn wants_hash(&self, path: &str, digests_pending: bool) -> bool {
        digests_pending || crate::integrity::digest_named(path) || self.integrity.may_list(path)
    }

    /// Whether a file being read is at a `CloudTrail-Digest` path.
    pub fn reading_digest(&self) -> bool {
        self.open
            .iter()
            .any(|(id, _)| self.files.get(*id as usize).is_some_and(|f| crate::integrity::digest_named(&f.path)))
    }

    /// The decompressed content of each file closed since the last call that was hashed as it was
    /// read and kept whole: the caller hashes it and gives the outcome to
    /// [`Engine::set_integrity_hash`] (or [`Engine::hash_kept_here`] does).
    pub fn take_kept(&mut self) -> Vec<(FileId, Vec<u8>)> {
        std::mem::take(&mut self.kept)
    }

    /// Hashes here, in wasm, the content [`Engine::take_kept`] would give.
    pub fn hash_kept_here(&mut self) {
        for (file, content) in self.take_kept() {
            self.set_integrity_hash(file, HashOutcome::of_content(&content));
        }
    }

    /// Registers a file about to be pushed.
    pub fn open_file(&mut self, path: &str, size: u64) -> FileId {
        let id = self.files.len() as FileId;
        let mut reader = FileReader::new(id, path);
        if self.hash_on_read {
            reader = reader.hashing(KEEP_BYTES);
        }
        if self.integrity.reading(path) {
            // A check asked while it is read must not say it was not read.
            self.integrity_cache.get_mut().take();
        }
        self.files.push(Box::new(FileEntry { path: path.to_owned(), size, report: FileReport::default() }));
        self.open.push((id, reader));
        id
    }

    /// Cuts the file this engine is reading, `file`, so that other readers share it, when it is plain
    /// text of events one after another, one per line or pretty-printed (see [`FileReader::can_cut`]):
    /// this engine reads on to about `keep_to` bytes (to the end of the record under way there, or
    /// further on when it read more already), and the records after that are left in parts of about
    /// `piece` bytes, answered as `(start, end)` byte ranges. Each is read by [`Self::open_file_part`] in an ingest worker's
    /// engine, whose batches [`Self::absorb_split`] takes, or by [`Self::open_part`] here. Until every
    /// part is read, the file is listed with what its parts gave so far and counts as open. Answers
    /// none, cutting nothing, for a file that cannot be cut or is too short to be worth it.
    pub fn split(&mut self, file: FileId, keep_to: u64, piece: u64) -> Vec<(u64, u64)> {
        let Some(size) = self.files.get(file as usize).map(|f| f.size) else { return Vec::new() };
        if self.splits.iter().any(|s| s.file == file) || keep_to.saturating_add(piece / 2) >= size {
            return Vec::new();
        }
        let Some((_, reader)) = self.open.iter_mut().find(|(id, _)| *id == file) else { return Vec::new() };
        let Some(at) = reader.end_at(keep_to) else { return Vec::new() };
        let rest = crate::ingest::range::cut(at, size, piece);
        let part = |start, end, here| SplitPart {
            start,
            end,
            report: FileReport::default(),
            held: 0,
            done: false,
            unread: None,
            here,
        };
        let mut parts = vec![part(0, at, true)];
        parts.extend(rest.iter().map(|&(start, end)| part(start, end, false)));
        self.splits.push(Split { file, parts });
        rest
    }

    /// Opens, to read here, the part of split file `file` (see [`Self::split`]) that starts at
    /// `start` (one no other reader took: an ingest worker lost before it began). Answers the byte to
    /// push from, or `None` if there is no such part to read.
    pub fn open_part(&mut self, file: FileId, start: u64) -> Option<u64> {
        let part = self.split_part(file, start).filter(|p| !p.done && !p.here)?;
        part.here = true;
        let end = part.end;
        let reader = FileReader::new(file, &self.files[file as usize].path).records_in(start, end);
        let first = reader.first_byte();
        self.open.push((file, reader));
        Some(first)
    }

    /// Registers a part of a file about to be pushed, in an ingest worker's engine: the records of file
    /// `path` (of `size` bytes) that start in `start..end`, pushed from a few bytes before `start` (see
    /// [`crate::ingest::range`]). Its batches carry the part's report under the file's path.
    pub fn open_file_part(&mut self, path: &str, size: u64, start: u64, end: u64) -> FileId {
        let id = self.files.len() as FileId;
        self.files.push(Box::new(FileEntry { path: path.to_owned(), size, report: FileReport::default() }));
        self.open.push((id, FileReader::new(id, path).records_in(start, end)));
        id
    }

    /// Whether the open reader of a part of a file (see [`Self::open_part`]) has read all the records
    /// it owns, or the one this engine reads of a split file has read to where it was cut: no more need
    /// be pushed.
    pub fn part_read(&self, file: FileId) -> bool {
        self.open.iter().any(|(id, reader)| *id == file && reader.part_done())
    }

    /// A part of split file `file` (see [`Self::split`]) that starts at `start` will not be read (`why`:
    /// loading was cancelled, the memory is full): the file says which bytes were not read.
    pub fn part_unread(&mut self, file: FileId, start: u64, why: &str) {
        let Some(part) = self.split_part(file, start).filter(|p| !p.done && !p.here) else { return };
        (part.unread, part.done) = (Some(why.to_owned()), true);
        self.split_changed(file);
    }

    /// A part of split file `file` that starts at `start` was being read by an ingest worker that is
    /// gone (`why`): the file keeps what the part gave, and a warning says the rest of it was not read.
    pub fn split_part_lost(&mut self, file: FileId, start: u64, why: &str) {
        let Some(part) = self.split_part(file, start).filter(|p| !p.done) else { return };
        part.report.part_lost(start, part.end, why);
        part.done = true;
        self.split_changed(file);
    }

    /// The part of split file `file` that starts at `start`, if `file` is split and still read.
    fn split_part(&mut self, file: FileId, start: u64) -> Option<&mut SplitPart> {
        self.splits.iter_mut().find(|s| s.file == file)?.part(start)
    }

    /// A part of split file `file` changed: its listed report is the parts' so far; once every part
    /// is read, it is done as a file closed is.
    fn split_changed(&mut self, file: FileId) {
        let Some(at) = self.splits.iter().position(|s| s.file == file) else { return };
        self.files[file as usize].report = self.splits[at].report();
        if self.splits[at].done() {
            self.splits.swap_remove(at);
            self.settle_copies();
            let f = &self.files[file as usize];
            self.integrity.digest_read(file, f.report.digest.as_deref(), &f.path, f.report.kind);
        }
        self.integrity_cache.get_mut().take();
    }

    /// Feeds the next chunk of an open file.
    pub fn push(&mut self, file: FileId, chunk: &[u8]) {
        if let Some((_, reader)) = self.open.iter_mut().find(|(id, _)| *id == file) {
            reader.push(chunk, &mut self.store);
        }
    }

    /// Reading an open file failed (`why`, as the browser said): its report says so, naming no other
    /// file, and what was read before stays. Close it as usual.
    pub fn read_failed(&mut self, file: FileId, why: &str) {
        if let Some((_, reader)) = self.open.iter_mut().find(|(id, _)| *id == file) {
            reader.read_failed(why);
        }
    }

    /// Loading was cancelled while an open file was read: its report says how far it got, and what
    /// was read before stays. Close it as usual.
    pub fn read_cancelled(&mut self, file: FileId) {
        if let Some((_, reader)) = self.open.iter_mut().find(|(id, _)| *id == file) {
            reader.cancelled();
        }
    }

    /// Loading stopped while an open file was read (`why`, as "the engine's memory reached its
    /// limit"): as [`Engine::read_cancelled`], with the reason said. Close it as usual.
    pub fn read_stopped(&mut self, file: FileId, why: &str) {
        if let Some((_, reader)) = self.open.iter_mut().find(|(id, _)| *id == file) {
            reader.stopped(why);
        }
    }

    /// Ends a file.
    pub fn close_file(&mut self, file: FileId) {
        if let Some(at) = self.open.iter().position(|(id, _)| *id == file) {
            let (_, reader) = self.open.swap_remove(at);
            if let Some(split) = self.splits.iter_mut().find(|s| s.file == file) {
                // One part of a split file (parts are never hashed).
                let report = reader.finish(&mut self.store);
                if let Some(part) = split.parts.iter_mut().find(|p| p.here) {
                    (part.report, part.done, part.here) = (report, true, false);
                }
                self.split_changed(file);
                return;
            }
            let (report, hashed) = reader.finish_hashed(&mut self.store);
            self.files[file as usize].report = report;
            match hashed {
                Some(Finished::Done(outcome)) => self.integrity.set_hash(file, outcome),
                Some(Finished::Whole(content)) => self.kept.push((file, content)),
                None => {}
            }
            self.settle_copies();
            let f = &self.files[file as usize];
            self.integrity.digest_read(file, f.report.digest.as_deref(), &f.path, f.report.kind);
            self.integrity_cache.get_mut().take();
        }
    }

    /// A file given to the engine was never read, as loading was cancelled or the memory filled
    /// first: the integrity check says so for a file a digest lists, rather than "missing", and the
    /// summary counts those a Cancel left (`input.cancelled`) until they are given again and read.
    pub fn not_read(&mut self, path: &str, why: NotRead, size: Option<u64>) {
        self.integrity.not_read(path, why, size);
        self.integrity_cache.get_mut().take();
    }

    /// A dropped folder was not listed: a Cancel stopped the walk of the drop first (see
    /// [`crate::integrity::Integrity::not_listed`]). The integrity check says a log a digest lists
    /// that may be in it was not found, rather than "missing", and the summary names it
    /// (`input.cancelled.folders_not_listed`) until a file in it is read.
    pub fn not_listed(&mut self, folder: &str) {
        self.integrity.not_listed(folder);
        self.integrity_cache.get_mut().take();
    }

    /// A file given to the engine is left unread (`why`: the engine's worker reached its memory
    /// limit): nothing of it is listed, but the summary says how many files were left so, their
    /// bytes, the first one's path and why, so a summary of an incomplete load says it is one.
    pub fn left_unread(&mut self, path: &str, size: u64, why: &str) {
        let u = self.unread.get_or_insert_with(|| Unread { why: why.to_owned(), ..Unread::default() });
        u.files += 1;
        u.bytes += size;
        u.first.get_or_insert_with(|| path.to_owned());
    }

    /// The files given and not read so far (see [`Self::left_unread`]), if any.
    pub fn unread(&self) -> Option<&Unread> {
        self.unread.as_ref()
    }

    /// Reads a whole file held in memory.
    pub fn ingest_bytes(&mut self, path: &str, bytes: &[u8]) -> FileId {
        let id = self.open_file(path, bytes.len() as u64);
        for chunk in bytes.chunks(1 << 20) {
            self.push(id, chunk);
        }
        self.close_file(id);
        id
    }

    /// Everything read so far, as a batch for another engine's [`Self::absorb_batch`]; this engine is
    /// then empty again. An ingest worker calls it between files, or in the middle of a large one:
    /// at most one file may be open, and it must be the last one opened. Its events so far go in the
    /// batch, marked as a part, and it stays open here as this engine's first file, so its next
    /// batch starts with the rest of it (see [`Self::absorb_part`]). See [`crate::store::Store::absorb`].
    ///
    /// # Panics
    ///
    /// When more than one file is open, or the open one is not the last opened.
    pub fn take_batch(&mut self) -> Vec<u8> {
        assert!(self.open.len() <= 1, "a batch holds at most one file still being read");
        // Content the caller did not hash is hashed here, so no file's hash is lost with the batch.
        self.hash_kept_here();
        let open = self.open.pop();
        if let Some((id, _)) = &open {
            assert_eq!(*id as usize + 1, self.files.len(), "the file still being read is the last one opened");
        }
        let mut w = crate::store::wire::Writer::default();
        w.u64(self.files.len() as u64);
        for (i, f) in self.files.iter().enumerate() {
            // The entry as JSON (it is small and serde already knows it), then the digest, which the
            // JSON leaves out. A file still being read has its report so far.
            let json = match &open {
                Some((id, reader)) if *id as usize == i => serde_json::to_string(&FileEntry {
                    path: f.path.clone(),
                    size: f.size,
                    report: reader.report().clone(),
                }),
                _ => serde_json::to_string(f),
            };
            w.str(&json.unwrap_or_default());
            match &f.report.digest {
                Some(d) => {
                    w.u64(1);
                    w.bytes(d);
                }
                None => w.u64(0),
            }
            // Its content's hash, when it was taken as it was read.
            match self.integrity.hash(i as FileId) {
                Some(HashOutcome::Hashed { sha256, bytes }) => {
                    w.u64(1);
                    w.bytes(sha256);
                    w.u64(*bytes);
                }
                _ => w.u64(0),
            }
        }
        // Whether the last file is a part (the rest of it comes in the next batch).
        w.u64(u64::from(open.is_some()));
        w.bytes(&self.store.encode_batch());
        let last = self.files.pop();
        let hash_on_read = self.hash_on_read;
        *self = if self.store.keeps_every_record() { Engine::for_batches() } else { Engine::new() };
        self.hash_on_read = hash_on_read;
        if let (Some((_, mut reader)), Some(entry)) = (open, last) {
            reader.renumber(0);
            self.files.push(Box::new(FileEntry { path: entry.path, size: entry.size, report: FileReport::default() }));
            self.open.push((0, reader));
        }
        w.out
    }

    /// Adds a batch from another engine's [`Self::take_batch`]: its files join the file list (their
    /// ids are returned, in the batch's order), its events the store. Events this engine already held
    /// move from a file's "events" to its "duplicates". A batch that cannot be read adds nothing.
    /// A batch that ends with part of a file is refused: batches of an ingest worker that reads
    /// files in parts are for [`Self::absorb_part`], which also knows which file the next continues.
    pub fn absorb_batch(&mut self, bytes: &[u8]) -> Result<Vec<FileId>, String> {
        self.absorb(bytes, None, false, &[]).map(|(ids, _)| ids)
    }

    /// Adds a batch that may carry parts of a file an ingest worker reads across several batches:
    /// `continues` is the file (as this engine numbered it) whose part ended that worker's last
    /// batch, which this batch's first file then continues. Returns the ids of the batch's files, in
    /// its order, and the file still being read if the batch ends with a part of one.
    ///
    /// Until its last part, such a file is listed with its events so far and counts as open: which
    /// copy of a duplicated event stands for it waits for its end, as for a file this engine reads
    /// (see `settle_copies`). Each part's report counts the whole file so far, so it replaces
    /// the last one, less every event its parts gave that this engine already held.
    pub fn absorb_part(
        &mut self,
        bytes: &[u8],
        continues: Option<FileId>,
    ) -> Result<(Vec<FileId>, Option<FileId>), String> {
        self.absorb(bytes, continues, true, &[])
    }

    /// As [`Self::absorb_part`], for a batch that may also carry parts of split files (see
    /// [`Self::split`]): `part_of[i]`, when set, says the batch's file `i` is the part of file `.0`
    /// that starts at byte `.1`, which it adds to (a part read across batches carries on so, whatever
    /// `continues` says). Its report replaces that part's last one.
    pub fn absorb_split(
        &mut self,
        bytes: &[u8],
        continues: Option<FileId>,
        part_of: &[Option<(FileId, u64)>],
    ) -> Result<(Vec<FileId>, Option<FileId>), String> {
        self.absorb(bytes, continues, true, part_of)
    }

    fn absorb(
        &mut self,
        bytes: &[u8],
        continues: Option<FileId>,
        parts_allowed: bool,
        part_of: &[Option<(FileId, u64)>],
    ) -> Result<(Vec<FileId>, Option<FileId>), String> {
        let mut r = crate::store::wire::Reader::new(bytes);
        let n = r.count()?;
        let mut entries = Vec::with_capacity(n);
        let mut hashes = Vec::with_capacity(n);
        for _ in 0..n {
            let mut entry: FileEntry = serde_json::from_str(r.str()?)
                .map_err(|e| format!("a file entry of the batch is not readable: {e}"))?;
            if r.u64()? == 1 {
                entry.report.digest = Some(r.bytes()?.to_vec());
            }
            entries.push(entry);
            hashes.push(match r.u64()? {
                0 => None,
                1 => {
                    let sha256 = r.bytes()?.try_into().map_err(|_| "a file hash of the batch is not 32 bytes")?;
                    Some(HashOutcome::Hashed { sha256, bytes: r.u64()? })
                }
                _ => return Err("a file hash marker of the batch is not readable".into()),
            });
        }
        let ends_in_part = match r.u64()? {
            0 => false,
            1 if n > 0 && parts_allowed => true,
            1 => return Err("the batch ends with part of a file".into()),
            _ => return Err("the batch's part marker is not readable".into()),
        };
        let store_bytes = r.bytes()?;
        if !r.done() {
            return Err("the batch has bytes after its end".into());
        }
        self.check_parts(&entries, part_of)?;
        let part_of = |i: usize| part_of.get(i).copied().flatten();
        // A part read across batches carries on as a part, not as the file the last batch ended in.
        let continues = continues.filter(|_| part_of(0).is_none());
        let continued = match continues {
            None => None,
            Some(file) => {
                let at = self.parts.iter().position(|(id, _)| *id == file);
                match (at, entries.first()) {
                    (Some(at), Some(first)) if self.files[file as usize].path == first.path => Some(at),
                    _ => return Err(format!("the batch does not continue file {file}")),
                }
            }
        };
        let mut next = self.files.len() as FileId;
        let ids: Vec<FileId> = (0..n)
            .map(|i| match (continues, part_of(i)) {
                (_, Some((file, _))) => file,
                (Some(file), None) if i == 0 => file,
                _ => {
                    next += 1;
                    next - 1
                }
            })
            .collect();
        let absorbed = self.store.absorb(store_bytes, &ids)?;
        let held_earlier = continued.map_or(0, |at| self.parts.swap_remove(at).1);
        let mut split_files = Vec::new();
        for (i, ((mut entry, held), &id)) in entries.into_iter().zip(absorbed.held_before).zip(&ids).enumerate() {
            if let Some((file, start)) = part_of(i) {
                self.absorb_split_part(file, start, entry.report, held, !(ends_in_part && i + 1 == n));
                split_files.push(file);
                continue;
            }
            let held = held + if i == 0 { held_earlier } else { 0 };
            entry.report.events -= held.min(entry.report.events);
            entry.report.duplicates += held;
            if ends_in_part && i + 1 == n {
                self.parts.push((id, held));
            }
            if let Some(listed) = self.files.get_mut(id as usize) {
                **listed = entry;
            } else {
                self.integrity.reading(&entry.path);
                self.files.push(Box::new(entry));
            }
        }
        for file in split_files {
            self.split_changed(file);
        }
        self.settle_copies();
        let open = ends_in_part.then(|| ids[n - 1]);
        let split = |i: usize| part_of(i).is_some();
        for (_, (&id, hash)) in
            ids.iter().zip(hashes).enumerate().filter(|&(i, (&id, _))| Some(id) != open && !split(i))
        {
            let f = &self.files[id as usize];
            self.integrity.digest_read(id, f.report.digest.as_deref(), &f.path, f.report.kind);
            if let Some(hash) = hash {
                self.integrity.set_hash(id, hash);
            }
        }
        self.integrity_cache.get_mut().take();
        Ok((ids, open))
    }

    /// Checks that each of a batch's `entries` that `part_of` says is a part of a split file is one
    /// still being read elsewhere, of a file of the same path.
    fn check_parts(&self, entries: &[FileEntry], part_of: &[Option<(FileId, u64)>]) -> Result<(), String> {
        for (i, (entry, of)) in entries.iter().zip(part_of).enumerate() {
            let Some((file, start)) = *of else { continue };
            let split = self.splits.iter().find(|s| s.file == file);
            let part = split.and_then(|s| s.parts.iter().find(|p| p.start == start));
            if !part.is_some_and(|p| !p.done && !p.here) || self.files[file as usize].path != entry.path {
                return Err(format!("the batch's file {i} is not a part of file {file} still being read"));
            }
        }
        Ok(())
    }

    /// A batch's `report` of the part of split `file` at `start` (checked by [`Self::check_parts`]),
    /// which gave `held` events this engine held already: it replaces the part's last one, less every
    /// event its batches gave that were held; `done` once the batch ends the part.
    fn absorb_split_part(&mut self, file: FileId, start: u64, mut report: FileReport, held: u64, done: bool) {
        let Some(part) = self.split_part(file, start) else { return };
        part.held += held;
        report.events -= part.held.min(report.events);
        report.duplicates += part.held;
        (part.report, part.done) = (report, done);
    }

    /// The ingest worker reading `file` in parts is gone (`why`) before its last part: the file
    /// keeps what its parts gave, and a warning says the rest was not read.
    pub fn part_lost(&mut self, file: FileId, why: &str) {
        let Some(at) = self.parts.iter().position(|(id, _)| *id == file) else { return };
        self.parts.swap_remove(at);
        self.files[file as usize].report.lost_partway(why);
        self.settle_copies();
        self.integrity_cache.get_mut().take();
    }

    /// Settles which copy each duplicated event stands for, whatever order files and batches came
    /// in: the JSON before a console CSV row, then the file first by path (the order the files are
    /// listed in), then the copy read first. When a row moves to another file's copy, the event
    /// counts as loaded from that file and as a duplicate in the other. Files still being read
    /// wait until they are closed (or, read in parts by an ingest worker, until their last part).
    fn settle_copies(&mut self) {
        let (files, open, parts) = (&self.files, &self.open, &self.parts);
        let rank =
            |l: &Locator| (l.kind == RecordKind::CsvRow, files.get(l.file as usize).map_or("", |f| f.path.as_str()));
        let splits = &self.splits;
        let ready = |f: FileId| {
            open.iter().all(|(id, _)| *id != f)
                && parts.iter().all(|(id, _)| *id != f)
                && splits.iter().all(|s| s.file != f)
        };
        let moves = self.store.settle(ready, |a, b| rank(a) < rank(b));
        for (from, to) in moves {
            let from = &mut self.files[from as usize].report;
            from.events = from.events.saturating_sub(1);
            from.duplicates += 1;
            let to = &mut self.files[to as usize].report;
            to.events += 1;
            to.duplicates = to.duplicates.saturating_sub(1);
        }
    }

    /// Files the integrity check still needs hashed (their decompressed content's SHA-256), in file
    /// order: the worker reads each again after ingest and gives the outcome to [`Self::set_integrity_hash`].
    pub fn integrity_to_hash(&self) -> Vec<FileId> {
        let files: Vec<(&str, FileKind)> = self.files.iter().map(|f| (f.path.as_str(), f.report.kind)).collect();
        self.integrity.to_hash(&files)
    }

    /// Notes that `files` more files were read again to hash them (see [`Self::integrity_to_hash`]),
    /// as the integrity report says (`read_again`).
    pub fn read_again(&mut self, files: u64) {
        self.read_again += files;
        self.integrity_cache.get_mut().take();
    }

    /// Records a file's hash for the integrity check.
    pub fn set_integrity_hash(&mut self, file: FileId, outcome: HashOutcome) {
        self.integrity.set_hash(file, outcome);
        self.integrity_cache.get_mut().take();
    }

    /// Asks the integrity check again of the files not hashed because loading was cancelled or
    /// checking stopped first: [`Self::integrity_to_hash`] gives them again. Returns how many.
    pub fn check_again(&mut self) -> u64 {
        let n = self.integrity.unstop();
        if n > 0 {
            self.integrity_cache.get_mut().take();
        }
        n
    }

    /// The integrity check with `keys` (cached until files or hashes change).
    pub fn integrity(&self, keys: &KeysInput) -> Rc<Checked> {
        if let Some((input, checked)) = self.integrity_cache.borrow().as_ref() {
            if input == keys {
                return Rc::clone(checked);
            }
        }
        let files: Vec<(&str, FileKind)> = self.files.iter().map(|f| (f.path.as_str(), f.report.kind)).collect();
        let material = (!keys.is_empty()).then(|| KeyMaterial::read(&keys.public_keys, &keys.signatures));
        let explained = crate::integrity::check::Explanations {
            causes: crate::analysis::logging::gap_causes(&self.store, &self.log_places()),
            deleted: crate::analysis::logging::deleted_files(&self.store),
            batches: crate::analysis::logging::batch_deletions(&self.store),
        };
        let mut checked = self.integrity.check(&files, material.as_ref(), &explained);
        checked.report.counts.read_again = self.read_again;
        let checked = Rc::new(checked);
        *self.integrity_cache.borrow_mut() = Some((keys.clone(), Rc::clone(&checked)));
        checked
    }

    /// A file's integrity finding, for badges on its events: `None` when no digest was dropped or the
    /// file is not a log file. Signature results do not change it (see the integrity report).
    pub fn file_integrity(&self, file: FileId) -> Option<Finding> {
        if !self.integrity.has_digests() {
            return None;
        }
        let cached = self.integrity_cache.borrow().as_ref().map(|(_, c)| Rc::clone(c));
        let checked = cached.unwrap_or_else(|| self.integrity(&KeysInput::default()));
        checked.by_file.get(file as usize).copied().flatten()
    }

    /// The counters.
    pub fn status(&self) -> Status {
        let mut s = Status {
            events: self.store.len() as u64,
            duplicates: self.store.duplicates(),
            store_bytes: self.store.heap_bytes() as u64,
            hashed: self.integrity.hashed(),
            integrity_changes: self.integrity.changes(),
            ..Status::default()
        };
        for f in &self.files {
            let r = &f.report;
            match r.kind {
                FileKind::Pending => {}
                FileKind::Logs => {
                    s.files += 1;
                    s.repeated += u64::from(r.events == 0 && r.duplicates > 0);
                }
                FileKind::Digest => {
                    s.files += 1;
                    s.skipped += 1;
                }
                FileKind::NotCloudTrail | FileKind::Empty | FileKind::Unreadable => {
                    s.files += 1;
                    s.unreadable += 1;
                }
            }
            s.warnings += r.warnings_total;
            s.files_cut += u64::from(r.cut);
            s.rejected += r.rejected;
            s.bytes_read += r.bytes_read;
            s.bytes_decoded += r.bytes_decoded;
        }
        for (_, reader) in &self.open {
            s.bytes_read += reader.report().bytes_read;
            s.bytes_decoded += reader.report().bytes_decoded;
        }
        s
    }

    /// Answers a query.
    pub fn query(&self, q: &Query) -> Response {
        match q {
            Query::Overview => Response::Overview(Box::new(self.overview())),
            Query::Counts(filter) => {
                let (counts, names_total) = if filter.is_empty() {
                    self.counts_all_listed()
                } else {
                    let mut counts = count(&self.store, Compiled::new(filter, &self.store).rows());
                    let names_total = counts.cut(MAX_LIST);
                    (counts, names_total)
                };
                Response::Counts { counts: Box::new(counts), names_total }
            }
            Query::SummaryJson => Response::SummaryJson(self.summary_json()),
            Query::Container(q) => {
                let ix = self.container.get(&self.store);
                Response::Container(Box::new(crate::analysis::container::answer(&ix, &self.store, q)))
            }
            Query::Identities(filter) => {
                let c = Compiled::new(filter, &self.store);
                Response::Identities(Box::new(identity::report_knowing(
                    &self.store,
                    &self.container.get(&self.store),
                    c.rows(),
                    &self.log_places(),
                )))
            }
            Query::Integrity(keys) => {
                let mut report = self.integrity(keys).report.cut(MAX_LIST);
                report.logging = crate::analysis::logging::report(&self.store, MAX_LIST, &self.log_places());
                report.monitoring = crate::analysis::logging::monitoring(&self.store, MAX_LIST, &self.log_places());
                Response::Integrity(Box::new(report))
            }
            Query::Events { filter, order, offset, limit } => {
                let mut cache = self.rows.borrow_mut();
                let rows = cache.rows(&self.store, filter);
                Response::Events(Box::new(events::page(&self.store, rows, *order, *offset, *limit)))
            }
            Query::Event { row } => Response::Event(self.event_detail(*row).map(Box::new)),
            Query::Values { field, filter, narrow } => {
                let values = self.values(*field, filter);
                let narrow = narrow.to_lowercase();
                // The empty value reads "(none)" in the menu, and is found by that text.
                let shown = |key: &str| if key.is_empty() { NONE_VALUE.to_owned() } else { key.to_lowercase() };
                let (mut total, mut listed) = (0, Vec::new());
                for c in values.iter().filter(|c| narrow.is_empty() || shown(&c.key).contains(&narrow)) {
                    total += 1;
                    if listed.len() < MAX_LIST {
                        listed.push(c.clone());
                    }
                }
                Response::Values(listed, total)
            }
            Query::Resolve(link) => {
                let ix = self.container.get(&self.store);
                Response::Resolved(Box::new(crate::link::resolve(link, &self.store, &ix)))
            }
            Query::Timeline(q) => {
                let mut answer = self.timeline(q).answer(&self.store, q.range, q.buckets);
                answer.off.clone_from(&self.log_places().off);
                Response::Timeline(Box::new(answer))
            }
        }
    }

    /// The values of `field` among the events `filter` keeps, counted as if none of the field's own
    /// were picked (they are alternatives: each count is what picking that value alone would keep),
    /// most first; cached while the store, field and filter stay the same, so each keystroke that
    /// narrows the list only reads it (counting every principal of 300,000 events took 28.0 ms
    /// natively, narrowing the counted list 0.88 ms: `cargo bench --bench filter`). The rows are the
    /// event table's when it shows that filter; otherwise they are read here and not kept, so the
    /// table's list stays for its next page.
    fn values(&self, field: Field, filter: &Filter) -> Rc<Vec<Count>> {
        let mut others = filter.clone();
        if let Some(list) = others.list_mut(field) {
            list.clear();
        }
        // The field's values left out are listed too, with what they would keep, to be put back.
        others.exclude.retain(|(x, _)| *x != field);
        let version = self.store.version();
        if let Some((v, f, of, values)) = self.values.borrow().as_ref() {
            if *v == version && *f == field && *of == others {
                return Rc::clone(values);
            }
        }
        // Let the last list go first, so that it and the new one are not held at once.
        *self.values.borrow_mut() = None;
        let (store, len) = (&self.store, self.store.len());
        let values = Rc::new(if others.is_empty() {
            // Every row: no list of them by time to make (and hold) for this.
            by_value(store, 0..len as u32, field)
        } else if let Some(rows) = self.rows.borrow().held(store, &others) {
            // The event table's filter: its rows are listed already.
            by_value(store, events::in_row_order(rows, len), field)
        } else {
            // Another filter (the field's own values picked, say): the rows it keeps, in row order,
            // without replacing the table's list, which its next page would have to make again.
            by_value(store, Compiled::new(&others, store).rows(), field)
        });
        *self.values.borrow_mut() = Some((version, field, others, Rc::clone(&values)));
        values
    }

    /// The timeline's events for `q`'s filter (without its time range) and grouping, cached while
    /// the store and those stay the same, so zooming and panning only count.
    fn timeline(&self, q: &TimelineQuery) -> Rc<Prepared> {
        let filter = Filter { from: None, to: None, ..q.filter.clone() };
        let version = self.store.version();
        if let Some((v, f, g, p)) = self.timeline.borrow().as_ref() {
            if *v == version && *f == filter && *g == q.group_by {
                return Rc::clone(p);
            }
        }
        let ix = self.container.get(&self.store);
        let p = Rc::new(Prepared::new(&self.store, &ix, &filter, q.group_by));
        *self.timeline.borrow_mut() = Some((version, filter, q.group_by, Rc::clone(&p)));
        p
    }

    /// The rows a filter keeps, oldest first.
    pub fn rows_matching(&self, filter: &Filter) -> Vec<u32> {
        self.rows.borrow_mut().rows(&self.store, filter).to_vec()
    }

    /// The rows `filter` keeps, grouped by the file their event is read from (see
    /// [`Store::locator`]), for reading them again: files in the order of their first kept row, each
    /// with its rows in row order. Rows only (4 bytes each, not a locator's 24): a search of the
    /// whole events plans every row held, and wasm memory, once grown, stays grown.
    pub fn rows_by_file(&self, filter: &Filter) -> Vec<(FileId, Vec<u32>)> {
        let mut by_file: std::collections::BTreeMap<FileId, Vec<u32>> = std::collections::BTreeMap::new();
        let mut order: Vec<FileId> = Vec::new();
        for r in self.rows_matching(filter) {
            let file = self.store.locator(r).file;
            let rows = by_file.entry(file).or_default();
            if rows.is_empty() {
                order.push(file);
            }
            rows.push(r);
        }
        order.into_iter().map(|f| (f, by_file.remove(&f).unwrap_or_default())).collect()
    }

    /// Searches the whole JSON of every event held for `text` (see [`crate::analysis::json_search`]),
    /// reading each file again with `read` (its path to its bytes as stored, `None` when it is gone),
    /// and keeps the rows found with the store. What the engine's worker does with the user's files,
    /// in one go, for native callers and tests.
    pub fn search_json(&mut self, text: &str, mut read: impl FnMut(&str) -> Option<Vec<u8>>) -> JsonSearchReport {
        let upto = self.store.len() as u32;
        let mut search = JsonSearch::new(text);
        let mut report =
            JsonSearchReport { text: text.to_owned(), total: u64::from(upto), ..JsonSearchReport::default() };
        for (file, rows) in self.rows_by_file(&Filter::default()) {
            let path = self.files.get(file as usize).map_or("", |f| f.path.as_str());
            let mut take = |r: u32, json: Result<String, String>| report.take(&mut search, path, r, json);
            let problems = export::Reread::whole(&self.store, rows, path, || read(path), &mut take);
            report.problems.extend(problems);
        }
        report.done = true;
        self.set_json_hits(search.finish(upto));
        report
    }

    /// Keeps the rows a search of the events' JSON found (see [`Store::set_json_hits`]).
    pub fn set_json_hits(&mut self, hits: crate::analysis::json_search::JsonHits) {
        self.store.set_json_hits(hits);
    }

    /// An event's table row and locator; `json` says the file must be read to fill it.
    pub fn event_detail(&self, row: u32) -> Option<EventDetail> {
        if row as usize >= self.store.len() {
            return None;
        }
        let locator = self.store.locator(row);
        let file = self.files.get(locator.file as usize)?;
        let (repo, image) = self.container.get(&self.store).belongs(&self.store, row);
        Some(EventDetail {
            view: events::view(&self.store, row),
            path: file.path.clone(),
            locator,
            gzip: file.report.gzip,
            json: Err("the original file must be read again to show this event".into()),
            csv_header: file.report.csv_header.clone(),
            repo,
            image,
        })
    }

    fn all_rows(&self) -> impl Iterator<Item = u32> {
        0..self.store.len() as u32
    }

    /// Counts over every event. Rows are only appended while loading, so only rows added since the
    /// last call are counted (the whole store again only after a row changed in place).
    pub fn counts_all(&self) -> Counts {
        self.synced_counts().tally.counts(&self.store)
    }

    /// [`Self::counts_all`] with lists cut at [`MAX_LIST`], and the number of event names before the
    /// cut; the same answer is reused until rows are added (every live refresh asks it several times).
    fn counts_all_listed(&self) -> (Counts, u64) {
        let mut all = self.synced_counts();
        if let Some(listed) = &all.listed {
            return listed.clone();
        }
        let mut counts = all.tally.counts_cut(&self.store, MAX_LIST);
        let names_total = counts.cut(MAX_LIST);
        all.listed = Some((counts.clone(), names_total));
        (counts, names_total)
    }

    fn synced_counts(&self) -> std::cell::RefMut<'_, AllCounts> {
        let mut all = self.all_counts.borrow_mut();
        let (len, upgrades) = (self.store.len(), self.store.upgrades());
        if all.rows > len || all.upgrades != upgrades {
            *all = AllCounts { upgrades, ..AllCounts::default() };
        }
        if all.rows < len {
            let from = all.rows as u32;
            all.tally.add(&self.store, from..len as u32);
            all.rows = len;
            all.listed = None;
        }
        all
    }

    /// The files in path order (ties in id order), with their ids. Not in id order: ids follow the
    /// order the ingest workers' batches arrive in, which changes from one load of a folder to the next.
    fn files_by_path(&self) -> impl Iterator<Item = (usize, &FileEntry)> {
        let mut order: Vec<usize> = (0..self.files.len()).collect();
        order.sort_by(|&a, &b| self.files[a].path.cmp(&self.files[b].path).then(a.cmp(&b)));
        order.into_iter().map(|id| (id, &*self.files[id]))
    }

    fn overview(&self) -> Overview {
        let (counts, names_total) = self.counts_all_listed();
        let by_path: Vec<(usize, &FileEntry)> = self.files_by_path().collect();
        // Files with problems first, then by path. Rows are made for the listed files only: a row
        // copies its path, and making one for each of a drop's thousands of files held a copy of
        // every path at once, each time the live overview was asked.
        let warned = |f: &FileEntry| f.report.warnings_total > 0;
        let files = by_path
            .iter()
            .filter(|(_, f)| warned(f))
            .chain(by_path.iter().filter(|(_, f)| !warned(f)))
            .take(MAX_FILES_LISTED)
            .map(|&(id, f)| {
                // A file being read has no report yet: its reader's so far gives its counts.
                let so_far = self
                    .open
                    .iter()
                    .find(|(open, _)| *open as usize == id)
                    .map_or(&f.report, |(_, reader)| reader.report());
                FileRow {
                    id: id as FileId,
                    path: f.path.clone(),
                    kind: f.report.kind,
                    formats: f.report.formats.clone(),
                    gzip: so_far.gzip,
                    bytes: f.size,
                    events: so_far.events,
                    duplicates: so_far.duplicates,
                    rejected: f.report.rejected,
                    warnings: f.report.warnings_total,
                }
            })
            .collect();
        let warnings = by_path
            .into_iter()
            .flat_map(|(id, f)| {
                f.report.warnings.iter().map(move |w| FileWarning {
                    file: id as FileId,
                    path: f.path.clone(),
                    offset: w.offset,
                    message: w.message.clone(),
                })
            })
            .take(MAX_WARNINGS_LISTED)
            .collect();
        let (logging, monitoring) = crate::analysis::logging::weakenings(&self.store, &self.log_places());
        let files_total = self.files.len() as u64;
        Overview { status: self.status(), counts, names_total, files, files_total, warnings, logging, monitoring }
    }

    /// The triage summary document; its schema is documented in the README.
    pub fn summary_json(&self) -> String {
        let c = self.counts_all();
        let ids = identity::report_knowing(
            &self.store,
            &self.container.get(&self.store),
            self.all_rows(),
            &self.log_places(),
        );
        let status = self.status();
        let map = |v: &[Count]| {
            v.iter().map(|c| (c.key.clone(), serde_json::Value::from(c.count))).collect::<serde_json::Map<_, _>>()
        };
        let stats = |v: &[identity::Stat]| {
            v.iter().map(|s| (s.key.clone(), serde_json::Value::from(s.events))).collect::<serde_json::Map<_, _>>()
        };
        let attention: Vec<serde_json::Value> = ids
            .attention
            .rows
            .iter()
            .map(|a| {
                serde_json::json!({
                    "kind": a.kind.slug(),
                    "severity": a.severity.slug(),
                    "title": a.title,
                    "why": a.why,
                    "events": a.events,
                    "first": format_iso(a.first),
                    "last": format_iso(a.last),
                })
            })
            .collect();
        let names: Vec<serde_json::Value> = c
            .by_name
            .iter()
            .map(|n: &NameCount| serde_json::json!({"source": n.source, "name": n.name, "count": n.count, "errors": n.errors}))
            .collect();
        let integrity = {
            let keys = self.integrity_cache.borrow().as_ref().map(|(k, _)| k.clone()).unwrap_or_default();
            let r = &self.integrity(&keys).report;
            let problems: Vec<serde_json::Value> = r
                .files
                .iter()
                .filter(|f| f.finding != crate::integrity::report::Finding::Verified)
                .map(|f| serde_json::json!({"path": f.path, "finding": f.finding.as_str(), "detail": f.detail, "digest": f.digest}))
                .collect();
            serde_json::json!({
                "state": r.state.as_str(),
                "counts": r.counts,
                "statements": r.statements,
                "files_not_verified": problems,
            })
        };
        let doc = serde_json::json!({
            "schema": "trailscope-summary/1",
            "generator": format!("Trailscope {}", env!("CARGO_PKG_VERSION")),
            "events": status.events,
            "duplicates": status.duplicates,
            "rejected_records": status.rejected,
            "time_range": {
                "first": c.first.map(format_iso),
                "last": c.last.map(format_iso),
            },
            "counts": {
                "by_event_source": map(&c.by_source),
                "by_event_name": names,
                "by_identity_type": map(&c.by_identity_type),
                "by_principal": map(&c.by_principal),
                "by_access_key_kind": stats(&ids.by_key_kind.rows),
                "by_client": stats(&ids.by_client.rows),
                "by_account": map(&c.by_account),
                "by_region": map(&c.by_region),
            },
            "attention": attention,
            "errors": {
                "total": c.errors,
                "by_error_code": map(&c.by_error),
            },
            "ecr": crate::analysis::container::summary(&self.container.get(&self.store), &self.store),
            "integrity": integrity,
            "logging": changes_summary(&crate::analysis::logging::report(&self.store, usize::MAX, &self.log_places())),
            "monitoring": changes_summary(&crate::analysis::logging::monitoring(&self.store, usize::MAX, &self.log_places())),
            "input": self.input_summary(&status),
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }

    /// Where trails put their log files, as far as the logs and files tell (see
    /// [`crate::analysis::logging::log_places`]): the buckets trails' calls name, those digests
    /// name, and the folder a dropped `AWSLogs/` sat in (a bucket copied down keeps its name).
    fn log_places(&self) -> Rc<crate::analysis::logging::LogPlaces> {
        let key = (self.files.len(), self.integrity.digest_count(), self.store.len());
        if let Some((_, places)) = self.places.borrow().as_ref().filter(|(k, _)| *k == key) {
            return Rc::clone(places);
        }
        let files = (key.0, key.1);
        let cached =
            self.file_buckets.borrow().as_ref().filter(|(f, d, _)| (*f, *d) == files).map(|(_, _, b)| Rc::clone(b));
        let known = cached.unwrap_or_else(|| {
            let folders = self.files.iter().filter_map(|f| {
                let parts = f.path.split('/');
                parts.clone().zip(parts.skip(1)).find(|&(_, next)| next == "AWSLogs").map(|(folder, _)| folder)
            });
            let distinct: hashbrown::HashSet<&str> = self.integrity.buckets().chain(folders).collect();
            let known = Rc::new(distinct.into_iter().map(str::to_owned).collect::<Vec<_>>());
            *self.file_buckets.borrow_mut() = Some((files.0, files.1, Rc::clone(&known)));
            known
        });
        let places = Rc::new(crate::analysis::logging::log_places(&self.store, known.iter().cloned()));
        *self.places.borrow_mut() = Some((key, Rc::clone(&places)));
        places
    }

    /// The summary's `input`: every file read, by path, and what was not read.
    fn input_summary(&self, status: &Status) -> serde_json::Value {
        let files: Vec<serde_json::Value> = self
            .files_by_path()
            .map(|(_, f)| {
                serde_json::json!({
                    "path": f.path,
                    "kind": f.report.kind,
                    "formats": f.report.formats,
                    "gzip": f.report.gzip,
                    "bytes": f.size,
                    "events": f.report.events,
                    "duplicates": f.report.duplicates,
                    "rejected": f.report.rejected,
                    "warnings_total": f.report.warnings_total,
                    "warnings": f.report.warnings,
                })
            })
            .collect();
        // Files a Cancel left unread and not read since: the load this summarises is incomplete.
        // The size of a file the page had not handed over when Cancel came was never asked.
        // So are the folders a Cancel stopped the walk of a drop before it listed.
        let folders: Vec<&str> = self.integrity.folders_not_listed().collect();
        let cancelled = match self.integrity.not_read_count(NotRead::Cancelled) {
            c if c.files == 0 && folders.is_empty() => serde_json::Value::Null,
            c => serde_json::json!({
                "files": c.files,
                "bytes": c.bytes,
                "files_size_unknown": c.size_unknown,
                "folders_not_listed": folders,
            }),
        };
        serde_json::json!({
            "files": files,
            "files_total": self.files.len(),
            "skipped_files": status.skipped,
            "repeated_files": status.repeated,
            "unreadable_files": status.unreadable,
            "warnings_total": status.warnings,
            "not_read": self.unread,
            "cancelled": cancelled,
        })
    }
}

/// The summary's `logging` (every change to a trail, an event data store or a trail's bucket) or
/// `monitoring` (to another service that watches the account), oldest first: report `r`.
fn changes_summary(r: &crate::analysis::logging::LoggingReport) -> serde_json::Value {
    let changes: Vec<serde_json::Value> = r
        .changes
        .iter()
        .map(|c| {
            serde_json::json!({
                "time": format_iso(c.time),
                "call": c.call,
                "source": c.source,
                "target": c.target.slug(),
                "trail": c.trail,
                "bucket": c.bucket,
                "on_bucket": c.target == crate::facts::trail::Target::Bucket,
                "effect": c.effect.slug(),
                "error_code": c.error_code,
                "lines": c.lines,
                "principal": c.who.principal,
                "principal_arn": c.who.arn,
                "started_again": c.started_again.map(format_iso),
                "event_id": c.events.first().map(|e| e.id.clone()),
            })
        })
        .collect();
    serde_json::json!({
        "changes_total": r.total,
        "stops": r.stops,
        "narrows": r.narrows,
        "refused": r.refused,
        "changes": changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The "+ Filter" menu of a field whose values are picked, under another filter, counts without
    /// replacing the event table's list of rows, so the table's next page does not filter again.
    #[test]
    fn ok_a_picked_fields_values_leave_the_tables_rows() {
        let mut e = Engine::new();
        for (path, bytes) in crate::sample::SAMPLE_FILES {
            e.ingest_bytes(path, bytes);
        }
        // The table shows what is picked: one repository's pushed images (`PutImage`). The menu
        // counts the repositories of every `PutImage` (each value an alternative to the one picked).
        let puts = Filter::default().with(Field::Name, "PutImage");
        let table = puts.with(Field::Repository, "web/frontend");
        let kept = e.rows_matching(&table);
        assert!(!kept.is_empty(), "the sample pushes to web/frontend");
        let asked = Query::Values { field: Field::Repository, filter: Box::new(table.clone()), narrow: String::new() };
        let Response::Values(values, _) = e.query(&asked) else { panic!("not values") };
        let by_hand = |repo: &str| Compiled::new(&puts.with(Field::Repository, repo), &e.store).rows().count() as u64;
        assert!(values.len() > 1, "the sample pushes to several repositories: {values:?}");
        assert!(values.iter().all(|v| v.count == by_hand(&v.key)), "{values:?}");
        assert_eq!(e.rows.borrow().held(&e.store, &table), Some(&kept[..]), "the table's rows are still held");
    }
}
