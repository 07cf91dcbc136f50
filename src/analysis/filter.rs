//! One filter model for every view: time range, services, event names, identities, accounts,
//! regions, errors, read-only vs write, and free text.
//!
//! Within one field the values are alternatives (OR); across fields all must hold (AND). A
//! [`Filter`] is plain data (it travels in queries and, later, in the URL fragment); the engine
//! compiles it against the store once per query ([`Compiled`]), turning names into symbol sets and
//! the search text into the set of matching strings, so testing a row is a few lookups.

use std::cell::RefCell;

use hashbrown::HashSet;
use serde::{Deserialize, Serialize};

use super::identity::chains::origin_keys;
use super::identity::client::{classify, Client};
use super::identity::mfa_label;
use super::json_search::needle_of;
use super::principal::principal_label;
use crate::facts::container::{parse_image_uri, repos_of, FactReader, RepoAt, RepoOf, PUBLIC_SOURCE};
use crate::model::time::{show_bound, End};
use crate::model::{Identity, KeyKind, Millis, Sym};
use crate::store::{flags, Row, SearchMemo, Store};

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
    /// ECR repositories, each by its ARN ([`RepoAt::arn`]: in its registry and region), or by a
    /// bare name (in any; links made before repositories were named by ARN), matched through the
    /// container facts: the repository a call names, or the repositories of the images a task
    /// definition, a task or another service's write names. The empty value keeps the events that
    /// name none.
    pub repositories: Vec<String>,
    /// Session issuers (for a role session, the role's ARN).
    pub roles: Vec<String>,
    /// MFA: `Yes`, `No`, `Unknown` (see [`mfa_label`]).
    pub mfa: Vec<String>,
    /// Access key kinds, as [`KeyKind::label`] names them.
    pub key_kinds: Vec<String>,
    /// `invokedBy` services.
    pub invoked_by: Vec<String>,
    /// IAM Identity Center users (`onBehalfOf.userId`).
    pub identity_center_users: Vec<String>,
    /// User agents, exactly.
    pub user_agents: Vec<String>,
    /// Clients, as [`Client::label`] names them.
    pub clients: Vec<String>,
    /// Principals whose own calls are kept together with the calls of every session they opened,
    /// directly or through a chain of roles, and of every long-term key they made for another user
    /// (see [`origin_keys`]).
    pub origins: Vec<String>,
    /// Failed calls only, successful only, or both.
    pub errors: Errors,
    /// Read-only, write, or both.
    pub access: Access,
    /// Case-insensitive text that must appear in the event's name, source, principal, ARN, access
    /// key, IP, user agent, region, account or error, or be its whole `eventID`.
    pub text: String,
    /// Values of list fields left out ("not"): an event that one of them alone would keep is dropped
    /// (a noisy CI role, a service's own calls). A value of an origin is not left out this way.
    pub exclude: Vec<(Field, String)>,
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
    /// `repositories`.
    Repository,
    /// `roles`.
    Role,
    /// `mfa`.
    Mfa,
    /// `key_kinds`.
    KeyKind,
    /// `invoked_by`.
    InvokedBy,
    /// `identity_center_users`.
    IdentityCenterUser,
    /// `user_agents`.
    UserAgent,
    /// `clients`.
    Client,
    /// `origins`.
    Origin,
    /// `errors` (value `only` or `none`).
    Errors,
    /// `access` (value `read-only` or `write`).
    Access,
    /// `from` / `to` (value: the chip's label).
    Range,
    /// `text`.
    Text,
    /// A call: a service and a name together (the API calls panel's row), only ever left out; its
    /// value is [`call_value`].
    Call,
    /// An account and a region together (the timeline's lane by account and region), only ever left
    /// out; its value is [`place_value`].
    Place,
}

impl Field {
    /// Every field that holds a list of alternatives, in the order chips show them.
    pub const LISTS: [Field; 17] = [
        Field::Source,
        Field::Name,
        Field::Principal,
        Field::IdentityType,
        Field::AccessKey,
        Field::Account,
        Field::Region,
        Field::Ip,
        Field::Repository,
        Field::Role,
        Field::Mfa,
        Field::KeyKind,
        Field::InvokedBy,
        Field::IdentityCenterUser,
        Field::UserAgent,
        Field::Client,
        Field::Origin,
    ];

    /// The fields whose value is a pair of two others' values ([`call_value`], [`place_value`]), only
    /// ever left out.
    pub const PAIRS: [Field; 2] = [Field::Call, Field::Place];

    /// Whether this field's values can be left out (see [`Filter::exclude`]): every list but the
    /// origins, and the pairs.
    pub fn can_leave_out(self) -> bool {
        (Field::LISTS.contains(&self) && self != Field::Origin) || Field::PAIRS.contains(&self)
    }

