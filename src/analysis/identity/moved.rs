//! *Tag moved by a new pusher*: a push, among the rows looked at, that moved a tag of an ECR
//! repository (the tag named another image, pushed by someone else, until it) made by a principal
//! new to the repository: its first push there in these logs came after others had pushed there,
//! and this push within [`ARRIVAL`] of it. Whatever pulls the tag gets the new image: a tag such
//! as `prod` or `latest` taken over by someone new is how a poisoned image reaches the services
//! that run it, and how a mistaken one does. A role's sessions are one pusher (a pipeline's runs
//! get new session names), except an Identity Center permission set's, and an IAM user's keys are
//! one. High when another principal then pulled an image it pushed, or an ECS service was
//! deployed with one, or when the pusher is of another account than the registry; medium else.
//! Pushes by AWS services (replication, pull-through caches) are the registry's settings, judged
//! elsewhere.

use hashbrown::{HashMap, HashSet};

use super::attention::{joined, list, seconds, whence, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use crate::analysis::container::lifecycle::Service;
use crate::analysis::container::report::{ImageUse, Outcome};
use crate::analysis::container::{Pull, Push, RepoId};
use crate::analysis::filter::Field;
use crate::analysis::principal::principal_label;
use crate::facts::container::RepoAt;
use crate::model::{IdentityType, Millis, Sym};
use crate::store::{Row, Store};
use crate::text::{plural, utc};

/// How long after a principal's first push to a repository its tag moves count: a day.
pub const ARRIVAL: Millis = 24 * 3_600_000;

/// Tags or images named in one item; more are counted.
const MAX_TOLD: usize = 5;

/// Who pushes, as this item tells pushers apart: a role for its sessions (a pipeline's runs get
/// new session names), else the principal. An IAM Identity Center permission set's role
/// (`AWSReservedSSO_…`) is the exception: its sessions are named after the people who sign in.
fn pusher(store: &Store, actor: u32) -> String {
    let id = store.identity_by_id(actor);
    let role = store.str(id.issuer_arn);
    let by_person = role.rsplit('/').next().is_some_and(|name| name.starts_with("AWSReservedSSO_"));
    if id.kind == IdentityType::AssumedRole && !role.is_empty() && !by_person {
        role.into_owned()
    } else {
        principal_label(&id, &store.strings)
    }
}

/// One tag the new pusher moved.
struct Move<'a> {
    push: &'a Push,
    /// The image the tag named until then, and who had pushed it.
    from: (Sym, String),
}

/// One item per repository and new pusher whose pushes among the rows looked at moved tags
/// others had pushed, within [`ARRIVAL`] of its first push there.
pub(super) fn by_new_pusher(g: &Gathered, out: &mut Vec<Attention>) {
    let (store, ix) = (g.store, g.container);
    let moving: HashMap<Row, &Push> = ix
        .pushes
        .iter()
        .filter(|p| p.outcome == Outcome::Ok && p.moved_from.is_some())
        .filter_map(|p| p.put.map(|put| (put, p)))
        .collect();
    if moving.is_empty() {
        return;
    }
    // The first push that went through of each pusher to each repository, and to each
    // repository, over every log.
    let mut arrived: HashMap<(RepoId, String), Millis> = HashMap::new();
    let mut opened: HashMap<RepoId, Millis> = HashMap::new();
    for p in ix.pushes.iter().filter(|p| p.outcome == Outcome::Ok) {
        let t = arrived.entry((p.repo, pusher(store, p.actor))).or_insert(p.end);
        *t = (*t).min(p.end);
        let t = opened.entry(p.repo).or_insert(p.end);
        *t = (*t).min(p.end);
    }
    let mut groups: HashMap<(RepoId, String), Vec<Move>> = HashMap::new();
    for &(_, put) in &g.put_images {
        let Some(&push) = moving.get(&put) else { continue };
        let Some((before, before_put)) = push.moved_from else { continue };
        let kind = store.identity_by_id(push.actor).kind;
        if matches!(kind, IdentityType::AWSService | IdentityType::AwsInternal) {
            continue;
        }
        let who = pusher(store, push.actor);
        let by = pusher(store, store.identity_id(before_put));
        let first = arrived.get(&(push.repo, who.clone())).copied().unwrap_or(push.end);
        // Whoever pushed first in these logs was there before them.
        let new = first > opened.get(&push.repo).copied().unwrap_or(first);
        if by != who && new && push.end - first < ARRIVAL {
            groups.entry((push.repo, who)).or_default().push(Move { push, from: (before, by) });
        }
    }
    if groups.is_empty() {
        return;
    }
    // What came after: the pulls of the repositories concerned, by image, and ECS deployments.
    let repos: HashSet<RepoId> = groups.keys().map(|&(id, _)| id).collect();
    let mut pulls: HashMap<(RepoId, Sym), Vec<&Pull>> = HashMap::new();
    for p in ix.pulls.iter().filter(|p| p.outcome == Outcome::Ok && repos.contains(&p.repo)) {
        for d in p.images() {
            pulls.entry((p.repo, d)).or_default().push(p);
        }
    }
    let after = After { pulls, deployments: ix.deployments(store) };
    for ((id, who), mut moves) in groups {
        moves.sort_by_key(|m| (m.push.end, m.push.rows[0]));
        out.push(item(g, &after, id, &who, &moves));
    }
}

/// What happened after the moves: pulls that went through, by repository and image, and every
/// ECS deployment with the images it ran.
struct After<'a> {
    pulls: HashMap<(RepoId, Sym), Vec<&'a Pull>>,
    deployments: Vec<(Service, Vec<ImageUse>)>,
}

