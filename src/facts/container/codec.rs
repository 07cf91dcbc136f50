//! [`Fact`]s as bytes: each field a LEB128 varint, so a fact costs what its numbers need (most
//! symbols and rows take one to three bytes) instead of the 56 bytes a [`Fact`] takes.
//!
//! Facts are written in row order, each row as its distance from the previous fact's row. Every
//! [`BLOCK`]th fact starts a block whose first row and byte offset the index keeps, so finding a
//! row's fact is a binary search over blocks and at most a block of decoding.

use super::{Exposure, Fact, Kind, Span};
use crate::model::Sym;
use crate::store::Row;

/// Facts per block of the index.
pub const BLOCK: usize = 16;

/// Appends `v` as a varint.
fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads what [`Writer`] wrote.
pub struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    /// A reader at byte `at` of `bytes`.
    pub fn new(bytes: &'b [u8], at: usize) -> Self {
        Reader { bytes, at }
    }

    /// Whether every byte was read.
    pub fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn u64(&mut self) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        // The bytes were written by `put`; a missing byte (which only a bug could cause) reads as 0.
        while let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        v
    }

    fn u32(&mut self) -> u32 {
        self.u64() as u32
    }

    fn sym(&mut self) -> Sym {
        Sym(self.u32())
    }

    fn span(&mut self) -> Span {
        let start = self.u32();
        Span { start, len: self.u32() }
    }

    fn flag(&mut self) -> bool {
        self.u64() != 0
    }

    /// The next fact; `prev` is the row of the fact before it in the same block (or the block's row).
    pub fn fact(&mut self, prev: Row) -> Fact {
        let row = prev + self.u32();
        let registry = self.sym();
        let repo = self.sym();
        let kind = match self.u64() {
            0 => Kind::AuthToken,
            1 => Kind::LayerCheck { digests: self.span() },
            2 => Kind::UploadStart { upload: self.sym(), part_size: self.u64() },
            3 => Kind::UploadPart { upload: self.sym(), first: self.u64(), last: self.u64() },
            4 => Kind::UploadDone { upload: self.sym(), digest: self.sym() },
            5 => Kind::PutImage { tag: self.sym(), digest: self.sym(), media_type: self.sym(), entries: self.span() },
            6 => Kind::GetImage { ids: self.span() },
            7 => Kind::LayerUrl { digest: self.sym() },
            8 => Kind::Lifecycle {
                dry_run: self.flag(),
                policy: self.sym(),
                version: self.u32(),
                rules: self.span(),
                images: self.span(),
                failures: self.u64() as u16,
            },
            9 => Kind::DeleteImages { ids: self.span(), deleted: self.span() },
            10 => Kind::RepoCreated {
                encryption: self.sym(),
                kms_key: self.sym(),
                mutability: self.sym(),
                scan_on_push: match self.u64() {
                    0 => None,
                    v => Some(v == 2),
                },
            },
            11 => Kind::RepoDeleted { force: self.flag() },
            12 => Kind::RepoChange {
                lines: self.span(),
                exposure: match self.u64() {
                    2 => Exposure::Everyone,
                    1 => Exposure::OtherAccounts,
                    _ => Exposure::Own,
                },
            },
            13 => Kind::KmsGrant { key: self.sym(), grantee: self.sym(), operations: self.sym(), grant_id: self.sym() },
            14 => Kind::TaskDef {
                family: self.sym(),
                revision: self.u32(),
                images: self.span(),
                exec_role: self.sym(),
                task_role: self.sym(),
                risks: self.span(),
            },
            15 => Kind::TaskDefGone { family: self.sym(), revision: self.u32() },
            16 => Kind::Service {
                cluster: self.sym(),
                service: self.sym(),
                family: self.sym(),
                revision: self.u32(),
                desired: self.u64().checked_sub(1).map(|v| v as u32),
                deploys: self.u64() != 0,
                exec: self.u64().checked_sub(1).map(|v| v != 0),
            },
            17 => Kind::Task {
                cluster: self.sym(),
                family: self.sym(),
                revision: self.u32(),
                count: self.u64() as u16,
                tasks: self.span(),
                images: self.span(),
                overrides: self.span(),
                exec: self.flag(),
            },
            18 => Kind::TaskCall { cluster: self.sym(), task: self.sym(), detail: self.sym() },
            19 => Kind::Cluster { cluster: self.sym() },
            21 => Kind::ImageUse { images: self.span(), name: self.sym() },
            _ => Kind::Builder {
                pipeline: self.sym(),
                resource: self.sym(),
                build_version: self.sym(),
                recipe: self.sym(),
                sources: self.span(),
            },
        };
        Fact { row, registry, repo, kind }
    }
}

