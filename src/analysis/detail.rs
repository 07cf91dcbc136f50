//! One event's original JSON, read again from its file through its locator.
//!
//! The store keeps no raw JSON. To show an event, the worker reads its file again: a plain file is
//! sliced at the locator; a gzip file is decompressed from the start (gzip has no random access) up
//! to the end of the event, keeping only the event's bytes. Then the event is cut out of the located
//! record according to its [`RecordKind`] (lookup-events and CloudWatch wrap it in a JSON string).

use crate::ingest::decode::{DecodeError, Decoder};
use crate::store::{Locator, RecordKind};

/// Collects the decompressed bytes `offset..offset + len` of a file pushed in chunks.
pub struct RangeReader {
    decoder: Decoder,
    start: u64,
    end: u64,
    at: u64,
    out: Vec<u8>,
}

impl RangeReader {
    /// A reader for the located bytes.
    pub fn new(loc: &Locator) -> RangeReader {
        RangeReader {
            decoder: Decoder::new(),
            start: loc.offset,
            end: loc.offset + u64::from(loc.len),
            at: 0,
            out: Vec::with_capacity(loc.len as usize),
        }
    }

    /// Whether the range is complete (stop reading the file).
    pub fn done(&self) -> bool {
        self.at >= self.end
    }

    /// Feeds the next chunk of the file as stored (compressed or not).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), DecodeError> {
        let (start, end) = (self.start, self.end);
        let (at, out) = (&mut self.at, &mut self.out);
        self.decoder.push(chunk, &mut |piece: &[u8]| {
            let piece_start = *at;
            let piece_end = piece_start + piece.len() as u64;
            let from = start.max(piece_start);
            let to = end.min(piece_end);
            if from < to {
                out.extend_from_slice(&piece[(from - piece_start) as usize..(to - piece_start) as usize]);
            }
            *at = piece_end;
        })
    }

    /// The bytes, once [`done`](Self::done); an error when the file ended first.
    pub fn finish(self) -> Result<Vec<u8>, String> {
        if self.out.len() as u64 == self.end - self.start {
            Ok(self.out)
        } else {
            Err(format!(
                "the file ended after {} bytes, before the event at byte {} (was the file changed since it was read?)",
                self.at, self.start
            ))
        }
    }
}

/// The event's JSON text, cut out of the located record (see [`crate::ingest::event_json`]; `header`
/// is the file's console CSV header, which a CSV row needs).
pub fn cut_event(kind: RecordKind, record: &[u8], header: Option<&[String]>) -> Result<String, String> {
    crate::ingest::event_json(kind, record, header).map(std::borrow::Cow::into_owned)
}

/// Pretty-prints JSON text (two-space indent); text that is not JSON comes back as it is.
pub fn pretty(json: &str) -> String {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| json.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// Reads every event of `file` back through its locator and returns the `eventID`s found.
    fn reread(file: &[u8], chunk: usize) -> Vec<String> {
        let mut e = Engine::new();
        e.ingest_bytes("f", file);
        (0..e.store().len() as u32)
            .map(|r| {
                let loc = e.store().locator(r);
                let mut rr = RangeReader::new(&loc);
                for c in file.chunks(chunk) {
                    rr.push(c).unwrap();
                    if rr.done() {
                        break;
                    }
                }
                let json = cut_event(loc.kind, &rr.finish().unwrap(), None).unwrap();
                let v: serde_json::Value = serde_json::from_str(&json).unwrap();
                v["eventID"].as_str().unwrap().to_owned()
            })
            .collect()
    }

    const A: &str = r#"{"eventTime":"2026-03-01T00:00:00Z","eventSource":"ecr.amazonaws.com","eventName":"PutImage","eventID":"a-1"}"#;
    const B: &str = r#"{"eventTime":"2026-03-01T00:00:01Z","eventSource":"ecr.amazonaws.com","eventName":"BatchGetImage","eventID":"b-2"}"#;

    #[test]
    fn ok_records_plain_and_gzip_in_any_chunking() {
        let file = format!(r#"{{"Records":[{A},{B}]}}"#);
        assert_eq!(reread(file.as_bytes(), 7), ["a-1", "b-2"]);
        assert_eq!(reread(&gz(file.as_bytes()), 5), ["a-1", "b-2"]);
    }

    #[test]
    fn ok_lookup_events_string() {
        let inner = serde_json::to_string(A).unwrap();
        let file = format!(
            r#"{{"Events":[{{"EventId":"a-1","EventTime":"2026-03-01 11:00:00+11:00","CloudTrailEvent":{inner}}}]}}"#
        );
        assert_eq!(reread(file.as_bytes(), 3), ["a-1"]);
    }

    #[test]
    fn ok_cloudwatch_payload_and_export_line() {
        let msg = serde_json::to_string(B).unwrap();
        let payload = format!(
            r#"{{"messageType":"DATA_MESSAGE","logGroup":"g","logEvents":[{{"id":"1","timestamp":1,"message":{msg}}}]}}"#
        );
        assert_eq!(reread(&gz(payload.as_bytes()), 11), ["b-2"]);
        let export = format!("2026-03-01T00:00:00.000Z {A}\n2026-03-01T00:00:01.000Z {B}\n");
        assert_eq!(reread(export.as_bytes(), 13), ["a-1", "b-2"]);
    }

    #[test]
    fn ok_eventbridge_detail_is_located_directly() {
        let file = format!(
            r#"{{"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.ecr","detail":{A}}}"#
        );
        assert_eq!(reread(file.as_bytes(), 4), ["a-1"]);
    }

    #[test]
    fn err_file_shorter_than_the_locator() {
        let loc = Locator { file: 0, offset: 10, len: 100, kind: RecordKind::Direct };
        let mut rr = RangeReader::new(&loc);
        rr.push(b"{\"Records\":[]}").unwrap();
        assert_eq!(
            rr.finish().unwrap_err(),
            "the file ended after 14 bytes, before the event at byte 10 (was the file changed since it was read?)"
        );
    }

    #[test]
    fn ok_pretty_keeps_non_json() {
        assert_eq!(pretty("{\"a\":1}"), "{\n  \"a\": 1\n}");
        assert_eq!(pretty("not json"), "not json");
    }
}
