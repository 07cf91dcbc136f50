//! *Build started with its settings overridden*: a `CodeBuild` `StartBuild` or `StartBuildBatch`,
//! among the rows looked at, that went through and overrode the project's buildspec, source,
//! image, service role, privileged mode, session debugging or environment for that build
//! ([`crate::facts::build`]). The build runs the caller's commands with the project's service
//! role and secrets (in a container pipeline, those that push images to ECR), and the project's
//! settings do not show it afterwards. One item per principal and project, counting the starts;
//! high when the role was overridden or the caller is of another account, medium else.

use hashbrown::HashMap;

use super::attention::{joined, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use super::task_role::more_starts;
use crate::analysis::filter::Field;
use crate::facts::build::SOURCE;
use crate::facts::iam::Act;
use crate::model::Sym;
use crate::store::Row;
use crate::text::utc;

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