    /// What the chip calls the field.
    pub fn label(self) -> &'static str {
        match self {
            Field::Source => "Service",
            Field::Name | Field::Call => "Call",
            Field::Principal => "Principal",
            Field::IdentityType => "Identity type",
            Field::AccessKey => "Access key",
            Field::Account => "Account",
            Field::Region => "Region",
            Field::Place => "Account and region",
            Field::Ip => "Source IP",
            Field::Repository => "Repository",
            Field::Role => "Role",
            Field::Mfa => "MFA",
            Field::KeyKind => "Key kind",
            Field::InvokedBy => "Invoked by",
            Field::IdentityCenterUser => "Identity Center user",
            Field::UserAgent => "User agent",
            Field::Client => "Client",
            Field::Origin => "Started by",
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
    /// A value left out (see [`Filter::exclude`]) rather than kept.
    #[serde(default)]
    pub not: bool,
}

impl Chip {
    /// A chip that keeps `field = value`.
    pub fn of(field: Field, value: impl Into<String>) -> Chip {
        Chip { field, value: value.into(), not: false }
    }
}

/// Two values as one (see [`Field::PAIRS`]): a JSON pair, which no value, whatever characters the
/// logs give it, can make ambiguous.
fn pair_value(a: &str, b: &str) -> String {
    serde_json::to_string(&(a, b)).unwrap_or_default()
}

/// The two values of a pair's value; `None` for anything else.
pub fn pair_parts(value: &str) -> Option<(String, String)> {
    serde_json::from_str(value).ok()
}

/// A call's value (see [`Field::Call`]): its service and name.
pub fn call_value(source: &str, name: &str) -> String {
    pair_value(source, name)
}

/// An account and region's value (see [`Field::Place`]).
pub fn place_value(account: &str, region: &str) -> String {
    pair_value(account, region)
}

/// A repository's value as people read it: `web/api · 123456789012 · us-east-1` for its ARN,
/// `web/api · ECR Public · 123456789012` for ECR Public's, a bare name as it is.
pub fn repo_text(value: &str) -> String {
    match repo_parts(value) {
        Some((name, place)) => format!("{name} · {place}"),
        None => value.to_owned(),
    }
}

/// A repository's value (its ARN) as its name and where it is, `123456789012 · us-east-1` or
/// `ECR Public · 123456789012`; `None` for a bare name.
pub fn repo_parts(value: &str) -> Option<(&str, String)> {
    RepoAt::parse(value).map(|r| {
        let place =
            if r.public { format!("ECR Public · {}", r.registry) } else { format!("{} · {}", r.registry, r.region) };
        (r.name, place)
    })
}

/// A pair's value as people read it: a call as `ecr.amazonaws.com BatchGetImage`, an account and
/// region as the timeline's lane names them, `123456789012 / us-east-1` (`? / us-east-1` for the
/// events that logged no account); any other field's value as it is.
pub fn pair_text(field: Field, value: &str) -> String {
    if field == Field::Repository {
        return repo_text(value);
    }
    let Some((a, b)) = pair_parts(value) else { return value.to_owned() };
    let or = |s: String| if s.is_empty() { "?".to_owned() } else { s };
    match field {
        Field::Call => format!("{a} {b}"),
        Field::Place => format!("{} / {}", or(a), or(b)),
        _ => value.to_owned(),
    }
}

/// The list of `field` in `filter`, borrowed as the trailing tokens say (`&` or `&mut`); `None`
/// for the fields that are not lists. One table for [`Filter::list`] and [`Filter::list_mut`].
macro_rules! list_of {
    ($filter:expr, $field:expr, $($borrow:tt)+) => {
        match $field {
            Field::Source => Some($($borrow)+ $filter.sources),
            Field::Name => Some($($borrow)+ $filter.names),
            Field::Principal => Some($($borrow)+ $filter.principals),
            Field::IdentityType => Some($($borrow)+ $filter.identity_types),
            Field::AccessKey => Some($($borrow)+ $filter.access_keys),
            Field::Account => Some($($borrow)+ $filter.accounts),
            Field::Region => Some($($borrow)+ $filter.regions),
            Field::Ip => Some($($borrow)+ $filter.ips),
            Field::Repository => Some($($borrow)+ $filter.repositories),
            Field::Role => Some($($borrow)+ $filter.roles),
            Field::Mfa => Some($($borrow)+ $filter.mfa),
            Field::KeyKind => Some($($borrow)+ $filter.key_kinds),
            Field::InvokedBy => Some($($borrow)+ $filter.invoked_by),
            Field::IdentityCenterUser => Some($($borrow)+ $filter.identity_center_users),
            Field::UserAgent => Some($($borrow)+ $filter.user_agents),
            Field::Client => Some($($borrow)+ $filter.clients),
            Field::Origin => Some($($borrow)+ $filter.origins),
            Field::Errors | Field::Access | Field::Range | Field::Text | Field::Call | Field::Place => None,
        }
    };
}

impl Filter {
    /// Whether this filter keeps everything.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// The alternatives of a list field (`None` for the others).
    pub fn list(&self, field: Field) -> Option<&[String]> {
        list_of!(self, field, &).map(Vec::as_slice)
    }

    /// The alternatives of a list field, to change (`None` for the others).
    pub fn list_mut(&mut self, field: Field) -> Option<&mut Vec<String>> {
        list_of!(self, field, &mut)
    }

