//! The compact, columnar, deduplicated event store.
//!
//! One row per unique event, one `Vec` per field. Strings are [`Sym`]s into one [`Interner`];
//! identities are interned whole ([`Identity`] is fixed-size), so a row costs about 80 bytes however
//! long its ARNs and user agents are. The raw JSON is not kept: each row has a [`Locator`] to re-read
//! it from the user's file.
//!
//! Dedupe: CloudTrail may deliver an event twice, in two files. The key is the `eventID` together with
//! the time, source and name, because `eventID` alone is not unique across services in practice (AWS's
//! own documentation examples reuse `e3c6f4ce-EXAMPLE` for an ECR and an ECS event).

mod interner;

use hashbrown::{DefaultHashBuilder, HashMap, HashTable};
use serde::{Deserialize, Serialize};
use std::hash::BuildHasher;

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

/// The event store.
#[derive(Default)]
pub struct Store {
    /// All strings.
    pub strings: Interner,
    identities: Vec<Identity>,
    identity_ids: HashMap<Identity, u32>,
    time: Vec<Millis>,
    source: Vec<Sym>,
    name: Vec<Sym>,
    region: Vec<Sym>,
    account: Vec<Sym>,
    identity: Vec<u32>,
    ip: Vec<Sym>,
    user_agent: Vec<Sym>,
    error_code: Vec<Sym>,
    error_message: Vec<Sym>,
    event_id: Vec<u128>,
    flags: Vec<u8>,
    event_type: Vec<EventType>,
    loc_file: Vec<FileId>,
    loc_offset: Vec<u64>,
    loc_len: Vec<u32>,
    loc_kind: Vec<RecordKind>,
    dedupe: HashTable<Row>,
    hasher: DefaultHashBuilder,
    duplicates: u64,
    /// Container supply-chain facts (see [`crate::facts::container`]).
    pub container: ContainerFacts,
    /// Credentials STS handed out (see [`crate::facts::credentials`]).
    pub credentials: Credentials,
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

    /// Interns a string.
    pub fn intern(&mut self, s: &str) -> Sym {
        self.strings.intern(s)
    }

    /// The text of a symbol.
    pub fn str(&self, s: Sym) -> &str {
        self.strings.get(s)
    }

    fn key_hash(&self, id: u128, time: Millis, source: Sym, name: Sym) -> u64 {
        self.hasher.hash_one((id, time, source.0, name.0))
    }

    /// Adds an event unless the same one (id, time, source, name) is already held.
    pub fn insert(&mut self, row: &EventRow) -> Inserted {
        let hash = self.key_hash(row.event_id, row.time, row.source, row.name);
        let id_symbol = row.flags & flags::ID_SYMBOL;
        let found = self.dedupe.find(hash, |&r| {
            let r = r as usize;
            self.event_id[r] == row.event_id
                && self.flags[r] & flags::ID_SYMBOL == id_symbol
                && self.time[r] == row.time
                && self.source[r] == row.source
                && self.name[r] == row.name
        });
        if let Some(&r) = found {
            self.duplicates += 1;
            return Inserted::Duplicate(r);
        }
        let r = self.time.len() as Row;
        let next = self.identities.len() as u32;
        let identity = *self.identity_ids.entry(row.identity).or_insert(next);
        if identity == next {
            self.identities.push(row.identity);
        }
        self.time.push(row.time);
        self.source.push(row.source);
        self.name.push(row.name);
        self.region.push(row.region);
        self.account.push(row.account);
        self.identity.push(identity);
        self.ip.push(row.ip);
        self.user_agent.push(row.user_agent);
        self.error_code.push(row.error_code);
        self.error_message.push(row.error_message);
        self.event_id.push(row.event_id);
        self.flags.push(row.flags);
        self.event_type.push(row.event_type);
        self.loc_file.push(row.locator.file);
        self.loc_offset.push(row.locator.offset);
        self.loc_len.push(row.locator.len);
        self.loc_kind.push(row.locator.kind);
        let (event_id, time, source, name, hasher) =
            (&self.event_id, &self.time, &self.source, &self.name, &self.hasher);
        self.dedupe.insert_unique(hash, r, |&r| {
            let r = r as usize;
            hasher.hash_one((event_id[r], time[r], source[r].0, name[r].0))
        });
        Inserted::New(r)
    }

    /// Event time, ms UTC.
    pub fn time(&self, r: Row) -> Millis {
        self.time[r as usize]
    }
    /// `eventSource`.
    pub fn source(&self, r: Row) -> Sym {
        self.source[r as usize]
    }
    /// `eventName`.
    pub fn name(&self, r: Row) -> Sym {
        self.name[r as usize]
    }
    /// `awsRegion`.
    pub fn region(&self, r: Row) -> Sym {
        self.region[r as usize]
    }
    /// The account the event belongs to.
    pub fn account(&self, r: Row) -> Sym {
        self.account[r as usize]
    }
    /// The interned identity number of the caller.
    pub fn identity_id(&self, r: Row) -> u32 {
        self.identity[r as usize]
    }
    /// The caller.
    pub fn identity(&self, r: Row) -> &Identity {
        &self.identities[self.identity[r as usize] as usize]
    }
    /// All distinct identities, by identity number.
    pub fn identities(&self) -> &[Identity] {
        &self.identities
    }
    /// `sourceIPAddress`.
    pub fn ip(&self, r: Row) -> Sym {
        self.ip[r as usize]
    }
    /// `userAgent`.
    pub fn user_agent(&self, r: Row) -> Sym {
        self.user_agent[r as usize]
    }
    /// `errorCode`, empty when the call succeeded.
    pub fn error_code(&self, r: Row) -> Sym {
        self.error_code[r as usize]
    }
    /// `errorMessage`.
    pub fn error_message(&self, r: Row) -> Sym {
        self.error_message[r as usize]
    }
    /// Row flags, see [`flags`].
    pub fn flags(&self, r: Row) -> u8 {
        self.flags[r as usize]
    }
    /// `eventType`.
    pub fn event_type(&self, r: Row) -> EventType {
        self.event_type[r as usize]
    }
    /// `eventID` as text.
    pub fn event_id(&self, r: Row) -> String {
        let id = self.event_id[r as usize];
        if self.flags[r as usize] & flags::ID_SYMBOL != 0 {
            self.str(Sym(id as u32)).to_owned()
        } else {
            format_uuid(id)
        }
    }
    /// `eventID` when it is a UUID, as its 128 bits.
    pub fn event_uuid(&self, r: Row) -> Option<u128> {
        (self.flags[r as usize] & flags::ID_SYMBOL == 0).then(|| self.event_id[r as usize])
    }
    /// Where the original JSON is.
    pub fn locator(&self, r: Row) -> Locator {
        let r = r as usize;
        Locator { file: self.loc_file[r], offset: self.loc_offset[r], len: self.loc_len[r], kind: self.loc_kind[r] }
    }

    /// Resident bytes of the store (columns, strings, identities, dedupe table), for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        let per_row = 8 + 4 * 9 + 16 + 1 + 1 + 4 + 8 + 4 + 1;
        self.time.capacity() * per_row
            + self.dedupe.capacity() * 5
            + self.strings.heap_bytes()
            + self.identities.capacity() * std::mem::size_of::<Identity>() * 2
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
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        v = (v << 4) | u128::from(d);
    }
    Some(v)
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
