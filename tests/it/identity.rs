//! Identity breakdowns, role chains, the attention list and the identity filter fields, over
//! hand-made identities of every type (with missing, empty and mistyped fields), a hand-made role
//! chain, AWS's documentation examples and the bundled sample.
//!
//! Expected values come from the fixtures themselves: counted here with `serde_json::Value`, or
//! written down from how the hand-made files were built (see the comments), never from our output.

use std::collections::BTreeMap;

use serde_json::Value;
use trailscope::analysis::filter::{Compiled, Field, Filter};
use trailscope::analysis::identity::{report, AttentionKind, ChainEnd, IdentityReport, Origin, Severity, Stat};
use trailscope::engine::Engine;
use trailscope::model::{Identity, IdentityType, Sym};
use trailscope::sample::SAMPLE_FILES;
use trailscope::store::{EventRow, EventType, Locator, RecordKind, Store};

use super::common::{records, root};

fn engine(files: &[&str]) -> Engine {
    let mut e = Engine::new();
    for f in files {
        let path = root().join(f);
        e.ingest_bytes(f, &std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display())));
    }
    e
}

fn report_of(e: &Engine, f: &Filter) -> IdentityReport {
    let c = Compiled::new(f, e.store());
    report(e.store(), c.rows())
}

fn counts(list: &[Stat]) -> BTreeMap<String, u64> {
    list.iter().map(|s| (s.key.clone(), s.events)).collect()
}

fn kept(e: &Engine, f: &Filter) -> usize {
    Compiled::new(f, e.store()).rows().count()
}

/// `userIdentity.type` as the report names it, read with plain JSON: typeless events with
/// `invokedBy` are "AWS internal", events with neither are "Not recorded".
fn type_of(e: &Value) -> String {
    let u = &e["userIdentity"];
    match u["type"].as_str() {
        Some("") | None if u["invokedBy"].as_str().is_some_and(|s| !s.is_empty()) => "AWS internal".into(),
        Some("") | None => "Not recorded".into(),
        Some(t) => t.into(),
    }
}

fn tally(values: impl Iterator<Item = String>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for v in values {
        *out.entry(v).or_default() += 1;
    }
    out
}

const TYPES: &str = "tests/fixtures/identity/identity-types.json";
const CHAIN: &str = "tests/fixtures/identity/role-chain.json";

