//! The engine's web worker (see `trailscope::worker`).

#[cfg(target_arch = "wasm32")]
fn main() {
    trailscope::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Trailscope's worker runs in the browser: build it with `trunk build` (see README.md).");
}
