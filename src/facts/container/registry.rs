//! Changes to an ECR registry as a whole, which name no repository: its policy (which lets other
//! accounts replicate into it or pull through it), replication (which copies every pushed image to
//! the regions and accounts it names), pull-through cache rules (which upstream registries its
//! repositories mirror), scanning, managed signing, repository creation templates and account
//! settings.
//!
//! Each becomes a [`Kind::RepoChange`](super::Kind::RepoChange) with no repository: summary lines,
//! and whom it lets in or sends images to beyond the registry's account.

use serde::Deserialize;

use super::lenient::{parse, texts, List};
use super::{
    policy, Exposure, MAX_POLICY_LINES, MAX_RULES, MUTABILITY_LINE, NO_SCAN_RULES, NO_SIGNING_RULES, SIGN_LINE,
};
use crate::ingest::raw::{Lenient, Obj, RawEvent, Text};

/// ECR's calls that change the registry rather than one repository.
pub(super) const CALLS: [&str; 14] = [
    "PutRegistryPolicy",
    "DeleteRegistryPolicy",
    "PutReplicationConfiguration",
    "CreatePullThroughCacheRule",
    "UpdatePullThroughCacheRule",
    "DeletePullThroughCacheRule",
    "PutRegistryScanningConfiguration",
    "PutSigningConfiguration",
    "DeleteSigningConfiguration",
    "CreateRepositoryCreationTemplate",
    "UpdateRepositoryCreationTemplate",
    "DeleteRepositoryCreationTemplate",
    "PutAccountSetting",
    "DeleteAccountSetting",
];

/// `repositoryFilters[]` of a replication or scanning rule.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct RepoFilter<'a> {
    #[serde(borrow)]
    filter: Lenient<Text<'a>>,
    #[serde(borrow)]
    filter_type: Lenient<Text<'a>>,
}

pub(super) type Filters<'a> = List<Obj<RepoFilter<'a>>, MAX_RULES>;

/// `replicationConfiguration.rules[].destinations[]`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Destination<'a> {
    #[serde(borrow)]
    region: Lenient<Text<'a>>,
    #[serde(borrow)]
    registry_id: Lenient<Text<'a>>,
}

/// `replicationConfiguration.rules[]`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ReplicationRule<'a> {
    #[serde(borrow)]
    destinations: List<Obj<Destination<'a>>, MAX_RULES>,
    #[serde(borrow)]
    repository_filters: Filters<'a>,
}

/// `replicationConfiguration`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Replication<'a> {
    #[serde(borrow)]
    rules: List<Obj<ReplicationRule<'a>>, MAX_RULES>,
}

/// `PutRegistryScanningConfiguration`'s `rules[]`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ScanRule<'a> {
    #[serde(borrow)]
    scan_frequency: Lenient<Text<'a>>,
    #[serde(borrow)]
    repository_filters: Filters<'a>,
}

/// `PutSigningConfiguration`'s `signingConfiguration.rules[]`: the AWS Signer profile that signs
/// the images pushed to the repositories the filters select (every one, with none).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct SigningRule<'a> {
    #[serde(borrow)]
    signing_profile_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    repository_filters: Filters<'a>,
}

/// `PutSigningConfiguration`'s `signingConfiguration`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Signing<'a> {
    #[serde(borrow)]
    rules: List<Obj<SigningRule<'a>>, MAX_RULES>,
}

/// `requestParameters` of the registry's calls (each uses a few of these).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Request<'a> {
    #[serde(borrow)]
    policy_text: Lenient<Text<'a>>,
    #[serde(borrow)]
    replication_configuration: Obj<Replication<'a>>,
    #[serde(borrow)]
    ecr_repository_prefix: Lenient<Text<'a>>,
    #[serde(borrow)]
    upstream_registry_url: Lenient<Text<'a>>,
    #[serde(borrow)]
    upstream_registry: Lenient<Text<'a>>,
    #[serde(borrow)]
    upstream_repository_prefix: Lenient<Text<'a>>,
    #[serde(borrow)]
    credential_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    custom_role_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    scan_type: Lenient<Text<'a>>,
    #[serde(borrow)]
    rules: List<Obj<ScanRule<'a>>, MAX_RULES>,
    #[serde(borrow)]
    signing_configuration: Obj<Signing<'a>>,
    #[serde(borrow)]
    prefix: Lenient<Text<'a>>,
    #[serde(borrow)]
    applied_for: List<Lenient<Text<'a>>, 8>,
    #[serde(borrow)]
    repository_policy: Lenient<Text<'a>>,
    #[serde(borrow)]
    image_tag_mutability: Lenient<Text<'a>>,
    #[serde(borrow)]
    name: Lenient<Text<'a>>,
    #[serde(borrow)]
    value: Lenient<Text<'a>>,
}

