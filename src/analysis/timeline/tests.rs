//! Bucket aggregation at the edges: range ends, buckets boundaries, empty buckets and ranges, one
//! event, lanes and marks. Every expected value is counted by hand from the events written here.

use serde_json::{json, Value};

use super::*;
use crate::engine::{Engine, Query, Response};
use crate::model::time::parse_iso;

fn t(s: &str) -> Millis {
    parse_iso(s).unwrap()
}

fn event(n: u32, time: &str, source: &str, name: &str, who: &str) -> Value {
    json!({
        "eventVersion": "1.09", "eventTime": time, "eventSource": source, "eventName": name,
        "awsRegion": "us-east-1", "recipientAccountId": "111122223333", "sourceIPAddress": "203.0.113.12",
        "userAgent": "docker/24.0.7", "eventID": format!("00000000-0000-4000-8000-{n:012}"),
        "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::111122223333:user/{who}"),
                         "accessKeyId": "AKIAEXAMPLE", "accountId": "111122223333"},
    })
}

fn put(n: u32, time: &str, repo: &str, tag: &str) -> Value {
    let mut e = event(n, time, "ecr.amazonaws.com", "PutImage", "Mary");
    e["requestParameters"] = json!({"repositoryName": repo, "imageTag": tag});
    e["responseElements"] = json!({"image": {"repositoryName": repo,
        "imageId": {"imageTag": tag, "imageDigest": format!("sha256:{n:064}")}}});
    e
}

fn get(n: u32, time: &str, repo: &str, error: Option<&str>) -> Value {
    let mut e = event(n, time, "ecr.amazonaws.com", "BatchGetImage", "Paulo");
    e["requestParameters"] = json!({"repositoryName": repo, "imageIds": [{"imageTag": "v1"}]});
    if let Some(code) = error {
        e["errorCode"] = json!(code);
    }
    e
}

/// Seven events (one STS call, two pushes to `web/api`, a pull of it that was refused, a pull of
/// `base/alpine`, one S3 call a second before the range, one exactly at its end):
///
/// | time     | what                               | bucket of 3 over 10:00–10:03 |
/// |----------|------------------------------------|------------------------------|
/// | 09:59:59 | s3 GetObject (Mary)                | before                       |
/// | 10:00:00 | PutImage web/api:v1 (Mary)         | 0                            |
/// | 10:00:30 | sts AssumeRole (Paulo)             | 0                            |
/// | 10:01:00 | BatchGetImage web/api, refused     | 1 (on the boundary)          |
/// | 10:02:59 | PutImage web/api:v2 (Mary)         | 2                            |
/// | 10:02:59 | BatchGetImage base/alpine (Paulo)  | 2                            |
/// | 10:03:00 | s3 GetObject (Mary)                | after (the end is excluded)  |
fn engine() -> Engine {
    let events = vec![
        event(1, "2026-03-01T09:59:59Z", "s3.amazonaws.com", "GetObject", "Mary"),
        put(2, "2026-03-01T10:00:00Z", "web/api", "v1"),
        event(3, "2026-03-01T10:00:30Z", "sts.amazonaws.com", "AssumeRole", "Paulo"),
        get(4, "2026-03-01T10:01:00Z", "web/api", Some("AccessDeniedException")),
        put(5, "2026-03-01T10:02:59Z", "web/api", "v2"),
        get(6, "2026-03-01T10:02:59Z", "base/alpine", None),
        event(7, "2026-03-01T10:03:00Z", "s3.amazonaws.com", "GetObject", "Mary"),
    ];
    let mut e = Engine::new();
    e.ingest_bytes("f.json", json!({ "Records": events }).to_string().as_bytes());
    e
}

fn ask(e: &Engine, filter: Filter, range: Range, buckets: u32, group_by: GroupBy) -> Timeline {
    match e.query(&Query::Timeline(Box::new(TimelineQuery { filter, range, buckets, group_by }))) {
        Response::Timeline(t) => *t,
        other => panic!("not a timeline: {other:?}"),
    }
}

