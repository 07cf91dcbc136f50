//! The other services that watch an account, turned off or narrowed: `GuardDuty`, Security Hub,
//! AWS Config, VPC flow logs (and the CloudWatch Logs groups they or a trail send to), Route 53
//! Resolver query logs, Inspector, Macie, IAM Access Analyzer, Detective, an account leaving
//! its organization (whose trails and security services then no longer cover it), and the
//! CloudWatch alarms and EventBridge rules that tell people what happened (an alarm on root
//! sign-ins, a rule sending `GuardDuty` findings or ECR pushes to a team). An intruder blinds these
//! before acting (MITRE ATT&CK T1562, *Impair Defenses*; Stratus Red Team's
//! `vpc-remove-flow-logs`, `dns-delete-logs`, `organizations-leave`), and the logs say so only in
//! the one call.
//!
//! Read at ingest into the same side table as CloudTrail's own changes
//! ([`crate::facts::trail::TrailChanges`], [`Target::Monitor`]), with what the call names (a
//! detector, a recorder, flow logs...), an [`Effect`] and one line each. Only calls that stop,
//! narrow or start monitoring are kept: a detector's publishing frequency changed, or a findings
//! filter that only labels, is not. These calls are rare and their requests vary in shape (EC2
//! writes its XML as JSON), so a request is read as a generic value; parameters are
//! attacker-controlled and read leniently.

use serde_json::Value;

use super::trail::{each, Change, Effect, Target, MAX_LINES};
use crate::ingest::raw::RawEvent;
use crate::store::{Row, Store};

/// The calls read, by event source.
pub const CALLS: [(&str, &[&str]); 13] = [
    (
        "guardduty.amazonaws.com",
        &[
            "CreateDetector",
            "UpdateDetector",
            "DeleteDetector",
            "DisassociateFromMasterAccount",
            "DisassociateFromAdministratorAccount",
            "DeleteMembers",
            "DisassociateMembers",
            "StopMonitoringMembers",
            "CreateIPSet",
            "UpdateIPSet",
            "CreateFilter",
            "UpdateFilter",
            "DeletePublishingDestination",
        ],
    ),
    (
        "securityhub.amazonaws.com",
        &[
            "EnableSecurityHub",
            "DisableSecurityHub",
            "DeleteMembers",
            "DisassociateMembers",
            "DisassociateFromMasterAccount",
            "DisassociateFromAdministratorAccount",
            "BatchDisableStandards",
        ],
    ),
    (
        "config.amazonaws.com",
        &[
            "StartConfigurationRecorder",
            "StopConfigurationRecorder",
            "DeleteConfigurationRecorder",
            "DeleteDeliveryChannel",
        ],
    ),
    ("ec2.amazonaws.com", &["CreateFlowLogs", "DeleteFlowLogs"]),
    // Only where flow logs or a trail send to the group (see `analysis::logging::LogPlaces`).
    ("logs.amazonaws.com", &["DeleteLogGroup", "PutRetentionPolicy", "DeleteSubscriptionFilter"]),
    ("route53resolver.amazonaws.com", &["DeleteResolverQueryLogConfig", "DisassociateResolverQueryLogConfig"]),
    ("organizations.amazonaws.com", &["LeaveOrganization", "RemoveAccountFromOrganization"]),
    ("inspector2.amazonaws.com", &["Enable", "Disable", "CreateFilter", "UpdateFilter"]),
    ("macie2.amazonaws.com", &["EnableMacie", "DisableMacie", "UpdateMacieSession"]),
    ("access-analyzer.amazonaws.com", &["DeleteAnalyzer"]),
    ("detective.amazonaws.com", &["DeleteGraph"]),
    ("monitoring.amazonaws.com", &["DeleteAlarms", "DisableAlarmActions", "EnableAlarmActions"]),
    ("events.amazonaws.com", &["DeleteRule", "DisableRule", "EnableRule", "RemoveTargets"]),
];

/// Services with one switch per account and region, which can be started again (a detector
/// enabled, a recorder started): a stop of one is followed to its restart.
pub const RESTARTABLE: [&str; 5] = [
    "guardduty.amazonaws.com",
    "securityhub.amazonaws.com",
    "config.amazonaws.com",
    "inspector2.amazonaws.com",
    "macie2.amazonaws.com",
];

/// Services whose switches are one per thing named (a rule, alarms): a rule disabled is followed
/// to the same rule enabled; one deleted is not started again.
pub const PER_NAME: [&str; 2] = ["monitoring.amazonaws.com", "events.amazonaws.com"];

/// Whether what call `name` of `source` stopped can be started again: a service with one switch
/// per account and region ([`RESTARTABLE`]), or a rule or alarms disabled ([`PER_NAME`]), not
/// deleted.
pub fn restartable(source: &str, name: &str) -> bool {
    RESTARTABLE.contains(&source) || (PER_NAME.contains(&source) && name.starts_with("Disable"))
}

/// Values read from one list (account IDs, flow log IDs, resource types).
const MAX_VALUES: usize = 16;

/// Whether call `name` of `source` is one read here.
pub fn wanted(source: &str, name: &str) -> bool {
    CALLS.iter().any(|(s, names)| *s == source && names.contains(&name))
}