/// Summary lines of registry call `name`, and whom it lets in or replicates to beyond account
/// `owner`: a registry policy's principals, as a repository policy's are judged
/// ([`policy::exposure`]); a replication rule with a destination in another account (a copy of
/// every image it selects, pushed there as it is pushed here); a creation template's repository
/// policy (given to every repository it creates).
pub(super) fn read(name: &str, raw: &RawEvent, owner: &str) -> (Vec<String>, Exposure) {
    let req: Request = parse(raw.request_parameters).unwrap_or_default();
    let mut lines = Vec::new();
    let mut exposure = Exposure::Own;
    match name {
        "PutRegistryPolicy" => {
            lines = policy::statements(req.policy_text.str());
            exposure = policy::exposure(req.policy_text.str(), owner);
        }
        "DeleteRegistryPolicy" => lines.push("registry policy removed".to_owned()),
        "PutReplicationConfiguration" => {
            let rules = req.replication_configuration.0.ok().map(|c| &c.rules.items[..]).unwrap_or_default();
            for rule in rules.iter().filter_map(|r| r.0.ok()) {
                let to: Vec<String> = rule
                    .destinations
                    .items
                    .iter()
                    .filter_map(|d| d.0.ok())
                    .map(|d| {
                        let account = d.registry_id.str();
                        if !account.is_empty() && account != owner {
                            exposure = Exposure::OtherAccounts;
                        }
                        match (account, d.region.str()) {
                            (a, r) if a.is_empty() || a == owner => format!("{r} (this account)"),
                            (a, r) => format!("account {a} in {r}"),
                        }
                    })
                    .collect();
                lines.push(format!(
                    "replicate {} to {}",
                    filters(&rule.repository_filters),
                    if to.is_empty() { "nowhere".to_owned() } else { to.join(", ") }
                ));
            }
            if lines.is_empty() {
                lines.push("replication turned off (no rules)".to_owned());
            }
        }
        "CreatePullThroughCacheRule" | "UpdatePullThroughCacheRule" => {
            let upstream = match (req.upstream_registry_url.str(), req.upstream_registry.str()) {
                ("", "") => "an upstream registry".to_owned(),
                (url, "") | ("", url) => url.to_owned(),
                (url, kind) => format!("{url} ({kind})"),
            };
            lines.push(format!("mirror {upstream} as repositories under {}/", req.ecr_repository_prefix.str()));
            let more = [
                ("upstream repositories under", req.upstream_repository_prefix.str()),
                ("credentials:", req.credential_arn.str()),
                ("role:", req.custom_role_arn.str()),
            ];
            lines.extend(more.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k} {v}")));
        }
        "DeletePullThroughCacheRule" => {
            lines.push(format!("stop mirroring into repositories under {}/", req.ecr_repository_prefix.str()));
        }
        "PutRegistryScanningConfiguration" => lines = scanning(&req),
        "PutSigningConfiguration" => lines = signing(&req),
        "DeleteSigningConfiguration" => lines.push("signing configuration removed: no image is signed".to_owned()),
        "CreateRepositoryCreationTemplate" | "UpdateRepositoryCreationTemplate" => {
            lines.push(format!("template for new repositories {}", template_scope(req.prefix.str())));
            let applied: Vec<&str> = texts(&req.applied_for).collect();
            if !applied.is_empty() {
                lines.push(format!("applied for: {}", applied.join(", ")));
            }
            if !req.image_tag_mutability.str().is_empty() {
                lines.push(format!("{MUTABILITY_LINE}{}", req.image_tag_mutability.str()));
            }
            let policy_text = req.repository_policy.str();
            let statements = policy::statements(policy_text);
            lines.extend(statements.into_iter().map(|s| format!("policy: {s}")));
            exposure = policy::exposure(policy_text, owner);
        }
        "DeleteRepositoryCreationTemplate" => {
            lines.push(format!("template for new repositories {} removed", template_scope(req.prefix.str())));
        }
        "PutAccountSetting" => lines.push(format!("{}: {}", req.name.str(), req.value.str())),
        "DeleteAccountSetting" => lines.push(format!("{}: back to its default", req.name.str())),
        _ => {}
    }
    if lines.len() > MAX_POLICY_LINES {
        let more = lines.len() - (MAX_POLICY_LINES - 1);
        lines.truncate(MAX_POLICY_LINES - 1);
        lines.push(format!("… and {more} more"));
    }
    (lines.into_iter().map(policy::clip).collect(), exposure)
}

