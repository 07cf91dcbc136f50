//! Facts read from AWS's documentation examples and from hostile variations of them.

use super::ecs::{host_device_matters, host_path_matters};
use super::*;
use crate::engine::Engine;

const SEEDS: &str = include_str!("../../../tests/fixtures/seeds/ecr-documentation-examples.json");

fn engine(json: &str) -> Engine {
    let mut e = Engine::new();
    e.ingest_bytes("t.json", json.as_bytes());
    e
}

fn fact_of(e: &Engine, name: &str) -> Fact {
    let s = e.store();
    s.container.all().find(|f| s.str(s.name(f.row)) == name).unwrap_or_else(|| panic!("no {name} fact"))
}

/// The seed events as generic JSON values, to take expected values from the documents themselves.
fn seed(name: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(SEEDS).unwrap();
    v["Records"].as_array().unwrap().iter().find(|e| e["eventName"] == name).cloned().unwrap()
}

#[test]
fn ok_put_image_seed_has_tag_digest_and_every_manifest_entry() {
    let e = engine(SEEDS);
    let s = e.store();
    let f = fact_of(&e, "PutImage");
    let doc = seed("PutImage");
    let manifest: serde_json::Value =
        serde_json::from_str(doc["requestParameters"]["imageManifest"].as_str().unwrap()).unwrap();
    let Kind::PutImage { tag, digest, media_type, entries } = f.kind else { panic!("{f:?}") };
    assert_eq!(&*s.str(f.repo), doc["requestParameters"]["repositoryName"]);
    assert_eq!(&*s.str(f.registry), doc["requestParameters"]["registryId"]);
    assert_eq!(&*s.str(tag), doc["requestParameters"]["imageTag"]);
    assert_eq!(&*s.str(digest), doc["responseElements"]["image"]["imageId"]["imageDigest"]);
    assert_eq!(&*s.str(media_type), manifest["mediaType"]);
    let entries = s.container.entries(entries);
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(entries.len(), layers.len() + 1, "layers plus the config blob");
    assert_eq!(entries[0].kind, EntryKind::Config);
    assert_eq!(&*s.str(entries[0].digest), manifest["config"]["digest"]);
    for (e, l) in entries[1..].iter().zip(layers) {
        assert_eq!((&*s.str(e.digest), e.size), (l["digest"].as_str().unwrap(), l["size"].as_u64().unwrap()));
        assert_eq!(e.kind, EntryKind::Layer);
    }
}

#[test]
fn ok_batch_get_image_seed_asks_for_a_tag() {
    let e = engine(SEEDS);
    let s = e.store();
    let f = fact_of(&e, "BatchGetImage");
    let Kind::GetImage { ids } = f.kind else { panic!("{f:?}") };
    let ids: Vec<String> = s.container.syms(ids).iter().map(|&i| s.str(i).into_owned()).collect();
    assert_eq!(ids, [seed("BatchGetImage")["requestParameters"]["imageIds"][0]["imageTag"].as_str().unwrap()]);
}

#[test]
fn ok_lifecycle_seed_lists_images_and_the_rule() {
    let e = engine(SEEDS);
    let s = e.store();
    let f = fact_of(&e, "PolicyExecutionEvent");
    let doc = seed("PolicyExecutionEvent")["serviceEventDetails"].clone();
    let Kind::Lifecycle { dry_run, policy, version, rules, images, .. } = f.kind else { panic!("{f:?}") };
    assert!(!dry_run);
    assert_eq!(&*s.str(f.repo), doc["repositoryName"]);
    assert_eq!(&*s.str(policy), doc["lifecycleEventPolicy"]["policyId"]);
    assert_eq!(u64::from(version), doc["lifecycleEventPolicy"]["policyVersion"].as_u64().unwrap());
    let rules = s.container.rules(rules);
    assert_eq!(rules.len(), 1);
    assert_eq!(&*s.str(rules[0].description), doc["lifecycleEventPolicy"]["lifecycleEventRules"][0]["description"]);
    assert_eq!(&*s.str(rules[0].selection), "any images, image count more than 2");
    let want = doc["lifecycleEventImageActions"].as_array().unwrap();
    let got = s.container.expired(images);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        let img = &w["lifecycleEventImage"];
        assert_eq!(&*s.str(g.digest), img["digest"]);
        assert_eq!(g.pushed_at, img["pushedAt"].as_i64());
        let tags: Vec<String> = s.container.syms(g.tags).iter().map(|&t| s.str(t).into_owned()).collect();
        assert_eq!(tags, img["tagList"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect::<Vec<_>>());
    }
}

