//! *Task definition gives containers the host*: a `RegisterTaskDefinition`, among the rows looked
//! at, that gives its containers the instance they run on (they run privileged, share the host's
//! processes or IPC, hold a capability such as `SYS_ADMIN`, mount the host's root, a system
//! directory or a container runtime's socket, are given its disks, or run as root on its network:
//! see `facts::container::ecs`), where the family's
//! registration before it in these logs did not give that much. A container with any of these can
//! take over the instance, and with it the other tasks' credentials, the ECS agent's and the
//! instance role: how a foothold in one workload, or whoever may register a task definition,
//! escapes to the host. High when a service was then deployed with the revision or a task started
//! from it, or when whoever registered it is of another account; medium else. A family's
//! registration with no earlier one in these logs has nothing to compare with: monitoring agents
//! run this way by design, so it is medium, high only when the family was created then (revision
//! 1) and started, or registered from another account.

use super::attention::{joined, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use super::outside::{each, risks_then, Around, Starts};
use crate::analysis::container::{gives_host, host_said, host_tokens};
use crate::facts::container::Kind;

/// One item per registration among the rows looked at that gives its containers more of the host
/// than its family's registration before it in these logs, or, with none before, any.
pub(super) fn given(g: &Gathered, out: &mut Vec<Attention>) {
    let store = g.store;
    let mut started = Starts::default();
    each(g, |(id, r), _, _, before| {
        let (has, had) = risks_then(store, r, before, host_tokens);
        let new: Vec<&String> = has.iter().filter(|t| gives_host(t) && !had.contains(t)).collect();
        if new.is_empty() {
            return;
        }
        let uses = started.of(g, r);
        let created = matches!(store.container.get(r).map(|f| f.kind), Some(Kind::TaskDef { revision: 1, .. }));
        let started_new_family = created && !uses.is_empty();
        let mut a = Around::new(g, (id, r), before, uses);
        if before.is_none() && a.stranger.is_empty() && !started_new_family {
            a.severity = Severity::Medium;
        }
        let network = new.iter().any(|t| *t == "network-root");
        let said: Vec<String> = new.iter().map(|t| host_said(t)).collect();
        let rest: Vec<String> = has.iter().filter(|t| !new.contains(t)).map(|t| host_said(t)).collect();
        out.push(item(g, a, &said, &rest, (created, network)));
    });
}

/// The item of a registration (`a`) whose containers get `new` of the host, beside `rest` its
/// family's registration before it gave too (or the host's network); `created`: revision 1;
/// `network`: among `new`, root on the host's network.
fn item(g: &Gathered, a: Around, new: &[String], rest: &[String], (created, network): (bool, bool)) -> Attention {
    let family = &a.family;
    let also = if rest.is_empty() { String::new() } else { format!(" It also {}.", joined(rest, ", ")) };
    let compared = match a.before_row {
        Some(_) => format!(" The registration of {family} before it in these logs, {}, did not.", a.before),
        None if created => format!(" It is the family's first revision: {family} was created then."),
        None => format!(" No earlier registration of {family} is in these logs to compare with."),
    };
    let network = if network {
        " One that runs as root on the host's network (Security Hub's ECS.1) sees the instance's traffic and \
         reaches what listens only on it."
    } else {
        ""
    };
    let why = format!(
        "{}, gives its containers the host they run on: it {}.{also}{compared}{}{} A container that runs \
         privileged, shares the host's processes, holds such a capability, mounts such a path or is given a disk \
         can take over the instance, and with it the other tasks' credentials, the ECS agent's and the instance \
         role's.{network} Monitoring agents run this way by design; check that this one is one, and who may \
         register task definitions.",
        a.registered,
        joined(new, ", "),
        a.stranger,
        a.started,
    );
    let new_family = if a.before_row.is_none() && created { "New task definition" } else { "Task definition" };
    let title = format!("{new_family} {family} gives its containers the host");
    let last = a.last;
    a.item(g, AttentionKind::TaskDefHostAccess, title, why, last)
}
