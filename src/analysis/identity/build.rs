//! *Build started with its settings overridden*: a `CodeBuild` `StartBuild` or `StartBuildBatch`,
//! among the rows looked at, that went through and overrode the project's buildspec, source,
//! image, service role, privileged mode, session debugging or environment for that build
//! ([`crate::facts::build`]). The build runs the caller's commands with the project's service
//! role and secrets (in a container pipeline, those that push images to ECR), and the project's
//! settings do not show it afterwards. One item per principal and project, counting the starts;
//! high when the role was overridden or the caller is of another account, medium else.
//!
//! *Builds run for anyone's pull requests*: a `CreateWebhook` or `UpdateWebhook` that went through
//! and left the project building pull requests from anyone (no `ACTOR_ACCOUNT_ID` filter, an
//! unanchored one, or no filter group at all, with no comment approval asked), where the
//! project's webhook call before it in these logs did not. Medium; high when it says comment
//! approval is `DISABLED`. It says when a later call closed it again.

use hashbrown::HashMap;

use super::attention::{joined, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use super::task_role::more_starts;
use crate::analysis::filter::Field;
use crate::analysis::principal::principal_label;
use crate::facts::build::SOURCE;
use crate::facts::container::Exposure;
use crate::facts::iam::{Act, IamChange};
use crate::model::Sym;
use crate::store::Row;
use crate::text::{duration, utc};

/// One item per principal and project whose builds among the rows looked at were started with
/// overrides.
pub(super) fn overridden(g: &Gathered, out: &mut Vec<Attention>) {
    // (principal, account, region, project) → the starts.
    type Key = (u32, Sym, Sym, Sym);
    let store = g.store;
    let mut groups: HashMap<Key, Vec<(u32, Row)>> = HashMap::new();
    for &(id, r) in &g.iam {
        let Some(c) = store.iam.get(r).filter(|c| c.act == Act::BuildOverridden) else { continue };
        if store.error_code(r).is_empty() {
            groups.entry((g.name_ix(id), store.account(r), store.region(r), c.subject)).or_default().push((id, r));
        }
    }
    for (key, mut starts) in groups {
        starts.sort_by_key(|&(_, r)| (store.time(r), r));
        out.push(item(g, key.3, &starts));
    }
}

/// What one override token says, in words.
fn said(token: &str) -> String {
    match token.split_once(':') {
        Some(("buildspec", commands)) => format!("the buildspec (it runs: {commands})"),
        Some(("source", source)) => format!("the source, with {source}"),
        Some(("image", image)) => format!("the build image, with {image}"),
        Some(("role", role)) => format!("the service role, with {role}"),
        Some(("env", name)) => format!("environment variable {name}"),
        _ if token == "privileged" => "privileged mode, on (Docker in the build)".to_owned(),
        _ if token == "debug" => "session debugging, on (a shell in the build through Session Manager)".to_owned(),
        _ => token.to_owned(),
    }
}

/// The title's words for the weightiest of `tokens`.
fn weightiest(tokens: &[String]) -> &'static str {
    let has = |p: &str| tokens.iter().any(|t| t.starts_with(p));
    [
        ("role:", "another role"),
        ("buildspec:", "another buildspec"),
        ("source:", "another source"),
        ("image:", "another image"),
        ("debug", "a debug session"),
        ("privileged", "privileged mode"),
    ]
    .into_iter()
    .find(|(p, _)| has(p))
    .map_or("its environment overridden", |(_, w)| w)
}

