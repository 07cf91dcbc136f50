//! *Image deleted soon after its push*: a `BatchDeleteImage`, among the rows looked at, that
//! deleted an image pushed to the same repository less than [`SHORT`] before, over every log
//! loaded; or a `DeleteRepository` that deleted such images with the repository. What someone who
//! pushed a tool or a backdoored image, had it pulled and run, does to leave no copy in the
//! registry; its push and pulls stay in these logs. High when whoever pushed the image deleted it
//! and another principal pulled it, or an ECS service was deployed with it, meanwhile; medium else
//! (a pipeline's throwaway images read so too).

use hashbrown::{HashMap, HashSet};

use super::attention::{joined, seconds, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use crate::analysis::container::lifecycle::Service;
use crate::analysis::container::report::{ImageUse, Outcome};
use crate::analysis::container::{Pull, Push, RepoId};
use crate::analysis::filter::Field;
use crate::analysis::principal::principal_label;
use crate::facts::container::{Kind, RepoAt};
use crate::model::{Millis, Sym};
use crate::store::Row;
use crate::text::{duration, plural, utc};

/// How soon after its push a deletion counts: a day.
pub const SHORT: Millis = 24 * 3_600_000;

/// Images named in one item; more are counted.
const MAX_IMAGES: usize = 5;

/// One image deleted soon after its push.
struct Erased<'a> {
    digest: Sym,
    push: &'a Push,
    /// Who pulled it between its push and its deletion, and how often each.
    pullers: Vec<(String, usize)>,
    /// The ECS services deployed with it between its push and its deletion.
    deployed: Vec<Service>,
}

/// One item per `BatchDeleteImage` among the rows looked at that deleted an image pushed less
/// than [`SHORT`] before.
pub(super) fn short_lived(g: &Gathered, out: &mut Vec<Attention>) {
    if g.deletes.is_empty() {
        return;
    }
    let (store, ix) = (g.store, g.container);
    let repo_of: HashMap<Row, RepoId> = ix.repo_events.iter().map(|&(id, r)| (r, id)).collect();
    let seen = Seen::of(g, g.deletes.iter().filter_map(|(_, r)| repo_of.get(r).copied()).collect());
    // Resolved once, when an item needs them.
    let mut deployments: Option<Vec<(Service, Vec<ImageUse>)>> = None;
    for &(deleter, r) in &g.deletes {
        let Some(&id) = repo_of.get(&r) else { continue };
        let t = store.time(r);
        let repository = matches!(store.container.get(r).map(|f| f.kind), Some(Kind::RepoDeleted { .. }));
        let digests = if repository { held(g, &seen, id, r) } else { ix.deleted(store, id, r) };
        let mut erased: Vec<Erased> = digests
            .into_iter()
            .filter_map(|digest| {
                let pushes = seen.by_image.get(&(id, digest))?;
                let push = pushes.iter().rev().find(|p| p.end <= t)?;
                (t - push.end < SHORT).then(|| Erased {
                    digest,
                    push,
                    pullers: seen.pullers(g, id, digest, (push.end, t)),
                    deployed: Vec::new(),
                })
            })
            .collect();
        if erased.is_empty() {
            continue;
        }
        let all = deployments.get_or_insert_with(|| ix.deployments(store));
        for e in &mut erased {
            e.deployed = ix.with_image(store, all, id, e.digest);
            e.deployed.retain(|s| (e.push.end..=t).contains(&store.time(s.deployed)));
        }
        out.push(item(g, (deleter, r, repository), id, &erased));
    }
}

/// A deletion's call and what it did to `place` ("deleted from repository …"), for a
/// `DeleteRepository` (`repository`) or a `BatchDeleteImage`; the images follow.
pub(super) fn deletion_said(repository: bool, place: &str) -> (&'static str, String) {
    if repository {
        ("DeleteRepository", format!("deleted {place} and with it"))
    } else {
        ("BatchDeleteImage", format!("deleted from {place}"))
    }
}

/// The pushes and pulls that went through of the repositories something was deleted from, looked
/// up by image: a registry cleaned every night deletes thousands.
pub(super) struct Seen<'a> {
    /// By repository, oldest first.
    pushes: HashMap<RepoId, Vec<&'a Push>>,
    /// By repository and image, oldest first.
    pub by_image: HashMap<(RepoId, Sym), Vec<&'a Push>>,
    /// By repository and the image they fetched.
    pulls: HashMap<(RepoId, Sym), Vec<&'a Pull>>,
}

