//! The container story: ECR pushes, pulls and lifecycle runs rebuilt from single API calls, image
//! lineage (digest ↔ tags ↔ pushes ↔ pulls ↔ task definitions ↔ deployments ↔ expiry), repository
//! histories, ECS deployments and EC2 Image Builder runs.
//!
//! CloudTrail records calls, not operations: a `docker push` is a token, a layer check, an upload
//! per new layer in parts, and a `PutImage`, in any order across any number of files. [`Index::build`]
//! joins them over the whole store (so a push split across two files is one push) into sessions:
//! - uploads by `uploadId`, then each upload to the `PutImage` whose manifest names its layer
//!   (so concurrent pushes to one repository by one principal do not mix), layer checks likewise;
//! - what no `PutImage` claims (a refused `InitiateLayerUpload`, uploads with no image) is grouped by
//!   repository, principal and time into failed or incomplete pushes;
//! - each `BatchGetImage` is a pull, and the `GetDownloadUrlForLayer` calls that follow it from the
//!   same principal are its layer downloads;
//! - lifecycle events that ECR split (10 or more images) are joined back by repository, policy and
//!   time; `DryRunEvent` previews stay previews;
//! - a `GetAuthorizationToken` belongs to the next session of the same principal within minutes.
//!
//! The index is built once per store state and cached ([`Cache`]); queries then filter it: an item
//! is shown when any of its events passes the filter, and lists it with all its events.

mod ecs;
pub mod guards;
mod image;
mod items;
pub mod lifecycle;
pub mod nav;
mod pages;
mod pull;
mod push;
pub mod report;
pub mod who;

use std::cell::RefCell;
use std::rc::Rc;

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use crate::analysis::filter::{Compiled, Filter};
pub use crate::facts::container::PUBLIC_SOURCE;
use crate::facts::container::{ExpiredImage, Exposure, Kind, Span};
use crate::model::{Millis, Sym};
use crate::store::{Row, Store};
use report::{Headline, ImageRef, Outcome, RepoRef};

pub use ecs::{
    credential_tokens, credential_tokens_in, credential_words, gives_host, host_said, host_tokens, log_tokens,
};
pub(crate) use items::{event_refs, recipe_sources, RecipeSources};
pub use pages::{answer, summary};

/// A `GetAuthorizationToken` belongs to a session that starts at most this long after it.
pub const TOKEN_WINDOW_MS: Millis = 5 * 60 * 1000;

/// Calls of one push or pull (from the same principal, on the same repository) at most this far
/// apart belong together when nothing more precise (an upload id, a manifest) joins them.
pub const SESSION_GAP_MS: Millis = 10 * 60 * 1000;

/// An upload joins the `PutImage` whose manifest names its layer if that comes at most this long
/// after the upload completed (big layers over slow links take a while; then the image is put).
pub const UPLOAD_TO_PUT_MS: Millis = 60 * 60 * 1000;

/// Lifecycle events of one run (ECR splits runs of 10 or more images) are this close together.
pub const RUN_GAP_MS: Millis = 10 * 60 * 1000;

/// A push of a tag: (time, digest, `PutImage` row).
pub type TagPush = (Millis, Sym, Row);

/// Index of a repository in [`Index::repos`].
pub type RepoId = u32;

/// A repository: registry account, region, name, and whether it is in the account's public
/// registry (ECR Public, `public.ecr.aws`), where a repository may share a private one's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoKey {
    /// The registry's account.
    pub registry: Sym,
    /// Region.
    pub region: Sym,
    /// Name.
    pub name: Sym,
    /// An ECR Public repository: anyone can pull its images.
    pub public: bool,
}

/// One layer upload (`InitiateLayerUpload`, `UploadLayerPart`*, `CompleteLayerUpload`).
#[derive(Debug, Clone)]
pub struct Upload {
    /// `uploadId`.
    pub id: Sym,
    /// The layer it became (empty if it never completed).
    pub digest: Sym,
    /// Bytes sent in parts.
    pub bytes: u64,
    /// `UploadLayerPart` calls.
    pub parts: u32,
    /// Who.
    pub actor: u32,
    /// Where.
    pub repo: RepoId,
    /// First call.
    pub start: Millis,
    /// Last call.
    pub end: Millis,
}

