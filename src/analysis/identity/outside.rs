//! *Task definition runs an image from a new source*: a `RegisterTaskDefinition`, among the rows
//! looked at, whose containers run an image from a registry that no earlier registration of the
//! same family (in its account and region, in these logs) ran an image from, and that is not the
//! account's own ECR: ECR of another account, ECR Public, Docker Hub, or any other registry. A
//! family's new revision is how a workload's image is swapped: an image from a registry the
//! account's pipelines do not push to is not built by them. The family's earlier registration must
//! be in these logs, or there is nothing to compare with. High when a service was then deployed
//! with the revision, or a task started from it, or when whoever registered it is of another
//! account; medium else.

use hashbrown::HashMap;

use super::attention::{joined, seconds, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use crate::analysis::filter::Field;
use crate::analysis::principal::principal_label;
use crate::facts::container::{parse_image_uri, Kind};
use crate::model::Sym;
use crate::store::{Row, Store};
use crate::text::utc;

/// Where an image comes from, as an investigator names a registry: `ECR of account N (region)`,
/// `ECR Public`, `Docker Hub`, or another registry's host.
fn source(uri: &str) -> String {
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

/// The image URIs of task definition registration `r`, each with its source.
fn images(store: &Store, r: Row) -> Vec<(String, String)> {
    let Some(Kind::TaskDef { images, .. }) = store.container.get(r).map(|f| f.kind) else { return Vec::new() };
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
/// its family and outside the account's own ECR.
pub(super) fn new_source(g: &Gathered, out: &mut Vec<Attention>) {
    let store = g.store;
    // Per family (account, region, name): the registration that first ran an image from each
    // source, in revision order.
    let mut first_use: HashMap<(Sym, Sym, Sym), HashMap<String, Row>> = HashMap::new();
    // The ECS services deployed and tasks started, that went through, by what they started from.
    let mut started: Option<HashMap<Row, Vec<Row>>> = None;
    for &(id, r) in &g.task_defs {
        let Some(Kind::TaskDef { family, revision, .. }) = store.container.get(r).map(|f| f.kind) else { continue };
        let key = (store.account(r), store.region(r), family);
        let all = g.container.registrations(key.0, key.1, family);
        // The family's registration before this one; the first has nothing to compare with.
        let Some(at) = all.iter().position(|&(_, row)| row == r) else { continue };
        let Some(&(_, before)) = at.checked_sub(1).and_then(|i| all.get(i)) else { continue };
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
            continue;
        }
        let started = started.get_or_insert_with(|| starts(g));
        let uses = started.get(&r).map_or(&[][..], Vec::as_slice);
        out.push(item(g, (id, r), (family, revision), before, &new, uses));
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

/// "service web of cluster prod (`UpdateService` at … by …)", "a task on cluster prod (`RunTask`
/// at … by …)".
fn start_said(g: &Gathered, r: Row) -> String {
    let store = g.store;
    let by = format!(
        "({} at {} by {})",
        g.str(store.name(r)),
        utc(store.time(r)),
        principal_label(&store.identity(r), &store.strings)
    );
    match store.container.get(r).map(|f| f.kind) {
        Some(Kind::Service { service, cluster, .. }) => {
            format!("service {} of cluster {} {by}", g.str(service), g.str(cluster))
        }
        Some(Kind::Task { cluster, .. }) => format!("a task on cluster {} {by}", g.str(cluster)),
        _ => by,
    }
}

/// The item of registration `r` (by identity `id`) of `family:revision`, whose images `new` come
/// from sources its earlier registrations (the last `before`) did not use, started by `uses`.
fn item(
    g: &Gathered,
    (id, r): (u32, Row),
    (family, revision): (Sym, u32),
    before: Row,
    new: &[(String, String)],
    uses: &[Row],
) -> Attention {
    let store = g.store;
    let family = g.str(family).into_owned();
    let account = g.str(store.account(r)).into_owned();
    let region = g.str(store.region(r)).into_owned();
    let who_account = g.identity(id).account_id;
    let outsider = !who_account.is_empty() && *g.str(who_account) != *account;
    let mut sources: Vec<&str> = Vec::new();
    for (_, s) in new {
        if !sources.contains(&s.as_str()) {
            sources.push(s);
        }
    }
    let told: Vec<String> = new.iter().map(|(u, s)| format!("{u} ({s})")).collect();
    let before_revision = match store.container.get(before).map(|f| f.kind) {
        Some(Kind::TaskDef { revision, .. }) => revision,
        _ => 0,
    };
    let ran: Vec<String> = images(store, before).into_iter().map(|(u, _)| u).collect();
    let ran = if ran.is_empty() { "no image these logs name".to_owned() } else { joined(&ran, ", ") };
    let stranger = if outsider {
        format!(" It is of account {}, not the task definition's.", g.str(who_account))
    } else {
        String::new()
    };
    let started: Vec<String> = uses.iter().map(|&u| start_said(g, u)).collect();
    let deployed = if started.is_empty() {
        " No service was deployed with it, and no task started from it, in these logs.".to_owned()
    } else {
        format!(" Started from it: {}.", joined(&started, "; "))
    };
    let why = format!(
        "{family}:{revision} ({account}, {region}), registered at {} from {} with {}, runs {}. No earlier registration \
         of {family} in these logs ran an image from {}: the last, {family}:{before_revision} at {} by {}, ran {ran}.\
         {stranger}{deployed} An image from outside the account's registry is not built by its pipelines: check \
         where it comes from, and who may register task definitions.",
        utc(store.time(r)),
        g.str(store.ip(r)),
        g.client(store.user_agent(r)).label(),
        joined(&told, ", "),
        if sources.len() == 1 { "there".to_owned() } else { "these sources".to_owned() },
        utc(store.time(before)),
        principal_label(&store.identity(before), &store.strings),
    );
    let first = store.time(r);
    let last = uses.iter().map(|&u| store.time(u)).max().unwrap_or(first).max(first);
    Attention {
        kind: AttentionKind::ImageFromNewSource,
        severity: if outsider || !uses.is_empty() { Severity::High } else { Severity::Medium },
        title: format!("Task definition {family} runs an image from {}", joined(&sources, ", ")),
        who: g.label(id).to_owned(),
        why,
        events: 1 + uses.len() as u64,
        first,
        last,
        chips: vec![(Field::Source, "ecs.amazonaws.com".to_owned())],
        range: Some(seconds(first, last)),
    }
}
