//! The check itself: log files against digest entries, digests against each other, signatures down
//! each chain. Pure: it takes the files' paths and kinds, the parsed digests and the hashes computed so
//! far, and returns a report; nothing is read here.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::digest::{Digest, Trail};
use super::hash::{hex, HashOutcome, Sha, StopCause};
use super::keys::KeyMaterial;
use super::matching::{file_name, parts, suffix_match, KeyIndex};
use super::report::{ChainRow, CheckState, DigestRow, FileFinding, Finding, IntegrityReport, Link, SigCheck};
use super::signature::{signing_string, verify, ALGORITHM};
use super::NotRead;
use crate::ingest::FileKind;
use crate::model::time::parse_iso;
use crate::store::FileId;
use crate::text::{agree, plural, thousands};

/// A dropped file as the check sees it.
#[derive(Debug, Clone, Copy)]
pub struct DroppedFile<'a> {
    /// Relative path as dropped.
    pub path: &'a str,
    /// What ingest found it to be.
    pub kind: FileKind,
}

/// Everything the check reads.
pub struct Inputs<'a> {
    /// Every dropped file, by file id.
    pub files: &'a [DroppedFile<'a>],
    /// Digest files read, or why a digest-looking file could not be read as one.
    pub digests: &'a BTreeMap<FileId, Result<Digest, String>>,
    /// Hashes computed so far.
    pub hashes: &'a HashMap<FileId, HashOutcome>,
    /// Files given and never read, by path, with their size (see `Integrity::not_read`).
    pub not_read: &'a BTreeMap<Box<str>, (NotRead, Option<u64>)>,
    /// Dropped folders the walk of the drop did not list, as a Cancel stopped it first (see
    /// `Integrity::not_listed`): a listed log that may lie in one was never found, not deleted.
    pub not_listed: &'a BTreeSet<Box<str>>,
    /// Pasted keys and signatures, when the person gave some.
    pub keys: Option<&'a KeyMaterial>,
    /// What the logs say that explains a gap in a chain or a listed file not found.
    pub explained: &'a Explanations,
}

/// What the logs hold that explains a finding: the calls that stopped or narrowed a trail (a gap
/// in its digest chain after them) and the CloudTrail files deleted from their bucket (a listed
/// file not among the dropped ones).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanations {
    /// Calls that stopped or narrowed a trail.
    pub causes: Vec<GapCause>,
    /// By S3 key, for people: who deleted the file and when (`DeleteObject` data events that went
    /// through).
    pub deleted: HashMap<String, String>,
    /// `DeleteObjects` calls that went through, oldest first: each may have deleted any file its
    /// bucket held then, the keys being in no log.
    pub batches: Vec<GapCause>,
}

/// A call the logs hold that stopped or narrowed a trail (`StopLogging`, `DeleteTrail`, validation
/// turned off...): a gap in that trail's digest chain after it has its reason in the logs. In
/// [`Explanations::batches`], a `DeleteObjects` on the bucket named by `trail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapCause {
    /// The trail's account.
    pub account: String,
    /// The trail's name.
    pub trail: String,
    /// When.
    pub time: crate::model::Millis,
    /// For people: the call, when and by whom.
    pub text: String,
}

/// Causes quoted in one digest's note at most.
const MAX_CAUSES: usize = 3;

/// The report, and each dropped file's finding by file id (for badges on events).
pub struct Checked {
    /// The full report (lists not cut).
    pub report: IntegrityReport,
    /// By file id: the file's finding, `None` for files that are not log files or when no digest was dropped.
    pub by_file: Vec<Option<Finding>>,
}

/// One distinct log file the digests list.
struct Entry<'a> {
    /// The bucket the digests name for it.
    bucket: &'a str,
    key: &'a str,
    /// (lower-case hex hash, algorithm, listing digest's file id), one per digest listing it.
    listings: Vec<(String, &'a str, FileId)>,
    found: bool,
}