/// What people call the thing a call of `source` names (`GuardDuty detector`); `call` tells a
/// Config delivery channel from a recorder. Services with one per region name the region:
/// "Security Hub in" us-east-1.
pub fn what(source: &str, call: &str) -> &'static str {
    match source {
        "guardduty.amazonaws.com" => "GuardDuty detector",
        "securityhub.amazonaws.com" => "Security Hub in",
        "config.amazonaws.com" if call.contains("DeliveryChannel") => "Config delivery channel",
        "config.amazonaws.com" => "Config recorder",
        "ec2.amazonaws.com" => "VPC flow logs",
        "logs.amazonaws.com" => "CloudWatch Logs group",
        "route53resolver.amazonaws.com" => "Resolver query logging",
        "organizations.amazonaws.com" => "account",
        "inspector2.amazonaws.com" => "Inspector in",
        "macie2.amazonaws.com" => "Macie in",
        "access-analyzer.amazonaws.com" => "Access Analyzer",
        "detective.amazonaws.com" => "Detective graph",
        "monitoring.amazonaws.com" => "CloudWatch alarms",
        "events.amazonaws.com" => "EventBridge rule",
        _ => "monitor",
    }
}

/// Records the call in row `row`, if it is one of [`CALLS`] that stops, narrows or starts
/// monitoring.
pub fn record(raw: &RawEvent, row: Row, store: &mut Store) {
    let (source, name) = (raw.event_source.str(), raw.event_name.str());
    if !wanted(source, name) {
        return;
    }
    // An AWS service's own alarms and rules come and go with what it manages (Auto Scaling's
    // target-tracking alarms, a service's managed rules): no one turned monitoring off.
    if PER_NAME.contains(&source) && by_a_service(store, row) {
        return;
    }
    let parse = |r: Option<crate::ingest::raw::Raw>| -> Value {
        r.and_then(|r| serde_json::from_str(r.get()).ok()).unwrap_or_default()
    };
    let (req, resp) = (parse(raw.request_parameters), parse(raw.response_elements));
    let (account, region) = (store.str(store.account(row)).into_owned(), store.str(store.region(row)).into_owned());
    let Some((subject, effect, lines)) = read(source, name, &req, &resp, (&account, &region)) else { return };
    // Where flow logs created deliver; the group a deletion names.
    let group = match name {
        "CreateFlowLogs" => flow_logs_group(&req),
        "DeleteLogGroup" | "PutRetentionPolicy" | "DeleteSubscriptionFilter" => text(&req, "logGroupName").to_owned(),
        _ => String::new(),
    };
    let (trail, group) = (store.intern(&subject), store.intern(&group));
    let lines = lines.iter().take(MAX_LINES).map(|l| store.intern(l)).collect();
    let empty = crate::model::Sym::EMPTY;
    store.trail.put(Change {
        row,
        trail,
        effect,
        lines,
        bucket: empty,
        target: Target::Monitor,
        key: empty,
        moves: false,
        group,
    });
}

/// Whether an AWS service made the call in row `row` itself or on someone's behalf: an
/// `AWSService` caller, `invokedBy`, or a service's name as the source address.
fn by_a_service(store: &Store, row: Row) -> bool {
    let id = store.identity(row);
    id.kind == crate::model::IdentityType::AWSService
        || !store.str(id.invoked_by).is_empty()
        || store.str(store.ip(row)).ends_with(".amazonaws.com")
}

/// A call to a CloudWatch Logs group (which counts only where flow logs or a trail send to it:
/// see `analysis::logging::LogPlaces`): deleted, its retention shortened, a subscription filter
/// deleted.
fn group_call(name: &str, req: &Value) -> Option<(String, Effect, String)> {
    let group = text(req, "logGroupName").to_owned();
    let (effect, line) = match name {
        "DeleteLogGroup" => (
            Effect::Stops,
            "log group deleted, with every log it held: what was sent there (flow logs, a trail's events) is gone and has nowhere to go".to_owned(),
        ),
        "PutRetentionPolicy" => {
            let kept = match req["retentionInDays"].as_u64() {
                Some(1) => "1 day".to_owned(),
                Some(n) => format!("{n} days"),
                None => "a time".to_owned(),
            };
            (Effect::Narrows, format!("retention set to {kept}: the group's logs older than that are deleted"))
        }
        "DeleteSubscriptionFilter" => {
            let filter = text(req, "filterName");
            let filter = if filter.is_empty() { String::new() } else { format!(" {filter}") };
            (
                Effect::Narrows,
                format!("subscription filter{filter} deleted: the group's logs are no longer streamed on (to a SIEM, Firehose, Lambda)"),
            )
        }
        _ => return None,
    };
    Some((group, effect, line))
}

/// The CloudWatch Logs group `CreateFlowLogs` delivers to: `LogGroupName`, or a `LogDestination`
/// ARN when it is a log group's (the SDK's fields, or EC2's XML as JSON); empty for S3 or Firehose.
fn flow_logs_group(req: &Value) -> String {
    let node = if req["CreateFlowLogsRequest"].is_object() { &req["CreateFlowLogsRequest"] } else { req };
    let field = |k: &str| {
        let lower = format!("{}{}", k[..1].to_lowercase(), &k[1..]);
        node[k].as_str().or_else(|| node[lower.as_str()].as_str()).unwrap_or("")
    };
    match (field("LogGroupName"), field("LogDestination")) {
        (name, _) if !name.is_empty() => name.to_owned(),
        (_, arn) if arn.contains(":log-group:") => crate::facts::trail::log_group(arn).to_owned(),
        _ => String::new(),
    }
}

/// A string field, or "".
fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key].as_str().unwrap_or("")
}

/// The strings of a list field (or a lone string), capped, joined by ", ".
fn joined(v: &Value) -> String {
    let items: Vec<&str> = match v {
        Value::Array(a) => a.iter().take(MAX_VALUES).filter_map(Value::as_str).collect(),
        Value::String(s) => vec![s.as_str()],
        _ => Vec::new(),
    };
    items.join(", ")
}

