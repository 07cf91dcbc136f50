//! What the person pastes for the signature check: CloudTrail's public keys and digest signatures.
//!
//! Public keys come from `aws cloudtrail list-public-keys` (JSON: `PublicKeyList[].Value`, base64
//! DER PKCS#1; several outputs pasted one after another are fine), or as PEM blocks. A key's
//! fingerprint is *computed* (hex MD5 of the DER key, which is what the API's `Fingerprint` is: it
//! holds for AWS's documented example), never taken on trust from the pasted text.
//!
//! Signatures are hex, as S3 keeps them in `x-amz-meta-signature`: pasted bare, as
//! `aws s3api head-object` output (`"Metadata": {"signature": ...}`), or next to the digest's key or
//! file name (`<key> <signature>`, or a JSON object of key → signature). A signature with no name is
//! matched to a digest by trying it.

use base64ct::{Base64, Encoding};
use md5::{Digest as _, Md5};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPublicKey;

use super::hash::{hex, unhex};
use crate::model::time::{parse_iso, Millis};

/// Longest text read from a paste (a year of keys for every region is a few dozen KB).
pub const MAX_PASTE_BYTES: usize = 1 << 20;

/// Shortest hex run taken for a signature: 512 bits (CloudTrail signs with 2048-bit keys, 512 hex digits).
const MIN_SIGNATURE_HEX: usize = 128;

/// One CloudTrail public key.
#[derive(Debug, Clone)]
pub struct PublicKey {
    /// Hex MD5 of the DER key, as digests name it in `digestPublicKeyFingerprint`.
    pub fingerprint: String,
    /// The key.
    pub key: RsaPublicKey,
    /// `ValidityStartTime`, when given.
    pub valid_from: Option<Millis>,
    /// `ValidityEndTime`, when given.
    pub valid_to: Option<Millis>,
}

impl PublicKey {
    fn from_der(der: &[u8]) -> Result<PublicKey, String> {
        let key = RsaPublicKey::from_pkcs1_der(der)
            .or_else(|_| RsaPublicKey::from_public_key_der(der))
            .map_err(|e| format!("not an RSA public key in DER form ({e})"))?;
        Ok(PublicKey { fingerprint: hex(&Md5::digest(der)), key, valid_from: None, valid_to: None })
    }

    /// Key size in bits.
    pub fn bits(&self) -> usize {
        self.key.n().bits()
    }
}

/// A pasted signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenSignature {
    /// The digest key or file name written next to it, if any.
    pub label: Option<String>,
    /// The signature bytes.
    pub bytes: Vec<u8>,
}

/// Everything read from the two paste boxes, with what could not be read.
#[derive(Debug, Clone, Default)]
pub struct KeyMaterial {
    /// Keys, in the order given, without repeats.
    pub keys: Vec<PublicKey>,
    /// Signatures, in the order given, without repeats.
    pub signatures: Vec<GivenSignature>,
    /// What could not be used, in words for people.
    pub problems: Vec<String>,
}

impl KeyMaterial {
    /// Reads the public keys text and the signatures text.
    pub fn read(public_keys: &str, signatures: &str) -> KeyMaterial {
        let mut m = KeyMaterial::default();
        m.read_keys(clip(public_keys));
        m.read_signatures(clip(signatures));
        m
    }

    /// The key a digest names by fingerprint.
    pub fn key(&self, fingerprint: &str) -> Option<&PublicKey> {
        self.keys.iter().find(|k| k.fingerprint.eq_ignore_ascii_case(fingerprint.trim()))
    }

    fn add_key(&mut self, key: PublicKey, stated: Option<&str>, what: &str) {
        if let Some(stated) = stated.filter(|s| !s.eq_ignore_ascii_case(&key.fingerprint)) {
            self.problems.push(format!(
                "{what}: its stated Fingerprint {} is not the MD5 of its key ({}); the key is used under the computed one",
                clip_str(stated),
                key.fingerprint
            ));
        }
        if let Some(old) = self.keys.iter_mut().find(|k| k.fingerprint == key.fingerprint) {
            old.valid_from = old.valid_from.or(key.valid_from);
            old.valid_to = old.valid_to.or(key.valid_to);
        } else {
            self.keys.push(key);
        }
    }

