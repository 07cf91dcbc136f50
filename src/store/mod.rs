//! The compact, columnar, deduplicated event store.
//!
//! One row per unique event, one chunked [`Column`] per field. Strings are [`Sym`]s into one
//! [`Interner`]; identities are interned as a shared shape plus their per-session principal id, ARN
//! and access key (a role's sessions share everything else), and symbols that travel
//! together (source, name, region, account, error, flags and type: the row's context; IP and user
//! agent) are interned as tuples, so a row costs 34 bytes however long its ARNs and user agents are
//! (time 4, event id 16, context, identity and client numbers 2 each while they fit in a `u16`,
//! locator 8), plus its share of the dedupe index and of the distinct identities and strings (see
//! README, "Ingest figures"). The raw JSON is not kept: each row has a [`Locator`] to re-read it
//! from the user's file.
//!
//! Dedupe: CloudTrail may deliver an event twice, in two files. The key is the `eventID` together with
//! the time, source and name, because `eventID` alone is not unique across services in practice (AWS's
//! own documentation examples reuse `e3c6f4ce-EXAMPLE` for an ECR and an ECS event).
//!
//! Which copy a row stands for does not depend on the order files arrive in: every copy read after
//! the first is kept aside, and [`Store::settle`] moves the row to the copy its caller ranks first
//! (the engine: JSON before a console CSV row, then the file first by path). Ingest workers read
//! with [`Store::keep_every_record`], so that the one store that sees every copy is the one that
//! chooses.

mod arena;
mod batch;
pub mod by_row;
mod column;
mod interner;
mod sharded;
pub(crate) mod wire;

use hashbrown::DefaultHashBuilder;
use serde::{Deserialize, Serialize};
use sharded::Sharded;
use std::borrow::Cow;
use std::hash::BuildHasher;

pub use arena::Arena;
pub use batch::Absorbed;
pub use column::{Column, IdColumn};
pub use interner::Interner;

use crate::facts::container::ContainerFacts;
use crate::facts::credentials::Credentials;
use crate::model::{Identity, Millis, Sym};

/// Index of a row.
pub type Row = u32;

/// Index of an input file in the engine's file list.
pub type FileId = u32;

/// How the event's JSON sits in its file, so the detail view can cut it out again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecordKind {
    /// The bytes are the event object itself.
    Direct,
    /// The bytes are a lookup-events `Event` whose `CloudTrailEvent` string holds the event.
    LookupString,
    /// The bytes are a CloudWatch Logs `logEvents` element whose `message` string holds the event.
    LogMessage,
    /// The bytes are one line of a CloudWatch Logs export: a timestamp, a space, the event.
    ExportLine,
    /// The bytes are one row of a console Event history CSV download.
    CsvRow,
    /// The bytes are a CloudWatch Logs Insights row (`field`/`value` pairs) whose `@message` value
    /// holds the event.
    InsightsRow,
}

/// Where an event's original text is: `len` bytes at `offset` of the decompressed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locator {
    /// The file.
    pub file: FileId,
    /// Byte offset in the decompressed content.
    pub offset: u64,
    /// Length in bytes.
    pub len: u32,
    /// How to find the event inside those bytes.
    pub kind: RecordKind,
}

/// `eventType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum EventType {
    AwsApiCall,
    AwsServiceEvent,
    AwsConsoleAction,
    AwsConsoleSignIn,
    AwsCloudTrailInsight,
    AwsVpceEvent,
    Other,
}

impl EventType {
    /// Parses `eventType`.
    pub fn parse(s: &str) -> EventType {
        match s {
            "AwsApiCall" => EventType::AwsApiCall,
            "AwsServiceEvent" => EventType::AwsServiceEvent,
            "AwsConsoleAction" => EventType::AwsConsoleAction,
            "AwsConsoleSignIn" => EventType::AwsConsoleSignIn,
            "AwsCloudTrailInsight" => EventType::AwsCloudTrailInsight,
            "AwsVpceEvent" => EventType::AwsVpceEvent,
            _ => EventType::Other,
        }
    }
}

