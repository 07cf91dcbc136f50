//! Pull sessions: each `BatchGetImage`, the image it meant (a tag resolved through the pushes in
//! the logs), and the `GetDownloadUrlForLayer` calls of the same principal that followed it.

use hashbrown::HashMap;

use super::{sort_rows, Index, Pull, RepoId, SESSION_GAP_MS};
use crate::analysis::container::report::Outcome;
use crate::facts::container::Span;
use crate::model::Sym;
use crate::store::{Row, Store};

/// A pull from one `BatchGetImage`.
pub(super) fn from_get(store: &Store, repo: RepoId, r: Row, ids: Span) -> Pull {
    let failed = !store.error_code(r).is_empty();
    Pull {
        repo,
        actor: store.identity_id(r),
        get: Some(r),
        ids,
        resolved: Vec::new(),
        layers: 0,
        rows: vec![r],
        start: store.time(r),
        end: store.time(r),
        outcome: if failed { Outcome::Failed } else { Outcome::Ok },
    }
}

/// Whether an image id is a digest (`sha256:...`): tags cannot hold a `:`.
pub fn is_digest(id: &str) -> bool {
    id.contains(':')
}

/// Resolves what each pull asked for and gives it its layer downloads; downloads no pull explains
/// become pulls of their own (their `BatchGetImage` is not in these logs).
pub(super) fn resolve(ix: &mut Index, store: &Store, mut urls: Vec<(RepoId, Row, Sym)>) {
    let mut pulls = std::mem::take(&mut ix.pulls);
    pulls.sort_unstable_by_key(|p| (p.start, p.rows[0]));
    for p in &mut pulls {
        p.resolved = store
            .container
            .syms(p.ids)
            .iter()
            .map(
                |&id| if is_digest(&store.str(id)) { id } else { ix.tag_at(p.repo, id, p.start).unwrap_or(Sym::EMPTY) },
            )
            .collect();
    }
    let mut by_actor: HashMap<(RepoId, u32), Vec<usize>> = HashMap::new();
    for (i, p) in pulls.iter().enumerate() {
        if p.outcome == Outcome::Ok {
            by_actor.entry((p.repo, p.actor)).or_default().push(i);
        }
    }
    urls.sort_unstable_by_key(|&(repo, r, layer)| (store.time(r), r, repo, layer));
    let mut stray: Vec<(RepoId, Row)> = Vec::new();
    for (repo, r, layer) in urls {
        let (t, actor) = (store.time(r), store.identity_id(r));
        let mine = by_actor.get(&(repo, actor)).map_or(&[][..], Vec::as_slice);
        let open = mine.iter().copied().filter(|&i| pulls[i].start <= t && t - pulls[i].start <= SESSION_GAP_MS);
        // Prefer the latest pull whose image has this layer; else the latest pull before it.
        let has_layer = |i: usize| {
            pulls[i].resolved.iter().any(|&d| {
                ix.manifest(repo, d)
                    .is_some_and(|(entries, _)| store.container.entries(entries).iter().any(|e| e.digest == layer))
            })
        };
        let pick = open.clone().rfind(|&i| has_layer(i)).or_else(|| open.clone().next_back());
        match pick {
            Some(i) => {
                pulls[i].rows.push(r);
                pulls[i].layers += 1;
            }
            None => stray.push((repo, r)),
        }
    }
    stray.sort_by_key(|&(repo, r)| (repo, store.identity_id(r), store.time(r), r));
    let mut current: Option<Pull> = None;
    for (repo, r) in stray {
        let (t, actor) = (store.time(r), store.identity_id(r));
        let joins = current.as_ref().is_some_and(|p| p.repo == repo && p.actor == actor && t <= p.end + SESSION_GAP_MS);
        if !joins {
            pulls.extend(current.take());
            current = Some(Pull {
                repo,
                actor,
                get: None,
                ids: Span::default(),
                resolved: Vec::new(),
                layers: 0,
                rows: Vec::new(),
                start: t,
                end: t,
                outcome: Outcome::Incomplete,
            });
        }
        if let Some(p) = current.as_mut() {
            p.rows.push(r);
            p.layers += 1;
            p.end = t;
        }
    }
    pulls.extend(current);
    for p in &mut pulls {
        sort_rows(store, &mut p.rows);
        if let (Some(&a), Some(&b)) = (p.rows.first(), p.rows.last()) {
            p.start = store.time(a);
            p.end = store.time(b);
        }
    }
    pulls.sort_unstable_by_key(|p| (p.start, p.rows[0]));
    ix.pulls = pulls;
}
