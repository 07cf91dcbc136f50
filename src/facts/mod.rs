//! Facts taken from an event at ingest, for the analyses that need more than the store's columns.
//!
//! The store keeps no raw JSON, so what the container story (image digests, tags, upload ids, layer
//! sizes, lifecycle expiries, task definition images, other services' images), the identity chains (credentials that STS
//! handed out), the changes to CloudTrail itself (trails stopped or narrowed), IAM's credentials and access given (keys, passwords, administrators, roles trusting outsiders, machine images and snapshots shared, `CodeBuild` builds started with overrides) and those to the services that watch the account (`GuardDuty`, Config, flow logs) need from `requestParameters`, `responseElements` and `serviceEventDetails` is pulled
//! out here, once, while the parsed event is at hand, into compact side tables of the [`Store`].

pub mod build;
pub mod container;
pub mod credentials;
pub mod iam;
pub mod monitor;
pub mod share;
pub mod trail;

use crate::ingest::raw::RawEvent;
use crate::store::{Row, Store};

/// Records what row `row` (just added, not a duplicate) tells the analyses.
pub fn record(raw: &RawEvent, row: Row, store: &mut Store) {
    // AMIs and snapshots shared; Image Builder's calls also go on to its list below.
    if share::wanted(raw.event_source.str(), raw.event_name.str()) {
        share::record(raw, row, store);
    }
    // CodeBuild builds started with overrides; the call goes on to other services' writes below.
    if build::wanted(raw.event_source.str(), raw.event_name.str()) {
        build::record(raw, row, store);
    }
    match raw.event_source.str() {
        "sts.amazonaws.com" | "signin.amazonaws.com" => credentials::record(raw, row, store),
        trail::SOURCE => trail::record(raw, row, store),
        iam::SOURCE => iam::record(raw, row, store),
        "s3.amazonaws.com" if trail::BUCKET_CALLS.contains(&raw.event_name.str()) => {
            trail::record_bucket(raw, row, store);
        }
        "kms.amazonaws.com" if trail::KEY_CALLS.contains(&raw.event_name.str()) => {
            trail::record_key(raw, row, store);
        }
        // GuardDuty, Config, flow logs... turned off: a few calls by source and name.
        source if monitor::wanted(source, raw.event_name.str()) => monitor::record(raw, row, store),
        // ECR, ECS, Image Builder and KMS calls by name; another service's write may name ECR
        // images (a SageMaker model, a Batch job definition), looked for only where its request
        // holds `.ecr.` (`container::uses`).
        _ => container::record(raw, row, store),
    }
}
