//! The timeline: events, ECR pushes, pulls and lifecycle expiries, ECS calls, other services' uses of
//! images and Image Builder runs counted into time buckets per lane, so the page draws a canvas from a
//! few thousand numbers whatever the number of events.
//!
//! A question is a time range `[from, to)`, a bucket count and a grouping (repository, identity,
//! service or account / region). The engine keeps, per filter and grouping, each lane's events and
//! marks sorted by time and indexed ([`Prepared`], [`series`]), so an answer costs about a search per
//! non-empty cell whatever the number of events: zooming out over a million events walks none of them.
//! Bucket `i` of `n` holds the times `t` with `i = floor((t - from) * n / (to - from))`: a time on a
//! boundary belongs to the later bucket, `from` is in the first bucket and `to` in none, as the
//! filter's own range is half open.
//!
//! ```
//! use trailscope::analysis::timeline::{bucket_of, Range};
//! let r = Range { from: 0, to: 100 };
//! assert_eq!(bucket_of(r, 10, 0), Some(0));
//! assert_eq!(bucket_of(r, 10, 10), Some(1));
//! assert_eq!(bucket_of(r, 10, 100), None);
//! ```

pub mod axis;
pub mod drawn;
pub mod series;
pub mod viewport;
pub mod wire;

use std::cell::RefCell;

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use super::container::report::Outcome;
use super::container::Index;
use super::filter::{Compiled, Field, Filter};
use super::principal::principal_label;
use crate::facts::container::{parse_image_uri, repos_of, FactReader, RepoOf, PUBLIC_SOURCE};
use crate::model::{Millis, Sym};
use crate::store::{Row, Store};
use series::{Agg, Item, Series};

/// Most buckets in one answer (a canvas a few thousand pixels wide, a bucket every few pixels).
pub const MAX_BUCKETS: u32 = 4000;

/// Lanes of the chosen grouping drawn on their own; the rest share one "Other" lane (unless the rest
/// is one value, which is drawn on its own: 13 lanes).
pub const MAX_LANES: usize = 12;

/// Sessions drawn as spans at most; past this the range is too crowded for spans to be readable.
pub const MAX_SPANS: usize = 400;

/// How lanes are grouped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GroupBy {
    /// ECR repository (events naming none share a lane).
    #[default]
    Repository,
    /// Principal.
    Identity,
    /// `eventSource`.
    Service,
    /// Account and region.
    AccountRegion,
}

impl GroupBy {
    /// Every grouping, in menu order.
    pub const ALL: [GroupBy; 4] = [GroupBy::Repository, GroupBy::Identity, GroupBy::Service, GroupBy::AccountRegion];

    /// What the menu calls it.
    pub fn label(self) -> &'static str {
        match self {
            GroupBy::Repository => "Repository",
            GroupBy::Identity => "Identity",
            GroupBy::Service => "Service",
            GroupBy::AccountRegion => "Account / region",
        }
    }

    /// Stable name (for `<select>` values).
    pub fn slug(self) -> &'static str {
        match self {
            GroupBy::Repository => "repository",
            GroupBy::Identity => "identity",
            GroupBy::Service => "service",
            GroupBy::AccountRegion => "account-region",
        }
    }

    /// The grouping with this slug.
    pub fn from_slug(s: &str) -> Option<GroupBy> {
        GroupBy::ALL.into_iter().find(|g| g.slug() == s)
    }
}

/// What a mark stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Mark {
    /// Any event (drawn as density).
    Events,
    /// An ECR push session (at its `PutImage`, or its first call).
    Push,
    /// An ECR pull session (at its `BatchGetImage`, or its first call).
    Pull,
    /// Images expired by a lifecycle run (counted per image).
    Expiry,
    /// An ECS call (task definitions, services, tasks).
    Deploy,
    /// An EC2 Image Builder call.
    Build,
    /// Another service's write naming an ECR image (a `SageMaker` model, a Batch job definition...).
    Use,
}