#[test]
fn ok_every_identity_type_is_counted_with_its_gaps() {
    let e = engine(&[TYPES]);
    let r = report_of(&e, &Filter::default());
    let events = records(&root().join(TYPES));
    assert_eq!(r.events, events.len() as u64);
    // The fixture has one event per documented type, two for Root and IAMUser (a call and a console
    // sign-in each), and four without a usable type: no userIdentity, `{}`, empty strings, and a
    // number for `type` (loaded, with a warning). The undocumented "SomethingNew" is Other.
    let want: BTreeMap<String, u64> = [
        ("Root", 2),
        ("IAMUser", 2),
        ("AssumedRole", 1),
        ("Role", 1),
        ("FederatedUser", 1),
        ("AWSService", 1),
        ("AWSAccount", 1),
        ("IdentityCenterUser", 1),
        ("SAMLUser", 1),
        ("WebIdentityUser", 1),
        ("Directory", 1),
        ("Unknown", 1),
        ("AWS internal", 1),
        ("Not recorded", 4),
        ("Other", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(counts(&r.by_type.rows), want);
    // The same, counted from the JSON (a number for `type` is no text, so it is Not recorded).
    let mut from_json = tally(events.iter().map(type_of));
    let other = from_json.remove("SomethingNew").unwrap_or(0);
    from_json.insert("Other".into(), other);
    assert_eq!(counts(&r.by_type.rows), from_json);
    assert!(e.status().warnings >= 1, "the mistyped userIdentity.type is reported, not silently dropped");
}

#[test]
fn ok_every_identity_type_gets_a_readable_principal() {
    let e = engine(&[TYPES]);
    let r = report_of(&e, &Filter::default());
    let p: BTreeMap<String, (u64, String)> =
        r.by_principal.rows.iter().map(|p| (p.stat.key.clone(), (p.stat.events, p.kind.clone()))).collect();
    let at = |k: &str| p.get(k).cloned().unwrap_or_else(|| panic!("no principal {k:?} in {p:#?}"));
    assert_eq!(at("arn:aws:iam::123456789012:root"), (2, "Root".into()));
    assert_eq!(at("arn:aws:iam::123456789012:user/Mary_Major").0, 2);
    assert_eq!(at("arn:aws:sts::123456789012:assumed-role/Admin/Mary"), (1, "AssumedRole".into()));
    assert_eq!(at("ecs-tasks.amazonaws.com"), (1, "AWSService".into()));
    assert_eq!(at("AWS Internal"), (1, "AWS internal".into()));
    assert_eq!(at("Identity Center user 94482488-3041-7026-18f3-be45837cd0e4").1, "IdentityCenterUser");
    assert_eq!(at("carol"), (1, "SAMLUser".into()), "no ARN: the user name");
    assert_eq!(at("dave"), (1, "WebIdentityUser".into()));
    assert_eq!(at("AIDAOTHER"), (1, "AWSAccount".into()), "no ARN, no user name: the principal id");
    // Missing, empty, empty strings and a mistyped type: nothing to name them by, nothing invented.
    assert_eq!(at("(not recorded)").0, 4);
}

#[test]
fn ok_mfa_key_kinds_services_and_identity_center() {
    let e = engine(&[TYPES]);
    let r = report_of(&e, &Filter::default());
    // MFA Yes: root's call (mfaAuthenticated true) and Mary's console sign-in (MFAUsed Yes).
    // MFA No: root's console sign-in (MFAUsed No), the role session and the federated user (false).
    let want: BTreeMap<String, u64> =
        [("Yes", 2), ("No", 3), ("Unknown", 15)].into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    assert_eq!(counts(&r.by_mfa.rows), want);
    let events = records(&root().join(TYPES));
    let prefix = |p: &str| {
        events.iter().filter(|e| e["userIdentity"]["accessKeyId"].as_str().is_some_and(|k| k.starts_with(p))).count()
            as u64
    };
    let kinds = counts(&r.by_key_kind.rows);
    assert_eq!(kinds.get("Long-term (AKIA)"), Some(&prefix("AKIA")));
    assert_eq!(kinds.get("Temporary (ASIA)"), Some(&prefix("ASIA")));
    assert_eq!(kinds.get("No key"), Some(&(events.len() as u64 - prefix("AKIA") - prefix("ASIA"))));
    assert_eq!(
        counts(&r.by_invoked_by.rows),
        [("AWS Internal".to_owned(), 1), ("ecs-tasks.amazonaws.com".to_owned(), 1)].into()
    );
    let ic = &r.by_identity_center_user.rows;
    assert_eq!(ic.len(), 1);
    assert_eq!(ic[0].stat.key, "94482488-3041-7026-18f3-be45837cd0e4");
    assert_eq!(ic[0].identity_store, "arn:aws:identitystore::123456789012:identitystore/d-9067642ac7");
    // Session issuers: the Admin role, and user/bob behind the federated user.
    let roles: BTreeMap<String, String> =
        r.by_role.rows.iter().map(|r| (r.stat.key.clone(), r.issuer_type.clone())).collect();
    assert_eq!(
        roles,
        [
            ("arn:aws:iam::123456789012:role/Admin".to_owned(), "Role".to_owned()),
            ("arn:aws:iam::123456789012:user/bob".to_owned(), "IAMUser".to_owned())
        ]
        .into()
    );
}

#[test]
fn ok_root_and_console_without_mfa_are_listed_with_reasons() {
    let e = engine(&[TYPES]);
    let r = report_of(&e, &Filter::default());
    let root_items: Vec<_> = r.attention.rows.iter().filter(|a| a.kind == AttentionKind::RootActivity).collect();
    assert_eq!(root_items.len(), 1);
    assert_eq!(root_items[0].events, 2);
    assert_eq!(root_items[0].severity, Severity::High);
    assert!(root_items[0].why.contains("2 calls"), "{}", root_items[0].why);
    let no_mfa: Vec<_> = r.attention.rows.iter().filter(|a| a.kind == AttentionKind::ConsoleLoginWithoutMfa).collect();
    // Only root's sign-in: Mary's used MFA.
    assert_eq!(no_mfa.len(), 1);
    assert!(no_mfa[0].title.contains("arn:aws:iam::123456789012:root"));
    assert!(no_mfa[0].why.contains("1 succeeded"), "{}", no_mfa[0].why);
    // Clicking the item keeps exactly its events.
    assert_eq!(kept(&e, &no_mfa[0].narrow(&Filter::default())), 1);
    assert_eq!(kept(&e, &root_items[0].narrow(&Filter::default())), 2);
}

/// Builds a row with a CSV-like identity (only a user name and a key), as the console's CSV export
/// gives them.
fn csv_row(store: &mut Store, n: u8, user: &str, key: &str) -> EventRow {
    let identity = Identity {
        user_name: store.intern(user),
        access_key: store.intern(key),
        source_known: false,
        ..Identity::default()
    };
    EventRow {
        time: 1_700_000_000_000 + i64::from(n) * 1000,
        source: store.intern("ecr.amazonaws.com"),
        name: store.intern("PutImage"),
        region: store.intern("us-east-1"),
        account: store.intern("123456789012"),
        identity,
        ip: store.intern("203.0.113.9"),
        user_agent: store.intern("aws-cli/2.15.0"),
        error_code: Sym::EMPTY,
        error_message: Sym::EMPTY,
        event_id: u128::from(n),
        flags: 0,
        event_type: EventType::AwsApiCall,
        locator: Locator { file: 0, offset: 0, len: 0, kind: RecordKind::CsvRow },
    }
}

#[test]
fn ok_csv_rows_show_their_gaps_as_unknown() {
    let mut store = Store::new();
    for (n, user) in [(1, "HIDDEN_DUE_TO_SECURITY_REASONS"), (2, "i-0123456789abcdef0"), (3, "i-0123456789abcdef0")] {
        let row = csv_row(&mut store, n, user, "AKIAIOSFODNN7EXAMPLE");
        store.insert(&row);
    }
    let r = report(&store, 0..3);
    assert_eq!(r.csv_events, 3);
    assert_eq!(counts(&r.by_type.rows), [("Not recorded".to_owned(), 3)].into());
    assert_eq!(counts(&r.by_mfa.rows), [("Unknown".to_owned(), 3)].into());
    assert_eq!(counts(&r.by_key_kind.rows), [("Long-term (AKIA)".to_owned(), 3)].into());
    assert!(r.by_role.rows.is_empty(), "no session issuer is invented");
    let p = &r.by_principal.rows;
    assert_eq!(p.len(), 2);
    assert!(p.iter().all(|p| !p.source_known && p.kind == IdentityType::NotRecorded.label()));
    assert_eq!(p[0].stat.key, "i-0123456789abcdef0");
    // No type means no root and no console-MFA verdicts either.
    assert!(r.attention.rows.iter().all(|a| a.kind != AttentionKind::RootActivity));
}

fn chain<'r>(r: &'r IdentityReport, key: &str) -> &'r trailscope::analysis::identity::Chain {
    r.chains.rows.rows.iter().find(|c| c.stat.key == key).unwrap_or_else(|| panic!("no chain for {key}"))
}

