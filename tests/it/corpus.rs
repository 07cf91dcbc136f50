//! Every file of the shared third-party corpus loads with exactly the unique events that
//! `tests/data/count_events.py` (Python's own gzip/json/csv, no shared code) counted in it.

use std::collections::BTreeSet;

use super::common::{corpus, counts, walk};
use trailscope::engine::Engine;
use trailscope::ingest::FileKind;

#[test]
fn ok_every_corpus_file_holds_the_independently_counted_events() {
    let Some(dir) = corpus() else { return };
    let expected = counts("corpus-counts.tsv");
    // The count file must cover the corpus as it is, or it is stale.
    let on_disk: BTreeSet<String> = walk(&dir)
        .iter()
        .map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
        // Provenance sidecars and notes, as count_events.py leaves them out (exact names, by design).
        .filter(|p| !p.to_ascii_lowercase().ends_with(".index.tsv") && !p.to_ascii_lowercase().ends_with(".md"))
        .collect();
    let listed: BTreeSet<String> = expected.iter().filter(|c| c.path != "*").map(|c| c.path.clone()).collect();
    assert_eq!(
        on_disk, listed,
        "tests/data/corpus-counts.tsv is stale: run python3 tests/data/count_events.py ../shared/corpus tests/data/corpus-counts.tsv"
    );

    let mut all = Engine::new();
    let mut wrong = Vec::new();
    for c in expected.iter().filter(|c| c.path != "*") {
        let bytes = std::fs::read(dir.join(&c.path)).unwrap();
        all.ingest_bytes(&c.path, &bytes);
        let mut engine = Engine::new();
        engine.ingest_bytes(&c.path, &bytes);
        let r = &engine.files()[0].report;
        let kind_ok = match c.kind.as_str() {
            "Logs" => r.kind == FileKind::Logs,
            "Digest" => r.kind == FileKind::Digest && r.digest.is_some(),
            "Empty" => r.kind == FileKind::Empty,
            // JSON that does not parse at all: nothing in it is CloudTrail, and a warning says where.
            "Malformed" => r.kind == FileKind::NotCloudTrail && r.warnings.iter().any(|w| w.offset.is_some()),
            _ => r.kind == FileKind::NotCloudTrail && !r.warnings.is_empty(),
        };
        if r.events != c.events || !kind_ok {
            wrong.push(format!(
                "{}: expected {} {} events, got {:?} {} events; warnings {:?}",
                c.path, c.kind, c.events, r.kind, r.events, r.warnings
            ));
        }
    }
    assert!(wrong.is_empty(), "{} files differ:\n{}", wrong.len(), wrong.join("\n"));
    let total = expected.iter().find(|c| c.path == "*").expect("the * row").events;
    assert_eq!(all.status().events, total, "unique events of the whole corpus loaded together");
}
