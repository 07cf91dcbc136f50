//! One pass over the kept rows, then every breakdown from what it gathered.
//!
//! The pass keys its tallies by interned values (identity number, user agent, account, IP, key + IP),
//! so a row costs a few hash updates whatever the length of its ARNs; names are built only once
//! per distinct identity, afterwards.

use crate::analysis::logging::LogPlaces;
use hashbrown::{HashMap, HashSet};

use super::attention::attention;
use super::chains::{chains, opened_by};
use super::client::{classify, Client};
use super::{
    beyond, finish, mfa_label, AgentRow, CenterUserRow, IdentityReport, KeyRow, KeysByKind, List, PrincipalRow,
    RoleRow, SessionRow, Stat, MAX_ROLES, MAX_ROWS, MAX_SESSIONS_PER_ROLE,
};
use crate::analysis::container::{guards, Index, PUBLIC_SOURCE};
use crate::analysis::principal::principal_label;
use crate::facts::container::{Exposure, Kind};
use crate::facts::trail::Effect;
use crate::model::{Identity, KeyKind, Millis, Sym};
use crate::store::{flags, Row, Store};

/// Tallies for one group of events.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Acc {
    pub events: u64,
    pub errors: u64,
    pub writes: u64,
    pub first: Millis,
    pub last: Millis,
    /// The earliest write: time, `eventSource`, `eventName`.
    pub first_write: Option<(Millis, Sym, Sym)>,
    /// The latest write's time.
    pub last_write: Millis,
}

impl Default for Acc {
    fn default() -> Self {
        Acc {
            events: 0,
            errors: 0,
            writes: 0,
            first: Millis::MAX,
            last: Millis::MIN,
            first_write: None,
            last_write: Millis::MIN,
        }
    }
}

/// What every tally of a row needs, read from the store once per row.
struct Fact {
    time: Millis,
    failed: bool,
    /// `eventSource` and `eventName` when the call was a write.
    write: Option<(Sym, Sym)>,
}

impl Fact {
    fn of(store: &Store, r: Row) -> Fact {
        let write = (store.flags(r) & flags::WRITE != 0).then(|| (store.source(r), store.name(r)));
        Fact { time: store.time(r), failed: !store.error_code(r).is_empty(), write }
    }
}

impl Acc {
    fn add(&mut self, f: &Fact) {
        let t = f.time;
        self.events += 1;
        self.first = self.first.min(t);
        self.last = self.last.max(t);
        self.errors += u64::from(f.failed);
        if let Some((source, name)) = f.write {
            self.writes += 1;
            self.last_write = self.last_write.max(t);
            if self.first_write.is_none_or(|(w, _, _)| t < w) {
                self.first_write = Some((t, source, name));
            }
        }
    }

    pub(crate) fn merge(&mut self, o: &Acc) {
        self.events += o.events;
        self.errors += o.errors;
        self.writes += o.writes;
        self.last_write = self.last_write.max(o.last_write);
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        if let Some(w) = o.first_write {
            if self.first_write.is_none_or(|(t, _, _)| w.0 < t) {
                self.first_write = Some(w);
            }
        }
    }

    pub(crate) fn stat(&self, key: String) -> Stat {
        Stat { key, events: self.events, errors: self.errors, writes: self.writes, first: self.first, last: self.last }
    }
}