#[test]
fn ok_kms_grant_seed_names_the_repository() {
    let e = engine(SEEDS);
    let s = e.store();
    let f = fact_of(&e, "CreateGrant");
    let doc = seed("CreateGrant");
    let arn = doc["requestParameters"]["constraints"]["encryptionContextSubset"]["aws:ecr:arn"].as_str().unwrap();
    assert_eq!(format!("arn:aws:ecr:us-west-2:{}:repository/{}", &*s.str(f.registry), &*s.str(f.repo)), arn);
    let Kind::KmsGrant { key, grant_id, .. } = f.kind else { panic!("{f:?}") };
    assert_eq!(&*s.str(key), doc["requestParameters"]["keyId"]);
    assert_eq!(&*s.str(grant_id), doc["responseElements"]["grantId"]);
}

#[test]
fn ok_create_repository_seed() {
    let e = engine(SEEDS);
    let s = e.store();
    let f = fact_of(&e, "CreateRepository");
    assert_eq!(&*s.str(f.repo), "testrepo");
    assert_eq!(&*s.str(f.registry), "123456789012", "from responseElements.repository.registryId");
    assert!(matches!(f.kind, Kind::RepoCreated { scan_on_push: None, .. }));
}

#[test]
fn ok_ecs_create_cluster_seed() {
    // AWS's ECS documentation example (seeds/001): CreateCluster of `default`.
    let json = r#"{"Records":[{"eventTime":"2018-06-20T19:04:36Z","eventSource":"ecs.amazonaws.com","eventName":"CreateCluster",
      "awsRegion":"us-east-1","requestParameters":{"clusterName":"default"},"responseElements":{"cluster":{
      "clusterArn":"arn:aws:ecs:us-east-1:123456789012:cluster/default","clusterName":"default","status":"ACTIVE"}},
      "eventID":"e3c6f4ce-EXAMPLE","eventType":"AwsApiCall","recipientAccountId":"123456789012"}]}"#;
    let e = engine(json);
    let s = e.store();
    let f = fact_of(&e, "CreateCluster");
    let Kind::Cluster { cluster } = f.kind else { panic!("{f:?}") };
    assert_eq!(&*s.str(cluster), "default");
}

