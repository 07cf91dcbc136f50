//! A CloudTrail digest file, read from its decompressed JSON (FORMATS.md section 2).
//!
//! Only the fields the checks use are kept, as the strings the file holds: the signature covers
//! `digestEndTime`, `digestS3Bucket` and `digestS3Object` exactly as written.

use serde::Deserialize;

/// One log file a digest lists.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LogEntry {
    /// Bucket the log was delivered to.
    #[serde(rename = "s3Bucket", default)]
    pub bucket: String,
    /// Its S3 key.
    #[serde(rename = "s3Object")]
    pub key: String,
    /// Hex hash of the decompressed log.
    #[serde(rename = "hashValue")]
    pub hash: String,
    /// `SHA-256`.
    #[serde(rename = "hashAlgorithm", default)]
    pub algorithm: String,
}

/// The fields of a digest file the integrity checks use.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Digest {
    /// The account the digest is for.
    #[serde(rename = "awsAccountId", default)]
    pub account: String,
    /// Start of the hour it covers.
    #[serde(rename = "digestStartTime", default)]
    pub start: String,
    /// End of that hour; the first line of the signed string.
    #[serde(rename = "digestEndTime")]
    pub end: String,
    /// Where CloudTrail put this digest.
    #[serde(rename = "digestS3Bucket")]
    pub bucket: String,
    /// Its S3 key.
    #[serde(rename = "digestS3Object")]
    pub key: String,
    /// Hex MD5 of the public key that signs it.
    #[serde(rename = "digestPublicKeyFingerprint", default)]
    pub fingerprint: String,
    /// `SHA256withRSA`.
    #[serde(rename = "digestSignatureAlgorithm", default)]
    pub signature_algorithm: String,
    /// The digest before it, or `None` when this one starts a chain.
    #[serde(rename = "previousDigestS3Bucket", default)]
    pub previous_bucket: Option<String>,
    /// Its key.
    #[serde(rename = "previousDigestS3Object", default)]
    pub previous_key: Option<String>,
    /// Hex SHA-256 of its decompressed content.
    #[serde(rename = "previousDigestHashValue", default)]
    pub previous_hash: Option<String>,
    /// `SHA-256`.
    #[serde(rename = "previousDigestHashAlgorithm", default)]
    pub previous_hash_algorithm: Option<String>,
    /// Its signature (hex), which this digest's own signature covers.
    #[serde(rename = "previousDigestSignature", default)]
    pub previous_signature: Option<String>,
    /// The log files delivered in the hour.
    #[serde(rename = "logFiles")]
    pub log_files: Vec<LogEntry>,
}

impl Digest {
    /// Reads a digest from its decompressed JSON; the error names the first missing or wrong field.
    pub fn parse(json: &[u8]) -> Result<Digest, String> {
        serde_json::from_slice(json).map_err(|e| format!("not a readable digest file ({e})"))
    }

    /// The trail this digest belongs to, from its key.
    pub fn trail(&self) -> Trail {
        Trail::from_key(&self.key, &self.account)
    }
}

/// Which chain a digest is in: CloudTrail keeps one chain per trail and region.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Trail {
    /// Account id.
    pub account: String,
    /// The region whose logs it covers.
    pub region: String,
    /// The trail's name.
    pub name: String,
    /// The trail's home region.
    pub home_region: String,
}

impl Trail {
    /// Reads `<account>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHmmssZ>[_backfill].json.gz`.
    /// Trail names may hold underscores, so the name is what lies between the fixed parts. When the
    /// key does not have that shape, the whole key's folder stands for the trail.
    pub fn from_key(key: &str, account: &str) -> Trail {
        let name = key.rsplit('/').next().unwrap_or(key);
        let stem = name.strip_suffix(".json.gz").or_else(|| name.strip_suffix(".json")).unwrap_or(name);
        let stem = stem.strip_suffix("_backfill").unwrap_or(stem);
        let parsed = (|| {
            let (acct, rest) = stem.split_once("_CloudTrail-Digest_")?;
            let (region, rest) = rest.split_once('_')?;
            let (rest, _stamp) = rest.rsplit_once('_')?;
            let (trail, home) = rest.rsplit_once('_')?;
            Some(Trail { account: acct.into(), region: region.into(), name: trail.into(), home_region: home.into() })
        })();
        parsed.unwrap_or_else(|| Trail {
            account: account.into(),
            region: String::new(),
            name: key.rsplit_once('/').map_or("", |(dir, _)| dir).into(),
            home_region: String::new(),
        })
    }

    /// `account / region / trail` for people.
    pub fn label(&self) -> String {
        [self.account.as_str(), self.region.as_str(), self.name.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC_EXAMPLE: &str = r#"{"awsAccountId":"111122223333","digestStartTime":"2015-08-17T14:01:31Z","digestEndTime":"2015-08-17T15:01:31Z","digestS3Bucket":"S3-bucket-name","digestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz","digestPublicKeyFingerprint":"31e8b5433410dfb61a9dc45cc65b22ff","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":"2015-08-17T14:52:27Z","oldestEventTime":"2015-08-17T14:42:27Z","previousDigestS3Bucket":"S3-bucket-name","previousDigestS3Object":"AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T140131Z.json.gz","previousDigestHashValue":"97fb791cf91ffc440d274f8190dbdd9aa09c34432aba82739df18b6d3c13df2d","previousDigestHashAlgorithm":"SHA-256","previousDigestSignature":"50887c","logFiles":[{"s3Bucket":"S3-bucket-name","s3Object":"AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1445Z_9nYN7gp2eWAJHIfT.json.gz","hashValue":"9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6","hashAlgorithm":"SHA-256","newestEventTime":"2015-08-17T14:52:27Z","oldestEventTime":"2015-08-17T14:42:27Z"}]}"#;

    #[test]
    fn ok_aws_documentation_example() {
        let d = Digest::parse(DOC_EXAMPLE.as_bytes()).unwrap();
        assert_eq!(d.end, "2015-08-17T15:01:31Z");
        assert_eq!(d.log_files.len(), 1);
        assert_eq!(d.previous_signature.as_deref(), Some("50887c"));
        assert_eq!(
            d.trail(),
            Trail {
                account: "111122223333".into(),
                region: "us-east-2".into(),
                name: "your-trail-name".into(),
                home_region: "us-east-2".into()
            }
        );
    }

    #[test]
    fn ok_first_digest_has_null_previous() {
        let json = r#"{"digestEndTime":"t","digestS3Bucket":"b","digestS3Object":"k","previousDigestS3Bucket":null,
            "previousDigestS3Object":null,"previousDigestHashValue":null,"previousDigestSignature":null,"logFiles":[]}"#;
        let d = Digest::parse(json.as_bytes()).unwrap();
        assert_eq!((d.previous_key, d.previous_signature), (None, None));
    }

    #[test]
    fn err_missing_log_files_names_the_field() {
        let err = Digest::parse(br#"{"digestEndTime":"t","digestS3Bucket":"b","digestS3Object":"k"}"#).unwrap_err();
        assert!(err.contains("logFiles"), "{err}");
    }

    #[test]
    fn ok_trail_names_with_underscores_and_backfill() {
        let t = Trail::from_key(
            "p/AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2026/03/01/123456789012_CloudTrail-Digest_eu-west-1_my_trail_us-east-1_20260301T010000Z_backfill.json.gz",
            "",
        );
        assert_eq!(
            (t.region.as_str(), t.name.as_str(), t.home_region.as_str()),
            ("eu-west-1", "my_trail", "us-east-1")
        );
        assert_eq!(Trail::from_key("odd/name.json.gz", "1").name, "odd");
    }
}
