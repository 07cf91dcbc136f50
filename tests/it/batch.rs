//! Several ingest workers sharing one engine: files read by separate engines, moved as batches
//! (`Engine::take_batch`) and absorbed (`Engine::absorb_batch`) in interleaved order, must give what
//! the generator's truth file and independent counts say, exactly as reading them in one engine does.

use std::path::Path;

use trailscope::engine::{Engine, Query, Response};
use trailscope::model::IdentityType;
use trailscope::store::RecordKind;

use super::common::{read_maybe_gz, records, root, unique, walk};
use super::container::generate;

/// Reads `files` with `workers` engines (file `i` goes to worker `i % workers`), each handing over a
/// batch every `per_batch` files, and absorbs the batches into one engine in round-robin order.
fn load_in_batches(files: &[(String, Vec<u8>)], workers: usize, per_batch: usize) -> Engine {
    let mut readers: Vec<Engine> = (0..workers).map(|_| Engine::for_batches()).collect();
    let mut batches: Vec<Vec<Vec<u8>>> = vec![Vec::new(); workers];
    for (i, (path, bytes)) in files.iter().enumerate() {
        let w = i % workers;
        readers[w].ingest_bytes(path, bytes);
        if readers[w].files().len() == per_batch {
            batches[w].push(readers[w].take_batch());
        }
    }
    for (w, reader) in readers.iter_mut().enumerate() {
        if !reader.files().is_empty() {
            batches[w].push(reader.take_batch());
        }
    }
    let mut engine = Engine::new();
    let most = batches.iter().map(Vec::len).max().unwrap_or(0);
    for round in 0..most {
        for list in &batches {
            if let Some(b) = list.get(round) {
                engine.absorb_batch(b).expect("a batch made by take_batch reads back");
            }
        }
    }
    engine
}

fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    walk(dir)
        .into_iter()
        .map(|f| (f.strip_prefix(dir).unwrap().to_string_lossy().into_owned(), std::fs::read(&f).unwrap()))
        .collect()
}