    fn read_keys(&mut self, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let before = self.keys.len();
        let mut json_docs = 0;
        for doc in serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>() {
            let Ok(doc) = doc else { break };
            json_docs += 1;
            let list = doc.get("PublicKeyList").cloned().unwrap_or(doc);
            let items = match list {
                serde_json::Value::Array(items) => items,
                one @ serde_json::Value::Object(_) => vec![one],
                _ => Vec::new(),
            };
            for (i, item) in items.iter().enumerate() {
                self.read_key_object(item, i + 1);
            }
        }
        if json_docs == 0 {
            self.read_pem(text);
        }
        if self.keys.len() == before && self.problems.is_empty() {
            self.problems.push(
                "no public key found in the pasted text: paste the output of `aws cloudtrail list-public-keys` (JSON) or a PEM key"
                    .into(),
            );
        }
    }

    fn read_key_object(&mut self, item: &serde_json::Value, n: usize) {
        let what = format!("key {n} of the pasted list");
        let Some(value) = item.get("Value").and_then(serde_json::Value::as_str) else {
            self.problems.push(format!("{what} has no Value"));
            return;
        };
        let Ok(der) = Base64::decode_vec(value.trim()) else {
            self.problems.push(format!("{what}: its Value is not base64"));
            return;
        };
        match PublicKey::from_der(&der) {
            Ok(mut key) => {
                key.valid_from = item.get("ValidityStartTime").and_then(time_of);
                key.valid_to = item.get("ValidityEndTime").and_then(time_of);
                let stated = item.get("Fingerprint").and_then(serde_json::Value::as_str);
                self.add_key(key, stated, &what);
            }
            Err(e) => self.problems.push(format!("{what}: {e}")),
        }
    }

    fn read_pem(&mut self, text: &str) {
        let mut body: Option<String> = None;
        let mut n = 0;
        for line in text.lines().map(str::trim) {
            if line.starts_with("-----BEGIN") && line.contains("PUBLIC KEY") {
                body = Some(String::new());
            } else if line.starts_with("-----END") {
                if let Some(b64) = body.take() {
                    n += 1;
                    let what = format!("PEM key {n}");
                    match Base64::decode_vec(&b64)
                        .map_err(|_| "not base64".to_owned())
                        .and_then(|d| PublicKey::from_der(&d))
                    {
                        Ok(key) => self.add_key(key, None, &what),
                        Err(e) => self.problems.push(format!("{what}: {e}")),
                    }
                }
            } else if let Some(b) = body.as_mut() {
                b.push_str(line);
            }
        }
    }

    fn read_signatures(&mut self, text: &str) {
        let mut label: Option<String> = None;
        let mut found = false;
        for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || "_-./:".contains(c))) {
            if token.contains("CloudTrail-Digest") {
                label = Some(token.to_owned());
            } else if token.len() >= MIN_SIGNATURE_HEX && token.bytes().all(|b| b.is_ascii_hexdigit()) {
                found = true;
                match unhex(token) {
                    Some(bytes) => {
                        let sig = GivenSignature { label: label.take(), bytes };
                        if !self.signatures.contains(&sig) {
                            self.signatures.push(sig);
                        }
                    }
                    None => self.problems.push(format!(
                        "a pasted signature has an odd number of hex digits ({}); it was not used",
                        token.len()
                    )),
                }
            }
        }
        if !found && !text.trim().is_empty() {
            self.problems.push(format!(
                "no signature found in the pasted text: a signature is {MIN_SIGNATURE_HEX} or more hex digits (512 for CloudTrail's 2048-bit keys), as `aws s3api head-object` shows it under Metadata.signature"
            ));
        }
    }
}

/// `ValidityStartTime` as the CLI prints it: epoch seconds (v1) or an ISO 8601 string (v2).
fn time_of(v: &serde_json::Value) -> Option<Millis> {
    match v {
        serde_json::Value::Number(n) => n.as_f64().map(|s| (s * 1000.0) as Millis),
        serde_json::Value::String(s) => parse_iso(s),
        _ => None,
    }
}

