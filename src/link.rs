//! Links that share a view without sharing data.
//!
//! The view (filters, time range, open tab, the Images view's page, open event) lives in the URL
//! fragment, so a link reproduces it for a colleague who drops the same files. AWS's own vocabulary
//! and Trailscope's labels (services, API call names, identity types, regions, MFA, key kinds,
//! `invokedBy` services, clients, the Images lists) are written as is; values that come from the
//! logs and identify people or resources (principals, access keys, accounts, IP addresses,
//! repositories, roles, Identity Center users, user agents, the repository or image whose page is
//! open, the open event) are written only as `h.` + the first 16 hex digits of their SHA-256, and
//! resolved back against the logs the colleague has loaded. Every filter field is in
//! the link ([`list_key`] must name each). The search text is written as typed. A fragment is never
//! sent to a server.
//!
//! Caveat, also in the README: a digest of a value from a small space (an IPv4 address, an account
//! id) can be found by trying every value, so links are for colleagues, not for publishing.

use std::fmt::Write as _;

use hashbrown::{HashMap, HashSet};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::analysis::container::nav::Page as ContainerPage;
use crate::analysis::container::Index;
use crate::analysis::filter::{place_value, Access, Compiled, Errors, Field, Filter};
use crate::analysis::principal::principal_label;
use crate::model::{time::format_iso, Sym};
use crate::store::{Row, Store};

