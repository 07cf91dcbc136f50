//! Answers: list pages, a repository's page and an image's page, over what the filter keeps.

use hashbrown::{HashMap, HashSet};

use super::ecs;
use super::items::{builder_item, pull_item, pulled, push_item, registry_change, repo_change, run_item};
use super::report::{AccountPulls, ImageRow, ListPage, Outcome, RepoPage, RepoSummary, Timeline, PAGE};
use super::who::caller;
use super::{Ask, ContainerAnswer, ContainerQuery, Index, RepoId};
use crate::analysis::filter::{Compiled, Filter};
use crate::facts::container::{EntryKind, Kind};
use crate::model::{Millis, Sym};
use crate::store::{Row, Store};

/// Buckets in a repository's timeline.
const TIMELINE_BUCKETS: i64 = 48;

/// Answers a container query.
pub fn answer(ix: &Index, store: &Store, q: &ContainerQuery) -> ContainerAnswer {
    let c = Compiled::new(&q.filter, store);
    let kept = |rows: &[Row]| rows.iter().any(|&r| c.keeps(r));
    match &q.ask {
        Ask::Headline => ContainerAnswer::Headline(ix.headline(store, &c)),
        Ask::Pushes { offset, keep } => {
            let items: Vec<_> = ix.pushes.iter().filter(|p| keep.keeps(p) && kept(&p.rows)).collect();
            ContainerAnswer::Pushes(page(&items, *offset, |p| push_item(ix, store, p, false)))
        }
        Ask::Pulls { offset, outcome } => {
            let items: Vec<_> =
                ix.pulls.iter().filter(|p| outcome.is_none_or(|o| pull_is(p, o)) && kept(&p.rows)).collect();
            ContainerAnswer::Pulls(page(&items, *offset, |p| pull_item(ix, store, p)))
        }
        Ask::Lifecycle { offset } => {
            let items: Vec<_> = ix.runs.iter().filter(|r| kept(&r.rows)).collect();
            ContainerAnswer::Lifecycle(page(&items, *offset, |r| run_item(ix, store, r, PAGE)))
        }
        Ask::Repositories { offset } => {
            let mut all = summaries(ix, store, &c);
            all.sort_by(|a, b| {
                (b.pushes + b.pulls + b.failed_pushes + b.failed_pulls)
                    .cmp(&(a.pushes + a.pulls + a.failed_pushes + a.failed_pulls))
                    .then_with(|| a.repo.cmp(&b.repo))
            });
            let total = all.len() as u64;
            let items = all.into_iter().skip(*offset as usize).take(PAGE).collect();
            ContainerAnswer::Repositories(ListPage { items, total, offset: u64::from(*offset) })
        }
        Ask::Repository(r) => {
            ContainerAnswer::Repository(ix.find_repo(store, r).map(|id| Box::new(repo_page(ix, store, &c, id))))
        }
        Ask::Image(i) => {
            let mut page = super::image::page(ix, store, &c, i);
            if let Some(p) = page.as_mut().filter(|_| !q.filter.is_empty()) {
                // Who else pulled or ran it: what one principal's filter hides of its story.
                let everything = Compiled::new(&Filter::default(), store);
                if let Some(whole) = super::image::page(ix, store, &everything, i) {
                    p.outside_filter = whole.story_total.saturating_sub(p.story_total);
                    // Expired or deleted is what happened to it, whichever events the filter shows.
                    p.status = whole.status;
                }
            }
            ContainerAnswer::Image(page.map(Box::new))
        }
        Ask::Deployments { offset } => {
            ContainerAnswer::Deployments(rows_page(&ix.ecs, &c, *offset, |r| ecs::item(ix, store, r)))
        }
        Ask::Uses { offset } => {
            ContainerAnswer::Uses(rows_page(&ix.uses, &c, *offset, |r| ecs::use_item(ix, store, r)))
        }
        Ask::ImageBuilder { offset } => {
            ContainerAnswer::ImageBuilder(rows_page(&ix.builder, &c, *offset, |r| builder_item(store, r)))
        }
        Ask::Registry { offset } => {
            let lowered = super::guards::lowered(ix);
            ContainerAnswer::Registry(rows_page(&ix.registry_events, &c, *offset, |r| {
                registry_change(store, r, &lowered)
            }))
        }
    }
}

