//! Container supply-chain facts (Amazon ECR, Amazon ECS, EC2 Image Builder, and the KMS grants ECR
//! makes for encrypted repositories), taken from each event at ingest.
//!
//! The store keeps no raw JSON, so what the container analyses need from `requestParameters`,
//! `responseElements` and `serviceEventDetails` is read here, once, into one compact [`Fact`] per
//! event (varint-encoded, see `codec`: usually under ten bytes) plus shared arenas for the
//! variable-length parts (layer lists, image ids, lifecycle expiries). Every string is a [`Sym`]; nothing is kept per event as a `String` or JSON.
//!
//! Reading is lenient: the free-form parts are attacker-controlled, so a field of the wrong type is
//! skipped, lists are capped by the named limits below, and nothing here can fail or panic. An event
//! whose parts cannot be read still gets a fact when its name alone says something (a
//! `BatchGetImage` that failed has no response, and that is what makes it a failed pull).
//!
//! Facts are kept in row order, compactly encoded (`codec`: a typical fact takes under ten bytes),
//! so the analyses (and the filter's repository field) find the fact of a row by binary search over
//! blocks of them.

mod builder;
mod codec;
mod ecr;
mod ecs;
mod kms;
pub mod lenient;
pub(crate) mod policy;
mod registry;
mod uses;

use crate::ingest::raw::RawEvent;
use crate::model::Sym;
use crate::store::wire::{index_of, Reader, WireError, Writer};
use crate::store::{Arena, Interner, Row, Store};

/// Entries read from one image manifest. Docker refuses images over 127 layers; OCI indexes list one
/// manifest per platform. Anything beyond this is not a real image and is cut.
pub const MAX_MANIFEST_ENTRIES: usize = 1024;

/// `imageIds` of one `BatchGetImage` / `BatchDeleteImage`: the API accepts at most 100.
pub const MAX_IMAGE_IDS: usize = 100;

/// `layerDigests` of one `BatchCheckLayerAvailability`: the API accepts at most 100.
pub const MAX_LAYER_DIGESTS: usize = 100;

/// Expired images read from one lifecycle event. ECR splits runs of 10 or more images into several
/// events, so real events hold about ten; the cap only bounds hostile input.
pub const MAX_LIFECYCLE_IMAGES: usize = 1000;

/// Tags kept per expired image: ECR itself includes at most 100 tags per image.
pub const MAX_TAGS_PER_IMAGE: usize = 100;

/// Lifecycle rules kept per policy (ECR allows 50).
pub const MAX_RULES: usize = 64;

/// Container definitions kept per task definition (ECS allows 10), and tasks per `RunTask`
/// (at most 10 per call).
pub const MAX_CONTAINERS: usize = 16;

/// Lines kept when summarising a policy document (statements, lifecycle rules).
pub const MAX_POLICY_LINES: usize = 20;

/// How a repository change's line gives the tag mutability it set ("tag mutability: IMMUTABLE"),
/// as [`crate::analysis::container::guards`] reads it back.
pub const MUTABILITY_LINE: &str = "tag mutability: ";

/// How a repository change's line gives the scan on push it set ("scan on push: off").
pub const SCAN_ON_PUSH_LINE: &str = "scan on push: ";

/// The line of a registry's scanning configuration with no rules at all.
pub const NO_SCAN_RULES: &str = "no scanning rules";

/// How a line of a registry's signing configuration begins: a rule that signs the images pushed
/// to the repositories it selects ("sign with PROFILE: every repository").
pub const SIGN_LINE: &str = "sign with ";

/// The line of a registry's signing configuration with no rules at all.
pub const NO_SIGNING_RULES: &str = "no signing rules";

/// A range in one of the arenas of [`ContainerFacts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First index.
    pub start: u32,
    /// Number of elements.
    pub len: u32,
}

/// What one manifest entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// The image configuration blob.
    Config,
    /// A filesystem layer.
    Layer,
    /// A platform manifest listed by an image index (multi-architecture image).
    Manifest,
}

/// One entry of an image manifest: a blob the image needs, with its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManifestEntry {
    /// `digest`.
    pub digest: Sym,
    /// `size` in bytes (0 when not given).
    pub size: u64,
    /// What it is.
    pub kind: EntryKind,
    /// For index entries, `os/architecture[/variant]`.
    pub platform: Sym,
}

/// One image a lifecycle policy expired (or would expire, in a preview).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiredImage {
    /// `lifecycleEventImage.digest`.
    pub digest: Sym,
    /// `tagList`, in the `syms` arena.
    pub tags: Span,
    /// `tagStatus` (`Tagged`, `Untagged`).
    pub tag_status: Sym,
    /// `pushedAt`, ms since the epoch (`None` when not given).
    pub pushed_at: Option<i64>,
    /// `rulePriority` of the rule that selected it.
    pub rule: u32,
}

