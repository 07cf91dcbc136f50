//! One filter model for every view: time range, services, event names, identities, accounts,
//! regions, errors, read-only vs write, and free text.
//!
//! Within one field the values are alternatives (OR); across fields all must hold (AND). A
//! [`Filter`] is plain data (it travels in queries and, later, in the URL fragment); the engine
//! compiles it against the store once per query ([`Compiled`]), turning names into symbol sets and
//! the search text into the set of matching strings, so testing a row is a few lookups.

use hashbrown::HashSet;
use serde::{Deserialize, Serialize};

use super::principal::principal_label;
use crate::model::{Millis, Sym};
use crate::store::{flags, Row, Store};

/// Whether to keep failed calls, successful ones, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Errors {
    /// Both.
    #[default]
    Any,
    /// Only events with an `errorCode`.
    Only,
    /// Only events without one.
    None,
}

/// Whether to keep read-only calls, writes, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Access {
    /// Both (and events that do not say).
    #[default]
    Any,
    /// `readOnly: true`.
    ReadOnly,
    /// `readOnly: false`.
    Write,
}

/// What to show. The default keeps everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Earliest event time kept (inclusive), ms UTC.
    pub from: Option<Millis>,
    /// Latest event time kept (exclusive), ms UTC.
    pub to: Option<Millis>,
    /// `eventSource` values.
    pub sources: Vec<String>,
    /// `eventName` values.
    pub names: Vec<String>,
    /// Principals, as [`principal_label`] names them.
    pub principals: Vec<String>,
    /// Identity types, as their labels.
    pub identity_types: Vec<String>,
    /// Access key ids.
    pub access_keys: Vec<String>,
    /// Accounts.
    pub accounts: Vec<String>,
    /// Regions.
    pub regions: Vec<String>,
    /// Source IP addresses (or service names).
    pub ips: Vec<String>,
    /// Failed calls only, successful only, or both.
    pub errors: Errors,
    /// Read-only, write, or both.
    pub access: Access,
    /// Case-insensitive text that must appear in the event's name, source, principal, ARN, access
    /// key, IP, user agent, region, account or error, or be its whole `eventID`.
    pub text: String,
}

/// A part of a filter that can be added or removed on its own (a chip).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    /// `sources`.
    Source,
    /// `names`.
    Name,
    /// `principals`.
    Principal,
    /// `identity_types`.
    IdentityType,
    /// `access_keys`.
    AccessKey,
    /// `accounts`.
    Account,
    /// `regions`.
    Region,
    /// `ips`.
    Ip,
    /// `errors` (value `only` or `none`).
    Errors,
    /// `access` (value `read-only` or `write`).
    Access,
    /// `from` / `to` (value: the chip's label).
    Range,
    /// `text`.
    Text,
}

impl Field {
    /// What the chip calls the field.
    pub fn label(self) -> &'static str {
        match self {
            Field::Source => "Service",
            Field::Name => "Call",
            Field::Principal => "Principal",
            Field::IdentityType => "Identity type",
            Field::AccessKey => "Access key",
            Field::Account => "Account",
            Field::Region => "Region",
            Field::Ip => "Source IP",
            Field::Errors => "Errors",
            Field::Access => "Access",
            Field::Range => "Time",
            Field::Text => "Search",
        }
    }
}

/// One removable part of a filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chip {
    /// Which field.
    pub field: Field,
    /// The value (for lists, one of the alternatives).
    pub value: String,
}

