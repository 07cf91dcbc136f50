//! EC2 machine images (AMIs) and EBS snapshots shared: `ModifyImageAttribute` adding to an
//! image's `launchPermission`, `ModifySnapshotAttribute` to a snapshot's
//! `createVolumePermission`. Whoever is let in launches an instance from the image, or makes a
//! volume from the snapshot, in their own account and reads everything on its disks: the software,
//! keys and data baked into the host images that run the account's containers (those EC2 Image
//! Builder makes among them). How data leaves an account in one call (MITRE ATT&CK T1537,
//! *Transfer Data to Cloud Account*; Stratus Red Team's `ec2-share-ami` and
//! `ec2-share-ebs-snapshot`).
//!
//! The account's switches that block public sharing, per region (`DisableImageBlockPublicAccess`,
//! `DisableSnapshotBlockPublicAccess`, and their `Enable…`), are read too: `subject`
//! `block/AMIs/REGION` or `block/EBS snapshots/REGION`, `add:all` when the call lets them be made
//! public, `remove:all` when it blocks that again.
//!
//! Read at ingest into the side table of access given ([`crate::facts::iam::IamChanges`], as
//! [`Act::Shared`]): `subject` is `image/ami-…` or `snapshot/snap-…`, `lines` one per account,
//! group or organization added (`add:ID`, `add:all`, `add:arn:aws:organizations::…`) or removed
//! (`remove:…`), and `exposure` whom the additions let in. The request's two shapes are read: the
//! `launchPermission`/`createVolumePermission` object with `add`/`remove` lists of items (`userId`,
//! `group`, `organizationArn`, `organizationalUnitArn`), and `operationType` with `userIds` /
//! `userGroups` lists.
//!
//! EC2 Image Builder's distribution configurations say the same of every AMI the pipelines that use
//! them build (`CreateDistributionConfiguration`, `UpdateDistributionConfiguration`, as the Image
//! Builder API reference writes their requests): `distributions[].amiDistributionConfiguration`'s
//! `launchPermission` (`userIds`, `userGroups`, `organizationArns`, `organizationalUnitArns`) and
//! `targetAccountIds` (accounts the AMI is copied into), each `add:…`, under `subject`
//! `distribution/NAME` (the end of its ARN). An update replaces the whole configuration, so each
//! call lists all it shares with, and a `DeleteDistributionConfiguration` none. Parameters are
//! attacker-controlled and read leniently.

use serde_json::Value;

use super::container::Exposure;
use super::iam::{Act, IamChange};
use crate::ingest::raw::RawEvent;
use crate::store::{Row, Store};

/// EC2's event source.
pub const SOURCE: &str = "ec2.amazonaws.com";

/// The calls read: sharing, and the account's switches that block public sharing (per region).
pub const CALLS: [&str; 6] = [
    "ModifyImageAttribute",
    "ModifySnapshotAttribute",
    "DisableImageBlockPublicAccess",
    "EnableImageBlockPublicAccess",
    "DisableSnapshotBlockPublicAccess",
    "EnableSnapshotBlockPublicAccess",
];

/// Image Builder's event source.
pub const BUILDER_SOURCE: &str = "imagebuilder.amazonaws.com";

/// Image Builder's calls that set whom its AMIs are shared with.
pub const BUILDER_CALLS: [&str; 3] =
    ["CreateDistributionConfiguration", "UpdateDistributionConfiguration", "DeleteDistributionConfiguration"];

/// Whether call `name` of `source` is one read here.
pub fn wanted(source: &str, name: &str) -> bool {
    (source == SOURCE && CALLS.contains(&name)) || (source == BUILDER_SOURCE && BUILDER_CALLS.contains(&name))
}

/// Accounts, groups or organizations read from one call.
const MAX_GRANTEES: usize = 32;

/// The keys of one launch or volume permission item: each names an account, `all`, an
/// organization or an organizational unit, and becomes an `add:`/`remove:` line as it is.
const ITEM_KEYS: [&str; 4] = ["userId", "group", "organizationArn", "organizationalUnitArn"];

/// Records the call in row `row`, if it is one [`wanted`] and (for EC2's) adds or removes someone.
pub fn record(raw: &RawEvent, row: Row, store: &mut Store) {
    let (source, name) = (raw.event_source.str(), raw.event_name.str());
    if !wanted(source, name) {
        return;
    }
    let parse = |r: Option<crate::ingest::raw::Raw>| -> Value {
        r.and_then(|r| serde_json::from_str(r.get()).ok()).unwrap_or_default()
    };
    let req = parse(raw.request_parameters);
    let found = if source != SOURCE {
        distribution(name, &req, &parse(raw.response_elements))
    } else if name.contains("BlockPublicAccess") {
        Some(block(name, &req, &store.str(store.region(row))))
    } else {
        read(name, &req)
    };
    let Some((subject, lines)) = found else { return };
    let exposure = exposure(&lines);
    let subject = store.intern(&subject);
    let lines = lines.iter().map(|l| store.intern(l)).collect();
    let detail = crate::model::Sym::EMPTY;
    store.iam.put(IamChange { row, act: Act::Shared, subject, detail, exposure, no_reset: false, lines });
}