/// One lifecycle rule, summarised for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// `rulePriority`.
    pub priority: u32,
    /// `action` (`expire`).
    pub action: Sym,
    /// What the rule selects, as one line (`tagged, prefix "prod", image count more than 2`).
    pub selection: Sym,
    /// `description`.
    pub description: Sym,
}

/// Whom a repository policy lets in beyond the repository's own account, widest last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
pub enum Exposure {
    /// No one else (or not a policy).
    #[default]
    Own,
    /// Principals of other accounts, or anyone who meets the statement's conditions.
    OtherAccounts,
    /// Anyone at all: an `Allow` to principal `*` with no condition.
    Everyone,
}

/// What an event says, by kind. Event names live in the store; these are the parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Kind {
    /// `GetAuthorizationToken`.
    AuthToken,
    /// `BatchCheckLayerAvailability`: the layers asked about (`syms`).
    LayerCheck { digests: Span },
    /// `InitiateLayerUpload`: the upload it opened (empty when refused).
    UploadStart { upload: Sym, part_size: u64 },
    /// `UploadLayerPart`: bytes `first..=last` of an upload (`u64::MAX` when not given).
    UploadPart { upload: Sym, first: u64, last: u64 },
    /// `CompleteLayerUpload`: the layer the upload became.
    UploadDone { upload: Sym, digest: Sym },
    /// `PutImage`: the tag, the image digest (from the response) and the manifest's entries.
    PutImage { tag: Sym, digest: Sym, media_type: Sym, entries: Span },
    /// `BatchGetImage`: each requested image id, a tag or a digest (`syms`; a digest has a `:`).
    GetImage { ids: Span },
    /// `GetDownloadUrlForLayer`.
    LayerUrl { digest: Sym },
    /// `PolicyExecutionEvent` or `DryRunEvent` (a preview): the policy, its rules and the images.
    Lifecycle { dry_run: bool, policy: Sym, version: u32, rules: Span, images: Span, failures: u16 },
    /// `BatchDeleteImage`: the image ids asked for and those the response says were deleted.
    DeleteImages { ids: Span, deleted: Span },
    /// `CreateRepository`.
    RepoCreated { encryption: Sym, kms_key: Sym, mutability: Sym, scan_on_push: Option<bool> },
    /// `DeleteRepository`.
    RepoDeleted { force: bool },
    /// Another write naming the repository (policies, settings), or, with no repository, one to
    /// the whole registry (its policy, replication, pull-through cache rules, scanning: see
    /// `registry`): summary lines (`syms`), and whom a policy it sets lets in (or a replication
    /// rule sends images to) beyond the registry's account.
    RepoChange { lines: Span, exposure: Exposure },
    /// KMS `CreateGrant` whose encryption context names an ECR repository.
    KmsGrant { key: Sym, grantee: Sym, operations: Sym, grant_id: Sym },
    /// `RegisterTaskDefinition`: pairs (image URI, repository name or empty) in `syms`, and its
    /// risks (`syms`): what it gives its containers of the host they run on (`privileged`...,
    /// see `ecs::host_access`), then the credentials they hold in plain environment variables
    /// (`env:NAME`, `key:AKIA…`, see `ecs::credentials`), then where they send their output
    /// (`log:awslogs`..., see `ecs::log_drivers`). One span for all keeps a fact small.
    TaskDef { family: Sym, revision: u32, images: Span, exec_role: Sym, task_role: Sym, risks: Span },
    /// `DeregisterTaskDefinition` / `DeleteTaskDefinitions`.
    TaskDefGone { family: Sym, revision: u32 },
    /// `CreateService`, `UpdateService`, `DeleteService` (revision 0: not given, the latest). The
    /// task definition is the one the request names or else the one the response says the service
    /// runs; `deploys`: whether the call started a deployment (`CreateService`, an `UpdateService`
    /// that is more than a scaling, see `ecs::Request::redeploys`); `exec`: ECS Exec turned on or
    /// off for its tasks (`enableExecuteCommand`), when the request says.
    Service {
        cluster: Sym,
        service: Sym,
        family: Sym,
        revision: u32,
        desired: Option<u32>,
        deploys: bool,
        exec: Option<bool>,
    },
    /// `RunTask`, `StartTask`: task ARNs and pairs (image URI, repository) from the response, and
    /// what the request overrode, when it did: (task role, commands, then the credentials its
    /// containers' environments were given: `env:NAME`, `key:AKIA…`); `exec`: started with ECS
    /// Exec turned on.
    Task {
        cluster: Sym,
        family: Sym,
        revision: u32,
        count: u16,
        tasks: Span,
        images: Span,
        overrides: Span,
        exec: bool,
    },
    /// `StopTask` (detail: the reason), `ExecuteCommand` (detail: the command).
    TaskCall { cluster: Sym, task: Sym, detail: Sym },
    /// `CreateCluster`, `DeleteCluster`, `UpdateCluster`...
    Cluster { cluster: Sym },
    /// An EC2 Image Builder write: the pipeline, the resource it names, the build version it
    /// started; for a recipe made, what it builds on (`parent:…`, `component:ARN`).
    Builder { pipeline: Sym, resource: Sym, build_version: Sym, recipe: Sym, sources: Span },
    /// Another service's write whose request names ECR images (a `SageMaker` model, a Batch job
    /// definition, a `CodeBuild` project...): pairs (image URI, repository) like a task definition's,
    /// and the name of what uses them (empty when the request names none).
    ImageUse { images: Span, name: Sym },
}

