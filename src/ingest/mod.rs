//! Bytes → events + warnings, for every shape of CloudTrail log people have.
//!
//! A [`FileReader`] is a push-based state machine for one file: it takes chunks of any size, sniffs
//! gzip by magic bytes ([`decode`]), sniffs the text's shape by content, never by file name, finds
//! record boundaries while streaming ([`frame`]), parses each record into borrowing typed structs
//! ([`raw`]) and adds it to the [`Store`]. A bad record becomes a [`Warning`] naming its byte offset,
//! and the rest of the file still loads.
//!
//! ```
//! use trailscope::{ingest::FileReader, store::Store};
//! let mut store = Store::new();
//! let mut reader = FileReader::new(0, "AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/01/f.json");
//! reader.push(br#"{"Records":[{"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecr.amazonaws.com","#, &mut store);
//! reader.push(br#""eventName":"PutImage","eventID":"2bfd4ee2-2178-4a82-a27d-b12939923f0f"}]}"#, &mut store);
//! let report = reader.finish(&mut store);
//! assert_eq!((report.events, store.len()), (1, 1));
//! ```

pub mod csv;
pub mod decode;
pub mod frame;
pub mod json;
pub mod limits;
pub mod lines;
pub mod locate;
pub mod path;
pub mod progress;
pub mod quick;
pub mod range;
pub mod raw;
pub mod record;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use std::borrow::Cow;

use decode::Decoder;
use frame::{preview, Container, Frame, Framer, SkipReason};
use lines::Lines;
pub use locate::event_json;
pub use path::PathMeta;
use raw::{Flag, Lenient, Obj, RawEvent, RawIdentity, Text};
use record::{build_row, clip, looks_like_event, TimeSource};

use crate::integrity::hash::{ContentSha, Finished};
use crate::store::{FileId, Inserted, Locator, RecordKind, Store};

/// A problem with one file or one record in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Byte offset in the decompressed content, when it is about one place.
    pub offset: Option<u64>,
    /// What went wrong and what was done about it, in words for people.
    pub message: String,
}

/// What a file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum FileKind {
    /// Still reading.
    #[default]
    Pending,
    /// CloudTrail events (maybe zero, as in an empty `Records` array).
    Logs,
    /// A CloudTrail digest file: set aside for integrity checks, never counted as events.
    Digest,
    /// Not CloudTrail at all.
    NotCloudTrail,
    /// No bytes.
    Empty,
    /// The browser could not read it (gone from disk or changed since it was chosen): nothing was read.
    Unreadable,
}

/// The shapes a file's records came in (a file can mix them: concatenated exports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Format {
    /// `{"Records":[...]}`.
    Records,
    /// `aws cloudtrail lookup-events` output.
    LookupEvents,
    /// One event per line.
    JsonLines,
    /// A bare JSON array of events.
    JsonArray,
    /// A single event object.
    SingleEvent,
    /// CloudWatch Logs export lines.
    CloudWatchExport,
    /// CloudWatch Logs subscription payloads.
    CloudWatchSubscription,
    /// `aws logs filter-log-events` / `get-log-events` output.
    CloudWatchLogsApi,
    /// `aws logs get-query-results` output (CloudWatch Logs Insights).
    LogsInsights,
    /// EventBridge envelopes.
    EventBridge,
    /// Console Event history CSV.
    ConsoleCsv,
    /// A digest file.
    Digest,
}

/// What reading one file gave.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileReport {
    /// What the file is.
    pub kind: FileKind,
    /// Shapes seen, sorted.
    pub formats: Vec<Format>,
    /// Whether the file was gzip.
    pub gzip: bool,
    /// Compressed bytes read.
    pub bytes_read: u64,
    /// Decompressed bytes parsed.
    pub bytes_decoded: u64,
    /// Events added to the store.
    pub events: u64,
    /// Events already held (re-delivered).
    pub duplicates: u64,
    /// Records that could not be stored (each has a warning, up to the cap).
    pub rejected: u64,
    /// Warnings kept (at most [`limits::MAX_WARNINGS_PER_FILE`]).
    pub warnings: Vec<Warning>,
    /// All warnings, kept or not.
    pub warnings_total: u64,
    /// The decompressed digest JSON, for integrity checks.
    #[serde(skip)]
    pub digest: Option<Vec<u8>>,
    /// Cancel stopped reading it partway (see [`FileReader::cancelled`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cut: bool,
    /// The header cells of a console CSV download, which [`event_json`] needs to show a row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv_header: Option<Vec<String>>,
}

impl FileReport {
    fn warn(&mut self, offset: Option<u64>, message: String) {
        self.warnings_total += 1;
        if self.warnings.len() < limits::MAX_WARNINGS_PER_FILE {
            self.warnings.push(Warning { offset, message });
        }
    }

    /// The rest of the file was not read, because whatever read it is gone (`why`): what its events so
    /// far make it stays, and a warning says so.
    pub fn lost_partway(&mut self, why: &str) {
        let read = self.bytes_read;
        self.warn(
            None,
            format!("{why} after reading {read} bytes of this file; what came before was read, the rest was not"),
        );
        if self.kind == FileKind::Pending {
            self.kind = if self.events + self.duplicates > 0 || !self.formats.is_empty() {
                FileKind::Logs
            } else {
                FileKind::Unreadable
            };
        }
    }

    /// The part of a split file's lines in bytes `start..end` (see [`range`]) was not read to its end,
    /// because whatever read it is gone (`why`): what this report of it counts stays, a warning says
    /// how much of the part was read, and the part counts as cut.
    pub fn part_lost(&mut self, start: u64, end: u64, why: &str) {
        let [from, to, read] = [start, end, self.bytes_read].map(crate::text::thousands);
        self.warn(
            Some(start),
            format!("{why} while reading bytes {from} to {to} of this file: {read} bytes of them were read, the rest were not"),
        );
        self.cut = true;
    }

    fn saw(&mut self, f: Format) {
        if let Err(at) = self.formats.binary_search(&f) {
            self.formats.insert(at, f);
        }
    }

    /// The report of a file of JSON lines read in parts by several readers (see [`range`]), from the
    /// parts' reports in file order; `done` says whether every part is read (until then the file is
    /// `Pending`). Counts add up; warnings come in file order, up to the cap; a part that held one
    /// line counts as JSON lines, as the file does.
    pub fn of_parts<'a>(parts: impl IntoIterator<Item = &'a FileReport>, done: bool) -> FileReport {
        let mut out = FileReport::default();
        let mut kinds = Vec::new();
        for p in parts {
            kinds.push((p.kind, p.events + p.duplicates));
            for &f in &p.formats {
                out.saw(if f == Format::SingleEvent { Format::JsonLines } else { f });
            }
            out.gzip |= p.gzip;
            out.bytes_read += p.bytes_read;
            out.bytes_decoded += p.bytes_decoded;
            out.events += p.events;
            out.duplicates += p.duplicates;
            out.rejected += p.rejected;
            let room = limits::MAX_WARNINGS_PER_FILE.saturating_sub(out.warnings.len());
            out.warnings.extend(p.warnings.iter().take(room).cloned());
            out.warnings_total += p.warnings_total;
            out.cut |= p.cut;
        }
        out.kind = if !done {
            FileKind::Pending
        } else if kinds.iter().any(|&(k, n)| k == FileKind::Logs && n > 0) {
            FileKind::Logs
        } else {
            // No part holds an event: the file is what its first part found it to be.
            kinds.first().map_or(FileKind::Empty, |&(k, _)| k)
        };
        out
    }
}