#[test]
fn ok_batches_from_several_workers_equal_the_generators_truth() {
    let Some((dir, truth)) = generate(6_000, 11) else { return };
    let files = files_under(&dir.join("logs"));
    let all: Vec<serde_json::Value> = walk(&dir.join("logs")).iter().flat_map(|f| records(f)).collect();
    let engine = load_in_batches(&files, 3, 4);
    let status = engine.status();
    assert_eq!(status.events, unique(&all) as u64, "events, counted by serde_json::Value");
    assert_eq!(status.events + status.duplicates, all.len() as u64, "every record is an event or a duplicate");
    assert_eq!(status.files, files.len() as u64);
    let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    let ecr = &doc["ecr"];
    let n = |v: &serde_json::Value| v.as_u64().unwrap_or(u64::MAX);
    assert_eq!(n(&ecr["pushes"]), n(&truth["pushes"]), "pushes");
    assert_eq!(n(&ecr["pulls"]), n(&truth["pulls"]), "pulls");
    assert_eq!(n(&ecr["lifecycle_runs"]), n(&truth["lifecycle_runs"]), "lifecycle runs");
    assert_eq!(n(&ecr["expired_images"]), n(&truth["lifecycle_expired_images"]), "expired images");
    // And the whole summary (counts, identities, ECR, integrity) is what one engine reading the files makes.
    let mut one = Engine::new();
    for (path, bytes) in &files {
        one.ingest_bytes(path, bytes);
    }
    let direct: serde_json::Value = serde_json::from_str(&one.summary_json()).unwrap();
    let (doc, direct) = (doc.as_object().unwrap(), direct.as_object().unwrap());
    assert_eq!(doc.keys().collect::<Vec<_>>(), direct.keys().collect::<Vec<_>>());
    for (key, value) in doc {
        // Files are listed by path, not in the order batches arrive in.
        assert_eq!(value, &direct[key], "summary section {key}");
    }
    let mut paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    paths.sort_unstable();
    let listed: Vec<&str> =
        doc["input"]["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(listed, paths, "the summary lists files by path");
    let Response::Overview(o) = engine.query(&Query::Overview) else { panic!("not an overview") };
    let shown: Vec<&str> = o.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(shown, paths[..shown.len()], "the overview lists files by path (none has a warning)");
}

#[test]
fn ok_a_file_delivered_twice_in_two_batches_counts_as_duplicates() {
    let rel = "tests/fixtures/ingest/shapes/AWSLogs/123456789012/CloudTrail/us-east-2/2019/04/15/123456789012_CloudTrail_us-east-2_20190415T1725Z_MultiMember0001.json.gz";
    let bytes = std::fs::read(root().join(rel)).unwrap();
    let all = serde_json::from_slice::<serde_json::Value>(&read_maybe_gz(&root().join(rel))).unwrap();
    let n = all["Records"].as_array().unwrap().len() as u64;
    assert!(n > 1);
    let files = vec![("a/first.json.gz".to_owned(), bytes.clone()), ("b/second.json.gz".to_owned(), bytes)];
    let engine = load_in_batches(&files, 2, 1);
    assert_eq!(engine.status().events, n);
    assert_eq!(engine.status().duplicates, n);
    let reports: Vec<(u64, u64)> = engine.files().iter().map(|f| (f.report.events, f.report.duplicates)).collect();
    assert_eq!(reports, [(n, 0), (0, n)], "the second file's events were all held already");
}

#[test]
fn ok_a_csv_row_absorbed_first_is_replaced_by_the_json_copy_from_another_batch() {
    let dir = root().join("tests/fixtures/ingest/shapes");
    let s3 = "AWSLogs/123456789012/CloudTrail/us-east-2/2019/04/15/123456789012_CloudTrail_us-east-2_20190415T1725Z_MultiMember0001.json.gz";
    let files = vec![
        ("event-history.csv".to_owned(), std::fs::read(dir.join("event-history.csv")).unwrap()),
        (s3.to_owned(), std::fs::read(dir.join(s3)).unwrap()),
    ];
    let engine = load_in_batches(&files, 2, 1);
    let store = engine.store();
    let put = (0..store.len() as u32).find(|&r| store.event_id(r) == "2bfd4ee2-2178-4a82-a27d-b12939923f0f").unwrap();
    let id = store.identity(put);
    assert!(id.source_known, "the JSON copy's caller replaces the CSV row's unknown one");
    assert_eq!(id.kind, IdentityType::IAMUser);
    // The same three events as ingest_shapes' one-engine test: the CSV holds three of the S3 file's events.
    assert_eq!(engine.status().duplicates, 3);
}

#[test]
fn ok_documentation_examples_with_non_uuid_ids_dedupe_across_batches() {
    // AWS's documentation examples use ids such as `e3c6f4ce-EXAMPLE`: not UUIDs, so the store keeps
    // them as strings, whose numbers differ between the batches' string tables.
    let path = root().join("tests/fixtures/seeds/ecr-documentation-examples.json");
    let bytes = std::fs::read(&path).unwrap();
    let events = records(&path);
    let files = vec![("one.json".to_owned(), bytes.clone()), ("two.json".to_owned(), bytes)];
    let engine = load_in_batches(&files, 2, 1);
    assert_eq!(engine.status().events, unique(&events) as u64);
    assert_eq!(engine.status().duplicates, unique(&events) as u64 + (events.len() - unique(&events)) as u64 * 2);
}

#[test]
fn err_a_cut_or_corrupt_batch_is_refused_and_adds_nothing() {
    let path = root().join("tests/fixtures/seeds/ecr-documentation-examples.json");
    let mut reader = Engine::for_batches();
    reader.ingest_bytes("docs.json", &std::fs::read(&path).unwrap());
    let batch = reader.take_batch();
    assert!(reader.files().is_empty() && reader.store().is_empty(), "taking a batch empties the reader");
    let mut engine = Engine::new();
    for cut in [1, batch.len() / 3, batch.len() / 2, batch.len() - 1] {
        assert!(engine.absorb_batch(&batch[..cut]).is_err(), "cut at {cut} of {}", batch.len());
        assert_eq!(engine.store().len(), 0);
        assert!(engine.files().is_empty());
    }
    let mut longer = batch.clone();
    longer.push(0);
    assert!(engine.absorb_batch(&longer).is_err());
    engine.absorb_batch(&batch).expect("the whole batch reads");
    assert_eq!(engine.store().len(), unique(&records(&path)));
}

/// The `MultiMember` fixture's bytes and its number of records (counted by `serde_json`).
fn multi_member() -> (Vec<u8>, u64) {
    let rel = "tests/fixtures/ingest/shapes/AWSLogs/123456789012/CloudTrail/us-east-2/2019/04/15/123456789012_CloudTrail_us-east-2_20190415T1725Z_MultiMember0001.json.gz";
    let all = serde_json::from_slice::<serde_json::Value>(&read_maybe_gz(&root().join(rel))).unwrap();
    (std::fs::read(root().join(rel)).unwrap(), all["Records"].as_array().unwrap().len() as u64)
}

/// `(events, duplicates)` of the file at `path`.
fn credit(engine: &Engine, path: &str) -> (u64, u64) {
    let f = engine.files().iter().find(|f| f.path == path).unwrap();
    (f.report.events, f.report.duplicates)
}

/// The path of the file every row's locator points at.
fn located_in(engine: &Engine) -> Vec<&str> {
    let store = engine.store();
    let mut paths: Vec<&str> =
        (0..store.len() as u32).map(|r| engine.files()[store.locator(r).file as usize].path.as_str()).collect();
    paths.dedup();
    paths
}

#[test]
fn ok_an_event_in_two_files_counts_for_the_file_first_by_path_whatever_the_order() {
    // An account trail and an organization trail in one folder deliver every event twice. Which file
    // gets the event, and which one the duplicate, must not depend on which was read first (ingest
    // workers finish files in a different order on every load).
    let (bytes, n) = multi_member();
    assert!(n > 1);
    let (a, b) = ("a/account-trail.json.gz", "b/org-trail.json.gz");
    let orders = [[a, b], [b, a]];
    for order in orders {
        let files: Vec<(String, Vec<u8>)> = order.iter().map(|p| (p.to_string(), bytes.clone())).collect();
        let mut one = Engine::new();
        for (path, bytes) in &files {
            one.ingest_bytes(path, bytes);
        }
        for (how, engine) in [("one engine", one), ("batches", load_in_batches(&files, 2, 1))] {
            assert_eq!((engine.status().events, engine.status().duplicates), (n, n), "{how}, {order:?}");
            assert_eq!(credit(&engine, a), (n, 0), "{how}, read in the order {order:?}");
            assert_eq!(credit(&engine, b), (0, n), "{how}, read in the order {order:?}");
            assert_eq!(located_in(&engine), [a], "{how}, {order:?}: the events are read back from the first file");
        }
    }
}

#[test]
fn ok_files_read_at_once_settle_their_copies_once_both_are_closed() {
    // The engine's worker can have several files open; a copy is weighed only when both files are
    // closed, so that no move lands on a report that closing the file then replaces.
    let (bytes, n) = multi_member();
    let (a, b) = ("a/account-trail.json.gz", "b/org-trail.json.gz");
    for close_first in [a, b] {
        let mut engine = Engine::new();
        let ib = engine.open_file(b, bytes.len() as u64);
        let ia = engine.open_file(a, bytes.len() as u64);
        engine.push(ib, &bytes);
        engine.push(ia, &bytes);
        let (first, second) = if close_first == a { (ia, ib) } else { (ib, ia) };
        engine.close_file(first);
        engine.close_file(second);
        assert_eq!(credit(&engine, a), (n, 0), "{close_first} closed first");
        assert_eq!(credit(&engine, b), (0, n), "{close_first} closed first");
        assert_eq!(located_in(&engine), [a]);
    }
}

#[test]
fn ok_an_event_in_a_csv_and_in_json_counts_for_the_json_file_whatever_the_order() {
    let dir = root().join("tests/fixtures/ingest/shapes");
    // Named so that it sorts before the S3 file: the JSON copy still wins, since it knows the caller
    // and has JSON to show.
    let csv = "0-downloads/event-history.csv";
    let s3 = "AWSLogs/123456789012/CloudTrail/us-east-2/2019/04/15/123456789012_CloudTrail_us-east-2_20190415T1725Z_MultiMember0001.json.gz";
    let csv_text = std::fs::read_to_string(dir.join("event-history.csv")).unwrap();
    let json = records(&dir.join(s3));
    // Events of the S3 file that the console CSV also holds, found by their eventID in its text.
    let shared = json.iter().filter(|e| csv_text.contains(e["eventID"].as_str().unwrap())).count() as u64;
    assert!(shared > 0);
    let mut csv_only = Engine::new();
    csv_only.ingest_bytes(csv, csv_text.as_bytes());
    let csv_rows = csv_only.status().events;
    assert!(csv < s3);
    for order in [[csv, s3], [s3, csv]] {
        let files: Vec<(String, Vec<u8>)> = order
            .iter()
            .map(|&p| {
                (
                    p.to_string(),
                    if p == csv { csv_text.clone().into_bytes() } else { std::fs::read(dir.join(p)).unwrap() },
                )
            })
            .collect();
        let mut one = Engine::new();
        for (path, bytes) in &files {
            one.ingest_bytes(path, bytes);
        }
        for (how, engine) in [("one engine", one), ("batches", load_in_batches(&files, 2, 1))] {
            assert_eq!(credit(&engine, s3), (json.len() as u64, 0), "{how}, {order:?}");
            assert_eq!(credit(&engine, csv), (csv_rows - shared, shared), "{how}, {order:?}");
            let store = engine.store();
            let from_json = (0..store.len() as u32).filter(|&r| store.locator(r).kind != RecordKind::CsvRow).count();
            assert_eq!(from_json, json.len(), "{how}, {order:?}: the shared events are read back from the JSON");
        }
    }
}