impl Filter {
    /// Whether this filter keeps everything.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    fn list_mut(&mut self, field: Field) -> Option<&mut Vec<String>> {
        Some(match field {
            Field::Source => &mut self.sources,
            Field::Name => &mut self.names,
            Field::Principal => &mut self.principals,
            Field::IdentityType => &mut self.identity_types,
            Field::AccessKey => &mut self.access_keys,
            Field::Account => &mut self.accounts,
            Field::Region => &mut self.regions,
            Field::Ip => &mut self.ips,
            Field::Errors | Field::Access | Field::Range | Field::Text => return None,
        })
    }

    /// This filter with `value` added to `field` (a list field gains an alternative; `Errors` takes
    /// `only`/`none`, `Access` takes `read-only`/`write`, `Text` replaces the search).
    #[must_use]
    pub fn with(&self, field: Field, value: &str) -> Filter {
        let mut f = self.clone();
        if let Some(list) = f.list_mut(field) {
            if !list.iter().any(|v| v == value) {
                list.push(value.to_owned());
            }
            return f;
        }
        match field {
            Field::Errors => f.errors = if value == "none" { Errors::None } else { Errors::Only },
            Field::Access => f.access = if value == "write" { Access::Write } else { Access::ReadOnly },
            Field::Text => value.clone_into(&mut f.text),
            _ => {}
        }
        f
    }

    /// This filter without one chip.
    #[must_use]
    pub fn without(&self, chip: &Chip) -> Filter {
        let mut f = self.clone();
        if let Some(list) = f.list_mut(chip.field) {
            list.retain(|v| *v != chip.value);
            return f;
        }
        match chip.field {
            Field::Errors => f.errors = Errors::Any,
            Field::Access => f.access = Access::Any,
            Field::Range => (f.from, f.to) = (None, None),
            Field::Text => f.text.clear(),
            _ => {}
        }
        f
    }

    /// Every chip, in a stable order.
    pub fn chips(&self) -> Vec<Chip> {
        let mut out = Vec::new();
        if self.from.is_some() || self.to.is_some() {
            let end = |t: Option<Millis>| t.map_or_else(|| "…".to_owned(), crate::text::utc);
            out.push(Chip { field: Field::Range, value: format!("{} → {}", end(self.from), end(self.to)) });
        }
        let mut f = self.clone();
        for field in [
            Field::Source,
            Field::Name,
            Field::Principal,
            Field::IdentityType,
            Field::AccessKey,
            Field::Account,
            Field::Region,
            Field::Ip,
        ] {
            if let Some(list) = f.list_mut(field) {
                out.extend(list.iter().map(|v| Chip { field, value: v.clone() }));
            }
        }
        match self.errors {
            Errors::Only => out.push(Chip { field: Field::Errors, value: "only".into() }),
            Errors::None => out.push(Chip { field: Field::Errors, value: "none".into() }),
            Errors::Any => {}
        }
        match self.access {
            Access::ReadOnly => out.push(Chip { field: Field::Access, value: "read-only".into() }),
            Access::Write => out.push(Chip { field: Field::Access, value: "write".into() }),
            Access::Any => {}
        }
        if !self.text.trim().is_empty() {
            out.push(Chip { field: Field::Text, value: self.text.clone() });
        }
        out
    }
}

/// A [`Filter`] resolved against one store.
pub struct Compiled<'s> {
    store: &'s Store,
    from: Millis,
    to: Millis,
    sources: Option<HashSet<Sym>>,
    names: Option<HashSet<Sym>>,
    identities: Option<Vec<bool>>,
    accounts: Option<HashSet<Sym>>,
    regions: Option<HashSet<Sym>>,
    ips: Option<HashSet<Sym>>,
    errors: Errors,
    access: Access,
    /// Symbols whose text contains the search text (indexed by symbol number).
    text_syms: Option<Vec<bool>>,
    /// Identities whose principal or ARN or key contains the search text.
    text_identities: Option<Vec<bool>>,
    /// The search text is a whole `eventID` (UUID): rows with that id match too.
    text_uuid: Option<u128>,
    /// Some listed value exists nowhere in the store: nothing can match.
    impossible: bool,
}

fn syms(store: &Store, values: &[String], impossible: &mut bool) -> Option<HashSet<Sym>> {
    if values.is_empty() {
        return None;
    }
    let set: HashSet<Sym> = values.iter().filter_map(|v| store.strings.lookup(v)).collect();
    if set.is_empty() {
        *impossible = true;
    }
    Some(set)
}