/// At most [`MAX_PASTE_BYTES`] of a paste, cut on a character boundary.
fn clip(text: &str) -> &str {
    if text.len() <= MAX_PASTE_BYTES {
        return text;
    }
    let mut end = MAX_PASTE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A pasted string quoted in a message, cut short.
fn clip_str(s: &str) -> String {
    let s: String = s.chars().take(40).collect();
    format!("\"{s}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's documented `list-public-keys` example output (AWS CLI reference, cloudtrail list-public-keys).
    const AWS_EXAMPLE: &str = r#"{
    "PublicKeyList": [
        {
           "ValidityStartTime": 1453076702.0,
           "ValidityEndTime": 1455668702.0,
           "Value": "MIIBCgKCAQEAlSS3cl92HDycr/MTj0moOhas8habjrraXw+KzlWF0axSI2tcF+3iJ9BKQAVSKxGwxwu3m0wG3J+kUl1xboEcEPHYoIYMbgfSw7KGnuDKwkLzsQWhUJ0cIbOHASox1vv/5fNXkrHhGbDCHeVXm804c83nvHUEFYThr1PfyP/8HwrCtR3FX5OANtQCP61C1nJtSSkC8JSQUOrIP4CuwJjc+4WGDk+BGH5m9iuiAKkipEHWmUl8/P7XpfpWQuk4h8g3pXZOrNXr08lbh4d39svj7UqdhvOXoBISp9t/EXYuePGEtBdrKD9Dz+VHwyUPtBQvYr9BnkF88qBnaPNhS44rzwIDAQAB",
           "Fingerprint": "7f3f401420072e50a65a141430817ab3"
       }
    ]
}"#;

    #[test]
    fn ok_aws_example_fingerprint_is_md5_of_the_der_key() {
        let m = KeyMaterial::read(AWS_EXAMPLE, "");
        assert!(m.problems.is_empty(), "{:?}", m.problems);
        assert_eq!(m.keys.len(), 1);
        let k = m.key("7F3F401420072E50A65A141430817AB3").expect("found by fingerprint, any case");
        assert_eq!(k.bits(), 2048);
        assert_eq!(k.valid_from, Some(1_453_076_702_000));
        assert_eq!(k.valid_to, Some(1_455_668_702_000));
    }

    #[test]
    fn err_wrong_stated_fingerprint_is_said_and_the_computed_one_used() {
        let m = KeyMaterial::read(&AWS_EXAMPLE.replace("7f3f4014", "00000000"), "");
        assert_eq!(m.keys[0].fingerprint, "7f3f401420072e50a65a141430817ab3");
        assert_eq!(m.problems.len(), 1);
        assert!(m.problems[0].contains("is not the MD5 of its key"), "{}", m.problems[0]);
    }

    #[test]
    fn ok_two_outputs_pasted_and_cli_v2_times() {
        let v2 = AWS_EXAMPLE.replace("1453076702.0", "\"2016-01-18T00:25:02+00:00\"");
        let m = KeyMaterial::read(&format!("{v2}\n{AWS_EXAMPLE}"), "");
        assert_eq!(m.keys.len(), 1, "the same key twice is one key");
        assert_eq!(m.keys[0].valid_from, Some(1_453_076_702_000));
    }

    #[test]
    fn err_nothing_usable() {
        let m = KeyMaterial::read("hello", "not a signature");
        assert_eq!(m.problems.len(), 2, "{:?}", m.problems);
        let m = KeyMaterial::read(r#"{"PublicKeyList":[{"Value":"bm90IGEga2V5"}]}"#, "");
        assert!(m.problems[0].contains("not an RSA public key"), "{:?}", m.problems);
    }

    #[test]
    fn ok_signatures_bare_head_object_and_labelled() {
        let sig = "ab".repeat(256);
        let other = "cd".repeat(256);
        let head = format!(r#"{{"Metadata": {{"signature": "{sig}", "signature-algorithm": "SHA256withRSA"}}}}"#);
        let m = KeyMaterial::read("", &head);
        assert_eq!(m.signatures, vec![GivenSignature { label: None, bytes: vec![0xab; 256] }]);
        let labelled =
            format!("AWSLogs/1/CloudTrail-Digest/r/x_CloudTrail-Digest_r_t_r_20260301T010000Z.json.gz {other}\n{sig}");
        let m = KeyMaterial::read("", &labelled);
        assert_eq!(m.signatures.len(), 2);
        assert!(m.signatures[0].label.as_deref().is_some_and(|l| l.ends_with("010000Z.json.gz")));
        assert_eq!(m.signatures[1].label, None, "a label is used once");
    }
}
