//! CloudTrail's own changes: the calls that start, stop, delete or narrow a trail (or a CloudTrail
//! Lake event data store), read at ingest into a small side table of the [`Store`].
//!
//! An investigator's first question about a set of logs is whether they are whole. A trail stopped
//! (`StopLogging`), deleted, told to leave out write calls or whole services (`PutEventSelectors`),
//! or to deliver to another bucket records nothing, or less, from then on, and the logs loaded say
//! so only in that one call. What each call did is summarised as lines for people, and an
//! [`Effect`] says whether it stops logging, narrows it, starts it, or none of these.
//!
//! Only the documented calls are read (see [`CALLS`]); reads (`Get…`, `List…`, `Describe…`,
//! `LookupEvents`) change nothing. Parameters are attacker-controlled and read leniently: a field
//! of the wrong type is skipped, lists are capped, nothing fails.

use serde::Deserialize;

use super::container::lenient::{parse, texts, List, Num};
use crate::ingest::path::cloudtrail_file_kind;
use crate::ingest::raw::{Flag, Lenient, Obj, RawEvent, Text};
use crate::model::Sym;
use crate::store::by_row::{ByRow, RowFact};
use crate::store::wire::{index_of, Reader, WireError, Writer};
use crate::store::{Row, Store};
use crate::text::plural;

/// `cloudtrail.amazonaws.com`.
pub const SOURCE: &str = "cloudtrail.amazonaws.com";

/// The calls read: trails, their selectors, and event data stores.
pub const CALLS: [&str; 13] = [
    "CreateTrail",
    "UpdateTrail",
    "DeleteTrail",
    "StartLogging",
    "StopLogging",
    "PutEventSelectors",
    "PutInsightSelectors",
    "CreateEventDataStore",
    "UpdateEventDataStore",
    "DeleteEventDataStore",
    "StartEventDataStoreIngestion",
    "StopEventDataStoreIngestion",
    "RestoreEventDataStore",
];

/// Lines kept per change (a trail has five event selectors at most; advanced ones, 500 conditions).
pub const MAX_LINES: usize = 12;

/// Event selectors (basic or advanced) read from one call.
const MAX_SELECTORS: usize = 64;

/// Strings read from one list of a selector (sources, resource types, field values).
const MAX_VALUES: usize = 32;

/// What a change does to what is logged, most serious last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
pub enum Effect {
    /// Neither starts, stops nor narrows logging (a trail created, Insights set, a selector that
    /// logs every management event).
    #[default]
    Other,
    /// Starts logging (`StartLogging`, an event data store's ingestion started or restored).
    Starts,
    /// Logs less from then on: management events left out (all, reads or writes, or some
    /// services'), digest files turned off, a trail made single-region or delivered elsewhere; or
    /// a bucket's lifecycle rule that deletes what it holds.
    Narrows,
    /// Stops logging: `StopLogging`, `DeleteTrail`, an event data store's ingestion stopped or
    /// the store deleted; or a bucket deleted, or its policy no longer letting CloudTrail write.
    Stops,
}

/// Every [`Effect`], for the batch encoding.
const EFFECTS: [Effect; 4] = [Effect::Other, Effect::Starts, Effect::Narrows, Effect::Stops];

impl Effect {
    /// Stable name (summary, page hooks).
    pub fn slug(self) -> &'static str {
        match self {
            Effect::Other => "other",
            Effect::Starts => "starts",
            Effect::Narrows => "narrows",
            Effect::Stops => "stops",
        }
    }
}

/// What a change is to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub enum Target {
    /// A trail or an event data store.
    #[default]
    Trail,
    /// An S3 bucket, which matters only where a trail delivers to it.
    Bucket,
    /// Another service that watches the account (`GuardDuty`, Config, VPC flow logs...: see
    /// [`crate::facts::monitor`]).
    Monitor,
    /// A KMS key, which matters only where a trail encrypts its log files with it.
    Key,
}

/// Every [`Target`], for the batch encoding.
const TARGETS: [Target; 4] = [Target::Trail, Target::Bucket, Target::Monitor, Target::Key];

impl Target {
    /// Stable name (summary, page hooks).
    pub fn slug(self) -> &'static str {
        match self {
            Target::Trail => "trail",
            Target::Bucket => "bucket",
            Target::Monitor => "monitor",
            Target::Key => "key",
        }
    }
}

/// One call that changed a trail, an event data store, an S3 bucket (which may be a trail's), or
/// another service that watches the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The event.
    pub row: Row,
    /// The trail or event data store: its ARN where the response (or request) gives one, else
    /// its name as the request gives it. For a [`Target::Monitor`], what the call names (a
    /// detector, a recorder, flow logs...: see [`crate::facts::monitor`]); for a log file deleted
    /// (`DeleteObject`, [`Target::Bucket`]), its S3 key.
    pub trail: Sym,
    /// What it does to logging (had it gone through: the event's `errorCode` says whether it did).
    pub effect: Effect,
    /// What it set, one line each.
    pub lines: Vec<Sym>,
    /// The S3 bucket: for a trail's call, the one it delivers to (empty when not given); for a call
    /// to a bucket ([`Target::Bucket`]), that bucket.
    pub bucket: Sym,
    /// What the call is to. A call to an S3 bucket (its lifecycle, its policy, its deletion)
    /// matters only where the bucket is where a trail delivers (see `analysis::logging`); `trail`
    /// is then empty. A call to a KMS key ([`Target::Key`]) likewise, where a trail encrypts with
    /// it; `trail` is then the key's ID.
    pub target: Target,
    /// For a trail's call, the ID of the KMS key it encrypts its log files with (see [`key_id`]),
    /// when the call names one; else empty.
    pub key: Sym,
    /// An update that narrows logging only by naming the bucket the trail delivers to: a move
    /// elsewhere if the trail delivered to another bucket before, none if to this one (`Terraform`
    /// and `CloudFormation` restate every setting on each update). Which it is, only the logs
    /// around it tell (`analysis::logging::LogPlaces`).
    pub moves: bool,
    /// The CloudWatch Logs group it sends to: a trail's events (`cloudWatchLogsLogGroupArn`), flow
    /// logs created (`LogGroupName`, or a `LogDestination` ARN); or, for a log group deleted, that
    /// group. By name (see [`log_group`]); empty when none.
    pub group: Sym,
}