impl Mark {
    /// One of them, for people.
    pub fn label(self, n: u64) -> String {
        let (one, many) = match self {
            Mark::Events => ("event", "events"),
            Mark::Push => ("push", "pushes"),
            Mark::Pull => ("pull", "pulls"),
            Mark::Expiry => ("expired image", "expired images"),
            Mark::Deploy => ("ECS call", "ECS calls"),
            Mark::Build => ("Image Builder call", "Image Builder calls"),
            Mark::Use => ("other service's use of an image", "other services' uses of images"),
        };
        crate::text::plural(n, one, many)
    }
}

/// A half-open time range `[from, to)`, ms UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Range {
    /// First millisecond in range.
    pub from: Millis,
    /// First millisecond after it.
    pub to: Millis,
}

/// The bucket of `t` among `n` equal buckets over `r`, or `None` outside `r` (see the module docs).
pub fn bucket_of(r: Range, n: u32, t: Millis) -> Option<u32> {
    if t < r.from || t >= r.to || n == 0 {
        return None;
    }
    let i = (i128::from(t - r.from) * i128::from(n)) / i128::from(r.to - r.from);
    Some(i as u32)
}

/// The first millisecond of bucket `i` of `n` over `r` (`i == n` gives `r.to`).
pub fn bucket_start(r: Range, n: u32, i: u32) -> Millis {
    // The smallest t with floor((t - from) * n / span) >= i is from + ceil(i * span / n).
    let span = i128::from(r.to - r.from);
    let (num, n) = (i128::from(i) * span, i128::from(n.max(1)));
    r.from + ((num + n - 1) / n) as Millis
}

/// A timeline question.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimelineQuery {
    /// Which events (its time range is ignored: the timeline shows context around it).
    pub filter: Filter,
    /// The range to count.
    pub range: Range,
    /// Buckets over it (capped at [`MAX_BUCKETS`]).
    pub buckets: u32,
    /// Lanes.
    pub group_by: GroupBy,
}

/// What a lane gathers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LaneKind {
    /// One value of the grouping.
    Group,
    /// The values past [`MAX_LANES`], when they are two or more.
    Other,
    /// ECS calls.
    Ecs,
    /// Image Builder calls.
    Builder,
    /// Other services' writes naming ECR images.
    Uses,
}

/// One lane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lane {
    /// What it gathers.
    pub kind: LaneKind,
    /// Its name (the repository, principal, service, `account / region`).
    pub label: String,
    /// For a repository of a name that another lane's repository has too, where it is (its
    /// account, region, or both, whichever tell them apart), which `label` ends with in brackets
    /// and the canvas writes under the name; empty for the rest.
    #[serde(default)]
    pub place: String,
    /// Events (or, for ECS, image use and Image Builder lanes, calls) over all time that the filter
    /// keeps.
    pub total: u64,
    /// The filter values that keep this lane's value (the repository, the principal, the service,
    /// the account and the region; an empty value for "(no repository)", "(unknown)" and the like);
    /// empty for a lane no filter names (Other, ECS, image uses, Image Builder).
    pub pick: Vec<(Field, String)>,
}

impl Lane {
    /// Its label `name` (as the canvas names it) in two lines, the second smaller: a repository's
    /// name over where it is, when another lane's repository has its name; "Other" over how many
    /// values it gathers, when the whole label does not `fit` (cut as a name is, keeping its end,
    /// it read "…her (13 more)" on a phone). `None`: one line.
    pub fn two_lines<'a>(&'a self, name: &'a str, fits: impl Fn(&str) -> bool) -> Option<(&'a str, &'a str)> {
        if !self.place.is_empty() {
            return name.strip_suffix(&format!(" ({})", self.place)).map(|name| (name, self.place.as_str()));
        }
        if self.kind != LaneKind::Other || fits(name) {
            return None;
        }
        let (head, count) = name.split_once(" (")?;
        Some((head, count.strip_suffix(')').unwrap_or(count)))
    }
}