// role-chain.json, as built: alice (AKIA) → Dev (ASIAHOPONE) → Deploy in account B (ASIAHOPTWO,
// logged in both accounts, the copy in B naming only an AWSAccount) → EcrPush (ASIAHOPTHREE), which
// makes three ECR calls; bob's GetSessionToken (ASIABOBSESSION, one S3 call); carol's SAML session
// (ASIASAMLCAROL, one pull); a session whose STS call is not in the file (ASIAOLDSESSION); and an
// AssumeRole whose key is masked.
const ALICE: &str = "arn:aws:iam::111111111111:user/alice";
const DEV: &str = "arn:aws:sts::111111111111:assumed-role/Dev/alice-dev";
const DEPLOY: &str = "arn:aws:sts::222222222222:assumed-role/Deploy/alice-deploy";

#[test]
fn ok_role_chain_followed_back_through_three_hops() {
    let e = engine(&[CHAIN]);
    let r = report_of(&e, &Filter::default());
    let c = chain(&r, "ASIAHOPTHREE00000003");
    assert_eq!(c.stat.events, 3);
    assert_eq!(c.session, "arn:aws:sts::222222222222:assumed-role/EcrPush/alice-push");
    let who: Vec<&str> = c.hops.iter().map(|h| h.principal.as_str()).collect();
    assert_eq!(who, [DEPLOY, DEV, ALICE]);
    assert!(c.hops.iter().all(|h| h.call == "AssumeRole"));
    assert_eq!(c.hops[0].role, "arn:aws:iam::222222222222:role/EcrPush");
    assert_eq!(c.hops[2].key, "AKIAALICE00000000001");
    assert_eq!((c.end, c.origin.as_str(), c.origin_kind.as_str()), (ChainEnd::LongTermKey, ALICE, "IAMUser"));
    let saml = chain(&r, "ASIASAMLCAROL0000001");
    assert_eq!((saml.end, saml.hops[0].call.as_str()), (ChainEnd::NoKey, "AssumeRoleWithSAML"));
    assert_eq!(
        (saml.hops[0].subject.as_str(), saml.hops[0].provider.as_str()),
        ("carol@example.com", "http://www.okta.com/exk1")
    );
    let bob = chain(&r, "ASIABOBSESSION000001");
    assert_eq!((bob.end, bob.hops[0].call.as_str()), (ChainEnd::LongTermKey, "GetSessionToken"));
    // Six temporary keys sign events; one was issued outside the file; the masked key is counted.
    assert_eq!((r.chains.temporary_keys, r.chains.not_in_logs, r.chains.rows.total), (6, 1, 5));
    assert_eq!(r.chains.unfollowable, 1);
    // The sessions show who opened them.
    let push = r.by_key.rows.iter().find(|k| k.stat.key == "ASIAHOPTHREE00000003").unwrap();
    assert_eq!(push.opened_by, DEPLOY);
    // And who began the chain, where "opened by" does not say it already: alice's long-term key
    // behind the third hop, carol behind her SAML session; not bob, who opened his own.
    let alice = Origin { who: ALICE.into(), via: "long-term key".into(), started_by: ALICE.into() };
    assert_eq!(push.origin.as_ref(), Some(&alice));
    let key = |k: &str| r.by_key.rows.iter().find(|row| row.stat.key == k).unwrap();
    assert_eq!(key("ASIABOBSESSION000001").origin, None);
    let carol = key("ASIASAMLCAROL0000001").origin.clone().expect("carol's SAML session");
    assert_eq!((carol.who.as_str(), carol.via.as_str()), ("carol@example.com", "SAML (www.okta.com)"));
    // The role's session row says the same.
    let role = r.by_role.rows.iter().find(|r| r.stat.key == "arn:aws:iam::222222222222:role/EcrPush").unwrap();
    assert_eq!(role.sessions.rows[0].origin.as_ref(), Some(&alice));
    let dev = key("ASIAHOPONE0000000001");
    assert_eq!((dev.opened_by.as_str(), dev.origin.as_ref()), (ALICE, None), "alice opened Dev herself");
}

