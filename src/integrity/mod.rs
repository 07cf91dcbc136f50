//! Log integrity, offline: dropped log files checked against CloudTrail digest files.
//!
//! CloudTrail writes, every hour, a digest file listing the SHA-256 of each log file it delivered
//! (of the *decompressed* content), chained to the previous digest by that digest's SHA-256, and
//! signs each digest with a regional RSA key (FORMATS.md section 2). `aws cloudtrail validate-logs`
//! checks this against S3; this module checks it against the files the person dropped:
//!
//! - each dropped log file's SHA-256 against the digest entry whose S3 key it is ([`matching`]):
//!   verified, modified, missing (listed, not dropped) or unlisted (dropped, in no digest);
//! - each digest's `previousDigestHashValue` against the SHA-256 of the dropped previous digest:
//!   links, breaks, and gaps (a chain that restarts, or a digest between dropped ones that is absent);
//! - optionally, `SHA256withRSA` signatures down each chain from a pasted signature of its newest
//!   digest, with the pasted `list-public-keys` output ([`keys`], [`signature`]).
//!
//! Hashing costs: SHA-256 in WebAssembly (no SHA instructions) costs about three quarters of ingest's
//! own time per byte (`cargo bench --bench integrity --features soft-sha256`), so a load without
//! digests does not hash. Files the check needs hashed are hashed as they are read
//! (`Engine::hash_while_reading`: the decompressed content is kept whole and the worker has the
//! browser's faster SHA-256 hash it): digests, files a digest read so far may list
//! ([`Integrity::may_list`]), and, while digests given are not all read yet, every file
//! (`Engine::wants_hash`). A file read before the digest that lists it, or not read to its end, is
//! read again after the load: the worker asks for the files that still need a hash ([`Integrity::to_hash`]:
//! the digests, and files whose name a digest lists) and hands each [`HashOutcome`] to the engine.
//! Everything here is pure and tested natively.
//!
//! ```
//! use trailscope::integrity::{hash::Hasher, Integrity};
//! use trailscope::ingest::FileKind;
//! let mut state = Integrity::default();
//! let digest = br#"{"digestEndTime":"2026-03-01T01:00:00Z","digestS3Bucket":"b","digestS3Object":"AWSLogs/1/CloudTrail-Digest/d.json.gz",
//!   "logFiles":[{"s3Bucket":"b","s3Object":"AWSLogs/1/CloudTrail/x.json.gz","hashValue":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}]}"#;
//! state.digest_read(0, Some(digest.as_slice()), "AWSLogs/1/CloudTrail-Digest/d.json.gz", FileKind::Digest);
//! let files = [("AWSLogs/1/CloudTrail-Digest/d.json.gz", FileKind::Digest), ("x.json", FileKind::Logs)];
//! assert_eq!(state.to_hash(&files), vec![0, 1]);
//! state.set_hash(0, Hasher::of(digest));
//! state.set_hash(1, Hasher::of(b"abc"));
//! let checked = state.check(&files, None, &Default::default());
//! assert_eq!((checked.report.counts.verified, checked.report.counts.missing), (1, 0));
//! ```

pub mod check;
pub mod digest;
pub mod hash;
pub mod keys;
pub mod matching;
pub mod report;
pub mod signature;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use check::{Checked, DroppedFile, Inputs};
use digest::Digest;
pub use hash::{HashOutcome, StopCause};
use keys::KeyMaterial;
use matching::KeyIndex;
pub use report::{Finding, IntegrityReport};

use crate::ingest::FileKind;
use crate::store::FileId;

/// Whether `path` is at a `CloudTrail-Digest` folder or named so: a file there is read as a digest
/// when it is one, and files are hashed as they are read while such files are given and not read
/// (see `Engine::wants_hash`).
pub fn digest_named(path: &str) -> bool {
    path.contains("CloudTrail-Digest")
}

/// The integrity state the engine keeps: digests read at ingest and hashes computed after it.
#[derive(Debug, Default)]
pub struct Integrity {
    digests: BTreeMap<FileId, Result<Digest, String>>,
    hashes: HashMap<FileId, HashOutcome>,
    /// The file names of the log files the readable digests list (see [`Integrity::may_list`]).
    listed_names: HashSet<String>,
    /// Hash outcomes recorded or forgotten so far (see [`Integrity::changes`]).
    changes: u64,
    /// Files given and never read, by path, with their size (see [`Integrity::not_read`]).
    not_read: BTreeMap<Box<str>, (NotRead, Option<u64>)>,
    /// Dropped folders a Cancel stopped the walk before it listed (see [`Integrity::not_listed`]).
    not_listed: BTreeSet<Box<str>>,
}

/// Why a file given was never read: the load stopped before it. A log file a digest lists that was
/// given but not read is not "missing" (not dropped), and a digest given but not read is not a gap
/// in its chain; the check says what happened instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NotRead {
    /// Cancel, while loading.
    Cancelled,
    /// The engine's memory reached its limit.
    MemoryFull,
}

