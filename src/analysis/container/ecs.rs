//! ECS in the image story: task definitions name images by URI (a tag or a digest); services and
//! tasks name only `family:revision`, so the image that ran is found through the registration, and
//! a tag is resolved to the image it pointed to when the call was made.

use super::report::{EcsItem, ImageUse, RepoRef, UseItem};
use super::who::who;
use super::{items::event_refs, Index};
use crate::facts::container::{parse_image_uri, Kind};
use crate::model::{Millis, Sym};
use crate::store::{Row, Store};

/// An image URI named by a call in account `owner`, resolved to a repository and digest at time
/// `t` when the logs allow.
pub(super) fn image_use(ix: &Index, store: &Store, uri: &str, t: Millis, owner: &str) -> ImageUse {
    let Some(u) = parse_image_uri(uri) else {
        return ImageUse { uri: uri.to_owned(), ..ImageUse::default() };
    };
    // A private registry's URI (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`).
    let repo =
        RepoRef { registry: u.account.to_owned(), region: u.region.to_owned(), name: u.name.to_owned(), public: false };
    // A URI with neither tag nor digest means `latest`.
    let tag = if u.tag.is_empty() && u.digest.is_empty() { "latest" } else { u.tag };
    let (digest, via_tag) = if u.digest.is_empty() {
        let found =
            ix.find_repo(store, &repo).zip(store.strings.lookup(tag)).and_then(|(id, tag)| ix.tag_at(id, tag, t));
        (found.map_or(String::new(), |d| store.str(d).into_owned()), found.is_some())
    } else {
        (u.digest.to_owned(), false)
    };
    let other_account = !owner.is_empty() && u.account != owner;
    ImageUse { uri: uri.to_owned(), repo: Some(repo), tag: tag.to_owned(), digest, via_tag, other_account }
}

/// The images ECS service deployment `r` (a `CreateService`, or an `UpdateService` that started
/// one) runs, resolved at its time as [`item`] does, without the rest of the item.
pub(super) fn service_images(ix: &Index, store: &Store, r: Row) -> Vec<ImageUse> {
    let Some(Kind::Service { family, revision, .. }) = store.container.get(r).map(|f| f.kind) else {
        return Vec::new();
    };
    let t = store.time(r);
    let owner = store.str(store.account(r));
    let found = ix.task_def(store.account(r), store.region(r), family, revision, t, store);
    match found.and_then(|row| store.container.get(row)).map(|f| f.kind) {
        Some(Kind::TaskDef { images, .. }) => {
            uris(store, images).iter().map(|&u| image_use(ix, store, &store.str(u), t, &owner)).collect()
        }
        _ => Vec::new(),
    }
}

/// The image URIs of a task definition, task or image use fact (pairs of URI and repository in the
/// arena).
fn uris(store: &Store, images: crate::facts::container::Span) -> Vec<Sym> {
    store.container.syms(images).chunks_exact(2).map(|p| p[0]).collect()
}

/// One of what a task definition gives its containers of the host (a host token of the fact's
/// `risks`, see `facts::container::ecs`), in words.
pub fn host_said(token: &str) -> String {
    match token.split_once(':') {
        Some(("cap", cap)) => format!("adds capability {cap}"),
        Some(("mount", path)) => format!("mounts the host's {path}"),
        Some(("device", path)) => format!("is given the host's device {path}"),
        _ => match token {
            "privileged" => "runs privileged".to_owned(),
            "pid" => "shares the host's processes (pidMode host)".to_owned(),
            "ipc" => "shares the host's IPC (ipcMode host)".to_owned(),
            "network" => "uses the host's network (networkMode host)".to_owned(),
            "network-root" => "runs as root on the host's network (networkMode host, no other user)".to_owned(),
            other => other.to_owned(),
        },
    }
}

/// Whether one of what a task definition gives its containers of the host (as [`host_said`]
/// takes it) gives them the instance: all but the host's network, which by itself does not.
pub fn gives_host(token: &str) -> bool {
    token != "network"
}

/// The risks of a task definition registration fact (`risks`) that are host access, as the
/// fact keeps them (`privileged`, `mount:/path`...).
pub fn host_tokens(store: &Store, risks: crate::facts::container::Span) -> Vec<String> {
    let tokens = store.container.syms(risks).iter().map(|&t| store.str(t).into_owned());
    tokens.filter(|t| !["env:", "key:", "log:"].iter().any(|p| t.starts_with(p))).collect()
}