/// One event's facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    /// The store row.
    pub row: Row,
    /// `registryId` (or the account of a repository ARN); empty means the event's own account.
    pub registry: Sym,
    /// The repository named (empty when none).
    pub repo: Sym,
    /// The rest.
    pub kind: Kind,
}

impl Fact {
    /// The registry's account: the one named, else the account of the event (row [`Fact::row`]).
    pub fn registry_or_account(&self, store: &Store) -> Sym {
        if self.registry.is_empty() {
            store.account(self.row)
        } else {
            self.registry
        }
    }
}

/// Reads facts by row like [`ContainerFacts::get`], keeping the block it decoded last, so a scan in
/// row order (a filter over every row, the timeline's lanes) decodes each block once instead of once
/// per row: at a million events a search over every row's container facts took 0.68 s natively
/// that way, most of it decoding. It holds no borrow: each call is given the table, and a table that
/// has grown since (more facts in the block it holds) is read afresh.
#[derive(Debug, Default)]
pub struct FactReader {
    /// The block held in `facts`, and how many facts the table had when it was read.
    block: Option<(usize, usize)>,
    facts: Vec<Fact>,
}

impl FactReader {
    /// The fact of row `r` in `of`, if the event had one.
    pub fn get(&mut self, of: &ContainerFacts, r: Row) -> Option<Fact> {
        let held = self.block.is_some_and(|(b, count)| {
            count == of.count
                && of.blocks.get(b).is_some_and(|&(first, _)| first <= r)
                && of.blocks.get(b + 1).is_none_or(|&(next, _)| r < next)
        });
        if !held {
            let b = of.block_of(r)?;
            self.facts.clear();
            self.facts.extend(of.facts_from_block(b).take(codec::BLOCK));
            self.block = Some((b, of.count));
        }
        let at = self.facts.partition_point(|f| f.row < r);
        self.facts.get(at).filter(|f| f.row == r).copied()
    }
}

/// The container side table of the store.
#[derive(Default)]
pub struct ContainerFacts {
    /// Every fact, in row order, as [`codec`] writes them. A block of facts never straddles two
    /// chunks, so a block reads from one slice.
    bytes: Arena<u8>,
    /// `(row, byte offset)` of every [`codec::BLOCK`]th fact.
    blocks: Vec<(Row, u32)>,
    /// Number of facts.
    count: usize,
    /// The row of the last fact.
    last_row: Row,
    syms: Arena<Sym>,
    entries: Arena<ManifestEntry>,
    expired: Arena<ExpiredImage>,
    rules: Arena<Rule>,
}

