//! A registry's protections turned down: what lets an intruder put an image where a trusted one
//! stood, or keep a bad one from being looked at.
//!
//! - **Tag immutability**: `PutImageTagMutability` to a setting weaker than the repository had
//!   (`IMMUTABLE` → `IMMUTABLE_WITH_EXCLUSION` → `MUTABLE_WITH_EXCLUSION` → `MUTABLE`). Once tags
//!   are mutable, a push of `prod` moves `prod` to whatever image was pushed. The pushes that moved
//!   a tag while it stayed so (until the next change of the setting) are listed with it: turn it
//!   off, repoint `prod`, turn it on again is how a release tag is swapped without a trace on the
//!   repository's settings.
//! - **Scan on push**: `PutImageScanningConfiguration` turning a repository's off.
//! - **Registry scanning**: `PutRegistryScanningConfiguration` leaving no rule that scans on push
//!   or continuously.
//! - **Registry signing** (ECR managed signing): `PutSigningConfiguration` leaving no rule, or
//!   `DeleteSigningConfiguration`: images pushed are no longer signed with the registry's AWS
//!   Signer profile, so a signature no longer tells the account's builds from anyone's.
//! - **A repository's KMS key**: `DisableKey` or `ScheduleKeyDeletion` of the key a repository was
//!   made to encrypt its images with (by the key's ID, as `CreateRepository` names it by ARN or ID;
//!   an alias is not followed), until `EnableKey`. While it is off, the images can be neither
//!   pushed nor pulled; once it is deleted, never again: a registry held to ransom, or a
//!   deployment stopped, with no call to ECR.
//!
//! The setting before comes from the repository's `CreateRepository` (ECR's defaults when it names
//! none: `MUTABLE`, scan on push off) or the last change that went through, in time order over
//! every log loaded; when neither is in the logs, a change to a weak setting is listed anyway (one
//! rarely asks for `MUTABLE` unless tags were immutable) and says the setting before is unknown. A
//! refused change is listed too (it set nothing); a change to the setting already in force is not.

use hashbrown::HashMap;

use super::{Index, Outcome, RepoId};
use crate::facts::container::{Kind, MUTABILITY_LINE, NO_SCAN_RULES, NO_SIGNING_RULES, SCAN_ON_PUSH_LINE, SIGN_LINE};
use crate::facts::trail::{key_id, Change, Effect, Target};
use crate::model::{Millis, Sym};
use crate::store::{Row, Store};

/// The calls that can turn a protection down: ECR's, and KMS's that turn a key off.
pub const CALLS: [&str; 7] = [
    "PutImageTagMutability",
    "PutImageScanningConfiguration",
    "PutRegistryScanningConfiguration",
    "PutSigningConfiguration",
    "DeleteSigningConfiguration",
    "DisableKey",
    "ScheduleKeyDeletion",
];

/// Which protection a change turned down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Guard {
    /// A repository's tag immutability: a tag pushed again can now name another image.
    TagImmutability,
    /// A repository's scan on push.
    ScanOnPush,
    /// A registry's scanning rules, in one region.
    RegistryScanning,
    /// A registry's managed signing rules, in one region.
    RegistrySigning,
    /// The KMS key a repository encrypts its images with.
    RepositoryKey,
}

impl Guard {
    /// What a change that went through did, as its badge says it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Guard::TagImmutability => "tags made mutable",
            Guard::ScanOnPush => "scan on push turned off",
            Guard::RegistryScanning => "scanning turned off",
            Guard::RegistrySigning => "signing turned off",
            Guard::RepositoryKey => "KMS key turned off",
        }
    }
}

/// The changes that went through and turned a protection down, by row.
#[must_use]
pub fn lowered(ix: &Index) -> HashMap<Row, Guard> {
    ix.lowerings.iter().filter(|l| !l.refused).map(|l| (l.row, l.guard)).collect()
}

/// The change that made the tags of push `p`'s repository mutable, if `p` moved a tag while they
/// were.
#[must_use]
pub fn unguarded<'x>(ix: &'x Index, p: &super::Push) -> Option<&'x Lowering> {
    let put = p.put?;
    ix.lowerings
        .iter()
        .filter(|l| l.guard == Guard::TagImmutability && !l.refused)
        .find(|l| l.pushes.iter().any(|&i| ix.pushes[i].put == Some(put)))
}

