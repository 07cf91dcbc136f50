//! Live counts: while files load, the overview counts only the rows added since it last answered.
//! After every file it must say what the files read so far hold, counted here from their JSON.

use std::collections::{BTreeMap, HashSet};

use super::common::{grouped, records, root, walk};
use trailscope::analysis::counts::{count, Tally};
use trailscope::analysis::filter::{Field, Filter};
use trailscope::engine::{Engine, Query, Response, MAX_LIST};

/// Events by `eventSource`, unique by (eventID, eventTime, eventSource, eventName), from plain JSON.
fn by_source(events: &[serde_json::Value]) -> BTreeMap<String, u64> {
    let mut seen = HashSet::new();
    let mut out = BTreeMap::new();
    for e in events {
        let key = [&e["eventID"], &e["eventTime"], &e["eventSource"], &e["eventName"]].map(ToString::to_string);
        if seen.insert(key) {
            *out.entry(e["eventSource"].as_str().unwrap_or_default().to_owned()).or_default() += 1;
        }
    }
    out
}

#[test]
fn ok_overview_after_each_file_counts_every_file_read_so_far() {
    let mut files = walk(&root().join("sample"));
    files.sort();
    let mut engine = Engine::new();
    let mut read = Vec::new();
    for path in &files {
        engine.ingest_bytes(&path.to_string_lossy(), &std::fs::read(path).unwrap());
        read.extend(records(path));
        let Response::Overview(o) = engine.query(&Query::Overview) else { panic!("not an overview") };
        let got: BTreeMap<String, u64> = o.counts.by_source.iter().map(|c| (c.key.clone(), c.count)).collect();
        assert_eq!(got, by_source(&read), "after {}", path.display());
        let Response::Counts { counts, .. } = engine.query(&Query::Counts(Box::default())) else {
            panic!("not counts")
        };
        assert_eq!(counts.events, o.counts.events);
    }
}

#[test]
fn ok_cut_principals_are_the_top_of_the_full_list() {
    let mut engine = Engine::new();
    for path in walk(&root().join("sample")) {
        engine.ingest_bytes(&path.to_string_lossy(), &std::fs::read(&path).unwrap());
    }
    let store = engine.store();
    let full = count(store, 0..store.len() as u32).by_principal;
    assert!(full.len() > 10, "the sample has many principals");
    let mut tally = Tally::default();
    tally.add(store, 0..store.len() as u32);
    for limit in [1, 3, 10, full.len(), MAX_LIST] {
        let cut = tally.counts_cut(store, limit).by_principal;
        assert_eq!(cut, full[..limit.min(full.len())], "limit {limit}");
    }
    let Response::Overview(o) = engine.query(&Query::Overview) else { panic!("not an overview") };
    assert_eq!(o.counts.by_principal, full[..MAX_LIST.min(full.len())]);
}

#[test]
fn ok_overview_lists_files_with_warnings_first_then_by_path_up_to_the_cap() {
    use trailscope::engine::MAX_FILES_LISTED;
    let clean = br#"{"Records":[]}"#;
    let bad = br#"{"Records":[{"eventVersion":"1.08","eventTime":"not a time","eventSource":"ecr.amazonaws.com","eventName":"PutImage","eventID":"x"}]}"#;
    let mut engine = Engine::new();
    let mut clean_paths = Vec::new();
    let mut bad_paths = Vec::new();
    // Read in an order that is neither the listing's nor its reverse.
    for i in (0..MAX_FILES_LISTED + 40).map(|i| (i * 7) % (MAX_FILES_LISTED + 40)) {
        let path = format!("AWSLogs/f{i:04}.json");
        if i % 60 == 59 {
            engine.ingest_bytes(&path, bad);
            bad_paths.push(path);
        } else {
            engine.ingest_bytes(&path, clean);
            clean_paths.push(path);
        }
    }
    bad_paths.sort();
    clean_paths.sort();
    let Response::Overview(o) = engine.query(&Query::Overview) else { panic!("not an overview") };
    let listed: Vec<&str> = o.files.iter().map(|f| f.path.as_str()).collect();
    let expected: Vec<&str> = bad_paths.iter().chain(&clean_paths).map(String::as_str).take(MAX_FILES_LISTED).collect();
    assert_eq!(listed, expected);
    assert_eq!(o.files_total, (MAX_FILES_LISTED + 40) as u64);
    assert!(o.files[..bad_paths.len()].iter().all(|f| f.warnings > 0), "{:?}", &o.files[..bad_paths.len()]);
    assert!(o.files[bad_paths.len()..].iter().all(|f| f.warnings == 0));
}

