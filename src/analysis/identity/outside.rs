//! *Task definition runs an image from a new source*: a `RegisterTaskDefinition`, among the rows
//! looked at, whose containers run an image from a registry that no earlier registration of the
//! same family (in its account and region, in these logs) ran an image from, and that is not the
//! account's own ECR: ECR of another account, ECR Public, Docker Hub, or any other registry. A
//! family's new revision is how a workload's image is swapped: an image from a registry the
//! account's pipelines do not push to is not built by them. High when a service was then deployed
//! with the revision, or a task started from it, or when whoever registered it is of another
//! account; medium else. A family's first revision (revision 1: the family was created then) that
//! runs such an image and was started is one too, how a miner or a foothold is started beside the
//! account's own workloads, but as likely a new service built on a public image: high only when
//! registered from another account. A later revision whose family's earlier ones are not in these
//! logs has nothing to compare with.

use hashbrown::HashMap;

use super::attention::{joined, seconds, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use crate::analysis::container::lifecycle::Service;
use crate::analysis::filter::Field;
use crate::analysis::principal::principal_label;
use crate::facts::container::{parse_image_uri, Kind, Span};
use crate::model::{Millis, Sym};
use crate::store::{Row, Store};
use crate::text::utc;

/// Where an image comes from, as an investigator names a registry: `ECR of account N`,
/// `ECR Public`, `Docker Hub`, or another registry's host.
pub(super) fn source(uri: &str) -> String {
    if let Some(u) = parse_image_uri(uri) {
        return format!("ECR of account {}", u.account);
    }
    let host = uri.split_once('/').map_or("", |(h, _)| h);
    // A first part with no dot or port, other than localhost, is a Docker Hub namespace.
    let is_host = host.contains('.') || host.contains(':') || host == "localhost";
    match host {
        _ if !is_host => "Docker Hub".to_owned(),
        "docker.io" | "registry-1.docker.io" | "index.docker.io" => "Docker Hub".to_owned(),
        "public.ecr.aws" => "ECR Public".to_owned(),
        h => h.to_ascii_lowercase(),
    }
}

/// The image URIs of task definition registration (or other service's write naming images) `r`,
/// each with its source.
pub(super) fn images(store: &Store, r: Row) -> Vec<(String, String)> {
    let Some(Kind::TaskDef { images, .. } | Kind::ImageUse { images, .. }) = store.container.get(r).map(|f| f.kind)
    else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in store.container.syms(images).chunks_exact(2) {
        let uri = store.str(pair[0]).into_owned();
        if !uri.is_empty() && !out.iter().any(|(u, _)| *u == uri) {
            let from = source(&uri);
            out.push((uri, from));
        }
    }
    out
}

/// One item per registration among the rows looked at that runs an image from a source new to
/// its family and outside the account's own ECR: one a family's earlier registrations in these
/// logs did not use, or any, for a family's first revision.
pub(super) fn new_source(g: &Gathered, out: &mut Vec<Attention>) {
    let store = g.store;
    // Per family: the registration that first ran an image from each source, in revision order.
    let mut first_use: HashMap<Family, HashMap<String, Row>> = HashMap::new();
    let mut started = Starts::default();
    each(g, |(id, r), key, all, before| {
        // With no earlier registration in these logs, only a family's first revision tells.
        let created = matches!(store.container.get(r).map(|f| f.kind), Some(Kind::TaskDef { revision: 1, .. }));
        if before.is_none() && !created {
            return;
        }
        let firsts = first_use.entry(key).or_insert_with(|| {
            let mut m = HashMap::new();
            for &(_, row) in all {
                for (_, from) in images(store, row) {
                    m.entry(from).or_insert(row);
                }
            }
            m
        });
        let own = format!("ECR of account {}", store.str(key.0));
        let new: Vec<(String, String)> =
            images(store, r).into_iter().filter(|(_, s)| *s != own && firsts.get(s) == Some(&r)).collect();
        if new.is_empty() {
            return;
        }
        let uses = started.of(g, r);
        // A new family registered and never started is not a workload yet; one started is a
        // new workload, as likely built on a public image as not: high only from another account.
        if before.is_none() && uses.is_empty() {
            return;
        }
        let mut a = Around::new(g, (id, r), before, uses);
        if before.is_none() && a.stranger.is_empty() {
            a.severity = Severity::Medium;
        }
        out.push(item(g, a, &new));
    });
}

/// What `pick` takes of registration `r`'s risks (host access, credentials, log drivers: the
/// fact's `risks`, as `analysis::container` reads them); nothing for another row.
pub(super) fn risks(store: &Store, r: Row, pick: fn(&Store, Span) -> Vec<String>) -> Vec<String> {
    match store.container.get(r).map(|f| f.kind) {
        Some(Kind::TaskDef { risks, .. }) => pick(store, risks),
        _ => Vec::new(),
    }
}

/// What registration `r`, and the one `before` it (none: nothing), hold of the fact's risks, as
/// `pick` reads them: what the task definition items compare.
pub(super) fn risks_then(
    store: &Store,
    r: Row,
    before: Option<Row>,
    pick: fn(&Store, Span) -> Vec<String>,
) -> (Vec<String>, Vec<String>) {
    (risks(store, r, pick), before.map(|b| risks(store, b, pick)).unwrap_or_default())
}

/// A task definition family: account, region, name.
pub(super) type Family = (Sym, Sym, Sym);

/// Calls `judge` with every registration among the rows looked at (identity, row): its family,
/// the family's registrations in these logs in revision order, and the one before it (none for
/// the first).
pub(super) fn each(g: &Gathered, mut judge: impl FnMut((u32, Row), Family, &[(u32, Row)], Option<Row>)) {
    let store = g.store;
    for &(id, r) in &g.task_defs {
        let Some(Kind::TaskDef { family, .. }) = store.container.get(r).map(|f| f.kind) else { continue };
        let key = (store.account(r), store.region(r), family);
        let all = g.container.registrations(key.0, key.1, family);
        let Some(at) = all.iter().position(|&(_, row)| row == r) else { continue };
        let before = at.checked_sub(1).and_then(|i| all.get(i)).map(|&(_, row)| row);
        judge((id, r), key, all, before);
    }
}

/// The ECS services deployed and tasks started, that went through, by the registration they
/// started from: gathered when first asked.
#[derive(Default)]
pub(super) struct Starts(Option<HashMap<Row, Vec<Row>>>);

impl Starts {
    /// The starts from registration `r`, oldest first.
    pub(super) fn of(&mut self, g: &Gathered, r: Row) -> Vec<Row> {
        self.0.get_or_insert_with(|| starts(g)).get(&r).cloned().unwrap_or_default()
    }
}

/// What the items of a registration say around it.
pub(super) struct Around {
    /// The registering identity.
    pub id: u32,
    /// "web:3 (111122223333, us-east-1), registered at … from … with …".
    pub registered: String,
    /// "web:2 at … by …": the family's registration before it in these logs (empty: none).
    pub before: String,
    /// The row of that one.
    pub before_row: Option<Row>,
    /// The family's name.
    pub family: String,
    /// " It is of account …, not the task definition's.", when the registering identity is.
    pub stranger: String,
    /// " Started from it: …." or " No service was deployed with it, …".
    pub started: String,
    /// High when started or registered from another account.
    pub severity: Severity,
    /// The registration's time, and the last start's.
    pub first: Millis,
    pub last: Millis,
    /// The registration and its starts.
    pub events: u64,
}

impl Around {
    /// Around registration `r` by identity `id`, whose family's one before is `before`, started by
    /// `uses`.
    pub(super) fn new(g: &Gathered, (id, r): (u32, Row), before: Option<Row>, uses: Vec<Row>) -> Around {
        let store = g.store;
        let revision_of = |row: Row| match store.container.get(row).map(|f| f.kind) {
            Some(Kind::TaskDef { revision, .. }) => revision,
            _ => 0,
        };
        let family = match store.container.get(r).map(|f| f.kind) {
            Some(Kind::TaskDef { family, .. }) => g.str(family).into_owned(),
            _ => String::new(),
        };
        let account = g.str(store.account(r)).into_owned();
        let who_account = g.identity(id).account_id;
        let outsider = !who_account.is_empty() && *g.str(who_account) != *account;
        let said: Vec<String> = uses.iter().map(|&u| start_said(g, u)).collect();
        let first = store.time(r);
        Around {
            id,
            registered: format!(
                "{family}:{} ({account}, {}), registered at {} from {} with {}",
                revision_of(r),
                g.str(store.region(r)),
                utc(first),
                g.str(store.ip(r)),
                g.client(store.user_agent(r)).label(),
            ),
            before: before.map_or(String::new(), |b| {
                format!(
                    "{family}:{} at {} by {}",
                    revision_of(b),
                    utc(store.time(b)),
                    principal_label(&store.identity(b), &store.strings)
                )
            }),
            before_row: before,
            stranger: if outsider {
                format!(" It is of account {}, not the task definition's.", g.str(who_account))
            } else {
                String::new()
            },
            started: if said.is_empty() {
                " No service was deployed with it, and no task started from it, in these logs.".to_owned()
            } else {
                format!(" Started from it: {}.", joined(&said, "; "))
            },
            severity: if outsider || !uses.is_empty() { Severity::High } else { Severity::Medium },
            first,
            last: uses.iter().map(|&u| store.time(u)).max().unwrap_or(first).max(first),
            events: 1 + uses.len() as u64,
            family,
        }
    }

    /// The item of kind `kind` with `title` and `why`, from the registration to `last`.
    pub(super) fn item(self, g: &Gathered, kind: AttentionKind, title: String, why: String, last: Millis) -> Attention {
        Attention {
            kind,
            severity: self.severity,
            title,
            who: g.label(self.id).to_owned(),
            why,
            events: self.events,
            first: self.first,
            last,
            chips: vec![(Field::Source, "ecs.amazonaws.com".to_owned())],
            range: Some(seconds(self.first, last)),
        }
    }
}

/// Every service deployment and task start that went through, by the registration of the task
/// definition it started from.
fn starts(g: &Gathered) -> HashMap<Row, Vec<Row>> {
    let store = g.store;
    let mut out: HashMap<Row, Vec<Row>> = HashMap::new();
    for &r in g.container.ecs.iter().filter(|&&r| store.error_code(r).is_empty()) {
        let Some(Kind::Service { family, revision, deploys: true, .. } | Kind::Task { family, revision, .. }) =
            store.container.get(r).map(|f| f.kind)
        else {
            continue;
        };
        if family.is_empty() {
            continue;
        }
        let from = g.container.task_def(store.account(r), store.region(r), family, revision, store.time(r), store);
        if let Some(td) = from {
            out.entry(td).or_default().push(r);
        }
    }
    for v in out.values_mut() {
        v.sort_by_key(|&r| (store.time(r), r));
    }
    out
}

/// "service web of cluster prod (`UpdateService` at … by …)" as the other items name a service
/// deployment, "a task on cluster prod (`RunTask` at … by …)".
pub(super) fn start_said(g: &Gathered, r: Row) -> String {
    let store = g.store;
    match store.container.get(r).map(|f| f.kind) {
        Some(Kind::Service { service, cluster, .. }) => {
            super::expired::service_said(g, &Service { cluster, service, deployed: r })
        }
        Some(Kind::Task { cluster, .. }) => format!(
            "a task on cluster {} ({} at {} by {})",
            g.str(cluster),
            g.str(store.name(r)),
            utc(store.time(r)),
            principal_label(&store.identity(r), &store.strings)
        ),
        _ => String::new(),
    }
}

/// The item of a registration (`a`) whose images `new` come from sources its family's earlier
/// registrations did not use.
fn item(g: &Gathered, a: Around, new: &[(String, String)]) -> Attention {
    let mut sources: Vec<&str> = Vec::new();
    for (_, s) in new {
        if !sources.contains(&s.as_str()) {
            sources.push(s);
        }
    }
    let told: Vec<String> = new.iter().map(|(u, s)| format!("{u} ({s})")).collect();
    let family = &a.family;
    let compared = match a.before_row {
        Some(before) => {
            let ran: Vec<String> = images(g.store, before).into_iter().map(|(u, _)| u).collect();
            let ran = if ran.is_empty() { "no image these logs name".to_owned() } else { joined(&ran, ", ") };
            format!(
                "No earlier registration of {family} in these logs ran an image from {}: the last, {}, ran {ran}.",
                if sources.len() == 1 { "there" } else { "these sources" },
                a.before
            )
        }
        None => format!("It is the family's first revision: {family} was created then."),
    };
    let why = format!(
        "{}, runs {}. {compared}{}{} An image from outside the account's registry is not built by its pipelines: \
         check where it comes from, and who may register task definitions.",
        a.registered,
        joined(&told, ", "),
        a.stranger,
        a.started,
    );
    let new_family = if a.before_row.is_none() { "New task definition" } else { "Task definition" };
    let title = format!("{new_family} {family} runs an image from {}", joined(&sources, ", "));
    let last = a.last;
    a.item(g, AttentionKind::ImageFromNewSource, title, why, last)
}
