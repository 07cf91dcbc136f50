//! One part of a large file of JSON lines, so that several readers can share it.
//!
//! A JSON-lines export of hundreds of MB read by one reader uses one core. Cut into byte ranges, each
//! read by another worker, it uses them all: a [`LineRange`] owns every line that *starts* at a byte
//! in `start..end` (a line starts at byte 0 or just after a newline), so ranges that tile the file
//! give each line to exactly one reader, wherever the cuts fall. A reader of a range is fed from
//! [`LineRange::first_byte`] (the byte before `start`, to see whether a line starts at `start`) and
//! passes on only what it owns; once the line that crosses `end` has ended, it wants nothing more.
//!
//! ```
//! use trailscope::ingest::range::LineRange;
//! let text = b"{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n";
//! // Cut at byte 10, inside the second line: the first range keeps it, the second starts after it.
//! let (mut one, mut two) = (LineRange::new(0, 10), LineRange::new(10, text.len() as u64));
//! let (first, at) = one.owned(text);
//! assert_eq!((first, at, one.done()), (&text[..16], 0, true));
//! let (second, at) = two.owned(&text[two.first_byte() as usize..]);
//! assert_eq!((second, at), (&text[16..], 16));
//! ```

/// The lines of a file that start at a byte in `start..end` (see the module docs).
#[derive(Debug, Clone)]
pub struct LineRange {
    /// Absolute position of the next byte pushed.
    pos: u64,
    /// Still skipping the rest of the line that started before `start`.
    head: bool,
    /// Lines that start here or later are not ours.
    end: u64,
    /// The line that crosses `end` has ended: nothing more is ours.
    done: bool,
}

impl LineRange {
    /// The lines starting in `start..end`; the reader is to be fed from [`Self::first_byte`].
    pub fn new(start: u64, end: u64) -> Self {
        LineRange { pos: start.saturating_sub(1), head: start > 0, end, done: false }
    }

    /// What is left to read of a file read from its start, with `read` bytes read already: the lines
    /// that start before `end`, and at least the one holding byte `read` (the line under way, which
    /// started before it, or one starting there).
    pub fn ending(read: u64, end: u64) -> Self {
        LineRange { pos: read, head: false, end: end.max(read + 1), done: false }
    }

    /// Where to start feeding: the byte before `start` (or 0).
    pub fn first_byte(&self) -> u64 {
        self.pos
    }

    /// Where the lines not ours start.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// Whether the line crossing the end has ended: nothing more is ours.
    pub fn done(&self) -> bool {
        self.done
    }

