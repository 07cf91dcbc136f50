//! Who did what, with which credentials, from where: the identity breakdowns.
//!
//! [`report`] answers one question over the rows a filter keeps: the events broken down by identity
//! type, principal, role (session issuer) and its sessions, access key and its kind, MFA, `invokedBy`
//! service, IAM Identity Center user, account, source IP, client ([`client`]) and user agent, each row
//! with event and error counts and first / last seen; the role chains behind the temporary keys in
//! use ([`chains`]); and the list of things that deserve a look, each saying why ([`attention`]).
//!
//! ```
//! use trailscope::analysis::filter::{Compiled, Filter};
//! use trailscope::engine::Engine;
//! let mut e = Engine::new();
//! e.ingest_bytes("a.json", br#"{"Records":[{"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecr.amazonaws.com",
//!   "eventName":"PutImage","eventID":"00000000-0000-0000-0000-000000000001","userAgent":"buildkit/v0.12",
//!   "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/Mary","accessKeyId":"AKIAEXAMPLE"}}]}"#);
//! let c = Compiled::new(&Filter::default(), e.store());
//! let r = trailscope::analysis::identity::report(e.store(), c.rows());
//! assert_eq!(r.by_key_kind.rows[0].key, "Long-term (AKIA)");
//! assert_eq!(r.by_client.rows[0].key, "BuildKit");
//! ```
//!
//! Rows from sources that do not carry identity details (the console's CSV export: no type, ARN, MFA
//! or session issuer) keep those gaps: they count as `Not recorded` / `Unknown`, and
//! [`IdentityReport::csv_events`] says how many there are, so the page can say why.
//!
//! Every list is sorted by events (descending), then by key, and cut at [`MAX_ROWS`]; `total` says how
//! many there were before the cut.

mod access;
pub mod attention;
mod breakdown;
mod build;
mod came_in;
pub mod chains;
pub mod client;
mod command;
mod erased;
mod exec;
mod expired;
mod host_access;
mod in_use;
mod moved;
pub mod origin;
mod outside;
mod protection;
mod recipe;
mod refused;
mod secrets;
mod shared;
mod task_logs;
mod task_role;
mod workload;

use serde::{Deserialize, Serialize};

pub use attention::{Attention, AttentionKind, Severity};
pub use breakdown::{report, report_knowing};
pub use chains::{Chain, ChainEnd, Chains, Hop};
pub use origin::Origin;

use crate::model::{KeyKind, Mfa, Millis};
use crate::store::Store;

/// Longest list in a report. Each answer crosses the worker boundary on every filter change, so
/// lists are kept to what a person reads; narrowing the filter shows the rest.
pub const MAX_ROWS: usize = 200;

/// Roles listed with their sessions.
pub const MAX_ROLES: usize = 100;

/// Sessions listed under one role.
pub const MAX_SESSIONS_PER_ROLE: usize = 25;

/// What is counted for each row of a breakdown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stat {
    /// What the row is about, as text; also the value that filters to it.
    pub key: String,
    /// Events.
    pub events: u64,
    /// Events with an `errorCode`.
    pub errors: u64,
    /// Events with `readOnly: false`.
    pub writes: u64,
    /// Earliest event time.
    pub first: Millis,
    /// Latest event time.
    pub last: Millis,
}

/// How many distinct access keys of each kind were used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysByKind {
    /// `AKIA…`: IAM users' and root's long-term keys.
    pub long_term: u64,
    /// `ASIA…`: temporary credentials.
    pub temporary: u64,
    /// Any other prefix.
    pub other: u64,
}

/// A list cut at [`MAX_ROWS`] (or a smaller limit), with how many rows there were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct List<T> {
    /// The rows kept, sorted.
    pub rows: Vec<T>,
    /// Rows before the cut.
    pub total: u64,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List { rows: Vec::new(), total: 0 }
    }
}

/// A principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrincipalRow {
    /// Counts; `key` as [`crate::analysis::principal::principal_label`] names it.
    pub stat: Stat,
    /// Identity type label (of the identity with most events under this name).
    pub kind: String,
    /// The caller's own account (`userIdentity.accountId`), which for cross-account calls differs
    /// from the account the event was recorded in.
    pub account: String,
    /// False when some of its events come from a source without identity details (CSV export).
    pub source_known: bool,
    /// Sessions it opened itself (STS calls that handed out a followable key), in the whole store.
    pub sessions_opened: u64,
}

/// One session of a role: one set of credentials (access key) under one session name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRow {
    /// Counts; `key` is the session's principal (its `assumed-role/…` ARN).
    pub stat: Stat,
    /// The session's access key, empty when the events carry none.
    pub access_key: String,
    /// `sessionContext.sourceIdentity`.
    pub source_identity: String,
    /// Who opened the session, when the STS call that handed out its key is in these logs.
    pub opened_by: String,
    /// Who is behind it, when that says more than [`Self::opened_by`] and
    /// [`Self::source_identity`]: a workflow's or pod's subject, or the user who began a chain of
    /// roles ([`origin::origin`]); `None` when its opener began it with a long-term key.
    pub origin: Option<Origin>,
}

