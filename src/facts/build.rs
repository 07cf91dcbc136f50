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
//! name, never a value). A start that overrides none of these is not read. Parameters are
//! attacker-controlled and read leniently.

use serde_json::Value;

use super::container::Exposure;
use super::iam::{Act, IamChange};
use crate::ingest::raw::RawEvent;
use crate::store::{Row, Store};

/// `CodeBuild`'s event source.
pub const SOURCE: &str = "codebuild.amazonaws.com";

/// The calls read.
pub const CALLS: [&str; 2] = ["StartBuild", "StartBuildBatch"];

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
    let lines = overrides(&req);
    if lines.is_empty() {
        return;
    }
    let subject = store.intern(text(&req, "projectName"));
    let lines = lines.iter().map(|l| store.intern(l)).collect();
    let detail = crate::model::Sym::EMPTY;
    let change =
        IamChange { row, act: Act::BuildOverridden, subject, detail, exposure: Exposure::Own, no_reset: false, lines };
    store.iam.put(change);
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