fn range() -> Range {
    Range { from: t("2026-03-01T10:00:00Z"), to: t("2026-03-01T10:03:00Z") }
}

fn label(tl: &Timeline, lane: u16) -> &str {
    &tl.lanes[lane as usize].label
}

/// (lane label, bucket, mark, count, errors) of every cell.
fn cells(tl: &Timeline) -> Vec<(&str, u32, Mark, u32, u32)> {
    tl.cells.iter().map(|c| (label(tl, c.lane), c.bucket, c.mark, c.count, c.errors)).collect()
}

#[test]
fn ok_bucket_of_half_open_with_boundaries_in_the_later_bucket() {
    let r = Range { from: 0, to: 10 };
    // Three buckets over 10 ms: [0, 4), [4, 7), [7, 10).
    let got: Vec<Option<u32>> = (-1..=10).map(|ms| bucket_of(r, 3, ms)).collect();
    let want = [None, Some(0), Some(0), Some(0), Some(0), Some(1), Some(1), Some(1), Some(2), Some(2), Some(2), None];
    assert_eq!(got, want);
    assert_eq!((0..=3).map(|i| bucket_start(r, 3, i)).collect::<Vec<_>>(), [0, 4, 7, 10]);
    assert_eq!(bucket_of(r, 0, 5), None, "no buckets, nothing counted");
    assert_eq!(bucket_of(Range { from: 5, to: 5 }, 3, 5), None, "an empty range holds nothing");
}

#[test]
fn ok_range_ends_and_boundaries() {
    let e = engine();
    let tl = ask(&e, Filter::default(), range(), 3, GroupBy::Service);
    // 09:59:59 and 10:03:00 are outside; 10:01:00 is the first millisecond of bucket 1.
    assert_eq!(tl.density, [2, 1, 2]);
    assert_eq!(tl.in_range, 5);
    assert_eq!(tl.extent, Some(Range { from: t("2026-03-01T09:59:59Z"), to: t("2026-03-01T10:03:00Z") + 1 }));
    // Lanes over all time, busiest first: ecr 4, s3 2, sts 1.
    let lanes: Vec<(&str, u64)> = tl.lanes.iter().map(|l| (l.label.as_str(), l.total)).collect();
    assert_eq!(lanes, [("ecr.amazonaws.com", 4), ("s3.amazonaws.com", 2), ("sts.amazonaws.com", 1)]);
    assert_eq!(
        cells(&tl),
        [
            ("ecr.amazonaws.com", 0, Mark::Events, 1, 0),
            ("ecr.amazonaws.com", 0, Mark::Push, 1, 0),
            ("ecr.amazonaws.com", 1, Mark::Events, 1, 1),
            ("ecr.amazonaws.com", 1, Mark::Pull, 1, 1),
            ("ecr.amazonaws.com", 2, Mark::Events, 2, 0),
            ("ecr.amazonaws.com", 2, Mark::Push, 1, 0),
            ("ecr.amazonaws.com", 2, Mark::Pull, 1, 0),
            ("sts.amazonaws.com", 0, Mark::Events, 1, 0),
        ]
    );
    // Who: one person in a cell is named; two are not.
    let who = |bucket: u32, mark: Mark| {
        let c = tl.cells.iter().find(|c| c.bucket == bucket && c.mark == mark && c.lane == 0).unwrap();
        c.who.map(|i| tl.people[i as usize].as_str())
    };
    assert_eq!(who(0, Mark::Push), Some("arn:aws:iam::111122223333:user/Mary"));
    assert_eq!(who(2, Mark::Events), None);
}

#[test]
fn ok_the_end_is_excluded_and_the_start_included() {
    let e = engine();
    // One bucket ending exactly on the 10:01:00 pull: only bucket-0 events are counted.
    let r = Range { from: t("2026-03-01T10:00:00Z"), to: t("2026-03-01T10:01:00Z") };
    assert_eq!(ask(&e, Filter::default(), r, 1, GroupBy::Service).density, [2]);
    // Starting on it: it is counted.
    let r = Range { from: t("2026-03-01T10:01:00Z"), to: t("2026-03-01T10:01:00Z") + 1 };
    assert_eq!(ask(&e, Filter::default(), r, 1, GroupBy::Service).density, [1]);
}