/// A push session.
#[derive(Debug, Clone)]
pub struct Push {
    /// Where.
    pub repo: RepoId,
    /// Who (identity number).
    pub actor: u32,
    /// The `PutImage`, when there is one.
    pub put: Option<Row>,
    /// Tag pushed.
    pub tag: Sym,
    /// Image digest.
    pub digest: Sym,
    /// Manifest media type.
    pub media_type: Sym,
    /// Manifest entries (facts arena).
    pub entries: Span,
    /// Uploads it made.
    pub uploads: Vec<Upload>,
    /// Every call, in time order.
    pub rows: Vec<Row>,
    /// First call.
    pub start: Millis,
    /// Last call.
    pub end: Millis,
    /// What happened.
    pub outcome: Outcome,
    /// The manifest was pushed to this repository before (in these logs).
    pub retag: bool,
    /// The image its tag named until it, and that image's `PutImage` (the tag's previous push in
    /// these logs was of another image, not expired or deleted since): this push moved the tag.
    pub moved_from: Option<(Sym, Row)>,
}

/// A pull session.
#[derive(Debug, Clone)]
pub struct Pull {
    /// Where.
    pub repo: RepoId,
    /// Who.
    pub actor: u32,
    /// The `BatchGetImage`, when there is one.
    pub get: Option<Row>,
    /// Requested ids (facts arena).
    pub ids: Span,
    /// For each requested id, the digest it meant (empty when unknown).
    pub resolved: Vec<Sym>,
    /// `GetDownloadUrlForLayer` calls.
    pub layers: u32,
    /// Every call, in time order.
    pub rows: Vec<Row>,
    /// First call.
    pub start: Millis,
    /// Last call.
    pub end: Millis,
    /// What happened.
    pub outcome: Outcome,
}

impl Pull {
    /// The images it fetched, each once (a request may name one image by tag and by digest).
    pub fn images(&self) -> Vec<Sym> {
        let mut digests = self.resolved.clone();
        digests.sort_unstable();
        digests.dedup();
        digests
    }
}

/// A lifecycle run (or preview).
#[derive(Debug, Clone)]
pub struct Run {
    /// Where.
    pub repo: RepoId,
    /// A `DryRunEvent`.
    pub preview: bool,
    /// `policyId`.
    pub policy: Sym,
    /// `policyVersion`.
    pub version: u32,
    /// The rules (facts arena, from the first event).
    pub rules: Span,
    /// Images, each once.
    pub images: Vec<ExpiredImage>,
    /// Failure entries.
    pub failures: u32,
    /// The events.
    pub rows: Vec<Row>,
    /// First event.
    pub start: Millis,
    /// Last event.
    pub end: Millis,
}

/// Everything joined, for one state of the store.
#[derive(Default)]
pub struct Index {
    /// Repositories, by [`RepoId`].
    pub repos: Vec<RepoKey>,
    repo_ids: HashMap<RepoKey, RepoId>,
    /// ECR Public's event source, when the store holds it.
    public_source: Option<Sym>,
    /// Push sessions, oldest first.
    pub pushes: Vec<Push>,
    /// Pull sessions, oldest first.
    pub pulls: Vec<Pull>,
    /// Lifecycle runs and previews, oldest first.
    pub runs: Vec<Run>,
    /// Repository changes: creation, deletion, settings, KMS grants, image deletions (oldest first).
    pub repo_events: Vec<(RepoId, Row)>,
    /// Changes to a registry as a whole (its policy, replication, pull-through cache rules,
    /// scanning, creation templates, account settings), oldest first.
    pub registry_events: Vec<Row>,
    /// ECS task definitions, services and tasks (rows, oldest first).
    pub ecs: Vec<Row>,
    /// Image Builder writes (rows, oldest first).
    pub builder: Vec<Row>,
    /// Other services' writes that name ECR images (`SageMaker` models, Batch job definitions,
    /// `CodeBuild` projects...), rows oldest first.
    pub uses: Vec<Row>,
    /// The same rows in row order, to search by row: they are few.
    pub uses_by_row: Vec<Row>,
    /// The changes that turned a registry's protection down, or tried to, oldest first
    /// (see [`guards`]).
    pub lowerings: Vec<guards::Lowering>,
    /// (repository, tag) → successful pushes of that tag: (time, digest, `PutImage` row), oldest first.
    tags: HashMap<(RepoId, Sym), Vec<TagPush>>,
    /// (repository, digest) → manifest entries from its first successful push.
    manifests: HashMap<(RepoId, Sym), (Span, Sym)>,
    /// (account, region, family) → registered revisions: (revision, row), by revision.
    taskdefs: HashMap<(Sym, Sym, Sym), Vec<(u32, Row)>>,
}

