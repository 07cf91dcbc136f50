//! *Commands run in running containers*: ECS `ExecuteCommand` calls (ECS Exec), among the rows
//! looked at, that went through. ECS Exec opens a shell in, or runs a command inside, a running
//! container, with whatever the container reaches: its task role's credentials, the secrets in
//! its environment, its network. One item per principal and cluster (account, region), naming the
//! commands and tasks, and the call in these logs that turned ECS Exec on for the cluster's tasks
//! before (a service created or updated, or a task started, with `enableExecuteCommand`: tasks
//! started without it cannot be reached). High when the caller is of another account than the
//! cluster, or turned ECS Exec on itself before using it: a way into running containers opened
//! and used by one hand; medium else.

use hashbrown::HashMap;

use super::attention::{joined, list, seconds, whence, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use crate::analysis::filter::Field;
use crate::analysis::principal::principal_label;
use crate::facts::container::Kind;
use crate::model::{Millis, Sym};
use crate::store::Row;
use crate::text::{plural, utc};

/// Commands named in one item; more are counted.
const MAX_TOLD: usize = 5;

/// One item per principal and cluster whose `ExecuteCommand` calls went through.
pub(super) fn commands(g: &Gathered, out: &mut Vec<Attention>) {
    // (principal, account, region, cluster) → calls.
    type Key = (u32, Sym, Sym, Sym);
    let store = g.store;
    let mut groups: HashMap<Key, Vec<(u32, Row)>> = HashMap::new();
    for &(id, r) in &g.execs {
        let Some(Kind::TaskCall { cluster, .. }) = store.container.get(r).map(|f| f.kind) else { continue };
        groups.entry((g.name_ix(id), store.account(r), store.region(r), cluster)).or_default().push((id, r));
    }
    for ((_, account, region, cluster_sym), mut calls) in groups {
        calls.sort_by_key(|&(_, r)| (store.time(r), r));
        let (id, first_row) = calls[0];
        let who_account = g.identity(id).account_id;
        let outsider = !who_account.is_empty() && who_account != account;
        let mut told: Vec<String> = Vec::new();
        for &(_, r) in calls.iter().take(MAX_TOLD) {
            if let Some(Kind::TaskCall { task, detail, .. }) = store.container.get(r).map(|f| f.kind) {
                let command =
                    if detail.is_empty() { "a command not recorded".to_owned() } else { g.str(detail).into_owned() };
                told.push(format!("{command} in task {} at {}", g.str(task), utc(store.time(r))));
            }
        }
        let (addresses, clients) = whence(g, calls.iter().map(|&(_, r)| r));
        let more = calls.len().saturating_sub(MAX_TOLD);
        let more = if more > 0 { format!("; and {more} more") } else { String::new() };
        let (first, last) = (store.time(first_row), store.time(calls[calls.len() - 1].1));
        let cluster = g.str(cluster_sym).into_owned();
        let stranger = if outsider {
            format!(" It is of account {}, not the cluster's.", g.str(who_account))
        } else {
            String::new()
        };
        let label = |r: Row| principal_label(&store.identity(r), &store.strings);
        let on = turned_on(g, (account, region, cluster_sym), first);
        let itself = on.is_some_and(|r| label(r) == label(first_row));
        let opened = match on {
            Some(r) if itself => format!(" It turned ECS Exec on itself before: {}.", super::outside::start_said(g, r)),
            Some(r) => format!(" ECS Exec was turned on before by {}.", super::outside::start_said(g, r)),
            None => String::new(),
        };
        let why = format!(
            "{} in running containers of cluster {cluster} ({}, {}) with ECS Exec: {}{more}. From {} with {}.{stranger}{opened} \
             ECS Exec runs a command or opens a shell inside a running container, with whatever the container \
             reaches (its task role's credentials, the secrets in its environment, its network): check who may call \
             ecs:ExecuteCommand, and what was run.",
            plural(calls.len() as u64, "command run", "commands run"),
            g.str(account),
            g.str(region),
            told.join("; "),
            list(&addresses),
            joined(&clients, ", "),
        );
        out.push(Attention {
            kind: AttentionKind::ContainerExec,
            severity: if outsider || itself { Severity::High } else { Severity::Medium },
            title: format!("Commands run in containers of cluster {cluster}"),
            who: g.label(id).to_owned(),
            why,
            events: calls.len() as u64,
            first,
            last,
            chips: vec![(Field::Source, "ecs.amazonaws.com".to_owned()), (Field::Name, "ExecuteCommand".to_owned())],
            range: Some(seconds(first, last)),
        });
    }
}

/// The last call in these logs, at or before `at`, that went through and turned ECS Exec on for
/// tasks of `cluster` (in its account and region): a service created or updated, or a task
/// started, with `enableExecuteCommand` true.
fn turned_on(g: &Gathered, (account, region, cluster): (Sym, Sym, Sym), at: Millis) -> Option<Row> {
    let store = g.store;
    let here = |r: Row| store.account(r) == account && store.region(r) == region && store.error_code(r).is_empty();
    g.container
        .ecs
        .iter()
        .copied()
        .filter(|&r| store.time(r) <= at && here(r))
        .filter(|&r| match store.container.get(r).map(|f| f.kind) {
            Some(Kind::Service { cluster: c, exec: Some(true), .. } | Kind::Task { cluster: c, exec: true, .. }) => {
                c == cluster
            }
            _ => false,
        })
        .max_by_key(|&r| (store.time(r), r))
}
