//! An image's page: everything the logs say happened to one digest in one repository, oldest
//! first. Pushed (by whom, with what client, which layers were new), the tags it carried and when
//! they moved away, who pulled it, the task definitions that use it (by digest, or by a tag that
//! pointed to it at the time) and the services and tasks started from them, and its expiry or
//! deletion.

use hashbrown::HashSet;

use super::items::{event_refs, layer_rows, pull_item, pulled, push_item, run_item};
use super::pages::deletions;
use super::report::{EcsItem, ImagePage, ImageRef, ImageUse, Outcome, RepoRef, Step, UseItem, STORY_ITEMS};
use super::who::who;
use super::{ecs, pull::is_digest, Index, Push, RepoId, Run};
use crate::analysis::filter::Compiled;
use crate::facts::container::{EntryKind, Kind};
use crate::model::{Millis, Sym};
use crate::store::{Row, Store};

/// What the page is about, resolved against the store.
struct Subject<'a> {
    ix: &'a Index,
    store: &'a Store,
    c: &'a Compiled<'a>,
    image: &'a ImageRef,
    repo: RepoId,
    digest: Sym,
}

impl Subject<'_> {
    fn kept(&self, rows: &[Row]) -> bool {
        rows.iter().any(|&r| self.c.keeps(r))
    }

    /// Whether `images` (resolved at their call's time) name this image, by digest or by a tag.
    fn among(&self, images: &[ImageUse]) -> bool {
        images.iter().any(|u| u.digest == self.image.digest && u.repo.as_ref() == Some(&self.image.repo))
    }

    fn owner(&self) -> std::borrow::Cow<'_, str> {
        self.store.str(self.ix.repos[self.repo as usize].registry)
    }
}

fn add_tag(tags: &mut Vec<String>, t: &str) {
    if !t.is_empty() && !tags.iter().any(|x| x == t) {
        tags.push(t.to_owned());
    }
}

/// The page, or `None` when the logs know nothing of this image.
pub(super) fn page(ix: &Index, store: &Store, c: &Compiled, image: &ImageRef) -> Option<ImagePage> {
    let s = Subject {
        ix,
        store,
        c,
        image,
        repo: ix.find_repo(store, &image.repo)?,
        digest: store.strings.lookup(&image.digest)?,
    };
    let mut tags = Vec::new();
    let mut steps = pushes(&s, &mut tags);
    steps.extend(tag_moves(&s));
    // Its first push that went through: its manifest, for its layers and for what its pulls fetched.
    let first = ix.pushes.iter().find(|p| p.repo == s.repo && p.digest == s.digest && p.outcome == Outcome::Ok);
    let (pull_steps, pulls, pullers) = pulls(&s, first, &mut tags);
    let mut status = "present";
    let expiries = expiries(&s, &mut tags);
    if expiries.iter().any(|e| matches!(e, Step::Expired(r) if !r.preview)) {
        status = "expired";
    }
    steps.extend(expiries);
    let deleted = deletion_steps(&s);
    if !deleted.is_empty() {
        status = "deleted";
    }
    steps.extend(deleted);
    let mut ecs_steps = ecs_steps(&s);
    ecs_steps.extend(use_steps(&s));
    if steps.is_empty() && pull_steps.is_empty() && ecs_steps.is_empty() && ix.manifest(s.repo, s.digest).is_none() {
        return None;
    }
    let story_total = (steps.len() + pull_steps.len() + ecs_steps.len()) as u32;
    steps.extend(ecs_steps);
    steps.truncate(STORY_ITEMS);
    // Pulls fill the room that is left, the most recent kept.
    let skip = pull_steps.len().saturating_sub(STORY_ITEMS - steps.len());
    steps.extend(pull_steps.into_iter().skip(skip));
    steps.sort_by_key(Step::time);
    let (layers, media_type, size) = first.map_or_else(Default::default, |p| {
        let size =
            store.container.entries(p.entries).iter().filter(|e| e.kind != EntryKind::Manifest).map(|e| e.size).sum();
        (layer_rows(store, p), store.str(p.media_type).into_owned(), size)
    });
    let current_tags = if status == "present" {
        let points_here =
            |t: &&String| store.strings.lookup(t).and_then(|t| ix.tag_at(s.repo, t, Millis::MAX)) == Some(s.digest);
        tags.iter().filter(points_here).cloned().collect()
    } else {
        Vec::new()
    };
    Some(ImagePage {
        image: image.clone(),
        tags,
        current_tags,
        media_type,
        size,
        layers,
        status: status.to_owned(),
        story: steps,
        story_total,
        pulls,
        pullers,
        also_in: ix.repos_with(s.digest, s.repo).into_iter().map(|r| ix.repo_ref(store, r)).collect::<Vec<RepoRef>>(),
        // Worked out by the answer, which knows whether there is a filter.
        outside_filter: 0,
    })
}

/// Its pushes (and re-tags), with their layers.
fn pushes(s: &Subject, tags: &mut Vec<String>) -> Vec<Step> {
    s.ix.pushes
        .iter()
        .filter(|p| p.repo == s.repo && p.digest == s.digest && s.kept(&p.rows))
        .map(|p| {
            add_tag(tags, &s.store.str(p.tag));
            Step::Pushed(Box::new(push_item(s.ix, s.store, p, true)))
        })
        .collect()
}