/// The risks of a task definition registration fact (`risks`) that are credentials in its
/// environment: the variables' names, and `key:AKIA…`.
pub fn credential_tokens(store: &Store, risks: crate::facts::container::Span) -> Vec<String> {
    let tokens: Vec<String> = store.container.syms(risks).iter().map(|&t| store.str(t).into_owned()).collect();
    credential_tokens_in(&tokens)
}

/// Of a fact's tokens, the credentials: the variables' names (`env:NAME` → `NAME`), and
/// `key:AKIA…`.
pub fn credential_tokens_in(tokens: &[String]) -> Vec<String> {
    let names =
        tokens.iter().filter_map(|t| if t.starts_with("key:") { Some(t.as_str()) } else { t.strip_prefix("env:") });
    names.map(str::to_owned).collect()
}

/// The log drivers a task definition registration fact (`risks`) names (`awslogs`...).
pub fn log_tokens(store: &Store, risks: crate::facts::container::Span) -> Vec<String> {
    let tokens = store.container.syms(risks).iter().map(|&t| store.str(t).into_owned());
    tokens.filter_map(|t| t.strip_prefix("log:").map(str::to_owned)).collect()
}

/// What the task definition registration fact `risks` gives of the host, in words.
fn host_words(store: &Store, risks: crate::facts::container::Span) -> Vec<String> {
    host_tokens(store, risks).iter().map(|t| host_said(t)).collect()
}

/// The credentials a registration's containers hold in their environment (the fact's `secrets`):
/// names, `AWS_ACCESS_KEY_ID` with the key's id.
fn credentials_of(store: &Store, risks: crate::facts::container::Span) -> Vec<String> {
    credential_words(&credential_tokens(store, risks))
}

/// Credentials as [`credential_tokens`] gives them (names, and `key:AKIA…`), in words: the names,
/// `AWS_ACCESS_KEY_ID` with the key's id.
pub fn credential_words(said: &[String]) -> Vec<String> {
    let key = said.iter().find_map(|t| t.strip_prefix("key:"));
    said.iter()
        .filter(|t| !t.starts_with("key:"))
        .map(|n| match key {
            Some(k) if n == "AWS_ACCESS_KEY_ID" => format!("{n} ({k})"),
            _ => n.clone(),
        })
        .collect()
}

/// The item of ECS call `r` (in account `owner`) with only what every call has: the call, who
/// made it, when, how it ended.
fn blank(store: &Store, r: Row, owner: &str) -> EcsItem {
    EcsItem {
        call: store.str(store.name(r)).into_owned(),
        cluster: String::new(),
        service: String::new(),
        task_definition: String::new(),
        images: Vec::new(),
        registration_missing: false,
        scaled_only: false,
        tasks: Vec::new(),
        desired: None,
        detail: String::new(),
        execution_role: String::new(),
        role_override: String::new(),
        host_access: Vec::new(),
        credentials: Vec::new(),
        exec: None,
        who: who(store, r, owner),
        time: store.time(r),
        error_code: store.str(store.error_code(r)).into_owned(),
        events: event_refs(store, &[r], 1).0,
    }
}

