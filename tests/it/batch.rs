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

/// What an ingest worker reading large files does: `files` read by one engine, fed `chunk` bytes at
/// a time, with a batch taken every `every` chunks whatever file is open (so files are cut into
/// parts), each absorbed as the engine's worker does, continuing the file the last one ended in.
/// Also returns how many batches ended in the middle of a file.
fn load_in_parts(files: &[(String, Vec<u8>)], chunk: usize, every: usize) -> (Engine, usize) {
    let mut reader = Engine::for_batches();
    let mut engine = Engine::new();
    let mut open = None;
    let (mut fed, mut cut) = (0, 0);
    for (path, bytes) in files {
        let mut id = reader.open_file(path, bytes.len() as u64);
        for piece in bytes.chunks(chunk) {
            reader.push(id, piece);
            fed += 1;
            if fed % every == 0 {
                let (_, part) = engine.absorb_part(&reader.take_batch(), open).expect("a part reads back");
                assert!(part.is_some(), "a batch taken while a file is open ends with a part of it");
                (open, id, cut) = (part, 0, cut + 1);
            }
        }
        reader.close_file(id);
    }
    let (_, part) = engine.absorb_part(&reader.take_batch(), open).expect("the last batch reads back");
    assert_eq!(part, None, "every file was closed");
    (engine, cut)
}

/// `(kind, formats, events, duplicates, rejected, warnings)` of every file, by path.
fn reports(engine: &Engine) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = engine
        .files()
        .iter()
        .map(|f| {
            let r = &f.report;
            let w: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
            (f.path.clone(), format!("{:?} {:?} {} {} {} {w:?}", r.kind, r.formats, r.events, r.duplicates, r.rejected))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn ok_files_read_in_parts_equal_the_generators_truth_and_one_engine() {
    // Gzip files cut into parts mid-stream: the inflater's and the framer's state carry on into the
    // next batch's engine.
    let Some((dir, truth)) = generate(3_000, 13) else { return };
    let files = files_under(&dir.join("logs"));
    let all: Vec<serde_json::Value> = walk(&dir.join("logs")).iter().flat_map(|f| records(f)).collect();
    let (engine, cut) = load_in_parts(&files, 1024, 3);
    assert!(cut > files.len(), "files were cut into parts ({cut} cuts, {} files)", files.len());
    let status = engine.status();
    assert_eq!(status.events, unique(&all) as u64, "events, counted by serde_json::Value");
    assert_eq!(status.events + status.duplicates, all.len() as u64, "every record is an event or a duplicate");
    assert_eq!(status.files, files.len() as u64);
    let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    let n = |v: &serde_json::Value| v.as_u64().unwrap_or(u64::MAX);
    assert_eq!(n(&doc["ecr"]["pushes"]), n(&truth["pushes"]), "pushes");
    assert_eq!(n(&doc["ecr"]["expired_images"]), n(&truth["lifecycle_expired_images"]), "expired images");
    let mut one = Engine::new();
    for (path, bytes) in &files {
        one.ingest_bytes(path, bytes);
    }
    assert_eq!(doc, serde_json::from_str::<serde_json::Value>(&one.summary_json()).unwrap());
    assert_eq!(reports(&engine), reports(&one), "each file's report");
    assert_eq!(engine.files().len(), files.len(), "a file read in parts is listed once");
}

/// JSON lines of the `MultiMember` fixture's records, `times` over.
fn multi_member_lines(times: usize) -> (Vec<u8>, Vec<serde_json::Value>) {
    let rel = "tests/fixtures/ingest/shapes/AWSLogs/123456789012/CloudTrail/us-east-2/2019/04/15/123456789012_CloudTrail_us-east-2_20190415T1725Z_MultiMember0001.json.gz";
    let records = records(&root().join(rel));
    let mut text = Vec::new();
    let mut all = Vec::new();
    for _ in 0..times {
        for r in &records {
            text.extend_from_slice(serde_json::to_string(r).unwrap().as_bytes());
            text.push(b'\n');
            all.push(r.clone());
        }
    }
    (text, all)
}

#[test]
fn ok_a_file_repeating_its_events_counts_the_repeats_as_duplicates_across_parts() {
    let (text, all) = multi_member_lines(3);
    let files = vec![("export.jsonl".to_owned(), text)];
    let (engine, cut) = load_in_parts(&files, 512, 2);
    assert!(cut >= 3, "{cut} cuts");
    let n = unique(&all) as u64;
    assert_eq!(credit(&engine, "export.jsonl"), (n, all.len() as u64 - n));
}

/// An ingest worker's engine that has read the first half of the `MultiMember` fixture's records as
/// JSON lines at `path` (the file still open): with the whole text, the records, and the number of
/// complete lines in that half, counted by `serde_json`.
fn half_read(path: &str) -> (Engine, Vec<u8>, Vec<serde_json::Value>, u64) {
    let (text, all) = multi_member_lines(1);
    let half = text.len() / 2;
    let lines_fed =
        text[..half].split(|&b| b == b'\n').filter(|l| serde_json::from_slice::<serde_json::Value>(l).is_ok()).count();
    assert!(lines_fed > 0 && lines_fed < all.len());
    let mut reader = Engine::for_batches();
    let id = reader.open_file(path, text.len() as u64);
    reader.push(id, &text[..half]);
    (reader, text, all, lines_fed as u64)
}

/// Feeds `reader` the rest of `text` after its first half, into its first file, and closes it.
fn read_rest(reader: &mut Engine, text: &[u8]) {
    reader.push(0, &text[text.len() / 2..]);
    reader.close_file(0);
}

#[test]
fn ok_a_file_being_read_in_parts_is_listed_with_its_events_so_far_and_not_counted_done() {
    let (mut reader, text, all, lines_fed) = half_read("export.jsonl");
    let mut engine = Engine::new();
    let (ids, open) = engine.absorb_part(&reader.take_batch(), None).unwrap();
    assert_eq!(open, Some(ids[0]));
    assert_eq!(engine.status().events, lines_fed);
    assert_eq!(engine.status().files, 0, "a file still being read is not done");
    let Response::Overview(o) = engine.query(&Query::Overview) else { panic!("not an overview") };
    assert_eq!(o.files.len(), 1);
    assert_eq!((o.files[0].kind, o.files[0].events), (trailscope::ingest::FileKind::Pending, lines_fed));
    // A batch of whole files refuses it; continuing another file is refused too. Neither adds anything.
    let part = half_read("other.jsonl").0.take_batch();
    assert!(engine.absorb_batch(&part).is_err());
    assert!(engine.absorb_part(&part, Some(ids[0])).is_err(), "another file's part does not continue this one");
    assert!(engine.absorb_part(&part, Some(7)).is_err());
    assert_eq!((engine.status().events, engine.files().len()), (lines_fed, 1));
    read_rest(&mut reader, &text);
    let (rest, open) = engine.absorb_part(&reader.take_batch(), Some(ids[0])).unwrap();
    assert_eq!((rest, open), (ids.clone(), None));
    assert_eq!(engine.status().files, 1);
    assert_eq!(credit(&engine, "export.jsonl"), (unique(&all) as u64, (all.len() - unique(&all)) as u64));
}

#[test]
fn ok_a_part_whose_reader_is_lost_keeps_its_events_and_says_the_rest_was_not_read() {
    let (mut reader, _, _, lines_fed) = half_read("export.jsonl");
    let mut engine = Engine::new();
    let (_, open) = engine.absorb_part(&reader.take_batch(), None).unwrap();
    engine.part_lost(open.unwrap(), "the ingest worker reading it crashed");
    let f = &engine.files()[0];
    assert_eq!(f.report.kind, trailscope::ingest::FileKind::Logs);
    assert_eq!(f.report.events, lines_fed);
    assert_eq!(engine.status().files, 1);
    let warned: Vec<&str> = f.report.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].starts_with("the ingest worker reading it crashed after reading"), "{warned:?}");
    assert!(warned[0].contains("the rest was not"), "{warned:?}");
}