/// What the text turned out to be, once enough of it was seen.
enum Body {
    /// Not enough text yet to tell JSON from lines or CSV.
    Sniff(Vec<u8>),
    Json(Box<Framer>),
    ExportLines(Lines),
    Csv(Box<csv::Records>, Option<Box<csv::Header>>),
    /// Not CloudTrail: the rest is not read.
    Ignored,
}

/// Reads one file, pushed in chunks, into a [`Store`].
pub struct FileReader {
    decoder: Decoder,
    body: Body,
    sink: Sink,
    /// The decoder stopped (truncated, corrupt, or a bomb): its warning says what came before was read,
    /// and a record cut off by that is not reported again.
    decode_failed: bool,
    /// Reading the file failed ([`FileReader::read_failed`]).
    unread: bool,
    /// The decompressed content's SHA-256 being taken as the file is read (see [`FileReader::hashing`]).
    hash: Option<Box<ContentSha>>,
    /// The part of the file this reader owns, when it reads one part of a file of events one after
    /// another that several read (see [`range`]).
    range: Option<range::RecordRange>,
}

/// Everything that handles records, apart from the framing state, so the framer can hand records
/// straight to it while streaming (no copies of frames or decoded pieces).
struct Sink {
    file: FileId,
    meta: PathMeta,
    report: FileReport,
    /// Objects that were neither events nor envelopes: count and the first one's offset and keys.
    unknown: (u64, Option<(u64, String)>),
    /// JSON values at the top level, to tell a single event from JSON lines.
    top_values: u64,
    /// Events whose time came from a pipeline's `@timestamp`: count and the first one's offset.
    pipeline_times: (u64, u64),
    notes: Vec<String>,
    /// The rest of the file is not read.
    stopped: bool,
    /// How many bytes of a [`Frame::Lead`] to check as UTF-8 before parsing it (see [`Sink::lead`]).
    lead_window: usize,
    /// Whether `Records` elements and lines are parsed as leads (off only to test that leads change
    /// nothing).
    leads: bool,
    /// A top-level value was an event: the file is JSON lines (or one event), so top-level values
    /// are taken as leads too (not before, so an envelope is not parsed once more as an event).
    lines: bool,
    /// Where the text read starts in the file: 0 but for a part of a file (see [`range`]).
    base: u64,
    /// Pages of a command's output: whether the last one said more were left.
    pages: Pages,
}

/// What the pages of a command's output (lookup-events, filter-log-events, get-query-results) say
/// about what they hold, for the warnings of [`Sink::conclude`].
#[derive(Default)]
struct Pages {
    /// Rows of the Logs Insights page being read, to compare with its statistics.
    rows: u64,
    /// The last page ended with a token for more (its offset, the token's key): the command was
    /// stopped before its last page. A page after it clears it.
    more: Option<(u64, &'static str)>,
    /// Logs Insights rows with no `@message`: count and the first one's offset.
    no_message: (u64, u64),
}

/// How a page ends: the keys after its array that say whether it holds everything.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct PageEnd<'a> {
    #[serde(borrow, rename = "NextToken")]
    next_token_upper: Option<&'a RawValue>,
    #[serde(borrow, rename = "nextToken")]
    next_token: Option<&'a RawValue>,
    #[serde(borrow)]
    statistics: Option<&'a RawValue>,
    #[serde(borrow)]
    status: Option<&'a RawValue>,
}

/// The least [`Sink::lead`] checks as UTF-8 ahead of an element, whatever the last one's length.
const LEAD_WINDOW: usize = 2 << 10;

impl FileReader {
    /// A reader for file number `file`, at relative `path` (which gives account/region/date).
    pub fn new(file: FileId, path: &str) -> Self {
        FileReader {
            decoder: Decoder::new(),
            body: Body::Sniff(Vec::new()),
            sink: Sink {
                file,
                meta: PathMeta::from_path(path),
                report: FileReport::default(),
                unknown: (0, None),
                top_values: 0,
                pipeline_times: (0, 0),
                notes: Vec::new(),
                stopped: false,
                lead_window: LEAD_WINDOW,
                leads: true,
                lines: false,
                pages: Pages::default(),
                base: 0,
            },
            decode_failed: false,
            unread: false,
            hash: None,
            range: None,
        }
    }

    /// A reader of the records of a plain-text file that start at a byte in `start..end` (see
    /// [`range::RecordRange`]), to be fed from [`FileReader::first_byte`]: offsets in its locators and
    /// warnings are the file's. Its report counts what it owns.
    #[must_use]
    pub fn records_in(mut self, start: u64, end: u64) -> Self {
        self.range = Some(range::RecordRange::new(start, end));
        self
    }

    /// Where the file is to be fed from: 0, or for a part of it ([`FileReader::records_in`]) a few
    /// bytes before its start.
    pub fn first_byte(&self) -> u64 {
        self.range.as_ref().map_or(0, range::RecordRange::first_byte)
    }

    /// Whether the file read so far can be cut where records start (see [`range`]), for other readers
    /// to read the records from some point on ([`FileReader::end_at`]): plain text (not gzip), read
    /// from its start and not hashed, whose top-level values so far were all events, at least two of
    /// them (on lines of their own or pretty-printed: see [`range`] for where records start).
    pub fn can_cut(&self) -> bool {
        let s = &self.sink;
        self.range.is_none()
            && self.hash.is_none()
            && !self.decoder.is_gzip()
            && !s.stopped
            && !self.decode_failed
            && matches!(self.body, Body::Json(_))
            && s.lines
            && s.top_values >= 2
            && s.unknown.0 == 0
    }

    /// Stops this reader, which reads a file from its start, after the record that holds byte
    /// `end - 1` (or the one under way, when more was read already), and answers where the records it
    /// leaves start: others read them (see [`range`]). Only where [`FileReader::can_cut`] says so;
    /// otherwise it answers `None` and reads on.
    pub fn end_at(&mut self, end: u64) -> Option<u64> {
        if !self.can_cut() {
            return None;
        }
        let r = range::RecordRange::ending(self.sink.report.bytes_read, end);
        let at = r.end();
        self.range = Some(r);
        Some(at)
    }

    /// Whether a reader of part of a file has read all it owns (nothing more need be fed).
    pub fn part_done(&self) -> bool {
        self.range.as_ref().is_some_and(range::RecordRange::done)
    }

    /// The same, also taking the SHA-256 of the decompressed content as it is read, for the integrity
    /// check (kept whole up to `keep` bytes, see [`ContentSha::keeping`]): [`FileReader::finish_hashed`]
    /// gives it when the whole file was decompressed.
    #[must_use]
    pub fn hashing(mut self, keep: usize) -> Self {
        self.hash = Some(Box::new(ContentSha::keeping(keep)));
        self
    }

    /// The same, with another cap on decompressed bytes than [`limits::MAX_DECOMPRESSED_BYTES`].
    pub fn with_max_decompressed(file: FileId, path: &str, max: u64) -> Self {
        let mut r = Self::new(file, path);
        r.decoder = Decoder::with_max_output(max);
        r
    }

