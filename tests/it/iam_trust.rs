//! Roles made to trust outsiders (`analysis::identity::access`): a trust in GitHub's OIDC
//! provider with no condition on which repository (the mistake GitHub's and Datadog's
//! pages warn of), one whose subject matches every owner, one that names a repository, and one
//! that trusts another account; each with the role sessions opened after it.
//!
//! The trust policies are the documented ones (GitHub's "Configuring `OpenID` Connect in Amazon Web
//! Services", Datadog's rule "AWS IAM role should not allow untrusted GitHub Actions to assume
//! it"); the STS events follow AWS's documented `AssumeRoleWithWebIdentity` record. Expected
//! values are written down from how the events were built, never read from our output.

use trailscope::analysis::filter::{Compiled, Filter};
use trailscope::analysis::identity::{report, Attention, AttentionKind, Severity};
use trailscope::engine::Engine;

use super::iam_access::{ev, items, titled, user};

const GITHUB: &str = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com";
const EVIL: &str = "repo:evilcorp/payload:ref:refs/heads/main";
const ACME: &str = "repo:acme/app:ref:refs/heads/main";

/// A trust policy (escaped, for a request parameter) letting GitHub's workflows in under `condition`.
fn github_trust(condition: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{GITHUB}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}{condition}}}}}]}}"#
    )
    .replace('"', r#"\""#)
}

/// A role `role` made (or its trust set, with `call`) to `trust`.
fn set_trust(n: u32, time: &str, call: &str, role: &str, trust: &str) -> String {
    let field = if call == "CreateRole" { "assumeRolePolicyDocument" } else { "policyDocument" };
    let admin = user("admin", "AKIAADMIN00000000001");
    ev(
        n,
        time,
        call,
        &admin,
        "192.0.2.1",
        &format!(r#","requestParameters":{{"roleName":"{role}","{field}":"{trust}"}}"#),
    )
}

/// An `AssumeRoleWithWebIdentity` by a GitHub workflow of repository subject `sub` for role
/// `role`, from `ip`, with `outcome` (the response, or the error and a `null` response).
fn assume(n: u32, time: &str, role: &str, (sub, ip): (&str, &str), outcome: &str) -> String {
    let who = format!(
        r#"{{"type":"WebIdentityUser","principalId":"{GITHUB}:sts.amazonaws.com:{sub}","userName":"{sub}","identityProvider":"{GITHUB}"}}"#
    );
    let request = format!(
        r#","requestParameters":{{"roleArn":"arn:aws:iam::111111111111:role/{role}","roleSessionName":"GitHubActions"}}"#
    );
    ev(n, time, "AssumeRoleWithWebIdentity", &who, ip, &format!("{request}{outcome}"))
        .replace(r#""eventSource":"iam.amazonaws.com""#, r#""eventSource":"sts.amazonaws.com""#)
}

/// A GitHub workflow of repository subject `sub` taking on role `role` from `ip`, given `key`.
fn web_identity(n: u32, time: &str, role: &str, sub: &str, ip: &str, key: &str) -> String {
    let response = format!(
        r#","responseElements":{{"provider":"{GITHUB}","subjectFromWebIdentityToken":"{sub}","audience":"sts.amazonaws.com",
        "credentials":{{"accessKeyId":"{key}","expiration":"Jun 1, 2026 10:00:00 AM","sessionToken":"x"}},
        "assumedRoleUser":{{"assumedRoleId":"AROAECRPUSH:GitHubActions","arn":"arn:aws:sts::111111111111:assumed-role/{role}/GitHubActions"}}}}"#
    );
    assume(n, time, role, (sub, ip), &response)
}

/// `AssumeRoleWithWebIdentity` refused (`AccessDenied`, no response) for role `role`.
fn refused(n: u32, time: &str, role: &str, sub: &str, ip: &str) -> String {
    let error = r#","errorCode":"AccessDenied","errorMessage":"Not authorized to perform sts:AssumeRoleWithWebIdentity","responseElements":null"#;
    assume(n, time, role, (sub, ip), error)
}

