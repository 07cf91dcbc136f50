//! *Workload given an image from another account*: another service's write, among the rows looked
//! at, that names an ECR image for something that runs it (a Lambda function's code, a Batch job
//! definition, a `CodeBuild` project's build image...), from another account's registry that no
//! earlier write for the same thing (its account, region, service and name, in these logs) named
//! an image from. Swapping a function's image for one in a registry the attacker holds keeps code
//! running in the account with the function's role: a known way to persist (Stratus Red Team's
//! "overwrite Lambda function code" does it with a zip). High when the thing named images from
//! elsewhere before (a swap) or whoever made the call is of another account. A Lambda function
//! with no earlier write in these logs counts too (medium): Lambda runs no image of AWS's own
//! accounts, so another account's is as rare there as it is telling. Other services' first writes
//! do not: `SageMaker` and Batch run AWS's own images from AWS's accounts every day.

use hashbrown::HashMap;

use super::attention::{joined, seconds, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use super::outside::images;
use crate::analysis::filter::Field;
use crate::analysis::principal::principal_label;
use crate::facts::container::Kind;
use crate::model::Sym;
use crate::store::{Row, Store};
use crate::text::{plural, utc};

/// What uses images: account, region, service (`eventSource`), name.
type Key = (Sym, Sym, Sym, String);

const LAMBDA: &str = "lambda.amazonaws.com";

/// The name of what write `r` gives images to, as people name it: a Lambda function by its name
/// (its `functionName` may be its ARN, with a version or alias).
fn name_of(store: &Store, r: Row) -> String {
    let Some(Kind::ImageUse { name, .. }) = store.container.get(r).map(|f| f.kind) else { return String::new() };
    let name = store.str(name);
    match name.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest).to_owned(),
        None => name.into_owned(),
    }
}

/// What a service's writes give images to, in words: named ("Lambda function"), and as a noun
/// ("function").
fn what(source: &str) -> (String, &'static str) {
    match source {
        LAMBDA => ("Lambda function".to_owned(), "function"),
        "batch.amazonaws.com" => ("Batch job definition".to_owned(), "job definition"),
        "codebuild.amazonaws.com" => ("CodeBuild project".to_owned(), "project"),
        "apprunner.amazonaws.com" => ("App Runner service".to_owned(), "service"),
        "sagemaker.amazonaws.com" => ("SageMaker resource".to_owned(), "resource"),
        other => (format!("{} resource", other.strip_suffix(".amazonaws.com").unwrap_or(other)), "resource"),
    }
}

/// One item per write among the rows looked at that names an image from another account's ECR
/// that the earlier writes for the same thing in these logs did not (a Lambda function's first
/// too).
pub(super) fn new_source(g: &Gathered, out: &mut Vec<Attention>) {
    if g.image_uses.is_empty() {
        return;
    }
    let store = g.store;
    // Every write that went through, by what it gives images to, oldest first (the index's order).
    let mut by_key: HashMap<Key, Vec<Row>> = HashMap::new();
    for &r in g.container.uses.iter().filter(|&&r| store.error_code(r).is_empty()) {
        let name = name_of(store, r);
        if !name.is_empty() {
            by_key.entry((store.account(r), store.region(r), store.source(r), name)).or_default().push(r);
        }
    }
    for &(id, r) in &g.image_uses {
        let key = (store.account(r), store.region(r), store.source(r), name_of(store, r));
        let Some(all) = by_key.get(&key) else { continue };
        let Some(at) = all.iter().position(|&x| x == r) else { continue };
        let earlier = &all[..at];
        let own = format!("ECR of account {}", store.str(key.0));
        let known: Vec<String> = earlier.iter().flat_map(|&e| images(store, e)).map(|(_, s)| s).collect();
        let new: Vec<(String, String)> =
            images(store, r).into_iter().filter(|(_, s)| *s != own && !known.contains(s)).collect();
        if new.is_empty() || (earlier.is_empty() && *store.str(key.2) != *LAMBDA) {
            continue;
        }
        out.push(item(g, (id, r), &key.3, &new, earlier.last().copied(), earlier.len()));
    }
}

/// The item of write `r` by identity `id` giving `name` the images `new`; `before`, the last of
/// the `n` earlier writes for it in these logs.
fn item(
    g: &Gathered,
    (id, r): (u32, Row),
    name: &str,
    new: &[(String, String)],
    before: Option<Row>,
    n: usize,
) -> Attention {
    let store = g.store;
    let account = g.str(store.account(r)).into_owned();
    let who_account = g.identity(id).account_id;
    let outsider = !who_account.is_empty() && *g.str(who_account) != *account;
    let (what, noun) = what(&g.str(store.source(r)));
    let mut sources: Vec<&str> = Vec::new();
    for (_, s) in new {
        if !sources.contains(&s.as_str()) {
            sources.push(s);
        }
    }
    let told: Vec<String> = new.iter().map(|(u, s)| format!("{u} ({s})")).collect();
    let accounts: Vec<&str> = sources.iter().map(|s| s.strip_prefix("ECR of account ").unwrap_or(s)).collect();
    let compared = match before {
        Some(b) => {
            let named: Vec<String> = images(store, b).into_iter().map(|(u, _)| u).collect();
            format!(
                " The {} for it in these logs named no image from {}: the last, {} at {} by {}, named {}.",
                plural(n as u64, "earlier write", "earlier writes"),
                if sources.len() == 1 { "there" } else { "these registries" },
                g.str(store.name(b)),
                utc(store.time(b)),
                principal_label(&store.identity(b), &store.strings),
                joined(&named, ", "),
            )
        }
        None => " It is the first write naming an image for it in these logs.".to_owned(),
    };
    let stranger = if outsider {
        format!(" The caller is of account {}, not the {noun}'s.", g.str(who_account))
    } else {
        String::new()
    };
    let runs = if *g.str(store.source(r)) == *LAMBDA {
        " Lambda runs the new image from the next invocation (invocations are data events, not in management logs)."
    } else {
        ""
    };
    let first = store.time(r);
    let why = format!(
        "{what} {name} ({account}, {}), {} at {} from {} with {}, names {}.{compared}{stranger}{runs} An image in \
         another account's registry is not built by this account's pipelines, and whoever holds that registry \
         decides what runs, with the {noun}'s role: check whose account it is, and who may change the {noun}.",
        g.str(store.region(r)),
        g.str(store.name(r)),
        utc(first),
        g.str(store.ip(r)),
        g.client(store.user_agent(r)).label(),
        joined(&told, ", "),
    );
    Attention {
        kind: AttentionKind::WorkloadImageFromOutside,
        severity: if before.is_some() || outsider { Severity::High } else { Severity::Medium },
        // Only ECR images are read here: the account says whose registry (a short title fits a card).
        title: format!("{what} {name} runs an image of account {}", joined(&accounts, ", ")),
        who: g.label(id).to_owned(),
        why,
        events: 1,
        first,
        last: first,
        chips: vec![(Field::Source, g.str(store.source(r)).into_owned())],
        range: Some(seconds(first, first)),
    }
}
