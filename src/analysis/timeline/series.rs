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
//! ```
//! use trailscope::analysis::timeline::series::{Entry, Series};
//! use trailscope::analysis::timeline::Range;
//! let e = |time, actor, error| Entry { time, row: time as u32, actor, weight: 1, error };
//! let s = Series::new(vec![e(1, 7, false), e(2, 7, true), e(15, 8, false)]);
//! let mut cells = Vec::new();
//! s.cells(Range { from: 0, to: 20 }, 2, |bucket, c| cells.push((bucket, c.count, c.errors, c.row, c.actor)));
//! assert_eq!(cells, [(0, 2, 1, 1, Some(7)), (1, 1, 0, 15, Some(8))]);
//! ```

use super::{bucket_of, bucket_start, Range};
use crate::model::Millis;
use crate::store::Row;

/// One element before indexing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// When.
    pub time: Millis,
    /// Its store row (the earliest one's row is a cell's key event).
    pub row: Row,
    /// Who (an identity id).
    pub actor: u32,
    /// How many it counts for (1 for an event; images for a lifecycle run).
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

/// Elements sorted by (time, row) with the indexes that make range sums cheap (see the module docs).
#[derive(Debug, Default, Clone)]
pub struct Series {
    times: Vec<Millis>,
    rows: Vec<Row>,
    actors: Vec<u32>,
    /// `run_end[i]`: the first index after `i` whose actor differs from `actors[i]` (or the length).
    run_end: Vec<u32>,
    /// Prefix sums of the weights (`len + 1` of them), or `None` when every weight is 1.
    weights: Option<Vec<u64>>,
    /// Positions of the failed elements, ascending.
    failed: Vec<u32>,
    /// Prefix sums of the failed elements' weights (`failed.len() + 1`), or `None` when every weight is 1.
    failed_weights: Option<Vec<u64>>,
}

impl Series {
    /// Indexes `entries` (in any order: they are sorted by time, then row).
    pub fn new(mut entries: Vec<Entry>) -> Series {
        entries.sort_unstable_by_key(|e| (e.time, e.row));
        let unit = entries.iter().all(|e| e.weight == 1);
        let mut s = Series {
            times: entries.iter().map(|e| e.time).collect(),
            rows: entries.iter().map(|e| e.row).collect(),
            actors: entries.iter().map(|e| e.actor).collect(),
            run_end: vec![0; entries.len()],
            weights: None,
            failed: Vec::new(),
            failed_weights: None,
        };
        let mut end = entries.len() as u32;
        for i in (0..entries.len()).rev() {
            if i + 1 < entries.len() && entries[i + 1].actor != entries[i].actor {
                end = i as u32 + 1;
            }
            s.run_end[i] = end;
        }
        if !unit {
            let mut sum = 0u64;
            let mut prefix = Vec::with_capacity(entries.len() + 1);
            prefix.push(0);
            for e in &entries {
                sum += u64::from(e.weight);
                prefix.push(sum);
            }
            s.weights = Some(prefix);
        }
        let mut failed_sum = 0u64;
        let mut failed_prefix = vec![0];
        for (i, e) in entries.iter().enumerate().filter(|(_, e)| e.error) {
            s.failed.push(i as u32);
            failed_sum += u64::from(e.weight);
            failed_prefix.push(failed_sum);
        }
        if !unit {
            s.failed_weights = Some(failed_prefix);
        }
        s
    }

    /// Elements held.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// Bytes held (for the memory figures).
    pub fn heap_bytes(&self) -> usize {
        self.times.capacity() * 8
            + (self.rows.capacity() + self.actors.capacity() + self.run_end.capacity() + self.failed.capacity()) * 4
            + self.weights.as_ref().map_or(0, |w| w.capacity() * 8)
            + self.failed_weights.as_ref().map_or(0, |w| w.capacity() * 8)
    }

    /// Elements with times in `range`.
    pub fn count_in(&self, range: Range) -> usize {
        let (a, b) = self.span_of(range);
        b - a
    }

    fn span_of(&self, range: Range) -> (usize, usize) {
        let a = self.times.partition_point(|&t| t < range.from);
        let b = a + self.times[a..].partition_point(|&t| t < range.to);
        (a, b)
    }