/// Newest first: items `offset..offset + PAGE` made by `f` of the rows of `all` (oldest first)
/// that `c` keeps.
fn rows_page<U>(all: &[Row], c: &Compiled, offset: u32, f: impl Fn(Row) -> Option<U>) -> ListPage<U> {
    let rows: Vec<Row> = all.iter().copied().filter(|&r| c.keeps(r)).collect();
    let items = rows.iter().rev().skip(offset as usize).take(PAGE).filter_map(|&r| f(r)).collect();
    ListPage { items, total: rows.len() as u64, offset: u64::from(offset) }
}

/// Whether a pull is one the list's outcome switch keeps: `Ok` stands for every pull that went
/// through, as the headline counts them, those whose `BatchGetImage` is not in these logs included.
fn pull_is(p: &super::Pull, o: Outcome) -> bool {
    match o {
        Outcome::Ok => pulled(p),
        _ => p.outcome == o,
    }
}

/// Newest first: items `offset..offset + PAGE` of `items` (which are oldest first).
fn page<T, U>(items: &[T], offset: u32, f: impl Fn(&T) -> U) -> ListPage<U> {
    ListPage {
        items: items.iter().rev().skip(offset as usize).take(PAGE).map(f).collect(),
        total: items.len() as u64,
        offset: u64::from(offset),
    }
}

/// One summary per repository that has anything the filter keeps (all of them when it keeps all).
fn summaries(ix: &Index, store: &Store, c: &Compiled) -> Vec<RepoSummary> {
    fn get<'o>(out: &'o mut [Option<RepoSummary>], ix: &Index, store: &Store, id: RepoId) -> &'o mut RepoSummary {
        out[id as usize].get_or_insert_with(|| RepoSummary { repo: ix.repo_ref(store, id), ..RepoSummary::default() })
    }
    let mut out: Vec<Option<RepoSummary>> = vec![None; ix.repos.len()];
    let mut images: Vec<HashSet<Sym>> = vec![HashSet::new(); ix.repos.len()];
    let mut expired: Vec<HashSet<Sym>> = vec![HashSet::new(); ix.repos.len()];
    let bump = |last: &mut Option<Millis>, t: Millis| *last = Some(last.map_or(t, |l| l.max(t)));
    for p in ix.pushes.iter().filter(|p| p.rows.iter().any(|&r| c.keeps(r))) {
        let s = get(&mut out, ix, store, p.repo);
        match p.outcome {
            Outcome::Ok => s.pushes += 1,
            _ => s.failed_pushes += 1,
        }
        bump(&mut s.last, p.end);
        if p.outcome == Outcome::Ok && !p.digest.is_empty() {
            images[p.repo as usize].insert(p.digest);
        }
    }
    for p in ix.pulls.iter().filter(|p| p.rows.iter().any(|&r| c.keeps(r))) {
        let s = get(&mut out, ix, store, p.repo);
        if pulled(p) {
            s.pulls += 1;
            if super::who_is_cross_account(store, p.rows[0], ix.repos[p.repo as usize].registry) {
                s.cross_account_pulls += 1;
            }
        } else {
            s.failed_pulls += 1;
        }
        bump(&mut s.last, p.end);
        images[p.repo as usize].extend(p.resolved.iter().filter(|d| !d.is_empty()));
    }
    for run in ix.runs.iter().filter(|r| r.rows.iter().any(|&x| c.keeps(x))) {
        let s = get(&mut out, ix, store, run.repo);
        bump(&mut s.last, run.end);
        if !run.preview {
            expired[run.repo as usize].extend(run.images.iter().map(|i| i.digest));
            images[run.repo as usize].extend(run.images.iter().map(|i| i.digest));
        }
    }
    for &(repo, r) in ix.repo_events.iter().filter(|&&(_, r)| c.keeps(r)) {
        let s = get(&mut out, ix, store, repo);
        let t = store.time(r);
        bump(&mut s.last, t);
        let ok = store.error_code(r).is_empty();
        match store.container.get(r).map(|f| f.kind) {
            Some(Kind::RepoCreated { encryption, .. }) if ok => {
                s.created = Some(t);
                if !encryption.is_empty() {
                    store.str(encryption).as_ref().clone_into(&mut s.encryption);
                }
            }
            Some(Kind::RepoDeleted { .. }) if ok => s.deleted = Some(t),
            Some(Kind::KmsGrant { .. }) if s.encryption.is_empty() => {
                "KMS".clone_into(&mut s.encryption);
                s.changes += 1;
            }
            Some(Kind::RepoChange { exposure, .. }) if ok => {
                s.exposure = s.exposure.max(exposure);
                s.changes += 1;
            }
            _ => s.changes += 1,
        }
    }
    out.into_iter()
        .enumerate()
        .filter_map(|(i, s)| {
            s.map(|mut s| {
                s.images = images[i].len() as u32;
                s.expired = expired[i].len() as u32;
                s
            })
        })
        .collect()
}

