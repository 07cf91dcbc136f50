//! One lane's events (or one lane's marks of one kind) sorted by time, indexed so that counting them
//! into buckets costs a search per non-empty bucket, not a visit per event.
//!
//! A bucket's cell needs how many (a weight sum), how many failed, the earliest one's row, and whether
//! one identity did them all. Over the elements `[a, b)` of a time-sorted series these are:
//! `b - a` (or a difference of weight prefix sums), a difference of prefix sums over the failed
//! elements' positions, the row at `a`, and whether the run of equal actors starting at `a` reaches
//! `b`. Finding `b` for a bucket is a galloping search from `a` for the bucket's end; so zoomed out
//! over a million events an answer costs about lanes × buckets searches, and zoomed in it only
//! touches the range.
//!
//! A series holds its elements' store rows and reads their times and identities from the store
//! ([`Lookup`]) rather than keeping copies: 8 bytes per event (the row and its actor run's end)
//! instead of 20, and the index is built without a wider list of entries to sort.
//!
//! ```
//! use trailscope::analysis::timeline::series::{Item, Lookup, Series};
//! use trailscope::analysis::timeline::Range;
//! use trailscope::model::Millis;
//! // Row r happened at time r, by identity 7 below row 10 and identity 8 from it on.
//! struct ByRow;
//! impl Lookup for ByRow {
//!     fn time(&self, r: u32) -> Millis { Millis::from(r) }
//!     fn actor(&self, r: u32) -> u32 { if r < 10 { 7 } else { 8 } }
//! }
//! let s = Series::of_rows(&ByRow, vec![15, 2, 1], |r| r == 2);
//! let mut cells = Vec::new();
//! s.cells(&ByRow, Range { from: 0, to: 20 }, 2, |bucket, c| cells.push((bucket, c.count, c.errors, c.row, c.actor)));
//! assert_eq!(cells, [(0, 2, 1, 1, Some(7)), (1, 1, 0, 15, Some(8))]);
//! # let _ = Item { row: 0, weight: 1, error: false };
//! ```

use super::{bucket_of, bucket_start, Range};
use crate::model::Millis;
use crate::store::{Row, Store};

/// Where a series reads its elements' times and identities, by row.
pub trait Lookup {
    /// When row `r` happened.
    fn time(&self, r: Row) -> Millis;
    /// Who did it (an identity id).
    fn actor(&self, r: Row) -> u32;
    /// Row `r`'s time in whole seconds, when it is one, which is cheaper to sort by; `None` when it
    /// is not (or the lookup does not say).
    fn whole_seconds(&self, _r: Row) -> Option<u32> {
        None
    }
}

impl Lookup for Store {
    fn time(&self, r: Row) -> Millis {
        Store::time(self, r)
    }
    fn actor(&self, r: Row) -> u32 {
        self.identity_id(r)
    }
    fn whole_seconds(&self, r: Row) -> Option<u32> {
        Store::whole_seconds(self, r)
    }
}

/// One mark before indexing, when marks weigh differently or fail otherwise than their row says
/// (a lifecycle run expiring several images, a refused push session).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// Its store row: its time and identity are the row's, and the earliest one's row is a cell's
    /// key event.
    pub row: Row,
    /// How many it counts for (images for a lifecycle run).
    pub weight: u32,
    /// Whether it failed (its whole weight then counts as failed).
    pub error: bool,
}

/// What the elements of one bucket add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agg {
    /// Weights summed.
    pub count: u32,
    /// Weights of the failed ones summed.
    pub errors: u32,
    /// The earliest one's row (by time, then row).
    pub row: Row,
    /// The identity, when one did them all.
    pub actor: Option<u32>,
}

/// Rows sorted by (time, row) with the indexes that make range sums cheap (see the module docs).
#[derive(Debug, Default, Clone)]
pub struct Series {
    rows: Vec<Row>,
    /// `run_end[i]`: the first index after `i` whose actor differs from row `i`'s (or the length).
    run_end: Vec<u32>,
    /// Prefix sums of the weights (`len + 1` of them), or `None` when every weight is 1.
    weights: Option<Vec<u64>>,
    /// Positions of the failed elements, ascending.
    failed: Vec<u32>,
    /// Prefix sums of the failed elements' weights (`failed.len() + 1`), or `None` when every weight is 1.
    failed_weights: Option<Vec<u64>>,
}

impl Series {
    /// Indexes rows that count once each, `failed` saying which failed (in any order: they are
    /// sorted by time, then row).
    pub fn of_rows<L: Lookup>(at: &L, mut rows: Vec<Row>, failed: impl Fn(Row) -> bool) -> Series {
        sort_by_time(at, &mut rows);
        rows.shrink_to_fit();
        let failed: Vec<u32> = (0..rows.len() as u32).filter(|&i| failed(rows[i as usize])).collect();
        Series { run_end: run_ends(at, &rows), rows, weights: None, failed, failed_weights: None }
    }

