//! Splits text into lines with their byte offsets, across chunks, for CloudWatch Logs exports.

use super::limits;

/// Line splitter: hands out each complete line (without its `\n`) with the offset where it starts.
#[derive(Default)]
pub struct Lines {
    buf: Vec<u8>,
    base: u64,
    too_long: bool,
    /// Offsets of lines over [`limits::MAX_LINE_BYTES`], which were passed over.
    pub skipped: Vec<u64>,
}

impl Lines {
    /// A splitter whose first byte is at `base` (after a byte order mark, say).
    pub fn at(base: u64) -> Lines {
        Lines { base, ..Lines::default() }
    }

    /// Feeds more text; complete lines go to `out`.
    pub fn push(&mut self, data: &[u8], out: &mut dyn FnMut(u64, &[u8])) {
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
                self.buf = Vec::new();
            }
        }
    }

    /// Ends the text: the last line, when it has no `\n`.
    pub fn finish(&mut self, out: &mut dyn FnMut(u64, &[u8])) {
        if !self.buf.is_empty() && !self.too_long {
            out(self.base, &self.buf);
            self.buf.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_lines_with_offsets_in_any_chunking() {
        let text = b"a b\r\n\ncd\nlast";
        for chunk in 1..text.len() {
            let mut l = Lines::default();
            let mut got = Vec::new();
            for c in text.chunks(chunk) {
                l.push(c, &mut |o, line| got.push((o, line.to_vec())));
            }
            l.finish(&mut |o, line| got.push((o, line.to_vec())));
            assert_eq!(
                got,
                vec![(0, b"a b\r".to_vec()), (5, b"".to_vec()), (6, b"cd".to_vec()), (9, b"last".to_vec())],
                "chunk {chunk}"
            );
        }
    }
}
