//! Push sessions: uploads joined by `uploadId`, then to the `PutImage` whose manifest names their
//! layer; layer checks likewise; what no image claims becomes a failed or incomplete push.

use hashbrown::HashMap;

use super::{first_error, sort_rows, Push, RepoId, Upload, SESSION_GAP_MS, UPLOAD_TO_PUT_MS};
use crate::analysis::container::report::Outcome;
use crate::facts::container::{EntryKind, Fact, Kind, Span};
use crate::model::{Millis, Sym};
use crate::store::{Row, Store};

/// The push-side calls, as collected from the facts.
#[derive(Default)]
pub(super) struct Parts {
    puts: Vec<(RepoId, Fact)>,
    /// Each upload with its calls, which join its push's [`Push::rows`] (an upload keeps none of its
    /// own: they were a second copy of a push's calls in the finished index).
    uploads: Vec<(Upload, Vec<Row>)>,
    /// Where each upload id is in `uploads`. A map holding the uploads themselves had to be
    /// collected into a list to be sorted, and held both at once.
    upload_ids: HashMap<(RepoId, Sym), u32>,
    /// Calls no upload id ties to anything: a refused `InitiateLayerUpload`, parts without an id.
    loose: Vec<(RepoId, Row)>,
    checks: Vec<(RepoId, Row, Span)>,
}

/// Something not claimed by a `PutImage`, waiting to be grouped.
struct Leftover {
    repo: RepoId,
    actor: u32,
    start: Millis,
    end: Millis,
    rows: Vec<Row>,
    upload: Option<Upload>,
    /// A write or an error: enough to call it a push attempt.
    attempt: bool,
}

impl Parts {
    /// Takes one push-side fact.
    pub(super) fn add(&mut self, store: &Store, repo: RepoId, f: &Fact) {
        let r = f.row;
        let upload = match f.kind {
            Kind::PutImage { .. } => {
                self.puts.push((repo, *f));
                return;
            }
            Kind::LayerCheck { digests } => {
                self.checks.push((repo, r, digests));
                return;
            }
            Kind::UploadStart { upload, .. } | Kind::UploadPart { upload, .. } | Kind::UploadDone { upload, .. } => {
                upload
            }
            _ => return,
        };
        if upload.is_empty() {
            self.loose.push((repo, r));
            return;
        }
        let t = store.time(r);
        let next = self.uploads.len() as u32;
        let i = *self.upload_ids.entry((repo, upload)).or_insert(next);
        if i == next {
            let u = Upload {
                id: upload,
                digest: Sym::EMPTY,
                bytes: 0,
                parts: 0,
                actor: store.identity_id(r),
                repo,
                start: t,
                end: t,
            };
            self.uploads.push((u, Vec::new()));
        }
        let (u, rows) = &mut self.uploads[i as usize];
        rows.push(r);
        u.start = u.start.min(t);
        u.end = u.end.max(t);
        match f.kind {
            Kind::UploadPart { first, last, .. } => {
                u.parts += 1;
                if first != u64::MAX && last != u64::MAX && last >= first {
                    u.bytes = u.bytes.saturating_add(last - first + 1);
                }
            }
            Kind::UploadDone { digest, .. } if !digest.is_empty() => u.digest = digest,
            _ => {}
        }
    }