/// `h.` + 16 hex digits of SHA-256(value).
pub fn digest(value: &str) -> String {
    let d = Sha256::digest(value.as_bytes());
    let mut s = String::with_capacity(18);
    s.push_str("h.");
    for b in &d[..8] {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// How a link writes a list field: its key, and whether its values are written as digests (values
/// from the logs that identify people or resources) rather than as they are. `None` for the fields
/// that are not lists. Every list field has a key, so a link carries the whole filter.
pub fn list_key(field: Field) -> Option<(&'static str, bool)> {
    Some(match field {
        Field::Source => ("src", false),
        Field::Name => ("name", false),
        Field::IdentityType => ("type", false),
        Field::Region => ("region", false),
        Field::Principal => ("p", true),
        Field::AccessKey => ("key", true),
        Field::Account => ("acct", true),
        Field::Ip => ("ip", true),
        Field::Repository => ("repo", true),
        Field::Role => ("role", true),
        Field::Mfa => ("mfa", false),
        Field::KeyKind => ("kind", false),
        Field::InvokedBy => ("via", false),
        Field::IdentityCenterUser => ("idc", true),
        Field::UserAgent => ("ua", true),
        Field::Client => ("client", false),
        Field::Origin => ("origin", true),
        Field::Call => ("call", false),
        // An account in it: the pair's digest.
        Field::Place => ("place", true),
        Field::Errors | Field::Access | Field::Range | Field::Text => return None,
    })
}

/// The fields a link writes as digests: lists, and the pairs only ever left out.
fn hashed_lists() -> impl Iterator<Item = Field> {
    Field::LISTS.into_iter().chain(Field::PAIRS).filter(|&f| list_key(f).is_some_and(|(_, hashed)| hashed))
}

/// A view as a link carries it: AWS vocabulary in clear, log values as digests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ViewLink {
    /// Tab slug (`overview`, `events`, ...).
    pub view: String,
    /// The filter; hashed fields hold digests.
    pub filter: Filter,
    /// Digest of the open event's key (see [`event_key`]).
    pub event: Option<String>,
    /// The Images view's page, as [`ContainerPage::link_value`] writes it.
    pub page: Option<String>,
    /// The search text was searched for in the whole of every event too (see
    /// [`crate::analysis::json_search`]): the colleague's page does so once the logs are loaded.
    pub whole: bool,
}

/// What identifies one event across sessions: its id, time, source and name (the dedupe key).
pub fn event_key(event_id: &str, time_iso: &str, source: &str, name: &str) -> String {
    format!("{event_id}|{time_iso}|{source}|{name}")
}

impl ViewLink {
    /// The link for a view, hashing the values that come from the logs (a value still a digest, from
    /// a link some of whose values were not in the logs, is kept as it is).
    pub fn new(view: &str, filter: &Filter, event_key: Option<&str>) -> ViewLink {
        let mut f = filter.clone();
        for field in hashed_lists() {
            for v in f.list_mut(field).into_iter().flatten().filter(|v| !is_digest(v)) {
                *v = digest(v);
            }
        }
        for (field, v) in &mut f.exclude {
            if list_key(*field).is_some_and(|(_, hashed)| hashed) && !is_digest(v) {
                *v = digest(v);
            }
        }
        ViewLink { view: view.to_owned(), filter: f, event: event_key.map(digest), page: None, whole: false }
    }

    /// This link opening `page` of the Images view (the repositories, the default, need no mention).
    #[must_use]
    pub fn with_page(mut self, page: &ContainerPage) -> ViewLink {
        self.page = (*page != ContainerPage::default()).then(|| page.link_value());
        self
    }

    /// This link with its search text searched for in the whole of every event too, when `whole`.
    #[must_use]
    pub fn searching_whole(mut self, whole: bool) -> ViewLink {
        self.whole = whole && !self.filter.text.trim().is_empty();
        self
    }

    /// The URL fragment, without `#`.
    pub fn to_fragment(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut put = |k: &str, v: &str| parts.push(format!("{k}={}", encode(v)));
        if !self.view.is_empty() {
            put("v", &self.view);
        }
        let f = &self.filter;
        if let Some(t) = f.from {
            put("from", &t.to_string());
        }
        if let Some(t) = f.to {
            put("to", &t.to_string());
        }
        for field in Field::LISTS {
            let (Some((k, _)), Some(list)) = (list_key(field), f.list(field)) else { continue };
            for v in list {
                put(k, v);
            }
        }
        // A value left out: its field's key after `x.`.
        for (field, v) in &f.exclude {
            if let Some((k, _)) = list_key(*field) {
                put(&format!("x.{k}"), v);
            }
        }
        match f.errors {
            Errors::Only => put("err", "only"),
            Errors::None => put("err", "none"),
            Errors::Any => {}
        }
        match f.access {
            Access::ReadOnly => put("acc", "read-only"),
            Access::Write => put("acc", "write"),
            Access::Any => {}
        }
        if !f.text.is_empty() {
            put("q", &f.text);
        }
        if self.whole {
            put("qw", "1");
        }
        if let Some(e) = &self.event {
            put("ev", e);
        }
        if let Some(p) = &self.page {
            put("pg", p);
        }
        parts.join("&")
    }

    /// Parses a fragment (with or without `#`); unknown keys and malformed values are ignored.
    pub fn from_fragment(fragment: &str) -> ViewLink {
        let mut link = ViewLink::default();
        let key_of = |f: Field| list_key(f).map(|(k, hashed)| (k, (f, hashed)));
        let lists: HashMap<&str, (Field, bool)> = Field::LISTS.into_iter().filter_map(key_of).collect();
        let left_out: HashMap<&str, (Field, bool)> =
            Field::LISTS.into_iter().chain(Field::PAIRS).filter(|f| f.can_leave_out()).filter_map(key_of).collect();
        let f = &mut link.filter;
        for part in fragment.trim_start_matches('#').split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let v = decode(v);
            if let Some(&(field, hashed)) = k.strip_prefix("x.").and_then(|k| left_out.get(k)) {
                // A hashed pair's digest is no pair: only its field is asked.
                let ok = if hashed { is_digest(&v) } else { Filter::can_leave_out(field, &v) };
                if ok && !f.excludes(field, &v) {
                    f.exclude.push((field, v));
                }
                continue;
            }
            if let Some(&(field, hashed)) = lists.get(k) {
                // A value from the logs in clear is not accepted: links never carry one.
                if let Some(list) = f.list_mut(field).filter(|_| !hashed || is_digest(&v)) {
                    list.push(v);
                }
                continue;
            }
            match k {
                "v" => link.view = v,
                "from" => f.from = v.parse().ok(),
                "to" => f.to = v.parse().ok(),
                "err" => f.errors = if v == "none" { Errors::None } else { Errors::Only },
                "acc" => f.access = if v == "write" { Access::Write } else { Access::ReadOnly },
                "q" => f.text = v,
                "qw" => link.whole = v == "1",
                "ev" if is_digest(&v) => link.event = Some(v),
                "pg" => link.page = Some(v),
                _ => {}
            }
        }
        link
    }
}

/// A link resolved against the loaded logs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    /// The filter with every digest found replaced by its value. Digests not found stay as they are:
    /// they match nothing, as they matched nothing the colleague could see either.
    pub filter: Filter,
    /// The open event's row, when found.
    pub event: Option<Row>,
    /// The Images view's page, when the link names one found in these logs.
    pub page: Option<ContainerPage>,
    /// Digests (and the open event) not found in the loaded logs.
    pub unresolved: u32,
}

