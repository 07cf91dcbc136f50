//! Shared by the benchmarks: generated CloudTrail logs, made once by `../shared/tools/gen_cloudtrail.py`
//! and cached under `target/bench-data/`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether the bench runs as a test: one quick pass on small inputs. `cargo bench` passes `--bench`;
/// `cargo test --benches` (what `scripts/check.sh` runs) does not, and `cargo bench -- --test` says so.
pub fn test_mode() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The folder of about `events` generated events (seed 7, S3 layout), made on first use, or `None`
/// with a notice when python3 or the generator is missing.
pub fn generated_dir(events: usize) -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let generator = std::env::var_os("TRAILSCOPE_GENERATOR")
        .map_or_else(|| root.join("../shared/tools/gen_cloudtrail.py"), PathBuf::from);
    let dir = root.join(format!("target/bench-data/gen-{events}-seed7"));
    if !dir.join("done").exists() {
        if !generator.exists() {
            eprintln!("NOTICE: {} is missing; benchmark skipped", generator.display());
            return None;
        }
        eprintln!("generating {events} events with {} (once; cached in {})", generator.display(), dir.display());
        let _ = std::fs::remove_dir_all(&dir);
        let status = Command::new("python3")
            .arg(&generator)
            .args(["--events", &events.to_string(), "--seed", "7", "--out"])
            .arg(&dir)
            .stderr(std::process::Stdio::null())
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!("NOTICE: could not run python3 {}; benchmark skipped", generator.display());
            return None;
        }
        std::fs::write(dir.join("done"), b"").ok()?;
    }
    Some(dir)
}

/// The `.json.gz` files under `dir`, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    walk(dir, &mut paths);
    paths.retain(|p| p.extension().is_some_and(|e| e == "gz"));
    paths.sort();
    paths
}

/// `(relative path, bytes)` of every `.json.gz` file under `dir`.
#[allow(dead_code)] // each bench includes this file; store_memory reads files one at a time instead
pub fn load(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files(dir)
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap_or(p).to_string_lossy().into_owned();
            (rel, std::fs::read(p).expect("read generated log"))
        })
        .collect()
}
