//! What the integrity check found, as small serde values for the page (lists cut, totals kept).

use serde::{Deserialize, Serialize};

use crate::store::FileId;

/// Where the check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CheckState {
    /// No digest file was dropped: nothing to check against.
    #[default]
    NoDigests,
    /// Files are still being hashed.
    Checking,
    /// Every file that needs a hash has one.
    Done,
}

impl CheckState {
    /// The value of `data-state` on `[data-testid=integrity-status]`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckState::NoDigests => "none",
            CheckState::Checking => "checking",
            CheckState::Done => "done",
        }
    }
}

/// One log file's standing against the digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Finding {
    /// A digest lists it with a different SHA-256, or it cannot be decompressed.
    Modified,
    /// A digest lists it and it was not dropped.
    Missing,
    /// Dropped, but no dropped digest lists it.
    Unlisted,
    /// It could not be read again to hash it: not checked.
    Unread,
    /// Its hash is still being computed.
    Pending,
    /// Its SHA-256 equals what the digest lists.
    Verified,
}

impl Finding {
    /// A short word for badges and `data-finding`.
    pub fn as_str(self) -> &'static str {
        match self {
            Finding::Modified => "modified",
            Finding::Missing => "missing",
            Finding::Unlisted => "unlisted",
            Finding::Unread => "unread",
            Finding::Pending => "pending",
            Finding::Verified => "verified",
        }
    }
}

/// A log file (dropped, or listed and missing) and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFinding {
    /// The dropped file; `None` for a missing one.
    pub file: Option<FileId>,
    /// Its dropped path, or for a missing file its S3 key.
    pub path: String,
    /// What was found.
    pub finding: Finding,
    /// The digest file that lists it (its dropped path), if any.
    pub digest: Option<String>,
    /// Why, in words for people.
    pub detail: String,
    /// The digest that lists it has a verified signature.
    pub signed: bool,
}

/// How a digest links to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Link {
    /// It names no previous digest and is the oldest dropped of its trail: the chain starts here.
    ChainStart,
    /// Its `previousDigestHashValue` equals the SHA-256 of the dropped previous digest.
    Linked,
    /// It does not: the previous digest (or this one) was changed, or two digests claim one predecessor.
    Broken,
    /// It names no previous digest although older digests of its trail were dropped (a gap).
    Restarted,
    /// The digest it names was not dropped, and older ones of its trail were (a gap).
    PreviousMissing,
    /// The digest it names was not dropped, and it is the oldest dropped: checked from here on only.
    PreviousNotDropped,
    /// The previous digest is still being hashed.
    Pending,
    /// The previous digest was not hashed (it could not be read again, or checking stopped first):
    /// the link is not checked.
    Unchecked,
}

/// A digest's signature check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SigCheck {
    /// Not checked (no key, no signature, or the chain of signatures stopped before it).
    NotChecked,
    /// `SHA256withRSA` over its signing string verifies with the key it names.
    Verified,
    /// It does not verify.
    Failed,
}

/// One dropped digest file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestRow {
    /// The file.
    pub file: FileId,
    /// Its dropped path.
    pub path: String,
    /// Its trail, `account / region / trail`.
    pub trail: String,
    /// `digestEndTime`.
    pub end: String,
    /// Log files it lists.
    pub logs_listed: u64,
    /// Its link to the previous digest.
    pub link: Link,
    /// Its signature.
    pub signature: SigCheck,
    /// What was found, in words (link, signature and anything odd).
    pub notes: Vec<String>,
}

impl DigestRow {
    /// Whether it shows a problem: a broken link, a gap before it, or a signature that failed.
    pub fn has_problem(&self) -> bool {
        matches!(self.link, Link::Broken | Link::Restarted | Link::PreviousMissing)
            || self.signature == SigCheck::Failed
    }
}

/// One trail's chain of dropped digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainRow {
    /// `account / region / trail`.
    pub trail: String,
    /// Dropped digests.
    pub digests: u64,
    /// `digestEndTime` of the oldest and newest dropped.
    pub first_end: String,
    /// See `first_end`.
    pub last_end: String,
    /// Links checked and equal.
    pub links_ok: u64,
    /// Broken links.
    pub breaks: u64,
    /// Gaps: restarts and missing digests between dropped ones.
    pub gaps: u64,
    /// Signatures verified / failed / not checked.
    pub signatures: [u64; 3],
}

