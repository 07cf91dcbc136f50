//! *Machine image or snapshot shared*: an EC2 `ModifyImageAttribute` or `ModifySnapshotAttribute`,
//! among the rows looked at, that let another account, an organization or everyone launch the
//! image or make a volume of the snapshot (see [`crate::facts::share`]). Whoever is let in reads
//! everything on its disks in their own account: the software, keys and data baked into the host
//! images that run the account's containers. High when it makes the image or snapshot public, or
//! lets in an account none of whose events are in these logs (an intruder's own, as in Stratus Red
//! Team's `ec2-share-ami`); medium for accounts of these logs and organizations (golden images are
//! shared this way), and for a refused attempt. Each says when it was taken back, if it was.
//!
//! An EC2 Image Builder distribution configuration set to share the AMIs it distributes (or copy
//! them) with someone its configuration before did not is one too, judged the same way: every
//! image the pipelines that use it build then goes there.

use super::attention::{joined, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use crate::analysis::filter::Field;
use crate::analysis::principal::principal_label;
use crate::facts::iam::{Act, IamChange};
use crate::facts::share::{BUILDER_SOURCE, SOURCE};
use crate::model::Sym;
use crate::store::{Row, Store};
use crate::text::{duration, utc};

/// What a change is to, in words.
struct Thing {
    /// "AMI", "EBS snapshot" or "Image Builder distribution configuration".
    kind: &'static str,
    /// Its ID or name.
    name: String,
    /// An Image Builder distribution configuration: each call restates whom it shares with.
    distribution: bool,
    /// The account's block of public sharing in a region, turned off (`name`: "AMIs in REGION").
    block: bool,
}

impl Thing {
    fn of(subject: &str) -> Thing {
        let (k, name) = subject.split_once('/').unwrap_or(("", subject));
        let kind = match k {
            "image" => "AMI",
            "snapshot" => "EBS snapshot",
            "block" => "block public access",
            _ => "Image Builder distribution configuration",
        };
        let name = match name.split_once('/') {
            Some((what, region)) if k == "block" => format!("{what} in {region}"),
            _ => name.to_owned(),
        };
        Thing { kind, name, distribution: k == "distribution", block: k == "block" }
    }

    /// The item's title, short enough for a card: an ID says what it is (`ami-`, `snap-`).
    fn title(&self, refused: bool, public: bool, added: &[String]) -> String {
        let name = &self.name;
        if self.block {
            return if refused {
                format!("Tried to turn off block public access for {name}")
            } else {
                format!("Block public access for {name} turned off")
            };
        }
        let whom = match added {
            _ if public => None,
            [one] if is_account(one) => Some(one.clone()),
            [_] => Some(grantees(added)),
            more => Some(format!("{} accounts or organizations", more.len())),
        };
        match (refused, whom, self.distribution) {
            (true, _, false) => format!("Tried to share {name}"),
            (true, _, true) => format!("Tried to share the AMIs of distribution {name}"),
            (false, None, false) => format!("{name} made public"),
            (false, None, true) => format!("Distribution {name} makes its AMIs public"),
            (false, Some(whom), false) => format!("{name} shared with {whom}"),
            (false, Some(whom), true) => format!("Distribution {name} shares its AMIs with {whom}"),
        }
    }
}

/// One item per call among the rows looked at that shares an image or a snapshot with someone
/// beyond its account, or tried to; for an Image Builder distribution configuration, with someone
/// its configuration before (in these logs) did not share with.
pub(super) fn shared(g: &Gathered, out: &mut Vec<Attention>) {
    let store = g.store;
    let mut logged: Option<Vec<Sym>> = None;
    for &(id, r) in &g.iam {
        let Some(c) = store.iam.get(r).filter(|c| c.act == Act::Shared) else { continue };
        let own = g.str(store.account(r)).into_owned();
        let thing = Thing::of(&g.str(c.subject));
        let mut added: Vec<String> = tokens(g, c, "add:").filter(|a| *a != own).collect();
        let before = if thing.distribution { previous(store, c) } else { None };
        if let Some(b) = before {
            let had: Vec<String> = tokens(g, b, "add:").collect();
            added.retain(|a| !had.contains(a));
        }
        if added.is_empty() {
            continue;
        }
        let logged = logged.get_or_insert_with(|| store.accounts());
        let stranger: Vec<&String> =
            added.iter().filter(|a| is_account(a) && !logged.iter().any(|&l| store.str(l) == a.as_str())).collect();
        let public = added.iter().any(|a| a.eq_ignore_ascii_case("all"));
        let refused = !store.error_code(r).is_empty();
        let widens = public || !stranger.is_empty();
        let severity = if !refused && !thing.block && widens { Severity::High } else { Severity::Medium };
        let title = thing.title(refused, public, &added);
        let outside = match stranger.as_slice() {
            [] => String::new(),
            [one] => format!(" No event of account {one} is in these logs."),
            more => format!(" No event of accounts {} is in these logs.", joined(more, ", ")),
        };
        let outcome = if refused {
            let then = if thing.block { "the block stays" } else { "nothing was shared" };
            format!(" It was refused ({}): {then}.", g.str(store.error_code(r)))
        } else {
            taken_back(store, c, &added, thing.distribution)
        };
        let unblocked = if public && !thing.block { unblocked_before(store, r, thing.kind) } else { String::new() };
        let why = format!("{}.{outside}{unblocked}{outcome} {}", what(g, r, &thing, &added, before), reads(&thing));
        let t = store.time(r);
        let source = if thing.distribution { BUILDER_SOURCE } else { SOURCE };
        let chips = vec![(Field::Source, source.to_owned())];
        let item =
            Attention::of_calls(AttentionKind::ImageShared, severity, (title, why), g.label(id), (1, t, t), chips);
        out.push(item);
    }
}

/// "{call} at … from … with … shared AMI … (account, region) with …", and for a distribution
/// configuration what its configuration `before` gave.
fn what(g: &Gathered, r: Row, thing: &Thing, added: &[String], before: Option<&IamChange>) -> String {
    let store = g.store;
    let head = format!(
        "{} at {} from {} with {}",
        g.str(store.name(r)),
        utc(store.time(r)),
        g.str(store.ip(r)),
        g.client(store.user_agent(r)).label()
    );
    let (kind, name, whom) = (thing.kind, &thing.name, grantees(added));
    let place = format!("{}, {}", g.str(store.account(r)), g.str(store.region(r)));
    if thing.block {
        return format!("{head} turned off block public access for {name} ({})", g.str(store.account(r)));
    }
    if !thing.distribution {
        return format!("{head} shared {kind} {name} ({place}) with {whom}");
    }
    let compared = before.map_or(String::new(), |b| {
        let by = principal_label(&store.identity(b.row), &store.strings);
        format!(
            " (its configuration before, {} at {} by {by}, did not)",
            g.str(store.name(b.row)),
            utc(store.time(b.row))
        )
    });
    format!("{head} set {kind} {name} ({place}) to share the AMIs it distributes with {whom}{compared}")
}

/// What whoever it is shared with can do.
fn reads(thing: &Thing) -> &'static str {
    match thing.kind {
        "AMI" => {
            "Whoever it is shared with can launch instances from it and read everything on its disks: the \
             software, keys and data baked into it."
        }
        "EBS snapshot" => {
            "Whoever it is shared with can make a volume from it in their own account and read everything on it."
        }
        "block public access" if thing.name.starts_with("AMIs") => {
            "From then on the account's AMIs in that region can be made public with one call, for anyone to launch \
             and read."
        }
        "block public access" => {
            "From then on the account's EBS snapshots in that region can be made public with one call, for anyone \
             to copy and read."
        }
        _ => {
            "Whoever it is shared with can launch instances from every AMI the pipelines that use it build, and \
             read everything on their disks: the software, keys and data baked into them."
        }
    }
}

