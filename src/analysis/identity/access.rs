//! *Credentials made or MFA removed* and *Administrator access or outside trust given*: the
//! attention items of the IAM calls [`crate::facts::iam`] reads, among the rows looked at, each
//! with what followed over every log loaded.
//!
//! - An access key or a console password made for another user (not the caller's own): high when
//!   the caller had made that user too, or when the key was then used (or the user signed in)
//!   from the address it was made from, which says whoever made it holds it; medium else.
//! - MFA taken off a user (`DeactivateMFADevice`): medium.
//! - Administrator access given: `AdministratorAccess` or `IAMFullAccess` attached, a managed
//!   policy made in these logs to allow everything attached, an inline policy that allows
//!   everything put, or a managed policy made (or given a default version) that does: high.
//! - A user added to a group that was an administrator then (`AddUserToGroup`): high.
//! - A role's trust policy that lets another account in (medium; high when the role had
//!   administrator access meanwhile, or was then taken on from outside) or anyone at all (high),
//!   counting a public identity provider trusted with no condition on who (see
//!   [`crate::facts::iam::Act::Trust`]) as anyone; with the role sessions opened after it.
//! - Refused attempts at any of these: one medium item per principal.
//!
//! Each says when it was taken back, if it was (the key deleted or made inactive, the password
//! deleted, the policy detached, the trust set back, the user or role deleted), and by whom.

use hashbrown::{HashMap, HashSet};

use super::attention::{joined, lines_said, list, seconds, when, whom, Attention, AttentionKind, Severity};
use super::breakdown::{is_denied, Gathered};
use crate::analysis::filter::Field;
use crate::analysis::principal::principal_label;
use crate::facts::container::Exposure;
use crate::facts::iam::{admin_policy, by_itself, Act, IamChange};
use crate::model::{IdentityType, Millis, Sym};
use crate::store::{Row, Store};
use crate::text::{arn_parts, duration, plural, utc};

/// What every item's facts are read against: the IAM calls of every log that went through.
struct Context<'s> {
    store: &'s Store,
    /// Calls that went through, in time order.
    done: Vec<&'s IamChange>,
    /// Managed policies made (or given a default version) that allow everything, by ARN.
    allow_all: HashSet<Sym>,
}

impl<'s> Context<'s> {
    fn of(store: &'s Store) -> Context<'s> {
        let mut done: Vec<&IamChange> = store.iam.all().iter().filter(|c| store.error_code(c.row).is_empty()).collect();
        done.sort_by_key(|c| (store.time(c.row), c.row));
        let allow_all = done.iter().filter(|c| c.act == Act::PolicyAllowsAll).map(|c| c.detail).collect();
        Context { store, done, allow_all }
    }

    /// Whether call `c` gives something away (see the module's list), or would have, had it gone
    /// through.
    fn gives(&self, c: &IamChange) -> bool {
        match c.act {
            Act::KeyMade | Act::PasswordSet => !c.subject.is_empty() && !by_itself(self.store, c),
            Act::MfaRemoved | Act::InlineAdmin | Act::PolicyAllowsAll => true,
            Act::Attached => self.admin(c.detail),
            Act::Trust => c.exposure > Exposure::Own,
            Act::Joined => {
                let t = self.store.time(c.row);
                !self.admin_during(c.subject, c.row, (t, t)).is_empty()
            }
            _ => false,
        }
    }

    /// Whether managed policy `arn` makes whoever has it an administrator.
    fn admin(&self, arn: Sym) -> bool {
        admin_policy(&self.store.str(arn)) || self.allow_all.contains(&arn)
    }

    /// The first call at or after `t`, in `c`'s account, that takes back what `c` gave.
    fn end(&self, c: &IamChange, t: Millis) -> Option<&'s IamChange> {
        let account = self.store.account(c.row);
        self.done.iter().copied().find(|e| {
            let takes_back = match (c.act, e.act) {
                // The user deleted, or the group.
                (Act::Joined, Act::Deleted) => e.subject == c.detail || e.subject == c.subject,
                (Act::Joined, Act::Left) => e.subject == c.subject && e.detail == c.detail,
                (_, Act::Deleted) => e.subject == c.subject && !c.subject.is_empty(),
                (Act::KeyMade, Act::KeyEnded) | (Act::PolicyAllowsAll, Act::PolicyDeleted) => e.detail == c.detail,
                (Act::PasswordSet, Act::PasswordEnded) => e.subject == c.subject,
                // With no user named, each call is about its caller's own device.
                (Act::MfaRemoved, Act::MfaEnabled) => {
                    let caller = |x: &IamChange| principal_label(&self.store.identity(x.row), &self.store.strings);
                    e.subject == c.subject && (!c.subject.is_empty() || caller(e) == caller(c))
                }
                (Act::Attached, Act::Detached) | (Act::InlineAdmin, Act::InlineDeleted) => {
                    e.subject == c.subject && e.detail == c.detail
                }
                (Act::Trust, Act::Trust) => e.subject == c.subject && e.exposure == Exposure::Own,
                _ => false,
            };
            takes_back && e.row != c.row && self.store.time(e.row) >= t && self.store.account(e.row) == account
        })
    }

