//! CloudTrail times as integer milliseconds since the Unix epoch, UTC.
//!
//! `eventTime` is `YYYY-MM-DDTHH:MM:SSZ`, but other shapes carry more: lookup-events' outer `EventTime`
//! has a local offset (`2022-02-08 09:23:37+11:00`), CloudWatch exports add fractions
//! (`2023-07-10T11:45:01.123Z`). All of them are accepted; anything else is `None`, never a guess.

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

/// Parses an RFC 3339 / ISO 8601 timestamp (`T` or space between date and time, optional fraction,
/// `Z`, `+HH:MM`, `-HH:MM` or `+HHMM`; no zone means UTC, as CloudTrail's CSV export writes it).
pub fn parse_iso(s: &str) -> Option<Millis> {
    let b = s.trim().as_bytes();
    if b.len() < 19 {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
        return None;
    }
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            if i - start < 3 {
                millis = millis * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 {
            return None;
        }
        for _ in n..3 {
            millis *= 10;
        }
    }
    let offset_secs = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let rest = &b[i + 1..];
            let (h, m) = match rest.len() {
                5 if rest[2] == b':' => (digits(rest, 0, 2)?, digits(rest, 3, 2)?),
                4 => (digits(rest, 0, 2)?, digits(rest, 2, 2)?),
                2 => (digits(rest, 0, 2)?, 0),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let secs = h * 3600 + m * 60;
            if sign == b'+' {
                secs
            } else {
                -secs
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(secs * 1000 + millis)
}

/// Formats as `YYYY-MM-DDTHH:MM:SSZ`, adding `.mmm` only when there are milliseconds.
pub fn format_iso(ms: Millis) -> String {
    let (secs, millis) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (rem / 3600, rem % 3600 / 60, rem % 60);
    if millis == 0 {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
    } else {
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{millis:03}Z")
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let mut v = 0i64;
    for &c in b.get(at..at + n)? {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_cloudtrail_event_time() {
        // 2019-04-15T16:45:00Z is 1555346700 s after the epoch (date -u -d ... +%s).
        assert_eq!(parse_iso("2019-04-15T16:45:00Z"), Some(1_555_346_700_000));
    }

    #[test]
    fn ok_lookup_events_local_offset_is_converted_to_utc() {
        assert_eq!(parse_iso("2022-02-08 09:23:37+11:00"), parse_iso("2022-02-07T22:23:37Z"));
    }

    #[test]
    fn ok_fraction_and_compact_offset() {
        assert_eq!(parse_iso("2023-07-10T11:45:01.5Z"), Some(parse_iso("2023-07-10T11:45:01Z").unwrap() + 500));
        assert_eq!(parse_iso("2023-07-10T11:45:01-0130"), parse_iso("2023-07-10T13:15:01Z"));
    }

    #[test]
    fn err_not_a_time() {
        for bad in [
            "",
            "yesterday",
            "2019-13-01T00:00:00Z",
            "2019-02-29T00:00:00Z",
            "2019-04-15T16:45:00Q",
            "2019-04-15T16:45",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn ok_round_trip_through_format() {
        for s in
            ["1970-01-01T00:00:00Z", "2020-02-29T23:59:59Z", "1969-12-31T23:59:59.999Z", "2026-11-22T02:18:45.120Z"]
        {
            assert_eq!(format_iso(parse_iso(s).unwrap()), s);
        }
    }
}