#[test]
fn ok_cross_account_copy_does_not_hide_the_caller_whatever_the_order() {
    let mut doc: Value = serde_json::from_slice(&std::fs::read(root().join(CHAIN)).unwrap()).unwrap();
    doc["Records"].as_array_mut().unwrap().reverse();
    let mut e = Engine::new();
    e.ingest_bytes("reversed.json", doc.to_string().as_bytes());
    let r = report_of(&e, &Filter::default());
    let who: Vec<String> = chain(&r, "ASIAHOPTHREE00000003").hops.iter().map(|h| h.principal.clone()).collect();
    assert_eq!(who, [DEPLOY, DEV, ALICE]);
}

#[test]
fn ok_started_by_keeps_everything_a_principal_did_through_its_roles() {
    let e = engine(&[CHAIN]);
    // alice's own AssumeRole and DescribeRepositories, the Dev session's AssumeRole, the Deploy
    // session's AssumeRole (account A's copy; B's copy names no key) and the three ECR calls.
    let f = Filter::default().with(Field::Origin, ALICE);
    assert_eq!(kept(&e, &f), 7);
    assert_eq!(kept(&e, &Filter::default().with(Field::Principal, ALICE)), 2);
    let bob = Filter::default().with(Field::Origin, "arn:aws:iam::111111111111:user/bob");
    // GetSessionToken, the masked AssumeRole, and the S3 call with the session key.
    assert_eq!(kept(&e, &bob), 3);
}

#[test]
fn ok_identity_filter_fields() {
    let e = engine(&[CHAIN]);
    let one = |field: Field, value: &str| kept(&e, &Filter::default().with(field, value));
    assert_eq!(one(Field::Role, "arn:aws:iam::222222222222:role/EcrPush"), 3);
    assert_eq!(one(Field::Client, "docker"), 3);
    assert_eq!(one(Field::Client, "containerd"), 1);
    assert_eq!(one(Field::UserAgent, "containerd/1.7.11"), 1);
    assert_eq!(one(Field::Mfa, "Yes"), 1, "bob's session call");
    assert_eq!(
        one(Field::KeyKind, "Long-term (AKIA)"),
        4,
        "alice's two calls, bob's GetSessionToken and masked AssumeRole"
    );
    assert_eq!(one(Field::Client, "no such client"), 0);
    let t = engine(&[TYPES]);
    let one = |field: Field, value: &str| kept(&t, &Filter::default().with(field, value));
    assert_eq!(one(Field::InvokedBy, "ecs-tasks.amazonaws.com"), 1);
    assert_eq!(one(Field::IdentityCenterUser, "94482488-3041-7026-18f3-be45837cd0e4"), 1);
    assert_eq!(one(Field::KeyKind, "No key"), 15);
    // Chips come and go one at a time, like the others.
    let f = Filter::default().with(Field::Mfa, "No").with(Field::Client, "AWS CLI");
    assert_eq!(f.chips().len(), 2);
    assert!(f.chips().iter().fold(f.clone(), |acc, c| acc.without(c)).is_empty());
}

#[test]
fn ok_report_follows_the_filter_and_time_range() {
    let e = engine(&[CHAIN]);
    let all = report_of(&e, &Filter::default());
    let f = Filter::default().with(Field::Principal, ALICE);
    let r = report_of(&e, &f);
    assert_eq!(r.events, 2);
    assert_eq!(r.by_principal.rows.len(), 1);
    assert!(all.events > r.events);
    // Half-open range [10:03:00, 10:03:20): two of the three ECR calls.
    let from = trailscope::model::time::parse_iso("2026-04-01T10:03:00Z");
    let to = trailscope::model::time::parse_iso("2026-04-01T10:03:20Z");
    let r = report_of(&e, &Filter { from, to, ..Filter::default() });
    assert_eq!(r.events, 2);
    assert_eq!(counts(&r.by_client.rows), [("docker".to_owned(), 2)].into());
}

