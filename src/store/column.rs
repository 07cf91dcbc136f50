//! A column that grows in fixed chunks, so a store of millions of rows never holds a half-empty
//! doubled `Vec` (up to 2x the data) and never copies its rows to grow. In wasm, where linear memory
//! cannot shrink, that also keeps fragmentation down.

/// Rows per chunk: large enough that the chunk table is tiny, small enough that the last chunk's
/// spare room (at most this many rows) is nothing next to a large store.
const SHIFT: u32 = 14;
const CHUNK: usize = 1 << SHIFT;
const MASK: usize = CHUNK - 1;

/// A growable column of `Copy` values, indexed by row.
#[derive(Debug, Clone)]
pub struct Column<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Column<T> {
    fn default() -> Self {
        Column { chunks: Vec::new(), len: 0 }
    }
}

impl<T: Copy> Column<T> {
    /// Appends a value.
    pub fn push(&mut self, v: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => {
                // A chunk grows by doubling up to its full size, so spare room stays under both the rows of
                // the last chunk and a chunk's size, and growing copies at most one chunk.
                if last.len() == last.capacity() {
                    let want = (last.capacity() * 2).clamp(64, CHUNK);
                    last.reserve_exact(want - last.len());
                }
                last.push(v);
            }
            _ => {
                let mut chunk = Vec::with_capacity(64);
                chunk.push(v);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    /// The value of row `r`. Panics when out of range, like a slice.
    #[inline]
    pub fn get(&self, r: usize) -> T {
        *self.get_ref(r)
    }

    /// The value of row `r`, borrowed. Panics when out of range, like a slice.
    #[inline]
    pub fn get_ref(&self, r: usize) -> &T {
        &self.chunks[r >> SHIFT][r & MASK]
    }

    /// All values, in row order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    /// Replaces the value of row `r`.
    pub fn set(&mut self, r: usize, v: T) {
        self.chunks[r >> SHIFT][r & MASK] = v;
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes allocated, by capacity.
    pub fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.capacity() * std::mem::size_of::<T>()).sum::<usize>()
            + self.chunks.capacity() * std::mem::size_of::<Vec<T>>()
    }
}

/// A column of table numbers (identities, contexts, clients): two bytes a row while every number
/// fits in a `u16`, four from the first that does not (the column is then widened once, in place
/// of the narrow one). Most stores hold far fewer than 65,535 distinct contexts or clients.
#[derive(Debug, Clone)]
pub enum IdColumn {
    /// Every number is below `u16::MAX`.
    Narrow(Column<u16>),
    /// Some number is not.
    Wide(Column<u32>),
}

impl Default for IdColumn {
    fn default() -> Self {
        IdColumn::Narrow(Column::default())
    }
}

impl IdColumn {
    /// Widens the column if `v` does not fit; then it is narrow only if `v` fits.
    fn fit(&mut self, v: u32) {
        if let IdColumn::Narrow(c) = self {
            if u16::try_from(v).is_err() {
                let mut wide = Column::default();
                for r in 0..c.len() {
                    wide.push(u32::from(c.get(r)));
                }
                *self = IdColumn::Wide(wide);
            }
        }
    }

    /// Appends a value.
    pub fn push(&mut self, v: u32) {
        self.fit(v);
        match self {
            IdColumn::Narrow(c) => c.push(v as u16),
            IdColumn::Wide(c) => c.push(v),
        }
    }

    /// The value of row `r`. Panics when out of range, like a slice.
    #[inline]
    pub fn get(&self, r: usize) -> u32 {
        match self {
            IdColumn::Narrow(c) => u32::from(c.get(r)),
            IdColumn::Wide(c) => c.get(r),
        }
    }

    /// Replaces the value of row `r`.
    pub fn set(&mut self, r: usize, v: u32) {
        self.fit(v);
        match self {
            IdColumn::Narrow(c) => c.set(r, v as u16),
            IdColumn::Wide(c) => c.set(r, v),
        }
    }

    /// Bytes allocated, by capacity.
    pub fn heap_bytes(&self) -> usize {
        match self {
            IdColumn::Narrow(c) => c.heap_bytes(),
            IdColumn::Wide(c) => c.heap_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_values_survive_chunk_boundaries() {
        let mut c = Column::default();
        let n = 3 * CHUNK + 17;
        for i in 0..n {
            c.push(i as u32);
        }
        assert_eq!(c.len(), n);
        for i in [0, 1, CHUNK - 1, CHUNK, 2 * CHUNK + 5, n - 1] {
            assert_eq!(c.get(i), i as u32);
        }
        c.set(CHUNK, 7);
        assert_eq!(c.get(CHUNK), 7);
    }

    #[test]
    fn ok_spare_room_is_at_most_one_chunk() {
        let mut c = Column::default();
        for i in 0..=(5 * CHUNK) {
            c.push(i as u64);
        }
        let data = c.len() * 8;
        assert!(c.heap_bytes() <= data + CHUNK * 8 + 64 * 24, "{} for {data}", c.heap_bytes());
    }

    #[test]
    fn ok_id_column_widens_when_a_number_does_not_fit() {
        let mut c = IdColumn::default();
        for i in 0..CHUNK as u32 + 10 {
            c.push(i % 1000);
        }
        let narrow = c.heap_bytes();
        assert!(matches!(c, IdColumn::Narrow(_)));
        c.set(5, 70_000);
        c.push(u32::MAX);
        assert!(matches!(c, IdColumn::Wide(_)));
        assert!(c.heap_bytes() > narrow);
        assert_eq!(
            (c.get(4), c.get(5), c.get(CHUNK + 9), c.get(CHUNK + 10)),
            (4, 70_000, (CHUNK as u32 + 9) % 1000, u32::MAX)
        );
    }
}
