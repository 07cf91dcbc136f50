//! The container story against independent truth: logs written by `../shared/tools/gen_cloudtrail.py`
//! with `--truth`, whose pushes, pulls, lifecycle runs and expired images must come back exactly,
//! and failed pushes / pulls counted from the files with plain JSON (the generator writes exactly one
//! refused `InitiateLayerUpload` per refused push and one refused `BatchGetImage` per failed pull).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::common::{corpus, records, root, walk};
use trailscope::analysis::container::nav::PushKeep;
use trailscope::analysis::container::{Ask, ContainerAnswer, ContainerQuery, Index};
use trailscope::analysis::filter::{Compiled, Field, Filter};
use trailscope::analysis::identity::{report, Attention, AttentionKind, Severity};
use trailscope::engine::{Engine, Query, Response};

/// The generator, or `None` (with a notice) when `../shared` or python3 is missing.
fn generator() -> Option<PathBuf> {
    let shared = std::env::var("TRAILSCOPE_SHARED").map_or_else(|_| root().join("../shared"), PathBuf::from);
    let gen = shared.join("tools/gen_cloudtrail.py");
    if !gen.exists() {
        eprintln!("NOTICE: {} not found; skipping the generator truth test", gen.display());
        return None;
    }
    Some(gen)
}

/// Generates `events` events with `seed` into a fresh folder; returns (folder, truth). Each call has
/// a folder of its own: tests that run at once and ask for the same seed would otherwise delete
/// each other's files.
pub(super) fn generate(events: u32, seed: u32) -> Option<(PathBuf, serde_json::Value)> {
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let gen = generator()?;
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("trailscope-container-{seed}-{events}-{}-{call}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let truth = dir.join("truth.json");
    let status = Command::new("python3")
        .arg(&gen)
        .args(["--events", &events.to_string(), "--seed", &seed.to_string(), "--out"])
        .arg(dir.join("logs"))
        .arg("--truth")
        .arg(&truth)
        .stderr(std::process::Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => {}
        other => {
            eprintln!("NOTICE: python3 could not run the generator ({other:?}); skipping");
            return None;
        }
    }
    let truth = serde_json::from_str(&std::fs::read_to_string(truth).unwrap()).unwrap();
    Some((dir, truth))
}

pub(super) fn load(dir: &Path) -> (Engine, Vec<serde_json::Value>) {
    let mut e = Engine::new();
    let mut all = Vec::new();
    for f in walk(&dir.join("logs")) {
        e.ingest_bytes(&f.strip_prefix(dir).unwrap().to_string_lossy(), &std::fs::read(&f).unwrap());
        all.extend(records(&f));
    }
    (e, all)
}

fn count(all: &[serde_json::Value], name: &str, error: &str) -> u64 {
    all.iter().filter(|e| e["eventName"] == name && e["errorCode"] == error).count() as u64
}

#[test]
fn ok_pushes_pulls_runs_and_expiries_equal_the_generators_truth() {
    // Seed 10 at 20,000 events has a lifecycle run of 10 or more images, which ECR (and the
    // generator) split into several events: the join must give it back as one run.
    for (events, seed, split) in [(20_000, 10, true), (6_000, 11, false)] {
        let Some((dir, truth)) = generate(events, seed) else { return };
        let (engine, all) = load(&dir);
        let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
        let ecr = &doc["ecr"];
        let n = |v: &serde_json::Value| v.as_u64().unwrap_or(u64::MAX);
        assert_eq!(n(&ecr["pushes"]), n(&truth["pushes"]), "pushes, seed {seed}");
        assert_eq!(n(&ecr["pulls"]), n(&truth["pulls"]), "pulls, seed {seed}");
        assert_eq!(n(&ecr["lifecycle_runs"]), n(&truth["lifecycle_runs"]), "lifecycle runs, seed {seed}");
        assert_eq!(n(&ecr["expired_images"]), n(&truth["lifecycle_expired_images"]), "expired images, seed {seed}");
        assert_eq!(
            n(&ecr["failed_pushes"]),
            count(&all, "InitiateLayerUpload", "AccessDeniedException"),
            "failed pushes"
        );
        assert_eq!(n(&ecr["failed_pulls"]), count(&all, "BatchGetImage", "ImageNotFoundException"), "failed pulls");
        // Told apart by their error codes, counted here by name.
        assert_eq!(
            (n(&ecr["failed_pushes_denied"]), n(&ecr["failed_pulls_not_found"]), n(&ecr["failed_pulls_denied"])),
            (
                count(&all, "InitiateLayerUpload", "AccessDeniedException"),
                count(&all, "BatchGetImage", "ImageNotFoundException"),
                0
            ),
            "refusals by kind, seed {seed}"
        );
        assert_eq!(n(&ecr["incomplete_pushes"]), 0, "the generator never leaves an upload without its PutImage");
        assert_eq!(n(&truth["lifecycle_events"]) > n(&truth["lifecycle_runs"]), split, "seed {seed} splits a run");
        // Every event of a push is in exactly one push: the generator's push calls, counted by name.
        let push_calls: u64 = [
            "BatchCheckLayerAvailability",
            "InitiateLayerUpload",
            "UploadLayerPart",
            "CompleteLayerUpload",
            "PutImage",
        ]
        .iter()
        .map(|name| all.iter().filter(|e| e["eventName"] == *name).count() as u64)
        .sum();
        let pushes = match engine.query(&Query::Container(Box::new(ContainerQuery {
            filter: Filter::default(),
            ask: Ask::Pushes { offset: 0, keep: PushKeep::All },
        }))) {
            Response::Container(a) => match *a {
                ContainerAnswer::Pushes(p) => p,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert_eq!(pushes.total, n(&truth["pushes"]) + n(&ecr["failed_pushes"]));
        let store = engine.store();
        let ix = Index::build(store);
        let in_pushes: u64 = ix
            .pushes
            .iter()
            .flat_map(|p| p.rows.iter())
            .filter(|&&r| store.str(store.name(r)) != "GetAuthorizationToken")
            .count() as u64;
        assert_eq!(in_pushes, push_calls, "every push call belongs to exactly one push");
        let pull_calls = all
            .iter()
            .filter(|e| e["eventName"] == "BatchGetImage" || e["eventName"] == "GetDownloadUrlForLayer")
            .count();
        let in_pulls = ix
            .pulls
            .iter()
            .flat_map(|p| p.rows.iter())
            .filter(|&&r| store.str(store.name(r)) != "GetAuthorizationToken")
            .count();
        assert_eq!(in_pulls, pull_calls, "every pull call belongs to exactly one pull");
        // Every token call is given to the push or pull it opened.
        let tokens = ix
            .pushes
            .iter()
            .map(|p| &p.rows)
            .chain(ix.pulls.iter().map(|p| &p.rows))
            .flatten()
            .filter(|&&r| store.str(store.name(r)) == "GetAuthorizationToken")
            .count();
        assert_eq!(tokens, all.iter().filter(|e| e["eventName"] == "GetAuthorizationToken").count());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Who pushed, as the *Tag moved by a new pusher* item tells pushers apart: a role session's role
/// (unless it is an Identity Center permission set's, whose sessions are people), else the ARN.
fn pusher_of(e: &serde_json::Value) -> String {
    let who = &e["userIdentity"];
    let issuer = &who["sessionContext"]["sessionIssuer"];
    let role = issuer["arn"].as_str().filter(|a| !a.is_empty());
    let person = issuer["userName"].as_str().is_some_and(|n| n.starts_with("AWSReservedSSO_"));
    match role {
        Some(role) if who["type"] == "AssumedRole" && !person => role.to_owned(),
        _ => who["arn"].as_str().unwrap_or("").to_owned(),
    }
}

/// One `PutImage` that went through, read from the raw event.
#[derive(Clone)]
struct RawPut {
    time: String,
    /// Registry, region, repository, tag.
    key: [String; 4],
    digest: String,
    arn: String,
    pusher: String,
}

/// A `PutImage` that moved its tag: the tag's previous `PutImage` (by time, then digest) in the same
/// repository named another image, which no lifecycle run (not a preview) expired, and no
/// `BatchDeleteImage` deleted, from that push to this one.
struct RawMove {
    put: RawPut,
    /// That previous push.
    before: RawPut,
}

/// Every `PutImage` that went through, by time, and those that moved a tag, counted over the raw events.
fn raw_moves(all: &[serde_json::Value]) -> (Vec<RawPut>, Vec<RawMove>) {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
    let registry = |e: &serde_json::Value, more: &serde_json::Value| {
        [&e["requestParameters"]["registryId"], more, &e["recipientAccountId"]]
            .into_iter()
            .map(s)
            .find(|r| !r.is_empty())
    };
    // When each image was removed: by (registry, region, repository, digest).
    let mut removed: std::collections::HashMap<[String; 4], Vec<String>> = std::collections::HashMap::new();
    for e in all.iter().filter(|e| e["errorCode"].is_null()) {
        let (repo, digests): (String, Vec<String>) = match e["eventName"].as_str() {
            Some("PolicyExecutionEvent") => {
                let d = &e["serviceEventDetails"];
                let images = d["lifecycleEventImageActions"].as_array().into_iter().flatten();
                (s(&d["repositoryName"]), images.map(|a| s(&a["lifecycleEventImage"]["digest"])).collect())
            }
            Some("BatchDeleteImage") => {
                let ids = e["responseElements"]["imageIds"].as_array().into_iter().flatten();
                (s(&e["requestParameters"]["repositoryName"]), ids.map(|i| s(&i["imageDigest"])).collect())
            }
            _ => continue,
        };
        let Some(reg) = registry(e, &serde_json::Value::Null) else { continue };
        for d in digests {
            removed.entry([reg.clone(), s(&e["awsRegion"]), repo.clone(), d]).or_default().push(s(&e["eventTime"]));
        }
    }
    let mut puts: Vec<RawPut> = all
        .iter()
        .filter(|e| e["eventName"] == "PutImage" && e["errorCode"].is_null())
        .filter_map(|e| {
            let (req, image) = (&e["requestParameters"], &e["responseElements"]["image"]);
            let key = [
                registry(e, &image["registryId"])?,
                s(&e["awsRegion"]),
                s(&req["repositoryName"]),
                s(&req["imageTag"]),
            ];
            let digest = s(&image["imageId"]["imageDigest"]);
            let (time, arn, pusher) = (s(&e["eventTime"]), s(&e["userIdentity"]["arn"]), pusher_of(e));
            (!key[3].is_empty() && !digest.is_empty()).then_some(RawPut { time, key, digest, arn, pusher })
        })
        .collect();
    puts.sort_by(|a, b| (&a.time, &a.digest).cmp(&(&b.time, &b.digest)));
    let mut last: std::collections::HashMap<[String; 4], &RawPut> = std::collections::HashMap::new();
    let mut moves = Vec::new();
    for put in &puts {
        if let Some(before) = last.insert(put.key.clone(), put) {
            let [a, b, c, _] = put.key.clone();
            let gone = removed.get(&[a, b, c, before.digest.clone()]);
            if before.digest != put.digest && !gone.into_iter().flatten().any(|t| before.time <= *t && *t <= put.time) {
                moves.push(RawMove { put: put.clone(), before: before.clone() });
            }
        }
    }
    (puts, moves)
}

/// The pushes that moved a tag: registry, region, repository, tag, image, the image it named
/// before; last, "another" when another principal (ARN) had pushed that one.
fn tag_moves(all: &[serde_json::Value]) -> Vec<[String; 7]> {
    let mut moves: Vec<[String; 7]> = raw_moves(all)
        .1
        .into_iter()
        .map(|m| {
            let another = if m.before.arn == m.put.arn { "" } else { "another" };
            let [a, b, c, d] = m.put.key;
            [a, b, c, d, m.put.digest, m.before.digest, another.to_owned()]
        })
        .collect();
    moves.sort();
    moves
}

#[test]
fn ok_pushes_that_moved_a_tag_are_those_the_events_say() {
    let Some((dir, _)) = generate(20_000, 12) else { return };
    let (engine, all) = load(&dir);
    let want = tag_moves(&all);
    assert!(want.len() > 50, "the generator moves tags: {}", want.len());
    assert!(
        want.iter().any(|m| m[6].is_empty()) && want.iter().any(|m| !m[6].is_empty()),
        "both by the same and another"
    );
    let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    assert_eq!(doc["ecr"]["tag_moves"].as_u64(), Some(want.len() as u64));
    // The list of the pushes that moved a tag, every page of it.
    let mut got = Vec::new();
    loop {
        let ask = Ask::Pushes { offset: got.len() as u32, keep: PushKeep::MovedTag };
        let page = match engine.query(&Query::Container(Box::new(ContainerQuery { filter: Filter::default(), ask }))) {
            Response::Container(a) => match *a {
                ContainerAnswer::Pushes(p) => p,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert_eq!(page.total, want.len() as u64);
        if page.items.is_empty() {
            break;
        }
        got.extend(page.items.into_iter().map(|p| {
            let another = if p.moved_from_by.is_empty() { "" } else { "another" };
            [p.repo.registry, p.repo.region, p.repo.name, p.tag, p.digest, p.moved_from, another.to_owned()]
        }));
    }
    got.sort();
    assert_eq!(got, want);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `ecr.by_repository` entries of `engine`'s summary whose `policy_exposure` is not `Own`:
/// ("account region repository", `policy_exposure`).
fn exposures(engine: &Engine) -> Vec<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    let repos = doc["ecr"]["by_repository"].as_array().unwrap();
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
    repos
        .iter()
        .filter(|r| r["policy_exposure"] != "Own")
        .map(|r| {
            (format!("{} {} {}", s(&r["account"]), s(&r["region"]), s(&r["repository"])), s(&r["policy_exposure"]))
        })
        .collect()
}

#[test]
fn ok_a_repository_made_public_says_so() {
    // StreamAlert's rule tests describe each record they test (the index beside the file): the one
    // described "ECR made public" must flag its repository as open to everyone, and no other.
    let Some(dir) = corpus() else { return };
    let dir = dir.join("airbnb-streamalert");
    let index = std::fs::read_to_string(dir.join("streamalert_rule_test_records.index.tsv")).unwrap();
    let line: usize = index
        .lines()
        .find_map(|l| l.ends_with("\tECR made public").then(|| l.split('\t').next().unwrap().parse().unwrap()))
        .expect("the index describes an ECR made public");
    let file = dir.join("streamalert_rule_test_records.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    let record: serde_json::Value = serde_json::from_str(text.lines().nth(line - 1).unwrap()).unwrap();
    let e = &record["Records"][0];
    let public = format!(
        "{} {} {}",
        e["responseElements"]["registryId"].as_str().unwrap(),
        e["awsRegion"].as_str().unwrap(),
        e["requestParameters"]["repositoryName"].as_str().unwrap()
    );
    let mut engine = Engine::new();
    engine.ingest_bytes("streamalert_rule_test_records.jsonl", text.as_bytes());
    assert_eq!(exposures(&engine), [(public, "Everyone".to_owned())]);
    // The Identities tab's attention list has it, as high, named by its repository and caller.
    let opened = opened(&engine, &Filter::default());
    let repo = e["requestParameters"]["repositoryName"].as_str().unwrap();
    assert_eq!(opened.len(), 1, "{opened:?}");
    assert_eq!(opened[0].severity, Severity::High);
    assert_eq!(opened[0].title, format!("Repository {repo} opened to everyone"));
    assert_eq!(opened[0].who, e["userIdentity"]["arn"].as_str().unwrap());
    let narrowed = Compiled::new(&opened[0].narrow(&Filter::default()), engine.store()).rows().count();
    assert_eq!(narrowed, 1, "the item narrows every view to its event");
}

/// The Identities tab's attention items about ECR opened to outsiders, over the events `filter`
/// keeps.
fn opened(engine: &Engine, filter: &Filter) -> Vec<Attention> {
    let kept = Compiled::new(filter, engine.store());
    let r = report(engine.store(), kept.rows());
    assert!(r.attention.rows.len() as u64 == r.attention.total, "the list is not cut");
    r.attention.rows.into_iter().filter(|a| a.kind == AttentionKind::EcrOpened).collect()
}

/// "account region repository" of an ECR call: the registry named, else the account called.
fn repo_key(e: &serde_json::Value) -> String {
    let req = &e["requestParameters"];
    let owner = req["registryId"].as_str().or(e["recipientAccountId"].as_str()).unwrap_or("");
    format!("{owner} {} {}", e["awsRegion"].as_str().unwrap_or(""), req["repositoryName"].as_str().unwrap_or(""))
}

#[test]
fn ok_repositories_shared_with_other_accounts_are_those_the_policies_name() {
    // The generator's repository policies let another account pull: each repository with such a
    // policy set (and not refused), by a walk of the raw policies' principals, is flagged so.
    let Some((dir, _)) = generate(20_000, 14) else { return };
    let (engine, all) = load(&dir);
    let mut want: Vec<(String, String)> = Vec::new();
    // (account region repository, name) → policies set on it that let another account in.
    let mut sets: std::collections::BTreeMap<(String, String), u64> = std::collections::BTreeMap::new();
    for e in all.iter().filter(|e| e["eventName"] == "SetRepositoryPolicy" && e["errorCode"].is_null()) {
        let req = &e["requestParameters"];
        let owner = req["registryId"].as_str().or(e["recipientAccountId"].as_str()).unwrap();
        let policy: serde_json::Value = serde_json::from_str(req["policyText"].as_str().unwrap()).unwrap();
        let principals =
            policy["Statement"].as_array().unwrap().iter().filter(|s| s["Effect"] == "Allow").flat_map(|s| {
                let aws = &s["Principal"]["AWS"];
                aws.as_array().cloned().unwrap_or_else(|| vec![aws.clone()])
            });
        let others = principals
            .filter_map(|p| p.as_str().map(str::to_owned))
            .any(|p| p.split(':').nth(4).is_some_and(|a| a != owner));
        let repo = repo_key(e);
        if others {
            let name = req["repositoryName"].as_str().unwrap().to_owned();
            *sets.entry((repo.clone(), name)).or_default() += 1;
        }
        if others && !want.iter().any(|(r, _)| *r == repo) {
            want.push((repo, "OtherAccounts".to_owned()));
        }
    }
    assert!(want.len() > 5, "the generator shares repositories: {}", want.len());
    let mut got = exposures(&engine);
    want.sort();
    got.sort();
    assert_eq!(got, want);
    // One attention item per repository such policies opened, of medium severity, counting them.
    // (Over every event the list is cut at 200 by other items.)
    let items = opened(&engine, &Filter::default().with(Field::Name, "SetRepositoryPolicy"));
    let mut got: Vec<(String, u64)> = items.iter().map(|a| (a.title.clone(), a.events)).collect();
    let mut want: Vec<(String, u64)> =
        sets.iter().map(|((_, name), &n)| (format!("Repository {name} opened to other accounts"), n)).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert!(sets.values().any(|&n| n > 1), "a repository opened more than once");
    // Medium, unless a principal of another account then pulled from it or pushed to it (high).
    let came_in = |(repo, _): &(String, String)| {
        let opened = all
            .iter()
            .filter(|e| e["eventName"] == "SetRepositoryPolicy" && e["errorCode"].is_null())
            .filter(|e| repo_key(e) == *repo)
            .filter_map(|e| e["eventTime"].as_str())
            .min()
            .unwrap();
        let owner = repo.split(' ').next().unwrap();
        all.iter().any(|e| {
            (e["eventName"] == "BatchGetImage" || e["eventName"] == "PutImage")
                && e["errorCode"].is_null()
                && repo_key(e) == *repo
                && e["eventTime"].as_str().is_some_and(|t| t >= opened)
                && e["userIdentity"]["accountId"].as_str().is_some_and(|a| a != owner)
        })
    };
    let mut want: Vec<(String, Severity)> = sets
        .keys()
        .map(|k| {
            let severity = if came_in(k) { Severity::High } else { Severity::Medium };
            (format!("Repository {} opened to other accounts", k.1), severity)
        })
        .collect();
    let mut got: Vec<(String, Severity)> = items.iter().map(|a| (a.title.clone(), a.severity)).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ok_an_ecr_public_repository_is_its_own_and_its_pushes_need_attention() {
    // AWS's ECR Public user guide logs a CreateRepository and a PutImage to public repositories of
    // account 123456789012 in us-east-1; the ECR guide's examples (the seeds) push a private
    // `testrepo` of the same account (and a lifecycle run expires images of another). Each
    // (source, account, region, name) is one repository.
    let Some(dir) = corpus() else { return };
    let public = dir.join("awsdocs/amazon-ecr-public-user-guide/amazon-ecr-public-user-guide__doc_examples.jsonl");
    let seeds = root().join("tests/fixtures/seeds/ecr-documentation-examples.json");
    let mut engine = Engine::new();
    let mut events: Vec<serde_json::Value> = Vec::new();
    for path in [&public, &seeds] {
        let bytes = std::fs::read(path).unwrap();
        engine.ingest_bytes(&path.display().to_string(), &bytes);
    }
    // The public guide's file is JSON lines, an event a line.
    let lines = std::fs::read_to_string(&public).unwrap();
    events.extend(lines.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()));
    events.extend(records(&seeds));
    let mut want: Vec<(String, bool)> = events
        .iter()
        .filter(|e| e["eventSource"].as_str().is_some_and(|s| s.starts_with("ecr")))
        .filter_map(|e| {
            let name = e["requestParameters"]["repositoryName"]
                .as_str()
                .or(e["serviceEventDetails"]["repositoryName"].as_str())?;
            let account = e["requestParameters"]["registryId"].as_str().or(e["recipientAccountId"].as_str())?;
            let key = format!("{account} {} {name}", e["awsRegion"].as_str()?);
            Some((key, e["eventSource"] == "ecr-public.amazonaws.com"))
        })
        .collect();
    want.sort();
    want.dedup();
    assert!(want.iter().any(|(_, p)| *p) && want.iter().any(|(_, p)| !*p), "{want:?}");
    let ix = Index::build(engine.store());
    let mut got: Vec<(String, bool)> = (0..ix.repos.len() as u32)
        .map(|id| {
            let r = ix.repo_ref(engine.store(), id);
            (format!("{} {} {}", r.registry, r.region, r.name), r.public)
        })
        .collect();
    got.sort();
    assert_eq!(got, want);

    let put =
        events.iter().find(|e| e["eventSource"] == "ecr-public.amazonaws.com" && e["eventName"] == "PutImage").unwrap();
    let summary: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    assert_eq!(summary["ecr"]["public_pushes"], 1);
    let items = opened(&engine, &Filter::default());
    let repo = put["requestParameters"]["repositoryName"].as_str().unwrap();
    let titles: Vec<(&str, &str)> = items.iter().map(|a| (a.title.as_str(), a.who.as_str())).collect();
    let title = format!("1 image pushed to ECR Public repository {repo}");
    assert_eq!(titles, [(title.as_str(), put["userIdentity"]["arn"].as_str().unwrap())]);
    let narrowed = Compiled::new(&items[0].narrow(&Filter::default()), engine.store()).rows().count();
    assert_eq!(narrowed, 1, "the item narrows every view to the public push alone");
}

/// Whether `s` is an ECR image URI, `<12 digits>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>…`,
/// written out here apart from the reader's parser; its registry, region and name.
fn ecr_image(s: &str) -> Option<(&str, &str, &str)> {
    let (host, path) = s.split_once('/')?;
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() < 6 {
        return None;
    }
    let ok = parts[0].len() == 12
        && parts[0].bytes().all(|b| b.is_ascii_digit())
        && (parts[1] == "dkr" || parts[1] == "dkr-fips")
        && parts[2] == "ecr"
        && parts[4] == "amazonaws";
    let name = path.split('@').next()?;
    let name = match name.rfind(':') {
        Some(i) if !name[i..].contains('/') => &name[..i],
        _ => name,
    };
    (ok && !name.is_empty()).then_some((parts[0], parts[3], name))
}

/// Every string in `v`.
fn strings<'v>(v: &'v serde_json::Value, out: &mut Vec<&'v str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

#[test]
fn ok_other_services_naming_ecr_images_in_aws_examples_are_their_repositories_events() {
    // Every example event of AWS's user guides in the corpus: a write of another service than ECR,
    // ECS and Image Builder whose request names an ECR image (SageMaker's CreateModel names
    // 174872318107's kmeans) is about that image's repository, and in its story.
    let Some(dir) = corpus() else { return };
    let mut engine = Engine::new();
    let mut events: Vec<serde_json::Value> = Vec::new();
    for path in walk(&dir.join("awsdocs")).into_iter().filter(|p| p.to_string_lossy().ends_with("__doc_examples.jsonl"))
    {
        let text = std::fs::read_to_string(&path).unwrap();
        engine.ingest_bytes(&path.display().to_string(), text.as_bytes());
        events.extend(text.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()));
    }
    let mut want: Vec<(String, String, String)> = Vec::new();
    for e in &events {
        let source = e["eventSource"].as_str().unwrap_or_default();
        if ["ecr.amazonaws.com", "ecr-public.amazonaws.com", "ecs.amazonaws.com", "imagebuilder.amazonaws.com"]
            .contains(&source)
            || e["readOnly"] == true
        {
            continue;
        }
        let mut all = Vec::new();
        strings(&e["requestParameters"], &mut all);
        for (account, region, name) in all.into_iter().filter_map(ecr_image) {
            let arn = format!("arn:aws:ecr:{region}:{account}:repository/{name}");
            want.push((arn, e["eventName"].as_str().unwrap().to_owned(), e["eventID"].as_str().unwrap().to_owned()));
        }
    }
    want.sort();
    want.dedup();
    assert!(
        want.iter().any(|(arn, call, _)| arn.ends_with(":174872318107:repository/kmeans") && call == "CreateModel"),
        "{want:?}"
    );
    // Picking each repository keeps, of each such call, as many events as name it.
    let store = engine.store();
    for (arn, call, _) in &want {
        let naming = want.iter().filter(|(a, c, _)| a == arn && c == call).count();
        let kept = Compiled::new(&Filter::default().with(Field::Repository, arn), store)
            .rows()
            .filter(|&r| store.str(store.name(r)) == call.as_str())
            .count();
        assert_eq!(kept, naming, "{arn} {call}");
    }
    // And nothing else is: every such event the engine holds is one of these.
    let ix = Index::build(store);
    assert_eq!(ix.uses.len(), want.iter().map(|(_, _, id)| id).collect::<std::collections::HashSet<_>>().len());
    // Another account's image is an item for a Lambda function, or for what an earlier write had
    // given an image from elsewhere: 174872318107 is SageMaker's own kmeans, a model's first
    // write, and no item.
    let foreign = |e: &serde_json::Value| {
        let mut all = Vec::new();
        strings(&e["requestParameters"], &mut all);
        let own = e["recipientAccountId"].as_str().unwrap_or_default();
        all.into_iter().filter_map(ecr_image).any(|(account, _, _)| account != own)
    };
    let named = |e: &serde_json::Value| {
        let r = &e["requestParameters"];
        ["functionName", "modelName", "jobDefinitionName", "name"].map(|k| r[k].as_str().unwrap_or_default().to_owned())
    };
    let flagged = events
        .iter()
        .enumerate()
        .filter(|(_, e)| want.iter().any(|(_, _, id)| e["eventID"].as_str() == Some(id)) && foreign(e))
        .filter(|(i, e)| {
            e["eventSource"] == "lambda.amazonaws.com"
                || events[..*i].iter().any(|o| o["eventSource"] == e["eventSource"] && named(o) == named(e))
        })
        .count();
    let r = report(store, 0..store.len() as u32);
    let items = r.attention.rows.iter().filter(|a| a.kind == AttentionKind::WorkloadImageFromOutside).count();
    assert_eq!(items, flagged);
}

#[test]
fn ok_tags_moved_by_a_new_pusher_are_those_the_events_say() {
    // The generator's pushers are picked at random, so its tags are often moved by someone new to
    // the repository (whose first push there came after others'), within a day of that first push:
    // each such pusher and repository, found by a walk of the raw events, is one item.
    let Some((dir, _)) = generate(20_000, 12) else { return };
    let (engine, all) = load(&dir);
    let ms = |t: &str| trailscope::model::time::parse_iso(t).unwrap();
    let (puts, moves) = raw_moves(&all);
    let repo_arn = |k: &[String; 4]| format!("arn:aws:ecr:{}:{}:repository/{}", k[1], k[0], k[2]);
    let mut arrived: std::collections::HashMap<(String, String), &str> = std::collections::HashMap::new();
    let mut opened: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    for p in &puts {
        arrived.entry((repo_arn(&p.key), p.pusher.clone())).or_insert(&p.time);
        opened.entry(repo_arn(&p.key)).or_insert(&p.time);
    }
    // (repository, pusher) → the images its moves pushed, and when.
    let mut want: std::collections::BTreeMap<(String, String), Vec<(String, String)>> =
        std::collections::BTreeMap::new();
    for m in moves.iter().filter(|m| m.put.pusher != m.before.pusher) {
        let at = (repo_arn(&m.put.key), m.put.pusher.clone());
        // New: others pushed there before its first push.
        if arrived[&at] > opened[&at.0] && ms(&m.put.time) - ms(arrived[&at]) < 86_400_000 {
            want.entry(at).or_default().push((m.put.time.clone(), m.put.digest.clone()));
        }
    }
    assert!(want.len() > 20, "the generator's tags are moved by new pushers: {}", want.len());
    // The image a pull fetched: by digest, or the last push of the tag it named before it.
    let fetched = |e: &serde_json::Value| -> Option<String> {
        let id = &e["requestParameters"]["imageIds"][0];
        if let Some(d) = id["imageDigest"].as_str() {
            return Some(d.to_owned());
        }
        let key = [
            e["requestParameters"]["registryId"].as_str()?.to_owned(),
            e["awsRegion"].as_str()?.to_owned(),
            e["requestParameters"]["repositoryName"].as_str()?.to_owned(),
            id["imageTag"].as_str()?.to_owned(),
        ];
        let t = e["eventTime"].as_str()?;
        puts.iter().rfind(|p| p.key == key && p.time.as_str() <= t).map(|p| p.digest.clone())
    };
    // High when another pusher then pulled an image one of the moves pushed.
    let pulled = |(repo, who): &(String, String), images: &[(String, String)]| {
        all.iter().filter(|e| e["eventName"] == "BatchGetImage" && e["errorCode"].is_null()).any(|e| {
            let t = e["eventTime"].as_str().unwrap_or("");
            let key = |k: &str| e["requestParameters"][k].as_str().unwrap_or("").to_owned();
            let arn = format!(
                "arn:aws:ecr:{}:{}:repository/{}",
                e["awsRegion"].as_str().unwrap_or(""),
                key("registryId"),
                key("repositoryName")
            );
            arn == *repo
                && pusher_of(e) != *who
                && fetched(e).is_some_and(|d| images.iter().any(|(at, image)| *image == d && at.as_str() <= t))
        })
    };
    let mut want: Vec<(String, String, u64, Severity)> = want
        .iter()
        .map(|(k, images)| {
            let severity = if pulled(k, images) { Severity::High } else { Severity::Medium };
            (k.0.clone(), k.1.clone(), images.len() as u64, severity)
        })
        .collect();
    assert!(want.iter().any(|w| w.3 == Severity::Medium) && want.iter().any(|w| w.3 == Severity::High));
    // Over the pushes alone: the list is not cut by other items.
    let kept = Compiled::new(&Filter::default().with(Field::Name, "PutImage"), engine.store());
    let r = report(engine.store(), kept.rows());
    assert_eq!(r.attention.rows.len() as u64, r.attention.total, "the list is not cut");
    let mut got: Vec<(String, String, u64, Severity)> = r
        .attention
        .rows
        .iter()
        .filter(|a| a.kind == AttentionKind::TagMovedByNewPusher)
        .map(|a| {
            let repo =
                a.chips.iter().find(|(f, _)| *f == Field::Repository).map(|(_, v)| v.clone()).unwrap_or_default();
            let who = a.why.split(" is new to repository").next().unwrap_or("").to_owned();
            (repo, who, a.events, a.severity)
        })
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Where an image comes from, as the ECS task definition reference reads an `image`: an ECR
/// registry's account, or a registry host (none: Docker Hub).
fn image_source(uri: &str) -> String {
    match ecr_image(uri) {
        Some((account, _, _)) => format!("ECR of account {account}"),
        None => match uri.split_once('/').map(|(h, _)| h) {
            Some(h) if h.contains('.') || h.contains(':') || h == "localhost" => h.to_owned(),
            _ => "Docker Hub".to_owned(),
        },
    }
}

/// Whether a `RegisterTaskDefinition` names a log configuration for any container.
fn logs_anywhere(e: &serde_json::Value) -> bool {
    let containers = e["requestParameters"]["containerDefinitions"].as_array().into_iter().flatten();
    containers.into_iter().any(|c| !c["logConfiguration"].is_null())
}

/// Whether a `RegisterTaskDefinition` puts any variable in its containers' environment.
fn has_environment(e: &serde_json::Value) -> bool {
    let containers = e["requestParameters"]["containerDefinitions"].as_array().into_iter().flatten();
    containers.into_iter().any(|c| c["environment"].as_array().is_some_and(|v| !v.is_empty()))
}

/// How many (principal, account, region, family, role) the task starts `starts` override the
/// task role with: one item each (the generator's registrations give no task role, so any
/// override differs).
fn role_overrides(starts: &[&serde_json::Value]) -> u64 {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
    let mut overridden: Vec<[String; 5]> = starts
        .iter()
        .filter(|e| !s(&e["requestParameters"]["overrides"]["taskRoleArn"]).is_empty())
        .map(|e| {
            let td = s(&e["requestParameters"]["taskDefinition"]);
            let name = td.rsplit('/').next().unwrap_or("").split(':').next().unwrap_or("").to_owned();
            let role = s(&e["requestParameters"]["overrides"]["taskRoleArn"]);
            [s(&e["userIdentity"]["arn"]), s(&e["recipientAccountId"]), s(&e["awsRegion"]), name, role]
        })
        .collect();
    overridden.sort();
    overridden.dedup();
    overridden.len() as u64
}

/// Whether a task start gives a container's environment anything (credentials or not).
fn gives_environment(e: &serde_json::Value) -> bool {
    let o = &e["requestParameters"]["overrides"]["containerOverrides"];
    o.as_array().into_iter().flatten().any(|c| c["environment"].as_array().is_some_and(|v| !v.is_empty()))
}

/// How many of `of` `f` holds for.
fn holding(of: &[&serde_json::Value], f: fn(&serde_json::Value) -> bool) -> u64 {
    of.iter().filter(|e| f(e)).count() as u64
}

/// Whether a task start replaces a container's command, with its task definition's role.
fn replaces_command(e: &serde_json::Value) -> bool {
    let o = &e["requestParameters"]["overrides"];
    o["taskRoleArn"].as_str().is_none_or(str::is_empty)
        && o["containerOverrides"].as_array().into_iter().flatten().any(|c| c["command"].is_array())
}

/// Whether a `RegisterTaskDefinition` asks for any of the host (ECS's `privileged`,
/// `pidMode`/`ipcMode`/`networkMode` `host`, added capabilities, devices, host volumes).
fn asks_host(e: &serde_json::Value) -> bool {
    let r = &e["requestParameters"];
    let containers = r["containerDefinitions"].as_array().into_iter().flatten();
    let mut volumes = r["volumes"].as_array().into_iter().flatten();
    r["pidMode"] == "host"
        || r["ipcMode"] == "host"
        || r["networkMode"] == "host"
        || volumes.any(|v| v["host"]["sourcePath"].as_str().is_some_and(|p| !p.is_empty()))
        || containers.into_iter().any(|c| {
            c["privileged"] == true
                || !c["linuxParameters"]["capabilities"]["add"].is_null()
                || !c["linuxParameters"]["devices"].is_null()
        })
}

#[test]
fn ok_task_definition_task_and_exec_items_are_those_the_events_say() {
    // Over the generator's logs, a walk of the raw events finds the registrations that run an
    // image from a source new to their family (outside the account's ECR) or give a task role new
    // to it, the task starts that override their task definition's role, and the principals and
    // clusters of ECS Exec calls; the identity report has as many items of each kind.
    let Some((dir, _)) = generate(20_000, 12) else { return };
    let (engine, all) = load(&dir);
    let ok = |e: &&serde_json::Value, name: &str| {
        e["eventSource"] == "ecs.amazonaws.com"
            && e["eventName"] == name
            && e.get("errorCode").is_none_or(serde_json::Value::is_null)
    };
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_owned();
    let regs: Vec<&serde_json::Value> = all.iter().filter(|e| ok(e, "RegisterTaskDefinition")).collect();
    let starts: Vec<&serde_json::Value> = all.iter().filter(|e| ok(e, "RunTask") || ok(e, "StartTask")).collect();
    assert!(regs.len() > 20 && starts.len() > 20, "the generator registers and runs tasks");
    let family = |e: &serde_json::Value| {
        let td = &e["responseElements"]["taskDefinition"];
        (s(&e["recipientAccountId"]), s(&e["awsRegion"]), s(&td["family"]), td["revision"].as_u64().unwrap_or(0))
    };
    let images = |e: &serde_json::Value| -> Vec<String> {
        e["requestParameters"]["containerDefinitions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| s(&c["image"]))
            .collect()
    };
    // Whether a service was deployed with, or a task started from, revision 1 of a family (by
    // `family:1`, its ARN, or the family alone, its latest then).
    let started_first = |account: &str, region: &str, name: &str| {
        all.iter().any(|e| {
            let td = s(&e["requestParameters"]["taskDefinition"]);
            let td = td.rsplit('/').next().unwrap_or("");
            ["CreateService", "UpdateService", "RunTask", "StartTask"].iter().any(|n| ok(&e, n))
                && s(&e["recipientAccountId"]) == account
                && s(&e["awsRegion"]) == region
                && (td == format!("{name}:1") || td == name)
        })
    };
    let (mut new_source, mut new_role) = (0, 0);
    for e in &regs {
        let (account, region, name, revision) = family(e);
        let earlier: Vec<&&serde_json::Value> = regs
            .iter()
            .filter(|o| {
                let f = family(o);
                (f.0.as_str(), f.1.as_str(), f.2.as_str()) == (&account, &region, &name) && f.3 < revision
            })
            .collect();
        let own = format!("ECR of account {account}");
        let outside: Vec<String> = images(e).iter().map(|u| image_source(u)).filter(|src| *src != own).collect();
        if earlier.is_empty() {
            // A family created then, and started, running an image from outside.
            new_source += u64::from(revision == 1 && !outside.is_empty() && started_first(&account, &region, &name));
            continue;
        }
        let known: Vec<String> = earlier.iter().flat_map(|o| images(o)).map(|u| image_source(&u)).collect();
        new_source += u64::from(outside.iter().any(|src| !known.contains(src)));
        let role = s(&e["requestParameters"]["taskRoleArn"]);
        new_role +=
            u64::from(!role.is_empty() && earlier.iter().all(|o| s(&o["requestParameters"]["taskRoleArn"]) != role));
    }
    let overridden = role_overrides(&starts);
    // The generator's registrations ask for none of the host, so no item may say one does; nor
    // put anything in their containers' environment (credentials or not), nor name a log driver
    // (so none can stop naming one); nor does a start replace a command or give an environment.
    let (host_access, with_env, logged) =
        (holding(&regs, asks_host), holding(&regs, has_environment), holding(&regs, logs_anywhere));
    let (commanded, started_env) = (holding(&starts, replaces_command), holding(&starts, gives_environment));
    let mut execs: Vec<(String, String, String, String)> = all
        .iter()
        .filter(|e| ok(e, "ExecuteCommand"))
        .map(|e| {
            let cluster = s(&e["requestParameters"]["cluster"]);
            let cluster = cluster.rsplit('/').next().unwrap_or("default").to_owned();
            (s(&e["userIdentity"]["arn"]), s(&e["recipientAccountId"]), s(&e["awsRegion"]), cluster)
        })
        .collect();
    execs.sort();
    execs.dedup();
    // Over the ECS calls alone: the list is not cut by other items.
    let kept = Compiled::new(&Filter::default().with(Field::Source, "ecs.amazonaws.com"), engine.store());
    let r = report(engine.store(), kept.rows());
    assert_eq!(r.attention.rows.len() as u64, r.attention.total, "the list is not cut");
    let got = |kind: AttentionKind| r.attention.rows.iter().filter(|a| a.kind == kind).count() as u64;
    assert_eq!(
        [
            got(AttentionKind::ImageFromNewSource),
            got(AttentionKind::TaskRoleNew),
            got(AttentionKind::TaskRoleOverridden),
            got(AttentionKind::ContainerExec),
            got(AttentionKind::TaskDefHostAccess),
            got(AttentionKind::TaskDefCredentials),
            got(AttentionKind::TaskDefLogsDropped),
            got(AttentionKind::TaskCommandReplaced),
            got(AttentionKind::TaskStartCredentials)
        ],
        [new_source, new_role, overridden, execs.len() as u64, host_access, with_env, logged, commanded, started_env]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
