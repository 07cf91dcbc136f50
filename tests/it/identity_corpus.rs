//! Identity breakdowns, role chains and attention items over real CloudTrail from the shared corpus
//! (invictus-ir's attack simulation and Stratus Red Team's detonations), compared with what
//! `tests/fixtures/identity/corpus_expected.py` computes from the same files with plain Python.
//!
//! The corpus is read from `$TRAILSCOPE_CORPUS` or `../shared/corpus`; without it the test says so and
//! passes without checking anything else.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;
use trailscope::analysis::filter::{Compiled, Filter};
use trailscope::analysis::identity::{report, AttentionKind, ChainEnd, IdentityReport, Stat};
use trailscope::engine::Engine;

use super::common::{root, walk};

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("TRAILSCOPE_CORPUS").map_or_else(|| root().join("../shared/corpus"), PathBuf::from);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("NOTICE: shared corpus not found at {}; identity corpus checks skipped", dir.display());
        None
    }
}

fn load(dir: &std::path::Path) -> IdentityReport {
    let mut e = Engine::new();
    for p in walk(dir).iter().filter(|p| p.extension().is_some_and(|x| x == "json")) {
        e.ingest_bytes(&p.to_string_lossy(), &std::fs::read(p).unwrap());
    }
    let c = Compiled::new(&Filter::default(), e.store());
    report(e.store(), c.rows())
}

fn map(list: &[Stat]) -> Value {
    Value::Object(list.iter().map(|s| (s.key.clone(), Value::from(s.events))).collect())
}

fn end_name(end: ChainEnd) -> &'static str {
    match end {
        ChainEnd::LongTermKey => "LongTermKey",
        ChainEnd::NoKey => "NoKey",
        ChainEnd::NotInLogs => "NotInLogs",
        ChainEnd::Unfollowable => "Unfollowable",
        ChainEnd::Loop => "Loop",
        ChainEnd::TooLong => "TooLong",
    }
}

#[test]
fn ok_corpus_identities_match_an_independent_count() {
    let Some(corpus) = corpus() else { return };
    let expected: BTreeMap<String, Value> = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/identity/corpus-expected.json")).unwrap(),
    )
    .unwrap();
    assert!(!expected.is_empty());
    for (name, want) in expected {
        let r = load(&corpus.join(&name));
        assert_eq!(r.events, want["events"].as_u64().unwrap(), "{name}: events");
        assert_eq!(map(&r.by_type.rows), want["by_type"], "{name}: by type");
        assert_eq!(map(&r.by_key_kind.rows), want["by_key_kind"], "{name}: by key kind");
        assert_eq!(map(&r.by_mfa.rows), want["by_mfa"], "{name}: MFA");
        let principals: Vec<Stat> = r.by_principal.rows.iter().map(|p| p.stat.clone()).collect();
        assert_eq!(r.by_principal.total as usize, principals.len(), "{name}: every principal listed");
        assert_eq!(map(&principals), want["by_principal"], "{name}: by principal");

        let chains: serde_json::Map<String, Value> = r
            .chains
            .rows
            .rows
            .iter()
            .map(|c| {
                let hops: Vec<Value> = c.hops.iter().map(|h| Value::from(h.principal.clone())).collect();
                (
                    c.stat.key.clone(),
                    serde_json::json!({"session_events": c.stat.events, "hops": hops, "end": end_name(c.end)}),
                )
            })
            .collect();
        assert_eq!(Value::Object(chains), want["chains"], "{name}: role chains");

        let items = |k: AttentionKind| r.attention.rows.iter().filter(move |a| a.kind == k);
        let no_mfa: serde_json::Map<String, Value> = items(AttentionKind::ConsoleLoginWithoutMfa)
            .map(|a| (a.chips[0].1.clone(), Value::from(a.events)))
            .collect();
        assert_eq!(Value::Object(no_mfa), want["console_without_mfa"], "{name}: console sign-ins without MFA");
        let mut bursts: Vec<Value> =
            items(AttentionKind::AccessDeniedBurst).map(|a| serde_json::json!([a.chips[0].1, a.events])).collect();
        bursts.sort_by_key(ToString::to_string);
        let mut want_bursts = want["denied_bursts"].as_array().unwrap().clone();
        want_bursts.sort_by_key(ToString::to_string);
        assert_eq!(bursts, want_bursts, "{name}: denied bursts");
        let roots: serde_json::Map<String, Value> =
            items(AttentionKind::RootActivity).map(|a| (a.chips[0].1.clone(), Value::from(a.events))).collect();
        assert_eq!(Value::Object(roots), want["root_events"], "{name}: root activity");

        // Credentials made for others and access given away: each expected one is an item of its
        // kind and severity, naming its call and whom it was for, and saying whether a later call
        // took it back; and no other item of these kinds is listed.
        let mut given: Vec<_> = r
            .attention
            .rows
            .iter()
            .filter(|a| matches!(a.kind, AttentionKind::CredentialsMade | AttentionKind::AccessWidened))
            .collect();
        let want_given = want["iam_given"].as_array().unwrap();
        assert!(!want_given.is_empty(), "{name}: the datasets hold Stratus Red Team's IAM persistence techniques");
        for w in want_given {
            let (kind, severity, call, whom, back) = (
                w[0].as_str().unwrap(),
                w[1].as_str().unwrap(),
                w[2].as_str().unwrap(),
                w[3].as_str().unwrap(),
                w[4].as_bool().unwrap(),
            );
            let found = given.iter().position(|a| {
                a.kind.slug() == kind
                    && a.severity.slug() == severity
                    && a.chips.iter().any(|(_, v)| v == call)
                    && a.title.contains(whom)
                    && a.why.contains("at the end of these logs") != back
            });
            let Some(i) = found else {
                panic!("{name}: no {severity} {kind} item for {call} of {whom} (taken back: {back}) among {given:#?}")
            };
            given.remove(i);
        }
        assert!(given.is_empty(), "{name}: unexpected items {given:#?}");
        if std::env::var_os("SHOW_GIVEN").is_some() {
            for a in r
                .attention
                .rows
                .iter()
                .filter(|a| matches!(a.kind, AttentionKind::CredentialsMade | AttentionKind::AccessWidened))
            {
                eprintln!("[{}] {} | {}\n    {}\n", a.severity.slug(), a.title, a.who, a.why);
            }
        }
    }
}
