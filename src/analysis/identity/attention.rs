//! What deserves a look, each item saying why it is listed.
//!
//! - **Root activity**: any call by the root user. AWS advises using it only for the few tasks that
//!   need it, so each use is worth knowing about.
//! - **Console sign-in without MFA**: `ConsoleLogin` by the root user or an IAM user with
//!   `MFAUsed: No`. Role and federated sign-ins are left out: their MFA, if any, happens at the identity
//!   provider, and CloudTrail records `No` for them either way.
//! - **Access denied burst**: at least [`BURST_MIN`] refused calls by one principal, each within
//!   [`BURST_GAP_MS`] of the previous one: what permission enumeration looks like.
//! - **Long-term key from a new address**: an `AKIA…` key used from an IP address it had not been
//!   used from when it first appeared in these logs.
//! - **ECR opened to outsiders**: an ECR repository policy, registry policy or repository
//!   creation template's policy that went through and lets principals of another account (or
//!   anyone meeting a condition) in, or anyone at all (high); or replication to another account.
//! - **Images pushed to ECR Public**: by one principal to one public repository, where anyone can
//!   pull them (medium).
//! - **ECR protection turned down** ([`crate::analysis::container::guards`]): a repository's tags
//!   made mutable (high when a push moved a tag while they were, medium else), its scan on push or
//!   a registry's scanning turned off (medium), its KMS key turned off (high), or a refused attempt
//!   at any of these (medium, grouped by principal).
//! - **Credentials made or MFA removed** and **Administrator access or outside trust given**
//!   (calls read by [`crate::facts::iam`]): an access key or console password made for another
//!   user, MFA taken off a user; administrator access given, a role made to trust another account
//!   or anyone; or a refused attempt at any of these.
//! - **Image deleted soon after its push** (`erased`): a `BatchDeleteImage` that deleted an image
//!   pushed to the repository less than a day before (or a `DeleteRepository` that took such
//!   images with it), with who pulled it meanwhile.
//! - **Role refused to web identities** (`refused`): `AssumeRoleWithWebIdentity` refused, by role,
//!   with the subjects the tokens named.
//! - **Images expired by a new lifecycle policy** (`expired`): a `PutLifecyclePolicy` whose first
//!   runs expired tagged images or images in use.
//! - **Tag moved by a new pusher** (`moved`): a push that moved a tag naming another's image, by a
//!   principal new to the repository.
//! - **CloudTrail logging stopped or narrowed**: a trail or event data store stopped (`StopLogging`,
//!   ingestion stopped) or deleted (high), or told to log less (event selectors that leave out
//!   management events, digest files turned off, delivery moved; medium), by one principal; a
//!   refused attempt at any of these too (medium). What it hides is what these logs cannot show.
//! - **Unusual client on writes**: write calls from a user agent naming a penetration-testing
//!   distribution, from a client that is none of the known ones, or from a client that makes up less
//!   than [`RARE_SHARE_PERCENT`]% of a busy principal's calls.
//!
//! "New" and "unusual" are relative to the rows looked at (the filter and the time range), which is
//! what an investigator narrowing a window expects; the reasons say so.

use std::borrow::Cow;
use std::net::IpAddr;

use hashbrown::{HashMap, HashSet};
use serde::{Deserialize, Serialize};

use super::breakdown::{Acc, Gathered};
use super::client::{pentest_distribution, Client};
use super::List;
use crate::analysis::container::PUBLIC_SOURCE;
use crate::analysis::filter::{Field, Filter};
use crate::analysis::principal::principal_label;
use crate::facts::container::{Exposure, Fact, Kind, RepoAt};
use crate::facts::trail::{Effect, Target};
use crate::model::{IdentityType, Mfa, Millis, Sym};
use crate::store::Row;
use crate::text::{duration, plural, thousands, utc};

/// Refused calls closer together than this belong to one burst.
pub const BURST_GAP_MS: Millis = 5 * 60 * 1000;

/// Fewest refused calls that make a burst.
pub const BURST_MIN: usize = 5;

/// A principal needs at least this many calls before one of its clients can be called rare.
pub const RARE_MIN_EVENTS: u64 = 20;

/// A client is rare for a principal below this share of its calls.
pub const RARE_SHARE_PERCENT: u64 = 5;

/// Items listed at most.
pub const MAX_ATTENTION: usize = 200;

/// Call names quoted in one reason at most.
const MAX_NAMES: usize = 5;