/// A repository's page.
fn repo_page(ix: &Index, store: &Store, c: &Compiled, id: RepoId) -> RepoPage {
    let owner = store.str(ix.repos[id as usize].registry).into_owned();
    let kept = |rows: &[Row]| rows.iter().any(|&r| c.keeps(r));
    let summary = summaries(ix, store, c)
        .into_iter()
        .find(|s| ix.find_repo(store, &s.repo) == Some(id))
        .unwrap_or_else(|| RepoSummary { repo: ix.repo_ref(store, id), ..RepoSummary::default() });
    let pushes: Vec<_> = ix.pushes.iter().filter(|p| p.repo == id && kept(&p.rows)).collect();
    let pulls: Vec<_> = ix.pulls.iter().filter(|p| p.repo == id && kept(&p.rows)).collect();
    let lowered = super::guards::lowered(ix);
    let mut changes = ix
        .repo_events
        .iter()
        .filter(|&&(repo, r)| repo == id && c.keeps(r))
        .filter_map(|&(_, r)| repo_change(store, r, &owner, &lowered))
        .chain(
            ix.lowerings
                .iter()
                .filter(|l| l.guard == super::guards::Guard::RepositoryKey && c.keeps(l.row))
                .filter(|l| l.repo == Some(id) || l.more.contains(&id))
                .map(|l| super::items::key_change(store, l, &owner)),
        )
        .collect::<Vec<_>>();
    changes.sort_by_key(|c| c.time);
    let times: Vec<(Millis, bool)> = pushes
        .iter()
        .filter(|p| p.outcome == Outcome::Ok)
        .map(|p| (p.start, true))
        .chain(pulls.iter().filter(|p| pulled(p)).map(|p| (p.start, false)))
        .collect();
    let mut accounts: HashMap<String, AccountPulls> = HashMap::new();
    for p in pulls.iter().filter(|p| pulled(p)) {
        let w = caller(store, p.get.unwrap_or(p.rows[0]), &owner);
        if w.cross_account {
            let a = accounts.entry(w.account.clone()).or_insert_with(|| AccountPulls {
                account: w.account.clone(),
                pulls: 0,
                principals: Vec::new(),
                last: p.start,
            });
            a.pulls += 1;
            a.last = a.last.max(p.start);
            if !a.principals.contains(&w.principal) && a.principals.len() < 20 {
                a.principals.push(w.principal);
            }
        }
    }
    let mut cross_account: Vec<AccountPulls> = accounts.into_values().collect();
    cross_account.sort_by(|a, b| b.pulls.cmp(&a.pulls).then_with(|| a.account.cmp(&b.account)));
    let runs = ix
        .runs
        .iter()
        .filter(|r| r.repo == id && kept(&r.rows))
        .rev()
        .take(PAGE)
        .map(|r| run_item(ix, store, r, PAGE))
        .collect();
    // A recipe names its target by name alone: the repository of that name in the recipe's account
    // and region (not every repository of the name).
    let key = ix.repos[id as usize];
    let builder = ix
        .builder
        .iter()
        .copied()
        .filter(|&r| {
            c.keeps(r)
                && store
                    .container
                    .get(r)
                    .is_some_and(|f| f.repo == key.name && f.registry_or_account(store) == key.registry)
                && store.region(r) == key.region
        })
        .filter_map(|r| builder_item(store, r))
        .collect();
    // Other services' writes naming one of its images (resolved at their time).
    let this = ix.repo_ref(store, id);
    let all_uses = ix
        .uses
        .iter()
        .rev()
        .filter(|&&r| c.keeps(r))
        .filter_map(|&r| super::ecs::use_item(ix, store, r))
        .filter(|u| u.images.iter().any(|i| i.repo.as_ref() == Some(&this)));
    let (mut uses, mut uses_total) = (Vec::new(), 0);
    for u in all_uses {
        uses_total += 1;
        if uses.len() < PAGE {
            uses.push(u);
        }
    }
    RepoPage {
        summary,
        changes,
        timeline: timeline(&times),
        images: image_rows(ix, store, c, id),
        pushes: pushes.iter().rev().take(PAGE).map(|p| push_item(ix, store, p, false)).collect(),
        pulls: pulls.iter().rev().take(PAGE).map(|p| pull_item(ix, store, p)).collect(),
        cross_account,
        runs,
        builder,
        uses,
        uses_total,
    }
}

