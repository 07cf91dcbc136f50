//! `SHA256withRSA` digest signatures (FORMATS.md section 2, as `aws cloudtrail validate-logs` checks them).
//!
//! CloudTrail signs, with RSA PKCS#1 v1.5 over SHA-256, the string
//! `digestEndTime \n digestS3Bucket/digestS3Object \n hex(sha256(decompressed digest)) \n previousDigestSignature`
//! (`null` for the first digest of a chain). The signature itself is kept in S3 object metadata, not
//! in the file, but each digest carries its predecessor's signature, and its own signature covers
//! that: so one trusted signature for the newest digest vouches, link by link, for the whole chain.

use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest as _, Sha256};

use super::digest::Digest;
use super::hash::{hex, Sha};

/// The one algorithm CloudTrail uses.
pub const ALGORITHM: &str = "SHA256withRSA";

/// The string CloudTrail signs for `digest`, whose decompressed content hashes to `sha256`.
pub fn signing_string(digest: &Digest, sha256: &Sha) -> String {
    format!(
        "{}\n{}/{}\n{}\n{}",
        digest.end,
        digest.bucket,
        digest.key,
        hex(sha256),
        digest.previous_signature.as_deref().unwrap_or("null")
    )
}

/// Whether `signature` is `key`'s `SHA256withRSA` signature of `message`.
pub fn verify(key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
    let hashed = Sha256::digest(message);
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &hashed, signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_signing_string_shape() {
        let d = Digest::parse(
            br#"{"digestEndTime":"2026-03-01T01:00:00Z","digestS3Bucket":"b","digestS3Object":"AWSLogs/k.json.gz",
                "previousDigestSignature":null,"logFiles":[]}"#,
        )
        .unwrap();
        assert_eq!(
            signing_string(&d, &[0xab; 32]),
            format!("2026-03-01T01:00:00Z\nb/AWSLogs/k.json.gz\n{}\nnull", "ab".repeat(32))
        );
    }
}
