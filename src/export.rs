//! Exports of the events a filter keeps: the original events as `{"Records":[...]}` or JSON lines
//! (read again from the files), and a CSV of the table's columns that spreadsheets cannot mistake
//! for formulas.
//!
//! JSON exports hold each event exactly as it was logged (for lookup-events and CloudWatch inputs, the
//! event inside its wrapper), so they load back into Trailscope, or any CloudTrail tool, with the same
//! count. Events that came from a console CSV download have no JSON; they are exported as JSON built
//! from the CSV's own columns and nothing else.

use serde::{Deserialize, Serialize};

use crate::analysis::detail::cut_event;
use crate::analysis::principal::principal_label;
use crate::ingest::decode::{DecodeError, Decoder};
use crate::model::time::format_iso;
use crate::store::{flags, Locator, RecordKind, Row, Store};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    /// `{"Records":[...]}`, as CloudTrail delivers.
    Records,
    /// One event per line.
    JsonLines,
    /// The table's columns.
    Csv,
}

impl Format {
    /// File name and media type of the download.
    pub fn file(self) -> (&'static str, &'static str) {
        match self {
            Format::Records => ("trailscope-events.json", "application/json"),
            Format::JsonLines => ("trailscope-events.jsonl", "application/x-ndjson"),
            Format::Csv => ("trailscope-events.csv", "text/csv"),
        }
    }
}

/// CSV columns.
pub const CSV_HEADER: &str = "eventTime,eventSource,eventName,awsRegion,account,principal,identityType,accessKeyId,sourceIPAddress,userAgent,errorCode,errorMessage,readOnly,eventID,file\r\n";

