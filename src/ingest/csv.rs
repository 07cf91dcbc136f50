//! The console's Event history CSV download, read as RFC 4180: quoted cells may hold commas, doubled
//! quotes and newlines, so records are split by a quote-aware scanner, not by lines.
//!
//! The header names the columns (FORMATS.md section 3); they are matched by name, so a download with
//! columns in another order or with extra columns still reads. Cells are data: one that begins with
//! `=`, `+`, `-` or `@` (a spreadsheet formula) is kept verbatim and never evaluated. The CSV carries no
//! identity type, ARN, MFA or session issuer; the rows say so (`Identity::source_known = false`).

use std::borrow::Cow;

use super::limits::MAX_LINE_BYTES;

/// The columns Trailscope reads, by their header names in the console's download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Col {
    UserName,
    AccessKey,
    EventTime,
    EventSource,
    EventName,
    Region,
    SourceIp,
    UserAgent,
    ErrorCode,
    Resources,
    RequestId,
    EventId,
    ReadOnly,
    EventType,
    RecipientAccount,
    EventCategory,
}

const NAMES: [(&str, Col); 16] = [
    ("user name", Col::UserName),
    ("aws access key", Col::AccessKey),
    ("event time", Col::EventTime),
    ("event source", Col::EventSource),
    ("event name", Col::EventName),
    ("aws region", Col::Region),
    ("source ip address", Col::SourceIp),
    ("user agent", Col::UserAgent),
    ("error code", Col::ErrorCode),
    ("resources", Col::Resources),
    ("request id", Col::RequestId),
    ("event id", Col::EventId),
    ("read-only", Col::ReadOnly),
    ("event type", Col::EventType),
    ("recipient account id", Col::RecipientAccount),
    ("event category", Col::EventCategory),
];

/// A header row: the cells as written, and where each known column is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The header cells, in order.
    pub names: Vec<String>,
    at: [Option<usize>; 16],
}

impl Header {
    /// Reads a header row; `None` unless it names the columns of an Event history download (at least
    /// Event time, Event name and one of Event source / Event ID).
    pub fn parse(record: &[u8]) -> Option<Header> {
        let record = record.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(record);
        let names: Vec<String> = cells(&String::from_utf8_lossy(record)).iter().map(|c| c.trim().to_owned()).collect();
        let mut at = [None; 16];
        for (i, name) in names.iter().enumerate() {
            let lower = name.to_ascii_lowercase();
            if let Some((_, col)) = NAMES.iter().find(|(n, _)| *n == lower) {
                at[*col as usize].get_or_insert(i);
            }
        }
        let has = |c: Col| at[c as usize].is_some();
        (has(Col::EventTime) && has(Col::EventName) && (has(Col::EventSource) || has(Col::EventId)))
            .then_some(Header { names, at })
    }

    /// The cell of column `col` in a row, or `""` when the column or the cell is absent.
    pub fn get<'r>(&self, row: &'r [Cow<'r, str>], col: Col) -> &'r str {
        self.at[col as usize].and_then(|i| row.get(i)).map_or("", |c| c.as_ref())
    }
}

/// Splits one record into its cells, unquoting `"..."` cells (`""` is a quote).
pub fn cells(record: &str) -> Vec<Cow<'_, str>> {
    let b = record.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        if b.get(i) == Some(&b'"') {
            let mut cell = String::new();
            let mut j = i + 1;
            let mut from = j;
            loop {
                match memchr::memchr(b'"', &b[j..]) {
                    None => {
                        cell.push_str(&record[from..]);
                        j = b.len();
                        break;
                    }
                    Some(q) => {
                        j += q;
                        cell.push_str(&record[from..j]);
                        if b.get(j + 1) == Some(&b'"') {
                            cell.push('"');
                            j += 2;
                            from = j;
                        } else {
                            j += 1;
                            break;
                        }
                    }
                }
            }
            // Anything between the closing quote and the next comma is kept, as spreadsheets do.
            let end = memchr::memchr(b',', &b[j..]).map_or(b.len(), |c| j + c);
            cell.push_str(&record[j..end]);
            out.push(Cow::Owned(cell));
            i = end;
        } else {
            let end = memchr::memchr(b',', &b[i..]).map_or(b.len(), |c| i + c);
            out.push(Cow::Borrowed(&record[i..end]));
            i = end;
        }
        if i >= b.len() {
            return out;
        }
        i += 1; // the comma
    }
}

