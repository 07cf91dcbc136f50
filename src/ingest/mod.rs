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

pub mod decode;
pub mod frame;
pub mod limits;
pub mod path;
pub mod raw;
pub mod record;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use decode::Decoder;
use frame::{preview, Container, Frame, Framer, SkipReason};
pub use path::PathMeta;
use raw::{Lenient, RawEvent, Text};
use record::{build_row, clip, looks_like_event};

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
}

impl FileReport {
    fn warn(&mut self, offset: Option<u64>, message: String) {
        self.warnings_total += 1;
        if self.warnings.len() < limits::MAX_WARNINGS_PER_FILE {
            self.warnings.push(Warning { offset, message });
        }
    }

    fn saw(&mut self, f: Format) {
        if let Err(at) = self.formats.binary_search(&f) {
            self.formats.insert(at, f);
        }
    }
}

enum Body {
    /// Not enough text yet to tell JSON from lines.
    Sniff(Vec<u8>),
    Json(Framer),
    ExportLines(Lines),
    /// Not CloudTrail: the rest is not read.
    Ignored,
}

/// Reads one file, pushed in chunks, into a [`Store`].
pub struct FileReader {
    file: FileId,
    meta: PathMeta,
    decoder: Decoder,
    body: Body,
    report: FileReport,
    /// Objects that were neither events nor envelopes: count and the first one's keys.
    unknown: (u64, Option<(u64, String)>),
    /// JSON values at the top level, to tell a single event from JSON lines.
    top_values: u64,
    notes: Vec<String>,
    stopped: bool,
}

impl FileReader {
    /// A reader for file number `file`, at relative `path` (which gives account/region/date).
    pub fn new(file: FileId, path: &str) -> Self {
        FileReader {
            file,
            meta: PathMeta::from_path(path),
            decoder: Decoder::new(),
            body: Body::Sniff(Vec::new()),
            report: FileReport::default(),
            unknown: (0, None),
            top_values: 0,
            notes: Vec::new(),
            stopped: false,
        }
    }

    /// What the path said.
    pub fn meta(&self) -> &PathMeta {
        &self.meta
    }

