//! Event counts by source, by event name, by error code, by identity type and by principal.

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use super::filter::Field;
use super::principal::{principal_key, principal_label, PrincipalKey};
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
    /// By principal (see [`principal_label`]); the views get it cut to its biggest entries.
    pub by_principal: Vec<Count>,
    /// Distinct principals, however many `by_principal` lists.
    #[serde(default)]
    pub principals: u64,
    /// By account.
    pub by_account: Vec<Count>,
    /// By region.
    pub by_region: Vec<Count>,
    /// How many keys the other breakdowns had before they were cut for the views (see
    /// [`Counts::distinct`]); zeros when they were not cut.
    #[serde(default)]
    pub distinct: Distinct,
}

/// How many distinct keys each breakdown had before it was cut to its biggest entries: an
/// organization trail can hold more accounts than a view lists, and the Overview says how many
/// there are, not how many it lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distinct {
    /// Event sources.
    pub sources: u64,
    /// Identity types.
    pub identity_types: u64,
    /// Accounts.
    pub accounts: u64,
    /// Regions.
    pub regions: u64,
}

impl Counts {
    /// The breakdown by `field`, for the fields counted by one key (source, principal, identity
    /// type, account, region); empty for the others (API calls are [`Counts::by_name`]).
    pub fn by_field(&self, field: super::filter::Field) -> &[Count] {
        use super::filter::Field;
        match field {
            Field::Source => &self.by_source,
            Field::Principal => &self.by_principal,
            Field::IdentityType => &self.by_identity_type,
            Field::Account => &self.by_account,
            Field::Region => &self.by_region,
            _ => &[],
        }
    }

    /// How many distinct keys the breakdown by `field` has (as [`Counts::by_field`]), however many
    /// its list holds once cut for the views: [`Counts::principals`] for principals.
    pub fn distinct(&self, field: super::filter::Field) -> u64 {
        use super::filter::Field;
        let d = &self.distinct;
        let before_cut = match field {
            Field::Source => d.sources,
            Field::Principal => self.principals,
            Field::IdentityType => d.identity_types,
            Field::Account => d.accounts,
            Field::Region => d.regions,
            _ => 0,
        };
        before_cut.max(self.by_field(field).len() as u64)
    }

    /// Cuts every breakdown to its `limit` biggest entries, first noting in [`Counts::distinct`]
    /// how many each had; returns how many event names there were (`by_name` is cut too).
    pub fn cut(&mut self, limit: usize) -> u64 {
        let len = |l: &Vec<Count>| l.len() as u64;
        let names = self.by_name.len() as u64;
        self.distinct = Distinct {
            sources: len(&self.by_source),
            identity_types: len(&self.by_identity_type),
            accounts: len(&self.by_account),
            regions: len(&self.by_region),
        };
        self.by_name.truncate(limit);
        for list in [
            &mut self.by_source,
            &mut self.by_error,
            &mut self.by_principal,
            &mut self.by_account,
            &mut self.by_region,
            &mut self.by_identity_type,
        ] {
            list.truncate(limit);
        }
        names
    }
}

/// Counts over `rows`.
pub fn count(store: &Store, rows: impl Iterator<Item = Row>) -> Counts {
    let mut tally = Tally::default();
    tally.add(store, rows);
    tally.counts(store)
}

/// Counts being gathered: rows are added in any number of steps and [`Counts`] read at any time, so
/// counts over a growing store cost what was added since the last read, not the whole store again
/// (the overview is refreshed every 500 ms while loading).
#[derive(Debug, Clone, Default)]
pub struct Tally {
    events: u64,
    errors: u64,
    first: Option<Millis>,
    last: Option<Millis>,
    source: HashMap<Sym, u64>,
    name: HashMap<(Sym, Sym), (u64, u64)>,
    error: HashMap<Sym, u64>,
    itype: HashMap<IdentityType, u64>,
    /// Events by identity number (identities are numbered densely from 0, so a `Vec` of 4-byte
    /// counts costs a fraction of a map's entry per identity; most role sessions make few calls).
    identity: Vec<u32>,
    account: HashMap<Sym, u64>,
    region: HashMap<Sym, u64>,
}

