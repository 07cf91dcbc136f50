//! *Image deleted while a service runs it*: a `BatchDeleteImage`, among the rows looked at, that
//! deleted an image an ECS service was running then (its last deployment in these logs resolved
//! to it: `Index::running_at`), or a `DeleteRepository` that deleted, with its repository, the
//! images of one. ECS starts every new task of a service from the image its deployment resolved:
//! once the image is gone, a task that stops, is replaced or is added can no longer pull it and
//! fails to start, until the service is deployed with another image. How a registry is emptied to
//! stop a workload, or a mistake in a cleanup; either way the investigator wants it first. Always
//! high. An image deleted less than a day after its push is *Image deleted soon after its push*
//! instead (which names the services deployed with it); a service deployed before these logs is
//! not seen running.

use hashbrown::HashSet;

use super::attention::{joined, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use super::erased::{deletion_said, Seen, SHORT};
use super::expired::service_said;
use crate::analysis::container::lifecycle::Service;
use crate::analysis::container::report::{ImageUse, RepoRef};
use crate::analysis::container::{Push, RepoId};
use crate::analysis::filter::Field;
use crate::facts::container::{Kind, RepoAt};
use crate::model::Millis;
use crate::store::Row;
use crate::text::{plural, utc};

/// Images named in one item; more are counted.
const MAX_IMAGES: usize = 5;

/// One item per deletion among the rows looked at that took away an image a service ran.
pub(super) fn deleted(g: &Gathered, out: &mut Vec<Attention>) {
    if g.deletes.is_empty() {
        return;
    }
    let (store, ix) = (g.store, g.container);
    // Only repositories some deployment in these logs ran an image of can hold such an image.
    let deployments = ix.deployments(store);
    let deployed: Vec<&RepoRef> =
        deployments.iter().flat_map(|(_, images)| images.iter().filter_map(|u| u.repo.as_ref())).collect();
    let ran = |id: RepoId| {
        let wanted = ix.repo_ref(store, id);
        deployed.iter().any(|&r| *r == wanted)
    };
    let repo_of: hashbrown::HashMap<Row, RepoId> = ix.repo_events.iter().map(|&(id, r)| (r, id)).collect();
    let wanted: HashSet<RepoId> =
        g.deletes.iter().filter_map(|(_, r)| repo_of.get(r).copied()).filter(|&id| ran(id)).collect();
    if wanted.is_empty() {
        return;
    }
    let seen = Seen::of(g, wanted.clone());
    for &(deleter, r) in &g.deletes {
        let Some(&id) = repo_of.get(&r).filter(|&id| wanted.contains(id)) else { continue };
        let t = store.time(r);
        let running = ix.running_at(store, t);
        let repository = matches!(store.container.get(r).map(|f| f.kind), Some(Kind::RepoDeleted { .. }));
        let wanted_ref = ix.repo_ref(store, id);
        let of_repo = |u: &ImageUse| u.repo.as_ref() == Some(&wanted_ref);
        // The images taken away, each with the services that ran it.
        let mut gone: Vec<(String, Vec<Service>)> = Vec::new();
        if repository {
            for (s, images) in &running {
                for u in images.iter().filter(|u| of_repo(u) && !u.digest.is_empty()) {
                    match gone.iter_mut().find(|(d, _)| *d == u.digest) {
                        Some((_, services)) if !services.contains(s) => services.push(*s),
                        Some(_) => {}
                        None => gone.push((u.digest.clone(), vec![*s])),
                    }
                }
            }
        } else {
            for digest in ix.deleted(store, id, r) {
                let services = ix.with_image(store, &running, id, digest);
                if !services.is_empty() {
                    gone.push((store.str(digest).into_owned(), services));
                }
            }
        }
        // Pushed less than a day before: *Image deleted soon after its push* says it.
        gone.retain(|(digest, _)| last_push(g, &seen, (id, digest), t).is_none_or(|p| t - p.end >= SHORT));
        if !gone.is_empty() {
            out.push(item(g, (deleter, r, repository), id, &gone, &seen));
        }
    }
}

/// The last push of image `digest` of repository `id` that ended by `t`, in these logs.
fn last_push<'s>(g: &Gathered, seen: &'s Seen, (id, digest): (RepoId, &str), t: Millis) -> Option<&'s Push> {
    let pushes = seen.by_image.get(&(id, g.store.strings.lookup(digest)?))?;
    pushes.iter().rev().find(|p| p.end <= t).copied()
}

/// The item of deletion `r` by identity `deleter` (`repository`: a `DeleteRepository`) of `gone`,
/// images of repository `id` each with the services that ran it.
fn item(
    g: &Gathered,
    (deleter, r, repository): (u32, Row, bool),
    id: RepoId,
    gone: &[(String, Vec<Service>)],
    seen: &Seen,
) -> Attention {
    let store = g.store;
    let t = store.time(r);
    let key = &g.container.repos[id as usize];
    let (registry, region, name) = (g.str(key.registry), g.str(key.region), g.str(key.name));
    let mut services: Vec<Service> = Vec::new();
    for s in gone.iter().flat_map(|(_, s)| s) {
        if !services.contains(s) {
            services.push(*s);
        }
    }
    let told: Vec<String> = gone
        .iter()
        .take(MAX_IMAGES)
        .map(|(digest, by)| {
            let tag = last_push(g, seen, (id, digest), t)
                .map(|p| g.str(p.tag).into_owned())
                .filter(|tag| !tag.is_empty())
                .map_or(String::new(), |tag| format!(" (tag {tag})"));
            let ran: Vec<String> = by.iter().map(|s| service_said(g, s)).collect();
            format!("{digest}{tag}, run by {}", joined(&ran, ", "))
        })
        .collect();
    let more = gone.len().saturating_sub(MAX_IMAGES);
    let more = if more > 0 { format!("; and {more} more") } else { String::new() };
    let n = gone.len() as u64;
    // Short enough for a card: the service first, the repository in the reason.
    let whose = match services.as_slice() {
        [one] => format!("Service {}'s", g.str(one.service)),
        more => format!("{} services'", more.len()),
    };
    let title = match (repository, n) {
        (true, _) => format!("{whose} repository {name} deleted"),
        (false, 1) => format!("{whose} image deleted"),
        (false, _) => format!("{whose} {n} images deleted"),
    };
    let (call, how) = deletion_said(repository, &format!("repository {name} ({registry}, {region})"));
    let why = format!(
        "{call} at {} from {} with {} {how} {} an ECS service was running: {}{more}. ECS starts each new task of a \
         service from the image its deployment resolved: a task that stops, is replaced or is added can no longer \
         pull it and fails to start (CannotPullContainerError), until the service is deployed with another image.",
        utc(t),
        g.str(store.ip(r)),
        g.client(store.user_agent(r)).label(),
        plural(n, "image", "images"),
        told.join("; ")
    );
    // Narrowed to the deletion itself: the deployments are named in the reason.
    let chips = vec![
        (Field::Name, call.to_owned()),
        (Field::Repository, RepoAt::new(&registry, &region, &name, key.public).value()),
    ];
    let kind = AttentionKind::ImageInUseDeleted;
    Attention::of_calls(kind, Severity::High, (title, why), g.label(deleter), (1, t, t), chips)
}