/// Which service calls start a deployment, as AWS's `UpdateService` reference tells: a new task
/// definition, `forceNewDeployment`, or new network, platform version, capacity provider, load
/// balancer, service discovery, Service Connect or volume settings; a new desired count, deployment
/// settings or tags (which reach new tasks only, "set forceNewDeployment to true" to update all)
/// do not.
#[test]
fn ok_a_service_call_deploys_when_aws_says_it_replaces_the_tasks() {
    let cases = [
        ("CreateService", r#"{"serviceName":"a","taskDefinition":"a:1","desiredCount":2}"#, true),
        ("UpdateService", r#"{"service":"a","desiredCount":4}"#, false),
        ("UpdateService", r#"{"service":"a","desiredCount":"4","healthCheckGracePeriodSeconds":60}"#, false),
        ("UpdateService", r#"{"service":"a","deploymentConfiguration":{"maximumPercent":200}}"#, false),
        ("UpdateService", r#"{"service":"a","propagateTags":"SERVICE","enableECSManagedTags":true}"#, false),
        ("UpdateService", r#"{"service":"a","forceNewDeployment":false,"desiredCount":1}"#, false),
        ("UpdateService", r#"{"service":"a","taskDefinition":null}"#, false),
        ("UpdateService", r#"{"service":"a","taskDefinition":"a:2"}"#, true),
        ("UpdateService", r#"{"service":"a","forceNewDeployment":true}"#, true),
        ("UpdateService", r#"{"service":"a","forceNewDeployment":"true"}"#, true),
        ("UpdateService", r#"{"service":"a","networkConfiguration":{"awsvpcConfiguration":{"subnets":["s"]}}}"#, true),
        ("UpdateService", r#"{"service":"a","platformVersion":"1.4.0"}"#, true),
        ("UpdateService", r#"{"service":"a","capacityProviderStrategy":[{"capacityProvider":"FARGATE_SPOT"}]}"#, true),
        ("UpdateService", r#"{"service":"a","loadBalancers":[]}"#, true),
        ("UpdateService", r#"{"service":"a","serviceRegistries":[]}"#, true),
        ("UpdateService", r#"{"service":"a","serviceConnectConfiguration":{"enabled":true}}"#, true),
        ("UpdateService", r#"{"service":"a","volumeConfigurations":[]}"#, true),
        ("DeleteService", r#"{"service":"a","force":true}"#, false),
    ];
    for (call, req, deploys) in cases {
        let json = format!(
            r#"{{"Records":[{{"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecs.amazonaws.com","eventName":"{call}",
            "awsRegion":"us-east-1","requestParameters":{req},"responseElements":{{"service":{{"serviceName":"a",
            "taskDefinition":"arn:aws:ecs:us-east-1:123456789012:task-definition/a:1"}}}},
            "eventID":"00000000-0000-4000-8000-000000000001","eventType":"AwsApiCall","recipientAccountId":"123456789012"}}]}}"#
        );
        let e = engine(&json);
        let f = fact_of(&e, call);
        let Kind::Service { deploys: read, family, .. } = f.kind else { panic!("{f:?}") };
        assert_eq!((read, &*e.store().str(family)), (deploys, "a"), "{call} {req}");
    }
}

#[test]
fn ok_task_definition_images_and_their_repositories() {
    let json = r#"{"Records":[{"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecs.amazonaws.com","eventName":"RegisterTaskDefinition",
      "eventID":"00000000-0000-0000-0000-000000000001",
      "requestParameters":{"family":"web","containerDefinitions":[
         {"name":"app","image":"123456789012.dkr.ecr.us-east-1.amazonaws.com/web/api:v1.2"},
         {"name":"sidecar","image":"public.ecr.aws/nginx/nginx:latest"},
         {"name":"bad","image":17}],
       "executionRoleArn":"arn:aws:iam::123456789012:role/ecsTaskExecutionRole"},
      "responseElements":{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:4","family":"web","revision":4}}}]}"#;
    let e = engine(json);
    let s = e.store();
    let f = fact_of(&e, "RegisterTaskDefinition");
    let Kind::TaskDef { family, revision, images, exec_role, .. } = f.kind else { panic!("{f:?}") };
    assert_eq!((&*s.str(family), revision), ("web", 4));
    assert_eq!(&*s.str(exec_role), "arn:aws:iam::123456789012:role/ecsTaskExecutionRole");
    let pairs: Vec<String> = s.container.syms(images).iter().map(|&x| s.str(x).into_owned()).collect();
    assert_eq!(
        pairs,
        [
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/web/api:v1.2",
            "web/api",
            "public.ecr.aws/nginx/nginx:latest",
            ""
        ]
    );
    let repos: Vec<String> = s.container.repos_in(s.container.get(f.row)).map(|x| s.str(x).into_owned()).collect();
    assert_eq!(repos, ["web/api"]);
}

/// What a task definition gives its containers of the instance, as ECS's `RegisterTaskDefinition`
/// reference names the fields: `privileged`, `pidMode`/`ipcMode` `host`, capabilities added, host
/// volumes (only those a container mounts), and the host network, read from the request, or from
/// the response when the request is left out.
#[test]
fn ok_task_definition_host_access() {
    let json = r#"{"Records":[{"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecs.amazonaws.com","eventName":"RegisterTaskDefinition",
      "eventID":"00000000-0000-0000-0000-000000000001",
      "requestParameters":{"family":"agent","pidMode":"host","networkMode":"host","containerDefinitions":[
         {"name":"a","image":"agent:7","privileged":"false","user":"1000",
          "linuxParameters":{"capabilities":{"add":["NET_BIND_SERVICE","SYS_ADMIN","CAP_SYS_MODULE"],"drop":["ALL"]},
            "devices":[{"hostPath":"/dev/xvda","containerPath":"/dev/xvda","permissions":["read"]},{"hostPath":"/dev/fuse"}]},
          "mountPoints":[{"sourceVolume":"sock","containerPath":"/var/run/docker.sock"},
                         {"sourceVolume":"proc","containerPath":"/host/proc"},
                         {"sourceVolume":"data","containerPath":"/data"}]},
         {"name":"b","image":"side:1","mountPoints":[{"sourceVolume":"root","containerPath":"/host"}],
          "linuxParameters":{"capabilities":{"add":"SYS_ADMIN"}}}],
       "volumes":[{"name":"sock","host":{"sourcePath":"/var/run/docker.sock"}},
                  {"name":"proc","host":{"sourcePath":"/proc/"}},
                  {"name":"data","host":{"sourcePath":"/data/app"}},
                  {"name":"etc","host":{"sourcePath":"/etc"}},
                  {"name":"root","host":{"sourcePath":"/"}},
                  {"name":"scratch"}]},
      "responseElements":{"taskDefinition":{"family":"agent","revision":3}}},
     {"eventTime":"2026-03-01T00:01:00Z","eventSource":"ecs.amazonaws.com","eventName":"RegisterTaskDefinition",
      "eventID":"00000000-0000-0000-0000-000000000002",
      "requestParameters":null,
      "responseElements":{"taskDefinition":{"family":"tool","revision":1,"ipcMode":"host",
        "containerDefinitions":[{"name":"t","image":"tool:1","privileged":true}]}}},
     {"eventTime":"2026-03-01T00:02:00Z","eventSource":"ecs.amazonaws.com","eventName":"RegisterTaskDefinition",
      "eventID":"00000000-0000-0000-0000-000000000003",
      "requestParameters":{"family":"web","networkMode":"awsvpc","containerDefinitions":[{"name":"w","image":"web:1",
        "privileged":false,"linuxParameters":{"capabilities":{"add":["SYS_PTRACE"]}}}]},
      "responseElements":{"taskDefinition":{"family":"web","revision":1}}},
     {"eventTime":"2026-03-01T00:03:00Z","eventSource":"ecs.amazonaws.com","eventName":"RegisterTaskDefinition",
      "eventID":"00000000-0000-0000-0000-000000000004",
      "requestParameters":{"family":"proxy","networkMode":"host","containerDefinitions":[
        {"name":"p","image":"proxy:1","user":"app:app"},{"name":"q","image":"probe:1","privileged":true}]},
      "responseElements":{"taskDefinition":{"family":"proxy","revision":1}}},
     {"eventTime":"2026-03-01T00:04:00Z","eventSource":"ecs.amazonaws.com","eventName":"RegisterTaskDefinition",
      "eventID":"00000000-0000-0000-0000-000000000005",
      "requestParameters":{"family":"proxy","networkMode":"host","containerDefinitions":[
        {"name":"p","image":"proxy:1","user":"app:app"},{"name":"r","image":"probe:1","user":"0:0"}]},
      "responseElements":{"taskDefinition":{"family":"proxy","revision":2}}}]}"#;
    let e = engine(json);
    let s = e.store();
    let host = |n: usize| {
        let f = s.container.get(n as Row).unwrap_or_else(|| panic!("no fact for row {n}"));
        let Kind::TaskDef { risks, .. } = f.kind else { panic!("{f:?}") };
        s.container.syms(risks).iter().map(|&x| s.str(x).into_owned()).collect::<Vec<_>>()
    };
    assert_eq!(
        host(0),
        [
            "pid",
            "cap:SYS_ADMIN",
            "cap:SYS_MODULE",
            "device:/dev/xvda",
            "mount:/var/run/docker.sock",
            "mount:/proc/",
            "mount:/",
            "network-root"
        ]
    );
    assert_eq!(host(1), ["privileged", "ipc"]);
    assert!(host(2).is_empty(), "{:?}", host(2));
    // ECS.1: the host's network fails only with a container that is not privileged and runs as
    // root (named, uid 0, or no user given).
    assert_eq!(host(3), ["privileged", "network"]);
    assert_eq!(host(4), ["network-root"]);
}

/// Credentials in a task definition's plain `environment` (ECS: "readable by all users and roles
/// that are allowed the `DescribeTaskDefinition` action"): the names that say so, with a value,
/// and an access key's id; never a value; `secrets` (Secrets Manager references) are none.
#[test]
fn ok_task_definition_credentials_in_environment() {
    let json = r#"{"Records":[{"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecs.amazonaws.com","eventName":"RegisterTaskDefinition",
      "eventID":"00000000-0000-0000-0000-000000000001",
      "requestParameters":{"family":"web","containerDefinitions":[
         {"name":"a","image":"web:1","logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/web"}},"environment":[
            {"name":"AWS_ACCESS_KEY_ID","value":"AKIAIOSFODNN7EXAMPLE"},
            {"name":"AWS_SECRET_ACCESS_KEY","value":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
            {"name":"LOG_LEVEL","value":"debug"},
            {"name":"db_password","value":"hunter2"},
            {"name":"API_KEY_URL","value":""}],
          "secrets":[{"name":"STRIPE_SECRET","valueFrom":"arn:aws:secretsmanager:us-east-1:111122223333:secret:stripe"}]},
         {"name":"b","image":"side:1","logConfiguration":{"logDriver":"none"},"environment":[{"name":"AWS_SECRET_ACCESS_KEY","value":"other"},{"name":"AWS_ACCESS_KEY_ID","value":"NOTAKEYBUTTWENTYCHAR"}]}]},
      "responseElements":{"taskDefinition":{"family":"web","revision":2}}}]}"#;
    let e = engine(json);
    let s = e.store();
    let f = fact_of(&e, "RegisterTaskDefinition");
    let Kind::TaskDef { risks, .. } = f.kind else { panic!("{f:?}") };
    let said: Vec<String> = s.container.syms(risks).iter().map(|&x| s.str(x).into_owned()).collect();
    let want = [
        "env:AWS_ACCESS_KEY_ID",
        "key:AKIAIOSFODNN7EXAMPLE",
        "env:AWS_SECRET_ACCESS_KEY",
        "env:DB_PASSWORD",
        "log:awslogs",
    ];
    assert_eq!(said, want);
    // No value is kept anywhere in the facts' symbols.
    for x in 0..s.strings.len() {
        let text = s.str(crate::model::Sym(x as u32));
        assert!(!text.contains("wJalrXUtnFEMI") && !text.contains("hunter2"), "{text}");
    }
}

/// Devices of the instance that give a container the host: its disks and partitions (Xen `xvd`,
/// Nitro `nvme`, SCSI `sd`, device-mapper and loop devices, RAID) and its memory; not `fuse`,
/// terminals or GPUs.
#[test]
fn ok_host_devices_that_give_the_host() {
    for p in ["/dev/xvda", "/dev/xvda1", "/dev/nvme0n1p1", "/dev/sda", "/dev/mapper/root", "/dev/dm-0", "/dev/mem"] {
        assert!(host_device_matters(p), "{p}");
    }
    for p in ["/dev/fuse", "/dev/nvidia0", "/dev/tty", "/dev/null", "/dev/memory_bandwidth", "/tmp/xvda", ""] {
        assert!(!host_device_matters(p), "{p}");
    }
}

#[test]
fn ok_host_paths_that_give_the_host() {
    for p in [
        "/",
        "//",
        "/var/run/docker.sock",
        "/run/containerd/containerd.sock",
        "/etc",
        "/etc/shadow",
        "/proc/1/root",
        "/dev/",
    ] {
        assert!(host_path_matters(p), "{p}");
    }
    for p in ["", "/data/app", "/var/log", "/etcetera", "/opt/app", "relative/etc", "/var/lib/docker-data"] {
        assert!(!host_path_matters(p), "{p}");
    }
}

#[test]
fn ok_image_uris() {
    let u = parse_image_uri("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0@sha256:abc").unwrap();
    assert_eq!(
        (u.account, u.region, u.name, u.tag, u.digest),
        ("123456789012", "eu-west-1", "team/app", "1.0", "sha256:abc")
    );
    let u = parse_image_uri("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app").unwrap();
    assert_eq!((u.name, u.tag, u.digest), ("app", "", ""));
    assert_eq!(parse_image_uri("nginx:latest"), None);
    assert_eq!(parse_image_uri("registry.example.com:5000/app:1"), None);
    assert_eq!(parse_image_uri("evil.dkr.ecr.us-east-1.amazonaws.com/app"), None);
    assert_eq!(
        parse_repo_arn("arn:aws:ecr:us-west-2:123456789012:repository/a/b"),
        Some(("123456789012", "us-west-2", "a/b"))
    );
    assert_eq!(parse_repo_arn("arn:aws:s3:::bucket"), None);
}

#[test]
fn ok_a_repository_is_named_by_its_arn_unless_it_would_not_read_back() {
    let at = |registry, region, public| RepoAt { registry, region, name: "a/b", public };
    assert_eq!(at("123456789012", "us-west-2", false).value(), "arn:aws:ecr:us-west-2:123456789012:repository/a/b");
    assert_eq!(at("123456789012", "", true).value(), "arn:aws:ecr-public::123456789012:repository/a/b");
    for arn in ["arn:aws:ecr:us-west-2:123456789012:repository/a/b", "arn:aws:ecr-public::123456789012:repository/a/b"]
    {
        assert_eq!(RepoAt::parse(arn).map(|r| r.arn()).as_deref(), Some(arn));
    }
    // No account logged, an account or a region with a colon (forged): the name alone (any registry).
    assert_eq!(at("", "us-west-2", false).value(), "a/b");
    assert_eq!(at("1:2", "us-west-2", false).value(), "a/b");
    assert_eq!(at("123456789012", "us:west", false).value(), "a/b");
    assert_eq!(at("123456789012", "", false).value(), "a/b");
}

#[test]
fn ok_hostile_parameters_are_skipped_not_fatal() {
    // Wrong types everywhere: the events still load, the facts keep what can be read.
    let json = r#"{"Records":[
      {"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecr.amazonaws.com","eventName":"PutImage","eventID":"00000000-0000-0000-0000-000000000001",
       "requestParameters":{"repositoryName":["x"],"imageTag":7,"imageManifest":"{\"layers\":[{\"digest\":5,\"size\":\"12\"},{\"digest\":\"sha256:ok\",\"size\":-3},\"junk\"]}"},
       "responseElements":"nope"},
      {"eventTime":"2026-03-01T00:00:01Z","eventSource":"ecr.amazonaws.com","eventName":"UploadLayerPart","eventID":"00000000-0000-0000-0000-000000000002",
       "requestParameters":{"repositoryName":"r","uploadId":"u1","partFirstByte":"0","partLastByte":{"a":1}}},
      {"eventTime":"2026-03-01T00:00:02Z","eventSource":"ecr.amazonaws.com","eventName":"PolicyExecutionEvent","eventID":"00000000-0000-0000-0000-000000000003",
       "serviceEventDetails":{"repositoryName":"r","lifecycleEventPolicy":[],"lifecycleEventImageActions":[{"lifecycleEventImage":{"digest":"sha256:d","tagList":"t","pushedAt":"x"}},null,3]}},
      {"eventTime":"2026-03-01T00:00:03Z","eventSource":"kms.amazonaws.com","eventName":"CreateGrant","eventID":"00000000-0000-0000-0000-000000000004",
       "requestParameters":{"constraints":{"encryptionContextSubset":{"aws:ecr:arn":"arn:aws:s3:::b"}}}},
      {"eventTime":"2026-03-01T00:00:04Z","eventSource":"ecs.amazonaws.com","eventName":"RunTask","eventID":"00000000-0000-0000-0000-000000000005",
       "requestParameters":{"taskDefinition":{"x":1},"count":"many"},"responseElements":{"tasks":"none"}}
    ]}"#;
    let e = engine(json);
    let s = e.store();
    assert_eq!(s.len(), 5);
    let f = fact_of(&e, "PutImage");
    let Kind::PutImage { tag, digest, entries, .. } = f.kind else { panic!() };
    assert!(f.repo.is_empty() && tag.is_empty() && digest.is_empty());
    let entries = s.container.entries(entries);
    assert_eq!(entries.len(), 1);
    assert_eq!((&*s.str(entries[0].digest), entries[0].size), ("sha256:ok", 0));
    let f = fact_of(&e, "UploadLayerPart");
    assert!(matches!(f.kind, Kind::UploadPart { first: 0, last: u64::MAX, .. }));
    let f = fact_of(&e, "PolicyExecutionEvent");
    let Kind::Lifecycle { images, rules, .. } = f.kind else { panic!() };
    assert_eq!(s.container.rules(rules).len(), 0);
    let images = s.container.expired(images);
    assert_eq!(images.len(), 1);
    assert_eq!((images[0].pushed_at, images[0].tags.len), (None, 0));
    assert!(s.container.all().all(|f| s.str(s.name(f.row)) != "CreateGrant"), "not an ECR grant");
    let f = fact_of(&e, "RunTask");
    assert!(matches!(f.kind, Kind::Task { revision: 0, count: 1, .. }));
}

#[test]
fn ok_repository_policy_is_summarised() {
    let policy = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"pull\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::210987654321:root\"},\"Action\":[\"ecr:BatchGetImage\",\"ecr:GetDownloadUrlForLayer\"]}]}"#;
    let json = format!(
        r#"{{"Records":[{{"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecr.amazonaws.com","eventName":"SetRepositoryPolicy",
        "eventID":"00000000-0000-0000-0000-000000000001","requestParameters":{{"repositoryName":"web/api","policyText":"{policy}"}}}}]}}"#
    );
    let e = engine(&json);
    let s = e.store();
    let f = fact_of(&e, "SetRepositoryPolicy");
    let Kind::RepoChange { lines, exposure } = f.kind else { panic!() };
    let lines: Vec<String> = s.container.syms(lines).iter().map(|&l| s.str(l).into_owned()).collect();
    assert_eq!(lines, ["Allow arn:aws:iam::210987654321:root: ecr:BatchGetImage, ecr:GetDownloadUrlForLayer"]);
    // The event names no account of its own: another account's principal is still another's.
    assert_eq!(exposure, Exposure::OtherAccounts);
    // Set by that account itself (the caller's account, when the event names no other): its own.
    let own = json.replace(r#""eventID""#, r#""userIdentity":{"type":"Root","accountId":"210987654321"},"eventID""#);
    let Kind::RepoChange { exposure, .. } = fact_of(&engine(&own), "SetRepositoryPolicy").kind else { panic!() };
    assert_eq!(exposure, Exposure::Own);
}

#[test]
fn ok_a_repository_policy_says_whom_it_lets_in() {
    let owner = "111122223333";
    let doc = |statements: &str| format!(r#"{{"Version":"2012-10-17","Statement":{statements}}}"#);
    let allow = |principal: &str| {
        doc(&format!(r#"[{{"Effect":"Allow","Principal":{principal},"Action":"ecr:BatchGetImage"}}]"#))
    };
    let cases = [
        (allow(r#""*""#), Exposure::Everyone),
        (allow(r#"{"AWS":"*"}"#), Exposure::Everyone),
        (allow(r#"{"AWS":["arn:aws:iam::111122223333:role/ci","*"]}"#), Exposure::Everyone),
        (allow(r#"{"AWS":"arn:aws:iam::444455556666:root"}"#), Exposure::OtherAccounts),
        (allow(r#"{"AWS":"444455556666"}"#), Exposure::OtherAccounts),
        (allow(r#"{"AWS":"arn:aws:iam::111122223333:role/ci"}"#), Exposure::Own),
        (allow(r#"{"AWS":"111122223333"}"#), Exposure::Own),
        (allow(r#"{"Service":"codebuild.amazonaws.com"}"#), Exposure::Own),
        // Anyone, but only under a condition (an organization, a source account): not everyone.
        (
            doc(
                r#"[{"Effect":"Allow","Principal":"*","Action":"ecr:*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}]"#,
            ),
            Exposure::OtherAccounts,
        ),
        (doc(r#"[{"Effect":"Deny","Principal":"*","Action":"ecr:*"}]"#), Exposure::Own),
        (doc(r#"{"Effect":"allow","Principal":"*","Action":"ecr:*"}"#), Exposure::Everyone),
        ("not a policy".to_owned(), Exposure::Own),
    ];
    for (text, want) in cases {
        assert_eq!(policy::exposure(&text, owner), want, "{text}");
    }
}

#[test]
fn ok_conditions_are_listed_with_their_statement() {
    // AWS's own example of a repository policy for an organization (ECR user guide), and a
    // statement with a key given a boolean and a list.
    let org = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage",
        "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#;
    assert_eq!(
        policy::statements(org),
        ["Allow *: ecr:BatchGetImage, when aws:PrincipalOrgID StringEquals o-a1b2c3d4e5"]
    );
    let two = r#"{"Statement":{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"ecr:*","Condition":{
        "Bool":{"aws:SecureTransport":false},"StringNotEquals":{"aws:SourceVpce":["vpce-1","vpce-2"]}}}}"#;
    assert_eq!(
        policy::statements(two),
        ["Deny *: ecr:*, when aws:SecureTransport Bool false and aws:SourceVpce StringNotEquals vpce-1 or vpce-2"]
    );
    // Conditions that are not a block of operators read as none, and nothing fails.
    for hostile in [
        r#""Condition":"x""#,
        r#""Condition":[1,{}]"#,
        r#""Condition":{"StringEquals":[1]}"#,
        r#""Condition":{"Null":{"k":{"a":1}}}"#,
    ] {
        let text = format!(r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"a",{hostile}}}]}}"#);
        let lines = policy::statements(&text);
        assert_eq!(lines.len(), 1, "{text}");
        assert!(lines[0].starts_with("Allow *: a"), "{lines:?}");
    }
}

#[test]
fn ok_trust_in_a_public_identity_provider_names_who() {
    const GITHUB: &str = "any GitHub Actions workflow, of any repository";
    let trust = |principal: &str, action: &str, condition: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{principal}"}},
            "Action":"{action}","Condition":{{{condition}}}}}]}}"#
        )
    };
    let gh = "arn:aws:iam::123456123456:oidc-provider/token.actions.githubusercontent.com";
    let web = "sts:AssumeRoleWithWebIdentity";
    let aud = r#""StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}"#;
    let cases = [
        // The audience alone, as GitHub's and Datadog's pages show the mistake: every workflow.
        (trust(gh, web, aud), Some(GITHUB)),
        // With the subject they recommend: one repository.
        (
            trust(gh, web, &format!(r#"{aud},"StringLike":{{"token.actions.githubusercontent.com:sub":"repo:your-organization/your-repository:*"}}"#)),
            None,
        ),
        (trust(gh, web, r#""StringEquals":{"token.actions.githubusercontent.com:repository_id":"123456"}"#), None),
        // A subject that matches every owner, a negation, or one of several that does: every workflow.
        (trust(gh, web, r#""StringLike":{"token.actions.githubusercontent.com:sub":"repo:*"}"#), Some(GITHUB)),
        (trust(gh, web, r#""StringLike":{"token.actions.githubusercontent.com:sub":["repo:acme/app:*","*"]}"#), Some(GITHUB)),
        (trust(gh, web, r#""StringNotLike":{"token.actions.githubusercontent.com:sub":"repo:evil/*"}"#), Some(GITHUB)),
        // A claim that any repository can set (its branch) names no one.
        (trust(gh, web, r#""StringEquals":{"token.actions.githubusercontent.com:ref":"refs/heads/main"}"#), Some(GITHUB)),
        (trust(gh, "sts:*", ""), Some(GITHUB)),
        // Not the web identity action: the provider cannot use it.
        (trust(gh, "sts:AssumeRole", ""), None),
        // The CDK's Cognito example (aud an identity pool of the account's own), and without it.
        (
            trust("cognito-identity.amazonaws.com", web, r#""StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-2:12345678-abcd-abcd-abcd-123456"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"unauthenticated"}"#),
            None,
        ),
        (
            trust("cognito-identity.amazonaws.com", web, r#""ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"unauthenticated"}"#),
            Some("any Amazon Cognito identity, of any identity pool"),
        ),
        (trust("accounts.google.com", web, ""), Some("anyone with a Google account")),
        // A cluster's own provider, or a SAML one, is the account's own: not judged.
        (trust("arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE", web, ""), None),
        (trust("arn:aws:iam::111122223333:saml-provider/Okta", "sts:AssumeRoleWithSAML", ""), None),
        ("not a policy".to_owned(), None),
    ];
    for (text, want) in cases {
        assert_eq!(policy::open_web_identity(&text), want, "{text}");
    }
}

/// Facts are kept as varints (`codec`); a `Fact` is what one decodes to, a block of them at a
/// time, and what analysis passes collect: it stays within 56 bytes (a task's three spans).
#[test]
fn ok_fact_stays_compact() {
    assert!(std::mem::size_of::<Fact>() <= 56, "{}", std::mem::size_of::<Fact>());
}

#[test]
fn ok_heap_bytes_count_the_facts() {
    let before = Engine::new().store().heap_bytes();
    let e = engine(SEEDS);
    assert!(e.store().container.heap_bytes() > 0);
    assert!(e.store().heap_bytes() > before + e.store().container.heap_bytes() - 1);
}

/// Facts fill many chunks of the arena; every one reads back, in order and by row, also after the
/// table travels as a batch (its chunks concatenated on the wire).
#[test]
fn ok_facts_across_many_chunks_read_back() {
    let mut facts = ContainerFacts::default();
    let n: u32 = 40_000;
    let fact = |i: u32| Fact {
        row: i * 3 + 1,
        registry: Sym(i % 7),
        repo: Sym(i % 11),
        // Large numbers make long varints, so blocks vary in size.
        kind: Kind::UploadPart { upload: Sym(i), first: u64::from(i) << 20, last: (u64::from(i) << 33) + 5 },
    };
    for i in 0..n {
        facts.push(fact(i));
    }
    assert!(facts.bytes.chunks().len() > 4, "{} chunks", facts.bytes.chunks().len());
    let mut w = Writer::default();
    facts.encode(&mut w);
    let wire = w.out;
    let decoded = ContainerFacts::decode(&mut Reader::new(&wire)).expect("decodes");
    for table in [&facts, &decoded] {
        assert_eq!(table.all().count(), n as usize);
        assert!(table.all().zip(0..n).all(|(f, i)| f == fact(i)));
        for i in (0..n).step_by(97).chain([n - 1]) {
            assert_eq!(table.get(i * 3 + 1), Some(fact(i)));
            assert_eq!(table.get(i * 3 + 2), None);
        }
    }
}

/// A reader gives what `get` gives for every row, asked in order, backwards, at random and while the
/// table grows under it (a block it holds gains facts).
#[test]
fn ok_reader_agrees_with_get() {
    let mut facts = ContainerFacts::default();
    let fact = |i: u32| Fact {
        row: i * 3 + 1,
        registry: Sym(i % 5),
        repo: Sym(i % 13),
        kind: Kind::LayerUrl { digest: Sym(i) },
    };
    let n: u32 = 1_000;
    for i in 0..n {
        facts.push(fact(i));
    }
    // Rows with a fact, rows between them, and rows past the last; in order, backwards, and jumping.
    let rows: Vec<Row> = (0..n * 3 + 10).collect();
    let jumping: Vec<Row> = (0..5_000u32).map(|i| (i * 7919) % (n * 3 + 10)).collect();
    let mut reader = FactReader::default();
    for r in rows.iter().chain(rows.iter().rev()).chain(&jumping) {
        assert_eq!(reader.get(&facts, *r), facts.get(*r), "row {r}");
    }
    // The last block is partly filled: read it, add facts to it, and read them.
    let last = (n - 1) * 3 + 1;
    assert_eq!(reader.get(&facts, last), Some(fact(n - 1)));
    facts.push(fact(n));
    facts.push(fact(n + 1));
    assert_eq!(reader.get(&facts, n * 3 + 1), Some(fact(n)));
    assert_eq!(reader.get(&facts, (n + 1) * 3 + 1), Some(fact(n + 1)));
    assert_eq!(FactReader::default().get(&ContainerFacts::default(), 5), None);
}

/// The images a Dockerfile names itself, written down from Docker's Dockerfile reference: `FROM`
/// with flags and a stage name, `COPY --from=` an image or an earlier stage, stage numbers,
/// `scratch`, a build argument, a continued line, comments; Image Builder's placeholder for the
/// parent image (as its user guide writes the template) is none.
#[test]
fn ok_dockerfile_images() {
    let image_builder =
        "FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}\n";
    assert_eq!(builder::dockerfile_images(image_builder), Vec::<&str>::new());
    let multi = r"# syntax=docker/dockerfile:1
ARG BASE=alpine:3.20
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
COPY --from=build /src /src
FROM {{{ imagebuilder:parentImage }}} as Final
from 999988887777.dkr.ecr.eu-west-1.amazonaws.com/tools/cli:2 AS tools
COPY --from=tools /usr/bin/cli /usr/bin/cli
COPY --from=0 /a /a
COPY --from=final /b /b
COPY --chown=app \
     --from=ghcr.io/evil/payload:latest /p /p
FROM ${BASE}
FROM scratch
FROM golang:1.22
RUN --mount=type=cache,target=/root/.cache go build
COPY --from=nginx:latest /etc/nginx/nginx.conf /nginx.conf
";
    assert_eq!(
        builder::dockerfile_images(multi),
        [
            "golang:1.22",
            "999988887777.dkr.ecr.eu-west-1.amazonaws.com/tools/cli:2",
            "ghcr.io/evil/payload:latest",
            "nginx:latest"
        ]
    );
    assert_eq!(builder::dockerfile_images(""), Vec::<&str>::new());
    assert_eq!(builder::dockerfile_images("FROM\nCOPY --from= a b\n\\"), Vec::<&str>::new());
}