/// Bucket widths a timeline may use: minutes up to years.
const STEPS: [Millis; 10] = [
    60_000,
    300_000,
    900_000,
    3_600_000,
    10_800_000,
    21_600_000,
    86_400_000,
    604_800_000,
    2_592_000_000,
    31_536_000_000,
];

/// Pushes and pulls counted in [`TIMELINE_BUCKETS`] buckets of a round width.
fn timeline(times: &[(Millis, bool)]) -> Timeline {
    let (Some(lo), Some(hi)) = (times.iter().map(|t| t.0).min(), times.iter().map(|t| t.0).max()) else {
        return Timeline::default();
    };
    let span = hi - lo + 1;
    let step = STEPS.iter().copied().find(|s| span <= s * TIMELINE_BUCKETS).unwrap_or(span / TIMELINE_BUCKETS + 1);
    let start = lo - lo.rem_euclid(step);
    let n = ((hi - start) / step + 1) as usize;
    let mut t = Timeline { start, step, pushes: vec![0; n], pulls: vec![0; n] };
    for &(time, push) in times {
        let i = ((time - start) / step) as usize;
        if push {
            t.pushes[i] += 1;
        } else {
            t.pulls[i] += 1;
        }
    }
    t
}

/// The images of a repository: every digest pushed, pulled by digest (or by a tag that resolved),
/// or expired, newest first.
fn image_rows(ix: &Index, store: &Store, c: &Compiled, id: RepoId) -> Vec<ImageRow> {
    fn row<'m>(rows: &'m mut HashMap<Sym, ImageRow>, order: &mut Vec<Sym>, store: &Store, d: Sym) -> &'m mut ImageRow {
        rows.entry(d).or_insert_with(|| {
            order.push(d);
            ImageRow {
                digest: store.str(d).into_owned(),
                tags: Vec::new(),
                pushed: None,
                pushed_by: String::new(),
                pulls: 0,
                last_pull: None,
                expired: None,
                deleted: None,
                size: 0,
            }
        })
    }
    let kept = |rows: &[Row]| rows.iter().any(|&r| c.keeps(r));
    let mut rows: HashMap<Sym, ImageRow> = HashMap::new();
    let mut order: Vec<Sym> = Vec::new();
    let add_tag = |r: &mut ImageRow, tag: &str| {
        if !tag.is_empty() && !r.tags.iter().any(|t| t == tag) {
            r.tags.push(tag.to_owned());
        }
    };
    for p in
        ix.pushes.iter().filter(|p| p.repo == id && p.outcome == Outcome::Ok && !p.digest.is_empty() && kept(&p.rows))
    {
        let r = row(&mut rows, &mut order, store, p.digest);
        add_tag(r, &store.str(p.tag));
        if r.pushed.is_none() {
            // When the image came to be: its `PutImage`, as ECR's own `imagePushedAt` (which a
            // lifecycle run lists) counts it, not the push's first call.
            r.pushed = Some(p.put.map_or(p.start, |put| store.time(put)));
            r.pushed_by = crate::analysis::principal::principal_label(
                &store.identity(p.put.unwrap_or(p.rows[0])),
                &store.strings,
            );
            r.size = store
                .container
                .entries(p.entries)
                .iter()
                .filter(|e| e.kind != EntryKind::Manifest)
                .map(|e| e.size)
                .sum();
        }
    }
    for p in ix.pulls.iter().filter(|p| p.repo == id && pulled(p) && kept(&p.rows)) {
        for &d in p.resolved.iter().filter(|d| !d.is_empty()) {
            let r = row(&mut rows, &mut order, store, d);
            r.pulls += 1;
            r.last_pull = Some(r.last_pull.map_or(p.start, |l| l.max(p.start)));
        }
    }
    for run in ix.runs.iter().filter(|r| r.repo == id && !r.preview && kept(&r.rows)) {
        for i in &run.images {
            let r = row(&mut rows, &mut order, store, i.digest);
            r.expired = Some(run.start);
            for &t in store.container.syms(i.tags) {
                add_tag(r, &store.str(t));
            }
            if r.pushed.is_none() {
                r.pushed = i.pushed_at;
            }
        }
    }
    for (d, t) in deletions(ix, store, c, id) {
        row(&mut rows, &mut order, store, d).deleted = Some(t);
    }
    let mut out: Vec<ImageRow> = order.into_iter().filter_map(|d| rows.remove(&d)).collect();
    out.sort_by(|a, b| b.pushed.cmp(&a.pushed).then_with(|| a.digest.cmp(&b.digest)));
    out.truncate(PAGE);
    out
}