    /// The same, framing every `Records` element and line before parsing it, as readers did
    /// before leads ([`frame::Frame::Lead`]): for tests that leads change nothing.
    #[doc(hidden)]
    #[must_use]
    pub fn framing_every_record(mut self) -> Self {
        self.sink.leads = false;
        self
    }

    /// What the path said.
    pub fn meta(&self) -> &PathMeta {
        &self.sink.meta
    }

    /// Gives the file another number: the store's rows it adds from now on carry it. An ingest
    /// worker's engine numbers its files afresh after each batch, and a file it was reading carries
    /// on as the first of the next (see [`crate::engine::Engine::take_batch`]).
    pub fn renumber(&mut self, file: FileId) {
        self.sink.file = file;
    }

    /// The report so far.
    pub fn report(&self) -> &FileReport {
        &self.sink.report
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8], store: &mut Store) {
        if self.sink.stopped {
            return;
        }
        let chunk = match &mut self.range {
            Some(r) => {
                let (owned, at) = r.owned(chunk);
                if owned.is_empty() {
                    return;
                }
                if self.sink.report.bytes_read == 0 {
                    self.sink.base = at;
                }
                owned
            }
            None => chunk,
        };
        self.sink.report.bytes_read += chunk.len() as u64;
        let FileReader { decoder, body, sink, hash, .. } = self;
        let result = decoder.push(chunk, &mut |piece| {
            if let Some(h) = hash {
                h.take(piece);
            }
            text(body, sink, piece, store);
        });
        // So far, for the file list and the status bar while the file is read.
        sink.report.bytes_decoded = decoder.produced();
        sink.report.gzip = decoder.is_gzip();
        if let Err(e) = result {
            if !self.sink.stopped {
                self.sink.report.warn(None, format!("{e}; what came before was read"));
            }
            self.sink.stopped = true;
            self.decode_failed = true;
        }
    }

    /// The file could not be read further (`why`, as the browser said): a warning names it, what came
    /// before is kept, and a record it cut off is not reported again.
    pub fn read_failed(&mut self, why: &str) {
        let read = self.sink.report.bytes_read;
        let message = if read == 0 {
            format!("the browser could not read the file: {why}")
        } else {
            format!(
                "the browser stopped reading the file after {} bytes: {why}; what came before was read",
                crate::text::thousands(read)
            )
        };
        self.sink.report.warn(None, message);
        self.sink.stopped = true;
        self.decode_failed = true;
        self.unread = true;
    }

    /// Loading was cancelled partway through the file: a warning says how much of it was read, and
    /// the record cut off there is not reported as broken, nor the end as missing.
    pub fn cancelled(&mut self) {
        self.stopped("loading was cancelled");
    }

    /// Loading stopped partway through the file (`why`, as "loading was cancelled"): as
    /// [`FileReader::cancelled`], with the reason said.
    pub fn stopped(&mut self, why: &str) {
        let read = crate::text::thousands(self.sink.report.bytes_read);
        let message = match &self.range {
            // A part of a file several read (see [`range`]): its bytes, not the file's.
            Some(_) => format!(
                "{why} after {read} bytes of the part of this file from byte {}; what came before was read, the rest of that part was not",
                crate::text::thousands(self.sink.base)
            ),
            None => format!("{why} after {read} bytes of this file; what came before was read, the rest was not"),
        };
        self.sink.report.warn(None, message);
        self.sink.report.cut = true;
        self.sink.stopped = true;
        self.decode_failed = true;
    }

    /// Ends the file and returns what it gave.
    pub fn finish(self, store: &mut Store) -> FileReport {
        self.finish_hashed(store).0
    }

    /// Ends the file and returns what it gave, with its decompressed content's hash (or the content
    /// whole, see [`FileReader::hashing`]) when it was taken and every byte of the file was
    /// decompressed: not for a file cut short, whose reading failed, that does not decompress, or
    /// that was left unread past its start as not CloudTrail. Those are hashed by reading them again.
    pub fn finish_hashed(mut self, store: &mut Store) -> (FileReport, Option<Finished>) {
        let FileReader { decoder, body, sink, decode_failed, unread, hash, range } = &mut self;
        let whole = !sink.stopped;
        if !sink.stopped {
            let result = decoder.finish(&mut |piece| {
                if let Some(h) = hash.as_deref_mut() {
                    h.take(piece);
                }
                text(body, sink, piece, store);
            });
            if let Err(e) = result {
                sink.report.warn(None, format!("{e}; what came before was read"));
                *decode_failed = true;
            }
        }
        sink.report.gzip = decoder.is_gzip();
        sink.report.bytes_decoded = decoder.produced();
        match std::mem::replace(body, Body::Ignored) {
            Body::Sniff(buf) => {
                if buf.iter().all(u8::is_ascii_whitespace) {
                    if range.is_some() && !*unread {
                        // A part of a file that owns no line (one longer than the part began before
                        // it), or only blank ones: nothing to say; the file is what its other parts
                        // make it.
                        sink.report.kind = FileKind::Logs;
                    } else if sink.report.bytes_read == 0 && *unread {
                        sink.report.kind = FileKind::Unreadable;
                    } else if sink.report.bytes_read == 0 {
                        sink.report.kind = FileKind::Empty;
                        sink.report.warn(None, "the file is empty".into());
                    } else if sink.report.kind == FileKind::Pending && sink.report.warnings.is_empty() {
                        sink.report.kind = FileKind::NotCloudTrail;
                        sink.report.warn(None, "the file holds no data (only whitespace)".into());
                    }
                } else {
                    *body = start_body(sink, buf, store);
                    end_body(body, sink, store);
                }
            }
            other if !*decode_failed => {
                *body = other;
                end_body(body, sink, store);
            }
            _ => {}
        }
        let hashed = match self.hash.take() {
            Some(h) if whole && !self.decode_failed && !self.unread => Some(h.finish()),
            _ => None,
        };
        (self.sink.conclude(), hashed)
    }
}

/// Decompressed text, in order.
fn text(body: &mut Body, sink: &mut Sink, piece: &[u8], store: &mut Store) {
    if piece.is_empty() || sink.stopped {
        return;
    }
    match body {
        Body::Sniff(buf) => {
            buf.extend_from_slice(piece);
            let first = buf.iter().position(|b| !b.is_ascii_whitespace());
            let decided = match first {
                Some(i) if matches!(buf[i], b'{' | b'[') => true,
                Some(_) => memchr::memchr(b'\n', buf).is_some() || buf.len() > 64 * 1024,
                None => false,
            };
            if decided {
                let buf = std::mem::take(buf);
                *body = start_body(sink, buf, store);
            }
        }
        Body::Json(framer) => framer.push_leading(piece, &mut |f| sink.lead_or_frame(f, store)),
        Body::ExportLines(lines) => {
            lines.push(piece, &mut |offset, line| sink.export_line(offset, line, store));
            sink.long_lines(&mut lines.skipped);
        }
        Body::Csv(records, header) => {
            records.push(piece, &mut |offset, rec| sink.csv_record(offset, rec, header, store));
            sink.csv_problems(&mut records.problems);
        }
        Body::Ignored => {}
    }
}