/// The side table: every change, by row.
pub type TrailChanges = ByRow<Change>;

impl RowFact for Change {
    fn row(&self) -> Row {
        self.row
    }
    fn heap_extra(&self) -> usize {
        self.lines.capacity() * std::mem::size_of::<Sym>()
    }
}

impl ByRow<Change> {
    /// Writes the table (symbols and rows are the batch's own).
    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u64(self.all().len() as u64);
        for c in self.all() {
            w.u32(c.row);
            w.u32(c.trail.0);
            w.u64(index_of(&EFFECTS, &c.effect));
            w.syms(&c.lines);
            w.u32(c.bucket.0);
            w.u64(index_of(&TARGETS, &c.target));
            w.u32(c.key.0);
            w.u64(u64::from(c.moves));
            w.u32(c.group.0);
        }
    }

    /// Reads what [`Self::encode`] wrote.
    pub(crate) fn decode(r: &mut Reader) -> Result<TrailChanges, WireError> {
        let n = r.count()?;
        let mut changes = Vec::with_capacity(n);
        for _ in 0..n {
            let (row, trail, effect) = (r.u32()?, Sym(r.u32()?), r.pick(&EFFECTS)?);
            let lines = r.syms()?;
            let (bucket, target, key) = (Sym(r.u32()?), r.pick(&TARGETS)?, Sym(r.u32()?));
            let (moves, group) = (r.pick(&[false, true])?, Sym(r.u32()?));
            changes.push(Change { row, trail, effect, lines, bucket, target, key, moves, group });
        }
        Ok(ByRow::from_items(changes))
    }
}

/// Adds the table `src` of a decoded batch to `store`: symbols through `sym`, rows through `row`
/// (`None`: the event was already held).
pub(crate) fn absorb(
    store: &mut Store,
    src: &TrailChanges,
    sym: &dyn Fn(Sym) -> Sym,
    row: &dyn Fn(Row) -> Option<Row>,
) {
    for c in src.all() {
        let Some(r) = row(c.row) else { continue };
        let lines = c.lines.iter().map(|&l| sym(l)).collect();
        let (trail, bucket, key) = (sym(c.trail), sym(c.bucket), sym(c.key));
        let (effect, target, moves, group) = (c.effect, c.target, c.moves, sym(c.group));
        store.trail.put(Change { row: r, trail, effect, lines, bucket, target, key, moves, group });
    }
}

/// One basic event selector (`PutEventSelectors`' `eventSelectors`).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Selector<'a> {
    #[serde(borrow)]
    read_write_type: Lenient<Text<'a>>,
    include_management_events: Lenient<Flag>,
    #[serde(borrow)]
    exclude_management_event_sources: List<Lenient<Text<'a>>, MAX_VALUES>,
    #[serde(borrow)]
    data_resources: List<Obj<DataResource<'a>>, MAX_VALUES>,
}

/// A basic selector's data resource: its type (`AWS::S3::Object`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct DataResource<'a> {
    #[serde(borrow, rename = "type", alias = "Type")]
    kind: Lenient<Text<'a>>,
}

/// One advanced event selector: its conditions.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Advanced<'a> {
    #[serde(borrow)]
    field_selectors: List<Obj<Condition<'a>>, MAX_VALUES>,
}

/// One condition of an advanced selector.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Condition<'a> {
    #[serde(borrow)]
    field: Lenient<Text<'a>>,
    #[serde(borrow)]
    equals: List<Lenient<Text<'a>>, MAX_VALUES>,
    #[serde(borrow)]
    not_equals: List<Lenient<Text<'a>>, MAX_VALUES>,
}

/// `insightSelectors[]`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Insight<'a> {
    #[serde(borrow)]
    insight_type: Lenient<Text<'a>>,
}

/// What the calls read carry in `requestParameters` and `responseElements`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Fields<'a> {
    #[serde(borrow)]
    name: Lenient<Text<'a>>,
    #[serde(borrow)]
    trail_name: Lenient<Text<'a>>,
    #[serde(borrow, rename = "trailARN")]
    trail_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    event_data_store: Lenient<Text<'a>>,
    #[serde(borrow)]
    event_data_store_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    s3_bucket_name: Lenient<Text<'a>>,
    #[serde(borrow)]
    s3_key_prefix: Lenient<Text<'a>>,
    #[serde(borrow)]
    kms_key_id: Lenient<Text<'a>>,
    #[serde(borrow)]
    cloud_watch_logs_log_group_arn: Lenient<Text<'a>>,
    enable_log_file_validation: Lenient<Flag>,
    is_multi_region_trail: Lenient<Flag>,
    include_global_service_events: Lenient<Flag>,
    is_organization_trail: Lenient<Flag>,
    multi_region_enabled: Lenient<Flag>,
    organization_enabled: Lenient<Flag>,
    termination_protection_enabled: Lenient<Flag>,
    retention_period: Num,
    #[serde(borrow)]
    event_selectors: List<Obj<Selector<'a>>, MAX_SELECTORS>,
    #[serde(borrow)]
    advanced_event_selectors: List<Obj<Advanced<'a>>, MAX_SELECTORS>,
    #[serde(borrow)]
    insight_selectors: Option<List<Obj<Insight<'a>>, MAX_VALUES>>,
}