impl Index {
    /// The images of repository `id` that `BatchDeleteImage` row `r` deleted: the digests its
    /// response lists, else those it asked for (a tag stands for the image it named then).
    pub fn deleted(&self, store: &Store, id: RepoId, r: Row) -> Vec<Sym> {
        pages::deleted(self, store, id, r).collect()
    }

    /// Joins every container fact of `store`.
    pub fn build(store: &Store) -> Index {
        let mut ix = Index { public_source: store.strings.lookup(PUBLIC_SOURCE), ..Index::default() };
        let mut parts = push::Parts::default();
        let mut urls = Vec::new();
        let mut auth = Vec::new();
        let mut lifecycle_facts = Vec::new();
        for f in store.container.all() {
            let r = f.row;
            let repo = ix.repo_of(store, f.registry, f.repo, r);
            match (f.kind, repo) {
                (Kind::AuthToken, _) => auth.push(r),
                (Kind::GetImage { ids }, Some(repo)) => ix.pulls.push(pull::from_get(store, repo, r, ids)),
                (Kind::LayerUrl { digest }, Some(repo)) => urls.push((repo, r, digest)),
                (Kind::Lifecycle { .. }, Some(repo)) => lifecycle_facts.push((repo, f)),
                (
                    Kind::RepoCreated { .. }
                    | Kind::RepoDeleted { .. }
                    | Kind::RepoChange { .. }
                    | Kind::KmsGrant { .. }
                    | Kind::DeleteImages { .. },
                    Some(repo),
                ) => ix.repo_events.push((repo, r)),
                (Kind::RepoChange { .. }, None) => ix.registry_events.push(r),
                (Kind::TaskDef { family, revision, .. }, _) => {
                    ix.ecs.push(r);
                    if !family.is_empty() && store.error_code(r).is_empty() {
                        let key = (store.account(r), store.region(r), family);
                        ix.taskdefs.entry(key).or_default().push((revision, r));
                    }
                }
                (
                    Kind::Service { .. }
                    | Kind::Task { .. }
                    | Kind::TaskCall { .. }
                    | Kind::Cluster { .. }
                    | Kind::TaskDefGone { .. },
                    _,
                ) => ix.ecs.push(r),
                (Kind::Builder { .. }, _) => ix.builder.push(r),
                (Kind::ImageUse { .. }, _) => ix.uses.push(r),
                (_, Some(repo)) => parts.add(store, repo, &f),
                _ => {}
            }
        }
        for v in ix.taskdefs.values_mut() {
            v.sort_unstable();
        }
        // Facts come in row order, which is file order: lists want time order.
        sort_rows(store, &mut ix.ecs);
        sort_rows(store, &mut ix.builder);
        ix.uses_by_row.clone_from(&ix.uses);
        ix.uses_by_row.sort_unstable();
        sort_rows(store, &mut ix.uses);
        sort_rows(store, &mut ix.registry_events);
        ix.repo_events.sort_unstable_by_key(|&(repo, r)| (store.time(r), r, repo));
        ix.pushes = parts.into_pushes(store);
        ix.index_images(store);
        pull::resolve(&mut ix, store, urls);
        attach_tokens(&mut ix, store, auth);
        ix.runs = lifecycle::runs(store, lifecycle_facts);
        ix.mark_tag_moves(store);
        ix.lowerings = guards::lowerings(&ix, store);
        ix
    }

    /// The repository a fact names, registering it.
    fn repo_of(&mut self, store: &Store, registry: Sym, name: Sym, r: Row) -> Option<RepoId> {
        if name.is_empty() {
            return None;
        }
        let registry = if registry.is_empty() { store.account(r) } else { registry };
        let public = self.public_source.is_some_and(|p| store.source(r) == p);
        let key = RepoKey { registry, region: store.region(r), name, public };
        let next = self.repos.len() as RepoId;
        let id = *self.repo_ids.entry(key).or_insert(next);
        if id == next {
            self.repos.push(key);
        }
        Some(id)
    }

