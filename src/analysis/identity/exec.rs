//! *Commands run in running containers*: ECS `ExecuteCommand` calls (ECS Exec), among the rows
//! looked at, that went through. ECS Exec opens a shell in, or runs a command inside, a running
//! container, with whatever the container reaches: its task role's credentials, the secrets in
//! its environment, its network. One item per principal and cluster (account, region), naming the
//! commands and tasks. High when the caller is of another account than the cluster; medium else.

use hashbrown::HashMap;

use super::attention::{joined, list, seconds, whence, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use crate::analysis::filter::Field;
use crate::facts::container::Kind;
use crate::model::Sym;
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
    for ((_, account, region, cluster), mut calls) in groups {
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
        let cluster = g.str(cluster).into_owned();
        let stranger = if outsider {
            format!(" It is of account {}, not the cluster's.", g.str(who_account))
        } else {
            String::new()
        };
        let why = format!(
            "{} in running containers of cluster {cluster} ({}, {}) with ECS Exec: {}{more}. From {} with {}.{stranger} \
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
            severity: if outsider { Severity::High } else { Severity::Medium },
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