/// Records the change row `row` (just added, or read again from a richer copy) makes, if it is one.
pub fn record(raw: &RawEvent, row: Row, store: &mut Store) {
    let name = raw.event_name.str();
    if !CALLS.contains(&name) {
        return;
    }
    let req: Fields = parse(raw.request_parameters).unwrap_or_default();
    let resp: Fields = parse(raw.response_elements).unwrap_or_default();
    let (trail, effect, lines, moves) = read(name, &req, &resp);
    let trail = store.intern(trail);
    let bucket = store.intern(req.s3_bucket_name.str());
    // The response names the key by its ARN; the request as the caller wrote it (an ID, an ARN,
    // or an alias, which no call to the key itself names).
    let key = store.intern(key_id(first(&[&resp.kms_key_id, &req.kms_key_id])));
    let group = store.intern(log_group(req.cloud_watch_logs_log_group_arn.str()));
    let lines = lines.iter().take(MAX_LINES).map(|l| store.intern(l)).collect();
    store.trail.put(Change { row, trail, effect, lines, bucket, target: Target::Trail, key, moves, group });
}

/// A CloudWatch Logs group's name from its ARN (`arn:aws:logs:…:log-group:<name>:*` → `<name>`),
/// or the value as given (a name).
pub fn log_group(value: &str) -> &str {
    match value.split_once(":log-group:") {
        Some((_, rest)) => rest.strip_suffix(":*").unwrap_or(rest),
        None => value,
    }
}

/// The first non-empty of `options`.
fn first<'x>(options: &[&'x Lenient<Text<'_>>]) -> &'x str {
    options.iter().map(|t| t.str()).find(|s| !s.is_empty()).unwrap_or("")
}

/// What call `name` with request `req` and response `resp` names, does and sets.
/// The last value says whether the call narrows logging only by naming the bucket the trail
/// delivers to (see [`Change::moves`]).
fn read<'x>(name: &str, req: &'x Fields, resp: &'x Fields) -> (&'x str, Effect, Vec<String>, bool) {
    let trail =
        first(&[&resp.trail_arn, &resp.event_data_store_arn, &req.trail_name, &req.name, &req.event_data_store]);
    // A call that changes something that was logging can narrow it; a new trail or store logged
    // nothing before, so what it leaves out is only said.
    let update = matches!(name, "UpdateTrail" | "PutEventSelectors" | "UpdateEventDataStore");
    let mut lines = Vec::new();
    let mut narrows = false;
    let mut effect = match name {
        "StopLogging" => {
            lines.push("logging stopped: the trail records nothing until StartLogging".to_owned());
            Effect::Stops
        }
        "DeleteTrail" => {
            lines.push("trail deleted: it records nothing from then on".to_owned());
            Effect::Stops
        }
        "StopEventDataStoreIngestion" => {
            lines.push("ingestion stopped: the event data store records nothing until it is started".to_owned());
            Effect::Stops
        }
        "DeleteEventDataStore" => {
            lines.push("event data store deleted: it records nothing from then on".to_owned());
            Effect::Stops
        }
        "StartLogging" => {
            lines.push("logging started".to_owned());
            Effect::Starts
        }
        "StartEventDataStoreIngestion" => {
            lines.push("ingestion started".to_owned());
            Effect::Starts
        }
        "RestoreEventDataStore" => {
            lines.push("event data store restored".to_owned());
            Effect::Starts
        }
        "CreateTrail" => {
            lines.push("trail created (it logs once StartLogging is called)".to_owned());
            Effect::Other
        }
        "CreateEventDataStore" => {
            lines.push("event data store created".to_owned());
            Effect::Other
        }
        _ => Effect::Other,
    };
    let moved = trail_settings(req, update, &mut lines, &mut narrows);
    store_settings(req, update, &mut lines, &mut narrows);
    let (said, narrower) = selectors(req);
    lines.extend(said);
    narrows |= update && narrower;
    if let Some(insights) = &req.insight_selectors {
        let kinds: Vec<&str> = insights
            .items
            .iter()
            .filter_map(|i| i.0.ok())
            .map(|i| i.insight_type.str())
            .filter(|s| !s.is_empty())
            .collect();
        lines.push(if kinds.is_empty() {
            "Insights off".to_owned()
        } else {
            format!("Insights: {}", kinds.join(", "))
        });
    }
    let moves = moved && !narrows && effect == Effect::Other;
    if (narrows || moved) && effect == Effect::Other {
        effect = Effect::Narrows;
    }
    (trail, effect, lines, moves)
}

/// Says what flag `f` sets, when given (`on` or `off`), and returns it.
fn flag(f: &Lenient<Flag>, on: &str, off: &str, lines: &mut Vec<String>) -> Option<bool> {
    let v = f.ok()?.0;
    lines.push(if v { on } else { off }.to_owned());
    Some(v)
}

