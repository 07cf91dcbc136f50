//! Whole bytes → store path: any input, pushed in chunks of a size the input chooses, through the
//! engine (sniffing, gzip, framing, every shape's parser, dedupe), then the overview and the
//! locator cut-out of every stored event. Nothing may panic; every event's locator must lie inside
//! the decompressed bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::engine::{Engine, Query};
use trailscope::ingest::event_json;

fuzz_target!(|data: &[u8]| {
    let (chunk, body) = match data.split_first() {
        Some((&c, rest)) => (usize::from(c % 64) * 97 + 1, rest),
        None => (1, data),
    };
    let mut engine = Engine::new();
    let id = engine.open_file("AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/01/f.json.gz", body.len() as u64);
    for piece in body.chunks(chunk) {
        engine.push(id, piece);
    }
    engine.close_file(id);
    // A second file with the same bytes in one piece: duplicates, not new events.
    engine.ingest_bytes("again.json", body);
    let _ = engine.query(&Query::Overview);
    let report = &engine.files()[0].report;
    let decompressed = report.bytes_decoded;
    let store = engine.store();
    let plain = if body.starts_with(&[0x1f, 0x8b]) { None } else { Some(body) };
    for r in 0..store.len() as u32 {
        let loc = store.locator(r);
        if loc.file != 0 {
            continue;
        }
        assert!(loc.offset + u64::from(loc.len) <= decompressed, "locator past the end");
        if let Some(plain) = plain {
            let slice = &plain[loc.offset as usize..(loc.offset + u64::from(loc.len)) as usize];
            let _ = event_json(loc.kind, slice, report.csv_header.as_deref());
        }
    }
});
