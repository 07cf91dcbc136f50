//! Integration test modules.

mod common;
mod corpus;
mod sample;
