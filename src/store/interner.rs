//! One copy of every distinct string: event names, sources, ARNs, IPs, user agents, repositories.
//!
//! Text lives in an [`Arena`] of 64 KB chunks (a longer string gets a chunk of its own), so the
//! table never holds a doubled, half-empty buffer and never copies its text to grow. Symbols are
//! numbered in order of arrival; `ends[i]` is where symbol `i` ends in the arena, and it starts where
//! symbol `i - 1` ends, because the arena never splits a string between two chunks. A
//! hash table ([`Sharded`]) finds existing symbols by content. Per distinct string this costs its bytes plus
//! about 10 bytes; per use, 4 bytes.
//!
//! Three shapes of string that come by the hundred thousand, each distinct, are kept packed (see
//! [`Packed`]): image and layer digests (`sha256:` and 64 hex digits, 71 bytes, kept in 33), IAM
//! unique ids and access key ids (20 characters of base 32, with whatever follows, as in a role
//! session's `AROA…:name`; the 20 are kept in 14), and lower-case UUIDs (36 bytes, kept in 17). So
//! [`Interner::get`] gives a [`Cow`]: borrowed text for everything else, the text rebuilt for these.
//! A packed entry starts with a byte that UTF-8 never uses, so it cannot be mistaken for text, and
//! the packing is exact: the text given back is byte for byte the text interned.

use hashbrown::DefaultHashBuilder;
use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher};

use super::arena::Arena;
use super::column::Column;
use super::sharded::Sharded;
use super::{format_uuid, lower_hex_digit, parse_uuid};
use crate::integrity::hash::push_hex;
use crate::model::Sym;

/// First byte of a packed `sha256:` digest (the 32 bytes follow). Bytes 0xF8 to 0xFF never occur in
/// UTF-8, so no text starts with one.
const TAG_SHA256: u8 = 0xF8;
/// First byte of a packed IAM id: 13 bytes hold its 20 base-32 characters (100 bits), then the
/// rest of the text follows as it was.
const TAG_IAM: u8 = 0xF9;
/// First byte of a packed lower-case UUID (the 16 bytes follow).
const TAG_UUID: u8 = 0xFA;

/// Characters of an IAM unique id or access key id (`AKIA…`, `ASIA…`, `AROA…`, `AIDA…`).
const IAM_LEN: usize = 20;
/// Bytes that hold them: 20 × 5 bits.
const IAM_BYTES: usize = 13;
/// The longest packed head: a digest.
const HEAD_MAX: usize = 33;

/// How a string is stored: `head` (packed bytes, empty for plain text) then `tail` as it is.
struct Packed<'s> {
    head: [u8; HEAD_MAX],
    head_len: usize,
    tail: &'s str,
}

impl<'s> Packed<'s> {
    fn of(s: &'s str) -> Self {
        let mut head = [0u8; HEAD_MAX];
        if let Some(hex) = s.strip_prefix("sha256:").filter(|h| h.len() == 64) {
            head[0] = TAG_SHA256;
            if lower_hex(hex.as_bytes(), &mut head[1..33]) {
                return Packed { head, head_len: 33, tail: "" };
            }
        }
        if let Some(v) = parse_uuid(s) {
            head[0] = TAG_UUID;
            head[1..17].copy_from_slice(&v.to_be_bytes());
            return Packed { head, head_len: 17, tail: "" };
        }
        if let Some(v) = s.as_bytes().get(..IAM_LEN).and_then(base32) {
            head[0] = TAG_IAM;
            head[1..=IAM_BYTES].copy_from_slice(&v.to_be_bytes()[16 - IAM_BYTES..]);
            // The first 20 bytes are ASCII, so this is a character boundary.
            return Packed { head, head_len: 1 + IAM_BYTES, tail: &s[IAM_LEN..] };
        }
        Packed { head, head_len: 0, tail: s }
    }

    fn head(&self) -> &[u8] {
        &self.head[..self.head_len]
    }

