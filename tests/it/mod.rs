//! Integration test modules.

mod common;
mod integrity;
mod sample;