#[test]
fn ok_empty_buckets_and_empty_answers() {
    let e = engine();
    // Six buckets of 30 s: 10:00:00, 10:00:30 | 10:01:00 | - | - | - | 10:02:59 ×2.
    let tl = ask(&e, Filter::default(), range(), 6, GroupBy::Service);
    assert_eq!(tl.density, [1, 1, 1, 0, 0, 2]);
    // A range with no events: zero buckets, no cells, the lanes still listed (they are over all time).
    let quiet = Range { from: t("2026-03-02T00:00:00Z"), to: t("2026-03-02T01:00:00Z") };
    let tl = ask(&e, Filter::default(), quiet, 4, GroupBy::Service);
    assert_eq!(
        (tl.density.as_slice(), tl.cells.len(), tl.lanes.len(), tl.in_range),
        ([0, 0, 0, 0].as_slice(), 0, 3, 0)
    );
    // A filter that keeps nothing: no lanes, no extent.
    let none = Filter { text: "nothing-like-this".into(), ..Filter::default() };
    let tl = ask(&e, none, range(), 3, GroupBy::Service);
    assert_eq!((tl.lanes.len(), tl.extent, tl.density.as_slice()), (0, None, [0, 0, 0].as_slice()));
    // A backwards range answers nothing rather than failing.
    let tl = ask(&e, Filter::default(), Range { from: 10, to: 10 }, 3, GroupBy::Service);
    assert_eq!((tl.buckets, tl.density.len()), (0, 0));
}