/// The pushes that moved one of its tags to another image (see [`super::Push::moved_from`]).
fn tag_moves(s: &Subject) -> Vec<Step> {
    let store = s.store;
    let movers = s.ix.pushes.iter().filter(|p| p.repo == s.repo && p.moved_from.is_some_and(|(d, _)| d == s.digest));
    movers
        .filter_map(|p| p.put.filter(|&put| s.c.keeps(put)).map(|put| (p, put)))
        .map(|(p, put)| Step::TagMoved {
            tag: store.str(p.tag).into_owned(),
            to: store.str(p.digest).into_owned(),
            time: store.time(put),
            who: Box::new(who(store, put, &s.owner())),
            events: event_refs(store, &[put], 1).0,
        })
        .collect()
}

/// Pulls that got it (by digest, or by a tag that pointed to it then): steps, pulls, pullers.
fn pulls(s: &Subject, first: Option<&Push>, tags: &mut Vec<String>) -> (Vec<Step>, u32, u32) {
    let store = s.store;
    let mut steps = Vec::new();
    let mut count = 0;
    let mut pullers: HashSet<u32> = HashSet::new();
    // The blobs its manifest lists (config and layers), when its push is in these logs and it is
    // not an index, whose layers are its platforms' images'.
    let blobs: Option<HashSet<Sym>> = first
        .map(|p| store.container.entries(p.entries))
        .filter(|entries| !entries.is_empty() && entries.iter().all(|e| e.kind != EntryKind::Manifest))
        .map(|entries| entries.iter().map(|e| e.digest).collect());
    for p in s.ix.pulls.iter().filter(|p| p.repo == s.repo && p.resolved.contains(&s.digest) && s.kept(&p.rows)) {
        for (&got, &asked) in p.resolved.iter().zip(store.container.syms(p.ids)) {
            if got == s.digest && !is_digest(&store.str(asked)) {
                add_tag(tags, &store.str(asked));
            }
        }
        if pulled(p) {
            count += 1;
            pullers.insert(p.actor);
        }
        let mut item = pull_item(s.ix, store, p);
        if p.resolved.len() == 1 {
            item.layers_listed = blobs.as_ref().map(|blobs| {
                let listed = |r: &Row| {
                    matches!(store.container.get(*r).map(|f| f.kind), Some(Kind::LayerUrl { digest }) if blobs.contains(&digest))
                };
                p.rows.iter().filter(|r| listed(r)).count() as u32
            });
        }
        steps.push(Step::Pulled(Box::new(item)));
    }
    (steps, count, pullers.len() as u32)
}

/// Task definitions that use it, and services and tasks started from a task definition whose image
/// resolved to it when they were started.
fn ecs_steps(s: &Subject) -> Vec<Step> {
    let uses_it = |item: &EcsItem| s.among(&item.images);
    let mut out = Vec::new();
    for &r in s.ix.ecs.iter().filter(|&&r| s.c.keeps(r)) {
        let Some(item) = ecs::item(s.ix, s.store, r).filter(uses_it) else { continue };
        match s.store.container.get(r).map(|f| f.kind) {
            Some(Kind::TaskDef { .. }) => out.push(Step::TaskDefinition(Box::new(item))),
            Some(Kind::Service { .. } | Kind::Task { .. }) => out.push(Step::Deployed(Box::new(item))),
            _ => {}
        }
    }
    out
}

/// Other services' calls that name it: a `SageMaker` model, a Batch job definition, a `CodeBuild`
/// project, a Lambda function... (by digest, or by a tag that pointed to it then).
fn use_steps(s: &Subject) -> Vec<Step> {
    let uses_it = |item: &UseItem| s.among(&item.images);
    let rows = s.ix.uses.iter().filter(|&&r| s.c.keeps(r));
    rows.filter_map(|&r| ecs::use_item(s.ix, s.store, r).filter(uses_it)).map(|u| Step::UsedBy(Box::new(u))).collect()
}

/// Lifecycle runs (and previews) that selected it, each showing only this image.
fn expiries(s: &Subject, tags: &mut Vec<String>) -> Vec<Step> {
    let mut out = Vec::new();
    for run in s.ix.runs.iter().filter(|r| r.repo == s.repo && s.kept(&r.rows)) {
        let Some(img) = run.images.iter().find(|i| i.digest == s.digest) else { continue };
        for &t in s.store.container.syms(img.tags) {
            add_tag(tags, &s.store.str(t));
        }
        let mut item = run_item(s.ix, s.store, &Run { images: vec![*img], ..run.clone() }, 1);
        item.images_total = run.images.len() as u32;
        out.push(Step::Expired(Box::new(item)));
    }
    out
}

/// `BatchDeleteImage` calls that deleted it.
fn deletion_steps(s: &Subject) -> Vec<Step> {
    let store = s.store;
    let gone: Vec<Millis> =
        deletions(s.ix, store, s.c, s.repo).into_iter().filter(|&(d, _)| d == s.digest).map(|(_, t)| t).collect();
    s.ix.repo_events
        .iter()
        .filter(|&&(repo, r)| repo == s.repo && gone.contains(&store.time(r)))
        .filter(|&&(_, r)| matches!(store.container.get(r).map(|f| f.kind), Some(Kind::DeleteImages { .. })))
        .filter(|&&(_, r)| s.c.keeps(r) && store.error_code(r).is_empty())
        .map(|&(_, r)| Step::Deleted {
            time: store.time(r),
            who: Box::new(who(store, r, &s.owner())),
            events: event_refs(store, &[r], 1).0,
        })
        .collect()
}
