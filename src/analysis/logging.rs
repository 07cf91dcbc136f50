//! Changes to logging itself: the trails and event data stores stopped, deleted, narrowed or started
//! in the logs loaded (see [`crate::facts::trail`]), oldest first, each stop with when (if ever, in
//! these logs) its trail was started again. Shown on the Integrity tab, whether or not digests were
//! dropped: a trail stopped for twenty minutes is twenty minutes no log file, and no digest, covers.
//!
//! The other services that watch the account (`GuardDuty`, Config, flow logs...: see
//! [`crate::facts::monitor`]) turned off or narrowed make a second list of the same shape
//! ([`monitoring`]).

use hashbrown::{HashMap, HashSet};
use serde::{Deserialize, Serialize};

use crate::analysis::container::event_refs;
use crate::analysis::container::report::{EventRef, Who};
use crate::analysis::container::who::who;
use crate::facts::trail::{Change, Effect, Target};
use crate::integrity::check::GapCause;
use crate::model::{Millis, Sym};
use crate::store::{Row, Store};

/// One call that changed a trail or an event data store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggingChange {
    /// The call (`StopLogging`, `PutEventSelectors`...).
    pub call: String,
    /// The trail or event data store as the call names it (an ARN, or a name); empty for a call
    /// to a bucket; for another service, what the call names (a detector, flow logs...).
    pub trail: String,
    /// What the call is to: a trail (or event data store), the S3 bucket a trail delivers to (its
    /// lifecycle, its policy, its deletion), or another service that watches the account.
    pub target: Target,
    /// `eventSource`.
    pub source: String,
    /// The bucket: the one called, or the one a trail's call names for it.
    pub bucket: String,
    /// Its name: the part of an ARN after `trail/` or `eventdatastore/`.
    pub name: String,
    /// What it does to logging, had it gone through.
    pub effect: Effect,
    /// `errorCode`: a refused call changed nothing (an attempt).
    pub error_code: String,
    /// What it set, one line each.
    pub lines: Vec<String>,
    /// Who.
    pub who: Who,
    /// When.
    pub time: Millis,
    /// For a stop that went through: the first start of the same trail after it that went through
    /// (`StartLogging`, ingestion started), or of the same service in the same account and region
    /// (a detector enabled, a recorder started), if these logs hold one.
    pub started_again: Option<Millis>,
    /// The raw event.
    pub events: Vec<EventRef>,
}

impl LoggingChange {
    /// Whether it went through and stopped or narrowed logging.
    pub fn weakened(&self) -> bool {
        self.error_code.is_empty() && matches!(self.effect, Effect::Stops | Effect::Narrows)
    }

    /// Whether what it stopped can be started again, and [`Self::started_again`] says whether it
    /// was: a trail, a service with one switch per region, or an EventBridge rule or alarm
    /// actions disabled; not a bucket, flow logs, a query-logging configuration, an analyzer, a
    /// rule or alarms deleted.
    pub fn restartable(&self) -> bool {
        restartable(self.target, &self.source, &self.call)
    }
}

/// Every change to logging in the logs loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggingReport {
    /// Oldest first, cut at the caller's limit (`total` says how many).
    pub changes: Vec<LoggingChange>,
    /// All of them.
    pub total: u64,
    /// Those that went through and stopped logging.
    pub stops: u64,
    /// Those that went through and narrowed it.
    pub narrows: u64,
    /// Stops and narrowings that were refused (attempts).
    pub refused: u64,
}

/// How many changes of one list went through and stopped or narrowed what they changed, and how
/// many such attempts were refused: the overview's alert.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weakenings {
    /// Went through and stopped it.
    pub stops: u64,
    /// Went through and narrowed it.
    pub narrows: u64,
    /// Refused attempts at either.
    pub refused: u64,
}

impl Weakenings {
    /// Whether there is anything to say.
    pub fn any(self) -> bool {
        self.stops + self.narrows + self.refused > 0
    }

    /// Counts a change that does `effect` and went through (`went_through`) or was refused.
    fn add(&mut self, effect: Effect, went_through: bool) {
        match (effect, went_through) {
            (Effect::Stops, true) => self.stops += 1,
            (Effect::Narrows, true) => self.narrows += 1,
            (Effect::Stops | Effect::Narrows, false) => self.refused += 1,
            _ => {}
        }
    }
}

/// [`Weakenings`] of the changes to logging (calls to buckets and keys only for those of
/// `places`), and of those to monitoring; without sorting or listing them.
pub fn weakenings(store: &Store, places: &LogPlaces) -> (Weakenings, Weakenings) {
    let (mut logging, mut monitoring) = (Weakenings::default(), Weakenings::default());
    for c in store.trail.all() {
        let list = if about_monitoring(store, c, places) {
            &mut monitoring
        } else if about_logging(store, c, places) {
            &mut logging
        } else {
            continue;
        };
        list.add(places.effect(c), store.error_code(c.row).is_empty());
    }
    (logging, monitoring)
}

/// The name of a trail or event data store from an ARN (`…:trail/main` → `main`), or the value.
pub fn trail_name(value: &str) -> &str {
    match value.rsplit_once(":trail/").or_else(|| value.rsplit_once(":eventdatastore/")) {
        Some((_, name)) => name,
        None => value,
    }
}

/// Whether a stop of `target` by call `call` of `source` can be undone by a start (see
/// [`LoggingChange::restartable`]).
pub fn restartable(target: Target, source: &str, call: &str) -> bool {
    match target {
        Target::Trail | Target::Key => true,
        Target::Bucket => false,
        Target::Monitor => crate::facts::monitor::restartable(source, call),
    }
}