/// The item of `starts` (oldest first) of builds of `project`.
fn item(g: &Gathered, project: Sym, starts: &[(u32, Row)]) -> Attention {
    let store = g.store;
    let (id, r) = starts[0];
    let last_row = starts[starts.len() - 1].1;
    // Every start's overrides, each once, in the order first given.
    let mut tokens: Vec<String> = Vec::new();
    for &(_, s) in starts {
        for &l in store.iam.get(s).map(|c| c.lines.as_slice()).unwrap_or_default() {
            let t = g.str(l).into_owned();
            if !tokens.contains(&t) {
                tokens.push(t);
            }
        }
    }
    let project = g.str(project).into_owned();
    let outsider = !store.identity(r).account_id.is_empty() && store.identity(r).account_id != store.account(r);
    let stranger = if outsider {
        format!(" The caller is of account {}, not the project's.", g.str(store.identity(r).account_id))
    } else {
        String::new()
    };
    let more = more_starts(starts.len(), &project, "by them overrode it too", store.time(last_row));
    let words: Vec<String> = tokens.iter().map(|t| said(t)).collect();
    let why = format!(
        "{} of CodeBuild project {project} ({}, {}) at {} from {} with {} overrode, for that build only: {}.{stranger}\
         {more} A build so started runs the caller's commands with the project's service role and secrets (in a \
         container pipeline, those that push images to ECR), and the project's settings do not show it afterwards.",
        g.str(store.name(r)),
        g.str(store.account(r)),
        g.str(store.region(r)),
        utc(store.time(r)),
        g.str(store.ip(r)),
        g.client(store.user_agent(r)).label(),
        joined(&words, "; "),
    );
    let high = outsider || tokens.iter().any(|t| t.starts_with("role:"));
    let title = format!("Build of {project} started with {}", weightiest(&tokens));
    let chips = vec![(Field::Source, SOURCE.to_owned())];
    let n = starts.len() as u64;
    let severity = if high { Severity::High } else { Severity::Medium };
    Attention::of_calls(
        AttentionKind::BuildOverridden,
        severity,
        (title, why),
        g.label(id),
        (n, store.time(r), store.time(last_row)),
        chips,
    )
}

/// One item per webhook call among the rows looked at that went through and left its project
/// building anyone's pull requests, where the project's webhook call before it in these logs did
/// not (or none is in them).
pub(super) fn webhooks(g: &Gathered, out: &mut Vec<Attention>) {
    let store = g.store;
    for &(id, r) in &g.iam {
        let Some(c) = store.iam.get(r).filter(|c| c.act == Act::Webhook && c.exposure == Exposure::Everyone) else {
            continue;
        };
        if !store.error_code(r).is_empty() {
            continue;
        }
        // The project's webhook calls that went through, in every log loaded, in time order.
        let same = |o: &&IamChange| {
            o.act == Act::Webhook
                && o.subject == c.subject
                && store.account(o.row) == store.account(r)
                && store.region(o.row) == store.region(r)
                && store.error_code(o.row).is_empty()
        };
        let mut calls: Vec<&IamChange> = store.iam.all().iter().filter(same).collect();
        calls.sort_by_key(|o| (store.time(o.row), o.row));
        let at = calls.iter().position(|o| o.row == r).unwrap_or(0);
        if at > 0 && calls[at - 1].exposure == Exposure::Everyone {
            continue;
        }
        let closed = calls[at + 1..].iter().find(|o| o.exposure != Exposure::Everyone);
        out.push(webhook_item(g, (id, c), closed.copied()));
    }
}

/// The item of webhook call `c` by identity `id`, and the later call that closed it, if any.
fn webhook_item(g: &Gathered, (id, c): (u32, &IamChange), closed: Option<&IamChange>) -> Attention {
    let store = g.store;
    let r = c.row;
    let project = g.str(c.subject).into_owned();
    let lines: Vec<String> = c.lines.iter().map(|&l| g.str(l).into_owned()).collect();
    let disabled = lines.iter().any(|l| l.eq_ignore_ascii_case("comment approval: DISABLED"));
    let then = match closed {
        Some(k) => format!(
            " {} at {} by {} left it building only whom its filters name, {} later.",
            g.str(store.name(k.row)),
            utc(store.time(k.row)),
            principal_label(&store.identity(k.row), &store.strings),
            duration(store.time(k.row) - store.time(r))
        ),
        None => " Nothing in these logs closes it again.".to_owned(),
    };
    let why = format!(
        "{} at {} from {} with {} set the webhook of CodeBuild project {project} ({}, {}): {}. A pull request's \
         code runs in the build with the project's service role and secrets (in a container pipeline, those that \
         push images to ECR): on a public repository anyone can open one.{then}",
        g.str(store.name(r)),
        utc(store.time(r)),
        g.str(store.ip(r)),
        g.client(store.user_agent(r)).label(),
        g.str(store.account(r)),
        g.str(store.region(r)),
        joined(&lines, "; "),
    );
    let title = format!("Webhook of {project} builds anyone's pull requests");
    let last = closed.map_or(store.time(r), |k| store.time(k.row));
    let severity = if disabled { Severity::High } else { Severity::Medium };
    let chips = vec![(Field::Source, SOURCE.to_owned())];
    Attention::of_calls(
        AttentionKind::BuildWebhookOpen,
        severity,
        (title, why),
        g.label(id),
        (1, store.time(r), last),
        chips,
    )
}