/// Runs the check.
pub fn check(inputs: &Inputs<'_>) -> Checked {
    let mut report = IntegrityReport::default();
    let mut by_file = vec![None; inputs.files.len()];
    let copies = copies(inputs);
    let mut digests: Vec<(FileId, &Digest)> = Vec::new();
    let mut unreadable: Vec<(FileId, &String)> = Vec::new();
    for (&id, d) in inputs.digests.iter().filter(|(id, _)| !copies.contains_key(id)) {
        match d {
            Ok(d) => digests.push((id, d)),
            Err(why) => unreadable.push((id, why)),
        }
    }
    report.counts.digests = digests.len() as u64;
    report.counts.digests_unreadable = unreadable.len() as u64;
    let digests_not_read = || inputs.not_read.iter().filter(|(p, _)| super::digest_named(p)).map(|(_, &(why, _))| why);
    report.counts.digests_not_read = digests_not_read().count() as u64;
    report.digests_not_read_why =
        digests_not_read().find(|&why| why == NotRead::MemoryFull).or_else(|| digests_not_read().next());
    if digests.is_empty() && unreadable.is_empty() {
        report.statements.push(nothing_checked(report.counts.digests_not_read, report.digests_not_read_why));
        return Checked { report, by_file };
    }
    let path_of = |id: FileId| inputs.files.get(id as usize).map_or("", |f| f.path);

    // Distinct entries by (bucket, key); a key listed twice must hash the same both times.
    let mut entries: BTreeMap<(&str, &str), Entry> = BTreeMap::new();
    for &(id, d) in &digests {
        for e in &d.log_files {
            entries
                .entry((e.bucket.as_str(), e.key.as_str()))
                .or_insert_with(|| Entry { bucket: &e.bucket, key: &e.key, listings: Vec::new(), found: false })
                .listings
                .push((e.hash.trim().to_ascii_lowercase(), e.algorithm.as_str(), id));
        }
    }
    let mut entries: Vec<Entry> = entries.into_values().collect();
    report.counts.listed = entries.len() as u64;
    let index = KeyIndex::new(entries.iter().map(|e| e.key));

    let sigs = signatures(inputs, &digests, &mut report);
    let signed = |digest: FileId| sigs.get(&digest).is_some_and(|(s, _)| *s == SigCheck::Verified);

    // Dropped files against the entries.
    for (id, f) in inputs.files.iter().enumerate() {
        let id = id as FileId;
        if matches!(f.kind, FileKind::Digest | FileKind::Pending)
            || inputs.digests.contains_key(&id)
            || copies.contains_key(&id)
        {
            continue;
        }
        let matched = index.matches(f.path);
        if matched.is_empty() {
            if f.kind == FileKind::Logs {
                let detail = unlisted_detail(f.path, &digests);
                push_file(&mut report, &mut by_file, Some(id), f.path, Finding::Unlisted, None, detail, false);
            }
            continue;
        }
        let (finding, at, detail) = finding_of(inputs.hashes.get(&id), &matched, &entries);
        if finding == Finding::Verified {
            entries[at].found = true;
        } else {
            for &m in &matched {
                entries[m].found = true;
            }
        }
        let listing = entries[at].listings[0].2;
        let is_signed = finding == Finding::Verified && entries[at].listings.iter().all(|l| signed(l.2));
        let digest = Some(path_of(listing).to_owned());
        push_file(&mut report, &mut by_file, Some(id), f.path, finding, digest, detail, is_signed);
    }
    entries_not_found(inputs, &index, &mut entries, &mut report, &mut by_file);
    // A copy's events are badged as the file it copies.
    for (&copy, &of) in &copies {
        by_file[copy as usize] = by_file[of as usize];
    }
    report.files.sort_by(|a, b| (a.finding, &a.path).cmp(&(b.finding, &b.path)));
    report.files_total = report.files.len() as u64;

    chains(inputs, &digests, &sigs, &mut report);
    report.digests.extend(unreadable.into_iter().map(|(id, why)| unreadable_digest(id, path_of(id), why)));
    // The page lists the first few hundred: a broken link in a month of hourly digests was cut off.
    report.digests.sort_by_key(|d| !d.has_problem());
    report.digests_total = report.digests.len() as u64;
    for h in inputs.hashes.values() {
        if let HashOutcome::Stopped(cause) = h {
            report.counts.stopped += 1;
            report.counts.stopped_cancelled += u64::from(*cause == StopCause::LoadCancelled);
        }
    }
    // A copy of a hashed file waits for its own hash: it may yet differ.
    report.counts.copies_pending =
        copies.iter().filter(|(c, o)| !inputs.hashes.contains_key(c) && inputs.hashes.contains_key(o)).count() as u64;
    let pending = report.counts.pending > 0
        || report.counts.copies_pending > 0
        || digests.iter().any(|(id, _)| !inputs.hashes.contains_key(id))
        || report.digests.iter().any(|d| d.link == Link::Pending);
    report.state = if pending { CheckState::Checking } else { CheckState::Done };
    statements(&mut report, inputs.keys.is_some());
    Checked { report, by_file }
}

/// The row of a file at a digest path that could not be read as a digest.
fn unreadable_digest(file: FileId, path: &str, why: &str) -> DigestRow {
    DigestRow {
        file,
        path: path.to_owned(),
        trail: String::new(),
        end: String::new(),
        logs_listed: 0,
        link: Link::Broken,
        signature: SigCheck::NotChecked,
        notes: vec![format!("this file is at a CloudTrail-Digest path or looked like a digest, but {why}")],
    }
}

/// Why nothing was checked: no digest was dropped, or those dropped were not read (`why`: the
/// reason of any one of them, the memory limit first: a full tab reads no more files).
fn nothing_checked(digests_not_read: u64, why: Option<NotRead>) -> String {
    match why {
        Some(why) if digests_not_read > 0 => {
            format!("No digest was read, so nothing was checked. {}", why.digests_sentence(digests_not_read))
        }
        _ => "No CloudTrail digest file was dropped, so nothing was checked. Drop the CloudTrail-Digest folder with the logs to check them."
            .into(),
    }
}

/// The entries no dropped file was found for: a file given but never read (see `Integrity::not_read`),
/// or missing.
fn entries_not_found(
    inputs: &Inputs<'_>,
    index: &KeyIndex,
    entries: &mut [Entry],
    report: &mut IntegrityReport,
    by_file: &mut [Option<Finding>],
) {
    let path_of = |id: FileId| inputs.files.get(id as usize).map_or("", |f| f.path);
    // Listed files given but never read: what stopped the load, not "missing".
    for (path, &(why, _)) in inputs.not_read {
        for m in index.matches(path) {
            if entries[m].found {
                continue;
            }
            entries[m].found = true;
            let digest = Some(path_of(entries[m].listings[0].2).to_owned());
            let detail = format!("it was dropped but not read: {}; {}", why.why(), why.advice());
            push_file(report, by_file, None, path, Finding::Unread, digest, detail, false);
            report.counts.not_read += 1;
        }
    }
    let folders = FoldersNotListed::new(inputs.not_listed);
    for e in entries.iter().filter(|e| !e.found) {
        let listing = path_of(e.listings[0].2);
        if let Some(folder) = folders.holding(e.key) {
            let detail = format!(
                "listed in digest {}, and may be in the dropped folder {folder}, which was not listed: loading was cancelled before the folders were all listed; drop the folder again to check it",
                file_name(listing)
            );
            push_file(report, by_file, None, e.key, Finding::Unread, Some(listing.to_owned()), detail, false);
            report.counts.not_listed += 1;
            continue;
        }
        let mut detail = format!("listed in digest {} and not among the dropped files", file_name(listing));
        if let Some(deleted) = inputs.explained.deleted.get(e.key) {
            detail = format!("{detail}; {deleted}");
        } else if let Some(batch) = batch_after(inputs.explained, e) {
            detail = format!("{detail}; {}, which does not log which: it may have been one", batch.text);
        }
        push_file(report, by_file, None, e.key, Finding::Missing, Some(listing.to_owned()), detail, false);
    }
}