/// What a change is about, for people: `trail`, `event data store`, `log bucket` or another
/// service's thing (`GuardDuty detector`), and its name (`(not named)` when the call names none),
/// from the change's target, trail value, bucket, call and event source.
pub fn subject(target: Target, trail: &str, bucket: &str, call: &str, source: &str) -> (&'static str, String) {
    let (what, name) = if target == Target::Bucket && call == "DeleteObject" && !trail.is_empty() {
        (crate::ingest::path::cloudtrail_file_kind(trail).unwrap_or("log file"), trail)
    } else if target == Target::Bucket {
        ("log bucket", bucket)
    } else if target == Target::Key {
        ("log key", trail)
    } else if target == Target::Monitor {
        (crate::facts::monitor::what(source, call), trail)
    } else if trail.contains(":eventdatastore/") || call.contains("EventDataStore") {
        ("event data store", trail_name(trail))
    } else {
        ("trail", trail_name(trail))
    };
    (what, if name.is_empty() { "(not named)".to_owned() } else { name.to_owned() })
}

/// The account of an ARN's fifth field, if `value` is one.
fn arn_account(value: &str) -> Option<&str> {
    value.strip_prefix("arn:").and_then(|rest| rest.split(':').nth(3)).filter(|a| !a.is_empty())
}

/// The trail (or event data store) change `c` names, as (account, name): the account of its ARN,
/// else of its event.
fn trail_key(store: &Store, c: &Change) -> (String, String) {
    let value = store.str(c.trail);
    let account = arn_account(&value).map_or_else(|| store.str(store.account(c.row)).into_owned(), str::to_owned);
    (account, trail_name(&value).to_owned())
}

/// What a start must name to undo change `c`'s stop: its trail, its service in its account and
/// region, or, for a rule or alarms, the same ones there; `None` when nothing can (see
/// [`restartable`]). A start is keyed alike, whatever its call.
fn restart_key(store: &Store, c: &Change) -> Option<(String, String)> {
    let source = store.str(store.source(c.row));
    let call = store.str(store.name(c.row));
    let per_name = crate::facts::monitor::PER_NAME.contains(&&*source);
    match c.target {
        Target::Trail => Some(trail_key(store, c)),
        Target::Key => Some((store.str(store.account(c.row)).into_owned(), key_entry(&store.str(c.trail)))),
        t if restartable(t, &source, &call) || (per_name && c.effect == Effect::Starts) => {
            let account = store.str(store.account(c.row)).into_owned();
            let mut place = format!("{source} {}", store.str(store.region(c.row)));
            if per_name {
                place = format!("{place} {}", store.str(c.trail));
            }
            Some((account, place))
        }
        _ => None,
    }
}

/// The first call after row `r` (change `c`, a stop) that went through and started again what it
/// stopped (its trail, or its service in its account and region), if these logs hold one.
pub fn started_again(store: &Store, c: &Change, r: Row) -> Option<Row> {
    first_after(store, c, r, |s| s.effect == Effect::Starts)
}

/// The first `CancelKeyDeletion` of the key change `c` (row `r`, a `ScheduleKeyDeletion`)
/// scheduled for deletion, after it, that went through, if these logs hold one: the key was kept.
pub fn deletion_cancelled(store: &Store, c: &Change, r: Row) -> Option<Row> {
    let cancel = store.strings.lookup("CancelKeyDeletion")?;
    first_after(store, c, r, |k| k.target == Target::Key && store.name(k.row) == cancel)
}

/// The first change after row `r` (change `c`) that went through, is about what `c` is about
/// ([`restart_key`]) and that `keep` keeps.
fn first_after(store: &Store, c: &Change, r: Row, keep: impl Fn(&Change) -> bool) -> Option<Row> {
    let key = restart_key(store, c)?;
    let at = (store.time(r), r);
    store
        .trail
        .all()
        .iter()
        .filter(|k| store.error_code(k.row).is_empty() && (store.time(k.row), k.row) > at && keep(k))
        .filter(|k| restart_key(store, k).as_ref() == Some(&key))
        .map(|k| k.row)
        .min_by_key(|&k| (store.time(k), k))
}

/// Where trails put their log files, as far as the logs and the dropped files tell, and what
/// that makes of the calls that name a bucket.
#[derive(Debug, Default)]
pub struct LogPlaces {
    /// The S3 buckets trails deliver to: those a trail's call that went through names, and the
    /// buckets the dropped files came from; and, as `key/<id>`, the KMS keys such calls name for
    /// encrypting the log files.
    buckets: HashSet<String>,
    /// The updates that name the bucket their trail delivered to already ([`Change::moves`]):
    /// they narrow nothing.
    restated: HashSet<Row>,
    /// When logging, or another service that watches the account, was off (see [`Off`]), oldest
    /// first, at most [`MAX_OFF`] of each.
    pub off: Vec<Off>,
    /// The CloudWatch Logs groups that trails or flow logs send to (by calls that went through).
    groups: HashSet<String>,
}

/// A time CloudTrail logging was off: from a call that went through and stopped a trail (or
/// deleted its bucket, or disabled its key) to the first start of the same after it that went
/// through, if these logs hold one; or, with [`Off::monitor`], a time another service that
/// watches the account was (a stop of [`monitoring`]'s list). The timeline shades it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Off {
    /// The stop.
    pub from: Millis,
    /// The start again; `None` when these logs hold none.
    pub to: Option<Millis>,
    /// What was stopped, for people (`trail main`, `log bucket b`).
    pub what: String,
    /// The call that stopped it.
    pub call: String,
    /// Another service that watches the account turned off (`GuardDuty`, flow logs, an alarm...),
    /// not CloudTrail's logging.
    pub monitor: bool,
}