#[test]
fn ok_one_event() {
    let mut e = Engine::new();
    let one = json!({"Records": [put(1, "2026-03-01T10:00:00Z", "web/api", "v1")]});
    e.ingest_bytes("one.json", one.to_string().as_bytes());
    let at = t("2026-03-01T10:00:00Z");
    let tl = ask(&e, Filter::default(), Range { from: at - 5_000, to: at + 5_000 }, 10, GroupBy::Repository);
    assert_eq!(tl.extent, Some(Range { from: at, to: at + 1 }));
    assert_eq!(tl.density, [0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    assert_eq!(cells(&tl), [("web/api", 5, Mark::Events, 1, 0), ("web/api", 5, Mark::Push, 1, 0)]);
    assert_eq!(tl.cells[0].row, 0);
}

#[test]
fn ok_the_filter_applies_but_not_its_time_range() {
    let e = engine();
    let f = Filter {
        sources: vec!["ecr.amazonaws.com".into()],
        from: Some(t("2026-03-01T10:02:00Z")),
        ..Filter::default()
    };
    let tl = ask(&e, f, range(), 3, GroupBy::Repository);
    assert_eq!(tl.density, [1, 1, 2], "the range is drawn around the selection, not cut to it");
    let lanes: Vec<(&str, u64)> = tl.lanes.iter().map(|l| (l.label.as_str(), l.total)).collect();
    assert_eq!(lanes, [("web/api", 3), ("base/alpine", 1)]);
}

/// `principals` principals, principal k making k + 1 calls at one time, drawn by identity.
fn lanes_of(principals: u32) -> Timeline {
    let mut e = Engine::new();
    let mut events = Vec::new();
    let mut n = 0;
    for k in 0..principals {
        for _ in 0..=k {
            n += 1;
            events.push(event(
                n,
                "2026-03-01T10:00:00Z",
                "sts.amazonaws.com",
                "GetCallerIdentity",
                &format!("u{k:02}"),
            ));
        }
    }
    e.ingest_bytes("many.json", json!({ "Records": events }).to_string().as_bytes());
    let r = Range { from: t("2026-03-01T10:00:00Z"), to: t("2026-03-01T10:00:01Z") };
    let tl = ask(&e, Filter::default(), r, 1, GroupBy::Identity);
    assert_eq!(tl.density, [(1..=principals).sum::<u32>()]);
    tl
}

#[test]
fn ok_lanes_past_the_limit_share_one() {
    // Fourteen principals: the two quietest share "Other".
    let tl = lanes_of(14);
    assert_eq!(tl.lanes.len(), MAX_LANES + 1);
    assert_eq!(tl.lanes[0].label, "arn:aws:iam::111122223333:user/u13");
    assert_eq!(tl.lanes[0].total, 14);
    let other = &tl.lanes[MAX_LANES];
    assert_eq!((other.kind, other.label.as_str(), other.total), (LaneKind::Other, "Other (2 more)", 1 + 2));
}

#[test]
fn ok_a_narrow_other_lane_says_other_over_its_count() {
    let tl = lanes_of(14);
    let other = &tl.lanes[MAX_LANES];
    // A gutter of 8 characters: "Other" over "2 more", not the label's end.
    let narrow = |s: &str| s.chars().count() <= 8;
    assert_eq!(other.two_lines(&other.label, narrow), Some(("Other", "2 more")));
    // Wide enough: one line, as the principals' lanes always are.
    assert_eq!(other.two_lines(&other.label, |_| true), None);
    assert_eq!(tl.lanes[0].two_lines(&tl.lanes[0].label, narrow), None);
}

#[test]
fn ok_one_value_past_the_limit_has_its_own_lane() {
    // Thirteen principals: an "Other (1 more)" would take the room the quietest's own lane takes.
    let tl = lanes_of(13);
    assert_eq!(tl.lanes.len(), 13);
    assert!(tl.lanes.iter().all(|l| l.kind == LaneKind::Group), "{:?}", tl.lanes);
    let last = &tl.lanes[12];
    assert_eq!((last.label.as_str(), last.total), ("arn:aws:iam::111122223333:user/u00", 1));
    assert!(!last.pick.is_empty(), "the lane picks its value like any other");
}

#[test]
fn ok_group_by_slugs_round_trip() {
    for g in GroupBy::ALL {
        assert_eq!(GroupBy::from_slug(g.slug()), Some(g));
    }
    assert_eq!(GroupBy::from_slug("nope"), None);
}

#[test]
fn ok_one_lane_per_principal_whatever_its_keys() {
    // Mary with two access keys is two identities in the store but one principal: one lane of 2.
    let mut a = event(1, "2026-03-01T10:00:00Z", "sts.amazonaws.com", "GetCallerIdentity", "Mary");
    a["userIdentity"]["accessKeyId"] = json!("AKIAFIRSTKEY");
    let mut b = event(2, "2026-03-01T10:00:01Z", "sts.amazonaws.com", "GetCallerIdentity", "Mary");
    b["userIdentity"]["accessKeyId"] = json!("AKIASECONDKEY");
    let c = event(3, "2026-03-01T10:00:02Z", "sts.amazonaws.com", "GetCallerIdentity", "Paulo");
    let mut e = Engine::new();
    e.ingest_bytes("keys.json", json!({ "Records": [a, b, c] }).to_string().as_bytes());
    assert_eq!(e.store().identities().len(), 3, "the store tells the keys apart");
    let r = Range { from: t("2026-03-01T10:00:00Z"), to: t("2026-03-01T10:00:03Z") };
    let tl = ask(&e, Filter::default(), r, 3, GroupBy::Identity);
    let lanes: Vec<(&str, u64)> = tl.lanes.iter().map(|l| (l.label.as_str(), l.total)).collect();
    assert_eq!(lanes, [("arn:aws:iam::111122223333:user/Mary", 2), ("arn:aws:iam::111122223333:user/Paulo", 1)]);
}

/// A lane's filter values and its events.
type LanePick<'a> = (Vec<(Field, &'a str)>, u64);

