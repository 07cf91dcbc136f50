//! *ECR protection turned down*: the attention items of the changes
//! [`crate::analysis::container::guards`] finds, among the rows looked at, each with what happened
//! while it held over every log loaded.

use std::borrow::Cow;

use hashbrown::{HashMap, HashSet};

use super::attention::{joined, lines_said, list, seconds, when, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use crate::analysis::container::guards::{Guard, Lowering};
use crate::analysis::container::{Push, RepoId};
use crate::analysis::filter::Field;
use crate::analysis::principal::principal_label;
use crate::facts::container::{Kind, RepoAt};
use crate::model::{Millis, Sym};
use crate::store::Row;
use crate::text::{duration, plural, short_digest, utc};

/// Refused attempts of one principal at one protection of one place.
type Tries<'g> = HashMap<(Guard, Option<RepoId>, Sym, Sym, &'g str), Vec<(Millis, Row)>>;

/// One item per change that turned an ECR protection down among the rows looked at; refused
/// attempts one item per principal, protection and place.
pub(super) fn lowered(g: &Gathered, out: &mut Vec<Attention>) {
    if g.guards.is_empty() {
        return;
    }
    let store = g.store;
    let looked_at: HashMap<Row, u32> = g.guards.iter().map(|&(id, r)| (r, id)).collect();
    let mut tries: Tries = HashMap::new();
    for l in &g.container.lowerings {
        let Some(&id) = looked_at.get(&l.row) else { continue };
        if l.refused {
            let key = (l.guard, l.repo, l.registry, l.region, g.label(id));
            tries.entry(key).or_default().push((store.time(l.row), l.row));
        } else {
            out.push(item(g, l, id));
        }
    }
    for ((guard, repo, registry, region, label), mut calls) in tries {
        calls.sort_unstable();
        let (first, last) = (calls[0].0, calls[calls.len() - 1].0);
        let latest = calls[calls.len() - 1].1;
        let place = Place::of(g, repo, registry, region);
        let title = match guard {
            Guard::TagImmutability => format!("Tried to make tags of repository {} mutable", place.name),
            Guard::ScanOnPush => format!("Tried to turn scan on push off for repository {}", place.name),
            Guard::RegistryScanning => format!("Tried to turn image scanning off for ECR {}", place.registry),
            Guard::RegistrySigning => format!("Tried to turn image signing off for ECR {}", place.registry),
            Guard::RepositoryKey => format!("Tried to turn off the KMS key of repository {}", place.name),
        };
        let call = g.str(store.name(latest));
        let n = calls.len() as u64;
        let why = format!(
            "{} {} refused ({}). Nothing changed, but someone tried.",
            plural(n, &format!("{call} call"), &format!("{call} calls")),
            when(first, last),
            g.str(store.error_code(latest))
        );
        let mut chips = place.chips;
        chips.push((Field::Name, call.into_owned()));
        let kind = AttentionKind::EcrProtectionLowered;
        out.push(Attention::of_calls(kind, Severity::Medium, (title, why), label, (n, first, last), chips));
    }
}