impl ContainerFacts {
    /// Every fact, in row order.
    pub fn all(&self) -> impl Iterator<Item = Fact> + '_ {
        self.facts_from_block(0)
    }

    /// Number of facts.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are no facts.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The facts from the start of block `b` on.
    fn facts_from_block(&self, b: usize) -> impl Iterator<Item = Fact> + '_ {
        let chunks = self.bytes.chunks();
        let (first, (mut chunk, at)) =
            match self.blocks.get(b).and_then(|&(row, at)| Some((row, self.bytes.locate(at)?))) {
                Some(found) => found,
                None => (0, (chunks.len(), 0)),
            };
        let mut reader = codec::Reader::new(chunks.get(chunk).map_or(&[][..], Vec::as_slice), at);
        // `None` until the block's first fact, whose row the index holds.
        let mut prev: Option<Row> = None;
        std::iter::from_fn(move || {
            // Facts run on from one chunk to the next, which starts with a block.
            while reader.done() {
                chunk += 1;
                reader = codec::Reader::new(chunks.get(chunk)?, 0);
            }
            let mut f = reader.fact(prev.unwrap_or(0));
            if prev.is_none() {
                f.row = first;
            }
            prev = Some(f.row);
            Some(f)
        })
    }

    /// The fact of row `r`, if the event had one. It decodes up to a block of facts: a scan over
    /// many rows reads them with a [`FactReader`] instead.
    pub fn get(&self, r: Row) -> Option<Fact> {
        let b = self.block_of(r)?;
        self.facts_from_block(b).take(codec::BLOCK).take_while(|f| f.row <= r).find(|f| f.row == r)
    }

    /// The block that would hold row `r`'s fact.
    fn block_of(&self, r: Row) -> Option<usize> {
        self.blocks.partition_point(|&(row, _)| row <= r).checked_sub(1)
    }

    /// Symbols of a span of the `syms` arena.
    pub fn syms(&self, s: Span) -> &[Sym] {
        self.syms.get(s.start, s.len).unwrap_or(&[])
    }

    /// Manifest entries of a `PutImage`.
    pub fn entries(&self, s: Span) -> &[ManifestEntry] {
        self.entries.get(s.start, s.len).unwrap_or(&[])
    }

    /// Images of a lifecycle event.
    pub fn expired(&self, s: Span) -> &[ExpiredImage] {
        self.expired.get(s.start, s.len).unwrap_or(&[])
    }

    /// Rules of a lifecycle event.
    pub fn rules(&self, s: Span) -> &[Rule] {
        self.rules.get(s.start, s.len).unwrap_or(&[])
    }

    /// The repository names an event with this fact (from [`ContainerFacts::get`] or a
    /// [`FactReader`]) is about: the one it names, or for task definitions, tasks and other
    /// services' writes, those of the ECR images they name.
    pub fn repos_in(&self, fact: Option<Fact>) -> impl Iterator<Item = Sym> + '_ {
        let direct = fact.map(|f| f.repo).filter(|s| !s.is_empty());
        let pairs = match fact.map(|f| f.kind) {
            Some(Kind::TaskDef { images, .. } | Kind::Task { images, .. } | Kind::ImageUse { images, .. }) => {
                self.syms(images)
            }
            _ => &[],
        };
        direct.into_iter().chain(pairs.chunks_exact(2).map(|p| p[1]).filter(|s| !s.is_empty()))
    }

    /// Symbols a free-text search should also look at for an event with this fact (from
    /// [`ContainerFacts::get`] or a [`FactReader`]): repository, tags, digests, image URIs, task
    /// definition families, clusters, services, pipelines.
    pub fn searchable_in(&self, fact: Option<Fact>) -> Vec<Sym> {
        let Some(f) = fact else { return Vec::new() };
        let mut out = vec![f.repo];
        match f.kind {
            Kind::PutImage { tag, digest, .. } => out.extend([tag, digest]),
            Kind::GetImage { ids } | Kind::DeleteImages { ids, .. } => out.extend_from_slice(self.syms(ids)),
            Kind::LayerUrl { digest } | Kind::UploadDone { digest, .. } => out.push(digest),
            Kind::Lifecycle { images, .. } => {
                for i in self.expired(images) {
                    out.push(i.digest);
                    out.extend_from_slice(self.syms(i.tags));
                }
            }
            Kind::TaskDef { family, images, .. } => {
                out.push(family);
                out.extend_from_slice(self.syms(images));
            }
            Kind::Task { cluster, family, images, overrides, .. } => {
                out.extend([cluster, family]);
                out.extend_from_slice(self.syms(images));
                out.extend_from_slice(self.syms(overrides));
            }
            Kind::Service { cluster, service, family, .. } => out.extend([cluster, service, family]),
            Kind::TaskCall { cluster, task, .. } => out.extend([cluster, task]),
            Kind::Cluster { cluster } => out.push(cluster),
            Kind::Builder { pipeline, resource, build_version, recipe, sources } => {
                out.extend([pipeline, resource, build_version, recipe]);
                out.extend_from_slice(self.syms(sources));
            }
            Kind::ImageUse { images, name } => {
                out.push(name);
                out.extend_from_slice(self.syms(images));
            }
            Kind::KmsGrant { key, .. } => out.push(key),
            _ => {}
        }
        out.retain(|s| !s.is_empty());
        out
    }

    /// Resident bytes, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        self.bytes.heap_bytes()
            + self.blocks.capacity() * size_of::<(Row, u32)>()
            + self.syms.heap_bytes()
            + self.entries.heap_bytes()
            + self.expired.heap_bytes()
            + self.rules.heap_bytes()
    }

    fn push(&mut self, fact: Fact) {
        // Rows arrive in order (a fact is recorded right after its row is added); keep the order
        // even if that ever changes, since lookups rely on it: then every fact is written again.
        if self.count > 0 && self.last_row >= fact.row {
            let mut facts: Vec<Fact> = self.all().collect();
            let at = facts.partition_point(|f| f.row < fact.row);
            if facts.get(at).is_some_and(|f| f.row == fact.row) {
                facts[at] = fact;
            } else {
                facts.insert(at, fact);
            }
            (self.bytes, self.blocks, self.count, self.last_row) = (Arena::default(), Vec::new(), 0, 0);
            for f in facts {
                self.append(f);
            }
        } else {
            self.append(fact);
        }
    }

    /// Adds a fact after the last one.
    fn append(&mut self, fact: Fact) {
        // A fact takes at most 12 varints of at most 10 bytes.
        const MAX_FACT: usize = 120;
        if self.count.is_multiple_of(codec::BLOCK) {
            grow(&mut self.blocks, 1);
            // The whole block goes into one chunk.
            self.bytes.room(codec::BLOCK * MAX_FACT);
            self.blocks.push((fact.row, self.bytes.len() as u32));
        }
        codec::write(self.bytes.room(0), self.last_row, &fact);
        self.count += 1;
        self.last_row = fact.row;
    }
}

