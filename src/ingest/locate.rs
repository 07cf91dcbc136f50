//! Cuts an event's JSON back out of the bytes its [`Locator`](crate::store::Locator) points at.
//!
//! The store keeps no raw JSON; the detail view re-reads `len` bytes at `offset` of the (decompressed)
//! file and hands them here with the locator's [`RecordKind`]. Pure, so it is tested natively for
//! every input shape, round trip from ingest.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::csv::{cells, Header};
use crate::store::RecordKind;

/// The event's JSON text: borrowed when the record is the event itself, decoded when the event sat in
/// a string (lookup-events `CloudTrailEvent`, CloudWatch `message`), rebuilt as a JSON object keyed by
/// the header's column names for a console CSV row (`header` is then the file's header cells; the
/// `Resources` cell is parsed as the JSON it holds). Bytes that are not UTF-8 are shown as U+FFFD.
pub fn event_json<'a>(kind: RecordKind, bytes: &'a [u8], header: Option<&[String]>) -> Result<Cow<'a, str>, String> {
    match kind {
        RecordKind::Direct => Ok(String::from_utf8_lossy(bytes)),
        RecordKind::ExportLine => {
            let sp = memchr::memchr(b' ', bytes).ok_or("the line has no space after its time")?;
            Ok(String::from_utf8_lossy(&bytes[sp + 1..]))
        }
        RecordKind::LookupString => embedded(bytes, "CloudTrailEvent"),
        RecordKind::LogMessage => embedded(bytes, "message"),
        RecordKind::InsightsRow => {
            let text = String::from_utf8_lossy(bytes);
            let row: Vec<super::ResultField> =
                serde_json::from_str(&text).map_err(|e| format!("the Logs Insights row is not JSON: {e}"))?;
            match super::insights_message(&row).and_then(|f| f.value.ok()) {
                Some(message) => Ok(Cow::Owned(message.as_str().to_owned())),
                None => Err("the Logs Insights row has no @message string".to_owned()),
            }
        }
        RecordKind::CsvRow => {
            let names = header.ok_or("a CSV row needs its file's header")?;
            let text = String::from_utf8_lossy(bytes);
            // Built by hand to keep the header's column order.
            let mut out = String::from("{");
            for (i, cell) in cells(&text).into_iter().enumerate() {
                let name = names.get(i).cloned().unwrap_or_else(|| format!("column {}", i + 1));
                let json = serde_json::from_str::<serde_json::Value>(&cell)
                    .ok()
                    .filter(|_| name.eq_ignore_ascii_case("resources"));
                let value = match json {
                    Some(v) => v,
                    None => serde_json::Value::String(cell.into_owned()),
                };
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(name).to_string());
                out.push(':');
                out.push_str(&value.to_string());
            }
            out.push('}');
            Ok(Cow::Owned(out))
        }
    }
}

/// The event held by field `field` of the JSON object `bytes`: a string holding JSON, or an object.
fn embedded<'a>(bytes: &'a [u8], field: &str) -> Result<Cow<'a, str>, String> {
    let text = String::from_utf8_lossy(bytes);
    let map: std::collections::HashMap<Cow<str>, &RawValue> =
        serde_json::from_str(&text).map_err(|e| format!("the record is not JSON: {e}"))?;
    let v = map.get(field).ok_or_else(|| format!("the record has no {field}"))?;
    match Cow::<str>::deserialize(*v) {
        Ok(s) => Ok(Cow::Owned(s.into_owned())),
        Err(_) => Ok(Cow::Owned(v.get().to_owned())),
    }
}

/// A header as [`Header::parse`] reads it, for callers that kept only the raw header row.
pub fn header_names(record: &[u8]) -> Option<Vec<String>> {
    Header::parse(record).map(|h| h.names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_each_kind() {
        assert_eq!(event_json(RecordKind::Direct, b"{\"a\":1}", None).unwrap(), "{\"a\":1}");
        assert_eq!(event_json(RecordKind::ExportLine, b"2023-07-10T11:45:01Z {\"a\":1}", None).unwrap(), "{\"a\":1}");
        assert_eq!(
            event_json(RecordKind::LookupString, br#"{"EventId":"x","CloudTrailEvent":"{\"a\":\"\\\"q\"}"}"#, None)
                .unwrap(),
            r#"{"a":"\"q"}"#
        );
        assert_eq!(event_json(RecordKind::LogMessage, br#"{"id":"1","message":"{}"}"#, None).unwrap(), "{}");
        let header = vec!["Event name".to_owned(), "Resources".to_owned()];
        assert_eq!(
            event_json(RecordKind::CsvRow, b"\"=cmd|x\",\"[{\"\"resourceType\"\":\"\"t\"\"}]\"", Some(&header))
                .unwrap(),
            r#"{"Event name":"=cmd|x","Resources":[{"resourceType":"t"}]}"#
        );
    }
}
