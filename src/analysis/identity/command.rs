//! *Task started with its command replaced*: a `RunTask` or `StartTask`, among the rows looked at,
//! whose `overrides` replace a container's command (and leave its task role as its task definition
//! gives it: another role is *Task started with another role*), by a principal that had not
//! registered, deployed or started the family before in these logs. The task runs that command
//! with its task definition's role and the secrets its definition gives: whoever may start a task
//! runs any code with them, without registering anything. Pipelines that run migrations this way
//! are the family's own registrant or deployer, and are not listed. One item per principal and
//! family, counting the starts; high when the principal is of another account, medium else.

use hashbrown::HashMap;

use super::attention::{Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use super::task_role::{defined_role, more_starts, overriding_starts, role_overridden, starts_item};
use crate::analysis::principal::principal_label;
use crate::facts::container::Kind;
use crate::model::Sym;
use crate::store::Row;
use crate::text::utc;

/// One item per principal and family whose first start among the rows looked at replaced a
/// command and who had not registered, deployed or started that family before.
pub(super) fn replaced(g: &Gathered, out: &mut Vec<Attention>) {
    // (principal, account, region, family) → the starts that replaced a command.
    type Key = (u32, Sym, Sym, Sym);
    let store = g.store;
    let mut groups: HashMap<Key, Vec<(u32, Row)>> = HashMap::new();
    for (id, r, family, role, command) in overriding_starts(g) {
        if !command.is_empty() && !family.is_empty() && !role_overridden(g, r, family, role) {
            groups.entry((g.name_ix(id), store.account(r), store.region(r), family)).or_default().push((id, r));
        }
    }
    for (key, mut starts) in groups {
        starts.sort_by_key(|&(_, r)| (store.time(r), r));
        let (id, first) = starts[0];
        if !known_to(g, g.label(id), first, key.3) {
            out.push(item(g, key.3, &starts));
        }
    }
}

/// Whether principal `label` registered, deployed or started `family` (in start `r`'s account and
/// region) before `r`, in every log loaded.
fn known_to(g: &Gathered, label: &str, r: Row, family: Sym) -> bool {
    let store = g.store;
    let at = (store.time(r), r);
    g.container.ecs.iter().take_while(|&&e| (store.time(e), e) < at).any(|&e| {
        let of_family = match store.container.get(e).map(|f| f.kind) {
            Some(Kind::TaskDef { family: f, .. } | Kind::Service { family: f, .. } | Kind::Task { family: f, .. }) => {
                f == family
            }
            _ => false,
        };
        of_family
            && store.account(e) == store.account(r)
            && store.region(e) == store.region(r)
            && store.error_code(e).is_empty()
            && principal_label(&store.identity(e), &store.strings) == label
    })
}

/// The item of `starts` (oldest first) of tasks of `family` that replaced a command.
fn item(g: &Gathered, family: Sym, starts: &[(u32, Row)]) -> Attention {
    let store = g.store;
    let (id, r) = starts[0];
    let last_row = starts[starts.len() - 1].1;
    let (cluster, revision, command) = match store.container.get(r).map(|f| f.kind) {
        Some(Kind::Task { cluster, revision, overrides, .. }) => {
            let command = store.container.syms(overrides).get(1).map_or(String::new(), |&c| g.str(c).into_owned());
            (g.str(cluster).into_owned(), revision, command)
        }
        _ => (String::new(), 0, String::new()),
    };
    let (defined, td) = defined_role(g, r, family, revision);
    let family = g.str(family).into_owned();
    let with = match defined {
        Some(d) if d.is_empty() => {
            "with no task role (its definition gives none), but with the secrets and network its definition gives"
                .to_owned()
        }
        Some(d) => format!("with its definition's task role {} and the secrets its definition gives", g.str(d)),
        None => "with the task role and secrets of its registration, which is not in these logs".to_owned(),
    };
    let td = if td == 0 { family.clone() } else { format!("{family}:{td}") };
    let who = g.label(id);
    let outsider = store.identity(r).account_id != store.account(r) && !store.identity(r).account_id.is_empty();
    let stranger = if outsider {
        format!(" It is of account {}, not the task's.", g.str(store.identity(r).account_id))
    } else {
        String::new()
    };
    let more = more_starts(starts.len(), &family, "with a command of theirs", store.time(last_row));
    let why = format!(
        "{} of {td} started at {} on cluster {cluster} from {} with {} ran, in place of the image's command: \
         {command}. {who} had not registered, deployed or started {family} before in these logs.{stranger}{more} \
         The task runs it {with}: whoever may start a task runs any code with them, without registering anything.",
        g.str(store.name(r)),
        utc(store.time(r)),
        g.str(store.ip(r)),
        g.client(store.user_agent(r)).label(),
    );
    let kind = (AttentionKind::TaskCommandReplaced, if outsider { Severity::High } else { Severity::Medium });
    let title = format!("Task of {family} started with its command replaced");
    starts_item(kind, (title, why), who, (starts.len(), store.time(r), store.time(last_row)))
}