impl Tally {
    /// Counts `rows` too.
    pub fn add(&mut self, store: &Store, rows: impl Iterator<Item = Row>) {
        for r in rows {
            self.events += 1;
            let t = store.time(r);
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
            *self.source.entry(store.source(r)).or_default() += 1;
            let e = store.error_code(r);
            let n = self.name.entry((store.source(r), store.name(r))).or_default();
            n.0 += 1;
            if !e.is_empty() {
                self.errors += 1;
                n.1 += 1;
                *self.error.entry(e).or_default() += 1;
            }
            *self.itype.entry(store.identity(r).kind).or_default() += 1;
            let id = store.identity_id(r) as usize;
            if id >= self.identity.len() {
                grow_to(&mut self.identity, id + 1);
            }
            self.identity[id] += 1;
            *self.account.entry(store.account(r)).or_default() += 1;
            *self.region.entry(store.region(r)).or_default() += 1;
        }
    }

    /// `(identity number, events)` of the identities with events.
    fn identities(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        self.identity.iter().enumerate().filter(|(_, &n)| n > 0).map(|(id, &n)| (id as u32, u64::from(n)))
    }

    /// The counts so far, sorted (costs the number of distinct keys, not of rows).
    pub fn counts(&self, store: &Store) -> Counts {
        let all = self.principals(store);
        let total = all.len() as u64;
        self.counts_with(store, all, total)
    }

    /// [`Self::counts`] with only the `limit` biggest principals, the cut the views show. Principals
    /// named by an ARN (nearly all) are ranked without making their text, so a live refresh does not
    /// make a string for every distinct identity held.
    pub fn counts_cut(&self, store: &Store, limit: usize) -> Counts {
        let (top, total) = self.top_principals(store, limit);
        self.counts_with(store, top, total)
    }

    fn principals(&self, store: &Store) -> Vec<Count> {
        let mut principals: HashMap<String, u64> = HashMap::new();
        for (id, n) in self.identities() {
            *principals.entry(principal_label(&store.identity_by_id(id), &store.strings)).or_default() += n;
        }
        sorted(principals.into_iter())
    }

    /// The `limit` biggest principals, and how many there are in all. Events are counted by
    /// [`PrincipalKey`] (nearly all an ARN's symbol, in a map of 8-byte entries), the cut is found
    /// from the counts alone, and only what can make it is ranked: a live refresh while loading
    /// neither makes text nor holds a ranked list for each of the tens of thousands of principals
    /// (that list, with a string for each principal without an ARN, was most of what a live
    /// overview allocated at the end of a load, when it set the engine's high-water mark).
    fn top_principals(&self, store: &Store, limit: usize) -> (Vec<Count>, u64) {
        let mut by_sym: HashMap<Sym, u32> = HashMap::new();
        let mut other: HashMap<PrincipalKey, u64> = HashMap::new();
        for (id, n) in self.identities() {
            match principal_key(&store.identity_by_id(id), &store.strings) {
                // Counts fit: an identity's count is a `u32`, and so are the store's rows.
                PrincipalKey::Text(s) => *by_sym.entry(s).or_default() += n as u32,
                key => *other.entry(key).or_default() += n,
            }
        }
        if by_sym.keys().any(|&s| PrincipalKey::Text(s).may_share_text(&store.strings)) {
            // A name that reads like a label made for another principal: merge them by text instead.
            let mut all = self.principals(store);
            let total = all.len() as u64;
            all.truncate(limit);
            return (all, total);
        }
        let keyed = || {
            by_sym
                .iter()
                .map(|(&s, &n)| (u64::from(n), PrincipalKey::Text(s)))
                .chain(other.iter().map(|(&k, &n)| (n, k)))
        };
        let total = (by_sym.len() + other.len()) as u64;
        // The count at the cut: whatever has fewer events cannot be listed.
        let cut = match limit {
            0 => return (Vec::new(), total),
            _ if total as usize <= limit => 0,
            _ => {
                let mut counts: Vec<u64> = keyed().map(|(n, _)| n).collect();
                *counts.select_nth_unstable_by(limit - 1, |a, b| b.cmp(a)).1
            }
        };
        let mut ranked: Vec<(u64, PrincipalKey)> = keyed().filter(|&(n, _)| n >= cut).collect();
        // Ties at the cut are broken by text.
        let order = |a: &(u64, PrincipalKey), b: &(u64, PrincipalKey)| {
            b.0.cmp(&a.0).then_with(|| a.1.text(&store.strings).cmp(&b.1.text(&store.strings)))
        };
        if ranked.len() > limit {
            ranked.select_nth_unstable_by(limit, order);
            ranked.truncate(limit);
        }
        ranked.sort_by(order);
        let top = ranked.iter().map(|&(count, key)| Count { key: key.text(&store.strings).into_owned(), count });
        (top.collect(), total)
    }

