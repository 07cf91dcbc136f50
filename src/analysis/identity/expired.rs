//! *Images expired by a new lifecycle policy*: a `PutLifecyclePolicy`, among the rows looked at,
//! whose repository's lifecycle runs in the [`FIRST_RUNS`] after it (and before the policy was
//! changed or deleted again) expired tagged images, or images in use: pulled in the [`IN_USE`]
//! before their expiry, or run by an ECS service then (`Index::running_at`). A lifecycle run
//! expires untagged images every night in a registry kept tidy; a policy set to expire what is
//! tagged or running takes releases and the images services pull away, by accident or to leave no
//! copy of what ran. High when an image in use was expired, medium else. A policy put before the
//! logs loaded is not judged: its runs are the routine.

use hashbrown::HashMap;

use super::attention::{joined, lines_said, seconds, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use super::erased::Seen;
use crate::analysis::container::lifecycle::{Service, IN_USE};
use crate::analysis::container::RepoId;
use crate::analysis::filter::Field;
use crate::analysis::principal::principal_label;
use crate::facts::container::{ExpiredImage, Kind, RepoAt};
use crate::model::{Millis, Sym};
use crate::store::Row;
use crate::text::{plural, thousands, utc};

/// How long after the policy's change its runs count: ECR evaluates a new policy within a day.
pub const FIRST_RUNS: Millis = 2 * 86_400_000;

/// Images named in one item; more are counted.
const MAX_IMAGES: usize = 5;

/// One image a run expired.
struct Gone {
    image: ExpiredImage,
    /// When the run expired it.
    at: Millis,
    /// Its tags when it was expired.
    tags: Vec<String>,
    /// Who pulled it in the [`IN_USE`] before, and how often each, the most first.
    pullers: Vec<(String, usize)>,
    /// The ECS services that ran it then.
    services: Vec<Service>,
}

impl Gone {
    /// Pulled in the week before, or run by a service.
    fn in_use(&self) -> bool {
        !self.pullers.is_empty() || !self.services.is_empty()
    }
}

/// One item per `PutLifecyclePolicy` among the rows looked at whose first runs expired tagged
/// images or images in use.
pub(super) fn by_new_policy(g: &Gathered, out: &mut Vec<Attention>) {
    if g.lifecycle_puts.is_empty() {
        return;
    }
    let (store, ix) = (g.store, g.container);
    let repo_of: HashMap<Row, RepoId> = ix.repo_events.iter().map(|&(id, r)| (r, id)).collect();
    let seen = Seen::of(g, g.lifecycle_puts.iter().filter_map(|(_, r)| repo_of.get(r).copied()).collect());
    let changing: Vec<Sym> =
        ["PutLifecyclePolicy", "DeleteLifecyclePolicy"].iter().filter_map(|n| store.strings.lookup(n)).collect();
    for &(setter, r) in &g.lifecycle_puts {
        let Some(&id) = repo_of.get(&r) else { continue };
        let t = store.time(r);
        // Until the policy was changed again, or the first runs were over.
        let until = ix
            .repo_events
            .iter()
            .filter(|&&(repo, e)| repo == id && (store.time(e), e) > (t, r) && store.error_code(e).is_empty())
            .filter(|&&(_, e)| changing.contains(&store.name(e)))
            .map(|&(_, e)| store.time(e))
            .min()
            .unwrap_or(Millis::MAX)
            .min(t.saturating_add(FIRST_RUNS));
        let mut gone: Vec<Gone> = Vec::new();
        for run in ix.runs.iter().filter(|run| run.repo == id && !run.preview && run.start >= t && run.start < until) {
            let running = ix.running_at(store, run.start);
            for image in &run.images {
                if gone.iter().any(|e| e.image.digest == image.digest) {
                    continue;
                }
                let tags: Vec<String> =
                    store.container.syms(image.tags).iter().map(|&s| g.str(s).into_owned()).collect();
                let pullers = seen.pullers(g, id, image.digest, (run.start - IN_USE, run.start));
                let services = ix.with_image(store, &running, id, image.digest);
                gone.push(Gone { image: *image, at: run.start, tags, pullers, services });
            }
        }
        if gone.iter().any(|e| !e.tags.is_empty() || e.in_use()) {
            out.push(item(g, (setter, r), id, &seen, gone));
        }
    }
}

/// The item of `PutLifecyclePolicy` row `r` by identity `setter`, whose first runs expired the
/// images `gone` of repository `id`.
fn item(g: &Gathered, (setter, r): (u32, Row), id: RepoId, seen: &Seen, mut gone: Vec<Gone>) -> Attention {
    let store = g.store;
    let t = store.time(r);
    let key = &g.container.repos[id as usize];
    let (registry, region, name) = (g.str(key.registry), g.str(key.region), g.str(key.name));
    let in_use = gone.iter().filter(|e| e.in_use()).count() as u64;
    let tagged = gone.iter().filter(|e| !e.tags.is_empty()).count() as u64;
    // Those in use first, then the tagged ones, each in the order they were expired.
    gone.sort_by_key(|e| (!e.in_use(), e.tags.is_empty(), e.at));
    let told: Vec<String> = gone.iter().take(MAX_IMAGES).map(|e| told(g, seen, id, e)).collect();
    let more = gone.len().saturating_sub(MAX_IMAGES);
    let more = if more > 0 { format!("; and {more} more") } else { String::new() };
    let rules: Vec<String> = match store.container.get(r).map(|f| f.kind) {
        Some(Kind::RepoChange { lines, .. }) => {
            store.container.syms(lines).iter().map(|&s| g.str(s).into_owned()).collect()
        }
        _ => Vec::new(),
    };
    let title = if in_use > 0 {
        format!("New lifecycle policy of {name} expired {}", plural(in_use, "image in use", "images in use"))
    } else {
        format!("New lifecycle policy of {name} expired {}", plural(tagged, "tagged image", "tagged images"))
    };
    let last = gone.iter().map(|e| e.at).max().unwrap_or(t);
    let why = format!(
        "PutLifecyclePolicy at {} set the lifecycle policy of repository {name} ({registry}, {region}): {}. Its \
         runs in the two days after expired {} ({} tagged, {} in use: pulled in the week before or run by an ECS \
         service): {}{more}. \
         An expired image is gone from the registry: whatever pulls it again fails, and no copy of what ran \
         is left to examine; its pushes, its pulls and its layers' digests are in these logs.",
        utc(t),
        lines_said(&rules),
        plural(gone.len() as u64, "image", "images"),
        thousands(tagged),
        thousands(in_use),
        told.join("; "),
    );
    let chips = vec![(Field::Repository, RepoAt::new(&registry, &region, &name, key.public).value())];
    Attention {
        kind: AttentionKind::LifecycleExpired,
        severity: if in_use > 0 { Severity::High } else { Severity::Medium },
        title,
        who: g.label(setter).to_owned(),
        why,
        events: 1,
        first: t,
        last,
        chips,
        range: Some(seconds(t, last)),
    }
}

/// One expired image, for the item's reason: its digest and tags, when it was expired, who pushed
/// it and when (else when ECR says it was pushed), and who pulled it in the week before.
fn told(g: &Gathered, seen: &Seen, id: RepoId, e: &Gone) -> String {
    let tags = if e.tags.is_empty() { " (untagged)".to_owned() } else { format!(" (tag {})", joined(&e.tags, ", ")) };
    let push = seen.by_image.get(&(id, e.image.digest)).and_then(|p| p.iter().rev().find(|p| p.end <= e.at));
    let pushed = match (push, e.image.pushed_at) {
        (Some(p), _) => {
            format!(
                ", pushed by {} at {}",
                principal_label(&g.store.identity_by_id(p.actor), &g.store.strings),
                utc(p.end)
            )
        }
        (None, Some(at)) => format!(", pushed at {}", utc(at)),
        (None, None) => String::new(),
    };
    let pulled = if e.pullers.is_empty() {
        "not pulled in the week before".to_owned()
    } else {
        let by: Vec<String> = e.pullers.iter().map(|(p, n)| format!("{p} ({n}×)")).collect();
        format!("pulled in the week before by {}", joined(&by, ", "))
    };
    let services: Vec<String> = e.services.iter().map(|s| service_said(g, s)).collect();
    let run = if services.is_empty() { String::new() } else { format!(", run by {}", joined(&services, ", ")) };
    format!("{}{tags}, expired at {}{pushed}, {pulled}{run}", g.str(e.image.digest), utc(e.at))
}

/// "service api of cluster prod (`UpdateService` at … by …)": an ECS service and the deployment
/// that ran an image.
pub(super) fn service_said(g: &Gathered, s: &Service) -> String {
    let store = g.store;
    format!(
        "service {} of cluster {} ({} at {} by {})",
        g.str(s.service),
        g.str(s.cluster),
        g.str(store.name(s.deployed)),
        utc(store.time(s.deployed)),
        principal_label(&store.identity(s.deployed), &store.strings)
    )
}
