//! One copy of every distinct string: event names, sources, ARNs, IPs, user agents, repositories.
//!
//! All text lives in one growing `String`; a symbol is an index into a table of spans, and a
//! `HashTable<u32>` finds existing symbols by content. Per distinct string this costs its bytes plus
//! about 13 bytes; per use, 4 bytes.

use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;

use crate::model::Sym;

/// String table. Symbol 0 is always the empty string.
pub struct Interner {
    text: String,
    spans: Vec<(u32, u32)>,
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
        Interner {
            text: String::new(),
            spans: vec![(0, 0)],
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
        let (text, spans) = (&self.text, &self.spans);
        let get = |i: u32| {
            let (start, len) = spans[i as usize];
            &text[start as usize..(start + len) as usize]
        };
        if let Some(&i) = self.table.find(hash, |&i| get(i) == s) {
            return Sym(i);
        }
        let start = self.text.len() as u32;
        self.text.push_str(s);
        let i = self.spans.len() as u32;
        self.spans.push((start, s.len() as u32));
        let (text, spans, hasher) = (&self.text, &self.spans, &self.hasher);
        self.table.insert_unique(hash, i, |&j| {
            let (start, len) = spans[j as usize];
            hasher.hash_one(&text[start as usize..(start + len) as usize])
        });
        Sym(i)
    }

    /// The symbol for `s` if it was ever interned.
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        if s.is_empty() {
            return Some(Sym::EMPTY);
        }
        let hash = self.hasher.hash_one(s);
        self.table.find(hash, |&i| self.get(Sym(i)) == s).map(|&i| Sym(i))
    }

    /// The text of a symbol.
    pub fn get(&self, sym: Sym) -> &str {
        let (start, len) = self.spans[sym.0 as usize];
        &self.text[start as usize..(start + len) as usize]
    }

    /// Number of distinct strings, the empty one included.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Always false: the empty string is always there.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Bytes held, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.spans.capacity() * 8 + self.table.capacity() * 5
    }

    /// All symbols with their text, in symbol order.
    pub fn iter(&self) -> impl Iterator<Item = (Sym, &str)> {
        (0..self.spans.len() as u32).map(|i| (Sym(i), self.get(Sym(i))))
    }
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
}
