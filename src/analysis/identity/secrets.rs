//! *Task definition holds credentials*: a `RegisterTaskDefinition`, among the rows looked at,
//! whose containers hold credentials in plain environment variables (`AWS_SECRET_ACCESS_KEY`, a
//! name with `PASSWORD` or `SECRET`...: see `facts::container::ecs`) that the family's
//! registration before it in these logs did not, or any, with none before. ECS: environment
//! variables of a task definition are readable by whoever may call `DescribeTaskDefinition`; and
//! the registration wrote them into this very log: they are exposed. High for AWS credentials
//! (an access key's secret, a session token, the agent's registry credentials); medium else. When
//! the access key's id is given, the item says what the key signed in the rows looked at.
//!
//! *Task started with credentials in plain text*: a `RunTask` or `StartTask`, among the rows looked
//! at, whose `overrides.containerOverrides[].environment` give its containers such credentials.
//! The start wrote them into this very log, and the task's description (`DescribeTasks`) shows
//! its overrides to whoever may read it: they are exposed, as a registration's are. One item per
//! principal and family, counting the starts; high for AWS credentials, medium else.

use hashbrown::HashMap;

use super::attention::{first_write, joined, list, Attention, AttentionKind, Severity};
use super::breakdown::{Acc, Gathered};
use super::outside::{each, risks_then, Around, Starts};
use super::task_role::{more_starts, starts_item};
use crate::analysis::container::{credential_tokens, credential_tokens_in, credential_words};
use crate::analysis::principal::principal_label;
use crate::facts::container::Kind;
use crate::facts::iam::Act;
use crate::model::Sym;
use crate::store::Row;
use crate::text::{plural, utc};

/// Names whose value is an AWS credential, not only a secret of the application's.
const AWS_SECRETS: [&str; 3] = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ECS_ENGINE_AUTH_DATA"];

/// One item per registration among the rows looked at that holds credentials its family's
/// registration before it in these logs did not (any, with none before).
pub(super) fn in_environment(g: &Gathered, out: &mut Vec<Attention>) {
    let store = g.store;
    let mut started = Starts::default();
    each(g, |(id, r), _, _, before| {
        // Its environment's names, and `key:AKIA…`.
        let (has, had) = risks_then(store, r, before, credential_tokens);
        if has.iter().all(|t| had.contains(t)) {
            return;
        }
        let mut a = Around::new(g, (id, r), before, started.of(g, r));
        let aws = has.iter().any(|t| AWS_SECRETS.contains(&t.as_str()));
        a.severity = if aws { Severity::High } else { Severity::Medium };
        out.push(item(g, a, &has));
    });
}

/// One item per principal and family whose task starts among the rows looked at gave containers
/// credentials in plain environment variables.
pub(super) fn at_start(g: &Gathered, out: &mut Vec<Attention>) {
    // (principal, account, region, family) → the starts, each with the credentials it gave.
    type Key = (u32, Sym, Sym, Sym);
    let store = g.store;
    let mut groups: HashMap<Key, Vec<(u32, Row, Vec<String>)>> = HashMap::new();
    for &(id, r) in &g.task_runs {
        let Some(Kind::Task { family, overrides, .. }) = store.container.get(r).map(|f| f.kind) else { continue };
        // The overrides' tokens after the task role and the commands.
        let tokens: Vec<String> =
            store.container.syms(overrides).iter().skip(2).map(|&t| store.str(t).into_owned()).collect();
        let has = credential_tokens_in(&tokens);
        if !has.is_empty() {
            groups.entry((g.name_ix(id), store.account(r), store.region(r), family)).or_default().push((id, r, has));
        }
    }
    for (key, mut starts) in groups {
        starts.sort_by_key(|&(_, r, _)| (store.time(r), r));
        out.push(start_item(g, key.3, &starts));
    }
}

