//! Resident bytes per event of the store, at scale: `cargo bench --bench store_memory`.
//!
//! Ingests about 300,000 generated events (`../shared/tools/gen_cloudtrail.py --seed 7`, S3 layout,
//! gzip) through the [`Engine`], reading one file at a time as the worker does, and reports two figures:
//! the growth of the process's resident set (`VmRSS` in `/proc/self/status`) across the ingest, and the
//! bytes the store accounts for itself ([`Store::heap_bytes`]: every column, the string table, the
//! identity table and the dedupe index, by capacity). Both include everything the engine keeps; neither
//! includes the browser's `File` handles, which the worker holds outside the engine. It also prints
//! the string table's text by kind (digests, ARNs, keys...), the largest part of the store. In `--test` mode
//! (`cargo bench -- --test`, as `scripts/check.sh` runs it) it uses 20,000 events and fails if the
//! store's own figure exceeds the 150 bytes per event target.
//!
//! Set `TRAILSCOPE_MEMORY_EVENTS` to measure another size.

#[path = "support.rs"]
mod support;

use trailscope::engine::Engine;

/// The target from issue 3: at most this many resident bytes per event.
const TARGET_BYTES_PER_EVENT: f64 = 150.0;

fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// What kind of text a string is, to see which strings the store holds per event.
fn string_kind(s: &str) -> &'static str {
    let hex = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_hexdigit());
    if s.strip_prefix("sha256:").is_some_and(hex) {
        "sha256 digest"
    } else if trailscope::store::parse_uuid(s).is_some() {
        "uuid"
    } else if s.starts_with("arn:") {
        "arn"
    } else if hex(s) {
        "hex"
    } else if s.len() == 20 && (s.starts_with("AKIA") || s.starts_with("ASIA")) {
        "access key"
    } else if s.starts_with("AIDA") || s.starts_with("AROA") {
        "principal id"
    } else {
        "other"
    }
}

/// Prints the string table's text by kind: count, text bytes per event.
fn print_string_kinds(store: &trailscope::store::Store, n: f64) {
    let mut kinds: std::collections::BTreeMap<&str, (usize, usize)> = std::collections::BTreeMap::new();
    for (_, s) in store.strings.iter() {
        let k = kinds.entry(string_kind(&s)).or_default();
        k.0 += 1;
        k.1 += s.len();
    }
    for (kind, (count, bytes)) in kinds {
        println!("store_memory:     strings: {kind:<24} {count:>8} strings {:>7.1} text bytes/event", bytes as f64 / n);
    }
}

fn main() {
    let test = support::test_mode();
    let events: usize = std::env::var("TRAILSCOPE_MEMORY_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if test { 20_000 } else { 300_000 });
    let Some(dir) = support::generated_dir(events) else { return };
    let files = support::files(&dir);
    let before = rss_bytes();
    let mut engine = Engine::new();
    for path in &files {
        let bytes = std::fs::read(path).expect("read generated log");
        let rel = path.strip_prefix(&dir).unwrap_or(path).to_string_lossy().into_owned();
        engine.ingest_bytes(&rel, &bytes);
    }
    let after = rss_bytes();
    let status = engine.status();
    let n = status.events as f64;
    let own = engine.store().heap_bytes() as f64 / n;
    println!(
        "store_memory: {} files, {} unique events, {} duplicates, {} warnings",
        files.len(),
        status.events,
        status.duplicates,
        status.warnings
    );
    println!("store_memory: store accounting {own:.1} bytes/event ({} bytes)", engine.store().heap_bytes());
    for (part, bytes) in engine.store().heap_breakdown() {
        println!("store_memory:   {part:<40} {:>7.1} bytes/event", bytes as f64 / n);
    }
    print_string_kinds(engine.store(), n);
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "store_memory: resident set growth {:.1} bytes/event ({} bytes)",
            a.saturating_sub(b) as f64 / n,
            a.saturating_sub(b)
        );
    }
    if test {
        assert!(
            own <= TARGET_BYTES_PER_EVENT,
            "the store holds {own:.1} bytes per event, over the {TARGET_BYTES_PER_EVENT} target"
        );
        println!("store_memory: ok (test mode, {events} events)");
    }
}