/// Decides what the text is from its first bytes, and feeds them to the reader for that shape.
fn start_body(sink: &mut Sink, buf: Vec<u8>, store: &mut Store) -> Body {
    let bom = if buf.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let first = buf[bom..].iter().position(|b| !b.is_ascii_whitespace()).map_or(buf.len(), |i| bom + i);
    let line_end = memchr::memchr(b'\n', &buf[first..]).map_or(buf.len(), |n| first + n);
    let line = &buf[first..line_end];
    let mut body = if matches!(buf.get(first), Some(b'{' | b'[')) {
        Body::Json(Box::default())
    } else if is_export_line(line) {
        Body::ExportLines(Lines::at(sink.base + bom as u64))
    } else if let Some(header) = csv::Header::parse(line.strip_suffix(b"\r").unwrap_or(line)) {
        sink.report.saw(Format::ConsoleCsv);
        sink.report.csv_header = Some(header.names.clone());
        // The header row itself is read (and skipped) by the record splitter, which starts at the BOM.
        Body::Csv(Box::new(csv::Records::at(sink.base + bom as u64)), None)
    } else {
        sink.report.kind = FileKind::NotCloudTrail;
        let what = if buf.iter().take(512).any(|&b| b == 0 || (b < 0x20 && !b.is_ascii_whitespace())) {
            "binary data, not a CloudTrail log".to_owned()
        } else if line.contains(&b',') && !line.contains(&b'{') {
            not_console_csv(line)
        } else {
            format!("not a CloudTrail log: the text {}", preview(line))
        };
        sink.report.warn(Some(sink.base), format!("this is {what}"));
        sink.stopped = true;
        return Body::Ignored;
    };
    let rest = &buf[bom..];
    match &mut body {
        Body::Json(framer) => {
            framer.skip_bytes(sink.base + bom as u64);
            framer.push_leading(rest, &mut |f| sink.lead_or_frame(f, store));
        }
        Body::ExportLines(lines) => {
            lines.push(rest, &mut |offset, line| sink.export_line(offset, line, store));
            sink.long_lines(&mut lines.skipped);
        }
        Body::Csv(records, header) => {
            records.push(rest, &mut |offset, rec| sink.csv_record(offset, rec, header, store));
            sink.csv_problems(&mut records.problems);
        }
        Body::Sniff(_) | Body::Ignored => {}
    }
    body
}

fn end_body(body: &mut Body, sink: &mut Sink, store: &mut Store) {
    match body {
        Body::Json(framer) => framer.finish(&mut |f| sink.frame(f, store)),
        Body::ExportLines(lines) => lines.finish(&mut |offset, line| sink.export_line(offset, line, store)),
        Body::Csv(records, header) => {
            records.finish(&mut |offset, rec| sink.csv_record(offset, rec, header, store));
            sink.csv_problems(&mut records.problems);
        }
        Body::Sniff(_) | Body::Ignored => {}
    }
}

/// The warning for a CSV file that is not an Event history download.
fn not_console_csv(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let names: Vec<String> = csv::cells(&text).iter().take(5).map(|c| clip(c.trim())).collect();
    let more = if csv::cells(&text).len() > 5 { ", …" } else { "" };
    format!(
        "a CSV file, but not a console Event history download: its columns are {}{more} (a download has User name, Event time, Event source, Event name, Event ID, …)",
        names.join(", ")
    )
}

impl Sink {
    /// The file's kind and its summary warnings, once everything was read.
    fn conclude(mut self) -> FileReport {
        let r = &mut self.report;
        if r.kind == FileKind::Pending {
            r.kind = if r.events + r.duplicates == 0 && r.digest.is_some() {
                FileKind::Digest
            } else if r.events + r.duplicates == 0 && r.formats.is_empty() {
                FileKind::NotCloudTrail
            } else {
                FileKind::Logs
            };
        }
        if let (n, Some((offset, keys))) = &self.unknown {
            if r.kind == FileKind::NotCloudTrail && r.rejected == 0 {
                r.warn(None, format!("this is JSON but not CloudTrail: its records have none of eventTime, eventName, eventSource, eventID (the first one has {keys})"));
            } else {
                r.warn(Some(*offset), format!("{n} JSON record(s) are not CloudTrail events and were skipped (the first one, at byte {offset}, has {keys})"));
            }
        }
        if let Some((offset, key)) = self.pages.more {
            r.warn(
                Some(offset),
                format!("the command's output stopped before its last page: the page at byte {offset} ends with a {key} (as `--max-items` or `--no-paginate` leave it), so the events of the pages after it are not in this file"),
            );
        }
        if let (n @ 1.., first) = self.pages.no_message {
            r.warn(
                Some(first),
                format!("{n} Logs Insights row(s) hold no @message field, so no event could be read from them (the first at byte {first}); run the query with `fields @timestamp, @message` to load the events"),
            );
        }
        if let (n @ 1.., first) = self.pipeline_times {
            r.warn(Some(first), format!("{n} event(s) have no eventTime; their time was read from the log pipeline's @timestamp field (the first at byte {first})"));
        }
        if r.formats.contains(&Format::SingleEvent) && self.top_values > 1 {
            r.formats.retain(|f| *f != Format::SingleEvent);
            r.saw(Format::JsonLines);
        }
        self.report
    }

    fn long_lines(&mut self, skipped: &mut Vec<u64>) {
        for offset in skipped.drain(..) {
            self.report.rejected += 1;
            self.report.warn(
                Some(offset),
                format!(
                    "the line at byte {offset} is over {}; skipped",
                    limits::human_bytes(limits::MAX_LINE_BYTES as u64)
                ),
            );
        }
    }

    fn csv_problems(&mut self, problems: &mut Vec<(u64, csv::Problem)>) {
        for (offset, problem) in problems.drain(..) {
            self.report.rejected += 1;
            let what = match problem {
                csv::Problem::TooLong => {
                    format!("is over {} (an unclosed quote?)", limits::human_bytes(limits::MAX_LINE_BYTES as u64))
                }
                csv::Problem::Unterminated => "ends inside a quoted cell (truncated file?)".to_owned(),
            };
            self.report.warn(Some(offset), format!("the CSV record at byte {offset} {what}; skipped"));
        }
    }

    /// Reads a [`Frame::Lead`] as a whole `Records` element or line when it can (see
    /// [`Sink::lead`]), and takes any other frame as [`Sink::frame`] does.
    fn lead_or_frame(&mut self, frame: Frame<'_>, store: &mut Store) -> Option<usize> {
        match frame {
            Frame::Lead { bytes, offset, whole } => self.lead(bytes, offset, whole, store),
            other => {
                self.frame(other, store);
                None
            }
        }
    }

