//! Credentials made for others and access given away (`analysis::identity::access`), over
//! hand-made IAM events whose requests and responses are written as the IAM API reference
//! documents them, and over invictus-ir's attack simulation read whole and in batches.
//!
//! Expected values are written down from how the events were built (see the comments): whose key,
//! used from where, taken back by what; never read from our output.

use trailscope::analysis::filter::{Compiled, Field, Filter};
use trailscope::analysis::identity::origin::MADE_KEY;
use trailscope::analysis::identity::{report, Attention, AttentionKind, Origin, Severity};
use trailscope::engine::Engine;

use super::common::{absorbed_in_batches, corpus, walk};

/// One IAM event (or another service's, with `source`) of account 111111111111.
pub(super) fn ev(n: u32, time: &str, name: &str, who: &str, ip: &str, fields: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.09","eventTime":"2026-06-01T{time}Z","eventSource":"iam.amazonaws.com","eventName":"{name}",
        "eventID":"00000000-0000-4000-b000-{n:012}","awsRegion":"us-east-1","recipientAccountId":"111111111111",
        "sourceIPAddress":"{ip}","userIdentity":{who}{fields}}}"#
    )
}

/// An IAM user of account 111111111111 signing with long-term key `key`.
pub(super) fn user(name: &str, key: &str) -> String {
    format!(
        r#"{{"type":"IAMUser","principalId":"AIDA{name}","arn":"arn:aws:iam::111111111111:user/{name}","accountId":"111111111111","accessKeyId":"{key}","userName":"{name}"}}"#
    )
}

pub(super) fn items(lines: &[String], f: &Filter) -> Vec<Attention> {
    let mut e = Engine::new();
    e.ingest_bytes("iam.jsonl", lines.join("\n").as_bytes());
    given(&e, f)
}

/// The items of both kinds over the rows filter `f` keeps.
fn given(e: &Engine, f: &Filter) -> Vec<Attention> {
    let c = Compiled::new(f, e.store());
    let r = report(e.store(), c.rows());
    r.attention
        .rows
        .into_iter()
        .filter(|a| matches!(a.kind, AttentionKind::CredentialsMade | AttentionKind::AccessWidened))
        .collect()
}

pub(super) fn titled<'a>(items: &'a [Attention], title: &str) -> &'a Attention {
    items.iter().find(|a| a.title == title).unwrap_or_else(|| panic!("no item {title:?} among {items:#?}"))
}

const MALLORY_IP: &str = "203.0.113.9";