/// The item of `starts` (oldest first, each with the credentials it gave) of tasks of `family`.
fn start_item(g: &Gathered, family: Sym, starts: &[(u32, Row, Vec<String>)]) -> Attention {
    let store = g.store;
    let (id, r, _) = starts[0];
    let last_row = starts[starts.len() - 1].1;
    let (cluster, revision) = match store.container.get(r).map(|f| f.kind) {
        Some(Kind::Task { cluster, revision, .. }) => (g.str(cluster).into_owned(), revision),
        _ => (String::new(), 0),
    };
    let family = g.str(family).into_owned();
    let td = if revision == 0 { family.clone() } else { format!("{family}:{revision}") };
    // Every start's credentials, each once, in the order first given.
    let mut has: Vec<String> = Vec::new();
    for t in starts.iter().flat_map(|(_, _, h)| h) {
        if !has.contains(t) {
            has.push(t.clone());
        }
    }
    let key = has.iter().find_map(|t| t.strip_prefix("key:"));
    let used = key.map_or(String::new(), |k| key_use(g, k));
    let more = more_starts(starts.len(), &family, "by them gave credentials so", store.time(last_row));
    let why = format!(
        "{} of {td} started at {} on cluster {cluster} from {} with {} gave its containers credentials in plain \
         environment variables: {}.{more}{used} A task start's overrides are written into CloudTrail, and the \
         task's description (ecs:DescribeTasks) shows them: treat these as exposed, rotate them, and pass secrets \
         through the container definition's secrets (Secrets Manager, Parameter Store).",
        g.str(store.name(r)),
        utc(store.time(r)),
        g.str(store.ip(r)),
        g.client(store.user_agent(r)).label(),
        joined(&credential_words(&has), ", "),
    );
    let aws = has.iter().any(|t| AWS_SECRETS.contains(&t.as_str()));
    let kind = (AttentionKind::TaskStartCredentials, if aws { Severity::High } else { Severity::Medium });
    let title = format!("Task of {family} started with credentials");
    starts_item(kind, (title, why), g.label(id), (starts.len(), store.time(r), store.time(last_row)))
}

/// What the access key with id `key` signed in the rows looked at, said.
fn key_use(g: &Gathered, key: &str) -> String {
    let mut acc = Acc::default();
    let mut principals: Vec<String> = Vec::new();
    for (&id, a) in &g.by_id {
        if *g.str(g.identity(id).access_key) == *key {
            acc.merge(a);
            let label = g.label(id).to_owned();
            if !principals.contains(&label) {
                principals.push(label);
            }
        }
    }
    let made = made(g, key);
    if acc.events == 0 {
        return format!("{made} Key {key} signed no call in the rows looked at.");
    }
    let mut addresses: Vec<String> =
        g.key_ips.iter().filter(|(k, _)| *g.str(*k) == *key).map(|(_, ip)| g.str(*ip).into_owned()).collect();
    addresses.sort();
    format!(
        "{made} Key {key} ({}) signed {} in the rows looked at ({}), from {} to {}, from {}{}.",
        joined(&principals, ", "),
        plural(acc.events, "call", "calls"),
        plural(acc.writes, "write", "writes"),
        utc(acc.first),
        utc(acc.last),
        list(&addresses),
        first_write(g, &acc),
    )
}

/// " Key … was made for user/svc at … by … (`CreateAccessKey`).", when a call in these logs that
/// went through made it.
fn made(g: &Gathered, key: &str) -> String {
    let store = g.store;
    let Some(k) = store.strings.lookup(key) else { return String::new() };
    let found =
        store.iam.all().iter().find(|c| c.act == Act::KeyMade && c.detail == k && store.error_code(c.row).is_empty());
    found.map_or(String::new(), |c| {
        let whose =
            if c.subject.is_empty() { "its maker's own user".to_owned() } else { g.str(c.subject).into_owned() };
        format!(
            " Key {key} was made for {whose} at {} by {} (CreateAccessKey).",
            utc(store.time(c.row)),
            principal_label(&store.identity(c.row), &store.strings)
        )
    })
}

/// The item of a registration (`a`) whose containers hold `has` in their environment.
fn item(g: &Gathered, a: Around, has: &[String]) -> Attention {
    let family = &a.family;
    let key = has.iter().find_map(|t| t.strip_prefix("key:"));
    let names = credential_words(has);
    let compared = match a.before_row {
        Some(_) => format!(" The registration of {family} before it in these logs, {}, held less.", a.before),
        None => String::new(),
    };
    let used = key.map_or(String::new(), |k| key_use(g, k));
    let why = format!(
        "{}, holds credentials in plain environment variables: {}.{compared}{}{}{used} A task definition's environment \
         is readable by whoever may call ecs:DescribeTaskDefinition, and the registration wrote it into CloudTrail: \
         treat these as exposed, rotate them, and pass secrets through the container definition's secrets (Secrets \
         Manager, Parameter Store).",
        a.registered,
        joined(&names, ", "),
        a.stranger,
        a.started,
    );
    let title = format!("Task definition {family} holds credentials");
    let last = a.last;
    a.item(g, AttentionKind::TaskDefCredentials, title, why, last)
}
