//! Integration test modules.

mod batch;
mod build;
mod common;
mod container;
mod corpus;
mod iam_access;
mod iam_trust;
mod identity;
mod identity_corpus;
mod ingest_hostile;
mod ingest_shapes;
mod integrity;
mod json_search;
mod links;
mod live_counts;
mod logging;
mod monitoring;
mod origin;
mod quick;
mod recipe;
mod sample;
mod share;
mod split;
