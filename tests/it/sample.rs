//! The bundled sample: what "Load sample logs" shows must match what was generated and documented.

use super::common::{records, root, unique, walk};
use trailscope::analysis::filter::{Compiled, Field, Filter};
use trailscope::engine::Engine;
use trailscope::ingest::FileKind;
use trailscope::sample::SAMPLE_FILES;

#[test]
fn ok_sample_loads_every_event_the_generator_and_aws_docs_wrote() {
    let mut engine = Engine::new();
    for (path, bytes) in SAMPLE_FILES {
        engine.ingest_bytes(path, bytes);
    }
    // Independent expectations: the generator's truth file, and the files read as plain JSON values.
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/sample-generated-truth.json")).unwrap(),
    )
    .unwrap();
    let files = walk(&root().join("sample"));
    assert_eq!(files.len(), SAMPLE_FILES.len());
    let generated: Vec<_> =
        files.iter().filter(|p| !p.to_string_lossy().contains("AwsDocExamples")).flat_map(|p| records(p)).collect();
    assert_eq!(generated.len() as u64, truth["events"].as_u64().unwrap());
    let all: Vec<_> = files.iter().flat_map(|p| records(p)).collect();
    let status = engine.status();
    assert_eq!(status.events, unique(&all) as u64);
    assert_eq!(status.duplicates, (all.len() - unique(&all)) as u64);
    assert_eq!(
        status.warnings,
        0,
        "{:?}",
        engine.files().iter().flat_map(|f| f.report.warnings.clone()).collect::<Vec<_>>()
    );
    assert!(engine.files().iter().all(|f| f.report.kind == FileKind::Logs && f.report.gzip));
    // Accounts and regions come from the S3 keys too.
    let first = &engine.files()[0];
    assert_eq!(first.meta().account.len(), 12);
}

#[test]
fn ok_seed_fixture_counts_by_source() {
    let path = root().join("tests/fixtures/seeds/ecr-documentation-examples.json");
    let events = records(&path);
    let mut engine = Engine::new();
    engine.ingest_bytes("ecr-documentation-examples.json", &std::fs::read(&path).unwrap());
    assert_eq!(engine.status().events, unique(&events) as u64);
    let counts = trailscope::analysis::counts::count(engine.store(), 0..engine.store().len() as u32);
    let kms = events.iter().filter(|e| e["eventSource"] == "kms.amazonaws.com").count() as u64;
    let kms_row = counts.by_source.iter().find(|c| c.key == "kms.amazonaws.com").map(|c| c.count);
    assert_eq!(kms_row, Some(kms));
}

#[test]
fn ok_the_repository_facet_counts_what_picking_it_keeps() {
    let mut engine = Engine::new();
    for (path, bytes) in SAMPLE_FILES {
        engine.ingest_bytes(path, bytes);
    }
    let events: Vec<_> = walk(&root().join("sample")).iter().flat_map(|p| records(p)).collect();
    let store = engine.store();
    let all = Compiled::new(&Filter::default(), store);
    let facet = trailscope::analysis::counts::by_repository(store, all.rows());
    // Every repository an ECR call of the sample names is listed (read from the JSON).
    let named: std::collections::BTreeSet<&str> = events
        .iter()
        .filter(|e| e["eventSource"] == "ecr.amazonaws.com")
        .filter_map(|e| e["requestParameters"]["repositoryName"].as_str())
        .collect();
    assert!(named.len() > 3, "{named:?}");
    for name in &named {
        assert!(facet.iter().any(|c| c.key == *name), "{name} is not offered");
    }
    // The count beside each is what the filter keeps once it is picked.
    for c in &facet {
        let kept = Compiled::new(&Filter::default().with(Field::Repository, &c.key), store).rows().count() as u64;
        assert_eq!(kept, c.count, "{}", c.key);
    }
    assert!(facet.windows(2).all(|w| w[0].count >= w[1].count), "most first");
}