/// The ECS call of row `r` as an item of the story, with its images resolved at its time.
pub(super) fn item(ix: &Index, store: &Store, r: Row) -> Option<EcsItem> {
    let f = store.container.get(r)?;
    let t = store.time(r);
    let owner = store.str(store.account(r)).into_owned();
    let mut item = blank(store, r, &owner);

    let mut registration_missing = false;
    let mut host_access = Vec::new();
    let mut td_images = |family: Sym, revision: u32| -> (String, Vec<Sym>) {
        let found = ix.task_def(store.account(r), store.region(r), family, revision, t, store);
        registration_missing = found.is_none();
        let rev = match (revision, found.and_then(|row| store.container.get(row))) {
            (0, Some(crate::facts::container::Fact { kind: Kind::TaskDef { revision, .. }, .. })) => {
                revision.to_string()
            }
            (0, _) => "latest".to_owned(),
            (n, _) => n.to_string(),
        };
        let images = match found.and_then(|row| store.container.get(row)).map(|f| f.kind) {
            Some(Kind::TaskDef { images, risks, .. }) => {
                host_access = host_words(store, risks);
                uris(store, images)
            }
            _ => Vec::new(),
        };
        (format!("{}:{rev}", store.str(family)), images)
    };
    let mut image_syms = Vec::new();
    match f.kind {
        Kind::TaskDef { family, revision, images, exec_role, risks, .. } => {
            item.credentials = credentials_of(store, risks);
            item.task_definition = format!("{}:{revision}", store.str(family));
            store.str(exec_role).as_ref().clone_into(&mut item.execution_role);
            image_syms = uris(store, images);
            item.host_access = host_words(store, risks);
        }
        Kind::TaskDefGone { family, revision } => {
            item.task_definition = format!("{}:{revision}", store.str(family));
        }
        Kind::Service { cluster, service, family, revision, desired, deploys, exec } => {
            item.exec = exec;
            store.str(cluster).as_ref().clone_into(&mut item.cluster);
            store.str(service).as_ref().clone_into(&mut item.service);
            item.desired = desired;
            item.scaled_only = !deploys && item.call == "UpdateService";
            if item.scaled_only {
                // The task definition the service runs, as the response says; its images are what
                // the last deployment resolved, not what its tags name now.
                if !family.is_empty() {
                    item.task_definition = format!("{}:{revision}", store.str(family));
                }
            } else if !family.is_empty() {
                (item.task_definition, image_syms) = td_images(family, revision);
            }
        }
        Kind::Task { cluster, family, revision, tasks, images, overrides, exec, .. } => {
            item.exec = exec.then_some(true);
            store.str(cluster).as_ref().clone_into(&mut item.cluster);
            item.tasks = store.container.syms(tasks).iter().map(|&s| store.str(s).into_owned()).collect();
            if let [role, command, secrets @ ..] = store.container.syms(overrides) {
                store.str(*role).as_ref().clone_into(&mut item.role_override);
                let command = store.str(*command);
                let mut said = Vec::new();
                if !command.is_empty() {
                    said.push(format!("command overridden: {command}"));
                }
                let secrets: Vec<String> = secrets.iter().map(|&t| store.str(t).into_owned()).collect();
                let names = credential_words(&credential_tokens_in(&secrets));
                if !names.is_empty() {
                    said.push(format!("credentials given in its environment: {}", names.join(", ")));
                }
                item.detail = said.join("; ");
            }
            if !family.is_empty() {
                (item.task_definition, image_syms) = td_images(family, revision);
            }
            // The response lists the containers' images when the registration is not in the logs.
            if image_syms.is_empty() {
                image_syms = uris(store, images);
                image_syms.dedup();
            }
        }
        Kind::TaskCall { cluster, task, detail } => {
            store.str(cluster).as_ref().clone_into(&mut item.cluster);
            item.tasks = vec![store.str(task).into_owned()];
            store.str(detail).as_ref().clone_into(&mut item.detail);
        }
        Kind::Cluster { cluster } => store.str(cluster).as_ref().clone_into(&mut item.cluster),
        _ => return None,
    }
    item.images = image_syms.iter().map(|&u| image_use(ix, store, &store.str(u), t, &owner)).collect();
    item.registration_missing = registration_missing;
    if item.host_access.is_empty() {
        item.host_access = host_access;
    }
    Some(item)
}

/// Another service's call naming ECR images (row `r`, an [`Kind::ImageUse`] fact) as an item of
/// the story, with its images resolved at its time.
pub(super) fn use_item(ix: &Index, store: &Store, r: Row) -> Option<UseItem> {
    let Some(Kind::ImageUse { images, name }) = store.container.get(r).map(|f| f.kind) else { return None };
    let t = store.time(r);
    let owner = store.str(store.account(r)).into_owned();
    Some(UseItem {
        service: store.str(store.source(r)).into_owned(),
        call: store.str(store.name(r)).into_owned(),
        name: store.str(name).into_owned(),
        images: uris(store, images).iter().map(|&u| image_use(ix, store, &store.str(u), t, &owner)).collect(),
        who: who(store, r, &owner),
        time: t,
        error_code: store.str(store.error_code(r)).into_owned(),
        events: event_refs(store, &[r], 1).0,
    })
}