impl<'s> Compiled<'s> {
    /// Resolves `f` against `store`.
    pub fn new(f: &Filter, store: &'s Store) -> Compiled<'s> {
        let mut impossible = false;
        let sources = syms(store, &f.sources, &mut impossible);
        let names = syms(store, &f.names, &mut impossible);
        let accounts = syms(store, &f.accounts, &mut impossible);
        let regions = syms(store, &f.regions, &mut impossible);
        let ips = syms(store, &f.ips, &mut impossible);
        let identities = if f.principals.is_empty() && f.identity_types.is_empty() && f.access_keys.is_empty() {
            None
        } else {
            let keys: HashSet<Sym> = f.access_keys.iter().filter_map(|k| store.strings.lookup(k)).collect();
            let ids: Vec<bool> = store
                .identities()
                .iter()
                .map(|id| {
                    (f.principals.is_empty() || f.principals.iter().any(|p| *p == principal_label(id, &store.strings)))
                        && (f.identity_types.is_empty() || f.identity_types.iter().any(|t| t == id.kind.label()))
                        && (f.access_keys.is_empty() || keys.contains(&id.access_key))
                })
                .collect();
            Some(ids)
        };
        let text_uuid = crate::store::parse_uuid(&f.text.trim().to_lowercase());
        let (text_syms, text_identities) = if f.text.trim().is_empty() {
            (None, None)
        } else {
            let needle = f.text.trim().to_lowercase();
            let hit = |s: &str| contains_ci(s, &needle);
            let text_syms: Vec<bool> = store.strings.iter().map(|(_, s)| hit(s)).collect();
            let text_identities = store
                .identities()
                .iter()
                .map(|id| {
                    [
                        id.arn,
                        id.access_key,
                        id.issuer_arn,
                        id.user_name,
                        id.principal_id,
                        id.invoked_by,
                        id.on_behalf_user,
                    ]
                    .iter()
                    .any(|s| text_syms[s.0 as usize])
                        || hit(&principal_label(id, &store.strings))
                })
                .collect();
            (Some(text_syms), Some(text_identities))
        };
        Compiled {
            store,
            from: f.from.unwrap_or(Millis::MIN),
            to: f.to.unwrap_or(Millis::MAX),
            sources,
            names,
            identities,
            accounts,
            regions,
            ips,
            errors: f.errors,
            access: f.access,
            text_syms,
            text_identities,
            text_uuid,
            impossible,
        }
    }

    /// Whether row `r` is kept.
    pub fn keeps(&self, r: Row) -> bool {
        let s = self.store;
        let t = s.time(r);
        if self.impossible || t < self.from || t >= self.to {
            return false;
        }
        let within = |set: &Option<HashSet<Sym>>, v: Sym| set.as_ref().is_none_or(|set| set.contains(&v));
        if !within(&self.sources, s.source(r))
            || !within(&self.names, s.name(r))
            || !within(&self.accounts, s.account(r))
            || !within(&self.regions, s.region(r))
            || !within(&self.ips, s.ip(r))
        {
            return false;
        }
        if let Some(ids) = &self.identities {
            if !ids[s.identity_id(r) as usize] {
                return false;
            }
        }
        let failed = !s.error_code(r).is_empty();
        match self.errors {
            Errors::Only if !failed => return false,
            Errors::None if failed => return false,
            _ => {}
        }
        let f = s.flags(r);
        match self.access {
            Access::ReadOnly if f & flags::READ_ONLY == 0 => return false,
            Access::Write if f & flags::WRITE == 0 => return false,
            _ => {}
        }
        if let (Some(text), Some(ids)) = (&self.text_syms, &self.text_identities) {
            let hit = [
                s.name(r),
                s.source(r),
                s.ip(r),
                s.user_agent(r),
                s.region(r),
                s.account(r),
                s.error_code(r),
                s.error_message(r),
            ]
            .iter()
            .any(|v| text[v.0 as usize])
                || ids[s.identity_id(r) as usize]
                || (self.text_uuid.is_some() && s.event_uuid(r) == self.text_uuid);
            if !hit {
                return false;
            }
        }
        true
    }

    /// The rows kept, in store order.
    pub fn rows(&self) -> impl Iterator<Item = Row> + '_ {
        (0..self.store.len() as Row).filter(move |&r| self.keeps(r))
    }
}