    fn counts_with(&self, store: &Store, by_principal: Vec<Count>, principals: u64) -> Counts {
        let text = |s: &Sym| store.str(*s).into_owned();
        let by_sym = |m: &HashMap<Sym, u64>| sorted(m.iter().map(|(s, n)| (text(s), *n)));
        let mut names: Vec<NameCount> = self
            .name
            .iter()
            .map(|((s, n), (count, errors))| NameCount {
                source: text(s),
                name: text(n),
                count: *count,
                errors: *errors,
            })
            .collect();
        names.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| (&a.source, &a.name).cmp(&(&b.source, &b.name))));
        Counts {
            events: self.events,
            errors: self.errors,
            first: self.first,
            last: self.last,
            by_source: by_sym(&self.source),
            by_name: names,
            by_error: by_sym(&self.error),
            by_identity_type: sorted(self.itype.iter().map(|(k, n)| (k.label().to_owned(), *n))),
            by_principal,
            principals,
            by_account: by_sym(&self.account),
            by_region: by_sym(&self.region),
            distinct: Distinct::default(),
        }
    }
}

/// Events by the ECR repositories they are about (the repository a call names, or those of the
/// images a task definition, a task or another service's write names, as the filter's repository
/// field matches them), each by its ARN
/// (a name in one registry and region; by its name where it has none, see
/// [`crate::facts::container::RepoAt::value`]), most first; the events about none under the empty value,
/// as the filter keeps them. An event about several repositories counts for each; one about a
/// repository twice, once.
pub fn by_repository(store: &Store, rows: impl Iterator<Item = Row>) -> Vec<Count> {
    use crate::facts::container::{repos_of, RepoOf, PUBLIC_SOURCE};
    let public = store.strings.lookup(PUBLIC_SOURCE);
    let mut reader = crate::facts::container::FactReader::default();
    // A call names one repository (by symbols, counted without writing its ARN); a task
    // definition's images are values at once, so that two of one repository count once.
    let mut named: HashMap<RepoOf, u64> = HashMap::new();
    let mut by_arn: HashMap<String, u64> = HashMap::new();
    let mut seen: Vec<String> = Vec::new();
    let mut none = 0;
    for r in rows {
        let fact = reader.get(&store.container, r);
        let mut any = false;
        seen.clear();
        for repo in repos_of(store, fact, public) {
            any = true;
            match repo {
                RepoOf::Named { .. } => *named.entry(repo).or_default() += 1,
                RepoOf::Image { .. } => {
                    let value = repo.value(store);
                    if !seen.contains(&value) {
                        *by_arn.entry(value.clone()).or_default() += 1;
                        seen.push(value);
                    }
                }
            }
        }
        none += u64::from(!any);
    }
    for (repo, n) in named {
        *by_arn.entry(repo.value(store)).or_default() += n;
    }
    if none > 0 {
        by_arn.insert(String::new(), none);
    }
    sorted(by_arn.into_iter())
}