    /// Parses the `Records` element (or, when `whole`, the top-level value) at the start of `bytes`
    /// and adds it, answering its length, when that gives what framing it first and then
    /// [`Sink::event_json`] (or [`Sink::value`]) would: the element is whole in `bytes`, UTF-8
    /// throughout, parses, is within [`limits::MAX_EVENT_BYTES`] and cannot nest deeper than
    /// [`limits::MAX_DEPTH`] (it has no more brackets than that); a top-level value must also be
    /// an event, in a file where one was before (JSON lines). Otherwise `None`, having changed
    /// nothing, and the framer frames it for the usual way, with its warnings.
    ///
    /// The parser reads text (serde's `&str` reader skips strings faster than its byte reader,
    /// which checks UTF-8 string by string), so the bytes are checked as UTF-8 first, but only twice
    /// the last element's length ahead (`bytes` runs to the end of what is buffered); an
    /// element longer than that is parsed again with all of `bytes`.
    fn lead(&mut self, bytes: &[u8], offset: u64, whole: bool, store: &mut Store) -> Option<usize> {
        if !self.leads || (whole && !self.lines) {
            return None;
        }
        let mut window = self.lead_window.min(bytes.len());
        let (raw, json) = loop {
            let text = match simdutf8::compat::from_utf8(&bytes[..window]) {
                Ok(text) => text,
                // Cut inside a character, or not UTF-8 there: the element may end before.
                Err(e) => simdutf8::compat::from_utf8(&bytes[..e.valid_up_to()]).ok()?,
            };
            if let Some((raw, end)) = quick::event(text) {
                break (raw, &text[..end]);
            }
            let mut stream = serde_json::Deserializer::from_str(text).into_iter::<RawEvent>();
            match stream.next()? {
                Ok(raw) => break (raw, &text[..stream.byte_offset()]),
                Err(e) if e.is_eof() && window < bytes.len() => window = bytes.len(),
                Err(_) => return None,
            }
        };
        self.lead_window = (2 * json.len()).max(LEAD_WINDOW);
        let deep = || memchr::memchr2_iter(b'{', b'[', json.as_bytes()).nth(limits::MAX_DEPTH as usize).is_some();
        let event = looks_like_event(&raw);
        if json.len() > limits::MAX_EVENT_BYTES || deep() || (whole && !event) {
            return None;
        }
        let json = json.as_bytes();
        if whole {
            self.top_values += 1;
            self.report.saw(Format::SingleEvent);
        } else {
            self.report.saw(Format::Records);
        }
        if event {
            self.add(&raw, offset, json.len(), RecordKind::Direct, &[], store);
        } else {
            self.unknown(offset, json);
        }
        Some(json.len())
    }

    fn frame(&mut self, frame: Frame<'_>, store: &mut Store) {
        match frame {
            Frame::Item { container, bytes, offset } => match container {
                Container::Records => {
                    self.report.saw(Format::Records);
                    self.event_json(bytes, offset, bytes.len(), RecordKind::Direct, store);
                }
                Container::LookupEvents => {
                    self.pages.more = None;
                    self.report.saw(Format::LookupEvents);
                    self.lookup_event(bytes, offset, store);
                }
                Container::LogEvents => {
                    self.report.saw(Format::CloudWatchSubscription);
                    self.log_event(bytes, offset, store, false);
                }
                Container::LogsApiEvents => {
                    self.pages.more = None;
                    self.log_event(bytes, offset, store, true);
                }
                Container::InsightsResults => {
                    self.pages.more = None;
                    self.pages.rows += 1;
                    self.insights_row(bytes, offset, store);
                }
                Container::Array => {
                    self.report.saw(Format::JsonArray);
                    self.value(bytes, offset, store, false);
                }
            },
            Frame::ArrayOpen { .. } => self.report.saw(Format::JsonArray),
            Frame::Whole { bytes, offset } => {
                self.top_values += 1;
                self.value(bytes, offset, store, true);
            }
            Frame::Skipped { offset, len, reason } => {
                self.report.rejected += 1;
                let why = match reason {
                    SkipReason::TooLarge(limit) => over_limit(limit as u64, len),
                    SkipReason::TooDeep => format!("is nested more than {} levels deep", limits::MAX_DEPTH),
                };
                self.report.warn(Some(offset), format!("the record at byte {offset} {why}; it was skipped"));
            }
            Frame::Error { offset, message, fatal } => {
                let rest = if fatal { "; the rest of the file could not be read" } else { "; that line was skipped" };
                self.report.warn(Some(offset), format!("{message} at byte {offset}{rest}"));
                self.report.rejected += 1;
            }
            Frame::Tail { container, bytes, offset } => self.tail(container, bytes, offset),
            // Only answered by `lead_or_frame`; declined here, so the framer frames it.
            Frame::Lead { .. } => {}
        }
    }

    /// A top-level value or bare-array element: an event, or an envelope around events.
    fn value(&mut self, bytes: &[u8], offset: u64, store: &mut Store, top: bool) {
        let (parsed, not_utf8_at) = parse_event(bytes);
        let Ok(raw) = parsed else {
            // Not an object, or broken: event_json repairs what can be repaired, and says what it can't.
            return self.event_json(bytes, offset, bytes.len(), RecordKind::Direct, store);
        };
        if looks_like_event(&raw) {
            if top {
                self.report.saw(Format::SingleEvent);
                self.lines = true;
            }
            // A line is framed as a whole value (up to 64 MB), but an event over the limit is
            // skipped wherever it is, as in `Records`: an export of it must load back the same.
            if self.skipped_over_limit(bytes, offset) {
                return;
            }
            let notes = not_utf8(not_utf8_at, Some(offset));
            return self.add(&raw, offset, bytes.len(), RecordKind::Direct, &notes, store);
        }
        drop(raw);
        let env: Envelope = match serde_json::from_slice(bytes) {
            Ok(e) => e,
            Err(e) => return self.bad_json(bytes, offset, &e, RecordKind::Direct),
        };
        let at = |v: &RawValue| offset + (v.get().as_ptr() as usize - bytes.as_ptr() as usize) as u64;
        if let Some(inner) = env.cloudtrail_event {
            self.report.saw(Format::LookupEvents);
            return match Cow::<str>::deserialize(inner) {
                Ok(text) => self.event_json(text.as_bytes(), offset, bytes.len(), RecordKind::LookupString, store),
                Err(_) if inner.get().starts_with('{') => {
                    self.event_json(inner.get().as_bytes(), at(inner), inner.get().len(), RecordKind::Direct, store);
                }
                Err(_) => {
                    self.report.rejected += 1;
                    self.report.warn(
                        Some(offset),
                        format!("the lookup-events entry at byte {offset} has a CloudTrailEvent that is neither a string nor an object; skipped"),
                    );
                }
            };
        }
        if let Some(records) = env.records {
            self.report.saw(Format::Records);
            for r in records {
                self.event_json(r.get().as_bytes(), at(r), r.get().len(), RecordKind::Direct, store);
            }
            return;
        }
        if let Some(events) = env.events {
            self.report.saw(Format::LookupEvents);
            for e in events {
                self.lookup_event(e.get().as_bytes(), at(e), store);
            }
            return self.page_end(Container::LookupEvents, &page_end(bytes), offset);
        }
        if let Some(events) = env.logs_api_events {
            for e in events {
                self.log_event(e.get().as_bytes(), at(e), store, true);
            }
            return self.page_end(Container::LogsApiEvents, &page_end(bytes), offset);
        }
        if let Some(rows) = env.results {
            self.pages.rows = rows.len() as u64;
            for r in rows {
                self.insights_row(r.get().as_bytes(), at(r), store);
            }
            return self.page_end(Container::InsightsResults, &page_end(bytes), offset);
        }
        if env.message_type.is_some() || env.log_events.is_some() {
            self.report.saw(Format::CloudWatchSubscription);
            if env.message_type.is_some_and(|t| t.get() == "\"CONTROL_MESSAGE\"") {
                return; // CloudWatch Logs checking its destination: no events, by design.
            }
            for e in env.log_events.unwrap_or_default() {
                self.log_event(e.get().as_bytes(), at(e), store, false);
            }
            return;
        }
        if let Some(detail) = env.detail {
            self.report.saw(Format::EventBridge);
            return self.event_json(detail.get().as_bytes(), at(detail), detail.get().len(), RecordKind::Direct, store);
        }
        if env.digest_start_time.is_some() || (env.log_files.is_some() && env.digest_s3_object.is_some()) {
            self.report.saw(Format::Digest);
            if self.report.digest.is_none() {
                self.report.digest = Some(bytes.to_vec());
            }
            return;
        }
        self.unknown(offset, bytes);
    }