/// Every [`EntryKind`], for the batch encoding.
const ENTRY_KINDS: [EntryKind; 3] = [EntryKind::Config, EntryKind::Layer, EntryKind::Manifest];

impl ContainerFacts {
    /// Writes every fact and arena as they are (symbols and rows are the batch's own).
    pub(crate) fn encode(&self, w: &mut Writer) {
        w.bytes_in_pieces(self.bytes.chunks());
        w.u64(self.blocks.len() as u64);
        for &(row, at) in &self.blocks {
            w.u32(row);
            w.u32(at);
        }
        w.u64(self.count as u64);
        w.u32(self.last_row);
        w.u64(self.syms.len() as u64);
        for s in self.syms.iter() {
            w.u32(s.0);
        }
        w.u64(self.entries.len() as u64);
        for e in self.entries.iter() {
            w.u32(e.digest.0);
            w.u64(e.size);
            w.u64(index_of(&ENTRY_KINDS, &e.kind));
            w.u32(e.platform.0);
        }
        w.u64(self.expired.len() as u64);
        for e in self.expired.iter() {
            w.u32(e.digest.0);
            w.u32(e.tags.start);
            w.u32(e.tags.len);
            w.u32(e.tag_status.0);
            match e.pushed_at {
                Some(t) => {
                    w.u64(1);
                    w.i64(t);
                }
                None => w.u64(0),
            }
            w.u32(e.rule);
        }
        w.u64(self.rules.len() as u64);
        for r in self.rules.iter() {
            w.u32(r.priority);
            w.u32(r.action.0);
            w.u32(r.selection.0);
            w.u32(r.description.0);
        }
    }

    /// Reads what [`Self::encode`] wrote. Symbols stay the batch's own until [`Self::absorb`].
    pub(crate) fn decode(r: &mut Reader) -> Result<ContainerFacts, WireError> {
        let bytes = Arena::from_vec(r.bytes()?.to_vec());
        let mut blocks = Vec::with_capacity(r.count()?.min(1 << 20));
        for _ in 0..blocks.capacity() {
            blocks.push((r.u32()?, r.u32()?));
        }
        let count = r.u64()? as usize;
        let last_row = r.u32()?;
        let n = r.count()?;
        let syms = (0..n).map(|_| r.u32().map(Sym)).collect::<Result<_, _>>()?;
        let n = r.count()?;
        let entries = (0..n)
            .map(|_| {
                Ok(ManifestEntry {
                    digest: Sym(r.u32()?),
                    size: r.u64()?,
                    kind: r.pick(&ENTRY_KINDS)?,
                    platform: Sym(r.u32()?),
                })
            })
            .collect::<Result<_, WireError>>()?;
        let n = r.count()?;
        let expired = (0..n)
            .map(|_| {
                Ok(ExpiredImage {
                    digest: Sym(r.u32()?),
                    tags: Span { start: r.u32()?, len: r.u32()? },
                    tag_status: Sym(r.u32()?),
                    pushed_at: if r.u64()? == 1 { Some(r.i64()?) } else { None },
                    rule: r.u32()?,
                })
            })
            .collect::<Result<_, WireError>>()?;
        let n = r.count()?;
        let rules = (0..n)
            .map(|_| {
                Ok(Rule {
                    priority: r.u32()?,
                    action: Sym(r.u32()?),
                    selection: Sym(r.u32()?),
                    description: Sym(r.u32()?),
                })
            })
            .collect::<Result<_, WireError>>()?;
        let (syms, entries, expired, rules) =
            (Arena::from_vec(syms), Arena::from_vec(entries), Arena::from_vec(expired), Arena::from_vec(rules));
        Ok(ContainerFacts { bytes, blocks, count, last_row, syms, entries, expired, rules })
    }

    /// Adds the facts of `src` (a decoded batch): symbols through `sym`, rows through `row` (`None`:
    /// the event was already held, so its fact is too).
    pub(crate) fn absorb(&mut self, src: &ContainerFacts, sym: &dyn Fn(Sym) -> Sym, row: &dyn Fn(Row) -> Option<Row>) {
        for f in src.all() {
            let Some(r) = row(f.row) else { continue };
            let kind = self.remap(src, f.kind, sym);
            self.push(Fact { row: r, registry: sym(f.registry), repo: sym(f.repo), kind });
        }
    }

    fn remap_syms(&mut self, src: &ContainerFacts, span: Span, sym: &dyn Fn(Sym) -> Sym) -> Span {
        let items: Vec<Sym> = src.syms(span).iter().map(|&s| sym(s)).collect();
        Span { start: self.syms.push_run(&items), len: items.len() as u32 }
    }

