//! A side table of facts, one per row, sorted by row: what an analysis needs of the few events
//! that say more than the store's columns (see [`crate::facts`]).

use super::Row;

/// A fact about one row.
pub trait RowFact {
    /// The row it is about.
    fn row(&self) -> Row;
    /// Heap bytes it holds beyond its own size, for the memory figures.
    fn heap_extra(&self) -> usize;
}

/// Facts sorted by row, at most one per row.
#[derive(Debug)]
pub struct ByRow<T> {
    items: Vec<T>,
}

impl<T> Default for ByRow<T> {
    fn default() -> Self {
        ByRow { items: Vec::new() }
    }
}

impl<T: RowFact> ByRow<T> {
    /// The table of `items` (as a batch lists them), sorted by row.
    pub(crate) fn from_items(mut items: Vec<T>) -> Self {
        items.sort_by_key(RowFact::row);
        ByRow { items }
    }

    /// Every fact, in row order.
    pub fn all(&self) -> &[T] {
        &self.items
    }

    /// The fact of row `r`, if there is one.
    pub fn get(&self, r: Row) -> Option<&T> {
        self.items.binary_search_by_key(&r, RowFact::row).ok().map(|i| &self.items[i])
    }

    /// Adds a fact, or replaces the one of its row (an event read again from a richer copy).
    pub(crate) fn put(&mut self, item: T) {
        match self.items.binary_search_by_key(&item.row(), RowFact::row) {
            Ok(i) => self.items[i] = item,
            Err(i) => self.items.insert(i, item),
        }
    }

    /// Resident bytes, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<T>() + self.items.iter().map(RowFact::heap_extra).sum::<usize>()
    }
}