/// The first `DeleteObjects` that went through on the bucket of entry `e` once CloudTrail had
/// delivered it (the time its name gives; any time, when it gives none).
fn batch_after<'x>(explained: &'x Explanations, e: &Entry) -> Option<&'x GapCause> {
    let delivered = crate::ingest::path::delivered_at(e.key).unwrap_or(crate::model::Millis::MIN);
    explained.batches.iter().find(|b| b.trail == e.bucket && b.time >= delivered)
}

/// Dropped folders not listed, to ask which of them may hold the log at an S3 key. The files under a
/// folder have paths that start with it and end with their keys (see [`super::matching`]), so a key
/// may be in a folder when the key's first folders are the folder's last ones
/// (`logs/AWSLogs/1/CloudTrail/eu-west-1` holds `AWSLogs/1/CloudTrail/eu-west-1/2026/03/01/x.json.gz`),
/// or when the whole folder's path is among the key's folders (a dropped `CloudTrail` holds it,
/// its files' paths being shorter than their keys). A folder wholly above the keys (`logs`) holds
/// none; but then no digest in it was read either.
struct FoldersNotListed<'a> {
    /// Each folder's trailing parts after its first (`1/CloudTrail`, `CloudTrail` for
    /// `AWSLogs/1/CloudTrail`), to the folder: they hold a key that starts with them.
    tails: HashMap<Vec<&'a str>, &'a str>,
    /// Each folder's parts: they hold a key they are found anywhere in.
    whole: HashMap<Vec<&'a str>, &'a str>,
}

impl<'a> FoldersNotListed<'a> {
    fn new(folders: &'a BTreeSet<Box<str>>) -> Self {
        let (mut tails, mut whole) = (HashMap::new(), HashMap::new());
        for folder in folders {
            let parts = parts(folder);
            for start in 1..parts.len() {
                tails.entry(parts[start..].to_vec()).or_insert(&**folder);
            }
            whole.entry(parts).or_insert(&**folder);
        }
        FoldersNotListed { tails, whole }
    }

    /// A folder not listed that may hold the log at `key`, one as deep as can be first.
    fn holding(&self, key: &str) -> Option<&'a str> {
        if self.whole.is_empty() {
            return None;
        }
        let parts = parts(key);
        // The key's folders, never its file name: those it starts with, the longest run first, then
        // every run of them.
        let folders = &parts[..parts.len().saturating_sub(1)];
        (1..=folders.len())
            .rev()
            .find_map(|end| {
                let run = &folders[..end];
                self.tails.get(run).or_else(|| self.whole.get(run)).copied()
            })
            .or_else(|| {
                (1..folders.len()).find_map(|start| {
                    (start + 1..=folders.len()).rev().find_map(|end| self.whole.get(&folders[start..end]).copied())
                })
            })
    }
}

/// Files dropped again: by file id, the first file dropped with the same name whose hash is the
/// same (both hashed alike, or either still being hashed). A folder dropped twice, or dropped and then
/// its files picked (which carry no folders), is checked once: its logs are not counted twice, nor
/// are its digests taken for a chain that forks. CloudTrail names each file uniquely (account,
/// region, time and a random part), so a file with the same name and content is the same file; one
/// with other content is checked on its own. A decompressed copy (`x.json` beside `x.json.gz`) has
/// the same name but for `.gz`, and the same hash (of the decompressed content), so it is a copy too.
fn copies(inputs: &Inputs<'_>) -> HashMap<FileId, FileId> {
    let mut by_name: HashMap<&str, Vec<FileId>> = HashMap::new();
    let mut copies = HashMap::new();
    for (id, f) in inputs.files.iter().enumerate() {
        let id = id as FileId;
        let name = file_name(f.path);
        let same = by_name.entry(name.strip_suffix(".gz").unwrap_or(name)).or_default();
        let hash = |id: FileId| inputs.hashes.get(&id);
        // Until both are hashed, the same name is taken as the same file: a folder dropped again
        // is read and hashed again, and meanwhile its digests are no second chain.
        let copy = |earlier: FileId| hash(earlier).is_none() || hash(id).is_none() || hash(earlier) == hash(id);
        match same.iter().copied().find(|&earlier| copy(earlier)) {
            Some(earlier) => {
                copies.insert(id, earlier);
            }
            None => same.push(id),
        }
    }
    copies
}

#[allow(clippy::too_many_arguments)] // one row's fields, named at the call sites
fn push_file(
    report: &mut IntegrityReport,
    by_file: &mut [Option<Finding>],
    file: Option<FileId>,
    path: &str,
    finding: Finding,
    digest: Option<String>,
    detail: String,
    signed: bool,
) {
    let c = &mut report.counts;
    match finding {
        Finding::Verified => c.verified += 1,
        Finding::Modified => c.modified += 1,
        Finding::Missing => c.missing += 1,
        Finding::Unlisted => c.unlisted += 1,
        Finding::Pending => c.pending += 1,
        Finding::Unread => c.unread += 1,
    }
    if signed {
        c.signed += 1;
    }
    if let Some(slot) = file.and_then(|id| by_file.get_mut(id as usize)) {
        *slot = Some(finding);
    }
    report.files.push(FileFinding { file, path: path.to_owned(), finding, digest, detail, signed });
}

