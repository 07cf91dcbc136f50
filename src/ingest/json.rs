//! What a JSON parse error means for people, and the two repairs worth trying before giving up.
//!
//! `serde_json` reports a line and column inside the bytes it was given; a warning needs a byte offset
//! in the file, so [`error_at`] turns one into the other. Two kinds of broken record are common
//! enough in real exports to be read anyway, each with a warning: raw control characters (tabs,
//! newlines) inside strings, which copy-pasted documentation examples carry, and bytes that are not
//! UTF-8, which a damaged file or a hostile one carries. [`repair`] fixes both in a copy.

use std::borrow::Cow;

/// Byte index in `bytes` of `serde_json`'s (1-based) line and column, and the error text without them.
pub fn error_at(bytes: &[u8], e: &serde_json::Error) -> (usize, String) {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
    let mut line_start = 0;
    for _ in 1..e.line() {
        match memchr::memchr(b'\n', &bytes[line_start..]) {
            Some(nl) => line_start += nl + 1,
            None => break,
        }
    }
    // serde_json's column counts bytes and points at the offending byte (1-based), or 0 at a line start.
    let at = (line_start + e.column().saturating_sub(1)).min(bytes.len());
    (at, message)
}

/// Whether JSON text nests deeper than `limit` (brackets outside strings), in one pass without a stack.
/// The framer checks every record it frames; events decoded from strings (lookup-events, CloudWatch)
/// and export lines are checked with this.
pub fn deeper_than(bytes: &[u8], limit: u32) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0u32, false, false);
    for &b in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => {
                    depth += 1;
                    if depth > limit {
                        return true;
                    }
                }
                b'}' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    false
}

/// What [`repair`] changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Repairs {
    /// Offset (in the input) of the first byte that was not UTF-8.
    pub not_utf8_at: Option<usize>,
    /// Raw control characters inside strings were escaped.
    pub control_chars: bool,
}

impl Repairs {
    /// The repairs as a clause of a warning ("it holds ...").
    /// `base` is where the repaired bytes start in the file, when they are the file's own bytes.
    pub fn describe(&self, base: Option<u64>) -> Vec<String> {
        let mut out = Vec::new();
        match (self.not_utf8_at, base) {
            (Some(at), Some(base)) => out.push(format!(
                "it holds bytes that are not UTF-8 (the first at byte {}), shown as �",
                base + at as u64
            )),
            (Some(_), None) => out.push("it holds bytes that are not UTF-8, shown as �".to_owned()),
            (None, _) => {}
        }
        if self.control_chars {
            out.push("it holds raw control characters inside strings (not valid JSON), read as if escaped".to_owned());
        }
        out
    }
}

/// A copy of `bytes` with invalid UTF-8 replaced by U+FFFD and raw control characters inside JSON
/// strings escaped, or `None` when neither was there (so the parse error is something else).
pub fn repair(bytes: &[u8]) -> Option<(Vec<u8>, Repairs)> {
    let mut repairs = Repairs::default();
    let text: Cow<str> = match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(e) => {
            repairs.not_utf8_at = Some(e.valid_up_to());
            String::from_utf8_lossy(bytes)
        }
    };
    let mut out = Vec::with_capacity(text.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    for &b in text.as_bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            } else if b < 0x20 {
                repairs.control_chars = true;
                out.extend_from_slice(format!("\\u{b:04x}").as_bytes());
                continue;
            }
        } else if b == b'"' {
            in_string = true;
        }
        out.push(b);
    }
    (repairs != Repairs::default()).then_some((out, repairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_error_offset_counts_lines() {
        let bytes = b"{\n  \"a\": 1,\n  \"b\" 2\n}";
        let e = serde_json::from_slice::<serde_json::Value>(bytes).unwrap_err();
        let (at, message) = error_at(bytes, &e);
        assert_eq!((at, message.as_str()), (18, "expected `:`"));
        assert_eq!(bytes[at], b'2');
    }

    #[test]
    fn ok_repair_escapes_control_characters_only_inside_strings() {
        let (fixed, r) = repair(b"{\"a\":\"x\ty\"}\n").unwrap();
        assert_eq!(fixed, b"{\"a\":\"x\\u0009y\"}\n");
        assert_eq!(r, Repairs { not_utf8_at: None, control_chars: true });
        assert_eq!(repair(b"{\"a\":\"x\\ty\"}"), None);
    }

    #[test]
    fn ok_depth_ignores_brackets_in_strings() {
        assert!(!deeper_than(br#"{"a":"[[[[[["}"#, 2));
        assert!(deeper_than(b"[[[]]]", 2));
        assert!(!deeper_than(b"[[]][[]]", 2));
    }

    #[test]
    fn ok_repair_replaces_invalid_utf8() {
        let (fixed, r) = repair(b"{\"a\":\"\xff\"}").unwrap();
        assert_eq!(String::from_utf8(fixed).unwrap(), "{\"a\":\"\u{fffd}\"}");
        assert_eq!(r.not_utf8_at, Some(6));
    }
}
