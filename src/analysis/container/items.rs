//! The joined sessions as the pages show them: text, resolved digests, who, and the raw events.

use super::report::{
    BuilderItem, EventRef, ExpiredRow, Exposure, LayerRow, Outcome, PullItem, PushItem, RegistryChange, RepoChange,
    RuleRow, RunItem, EVENTS_PER_ITEM,
};
use super::who::{caller, who};
use super::{first_error, Index, Pull, Push, Run};
use crate::facts::container::{EntryKind, Kind};
use crate::store::{Row, Store};

/// The changes that turned a protection down ([`super::guards::lowered`]).
pub(super) type Lowered = hashbrown::HashMap<Row, super::guards::Guard>;

/// The first `cap` of `rows` as event references, and how many there are.
pub(crate) fn event_refs(store: &Store, rows: &[Row], cap: usize) -> (Vec<EventRef>, u32) {
    let refs = rows
        .iter()
        .take(cap)
        .map(|&r| EventRef {
            row: r,
            id: store.event_id(r),
            name: store.str(store.name(r)).into_owned(),
            time: store.time(r),
            error: store.str(store.error_code(r)).into_owned(),
        })
        .collect();
    (refs, rows.len() as u32)
}

/// (code, message) of the first error among `rows`.
fn error_of(store: &Store, rows: &[Row]) -> (String, String) {
    first_error(store, rows).map_or_else(Default::default, |r| {
        (store.str(store.error_code(r)).into_owned(), store.str(store.error_message(r)).into_owned())
    })
}

/// A push as shown; `layers` lists the manifest entries (the image page wants them).
pub(super) fn push_item(ix: &Index, store: &Store, p: &Push, layers: bool) -> PushItem {
    let repo = ix.repo_ref(store, p.repo);
    // Who: the `PutImage` caller, else whoever was refused, else the first call.
    let main = p.put.or_else(|| first_error(store, &p.rows)).unwrap_or(p.rows[0]);
    let entries = store.container.entries(p.entries);
    let blobs: Vec<_> = entries.iter().filter(|e| e.kind != EntryKind::Manifest).collect();
    let uploaded = |d| p.uploads.iter().any(|u| u.digest == d);
    let stray =
        p.uploads.iter().filter(|u| !u.digest.is_empty() && !blobs.iter().any(|e| e.digest == u.digest)).count();
    let bytes_uploaded = if blobs.is_empty() {
        p.uploads.iter().map(|u| u.bytes).sum()
    } else {
        blobs.iter().filter(|e| uploaded(e.digest)).map(|e| e.size).sum()
    };
    let (error_code, error_message) = error_of(store, &p.rows);
    let (events, events_total) = event_refs(store, &p.rows, if layers { usize::MAX } else { EVENTS_PER_ITEM });
    let pusher = who(store, main, &repo.registry);
    let unguarded =
        super::guards::unguarded(ix, p).map(|l| (store.time(l.row), caller(store, l.row, &repo.registry).principal));
    // Who pushed the image the tag named before, when someone else did.
    let moved_from_by = p
        .moved_from
        .map(|(_, put)| caller(store, put, &repo.registry).principal)
        .filter(|before| *before != pusher.principal)
        .unwrap_or_default();
    PushItem {
        who: pusher,
        repo,
        tag: store.str(p.tag).into_owned(),
        digest: store.str(p.digest).into_owned(),
        media_type: store.str(p.media_type).into_owned(),
        outcome: p.outcome,
        retag: p.retag,
        moved_from: p.moved_from.map(|(d, _)| store.str(d).into_owned()).unwrap_or_default(),
        moved_from_by,
        unguarded,
        start: p.start,
        end: p.end,
        layers_total: blobs.len() as u32,
        layers_uploaded: if blobs.is_empty() {
            p.uploads.iter().filter(|u| !u.digest.is_empty()).count() as u32
        } else {
            blobs.iter().filter(|e| uploaded(e.digest)).count() as u32
        },
        bytes_total: blobs.iter().map(|e| e.size).sum(),
        bytes_uploaded,
        stray_uploads: stray as u32,
        error_code,
        error_message,
        layers: if layers { layer_rows(store, p) } else { Vec::new() },
        events,
        events_total,
    }
}

/// The manifest entries of a push, each marked uploaded or already present.
pub(super) fn layer_rows(store: &Store, p: &Push) -> Vec<LayerRow> {
    store
        .container
        .entries(p.entries)
        .iter()
        .map(|e| {
            let upload = p.uploads.iter().find(|u| u.digest == e.digest);
            LayerRow {
                digest: store.str(e.digest).into_owned(),
                size: e.size,
                kind: match e.kind {
                    EntryKind::Config => "config",
                    EntryKind::Layer => "layer",
                    EntryKind::Manifest => "manifest",
                }
                .to_owned(),
                platform: store.str(e.platform).into_owned(),
                uploaded: upload.is_some(),
                parts: upload.map_or(0, |u| u.parts),
            }
        })
        .collect()
}