/// What one pass over the rows collects.
pub(crate) struct Gathered<'s> {
    pub store: &'s Store,
    pub events: u64,
    pub csv_events: u64,
    /// By identity number and user agent.
    pub by_id_ua: HashMap<(u32, Sym), Acc>,
    /// By identity number.
    pub by_id: HashMap<u32, Acc>,
    /// By user agent.
    pub by_ua: HashMap<Sym, Acc>,
    pub by_account: HashMap<Sym, Acc>,
    pub by_ip: HashMap<Sym, Acc>,
    /// Distinct (access key, source IP) pairs.
    pub key_ips: HashSet<(Sym, Sym)>,
    /// By long-term access key and source IP.
    pub long_term_ip: HashMap<(Sym, Sym), Acc>,
    /// Denied calls: identity, time, source, name.
    pub denied: Vec<(u32, Millis, Sym, Sym)>,
    /// `ConsoleLogin` rows and their identity.
    pub signins: Vec<(u32, Row)>,
    /// Rows of an ECR policy or replication that went through and let another account (or
    /// everyone) in, or replicates to one, and their identity.
    pub opened: Vec<(u32, Row)>,
    /// `PutImage` rows of ECR Public that went through, and their identity.
    pub public_pushes: Vec<(u32, Row)>,
    /// Rows of ECR calls that can turn a registry's protection down
    /// ([`crate::analysis::container::guards::CALLS`]), and their identity.
    pub guards: Vec<(u32, Row)>,
    /// Rows of IAM calls that give or take back credentials or access
    /// ([`crate::facts::iam`]), and their identity.
    pub iam: Vec<(u32, Row)>,
    /// `BatchDeleteImage` and `DeleteRepository` rows of ECR that went through, and their identity.
    pub deletes: Vec<(u32, Row)>,
    /// `AssumeRoleWithWebIdentity` rows that were refused, and their identity.
    pub web_refused: Vec<(u32, Row)>,
    /// `PutLifecyclePolicy` rows of ECR that went through, and their identity.
    pub lifecycle_puts: Vec<(u32, Row)>,
    /// `PutImage` rows of ECR (not ECR Public) that went through, and their identity.
    pub put_images: Vec<(u32, Row)>,
    /// ECS `RegisterTaskDefinition` rows that went through, and their identity.
    pub task_defs: Vec<(u32, Row)>,
    /// ECS `RunTask` and `StartTask` rows that went through, and their identity.
    pub task_runs: Vec<(u32, Row)>,
    /// ECS `ExecuteCommand` rows that went through, and their identity.
    pub execs: Vec<(u32, Row)>,
    /// Other services' writes naming ECR images (a Lambda function's code, a Batch job
    /// definition...: [`Kind::ImageUse`](crate::facts::container::Kind::ImageUse)) that went
    /// through, and their identity.
    pub image_uses: Vec<(u32, Row)>,
    /// Image Builder `CreateImageRecipe` and `CreateContainerRecipe` rows that went through, and
    /// their identity.
    pub recipes: Vec<(u32, Row)>,
    /// Every log's container index, for what happened around such a call.
    pub container: &'s Index,
    /// Calls that stopped or narrowed a trail or event data store, or a trail's bucket or key, or
    /// another service that watches the account, or tried to, their identity, and what they did
    /// (`LogPlaces::effect`).
    pub logging: Vec<(u32, Row, Effect)>,
    /// The principal name (index into `names`) of each identity seen.
    pub label_ix: HashMap<u32, u32>,
    /// Distinct principal names.
    pub names: Vec<String>,
    /// The client each user agent seen names (classified once per distinct agent).
    pub clients: HashMap<Sym, Client>,
}

impl Gathered<'_> {
    /// The identity with number `id`.
    pub fn identity(&self, id: u32) -> Identity {
        self.store.identity_by_id(id)
    }

    /// The principal name of identity `id` (seen in the pass).
    pub fn label(&self, id: u32) -> &str {
        self.label_ix.get(&id).map_or("", |&i| self.names[i as usize].as_str())
    }

    /// The number of identity `id`'s principal name in `names`: several identities (other keys,
    /// other MFA states) share one name, and numbers are cheaper keys than names.
    pub fn name_ix(&self, id: u32) -> u32 {
        self.label_ix.get(&id).copied().unwrap_or(u32::MAX)
    }

    /// Text of a symbol.
    pub fn str(&self, s: Sym) -> std::borrow::Cow<'_, str> {
        self.store.str(s)
    }

    /// The client a user agent seen in the pass names.
    pub fn client(&self, ua: Sym) -> Client {
        self.clients.get(&ua).copied().unwrap_or_else(|| classify(&self.str(ua)))
    }
}

/// Whether an `errorCode` says the caller was not allowed.
pub fn is_denied(code: &str) -> bool {
    let code = code.strip_prefix("Client.").unwrap_or(code);
    code.contains("AccessDenied")
        || code.starts_with("Unauthorized")
        || code.starts_with("AuthorizationError")
        || code.starts_with("NotAuthorized")
        || code == "Forbidden"
}

/// The ECS and Image Builder calls items look at: [`Gathered::ecs_call`] sorts them.
const ECS_CALLS: [&str; 6] =
    ["RegisterTaskDefinition", "RunTask", "StartTask", "ExecuteCommand", "CreateImageRecipe", "CreateContainerRecipe"];