/// Counts of one kind of mark in one bucket of one lane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// Lane index.
    pub lane: u16,
    /// Bucket index.
    pub bucket: u32,
    /// What.
    pub mark: Mark,
    /// How many.
    pub count: u32,
    /// How many of them failed (an `errorCode`, a refused push or pull, a failed expiry).
    pub errors: u32,
    /// The earliest one's store row (the key event of a session).
    pub row: Row,
    /// Who: an index into [`Timeline::people`], or `None` when several identities.
    pub who: Option<u32>,
}

/// A session drawn from its first call to its last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Lane index.
    pub lane: u16,
    /// Push or pull.
    pub mark: Mark,
    /// First call.
    pub start: Millis,
    /// Last call.
    pub end: Millis,
    /// Calls in it.
    pub events: u32,
    /// Refused.
    pub error: bool,
    /// Key event (the `PutImage` / `BatchGetImage`, or the first call).
    pub row: Row,
    /// Index into [`Timeline::people`].
    pub who: u32,
}

/// The answer. Its long lists travel packed into bytes ([`wire`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    /// The range counted (as asked).
    pub range: Option<Range>,
    /// Buckets over it.
    pub buckets: u32,
    /// First and last event time the filter keeps, over all time (`None` when it keeps nothing).
    pub extent: Option<Range>,
    /// Lanes, in drawing order: the busiest values first, then Other, ECS, image uses, Image Builder.
    pub lanes: Vec<Lane>,
    /// Non-empty cells, by lane, bucket, mark.
    #[serde(with = "wire::cells")]
    pub cells: Vec<Cell>,
    /// Events per bucket, all lanes (the density strip).
    #[serde(with = "wire::counts")]
    pub density: Vec<u32>,
    /// Sessions overlapping the range, when at most [`MAX_SPANS`] (else empty, `spans_cut` set).
    #[serde(with = "wire::spans")]
    pub spans: Vec<Span>,
    /// More sessions than [`MAX_SPANS`] overlap the range.
    pub spans_cut: bool,
    /// Principals that cells and spans name.
    #[serde(with = "wire::strings")]
    pub people: Vec<String>,
    /// Events the filter keeps within the range.
    pub in_range: u64,
    /// When CloudTrail logging was off in these logs, whatever the filter (the engine adds them:
    /// see [`crate::analysis::logging::Off`]).
    #[serde(default)]
    pub off: Vec<crate::analysis::logging::Off>,
}

/// A session before bucketing.
#[derive(Debug, Clone, Copy)]
struct Session {
    time: Millis,
    end: Millis,
    lane: u16,
    mark: Mark,
    error: bool,
    row: Row,
    actor: u32,
    events: u32,
}

/// The kept events and marks of one filter and grouping, per lane and sorted by time, indexed so
/// that a range question costs about one search per non-empty cell (see [`series`]) rather than a
/// visit per event: zooming out over a million events does not walk them.
pub struct Prepared {
    /// Events, one series per event lane (the grouping's lanes, then Other).
    events: Vec<Series>,
    /// Marks: one series per lane and kind of mark, by lane then mark.
    marks: Vec<(u16, Mark, Series)>,
    /// Sessions (with a duration) by start time.
    sessions: Vec<Session>,
    /// The longest session's duration: a session overlapping a range starts at most this long before it.
    longest: Millis,
    lane_list: Vec<Lane>,
    extent: Option<Range>,
}

/// Puts rows in lanes.
struct Keyer {
    by: GroupBy,
    /// For each identity, the first identity with the same principal label (identities differ by
    /// access key and session too, but a lane is one principal).
    principal: Vec<u32>,
    /// Container facts by row, for repository lanes (rows come in order: each block is read once).
    facts: RefCell<FactReader>,
    /// The symbol of ECR Public's event source, for repository lanes.
    public_source: Option<Sym>,
}