/// A dropped file's finding from its hash outcome, with the entry it was compared with.
fn finding_of(outcome: Option<&HashOutcome>, matched: &[usize], entries: &[Entry]) -> (Finding, usize, String) {
    match outcome {
        None => (Finding::Pending, matched[0], "being hashed".to_owned()),
        Some(HashOutcome::Unread(why)) => {
            (Finding::Unread, matched[0], format!("it could not be read again to hash it: {why}"))
        }
        Some(HashOutcome::Stopped(cause)) => {
            (Finding::Unread, matched[0], format!("it was not hashed: {}", cause.why()))
        }
        Some(HashOutcome::Undecodable(why)) => (
            Finding::Modified,
            matched[0],
            format!("it cannot be decompressed ({why}), so it is not the file CloudTrail delivered"),
        ),
        Some(HashOutcome::Hashed { sha256, .. }) => compare(sha256, matched, entries),
    }
}

/// A hashed file against the entries it may be: verified when one of them lists exactly its hash.
fn compare(sha256: &Sha, matched: &[usize], entries: &[Entry]) -> (Finding, usize, String) {
    let ours = hex(sha256);
    for &m in matched {
        let listings = &entries[m].listings;
        if listings.iter().all(|(h, _, _)| *h == ours) {
            return (Finding::Verified, m, format!("SHA-256 {ours} as listed"));
        }
    }
    let m = matched[0];
    let (listed, algorithm, _) = &entries[m].listings[0];
    let detail = if !algorithm.is_empty() && !algorithm.eq_ignore_ascii_case("SHA-256") {
        format!("its digest lists a {algorithm} hash, which Trailscope cannot check")
    } else if entries[m].listings.iter().any(|(h, _, _)| *h == ours) {
        "two digests list it with different hashes; it matches only one of them".to_owned()
    } else {
        format!("the SHA-256 of its decompressed content is {ours}; its digest lists {listed}")
    };
    (Finding::Modified, m, detail)
}

/// Why a dropped log file is in no digest: inside the hour of a dropped digest of the same account
/// and region (suspicious), or outside every dropped digest's hours.
fn unlisted_detail(path: &str, digests: &[(FileId, &Digest)]) -> String {
    let name = file_name(path);
    let fields: Vec<&str> = name.split('_').collect();
    let delivered = fields.get(3).and_then(|stamp| {
        let s = stamp.as_bytes();
        (s.len() >= 14).then(|| {
            let text = String::from_utf8_lossy(s);
            format!("{}-{}-{}T{}:{}:00Z", &text[0..4], &text[4..6], &text[6..8], &text[9..11], &text[11..13])
        })
    });
    let (Some(account), Some(region), Some(at)) =
        (fields.first(), fields.get(2), delivered.as_deref().and_then(parse_iso))
    else {
        return "no dropped digest lists it".into();
    };
    for (_, d) in digests {
        let t = d.trail();
        let (Some(start), Some(end)) = (parse_iso(&d.start), parse_iso(&d.end)) else { continue };
        if t.account == *account && t.region == *region && start <= at && at < end {
            return format!(
                "no dropped digest lists it, yet its name says it was delivered in the hour of digest {} for the same account and region: if it belongs to that trail, CloudTrail did not deliver it",
                file_name(&d.key)
            );
        }
    }
    "no dropped digest lists it, and its name dates it outside the hours the dropped digests cover".into()
}

/// Signature results by digest file id, with the reason.
type Sigs = HashMap<FileId, (SigCheck, String)>;

/// Links between dropped digests of one trail: predecessor file id by digest file id.
fn predecessors(digests: &[(FileId, &Digest)]) -> HashMap<FileId, FileId> {
    let mut by_key: HashMap<(&str, &str), FileId> = HashMap::new();
    for &(id, d) in digests {
        by_key.entry((d.bucket.as_str(), d.key.as_str())).or_insert(id);
    }
    let mut out = HashMap::new();
    for &(id, d) in digests {
        if let Some(prev) = d.previous_key.as_deref() {
            let bucket = d.previous_bucket.as_deref().unwrap_or(d.bucket.as_str());
            if let Some(&p) = by_key.get(&(bucket, prev)) {
                out.insert(id, p);
            }
        }
    }
    out
}

/// Checks signatures from each pasted signature down its chain.
fn signatures(inputs: &Inputs<'_>, digests: &[(FileId, &Digest)], report: &mut IntegrityReport) -> Sigs {
    let Some(keys) = inputs.keys else { return Sigs::new() };
    report.counts.keys = keys.keys.len() as u64;
    report.counts.signatures_given = keys.signatures.len() as u64;
    report.key_problems.clone_from(&keys.problems);
    let by_id: HashMap<FileId, &Digest> = digests.iter().copied().collect();
    let prev = predecessors(digests);
    let has_successor: HashSet<FileId> = prev.values().copied().collect();
    let mut heads: Vec<FileId> = digests.iter().map(|(id, _)| *id).filter(|id| !has_successor.contains(id)).collect();
    heads.sort_by(|a, b| by_id[a].end.cmp(&by_id[b].end).reverse().then(a.cmp(b)));
    let cx = SigContext { keys, hashes: inputs.hashes, by_id, prev, has_successor, heads };
    let start = cx.starting_points(digests, report);
    let mut out = cx.walk(start);
    cx.fill_unchecked(digests, &mut out);
    out
}

/// What the signature walk needs.
struct SigContext<'a> {
    keys: &'a KeyMaterial,
    hashes: &'a HashMap<FileId, HashOutcome>,
    by_id: HashMap<FileId, &'a Digest>,
    prev: HashMap<FileId, FileId>,
    has_successor: HashSet<FileId>,
    /// The newest dropped digest of each run, newest first.
    heads: Vec<FileId>,
}

