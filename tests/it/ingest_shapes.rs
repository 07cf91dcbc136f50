//! One test per input shape of FORMATS.md: each fixture (written by
//! `tests/fixtures/ingest/make_fixtures.py` from AWS's ECR documentation examples) loads with the
//! unique events `tests/data/count_events.py` counted in it, with no warning, and every event's
//! original JSON comes back out of its locator equal to the event read independently from the file.

use std::collections::HashMap;
use std::io::Read;

use serde_json::Value;
use trailscope::analysis::filter::Filter;
use trailscope::engine::Engine;
use trailscope::ingest::{event_json, FileKind, FileReport, Format};
use trailscope::model::IdentityType;
use trailscope::store::{RecordKind, Store};

use super::common::{counts, root};

/// `tests/fixtures/ingest/shapes/<rel>`, its bytes as on disk and decompressed (flate2's own reader).
fn fixture(rel: &str) -> (Vec<u8>, Vec<u8>) {
    let bytes = std::fs::read(root().join("tests/fixtures/ingest/shapes").join(rel)).unwrap();
    let plain = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_end(&mut out).unwrap();
        out
    } else {
        bytes.clone()
    };
    (bytes, plain)
}

/// Loads one fixture alone; checks the independent count and that there is no warning.
fn load(rel: &str, kind: FileKind, formats: &[Format]) -> (Engine, FileReport) {
    let (bytes, _) = fixture(rel);
    let mut engine = Engine::new();
    engine.ingest_bytes(rel, &bytes);
    let report = engine.files()[0].report.clone();
    let expected = counts("fixture-counts.tsv").into_iter().find(|c| c.path == rel).expect("counted").events;
    assert_eq!(report.events, expected, "{rel}: {:?}", report.warnings);
    assert_eq!(engine.status().events, expected);
    assert_eq!((report.kind, report.formats.as_slice()), (kind, formats), "{rel}");
    assert_eq!(report.warnings, vec![], "{rel}");
    (engine, report)
}

/// Every stored event's JSON, cut out of the decompressed file by its locator, equals the event of the
/// same eventID in `expected` (read from the file with `serde_json::Value`, shape by shape).
fn round_trip(engine: &Engine, plain: &[u8], expected: &[Value], kind: RecordKind) {
    let by_id: HashMap<&str, &Value> = expected.iter().map(|e| (e["eventID"].as_str().unwrap(), e)).collect();
    let store = engine.store();
    assert_eq!(store.len(), by_id.len());
    for r in 0..store.len() as u32 {
        let loc = store.locator(r);
        assert_eq!(loc.kind, kind);
        let slice = &plain[loc.offset as usize..loc.offset as usize + loc.len as usize];
        let text = event_json(loc.kind, slice, None).unwrap();
        let got: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(&&got, by_id.get(store.event_id(r).as_str()).expect("eventID"), "row {r}");
    }
}

fn values(text: &[u8]) -> Vec<Value> {
    serde_json::Deserializer::from_slice(text).into_iter::<Value>().map(Result::unwrap).collect()
}

/// The events in the `message` strings of CloudWatch Logs' log events.
fn messages(log_events: &Value) -> Vec<Value> {
    let events = log_events.as_array().unwrap();
    events.iter().map(|e| serde_json::from_str(e["message"].as_str().unwrap()).unwrap()).collect()
}

fn time_of(store: &Store, id: &str) -> i64 {
    (0..store.len() as u32).find(|&r| store.event_id(r) == id).map(|r| store.time(r)).expect("event")
}

const S3: &str = "AWSLogs/123456789012/CloudTrail/us-east-2/2019/04/15/123456789012_CloudTrail_us-east-2_20190415T1725Z_MultiMember0001.json.gz";

#[test]
fn ok_s3_delivery_gzip_multi_member_with_path_metadata() {
    let (engine, report) = load(S3, FileKind::Logs, &[Format::Records]);
    assert!(report.gzip);
    let meta = engine.files()[0].meta();
    assert_eq!(
        (meta.account.as_str(), meta.region.as_str(), meta.date.as_str()),
        ("123456789012", "us-east-2", "2019-04-15")
    );
    let (_, plain) = fixture(S3);
    let events = values(&plain)[0]["Records"].as_array().unwrap().clone();
    round_trip(&engine, &plain, &events, RecordKind::Direct);
    // Events inside a file are not ordered; the overview's range is still first to last.
    let times: Vec<i64> = (0..3).map(|r| engine.store().time(r)).collect();
    assert!(times.windows(2).any(|w| w[0] > w[1]), "the fixture is unordered: {times:?}");
}

