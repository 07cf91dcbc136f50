//! Numbers, sizes, durations and times as people read them. Pure, shared by the UI and exports.

use std::borrow::Cow;
use std::fmt::Write;

use crate::model::time::format_iso;
use crate::model::Millis;

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`, `1,002nd`: a position, its thousands separated.
pub fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{}{suffix}", thousands(n))
}

/// Bytes with a binary unit: `512 B`, `1.5 KB`, `2 GB`.
pub fn bytes(n: u64) -> String {
    crate::ingest::limits::human_bytes(n)
}

/// A span of time: `45 s`, `12 min`, `3.5 h`, `12 days`.
pub fn duration(ms: i64) -> String {
    let s = ms.max(0) as f64 / 1000.0;
    if s < 1.0 {
        format!("{} ms", ms.max(0))
    } else if s < 90.0 {
        format!("{s:.0} s")
    } else if s < 90.0 * 60.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 48.0 * 3600.0 {
        format!("{:.1} h", s / 3600.0)
    } else if s < 730.0 * 86_400.0 {
        format!("{:.0} days", s / 86_400.0)
    } else {
        // Past two years a count of days has to be divided by the reader: 2,810 days is 7.7 years.
        format!("{:.1} years", s / (365.25 * 86_400.0))
    }
}

/// `2026-03-01 00:04:12 UTC`.
pub fn utc(ms: Millis) -> String {
    let iso = format_iso(ms - ms.rem_euclid(1000));
    format!("{} {} UTC", &iso[..10], &iso[11..19])
}

/// An ARN's resource part first, its account after: `arn:aws:sts::1234:assumed-role/Admin/Mary` →
/// (`assumed-role/Admin/Mary`, `1234`). Other text comes back whole, with no account.
pub fn arn_parts(s: &str) -> (&str, &str) {
    let mut it = s.splitn(6, ':');
    match (it.next(), it.next(), it.next(), it.next(), it.next(), it.next()) {
        (Some("arn"), Some(_), Some(_), Some(_), Some(account), Some(resource)) if !resource.is_empty() => {
            (resource, account)
        }
        _ => (s, ""),
    }
}

/// `n thing` / `n things`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `one` when `n` is 1, else `many`: a verb that agrees with a count ("1 file was", "2 files were").
pub fn agree(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// Whether `c` reorders or hides text: bidi embeddings, overrides and isolates (U+202A-202E,
/// U+2066-2069), direction marks, and invisible characters (zero-width spaces and joiners, the word
/// joiner and invisible operators, the byte order mark, the Mongolian vowel separator).
fn is_deceptive(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Text an attacker wrote, with the characters that could make it read as something else shown as
/// `[U+202E]` markers instead of obeyed. A file named `report\u{202E}gnp.exe` would otherwise read
/// `reportexe.png`, and `ad\u{200B}min` would look like `admin`. For names people act on (file
/// names, principals, keys of breakdowns) and the values shown beside them (addresses, regions,
/// user agents, error codes and messages). Borrowed when there is nothing to show.
pub fn reveal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_deceptive) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_deceptive(c) {
            let _ = write!(out, "[U+{:04X}]", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Where `text` holds `needle` (lower case), ignoring case: byte ranges of `text`, in order, not
/// overlapping. A character whose lower case is longer than itself (`İ`) is matched as its lower case.
pub fn hits(text: &str, needle: &str) -> Vec<std::ops::Range<usize>> {
    if needle.is_empty() {
        return Vec::new();
    }
    // The lower-case text, and for each of its bytes the original character's range.
    let mut lower = String::with_capacity(text.len());
    let mut from: Vec<(usize, usize)> = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        for l in c.to_lowercase() {
            lower.push(l);
            from.resize(lower.len(), (i, i + c.len_utf8()));
        }
    }
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for (at, _) in lower.match_indices(needle) {
        let range = from[at].0..from[at + needle.len() - 1].1;
        if out.last().is_none_or(|last| last.end <= range.start) {
            out.push(range);
        }
    }
    out
}

/// The last part of a path, for people: with bidi and invisible characters shown (see [`reveal`]),
/// since file names are chosen by whoever wrote the files.
pub fn file_name(path: &str) -> String {
    reveal(path.rsplit(['/', '\\']).next().unwrap_or(path)).into_owned()
}

/// Text longer than this many characters is cut where people read it: a drawer fact (Copy copies
/// all), a string of the raw JSON (until opened), a tooltip.
pub const LONG_TEXT: usize = 240;

/// Text for a `title` tooltip: a tooltip is plain text, but the browser still obeys bidi controls in
/// it, and a 100,000-character value would cover the screen. So the first [`LONG_TEXT`] characters,
/// revealed (see [`reveal`]), and how many more there are.
pub fn tooltip(s: &str) -> String {
    let (head, more) = first_chars(s, LONG_TEXT);
    let mut out = reveal(head).into_owned();
    if more > 0 {
        let _ = write!(out, "… and {}", plural(more as u64, "more character", "more characters"));
    }
    out
}

/// A file name split where a narrow column should cut it: the head may be cut (with an ellipsis),
/// the tail stays. CloudTrail names the files of one trail alike up to the region
/// (`123456789012_CloudTrail_us-east-1_`), so their tail is the time and unique part that tells them
/// apart (`20260301T0003Z_23729f21acbfb7ff.json.gz`); other names keep their last 24 characters.
pub fn name_parts(name: &str) -> (&str, &str) {
    let mut parts = name.splitn(4, '_');
    if let (Some(account), Some("CloudTrail" | "CloudTrail-Digest"), Some(region), Some(rest)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    {
        if !account.is_empty() && !region.is_empty() && !rest.is_empty() {
            return name.split_at(name.len() - rest.len());
        }
    }
    let count = name.chars().count();
    match name.char_indices().nth(count.saturating_sub(24)) {
        Some((at, _)) if count > 24 => name.split_at(at),
        _ => ("", name),
    }
}

/// A principal's name cut before its last part, from its `/` on: `assumed-role/Deploy/ci` is
/// `assumed-role/Deploy` and `/ci`, so that a narrow column cuts the role's name and keeps the
/// session that tells sessions apart. A name without a `/` (or starting with its only one) is all
/// head.
pub fn last_part(name: &str) -> (&str, &str) {
    match name.rfind('/') {
        Some(at) if at > 0 => name.split_at(at),
        _ => (name, ""),
    }
}

/// A principal's name in the three parts a narrow column gives way in: its kind, the name, the
/// last part ([`last_part`]). The kind is what comes before the head's first `/`, with it, when
/// something follows: `assumed-role/Deploy/ci` is `assumed-role/`, `Deploy` and `/ci`, so that the
/// kind, which the identity's type tells too, goes before the role's name. `user/alice` (one `/`)
/// has no kind: `user` and `/alice`.
pub fn principal_parts(name: &str) -> (&str, &str, &str) {
    let (head, tail) = last_part(name);
    match head.find('/') {
        Some(at) if at > 0 && at + 1 < head.len() => (&head[..=at], &head[at + 1..], tail),
        _ => ("", head, tail),
    }
}

/// The first `n` characters of `s`, and how many characters follow them.
pub fn first_chars(s: &str, n: usize) -> (&str, usize) {
    match s.char_indices().nth(n) {
        Some((at, _)) => (&s[..at], s[at..].chars().count()),
        None => (s, 0),
    }
}

/// `sha256:0c5cc4223d23` (the algorithm and 12 hex digits, as `docker images` shows), cut by
/// characters: a hostile log's "digest" may be any text.
pub fn short_digest(d: &str) -> String {
    match d.split_once(':') {
        Some((alg, hex)) => {
            format!("{}:{}", alg.chars().take(12).collect::<String>(), hex.chars().take(12).collect::<String>())
        }
        None => d.chars().take(19).collect(),
    }
}

/// An event source without its `.amazonaws.com`, as the lists name a service: `ecr.amazonaws.com`
/// is `ecr`; anything else is returned as it is.
pub fn short_source(s: &str) -> &str {
    s.strip_suffix(".amazonaws.com").unwrap_or(s)
}

/// An IAM or STS ARN without what a short label can do without: `arn:aws:sts::123456789012:assumed-role/Deploy/ci`
/// is `Deploy/ci` (the role and its session), `arn:aws:iam::123456789012:user/alice` is `user/alice`.
/// For the timeline's lane names, which are narrow and cut from the left: cut, the long prefix left
/// only the end of the role's name. Anything else is returned as it is.
pub fn short_arn(s: &str) -> &str {
    let (rest, account) = arn_parts(s);
    if account.is_empty() || !matches!(s.split(':').nth(2), Some("iam" | "sts")) {
        return s;
    }
    without_assumed_role(rest)
}

/// An ARN's resource part without `assumed-role/` (the role and its session, `Deploy/ci`), where a
/// label says it is a role's session some other way; anything else is returned as it is.
pub fn without_assumed_role(resource: &str) -> &str {
    resource.strip_prefix("assumed-role/").filter(|r| !r.is_empty()).unwrap_or(resource)
}

/// Each label as [`short_arn`] names it, unless two of them would then read the same (one role in
/// two accounts): those keep their whole text.
pub fn short_names<'a>(labels: &[&'a str]) -> Vec<&'a str> {
    let mut count: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for &label in labels {
        *count.entry(short_arn(label)).or_default() += 1;
    }
    labels.iter().map(|&label| if count[short_arn(label)] == 1 { short_arn(label) } else { label }).collect()
}

/// `s` cut with an ellipsis so that its `width` is at most `max`, for a name in a narrow place. The
/// end is kept: repository and role names are most distinctive at the end of an ARN. A name whose
/// last part follows a `/` (a role's session, a repository's last folder) keeps that part whole and
/// as much of its start as fits, cut in the middle (`ecsTask…/John_Doe`); when not even a few
/// first characters fit so, only its end is kept (`…Doe`).
pub fn fit_text(s: &str, max: f64, width: impl Fn(&str) -> f64) -> String {
    /// First characters kept at least when a name is cut in the middle.
    const MIN_HEAD: usize = 3;
    if width(s) <= max {
        return s.to_owned();
    }
    let chars: Vec<char> = s.chars().collect();
    let cut = |head: usize, tail: usize| -> String {
        chars[..head].iter().copied().chain(std::iter::once('…')).chain(chars[tail..].iter().copied()).collect()
    };
    let slash = last_part(s).0.chars().count();
    if slash > MIN_HEAD && slash < chars.len() {
        // The most first characters that fit before the last part: the width grows with them.
        let (mut lo, mut hi) = (MIN_HEAD, slash - 1);
        if width(&cut(lo, slash)) <= max {
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if width(&cut(mid, slash)) <= max {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return cut(lo, slash);
        }
    }
    let mut from = 0;
    while from < chars.len() {
        let text = cut(0, from);
        if width(&text) <= max {
            return text;
        }
        from += (chars.len() - from).div_ceil(8).max(1);
    }
    String::from("…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_a_digest_is_cut_by_characters_whatever_it_holds() {
        let hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(short_digest(&format!("sha256:{hex}")), "sha256:0123456789ab");
        // A hostile log's digest of many-byte characters: cut, not split inside one.
        assert_eq!(short_digest("sha256:ééééééééééééééé"), "sha256:éééééééééééé");
        assert_eq!(short_digest("sha256:abc"), "sha256:abc");
        assert_eq!(short_digest("no digest"), "no digest");
    }

    #[test]
    fn ok_ordinals_take_englishs_suffixes() {
        let cases = [
            (1, "1st"),
            (2, "2nd"),
            (3, "3rd"),
            (4, "4th"),
            (11, "11th"),
            (12, "12th"),
            (13, "13th"),
            (21, "21st"),
            (22, "22nd"),
            (111, "111th"),
            (1002, "1,002nd"),
        ];
        for (n, text) in cases {
            assert_eq!(ordinal(n), text);
        }
    }

    #[test]
    fn ok_fit_text_keeps_a_names_last_part_and_its_start() {
        let chars = |s: &str| s.chars().count() as f64;
        // What fits is kept whole.
        assert_eq!(fit_text("ecsTaskExecutionRole/John_Doe", 29.0, chars), "ecsTaskExecutionRole/John_Doe");
        // Cut in the middle: as many first characters as fit, the ellipsis, the last part whole.
        assert_eq!(fit_text("ecsTaskExecutionRole/John_Doe", 20.0, chars), "ecsTaskExe…/John_Doe");
        assert_eq!(fit_text("ecsTaskExecutionRole/John_Doe", 13.0, chars), "ecs…/John_Doe");
        // Too narrow for three first characters and the last part: the end only.
        assert_eq!(fit_text("ecsTaskExecutionRole/John_Doe", 12.0, chars).chars().last(), Some('e'));
        assert!(fit_text("ecsTaskExecutionRole/John_Doe", 12.0, chars).starts_with('…'));
        assert!(chars(&fit_text("ecsTaskExecutionRole/John_Doe", 12.0, chars)) <= 12.0);
        // No `/`: the end is kept.
        assert_eq!(fit_text("payments-service-api", 8.0, chars), "…ice-api");
        // Letters of two bytes are cut between characters.
        assert_eq!(fit_text("ééééééé/é", 6.0, chars), "ééé…/é");
        assert_eq!(fit_text("x", 0.0, chars), "…");
    }

    #[test]
    fn ok_last_part_splits_before_the_last_slash() {
        assert_eq!(last_part("assumed-role/Deploy/ci"), ("assumed-role/Deploy", "/ci"));
        assert_eq!(last_part("user/alice"), ("user", "/alice"));
        assert_eq!(last_part("root"), ("root", ""));
        assert_eq!(last_part("/x"), ("/x", ""));
        assert_eq!(last_part("role/é/ü"), ("role/é", "/ü"));
    }

    #[test]
    fn ok_principal_parts_put_the_kind_apart_from_a_roles_name() {
        assert_eq!(principal_parts("assumed-role/Deploy/ci"), ("assumed-role/", "Deploy", "/ci"));
        assert_eq!(principal_parts("role/service-role/Builder"), ("role/", "service-role", "/Builder"));
        assert_eq!(principal_parts("user/alice"), ("", "user", "/alice"));
        assert_eq!(principal_parts("ecr.amazonaws.com"), ("", "ecr.amazonaws.com", ""));
        assert_eq!(principal_parts("/x/y"), ("", "/x", "/y"));
        assert_eq!(principal_parts("a//b"), ("", "a/", "/b"));
        assert_eq!(principal_parts("rôle/é/ü"), ("rôle/", "é", "/ü"));
    }

    #[test]
    fn ok_first_chars_counts_characters_not_bytes() {
        assert_eq!(first_chars("abcdef", 4), ("abcd", 2));
        assert_eq!(first_chars("abc", 3), ("abc", 0));
        assert_eq!(first_chars("", 3), ("", 0));
        // Four two-byte letters: the cut falls between characters, and the rest counts characters.
        assert_eq!(first_chars("éééé", 1), ("é", 3));
    }

    #[test]
    fn ok_reveal_shows_bidi_and_invisible_characters() {
        assert_eq!(reveal("report\u{202E}gnp.exe"), "report[U+202E]gnp.exe");
        assert_eq!(reveal("ad\u{200B}mi\u{200D}n\u{FEFF}"), "ad[U+200B]mi[U+200D]n[U+FEFF]");
        assert_eq!(reveal("\u{2067}x\u{2069}\u{200E}\u{061C}"), "[U+2067]x[U+2069][U+200E][U+061C]");
        // Right-to-left text itself is not deceptive: only the controls are shown.
        assert_eq!(reveal("مرحبا <b>"), "مرحبا <b>");
        assert!(matches!(reveal("arn:aws:iam::123456789012:user/Mary"), Cow::Borrowed(_)));
        assert_eq!(file_name("AWSLogs/1/x\u{202E}gpj.json"), "x[U+202E]gpj.json");
    }

    #[test]
    fn ok_tooltip_reveals_and_cuts() {
        assert_eq!(tooltip("Mary"), "Mary");
        assert_eq!(tooltip("ad\u{200B}min\u{202E}"), "ad[U+200B]min[U+202E]");
        // 1,000 characters (two bytes each): 240 shown, 760 counted, and a control past the cut
        // costs nothing.
        let long = format!("{}\u{202E}", "é".repeat(999));
        assert_eq!(tooltip(&long), format!("{}… and 760 more characters", "é".repeat(240)));
    }

    #[test]
    fn ok_name_parts_keep_what_tells_files_apart() {
        let ct = "123456789012_CloudTrail_ap-southeast-2_20260301T0003Z_23729f21acbfb7ff.json.gz";
        assert_eq!(
            name_parts(ct),
            ("123456789012_CloudTrail_ap-southeast-2_", "20260301T0003Z_23729f21acbfb7ff.json.gz")
        );
        let digest = "123456789012_CloudTrail-Digest_us-east-1_trail_us-east-1_20260301T0100Z.json.gz";
        assert_eq!(name_parts(digest).0, "123456789012_CloudTrail-Digest_us-east-1_");
        // Other names: the last 24 characters (here two-byte letters, cut between characters).
        assert_eq!(name_parts("event-history-export.json"), ("e", "vent-history-export.json"));
        assert_eq!(name_parts(&"é".repeat(30)), ("éééééé", &*"é".repeat(24)));
        assert_eq!(name_parts("short.json"), ("", "short.json"));
        // Not the CloudTrail shape (no region, nothing after it): the short-name rule.
        assert_eq!(name_parts("x_CloudTrail_"), ("", "x_CloudTrail_"));
    }

    #[test]
    fn ok_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn ok_duration_and_utc() {
        assert_eq!(duration(45_000), "45 s");
        assert_eq!(duration(3 * 3600 * 1000 + 1800 * 1000), "3.5 h");
        let day = 86_400_000;
        assert_eq!(duration(400 * day), "400 days");
        // The sample's span: 2018-06-20 19:04:36 to 2026-03-01 00:05:43 UTC, 2,810 days, which is
        // 7 years (2,557 days with 2020 and 2024) and 253 days: 7.69 years.
        assert_eq!(duration(2810 * day), "7.7 years");
        assert_eq!(utc(1_555_346_700_123), "2019-04-15 16:45:00 UTC");
        assert_eq!(plural(1, "file", "files"), "1 file");
        assert_eq!(plural(2000, "file", "files"), "2,000 files");
    }

    #[test]
    fn ok_arn_parts() {
        assert_eq!(
            arn_parts("arn:aws:sts::123456789012:assumed-role/Admin/Mary"),
            ("assumed-role/Admin/Mary", "123456789012")
        );
        assert_eq!(arn_parts("arn:aws:iam::123456789012:root"), ("root", "123456789012"));
        assert_eq!(arn_parts("ecs-tasks.amazonaws.com"), ("ecs-tasks.amazonaws.com", ""));
    }

    #[test]
    fn ok_short_arns_keep_what_names_the_principal() {
        for (arn, short) in [
            ("arn:aws:sts::123456789012:assumed-role/ecsTaskExecutionRole/John_Doe", "ecsTaskExecutionRole/John_Doe"),
            ("arn:aws:iam::123456789012:user/Nikhil_Jayashankar", "user/Nikhil_Jayashankar"),
            ("arn:aws-cn:iam::123456789012:role/service-role/Builder", "role/service-role/Builder"),
            ("arn:aws:iam::123456789012:root", "root"),
            // Not an IAM or STS ARN, or not a whole one: as it is.
            ("arn:aws:ecr:us-east-1:123456789012:repository/app", "arn:aws:ecr:us-east-1:123456789012:repository/app"),
            ("arn:aws:sts::123456789012:", "arn:aws:sts::123456789012:"),
            ("arn:aws:sts:::assumed-role/x", "arn:aws:sts:::assumed-role/x"),
            ("ecr.amazonaws.com", "ecr.amazonaws.com"),
            ("123456789012 / us-east-1", "123456789012 / us-east-1"),
        ] {
            assert_eq!(short_arn(arn), short, "{arn}");
        }
    }

    #[test]
    fn ok_short_names_keep_whole_arns_that_would_read_the_same() {
        let labels = [
            "arn:aws:sts::111111111111:assumed-role/Deploy/ci",
            "arn:aws:sts::222222222222:assumed-role/Deploy/ci",
            "arn:aws:iam::111111111111:user/alice",
            "ecr.amazonaws.com",
        ];
        assert_eq!(short_names(&labels), [labels[0], labels[1], "user/alice", "ecr.amazonaws.com"]);
    }

    #[test]
    fn ok_hits_ignore_case_and_land_on_whole_characters() {
        let at = |t: &str, n: &str| hits(t, n).into_iter().map(|r| t[r].to_owned()).collect::<Vec<_>>();
        assert_eq!(at("ML-Datasets and ml-datasets", "ml-datasets"), ["ML-Datasets", "ml-datasets"]);
        assert_eq!(at("aaaa", "aa"), ["aa", "aa"]);
        assert_eq!(at("Café CAFÉ", "café"), ["Café", "CAFÉ"]);
        // `İ` lowers to two characters: a needle of its first still marks the whole character.
        assert_eq!(at("xİy", "i"), ["İ"]);
        assert!(hits("anything", "").is_empty());
        assert!(hits("abc", "abcd").is_empty());
    }
}
