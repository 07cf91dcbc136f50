//! The other services that watch an account (`GuardDuty`, Security Hub, Config, VPC flow logs,
//! Route 53 Resolver query logs, CloudWatch alarms, EventBridge rules...) turned off, in
//! third-party logs: Stratus Red Team's
//! defense-evasion techniques (`vpc-remove-flow-logs`, `dns-delete-logs`, `organizations-leave`),
//! Invictus-IR's simulation of them, `TrailDiscover`'s catalogue of attack-relevant calls, the AWS
//! Config and KMS guides' examples and `StreamAlert`'s rule tests. Which events are such calls, and
//! what each does, comes from a walk of the files with `serde_json::Value` and this file's own
//! reading of each service's API reference.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::common::{absorbed_in_batches, corpus, events_of, walk};
use trailscope::engine::{Engine, Query, Response};

/// Calls that turn a service off, as each API reference describes them.
const STOPS: [(&str, &str); 17] = [
    ("guardduty.amazonaws.com", "DeleteDetector"),
    ("securityhub.amazonaws.com", "DisableSecurityHub"),
    ("config.amazonaws.com", "StopConfigurationRecorder"),
    ("config.amazonaws.com", "DeleteConfigurationRecorder"),
    ("config.amazonaws.com", "DeleteDeliveryChannel"),
    ("ec2.amazonaws.com", "DeleteFlowLogs"),
    ("route53resolver.amazonaws.com", "DeleteResolverQueryLogConfig"),
    ("route53resolver.amazonaws.com", "DisassociateResolverQueryLogConfig"),
    ("macie2.amazonaws.com", "DisableMacie"),
    ("access-analyzer.amazonaws.com", "DeleteAnalyzer"),
    ("detective.amazonaws.com", "DeleteGraph"),
    // Inspector's Disable with no resource types turns every scan off (with some, it narrows).
    ("inspector2.amazonaws.com", "Disable"),
    ("guardduty.amazonaws.com", "UpdateDetector"),
    ("monitoring.amazonaws.com", "DeleteAlarms"),
    ("monitoring.amazonaws.com", "DisableAlarmActions"),
    ("events.amazonaws.com", "DeleteRule"),
    ("events.amazonaws.com", "DisableRule"),
];

/// Calls that leave a service watching less: members dropped, an administrator left, findings
/// exported nowhere, standards disabled, the account out of its organization, a rule's targets
/// removed.
const NARROWS: [(&str, &str); 14] = [
    ("guardduty.amazonaws.com", "DisassociateFromMasterAccount"),
    ("guardduty.amazonaws.com", "DisassociateFromAdministratorAccount"),
    ("guardduty.amazonaws.com", "DeleteMembers"),
    ("guardduty.amazonaws.com", "DisassociateMembers"),
    ("guardduty.amazonaws.com", "StopMonitoringMembers"),
    ("guardduty.amazonaws.com", "DeletePublishingDestination"),
    ("securityhub.amazonaws.com", "DeleteMembers"),
    ("securityhub.amazonaws.com", "DisassociateMembers"),
    ("securityhub.amazonaws.com", "DisassociateFromMasterAccount"),
    ("securityhub.amazonaws.com", "DisassociateFromAdministratorAccount"),
    ("securityhub.amazonaws.com", "BatchDisableStandards"),
    ("organizations.amazonaws.com", "LeaveOrganization"),
    ("organizations.amazonaws.com", "RemoveAccountFromOrganization"),
    ("events.amazonaws.com", "RemoveTargets"),
];

/// Calls that turn a service on.
const STARTS: [(&str, &str); 8] = [
    ("ec2.amazonaws.com", "CreateFlowLogs"),
    ("guardduty.amazonaws.com", "CreateDetector"),
    ("securityhub.amazonaws.com", "EnableSecurityHub"),
    ("config.amazonaws.com", "StartConfigurationRecorder"),
    ("inspector2.amazonaws.com", "Enable"),
    ("macie2.amazonaws.com", "EnableMacie"),
    ("monitoring.amazonaws.com", "EnableAlarmActions"),
    ("events.amazonaws.com", "EnableRule"),
];

