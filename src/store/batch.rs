//! A store's events as bytes, added to another store: how several ingest workers share one engine.
//!
//! Each ingest worker reads whole files into a small store of its own, encodes it with
//! [`Store::encode_batch`] and sends the bytes to the engine's worker, which adds them to the one store
//! every query reads with [`Store::absorb`]. Absorbing costs per distinct string, context, identity and
//! client of the batch (each interned once) plus a dedupe lookup and a few column pushes per row, far
//! less than reading the JSON, which is the part the other workers do in parallel.
//!
//! The result is the store that reading the same files in the same order would have made: the same
//! rows (an event already held, from an earlier batch or file, is counted as a duplicate and not added
//! again), strings, identities and facts. Only the row numbers follow the order batches arrive in.

use super::wire::{index_of, Reader, WireError, Writer};
use super::{flags, Context, EventType, FileId, IdentityKey, IdentityShape, PackedLoc, Row, Store};
use crate::facts::container::ContainerFacts;
use crate::facts::credentials::{self, Credentials};
use crate::facts::iam::IamChanges;
use crate::facts::trail::TrailChanges;
use crate::model::{IdentityType, Mfa, Millis, Sym};

/// Every [`EventType`], for the encoding.
const EVENT_TYPES: [EventType; 7] = [
    EventType::AwsApiCall,
    EventType::AwsServiceEvent,
    EventType::AwsConsoleAction,
    EventType::AwsConsoleSignIn,
    EventType::AwsCloudTrailInsight,
    EventType::AwsVpceEvent,
    EventType::Other,
];

/// Every [`Mfa`], for the encoding.
const MFAS: [Mfa; 3] = [Mfa::Yes, Mfa::No, Mfa::Unknown];

/// What absorbing a batch did, for the files' reports.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Absorbed {
    /// Rows added.
    pub added: u64,
    /// For each file of the batch (by its index in the batch's file list), events that were already
    /// held from an earlier batch: the file's report counted them as added.
    pub held_before: Vec<u64>,
}

/// A batch read and checked, its strings interned.
struct Decoded {
    syms: Vec<Sym>,
    contexts: Vec<Context>,
    shapes: Vec<IdentityShape>,
    identities: Vec<IdentityKey>,
    clients: Vec<(Sym, Sym)>,
    rows: Vec<BatchRow>,
    /// `(first row, index of the file in the batch)`.
    runs: Vec<(Row, usize)>,
    duplicates: u64,
    facts: Facts,
}

/// The side tables of facts a batch carries (see [`crate::facts`]).
struct Facts {
    container: ContainerFacts,
    creds: Credentials,
    trail: TrailChanges,
    iam: IamChanges,
}

impl Facts {
    /// Reads what [`Store::encode_batch`] wrote after the rows.
    fn decode(r: &mut Reader) -> Result<Facts, WireError> {
        let container = ContainerFacts::decode(r)?;
        let creds = Credentials::decode(r)?;
        let trail = TrailChanges::decode(r)?;
        let iam = IamChanges::decode(r)?;
        Ok(Facts { container, creds, trail, iam })
    }
}

/// One row of a batch, with the batch's own numbers.
struct BatchRow {
    time: Millis,
    event_id: u128,
    context: u32,
    identity: u32,
    client: u32,
    loc: PackedLoc,
}

impl Store {
    /// The whole store as bytes for [`Store::absorb`] (the store of an ingest worker: a few thousand
    /// events; the dedupe index and hash tables are not written, since absorbing rebuilds them).
    pub fn encode_batch(&self) -> Vec<u8> {
        debug_assert!(self.moved.is_empty(), "a batch's rows stand for the copies they were read from");
        let mut w = Writer::default();
        w.u64(self.strings.len() as u64 - 1);
        // As stored, so that packed strings are not spelled out here and packed again there.
        for i in 1..self.strings.len() as u32 {
            w.bytes(self.strings.stored(i));
        }
        w.u64(self.contexts.values.len() as u64);
        for c in self.contexts.values.iter() {
            for s in [c.source, c.name, c.region, c.account, c.error_code, c.error_message] {
                w.u32(s.0);
            }
            w.u64(u64::from(c.flags));
            w.u64(index_of(&EVENT_TYPES, &c.event_type));
        }
        w.u64(self.identity_shapes.values.len() as u64);
        for s in self.identity_shapes.values.iter() {
            w.u64(index_of(&IdentityType::ALL, &s.kind));
            for sym in shape_syms(s) {
                w.u32(sym.0);
            }
            w.u64(index_of(&MFAS, &s.mfa));
            w.u64(u64::from(s.source_known));
        }
        w.u64(self.identities.values.len() as u64);
        for k in self.identities.values.iter() {
            for v in [k.shape, k.principal_id.0, k.arn.0, k.access_key.0] {
                w.u32(v);
            }
        }
        w.u64(self.clients.values.len() as u64);
        for &(ip, ua) in self.clients.values.iter() {
            w.u32(ip.0);
            w.u32(ua.0);
        }
        w.u64(self.len() as u64);
        for r in 0..self.len() {
            w.i64(self.time(r as Row));
            w.u128(self.event_id.get(r));
            w.u32(self.context.get(r));
            w.u32(self.identity.get(r));
            w.u32(self.client.get(r));
            w.u64(self.loc.get(r).0);
        }
        w.u64(self.file_runs.len() as u64);
        for &(row, file) in &self.file_runs {
            w.u32(row);
            w.u32(file);
        }
        w.u64(self.duplicates);
        self.container.encode(&mut w);
        self.credentials.encode(&mut w);
        self.trail.encode(&mut w);
        self.iam.encode(&mut w);
        w.out
    }

