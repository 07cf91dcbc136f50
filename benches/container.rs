//! What the container story costs, as ratios against ingest measured in the same run:
//!
//!     cargo bench --bench container
//!
//! Generates 100,000 events with `../shared/tools/gen_cloudtrail.py` (skipped with a notice when it
//! or python3 is missing), then times reading them into the store (the baseline), joining the
//! container index over the store, and answering the pages the Images view asks for. It also prints
//! the memory the container facts add to the store.

use std::path::PathBuf;
use std::process::Command;

use criterion::{criterion_group, criterion_main, Criterion};
use trailscope::analysis::container::nav::PushKeep;
use trailscope::analysis::container::{answer, Ask, ContainerQuery, Index};
use trailscope::analysis::filter::Filter;
use trailscope::engine::Engine;

fn logs() -> Option<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let gen = root.join("../shared/tools/gen_cloudtrail.py");
    let out = std::env::temp_dir().join(format!("trailscope-bench-container-{}.json", std::process::id()));
    let ok = Command::new("python3")
        .arg(&gen)
        .args(["--events", "100000", "--seed", "3", "--single"])
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("NOTICE: could not run {}; container benchmark skipped", gen.display());
        return None;
    }
    let bytes = std::fs::read(&out).ok();
    let _ = std::fs::remove_file(out);
    bytes
}

fn ingest(bytes: &[u8]) -> Engine {
    let mut e = Engine::new();
    e.ingest_bytes("bench.json", bytes);
    e
}

fn bench(c: &mut Criterion) {
    let Some(bytes) = logs() else { return };
    let engine = ingest(&bytes);
    let store = engine.store();
    let facts = store.container.heap_bytes();
    println!(
        "container facts: {} facts, {} bytes = {:.1}% of the store's {} bytes",
        store.container.len(),
        facts,
        facts as f64 * 100.0 / store.heap_bytes() as f64,
        store.heap_bytes()
    );
    let mut g = c.benchmark_group("container");
    g.sample_size(10);
    g.bench_function("ingest (baseline)", |b| b.iter(|| ingest(&bytes)));
    g.bench_function("index build", |b| b.iter(|| Index::build(store)));
    let ix = Index::build(store);
    let q = |ask| ContainerQuery { filter: Filter::default(), ask };
    g.bench_function("headline + repositories + pushes + pulls", |b| {
        b.iter(|| {
            for ask in [
                Ask::Headline,
                Ask::Repositories { offset: 0 },
                Ask::Pushes { offset: 0, keep: PushKeep::All },
                Ask::Pulls { offset: 0, outcome: None },
            ] {
                answer(&ix, store, &q(ask));
            }
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
