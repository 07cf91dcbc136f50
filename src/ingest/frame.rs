//! Finds record boundaries in a stream of JSON text, without parsing records.
//!
//! CloudTrail delivers a whole file as one line, `{"Records":[ ... ]}`, which can be hundreds of MB. The
//! framer tracks only brackets and strings, so it can hand out each element of a `Records` (or
//! lookup-events `Events`, or CloudWatch `logEvents`) array as soon as it is complete, with its byte
//! offset, and forget it. Any other top-level value (a single event, one JSON line, an EventBridge
//! envelope, a digest file, a bare array's elements) is handed out whole. Records that are too large or
//! nested too deeply are skipped while streaming, so they never sit in memory.
//!
//! Finding an element's end means reading every byte of it, which the parser then does again. So
//! [`Framer::push_leading`] first offers each `Records` element, and each top-level object that is
//! not a container (a line of JSON lines), to the caller as a [`Frame::Lead`]: a parser that reads
//! it whole says how long it was, and the framer goes on after it. Anything the caller declines (cut
//! off by the end of what has arrived, broken, too large, not an event) is framed as before.

use memchr::memchr2;

use super::limits::{MAX_DEPTH, MAX_EVENT_BYTES, MAX_WHOLE_VALUE_BYTES};

/// Which array an item came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// `{"Records":[...]}`: S3 delivery files and console JSON downloads.
    Records,
    /// `{"Events":[...]}`: `aws cloudtrail lookup-events` pages.
    LookupEvents,
    /// `{"logEvents":[...]}`: CloudWatch Logs subscription payloads.
    LogEvents,
    /// `{"events":[...]}`: `aws logs filter-log-events` and `get-log-events` output.
    LogsApiEvents,
    /// `{"results":[[...]]}`: `aws logs get-query-results` output (CloudWatch Logs Insights), each
    /// element a row of `field`/`value` pairs.
    InsightsResults,
    /// A bare top-level array.
    Array,
}

/// Why a record was not handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// Larger than the limit, in bytes.
    TooLarge(usize),
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
}