/// An event line for the attention tests.
fn ev(n: u32, time: &str, name: &str, identity: &str, extra: &str) -> String {
    format!(
        r#"{{"eventTime":"2026-06-01T{time}Z","eventSource":"iam.amazonaws.com","eventName":"{name}",
        "eventID":"00000000-0000-4000-a000-{n:012}","awsRegion":"us-east-1","recipientAccountId":"111111111111",
        "userIdentity":{identity}{extra}}}"#
    )
}

const MALLORY: &str =
    r#"{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/mallory","accessKeyId":"AKIAMALLORY000000001"}"#;

#[test]
fn ok_denied_burst_new_address_and_unusual_clients() {
    let cli = r#","userAgent":"aws-cli/2.15.0 Python/3.11.6""#;
    let mut lines = Vec::new();
    // 21 ordinary calls from one address and the CLI.
    for i in 0..21 {
        lines.push(ev(
            i,
            &format!("08:{i:02}:00"),
            "GetUser",
            MALLORY,
            &format!(r#"{cli},"sourceIPAddress":"192.0.2.1","readOnly":true"#),
        ));
    }
    // Six denied calls within 50 s: a burst. Then one more an hour later: not part of it.
    for i in 0..6 {
        lines.push(ev(
            100 + i,
            &format!("09:00:{:02}", i * 10),
            "ListUsers",
            MALLORY,
            &format!(r#"{cli},"sourceIPAddress":"192.0.2.1","errorCode":"AccessDenied","readOnly":true"#),
        ));
    }
    lines.push(ev(
        200,
        "10:00:00",
        "ListRoles",
        MALLORY,
        &format!(r#"{cli},"sourceIPAddress":"192.0.2.1","errorCode":"AccessDenied""#),
    ));
    // The same long-term key from a new address, writing, with a Kali user agent.
    lines.push(ev(300, "11:00:00", "CreateUser", MALLORY,
        r#","sourceIPAddress":"203.0.113.66","userAgent":"aws-cli/1.18.69 Python/3.8.5 Linux/5.7.0-kali1-amd64 botocore/1.17.12","readOnly":false"#));
    // A write from an unrecognised client, and one from a client mallory seldom uses.
    lines.push(ev(
        400,
        "11:05:00",
        "AttachUserPolicy",
        MALLORY,
        r#","sourceIPAddress":"192.0.2.1","userAgent":"curl/8.4.0","readOnly":false"#,
    ));
    lines.push(ev(
        500,
        "11:06:00",
        "PutUserPolicy",
        MALLORY,
        r#","sourceIPAddress":"192.0.2.1","userAgent":"Boto3/1.34.2 md/Botocore#1.34.2","readOnly":false"#,
    ));
    let log = format!(r#"{{"Records":[{}]}}"#, lines.join(","));
    let mut e = Engine::new();
    e.ingest_bytes("attention.json", log.as_bytes());
    assert_eq!(e.status().warnings, 0);
    let r = report_of(&e, &Filter::default());
    let of = |k: AttentionKind| r.attention.rows.iter().filter(|a| a.kind == k).collect::<Vec<_>>();
    let bursts = of(AttentionKind::AccessDeniedBurst);
    assert_eq!(bursts.len(), 1);
    assert_eq!(bursts[0].events, 6);
    assert!(bursts[0].why.contains("iam:ListUsers ×6"), "{}", bursts[0].why);
    assert_eq!(kept(&e, &bursts[0].narrow(&Filter::default())), 6, "the item's range and chips show the burst");
    // Its range reads from the first denied call to the last one's second, as the calls were logged.
    let chips = bursts[0].narrow(&Filter::default()).chips();
    let range = chips.iter().find(|c| c.field == Field::Range).expect("a burst narrows to its time");
    assert_eq!(range.value, "2026-06-01 09:00:00 → 09:00:50 UTC");
    let new_ip = of(AttentionKind::LongTermKeyNewIp);
    assert_eq!(new_ip.len(), 1);
    assert!(new_ip[0].why.contains("192.0.2.1") && new_ip[0].why.contains("203.0.113.66"), "{}", new_ip[0].why);
    assert_eq!((new_ip[0].severity, new_ip[0].events), (Severity::High, 1), "it wrote from there");
    let unusual = of(AttentionKind::UnusualClientWrite);
    let titles: Vec<&str> = unusual.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(unusual.len(), 3, "{titles:?}");
    assert!(titles.iter().any(|t| t.ends_with("writing from Kali Linux")));
    assert!(titles.iter().any(|t| t.ends_with("writing from an unrecognised client")));
    assert!(titles.iter().any(|t| t.ends_with("writing from SDK (Python)")));
    for a in &unusual {
        assert_eq!(kept(&e, &a.narrow(&Filter::default())) as u64, a.events, "{}", a.title);
    }
    // Most serious first.
    assert!(r.attention.rows.windows(2).all(|w| w[0].severity <= w[1].severity));
}

#[test]
fn ok_hostile_chain_loop_stops() {
    // Two STS calls, each made with the key the other handed out: a loop no real log has.
    let sts = |n: u32, caller: &str, new: &str| {
        format!(
            r#"{{"eventTime":"2026-06-01T00:00:0{n}Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole",
            "eventID":"00000000-0000-4000-b000-00000000000{n}","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/R/{n}",
            "accessKeyId":"{caller}"}},"responseElements":{{"credentials":{{"accessKeyId":"{new}"}}}}}}"#
        )
    };
    let log = format!(
        r#"{{"Records":[{},{}]}}"#,
        sts(1, "ASIALOOPB00000000002", "ASIALOOPA00000000001"),
        sts(2, "ASIALOOPA00000000001", "ASIALOOPB00000000002")
    );
    let mut e = Engine::new();
    e.ingest_bytes("loop.json", log.as_bytes());
    let r = report_of(&e, &Filter::default());
    assert_eq!(r.chains.rows.total, 2);
    for c in &r.chains.rows.rows {
        assert_eq!((c.end, c.hops.len()), (ChainEnd::Loop, 2));
    }
}

#[test]
fn ok_sts_responses_of_the_wrong_shape_are_counted_not_linked() {
    let log = r#"{"Records":[
      {"eventTime":"2026-06-01T00:00:01Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","eventID":"00000000-0000-4000-c000-000000000001",
       "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u","accessKeyId":"AKIAUSER000000000001"},"responseElements":"omitted"},
      {"eventTime":"2026-06-01T00:00:02Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","eventID":"00000000-0000-4000-c000-000000000002",
       "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u","accessKeyId":"AKIAUSER000000000001"},"responseElements":{"credentials":{"accessKeyId":7}}},
      {"eventTime":"2026-06-01T00:00:03Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","eventID":"00000000-0000-4000-c000-000000000003",
       "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u","accessKeyId":"AKIAUSER000000000001"},"errorCode":"AccessDenied","responseElements":null},
      {"eventTime":"2026-06-01T00:00:04Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventID":"00000000-0000-4000-c000-000000000004",
       "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u"},"responseElements":["Failure"]}
    ]}"#;
    let mut e = Engine::new();
    e.ingest_bytes("odd.json", log.as_bytes());
    assert_eq!(e.status().events, 4, "every event still loads");
    let r = report_of(&e, &Filter::default());
    // The string response and the array sign-in outcome are unreadable; the numeric key is no key.
    assert_eq!(r.chains.unreadable, 2);
    assert!(e.store().credentials.grants().is_empty());
}