    /// A fact's kind with its symbols mapped and its arena parts copied into this table's arenas.
    fn remap(&mut self, src: &ContainerFacts, kind: Kind, s: &dyn Fn(Sym) -> Sym) -> Kind {
        match kind {
            Kind::AuthToken => Kind::AuthToken,
            Kind::LayerCheck { digests } => Kind::LayerCheck { digests: self.remap_syms(src, digests, s) },
            Kind::UploadStart { upload, part_size } => Kind::UploadStart { upload: s(upload), part_size },
            Kind::UploadPart { upload, first, last } => Kind::UploadPart { upload: s(upload), first, last },
            Kind::UploadDone { upload, digest } => Kind::UploadDone { upload: s(upload), digest: s(digest) },
            Kind::PutImage { tag, digest, media_type, entries } => {
                let items: Vec<ManifestEntry> = src
                    .entries(entries)
                    .iter()
                    .map(|e| ManifestEntry { digest: s(e.digest), platform: s(e.platform), ..*e })
                    .collect();
                let start = self.entries.push_run(&items);
                let entries = Span { start, len: items.len() as u32 };
                Kind::PutImage { tag: s(tag), digest: s(digest), media_type: s(media_type), entries }
            }
            Kind::GetImage { ids } => Kind::GetImage { ids: self.remap_syms(src, ids, s) },
            Kind::LayerUrl { digest } => Kind::LayerUrl { digest: s(digest) },
            Kind::Lifecycle { dry_run, policy, version, rules, images, failures } => {
                let items: Vec<Rule> = src
                    .rules(rules)
                    .iter()
                    .map(|r| Rule {
                        action: s(r.action),
                        selection: s(r.selection),
                        description: s(r.description),
                        ..*r
                    })
                    .collect();
                let start = self.rules.push_run(&items);
                let rules = Span { start, len: items.len() as u32 };
                let mut items = Vec::with_capacity(images.len as usize);
                for e in src.expired(images) {
                    let tags = self.remap_syms(src, e.tags, s);
                    items.push(ExpiredImage { digest: s(e.digest), tag_status: s(e.tag_status), tags, ..*e });
                }
                let start = self.expired.push_run(&items);
                let images = Span { start, len: items.len() as u32 };
                Kind::Lifecycle { dry_run, policy: s(policy), version, rules, images, failures }
            }
            Kind::DeleteImages { ids, deleted } => {
                Kind::DeleteImages { ids: self.remap_syms(src, ids, s), deleted: self.remap_syms(src, deleted, s) }
            }
            Kind::RepoCreated { encryption, kms_key, mutability, scan_on_push } => Kind::RepoCreated {
                encryption: s(encryption),
                kms_key: s(kms_key),
                mutability: s(mutability),
                scan_on_push,
            },
            Kind::RepoDeleted { force } => Kind::RepoDeleted { force },
            Kind::RepoChange { lines, exposure } => {
                Kind::RepoChange { lines: self.remap_syms(src, lines, s), exposure }
            }
            Kind::KmsGrant { key, grantee, operations, grant_id } => {
                Kind::KmsGrant { key: s(key), grantee: s(grantee), operations: s(operations), grant_id: s(grant_id) }
            }
            Kind::TaskDef { family, revision, images, exec_role, task_role, risks } => Kind::TaskDef {
                family: s(family),
                revision,
                images: self.remap_syms(src, images, s),
                exec_role: s(exec_role),
                task_role: s(task_role),
                risks: self.remap_syms(src, risks, s),
            },
            Kind::TaskDefGone { family, revision } => Kind::TaskDefGone { family: s(family), revision },
            Kind::Service { cluster, service, family, revision, desired, deploys, exec } => Kind::Service {
                cluster: s(cluster),
                service: s(service),
                family: s(family),
                revision,
                desired,
                deploys,
                exec,
            },
            Kind::Task { cluster, family, revision, count, tasks, images, overrides, exec } => Kind::Task {
                cluster: s(cluster),
                family: s(family),
                revision,
                count,
                tasks: self.remap_syms(src, tasks, s),
                images: self.remap_syms(src, images, s),
                overrides: self.remap_syms(src, overrides, s),
                exec,
            },
            Kind::TaskCall { cluster, task, detail } => {
                Kind::TaskCall { cluster: s(cluster), task: s(task), detail: s(detail) }
            }
            Kind::Cluster { cluster } => Kind::Cluster { cluster: s(cluster) },
            Kind::Builder { pipeline, resource, build_version, recipe, sources } => Kind::Builder {
                pipeline: s(pipeline),
                resource: s(resource),
                build_version: s(build_version),
                recipe: s(recipe),
                sources: self.remap_syms(src, sources, s),
            },
            Kind::ImageUse { images, name } => {
                Kind::ImageUse { images: self.remap_syms(src, images, s), name: s(name) }
            }
        }
    }
}

