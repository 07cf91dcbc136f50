//! Integration test modules.

mod common;
mod sample;