/// The key of row `r` (see [`event_key`]).
pub fn row_key(store: &Store, r: Row) -> String {
    event_key(&store.event_id(r), &format_iso(store.time(r)), &store.str(store.source(r)), &store.str(store.name(r)))
}

/// Replaces the link's digests with the values they stand for in `store` (whose container index,
/// for a repository's or an image's page, is `ix`).
pub fn resolve(link: &ViewLink, store: &Store, ix: &Index) -> Resolved {
    let mut f = link.filter.clone();
    let mut unresolved = 0;
    // A field's values kept and left out are looked up together: its candidates are made once.
    let mut exclude = std::mem::take(&mut f.exclude);
    for field in hashed_lists() {
        let left_out = exclude.iter_mut().filter(|(x, _)| *x == field).map(|(_, v)| v);
        let digests: Vec<&mut String> =
            f.list_mut(field).into_iter().flatten().chain(left_out).filter(|v| is_digest(v)).collect();
        if digests.is_empty() {
            continue;
        }
        let known = candidates(store, field);
        for v in digests {
            match known.get(v.as_str()) {
                Some(value) => value.clone_into(v),
                None => unresolved += 1,
            }
        }
    }
    f.exclude = exclude;
    let event = link.event.as_ref().and_then(|want| {
        // Look where the link's own filter points first; the open event is usually among those rows.
        let c = Compiled::new(&f, store);
        let found = c.rows().find(|&r| digest(&row_key(store, r)) == *want);
        found.or_else(|| (0..store.len() as Row).find(|&r| digest(&row_key(store, r)) == *want))
    });
    if link.event.is_some() && event.is_none() {
        unresolved += 1;
    }
    let page = link.page.as_deref().and_then(|v| ContainerPage::from_link(v, ix, store));
    if link.page.is_some() && page.is_none() {
        unresolved += 1;
    }
    Resolved { filter: f, event, page, unresolved }
}

/// The values of `field` in `store`, by digest: what a link's digests for that field may stand for.
fn candidates(store: &Store, field: Field) -> HashMap<String, String> {
    let text = |s: Sym| store.str(s).into_owned();
    let column = |get: fn(&Store, Row) -> Sym| -> Vec<String> {
        let syms: HashSet<Sym> = (0..store.len() as Row).map(|r| get(store, r)).collect();
        syms.into_iter().map(text).collect()
    };
    let of_identities = |get: fn(&crate::model::Identity) -> Sym| -> Vec<String> {
        let syms: HashSet<Sym> = store.identities().map(|id| get(&id)).collect();
        syms.into_iter().map(text).collect()
    };
    let values = match field {
        Field::Principal | Field::Origin => store.identities().map(|id| principal_label(&id, &store.strings)).collect(),
        Field::AccessKey => of_identities(|id| id.access_key),
        Field::Role => of_identities(|id| id.issuer_arn),
        Field::IdentityCenterUser => of_identities(|id| id.on_behalf_user),
        Field::Account => column(Store::account),
        Field::Place => {
            let pairs: HashSet<(Sym, Sym)> =
                (0..store.len() as Row).map(|r| (store.account(r), store.region(r))).collect();
            pairs.into_iter().map(|(a, r)| place_value(&store.str(a), &store.str(r))).collect()
        }
        Field::Ip => column(Store::ip),
        Field::UserAgent => column(Store::user_agent),
        Field::Repository => {
            use crate::facts::container::{repos_of, RepoOf, PUBLIC_SOURCE};
            let public = store.strings.lookup(PUBLIC_SOURCE);
            let repos: HashSet<RepoOf> =
                store.container.all().flat_map(|fact| repos_of(store, Some(fact), public)).collect();
            // Each by its ARN, and by its name alone, as links made before ARNs named them.
            let names: HashSet<Sym> = repos.iter().map(|r| r.name()).collect();
            let mut values: HashSet<String> = repos.into_iter().map(|r| r.value(store)).collect();
            values.extend(names.into_iter().map(text));
            // The empty name: the events that name no repository.
            values.insert(String::new());
            values.into_iter().collect()
        }
        // Written as they are: nothing to look up.
        _ => Vec::new(),
    };
    values.into_iter().map(|v| (digest(&v), v)).collect()
}