/// A pull as shown.
pub(super) fn pull_item(ix: &Index, store: &Store, p: &Pull) -> PullItem {
    let repo = ix.repo_ref(store, p.repo);
    let main = p.get.unwrap_or(p.rows[0]);
    let (error_code, error_message) = error_of(store, &p.rows);
    let (events, events_total) = event_refs(store, &p.rows, EVENTS_PER_ITEM);
    PullItem {
        who: who(store, main, &repo.registry),
        repo,
        requested: store.container.syms(p.ids).iter().map(|&s| store.str(s).into_owned()).collect(),
        resolved: p.resolved.iter().map(|&s| store.str(s).into_owned()).collect(),
        outcome: p.outcome,
        start: p.start,
        end: p.end,
        layers_fetched: p.layers,
        layers_listed: None,
        error_code,
        error_message,
        events,
        events_total,
    }
}

/// A lifecycle run as shown, with at most `max_images` of its images.
pub(super) fn run_item(ix: &Index, store: &Store, run: &Run, max_images: usize) -> RunItem {
    let (events, events_total) = event_refs(store, &run.rows, EVENTS_PER_ITEM);
    let pulled = if run.preview { hashbrown::HashMap::new() } else { ix.pulled_before(run.repo, run.start) };
    let running = if run.preview { Vec::new() } else { ix.running_at(store, run.start) };
    let owner = store.str(ix.repos[run.repo as usize].registry);
    RunItem {
        repo: ix.repo_ref(store, run.repo),
        preview: run.preview,
        policy_id: store.str(run.policy).into_owned(),
        policy_version: run.version,
        start: run.start,
        end: run.end,
        rules: store
            .container
            .rules(run.rules)
            .iter()
            .map(|r| RuleRow {
                priority: r.priority,
                action: store.str(r.action).into_owned(),
                selection: store.str(r.selection).into_owned(),
                description: store.str(r.description).into_owned(),
            })
            .collect(),
        images: run
            .images
            .iter()
            .take(max_images)
            .map(|i| ExpiredRow {
                digest: store.str(i.digest).into_owned(),
                tags: store.container.syms(i.tags).iter().map(|&t| store.str(t).into_owned()).collect(),
                tag_status: store.str(i.tag_status).into_owned(),
                pushed_at: i.pushed_at,
                rule: i.rule,
                pulled_before: pulled.get(&i.digest).copied().unwrap_or(0),
                run_by: ix
                    .with_image(store, &running, run.repo, i.digest)
                    .iter()
                    .map(|s| format!("{} (cluster {})", store.str(s.service), store.str(s.cluster)))
                    .collect(),
            })
            .collect(),
        images_total: run.images.len() as u32,
        failures: run.failures,
        events,
        events_total,
        policy_set: ix.policy_set(store, run).and_then(|r| repo_change(store, r, &owner, &Lowered::new())),
    }
}

/// What a recipe builds on.
#[derive(Debug, Default)]
pub struct RecipeSources {
    /// Its parent image.
    pub parent: String,
    /// Its components' ARNs.
    pub components: Vec<String>,
    /// The images its inline Dockerfile names itself (`FROM`, `COPY --from=`).
    pub dockerfile_images: Vec<String>,
    /// Where its Dockerfile is kept, when in S3.
    pub dockerfile_uri: String,
}

/// What a recipe builds on, as its fact keeps it (`sources`).
pub fn recipe_sources(store: &Store, sources: crate::facts::container::Span) -> RecipeSources {
    let mut out = RecipeSources::default();
    for &t in store.container.syms(sources) {
        let t = store.str(t);
        if let Some(p) = t.strip_prefix("parent:") {
            p.clone_into(&mut out.parent);
        } else if let Some(c) = t.strip_prefix("component:") {
            out.components.push(c.to_owned());
        } else if let Some(i) = t.strip_prefix("from:") {
            out.dockerfile_images.push(i.to_owned());
        } else if let Some(u) = t.strip_prefix("dockerfile:") {
            u.clone_into(&mut out.dockerfile_uri);
        }
    }
    out
}

