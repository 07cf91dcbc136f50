//! One test per hostile input: each gives the exact warning below, naming the offset where it makes
//! sense, and the rest of the file and of the batch (a good S3 log file loaded alongside) still loads.
//! Expected offsets and counts come from how each input is built here, not from Trailscope.

use serde_json::{json, Value};
use trailscope::engine::Engine;
use trailscope::ingest::{FileKind, FileReader, FileReport, Warning};
use trailscope::store::Store;

use super::common::{grouped, gzip, root};

const GOOD: &str = "AWSLogs/123456789012/CloudTrail/us-east-2/2019/04/15/123456789012_CloudTrail_us-east-2_20190415T1725Z_MultiMember0001.json.gz";
/// Unique events in GOOD (tests/data/fixture-counts.tsv).
const GOOD_EVENTS: u64 = 3;

fn seed_events() -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("tests/fixtures/seeds/ecr-documentation-examples.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["Records"].as_array().unwrap().clone()
}

/// A small event of AWS's (the KMS `CreateGrant` example) with another id, to build inputs around.
fn event(n: u32) -> Value {
    let mut e = seed_events()[1].clone();
    e["eventID"] = json!(format!("af4c9573-c56a-4886-baca-{n:012}"));
    e
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

/// Loads the good file and then `bytes` as `name` in one batch; returns the hostile file's report.
fn batch(name: &str, bytes: &[u8]) -> (Engine, FileReport) {
    let mut engine = Engine::new();
    engine.ingest_bytes(GOOD, &std::fs::read(root().join("tests/fixtures/ingest/shapes").join(GOOD)).unwrap());
    engine.ingest_bytes(name, bytes);
    assert_eq!(engine.files()[0].report.events, GOOD_EVENTS, "the rest of the batch loads");
    let report = engine.files()[1].report.clone();
    (engine, report)
}

fn w(offset: Option<u64>, message: &str) -> Warning {
    Warning { offset, message: message.to_owned() }
}

#[test]
fn err_malformed_event_is_skipped_with_its_offset_and_the_rest_loads() {
    let (a, b) = (compact(&event(1)), compact(&event(2)));
    let bad = r#"{"eventTime":"2019-04-15T16:45:00Z","eventName":"PutImage",,"eventID":"x"}"#;
    let text = format!(r#"{{"Records":[{a},{bad},{b}]}}"#);
    let at = text.find(bad).unwrap() as u64;
    let comma = at + bad.find(",,").unwrap() as u64 + 1;
    let (_, r) = batch("malformed.json", text.as_bytes());
    assert_eq!((r.kind, r.events, r.rejected), (FileKind::Logs, 2, 1));
    assert_eq!(
        r.warnings,
        [w(
            Some(at),
            &format!("the record at byte {at} is not valid JSON: key must be a string at byte {comma}; skipped")
        )]
    );
}

#[test]
fn err_truncated_gzip_keeps_the_events_before_the_cut() {
    // Two gzip members; the second ends inside the fourth event and its 8-byte trailer is cut off.
    let head = format!(r#"{{"Records":[{},{},"#, compact(&event(1)), compact(&event(2)));
    let tail = format!(r#"{},{{"eventVersion":"1.08","eventTime":"2019-04"#, compact(&event(3)));
    let mut file = gzip(head.as_bytes());
    let second = gzip(tail.as_bytes());
    file.extend_from_slice(&second[..second.len() - 8]);
    let cut_record = (head.len() + tail.find(r#"{"eventVersion":"1.08","eventTime":"2019-04"#).unwrap()) as u64;
    let (_, r) = batch("truncated.json.gz", &file);
    assert_eq!((r.kind, r.events), (FileKind::Logs, 3));
    assert_eq!(
        r.warnings,
        [w(
            None,
            &format!(
                "the gzip data ends early at byte {} (truncated or corrupt file); what came before was read",
                file.len()
            )
        )]
    );
    // The same text, not gzip'd: the framer says where the cut record starts.
    let (_, r) = batch("truncated.json", format!("{head}{tail}").as_bytes());
    assert_eq!((r.kind, r.events, r.rejected), (FileKind::Logs, 3, 1));
    assert_eq!(
        r.warnings,
        [w(
            Some(cut_record),
            &format!("the input ends inside a record (truncated file?) at byte {cut_record}; the rest of the file could not be read")
        )]
    );
}

#[test]
fn err_wrong_type_in_a_field_loads_the_event_with_that_field_empty() {
    let mut e = event(1);
    e["eventName"] = json!(5);
    e["readOnly"] = json!({"x": 1});
    e["userIdentity"]["type"] = json!(["IAMUser"]);
    let text = format!(r#"{{"Records":[{},{}]}}"#, compact(&e), compact(&event(2)));
    let (engine, r) = batch("wrong-type.json", text.as_bytes());
    assert_eq!((r.events, r.rejected), (2, 0));
    assert_eq!(
        r.warnings,
        [w(
            Some(12),
            "the event at byte 12 was loaded, but eventName is a number, left empty; readOnly is an object, left empty; userIdentity.type is an array, left empty"
        )]
    );
    let store = engine.store();
    let row = (0..store.len() as u32).find(|&r| store.event_id(r).ends_with("000000000001")).unwrap();
    assert_eq!(store.str(store.name(row)), "");
}

#[test]
fn err_event_over_256_kb_is_loaded_with_a_warning_and_over_1_mb_skipped() {
    // An event of exactly 300 KB: CloudTrail never writes one, a pipeline might.
    let mut big = event(1);
    big["requestParameters"] = json!({"pad": ""});
    let pad = 300 * 1024 - compact(&big).len();
    big["requestParameters"]["pad"] = json!("x".repeat(pad));
    assert_eq!(compact(&big).len(), 300 * 1024);
    // And one of exactly 2 MB, over the 1 MB that ingest keeps.
    let mut huge = event(2);
    huge["requestParameters"] = json!({"pad": ""});
    let pad = 2 * 1024 * 1024 - compact(&huge).len();
    huge["requestParameters"]["pad"] = json!("y".repeat(pad));
    let text = format!(r#"{{"Records":[{},{},{}]}}"#, compact(&big), compact(&huge), compact(&event(3)));
    let huge_at = 12 + 300 * 1024 + 1;
    let (_, r) = batch("big.json", text.as_bytes());
    assert_eq!((r.events, r.rejected), (2, 1));
    assert_eq!(
        r.warnings,
        [
            w(Some(12), "the event at byte 12 was loaded, but it is 300 KB long, over CloudTrail's 256 KB maximum for an event"),
            w(
                Some(huge_at),
                &format!("the record at byte {huge_at} is over 1 MB (it is 2 MB; CloudTrail's own limit is 256 KB); it was skipped")
            ),
        ]
    );
}

#[test]
fn err_deep_nesting_is_skipped_without_parsing_it() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let text = format!(r#"{{"Records":[{},{deep},{}]}}"#, compact(&event(1)), compact(&event(2)));
    let at = text.find(&deep).unwrap() as u64;
    // A deep value inside a lookup-events string, which the framer does not look into.
    let inner = format!(r#"{{"eventTime":"2019-04-15T16:45:00Z","x":{}{}}}"#, "[".repeat(200), "]".repeat(200));
    let (first, second) = (
        format!(r#"{{"EventId":"1","CloudTrailEvent":{}}}"#, compact(&json!(compact(&event(3))))),
        format!(r#"{{"EventId":"2","CloudTrailEvent":{}}}"#, compact(&json!(inner))),
    );
    let lookup = format!(r#"{{"Events":[{first},{second}]}}"#);
    let lookup_at = lookup.find(&second).unwrap() as u64;
    let (mut engine, r) = batch("deep.json", text.as_bytes());
    assert_eq!((r.events, r.rejected), (2, 1));
    assert_eq!(
        r.warnings,
        [w(Some(at), &format!("the record at byte {at} is nested more than 100 levels deep; it was skipped"))]
    );
    engine.ingest_bytes("deep-lookup.json", lookup.as_bytes());
    let r = &engine.files()[2].report;
    assert_eq!((r.events, r.rejected), (1, 1));
    assert_eq!(
        r.warnings,
        [w(
            Some(lookup_at),
            &format!("the record at byte {lookup_at} is nested more than 100 levels deep; it was skipped")
        )]
    );
}

#[test]
fn err_event_nested_past_the_limit_is_skipped_and_one_at_the_limit_loads() {
    // An event object is one level; `requestParameters` of `k` nested arrays makes it `k + 1` deep.
    // serde alone would read either (its own limit is 128), so this checks the reader's limit holds.
    let nested = |n: u32, k: usize| {
        let mut e = event(n);
        e["requestParameters"] = serde_json::from_str(&format!("{}{}", "[".repeat(k), "]".repeat(k))).unwrap();
        compact(&e)
    };
    let (at_limit, past) = (nested(1, 99), nested(2, 100));
    let text = format!(r#"{{"Records":[{at_limit},{past},{}]}}"#, compact(&event(3)));
    let at = text.find(&past).unwrap() as u64;
    for bytes in [text.clone().into_bytes(), gzip(text.as_bytes())] {
        let (_, r) = batch("CloudTrail/us-east-1/2019/04/15/nested.json", &bytes);
        assert_eq!((r.events, r.rejected), (2, 1));
        assert_eq!(
            r.warnings,
            [w(Some(at), &format!("the record at byte {at} is nested more than 100 levels deep; it was skipped"))]
        );
    }
}

#[test]
fn ok_non_ascii_text_read_whole_across_chunk_and_lookahead_edges() {
    // Events of growing length with two-, three- and four-byte characters in them, read in pieces
    // of several sizes: wherever a piece (or the reader's look-ahead) ends inside a character or
    // inside an event, every event loads with its text intact and without a warning.
    let agents: Vec<String> =
        (0..40).map(|n| format!("{}é—🦀{}", "a".repeat(n * 397 % 9000), "ü".repeat(n * 113 % 3000))).collect();
    let events: Vec<Value> = agents
        .iter()
        .enumerate()
        .map(|(n, a)| {
            let mut e = event(n as u32);
            e["userAgent"] = json!(a);
            e
        })
        .collect();
    let text = serde_json::to_string(&json!({ "Records": events })).unwrap();
    for piece in [1 << 20, 4096, 1000, 997] {
        let mut store = Store::new();
        let mut reader = FileReader::new(0, "CloudTrail/us-east-1/2019/04/15/text.json");
        for p in text.as_bytes().chunks(piece) {
            reader.push(p, &mut store);
        }
        let r = reader.finish(&mut store);
        assert_eq!((r.events, r.rejected, r.warnings.len()), (40, 0, 0), "pieces of {piece}: {:?}", r.warnings);
        let mut got: Vec<String> =
            (0..store.len() as u32).map(|r| store.str(store.user_agent(r)).into_owned()).collect();
        let mut want = agents.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want, "pieces of {piece}");
    }
}

/// What a reader made of `bytes`, pushed in pieces of the given sizes (cycled): the report and
/// every stored row, as text.
fn read_in_pieces(bytes: &[u8], pieces: &[usize], leads: bool) -> (String, Vec<String>) {
    let mut store = Store::new();
    let reader = FileReader::new(0, "AWSLogs/123456789012/CloudTrail/us-east-1/2019/04/15/m.json");
    let mut reader = if leads { reader } else { reader.framing_every_record() };
    let (mut at, mut k) = (0, 0);
    while at < bytes.len() {
        let end = (at + pieces[k % pieces.len()]).min(bytes.len());
        reader.push(&bytes[at..end], &mut store);
        (at, k) = (end, k + 1);
    }
    let report = format!("{:?}", reader.finish(&mut store));
    let rows = (0..store.len() as u32)
        .map(|r| {
            format!(
                "{} {} {} {} {:?} {:?}",
                store.time(r),
                store.str(store.name(r)),
                store.event_id(r),
                store.str(store.user_agent(r)),
                store.identity(r),
                store.locator(r)
            )
        })
        .collect();
    (report, rows)
}

#[test]
fn ok_leads_read_mangled_files_as_framing_every_record_does() {
    // Reading `Records` elements straight from the buffer (leads) must give what framing each
    // first gives, warnings and offsets included, whatever the damage: the same files, mangled
    // at random (seeded), read both ways in pieces of random sizes.
    let mut records: Vec<Value> = seed_events();
    records.extend((0..12).map(event));
    let clean = serde_json::to_string_pretty(&json!({ "Records": records })).unwrap().into_bytes();
    read_mangled_both_ways(&clean, records.len());
}

#[test]
fn ok_leads_read_mangled_json_lines_as_framing_every_record_does() {
    // The same for JSON lines, whose lines are leads once one was an event. Leads decline the
    // lines that are not events: an EventBridge envelope and a lookup-events entry, each around an
    // event, and JSON that is neither.
    let mut records: Vec<Value> = seed_events();
    records.extend((0..12).map(event));
    let mut lines: Vec<String> = records.iter().map(compact).collect();
    lines.insert(3, r#"{"note":"not an event"}"#.to_owned());
    let bridge =
        json!({ "version": "0", "id": "e1", "detail-type": "AWS API Call via CloudTrail", "detail": event(40) });
    lines.insert(5, bridge.to_string());
    lines.insert(7, json!({ "EventId": "e2", "CloudTrailEvent": compact(&event(41)) }).to_string());
    let clean = (lines.join("\n") + "\n").into_bytes();
    read_mangled_both_ways(&clean, records.len() + 2);
}

/// Reads 400 randomly mangled copies of `clean` (which holds `events` events) with leads and with
/// framing every record, and fails unless both give the same report and rows.
fn read_mangled_both_ways(clean: &[u8], events: usize) {
    const BYTES: &[u8] = b"{}[]\",:\\ 0a\xff\xc3\xe2\n";
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n.max(1) as u64) as usize
    };
    let mut loaded_somewhere = 0;
    for case in 0..400 {
        let mut text = clean.to_vec();
        for _ in 0..=next(4) {
            let at = next(text.len());
            match next(6) {
                0 => text[at] = BYTES[next(BYTES.len())],
                1 => {
                    let n = next(40);
                    text.drain(at..(at + n).min(text.len()));
                }
                2 => {
                    // A field nested about as deep as the reader's limit of 100, within serde's
                    // own of 128, in the next object from here.
                    if let Some(open) = text[at..].iter().position(|&b| b == b'{') {
                        let k = 95 + next(30);
                        let field = format!("\"deep\":{}{},", "[".repeat(k), "]".repeat(k));
                        let after = at + open + 1;
                        text.splice(after..after, field.into_bytes());
                    }
                }
                3 => text.truncate(at),
                4 => {
                    // A copy of some text elsewhere: whole elements, half elements, keys twice.
                    let (from, n) = (next(text.len()), next(3000));
                    let piece = text[from..(from + n).min(text.len())].to_vec();
                    text.splice(at..at, piece);
                }
                _ => text.insert(at, BYTES[next(BYTES.len())]),
            }
        }
        let pieces: Vec<usize> = (0..3).map(|_| 1 + next(6000)).collect();
        let with = read_in_pieces(&text, &pieces, true);
        let without = read_in_pieces(&text, &pieces, false);
        assert_eq!(with, without, "case {case}, pieces {pieces:?}");
        loaded_somewhere += with.1.len();
    }
    // The damage leaves most events readable, so the comparison is over rows, not empty stores.
    assert!(loaded_somewhere > 400 * events / 2, "{loaded_somewhere}");
}

#[test]
fn err_invalid_utf8_is_shown_as_replacement_characters() {
    let a = compact(&event(1)).replace("\"userAgent\":\"", "\"userAgent\":\"bad \u{1}");
    let mut text = format!(r#"{{"Records":[{a},{}]}}"#, compact(&event(2))).into_bytes();
    // Turn the \u{1} marker into a byte that is never UTF-8.
    let at = text.iter().position(|&b| b == 1).unwrap();
    text[at] = 0xff;
    let (engine, r) = batch("latin1.json", &text);
    assert_eq!((r.events, r.rejected), (2, 0));
    assert_eq!(
        r.warnings,
        [w(Some(12), &format!("the event at byte 12 was loaded, but it holds bytes that are not UTF-8 (the first at byte {at}), shown as �"))]
    );
    let store = engine.store();
    let agents: Vec<String> = (0..store.len() as u32).map(|r| store.str(store.user_agent(r)).into_owned()).collect();
    assert!(agents.iter().any(|a| a.starts_with("bad \u{fffd}")), "{agents:?}");
}

#[test]
fn err_invalid_utf8_in_a_field_not_read_is_still_named() {
    // serde's slice reader checks only the strings it reads; `tlsDetails` is passed over, so this
    // event parsed without a word before.
    let a = compact(&event(1)).replacen('{', "{\"tlsDetails\":{\"clientProvidedHostHeader\":\"x\u{1}y\"},", 1);
    let mut text = format!(r#"{{"Records":[{a},{}]}}"#, compact(&event(2))).into_bytes();
    let at = text.iter().position(|&b| b == 1).unwrap();
    text[at] = 0xfe;
    let (_, r) = batch("tls.json", &text);
    assert_eq!((r.events, r.rejected), (2, 0));
    assert_eq!(
        r.warnings,
        [w(Some(12), &format!("the event at byte 12 was loaded, but it holds bytes that are not UTF-8 (the first at byte {at}), shown as �"))]
    );
}

#[test]
fn err_invalid_utf8_in_a_field_not_read_is_named_in_json_lines_too() {
    // A line of JSON lines is read apart from a `Records` element; it was loaded without a word.
    let first = compact(&event(2));
    let second = compact(&event(1)).replacen('{', "{\"tlsDetails\":{\"clientProvidedHostHeader\":\"x\u{1}y\"},", 1);
    let mut text = format!("{first}\n{second}\n").into_bytes();
    let at = text.iter().position(|&b| b == 1).unwrap();
    text[at] = 0xfe;
    let line = first.len() + 1;
    let (_, r) = batch("tls.jsonl", &text);
    assert_eq!((r.events, r.rejected), (2, 0));
    assert_eq!(
        r.warnings,
        [w(
            Some(line as u64),
            &format!("the event at byte {line} was loaded, but it holds bytes that are not UTF-8 (the first at byte {at}), shown as �")
        )]
    );
}

#[test]
fn err_decompression_bomb_stops_with_the_ratio_in_the_warning() {
    // tests/fixtures/ingest/hostile/bomb.json.gz: two events, then 40 MB of spaces in 42 KB of gzip.
    let bytes = std::fs::read(root().join("tests/fixtures/ingest/hostile/bomb.json.gz")).unwrap();
    let (_, r) = batch("bomb.json.gz", &bytes);
    // Its two events are AWS's CreateRepository and PutImage examples, which the good file also holds.
    assert_eq!(r.events + r.duplicates, 2, "what came before the padding was read");
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    let m = &r.warnings[0].message;
    // Sizes read as people read them, with the exact counts beside: "16.1 MB (16,842,752 bytes)".
    let exact: Vec<u64> = m
        .split('(')
        .skip(1)
        .filter_map(|s| s.split_once(" bytes)").and_then(|(n, _)| n.replace(',', "").parse().ok()))
        .collect();
    let [decompressed, compressed] = exact[..] else { panic!("two exact sizes in {m}") };
    assert!(m.starts_with("decompression stopped after "), "{m}");
    assert!(m.contains(&format!(" MB ({} bytes) from ", grouped(decompressed))), "{m}");
    assert!(m.contains(&format!(" KB ({} bytes) of gzip: ", grouped(compressed))), "{m}");
    assert!(
        m.ends_with(": a compression ratio over 250:1 is a decompression bomb, not a log; what came before was read"),
        "{m}"
    );
    assert!(decompressed > 16 << 20 && decompressed > 250 * compressed && compressed <= bytes.len() as u64);
}

#[test]
fn err_decompressed_size_cap_is_named_in_the_warning() {
    // A real-looking log larger than a 64 KB cap (the default cap is 8 GB, too big for a test).
    let events: Vec<Value> = (0..100).map(event).collect();
    let bytes = gzip(serde_json::to_string(&json!({ "Records": events })).unwrap().as_bytes());
    let mut store = Store::new();
    let mut first = FileReader::new(0, "first.json");
    first.push(compact(&event(1000)).as_bytes(), &mut store);
    assert_eq!(first.finish(&mut store).events, 1);
    let mut reader = FileReader::with_max_decompressed(1, "capped.json.gz", 64 * 1024);
    reader.push(&bytes, &mut store);
    let r = reader.finish(&mut store);
    assert!(r.events > 0 && r.events < 100, "{}", r.events);
    let m = &r.warnings[0].message;
    assert!(m.starts_with("decompression stopped after "), "{m}");
    assert!(
        m.ends_with(" bytes) of gzip: the limit is 64 KB of decompressed data per file; what came before was read"),
        "{m}"
    );
    assert_eq!(store.len() as u64, 1 + r.events);
}

#[test]
fn err_empty_file() {
    let (_, r) = batch("empty.json", b"");
    assert_eq!((r.kind, r.warnings.as_slice()), (FileKind::Empty, [w(None, "the file is empty")].as_slice()));
}

#[test]
fn err_file_the_browser_cannot_read_is_unreadable_not_empty() {
    let mut engine = Engine::new();
    engine.ingest_bytes(GOOD, &std::fs::read(root().join("tests/fixtures/ingest/shapes").join(GOOD)).unwrap());
    let why = "NotFoundError: A requested file or directory could not be found";
    let id = engine.open_file("gone.json.gz", 5120);
    engine.read_failed(id, why);
    engine.close_file(id);
    let r = &engine.files()[1].report;
    let expected = format!("the browser could not read the file: {why}");
    assert_eq!((r.kind, r.warnings.as_slice()), (FileKind::Unreadable, [w(None, &expected)].as_slice()));
    assert_eq!(engine.status().unreadable, 1);
    assert_eq!(engine.files()[0].report.events, GOOD_EVENTS, "the rest of the batch loads");
}

#[test]
fn err_read_failing_mid_file_keeps_the_records_before_and_reports_no_cut_record() {
    // Two whole events, then the read stops inside the third: two load, one warning, no second one
    // about the record the failure cut off.
    let (a, b, c) = (compact(&event(1)), compact(&event(2)), compact(&event(3)));
    let text = format!(r#"{{"Records":[{a},{b},{c}]}}"#);
    let cut = text.find(&c).unwrap() + 20;
    let mut engine = Engine::new();
    let id = engine.open_file("partial.json", text.len() as u64);
    engine.push(id, &text.as_bytes()[..cut]);
    engine.read_failed(id, "NotReadableError: the file changed");
    engine.close_file(id);
    let r = &engine.files()[0].report;
    let expected = format!(
        "the browser stopped reading the file after {} bytes: NotReadableError: the file changed; what came before was read",
        grouped(cut as u64)
    );
    assert_eq!((r.kind, r.events), (FileKind::Logs, 2));
    assert_eq!(r.warnings, [w(None, &expected)]);
}

#[test]
fn err_binary_file() {
    let bytes = std::fs::read(root().join("tests/fixtures/ingest/hostile/binary.bin")).unwrap();
    let (engine, r) = batch("binary.bin", &bytes);
    assert_eq!(
        (r.kind, r.warnings.as_slice()),
        (FileKind::NotCloudTrail, [w(Some(0), "this is binary data, not a CloudTrail log")].as_slice())
    );
    assert_eq!(engine.status().unreadable, 1);
}

#[test]
fn err_text_that_is_not_a_log_is_named() {
    let bytes = std::fs::read(root().join("tests/fixtures/ingest/hostile/notes.txt")).unwrap();
    let (_, r) = batch("notes.txt", &bytes);
    assert_eq!(
        (r.kind, r.warnings.as_slice()),
        (
            FileKind::NotCloudTrail,
            [w(Some(0), "this is not a CloudTrail log: the text starts “Meeting notes: rotate the ECR pull crede…”")]
                .as_slice()
        )
    );
}

#[test]
fn err_json_that_is_not_cloudtrail_is_named() {
    let (_, r) = batch("package.json", br#"{"name":"x","version":"1.0.0","dependencies":{}}"#);
    assert_eq!(
        (r.kind, r.warnings.as_slice()),
        (
            FileKind::NotCloudTrail,
            [w(None, "this is JSON but not CloudTrail: its records have none of eventTime, eventName, eventSource, eventID (the first one has keys dependencies, name, version)")].as_slice()
        )
    );
}

#[test]
fn err_garbage_lines_in_json_lines_are_skipped() {
    let text = format!("{}\nnot json at all\n{}\ntrailing junk", compact(&event(1)), compact(&event(2)));
    let second_at = text.find("not json").unwrap() as u64;
    let last_at = text.find("trailing").unwrap() as u64;
    let (_, r) = batch("lines.jsonl", text.as_bytes());
    assert_eq!((r.kind, r.events, r.rejected), (FileKind::Logs, 2, 2));
    assert_eq!(
        r.warnings,
        [
            w(
                Some(second_at),
                &format!("text that is not JSON (“not json at all”) at byte {second_at}; that line was skipped")
            ),
            w(
                Some(last_at),
                &format!("text that is not JSON (“trailing junk”) at byte {last_at}; that line was skipped")
            ),
        ]
    );
}

#[test]
fn err_csv_row_without_a_time_and_an_unclosed_quote() {
    let header = "User name,AWS access key,Event time,Event source,Event name,AWS region,Source IP address,User agent,Error code,Resources,Request ID,Event ID,Read-only,Event type,Recipient Account Id,Event category";
    let good = "Mary,,2019-04-15T16:45:00Z,ecr.amazonaws.com,PutImage,us-east-2,203.0.113.1,docker,,[],r1,1bfd4ee2-2178-4a82-a27d-b12939923f0f,false,AwsApiCall,123456789012,Management";
    let no_time = "Mary,,,ecr.amazonaws.com,PutImage,us-east-2,203.0.113.1,docker,,not json,r2,3bfd4ee2-2178-4a82-a27d-b12939923f0f,false,AwsApiCall,123456789012,Management";
    let open = "\"Mary,,2019-04-15T16:46:00Z,ecr.amazonaws.com";
    let text = format!("{header}\r\n{good}\r\n{no_time}\r\n{open}\r\n");
    let (no_time_at, open_at) = (text.find(no_time).unwrap() as u64, text.find(open).unwrap() as u64);
    let (_, r) = batch("history.csv", text.as_bytes());
    assert_eq!((r.kind, r.events, r.rejected), (FileKind::Logs, 1, 2));
    assert_eq!(
        r.warnings,
        [
            w(
                Some(no_time_at),
                &format!("the CSV row at byte {no_time_at} (eventID 3bfd4ee2-2178-4a82-a27d-b12939923f0f) was skipped: it has no Event time")
            ),
            w(Some(open_at), &format!("the CSV record at byte {open_at} ends inside a quoted cell (truncated file?); skipped")),
        ]
    );
}

#[test]
fn err_array_of_things_that_are_not_events() {
    let dup = r#"{"eventTime":"2019-04-15T16:45:00Z","eventName":"A","eventName":"B"}"#;
    let text = format!(r#"[1, "two", {dup}]"#);
    let (_, r) = batch("numbers.json", text.as_bytes());
    assert_eq!((r.kind, r.events, r.rejected), (FileKind::Logs, 0, 3));
    assert_eq!(
        r.warnings,
        [
            w(Some(1), "the record at byte 1 is JSON but not an event object (it is a number); skipped"),
            w(Some(4), "the record at byte 4 is JSON but not an event object (it is a string); skipped"),
            w(Some(11), "the record at byte 11 is JSON but not an event object (duplicate field `eventName`); skipped"),
        ]
    );
}
