//! Lifecycle runs: ECR logs one `PolicyExecutionEvent` per run, split into several when 10 or more
//! images expire. Events of the same repository, policy (id and version) and kind (run or
//! `DryRunEvent` preview) within [`RUN_GAP_MS`] of each other are one run.

use hashbrown::{HashMap, HashSet};

use super::report::{ImageUse, Outcome};
use super::{sort_rows, Index, RepoId, Run, RUN_GAP_MS};
use crate::facts::container::{Fact, Kind, Span};
use crate::model::{Millis, Sym};
use crate::store::{Row, Store};

/// An image pulled this long before a run expired it was in use.
pub const IN_USE: Millis = 7 * 86_400_000;

impl Index {
    /// The `PutLifecyclePolicy` that set the policy run `run` applied, when these logs hold it:
    /// the last of its repository's that went through before the run, unless a
    /// `DeleteLifecyclePolicy` came after it. None for a preview, which applies the policy a
    /// `StartLifecyclePolicyPreview` gave.
    pub fn policy_set(&self, store: &Store, run: &Run) -> Option<Row> {
        if run.preview {
            return None;
        }
        let (put, delete) = (store.strings.lookup("PutLifecyclePolicy"), store.strings.lookup("DeleteLifecyclePolicy"));
        let last = self
            .repo_events
            .iter()
            .filter(|&&(repo, r)| repo == run.repo && store.time(r) <= run.start && store.error_code(r).is_empty())
            .filter(|&&(_, r)| put.is_some_and(|n| n == store.name(r)) || delete.is_some_and(|n| n == store.name(r)))
            .max_by_key(|&&(_, r)| (store.time(r), r))?
            .1;
        put.is_some_and(|n| n == store.name(last)).then_some(last)
    }

    /// How often each image of repository `repo` was pulled (pulls that went through) in the
    /// [`IN_USE`] before `at`.
    pub fn pulled_before(&self, repo: RepoId, at: Millis) -> HashMap<Sym, u32> {
        let mut out: HashMap<Sym, u32> = HashMap::new();
        let recent = |p: &&super::Pull| p.start <= at && at - p.start <= IN_USE;
        for p in self.pulls.iter().filter(|p| p.repo == repo && p.outcome == Outcome::Ok).filter(recent) {
            for d in p.images() {
                *out.entry(d).or_default() += 1;
            }
        }
        out
    }
}

/// An ECS service, and the deployment of it that ran an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// Its cluster.
    pub cluster: Sym,
    /// Its name.
    pub service: Sym,
    /// The deployment (`CreateService`, or an `UpdateService` that started one): for a running
    /// service, its last.
    pub deployed: Row,
}

impl Index {
    /// The ECS services running at `at`, each with the images its last deployment before then in
    /// these logs (that went through) runs: named by digest, or by a tag resolved to the image it
    /// named then (ECS keeps running, and starting tasks from, the image a deployment resolved).
    /// A service deleted or scaled to no task since is not running; one started before the logs
    /// is not seen.
    pub fn running_at(&self, store: &Store, at: Millis) -> Vec<(Service, Vec<ImageUse>)> {
        // Account, region, cluster, service.
        type Key = (Sym, Sym, Sym, Sym);
        // Each service's last deployment, and whether it still runs.
        let mut last: HashMap<Key, (Option<Row>, bool)> = HashMap::new();
        let mut rows: Vec<Row> =
            self.ecs.iter().copied().filter(|&r| store.time(r) < at && store.error_code(r).is_empty()).collect();
        rows.sort_by_key(|&r| (store.time(r), r));
        let delete = store.strings.lookup("DeleteService");
        for r in rows {
            let Some(Kind::Service { cluster, service, family, desired, deploys, .. }) =
                store.container.get(r).map(|f| f.kind)
            else {
                continue;
            };
            let state = last.entry((store.account(r), store.region(r), cluster, service)).or_insert((None, false));
            if delete.is_some_and(|d| d == store.name(r)) {
                *state = (None, false);
            } else if deploys && !family.is_empty() {
                *state = (Some(r), desired != Some(0));
            } else if let Some(n) = desired {
                state.1 = n > 0;
            }
        }
        let mut out: Vec<(Service, Vec<ImageUse>)> = last
            .into_iter()
            .filter_map(|((_, _, cluster, service), (deployed, runs))| {
                let deployed = deployed.filter(|_| runs)?;
                let images = super::ecs::service_images(self, store, deployed);
                Some((Service { cluster, service, deployed }, images))
            })
            .collect();
        out.sort_by_key(|(s, _)| (store.time(s.deployed), s.deployed));
        out
    }