/// An Image Builder call as shown.
pub(super) fn builder_item(store: &Store, r: Row) -> Option<BuilderItem> {
    let f = store.container.get(r)?;
    let Kind::Builder { pipeline, resource, build_version, recipe, sources } = f.kind else { return None };
    let RecipeSources { parent, components, dockerfile_images, dockerfile_uri } = recipe_sources(store, sources);
    let call = store.str(store.name(r)).into_owned();
    let owner = store.str(store.account(r));
    Some(BuilderItem {
        execution: call == "StartImagePipelineExecution",
        call,
        pipeline: store.str(pipeline).into_owned(),
        resource: store.str(resource).into_owned(),
        build_version: store.str(build_version).into_owned(),
        recipe: store.str(recipe).into_owned(),
        target_repository: store.str(f.repo).into_owned(),
        parent,
        components,
        dockerfile_images,
        dockerfile_uri,
        who: who(store, r, &owner),
        time: store.time(r),
        error_code: store.str(store.error_code(r)).into_owned(),
        events: event_refs(store, &[r], 1).0,
    })
}

/// A repository change as shown; `lowered` the changes that turned a protection down
/// ([`super::guards::lowered`]).
pub(super) fn repo_change(store: &Store, r: Row, owner: &str, lowered: &Lowered) -> Option<RepoChange> {
    let f = store.container.get(r)?;
    let s = |x| store.str(x).into_owned();
    let details = match f.kind {
        Kind::RepoCreated { encryption, kms_key, mutability, scan_on_push } => {
            let mut d = Vec::new();
            if !encryption.is_empty() {
                d.push(format!("encryption: {}", s(encryption)));
            }
            if !kms_key.is_empty() {
                d.push(format!("KMS key: {}", s(kms_key)));
            }
            if !mutability.is_empty() {
                d.push(format!("tag mutability: {}", s(mutability)));
            }
            if let Some(scan) = scan_on_push {
                d.push(format!("scan on push: {}", if scan { "on" } else { "off" }));
            }
            d
        }
        Kind::RepoDeleted { force } => {
            vec![if force { "forced: images deleted with it" } else { "not forced" }.to_owned()]
        }
        Kind::RepoChange { lines, .. } => store.container.syms(lines).iter().map(|&l| s(l)).collect(),
        Kind::KmsGrant { key, grantee, operations, grant_id } => {
            let mut d = vec![format!("key: {}", s(key)), format!("grantee: {}", s(grantee))];
            if !operations.is_empty() {
                d.push(format!("operations: {}", s(operations)));
            }
            if !grant_id.is_empty() {
                d.push(format!("grant id: {}", s(grant_id)));
            }
            d
        }
        Kind::DeleteImages { ids, deleted } => {
            let list = |span| store.container.syms(span).iter().map(|&x| s(x)).collect::<Vec<_>>().join(", ");
            let mut d = vec![format!("asked: {}", list(ids))];
            if deleted.len > 0 {
                d.push(format!("deleted: {}", list(deleted)));
            }
            d
        }
        _ => return None,
    };
    Some(RepoChange {
        call: s(store.name(r)),
        exposure: match f.kind {
            Kind::RepoChange { exposure, .. } if store.error_code(r).is_empty() => exposure,
            _ => Exposure::Own,
        },
        lowered: lowered.get(&r).map(|g| g.label().to_owned()).unwrap_or_default(),
        details,
        who: who(store, r, owner),
        time: store.time(r),
        error_code: s(store.error_code(r)),
        events: event_refs(store, &[r], 1).0,
    })
}

/// A call that turned a repository's KMS key off (`l`, a [`super::guards::Guard::RepositoryKey`]
/// lowering), shown among the repository's changes: it names no repository itself.
pub(super) fn key_change(store: &Store, l: &super::guards::Lowering, owner: &str) -> RepoChange {
    let r = l.row;
    let change = store.trail.get(r);
    let key = store.str(change.map_or(crate::model::Sym::EMPTY, |c| c.trail));
    let lines = change.map(|c| c.lines.as_slice()).unwrap_or_default();
    let details =
        std::iter::once(format!("key: {key}")).chain(lines.iter().map(|&x| store.str(x).into_owned())).collect();
    RepoChange {
        call: store.str(store.name(r)).into_owned(),
        exposure: Exposure::Own,
        lowered: if l.refused { String::new() } else { format!("KMS key {}", l.after) },
        details,
        who: who(store, r, owner),
        time: store.time(r),
        error_code: store.str(store.error_code(r)).into_owned(),
        events: event_refs(store, &[r], 1).0,
    }
}

/// A registry change as shown.
pub(super) fn registry_change(store: &Store, r: Row, lowered: &Lowered) -> Option<RegistryChange> {
    let f = store.container.get(r)?;
    let registry = store.str(f.registry_or_account(store)).into_owned();
    let change = repo_change(store, r, &registry, lowered)?;
    Some(RegistryChange { registry, region: store.str(store.region(r)).into_owned(), change })
}

/// Whether a pull went through (a `BatchGetImage` that succeeded, or layer downloads alone).
pub(super) fn pulled(p: &Pull) -> bool {
    p.outcome != Outcome::Failed
}