    fn len(&self) -> usize {
        self.head_len + self.tail.len()
    }

    fn matches(&self, stored: &[u8]) -> bool {
        stored.len() == self.len()
            && stored[..self.head_len] == *self.head()
            && stored[self.head_len..] == *self.tail.as_bytes()
    }
}

/// The length of the packed head a stored entry starts with (0 for text), by its tag.
fn head_size(stored: &[u8]) -> usize {
    match stored.first() {
        Some(&TAG_SHA256) => 33,
        Some(&TAG_UUID) => 17,
        Some(&TAG_IAM) => 1 + IAM_BYTES,
        _ => 0,
    }
}

/// Where the packed head of a stored entry ends (0 for text).
fn head_len(stored: &[u8]) -> usize {
    head_size(stored).min(stored.len())
}

/// 64 lower-case hex digits into 32 bytes; false for anything else (upper case is kept as text, so
/// that it comes back as it was).
fn lower_hex(hex: &[u8], out: &mut [u8]) -> bool {
    for (o, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        match (lower_hex_digit(pair[0]), lower_hex_digit(pair[1])) {
            (Some(h), Some(l)) => *o = h << 4 | l,
            _ => return false,
        }
    }
    true
}

/// The RFC 4648 base-32 alphabet, which IAM ids use.
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// 20 base-32 characters as a 100-bit number.
fn base32(chars: &[u8]) -> Option<u128> {
    chars.iter().try_fold(0u128, |v, &c| {
        let d = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        Some(v << 5 | u128::from(d))
    })
}

/// The text of a stored entry.
fn unpack(stored: &[u8]) -> Cow<'_, str> {
    if head_len(stored) == 0 {
        // Stored text was a `&str`, so this never fails; the empty string is only a guard.
        return Cow::Borrowed(std::str::from_utf8(stored).unwrap_or_default());
    }
    let mut s = String::new();
    unpack_into(stored, &mut s);
    Cow::Owned(s)
}

/// Appends the text of a stored entry to `out`.
fn unpack_into(stored: &[u8], out: &mut String) {
    let at = head_len(stored);
    // Packed heads end on a character boundary of the text, so this never fails.
    let tail = std::str::from_utf8(&stored[at..]).unwrap_or_default();
    let head = &stored[..at];
    match head.first() {
        Some(&TAG_SHA256) => {
            out.reserve(71);
            out.push_str("sha256:");
            push_hex(out, &head[1..]);
        }
        Some(&TAG_UUID) => {
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(&head[1..]);
            out.push_str(&format_uuid(u128::from_be_bytes(bytes)));
        }
        Some(&TAG_IAM) => {
            let mut bytes = [0u8; 16];
            bytes[16 - IAM_BYTES..].copy_from_slice(&head[1..]);
            let v = u128::from_be_bytes(bytes);
            out.reserve(IAM_LEN + tail.len());
            for i in (0..IAM_LEN).rev() {
                out.push(char::from(BASE32[((v >> (5 * i)) & 31) as usize]));
            }
        }
        _ => {}
    }
    out.push_str(tail);
}

/// String table. Symbol 0 is always the empty string.
pub struct Interner {
    /// Stored entries: UTF-8 text, or packed heads (see [`Packed`]).
    text: Arena<u8>,
    /// Offsets are `u32`: the text of all distinct strings stays under 4 GB (wasm32's whole memory).
    ends: Column<u32>,
    table: Sharded<u32>,
    hasher: DefaultHashBuilder,
}

impl Default for Interner {
    fn default() -> Self {
        Self::new()
    }
}

impl Interner {
    /// A table holding only the empty string.
    pub fn new() -> Self {
        let mut ends = Column::default();
        ends.push(0);
        Interner { text: Arena::default(), ends, table: Sharded::default(), hasher: DefaultHashBuilder::default() }
    }