/// `CreateTrail` / `UpdateTrail` settings. Returns whether an update names the bucket the trail delivers to (which narrows logging only if
/// it is another than the trail's: see [`Change::moves`]).
fn trail_settings(req: &Fields, update: bool, lines: &mut Vec<String>, narrows: &mut bool) -> bool {
    let bucket = req.s3_bucket_name.str();
    let mut moved = false;
    if !bucket.is_empty() {
        let prefix = match req.s3_key_prefix.str() {
            "" => String::new(),
            p => format!(" under {p}/"),
        };
        lines.push(format!("delivers its logs to S3 bucket {bucket}{prefix}"));
        // Logs sent elsewhere end in the bucket these were read from.
        moved = update;
    }
    let off = |v: Option<bool>| v == Some(false);
    let validation = flag(
        &req.enable_log_file_validation,
        "log file validation on (digest files)",
        "log file validation off: no digest files to check its logs against",
        lines,
    );
    let regions = flag(&req.is_multi_region_trail, "logs every region", "logs its home region only", lines);
    let global = flag(
        &req.include_global_service_events,
        "logs global service events (IAM, STS, CloudFront)",
        "leaves out global service events (IAM, STS, CloudFront)",
        lines,
    );
    let org = flag(
        &req.is_organization_trail,
        "logs every account of the organization",
        "logs its own account only, not the organization's",
        lines,
    );
    *narrows |= update && (off(validation) || off(regions) || off(global) || off(org));
    let key = req.kms_key_id.str();
    if !key.is_empty() {
        lines.push(format!("encrypts its logs with KMS key {key}"));
    }
    let group = req.cloud_watch_logs_log_group_arn.str();
    if !group.is_empty() {
        lines.push(format!("sends its events to CloudWatch Logs group {group}"));
    }
    moved
}

/// `CreateEventDataStore` / `UpdateEventDataStore` settings.
fn store_settings(req: &Fields, update: bool, lines: &mut Vec<String>, narrows: &mut bool) {
    let off = |v: Option<bool>| v == Some(false);
    let regions = flag(&req.multi_region_enabled, "records every region", "records its home region only", lines);
    let org = flag(
        &req.organization_enabled,
        "records every account of the organization",
        "records its own account only, not the organization's",
        lines,
    );
    let protection = flag(
        &req.termination_protection_enabled,
        "termination protection on",
        "termination protection off: it can be deleted",
        lines,
    );
    *narrows |= update && (off(regions) || off(org) || off(protection));
    if let Some(days) = req.retention_period.0 {
        lines.push(format!("keeps events {days} days"));
    }
}

/// What the event selectors (basic or advanced) log, as lines, and whether that is less than every
/// management event.
fn selectors(req: &Fields) -> (Vec<String>, bool) {
    let basic: Vec<&Selector> = req.event_selectors.items.iter().filter_map(|s| s.0.ok()).collect();
    let advanced: Vec<&Advanced> = req.advanced_event_selectors.items.iter().filter_map(|s| s.0.ok()).collect();
    if basic.is_empty() && advanced.is_empty() {
        return (Vec::new(), false);
    }
    // Selectors add up: an event is logged when any selector takes it.
    let mut logged = Logged::default();
    for s in &basic {
        if s.include_management_events.ok().is_some_and(|f| !f.0) {
            continue;
        }
        let excluded: Vec<String> = texts(&s.exclude_management_event_sources).map(str::to_owned).collect();
        logged.add(s.read_write_type.str(), excluded);
    }
    let mut data: Vec<String> = basic
        .iter()
        .flat_map(|s| s.data_resources.items.iter().filter_map(|d| d.0.ok()).map(|d| d.kind.str().to_owned()))
        .filter(|s| !s.is_empty())
        .collect();
    for a in &advanced {
        let conditions: Vec<&Condition> = a.field_selectors.items.iter().filter_map(|c| c.0.ok()).collect();
        let values = |field: &str, not: bool| -> Vec<String> {
            conditions
                .iter()
                .filter(|c| c.field.str() == field)
                .flat_map(|c| texts(if not { &c.not_equals } else { &c.equals }).map(str::to_owned).collect::<Vec<_>>())
                .collect()
        };
        let category = values("eventCategory", false);
        if category.iter().any(|c| c == "Management") {
            let read_write = match values("readOnly", false)[..] {
                [ref v] if v == "true" => "ReadOnly",
                [ref v] if v == "false" => "WriteOnly",
                _ => "All",
            };
            logged.add(read_write, values("eventSource", true));
            // Any other condition on management events (an event name, a source it must be) takes less.
            let known = ["eventCategory", "readOnly", "eventSource"];
            logged.limited |=
                conditions.iter().any(|c| !known.contains(&c.field.str())) || !values("eventSource", false).is_empty();
        } else {
            data.extend(values("resources.type", false));
        }
    }
    data.sort();
    data.dedup();
    let mut lines = vec![logged.line()];
    if !logged.excluded.is_empty() {
        lines.push(format!("leaves out the management events of {}", logged.excluded.join(", ")));
    }
    if logged.limited {
        lines.push("logs only some management events (advanced selectors' conditions)".to_owned());
    }
    if !data.is_empty() {
        lines.push(format!("data events: {}", data.join(", ")));
    }
    let narrower = !(logged.reads && logged.writes && logged.excluded.is_empty()) || logged.limited;
    (lines, narrower)
}

/// Which management events the selectors of one call log.
#[derive(Default)]
#[allow(clippy::struct_excessive_bools)] // four facts about one set of selectors, each said apart
struct Logged {
    reads: bool,
    writes: bool,
    /// Sources every selector that logs management events leaves out.
    excluded: Vec<String>,
    /// Whether a selector that logs management events was seen.
    seen: bool,
    /// Whether a selector's other conditions take only some management events.
    limited: bool,
}

impl Logged {
    fn add(&mut self, read_write: &str, excluded: Vec<String>) {
        match read_write {
            "ReadOnly" => self.reads = true,
            "WriteOnly" => self.writes = true,
            _ => (self.reads, self.writes) = (true, true),
        }
        // A source is left out only if every selector leaves it out.
        self.excluded =
            if self.seen { self.excluded.iter().filter(|s| excluded.contains(s)).cloned().collect() } else { excluded };
        self.seen = true;
    }