#[test]
fn ok_seed_examples_by_type_and_key_kind() {
    let path = "tests/fixtures/seeds/ecr-documentation-examples.json";
    let e = engine(&[path]);
    let r = report_of(&e, &Filter::default());
    let events = records(&root().join(path));
    assert_eq!(counts(&r.by_type.rows), tally(events.iter().map(type_of)));
    let akia = events
        .iter()
        .filter(|e| e["userIdentity"]["accessKeyId"].as_str().is_some_and(|k| k.starts_with("AKIA")))
        .count();
    assert_eq!(counts(&r.by_key_kind.rows).get("Long-term (AKIA)").copied(), Some(akia as u64));
    // The lifecycle expiry is AWS internal and its principal is the invoking service.
    assert!(r.by_principal.rows.iter().any(|p| p.stat.key == "AWS Internal" && p.kind == "AWS internal"));
    // Every call is listed under its console client, the expiry under AWS.
    let clients = counts(&r.by_client.rows);
    let console = events.iter().filter(|e| e["userAgent"] == "console.amazonaws.com").count() as u64;
    assert_eq!(clients.get("Console"), Some(&console));
}

#[test]
fn ok_sample_breakdowns_match_the_files() {
    let mut e = Engine::new();
    for (path, bytes) in SAMPLE_FILES {
        e.ingest_bytes(path, bytes);
    }
    let r = report_of(&e, &Filter::default());
    // Unique events read as plain JSON, the same dedupe key as CloudTrail's (id, time, source, name).
    let events: Vec<Value> =
        super::common::first_of_each(super::common::walk(&root().join("sample")).iter().flat_map(|p| records(p)));
    assert_eq!(r.events, events.len() as u64);
    assert_eq!(counts(&r.by_type.rows), tally(events.iter().map(type_of)));
    let arn = |e: &Value| e["userIdentity"]["arn"].as_str().map(str::to_owned);
    let by_arn = tally(events.iter().filter_map(arn));
    for p in r.by_principal.rows.iter().filter(|p| p.stat.key.starts_with("arn:")) {
        assert_eq!(by_arn.get(&p.stat.key), Some(&p.stat.events), "{}", p.stat.key);
    }
    let ua = tally(events.iter().map(|e| e["userAgent"].as_str().unwrap_or("").to_owned()));
    assert_eq!(counts(&r.by_user_agent.rows.iter().map(|a| a.stat.clone()).collect::<Vec<_>>()), ua);
    let root_events = events.iter().filter(|e| e["userIdentity"]["type"] == "Root").count() as u64;
    let listed: u64 = r.attention.rows.iter().filter(|a| a.kind == AttentionKind::RootActivity).map(|a| a.events).sum();
    assert_eq!(listed, root_events);
}