    /// Builds the push sessions.
    pub(super) fn into_pushes(self, store: &Store) -> Vec<Push> {
        let Parts { mut puts, mut uploads, upload_ids, loose, mut checks } = self;
        drop(upload_ids);
        puts.sort_by_key(|(_, f)| (store.time(f.row), f.row));
        let mut pushes: Vec<Push> = puts.iter().map(|&(repo, f)| from_put(store, repo, f)).collect();
        let layers = Layers::of(store, &pushes);
        let mut by_actor: HashMap<(RepoId, u32), Vec<usize>> = HashMap::new();
        for (i, p) in pushes.iter().enumerate() {
            by_actor.entry((p.repo, p.actor)).or_default().push(i);
        }
        let mut leftovers = Vec::new();

        uploads.sort_unstable_by_key(|(u, rows)| (u.start, rows[0]));
        // Their calls are sorted with the rest of their push's, in `finish`.
        for (u, rows) in uploads {
            let by_layer = (!u.digest.is_empty())
                .then(|| claim(&pushes, layers.get(u.repo, u.digest), u.actor, u.end, UPLOAD_TO_PUT_MS))
                .flatten();
            // No manifest names it: the next push of the same principal, if its manifest is unknown
            // or the upload never completed (a retried upload belongs to the push that retried it).
            let target = by_layer.or_else(|| {
                next_push(&pushes, by_actor.get(&(u.repo, u.actor)), u.end)
                    .filter(|&i| u.digest.is_empty() || pushes[i].entries.len == 0)
            });
            match target {
                Some(i) => {
                    pushes[i].uploads.push(u);
                    pushes[i].rows.extend(rows);
                }
                None => leftovers.push(Leftover {
                    repo: u.repo,
                    actor: u.actor,
                    start: u.start,
                    end: u.end,
                    rows,
                    upload: Some(u),
                    attempt: true,
                }),
            }
        }

        checks.sort_by_key(|&(_, r, _)| (store.time(r), r));
        for (repo, r, digests) in checks {
            let (t, actor) = (store.time(r), store.identity_id(r));
            // The push whose manifest names most of the layers asked about (concurrent pushes of
            // images that share a base layer both name that one).
            let mut hits: HashMap<usize, u32> = HashMap::new();
            for d in store.container.syms(digests) {
                for i in layers.get(repo, *d) {
                    if pushes[i].start >= t && pushes[i].start - t <= UPLOAD_TO_PUT_MS {
                        *hits.entry(i).or_default() += 1;
                    }
                }
            }
            let by_layer = hits
                .into_iter()
                .min_by_key(|&(i, n)| (std::cmp::Reverse(n), pushes[i].actor != actor, pushes[i].start, i))
                .map(|(i, _)| i);
            match by_layer.or_else(|| next_push(&pushes, by_actor.get(&(repo, actor)), t)) {
                Some(i) => pushes[i].rows.push(r),
                None => leftovers.push(loose_call(store, repo, r)),
            }
        }
        leftovers.extend(loose.into_iter().map(|(repo, r)| loose_call(store, repo, r)));

        for p in &mut pushes {
            finish(store, p);
        }
        pushes.extend(group_leftovers(store, leftovers));
        pushes.sort_unstable_by_key(|p| (p.start, p.rows[0]));
        pushes
    }
}

fn from_put(store: &Store, repo: RepoId, f: Fact) -> Push {
    let r = f.row;
    let (tag, digest, media_type, entries) = match f.kind {
        Kind::PutImage { tag, digest, media_type, entries } => (tag, digest, media_type, entries),
        _ => (Sym::EMPTY, Sym::EMPTY, Sym::EMPTY, Span::default()),
    };
    let failed = !store.error_code(r).is_empty();
    Push {
        repo,
        actor: store.identity_id(r),
        put: Some(r),
        tag,
        digest,
        media_type,
        entries,
        uploads: Vec::new(),
        rows: vec![r],
        start: store.time(r),
        end: store.time(r),
        outcome: if failed { Outcome::Failed } else { Outcome::Ok },
        retag: false,
        moved_from: None,
    }
}

/// For each layer or config blob a push's manifest names: (repository, blob digest, push), sorted, so
/// the pushes naming one blob are a run, oldest first. It was a map from each blob to a list of
/// pushes: a list for each of a load's hundred thousand layers, most named by one push. Without it,
/// the index's peak while building fell from 47.7 to 39.5 bytes per event (300,000 generated events).
struct Layers(Vec<(RepoId, Sym, u32)>);

impl Layers {
    fn of(store: &Store, pushes: &[Push]) -> Layers {
        let mut v = Vec::new();
        for (i, p) in pushes.iter().enumerate() {
            for e in store.container.entries(p.entries) {
                if e.kind != EntryKind::Manifest {
                    v.push((p.repo, e.digest, i as u32));
                }
            }
        }
        // A manifest may name a blob twice: the push is listed once.
        v.sort_unstable();
        v.dedup();
        Layers(v)
    }

