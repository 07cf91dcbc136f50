//! *Machine image or snapshot shared*: an EC2 `ModifyImageAttribute` or `ModifySnapshotAttribute`,
//! among the rows looked at, that let another account, an organization or everyone launch the
//! image or make a volume of the snapshot (see [`crate::facts::share`]). Whoever is let in reads
//! everything on its disks in their own account: the software, keys and data baked into the host
//! images that run the account's containers. High when it makes the image or snapshot public, or
//! lets in an account none of whose events are in these logs (an intruder's own, as in Stratus Red
//! Team's `ec2-share-ami`); medium for accounts of these logs and organizations (golden images are
//! shared this way), and for a refused attempt. Each says when it was taken back, if it was.

use super::attention::{joined, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use crate::analysis::filter::Field;
use crate::analysis::principal::principal_label;
use crate::facts::iam::{Act, IamChange};
use crate::model::Sym;
use crate::store::Store;
use crate::text::{duration, utc};

/// One item per call among the rows looked at that shares an image or a snapshot with someone
/// beyond its account, or tried to.
pub(super) fn shared(g: &Gathered, out: &mut Vec<Attention>) {
    let store = g.store;
    let mut logged: Option<Vec<Sym>> = None;
    for &(id, r) in &g.iam {
        let Some(c) = store.iam.get(r).filter(|c| c.act == Act::Shared) else { continue };
        let own = g.str(store.account(r)).into_owned();
        let added: Vec<String> = tokens(g, c, "add:").filter(|a| *a != own).collect();
        if added.is_empty() {
            continue;
        }
        let logged = logged.get_or_insert_with(|| store.accounts());
        let stranger: Vec<&String> =
            added.iter().filter(|a| is_account(a) && !logged.iter().any(|&l| store.str(l) == a.as_str())).collect();
        let public = added.iter().any(|a| a.eq_ignore_ascii_case("all"));
        let refused = !store.error_code(r).is_empty();
        let severity = if !refused && (public || !stranger.is_empty()) { Severity::High } else { Severity::Medium };
        let (kind, resource) = g.str(c.subject).split_once('/').map_or((String::new(), String::new()), |(k, n)| {
            (if k == "image" { "AMI" } else { "EBS snapshot" }.to_owned(), n.to_owned())
        });
        let whom = grantees(&added);
        // Short enough for a card: the ID says what it is (`ami-`, `snap-`), the reason says more.
        let title = match (refused, public, added.as_slice()) {
            (true, _, _) => format!("Tried to share {resource}"),
            (false, true, _) => format!("{resource} made public"),
            (false, false, [one]) if is_account(one) => format!("{resource} shared with {one}"),
            (false, false, [_]) => format!("{resource} shared with {whom}"),
            (false, false, more) => format!("{resource} shared with {} accounts or organizations", more.len()),
        };
        let call = g.str(store.name(r));
        let outside = match stranger.as_slice() {
            [] => String::new(),
            [one] => format!(" No event of account {one} is in these logs."),
            more => format!(" No event of accounts {} is in these logs.", joined(more, ", ")),
        };
        let outcome = if refused {
            format!(" It was refused ({}): nothing was shared.", g.str(store.error_code(r)))
        } else {
            taken_back(store, c, &added)
        };
        let reads = if kind == "AMI" {
            "launch instances from it and read everything on its disks: the software, keys and data baked into it"
        } else {
            "make a volume from it in their own account and read everything on it"
        };
        let why = format!(
            "{call} at {} from {} with {} shared {kind} {resource} ({own}, {}) with {whom}.{outside}{outcome} \
             Whoever it is shared with can {reads}.",
            utc(store.time(r)),
            g.str(store.ip(r)),
            g.client(store.user_agent(r)).label(),
            g.str(store.region(r)),
        );
        let t = store.time(r);
        let chips = vec![(Field::Source, crate::facts::share::SOURCE.to_owned())];
        out.push(Attention::of_calls(
            AttentionKind::ImageShared,
            severity,
            (title, why),
            g.label(id),
            (1, t, t),
            chips,
        ));
    }
}

/// The tokens of change `c` that start with `prefix`, without it.
fn tokens<'g>(g: &'g Gathered, c: &'g IamChange, prefix: &'g str) -> impl Iterator<Item = String> + 'g {
    c.lines.iter().filter_map(move |&l| g.str(l).strip_prefix(prefix).map(str::to_owned))
}

/// Whether a grantee is an account ID (twelve digits).
fn is_account(a: &str) -> bool {
    a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())
}

/// Grantees in words: "everyone (group all)", "accounts N, M", "organization ARN"...
fn grantees<S: AsRef<str>>(added: &[S]) -> String {
    let mut accounts: Vec<&str> = Vec::new();
    let mut said: Vec<String> = Vec::new();
    for a in added.iter().map(AsRef::as_ref) {
        if a.eq_ignore_ascii_case("all") {
            said.push("everyone (group all)".to_owned());
        } else if a.contains(":ou/") {
            said.push(format!("organizational unit {a}"));
        } else if a.contains(":organization/") {
            said.push(format!("organization {a}"));
        } else {
            accounts.push(a);
        }
    }
    match accounts.as_slice() {
        [] => {}
        [one] => said.insert(0, format!("account {one}")),
        more => said.insert(0, format!("accounts {}", joined(more, ", "))),
    }
    joined(&said, ", ")
}

/// What later calls that went through did with what change `c` `added`: " Taken back at … by …
/// (call, N later)." for each removal, then whom it still lets in, or that nothing in these logs
/// takes it back.
fn taken_back(store: &Store, c: &IamChange, added: &[String]) -> String {
    let (t, account) = (store.time(c.row), store.account(c.row));
    let mut later: Vec<&IamChange> = store
        .iam
        .all()
        .iter()
        .filter(|e| {
            e.act == Act::Shared
                && e.subject == c.subject
                && e.row != c.row
                && store.account(e.row) == account
                && store.time(e.row) >= t
                && store.error_code(e.row).is_empty()
        })
        .collect();
    later.sort_by_key(|e| (store.time(e.row), e.row));
    let mut left: Vec<&String> = added.iter().collect();
    let mut said = String::new();
    for e in later {
        let removed: Vec<&String> = left
            .iter()
            .copied()
            .filter(|a| e.lines.iter().any(|&l| store.str(l).strip_prefix("remove:") == Some(a.as_str())))
            .collect();
        if removed.is_empty() {
            continue;
        }
        left.retain(|a| !removed.contains(a));
        let at = store.time(e.row);
        let by = principal_label(&store.identity(e.row), &store.strings);
        let what = if left.is_empty() && said.is_empty() {
            "Taken back".to_owned()
        } else {
            format!("Taken from {}", grantees(&removed))
        };
        let call = store.str(store.name(e.row));
        said = format!("{said} {what} at {} by {by} ({call}, {} later).", utc(at), duration(at - t));
        if left.is_empty() {
            return said;
        }
    }
    if said.is_empty() {
        " Nothing in these logs takes it back.".to_owned()
    } else {
        format!("{said} Nothing in these logs takes it from {}.", grantees(&left))
    }
}