    /// What became of what `c` (last given at `last`) gave, and when that was last settled: its
    /// [`ended`] sentence; for a key made inactive, also each time it was made active again and
    /// what followed (the key is active at the end of the logs, or ended again), at most
    /// [`MAX_TURNS`] turns.
    fn fate(&self, c: &IamChange, end: Option<&'s IamChange>, last: Millis) -> (String, Millis) {
        let store = self.store;
        let mut text = ended(store, c, end, last);
        let Some(mut off) = end else { return (text, last) };
        let mut settled = store.time(off.row);
        for _ in 0..MAX_TURNS {
            if off.act != Act::KeyEnded || &*store.str(store.name(off.row)) != "UpdateAccessKey" {
                break;
            }
            let Some(on) = self.after(off, |e| e.act == Act::KeyActivated && e.detail == c.detail) else { break };
            let t = store.time(on.row);
            let by = principal_label(&store.identity(on.row), &store.strings);
            let again = duration(t - settled);
            text = format!("{text} It was made active again at {} by {by} (UpdateAccessKey, {again} later).", utc(t));
            settled = t;
            let next = self.after(on, |e| e.act == Act::KeyEnded && e.detail == c.detail);
            text += &ended(store, c, next, t);
            let Some(e) = next else { break };
            (off, settled) = (e, store.time(e.row));
        }
        (text, settled)
    }

    /// The first call after `c` (in time, then row order), in its account, that `wanted` keeps.
    fn after(&self, c: &IamChange, wanted: impl Fn(&IamChange) -> bool) -> Option<&'s IamChange> {
        let key = |x: &IamChange| (self.store.time(x.row), x.row);
        let account = self.store.account(c.row);
        self.done.iter().copied().find(|e| key(e) > key(c) && self.store.account(e.row) == account && wanted(e))
    }

    /// The users added to group `group` (in the account of row `r`) before `r` and not taken out
    /// (or deleted, or the group deleted) by then: "henry (`AddUserToGroup` at …)".
    fn members(&self, group: Sym, r: Row) -> Vec<String> {
        let store = self.store;
        let (account, at) = (store.account(r), (store.time(r), r));
        self.done
            .iter()
            .copied()
            .filter(|c| c.act == Act::Joined && c.subject == group && store.account(c.row) == account)
            .filter(|c| (store.time(c.row), c.row) < at)
            .filter(|c| self.end(c, store.time(c.row)).is_none_or(|e| (store.time(e.row), e.row) > at))
            .map(|c| format!("{} (AddUserToGroup at {})", split(&store.str(c.detail)).1, utc(store.time(c.row))))
            .collect()
    }

    /// The `CreateUser` of `subject` in the account of row `r`, if these logs hold it.
    fn made(&self, subject: Sym, r: Row) -> Option<&'s IamChange> {
        let account = self.store.account(r);
        self.done
            .iter()
            .copied()
            .find(|c| c.act == Act::UserMade && c.subject == subject && self.store.account(c.row) == account)
    }

    /// Administrator access `subject` had at some time in `[from, to]`: the calls that gave it.
    fn admin_during(&self, subject: Sym, r: Row, (from, to): (Millis, Millis)) -> Vec<&'s IamChange> {
        let account = self.store.account(r);
        self.done
            .iter()
            .copied()
            .filter(|c| c.subject == subject && self.store.account(c.row) == account)
            .filter(|c| (c.act == Act::Attached && self.admin(c.detail)) || c.act == Act::InlineAdmin)
            .filter(|c| {
                let t = self.store.time(c.row);
                t <= to && self.end(c, t).is_none_or(|e| self.store.time(e.row) >= from)
            })
            .collect()
    }
}