/// Other principals' pulls of the images `moves` pushed, from each push on: (principal, pulls),
/// the most first, and the last pull's time.
fn pulled_after(
    g: &Gathered,
    after: &After,
    id: RepoId,
    who: &str,
    moves: &[Move],
) -> (Vec<(String, usize)>, Option<Millis>) {
    let store = g.store;
    // By first row: a pull of two of the images is one pull.
    let mut took: HashMap<Row, &Pull> = HashMap::new();
    for m in moves {
        for &p in after.pulls.get(&(id, m.push.digest)).into_iter().flatten().filter(|p| p.start >= m.push.end) {
            took.insert(p.rows[0], p);
        }
    }
    let mut by: HashMap<String, usize> = HashMap::new();
    let mut last = None;
    for p in took.into_values().filter(|p| pusher(store, p.actor) != who) {
        *by.entry(principal_label(&store.identity_by_id(p.actor), &store.strings)).or_default() += 1;
        last = Some(last.map_or(p.start, |t: Millis| t.max(p.start)));
    }
    let mut out: Vec<(String, usize)> = by.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    (out, last)
}

/// The ECS deployments that ran the images `moves` pushed, from each push on, oldest first.
fn deployed_after(g: &Gathered, after: &After, id: RepoId, moves: &[Move]) -> Vec<Service> {
    let store = g.store;
    let mut out: Vec<Service> = Vec::new();
    for m in moves {
        let ran = g.container.with_image(store, &after.deployments, id, m.push.digest);
        for d in ran.into_iter().filter(|d| store.time(d.deployed) >= m.push.end) {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out.sort_by_key(|s| (store.time(s.deployed), s.deployed));
    out
}

/// The item of pusher `who`'s tag moves `moves` (oldest first) in repository `id`.
fn item(g: &Gathered, after: &After, id: RepoId, who: &str, moves: &[Move]) -> Attention {
    let store = g.store;
    let key = &g.container.repos[id as usize];
    let (registry, region, name) = (g.str(key.registry), g.str(key.region), g.str(key.name));
    let mut tags: Vec<String> = Vec::new();
    for m in moves {
        let tag = g.str(m.push.tag).into_owned();
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let (first, last_move) = (moves[0].push.start, moves[moves.len() - 1].push.end);
    let actor = moves[0].push.actor;
    let account = store.identity_by_id(actor).account_id;
    let outsider = !account.is_empty() && account != key.registry;
    let (pullers, last_pull) = pulled_after(g, after, id, who, moves);
    let deployed = deployed_after(g, after, id, moves);
    let told: Vec<String> = moves
        .iter()
        .take(MAX_TOLD)
        .map(|m| {
            format!(
                "{} at {} to {} (it named {}, pushed by {})",
                g.str(m.push.tag),
                utc(m.push.end),
                g.str(m.push.digest),
                g.str(m.from.0),
                m.from.1
            )
        })
        .collect();
    let more = moves.len().saturating_sub(MAX_TOLD);
    let more = if more > 0 { format!("; and {more} more") } else { String::new() };
    let (addresses, clients) = whence(g, moves.iter().map(|m| m.push.put.unwrap_or(m.push.rows[0])));
    let pulled = if pullers.is_empty() {
        " No other principal pulled the images it pushed in these logs.".to_owned()
    } else {
        let by: Vec<String> = pullers.iter().map(|(p, n)| format!("{p} ({n}×)")).collect();
        let n: usize = pullers.iter().map(|(_, n)| n).sum();
        format!(
            " Others then pulled the images it pushed, {}: {}.",
            plural(n as u64, "time", "times"),
            joined(&by, ", ")
        )
    };
    let services: Vec<String> = deployed.iter().map(|s| super::expired::service_said(g, s)).collect();
    let ran =
        if services.is_empty() { String::new() } else { format!(" ECS deployed them: {}.", joined(&services, "; ")) };
    let stranger =
        if outsider { format!(" It is of account {}, not the registry's.", g.str(account)) } else { String::new() };
    let title = if tags.len() == 1 {
        format!("Tag {} of {name} moved by a new pusher", tags[0])
    } else {
        format!("Tags {} of {name} moved by a new pusher", joined(&tags, ", "))
    };
    let n = moves.len() as u64;
    let why = format!(
        "{who} is new to repository {name} ({registry}, {region}): others had pushed there before its first \
         push in these logs. Within a day of it, {} moved a tag that named an image someone else had pushed: {}{more}. It \
         pushed from {} with {}.{stranger}{pulled}{ran} Whatever pulls a moved tag gets the new image: compare \
         its layers with those of the image it replaced, and check who may push.",
        if n == 1 { "its push".to_owned() } else { format!("{n} of its pushes") },
        told.join("; "),
        list(&addresses),
        joined(&clients, ", "),
    );
    let last_deploy = deployed.iter().map(|s| store.time(s.deployed)).max();
    let last = last_pull.max(last_deploy).unwrap_or(last_move).max(last_move);
    let chips = vec![(Field::Repository, RepoAt::new(&registry, &region, &name, key.public).value())];
    Attention {
        kind: AttentionKind::TagMovedByNewPusher,
        severity: if outsider || !pullers.is_empty() || !deployed.is_empty() {
            Severity::High
        } else {
            Severity::Medium
        },
        title,
        who: g.label(actor).to_owned(),
        why,
        events: moves.len() as u64,
        first,
        last,
        chips,
        range: Some(seconds(first, last)),
    }
}