/// Why an item is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AttentionKind {
    /// Calls by the root user.
    RootActivity,
    /// Console sign-ins without MFA.
    ConsoleLoginWithoutMfa,
    /// A burst of refused calls.
    AccessDeniedBurst,
    /// A long-term key at a new address.
    LongTermKeyNewIp,
    /// Writes from an unusual client.
    UnusualClientWrite,
    /// An ECR policy that lets other accounts or everyone in, or replication to another account.
    EcrOpened,
    /// A trail or event data store stopped, deleted or narrowed, or an attempt at it.
    LoggingWeakened,
    /// Another service that watches the account (`GuardDuty`, Config, flow logs...) turned off or
    /// narrowed, or an attempt at it.
    MonitoringWeakened,
    /// An ECR repository's tags made mutable, its scan on push or a registry's scanning turned
    /// off, or an attempt at it.
    EcrProtectionLowered,
    /// An access key or console password made for another user, or MFA taken off a user.
    CredentialsMade,
    /// Administrator access given, or a role made to trust another account or anyone, or an
    /// attempt at either or at [`AttentionKind::CredentialsMade`].
    AccessWidened,
    /// An ECR image deleted (`BatchDeleteImage`, or with its repository) less than a day after
    /// its push.
    ImageErased,
    /// `AssumeRoleWithWebIdentity` refused for a role.
    RoleRefused,
    /// A lifecycle policy put whose first runs expired tagged images or images in use.
    LifecycleExpired,
    /// An ECR tag that named another's image moved by a principal new to the repository.
    TagMovedByNewPusher,
    /// An ECS task definition's new revision runs an image from a registry its family's earlier
    /// registrations did not use, outside the account's ECR.
    ImageFromNewSource,
    /// An ECS task definition's new revision gives its tasks a role its family's earlier
    /// registrations did not.
    TaskRoleNew,
    /// An ECS task started with its task role overridden by another.
    TaskRoleOverridden,
    /// ECS Exec commands run in running containers.
    ContainerExec,
    /// An ECS task definition's registration gives its containers the host they run on
    /// (privileged, the host's processes, such capabilities or mounts), more than its family's
    /// registration before it did.
    TaskDefHostAccess,
    /// Another service's write (a Lambda function's code, a Batch job definition...) naming an
    /// image from another account's ECR that the earlier writes for the same thing did not.
    WorkloadImageFromOutside,
    /// An ECS task definition's registration holds credentials in plain environment variables
    /// its family's registration before it did not.
    TaskDefCredentials,
    /// An ECS task definition's registration names no log driver where its family's
    /// registration before it named one.
    TaskDefLogsDropped,
    /// An EC2 machine image or EBS snapshot shared with another account, an organization or
    /// everyone, or an attempt at it.
    ImageShared,
    /// An EC2 Image Builder recipe made to build on another account's parent image, component or
    /// Dockerfile image that its earlier versions did not build on, or on another registry's
    /// image than its earlier versions'.
    RecipeFromOutside,
    /// An ECS task started with a container's command replaced by a principal that had not
    /// registered, deployed or started its family before.
    TaskCommandReplaced,
    /// An ECS task started with credentials given to its containers in plain environment
    /// variables (`RunTask`'s container overrides).
    TaskStartCredentials,
    /// An ECR image deleted (`BatchDeleteImage`, or with its repository) while an ECS service ran
    /// it.
    ImageInUseDeleted,
    /// A `CodeBuild` build started with the project's buildspec, source, image, role, privileged
    /// mode, session debugging or environment overridden.
    BuildOverridden,
    /// A `CodeBuild` webhook set to build pull requests from anyone.
    BuildWebhookOpen,
}

impl AttentionKind {
    /// The label people see.
    pub fn label(self) -> &'static str {
        match self {
            AttentionKind::RootActivity => "Root user activity",
            AttentionKind::ConsoleLoginWithoutMfa => "Console sign-in without MFA",
            AttentionKind::AccessDeniedBurst => "Burst of denied calls",
            AttentionKind::LongTermKeyNewIp => "Long-term key from a new address",
            AttentionKind::UnusualClientWrite => "Writes from an unusual client",
            AttentionKind::EcrOpened => "ECR opened to outsiders",
            AttentionKind::LoggingWeakened => "CloudTrail logging stopped or narrowed",
            AttentionKind::MonitoringWeakened => "Monitoring turned off or narrowed",
            AttentionKind::EcrProtectionLowered => "ECR protection turned down",
            AttentionKind::CredentialsMade => "Credentials made or MFA removed",
            AttentionKind::AccessWidened => "Administrator access or outside trust given",
            AttentionKind::ImageErased => "Image deleted soon after its push",
            AttentionKind::RoleRefused => "Role refused to web identities",
            AttentionKind::LifecycleExpired => "Images expired by a new lifecycle policy",
            AttentionKind::TagMovedByNewPusher => "Tag moved by a new pusher",
            AttentionKind::ImageFromNewSource => "Task definition runs an image from a new source",
            AttentionKind::TaskRoleNew => "Task definition given a new role",
            AttentionKind::TaskRoleOverridden => "Task started with another role",
            AttentionKind::ContainerExec => "Commands run in running containers",
            AttentionKind::TaskDefHostAccess => "Task definition gives containers the host",
            AttentionKind::WorkloadImageFromOutside => "Function or job given another account's image",
            AttentionKind::TaskDefCredentials => "Task definition holds credentials",
            AttentionKind::TaskDefLogsDropped => "Task definition stops sending logs",
            AttentionKind::ImageShared => "Machine image or snapshot shared",
            AttentionKind::RecipeFromOutside => "Image Builder recipe from outside",
            AttentionKind::TaskCommandReplaced => "Task started with its command replaced",
            AttentionKind::TaskStartCredentials => "Task started with credentials in plain text",
            AttentionKind::ImageInUseDeleted => "Image deleted while a service runs it",
            AttentionKind::BuildOverridden => "Build started with its settings overridden",
            AttentionKind::BuildWebhookOpen => "Builds run for anyone's pull requests",
        }
    }

    /// Stable name, for `data-kind` and the summary.
    pub fn slug(self) -> &'static str {
        match self {
            AttentionKind::RootActivity => "root-activity",
            AttentionKind::ConsoleLoginWithoutMfa => "console-login-without-mfa",
            AttentionKind::AccessDeniedBurst => "access-denied-burst",
            AttentionKind::LongTermKeyNewIp => "long-term-key-new-ip",
            AttentionKind::UnusualClientWrite => "unusual-client-write",
            AttentionKind::EcrOpened => "ecr-opened",
            AttentionKind::LoggingWeakened => "logging-weakened",
            AttentionKind::MonitoringWeakened => "monitoring-weakened",
            AttentionKind::EcrProtectionLowered => "ecr-protection-lowered",
            AttentionKind::CredentialsMade => "credentials-made",
            AttentionKind::AccessWidened => "access-widened",
            AttentionKind::ImageErased => "image-erased",
            AttentionKind::RoleRefused => "role-refused",
            AttentionKind::LifecycleExpired => "lifecycle-expired",
            AttentionKind::TagMovedByNewPusher => "tag-moved-new-pusher",
            AttentionKind::ImageFromNewSource => "image-from-new-source",
            AttentionKind::TaskRoleNew => "task-role-new",
            AttentionKind::TaskRoleOverridden => "task-role-overridden",
            AttentionKind::ContainerExec => "container-exec",
            AttentionKind::TaskDefHostAccess => "task-def-host-access",
            AttentionKind::WorkloadImageFromOutside => "workload-image-from-outside",
            AttentionKind::TaskDefCredentials => "task-def-credentials",
            AttentionKind::TaskDefLogsDropped => "task-def-logs-dropped",
            AttentionKind::ImageShared => "image-shared",
            AttentionKind::RecipeFromOutside => "recipe-from-outside",
            AttentionKind::TaskCommandReplaced => "task-command-replaced",
            AttentionKind::TaskStartCredentials => "task-start-credentials",
            AttentionKind::ImageInUseDeleted => "image-in-use-deleted",
            AttentionKind::BuildOverridden => "build-overridden",
            AttentionKind::BuildWebhookOpen => "build-webhook-open",
        }
    }
}

