//! Changes to logging itself (trails stopped, deleted, narrowed) in third-party logs: the
//! Stratus Red Team techniques that impair CloudTrail, Invictus-IR's simulation of them, and
//! the rule tests and examples of Panther and `TrailDiscover`. What each technique does comes from
//! its name (`DataDog`'s `aws.defense-evasion.cloudtrail-stop` stops a trail), and which events are
//! changes to logging from a walk of the files with `serde_json::Value`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::common::{absorbed_in_batches, corpus, events_of, first_of_each, walk};
use trailscope::engine::{Engine, Query, Response};

/// The calls that create, change, start, stop or delete a trail or an event data store, as the
/// CloudTrail API reference lists them (its `Get…`, `List…`, `Describe…` and `LookupEvents` read).
const TRAIL_CALLS: [&str; 13] = [
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

/// The corpus files that hold changes to trails, by a walk of every event in them.
fn files_with_trail_calls(dir: &Path) -> Vec<PathBuf> {
    walk(dir)
        .into_iter()
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            TRAIL_CALLS.iter().any(|c| text.contains(&format!("\"{c}\"")))
                && text.contains("cloudtrail.amazonaws.com")
                && !p.to_string_lossy().ends_with(".md")
                && !p.to_string_lossy().ends_with(".tsv")
        })
        .collect()
}

/// [`files_with_trail_calls`] and Invictus-IR's logs whole: its S3 calls to the buckets its trails
/// deliver to are in other files.
fn files_with_trail_and_bucket_calls(dir: &Path) -> Vec<PathBuf> {
    let mut files = files_with_trail_calls(dir);
    files.extend(walk(&dir.join("invictus-ir-aws_dataset/CloudTrail")));
    files.sort();
    files.dedup();
    files
}

/// Every event of `cloudtrail.amazonaws.com` or `s3.amazonaws.com` in a file (see `common::events_of`).
fn events_in(path: &Path) -> Vec<serde_json::Value> {
    events_of(path)
        .into_iter()
        .filter(|e| e["eventSource"] == "cloudtrail.amazonaws.com" || e["eventSource"] == "s3.amazonaws.com")
        .collect()
}

/// The calls to an S3 bucket that delete it, expire what it holds or change who may write to it.
const BUCKET_CALLS: [&str; 4] = ["PutBucketLifecycle", "DeleteBucket", "PutBucketPolicy", "DeleteBucketPolicy"];

