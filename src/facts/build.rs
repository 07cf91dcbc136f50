//! `CodeBuild` builds started with the project's settings overridden (`StartBuild`,
//! `StartBuildBatch`): a build that runs the caller's buildspec, from the caller's source, in the
//! caller's image or with another role, runs the caller's commands with what the project is given
//! (its service role, which in a container supply chain pushes images to ECR, and its secrets),
//! and nothing in the project says so afterwards: "the overrides only apply for that specific start
//! build request", as the `CodeBuild` API reference says. A build started so is how a CI system
//! is made to push a chosen image, or to hand over its role.
//!
//! Read at ingest into the side table of access given ([`crate::facts::iam::IamChanges`], as
//! [`Act::BuildOverridden`]): `subject` is the project's name, `lines` one token per override read:
//! `buildspec:` and its first line that says something (the buildspec is the caller's commands),
//! `source:LOCATION` (`sourceLocationOverride`, with `sourceTypeOverride` after a space when
//! given), `image:URI`, `role:ARN`, `privileged`, `debug` (`debugSessionEnabled`: a shell in the
//! build's container through Session Manager), `env:NAME` for each environment variable given (a
//! name, never a value). A start that overrides none of these is not read.
//!
//! A project's webhook (`CreateWebhook`, `UpdateWebhook`, `DeleteWebhook`) is read too, as
//! [`Act::Webhook`]: whether it builds pull requests from anyone (`exposure` `Everyone`), and why,
//! one line each: a filter group that accepts `PULL_REQUEST_*` events with no `ACTOR_ACCOUNT_ID`
//! filter, or with one whose pattern is not anchored (`^…$`: an unanchored `123|456` matches any
//! ID that contains either), or a webhook made with no filter group at all (every push and pull
//! request builds); unless its `pullRequestBuildPolicy` asks a trusted contributor's comment
//! first. A pull request's code runs in the build with the project's role: `CodeBuild`'s user guide
//! asks for `ACTOR_ACCOUNT_ID` filters on public repositories for that reason. Parameters are
//! attacker-controlled and read leniently.

use serde_json::Value;

use super::container::Exposure;
use super::iam::{Act, IamChange};
use crate::ingest::raw::RawEvent;
use crate::store::{Row, Store};

/// `CodeBuild`'s event source.
pub const SOURCE: &str = "codebuild.amazonaws.com";

/// The calls read: builds started, and webhooks set.
pub const CALLS: [&str; 5] = ["StartBuild", "StartBuildBatch", "CreateWebhook", "UpdateWebhook", "DeleteWebhook"];

/// Tokens read from one call; more are not seen.
const MAX_TOKENS: usize = 24;

/// Characters of a buildspec's line kept.
const MAX_LINE: usize = 160;

/// Whether call `name` of `source` is one read here.
pub fn wanted(source: &str, name: &str) -> bool {
    source == SOURCE && CALLS.contains(&name)
}

/// Records the call in row `row`, if it is one [`wanted`] that overrides something read.
pub fn record(raw: &RawEvent, row: Row, store: &mut Store) {
    if !wanted(raw.event_source.str(), raw.event_name.str()) {
        return;
    }
    let req: Value = raw.request_parameters.and_then(|r| serde_json::from_str(r.get()).ok()).unwrap_or_default();
    let name = raw.event_name.str();
    let (act, lines, exposure) = if name.ends_with("Webhook") {
        let (lines, open) = webhook(name, &req);
        (Act::Webhook, lines, if open { Exposure::Everyone } else { Exposure::Own })
    } else {
        (Act::BuildOverridden, overrides(&req), Exposure::Own)
    };
    if lines.is_empty() {
        return;
    }
    let subject = store.intern(text(&req, "projectName"));
    let lines = lines.iter().map(|l| store.intern(l)).collect();
    let detail = crate::model::Sym::EMPTY;
    store.iam.put(IamChange { row, act, subject, detail, exposure, no_reset: false, lines });
}

