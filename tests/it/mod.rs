//! Integration test modules.

mod common;
mod identity;
mod identity_corpus;
mod sample;