/// What a call does to the service that watches the account, as its API reference says, or `None`
/// for a call that neither stops, narrows nor starts it (a detector's publishing frequency, a
/// findings filter or an Inspector filter that only labels, a trusted IP list deactivated, another service's call of
/// the same name: WAF's `UpdateIPSet`).
///
/// A log group deleted stops monitoring where flow logs or a trail send to it (`groups`); its
/// retention shortened or a subscription filter deleted narrows it there.
fn effect(e: &serde_json::Value, groups: &HashSet<String>) -> Option<&'static str> {
    let req = &e["requestParameters"];
    let call = (e["eventSource"].as_str()?, e["eventName"].as_str()?);
    // A service's own alarms and rules (Auto Scaling's, a service's managed rules) going.
    let by_service = e["userIdentity"]["type"] == "AWSService"
        || e["userIdentity"]["invokedBy"].is_string()
        || e["sourceIPAddress"].as_str().is_some_and(|ip| ip.ends_with(".amazonaws.com"));
    if matches!(call.0, "monitoring.amazonaws.com" | "events.amazonaws.com") && by_service {
        return None;
    }
    if call == ("logs.amazonaws.com", "DeleteLogGroup") {
        return req["logGroupName"].as_str().is_some_and(|g| groups.contains(g)).then_some("stops");
    }
    // Its logs kept for less time, or no longer streamed on.
    if call == ("logs.amazonaws.com", "PutRetentionPolicy")
        || call == ("logs.amazonaws.com", "DeleteSubscriptionFilter")
    {
        return req["logGroupName"].as_str().is_some_and(|g| groups.contains(g)).then_some("narrows");
    }
    let flag = |v: &serde_json::Value| v.as_bool().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
    let guardduty = |name: &str| call == ("guardduty.amazonaws.com", name);
    if guardduty("UpdateDetector") {
        // Off, some protection plans off, or on; a frequency alone is none of these.
        let plans_off = req["features"].as_array().is_some_and(|f| f.iter().any(|f| f["status"] == "DISABLED"));
        return match flag(&req["enable"]) {
            Some(false) => Some("stops"),
            _ if plans_off => Some("narrows"),
            Some(true) => Some("starts"),
            None => None,
        };
    }
    if guardduty("CreateDetector") && flag(&req["enable"]) == Some(false) {
        return None;
    }
    if guardduty("CreateIPSet") || guardduty("UpdateIPSet") {
        return (flag(&req["activate"]) != Some(false)).then_some("narrows");
    }
    if guardduty("CreateFilter") || guardduty("UpdateFilter") {
        return (req["action"] == "ARCHIVE").then_some("narrows");
    }
    // Inspector's filter that suppresses the findings it matches (its suppression rules).
    if call == ("inspector2.amazonaws.com", "CreateFilter") || call == ("inspector2.amazonaws.com", "UpdateFilter") {
        return (req["action"] == "SUPPRESS").then_some("narrows");
    }
    if call == ("inspector2.amazonaws.com", "Disable") && req["resourceTypes"].as_array().is_some_and(|t| !t.is_empty())
    {
        return Some("narrows");
    }
    if call == ("macie2.amazonaws.com", "UpdateMacieSession") {
        return match req["status"].as_str() {
            Some("PAUSED") => Some("stops"),
            Some("ENABLED") => Some("starts"),
            _ => None,
        };
    }
    [(&STOPS[..], "stops"), (&NARROWS[..], "narrows"), (&STARTS[..], "starts")]
        .into_iter()
        .find(|(calls, _)| calls.contains(&call))
        .map(|(_, effect)| effect)
}

