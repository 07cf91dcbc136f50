//! One part of a large file of events one after another, so that several readers can share it.
//!
//! A JSON-lines export of hundreds of MB read by one reader uses one core. Cut into byte ranges,
//! each read by another worker, it uses them all. A *record* starts at byte 0 and at every `{` that
//! opens a line after a `}` with only white space between (blank lines, trailing spaces, CRs; at
//! most [`LOOK_BACK`] bytes from the `}` to the `{`): each line of JSON lines, and each event of a
//! file of pretty-printed events one after another (as `jq '.Records[]'` writes them). Inside a
//! value, a `{` follows a `[`, `,` or `:`, never a `}` (two values there are parted by a comma), so
//! a record start is always where a top-level value starts, however the value is laid out. A
//! [`RecordRange`] owns every record that starts at a byte in `start..end`, up to where the next
//! record starts, so ranges that tile the file give each record, and each byte, to exactly one
//! reader, wherever the cuts fall. Lines that open no record (a blank line, a broken line, an
//! indented line, and the line after one of those) go with the record before them. A reader of a
//! range is fed from [`RecordRange::first_byte`] ([`LOOK_BACK`] bytes before `start`, to see
//! whether a record starts at `start`) and passes on only what it owns; once the record that
//! crosses `end` has ended, it wants nothing more.
//!
//! ```
//! use trailscope::ingest::range::RecordRange;
//! let text = b"{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n";
//! // Cut at byte 10, inside the second line: the first range keeps it, the second starts after it.
//! let (mut one, mut two) = (RecordRange::new(0, 10), RecordRange::new(10, text.len() as u64));
//! let (first, at) = one.owned(text);
//! assert_eq!((first, at, one.done()), (&text[..16], 0, true));
//! let (second, at) = two.owned(&text[two.first_byte() as usize..]);
//! assert_eq!((second, at), (&text[16..], 16));
//! ```

/// How many bytes before a `{` tell whether it starts a record: a `}` this close, with only white
/// space after it, the last a line break.
pub const LOOK_BACK: u64 = 16;

/// [`LOOK_BACK`] as an index.
const BACK: usize = LOOK_BACK as usize;

/// The records of a file that start at a byte in `start..end` (see the module docs).
#[derive(Debug, Clone)]
pub struct RecordRange {
    /// Absolute position of the next byte pushed.
    pos: u64,
    /// The last [`LOOK_BACK`] bytes pushed, the last one last (zeros before any).
    tail: [u8; BACK],
    /// Still skipping the rest of the record that started before `start`.
    head: bool,
    /// Where records ours may start (in the bytes fed before it, none do).
    start: u64,
    /// Records that start here or later are not ours.
    end: u64,
    /// The record that crosses `end` has ended: nothing more is ours.
    done: bool,
}

impl RecordRange {
    /// The records starting in `start..end`; the reader is to be fed from [`Self::first_byte`].
    pub fn new(start: u64, end: u64) -> Self {
        let pos = start.saturating_sub(LOOK_BACK);
        RecordRange { pos, tail: [0; BACK], head: start > 0, start, end, done: false }
    }

    /// What is left to read of a file read from its start, with `read` bytes read already: the records
    /// that start before `end`, and at least the one holding byte `read` (the record under way, which
    /// started before it, or one starting there). The end is at least [`LOOK_BACK`] bytes on, so that
    /// whether a record starts there is told by bytes pushed here.
    pub fn ending(read: u64, end: u64) -> Self {
        let end = end.max(read + LOOK_BACK);
        RecordRange { pos: read, tail: [0; BACK], head: false, start: read, end, done: false }
    }

    /// Where to start feeding: [`LOOK_BACK`] bytes before `start` (or 0).
    pub fn first_byte(&self) -> u64 {
        self.pos
    }

    /// Where the records not ours start.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// Whether the record crossing the end has ended: nothing more is ours.
    pub fn done(&self) -> bool {
        self.done
    }

