#!/usr/bin/env python3
"""Counts the unique CloudTrail events in every file under a folder, independently of Trailscope.

This is the expected-value side of the corpus tests (tests/it/corpus.rs): its own reading of every input
shape in FORMATS.md with Python's standard library only (gzip, json, csv), sharing no code with the Rust
ingest. An event is a JSON object with at least one of eventTime, eventName, eventSource, eventID, whose
eventTime is an ISO 8601 time (an event without a time cannot be placed on a timeline; Trailscope warns
about it instead). Events are deduplicated on (eventID, eventTime, eventSource, eventName), as CloudTrail
can deliver an event twice and eventID alone is not unique across services in practice.

    python3 tests/data/count_events.py ../shared/corpus tests/data/corpus-counts.tsv
    python3 tests/data/count_events.py tests/fixtures/ingest/shapes tests/data/fixture-counts.tsv

Output: one row per file, sorted by path: `path  kind  events  records  rejected`, where kind is Logs,
Digest, NotCloudTrail, Empty or Malformed (JSON that does not parse at all), events the unique events
in that file alone, records every event record (duplicates included) and rejected the records that look
like events or JSON but could not be read. An event without eventTime takes its time from `@timestamp`
when it has one (Logstash / Elastic exports keep CloudTrail events that way). A last row `*` gives the unique events of all files together.
Provenance sidecars (*.index.tsv) and notes (*.md) are not inputs and are left out.
"""
import csv
import datetime
import gzip
import io
import json
import os
import re
import sys

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
EXPORT_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?) (\{.*)$")
CSV_HEADER = ["User name", "AWS access key", "Event time", "Event source", "Event name", "AWS region",
              "Source IP address", "User agent", "Error code", "Resources", "Request ID", "Event ID",
              "Read-only", "Event type", "Recipient Account Id", "Event category"]
EVENT_FIELDS = ("eventTime", "eventName", "eventSource", "eventID")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


class Tally:
    def __init__(self):
        self.keys = set()
        self.records = 0
        self.rejected = 0
        self.digest = False
        self.shapes = 0  # containers or events recognised

    def event(self, e):
        if not isinstance(e, dict) or not any(e.get(f) is not None for f in EVENT_FIELDS):
            return
        self.shapes += 1
        t = e.get("eventTime")
        if t is None:
            t = e.get("@timestamp")
        ms = millis(t)
        if ms is None:
            self.rejected += 1
            return
        self.records += 1
        self.keys.add(key(e.get("eventID"), ms, e.get("eventSource"), e.get("eventName")))

    def event_text(self, text):
        try:
            self.event(json.loads(text, strict=False))
        except ValueError:
            self.rejected += 1

    def value(self, v):
        """A top-level value, or an element of a bare array / lookup-events page."""
        if isinstance(v, list):
            self.shapes += 1
            for x in v:
                if isinstance(x, (dict, list)):
                    self.value(x)
                else:
                    self.rejected += 1
            return
        if not isinstance(v, dict):
            self.rejected += 1
            return
        if any(v.get(f) is not None for f in EVENT_FIELDS):
            self.event(v)
        elif "CloudTrailEvent" in v:
            inner = v["CloudTrailEvent"]
            self.shapes += 1
            if isinstance(inner, str):
                self.event_text(inner)
            else:
                self.event(inner)
        elif isinstance(v.get("Records"), list):
            self.shapes += 1
            for r in v["Records"]:
                self.event(r)
        elif isinstance(v.get("Events"), list):
            self.shapes += 1
            for x in v["Events"]:
                self.value(x)
        elif "logEvents" in v or "messageType" in v:
            self.shapes += 1
            for x in v.get("logEvents") or []:
                msg = x.get("message") if isinstance(x, dict) else None
                if isinstance(msg, str):
                    self.event_text(msg)
                else:
                    self.rejected += 1
        elif isinstance(v.get("events"), list):
            # `aws logs filter-log-events` / `get-log-events`: the event is each element's message.
            self.shapes += 1
            for x in v["events"]:
                if isinstance(x, dict) and isinstance(x.get("message"), str):
                    self.event_text(x["message"])
                elif isinstance(x, (dict, list)):
                    self.value(x)
                else:
                    self.rejected += 1
        elif isinstance(v.get("results"), list):
            # `aws logs get-query-results` (Logs Insights): rows of field/value pairs, the event
            # in the value of @message; a row without @message holds no event.
            self.shapes += 1
            for row in v["results"]:
                pairs = row if isinstance(row, list) and all(isinstance(p, dict) for p in row) else None
                if pairs is None or (pairs and not any("field" in p for p in pairs)):
                    self.value(row) if isinstance(row, (dict, list)) else None
                    continue
                msg = [p.get("value") for p in pairs if p.get("field") == "@message"]
                if msg and isinstance(msg[0], str):
                    self.event_text(msg[0])
                else:
                    self.rejected += 1
        elif isinstance(v.get("detail"), dict):
            self.shapes += 1
            self.event(v["detail"])
        elif "digestStartTime" in v or ("logFiles" in v and "digestS3Object" in v):
            self.digest = True


def text(v):
    """A field as a string; absent, null or not a string all read as empty."""
    return v if isinstance(v, str) else ""


def key(event_id, ms, source, name):
    return (text(event_id), ms, text(source), text(name))


def millis(t):
    """Milliseconds since the epoch of an ISO 8601 time (no zone: UTC), or None."""
    if not isinstance(t, str) or not ISO.match(t.strip()):
        return None
    t = t.strip().replace(" ", "T", 1)
    if t.endswith("Z") or t.endswith("z"):
        t = t[:-1] + "+00:00"
    elif re.search(r"[+-]\d{4}$", t):
        t = t[:-2] + ":" + t[-2:]
    try:
        d = datetime.datetime.fromisoformat(t)
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    delta = d - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def json_values(text, tally):
    """One JSON document, or several concatenated (JSON lines, lookup-events pages); bad lines skipped."""
    try:
        tally.value(json.loads(text, strict=False))
        return True
    except ValueError:
        pass
    dec = json.JSONDecoder(strict=False)
    i, parsed, n = 0, False, len(text)
    while i < n:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            break
        try:
            v, i = dec.raw_decode(text, i)
            tally.value(v)
            parsed = True
        except ValueError:
            tally.rejected += 1
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
    return parsed


def console_csv(text, tally):
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows)
    col = {name: i for i, name in enumerate(header)}
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        cell = lambda name: row[col[name]] if col.get(name, len(row)) < len(row) else ""
        tally.shapes += 1
        ms = millis(cell("Event time"))
        if ms is None:
            tally.rejected += 1
            continue
        tally.records += 1
        tally.keys.add(key(cell("Event ID").strip(), ms, cell("Event source").strip(), cell("Event name").strip()))