/// The CloudWatch Logs group a call that went through sends to: flow logs created (their
/// `LogGroupName`, or a `LogDestination` that is a log group's ARN), a trail's events
/// (`cloudWatchLogsLogGroupArn`); by name.
fn sends_to(e: &serde_json::Value) -> Option<String> {
    if e["errorCode"].is_string() {
        return None;
    }
    let req = &e["requestParameters"];
    let flow = if req["CreateFlowLogsRequest"].is_object() { &req["CreateFlowLogsRequest"] } else { req };
    let arn = match (e["eventName"].as_str()?, flow["LogGroupName"].as_str()) {
        ("CreateFlowLogs", Some(name)) => return Some(name.to_owned()),
        ("CreateFlowLogs", None) => flow["LogDestination"].as_str()?,
        ("CreateTrail" | "UpdateTrail", _) => req["cloudWatchLogsLogGroupArn"].as_str()?,
        _ => return None,
    };
    // arn:aws:logs:region:account:log-group:NAME (with ":*" after it, for a trail's).
    let name = arn.split_once(":log-group:")?.1;
    Some(name.strip_suffix(":*").unwrap_or(name).to_owned())
}

/// Every corpus file with a call to one of the services watched, or one that sends to a log group,
/// found by its text; and the groups sent to.
fn files_with_monitoring_calls(dir: &Path) -> (Vec<PathBuf>, HashSet<String>) {
    let all = walk(dir);
    let groups: HashSet<String> = all.iter().flat_map(|p| events_of(p)).filter_map(|e| sends_to(&e)).collect();
    let sources = [
        "guardduty",
        "securityhub",
        "config",
        "ec2",
        "route53resolver",
        "organizations",
        "inspector2",
        "macie2",
        "access-analyzer",
        "detective",
        "monitoring",
        "events",
        "logs",
        "cloudtrail",
    ];
    let files = all
        .into_iter()
        .filter(|p| {
            let name = p.to_string_lossy();
            if name.ends_with(".md") || name.ends_with(".tsv") {
                return false;
            }
            let text = std::fs::read_to_string(p).unwrap_or_default();
            sources.iter().any(|s| text.contains(&format!("{s}.amazonaws.com")))
                && events_of(p).iter().any(|e| effect(e, &groups).is_some() || sends_to(e).is_some())
        })
        .collect();
    (files, groups)
}

fn load(dir: &Path, files: &[PathBuf]) -> Engine {
    let mut engine = Engine::new();
    for f in files {
        let rel = f.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        engine.ingest_bytes(&rel, &std::fs::read(f).unwrap());
    }
    engine
}