#[test]
fn ok_summary_counts_by_access_key_kind() {
    let path = root().join(CHAIN);
    let mut e = Engine::new();
    e.ingest_bytes("role-chain.json", &std::fs::read(&path).unwrap());
    let summary: Value = serde_json::from_str(&e.summary_json()).unwrap();
    let events = records(&path);
    let kind = |e: &Value| match e["userIdentity"]["accessKeyId"].as_str().unwrap_or("") {
        "" => "No key".to_owned(),
        k if k.starts_with("AKIA") => "Long-term (AKIA)".to_owned(),
        k if k.starts_with("ASIA") => "Temporary (ASIA)".to_owned(),
        _ => "Other".to_owned(),
    };
    let want: serde_json::Map<String, Value> =
        tally(events.iter().map(kind)).into_iter().map(|(k, v)| (k, Value::from(v))).collect();
    assert_eq!(summary["counts"]["by_access_key_kind"], Value::Object(want));
    let types: serde_json::Map<String, Value> =
        tally(events.iter().map(type_of)).into_iter().map(|(k, v)| (k, Value::from(v))).collect();
    assert_eq!(summary["counts"]["by_identity_type"], Value::Object(types));
    assert!(summary["attention"].is_array());
}

#[test]
fn ok_the_key_counts_cover_every_key_not_only_those_listed() {
    // 6,000 generated events use far more keys than the table lists (200): the card had counted
    // the listed ones.
    let Some((dir, _)) = super::container::generate(6_000, 11) else { return };
    let (e, all) = super::container::load(&dir);
    let r = report_of(&e, &Filter::default());
    let distinct = |prefix: &str| {
        all.iter()
            .filter_map(|ev| ev["userIdentity"]["accessKeyId"].as_str())
            .filter(|k| k.starts_with(prefix))
            .collect::<std::collections::HashSet<_>>()
            .len() as u64
    };
    let (long_term, temporary) = (distinct("AKIA"), distinct("ASIA"));
    assert!(long_term + temporary > r.by_key.rows.len() as u64, "more keys than listed");
    assert_eq!((r.keys_by_kind.long_term, r.keys_by_kind.temporary), (long_term, temporary));
    assert_eq!(r.by_key.total, long_term + temporary + r.keys_by_kind.other);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn ok_the_count_of_high_attention_items_covers_those_past_the_list() {
    // 250 IAM users each signed in to the console without MFA, a high item each (the shape of
    // AWS's ConsoleLogin example): more than the 200 the list keeps.
    let users = 250;
    let records: Vec<Value> = (0..users)
        .map(|i| {
            serde_json::json!({
                "eventVersion": "1.08", "eventTime": format!("2026-03-01T00:{:02}:{:02}Z", i / 60, i % 60),
                "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1",
                "sourceIPAddress": "192.0.2.1", "userAgent": "Mozilla/5.0", "eventID": format!("signin-{i}"),
                "eventType": "AwsConsoleSignIn", "recipientAccountId": "111122223333",
                "userIdentity": {"type": "IAMUser", "principalId": format!("AIDA{i}"), "accountId": "111122223333",
                    "arn": format!("arn:aws:iam::111122223333:user/u{i}"), "userName": format!("u{i}")},
                "responseElements": {"ConsoleLogin": "Success"},
                "additionalEventData": {"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com/"}
            })
        })
        .collect();
    let mut e = Engine::new();
    e.ingest_bytes("signins.json", serde_json::json!({ "Records": records }).to_string().as_bytes());
    let r = report_of(&e, &Filter::default());
    assert_eq!((r.attention.total, r.attention.rows.len()), (users, 200));
    assert_eq!(r.attention_high, users);
}

/// AWS's console sign-in examples (CloudTrail user guide, "AWS console sign-in events"): a failed
/// sign-in logs the IAM user with its principal id and no ARN; a successful one with the ARN.
const ALICE_FAILED: &str = r#"{"type":"IAMUser","principalId":"AIDAELOPP77CWZEXAMPLE","accountId":"12345679012","accessKeyId":"","userName":"alice"}"#;
const ALICE_SIGNED_IN: &str = r#"{"type":"IAMUser","principalId":"AIDAELOPP77CWZEXAMPLE","arn":"arn:aws:iam::12345679012:user/alice","accountId":"12345679012","userName":"alice"}"#;
/// Another account's alice, only ever logged without an ARN: a principal of her own.
const OTHER_ALICE: &str = r#"{"type":"IAMUser","principalId":"AIDAOTHERALICEEXAMPLE","accountId":"999999999999","accessKeyId":"","userName":"alice"}"#;

fn sign_ins(first: u32, identity: &str, n: u32) -> Vec<u8> {
    let events: Vec<String> = (first..first + n)
        .map(|i| {
            format!(
                r#"{{"eventTime":"2026-06-01T10:00:{i:02}Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin",
                "eventID":"00000000-0000-4000-b000-{i:012}","awsRegion":"us-east-1","recipientAccountId":"12345679012",
                "userIdentity":{identity}}}"#
            )
        })
        .collect();
    format!(r#"{{"Records":[{}]}}"#, events.join(",")).into_bytes()
}

