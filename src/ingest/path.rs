//! What a file's S3 key says: account, region and delivery date.
//!
//! `[prefix/]AWSLogs/[o-orgid/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>` for logs and
//! `.../CloudTrail-Digest/...` for digests. Users drop whole folders, so the relative path the browser
//! gives keeps these parts; a single dragged file only has its name, whose parts say the same.

use serde::{Deserialize, Serialize};

/// Facts read from a file's path. Empty strings when the path does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathMeta {
    /// AWS account id.
    pub account: String,
    /// AWS region.
    pub region: String,
    /// `YYYY-MM-DD` of delivery.
    pub date: String,
    /// The organization id when the trail is an organization trail.
    pub org: String,
    /// The key names a digest (`CloudTrail-Digest`).
    pub digest_path: bool,
}

impl PathMeta {
    /// Reads a relative path such as `AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/01/x.json.gz`.
    pub fn from_path(path: &str) -> PathMeta {
        let parts = parts(path);
        let mut meta = PathMeta::default();
        if let Some((org, rest)) = after_awslogs(&parts) {
            if let Some(org) = org {
                org.clone_into(&mut meta.org);
            }
            if let [account, kind, region, tail @ ..] = rest {
                if is_account(account) && (*kind == "CloudTrail" || *kind == "CloudTrail-Digest") {
                    (*account).clone_into(&mut meta.account);
                    (*region).clone_into(&mut meta.region);
                    meta.digest_path = *kind == "CloudTrail-Digest";
                    if let [y, m, d, ..] = tail {
                        if y.len() == 4 && m.len() == 2 && d.len() == 2 {
                            meta.date = format!("{y}-{m}-{d}");
                        }
                    }
                }
            }
        }
        if meta.account.is_empty() {
            // <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz
            let name = parts.last().copied().unwrap_or("");
            let fields: Vec<&str> = name.split('_').collect();
            if fields.len() >= 4
                && is_account(fields[0])
                && (fields[1] == "CloudTrail" || fields[1] == "CloudTrail-Digest")
            {
                fields[0].clone_into(&mut meta.account);
                fields[2].clone_into(&mut meta.region);
                meta.digest_path = fields[1] == "CloudTrail-Digest";
                let stamp = fields[3];
                if stamp.len() >= 8 && stamp[..8].bytes().all(|b| b.is_ascii_digit()) {
                    meta.date = format!("{}-{}-{}", &stamp[0..4], &stamp[4..6], &stamp[6..8]);
                }
            }
        }
        meta
    }
}

/// A path's folders and name, without empty parts.
fn parts(path: &str) -> Vec<&str> {
    path.split(['/', '\\']).filter(|p| !p.is_empty()).collect()
}

