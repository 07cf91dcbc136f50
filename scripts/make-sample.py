#!/usr/bin/env python3
"""Rebuilds the bundled sample logs (sample/) and the seed fixture (tests/fixtures/seeds/).

The sample is what "Load sample logs" shows: AWS's own documentation examples for ECR and ECS
(../shared/seeds/), plus a small deterministic set from ../shared/tools/gen_cloudtrail.py, written in
the S3 layout CloudTrail uses and gzip'd as CloudTrail delivers them. Deterministic: running it twice
gives the same bytes (gzip mtime 0, sorted keys where order is ours).

  python3 scripts/make-sample.py            # uses ../shared, or $TRAILSCOPE_SHARED
"""
import glob, gzip, json, os, re, shutil, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("TRAILSCOPE_SHARED", os.path.join(ROOT, "..", "shared"))
SAMPLE = os.path.join(ROOT, "sample")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "seeds")
GEN_SEED, GEN_EVENTS = 32, 700  # seed 32 at this size includes an ECR lifecycle expiry


def seed_events():
    """Every JSON code block of the ECR and ECS documentation pages that parses as an event."""
    events = []
    for path in sorted(glob.glob(os.path.join(SHARED, "seeds", "*.txt"))):
        text = open(path, encoding="utf-8").read()
        for block in re.findall(r"```\n(.*?)```", text, re.S):
            try:
                ev = json.loads(block)
            except ValueError:
                continue
            if isinstance(ev, dict) and "eventTime" in ev:
                events.append((os.path.basename(path), ev))
    return events


def write_gz(path, events):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    body = json.dumps({"Records": events}, separators=(",", ":")).encode()
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(body)


def main():
    shutil.rmtree(SAMPLE, ignore_errors=True)
    os.makedirs(FIXTURES, exist_ok=True)
    docs = seed_events()
    # The two ECR pages repeat the same examples; the sample keeps one copy (exact duplicates only).
    unique, seen = [], set()
    for _, ev in docs:
        key = json.dumps(ev, sort_keys=True)
        if key not in seen:
            seen.add(key)
            unique.append(ev)
    by_region = {}
    for ev in unique:
        by_region.setdefault(ev["awsRegion"], []).append(ev)
    for region, evs in sorted(by_region.items()):
        newest = max(e["eventTime"] for e in evs)
        y, m, d = newest[:4], newest[5:7], newest[8:10]
        stamp = newest[:4] + newest[5:7] + newest[8:10] + "T" + newest[11:13] + newest[14:16] + "Z"
        name = f"123456789012_CloudTrail_{region}_{stamp}_AwsDocExamples0.json.gz"
        write_gz(os.path.join(SAMPLE, "AWSLogs", "123456789012", "CloudTrail", region, y, m, d, name), evs)
    # The ECR page's examples as one plain file, for the end-to-end test that drops "a seed example file".
    ecr = [ev for page, ev in docs if page.startswith("002_")]
    with open(os.path.join(FIXTURES, "ecr-documentation-examples.json"), "w", encoding="utf-8") as f:
        json.dump({"Records": ecr}, f, indent=2)
        f.write("\n")
    subprocess.run([sys.executable, os.path.join(SHARED, "tools", "gen_cloudtrail.py"), "--events", str(GEN_EVENTS),
                    "--seed", str(GEN_SEED), "--out", SAMPLE, "--truth", os.path.join(ROOT, "sample-truth.json")],
                   check=True, stderr=subprocess.DEVNULL)
    shutil.move(os.path.join(ROOT, "sample-truth.json"), os.path.join(FIXTURES, "..", "sample-generated-truth.json"))
    files = sorted(glob.glob(os.path.join(SAMPLE, "**", "*.json.gz"), recursive=True))
    print(f"sample: {len(files)} files, {sum(os.path.getsize(f) for f in files)} bytes; {len(unique)} documentation events")


if __name__ == "__main__":
    main()
