//! Prints what ingest makes of some files: kind, formats, counts and every warning.
//!
//!     cargo run --example ingest_report -- FILE...

use trailscope::engine::Engine;

fn main() {
    let mut engine = Engine::new();
    for path in std::env::args().skip(1) {
        match std::fs::read(&path) {
            Ok(bytes) => {
                engine.ingest_bytes(&path, &bytes);
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
    for f in engine.files() {
        let r = &f.report;
        println!(
            "{}: {:?} {:?} gzip={} events={} duplicates={} rejected={} warnings={}",
            f.path, r.kind, r.formats, r.gzip, r.events, r.duplicates, r.rejected, r.warnings_total
        );
        for w in &r.warnings {
            println!("  [{}] {}", w.offset.map_or("-".to_owned(), |o| o.to_string()), w.message);
        }
    }
    let s = engine.status();
    println!("total: {} events, {} duplicates, {} warnings", s.events, s.duplicates, s.warnings);
}