impl NotRead {
    /// Why, as the file's row says.
    pub fn why(self) -> &'static str {
        match self {
            NotRead::Cancelled => "loading was cancelled before it was read",
            NotRead::MemoryFull => "the engine's memory reached its limit before it was read",
        }
    }

    /// What to do to check it: this tab reads no more files once its memory is full.
    pub fn advice(self) -> &'static str {
        match self {
            NotRead::Cancelled => "drop it again to check it",
            NotRead::MemoryFull => "load it with fewer files, in another tab, to check it",
        }
    }

    /// What the check says of `n` digests given and not read, when no digest was read: why, and
    /// what to do (a full tab reads no more files, so "drop them again" would not work there).
    pub fn digests_sentence(self, n: u64) -> String {
        let (they, them, were) = if n == 1 { ("it", "it", "was") } else { ("they", "them", "were") };
        let (why, advice) = match self {
            NotRead::Cancelled => {
                (format!("loading was cancelled before {they} {were} read"), format!("Drop {them} again"))
            }
            NotRead::MemoryFull => (
                format!("the engine's memory reached its limit before {they} {were} read"),
                format!("Load {them} with fewer log files, in another tab,"),
            ),
        };
        format!(
            "{} at a CloudTrail-Digest path {were} dropped but not read: {why}. {advice} to check the logs against {them}.",
            crate::text::plural(n, "file", "files"),
        )
    }
}

impl Integrity {
    /// Notes a closed file: a digest's JSON (ingest keeps it) is parsed now; a file at a
    /// `CloudTrail-Digest` path that ingest did not take for a digest is kept as an unreadable digest.
    pub fn digest_read(&mut self, file: FileId, json: Option<&[u8]>, path: &str, kind: FileKind) {
        match (kind, json) {
            (FileKind::Digest, Some(json)) => {
                let digest = Digest::parse(json);
                if let Ok(d) = &digest {
                    self.listed_names.extend(d.log_files.iter().map(|e| matching::file_name(&e.key).to_owned()));
                }
                self.digests.insert(file, digest);
            }
            (FileKind::Logs | FileKind::Pending, _) => {}
            _ if crate::ingest::PathMeta::from_path(path).digest_path => {
                let why = match kind {
                    FileKind::Empty => "it is empty".to_owned(),
                    FileKind::Unreadable => "the browser could not read it".to_owned(),
                    _ => "it could not be read as a digest (see its warnings)".to_owned(),
                };
                self.digests.insert(file, Err(why));
            }
            _ => {}
        }
    }

    /// Files that still need a hash, in file order: every digest, and every other file whose name a
    /// digest lists. `files` holds each file's (path, kind) by file id.
    pub fn to_hash(&self, files: &[(&str, FileKind)]) -> Vec<FileId> {
        let index = KeyIndex::new(
            self.digests
                .values()
                .filter_map(|d| d.as_ref().ok())
                .flat_map(|d| d.log_files.iter().map(|e| e.key.as_str())),
        );
        files
            .iter()
            .enumerate()
            .map(|(id, f)| (id as FileId, f))
            .filter(|(id, _)| !self.hashes.contains_key(id))
            .filter(|(id, (path, kind))| match self.digests.get(id) {
                Some(d) => d.is_ok(),
                None => *kind != FileKind::Pending && index.may_match(path),
            })
            .map(|(id, _)| id)
            .collect()
    }

    /// Whether a digest read so far may list the file at `path` (by its name, as
    /// [`KeyIndex::may_match`] says): such a file needs a hash, one no digest lists does not.
    pub fn may_list(&self, path: &str) -> bool {
        // Before any digest is read (most drops have none), without a `name.gz` per file.
        !self.listed_names.is_empty() && matching::name_may_match(path, |name| self.listed_names.contains(name))
    }

    /// Records a file's hash.
    pub fn set_hash(&mut self, file: FileId, outcome: HashOutcome) {
        self.hashes.insert(file, outcome);
        self.changes += 1;
    }

    /// Forgets the outcomes of files not hashed because loading was cancelled or checking stopped
    /// first ([`HashOutcome::Stopped`]), so that [`Self::to_hash`] gives them again; returns how many.
    pub fn unstop(&mut self) -> u64 {
        let before = self.hashes.len();
        self.hashes.retain(|_, h| !matches!(h, HashOutcome::Stopped(_)));
        self.changes += 1;
        (before - self.hashes.len()) as u64
    }

    /// A count that moves whenever a hash outcome is recorded or forgotten: the page asks for the
    /// check again when it moves, as counts alone can come back to where they were (a file stopped,
    /// asked again, then hashed).
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// A file's hash, if it has one.
    pub fn hash(&self, file: FileId) -> Option<&HashOutcome> {
        self.hashes.get(&file)
    }