/// Digests deleted with `BatchDeleteImage` in a repository: those the response lists, else (for a
/// call that succeeded with no response) those asked for; tags resolve to the image they pointed to.
pub(super) fn deletions(ix: &Index, store: &Store, c: &Compiled, id: RepoId) -> Vec<(Sym, Millis)> {
    let mut out = Vec::new();
    for &(_, r) in
        ix.repo_events.iter().filter(|&&(repo, r)| repo == id && c.keeps(r) && store.error_code(r).is_empty())
    {
        out.extend(deleted(ix, store, id, r).map(|d| (d, store.time(r))));
    }
    out
}

/// The images of repository `id` that event `r` deleted, if it is a `BatchDeleteImage`: those its
/// response lists, else those it asked for; a tag stands for the image it named then.
pub(super) fn deleted<'a>(ix: &'a Index, store: &'a Store, id: RepoId, r: Row) -> impl Iterator<Item = Sym> + 'a {
    let list = match store.container.get(r).map(|f| f.kind) {
        Some(Kind::DeleteImages { ids, deleted }) => Some(if deleted.len > 0 { deleted } else { ids }),
        _ => None,
    };
    let t = store.time(r);
    list.into_iter().flat_map(|list| store.container.syms(list)).filter_map(move |&x| {
        if super::pull::is_digest(&store.str(x)) {
            Some(x)
        } else {
            ix.tag_at(id, x, t)
        }
    })
}