/// What webhook call `name` with request `req` leaves: its lines, and whether it builds pull
/// requests from anyone (see the module's text). An update that names no filter group keeps the
/// webhook's and is not judged.
pub fn webhook(name: &str, req: &Value) -> (Vec<String>, bool) {
    if name == "DeleteWebhook" {
        return (vec!["webhook deleted".to_owned()], false);
    }
    let mut lines: Vec<String> = Vec::new();
    match req["filterGroups"].as_array() {
        Some(groups) if !groups.is_empty() => {
            for (i, group) in groups.iter().take(MAX_TOKENS).enumerate() {
                lines.extend(group_opens(i + 1, group));
            }
        }
        _ if name == "CreateWebhook" => lines.push("no filter group: every push and pull request builds".to_owned()),
        _ => return (vec!["filter groups kept".to_owned()], false),
    }
    let open = !lines.is_empty();
    let approval = req["pullRequestBuildPolicy"]["requiresCommentApproval"].as_str().unwrap_or("").trim();
    let gated = ["ALL_PULL_REQUESTS", "FORK_PULL_REQUESTS"].iter().any(|p| approval.eq_ignore_ascii_case(p));
    if !approval.is_empty() {
        lines.push(format!("comment approval: {approval}"));
    }
    if lines.is_empty() {
        lines.push("no filter group builds anyone's pull requests".to_owned());
    }
    (lines, open && !gated)
}

/// Why filter group `n` (`[{type, pattern, excludeMatchedPattern}…]`) builds anyone's pull
/// requests, if it does.
fn group_opens(n: usize, group: &Value) -> Option<String> {
    let filters: Vec<&Value> = group.as_array().into_iter().flatten().collect();
    let kept = |kind: &str| {
        filters.iter().find(|f| {
            f["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(kind))
                && f["excludeMatchedPattern"].as_bool() != Some(true)
        })
    };
    let events = kept("EVENT").map_or("", |f| f["pattern"].as_str().unwrap_or(""));
    if !events.to_ascii_uppercase().contains("PULL_REQUEST") {
        return None;
    }
    match kept("ACTOR_ACCOUNT_ID").map(|f| f["pattern"].as_str().unwrap_or("").trim()) {
        None | Some("") => Some(format!("filter group {n} builds pull requests ({events}) from anyone")),
        Some(p) if !(p.starts_with('^') && p.ends_with('$')) => Some(format!(
            "filter group {n}'s ACTOR_ACCOUNT_ID pattern {p} is not anchored (^…$): any ID that contains it matches"
        )),
        Some(_) => None,
    }
}

/// A string field of `v`, or "".
fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key].as_str().unwrap_or("").trim()
}

/// The tokens of what request `req` overrides (see the module's list).
pub fn overrides(req: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let buildspec = text(req, "buildspecOverride");
    if !buildspec.is_empty() {
        out.push(format!("buildspec:{}", said(buildspec)));
    }
    let source = text(req, "sourceLocationOverride");
    if !source.is_empty() {
        let kind = text(req, "sourceTypeOverride");
        out.push(if kind.is_empty() { format!("source:{source}") } else { format!("source:{source} {kind}") });
    }
    for (key, token) in [("imageOverride", "image:"), ("serviceRoleOverride", "role:")] {
        let value = text(req, key);
        if !value.is_empty() {
            out.push(format!("{token}{value}"));
        }
    }
    let on = |key: &str| {
        req[key].as_bool() == Some(true) || req[key].as_str().is_some_and(|s| s.eq_ignore_ascii_case("true"))
    };
    if on("privilegedModeOverride") {
        out.push("privileged".to_owned());
    }
    if on("debugSessionEnabled") {
        out.push("debug".to_owned());
    }
    let vars = req["environmentVariablesOverride"].as_array().into_iter().flatten();
    for name in vars.filter_map(|v| v["name"].as_str()).map(str::trim).filter(|n| !n.is_empty()) {
        let token = format!("env:{name}");
        if !out.contains(&token) {
            out.push(token);
        }
    }
    out.truncate(MAX_TOKENS);
    out
}

/// A buildspec in one line: its commands (the YAML list items, `- …`) joined by "; ", or, with
/// none (a file's name or an S3 object's ARN in its place), its first line that is neither blank,
/// a comment nor `version:`; cut to [`MAX_LINE`] characters, with "…" when more follows.
fn said(buildspec: &str) -> String {
    let lines: Vec<&str> = buildspec.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    let commands: Vec<&str> = lines.iter().filter_map(|l| l.strip_prefix("- ")).map(str::trim).collect();
    let all = if commands.is_empty() {
        lines.iter().copied().find(|l| !l.starts_with("version")).unwrap_or("").to_owned()
    } else {
        commands.join("; ")
    };
    let mut line: String = all.chars().take(MAX_LINE).collect();
    if line.len() < all.len() {
        line.push_str(" …");
    }
    line
}