/// Events by the values of a list field of the filter, most first, as the filter matches them:
/// picking a value keeps its count (with the filter the rows came from). The events that logged no
/// value (no access key, no role) count under the empty value, which the menu shows as "(none)".
/// "Started by" origins, which the Identities view's chains set, are not listed. An event about
/// several repositories counts for each.
pub fn by_value(store: &Store, rows: impl Iterator<Item = Row>, field: Field) -> Vec<Count> {
    use crate::analysis::identity::client::classify;
    use crate::analysis::identity::mfa_label;
    use crate::model::KeyKind;
    // Values made from a symbol (a client from its user agent), or from an identity, summed.
    let mut named: HashMap<String, u64> = HashMap::new();
    let mut add = |value: std::borrow::Cow<'_, str>, n: u64| {
        *named.entry(value.into_owned()).or_default() += n;
    };
    let of: fn(&Store, Row) -> Sym = match field {
        Field::Repository => return by_repository(store, rows),
        Field::Source => Store::source,
        Field::Name => Store::name,
        Field::Account => Store::account,
        Field::Region => Store::region,
        Field::Ip => Store::ip,
        Field::UserAgent | Field::Client => Store::user_agent,
        Field::Principal
        | Field::IdentityType
        | Field::AccessKey
        | Field::Role
        | Field::Mfa
        | Field::KeyKind
        | Field::InvokedBy
        | Field::IdentityCenterUser => {
            let mut per_identity: Vec<u64> = Vec::new();
            for r in rows {
                let id = store.identity_id(r) as usize;
                if per_identity.len() <= id {
                    per_identity.resize(id + 1, 0);
                }
                per_identity[id] += 1;
            }
            for (id, &n) in per_identity.iter().enumerate().filter(|(_, &n)| n > 0) {
                let id = store.identity_by_id(id as u32);
                let text = |s: Sym| store.str(s);
                add(
                    match field {
                        Field::Principal => principal_label(&id, &store.strings).into(),
                        Field::IdentityType => id.kind.label().into(),
                        Field::AccessKey => text(id.access_key),
                        Field::Role => text(id.issuer_arn),
                        Field::Mfa => mfa_label(id.mfa).into(),
                        Field::KeyKind => KeyKind::of(&text(id.access_key)).label().into(),
                        Field::InvokedBy => text(id.invoked_by),
                        _ => text(id.on_behalf_user),
                    },
                    n,
                );
            }
            return sorted(named.into_iter());
        }
        Field::Origin | Field::Errors | Field::Access | Field::Range | Field::Text | Field::Call | Field::Place => {
            return Vec::new()
        }
    };
    let mut per_sym: HashMap<Sym, u64> = HashMap::new();
    for r in rows {
        *per_sym.entry(of(store, r)).or_default() += 1;
    }
    for (sym, n) in per_sym {
        let value = store.str(sym);
        if field == Field::Client {
            add(classify(&value).label().into(), n);
        } else {
            add(value, n);
        }
    }
    sorted(named.into_iter())
}

fn sorted(it: impl Iterator<Item = (String, u64)>) -> Vec<Count> {
    let mut v: Vec<Count> = it.map(|(key, count)| Count { key, count }).collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    v
}

