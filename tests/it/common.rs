//! Helpers shared by the integration tests: independent counting with `serde_json::Value`, fixture
//! paths, and the shared corpus (skipped with a notice when absent).

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

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

/// Unique events by (eventID, eventTime, eventSource, eventName).
pub fn unique(events: &[serde_json::Value]) -> usize {
    events
        .iter()
        .map(|e| {
            (
                e["eventID"].to_string(),
                e["eventTime"].to_string(),
                e["eventSource"].to_string(),
                e["eventName"].to_string(),
            )
        })
        .collect::<HashSet<_>>()
        .len()
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
