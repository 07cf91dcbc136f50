//! Diagnosis only: time each ingest stage over decompressed generated logs.
use std::io::Read;
use std::time::Instant;
use trailscope::ingest::frame::{Frame, Framer};
use trailscope::ingest::raw::RawEvent;

fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            if e.path().is_dir() { stack.push(e.path()) } else if e.path().extension().is_some_and(|x| x == "gz") {
                let mut out = Vec::new();
                flate2::read::MultiGzDecoder::new(std::fs::File::open(e.path()).unwrap()).read_to_end(&mut out).unwrap();
                files.push(out);
            }
        }
    }
    let total: usize = files.iter().map(Vec::len).sum();
    let mb = total as f64 / 1e6;
    let only = std::env::args().nth(2);
    if only.as_deref() == Some("raw") {
        for _ in 0..3 { for f in &files { let mut fr = Framer::new(); fr.push(f, &mut |x| if let Frame::Item{bytes,..} = x { let r: RawEvent = serde_json::from_slice(bytes).unwrap(); std::hint::black_box(&r); }); } }
        return;
    }
    if only.as_deref() == Some("engine") {
        for _ in 0..3 { let mut e = trailscope::engine::Engine::new(); for (i, f) in files.iter().enumerate() { e.ingest_bytes(&format!("f{i}"), f); } }
        return;
    }
    let t = Instant::now();
    let mut n = 0;
    for f in &files { let mut fr = Framer::new(); fr.push(f, &mut |x| if let Frame::Item{..} = x { n += 1 }); fr.finish(&mut |_| {}); }
    println!("framer: {:.0} MB/s ({n} items)", mb / t.elapsed().as_secs_f64());
    let t = Instant::now();
    for f in &files { let mut fr = Framer::new(); fr.push(f, &mut |x| if let Frame::Item{bytes,..} = x { let r: RawEvent = serde_json::from_slice(bytes).unwrap(); std::hint::black_box(&r); }); fr.finish(&mut |_| {}); }
    println!("framer+RawEvent: {:.0} MB/s", mb / t.elapsed().as_secs_f64());
    let t = Instant::now();
    for f in &files { let v: serde_json::value::Value = serde_json::from_slice(f).unwrap(); std::hint::black_box(&v); }
    println!("Value: {:.0} MB/s", mb / t.elapsed().as_secs_f64());
    let t = Instant::now();
    for f in &files { let v: serde::de::IgnoredAny = serde_json::from_slice(f).unwrap(); std::hint::black_box(&v); }
    println!("IgnoredAny: {:.0} MB/s", mb / t.elapsed().as_secs_f64());
    let t = Instant::now();
    let mut e = trailscope::engine::Engine::new();
    for (i, f) in files.iter().enumerate() { e.ingest_bytes(&format!("f{i}"), f); }
    println!("engine: {:.0} MB/s, {} events", mb / t.elapsed().as_secs_f64(), e.status().events);
}