/// Times logging was off kept for the timeline: the first of them, oldest first (and as many
/// times another service that watches the account was).
pub const MAX_OFF: usize = 50;

impl LogPlaces {
    /// What change `c` does to logging, in the light of the logs around it: an update that names
    /// the bucket its trail delivered to already changes nothing.
    pub fn effect(&self, c: &Change) -> Effect {
        if self.restated.contains(&c.row) {
            Effect::Other
        } else {
            c.effect
        }
    }
}

/// Where trails put their log files (see [`LogPlaces`]); `files` are the buckets the dropped files
/// came from (the engine's: digest files' buckets, the folder a dropped `AWSLogs/` sat in).
///
/// An update that names a bucket ([`Change::moves`]) restates it when the trail's last earlier
/// call that went through named the same bucket, or, when these logs hold none, when the dropped
/// files came from it; it moves delivery elsewhere when either names another bucket; when neither
/// tells, it is taken to move it (an investigator sees it, and the row says where to).
pub fn log_places(store: &Store, files: impl IntoIterator<Item = String>) -> LogPlaces {
    let files: HashSet<String> = files.into_iter().filter(|b| !b.is_empty()).collect();
    let mut out = LogPlaces { buckets: files.clone(), ..LogPlaces::default() };
    out.groups = store
        .trail
        .all()
        .iter()
        // A trail's or flow logs' own group; the calls to a group (deleted, retention set) name
        // it, but do not make it one.
        .filter(|c| !c.group.is_empty() && c.effect != Effect::Stops && store.error_code(c.row).is_empty())
        .filter(|c| store.str(store.source(c.row)) != "logs.amazonaws.com")
        .map(|c| store.str(c.group).into_owned())
        .collect();
    let mut calls: Vec<&Change> =
        store.trail.all().iter().filter(|c| c.target == Target::Trail && store.error_code(c.row).is_empty()).collect();
    calls.sort_by_cached_key(|c| (store.time(c.row), store.event_id(c.row), c.row));
    // The bucket each trail (account, name) delivered to after the calls walked so far.
    let mut last: HashMap<(String, String), Sym> = HashMap::new();
    for c in calls {
        if !c.key.is_empty() {
            out.buckets.insert(key_entry(&store.str(c.key)));
        }
        if c.bucket.is_empty() {
            continue;
        }
        let bucket = store.str(c.bucket);
        let trail = trail_key(store, c);
        if c.moves {
            let restates = match last.get(&trail) {
                Some(&before) => before == c.bucket,
                None => files.contains(&*bucket),
            };
            if restates {
                out.restated.insert(c.row);
            }
        }
        out.buckets.insert(bucket.into_owned());
        last.insert(trail, c.bucket);
    }
    out.off = off_periods(store, &out);
    out
}

/// The times logging, or another service that watches the account, was off (see [`Off`]), from
/// the lists of changes as `places` sees them: at most [`MAX_OFF`] of each, oldest first.
fn off_periods(store: &Store, places: &LogPlaces) -> Vec<Off> {
    // Most logs hold no stop: they are not listed for nothing.
    let stopped = |c: &Change| {
        (about_logging(store, c, places) || about_monitoring(store, c, places))
            && store.error_code(c.row).is_empty()
            && places.effect(c) == Effect::Stops
    };
    if !store.trail.all().iter().any(stopped) {
        return Vec::new();
    }
    let periods = |listed: LoggingReport, monitor: bool| {
        listed.changes.into_iter().filter(|c| c.effect == Effect::Stops && c.error_code.is_empty()).take(MAX_OFF).map(
            move |c| {
                let (what, name) = subject(c.target, &c.trail, &c.bucket, &c.call, &c.source);
                Off { from: c.time, to: c.started_again, what: format!("{what} {name}"), call: c.call, monitor }
            },
        )
    };
    let mut out: Vec<Off> = periods(report(store, usize::MAX, places), false)
        .chain(periods(monitoring(store, usize::MAX, places), true))
        .collect();
    out.sort_by_key(|o| (o.from, o.monitor));
    out
}

/// Whether change `c` is about another service that watches the account: a monitor's, or the
/// deletion of a log group that trails or flow logs send to (see [`LogPlaces`]).
pub fn about_monitoring(store: &Store, c: &Change, places: &LogPlaces) -> bool {
    c.target == Target::Monitor
        && (store.str(store.source(c.row)) != "logs.amazonaws.com" || places.groups.contains(&*store.str(c.group)))
}

/// Whether change `c` is about logging: a trail's, a call to a bucket or a key of `places`, or a
/// CloudTrail file deleted (kept only for a CloudTrail file's key, whatever its bucket).
pub fn about_logging(store: &Store, c: &Change, places: &LogPlaces) -> bool {
    match c.target {
        Target::Trail => true,
        Target::Bucket if file_deleted(store, c) => true,
        Target::Bucket => places.buckets.contains(&*store.str(c.bucket)),
        Target::Key => places.buckets.contains(&key_entry(&store.str(c.trail))),
        Target::Monitor => false,
    }
}

/// Whether change `c` is a CloudTrail file deleted from its bucket (a `DeleteObject` data event,
/// see [`crate::facts::trail::record_bucket`]).
fn file_deleted(store: &Store, c: &Change) -> bool {
    c.target == Target::Bucket && !c.trail.is_empty() && store.str(store.name(c.row)) == "DeleteObject"
}