    /// Takes the next `chunk` of the file and answers the part of it that is ours, with its absolute
    /// position.
    pub fn owned<'a>(&mut self, chunk: &'a [u8]) -> (&'a [u8], u64) {
        let at = self.pos;
        let tail = self.tail;
        self.pos += chunk.len() as u64;
        if chunk.len() >= BACK {
            self.tail.copy_from_slice(&chunk[chunk.len() - BACK..]);
        } else {
            self.tail.rotate_left(chunk.len());
            self.tail[BACK - chunk.len()..].copy_from_slice(chunk);
        }
        if self.done {
            return (&[], self.pos);
        }
        let index = |p: u64| usize::try_from(p.saturating_sub(at)).unwrap_or(usize::MAX);
        let mut from = 0;
        if self.head {
            match record_start(chunk, index(self.start), tail) {
                // The first record ours starts here, unless that is past the end.
                Some(i) if at + i as u64 >= self.end => {
                    self.done = true;
                    return (&[], at + i as u64);
                }
                Some(i) => {
                    self.head = false;
                    from = i;
                }
                None => {
                    // Any record starting later starts at `end` or after it.
                    self.done = self.pos >= self.end;
                    return (&[], self.pos);
                }
            }
        }
        // The last record ours ends where the first one starting at `end` or later starts (which is
        // after `from`: that one started before `end`).
        let to = match record_start(chunk, index(self.end), tail) {
            Some(i) => {
                self.done = true;
                i
            }
            None => chunk.len(),
        };
        (&chunk[from..to], at + from as u64)
    }
}

/// The first index from `from` on in `chunk` where a record starts (a `{` that opens a line, after a
/// `}` and only white space: see the module docs), with `tail` the bytes before the chunk.
fn record_start(chunk: &[u8], from: usize, tail: [u8; BACK]) -> Option<usize> {
    // The byte `back` bytes before index `i` (which is at least `back`, or reaches into `tail`).
    let byte = |i: usize, back: usize| if i >= back { chunk[i - back] } else { tail[BACK + i - back] };
    let starts = |i: usize| {
        byte(i, 1) == b'\n'
            && (2..=BACK).map(|back| byte(i, back)).find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')) == Some(b'}')
    };
    if from >= chunk.len() {
        return None;
    }
    // A `{` right after a newline at `from - 1` or later.
    let first = (from == 0 && chunk[0] == b'{' && starts(0)).then_some(0);
    first.or_else(|| {
        let look = from.saturating_sub(1);
        memchr::memchr_iter(b'\n', &chunk[look..])
            .map(|nl| look + nl + 1)
            .find(|&i| i >= from.max(1) && chunk.get(i) == Some(&b'{') && starts(i))
    })
}

