//! Credentials handed out by STS (`AssumeRole` and friends), to follow sessions back to whoever
//! assumed the role: filled in by the identity work (issue 7).

use crate::ingest::raw::RawEvent;
use crate::store::{Row, Store};

/// The credentials side table of the store.
#[derive(Default)]
pub struct Credentials {}

/// Records the credentials an STS event handed out.
pub fn record(_raw: &RawEvent, _row: Row, _store: &mut Store) {}
