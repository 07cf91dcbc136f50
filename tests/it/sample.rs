//! The bundled sample: what "Load sample logs" shows must match what was generated and documented.

use super::common::{records, root, unique, walk};
use trailscope::analysis::filter::{Compiled, Field, Filter};
use trailscope::engine::{Engine, Query, Response};
use trailscope::ingest::FileKind;
use trailscope::sample::SAMPLE_FILES;

#[test]
fn ok_sample_loads_every_event_the_generator_and_aws_docs_wrote() {
    let mut engine = Engine::new();
    for (path, bytes) in SAMPLE_FILES {
        engine.ingest_bytes(path, bytes);
    }
    // Independent expectations: the generator's truth file, and the files read as plain JSON values.
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/sample-generated-truth.json")).unwrap(),
    )
    .unwrap();
    let files = walk(&root().join("sample"));
    assert_eq!(files.len(), SAMPLE_FILES.len());
    let generated: Vec<_> =
        files.iter().filter(|p| !p.to_string_lossy().contains("AwsDocExamples")).flat_map(|p| records(p)).collect();
    assert_eq!(generated.len() as u64, truth["events"].as_u64().unwrap());
    let all: Vec<_> = files.iter().flat_map(|p| records(p)).collect();
    let status = engine.status();
    assert_eq!(status.events, unique(&all) as u64);
    assert_eq!(status.duplicates, (all.len() - unique(&all)) as u64);
    assert_eq!(
        status.warnings,
        0,
        "{:?}",
        engine.files().iter().flat_map(|f| f.report.warnings.clone()).collect::<Vec<_>>()
    );
    assert!(engine.files().iter().all(|f| f.report.kind == FileKind::Logs && f.report.gzip));
    // Accounts and regions come from the S3 keys too.
    let first = &engine.files()[0];
    assert_eq!(first.meta().account.len(), 12);
}

#[test]
fn ok_seed_fixture_counts_by_source() {
    let path = root().join("tests/fixtures/seeds/ecr-documentation-examples.json");
    let events = records(&path);
    let mut engine = Engine::new();
    engine.ingest_bytes("ecr-documentation-examples.json", &std::fs::read(&path).unwrap());
    assert_eq!(engine.status().events, unique(&events) as u64);
    let counts = trailscope::analysis::counts::count(engine.store(), 0..engine.store().len() as u32);
    let kms = events.iter().filter(|e| e["eventSource"] == "kms.amazonaws.com").count() as u64;
    let kms_row = counts.by_source.iter().find(|c| c.key == "kms.amazonaws.com").map(|c| c.count);
    assert_eq!(kms_row, Some(kms));
}

/// The sample loaded.
fn sample_engine() -> Engine {
    let mut engine = Engine::new();
    for (path, bytes) in SAMPLE_FILES {
        engine.ingest_bytes(path, bytes);
    }
    engine
}

/// The "+ Filter" menu's values of `field` under `filter` containing `narrow`, and how many there were.
fn values(engine: &Engine, field: Field, filter: &Filter, narrow: &str) -> (Vec<(String, u64)>, u64) {
    let q = Query::Values { field, filter: Box::new(filter.clone()), narrow: narrow.to_owned() };
    match engine.query(&q) {
        Response::Values(list, total) => (list.into_iter().map(|c| (c.key, c.count)).collect(), total),
        other => panic!("not values: {other:?}"),
    }
}

#[test]
fn ok_the_repository_facet_offers_each_repository_in_its_registry_and_region() {
    let engine = sample_engine();
    let events: Vec<_> = walk(&root().join("sample")).iter().flat_map(|p| records(p)).collect();
    let (facet, _) = values(&engine, Field::Repository, &Filter::default(), "");
    // Every repository an ECR call of the sample names, read from the JSON: its name in the
    // registry named, else the event's account, and in the event's region (a lifecycle run names
    // it by the ARN in its `resources` alone); with the events that name it (a task definition's
    // images are not looked for here: at least these).
    let mut named: std::collections::BTreeMap<String, Vec<serde_json::Value>> = std::collections::BTreeMap::new();
    for e in events.iter().filter(|e| e["eventSource"] == "ecr.amazonaws.com") {
        let arn = match e["requestParameters"]["repositoryName"].as_str() {
            Some(name) => {
                let registry =
                    e["requestParameters"]["registryId"].as_str().or(e["recipientAccountId"].as_str()).unwrap();
                format!("arn:aws:ecr:{}:{registry}:repository/{name}", e["awsRegion"].as_str().unwrap())
            }
            None => match e["resources"][0]["ARN"].as_str() {
                Some(arn) if e["resources"][0]["type"] == "AWS::ECR::Repository" => arn.to_owned(),
                _ => continue,
            },
        };
        named.entry(arn).or_default().push(e.clone());
    }
    // The sample's web/frontend is three repositories (two accounts, three regions).
    let names: std::collections::BTreeSet<&str> =
        named.keys().map(|a| a.rsplit_once(":repository/").unwrap().1).collect();
    assert!(names.len() > 3 && named.len() > names.len(), "{named:?}");
    for (arn, about) in &named {
        let offered = facet.iter().find(|(k, _)| k == arn).map(|(_, n)| *n);
        assert!(offered.is_some_and(|n| n >= unique(about) as u64), "{arn}: {offered:?}, {} named", unique(about));
    }
    // Picking one keeps what it counts; and every ECR call it keeps names that repository in that
    // registry and region, not one of the same name elsewhere.
    for (arn, n) in facet.iter().filter(|(k, _)| named.contains_key(k)) {
        let rows: Vec<u32> =
            Compiled::new(&Filter::default().with(Field::Repository, arn), engine.store()).rows().collect();
        assert_eq!(rows.len() as u64, *n, "{arn}");
        let ecr = rows.iter().filter(|&&r| engine.store().str(engine.store().source(r)) == "ecr.amazonaws.com").count();
        assert_eq!(ecr, unique(&named[arn]), "{arn}");
    }
}