impl<'a> Seen<'a> {
    pub fn of(g: &Gathered<'a>, repos: HashSet<RepoId>) -> Seen<'a> {
        let mut seen = Seen { pushes: HashMap::new(), by_image: HashMap::new(), pulls: HashMap::new() };
        for p in g.container.pushes.iter().filter(|p| p.outcome == Outcome::Ok && repos.contains(&p.repo)) {
            seen.pushes.entry(p.repo).or_default().push(p);
            seen.by_image.entry((p.repo, p.digest)).or_default().push(p);
        }
        for p in g.container.pulls.iter().filter(|p| p.outcome == Outcome::Ok && repos.contains(&p.repo)) {
            for d in p.images() {
                seen.pulls.entry((p.repo, d)).or_default().push(p);
            }
        }
        seen
    }

    /// Who pulled image `digest` of repository `id` in `[from, to]`, the most first.
    pub fn pullers(&self, g: &Gathered, id: RepoId, digest: Sym, (from, to): (Millis, Millis)) -> Vec<(String, usize)> {
        let mut by: HashMap<String, usize> = HashMap::new();
        for p in self.pulls.get(&(id, digest)).into_iter().flatten().filter(|p| p.start >= from && p.start <= to) {
            *by.entry(principal_label(&g.store.identity_by_id(p.actor), &g.store.strings)).or_default() += 1;
        }
        let mut out: Vec<(String, usize)> = by.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

/// The images repository `id` held when `DeleteRepository` row `r` (which went through, so the
/// repository was empty or the call forced it) deleted it, among those pushed less than [`SHORT`]
/// before: each pushed since the repository's previous deletion, and not deleted
/// (`BatchDeleteImage`) or expired (a lifecycle run, not a preview) since its push.
fn held(g: &Gathered, seen: &Seen, id: RepoId, r: Row) -> Vec<Sym> {
    let (store, ix) = (g.store, g.container);
    let t = store.time(r);
    let events = || ix.repo_events.iter().filter(move |&&(repo, e)| repo == id && store.error_code(e).is_empty());
    let before = |e: Row| (store.time(e), e) < (t, r);
    let recreated = events()
        .filter(|&&(_, e)| {
            before(e) && matches!(store.container.get(e).map(|f| f.kind), Some(Kind::RepoDeleted { .. }))
        })
        .map(|&(_, e)| store.time(e))
        .max()
        .unwrap_or(Millis::MIN);
    let mut out: Vec<Sym> = Vec::new();
    for p in seen.pushes.get(&id).into_iter().flatten().filter(|p| p.end <= t) {
        if p.start <= recreated || t - p.end >= SHORT || out.contains(&p.digest) {
            continue;
        }
        let deleted = events()
            .filter(|&&(_, e)| before(e) && store.time(e) >= p.end)
            .any(|&(_, e)| ix.deleted(store, id, e).contains(&p.digest));
        let expired = ix.runs.iter().any(|run| {
            run.repo == id
                && !run.preview
                && run.end >= p.end
                && run.end <= t
                && run.images.iter().any(|i| i.digest == p.digest)
        });
        if !deleted && !expired {
            out.push(p.digest);
        }
    }
    out
}

/// The item of deletion `r` (of the repository itself when `repository`) by identity `deleter`
/// of the images `erased` of repository `id`.
fn item(g: &Gathered, (deleter, r, repository): (u32, Row, bool), id: RepoId, erased: &[Erased]) -> Attention {
    let store = g.store;
    let t = store.time(r);
    let key = &g.container.repos[id as usize];
    let (registry, region, name) = (g.str(key.registry), g.str(key.region), g.str(key.name));
    let who = g.label(deleter).to_owned();
    let pusher = |e: &Erased| principal_label(&store.identity_by_id(e.push.actor), &store.strings);
    // Used and then erased by the one who put it there.
    let covered =
        erased.iter().any(|e| pusher(e) == who && (e.pullers.iter().any(|(p, _)| *p != who) || !e.deployed.is_empty()));
    let told: Vec<String> = erased
        .iter()
        .take(MAX_IMAGES)
        .map(|e| {
            let tag = g.str(e.push.tag);
            let tag = if tag.is_empty() { String::new() } else { format!(" (tag {tag})") };
            let pulled = if e.pullers.is_empty() {
                "not pulled meanwhile".to_owned()
            } else {
                let by: Vec<String> = e.pullers.iter().map(|(p, n)| format!("{p} ({n}×)")).collect();
                format!("pulled meanwhile by {}", joined(&by, ", "))
            };
            let services: Vec<String> = e.deployed.iter().map(|s| super::expired::service_said(g, s)).collect();
            let deployed = if services.is_empty() {
                String::new()
            } else {
                format!("; deployed meanwhile on {}", joined(&services, ", "))
            };
            format!(
                "{}{tag}, pushed by {} at {}, {} before; {pulled}{deployed}",
                g.str(e.digest),
                pusher(e),
                utc(e.push.end),
                duration(t - e.push.end)
            )
        })
        .collect();
    let more = erased.len().saturating_sub(MAX_IMAGES);
    let more = if more > 0 { format!("; and {more} more") } else { String::new() };
    let n = erased.len() as u64;
    let title = if repository {
        format!("Repository {name} deleted with {} pushed within a day", plural(n, "image", "images"))
    } else if n == 1 {
        format!("Image deleted {} after its push to {name}", duration(t - erased[0].push.end))
    } else {
        format!("{} deleted within a day of their push to {name}", plural(n, "image", "images"))
    };
    let (call, how) = deletion_said(repository, &format!("repository {name} ({registry}, {region})"));
    let why = format!(
        "{call} at {} {how} {}: {}{more}. An image pushed, used and deleted within hours leaves no copy in the \
         registry; its push, its pulls and its layers' digests are in these logs.",
        utc(t),
        plural(n, "image pushed less than a day before", "images pushed less than a day before"),
        told.join("; ")
    );
    let first = erased.iter().map(|e| e.push.start).min().unwrap_or(t);
    let chips = vec![
        (Field::Name, call.to_owned()),
        (Field::Repository, RepoAt::new(&registry, &region, &name, key.public).value()),
        (Field::Principal, who.clone()),
    ];
    Attention {
        kind: AttentionKind::ImageErased,
        severity: if covered { Severity::High } else { Severity::Medium },
        title,
        who,
        why,
        events: 1,
        first,
        last: t,
        chips,
        range: Some(seconds(t, t)),
    }
}