/// Whether `v` is a digest as [`digest`] writes it.
pub fn is_digest(v: &str) -> bool {
    v.len() == 18 && v.starts_with("h.") && v[2..].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Percent-encodes everything but unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Undoes [`encode`] (and `+` as space, as forms write it); invalid escapes stay as they are.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::filter::Field;

    #[test]
    fn ok_digest_is_sha256_prefix() {
        // printf %s 123456789012 | sha256sum → 2a33349e7e606a8ad2e3...
        assert_eq!(digest("123456789012"), "h.2a33349e7e606a8a");
        assert!(is_digest(&digest("x")));
        assert!(!is_digest("h.19C98A3D49A59DC5"));
    }

    #[test]
    fn ok_log_values_never_appear_in_the_fragment() {
        let f = Filter::default()
            .with(Field::Principal, "arn:aws:iam::123456789012:user/Mary_Major")
            .with(Field::Account, "123456789012")
            .with(Field::Ip, "203.0.113.12")
            .with(Field::AccessKey, "AKIAIOSFODNN7EXAMPLE")
            .with(Field::Source, "ecr.amazonaws.com")
            .with(Field::Errors, "only");
        let frag =
            ViewLink::new("events", &f, Some("2bfd4ee2-2178-4a82-a27d-b12939923f0f|2019-04-15T16:45:00Z|ecr|PutImage"))
                .to_fragment();
        for secret in ["Mary", "123456789012", "203.0.113", "AKIA", "2bfd4ee2"] {
            assert!(!frag.contains(secret), "{secret} leaked into {frag}");
        }
        assert!(frag.contains("src=ecr.amazonaws.com"), "{frag}");
        assert!(frag.contains("err=only"), "{frag}");
    }

    #[test]
    fn ok_round_trip() {
        let f = Filter { from: Some(1_000), to: Some(2_000), text: "a b&c=d%é".into(), ..Filter::default() }
            .with(Field::Name, "PutImage")
            .with(Field::Region, "eu-west-1")
            .with(Field::Access, "write")
            .with(Field::Principal, "arn:aws:sts::1:assumed-role/R/s");
        let link = ViewLink::new("overview", &f, Some("k"));
        let back = ViewLink::from_fragment(&format!("#{}", link.to_fragment()));
        assert_eq!(back, link);
    }

    #[test]
    fn ok_a_search_of_the_whole_events_travels_with_its_text_only() {
        let f = Filter { text: "ml-datasets".into(), ..Filter::default() };
        let link = ViewLink::new("events", &f, None).searching_whole(true);
        assert!(link.to_fragment().ends_with("q=ml-datasets&qw=1"), "{}", link.to_fragment());
        assert_eq!(ViewLink::from_fragment(&link.to_fragment()), link);
        // Without a search text there is nothing to search the whole events for.
        assert!(!ViewLink::new("events", &Filter::default(), None).searching_whole(true).whole);
        assert!(!ViewLink::from_fragment("q=x&qw=0").whole);
    }

    #[test]
    fn ok_resolves_against_the_same_logs() {
        let log = br#"{"Records":[
          {"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecr.amazonaws.com","eventName":"PutImage","eventID":"00000000-0000-0000-0000-000000000001",
           "recipientAccountId":"111111111111","sourceIPAddress":"203.0.113.12",
           "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/Mary_Major","accessKeyId":"AKIAEXAMPLE1"}},
          {"eventTime":"2026-03-01T00:01:00Z","eventSource":"ecr.amazonaws.com","eventName":"BatchGetImage","eventID":"00000000-0000-0000-0000-000000000002",
           "recipientAccountId":"222222222222","sourceIPAddress":"198.51.100.4",
           "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::222222222222:assumed-role/R/s","accessKeyId":"ASIAEXAMPLE2"}}
        ]}"#;
        let mut e = crate::engine::Engine::new();
        e.ingest_bytes("f.json", log);
        let s = e.store();
        let f = Filter::default()
            .with(Field::Principal, "arn:aws:sts::222222222222:assumed-role/R/s")
            .with(Field::AccessKey, "ASIAEXAMPLE2")
            .with(Field::Account, "222222222222")
            .with(Field::Ip, "198.51.100.4")
            .with(Field::Ip, "192.0.2.1");
        let key = row_key(s, 1);
        let link = ViewLink::from_fragment(&ViewLink::new("events", &f, Some(&key)).to_fragment());
        let r = resolve(&link, s, &crate::analysis::container::Index::build(s));
        assert_eq!(r.event, Some(1));
        assert_eq!(r.unresolved, 1, "192.0.2.1 is not in these logs");
        assert_eq!(r.filter.principals, f.principals);
        assert_eq!(r.filter.access_keys, f.access_keys);
        assert_eq!(r.filter.accounts, f.accounts);
        assert_eq!(r.filter.ips[0], "198.51.100.4");
        assert_eq!(r.filter.ips[1], digest("192.0.2.1"));
        assert_eq!(Compiled::new(&r.filter, s).rows().collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn ok_a_value_left_a_digest_is_written_back_as_it_came() {
        // A link's IP not in the logs stays a digest in the filter; the link written from that
        // filter must carry the same digest, not a digest of it.
        let sent = ViewLink::new("events", &Filter::default().with(Field::Ip, "192.0.2.1"), None);
        let kept = ViewLink::new("events", &sent.filter, None);
        assert_eq!(kept.filter.ips, [digest("192.0.2.1")]);
    }

    #[test]
    fn ok_a_call_left_out_travels_in_clear_and_back() {
        let call = crate::analysis::filter::call_value("ecr.amazonaws.com", "BatchGetImage");
        let f = Filter::default()
            .excluding(Field::Call, &call)
            .excluding(Field::Principal, "arn:aws:iam::123456789012:user/Mary_Major");
        let link = ViewLink::new("overview", &f, None);
        let frag = link.to_fragment();
        assert!(frag.contains("x.call=") && frag.contains("BatchGetImage"), "AWS vocabulary in clear: {frag}");
        assert!(!frag.contains("Mary"), "{frag}");
        let back = ViewLink::from_fragment(&frag);
        assert_eq!(back, link);
        assert_eq!(back.filter.exclude[0], (Field::Call, call));
        // A value that is not a call is not taken, nor an origin left out (no filter leaves one out).
        let odd = ViewLink::from_fragment(&format!("#x.call=BatchGetImage&x.origin={}", digest("arn:aws:iam::1:root")));
        assert!(odd.filter.exclude.is_empty(), "{:?}", odd.filter.exclude);
    }

    #[test]
    fn ok_an_account_and_region_left_out_travel_as_a_digest_and_resolve_back() {
        let log = br#"{"Records":[
          {"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecr.amazonaws.com","eventName":"PutImage","eventID":"00000000-0000-0000-0000-000000000001",
           "recipientAccountId":"111111111111","awsRegion":"us-east-1"},
          {"eventTime":"2026-03-01T00:01:00Z","eventSource":"ecr.amazonaws.com","eventName":"BatchGetImage","eventID":"00000000-0000-0000-0000-000000000002",
           "recipientAccountId":"111111111111","awsRegion":"eu-west-1"}
        ]}"#;
        let mut e = crate::engine::Engine::new();
        e.ingest_bytes("f.json", log);
        let s = e.store();
        let east = place_value("111111111111", "us-east-1");
        let gone = place_value("999999999999", "us-east-1");
        let f = Filter::default().excluding(Field::Place, &east).excluding(Field::Place, &gone);
        let frag = ViewLink::new("timeline", &f, None).to_fragment();
        assert!(!frag.contains("111111111111") && !frag.contains("us-east-1"), "the pair is a digest: {frag}");
        assert_eq!(frag.matches("x.place=h.").count(), 2, "{frag}");
        let r = resolve(&ViewLink::from_fragment(&frag), s, &crate::analysis::container::Index::build(s));
        assert_eq!(r.filter.exclude, [(Field::Place, east), (Field::Place, digest(&gone))]);
        assert_eq!(r.unresolved, 1, "999999999999 is not in these logs");
        assert_eq!(Compiled::new(&r.filter, s).rows().collect::<Vec<_>>(), [1], "the eu-west-1 event stays");
        // A pair in clear is not taken from a link.
        let clear = ViewLink::from_fragment(&format!("#x.place={}", encode(&place_value("111111111111", "us-east-1"))));
        assert!(clear.filter.exclude.is_empty(), "{:?}", clear.filter.exclude);
    }

    #[test]
    fn ok_hostile_fragment_is_ignored_not_trusted() {
        let link = ViewLink::from_fragment("#p=arn:aws:iam::1:root&ev=<script>&from=x&%zz=1&src=%E2%80%AEevil");
        assert!(link.filter.principals.is_empty(), "clear-text principals are not accepted");
        assert_eq!(link.event, None);
        assert_eq!(link.filter.from, None);
        assert_eq!(link.filter.sources, ["\u{202e}evil"], "decoded as text, rendered as text");
    }
}