#[test]
fn ok_records_with_byte_order_mark_and_crlf() {
    let rel = "records-bom-crlf.json";
    let (engine, _) = load(rel, FileKind::Logs, &[Format::Records]);
    let (_, plain) = fixture(rel);
    let events = values(&plain[3..])[0]["Records"].as_array().unwrap().clone();
    round_trip(&engine, &plain, &events, RecordKind::Direct);
}

#[test]
fn ok_lookup_events_pages_use_the_inner_utc_time() {
    let rel = "lookup-events.json";
    let (engine, _) = load(rel, FileKind::Logs, &[Format::LookupEvents]);
    let (_, plain) = fixture(rel);
    let events: Vec<Value> = values(&plain)
        .iter()
        .flat_map(|page| page["Events"].as_array().unwrap().clone())
        .map(|e| serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap())
        .collect();
    round_trip(&engine, &plain, &events, RecordKind::LookupString);
    // The outer EventTime says 2019-04-16 02:45:00+11:00 (15:45Z); the event itself says 16:45:00Z,
    // which is 1555346700 s after the epoch (`date -u -d 2019-04-15T16:45:00Z +%s`).
    assert_eq!(time_of(engine.store(), "2bfd4ee2-2178-4a82-a27d-b12939923f0f"), 1_555_346_700_000);
}

#[test]
fn ok_logs_filter_and_get_log_events_output() {
    for rel in ["filter-log-events.json", "get-log-events.json"] {
        let (engine, _) = load(rel, FileKind::Logs, &[Format::CloudWatchLogsApi]);
        let (_, plain) = fixture(rel);
        round_trip(&engine, &plain, &messages(&values(&plain)[0]["events"]), RecordKind::LogMessage);
    }
}

#[test]
fn ok_logs_insights_query_results_streamed_or_whole() {
    // `queryLanguage` first (current CLI) or `results` first (older CLI): both streamed.
    for rel in ["logs-insights.json", "logs-insights-older-cli.json"] {
        let (engine, _) = load(rel, FileKind::Logs, &[Format::LogsInsights]);
        let (_, plain) = fixture(rel);
        let events: Vec<Value> = values(&plain)[0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                let message = row.as_array().unwrap().iter().find(|f| f["field"] == "@message").unwrap();
                serde_json::from_str(message["value"].as_str().unwrap()).unwrap()
            })
            .collect();
        round_trip(&engine, &plain, &events, RecordKind::InsightsRow);
    }
}

/// The warnings of `text` loaded alone as `name`, with its events and rejected records.
fn warnings_of(name: &str, text: &str) -> (Vec<String>, u64, u64) {
    let mut engine = Engine::new();
    engine.ingest_bytes(name, text.as_bytes());
    let r = &engine.files()[0].report;
    (r.warnings.iter().map(|w| w.message.clone()).collect(), r.events, r.rejected)
}