    /// Every ECS deployment (`CreateService`, or an `UpdateService` that started one: not a mere
    /// scaling) that went through, oldest first, each with the images it ran: by digest, or by a
    /// tag resolved to the image it named then.
    pub fn deployments(&self, store: &Store) -> Vec<(Service, Vec<ImageUse>)> {
        let mut out: Vec<(Service, Vec<ImageUse>)> = Vec::new();
        for &r in self.ecs.iter().filter(|&&r| store.error_code(r).is_empty()) {
            let Some(Kind::Service { cluster, service, family, deploys, .. }) = store.container.get(r).map(|f| f.kind)
            else {
                continue;
            };
            if deploys && !family.is_empty() {
                out.push((Service { cluster, service, deployed: r }, super::ecs::service_images(self, store, r)));
            }
        }
        out.sort_by_key(|(s, _)| (store.time(s.deployed), s.deployed));
        out
    }

    /// The services of `running` (as [`Index::running_at`] or [`Index::deployments`] give them)
    /// that run image `digest` of repository `repo`.
    pub fn with_image(
        &self,
        store: &Store,
        running: &[(Service, Vec<ImageUse>)],
        repo: RepoId,
        digest: Sym,
    ) -> Vec<Service> {
        let (wanted, text) = (self.repo_ref(store, repo), store.str(digest));
        running
            .iter()
            .filter(|(_, images)| images.iter().any(|u| u.repo.as_ref() == Some(&wanted) && u.digest == *text))
            .map(|&(s, _)| s)
            .collect()
    }
}

/// Joins lifecycle events into runs, oldest first.
pub(super) fn runs(store: &Store, mut facts: Vec<(RepoId, Fact)>) -> Vec<Run> {
    let key = |f: &Fact| match f.kind {
        Kind::Lifecycle { dry_run, policy, version, .. } => (dry_run, policy, version),
        _ => (false, Sym::EMPTY, 0),
    };
    facts.sort_by_key(|(repo, f)| (*repo, key(f), store.time(f.row), f.row));
    let mut out: Vec<Run> = Vec::new();
    let mut seen: HashSet<Sym> = HashSet::new();
    let mut last_key = None;
    for (repo, f) in facts {
        let Kind::Lifecycle { dry_run, policy, version, rules, images, failures } = f.kind else { continue };
        let t = store.time(f.row);
        let k = (repo, dry_run, policy, version);
        let joins = last_key == Some(k) && out.last().is_some_and(|run| t <= run.end + RUN_GAP_MS);
        if !joins {
            seen.clear();
            out.push(Run {
                repo,
                preview: dry_run,
                policy,
                version,
                rules: Span::default(),
                images: Vec::new(),
                failures: 0,
                rows: Vec::new(),
                start: t,
                end: t,
            });
            last_key = Some(k);
        }
        let Some(run) = out.last_mut() else { continue };
        run.rows.push(f.row);
        run.end = run.end.max(t);
        run.failures += u32::from(failures);
        if run.rules.len == 0 {
            run.rules = rules;
        }
        // A part delivered twice under two event ids still expires each image once.
        for img in store.container.expired(images) {
            if seen.insert(img.digest) {
                run.images.push(*img);
            }
        }
    }
    for run in &mut out {
        sort_rows(store, &mut run.rows);
    }
    out.sort_unstable_by_key(|r| (r.start, r.rows[0]));
    out
}
