//! *Task definition holds credentials*: a `RegisterTaskDefinition`, among the rows looked at,
//! whose containers hold credentials in plain environment variables (`AWS_SECRET_ACCESS_KEY`, a
//! name with `PASSWORD` or `SECRET`...: see `facts::container::ecs`) that the family's
//! registration before it in these logs did not, or any, with none before. ECS: environment
//! variables of a task definition are readable by whoever may call `DescribeTaskDefinition`; and
//! the registration wrote them into this very log: they are exposed. High for AWS credentials
//! (an access key's secret, a session token, the agent's registry credentials); medium else. When
//! the access key's id is given, the item says what the key signed in the rows looked at.

use super::attention::{first_write, joined, list, Attention, AttentionKind, Severity};
use super::breakdown::{Acc, Gathered};
use super::outside::{each, risks_then, Around, Starts};
use crate::analysis::container::{credential_tokens, credential_words};
use crate::analysis::principal::principal_label;
use crate::facts::iam::Act;
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