#[test]
fn ok_every_facet_counts_what_picking_each_value_keeps() {
    let engine = sample_engine();
    let store = engine.store();
    // Under no filter and under one (errors only), every value of every facet.
    for filter in
        [Filter::default(), Filter { errors: trailscope::analysis::filter::Errors::Only, ..Filter::default() }]
    {
        for field in Field::LISTS.into_iter().filter(|&f| f != Field::Origin) {
            let (facet, total) = values(&engine, field, &filter, "");
            if facet.is_empty() {
                assert!(filter != Filter::default(), "{field:?} offers values");
                continue;
            }
            assert_eq!(total, facet.len() as u64, "{field:?}: the sample has fewer values than a list holds");
            for (key, count) in &facet {
                let kept = Compiled::new(&filter.with(field, key), store).rows().count() as u64;
                assert_eq!(kept, *count, "{field:?} = {key}");
            }
            assert!(facet.windows(2).all(|w| w[0].1 >= w[1].1), "{field:?}: most first");
            // With the first value picked, the field's values are still offered, counted as
            // before: they are alternatives to it.
            let picked = filter.with(field, &facet[0].0);
            assert_eq!(values(&engine, field, &picked, ""), (facet.clone(), total), "{field:?} once picked");
        }
    }
}

#[test]
fn ok_facets_read_from_the_events_as_logged() {
    // Counted from the sample's JSON, not by the engine: the values an event's fields hold.
    let engine = sample_engine();
    let events: Vec<_> = walk(&root().join("sample")).iter().flat_map(|p| records(p)).collect();
    assert_eq!(unique(&events), events.len(), "the sample has no duplicates, so events are counted as they are");
    let fields: [(Field, &[&str]); 8] = [
        (Field::Source, &["eventSource"]),
        (Field::Name, &["eventName"]),
        (Field::Region, &["awsRegion"]),
        (Field::Ip, &["sourceIPAddress"]),
        (Field::UserAgent, &["userAgent"]),
        (Field::AccessKey, &["userIdentity", "accessKeyId"]),
        (Field::Role, &["userIdentity", "sessionContext", "sessionIssuer", "arn"]),
        (Field::InvokedBy, &["userIdentity", "invokedBy"]),
    ];
    for (field, path) in fields {
        let mut expected: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
        for e in &events {
            let v = path.iter().fold(e, |v, k| &v[*k]);
            // An event without the field (or with it empty) counts under the empty value, "(none)".
            *expected.entry(v.as_str().unwrap_or_default().to_owned()).or_default() += 1;
        }
        let (facet, _) = values(&engine, field, &Filter::default(), "");
        let got: std::collections::BTreeMap<String, u64> = facet.into_iter().collect();
        assert_eq!(got, expected, "{field:?}");
    }
    // Narrowed: the IP addresses holding "203.0.113." in any case, counted the same.
    let (narrowed, total) = values(&engine, Field::Ip, &Filter::default(), "203.0.113.");
    let wanted: std::collections::BTreeSet<&str> =
        events.iter().filter_map(|e| e["sourceIPAddress"].as_str()).filter(|ip| ip.contains("203.0.113.")).collect();
    assert!(!wanted.is_empty());
    assert_eq!(narrowed.iter().map(|(k, _)| k.as_str()).collect::<std::collections::BTreeSet<_>>(), wanted);
    assert_eq!(total, wanted.len() as u64);
    let (upper, _) = values(&engine, Field::UserAgent, &Filter::default(), "DOCKER");
    assert!(!upper.is_empty() && upper.iter().all(|(k, _)| k.to_lowercase().contains("docker")), "{upper:?}");
    // The events without an access key, found by the text the menu shows for them, "(none)".
    let keyless = events.iter().filter(|e| e["userIdentity"]["accessKeyId"].as_str().unwrap_or_default().is_empty());
    let keyless = keyless.count() as u64;
    assert!(keyless > 0, "the sample has calls made without an access key");
    let (none, total) = values(&engine, Field::AccessKey, &Filter::default(), "NoNe");
    assert_eq!((none, total), (vec![(String::new(), keyless)], 1));
}

#[test]
fn ok_facet_values_counted_before_more_files_load_are_counted_again() {
    // The menu's lists are kept while the store stays the same: asked again after more files loaded,
    // each must count what an engine that loaded every file at once counts.
    let (first, rest) = SAMPLE_FILES.split_at(SAMPLE_FILES.len() / 2);
    let mut engine = Engine::new();
    for (path, bytes) in first {
        engine.ingest_bytes(path, bytes);
    }
    let whole = sample_engine();
    let fields = [Field::Ip, Field::Principal, Field::Repository, Field::Name];
    let before: Vec<_> = fields.iter().map(|&f| values(&engine, f, &Filter::default(), "")).collect();
    // Narrowed, from the kept list.
    assert!(values(&engine, Field::Ip, &Filter::default(), "1").0.iter().all(|(ip, _)| ip.contains('1')));
    for (path, bytes) in rest {
        engine.ingest_bytes(path, bytes);
    }
    for (&field, before) in fields.iter().zip(&before) {
        let after = values(&engine, field, &Filter::default(), "");
        assert_eq!(after, values(&whole, field, &Filter::default(), ""), "{field:?}");
        assert_ne!(&after, before, "{field:?}: the second half adds to every one of these fields");
    }
}
