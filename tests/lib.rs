//! Integration tests, built into one binary (native only; browser tests are in `web.rs`).
#![cfg(not(target_arch = "wasm32"))]

mod it;