    /// The id of a repository given as text, if the logs know it.
    pub fn find_repo(&self, store: &Store, r: &RepoRef) -> Option<RepoId> {
        let sym = |s: &str| store.strings.lookup(s);
        let key =
            RepoKey { registry: sym(&r.registry)?, region: sym(&r.region)?, name: sym(&r.name)?, public: r.public };
        self.repo_ids.get(&key).copied()
    }

    /// A repository as text.
    pub fn repo_ref(&self, store: &Store, id: RepoId) -> RepoRef {
        let k = self.repos[id as usize];
        RepoRef {
            registry: store.str(k.registry).into_owned(),
            region: store.str(k.region).into_owned(),
            name: store.str(k.name).into_owned(),
            public: k.public,
        }
    }

    /// The repository and image an event belongs to, for the links in its detail: the push or pull
    /// session it is part of names both; a lifecycle run or a repository change names the repository.
    /// A pull of several images names none of them. An ECS call or another service's write that
    /// uses ECR images names the image when it uses one, the repository when they are all of one.
    pub fn belongs(&self, store: &Store, row: Row) -> (Option<RepoRef>, Option<ImageRef>) {
        let image = |repo: RepoId, digest: Sym| {
            let repo = self.repo_ref(store, repo);
            let image =
                (!digest.is_empty()).then(|| ImageRef { repo: repo.clone(), digest: store.str(digest).into_owned() });
            (Some(repo), image)
        };
        if let Some(p) = self.pushes.iter().find(|p| p.rows.contains(&row)) {
            return image(p.repo, if p.outcome == Outcome::Ok { p.digest } else { Sym::default() });
        }
        if let Some(p) = self.pulls.iter().find(|p| p.rows.contains(&row)) {
            let mut digests = p.resolved.iter().filter(|d| !d.is_empty());
            let one = match (digests.next(), digests.next()) {
                (Some(&d), None) => d,
                _ => Sym::default(),
            };
            return image(p.repo, one);
        }
        let used = if self.ecs.contains(&row) {
            ecs::item(self, store, row).map(|i| i.images)
        } else if self.uses_by_row.binary_search(&row).is_ok() {
            ecs::use_item(self, store, row).map(|u| u.images)
        } else {
            None
        };
        if let Some(images) = used {
            let ecr: Vec<&report::ImageUse> = images.iter().filter(|i| i.repo.is_some()).collect();
            let repo =
                ecr.first().and_then(|i| i.repo.clone()).filter(|r| ecr.iter().all(|i| i.repo.as_ref() == Some(r)));
            let image = match ecr[..] {
                [one] if !one.digest.is_empty() => {
                    repo.clone().map(|repo| ImageRef { repo, digest: one.digest.clone() })
                }
                _ => None,
            };
            return (repo, image);
        }
        let repo = self
            .runs
            .iter()
            .find(|r| r.rows.contains(&row))
            .map(|r| r.repo)
            .or_else(|| self.repo_events.iter().find(|&&(_, r)| r == row).map(|&(repo, _)| repo));
        (repo.map(|id| self.repo_ref(store, id)), None)
    }

    /// Tag history and first manifests from the successful pushes; marks re-pushes of a manifest.
    fn index_images(&mut self, store: &Store) {
        for p in &mut self.pushes {
            if p.outcome != Outcome::Ok || p.digest.is_empty() {
                continue;
            }
            if let (false, Some(put)) = (p.tag.is_empty(), p.put) {
                self.tags.entry((p.repo, p.tag)).or_default().push((store.time(put), p.digest, put));
            }
            let first = !self.manifests.contains_key(&(p.repo, p.digest));
            if first {
                self.manifests.insert((p.repo, p.digest), (p.entries, p.media_type));
            } else {
                p.retag = true;
            }
        }
        for v in self.tags.values_mut() {
            v.sort_unstable();
        }
    }

    /// Marks the pushes that moved their tag: the tag's push before it (in time) was of another
    /// image, which was still there (not expired by a lifecycle run, nor deleted, in between: the
    /// tag went with it, and named nothing).
    fn mark_tag_moves(&mut self, store: &Store) {
        let removed = self.removals(store);
        let mut moved: HashMap<Row, (Sym, Row)> = HashMap::new();
        for (&(repo, _), v) in &self.tags {
            for w in v.windows(2) {
                let ((since, before, first), (until, after, put)) = (w[0], w[1]);
                let gone =
                    removed.get(&(repo, before)).is_some_and(|ts| ts.iter().any(|t| (since..=until).contains(t)));
                if before != after && !gone {
                    moved.insert(put, (before, first));
                }
            }
        }
        for p in &mut self.pushes {
            p.moved_from = p.put.and_then(|put| moved.get(&put).copied());
        }
    }

