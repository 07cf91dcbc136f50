//! Machine images and snapshots shared (`analysis::identity::shared`): over Stratus Red Team's
//! `ec2-share-ami` and `ec2-share-ebs-snapshot` detonations and invictus-ir's attack simulation
//! (which shares an AMI and a snapshot and takes both back), the items are those a plain walk of
//! the raw events finds; over hand-made events in the request shapes EC2 logs (the public one as
//! airbnb's streamalert test records write it), what each says.

use std::collections::BTreeSet;

use serde_json::Value;
use trailscope::analysis::container::{Ask, ContainerAnswer, ContainerQuery};
use trailscope::analysis::filter::{Compiled, Filter};
use trailscope::analysis::identity::{report, Attention, AttentionKind, Severity};
use trailscope::engine::{Engine, Query, Response};

use super::common::{corpus, events_of};

fn shared(e: &Engine) -> Vec<Attention> {
    let c = Compiled::new(&Filter::default(), e.store());
    let r = report(e.store(), c.rows());
    r.attention.rows.into_iter().filter(|a| a.kind == AttentionKind::ImageShared).collect()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// (resource, permission field) of a sharing call.
fn target(e: &Value) -> (String, &'static str) {
    let r = &e["requestParameters"];
    if e["eventName"] == "ModifyImageAttribute" {
        (s(&r["imageId"]).to_owned(), "launchPermission")
    } else {
        (s(&r["snapshotId"]).to_owned(), "createVolumePermission")
    }
}

/// The accounts or groups a call adds (`op` "add") or removes, by the request's own words.
fn grantees(e: &Value, op: &str) -> Vec<String> {
    let (_, field) = target(e);
    let items = e["requestParameters"][field][op]["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .flat_map(|i| [s(&i["userId"]).to_owned(), s(&i["group"]).to_owned()])
        .filter(|g| !g.is_empty())
        .collect()
}

/// What a walk of `events` expects: (title, severity, caller ARN, taken back at) per call that
/// went through and added someone beyond the account.
fn expected(events: &[Value]) -> Vec<(String, Severity, String, Option<String>)> {
    let logged: BTreeSet<&str> = events.iter().map(|e| s(&e["recipientAccountId"])).collect();
    let ok = |e: &&Value| {
        e["eventSource"] == "ec2.amazonaws.com"
            && (e["eventName"] == "ModifyImageAttribute" || e["eventName"] == "ModifySnapshotAttribute")
            && e.get("errorCode").is_none_or(Value::is_null)
    };
    let calls: Vec<&Value> = events.iter().filter(ok).collect();
    let mut out = Vec::new();
    for e in &calls {
        let own = s(&e["recipientAccountId"]);
        let added: Vec<String> = grantees(e, "add").into_iter().filter(|a| a != own).collect();
        if added.is_empty() {
            continue;
        }
        let (id, _) = target(e);
        let public = added.iter().any(|a| a == "all");
        let title = match added.as_slice() {
            _ if public => format!("{id} made public"),
            [one] => format!("{id} shared with {one}"),
            more => format!("{id} shared with {} accounts or organizations", more.len()),
        };
        let stranger = added.iter().any(|a| a != "all" && !logged.contains(a.as_str()));
        let severity = if public || stranger { Severity::High } else { Severity::Medium };
        // Taken back: the first later call on the same resource that removes all it added.
        let back = calls
            .iter()
            .filter(|o| target(o).0 == id && s(&o["eventTime"]) > s(&e["eventTime"]))
            .find(|o| added.iter().all(|a| grantees(o, "remove").contains(a)))
            .map(|o| s(&o["eventTime"]).replace('T', " ").replace('Z', " UTC"));
        out.push((title, severity, s(&e["userIdentity"]["arn"]).to_owned(), back));
    }
    out.sort();
    out
}

fn said(items: &[Attention]) -> Vec<(String, Severity, String, Option<String>)> {
    let mut out: Vec<_> = items
        .iter()
        .map(|a| {
            let back =
                a.why.split(" Taken back at ").nth(1).map(|rest| rest.split(" by ").next().unwrap_or("").to_owned());
            (a.title.clone(), a.severity, a.who.clone(), back)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn ok_corpus_images_and_snapshots_shared_are_those_the_events_say() {
    let Some(dir) = corpus() else { return };
    let sets: [&[&str]; 3] = [
        &["DataDog-stratus-red-team/aws.exfiltration.ec2-share-ami.json"],
        &["DataDog-stratus-red-team/aws.exfiltration.ec2-share-ebs-snapshot.json"],
        &[
            "invictus-ir-aws_dataset/CloudTrail/218007301253_CloudTrail_us-east-1_20230710T1215Z_YMDRJwtmC82bUwAo.json",
            "invictus-ir-aws_dataset/CloudTrail/218007301253_CloudTrail_us-east-1_20230710T1220Z_ovtmbuX3ENJ119uH.json",
        ],
    ];
    let mut total = 0;
    let mut taken_back = 0;
    for files in sets {
        let mut e = Engine::new();
        let mut events = Vec::new();
        for f in files {
            let path = dir.join(f);
            e.ingest_bytes(f, &std::fs::read(&path).unwrap_or_else(|err| panic!("{f}: {err}")));
            events.extend(events_of(&path));
        }
        let want = expected(&events);
        assert_eq!(said(&shared(&e)), want, "{files:?}");
        total += want.len();
        taken_back += want.iter().filter(|w| w.3.is_some()).count();
    }
    // Each detonation shares one thing, and invictus-ir's simulation two, both taken back.
    assert_eq!((total, taken_back), (4, 2));
}

/// One EC2 event of account 111111111111 by IAM user mallory.
fn ev(n: u32, time: &str, name: &str, fields: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2026-06-01T{time}Z","eventSource":"ec2.amazonaws.com","eventName":"{name}",
        "eventID":"00000000-0000-4000-b000-{n:012}","awsRegion":"eu-west-1","recipientAccountId":"111111111111",
        "sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2.15.0",
        "userIdentity":{{"type":"IAMUser","principalId":"AIDAMALLORY","arn":"arn:aws:iam::111111111111:user/mallory","accountId":"111111111111","accessKeyId":"AKIAMALLORY000000001","userName":"mallory"}}{fields}}}"#
    )
}

/// An event of account 222222222222, so that account's events are in the logs.
fn other_account() -> String {
    ev(90, "07:00:00", "DescribeInstances", "")
        .replace(r#""recipientAccountId":"111111111111""#, r#""recipientAccountId":"222222222222""#)
}

#[test]
fn ok_sharing_items_say_whom_and_whether_it_was_taken_back() {
    let image = |add: &str, rm: &str| {
        format!(
            r#","requestParameters":{{"imageId":"ami-0a","attributeType":"launchPermission","launchPermission":{{"add":{{"items":[{add}]}},"remove":{{"items":[{rm}]}}}}}}"#
        )
    };
    let lines = [
        other_account(),
        // Public, as streamalert's test record writes it.
        ev(1, "08:00:00", "ModifyImageAttribute", &image(r#"{"group":"all"}"#, "")),
        // An account of these logs, an outside one and the account itself; then the outside one
        // taken away, later the other.
        ev(
            2,
            "08:10:00",
            "ModifyImageAttribute",
            &image(r#"{"userId":"222222222222"},{"userId":"999988887777"},{"userId":"111111111111"}"#, ""),
        ),
        ev(3, "08:15:00", "ModifyImageAttribute", &image("", r#"{"userId":"999988887777"}"#)),
        // The other shape: operationType with a list of accounts, for a snapshot, of an account of
        // these logs only.
        ev(
            4,
            "09:00:00",
            "ModifySnapshotAttribute",
            r#","requestParameters":{"snapshotId":"snap-0b","attribute":"createVolumePermission","operationType":"add","userIds":{"items":["222222222222"]}}"#,
        ),
        // Refused.
        ev(
            5,
            "09:30:00",
            "ModifySnapshotAttribute",
            r#","errorCode":"Client.UnauthorizedOperation","requestParameters":{"snapshotId":"snap-0c","createVolumePermission":{"add":{"items":[{"userId":"999988887777"}]}},"attributeType":"CREATE_VOLUME_PERMISSION"}"#,
        ),
        // Another attribute: no item.
        ev(
            6,
            "10:00:00",
            "ModifyImageAttribute",
            r#","requestParameters":{"imageId":"ami-0a","description":{"value":"x"}}"#,
        ),
    ];
    let mut e = Engine::new();
    e.ingest_bytes("ec2.jsonl", lines.join("\n").as_bytes());
    let items = shared(&e);
    let mut titles: Vec<(&str, Severity)> = items.iter().map(|a| (a.title.as_str(), a.severity)).collect();
    titles.sort_unstable();
    let want: Vec<(&str, Severity)> = [
        ("Tried to share snap-0c", Severity::Medium),
        ("ami-0a made public", Severity::High),
        ("ami-0a shared with 2 accounts or organizations", Severity::High),
        ("snap-0b shared with 222222222222", Severity::Medium),
    ]
    .into_iter()
    .collect();
    assert_eq!(titles, want);
    let why = |title: &str| items.iter().find(|a| a.title == title).map(|a| a.why.clone()).unwrap_or_default();
    let public = why("ami-0a made public");
    // The later calls on ami-0a add and remove accounts, never the group all.
    assert!(
        public.starts_with(
            "ModifyImageAttribute at 2026-06-01 08:00:00 UTC from 203.0.113.9 with AWS CLI shared AMI ami-0a \
             (111111111111, eu-west-1) with everyone (group all). Nothing in these logs takes it back."
        ),
        "{public}"
    );
    let two = why("ami-0a shared with 2 accounts or organizations");
    for part in [
        "with accounts 222222222222, 999988887777. No event of account 999988887777 is in these logs.",
        "Taken from account 999988887777 at 2026-06-01 08:15:00 UTC by arn:aws:iam::111111111111:user/mallory \
         (ModifyImageAttribute, 5 min later).",
        "Nothing in these logs takes it from account 222222222222.",
        "launch instances from it and read everything on its disks",
    ] {
        assert!(two.contains(part), "{part}\n{two}");
    }
    let snapshot = why("snap-0b shared with 222222222222");
    assert!(snapshot.contains("shared EBS snapshot snap-0b (111111111111, eu-west-1) with account 222222222222."));
    assert!(snapshot.contains("make a volume from it") && !snapshot.contains("No event of account"), "{snapshot}");
    let refused = why("Tried to share snap-0c");
    assert!(refused.contains("It was refused (Client.UnauthorizedOperation): nothing was shared."), "{refused}");
}

/// One Image Builder call of account 111111111111 by mallory, its request as the Image Builder API
/// reference writes it.
fn builder(n: u32, time: &str, name: &str, req: &str, resp: &str) -> String {
    ev(n, time, name, &format!(r#","requestParameters":{req},"responseElements":{resp}"#))
        .replace(r#""eventSource":"ec2.amazonaws.com""#, r#""eventSource":"imagebuilder.amazonaws.com""#)
}

#[test]
fn ok_an_image_builder_distribution_sharing_its_amis_anew_is_an_item() {
    const ARN: &str = "arn:aws:imagebuilder:eu-west-1:111111111111:distribution-configuration/golden";
    let config = |accounts: &str, copies: &str| {
        format!(
            r#"{{"distributionConfigurationArn":"{ARN}","distributions":[{{"region":"eu-west-1","amiDistributionConfiguration":{{"name":"golden-{{{{imagebuilder:buildDate}}}}","launchPermission":{{"userIds":[{accounts}]}},"targetAccountIds":[{copies}]}}}}]}}"#
        )
    };
    let created = format!(r#"{{"requestId":"r1","distributionConfigurationArn":"{ARN}"}}"#);
    let lines = [
        other_account(),
        // Created sharing with an account of these logs (named, not yet by ARN: the response gives it).
        builder(
            1,
            "08:00:00",
            "CreateDistributionConfiguration",
            &config(r#""222222222222""#, "")
                .replace(&format!(r#""distributionConfigurationArn":"{ARN}","#), r#""name":"golden","#),
            &created,
        ),
        // Then also copying every AMI into an outside account; then the same restated.
        builder(
            2,
            "08:30:00",
            "UpdateDistributionConfiguration",
            &config(r#""222222222222""#, r#""999988887777""#),
            "null",
        ),
        builder(
            3,
            "09:00:00",
            "UpdateDistributionConfiguration",
            &config(r#""222222222222""#, r#""999988887777""#),
            "null",
        ),
        // Deleted: nothing shared any more.
        builder(
            4,
            "10:00:00",
            "DeleteDistributionConfiguration",
            &format!(r#"{{"distributionConfigurationArn":"{ARN}"}}"#),
            "null",
        ),
    ];
    let mut e = Engine::new();
    e.ingest_bytes("imagebuilder.jsonl", lines.join("\n").as_bytes());
    let items = shared(&e);
    let mut titles: Vec<(&str, Severity)> = items.iter().map(|a| (a.title.as_str(), a.severity)).collect();
    titles.sort_unstable();
    let want: Vec<(&str, Severity)> = [
        ("Distribution golden shares its AMIs with 222222222222", Severity::Medium),
        ("Distribution golden shares its AMIs with 999988887777", Severity::High),
    ]
    .into_iter()
    .collect();
    assert_eq!(titles, want);
    let why = |title: &str| items.iter().find(|a| a.title == title).map(|a| a.why.clone()).unwrap_or_default();
    let outside = why("Distribution golden shares its AMIs with 999988887777");
    for part in [
        "UpdateDistributionConfiguration at 2026-06-01 08:30:00 UTC from 203.0.113.9 with AWS CLI set Image Builder \
         distribution configuration golden (111111111111, eu-west-1) to share the AMIs it distributes with account \
         999988887777 (its configuration before, CreateDistributionConfiguration at 2026-06-01 08:00:00 UTC by \
         arn:aws:iam::111111111111:user/mallory, did not). No event of account 999988887777 is in these logs.",
        "Taken back at 2026-06-01 10:00:00 UTC by arn:aws:iam::111111111111:user/mallory (DeleteDistributionConfiguration,",
        "launch instances from every AMI the pipelines that use it build",
    ] {
        assert!(outside.contains(part), "{part}\n{outside}");
    }
    assert!(
        why("Distribution golden shares its AMIs with 222222222222").contains("Taken back at 2026-06-01 10:00:00 UTC")
    );
    // The calls stay on the Image Builder list.
    let ask =
        Query::Container(Box::new(ContainerQuery { filter: Filter::default(), ask: Ask::ImageBuilder { offset: 0 } }));
    let Response::Container(answer) = e.query(&ask) else { panic!() };
    let ContainerAnswer::ImageBuilder(page) = *answer else { panic!() };
    assert_eq!(page.total, 4);
}

#[test]
fn ok_block_public_access_turned_off_is_an_item_until_turned_on_again() {
    // As the EC2 API reference names the calls: DisableImageBlockPublicAccess (no parameters but
    // DryRun; its response says `unblocked`), EnableImageBlockPublicAccess with
    // `block-new-sharing`, EnableSnapshotBlockPublicAccess with state `unblocked`.
    let lines = [
        ev(
            1,
            "07:30:00",
            "DisableImageBlockPublicAccess",
            r#","requestParameters":{},"responseElements":{"imageBlockPublicAccessState":"unblocked"}"#,
        ),
        ev(
            2,
            "08:20:00",
            "EnableImageBlockPublicAccess",
            r#","requestParameters":{"ImageBlockPublicAccessState":"block-new-sharing"}"#,
        ),
        ev(3, "09:10:00", "EnableSnapshotBlockPublicAccess", r#","requestParameters":{"State":"unblocked"}"#),
        // A snapshot made public after the block was turned off there.
        ev(
            6,
            "09:15:00",
            "ModifySnapshotAttribute",
            r#","requestParameters":{"snapshotId":"snap-0d","createVolumePermission":{"add":{"items":[{"group":"all"}]}},"attributeType":"CREATE_VOLUME_PERMISSION"}"#,
        ),
        ev(4, "09:20:00", "EnableSnapshotBlockPublicAccess", r#","requestParameters":{"State":"block-all-sharing"}"#)
            .replace(r#""awsRegion":"eu-west-1""#, r#""awsRegion":"us-east-1""#),
        ev(
            5,
            "09:30:00",
            "DisableSnapshotBlockPublicAccess",
            r#","errorCode":"Client.UnauthorizedOperation","requestParameters":{}"#,
        )
        .replace(r#""awsRegion":"eu-west-1""#, r#""awsRegion":"us-east-1""#),
    ];
    let mut e = Engine::new();
    e.ingest_bytes("ec2.jsonl", lines.join("\n").as_bytes());
    let items = shared(&e);
    let mut titles: Vec<(&str, Severity)> = items.iter().map(|a| (a.title.as_str(), a.severity)).collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            ("Block public access for AMIs in eu-west-1 turned off", Severity::Medium),
            ("Block public access for EBS snapshots in eu-west-1 turned off", Severity::Medium),
            ("Tried to turn off block public access for EBS snapshots in us-east-1", Severity::Medium),
            ("snap-0d made public", Severity::High),
        ]
    );
    let why = |title: &str| items.iter().find(|a| a.title.contains(title)).map(|a| a.why.clone()).unwrap_or_default();
    let amis = why("for AMIs in eu-west-1");
    for part in [
        "DisableImageBlockPublicAccess at 2026-06-01 07:30:00 UTC from 203.0.113.9 with AWS CLI turned off block public \
         access for AMIs in eu-west-1 (111111111111).",
        "Taken back at 2026-06-01 08:20:00 UTC by arn:aws:iam::111111111111:user/mallory (EnableImageBlockPublicAccess, \
         50 min later).",
        "AMIs in that region can be made public",
    ] {
        assert!(amis.contains(part), "{part}\n{amis}");
    }
    // The snapshots' block turned on in another region does not take back eu-west-1's.
    let snapshots = why("for EBS snapshots in eu-west-1");
    assert!(snapshots.contains("Nothing in these logs takes it back."), "{snapshots}");
    assert!(why("Tried to turn off").contains("It was refused (Client.UnauthorizedOperation): the block stays."));
    let public = why("snap-0d made public");
    assert!(
        public.contains(
            "Block public access for EBS snapshots there was turned off at 2026-06-01 09:10:00 UTC by \
             arn:aws:iam::111111111111:user/mallory (EnableSnapshotBlockPublicAccess)."
        ),
        "{public}"
    );
}
