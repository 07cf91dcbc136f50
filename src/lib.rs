//! Trailscope: an offline, in-browser viewer for AWS CloudTrail logs, focused on the container
//! supply chain (Amazon ECR, Amazon ECS, EC2 Image Builder) and on who did what.
//!
//! Crate map. The pure modules come first: they take bytes, never files or the DOM, and build and
//! test natively with `cargo test`.
//! - [`model`]: CloudTrail vocabulary (symbols, times, identities).
//! - [`ingest`]: bytes → events + warnings (gzip, every input shape, hostile-input limits).
//! - [`store`]: the compact, columnar, deduplicated event store.
//! - [`export`]: events out again, as JSON, JSON lines or formula-safe CSV.
//! - [`facts`]: what the analyses need from an event beyond the store's columns, taken at ingest.
//! - [`integrity`]: dropped log files checked against CloudTrail digest files (hashes, chain, signatures).
//! - [`analysis`]: counts and breakdowns over the store.
//! - [`bundle`]: the triage bundle: view, notes and bookmarks to hand to a colleague.
//! - [`engine`]: the engine and its `Query` / `Response` protocol.
//! - [`protocol`]: the messages between the page and the worker.
//! - [`sample`]: the bundled sample logs.
//! - [`text`]: numbers, sizes and times as people read them.
//! - [`viewstate`]: the page's state machine, tested without a browser.
//! - [`layout`]: geometry of the virtual event table.
//! - [`link`]: view links in the URL fragment, without the logs' values in clear.
//!
//! Then the browser-only modules, compiled for `wasm32` only: the worker glue and the Yew UI.

pub mod analysis;
pub mod bundle;
pub mod engine;
pub mod export;
pub mod facts;
pub mod ingest;
pub mod integrity;
pub mod layout;
pub mod link;
pub mod model;
pub mod palette;
pub mod protocol;
pub mod sample;
pub mod store;
pub mod text;
pub mod viewstate;

// ---------------------------------------------------------------------------------------------------
// Browser-only code (wasm32). Nothing above this line may import it; nothing below parses logs.
// ---------------------------------------------------------------------------------------------------
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