#[test]
fn ok_every_change_to_a_trail_in_the_corpus_is_listed_with_what_it_did() {
    let Some(dir) = corpus() else { return };
    let files = files_with_trail_and_bucket_calls(&dir);
    let events: Vec<serde_json::Value> = files.iter().flat_map(|f| events_in(f)).collect();
    // The buckets the trails deliver to: the s3BucketName of each trail created or updated.
    let buckets: Vec<&str> = events
        .iter()
        .filter(|e| e["eventSource"] == "cloudtrail.amazonaws.com" && e["errorCode"].is_null())
        .filter_map(|e| e["requestParameters"]["s3BucketName"].as_str())
        .collect();
    assert!(buckets.len() >= 2, "Invictus-IR's trails name their buckets");
    // (eventID, call) → errorCode, from the files themselves (TrailDiscover's examples share one
    // made-up eventID between calls; one event is its ID and name, as `common::unique` counts).
    let mut expected: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut engine = Engine::new();
    for f in &files {
        let rel = f.strip_prefix(&dir).unwrap().to_string_lossy().into_owned();
        engine.ingest_bytes(&rel, &std::fs::read(f).unwrap());
    }
    for e in &events {
        let call = e["eventName"].as_str().unwrap_or("");
        let trail_call = e["eventSource"] == "cloudtrail.amazonaws.com" && TRAIL_CALLS.contains(&call);
        let bucket_call = e["eventSource"] == "s3.amazonaws.com"
            && BUCKET_CALLS.contains(&call)
            && buckets.contains(&e["requestParameters"]["bucketName"].as_str().unwrap_or(""));
        if trail_call || bucket_call {
            let error = e["errorCode"].as_str().unwrap_or("").to_owned();
            expected.insert((e["eventID"].as_str().unwrap().to_owned(), call.to_owned()), error);
        }
    }
    assert!(
        expected.len() >= 20,
        "the corpus holds Invictus-IR's, Stratus's and TrailDiscover's trail calls: {expected:?}"
    );
    let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    let logging = &doc["logging"];
    let changes = logging["changes"].as_array().unwrap();
    let got: BTreeMap<(String, String), String> = changes
        .iter()
        .map(|c| {
            let key = (c["event_id"].as_str().unwrap().to_owned(), c["call"].as_str().unwrap().to_owned());
            (key, c["error_code"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(logging["changes_total"], expected.len() as u64, "every change listed");
    // Oldest first.
    let times: Vec<&str> = changes.iter().map(|c| c["time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    // Stops that went through: StopLogging, DeleteTrail, and a trail's bucket deleted, with no
    // errorCode (the corpus's policies on those buckets are CloudTrail's own, letting it write).
    let stopping = ["StopLogging", "DeleteTrail", "DeleteBucket", "DeleteBucketPolicy"];
    let stops = expected.iter().filter(|((_, c), e)| e.is_empty() && stopping.contains(&c.as_str())).count();
    assert_eq!(logging["stops"], stops as u64);
    // Attempts refused: each of those with an errorCode (a bucket not empty is not deleted; none
    // of the corpus's refused UpdateTrail calls names a setting, so those narrow nothing).
    let refused = expected.iter().filter(|((_, c), e)| !e.is_empty() && stopping.contains(&c.as_str())).count();
    assert_eq!(logging["refused"], refused as u64);
    // The overview's line counts the same, without listing them.
    let Response::Overview(o) = engine.query(&Query::Overview) else { panic!() };
    assert_eq!((o.logging.stops, o.logging.refused), (stops as u64, refused as u64));
    assert_eq!(o.logging.narrows, logging["narrows"]);
    // Invictus-IR ran Stratus Red Team's "CloudTrail lifecycle rule" technique (its `ctlr`
    // resources): a rule on the trail's bucket that expires what it holds after so many days.
    let rule = events.iter().find(|e| e["eventName"] == "PutBucketLifecycle").expect("the technique's call");
    let days = &rule["requestParameters"]["LifecycleConfiguration"]["Rule"]["Expiration"]["Days"];
    let change = changes.iter().find(|c| c["call"] == "PutBucketLifecycle").expect("listed");
    assert_eq!(change["effect"], "narrows");
    let after = if days == 1 { "1 day".to_owned() } else { format!("{days} days") };
    assert!(change["lines"][0].as_str().unwrap().contains(&after), "{change:#}");
    assert_eq!(change["trail"], "", "a bucket is no trail");
}

#[test]
fn ok_the_stratus_techniques_that_impair_cloudtrail_read_as_they_are_named() {
    let Some(dir) = corpus() else { return };
    for (technique, effect) in [
        ("aws.defense-evasion.cloudtrail-stop.json", "stops"),
        ("aws.defense-evasion.cloudtrail-delete.json", "stops"),
        ("aws.defense-evasion.cloudtrail-event-selectors.json", "narrows"),
    ] {
        let path = dir.join("DataDog-stratus-red-team").join(technique);
        let mut engine = Engine::new();
        engine.ingest_bytes(technique, &std::fs::read(&path).unwrap());
        let raw = &events_in(&path)[0];
        let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
        let change = &doc["logging"]["changes"][0];
        assert_eq!(change["effect"], effect, "{technique}: {change:#}");
        assert_eq!(change["call"], raw["eventName"]);
        let named =
            raw["requestParameters"]["name"].as_str().or(raw["requestParameters"]["trailName"].as_str()).unwrap();
        assert!(change["trail"].as_str().unwrap().ends_with(named), "{technique}: {change:#}");
        assert_eq!(change["principal_arn"], raw["userIdentity"]["arn"]);
        // The attention list says so, most serious first for a stop.
        let attention = doc["attention"].as_array().unwrap();
        let item = attention
            .iter()
            .find(|a| a["kind"] == "logging-weakened")
            .unwrap_or_else(|| panic!("{technique}: {attention:#?}"));
        assert_eq!(item["severity"], if effect == "stops" { "high" } else { "medium" }, "{item:#}");
        assert!(item["title"].as_str().unwrap().contains(named), "{item:#}");
        // And the Integrity tab, which has no digest to check here.
        let Response::Integrity(r) = engine.query(&Query::Integrity(Box::default())) else { panic!() };
        assert_eq!(r.logging.total, 1);
        assert_eq!(r.logging.changes[0].effect.slug(), effect);
    }
}

#[test]
fn ok_changes_read_by_ingest_workers_are_those_one_engine_reads() {
    let Some(dir) = corpus() else { return };
    let files = files_with_trail_and_bucket_calls(&dir);
    let mut one = Engine::new();
    for f in &files {
        let rel = f.strip_prefix(&dir).unwrap().to_string_lossy().into_owned();
        one.ingest_bytes(&rel, &std::fs::read(f).unwrap());
    }
    let engine = absorbed_in_batches(&dir, &files);
    let summary = |e: &Engine| serde_json::from_str::<serde_json::Value>(&e.summary_json()).unwrap()["logging"].clone();
    let (got, want) = (summary(&engine), summary(&one));
    assert!(want["changes_total"].as_u64().unwrap() >= 20);
    assert!(want["changes"].as_array().unwrap().iter().any(|c| c["on_bucket"] == true), "{want:#}");
    assert_eq!(got, want);
}

#[test]
fn ok_a_refused_attempt_to_stop_a_trail_needs_attention_too() {
    let Some(dir) = corpus() else { return };
    // TrailDiscover's StopLogging example was refused (AccessDenied), by the file's own errorCode.
    let path = dir.join("adanalvarez-TrailDiscover/events/CloudTrail/StopLogging.json.cloudtrail");
    let raw = &events_in(&path)[0];
    assert_eq!(raw["errorCode"], "AccessDenied");
    let mut engine = Engine::new();
    engine.ingest_bytes("StopLogging.json", &std::fs::read(&path).unwrap());
    let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    let logging = &doc["logging"];
    assert_eq!((logging["stops"].as_u64(), logging["refused"].as_u64()), (Some(0), Some(1)), "{logging:#}");
    let attention = doc["attention"].as_array().unwrap();
    let item = attention.iter().find(|a| a["kind"] == "logging-weakened").expect("an attention item");
    assert_eq!(item["severity"], "medium");
    assert!(item["title"].as_str().unwrap().starts_with("Tried to stop trail"), "{item:#}");
    assert!(item["why"].as_str().unwrap().contains("refused (AccessDenied)"), "{item:#}");
}

#[test]
fn ok_the_kms_key_a_trail_encrypts_with_counts_when_disabled_or_scheduled_for_deletion() {
    let Some(dir) = corpus() else { return };
    let guide = dir.join("awsdocs/aws-kms-developer-guide/aws-kms-developer-guide__doc_examples.jsonl");
    // The KMS guide's examples of a key's state changed, each event once as the engine keeps it
    // (the first of its eventID, time, source and name: the guide reuses IDs between examples).
    let calls: Vec<serde_json::Value> = first_of_each(events_of(&guide))
        .into_iter()
        .filter(|e| {
            ["DisableKey", "ScheduleKeyDeletion", "CancelKeyDeletion", "EnableKey"]
                .contains(&e["eventName"].as_str().unwrap_or(""))
        })
        .collect();
    let key = "1234abcd-12ab-34cd-56ef-1234567890ab";
    let of_key: Vec<&serde_json::Value> =
        calls.iter().filter(|e| e["requestParameters"]["keyId"].as_str().unwrap_or("").ends_with(key)).collect();
    let stops = ["DisableKey", "ScheduleKeyDeletion"];
    let stopping =
        of_key.iter().filter(|e| stops.contains(&e["eventName"].as_str().unwrap()) && e["errorCode"].is_null()).count();
    assert!(stopping >= 3 && of_key.len() > stopping && calls.len() > of_key.len(), "{calls:#?}");
    let load = |extra: Option<&str>| {
        let mut engine = Engine::new();
        engine.ingest_bytes("kms.jsonl", &std::fs::read(&guide).unwrap());
        if let Some(trail) = extra {
            engine.ingest_bytes("trail.json", format!(r#"{{"Records": [{trail}]}}"#).as_bytes());
        }
        serde_json::from_str::<serde_json::Value>(&engine.summary_json()).unwrap()["logging"].clone()
    };
    // Alone, no trail encrypts with any of these keys: none is listed.
    assert_eq!(load(None)["changes_total"], 0);
    // A trail created to encrypt with the key: the request names it by alias, the response by its
    // ARN (as the CreateTrail API reference writes them).
    let trail = format!(
        r#"{{"eventVersion": "1.08", "userIdentity": {{"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/admin", "accountId": "111122223333"}},
           "eventTime": "2014-11-01T00:00:00Z", "eventSource": "cloudtrail.amazonaws.com", "eventName": "CreateTrail", "awsRegion": "us-west-2",
           "requestParameters": {{"name": "management-events", "s3BucketName": "amzn-s3-demo-bucket", "kmsKeyId": "alias/trail-logs"}},
           "responseElements": {{"name": "management-events", "s3BucketName": "amzn-s3-demo-bucket", "kmsKeyId": "arn:aws:kms:us-west-2:111122223333:key/{key}",
              "trailARN": "arn:aws:cloudtrail:us-west-2:111122223333:trail/management-events"}},
           "eventID": "5c9ef9b4-0e8c-4c19-9c0b-6bd6c4b3a7d1", "eventType": "AwsApiCall", "recipientAccountId": "111122223333"}}"#
    );
    let logging = load(Some(&trail));
    let changes = logging["changes"].as_array().unwrap();
    let listed: Vec<(&str, &str)> = changes
        .iter()
        .filter(|c| c["target"] == "key")
        .map(|c| (c["call"].as_str().unwrap(), c["time"].as_str().unwrap()))
        .collect();
    let mut want: Vec<(&str, &str)> =
        of_key.iter().map(|e| (e["eventName"].as_str().unwrap(), e["eventTime"].as_str().unwrap())).collect();
    want.sort_by_key(|&(name, time)| (time, name));
    assert_eq!(listed, want, "the key's calls, oldest first; the other keys' are not listed");
    assert_eq!(logging["stops"], stopping as u64);
    assert!(changes.iter().filter(|c| c["target"] == "key").all(|c| c["trail"] == key), "{changes:#?}");
    // A deletion scheduled, then cancelled (the guide's own two calls): the item says the key was
    // kept, by whom and when.
    let went = |name: &'static str| of_key.iter().filter(move |e| e["eventName"] == name && e["errorCode"].is_null());
    let (schedule, cancel) = went("ScheduleKeyDeletion")
        .find_map(|s| {
            let after = went("CancelKeyDeletion").filter(|c| c["eventTime"].as_str() > s["eventTime"].as_str());
            after.min_by_key(|c| c["eventTime"].as_str()).map(|c| (s, c))
        })
        .expect("the guide cancels a deletion it scheduled");
    let mut engine = Engine::new();
    let file = format!(r#"{{"Records": [{trail}, {schedule}, {cancel}]}}"#);
    engine.ingest_bytes("kms.json", file.as_bytes());
    let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    let item = doc["attention"].as_array().unwrap().iter().find(|a| a["kind"] == "logging-weakened").unwrap().clone();
    let at = trailscope::model::time::parse_iso(cancel["eventTime"].as_str().unwrap()).unwrap();
    let kept = format!(
        " Its deletion was cancelled at {} by {} (CancelKeyDeletion): the key was kept, disabled until it is enabled. Not \
         started again in these logs.",
        trailscope::text::utc(at),
        cancel["userIdentity"]["arn"].as_str().unwrap()
    );
    assert!(item["why"].as_str().unwrap().ends_with(&kept), "{item:#}");
}

#[test]
fn ok_a_stopped_trail_says_whether_and_when_it_was_started_again() {
    let Some(dir) = corpus() else { return };
    // Stratus Red Team's StopLogging, then (as its clean-up does) a StartLogging of the same trail
    // by another principal three minutes on.
    let path = dir.join("DataDog-stratus-red-team/aws.defense-evasion.cloudtrail-stop.json");
    let stop = events_in(&path)[0].clone();
    let item = |events: &[serde_json::Value]| {
        let mut engine = Engine::new();
        engine.ingest_bytes("log.json", serde_json::json!({ "Records": events }).to_string().as_bytes());
        let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
        let attention = doc["attention"].as_array().unwrap().clone();
        attention.into_iter().find(|a| a["kind"] == "logging-weakened").expect("an attention item")
    };
    let alone = item(std::slice::from_ref(&stop));
    assert!(alone["why"].as_str().unwrap().ends_with(" Not started again in these logs."), "{alone:#}");
    let mut start = stop.clone();
    let at = trailscope::model::time::parse_iso(stop["eventTime"].as_str().unwrap()).unwrap() + 180_000;
    start["eventTime"] = trailscope::model::time::format_iso(at).into();
    start["eventName"] = "StartLogging".into();
    start["eventID"] = "00000000-0000-4000-8000-0000000000a2".into();
    start["userIdentity"]["arn"] = "arn:aws:iam::111122223333:user/oncall".into();
    // A refused start, before it, started nothing.
    let mut refused = start.clone();
    refused["eventTime"] = trailscope::model::time::format_iso(at - 60_000).into();
    refused["eventID"] = "00000000-0000-4000-8000-0000000000a1".into();
    refused["errorCode"] = "AccessDenied".into();
    let both = item(&[stop.clone(), refused, start.clone()]);
    let when = trailscope::text::utc(at);
    let want =
        format!(" Started again at {when} by arn:aws:iam::111122223333:user/oncall (StartLogging), 3 min after.");
    assert!(both["why"].as_str().unwrap().ends_with(&want), "{both:#}");
    assert_eq!(both["severity"], "high", "it was off meanwhile");
}