/// " Block public access for AMIs there was turned off at … by … (call)." when the last change in
/// row `r`'s account and region to the block of public sharing of `kind` ("AMI", "EBS snapshot")
/// before it turned it off; else "".
fn unblocked_before(store: &Store, r: Row, kind: &str) -> String {
    let what = if kind == "AMI" { "AMIs" } else { "EBS snapshots" };
    // Never interned: no such change was read.
    let Some(subject) = store.strings.lookup(&format!("block/{what}/{}", store.str(store.region(r)))) else {
        return String::new();
    };
    match latest_before(store, subject, store.account(r), r) {
        Some(e) if e.lines.iter().any(|&l| store.str(l) == "add:all") => format!(
            " Block public access for {what} there was turned off at {} by {} ({}).",
            utc(store.time(e.row)),
            principal_label(&store.identity(e.row), &store.strings),
            store.str(store.name(e.row))
        ),
        _ => String::new(),
    }
}

/// The changes to `subject` (an image, a snapshot, a distribution, a block) in `account` that went
/// through.
fn changes_to(store: &Store, subject: Sym, account: Sym) -> impl Iterator<Item = &IamChange> + '_ {
    store.iam.all().iter().filter(move |e| {
        e.act == Act::Shared
            && e.subject == subject
            && store.account(e.row) == account
            && store.error_code(e.row).is_empty()
    })
}

/// The other changes to what `c` changed, in the same account, that went through.
fn same_thing<'s>(store: &'s Store, c: &'s IamChange) -> impl Iterator<Item = &'s IamChange> + 's {
    changes_to(store, c.subject, store.account(c.row)).filter(move |e| e.row != c.row)
}

/// The latest of [`changes_to`] `subject` in `account` before row `r` (in time, then row).
fn latest_before(store: &Store, subject: Sym, account: Sym, r: Row) -> Option<&IamChange> {
    let at = (store.time(r), r);
    changes_to(store, subject, account)
        .filter(|e| (store.time(e.row), e.row) < at)
        .max_by_key(|e| (store.time(e.row), e.row))
}

/// The latest change before `c` (in time, then row) to the same thing in its account.
fn previous<'s>(store: &'s Store, c: &'s IamChange) -> Option<&'s IamChange> {
    latest_before(store, c.subject, store.account(c.row), c.row)
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
/// takes it back. For a distribution configuration (`restated`), a later call that leaves a
/// grantee out takes it away.
fn taken_back(store: &Store, c: &IamChange, added: &[String], restated: bool) -> String {
    let t = store.time(c.row);
    let mut later: Vec<&IamChange> = same_thing(store, c).filter(|e| store.time(e.row) >= t).collect();
    later.sort_by_key(|e| (store.time(e.row), e.row));
    let mut left: Vec<&String> = added.iter().collect();
    let mut said = String::new();
    for e in later {
        let says = |op: &str, a: &str| e.lines.iter().any(|&l| store.str(l).strip_prefix(op) == Some(a));
        let removed: Vec<&String> =
            left.iter().copied().filter(|a| if restated { !says("add:", a) } else { says("remove:", a) }).collect();
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
