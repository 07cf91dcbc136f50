//! The event table: the events a filter keeps, in time order, one page at a time.
//!
//! The engine answers pages, never the whole list: only the rows a person can see cross the worker
//! boundary. The time-ordered list of kept rows is computed once per filter and data version and
//! cached, so scrolling through a million rows costs a slice copy per page.

use serde::{Deserialize, Serialize};

use super::filter::{Compiled, Filter};
use super::principal::principal_label;
use crate::model::{KeyKind, Millis};
use crate::store::{flags, Row, Store};

/// Most rows in one page.
pub const MAX_PAGE: u32 = 500;

/// Table order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Order {
    /// Oldest first.
    #[default]
    Oldest,
    /// Newest first.
    Newest,
}

/// One row of the event table: short texts only (the full event is read on demand).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    /// Store row.
    pub row: Row,
    /// `eventTime`, ms UTC.
    pub time: Millis,
    /// `eventSource`.
    pub source: String,
    /// `eventName`.
    pub name: String,
    /// `awsRegion`.
    pub region: String,
    /// Account.
    pub account: String,
    /// Who, as [`principal_label`] names them.
    pub principal: String,
    /// Identity type label.
    pub identity_type: String,
    /// Access key id.
    pub access_key: String,
    /// Kind of key.
    pub key_kind: KeyKind,
    /// `sourceIPAddress`.
    pub ip: String,
    /// `userAgent`.
    pub user_agent: String,
    /// `errorCode`.
    pub error_code: String,
    /// `errorMessage`.
    pub error_message: String,
    /// `readOnly`, when recorded.
    pub read_only: Option<bool>,
    /// `eventID`.
    pub event_id: String,
    /// The file it came from.
    pub file: u32,
    /// Digest of the event's key: how links, notes and bookmarks name it.
    pub key: String,
}

/// A page of the event table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventPage {
    /// Events the filter keeps.
    pub total: u64,
    /// Index of the first row of this page.
    pub offset: u64,
    /// The rows.
    pub rows: Vec<EventView>,
}

/// The table row for store row `r`.
pub fn view(store: &Store, r: Row) -> EventView {
    let id = &store.identity(r);
    let f = store.flags(r);
    EventView {
        row: r,
        time: store.time(r),
        source: store.str(store.source(r)).into_owned(),
        name: store.str(store.name(r)).into_owned(),
        region: store.str(store.region(r)).into_owned(),
        account: store.str(store.account(r)).into_owned(),
        principal: principal_label(id, &store.strings),
        identity_type: id.kind.label().to_owned(),
        access_key: store.str(id.access_key).into_owned(),
        key_kind: KeyKind::of(&store.str(id.access_key)),
        ip: store.str(store.ip(r)).into_owned(),
        user_agent: store.str(store.user_agent(r)).into_owned(),
        error_code: store.str(store.error_code(r)).into_owned(),
        error_message: store.str(store.error_message(r)).into_owned(),
        read_only: if f & flags::READ_ONLY != 0 {
            Some(true)
        } else if f & flags::WRITE != 0 {
            Some(false)
        } else {
            None
        },
        event_id: store.event_id(r),
        file: store.locator(r).file,
        key: crate::link::digest(&crate::link::row_key(store, r)),
    }
}

/// Rows a filter keeps, oldest first, cached per (filter, [`Store::version`]).
#[derive(Default)]
pub struct RowCache {
    /// Every row by time (then row number), for the store version it was built at.
    by_time: (crate::store::Version, Vec<Row>),
    /// The last filter's rows; `None` when it keeps every row, which are `by_time` (the event table
    /// opens with no filter, and a copy of every row was 4 bytes an event, 12 MB at 3 million).
    last: Option<(Filter, crate::store::Version, Option<Vec<Row>>)>,
}

impl RowCache {
    /// The rows `filter` keeps, oldest first.
    pub fn rows(&mut self, store: &Store, filter: &Filter) -> &[Row] {
        let (n, version) = (store.len(), store.version());
        if self.held(store, filter).is_none() {
            if self.by_time.0 != version || self.by_time.1.len() != n {
                // Let the old filter's list go first, so that it and the new one are not held at once.
                self.last = None;
                let order = std::mem::take(&mut self.by_time.1);
                self.by_time = (version, by_time(store, order));
            }
            let rows = (!filter.is_empty()).then(|| {
                let c = Compiled::new(filter, store);
                self.by_time.1.iter().copied().filter(|&r| c.keeps(r)).collect()
            });
            self.last = Some((filter.clone(), version, rows));
        }
        self.held(store, filter).unwrap_or(&[])
    }