/// The fixture's text with its JSON changed by `edit` and written back as the CLI writes it.
fn edited(rel: &str, edit: impl FnOnce(&mut Value)) -> String {
    let (_, plain) = fixture(rel);
    let mut v = values(&plain).remove(0);
    edit(&mut v);
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn err_output_stopped_before_its_last_page_is_named() {
    let (_, plain) = fixture("lookup-events.json");
    let pages = values(&plain);
    let last_first = format!("{}\n{}", pages[1], pages[0]);
    let (warnings, events, _) = warnings_of("lookup.json", &last_first);
    assert_eq!(events, 4, "every event of the pages there is loaded");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("the command's output stopped before its last page: the page at byte "),
        "{warnings:?}"
    );
    assert!(warnings[0].contains("ends with a NextToken"), "{warnings:?}");
    // The token first: the page is read as one value, and says the same.
    let token_first = format!(r#"{{"NextToken": "abc", "Events": {}}}"#, pages[1]["Events"]);
    let (warnings, events, _) = warnings_of("lookup.json", &token_first);
    assert_eq!((events, warnings.len()), (2, 1), "{warnings:?}");
    assert!(warnings[0].contains("ends with a NextToken"), "{warnings:?}");
    // filter-log-events cut by `--max-items` (the CLI's NextToken) or `--no-paginate` (the API's).
    for (key, named) in [("NextToken", "a NextToken"), ("nextToken", "a nextToken")] {
        let text = edited("filter-log-events.json", |v| v[key] = "eyJuZXh0VG9rZW4iOiBudWxsfQ==".into());
        let (warnings, events, _) = warnings_of("filter.json", &text);
        assert_eq!((events, warnings.len()), (3, 1), "{warnings:?}");
        assert!(warnings[0].contains(named), "{warnings:?}");
    }
    // A null or empty token, and get-log-events' forward token, leave nothing out.
    for token in [Value::Null, "".into()] {
        let text = edited("filter-log-events.json", |v| v["nextToken"] = token);
        assert_eq!(warnings_of("filter.json", &text).0, Vec::<String>::new());
    }
}

#[test]
fn err_logs_insights_results_short_of_what_the_query_matched_are_named() {
    let text = edited("logs-insights-older-cli.json", |v| {
        v["statistics"]["recordsMatched"] = 14_512.0.into();
        v["status"] = "Timeout".into();
    });
    let (warnings, events, _) = warnings_of("insights.json", &text);
    assert_eq!(events, 2);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with("the Logs Insights query matched 14512 log events, but its results hold 2 rows"),
        "{warnings:?}"
    );
    assert!(warnings[1].starts_with("the Logs Insights query's status is “Timeout”, not Complete"), "{warnings:?}");
    // The same, read as one value (`status` first: not streamed).
    let (_, plain) = fixture("logs-insights.json");
    let rows = &values(&plain)[0]["results"];
    let text = format!(r#"{{"status": "Complete", "statistics": {{"recordsMatched": 10001.0}}, "results": {rows}}}"#);
    let (warnings, events, _) = warnings_of("insights.json", &text);
    assert_eq!((events, warnings.len()), (3, 1), "{warnings:?}");
    assert!(warnings[0].contains("matched 10001 log events, but its results hold 3 rows"), "{warnings:?}");
}

#[test]
fn err_logs_insights_rows_without_an_event_are_counted_and_named() {
    // Three rows and two: the one left with its @message loads.
    for (rel, left) in [("logs-insights.json", 1), ("logs-insights-older-cli.json", 0)] {
        let text = edited(rel, |v| {
            let rows = v["results"].as_array_mut().unwrap();
            // A query that chose other fields: no @message in these rows.
            rows[0].as_array_mut().unwrap().retain(|f| f["field"] != "@message");
            rows[1].as_array_mut().unwrap().retain(|f| f["field"] != "@message");
        });
        let (warnings, events, rejected) = warnings_of("insights.json", &text);
        assert_eq!((events, rejected), (left, 2), "{warnings:?}");
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("2 Logs Insights row(s) hold no @message field"), "{warnings:?}");
        assert!(warnings[0].contains("`fields @timestamp, @message`"), "{warnings:?}");
    }
    let text = edited("logs-insights.json", |v| {
        v["results"][0][1]["value"] = "not json".into();
        v["results"][1][1]["value"] = 7.into();
    });
    let (warnings, events, rejected) = warnings_of("insights.json", &text);
    assert_eq!((events, rejected, warnings.len()), (1, 2, 2), "{warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("the @message of the Logs Insights row at byte ") && w.contains("is not valid JSON")),
        "{warnings:?}"
    );
    assert!(warnings.iter().any(|w| w.contains("is a number, not a string; skipped")), "{warnings:?}");
}

