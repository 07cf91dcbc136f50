//! Who came in through a repository policy that let other accounts in: after `SetRepositoryPolicy`
//! opened a repository, the pulls from it and pushes to it that went through, made by principals
//! of another account than the registry's, until a policy that lets no one outside in, a
//! `DeleteRepositoryPolicy` or a `DeleteRepository` set it back. The question after "who opened
//! it" is "who took the images".

use hashbrown::HashMap;

use super::attention::{list, when};
use super::breakdown::Gathered;
use crate::analysis::container::report::Outcome;
use crate::analysis::container::RepoId;
use crate::analysis::principal::principal_label;
use crate::facts::container::{Exposure, Kind};
use crate::model::{Millis, Sym};
use crate::store::Row;
use crate::text::plural;

/// Principals named in one item; more are counted.
const MAX_OUTSIDERS: usize = 5;

/// What one principal of another account did in the repository.
struct Outsider {
    who: String,
    pulls: usize,
    pushes: usize,
    images: Vec<Sym>,
    addresses: Vec<String>,
    first: Millis,
    last: Millis,
}

/// Who of another account pulled from or pushed to the repository the opening calls ending with
/// row `latest` (the first at `from`) opened, as a sentence for the item's reason, and whether
/// anyone did.
pub(super) fn came_in(g: &Gathered, from: Millis, latest: Row) -> (String, bool) {
    let (store, ix) = (g.store, g.container);
    let Some(&(id, _)) = ix.repo_events.iter().find(|&&(_, e)| e == latest) else { return (String::new(), false) };
    let (until, closer) = closed(g, id, latest);
    let owner = ix.repos[id as usize].registry;
    let outside = |actor: u32| {
        let account = store.identity_by_id(actor).account_id;
        !account.is_empty() && account != owner
    };
    let within = |t: Millis| t >= from && until.is_none_or(|u| t < u);
    // By principal name: several keys of one principal are one line.
    let mut by: HashMap<String, Outsider> = HashMap::new();
    let mut add = |actor: u32, t: Millis, row: Row, images: &[Sym], pull: bool| {
        let who = principal_label(&store.identity_by_id(actor), &store.strings);
        let o = by.entry(who.clone()).or_insert_with(|| Outsider {
            who,
            pulls: 0,
            pushes: 0,
            images: Vec::new(),
            addresses: Vec::new(),
            first: t,
            last: t,
        });
        if pull {
            o.pulls += 1;
        } else {
            o.pushes += 1;
        }
        for &d in images.iter().filter(|d| !d.is_empty()) {
            if !o.images.contains(&d) {
                o.images.push(d);
            }
        }
        let ip = store.str(store.ip(row)).into_owned();
        if !o.addresses.contains(&ip) {
            o.addresses.push(ip);
        }
        (o.first, o.last) = (o.first.min(t), o.last.max(t));
    };
    for p in ix.pulls.iter().filter(|p| p.repo == id && p.outcome == Outcome::Ok && within(p.start) && outside(p.actor))
    {
        add(p.actor, p.start, p.rows[0], &p.resolved, true);
    }
    for p in ix.pushes.iter().filter(|p| p.repo == id && p.outcome == Outcome::Ok && within(p.end) && outside(p.actor))
    {
        add(p.actor, p.end, p.rows[0], &[p.digest], false);
    }
    let set_back = match (until, closer) {
        (Some(t), Some(r)) => format!(" It was closed again {} ({}).", when(t, t), g.str(store.name(r))),
        _ => String::new(),
    };
    if by.is_empty() {
        let text = format!(
            " No principal of another account pulled from it or pushed to it in these logs after it.{set_back}"
        );
        return (text, false);
    }
    let mut all: Vec<Outsider> = by.into_values().collect();
    all.sort_by(|a, b| {
        (b.pulls + b.pushes).cmp(&(a.pulls + a.pushes)).then(a.first.cmp(&b.first)).then_with(|| a.who.cmp(&b.who))
    });
    let told: Vec<String> = all.iter().take(MAX_OUTSIDERS).map(said).collect();
    let more = all.len().saturating_sub(MAX_OUTSIDERS);
    let more = if more > 0 { format!("; and {more} more") } else { String::new() };
    let text = format!(
        " Then {} of another account came in: {}{more}.{set_back}",
        plural(all.len() as u64, "principal", "principals"),
        told.join("; ")
    );
    (text, true)
}

/// "by ARN (3 pulls and 1 push, of 2 images, from 198.51.100.7, between … and …)".
fn said(o: &Outsider) -> String {
    let mut did = Vec::new();
    if o.pulls > 0 {
        did.push(plural(o.pulls as u64, "pull", "pulls"));
    }
    if o.pushes > 0 {
        did.push(plural(o.pushes as u64, "push", "pushes"));
    }
    let mut addresses = o.addresses.clone();
    addresses.sort_unstable();
    // A pull by a tag no push in these logs names took an image these logs cannot name.
    let of = match o.images.len() {
        0 => String::new(),
        n => format!(", of {}", plural(n as u64, "image", "images")),
    };
    format!("by {} ({}{of}, from {}, {})", o.who, did.join(" and "), list(&addresses), when(o.first, o.last))
}

/// When repository `id` was closed to outsiders again after row `latest`, and the call that did
/// it: a repository policy that lets no one outside in, its deletion, or the repository's.
fn closed(g: &Gathered, id: RepoId, latest: Row) -> (Option<Millis>, Option<Row>) {
    let store = g.store;
    let t = store.time(latest);
    let closes = |e: Row| match store.container.get(e).map(|f| f.kind) {
        Some(Kind::RepoDeleted { .. }) => true,
        Some(Kind::RepoChange { exposure, .. }) => match &*store.str(store.name(e)) {
            "SetRepositoryPolicy" => exposure == Exposure::Own,
            "DeleteRepositoryPolicy" => true,
            _ => false,
        },
        _ => false,
    };
    g.container
        .repo_events
        .iter()
        .filter(|&&(repo, e)| repo == id && (store.time(e), e) > (t, latest) && store.error_code(e).is_empty())
        .filter(|&&(_, e)| closes(e))
        .min_by_key(|&&(_, e)| (store.time(e), e))
        .map_or((None, None), |&(_, e)| (Some(store.time(e)), Some(e)))
}
