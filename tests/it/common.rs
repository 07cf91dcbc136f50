//! Helpers shared by the integration tests: independent counting with `serde_json::Value`, fixture
//! paths, and the shared corpus (skipped with a notice when absent).

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// `data` gzipped (one member, default level), as a test's input.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads a file, gunzipping it when it is gzip.
pub fn read_maybe_gz(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_end(&mut out).expect("gzip");
        out
    } else {
        bytes
    }
}

/// The `Records` of a file, as generic JSON values (not through Trailscope's parser).
pub fn records(path: &Path) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&read_maybe_gz(path)).expect("JSON");
    v["Records"].as_array().cloned().unwrap_or_default()
}

/// What tells two events apart, as CloudTrail's dedupe does: (eventID, eventTime, eventSource, eventName).
fn dedupe_key(e: &serde_json::Value) -> (String, String, String, String) {
    (e["eventID"].to_string(), e["eventTime"].to_string(), e["eventSource"].to_string(), e["eventName"].to_string())
}

/// Unique events by (eventID, eventTime, eventSource, eventName).
pub fn unique(events: &[serde_json::Value]) -> usize {
    events.iter().map(dedupe_key).collect::<HashSet<_>>().len()
}

/// The first of each event by (eventID, eventTime, eventSource, eventName), in order: the events
/// the engine keeps.
pub fn first_of_each(events: impl IntoIterator<Item = serde_json::Value>) -> Vec<serde_json::Value> {
    let mut seen = HashSet::new();
    events.into_iter().filter(|e| seen.insert(dedupe_key(e))).collect()
}

/// Files under `dir`, recursively, sorted.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())).flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The shared corpus folder (`$TRAILSCOPE_CORPUS`, else `../shared/corpus`), or `None` with a notice.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("TRAILSCOPE_CORPUS").map_or_else(|| root().join("../shared/corpus"), PathBuf::from);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("NOTICE: the shared corpus is not at {}; corpus tests skipped", dir.display());
        None
    }
}

/// One row of a count file written by `tests/data/count_events.py`.
#[derive(Debug, Clone)]
pub struct Counted {
    /// Path relative to the counted folder.
    pub path: String,
    /// `Logs`, `Digest`, `NotCloudTrail`, `Empty`, `Malformed`, or `All` for the `*` row.
    pub kind: String,
    /// Unique events (of that file alone, or of all files for `*`).
    pub events: u64,
}

/// Reads a count file (`tests/data/*.tsv`).
pub fn counts(tsv: &str) -> Vec<Counted> {
    let text = std::fs::read_to_string(root().join("tests/data").join(tsv)).expect("count file");
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Counted { path: f[0].to_owned(), kind: f[1].to_owned(), events: f[2].parse().expect("events") }
        })
        .collect()
}

/// `n` with a comma between each group of three digits.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Every event in a file, whatever its shape: Records objects, arrays, one event, JSON lines of
/// any of these, EventBridge envelopes (`detail`).
pub fn events_of(path: &Path) -> Vec<serde_json::Value> {
    fn flatten(v: serde_json::Value, out: &mut Vec<serde_json::Value>) {
        match v {
            serde_json::Value::Array(a) => a.into_iter().for_each(|x| flatten(x, out)),
            serde_json::Value::Object(mut o) if o.contains_key("Records") => flatten(o.remove("Records").unwrap(), out),
            serde_json::Value::Object(mut o) if o.get("detail").is_some_and(|d| d.get("eventSource").is_some()) => {
                flatten(o.remove("detail").unwrap(), out);
            }
            v @ serde_json::Value::Object(_) => out.push(v),
            _ => {}
        }
    }
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut all = Vec::new();
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => flatten(v, &mut all),
        Err(_) => text.lines().filter_map(|l| serde_json::from_str(l).ok()).for_each(|v| flatten(v, &mut all)),
    }
    all
}

/// `files` (under `dir`, named by their paths below it) read by two ingest workers in turn, their
/// batches taken now and then and absorbed, newest first, into one engine: as the page's pool does.
pub fn absorbed_in_batches(dir: &Path, files: &[PathBuf]) -> trailscope::engine::Engine {
    use trailscope::engine::Engine;
    let mut workers = [Engine::for_batches(), Engine::for_batches()];
    let mut batches = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let rel = f.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        workers[i % 2].ingest_bytes(&rel, &std::fs::read(f).unwrap());
        if i % 3 == 2 {
            batches.push(workers[i % 2].take_batch());
        }
    }
    batches.extend(workers.iter_mut().filter(|w| !w.files().is_empty()).map(Engine::take_batch));
    let mut engine = Engine::new();
    for b in batches.iter().rev() {
        engine.absorb_batch(b).expect("a batch made by take_batch reads back");
    }
    engine
}