#[test]
fn ok_a_lane_names_the_filter_that_keeps_it() {
    // The seven events of `engine()`, by hand: web/api 3 (2, 4, 5), no repository 3 (1, 3, 7),
    // base/alpine 1 (6); Mary 4 (1, 2, 5, 7), Paulo 3 (3, 4, 6); s3 2, ecr 4, sts 1; one account
    // and region for all 7.
    let e = engine();
    let whole = Range { from: t("2026-03-01T09:00:00Z"), to: t("2026-03-01T11:00:00Z") };
    let mary = "arn:aws:iam::111122223333:user/Mary";
    let paulo = "arn:aws:iam::111122223333:user/Paulo";
    let expected: [(GroupBy, Vec<LanePick>); 4] = [
        (
            GroupBy::Repository,
            vec![
                // A tie of 3 is in name order: "(no repository)" before "web/api".
                (vec![(Field::Repository, "")], 3),
                (vec![(Field::Repository, "arn:aws:ecr:us-east-1:111122223333:repository/web/api")], 3),
                (vec![(Field::Repository, "arn:aws:ecr:us-east-1:111122223333:repository/base/alpine")], 1),
            ],
        ),
        (GroupBy::Identity, vec![(vec![(Field::Principal, mary)], 4), (vec![(Field::Principal, paulo)], 3)]),
        (
            GroupBy::Service,
            vec![
                (vec![(Field::Source, "ecr.amazonaws.com")], 4),
                (vec![(Field::Source, "s3.amazonaws.com")], 2),
                (vec![(Field::Source, "sts.amazonaws.com")], 1),
            ],
        ),
        (GroupBy::AccountRegion, vec![(vec![(Field::Account, "111122223333"), (Field::Region, "us-east-1")], 7)]),
    ];
    for (by, lanes) in expected {
        let tl = ask(&e, Filter::default(), whole, 1, by);
        let got: Vec<LanePick> =
            tl.lanes.iter().map(|l| (l.pick.iter().map(|(f, v)| (*f, v.as_str())).collect(), l.total)).collect();
        assert_eq!(got, lanes, "{by:?}");
        // Picking a lane keeps its events and only them: one lane, of the same total.
        for lane in tl.lanes.iter().filter(|l| !l.pick.is_empty()) {
            let picked = ask(&e, Filter::default().with_all(&lane.pick), whole, 1, by);
            let kept: Vec<(&str, u64)> = picked.lanes.iter().map(|l| (l.label.as_str(), l.total)).collect();
            assert_eq!(kept, [(lane.label.as_str(), lane.total)], "{by:?} {}", lane.label);
        }
    }
}