    /// The rows `filter` keeps, oldest first, if this cache holds them for the store as it is now;
    /// asks nothing of the store and keeps the list it holds.
    pub fn held(&self, store: &Store, filter: &Filter) -> Option<&[Row]> {
        let version = store.version();
        match &self.last {
            Some((f, v, rows)) if *v == version && f == filter => Some(rows.as_deref().unwrap_or(&self.by_time.1)),
            _ => None,
        }
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        let filtered = self.last.as_ref().and_then(|l| l.2.as_ref()).map_or(0, Vec::capacity);
        (self.by_time.1.capacity() + filtered) * 4
    }
}

/// Every row of `store` by time (then row number), from `order`, the same list for the store's first
/// `order.len()` rows. While a load adds rows, the event table asks again each time the store grows:
/// the rows added since are sorted alone and merged in, from the back and in place, rather than
/// sorting every row again (at 3 million rows, a sort of them all on each refresh). The rows already
/// listed keep their places among themselves: a row's time never changes, not even when the row is
/// changed in place ([`Store::upgrade`]), since it is part of the key that tells events apart.
pub fn by_time(store: &Store, mut order: Vec<Row>) -> Vec<Row> {
    let key = |r: Row| (store.time(r), r);
    let (n, old) = (store.len(), order.len());
    if old > n {
        order = Vec::new();
        order.extend(0..n as Row);
        order.sort_unstable_by_key(|&r| key(r));
        return order;
    }
    let mut fresh: Vec<Row> = (old as Row..n as Row).collect();
    fresh.sort_unstable_by_key(|&r| key(r));
    if old == 0 {
        // Every row is new (the table opened): the sorted list is the answer. Merged into a second
        // list of every row, it was two lists held at once, 8 bytes an event at the peak.
        return fresh;
    }
    if order.capacity() < n {
        // Room for an eighth more, so a load that keeps adding rows does not move the list each time
        // (a list made whole, above, has no room to spare).
        order.reserve_exact(n + n / 8 - old);
    }
    // Merged from the back: each step writes the larger of the two lists' last unplaced rows into the
    // last free slot, which is never a slot of the old rows still unplaced. An old row and a new row
    // of the same time keep row order, as the sort gives: the new row's number is the larger.
    order.resize(n, 0);
    let (mut i, mut j) = (old, fresh.len());
    while j > 0 {
        let w = i + j - 1;
        if i > 0 && key(order[i - 1]) > key(fresh[j - 1]) {
            order[w] = order[i - 1];
            i -= 1;
        } else {
            order[w] = fresh[j - 1];
            j -= 1;
        }
    }
    order
}

/// `rows` (distinct rows of a store of `len` rows, in any order) in row order, for a walk whose
/// answer does not depend on order. The store's columns and its container facts are read fastest
/// front to back: the facts are decoded a block at a time, and rows by time jump between files, so
/// a walk by time decoded a block for almost every row (the "+ Filter" menu's repositories took
/// 8.3× as long that way: `cargo bench --bench filter`). The rows are marked in a bitmap (a bit a
/// row) and read off it.
pub fn in_row_order(rows: &[Row], len: usize) -> impl Iterator<Item = Row> {
    let mut words = vec![0u64; len.div_ceil(64)];
    for &r in rows {
        words[r as usize / 64] |= 1 << (r % 64);
    }
    words.into_iter().enumerate().flat_map(|(w, mut bits)| {
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let bit = bits.trailing_zeros();
                bits &= bits - 1;
                (w * 64) as Row + bit
            })
        })
    })
}

