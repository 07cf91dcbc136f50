//! Searching the whole of each event: its request parameters, response, `resources` and everything
//! else the store does not keep.
//!
//! The store keeps no raw JSON (see `store`), so the search box looks only at what it does keep, and a
//! search for an S3 bucket or an instance ID finds nothing. Asked to, the engine reads every event
//! again from the user's files (as an export does), keeps the rows whose JSON contains the text and
//! holds them with the store ([`JsonHits`]); from then on a search for that text keeps those rows as
//! well as the ones its fields match, in every view, until the text changes.
//!
//! A match ignores case, as the search box does, and compares an escaped character (`\"`, `\/`,
//! `\u00e9`) as the character it stands for, so text inside a policy document held as a JSON string
//! is found as it reads.

use serde::{Deserialize, Serialize};

use crate::store::Row;

use super::filter::Needle;

/// The rows whose JSON contains a text, as [`JsonSearch`] found them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JsonHits {
    /// The text, trimmed and lower case (as the filter's search text compares).
    pub needle: String,
    /// Rows `0..upto` were searched: rows added later were not.
    pub upto: Row,
    /// The rows found, in order.
    pub rows: Vec<Row>,
}

impl JsonHits {
    /// Whether row `r` was found.
    pub fn has(&self, r: Row) -> bool {
        self.rows.binary_search(&r).is_ok()
    }
}

/// How a search of the events' JSON went, for the page (`FromWorker::JsonSearch`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct JsonSearchReport {
    /// The text, as typed.
    pub text: String,
    /// Events read again so far.
    pub searched: u64,
    /// Events to read: every event held when the search started.
    pub total: u64,
    /// Events whose JSON contains the text, so far.
    pub matched: u64,
    /// The search is over: its rows are with the store and every view keeps them.
    pub done: bool,
    /// The search was stopped (by the page, or by a new one) before it was over: nothing is kept.
    pub stopped: bool,
    /// Events that could not be read again, and why (a file gone, a file that ended early).
    pub problems: Vec<String>,
}

impl JsonSearchReport {
    /// Counts row `r`'s event, read again from the file at `path`, and offers its JSON to `search`.
    pub fn take(&mut self, search: &mut JsonSearch, path: &str, r: Row, json: Result<String, String>) {
        self.searched += 1;
        match json {
            Ok(json) => search.offer(r, &json),
            Err(e) => self.problems.push(format!("{path}: {e}")),
        }
        self.matched = search.matched();
    }
}

/// One search of the events' JSON under way: offered each event's JSON, it keeps the rows that
/// contain the text.
pub struct JsonSearch {
    needle: Needle,
    rows: Vec<Row>,
    /// A second buffer, for JSON with escapes.
    unescaped: String,
}

impl JsonSearch {
    /// A search for `text` (trimmed; case is ignored).
    pub fn new(text: &str) -> JsonSearch {
        JsonSearch { needle: Needle::new(&needle_of(text)), rows: Vec::new(), unescaped: String::new() }
    }

    /// Whether `json` (one event's JSON text) contains the text.
    pub fn matches(&mut self, json: &str) -> bool {
        if self.needle.found_in(json) {
            return true;
        }
        if !json.contains('\\') {
            return false;
        }
        unescape(json, &mut self.unescaped);
        let unescaped = std::mem::take(&mut self.unescaped);
        let found = self.needle.found_in(&unescaped);
        self.unescaped = unescaped;
        found
    }

    /// Offers row `r`'s JSON.
    pub fn offer(&mut self, r: Row, json: &str) {
        if self.matches(json) {
            self.rows.push(r);
        }
    }

    /// Rows found so far.
    pub fn matched(&self) -> u64 {
        self.rows.len() as u64
    }

    /// The rows found, having searched rows `0..upto`.
    pub fn finish(mut self, upto: Row) -> JsonHits {
        self.rows.sort_unstable();
        self.rows.dedup();
        JsonHits { needle: self.needle.lower().to_owned(), upto, rows: self.rows }
    }
}