/// How urgent an item looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// Look first.
    High,
    /// Look soon.
    Medium,
    /// Worth knowing.
    Low,
}

impl Severity {
    /// Lower-case name, for CSS classes and the summary.
    pub fn slug(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// One item of the attention list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    /// Why it is listed.
    pub kind: AttentionKind,
    /// How urgent.
    pub severity: Severity,
    /// Who or what, in a few words.
    pub title: String,
    /// The principal it is about (its ARN, as the Principal filter names it; for a key, the
    /// principal that used it most), or empty. The page names it in its own line, where a narrow
    /// card cuts the role before the session, not the title's end.
    pub who: String,
    /// The reason, in a sentence or two with the facts behind it.
    pub why: String,
    /// Events behind the item.
    pub events: u64,
    /// Earliest of them.
    pub first: Millis,
    /// Latest of them.
    pub last: Millis,
    /// Filter values that show these events (added to the current filter).
    pub chips: Vec<(Field, String)>,
    /// A time range (from inclusive, to exclusive) that shows them, for bursts.
    pub range: Option<(Millis, Millis)>,
}

impl Attention {
    /// An item about `n` calls of principal `label` (ARN; empty when none) made between `first`
    /// and `last`, narrowing to `chips`, that principal and those seconds.
    pub(super) fn of_calls(
        kind: AttentionKind,
        severity: Severity,
        (title, why): (String, String),
        label: &str,
        (n, first, last): (u64, Millis, Millis),
        mut chips: Vec<(Field, String)>,
    ) -> Attention {
        if !label.is_empty() {
            chips.push((Field::Principal, label.to_owned()));
        }
        let range = Some(seconds(first, last));
        Attention { kind, severity, title, who: label.to_owned(), why, events: n, first, last, chips, range }
    }

