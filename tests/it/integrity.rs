//! Log integrity against digest files: tampering is found exactly, signed chains verify, edited digests fail.
//!
//! The fixture (tests/fixtures/integrity, rebuilt by scripts/make-integrity-fixture.py) holds logs and
//! digests from `gen_cloudtrail.py --digests`, signed with `openssl` and a throwaway test-only key.
//! Expected values come from the fixture itself, read here with plain `serde_json::Value` and
//! `flate2`, and from the script's truth file, never from Trailscope's own output.

use std::rc::Rc;

use super::common::{gzip, root, walk};
use trailscope::engine::Engine;
use trailscope::integrity::check::Checked;
use trailscope::integrity::hash::Hasher;
use trailscope::integrity::report::{CheckState, KeysInput, Link, SigCheck};
use trailscope::integrity::Finding;

/// A dropped file: relative path and bytes.
type Dropped = Vec<(String, Vec<u8>)>;

fn fixture() -> std::path::PathBuf {
    root().join("tests/fixtures/integrity")
}

/// Every file of the fixture's trail folder, as a folder drop of `trail/` gives them.
fn trail() -> Dropped {
    let base = fixture();
    walk(&base.join("trail"))
        .into_iter()
        .map(|p| (p.strip_prefix(&base).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read(&p).unwrap()))
        .collect()
}

fn truth() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture().join("truth.json")).unwrap()).unwrap()
}

fn is_digest(path: &str) -> bool {
    path.contains("/CloudTrail-Digest/")
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(data), &mut out).unwrap();
    out
}

/// The shared corpus, or `None` with a notice.
fn corpus() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("TRAILSCOPE_CORPUS").map_or_else(|| root().join("../shared/corpus"), Into::into);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("notice: {} not found; skipping the corpus digest examples", dir.display());
        None
    }
}