fn events() -> Vec<String> {
    let eve = r#"{"type":"IAMUser","principalId":"AIDAEVE","arn":"arn:aws:iam::444455556666:user/eve","accountId":"444455556666","accessKeyId":"AKIAEVE0000000000001","userName":"eve"}"#;
    let audit_trust = r#"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:root\"},\"Action\":\"sts:AssumeRole\"}]}"#;
    vec![
        // Role ecr-push trusts every GitHub workflow (the audience alone); a repository of
        // another owner takes it on twice, the account's own once; then the trust is narrowed
        // to the account's repository, and the later session is not the open trust's.
        set_trust(1, "08:00:00", "CreateRole", "ecr-push", &github_trust("")),
        web_identity(2, "08:10:00", "ecr-push", EVIL, "198.51.100.7", "ASIAEVIL000000000001"),
        web_identity(3, "08:12:00", "ecr-push", EVIL, "198.51.100.7", "ASIAEVIL000000000002"),
        web_identity(4, "08:15:00", "ecr-push", ACME, "192.0.2.50", "ASIAACME000000000001"),
        set_trust(
            5,
            "09:00:00",
            "UpdateAssumeRolePolicy",
            "ecr-push",
            &github_trust(r#","StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}"#),
        ),
        web_identity(6, "09:30:00", "ecr-push", ACME, "192.0.2.50", "ASIAACME000000000002"),
        // Role pipeline trusts a subject of every owner; role build one repository of acme's.
        set_trust(
            7,
            "08:20:00",
            "CreateRole",
            "pipeline",
            &github_trust(r#","StringLike":{"token.actions.githubusercontent.com:sub":"repo:*"}"#),
        ),
        set_trust(
            8,
            "08:25:00",
            "CreateRole",
            "build",
            &github_trust(r#","StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}"#),
        ),
        // Role audit trusts account 444455556666, whose user eve takes it on.
        set_trust(9, "08:30:00", "CreateRole", "audit", audit_trust),
        ev(
            10,
            "08:40:00",
            "AssumeRole",
            eve,
            "203.0.113.77",
            r#","requestParameters":{"roleArn":"arn:aws:iam::111111111111:role/audit","roleSessionName":"eve"},
            "responseElements":{"credentials":{"accessKeyId":"ASIAAUDIT00000000001","expiration":"Jun 1, 2026 10:00:00 AM","sessionToken":"x"},
            "assumedRoleUser":{"assumedRoleId":"AROAAUDIT:eve","arn":"arn:aws:sts::111111111111:assumed-role/audit/eve"}}"#,
        )
        .replace(r#""eventSource":"iam.amazonaws.com""#, r#""eventSource":"sts.amazonaws.com""#),
    ]
}

#[test]
fn ok_a_role_trusting_every_github_workflow_says_who_took_it_on() {
    let all = items(&events(), &Filter::default());
    let mut titles: Vec<(&str, Severity)> = all.iter().map(|a| (a.title.as_str(), a.severity)).collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            ("Role audit trusts another account, and was taken on from it", Severity::High),
            ("Role ecr-push can be assumed by any GitHub Actions workflow, of any repository", Severity::High),
            ("Role pipeline can be assumed by any GitHub Actions workflow, of any repository", Severity::High),
        ]
    );
    let push = titled(&all, "Role ecr-push can be assumed by any GitHub Actions workflow, of any repository");
    let taken = format!(
        "Then the role was taken on 3 times: by {EVIL} (AssumeRoleWithWebIdentity, 2 times from 198.51.100.7, \
         first at 2026-06-01 08:10:00 UTC, last at 2026-06-01 08:12:00 UTC); by {ACME} (AssumeRoleWithWebIdentity, \
         once from 192.0.2.50, at 2026-06-01 08:15:00 UTC)."
    );
    assert!(push.why.contains(&taken), "{}", push.why);
    assert!(
        push.why.contains("when token.actions.githubusercontent.com:aud StringEquals sts.amazonaws.com"),
        "{}",
        push.why
    );
    assert!(push.why.contains("The trust policy was set back"), "{}", push.why);
    assert!(push.why.contains("at 2026-06-01 09:00:00 UTC"), "{}", push.why);
    let pipeline = titled(&all, "Role pipeline can be assumed by any GitHub Actions workflow, of any repository");
    assert!(pipeline.why.contains("token.actions.githubusercontent.com:sub StringLike repo:*"), "{}", pipeline.why);
    assert!(pipeline.why.contains("The role is not taken on in these logs after it."), "{}", pipeline.why);
    let audit = titled(&all, "Role audit trusts another account, and was taken on from it");
    let eve = "by arn:aws:iam::444455556666:user/eve (AssumeRole, once from 203.0.113.77, at 2026-06-01 08:40:00 UTC)";
    assert!(audit.why.contains(eve), "{}", audit.why);
}

fn refusals(lines: &[String]) -> Vec<Attention> {
    let mut e = Engine::new();
    e.ingest_bytes("trust.jsonl", lines.join("\n").as_bytes());
    let c = Compiled::new(&Filter::default(), e.store());
    report(e.store(), c.rows()).attention.rows.into_iter().filter(|a| a.kind == AttentionKind::RoleRefused).collect()
}

#[test]
fn ok_web_identities_refused_a_role_are_one_item_per_role() {
    let mut lines = events();
    // Role build names acme's repositories: evilcorp's workflow is refused twice, from two
    // addresses, and acme's once. Before ecr-push trusted every workflow, evilcorp's was refused
    // it; it took the role on at 08:10 (see `events`).
    lines.push(refused(20, "08:26:00", "build", EVIL, "198.51.100.7"));
    lines.push(refused(21, "08:27:00", "build", EVIL, "198.51.100.8"));
    lines.push(refused(22, "08:28:00", "build", ACME, "192.0.2.50"));
    lines.push(refused(23, "07:59:00", "ecr-push", EVIL, "198.51.100.7"));
    let all = refusals(&lines);
    let mut titles: Vec<(&str, Severity)> = all.iter().map(|a| (a.title.as_str(), a.severity)).collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            ("Role build refused to 2 web identities", Severity::Medium),
            ("Role ecr-push refused to 1 web identity", Severity::High)
        ]
    );
    let build = titled(&all, "Role build refused to 2 web identities");
    let who = format!("{EVIL} (2 times, from 198.51.100.7, 198.51.100.8); {ACME} (1 time, from 192.0.2.50)");
    assert!(build.why.contains(&who), "{}", build.why);
    assert!(build.why.contains("3 AssumeRoleWithWebIdentity calls refused"), "{}", build.why);
    assert!(build.why.contains("None of them takes the role on in these logs."), "{}", build.why);
    assert_eq!(build.events, 3);
    // Read in batches by two workers, one file each line, the same items.
    let dir = std::env::temp_dir().join(format!("trailscope-refused-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<std::path::PathBuf> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let f = dir.join(format!("{i:02}.json"));
            std::fs::write(&f, l).unwrap();
            f
        })
        .collect();
    let batched = super::common::absorbed_in_batches(&dir, &files);
    let c = Compiled::new(&Filter::default(), batched.store());
    let mut again: Vec<Attention> = report(batched.store(), c.rows()).attention.rows;
    again.retain(|a| a.kind == AttentionKind::RoleRefused);
    let key = |v: &[Attention]| {
        let mut k: Vec<(String, String)> = v.iter().map(|a| (a.title.clone(), a.why.clone())).collect();
        k.sort_unstable();
        k
    };
    assert_eq!(key(&again), key(&all));
    std::fs::remove_dir_all(&dir).unwrap();
    let push = titled(&all, "Role ecr-push refused to 1 web identity");
    let then = format!(
        "Then {EVIL} took the role on at 2026-06-01 08:10:00 UTC (AssumeRoleWithWebIdentity from 198.51.100.7)."
    );
    assert!(push.why.contains(&then), "{}", push.why);
}
