//! *Task definition given a new role*: a `RegisterTaskDefinition`, among the rows looked at, whose
//! task role (`taskRoleArn`, the role its containers' code acts with) no earlier registration of
//! the same family (in its account and region, in these logs) gave. Whoever may register a task
//! definition, pass a role to it (`iam:PassRole`) and start it runs code with that role's
//! permissions: a well-known way to more access than one's own. The family's earlier
//! registration must be in these logs, or there is nothing to compare with. The item says what
//! the role's sessions did in the rows looked at. High when a service was then deployed with the
//! revision or a task started from it, or when whoever registered it is of another account;
//! medium else.

use hashbrown::HashMap;

use super::attention::Attention;
use super::attention::{first_write, AttentionKind};
use super::breakdown::{Acc, Gathered};
use super::outside::{each_later, Around, Starts};
use crate::facts::container::Kind;
use crate::model::Sym;
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
    let mut first_use: HashMap<(Sym, Sym, Sym), HashMap<Sym, Row>> = HashMap::new();
    let mut started = Starts::default();
    each_later(g, |(id, r), key, all, before| {
        let role = role_of(r);
        if role.is_empty() {
            return;
        }
        let firsts = first_use.entry(key).or_insert_with(|| {
            let mut m = HashMap::new();
            for &(_, row) in all {
                m.entry(role_of(row)).or_insert(row);
            }
            m
        });
        if firsts.get(&role) == Some(&r) {
            let a = Around::new(g, (id, r), before, started.of(g, r));
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
    let acc = sessions_of(g, &role);
    let did = if acc.events == 0 {
        " The role's sessions made no call in the rows looked at.".to_owned()
    } else {
        format!(
            " The role's sessions made {} in the rows looked at ({}), from {} to {}{}.",
            plural(acc.events, "call", "calls"),
            plural(acc.writes, "write", "writes"),
            utc(acc.first),
            utc(acc.last),
            first_write(g, &acc)
        )
    };
    let family = &a.family;
    let why = format!(
        "{}, gives its tasks role {role}, which no earlier registration of {family} in these logs gave: the last, {}, \
         gave {gave}.{}{}{did} A task's code acts with its task role: whoever may register a task definition and pass \
         a role to it can run code with that role's permissions. Check what the role may do, and who may pass it.",
        a.registered, a.before, a.stranger, a.started,
    );
    let title = format!("Task definition {family} given role {}", role.rsplit('/').next().unwrap_or(&role));
    // To the last start, or the role's sessions' last call.
    let last = if acc.events > 0 { a.last.max(acc.last) } else { a.last };
    a.item(g, AttentionKind::TaskRoleNew, title, why, last)
}