/// One change that turned a protection down, or tried to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lowering {
    /// The call.
    pub row: Row,
    /// What it turned down.
    pub guard: Guard,
    /// The repository ([`Guard::RegistryScanning`], [`Guard::RegistrySigning`]: none).
    pub repo: Option<RepoId>,
    /// Other repositories it touches: those made with the same KMS key ([`Guard::RepositoryKey`]).
    pub more: Vec<RepoId>,
    /// The registry's account.
    pub registry: Sym,
    /// Its region.
    pub region: Sym,
    /// The setting before and the call that set it (a `CreateRepository` that named none: ECR's
    /// default), when these logs tell it.
    pub before: Option<(String, Row)>,
    /// The setting it asked for, as ECR names it ("MUTABLE", "off", "no rule that scans").
    pub after: String,
    /// The call was refused: nothing changed.
    pub refused: bool,
    /// The later call that ended it, and what it did ("set to IMMUTABLE", "deleted with its
    /// repository"), if these logs hold one.
    pub until: Option<(Row, String)>,
    /// Pushes (indices into [`Index::pushes`]) made while it was so: for tag immutability those
    /// that moved a tag, else every push that went through.
    pub pushes: Vec<usize>,
}

/// How much a tag mutability setting protects tags: a lower one lets more tags move.
fn strength(mutability: &str) -> u8 {
    match mutability {
        "IMMUTABLE" => 3,
        "IMMUTABLE_WITH_EXCLUSION" => 2,
        "MUTABLE_WITH_EXCLUSION" => 1,
        _ => 0,
    }
}

/// The value a change's line gives after `prefix`, up to the end.
fn line_value(store: &Store, lines: &[Sym], prefix: &str) -> Option<String> {
    lines.iter().find_map(|&l| store.str(l).strip_prefix(prefix).map(str::to_owned))
}

/// Whether a registry's scanning rules (the lines of its `PutRegistryScanningConfiguration`)
/// scan anything by themselves: a rule on push or continuous (or of no stated frequency).
fn registry_scans(store: &Store, lines: &[Sym]) -> bool {
    lines.iter().any(|&l| {
        let l = store.str(l);
        ["SCAN_ON_PUSH:", "CONTINUOUS_SCAN:", "scan:"].iter().any(|p| l.starts_with(p))
    })
}

/// A setting as the logs know it: its value and the call that set it.
type Setting = (String, Row);

/// Every change in `ix` that turned a protection down (or tried to), oldest first: run by
/// [`Index::build`], which keeps them in [`Index::lowerings`].
#[must_use]
pub(super) fn lowerings(ix: &Index, store: &Store) -> Vec<Lowering> {
    let mut out: Vec<Lowering> = Vec::new();
    // (guard, repository) → its setting now, and the open lowering of it (index into `out`).
    let mut now: HashMap<(Guard, RepoId), Setting> = HashMap::new();
    let mut open: HashMap<(Guard, RepoId), usize> = HashMap::new();
    // Only these calls set what is followed: the other repository events (KMS grants, images
    // deleted...) are passed over without decoding their facts.
    let calls: Vec<Sym> = ["CreateRepository", "DeleteRepository", CALLS[0], CALLS[1]]
        .iter()
        .filter_map(|n| store.strings.lookup(n))
        .collect();
    for &(repo, r) in ix.repo_events.iter().filter(|&&(_, r)| calls.contains(&store.name(r))) {
        let Some(f) = store.container.get(r) else { continue };
        let ok = store.error_code(r).is_empty();
        let key = ix.repos[repo as usize];
        // A repository deleted, or made again, ends what its settings were.
        let mut close = |g: Guard, what: &str| {
            if let Some(i) = open.remove(&(g, repo)) {
                out[i].until = Some((r, what.to_owned()));
            }
        };
        let (guard, value) = match f.kind {
            Kind::RepoCreated { mutability, scan_on_push, .. } if ok => {
                // A repository made again starts from what it was made with.
                let m = match store.str(mutability) {
                    m if m.is_empty() => "MUTABLE".to_owned(),
                    m => m.into_owned(),
                };
                let scan = if scan_on_push == Some(true) { "on" } else { "off" };
                close(Guard::TagImmutability, "made again with its repository");
                close(Guard::ScanOnPush, "made again with its repository");
                now.insert((Guard::TagImmutability, repo), (m, r));
                now.insert((Guard::ScanOnPush, repo), (scan.to_owned(), r));
                continue;
            }
            Kind::RepoDeleted { .. } if ok => {
                for g in [Guard::TagImmutability, Guard::ScanOnPush] {
                    close(g, "deleted with its repository");
                    now.remove(&(g, repo));
                }
                continue;
            }
            Kind::RepoChange { lines, .. } => {
                let lines = store.container.syms(lines);
                match &*store.str(store.name(r)) {
                    "PutImageTagMutability" => match line_value(store, lines, MUTABILITY_LINE) {
                        Some(v) => (Guard::TagImmutability, v),
                        None => continue,
                    },
                    "PutImageScanningConfiguration" => match line_value(store, lines, SCAN_ON_PUSH_LINE) {
                        Some(v) => (Guard::ScanOnPush, v),
                        None => continue,
                    },
                    _ => continue,
                }
            }
            _ => continue,
        };
        let slot = (guard, repo);
        let before = now.get(&slot).cloned();
        let weaker = match guard {
            Guard::TagImmutability => {
                strength(&value) < before.as_ref().map_or(strength("IMMUTABLE"), |(b, _)| strength(b))
            }
            _ => value == "off" && before.as_ref().is_none_or(|(b, _)| b != "off"),
        };
        if ok && before.as_ref().is_none_or(|(b, _)| *b != value) {
            if let Some(i) = open.remove(&slot) {
                let what =
                    if guard == Guard::ScanOnPush { format!("turned {value}") } else { format!("set to {value}") };
                out[i].until = Some((r, what));
            }
            now.insert(slot, (value.clone(), r));
        }
        if weaker {
            if ok {
                open.insert(slot, out.len());
            }
            out.push(Lowering {
                row: r,
                guard,
                repo: Some(repo),
                more: Vec::new(),
                registry: key.registry,
                region: key.region,
                before,
                after: value,
                refused: !ok,
                until: None,
                pushes: Vec::new(),
            });
        }
    }
    registry_rules(ix, store, &SCANNING, &mut out);
    registry_rules(ix, store, &SIGNING, &mut out);
    repository_keys(ix, store, &mut out);
    for l in out.iter_mut().filter(|l| l.guard != Guard::RepositoryKey) {
        if !l.refused {
            l.pushes = pushes_while(ix, store, l);
        }
    }
    out.sort_by_key(|l| (store.time(l.row), l.row));
    out
}

