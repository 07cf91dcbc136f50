#!/usr/bin/env python3
"""Rebuilds the signed CloudTrail digest fixture for the integrity tests (tests/fixtures/integrity/).

Independent of Trailscope's Rust code on purpose: the logs and their digest files come from
../shared/tools/gen_cloudtrail.py --digests (Python's hashlib), and the signatures from the `openssl`
command line, so the Rust verifier is checked against a second implementation of the scheme in
FORMATS.md section 2 (the one `aws cloudtrail validate-logs` checks):

  signature = RSA PKCS#1 v1.5 over SHA-256 of
    digestEndTime + "\\n" + digestS3Bucket + "/" + digestS3Object + "\\n"
    + hex(sha256(decompressed digest)) + "\\n" + (previousDigestSignature or "null")

What it writes:
  trail/AWSLogs/...                 two digest chains (3 hourly digests each) and the log files they list
  list-public-keys.json             as `aws cloudtrail list-public-keys` prints it: the TEST key and a decoy
  signatures.json                   every digest's signature, as S3 would hold it in x-amz-meta-signature
  truth.json                        what this script wrote, for the tests to compare against

The RSA key is a TEST-ONLY key made by `openssl genrsa` in a temporary folder at each run; its private
half is never written into the repository. Re-running gives new signatures (and the same logs).

  python3 scripts/make-integrity-fixture.py      # uses ../shared, or $TRAILSCOPE_SHARED
"""
import base64, glob, gzip, hashlib, json, os, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("TRAILSCOPE_SHARED", os.path.join(ROOT, "..", "shared"))
OUT = os.path.join(ROOT, "tests", "fixtures", "integrity")
# Two low-volume chains of the generator's output at this seed and size: small files, 3 digests each.
SEED, EVENTS = 7, 20000
CHAINS = [("555566667777", "ap-southeast-2"), ("555566667777", "eu-west-1")]


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def read_gz(path):
    with gzip.open(path, "rb") as f:
        return f.read()


def write_gz(path, body):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(body)


def main():
    gen = os.path.join(SHARED, "tools", "gen_cloudtrail.py")
    if not os.path.exists(gen):
        sys.exit(f"{gen} not found: set TRAILSCOPE_SHARED to the shared folder")
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "gen")
        subprocess.run([sys.executable, gen, "--events", str(EVENTS), "--seed", str(SEED), "--out", raw, "--digests"],
                       check=True, capture_output=True)
        key = os.path.join(tmp, "test-only-key.pem")
        openssl("genrsa", "-out", key, "2048")
        der = openssl("rsa", "-in", key, "-RSAPublicKey_out", "-outform", "DER")
        decoy = os.path.join(tmp, "decoy.pem")
        openssl("genrsa", "-out", decoy, "2048")
        decoy_der = openssl("rsa", "-in", decoy, "-RSAPublicKey_out", "-outform", "DER")
        # list-public-keys' Fingerprint is the hex MD5 of the DER key (checked on AWS's documented example).
        fingerprint = hashlib.md5(der).hexdigest()

        shutil.rmtree(OUT, ignore_errors=True)
        trail = os.path.join(OUT, "trail")
        signatures, truth_chains, logs_listed = {}, [], 0
        for account, region in CHAINS:
            pattern = os.path.join(raw, "AWSLogs", account, "CloudTrail-Digest", region, "*", "*", "*", "*.json.gz")
            prev = None  # (key, sha256 of the rewritten decompressed digest, signature)
            keys = []
            for path in sorted(glob.glob(pattern)):
                digest = json.loads(read_gz(path))
                # Re-chain with real signatures: each digest's previous* fields name the rewritten one before it.
                digest["digestPublicKeyFingerprint"] = fingerprint
                if prev:
                    digest["previousDigestS3Object"] = prev[0]
                    digest["previousDigestHashValue"] = prev[1]
                    digest["previousDigestSignature"] = prev[2]
                body = json.dumps(digest, separators=(",", ":")).encode()
                to_sign = "\n".join([digest["digestEndTime"], digest["digestS3Bucket"] + "/" + digest["digestS3Object"],
                                     hashlib.sha256(body).hexdigest(), digest["previousDigestSignature"] or "null"])
                signature = openssl("dgst", "-sha256", "-sign", key, data=to_sign.encode()).hex()
                write_gz(os.path.join(trail, digest["digestS3Object"]), body)
                for entry in digest["logFiles"]:
                    src = os.path.join(raw, entry["s3Object"])
                    assert hashlib.sha256(read_gz(src)).hexdigest() == entry["hashValue"], src
                    dst = os.path.join(trail, entry["s3Object"])
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    shutil.copyfile(src, dst)
                    logs_listed += 1
                signatures[digest["digestS3Object"]] = signature
                keys.append(digest["digestS3Object"])
                prev = (digest["digestS3Object"], hashlib.sha256(body).hexdigest(), signature)
            truth_chains.append({"account": account, "region": region, "digests": keys, "newest": keys[-1],
                                 "newest_signature": signatures[keys[-1]]})

    def key_entry(value, fp):
        return {"ValidityStartTime": 1772236800.0, "ValidityEndTime": 1774828800.0,  # 2026-02-28 .. 2026-03-30
                "Value": base64.b64encode(value).decode(), "Fingerprint": fp}

    with open(os.path.join(OUT, "list-public-keys.json"), "w") as f:
        json.dump({"PublicKeyList": [key_entry(decoy_der, hashlib.md5(decoy_der).hexdigest()),
                                     key_entry(der, fingerprint)]}, f, indent=4)
        f.write("\n")
    with open(os.path.join(OUT, "signatures.json"), "w") as f:
        json.dump(signatures, f, indent=1, sort_keys=True)
        f.write("\n")
    truth = {"chains": truth_chains, "digest_files": len(signatures), "log_files_listed": logs_listed,
             "fingerprint": fingerprint, "generator": {"seed": SEED, "events": EVENTS}}
    with open(os.path.join(OUT, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")
    print(json.dumps({k: v for k, v in truth.items() if k != "chains"}))


if __name__ == "__main__":
    main()
