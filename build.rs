//! Embeds the sample logs (`sample/`, rebuilt by `scripts/make-sample.py`) into the worker, so
//! "Load sample logs" works offline and makes no request.

use std::{env, fmt::Write as _, fs, path::Path};

fn walk(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "gz") {
            out.push(p.to_string_lossy().into_owned());
        }
    }
}

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let sample = Path::new(&root).join("sample");
    println!("cargo:rerun-if-changed=sample");
    let mut files = Vec::new();
    walk(&sample, &mut files);
    let mut code = String::from(
        "/// The bundled sample: (relative path, gzip bytes).\npub static SAMPLE_FILES: &[(&str, &[u8])] = &[\n",
    );
    for f in &files {
        let rel =
            Path::new(f).strip_prefix(&sample).expect("walked under sample/").to_string_lossy().replace('\\', "/");
        let _ = writeln!(code, "    ({rel:?}, include_bytes!({f:?})),");
    }
    code.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("sample_files.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