    /// Indexes weighted marks (in any order: they are sorted by time, then row).
    pub fn new<L: Lookup>(at: &L, mut items: Vec<Item>) -> Series {
        items.sort_unstable_by_key(|i| (at.time(i.row), i.row));
        let rows: Vec<Row> = items.iter().map(|i| i.row).collect();
        let failed: Vec<u32> = (0..items.len() as u32).filter(|&i| items[i as usize].error).collect();
        let mut s = Series { run_end: run_ends(at, &rows), rows, weights: None, failed, failed_weights: None };
        if items.iter().any(|i| i.weight != 1) {
            s.weights = Some(prefix_sums(items.iter().map(|i| i.weight)));
            s.failed_weights = Some(prefix_sums(s.failed.iter().map(|&i| items[i as usize].weight)));
        }
        s
    }

    /// Elements held.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Bytes held (for the memory figures).
    pub fn heap_bytes(&self) -> usize {
        (self.rows.capacity() + self.run_end.capacity() + self.failed.capacity()) * 4
            + self.weights.as_ref().map_or(0, |w| w.capacity() * 8)
            + self.failed_weights.as_ref().map_or(0, |w| w.capacity() * 8)
    }

    /// Elements with times in `range`.
    pub fn count_in<L: Lookup>(&self, at: &L, range: Range) -> usize {
        let (a, b) = self.span_of(at, range);
        b - a
    }

    fn span_of<L: Lookup>(&self, at: &L, range: Range) -> (usize, usize) {
        let a = self.rows.partition_point(|&r| at.time(r) < range.from);
        let b = a + self.rows[a..].partition_point(|&r| at.time(r) < range.to);
        (a, b)
    }

    /// What the elements `[a, b)` (non-empty) add up to.
    fn agg<L: Lookup>(&self, at: &L, a: usize, b: usize) -> Agg {
        let sum = |prefix: &Option<Vec<u64>>, lo: usize, hi: usize| {
            prefix.as_ref().map_or(hi - lo, |p| (p[hi] - p[lo]) as usize) as u32
        };
        let (fa, fb) =
            (self.failed.partition_point(|&i| (i as usize) < a), self.failed.partition_point(|&i| (i as usize) < b));
        Agg {
            count: sum(&self.weights, a, b),
            errors: sum(&self.failed_weights, fa, fb),
            row: self.rows[a],
            actor: (self.run_end[a] as usize >= b).then(|| at.actor(self.rows[a])),
        }
    }

    /// Calls `f(bucket, sums)` for every non-empty bucket of `n` over `range`, in bucket order
    /// (buckets as [`bucket_of`] defines them).
    pub fn cells<L: Lookup>(&self, at: &L, range: Range, n: u32, mut f: impl FnMut(u32, Agg)) {
        if n == 0 || range.to <= range.from {
            return;
        }
        let (mut a, hi) = self.span_of(at, range);
        while a < hi {
            let Some(b) = bucket_of(range, n, at.time(self.rows[a])) else { break };
            let end = bucket_start(range, n, b + 1);
            let next = gallop(&self.rows[a..hi], |r| at.time(r) < end) + a;
            f(b, self.agg(at, a, next));
            a = next;
        }
    }
}

/// 0, then the running sums of `weights`.
fn prefix_sums(weights: impl Iterator<Item = u32>) -> Vec<u64> {
    let mut sum = 0u64;
    std::iter::once(0)
        .chain(weights.map(|w| {
            sum += u64::from(w);
            sum
        }))
        .collect()
}

/// Sorts `rows` by (time, row). When every time is a whole second, (seconds, row) packed in a `u64`
/// orders them the same and sorts several times faster than looking times up at each comparison.
fn sort_by_time<L: Lookup>(at: &L, rows: &mut [Row]) {
    let packed: Option<Vec<u64>> =
        rows.iter().map(|&r| at.whole_seconds(r).map(|s| (u64::from(s) << 32) | u64::from(r))).collect();
    match packed {
        Some(mut keys) => {
            keys.sort_unstable();
            for (r, k) in rows.iter_mut().zip(keys) {
                *r = k as Row;
            }
        }
        None => rows.sort_unstable_by_key(|&r| (at.time(r), r)),
    }
}

/// For each position of `rows`, the first position after it whose actor differs (or the length).
fn run_ends<L: Lookup>(at: &L, rows: &[Row]) -> Vec<u32> {
    let mut run_end = vec![0; rows.len()];
    let mut end = rows.len() as u32;
    let mut next_actor = None;
    for i in (0..rows.len()).rev() {
        let actor = at.actor(rows[i]);
        if next_actor.is_some_and(|n| n != actor) {
            end = i as u32 + 1;
        }
        run_end[i] = end;
        next_actor = Some(actor);
    }
    run_end
}

