//! Which dropped file is which S3 object: S3 keys matched against dropped relative paths by suffix.
//!
//! A folder drop keeps the path below the folder picked (`logs/AWSLogs/<account>/CloudTrail/...`), a
//! file pick only the name, and the person may have decompressed the file (`x.json` for `x.json.gz`,
//! whose decompressed content, and so hash, is the same). So a dropped file matches a key when their
//! file names agree and, going up, every folder both have agrees too; among several keys the one
//! sharing the most folders wins. CloudTrail's file names carry the account, region, time and a
//! random part, so in practice a name alone is already unique.

use std::collections::HashMap;

/// Path parts, `/` or `\` separated, empty parts dropped.
pub fn parts(path: &str) -> Vec<&str> {
    path.split(['/', '\\']).filter(|p| !p.is_empty()).collect()
}

/// The last part of a path.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).find(|p| !p.is_empty()).unwrap_or(path)
}

/// How many trailing parts of `dropped` match `key`, the file name counting as one (`x.json` matches
/// `x.json.gz`); `None` when the names differ or a shared folder differs.
pub fn suffix_match(dropped: &str, key: &str) -> Option<usize> {
    let d = parts(dropped);
    let k = parts(key);
    let (dn, kn) = (d.last()?, k.last()?);
    if dn != kn && kn.strip_suffix(".gz") != Some(dn) {
        return None;
    }
    let mut n = 1;
    for (a, b) in d.iter().rev().skip(1).zip(k.iter().rev().skip(1)) {
        if a != b {
            return None;
        }
        n += 1;
    }
    Some(n)
}

/// Whether a key named so that `has_name` holds for its file name could be the dropped file at
/// `dropped`: one with the same name, or the same name and `.gz` (a decompressed copy).
pub fn name_may_match(dropped: &str, has_name: impl Fn(&str) -> bool) -> bool {
    let name = file_name(dropped);
    has_name(name) || has_name(&format!("{name}.gz"))
}

/// S3 keys by file name, to find the keys a dropped path may be.
#[derive(Debug, Default)]
pub struct KeyIndex {
    by_name: HashMap<String, Vec<usize>>,
    keys: Vec<String>,
}

impl KeyIndex {
    /// Indexes `keys`; results name keys by their position here.
    pub fn new<'a>(keys: impl IntoIterator<Item = &'a str>) -> KeyIndex {
        let mut index = KeyIndex::default();
        for (i, key) in keys.into_iter().enumerate() {
            index.by_name.entry(file_name(key).to_owned()).or_default().push(i);
            index.keys.push(key.to_owned());
        }
        index
    }

    /// Whether some key could be this dropped file (by name only): such files need a hash.
    pub fn may_match(&self, dropped: &str) -> bool {
        name_may_match(dropped, |name| self.by_name.contains_key(name))
    }

    /// The keys `dropped` is, best match first: every key sharing the longest suffix, sorted.
    pub fn matches(&self, dropped: &str) -> Vec<usize> {
        let name = file_name(dropped);
        let candidates = [name.to_owned(), format!("{name}.gz")];
        let mut best: Vec<(usize, usize)> = candidates
            .iter()
            .filter_map(|n| self.by_name.get(n))
            .flatten()
            .filter_map(|&i| suffix_match(dropped, &self.keys[i]).map(|len| (len, i)))
            .collect();
        let top = best.iter().map(|&(len, _)| len).max().unwrap_or(0);
        best.retain(|&(len, _)| len == top);
        let mut out: Vec<usize> = best.into_iter().map(|(_, i)| i).collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/01/123456789012_CloudTrail_us-east-1_20260301T0005Z_AbCdEfGh12345678.json.gz";

    #[test]
    fn ok_folder_drop_name_only_and_decompressed_copy() {
        assert_eq!(suffix_match(&format!("mybucket/{KEY}"), KEY), Some(8));
        assert_eq!(suffix_match(KEY, &format!("prefix/{KEY}")), Some(8));
        assert_eq!(
            suffix_match("123456789012_CloudTrail_us-east-1_20260301T0005Z_AbCdEfGh12345678.json.gz", KEY),
            Some(1)
        );
        assert_eq!(
            suffix_match("01/123456789012_CloudTrail_us-east-1_20260301T0005Z_AbCdEfGh12345678.json", KEY),
            Some(2)
        );
        assert_eq!(
            suffix_match("03\\01\\123456789012_CloudTrail_us-east-1_20260301T0005Z_AbCdEfGh12345678.json.gz", KEY),
            Some(3)
        );
    }

    #[test]
    fn err_different_name_or_folder() {
        assert_eq!(suffix_match("other.json.gz", KEY), None);
        assert_eq!(
            suffix_match("02/123456789012_CloudTrail_us-east-1_20260301T0005Z_AbCdEfGh12345678.json.gz", KEY),
            None,
            "a different day folder is a different object"
        );
        // A decompressed name never matches a key that is not gzip'd under the same name.
        assert_eq!(suffix_match("x.json.gz", "a/x.json"), None);
    }

    #[test]
    fn ok_index_prefers_the_longest_suffix() {
        let other = format!("backup/{KEY}").replace("AWSLogs/123456789012/CloudTrail/us-east-1", "elsewhere");
        let index = KeyIndex::new([KEY, other.as_str()]);
        assert_eq!(index.matches(&format!("x/{KEY}")), vec![0]);
        assert_eq!(index.matches(file_name(KEY)), vec![0, 1], "a bare name is either");
        assert!(index.may_match("123456789012_CloudTrail_us-east-1_20260301T0005Z_AbCdEfGh12345678.json"));
        assert!(!index.may_match("unrelated.json"));
    }
}