/// The digest entries of the dropped digests, read as plain JSON: (s3Object, the entry's `field`:
/// `hashValue`, `s3Bucket`).
fn listed(files: &Dropped, field: &str) -> Vec<(String, String)> {
    files
        .iter()
        .filter(|(p, _)| is_digest(p))
        .flat_map(|(_, b)| {
            let v: serde_json::Value = serde_json::from_slice(&gunzip(b)).unwrap();
            v["logFiles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| (e["s3Object"].as_str().unwrap().to_owned(), e[field].as_str().unwrap().to_owned()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Ingests the files, then hashes what the engine asks for, as the worker does after ingest.
fn run(files: &Dropped, keys: &KeysInput) -> (Engine, Rc<Checked>) {
    let mut engine = Engine::new();
    for (path, bytes) in files {
        engine.ingest_bytes(path, bytes);
    }
    let todo = engine.integrity_to_hash();
    for id in todo {
        engine.set_integrity_hash(id, Hasher::of(&files[id as usize].1));
    }
    assert!(engine.integrity_to_hash().is_empty(), "everything asked for was hashed");
    let checked = engine.integrity(keys);
    (engine, checked)
}

fn no_keys() -> KeysInput {
    KeysInput::default()
}

fn keys_with(signatures: &[&str]) -> KeysInput {
    KeysInput {
        public_keys: std::fs::read_to_string(fixture().join("list-public-keys.json")).unwrap(),
        signatures: signatures.join("\n"),
    }
}

fn newest_signatures() -> Vec<String> {
    truth()["chains"].as_array().unwrap().iter().map(|c| c["newest_signature"].as_str().unwrap().to_owned()).collect()
}

fn finding_of(checked: &Checked, path: &str) -> Finding {
    checked.report.files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("no row for {path}")).finding
}

#[test]
fn ok_untouched_logs_all_verify_against_their_digests() {
    let files = trail();
    let entries = listed(&files, "hashValue");
    let logs = files.iter().filter(|(p, _)| !is_digest(p)).count();
    assert_eq!(entries.len(), logs, "the fixture holds exactly the files its digests list");
    assert_eq!(entries.len() as u64, truth()["log_files_listed"].as_u64().unwrap());
    let (_, checked) = run(&files, &no_keys());
    let c = &checked.report.counts;
    assert_eq!(checked.report.state, CheckState::Done);
    assert_eq!((c.verified, c.modified, c.missing, c.unlisted, c.pending), (logs as u64, 0, 0, 0, 0));
    let digests = files.iter().filter(|(p, _)| is_digest(p)).count() as u64;
    let chains = truth()["chains"].as_array().unwrap().len() as u64;
    assert_eq!((c.digests, c.chains, c.links_ok, c.breaks, c.gaps), (digests, chains, digests - chains, 0, 0));
    assert_eq!((c.signatures_verified, c.signatures_failed, c.signatures_unchecked), (0, 0, digests));
    assert!(checked.report.statements.iter().any(|s| s.contains("Signatures were not checked")));
}

#[test]
fn ok_flipped_deleted_and_extra_logs_are_exactly_three_findings() {
    let mut files = trail();
    let entries = listed(&files, "hashValue");
    let logs: Vec<usize> = (0..files.len()).filter(|&i| !is_digest(&files[i].0)).collect();
    // Flip one byte of one log's content (an edited event: still valid JSON, still gzip).
    let flipped = files[logs[0]].0.clone();
    let mut content = gunzip(&files[logs[0]].1);
    let at = content.windows(10).position(|w| w == b"eventName\"").expect("an eventName") + 12;
    content[at] ^= 0x20; // the first letter of an event name changes case
    files[logs[0]].1 = gzip(&content);
    // Delete another.
    let deleted = files.remove(logs[1]).0;
    // Add an extra one, named as CloudTrail names files, in the same folder.
    let folder = flipped.rsplit_once('/').unwrap().0;
    let extra = format!("{folder}/555566667777_CloudTrail_ap-southeast-2_20260301T0010Z_EXTRAextra000001.json.gz");
    files.push((
        extra.clone(),
        gzip(br#"{"Records":[{"eventVersion":"1.08","eventTime":"2026-03-01T00:10:00Z","eventSource":"ecr.amazonaws.com","eventName":"PutImage","awsRegion":"ap-southeast-2","eventID":"6f1e7d2a-0000-4000-8000-000000000001"}]}"#),
    ));
    let (engine, checked) = run(&files, &no_keys());
    let c = &checked.report.counts;
    assert_eq!((c.modified, c.missing, c.unlisted), (1, 1, 1), "{:#?}", checked.report.files);
    assert_eq!(c.verified, entries.len() as u64 - 2, "every other listed file verifies");
    assert_eq!((c.pending, c.unread), (0, 0));
    assert_eq!(finding_of(&checked, &flipped), Finding::Modified);
    let deleted_key = deleted.strip_prefix("trail/").unwrap();
    assert_eq!(finding_of(&checked, deleted_key), Finding::Missing);
    assert_eq!(finding_of(&checked, &extra), Finding::Unlisted);
    // The modified row names both hashes: ours (computed here independently) and the listed one.
    let row = checked.report.files.iter().find(|f| f.path == flipped).unwrap();
    let ours = trailscope::integrity::hash::hex(&sha2_of(&content));
    let key = flipped.strip_prefix("trail/").unwrap();
    let theirs = &entries.iter().find(|(k, _)| k == key).unwrap().1;
    assert!(row.detail.contains(&ours) && row.detail.contains(theirs.as_str()), "{}", row.detail);
    // The extra file is dated inside a dropped digest's hour for its account and region.
    let extra_row = checked.report.files.iter().find(|f| f.path == extra).unwrap();
    assert!(extra_row.detail.contains("CloudTrail did not deliver it"), "{}", extra_row.detail);
    // Per-file findings, for badges on events.
    let id_of = |p: &str| engine.files().iter().position(|f| f.path == p).unwrap() as u32;
    assert_eq!(engine.file_integrity(id_of(&flipped)), Some(Finding::Modified));
    assert_eq!(engine.file_integrity(id_of(&extra)), Some(Finding::Unlisted));
    assert_eq!(engine.file_integrity(id_of(&files[logs[2]].0)), Some(Finding::Verified));
    let a_digest = files.iter().find(|(p, _)| is_digest(p)).unwrap().0.clone();
    assert_eq!(engine.file_integrity(id_of(&a_digest)), None, "a digest is not a log file");
    // The summary export carries the same three findings.
    let summary: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    let s = &summary["integrity"];
    assert_eq!(s["state"], "done");
    assert_eq!(
        (&s["counts"]["modified"], &s["counts"]["missing"], &s["counts"]["unlisted"]),
        (&1.into(), &1.into(), &1.into())
    );
    let mut named: Vec<(&str, &str)> = s["files_not_verified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["finding"].as_str().unwrap()))
        .collect();
    named.sort_unstable();
    let mut want = vec![(flipped.as_str(), "modified"), (deleted_key, "missing"), (extra.as_str(), "unlisted")];
    want.sort_unstable();
    assert_eq!(named, want);
}

/// SHA-256 through the `sha2` crate directly (the integrity module's hasher adds decompression).
fn sha2_of(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

#[test]
fn err_a_raw_byte_flipped_in_the_gzip_is_modified() {
    let mut files = trail();
    let i = files.iter().position(|(p, _)| !is_digest(p)).unwrap();
    let mid = files[i].1.len() / 2;
    files[i].1[mid] ^= 0x01;
    let path = files[i].0.clone();
    let (_, checked) = run(&files, &no_keys());
    assert_eq!(finding_of(&checked, &path), Finding::Modified);
    assert_eq!((checked.report.counts.modified, checked.report.counts.missing), (1, 0));
}

#[test]
fn ok_file_names_only_and_a_decompressed_copy_still_match() {
    let mut files: Dropped = trail().into_iter().map(|(p, b)| (p.rsplit('/').next().unwrap().to_owned(), b)).collect();
    let i = files.iter().position(|(p, _)| !is_digest(p) && p.contains("_CloudTrail_")).unwrap();
    files[i] = (files[i].0.trim_end_matches(".gz").to_owned(), gunzip(&files[i].1));
    let (_, checked) = run(&files, &no_keys());
    let c = &checked.report.counts;
    assert_eq!((c.modified, c.missing, c.unlisted), (0, 0, 0), "{:#?}", checked.report.files);
    assert_eq!(c.verified, listed(&trail(), "hashValue").len() as u64);
}

#[test]
fn ok_signed_chains_verify_from_the_newest_signatures() {
    let sigs = newest_signatures();
    let refs: Vec<&str> = sigs.iter().map(String::as_str).collect();
    let (_, checked) = run(&trail(), &keys_with(&refs));
    let c = &checked.report.counts;
    let digests = truth()["digest_files"].as_u64().unwrap();
    assert_eq!(
        (c.signatures_verified, c.signatures_failed, c.signatures_unchecked),
        (digests, 0, 0),
        "{:#?}",
        checked.report.digests
    );
    assert_eq!(c.signed, c.verified, "every verified log is listed by a signed digest");
    assert!(checked.report.key_problems.is_empty(), "{:?}", checked.report.key_problems);
    assert_eq!(c.keys, 2, "the test key and the decoy");
}

#[test]
fn ok_one_chains_signature_checks_only_that_chain() {
    let truth = truth();
    let first = &truth["chains"][0];
    let (_, checked) = run(&trail(), &keys_with(&[first["newest_signature"].as_str().unwrap()]));
    let per_chain = first["digests"].as_array().unwrap().len() as u64;
    let c = &checked.report.counts;
    assert_eq!((c.signatures_verified, c.signatures_failed), (per_chain, 0));
    assert_eq!(c.signatures_unchecked, truth["digest_files"].as_u64().unwrap() - per_chain);
    let other_head = truth["chains"][1]["newest"].as_str().unwrap();
    let row = checked.report.digests.iter().find(|d| d.path.ends_with(other_head)).unwrap();
    assert_eq!(row.signature, SigCheck::NotChecked);
    assert!(row.notes.iter().any(|n| n.contains("no pasted signature is for this digest")), "{:?}", row.notes);
}

#[test]
fn ok_labelled_signature_of_a_middle_digest_starts_there() {
    let truth = truth();
    let chain = &truth["chains"][1];
    let middle = chain["digests"][1].as_str().unwrap();
    let all: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture().join("signatures.json")).unwrap()).unwrap();
    let line = format!("{middle} {}", all[middle].as_str().unwrap());
    let (_, checked) = run(&trail(), &keys_with(&[&line]));
    assert_eq!(checked.report.counts.signatures_verified, 2, "the middle digest and the one before it");
}

/// Rewrites digest `key` of the fixture with `edit` applied to its JSON.
fn edit_digest(files: &mut Dropped, key: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let (_, bytes) = files.iter_mut().find(|(p, _)| p.ends_with(key)).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(&gunzip(bytes)).unwrap();
    edit(&mut v);
    *bytes = gzip(serde_json::to_string(&v).unwrap().as_bytes());
}

#[test]
fn err_edited_middle_digest_breaks_the_chain_and_fails_its_signature() {
    let truth = truth();
    let chain = &truth["chains"][0];
    let keys: Vec<&str> = chain["digests"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    let mut files = trail();
    // The attack a digest check must catch: a log edited, and its digest entry rewritten to match.
    let mut listed_hash = String::new();
    edit_digest(&mut files, keys[1], |v| {
        let e = &mut v["logFiles"][0];
        listed_hash = e["hashValue"].as_str().unwrap().to_owned();
        e["hashValue"] = serde_json::Value::from("0".repeat(64));
    });
    assert_eq!(listed_hash.len(), 64);
    let sigs = newest_signatures();
    let refs: Vec<&str> = sigs.iter().map(String::as_str).collect();
    let (_, checked) = run(&files, &keys_with(&refs));
    let row = |k: &str| checked.report.digests.iter().find(|d| d.path.ends_with(k)).unwrap();
    let newest = row(keys[2]);
    assert_eq!(newest.link, Link::Broken);
    assert!(
        newest.notes.iter().any(|n| n.starts_with("chain break: its previousDigestHashValue is")),
        "{:?}",
        newest.notes
    );
    assert_eq!(newest.signature, SigCheck::Verified, "the newest digest itself is intact");
    let middle = row(keys[1]);
    assert_eq!(middle.signature, SigCheck::Failed);
    assert!(middle.notes.iter().any(|n| n.contains("the signature does not verify")), "{:?}", middle.notes);
    let oldest = row(keys[0]);
    assert_eq!(oldest.link, Link::ChainStart);
    assert_eq!(oldest.signature, SigCheck::NotChecked, "the chain of signatures stops at the failed one");
    assert_eq!(oldest.link, Link::ChainStart);
    let c = &checked.report.counts;
    assert_eq!((c.breaks, c.signatures_failed), (1, 1));
    assert_eq!(c.modified, 1, "the log file whose listed hash was rewritten no longer matches");
    // The page lists the first few hundred digests: the two with a problem come first, then the
    // others by trail and time.
    let order: Vec<&str> = checked.report.digests.iter().map(|d| d.path.as_str()).collect();
    assert!(order[0].ends_with(keys[1]) && order[1].ends_with(keys[2]), "{order:#?}");
    let rest: Vec<(&str, &str)> =
        checked.report.digests[2..].iter().map(|d| (d.trail.as_str(), d.end.as_str())).collect();
    assert!(rest.windows(2).all(|w| w[0] <= w[1]), "{rest:?}");
    assert!(rest.len() >= 2 && checked.report.digests[2..].iter().all(|d| !d.has_problem()));
}

#[test]
fn err_edited_newest_digest_fails_its_signature() {
    let truth = truth();
    let chain = &truth["chains"][1];
    let newest = chain["newest"].as_str().unwrap();
    let mut files = trail();
    let mut dropped_entry = String::new();
    edit_digest(&mut files, newest, |v| {
        let list = v["logFiles"].as_array_mut().unwrap();
        dropped_entry = list.remove(0)["s3Object"].as_str().unwrap().to_owned();
    });
    let sigs = newest_signatures();
    let refs: Vec<&str> = sigs.iter().map(String::as_str).collect();
    let (_, checked) = run(&files, &keys_with(&refs));
    let row = checked.report.digests.iter().find(|d| d.path.ends_with(newest)).unwrap();
    assert_eq!(row.link, Link::Linked, "its link to the previous digest is untouched");
    assert_eq!(row.signature, SigCheck::Failed, "{:?}", row.notes);
    let c = &checked.report.counts;
    let per_chain = chain["digests"].as_array().unwrap().len() as u64;
    assert_eq!((c.signatures_verified, c.signatures_failed, c.signatures_unchecked), (per_chain, 1, per_chain - 1));
    assert_eq!(finding_of(&checked, &format!("trail/{dropped_entry}")), Finding::Unlisted);
}

#[test]
fn err_a_missing_middle_digest_is_a_gap_and_its_logs_unlisted() {
    let truth = truth();
    let chain = &truth["chains"][0];
    let middle = chain["digests"][1].as_str().unwrap();
    let mut files = trail();
    let gone = files.iter().position(|(p, _)| p.ends_with(middle)).unwrap();
    let removed = files.remove(gone);
    let orphaned = listed(&vec![removed], "hashValue").len() as u64;
    let (_, checked) = run(&files, &no_keys());
    let c = &checked.report.counts;
    assert_eq!((c.gaps, c.breaks, c.unlisted, c.missing, c.modified), (1, 0, orphaned, 0, 0));
    let newest = checked.report.digests.iter().find(|d| d.path.ends_with(chain["newest"].as_str().unwrap())).unwrap();
    assert_eq!(newest.link, Link::PreviousMissing);
}

#[test]
fn ok_oldest_dropped_digest_with_an_earlier_one_not_dropped_is_no_gap() {
    let truth = truth();
    let oldest = truth["chains"][0]["digests"][0].as_str().unwrap();
    let mut files = trail();
    let gone = files.iter().position(|(p, _)| p.ends_with(oldest)).unwrap();
    let removed = files.remove(gone);
    let (_, checked) = run(&files, &no_keys());
    assert_eq!(checked.report.counts.gaps, 0);
    assert_eq!(checked.report.counts.unlisted, listed(&vec![removed], "hashValue").len() as u64);
    assert!(checked.report.digests.iter().any(|d| d.link == Link::PreviousNotDropped));
}

#[test]
fn ok_restarted_chain_is_a_gap() {
    let truth = truth();
    let newest = truth["chains"][0]["newest"].as_str().unwrap();
    let mut files = trail();
    edit_digest(&mut files, newest, |v| {
        for f in
            ["previousDigestS3Bucket", "previousDigestS3Object", "previousDigestHashValue", "previousDigestSignature"]
        {
            v[f] = serde_json::Value::Null;
        }
    });
    let (_, checked) = run(&files, &no_keys());
    let row = checked.report.digests.iter().find(|d| d.path.ends_with(newest)).unwrap();
    assert_eq!(row.link, Link::Restarted);
    assert_eq!(checked.report.counts.gaps, 1);
}

#[test]
fn ok_a_gap_names_the_stop_of_its_trail_that_the_logs_hold() {
    let truth = truth();
    let chain = &truth["chains"][0];
    let keys: Vec<&str> = chain["digests"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    let newest = chain["newest"].as_str().unwrap();
    let mut files = trail();
    edit_digest(&mut files, newest, |v| {
        for f in
            ["previousDigestS3Bucket", "previousDigestS3Object", "previousDigestHashValue", "previousDigestSignature"]
        {
            v[f] = serde_json::Value::Null;
        }
    });
    // The trail and hours, from the digests themselves: the key names the trail, the JSON the hours.
    let digest = |key: &str| -> serde_json::Value {
        let (_, b) = files.iter().find(|(p, _)| p.ends_with(key)).unwrap();
        serde_json::from_slice(&gunzip(b)).unwrap()
    };
    let name = keys[0].rsplit('/').next().unwrap().split("_CloudTrail-Digest_").nth(1).unwrap();
    let name = name.split_once('_').unwrap().1.rsplitn(3, '_').nth(2).unwrap().to_owned();
    let account = chain["account"].as_str().unwrap();
    // Ten minutes into the hour of the digest before the gap, and into the hour before that.
    let ten_past = |key: &str| format!("{}10:00Z", &digest(key)["digestStartTime"].as_str().unwrap()[..14]);
    let (inside, before) = (ten_past(keys[keys.len() - 2]), ten_past(keys[0]));
    let stop = |id: u32, trail: &str, time: &str, error: &str| {
        let error = if error.is_empty() { String::new() } else { format!(r#""errorCode": "{error}","#) };
        format!(
            r#"{{"eventVersion": "1.08", "userIdentity": {{"type": "IAMUser", "arn": "arn:aws:iam::{account}:user/mallory", "accountId": "{account}"}},
             "eventTime": "{time}", "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging", "awsRegion": "us-east-1",
             "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15.0", {error} "requestParameters": {{"name": "{trail}"}},
             "responseElements": null, "eventID": "00000000-0000-0000-0000-0000000000{id:02}", "eventType": "AwsApiCall",
             "recipientAccountId": "{account}"}}"#
        )
    };
    let events = [
        stop(1, &name, &inside, ""),
        // Another trail, a stop before the hour of the digest before the gap, and a refused stop: none.
        stop(2, "another-trail", &inside, ""),
        stop(3, &name, &before, ""),
        stop(4, &name, &inside, "AccessDenied"),
    ];
    files.push(("elsewhere/stops.json".to_owned(), format!(r#"{{"Records": [{}]}}"#, events.join(",")).into_bytes()));
    let (_, checked) = run(&files, &no_keys());
    let row = checked.report.digests.iter().find(|d| d.path.ends_with(newest)).unwrap();
    assert_eq!(row.link, Link::Restarted);
    let said: Vec<&String> = row.notes.iter().filter(|n| n.contains("StopLogging")).collect();
    assert_eq!(said.len(), 1, "{:#?}", row.notes);
    assert!(said[0].contains("a call that stopped or narrowed logging"), "{}", said[0]);
    let when = inside.replace('T', " ");
    let by = format!("StopLogging at {} UTC by arn:aws:iam::{account}:user/mallory", when.trim_end_matches('Z'));
    assert!(said[0].contains(&by), "{}", said[0]);
    // The digests of the other chains, with no gap, say nothing of it.
    assert!(checked
        .report
        .digests
        .iter()
        .filter(|d| !d.path.ends_with(newest))
        .all(|d| d.notes.iter().all(|n| !n.contains("StopLogging"))));
}

/// An S3 data event (the shape S3 logs `GetObject` in, the corpus's OTRF recording) of call `name`
/// by user mallory of `account`, numbered `id`, with the request's members and `resources`' items
/// given as JSON text; refused with `error` unless it is empty.
fn s3_data_event(
    account: &str,
    (name, id): (&str, u32),
    time: &str,
    error: &str,
    (req, resources): (&str, &str),
) -> String {
    let error = if error.is_empty() { String::new() } else { format!(r#""errorCode": "{error}","#) };
    let agent = if name == "DeleteObjects" { "[S3Console/0.4]" } else { "aws-cli/2.15.0" };
    format!(
        r#"{{"eventVersion": "1.08", "userIdentity": {{"type": "IAMUser", "arn": "arn:aws:iam::{account}:user/mallory", "accountId": "{account}", "accessKeyId": "AKIAIOSFODNN7EXAMPLE"}},
         "eventTime": "{time}", "eventSource": "s3.amazonaws.com", "eventName": "{name}", "awsRegion": "us-east-1",
         "sourceIPAddress": "203.0.113.7", "userAgent": "{agent}", {error}
         "requestParameters": {{{req}}}, "responseElements": null,
         "eventID": "00000000-0000-4000-8000-{:012}", "eventType": "AwsApiCall",
         "eventCategory": "Data", "readOnly": false, "recipientAccountId": "{account}", "resources": [{resources}]}}"#,
        u64::from(id) + if name == "DeleteObjects" { 100 } else { 0 }
    )
}

#[test]
fn ok_a_log_file_deleted_from_its_bucket_names_who_deleted_it() {
    let mut files = trail();
    // Two listed log files, and the bucket their digest names, from the digests themselves.
    let listing = listed(&files, "s3Bucket");
    let (gone, bucket) = listing[0].clone();
    let (kept_out, _) = listing[1].clone();
    files.retain(|(p, _)| !p.ends_with(&gone) && !p.ends_with(&kept_out));
    // S3 data events, as S3 logs GetObject (the corpus's OTRF recording) with `DeleteObject`'s name.
    let account = gone.split('/').nth(1).unwrap();
    let delete = |id: u32, key: &str, time: &str, error: &str| {
        let req = format!(r#""bucketName": "{bucket}", "Host": "{bucket}.s3.amazonaws.com", "key": "{key}""#);
        let resources = format!(r#"{{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::{bucket}/{key}"}}"#);
        s3_data_event(account, ("DeleteObject", id), time, error, (&req, &resources))
    };
    let events = [
        // Deleted three times, the logs not in time order: the earliest call removed it.
        delete(1, &gone, "2026-03-02T09:00:00Z", ""),
        delete(2, &gone, "2026-03-02T08:00:00Z", ""),
        delete(5, &gone, "2026-03-02T10:00:00Z", ""),
        // Refused: the other file was not deleted this way (it was only not dropped).
        delete(3, &kept_out, "2026-03-02T08:30:00Z", "AccessDenied"),
        // Not a CloudTrail file.
        delete(4, "photos/cat.jpg", "2026-03-02T08:40:00Z", ""),
    ];
    files.push((
        "elsewhere/s3-data-events.json".to_owned(),
        format!(r#"{{"Records": [{}]}}"#, events.join(",")).into_bytes(),
    ));
    let (engine, checked) = run(&files, &no_keys());
    let detail = |key: &str| -> String {
        let row = checked.report.files.iter().find(|f| f.path == key).unwrap_or_else(|| panic!("no row for {key}"));
        assert_eq!(row.finding, Finding::Missing);
        row.detail.clone()
    };
    let by = format!(
        "deleted from bucket {bucket} by arn:aws:iam::{account}:user/mallory at 2026-03-02 08:00:00 UTC (DeleteObject)"
    );
    assert!(detail(&gone).ends_with(&by), "{}", detail(&gone));
    assert!(!detail(&kept_out).contains("deleted"), "{}", detail(&kept_out));
    // The changes to logging list the four calls on log files, whatever the trail calls say of the
    // bucket; Needs attention has the deletions high and the refused one medium.
    let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    let changes: Vec<(&str, &str, &str)> = doc["logging"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["call"] == "DeleteObject")
        .map(|c| (c["trail"].as_str().unwrap(), c["effect"].as_str().unwrap(), c["error_code"].as_str().unwrap()))
        .collect();
    let (deleted, refused) = ((gone.as_str(), "narrows", ""), (kept_out.as_str(), "narrows", "AccessDenied"));
    assert_eq!(changes, [deleted, refused, deleted, deleted], "oldest first");
    let attention = doc["attention"].as_array().unwrap();
    let item = |title: &str| attention.iter().find(|a| a["title"] == title).unwrap_or_else(|| panic!("{attention:#?}"));
    assert_eq!(item(&format!("Log bucket {bucket} had log files deleted"))["severity"], "high");
    assert_eq!(item(&format!("Tried to delete log files from log bucket {bucket}"))["severity"], "medium");
}

#[test]
fn ok_a_log_file_not_found_after_objects_were_deleted_from_its_bucket_may_be_one_of_them() {
    let mut files = trail();
    // A listed log file and its bucket, from the digests themselves; it is not dropped.
    let listing = listed(&files, "s3Bucket");
    let (gone, bucket) = listing[0].clone();
    files.retain(|(p, _)| !p.ends_with(&gone));
    // `DeleteObjects` as CloudTrail logs it: the bucket, no key.
    let account = gone.split('/').nth(1).unwrap();
    let batch = |id: u32, bucket: &str, time: &str, error: &str| {
        let req = format!(r#""bucketName": "{bucket}", "Host": "{bucket}.s3.amazonaws.com", "delete": """#);
        let resources = format!(
            r#"{{"type": "AWS::S3::Object", "ARNPrefix": "arn:aws:s3:::{bucket}/"}}, {{"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::{bucket}"}}"#
        );
        s3_data_event(account, ("DeleteObjects", id), time, error, (&req, &resources))
    };
    let events = [
        // Before the file was delivered (its name says when): it cannot have deleted it.
        batch(1, &bucket, "2000-01-01T00:00:00Z", ""),
        // Refused, or another bucket: nothing deleted there.
        batch(2, &bucket, "2098-01-01T00:00:00Z", "AccessDenied"),
        batch(3, "photos", "2098-06-01T00:00:00Z", ""),
        // The first after it, and a later one.
        batch(4, &bucket, "2099-01-01T00:00:00Z", ""),
        batch(5, &bucket, "2099-02-01T00:00:00Z", ""),
    ];
    files.push((
        "elsewhere/s3-data-events.json".to_owned(),
        format!(r#"{{"Records": [{}]}}"#, events.join(",")).into_bytes(),
    ));
    let (engine, checked) = run(&files, &no_keys());
    let row = checked.report.files.iter().find(|f| f.path == gone).unwrap_or_else(|| panic!("no row for {gone}"));
    assert_eq!(row.finding, Finding::Missing);
    let may = format!(
        "; objects were deleted from bucket {bucket} at 2099-01-01 00:00:00 UTC by arn:aws:iam::{account}:user/mallory \
         with DeleteObjects, which does not log which: it may have been one"
    );
    assert!(row.detail.ends_with(&may), "{}", row.detail);
    // The changes to logging list the calls on the log bucket the digests name, not on photos.
    let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    let buckets: Vec<&str> = doc["logging"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["call"] == "DeleteObjects")
        .map(|c| c["bucket"].as_str().unwrap())
        .collect();
    assert_eq!(buckets, [bucket.as_str(); 4]);
}

#[test]
fn err_only_the_decoy_key_checks_nothing_and_says_why() {
    let keys = std::fs::read_to_string(fixture().join("list-public-keys.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&keys).unwrap();
    let decoy = serde_json::json!({ "PublicKeyList": [v["PublicKeyList"][0].clone()] });
    let sigs = newest_signatures();
    let (_, checked) = run(&trail(), &KeysInput { public_keys: decoy.to_string(), signatures: sigs.join("\n") });
    let c = &checked.report.counts;
    assert_eq!((c.signatures_verified, c.signatures_failed), (0, 0));
    let fp = truth()["fingerprint"].as_str().unwrap().to_owned();
    assert!(checked.report.digests.iter().all(|d| d.notes.iter().any(|n| n.contains(&fp))));
}

#[test]
fn ok_aws_documentation_digest_examples_parse() {
    let Some(corpus) = corpus() else { return };
    let dir = corpus.join("awsdocs/aws-cloudtrail-user-guide/verbatim_blocks");
    let mut n = 0;
    for p in walk(&dir).into_iter().filter(|p| p.to_string_lossy().ends_with("__digest.json")) {
        let bytes = std::fs::read(&p).unwrap();
        let plain: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let mut engine = Engine::new();
        engine.ingest_bytes(&p.file_name().unwrap().to_string_lossy(), &bytes);
        let checked = engine.integrity(&KeysInput::default());
        assert_eq!(checked.report.counts.digests, 1, "{}", p.display());
        assert_eq!(checked.report.counts.listed, plain["logFiles"].as_array().unwrap().len() as u64);
        assert_eq!(checked.report.counts.missing, checked.report.counts.listed, "their logs are not here");
        n += 1;
    }
    assert_eq!(n, 2, "the CloudTrail user guide's two digest examples");
}

/// Reads `files` as ingest workers do with hashing on (`Engine::hash_while_reading`): two engines
/// taking alternate files, fed `chunk` bytes at a time, a batch taken every `every` chunks whatever
/// file is open (so files are cut into parts), the content kept at each file's end hashed by
/// `hash_kept_here` (the worker asks the browser instead), each batch absorbed as the engine's
/// worker does. Returns the engine, with nothing hashed after the load.
fn load_hashing(files: &Dropped, chunk: usize, every: usize) -> Engine {
    let mut readers = [Engine::for_batches(), Engine::for_batches()];
    let mut open = [None, None];
    let mut engine = Engine::new();
    engine.hash_while_reading(true);
    for r in &mut readers {
        r.hash_while_reading(true);
    }
    let mut fed = 0;
    for (i, (path, bytes)) in files.iter().enumerate() {
        let w = i % 2;
        let mut id = readers[w].open_file(path, bytes.len() as u64);
        for piece in bytes.chunks(chunk) {
            readers[w].push(id, piece);
            fed += 1;
            if fed % every == 0 {
                let (_, part) = engine.absorb_part(&readers[w].take_batch(), open[w]).expect("a part reads back");
                (open[w], id) = (part, 0);
            }
        }
        readers[w].close_file(id);
        readers[w].hash_kept_here();
    }
    for (w, r) in readers.iter_mut().enumerate() {
        let (_, part) = engine.absorb_part(&r.take_batch(), open[w]).expect("the last batch reads back");
        assert_eq!(part, None, "every file was closed");
    }
    engine
}

#[test]
fn ok_files_hashed_as_they_are_read_in_batches_and_parts_verify_without_reading_again() {
    let files = trail();
    let logs = files.iter().filter(|(p, _)| !is_digest(p)).count() as u64;
    let digests = files.iter().filter(|(p, _)| is_digest(p)).count() as u64;
    // 512-byte pieces and a batch every 7: most files end up in two or more parts.
    let engine = load_hashing(&files, 512, 7);
    assert_eq!(engine.integrity_to_hash(), Vec::<u32>::new(), "every file was hashed as it was read");
    let checked = engine.integrity(&no_keys());
    let c = &checked.report.counts;
    assert_eq!(checked.report.state, CheckState::Done);
    assert_eq!((c.verified, c.modified, c.missing, c.unlisted, c.read_again), (logs, 0, 0, 0, 0));
    let chains = truth()["chains"].as_array().unwrap().len() as u64;
    assert_eq!((c.digests, c.links_ok, c.breaks), (digests, digests - chains, 0), "digests are hashed too");
}

#[test]
fn err_a_log_edited_is_found_modified_when_hashed_as_it_is_read() {
    let mut files = trail();
    let i = files.iter().position(|(p, _)| !is_digest(p)).unwrap();
    let mut content = gunzip(&files[i].1);
    let at = content.windows(10).position(|w| w == b"eventName\"").expect("an eventName") + 12;
    content[at] ^= 0x20;
    files[i].1 = gzip(&content);
    let engine = load_hashing(&files, 4096, 3);
    let checked = engine.integrity(&no_keys());
    assert_eq!(
        (checked.report.counts.modified, checked.report.counts.verified),
        (1, listed(&files, "hashValue").len() as u64 - 1)
    );
    // The hash the row gives is the edited content's, computed here with the sha2 crate alone.
    let row = checked.report.files.iter().find(|f| f.path == files[i].0).unwrap();
    let ours = trailscope::integrity::hash::hex(&sha2_of(&content));
    assert!(row.detail.contains(&ours), "{}", row.detail);
}

#[test]
fn ok_a_file_not_read_to_its_end_is_left_to_be_read_again() {
    let files = trail();
    let (i, (path, bytes)) = files.iter().enumerate().find(|(_, (p, _))| !is_digest(p)).unwrap();
    let mut engine = Engine::new();
    engine.hash_while_reading(true);
    for (j, (p, b)) in files.iter().enumerate() {
        let id = engine.open_file(p, b.len() as u64);
        if j == i {
            engine.push(id, &bytes[..bytes.len() / 2]);
            engine.read_cancelled(id);
        } else {
            engine.push(id, b);
        }
        engine.close_file(id);
        engine.hash_kept_here();
    }
    assert_eq!(engine.integrity_to_hash(), vec![i as u32], "only {path} is to be read again");
    engine.set_integrity_hash(i as u32, Hasher::of(bytes));
    engine.read_again(1);
    let c = engine.integrity(&no_keys()).report.counts.clone();
    assert_eq!((c.verified, c.read_again), (listed(&files, "hashValue").len() as u64, 1));
}

#[test]
fn ok_a_reader_hashing_keeps_the_content_or_hashes_past_its_limit_and_gives_nothing_when_cut() {
    use trailscope::ingest::FileReader;
    use trailscope::integrity::hash::Finished;
    use trailscope::integrity::HashOutcome;
    use trailscope::store::Store;
    // Two gzip members, as some writers split a file.
    let (a, b) = (
        br#"{"Records":[{"eventVersion":"1.08","eventTime":"2026-03-01T00:00:00Z","#.to_vec(),
        br#""eventSource":"ecr.amazonaws.com","eventName":"PutImage","eventID":"x"}]}"#.to_vec(),
    );
    let whole = [a.clone(), b.clone()].concat();
    let gz = [gzip(&a), gzip(&b)].concat();
    let read = |keep: usize, cut: bool| {
        let mut store = Store::new();
        let mut r = FileReader::new(0, "x.json.gz").hashing(keep);
        let end = if cut { gz.len() - 5 } else { gz.len() };
        for piece in gz[..end].chunks(7) {
            r.push(piece, &mut store);
        }
        r.finish_hashed(&mut store).1
    };
    assert_eq!(read(1 << 20, false), Some(Finished::Whole(whole.clone())));
    let hashed = HashOutcome::Hashed { sha256: sha2_of(&whole), bytes: whole.len() as u64 };
    assert_eq!(read(10, false), Some(Finished::Done(hashed)));
    assert_eq!(read(1 << 20, true), None, "a cut gzip is read again, to say it is undecodable");
    // Not CloudTrail: the rest is not decompressed, so it is left to be read again.
    let mut store = Store::new();
    let mut r = FileReader::new(0, "notes.txt").hashing(1 << 20);
    r.push(b"just some notes\nand more\n", &mut store);
    r.push(&vec![b'x'; 70_000], &mut store);
    assert_eq!(r.finish_hashed(&mut store).1, None);
}

#[test]
fn ok_once_the_digests_are_read_only_the_files_they_list_are_hashed_as_they_load() {
    let files = trail();
    let keys = listed(&files, "hashValue");
    let is_listed = |path: &str| keys.iter().any(|(key, _)| path.ends_with(key.as_str()));
    let (digests, logs): (Dropped, Dropped) = files.into_iter().partition(|(p, _)| is_digest(p));
    // A log of the same trail from a month no digest covers.
    let extra = (
        "trail/AWSLogs/555566667777/CloudTrail/eu-west-1/2026/02/01/555566667777_CloudTrail_eu-west-1_20260201T0000Z_EARLIERearlier0001.json.gz".to_owned(),
        gzip(br#"{"Records":[{"eventVersion":"1.08","eventTime":"2026-02-01T00:00:00Z","eventSource":"ecr.amazonaws.com","eventName":"GetAuthorizationToken","awsRegion":"eu-west-1","eventID":"e2e00000-0000-4000-8000-000002000001"}]}"#),
    );
    assert!(!is_listed(&extra.0));

    let mut engine = Engine::new();
    // Before any digest is read: nothing, unless digests were given and are still to be read.
    assert!(!engine.wants_hash(&logs[0].0, false), "a load without digests hashes nothing");
    assert!(engine.wants_hash(&logs[0].0, true), "while digests are pending, every file");
    assert!(digests.iter().all(|(p, _)| engine.wants_hash(p, false)), "a digest is always hashed");

    let mut hashed_as_read = 0;
    let mut read = |engine: &mut Engine, (path, bytes): &(String, Vec<u8>), pending: bool| {
        let hash = engine.wants_hash(path, pending);
        hashed_as_read += u64::from(hash);
        engine.hash_while_reading(hash);
        engine.ingest_bytes(path, bytes);
        engine.hash_kept_here();
    };
    for (i, d) in digests.iter().enumerate() {
        read(&mut engine, d, i + 1 < digests.len());
    }
    for log in logs.iter().chain([&extra]) {
        assert_eq!(engine.wants_hash(&log.0, false), is_listed(&log.0), "{}", log.0);
        read(&mut engine, log, false);
    }
    // A decompressed copy of a listed file is listed under its `.gz` name.
    let plain = logs.iter().find(|(p, _)| is_listed(p)).unwrap().0.trim_end_matches(".gz").to_owned();
    assert!(engine.wants_hash(&plain, false));

    let listed_logs = logs.iter().filter(|(p, _)| is_listed(p)).count() as u64;
    assert_eq!(hashed_as_read, digests.len() as u64 + listed_logs);
    assert_eq!(engine.status().hashed, hashed_as_read);
    assert_eq!(engine.integrity_to_hash(), Vec::<u32>::new(), "nothing is left to read again");
    let c = engine.integrity(&no_keys()).report.counts.clone();
    assert_eq!((c.verified, c.unlisted, c.read_again), (listed_logs, 1, 0));
}

#[test]
fn ok_files_stopped_before_they_were_hashed_stay_unchecked_until_checked_again() {
    use trailscope::integrity::{HashOutcome, StopCause};
    let files = trail();
    let mut engine = Engine::new();
    for (path, bytes) in &files {
        engine.ingest_bytes(path, bytes);
    }
    let id_of = |path: &str| files.iter().position(|(p, _)| p.ends_with(path)).unwrap() as u32;
    // Stopped: every other log, and the oldest digest of the first chain (its successor's link then
    // cannot be checked); one log the browser would not read again, which checking again leaves.
    let logs: Vec<u32> = (0..files.len() as u32).filter(|&i| !is_digest(&files[i as usize].0)).collect();
    let chains = truth()["chains"].as_array().unwrap().clone();
    let oldest = id_of(chains[0]["digests"][0].as_str().unwrap());
    let second = id_of(chains[0]["digests"][1].as_str().unwrap());
    let refused = logs[1];
    let mut stopped: Vec<u32> = logs.iter().copied().step_by(2).chain([oldest]).collect();
    stopped.sort_unstable();
    let todo = engine.integrity_to_hash();
    assert_eq!(todo.len(), files.len(), "every log and digest of the fixture is to be hashed");
    // The oldest digest was stopped by a Cancel while loading, the logs by Stop checking after.
    for id in todo {
        let outcome = if id == oldest {
            HashOutcome::Stopped(StopCause::LoadCancelled)
        } else if stopped.contains(&id) {
            HashOutcome::Stopped(StopCause::CheckStopped)
        } else if id == refused {
            HashOutcome::Unread("the browser refused".into())
        } else {
            HashOutcome::of_content(&gunzip(&files[id as usize].1))
        };
        engine.set_integrity_hash(id, outcome);
    }
    let digests = files.len() - logs.len();
    let stopped_logs = stopped.len() - 1;
    let checked = engine.integrity(&no_keys());
    let c = &checked.report.counts;
    assert_eq!(checked.report.state, CheckState::Done, "nothing is being hashed: stopped is not checking");
    assert_eq!((c.stopped, c.unread, c.pending), (stopped.len() as u64, stopped_logs as u64 + 1, 0));
    assert_eq!(c.stopped_cancelled, 1, "the oldest digest, by Cancel");
    assert_eq!((c.verified, c.modified, c.missing), ((logs.len() - stopped_logs - 1) as u64, 0, 0));
    assert_eq!((c.links_ok, c.breaks), ((digests - chains.len() - 1) as u64, 0), "one link is not checked");
    let row = checked.report.digests.iter().find(|d| d.file == second).unwrap();
    assert_eq!(row.link, Link::Unchecked);
    assert!(row.notes.iter().any(|n| n.contains("loading was cancelled before it was hashed")), "{:?}", row.notes);
    let path = &files[stopped[0] as usize].0;
    let f = checked.report.files.iter().find(|f| &f.path == path).unwrap();
    assert_eq!(f.finding, Finding::Unread);
    assert!(f.detail.contains("checking was stopped"), "{}", f.detail);
    assert!(stopped.len() > 1, "the sentence below is the plural one");
    let says = format!(
        "{} files were not hashed because loading was cancelled (1) or checking was stopped ({stopped_logs}) first: \"Check them\"",
        stopped.len()
    );
    assert!(
        checked.report.statements.iter().any(|s| s.starts_with(&says)),
        "{says} in {:?}",
        checked.report.statements
    );
    let status = engine.status();
    assert_eq!(status.hashed, (files.len() - stopped.len()) as u64, "files stopped are not hashed");

    assert_eq!(engine.check_again(), stopped.len() as u64);
    assert_ne!(engine.status().integrity_changes, status.integrity_changes, "the page is to ask again");
    assert_eq!(engine.integrity_to_hash(), stopped, "exactly the stopped files are asked again");
    let again = engine.integrity(&no_keys());
    assert_eq!(again.report.state, CheckState::Checking);
    assert_eq!((again.report.counts.stopped, again.report.counts.pending), (0, stopped_logs as u64));
    for id in engine.integrity_to_hash() {
        engine.set_integrity_hash(id, HashOutcome::of_content(&gunzip(&files[id as usize].1)));
    }
    assert_eq!(engine.check_again(), 0, "nothing is stopped now");
    assert_eq!(engine.status().hashed, files.len() as u64);
    let done = engine.integrity(&no_keys());
    let c = &done.report.counts;
    assert_eq!(done.report.state, CheckState::Done);
    assert_eq!((c.verified, c.unread, c.stopped), (logs.len() as u64 - 1, 1, 0), "all but the refused one");
    assert_eq!(c.links_ok, (digests - chains.len()) as u64);
}

#[test]
fn ok_listed_files_given_but_not_read_are_not_missing_and_when_read_they_verify() {
    use std::collections::HashSet;
    use trailscope::integrity::NotRead;
    let files = trail();
    let chains = truth()["chains"].as_array().unwrap().clone();
    let digest_of = |i: usize| chains[0]["digests"][i].as_str().unwrap().to_owned();
    // The load stopped before every other log (a Cancel) and before the middle digest of the first
    // chain (the memory limit): given, never read.
    let (middle, newest) = (digest_of(1), digest_of(2));
    assert_eq!(chains[0]["digests"].as_array().unwrap().len(), 3, "the fixture's chain is three digests long");
    let logs: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).filter(|p| !is_digest(p)).collect();
    let skipped: HashSet<&str> = logs.iter().copied().step_by(2).collect();
    let (mut engine, mut read, mut later) = (Engine::new(), Dropped::new(), Dropped::new());
    for (path, bytes) in &files {
        let why = if skipped.contains(path.as_str()) {
            Some(NotRead::Cancelled)
        } else {
            path.ends_with(&middle).then_some(NotRead::MemoryFull)
        };
        if let Some(why) = why {
            engine.not_read(path, why, Some(bytes.len() as u64));
            later.push((path.clone(), bytes.clone()));
        } else {
            engine.ingest_bytes(path, bytes);
            read.push((path.clone(), bytes.clone()));
        }
    }
    let hash_asked = |engine: &mut Engine, read: &Dropped| {
        for id in engine.integrity_to_hash() {
            engine.set_integrity_hash(id, Hasher::of(&read[id as usize].1));
        }
    };
    hash_asked(&mut engine, &read);
    // What the digests read list, read as plain JSON: the skipped logs they list are not read, the
    // logs only the middle digest lists are in no digest read.
    let keys: Vec<String> = listed(&read, "hashValue").into_iter().map(|(key, _)| key).collect();
    let is_listed = |path: &str| keys.iter().any(|k| k.ends_with(path.rsplit('/').next().unwrap()));
    let not_read = skipped.iter().filter(|p| is_listed(p)).count() as u64;
    let verified = read.iter().filter(|(p, _)| !is_digest(p) && is_listed(p)).count() as u64;
    let unlisted = read.iter().filter(|(p, _)| !is_digest(p) && !is_listed(p)).count() as u64;
    assert!(
        not_read > 1 && unlisted > 0,
        "the fixture gives both cases, the first in the plural ({not_read}, {unlisted})"
    );
    let checked = engine.integrity(&no_keys());
    let c = &checked.report.counts;
    assert_eq!(checked.report.state, CheckState::Done);
    assert_eq!((c.missing, c.not_read, c.unread), (0, not_read, not_read), "given but not read is not missing");
    assert_eq!((c.verified, c.unlisted, c.modified), (verified, unlisted, 0));
    let row = checked.report.files.iter().find(|f| f.finding == Finding::Unread).unwrap();
    assert!(skipped.contains(row.path.as_str()), "{} is a skipped log", row.path);
    assert_eq!(row.file, None, "it was never read, so it has no file id");
    assert!(row.detail.contains("dropped but not read: loading was cancelled before it was read"), "{}", row.detail);
    assert!(checked
        .report
        .statements
        .iter()
        .any(|s| s.starts_with(&format!("{not_read} listed log files were dropped but not read"))));
    assert!(!checked.report.statements.iter().any(|s| s.contains("not checked yet")), "nothing else is unhashed");
    // The newest digest's predecessor was given and not read: its link is not checked, not a gap.
    let digests = files.iter().filter(|(p, _)| is_digest(p)).count() as u64;
    let row = checked.report.digests.iter().find(|d| d.path.ends_with(&newest)).unwrap();
    assert_eq!(row.link, Link::Unchecked);
    assert!(
        row.notes.iter().any(|n| n.contains("was dropped but not read (the engine's memory reached its limit")),
        "{:?}",
        row.notes
    );
    assert_eq!((c.gaps, c.breaks, c.links_ok), (0, 0, digests - 1 - chains.len() as u64 - 1));

    // While one is read again, it is no longer "not read": a check asked before it closes says so.
    let at = later.iter().position(|(p, _)| is_listed(p)).unwrap();
    let (path, bytes) = later.remove(at);
    let id = engine.open_file(&path, bytes.len() as u64);
    assert_eq!(engine.integrity(&no_keys()).report.counts.not_read, not_read - 1, "{path} is being read");
    engine.push(id, &bytes);
    engine.close_file(id);
    read.push((path, bytes));
    // Dropped again and read, they are checked as any other file.
    for (path, bytes) in &later {
        engine.ingest_bytes(path, bytes);
        read.push((path.clone(), bytes.clone()));
    }
    hash_asked(&mut engine, &read);
    let checked = engine.integrity(&no_keys());
    let c = &checked.report.counts;
    assert_eq!((c.verified, c.not_read, c.unread, c.missing, c.unlisted), (logs.len() as u64, 0, 0, 0, 0));
    assert_eq!((c.gaps, c.links_ok), (0, digests - chains.len() as u64));
}

#[test]
fn ok_listed_files_in_a_folder_not_listed_are_not_missing_and_when_read_they_verify() {
    // A Cancel stopped the walk of the dropped `trail` folder after it read the digests and one
    // region's logs, before it listed the other region's: the engine is told that folder was not
    // listed, and never hears of its files.
    let files = trail();
    let unlisted_folder = "trail/AWSLogs/555566667777/CloudTrail/ap-southeast-2";
    let in_folder = |p: &str| p.starts_with(&format!("{unlisted_folder}/"));
    let (mut engine, mut read) = (Engine::new(), Dropped::new());
    for (path, bytes) in files.iter().filter(|(p, _)| !in_folder(p)) {
        engine.ingest_bytes(path, bytes);
        read.push((path.clone(), bytes.clone()));
    }
    engine.not_listed(&format!("{unlisted_folder}/"));
    // A folder not listed above where the keys start holds none of them.
    engine.not_listed("trail/elsewhere");
    for id in engine.integrity_to_hash() {
        engine.set_integrity_hash(id, Hasher::of(&read[id as usize].1));
    }
    // Counted from the digests' own lists, read as plain JSON: the keys in that region.
    let keys = listed(&files, "hashValue");
    let in_region = keys.iter().filter(|(k, _)| k.contains("/CloudTrail/ap-southeast-2/")).count() as u64;
    let dropped = files.iter().filter(|(p, _)| in_folder(p)).count() as u64;
    assert!(in_region > 1 && in_region == dropped, "the fixture lists {in_region} logs there and holds {dropped}");
    let checked = engine.integrity(&no_keys());
    let c = &checked.report.counts;
    assert_eq!(checked.report.state, CheckState::Done);
    assert_eq!(
        (c.missing, c.not_listed, c.not_read, c.unread),
        (0, in_region, 0, in_region),
        "not found is not missing"
    );
    assert_eq!(c.verified, keys.len() as u64 - in_region);
    let rows: Vec<_> = checked.report.files.iter().filter(|f| f.finding == Finding::Unread).collect();
    assert_eq!(rows.len() as u64, in_region);
    for row in &rows {
        assert!(row.path.contains("/CloudTrail/ap-southeast-2/"), "{}", row.path);
        assert!(
            row.detail.contains(&format!("may be in the dropped folder {unlisted_folder}, which was not listed")),
            "{}",
            row.detail
        );
    }
    let says =
        format!("{in_region} listed log files were not found, and may be in dropped folders that were not listed");
    assert!(checked.report.statements.iter().any(|s| s.starts_with(&says)), "{:?}", checked.report.statements);
    assert!(!checked.report.statements.iter().any(|s| s.contains("not checked yet")), "nothing else is unhashed");
    // The summary names the folders.
    let summary: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    assert_eq!(
        summary["input"]["cancelled"]["folders_not_listed"],
        serde_json::json!([unlisted_folder, "trail/elsewhere"])
    );

    // The folder dropped again: once a file in it is read, it was listed, and the rest of it are
    // missing until they are read too.
    let mut later: Dropped = files.iter().filter(|(p, _)| in_folder(p)).cloned().collect();
    let (path, bytes) = later.remove(0);
    engine.ingest_bytes(&path, &bytes);
    read.push((path, bytes));
    let c = engine.integrity(&no_keys()).report.counts.clone();
    assert_eq!((c.not_listed, c.missing), (0, in_region - 1));
    for (path, bytes) in later {
        engine.ingest_bytes(&path, &bytes);
        read.push((path, bytes));
    }
    for id in engine.integrity_to_hash() {
        engine.set_integrity_hash(id, Hasher::of(&read[id as usize].1));
    }
    let c = engine.integrity(&no_keys()).report.counts.clone();
    assert_eq!((c.verified, c.missing, c.not_listed, c.unread), (keys.len() as u64, 0, 0, 0));
    let summary: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    assert_eq!(summary["input"]["cancelled"]["folders_not_listed"], serde_json::json!(["trail/elsewhere"]));
}

#[test]
fn ok_digests_given_but_not_read_are_said_so_rather_than_none_dropped() {
    use trailscope::integrity::NotRead;
    let files = trail();
    let mut engine = Engine::new();
    for (path, bytes) in &files {
        if is_digest(path) {
            engine.not_read(path, NotRead::Cancelled, Some(bytes.len() as u64));
        } else {
            engine.ingest_bytes(path, bytes);
        }
    }
    let digests = files.iter().filter(|(p, _)| is_digest(p)).count() as u64;
    assert_eq!(digests, truth()["digest_files"].as_u64().unwrap());
    let checked = engine.integrity(&no_keys());
    assert_eq!(checked.report.state, CheckState::NoDigests, "nothing to check against");
    assert_eq!((checked.report.counts.digests, checked.report.counts.digests_not_read), (0, digests));
    let says = format!("{digests} files at a CloudTrail-Digest path were dropped but not read: loading was cancelled");
    assert!(checked.report.statements[0].contains(&says), "{:?}", checked.report.statements);
    assert!(checked.report.statements[0].contains("Drop them again"));

    // One left unread by the memory limit: this tab reads no more files, so the advice is another tab.
    let (path, bytes) = files.iter().rfind(|(p, _)| is_digest(p)).unwrap();
    engine.not_read(path, NotRead::MemoryFull, Some(bytes.len() as u64));
    let checked = engine.integrity(&no_keys());
    assert_eq!(checked.report.counts.digests_not_read, digests, "the same digests, one reason changed");
    assert_eq!(checked.report.digests_not_read_why, Some(NotRead::MemoryFull));
    let statement = &checked.report.statements[0];
    assert!(
        statement.contains("the engine's memory reached its limit") && statement.contains("in another tab"),
        "{statement}"
    );
    assert!(!statement.contains("Drop them again"), "{statement}");
}

/// Asserts that the fixture's trail dropped with `again` (the same files once more, in some form)
/// checks as the trail alone: each listed file verified once, one row each, each digest one link.
fn assert_checks_as_once(again: impl Iterator<Item = (String, Vec<u8>)>) {
    let files = trail();
    let both: Dropped = files.iter().cloned().chain(again).collect();
    let (_, checked) = run(&both, &no_keys());
    let c = &checked.report.counts;
    let logs = files.iter().filter(|(p, _)| !is_digest(p)).count() as u64;
    let digests = files.len() as u64 - logs;
    let chains = truth()["chains"].as_array().unwrap().len() as u64;
    assert_eq!(logs, truth()["log_files_listed"].as_u64().unwrap());
    assert_eq!((c.verified, c.modified, c.missing, c.unlisted, c.unread), (logs, 0, 0, 0, 0));
    assert_eq!((c.digests, c.links_ok, c.breaks, c.gaps), (digests, digests - chains, 0, 0));
    assert_eq!(checked.report.files_total, logs, "one row per log file");
}

#[test]
fn ok_the_same_folder_dropped_twice_checks_as_once() {
    // Dropped as a folder, then its files picked again (a pick carries no folders).
    assert_checks_as_once(trail().into_iter().map(|(p, b)| (p.rsplit('/').next().unwrap().to_owned(), b)));
}

#[test]
fn ok_decompressed_copies_beside_their_gzip_check_as_once() {
    // The folder, then every file decompressed (`x.json` for `x.json.gz`, whose content and so hash
    // is the same).
    assert_checks_as_once(trail().into_iter().map(|(p, b)| (p.trim_end_matches(".gz").to_owned(), gunzip(&b))));
}

#[test]
fn ok_files_dropped_again_are_not_a_second_chain_while_they_wait_for_their_hash() {
    // The folder loaded and checked, then its files picked again: until the copies are hashed, the
    // check must not take their digests for a second chain (a fork) nor their logs for new files.
    let files = trail();
    let (mut engine, _) = run(&files, &no_keys());
    let picked: Dropped = files.iter().map(|(p, b)| (p.rsplit('/').next().unwrap().to_owned(), b.clone())).collect();
    for (path, bytes) in &picked {
        engine.ingest_bytes(path, bytes);
    }
    let waiting = engine.integrity_to_hash();
    assert_eq!(waiting.len(), files.len(), "every copy waits for its hash");
    let checked = engine.integrity(&no_keys());
    let c = &checked.report.counts;
    let logs = files.iter().filter(|(p, _)| !is_digest(p)).count() as u64;
    let digests = files.len() as u64 - logs;
    let chains = truth()["chains"].as_array().unwrap().len() as u64;
    assert_eq!((c.digests, c.chains, c.links_ok, c.breaks, c.gaps), (digests, chains, digests - chains, 0, 0));
    assert_eq!((c.verified, c.modified, c.missing, c.unlisted), (logs, 0, 0, 0));
    assert_eq!(checked.report.files_total, logs, "one row per log file");
    assert_eq!(checked.report.state, CheckState::Checking, "the copies may yet differ");
    assert_eq!((c.pending, c.copies_pending), (0, files.len() as u64));
    for id in waiting {
        engine.set_integrity_hash(id, Hasher::of(&picked[id as usize - files.len()].1));
    }
    let checked = engine.integrity(&no_keys());
    assert_eq!(checked.report.state, CheckState::Done);
    assert_eq!(checked.report.counts.verified, logs);
}