    /// This filter with `value` added to `field` (a list field gains an alternative; `Errors` takes
    /// `only`/`none`, `Access` takes `read-only`/`write`, `Text` replaces the search).
    #[must_use]
    pub fn with(&self, field: Field, value: &str) -> Filter {
        let mut f = self.clone();
        // Kept now, so no longer left out.
        f.exclude.retain(|(x, v)| !(*x == field && v == value));
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

    /// This filter with every `field = value` added (a call's service and name, a lane's account and
    /// region).
    #[must_use]
    pub fn with_all(&self, values: &[(Field, String)]) -> Filter {
        values.iter().fold(self.clone(), |f, (field, v)| f.with(*field, v))
    }

    /// Whether `value` is one of the alternatives of the list field `field`.
    pub fn has(&self, field: Field, value: &str) -> bool {
        self.list(field).is_some_and(|l| l.iter().any(|v| v == value))
    }

    /// This filter leaving out the events `field = value` would keep (and no longer keeping that
    /// value, if it did). Only the fields [`Field::can_leave_out`] names can be left out.
    #[must_use]
    pub fn excluding(&self, field: Field, value: &str) -> Filter {
        // Another field is not touched (its chip is not taken away either).
        if !Filter::can_leave_out(field, value) {
            return self.clone();
        }
        let mut f = self.without(&Chip::of(field, value));
        if !f.excludes(field, value) {
            f.exclude.push((field, value.to_owned()));
        }
        f
    }

    /// This filter leaving out every `field = value` (the values a timeline draws in lanes of their
    /// own, for its "Other" lane).
    #[must_use]
    pub fn excluding_all(&self, values: &[(Field, String)]) -> Filter {
        values.iter().fold(self.clone(), |f, (field, v)| f.excluding(*field, v))
    }

    /// Whether `field = value` can be left out: a field [`Field::can_leave_out`] names, and for a
    /// pair a value [`call_value`] or [`place_value`] made.
    pub fn can_leave_out(field: Field, value: &str) -> bool {
        field.can_leave_out() && (!Field::PAIRS.contains(&field) || pair_parts(value).is_some())
    }

    /// Whether the events `field = value` keeps are left out.
    pub fn excludes(&self, field: Field, value: &str) -> bool {
        self.exclude.iter().any(|(x, v)| *x == field && v == value)
    }

    /// This filter without one chip.
    #[must_use]
    pub fn without(&self, chip: &Chip) -> Filter {
        let mut f = self.clone();
        if chip.not {
            f.exclude.retain(|(x, v)| !(*x == chip.field && *v == chip.value));
            return f;
        }
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
            // As the range's fields show them, the end as the last second kept; its date is not
            // said twice, so that a chip cut to its width keeps the end.
            let (from, to) = (self.from.map(|t| show_bound(t, End::From)), self.to.map(|t| show_bound(t, End::To)));
            let text = match (from, to) {
                (Some(a), Some(b)) if a[..10] == b[..10] => format!("{a} → {} UTC", &b[11..]),
                (a, b) => format!("{} → {} UTC", a.as_deref().unwrap_or("…"), b.as_deref().unwrap_or("…")),
            };
            out.push(Chip::of(Field::Range, text));
        }
        for field in Field::LISTS {
            let list = self.list(field).unwrap_or_default();
            out.extend(list.iter().map(|v| Chip::of(field, v.clone())));
        }
        out.extend(self.exclude.iter().map(|(field, v)| Chip { field: *field, value: v.clone(), not: true }));
        match self.errors {
            Errors::Only => out.push(Chip::of(Field::Errors, "only")),
            Errors::None => out.push(Chip::of(Field::Errors, "none")),
            Errors::Any => {}
        }
        match self.access {
            Access::ReadOnly => out.push(Chip::of(Field::Access, "read-only")),
            Access::Write => out.push(Chip::of(Field::Access, "write")),
            Access::Any => {}
        }
        if !self.text.trim().is_empty() {
            out.push(Chip::of(Field::Text, self.text.clone()));
        }
        out
    }
}

/// What `f`'s values left out keep, as filters a row must not pass: one per field, its values as
/// alternatives (leaving out a, b and c drops what keeping any of them keeps, and the 36 principals
/// three clicks on the timeline's "Other" lane leave out are one look-up a row, not 36). Pairs (a
/// call, an account and region) are not among them: see [`pairs_left_out`].
fn left_out(f: &Filter) -> Vec<Filter> {
    let mut out: Vec<(Field, Filter)> = Vec::new();
    let single = |field: &Field| !Field::PAIRS.contains(field) && field.can_leave_out();
    for (field, v) in f.exclude.iter().filter(|(field, _)| single(field)) {
        match out.iter_mut().find(|(x, _)| x == field) {
            Some((_, any)) => *any = any.with(*field, v),
            None => out.push((*field, Filter::default().with(*field, v))),
        }
    }
    out.into_iter().map(|(_, keep)| keep).collect()
}

/// The pairs of `field` (a [`Field::PAIRS`] one) `f` leaves out, as the symbols of their two values
/// (a call's service and name, an account and region), one set for all of them (a pair none of the
/// logs holds leaves nothing out and is not in it).
fn pairs_left_out(f: &Filter, store: &Store, field: Field) -> HashSet<(Sym, Sym)> {
    f.exclude
        .iter()
        .filter(|(x, _)| *x == field)
        .filter_map(|(_, v)| pair_parts(v))
        .filter_map(|(a, b)| Some((store.strings.lookup(&a)?, store.strings.lookup(&b)?)))
        .collect()
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
    repositories: Option<Repos>,
    user_agents: Option<HashSet<Sym>>,
    /// User agents whose client is one of the filter's clients.
    clients: Option<HashSet<Sym>>,
    errors: Errors,
    access: Access,
    /// Symbols whose text contains the search text (indexed by symbol number).
    text_syms: Option<Vec<bool>>,
    /// Identities whose principal or ARN or key contains the search text.
    text_identities: Option<Vec<bool>>,
    /// The search text is a whole `eventID` (UUID): rows with that id match too.
    text_uuid: Option<u128>,
    /// Rows a search of the events' JSON found for this text (see [`super::json_search`]).
    text_json: Option<&'s super::json_search::JsonHits>,
    /// Some listed value exists nowhere in the store: nothing can match.
    impossible: bool,
    /// The container facts, read by row for the repository filter and the search: rows are mostly
    /// asked in order, and the reader decodes each block of facts once for them.
    facts: RefCell<FactReader>,
    /// The values left out, a field's compiled together (see [`left_out`]): a row one of them keeps
    /// is dropped. Those no event holds are not here (they leave nothing out).
    excluded: Vec<Compiled<'s>>,
    /// The calls left out, as their service's and name's symbols (those the store holds).
    calls_left_out: HashSet<(Sym, Sym)>,
    /// The accounts and regions left out together, as their symbols (those the store holds).
    places_left_out: HashSet<(Sym, Sym)>,
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

/// A repository's registry, region (empty for ECR Public) and name, as symbols.
type RepoSyms = (Sym, Sym, Sym);

/// The *Repository* field's values, resolved: repositories by ARN, bare names, and the empty value.
#[derive(Debug)]
struct Repos {
    /// Repositories by ARN: the ARN's parts, and their symbols where the store holds all three (a
    /// call naming it needs them; an image URI is matched by its text).
    at: Vec<(String, Option<RepoSyms>)>,
    /// Bare names: a repository of that name in any registry and region.
    names: HashSet<Sym>,
    /// The empty value: the events that name no repository (the timeline's "(no repository)" lane).
    none: bool,
    /// The symbol of ECR Public's event source.
    public_source: Option<Sym>,
}

impl Repos {
    fn new(store: &Store, values: &[String], impossible: &mut bool) -> Option<Repos> {
        if values.is_empty() {
            return None;
        }
        let sym = |v: &str| store.strings.lookup(v);
        let mut repos = Repos { at: Vec::new(), names: HashSet::new(), none: false, public_source: sym(PUBLIC_SOURCE) };
        for v in values {
            if v.is_empty() {
                repos.none = true;
            } else if let Some(at) = RepoAt::parse(v) {
                let region = if at.public { Some(Sym::EMPTY) } else { sym(at.region) };
                let syms = sym(at.registry).zip(region).zip(sym(at.name)).map(|((g, r), n)| (g, r, n));
                repos.at.push((v.clone(), syms));
            } else if let Some(s) = sym(v) {
                repos.names.insert(s);
            }
        }
        if repos.at.is_empty() && repos.names.is_empty() && !repos.none {
            *impossible = true;
        }
        Some(repos)
    }

    /// Whether an event with this fact is about one of the repositories (or about none, when the
    /// empty value is picked).
    fn keeps(&self, store: &Store, fact: Option<crate::facts::container::Fact>) -> bool {
        let mut any = false;
        for repo in repos_of(store, fact, self.public_source) {
            any = true;
            if self.names.contains(&repo.name()) || self.at.iter().any(|(arn, syms)| Repos::is(store, repo, arn, *syms))
            {
                return true;
            }
        }
        !any && self.none
    }

    /// Whether `repo` is the repository of ARN `arn` (its registry's, region's and name's symbols
    /// `syms`, the region empty for ECR Public).
    fn is(store: &Store, repo: RepoOf, arn: &str, syms: Option<RepoSyms>) -> bool {
        match repo {
            RepoOf::Named { registry, region, name, public } => syms
                .is_some_and(|(g, r, n)| name == n && registry == g && if public { r.is_empty() } else { region == r }),
            // A task definition's image names its registry and region in its URI.
            RepoOf::Image { uri, name } => {
                syms.is_none_or(|(_, _, n)| n == name)
                    && parse_image_uri(&store.str(uri))
                        .is_some_and(|u| Some(RepoAt::of_image(&u)) == RepoAt::parse(arn))
            }
        }
    }
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
        let repositories = Repos::new(store, &f.repositories, &mut impossible);
        let user_agents = syms(store, &f.user_agents, &mut impossible);
        let clients = (!f.clients.is_empty()).then(|| client_agents(store, &f.clients));
        let identities = identity_filter(f, store);
        let lower = needle_of(&f.text);
        let text_uuid = crate::store::parse_uuid(&lower);
        let text_json = store.json_hits().filter(|h| !lower.is_empty() && h.needle == lower);
        let (text_syms, text_identities) = if lower.is_empty() {
            (None, None)
        } else {
            let mut memo = store.search_memo();
            if memo.needle != lower {
                *memo = SearchMemo { needle: lower, ..SearchMemo::default() };
            }
            if memo.resolutions != store.resolutions() {
                // An IAM user's ARN now names identities held without one: ask them again.
                memo.identities.clear();
                memo.resolutions = store.resolutions();
            }
            // Only what was added since the last query with this text is asked.
            let mut needle = Needle::new(&memo.needle);
            let spell_hex = crate::store::Interner::could_be_in_hex(&memo.needle);
            let SearchMemo { strings: text_syms, identities: text_identities, .. } = &mut *memo;
            store.strings.scan_some(text_syms.len() as u32, spell_hex, |_, s| {
                text_syms.push(s.is_some_and(|s| needle.found_in(s)));
            });
            for id in (text_identities.len() as u32..store.identity_count() as u32).map(|i| store.identity_by_id(i)) {
                let hit = [
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
                    || needle.found_in(&principal_label(&id, &store.strings));
                text_identities.push(hit);
            }
            let (text_syms, text_identities) = (text_syms.clone(), text_identities.clone());
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
            repositories,
            user_agents,
            clients,
            errors: f.errors,
            access: f.access,
            text_syms,
            text_identities,
            text_uuid,
            text_json,
            impossible,
            facts: RefCell::default(),
            excluded: left_out(f).iter().map(|keep| Compiled::new(keep, store)).filter(|c| !c.impossible).collect(),
            calls_left_out: pairs_left_out(f, store, Field::Call),
            places_left_out: pairs_left_out(f, store, Field::Place),
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
            || !within(&self.user_agents, s.user_agent(r))
            || !within(&self.clients, s.user_agent(r))
        {
            return false;
        }
        if !self.calls_left_out.is_empty() && self.calls_left_out.contains(&(s.source(r), s.name(r))) {
            return false;
        }
        if !self.places_left_out.is_empty() && self.places_left_out.contains(&(s.account(r), s.region(r))) {
            return false;
        }
        if let Some(ids) = &self.identities {
            if !ids[s.identity_id(r) as usize] {
                return false;
            }
        }
        if let Some(repos) = &self.repositories {
            let fact = self.facts.borrow_mut().get(&s.container, r);
            if !repos.keeps(s, fact) {
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
                // Repositories, tags, digests, image URIs... of the container facts.
                || s.container.searchable_in(self.facts.borrow_mut().get(&s.container, r)).iter().any(|v| text[v.0 as usize])
                || (self.text_uuid.is_some() && s.event_uuid(r) == self.text_uuid)
                || self.text_json.is_some_and(|h| h.has(r));
            if !hit {
                return false;
            }
        }
        self.excluded.iter().all(|x| !x.keeps(r))
    }

    /// The rows kept, in store order.
    pub fn rows(&self) -> impl Iterator<Item = Row> + '_ {
        (0..self.store.len() as Row).filter(move |&r| self.keeps(r))
    }
}

/// Which identities the identity fields of `f` keep (indexed by identity number), or `None` when
/// they keep all.
fn identity_filter(f: &Filter, store: &Store) -> Option<Vec<bool>> {
    let lists = [
        &f.principals,
        &f.identity_types,
        &f.access_keys,
        &f.roles,
        &f.mfa,
        &f.key_kinds,
        &f.invoked_by,
        &f.identity_center_users,
        &f.origins,
    ];
    if lists.iter().all(|l| l.is_empty()) {
        return None;
    }
    let set = |values: &[String]| -> HashSet<Sym> { values.iter().filter_map(|v| store.strings.lookup(v)).collect() };
    let (keys, roles, invoked, centre) =
        (set(&f.access_keys), set(&f.roles), set(&f.invoked_by), set(&f.identity_center_users));
    let origin_keys = if f.origins.is_empty() { HashSet::new() } else { origin_keys(store, &f.origins) };
    let any = |values: &[String], v: &str| values.is_empty() || values.iter().any(|x| x == v);
    let within = |values: &[String], set: &HashSet<Sym>, v: Sym| values.is_empty() || set.contains(&v);
    let keep = |id: &Identity| {
        let label = || principal_label(id, &store.strings);
        any(&f.identity_types, id.kind.label())
            && within(&f.access_keys, &keys, id.access_key)
            && within(&f.roles, &roles, id.issuer_arn)
            && any(&f.mfa, mfa_label(id.mfa))
            && any(&f.key_kinds, KeyKind::of(&store.str(id.access_key)).label())
            && within(&f.invoked_by, &invoked, id.invoked_by)
            && within(&f.identity_center_users, &centre, id.on_behalf_user)
            && (f.principals.is_empty() || any(&f.principals, &label()))
            && (f.origins.is_empty() || origin_keys.contains(&id.access_key) || any(&f.origins, &label()))
    };
    Some(store.identities().map(|id| keep(&id)).collect())
}

/// The user agents (as symbols) whose client is one of `clients` (labels).
fn client_agents(store: &Store, clients: &[String]) -> HashSet<Sym> {
    let wanted: Vec<Client> = clients.iter().filter_map(|c| Client::from_label(c)).collect();
    let mut seen: HashSet<Sym> = HashSet::new();
    let mut out = HashSet::new();
    for r in 0..store.len() as Row {
        let ua = store.user_agent(r);
        if seen.insert(ua) && wanted.contains(&classify(&store.str(ua))) {
            out.insert(ua);
        }
    }
    out
}

/// A case-insensitive (ASCII and simple Unicode lower-casing) substring search for one needle, run
/// over every string of the store when the search text changes. ASCII text is lower-cased into a
/// buffer kept between calls and searched with `memchr`'s vectorised substring search: a byte-window
/// comparison at every position made this most of a search's cost at a million events.
pub(crate) struct Needle {
    /// The needle, lower case.
    lower: String,
    finder: memchr::memmem::Finder<'static>,
    buf: Vec<u8>,
}

impl Needle {
    /// `lower` must be lower case.
    pub(crate) fn new(lower: &str) -> Needle {
        Needle {
            lower: lower.to_owned(),
            finder: memchr::memmem::Finder::new(lower.as_bytes()).into_owned(),
            buf: Vec::new(),
        }
    }

    /// The needle, lower case.
    pub(crate) fn lower(&self) -> &str {
        &self.lower
    }

    /// Whether `hay` contains the needle, ignoring case.
    pub(crate) fn found_in(&mut self, hay: &str) -> bool {
        if hay.is_ascii() {
            // An ASCII text cannot contain a needle that is not (its lower case is ASCII too).
            self.buf.clear();
            self.buf.extend(hay.bytes().map(|b| b.to_ascii_lowercase()));
            self.finder.find(&self.buf).is_some()
        } else {
            hay.to_lowercase().contains(&self.lower)
        }
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
        c.rows().map(|r| s.str(s.name(r)).into_owned()).collect()
    }

    /// Event names of the rows a search keeps, in row order.
    fn found(e: &Engine, text: &str) -> Vec<String> {
        let s = e.store();
        let c = Compiled::new(&Filter { text: text.into(), ..Filter::default() }, s);
        c.rows().map(|r| s.str(s.name(r)).into_owned()).collect()
    }

    #[test]
    fn ok_search_kept_between_queries_follows_a_growing_store() {
        // A second file brings new strings and a new identity that match: a store searched before
        // it came must answer as a store that never was.
        const MORE: &str = r#"{"Records":[
          {"eventTime":"2026-03-01T00:03:00Z","eventSource":"ecr.amazonaws.com","eventName":"ListImages","eventID":"00000000-0000-0000-0000-000000000004",
           "awsRegion":"us-east-1","recipientAccountId":"111111111111","readOnly":true,
           "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/Mary_Minor","accessKeyId":"AKIAEXAMPLE3"}},
          {"eventTime":"2026-03-01T00:04:00Z","eventSource":"ecr.amazonaws.com","eventName":"DescribeImages","eventID":"00000000-0000-0000-0000-000000000005",
           "awsRegion":"us-east-1","recipientAccountId":"111111111111","readOnly":true,"userAgent":"MARY-tool/1.0",
           "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::222222222222:assumed-role/ecsTaskExecutionRole/abc","accessKeyId":"ASIAEXAMPLE2"}}
        ]}"#;
        let mut grown = Engine::new();
        grown.ingest_bytes("f.json", LOG.as_bytes());
        assert_eq!(found(&grown, "MARY"), ["PutImage", "AssumeRole"]);
        assert_eq!(found(&grown, "mary"), ["PutImage", "AssumeRole"]);
        grown.ingest_bytes("more.json", MORE.as_bytes());
        let mut fresh = Engine::new();
        fresh.ingest_bytes("f.json", LOG.as_bytes());
        fresh.ingest_bytes("more.json", MORE.as_bytes());
        for text in ["mary", "ecsTask", "mary", "AKIAEXAMPLE3", "nothing like it"] {
            assert_eq!(found(&grown, text), found(&fresh, text), "{text:?}");
        }
        // The events' own JSON says which match: both new events name a Mary, one in its user agent.
        assert_eq!(found(&grown, "mary"), ["PutImage", "AssumeRole", "ListImages", "DescribeImages"]);
    }

    #[test]
    fn ok_search_in_digests_and_ids_finds_what_lower_casing_finds() {
        // Digests and UUIDs are kept packed and only spelled out for text that could be in them;
        // the reference spells every string out, lower-cases it and searches.
        let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
        let log = format!(
            r#"{{"Records":[
          {{"eventTime":"2026-03-01T00:01:00Z","eventSource":"ecr.amazonaws.com","eventName":"PutImage","eventID":"00000000-0000-0000-0000-00000000000a",
           "userAgent":"3c9a1b2e-7f4d-4e8a-9c1b-2d3e4f5a6b7c","awsRegion":"us-east-1","recipientAccountId":"111111111111",
           "userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/Bea","accessKeyId":"AKIAIOSFODNN7EXAMPLE"}},
           "requestParameters":{{"repositoryName":"web","imageDigest":"{digest}"}},
           "responseElements":{{"image":{{"repositoryName":"web","imageId":{{"imageDigest":"{digest}","imageTag":"v1"}}}}}}}},
          {{"eventTime":"2026-03-01T00:02:00Z","eventSource":"ecr.amazonaws.com","eventName":"ListImages","eventID":"00000000-0000-0000-0000-00000000000b",
           "awsRegion":"us-east-1","recipientAccountId":"111111111111","userAgent":"Deadbeef-cli/2",
           "userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/Cy","accessKeyId":"AKIAEXAMPLE4"}}}}
        ]}}"#
        );
        let mut e = Engine::new();
        e.ingest_bytes("f.json", log.as_bytes());
        let s = e.store();
        let (mut digests, mut uuids) = (0, 0);
        for (_, t) in s.strings.iter() {
            digests += usize::from(t.starts_with("sha256:"));
            uuids += usize::from(t.len() == 36 && t.matches('-').count() == 4);
        }
        assert!(digests > 0 && uuids > 0, "the log has packed digests ({digests}) and UUIDs ({uuids})");
        for text in
            ["0123456789ABC", "sha256:0123", "SHA256", "3C9A1B2E", "7f4d-4e8a", "deadbeef", "abcdef0", "web", "zz"]
        {
            let lower = text.to_lowercase();
            let want: Vec<bool> = s.strings.iter().map(|(_, t)| t.to_lowercase().contains(&lower)).collect();
            Compiled::new(&Filter { text: text.into(), ..Filter::default() }, s);
            let memo = s.search_memo();
            assert_eq!(memo.strings, want, "{text:?}");
        }
    }

    #[test]
    fn ok_needle_finds_what_lower_casing_finds() {
        // The reference: lower-case the text (Unicode's simple rules) and search.
        let texts = [
            "arn:aws:iam::111111111111:user/Mary_Major",
            "NGINX",
            "infra/nginx",
            "ECR.AMAZONAWS.COM",
            "ÉCOLE",
            "Straße",
            "",
            "n",
            "ngin",
            "xnginxnginx",
        ];
        for needle in ["nginx", "mary_major", "école", "é", "ecr.amazonaws", "n", "ß", "xngi"] {
            let mut n = Needle::new(needle);
            for t in texts {
                assert_eq!(n.found_in(t), t.to_lowercase().contains(needle), "{needle:?} in {t:?}");
            }
        }
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
    fn ok_range_chip_names_the_last_second_kept_and_its_date_once() {
        let at = |s: &str| crate::model::time::parse_iso(s);
        let chip = |from, to| Filter { from, to, ..Filter::default() }.chips()[0].value.clone();
        let day = chip(at("2026-03-01T00:02:00Z"), at("2026-03-01T00:04:00Z"));
        assert_eq!(day, "2026-03-01 00:02:00 → 00:03:59 UTC");
        let days = chip(at("2026-03-01T00:00:00Z"), at("2026-03-03T00:00:00Z"));
        assert_eq!(days, "2026-03-01 00:00:00 → 2026-03-02 23:59:59 UTC");
        assert_eq!(chip(None, at("2026-03-02T00:00:00Z")), "… → 2026-03-01 23:59:59 UTC");
        assert_eq!(chip(at("2026-03-01T00:00:00.250Z"), None), "2026-03-01 00:00:00.250 → … UTC");
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
        assert_eq!(chips[0], Chip::of(Field::Source, "ecr.amazonaws.com"));
        let g = f.without(&chips[0]);
        assert_eq!(g.sources, ["sts.amazonaws.com"]);
        assert_eq!(g.errors, Errors::Only);
        let h = chips.iter().fold(f.clone(), |acc, c| acc.without(c));
        assert!(h.is_empty());
    }

    #[test]
    fn ok_repository_field_and_search_match_through_container_facts() {
        let log = r#"{"Records":[
          {"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecr.amazonaws.com","eventName":"PutImage","eventID":"00000000-0000-0000-0000-000000000001",
           "requestParameters":{"repositoryName":"web/api","imageTag":"v1.2.3"},"responseElements":{"image":{"imageId":{"imageDigest":"sha256:feed"}}}},
          {"eventTime":"2026-03-01T00:00:01Z","eventSource":"ecs.amazonaws.com","eventName":"RegisterTaskDefinition","eventID":"00000000-0000-0000-0000-000000000002",
           "requestParameters":{"family":"api","containerDefinitions":[{"image":"111111111111.dkr.ecr.us-east-1.amazonaws.com/web/api:v1.2.3"}]}},
          {"eventTime":"2026-03-01T00:00:02Z","eventSource":"ecr.amazonaws.com","eventName":"PutImage","eventID":"00000000-0000-0000-0000-000000000003",
           "requestParameters":{"repositoryName":"base/alpine","imageTag":"3.19"}},
          {"eventTime":"2026-03-01T00:00:03Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","eventID":"00000000-0000-0000-0000-000000000004"}
        ]}"#;
        let mut e = Engine::new();
        e.ingest_bytes("f.json", log.as_bytes());
        let s = e.store();
        let names = |f: &Filter| Compiled::new(f, s).rows().map(|r| s.str(s.name(r)).into_owned()).collect::<Vec<_>>();
        let f = Filter::default().with(Field::Repository, "web/api");
        assert_eq!(names(&f), ["PutImage", "RegisterTaskDefinition"]);
        assert_eq!(f.chips(), [Chip::of(Field::Repository, "web/api")]);
        assert_eq!(names(&Filter { text: "FEED".into(), ..Filter::default() }), ["PutImage"]);
        assert_eq!(names(&Filter { text: "3.19".into(), ..Filter::default() }), ["PutImage"]);
        assert!(names(&Filter::default().with(Field::Repository, "nope")).is_empty());
        // The empty name keeps the events that name no repository, alone or beside a name.
        let none = Filter::default().with(Field::Repository, "");
        assert_eq!(names(&none), ["GetCallerIdentity"]);
        assert_eq!(names(&none.with(Field::Repository, "base/alpine")), ["PutImage", "GetCallerIdentity"]);
    }

    #[test]
    fn ok_a_repository_by_arn_is_the_one_of_its_registry_and_region() {
        // One name, four repositories: 111111111111's in us-east-1 (pushed to, run by a task
        // definition, in the registry named by a pull from account 222222222222) and in eu-west-1,
        // 222222222222's own in us-east-1, and 111111111111's on ECR Public.
        let ev = |n: u32, source: &str, name: &str, account: &str, region: &str, req: &str| {
            format!(
                r#"{{"eventTime":"2026-03-01T00:00:0{n}Z","eventSource":"{source}","eventName":"{name}","eventID":"00000000-0000-0000-0000-00000000000{n}",
                "awsRegion":"{region}","recipientAccountId":"{account}","userIdentity":{{"accountId":"{account}"}},"requestParameters":{req}}}"#
            )
        };
        let events = [
            ev(
                1,
                "ecr.amazonaws.com",
                "PutImage",
                "111111111111",
                "us-east-1",
                r#"{"repositoryName":"web/api","imageTag":"v1"}"#,
            ),
            ev(
                2,
                "ecr.amazonaws.com",
                "PutImage",
                "111111111111",
                "eu-west-1",
                r#"{"repositoryName":"web/api","imageTag":"v1"}"#,
            ),
            ev(
                3,
                "ecr.amazonaws.com",
                "PutImage",
                "222222222222",
                "us-east-1",
                r#"{"repositoryName":"web/api","imageTag":"v1"}"#,
            ),
            ev(
                4,
                "ecr.amazonaws.com",
                "BatchGetImage",
                "222222222222",
                "us-east-1",
                r#"{"repositoryName":"web/api","registryId":"111111111111","imageIds":[{"imageTag":"v1"}]}"#,
            ),
            ev(
                5,
                "ecr-public.amazonaws.com",
                "PutImage",
                "111111111111",
                "us-east-1",
                r#"{"repositoryName":"web/api","imageTag":"v1"}"#,
            ),
            ev(
                6,
                "ecs.amazonaws.com",
                "RegisterTaskDefinition",
                "333333333333",
                "us-east-1",
                r#"{"family":"api","containerDefinitions":[{"image":"111111111111.dkr.ecr.us-east-1.amazonaws.com/web/api:v1"},{"image":"111111111111.dkr.ecr.us-east-1.amazonaws.com/web/api@sha256:feed"}]}"#,
            ),
            ev(7, "sts.amazonaws.com", "GetCallerIdentity", "111111111111", "us-east-1", "null"),
        ];
        let mut e = Engine::new();
        e.ingest_bytes("f.json", format!(r#"{{"Records":[{}]}}"#, events.join(",")).as_bytes());
        let s = e.store();
        let ids = |f: &Filter| Compiled::new(f, s).rows().map(|r| s.time(r) / 1000 % 10).collect::<Vec<_>>();
        let repo = |v: &str| Filter::default().with(Field::Repository, v);
        let home = "arn:aws:ecr:us-east-1:111111111111:repository/web/api";
        assert_eq!(ids(&repo(home)), [1, 4, 6]);
        assert_eq!(ids(&repo("arn:aws:ecr:eu-west-1:111111111111:repository/web/api")), [2]);
        assert_eq!(ids(&repo("arn:aws:ecr:us-east-1:222222222222:repository/web/api")), [3]);
        assert_eq!(ids(&repo("arn:aws:ecr-public::111111111111:repository/web/api")), [5]);
        assert!(ids(&repo("arn:aws:ecr:us-west-2:111111111111:repository/web/api")).is_empty());
        // A bare name (a link made before) is the name in any registry and region.
        assert_eq!(ids(&repo("web/api")), [1, 2, 3, 4, 5, 6]);
        // Two are alternatives; the empty value keeps the events about none beside them.
        assert_eq!(ids(&repo(home).with(Field::Repository, "")), [1, 4, 6, 7]);
        // The menu offers each by its ARN, counting what picking it keeps (the task definition's two
        // images of the repository count its event once); the chip reads name, account, region.
        let counts = crate::analysis::counts::by_repository(s, 0..s.len() as u32);
        let counts: Vec<(&str, u64)> = counts.iter().map(|c| (c.key.as_str(), c.count)).collect();
        assert_eq!(counts[0], (home, 3));
        assert_eq!(counts.len(), 5, "{counts:?}");
        for (key, n) in &counts {
            assert_eq!(ids(&repo(key)).len() as u64, *n, "{key}");
        }
        assert_eq!(pair_text(Field::Repository, home), "web/api · 111111111111 · us-east-1");
        assert_eq!(
            pair_text(Field::Repository, "arn:aws:ecr-public::111111111111:repository/web/api"),
            "web/api · ECR Public · 111111111111"
        );
        assert_eq!(pair_text(Field::Repository, "web/api"), "web/api");
    }

    #[test]
    fn ok_a_value_left_out_drops_the_events_it_keeps_and_only_those() {
        // By hand from LOG: Mary_Major made PutImage and AssumeRole; the ECR calls are PutImage and
        // BatchGetImage; only PutImage logged a user agent.
        let mary = "arn:aws:iam::111111111111:user/Mary_Major";
        let no_mary = Filter::default().excluding(Field::Principal, mary);
        assert_eq!(kept(&no_mary), ["BatchGetImage"]);
        assert_eq!(no_mary.chips(), [Chip { field: Field::Principal, value: mary.into(), not: true }]);
        // With what else the filter keeps: AND NOT.
        let ecr = Filter::default().with(Field::Source, "ecr.amazonaws.com");
        assert_eq!(kept(&ecr.excluding(Field::Region, "eu-west-1")), ["PutImage"]);
        // Two values of one field: neither's events; one of them in no event still leaves the other out.
        let role = "arn:aws:sts::222222222222:assumed-role/ecsTaskExecutionRole/abc";
        assert!(kept(&no_mary.excluding(Field::Principal, role)).is_empty());
        assert_eq!(kept(&no_mary.excluding(Field::Principal, "arn:aws:iam::1:user/nobody")), ["BatchGetImage"]);
        assert_eq!(kept(&Filter::default().excluding(Field::Principal, "arn:aws:iam::1:user/nobody")).len(), 3);
        // Two left out: neither's events. The empty value leaves out the events that logged none.
        let two = no_mary.excluding(Field::Name, "BatchGetImage");
        assert!(kept(&two).is_empty());
        assert_eq!(kept(&Filter::default().excluding(Field::UserAgent, "")), ["PutImage"]);
        // A value no event holds leaves nothing out.
        assert_eq!(kept(&Filter::default().excluding(Field::Ip, "198.51.100.1")).len(), 3);
        // Leaving out a kept value stops keeping it, keeping it again stops leaving it out, and its
        // chip takes it away.
        let flipped = Filter::default().with(Field::Principal, mary).excluding(Field::Principal, mary);
        assert_eq!((flipped.principals.len(), flipped.exclude.len()), (0, 1));
        assert_eq!(flipped.with(Field::Principal, mary), Filter::default().with(Field::Principal, mary));
        assert!(flipped.without(&flipped.chips()[0]).is_empty());
        // Not a list field, or the origins the Identities view sets: nothing to leave out.
        assert!(Filter::default().excluding(Field::Errors, "only").is_empty());
        let failed = Filter::default().with(Field::Errors, "only");
        assert_eq!(failed.excluding(Field::Errors, "only"), failed, "errors only stays as it was");
        assert!(Filter::default().excluding(Field::Origin, mary).is_empty());
    }

    #[test]
    fn ok_a_call_left_out_drops_that_service_s_calls_of_that_name_only() {
        // By hand from LOG: the ECR calls are PutImage and BatchGetImage, and AssumeRole is STS's.
        let get = call_value("ecr.amazonaws.com", "BatchGetImage");
        let f = Filter::default().excluding(Field::Call, &get);
        assert_eq!(kept(&f), ["PutImage", "AssumeRole"]);
        assert_eq!(f.chips(), [Chip { field: Field::Call, value: get.clone(), not: true }]);
        assert!(f.without(&f.chips()[0]).is_empty());
        // The same name under another service is another call: nothing of ECR's is dropped.
        assert_eq!(
            kept(&Filter::default().excluding(Field::Call, &call_value("sts.amazonaws.com", "PutImage"))).len(),
            3
        );
        // With what else the filter keeps, and twice over: left out once.
        let ecr = Filter::default().with(Field::Source, "ecr.amazonaws.com");
        assert_eq!(kept(&ecr.excluding(Field::Call, &get).excluding(Field::Call, &get)), ["PutImage"]);
        assert_eq!(ecr.excluding(Field::Call, &get).excluding(Field::Call, &get).exclude.len(), 1);
        // Two calls, and one no event holds, left out together: each one's events go, only those.
        let three = f
            .excluding(Field::Call, &call_value("sts.amazonaws.com", "AssumeRole"))
            .excluding(Field::Call, &call_value("s3.amazonaws.com", "GetObject"));
        assert_eq!(kept(&three), ["PutImage"]);
        // A value that is not a call leaves the filter as it was; any characters round-trip.
        assert!(Filter::default().excluding(Field::Call, "BatchGetImage").is_empty());
        let odd = call_value("a \"b\" c", "x\u{1f}y ");
        assert_eq!(pair_parts(&odd), Some(("a \"b\" c".to_owned(), "x\u{1f}y ".to_owned())));
        assert_eq!(pair_text(Field::Call, &get), "ecr.amazonaws.com BatchGetImage");
    }

    #[test]
    fn ok_an_account_and_region_left_out_drop_only_the_events_of_both() {
        // Four events, one for each account and region of two each, and a fifth below; the names say
        // which.
        let event = |n: u32, account: &str, region: &str| {
            format!(
                r#"{{"eventTime":"2026-03-01T00:0{n}:00Z","eventSource":"ecr.amazonaws.com","eventName":"{account}-{region}",
                "eventID":"00000000-0000-0000-0000-00000000000{n}","awsRegion":"{region}","recipientAccountId":"{account}"}}"#
            )
        };
        // And one that logged no account (its lane reads "? / us-east-1").
        let log = format!(
            r#"{{"Records":[{},{},{},{},{}]}}"#,
            event(1, "111111111111", "us-east-1"),
            event(2, "111111111111", "eu-west-1"),
            event(3, "222222222222", "us-east-1"),
            event(4, "222222222222", "eu-west-1"),
            event(5, "", "us-east-1").replace(r#","recipientAccountId":"""#, "")
        );
        let mut e = Engine::new();
        e.ingest_bytes("f.json", log.as_bytes());
        let s = e.store();
        let kept =
            |f: &Filter| -> Vec<String> { Compiled::new(f, s).rows().map(|r| s.str(s.name(r)).into_owned()).collect() };
        let one = place_value("111111111111", "us-east-1");
        let f = Filter::default().excluding(Field::Place, &one);
        // The account's other region and the region's other accounts stay.
        assert_eq!(
            kept(&f),
            ["111111111111-eu-west-1", "222222222222-us-east-1", "222222222222-eu-west-1", "-us-east-1"]
        );
        // The events that logged no account, in that region: that one only.
        let none = kept(&Filter::default().excluding(Field::Place, &place_value("", "us-east-1")));
        assert_eq!(none.len(), 4);
        assert!(!none.contains(&"-us-east-1".to_owned()), "{none:?}");
        assert_eq!(pair_text(Field::Place, &place_value("", "us-east-1")), "? / us-east-1");
        assert_eq!(f.chips(), [Chip { field: Field::Place, value: one.clone(), not: true }]);
        assert_eq!(pair_text(Field::Place, &one), "111111111111 / us-east-1");
        assert!(f.without(&f.chips()[0]).is_empty());
        // Two pairs, and one no event holds, left out together: each one's events go, only those.
        let three = f
            .excluding(Field::Place, &place_value("222222222222", "eu-west-1"))
            .excluding(Field::Place, &place_value("333333333333", "us-east-1"));
        assert_eq!(kept(&three), ["111111111111-eu-west-1", "222222222222-us-east-1", "-us-east-1"]);
        // With what else the filter keeps and leaves out.
        let east = Filter::default().with(Field::Region, "us-east-1");
        assert_eq!(kept(&east.excluding(Field::Place, &one)), ["222222222222-us-east-1", "-us-east-1"]);
        assert_eq!(kept(&f.excluding(Field::Account, "222222222222")), ["111111111111-eu-west-1", "-us-east-1"]);
        // A value that is not a pair leaves the filter as it was.
        assert!(Filter::default().excluding(Field::Place, "111111111111").is_empty());
    }

    #[test]
    fn ok_several_values_left_out_at_once_drop_each_ones_events() {
        // By hand from LOG, as above: without Mary_Major and without BatchGetImage, nothing is left;
        // the same two left out one by one give the same filter, chips in the same order.
        let mary = "arn:aws:iam::111111111111:user/Mary_Major";
        let both = [(Field::Principal, mary.to_owned()), (Field::Name, "BatchGetImage".to_owned())];
        let all = Filter::default().excluding_all(&both);
        assert!(kept(&all).is_empty());
        assert_eq!(all, Filter::default().excluding(Field::Principal, mary).excluding(Field::Name, "BatchGetImage"));
        assert_eq!(kept(&Filter::default().excluding_all(&both[..1])), ["BatchGetImage"]);
        assert_eq!(Filter::default().excluding_all(&[]), Filter::default());
    }

    #[test]
    fn ok_unknown_value_matches_nothing() {
        assert!(kept(&Filter { sources: vec!["s3.amazonaws.com".into()], ..Filter::default() }).is_empty());
    }
}