    /// When each image was removed from its repository, by (repository, digest): expired by a
    /// lifecycle run (not a preview), or deleted by a `BatchDeleteImage` that went through.
    fn removals(&self, store: &Store) -> HashMap<(RepoId, Sym), Vec<Millis>> {
        let mut out: HashMap<(RepoId, Sym), Vec<Millis>> = HashMap::new();
        for run in self.runs.iter().filter(|r| !r.preview) {
            for i in &run.images {
                out.entry((run.repo, i.digest)).or_default().push(run.start);
            }
        }
        for &(repo, r) in self.repo_events.iter().filter(|&&(_, r)| store.error_code(r).is_empty()) {
            for d in pages::deleted(self, store, repo, r) {
                out.entry((repo, d)).or_default().push(store.time(r));
            }
        }
        out
    }

    /// The digest `tag` pointed to in `repo` at time `t` (the latest push of it at or before `t`).
    pub fn tag_at(&self, repo: RepoId, tag: Sym, t: Millis) -> Option<Sym> {
        let v = self.tags.get(&(repo, tag))?;
        let i = v.partition_point(|&(time, _, _)| time <= t);
        (i > 0).then(|| v[i - 1].1)
    }

    /// Repositories other than `repo` whose pushes include `digest`.
    pub fn repos_with(&self, digest: Sym, except: RepoId) -> Vec<RepoId> {
        let mut v: Vec<RepoId> =
            self.manifests.keys().filter(|&&(r, d)| d == digest && r != except).map(|&(r, _)| r).collect();
        v.sort_unstable();
        v
    }

    /// Manifest entries of an image, from its first push in these logs.
    pub fn manifest(&self, repo: RepoId, digest: Sym) -> Option<(Span, Sym)> {
        self.manifests.get(&(repo, digest)).copied()
    }

    /// The registrations that went through of task definition family `family` in
    /// `account`/`region`: (revision, row), by revision.
    pub fn registrations(&self, account: Sym, region: Sym, family: Sym) -> &[(u32, Row)] {
        self.taskdefs.get(&(account, region, family)).map_or(&[], Vec::as_slice)
    }

    /// The row of task definition `family:revision` in `account`/`region` (revision 0: the latest
    /// registered at or before `t`).
    pub fn task_def(
        &self,
        account: Sym,
        region: Sym,
        family: Sym,
        revision: u32,
        t: Millis,
        store: &Store,
    ) -> Option<Row> {
        let v = self.taskdefs.get(&(account, region, family))?;
        if revision == 0 {
            v.iter().rev().find(|&&(_, r)| store.time(r) <= t).map(|&(_, r)| r)
        } else {
            v.iter().find(|&&(rev, _)| rev == revision).map(|&(_, r)| r)
        }
    }