#[test]
fn ok_repositories_of_one_name_are_lanes_of_their_own() {
    // web/api pushed in us-east-1 twice and in eu-west-1 once, and run by a task definition from
    // us-east-1's: two repositories, two lanes, each saying where it is (of one account, by its
    // region); base/alpine one, named alone.
    let mut eu = put(3, "2026-03-01T10:02:00Z", "web/api", "v1");
    eu["awsRegion"] = json!("eu-west-1");
    let mut task = event(4, "2026-03-01T10:02:30Z", "ecs.amazonaws.com", "RegisterTaskDefinition", "Mary");
    task["requestParameters"] = json!({"family": "api",
        "containerDefinitions": [{"image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/web/api:v2"}]});
    let events = vec![
        put(1, "2026-03-01T10:00:00Z", "web/api", "v1"),
        put(2, "2026-03-01T10:01:00Z", "web/api", "v2"),
        eu.clone(),
        task,
        get(5, "2026-03-01T10:02:40Z", "base/alpine", None),
    ];
    let mut e = Engine::new();
    e.ingest_bytes("one-name.json", json!({ "Records": events }).to_string().as_bytes());
    let tl = ask(&e, Filter::default(), range(), 1, GroupBy::Repository);
    let groups = |tl: &Timeline| tl.lanes.iter().filter(|l| l.kind == LaneKind::Group).cloned().collect::<Vec<_>>();
    let lanes: Vec<(String, u64, String)> =
        groups(&tl).into_iter().map(|l| (l.label, l.total, l.pick[0].1.clone())).collect();
    let lanes: Vec<(&str, u64, &str)> = lanes.iter().map(|(a, n, b)| (a.as_str(), *n, b.as_str())).collect();
    assert_eq!(
        lanes,
        [
            ("web/api (us-east-1)", 3, "arn:aws:ecr:us-east-1:111122223333:repository/web/api"),
            ("base/alpine", 1, "arn:aws:ecr:us-east-1:111122223333:repository/base/alpine"),
            ("web/api (eu-west-1)", 1, "arn:aws:ecr:eu-west-1:111122223333:repository/web/api"),
        ]
    );
    let places: Vec<String> = groups(&tl).into_iter().map(|l| l.place).collect();
    assert_eq!(places, ["us-east-1", "", "eu-west-1"]);
    // The canvas writes the place under the name, however wide the gutter.
    let lines: Vec<Option<(&str, &str)>> = tl.lanes.iter().map(|l| l.two_lines(&l.label, |_| true)).collect();
    assert_eq!(lines[..3], [Some(("web/api", "us-east-1")), None, Some(("web/api", "eu-west-1"))]);
    // Another account's web/api in us-east-1 too: neither the account nor the region tells all
    // three apart, so each says both; without eu-west-1's, the account does.
    let mut other = put(6, "2026-03-01T10:02:50Z", "web/api", "v1");
    other["recipientAccountId"] = json!("444455556666");
    other["userIdentity"]["accountId"] = json!("444455556666");
    let mut more = events.clone();
    more.push(other.clone());
    let places = |events: &[Value]| {
        let mut e = Engine::new();
        e.ingest_bytes("more.json", json!({ "Records": events }).to_string().as_bytes());
        let mut got: Vec<String> = groups(&ask(&e, Filter::default(), range(), 1, GroupBy::Repository))
            .into_iter()
            .filter(|l| l.label.starts_with("web/api"))
            .map(|l| l.label)
            .collect();
        got.sort();
        got
    };
    assert_eq!(
        places(&more),
        ["web/api (111122223333 eu-west-1)", "web/api (111122223333 us-east-1)", "web/api (444455556666 us-east-1)"]
    );
    let without_eu: Vec<Value> = more.iter().filter(|e| e["awsRegion"] != "eu-west-1").cloned().collect();
    assert_eq!(places(&without_eu), ["web/api (111122223333)", "web/api (444455556666)"]);
    for lane in groups(&tl) {
        let picked = ask(&e, Filter::default().with_all(&lane.pick), range(), 1, GroupBy::Repository);
        let kept: Vec<(String, u64)> = groups(&picked).into_iter().map(|l| (l.label, l.total)).collect();
        let kept: Vec<(&str, u64)> = kept.iter().map(|(a, n)| (a.as_str(), *n)).collect();
        // Alone, a lane's repository has no namesake to be told from.
        let name = lane.label.split(" (").next().unwrap();
        assert_eq!(kept, [(name, lane.total)], "{}", lane.label);
    }
}

/// The bundled sample (generated container activity and AWS's documentation examples).
fn sample() -> Engine {
    let mut e = Engine::new();
    for (path, bytes) in crate::sample::SAMPLE_FILES {
        e.ingest_bytes(path, bytes);
    }
    e
}

/// Event cells: (lane, bucket) → (count, errors, (time, row) of the earliest, its identity when one did all).
type EventCells = std::collections::BTreeMap<(u16, u32), (u32, u32, (Millis, Row), Option<u32>)>;