    /// Adds the events of a batch from [`Store::encode_batch`], whose file `i` is this store's file
    /// `files[i]`. The batch is read and checked in full before anything is added (its strings are
    /// interned first, which a failure leaves unused but harmless), so a bad batch changes no row.
    pub fn absorb(&mut self, bytes: &[u8], files: &[FileId]) -> Result<Absorbed, WireError> {
        let d = self.decode_batch(bytes, files.len())?;
        Ok(self.add_batch(d, files))
    }

    /// Reads a batch in full, interning its strings (the batch's symbol `i` is `syms[i]` here).
    fn decode_batch(&mut self, bytes: &[u8], file_count: usize) -> Result<Decoded, WireError> {
        let mut r = Reader::new(bytes);
        // Strings: the batch's symbol `i` is `syms[i]` here.
        let n = r.count()?;
        let mut syms: Vec<Sym> = Vec::with_capacity(n + 1);
        syms.push(Sym::EMPTY);
        for _ in 0..n {
            let at = r.offset();
            let stored = r.bytes()?;
            syms.push(self.strings.intern_stored(stored).ok_or_else(|| format!("the string at byte {at} is not one"))?);
        }
        let sym = |s: u32| -> Result<Sym, WireError> {
            syms.get(s as usize).copied().ok_or_else(|| format!("the batch names string {s} of {}", syms.len()))
        };
        let n = r.count()?;
        let mut contexts = Vec::with_capacity(n);
        for _ in 0..n {
            let mut s = [Sym::EMPTY; 6];
            for x in &mut s {
                *x = sym(r.u32()?)?;
            }
            let [source, name, region, account, error_code, error_message] = s;
            let flags = u8::try_from(r.u64()?).map_err(|_| "a context's flags are out of range".to_owned())?;
            let event_type = r.pick(&EVENT_TYPES)?;
            contexts.push(Context { source, name, region, account, error_code, error_message, flags, event_type });
        }
        let n = r.count()?;
        let mut shapes = Vec::with_capacity(n);
        for _ in 0..n {
            let kind = r.pick(&IdentityType::ALL)?;
            let mut s = [Sym::EMPTY; 13];
            for x in &mut s {
                *x = sym(r.u32()?)?;
            }
            let mfa = r.pick(&MFAS)?;
            let source_known = r.u64()? != 0;
            shapes.push(shape_of(kind, s, mfa, source_known));
        }
        let n = r.count()?;
        let mut identities = Vec::with_capacity(n);
        for _ in 0..n {
            let shape = r.u32()?;
            if shape as usize >= shapes.len() {
                return Err(format!("an identity names shape {shape} of {}", shapes.len()));
            }
            let (principal_id, arn, access_key) = (sym(r.u32()?)?, sym(r.u32()?)?, sym(r.u32()?)?);
            identities.push(IdentityKey { shape, principal_id, arn, access_key });
        }
        let n = r.count()?;
        let mut clients = Vec::with_capacity(n);
        for _ in 0..n {
            clients.push((sym(r.u32()?)?, sym(r.u32()?)?));
        }
        let n = r.count()?;
        let mut rows = Vec::with_capacity(n);
        for _ in 0..n {
            let row = BatchRow {
                time: r.i64()?,
                event_id: r.u128()?,
                context: r.u32()?,
                identity: r.u32()?,
                client: r.u32()?,
                loc: PackedLoc(r.u64()?),
            };
            if row.context as usize >= contexts.len()
                || row.identity as usize >= identities.len()
                || row.client as usize >= clients.len()
            {
                return Err("a row names a context, identity or client the batch does not have".into());
            }
            rows.push(row);
        }
        let n = r.count()?;
        let mut runs: Vec<(Row, usize)> = Vec::with_capacity(n);
        for _ in 0..n {
            let (row, file) = (r.u32()?, r.u32()? as usize);
            if file >= file_count {
                return Err(format!("a row is in file {file}, but the batch has {file_count} files"));
            }
            runs.push((row, file));
        }
        if !rows.is_empty() && runs.first().is_none_or(|&(row, _)| row != 0) {
            return Err("the batch's rows are not all in a file".into());
        }
        let duplicates = r.u64()?;
        let facts = Facts::decode(&mut r)?;
        if !r.done() {
            return Err("the batch has bytes after its end".into());
        }
        // An id kept as a string is a symbol number: the batch's, made ours here.
        for ev in &mut rows {
            if contexts[ev.context as usize].flags & flags::ID_SYMBOL != 0 {
                ev.event_id = u128::from(sym(u32::try_from(ev.event_id).unwrap_or(u32::MAX))?.0);
            }
        }
        Ok(Decoded { syms, contexts, shapes, identities, clients, rows, runs, duplicates, facts })
    }