impl SigContext<'_> {
    /// Checks one digest's signature.
    fn try_one(&self, id: FileId, sig: &[u8]) -> (SigCheck, String) {
        let d = self.by_id[&id];
        if !d.signature_algorithm.is_empty() && d.signature_algorithm != ALGORITHM {
            return (
                SigCheck::NotChecked,
                format!("it names the algorithm {}, not {ALGORITHM}", d.signature_algorithm),
            );
        }
        let Some(key) = self.keys.key(&d.fingerprint) else {
            return (SigCheck::NotChecked, format!("no pasted public key has its fingerprint {}", d.fingerprint));
        };
        let Some(HashOutcome::Hashed { sha256, .. }) = self.hashes.get(&id) else {
            return (SigCheck::NotChecked, "it has not been hashed".into());
        };
        if !verify(&key.key, signing_string(d, sha256).as_bytes(), sig) {
            return (SigCheck::Failed, format!("the signature does not verify with key {}: this digest's content, its recorded previous signature, or the signature itself is not what CloudTrail signed", key.fingerprint));
        }
        let mut note = format!("SHA256withRSA signature verified with key {}", key.fingerprint);
        let at = parse_iso(&d.end);
        if at.is_some_and(|t| key.valid_from.is_some_and(|f| t < f) || key.valid_to.is_some_and(|e| t > e)) {
            note.push_str(" (note: its digestEndTime is outside the key's validity period as pasted)");
        }
        (SigCheck::Verified, note)
    }

    /// Where each pasted signature starts: a labelled one at its digest; others at the digest they
    /// verify, newest heads first; a lone leftover at the lone head without one (where it will fail).
    fn starting_points(
        &self,
        digests: &[(FileId, &Digest)],
        report: &mut IntegrityReport,
    ) -> BTreeMap<FileId, Vec<u8>> {
        let mut start: BTreeMap<FileId, Vec<u8>> = BTreeMap::new();
        let mut unlabelled: Vec<&[u8]> = Vec::new();
        for s in &self.keys.signatures {
            let labelled = s.label.as_deref().and_then(|l| {
                digests.iter().find(|(_, d)| d.key == l || file_name(&d.key) == file_name(l)).map(|(id, _)| *id)
            });
            match labelled {
                Some(id) => {
                    start.insert(id, s.bytes.clone());
                }
                None => unlabelled.push(&s.bytes),
            }
        }
        let others = digests.iter().map(|(id, _)| *id).filter(|id| !self.heads.contains(id));
        let order: Vec<FileId> = self.heads.iter().copied().chain(others).collect();
        let mut left: Vec<&[u8]> = Vec::new();
        for sig in unlabelled {
            let hit = order
                .iter()
                .copied()
                .filter(|id| !start.contains_key(id))
                .find(|&id| self.try_one(id, sig).0 == SigCheck::Verified);
            match hit {
                Some(id) => {
                    start.insert(id, sig.to_vec());
                }
                None => left.push(sig),
            }
        }
        let bare: Vec<FileId> = self.heads.iter().copied().filter(|h| !start.contains_key(h)).collect();
        if let ([sig], [head]) = (left.as_slice(), bare.as_slice()) {
            start.insert(*head, sig.to_vec());
            left.clear();
        }
        for sig in left {
            report.key_problems.push(format!(
                "the pasted signature {}… verifies none of the dropped digests with the pasted keys",
                hex(&sig[..sig.len().min(8)])
            ));
        }
        start
    }

    /// Verifies from each starting point down its chain: a verified digest vouches for the
    /// `previousDigestSignature` it records, which then checks the digest before it.
    fn walk(&self, start: BTreeMap<FileId, Vec<u8>>) -> Sigs {
        let mut out = Sigs::new();
        let mut order: Vec<(FileId, Vec<u8>)> = start.into_iter().collect();
        order.sort_by(|a, b| self.by_id[&a.0].end.cmp(&self.by_id[&b.0].end).reverse());
        for (mut at, mut sig) in order {
            while !out.contains_key(&at) {
                let result = self.try_one(at, &sig);
                let ok = result.0 == SigCheck::Verified;
                out.insert(at, result);
                let Some(&p) = self.prev.get(&at).filter(|_| ok) else { break };
                let Some(recorded) = self.by_id[&at].previous_signature.as_deref().and_then(super::hash::unhex) else {
                    let next = file_name(&self.by_id[&at].key);
                    let why = format!("the next digest, {next}, records no readable previousDigestSignature");
                    out.entry(p).or_insert((SigCheck::NotChecked, why));
                    break;
                };
                sig = recorded;
                at = p;
            }
        }
        out
    }

    /// Says why each digest not reached was not checked.
    fn fill_unchecked(&self, digests: &[(FileId, &Digest)], out: &mut Sigs) {
        for &(id, d) in digests {
            out.entry(id).or_insert_with(|| {
                let why = if self.keys.keys.is_empty() {
                    "no public key was pasted".to_owned()
                } else if self.keys.key(&d.fingerprint).is_none() {
                    format!("no pasted public key has its fingerprint {}", d.fingerprint)
                } else if self.has_successor.contains(&id) {
                    "the signature chain from a newer digest did not reach it (a failed signature above it, or no signature pasted for its chain)".to_owned()
                } else {
                    "no pasted signature is for this digest: paste the signature of the newest digest of its chain".to_owned()
                };
                (SigCheck::NotChecked, why)
            });
        }
    }
}

