//! Integration test modules.

mod common;
mod container;
mod sample;
