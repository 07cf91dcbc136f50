//! Marks as drawn: where marks of one kind in one lane would stand closer than a mark's width, they
//! are merged into one, so a zoomed-out frame stamps a few hundred marks instead of thousands of
//! overlapping ones, and what the pointer, the keyboard and the table find is what is drawn.
//!
//! The page draws a bucket every few pixels and a mark 9 to 17 px wide, so zoomed out the marks of
//! neighbouring buckets overlap. [`stride`] picks how many buckets one drawn mark stands for (a power
//! of two, so zooming regroups only at each doubling and a group splits into two), and [`coalesce`]
//! merges a lane's cells of one kind within each group of that many buckets: counts and failures
//! summed, the earliest cell's key event kept, the identity kept only when every merged cell names
//! the same one. A group whose every call failed is drawn hollow in a red outline, one with some
//! failures in its colour in a red outline (the page's `Failed`); its mark stands in the middle of
//! the buckets it merges ([`middle`]).
//!
//! ```
//! use trailscope::analysis::timeline::drawn::{stride, MARK_PX};
//! // The page's 4 px buckets: four would be 16 px, short of 20, so eight buckets per mark.
//! assert_eq!(stride(4.0, MARK_PX), 8);
//! // Buckets at least that wide: one each.
//! assert_eq!(stride(25.0, MARK_PX), 1);
//! ```

use super::{bucket_start, Cell, Mark, Range};
use crate::store::Row;

/// Marks of one kind in one lane stand at least this many CSS px apart (a mark is 9 to 17 px wide).
/// The page asks for a bucket every 4 px, so a fresh answer's marks stand 32 px apart (8 buckets),
/// comfortably away from a regrouping boundary (which would be at 5 px and 2.5 px buckets).
pub const MARK_PX: f64 = 20.0;

/// Most buckets one drawn mark stands for.
const MAX_STRIDE: u32 = 1 << 16;

impl Drawn {
    /// One cell alone, in group `group`.
    pub fn of(c: &Cell, group: u32) -> Drawn {
        Drawn {
            lane: c.lane,
            mark: c.mark,
            group,
            first: c.bucket,
            last: c.bucket,
            count: c.count,
            errors: c.errors,
            row: c.row,
            who: c.who,
            cells: 1,
        }
    }
}

/// Buckets per drawn mark for buckets `bucket_px` wide: the smallest power of two whose buckets
/// span at least `min_px` (1 when one bucket does, or when the width is not a positive number).
pub fn stride(bucket_px: f64, min_px: f64) -> u32 {
    let mut k = 1;
    if bucket_px.is_nan() || bucket_px <= 0.0 {
        return k;
    }
    while f64::from(k) * bucket_px < min_px && k < MAX_STRIDE {
        k *= 2;
    }
    k
}

/// One drawn mark: the mark cells of one lane and kind in buckets `[group * stride, (group + 1) * stride)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawn {
    /// Lane index.
    pub lane: u16,
    /// What.
    pub mark: Mark,
    /// Which group of `stride` buckets it merges.
    pub group: u32,
    /// The first and last bucket holding any of them (inclusive).
    pub first: u32,
    /// See `first`.
    pub last: u32,
    /// How many, summed over the merged cells.
    pub count: u32,
    /// How many of them failed.
    pub errors: u32,
    /// The earliest one's store row (the first merged cell's).
    pub row: Row,
    /// Who, when every merged cell names the same identity (index into the answer's people).
    pub who: Option<u32>,
    /// Cells merged (1: a mark of one bucket).
    pub cells: u32,
}

/// Where a drawn mark stands: the middle of the buckets from its first to its last (of `buckets`
/// over `range`), ms UTC. A mark of one bucket stands where it would unmerged; a busy group's mark
/// near the group's middle.
pub fn middle(range: Range, buckets: u32, m: &Drawn) -> f64 {
    let (first, end) = (m.first.min(buckets), m.last.saturating_add(1).min(buckets));
    f64::midpoint(bucket_start(range, buckets, first) as f64, bucket_start(range, buckets, end) as f64)
}