/// The item of a change `l` that went through, made by identity `id`.
fn item(g: &Gathered, l: &Lowering, id: u32) -> Attention {
    let store = g.store;
    let at = store.time(l.row);
    let place = Place::of(g, l.repo, l.registry, l.region);
    let before = match &l.before {
        Some((b, r)) => format!("from {b} (set by {} at {})", g.str(store.name(*r)), utc(store.time(*r))),
        None => "(the setting before is not in these logs)".to_owned(),
    };
    let (ended, until) = match &l.until {
        Some((r, v)) => {
            let t = store.time(*r);
            let by = principal_label(&store.identity(*r), &store.strings);
            (format!(" It was {v} at {} by {by} ({} later).", utc(t), duration(t - at)), t)
        }
        None => (" It stays so to the end of these logs.".to_owned(), at),
    };
    let pushed: Vec<&Push> = l.pushes.iter().map(|&i| &g.container.pushes[i]).collect();
    let last = pushed.last().map_or(until, |p| until.max(put_time(g, p)));
    let lines: Vec<String> = match store.container.get(l.row).map(|f| f.kind) {
        Some(Kind::RepoChange { lines, .. }) => {
            store.container.syms(lines).iter().map(|&x| g.str(x).into_owned()).collect()
        }
        _ => Vec::new(),
    };
    let (title, severity, what, then) = match l.guard {
        Guard::TagImmutability => tags_made_mutable(g, l, &place, &before, &lines, &pushed),
        Guard::ScanOnPush => (
            format!("Scan on push turned off for repository {}", place.name),
            Severity::Medium,
            format!(
                "turned scan on push off for repository {} ({}) {before}: images pushed to it are no longer \
                 scanned for vulnerabilities as they arrive.",
                place.name, place.registry
            ),
            unscanned(&pushed),
        ),
        Guard::RegistryScanning => (
            format!("Image scanning turned off for ECR {}", place.registry),
            Severity::Medium,
            format!(
                "left ECR {} with {} {before}: {}. Images pushed there are no longer scanned for \
                 vulnerabilities unless someone asks.",
                place.registry,
                l.after,
                lines_said(&lines)
            ),
            unscanned(&pushed),
        ),
        Guard::RegistrySigning => (
            format!("Image signing turned off for ECR {}", place.registry),
            Severity::Medium,
            format!(
                "left ECR {} with {} {before}: {}. Images pushed there are no longer signed with the \
                 registry's AWS Signer profile as they arrive: a deployment that verifies signatures refuses \
                 them, and one that does not can no longer tell the account's builds from anyone's.",
                place.registry,
                l.after,
                lines_said(&lines)
            ),
            unscanned(&pushed),
        ),
        Guard::RepositoryKey => key_turned_off(g, l, &place),
    };
    // A KMS call names no repository: the item narrows to KMS's calls of those seconds instead.
    let chips = if l.guard == Guard::RepositoryKey {
        vec![(Field::Source, "kms.amazonaws.com".to_owned())]
    } else {
        place.chips
    };
    Attention {
        kind: AttentionKind::EcrProtectionLowered,
        severity,
        title,
        who: g.label(id).to_owned(),
        why: format!("{} at {} {what}{ended}{then}", g.str(store.name(l.row)), utc(at)),
        events: 1 + u64::from(l.until.is_some()) + pushed.len() as u64,
        first: at,
        last,
        chips,
        range: Some(seconds(at, last)),
    }
}

/// Title, severity, what the call did and what it means, for a repository's KMS key turned off.
fn key_turned_off(g: &Gathered, l: &Lowering, place: &Place) -> (String, Severity, String, String) {
    let store = g.store;
    let names: Vec<String> = l.more.iter().map(|&r| g.str(g.container.repos[r as usize].name).into_owned()).collect();
    let title = if names.is_empty() {
        format!("KMS key of repository {} {}", place.name, l.after)
    } else {
        format!("KMS key of {} repositories {}", names.len() + 1, l.after)
    };
    let (key, made) = l.before.as_ref().map_or(("its KMS key".to_owned(), None), |(k, r)| (k.clone(), Some(*r)));
    let made = made.map_or(String::new(), |r| format!(", by {} at {}", g.str(store.name(r)), utc(store.time(r))));
    let others = if names.is_empty() { String::new() } else { format!(" and {} more ({})", names.len(), list(&names)) };
    // KMS keeps a key whose deletion is cancelled, disabled.
    let cancelled = (l.after == "scheduled for deletion" && !l.refused)
        .then(|| store.trail.get(l.row).and_then(|c| crate::analysis::logging::deletion_cancelled(store, c, l.row)))
        .flatten();
    let gone = match cancelled {
        Some(k) => super::attention::kept(g, k),
        None if l.after == "scheduled for deletion" => {
            " Once the key is deleted, they can never be read again.".to_owned()
        }
        None => String::new(),
    };
    let what = format!(
        "left {key} {}: repository {} ({}{made}){others} encrypts its images with it, and while the key is \
         off they can be neither pushed nor pulled: a deployment that pulls them fails.{gone}",
        l.after, place.name, place.registry
    );
    (title, Severity::High, what, String::new())
}