impl<'s> Gathered<'s> {
    /// Sorts ECS or Image Builder call `r` (by identity `id`), which went through, into the list
    /// that asks for it (`names`: [`ECS_CALLS`] looked up; no name is both services').
    fn ecs_call(&mut self, names: &[Option<Sym>; 6], id: u32, r: Row) {
        let name = Some(self.store.name(r));
        if name == names[0] {
            self.task_defs.push((id, r));
        } else if name == names[1] || name == names[2] {
            self.task_runs.push((id, r));
        } else if name == names[3] {
            self.execs.push((id, r));
        } else if name == names[4] || name == names[5] {
            self.recipes.push((id, r));
        }
    }

    /// Nothing gathered yet.
    fn new(store: &'s Store, container: &'s Index) -> Gathered<'s> {
        Gathered {
            store,
            events: 0,
            csv_events: 0,
            by_id_ua: HashMap::new(),
            by_id: HashMap::new(),
            by_ua: HashMap::new(),
            by_account: HashMap::new(),
            by_ip: HashMap::new(),
            key_ips: HashSet::new(),
            long_term_ip: HashMap::new(),
            denied: Vec::new(),
            signins: Vec::new(),
            opened: Vec::new(),
            public_pushes: Vec::new(),
            guards: Vec::new(),
            deletes: Vec::new(),
            web_refused: Vec::new(),
            lifecycle_puts: Vec::new(),
            put_images: Vec::new(),
            task_defs: Vec::new(),
            task_runs: Vec::new(),
            execs: Vec::new(),
            image_uses: Vec::new(),
            recipes: Vec::new(),
            iam: Vec::new(),
            container,
            logging: Vec::new(),
            label_ix: HashMap::new(),
            names: Vec::new(),
            clients: HashMap::new(),
        }
    }
}

fn gather<'s>(
    store: &'s Store,
    container: &'s Index,
    rows: impl Iterator<Item = Row>,
    places: &LogPlaces,
) -> Gathered<'s> {
    let mut g = Gathered::new(store, container);
    let console_login = store.strings.lookup("ConsoleLogin");
    let opening: Vec<Sym> = OPENING_CALLS.iter().filter_map(|n| store.strings.lookup(n)).collect();
    let public_push = store.strings.lookup(PUBLIC_SOURCE).zip(store.strings.lookup("PutImage"));
    let guarding: Vec<Sym> = guards::CALLS.iter().filter_map(|n| store.strings.lookup(n)).collect();
    let ecr = store.strings.lookup("ecr.amazonaws.com");
    let web = store.strings.lookup("AssumeRoleWithWebIdentity");
    let deleting: Vec<Sym> =
        ["BatchDeleteImage", "DeleteRepository"].iter().filter_map(|n| store.strings.lookup(n)).collect();
    let lifecycle_put = store.strings.lookup("PutLifecyclePolicy");
    let put_image = store.strings.lookup("PutImage");
    let ecs = [store.strings.lookup("ecs.amazonaws.com"), store.strings.lookup(crate::facts::share::BUILDER_SOURCE)];
    let ecs_calls = ECS_CALLS.map(|n| store.strings.lookup(n));
    let uses = &container.uses_by_row;
    // Changes to logging and monitoring are a handful of rows: when there are none, no row asks.
    let any_change = !store.trail.all().is_empty();
    let any_iam = !store.iam.all().is_empty();
    // Per identity number: 0 not yet known, 1 long-term key, 2 another key, 3 no key.
    let mut key_kinds = vec![0u8; store.identities().len()];
    for r in rows {
        let id = store.identity_id(r);
        let identity = store.identity(r);
        let fact = Fact::of(store, r);
        g.events += 1;
        if !identity.source_known {
            g.csv_events += 1;
        }
        g.by_id_ua.entry((id, store.user_agent(r))).or_default().add(&fact);
        g.by_account.entry(store.account(r)).or_default().add(&fact);
        g.by_ip.entry(store.ip(r)).or_default().add(&fact);
        let kind = &mut key_kinds[id as usize];
        if *kind == 0 {
            *kind = match KeyKind::of(&store.str(identity.access_key)) {
                KeyKind::LongTerm => 1,
                KeyKind::None => 3,
                _ => 2,
            };
        }
        if *kind != 3 {
            g.key_ips.insert((identity.access_key, store.ip(r)));
        }
        if *kind == 1 {
            g.long_term_ip.entry((identity.access_key, store.ip(r))).or_default().add(&fact);
        }
        let code = store.error_code(r);
        if !code.is_empty() && is_denied(&store.str(code)) {
            g.denied.push((id, store.time(r), store.source(r), store.name(r)));
        }
        if console_login.is_some_and(|c| c == store.name(r)) {
            g.signins.push((id, r));
        }
        if opening.contains(&store.name(r)) && code.is_empty() && opens(store, r) {
            g.opened.push((id, r));
        }
        if public_push == Some((store.source(r), store.name(r))) && code.is_empty() {
            g.public_pushes.push((id, r));
        }
        if guarding.contains(&store.name(r)) {
            g.guards.push((id, r));
        }
        if code.is_empty() && deleting.contains(&store.name(r)) && ecr == Some(store.source(r)) {
            g.deletes.push((id, r));
        } else if code.is_empty() && lifecycle_put == Some(store.name(r)) && ecr == Some(store.source(r)) {
            g.lifecycle_puts.push((id, r));
        } else if code.is_empty() && put_image == Some(store.name(r)) && ecr == Some(store.source(r)) {
            g.put_images.push((id, r));
        } else if code.is_empty() && ecs.contains(&Some(store.source(r))) {
            g.ecs_call(&ecs_calls, id, r);
        } else if code.is_empty() && uses.binary_search(&r).is_ok() {
            g.image_uses.push((id, r));
        } else if !code.is_empty() && web == Some(store.name(r)) {
            g.web_refused.push((id, r));
        }
        if any_iam && store.iam.get(r).is_some() {
            g.iam.push((id, r));
        }
        // A search of the few changes costs less than comparing the row's source with a dozen.
        let change = if any_change { store.trail.get(r) } else { None };
        if let Some(c) = change {
            let effect = places.effect(c);
            let listed = crate::analysis::logging::about_monitoring(store, c, places)
                || crate::analysis::logging::about_logging(store, c, places);
            if listed && matches!(effect, Effect::Stops | Effect::Narrows) {
                g.logging.push((id, r, effect));
            }
        }
    }
    for (&(id, ua), acc) in &g.by_id_ua {
        g.by_id.entry(id).or_default().merge(acc);
        g.by_ua.entry(ua).or_default().merge(acc);
    }
    let mut by_name: HashMap<String, u32> = HashMap::new();
    for &id in g.by_id.keys() {
        let name = principal_label(&store.identity_by_id(id), &store.strings);
        let next = g.names.len() as u32;
        let ix = *by_name.entry(name).or_insert_with_key(|name| {
            g.names.push(name.clone());
            next
        });
        g.label_ix.insert(id, ix);
    }
    g.clients = g.by_ua.keys().map(|&ua| (ua, classify(&store.str(ua)))).collect();
    g
}