/// What the framer found.
#[derive(Debug, PartialEq, Eq)]
#[allow(missing_docs)] // variant fields are named for what they hold
pub enum Frame<'a> {
    /// One element of a streamed container array.
    Item { container: Container, bytes: &'a [u8], offset: u64 },
    /// A complete top-level value.
    Whole { bytes: &'a [u8], offset: u64 },
    /// A bare top-level array starts (it may hold no element at all).
    ArrayOpen { offset: u64 },
    /// What follows a container's array up to its object's end (`, "NextToken": "..."}`), `offset`
    /// the byte after the array's `]`: where a page ends. Not handed out for a `Records` file that
    /// ends there (`}`), nor when longer than [`MAX_TAIL_BYTES`].
    Tail { container: Container, bytes: &'a [u8], offset: u64 },
    /// A record that was passed over, `len` bytes from `offset`.
    Skipped { offset: u64, len: u64, reason: SkipReason },
    /// Text that is not JSON at `offset`. When `fatal`, the rest of the input is not read.
    Error { offset: u64, message: String, fatal: bool },
    /// The start of a `Records` element or, when `whole`, of a top-level object that is not a
    /// container (its `{`), and every byte buffered after it, offered only by
    /// [`Framer::push_leading`]. A reader that reads the whole value from these bytes answers its
    /// length, and the framer goes on after it without scanning it; any other answer (`None`: cut
    /// off by the end of the buffer, or not one it reads) and the framer scans it as usual and hands
    /// it out as an [`Frame::Item`], [`Frame::Whole`] or [`Frame::Skipped`].
    Lead { bytes: &'a [u8], offset: u64, whole: bool },
}

/// Where frames go: `Some(length)` answers a [`Frame::Lead`] that was read; other frames' answers
/// are ignored.
type Out<'o> = dyn FnMut(Frame<'_>) -> Option<usize> + 'o;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between top-level values.
    Top,
    /// Just after a top-level `{`: deciding from its first key whether it is a container.
    Probe,
    /// Inside a container array, where an element (or the array's end) comes next.
    InArray { container: Container, closes_object: bool },
    /// Just after an element: a `,` or the array's end comes next.
    AfterItem { container: Container, closes_object: bool },
    /// Scanning one value.
    Value { kind: ValueKind },
    /// After a container array inside its top-level object: reading to the object's end, for a
    /// [`Frame::Tail`].
    SkipRest { container: Container },
    /// Stopped after a fatal error.
    Dead,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Whole,
    Item { container: Container, closes_object: bool },
}

/// Where the framer is once a value of this kind has been read.
fn after(kind: ValueKind) -> State {
    match kind {
        ValueKind::Whole => State::Top,
        ValueKind::Item { container, closes_object } => State::AfterItem { container, closes_object },
    }
}

/// The longest [`Frame::Tail`] handed out: a page's token, a query's statistics and status, a
/// list of the log streams searched. A longer one is passed over.
pub const MAX_TAIL_BYTES: usize = 1 << 20;

/// The most the buffer grows to: the largest value held whole and a little more. [`Framer::push`]
/// feeds longer input in pieces, so a value past the limit is skipped before the buffer must grow.
const BUFFER_CAP: usize = MAX_WHOLE_VALUE_BYTES + (64 << 10);

/// A buffer bigger than this, and four times bigger than what it holds, is shrunk.
const SHRINK_ABOVE: usize = 8 << 20;

/// Input is framed this many bytes at a time, so the buffer holds a piece and the value cut off at its
/// end, not a whole chunk as read: a file read 4 MB at a time otherwise kept a buffer of 8 MB (a
/// chunk and the record before it, doubled), the largest block of an engine reading one big
/// uncompressed file. Values longer than a piece still grow the buffer as they need.
const PIECE_BYTES: usize = 256 << 10;

/// Streaming framer over UTF-8 JSON text (records stay bytes; the parser checks UTF-8).
pub struct Framer {
    buf: Vec<u8>,
    /// Absolute offset of `buf[0]`.
    base: u64,
    pos: usize,
    state: State,
    /// Start of the value being scanned (absolute).
    value_start: u64,
    depth: u32,
    in_string: bool,
    /// Set while scanning a value that will be skipped; its bytes are not kept.
    skipping: Option<SkipReason>,
    /// Depth beyond [`MAX_DEPTH`], counted without a stack so hostile nesting costs nothing.
    excess_depth: u64,
}

impl Default for Framer {
    fn default() -> Self {
        Self::new()
    }
}

const WS: [bool; 256] = {
    let mut t = [false; 256];
    t[b' ' as usize] = true;
    t[b'\t' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

impl Framer {
    /// A framer at the start of the text.
    pub fn new() -> Self {
        Framer {
            buf: Vec::new(),
            base: 0,
            pos: 0,
            state: State::Top,
            value_start: 0,
            depth: 0,
            in_string: false,
            skipping: None,
            excess_depth: 0,
        }
    }

    /// Starts the offsets at `n` instead of 0, for text that followed `n` bytes the caller took off
    /// (a byte order mark). Only before any text was pushed.
    pub fn skip_bytes(&mut self, n: u64) {
        if self.buf.is_empty() && self.base == 0 {
            self.base = n;
        }
    }

    /// Absolute offset of everything read so far.
    pub fn offset(&self) -> u64 {
        self.base + self.buf.len() as u64
    }

    /// Feeds more text; frames found are passed to `out`.
    pub fn push(&mut self, data: &[u8], out: &mut dyn FnMut(Frame<'_>)) {
        self.feed(
            data,
            &mut |f| {
                out(f);
                None
            },
            false,
        );
    }

    /// Feeds more text as [`Framer::push`] does, and also offers `out` each `Records` element and
    /// each top-level object that is not a container as a [`Frame::Lead`] before scanning it.
    /// Reading a value from there saves scanning it twice (once here for its end, once more to
    /// parse it), the larger part of framing's cost.
    pub fn push_leading(&mut self, data: &[u8], out: &mut Out<'_>) {
        self.feed(data, out, true);
    }

    fn feed(&mut self, mut data: &[u8], out: &mut Out<'_>, leads: bool) {
        if self.base == 0 && self.pos == 0 && self.buf.is_empty() && data.starts_with(b"\xEF\xBB\xBF") {
            // A UTF-8 byte order mark, as Windows tools write: not part of the JSON.
            self.base = 3;
            data = &data[3..];
        }
        // In pieces of at most [`PIECE_BYTES`] that fit under the buffer's cap (see
        // [`Framer::reserve`]): a value that passes the whole-value limit is found to be skipped, and
        // its bytes let go, before more arrive.
        while !data.is_empty() && self.state != State::Dead {
            let room = BUFFER_CAP.saturating_sub(self.buf.len());
            let (piece, rest) =
                data.split_at(if room == 0 { data.len() } else { room.min(data.len()).min(PIECE_BYTES) });
            self.reserve(piece.len());
            self.buf.extend_from_slice(piece);
            self.run(out, leads);
            self.compact();
            data = rest;
        }
    }

    /// Ends the text: reports a record cut off by the end of the input.
    pub fn finish(&mut self, out: &mut dyn FnMut(Frame<'_>)) {
        match self.state {
            State::Dead => {}
            State::Top => {
                // Text after the last value that never got its line end, and is not JSON.
                if let Some(at) = self.buf[self.pos..].iter().position(|b| !WS[*b as usize]) {
                    let at = self.pos + at;
                    let end = (at + 64).min(self.buf.len());
                    out(Frame::Error {
                        offset: self.base + at as u64,
                        message: format!("text that is not JSON ({})", preview(&self.buf[at..end])),
                        fatal: false,
                    });
                }
            }
            State::Value { kind: ValueKind::Whole } if self.depth == 0 && self.skipping.is_none() => {
                // A bare scalar at the very end: hand it out so the caller can say what it is.
                let start = (self.value_start - self.base) as usize;
                let offset = self.value_start;
                out(Frame::Whole { bytes: &self.buf[start..], offset });
            }
            _ => out(Frame::Error {
                offset: self.value_start,
                message: "the input ends inside a record (truncated file?)".into(),
                fatal: true,
            }),
        }
        self.state = State::Dead;
    }

    /// Makes room for `extra` more bytes, doubling up to [`BUFFER_CAP`]. Doubling alone would take
    /// a value just past the whole-value limit to a buffer of twice the limit, allocated while the
    /// old one is still held (192 MB at once for a 64 MB limit, and wasm memory never shrinks).
    fn reserve(&mut self, extra: usize) {
        let needed = self.buf.len() + extra;
        if needed > self.buf.capacity() {
            // Straight to the cap from half the limit: one more step of 64 KB would hold both.
            let doubled = 2 * self.buf.capacity();
            let target = if doubled >= MAX_WHOLE_VALUE_BYTES { BUFFER_CAP } else { doubled }.max(needed);
            self.buf.reserve_exact(target - self.buf.len());
        }
    }

    fn compact(&mut self) {
        let keep_from = match self.state {
            State::Value { .. } | State::Probe | State::SkipRest { .. } if self.skipping.is_none() => {
                (self.value_start - self.base) as usize
            }
            _ => self.pos,
        };
        if keep_from > 0 {
            self.buf.drain(..keep_from);
            self.base += keep_from as u64;
            self.pos -= keep_from;
        }
        // After a big value, give its room back for the rest of the load (the store's columns).
        if self.buf.capacity() > SHRINK_ABOVE && self.buf.len() < self.buf.capacity() / 4 {
            self.buf.shrink_to((2 * self.buf.len()).max(SHRINK_ABOVE / 2));
        }
    }

    fn fail(&mut self, out: &mut Out<'_>, at: usize, message: String) {
        out(Frame::Error { offset: self.base + at as u64, message, fatal: true });
        self.state = State::Dead;
    }

    fn skip_ws(&mut self) -> Option<u8> {
        while let Some(&b) = self.buf.get(self.pos) {
            if !WS[b as usize] {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    fn begin_value(&mut self, kind: ValueKind) {
        self.state = State::Value { kind };
        self.value_start = self.base + self.pos as u64;
        self.depth = 0;
        self.in_string = false;
        self.skipping = None;
        self.excess_depth = 0;
    }

    fn run(&mut self, out: &mut Out<'_>, leads: bool) {
        loop {
            match self.state {
                State::Dead => return,
                State::Top => {
                    let Some(b) = self.skip_ws() else { return };
                    match b {
                        b'{' => {
                            self.value_start = self.base + self.pos as u64;
                            self.state = State::Probe;
                        }
                        b'[' => {
                            out(Frame::ArrayOpen { offset: self.base + self.pos as u64 });
                            self.pos += 1;
                            self.state = State::InArray { container: Container::Array, closes_object: false };
                        }
                        _ => {
                            // Not JSON here. In JSON lines, skip to the next line and go on.
                            let at = self.pos;
                            match memchr::memchr(b'\n', &self.buf[self.pos..]) {
                                Some(nl) => {
                                    self.pos += nl + 1;
                                    out(Frame::Error {
                                        offset: self.base + at as u64,
                                        message: format!("text that is not JSON ({})", preview(&self.buf[at..at + nl])),
                                        fatal: false,
                                    });
                                }
                                None if self.buf.len() - self.pos > 4096 => {
                                    let end = self.pos + 64;
                                    self.fail(
                                        out,
                                        at,
                                        format!("text that is not JSON ({})", preview(&self.buf[at..end])),
                                    );
                                }
                                None => return,
                            }
                        }
                    }
                }
                State::Probe => match probe_container(&self.buf[self.pos..]) {
                    Probe::NeedMore => return,
                    Probe::Container(container, len) => {
                        self.pos += len;
                        self.state = State::InArray { container, closes_object: true };
                    }
                    Probe::Whole if leads => self.lead(ValueKind::Whole, out),
                    Probe::Whole => self.begin_value(ValueKind::Whole),
                },
                State::AfterItem { container, closes_object } => {
                    let Some(b) = self.skip_ws() else { return };
                    if b == b',' {
                        self.pos += 1;
                        self.state = State::InArray { container, closes_object };
                    } else if b == b']' {
                        self.state = State::InArray { container, closes_object };
                    } else {
                        let at = self.pos;
                        self.fail(out, at, "a record is followed by something other than `,` or `]`".into());
                    }
                }
                State::InArray { container, closes_object } => {
                    let Some(b) = self.skip_ws() else { return };
                    match b {
                        b',' => self.pos += 1,
                        b']' => {
                            self.pos += 1;
                            self.state = if closes_object {
                                self.begin_value(ValueKind::Whole);
                                self.depth = 1;
                                State::SkipRest { container }
                            } else {
                                State::Top
                            };
                        }
                        b'{' if leads && container == Container::Records => {
                            self.lead(ValueKind::Item { container, closes_object }, out);
                        }
                        _ => self.begin_value(ValueKind::Item { container, closes_object }),
                    }
                }
                State::SkipRest { container } => {
                    if !self.scan_limited(MAX_TAIL_BYTES) {
                        return;
                    }
                    let start = (self.value_start - self.base) as usize;
                    let bytes = &self.buf[start..self.pos];
                    // A `Records` file's `}` alone says nothing (every S3 log file ends so); a
                    // page's end does: no `NextToken` after it.
                    let only_end =
                        container == Container::Records && bytes[..bytes.len() - 1].iter().all(|b| WS[*b as usize]);
                    if self.skipping.take().is_none() && !only_end {
                        out(Frame::Tail { container, bytes, offset: self.value_start });
                    }
                    self.state = State::Top;
                }
                State::Value { kind } => {
                    if !self.value(kind, out) {
                        return;
                    }
                }
            }
        }
    }

    /// Offers the value starting here as a [`Frame::Lead`]: goes on after it when `out` read it,
    /// or scans it.
    fn lead(&mut self, kind: ValueKind, out: &mut Out<'_>) {
        let at = self.pos;
        let rest = self.buf.len() - at;
        let whole = kind == ValueKind::Whole;
        match out(Frame::Lead { bytes: &self.buf[at..], offset: self.base + at as u64, whole }) {
            Some(n) if n > 0 && n <= rest => {
                // Where a file cut off after this value says it ended.
                self.value_start = self.base + at as u64;
                self.pos = at + n;
                self.state = after(kind);
            }
            _ => self.begin_value(kind),
        }
    }

    /// Scans the open value; when it completes, hands it out. Returns false when more input is needed.
    fn value(&mut self, kind: ValueKind, out: &mut Out<'_>) -> bool {
        let limit = match kind {
            ValueKind::Whole => MAX_WHOLE_VALUE_BYTES,
            ValueKind::Item { .. } => MAX_EVENT_BYTES,
        };
        let first = self.buf[self.pos];
        let done = if first != b'{' && first != b'[' && first != b'"' && self.depth == 0 && !self.in_string {
            self.scan_scalar()
        } else {
            self.scan_limited(limit)
        };
        if !done {
            return false;
        }
        let offset = self.value_start;
        if let Some(reason) = self.skipping.take() {
            out(Frame::Skipped { offset, len: self.base + self.pos as u64 - offset, reason });
        } else {
            let start = (self.value_start - self.base) as usize;
            let bytes = &self.buf[start..self.pos];
            match kind {
                ValueKind::Whole => out(Frame::Whole { bytes, offset }),
                ValueKind::Item { container, .. } => out(Frame::Item { container, bytes, offset }),
            };
        }
        self.state = after(kind);
        true
    }

    /// Scans a scalar (number, literal) to its delimiter. Returns true when complete.
    fn scan_scalar(&mut self) -> bool {
        while let Some(&b) = self.buf.get(self.pos) {
            if WS[b as usize] || matches!(b, b',' | b']' | b'}' | b'{' | b'[') {
                if self.pos == (self.value_start - self.base) as usize {
                    // A lone closing bracket: consume it so scanning moves on.
                    self.pos += 1;
                }
                return true;
            }
            self.pos += 1;
        }
        false
    }

    /// Scans until the open value closes, skipping it once it exceeds `limit` bytes.
    fn scan_limited(&mut self, limit: usize) -> bool {
        let done = self.scan();
        if self.skipping.is_none() {
            let len = (self.base + self.pos as u64 - self.value_start) as usize;
            if len > limit {
                self.skipping = Some(SkipReason::TooLarge(limit));
            } else if self.excess_depth > 0 {
                self.skipping = Some(SkipReason::TooDeep);
            }
        }
        done
    }

    /// Advances through strings and brackets until depth returns to zero. Returns true when it does.
    fn scan(&mut self) -> bool {
        let buf = &self.buf;
        let mut pos = self.pos;
        let mut done = false;
        while pos < buf.len() {
            if self.in_string {
                match memchr2(b'"', b'\\', &buf[pos..]) {
                    None => {
                        pos = buf.len();
                        break;
                    }
                    Some(i) => {
                        pos += i;
                        if buf[pos] == b'\\' {
                            if pos + 1 >= buf.len() {
                                break; // the escaped byte is in the next chunk
                            }
                            pos += 2;
                        } else {
                            pos += 1;
                            self.in_string = false;
                            if self.depth == 0 {
                                // A string scalar (`"Records":["a"]`) ends with its quote.
                                done = true;
                                break;
                            }
                        }
                    }
                }
                continue;
            }
            match buf[pos] {
                b'"' => self.in_string = true,
                b'{' | b'[' => {
                    if self.depth >= MAX_DEPTH {
                        self.excess_depth += 1;
                    } else {
                        self.depth += 1;
                    }
                }
                b'}' | b']' => {
                    if self.excess_depth > 0 {
                        self.excess_depth -= 1;
                        if self.excess_depth == 0 && self.skipping.is_none() {
                            self.skipping = Some(SkipReason::TooDeep);
                        }
                    } else {
                        self.depth = self.depth.saturating_sub(1);
                        if self.depth == 0 {
                            pos += 1;
                            done = true;
                            break;
                        }
                    }
                }
                _ => {}
            }
            pos += 1;
        }
        self.pos = pos;
        if self.excess_depth > 0 && self.skipping.is_none() {
            self.skipping = Some(SkipReason::TooDeep);
        }
        done
    }
}

enum Probe {
    NeedMore,
    /// The container and how many bytes (from the `{`) to the `[` inclusive.
    Container(Container, usize),
    Whole,
}

/// Looks at `{ "key" : [` at the start of a top-level object. A Logs Insights result's
/// `"queryLanguage": "CWLI",` before its `results` (current CLI versions print it first) is passed
/// over, so those stream too.
fn probe_container(b: &[u8]) -> Probe {
    probe(b).unwrap_or_else(|p| p)
}

/// [`probe_container`], whose `Err` is the answer as soon as it is known.
fn probe(b: &[u8]) -> Result<Probe, Probe> {
    let ws = |mut i: usize| {
        while i < b.len() && WS[b[i] as usize] {
            i += 1;
        }
        i
    };
    // `c` after whitespace from `i`: the index after it.
    let expect = |i: usize, c: u8| -> Result<usize, Probe> {
        match b.get(ws(i)) {
            None => Err(Probe::NeedMore),
            Some(&x) if x == c => Ok(ws(i) + 1),
            Some(_) => Err(Probe::Whole),
        }
    };
    // A string of at most 64 bytes without escapes starting at `b[i]`: the index after its quote.
    let short_string = |i: usize| -> Result<usize, Probe> {
        let i = expect(i, b'"')?;
        match b[i..].iter().take(64).position(|&c| c == b'"' || c == b'\\') {
            Some(q) if b[i + q] == b'"' => Ok(i + q + 1),
            None if b.len() - i < 64 => Err(Probe::NeedMore),
            Some(_) | None => Err(Probe::Whole),
        }
    };
    let mut i = 1;
    let mut passed_language = false;
    loop {
        let key_start = ws(i) + 1;
        let key_end = short_string(i)? - 1;
        i = expect(key_end + 1, b':')?;
        let key = &b[key_start..key_end];
        if key == b"queryLanguage" && !passed_language {
            i = expect(short_string(i)?, b',')?;
            passed_language = true;
            continue;
        }
        let container = match key {
            b"Records" => Container::Records,
            b"Events" => Container::LookupEvents,
            b"logEvents" => Container::LogEvents,
            b"events" => Container::LogsApiEvents,
            b"results" => Container::InsightsResults,
            _ => return Ok(Probe::Whole),
        };
        if passed_language && container != Container::InsightsResults {
            return Ok(Probe::Whole);
        }
        return expect(i, b'[').map(|end| Probe::Container(container, end));
    }
}

/// The start of some bytes, as readable text, for a warning.
pub fn preview(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(&b[..b.len().min(40)]);
    let s: String = s.chars().map(|c| if c.is_control() { '·' } else { c }).collect();
    if b.len() > 40 {
        format!("starts “{s}…”")
    } else {
        format!("“{s}”")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum F {
        Item(Container, String, u64),
        Whole(String, u64),
        Open(u64),
        Skipped(u64, u64, SkipReason),
        Error(u64, bool),
        Tail(Container, String, u64),
    }

    fn as_f(fr: Frame<'_>) -> F {
        match fr {
            Frame::Item { container, bytes, offset } => {
                F::Item(container, String::from_utf8_lossy(bytes).into(), offset)
            }
            Frame::Whole { bytes, offset } => F::Whole(String::from_utf8_lossy(bytes).into(), offset),
            Frame::ArrayOpen { offset } => F::Open(offset),
            Frame::Skipped { offset, len, reason } => F::Skipped(offset, len, reason),
            Frame::Error { offset, fatal, .. } => F::Error(offset, fatal),
            Frame::Tail { container, bytes, offset } => {
                F::Tail(container, String::from_utf8_lossy(bytes).into(), offset)
            }
            Frame::Lead { .. } => unreachable!("only push_leading offers leads"),
        }
    }

    fn frames(input: &[u8], chunk: usize) -> Vec<F> {
        let mut f = Framer::new();
        let mut v = Vec::new();
        let mut sink = |fr: Frame<'_>| v.push(as_f(fr));
        for c in input.chunks(chunk.max(1)) {
            f.push(c, &mut sink);
        }
        f.finish(&mut sink);
        v
    }

    /// The frames `push_leading` gives with a reader that finds a value's end with serde's stream
    /// reader (not with this framer) and takes every other lead it can read whole. A lead it takes
    /// is listed as the item or whole value it stands for, so the list compares with [`frames`]'.
    fn leading_frames(input: &[u8], chunk: usize) -> Vec<F> {
        let mut f = Framer::new();
        let mut v = Vec::new();
        let mut offered = 0;
        let mut sink = |fr: Frame<'_>| -> Option<usize> {
            let Frame::Lead { bytes, offset, whole } = fr else {
                v.push(as_f(fr));
                return None;
            };
            offered += 1;
            let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<serde_json::Value>();
            if offered % 2 == 0 || !matches!(stream.next(), Some(Ok(_))) {
                return None;
            }
            let n = stream.byte_offset();
            let text = String::from_utf8_lossy(&bytes[..n]).into();
            v.push(if whole { F::Whole(text, offset) } else { F::Item(Container::Records, text, offset) });
            Some(n)
        };
        for c in input.chunks(chunk.max(1)) {
            f.push_leading(c, &mut sink);
        }
        f.finish(&mut |fr| v.push(as_f(fr)));
        v
    }

    /// What `input` frames into, checked to be the same in every chunking, with and without leads.
    fn all_chunkings(input: &[u8]) -> Vec<F> {
        let whole = frames(input, input.len());
        for chunk in [1, 2, 3, 5, 8, 13, input.len()] {
            assert_eq!(frames(input, chunk), whole, "chunk size {chunk}");
            assert_eq!(leading_frames(input, chunk), whole, "chunk size {chunk}, with leads");
        }
        whole
    }

    #[test]
    fn ok_records_elements_with_offsets() {
        let text = br#"{"Records":[{"a":"x]}"},{"b":[1,{"c":"\"}"}]}]}"#;
        let got = all_chunkings(text);
        assert_eq!(
            got,
            vec![
                F::Item(Container::Records, r#"{"a":"x]}"}"#.into(), 12),
                F::Item(Container::Records, r#"{"b":[1,{"c":"\"}"}]}"#.into(), 24),
            ]
        );
    }

    #[test]
    fn ok_lookup_pages_concatenated_and_next_token_handed_out_after_its_page() {
        let text = b"{\"Events\": [{\"e\":1}], \"NextToken\": \"t]}\"}\n{\"Events\":[{\"e\":2}]}";
        let got = all_chunkings(text);
        assert_eq!(
            got,
            vec![
                F::Item(Container::LookupEvents, "{\"e\":1}".into(), 12),
                F::Tail(Container::LookupEvents, ", \"NextToken\": \"t]}\"}".into(), 20),
                F::Item(Container::LookupEvents, "{\"e\":2}".into(), 53),
                F::Tail(Container::LookupEvents, "}".into(), 61),
            ]
        );
    }

    #[test]
    fn ok_logs_api_events_and_insights_rows_streamed_with_their_tails() {
        let text = br#"{"events": [{"message": "{}"}], "searchedLogStreams": [{"logStreamName": "s]"}]}
{"results": [[{"field": "@message", "value": "{}"}], []], "statistics": {"recordsMatched": 3.0}, "status": "Complete"}"#;
        let got = all_chunkings(text);
        assert_eq!(
            got,
            vec![
                F::Item(Container::LogsApiEvents, r#"{"message": "{}"}"#.into(), 12),
                F::Tail(Container::LogsApiEvents, r#", "searchedLogStreams": [{"logStreamName": "s]"}]}"#.into(), 30),
                F::Item(Container::InsightsResults, r#"[{"field": "@message", "value": "{}"}]"#.into(), 94),
                F::Item(Container::InsightsResults, "[]".into(), 134),
                F::Tail(
                    Container::InsightsResults,
                    r#", "statistics": {"recordsMatched": 3.0}, "status": "Complete"}"#.into(),
                    137
                ),
            ]
        );
    }

    #[test]
    fn ok_insights_results_stream_after_their_query_language() {
        let text = br#"{ "queryLanguage" : "CWLI",
 "results": [[{"field": "@message", "value": "{}"}]], "status": "Complete"}
{"queryLanguage": "CWLI", "events": [{"message": "{}"}]}
{"queryLanguage": "CWLI", "queryLanguage": "CWLI", "results": []}"#;
        let got = all_chunkings(text);
        assert_eq!(
            got,
            vec![
                F::Item(Container::InsightsResults, r#"[{"field": "@message", "value": "{}"}]"#.into(), 41),
                F::Tail(Container::InsightsResults, r#", "status": "Complete"}"#.into(), 80),
                F::Whole(r#"{"queryLanguage": "CWLI", "events": [{"message": "{}"}]}"#.into(), 104),
                F::Whole(r#"{"queryLanguage": "CWLI", "queryLanguage": "CWLI", "results": []}"#.into(), 161),
            ]
        );
    }

    #[test]
    fn ok_tail_past_its_limit_passed_over_and_a_records_file_end_not_handed_out() {
        let mut text = br#"{"Events":[{"e":1}],"NextToken":""#.to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_TAIL_BYTES));
        text.extend_from_slice(b"\"}\n{\"Records\":[{\"e\":2}] \n }\n{\"Events\":[]}");
        let got = frames(&text, 4096);
        assert_eq!(
            got,
            vec![
                F::Item(Container::LookupEvents, "{\"e\":1}".into(), 11),
                F::Item(Container::Records, "{\"e\":2}".into(), text.len() as u64 - 26),
                F::Tail(Container::LookupEvents, "}".into(), text.len() as u64 - 1),
            ]
        );
    }

    #[test]
    fn ok_json_lines_are_whole_values() {
        let got = all_chunkings(b"{\"a\":1}\n{\"b\":2}\r\n");
        assert_eq!(got, vec![F::Whole("{\"a\":1}".into(), 0), F::Whole("{\"b\":2}".into(), 8)]);
    }

    #[test]
    fn ok_bare_array_items() {
        let got = all_chunkings(b" [ {\"a\":1} , {\"b\":2} ] ");
        assert_eq!(
            got,
            vec![
                F::Open(1),
                F::Item(Container::Array, "{\"a\":1}".into(), 3),
                F::Item(Container::Array, "{\"b\":2}".into(), 13)
            ]
        );
    }

    #[test]
    fn ok_records_not_first_key_is_whole() {
        let got = all_chunkings(b"{\"x\":1,\"Records\":[{}]}");
        assert_eq!(got, vec![F::Whole("{\"x\":1,\"Records\":[{}]}".into(), 0)]);
    }

    #[test]
    fn ok_byte_order_mark_is_skipped_and_offsets_stay_true() {
        let got = frames(b"\xEF\xBB\xBF{\"a\":1}", 100);
        assert_eq!(got, vec![F::Whole("{\"a\":1}".into(), 3)]);
    }

    #[test]
    fn err_garbage_line_is_skipped_in_json_lines() {
        let got = all_chunkings(b"{\"a\":1}\nnot json\n{\"b\":2}");
        assert_eq!(got, vec![F::Whole("{\"a\":1}".into(), 0), F::Error(8, false), F::Whole("{\"b\":2}".into(), 17)]);
    }

    #[test]
    fn err_truncated_records_keeps_complete_elements() {
        let got = all_chunkings(b"{\"Records\":[{\"a\":1},{\"b\":");
        assert_eq!(got, vec![F::Item(Container::Records, "{\"a\":1}".into(), 12), F::Error(20, true)]);
        // Cut right after an element: the error names where that element started.
        let got = all_chunkings(b"{\"Records\":[{\"a\":1}");
        assert_eq!(got, vec![F::Item(Container::Records, "{\"a\":1}".into(), 12), F::Error(12, true)]);
    }

    #[test]
    fn ok_leads_read_or_declined_give_the_same_frames() {
        let text = br#"{"Records":[{"a":"x]}"}, {"b":[1,{"c":"\"}"}]},{"c":{}},{"d":"{"},{"e":2}] , "x":[1]}
{"Records":[{"f":3}]}"#;
        let got = all_chunkings(text);
        let items = got.iter().filter(|f| matches!(f, F::Item(Container::Records, ..))).count();
        assert_eq!((items, got.len()), (6, 7), "{got:?}");
        assert_eq!(got[5], F::Tail(Container::Records, r#" , "x":[1]}"#.into(), 74));
    }

    #[test]
    fn err_element_followed_by_garbage_after_a_lead() {
        let got = all_chunkings(b"{\"Records\":[{\"a\":1} x]}");
        assert_eq!(got, vec![F::Item(Container::Records, "{\"a\":1}".into(), 12), F::Error(20, true)]);
    }

    #[test]
    fn err_deep_nesting_is_skipped_without_stack() {
        let mut text = b"{\"Records\":[".to_vec();
        text.extend(std::iter::repeat_n(b'[', 100_000));
        text.extend(std::iter::repeat_n(b']', 100_000));
        text.extend(b",{\"ok\":1}]}");
        let got = frames(&text, 4096);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(matches!(got[0], F::Skipped(12, 200_000, SkipReason::TooDeep)), "{:?}", got[0]);
        assert_eq!(got[1], F::Item(Container::Records, "{\"ok\":1}".into(), 200_013));
    }

    #[test]
    fn err_oversized_record_is_skipped_and_not_buffered() {
        let big = "x".repeat(8 * MAX_EVENT_BYTES);
        let text = format!("{{\"Records\":[{{\"big\":\"{big}\"}},{{\"ok\":1}}]}}");
        let mut f = Framer::new();
        let mut got = Vec::new();
        let mut peak = 0;
        for c in text.as_bytes().chunks(64 * 1024) {
            f.push(c, &mut |fr| got.push(format!("{fr:?}").chars().take(60).collect::<String>()));
            peak = peak.max(f.buf.capacity());
        }
        f.finish(&mut |_| {});
        assert!(got[0].starts_with("Skipped"), "{got:?}");
        assert!(got[1].contains("Item"), "{got:?}");
        // The buffer is bounded by the limit (Vec doubling included), not by the 8 MB record.
        assert!(peak <= 2 * MAX_EVENT_BYTES + 128 * 1024, "buffer grew to {peak}");
    }

    #[test]
    fn ok_large_chunks_are_framed_in_pieces_so_the_buffer_stays_small() {
        // JSON lines read 4 MB at a time, as the worker reads a big file: every line is handed out,
        // and the buffer holds a piece and the line cut off at its end, not the chunk.
        let line = format!("{{\"eventName\":\"PutImage\",\"requestParameters\":\"{}\"}}\n", "x".repeat(1500));
        let lines = 12_000;
        let text = line.repeat(lines);
        let mut f = Framer::new();
        let (mut whole, mut at, mut peak) = (0, Vec::new(), 0);
        for c in text.as_bytes().chunks(4 << 20) {
            f.push(c, &mut |fr| {
                if let Frame::Whole { bytes, offset } = fr {
                    assert_eq!(bytes, line.trim_end().as_bytes());
                    whole += 1;
                    at.push(offset);
                }
            });
            peak = peak.max(f.buf.capacity());
        }
        f.finish(&mut |_| {});
        assert_eq!(whole, lines);
        assert!(at.iter().enumerate().all(|(i, &o)| o == (i * line.len()) as u64), "offsets");
        assert!(peak <= 2 * PIECE_BYTES, "buffer grew to {peak} for 4 MB chunks");
    }

    #[test]
    fn err_value_over_the_whole_value_limit_never_doubles_the_buffer_past_it() {
        // One line of 100 MB that is not a container (as a pipeline's JSON line would be): held
        // whole up to the limit, then skipped. Pushed 10^6 bytes at a time, as a file is read: the
        // buffer's doubling then passes 64 × 10^6 bytes, just under the limit, to twice that.
        let chunk = vec![b'A'; 1_000_000];
        let mut f = Framer::new();
        let mut got = Vec::new();
        let mut peak = 0;
        let mut feed = |f: &mut Framer, bytes: &[u8]| {
            f.push(bytes, &mut |fr| got.push(format!("{fr:?}").chars().take(60).collect::<String>()));
            peak = peak.max(f.buf.capacity());
        };
        feed(&mut f, b"{\"userAgent\":\"");
        for _ in 0..100 {
            feed(&mut f, &chunk);
        }
        feed(&mut f, b"\"}\n{\"ok\":1}\n");
        f.finish(&mut |_| {});
        assert!(got[0].starts_with("Skipped"), "{got:?}");
        // The next line, `{"ok":1}`, is still read.
        assert!(got[1].starts_with("Whole { bytes: [123, 34, 111, 107, 34, 58, 49, 125]"), "{got:?}");
        assert!(peak <= MAX_WHOLE_VALUE_BYTES + chunk.len(), "buffer grew to {peak}");
        assert!(f.buf.capacity() <= SHRINK_ABOVE, "the skipped value's room is kept: {}", f.buf.capacity());
    }
}