/// A registry's scanning configuration: its scan type, then each rule.
fn scanning(req: &Request) -> Vec<String> {
    let mut lines = Vec::new();
    if !req.scan_type.str().is_empty() {
        lines.push(format!("scan type: {}", req.scan_type.str()));
    }
    for rule in req.rules.items.iter().filter_map(|r| r.0.ok()) {
        let how = match rule.scan_frequency.str() {
            "" => "scan",
            f => f,
        };
        lines.push(format!("{how}: {}", filters(&rule.repository_filters)));
    }
    if req.rules.items.is_empty() {
        lines.push(NO_SCAN_RULES.to_owned());
    }
    lines
}

/// A registry's managed signing configuration: each rule ("sign with PROFILE: every
/// repository"), or [`NO_SIGNING_RULES`].
fn signing(req: &Request) -> Vec<String> {
    let rules = req.signing_configuration.0.ok().map(|c| &c.rules.items[..]).unwrap_or_default();
    let mut lines: Vec<String> = rules
        .iter()
        .filter_map(|r| r.0.ok())
        .map(|rule| {
            let profile = match rule.signing_profile_arn.str() {
                "" => "a signing profile",
                p => p,
            };
            format!("{SIGN_LINE}{profile}: {}", filters(&rule.repository_filters))
        })
        .collect();
    if lines.is_empty() {
        lines.push(NO_SIGNING_RULES.to_owned());
    }
    lines
}

/// Which repositories a rule selects: `every repository`, `repositories starting "prod-"`.
fn filters(f: &Filters) -> String {
    let parts: Vec<String> = f
        .items
        .iter()
        .filter_map(|x| x.0.ok())
        .filter(|x| !x.filter.str().is_empty())
        .map(|x| match x.filter_type.str() {
            "PREFIX_MATCH" => format!("starting \"{}\"", x.filter.str()),
            "WILDCARD" | "WILDCARD_MATCH" => format!("matching \"{}\"", x.filter.str()),
            t => format!("\"{}\" ({t})", x.filter.str()),
        })
        .collect();
    if parts.is_empty() {
        "every repository".to_owned()
    } else {
        format!("repositories {}", parts.join(" or "))
    }
}

/// The tags a mutability setting's exclusion filters leave out of it, as a line ("tags matching
/// \"release-*\" stay immutable"), or none.
pub(super) fn excluded_tags(mutability: &str, f: &Filters) -> Option<String> {
    let tags: Vec<String> = f
        .items
        .iter()
        .filter_map(|x| x.0.ok())
        .map(|x| x.filter.str())
        .filter(|t| !t.is_empty())
        .map(|t| format!("\"{t}\""))
        .collect();
    let stay = match mutability {
        "IMMUTABLE_WITH_EXCLUSION" => "mutable",
        "MUTABLE_WITH_EXCLUSION" => "immutable",
        _ => return None,
    };
    (!tags.is_empty()).then(|| format!("tags matching {} stay {stay}", tags.join(" or ")))
}

/// A creation template's prefix as words: `ROOT` is every repository with no other template.
fn template_scope(prefix: &str) -> String {
    match prefix {
        "ROOT" => "that no other template covers (ROOT)".to_owned(),
        p => format!("under {p}/"),
    }
}
