//! The page: mounts the Yew app (see `trailscope::ui`).

#[cfg(target_arch = "wasm32")]
fn main() {
    trailscope::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Trailscope runs in the browser: build it with `trunk build` (see README.md).");
}