impl Keyer {
    fn new(store: &Store, by: GroupBy) -> Keyer {
        let mut principal = Vec::new();
        if by == GroupBy::Identity {
            let mut first: HashMap<String, u32> = HashMap::new();
            for (i, id) in store.identities().enumerate() {
                let label = principal_label(&id, &store.strings);
                principal.push(*first.entry(label).or_insert(i as u32));
            }
        }
        Keyer { by, principal, facts: RefCell::default(), public_source: store.strings.lookup(PUBLIC_SOURCE) }
    }

    fn key(&self, store: &Store, r: Row) -> LaneKey {
        match self.by {
            GroupBy::Repository => {
                let fact = self.facts.borrow_mut().get(&store.container, r);
                LaneKey::Repo(repos_of(store, fact, self.public_source).next().map(|repo| named(store, repo)))
            }
            GroupBy::Identity => LaneKey::Identity(self.principal[store.identity_id(r) as usize]),
            GroupBy::Service => LaneKey::Sym(store.source(r)),
            GroupBy::AccountRegion => LaneKey::Pair(store.account(r), store.region(r)),
        }
    }
}

/// A task definition's image's repository as the call that names it would (its URI's registry
/// and region, where the store holds them), so that both are one lane.
fn named(store: &Store, repo: RepoOf) -> RepoOf {
    let RepoOf::Image { uri, name } = repo else { return repo };
    let sym = |s: &str| store.strings.lookup(s);
    parse_image_uri(&store.str(uri))
        .and_then(|u| sym(u.account).zip(sym(u.region)))
        .map_or(repo, |(registry, region)| RepoOf::Named { registry, region, name, public: false })
}