    /// `f` narrowed to this item's events.
    #[must_use]
    pub fn narrow(&self, f: &Filter) -> Filter {
        let mut out = self.chips.iter().fold(f.clone(), |acc, (field, value)| acc.with(*field, value));
        if let Some((from, to)) = self.range {
            out.from = Some(out.from.map_or(from, |t| t.max(from)));
            out.to = Some(out.to.map_or(to, |t| t.min(to)));
        }
        out
    }
}

/// What deserves a look, most serious first and cut at [`MAX_ATTENTION`], and how many of all of
/// them are of high severity.
pub(crate) fn attention(g: &Gathered) -> (List<Attention>, u64) {
    let mut items = Vec::new();
    root(g, &mut items);
    console_without_mfa(g, &mut items);
    denied_bursts(g, &mut items);
    new_ips(g, &mut items);
    unusual_clients(g, &mut items);
    ecr_opened(g, &mut items);
    public_pushes(g, &mut items);
    super::protection::lowered(g, &mut items);
    super::access::given(g, &mut items);
    super::shared::shared(g, &mut items);
    super::erased::short_lived(g, &mut items);
    super::in_use::deleted(g, &mut items);
    super::expired::by_new_policy(g, &mut items);
    super::moved::by_new_pusher(g, &mut items);
    super::outside::new_source(g, &mut items);
    super::task_role::new_role(g, &mut items);
    super::task_role::overridden(g, &mut items);
    super::command::replaced(g, &mut items);
    super::exec::commands(g, &mut items);
    super::host_access::given(g, &mut items);
    super::workload::new_source(g, &mut items);
    super::recipe::outside(g, &mut items);
    super::build::overridden(g, &mut items);
    super::build::webhooks(g, &mut items);
    super::secrets::in_environment(g, &mut items);
    super::secrets::at_start(g, &mut items);
    super::task_logs::dropped(g, &mut items);
    super::refused::refused(g, &mut items);
    logging(g, &mut items);
    items.sort_by(|a, b| {
        (a.severity, a.kind, a.first, &a.title, &a.why).cmp(&(b.severity, b.kind, b.first, &b.title, &b.why))
    });
    let total = items.len() as u64;
    let high = items.iter().filter(|a| a.severity == Severity::High).count() as u64;
    items.truncate(MAX_ATTENTION);
    (List { rows: items, total }, high)
}

/// `ecr.amazonaws.com` + `PutImage` → `ecr:PutImage`.
pub(super) fn call_name(g: &Gathered, source: Sym, name: Sym) -> String {
    let s = g.str(source);
    format!("{}:{}", s.strip_suffix(".amazonaws.com").unwrap_or(&s), g.str(name))
}

/// The distinct addresses and clients of `rows`, in the order first seen: "from … with …".
pub(super) fn whence(g: &Gathered, rows: impl Iterator<Item = Row>) -> (Vec<String>, Vec<&'static str>) {
    let (mut addresses, mut clients): (Vec<String>, Vec<&'static str>) = (Vec::new(), Vec::new());
    for r in rows {
        let ip = g.str(g.store.ip(r)).into_owned();
        if !addresses.contains(&ip) {
            addresses.push(ip);
        }
        let client = g.client(g.store.user_agent(r)).label();
        if !clients.contains(&client) {
            clients.push(client);
        }
    }
    (addresses, clients)
}

/// "the first write was ecr:PutImage at …", when there was one.
pub(super) fn first_write(g: &Gathered, acc: &Acc) -> String {
    acc.first_write.map(|(t, s, n)| format!("; first write: {} at {}", call_name(g, s, n), utc(t))).unwrap_or_default()
}

fn root(g: &Gathered, out: &mut Vec<Attention>) {
    let mut groups: HashMap<&str, Acc> = HashMap::new();
    for (&id, acc) in &g.by_id {
        if g.identity(id).kind == IdentityType::Root {
            groups.entry(g.label(id)).or_default().merge(acc);
        }
    }
    for (label, acc) in groups {
        out.push(Attention {
            kind: AttentionKind::RootActivity,
            severity: Severity::High,
            title: format!("Root user {label}"),
            who: label.to_owned(),
            why: format!(
                "The root user made {} ({}, {} failed) {}{}. AWS advises keeping the root user for the few \
                 tasks that need it, so every use is worth checking.",
                plural(acc.events, "call", "calls"),
                plural(acc.writes, "write", "writes"),
                thousands(acc.errors),
                when(acc.first, acc.last),
                first_write(g, &acc),
            ),
            events: acc.events,
            first: acc.first,
            last: acc.last,
            chips: vec![(Field::Principal, label.to_owned())],
            range: None,
        });
    }
}

fn console_without_mfa(g: &Gathered, out: &mut Vec<Attention>) {
    // label → (sign-ins, succeeded, first, last, addresses)
    let mut groups: HashMap<&str, (u64, u64, Millis, Millis, HashSet<Sym>)> = HashMap::new();
    for &(id, r) in &g.signins {
        let i = g.identity(id);
        if i.mfa != Mfa::No || !matches!(i.kind, IdentityType::Root | IdentityType::IAMUser) {
            continue;
        }
        let failed = g.store.credentials.signin_failed(r) || !g.store.error_code(r).is_empty();
        let t = g.store.time(r);
        let e = groups.entry(g.label(id)).or_insert((0, 0, Millis::MAX, Millis::MIN, HashSet::new()));
        e.0 += 1;
        e.1 += u64::from(!failed);
        e.2 = e.2.min(t);
        e.3 = e.3.max(t);
        e.4.insert(g.store.ip(r));
    }
    for (label, (n, ok, first, last, ips)) in groups {
        let mut ips: Vec<Cow<str>> = ips.iter().map(|&s| g.str(s)).collect();
        ips.sort_unstable();
        out.push(Attention {
            kind: AttentionKind::ConsoleLoginWithoutMfa,
            severity: if ok > 0 { Severity::High } else { Severity::Medium },
            title: format!("{label} signed in without MFA"),
            who: label.to_owned(),
            why: format!(
                "{} to the console with MFAUsed: No ({} succeeded, {} failed) from {}. Without MFA a \
                 password alone opens the console.",
                plural(n, "sign-in", "sign-ins"),
                thousands(ok),
                thousands(n - ok),
                list(&ips),
            ),
            events: n,
            first,
            last,
            chips: vec![
                (Field::Principal, label.to_owned()),
                (Field::Name, "ConsoleLogin".to_owned()),
                (Field::Mfa, "No".to_owned()),
            ],
            range: None,
        });
    }
}

/// One item per repository or registry that ECR policies or replication opened to outsiders
/// ([`super::breakdown::Gathered::opened`]), by call and by whom they let in: a policy set again
/// and again (by a pipeline, say) is one item, named by who set it first.
fn ecr_opened(g: &Gathered, out: &mut Vec<Attention>) {
    // (call, registry, region, repository, ECR Public, exposure) → its calls: (time, identity, row)
    type Opening = (Sym, Sym, Sym, Sym, bool, Exposure);
    let store = g.store;
    let public_source = store.strings.lookup(PUBLIC_SOURCE);
    let mut groups: HashMap<Opening, Vec<(Millis, u32, Row)>> = HashMap::new();
    for &(id, r) in &g.opened {
        let Some(f @ Fact { repo, kind: Kind::RepoChange { exposure, .. }, .. }) = store.container.get(r) else {
            continue;
        };
        let registry = f.registry_or_account(store);
        let public = public_source.is_some_and(|p| store.source(r) == p);
        let key = (store.name(r), registry, store.region(r), repo, public, exposure);
        groups.entry(key).or_default().push((store.time(r), id, r));
    }
    for ((call, account, region, repo, public, exposure), mut calls) in groups {
        calls.sort_unstable();
        let (first, opener, _) = calls[0];
        let (last, _, latest) = calls[calls.len() - 1];
        let call = g.str(call);
        let registry = format!("registry {} in {}", g.str(account), g.str(region));
        let whom = whom(exposure);
        let let_in = "Whoever it lets in can pull the images (or push, as its actions say).";
        let (title, what, then) = match &*call {
            "SetRepositoryPolicy" => (
                format!("Repository {} opened to {}", g.str(repo), reach(exposure)),
                format!("set a policy on repository {} ({registry}) that lets {whom} in", g.str(repo)),
                let_in,
            ),
            "PutReplicationConfiguration" => (
                format!("ECR {registry} replicates to another account"),
                format!("set replication on ECR {registry} that copies images pushed there to another account"),
                "An image copied out leaves this account's control.",
            ),
            "PutRegistryPolicy" => (
                format!("ECR {registry} opened to {}", reach(exposure)),
                format!("set the policy of ECR {registry}, which lets {whom} replicate into it or pull through it"),
                "Images replicated in run as this account's own.",
            ),
            _ => (
                format!("New repositories of {registry} opened to {}", reach(exposure)),
                format!("set a template that gives new repositories of {registry} a policy that lets {whom} in"),
                let_in,
            ),
        };
        let lines = match store.container.get(latest).map(|f| f.kind) {
            Some(Kind::RepoChange { lines, .. }) => store.container.syms(lines).iter().map(|&l| g.str(l)).collect(),
            _ => Vec::new(),
        };
        let n = calls.len() as u64;
        let mut who: Vec<&str> = calls.iter().map(|&(_, id, _)| g.label(id)).collect();
        who.sort_unstable();
        who.dedup();
        // Who came in through a repository opened to other accounts.
        let (came, outsiders) = if &*call == "SetRepositoryPolicy" && !repo.is_empty() {
            super::came_in::came_in(g, first, latest)
        } else {
            (String::new(), false)
        };
        let why = if n == 1 {
            format!("{call} at {} {what}: {}. {then}{came}", utc(first), lines_said(&lines))
        } else {
            let by = match who.len() {
                1 => "the principal named above".to_owned(),
                k => format!("{k} principals, the first the one named above"),
            };
            format!(
                "{call} {} ({} by {by}) {what}; the last: {}. {then}{came}",
                when(first, last),
                plural(n, "call", "calls"),
                lines_said(&lines)
            )
        };
        let mut chips = vec![(Field::Name, call.into_owned()), (Field::Region, g.str(region).into_owned())];
        if !repo.is_empty() {
            // By its ARN: the same name in another registry or region is another repository.
            let (account, region, name) = (g.str(account), g.str(region), g.str(repo));
            chips.push((Field::Repository, RepoAt::new(&account, &region, &name, public).value()));
        }
        if let [one] = who[..] {
            chips.push((Field::Principal, one.to_owned()));
        }
        out.push(Attention {
            kind: AttentionKind::EcrOpened,
            severity: if exposure == Exposure::Everyone || outsiders { Severity::High } else { Severity::Medium },
            title,
            who: g.label(opener).to_owned(),
            why,
            events: n,
            first,
            last,
            chips,
            range: Some(seconds(first, last)),
        });
    }
}

/// One item per principal and ECR Public repository it pushed to.
fn public_pushes(g: &Gathered, out: &mut Vec<Attention>) {
    // (label, registry, repository) → (pushes, first, last)
    let mut groups: HashMap<(&str, Sym, Sym), (u64, Millis, Millis)> = HashMap::new();
    for &(id, r) in &g.public_pushes {
        let Some(f) = g.store.container.get(r) else { continue };
        let registry = f.registry_or_account(g.store);
        let t = g.store.time(r);
        let e = groups.entry((g.label(id), registry, f.repo)).or_insert((0, Millis::MAX, Millis::MIN));
        e.0 += 1;
        e.1 = e.1.min(t);
        e.2 = e.2.max(t);
    }
    for ((label, registry, repo), (n, first, last)) in groups {
        let repo = g.str(repo);
        let arn = RepoAt::new(&g.str(registry), "", &repo, true).value();
        out.push(Attention {
            kind: AttentionKind::EcrOpened,
            severity: Severity::Medium,
            title: format!("{} to ECR Public repository {repo}", plural(n, "image pushed", "images pushed")),
            who: label.to_owned(),
            why: format!(
                "{} {} to {repo}, a public repository of account {} (public.ecr.aws): anyone \
                 at all can pull what is pushed there. Worth checking that each was meant to be published.",
                plural(n, "PutImage call", "PutImage calls"),
                when(first, last),
                g.str(registry),
            ),
            events: n,
            first,
            last,
            chips: vec![
                (Field::Principal, label.to_owned()),
                (Field::Source, PUBLIC_SOURCE.to_owned()),
                (Field::Name, "PutImage".to_owned()),
                (Field::Repository, arn),
            ],
            range: None,
        });
    }
}

/// What call `call` did to what it named, for an attention item's title ("Trail main stopped"):
/// `stops` whether it stopped it, else it narrowed it.
fn done(stops: bool, call: &str) -> &'static str {
    match (stops, call) {
        (true, "DeleteBucketPolicy" | "PutBucketPolicy") => "closed to CloudTrail",
        (true, "DisableKey") => "disabled",
        (true, "ScheduleKeyDeletion") => "scheduled for deletion",
        (true, c) if c.starts_with("Delete") => "deleted",
        (true, c) if c.starts_with("Disable") || c.starts_with("Update") => "turned off",
        (true, _) => "stopped",
        (false, "PutBucketLifecycle") => "set to delete log files",
        (false, "DeleteObject") => "had log files deleted",
        (false, "DeleteObjects") => "had objects deleted",
        (false, "LeaveOrganization" | "RemoveAccountFromOrganization") => "taken out of its organization",
        (false, _) => "narrowed",
    }
}

/// What is lost once call `call` of `source` to `target` went through, for an item's reason.
fn lost(target: Target, call: &str, source: &str) -> &'static str {
    match target {
        Target::Bucket if call == "DeleteObject" => {
            "The files deleted are in no copy these logs hold; with their digests dropped, the Integrity tab lists them as missing, with who deleted them."
        }
        Target::Bucket if call == "DeleteObjects" => {
            "Which objects is not logged: log files among them are in no copy these logs hold; with their digests dropped, the Integrity tab lists those it misses, saying objects were deleted here after they were delivered."
        }
        Target::Bucket => "A trail delivers its log files there: from then on they are deleted, or not delivered.",
        Target::Trail => "What it did not record from then on is in no log, these or any other.",
        Target::Key => {
            "A trail encrypts its log files with it: CloudTrail delivers none while it cannot use the key."
        }
        Target::Monitor if crate::facts::monitor::PER_NAME.contains(&source) => {
            "What it would have raised or passed on from then on reached no one."
        }
        // GuardDuty's filters that archive, Inspector's suppression rules.
        Target::Monitor if call == "CreateFilter" || call == "UpdateFilter" => {
            "The findings it matches are still made, but archived or suppressed as they come: they reach no one who does not look for them."
        }
        Target::Monitor => "What it did not watch from then on is in none of its records or findings.",
    }
}

