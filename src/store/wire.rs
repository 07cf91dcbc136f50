//! Bytes for a [`super::batch`]: LEB128 varints, fixed 16-byte ids, length-prefixed text.
//!
//! The bytes travel from an ingest worker to the engine in the same page (the same build wrote
//! them), so the format has no version; still, a reader never panics: a short or malformed batch is
//! an error the engine reports.

use crate::model::Sym;

/// Appends values.
#[derive(Default)]
pub struct Writer {
    /// What was written.
    pub out: Vec<u8>,
}

impl Writer {
    /// A list of interned strings: its length, then each symbol.
    pub fn syms(&mut self, syms: &[Sym]) {
        self.u64(syms.len() as u64);
        for s in syms {
            self.u32(s.0);
        }
    }

    /// A varint.
    pub fn u64(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    /// A varint.
    pub fn u32(&mut self, v: u32) {
        self.u64(u64::from(v));
    }

    /// A signed number, zigzag-encoded so small negative numbers stay short.
    pub fn i64(&mut self, v: i64) {
        self.u64(((v << 1) ^ (v >> 63)).cast_unsigned());
    }

    /// Sixteen bytes, little-endian.
    pub fn u128(&mut self, v: u128) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    /// A length and the bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.out.extend_from_slice(b);
    }

    /// Bytes in pieces, read back as one [`Reader::bytes`]: the total length, then each piece.
    pub fn bytes_in_pieces(&mut self, pieces: &[Vec<u8>]) {
        self.u64(pieces.iter().map(Vec::len).sum::<usize>() as u64);
        for p in pieces {
            self.out.extend_from_slice(p);
        }
    }

    /// A length and the text.
    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
}

/// Reads what a [`Writer`] wrote.
pub struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

/// Why a batch could not be read.
pub type WireError = String;

impl<'b> Reader<'b> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'b [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    fn short(&self) -> WireError {
        format!("the batch is cut off at byte {}", self.at)
    }

    /// A varint.
    pub fn u64(&mut self) -> Result<u64, WireError> {
        let mut v = 0u64;
        let mut shift = 0u32;
        loop {
            let &b = self.bytes.get(self.at).ok_or_else(|| self.short())?;
            self.at += 1;
            if shift > 63 {
                return Err(format!("a number at byte {} is too long", self.at));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    /// A varint that must fit a `u32`.
    pub fn u32(&mut self) -> Result<u32, WireError> {
        let at = self.at;
        u32::try_from(self.u64()?).map_err(|_| format!("the number at byte {at} is out of range"))
    }

    /// What [`Writer::syms`] wrote.
    pub fn syms(&mut self) -> Result<Vec<Sym>, WireError> {
        let n = self.count()?;
        (0..n).map(|_| self.u32().map(Sym)).collect()
    }

    /// A count of items that each take at least one byte, so a corrupt count cannot ask for more
    /// memory than the batch could describe.
    pub fn count(&mut self) -> Result<usize, WireError> {
        let n = self.u64()?;
        let left = (self.bytes.len() - self.at) as u64;
        if n > left {
            return Err(format!("a count at byte {} says {n}, more than the {left} bytes left", self.at));
        }
        Ok(n as usize)
    }

    /// A zigzag-encoded signed number.
    pub fn i64(&mut self) -> Result<i64, WireError> {
        let v = self.u64()?;
        Ok((v >> 1).cast_signed() ^ -(v & 1).cast_signed())
    }

    /// Sixteen bytes, little-endian.
    pub fn u128(&mut self) -> Result<u128, WireError> {
        let b = self.take(16)?;
        let mut a = [0u8; 16];
        a.copy_from_slice(b);
        Ok(u128::from_le_bytes(a))
    }

    fn take(&mut self, n: usize) -> Result<&'b [u8], WireError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or_else(|| self.short())?;
        let b = &self.bytes[self.at..end];
        self.at = end;
        Ok(b)
    }

    /// Where the next read starts, for messages.
    pub fn offset(&self) -> usize {
        self.at
    }

    /// A length and the bytes.
    pub fn bytes(&mut self) -> Result<&'b [u8], WireError> {
        let n = self.count()?;
        self.take(n)
    }

    /// A length and the text.
    pub fn str(&mut self) -> Result<&'b str, WireError> {
        let at = self.at;
        std::str::from_utf8(self.bytes()?).map_err(|_| format!("the text at byte {at} is not UTF-8"))
    }

    /// One of `all`, by its index.
    pub fn pick<T: Copy>(&mut self, all: &[T]) -> Result<T, WireError> {
        let at = self.at;
        let i = self.u64()?;
        usize::try_from(i).ok().and_then(|i| all.get(i).copied()).ok_or_else(|| format!("unknown tag {i} at byte {at}"))
    }

    /// Whether every byte was read.
    pub fn done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

/// The index of `v` in `all` (which lists every value of its type).
pub fn index_of<T: PartialEq>(all: &[T], v: &T) -> u64 {
    all.iter().position(|x| x == v).unwrap_or(0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_numbers_and_text_round_trip() {
        let mut w = Writer::default();
        for v in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            w.u64(v);
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX, -1_700_000_000_000] {
            w.i64(v);
        }
        w.u128(0x0123_4567_89ab_cdef_0011_2233_4455_6677);
        w.str("ecr.amazonaws.com");
        w.str("");
        let mut r = Reader::new(&w.out);
        for v in [0u64, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(r.u64().unwrap(), v);
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX, -1_700_000_000_000] {
            assert_eq!(r.i64().unwrap(), v);
        }
        assert_eq!(r.u128().unwrap(), 0x0123_4567_89ab_cdef_0011_2233_4455_6677);
        assert_eq!(r.str().unwrap(), "ecr.amazonaws.com");
        assert_eq!(r.str().unwrap(), "");
        assert!(r.done());
    }

    #[test]
    fn bad_short_or_corrupt_bytes_are_errors_not_panics() {
        assert!(Reader::new(&[]).u64().is_err());
        assert!(Reader::new(&[0x80, 0x80]).u64().is_err());
        assert!(Reader::new(&[0xff; 12]).u64().is_err(), "over 64 bits");
        assert!(Reader::new(&[5, b'a']).str().is_err(), "length past the end");
        assert!(Reader::new(&[2, 0xff, 0xfe]).str().is_err(), "not UTF-8");
        assert!(Reader::new(&[1, 2, 3]).u128().is_err());
        assert!(Reader::new(&[9]).pick(&[1, 2]).is_err());
        assert!(Reader::new(&[0x80, 0x80, 0x80, 0x10]).count().is_err(), "a count larger than the batch");
    }
}