/// Makes room for `more` elements, growing by an eighth rather than doubling, so a large table holds
/// little spare room; copying on growth stays amortised O(1).
fn grow<T>(v: &mut Vec<T>, more: usize) {
    if v.capacity() - v.len() < more {
        v.reserve_exact((v.len() / 8).max(more).max(64));
    }
}

/// Where a fact is written while one event is read: the interner and the arenas.
pub(crate) struct Sink<'s> {
    strings: &'s mut Interner,
    facts: &'s mut ContainerFacts,
}

impl Sink<'_> {
    /// Interns a string.
    fn sym(&mut self, s: &str) -> Sym {
        self.strings.intern(s)
    }

    /// Interns strings into the `syms` arena.
    fn syms<'x>(&mut self, items: impl IntoIterator<Item = &'x str>) -> Span {
        let syms: Vec<Sym> = items.into_iter().map(|s| self.strings.intern(s)).collect();
        self.sym_span(&syms)
    }

    /// Adds symbols already interned to the `syms` arena.
    fn sym_span(&mut self, items: &[Sym]) -> Span {
        Span { start: self.facts.syms.push_run(items), len: items.len() as u32 }
    }

    fn entries(&mut self, items: &[ManifestEntry]) -> Span {
        Span { start: self.facts.entries.push_run(items), len: items.len() as u32 }
    }

    fn expired(&mut self, items: &[ExpiredImage]) -> Span {
        Span { start: self.facts.expired.push_run(items), len: items.len() as u32 }
    }

    fn rules(&mut self, items: &[Rule]) -> Span {
        Span { start: self.facts.rules.push_run(items), len: items.len() as u32 }
    }
}

/// What a reader of one service returns: `(registry, repository, kind)`.
type Found = Option<(Sym, Sym, Kind)>;

/// Records the container facts of one event (row `row`, just added).
pub fn record(raw: &RawEvent, row: Row, store: &mut Store) {
    let mut sink = Sink { strings: &mut store.strings, facts: &mut store.container };
    let name = raw.event_name.str();
    let found: Found = match raw.event_source.str() {
        // ECR Public takes the same calls, with the same parameters; the index tells its
        // repositories apart by the event's source.
        "ecr.amazonaws.com" | "ecr-public.amazonaws.com" => ecr::read(name, raw, &mut sink),
        "ecs.amazonaws.com" => ecs::read(name, raw, &mut sink),
        "imagebuilder.amazonaws.com" => builder::read(name, raw, &mut sink),
        "kms.amazonaws.com" if name == "CreateGrant" => kms::read(raw, &mut sink),
        _ => uses::read(raw, &mut sink),
    };
    if let Some((registry, repo, kind)) = found {
        sink.facts.push(Fact { row, registry, repo, kind });
    }
}

/// A repository in its registry, as the filter's *Repository* field names one by its ARN
/// (`arn:aws:ecr:<region>:<account>:repository/<name>`, or for ECR Public
/// `arn:aws:ecr-public::<account>:repository/<name>`): a name alone is a repository in any account
/// and region, and the generator's `web/api` is fourteen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RepoAt<'a> {
    /// The registry's account.
    pub registry: &'a str,
    /// The region; empty for ECR Public, whose ARNs name none (its calls are all in us-east-1).
    pub region: &'a str,
    /// The repository's name.
    pub name: &'a str,
    /// An ECR Public repository.
    pub public: bool,
}