#[test]
fn ok_every_call_that_turns_monitoring_off_or_on_in_the_corpus_is_listed() {
    let Some(dir) = corpus() else { return };
    let (mut files, groups) = files_with_monitoring_calls(&dir);
    // Invictus-IR's flow logs delivered to a log group, deleted when the technique was done.
    let flow_group = "/stratus-red-team/vpc-flow-logs";
    assert!(groups.contains(flow_group), "{groups:?}");
    // TrailDiscover's deletion of a log group nothing here sends to: not a monitor turned off.
    files.push(dir.join("adanalvarez-TrailDiscover/events/CloudWatch/DeleteLogGroup.json.cloudtrail"));
    // (eventID, call, time) → (effect, errorCode), from the files themselves (TrailDiscover's
    // examples share one made-up eventID between calls, StreamAlert's rule tests between events).
    let mut expected: BTreeMap<(String, String, String), (String, String)> = BTreeMap::new();
    for e in files.iter().flat_map(|f| events_of(f)) {
        if let Some(effect) = effect(&e, &groups) {
            let key = (
                e["eventID"].as_str().unwrap_or("").to_owned(),
                e["eventName"].as_str().unwrap().to_owned(),
                e["eventTime"].as_str().unwrap().to_owned(),
            );
            expected.insert(key, (effect.to_owned(), e["errorCode"].as_str().unwrap_or("").to_owned()));
        }
    }
    assert!(expected.len() >= 15, "Stratus's, Invictus-IR's, TrailDiscover's, the guides' calls: {expected:#?}");
    let engine = load(&dir, &files);
    let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    let monitoring = &doc["monitoring"];
    let changes = monitoring["changes"].as_array().unwrap();
    let got: BTreeMap<(String, String, String), (String, String)> = changes
        .iter()
        .map(|c| {
            let key = (
                c["event_id"].as_str().unwrap_or("").to_owned(),
                c["call"].as_str().unwrap().to_owned(),
                c["time"].as_str().unwrap().to_owned(),
            );
            (key, (c["effect"].as_str().unwrap().to_owned(), c["error_code"].as_str().unwrap().to_owned()))
        })
        .collect();
    assert_eq!(got, expected);
    let deleted: Vec<&serde_json::Value> = changes.iter().filter(|c| c["call"] == "DeleteLogGroup").collect();
    assert_eq!(deleted.len(), 1, "{deleted:#?}");
    assert_eq!((deleted[0]["trail"].as_str(), deleted[0]["effect"].as_str()), (Some(flow_group), Some("stops")));
    assert_eq!(monitoring["changes_total"], expected.len() as u64, "every change listed");
    let count = |effect: &str, refused: bool| {
        expected
            .values()
            .filter(
                |(e, code)| {
                    if refused {
                        e != "starts" && !code.is_empty()
                    } else {
                        e == effect && code.is_empty()
                    }
                },
            )
            .count() as u64
    };
    assert_eq!(monitoring["stops"], count("stops", false));
    assert_eq!(monitoring["narrows"], count("narrows", false));
    assert_eq!(monitoring["refused"], count("", true));
    // The overview's line counts the same, without listing them.
    let Response::Overview(o) = engine.query(&Query::Overview) else { panic!() };
    let line = (o.monitoring.stops, o.monitoring.narrows, o.monitoring.refused);
    assert_eq!(line, (count("stops", false), count("narrows", false), count("", true)));
    let times: Vec<&str> = changes.iter().map(|c| c["time"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first: {times:?}");
    // None of them is a change to CloudTrail's own logging.
    assert!(doc["logging"]["changes"].as_array().unwrap().iter().all(|c| c["target"] != "monitor"));
    // WAF's UpdateIPSet (TrailDiscover files it under GuardDuty) is no trusted IP list.
    assert!(changes.iter().all(|c| c["source"] != "wafv2.amazonaws.com"), "{changes:#?}");
}

#[test]
fn ok_the_stratus_techniques_that_blind_monitoring_read_as_they_are_named() {
    type Named = fn(&serde_json::Value) -> Option<String>;
    let Some(dir) = corpus() else { return };
    // What each technique removes, by its own request's field.
    let cases: [(&str, &str, &str, bool, Named); 3] = [
        ("aws.defense-evasion.vpc-remove-flow-logs.json", "DeleteFlowLogs", "stops", false, |e| {
            e["requestParameters"]["DeleteFlowLogsRequest"]["FlowLogId"]["content"].as_str().map(str::to_owned)
        }),
        ("aws.defense-evasion.dns-delete-logs.json", "DeleteResolverQueryLogConfig", "stops", false, |e| {
            e["requestParameters"]["resolverQueryLogConfigId"].as_str().map(str::to_owned)
        }),
        ("aws.defense-evasion.organizations-leave.json", "LeaveOrganization", "narrows", true, |e| {
            e["recipientAccountId"].as_str().map(str::to_owned)
        }),
    ];
    for (technique, call, effect, refused, named) in cases {
        let path = dir.join("DataDog-stratus-red-team").join(technique);
        let raw = events_of(&path).into_iter().find(|e| e["eventName"] == call).expect("the technique's call");
        assert_eq!(raw["errorCode"].is_string(), refused, "{technique}: the file says whether it went through");
        let name = named(&raw).expect("the call names what it removes");
        let mut engine = Engine::new();
        engine.ingest_bytes(technique, &std::fs::read(&path).unwrap());
        let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
        let change = doc["monitoring"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["call"] == call)
            .unwrap_or_else(|| panic!("{technique}: {:#}", doc["monitoring"]))
            .clone();
        assert_eq!(change["effect"], effect, "{technique}: {change:#}");
        assert_eq!(change["trail"], name.as_str(), "{technique}: what it removed");
        assert_eq!(change["principal_arn"], raw["userIdentity"]["arn"]);
        assert!(change["started_again"].is_null());
        let attention = doc["attention"].as_array().unwrap();
        let item = attention
            .iter()
            .find(|a| a["kind"] == "monitoring-weakened")
            .unwrap_or_else(|| panic!("{technique}: {attention:#?}"));
        let severity = if refused || effect == "narrows" { "medium" } else { "high" };
        assert_eq!(item["severity"], severity, "{item:#}");
        assert!(item["title"].as_str().unwrap().contains(&name), "{item:#}");
        assert_eq!(item["title"].as_str().unwrap().starts_with("Tried to"), refused, "{item:#}");
        // Not CloudTrail logging's.
        assert!(attention.iter().all(|a| a["kind"] != "logging-weakened"), "{attention:#?}");
        // And the Integrity tab, which has no digest to check here.
        let Response::Integrity(r) = engine.query(&Query::Integrity(Box::default())) else { panic!() };
        assert_eq!((r.monitoring.total, r.logging.total), (1, 0), "{technique}");
    }
}

#[test]
fn ok_monitoring_changes_read_by_ingest_workers_are_those_one_engine_reads() {
    let Some(dir) = corpus() else { return };
    let (files, _) = files_with_monitoring_calls(&dir);
    let one = load(&dir, &files);
    let engine = absorbed_in_batches(&dir, &files);
    let summary =
        |e: &Engine| serde_json::from_str::<serde_json::Value>(&e.summary_json()).unwrap()["monitoring"].clone();
    let (got, want) = (summary(&engine), summary(&one));
    assert!(want["changes_total"].as_u64().unwrap() >= 15, "{want:#}");
    assert_eq!(got, want);
}

/// An Inspector suppression rule (`CreateFilter` with action `SUPPRESS`, its request as the
/// Inspector API reference writes it) over a registry's images narrows Inspector: an item that
/// says which findings it hides and that they are still made; a filter that only labels is none.
#[test]
fn ok_an_inspector_suppression_rule_needs_attention() {
    let event = |n: u32, action: &str| {
        format!(
            r#"{{"eventVersion":"1.08","eventTime":"2026-06-01T10:0{n}:00Z","eventSource":"inspector2.amazonaws.com",
            "eventName":"CreateFilter","eventID":"00000000-0000-4000-d000-00000000000{n}","awsRegion":"us-east-1",
            "recipientAccountId":"111122223333","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2.15.0",
            "userIdentity":{{"type":"IAMUser","principalId":"AIDAMARY","arn":"arn:aws:iam::111122223333:user/mary",
            "accountId":"111122223333","accessKeyId":"AKIAMARY000000000001","userName":"mary"}},
            "requestParameters":{{"name":"quiet-{n}","action":"{action}","reason":"noise","filterCriteria":{{
            "resourceType":[{{"comparison":"EQUALS","value":"AWS_ECR_CONTAINER_IMAGE"}}],
            "ecrImageRepositoryName":[{{"comparison":"EQUALS","value":"web/api"}}]}}}},
            "responseElements":{{"arn":"arn:aws:inspector2:us-east-1:111122223333:owner/111122223333/filter/f{n}"}}}}"#
        )
    };
    let mut engine = Engine::new();
    engine.ingest_bytes("inspector.jsonl", [event(1, "SUPPRESS"), event(2, "NONE")].join("\n").as_bytes());
    let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    let items: Vec<&serde_json::Value> =
        doc["attention"].as_array().unwrap().iter().filter(|a| a["kind"] == "monitoring-weakened").collect();
    assert_eq!(items.len(), 1, "{items:#?}");
    let item = items[0];
    assert_eq!(
        (item["title"].as_str().unwrap(), item["severity"].as_str().unwrap()),
        ("Inspector in us-east-1 narrowed", "medium")
    );
    let why = item["why"].as_str().unwrap();
    for part in [
        "suppression rule quiet-1 hides the findings it matches (for resourceType AWS_ECR_CONTAINER_IMAGE; ecrImageRepositoryName web/api)",
        "The findings it matches are still made, but archived or suppressed as they come",
    ] {
        assert!(why.contains(part), "{part}\n{why}");
    }
}
