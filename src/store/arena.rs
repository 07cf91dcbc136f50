//! An append-only arena of runs (`Copy` values read back as slices), kept in chunks.
//!
//! Like the string table's text: a run never straddles two chunks, so it reads back as one slice,
//! and the arena grows by adding a chunk, never by moving what it holds. A `Vec` that grows by
//! reallocating leaves its old blocks behind in wasm memory, which never shrinks: in a scratch wasm
//! program, a 3 MB `Vec` grown by an eighth at a time among 64 KB allocations ended with the memory
//! 4 MB above what was live. The container facts' arenas grew that way.

/// Bytes per chunk (a longer run gets a chunk of its own).
pub const CHUNK_BYTES: usize = 64 * 1024;

/// See the module docs. Indexes are global: a chunk's first element is numbered after the last of
/// the chunk before it, so the arena reads as one sequence without gaps.
#[derive(Debug, Clone)]
pub struct Arena<T> {
    chunks: Vec<Vec<T>>,
    /// The global index of each chunk's first element.
    bases: Vec<u32>,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Arena { chunks: Vec::new(), bases: Vec::new() }
    }
}

impl<T: Copy> Arena<T> {
    /// An arena holding `v` as one chunk (a decoded batch's, read whole).
    pub fn from_vec(v: Vec<T>) -> Self {
        if v.is_empty() {
            return Self::default();
        }
        Arena { chunks: vec![v], bases: vec![0] }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match (self.bases.last(), self.chunks.last()) {
            (Some(&base), Some(last)) => base as usize + last.len(),
            _ => 0,
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn per_chunk() -> usize {
        (CHUNK_BYTES / std::mem::size_of::<T>().max(1)).max(1)
    }

    /// Makes sure the next `room` elements go into one chunk, starting one if the last has less
    /// room left; returns the last chunk, to append to.
    pub fn room(&mut self, room: usize) -> &mut Vec<T> {
        let fits = self.chunks.last().is_some_and(|c| c.capacity() - c.len() >= room);
        if !fits {
            let base = self.len() as u32;
            self.chunks.push(Vec::with_capacity(room.max(Self::per_chunk())));
            self.bases.push(base);
        }
        let last = self.chunks.len() - 1;
        &mut self.chunks[last]
    }

    /// Appends `items` as one run; returns the global index of its first element.
    pub fn push_run(&mut self, items: &[T]) -> u32 {
        if items.is_empty() {
            return self.len() as u32;
        }
        // A new chunk starts at the current length, so the run starts there either way.
        let start = self.len() as u32;
        self.room(items.len()).extend_from_slice(items);
        start
    }

    /// The run of `len` elements from global index `start`; `None` when it is not one run here.
    pub fn get(&self, start: u32, len: u32) -> Option<&[T]> {
        if len == 0 {
            return Some(&[]);
        }
        let (at, local) = self.locate(start)?;
        self.chunks[at].get(local..local.checked_add(len as usize)?)
    }

    /// As [`Arena::get`], for reads in increasing order: `chunk` is where the last read was found
    /// (start at 0), so a scan over the arena looks for each run from there instead of searching
    /// every chunk's base.
    pub fn get_after(&self, chunk: &mut usize, start: u32, len: u32) -> Option<&[T]> {
        if len == 0 {
            return Some(&[]);
        }
        while self.bases.get(*chunk + 1).is_some_and(|&next| next <= start) {
            *chunk += 1;
        }
        let local = (start.checked_sub(*self.bases.get(*chunk)?)?) as usize;
        self.chunks[*chunk].get(local..local.checked_add(len as usize)?)
    }

    /// The chunk holding global index `i` and the index within it.
    pub fn locate(&self, i: u32) -> Option<(usize, usize)> {
        let at = self.bases.partition_point(|&base| base <= i).checked_sub(1)?;
        let local = (i - self.bases[at]) as usize;
        (local < self.chunks[at].len()).then_some((at, local))
    }

    /// The chunks, in order: their concatenation is the whole arena.
    pub fn chunks(&self) -> &[Vec<T>] {
        &self.chunks
    }

    /// Every element, in order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    /// Bytes allocated, by capacity.
    pub fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.capacity() * std::mem::size_of::<T>()).sum::<usize>()
            + self.chunks.capacity() * std::mem::size_of::<Vec<T>>()
            + self.bases.capacity() * std::mem::size_of::<u32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_runs_read_back_whole_across_chunks() {
        let mut a: Arena<u64> = Arena::default();
        assert!(a.is_empty());
        let per = Arena::<u64>::per_chunk();
        let mut runs = Vec::new();
        let mut next = 0u64;
        // Runs of 1 to 999 elements, and one longer than a chunk.
        for n in (0..400).map(|i| (i * 37) % 999 + 1).chain([per + 5]) {
            let items: Vec<u64> = (next..next + n as u64).collect();
            next += n as u64;
            runs.push((a.push_run(&items), items));
        }
        assert!(a.chunks().len() > 3, "{} chunks", a.chunks().len());
        for (start, items) in &runs {
            assert_eq!(a.get(*start, items.len() as u32), Some(&items[..]));
        }
        // Read in order from a remembered chunk: the same runs, from the first or from any later one.
        for from in [0, 1, runs.len() / 2] {
            let mut chunk = 0;
            for (start, items) in &runs[from..] {
                assert_eq!(a.get_after(&mut chunk, *start, items.len() as u32), Some(&items[..]));
            }
            assert_eq!(chunk, a.chunks().len() - 1);
        }
        assert_eq!(a.len(), next as usize);
        assert!(a.iter().copied().eq(0..next), "in order, without gaps");
        let total: usize = a.chunks().iter().map(Vec::len).sum();
        assert_eq!(total, a.len());
        assert_eq!(a.get(a.len() as u32, 1), None);
        assert_eq!(a.get(runs[1].0, 0), Some(&[][..]));
        let one = Arena::from_vec(vec![7u8, 8, 9]);
        assert_eq!(one.get(1, 2), Some(&[8u8, 9][..]));
        assert_eq!(one.get(2, 2), None, "past the end");
    }
}