/// One item per trail (or bucket, or other service's thing), call, principal and outcome of the
/// calls that stopped or narrowed logging or monitoring.
fn logging(g: &Gathered, out: &mut Vec<Attention>) {
    // (trail, source, call, principal, refused, effect) → (time, row)
    type Group<'g> = (Sym, Sym, Sym, &'g str, bool, Effect);
    let store = g.store;
    let mut groups: HashMap<Group, Vec<(Millis, Row)>> = HashMap::new();
    for &(id, r, effect) in &g.logging {
        let Some(c) = store.trail.get(r) else { continue };
        let refused = !store.error_code(r).is_empty();
        let what = if c.target == Target::Bucket { c.bucket } else { c.trail };
        let key = (what, store.source(r), store.name(r), g.label(id), refused, effect);
        groups.entry(key).or_default().push((store.time(r), r));
    }
    for ((trail, source, call, label, refused, effect), mut calls) in groups {
        calls.sort_unstable();
        let (first, last) = (calls[0].0, calls[calls.len() - 1].0);
        let (_, latest) = calls[calls.len() - 1];
        let Some(change) = store.trail.get(latest) else { continue };
        let value = g.str(trail);
        let source = g.str(source);
        // Grouped by bucket: a log file deleted is about its bucket here, not its key.
        let trail_value = if change.target == Target::Bucket { "" } else { &*value };
        let (what, name) = crate::analysis::logging::subject(change.target, trail_value, &value, &g.str(call), &source);
        // "Trail main stopped": the title starts with it.
        let title_what = format!("{}{}", what[..1].to_uppercase(), &what[1..]);
        let stops = effect == Effect::Stops;
        let done = done(stops, &g.str(call));
        let call = g.str(call);
        let n = calls.len() as u64;
        let lines: Vec<String> = change.lines.iter().map(|&l| g.str(l).into_owned()).collect();
        let (title, severity) = if refused {
            let tried = match (stops, &*call) {
                (false, "LeaveOrganization" | "RemoveAccountFromOrganization") => {
                    format!("Tried to take {what} {name} out of its organization")
                }
                (false, "DeleteObject") => format!("Tried to delete log files from {what} {name}"),
                (false, "DeleteObjects") => format!("Tried to delete objects from {what} {name}"),
                (true, _) => format!("Tried to stop {what} {name}"),
                (false, _) => format!("Tried to narrow {what} {name}"),
            };
            (tried, Severity::Medium)
        } else {
            // Log files deleted are evidence gone, as a trail stopped is evidence never made.
            let high = stops || &*call == "DeleteObject";
            (format!("{title_what} {name} {done}"), if high { Severity::High } else { Severity::Medium })
        };
        let calls_of = format!(
            "{} of {what} {name} {}",
            plural(n, &format!("{call} call"), &format!("{call} calls")),
            when(first, last)
        );
        let why = if refused {
            let code = g.str(store.error_code(latest));
            format!(
                "{calls_of} refused ({code}); had it gone through: {}. Nothing changed, but someone tried.",
                lines_said(&lines)
            )
        } else {
            let again = if stops { started_again(g, change, latest) } else { String::new() };
            format!("{calls_of}: {}. {}{again}", lines_said(&lines), lost(change.target, &call, &source))
        };
        let kind = if change.target == Target::Monitor {
            AttentionKind::MonitoringWeakened
        } else {
            AttentionKind::LoggingWeakened
        };
        let chips = vec![(Field::Source, source.into_owned()), (Field::Name, call.into_owned())];
        out.push(Attention::of_calls(kind, severity, (title, why), label, (n, first, last), chips));
    }
}