/// The answer's mark cells (not event cells) merged per lane, kind and group of `stride` buckets,
/// by lane, group, then mark. `cells` must be in the answer's order (lane, bucket, mark).
pub fn coalesce(cells: &[Cell], stride: u32) -> Vec<Drawn> {
    let k = stride.max(1);
    let mut out: Vec<Drawn> = Vec::new();
    for c in cells.iter().filter(|c| c.mark != Mark::Events) {
        let group = c.bucket / k;
        // Within a lane cells come by bucket: the open group of this kind, if any, is among the
        // last few drawn marks (one per kind), all of this lane and group.
        let open = out.iter_mut().rev().take_while(|d| d.lane == c.lane && d.group == group).find(|d| d.mark == c.mark);
        match open {
            Some(d) => {
                d.last = c.bucket;
                d.count = d.count.saturating_add(c.count);
                d.errors = d.errors.saturating_add(c.errors);
                if d.who != c.who {
                    d.who = None;
                }
                d.cells += 1;
            }
            None => out.push(Drawn::of(c, group)),
        }
    }
    out.sort_by_key(|d| (d.lane, d.group, d.mark));
    out
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // the times compared are exact in binary floating point
mod tests {
    use super::*;

    #[test]
    fn ok_stride_is_the_smallest_power_of_two_wide_enough() {
        // 4 px × 4 = 16; 3.9 px × 4 = 15.6 is short, × 8 = 31.2; 8 px × 2 = 16; 2 px × 8 = 16.
        assert_eq!(stride(4.0, 16.0), 4);
        assert_eq!(stride(3.9, 16.0), 8);
        assert_eq!(stride(8.0, 16.0), 2);
        assert_eq!(stride(2.0, 16.0), 8);
        // A bucket as wide as a mark, or wider: one bucket per mark.
        assert_eq!(stride(16.0, 16.0), 1);
        assert_eq!(stride(40.0, 16.0), 1);
        // Nonsense widths merge nothing; a vanishing one stops at the cap.
        assert_eq!(stride(0.0, 16.0), 1);
        assert_eq!(stride(-3.0, 16.0), 1);
        assert_eq!(stride(f64::NAN, 16.0), 1);
        assert_eq!(stride(1e-9, 16.0), 1 << 16);
    }

    #[test]
    fn ok_a_mark_stands_in_the_middle_of_its_buckets() {
        // 10 buckets of 100 ms over [1000, 2000): bucket 3 is [1300, 1400), buckets 4 to 7 are
        // [1400, 1800), buckets 8 and 9 are [1800, 2000).
        let r = Range { from: 1000, to: 2000 };
        let at = |first, last| {
            let m = Drawn {
                lane: 0,
                mark: Mark::Push,
                group: 0,
                first,
                last,
                count: 1,
                errors: 0,
                row: 0,
                who: None,
                cells: 1,
            };
            middle(r, 10, &m)
        };
        assert_eq!(at(3, 3), 1350.0);
        assert_eq!(at(4, 7), 1600.0);
        assert_eq!(at(8, 9), 1900.0);
        // Past the last bucket: cut at the range's end.
        assert_eq!(at(9, 12), 1950.0);
    }

    fn cell(lane: u16, bucket: u32, mark: Mark, count: u32, errors: u32, row: Row, who: Option<u32>) -> Cell {
        Cell { lane, bucket, mark, count, errors, row, who }
    }

    /// Two lanes, buckets 0..8, merged four buckets at a time (groups 0..4 and 4..8):
    ///
    /// | lane | bucket | what   | count | failed | row | who |
    /// |------|--------|--------|-------|--------|-----|-----|
    /// | 0    | 0      | events | 9     | 1      | 1   | 1   | (not a mark: never merged)
    /// | 0    | 1      | push   | 2     | 0      | 10  | 1   | group 0
    /// | 0    | 1      | pull   | 1     | 1      | 11  | 2   | group 0, alone of its kind
    /// | 0    | 3      | push   | 3     | 1      | 12  | 1   | group 0
    /// | 0    | 4      | push   | 1     | 0      | 13  | 3   | group 1 (on the boundary)
    /// | 0    | 7      | push   | 1     | 0      | 14  | 1   | group 1
    /// | 1    | 2      | push   | 5     | 0      | 20  | -   | group 0 of another lane
    /// | 1    | 3      | push   | 1     | 0      | 21  | 1   | group 0
    fn sample() -> Vec<Cell> {
        vec![
            cell(0, 0, Mark::Events, 9, 1, 1, Some(1)),
            cell(0, 1, Mark::Push, 2, 0, 10, Some(1)),
            cell(0, 1, Mark::Pull, 1, 1, 11, Some(2)),
            cell(0, 3, Mark::Push, 3, 1, 12, Some(1)),
            cell(0, 4, Mark::Push, 1, 0, 13, Some(3)),
            cell(0, 7, Mark::Push, 1, 0, 14, Some(1)),
            cell(1, 2, Mark::Push, 5, 0, 20, None),
            cell(1, 3, Mark::Push, 1, 0, 21, Some(1)),
        ]
    }

    #[test]
    fn ok_marks_merge_per_lane_kind_and_group() {
        let d = |lane, mark, group, first, last, count, errors, row, who, cells| Drawn {
            lane,
            mark,
            group,
            first,
            last,
            count,
            errors,
            row,
            who,
            cells,
        };
        assert_eq!(
            coalesce(&sample(), 4),
            [
                // Pushes of buckets 1 and 3: 2 + 3, one failed, the earlier's row, both by identity 1.
                d(0, Mark::Push, 0, 1, 3, 5, 1, 10, Some(1), 2),
                d(0, Mark::Pull, 0, 1, 1, 1, 1, 11, Some(2), 1),
                // Buckets 4 and 7 by identities 3 and 1: nobody named.
                d(0, Mark::Push, 1, 4, 7, 2, 0, 13, None, 2),
                // Lane 1 merges on its own, never with lane 0's group 0.
                d(1, Mark::Push, 0, 2, 3, 6, 0, 20, None, 2),
            ]
        );
    }

    #[test]
    fn ok_stride_one_keeps_every_mark_and_big_strides_keep_the_sums() {
        let one = coalesce(&sample(), 1);
        let shape: Vec<(u16, u32, Mark, u32)> = one.iter().map(|d| (d.lane, d.first, d.mark, d.count)).collect();
        assert_eq!(
            shape,
            [
                (0, 1, Mark::Push, 2),
                (0, 1, Mark::Pull, 1),
                (0, 3, Mark::Push, 3),
                (0, 4, Mark::Push, 1),
                (0, 7, Mark::Push, 1),
                (1, 2, Mark::Push, 5),
                (1, 3, Mark::Push, 1),
            ]
        );
        assert!(one.iter().all(|d| d.cells == 1 && d.first == d.last && d.group == d.first));
        // Everything in one group: from the table above, lane 0's pushes 2 + 3 + 1 + 1 = 7 (one
        // failed) and its pull (failed), lane 1's pushes 5 + 1 = 6.
        let all = coalesce(&sample(), 8);
        let shape: Vec<(u16, Mark, u32, u32)> = all.iter().map(|d| (d.lane, d.mark, d.count, d.errors)).collect();
        assert_eq!(shape, [(0, Mark::Push, 7, 1), (0, Mark::Pull, 1, 1), (1, Mark::Push, 6, 0)]);
        assert!(coalesce(&[], 4).is_empty());
        assert!(coalesce(&sample()[..1], 4).is_empty(), "event cells are not marks");
        // A stride of 0 is taken as 1.
        assert_eq!(coalesce(&sample(), 0), one);
    }
}