    /// Headline figures over what `c` keeps.
    pub fn headline(&self, store: &Store, c: &Compiled) -> Headline {
        let mut h = Headline::default();
        let any = |rows: &[Row]| rows.iter().any(|&r| c.keeps(r));
        let mut repos = vec![false; self.repos.len()];
        let mut images = hashbrown::HashSet::new();
        for p in self.pushes.iter().filter(|p| any(&p.rows)) {
            repos[p.repo as usize] = true;
            match p.outcome {
                Outcome::Ok => {
                    h.pushes += 1;
                    h.tag_moves += u64::from(p.moved_from.is_some());
                    h.public_pushes += u64::from(self.repos[p.repo as usize].public);
                    images.insert((p.repo, p.digest));
                }
                Outcome::Failed => {
                    h.failed_pushes += 1;
                    h.failed_pushes_denied += u64::from(refusal(store, &p.rows) == Refusal::Denied);
                }
                Outcome::Incomplete => h.incomplete_pushes += 1,
            }
        }
        for p in self.pulls.iter().filter(|p| any(&p.rows)) {
            repos[p.repo as usize] = true;
            if p.outcome == Outcome::Failed {
                h.failed_pulls += 1;
                match refusal(store, &p.rows) {
                    Refusal::Denied => h.failed_pulls_denied += 1,
                    Refusal::NotFound => h.failed_pulls_not_found += 1,
                    Refusal::Other => {}
                }
            } else {
                h.pulls += 1;
                h.incomplete_pulls += u64::from(p.outcome == Outcome::Incomplete);
                let owner = self.repos[p.repo as usize].registry;
                if who_is_cross_account(store, p.rows[0], owner) {
                    h.cross_account_pulls += 1;
                }
            }
        }
        for run in self.runs.iter().filter(|r| any(&r.rows)) {
            repos[run.repo as usize] = true;
            if run.preview {
                h.lifecycle_previews += 1;
            } else {
                h.lifecycle_runs += 1;
                h.expired_images += run.images.len() as u64;
            }
        }
        for &(repo, r) in &self.repo_events {
            if c.keeps(r) {
                repos[repo as usize] = true;
            }
        }
        for &r in self.registry_events.iter().filter(|&&r| c.keeps(r)) {
            h.registry_changes += 1;
            if store.error_code(r).is_empty()
                && matches!(store.container.get(r).map(|f| f.kind), Some(Kind::RepoChange { exposure, .. }) if exposure > Exposure::Own)
            {
                h.registry_opened += 1;
            }
        }
        for &r in self.ecs.iter().filter(|&&r| c.keeps(r)) {
            h.ecs_calls += 1;
            if !store.error_code(r).is_empty() {
                h.ecs_refused += 1;
                continue;
            }
            match store.container.get(r).map(|f| f.kind) {
                Some(Kind::TaskDef { .. }) => h.task_definitions += 1,
                Some(Kind::Service { deploys: true, .. } | Kind::Task { .. }) => h.deployments += 1,
                _ => {}
            }
        }
        h.image_uses = self.uses.iter().filter(|&&r| c.keeps(r)).count() as u64;
        for &r in self.builder.iter().filter(|&&r| c.keeps(r)) {
            match store.container.get(r).map(|f| f.kind) {
                Some(Kind::Builder { build_version, .. })
                    if !build_version.is_empty() || store.str(store.name(r)) == "StartImagePipelineExecution" =>
                {
                    h.builder_executions += 1;
                }
                _ => h.builder_changes += 1,
            }
        }
        h.repositories = repos.iter().filter(|&&k| k).count() as u64;
        h.images = images.iter().filter(|(_, d)| !d.is_empty()).count() as u64;
        h
    }
}

/// Whether the caller of row `r` is from another account than `owner`.
fn who_is_cross_account(store: &Store, r: Row, owner: Sym) -> bool {
    let id = store.identity(r);
    let account = if id.account_id.is_empty() { id.issuer_account } else { id.account_id };
    !account.is_empty() && account != owner
}

/// Gives each session the `GetAuthorizationToken` that opened it: the latest token call of the same
/// principal at most [`TOKEN_WINDOW_MS`] before the session starts, if no earlier session took it.
fn attach_tokens(ix: &mut Index, store: &Store, mut auth: Vec<Row>) {
    auth.sort_by_key(|&r| (store.identity_id(r), store.time(r), r));
    // (actor, start, is_push, index), sessions in start order per actor.
    let mut sessions: Vec<(u32, Millis, bool, usize)> = ix
        .pushes
        .iter()
        .enumerate()
        .map(|(i, p)| (p.actor, p.start, true, i))
        .chain(ix.pulls.iter().enumerate().map(|(i, p)| (p.actor, p.start, false, i)))
        .collect();
    sessions.sort_unstable();
    let mut taken = vec![false; auth.len()];
    for (actor, start, is_push, i) in sessions {
        // The latest token call of this actor at or before the start.
        let hi = auth.partition_point(|&r| (store.identity_id(r), store.time(r)) <= (actor, start));
        if hi == 0 {
            continue;
        }
        let t = auth[hi - 1];
        if store.identity_id(t) != actor || start - store.time(t) > TOKEN_WINDOW_MS || taken[hi - 1] {
            continue;
        }
        taken[hi - 1] = true;
        let (rows, first) = if is_push {
            let p = &mut ix.pushes[i];
            (&mut p.rows, &mut p.start)
        } else {
            let p = &mut ix.pulls[i];
            (&mut p.rows, &mut p.start)
        };
        rows.insert(0, t);
        *first = (*first).min(store.time(t));
    }
}

