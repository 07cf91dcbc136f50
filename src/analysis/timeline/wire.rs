//! How an answer's long lists cross the worker boundary: packed into bytes.
//!
//! Zoomed out over a million events an answer holds some 15,000 cells and thousands of principals.
//! As serde values each cell would become a JavaScript object of seven fields, built field by field
//! in the worker and read back field by field on the page's thread, where it would hold up frames;
//! as bytes the list is one `Uint8Array` (`serialize_bytes`) copied once each way. In formats without
//! bytes (JSON) it is an array of numbers, read back the same way.
//!
//! Numbers are little-endian; reading checks every length and value, so a short or damaged buffer is
//! an error, never a panic.

use serde::de::{Error as _, SeqAccess, Visitor};
use serde::{Deserializer, Serializer};

use super::{Cell, Mark, Span};

/// Appends fixed-size values.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
}

/// Takes them back, failing on a short buffer.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let (head, rest) = self.0.split_first_chunk::<N>().ok_or("the packed list is cut short")?;
        self.0 = rest;
        Ok(*head)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        self.take().map(u16::from_le_bytes)
    }
    fn u32(&mut self) -> Result<u32, String> {
        self.take().map(u32::from_le_bytes)
    }
    fn i64(&mut self) -> Result<i64, String> {
        self.take().map(i64::from_le_bytes)
    }
    fn bytes(&mut self, n: usize) -> Result<&[u8], String> {
        if n > self.0.len() {
            return Err("the packed list is cut short".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn done(&self) -> bool {
        self.0.is_empty()
    }
}

const MARKS: [Mark; 7] = [Mark::Events, Mark::Push, Mark::Pull, Mark::Expiry, Mark::Deploy, Mark::Build, Mark::Use];

fn mark_byte(m: Mark) -> u8 {
    MARKS.iter().position(|&x| x == m).unwrap_or(0) as u8
}

fn mark_of(b: u8) -> Result<Mark, String> {
    MARKS.get(b as usize).copied().ok_or_else(|| format!("no mark numbered {b}"))
}

/// `None` for "several identities" travels as this.
const NOBODY: u32 = u32::MAX;

/// Reads records until the buffer ends.
fn read_all<'a, T>(
    bytes: &'a [u8],
    mut one: impl FnMut(&mut Reader<'a>) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let mut r = Reader(bytes);
    let mut out = Vec::new();
    while !r.done() {
        out.push(one(&mut r)?);
    }
    Ok(out)
}

/// Packs cells.
pub fn pack_cells(cells: &[Cell]) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(cells.len() * 23));
    for c in cells {
        w.u16(c.lane);
        w.u32(c.bucket);
        w.u8(mark_byte(c.mark));
        w.u32(c.count);
        w.u32(c.errors);
        w.u32(c.row);
        w.u32(c.who.unwrap_or(NOBODY));
    }
    w.0
}

/// Unpacks cells.
pub fn unpack_cells(bytes: &[u8]) -> Result<Vec<Cell>, String> {
    read_all(bytes, |r| {
        Ok(Cell {
            lane: r.u16()?,
            bucket: r.u32()?,
            mark: mark_of(r.u8()?)?,
            count: r.u32()?,
            errors: r.u32()?,
            row: r.u32()?,
            who: Some(r.u32()?).filter(|&w| w != NOBODY),
        })
    })
}

/// Packs spans.
pub fn pack_spans(spans: &[Span]) -> Vec<u8> {
    let mut w = Writer::default();
    for s in spans {
        w.u16(s.lane);
        w.u8(mark_byte(s.mark));
        w.i64(s.start);
        w.i64(s.end);
        w.u32(s.events);
        w.u8(u8::from(s.error));
        w.u32(s.row);
        w.u32(s.who);
    }
    w.0
}

/// Unpacks spans.
pub fn unpack_spans(bytes: &[u8]) -> Result<Vec<Span>, String> {
    read_all(bytes, |r| {
        Ok(Span {
            lane: r.u16()?,
            mark: mark_of(r.u8()?)?,
            start: r.i64()?,
            end: r.i64()?,
            events: r.u32()?,
            error: r.u8()? != 0,
            row: r.u32()?,
            who: r.u32()?,
        })
    })
}

/// Packs counts.
pub fn pack_counts(counts: &[u32]) -> Vec<u8> {
    counts.iter().flat_map(|c| c.to_le_bytes()).collect()
}

/// Unpacks counts.
pub fn unpack_counts(bytes: &[u8]) -> Result<Vec<u32>, String> {
    read_all(bytes, Reader::u32)
}