/// Whether what stop `c` (row `r`, the group's last) stopped was started again, for its item's
/// reason: " Started again at … by … (`StartLogging`), 3 min after." or " Not started again in these
/// logs."; nothing for what no call starts again (a bucket, flow logs, a rule deleted).
fn started_again(g: &Gathered, c: &crate::facts::trail::Change, r: Row) -> String {
    let store = g.store;
    let source = g.str(store.source(r));
    if !crate::analysis::logging::restartable(c.target, &source, &g.str(store.name(r))) {
        return String::new();
    }
    let kept = crate::analysis::logging::deletion_cancelled(store, c, r).map_or_else(String::new, |k| kept(g, k));
    let again = match crate::analysis::logging::started_again(store, c, r) {
        Some(s) => format!(
            " Started again at {} by {} ({}), {} after.",
            utc(store.time(s)),
            principal_label(&store.identity(s), &store.strings),
            g.str(store.name(s)),
            duration(store.time(s) - store.time(r))
        ),
        None => " Not started again in these logs.".to_owned(),
    };
    format!("{kept}{again}")
}

/// " Its deletion was cancelled at … by … (`CancelKeyDeletion`): …", for a key whose deletion
/// `CancelKeyDeletion` row `k` cancelled: KMS keeps it, disabled.
pub(super) fn kept(g: &Gathered, k: Row) -> String {
    let store = g.store;
    format!(
        " Its deletion was cancelled at {} by {} (CancelKeyDeletion): the key was kept, disabled until it is enabled.",
        utc(store.time(k)),
        principal_label(&store.identity(k), &store.strings)
    )
}

/// The range from the start of `first`'s second to the end of `last`'s (see `burst`): event times
/// are logged in whole seconds, and the time filter's inputs take whole seconds.
pub(super) fn seconds(first: Millis, last: Millis) -> (Millis, Millis) {
    (first - first.rem_euclid(1000), last - last.rem_euclid(1000) + 1000)
}

/// Whom a policy that lets others in lets in, for an item's reason.
pub(super) fn whom(e: Exposure) -> &'static str {
    match e {
        Exposure::Everyone => "anyone at all (principal *, with no condition)",
        _ => "principals of another account (or anyone who meets its conditions)",
    }
}

/// "everyone" or "other accounts".
fn reach(e: Exposure) -> &'static str {
    if e == Exposure::Everyone {
        "everyone"
    } else {
        "other accounts"
    }
}

/// "at T" or "between A and B".
pub(super) fn when(first: Millis, last: Millis) -> String {
    if first == last {
        format!("at {}", utc(first))
    } else {
        format!("between {} and {}", utc(first), utc(last))
    }
}

/// Up to [`MAX_NAMES`] items joined by `sep`, then " and N more".
pub(super) fn joined<S: AsRef<str>>(items: &[S], sep: &str) -> String {
    let shown = items.iter().take(MAX_NAMES).map(AsRef::as_ref).collect::<Vec<_>>().join(sep);
    match items.len().checked_sub(MAX_NAMES) {
        Some(more) if more > 0 => format!("{shown} and {more} more"),
        _ => shown,
    }
}