    /// The symbol for `s`, adding it when new.
    pub fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Sym::EMPTY;
        }
        let p = Packed::of(s);
        let hash = hash_parts(self.hasher, p.head(), p.tail.as_bytes());
        if let Some(&i) = self.table.find(hash, |&i| p.matches(self.stored(i))) {
            return Sym(i);
        }
        self.push_parts(hash, p.head(), p.tail.as_bytes())
    }

    /// Adds a new stored string, `head` then `tail`, whose hash is `hash`.
    fn push_parts(&mut self, hash: u64, head: &[u8], tail: &[u8]) -> Sym {
        let chunk = self.text.room(head.len() + tail.len());
        chunk.extend_from_slice(head);
        chunk.extend_from_slice(tail);
        let i = self.ends.len() as u32;
        self.ends.push(self.text.len() as u32);
        let (text, ends, hasher) = (&self.text, &self.ends, &self.hasher);
        self.table.insert_unique(hash, i, |&j| {
            let e = stored(text, ends, j);
            let at = head_len(e);
            hash_parts(*hasher, &e[..at], &e[at..])
        });
        Sym(i)
    }

    /// Symbol `i` as stored (text, or a packed head and text), for handing a table to another
    /// one ([`Interner::intern_stored`]) without spelling out and packing again.
    pub fn stored(&self, i: u32) -> &[u8] {
        stored(&self.text, &self.ends, i)
    }

    /// The symbol for a string given as another table stored it ([`Interner::stored`]); `None` when
    /// the bytes are not a stored string (a packed head cut short, or text that is not UTF-8). The
    /// other table packs with this same code, so the form is the one this table would choose.
    pub fn intern_stored(&mut self, e: &[u8]) -> Option<Sym> {
        let at = head_size(e);
        // Only an IAM id has text after its head.
        let whole = at == 0 || e.len() == at || e.first() == Some(&TAG_IAM);
        let tail = std::str::from_utf8(e.get(at..)?).ok().filter(|_| whole)?;
        if e.is_empty() {
            return Some(Sym::EMPTY);
        }
        let hash = hash_parts(self.hasher, &e[..at], tail.as_bytes());
        if let Some(&i) = self.table.find(hash, |&i| self.stored(i) == e) {
            return Some(Sym(i));
        }
        Some(self.push_parts(hash, e, &[]))
    }

    /// The symbol for `s` if it was ever interned.
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        if s.is_empty() {
            return Some(Sym::EMPTY);
        }
        let p = Packed::of(s);
        let hash = hash_parts(self.hasher, p.head(), p.tail.as_bytes());
        self.table.find(hash, |&i| p.matches(self.stored(i))).map(|&i| Sym(i))
    }

    /// The text of a symbol: borrowed, or rebuilt for a packed one.
    pub fn get(&self, sym: Sym) -> Cow<'_, str> {
        unpack(self.stored(sym.0))
    }

    /// Number of distinct strings, the empty one included.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Always false: the empty string is always there.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Bytes held, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        self.text.heap_bytes() + self.ends.heap_bytes() + self.table.allocation_size()
    }

    /// All symbols with their text, in symbol order.
    pub fn iter(&self) -> impl Iterator<Item = (Sym, Cow<'_, str>)> {
        (0..self.ends.len() as u32).map(|i| (Sym(i), unpack(self.stored(i))))
    }

    /// Calls `f` with every symbol from `from` on and its text, in symbol order, rebuilding packed
    /// strings in one reused buffer rather than one allocation each (for scans of the whole table).
    pub fn scan(&self, from: u32, mut f: impl FnMut(Sym, &str)) {
        self.scan_some(from, true, |sym, text| f(sym, text.unwrap_or_default()));
    }

    /// As [`Interner::scan`], but when `spell_hex` is false a packed digest or UUID, whose text is
    /// only `sha256:`, hex digits and dashes, is given as `None` instead of being spelled out: a
    /// search for text with any other character cannot be in it, and spelling out the table's
    /// digests was most of a search's cost.
    pub fn scan_some(&self, from: u32, spell_hex: bool, mut f: impl FnMut(Sym, Option<&str>)) {
        let (mut buf, mut chunk) = (String::new(), 0);
        for i in from..self.ends.len() as u32 {
            let (start, len) = span(&self.ends, i);
            let e = self.text.get_after(&mut chunk, start, len).unwrap_or_default();
            let at = head_len(e);
            if at == 0 {
                f(Sym(i), Some(std::str::from_utf8(e).unwrap_or_default()));
            } else if !spell_hex && matches!(e[0], TAG_SHA256 | TAG_UUID) {
                f(Sym(i), None);
            } else {
                buf.clear();
                unpack_into(e, &mut buf);
                f(Sym(i), Some(&buf));
            }
        }
    }

    /// Whether `text` could be found in the text of a packed digest or UUID (see
    /// [`Interner::scan_some`]): it has only the characters those are written with, in either case.
    pub fn could_be_in_hex(text: &str) -> bool {
        text.bytes().all(|b| b.is_ascii_hexdigit() || matches!(b, b's' | b'S' | b'h' | b'H' | b':' | b'-'))
    }
}