/// The link of a digest whose previous digest, `key`, is not among the digests read: dropped and not
/// read (`not_read` says why), a gap when older digests of its trail were dropped, else where the
/// dropped chain starts.
fn link_to_absent(key: &str, older_dropped: bool, not_read: Option<NotRead>) -> (Link, String) {
    let name = file_name(key);
    match not_read {
        Some(why) => (
            Link::Unchecked,
            format!(
                "the previous digest it names, {name}, was dropped but not read ({}): the link is not checked",
                why.why()
            ),
        ),
        None if older_dropped => (
            Link::PreviousMissing,
            format!("the previous digest it names, {name}, was not dropped (a gap in the chain)"),
        ),
        None => (
            Link::PreviousNotDropped,
            format!("the previous digest it names, {name}, was not dropped: the chain is checked from here on"),
        ),
    }
}

/// A note naming the calls of `causes` that stopped or narrowed `trail` from the start of the hour
/// of the digest before a gap (`after`) to the end of the digest after it (`until`), if any.
fn causes_between(causes: &[GapCause], trail: &Trail, after: Option<&str>, until: &str) -> Option<String> {
    let (from, to) = (after.and_then(parse_iso)?, parse_iso(until)?);
    let found: Vec<&str> = causes
        .iter()
        .filter(|c| c.account == trail.account && c.trail == trail.name && from <= c.time && c.time <= to)
        .map(|c| c.text.as_str())
        .collect();
    let (first, more) =
        (found.iter().take(MAX_CAUSES).copied().collect::<Vec<_>>(), found.len().saturating_sub(MAX_CAUSES));
    if first.is_empty() {
        return None;
    }
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    Some(format!(
        "in between, the logs hold {} of this trail: {}{more} (see Changes to logging)",
        if found.len() == 1 {
            "a call that stopped or narrowed logging"
        } else {
            "calls that stopped or narrowed logging"
        },
        first.join("; ")
    ))
}

/// Links, gaps, breaks and per-trail rows.
fn chains(inputs: &Inputs<'_>, digests: &[(FileId, &Digest)], sigs: &Sigs, report: &mut IntegrityReport) {
    let path_of = |id: FileId| inputs.files.get(id as usize).map_or("", |f| f.path);
    let prev = predecessors(digests);
    // Digests given but never read (few: one an hour per trail), for links to one of them.
    let unread: Vec<(&str, NotRead)> =
        inputs.not_read.iter().filter(|(p, _)| super::digest_named(p)).map(|(p, &(why, _))| (&**p, why)).collect();
    let not_read_digest = |key: &str| unread.iter().find(|(p, _)| suffix_match(p, key).is_some()).map(|&(_, why)| why);
    let mut claimed: HashMap<FileId, FileId> = HashMap::new();
    let mut by_trail: BTreeMap<Trail, Vec<(FileId, &Digest)>> = BTreeMap::new();
    for &(id, d) in digests {
        by_trail.entry(d.trail()).or_default().push((id, d));
    }
    for (trail, mut list) in by_trail {
        list.sort_by(|a, b| (&a.1.end, &a.1.key, a.0).cmp(&(&b.1.end, &b.1.key, b.0)));
        let oldest_end = list[0].1.end.clone();
        let mut row = ChainRow {
            trail: trail.label(),
            digests: list.len() as u64,
            first_end: oldest_end.clone(),
            last_end: list[list.len() - 1].1.end.clone(),
            links_ok: 0,
            breaks: 0,
            gaps: 0,
            signatures: [0; 3],
        };
        // The hour the digest before each one covers began: a trail stopped within it still has that
        // digest, for the log files delivered before the stop.
        let mut previous_start: Option<&str> = None;
        for &(id, d) in &list {
            let mut notes = Vec::new();
            let older_dropped = d.end > oldest_end;
            let link = match (&d.previous_key, prev.get(&id)) {
                (None, _) if older_dropped => {
                    notes.push("it names no previous digest although older digests of this trail were dropped: CloudTrail starts a new chain when logging or log file validation was off, so log files delivered in between are covered by no digest".into());
                    Link::Restarted
                }
                (None, _) => {
                    notes.push("the chain starts here (no previous digest)".into());
                    Link::ChainStart
                }
                (Some(key), None) => {
                    let (link, note) = link_to_absent(key, older_dropped, not_read_digest(key));
                    notes.push(note);
                    link
                }
                (Some(_), Some(&p)) => {
                    let (link, note) = link_to(d, p, inputs.hashes, path_of(p));
                    notes.push(note);
                    if let Some(&other) = claimed.get(&p) {
                        notes.push(format!(
                            "another digest, {}, also names that previous digest: a chain never forks",
                            file_name(path_of(other))
                        ));
                        Link::Broken
                    } else {
                        claimed.insert(p, id);
                        link
                    }
                }
            };
            if suffix_match(path_of(id), &d.key).is_none() {
                notes.push(format!("it was dropped as {} but says it is {}: moved or renamed", path_of(id), d.key));
            }
            if matches!(link, Link::Restarted | Link::PreviousMissing) {
                notes.extend(causes_between(&inputs.explained.causes, &trail, previous_start, &d.end));
            }
            previous_start = Some(if d.start.is_empty() { &d.end } else { &d.start });
            match link {
                Link::Linked => row.links_ok += 1,
                Link::Broken => row.breaks += 1,
                Link::Restarted | Link::PreviousMissing => row.gaps += 1,
                Link::ChainStart | Link::PreviousNotDropped | Link::Pending | Link::Unchecked => {}
            }
            let (signature, why) = sigs.get(&id).cloned().unwrap_or((SigCheck::NotChecked, String::new()));
            if !why.is_empty() {
                notes.push(format!("signature: {why}"));
            }
            row.signatures[match signature {
                SigCheck::Verified => 0,
                SigCheck::Failed => 1,
                SigCheck::NotChecked => 2,
            }] += 1;
            report.digests.push(DigestRow {
                file: id,
                path: path_of(id).to_owned(),
                trail: row.trail.clone(),
                end: d.end.clone(),
                logs_listed: d.log_files.len() as u64,
                link,
                signature,
                notes,
            });
        }
        let c = &mut report.counts;
        c.chains += 1;
        c.links_ok += row.links_ok;
        c.breaks += row.breaks;
        c.gaps += row.gaps;
        c.signatures_verified += row.signatures[0];
        c.signatures_failed += row.signatures[1];
        c.signatures_unchecked += row.signatures[2];
        report.chains.push(row);
    }
}