/// Why a record was not handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Longer than [`MAX_LINE_BYTES`].
    TooLong,
    /// The input ended inside a quoted cell.
    Unterminated,
}

/// Quote-aware record splitter over chunks.
#[derive(Default)]
pub struct Records {
    buf: Vec<u8>,
    /// Absolute offset of `buf[0]`.
    base: u64,
    /// Bytes of `buf` already scanned.
    scanned: usize,
    in_quotes: bool,
    /// Passing over a record that was too long: its quotes are still followed, its bytes not kept.
    skipping: bool,
    /// Records passed over, with where they start.
    pub problems: Vec<(u64, Problem)>,
}

impl Records {
    /// A splitter whose first byte is at `base`.
    pub fn at(base: u64) -> Records {
        Records { base, ..Records::default() }
    }

    /// Feeds more text; complete records (without their line end) go to `out` with their offsets.
    pub fn push(&mut self, data: &[u8], out: &mut dyn FnMut(u64, &[u8])) {
        self.buf.extend_from_slice(data);
        let mut start = 0;
        let mut i = self.scanned;
        while let Some(k) = memchr::memchr2(b'"', b'\n', &self.buf[i..]) {
            i += k;
            if self.buf[i] == b'"' {
                self.in_quotes = !self.in_quotes;
            } else if !self.in_quotes {
                if self.skipping {
                    self.skipping = false;
                } else {
                    let rec = &self.buf[start..i];
                    out(self.base + start as u64, rec.strip_suffix(b"\r").unwrap_or(rec));
                }
                start = i + 1;
            }
            i += 1;
        }
        self.scanned = self.buf.len();
        if self.skipping {
            start = self.buf.len();
        } else if self.buf.len() - start > MAX_LINE_BYTES {
            self.problems.push((self.base + start as u64, Problem::TooLong));
            self.skipping = true;
            start = self.buf.len();
        }
        self.buf.drain(..start);
        self.base += start as u64;
        self.scanned -= start;
    }

    /// Ends the text: the last record, when it has no line end.
    pub fn finish(&mut self, out: &mut dyn FnMut(u64, &[u8])) {
        if self.skipping || self.buf.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        if self.in_quotes {
            self.problems.push((self.base, Problem::Unterminated));
        } else {
            let rec = std::mem::take(&mut self.buf);
            out(self.base, rec.strip_suffix(b"\r").unwrap_or(&rec));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_cells_quoted_commas_quotes_and_newlines() {
        let got = cells("a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",,=1+2");
        assert_eq!(got, vec!["a", "b,c", "say \"hi\"", "two\nlines", "", "=1+2"]);
    }

    #[test]
    fn ok_records_span_lines_inside_quotes_in_any_chunking() {
        let text = b"h1,h2\r\n\"x\ny\",1\n\"a\"\"\",2\nlast,3";
        for chunk in 1..text.len() {
            let mut r = Records::default();
            let mut got = Vec::new();
            for c in text.chunks(chunk) {
                r.push(c, &mut |o, rec| got.push((o, String::from_utf8_lossy(rec).into_owned())));
            }
            r.finish(&mut |o, rec| got.push((o, String::from_utf8_lossy(rec).into_owned())));
            assert_eq!(
                got,
                vec![
                    (0, "h1,h2".to_owned()),
                    (7, "\"x\ny\",1".to_owned()),
                    (15, "\"a\"\"\",2".to_owned()),
                    (23, "last,3".to_owned())
                ],
                "chunk {chunk}"
            );
            assert!(r.problems.is_empty());
        }
    }

    #[test]
    fn err_unclosed_quote_at_the_end_is_reported() {
        let mut r = Records::default();
        let mut got = Vec::new();
        r.push(b"h\n\"open,1\n2\n", &mut |o, _| got.push(o));
        r.finish(&mut |o, _| got.push(o));
        assert_eq!(got, vec![0]);
        assert_eq!(r.problems, vec![(2, Problem::Unterminated)]);
    }

    #[test]
    fn ok_header_by_name_in_any_order() {
        let h = Header::parse(b"\xEF\xBB\xBFEvent name,Event time,Event ID,Extra").unwrap();
        let row = cells("PutImage,2024-04-16T22:18:03Z,abc,x");
        assert_eq!(h.get(&row, Col::EventName), "PutImage");
        assert_eq!(h.get(&row, Col::EventId), "abc");
        assert_eq!(h.get(&row, Col::UserName), "");
        assert_eq!(Header::parse(b"Event Type,Event Name,Request ID"), None);
    }
}
