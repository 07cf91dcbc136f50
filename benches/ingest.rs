//! Ingest speed against baselines measured in the same run: `cargo bench --bench ingest`.
//!
//! Input: about 50,000 generated events (`../shared/tools/gen_cloudtrail.py --seed 7`, S3 layout, one
//! gzip'd `{"Records":[...]}` per file, as CloudTrail delivers them; `TRAILSCOPE_BENCH_EVENTS` to
//! change). Throughput is in decompressed JSON bytes, so every line compares the same work:
//! - `gunzip_only`: flate2's `MultiGzDecoder` reading every file, no parsing (the floor for gzip input);
//! - `serde_json_value`: `serde_json::from_slice::<Value>` of the decompressed files, the generic parse
//!   DESIGN.md warns against;
//! - `trailscope_gzip`: [`Engine::ingest_bytes`] on the `.json.gz` bytes (gunzip, frame, parse, dedupe,
//!   store) — what the worker does;
//! - `trailscope_plain`: the same on the decompressed bytes.
//!
//! - `absorb_batches`: what the engine's worker does when ingest workers read the files
//!   ([`Engine::absorb_batch`] of batches an ingest worker made with [`Engine::take_batch`], one per
//!   [`BATCH_EVENTS`] events, made beforehand): the share of loading that does not run in parallel.
//!
//! A second group reports `trailscope_gzip` in events per second.
//!
//! A third reads each `Records` element of the decompressed files into a [`RawEvent`] (the elements
//! found beforehand; throughput in their bytes): `serde_derive` through serde's derived
//! `Deserialize`, `quick` through [`quick::event`], the fast path ingest takes first, and
//! `serde_ignored_any` skipping the same bytes with serde (`IgnoredAny`), the floor of any serde
//! reader.

#[path = "support.rs"]
mod support;

use std::hint::black_box;
use std::io::Read;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use trailscope::engine::Engine;
use trailscope::ingest::quick;
use trailscope::ingest::raw::RawEvent;

/// The `Records` elements of a decompressed CloudTrail file, as text.
fn elements(bytes: &[u8]) -> Vec<&str> {
    #[derive(serde::Deserialize)]
    struct Log<'a> {
        #[serde(borrow, rename = "Records")]
        records: Vec<&'a RawValue>,
    }
    let log: Log = serde_json::from_slice(bytes).expect("a CloudTrail log");
    log.records.into_iter().map(RawValue::get).collect()
}

/// Events per batch, as an ingest worker sends them (`worker::pool::BATCH_EVENTS`, wasm-only).
const BATCH_EVENTS: usize = 16_384;

/// The batches ingest workers would send for `files`.
fn batches(files: &[(String, Vec<u8>)]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut reader = Engine::for_batches();
    for (path, bytes) in files {
        reader.ingest_bytes(path, bytes);
        if reader.store().len() >= BATCH_EVENTS {
            out.push(reader.take_batch());
        }
    }
    out.push(reader.take_batch());
    out
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out).expect("gzip");
    out
}

fn ingest_all(files: &[(String, Vec<u8>)]) -> Engine {
    let mut engine = Engine::new();
    for (path, bytes) in files {
        engine.ingest_bytes(path, bytes);
    }
    engine
}

fn bench(c: &mut Criterion) {
    let events: usize = std::env::var("TRAILSCOPE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if support::test_mode() { 2_000 } else { 50_000 });
    let Some(dir) = support::generated_dir(events) else { return };
    let gz = support::load(&dir);
    let plain: Vec<(String, Vec<u8>)> = gz.iter().map(|(p, b)| (p.clone(), gunzip(b))).collect();
    let decompressed: u64 = plain.iter().map(|(_, b)| b.len() as u64).sum();
    let compressed: u64 = gz.iter().map(|(_, b)| b.len() as u64).sum();
    let held = ingest_all(&gz).status().events;
    println!(
        "ingest bench input: {} files, {compressed} bytes gzip, {decompressed} bytes JSON, {held} events",
        gz.len()
    );

    let mut g = c.benchmark_group("ingest_bytes");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(decompressed));
    g.bench_function("gunzip_only", |b| {
        b.iter(|| {
            let mut sink = vec![0u8; 64 * 1024];
            for (_, bytes) in &gz {
                let mut d = flate2::read::MultiGzDecoder::new(&bytes[..]);
                while d.read(&mut sink).expect("gzip") > 0 {}
            }
        });
    });
    g.bench_function("serde_json_value", |b| {
        b.iter(|| {
            for (_, bytes) in &plain {
                black_box(serde_json::from_slice::<serde_json::Value>(bytes).expect("JSON"));
            }
        });
    });
    g.bench_function("trailscope_gzip", |b| b.iter(|| black_box(ingest_all(&gz).status().events)));
    g.bench_function("trailscope_plain", |b| b.iter(|| black_box(ingest_all(&plain).status().events)));
    let made = batches(&gz);
    g.bench_function("absorb_batches", |b| {
        b.iter(|| {
            let mut engine = Engine::new();
            for batch in &made {
                engine.absorb_batch(batch).expect("a batch reads back");
            }
            black_box(engine.status().events)
        });
    });
    g.finish();

    let mut g = c.benchmark_group("ingest_events");
    g.sample_size(10);
    g.throughput(Throughput::Elements(held));
    g.bench_function("trailscope_gzip", |b| b.iter(|| black_box(ingest_all(&gz).status().events)));
    g.finish();

    let texts: Vec<&str> = plain.iter().flat_map(|(_, bytes)| elements(bytes)).collect();
    let mut g = c.benchmark_group("read_event");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(texts.iter().map(|t| t.len() as u64).sum()));
    g.bench_function("serde_derive", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(serde_json::from_str::<RawEvent>(t).expect("an event"));
            }
        });
    });
    g.bench_function("quick", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(quick::event(t).expect("the fast path reads generated events"));
            }
        });
    });
    g.bench_function("serde_ignored_any", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(serde_json::from_str::<IgnoredAny>(t).expect("JSON"));
            }
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