/// Row flags.
pub mod flags {
    /// `readOnly: true`.
    pub const READ_ONLY: u8 = 1;
    /// `readOnly: false` (neither bit: not recorded).
    pub const WRITE: u8 = 2;
    /// `managementEvent: true`.
    pub const MANAGEMENT: u8 = 4;
    /// `eventCategory: Data`.
    pub const DATA: u8 = 8;
    /// The event id was not a UUID; the id column holds a symbol instead.
    pub const ID_SYMBOL: u8 = 16;
    /// The event was larger than CloudTrail's 256 KB maximum.
    pub const OVERSIZED: u8 = 32;
}

/// Everything the store keeps of one event.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(missing_docs)]
pub struct EventRow {
    pub time: Millis,
    pub source: Sym,
    pub name: Sym,
    pub region: Sym,
    /// `recipientAccountId`, else the caller's account, else the account in the file's S3 key.
    pub account: Sym,
    pub identity: Identity,
    pub ip: Sym,
    pub user_agent: Sym,
    pub error_code: Sym,
    pub error_message: Sym,
    /// A UUID `eventID` as its 128 bits, or (with [`flags::ID_SYMBOL`]) a symbol number.
    pub event_id: u128,
    pub flags: u8,
    pub event_type: EventType,
    pub locator: Locator,
}

/// Whether an insert added a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// A new row.
    New(Row),
    /// The same event was already held in this row.
    Duplicate(Row),
}

/// Distinct values of a small `Copy` type, numbered in order of arrival: identities, contexts and
/// client pairs, so a row holds one `u32` for each and repeated combinations cost nothing.
struct Table<T> {
    /// In chunks ([`Column`]), so a table of a million identities neither holds spare room nor
    /// leaves the blocks of its earlier sizes behind in wasm memory.
    values: Column<T>,
    index: Sharded<u32>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { values: Column::default(), index: Sharded::default() }
    }
}

impl<T: Copy + Eq + std::hash::Hash> Table<T> {
    fn id(&mut self, v: T, hasher: DefaultHashBuilder) -> u32 {
        let hash = hasher.hash_one(v);
        let values = &self.values;
        if let Some(&i) = self.index.find(hash, |&i| *values.get_ref(i as usize) == v) {
            return i;
        }
        let i = self.values.len() as u32;
        self.values.push(v);
        let values = &self.values;
        self.index.insert_unique(hash, i, |&j| hasher.hash_one(values.get_ref(j as usize)));
        i
    }

    fn get(&self, i: u32) -> T {
        self.values.get(i as usize)
    }

    fn heap_bytes(&self) -> usize {
        self.values.heap_bytes() + self.index.allocation_size()
    }
}

/// What an event did and where, with the fields that follow from it: few distinct combinations, so
/// one `u32` per row stands for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Context {
    source: Sym,
    name: Sym,
    region: Sym,
    account: Sym,
    error_code: Sym,
    error_message: Sym,
    flags: u8,
    event_type: EventType,
}

impl Context {
    fn of(row: &EventRow) -> Context {
        Context {
            source: row.source,
            name: row.name,
            region: row.region,
            account: row.account,
            error_code: row.error_code,
            error_message: row.error_message,
            flags: row.flags,
            event_type: row.event_type,
        }
    }
}

/// The part of an [`Identity`] that many identities share: everything but the principal id, the
/// ARN and the access key, which change with each session (a role's sessions differ only there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct IdentityShape {
    kind: crate::model::IdentityType,
    type_name: Sym,
    account_id: Sym,
    user_name: Sym,
    issuer_type: Sym,
    issuer_arn: Sym,
    issuer_name: Sym,
    issuer_account: Sym,
    source_identity: Sym,
    web_id_provider: Sym,
    invoked_by: Sym,
    on_behalf_user: Sym,
    identity_store: Sym,
    identity_provider: Sym,
    mfa: crate::model::Mfa,
    source_known: bool,
}

/// One distinct identity as the store holds it: its shape's number and the per-session fields,
/// 16 bytes instead of the 72 of an [`Identity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct IdentityKey {
    shape: u32,
    principal_id: Sym,
    arn: Sym,
    access_key: Sym,
}

/// An IAM user as an identity without an ARN names it: `(accountId, userName, principalId)`. A failed
/// console sign-in logs the user so (`type`, `accountId`, `userName`, `principalId`, no `arn`), and
/// counting it apart from the user's other events would list the user twice (the corpus's
/// `bert-jan`: 2,641 events under the ARN, the failed sign-in under the bare name). The principal id
/// is the user's unique id, so an identity without an ARN reads as the ARN that an identity with
/// the same three carries, when the store holds one ([`Store::identity_by_id`]).
type UserKey = (Sym, Sym, Sym);