/// Counts shown on `[data-testid=integrity-status]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityCounts {
    /// Dropped log files whose SHA-256 equals their digest entry.
    pub verified: u64,
    /// Dropped log files whose SHA-256 differs (or that cannot be decompressed).
    pub modified: u64,
    /// Log files listed in a dropped digest and not dropped.
    pub missing: u64,
    /// Dropped log files no dropped digest lists.
    pub unlisted: u64,
    /// Files still being hashed.
    pub pending: u64,
    /// Files dropped again (same name as a file hashed) still being hashed: until then they are
    /// taken for the file they copy (see `check::copies`), not counted in `pending`.
    pub copies_pending: u64,
    /// Log files not hashed: they could not be read again, or loading was cancelled or checking
    /// stopped first.
    pub unread: u64,
    /// Files (log files and digests) not hashed because loading was cancelled or checking stopped
    /// first: hashed if the check is asked again (see `Engine::check_again`).
    pub stopped: u64,
    /// Of those, the files loading's Cancel stopped (the rest, Stop checking's).
    pub stopped_cancelled: u64,
    /// Listed log files given but never read, as loading stopped first (counted in `unread`, not
    /// `missing`).
    pub not_read: u64,
    /// Listed log files not found, that may lie in a dropped folder a Cancel stopped the walk
    /// before it listed (counted in `unread`, not `missing`).
    pub not_listed: u64,
    /// Files at a `CloudTrail-Digest` path given but never read, as loading stopped first.
    pub digests_not_read: u64,
    /// Files read again after the load to be hashed (not hashed as they were loaded: dropped before
    /// any digest, or not read to their end then). Set by the engine, which knows.
    pub read_again: u64,
    /// Verified files whose digest's signature was verified too.
    pub signed: u64,
    /// Distinct log files the digests list.
    pub listed: u64,
    /// Digest files read.
    pub digests: u64,
    /// Files at a digest path, or recognised as digests, that could not be read as one.
    pub digests_unreadable: u64,
    /// Trails (chains).
    pub chains: u64,
    /// Links checked and equal.
    pub links_ok: u64,
    /// Broken links.
    pub breaks: u64,
    /// Gaps.
    pub gaps: u64,
    /// Digests whose signature verified.
    pub signatures_verified: u64,
    /// Digests whose signature failed.
    pub signatures_failed: u64,
    /// Digests whose signature was not checked.
    pub signatures_unchecked: u64,
    /// Public keys read from the paste.
    pub keys: u64,
    /// Signatures read from the paste.
    pub signatures_given: u64,
}

impl IntegrityCounts {
    /// Why the files [`Self::stopped`] counts were not hashed, to follow "not hashed because": one
    /// cause, or both with how many each stopped.
    pub fn stopped_because(&self) -> String {
        let (cancelled, checking) = (self.stopped_cancelled, self.stopped - self.stopped_cancelled.min(self.stopped));
        match (cancelled, checking) {
            (_, 0) => "loading was cancelled first".to_owned(),
            (0, _) => "checking was stopped first".to_owned(),
            _ => format!(
                "loading was cancelled ({}) or checking was stopped ({}) first",
                crate::text::thousands(cancelled),
                crate::text::thousands(checking)
            ),
        }
    }
}

/// The whole answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityReport {
    /// Where the check is.
    pub state: CheckState,
    /// Counts.
    pub counts: IntegrityCounts,
    /// Log files, problems first (cut; `files_total` says how many).
    pub files: Vec<FileFinding>,
    /// All of them.
    pub files_total: u64,
    /// Digest files: those with a problem first, each group by trail then time (cut).
    pub digests: Vec<DigestRow>,
    /// All of them.
    pub digests_total: u64,
    /// One row per trail.
    pub chains: Vec<ChainRow>,
    /// Why the digests given were not read, when some were (the memory limit if any was left for
    /// it, as its advice differs): see `counts.digests_not_read`.
    pub digests_not_read_why: Option<super::NotRead>,
    /// What was and was not verified, in sentences.
    pub statements: Vec<String>,
    /// Problems with the pasted keys and signatures.
    pub key_problems: Vec<String>,
    /// Trails and event data stores stopped, narrowed or started in the logs loaded (the engine
    /// adds them to the answer; the digests' check knows nothing of them).
    #[serde(default)]
    pub logging: crate::analysis::logging::LoggingReport,
    /// The other services that watch the account (`GuardDuty`, Config, flow logs...) turned off,
    /// narrowed or started in the logs loaded (added by the engine likewise).
    #[serde(default)]
    pub monitoring: crate::analysis::logging::LoggingReport,
}

impl IntegrityReport {
    /// The same report with lists cut to `limit` entries.
    #[must_use]
    pub fn cut(&self, limit: usize) -> IntegrityReport {
        let mut r = self.clone();
        r.files.truncate(limit);
        r.digests.truncate(limit);
        r.chains.truncate(limit);
        r.key_problems.truncate(limit);
        r
    }
}

/// What the person pasted for the signature check; both empty means "do not check signatures".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeysInput {
    /// The output of `aws cloudtrail list-public-keys` (or PEM keys).
    pub public_keys: String,
    /// Digest signatures (`x-amz-meta-signature`), at least the newest digest's.
    pub signatures: String,
}

impl KeysInput {
    /// Whether nothing was pasted.
    pub fn is_empty(&self) -> bool {
        self.public_keys.trim().is_empty() && self.signatures.trim().is_empty()
    }
}
