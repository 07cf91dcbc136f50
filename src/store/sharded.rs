//! A hash table split into [`SHARDS`] tables by bits of the hash, for the store's large indexes (the
//! dedupe index, the string table's, the identities').
//!
//! A `HashTable` grows by doubling: it allocates a table twice the size, moves its entries and frees
//! the old one. In wasm, linear memory never shrinks, and a freed block is only reused by a later
//! allocation that fits in it; the table's own next growth never does. Measured in a scratch wasm
//! build, doubling one buffer to 16 MB while small allocations interleaved left the memory at 33 MB.
//! Split into sixteen, each growth moves a sixteenth of the index, and the blocks it frees are small
//! enough for the store's column chunks to fill.

use hashbrown::HashTable;

/// Number of tables. The shard is chosen by hash bits 48 to 51: hashbrown takes its bucket from the
/// low bits and its tag from the top seven, so these bits leave both as random as before.
const SHARDS: usize = 16;

/// See the module docs.
pub struct Sharded<T> {
    shards: [HashTable<T>; SHARDS],
}

impl<T> Default for Sharded<T> {
    fn default() -> Self {
        Sharded { shards: std::array::from_fn(|_| HashTable::new()) }
    }
}

fn shard(hash: u64) -> usize {
    (hash >> 48) as usize & (SHARDS - 1)
}

impl<T> Sharded<T> {
    /// The entry with this hash for which `eq` holds.
    pub fn find(&self, hash: u64, eq: impl FnMut(&T) -> bool) -> Option<&T> {
        self.shards[shard(hash)].find(hash, eq)
    }

    /// Adds `value`, known not to be there; `hasher` gives the hash of an entry when the table grows.
    pub fn insert_unique(&mut self, hash: u64, value: T, hasher: impl Fn(&T) -> u64) {
        self.shards[shard(hash)].insert_unique(hash, value, hasher);
    }

    /// Moves out the table `hash` falls in, leaving an empty one, for an insert whose hasher reads
    /// the owner of this table (as the store's dedupe index does: it hashes rows from the store's
    /// columns); give it back with [`Sharded::restore`]. Only that one table moves, not all
    /// sixteen, which are too large to copy out and back on every insert.
    pub fn take(&mut self, hash: u64) -> HashTable<T> {
        std::mem::take(&mut self.shards[shard(hash)])
    }

    /// Puts back the table [`Sharded::take`] moved out for `hash`.
    pub fn restore(&mut self, hash: u64, table: HashTable<T>) {
        self.shards[shard(hash)] = table;
    }

    /// Bytes allocated, for the memory figures.
    pub fn allocation_size(&self) -> usize {
        self.shards.iter().map(HashTable::allocation_size).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn ok_finds_what_it_holds_across_growth() {
        let h = hashbrown::DefaultHashBuilder::default();
        let mut t: Sharded<u64> = Sharded::default();
        for v in 0..100_000u64 {
            t.insert_unique(h.hash_one(v), v, |&x| h.hash_one(x));
        }
        assert_eq!(t.shards.iter().map(HashTable::len).sum::<usize>(), 100_000);
        for v in 0..100_000u64 {
            assert_eq!(t.find(h.hash_one(v), |&x| x == v), Some(&v));
        }
        assert_eq!(t.find(h.hash_one(100_000u64), |&x| x == 100_000), None);
        let used = t.shards.iter().filter(|s| !s.is_empty()).count();
        assert_eq!(used, SHARDS, "every shard takes a share");
        // Each shard holds about a sixteenth, so none is more than twice its share.
        assert!(t.shards.iter().all(|s| s.len() < 2 * 100_000 / SHARDS));
    }

    #[test]
    fn ok_tables_taken_out_to_grow_come_back_whole() {
        let h = hashbrown::DefaultHashBuilder::default();
        let mut t: Sharded<u64> = Sharded::default();
        for v in 0..20_000u64 {
            let hash = h.hash_one(v);
            let mut table = t.take(hash);
            assert_eq!(t.find(hash, |_| true), None, "the table is out while it grows");
            table.insert_unique(hash, v, |&x| h.hash_one(x));
            t.restore(hash, table);
        }
        assert_eq!(t.shards.iter().map(HashTable::len).sum::<usize>(), 20_000);
        for v in 0..20_000u64 {
            assert_eq!(t.find(h.hash_one(v), |&x| x == v), Some(&v));
        }
    }
}