/// A locator without its file, in one `u64`: offset (37 bits: 128 GB, beyond the 8 GB per-file cap),
/// length (23 bits: 8 MB, beyond the largest record ingest keeps) and [`RecordKind`] (3 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PackedLoc(u64);

const LEN_BITS: u32 = 23;
const KIND_BITS: u32 = 3;

impl PackedLoc {
    fn new(l: &Locator) -> PackedLoc {
        let offset = l.offset.min((1 << 37) - 1);
        let len = u64::from(l.len).min((1 << LEN_BITS) - 1);
        let kind = match l.kind {
            RecordKind::Direct => 0,
            RecordKind::LookupString => 1,
            RecordKind::LogMessage => 2,
            RecordKind::ExportLine => 3,
            RecordKind::CsvRow => 4,
            RecordKind::InsightsRow => 5,
        };
        PackedLoc((offset << (LEN_BITS + KIND_BITS)) | (len << KIND_BITS) | kind)
    }

    fn unpack(self, file: FileId) -> Locator {
        let kind = match self.0 & ((1 << KIND_BITS) - 1) {
            1 => RecordKind::LookupString,
            2 => RecordKind::LogMessage,
            3 => RecordKind::ExportLine,
            4 => RecordKind::CsvRow,
            5 => RecordKind::InsightsRow,
            _ => RecordKind::Direct,
        };
        let len = ((self.0 >> KIND_BITS) & ((1 << LEN_BITS) - 1)) as u32;
        Locator { file, offset: self.0 >> (LEN_BITS + KIND_BITS), len, kind }
    }
}

/// The longest record a locator can point at; ingest never keeps a longer one.
pub const MAX_LOCATED_LEN: u32 = (1 << LEN_BITS) - 1;

/// In the time column: the row's time is in [`Store::exact_times`].
const TIME_EXACT: u32 = u32::MAX;

/// A store's state as [`Store::version`] gives it: its size and the rows changed in place so far.
pub type Version = (usize, u64);

/// Which strings and identities contain the last search text, as `analysis::filter` worked them
/// out: a search asks every string of the store, and each view's query compiles the filter again,
/// so the answers are kept with the store and extended when it grows (strings and identities are
/// only ever added) rather than worked out anew for each query.
#[derive(Debug, Default)]
pub struct SearchMemo {
    /// The search text, lower case.
    pub needle: String,
    /// By symbol number: the string contains it.
    pub strings: Vec<bool>,
    /// By identity number: the identity's principal, ARN or key contains it.
    pub identities: Vec<bool>,
    /// [`Store::resolutions`] when `identities` were worked out.
    pub resolutions: u64,
}

/// The event store.
#[derive(Default)]
pub struct Store {
    /// All strings.
    pub strings: Interner,
    hasher: DefaultHashBuilder,
    /// Distinct identities, numbered in order of arrival (the identity number).
    identities: Table<IdentityKey>,
    identity_shapes: Table<IdentityShape>,
    contexts: Table<Context>,
    /// `(sourceIPAddress, userAgent)`.
    clients: Table<(Sym, Sym)>,
    /// Event time in whole seconds since the epoch, or [`TIME_EXACT`]: see [`Store::time`].
    time: Column<u32>,
    /// `(row, time)` of the rows whose time is not a whole second in `0..TIME_EXACT` (fractions from
    /// CloudWatch exports, times before 1970): rare, so 4 bytes a row, not 8. Rows in order.
    exact_times: Vec<(Row, Millis)>,
    event_id: Column<u128>,
    context: IdColumn,
    identity: IdColumn,
    client: IdColumn,
    loc: Column<PackedLoc>,
    /// `(first row, file)`: rows of one file are contiguous runs, so files cost per run, not per row.
    file_runs: Vec<(Row, FileId)>,
    dedupe: Sharded<Row>,
    /// Off in an ingest worker's store: every record is a row, and the engine's store dedupes.
    keep_every_record: bool,
    duplicates: u64,
    /// Copies of held events read since the last [`Store::settle`]: `(row, where the copy is)`.
    copies: Vec<(Row, Locator)>,
    /// Rows that stand for a later copy than the one they were first read from (see [`Store::settle`]).
    moved: hashbrown::HashMap<Row, Locator>,
    /// Rows changed in place by [`Store::upgrade`], so caches over rows can tell they are stale.
    upgrades: u64,
    /// See [`SearchMemo`].
    search: std::cell::RefCell<SearchMemo>,
    /// IAM users' ARNs, for the identities that name a user without one (see [`UserKey`]).
    user_arns: hashbrown::HashMap<UserKey, Sym>,
    /// The users that identities held name without an ARN.
    nameless_users: hashbrown::HashSet<UserKey>,
    /// How many times a user's ARN changed what a held identity reads as (see [`Store::resolutions`]).
    resolutions: u64,
    /// The rows whose whole JSON contains the last text searched for so (see
    /// [`crate::analysis::json_search`]).
    json_hits: Option<crate::analysis::json_search::JsonHits>,
    /// Container supply-chain facts (see [`crate::facts::container`]).
    pub container: ContainerFacts,
    /// Credentials STS handed out (see [`crate::facts::credentials`]).
    pub credentials: Credentials,
    /// Changes to trails and event data stores (see [`crate::facts::trail`]).
    pub trail: crate::facts::trail::TrailChanges,
    /// IAM's credentials and access given or taken back (see [`crate::facts::iam`]).
    pub iam: crate::facts::iam::IamChanges,
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of unique events.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// Whether no event is held.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Re-delivered events that were not added again.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Rows changed in place so far (see [`Store::upgrade`]); rows are otherwise only appended.
    pub fn upgrades(&self) -> u64 {
        self.upgrades
    }