/// The CloudTrail files deleted from their bucket by a call that went through, by S3 key, each
/// with who deleted it and when (the first such call, which removed it), for the Integrity tab's
/// files listed and not found.
pub fn deleted_files(store: &Store) -> std::collections::HashMap<String, String> {
    let mut first: HashMap<String, Row> = HashMap::new();
    for c in store.trail.all().iter().filter(|c| file_deleted(store, c) && store.error_code(c.row).is_empty()) {
        let key = store.str(c.trail).into_owned();
        let earlier = first.get(&key).is_some_and(|&r| (store.time(r), r) <= (store.time(c.row), c.row));
        if !earlier {
            first.insert(key, c.row);
        }
    }
    first
        .into_iter()
        .map(|(key, r)| {
            let principal = crate::analysis::principal::principal_label(&store.identity(r), &store.strings);
            let bucket = store.trail.get(r).map(|c| store.str(c.bucket).into_owned()).unwrap_or_default();
            let text = format!(
                "deleted from bucket {bucket} by {principal} at {} (DeleteObject)",
                crate::text::utc(store.time(r))
            );
            (key, text)
        })
        .collect()
}

/// The `DeleteObjects` calls that went through, oldest first, each as a [`GapCause`] naming its
/// bucket (as `trail`): which keys each deleted is in no log, so a listed log file of that bucket
/// not found may have been among them, if it was delivered before.
pub fn batch_deletions(store: &Store) -> Vec<GapCause> {
    let Some(call) = store.strings.lookup("DeleteObjects") else { return Vec::new() };
    let mut out: Vec<GapCause> = store
        .trail
        .all()
        .iter()
        .filter(|c| c.target == Target::Bucket && store.name(c.row) == call && store.error_code(c.row).is_empty())
        .map(|c| {
            let bucket = store.str(c.bucket).into_owned();
            let principal = crate::analysis::principal::principal_label(&store.identity(c.row), &store.strings);
            let time = store.time(c.row);
            let text = format!(
                "objects were deleted from bucket {bucket} at {} by {principal} with DeleteObjects",
                crate::text::utc(time)
            );
            GapCause { account: store.str(store.account(c.row)).into_owned(), trail: bucket, time, text }
        })
        .collect();
    out.sort_by_key(|g| g.time);
    out
}

/// How [`LogPlaces`] holds a KMS key's ID (`key/<id>`: no bucket's name holds a `/`).
fn key_entry(id: &str) -> String {
    format!("key/{id}")
}

/// The calls that went through and stopped or narrowed a trail, for the gaps of its digest chain.
pub fn gap_causes(store: &Store, places: &LogPlaces) -> Vec<GapCause> {
    store
        .trail
        .all()
        .iter()
        .filter(|c| {
            c.target == Target::Trail
                && matches!(places.effect(c), Effect::Stops | Effect::Narrows)
                && store.error_code(c.row).is_empty()
        })
        .map(|c| {
            let (account, trail) = trail_key(store, c);
            let principal = crate::analysis::principal::principal_label(&store.identity(c.row), &store.strings);
            GapCause {
                account,
                trail,
                time: store.time(c.row),
                text: format!(
                    "{} at {} by {principal}",
                    store.str(store.name(c.row)),
                    crate::text::utc(store.time(c.row))
                ),
            }
        })
        .collect()
}

/// Every change to logging, oldest first, the list cut at `limit`; calls to buckets and keys count
/// only for those of `places` (see [`log_places`]).
pub fn report(store: &Store, limit: usize, places: &LogPlaces) -> LoggingReport {
    listed(store, limit, places, |c| about_logging(store, c, places))
}

/// Every change to the other services that watch the account, oldest first, the list cut at
/// `limit`; deleted log groups count only for those of `places`.
pub fn monitoring(store: &Store, limit: usize, places: &LogPlaces) -> LoggingReport {
    listed(store, limit, places, |c| about_monitoring(store, c, places))
}