/// Sorts rows by time, then row number.
fn sort_rows(store: &Store, rows: &mut [Row]) {
    rows.sort_unstable_by_key(|&r| (store.time(r), r));
}

/// The first error among `rows`.
fn first_error(store: &Store, rows: &[Row]) -> Option<Row> {
    rows.iter().copied().find(|&r| !store.error_code(r).is_empty())
}

/// Why a push or a pull was refused, by its first error's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// For want of permission: `AccessDenied`, `AccessDeniedException`, `Client.UnauthorizedOperation`.
    Denied,
    /// A repository, image or layer that does not exist: `RepositoryNotFoundException`,
    /// `ImageNotFoundException`, `LayersNotFoundException`.
    NotFound,
    /// Anything else (a throttle, a limit, a bad request).
    Other,
}

fn refusal(store: &Store, rows: &[Row]) -> Refusal {
    let Some(r) = first_error(store, rows) else { return Refusal::Other };
    let code = store.str(store.error_code(r));
    if code.contains("AccessDenied") || code.ends_with("UnauthorizedOperation") {
        Refusal::Denied
    } else if code.ends_with("NotFoundException") {
        Refusal::NotFound
    } else {
        Refusal::Other
    }
}

/// What to ask about the container story.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Ask {
    /// Headline figures.
    Headline,
    /// Pushes, newest first; `keep` says which.
    Pushes {
        /// First item.
        offset: u32,
        /// Which pushes.
        keep: nav::PushKeep,
    },
    /// Pulls, newest first.
    Pulls {
        /// First item.
        offset: u32,
        /// Only pulls with this outcome.
        outcome: Option<Outcome>,
    },
    /// Lifecycle runs and previews, newest first.
    Lifecycle {
        /// First item.
        offset: u32,
    },
    /// Repositories, most active first.
    Repositories {
        /// First item.
        offset: u32,
    },
    /// One repository.
    Repository(RepoRef),
    /// One image.
    Image(ImageRef),
    /// ECS task definitions, services and tasks, newest first.
    Deployments {
        /// First item.
        offset: u32,
    },
    /// Other services' writes that name ECR images, newest first.
    Uses {
        /// First item.
        offset: u32,
    },
    /// Image Builder executions and changes, newest first.
    ImageBuilder {
        /// First item.
        offset: u32,
    },
    /// Changes to registries as a whole, newest first.
    Registry {
        /// First item.
        offset: u32,
    },
}

/// The question, with the filter every view follows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContainerQuery {
    /// The filter.
    pub filter: Filter,
    /// What to ask.
    pub ask: Ask,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContainerAnswer {
    /// For [`Ask::Headline`].
    Headline(Headline),
    /// For [`Ask::Pushes`].
    Pushes(report::ListPage<report::PushItem>),
    /// For [`Ask::Pulls`].
    Pulls(report::ListPage<report::PullItem>),
    /// For [`Ask::Lifecycle`].
    Lifecycle(report::ListPage<report::RunItem>),
    /// For [`Ask::Repositories`].
    Repositories(report::ListPage<report::RepoSummary>),
    /// For [`Ask::Repository`]; `None` when the logs do not know it.
    Repository(Option<Box<report::RepoPage>>),
    /// For [`Ask::Image`]; `None` when the logs do not know it.
    Image(Option<Box<report::ImagePage>>),
    /// For [`Ask::Deployments`].
    Deployments(report::ListPage<report::EcsItem>),
    /// For [`Ask::Uses`].
    Uses(report::ListPage<report::UseItem>),
    /// For [`Ask::ImageBuilder`].
    ImageBuilder(report::ListPage<report::BuilderItem>),
    /// For [`Ask::Registry`].
    Registry(report::ListPage<report::RegistryChange>),
}

/// The index for the store's current state, rebuilt only when events were added or changed in place.
#[derive(Default)]
pub struct Cache(RefCell<Option<(crate::store::Version, Rc<Index>)>>);

impl Cache {
    /// The index of `store`, built or reused.
    pub fn get(&self, store: &Store) -> Rc<Index> {
        let mut slot = self.0.borrow_mut();
        match slot.as_ref() {
            Some((version, ix)) if *version == store.version() => ix.clone(),
            _ => {
                let ix = Rc::new(Index::build(store));
                *slot = Some((store.version(), ix.clone()));
                ix
            }
        }
    }
}

#[cfg(test)]
mod tests;