/// One CSV cell: quoted when needed, and neutralised when a spreadsheet would read it as a formula
/// (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return): a leading `'` makes it text.
pub fn csv_cell(s: &str) -> String {
    let neutral = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    if neutral.contains([',', '"', '\n', '\r']) || neutral != neutral.trim() {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

/// One CSV line (with `\r\n`) for row `r`; `file` is the path of the file it came from.
pub fn csv_row(store: &Store, r: Row, file: &str) -> String {
    let id = store.identity(r);
    let f = store.flags(r);
    let read_only = if f & flags::READ_ONLY != 0 {
        "true"
    } else if f & flags::WRITE != 0 {
        "false"
    } else {
        ""
    };
    let cells = [
        format_iso(store.time(r)),
        store.str(store.source(r)).into_owned(),
        store.str(store.name(r)).into_owned(),
        store.str(store.region(r)).into_owned(),
        store.str(store.account(r)).into_owned(),
        principal_label(&id, &store.strings),
        id.kind.label().to_owned(),
        store.str(id.access_key).into_owned(),
        store.str(store.ip(r)).into_owned(),
        store.str(store.user_agent(r)).into_owned(),
        store.str(store.error_code(r)).into_owned(),
        store.str(store.error_message(r)).into_owned(),
        read_only.to_owned(),
        store.event_id(r),
        file.to_owned(),
    ];
    let mut line = cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// JSON for an event that came from a console CSV row: only the fields the CSV had.
pub fn event_from_columns(store: &Store, r: Row) -> String {
    let id = store.identity(r);
    let mut ev = serde_json::Map::new();
    let mut put = |k: &str, v: &str| {
        if !v.is_empty() {
            ev.insert(k.to_owned(), serde_json::Value::from(v));
        }
    };
    put("eventTime", &format_iso(store.time(r)));
    put("eventSource", &store.str(store.source(r)));
    put("eventName", &store.str(store.name(r)));
    put("awsRegion", &store.str(store.region(r)));
    put("sourceIPAddress", &store.str(store.ip(r)));
    put("userAgent", &store.str(store.user_agent(r)));
    put("errorCode", &store.str(store.error_code(r)));
    put("eventID", &store.event_id(r));
    put("recipientAccountId", &store.str(store.account(r)));
    let mut who = serde_json::Map::new();
    for (k, v) in [("userName", id.user_name), ("accessKeyId", id.access_key)] {
        if !v.is_empty() {
            who.insert(k.to_owned(), serde_json::Value::from(store.str(v)));
        }
    }
    if !who.is_empty() {
        ev.insert("userIdentity".to_owned(), serde_json::Value::Object(who));
    }
    let f = store.flags(r);
    if f & (flags::READ_ONLY | flags::WRITE) != 0 {
        ev.insert("readOnly".to_owned(), serde_json::Value::from(f & flags::READ_ONLY != 0));
    }
    serde_json::Value::Object(ev).to_string()
}

/// Cuts many events out of one file in a single pass: the file is pushed in chunks (decompressed on
/// the way when it is gzip) and each event is handed out as soon as its bytes have passed.
pub struct Cutter {
    decoder: Decoder,
    /// (row, locator), sorted by offset.
    wanted: Vec<(Row, Locator)>,
    next: usize,
    at: u64,
    buf: Vec<u8>,
}

impl Cutter {
    /// A cutter for these rows of one file.
    pub fn new(mut wanted: Vec<(Row, Locator)>) -> Cutter {
        wanted.sort_by_key(|(_, l)| l.offset);
        Cutter { decoder: Decoder::new(), wanted, next: 0, at: 0, buf: Vec::new() }
    }

    /// Whether every wanted event has been handed out (stop reading the file).
    pub fn done(&self) -> bool {
        self.next >= self.wanted.len()
    }

    /// Feeds the next chunk of the file as stored; `out` receives (row, event JSON or why not).
    pub fn push(&mut self, chunk: &[u8], out: &mut dyn FnMut(Row, Result<String, String>)) -> Result<(), DecodeError> {
        let Cutter { decoder, wanted, next, at, buf } = self;
        decoder.push(chunk, &mut |piece: &[u8]| {
            let piece_start = *at;
            let piece_end = piece_start + piece.len() as u64;
            *at = piece_end;
            while let Some((row, loc)) = wanted.get(*next) {
                let (start, end) = (loc.offset, loc.offset + u64::from(loc.len));
                if start >= piece_end {
                    return;
                }
                let from = start.max(piece_start);
                let to = end.min(piece_end);
                if from < to {
                    buf.extend_from_slice(&piece[(from - piece_start) as usize..(to - piece_start) as usize]);
                }
                if end > piece_end {
                    return;
                }
                // Console CSV rows are exported from their columns, never cut (see `has_json`).
                out(*row, cut_event(loc.kind, buf, None));
                buf.clear();
                *next += 1;
            }
        })
    }

    /// Rows whose events the file did not reach (it ended early).
    pub fn missing(&self) -> &[(Row, Locator)] {
        &self.wanted[self.next..]
    }
}

/// Reads one file's events again: those from a console CSV at once, from their columns (see
/// [`event_from_columns`]), the others cut out of the file's bytes as they are pushed ([`Cutter`]).
/// Each event goes to the caller's `take` as `(row, its JSON or why not)`.
pub struct Reread {
    cutter: Cutter,
}

impl Reread {
    /// Starts on `rows` of one file, handing the events of its CSV rows to `take`.
    pub fn new(store: &Store, rows: Vec<Row>, take: &mut dyn FnMut(Row, Result<String, String>)) -> Reread {
        let mut json = Vec::with_capacity(rows.len());
        for r in rows {
            if has_json(store, r) {
                json.push((r, store.locator(r)));
            } else {
                take(r, Ok(event_from_columns(store, r)));
            }
        }
        Reread { cutter: Cutter::new(json) }
    }

    /// Whether the file's bytes are still wanted.
    pub fn wants_bytes(&self) -> bool {
        !self.cutter.done()
    }

    /// Feeds the next chunk of the file as stored.
    pub fn push(&mut self, chunk: &[u8], take: &mut dyn FnMut(Row, Result<String, String>)) -> Result<(), String> {
        self.cutter.push(chunk, take).map_err(|e| e.to_string())
    }

    /// What went wrong with the file at `path` as a whole: `error` (the file gone, a read or a
    /// decompression that failed), and the events its end came before.
    pub fn finish(self, path: &str, error: Option<String>) -> Vec<String> {
        let missing = crate::text::plural(self.cutter.missing().len() as u64, "event", "events");
        match error {
            Some(e) if self.cutter.done() => vec![format!("{path}: {e}")],
            Some(e) => vec![format!("{path}: {e} ({missing} not read again)")],
            None if self.cutter.done() => Vec::new(),
            None => vec![format!("{path}: {missing} could not be read again (the file ended early)")],
        }
    }

    /// [`Reread`] of a whole file at once: `read` gives its bytes as stored (`None` when the file is
    /// gone), asked only when some row's event is in them.
    pub fn whole(
        store: &Store,
        rows: Vec<Row>,
        path: &str,
        read: impl FnOnce() -> Option<Vec<u8>>,
        take: &mut dyn FnMut(Row, Result<String, String>),
    ) -> Vec<String> {
        let mut reread = Reread::new(store, rows, take);
        if !reread.wants_bytes() {
            return reread.finish(path, None);
        }
        let error = match read() {
            Some(b) => reread.push(&b, take).err(),
            None => Some(GONE.to_owned()),
        };
        reread.finish(path, error)
    }
}

/// Why a file's events could not be read again when its bytes are not there.
pub const GONE: &str = "the file is no longer available";

/// Whether row `r`'s event has JSON in its file (console CSV rows do not).
pub fn has_json(store: &Store, r: Row) -> bool {
    store.locator(r).kind != RecordKind::CsvRow
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;

    #[test]
    fn ok_csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("PutImage"), "PutImage");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tcmd"), "'\tcmd");
        assert_eq!(csv_cell("\r=1"), "\"'\r=1\"");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
    }

    #[test]
    fn ok_csv_row_has_every_column() {
        let mut e = Engine::new();
        e.ingest_bytes(
            "f.json",
            br#"{"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecr.amazonaws.com","eventName":"PutImage","eventID":"00000000-0000-0000-0000-000000000001","userAgent":"=cmd|' /C calc'!A0","readOnly":false,"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a,b"}}"#,
        );
        let line = csv_row(e.store(), 0, "f.json");
        assert_eq!(CSV_HEADER.matches(',').count(), 14);
        assert_eq!(
            line,
            "2026-03-01T00:00:00Z,ecr.amazonaws.com,PutImage,,,\"arn:aws:iam::1:user/a,b\",IAMUser,,,'=cmd|' /C calc'!A0,,,false,00000000-0000-0000-0000-000000000001,f.json\r\n"
        );
    }

    #[test]
    fn ok_cutter_hands_out_every_event_once_in_one_pass() {
        let file = br#"{"Records":[{"eventTime":"2026-03-01T00:00:00Z","eventName":"A","eventID":"1"},{"eventTime":"2026-03-01T00:00:01Z","eventName":"B","eventID":"2"},{"eventTime":"2026-03-01T00:00:02Z","eventName":"C","eventID":"3"}]}"#;
        let mut e = Engine::new();
        e.ingest_bytes("f.json", file);
        // Ask for C and A only, in the wrong order.
        let wanted = vec![(2, e.store().locator(2)), (0, e.store().locator(0))];
        for chunk in [1, 5, 1000] {
            let mut c = Cutter::new(wanted.clone());
            let mut got = Vec::new();
            for part in file.chunks(chunk) {
                c.push(part, &mut |r, j| got.push((r, j.unwrap()))).unwrap();
            }
            assert!(c.done() && c.missing().is_empty());
            assert_eq!(got.len(), 2);
            assert_eq!(got[0].0, 0);
            assert!(got[0].1.contains("\"eventName\":\"A\""));
            assert!(got[1].1.contains("\"eventName\":\"C\""));
        }
    }
}
