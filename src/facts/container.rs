//! Container supply-chain facts (ECR, ECS, Image Builder, KMS grants for ECR): filled in by the
//! container-story work (issue 5).

use crate::ingest::raw::RawEvent;
use crate::store::{Row, Store};

/// The container side table of the store.
#[derive(Default)]
pub struct ContainerFacts {}

/// Records the container facts of one event.
pub fn record(_raw: &RawEvent, _row: Row, _store: &mut Store) {}