/// Where each lane's repository is, for those of a name another lane's repository has too (empty
/// for the rest): its account where the namesakes are of one region, its region where they are of
/// one account, else both (`123456789012 us-east-1`); `ECR Public` for a public one.
fn places<T>(store: &Store, keys: &[(LaneKey, T)], labels: &[String]) -> Vec<String> {
    let mut out = vec![String::new(); keys.len()];
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (key, _)) in keys.iter().enumerate() {
        if matches!(key, LaneKey::Repo(Some(_))) {
            by_name.entry(labels[i].as_str()).or_default().push(i);
        }
    }
    for lanes in by_name.into_values().filter(|l| l.len() > 1) {
        // (account, region) of each: a public repository's region is "ECR Public"; an image whose
        // URI the store could not name by symbols, its registry's host.
        let at: Vec<(String, String)> = lanes
            .iter()
            .map(|&i| match keys[i].0 {
                LaneKey::Repo(Some(RepoOf::Named { registry, region, public, .. })) => {
                    let region = if public { "ECR Public".into() } else { store.str(region).into_owned() };
                    (store.str(registry).into_owned(), region)
                }
                LaneKey::Repo(Some(RepoOf::Image { uri, .. })) => {
                    (String::new(), store.str(uri).split('/').next().unwrap_or_default().to_owned())
                }
                _ => (String::new(), String::new()),
            })
            .collect();
        let one_account = at.iter().all(|(a, _)| *a == at[0].0);
        let one_region = at.iter().all(|(_, r)| *r == at[0].1);
        for (&i, (account, region)) in lanes.iter().zip(at) {
            out[i] = match (one_account, one_region) {
                (true, _) => region,
                (false, true) => account,
                (false, false) => format!("{account} {region}").trim().to_owned(),
            };
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum LaneKey {
    Sym(Sym),
    /// A repository, `None` for the events about none.
    Repo(Option<RepoOf>),
    Identity(u32),
    Pair(Sym, Sym),
}

impl LaneKey {
    fn label(self, store: &Store) -> String {
        let or = |s: &str, none: &str| if s.is_empty() { none.to_owned() } else { s.to_owned() };
        match self {
            LaneKey::Repo(None) => "(no repository)".to_owned(),
            LaneKey::Repo(Some(repo)) => store.str(repo.name()).into_owned(),
            LaneKey::Sym(s) => or(&store.str(s), "(no service)"),
            LaneKey::Identity(i) => or(&principal_label(&store.identity_by_id(i), &store.strings), "(unknown)"),
            LaneKey::Pair(a, r) => format!("{} / {}", or(&store.str(a), "?"), or(&store.str(r), "?")),
        }
    }

    /// The filter values that keep this value.
    fn pick(self, store: &Store) -> Vec<(Field, String)> {
        // An empty value too: the filter keeps the events that logged none.
        let named = |field: Field, s: Sym| (field, store.str(s).into_owned());
        match self {
            // By its ARN: another repository of that name is another lane.
            LaneKey::Repo(repo) => vec![(Field::Repository, repo.map(|r| r.value(store)).unwrap_or_default())],
            LaneKey::Sym(s) => vec![named(Field::Source, s)],
            LaneKey::Identity(i) => vec![(Field::Principal, principal_label(&store.identity_by_id(i), &store.strings))],
            LaneKey::Pair(a, r) => vec![named(Field::Account, a), named(Field::Region, r)],
        }
    }
}

/// Whether an event failed (an `errorCode`).
fn failed(store: &Store, r: Row) -> bool {
    !store.error_code(r).is_empty()
}

impl Prepared {
    /// Sorts what `filter` (without its time range) keeps into lanes grouped `by`.
    pub fn new(store: &Store, ix: &Index, filter: &Filter, by: GroupBy) -> Prepared {
        let f = Filter { from: None, to: None, ..filter.clone() };
        let c = Compiled::new(&f, store);
        let keyer = Keyer::new(store, by);
        // Each value's rows, then lanes by events, busiest first, then by name.
        let mut key_ids: HashMap<LaneKey, u32> = HashMap::new();
        let mut keys: Vec<(LaneKey, Vec<Row>)> = Vec::new();
        let mut extent: Option<Range> = None;
        for r in c.rows() {
            let k = keyer.key(store, r);
            let next = keys.len() as u32;
            let id = *key_ids.entry(k).or_insert(next);
            if id == next {
                keys.push((k, Vec::new()));
            }
            keys[id as usize].1.push(r);
            let t = store.time(r);
            extent = Some(
                extent.map_or(Range { from: t, to: t + 1 }, |e| Range { from: e.from.min(t), to: e.to.max(t + 1) }),
            );
        }
        let labels: Vec<String> = keys.iter().map(|(k, _)| k.label(store)).collect();
        let places = places(store, &keys, &labels);
        let mut order: Vec<(u64, String, u32)> = keys
            .iter()
            .zip(labels)
            .enumerate()
            .map(|(i, ((_, rows), label))| {
                let label = if places[i].is_empty() { label } else { format!("{label} ({})", places[i]) };
                (rows.len() as u64, label, i as u32)
            })
            .collect();
        order.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let mut lane_of_key = vec![0u16; keys.len()];
        let mut lane_list = Vec::new();
        // One value past the busiest would make an "Other (1 more)" lane as tall as its own: it
        // gets its own, named.
        let named = if keys.len() == MAX_LANES + 1 { keys.len() } else { MAX_LANES };
        for (at, (n, label, key)) in order.into_iter().enumerate() {
            if at < named {
                lane_of_key[key as usize] = at as u16;
                let pick = keys[key as usize].0.pick(store);
                let place = places[key as usize].clone();
                lane_list.push(Lane { kind: LaneKind::Group, label, place, total: n, pick });
            } else {
                if at == MAX_LANES {
                    lane_list.push(Lane {
                        kind: LaneKind::Other,
                        label: String::new(),
                        place: String::new(),
                        total: 0,
                        pick: Vec::new(),
                    });
                }
                lane_of_key[key as usize] = MAX_LANES as u16;
                lane_list[MAX_LANES].total += n;
            }
        }
        if let Some(other) = lane_list.get_mut(MAX_LANES).filter(|l| l.kind == LaneKind::Other) {
            let values = keys.len() - MAX_LANES;
            other.label = format!("Other ({values} more)");
        }
        // A lane of one value takes its rows as they are; Other gathers its values' rows into one
        // list of the right size (each value's list freed as it goes).
        let mut per_lane: Vec<Vec<Row>> = lane_list
            .iter()
            .map(|l| if l.kind == LaneKind::Other { Vec::with_capacity(l.total as usize) } else { Vec::new() })
            .collect();
        for (key, (_, rows)) in keys.into_iter().enumerate() {
            let lane = &mut per_lane[lane_of_key[key] as usize];
            if lane_list[lane_of_key[key] as usize].kind == LaneKind::Other {
                lane.extend_from_slice(&rows);
            } else {
                *lane = rows;
            }
        }
        let mut p = Prepared {
            events: per_lane.into_iter().map(|rows| Series::of_rows(store, rows, |r| failed(store, r))).collect(),
            marks: Vec::new(),
            sessions: Vec::new(),
            longest: 0,
            lane_list,
            extent,
        };
        p.add_marks(store, ix, &c, &keyer, &key_ids, &lane_of_key);
        p
    }

    fn add_marks(
        &mut self,
        store: &Store,
        ix: &Index,
        c: &Compiled,
        keyer: &Keyer,
        key_ids: &HashMap<LaneKey, u32>,
        lane_of_key: &[u16],
    ) {
        let lane = |r: Row| key_ids.get(&keyer.key(store, r)).map_or(0, |&k| lane_of_key[k as usize]);
        let mut items: std::collections::BTreeMap<(u16, Mark), Vec<Item>> = std::collections::BTreeMap::new();
        let mut sides: Vec<(u16, Mark, Vec<Row>)> = Vec::new();
        let mut sessions = Vec::new();
        // A session's actor is its key row's identity (sessions are per identity), so its mark reads
        // it from the store like every other element.
        let mut session = |mark, key: Row, rows: &[Row], start, end, error: bool, actor: u32, weight: u32| {
            if !c.keeps(key) {
                return;
            }
            let lane = lane(key);
            items.entry((lane, mark)).or_default().push(Item { row: key, weight, error });
            if end > start {
                let events = rows.len() as u32;
                sessions.push(Session { time: start, end, lane, mark, error, row: key, actor, events });
            }
        };
        // A push without its PutImage (refused, or cut off by the logs' edge) is drawn at its first
        // call that names the repository: its GetAuthorizationToken names none, which put refused
        // pushes in "(no repository)" and out of a repository filter's timeline.
        let mut facts = FactReader::default();
        let mut names_repo = |r: Row| store.container.repos_in(facts.get(&store.container, r)).next().is_some();
        for p in &ix.pushes {
            let key = p.put.or_else(|| p.rows.iter().copied().find(|&r| names_repo(r))).unwrap_or(p.rows[0]);
            session(Mark::Push, key, &p.rows, p.start, p.end, p.outcome == Outcome::Failed, p.actor, 1);
        }
        for p in &ix.pulls {
            let key = p.get.unwrap_or(p.rows[0]);
            session(Mark::Pull, key, &p.rows, p.start, p.end, p.outcome == Outcome::Failed, p.actor, 1);
        }
        for run in ix.runs.iter().filter(|r| !r.preview && !r.images.is_empty()) {
            let key = run.rows[0];
            let actor = store.identity_id(key);
            let images = run.images.len() as u32;
            session(Mark::Expiry, key, &run.rows, run.start, run.start, run.failures > 0, actor, images);
        }
        let mut side = |rows: &[Row], mark: Mark, kind: LaneKind, label: &str| {
            let kept: Vec<Row> = rows.iter().copied().filter(|&r| c.keeps(r)).collect();
            if kept.is_empty() {
                return;
            }
            let lane = self.lane_list.len() as u16;
            self.lane_list.push(Lane {
                kind,
                label: label.to_owned(),
                place: String::new(),
                total: kept.len() as u64,
                pick: Vec::new(),
            });
            sides.push((lane, mark, kept));
        };
        side(&ix.ecs, Mark::Deploy, LaneKind::Ecs, "ECS");
        side(&ix.uses, Mark::Use, LaneKind::Uses, "Image uses");
        side(&ix.builder, Mark::Build, LaneKind::Builder, "Image Builder");
        sessions.sort_unstable_by_key(|i| (i.time, i.row, i.mark));
        self.longest = sessions.iter().map(|s| s.end - s.time).max().unwrap_or(0);
        self.sessions = sessions;
        self.marks = items.into_iter().map(|((lane, mark), items)| (lane, mark, Series::new(store, items))).collect();
        self.marks.extend(
            sides
                .into_iter()
                .map(|(lane, mark, rows)| (lane, mark, Series::of_rows(store, rows, |r| failed(store, r)))),
        );
    }

    /// Events kept over all time.
    pub fn len(&self) -> usize {
        self.events.iter().map(Series::len).sum()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held by the indexes (the lanes' series and the sessions).
    pub fn heap_bytes(&self) -> usize {
        self.events.iter().chain(self.marks.iter().map(|m| &m.2)).map(Series::heap_bytes).sum::<usize>()
            + self.sessions.capacity() * std::mem::size_of::<Session>()
    }

    /// Counts `range` into `buckets` buckets.
    pub fn answer(&self, store: &Store, range: Range, buckets: u32) -> Timeline {
        let n = buckets.clamp(1, MAX_BUCKETS);
        let mut out = Timeline {
            range: Some(range),
            buckets: n,
            extent: self.extent,
            lanes: self.lane_list.clone(),
            density: vec![0; n as usize],
            ..Timeline::default()
        };
        if range.to <= range.from {
            out.density.clear();
            out.buckets = 0;
            return out;
        }
        let mut cells: Vec<Cell> = Vec::new();
        let cell = |lane: u16, bucket: u32, mark: Mark, a: Agg| Cell {
            lane,
            bucket,
            mark,
            count: a.count,
            errors: a.errors,
            row: a.row,
            who: a.actor,
        };
        for (lane, s) in self.events.iter().enumerate() {
            out.in_range += s.count_in(store, range) as u64;
            s.cells(store, range, n, |b, a| {
                out.density[b as usize] += a.count;
                cells.push(cell(lane as u16, b, Mark::Events, a));
            });
        }
        for (lane, mark, s) in &self.marks {
            s.cells(store, range, n, |b, a| cells.push(cell(*lane, b, *mark, a)));
        }
        let mut people = People::default();
        // Each series gave a run sorted by bucket: a stable sort merges the runs rather than sorting afresh.
        cells.sort_by_key(|c| (c.lane, c.bucket, c.mark));
        for c in &mut cells {
            c.who = c.who.map(|a| people.index(store, a));
        }
        out.cells = cells;
        // Sessions overlapping the range: started before its end, ended at or after its start (so
        // started no earlier than the longest session before it).
        let lo = self.sessions.partition_point(|s| s.time < range.from.saturating_sub(self.longest));
        let hi = self.sessions.partition_point(|s| s.time < range.to);
        let overlapping = self.sessions[lo..hi.max(lo)].iter().filter(|s| s.end >= range.from);
        let spans: Vec<&Session> = overlapping.take(MAX_SPANS + 1).collect();
        if spans.len() > MAX_SPANS {
            out.spans_cut = true;
        } else {
            out.spans = spans
                .into_iter()
                .map(|s| Span {
                    lane: s.lane,
                    mark: s.mark,
                    start: s.time,
                    end: s.end,
                    events: s.events,
                    error: s.error,
                    row: s.row,
                    who: people.index(store, s.actor),
                })
                .collect();
        }
        out.people = people.names;
        out
    }
}

/// Principal labels, each once.
#[derive(Default)]
struct People {
    names: Vec<String>,
    ids: HashMap<u32, u32>,
}

impl People {
    fn index(&mut self, store: &Store, identity: u32) -> u32 {
        let next = self.names.len() as u32;
        *self.ids.entry(identity).or_insert_with(|| {
            self.names.push(principal_label(&store.identity_by_id(identity), &store.strings));
            next
        })
    }
}

#[cfg(test)]
mod tests;