/// What followed a key made or a password set: the calls signed with the key, or the user's
/// console sign-ins that went through, at or after it (time, row).
type Followed = HashMap<Row, Vec<(Millis, Row)>>;

/// One pass over every row for what the keys made and passwords set in `items` were used for.
fn followed(store: &Store, items: &[&IamChange]) -> Followed {
    let mut keys: HashMap<Sym, Vec<Row>> = HashMap::new();
    let mut users: HashMap<(Sym, String), Vec<Row>> = HashMap::new();
    for c in items {
        match c.act {
            Act::KeyMade if !c.detail.is_empty() => keys.entry(c.detail).or_default().push(c.row),
            Act::PasswordSet => {
                let name = store.str(c.subject).strip_prefix("user/").unwrap_or_default().to_owned();
                users.entry((store.account(c.row), name)).or_default().push(c.row);
            }
            _ => {}
        }
    }
    let mut out = Followed::new();
    if keys.is_empty() && users.is_empty() {
        return out;
    }
    // Per identity: the grants it may follow (few identities, many rows).
    let wanted: Vec<Vec<Row>> = store
        .identities()
        .map(|id| {
            let by_key = keys.get(&id.access_key).cloned().unwrap_or_default();
            let by_user = if id.kind == IdentityType::IAMUser {
                users.get(&(id.account_id, store.str(id.user_name).into_owned())).cloned().unwrap_or_default()
            } else {
                Vec::new()
            };
            [by_key, by_user].concat()
        })
        .collect();
    let signin = store.strings.lookup("ConsoleLogin");
    for r in 0..store.len() as Row {
        let grants = &wanted[store.identity_id(r) as usize];
        if grants.is_empty() {
            continue;
        }
        let t = store.time(r);
        for &g in grants {
            let by_user = store.iam.get(g).is_some_and(|c| c.act == Act::PasswordSet);
            let counts = if by_user {
                Some(store.name(r)) == signin && store.error_code(r).is_empty() && !store.credentials.signin_failed(r)
            } else {
                true
            };
            if counts && t >= store.time(g) {
                out.entry(g).or_default().push((t, r));
            }
        }
    }
    out
}

/// Times a key's story goes from inactive to active and on, in one item.
const MAX_TURNS: usize = 3;

/// What was given to whom, for grouping: act, account, subject, detail, exposure.
type What = (Act, Sym, Sym, Sym, Exposure);