/// Calls whose container fact may say they let another account in (a policy) or send images to
/// one (replication): named first, so that no other row's fact is decoded.
const OPENING_CALLS: [&str; 5] = [
    "SetRepositoryPolicy",
    "PutRegistryPolicy",
    "PutReplicationConfiguration",
    "CreateRepositoryCreationTemplate",
    "UpdateRepositoryCreationTemplate",
];

/// Whether row `r`'s container fact lets another account (or everyone) in.
fn opens(store: &Store, r: Row) -> bool {
    matches!(store.container.get(r).map(|f| f.kind), Some(Kind::RepoChange { exposure, .. }) if exposure > Exposure::Own)
}

/// The identity breakdowns, chains and attention list over `rows`, taking where trails put their
/// log files from the logs' trail calls alone.
pub fn report(store: &Store, rows: impl Iterator<Item = Row>) -> IdentityReport {
    // The container index serves only the items about container facts: without any, none is
    // built (the engine keeps its own).
    let any = !store.container.is_empty();
    let container = if any { Index::build(store) } else { Index::default() };
    report_knowing(store, &container, rows, &crate::analysis::logging::log_places(store, []))
}

/// [`report`], with the container index of every log loaded (`container`, as the engine keeps it)
/// and `places` where trails put their log files (as [`crate::analysis::logging::log_places`]
/// gives them, with what the files tell), for the calls to them.
pub fn report_knowing(
    store: &Store,
    container: &Index,
    rows: impl Iterator<Item = Row>,
    places: &LogPlaces,
) -> IdentityReport {
    let g = gather(store, container, rows, places);
    let text = |s: Sym| store.str(s).into_owned();
    let by_id = |f: &dyn Fn(&Identity) -> Option<String>| -> Vec<Stat> {
        let mut groups: HashMap<String, Acc> = HashMap::new();
        for (&id, acc) in &g.by_id {
            if let Some(key) = f(&g.identity(id)) {
                groups.entry(key).or_default().merge(acc);
            }
        }
        groups.into_iter().map(|(k, a)| a.stat(k)).collect()
    };
    let plain = |v: Vec<Stat>| finish(v, MAX_ROWS, |s| s);
    let nonempty = |s: Sym| (!s.is_empty()).then(|| text(s));
    let mut clients: HashMap<&'static str, Acc> = HashMap::new();
    for (&ua, acc) in &g.by_ua {
        clients.entry(g.client(ua).label()).or_default().merge(acc);
    }
    let (attention, attention_high) = attention(&g);
    let (by_key, keys_by_kind) = keys(&g);
    IdentityReport {
        events: g.events,
        csv_events: g.csv_events,
        by_type: plain(by_id(&|i| Some(i.kind.label().to_owned()))),
        by_principal: principals(&g),
        by_role: roles(&g),
        by_key,
        keys_by_kind,
        by_key_kind: plain(by_id(&|i| Some(KeyKind::of(&store.str(i.access_key)).label().to_owned()))),
        by_mfa: plain(by_id(&|i| Some(mfa_label(i.mfa).to_owned()))),
        by_invoked_by: plain(by_id(&|i| nonempty(i.invoked_by))),
        by_identity_center_user: center_users(&g),
        by_account: plain(g.by_account.iter().map(|(&s, a)| a.stat(text(s))).collect()),
        by_ip: plain(g.by_ip.iter().map(|(&s, a)| a.stat(text(s))).collect()),
        by_client: plain(clients.into_iter().map(|(k, a)| a.stat(k.to_owned())).collect()),
        by_user_agent: finish(
            g.by_ua
                .iter()
                .map(|(&s, a)| AgentRow { stat: a.stat(text(s)), client: g.client(s).label().to_owned() })
                .collect(),
            MAX_ROWS,
            |r| &r.stat,
        ),
        chains: chains(&g),
        attention,
        attention_high,
    }
}

