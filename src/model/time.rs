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

/// Which end of a time range a typed time bounds. A filter's range holds its start and the instant
/// after its end, so that ranges meet without overlap; people type the last time they want kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The first instant of what was typed: `2026-03-01` starts at its midnight.
    From,
    /// The instant after the last one of what was typed: `2026-03-01` keeps that whole day,
    /// `2026-03-01 12:05` the whole minute, `2026-03-01 12:05:00` the events at 12:05:00.
    To,
}

/// A time typed as one end of a range: a date (`YYYY-MM-DD`), then optionally the hour, minutes,
/// seconds and a fraction (`T` or a space before them), then optionally `Z`, `UTC` or an offset
/// (`+02:00`, `-0800`, `+05`, as the AWS CLI prints its times); no zone is UTC. `None` for
/// anything else, never a guess.
pub fn parse_bound(s: &str, end: End) -> Option<Millis> {
    let mut s = s.trim();
    if s.len() >= 3 && s.is_char_boundary(s.len() - 3) && s[s.len() - 3..].eq_ignore_ascii_case("utc") {
        s = s[..s.len() - 3].trim_end();
    }
    let b = s.as_bytes();
    if b.len() < 10 || (b.len() > 10 && !matches!(b[10], b'T' | b't' | b' ')) {
        return None;
    }
    // How far the time goes, and the length of its last unit.
    let (mut to, mut unit, mut pad) = (10, 86_400_000, "T00:00:00");
    if b.len() > 10 {
        (to, unit, pad) = (13, 3_600_000, ":00:00");
        if b.get(13) == Some(&b':') {
            (to, unit, pad) = (16, 60_000, ":00");
            if b.get(16) == Some(&b':') {
                (to, unit, pad) = (19, 1000, "");
                if b.get(19) == Some(&b'.') {
                    let n = b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
                    to = 20 + n;
                    unit = [1000, 100, 10].get(n).copied().unwrap_or(1);
                }
            }
        }
    }
    let to = to.min(b.len());
    if !s.is_char_boundary(to) {
        return None;
    }
    let start = parse_iso(&format!("{}{pad}{}", &s[..to], &s[to..]))?;
    Some(match end {
        End::From => start,
        End::To => start + unit,
    })
}

/// How [`parse_bound`] would have it typed: `YYYY-MM-DD HH:MM:SS`, with `.mmm` where the bound is
/// not a whole second. A `To` names its last second (or millisecond) kept, so it reads back as the
/// same bound.
pub fn show_bound(t: Millis, end: End) -> String {
    // The instant shown, and whether it needs its milliseconds.
    let (t, millis) = match end {
        End::From => (t, t.rem_euclid(1000) != 0),
        End::To if t.rem_euclid(1000) == 0 => (t - 1000, false),
        End::To => (t - 1, true),
    };
    let iso = format_iso(t - t.rem_euclid(1000));
    let whole = format!("{} {}", &iso[..10], &iso[11..19]);
    if millis {
        format!("{whole}.{:03}", t.rem_euclid(1000))
    } else {
        whole
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

    // Seconds after the epoch below are `date -u -d 'YYYY-MM-DD HH:MM:SS' +%s`.
    const MARCH_1: Millis = 1_772_323_200_000;
    const MARCH_2: Millis = 1_772_409_600_000;
    const AT_12_05: Millis = 1_772_366_700_000;

    #[test]
    fn ok_a_bound_as_typed_from_its_first_instant() {
        for s in ["2026-03-01", "2026-03-01 00", "2026-03-01T00:00", "2026-03-01 00:00:00", "2026-03-01 00:00:00Z"] {
            assert_eq!(parse_bound(s, End::From), Some(MARCH_1), "{s}");
        }
        assert_eq!(parse_bound(" 2026-03-01 12:05 UTC ", End::From), Some(AT_12_05));
        assert_eq!(parse_bound("2026-03-01 12:05:00utc", End::From), Some(AT_12_05));
        assert_eq!(parse_bound("2026-03-01 12:05:00.25", End::From), Some(AT_12_05 + 250));
    }

    #[test]
    fn ok_a_bound_as_typed_to_keeps_all_of_its_last_unit() {
        let cases = [
            ("2026-03-01", MARCH_2),
            ("2026-03-01 12", 1_772_370_000_000),
            ("2026-03-01 12:05", 1_772_366_760_000),
            ("2026-03-01 12:05:00", 1_772_366_701_000),
            ("2026-03-01T12:05:00Z", 1_772_366_701_000),
            ("2026-03-01 12:05:00.2", AT_12_05 + 300),
            ("2026-03-01 12:05:00.25", AT_12_05 + 260),
            ("2026-03-01 12:05:00.250", AT_12_05 + 251),
            ("2026-03-01 12:05:00.2501", AT_12_05 + 251),
        ];
        for (s, want) in cases {
            assert_eq!(parse_bound(s, End::To), Some(want), "{s}");
        }
    }

    #[test]
    fn ok_a_bound_with_an_offset_is_converted_to_utc() {
        // The AWS CLI prints local times with their offset: 12:05+02:00 is 10:05 UTC.
        assert_eq!(parse_bound("2026-03-01T12:05:00+02:00", End::From), Some(1_772_359_500_000));
        assert_eq!(parse_bound("2026-03-01 12:05-0800", End::From), Some(1_772_395_500_000));
        assert_eq!(parse_bound("2026-03-01T12:05:00+02:00", End::To), Some(1_772_359_501_000));
        // 12 at +02 is the hour from 10:00 UTC, so it ends at 11:00 UTC.
        assert_eq!(parse_bound("2026-03-01T12+02", End::To), Some(1_772_362_800_000));
    }

    #[test]
    fn err_a_bound_that_is_not_a_time() {
        for bad in [
            "",
            "now",
            "2026-03",
            "2026-03-01Z",
            "2026-03-01T",
            "2026-03-01 1",
            "2026-03-01 12:5",
            "2026-03-01 12:05:",
            "2026-03-01 12:05:00.",
            "2026-02-30",
            "2026-03-01 24:00",
            "2026-03-01 12:05 CET",
            "2026-03-01 12:05:00é",
            "2026-03-01é12",
        ] {
            assert_eq!(parse_bound(bad, End::From), None, "{bad}");
            assert_eq!(parse_bound(bad, End::To), None, "{bad}");
        }
    }

    #[test]
    fn ok_a_bound_shown_reads_back_as_itself() {
        assert_eq!(show_bound(MARCH_1, End::From), "2026-03-01 00:00:00");
        assert_eq!(show_bound(MARCH_2, End::To), "2026-03-01 23:59:59");
        assert_eq!(show_bound(AT_12_05 + 250, End::From), "2026-03-01 12:05:00.250");
        assert_eq!(show_bound(AT_12_05 + 1, End::To), "2026-03-01 12:05:00.000");
        for t in [MARCH_1, MARCH_2, AT_12_05 + 1, AT_12_05 + 999, AT_12_05 + 1000, -1, 0, 1] {
            for end in [End::From, End::To] {
                assert_eq!(parse_bound(&show_bound(t, end), end), Some(t), "{t} {end:?}");
            }
        }
    }
}