/// Whether `d`'s `previousDigestHashValue` is the SHA-256 of the dropped digest `p`.
fn link_to(d: &Digest, p: FileId, hashes: &HashMap<FileId, HashOutcome>, p_path: &str) -> (Link, String) {
    let Some(expected) = d.previous_hash.as_deref().map(|h| h.trim().to_ascii_lowercase()) else {
        return (Link::Broken, "it names a previous digest but gives no previousDigestHashValue".into());
    };
    match hashes.get(&p) {
        None => (Link::Pending, "the previous digest is being hashed".into()),
        Some(HashOutcome::Unread(why)) => (Link::Unchecked, format!("the previous digest could not be read again: {why}")),
        Some(HashOutcome::Stopped(cause)) => {
            (Link::Unchecked, format!("the previous digest was not hashed: {}", cause.why()))
        }
        Some(HashOutcome::Undecodable(why)) => {
            (Link::Broken, format!("the previous digest, {}, cannot be decompressed ({why})", file_name(p_path)))
        }
        Some(HashOutcome::Hashed { sha256, .. }) if hex(sha256) == expected => {
            (Link::Linked, format!("linked: its previousDigestHashValue is the SHA-256 of {}", file_name(p_path)))
        }
        Some(HashOutcome::Hashed { sha256, .. }) => (
            Link::Broken,
            format!(
                "chain break: its previousDigestHashValue is {expected}, but the dropped previous digest {} hashes to {}: one of the two was changed after CloudTrail wrote it",
                file_name(p_path),
                hex(sha256)
            ),
        ),
    }
}

