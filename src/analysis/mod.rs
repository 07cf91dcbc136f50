//! Questions asked of the store: counts, breakdowns, principals, identities, timeline buckets.
//!
//! Every list comes out sorted (count descending, then text ascending), so the same logs always
//! draw the same picture.

pub mod container;
pub mod counts;
pub mod detail;
pub mod events;
pub mod filter;
pub mod identity;
pub mod json_search;
pub mod logging;
pub mod principal;
pub mod timeline;