fn keys() -> Vec<String> {
    let mallory = user("mallory", "AKIAMALLORY000000001");
    let alice = user("alice", "AKIAALICE00000000001");
    let ci = user("ci", "AKIACI00000000000001");
    vec![
        // Mallory makes a key for user ci; the key then signs an ECR push from her address and
        // one from another.
        ev(
            1,
            "08:00:00",
            "CreateAccessKey",
            &mallory,
            MALLORY_IP,
            r#","requestParameters":{"userName":"ci"},
            "responseElements":{"accessKey":{"accessKeyId":"AKIACIBACKDOOR000001","status":"Active","userName":"ci","createDate":"Jun 1, 2026 8:00:00 AM"}}"#,
        ),
        ev(
            2,
            "08:05:00",
            "PutImage",
            &user("ci", "AKIACIBACKDOOR000001"),
            MALLORY_IP,
            r#","eventSource":"ecr.amazonaws.com""#,
        )
        .replace(r#""eventSource":"iam.amazonaws.com","#, ""),
        ev(
            3,
            "09:00:00",
            "GetAuthorizationToken",
            &user("ci", "AKIACIBACKDOOR000001"),
            "198.51.100.7",
            r#","eventSource":"ecr.amazonaws.com""#,
        )
        .replace(r#""eventSource":"iam.amazonaws.com","#, ""),
        // ci makes keys for itself, named or not: no one else's.
        ev(
            4,
            "08:10:00",
            "CreateAccessKey",
            &ci,
            "192.0.2.10",
            r#","requestParameters":null,"responseElements":{"accessKey":{"accessKeyId":"AKIACI00000000000002","userName":"ci"}}"#,
        ),
        ev(
            5,
            "08:11:00",
            "CreateAccessKey",
            &ci,
            "192.0.2.10",
            r#","requestParameters":{"userName":"ci"},"responseElements":{"accessKey":{"accessKeyId":"AKIACI00000000000003","userName":"ci"}}"#,
        ),
        // Alice makes one for bob, never used, and deletes it an hour later.
        ev(
            6,
            "10:00:00",
            "CreateAccessKey",
            &alice,
            "192.0.2.20",
            r#","requestParameters":{"userName":"bob"},"responseElements":{"accessKey":{"accessKeyId":"AKIABOB0000000000001","userName":"bob"}}"#,
        ),
        ev(
            7,
            "11:00:00",
            "DeleteAccessKey",
            &alice,
            "192.0.2.20",
            r#","requestParameters":{"userName":"bob","accessKeyId":"AKIABOB0000000000001"},"responseElements":null"#,
        ),
        // Mallory is refused a key for admin; a password for a user that is not there fails
        // otherwise (not a refusal: nothing to report).
        ev(
            8,
            "12:00:00",
            "CreateAccessKey",
            &mallory,
            MALLORY_IP,
            r#","errorCode":"AccessDenied","errorMessage":"User: mallory is not authorized","requestParameters":{"userName":"admin"},"responseElements":null"#,
        ),
        ev(
            9,
            "12:00:01",
            "CreateLoginProfile",
            &mallory,
            MALLORY_IP,
            r#","errorCode":"NoSuchEntityException","requestParameters":{"userName":"ghost"},"responseElements":null"#,
        ),
    ]
}

#[test]
fn ok_a_key_made_for_another_user_says_where_it_was_used_and_when_it_was_taken_back() {
    let all = items(&keys(), &Filter::default());
    assert_eq!(all.len(), 3, "ci's key, bob's key, the refused try: {all:#?}");
    let ci = titled(&all, "Access key made for user ci");
    assert_eq!(
        (ci.kind, ci.severity),
        (AttentionKind::CredentialsMade, Severity::High),
        "used from its maker's address"
    );
    assert_eq!(ci.who, "arn:aws:iam::111111111111:user/mallory");
    assert!(ci.why.contains("access key AKIACIBACKDOOR000001"), "{}", ci.why);
    assert!(
        ci.why.contains("used for 2 calls (ecr:GetAuthorizationToken, ecr:PutImage) from 198.51.100.7, 203.0.113.9"),
        "{}",
        ci.why
    );
    assert!(ci.why.contains("from 203.0.113.9, the address it was made from"), "{}", ci.why);
    assert!(ci.why.contains("still active at the end of these logs"), "{}", ci.why);
    let bob = titled(&all, "Access key made for user bob");
    assert_eq!(bob.severity, Severity::Medium, "never used, bob not made by alice in these logs");
    assert!(bob.why.contains("not used in these logs"), "{}", bob.why);
    assert!(
        bob.why.contains("The key was deleted at 2026-06-01 11:00:00 UTC by arn:aws:iam::111111111111:user/alice (DeleteAccessKey, 60 min later)"),
        "{}",
        bob.why
    );
    let tried = titled(&all, "Tried to make credentials or give access");
    assert_eq!((tried.kind, tried.severity, tried.events), (AttentionKind::AccessWidened, Severity::Medium, 1));
    assert!(tried.why.contains("refused (AccessDenied): CreateAccessKey"), "{}", tried.why);

    // Narrowed to the CreateAccessKey calls, the item still counts the key's uses over every log.
    let only = items(&keys(), &Filter::default().with(Field::Name, "CreateAccessKey"));
    assert_eq!(titled(&only, "Access key made for user ci").why, ci.why);
    // Narrowed to alice, mallory's items go.
    let alice = items(&keys(), &Filter::default().with(Field::Principal, "arn:aws:iam::111111111111:user/alice"));
    assert_eq!(alice.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), ["Access key made for user bob"]);
}

#[test]
fn ok_a_key_made_inactive_then_active_again_is_not_said_to_be_taken_back() {
    let (mallory, alice) = (user("mallory", "AKIAMALLORY000000001"), user("alice", "AKIAALICE00000000001"));
    let status = |n: u32, time: &str, who: &str, user: &str, key: &str, status: &str| {
        let ip = if who.contains("mallory") { MALLORY_IP } else { "192.0.2.20" };
        ev(
            n,
            time,
            "UpdateAccessKey",
            who,
            ip,
            &format!(
                r#","requestParameters":{{"userName":"{user}","accessKeyId":"{key}","status":"{status}"}},"responseElements":null"#
            ),
        )
    };
    let made = |n: u32, user: &str, key: &str| {
        ev(
            n,
            "08:00:00",
            "CreateAccessKey",
            &mallory,
            MALLORY_IP,
            &format!(
                r#","requestParameters":{{"userName":"{user}"}},"responseElements":{{"accessKey":{{"accessKeyId":"{key}","status":"Active","userName":"{user}"}}}}"#
            ),
        )
    };
    let lines = vec![
        // Mallory makes a key for dave; alice turns it off at 09:00, mallory back on at 09:30.
        made(1, "dave", "AKIADAVE000000000001"),
        status(2, "09:00:00", &alice, "dave", "AKIADAVE000000000001", "Inactive"),
        status(3, "09:30:00", &mallory, "dave", "AKIADAVE000000000001", "Active"),
        // Erin's key: off, on again, then deleted by alice at 10:15.
        made(4, "erin", "AKIAERIN000000000001"),
        status(5, "09:00:00", &alice, "erin", "AKIAERIN000000000001", "Inactive"),
        status(6, "09:30:00", &mallory, "erin", "AKIAERIN000000000001", "Active"),
        ev(
            7,
            "10:15:00",
            "DeleteAccessKey",
            &alice,
            "192.0.2.20",
            r#","requestParameters":{"userName":"erin","accessKeyId":"AKIAERIN000000000001"},"responseElements":null"#,
        ),
    ];
    let all = items(&lines, &Filter::default());
    let off = "The key was made inactive at 2026-06-01 09:00:00 UTC by arn:aws:iam::111111111111:user/alice \
               (UpdateAccessKey, 60 min later). It was made active again at 2026-06-01 09:30:00 UTC by \
               arn:aws:iam::111111111111:user/mallory (UpdateAccessKey, 30 min later).";
    let dave = titled(&all, "Access key made for user dave");
    assert!(dave.why.contains(&format!("{off} The key is still active at the end of these logs.")), "{}", dave.why);
    let erin = titled(&all, "Access key made for user erin");
    let deleted =
        "The key was deleted at 2026-06-01 10:15:00 UTC by arn:aws:iam::111111111111:user/alice (DeleteAccessKey, 45 min later).";
    assert!(erin.why.contains(&format!("{off} {deleted}")), "{}", erin.why);
    // Each item runs to the key's last change of state.
    let at = |hms: &str| {
        let (h, m) = (hms[..2].parse::<i64>().unwrap(), hms[3..5].parse::<i64>().unwrap());
        dave.first + ((h - 8) * 60 + m) * 60_000
    };
    assert_eq!((dave.last, erin.last), (at("09:30"), at("10:15")));
}

#[test]
fn ok_mfa_enabled_again_and_a_policy_deleted_are_said_to_take_back() {
    let (mallory, alice) = (user("mallory", "AKIAMALLORY000000001"), user("alice", "AKIAALICE00000000001"));
    let all_doc =
        r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"#;
    let lines = vec![
        // Mallory takes dave's MFA off; alice enables a device for him 20 minutes later. Frank's
        // is taken off and not put back.
        ev(
            1,
            "08:00:00",
            "DeactivateMFADevice",
            &mallory,
            MALLORY_IP,
            r#","requestParameters":{"userName":"dave","serialNumber":"arn:aws:iam::111111111111:mfa/dave"}"#,
        ),
        ev(
            2,
            "08:20:00",
            "EnableMFADevice",
            &alice,
            "192.0.2.20",
            r#","requestParameters":{"userName":"dave","serialNumber":"arn:aws:iam::111111111111:mfa/dave-2"}"#,
        ),
        ev(
            3,
            "08:05:00",
            "DeactivateMFADevice",
            &mallory,
            MALLORY_IP,
            r#","requestParameters":{"userName":"frank","serialNumber":"arn:aws:iam::111111111111:mfa/frank"}"#,
        ),
        // Mallory makes a managed policy that allows everything; alice deletes it at 09:00.
        ev(
            4,
            "08:30:00",
            "CreatePolicy",
            &mallory,
            MALLORY_IP,
            &format!(
                r#","requestParameters":{{"policyName":"all","policyDocument":"{all_doc}"}},"responseElements":{{"policy":{{"arn":"arn:aws:iam::111111111111:policy/all"}}}}"#
            ),
        ),
        ev(
            5,
            "09:00:00",
            "DeletePolicy",
            &alice,
            "192.0.2.20",
            r#","requestParameters":{"policyArn":"arn:aws:iam::111111111111:policy/all"}"#,
        ),
    ];
    let all = items(&lines, &Filter::default());
    let alice = "arn:aws:iam::111111111111:user/alice";
    let dave = titled(&all, "MFA removed from user dave");
    let back = format!("An MFA device was enabled for the user again at 2026-06-01 08:20:00 UTC by {alice} (EnableMFADevice, 20 min later).");
    assert!(dave.why.contains(&back), "{}", dave.why);
    let frank = titled(&all, "MFA removed from user frank");
    assert!(frank.why.contains("No MFA device is enabled for the user again in these logs."), "{}", frank.why);
    let policy = titled(&all, "Managed policy all made to allow everything");
    let deleted = format!("The policy was deleted at 2026-06-01 09:00:00 UTC by {alice} (DeletePolicy, 30 min later).");
    assert!(policy.why.contains(&deleted), "{}", policy.why);
}

#[test]
fn ok_a_password_set_for_a_user_the_caller_made_then_used_to_sign_in() {
    let mallory = user("mallory", "AKIAMALLORY000000001");
    let signin = |n, time: &str, ip: &str, outcome: &str| {
        ev(n, time, "ConsoleLogin", &user("dave", ""), ip, &format!(
            r#","eventSource":"signin.amazonaws.com","responseElements":{{"ConsoleLogin":"{outcome}"}},"additionalEventData":{{"MFAUsed":"No"}}"#
        ))
        .replace(r#""eventSource":"iam.amazonaws.com","#, "")
    };
    let lines = vec![
        ev(
            1,
            "08:00:00",
            "CreateUser",
            &mallory,
            MALLORY_IP,
            r#","requestParameters":{"userName":"dave"},"responseElements":{"user":{"userName":"dave"}}"#,
        ),
        ev(
            2,
            "08:00:01",
            "CreateLoginProfile",
            &mallory,
            MALLORY_IP,
            r#","requestParameters":{"userName":"dave","passwordResetRequired":false},"responseElements":{"loginProfile":{"userName":"dave","passwordResetRequired":false}}"#,
        ),
        // A failed sign-in does not count; one that went through does.
        signin(3, "08:01:00", MALLORY_IP, "Failure"),
        signin(4, "08:02:00", MALLORY_IP, "Success"),
        // MFA taken off erin.
        ev(
            5,
            "08:03:00",
            "DeactivateMFADevice",
            &mallory,
            MALLORY_IP,
            r#","requestParameters":{"userName":"erin","serialNumber":"arn:aws:iam::111111111111:mfa/erin"}"#,
        ),
    ];
    let all = items(&lines, &Filter::default());
    assert_eq!(all.len(), 2, "{all:#?}");
    let dave = titled(&all, "Console password set for user dave");
    assert_eq!((dave.kind, dave.severity), (AttentionKind::CredentialsMade, Severity::High));
    assert!(
        dave.why.contains("whom the same principal had made (CreateUser by arn:aws:iam::111111111111:user/mallory"),
        "{}",
        dave.why
    );
    assert!(dave.why.contains("passwordResetRequired: false"), "{}", dave.why);
    assert!(dave.why.contains("dave then signed in to the console once from 203.0.113.9"), "{}", dave.why);
    let erin = titled(&all, "MFA removed from user erin");
    assert_eq!(erin.severity, Severity::Medium);
    assert!(erin.why.contains("arn:aws:iam::111111111111:mfa/erin"), "{}", erin.why);
}

/// Administrator access given three ways, and three roles' trust policies.
fn admin_events() -> Vec<String> {
    let admin = user("admin", "AKIAADMIN00000000001");
    let allow_all =
        r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"#;
    let describe = r#"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:Describe*\",\"Resource\":\"*\"}]}"#;
    let trust = |principal: &str| {
        format!(
            r#"{{\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{principal},\"Action\":\"sts:AssumeRole\"}}]}}"#
        )
    };
    let mut events = vec![
        // A managed policy made to allow everything, then attached to role deploy.
        ev(
            1,
            "08:00:00",
            "CreatePolicy",
            &admin,
            "192.0.2.1",
            &format!(
                r#","requestParameters":{{"policyName":"everything","policyDocument":"{allow_all}"}},"responseElements":{{"policy":{{"arn":"arn:aws:iam::111111111111:policy/everything","policyName":"everything"}}}}"#
            ),
        ),
        ev(
            2,
            "08:01:00",
            "AttachRolePolicy",
            &admin,
            "192.0.2.1",
            r#","requestParameters":{"roleName":"deploy","policyArn":"arn:aws:iam::111111111111:policy/everything"}"#,
        ),
        // Role deploy then made assumable by anyone.
        ev(
            3,
            "08:02:00",
            "UpdateAssumeRolePolicy",
            &admin,
            "192.0.2.1",
            &format!(r#","requestParameters":{{"roleName":"deploy","policyDocument":"{}"}}"#, trust(r#"\"*\""#)),
        ),
        // An inline policy allowing everything on user frank; one allowing a little on grace.
        ev(
            4,
            "08:03:00",
            "PutUserPolicy",
            &admin,
            "192.0.2.1",
            &format!(
                r#","requestParameters":{{"userName":"frank","policyName":"all","policyDocument":"{allow_all}"}}"#
            ),
        ),
        ev(
            5,
            "08:04:00",
            "PutUserPolicy",
            &admin,
            "192.0.2.1",
            &format!(
                r#","requestParameters":{{"userName":"grace","policyName":"look","policyDocument":"{describe}"}}"#
            ),
        ),
        ev(
            6,
            "08:05:00",
            "AttachUserPolicy",
            &admin,
            "192.0.2.1",
            r#","requestParameters":{"userName":"grace","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}"#,
        ),
        // Role audit made to trust account 444455556666, deleted later; role app trusts its own
        // account and a service only.
        ev(
            7,
            "08:06:00",
            "CreateRole",
            &admin,
            "192.0.2.1",
            &format!(
                r#","requestParameters":{{"roleName":"audit","assumeRolePolicyDocument":"{}"}}"#,
                trust(r#"{\"AWS\":\"arn:aws:iam::444455556666:root\"}"#)
            ),
        ),
        ev(
            8,
            "08:07:00",
            "CreateRole",
            &admin,
            "192.0.2.1",
            &format!(
                r#","requestParameters":{{"roleName":"app","assumeRolePolicyDocument":"{}"}}"#,
                trust(r#"{\"AWS\":\"111111111111\",\"Service\":\"ecs-tasks.amazonaws.com\"}"#)
            ),
        ),
        ev(9, "09:06:00", "DeleteRole", &admin, "192.0.2.1", r#","requestParameters":{"roleName":"audit"}"#),
    ];
    events.extend(group_events(&admin));
    events
}

/// A group made an administrator, one user added to it and taken out again, another added to a
/// group that has nothing.
fn group_events(admin: &str) -> Vec<String> {
    vec![
        // Before the group is an administrator: judy added to it, kate added and taken out.
        ev(
            16,
            "08:07:00",
            "AddUserToGroup",
            admin,
            "192.0.2.1",
            r#","requestParameters":{"groupName":"admins","userName":"judy"}"#,
        ),
        ev(
            17,
            "08:07:10",
            "AddUserToGroup",
            admin,
            "192.0.2.1",
            r#","requestParameters":{"groupName":"admins","userName":"kate"}"#,
        ),
        ev(
            18,
            "08:07:20",
            "RemoveUserFromGroup",
            admin,
            "192.0.2.1",
            r#","requestParameters":{"groupName":"admins","userName":"kate"}"#,
        ),
        ev(
            12,
            "08:08:00",
            "AttachGroupPolicy",
            admin,
            "192.0.2.1",
            r#","requestParameters":{"groupName":"admins","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}"#,
        ),
        ev(
            13,
            "08:09:00",
            "AddUserToGroup",
            admin,
            "192.0.2.1",
            r#","requestParameters":{"groupName":"admins","userName":"henry"}"#,
        ),
        ev(
            14,
            "08:10:00",
            "AddUserToGroup",
            admin,
            "192.0.2.1",
            r#","requestParameters":{"groupName":"readers","userName":"ivan"}"#,
        ),
        ev(
            15,
            "09:09:00",
            "RemoveUserFromGroup",
            admin,
            "192.0.2.1",
            r#","requestParameters":{"groupName":"admins","userName":"henry"}"#,
        ),
    ]
}

#[test]
fn ok_administrator_access_and_roles_trusting_outsiders() {
    let lines = admin_events();
    let all = items(&lines, &Filter::default());
    let mut titles: Vec<(&str, Severity)> = all.iter().map(|a| (a.title.as_str(), a.severity)).collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            ("AdministratorAccess given to group admins", Severity::High),
            ("An inline policy allowing everything given to user frank", Severity::High),
            ("Managed policy everything made to allow everything", Severity::High),
            ("Role audit trusts another account", Severity::Medium),
            ("Role deploy can be assumed by anyone", Severity::High),
            ("User henry added to administrator group admins", Severity::High),
            ("everything given to role deploy", Severity::High),
        ]
    );
    let deploy = titled(&all, "Role deploy can be assumed by anyone");
    assert!(
        deploy.why.contains("Meanwhile the role was an administrator: arn:aws:iam::111111111111:policy/everything"),
        "{}",
        deploy.why
    );
    let audit = titled(&all, "Role audit trusts another account");
    assert!(audit.why.contains("Allow arn:aws:iam::444455556666:root: sts:AssumeRole"), "{}", audit.why);
    assert!(audit.why.contains("The role was deleted at 2026-06-01 09:06:00 UTC"), "{}", audit.why);
    assert!(titled(&all, "everything given to role deploy")
        .why
        .contains("a policy made in these logs to allow everything"));
    let group = titled(&all, "AdministratorAccess given to group admins");
    let members = "Users these logs had added to the group by then, administrators with it: judy (AddUserToGroup at \
                   2026-06-01 08:07:00 UTC).";
    assert!(group.why.contains(members), "{}", group.why);
    let henry = titled(&all, "User henry added to administrator group admins");
    let at = "which had arn:aws:iam::aws:policy/AdministratorAccess (AttachGroupPolicy at 2026-06-01 08:08:00 UTC)";
    assert!(henry.why.contains(at), "{}", henry.why);
    assert!(henry.why.contains("The user was taken out of the group at 2026-06-01 09:09:00 UTC"), "{}", henry.why);
}

#[test]
fn ok_invictus_items_are_the_same_read_whole_or_in_batches() {
    let Some(corpus) = corpus() else { return };
    let dir = corpus.join("invictus-ir-aws_dataset/CloudTrail");
    let files = walk(&dir);
    let mut whole = Engine::new();
    for f in &files {
        whole.ingest_bytes(&f.strip_prefix(&dir).unwrap().to_string_lossy(), &std::fs::read(f).unwrap());
    }
    let batched = absorbed_in_batches(&dir, &files);
    let (a, b) = (given(&whole, &Filter::default()), given(&batched, &Filter::default()));
    // Seven: what `tests/fixtures/identity/corpus_expected.py` finds there (checked item by item
    // in `identity_corpus`).
    assert_eq!(a.len(), 7, "{a:#?}");
    assert_eq!(a, b);
}

#[test]
fn ok_what_a_key_made_for_another_user_signs_is_its_makers() {
    // The key mallory made for ci opens a role session (AssumeRole, as the STS reference writes
    // it), which then lists images.
    let mut lines = keys();
    let backdoor = user("ci", "AKIACIBACKDOOR000001");
    lines.push(
        ev(10, "09:30:00", "AssumeRole", &backdoor, "198.51.100.7", r#","requestParameters":{"roleArn":"arn:aws:iam::111111111111:role/deploy","roleSessionName":"s"},
            "responseElements":{"credentials":{"accessKeyId":"ASIACISESSION0000001","expiration":"Jun 1, 2026, 10:30:00 AM"},
            "assumedRoleUser":{"assumedRoleId":"AROADEPLOY:s","arn":"arn:aws:sts::111111111111:assumed-role/deploy/s"}}"#)
            .replace("iam.amazonaws.com", "sts.amazonaws.com"),
    );
    let session = r#"{"type":"AssumedRole","principalId":"AROADEPLOY:s","arn":"arn:aws:sts::111111111111:assumed-role/deploy/s","accountId":"111111111111","accessKeyId":"ASIACISESSION0000001","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111111111111:role/deploy","userName":"deploy"}}}"#;
    lines.push(
        ev(11, "09:31:00", "DescribeImages", session, "198.51.100.7", "")
            .replace("iam.amazonaws.com", "ecr.amazonaws.com"),
    );
    let mut e = Engine::new();
    e.ingest_bytes("iam.jsonl", lines.join("\n").as_bytes());
    let c = Compiled::new(&Filter::default(), e.store());
    let r = report(e.store(), c.rows());
    let origin = |key: &str| r.by_key.rows.iter().find(|k| k.stat.key == key).and_then(|k| k.origin.clone());
    let mallory = "arn:aws:iam::111111111111:user/mallory";
    let made = Origin { who: mallory.to_owned(), via: MADE_KEY.to_owned(), started_by: mallory.to_owned() };
    assert_eq!(origin("AKIACIBACKDOOR000001"), Some(made.clone()), "the key mallory made");
    assert_eq!(origin("ASIACISESSION0000001"), Some(made), "a session the key opened");
    // ci's own first key and mallory's were made before these logs.
    assert_eq!(origin("AKIACI00000000000001"), None);
    assert_eq!(origin("AKIAMALLORY000000001"), None);
    // Everything mallory started: her 3 calls, the key's 3 and the session's 1.
    let kept = Compiled::new(&Filter::default().with(Field::Origin, mallory), e.store()).rows().count();
    assert_eq!(kept, 3 + 3 + 1);
}