/// How many keys and values of `v` (strings as logged, numbers and booleans as JSON writes them)
/// hold `needle` (lower case), ignoring case: the places an event's detail marks.
pub fn places(v: &serde_json::Value, needle: &str) -> u64 {
    use serde_json::Value;
    let has = |s: &str| !crate::text::hits(s, needle).is_empty();
    match v {
        Value::Object(map) => map.iter().map(|(k, x)| u64::from(has(k)) + places(x, needle)).sum(),
        Value::Array(items) => items.iter().map(|x| places(x, needle)).sum(),
        Value::String(s) => u64::from(has(s)),
        Value::Null => 0,
        other => u64::from(has(&other.to_string())),
    }
}

/// The filter's search text as a search compares it: trimmed, lower case.
pub fn needle_of(text: &str) -> String {
    text.trim().to_lowercase()
}

/// `json` with its string escapes replaced by what they stand for (`\"` by `"`, `\u00e9` by `é`, a
/// surrogate pair by its character; an escape that stands for nothing valid by U+FFFD).
fn unescape(json: &str, out: &mut String) {
    out.clear();
    let mut chars = json.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let unit = hex4(&mut chars);
                let c = match unit {
                    Some(hi @ 0xD800..=0xDBFF) => {
                        let mut ahead = chars.clone();
                        let lo = (ahead.next() == Some('\\') && ahead.next() == Some('u'))
                            .then(|| hex4(&mut ahead))
                            .flatten();
                        match lo {
                            Some(lo @ 0xDC00..=0xDFFF) => {
                                chars = ahead;
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            }
                            _ => None,
                        }
                    }
                    Some(u) => char::from_u32(u),
                    None => None,
                };
                out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            // `\"`, `\\`, `\/`, and anything else a lenient writer put after a backslash.
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
}

fn hex4(chars: &mut std::str::Chars<'_>) -> Option<u32> {
    let mut v = 0;
    for _ in 0..4 {
        v = v * 16 + chars.next()?.to_digit(16)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, json: &str) -> bool {
        JsonSearch::new(text).matches(json)
    }

    #[test]
    fn ok_matches_ignore_case_and_read_escapes_as_their_characters() {
        let ev = r#"{"eventName":"GetObject","requestParameters":{"bucketName":"ML-Datasets","key":"a\/b.csv"}}"#;
        assert!(found("ml-datasets", ev));
        assert!(found("  ML-DATASETS ", ev), "trimmed, as the search box's text");
        assert!(found("a/b.csv", ev), "\\/ is /");
        assert!(!found("ml-datasets-2", ev));
        // A policy held as a JSON string: its quotes are escaped in the file.
        let policy = r#"{"requestParameters":{"policyDocument":"{\"Effect\":\"Allow\",\"Action\":\"s3:*\"}"}}"#;
        assert!(found(r#""action":"s3:*""#, policy));
        // \u escapes, a surrogate pair and a lone surrogate.
        assert!(found("café", r#"{"userAgent":"caf\u00e9"}"#));
        assert!(found("😀", r#"{"x":"\ud83d\ude00"}"#));
        assert!(found("a\u{fffd}b", r#"{"x":"a\ud83db"}"#));
        assert!(!found("zzz", r#"{"x":"\u00"}"#), "a cut escape is not a panic");
    }

    #[test]
    fn ok_places_counts_keys_and_values_holding_the_text() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"bucketName":"ML-datasets","key":"ml-datasets/a.csv","resources":[{"ARN":"arn:aws:s3:::ml-datasets"}],"n":12,"other":"x"}"#,
        )
        .unwrap();
        assert_eq!(places(&v, "ml-datasets"), 3);
        assert_eq!(places(&v, "bucket"), 1, "a key");
        assert_eq!(places(&v, "12"), 1, "a number as written");
        assert_eq!(places(&v, "nothing"), 0);
    }

    #[test]
    fn ok_finish_sorts_the_rows_found() {
        let mut s = JsonSearch::new("bucket");
        for (r, json) in [(5, r#"{"b":"bucket"}"#), (2, r#"{"b":"BUCKET"}"#), (3, r#"{"b":"none"}"#)] {
            s.offer(r, json);
        }
        assert_eq!(s.matched(), 2);
        let hits = s.finish(6);
        assert_eq!((hits.needle.as_str(), hits.upto, hits.rows.as_slice()), ("bucket", 6, &[2, 5][..]));
        assert!(hits.has(5) && !hits.has(3));
    }
}