/// What follows the last `AWSLogs` folder of a path's `parts`: the organization ID when there is
/// one (`o-…`), and the parts after it (`<account>/<CloudTrail…>/<region>/…` in CloudTrail's layout).
fn after_awslogs<'p, 'a>(parts: &'p [&'a str]) -> Option<(Option<&'a str>, &'p [&'a str])> {
    let at = parts.iter().rposition(|p| *p == "AWSLogs")?;
    let rest = &parts[at + 1..];
    match rest.first().filter(|p| p.starts_with("o-")) {
        Some(org) => Some((Some(*org), &rest[1..])),
        None => Some((None, rest)),
    }
}

/// When CloudTrail delivered the file at S3 key (or path) `key`, to the minute, from the stamp its
/// name carries (`<account>_CloudTrail_<region>_20260301T0004Z_<id>.json.gz`), if it carries one.
pub fn delivered_at(key: &str) -> Option<crate::model::Millis> {
    let name = parts(key).last().copied()?;
    let stamp = name.split('_').nth(3)?;
    let b = stamp.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if !(stamp.len() == 14 && digits(0..8) && b[8] == b'T' && digits(9..13) && b[13] == b'Z') {
        return None;
    }
    let iso = format!("{}-{}-{}T{}:{}:00Z", &stamp[0..4], &stamp[4..6], &stamp[6..8], &stamp[9..11], &stamp[11..13]);
    crate::model::time::parse_iso(&iso)
}

/// What CloudTrail file an S3 key is, by the folder CloudTrail delivers it to in its layout
/// (`[prefix/]AWSLogs/[o-org/]<account>/CloudTrail/…` a log file, `CloudTrail-Digest/` a digest
/// file, `CloudTrail-Insight/` an Insights log file), or `None`.
pub fn cloudtrail_file_kind(key: &str) -> Option<&'static str> {
    let parts = parts(key);
    match after_awslogs(&parts)?.1 {
        [account, kind, ..] if is_account(account) => match *kind {
            "CloudTrail" => Some("log file"),
            "CloudTrail-Digest" => Some("digest file"),
            "CloudTrail-Insight" => Some("Insights log file"),
            _ => None,
        },
        _ => None,
    }
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_the_delivery_time_a_file_name_gives() {
        let key = "AWSLogs/123456789012/CloudTrail/eu-west-1/2026/03/01/123456789012_CloudTrail_eu-west-1_20260301T0005Z_AbCd.json.gz";
        assert_eq!(delivered_at(key), crate::model::time::parse_iso("2026-03-01T00:05:00Z"));
        let digest = "123456789012_CloudTrail-Digest_eu-west-1_trail_us-east-1_20260301T0105Z.json.gz";
        // A digest's name has the trail's name and home region before its stamp: no time read.
        assert_eq!(delivered_at(digest), None);
        for odd in
            ["x.json.gz", "a_b_c_2026030100052_x", "a_b_c_2026030XT0005Z_x", "a_b_c_20260301T0005Zé_x", "a_b_c_é"]
        {
            assert_eq!(delivered_at(odd), None, "{odd}");
        }
    }

    #[test]
    fn ok_s3_layout() {
        let m = PathMeta::from_path("logs/AWSLogs/o-abc123/123456789012/CloudTrail/eu-west-1/2026/03/01/123456789012_CloudTrail_eu-west-1_20260301T0005Z_AbCd.json.gz");
        assert_eq!(
            m,
            PathMeta {
                account: "123456789012".into(),
                region: "eu-west-1".into(),
                date: "2026-03-01".into(),
                org: "o-abc123".into(),
                digest_path: false
            }
        );
    }

    #[test]
    fn ok_bare_file_name() {
        let m = PathMeta::from_path("218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json");
        assert_eq!(
            (m.account.as_str(), m.region.as_str(), m.date.as_str()),
            ("218007301253", "us-east-1", "2023-07-10")
        );
    }

    #[test]
    fn ok_digest_key() {
        let m = PathMeta::from_path("AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/03/01/x.json.gz");
        assert!(m.digest_path);
    }

    #[test]
    fn ok_unrelated_path_says_nothing() {
        assert_eq!(PathMeta::from_path("Downloads/event_history.csv"), PathMeta::default());
    }

    #[test]
    fn ok_cloudtrail_files_told_apart_by_their_delivery_folder() {
        let kind = cloudtrail_file_kind;
        assert_eq!(kind("b/AWSLogs/o-abc123/123456789012/CloudTrail/eu-west-1/2026/03/01/x.json.gz"), Some("log file"));
        assert_eq!(kind("AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2026/03/01/d.json.gz"), Some("digest file"));
        assert_eq!(
            kind("AWSLogs/123456789012/CloudTrail-Insight/eu-west-1/2026/03/01/i.json.gz"),
            Some("Insights log file")
        );
        // Another service's logs, a folder that is no account, a name that only says CloudTrail.
        assert_eq!(kind("AWSLogs/123456789012/elasticloadbalancing/eu-west-1/x.log.gz"), None);
        assert_eq!(kind("AWSLogs/logs/CloudTrail/eu-west-1/x.json.gz"), None);
        assert_eq!(kind("123456789012_CloudTrail_eu-west-1_20260301T0005Z_AbCd.json.gz"), None);
    }
}