fn principals(g: &Gathered) -> List<PrincipalRow> {
    // by name number: (tallies, identity with most events, its events, all sources known)
    let mut groups: Vec<Option<(Acc, u32, u64, bool)>> = vec![None; g.names.len()];
    for (&id, acc) in &g.by_id {
        let e = groups[g.name_ix(id) as usize].get_or_insert((Acc::default(), id, 0, true));
        e.0.merge(acc);
        if (acc.events, std::cmp::Reverse(id)) > (e.2, std::cmp::Reverse(e.1)) {
            (e.1, e.2) = (id, acc.events);
        }
        e.3 &= g.identity(id).source_known;
    }
    // Sessions each caller opened: one name per calling identity, computed once.
    let mut callers: HashMap<u32, u64> = HashMap::new();
    for grant in g.store.credentials.grants() {
        *callers.entry(g.store.identity_id(grant.row)).or_default() += 1;
    }
    let mut opened: HashMap<String, u64> = HashMap::new();
    for (id, n) in callers {
        let label = match g.label_ix.get(&id) {
            Some(&i) => g.names[i as usize].clone(),
            None => principal_label(&g.identity(id), &g.store.strings),
        };
        *opened.entry(label).or_default() += n;
    }
    let rows = groups
        .into_iter()
        .zip(&g.names)
        .filter_map(|(group, label)| group.map(|group| (label, group)))
        .map(|(label, (acc, id, _, known))| {
            let i = g.identity(id);
            PrincipalRow {
                stat: acc.stat(label.clone()),
                kind: i.kind.label().to_owned(),
                account: g.str(i.account_id).into_owned(),
                source_known: known,
                sessions_opened: opened.get(label.as_str()).copied().unwrap_or(0),
            }
        })
        .collect();
    finish(rows, MAX_ROWS, |r| &r.stat)
}