impl<'a> RepoAt<'a> {
    /// A repository of `registry` in `region`, as the logs hold it: an ECR Public one's region (its
    /// calls' `us-east-1`) is left out, as its ARN leaves it out.
    pub fn new(registry: &'a str, region: &'a str, name: &'a str, public: bool) -> RepoAt<'a> {
        RepoAt { registry, region: if public { "" } else { region }, name, public }
    }

    /// The repository's ARN.
    pub fn arn(&self) -> String {
        if self.public {
            return format!("arn:aws:ecr-public::{}:repository/{}", self.registry, self.name);
        }
        format!("arn:aws:ecr:{}:{}:repository/{}", self.region, self.registry, self.name)
    }

    /// How the filter's *Repository* field names it: its ARN, or where that would not read back as
    /// this repository (no account logged; an account or region with a `:`, which only a forged
    /// log holds), its name alone, as links made before ARNs named them (any registry).
    pub fn value(&self) -> String {
        let arn = self.arn();
        if RepoAt::parse(&arn) == Some(*self) {
            arn
        } else {
            self.name.to_owned()
        }
    }

    /// Reads an ARN as [`RepoAt::arn`] writes it (in any partition); anything else is `None`.
    pub fn parse(arn: &'a str) -> Option<RepoAt<'a>> {
        let mut it = arn.splitn(6, ':');
        let (Some("arn"), Some(_), Some(service), Some(region), Some(registry), Some(rest)) =
            (it.next(), it.next(), it.next(), it.next(), it.next(), it.next())
        else {
            return None;
        };
        let public = match service {
            "ecr" if !region.is_empty() => false,
            "ecr-public" if region.is_empty() => true,
            _ => return None,
        };
        let name = rest.strip_prefix("repository/")?;
        (!name.is_empty() && !registry.is_empty()).then_some(RepoAt { registry, region, name, public })
    }

    /// The repository of an ECR image URI.
    pub fn of_image(uri: &ImageUri<'a>) -> RepoAt<'a> {
        RepoAt::new(uri.account, uri.region, uri.name, false)
    }
}

/// `(account, region, name)` of an ECR repository ARN `arn:aws:ecr:<region>:<account>:repository/<name>`.
pub fn parse_repo_arn(arn: &str) -> Option<(&str, &str, &str)> {
    RepoAt::parse(arn).filter(|r| !r.public).map(|r| (r.registry, r.region, r.name))
}

/// The event source of ECR Public, whose calls are ECR's.
pub const PUBLIC_SOURCE: &str = "ecr-public.amazonaws.com";

/// A repository an event is about, as the store holds it (see [`repos_of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RepoOf {
    /// The repository a call names: in the registry it names or the event's account, in the
    /// event's region, of ECR Public when that logged the call.
    Named {
        /// The registry's account.
        registry: Sym,
        /// The event's region.
        region: Sym,
        /// The name.
        name: Sym,
        /// Logged by ECR Public.
        public: bool,
    },
    /// The repository of an ECR image a task definition or task runs, or another service's write
    /// names (registry and region are the image URI's).
    Image {
        /// The image URI.
        uri: Sym,
        /// The repository's name in it.
        name: Sym,
    },
}

impl RepoOf {
    /// The repository's name.
    pub fn name(self) -> Sym {
        match self {
            RepoOf::Named { name, .. } | RepoOf::Image { name, .. } => name,
        }
    }

    /// How the filter's *Repository* field names it ([`RepoAt::value`]: its ARN, or its name).
    pub fn value(self, store: &Store) -> String {
        match self {
            RepoOf::Named { registry, region, name, public } => {
                let (registry, region, name) = (store.str(registry), store.str(region), store.str(name));
                RepoAt::new(&registry, &region, &name, public).value()
            }
            RepoOf::Image { uri, name } => parse_image_uri(&store.str(uri))
                .map_or_else(|| store.str(name).into_owned(), |u| RepoAt::of_image(&u).value()),
        }
    }
}

/// The repositories the event of row `fact.row` is about ([`ContainerFacts::repos_in`] with their
/// registries): `public_source` is the symbol of [`PUBLIC_SOURCE`], if the store holds it.
pub fn repos_of(store: &Store, fact: Option<Fact>, public_source: Option<Sym>) -> impl Iterator<Item = RepoOf> + '_ {
    let named = fact.filter(|f| !f.repo.is_empty()).map(|f| RepoOf::Named {
        registry: f.registry_or_account(store),
        region: store.region(f.row),
        name: f.repo,
        public: public_source.is_some_and(|p| store.source(f.row) == p),
    });
    let pairs = match fact.map(|f| f.kind) {
        Some(Kind::TaskDef { images, .. } | Kind::Task { images, .. } | Kind::ImageUse { images, .. }) => {
            store.container.syms(images)
        }
        _ => &[],
    };
    named
        .into_iter()
        .chain(pairs.chunks_exact(2).filter(|p| !p[1].is_empty()).map(|p| RepoOf::Image { uri: p[0], name: p[1] }))
}

/// An ECR image URI, `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>[:tag][@digest]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageUri<'a> {
    /// The registry's account.
    pub account: &'a str,
    /// The registry's region.
    pub region: &'a str,
    /// The repository name.
    pub name: &'a str,
    /// The tag (empty when none).
    pub tag: &'a str,
    /// The digest (empty when none).
    pub digest: &'a str,
}

/// Parses an ECR image URI; other images (Docker Hub, ECR Public, other registries) are `None`.
pub fn parse_image_uri(uri: &str) -> Option<ImageUri<'_>> {
    let (host, path) = uri.split_once('/')?;
    let mut parts = host.split('.');
    let account = parts.next()?;
    let dkr = parts.next()?;
    if !(dkr == "dkr" || dkr == "dkr-fips") || parts.next()? != "ecr" {
        return None;
    }
    let region = parts.next()?;
    if parts.next()? != "amazonaws" || account.is_empty() || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (rest, digest) = match path.split_once('@') {
        Some((r, d)) => (r, d),
        None => (path, ""),
    };
    // A tag follows the last ':' after the last '/' (a name has no ':').
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], &rest[last_slash + i + 1..]),
        None => (rest, ""),
    };
    (!name.is_empty()).then_some(ImageUri { account, region, name, tag, digest })
}

#[cfg(test)]
mod tests;