    fn unknown(&mut self, offset: u64, bytes: &[u8]) {
        self.unknown.0 += 1;
        if self.unknown.1.is_none() {
            self.unknown.1 = Some((offset, describe_keys(bytes)));
        }
    }

    /// A lookup-events `Event`: the event is the `CloudTrailEvent` string (or, in some documentation
    /// examples, the element itself).
    fn lookup_event(&mut self, bytes: &[u8], offset: u64, store: &mut Store) {
        #[derive(serde::Deserialize)]
        struct LookupEvent<'a> {
            #[serde(borrow, rename = "CloudTrailEvent", default)]
            inner: Lenient<Text<'a>>,
        }
        match serde_json::from_slice::<LookupEvent>(bytes) {
            Ok(LookupEvent { inner: Lenient::Ok(text) }) => {
                self.event_json(text.as_str().as_bytes(), offset, bytes.len(), RecordKind::LookupString, store);
            }
            Ok(_) | Err(_) => self.value(bytes, offset, store, false),
        }
    }

    /// A CloudWatch Logs Insights row, `[{"field": "@timestamp", "value": ...}, ...]`: the event
    /// is the value of `@message` (the log event as CloudWatch Logs holds it). A row the query did
    /// not give `@message` cannot be an event: counted for one warning. Anything else is read as a
    /// bare array's element would be.
    fn insights_row(&mut self, bytes: &[u8], offset: u64, store: &mut Store) {
        let row = match serde_json::from_slice::<Vec<ResultField>>(bytes) {
            Ok(row) if row.is_empty() || row.iter().any(|f| f.field.ok().is_some()) => row,
            _ => return self.value(bytes, offset, store, false),
        };
        self.report.saw(Format::LogsInsights);
        match insights_message(&row) {
            Some(ResultField { value: Lenient::Ok(text), .. }) => {
                self.event_json(text.as_str().as_bytes(), offset, bytes.len(), RecordKind::InsightsRow, store);
            }
            Some(ResultField { value, .. }) => {
                self.report.rejected += 1;
                let what = match value {
                    Lenient::Wrong(what) => what,
                    _ => "null",
                };
                self.report.warn(
                    Some(offset),
                    format!("the @message of the Logs Insights row at byte {offset} is {what}, not a string; skipped"),
                );
            }
            None => {
                self.report.rejected += 1;
                if self.pages.no_message.0 == 0 {
                    self.pages.no_message.1 = offset;
                }
                self.pages.no_message.0 += 1;
            }
        }
    }

    /// The keys after a page's array (`, "NextToken": "..."}`), read as an object of their own.
    fn tail(&mut self, container: Container, bytes: &[u8], offset: u64) {
        let rest = bytes.trim_ascii_start();
        let rest = rest.strip_prefix(b",").unwrap_or(rest);
        let mut object = Vec::with_capacity(rest.len() + 1);
        object.push(b'{');
        object.extend_from_slice(rest);
        self.page_end(container, &page_end(&object), offset);
    }

    /// A page ends at `offset`: whether it says more were left, and for Logs Insights whether its
    /// rows are all the query matched.
    fn page_end(&mut self, container: Container, end: &PageEnd, offset: u64) {
        #[derive(serde::Deserialize)]
        struct Statistics {
            #[serde(rename = "recordsMatched")]
            records_matched: Option<f64>,
        }
        let rows = std::mem::take(&mut self.pages.rows);
        let token = |v: Option<&RawValue>| v.is_some_and(|v| !matches!(v.get(), "null" | "\"\""));
        let key = if token(end.next_token_upper) {
            Some("NextToken")
        } else if token(end.next_token) {
            Some("nextToken")
        } else {
            None
        };
        self.pages.more = match container {
            Container::LookupEvents | Container::LogsApiEvents => key.map(|k| (offset, k)),
            _ => None,
        };
        if container != Container::InsightsResults {
            return;
        }
        let matched = end
            .statistics
            .and_then(|s| serde_json::from_str::<Statistics>(s.get()).ok())
            .and_then(|s| s.records_matched)
            .filter(|m| m.is_finite() && *m >= 0.0)
            .map(|m| m as u64);
        if let Some(matched) = matched.filter(|&m| m > rows) {
            self.report.warn(
                Some(offset),
                format!(
                    "the Logs Insights query matched {matched} log events, but its results hold {rows} rows (a query returns at most 10,000; run it again over shorter time ranges for the rest): the others are not in this file"
                ),
            );
        }
        let status = end.status.and_then(|s| serde_json::from_str::<String>(s.get()).ok());
        if let Some(status) = status.filter(|s| s != "Complete") {
            self.report.warn(
                Some(offset),
                format!(
                    "the Logs Insights query's status is “{}”, not Complete: its results may be partial",
                    clip(&status)
                ),
            );
        }
    }

    /// A CloudWatch Logs log event: the event is its `message` string. In a subscription's
    /// `logEvents` one without it is named and skipped; in an `aws logs filter-log-events` /
    /// `get-log-events` output's `events` (`api`), where the shape is known only from an element
    /// that has it, it is read as a bare array's element would be (an event itself, or not
    /// CloudTrail), since `events` is a common key.
    fn log_event(&mut self, bytes: &[u8], offset: u64, store: &mut Store, api: bool) {
        #[derive(serde::Deserialize)]
        struct LogEvent<'a> {
            #[serde(borrow, default)]
            message: Lenient<Text<'a>>,
        }
        match serde_json::from_slice::<LogEvent>(bytes) {
            Ok(LogEvent { message: Lenient::Ok(text) }) => {
                if api {
                    self.report.saw(Format::CloudWatchLogsApi);
                }
                self.event_json(text.as_str().as_bytes(), offset, bytes.len(), RecordKind::LogMessage, store);
            }
            _ if api => self.value(bytes, offset, store, false),
            Ok(_) => {
                self.report.rejected += 1;
                self.report
                    .warn(Some(offset), format!("the log event at byte {offset} has no message string; skipped"));
            }
            Err(e) => self.bad_json(bytes, offset, &e, RecordKind::Direct),
        }
    }

    /// One line of a CloudWatch Logs export: `<timestamp> <event JSON>`.
    fn export_line(&mut self, offset: u64, line: &[u8], store: &mut Store) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        self.report.saw(Format::CloudWatchExport);
        match memchr::memchr(b' ', line) {
            Some(sp) if is_export_line(line) => {
                self.event_json(&line[sp + 1..], offset, line.len(), RecordKind::ExportLine, store);
            }
            _ => {
                self.report.rejected += 1;
                self.report.warn(
                    Some(offset),
                    format!("the line at byte {offset} is not `<time> <event>` ({}); skipped", preview(line)),
                );
            }
        }
    }

    /// One record of a console CSV download: the header (first), or an event row.
    fn csv_record(&mut self, offset: u64, rec: &[u8], header: &mut Option<Box<csv::Header>>, store: &mut Store) {
        let Some(h) = header else {
            *header = csv::Header::parse(rec).map(Box::new);
            return;
        };
        if rec.iter().all(|&b| b.is_ascii_whitespace() || b == b',') {
            return;
        }
        let (text, not_utf8) = match simdutf8::compat::from_utf8(rec) {
            Ok(t) => (Cow::Borrowed(t), None),
            Err(e) => (String::from_utf8_lossy(rec), Some(e.valid_up_to())),
        };
        let row = csv::cells(&text);
        let cell = |c: csv::Col| -> Lenient<Text<'_>> {
            match h.get(&row, c).trim() {
                "" => Lenient::Missing,
                s => Lenient::Ok(Text(Cow::Borrowed(s))),
            }
        };
        let read_only = match h.get(&row, csv::Col::ReadOnly).trim().to_ascii_lowercase().as_str() {
            "true" => Lenient::Ok(Flag(true)),
            "false" => Lenient::Ok(Flag(false)),
            "" => Lenient::Missing,
            _ => Lenient::Wrong("a string that is not true/false"),
        };
        let management = match h.get(&row, csv::Col::EventCategory).trim() {
            "Management" => Lenient::Ok(Flag(true)),
            _ => Lenient::Missing,
        };
        let raw = RawEvent {
            event_time: cell(csv::Col::EventTime),
            event_source: cell(csv::Col::EventSource),
            event_name: cell(csv::Col::EventName),
            aws_region: cell(csv::Col::Region),
            source_ip_address: cell(csv::Col::SourceIp),
            user_agent: cell(csv::Col::UserAgent),
            error_code: cell(csv::Col::ErrorCode),
            request_id: cell(csv::Col::RequestId),
            event_id: cell(csv::Col::EventId),
            event_type: cell(csv::Col::EventType),
            event_category: cell(csv::Col::EventCategory),
            recipient_account_id: cell(csv::Col::RecipientAccount),
            read_only,
            management_event: management,
            user_identity: Obj(Lenient::Ok(RawIdentity {
                user_name: cell(csv::Col::UserName),
                access_key_id: cell(csv::Col::AccessKey),
                ..RawIdentity::default()
            })),
            ..RawEvent::default()
        };
        let mut extra = Vec::new();
        if let Some(at) = not_utf8 {
            extra.push(format!(
                "it holds bytes that are not UTF-8 (the first at byte {}), shown as �",
                offset + at as u64
            ));
        }
        let resources = h.get(&row, csv::Col::Resources).trim();
        if !resources.is_empty() && serde_json::from_str::<serde::de::IgnoredAny>(resources).is_err() {
            extra.push(format!("its Resources cell is not JSON ({})", preview(resources.as_bytes())));
        }
        if row.len() != h.names.len() {
            extra.push(format!("it has {} cells where the header has {}", row.len(), h.names.len()));
        }
        self.add(&raw, offset, rec.len(), RecordKind::CsvRow, &extra, store);
    }

    /// Whether `json` is over the most an event may be ([`limits::MAX_EVENT_BYTES`]), wherever it
    /// was found (a `Records` element, a line, an envelope's event); if so it is counted as skipped,
    /// with a warning saying where.
    fn skipped_over_limit(&mut self, json: &[u8], offset: u64) -> bool {
        if json.len() <= limits::MAX_EVENT_BYTES {
            return false;
        }
        self.report.rejected += 1;
        let why = over_limit(limits::MAX_EVENT_BYTES as u64, json.len() as u64);
        self.report.warn(Some(offset), format!("the record at byte {offset} {why}; it was skipped"));
        true
    }

    /// Parses `json` as one event and stores it with a locator of `len` bytes at `offset`. A record
    /// that does not parse is repaired when the fault is invalid UTF-8 or raw control characters (and
    /// the event is loaded with a warning saying so), else skipped with a warning saying where.
    fn event_json(&mut self, json: &[u8], offset: u64, len: usize, kind: RecordKind, store: &mut Store) {
        if self.skipped_over_limit(json, offset) {
            return;
        }
        if kind != RecordKind::Direct && json::deeper_than(json, limits::MAX_DEPTH) {
            self.report.rejected += 1;
            self.report.warn(
                Some(offset),
                format!(
                    "the record at byte {offset} is nested more than {} levels deep; it was skipped",
                    limits::MAX_DEPTH
                ),
            );
            return;
        }
        // Where the JSON starts in the file: known when it is the record (or the end of an export
        // line), not when it was decoded from a string.
        let base = match kind {
            RecordKind::Direct => Some(offset),
            RecordKind::ExportLine => Some(offset + (len - json.len()) as u64),
            _ => None,
        };
        // Bytes that are not UTF-8 go the slice way, to the repair below when that fails.
        let (parsed, not_utf8_at) = parse_event(json);
        let first = match parsed {
            Ok(raw) if looks_like_event(&raw) => {
                let notes = not_utf8(not_utf8_at, base);
                return self.add(&raw, offset, len, kind, &notes, store);
            }
            Ok(_) => return self.unknown(offset, json),
            Err(e) => e,
        };
        let Some((fixed, repairs)) = json::repair(json) else {
            return self.bad_json(json, offset, &first, kind);
        };
        match serde_json::from_slice::<RawEvent>(&fixed) {
            Ok(raw) => {
                let notes = repairs.describe(base);
                if looks_like_event(&raw) {
                    self.add(&raw, offset, len, kind, &notes, store);
                } else {
                    self.unknown(offset, &fixed);
                }
            }
            Err(_) => self.bad_json(json, offset, &first, kind),
        }
    }

    fn add(&mut self, raw: &RawEvent, offset: u64, len: usize, kind: RecordKind, extra: &[String], store: &mut Store) {
        let len32 = u32::try_from(len).unwrap_or(u32::MAX).min(crate::store::MAX_LOCATED_LEN);
        let locator = Locator { file: self.file, offset, len: len32, kind };
        self.notes.clear();
        self.notes.extend_from_slice(extra);
        let what = if kind == RecordKind::CsvRow { "CSV row" } else { "event" };
        match build_row(raw, store, &self.meta, locator, &mut self.notes) {
            Ok((mut row, time_source)) => {
                if kind == RecordKind::CsvRow {
                    // The CSV has no identity type, ARN, MFA or session issuer: unknown, not absent.
                    row.identity.source_known = false;
                }
                if time_source == TimeSource::Pipeline {
                    if self.pipeline_times.0 == 0 {
                        self.pipeline_times.1 = offset;
                    }
                    self.pipeline_times.0 += 1;
                }
                if len > limits::CLOUDTRAIL_MAX_EVENT_BYTES && kind != RecordKind::CsvRow {
                    row.flags |= crate::store::flags::OVERSIZED;
                    self.notes.push(format!(
                        "it is {} long, over CloudTrail's 256 KB maximum for an event",
                        limits::human_bytes(len as u64)
                    ));
                }
                match store.insert(&row) {
                    Inserted::New(r) => {
                        self.report.events += 1;
                        crate::facts::record(raw, r, store);
                    }
                    Inserted::Duplicate(r) => {
                        self.report.duplicates += 1;
                        if kind != RecordKind::CsvRow && store.locator(r).kind == RecordKind::CsvRow {
                            // The same event as JSON knows the caller: keep that.
                            store.upgrade(r, &row);
                            crate::facts::record(raw, r, store);
                        }
                    }
                }
                if !self.notes.is_empty() {
                    let notes = self.notes.join("; ");
                    self.report.warn(Some(offset), format!("the {what} at byte {offset} was loaded, but {notes}"));
                }
            }
            Err(why) => {
                let why = if kind == RecordKind::CsvRow { why.replace("eventTime", "Event time") } else { why };
                self.report.rejected += 1;
                let id = raw.event_id.str();
                let id = if id.is_empty() { String::new() } else { format!(" (eventID {})", clip(id)) };
                self.report.warn(Some(offset), format!("the {what} at byte {offset}{id} was skipped: {why}"));
            }
        }
    }

    fn bad_json(&mut self, json: &[u8], offset: u64, e: &serde_json::Error, kind: RecordKind) {
        self.report.rejected += 1;
        let (at, message) = json::error_at(json, e);
        let what = match kind {
            RecordKind::LookupString => {
                format!("the CloudTrailEvent string of the record at byte {offset} is not valid JSON: {message} (line {}, column {} of the string)", e.line(), e.column())
            }
            RecordKind::LogMessage => {
                format!("the message string of the log event at byte {offset} is not valid JSON: {message} (line {}, column {} of the string)", e.line(), e.column())
            }
            RecordKind::InsightsRow => {
                format!("the @message of the Logs Insights row at byte {offset} is not valid JSON: {message} (line {}, column {} of the string)", e.line(), e.column())
            }
            RecordKind::ExportLine | RecordKind::CsvRow => {
                format!("the line at byte {offset} does not hold valid JSON: {message}")
            }
            RecordKind::Direct if e.is_data() => {
                let what = match json.iter().find(|b| !b.is_ascii_whitespace()) {
                    Some(b'"') => "it is a string".to_owned(),
                    Some(b'[') => "it is an array".to_owned(),
                    Some(b't' | b'f') => "it is true/false".to_owned(),
                    Some(b'n') => "it is null".to_owned(),
                    Some(b'{') => message, // an object serde refused, e.g. a duplicated field
                    _ => "it is a number".to_owned(),
                };
                format!("the record at byte {offset} is JSON but not an event object ({what})")
            }
            RecordKind::Direct if e.is_eof() => {
                format!("the record at byte {offset} is cut off at byte {}", offset + at as u64)
            }
            RecordKind::Direct => {
                format!("the record at byte {offset} is not valid JSON: {message} at byte {}", offset + at as u64)
            }
        };
        self.report.warn(Some(offset), format!("{what}; skipped"));
    }
}