/// Case-insensitive (ASCII and simple Unicode lower-casing) substring test; `needle` is lower case.
fn contains_ci(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        hay.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    } else {
        hay.to_lowercase().contains(needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;

    const LOG: &str = r#"{"Records":[
      {"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecr.amazonaws.com","eventName":"PutImage","eventID":"00000000-0000-0000-0000-000000000001",
       "awsRegion":"us-east-1","recipientAccountId":"111111111111","readOnly":false,"sourceIPAddress":"203.0.113.12","userAgent":"docker/24.0.7",
       "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/Mary_Major","accessKeyId":"AKIAEXAMPLE1"}},
      {"eventTime":"2026-03-01T00:01:00Z","eventSource":"ecr.amazonaws.com","eventName":"BatchGetImage","eventID":"00000000-0000-0000-0000-000000000002",
       "awsRegion":"eu-west-1","recipientAccountId":"222222222222","readOnly":true,"errorCode":"ImageNotFoundException","sourceIPAddress":"ecs-tasks.amazonaws.com",
       "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::222222222222:assumed-role/ecsTaskExecutionRole/abc","accessKeyId":"ASIAEXAMPLE2"}},
      {"eventTime":"2026-03-01T00:02:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","eventID":"00000000-0000-0000-0000-000000000003",
       "awsRegion":"us-east-1","recipientAccountId":"111111111111","readOnly":true,
       "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/Mary_Major","accessKeyId":"AKIAEXAMPLE1"}}
    ]}"#;

    fn kept(f: &Filter) -> Vec<String> {
        let mut e = Engine::new();
        e.ingest_bytes("f.json", LOG.as_bytes());
        let s = e.store();
        let c = Compiled::new(f, s);
        c.rows().map(|r| s.str(s.name(r)).to_owned()).collect()
    }

    #[test]
    fn ok_empty_filter_keeps_all() {
        assert_eq!(kept(&Filter::default()), ["PutImage", "BatchGetImage", "AssumeRole"]);
        assert!(Filter::default().is_empty());
    }

    #[test]
    fn ok_fields_and_together_values_or_together() {
        let f = Filter {
            sources: vec!["ecr.amazonaws.com".into()],
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            ..Filter::default()
        };
        assert_eq!(kept(&f), ["PutImage", "BatchGetImage"]);
        let f = Filter {
            sources: vec!["ecr.amazonaws.com".into()],
            accounts: vec!["111111111111".into()],
            ..Filter::default()
        };
        assert_eq!(kept(&f), ["PutImage"]);
    }

    #[test]
    fn ok_time_range_is_half_open() {
        let t = crate::model::time::parse_iso("2026-03-01T00:01:00Z").unwrap();
        assert_eq!(kept(&Filter { from: Some(t), ..Filter::default() }), ["BatchGetImage", "AssumeRole"]);
        assert_eq!(kept(&Filter { to: Some(t), ..Filter::default() }), ["PutImage"]);
    }

    #[test]
    fn ok_identity_errors_access() {
        let f = Filter { principals: vec!["arn:aws:iam::111111111111:user/Mary_Major".into()], ..Filter::default() };
        assert_eq!(kept(&f), ["PutImage", "AssumeRole"]);
        assert_eq!(
            kept(&Filter { identity_types: vec!["AssumedRole".into()], ..Filter::default() }),
            ["BatchGetImage"]
        );
        assert_eq!(kept(&Filter { access_keys: vec!["ASIAEXAMPLE2".into()], ..Filter::default() }), ["BatchGetImage"]);
        assert_eq!(kept(&Filter { errors: Errors::Only, ..Filter::default() }), ["BatchGetImage"]);
        assert_eq!(kept(&Filter { errors: Errors::None, ..Filter::default() }), ["PutImage", "AssumeRole"]);
        assert_eq!(kept(&Filter { access: Access::Write, ..Filter::default() }), ["PutImage"]);
        assert_eq!(kept(&Filter { access: Access::ReadOnly, ..Filter::default() }), ["BatchGetImage", "AssumeRole"]);
    }

    #[test]
    fn ok_text_search_is_case_insensitive_across_fields() {
        assert_eq!(kept(&Filter { text: "DOCKER/24".into(), ..Filter::default() }), ["PutImage"]);
        assert_eq!(kept(&Filter { text: "ecstaskexecution".into(), ..Filter::default() }), ["BatchGetImage"]);
        assert_eq!(kept(&Filter { text: "imagenotfound".into(), ..Filter::default() }), ["BatchGetImage"]);
        assert_eq!(kept(&Filter { text: "mary_major".into(), ..Filter::default() }), ["PutImage", "AssumeRole"]);
        assert!(kept(&Filter { text: "nothing-like-this".into(), ..Filter::default() }).is_empty());
        assert_eq!(
            kept(&Filter { text: " 00000000-0000-0000-0000-000000000002 ".into(), ..Filter::default() }),
            ["BatchGetImage"]
        );
        assert_eq!(
            kept(&Filter { text: "00000000-0000-0000-0000-00000000000A".into(), ..Filter::default() }),
            Vec::<String>::new()
        );
    }

    #[test]
    fn ok_chips_add_and_remove_one_at_a_time() {
        let f = Filter::default()
            .with(Field::Source, "ecr.amazonaws.com")
            .with(Field::Source, "sts.amazonaws.com")
            .with(Field::Source, "ecr.amazonaws.com")
            .with(Field::Errors, "only")
            .with(Field::Text, "docker");
        let chips = f.chips();
        assert_eq!(chips.len(), 4);
        assert_eq!(chips[0], Chip { field: Field::Source, value: "ecr.amazonaws.com".into() });
        let g = f.without(&chips[0]);
        assert_eq!(g.sources, ["sts.amazonaws.com"]);
        assert_eq!(g.errors, Errors::Only);
        let h = chips.iter().fold(f.clone(), |acc, c| acc.without(c));
        assert!(h.is_empty());
    }

    #[test]
    fn ok_unknown_value_matches_nothing() {
        assert!(kept(&Filter { sources: vec!["s3.amazonaws.com".into()], ..Filter::default() }).is_empty());
    }
}