    /// Changes whenever a row is added or changed in place: what an answer kept for later is valid for.
    pub fn version(&self) -> Version {
        (self.len(), self.upgrades)
    }

    /// Interns a string.
    pub fn intern(&mut self, s: &str) -> Sym {
        self.strings.intern(s)
    }

    /// The text of a symbol: borrowed, or rebuilt for the few shapes the table packs (digests, IAM
    /// ids, UUIDs; see [`Interner`]).
    pub fn str(&self, s: Sym) -> Cow<'_, str> {
        self.strings.get(s)
    }

    fn key_hash(&self, id: u128, time: Millis, source: Sym, name: Sym) -> u64 {
        self.hasher.hash_one((id, time, source.0, name.0))
    }

    fn find(&self, hash: u64, row: &EventRow) -> Option<Row> {
        self.find_key(hash, row.event_id, row.flags & flags::ID_SYMBOL, row.time, row.source, row.name)
    }

    /// The row holding the event with this dedupe key, if any.
    fn find_key(&self, hash: u64, event_id: u128, id_symbol: u8, time: Millis, source: Sym, name: Sym) -> Option<Row> {
        self.dedupe
            .find(hash, |&r| {
                let c = self.contexts.get(self.context.get(r as usize));
                let r = r as usize;
                self.event_id.get(r) == event_id
                    && c.flags & flags::ID_SYMBOL == id_symbol
                    && self.time(r as Row) == time
                    && c.source == source
                    && c.name == name
            })
            .copied()
    }

    /// Makes every record a row, held or not, and keeps no dedupe index: for an ingest worker's
    /// store, whose batches the engine's store dedupes (see [`Store::settle`]).
    pub fn keep_every_record(&mut self) {
        self.keep_every_record = true;
    }

    /// Whether this store makes every record a row ([`Store::keep_every_record`]).
    pub fn keeps_every_record(&self) -> bool {
        self.keep_every_record
    }

    /// Adds an event unless the same one (id, time, source, name) is already held; a copy of a held
    /// event is kept aside for [`Store::settle`].
    pub fn insert(&mut self, row: &EventRow) -> Inserted {
        let hash = if self.keep_every_record {
            0 // no dedupe index, so no key to hash: `put` does not read it then
        } else {
            let hash = self.key_hash(row.event_id, row.time, row.source, row.name);
            if let Some(r) = self.find(hash, row) {
                self.duplicates += 1;
                self.copies.push((r, row.locator));
                return Inserted::Duplicate(r);
            }
            hash
        };
        let h = self.hasher;
        let context = self.contexts.id(Context::of(row), h);
        let identity = self.identity_number(&row.identity);
        let client = self.clients.id((row.ip, row.user_agent), h);
        Inserted::New(self.put(hash, row.time, row.event_id, [context, identity, client], &row.locator))
    }

    /// Appends a row that is not held yet (`hash` is its dedupe key's hash, unread in a store that
    /// keeps every record), with its context, identity and client numbers.
    fn put(
        &mut self,
        hash: u64,
        time: Millis,
        event_id: u128,
        [context, identity, client]: [u32; 3],
        loc: &Locator,
    ) -> Row {
        let r = self.time.len() as Row;
        match u32::try_from(time / 1000) {
            Ok(secs) if time % 1000 == 0 && secs != TIME_EXACT => self.time.push(secs),
            _ => {
                self.time.push(TIME_EXACT);
                self.exact_times.push((r, time));
            }
        }
        self.event_id.push(event_id);
        self.context.push(context);
        self.identity.push(identity);
        self.client.push(client);
        self.loc.push(PackedLoc::new(loc));
        if self.file_runs.last().is_none_or(|&(_, f)| f != loc.file) {
            self.file_runs.push((r, loc.file));
        }
        if self.keep_every_record {
            return r;
        }
        // Rehashing reads the other columns, so the table the row goes in is out of the store while
        // it grows.
        let mut table = self.dedupe.take(hash);
        table.insert_unique(hash, r, |&r| {
            let c = self.ctx(r);
            self.key_hash(self.event_id.get(r as usize), self.time(r), c.source, c.name)
        });
        self.dedupe.restore(hash, table);
        r
    }

    /// Replaces what row `r` says with `row`, the same event (same dedupe key) read from a richer
    /// source: a console CSV row is held until the same event arrives as JSON, which knows the caller.
    /// The row keeps its number; [`Store::settle`] then moves its locator to the JSON copy (the
    /// engine ranks JSON first), so the detail view shows the JSON.
    pub fn upgrade(&mut self, r: Row, row: &EventRow) {
        let (i, h) = (r as usize, self.hasher);
        self.upgrades += 1;
        self.context.set(i, self.contexts.id(Context::of(row), h));
        let id = self.identity_number(&row.identity);
        self.identity.set(i, id);
        self.client.set(i, self.clients.id((row.ip, row.user_agent), h));
    }

    /// Weighs the copies of held events read since the last call. When `first(copy, current)` says
    /// a copy comes before the one a row stands for, the row moves to it: its locator (the detail
    /// view, exports and the event's file) is the copy's from then on. Returns `(from, to)` files
    /// once per move, so the caller can move the event's credit from one file's report to the
    /// other's. Copies for which `ready` is false of their file or of the row's file (still being
    /// read) wait for a later call. Whatever the order copies arrive in, each row ends on the copy
    /// `first` ranks before all others (ties keep the earlier).
    pub fn settle(
        &mut self,
        ready: impl Fn(FileId) -> bool,
        first: impl Fn(&Locator, &Locator) -> bool,
    ) -> Vec<(FileId, FileId)> {
        let mut moves = Vec::new();
        let mut waiting = Vec::new();
        for (r, copy) in std::mem::take(&mut self.copies) {
            let current = self.locator(r);
            if !ready(copy.file) || !ready(current.file) {
                waiting.push((r, copy));
            } else if first(&copy, &current) {
                self.moved.insert(r, copy);
                self.upgrades += 1;
                if copy.file != current.file {
                    moves.push((current.file, copy.file));
                }
            }
        }
        waiting.shrink_to_fit();
        self.copies = waiting;
        moves
    }

    /// The identity number of `i`, interning it when new.
    fn identity_number(&mut self, i: &Identity) -> u32 {
        let h = self.hasher;
        let shape = IdentityShape {
            kind: i.kind,
            type_name: i.type_name,
            account_id: i.account_id,
            user_name: i.user_name,
            issuer_type: i.issuer_type,
            issuer_arn: i.issuer_arn,
            issuer_name: i.issuer_name,
            issuer_account: i.issuer_account,
            source_identity: i.source_identity,
            web_id_provider: i.web_id_provider,
            invoked_by: i.invoked_by,
            on_behalf_user: i.on_behalf_user,
            identity_store: i.identity_store,
            identity_provider: i.identity_provider,
            mfa: i.mfa,
            source_known: i.source_known,
        };
        let shape = self.identity_shapes.id(shape, h);
        self.identity_key_number(IdentityKey {
            shape,
            principal_id: i.principal_id,
            arn: i.arn,
            access_key: i.access_key,
        })
    }

    /// The identity number of `k`, interning it when new; a new IAM user's identity is noted for
    /// [`Store::user_arn`].
    fn identity_key_number(&mut self, k: IdentityKey) -> u32 {
        let held = self.identities.values.len();
        let id = self.identities.id(k, self.hasher);
        if self.identities.values.len() > held {
            self.note_user(k);
        }
        id
    }

    fn note_user(&mut self, k: IdentityKey) {
        let Some(user) = self.user_key(k) else { return };
        if k.arn.is_empty() {
            self.nameless_users.insert(user);
            return;
        }
        let strings = &self.strings;
        let changed = match self.user_arns.entry(user) {
            hashbrown::hash_map::Entry::Vacant(e) => {
                e.insert(k.arn);
                true
            }
            // Two ARNs for one user (its path changed): the first by text, whatever the order of arrival.
            hashbrown::hash_map::Entry::Occupied(mut e) if strings.get(k.arn) < strings.get(*e.get()) => {
                e.insert(k.arn);
                true
            }
            hashbrown::hash_map::Entry::Occupied(_) => false,
        };
        if changed && self.nameless_users.contains(&user) {
            // Identities held read differently from now on: what was counted by them is stale.
            self.upgrades += 1;
            self.resolutions += 1;
        }
    }

    fn user_key(&self, k: IdentityKey) -> Option<UserKey> {
        let s = self.identity_shapes.get(k.shape);
        let named = s.kind == crate::model::IdentityType::IAMUser && !k.principal_id.is_empty();
        (named && !s.account_id.is_empty()).then_some((s.account_id, s.user_name, k.principal_id))
    }

    /// The ARN an IAM user's identity without one reads as (see [`UserKey`]).
    fn user_arn(&self, k: IdentityKey) -> Option<Sym> {
        self.user_arns.get(&self.user_key(k)?).copied()
    }

    /// Changes whenever an IAM user's ARN changes what a held identity without one reads as, so
    /// that answers kept by identity (the search's) can tell they are stale.
    pub fn resolutions(&self) -> u64 {
        self.resolutions
    }

    /// Event time, ms UTC.
    pub fn time(&self, r: Row) -> Millis {
        match self.time.get(r as usize) {
            TIME_EXACT => {
                let i = self.exact_times.partition_point(|&(row, _)| row < r);
                self.exact_times.get(i).map_or(0, |&(_, t)| t)
            }
            secs => Millis::from(secs) * 1000,
        }
    }
    /// Row `r`'s time in whole seconds since the epoch, when it is one (most are: CloudTrail writes
    /// `eventTime` to the second); `None` for the others, which [`Store::time`] gives to the millisecond.
    pub fn whole_seconds(&self, r: Row) -> Option<u32> {
        Some(self.time.get(r as usize)).filter(|&s| s != TIME_EXACT)
    }
    /// `eventSource`.
    pub fn source(&self, r: Row) -> Sym {
        self.ctx(r).source
    }
    /// `eventName`.
    pub fn name(&self, r: Row) -> Sym {
        self.ctx(r).name
    }
    /// `awsRegion`.
    pub fn region(&self, r: Row) -> Sym {
        self.ctx(r).region
    }
    /// The account the event belongs to.
    pub fn account(&self, r: Row) -> Sym {
        self.ctx(r).account
    }
    /// The accounts whose events are loaded (`recipientAccountId`), each once, in symbol order.
    pub fn accounts(&self) -> Vec<Sym> {
        let mut out: Vec<Sym> = self.contexts.values.iter().map(|c| c.account).filter(|a| !a.is_empty()).collect();
        out.sort_unstable();
        out.dedup();
        out
    }
    fn ctx(&self, r: Row) -> &Context {
        self.contexts.values.get_ref(self.context.get(r as usize) as usize)
    }
    /// The interned identity number of the caller.
    pub fn identity_id(&self, r: Row) -> u32 {
        self.identity.get(r as usize)
    }
    /// The caller.
    pub fn identity(&self, r: Row) -> Identity {
        self.identity_by_id(self.identity.get(r as usize))
    }
    /// The identity with number `id` (see [`Store::identity_id`]). Panics when out of range. An IAM
    /// user's identity logged without its ARN has the ARN of the same user's other events, when the
    /// store holds one: the identity with the same account, user name and principal id.
    pub fn identity_by_id(&self, id: u32) -> Identity {
        let k = self.identities.get(id);
        let s = self.identity_shapes.get(k.shape);
        Identity {
            kind: s.kind,
            type_name: s.type_name,
            principal_id: k.principal_id,
            arn: if k.arn.is_empty() { self.user_arn(k).unwrap_or(k.arn) } else { k.arn },
            account_id: s.account_id,
            user_name: s.user_name,
            access_key: k.access_key,
            issuer_type: s.issuer_type,
            issuer_arn: s.issuer_arn,
            issuer_name: s.issuer_name,
            issuer_account: s.issuer_account,
            source_identity: s.source_identity,
            web_id_provider: s.web_id_provider,
            invoked_by: s.invoked_by,
            on_behalf_user: s.on_behalf_user,
            identity_store: s.identity_store,
            identity_provider: s.identity_provider,
            mfa: s.mfa,
            source_known: s.source_known,
        }
    }
    /// Number of distinct identities: identity numbers are `0..identity_count()`.
    pub fn identity_count(&self) -> usize {
        self.identities.values.len()
    }
    /// Keeps the rows a search of the events' JSON found, in place of the last search's: a search
    /// for its text keeps them from now on. Answers kept for later are stale (see [`Store::version`]).
    pub fn set_json_hits(&mut self, hits: crate::analysis::json_search::JsonHits) {
        self.json_hits = Some(hits);
        self.upgrades += 1;
    }

    /// The rows the last search of the events' JSON found (see [`Store::set_json_hits`]).
    pub fn json_hits(&self) -> Option<&crate::analysis::json_search::JsonHits> {
        self.json_hits.as_ref()
    }

    /// The last search's answers, for `analysis::filter` to read and extend (see [`SearchMemo`]).
    pub fn search_memo(&self) -> std::cell::RefMut<'_, SearchMemo> {
        self.search.borrow_mut()
    }
    /// All distinct identities, by identity number.
    pub fn identities(&self) -> impl ExactSizeIterator<Item = Identity> + '_ {
        (0..self.identity_count() as u32).map(|id| self.identity_by_id(id))
    }
    /// `sourceIPAddress`.
    pub fn ip(&self, r: Row) -> Sym {
        self.clients.get(self.client.get(r as usize)).0
    }
    /// `userAgent`.
    pub fn user_agent(&self, r: Row) -> Sym {
        self.clients.get(self.client.get(r as usize)).1
    }
    /// `errorCode`, empty when the call succeeded.
    pub fn error_code(&self, r: Row) -> Sym {
        self.ctx(r).error_code
    }
    /// `errorMessage`.
    pub fn error_message(&self, r: Row) -> Sym {
        self.ctx(r).error_message
    }
    /// Row flags, see [`flags`].
    pub fn flags(&self, r: Row) -> u8 {
        self.ctx(r).flags
    }
    /// `eventType`.
    pub fn event_type(&self, r: Row) -> EventType {
        self.ctx(r).event_type
    }
    /// `eventID` as text.
    pub fn event_id(&self, r: Row) -> String {
        let id = self.event_id.get(r as usize);
        if self.flags(r) & flags::ID_SYMBOL != 0 {
            self.str(Sym(id as u32)).into_owned()
        } else {
            format_uuid(id)
        }
    }
    /// `eventID` when it is a UUID, as its 128 bits.
    pub fn event_uuid(&self, r: Row) -> Option<u128> {
        (self.flags(r) & flags::ID_SYMBOL == 0).then(|| self.event_id.get(r as usize))
    }
    /// Where the original JSON is: the copy the row stands for.
    pub fn locator(&self, r: Row) -> Locator {
        if !self.moved.is_empty() {
            if let Some(l) = self.moved.get(&r) {
                return *l;
            }
        }
        let run = self.file_runs.partition_point(|&(first, _)| first <= r).saturating_sub(1);
        let file = self.file_runs.get(run).map_or(0, |&(_, f)| f);
        self.loc.get(r as usize).unpack(file)
    }

    /// Resident bytes of the store by part (columns, tables, strings, dedupe index), by capacity.
    pub fn heap_breakdown(&self) -> Vec<(&'static str, usize)> {
        vec![
            ("time", self.time.heap_bytes() + self.exact_times.capacity() * std::mem::size_of::<(Row, Millis)>()),
            ("event_id", self.event_id.heap_bytes()),
            ("context/identity/client ids", {
                self.context.heap_bytes() + self.identity.heap_bytes() + self.client.heap_bytes()
            }),
            ("locators", {
                let copies = self.copies.capacity() * std::mem::size_of::<(Row, Locator)>();
                self.loc.heap_bytes() + self.file_runs.capacity() * 8 + copies + self.moved.allocation_size()
            }),
            ("identities", {
                let users = self.user_arns.allocation_size() + self.nameless_users.allocation_size();
                self.identities.heap_bytes() + self.identity_shapes.heap_bytes() + users
            }),
            (
                "rows found by a search of the events' JSON",
                self.json_hits.as_ref().map_or(0, |h| h.rows.capacity() * 4),
            ),
            ("context and client tables", self.contexts.heap_bytes() + self.clients.heap_bytes()),
            ("strings", self.strings.heap_bytes()),
            ("dedupe index", self.dedupe.allocation_size()),
            ("container facts", self.container.heap_bytes()),
            ("credential facts", self.credentials.heap_bytes()),
            ("trail facts", self.trail.heap_bytes()),
            ("iam facts", self.iam.heap_bytes()),
        ]
    }

    /// Resident bytes of the store (see [`Store::heap_breakdown`]), for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        self.heap_breakdown().iter().map(|(_, n)| n).sum()
    }
}