#[test]
fn ok_a_file_being_read_is_listed_with_its_events_so_far() {
    // JSON lines fed in two halves, as the worker reads a big file: between them, the overview lists
    // the open file with the events of its first half (counted here from the text), not 0; a line
    // repeated in the second half is a duplicate there.
    let line = |i: u32| {
        format!(
            r#"{{"eventVersion":"1.08","eventTime":"2026-03-01T00:00:{:02}Z","eventSource":"ecr.amazonaws.com","eventName":"BatchGetImage","awsRegion":"us-east-1","eventID":"00000000-0000-0000-0000-{i:012}"}}"#,
            i % 60
        ) + "\n"
    };
    let first: String = (0..40).map(line).collect();
    let second: String = (40..70).map(line).chain([line(3)]).collect();
    let listed = |engine: &Engine| {
        let Response::Overview(o) = engine.query(&Query::Overview) else { panic!("not an overview") };
        let f = o.files.iter().find(|f| f.path == "big.jsonl").expect("the file is listed").clone();
        (f.events, f.duplicates, o.status.events)
    };
    let mut engine = Engine::new();
    let id = engine.open_file("big.jsonl", (first.len() + second.len()) as u64);
    engine.push(id, first.as_bytes());
    assert_eq!(listed(&engine), (first.lines().count() as u64, 0, 40));
    // The status bar and the Files card count the text read so far too (they said "0 B of JSON").
    assert_eq!((engine.status().bytes_read, engine.status().bytes_decoded), (first.len() as u64, first.len() as u64));
    engine.push(id, second.as_bytes());
    engine.close_file(id);
    assert_eq!(listed(&engine), (70, 1, 70));
    let all = (first.len() + second.len()) as u64;
    assert_eq!((engine.status().bytes_read, engine.status().bytes_decoded), (all, all));
}

