//! *Task definition given a new role*: a `RegisterTaskDefinition`, among the rows looked at, whose
//! task role (`taskRoleArn`, the role its containers' code acts with) no earlier registration of
//! the same family (in its account and region, in these logs) gave. Whoever may register a task
//! definition, pass a role to it (`iam:PassRole`) and start it runs code with that role's
//! permissions: a well-known way to more access than one's own. The family's earlier
//! registration must be in these logs, or there is nothing to compare with. The item says what
//! the role's sessions did in the rows looked at. High when a service was then deployed with the
//! revision or a task started from it, or when whoever registered it is of another account;
//! medium else.
//!
//! *Task started with another role*: a `RunTask` or `StartTask`, among the rows looked at, whose
//! `overrides` give its tasks a task role other than the one its task definition gives: the same
//! way to another role's permissions, without registering anything. One item per principal,
//! family and role, counting the starts; always high.

use hashbrown::HashMap;

use super::attention::{first_write, seconds, Attention, AttentionKind, Severity};
use super::breakdown::{Acc, Gathered};
use super::outside::{each, Around, Family, Starts};
use crate::analysis::filter::Field;
use crate::facts::container::Kind;
use crate::model::{Millis, Sym};
use crate::store::Row;
use crate::text::{plural, utc};

/// One item per registration among the rows looked at whose task role is new to its family.
pub(super) fn new_role(g: &Gathered, out: &mut Vec<Attention>) {
    let store = g.store;
    let role_of = |r: Row| match store.container.get(r).map(|f| f.kind) {
        Some(Kind::TaskDef { task_role, .. }) => task_role,
        _ => Sym::EMPTY,
    };
    // Per family: the registration that first gave each task role, in revision order.
    let mut first_use: HashMap<Family, HashMap<Sym, Row>> = HashMap::new();
    let mut started = Starts::default();
    each(g, |(id, r), key, all, before| {
        let role = role_of(r);
        // The first registration in these logs has nothing to compare with.
        let Some(before) = before.filter(|_| !role.is_empty()) else { return };
        let firsts = first_use.entry(key).or_insert_with(|| {
            let mut m = HashMap::new();
            for &(_, row) in all {
                m.entry(role_of(row)).or_insert(row);
            }
            m
        });
        if firsts.get(&role) == Some(&r) {
            let a = Around::new(g, (id, r), Some(before), started.of(g, r));
            out.push(item(g, a, role, role_of(before)));
        }
    });
}

/// Whether a session's role, `issuer` (a role ARN), is `role` as a task definition names it: an
/// ARN, or a name.
fn is_role(issuer: &str, role: &str) -> bool {
    issuer == role || (!role.contains(':') && issuer.rsplit('/').next() == Some(role))
}

/// What the sessions of `role` did in the rows looked at.
fn sessions_of(g: &Gathered, role: &str) -> Acc {
    let mut acc = Acc::default();
    for (&id, a) in &g.by_id {
        if is_role(&g.str(g.identity(id).issuer_arn), role) {
            acc.merge(a);
        }
    }
    acc
}

/// The item of a registration (`a`) giving `role`, where the family's registration before gave
/// `before_role`.
fn item(g: &Gathered, a: Around, role: Sym, before_role: Sym) -> Attention {
    let role = g.str(role).into_owned();
    let gave = if before_role.is_empty() { "no task role".to_owned() } else { g.str(before_role).into_owned() };
    let (did, sessions_last) = did(g, &role);
    let family = &a.family;
    let why = format!(
        "{}, gives its tasks role {role}, which no earlier registration of {family} in these logs gave: the last, {}, \
         gave {gave}.{}{}{did} A task's code acts with its task role: whoever may register a task definition and pass \
         a role to it can run code with that role's permissions. Check what the role may do, and who may pass it.",
        a.registered, a.before, a.stranger, a.started,
    );
    let title = format!("Task definition {family} given role {}", role.rsplit('/').next().unwrap_or(&role));
    // To the last start, or the role's sessions' last call.
    let last = sessions_last.map_or(a.last, |t| t.max(a.last));
    a.item(g, AttentionKind::TaskRoleNew, title, why, last)
}

/// What the sessions of `role` did in the rows looked at, said; and the last call's time.
fn did(g: &Gathered, role: &str) -> (String, Option<Millis>) {
    let acc = sessions_of(g, role);
    if acc.events == 0 {
        return (" The role's sessions made no call in the rows looked at.".to_owned(), None);
    }
    let said = format!(
        " The role's sessions made {} in the rows looked at ({}), from {} to {}{}.",
        plural(acc.events, "call", "calls"),
        plural(acc.writes, "write", "writes"),
        utc(acc.first),
        utc(acc.last),
        first_write(g, &acc)
    );
    (said, Some(acc.last))
}

/// One item per principal, family and role for the task starts among the rows looked at that
/// gave their tasks a task role other than their task definition's.
pub(super) fn overridden(g: &Gathered, out: &mut Vec<Attention>) {
    // (principal, account, region, family, role) → the starts, in row order: a pipeline that
    // overrides the role on every run is one item.
    type Key = (u32, Sym, Sym, Sym, Sym);
    let store = g.store;
    let mut groups: HashMap<Key, Vec<(u32, Row)>> = HashMap::new();
    for (id, r, family, role, _) in overriding_starts(g) {
        if role_overridden(g, r, family, role) {
            groups.entry((g.name_ix(id), store.account(r), store.region(r), family, role)).or_default().push((id, r));
        }
    }
    for (key, mut starts) in groups {
        starts.sort_by_key(|&(_, r)| (store.time(r), r));
        out.extend(override_item(g, key.3, key.4, &starts));
    }
}