#[test]
fn ok_an_event_of_a_file_read_in_parts_settles_on_the_file_first_by_path_once_it_ends() {
    // `b/` is read in parts; meanwhile another ingest worker sends `a/`, which holds the same events
    // and sorts first, so the events move to `a/`. The move waits for `b/`'s last part, whose report
    // (the whole file's) would otherwise overwrite it and count the events in both files.
    let (a, b) = ("a/account-trail.jsonl", "b/org-trail.jsonl");
    let (mut reader, text, all, _) = half_read(b);
    let n = all.len() as u64;
    let mut engine = Engine::new();
    let (ids, open) = engine.absorb_part(&reader.take_batch(), None).unwrap();
    let mut whole = Engine::for_batches();
    whole.ingest_bytes(a, &text);
    engine.absorb_batch(&whole.take_batch()).unwrap();
    read_rest(&mut reader, &text);
    engine.absorb_part(&reader.take_batch(), open).unwrap();
    assert_eq!(open, Some(ids[0]));
    assert_eq!(credit(&engine, a), (n, 0));
    assert_eq!(credit(&engine, b), (0, n));
    assert_eq!(located_in(&engine), [a]);
    let listed: u64 = engine.files().iter().map(|f| f.report.events).sum();
    assert_eq!(listed, engine.status().events, "each event counts for one file");
}