/// 400 JSON lines (distinct events) and their gzip.
fn gzip_lines() -> (String, Vec<u8>) {
    use std::io::Write;
    let text: String = (0..400)
        .map(|i| format!(r#"{{"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecr.amazonaws.com","eventName":"BatchGetImage","eventID":"00000000-0000-0000-0000-{i:012}"}}"#) + "\n")
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(1));
    gz.write_all(text.as_bytes()).unwrap();
    (text, gz.finish().unwrap())
}

#[test]
fn ok_a_file_whose_load_is_cancelled_partway_keeps_what_was_read_and_says_so() {
    // Cancel stops a read between slices. Closed there, the file was reported as a truncated gzip
    // stream (and a JSON-lines file as a broken last line), as if the file were damaged.
    let (text, gz) = gzip_lines();
    let half = &gz[..gz.len() / 2];
    let warnings = |cancel: bool| {
        let mut engine = Engine::new();
        let id = engine.open_file("big.jsonl.gz", gz.len() as u64);
        engine.push(id, half);
        if cancel {
            engine.read_cancelled(id);
        }
        engine.close_file(id);
        let r = &engine.files()[0].report;
        assert!(r.events > 0 && r.events < 400, "{} of 400 events kept", r.events);
        assert_eq!(r.kind, trailscope::ingest::FileKind::Logs);
        // The status bar says how many files Cancel cut short.
        assert_eq!(engine.status().files_cut, u64::from(cancel));
        r.warnings.iter().map(|w| w.message.clone()).collect::<Vec<_>>()
    };
    assert_eq!(
        warnings(true),
        [format!(
            "loading was cancelled after {} bytes of this file; what came before was read, the rest was not",
            grouped(half.len() as u64)
        )]
    );
    // Without the cancel, the same cut is a damaged file (the build before said only this).
    let damaged = warnings(false);
    assert_eq!(damaged.len(), 1);
    assert!(!damaged[0].contains("cancelled"), "{damaged:?}");
    assert!(text.len() > half.len());
}

#[test]
fn ok_a_file_stopped_partway_for_another_reason_says_that_reason() {
    // The engine's worker stops reading a big file between slices when its memory reaches its limit
    // (src/worker/mod.rs): the file keeps what was read, as with Cancel, and its warning gives the reason.
    let (_, gz) = gzip_lines();
    let half = &gz[..gz.len() / 2];
    let mut engine = Engine::new();
    let id = engine.open_file("big.jsonl.gz", gz.len() as u64);
    engine.push(id, half);
    engine.read_stopped(id, "the engine's memory reached its limit (3 GB)");
    engine.close_file(id);
    let r = &engine.files()[0].report;
    assert!(r.events > 0 && r.events < 400, "{} of 400 events kept", r.events);
    assert_eq!(r.kind, trailscope::ingest::FileKind::Logs);
    assert_eq!(engine.status().files_cut, 1);
    let warnings: Vec<_> = r.warnings.iter().map(|w| w.message.clone()).collect();
    assert_eq!(
        warnings,
        [format!(
            "the engine's memory reached its limit (3 GB) after {} bytes of this file; what came before was read, the rest was not",
            grouped(half.len() as u64)
        )]
    );
}

/// The engine's summary document, parsed.
fn summary(engine: &Engine) -> serde_json::Value {
    serde_json::from_str(&engine.summary_json()).unwrap()
}

#[test]
fn ok_the_summary_of_a_load_that_left_files_unread_says_so() {
    // Files the engine's worker does not read once its memory is full are not listed, but the
    // summary counts them, so a summary of an incomplete load cannot pass for a complete one.
    let (_, gz) = gzip_lines();
    let mut engine = Engine::new();
    engine.ingest_bytes("read.jsonl.gz", &gz);
    assert_eq!(summary(&engine)["input"]["not_read"], serde_json::Value::Null);
    let why = "the engine's memory reached its limit (3 GB)";
    engine.left_unread("b/second.json.gz", 1_000, why);
    engine.left_unread("c/third.json.gz", 234, why);
    // What the worker's progress tells the page comes from the same count.
    let unread = engine.unread().expect("two files left unread");
    assert_eq!((unread.files, unread.bytes, unread.first.as_deref()), (2, 1_234, Some("b/second.json.gz")));
    let doc = summary(&engine);
    assert_eq!(
        doc["input"]["not_read"],
        serde_json::json!({"why": why, "files": 2, "bytes": 1_234, "first": "b/second.json.gz"})
    );
    // Only the file read is listed, with its 400 events.
    assert_eq!(doc["input"]["files_total"], 1);
    assert_eq!(doc["events"], 400);
}

#[test]
fn ok_the_summary_after_a_cancel_counts_the_files_not_read_until_they_are() {
    // After a Cancel, files still queued are not read and not listed; the summary says how many, so
    // it cannot pass for the summary of everything dropped, and stops saying so once they are read.
    use trailscope::integrity::NotRead;
    let (_, gz) = gzip_lines();
    let mut engine = Engine::new();
    engine.ingest_bytes("read.jsonl.gz", &gz);
    assert_eq!(summary(&engine)["input"]["cancelled"], serde_json::Value::Null);
    engine.not_read("b/second.jsonl.gz", NotRead::Cancelled, Some(gz.len() as u64));
    engine.not_read("c/third.json.gz", NotRead::Cancelled, Some(234));
    // One the page never handed over: its size was never asked.
    engine.not_read("d/fourth.json.gz", NotRead::Cancelled, None);
    let doc = summary(&engine);
    assert_eq!(
        doc["input"]["cancelled"],
        serde_json::json!({"files": 3, "bytes": gz.len() + 234, "files_size_unknown": 1, "folders_not_listed": []})
    );
    assert_eq!(doc["input"]["not_read"], serde_json::Value::Null, "that one is the memory limit's");
    // Dropped again and read, the second no longer counts; its events are the first file's again.
    engine.ingest_bytes("b/second.jsonl.gz", &gz);
    let doc = summary(&engine);
    assert_eq!(
        doc["input"]["cancelled"],
        serde_json::json!({"files": 2, "bytes": 234, "files_size_unknown": 1, "folders_not_listed": []})
    );
    assert_eq!(doc["input"]["files_total"], 2);
}

#[test]
fn ok_a_gzip_file_being_read_counts_the_text_it_gave_so_far() {
    // The gzip'd JSON lines of the test above's kind, fed in two halves: between them, the text so far
    // is what flate2 inflates from the same first half.
    use std::io::Write;
    let (text, gz) = gzip_lines();
    let half = &gz[..gz.len() / 2];
    let mut inflated = Vec::new();
    let mut d = flate2::write::GzDecoder::new(&mut inflated);
    let _ = d.write_all(half);
    let _ = d.flush();
    drop(d);
    let mut engine = Engine::new();
    let id = engine.open_file("big.jsonl.gz", gz.len() as u64);
    engine.push(id, half);
    let s = engine.status();
    assert_eq!(s.bytes_read, half.len() as u64);
    assert!(s.bytes_decoded > 0 && s.bytes_decoded < text.len() as u64, "{} of {}", s.bytes_decoded, text.len());
    assert!(
        s.bytes_decoded.abs_diff(inflated.len() as u64) <= 32 * 1024,
        "{} against flate2's {}",
        s.bytes_decoded,
        inflated.len()
    );
    // And is listed as gzip already (the list said so only once the file ended).
    let Response::Overview(o) = engine.query(&Query::Overview) else { panic!("not an overview") };
    assert!(o.files[0].gzip);
    engine.push(id, &gz[gz.len() / 2..]);
    engine.close_file(id);
    assert_eq!(engine.status().bytes_decoded, text.len() as u64);
}

#[test]
fn ok_log_files_that_add_no_new_event_are_counted_as_repeated() {
    // The sample as delivered, then every file dropped again: a file is repeated when each of its
    // events (unique by the key `by_source` uses) was held already, counted here from the JSON.
    let files = walk(&root().join("sample"));
    let key = |e: &serde_json::Value| {
        [&e["eventID"], &e["eventTime"], &e["eventSource"], &e["eventName"]].map(ToString::to_string)
    };
    let (mut seen, mut expected, mut engine) = (HashSet::new(), 0, Engine::new());
    for (i, path) in files.iter().chain(&files).enumerate() {
        let events = records(path);
        let new = events.iter().filter(|e| seen.insert(key(e))).count();
        expected += u64::from(!events.is_empty() && new == 0);
        engine.ingest_bytes(&path.to_string_lossy(), &std::fs::read(path).unwrap());
        assert_eq!(engine.status().repeated, expected, "after {} (file {i})", path.display());
    }
    let logs = files.iter().filter(|p| !records(p).is_empty()).count() as u64;
    assert!(logs > 10, "the sample has many logs ({logs})");
    assert!(expected >= logs, "every log dropped again adds nothing ({expected} of {logs})");
    assert_eq!(engine.status().files, 2 * files.len() as u64, "each is read both times");
    assert_eq!(summary(&engine)["input"]["repeated_files"], expected, "the summary says so too");
}

#[test]
fn ok_overview_says_how_many_accounts_and_principals_there_are_past_the_listed_cut() {
    // An organization trail: 620 accounts, 700 IAM users (user i in account i mod 620), 3 regions.
    // The lists the views get are cut to MAX_LIST; the number of each is what the logs hold.
    let (accounts, users, regions) = (620, 700, ["us-east-1", "eu-west-1", "ap-southeast-2"]);
    assert!(accounts > MAX_LIST && users > MAX_LIST);
    let records: Vec<String> = (0..users)
        .map(|i| {
            let account = 100_000_000_000u64 + (i % accounts) as u64;
            format!(
                r#"{{"eventVersion":"1.08","eventTime":"2026-03-01T00:{:02}:{:02}Z","eventSource":"ecr.amazonaws.com",
                "eventName":"DescribeRepositories","awsRegion":"{}","eventID":"00000000-0000-4000-8000-{i:012}",
                "recipientAccountId":"{account}","userIdentity":{{"type":"IAMUser","accountId":"{account}",
                "arn":"arn:aws:iam::{account}:user/user{i}","principalId":"AIDA{i:016}"}}}}"#,
                i / 60,
                i % 60,
                regions[i % regions.len()]
            )
        })
        .collect();
    let mut engine = Engine::new();
    engine.ingest_bytes("org-trail.json", format!(r#"{{"Records":[{}]}}"#, records.join(",")).as_bytes());
    assert_eq!(engine.status().events, users as u64);
    // Every event (the kept counts) and a filter that keeps every event (counted afresh).
    for filter in [Filter::default(), Filter { from: Some(0), ..Filter::default() }] {
        let Response::Counts { counts, .. } = engine.query(&Query::Counts(Box::new(filter.clone()))) else {
            panic!("counts")
        };
        assert_eq!(counts.by_account.len(), MAX_LIST, "{filter:?}");
        assert_eq!(counts.distinct(Field::Account), accounts as u64, "{filter:?}");
        assert_eq!(counts.by_principal.len(), MAX_LIST, "{filter:?}");
        assert_eq!(counts.distinct(Field::Principal), users as u64, "{filter:?}");
        assert_eq!(counts.distinct(Field::Region), regions.len() as u64, "{filter:?}");
        assert_eq!(counts.distinct(Field::Source), 1, "{filter:?}");
    }
}

#[test]
fn ok_a_call_logged_without_a_name_is_a_row_that_filters_to_exactly_those_events() {
    // Two ECR events with no eventName and one PutImage: the overview's "(none)" row adds the
    // source and an empty name, which must keep the two.
    let records = [r#""eventName":"PutImage","#, "", ""]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            format!(
                r#"{{"eventTime":"2026-03-01T00:00:0{i}Z","eventSource":"ecr.amazonaws.com",{name}
                "eventID":"00000000-0000-4000-8000-00000000000{i}","awsRegion":"us-east-1"}}"#
            )
        })
        .collect::<Vec<_>>();
    let mut engine = Engine::new();
    engine.ingest_bytes("unnamed.json", format!(r#"{{"Records":[{}]}}"#, records.join(",")).as_bytes());
    assert_eq!(engine.status().events, 3);
    let counts = |filter: Filter| match engine.query(&Query::Counts(Box::new(filter))) {
        Response::Counts { counts, .. } => counts,
        _ => panic!("counts"),
    };
    let all = counts(Filter::default());
    let unnamed = all.by_name.iter().find(|n| n.name.is_empty()).expect("a row for the calls with no name");
    assert_eq!((unnamed.source.as_str(), unnamed.count), ("ecr.amazonaws.com", 2));
    let picked = Filter::default().with_all(&[(Field::Source, unnamed.source.clone()), (Field::Name, String::new())]);
    assert_eq!(counts(picked).events, 2);
}