/// One item per gift (grouped by what, to whom) among the rows looked at; refused attempts one
/// item per principal.
pub(super) fn given(g: &Gathered, out: &mut Vec<Attention>) {
    if g.iam.is_empty() {
        return;
    }
    let store = g.store;
    let cx = Context::of(store);
    let mut groups: HashMap<What, Vec<(Millis, u32, Row)>> = HashMap::new();
    let mut tries: HashMap<&str, Vec<(Millis, Row)>> = HashMap::new();
    for &(id, r) in &g.iam {
        let Some(c) = store.iam.get(r) else { continue };
        if !cx.gives(c) {
            continue;
        }
        let code = store.error_code(r);
        if code.is_empty() {
            let key = (c.act, store.account(r), c.subject, c.detail, c.exposure);
            groups.entry(key).or_default().push((store.time(r), id, r));
        } else if is_denied(&store.str(code)) {
            tries.entry(g.label(id)).or_default().push((store.time(r), r));
        }
    }
    let firsts: Vec<&IamChange> =
        groups.values().filter_map(|calls| calls.iter().min().and_then(|&(_, _, r)| store.iam.get(r))).collect();
    let followed = followed(store, &firsts);
    for (_, mut calls) in groups {
        calls.sort_unstable();
        out.extend(item(g, &cx, &calls, &followed));
    }
    for (label, mut calls) in tries {
        calls.sort_unstable();
        let (first, last) = (calls[0].0, calls[calls.len() - 1].0);
        let latest = calls[calls.len() - 1].1;
        let mut names: Vec<String> = calls.iter().map(|&(_, r)| g.str(store.name(r)).into_owned()).collect();
        names.sort_unstable();
        names.dedup();
        let n = calls.len() as u64;
        let why = format!(
            "{} {} refused ({}): {}. Nothing was given, but someone tried to make credentials for another \
             user or give access away.",
            plural(n, "IAM call", "IAM calls"),
            when(first, last),
            g.str(store.error_code(latest)),
            list(&names)
        );
        let title = "Tried to make credentials or give access".to_owned();
        let chips = vec![(Field::Source, crate::facts::iam::SOURCE.to_owned())];
        out.push(Attention::of_calls(
            AttentionKind::AccessWidened,
            Severity::Medium,
            (title, why),
            label,
            (n, first, last),
            chips,
        ));
    }
}

/// `user/NAME` → ("user", "NAME").
fn split(subject: &str) -> (&str, &str) {
    subject.split_once('/').unwrap_or(("", subject))
}

/// What an item says, by part: "{call} at {time} {what}.{then}{ended}{meaning}".
struct Said {
    severity: Severity,
    title: String,
    what: String,
    then: String,
    meaning: &'static str,
    /// When what was given was last used, when the item follows its uses itself.
    last_use: Option<Millis>,
}

/// The facts of one gift that every kind of item may name.
struct Gift<'a> {
    c: &'a IamChange,
    /// `user`, `role` or `group`, and its name.
    kind: &'a str,
    name: &'a str,
    detail: String,
    /// The address the call came from.
    ip: String,
    /// ", whom the same principal had made (…)" or ", made by …", when these logs hold the user's
    /// creation.
    made_text: String,
    /// Whether the caller had made the user too.
    by_same: bool,
    /// What followed (see [`Followed`]): how many, from where, which calls, when.
    uses: usize,
    addresses: Vec<String>,
    names: Vec<String>,
    span: String,
}

impl Gift<'_> {
    /// Whether what was given was used from the address it was given from.
    fn held_by_maker(&self) -> bool {
        !self.ip.is_empty() && self.addresses.contains(&self.ip)
    }

    /// High when the caller had made the user too or used what it made.
    fn severity(&self) -> Severity {
        if self.by_same || self.held_by_maker() {
            Severity::High
        } else {
            Severity::Medium
        }
    }
}