    /// Files hashed so far (or found unreadable; not those stopped before they were hashed).
    pub fn hashed(&self) -> u64 {
        self.hashes.values().filter(|h| !matches!(h, HashOutcome::Stopped(_))).count() as u64
    }

    /// Notes a file given and never read (queued when loading was cancelled or the memory filled),
    /// until it is given again and read ([`Integrity::reading`]); its size is `None` when it was
    /// never asked (a file the page had not handed over when Cancel came).
    pub fn not_read(&mut self, path: &str, why: NotRead, size: Option<u64>) {
        self.not_read.insert(path.into(), (why, size));
        self.changes += 1;
    }

    /// A dropped folder a Cancel stopped the walk of the drop before it listed: the files in it
    /// were never found, so a log a digest lists there is not "missing" (see
    /// [`check::Inputs::not_listed`]). It stands until a file in it is read (the folder was dropped
    /// again and listed then).
    pub fn not_listed(&mut self, folder: &str) {
        let folder = folder.trim_end_matches(['/', '\\']);
        if !folder.is_empty() && self.not_listed.insert(folder.into()) {
            self.changes += 1;
        }
    }

    /// Dropped folders not listed (see [`Integrity::not_listed`]), in path order.
    pub fn folders_not_listed(&self) -> impl Iterator<Item = &str> {
        self.not_listed.iter().map(AsRef::as_ref)
    }

    /// A file at `path` is being read: given again after it was not read, it no longer counts as
    /// not read, and the folders it is in were listed. Returns whether either changed the check.
    pub fn reading(&mut self, path: &str) -> bool {
        let mut was = !self.not_read.is_empty() && self.not_read.remove(path).is_some();
        if !self.not_listed.is_empty() {
            // Each folder above the file, from its own up.
            let mut folder = path;
            while let Some(end) = folder.rfind(['/', '\\']) {
                folder = &folder[..end];
                was |= self.not_listed.remove(folder);
            }
        }
        if was {
            self.changes += 1;
        }
        was
    }

    /// How many files `why` left unread (and not read since), the size of those whose size is known,
    /// and how many of them have none.
    pub fn not_read_count(&self, why: NotRead) -> NotReadCount {
        let mut count = NotReadCount::default();
        for &(_, size) in self.not_read.values().filter(|(w, _)| *w == why) {
            count.files += 1;
            match size {
                Some(size) => count.bytes += size,
                None => count.size_unknown += 1,
            }
        }
        count
    }

    /// The S3 buckets the digests read name: where each digest and the log files it lists were
    /// delivered (for the calls to those buckets that matter to logging).
    pub fn buckets(&self) -> impl Iterator<Item = &str> {
        self.digests
            .values()
            .filter_map(|d| d.as_ref().ok())
            .flat_map(|d| std::iter::once(d.bucket.as_str()).chain(d.log_files.iter().map(|l| l.bucket.as_str())))
    }

    /// Digest files read (readable or not): moves whenever [`Self::buckets`] may.
    pub fn digest_count(&self) -> usize {
        self.digests.len()
    }

    /// Whether any digest (readable or not) was dropped.
    pub fn has_digests(&self) -> bool {
        !self.digests.is_empty()
    }

    /// Runs the check over `files` ((path, kind) by file id), with pasted keys when given.
    /// `explained` holds what the logs say about gaps and files not found.
    pub fn check(
        &self,
        files: &[(&str, FileKind)],
        keys: Option<&KeyMaterial>,
        explained: &check::Explanations,
    ) -> Checked {
        let dropped: Vec<DroppedFile> = files.iter().map(|&(path, kind)| DroppedFile { path, kind }).collect();
        check::check(&Inputs {
            files: &dropped,
            digests: &self.digests,
            hashes: &self.hashes,
            not_read: &self.not_read,
            not_listed: &self.not_listed,
            keys,
            explained,
        })
    }
}

/// Files left unread for one reason (see [`Integrity::not_read_count`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NotReadCount {
    /// Files left unread.
    pub files: u64,
    /// The size of those whose size is known.
    pub bytes: u64,
    /// Files whose size was never asked.
    pub size_unknown: u64,
}

#[cfg(test)]
mod tests {
    use super::NotRead;

    #[test]
    fn ok_one_digest_not_read_is_spoken_of_as_one() {
        assert_eq!(
            NotRead::Cancelled.digests_sentence(1),
            "1 file at a CloudTrail-Digest path was dropped but not read: loading was cancelled before it was \
             read. Drop it again to check the logs against it."
        );
        let many = NotRead::MemoryFull.digests_sentence(3);
        assert!(many.starts_with("3 files at a CloudTrail-Digest path were dropped"), "{many}");
        assert!(many.contains("before they were read. Load them with fewer log files"), "{many}");
        assert!(many.ends_with("against them."), "{many}");
    }
}
