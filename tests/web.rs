//! Browser tests (wasm-bindgen-test in headless Chromium): the engine compiled to wasm32 reads gzip
//! and JSON as natively, a browser `File` is read in slices as the worker reads it, and the page's own
//! task queue runs what it is given in order.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SEED: &str = include_str!("fixtures/seeds/ecr-documentation-examples.json");

fn seed_count() -> usize {
    let v: serde_json::Value = serde_json::from_str(SEED).unwrap();
    v["Records"].as_array().unwrap().len()
}

#[wasm_bindgen_test]
fn engine_in_wasm_counts_the_seed_file() {
    let mut engine = trailscope::engine::Engine::new();
    engine.ingest_bytes("seed.json", SEED.as_bytes());
    assert_eq!(engine.status().events, seed_count() as u64);
}

#[wasm_bindgen_test]
fn engine_in_wasm_reads_the_gzip_sample() {
    let mut engine = trailscope::engine::Engine::new();
    for (path, bytes) in trailscope::sample::SAMPLE_FILES {
        engine.ingest_bytes(path, bytes);
    }
    let truth: serde_json::Value = serde_json::from_str(include_str!("fixtures/sample-generated-truth.json")).unwrap();
    // At least the generated events (the rest are AWS documentation examples); no warnings.
    assert!(engine.status().events >= truth["events"].as_u64().unwrap());
    assert_eq!(engine.status().warnings, 0);
    assert!(engine.files().iter().all(|f| f.report.gzip));
}

#[wasm_bindgen_test]
async fn a_browser_file_is_read_in_slices() {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(SEED.as_bytes()));
    let file = web_sys::File::new_with_u8_array_sequence(&parts, "seed.json").unwrap();
    let mut engine = trailscope::engine::Engine::new();
    let id = engine.open_file("seed.json", file.size() as u64);
    let mut at = 0.0;
    while at < file.size() {
        let end = (at + 1000.0).min(file.size());
        let bytes = trailscope::worker::read_slice(&file, at, end).await.unwrap();
        engine.push(id, &bytes);
        at = end;
    }
    engine.close_file(id);
    assert_eq!(engine.status().events, seed_count() as u64);
}

/// The page's own task queue (`ui::task::soon`): each callback runs once, in order, in a later task.
#[wasm_bindgen_test]
async fn soon_runs_each_callback_once_in_order_in_a_later_task() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use trailscope::ui::task::{next_task, soon};

    let ran = Rc::new(RefCell::new(Vec::new()));
    for i in 0..5 {
        let ran = ran.clone();
        soon(move || {
            ran.borrow_mut().push(i);
            // Queued from inside one: after the five.
            if i == 0 {
                let ran = ran.clone();
                soon(move || ran.borrow_mut().push(10));
            }
        });
    }
    assert!(ran.borrow().is_empty(), "ran in the caller's task");
    // `next_task` queues behind the five; the one the first queued comes after it.
    next_task().await;
    assert_eq!(*ran.borrow(), vec![0, 1, 2, 3, 4]);
    next_task().await;
    assert_eq!(*ran.borrow(), vec![0, 1, 2, 3, 4, 10]);
}