    /// What the elements `[a, b)` (non-empty) add up to.
    fn agg(&self, a: usize, b: usize) -> Agg {
        let sum = |prefix: &Option<Vec<u64>>, lo: usize, hi: usize| {
            prefix.as_ref().map_or(hi - lo, |p| (p[hi] - p[lo]) as usize) as u32
        };
        let (fa, fb) =
            (self.failed.partition_point(|&i| (i as usize) < a), self.failed.partition_point(|&i| (i as usize) < b));
        Agg {
            count: sum(&self.weights, a, b),
            errors: sum(&self.failed_weights, fa, fb),
            row: self.rows[a],
            actor: (self.run_end[a] as usize >= b).then_some(self.actors[a]),
        }
    }

    /// Calls `f(bucket, sums)` for every non-empty bucket of `n` over `range`, in bucket order
    /// (buckets as [`bucket_of`] defines them).
    pub fn cells(&self, range: Range, n: u32, mut f: impl FnMut(u32, Agg)) {
        if n == 0 || range.to <= range.from {
            return;
        }
        let (mut a, hi) = self.span_of(range);
        while a < hi {
            let Some(b) = bucket_of(range, n, self.times[a]) else { break };
            let end = bucket_start(range, n, b + 1);
            let next = gallop(&self.times[a..hi], end) + a;
            f(b, self.agg(a, next));
            a = next;
        }
    }
}

/// The first index of sorted `times` holding a time at or after `t`, searching outwards from the
/// start (cheap when it is near: a bucket holds few of the range's elements).
fn gallop(times: &[Millis], t: Millis) -> usize {
    let mut step = 1;
    let mut lo = 0;
    while step <= times.len() && times[step - 1] < t {
        lo = step;
        step *= 2;
    }
    let hi = step.min(times.len());
    lo + times[lo..hi].partition_point(|&x| x < t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(time: Millis, row: Row, actor: u32, weight: u32, error: bool) -> Entry {
        Entry { time, row, actor, weight, error }
    }

    fn cells(s: &Series, range: Range, n: u32) -> Vec<(u32, Agg)> {
        let mut out = Vec::new();
        s.cells(range, n, |b, c| out.push((b, c)));
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
        let s = Series::new(vec![
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
        assert_eq!(s.count_in(r), 4);
        assert_eq!(s.count_in(Range { from: -1, to: 31 }), 6);
        // Nothing for an empty or backwards range, or no buckets.
        assert!(cells(&s, Range { from: 40, to: 50 }, 3).is_empty());
        assert!(cells(&s, Range { from: 30, to: 0 }, 3).is_empty());
        assert!(cells(&s, r, 0).is_empty());
    }

    #[test]
    fn ok_weights_count_whole_and_failed() {
        // Lifecycle runs expiring 3 and 4 images, the second failing, then one of 2: 7 (4 failed) | 2.
        let s = Series::new(vec![e(1, 0, 1, 3, false), e(2, 1, 1, 4, true), e(6, 2, 1, 2, false)]);
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
        let s = Series::new(vec![e(5, 0, 1, 1, false)]);
        assert_eq!(
            cells(&s, Range { from: 0, to: 10 }, 10),
            [(5, Agg { count: 1, errors: 0, row: 0, actor: Some(1) })]
        );
        assert!(cells(&Series::new(Vec::new()), Range { from: 0, to: 10 }, 10).is_empty());
    }

    #[test]
    fn ok_agrees_with_visiting_every_element() {
        // A deterministic pseudo-random mix: clustered times, runs of one actor, some failures and
        // weights, asked over ranges that cut through clusters, with bucket counts that do and do
        // not divide the range.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..40 {
            let len = (next() % 600) as usize;
            let weighted = round % 3 == 0;
            let entries: Vec<Entry> = (0..len)
                .map(|i| {
                    let time = if next() % 4 == 0 { 500 } else { (next() % 1000).cast_signed() - 100 };
                    let weight = if weighted { (next() % 5) as u32 + 1 } else { 1 };
                    e(time, i as Row, (next() % 3) as u32 / 2, weight, next() % 7 == 0)
                })
                .collect();
            let s = Series::new(entries.clone());
            for (from, to, n) in
                [(0, 1000, 10), (-200, 1200, 7), (499, 501, 2), (123, 777, 4000), (500, 501, 1), (0, 1, 3)]
            {
                let r = Range { from, to };
                assert_eq!(cells(&s, r, n), brute(&entries, r, n), "round {round}, range {from}..{to} in {n}");
            }
        }
    }

    #[test]
    fn ok_gallop_finds_the_first_at_or_after() {
        let times = [1, 3, 3, 3, 8, 9, 20];
        for t in -1..22 {
            assert_eq!(gallop(&times, t), times.partition_point(|&x| x < t), "t = {t}");
        }
        assert_eq!(gallop(&[], 5), 0);
    }
}
