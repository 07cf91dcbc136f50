//! Searching the whole JSON of every event (`Engine::search_json`): the bundled sample and real
//! CloudTrail from the shared corpus, read again from the files, compared with what a walk of every
//! key and value of the same events, parsed with `serde_json::Value`, finds.
//!
//! The needles are values only request parameters name (an S3 bucket, an instance ID, a KMS alias),
//! which the search box's own fields never match, so before the search of the whole events they
//! find next to nothing, and after it exactly the events the walk finds.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use trailscope::analysis::filter::{Compiled, Filter};
use trailscope::engine::Engine;

use super::common::{records, root, walk};

/// Whether any key or value of `v` (numbers and booleans as JSON writes them) contains `needle`
/// (lower case), ignoring case.
fn walk_finds(v: &Value, needle: &str) -> bool {
    match v {
        Value::String(s) => s.to_lowercase().contains(needle),
        Value::Array(a) => a.iter().any(|x| walk_finds(x, needle)),
        Value::Object(o) => o.iter().any(|(k, x)| k.to_lowercase().contains(needle) || walk_finds(x, needle)),
        other => other.to_string().contains(needle),
    }
}

/// Unique events (by eventID, time, source and name, as CloudTrail's duplicates are told apart)
/// whose JSON the walk finds `needle` in.
fn found_by_walk(files: &[PathBuf], needle: &str) -> usize {
    let mut seen = HashSet::new();
    files
        .iter()
        .flat_map(|f| records(f))
        .filter(|e| {
            seen.insert([&e["eventID"], &e["eventTime"], &e["eventSource"], &e["eventName"]].map(ToString::to_string))
        })
        .filter(|e| walk_finds(e, &needle.to_lowercase()))
        .count()
}

fn load(files: &[PathBuf]) -> Engine {
    let mut e = Engine::new();
    for f in files {
        e.ingest_bytes(&f.to_string_lossy(), &std::fs::read(f).unwrap());
    }
    e
}

fn kept(e: &Engine, text: &str) -> usize {
    Compiled::new(&Filter { text: text.into(), ..Filter::default() }, e.store()).rows().count()
}

fn read(path: &str) -> Option<Vec<u8>> {
    std::fs::read(Path::new(path)).ok()
}

fn check(files: &[PathBuf], needles: &[&str]) {
    let mut e = load(files);
    let held = e.store().len() as u64;
    let fields_only: Vec<usize> = needles.iter().map(|n| kept(&e, n)).collect();
    for (&needle, &before) in needles.iter().zip(&fields_only) {
        let want = found_by_walk(files, needle);
        assert!(want > 0, "{needle}: the walk finds it");
        assert!(before < want, "{needle}: the fields alone find {before} of {want}");
        let report = e.search_json(needle, read);
        assert!(report.done && report.problems.is_empty(), "{needle}: {:?}", report.problems);
        assert_eq!((report.searched, report.total), (held, held), "{needle}: every event read again");
        assert_eq!(report.matched, want as u64, "{needle}: found in the JSON");
        assert_eq!(kept(&e, needle), want, "{needle}: the search box keeps them");
        // Case and spaces around the text do not matter, as in the search box.
        assert_eq!(kept(&e, &format!("  {}  ", needle.to_uppercase())), want, "{needle}");
    }
    // The rows are kept for the last text searched so only: the first text is back to its fields.
    assert_eq!(kept(&e, needles[0]), fields_only[0]);
}

#[test]
fn ok_the_samples_bucket_is_found_in_the_whole_events() {
    let files = walk(&root().join("sample"));
    let mut e = load(&files);
    let want = found_by_walk(&files, "ml-datasets");
    assert_eq!(kept(&e, "ml-datasets"), 0, "no field the search box looks at names the bucket");
    let report = e.search_json("ml-datasets", read);
    assert_eq!(report.matched, want as u64);
    assert_eq!(kept(&e, "ml-datasets"), want);
    // Another text: the fields alone again, until it is searched for so.
    assert_eq!(kept(&e, "ml-dataset"), 0);
    e.search_json("ml-dataset", read);
    assert_eq!(kept(&e, "ml-dataset"), found_by_walk(&files, "ml-dataset"));
    assert_eq!(kept(&e, "ml-datasets"), 0, "only the last search's rows are kept");
}

#[test]
fn ok_corpus_buckets_instances_and_keys_are_found_in_the_whole_events() {
    let dir = std::env::var_os("TRAILSCOPE_CORPUS").map_or_else(|| root().join("../shared/corpus"), PathBuf::from);
    let dir = dir.join("invictus-ir-aws_dataset");
    if !dir.is_dir() {
        eprintln!("NOTICE: shared corpus not found at {}; JSON search corpus checks skipped", dir.display());
        return;
    }
    let files: Vec<PathBuf> = walk(&dir).into_iter().filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    check(&files, &["stratus-red-team-ctlr-bucket-zqfsvooxqj", "i-0dbc91f429e48eeed", "alias/aws/ssm"]);
}

#[test]
fn ok_a_file_gone_is_named_and_the_rest_are_searched() {
    let files = walk(&root().join("sample"));
    let mut e = load(&files);
    let gone = files.iter().find(|f| !records(f).is_empty()).unwrap();
    let gone_path = gone.to_string_lossy().into_owned();
    let in_gone = records(gone).len() as u64;
    let report = e.search_json("ml-datasets", |p| if p == gone_path { None } else { read(p) });
    assert!(report.done);
    assert_eq!(
        report.problems,
        vec![format!("{gone_path}: the file is no longer available ({in_gone} events not read again)")]
    );
    assert_eq!(report.searched, report.total - in_gone, "every event of the other files");
}