    /// Takes the next `chunk` of the file and answers the part of it that is ours, with its absolute
    /// position.
    pub fn owned<'a>(&mut self, chunk: &'a [u8]) -> (&'a [u8], u64) {
        let at = self.pos;
        self.pos += chunk.len() as u64;
        if self.done {
            return (&[], self.pos);
        }
        let mut from = 0;
        if self.head {
            let Some(nl) = memchr::memchr(b'\n', chunk) else { return (&[], self.pos) };
            self.head = false;
            from = nl + 1;
            // The first line ours starts here, unless that is past the end.
            if at + from as u64 >= self.end {
                self.done = true;
                return (&[], at + from as u64);
            }
        }
        let start = at + from as u64;
        // The line holding byte `end - 1` is the last one ours: it ends at the first newline there or later.
        let look = (self.end - 1).saturating_sub(at).max(from as u64);
        let to = match usize::try_from(look).ok().filter(|&l| l < chunk.len()) {
            Some(look) => match memchr::memchr(b'\n', &chunk[look..]) {
                Some(nl) => {
                    self.done = true;
                    look + nl + 1
                }
                None => chunk.len(),
            },
            None => chunk.len(),
        };
        (&chunk[from..to], start)
    }
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

    /// Reads `text` as the ranges `cuts` make of it, each fed in chunks of `chunk` bytes, and answers
    /// what each range owned, with where its first owned byte was.
    fn read(text: &[u8], cuts: &[u64], chunk: usize) -> Vec<(Vec<u8>, Option<u64>)> {
        let bounds: Vec<u64> = std::iter::once(0).chain(cuts.iter().copied()).chain([text.len() as u64]).collect();
        bounds
            .windows(2)
            .map(|w| {
                let mut r = LineRange::new(w[0], w[1]);
                let (mut got, mut first) = (Vec::new(), None);
                for piece in text[r.first_byte() as usize..].chunks(chunk) {
                    if r.done() {
                        break;
                    }
                    let (owned, at) = r.owned(piece);
                    if !owned.is_empty() && first.is_none() {
                        first = Some(at);
                    }
                    got.extend_from_slice(owned);
                }
                (got, first)
            })
            .collect()
    }

    /// The lines of `text` with where each starts, found by splitting (independently of `LineRange`).
    fn lines(text: &[u8]) -> Vec<(u64, &[u8])> {
        let mut out = Vec::new();
        let mut at = 0;
        for line in text.split_inclusive(|&b| b == b'\n') {
            out.push((at as u64, line));
            at += line.len();
        }
        out
    }

    #[test]
    fn ok_every_line_to_the_range_it_starts_in_wherever_the_cuts_fall() {
        let text = b"{\"a\":1}\n{\"bb\":22}\r\n\n{\"c\":3}\n{\"dddd\":4444}";
        let all = lines(text);
        for chunk in [1, 2, 3, 5, 7, 64] {
            for c1 in 1..text.len() as u64 {
                for c2 in c1 + 1..text.len() as u64 {
                    let got = read(text, &[c1, c2], chunk);
                    // Independently: the lines starting in each range, whole.
                    for (i, (lo, hi)) in [(0, c1), (c1, c2), (c2, text.len() as u64)].into_iter().enumerate() {
                        let want: Vec<u8> =
                            all.iter().filter(|(s, _)| (lo..hi).contains(s)).flat_map(|(_, l)| l.to_vec()).collect();
                        let first = all.iter().find(|(s, _)| (lo..hi).contains(s)).map(|(s, _)| *s);
                        assert_eq!(got[i], (want, first), "cuts {c1},{c2}, chunks of {chunk}, range {i}");
                    }
                }
            }
        }
    }

    #[test]
    fn ok_a_line_longer_than_its_range_goes_to_the_range_it_starts_in() {
        let text = b"{\"long\":\"xxxxxxxxxxxxxxxxxxxx\"}\n{\"b\":1}\n";
        let got = read(text, &[5, 10, 20], 4);
        assert_eq!(got[0], (text[..32].to_vec(), Some(0)));
        assert_eq!(got[1], (Vec::new(), None));
        assert_eq!(got[2], (Vec::new(), None));
        assert_eq!(got[3], (text[32..].to_vec(), Some(32)));
    }

    #[test]
    fn ok_ending_keeps_what_is_left_of_the_line_under_way() {
        let text = b"{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n";
        // Read 3 bytes already; the lines starting before 9 are ours: the first two.
        let mut r = LineRange::ending(3, 9);
        let (owned, at) = r.owned(&text[3..]);
        assert_eq!((owned, at, r.done()), (&text[3..16], 3, true));
        // An end at or before what was read still finishes the line under way.
        assert_eq!(LineRange::ending(12, 4).end(), 13);
        let mut r = LineRange::ending(10, 10);
        let (owned, at) = r.owned(&text[10..]);
        assert_eq!((owned, at, r.done()), (&text[10..16], 10, true));
    }

    #[test]
    fn ok_cut_tiles_the_rest_without_slivers() {
        assert_eq!(cut(10, 100, 30), vec![(10, 40), (40, 70), (70, 100)]);
        assert_eq!(cut(0, 90, 30), vec![(0, 30), (30, 60), (60, 90)]);
        assert_eq!(cut(0, 104, 30), vec![(0, 30), (30, 60), (60, 104)]);
        assert_eq!(cut(50, 50, 30), Vec::<(u64, u64)>::new());
    }
}
