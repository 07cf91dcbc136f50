//! One copy of every distinct string: event names, sources, ARNs, IPs, user agents, repositories.
//!
//! Text lives in chunks of [`TEXT_CHUNK`] bytes (a longer string gets a chunk of its own), so the
//! table never holds a doubled, half-empty buffer and never copies its text to grow. Symbols are
//! numbered in order of arrival; `ends[i]` is where symbol `i` ends in the concatenation of the
//! chunks, and it starts where symbol `i - 1` ends, because a string never straddles two chunks. A
//! `HashTable<u32>` finds existing symbols by content. Per distinct string this costs its bytes plus
//! about 10 bytes; per use, 4 bytes.

use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;

use super::column::Column;
use crate::model::Sym;

/// Bytes of text per chunk: the last chunk's spare room is at most this, so it is small next to a
/// large table (32 KB is under two bytes per event at 20,000 events), yet a table of tens of
/// megabytes needs only a few thousand chunks.
const TEXT_CHUNK: usize = 32 * 1024;

/// String table. Symbol 0 is always the empty string.
pub struct Interner {
    /// Text chunks.
    chunks: Vec<String>,
    /// The global offset where each chunk starts, apart from the chunks so that finding a symbol's
    /// chunk is a binary search over a few kilobytes that stay in cache.
    bases: Vec<u32>,
    /// Offsets are `u32`: the text of all distinct strings stays under 4 GB (wasm32's whole memory).
    ends: Column<u32>,
    table: HashTable<u32>,
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
        Interner {
            chunks: Vec::new(),
            bases: Vec::new(),
            ends,
            table: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        }
    }

    /// The symbol for `s`, adding it when new.
    pub fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Sym::EMPTY;
        }
        let hash = self.hasher.hash_one(s);
        if let Some(&i) = self.table.find(hash, |&i| self.text(i) == s) {
            return Sym(i);
        }
        let end = self.ends.get(self.ends.len() - 1);
        let fits = self.chunks.last().is_some_and(|c| c.len() + s.len() <= c.capacity());
        if !fits {
            self.chunks.push(String::with_capacity(s.len().max(TEXT_CHUNK)));
            self.bases.push(end);
        }
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.push_str(s);
        }
        let i = self.ends.len() as u32;
        self.ends.push(end.saturating_add(s.len() as u32));
        let (chunks, bases, ends, hasher) = (&self.chunks, &self.bases, &self.ends, &self.hasher);
        self.table.insert_unique(hash, i, |&j| hasher.hash_one(text(chunks, bases, ends, j)));
        Sym(i)
    }

    fn text(&self, i: u32) -> &str {
        text(&self.chunks, &self.bases, &self.ends, i)
    }

    /// The symbol for `s` if it was ever interned.
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        if s.is_empty() {
            return Some(Sym::EMPTY);
        }
        let hash = self.hasher.hash_one(s);
        self.table.find(hash, |&i| self.text(i) == s).map(|&i| Sym(i))
    }

    /// The text of a symbol.
    pub fn get(&self, sym: Sym) -> &str {
        self.text(sym.0)
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
        self.chunks.iter().map(String::capacity).sum::<usize>()
            + self.chunks.capacity() * std::mem::size_of::<String>()
            + self.bases.capacity() * std::mem::size_of::<u32>()
            + self.ends.heap_bytes()
            + self.table.allocation_size()
    }

    /// All symbols with their text, in symbol order.
    pub fn iter(&self) -> impl Iterator<Item = (Sym, &str)> {
        (0..self.ends.len() as u32).map(|i| (Sym(i), self.text(i)))
    }
}

fn text<'t>(chunks: &'t [String], bases: &[u32], ends: &Column<u32>, i: u32) -> &'t str {
    let i = i as usize;
    if i == 0 {
        return "";
    }
    let (start, end) = (ends.get(i - 1), ends.get(i));
    if start == end {
        return "";
    }
    let at = bases.partition_point(|&base| base <= start) - 1;
    let (base, chunk) = (&bases[at], &chunks[at]);
    &chunk[(start - base) as usize..(end - base) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let long = "x".repeat(TEXT_CHUNK + 10);
        let mut syms = Vec::new();
        for n in 0..3 * TEXT_CHUNK / 100 {
            syms.push((i.intern(&format!("{n:0>100}")), format!("{n:0>100}")));
            if n == 100 {
                syms.push((i.intern(&long), long.clone()));
            }
        }
        for (sym, text) in &syms {
            assert_eq!(i.get(*sym), text);
            assert_eq!(i.lookup(text), Some(*sym));
        }
        assert!(i.chunks.len() >= 4, "{}", i.chunks.len());
    }
}