    fn line(&self) -> String {
        match (self.reads, self.writes) {
            (true, true) => "logs every management event, reads and writes",
            (true, false) => "logs management reads only: write calls are not logged",
            (false, true) => "logs management writes only: read calls are not logged",
            (false, false) => "logs no management events",
        }
        .to_owned()
    }
}

/// The calls to an S3 bucket read, for buckets trails deliver to; `DeleteObject` (an S3 data
/// event) only for a CloudTrail file's key (see [`cloudtrail_file_kind`]); `DeleteObjects`, which
/// does not log the keys it deleted, for any bucket.
pub const BUCKET_CALLS: [&str; 6] =
    ["PutBucketLifecycle", "DeleteBucket", "PutBucketPolicy", "DeleteBucketPolicy", "DeleteObject", "DeleteObjects"];

/// The line of a `DeleteObjects` call's change: what it did, and what its event leaves out.
pub const OBJECTS_DELETED: &str =
    "objects deleted: DeleteObjects does not log which (the bucket's S3 server access logs name them)";

/// Records the call to an S3 bucket in row `row`, if it is one of [`BUCKET_CALLS`]: what it does
/// to the log files a trail delivers there, were the bucket a trail's. These calls are few, and
/// S3 logs their XML as JSON of varying shape (one rule is an object, two a list), so the request
/// is read as a generic value. A `DeleteObject` is kept only when its key is a CloudTrail file's,
/// with the key as [`Change::trail`]: a busy bucket's data events are many, log files deleted few.
/// A `DeleteObjects` (up to 1,000 keys in one call, which CloudTrail does not log; the S3 console
/// deletes so, even one object) is kept whatever the bucket, the analyses asking whether it is a
/// trail's.
pub fn record_bucket(raw: &RawEvent, row: Row, store: &mut Store) {
    let name = raw.event_name.str();
    if !BUCKET_CALLS.contains(&name) {
        return;
    }
    let req: serde_json::Value =
        raw.request_parameters.and_then(|r| serde_json::from_str(r.get()).ok()).unwrap_or_default();
    let bucket = req["bucketName"].as_str().unwrap_or("");
    let (effect, lines, object) = if name == "DeleteObject" {
        let key = req["key"].as_str().unwrap_or("");
        let Some(kind) = cloudtrail_file_kind(key) else { return };
        let line = format!("{kind} deleted: what it held is in no other copy these logs can be checked against");
        (Effect::Narrows, vec![line], key)
    } else if name == "DeleteObjects" {
        (Effect::Narrows, vec![OBJECTS_DELETED.to_owned()], "")
    } else {
        let (effect, lines) = bucket_call(name, &req);
        (effect, lines, "")
    };
    let bucket = store.intern(bucket);
    let lines = lines.iter().take(MAX_LINES).map(|l| store.intern(l)).collect();
    let trail = store.intern(object);
    store.trail.put(Change {
        row,
        trail,
        effect,
        lines,
        bucket,
        target: Target::Bucket,
        key: Sym::EMPTY,
        moves: false,
        group: Sym::EMPTY,
    });
}

/// The calls to a KMS key read, for keys trails encrypt their log files with.
pub const KEY_CALLS: [&str; 4] = ["DisableKey", "ScheduleKeyDeletion", "CancelKeyDeletion", "EnableKey"];

/// The ID of a KMS key from its ARN (`arn:aws:kms:…:key/<id>` → `<id>`), or the value as given (an
/// ID, or an alias, which is not the key's ID).
pub fn key_id(value: &str) -> &str {
    match value.rsplit_once(":key/") {
        Some((_, id)) => id,
        None => value,
    }
}

/// Records the call to a KMS key in row `row`, if it is one of [`KEY_CALLS`]: what it does to the
/// log files of a trail that encrypts with the key, were it a trail's. A key disabled or pending
/// deletion encrypts nothing, so CloudTrail delivers no log file while it is; once deleted, the
/// log files it encrypted can never be read.
pub fn record_key(raw: &RawEvent, row: Row, store: &mut Store) {
    #[derive(Deserialize, Default)]
    #[serde(default, rename_all = "camelCase")]
    struct Request<'a> {
        #[serde(borrow)]
        key_id: Lenient<Text<'a>>,
        pending_window_in_days: Num,
    }
    let name = raw.event_name.str();
    if !KEY_CALLS.contains(&name) {
        return;
    }
    let req: Request = parse(raw.request_parameters).unwrap_or_default();
    let (effect, line) = match name {
        "DisableKey" => (
            Effect::Stops,
            "KMS key disabled: a trail that encrypts with it delivers no log files until it is enabled".to_owned(),
        ),
        "ScheduleKeyDeletion" => {
            let days =
                req.pending_window_in_days.0.map_or_else(String::new, |d| format!(" in {}", plural(d, "day", "days")));
            (
                Effect::Stops,
                format!(
                    "KMS key scheduled for deletion{days}: a trail that encrypts with it delivers no log files, and \
                     once it is deleted the log files it encrypted can never be read"
                ),
            )
        }
        // KMS leaves a key whose deletion is cancelled disabled, until `EnableKey`.
        "CancelKeyDeletion" => {
            (Effect::Other, "KMS key deletion cancelled: the key is kept, but disabled until it is enabled".to_owned())
        }
        _ => (Effect::Starts, "KMS key enabled".to_owned()),
    };
    let trail = store.intern(key_id(req.key_id.str()));
    let lines = vec![store.intern(&line)];
    store.trail.put(Change {
        row,
        trail,
        effect,
        lines,
        bucket: Sym::EMPTY,
        target: Target::Key,
        key: Sym::EMPTY,
        moves: false,
        group: Sym::EMPTY,
    });
}