/// `DeleteFlowLogs`' flow log IDs: the SDK's `flowLogId` list, or EC2's XML as JSON
/// (`DeleteFlowLogsRequest.FlowLogId`, one `{content}` or a list of them).
fn flow_logs(req: &Value) -> String {
    let direct = joined(&req["flowLogId"]);
    if !direct.is_empty() {
        return direct;
    }
    let ids = each(&req["DeleteFlowLogsRequest"]["FlowLogId"]).take(MAX_VALUES);
    ids.filter_map(|n| n["content"].as_str().or_else(|| n.as_str())).collect::<Vec<_>>().join(", ")
}

/// The IDs of flow logs `CreateFlowLogs` made: the SDK's `flowLogIds`, or EC2's XML as JSON
/// (`CreateFlowLogsResponse.flowLogIdSet.item`, one or a list).
fn created_flow_logs(resp: &Value) -> String {
    let direct = joined(&resp["flowLogIds"]);
    if !direct.is_empty() {
        return direct;
    }
    let ids = each(&resp["CreateFlowLogsResponse"]["flowLogIdSet"]["item"]).take(MAX_VALUES);
    ids.filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
}

/// A flag given as a boolean (or `"true"`/`"false"`).
fn flag(v: &Value) -> Option<bool> {
    v.as_bool().or_else(|| match v.as_str()? {
        s if s.eq_ignore_ascii_case("true") => Some(true),
        s if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// `GuardDuty` protection plans turned off by an update: `features[].status` `DISABLED`, or the
/// older `dataSources` (`s3Logs.enable` false...).
fn detector_plans_off(req: &Value) -> Vec<String> {
    let mut off: Vec<String> = req["features"]
        .as_array()
        .map(|a| a.iter().take(MAX_VALUES).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|f| text(f, "status").eq_ignore_ascii_case("DISABLED"))
        .map(|f| text(f, "name").to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    let sources = &req["dataSources"];
    for (key, label) in
        [("s3Logs", "S3 protection"), ("kubernetes", "EKS audit logs"), ("malwareProtection", "malware protection")]
    {
        let node = &sources[key];
        let enable = match key {
            "kubernetes" => flag(&node["auditLogs"]["enable"]),
            "malwareProtection" => flag(&node["scanEc2InstanceWithFindings"]["ebsVolumes"])
                .or_else(|| flag(&node["scanEc2InstanceWithFindings"]["ebsVolumes"]["enable"])),
            _ => flag(&node["enable"]),
        };
        if enable == Some(false) {
            off.push(label.to_owned());
        }
    }
    off
}

/// What call `name` of `source` (in the event's `account` and `region`) names, does and says;
/// `None` when it neither stops, narrows nor starts monitoring.
fn read(
    source: &str,
    name: &str,
    req: &Value,
    resp: &Value,
    (account, region): (&str, &str),
) -> Option<(String, Effect, Vec<String>)> {
    // GuardDuty's and Inspector's `accountIds`, Security Hub's `AccountIds`.
    let accounts = [joined(&req["accountIds"]), joined(&req["AccountIds"])].concat();
    let (subject, effect, line) = match (source, name) {
        ("guardduty.amazonaws.com", _) => guardduty(name, req, resp, &accounts)?,
        ("securityhub.amazonaws.com", _) if members(name, "Security Hub", &accounts).is_some() => {
            let (effect, line) = members(name, "Security Hub", &accounts)?;
            (region.to_owned(), effect, line)
        }
        ("securityhub.amazonaws.com", "EnableSecurityHub") => {
            (region.to_owned(), Effect::Starts, "Security Hub enabled".to_owned())
        }
        ("securityhub.amazonaws.com", "DisableSecurityHub") => (
            region.to_owned(),
            Effect::Stops,
            "Security Hub disabled: no findings gathered or checks run in its region".to_owned(),
        ),
        ("securityhub.amazonaws.com", "BatchDisableStandards") => {
            (region.to_owned(), Effect::Narrows, "security standards disabled: their checks no longer run".to_owned())
        }
        ("config.amazonaws.com", "StartConfigurationRecorder") => {
            (text(req, "configurationRecorderName").to_owned(), Effect::Starts, "recording started".to_owned())
        }
        ("config.amazonaws.com", "StopConfigurationRecorder") => (
            text(req, "configurationRecorderName").to_owned(),
            Effect::Stops,
            "recording stopped: configuration changes are not recorded until it is started".to_owned(),
        ),
        ("config.amazonaws.com", "DeleteConfigurationRecorder") => (
            text(req, "configurationRecorderName").to_owned(),
            Effect::Stops,
            "recorder deleted: configuration changes are not recorded from then on".to_owned(),
        ),
        ("config.amazonaws.com", "DeleteDeliveryChannel") => (
            text(req, "deliveryChannelName").to_owned(),
            Effect::Stops,
            "delivery channel deleted: no configuration snapshots or history delivered".to_owned(),
        ),
        ("ec2.amazonaws.com", "CreateFlowLogs") => {
            let group = flow_logs_group(req);
            let to = if group.is_empty() { String::new() } else { format!(" to CloudWatch Logs group {group}") };
            (created_flow_logs(resp), Effect::Starts, format!("flow logs created, delivering{to}"))
        }
        ("logs.amazonaws.com", _) => group_call(name, req)?,
        ("ec2.amazonaws.com", "DeleteFlowLogs") => (
            flow_logs(req),
            Effect::Stops,
            "flow logs deleted: the network traffic they covered is not recorded from then on".to_owned(),
        ),
        ("route53resolver.amazonaws.com", "DeleteResolverQueryLogConfig") => (
            text(req, "resolverQueryLogConfigId").to_owned(),
            Effect::Stops,
            "DNS query logging configuration deleted: the VPCs' DNS queries are not logged from then on".to_owned(),
        ),
        ("route53resolver.amazonaws.com", "DisassociateResolverQueryLogConfig") => {
            let vpc = match text(req, "resourceId") {
                "" => "a VPC".to_owned(),
                v => v.to_owned(),
            };
            (
                text(req, "resolverQueryLogConfigId").to_owned(),
                Effect::Stops,
                format!("DNS query logging removed from {vpc}: its DNS queries are not logged from then on"),
            )
        }
        ("organizations.amazonaws.com", "LeaveOrganization") => (
            account.to_owned(),
            Effect::Narrows,
            "leaves its organization: the organization's trails and security services no longer cover it".to_owned(),
        ),
        ("organizations.amazonaws.com", "RemoveAccountFromOrganization") => (
            text(req, "accountId").to_owned(),
            Effect::Narrows,
            "removed from the organization: the organization's trails and security services no longer cover it"
                .to_owned(),
        ),
        ("inspector2.amazonaws.com" | "macie2.amazonaws.com", _) => {
            let (effect, line) = scanner(name, req, &accounts)?;
            (region.to_owned(), effect, line)
        }
        ("access-analyzer.amazonaws.com", "DeleteAnalyzer") => (
            text(req, "analyzerName").to_owned(),
            Effect::Stops,
            "analyzer deleted: resources shared outside the account are no longer reported".to_owned(),
        ),
        ("monitoring.amazonaws.com", _) => alarms(name, req)?,
        ("events.amazonaws.com", _) => rule(name, req)?,
        ("detective.amazonaws.com", "DeleteGraph") => (
            text(req, "graphArn").to_owned(),
            Effect::Stops,
            "behavior graph deleted: Detective stops ingesting and its data is deleted".to_owned(),
        ),
        _ => return None,
    };
    Some((subject, effect, vec![line]))
}

/// CloudWatch's alarms deleted, their actions disabled or enabled: the alarms the request names
/// (`alarmNames`, as CloudTrail writes the API's `AlarmNames`).
fn alarms(name: &str, req: &Value) -> Option<(String, Effect, String)> {
    let names = [joined(&req["alarmNames"]), joined(&req["AlarmNames"])].into_iter().find(|n| !n.is_empty());
    let names = names.unwrap_or_default();
    let (effect, line) = match name {
        "DeleteAlarms" => {
            (Effect::Stops, "alarms deleted: they no longer watch their metrics or notify anyone".to_owned())
        }
        "DisableAlarmActions" => (
            Effect::Stops,
            "alarm actions disabled: the alarms still change state but notify no one and act on nothing until enabled again"
                .to_owned(),
        ),
        "EnableAlarmActions" => (Effect::Starts, "alarm actions enabled".to_owned()),
        _ => return None,
    };
    Some((names, effect, line))
}

/// An EventBridge rule deleted, disabled, enabled, or targets taken from it: the rule the request
/// names (`name`, or `rule` for `RemoveTargets`), with its event bus when not the default one.
fn rule(name: &str, req: &Value) -> Option<(String, Effect, String)> {
    let rule = [text(req, "name"), text(req, "rule")].into_iter().find(|s| !s.is_empty()).unwrap_or("");
    let subject = match text(req, "eventBusName") {
        "" | "default" => rule.to_owned(),
        bus => format!("{rule} (event bus {bus})"),
    };
    let (effect, line) = match name {
        "DeleteRule" => (
            Effect::Stops,
            "rule deleted: the events it matched (findings, API calls, image pushes, schedules) no longer reach its targets"
                .to_owned(),
        ),
        "DisableRule" => (
            Effect::Stops,
            "rule disabled: the events it matches no longer reach its targets until it is enabled again".to_owned(),
        ),
        "EnableRule" => (Effect::Starts, "rule enabled".to_owned()),
        "RemoveTargets" => {
            let ids = joined(&req["ids"]);
            let which = if ids.is_empty() { String::new() } else { format!(" {ids}") };
            (Effect::Narrows, format!("targets{which} removed: the events the rule matches no longer reach them"))
        }
        _ => return None,
    };
    Some((subject, effect, line))
}

/// Inspector's and Macie's switches, one per account and region, as [`read`] reads them.
fn scanner(name: &str, req: &Value, accounts: &str) -> Option<(Effect, String)> {
    Some(match name {
        "Enable" => {
            let types = joined(&req["resourceTypes"]);
            let what = if types.is_empty() { String::new() } else { format!(" for {types}") };
            (Effect::Starts, format!("Inspector scanning enabled{what}"))
        }
        "Disable" => {
            let types = joined(&req["resourceTypes"]);
            let ecr = types.is_empty() || types.split(", ").any(|t| t == "ECR");
            let mut line = if types.is_empty() {
                "Inspector scanning disabled".to_owned()
            } else {
                format!("Inspector scanning disabled for {types}")
            };
            if ecr {
                line.push_str(": images pushed to ECR are no longer scanned for vulnerabilities");
            }
            if !accounts.is_empty() {
                line = format!("{line} (accounts {accounts})");
            }
            (if types.is_empty() { Effect::Stops } else { Effect::Narrows }, line)
        }
        // Inspector's filters: one whose action is `SUPPRESS` is a suppression rule.
        "CreateFilter" | "UpdateFilter" => {
            if !text(req, "action").eq_ignore_ascii_case("SUPPRESS") {
                return None;
            }
            let rule = [text(req, "name"), text(req, "filterArn")].into_iter().find(|s| !s.is_empty()).unwrap_or("");
            (Effect::Narrows, format!("suppression rule {rule} hides the findings it matches{}", criteria(req)))
        }
        "EnableMacie" => (Effect::Starts, "Macie enabled".to_owned()),
        "DisableMacie" => (Effect::Stops, "Macie disabled: its findings and discovery are deleted".to_owned()),
        "UpdateMacieSession" => match text(req, "status") {
            s if s.eq_ignore_ascii_case("PAUSED") => {
                (Effect::Stops, "Macie paused: no discovery until it is enabled again".to_owned())
            }
            s if s.eq_ignore_ascii_case("ENABLED") => (Effect::Starts, "Macie enabled".to_owned()),
            _ => return None,
        },
        _ => return None,
    })
}

/// Filter criteria read from an Inspector filter, the ones that say which images and findings it
/// hides.
const CRITERIA: [&str; 7] =
    ["resourceType", "ecrImageRepositoryName", "ecrImageTags", "ecrImageHash", "severity", "vulnerabilityId", "title"];

/// An Inspector filter's `filterCriteria`, as `" (for resourceType AWS_ECR_CONTAINER_IMAGE;
/// ecrImageRepositoryName web/api; severity CRITICAL, HIGH)"`: each criterion's values
/// (`{comparison, value}`, the comparison said when it is not `EQUALS`); " (for every finding)"
/// with none; other criteria are counted.
fn criteria(req: &Value) -> String {
    let Some(all) = req["filterCriteria"].as_object() else { return " (for every finding)".to_owned() };
    let mut said: Vec<String> = Vec::new();
    for key in CRITERIA {
        let values: Vec<String> = all
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .take(MAX_VALUES)
            .filter_map(|v| {
                let value = v["value"].as_str()?;
                Some(match text(v, "comparison") {
                    "" | "EQUALS" => value.to_owned(),
                    c => format!("{c} {value}"),
                })
            })
            .collect();
        if !values.is_empty() {
            said.push(format!("{key} {}", values.join(", ")));
        }
    }
    let other = all.iter().filter(|(k, v)| !CRITERIA.contains(&k.as_str()) && !v.is_null()).count();
    if other > 0 {
        said.push(format!("{other} more"));
    }
    if said.is_empty() {
        " (for every finding)".to_owned()
    } else {
        format!(" (for {})", said.join("; "))
    }
}

/// A call about an administrator account and its members (`GuardDuty`'s and Security Hub's):
/// this account leaving its administrator, or members dropped.
fn members(name: &str, service: &str, accounts: &str) -> Option<(Effect, String)> {
    let line = match name {
        "DisassociateFromMasterAccount" | "DisassociateFromAdministratorAccount" => {
            format!("this account leaves its {service} administrator account, which no longer sees its findings")
        }
        "DeleteMembers" | "DisassociateMembers" | "StopMonitoringMembers" => {
            let whom =
                if accounts.is_empty() { "member accounts".to_owned() } else { format!("member accounts {accounts}") };
            format!("{service} no longer gathers the findings of {whom}")
        }
        _ => return None,
    };
    Some((Effect::Narrows, line))
}

/// `GuardDuty`'s calls, as [`read`] reads them: all name the detector.
fn guardduty(name: &str, req: &Value, resp: &Value, accounts: &str) -> Option<(String, Effect, String)> {
    let detector = {
        let id = text(req, "detectorId");
        if id.is_empty() { text(resp, "detectorId") } else { id }.to_owned()
    };
    if let Some((effect, line)) = members(name, "GuardDuty", accounts) {
        return Some((detector, effect, line));
    }
    let (effect, line) = match name {
        "CreateDetector" => {
            if flag(&req["enable"]) == Some(false) {
                return None;
            }
            (Effect::Starts, "GuardDuty detector created: findings in its region from then on".to_owned())
        }
        "UpdateDetector" => {
            let plans = detector_plans_off(req);
            match flag(&req["enable"]) {
                Some(false) => {
                    (Effect::Stops, "GuardDuty detector suspended: no findings until it is enabled again".to_owned())
                }
                _ if !plans.is_empty() => {
                    (Effect::Narrows, format!("protection plans turned off: {}", plans.join(", ")))
                }
                Some(true) => (Effect::Starts, "GuardDuty detector enabled".to_owned()),
                None => return None,
            }
        }
        "DeleteDetector" => {
            (Effect::Stops, "GuardDuty detector deleted: no findings in its region from then on".to_owned())
        }
        "CreateIPSet" | "UpdateIPSet" => {
            if flag(&req["activate"]) == Some(false) {
                return None;
            }
            let list = [text(req, "name"), text(req, "ipSetId")].into_iter().find(|s| !s.is_empty()).unwrap_or("");
            let at = match text(req, "location") {
                "" => String::new(),
                l => format!(" ({l})"),
            };
            (Effect::Narrows, format!("trusted IP list {list}{at}: GuardDuty raises no findings for its addresses"))
        }
        "CreateFilter" | "UpdateFilter" => {
            if !text(req, "action").eq_ignore_ascii_case("ARCHIVE") {
                return None;
            }
            let filter = [text(req, "name"), text(req, "filterName")].into_iter().find(|s| !s.is_empty()).unwrap_or("");
            (Effect::Narrows, format!("findings filter {filter} archives the findings it matches as they come"))
        }
        "DeletePublishingDestination" => {
            (Effect::Narrows, "findings no longer exported to their S3 destination".to_owned())
        }
        _ => return None,
    };
    Some((detector, effect, line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;

    /// One event of call `name` of `source` with `request` (JSON) and `error` when refused.
    fn event(id: u32, source: &str, name: &str, request: &str, error: &str) -> String {
        crate::facts::trail::tests::event(id, name, request, "null", error).replacen(
            r#""eventSource": "cloudtrail.amazonaws.com""#,
            &format!(r#""eventSource": "{source}""#),
            1,
        )
    }

    /// (call, what it names, effect, first line) of each change read.
    fn changes(events: &[String]) -> Vec<(String, String, Effect, String)> {
        let mut e = Engine::new();
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        let s = e.store();
        s.trail
            .all()
            .iter()
            .map(|c| {
                assert_eq!(c.target, Target::Monitor);
                let line = c.lines.first().map(|&l| s.str(l).into_owned()).unwrap_or_default();
                (s.str(s.name(c.row)).into_owned(), s.str(c.trail).into_owned(), c.effect, line)
            })
            .collect()
    }

    const GD: &str = "guardduty.amazonaws.com";

    #[test]
    fn ok_guardduty_turned_off_narrowed_or_on_as_its_api_reference_says() {
        let d = r#""detectorId": "12abc34d567e8fa901bc2d34eexample""#;
        let got = changes(&[
            event(1, GD, "UpdateDetector", &format!(r#"{{{d}, "enable": false}}"#), ""),
            // Only the publishing frequency: neither off nor on.
            event(2, GD, "UpdateDetector", &format!(r#"{{{d}, "findingPublishingFrequency": "SIX_HOURS"}}"#), ""),
            event(
                3,
                GD,
                "UpdateDetector",
                &format!(
                    r#"{{{d}, "features": [{{"name": "S3_DATA_EVENTS", "status": "DISABLED"}}, {{"name": "EKS_AUDIT_LOGS", "status": "ENABLED"}}]}}"#
                ),
                "",
            ),
            event(
                4,
                GD,
                "UpdateDetector",
                &format!(r#"{{{d}, "dataSources": {{"s3Logs": {{"enable": false}}}}}}"#),
                "",
            ),
            event(5, GD, "UpdateDetector", &format!(r#"{{{d}, "enable": true}}"#), ""),
            event(
                6,
                GD,
                "CreateIPSet",
                &format!(
                    r#"{{{d}, "name": "ok-ips", "format": "TXT", "location": "s3://b/ips.txt", "activate": true}}"#
                ),
                "",
            ),
            // A trusted list deactivated watches more, not less.
            event(
                7,
                GD,
                "UpdateIPSet",
                &format!(r#"{{{d}, "ipSetId": "0cb0141ab9fbde177613ab9436example", "activate": false}}"#),
                "",
            ),
            event(
                8,
                GD,
                "CreateFilter",
                &format!(r#"{{{d}, "name": "hide", "action": "ARCHIVE", "findingCriteria": {{}}}}"#),
                "",
            ),
            event(9, GD, "CreateFilter", &format!(r#"{{{d}, "name": "label", "action": "NOOP"}}"#), ""),
            event(
                10,
                GD,
                "StopMonitoringMembers",
                &format!(r#"{{{d}, "accountIds": ["111111111111", "222222222222"]}}"#),
                "",
            ),
            event(11, GD, "DeleteDetector", &format!("{{{d}}}"), ""),
            // WAF's UpdateIPSet is another thing altogether.
            event(12, "wafv2.amazonaws.com", "UpdateIPSet", r#"{"name": "x", "activate": true}"#, ""),
        ]);
        let id = "12abc34d567e8fa901bc2d34eexample";
        let got: Vec<(&str, &str, Effect)> = got.iter().map(|(c, t, e, _)| (c.as_str(), t.as_str(), *e)).collect();
        assert_eq!(
            got,
            [
                ("UpdateDetector", id, Effect::Stops),
                ("UpdateDetector", id, Effect::Narrows),
                ("UpdateDetector", id, Effect::Narrows),
                ("UpdateDetector", id, Effect::Starts),
                ("CreateIPSet", id, Effect::Narrows),
                ("CreateFilter", id, Effect::Narrows),
                ("StopMonitoringMembers", id, Effect::Narrows),
                ("DeleteDetector", id, Effect::Stops),
            ]
        );
    }

    #[test]
    fn ok_each_service_names_what_it_turned_off() {
        let got = changes(&[
            event(
                1,
                "config.amazonaws.com",
                "StopConfigurationRecorder",
                r#"{"configurationRecorderName": "default"}"#,
                "",
            ),
            // EC2 writes its XML as JSON: one ID an object, two a list.
            event(
                2,
                "ec2.amazonaws.com",
                "DeleteFlowLogs",
                r#"{"DeleteFlowLogsRequest": {"FlowLogId": [{"content": "fl-1", "tag": 1}, {"content": "fl-2", "tag": 2}]}}"#,
                "",
            ),
            event(
                3,
                "route53resolver.amazonaws.com",
                "DisassociateResolverQueryLogConfig",
                r#"{"resolverQueryLogConfigId": "rqlc-8ca61fe7c055415a", "resourceId": "vpc-03cf94c75cexample"}"#,
                "",
            ),
            event(4, "securityhub.amazonaws.com", "DisableSecurityHub", "{}", ""),
            event(5, "inspector2.amazonaws.com", "Disable", r#"{"resourceTypes": ["ECR"]}"#, ""),
            event(6, "inspector2.amazonaws.com", "Disable", "{}", ""),
            event(7, "organizations.amazonaws.com", "LeaveOrganization", "null", "AccessDenied"),
            event(8, "macie2.amazonaws.com", "UpdateMacieSession", r#"{"status": "PAUSED"}"#, ""),
            event(9, "access-analyzer.amazonaws.com", "DeleteAnalyzer", r#"{"analyzerName": "org"}"#, ""),
            // Inspector's suppression rule (action SUPPRESS, filterCriteria of {comparison, value}
            // lists, as the Inspector API reference writes CreateFilter); a filter that only
            // labels (NONE) hides nothing.
            event(
                11,
                "inspector2.amazonaws.com",
                "CreateFilter",
                r#"{"name": "quiet", "action": "SUPPRESS", "reason": "noise", "filterCriteria": {
                    "resourceType": [{"comparison": "EQUALS", "value": "AWS_ECR_CONTAINER_IMAGE"}],
                    "ecrImageRepositoryName": [{"comparison": "PREFIX", "value": "web/"}],
                    "severity": [{"comparison": "EQUALS", "value": "CRITICAL"}, {"comparison": "EQUALS", "value": "HIGH"}],
                    "awsAccountId": [{"comparison": "EQUALS", "value": "111122223333"}]}}"#,
                "",
            ),
            event(12, "inspector2.amazonaws.com", "CreateFilter", r#"{"name": "tag", "action": "NONE"}"#, ""),
            event(
                13,
                "inspector2.amazonaws.com",
                "UpdateFilter",
                r#"{"filterArn": "arn:aws:inspector2:us-east-1:111122223333:owner/111122223333/filter/abc", "action": "SUPPRESS"}"#,
                "",
            ),
            // A read of the same services changes nothing.
            event(10, "config.amazonaws.com", "DescribeConfigurationRecorders", "{}", ""),
        ]);
        let rows: Vec<(&str, &str, Effect)> = got.iter().map(|(c, t, e, _)| (c.as_str(), t.as_str(), *e)).collect();
        assert_eq!(
            rows,
            [
                ("StopConfigurationRecorder", "default", Effect::Stops),
                ("DeleteFlowLogs", "fl-1, fl-2", Effect::Stops),
                ("DisassociateResolverQueryLogConfig", "rqlc-8ca61fe7c055415a", Effect::Stops),
                ("DisableSecurityHub", "us-east-1", Effect::Stops),
                ("Disable", "us-east-1", Effect::Narrows),
                ("Disable", "us-east-1", Effect::Stops),
                ("LeaveOrganization", "111122223333", Effect::Narrows),
                ("UpdateMacieSession", "us-east-1", Effect::Stops),
                ("DeleteAnalyzer", "org", Effect::Stops),
                ("CreateFilter", "us-east-1", Effect::Narrows),
                ("UpdateFilter", "us-east-1", Effect::Narrows),
            ]
        );
        assert_eq!(
            got[9].3,
            "suppression rule quiet hides the findings it matches (for resourceType AWS_ECR_CONTAINER_IMAGE; \
             ecrImageRepositoryName PREFIX web/; severity CRITICAL, HIGH; 1 more)"
        );
        assert_eq!(
            got[10].3,
            "suppression rule arn:aws:inspector2:us-east-1:111122223333:owner/111122223333/filter/abc hides the \
             findings it matches (for every finding)"
        );
        assert!(got[2].3.contains("vpc-03cf94c75cexample"), "{}", got[2].3);
        assert!(got[4].3.contains("ECR images") || got[4].3.contains("images pushed to ECR"), "{}", got[4].3);
        assert_eq!(what("config.amazonaws.com", "DeleteDeliveryChannel"), "Config delivery channel");
    }

    #[test]
    fn ok_flow_logs_created_keep_the_log_group_they_deliver_to() {
        let ec2 = "ec2.amazonaws.com";
        let mut e = Engine::new();
        let events = [
            // EC2's XML as JSON, as Invictus-IR's logs hold it: a log group's ARN.
            event(
                1,
                ec2,
                "CreateFlowLogs",
                r#"{"CreateFlowLogsRequest": {"ResourceId": {"tag": 1, "content": "vpc-1"}, "LogDestination": "arn:aws:logs:us-east-1:111122223333:log-group:/flow/vpc-1"}}"#,
                "",
            ),
            // The SDK's fields: a group by name; and an S3 destination, no group.
            event(2, ec2, "CreateFlowLogs", r#"{"resourceIds": ["vpc-2"], "logGroupName": "flow-2"}"#, ""),
            event(
                3,
                ec2,
                "CreateFlowLogs",
                r#"{"resourceIds": ["vpc-3"], "logDestinationType": "s3", "logDestination": "arn:aws:s3:::flow-bucket"}"#,
                "",
            ),
            event(4, "logs.amazonaws.com", "DeleteLogGroup", r#"{"logGroupName": "/flow/vpc-1"}"#, ""),
            // As the CloudWatch Logs API reference writes the requests.
            event(
                5,
                "logs.amazonaws.com",
                "PutRetentionPolicy",
                r#"{"logGroupName": "flow-2", "retentionInDays": 1}"#,
                "",
            ),
            event(
                6,
                "logs.amazonaws.com",
                "DeleteSubscriptionFilter",
                r#"{"logGroupName": "flow-2", "filterName": "to-siem"}"#,
                "",
            ),
        ];
        e.ingest_bytes("t.json", format!(r#"{{"Records": [{}]}}"#, events.join(",")).as_bytes());
        let s = e.store();
        let got: Vec<(Effect, String, String)> = s
            .trail
            .all()
            .iter()
            .map(|c| (c.effect, s.str(c.group).into_owned(), s.str(c.trail).into_owned()))
            .collect();
        let want = [
            (Effect::Starts, "/flow/vpc-1", ""),
            (Effect::Starts, "flow-2", ""),
            (Effect::Starts, "", ""),
            (Effect::Stops, "/flow/vpc-1", "/flow/vpc-1"),
            (Effect::Narrows, "flow-2", "flow-2"),
            (Effect::Narrows, "flow-2", "flow-2"),
        ];
        let got: Vec<(Effect, &str, &str)> = got.iter().map(|(e, g, t)| (*e, g.as_str(), t.as_str())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn ok_alarms_and_rules_turned_off_as_the_cloudwatch_and_eventbridge_references_say() {
        let (cw, eb) = ("monitoring.amazonaws.com", "events.amazonaws.com");
        // Made by Application Auto Scaling for a target-tracking policy: its own alarm going.
        let service = event(9, cw, "DeleteAlarms", r#"{"alarmNames": ["TargetTracking-table/x-AlarmHigh"]}"#, "")
            .replacen(r#""accessKeyId""#, r#""invokedBy": "application-autoscaling.amazonaws.com", "accessKeyId""#, 1)
            .replacen(
                r#""sourceIPAddress": "203.0.113.7""#,
                r#""sourceIPAddress": "application-autoscaling.amazonaws.com""#,
                1,
            );
        let got = changes(&[
            event(1, cw, "DeleteAlarms", r#"{"alarmNames": ["root-sign-in", "trail-changed"]}"#, ""),
            event(2, cw, "DisableAlarmActions", r#"{"alarmNames": ["root-sign-in"]}"#, ""),
            event(3, cw, "EnableAlarmActions", r#"{"alarmNames": ["root-sign-in"]}"#, ""),
            event(4, eb, "DeleteRule", r#"{"name": "findings-to-slack", "force": false}"#, ""),
            event(5, eb, "DisableRule", r#"{"name": "ecr-push", "eventBusName": "security"}"#, ""),
            event(6, eb, "EnableRule", r#"{"name": "ecr-push", "eventBusName": "default"}"#, ""),
            event(7, eb, "RemoveTargets", r#"{"rule": "findings-to-slack", "ids": ["slack", "pager"]}"#, ""),
            // Refused, as TrailDiscover's example is: an attempt, with nothing in the request.
            event(8, eb, "DeleteRule", "null", "AccessDenied"),
            service,
            // Other services' rules of the same name: a WAF rule, a Recycle Bin retention rule.
            event(10, "waf.amazonaws.com", "DeleteRule", r#"{"ruleId": "r-1"}"#, ""),
            event(11, "rbin.amazonaws.com", "DeleteRule", r#"{"identifier": "a3aeX2T1"}"#, ""),
            // A read changes nothing.
            event(12, cw, "DescribeAlarms", r#"{"alarmNames": ["root-sign-in"]}"#, ""),
        ]);
        let rows: Vec<(&str, &str, Effect)> = got.iter().map(|(c, t, e, _)| (c.as_str(), t.as_str(), *e)).collect();
        assert_eq!(
            rows,
            [
                ("DeleteAlarms", "root-sign-in, trail-changed", Effect::Stops),
                ("DisableAlarmActions", "root-sign-in", Effect::Stops),
                ("EnableAlarmActions", "root-sign-in", Effect::Starts),
                ("DeleteRule", "findings-to-slack", Effect::Stops),
                ("DisableRule", "ecr-push (event bus security)", Effect::Stops),
                ("EnableRule", "ecr-push", Effect::Starts),
                ("RemoveTargets", "findings-to-slack", Effect::Narrows),
                ("DeleteRule", "", Effect::Stops),
            ]
        );
        assert!(got[6].3.contains("targets slack, pager removed"), "{}", got[6].3);
        assert_eq!((what(cw, "DeleteAlarms"), what(eb, "DeleteRule")), ("CloudWatch alarms", "EventBridge rule"));
        assert!(restartable(eb, "DisableRule") && restartable(cw, "DisableAlarmActions"));
        assert!(!restartable(eb, "DeleteRule") && !restartable(cw, "DeleteAlarms"));
    }

    #[test]
    fn ok_hostile_requests_are_read_without_failing() {
        let got = changes(&[
            event(1, GD, "UpdateDetector", r#"{"detectorId": ["x"], "enable": "false", "features": "all"}"#, ""),
            event(2, "ec2.amazonaws.com", "DeleteFlowLogs", r#"{"DeleteFlowLogsRequest": {"FlowLogId": 7}}"#, ""),
            event(3, GD, "CreateIPSet", "[1, 2]", ""),
            event(4, "inspector2.amazonaws.com", "Disable", r#"{"resourceTypes": {"a": 1}, "accountIds": "x"}"#, ""),
            // Both spellings of the alarms' names: the one CloudTrail writes is read, not run together.
            event(5, "monitoring.amazonaws.com", "DeleteAlarms", r#"{"alarmNames": ["a"], "AlarmNames": ["b"]}"#, ""),
        ]);
        let effects: Vec<Effect> = got.iter().map(|g| g.2).collect();
        assert_eq!(effects, [Effect::Stops, Effect::Stops, Effect::Narrows, Effect::Stops, Effect::Stops]);
        assert_eq!(got[4].1, "a");
        assert_eq!(got[0].1, "", "a detector ID that is no string names nothing");
        assert_eq!(got[1].1, "");
    }
}