#[test]
fn ok_an_iam_user_logged_without_its_arn_is_the_user_whatever_the_order() {
    const ARN: &str = "arn:aws:iam::12345679012:user/alice";
    // Two failed sign-ins, one good one, and one failed sign-in by another account's alice.
    let files = [
        ("failed.json", sign_ins(0, ALICE_FAILED, 2)),
        ("good.json", sign_ins(10, ALICE_SIGNED_IN, 1)),
        ("other.json", sign_ins(20, OTHER_ALICE, 1)),
    ];
    let want: BTreeMap<String, u64> = [(ARN.to_string(), 3), ("alice".to_string(), 1)].into();
    let search = |e: &Engine, text: &str| kept(e, &Filter { text: text.into(), ..Filter::default() });
    for order in [[0, 1, 2], [1, 0, 2], [2, 0, 1]] {
        // One engine, asked between files: what it answered before the ARN came is not kept after.
        let mut one = Engine::new();
        for &i in &order {
            let before = search(&one, "user/alice");
            one.ingest_bytes(files[i].0, &files[i].1);
            assert!(search(&one, "user/alice") >= before, "{order:?}: a search finds no less after a file");
        }
        // Ingest workers' batches, absorbed in this order.
        let mut batches = Engine::new();
        for &i in &order {
            let mut reader = Engine::for_batches();
            reader.ingest_bytes(files[i].0, &files[i].1);
            batches.absorb_batch(&reader.take_batch()).unwrap();
        }
        for e in [&one, &batches] {
            let r = report_of(e, &Filter::default());
            let principals: Vec<Stat> = r.by_principal.rows.iter().map(|p| p.stat.clone()).collect();
            assert_eq!(counts(&principals), want, "{order:?}");
            assert_eq!(search(e, "user/alice"), 3, "{order:?}: the failed sign-ins are found by the ARN");
            assert_eq!(search(e, "alice"), 4, "{order:?}");
            assert_eq!(kept(e, &Filter::default().with(Field::Principal, ARN)), 3, "{order:?}");
            assert_eq!(kept(e, &Filter::default().with(Field::Principal, "alice")), 1, "{order:?}");
        }
    }
}

/// AWS's example of a console sign-in with a user name that is no user of the account (the IAM user
/// guide's CloudTrail examples, "No username found in supplied account"): AWS logs the name as
/// `HIDDEN_DUE_TO_SECURITY_REASONS`, with no ARN or principal id.
const HIDDEN: &str =
    r#"{"type":"IAMUser","accountId":"123456789012","accessKeyId":"","userName":"HIDDEN_DUE_TO_SECURITY_REASONS"}"#;

#[test]
fn ok_sign_ins_with_a_name_aws_hid_are_told_apart_by_account() {
    let other = HIDDEN.replace("123456789012", "210987654321");
    let mut files = vec![sign_ins(0, HIDDEN, 3), sign_ins(10, &other, 2)];
    let mut e = Engine::new();
    for (i, f) in files.drain(..).enumerate() {
        e.ingest_bytes(&format!("f{i}.json"), &f);
    }
    let r = report_of(&e, &Filter::default());
    let principals: Vec<Stat> = r.by_principal.rows.iter().map(|p| p.stat.clone()).collect();
    let want: BTreeMap<String, u64> = [
        ("user name hidden by AWS, account 123456789012".to_string(), 3),
        ("user name hidden by AWS, account 210987654321".to_string(), 2),
    ]
    .into();
    assert_eq!(counts(&principals), want);
    let one = "user name hidden by AWS, account 210987654321";
    assert_eq!(kept(&e, &Filter::default().with(Field::Principal, one)), 2);
}
