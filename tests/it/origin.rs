//! Who is behind the role session that pushed or pulled an image: the session's STS calls
//! followed back to the identity provider's subject (a GitHub Actions workflow), a source
//! identity, or the IAM user whose long-term key began the chain.
//!
//! The web identity session is the real `AssumeRoleWithWebIdentity` of a GitHub Actions workflow in
//! the corpus (ccbrown/cloud-snitch's tests); the pushes and pulls are AWS's ECR documentation
//! examples signed with the keys those STS calls handed out. Expected subjects and names come from
//! those events, not from Trailscope.

use serde_json::{json, Value};
use trailscope::analysis::container::nav::PushKeep;
use trailscope::analysis::container::report::Who;
use trailscope::analysis::container::{Ask, ContainerAnswer, ContainerQuery};
use trailscope::analysis::filter::Filter;
use trailscope::engine::{Engine, Query, Response};

use super::common::{corpus, root};

/// AWS's ECR documentation examples: (PutImage, BatchGetImage).
fn seeds() -> (Value, Value) {
    let path = root().join("tests/fixtures/seeds/ecr-documentation-examples.json");
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let find = |name: &str| doc["Records"].as_array().unwrap().iter().find(|e| e["eventName"] == name).unwrap().clone();
    (find("PutImage"), find("BatchGetImage"))
}

/// The GitHub Actions workflow's `AssumeRoleWithWebIdentity` in the corpus.
fn web_identity(dir: &std::path::Path) -> Value {
    let path = dir.join("ccbrown-cloud-snitch/aws_cloudtrail_test.go.rawEvent_literals.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["eventName"] == "AssumeRoleWithWebIdentity")
        .expect("the corpus's web identity session")
}

/// A role session's `userIdentity`, signed with `key`.
fn session(arn: &str, key: &str) -> Value {
    let account = arn.split(':').nth(4).unwrap();
    let role = arn.split('/').nth(1).unwrap();
    json!({"type": "AssumedRole", "principalId": format!("AROAEXAMPLE:{role}"), "arn": arn, "accountId": account,
           "accessKeyId": key, "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE",
           "arn": format!("arn:aws:iam::{account}:role/{role}"), "accountId": account, "userName": role}}})
}

/// An `AssumeRole` by `caller` handing out `key` for a session of `role` (`source` its source identity).
fn assume_role(n: u32, caller: Value, role: &str, key: &str, source: Option<&str>) -> (Value, String) {
    let account = role.split(':').nth(4).unwrap();
    let name = role.rsplit('/').next().unwrap();
    let session_arn = format!("arn:aws:sts::{account}:assumed-role/{name}/s{n}");
    let mut request = json!({"roleArn": role, "roleSessionName": format!("s{n}"), "durationSeconds": 3600});
    let mut response = json!({"credentials": {"accessKeyId": key, "sessionToken": "", "expiration": "Apr 16, 2025, 4:00:00 AM"},
        "assumedRoleUser": {"assumedRoleId": format!("AROAEXAMPLE:s{n}"), "arn": session_arn}});
    if let Some(s) = source {
        request["sourceIdentity"] = s.into();
        response["sourceIdentity"] = s.into();
    }
    let event = json!({"eventVersion": "1.08", "userIdentity": caller, "eventTime": format!("2025-04-16T03:0{n}:00Z"),
        "eventSource": "sts.amazonaws.com", "eventName": "AssumeRole", "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15.0", "requestParameters": request,
        "responseElements": response, "requestID": format!("req-{n}"), "eventID": format!("00000000-0000-4000-8000-00000000000{n}"),
        "readOnly": true, "eventType": "AwsApiCall", "recipientAccountId": account});
    (event, session_arn)
}

/// `seed` made by `identity` at minute `n`, with its own event ID (and, for a push, tag and digest).
fn signed(seed: &Value, n: u32, identity: Value) -> Value {
    let mut e = seed.clone();
    e["userIdentity"] = identity;
    e["eventTime"] = format!("2025-04-16T03:1{n}:00Z").into();
    e["eventID"] = format!("11111111-0000-4000-8000-00000000000{n}").into();
    if e["eventName"] == "PutImage" {
        e["requestParameters"]["imageTag"] = format!("t{n}").into();
        let digest = format!("sha256:{n:064}");
        e["responseElements"]["image"]["imageId"] = json!({"imageDigest": digest, "imageTag": format!("t{n}")});
    }
    e
}

fn ask(engine: &Engine, ask: Ask) -> ContainerAnswer {
    match engine.query(&Query::Container(Box::new(ContainerQuery { filter: Filter::default(), ask }))) {
        Response::Container(a) => *a,
        other => panic!("{other:?}"),
    }
}