/// Up to [`MAX_NAMES`] items, then "and N more" ("no recorded address" when that says nothing).
pub(super) fn list<S: AsRef<str>>(items: &[S]) -> String {
    match joined(items, ", ") {
        shown if shown.is_empty() => "no recorded address".to_owned(),
        shown => shown,
    }
}

/// Summary lines of a policy or a setting, one after another ("Allow …: ecr:*; Deny …"), up to
/// [`MAX_NAMES`]; "nothing of it could be read" when there are none.
pub(super) fn lines_said<S: AsRef<str>>(lines: &[S]) -> String {
    match joined(lines, "; ") {
        shown if shown.is_empty() => "nothing of it could be read".to_owned(),
        shown => shown,
    }
}

fn denied_bursts(g: &Gathered, out: &mut Vec<Attention>) {
    let mut by_label: HashMap<&str, Vec<(Millis, Sym, Sym)>> = HashMap::new();
    for &(id, t, source, name) in &g.denied {
        by_label.entry(g.label(id)).or_default().push((t, source, name));
    }
    for (label, mut calls) in by_label {
        calls.sort_unstable();
        let mut start = 0;
        for i in 1..=calls.len() {
            if i < calls.len() && calls[i].0 - calls[i - 1].0 <= BURST_GAP_MS {
                continue;
            }
            if i - start >= BURST_MIN {
                out.push(burst(g, label, &calls[start..i]));
            }
            start = i;
        }
    }
}

fn burst(g: &Gathered, label: &str, calls: &[(Millis, Sym, Sym)]) -> Attention {
    let mut names: HashMap<(Sym, Sym), u64> = HashMap::new();
    for &(_, s, n) in calls {
        *names.entry((s, n)).or_default() += 1;
    }
    let mut names: Vec<(String, u64)> = names.into_iter().map(|((s, n), c)| (call_name(g, s, n), c)).collect();
    names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let quoted: Vec<String> = names.iter().map(|(n, c)| if *c > 1 { format!("{n} ×{c}") } else { n.clone() }).collect();
    let quoted: Vec<&str> = quoted.iter().map(String::as_str).collect();
    let (first, last) = (calls[0].0, calls[calls.len() - 1].0);
    Attention {
        kind: AttentionKind::AccessDeniedBurst,
        severity: if names.len() >= 10 { Severity::High } else { Severity::Medium },
        title: format!("{} denied for {label}", plural(calls.len() as u64, "call", "calls")),
        who: label.to_owned(),
        why: format!(
            "{} refused within {} from {}, across {}: {}. A run of refusals like this is what permission \
             enumeration, or a tool running with the wrong role, looks like.",
            plural(calls.len() as u64, "call", "calls"),
            duration(last - first),
            utc(first),
            plural(names.len() as u64, "different API call", "different API calls"),
            list(&quoted),
        ),
        events: calls.len() as u64,
        first,
        last,
        chips: vec![(Field::Principal, label.to_owned()), (Field::Errors, "only".to_owned())],
        // To the end of the last call's second, which the range's end then names (its chip and
        // field show the last second kept; `last + 1` read "12:05:00.000").
        range: Some((first, last - last.rem_euclid(1000) + 1000)),
    }
}

fn new_ips(g: &Gathered, out: &mut Vec<Attention>) {
    let mut is_address: HashMap<Sym, bool> = HashMap::new();
    let mut by_key: HashMap<Sym, Vec<(Sym, Acc)>> = HashMap::new();
    for (&(key, ip), acc) in &g.long_term_ip {
        if *is_address.entry(ip).or_insert_with(|| g.str(ip).parse::<IpAddr>().is_ok()) {
            by_key.entry(key).or_default().push((ip, *acc));
        }
    }
    let mut owner: HashMap<Sym, (u64, &str)> = HashMap::new();
    for (&id, acc) in &g.by_id {
        let e = owner.entry(g.identity(id).access_key).or_insert((0, ""));
        if (acc.events, std::cmp::Reverse(g.label(id))) > (e.0, std::cmp::Reverse(e.1)) {
            *e = (acc.events, g.label(id));
        }
    }
    for (key, mut ips) in by_key {
        ips.sort_by(|a, b| a.1.first.cmp(&b.1.first).then_with(|| g.str(a.0).cmp(&g.str(b.0))));
        let start = ips[0].1.first;
        let (known, new): (Vec<_>, Vec<_>) = ips.iter().partition(|(_, acc)| acc.first == start);
        if new.is_empty() {
            continue;
        }
        let mut total = Acc::default();
        for (_, acc) in &new {
            total.merge(acc);
        }
        let known: Vec<Cow<str>> = known.iter().map(|(ip, _)| g.str(*ip)).collect();
        let later: Vec<String> = new
            .iter()
            .map(|(ip, acc)| {
                format!("{} from {} ({})", g.str(*ip), utc(acc.first), plural(acc.events, "call", "calls"))
            })
            .collect();
        let later: Vec<&str> = later.iter().map(String::as_str).collect();
        let key_text = g.str(key);
        let principal = owner.get(&key).map_or("", |o| o.1);
        let mut chips = vec![(Field::AccessKey, key_text.to_string())];
        chips.extend(new.iter().take(10).map(|(ip, _)| (Field::Ip, g.str(*ip).into_owned())));
        out.push(Attention {
            kind: AttentionKind::LongTermKeyNewIp,
            severity: if total.writes > 0 { Severity::High } else { Severity::Medium },
            title: format!("{key_text} ({principal}) at {}", plural(new.len() as u64, "new address", "new addresses")),
            who: principal.to_owned(),
            why: format!(
                "This long-term key was first used from {} at {}, then from {}{}. A long-term key showing up \
                 at a new address can mean it was copied.",
                list(&known),
                utc(start),
                list(&later),
                first_write(g, &total),
            ),
            events: total.events,
            first: total.first,
            last: total.last,
            chips,
            range: None,
        });
    }
}