/// Event cells and the density, counted by visiting every row the filter keeps, with lanes found by
/// the filter values they pick.
fn brute_events(e: &Engine, tl: &Timeline, by: GroupBy, range: Range, n: u32) -> (EventCells, Vec<u32>) {
    let store = e.store();
    let keyer = Keyer::new(store, by);
    let c = Compiled::new(&Filter::default(), store);
    let mut cells = EventCells::new();
    let mut density = vec![0; n as usize];
    for r in c.rows() {
        let Some(b) = bucket_of(range, n, store.time(r)) else { continue };
        density[b as usize] += 1;
        let pick = keyer.key(store, r).pick(store);
        let lane = tl.lanes.iter().position(|l| l.kind == LaneKind::Group && l.pick == pick).unwrap_or(MAX_LANES);
        let (id, error) = (store.identity_id(r), u32::from(!store.error_code(r).is_empty()));
        let cell = cells.entry((lane as u16, b)).or_insert((0, 0, (store.time(r), r), Some(id)));
        cell.0 += 1;
        cell.1 += error;
        cell.2 = cell.2.min((store.time(r), r));
        if cell.3 != Some(id) {
            cell.3 = None;
        }
    }
    (cells, density)
}

#[test]
fn ok_answers_agree_with_visiting_every_event_of_the_sample() {
    let e = sample();
    let store = e.store();
    let extent = ask(&e, Filter::default(), Range { from: 0, to: 1 }, 1, GroupBy::Repository).extent.unwrap();
    let span = extent.to - extent.from;
    assert!(store.len() > 500, "the sample has {} events", store.len());
    let ranges = [
        (Range { from: extent.from - span, to: extent.to + span }, 900),
        (extent, 4000),
        (Range { from: extent.from + span / 3, to: extent.from + span / 3 + span / 50 }, 333),
        (Range { from: extent.from + 7, to: extent.from + 7 + 3_600_000 }, 61),
    ];
    for by in GroupBy::ALL {
        for &(range, n) in &ranges {
            let tl = ask(&e, Filter::default(), range, n, by);
            let (want, density) = brute_events(&e, &tl, by, range, n);
            let got: EventCells = tl
                .cells
                .iter()
                .filter(|c| c.mark == Mark::Events)
                .map(|c| {
                    let who = c.who.map(|_| store.identity_id(c.row));
                    ((c.lane, c.bucket), (c.count, c.errors, (store.time(c.row), c.row), who))
                })
                .collect();
            assert_eq!(got, want, "{by:?} over {range:?} in {n}");
            assert_eq!(tl.density, density);
            assert_eq!(tl.in_range, u64::from(density.iter().sum::<u32>()));
            // Each named cell names its earliest event's principal.
            for c in tl.cells.iter().filter(|c| c.who.is_some()) {
                let name = principal_label(&store.identity_by_id(store.identity_id(c.row)), &store.strings);
                if c.mark != Mark::Push && c.mark != Mark::Pull {
                    assert_eq!(tl.people[c.who.unwrap() as usize], name);
                }
            }
            // Marks: every push, pull and expired image whose key event is in range, once.
            let ix = crate::analysis::container::Index::build(store);
            let in_range = |r: Row| bucket_of(range, n, store.time(r)).is_some();
            let total = |m: Mark| tl.cells.iter().filter(|c| c.mark == m).map(|c| c.count as usize).sum::<usize>();
            assert_eq!(total(Mark::Push), ix.pushes.iter().filter(|p| in_range(p.put.unwrap_or(p.rows[0]))).count());
            assert_eq!(total(Mark::Pull), ix.pulls.iter().filter(|p| in_range(p.get.unwrap_or(p.rows[0]))).count());
            let expired = ix.runs.iter().filter(|r| !r.preview && in_range(r.rows[0])).map(|r| r.images.len());
            assert_eq!(total(Mark::Expiry), expired.sum::<usize>());
            assert_eq!(total(Mark::Deploy), ix.ecs.iter().filter(|&&r| in_range(r)).count());
        }
    }
}