/// A role (or other session issuer) and its sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRow {
    /// Counts; `key` is `sessionIssuer.arn`.
    pub stat: Stat,
    /// `sessionIssuer.type` (`Role`, `IAMUser` for federation tokens, `Root`).
    pub issuer_type: String,
    /// `sessionIssuer.userName`.
    pub name: String,
    /// Its sessions (at most [`MAX_SESSIONS_PER_ROLE`]).
    pub sessions: List<SessionRow>,
}

/// An access key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRow {
    /// Counts; `key` is the access key id.
    pub stat: Stat,
    /// Long-term, temporary, other.
    pub kind: KeyKind,
    /// The principal that used it (with most events, when several did).
    pub principal: String,
    /// Distinct source IP addresses (or service names) it was used from.
    pub ips: u64,
    /// For a temporary key: who opened its session, when the STS call is in these logs.
    pub opened_by: String,
    /// For a temporary key: who is behind its session, when that says more than
    /// [`Self::opened_by`] ([`origin::origin`]).
    pub origin: Option<Origin>,
}

/// A user agent and the client it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRow {
    /// Counts; `key` is the user agent.
    pub stat: Stat,
    /// The client's label (see [`client::Client::label`]).
    pub client: String,
}

/// An IAM Identity Center user (`onBehalfOf`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CenterUserRow {
    /// Counts; `key` is `onBehalfOf.userId`.
    pub stat: Stat,
    /// `onBehalfOf.identityStoreArn`.
    pub identity_store: String,
}

/// The identity breakdowns over a set of rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityReport {
    /// Events counted.
    pub events: u64,
    /// Of them, events from sources that do not record identity details (console CSV exports).
    pub csv_events: u64,
    /// By identity type label.
    pub by_type: List<Stat>,
    /// By principal.
    pub by_principal: List<PrincipalRow>,
    /// By session issuer, with sessions.
    pub by_role: List<RoleRow>,
    /// By access key.
    pub by_key: List<KeyRow>,
    /// Distinct access keys of each kind, of all (not only those `by_key` lists): long-term
    /// (`AKIA`), temporary (`ASIA`), other.
    pub keys_by_kind: KeysByKind,
    /// By access key kind label.
    pub by_key_kind: List<Stat>,
    /// By MFA (`Yes`, `No`, `Unknown`).
    pub by_mfa: List<Stat>,
    /// By `invokedBy` (events without one are not listed).
    pub by_invoked_by: List<Stat>,
    /// By Identity Center user (events without `onBehalfOf` are not listed).
    pub by_identity_center_user: List<CenterUserRow>,
    /// By the account the event was recorded in.
    pub by_account: List<Stat>,
    /// By source IP address (or service name).
    pub by_ip: List<Stat>,
    /// By client label.
    pub by_client: List<Stat>,
    /// By user agent.
    pub by_user_agent: List<AgentRow>,
    /// Role chains behind the temporary keys in use.
    pub chains: Chains,
    /// What deserves a look, most serious first.
    pub attention: List<Attention>,
    /// Of all of [`IdentityReport::attention`] (not only those listed), how many are of high severity.
    pub attention_high: u64,
}

/// The MFA label people see (and the filter's value).
pub fn mfa_label(m: Mfa) -> &'static str {
    match m {
        Mfa::Yes => "Yes",
        Mfa::No => "No",
        Mfa::Unknown => "Unknown",
    }
}

/// Sorts by events (descending) then key, and cuts at `limit`.
/// Who is behind the session of temporary key `key` ([`origin::origin`]), when a table's row does
/// not say it already: not the user who opened it with a long-term key (its "opened by"), nor the
/// source identity the row shows.
fn beyond(store: &Store, key: &str, opened_by: &str, source_identity: &str) -> Option<Origin> {
    let o = origin::origin(store, store.strings.lookup(key)?)?;
    let said = match o.via.as_str() {
        "long-term key" => o.started_by == opened_by,
        "source identity" => o.who == source_identity,
        _ => false,
    };
    (!said).then_some(o)
}

fn finish<T>(mut rows: Vec<T>, limit: usize, stat: impl Fn(&T) -> &Stat) -> List<T> {
    rows.sort_by(|a, b| {
        let (a, b) = (stat(a), stat(b));
        b.events.cmp(&a.events).then_with(|| a.key.cmp(&b.key))
    });
    let total = rows.len() as u64;
    rows.truncate(limit);
    List { rows, total }
}
