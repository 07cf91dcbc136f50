//! Event counts by source, by event name, by error code, by identity type and by principal.

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use super::principal::principal_label;
use crate::model::{IdentityType, Millis, Sym};
use crate::store::{Row, Store};

/// One bar of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// What is counted, as text.
    pub key: String,
    /// How many events.
    pub count: u64,
}

/// An event name within its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameCount {
    /// `eventSource`.
    pub source: String,
    /// `eventName`.
    pub name: String,
    /// How many events.
    pub count: u64,
    /// How many of them have an `errorCode`.
    pub errors: u64,
}

/// Totals and breakdowns over a set of rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Events counted.
    pub events: u64,
    /// Events with an `errorCode`.
    pub errors: u64,
    /// Earliest event time.
    pub first: Option<Millis>,
    /// Latest event time.
    pub last: Option<Millis>,
    /// By `eventSource`.
    pub by_source: Vec<Count>,
    /// By `eventSource` + `eventName`.
    pub by_name: Vec<NameCount>,
    /// By `errorCode`.
    pub by_error: Vec<Count>,
    /// By identity type.
    pub by_identity_type: Vec<Count>,
    /// By principal (see [`principal_label`]).
    pub by_principal: Vec<Count>,
    /// By account.
    pub by_account: Vec<Count>,
    /// By region.
    pub by_region: Vec<Count>,
}

/// Counts over `rows`.
pub fn count(store: &Store, rows: impl Iterator<Item = Row>) -> Counts {
    let mut c = Counts::default();
    let mut source: HashMap<Sym, u64> = HashMap::new();
    let mut name: HashMap<(Sym, Sym), (u64, u64)> = HashMap::new();
    let mut error: HashMap<Sym, u64> = HashMap::new();
    let mut itype: HashMap<IdentityType, u64> = HashMap::new();
    let mut identity: HashMap<u32, u64> = HashMap::new();
    let mut account: HashMap<Sym, u64> = HashMap::new();
    let mut region: HashMap<Sym, u64> = HashMap::new();
    for r in rows {
        c.events += 1;
        let t = store.time(r);
        c.first = Some(c.first.map_or(t, |f| f.min(t)));
        c.last = Some(c.last.map_or(t, |l| l.max(t)));
        *source.entry(store.source(r)).or_default() += 1;
        let e = store.error_code(r);
        let n = name.entry((store.source(r), store.name(r))).or_default();
        n.0 += 1;
        if !e.is_empty() {
            c.errors += 1;
            n.1 += 1;
            *error.entry(e).or_default() += 1;
        }
        *itype.entry(store.identity(r).kind).or_default() += 1;
        *identity.entry(store.identity_id(r)).or_default() += 1;
        *account.entry(store.account(r)).or_default() += 1;
        *region.entry(store.region(r)).or_default() += 1;
    }
    let text = |s: Sym| store.str(s).to_owned();
    c.by_source = sorted(source.into_iter().map(|(s, n)| (text(s), n)));
    c.by_error = sorted(error.into_iter().map(|(s, n)| (text(s), n)));
    c.by_account = sorted(account.into_iter().map(|(s, n)| (text(s), n)));
    c.by_region = sorted(region.into_iter().map(|(s, n)| (text(s), n)));
    c.by_identity_type = sorted(itype.into_iter().map(|(k, n)| (k.label().to_owned(), n)));
    let mut principals: HashMap<String, u64> = HashMap::new();
    for (id, n) in identity {
        *principals.entry(principal_label(&store.identity_by_id(id), &store.strings)).or_default() += n;
    }
    c.by_principal = sorted(principals.into_iter());
    let mut names: Vec<NameCount> = name
        .into_iter()
        .map(|((s, n), (count, errors))| NameCount { source: text(s), name: text(n), count, errors })
        .collect();
    names.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| (&a.source, &a.name).cmp(&(&b.source, &b.name))));
    c.by_name = names;
    c
}

fn sorted(it: impl Iterator<Item = (String, u64)>) -> Vec<Count> {
    let mut v: Vec<Count> = it.map(|(key, count)| Count { key, count }).collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    v
}