/// The task starts among the rows looked at that override something: (identity, row, family,
/// role given, command run), each empty when not overridden.
pub(super) fn overriding_starts<'g>(g: &'g Gathered) -> impl Iterator<Item = (u32, Row, Sym, Sym, Sym)> + 'g {
    g.task_runs.iter().filter_map(move |&(id, r)| {
        let Some(Kind::Task { family, overrides, .. }) = g.store.container.get(r).map(|f| f.kind) else { return None };
        let &[role, command, ..] = g.store.container.syms(overrides) else { return None };
        Some((id, r, family, role, command))
    })
}

/// Whether task start `r` of `family` gave its tasks `role`, other than its task definition's.
pub(super) fn role_overridden(g: &Gathered, r: Row, family: Sym, role: Sym) -> bool {
    let revision = match g.store.container.get(r).map(|f| f.kind) {
        Some(Kind::Task { revision, .. }) => revision,
        _ => 0,
    };
    !role.is_empty() && defined_role(g, r, family, revision).0 != Some(role)
}

/// The task role that the task definition task start `r` names (`family`, `revision`) gives,
/// when its registration is in these logs, and its revision.
pub(super) fn defined_role(g: &Gathered, r: Row, family: Sym, revision: u32) -> (Option<Sym>, u32) {
    let store = g.store;
    let registered = g.container.task_def(store.account(r), store.region(r), family, revision, store.time(r), store);
    match registered.and_then(|row| store.container.get(row)).map(|f| f.kind) {
        Some(Kind::TaskDef { task_role, revision, .. }) => (Some(task_role), revision),
        _ => (None, revision),
    }
}

/// The item of `starts` (oldest first) of tasks of `family` given `role` in place of their task
/// definition's.
fn override_item(g: &Gathered, family: Sym, role: Sym, starts: &[(u32, Row)]) -> Option<Attention> {
    let store = g.store;
    let (&(id, r), &(_, last_row)) = (starts.first()?, starts.last()?);
    let Some(Kind::Task { cluster, revision, overrides, .. }) = store.container.get(r).map(|f| f.kind) else {
        return None;
    };
    let (defined, td) = defined_role(g, r, family, revision);
    let command = store.container.syms(overrides).get(1).map_or(String::new(), |&c| g.str(c).into_owned());
    let family = g.str(family).into_owned();
    let role = g.str(role).into_owned();
    let instead = match defined {
        Some(d) if d.is_empty() => "its task definition gives no task role".to_owned(),
        Some(d) => format!("its task definition gives {}", g.str(d)),
        None => "its task definition's registration is not in these logs".to_owned(),
    };
    let td = if td == 0 { family.clone() } else { format!("{family}:{td}") };
    let ran = if command.is_empty() {
        String::new()
    } else {
        format!(" It also ran, in place of the image's command: {command}.")
    };
    let last_start = store.time(last_row);
    let more = more_starts(starts.len(), &family, "with that role", last_start);
    let (did, sessions_last) = did(g, &role);
    let first = store.time(r);
    let last = sessions_last.map_or(last_start, |t| t.max(last_start));
    let why = format!(
        "{} of {td} started at {} on cluster {} from {} with {}, with its task role overridden: {role} ({instead}).\
         {ran}{more}{did} Overriding the task role runs a task definition's code with another role's permissions, \
         without registering anything: whoever may start a task and pass a role gets them. Check what the role may \
         do, and who may pass it.",
        g.str(store.name(r)),
        utc(first),
        g.str(cluster),
        g.str(store.ip(r)),
        g.client(store.user_agent(r)).label(),
    );
    let title = format!("Task of {family} started with role {}", role.rsplit('/').next().unwrap_or(&role));
    let kind = (AttentionKind::TaskRoleOverridden, Severity::High);
    Some(starts_item(kind, (title, why), g.label(id), (starts.len(), first, last)))
}

/// " Then N more starts of `family` `how`, the last at …." after the first of `starts` task
/// starts, the last at `last`; "" for one.
pub(super) fn more_starts(starts: usize, family: &str, how: &str, last: Millis) -> String {
    match starts.saturating_sub(1) {
        0 => String::new(),
        n => format!(
            " Then {} of {family} {how}, the last at {}.",
            plural(n as u64, "more start", "more starts"),
            utc(last)
        ),
    }
}

/// The item of a principal's task starts: `kind` and severity, title and reason, who, and (how
/// many starts, first, last); it narrows the views to ECS's calls.
pub(super) fn starts_item(
    kind: (AttentionKind, Severity),
    (title, why): (String, String),
    who: &str,
    (starts, first, last): (usize, Millis, Millis),
) -> Attention {
    Attention {
        kind: kind.0,
        severity: kind.1,
        title,
        who: who.to_owned(),
        why,
        events: starts as u64,
        first,
        last,
        chips: vec![(Field::Source, "ecs.amazonaws.com".to_owned())],
        range: Some(seconds(first, last)),
    }
}