/// The changes `keep` keeps, oldest first, the list cut at `limit`, their effects as `places` sees
/// them.
fn listed(store: &Store, limit: usize, places: &LogPlaces, keep: impl Fn(&Change) -> bool) -> LoggingReport {
    let mut rows: Vec<Row> = store.trail.all().iter().filter(|c| keep(c)).map(|c| c.row).collect();
    // By time, then by event: the same however the files were read (rows are in reading order).
    rows.sort_by_cached_key(|&r| (store.time(r), store.event_id(r), store.str(store.name(r)).into_owned(), r));
    // (account, name) of each row's trail (or service and region), to find a stop's restart.
    let key = |r: Row| store.trail.get(r).and_then(|c| restart_key(store, c));
    // For each row, the first start of its trail after it that went through: one pass, newest
    // first, so a log of many stops costs no more than one of a few.
    let mut next_start: Vec<Option<Millis>> = vec![None; rows.len()];
    let mut started: HashMap<(String, String), Millis> = HashMap::new();
    for (i, &r) in rows.iter().enumerate().rev() {
        let Some(k) = key(r) else { continue };
        next_start[i] = started.get(&k).copied();
        if store.trail.get(r).is_some_and(|c| c.effect == Effect::Starts) && store.error_code(r).is_empty() {
            started.insert(k, store.time(r));
        }
    }
    let mut out = LoggingReport { total: rows.len() as u64, ..LoggingReport::default() };
    let mut tally = Weakenings::default();
    for (&r, next) in rows.iter().zip(next_start) {
        let Some(c) = store.trail.get(r) else { continue };
        let error_code = store.str(store.error_code(r)).into_owned();
        let effect = places.effect(c);
        tally.add(effect, error_code.is_empty());
        if out.changes.len() >= limit {
            continue;
        }
        let started_again = next.filter(|_| effect == Effect::Stops && error_code.is_empty());
        let trail = store.str(c.trail).into_owned();
        let owner = store.str(store.account(r));
        out.changes.push(LoggingChange {
            call: store.str(store.name(r)).into_owned(),
            name: trail_name(&trail).to_owned(),
            trail,
            target: c.target,
            source: store.str(store.source(r)).into_owned(),
            bucket: store.str(c.bucket).into_owned(),
            effect,
            error_code,
            lines: c.lines.iter().map(|&l| store.str(l).into_owned()).collect(),
            who: who(store, r, &owner),
            time: store.time(r),
            started_again,
            events: event_refs(store, &[r], 1).0,
        });
    }
    (out.stops, out.narrows, out.refused) = (tally.stops, tally.narrows, tally.refused);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::facts::trail::tests::event;

    fn report_of(events: &[String]) -> LoggingReport {
        let mut e = Engine::new();
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        report(e.store(), 100, &log_places(e.store(), []))
    }

    #[test]
    fn ok_a_stop_says_when_its_trail_was_started_again() {
        let arn = "arn:aws:cloudtrail:us-east-1:111122223333:trail/main";
        let r = report_of(&[
            event(1, "StopLogging", r#"{"name": "main"}"#, "null", ""),
            // Another trail's start, and a refused start of this one, start nothing.
            event(2, "StartLogging", r#"{"name": "other"}"#, "null", ""),
            event(3, "StartLogging", r#"{"name": "main"}"#, "null", "AccessDenied"),
            // Named by its ARN: the same trail of the same account.
            event(9, "StartLogging", &format!(r#"{{"name": "{arn}"}}"#), "null", ""),
            event(10, "StopLogging", r#"{"name": "main"}"#, "null", ""),
            event(11, "StopLogging", r#"{"name": "main"}"#, "null", "AccessDenied"),
        ]);
        let t = |s: u32| crate::model::time::parse_iso(&format!("2024-05-01T10:00:{s:02}Z")).unwrap();
        let got: Vec<(&str, Option<Millis>)> = r.changes.iter().map(|c| (c.call.as_str(), c.started_again)).collect();
        assert_eq!(
            got,
            [
                ("StopLogging", Some(t(9))),
                ("StartLogging", None),
                ("StartLogging", None),
                ("StartLogging", None),
                ("StopLogging", None),
                ("StopLogging", None),
            ]
        );
        assert_eq!((r.total, r.stops, r.narrows, r.refused), (6, 2, 0, 1));
        assert_eq!(r.changes[3].name, "main");
        assert!(r.changes[0].weakened() && !r.changes[5].weakened() && !r.changes[1].weakened());
    }

    #[test]
    fn ok_calls_to_a_bucket_count_where_a_trail_delivers_to_it() {
        let s3 = |id, name: &str, bucket: &str| {
            let source = r#""eventSource": "cloudtrail.amazonaws.com""#;
            event(id, name, &format!(r#"{{"bucketName": "{bucket}"}}"#), "null", "").replacen(
                source,
                r#""eventSource": "s3.amazonaws.com""#,
                1,
            )
        };
        let calls = [
            s3(1, "DeleteBucket", "trail-logs"),
            s3(2, "DeleteBucket", "photos"),
            s3(3, "DeleteBucket", "dropped-here"),
        ];
        let load = |path: &str, events: &[String]| {
            let mut e = Engine::new();
            e.ingest_bytes(path, format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
            let doc: serde_json::Value = serde_json::from_str(&e.summary_json()).unwrap();
            let buckets: Vec<String> = doc["logging"]["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["bucket"].as_str().unwrap().to_owned())
                .collect();
            (buckets, doc["logging"]["stops"].clone())
        };
        // No trail names a bucket, and the file was not dropped from one: none is a log bucket.
        assert_eq!(load("t.json", &calls), (vec![], 0.into()));
        // A trail created to deliver to one makes it one (its own call is listed too).
        let mut with_trail = calls.to_vec();
        with_trail.push(event(4, "CreateTrail", r#"{"name": "main", "s3BucketName": "trail-logs"}"#, "null", ""));
        let (buckets, stops) = load("t.json", &with_trail);
        assert_eq!((buckets.iter().filter(|b| *b == "trail-logs").count(), stops), (2, 1.into()), "{buckets:?}");
        // A folder named like the bucket, above AWSLogs/, makes it one (a bucket copied down).
        let (buckets, _) = load("dropped-here/AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/x.json", &calls);
        assert_eq!(buckets, ["dropped-here"]);
        // Learnt from a later drop too: what was worked out for the files before is not kept.
        let mut e = Engine::new();
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, calls.join(",")).as_bytes());
        let listed = |e: &Engine| {
            let doc: serde_json::Value = serde_json::from_str(&e.summary_json()).unwrap();
            doc["logging"]["changes_total"].as_u64().unwrap()
        };
        assert_eq!(listed(&e), 0);
        let later = event(5, "StartLogging", r#"{"name": "main"}"#, "null", "");
        e.ingest_bytes("dropped-here/AWSLogs/1/CloudTrail/x.json", format!(r#"{{"Records": [{later}]}}"#).as_bytes());
        assert_eq!(listed(&e), 2, "the StartLogging and the DeleteBucket of dropped-here");
    }

    #[test]
    fn ok_a_service_turned_off_is_started_again_only_in_its_account_and_region() {
        let call = |id, source: &str, name: &str, region: &str| {
            event(id, name, r#"{"configurationRecorderName": "default"}"#, "null", "")
                .replacen(r#""eventSource": "cloudtrail.amazonaws.com""#, &format!(r#""eventSource": "{source}""#), 1)
                .replacen(r#""awsRegion": "us-east-1""#, &format!(r#""awsRegion": "{region}""#), 1)
        };
        let config = "config.amazonaws.com";
        let mut e = Engine::new();
        let events = [
            call(1, config, "StopConfigurationRecorder", "us-east-1"),
            call(2, "ec2.amazonaws.com", "DeleteFlowLogs", "us-east-1"),
            // Another region's recorder started: not this one.
            call(3, config, "StartConfigurationRecorder", "eu-west-1"),
            call(4, config, "StartConfigurationRecorder", "us-east-1"),
            // A trail's StopLogging is not a monitor, nor is a start of one.
            event(5, "StopLogging", r#"{"name": "default"}"#, "null", ""),
        ];
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        let r = monitoring(e.store(), 100, &log_places(e.store(), []));
        let t = |s: u32| crate::model::time::parse_iso(&format!("2024-05-01T10:00:{s:02}Z")).unwrap();
        let got: Vec<(&str, bool, Option<Millis>)> =
            r.changes.iter().map(|c| (c.call.as_str(), c.restartable(), c.started_again)).collect();
        assert_eq!(
            got,
            [
                ("StopConfigurationRecorder", true, Some(t(4))),
                ("DeleteFlowLogs", false, None),
                ("StartConfigurationRecorder", true, None),
                ("StartConfigurationRecorder", true, None),
            ]
        );
        assert_eq!((r.total, r.stops, r.narrows, r.refused), (4, 2, 0, 0));
        let logging = report(e.store(), 100, &log_places(e.store(), []));
        assert_eq!((logging.total, logging.changes[0].started_again), (1, None));
    }

    #[test]
    fn ok_a_log_file_deleted_is_listed_whatever_its_bucket_and_other_objects_are_not() {
        let s3 = |id, name: &str, key: &str| {
            let req = format!(r#"{{"bucketName": "archive", "key": "{key}"}}"#);
            event(id, name, &req, "null", "").replacen(
                r#""eventSource": "cloudtrail.amazonaws.com""#,
                r#""eventSource": "s3.amazonaws.com""#,
                1,
            )
        };
        let log = "backup/AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2024/05/01/111122223333_CloudTrail_us-east-1_20240501T1000Z_x.json.gz";
        let digest = "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/d.json.gz";
        let mut e = Engine::new();
        let events = [
            s3(1, "DeleteObject", log),
            s3(2, "DeleteObject", digest),
            // Not CloudTrail's: a key that only names it, another service's logs.
            s3(3, "DeleteObject", "notes/AWSLogs-CloudTrail.txt"),
            s3(4, "DeleteObject", "AWSLogs/111122223333/elasticloadbalancing/us-east-1/x.log.gz"),
            // A bucket nothing says a trail delivers to: its lifecycle is not listed.
            s3(5, "PutBucketLifecycle", ""),
        ];
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        let r = report(e.store(), 100, &log_places(e.store(), []));
        let got: Vec<(&str, &str, Effect)> =
            r.changes.iter().map(|c| (c.call.as_str(), c.trail.as_str(), c.effect)).collect();
        assert_eq!(got, [("DeleteObject", log, Effect::Narrows), ("DeleteObject", digest, Effect::Narrows)]);
        let c = &r.changes[0];
        assert_eq!(subject(c.target, &c.trail, &c.bucket, &c.call, &c.source), ("log file", log.to_owned()));
        let c = &r.changes[1];
        assert_eq!(subject(c.target, &c.trail, &c.bucket, &c.call, &c.source).0, "digest file");
        assert_eq!((r.narrows, r.stops), (2, 0));
    }

    #[test]
    fn ok_objects_deleted_in_one_call_are_listed_for_a_log_bucket_only() {
        // As CloudTrail logs `DeleteObjects`: the bucket, and no key.
        let s3 = |id, bucket: &str, error: &str| {
            let req = format!(r#"{{"bucketName": "{bucket}", "Host": "{bucket}.s3.amazonaws.com", "delete": ""}}"#);
            event(id, "DeleteObjects", &req, "null", error).replacen(
                r#""eventSource": "cloudtrail.amazonaws.com""#,
                r#""eventSource": "s3.amazonaws.com""#,
                1,
            )
        };
        let mut e = Engine::new();
        let events = [s3(1, "trail-logs", ""), s3(2, "photos", ""), s3(3, "trail-logs", "AccessDenied")];
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        // Where a trail delivers, as a digest or a dropped folder names it.
        let places = log_places(e.store(), ["trail-logs".to_owned()]);
        let r = report(e.store(), 100, &places);
        let got: Vec<(&str, &str, Effect, &str)> =
            r.changes.iter().map(|c| (c.call.as_str(), c.bucket.as_str(), c.effect, c.error_code.as_str())).collect();
        let want = [
            ("DeleteObjects", "trail-logs", Effect::Narrows, ""),
            ("DeleteObjects", "trail-logs", Effect::Narrows, "AccessDenied"),
        ];
        assert_eq!(got, want);
        let c = &r.changes[0];
        assert_eq!(subject(c.target, &c.trail, &c.bucket, &c.call, &c.source), ("log bucket", "trail-logs".to_owned()));
        assert_eq!(c.lines, [crate::facts::trail::OBJECTS_DELETED]);
        // Nothing says `photos` holds log files: not listed, nor on the attention list.
        assert!(report(e.store(), 100, &log_places(e.store(), [])).changes.is_empty());
        let all = crate::analysis::filter::Compiled::new(&crate::analysis::filter::Filter::default(), e.store());
        let container = crate::analysis::container::Index::build(e.store());
        let ids = crate::analysis::identity::report_knowing(e.store(), &container, all.rows(), &places);
        let mut items: Vec<(String, &str)> =
            ids.attention.rows.iter().map(|a| (a.title.clone(), a.severity.slug())).collect();
        items.sort();
        let want = [
            ("Log bucket trail-logs had objects deleted".to_owned(), "medium"),
            ("Tried to delete objects from log bucket trail-logs".to_owned(), "medium"),
        ];
        assert_eq!(items, want);
        // Only the call that went through may explain a log file not found.
        let batches = batch_deletions(e.store());
        assert_eq!(batches.iter().map(|b| b.trail.as_str()).collect::<Vec<_>>(), ["trail-logs", "photos"]);
    }

    /// A call that went through, of `name` of `source` with `req`, in the shape of [`event`].
    fn call_of(id: u32, source: &str, name: &str, req: &str) -> String {
        event(id, name, req, "null", "").replacen(
            r#""eventSource": "cloudtrail.amazonaws.com""#,
            &format!(r#""eventSource": "{source}""#),
            1,
        )
    }

    #[test]
    fn ok_a_rule_or_alarm_disabled_is_enabled_again_only_by_name_and_one_deleted_is_not() {
        let call = call_of;
        let (eb, cw) = ("events.amazonaws.com", "monitoring.amazonaws.com");
        let mut e = Engine::new();
        let events = [
            call(1, eb, "DisableRule", r#"{"name": "guardduty-findings"}"#),
            call(2, eb, "DeleteRule", r#"{"name": "ecr-push"}"#),
            call(3, cw, "DisableAlarmActions", r#"{"alarmNames": ["root-sign-in"]}"#),
            // Another rule enabled, and the same name on another event bus: not these.
            call(4, eb, "EnableRule", r#"{"name": "nightly"}"#),
            call(5, eb, "EnableRule", r#"{"name": "guardduty-findings", "eventBusName": "other"}"#),
            call(6, eb, "EnableRule", r#"{"name": "guardduty-findings"}"#),
            // A rule of the deleted one's name enabled later does not bring the deleted one back.
            call(7, eb, "EnableRule", r#"{"name": "ecr-push"}"#),
        ];
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        let r = monitoring(e.store(), 100, &log_places(e.store(), []));
        let t = |s: u32| crate::model::time::parse_iso(&format!("2024-05-01T10:00:{s:02}Z")).unwrap();
        let got: Vec<(&str, bool, Option<Millis>)> =
            r.changes.iter().take(3).map(|c| (c.call.as_str(), c.restartable(), c.started_again)).collect();
        assert_eq!(
            got,
            [("DisableRule", true, Some(t(6))), ("DeleteRule", false, None), ("DisableAlarmActions", true, None)]
        );
        assert_eq!((r.total, r.stops, r.narrows, r.refused), (7, 3, 0, 0));
        // Needs attention says what was lost: what the rule passed on reaches no one.
        let doc: serde_json::Value = serde_json::from_str(&e.summary_json()).unwrap();
        let items = doc["attention"].as_array().unwrap();
        let deleted = items.iter().find(|a| a["title"] == "EventBridge rule ecr-push deleted").expect("the deletion");
        assert_eq!((&deleted["kind"], &deleted["severity"]), (&"monitoring-weakened".into(), &"high".into()));
        assert!(deleted["why"].as_str().unwrap().ends_with("reached no one."), "{deleted:#}");
    }

    #[test]
    fn ok_a_log_group_kept_for_less_or_no_longer_streamed_counts_where_a_trail_sends_to_it() {
        let logs = |id, name: &str, group: &str| {
            let req = format!(r#"{{"logGroupName": "{group}", "retentionInDays": 1, "filterName": "to-siem"}}"#);
            event(id, name, &req, "null", "").replacen(
                r#""eventSource": "cloudtrail.amazonaws.com""#,
                r#""eventSource": "logs.amazonaws.com""#,
                1,
            )
        };
        let group = "arn:aws:logs:us-east-1:111122223333:log-group:CloudTrail/main:*";
        let mut e = Engine::new();
        let events = [
            event(
                1,
                "CreateTrail",
                &format!(r#"{{"name": "main", "s3BucketName": "b", "cloudWatchLogsLogGroupArn": "{group}"}}"#),
                "null",
                "",
            ),
            logs(2, "PutRetentionPolicy", "CloudTrail/main"),
            logs(3, "DeleteSubscriptionFilter", "CloudTrail/main"),
            // An application's group: nothing a trail or flow logs send to, not even once named.
            logs(4, "PutRetentionPolicy", "app/web"),
            logs(5, "DeleteLogGroup", "app/web"),
        ];
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        let places = log_places(e.store(), []);
        assert_eq!(places.groups, HashSet::from(["CloudTrail/main".to_owned()]));
        let r = monitoring(e.store(), 100, &places);
        let got: Vec<(&str, &str, Effect)> =
            r.changes.iter().map(|c| (c.call.as_str(), c.trail.as_str(), c.effect)).collect();
        assert_eq!(
            got,
            [
                ("PutRetentionPolicy", "CloudTrail/main", Effect::Narrows),
                ("DeleteSubscriptionFilter", "CloudTrail/main", Effect::Narrows),
            ]
        );
        assert!(r.changes[0].lines[0].starts_with("retention set to 1 day:"), "{:?}", r.changes[0].lines);
        assert!(r.changes[1].lines[0].starts_with("subscription filter to-siem deleted"), "{:?}", r.changes[1].lines);
    }

    #[test]
    fn ok_an_update_that_names_its_trails_own_bucket_narrows_nothing() {
        let update = |id, trail: &str, bucket: &str, more: &str| {
            event(id, "UpdateTrail", &format!(r#"{{"name": "{trail}", "s3BucketName": "{bucket}"{more}}}"#), "null", "")
        };
        let events = [
            event(1, "CreateTrail", r#"{"name": "main", "s3BucketName": "logs-a"}"#, "null", ""),
            // Terraform restating every setting: the same bucket.
            update(2, "main", "logs-a", ""),
            // Elsewhere: a move.
            update(3, "main", "attacker-b", ""),
            update(4, "main", "attacker-b", ""),
            // The same bucket, but single-region: narrows for that.
            update(5, "main", "attacker-b", r#", "isMultiRegionTrail": false"#),
            // A trail these logs hold nothing earlier of, nor the files: taken to move.
            update(6, "other", "logs-c", ""),
            // Refused: moved nothing, and tells nothing of the trail's bucket.
            event(7, "UpdateTrail", r#"{"name": "main", "s3BucketName": "logs-a"}"#, "null", "AccessDenied"),
            update(8, "main", "attacker-b", ""),
        ];
        let effects = |path: &str| {
            let mut e = Engine::new();
            e.ingest_bytes(path, format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
            let places =
                log_places(e.store(), e.files().iter().filter_map(|f| f.path.split('/').next().map(str::to_owned)));
            let r = report(e.store(), 100, &places);
            r.changes.iter().map(|c| c.effect).collect::<Vec<_>>()
        };
        let (o, n) = (Effect::Other, Effect::Narrows);
        assert_eq!(effects("t.json"), [o, o, n, o, n, n, n, o]);
        // Dropped from the bucket "other" delivers to: it was delivering there already.
        assert_eq!(effects("logs-c/AWSLogs/t.json"), [o, o, n, o, n, o, n, o]);
    }

    #[test]
    fn ok_logging_is_off_from_a_stop_that_went_through_to_its_start_again() {
        let s3 = |id, name: &str, bucket: &str| {
            event(id, name, &format!(r#"{{"bucketName": "{bucket}"}}"#), "null", "").replacen(
                r#""eventSource": "cloudtrail.amazonaws.com""#,
                r#""eventSource": "s3.amazonaws.com""#,
                1,
            )
        };
        let events = [
            event(1, "CreateTrail", r#"{"name": "main", "s3BucketName": "logs"}"#, "null", ""),
            event(2, "StopLogging", r#"{"name": "main"}"#, "null", ""),
            // Refused, and a narrowing: neither turns logging off.
            event(3, "StopLogging", r#"{"name": "main"}"#, "null", "AccessDenied"),
            event(
                4,
                "PutEventSelectors",
                r#"{"trailName": "main", "eventSelectors": [{"readWriteType": "ReadOnly"}]}"#,
                "null",
                "",
            ),
            event(5, "StartLogging", r#"{"name": "main"}"#, "null", ""),
            // The trail's bucket deleted: off, and never "started".
            s3(6, "DeleteBucket", "logs"),
            s3(7, "DeleteBucket", "photos"),
        ];
        let mut e = Engine::new();
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        let t = |s: u32| crate::model::time::parse_iso(&format!("2024-05-01T10:00:{s:02}Z")).unwrap();
        let off: Vec<(Millis, Option<Millis>, String)> =
            log_places(e.store(), []).off.into_iter().map(|o| (o.from, o.to, o.what)).collect();
        assert_eq!(off, [(t(2), Some(t(5)), "trail main".to_owned()), (t(6), None, "log bucket logs".to_owned())]);
    }

    #[test]
    fn ok_monitors_turned_off_are_off_periods_of_their_own_beside_a_trail_stopped() {
        let call = call_of;
        let config = "config.amazonaws.com";
        let recorder = r#"{"configurationRecorderName": "default"}"#;
        let events = [
            call(1, config, "StopConfigurationRecorder", recorder),
            event(2, "StopLogging", r#"{"name": "main"}"#, "null", ""),
            call(3, "ec2.amazonaws.com", "DeleteFlowLogs", r#"{"flowLogId": ["fl-1"]}"#),
            call(4, config, "StartConfigurationRecorder", recorder),
            // A narrowing, and a refused stop: no time off.
            call(5, "events.amazonaws.com", "RemoveTargets", r#"{"rule": "r", "ids": ["t"]}"#),
            event(6, "DeleteDetector", r#"{"detectorId": "d"}"#, "null", "AccessDenied").replacen(
                r#""eventSource": "cloudtrail.amazonaws.com""#,
                r#""eventSource": "guardduty.amazonaws.com""#,
                1,
            ),
        ];
        let mut e = Engine::new();
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        let t = |s: u32| crate::model::time::parse_iso(&format!("2024-05-01T10:00:{s:02}Z")).unwrap();
        let off: Vec<(Millis, Option<Millis>, String, bool)> =
            log_places(e.store(), []).off.into_iter().map(|o| (o.from, o.to, o.what, o.monitor)).collect();
        let s = str::to_owned;
        assert_eq!(
            off,
            [
                (t(1), Some(t(4)), s("Config recorder default"), true),
                (t(2), None, s("trail main"), false),
                (t(3), None, s("VPC flow logs fl-1"), true),
            ]
        );
    }

    #[test]
    fn ok_the_list_is_cut_but_every_change_is_counted() {
        let events: Vec<String> =
            (1..=30).map(|i| event(i, "StopLogging", r#"{"name": "main"}"#, "null", "")).collect();
        let mut e = Engine::new();
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        let r = report(e.store(), 10, &log_places(e.store(), []));
        assert_eq!((r.changes.len(), r.total, r.stops), (10, 30, 30));
    }
}