/// The item of the calls `calls` (time, identity, row; in time order) that gave one thing: `None`
/// only were its first row not an IAM change, which [`given`] does not group.
fn item(g: &Gathered, cx: &Context, calls: &[(Millis, u32, Row)], followed: &Followed) -> Option<Attention> {
    let store = g.store;
    let (first, maker, row) = calls[0];
    let (last, _, _) = calls[calls.len() - 1];
    let c = store.iam.get(row)?;
    let call = g.str(store.name(row)).into_owned();
    let who = g.label(maker).to_owned();
    let end = cx.end(c, last);
    // Who made the user it is for, if these logs say.
    let user = if c.act == Act::Joined { c.detail } else { c.subject };
    let made = cx.made(user, row).map(|u| {
        let by = principal_label(&store.identity(u.row), &store.strings);
        (by == who, format!("{} at {}", by, utc(store.time(u.row))))
    });
    let uses = followed.get(&row).map(Vec::as_slice).unwrap_or_default();
    let distinct = |f: &dyn Fn(Row) -> String| -> Vec<String> {
        let mut v: Vec<String> = uses.iter().map(|&(_, r)| f(r)).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let addresses = distinct(&|r| g.str(store.ip(r)).into_owned());
    let names = distinct(&|r| super::attention::call_name(g, store.source(r), store.name(r)));
    let (use_first, use_last) = uses.iter().fold((Millis::MAX, Millis::MIN), |(a, b), &(t, _)| (a.min(t), b.max(t)));
    let subject = g.str(c.subject);
    let (kind, name) = split(&subject);
    let gift = Gift {
        c,
        kind,
        name,
        detail: g.str(c.detail).into_owned(),
        ip: g.str(store.ip(row)).into_owned(),
        made_text: match &made {
            Some((true, at)) => format!(", whom the same principal had made (CreateUser by {at})"),
            Some((false, at)) => format!(", made by {at}"),
            None => String::new(),
        },
        by_same: made.as_ref().is_some_and(|m| m.0),
        uses: uses.len(),
        addresses,
        names,
        span: if uses.is_empty() { String::new() } else { span(use_first, use_last) },
    };
    let said = match c.act {
        Act::KeyMade | Act::PasswordSet | Act::MfaRemoved => credentials(store, &gift),
        Act::Attached | Act::InlineAdmin | Act::PolicyAllowsAll => administrator(cx, &gift),
        Act::Joined => joined_admins(cx, &gift),
        _ => trust(cx, &gift, (first, end.map_or(Millis::MAX, |e| store.time(e.row)))),
    };
    let n = calls.len() as u64;
    let opening = if n == 1 {
        format!("{call} at {}", utc(first))
    } else {
        format!("{} {}", plural(n, &format!("{call} call"), &format!("{call} calls")), when(first, last))
    };
    let Said { severity, title, what, then, meaning, last_use } = said;
    let (fate, settled) = cx.fate(c, end, last);
    let why = format!("{opening} {what}.{then}{fate}{meaning}");
    let kind = match c.act {
        Act::KeyMade | Act::PasswordSet | Act::MfaRemoved => AttentionKind::CredentialsMade,
        _ => AttentionKind::AccessWidened,
    };
    let last_seen = settled.max(if uses.is_empty() { last } else { use_last });
    let last_seen = last_seen.max(last_use.unwrap_or(last));
    let chips = vec![(Field::Name, call), (Field::Principal, who.clone())];
    let range = Some(seconds(first, last));
    Some(Attention { kind, severity, title, who, why, events: n, first, last: last_seen, chips, range })
}

/// An access key made or a password set for another user, or MFA taken off one.
fn credentials(store: &Store, f: &Gift) -> Said {
    let (name, ip) = (f.name, &f.ip);
    let places = list(&f.addresses);
    match f.c.act {
        Act::KeyMade => {
            let then = if f.uses == 0 {
                " The key is not used in these logs.".to_owned()
            } else {
                let holder = if f.held_by_maker() {
                    format!("; from {ip}, the address it was made from: whoever made it holds it")
                } else {
                    String::new()
                };
                let calls = plural(f.uses as u64, "call", "calls");
                let names = joined(&f.names, ", ");
                format!(" The key was then used for {calls} ({names}) from {places} ({}){holder}.", f.span)
            };
            Said {
                severity: f.severity(),
                title: format!("Access key made for user {name}"),
                what: format!(
                    "made access key {} for IAM user {name}{}",
                    or(&f.detail, "(its ID is not in the response)"),
                    f.made_text
                ),
                then,
                meaning:
                    " A key made for someone else lets its maker act as them, and outlives the maker's own access.",
                last_use: None,
            }
        }
        Act::PasswordSet => {
            let then = if f.uses == 0 {
                format!(" No console sign-in by {name} follows in these logs.")
            } else {
                let holder = if f.held_by_maker() {
                    format!("; from {ip}, the address the password was set from: whoever set it signs in as {name}")
                } else {
                    String::new()
                };
                let times = if f.uses == 1 { "once".to_owned() } else { format!("{} times", f.uses) };
                format!(" {name} then signed in to the console {times} from {places} ({}){holder}.", f.span)
            };
            let reset = if f.c.no_reset {
                ", with no change required at the first sign-in (passwordResetRequired: false)"
            } else {
                ""
            };
            Said {
                severity: f.severity(),
                title: format!("Console password set for user {name}"),
                what: format!("set a console password for IAM user {name}{}{reset}", f.made_text),
                then,
                meaning: " A password someone else set lets them sign in as that user.",
                last_use: None,
            }
        }
        _ => {
            let whom = if name.is_empty() { caller_user(store, f.c.row) } else { format!("user {name}") };
            Said {
                severity: Severity::Medium,
                title: format!("MFA removed from {whom}"),
                what: format!("took MFA device {} off {whom}", or(&f.detail, "(not named)")),
                then: String::new(),
                meaning: " Without MFA, a password or key alone is enough to act as them.",
                last_use: None,
            }
        }
    }
}

/// Administrator access given: a policy that makes one attached or put, or a managed policy made
/// to allow everything.
fn administrator(cx: &Context, f: &Gift) -> Said {
    let (kind, name, detail, made) = (f.kind, f.name, &f.detail, &f.made_text);
    let short = detail.rsplit('/').next().unwrap_or(detail);
    let (title, what, meaning) = match f.c.act {
        Act::PolicyAllowsAll => (
            format!("Managed policy {short} made to allow everything"),
            format!("made managed policy {detail} allow every action on every resource"),
            " Whoever has it, or is given it later, is an administrator.",
        ),
        Act::Attached if admin_policy(detail) => (
            format!("{short} given to {kind} {name}"),
            format!("attached {detail} to {kind} {name}{made}"),
            ADMIN_MEANS,
        ),
        Act::Attached => (
            format!("{short} given to {kind} {name}"),
            format!("attached {detail}, a policy made in these logs to allow everything, to {kind} {name}{made}"),
            ADMIN_MEANS,
        ),
        _ => (
            format!("An inline policy allowing everything given to {kind} {name}"),
            format!("put inline policy {detail}, which allows every action on every resource, on {kind} {name}{made}"),
            ADMIN_MEANS,
        ),
    };
    // A group's members become administrators with it: those these logs added before.
    let then = if kind == "group" && f.c.act != Act::PolicyAllowsAll {
        let members = cx.members(f.c.subject, f.c.row);
        if members.is_empty() {
            " These logs add no user to the group before it, so who was in it then is not known from them.".to_owned()
        } else {
            format!(
                " Users these logs had added to the group by then, administrators with it: {}.",
                joined(&members, ", ")
            )
        }
    } else {
        String::new()
    };
    Said { severity: Severity::High, title, what, then, meaning, last_use: None }
}

/// A user added to a group that was an administrator then.
fn joined_admins(cx: &Context, f: &Gift) -> Said {
    let store = cx.store;
    let (group, user) = (f.name, split(&f.detail).1);
    let t = store.time(f.c.row);
    let how: Vec<String> = cx
        .admin_during(f.c.subject, f.c.row, (t, t))
        .iter()
        .map(|a| format!("{} ({} at {})", store.str(a.detail), store.str(store.name(a.row)), utc(store.time(a.row))))
        .collect();
    Said {
        severity: Severity::High,
        title: format!("User {user} added to administrator group {group}"),
        what: format!("added IAM user {user}{} to group {group}, which had {}", f.made_text, joined(&how, "; ")),
        then: String::new(),
        meaning: ADMIN_MEANS,
        last_use: None,
    }
}

/// What administrator access means, for an item's reason.
const ADMIN_MEANS: &str =
    " With it, whoever acts as it can do anything in the account, including give themselves more.";

/// " The key was deleted at … by … (`DeleteAccessKey`, 4 min later)." when `end` took back what `c`
/// gave (last given at `last`), else what still holds at the end of the logs.
fn ended(store: &Store, c: &IamChange, end: Option<&IamChange>, last: Millis) -> String {
    let Some(e) = end else {
        let still = match c.act {
            Act::KeyMade => " The key is still active at the end of these logs.",
            Act::PasswordSet => " The password is still set at the end of these logs.",
            Act::Attached => " It is still attached at the end of these logs.",
            Act::InlineAdmin => " The inline policy is still in place at the end of these logs.",
            Act::Trust => " The role still trusts them at the end of these logs.",
            Act::Joined => " The user is still in the group at the end of these logs.",
            Act::MfaRemoved => " No MFA device is enabled for the user again in these logs.",
            Act::PolicyAllowsAll => " The policy is not deleted in these logs.",
            _ => "",
        };
        return still.to_owned();
    };
    let t = store.time(e.row);
    let by = principal_label(&store.identity(e.row), &store.strings);
    let call = store.str(store.name(e.row));
    format!(" {} at {} by {by} ({call}, {} later).", taken_back(e, store), utc(t), duration(t - last))
}

/// A trust policy that lets others in, with the administrator access the role had in `window`.
fn trust(cx: &Context, f: &Gift, window: (Millis, Millis)) -> Said {
    let store = cx.store;
    let (c, name) = (f.c, f.name);
    let lines: Vec<String> = c.lines.iter().map(|&l| store.str(l).into_owned()).collect();
    let admin = cx.admin_during(c.subject, c.row, window);
    let then = if admin.is_empty() {
        String::new()
    } else {
        let how: Vec<String> = admin
            .iter()
            .map(|a| {
                format!("{} by {} at {}", store.str(a.detail), store.str(store.name(a.row)), utc(store.time(a.row)))
            })
            .collect();
        format!(" Meanwhile the role was an administrator: {}.", joined(&how, "; "))
    };
    let taken = taken_on(store, c, window);
    let outside = taken.iter().any(|t| t.outside);
    let (severity, title) = match c.exposure {
        Exposure::Everyone if !f.detail.is_empty() => {
            (Severity::High, format!("Role {name} can be assumed by {}", f.detail))
        }
        Exposure::Everyone => (Severity::High, format!("Role {name} can be assumed by anyone")),
        _ if !admin.is_empty() => (Severity::High, format!("Administrator role {name} trusts another account")),
        _ if outside => (Severity::High, format!("Role {name} trusts another account, and was taken on from it")),
        _ => (Severity::Medium, format!("Role {name} trusts another account")),
    };
    let whom = if f.detail.is_empty() {
        whom(c.exposure).to_owned()
    } else {
        format!("{} (no condition names which)", f.detail)
    };
    Said {
        severity,
        title,
        what: format!("set the trust policy of role {name} to let {whom} assume it"),
        // Who came in first: the statements can run long.
        then: format!("{}{then} The policy: {}.", taken_text(&taken), lines_said(&lines)),
        meaning:
            " Whoever it trusts takes the role's permissions with their own credentials, from outside the account.",
        last_use: taken.iter().map(|t| t.last).max(),
    }
}

/// Role sessions opened by one principal (or one web identity or SAML subject) with one call.
struct TakenOn {
    who: String,
    call: &'static str,
    /// Whether by a principal of another account (a subject an identity provider vouched for is
    /// judged by the trust itself: see [`crate::facts::iam::Act::Trust`]).
    outside: bool,
    times: usize,
    addresses: Vec<String>,
    first: Millis,
    last: Millis,
}

/// Groups of role sessions kept in an item; more are counted.
const MAX_TAKEN_ON: usize = 5;

/// The sessions of the role trust change `c` set, opened in `[from, to)`, by who and how, the
/// most first.
fn taken_on(store: &Store, c: &IamChange, (from, to): (Millis, Millis)) -> Vec<TakenOn> {
    let account = store.str(store.account(c.row));
    let subject = store.str(c.subject);
    let name = split(&subject).1;
    let mut groups: HashMap<(String, &'static str), TakenOn> = HashMap::new();
    for g in store.credentials.grants() {
        let t = store.time(g.row);
        let role = store.str(g.role);
        let (resource, role_account) = arn_parts(&role);
        let this_role = role_account == &*account
            && resource.strip_prefix("role/").is_some_and(|r| r.rsplit('/').next() == Some(name));
        if !this_role || t < from || t >= to {
            continue;
        }
        let id = store.identity(g.row);
        let vouched = store.str(g.subject);
        let (who, outside) = if vouched.is_empty() {
            (principal_label(&id, &store.strings), !id.account_id.is_empty() && id.account_id != store.account(c.row))
        } else {
            (vouched.into_owned(), false)
        };
        let call = g.call.label();
        let e = groups.entry((who.clone(), call)).or_insert(TakenOn {
            who,
            call,
            outside,
            times: 0,
            addresses: Vec::new(),
            first: t,
            last: t,
        });
        e.times += 1;
        (e.first, e.last) = (e.first.min(t), e.last.max(t));
        let ip = store.str(store.ip(g.row)).into_owned();
        if !e.addresses.contains(&ip) {
            e.addresses.push(ip);
        }
    }
    let mut out: Vec<TakenOn> = groups.into_values().collect();
    out.sort_by(|a, b| b.times.cmp(&a.times).then(a.first.cmp(&b.first)).then_with(|| a.who.cmp(&b.who)));
    out
}

/// " Then the role was taken on 3 times: by repo:acme/app:ref:refs/heads/main
/// (`AssumeRoleWithWebIdentity`, 2 times from 203.0.113.5, first at …, last at …); by …." or
/// " The role is not taken on in these logs after it.".
fn taken_text(taken: &[TakenOn]) -> String {
    if taken.is_empty() {
        return " The role is not taken on in these logs after it.".to_owned();
    }
    let total: usize = taken.iter().map(|t| t.times).sum();
    let mut parts: Vec<String> = taken
        .iter()
        .take(MAX_TAKEN_ON)
        .map(|t| {
            let mut addresses = t.addresses.clone();
            addresses.sort_unstable();
            let times = if t.times == 1 { "once".to_owned() } else { format!("{} times", t.times) };
            format!("by {} ({}, {times} from {}, {})", t.who, t.call, list(&addresses), span(t.first, t.last))
        })
        .collect();
    if taken.len() > MAX_TAKEN_ON {
        parts.push(format!("and by {} more", taken.len() - MAX_TAKEN_ON));
    }
    let times = if total == 1 { "once".to_owned() } else { format!("{total} times") };
    format!(" Then the role was taken on {times}: {}.", parts.join("; "))
}

/// "The key was deleted", "The role was deleted"...: what end `e` did.
fn taken_back(e: &IamChange, store: &Store) -> String {
    let subject = store.str(e.subject);
    let (kind, _) = split(&subject);
    match (e.act, &*store.str(store.name(e.row))) {
        (Act::KeyEnded, "UpdateAccessKey") => "The key was made inactive".to_owned(),
        (Act::KeyEnded, _) => "The key was deleted".to_owned(),
        (Act::PasswordEnded, _) => "The password was deleted".to_owned(),
        (Act::MfaEnabled, _) => "An MFA device was enabled for the user again".to_owned(),
        (Act::PolicyDeleted, _) => "The policy was deleted".to_owned(),
        (Act::Detached, _) => "The policy was detached".to_owned(),
        (Act::InlineDeleted, _) => "The inline policy was deleted".to_owned(),
        (Act::Left, _) => "The user was taken out of the group".to_owned(),
        (Act::Trust, _) => {
            "The trust policy was set back to let in only the account's own principals and services".to_owned()
        }
        _ => format!("The {kind} was deleted"),
    }
}

/// "the user NAME" or "the root user" making call `r` on itself.
fn caller_user(store: &Store, r: Row) -> String {
    let id = store.identity(r);
    match id.kind {
        IdentityType::Root => "the root user".to_owned(),
        _ => format!("user {}", or(&store.str(id.user_name), "(unnamed)")),
    }
}

/// "at T" or "first at A, last at B".
fn span(first: Millis, last: Millis) -> String {
    if first == last {
        format!("at {}", utc(first))
    } else {
        format!("first at {}, last at {}", utc(first), utc(last))
    }
}

/// `s`, or `fallback` when empty.
fn or(s: &str, fallback: &str) -> String {
    if s.is_empty() {
        fallback.to_owned()
    } else {
        s.to_owned()
    }
}