def count(path):
    data = open(path, "rb").read()
    tally = Tally()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            d = gzip.GzipFile(fileobj=io.BytesIO(data))
            out = b""
            try:
                while True:
                    chunk = d.read(1 << 16)
                    if not chunk:
                        break
                    out += chunk
            except (OSError, EOFError):
                pass
            data = out
    if not data:
        return "Empty", tally
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    first_line = stripped.split("\n", 1)[0].rstrip("\r")
    if not stripped:
        return "NotCloudTrail", tally
    if stripped[0] in "{[":
        json_values(text, tally)
        if tally.shapes == 0 and not tally.digest and tally.rejected > 0:
            return "Malformed", tally
    elif EXPORT_LINE.match(first_line):
        for line in text.split("\n"):
            m = EXPORT_LINE.match(line.rstrip("\r"))
            if m:
                tally.event_text(m.group(4))
            elif line.strip():
                tally.rejected += 1
    elif next(csv.reader([first_line])) == CSV_HEADER:
        console_csv(text, tally)
    else:
        return "NotCloudTrail", tally
    if tally.digest and tally.shapes == 0:
        return "Digest", tally
    if tally.shapes == 0 and tally.rejected == 0:
        return "NotCloudTrail", tally
    return "Logs", tally


def main():
    root, out = sys.argv[1], sys.argv[2]
    paths = []
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".index.tsv") or f.endswith(".md"):
                continue
            paths.append(os.path.relpath(os.path.join(d, f), root))
    everything = set()
    with open(out, "w", newline="") as w:
        w.write("path\tkind\tevents\trecords\trejected\n")
        for rel in sorted(paths):
            kind, t = count(os.path.join(root, rel))
            everything |= t.keys
            w.write(f"{rel}\t{kind}\t{len(t.keys)}\t{t.records}\t{t.rejected}\n")
        w.write(f"*\tAll\t{len(everything)}\t\t\n")


if __name__ == "__main__":
    main()