/// Why a write from a client is unusual.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
enum Oddity {
    #[default]
    Unrecognised,
    Pentest(&'static str),
    Rare(Client),
}

fn unusual_clients(g: &Gathered, out: &mut Vec<Attention>) {
    // Keyed by principal name numbers, not names: these maps see every (identity, agent) pair.
    let mut principal_events = vec![0u64; g.names.len()];
    for (&id, acc) in &g.by_id {
        principal_events[g.name_ix(id) as usize] += acc.events;
    }
    let mut client_events: HashMap<(u32, Client), u64> = HashMap::new();
    for (&(id, ua), acc) in &g.by_id_ua {
        *client_events.entry((g.name_ix(id), g.client(ua))).or_default() += acc.events;
    }
    let pentest: HashMap<Sym, Option<&'static str>> =
        g.by_ua.keys().map(|&ua| (ua, pentest_distribution(&g.str(ua)))).collect();
    // (principal, oddity) → writes tallies and the user agents behind them
    let mut groups: HashMap<(u32, Oddity), (Acc, Vec<Sym>)> = HashMap::new();
    for (&(id, ua), acc) in &g.by_id_ua {
        let kind = g.identity(id).kind;
        if acc.writes == 0
            || matches!(kind, IdentityType::AWSService | IdentityType::AwsInternal | IdentityType::NotRecorded)
        {
            continue;
        }
        let name = g.name_ix(id);
        let client = g.client(ua);
        let total = principal_events[name as usize];
        let share = client_events.get(&(name, client)).copied().unwrap_or(0);
        let oddity = if let Some(&Some(distro)) = pentest.get(&ua) {
            Oddity::Pentest(distro)
        } else if client == Client::Other {
            Oddity::Unrecognised
        } else if client.is_human_side() && total >= RARE_MIN_EVENTS && share * 100 < total * RARE_SHARE_PERCENT {
            Oddity::Rare(client)
        } else {
            continue;
        };
        let e = groups.entry((name, oddity)).or_default();
        e.0.merge(acc);
        e.1.push(ua);
    }
    for ((name, oddity), (acc, mut agents)) in groups {
        agents.sort_by(|a, b| g.str(*a).cmp(&g.str(*b)));
        agents.dedup();
        let label = g.names[name as usize].as_str();
        let total = principal_events[name as usize];
        let share = match oddity {
            Oddity::Rare(client) => client_events.get(&(name, client)).copied().unwrap_or(0),
            _ => 0,
        };
        out.push(unusual(g, label, oddity, &agents, &acc, (share, total)));
    }
}

/// One item for `label`'s writes from `agents`; `share` is (calls from that client, all of the
/// principal's calls).
fn unusual(g: &Gathered, label: &str, oddity: Oddity, agents: &[Sym], acc: &Acc, share: (u64, u64)) -> Attention {
    let writes = plural(acc.writes, "write call", "write calls");
    let example = first_write(g, acc);
    let quoted: Vec<String> = agents.iter().map(|&a| format!("\"{}\"", g.str(a))).collect();
    let quoted: Vec<&str> = quoted.iter().map(String::as_str).collect();
    let from = if agents.len() == 1 {
        format!("the user agent {}", list(&quoted))
    } else {
        format!("{} user agents ({})", thousands(agents.len() as u64), list(&quoted))
    };
    let mut chips = vec![(Field::Principal, label.to_owned())];
    let (severity, title, why) = match oddity {
        Oddity::Pentest(distro) => {
            chips.extend(agents.iter().take(10).map(|&a| (Field::UserAgent, g.str(a).into_owned())));
            (
                Severity::High,
                format!("{label} writing from {distro}"),
                format!(
                    "{writes} from {from}, which names {distro}, a penetration-testing distribution{example}. \
                     Unless a test was planned, these calls came from an attacker's tools."
                ),
            )
        }
        Oddity::Unrecognised => {
            chips.push((Field::Client, Client::Other.label().to_owned()));
            (
                Severity::Medium,
                format!("{label} writing from an unrecognised client"),
                format!(
                    "{writes} from {from}: not the console, the AWS CLI, an AWS SDK or a known build or \
                     infrastructure tool{example}. Scripts and attack tools often look like this."
                ),
            )
        }
        Oddity::Rare(client) => {
            chips.push((Field::Client, client.label().to_owned()));
            (
                Severity::Low,
                format!("{label} writing from {}", client.label()),
                format!(
                    "{writes} from {}, a client behind only {} of this principal's {} calls{example}. A client \
                     a principal seldom uses can be someone else using its credentials.",
                    client.label(),
                    thousands(share.0),
                    thousands(share.1),
                ),
            )
        }
    };
    chips.push((Field::Access, "write".to_owned()));
    Attention {
        kind: AttentionKind::UnusualClientWrite,
        severity,
        title,
        who: label.to_owned(),
        why,
        // The item is about the writes: the chips show exactly those.
        events: acc.writes,
        first: acc.first_write.map_or(acc.first, |w| w.0),
        last: acc.last_write,
        chips,
        range: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_narrow_adds_chips_and_intersects_the_range() {
        let item = Attention {
            kind: AttentionKind::AccessDeniedBurst,
            severity: Severity::Medium,
            title: String::new(),
            who: String::new(),
            why: String::new(),
            events: 5,
            first: 1000,
            last: 2000,
            chips: vec![(Field::Principal, "p".into()), (Field::Errors, "only".into())],
            range: Some((1000, 2001)),
        };
        let f = item.narrow(&Filter { from: Some(1500), ..Filter::default() });
        assert_eq!((f.from, f.to), (Some(1500), Some(2001)));
        assert_eq!(f.principals, ["p"]);
        assert_eq!(f.chips().len(), 3, "range, principal, errors");
        let g = item.narrow(&Filter::default());
        assert_eq!((g.from, g.to), (Some(1000), Some(2001)));
    }
}