/// Packs strings (each its byte length, then its UTF-8).
pub fn pack_strings(strings: &[String]) -> Vec<u8> {
    let mut w = Writer::default();
    for s in strings {
        w.u32(s.len() as u32);
        w.0.extend_from_slice(s.as_bytes());
    }
    w.0
}

/// Unpacks strings.
pub fn unpack_strings(bytes: &[u8]) -> Result<Vec<String>, String> {
    read_all(bytes, |r| {
        let n = r.u32()? as usize;
        String::from_utf8(r.bytes(n)?.to_vec()).map_err(|_| "a packed string is not UTF-8".to_owned())
    })
}

/// Bytes as serde gives them: a byte buffer, or (JSON) an array of numbers.
struct Bytes;

impl<'de> Visitor<'de> for Bytes {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("bytes")
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
        Ok(v.to_vec())
    }

    fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
        Ok(v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
        while let Some(b) = seq.next_element::<u8>()? {
            out.push(b);
        }
        Ok(out)
    }
}

fn bytes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    d.deserialize_byte_buf(Bytes)
}

/// `#[serde(with)]` modules, one per packed list.
macro_rules! with {
    ($name:ident, $t:ty, $pack:ident, $unpack:ident) => {
        #[doc = concat!("`#[serde(with)]` for a `Vec<", stringify!($t), ">` packed into bytes.")]
        pub mod $name {
            use super::*;

            /// Packs.
            pub fn serialize<S: Serializer>(v: &[$t], s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&$pack(v))
            }

            /// Unpacks.
            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<$t>, D::Error> {
                $unpack(&bytes(d)?).map_err(D::Error::custom)
            }
        }
    };
}

with!(cells, Cell, pack_cells, unpack_cells);
with!(spans, Span, pack_spans, unpack_spans);
with!(counts, u32, pack_counts, unpack_counts);
with!(strings, String, pack_strings, unpack_strings);

#[cfg(test)]
mod tests {
    use super::super::Timeline;
    use super::*;

    #[test]
    fn ok_cells_pack_to_the_documented_bytes() {
        let c = Cell { lane: 2, bucket: 0x0102_0304, mark: Mark::Pull, count: 5, errors: 1, row: 9, who: None };
        let want: [u8; 23] = [2, 0, 4, 3, 2, 1, 2, 5, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(pack_cells(std::slice::from_ref(&c)), want);
        assert_eq!(unpack_cells(&want), Ok(vec![c]));
    }

    #[test]
    fn ok_an_answer_survives_json() {
        let tl = Timeline {
            buckets: 3,
            density: vec![0, 7, u32::MAX],
            cells: vec![Cell { lane: 1, bucket: 2, mark: Mark::Expiry, count: 3, errors: 0, row: 4, who: Some(0) }],
            spans: vec![Span {
                lane: 0,
                mark: Mark::Push,
                start: -5,
                end: 1_700_000_000_000,
                events: 3,
                error: true,
                row: 1,
                who: 0,
            }],
            people: vec!["arn:aws:iam::1:user/Zoë".into(), String::new(), "\u{202e}evil".into()],
            ..Timeline::default()
        };
        let json = serde_json::to_string(&tl).unwrap();
        assert_eq!(serde_json::from_str::<Timeline>(&json).unwrap(), tl);
    }

    #[test]
    fn err_damaged_buffers_are_errors() {
        let c = Cell { lane: 0, bucket: 0, mark: Mark::Events, count: 1, errors: 0, row: 0, who: Some(1) };
        let bytes = pack_cells(&[c]);
        assert_eq!(unpack_cells(&bytes[..22]), Err("the packed list is cut short".into()));
        let mut bad = bytes.clone();
        // One past the last mark.
        bad[6] = MARKS.len() as u8;
        assert_eq!(unpack_cells(&bad), Err(format!("no mark numbered {}", MARKS.len())));
        assert_eq!(unpack_strings(&[5, 0, 0, 0, b'a']), Err("the packed list is cut short".into()));
        assert_eq!(unpack_strings(&[1, 0, 0, 0, 0xff]), Err("a packed string is not UTF-8".into()));
        assert_eq!(unpack_counts(&[1, 2, 3]), Err("the packed list is cut short".into()));
        assert!(serde_json::from_str::<Timeline>(r#"{"range":null,"buckets":0,"extent":null,"lanes":[],"cells":[1,2],"density":[],"spans":[],"spans_cut":false,"people":[],"in_range":0}"#).is_err());
    }
}