#[test]
fn ok_pushes_and_pulls_name_the_workflow_source_identity_or_user_behind_their_role_session() {
    let Some(dir) = corpus() else { return };
    let (put, get) = seeds();
    let web = web_identity(&dir);
    let subject = web["responseElements"]["subjectFromWebIdentityToken"].as_str().unwrap();
    let web_key = web["responseElements"]["credentials"]["accessKeyId"].as_str().unwrap();
    let web_arn = web["responseElements"]["assumedRoleUser"]["arn"].as_str().unwrap();
    let account = web["recipientAccountId"].as_str().unwrap();
    assert!(web["responseElements"]["provider"]
        .as_str()
        .unwrap()
        .ends_with("oidc-provider/token.actions.githubusercontent.com"));

    // The workflow's session assumes a deploy role, which pulls: the same workflow is behind it.
    let deploy = format!("arn:aws:iam::{account}:role/DeployRole");
    let (hop, deploy_arn) = assume_role(1, session(web_arn, web_key), &deploy, "ASIAEXAMPLEDEPLOY001", None);
    // An IAM user's long-term key assumes the role; another user's does so naming a source identity.
    let ci = json!({"type": "IAMUser", "principalId": "AIDAEXAMPLECI", "arn": format!("arn:aws:iam::{account}:user/ci-bot"),
                    "accountId": account, "accessKeyId": "AKIAEXAMPLECIBOT0001", "userName": "ci-bot"});
    let (by_user, user_arn) = assume_role(2, ci.clone(), &deploy, "ASIAEXAMPLEUSER0001", None);
    let (by_source, source_arn) = assume_role(3, ci, &deploy, "ASIAEXAMPLESOURCE01", Some("alice@example.com"));
    let events = [
        web.clone(),
        hop,
        by_user,
        by_source,
        signed(&put, 1, session(web_arn, web_key)),
        signed(&get, 2, session(&deploy_arn, "ASIAEXAMPLEDEPLOY001")),
        signed(&put, 3, session(&user_arn, "ASIAEXAMPLEUSER0001")),
        signed(&put, 4, session(&source_arn, "ASIAEXAMPLESOURCE01")),
        // A key no STS call in these logs handed out: nothing is known behind it.
        signed(&put, 5, session(&deploy_arn, "ASIAEXAMPLEELSEWHERE")),
    ];
    let mut engine = Engine::new();
    engine.ingest_bytes("origin.json", json!({ "Records": events }).to_string().as_bytes());
    assert_eq!(engine.status().events, 9);

    let origin = |w: &Who| (w.origin.clone(), w.origin_via.clone());
    let ContainerAnswer::Pushes(pushes) = ask(&engine, Ask::Pushes { offset: 0, keep: PushKeep::All }) else {
        panic!()
    };
    let mut got: Vec<(String, (String, String))> =
        pushes.items.iter().map(|p| (p.tag.clone(), origin(&p.who))).collect();
    got.sort();
    let s = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(
        got,
        vec![
            ("t1".to_owned(), s(subject, "GitHub Actions")),
            ("t3".to_owned(), s(&format!("arn:aws:iam::{account}:user/ci-bot"), "long-term key")),
            ("t4".to_owned(), s("alice@example.com", "source identity")),
            ("t5".to_owned(), s("", "")),
        ]
    );
    // The workflow's session and the role it assumed are a CI workflow's; the others plain sessions.
    let kind = |tag: &str| pushes.items.iter().find(|p| p.tag == tag).unwrap().who.kind.clone();
    assert_eq!([kind("t1"), kind("t3"), kind("t4")], ["CI workflow (role)", "Role session", "Role session"]);
    let ContainerAnswer::Pulls(pulls) = ask(&engine, Ask::Pulls { offset: 0, outcome: None }) else { panic!() };
    assert_eq!(pulls.items.len(), 1);
    assert_eq!(origin(&pulls.items[0].who), s(subject, "GitHub Actions"), "through the deploy role");
    assert_eq!(pulls.items[0].who.kind, "CI workflow (role)");

    // Everything the workflow started is one filter away: its STS call, the session's push and
    // AssumeRole, and the deploy role's pull.
    let started_by = pushes.items.iter().find(|p| p.tag == "t1").unwrap().who.origin_principal.clone();
    let f = Filter { origins: vec![started_by], ..Filter::default() };
    let store = engine.store();
    let mut ids: Vec<String> = engine.rows_matching(&f).into_iter().map(|r| store.event_id(r).clone()).collect();
    ids.sort();
    let mut want: Vec<String> = [&events[0], &events[1], &events[4], &events[5]]
        .iter()
        .map(|e| e["eventID"].as_str().unwrap().to_owned())
        .collect();
    want.sort();
    assert_eq!(ids, want);
}