/// The `ecr` section of `trailscope-summary.json` (over every event; schema in the README).
pub fn summary(ix: &Index, store: &Store) -> serde_json::Value {
    let c = Compiled::new(&crate::analysis::filter::Filter::default(), store);
    let h = ix.headline(store, &c);
    let mut repos = summaries(ix, store, &c);
    repos.sort_by(|a, b| (b.pushes + b.pulls).cmp(&(a.pushes + a.pulls)).then_with(|| a.repo.cmp(&b.repo)));
    let by_repository: Vec<serde_json::Value> = repos
        .iter()
        .take(crate::engine::MAX_LIST)
        .map(|s| {
            serde_json::json!({
                "repository": s.repo.name, "account": s.repo.registry, "region": s.repo.region,
                "pushes": s.pushes, "failed_pushes": s.failed_pushes, "pulls": s.pulls, "failed_pulls": s.failed_pulls,
                "cross_account_pulls": s.cross_account_pulls, "images": s.images, "expired_images": s.expired,
                "policy_exposure": s.exposure, "public": s.repo.public,
            })
        })
        .collect();
    let lowered = super::guards::lowered(ix);
    let registry: Vec<serde_json::Value> = ix
        .registry_events
        .iter()
        .take(crate::engine::MAX_LIST)
        .filter_map(|&r| registry_change(store, r, &lowered))
        .map(|g| {
            serde_json::json!({
                "call": g.change.call, "time": crate::model::time::format_iso(g.change.time),
                "account": g.registry, "region": g.region, "principal": g.change.who.principal,
                "details": g.change.details, "exposure": g.change.exposure, "error_code": g.change.error_code,
                "lowered": g.change.lowered,
            })
        })
        .collect();
    // Other services' writes that name ECR images, oldest first.
    let uses: Vec<serde_json::Value> = ix
        .uses
        .iter()
        .take(crate::engine::MAX_LIST)
        .filter_map(|&r| super::ecs::use_item(ix, store, r).map(|u| (r, u)))
        .map(|(r, u)| {
            serde_json::json!({
                "service": u.service, "call": u.call, "name": u.name, "time": crate::model::time::format_iso(u.time),
                "account": store.str(store.account(r)), "region": store.str(store.region(r)), "principal": u.who.principal,
                "images": u.images.iter().map(|i| i.uri.as_str()).collect::<Vec<_>>(), "error_code": u.error_code,
                // Each ECR image as the image pages name it: its repository's ARN and the digest
                // (a tag resolved as it was then; empty when no push of it before is in these logs).
                "resolved": u.images.iter().filter_map(|i| i.repo.as_ref().map(|r| serde_json::json!({
                    "uri": i.uri, "repository": r.arn(), "digest": i.digest,
                }))).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({
        "pushes": h.pushes,
        "failed_pushes": h.failed_pushes,
        "failed_pushes_denied": h.failed_pushes_denied,
        "incomplete_pushes": h.incomplete_pushes,
        "tag_moves": h.tag_moves,
        "public_pushes": h.public_pushes,
        "pulls": h.pulls,
        "failed_pulls": h.failed_pulls,
        "failed_pulls_denied": h.failed_pulls_denied,
        "failed_pulls_not_found": h.failed_pulls_not_found,
        "incomplete_pulls": h.incomplete_pulls,
        "cross_account_pulls": h.cross_account_pulls,
        "lifecycle_runs": h.lifecycle_runs,
        "lifecycle_previews": h.lifecycle_previews,
        "expired_images": h.expired_images,
        "repositories": h.repositories,
        "images": h.images,
        "ecs_task_definitions": h.task_definitions,
        "ecs_deployments": h.deployments,
        "ecs_refused": h.ecs_refused,
        "image_builder_executions": h.builder_executions,
        "by_repository": by_repository,
        "registry_changes": h.registry_changes,
        "registry_opened": h.registry_opened,
        "registry": registry,
        "image_uses": ix.uses.len(),
        "uses": uses,
    })
}