/// Title, severity, what the change did and what happened meanwhile, for tags made mutable:
/// high when a push moved a tag while they were.
fn tags_made_mutable(
    g: &Gathered,
    l: &Lowering,
    place: &Place,
    before: &str,
    lines: &[String],
    pushed: &[&Push],
) -> (String, Severity, String, String) {
    let mut seen = HashSet::new();
    let tags: Vec<String> =
        pushed.iter().map(|p| g.str(p.tag).into_owned()).filter(|t| seen.insert(t.clone())).collect();
    let some = if l.after == "IMMUTABLE_WITH_EXCLUSION" { "Some tags" } else { "Tags" };
    let title = if tags.is_empty() {
        format!("{some} of repository {} made mutable", place.name)
    } else {
        format!("{some} of repository {} made mutable, then {} moved", place.name, list(&tags))
    };
    let moves: Vec<String> = pushed
        .iter()
        .map(|p| {
            let from = p.moved_from.map_or(Cow::Borrowed(""), |(d, _)| g.str(d));
            format!(
                "{} from {} to {} by {} at {}",
                g.str(p.tag),
                short_digest(&from),
                short_digest(&g.str(p.digest)),
                principal_label(&g.store.identity_by_id(p.actor), &g.store.strings),
                utc(put_time(g, p))
            )
        })
        .collect();
    let then = if moves.is_empty() {
        " No push moved a tag while it was so, in these logs.".to_owned()
    } else {
        let n = moves.len() as u64;
        format!(" While it was so, {} moved a tag: {}.", plural(n, "push", "pushes"), joined(&moves, "; "))
    };
    // The exclusion filters' line, if any ("tags matching "dev-*" stay mutable").
    let except: String = lines.iter().skip(1).fold(String::new(), |acc, x| acc + " (" + x + ")");
    let what = format!(
        "set the tags of repository {} ({}) to {}{except} {before}. A tag pushed again then names the image \
         pushed, so a prod or latest can be repointed to any image.",
        place.name, place.registry, l.after,
    );
    let severity = if moves.is_empty() { Severity::Medium } else { Severity::High };
    (title, severity, what, then)
}

/// " 3 pushes went through while it was so."
fn unscanned(pushed: &[&Push]) -> String {
    format!(" {} went through while it was so.", plural(pushed.len() as u64, "push", "pushes"))
}

/// When a push put its image (its last call when no `PutImage` is in the logs).
fn put_time(g: &Gathered, p: &Push) -> Millis {
    p.put.map_or(p.end, |put| g.store.time(put))
}

/// Where a protection was turned down, in words and as the filter chips that keep its calls.
struct Place {
    /// The repository's name (empty for a registry's scanning).
    name: String,
    /// "registry 111122223333 in us-east-1".
    registry: String,
    chips: Vec<(Field, String)>,
}

impl Place {
    /// Repository `repo` of `registry` in `region`, or the registry itself.
    fn of(g: &Gathered, repo: Option<RepoId>, registry: Sym, region: Sym) -> Place {
        let (account, region) = (g.str(registry), g.str(region));
        let registry = format!("registry {account} in {region}");
        match repo {
            Some(repo) => {
                let key = g.container.repos[repo as usize];
                let name = g.str(key.name).into_owned();
                let arn = RepoAt::new(&account, &region, &name, key.public).value();
                Place { name, registry, chips: vec![(Field::Repository, arn)] }
            }
            None => Place {
                name: String::new(),
                registry,
                chips: vec![(Field::Region, region.into_owned()), (Field::Source, "ecr.amazonaws.com".to_owned())],
            },
        }
    }
}