/// The hash of a stored form, given as its packed head and its text tail, so that a string being
/// looked up is hashed without first being copied into one buffer.
fn hash_parts(hasher: DefaultHashBuilder, head: &[u8], tail: &[u8]) -> u64 {
    let mut h = hasher.build_hasher();
    h.write(head);
    h.write(tail);
    h.finish()
}

fn stored<'t>(text: &'t Arena<u8>, ends: &Column<u32>, i: u32) -> &'t [u8] {
    let (start, len) = span(ends, i);
    text.get(start, len).unwrap_or_default()
}

/// Where symbol `i`'s stored entry starts in the text, and its length (symbol 0 is empty).
fn span(ends: &Column<u32>, i: u32) -> (u32, u32) {
    match i as usize {
        0 => (0, 0),
        i => (ends.get(i - 1), ends.get(i) - ends.get(i - 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::arena::CHUNK_BYTES;

    #[test]
    fn ok_same_text_same_symbol() {
        let mut i = Interner::new();
        let a = i.intern("ecr.amazonaws.com");
        let b = i.intern("PutImage");
        assert_eq!(i.intern("ecr.amazonaws.com"), a);
        assert_ne!(a, b);
        assert_eq!(i.get(b), "PutImage");
        assert_eq!(i.intern(""), Sym::EMPTY);
        assert_eq!(i.lookup("PutImage"), Some(b));
        assert_eq!(i.lookup("nope"), None);
    }

    #[test]
    fn ok_many_strings_survive_growth() {
        let mut i = Interner::new();
        let syms: Vec<Sym> = (0..10_000).map(|n| i.intern(&format!("s{n}"))).collect();
        for (n, s) in syms.iter().enumerate() {
            assert_eq!(i.get(*s), format!("s{n}"));
            assert_eq!(i.intern(&format!("s{n}")), *s);
        }
        assert_eq!(i.len(), 10_001);
    }

    #[test]
    fn ok_strings_across_chunks_and_longer_than_a_chunk() {
        let mut i = Interner::new();
        let long = "x".repeat(CHUNK_BYTES + 10);
        let mut syms = Vec::new();
        for n in 0..3 * CHUNK_BYTES / 100 {
            syms.push((i.intern(&format!("{n:0>100}")), format!("{n:0>100}")));
            if n == 100 {
                syms.push((i.intern(&long), long.clone()));
            }
        }
        for (sym, text) in &syms {
            assert_eq!(i.get(*sym), text.as_str());
            assert_eq!(i.lookup(text), Some(*sym));
        }
        assert!(i.text.chunks().len() >= 4, "{}", i.text.chunks().len());
    }
    /// A table holding [`shapes`], each as symbol `n + 1`, and the shapes.
    fn shapes_interned() -> (Interner, Vec<String>) {
        let mut i = Interner::new();
        let texts = shapes();
        for t in &texts {
            i.intern(t);
        }
        (i, texts)
    }

    /// Strings of the packed shapes, and their near misses, which must stay text.
    fn shapes() -> Vec<String> {
        let hex64 = "0123456789abcdef".repeat(4);
        vec![
            format!("sha256:{hex64}"),
            format!("sha256:{}", "f".repeat(64)),
            format!("sha256:{}", "0".repeat(64)),
            format!("sha256:{}", hex64.to_uppercase()),
            format!("sha256:{}", &hex64[1..]),
            format!("sha256:{hex64}0"),
            format!("sha512:{hex64}"),
            "sha256:".to_owned(),
            "AKIAIOSFODNN7EXAMPLE".to_owned(),
            "ASIAY34FZKBOKMUTVV7A".to_owned(),
            "AROAJ2UCCR6DPCEXAMPLE".to_owned(),
            "AROADBQP57FF2AEXAMPLE:i-0123456789abcdef0".to_owned(),
            "AROAO26CSST6BBJEB5AS:Carlos_Salazar".to_owned(),
            "AIDAJ45Q7YFFAREXAMPLE:é ünïcode 🚀".to_owned(),
            "AAAAAAAAAAAAAAAAAAAA".to_owned(),
            "77777777777777777777".to_owned(),
            "AKIAIOSFODNN7EXAMPL".to_owned(),
            "AKIAIOSFODNN1EXAMPLE".to_owned(),
            "akiaiosfodnn7example".to_owned(),
            "3c9a1b2e-7f4d-4e8a-9c1b-2d3e4f5a6b7c".to_owned(),
            "00000000-0000-0000-0000-000000000000".to_owned(),
            "3C9A1B2E-7F4D-4E8A-9C1B-2D3E4F5A6B7C".to_owned(),
            "3c9a1b2e-7f4d-4e8a-9c1b-2d3e4f5a6b7".to_owned(),
            "3c9a1b2e_7f4d-4e8a-9c1b-2d3e4f5a6b7c".to_owned(),
            "ecr.amazonaws.com".to_owned(),
            "\u{0}\u{1}".to_owned(),
        ]
    }

    #[test]
    fn ok_packed_shapes_come_back_byte_for_byte() {
        let mut i = Interner::new();
        let texts = shapes();
        let syms: Vec<Sym> = texts.iter().map(|t| i.intern(t)).collect();
        for (t, &s) in texts.iter().zip(&syms) {
            assert_eq!(i.get(s), t.as_str());
            assert_eq!(i.intern(t), s, "{t}");
            assert_eq!(i.lookup(t), Some(s), "{t}");
        }
        let distinct: std::collections::HashSet<Sym> = syms.iter().copied().collect();
        assert_eq!(distinct.len(), texts.len());
        let mut scanned = Vec::new();
        i.scan(1, |s, t| scanned.push((s, t.to_owned())));
        let iterated: Vec<(Sym, String)> = i.iter().skip(1).map(|(s, t)| (s, t.into_owned())).collect();
        assert_eq!(scanned, iterated);
        assert_eq!(scanned.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>(), texts);
    }

    #[test]
    fn ok_scan_some_leaves_out_only_digests_and_uuids_and_only_for_other_text() {
        let (i, _) = shapes_interned();
        let mut all = Vec::new();
        i.scan(1, |_, t| all.push(t.to_owned()));
        let mut some = Vec::new();
        i.scan_some(1, false, |_, t| some.push(t.map(str::to_owned)));
        assert_eq!(some.len(), all.len());
        for (t, got) in all.iter().zip(&some) {
            // Digests and UUIDs as packed (lower-case hex); anything else is spelled out.
            let hex = |h: &str| !h.is_empty() && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f' | b'-'));
            let left_out = t.strip_prefix("sha256:").is_some_and(|h| h.len() == 64 && hex(h))
                || (t.len() == 36 && hex(t) && t.matches('-').count() == 4);
            assert_eq!(got.is_none(), left_out, "{t}");
            if let Some(g) = got {
                assert_eq!(g, t);
            }
        }
        assert!(some.iter().any(Option::is_none) && some.iter().any(Option::is_some));
        let mut spelled = Vec::new();
        i.scan_some(1, true, |_, t| spelled.push(t.unwrap().to_owned()));
        assert_eq!(spelled, all);
        for t in ["sha256:", "SHA256:AB", "3c9a-1b2e", "0", "deadBEEF"] {
            assert!(Interner::could_be_in_hex(t), "{t}");
        }
        for t in ["nginx", "sha256:ag", "é", " ", "x"] {
            assert!(!Interner::could_be_in_hex(t), "{t}");
        }
    }

    #[test]
    fn ok_which_shapes_are_packed() {
        let packed = |t: &str| Packed::of(t).head_len > 0;
        let hex64 = "0123456789abcdef".repeat(4);
        assert!(packed(&format!("sha256:{hex64}")));
        assert!(!packed(&format!("sha256:{}", hex64.to_uppercase())), "upper case must come back upper case");
        assert!(packed("AKIAIOSFODNN7EXAMPLE"));
        assert!(packed("AROAO26CSST6BBJEB5AS:Carlos_Salazar"));
        assert!(!packed("AKIAIOSFODNN1EXAMPLE"), "1 is not base 32");
        assert!(packed("3c9a1b2e-7f4d-4e8a-9c1b-2d3e4f5a6b7c"));
        assert!(!packed("3C9A1B2E-7F4D-4E8A-9C1B-2D3E4F5A6B7C"));
        assert!(!packed("ecr.amazonaws.com"));
    }

    #[test]
    fn ok_packed_strings_survive_growth_and_take_less_room() {
        let digest = |n: u32| format!("sha256:{:064x}", u128::from(n) * 0x9e37_79b9_7f4a_7c15);
        let mut i = Interner::new();
        let syms: Vec<Sym> = (0..20_000).map(|n| i.intern(&digest(n))).collect();
        for (n, s) in syms.iter().enumerate() {
            assert_eq!(i.get(*s), digest(n as u32));
            assert_eq!(i.lookup(&digest(n as u32)), Some(*s));
        }
        // 71 bytes of text each; packed, 33 plus the per-string overhead of the table.
        let per_string = i.heap_bytes() as f64 / 20_000.0;
        assert!(per_string < 50.0, "{per_string} bytes per digest");
    }
    #[test]
    fn ok_stored_strings_move_between_tables_and_bad_ones_are_refused() {
        let (a, texts) = shapes_interned();
        let mut b = Interner::new();
        b.intern("already here");
        b.intern("AKIAIOSFODNN7EXAMPLE");
        for (n, t) in texts.iter().enumerate() {
            let s = b.intern_stored(a.stored(n as u32 + 1)).expect(t);
            assert_eq!(b.get(s), t.as_str());
            assert_eq!(b.lookup(t), Some(s), "{t}");
            assert_eq!(b.intern(t), s, "{t}");
        }
        assert_eq!(b.len(), texts.len() + 2, "the key both tables had is one symbol");
        let digest = a.stored(1).to_vec();
        assert_eq!(digest[0], TAG_SHA256);
        assert_eq!(b.intern_stored(&digest[..20]), None, "a packed digest cut short");
        assert_eq!(b.intern_stored(&[TAG_UUID, 1, 2]), None);
        assert_eq!(b.intern_stored(&[TAG_IAM, 1, 2]), None);
        assert_eq!(b.intern_stored(&[b'a', 0xC3]), None, "text that is not UTF-8");
        assert_eq!(b.intern_stored(&[]), Some(Sym::EMPTY));
    }
}