    /// The pushes (indexes into `pushes`, oldest first) whose manifest names `digest` in `repo`.
    fn get(&self, repo: RepoId, digest: Sym) -> impl Iterator<Item = usize> + '_ {
        let from = self.0.partition_point(|&(r, d, _)| (r, d) < (repo, digest));
        self.0[from..].iter().take_while(move |&&(r, d, _)| (r, d) == (repo, digest)).map(|&(_, _, i)| i as usize)
    }
}

/// Among `candidates`, the push at or after `t` (within `window`) that the same principal made, else
/// anyone's; the earliest such.
fn claim(
    pushes: &[Push],
    candidates: impl Iterator<Item = usize>,
    actor: u32,
    t: Millis,
    window: Millis,
) -> Option<usize> {
    candidates
        .filter(|&i| pushes[i].start >= t && pushes[i].start - t <= window)
        .min_by_key(|&i| (pushes[i].actor != actor, pushes[i].start, i))
}

/// The first of `mine` (one principal's pushes to one repository, oldest first) at or after `t`,
/// within [`SESSION_GAP_MS`].
fn next_push(pushes: &[Push], mine: Option<&Vec<usize>>, t: Millis) -> Option<usize> {
    mine?.iter().copied().find(|&i| pushes[i].start >= t).filter(|&i| pushes[i].start - t <= SESSION_GAP_MS)
}

fn loose_call(store: &Store, repo: RepoId, r: Row) -> Leftover {
    let t = store.time(r);
    let write = !matches!(store.container.get(r).map(|f| f.kind), Some(Kind::LayerCheck { .. }));
    Leftover {
        repo,
        actor: store.identity_id(r),
        start: t,
        end: t,
        rows: vec![r],
        upload: None,
        attempt: write || !store.error_code(r).is_empty(),
    }
}

/// Groups what no image claimed by repository and principal, split where calls are more than
/// [`SESSION_GAP_MS`] apart. A group with a write or an error is a failed (any error) or incomplete
/// push; a group of layer checks alone is not a push.
fn group_leftovers(store: &Store, mut items: Vec<Leftover>) -> Vec<Push> {
    items.sort_by_key(|l| (l.repo, l.actor, l.start));
    let mut out = Vec::new();
    let mut current: Option<(Push, bool)> = None;
    for l in items {
        let joins = current.as_ref().is_some_and(|(p, _)| {
            p.repo == l.repo && p.actor == l.actor && l.start <= p.end.saturating_add(SESSION_GAP_MS)
        });
        if !joins {
            out.extend(current.take());
            current = Some((empty_push(l.repo, l.actor, l.start), false));
        }
        if let Some((p, attempt)) = current.as_mut() {
            p.end = p.end.max(l.end);
            p.rows.extend(l.rows);
            p.uploads.extend(l.upload);
            *attempt |= l.attempt;
        }
    }
    out.extend(current);
    out.into_iter()
        .filter(|(_, attempt)| *attempt)
        .map(|(mut p, _)| {
            finish(store, &mut p);
            p.outcome = if first_error(store, &p.rows).is_some() { Outcome::Failed } else { Outcome::Incomplete };
            p
        })
        .collect()
}

fn empty_push(repo: RepoId, actor: u32, t: Millis) -> Push {
    Push {
        repo,
        actor,
        put: None,
        tag: Sym::EMPTY,
        digest: Sym::EMPTY,
        media_type: Sym::EMPTY,
        entries: Span::default(),
        uploads: Vec::new(),
        rows: Vec::new(),
        start: t,
        end: t,
        outcome: Outcome::Incomplete,
        retag: false,
        moved_from: None,
    }
}

/// Sorts a push's calls and sets its span.
fn finish(store: &Store, p: &mut Push) {
    sort_rows(store, &mut p.rows);
    p.rows.dedup();
    if let (Some(&a), Some(&b)) = (p.rows.first(), p.rows.last()) {
        p.start = store.time(a);
        p.end = store.time(b);
    }
}