/// Why a record of `len` bytes was skipped, over `limit`: the words its warning uses, wherever the
/// record was found (the framer's items and whole values, a line's event).
fn over_limit(limit: u64, len: u64) -> String {
    format!(
        "is over {} (it is {}; CloudTrail's own limit is 256 KB)",
        limits::human_bytes(limit),
        limits::human_bytes(len)
    )
}

/// Parses `json` as an event. UTF-8 is checked once for the whole (with SIMD), then serde's text
/// reader parses it, rather than serde's slice reader checking string by string. Bytes that are not
/// UTF-8 go the slice way, and where the first of them is comes back too: the slice reader checks
/// only the strings it reads, so they may parse.
fn parse_event(json: &[u8]) -> (serde_json::Result<RawEvent<'_>>, Option<usize>) {
    match simdutf8::compat::from_utf8(json) {
        Ok(text) => (serde_json::from_str(text), None),
        Err(e) => (serde_json::from_slice(json), Some(e.valid_up_to())),
    }
}

/// The note an event that parsed gets for bytes that are not UTF-8 (in a field it passes over,
/// `tlsDetails` say), at `at` in a record starting at file offset `base` when known.
fn not_utf8(at: Option<usize>, base: Option<u64>) -> Vec<String> {
    match at {
        Some(at) => json::Repairs { not_utf8_at: Some(at), control_chars: false }.describe(base),
        None => Vec::new(),
    }
}

