//! Role chains: from a session's temporary key back to whoever opened it, hop by hop.
//!
//! A session's events are signed with the temporary key an STS call handed out
//! ([`crate::facts::credentials`]). That STS call was itself made by someone with a key: a long-term
//! key (an IAM user or root: the chain starts there), no key (a service, a SAML or web identity user),
//! or another temporary key, whose own STS call may be in the logs too. [`walk`] follows those links;
//! the walk is bounded ([`MAX_HOPS`]) and stops at a key it has already seen, so hostile logs that link
//! keys in a circle cannot make it loop.
//!
//! Chains follow every STS call in the store, whatever the filter: the call that opened a session is
//! part of its story even when it is outside the time range looked at.

use hashbrown::{HashMap, HashSet};
use serde::{Deserialize, Serialize};

use super::breakdown::{Acc, Gathered};
use super::client::classify;
use super::{List, Stat, MAX_ROWS};
use crate::analysis::principal::principal_label;
use crate::facts::credentials::{followable, Grant};
use crate::model::{KeyKind, Sym};
use crate::store::Store;

/// Longest chain followed. Real role chains are a few hops; this only bounds hostile input.
pub const MAX_HOPS: usize = 32;

/// Chains listed in a report (the busiest sessions first).
pub const MAX_CHAINS: usize = 100;

/// Why a chain stops where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChainEnd {
    /// The first caller signed with a long-term key: an IAM user or the root user.
    LongTermKey,
    /// The first caller had no key: an AWS service, or a SAML / web identity user.
    NoKey,
    /// The first caller used temporary credentials handed out by a call that is not in these logs.
    NotInLogs,
    /// The first caller's key cannot be followed (masked, or not an access key id).
    Unfollowable,
    /// A key came back: the logs link keys in a circle.
    Loop,
    /// More than [`MAX_HOPS`] hops.
    TooLong,
}

impl ChainEnd {
    /// What it means, for people.
    pub fn explain(self) -> &'static str {
        match self {
            ChainEnd::LongTermKey => "started with a long-term access key",
            ChainEnd::NoKey => "started by a caller without an access key (a service or an identity provider)",
            ChainEnd::NotInLogs => "the credentials of the first caller were issued outside these logs",
            ChainEnd::Unfollowable => "the first caller's key cannot be followed (masked or malformed)",
            ChainEnd::Loop => "the logs link these keys in a circle; stopped",
            ChainEnd::TooLong => "too many hops; stopped",
        }
    }
}

/// One STS call in a chain, seen from the session it opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    /// `AssumeRole`, `AssumeRoleWithSAML`, ...
    pub call: String,
    /// When.
    pub time: crate::model::Millis,
    /// Who made the call.
    pub principal: String,
    /// Their identity type.
    pub kind: String,
    /// The key they signed it with.
    pub key: String,
    /// From where.
    pub ip: String,
    /// With which client.
    pub client: String,
    /// The role asked for (`roleArn`).
    pub role: String,
    /// `roleSessionName` (or the federated user's name).
    pub session_name: String,
    /// The new session's ARN.
    pub session_arn: String,
    /// The new key.
    pub new_key: String,
    /// `sourceIdentity`.
    pub source_identity: String,
    /// SAML subject / web identity subject.
    pub subject: String,
    /// SAML issuer / web identity provider.
    pub provider: String,
}

/// A session and the calls that led to it, the latest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    /// The session's events (in the rows looked at); `key` is its access key.
    pub stat: Stat,
    /// The session's principal.
    pub session: String,
    /// Hops, from the call that opened this session back to the first one found.
    pub hops: Vec<Hop>,
    /// Why the chain stops there.
    pub end: ChainEnd,
    /// Who made the first call found: where the chain starts.
    pub origin: String,
    /// The origin's identity type.
    pub origin_kind: String,
}

/// Chains for the temporary keys in use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chains {
    /// The chains (at most [`MAX_CHAINS`], busiest first).
    pub rows: List<Chain>,
    /// Distinct temporary keys in the rows looked at.
    pub temporary_keys: u64,
    /// Of them, keys whose STS call is not in these logs (issued before them, or elsewhere).
    pub not_in_logs: u64,
    /// STS responses with a key that cannot be followed (masked, or a long-term id), whole store.
    pub unfollowable: u64,
    /// STS responses that could not be read, whole store.
    pub unreadable: u64,
}