/// An `eventID` as 128 bits when it is a UUID (`8-4-4-4-12` hex digits), so it costs 16 bytes.
pub fn parse_uuid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return None;
    }
    let mut v: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            continue;
        }
        // Lower case only, so that formatting gives back the exact text.
        v = (v << 4) | u128::from(lower_hex_digit(c)?);
    }
    Some(v)
}

/// A lower-case hex digit's value (upper case is `None`, so packed text comes back as it was).
fn lower_hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// The inverse of [`parse_uuid`].
pub fn format_uuid(v: u128) -> String {
    let h = format!("{v:032x}");
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(store: &mut Store, id: &str, time: Millis, name: &str) -> EventRow {
        let (event_id, f) = match parse_uuid(id) {
            Some(v) => (v, 0),
            None => (u128::from(store.intern(id).0), flags::ID_SYMBOL),
        };
        EventRow {
            time,
            source: store.intern("ecr.amazonaws.com"),
            name: store.intern(name),
            region: Sym::EMPTY,
            account: Sym::EMPTY,
            identity: Identity::default(),
            ip: Sym::EMPTY,
            user_agent: Sym::EMPTY,
            error_code: Sym::EMPTY,
            error_message: Sym::EMPTY,
            event_id,
            flags: f,
            event_type: EventType::AwsApiCall,
            locator: Locator { file: 0, offset: 0, len: 0, kind: RecordKind::Direct },
        }
    }

    #[test]
    fn ok_uuid_round_trip() {
        let s = "2bfd4ee2-2178-4a82-a27d-b12939923f0f";
        assert_eq!(format_uuid(parse_uuid(s).unwrap()), s);
        assert_eq!(parse_uuid("e3c6f4ce-EXAMPLE"), None);
        assert_eq!(parse_uuid("2BFD4EE2-2178-4A82-A27D-B12939923F0F"), None);
    }

    #[test]
    fn ok_redelivered_event_is_a_duplicate() {
        let mut s = Store::new();
        let a = row(&mut s, "2bfd4ee2-2178-4a82-a27d-b12939923f0f", 1000, "PutImage");
        assert_eq!(s.insert(&a), Inserted::New(0));
        assert_eq!(s.insert(&a), Inserted::Duplicate(0));
        assert_eq!((s.len(), s.duplicates()), (1, 1));
        assert_eq!(s.event_id(0), "2bfd4ee2-2178-4a82-a27d-b12939923f0f");
    }

    #[test]
    fn ok_same_event_id_different_event_is_kept() {
        // AWS's ECR and ECS documentation examples share eventID e3c6f4ce-EXAMPLE.
        let mut s = Store::new();
        let a = row(&mut s, "e3c6f4ce-EXAMPLE", 1000, "CreateRepository");
        let b = row(&mut s, "e3c6f4ce-EXAMPLE", 2000, "CreateCluster");
        assert_eq!(s.insert(&a), Inserted::New(0));
        assert_eq!(s.insert(&b), Inserted::New(1));
        assert_eq!(s.event_id(1), "e3c6f4ce-EXAMPLE");
    }
}