#[test]
fn ok_a_refused_push_is_drawn_in_its_repositorys_lane() {
    // A push refused at its first upload: its token names no repository, its refused call does.
    let token = event(1, "2026-03-01T10:00:00Z", "ecr.amazonaws.com", "GetAuthorizationToken", "Mary");
    let mut refused = event(2, "2026-03-01T10:00:01Z", "ecr.amazonaws.com", "InitiateLayerUpload", "Mary");
    refused["requestParameters"] = json!({"repositoryName": "web/api"});
    refused["errorCode"] = json!("AccessDeniedException");
    let mut e = Engine::new();
    e.ingest_bytes("f.json", json!({ "Records": [token, refused] }).to_string().as_bytes());
    let r = Range { from: t("2026-03-01T10:00:00Z"), to: t("2026-03-01T10:00:02Z") };
    let pushes = |tl: &Timeline| -> Vec<(String, u32, u32)> {
        tl.cells
            .iter()
            .filter(|c| c.mark == Mark::Push)
            .map(|c| (label(tl, c.lane).to_owned(), c.count, c.errors))
            .collect()
    };
    let tl = ask(&e, Filter::default(), r, 1, GroupBy::Repository);
    assert_eq!(pushes(&tl), [("web/api".to_owned(), 1, 1)], "not in \"(no repository)\"");
    // Filtered to the repository, the push is still drawn.
    let f = Filter { repositories: vec!["web/api".into()], ..Filter::default() };
    assert_eq!(pushes(&ask(&e, f, r, 1, GroupBy::Repository)), [("web/api".to_owned(), 1, 1)]);
}

#[test]
fn ok_other_services_uses_of_images_have_a_lane_of_their_own() {
    // A SageMaker model naming an ECR image (written as AWS's SageMaker guide shows it logged), a
    // refused Batch job definition naming one, a read naming one and a Lambda function of a Docker
    // Hub image: two uses, one refused, in one lane after ECS's.
    let uri = "111122223333.dkr.ecr.us-east-1.amazonaws.com/ml/kmeans:latest";
    let mut model = event(1, "2026-03-01T10:00:10Z", "sagemaker.amazonaws.com", "CreateModel", "Mary");
    model["requestParameters"] = json!({"modelName": "m", "primaryContainer": {"image": uri}});
    let mut job = event(2, "2026-03-01T10:01:10Z", "batch.amazonaws.com", "RegisterJobDefinition", "Mary");
    job["requestParameters"] = json!({"jobDefinitionName": "j", "containerProperties": {"image": uri}});
    job["errorCode"] = json!("AccessDeniedException");
    let mut read = event(3, "2026-03-01T10:01:20Z", "sagemaker.amazonaws.com", "DescribeModel", "Mary");
    read["requestParameters"] = json!({"modelName": "m", "image": uri});
    read["readOnly"] = json!(true);
    let mut lambda = event(4, "2026-03-01T10:02:10Z", "lambda.amazonaws.com", "CreateFunction20150331", "Mary");
    lambda["requestParameters"] = json!({"functionName": "f", "code": {"imageUri": "alpine:3"}});
    let mut task = event(5, "2026-03-01T10:02:20Z", "ecs.amazonaws.com", "CreateCluster", "Mary");
    task["requestParameters"] = json!({"clusterName": "c"});
    let mut e = Engine::new();
    e.ingest_bytes("uses.json", json!({ "Records": [model, job, read, lambda, task] }).to_string().as_bytes());
    let tl = ask(&e, Filter::default(), range(), 3, GroupBy::Service);
    let specials: Vec<(LaneKind, &str, u64)> = tl
        .lanes
        .iter()
        .filter(|l| !matches!(l.kind, LaneKind::Group | LaneKind::Other))
        .map(|l| (l.kind, l.label.as_str(), l.total))
        .collect();
    assert_eq!(specials, [(LaneKind::Ecs, "ECS", 1), (LaneKind::Uses, "Image uses", 2)]);
    let uses: Vec<_> = cells(&tl).into_iter().filter(|c| c.2 == Mark::Use).collect();
    assert_eq!(uses, [("Image uses", 0, Mark::Use, 1, 0), ("Image uses", 1, Mark::Use, 1, 1)]);
    // A filter that keeps neither leaves the lane out.
    let f = Filter { names: vec!["CreateCluster".into()], ..Filter::default() };
    assert!(ask(&e, f, range(), 3, GroupBy::Service).lanes.iter().all(|l| l.kind != LaneKind::Uses));
}