/// The first index of `rows` for which `before` is false (it must hold for a prefix only),
/// searching outwards from the start (cheap when it is near: a bucket holds few of the range's
/// elements).
fn gallop(rows: &[Row], before: impl Fn(Row) -> bool) -> usize {
    let mut step = 1;
    let mut lo = 0;
    while step <= rows.len() && before(rows[step - 1]) {
        lo = step;
        step *= 2;
    }
    let hi = step.min(rows.len());
    lo + rows[lo..hi].partition_point(|&r| before(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An element as the tests describe it: its row's time and actor with its weight and outcome.
    #[derive(Debug, Clone, Copy)]
    struct Entry {
        time: Millis,
        row: Row,
        actor: u32,
        weight: u32,
        error: bool,
    }

    fn e(time: Millis, row: Row, actor: u32, weight: u32, error: bool) -> Entry {
        Entry { time, row, actor, weight, error }
    }

    /// A deterministic pseudo-random sequence.
    fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    /// Rows' times and actors, as the store would give them.
    struct Table(std::collections::HashMap<Row, (Millis, u32)>);

    impl Lookup for Table {
        fn time(&self, r: Row) -> Millis {
            self.0[&r].0
        }
        fn actor(&self, r: Row) -> u32 {
            self.0[&r].1
        }
        fn whole_seconds(&self, r: Row) -> Option<u32> {
            let t = self.0[&r].0;
            (t % 1000 == 0).then(|| u32::try_from(t / 1000).ok()).flatten()
        }
    }

    fn table(entries: &[Entry]) -> Table {
        Table(entries.iter().map(|x| (x.row, (x.time, x.actor))).collect())
    }

    /// The series of `entries` and the table it reads.
    fn series(entries: &[Entry]) -> (Series, Table) {
        let t = table(entries);
        let items = entries.iter().map(|x| Item { row: x.row, weight: x.weight, error: x.error }).collect();
        (Series::new(&t, items), t)
    }

    fn cells(s: &(Series, Table), range: Range, n: u32) -> Vec<(u32, Agg)> {
        let mut out = Vec::new();
        s.0.cells(&s.1, range, n, |b, c| out.push((b, c)));
        out
    }

    /// The same sums by visiting every element: what the index must agree with.
    fn brute(entries: &[Entry], range: Range, n: u32) -> Vec<(u32, Agg)> {
        let mut sorted = entries.to_vec();
        sorted.sort_unstable_by_key(|e| (e.time, e.row));
        let mut out: Vec<(u32, Agg)> = Vec::new();
        for x in sorted {
            let Some(b) = bucket_of(range, n, x.time) else { continue };
            let err = if x.error { x.weight } else { 0 };
            match out.last_mut() {
                Some((lb, c)) if *lb == b => {
                    c.count += x.weight;
                    c.errors += err;
                    if c.actor != Some(x.actor) {
                        c.actor = None;
                    }
                }
                _ => out.push((b, Agg { count: x.weight, errors: err, row: x.row, actor: Some(x.actor) })),
            }
        }
        out
    }

    #[test]
    fn ok_hand_counted_buckets() {
        // Three buckets over [0, 30): [0, 10), [10, 20), [20, 30).
        //   t=0  row 5 actor 1         bucket 0
        //   t=9  row 2 actor 1 failed  bucket 0
        //   t=10 row 9 actor 2         bucket 1 (on the boundary: the later bucket)
        //   t=10 row 3 actor 2 failed  bucket 1 (same time: row 3 comes first)
        //   t=30 row 1                 outside (the end is excluded)
        //   t=-1 row 4                 outside
        let s = series(&[
            e(10, 9, 2, 1, false),
            e(0, 5, 1, 1, false),
            e(30, 1, 1, 1, false),
            e(9, 2, 1, 1, true),
            e(-1, 4, 3, 1, false),
            e(10, 3, 2, 1, true),
        ]);
        let r = Range { from: 0, to: 30 };
        assert_eq!(
            cells(&s, r, 3),
            [
                (0, Agg { count: 2, errors: 1, row: 5, actor: Some(1) }),
                (1, Agg { count: 2, errors: 1, row: 3, actor: Some(2) }),
            ]
        );
        // One bucket over everything: two identities, so no one is named.
        assert_eq!(cells(&s, r, 1), [(0, Agg { count: 4, errors: 2, row: 5, actor: None })]);
        assert_eq!(s.0.count_in(&s.1, r), 4);
        assert_eq!(s.0.count_in(&s.1, Range { from: -1, to: 31 }), 6);
        // Nothing for an empty or backwards range, or no buckets.
        assert!(cells(&s, Range { from: 40, to: 50 }, 3).is_empty());
        assert!(cells(&s, Range { from: 30, to: 0 }, 3).is_empty());
        assert!(cells(&s, r, 0).is_empty());
    }

    #[test]
    fn ok_weights_count_whole_and_failed() {
        // Lifecycle runs expiring 3 and 4 images, the second failing, then one of 2: 7 (4 failed) | 2.
        let s = series(&[e(1, 0, 1, 3, false), e(2, 1, 1, 4, true), e(6, 2, 1, 2, false)]);
        assert_eq!(
            cells(&s, Range { from: 0, to: 10 }, 2),
            [
                (0, Agg { count: 7, errors: 4, row: 0, actor: Some(1) }),
                (1, Agg { count: 2, errors: 0, row: 2, actor: Some(1) }),
            ]
        );
    }

    #[test]
    fn ok_one_element_and_none() {
        let s = series(&[e(5, 0, 1, 1, false)]);
        assert_eq!(
            cells(&s, Range { from: 0, to: 10 }, 10),
            [(5, Agg { count: 1, errors: 0, row: 0, actor: Some(1) })]
        );
        assert!(cells(&series(&[]), Range { from: 0, to: 10 }, 10).is_empty());
    }

    #[test]
    fn ok_agrees_with_visiting_every_element() {
        // A deterministic pseudo-random mix: clustered times, runs of one actor, some failures and
        // weights, asked over ranges that cut through clusters, with bucket counts that do and do
        // not divide the range.
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        for round in 0..40 {
            let len = (next() % 600) as usize;
            let weighted = round % 3 == 0;
            let entries: Vec<Entry> = (0..len)
                .map(|i| {
                    let time = if next().is_multiple_of(4) { 500 } else { (next() % 1000).cast_signed() - 100 };
                    let weight = if weighted { (next() % 5) as u32 + 1 } else { 1 };
                    e(time, i as Row, (next() % 3) as u32 / 2, weight, next().is_multiple_of(7))
                })
                .collect();
            let s = series(&entries);
            // Unit weights also go the way the events do, failures read from the row.
            let by_rows = (!weighted).then(|| {
                let t = table(&entries);
                let failed: std::collections::HashSet<Row> =
                    entries.iter().filter(|x| x.error).map(|x| x.row).collect();
                (Series::of_rows(&t, entries.iter().map(|x| x.row).collect(), |r| failed.contains(&r)), t)
            });
            for (from, to, n) in
                [(0, 1000, 10), (-200, 1200, 7), (499, 501, 2), (123, 777, 4000), (500, 501, 1), (0, 1, 3)]
            {
                let r = Range { from, to };
                let expected = brute(&entries, r, n);
                assert_eq!(cells(&s, r, n), expected, "round {round}, range {from}..{to} in {n}");
                if let Some(b) = &by_rows {
                    assert_eq!(cells(b, r, n), expected, "of_rows, round {round}, range {from}..{to} in {n}");
                }
            }
        }
    }

    #[test]
    fn ok_sorts_by_whole_seconds_as_by_time() {
        // Whole seconds take the packed sort, a time with milliseconds the sort by lookups; both
        // must give (time, row) order, ties by row.
        let mut next = xorshift(0x2545_F491_4F6C_DD1D);
        for with_millis in [false, true] {
            let entries: Vec<Entry> = (0..500u32)
                .map(|row| {
                    let secs = (next() % 40).cast_signed();
                    let millis = if with_millis && next().is_multiple_of(50) { 250 } else { 0 };
                    e(secs * 1000 + millis, 1000 - row, 0, 1, false)
                })
                .collect();
            let t = table(&entries);
            let mut rows: Vec<Row> = entries.iter().map(|x| x.row).collect();
            let mut expected: Vec<(Millis, Row)> = entries.iter().map(|x| (x.time, x.row)).collect();
            expected.sort_unstable();
            sort_by_time(&t, &mut rows);
            assert_eq!(rows, expected.iter().map(|&(_, r)| r).collect::<Vec<_>>(), "with millis: {with_millis}");
            assert_eq!(entries.iter().all(|x| t.whole_seconds(x.row).is_some()), !with_millis);
        }
    }

    #[test]
    fn ok_gallop_finds_the_first_at_or_after() {
        let times: [Row; 7] = [1, 3, 3, 3, 8, 9, 20];
        for t in 0..22 {
            assert_eq!(gallop(&times, |x| x < t), times.partition_point(|&x| x < t), "t = {t}");
        }
        assert_eq!(gallop(&[], |x| x < 5), 0);
    }
}