/// Keys that say what a JSON object is when it is not itself an event.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Envelope<'a> {
    #[serde(borrow, rename = "CloudTrailEvent")]
    cloudtrail_event: Option<&'a RawValue>,
    #[serde(borrow, rename = "Records")]
    records: Option<Vec<&'a RawValue>>,
    #[serde(borrow, rename = "Events")]
    events: Option<Vec<&'a RawValue>>,
    #[serde(borrow, rename = "logEvents")]
    log_events: Option<Vec<&'a RawValue>>,
    #[serde(borrow, rename = "events")]
    logs_api_events: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    results: Option<Vec<&'a RawValue>>,
    #[serde(borrow, rename = "messageType")]
    message_type: Option<&'a RawValue>,
    #[serde(borrow)]
    detail: Option<&'a RawValue>,
    #[serde(borrow, rename = "digestStartTime")]
    digest_start_time: Option<&'a RawValue>,
    #[serde(borrow, rename = "digestS3Object")]
    digest_s3_object: Option<&'a RawValue>,
    #[serde(borrow, rename = "logFiles")]
    log_files: Option<&'a RawValue>,
}

/// One `field`/`value` pair of a CloudWatch Logs Insights row.
#[derive(serde::Deserialize)]
struct ResultField<'a> {
    #[serde(borrow, default)]
    field: Lenient<Text<'a>>,
    #[serde(borrow, default)]
    value: Lenient<Text<'a>>,
}

/// The pair of a Logs Insights row that holds its event: `@message`, the log event as CloudWatch
/// Logs holds it (ingest reads it, and the detail view cuts it out again).
fn insights_message<'r, 'a>(row: &'r [ResultField<'a>]) -> Option<&'r ResultField<'a>> {
    row.iter().find(|f| f.field.ok().is_some_and(|f| f.as_str() == "@message"))
}

/// How the page `bytes` (a whole object, or its keys after the array) ends; nothing when it does
/// not read.
fn page_end(bytes: &[u8]) -> PageEnd<'_> {
    serde_json::from_slice(bytes).unwrap_or_default()
}

/// "keys a, b, c" of a JSON object, for a warning.
fn describe_keys(bytes: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes) {
        Ok(map) if map.is_empty() => "no keys".into(),
        Ok(map) => {
            let keys: Vec<String> = map.keys().take(5).map(|k| clip(k)).collect();
            let more = if map.len() > 5 { ", …" } else { "" };
            format!("keys {}{more}", keys.join(", "))
        }
        Err(_) => "a value that is not an object".into(),
    }
}

/// `2023-07-10T11:45:01.123Z {`: a CloudWatch Logs export line.
fn is_export_line(line: &[u8]) -> bool {
    let Some(sp) = memchr::memchr(b' ', line) else { return false };
    sp >= 19
        && line[..4].iter().all(u8::is_ascii_digit)
        && line[4] == b'-'
        && crate::model::time::parse_iso(std::str::from_utf8(&line[..sp]).unwrap_or("")).is_some()
        && line[sp + 1..].first() == Some(&b'{')
}