/// The grants from the one that handed out `key` back to the first one in the logs, and why the
/// chain stops; `None` when no STS call in the logs handed out `key`.
pub fn walk(store: &Store, key: Sym) -> Option<(Vec<&Grant>, ChainEnd)> {
    let creds = &store.credentials;
    let mut grant = creds.grant(key)?;
    let mut hops = vec![grant];
    let mut seen: HashSet<Sym> = HashSet::from([key]);
    loop {
        let caller = store.identity(grant.row).access_key;
        let text = store.str(caller);
        let end = match KeyKind::of(&text) {
            KeyKind::None => Some(ChainEnd::NoKey),
            KeyKind::LongTerm => Some(ChainEnd::LongTermKey),
            _ if !followable(&text) => Some(ChainEnd::Unfollowable),
            _ if seen.contains(&caller) => Some(ChainEnd::Loop),
            _ if hops.len() >= MAX_HOPS => Some(ChainEnd::TooLong),
            _ => None,
        };
        if let Some(end) = end {
            return Some((hops, end));
        }
        let Some(next) = creds.grant(caller) else { return Some((hops, ChainEnd::NotInLogs)) };
        seen.insert(caller);
        hops.push(next);
        grant = next;
    }
}

/// Who opened the session of `key` (the caller of the STS call that handed it out), or `""`.
pub fn opened_by(store: &Store, key: Sym) -> String {
    store.credentials.grant(key).map(|g| principal_label(&store.identity(g.row), &store.strings)).unwrap_or_default()
}

/// Keys of every session that `principals` opened, directly or through a chain of roles; the
/// long-term keys they made for other users (`CreateAccessKey`), and every session opened with
/// those.
pub fn origin_keys(store: &Store, principals: &[String]) -> HashSet<Sym> {
    let made: HashSet<Sym> = store
        .iam
        .keys_made_for_others(store)
        .filter(|c| principals.contains(&principal_label(&store.identity(c.row), &store.strings)))
        .map(|c| c.detail)
        .collect();
    let mut names: HashMap<u32, bool> = HashMap::new();
    let mut is_wanted = |g: &Grant| {
        let id = store.identity_id(g.row);
        *names.entry(id).or_insert_with(|| {
            let label = principal_label(&store.identity(g.row), &store.strings);
            principals.contains(&label)
        })
    };
    store
        .credentials
        .grants()
        .iter()
        .filter(|g| {
            walk(store, g.key).is_some_and(|(hops, _)| {
                let begun = hops.last().map(|first| store.identity(first.row).access_key);
                begun.is_some_and(|k| made.contains(&k)) || hops.into_iter().any(&mut is_wanted)
            })
        })
        .map(|g| g.key)
        .chain(made.iter().copied())
        .collect()
}

fn hop(store: &Store, g: &Grant) -> Hop {
    let caller = store.identity(g.row);
    let s = |sym: Sym| store.str(sym).into_owned();
    Hop {
        call: g.call.label().to_owned(),
        time: store.time(g.row),
        principal: principal_label(&caller, &store.strings),
        kind: caller.kind.label().to_owned(),
        key: s(caller.access_key),
        ip: s(store.ip(g.row)),
        client: classify(&store.str(store.user_agent(g.row))).label().to_owned(),
        role: s(g.role),
        session_name: s(g.session_name),
        session_arn: s(g.session_arn),
        new_key: s(g.key),
        source_identity: s(g.source_identity),
        subject: s(g.subject),
        provider: s(g.provider),
    }
}

/// The chains behind the temporary keys of the gathered rows.
pub(crate) fn chains(g: &Gathered) -> Chains {
    let store = g.store;
    // key → (tallies, principal with most events, its events)
    let mut sessions: HashMap<Sym, (Acc, u32, u64)> = HashMap::new();
    for (&id, acc) in &g.by_id {
        let key = g.identity(id).access_key;
        if KeyKind::of(&store.str(key)) != KeyKind::Temporary {
            continue;
        }
        let e = sessions.entry(key).or_insert((Acc::default(), id, 0));
        e.0.merge(acc);
        if (acc.events, std::cmp::Reverse(id)) > (e.2, std::cmp::Reverse(e.1)) {
            (e.1, e.2) = (id, acc.events);
        }
    }
    let mut out = Chains {
        temporary_keys: sessions.len() as u64,
        unfollowable: store.credentials.unfollowable,
        unreadable: store.credentials.unreadable,
        ..Chains::default()
    };
    // Which sessions can be traced, busiest first; hops are spelled out only for those listed.
    let mut traced: Vec<(Stat, u32)> = Vec::new();
    for (key, (acc, id, _)) in sessions {
        if store.credentials.grant(key).is_some() {
            traced.push((acc.stat(store.str(key).into_owned()), id));
        } else {
            out.not_in_logs += 1;
        }
    }
    let traced = super::finish(traced, MAX_CHAINS.min(MAX_ROWS), |t| &t.0);
    let rows = traced
        .rows
        .into_iter()
        .filter_map(|(stat, id)| {
            let key = store.strings.lookup(&stat.key)?;
            let (grants, end) = walk(store, key)?;
            let hops: Vec<Hop> = grants.iter().map(|gr| hop(store, gr)).collect();
            let (origin, origin_kind) = hops.last().map(|h| (h.principal.clone(), h.kind.clone())).unwrap_or_default();
            Some(Chain { stat, session: g.label(id).to_owned(), hops, end, origin, origin_kind })
        })
        .collect();
    out.rows = List { rows, total: traced.total };
    out
}