/// Grows `v` with zeros to `len`, by an eighth at least, without doubling its capacity.
fn grow_to(v: &mut Vec<u32>, len: usize) {
    if v.capacity() < len {
        v.reserve_exact((len - v.len()).max(v.len() / 8).max(64));
    }
    v.resize(len, 0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::filter::Field;
    use crate::engine::Engine;

    #[test]
    fn ok_by_field_gives_each_fields_breakdown() {
        let one = |key: &str| vec![Count { key: key.into(), count: 1 }];
        let c = Counts {
            by_source: one("s"),
            by_principal: one("p"),
            by_identity_type: one("t"),
            by_account: one("a"),
            by_region: one("r"),
            by_error: one("e"),
            ..Counts::default()
        };
        let key = |f| c.by_field(f).iter().map(|x| x.key.as_str()).collect::<Vec<_>>();
        assert_eq!(key(Field::Source), ["s"]);
        assert_eq!(key(Field::Principal), ["p"]);
        assert_eq!(key(Field::IdentityType), ["t"]);
        assert_eq!(key(Field::Account), ["a"]);
        assert_eq!(key(Field::Region), ["r"]);
        assert!(key(Field::Name).is_empty(), "API calls are by_name");
    }

    #[test]
    fn ok_principals_counts_every_principal_when_the_list_is_cut() {
        // Three IAM users with 3, 2 and 1 events: a cut to the 2 biggest still says there are 3.
        let event = |n: u32, user: &str| {
            format!(
                r#"{{"eventTime":"2026-01-01T00:00:0{n}Z","eventSource":"ecr.amazonaws.com","eventName":"ListImages",
                "eventID":"00000000-0000-4000-8000-00000000000{n}","userIdentity":{{"type":"IAMUser",
                "arn":"arn:aws:iam::111122223333:user/{user}"}}}}"#
            )
        };
        let users = ["a", "a", "a", "b", "b", "c"];
        let records: Vec<String> = users.iter().enumerate().map(|(i, u)| event(i as u32, u)).collect();
        let mut e = Engine::new();
        e.ingest_bytes("three.json", format!(r#"{{"Records":[{}]}}"#, records.join(",")).as_bytes());
        let store = e.store();
        let mut tally = Tally::default();
        tally.add(store, 0..store.len() as Row);
        let cut = tally.counts_cut(store, 2);
        assert_eq!(cut.by_principal.len(), 2);
        assert_eq!(cut.by_principal[0].count, 3);
        assert_eq!(cut.principals, 3);
        assert_eq!(tally.counts(store).principals, 3);
    }

    /// An engine holding one event for each `userIdentity` given.
    fn engine_of(identities: &[&str]) -> Engine {
        let records: Vec<String> = identities
            .iter()
            .enumerate()
            .map(|(i, id)| {
                format!(
                    r#"{{"eventTime":"2026-01-01T00:00:{i:02}Z","eventSource":"ecr.amazonaws.com","eventName":"ListImages",
                    "eventID":"00000000-0000-4000-8000-0000000000{i:02}"{id}}}"#
                )
            })
            .collect();
        let mut e = Engine::new();
        e.ingest_bytes("mixed.json", format!(r#"{{"Records":[{}]}}"#, records.join(",")).as_bytes());
        assert_eq!(e.store().len(), identities.len());
        e
    }

    fn listed(c: &Counts) -> Vec<(&str, u64)> {
        c.by_principal.iter().map(|c| (c.key.as_str(), c.count)).collect()
    }

    #[test]
    fn ok_cut_principals_merge_labels_of_the_same_text_whatever_they_are_made_from() {
        let arn = r#","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"}"#;
        // No ARN, but a user name that is that ARN's text: one principal.
        let named_like_arn = r#","userIdentity":{"type":"IAMUser","userName":"arn:aws:iam::111122223333:user/a"}"#;
        let center = r#","userIdentity":{"type":"IdentityCenterUser","onBehalfOf":{"userId":"u-1"}}"#;
        let account = r#","userIdentity":{"type":"Unknown","accountId":"111122223333"}"#;
        let service = r#","userIdentity":{"type":"AWSService","invokedBy":"ecr.amazonaws.com"}"#;
        let plain = [arn, arn, arn, named_like_arn, center, center, center, account, account, service, ""];
        let expected = [
            ("arn:aws:iam::111122223333:user/a", 4),
            ("Identity Center user u-1", 3),
            ("account 111122223333", 2),
            ("(not recorded)", 1),
            ("ecr.amazonaws.com", 1),
        ];
        // A user named as the label made for an account with no other name: one principal too,
        // which only their text can tell.
        let user_like_account = r#","userIdentity":{"type":"IAMUser","userName":"account 111122223333"}"#;
        let mut colliding = plain.to_vec();
        colliding.push(user_like_account);
        let mut expected_colliding = expected;
        // Now a tie with the Identity Center user, which goes by text: "Identity…" before
        // "account…" (upper case first).
        expected_colliding[2].1 = 3;
        for (identities, expected) in [(plain.to_vec(), expected), (colliding, expected_colliding)] {
            let e = engine_of(&identities);
            let store = e.store();
            let mut tally = Tally::default();
            tally.add(store, 0..store.len() as Row);
            assert_eq!(listed(&tally.counts(store)), expected);
            for limit in 0..=expected.len() + 1 {
                let cut = tally.counts_cut(store, limit);
                assert_eq!(listed(&cut), expected[..limit.min(expected.len())], "limit {limit}");
                assert_eq!(cut.principals, expected.len() as u64);
            }
        }
    }
}