/// Appends `f` to `out`; `prev` is the row [`Reader::fact`] will be given.
pub fn write(out: &mut Vec<u8>, prev: Row, f: &Fact) {
    let mut w = |v: u64| put(out, v);
    w(u64::from(f.row - prev));
    w(u64::from(f.registry.0));
    w(u64::from(f.repo.0));
    let s = |s: Sym| u64::from(s.0);
    let n = u64::from;
    let (tag, fields): (u64, Vec<u64>) = match f.kind {
        Kind::AuthToken => (0, vec![]),
        Kind::LayerCheck { digests } => (1, vec![n(digests.start), n(digests.len)]),
        Kind::UploadStart { upload, part_size } => (2, vec![s(upload), part_size]),
        Kind::UploadPart { upload, first, last } => (3, vec![s(upload), first, last]),
        Kind::UploadDone { upload, digest } => (4, vec![s(upload), s(digest)]),
        Kind::PutImage { tag, digest, media_type, entries } => {
            (5, vec![s(tag), s(digest), s(media_type), n(entries.start), n(entries.len)])
        }
        Kind::GetImage { ids } => (6, vec![n(ids.start), n(ids.len)]),
        Kind::LayerUrl { digest } => (7, vec![s(digest)]),
        Kind::Lifecycle { dry_run, policy, version, rules, images, failures } => (
            8,
            vec![
                u64::from(dry_run),
                s(policy),
                n(version),
                n(rules.start),
                n(rules.len),
                n(images.start),
                n(images.len),
                u64::from(failures),
            ],
        ),
        Kind::DeleteImages { ids, deleted } => (9, vec![n(ids.start), n(ids.len), n(deleted.start), n(deleted.len)]),
        Kind::RepoCreated { encryption, kms_key, mutability, scan_on_push } => {
            let scan = scan_on_push.map_or(0, |v| if v { 2 } else { 1 });
            (10, vec![s(encryption), s(kms_key), s(mutability), scan])
        }
        Kind::RepoDeleted { force } => (11, vec![u64::from(force)]),
        Kind::RepoChange { lines, exposure } => (12, vec![n(lines.start), n(lines.len), exposure as u64]),
        Kind::KmsGrant { key, grantee, operations, grant_id } => {
            (13, vec![s(key), s(grantee), s(operations), s(grant_id)])
        }
        Kind::TaskDef { family, revision, images, exec_role, task_role, risks } => (
            14,
            vec![
                s(family),
                n(revision),
                n(images.start),
                n(images.len),
                s(exec_role),
                s(task_role),
                n(risks.start),
                n(risks.len),
            ],
        ),
        Kind::TaskDefGone { family, revision } => (15, vec![s(family), n(revision)]),
        Kind::Service { cluster, service, family, revision, desired, deploys, exec } => (
            16,
            vec![
                s(cluster),
                s(service),
                s(family),
                n(revision),
                desired.map_or(0, |d| n(d) + 1),
                u64::from(deploys),
                exec.map_or(0, |on| 1 + u64::from(on)),
            ],
        ),
        Kind::Task { cluster, family, revision, count, tasks, images, overrides, exec } => (
            17,
            vec![
                s(cluster),
                s(family),
                n(revision),
                u64::from(count),
                n(tasks.start),
                n(tasks.len),
                n(images.start),
                n(images.len),
                n(overrides.start),
                n(overrides.len),
                u64::from(exec),
            ],
        ),
        Kind::TaskCall { cluster, task, detail } => (18, vec![s(cluster), s(task), s(detail)]),
        Kind::Cluster { cluster } => (19, vec![s(cluster)]),
        Kind::Builder { pipeline, resource, build_version, recipe, sources } => {
            (20, vec![s(pipeline), s(resource), s(build_version), s(recipe), n(sources.start), n(sources.len)])
        }
        Kind::ImageUse { images, name } => (21, vec![n(images.start), n(images.len), s(name)]),
    };
    put(out, tag);
    for v in fields {
        put(out, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_every_kind_round_trips() {
        let sp = |start, len| Span { start, len };
        let kinds = [
            Kind::AuthToken,
            Kind::LayerCheck { digests: sp(3, 100) },
            Kind::UploadStart { upload: Sym(70_000), part_size: 10_485_760 },
            Kind::UploadPart { upload: Sym(9), first: 0, last: u64::MAX },
            Kind::UploadDone { upload: Sym(1), digest: Sym(u32::MAX) },
            Kind::PutImage { tag: Sym(1), digest: Sym(2), media_type: Sym(3), entries: sp(4, 5) },
            Kind::GetImage { ids: sp(u32::MAX, 0) },
            Kind::LayerUrl { digest: Sym(128) },
            Kind::Lifecycle {
                dry_run: true,
                policy: Sym(5),
                version: 2,
                rules: sp(1, 2),
                images: sp(3, 4),
                failures: 7,
            },
            Kind::DeleteImages { ids: sp(1, 1), deleted: sp(2, 0) },
            Kind::RepoCreated { encryption: Sym(1), kms_key: Sym(0), mutability: Sym(2), scan_on_push: Some(false) },
            Kind::RepoCreated { encryption: Sym(1), kms_key: Sym(0), mutability: Sym(2), scan_on_push: Some(true) },
            Kind::RepoCreated { encryption: Sym(1), kms_key: Sym(0), mutability: Sym(2), scan_on_push: None },
            Kind::RepoDeleted { force: true },
            Kind::RepoChange { lines: sp(8, 9), exposure: Exposure::Own },
            Kind::RepoChange { lines: sp(8, 9), exposure: Exposure::OtherAccounts },
            Kind::RepoChange { lines: sp(8, 9), exposure: Exposure::Everyone },
            Kind::KmsGrant { key: Sym(1), grantee: Sym(2), operations: Sym(3), grant_id: Sym(4) },
            Kind::TaskDef {
                family: Sym(1),
                revision: 42,
                images: sp(0, 4),
                exec_role: Sym(2),
                task_role: Sym(0),
                risks: sp(4, 2),
            },
            Kind::TaskDefGone { family: Sym(1), revision: u32::MAX },
            Kind::Service {
                cluster: Sym(1),
                service: Sym(2),
                family: Sym(3),
                revision: 0,
                desired: Some(0),
                deploys: true,
                exec: None,
            },
            Kind::Service {
                cluster: Sym(1),
                service: Sym(2),
                family: Sym(3),
                revision: 0,
                desired: Some(u32::MAX),
                deploys: false,
                exec: Some(true),
            },
            Kind::Service {
                cluster: Sym(1),
                service: Sym(2),
                family: Sym(3),
                revision: 0,
                desired: None,
                deploys: true,
                exec: Some(false),
            },
            Kind::Task {
                cluster: Sym(1),
                family: Sym(2),
                revision: 3,
                count: u16::MAX,
                tasks: sp(1, 2),
                images: sp(3, 4),
                overrides: sp(7, 2),
                exec: true,
            },
            Kind::TaskCall { cluster: Sym(1), task: Sym(2), detail: Sym(3) },
            Kind::Cluster { cluster: Sym(300) },
            Kind::Builder {
                pipeline: Sym(1),
                resource: Sym(2),
                build_version: Sym(3),
                recipe: Sym(4),
                sources: sp(2, 3),
            },
            Kind::ImageUse { images: sp(5, 6), name: Sym(7) },
        ];
        round_trips(&kinds);
    }

    /// Writes a fact of each of `kinds` and reads them back, the same.
    fn round_trips(kinds: &[Kind]) {
        let facts: Vec<Fact> = kinds
            .iter()
            .enumerate()
            .map(|(i, &kind)| Fact { row: i as Row * 1000, registry: Sym(i as u32), repo: Sym(u32::MAX - 1), kind })
            .collect();
        let mut bytes = Vec::new();
        let mut prev = 0;
        for f in &facts {
            write(&mut bytes, prev, f);
            prev = f.row;
        }
        let mut r = Reader::new(&bytes, 0);
        let mut prev = 0;
        for f in &facts {
            let got = r.fact(prev);
            assert_eq!(&got, f);
            prev = got.row;
        }
        assert!(r.done());
    }

    #[test]
    fn ok_lookup_across_blocks_and_out_of_order() {
        let fact =
            |row: Row| Fact { row, registry: Sym(1), repo: Sym(row), kind: Kind::LayerUrl { digest: Sym(row * 7) } };
        let mut c = super::super::ContainerFacts::default();
        let rows: Vec<Row> = (0..5 * BLOCK as Row).map(|i| i * 3 + 1).collect();
        for &r in &rows {
            c.push(fact(r));
        }
        assert_eq!(c.len(), rows.len());
        assert_eq!(c.all().collect::<Vec<_>>(), rows.iter().map(|&r| fact(r)).collect::<Vec<_>>());
        for &r in &rows {
            assert_eq!(c.get(r), Some(fact(r)));
            assert_eq!(c.get(r + 1), None);
        }
        assert_eq!(c.get(0), None);
        // A row before the last is put in its place; the same row again replaces its fact.
        c.push(fact(2));
        let replaced = Fact { kind: Kind::AuthToken, ..fact(4) };
        c.push(replaced);
        assert_eq!((c.get(2), c.get(4), c.get(7)), (Some(fact(2)), Some(replaced), Some(fact(7))));
        assert_eq!(c.len(), rows.len() + 1);
        assert!(c.all().map(|f| f.row).is_sorted());
    }
}