fn roles(g: &Gathered) -> List<RoleRow> {
    // issuer ARN → (tallies, type, name, sessions by (principal, key))
    type Sessions<'a> = HashMap<(&'a str, Sym), (Acc, Sym)>;
    let mut groups: HashMap<Sym, (Acc, Sym, Sym, Sessions)> = HashMap::new();
    for (&id, acc) in &g.by_id {
        let i = g.identity(id);
        if i.issuer_arn.is_empty() {
            continue;
        }
        let e = groups
            .entry(i.issuer_arn)
            .or_insert_with(|| (Acc::default(), i.issuer_type, i.issuer_name, HashMap::new()));
        e.0.merge(acc);
        let s = e.3.entry((g.label(id), i.access_key)).or_insert((Acc::default(), i.source_identity));
        s.0.merge(acc);
    }
    let rows = groups
        .into_iter()
        .map(|(arn, (acc, kind, name, sessions))| {
            let sessions = sessions
                .into_iter()
                .map(|((label, key), (acc, source_identity))| SessionRow {
                    stat: acc.stat(label.to_owned()),
                    access_key: g.str(key).into_owned(),
                    source_identity: g.str(source_identity).into_owned(),
                    opened_by: opened_by(g.store, key),
                    origin: None,
                })
                .collect();
            // Followed back only for the sessions shown.
            let mut sessions = finish(sessions, MAX_SESSIONS_PER_ROLE, |s| &s.stat);
            for s in &mut sessions.rows {
                s.origin = beyond(g.store, &s.access_key, &s.opened_by, &s.source_identity);
            }
            RoleRow {
                stat: acc.stat(g.str(arn).into_owned()),
                issuer_type: g.str(kind).into_owned(),
                name: g.str(name).into_owned(),
                sessions,
            }
        })
        .collect();
    finish(rows, MAX_ROLES, |r| &r.stat)
}

/// Access keys, cut at [`MAX_ROWS`], and how many of each kind there are among all of them.
fn keys(g: &Gathered) -> (List<KeyRow>, KeysByKind) {
    // key → (tallies, principal with most events, its events)
    let mut groups: HashMap<Sym, (Acc, u32, u64)> = HashMap::new();
    for (&id, acc) in &g.by_id {
        let key = g.identity(id).access_key;
        if key.is_empty() {
            continue;
        }
        let e = groups.entry(key).or_insert((Acc::default(), id, 0));
        e.0.merge(acc);
        if (acc.events, std::cmp::Reverse(id)) > (e.2, std::cmp::Reverse(e.1)) {
            (e.1, e.2) = (id, acc.events);
        }
    }
    let mut ips: HashMap<Sym, u64> = HashMap::new();
    for &(key, _) in &g.key_ips {
        *ips.entry(key).or_default() += 1;
    }
    let rows: Vec<KeyRow> = groups
        .into_iter()
        .map(|(key, (acc, id, _))| KeyRow {
            stat: acc.stat(g.str(key).into_owned()),
            kind: KeyKind::of(&g.str(key)),
            principal: g.label(id).to_owned(),
            ips: ips.get(&key).copied().unwrap_or(0),
            opened_by: opened_by(g.store, key),
            origin: None,
        })
        .collect();
    let mut kinds = KeysByKind::default();
    for row in &rows {
        match row.kind {
            KeyKind::LongTerm => kinds.long_term += 1,
            KeyKind::Temporary => kinds.temporary += 1,
            KeyKind::Other | KeyKind::None => kinds.other += 1,
        }
    }
    let mut shown = finish(rows, MAX_ROWS, |r| &r.stat);
    for k in &mut shown.rows {
        k.origin = beyond(g.store, &k.stat.key, &k.opened_by, "");
    }
    (shown, kinds)
}

fn center_users(g: &Gathered) -> List<CenterUserRow> {
    let mut groups: HashMap<Sym, (Acc, Sym)> = HashMap::new();
    for (&id, acc) in &g.by_id {
        let i = g.identity(id);
        if !i.on_behalf_user.is_empty() {
            groups.entry(i.on_behalf_user).or_insert((Acc::default(), i.identity_store)).0.merge(acc);
        }
    }
    let rows = groups
        .into_iter()
        .map(|(user, (acc, store))| CenterUserRow {
            stat: acc.stat(g.str(user).into_owned()),
            identity_store: g.str(store).into_owned(),
        })
        .collect();
    finish(rows, MAX_ROWS, |r| &r.stat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_denied_codes() {
        for code in [
            "AccessDenied",
            "AccessDeniedException",
            "Client.UnauthorizedOperation",
            "UnauthorizedOperation",
            "AuthorizationErrorException",
        ] {
            assert!(is_denied(code), "{code}");
        }
        for code in ["ThrottlingException", "NoSuchBucket", "Client.InvalidParameterValue", ""] {
            assert!(!is_denied(code), "{code}");
        }
    }
}