/// Whom the additions among `lines` let in: everyone for the group `all`, other accounts for any
/// other.
pub fn exposure(lines: &[String]) -> Exposure {
    let added: Vec<&str> = lines.iter().filter_map(|l| l.strip_prefix("add:")).collect();
    if added.iter().any(|a| a.eq_ignore_ascii_case("all")) {
        Exposure::Everyone
    } else if added.is_empty() {
        Exposure::Own
    } else {
        Exposure::OtherAccounts
    }
}

/// What call `name` with request `req` shares: (`image/ami-…` or `snapshot/snap-…`, its `add:` and
/// `remove:` tokens), or `None` when it changes another attribute or names no one.
fn read(name: &str, req: &Value) -> Option<(String, Vec<String>)> {
    let (subject, field) = if name == "ModifyImageAttribute" {
        (format!("image/{}", text(req, "imageId")), "launchPermission")
    } else {
        (format!("snapshot/{}", text(req, "snapshotId")), "createVolumePermission")
    };
    let mut lines: Vec<String> = Vec::new();
    let mut add = |op: &str, who: &str| {
        let token = format!("{op}:{}", who.trim());
        if !who.trim().is_empty() && !lines.contains(&token) && lines.len() < MAX_GRANTEES {
            lines.push(token);
        }
    };
    for op in ["add", "remove"] {
        for item in items(&req[field][op]) {
            for key in ITEM_KEYS {
                add(op, text(item, key));
            }
        }
    }
    // The other shape: `operationType` with lists of accounts and groups.
    let op = text(req, "operationType").to_ascii_lowercase();
    if op == "add" || op == "remove" {
        for item in items(&req["userIds"]).chain(items(&req["userId"])) {
            add(&op, item.as_str().unwrap_or_else(|| text(item, "userId")));
        }
        for item in items(&req["userGroups"]).chain(items(&req["userGroup"])) {
            add(&op, item.as_str().unwrap_or_else(|| text(item, "userGroup")));
        }
    }
    (!lines.is_empty()).then_some((subject, lines))
}

/// What a call to the account's block of public sharing in `region` does: (`block/AMIs/REGION` or
/// `block/EBS snapshots/REGION`, `add:all` when it lets them be made public: a `Disable…`, or
/// `EnableSnapshotBlockPublicAccess` with state `unblocked`; else `remove:all`).
fn block(name: &str, req: &Value, region: &str) -> (String, Vec<String>) {
    let what = if name.contains("Image") { "AMIs" } else { "EBS snapshots" };
    let unblocked = name.starts_with("Disable") || says(req, "unblocked");
    let token = if unblocked { "add:all" } else { "remove:all" };
    (format!("block/{what}/{region}"), vec![token.to_owned()])
}

/// Whether a string value of `v`, at any depth, is `word` (EC2 nests a request's fields under
/// varying names).
fn says(v: &Value, word: &str) -> bool {
    match v {
        Value::String(s) => s.eq_ignore_ascii_case(word),
        Value::Array(a) => a.iter().any(|x| says(x, word)),
        Value::Object(o) => o.values().any(|x| says(x, word)),
        _ => false,
    }
}

/// What Image Builder call `name` sets: (`distribution/NAME`, an `add:` token for each account,
/// group or organization its AMIs are shared with or copied into), or `None` when it names no
/// distribution configuration.
fn distribution(name: &str, req: &Value, resp: &Value) -> Option<(String, Vec<String>)> {
    let arn = [text(req, "distributionConfigurationArn"), text(resp, "distributionConfigurationArn")]
        .into_iter()
        .find(|a| !a.is_empty())
        .unwrap_or("");
    let id = match arn.rsplit_once("distribution-configuration/") {
        Some((_, id)) => id.trim().to_owned(),
        None => text(req, "name").trim().to_ascii_lowercase(),
    };
    if id.is_empty() {
        return None;
    }
    let mut lines: Vec<String> = Vec::new();
    if name != "DeleteDistributionConfiguration" {
        for d in items(&req["distributions"]) {
            let ami = &d["amiDistributionConfiguration"];
            let permission = &ami["launchPermission"];
            let lists = ["userIds", "userGroups", "organizationArns", "organizationalUnitArns"].map(|k| &permission[k]);
            for who in lists.into_iter().chain([&ami["targetAccountIds"]]).flat_map(items) {
                let token = format!("add:{}", who.as_str().unwrap_or("").trim());
                if token.len() > 4 && !lines.contains(&token) && lines.len() < MAX_GRANTEES {
                    lines.push(token);
                }
            }
        }
    }
    Some((format!("distribution/{id}"), lines))
}

/// The entries of a list as EC2 writes it (`{"items": [...]}`) or as a plain array; a lone value
/// is one entry.
fn items(v: &Value) -> impl Iterator<Item = &Value> {
    let list = match v.get("items").unwrap_or(v) {
        Value::Array(a) => a.as_slice(),
        Value::Null => &[],
        other => std::slice::from_ref(other),
    };
    list.iter().take(MAX_GRANTEES)
}

/// A string field, or "".
fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key].as_str().unwrap_or("")
}
