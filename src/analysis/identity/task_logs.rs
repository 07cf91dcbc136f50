//! *Task definition stops sending logs*: a `RegisterTaskDefinition`, among the rows looked at,
//! whose containers name no log driver (`logConfiguration`'s `awslogs`, `FireLens`, Splunk...: none
//! given, or `none`) where the family's registration before it in these logs named one. The
//! containers' output then stays on the instance (`Fargate` keeps none of it), or goes nowhere:
//! whoever swaps a workload for their own can have it leave no trace in the account's logs this
//! way. High when a service was then deployed with the revision or a task started from it, or
//! when whoever registered it is of another account; medium else.

use super::attention::{joined, Attention, AttentionKind};
use super::breakdown::Gathered;
use super::outside::{each, risks_then, Around, Starts};
use crate::analysis::container::log_tokens;

/// One item per registration among the rows looked at that names no log driver where its
/// family's registration before it named one.
pub(super) fn dropped(g: &Gathered, out: &mut Vec<Attention>) {
    let store = g.store;
    let mut started = Starts::default();
    each(g, |(id, r), _, _, before| {
        let Some(before) = before else { return };
        // The log drivers its containers, and those of the registration before, name.
        let (has, had) = risks_then(store, r, Some(before), log_tokens);
        if had.is_empty() || !has.is_empty() {
            return;
        }
        let a = Around::new(g, (id, r), Some(before), started.of(g, r));
        let why = format!(
            "{}, names no log driver for its containers: the registration of {} before it in these logs, {}, sent \
             their output to {}.{}{} Without one a container's output stays on the instance (Fargate keeps none of \
             it), or with none goes nowhere: what the workload does then leaves no trace in the account's logs. \
             Check why its logging was dropped.",
            a.registered,
            a.family,
            a.before,
            joined(&had, ", "),
            a.stranger,
            a.started,
        );
        let title = format!("Task definition {} stops sending logs", a.family);
        let last = a.last;
        out.push(a.item(g, AttentionKind::TaskDefLogsDropped, title, why, last));
    });
}