/// What was and was not verified, for people (and auditors).
fn statements(report: &mut IntegrityReport, keys_given: bool) {
    let c = &report.counts;
    let mut s = Vec::new();
    s.push(format!(
        "{} in {} {} {}. Of the dropped log files, {} {} listed SHA-256 exactly (verified), {} {} not (modified); {} {} not dropped (missing); {} {} in no dropped digest (unlisted).",
        plural(c.digests, "digest file", "digest files"),
        plural(c.chains, "chain", "chains"),
        agree(c.digests, "lists", "list"),
        plural(c.listed, "log file", "log files"),
        thousands(c.verified),
        agree(c.verified, "matches its", "match their"),
        thousands(c.modified),
        agree(c.modified, "does", "do"),
        plural(c.missing, "listed file", "listed files"),
        agree(c.missing, "was", "were"),
        plural(c.unlisted, "dropped log file", "dropped log files"),
        agree(c.unlisted, "is", "are"),
    ));
    // Files given and not read have their own sentence below.
    let unhashed = c.unread - (c.not_read + c.not_listed).min(c.unread);
    if c.pending + unhashed > 0 {
        s.push(format!(
            "{} still being hashed and {} not hashed: not checked yet.",
            plural(c.pending, "file is", "files are"),
            plural(unhashed, "was", "were")
        ));
    }
    if c.not_read > 0 {
        s.push(format!(
            "{} {} dropped but not read, as loading stopped before {}: not checked, and not missing ({} row says why, and how to check {}).",
            plural(c.not_read, "listed log file", "listed log files"),
            agree(c.not_read, "was", "were"),
            agree(c.not_read, "it", "them"),
            agree(c.not_read, "its", "each one's"),
            agree(c.not_read, "it", "them"),
        ));
    }
    if c.not_listed > 0 {
        s.push(format!(
            "{} not found, and may be in dropped folders that were not listed, as loading was cancelled before the folders were all listed: not checked, and not taken for missing ({} row names the folder; drop it again to check {}).",
            plural(c.not_listed, "listed log file was", "listed log files were"),
            agree(c.not_listed, "its", "each one's"),
            agree(c.not_listed, "it", "them"),
        ));
    }
    if c.stopped > 0 {
        s.push(format!(
            "{} not hashed because {}: \"Check them\" hashes {}.",
            plural(c.stopped, "file was", "files were"),
            c.stopped_because(),
            agree(c.stopped, "it", "them"),
        ));
    }
    s.push(format!(
        "Chain links: {} checked and equal (each digest's previousDigestHashValue is the SHA-256 of the digest before it), {} broken, {}.",
        thousands(c.links_ok),
        thousands(c.breaks),
        plural(c.gaps, "gap", "gaps")
    ));
    if keys_given {
        s.push(format!(
            "Signatures (SHA256withRSA, checked offline with the {} pasted): {} verified, {} failed, {} not checked. {} listed by a digest whose signature verified.",
            plural(c.keys, "key", "keys"),
            plural(c.signatures_verified, "digest", "digests"),
            thousands(c.signatures_failed),
            thousands(c.signatures_unchecked),
            plural(c.signed, "verified log file is", "verified log files are"),
        ));
        s.push("The public keys are trusted as pasted: Trailscope checks that each is the key its fingerprint names (MD5 of the key), not that it is CloudTrail's. Get them yourself with `aws cloudtrail list-public-keys` in the trail's region.".into());
    } else {
        s.push("Signatures were not checked: without them, hashes and links show the files agree with the digests, not that the digests are CloudTrail's (someone who rewrote a log could rewrite its digests too). Paste the public keys and the newest digest's signature to check them.".into());
    }
    s.push("Not covered: log files delivered while log file validation or logging was off (no digest lists them), digests and logs not dropped, and anything before the oldest dropped digest of each chain.".into());
    report.statements = s;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrity::report::IntegrityCounts;

    fn said(counts: IntegrityCounts, keys_given: bool) -> Vec<String> {
        let mut report = IntegrityReport { counts, ..IntegrityReport::default() };
        statements(&mut report, keys_given);
        report.statements
    }

    #[test]
    fn ok_a_key_may_be_in_a_folder_not_listed_that_ends_where_it_starts_or_is_among_its_folders() {
        let key = "AWSLogs/1/CloudTrail/eu-west-1/2026/03/01/1_CloudTrail_eu-west-1_20260301T0000Z_a.json.gz";
        let holding = |folder: &str| {
            let folders: BTreeSet<Box<str>> = [folder.into()].into();
            FoldersNotListed::new(&folders).holding(key).map(str::to_owned)
        };
        for folder in [
            "logs/AWSLogs/1/CloudTrail/eu-west-1",
            "AWSLogs/1/CloudTrail/eu-west-1/2026/03/01",
            "bucket/AWSLogs",
            "CloudTrail",
            "eu-west-1/2026",
            "03",
        ] {
            assert_eq!(holding(folder).as_deref(), Some(folder), "{folder}");
        }
        for folder in [
            "logs",
            "logs/elsewhere",
            "logs/AWSLogs/1/CloudTrail/us-east-1",
            "AWSLogs/1/CloudTrail-Digest",
            "AWSLogs/1/CloudTrail/eu-west-1/2026/03/02",
            "1_CloudTrail_eu-west-1_20260301T0000Z_a.json.gz",
        ] {
            assert_eq!(holding(folder), None, "{folder}");
        }
        // Of two that may hold it, the deeper.
        let folders: BTreeSet<Box<str>> =
            ["logs/AWSLogs/1".into(), "logs/AWSLogs/1/CloudTrail/eu-west-1".into()].into();
        assert_eq!(FoldersNotListed::new(&folders).holding(key), Some("logs/AWSLogs/1/CloudTrail/eu-west-1"));
    }

    /// Every count that can be 1 is 1: each sentence is in the singular, written out by hand.
    #[test]
    fn ones_are_singular() {
        let one = IntegrityCounts {
            digests: 1,
            chains: 1,
            listed: 1,
            verified: 1,
            modified: 1,
            missing: 1,
            unlisted: 1,
            pending: 1,
            unread: 4,
            not_read: 1,
            not_listed: 1,
            stopped: 1,
            links_ok: 1,
            breaks: 1,
            gaps: 1,
            keys: 1,
            signatures_verified: 1,
            signatures_failed: 1,
            signatures_unchecked: 1,
            signed: 1,
            ..IntegrityCounts::default()
        };
        let s = said(one, true);
        assert_eq!(s[0], "1 digest file in 1 chain lists 1 log file. Of the dropped log files, 1 matches its listed SHA-256 exactly (verified), 1 does not (modified); 1 listed file was not dropped (missing); 1 dropped log file is in no dropped digest (unlisted).");
        assert_eq!(s[1], "1 file is still being hashed and 2 were not hashed: not checked yet.");
        assert_eq!(s[2], "1 listed log file was dropped but not read, as loading stopped before it: not checked, and not missing (its row says why, and how to check it).");
        assert_eq!(s[3], "1 listed log file was not found, and may be in dropped folders that were not listed, as loading was cancelled before the folders were all listed: not checked, and not taken for missing (its row names the folder; drop it again to check it).");
        assert_eq!(s[4], "1 file was not hashed because checking was stopped first: \"Check them\" hashes it.");
        assert_eq!(s[5], "Chain links: 1 checked and equal (each digest's previousDigestHashValue is the SHA-256 of the digest before it), 1 broken, 1 gap.");
        assert_eq!(s[6], "Signatures (SHA256withRSA, checked offline with the 1 key pasted): 1 digest verified, 1 failed, 1 not checked. 1 verified log file is listed by a digest whose signature verified.");
    }

    /// The same sentences with twos, and the first with nothing (zero takes the plural).
    #[test]
    fn others_are_plural() {
        let two = IntegrityCounts {
            digests: 2,
            chains: 2,
            listed: 2,
            verified: 2,
            unread: 4,
            not_read: 2,
            not_listed: 2,
            keys: 2,
            signed: 2,
            ..IntegrityCounts::default()
        };
        let s = said(two, true);
        assert_eq!(s[0], "2 digest files in 2 chains list 2 log files. Of the dropped log files, 2 match their listed SHA-256 exactly (verified), 0 do not (modified); 0 listed files were not dropped (missing); 0 dropped log files are in no dropped digest (unlisted).");
        assert_eq!(s[1], "2 listed log files were dropped but not read, as loading stopped before them: not checked, and not missing (each one's row says why, and how to check them).");
        assert_eq!(s[2], "2 listed log files were not found, and may be in dropped folders that were not listed, as loading was cancelled before the folders were all listed: not checked, and not taken for missing (each one's row names the folder; drop it again to check them).");
        assert_eq!(s[3], "Chain links: 0 checked and equal (each digest's previousDigestHashValue is the SHA-256 of the digest before it), 0 broken, 0 gaps.");
        assert!(
            s[4].starts_with("Signatures (SHA256withRSA, checked offline with the 2 keys pasted): 0 digests verified,"),
            "{}",
            s[4]
        );
        assert!(s[4].ends_with(" 2 verified log files are listed by a digest whose signature verified."), "{}", s[4]);
    }
}
