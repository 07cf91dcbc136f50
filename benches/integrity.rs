//! What hashing costs next to ingest, to decide where the integrity check hashes log files.
//!
//! `cargo bench --bench integrity --features soft-sha256` (the feature turns off the CPU's SHA
//! instructions, which WebAssembly does not have, so the ratio predicts the browser's). Compares, over
//! the bundled sample logs: full ingest, decompression alone, and decompression + SHA-256 (what the
//! worker does when it reads a file again for the integrity check). Read the figures as ratios.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trailscope::engine::Engine;
use trailscope::ingest::decode::Decoder;
use trailscope::integrity::hash::Hasher;
use trailscope::sample::SAMPLE_FILES;

fn decoded_bytes() -> u64 {
    SAMPLE_FILES
        .iter()
        .map(|(_, b)| {
            let mut n = 0u64;
            let mut d = Decoder::new();
            let _ = d.push(b, &mut |x| n += x.len() as u64);
            let _ = d.finish(&mut |x| n += x.len() as u64);
            n
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("integrity");
    g.throughput(Throughput::Bytes(decoded_bytes()));
    g.bench_function("ingest", |b| {
        b.iter(|| {
            let mut e = Engine::new();
            for (path, bytes) in SAMPLE_FILES {
                e.ingest_bytes(path, bytes);
            }
            black_box(e.status())
        });
    });
    g.bench_function("decompress", |b| {
        b.iter(|| {
            for (_, bytes) in SAMPLE_FILES {
                let mut d = Decoder::new();
                let _ = d.push(bytes, &mut |x| {
                    black_box(x);
                });
                let _ = d.finish(&mut |x| {
                    black_box(x);
                });
            }
        });
    });
    g.bench_function("decompress_sha256", |b| {
        b.iter(|| {
            for (_, bytes) in SAMPLE_FILES {
                black_box(Hasher::of(bytes));
            }
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