#[test]
fn ok_events_and_results_keys_that_hold_no_log_events_read_as_any_json() {
    // `events` and `results` are common keys: elements that are events load, others are named.
    let (_, plain) = fixture("single-event.json");
    let event: Value = serde_json::from_slice(&plain).unwrap();
    for key in ["events", "results"] {
        let text = format!(r#"{{"{key}": [{event}, {{"id": 1}}]}}"#);
        let (warnings, events, _) = warnings_of("other.json", &text);
        assert_eq!(events, 1, "{key}: {warnings:?}");
        assert_eq!(warnings.len(), 1, "{key}: {warnings:?}");
        assert!(warnings[0].starts_with("1 JSON record(s) are not CloudTrail events"), "{key}: {warnings:?}");
        let text = format!(r#"{{"{key}": [{{"id": 1}}]}}"#);
        let mut engine = Engine::new();
        engine.ingest_bytes("other.json", text.as_bytes());
        assert_eq!(engine.files()[0].report.kind, FileKind::NotCloudTrail, "{key}");
    }
}

#[test]
fn ok_json_lines_gzip_with_a_redelivered_event() {
    let rel = "events.jsonl.gz";
    let (engine, report) = load(rel, FileKind::Logs, &[Format::JsonLines]);
    assert_eq!(report.duplicates, 1);
    let (_, plain) = fixture(rel);
    round_trip(&engine, &plain, &values(&plain), RecordKind::Direct);
}

#[test]
fn ok_bare_array() {
    let rel = "array.json";
    let (engine, _) = load(rel, FileKind::Logs, &[Format::JsonArray]);
    let (_, plain) = fixture(rel);
    round_trip(&engine, &plain, values(&plain)[0].as_array().unwrap(), RecordKind::Direct);
}

#[test]
fn ok_single_event() {
    let rel = "single-event.json";
    let (engine, _) = load(rel, FileKind::Logs, &[Format::SingleEvent]);
    let (_, plain) = fixture(rel);
    round_trip(&engine, &plain, &values(&plain), RecordKind::Direct);
}

#[test]
fn ok_cloudwatch_logs_export_lines() {
    let rel = "cloudwatch-export.log";
    let (engine, _) = load(rel, FileKind::Logs, &[Format::CloudWatchExport]);
    let (_, plain) = fixture(rel);
    let events: Vec<Value> = String::from_utf8(plain.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l.split_once(' ').unwrap().1).unwrap())
        .collect();
    round_trip(&engine, &plain, &events, RecordKind::ExportLine);
}

#[test]
fn ok_cloudwatch_logs_subscription_payload() {
    let rel = "cloudwatch-subscription.json.gz";
    let (engine, _) = load(rel, FileKind::Logs, &[Format::CloudWatchSubscription]);
    let (_, plain) = fixture(rel);
    round_trip(&engine, &plain, &messages(&values(&plain)[0]["logEvents"]), RecordKind::LogMessage);
}

#[test]
fn ok_cloudwatch_control_message_holds_no_events() {
    let mut engine = Engine::new();
    let text = br#"{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1432826855000,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}"#;
    engine.ingest_bytes("control.json", text);
    let r = &engine.files()[0].report;
    assert_eq!((r.kind, r.events, r.warnings.len()), (FileKind::Logs, 0, 0));
}

#[test]
fn ok_eventbridge_envelopes() {
    let rel = "eventbridge.jsonl";
    let (engine, _) = load(rel, FileKind::Logs, &[Format::EventBridge]);
    let (_, plain) = fixture(rel);
    let events: Vec<Value> = values(&plain).iter().map(|e| e["detail"].clone()).collect();
    round_trip(&engine, &plain, &events, RecordKind::Direct);
}

#[test]
fn ok_console_csv_keeps_cells_as_data_and_identity_unknown() {
    let rel = "event-history.csv";
    let (engine, report) = load(rel, FileKind::Logs, &[Format::ConsoleCsv]);
    let header = report.csv_header.clone().expect("the header is kept for the detail view");
    assert_eq!(header.len(), 16);
    let (_, plain) = fixture(rel);
    let store = engine.store();
    let mut users = Vec::new();
    for r in 0..store.len() as u32 {
        let loc = store.locator(r);
        assert_eq!(loc.kind, RecordKind::CsvRow);
        let slice = &plain[loc.offset as usize..loc.offset as usize + loc.len as usize];
        let row: Value = serde_json::from_str(&event_json(loc.kind, slice, Some(&header)).unwrap()).unwrap();
        assert_eq!(row["Event ID"], store.event_id(r));
        assert_eq!(row["Event name"], &*store.str(store.name(r)));
        assert!(row["Resources"].is_array(), "{row}");
        let id = store.identity(r);
        // The CSV has no identity type, ARN, MFA or issuer: unknown, and nothing invented.
        assert!(!id.source_known);
        assert_eq!(id.kind, IdentityType::NotRecorded);
        assert!(id.arn.is_empty() && id.issuer_arn.is_empty() && id.principal_id.is_empty());
        assert_eq!(row["User name"], &*store.str(id.user_name));
        assert_eq!(row["AWS access key"], &*store.str(id.access_key));
        assert_eq!(row["User agent"], &*store.str(store.user_agent(r)));
        users.push(store.str(id.user_name).into_owned());
    }
    users.sort();
    // Formula-looking cells are kept verbatim (these are the values make_fixtures.py wrote).
    assert_eq!(
        users,
        ["+cmd|' /C calc'!A0", "-HIDDEN_DUE_TO_SECURITY_REASONS", "@SUM(1+1)", "Mary_Major", "i-0123456789abcdef0"]
    );
    let agents: Vec<String> = (0..store.len() as u32).map(|r| store.str(store.user_agent(r)).into_owned()).collect();
    assert!(agents.iter().any(|a| a == r#"=HYPERLINK("https://example.com/x","click"), "quoted""#), "{agents:?}");
    assert!(agents.iter().any(|a| a == "docker/18.09 go/go1.10.8,\nsecond line"), "{agents:?}");
}

#[test]
fn ok_csv_row_is_replaced_by_the_same_event_as_json() {
    let (csv, _) = fixture("event-history.csv");
    let (s3, _) = fixture(S3);
    let mut engine = Engine::new();
    engine.ingest_bytes("event-history.csv", &csv);
    engine.ingest_bytes(S3, &s3);
    let store = engine.store();
    let put = (0..store.len() as u32).find(|&r| store.event_id(r) == "2bfd4ee2-2178-4a82-a27d-b12939923f0f").unwrap();
    let id = store.identity(put);
    assert!(id.source_known, "the JSON copy's caller replaces the CSV row's unknown one");
    assert_eq!(id.kind, IdentityType::IAMUser);
    assert_eq!(engine.status().duplicates, 3);
}

#[test]
fn ok_answers_asked_before_a_csv_row_is_replaced_follow_the_replacement() {
    // The JSON copy replaces the CSV row in place: the store's size stays the same, so answers kept
    // by size alone would still show the row without its caller.
    let (csv, _) = fixture("event-history.csv");
    let (s3, _) = fixture(S3);
    let mut engine = Engine::new();
    engine.ingest_bytes("event-history.csv", &csv);
    let iam_users = Filter { identity_types: vec![IdentityType::IAMUser.label().into()], ..Filter::default() };
    assert_eq!(engine.rows_matching(&iam_users), Vec::<u32>::new(), "a CSV row has no identity type");
    let before = engine.store().len();
    engine.ingest_bytes(S3, &s3);
    let store = engine.store();
    let put = (0..store.len() as u32).find(|&r| store.event_id(r) == "2bfd4ee2-2178-4a82-a27d-b12939923f0f").unwrap();
    assert!(put < before as u32, "the CSV row was replaced, not added");
    assert!(engine.rows_matching(&iam_users).contains(&put), "the replaced row is an IAM user's call now");
}

#[test]
fn ok_digest_is_set_aside_with_its_bytes() {
    let rel = "AWSLogs/123456789012/CloudTrail-Digest/us-east-2/2019/04/15/123456789012_CloudTrail-Digest_us-east-2_trail_us-east-2_20190415T170000Z.json.gz";
    let (engine, report) = load(rel, FileKind::Digest, &[Format::Digest]);
    let digest: Value = serde_json::from_slice(report.digest.as_deref().expect("kept")).unwrap();
    assert_eq!(digest["digestSignatureAlgorithm"], "SHA256withRSA");
    assert!(engine.files()[0].meta().digest_path);
    assert_eq!((engine.status().skipped, engine.status().events), (1, 0));
}

#[test]
fn ok_omitted_field_is_kept_as_written() {
    let rel = "omitted.json";
    let (engine, _) = load(rel, FileKind::Logs, &[Format::Records]);
    let (_, plain) = fixture(rel);
    let events = values(&plain)[0]["Records"].as_array().unwrap().clone();
    assert_eq!(events[0]["requestParameters"]["omitted"], true);
    round_trip(&engine, &plain, &events, RecordKind::Direct);
}

#[test]
fn ok_every_shape_in_one_batch_dedupes_across_files() {
    let expected = counts("fixture-counts.tsv");
    let mut engine = Engine::new();
    for c in expected.iter().filter(|c| c.path != "*") {
        engine.ingest_bytes(&c.path, &fixture(&c.path).0);
    }
    let total = expected.iter().find(|c| c.path == "*").unwrap().events;
    assert_eq!(engine.status().events, total);
    assert_eq!(engine.status().warnings, 0);
}