/// Whether a registry's signing rules (the lines of its `PutSigningConfiguration`) sign anything.
fn registry_signs(store: &Store, lines: &[Sym]) -> bool {
    lines.iter().any(|&l| store.str(l).starts_with(SIGN_LINE))
}

/// A registry-wide protection [`registry_rules`] follows.
struct RegistryGuard {
    guard: Guard,
    /// The calls that set it.
    calls: [&'static str; 2],
    /// Whether a call's lines leave it on.
    on: fn(&Store, &[Sym]) -> bool,
    /// What it is: on; off; off with rules or none left (a call with no rule at all says its
    /// `empty` line).
    words: [&'static str; 3],
    /// The line of a call with no rule at all.
    empty: &'static str,
}

/// The registries' scanning turned down: `PutRegistryScanningConfiguration` with no rule that
/// scans by itself.
const SCANNING: RegistryGuard = RegistryGuard {
    guard: Guard::RegistryScanning,
    calls: ["PutRegistryScanningConfiguration", "PutRegistryScanningConfiguration"],
    on: registry_scans,
    words: ["rules that scan", "no rule that scans", "no rule that scans on push or continuously"],
    empty: NO_SCAN_RULES,
};

/// The registries' managed signing turned off: `PutSigningConfiguration` with no rule, or
/// `DeleteSigningConfiguration`.
const SIGNING: RegistryGuard = RegistryGuard {
    guard: Guard::RegistrySigning,
    calls: ["PutSigningConfiguration", "DeleteSigningConfiguration"],
    on: registry_signs,
    words: ["rules that sign", "no rule that signs", "no signing configuration"],
    empty: NO_SIGNING_RULES,
};

/// A registry-wide protection (`spec`) turned down: a call that went through (or was refused)
/// and leaves it off, where the one before left it on or is not in the logs.
fn registry_rules(ix: &Index, store: &Store, spec: &RegistryGuard, out: &mut Vec<Lowering>) {
    let calls: Vec<Sym> = spec.calls.iter().filter_map(|c| store.strings.lookup(c)).collect();
    if calls.is_empty() {
        return;
    }
    // (registry, region) → whether it was on, since which call; the open lowering.
    let mut now: HashMap<(Sym, Sym), (bool, Row)> = HashMap::new();
    let mut open: HashMap<(Sym, Sym), usize> = HashMap::new();
    for &r in &ix.registry_events {
        if !calls.contains(&store.name(r)) {
            continue;
        }
        let Some(f @ crate::facts::container::Fact { kind: Kind::RepoChange { lines, .. }, .. }) =
            store.container.get(r)
        else {
            continue;
        };
        let lines = store.container.syms(lines);
        let scans = (spec.on)(store, lines);
        let ok = store.error_code(r).is_empty();
        let slot = (f.registry_or_account(store), store.region(r));
        let before = now.get(&slot).copied();
        if ok && before.is_none_or(|(b, _)| b != scans) {
            if let Some(i) = open.remove(&slot) {
                let what =
                    if scans { format!("given {}", spec.words[0]) } else { format!("left with {}", spec.words[1]) };
                out[i].until = Some((r, what));
            }
            now.insert(slot, (scans, r));
        }
        if !scans && before.is_none_or(|(b, _)| b) {
            if ok {
                open.insert(slot, out.len());
            }
            let empty = lines.iter().any(|&l| store.str(l) == spec.empty);
            out.push(Lowering {
                row: r,
                guard: spec.guard,
                repo: None,
                more: Vec::new(),
                registry: slot.0,
                region: slot.1,
                before: before.map(|(_, b)| (spec.words[0].to_owned(), b)),
                after: if empty { spec.empty } else { spec.words[2] }.to_owned(),
                refused: !ok,
                until: None,
                pushes: Vec::new(),
            });
        }
    }
}

/// The KMS keys of repositories turned off: `DisableKey` or `ScheduleKeyDeletion` (or a refused
/// one) of the key a repository was made with before it, each one lowering naming every such
/// repository, ended by the next `EnableKey` that went through.
fn repository_keys(ix: &Index, store: &Store, out: &mut Vec<Lowering>) {
    let named: Vec<Sym> = ["CreateRepository", "CreateGrant"].iter().filter_map(|n| store.strings.lookup(n)).collect();
    // Key ID → the repositories made with it (a `CreateRepository` that names it) or whose images
    // ECR was granted its use for (the `CreateGrant` ECR makes for a repository it encrypts,
    // which names the key when the creation says only "KMS"), and that call, oldest first.
    let mut by_key: HashMap<String, Vec<(RepoId, Row)>> = HashMap::new();
    for &(repo, r) in ix.repo_events.iter().filter(|&&(_, r)| named.contains(&store.name(r))) {
        if !store.error_code(r).is_empty() {
            continue;
        }
        let key = match store.container.get(r).map(|f| f.kind) {
            Some(Kind::RepoCreated { kms_key, .. }) => kms_key,
            Some(Kind::KmsGrant { key, .. }) => key,
            _ => continue,
        };
        if !key.is_empty() {
            let repos = by_key.entry(key_id(&store.str(key)).to_owned()).or_default();
            if !repos.iter().any(|&(known, _)| known == repo) {
                repos.push((repo, r));
            }
        }
    }
    if by_key.is_empty() {
        return;
    }
    let mut calls: Vec<&Change> = store.trail.all().iter().filter(|c| c.target == Target::Key).collect();
    calls.sort_by_key(|c| (store.time(c.row), c.row));
    let mut open: HashMap<Sym, Vec<usize>> = HashMap::new();
    for c in calls {
        let key = store.str(c.trail);
        let Some(repos) = by_key.get(&*key) else { continue };
        let ok = store.error_code(c.row).is_empty();
        match c.effect {
            Effect::Starts if ok => {
                for i in open.remove(&c.trail).unwrap_or_default() {
                    out[i].until = Some((c.row, "enabled again".to_owned()));
                }
            }
            Effect::Stops => {
                let at = store.time(c.row);
                let made: Vec<(RepoId, Row)> = repos.iter().copied().filter(|&(_, r)| store.time(r) <= at).collect();
                let Some(&(first, made_row)) = made.first() else { continue };
                let after = match &*store.str(store.name(c.row)) {
                    "ScheduleKeyDeletion" => "scheduled for deletion",
                    _ => "disabled",
                };
                if ok {
                    open.entry(c.trail).or_default().push(out.len());
                }
                let k = ix.repos[first as usize];
                out.push(Lowering {
                    row: c.row,
                    guard: Guard::RepositoryKey,
                    repo: Some(first),
                    more: made[1..].iter().map(|&(r, _)| r).collect(),
                    registry: k.registry,
                    region: k.region,
                    before: Some((format!("KMS key {key}"), made_row)),
                    after: after.to_owned(),
                    refused: !ok,
                    until: None,
                    pushes: Vec::new(),
                });
            }
            _ => {}
        }
    }
}

/// The pushes made while `l` held: from its call to the change that ended it (or the end of the
/// logs), to its repository (or, for a registry's scanning, to any private repository of that
/// registry and region); for tag immutability only those that moved a tag.
fn pushes_while(ix: &Index, store: &Store, l: &Lowering) -> Vec<usize> {
    let from = store.time(l.row);
    let to = l.until.as_ref().map_or(Millis::MAX, |(u, _)| store.time(*u));
    let here = |repo: RepoId| {
        let k = ix.repos[repo as usize];
        l.repo.map_or(!k.public && k.registry == l.registry && k.region == l.region, |mine| repo == mine)
    };
    ix.pushes
        .iter()
        .enumerate()
        .filter(|(_, p)| p.outcome == Outcome::Ok && here(p.repo))
        .filter(|(_, p)| l.guard != Guard::TagImmutability || p.moved_from.is_some())
        .filter(|(_, p)| {
            let t = p.put.map_or(p.end, |put| store.time(put));
            (from..to).contains(&t)
        })
        .map(|(i, _)| i)
        .collect()
}