/// One or many: S3's and EC2's XML as JSON give a lone element as an object, several as a list.
pub(crate) fn each(v: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    let list = match v {
        serde_json::Value::Array(a) => a.as_slice(),
        serde_json::Value::Null => &[],
        other => std::slice::from_ref(other),
    };
    list.iter().take(MAX_SELECTORS)
}

/// A whole number written as a number or a string.
fn days(v: &serde_json::Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// What a call to a bucket does to the log files in it.
fn bucket_call(name: &str, req: &serde_json::Value) -> (Effect, Vec<String>) {
    match name {
        "DeleteBucket" => (Effect::Stops, vec!["bucket deleted: CloudTrail cannot deliver log files to it".to_owned()]),
        "DeleteBucketPolicy" => (
            Effect::Stops,
            vec!["bucket policy deleted: CloudTrail may no longer write its log files there".to_owned()],
        ),
        "PutBucketPolicy" => {
            let policy = &req["bucketPolicy"];
            let writes = each(&policy["Statement"]).any(|st| {
                let services = each(&st["Principal"]["Service"]).filter_map(serde_json::Value::as_str);
                let actions = each(&st["Action"]).filter_map(serde_json::Value::as_str);
                st["Effect"] == "Allow"
                    && services.into_iter().any(|s| s == "cloudtrail.amazonaws.com")
                    && actions.into_iter().any(|a| a.eq_ignore_ascii_case("s3:PutObject") || a == "s3:*" || a == "*")
            });
            let denies = each(&policy["Statement"]).any(|st| {
                st["Effect"] == "Deny"
                    && each(&st["Principal"]["Service"])
                        .filter_map(serde_json::Value::as_str)
                        .any(|s| s == "cloudtrail.amazonaws.com")
            });
            if !policy.is_object() {
                (Effect::Other, vec!["bucket policy set".to_owned()])
            } else if writes && !denies {
                (Effect::Other, vec!["bucket policy lets CloudTrail write its log files".to_owned()])
            } else {
                (Effect::Stops, vec!["bucket policy does not let CloudTrail write its log files".to_owned()])
            }
        }
        _ => {
            // PutBucketLifecycle: rules that expire objects delete the log files after so many days.
            let mut lines = Vec::new();
            for rule in each(&req["LifecycleConfiguration"]["Rule"]) {
                if rule["Status"].as_str().is_some_and(|s| !s.eq_ignore_ascii_case("Enabled")) {
                    continue;
                }
                let id = match rule["ID"].as_str() {
                    Some(id) if !id.is_empty() => format!(" (rule {id})"),
                    _ => String::new(),
                };
                if let Some(n) = days(&rule["Expiration"]["Days"]) {
                    lines.push(format!("deletes its objects {} after they are written{id}", plural(n, "day", "days")));
                }
                if let Some(n) = days(&rule["NoncurrentVersionExpiration"]["NoncurrentDays"]) {
                    lines.push(format!(
                        "deletes overwritten or deleted versions after {}{id}",
                        plural(n, "day", "days")
                    ));
                }
            }
            if lines.is_empty() {
                (Effect::Other, vec!["lifecycle rules set, none that deletes objects".to_owned()])
            } else {
                (Effect::Narrows, lines)
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::Engine;

    /// One CloudTrail event of call `name` with `request` and `response` (JSON, or `null`), and
    /// `error` when refused, as CloudTrail logs its own calls.
    pub(crate) fn event(id: u32, name: &str, request: &str, response: &str, error: &str) -> String {
        let error = if error.is_empty() { String::new() } else { format!(r#""errorCode": "{error}","#) };
        format!(
            r#"{{"eventVersion": "1.08", "userIdentity": {{"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/mallory", "accountId": "111122223333", "accessKeyId": "AKIAIOSFODNN7EXAMPLE"}},
             "eventTime": "2024-05-01T10:00:{id:02}Z", "eventSource": "cloudtrail.amazonaws.com", "eventName": "{name}",
             "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15.0", {error}
             "requestParameters": {request}, "responseElements": {response},
             "eventID": "00000000-0000-0000-0000-0000000000{id:02}", "readOnly": false, "eventType": "AwsApiCall",
             "managementEvent": true, "recipientAccountId": "111122223333"}}"#
        )
    }

    fn changes(events: &[String]) -> Vec<(String, String, Effect, Vec<String>)> {
        let mut e = Engine::new();
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        let s = e.store();
        s.trail
            .all()
            .iter()
            .map(|c| {
                let lines = c.lines.iter().map(|&l| s.str(l).into_owned()).collect();
                (s.str(s.name(c.row)).into_owned(), s.str(c.trail).into_owned(), c.effect, lines)
            })
            .collect()
    }

    const ARN: &str = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main";

    #[test]
    fn ok_stop_and_delete_stop_logging_and_start_starts_it() {
        let got = changes(&[
            event(1, "StopLogging", r#"{"name": "main"}"#, "null", ""),
            event(2, "StartLogging", &format!(r#"{{"name": "{ARN}"}}"#), "null", ""),
            event(3, "DeleteTrail", r#"{"name": "old"}"#, "null", ""),
            event(
                4,
                "StopEventDataStoreIngestion",
                r#"{"eventDataStore": "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"}"#,
                "null",
                "",
            ),
        ]);
        let effects: Vec<(&str, &str, Effect)> = got.iter().map(|(n, t, e, _)| (n.as_str(), t.as_str(), *e)).collect();
        assert_eq!(
            effects,
            [
                ("StopLogging", "main", Effect::Stops),
                ("StartLogging", ARN, Effect::Starts),
                ("DeleteTrail", "old", Effect::Stops),
                ("StopEventDataStoreIngestion", "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE", Effect::Stops),
            ]
        );
    }

    #[test]
    fn ok_event_selectors_that_leave_out_management_events_narrow_logging() {
        // Each selector set as the PutEventSelectors API reference writes it; selectors add up.
        let put = |id, selectors: &str| {
            event(
                id,
                "PutEventSelectors",
                &format!(r#"{{"trailName": "main", "eventSelectors": {selectors}}}"#),
                &format!(r#"{{"trailARN": "{ARN}"}}"#),
                "",
            )
        };
        let got = changes(&[
            // Data events only (Stratus Red Team's cloudtrail-event-selectors technique).
            put(
                1,
                r#"[{"readWriteType": "ReadOnly", "includeManagementEvents": false, "dataResources": [{"type": "AWS::S3::Object", "values": []}]}]"#,
            ),
            put(2, r#"[{"readWriteType": "ReadOnly", "includeManagementEvents": true}]"#),
            put(
                3,
                r#"[{"readWriteType": "All", "includeManagementEvents": true, "excludeManagementEventSources": ["kms.amazonaws.com"]}]"#,
            ),
            // Two selectors: reads of one and writes of the other make every management event.
            put(4, r#"[{"readWriteType": "ReadOnly"}, {"readWriteType": "WriteOnly"}]"#),
            // A source is left out only when every selector logging management events leaves it out.
            put(5, r#"[{"excludeManagementEventSources": ["kms.amazonaws.com"]}, {"readWriteType": "All"}]"#),
        ]);
        let at = |i: usize| (got[i].1.as_str(), got[i].2, got[i].3.clone());
        assert_eq!(
            at(0),
            (
                ARN,
                Effect::Narrows,
                vec!["logs no management events".to_owned(), "data events: AWS::S3::Object".to_owned()]
            )
        );
        assert_eq!(at(1).1, Effect::Narrows);
        assert_eq!(at(1).2, ["logs management reads only: write calls are not logged"]);
        assert_eq!(at(2).1, Effect::Narrows);
        assert_eq!(at(2).2[1], "leaves out the management events of kms.amazonaws.com");
        assert_eq!(
            (at(3).1, at(3).2),
            (Effect::Other, vec!["logs every management event, reads and writes".to_owned()])
        );
        assert_eq!(at(4).1, Effect::Other, "{:?}", at(4).2);
    }

    #[test]
    fn ok_advanced_selectors_are_read_by_their_conditions() {
        let put = |id, selectors: &str| {
            event(
                id,
                "PutEventSelectors",
                &format!(r#"{{"trailName": "main", "advancedEventSelectors": {selectors}}}"#),
                "null",
                "",
            )
        };
        let got = changes(&[
            put(
                1,
                r#"[{"name": "writes", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}, {"field": "readOnly", "equals": ["false"]}]}]"#,
            ),
            put(
                2,
                r#"[{"name": "s3", "fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]}, {"field": "resources.type", "equals": ["AWS::S3::Object"]}]}]"#,
            ),
            put(3, r#"[{"name": "all", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}]}]"#),
            put(
                4,
                r#"[{"name": "no-kms", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}, {"field": "eventSource", "notEquals": ["kms.amazonaws.com"]}]}]"#,
            ),
        ]);
        assert_eq!(
            (got[0].2, got[0].3[0].as_str()),
            (Effect::Narrows, "logs management writes only: read calls are not logged")
        );
        assert_eq!(
            (got[1].2, got[1].3.clone()),
            (Effect::Narrows, vec!["logs no management events".to_owned(), "data events: AWS::S3::Object".to_owned()])
        );
        assert_eq!(got[2].2, Effect::Other);
        assert_eq!(
            (got[3].2, got[3].3[1].as_str()),
            (Effect::Narrows, "leaves out the management events of kms.amazonaws.com")
        );
    }

    #[test]
    fn ok_update_trail_narrows_when_it_turns_something_off_or_moves_the_bucket() {
        let got = changes(&[
            event(1, "UpdateTrail", r#"{"name": "main", "enableLogFileValidation": false}"#, "null", ""),
            event(
                2,
                "UpdateTrail",
                r#"{"name": "main", "isMultiRegionTrail": "false", "includeGlobalServiceEvents": false}"#,
                "null",
                "",
            ),
            event(3, "UpdateTrail", r#"{"name": "main", "s3BucketName": "elsewhere", "s3KeyPrefix": "x"}"#, "null", ""),
            event(
                4,
                "UpdateTrail",
                r#"{"name": "main", "enableLogFileValidation": true, "isMultiRegionTrail": true}"#,
                "null",
                "",
            ),
            // A new trail logged nothing before: what it leaves out narrows nothing.
            event(
                5,
                "CreateTrail",
                r#"{"name": "new", "s3BucketName": "b", "isMultiRegionTrail": false}"#,
                &format!(r#"{{"trailARN": "{ARN}"}}"#),
                "",
            ),
        ]);
        let effects: Vec<Effect> = got.iter().map(|c| c.2).collect();
        assert_eq!(effects, [Effect::Narrows, Effect::Narrows, Effect::Narrows, Effect::Other, Effect::Other]);
        assert_eq!(got[0].3, ["log file validation off: no digest files to check its logs against"]);
        assert_eq!(got[1].3, ["logs its home region only", "leaves out global service events (IAM, STS, CloudFront)"]);
        assert_eq!(got[2].3, ["delivers its logs to S3 bucket elsewhere under x/"]);
        assert_eq!(got[4].1, ARN, "the response's ARN names the trail");
    }

    /// An S3 call as CloudTrail logs one (S3 writes its XML bodies as JSON).
    fn s3(id: u32, name: &str, request: &str) -> String {
        let source = r#""eventSource": "cloudtrail.amazonaws.com""#;
        event(id, name, request, "null", "").replacen(source, r#""eventSource": "s3.amazonaws.com""#, 1)
    }

    #[test]
    fn ok_calls_to_a_bucket_say_what_they_do_to_the_log_files_in_it() {
        let mut e = Engine::new();
        let events = [
            // One rule is an object, several a list; a disabled rule deletes nothing.
            s3(
                1,
                "PutBucketLifecycle",
                r#"{"bucketName": "logs", "LifecycleConfiguration": {"Rule": {"ID": "nuke", "Status": "Enabled", "Expiration": {"Days": 1}}}}"#,
            ),
            s3(
                2,
                "PutBucketLifecycle",
                r#"{"bucketName": "logs", "LifecycleConfiguration": {"Rule": [{"Status": "Disabled", "Expiration": {"Days": 1}}, {"Status": "Enabled", "Transition": {"Days": 30}}]}}"#,
            ),
            // CloudTrail's own bucket policy lets it write; one without that statement, or that
            // denies it, does not.
            s3(
                3,
                "PutBucketPolicy",
                r#"{"bucketName": "logs", "bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject"}]}}"#,
            ),
            s3(
                4,
                "PutBucketPolicy",
                r#"{"bucketName": "logs", "bucketPolicy": {"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["s3:GetObject"]}}}"#,
            ),
            s3(
                5,
                "PutBucketPolicy",
                r#"{"bucketName": "logs", "bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com"]}, "Action": ["s3:PutObject"]}, {"Effect": "Deny", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:*"}]}}"#,
            ),
            s3(6, "DeleteBucket", r#"{"bucketName": "logs"}"#),
            s3(7, "DeleteBucketPolicy", r#"{"bucketName": "logs"}"#),
            // Other S3 calls are not read.
            s3(8, "PutBucketTagging", r#"{"bucketName": "logs"}"#),
        ];
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        let s = e.store();
        let got: Vec<(Effect, Target, String)> =
            s.trail.all().iter().map(|c| (c.effect, c.target, s.str(c.bucket).into_owned())).collect();
        let effects: Vec<Effect> = got.iter().map(|g| g.0).collect();
        assert_eq!(
            effects,
            [Effect::Narrows, Effect::Other, Effect::Other, Effect::Stops, Effect::Stops, Effect::Stops, Effect::Stops]
        );
        assert!(got.iter().all(|(_, on, b)| *on == Target::Bucket && b == "logs"));
        let first = &s.trail.all()[0];
        assert_eq!(s.str(first.lines[0]), "deletes its objects 1 day after they are written (rule nuke)");
    }

    #[test]
    fn ok_calls_to_a_kms_key_say_what_they_do_to_a_trail_that_encrypts_with_it() {
        let kms = |id, name: &str, request: &str| {
            event(id, name, request, "null", "").replacen(
                r#""eventSource": "cloudtrail.amazonaws.com""#,
                r#""eventSource": "kms.amazonaws.com""#,
                1,
            )
        };
        let mut e = Engine::new();
        let events = [
            kms(1, "DisableKey", r#"{"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}"#),
            kms(
                2,
                "ScheduleKeyDeletion",
                r#"{"keyId": "arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321", "pendingWindowInDays": 7}"#,
            ),
            kms(3, "EnableKey", r#"{"keyId": ["not", "a", "string"]}"#),
            // Other KMS calls are not read here.
            kms(4, "Decrypt", r#"{"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}"#),
            event(
                5,
                "UpdateTrail",
                r#"{"name": "main", "kmsKeyId": "arn:aws:kms:us-west-2:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"}"#,
                "null",
                "",
            ),
        ];
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        let s = e.store();
        let got: Vec<(Target, String, Effect, String, String)> = s
            .trail
            .all()
            .iter()
            .map(|c| {
                let line = s.str(c.lines[0]).into_owned();
                (c.target, s.str(c.trail).into_owned(), c.effect, line, s.str(c.key).into_owned())
            })
            .collect();
        let key = "0987dcba-09fe-87dc-65ba-ab0987654321";
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(
            (got[0].0, got[0].1.as_str(), got[0].2),
            (Target::Key, "1234abcd-12ab-34cd-56ef-1234567890ab", Effect::Stops)
        );
        assert_eq!((got[1].0, got[1].1.as_str(), got[1].2), (Target::Key, key, Effect::Stops));
        assert!(got[1].3.contains("in 7 days") && got[1].3.contains("can never be read"), "{}", got[1].3);
        assert_eq!((got[2].1.as_str(), got[2].2), ("", Effect::Starts));
        // The trail's own call keeps the key it encrypts with, by its ID.
        assert_eq!((got[3].0, got[3].4.as_str()), (Target::Trail, key));
    }

    #[test]
    fn ok_hostile_or_refused_calls_are_kept_without_failing() {
        let got = changes(&[
            // Refused: kept (an attempt), with the effect it would have had.
            event(1, "StopLogging", "null", "null", "AccessDenied"),
            event(
                2,
                "PutEventSelectors",
                r#"{"trailName": ["x"], "eventSelectors": "all", "advancedEventSelectors": [1, {"fieldSelectors": {"a": 1}}]}"#,
                "[]",
                "",
            ),
            event(3, "GetTrailStatus", r#"{"name": "main"}"#, "null", ""),
        ]);
        assert_eq!(got.len(), 2, "a read is no change: {got:?}");
        assert_eq!((got[0].1.as_str(), got[0].2), ("", Effect::Stops));
        // An advanced selector with no condition takes no management event.
        assert_eq!((got[1].1.as_str(), got[1].2), ("", Effect::Narrows));
    }
}