    /// Adds a batch read by [`Self::decode_batch`]. Each distinct context, identity and client is
    /// numbered here once; then each row is a dedupe lookup and a few column pushes.
    fn add_batch(&mut self, d: Decoded, files: &[FileId]) -> Absorbed {
        let Decoded { syms, contexts, shapes, identities, clients, rows, runs, duplicates, facts } = d;
        let h = self.hasher;
        let contexts: Vec<(u32, Context)> = contexts.into_iter().map(|c| (self.contexts.id(c, h), c)).collect();
        let shapes: Vec<u32> = shapes.into_iter().map(|s| self.identity_shapes.id(s, h)).collect();
        let identities: Vec<u32> = identities
            .into_iter()
            .map(|k| self.identity_key_number(IdentityKey { shape: shapes[k.shape as usize], ..k }))
            .collect();
        let clients: Vec<u32> = clients.into_iter().map(|c| self.clients.id(c, h)).collect();
        let mut out = Absorbed { added: 0, held_before: vec![0; files.len()] };
        // For each batch row: its row here when its facts are to be recorded.
        let mut placed: Vec<Option<Row>> = Vec::with_capacity(rows.len());
        let mut run = 0;
        for (i, ev) in rows.iter().enumerate() {
            while runs.get(run + 1).is_some_and(|&(first, _)| first as usize <= i) {
                run += 1;
            }
            let file_index = runs[run].1;
            let (context, c) = contexts[ev.context as usize];
            let event_id = ev.event_id;
            let ids = [context, identities[ev.identity as usize], clients[ev.client as usize]];
            let loc = ev.loc.unpack(files[file_index]);
            let hash = self.key_hash(event_id, ev.time, c.source, c.name);
            match self.find_key(hash, event_id, c.flags & flags::ID_SYMBOL, ev.time, c.source, c.name) {
                None => {
                    placed.push(Some(self.put(hash, ev.time, event_id, ids, &loc)));
                    out.added += 1;
                }
                Some(held) => {
                    self.duplicates += 1;
                    out.held_before[file_index] += 1;
                    self.copies.push((held, loc));
                    if loc.kind != super::RecordKind::CsvRow && self.locator(held).kind == super::RecordKind::CsvRow {
                        // The same event as JSON knows the caller: keep that (as `Store::upgrade` does).
                        self.upgrades += 1;
                        let [context, identity, client] = ids;
                        self.context.set(held as usize, context);
                        self.identity.set(held as usize, identity);
                        self.client.set(held as usize, client);
                        placed.push(Some(held));
                    } else {
                        placed.push(None);
                    }
                }
            }
        }
        self.duplicates += duplicates;
        let map_sym = |s: Sym| syms.get(s.0 as usize).copied().unwrap_or(Sym::EMPTY);
        let map_row = |r: Row| placed.get(r as usize).copied().flatten();
        let Facts { container, creds, trail, iam } = facts;
        self.container.absorb(&container, &map_sym, &map_row);
        credentials::absorb(self, &creds, &map_sym, &map_row);
        crate::facts::trail::absorb(self, &trail, &map_sym, &map_row);
        crate::facts::iam::absorb(self, &iam, &map_sym, &map_row);
        out
    }
}

/// An identity shape's symbols, in the encoding's order.
fn shape_syms(s: &IdentityShape) -> [Sym; 13] {
    [
        s.type_name,
        s.account_id,
        s.user_name,
        s.issuer_type,
        s.issuer_arn,
        s.issuer_name,
        s.issuer_account,
        s.source_identity,
        s.web_id_provider,
        s.invoked_by,
        s.on_behalf_user,
        s.identity_store,
        s.identity_provider,
    ]
}

fn shape_of(kind: IdentityType, s: [Sym; 13], mfa: Mfa, source_known: bool) -> IdentityShape {
    let [type_name, account_id, user_name, issuer_type, issuer_arn, issuer_name, issuer_account, source_identity, web_id_provider, invoked_by, on_behalf_user, identity_store, identity_provider] =
        s;
    IdentityShape {
        kind,
        type_name,
        account_id,
        user_name,
        issuer_type,
        issuer_arn,
        issuer_name,
        issuer_account,
        source_identity,
        web_id_provider,
        invoked_by,
        on_behalf_user,
        identity_store,
        identity_provider,
        mfa,
        source_known,
    }
}