    /// The report so far.
    pub fn report(&self) -> &FileReport {
        &self.report
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8], store: &mut Store) {
        if self.stopped {
            return;
        }
        self.report.bytes_read += chunk.len() as u64;
        let FileReader { decoder, .. } = self;
        let mut decoded: Vec<Vec<u8>> = Vec::new();
        // Decode into bounded pieces first, then parse them: the decoder and parser stay independent.
        let mut pieces = |b: &[u8]| decoded.push(b.to_vec());
        let result = decoder.push(chunk, &mut pieces);
        for piece in decoded {
            self.text(&piece, store);
        }
        if let Err(e) = result {
            self.report.warn(None, format!("{e}; what came before was read"));
            self.stopped = true;
        }
    }

    /// Ends the file and returns what it gave.
    pub fn finish(mut self, store: &mut Store) -> FileReport {
        if !self.stopped {
            let mut decoded: Vec<u8> = Vec::new();
            let result = self.decoder.finish(&mut |b| decoded.extend_from_slice(b));
            self.text(&decoded, store);
            if let Err(e) = result {
                self.report.warn(None, format!("{e}; what came before was read"));
            }
        }
        self.report.gzip = self.decoder.is_gzip();
        self.report.bytes_decoded = self.decoder.produced();
        match std::mem::replace(&mut self.body, Body::Ignored) {
            Body::Sniff(buf) => {
                if buf.iter().all(u8::is_ascii_whitespace) {
                    if self.report.bytes_read == 0 {
                        self.report.kind = FileKind::Empty;
                        self.report.warn(None, "the file is empty".into());
                    } else {
                        self.report.kind = FileKind::NotCloudTrail;
                        self.report.warn(None, "the file holds no data (only whitespace)".into());
                    }
                } else {
                    self.start_body(buf, store, true);
                    self.end_body(store);
                }
            }
            body => {
                self.body = body;
                self.end_body(store);
            }
        }
        if self.report.kind == FileKind::Pending {
            self.report.kind = if self.report.digest.is_some() {
                FileKind::Digest
            } else if self.report.events + self.report.duplicates + self.report.rejected == 0
                && self.report.formats.is_empty()
            {
                FileKind::NotCloudTrail
            } else {
                FileKind::Logs
            };
        }
        if let (n, Some((offset, keys))) = &self.unknown {
            if self.report.kind == FileKind::NotCloudTrail {
                self.report.warn(None, format!("this is JSON but not CloudTrail: its records have none of eventTime, eventName, eventSource, eventID (the first one has {keys})"));
            } else {
                self.report.warn(Some(*offset), format!("{n} JSON record(s) are not CloudTrail events and were skipped (the first one, at byte {offset}, has {keys})"));
            }
        }
        if self.report.formats.contains(&Format::SingleEvent) && self.top_values > 1 {
            self.report.formats.retain(|f| *f != Format::SingleEvent);
            self.report.saw(Format::JsonLines);
        }
        self.report
    }

    fn end_body(&mut self, store: &mut Store) {
        let FileReader { body, .. } = self;
        let mut frames = Vec::new();
        match body {
            Body::Json(framer) => framer.finish(&mut |f| frames.push(OwnedFrame::from(f))),
            Body::ExportLines(lines) => {
                if let Some((offset, line)) = lines.finish() {
                    self.export_line(offset, &line, store);
                }
            }
            Body::Sniff(_) | Body::Ignored => {}
        }
        for f in frames {
            self.frame(f.as_frame(), store);
        }
    }

    /// Decompressed text, in order.
    fn text(&mut self, piece: &[u8], store: &mut Store) {
        if piece.is_empty() {
            return;
        }
        match &mut self.body {
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
                    self.start_body(buf, store, false);
                }
            }
            Body::Json(_) | Body::ExportLines(_) => self.feed(piece, store),
            Body::Ignored => {}
        }
    }

    fn start_body(&mut self, buf: Vec<u8>, store: &mut Store, at_end: bool) {
        let first = buf.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
        let line_end = memchr::memchr(b'\n', &buf[first..]).map_or(buf.len(), |n| first + n);
        let line = &buf[first..line_end];
        if matches!(buf.get(first), Some(b'{' | b'[')) || buf.starts_with(b"\xEF\xBB\xBF{") {
            self.body = Body::Json(Framer::new());
        } else if is_export_line(line) {
            self.body = Body::ExportLines(Lines::default());
        } else {
            self.report.kind = FileKind::NotCloudTrail;
            let what = if is_console_csv_header(line) {
                "a console Event history CSV export, which this version does not read yet".to_owned()
            } else if buf.iter().take(512).any(|&b| b == 0 || (b < 0x20 && !b.is_ascii_whitespace())) {
                "binary data, not a CloudTrail log".to_owned()
            } else {
                format!("not a CloudTrail log: the text {}", preview(line))
            };
            self.report.warn(Some(0), format!("this is {what}"));
            self.body = Body::Ignored;
            self.stopped = !at_end;
            return;
        }
        self.feed(&buf, store);
    }

    fn feed(&mut self, piece: &[u8], store: &mut Store) {
        let mut frames: Vec<OwnedFrame> = Vec::new();
        let mut lines: Vec<(u64, Vec<u8>)> = Vec::new();
        match &mut self.body {
            Body::Json(framer) => framer.push(piece, &mut |f| frames.push(OwnedFrame::from(f))),
            Body::ExportLines(l) => l.push(piece, &mut |offset, line| lines.push((offset, line.to_vec()))),
            Body::Sniff(_) | Body::Ignored => {}
        }
        for f in frames {
            self.frame(f.as_frame(), store);
        }
        for (offset, line) in lines {
            self.export_line(offset, &line, store);
        }
        if let Body::ExportLines(l) = &mut self.body {
            for offset in std::mem::take(&mut l.skipped) {
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
    }

    fn frame(&mut self, frame: Frame<'_>, store: &mut Store) {
        match frame {
            Frame::Item { container, bytes, offset } => match container {
                Container::Records => {
                    self.report.saw(Format::Records);
                    self.event_json(bytes, offset, bytes.len(), RecordKind::Direct, store);
                }
                Container::LookupEvents => {
                    self.report.saw(Format::LookupEvents);
                    self.lookup_event(bytes, offset, store);
                }
                Container::LogEvents => {
                    self.report.saw(Format::CloudWatchSubscription);
                    self.log_event(bytes, offset, store);
                }
                Container::Array => {
                    self.report.saw(Format::JsonArray);
                    self.value(bytes, offset, store, false);
                }
            },
            Frame::Whole { bytes, offset } => {
                self.top_values += 1;
                self.value(bytes, offset, store, true);
            }
            Frame::Skipped { offset, len, reason } => {
                self.report.rejected += 1;
                let why = match reason {
                    SkipReason::TooLarge(limit) => format!(
                        "is over {} (it is at least {}; CloudTrail's own limit is 256 KB)",
                        limits::human_bytes(limit as u64),
                        limits::human_bytes(len)
                    ),
                    SkipReason::TooDeep => format!("is nested more than {} levels deep", limits::MAX_DEPTH),
                };
                self.report.warn(Some(offset), format!("the record at byte {offset} {why}; it was skipped"));
            }
            Frame::Error { offset, message, fatal } => {
                let rest = if fatal { "; the rest of the file could not be read" } else { "; that line was skipped" };
                self.report.warn(Some(offset), format!("{message} at byte {offset}{rest}"));
                if fatal {
                    self.report.rejected += 1;
                }
            }
        }
    }

    /// A top-level value or bare-array element: an event, or an envelope around events.
    fn value(&mut self, bytes: &[u8], offset: u64, store: &mut Store, top: bool) {
        let raw: RawEvent = match serde_json::from_slice(bytes) {
            Ok(r) => r,
            Err(e) => return self.bad_json(offset, &e),
        };
        if looks_like_event(&raw) {
            if top {
                self.report.saw(Format::SingleEvent);
            }
            return self.add(&raw, offset, bytes.len(), RecordKind::Direct, store);
        }
        drop(raw);
        let env: Envelope = match serde_json::from_slice(bytes) {
            Ok(e) => e,
            Err(e) => return self.bad_json(offset, &e),
        };
        let at = |v: &RawValue| offset + (v.get().as_ptr() as usize - bytes.as_ptr() as usize) as u64;
        if env.cloudtrail_event.is_some() {
            self.report.saw(Format::LookupEvents);
            return self.lookup_event(bytes, offset, store);
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
            return;
        }
        if env.message_type.is_some() || env.log_events.is_some() {
            self.report.saw(Format::CloudWatchSubscription);
            for e in env.log_events.unwrap_or_default() {
                self.log_event(e.get().as_bytes(), at(e), store);
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
        self.unknown.0 += 1;
        if self.unknown.1.is_none() {
            self.unknown.1 = Some((offset, describe_keys(bytes)));
        }
    }

    /// A lookup-events `Event`: the event is the `CloudTrailEvent` string.
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
            Ok(_) => self.value(bytes, offset, store, false),
            Err(e) => self.bad_json(offset, &e),
        }
    }

    /// A CloudWatch Logs `logEvents` element: the event is the `message` string.
    fn log_event(&mut self, bytes: &[u8], offset: u64, store: &mut Store) {
        #[derive(serde::Deserialize)]
        struct LogEvent<'a> {
            #[serde(borrow, default)]
            message: Lenient<Text<'a>>,
        }
        match serde_json::from_slice::<LogEvent>(bytes) {
            Ok(LogEvent { message: Lenient::Ok(text) }) => {
                self.event_json(text.as_str().as_bytes(), offset, bytes.len(), RecordKind::LogMessage, store);
            }
            Ok(_) => {
                self.report.rejected += 1;
                self.report
                    .warn(Some(offset), format!("the log event at byte {offset} has no message string; skipped"));
            }
            Err(e) => self.bad_json(offset, &e),
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

    /// Parses `json` as one event and stores it with a locator of `len` bytes at `offset`.
    fn event_json(&mut self, json: &[u8], offset: u64, len: usize, kind: RecordKind, store: &mut Store) {
        match serde_json::from_slice::<RawEvent>(json) {
            Ok(raw) if looks_like_event(&raw) => self.add(&raw, offset, len, kind, store),
            Ok(_) => {
                self.unknown.0 += 1;
                if self.unknown.1.is_none() {
                    self.unknown.1 = Some((offset, describe_keys(json)));
                }
            }
            Err(e) => self.bad_json(offset, &e),
        }
    }

    fn add(&mut self, raw: &RawEvent, offset: u64, len: usize, kind: RecordKind, store: &mut Store) {
        let len32 = u32::try_from(len).unwrap_or(u32::MAX);
        let locator = Locator { file: self.file, offset, len: len32, kind };
        self.notes.clear();
        match build_row(raw, store, &self.meta, locator, &mut self.notes) {
            Ok(mut row) => {
                if len > limits::CLOUDTRAIL_MAX_EVENT_BYTES {
                    row.flags |= crate::store::flags::OVERSIZED;
                    self.notes.push(format!(
                        "it is {} long, over CloudTrail's 256 KB maximum, so it was not written by CloudTrail as is",
                        limits::human_bytes(len as u64)
                    ));
                }
                match store.insert(&row) {
                    Inserted::New(r) => {
                        self.report.events += 1;
                        crate::facts::record(raw, r, store);
                    }
                    Inserted::Duplicate(_) => self.report.duplicates += 1,
                }
                if !self.notes.is_empty() {
                    let notes = self.notes.join("; ");
                    self.report
                        .warn(Some(offset), format!("the event at byte {offset} was loaded, but {notes} (left empty)"));
                }
            }
            Err(why) => {
                self.report.rejected += 1;
                let id = raw.event_id.str();
                let id = if id.is_empty() { String::new() } else { format!(" (eventID {})", clip(id)) };
                self.report.warn(Some(offset), format!("the event at byte {offset}{id} was skipped: {why}"));
            }
        }
    }

    fn bad_json(&mut self, offset: u64, e: &serde_json::Error) {
        self.report.rejected += 1;
        let what = if e.is_eof() { "is cut off".to_owned() } else { format!("is not valid JSON ({e})") };
        self.report.warn(Some(offset), format!("the record at byte {offset} {what}; skipped"));
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

/// The header of the console's Event history CSV download.
fn is_console_csv_header(line: &[u8]) -> bool {
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let text = String::from_utf8_lossy(line);
    text.contains("Event time") && text.contains("Event name") && text.contains(',')
}

/// A frame whose bytes were copied out of the framer, so the framer can be borrowed again.
enum OwnedFrame {
    Item(Container, Vec<u8>, u64),
    Whole(Vec<u8>, u64),
    Skipped(u64, u64, SkipReason),
    Error(u64, String, bool),
}

impl From<Frame<'_>> for OwnedFrame {
    fn from(f: Frame<'_>) -> Self {
        match f {
            Frame::Item { container, bytes, offset } => OwnedFrame::Item(container, bytes.to_vec(), offset),
            Frame::Whole { bytes, offset } => OwnedFrame::Whole(bytes.to_vec(), offset),
            Frame::Skipped { offset, len, reason } => OwnedFrame::Skipped(offset, len, reason),
            Frame::Error { offset, message, fatal } => OwnedFrame::Error(offset, message, fatal),
        }
    }
}

impl OwnedFrame {
    fn as_frame(&self) -> Frame<'_> {
        match self {
            OwnedFrame::Item(container, bytes, offset) => Frame::Item { container: *container, bytes, offset: *offset },
            OwnedFrame::Whole(bytes, offset) => Frame::Whole { bytes, offset: *offset },
            OwnedFrame::Skipped(offset, len, reason) => Frame::Skipped { offset: *offset, len: *len, reason: *reason },
            OwnedFrame::Error(offset, message, fatal) => {
                Frame::Error { offset: *offset, message: message.clone(), fatal: *fatal }
            }
        }
    }
}

/// Splits text into lines with their offsets, across chunks.
#[derive(Default)]
struct Lines {
    buf: Vec<u8>,
    base: u64,
    too_long: bool,
    /// Offsets of lines over [`limits::MAX_LINE_BYTES`], which were passed over.
    skipped: Vec<u64>,
}

impl Lines {
    fn push(&mut self, data: &[u8], out: &mut dyn FnMut(u64, &[u8])) {
        let mut rest = data;
        while let Some(nl) = memchr::memchr(b'\n', rest) {
            if self.too_long {
                self.too_long = false;
                self.base += nl as u64 + 1;
            } else if self.buf.is_empty() {
                out(self.base, &rest[..nl]);
                self.base += nl as u64 + 1;
            } else {
                self.buf.extend_from_slice(&rest[..nl]);
                out(self.base, &self.buf);
                self.base += self.buf.len() as u64 + 1;
                self.buf.clear();
            }
            rest = &rest[nl + 1..];
        }
        if self.too_long {
            self.base += rest.len() as u64;
        } else {
            self.buf.extend_from_slice(rest);
            if self.buf.len() > limits::MAX_LINE_BYTES {
                self.too_long = true;
                self.skipped.push(self.base);
                self.base += self.buf.len() as u64;
                self.buf.clear();
            }
        }
    }

    fn finish(&mut self) -> Option<(u64, Vec<u8>)> {
        if self.buf.is_empty() || self.too_long {
            None
        } else {
            Some((self.base, std::mem::take(&mut self.buf)))
        }
    }
}