/// Page `offset..offset + limit` of `rows` (oldest first) in `order`.
pub fn page(store: &Store, rows: &[Row], order: Order, offset: u64, limit: u32) -> EventPage {
    let total = rows.len() as u64;
    let offset = offset.min(total);
    let limit = u64::from(limit.min(MAX_PAGE));
    let end = (offset + limit).min(total);
    let pick = |i: u64| match order {
        Order::Oldest => rows[i as usize],
        Order::Newest => rows[(total - 1 - i) as usize],
    };
    EventPage { total, offset, rows: (offset..end).map(|i| view(store, pick(i))).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::filter::Field;
    use crate::engine::Engine;

    #[test]
    fn ok_in_row_order_gives_each_row_once_in_order() {
        // Rows on both sides of each 64-row word's edges, the last row, and others, out of order.
        let len = 200;
        let rows: Vec<Row> = vec![199, 0, 64, 63, 5, 128, 127, 65, 130, 1];
        let mut expected = rows.clone();
        expected.sort_unstable();
        assert_eq!(in_row_order(&rows, len).collect::<Vec<_>>(), expected);
        assert_eq!(in_row_order(&[], len).count(), 0);
        let every: Vec<Row> = (0..len as Row).rev().collect();
        assert!(in_row_order(&every, len).eq(0..len as Row));
    }

    /// Events in a deliberately shuffled file order; times are the truth for the expected order.
    const LOG: &str = r#"{"Records":[
      {"eventTime":"2026-03-01T00:00:03Z","eventSource":"ecr.amazonaws.com","eventName":"PutImage","eventID":"00000000-0000-0000-0000-000000000003"},
      {"eventTime":"2026-03-01T00:00:01Z","eventSource":"ecr.amazonaws.com","eventName":"InitiateLayerUpload","eventID":"00000000-0000-0000-0000-000000000001"},
      {"eventTime":"2026-03-01T00:00:04Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","eventID":"00000000-0000-0000-0000-000000000004"},
      {"eventTime":"2026-03-01T00:00:02Z","eventSource":"ecr.amazonaws.com","eventName":"CompleteLayerUpload","eventID":"00000000-0000-0000-0000-000000000002"},
      {"eventTime":"2026-03-01T00:00:02Z","eventSource":"ecr.amazonaws.com","eventName":"UploadLayerPart","eventID":"00000000-0000-0000-0000-000000000005"}
    ]}"#;

    fn engine() -> Engine {
        let mut e = Engine::new();
        e.ingest_bytes("f.json", LOG.as_bytes());
        e
    }

    fn names(p: &EventPage) -> Vec<&str> {
        p.rows.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn ok_pages_in_time_order_both_ways() {
        let e = engine();
        let mut cache = RowCache::default();
        let rows = cache.rows(e.store(), &Filter::default()).to_vec();
        let p = page(e.store(), &rows, Order::Oldest, 0, 2);
        assert_eq!(p.total, 5);
        // Equal times keep store order (the file's order): CompleteLayerUpload was read first.
        assert_eq!(names(&p), ["InitiateLayerUpload", "CompleteLayerUpload"]);
        let p = page(e.store(), &rows, Order::Oldest, 2, 2);
        assert_eq!(names(&p), ["UploadLayerPart", "PutImage"]);
        let p = page(e.store(), &rows, Order::Newest, 0, 2);
        assert_eq!(names(&p), ["AssumeRole", "PutImage"]);
        assert_eq!(p.rows[0].event_id, "00000000-0000-0000-0000-000000000004");
    }

    #[test]
    fn ok_page_edges() {
        let e = engine();
        let mut cache = RowCache::default();
        let rows = cache.rows(e.store(), &Filter::default()).to_vec();
        let last = page(e.store(), &rows, Order::Oldest, 4, 10);
        assert_eq!(names(&last), ["AssumeRole"]);
        let beyond = page(e.store(), &rows, Order::Oldest, 99, 10);
        assert_eq!((beyond.total, beyond.offset, beyond.rows.len()), (5, 5, 0));
        let huge = page(e.store(), &rows, Order::Oldest, 0, u32::MAX);
        assert_eq!(huge.rows.len(), 5, "the limit is capped, not trusted");
    }

    #[test]
    fn ok_filtered_rows_are_cached_and_follow_new_data() {
        let mut e = engine();
        let mut cache = RowCache::default();
        let f = Filter::default().with(Field::Source, "ecr.amazonaws.com");
        assert_eq!(cache.rows(e.store(), &f).len(), 4);
        e.ingest_bytes(
            "g.json",
            br#"{"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecr.amazonaws.com","eventName":"GetAuthorizationToken","eventID":"00000000-0000-0000-0000-000000000009"}"#,
        );
        let rows = cache.rows(e.store(), &f).to_vec();
        assert_eq!(rows.len(), 5, "a new file invalidates the cache");
        assert_eq!(e.store().str(e.store().name(rows[0])), "GetAuthorizationToken");
    }

    #[test]
    fn ok_rows_added_later_are_merged_into_time_order() {
        let mut e = engine();
        let mut cache = RowCache::default();
        assert_eq!(cache.rows(e.store(), &Filter::default()).len(), 5);
        // Before every event, tied with two of them (a later row goes after them, as a sort puts it),
        // and after every event.
        e.ingest_bytes(
            "g.json",
            br#"{"Records":[
              {"eventTime":"2026-03-01T00:00:09Z","eventSource":"ecr.amazonaws.com","eventName":"DescribeImages","eventID":"00000000-0000-0000-0000-000000000008"},
              {"eventTime":"2026-03-01T00:00:02Z","eventSource":"ecr.amazonaws.com","eventName":"BatchCheckLayerAvailability","eventID":"00000000-0000-0000-0000-000000000007"},
              {"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecr.amazonaws.com","eventName":"GetAuthorizationToken","eventID":"00000000-0000-0000-0000-000000000006"}
            ]}"#,
        );
        let expected = [
            "GetAuthorizationToken",
            "InitiateLayerUpload",
            "CompleteLayerUpload",
            "UploadLayerPart",
            "BatchCheckLayerAvailability",
            "PutImage",
            "AssumeRole",
            "DescribeImages",
        ];
        let merged = cache.rows(e.store(), &Filter::default()).to_vec();
        assert_eq!(names(&page(e.store(), &merged, Order::Oldest, 0, 10)), expected);
        let sorted = RowCache::default().rows(e.store(), &Filter::default()).to_vec();
        assert_eq!(merged, sorted, "the same list as sorting every row");
        // Rows after every old one are appended.
        e.ingest_bytes(
            "h.json",
            br#"{"eventTime":"2026-03-01T00:00:10Z","eventSource":"ecr.amazonaws.com","eventName":"ListImages","eventID":"00000000-0000-0000-0000-000000000010"}"#,
        );
        let rows = cache.rows(e.store(), &Filter::default()).to_vec();
        assert_eq!(names(&page(e.store(), &rows, Order::Newest, 0, 2)), ["ListImages", "DescribeImages"]);
        assert_eq!(rows.len(), 9);
    }

    #[test]
    fn ok_rows_changed_in_place_keep_their_places() {
        // A console CSV whose events arrive again as JSON: the JSON copies change those rows in place,
        // which moves the store's version, not its size.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest/shapes");
        let s3 = "AWSLogs/123456789012/CloudTrail/us-east-2/2019/04/15/123456789012_CloudTrail_us-east-2_20190415T1725Z_MultiMember0001.json.gz";
        let mut e = Engine::new();
        e.ingest_bytes("event-history.csv", &std::fs::read(dir.join("event-history.csv")).unwrap());
        let mut cache = RowCache::default();
        let before = (cache.rows(e.store(), &Filter::default()).len(), e.store().version());
        e.ingest_bytes(s3, &std::fs::read(dir.join(s3)).unwrap());
        assert!(e.store().upgrades() > 0, "the JSON copies changed rows in place");
        assert_ne!(e.store().version(), before.1);
        let merged = cache.rows(e.store(), &Filter::default()).to_vec();
        assert_eq!(merged.len(), before.0);
        let sorted = RowCache::default().rows(e.store(), &Filter::default()).to_vec();
        assert_eq!(merged, sorted);
        let times: Vec<_> = merged.iter().map(|&r| e.store().time(r)).collect();
        assert!(times.is_sorted());
    }

    #[test]
    fn ok_every_row_is_held_once_without_a_filter() {
        let e = engine();
        let mut cache = RowCache::default();
        let f = Filter::default().with(Field::Source, "ecr.amazonaws.com");
        assert_eq!(cache.rows(e.store(), &f).len(), 4);
        assert_eq!(cache.heap_bytes(), (5 + 4) * 4, "every row by time, and the filter's four");
        assert_eq!(cache.rows(e.store(), &Filter::default()).len(), 5);
        assert_eq!(cache.heap_bytes(), 5 * 4, "no copy of every row for no filter");
    }
}