/// Cuts `start..size` into ranges of about `piece` bytes (the last may be up to half a piece longer,
/// rather than leave a sliver).
pub fn cut(start: u64, size: u64, piece: u64) -> Vec<(u64, u64)> {
    let piece = piece.max(1);
    let mut out = Vec::new();
    let mut at = start;
    while at < size {
        let end = if size - at < piece + piece / 2 { size } else { at + piece };
        out.push((at, end));
        at = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a range's reader was given and passed on.
    #[derive(Debug, PartialEq)]
    struct Read {
        owned: Vec<u8>,
        /// Where its first owned byte was.
        first: Option<u64>,
        /// Where the bytes fed to it ended when it wanted no more (the text's end if it never said so).
        fed_to: u64,
    }

    /// Reads `text` as the ranges `cuts` make of it, each fed in chunks of `chunk` bytes until it is
    /// done.
    fn read(text: &[u8], cuts: &[u64], chunk: usize) -> Vec<Read> {
        let bounds: Vec<u64> = std::iter::once(0).chain(cuts.iter().copied()).chain([text.len() as u64]).collect();
        bounds
            .windows(2)
            .map(|w| {
                let mut r = RecordRange::new(w[0], w[1]);
                let mut got = Read { owned: Vec::new(), first: None, fed_to: r.first_byte() };
                for piece in text[r.first_byte() as usize..].chunks(chunk) {
                    if r.done() {
                        break;
                    }
                    let (owned, at) = r.owned(piece);
                    if !owned.is_empty() && got.first.is_none() {
                        got.first = Some(at);
                    }
                    got.owned.extend_from_slice(owned);
                    got.fed_to += piece.len() as u64;
                }
                got
            })
            .collect()
    }

    /// The records of `text` with where each starts, found by splitting it into lines and starting a
    /// record at the first and at each that opens with `{` after a `}` and only white space, 16 bytes
    /// at most (independently of `RecordRange`).
    fn records(text: &[u8]) -> Vec<(u64, Vec<u8>)> {
        let mut out: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut at = 0;
        for line in text.split_inclusive(|&b| b == b'\n') {
            // What comes before, less its white space at the end, ends with `}` at most 16 bytes back.
            let before = text[..at].trim_ascii_end();
            let opens = line[0] == b'{' && before.ends_with(b"}") && at - before.len() < 16;
            match out.last_mut() {
                Some((_, record)) if !opens => record.extend_from_slice(line),
                _ => out.push((at as u64, line.to_vec())),
            }
            at += line.len();
        }
        out
    }

    /// Cuts `text` at every pair of positions, read in chunks of 1 to 64 bytes, and checks what each
    /// range owned against [`records`], and that it wanted no more once it had seen where the next
    /// record after its own starts (or, owning none, its end).
    fn check_every_cut(text: &[u8]) {
        let all = records(text);
        let size = text.len() as u64;
        for chunk in [1, 2, 3, 5, 7, 64] {
            for c1 in 1..size {
                for c2 in c1 + 1..size {
                    let got = read(text, &[c1, c2], chunk);
                    for (i, (lo, hi)) in [(0, c1), (c1, c2), (c2, size)].into_iter().enumerate() {
                        let mine = || all.iter().filter(|(s, _)| (lo..hi).contains(s));
                        let owned: Vec<u8> = mine().flat_map(|(_, r)| r.clone()).collect();
                        let first = mine().next().map(|(s, _)| *s);
                        let next = all.iter().map(|(s, _)| *s).find(|&s| s >= hi);
                        let seen = if first.is_some() { next.map_or(size, |s| s + 1) } else { hi };
                        let from = lo.saturating_sub(LOOK_BACK);
                        let fed_to = (from + (seen - from).div_ceil(chunk as u64) * chunk as u64).min(size);
                        let want = Read { owned, first, fed_to };
                        assert_eq!(got[i], want, "cuts {c1},{c2}, chunks of {chunk}, range {i}");
                    }
                }
            }
        }
    }

    #[test]
    fn ok_every_line_to_the_range_it_starts_in_wherever_the_cuts_fall() {
        // CRLF, a blank line, trailing spaces, a `}` 17 bytes before a `{` (too far) and one 16 bytes
        // before (a record), no final newline.
        check_every_cut(b"{\"a\":1}\n{\"bb\":22}\r\n\n{\"c\":3}  \n{\"dddd\":4444}\n              \n{\"e\":5}\n             \n{\"f\":6}");
    }

    #[test]
    fn ok_every_pretty_printed_record_to_the_range_it_starts_in_wherever_the_cuts_fall() {
        // Pretty-printed events one after another, indented and not, a line of JSON lines, a broken
        // line and an indented one, which go with the record before them, with the line after the
        // broken one, a CRLF, and a record at the very end.
        let text = b"{\n  \"a\": {\n    \"b\": [\n      {\"c\": 1}\n    ]\n  }\n}\n{\"d\":2}\nnot json\n{\"e\":3}\n  {\"e\":3}\n{\n\"f\": [\n{\n\"g\": 4\n},\n{}\n]\n}\r\n{";
        assert_eq!(records(text).len(), 4, "the oracle's records");
        check_every_cut(text);
    }

    #[test]
    fn ok_a_line_longer_than_its_range_goes_to_the_range_it_starts_in() {
        let text = b"{\"long\":\"xxxxxxxxxxxxxxxxxxxx\"}\n{\"b\":1}\n";
        let got: Vec<(Vec<u8>, Option<u64>)> =
            read(text, &[5, 10, 20], 4).into_iter().map(|r| (r.owned, r.first)).collect();
        assert_eq!(got[0], (text[..32].to_vec(), Some(0)));
        assert_eq!(got[1], (Vec::new(), None));
        assert_eq!(got[2], (Vec::new(), None));
        assert_eq!(got[3], (text[32..].to_vec(), Some(32)));
    }

    #[test]
    fn ok_ending_keeps_what_is_left_of_the_line_under_way() {
        let line = |c: char| format!("{{\"{c}\":\"{}\"}}\n", "x".repeat(22));
        let text: Vec<u8> = [line('a'), line('b'), line('c')].concat().into_bytes();
        assert_eq!(text.len(), 3 * 31);
        // Read 3 bytes already; the records starting before 40 are ours: the first two.
        let mut r = RecordRange::ending(3, 40);
        let (owned, at) = r.owned(&text[3..]);
        assert_eq!((owned, at, r.done()), (&text[3..62], 3, true));
        // An end at or before what was read still finishes the record under way, and is far enough
        // on to tell a record's start by bytes read here.
        assert_eq!(RecordRange::ending(12, 4).end(), 12 + LOOK_BACK);
        let mut r = RecordRange::ending(40, 40);
        let (owned, at) = r.owned(&text[40..]);
        assert_eq!((owned, at, r.done()), (&text[40..62], 40, true));
    }

    #[test]
    fn ok_cut_tiles_the_rest_without_slivers() {
        assert_eq!(cut(10, 100, 30), vec![(10, 40), (40, 70), (70, 100)]);
        assert_eq!(cut(0, 90, 30), vec![(0, 30), (30, 60), (60, 90)]);
        assert_eq!(cut(0, 104, 30), vec![(0, 30), (30, 60), (60, 104)]);
        assert_eq!(cut(50, 50, 30), Vec::<(u64, u64)>::new());
    }
}
