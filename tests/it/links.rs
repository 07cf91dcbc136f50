//! Links that share a view: every filter field survives the trip through a URL fragment and back
//! against the same logs, and the values from the logs that identify people or resources are not
//! in the fragment. Values are read from the sample's JSON (and the labels chips use), not from the
//! engine.

use super::common::{records, root, walk};
use serde_json::Value;
use trailscope::analysis::container::nav::{Page, PushKeep};
use trailscope::analysis::container::report::{ImageRef, Outcome, RepoRef};
use trailscope::analysis::container::Index;
use trailscope::analysis::filter::{call_value, place_value, Compiled, Field, Filter};
use trailscope::engine::Engine;
use trailscope::link::{list_key, resolve, ViewLink};
use trailscope::sample::SAMPLE_FILES;

fn sample() -> (Engine, Vec<Value>) {
    let mut engine = Engine::new();
    for (path, bytes) in SAMPLE_FILES {
        engine.ingest_bytes(path, bytes);
    }
    let events = walk(&root().join("sample")).iter().flat_map(|p| records(p)).collect();
    (engine, events)
}

/// The first value `get` finds in the sample's events.
fn first(events: &[Value], get: impl Fn(&Value) -> Option<&str>) -> String {
    events.iter().find_map(|e| get(e).filter(|v| !v.is_empty())).expect("the sample has one").to_owned()
}

/// One value per list field, each in the sample.
fn one_value_per_field(events: &[Value]) -> Vec<(Field, String)> {
    let user_arn = || {
        first(events, |e| {
            let id = &e["userIdentity"];
            (id["type"] == "IAMUser").then(|| id["arn"].as_str()).flatten().filter(|a| a.contains(":iam::"))
        })
    };
    Field::LISTS
        .into_iter()
        .map(|field| {
            let value = match field {
                Field::Source => first(events, |e| e["eventSource"].as_str()),
                Field::Name => first(events, |e| e["eventName"].as_str()),
                Field::Principal | Field::Origin => user_arn(),
                Field::IdentityType => "IAMUser".to_owned(),
                Field::AccessKey => first(events, |e| e["userIdentity"]["accessKeyId"].as_str()),
                Field::Account => first(events, |e| e["recipientAccountId"].as_str()),
                Field::Region => first(events, |e| e["awsRegion"].as_str()),
                Field::Ip => first(events, |e| e["sourceIPAddress"].as_str()),
                // A repository by its ARN, written from a push's JSON.
                Field::Repository => {
                    let put = events.iter().find(|e| e["eventName"] == "PutImage").unwrap();
                    let req = &put["requestParameters"];
                    let account = req["registryId"].as_str().or(put["recipientAccountId"].as_str()).unwrap();
                    let (region, name) = (put["awsRegion"].as_str().unwrap(), req["repositoryName"].as_str().unwrap());
                    format!("arn:aws:ecr:{region}:{account}:repository/{name}")
                }
                Field::Role => first(events, |e| e["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"].as_str()),
                Field::Mfa => "Yes".to_owned(),
                Field::KeyKind => "Temporary (ASIA)".to_owned(),
                Field::InvokedBy => first(events, |e| e["userIdentity"]["invokedBy"].as_str()),
                Field::IdentityCenterUser => first(events, |e| e["userIdentity"]["onBehalfOf"]["userId"].as_str()),
                Field::UserAgent => first(events, |e| e["userAgent"].as_str()),
                Field::Client => "docker".to_owned(),
                other => panic!("{other:?} is not a list field"),
            };
            (field, value)
        })
        .collect()
}

/// Whether values of `field` come from the logs and name people or resources (so a link must not
/// carry them), rather than AWS's vocabulary or Trailscope's labels.
fn identifies(field: Field) -> bool {
    matches!(
        field,
        Field::Principal
            | Field::Origin
            | Field::AccessKey
            | Field::Account
            | Field::Ip
            | Field::Repository
            | Field::Role
            | Field::IdentityCenterUser
            | Field::UserAgent
            | Field::Place
    )
}

/// The view `f` gives, through a link: written, read back, resolved against the same logs.
fn through_a_link(f: &Filter, engine: &Engine) -> (String, Filter, u32) {
    let fragment = ViewLink::new("events", f, None).to_fragment();
    let r = resolve(&ViewLink::from_fragment(&fragment), engine.store(), &Index::build(engine.store()));
    (fragment, r.filter, r.unresolved)
}

/// Asserts that `f`, of one `field = value` (kept, or left out: `prefix` `x.`), comes back from a
/// link as it went, under the field's key, and that a value from the logs is not in the link.
fn assert_travels(f: &Filter, engine: &Engine, field: Field, value: &str, prefix: &str) {
    let (fragment, back, unresolved) = through_a_link(f, engine);
    assert_eq!((&back, unresolved), (f, 0), "{field:?} {value} through {fragment}");
    let (key, _) = list_key(field).unwrap();
    assert!(fragment.starts_with(&format!("v=events&{prefix}{key}=")), "{fragment}");
    if identifies(field) {
        // Neither the value nor a recognisable part of it (a name after the last '/' or ':').
        let tail = value.rsplit(['/', ':']).next().unwrap();
        assert!(!fragment.contains(tail), "{field:?}: {tail} leaked into {fragment}");
    }
}

#[test]
fn ok_every_filter_field_survives_a_link_and_log_values_stay_out_of_it() {
    let (engine, events) = sample();
    let store = engine.store();
    let values = one_value_per_field(&events);
    for (field, value) in &values {
        let f = Filter::default().with(*field, value);
        let kept = Compiled::new(&f, store).rows().count();
        assert!(kept > 0, "{field:?} {value} keeps some of the sample");
        assert_travels(&f, &engine, *field, value, "");
    }
    // All at once: the same filter, and so the same rows.
    let all = values.iter().fold(Filter::default(), |f, (field, value)| f.with(*field, value));
    let (fragment, back, unresolved) = through_a_link(&all, &engine);
    assert_eq!((&back, unresolved), (&all, 0), "through {fragment}");
    let keys: Vec<&str> = fragment.split('&').map(|p| p.split('=').next().unwrap()).collect();
    assert_eq!(keys.len(), Field::LISTS.len() + 1, "the view and one key per field: {fragment}");
}

/// How many of `events` `keep` keeps, once per event ID and time (the same event in two files is one).
fn count(events: &[Value], keep: impl Fn(&Value) -> bool) -> usize {
    let keys: std::collections::HashSet<_> =
        events.iter().filter(|e| keep(e)).map(|e| (e["eventID"].to_string(), e["eventTime"].to_string())).collect();
    keys.len()
}

#[test]
fn ok_values_left_out_survive_a_link_and_stay_out_of_it() {
    let (engine, events) = sample();
    let store = engine.store();
    let total = Compiled::new(&Filter::default(), store).rows().count();
    for (field, value) in one_value_per_field(&events).iter().filter(|(f, _)| *f != Field::Origin) {
        let f = Filter::default().excluding(*field, value);
        // Leaving it out drops what keeping it keeps, and nothing else.
        let (kept, dropped) = (
            Compiled::new(&f, store).rows().count(),
            Compiled::new(&Filter::default().with(*field, value), store).rows().count(),
        );
        assert_eq!(kept + dropped, total, "{field:?} {value}");
        assert_travels(&f, &engine, *field, value, "x.");
    }
    // A pair left out: a call, a service and a name together (the API calls panel's "−"), and an
    // account and region together (the timeline's "Other" lane under Account / region). Each drops
    // just the events of both its values, counted here from the JSON. A call travels in clear; an
    // account and region as the digest of the pair, neither of them anywhere in the link.
    let pairs = [(Field::Call, "eventSource", "eventName"), (Field::Place, "recipientAccountId", "awsRegion")];
    for (field, a_key, b_key) in pairs {
        let (a, b) = (first(&events, |e| e[a_key].as_str()), first(&events, |e| e[b_key].as_str()));
        let value = if field == Field::Call { call_value(&a, &b) } else { place_value(&a, &b) };
        let f = Filter::default().excluding(field, &value);
        let of_pair = count(&events, |e| e[a_key] == a.as_str() && e[b_key] == b.as_str());
        assert!(of_pair > 0);
        assert_eq!(Compiled::new(&f, store).rows().count(), total - of_pair, "{field:?} {a} {b}");
        assert_travels(&f, &engine, field, &value, "x.");
        let (fragment, ..) = through_a_link(&f, &engine);
        let (has_a, has_b) = (fragment.contains(&a), fragment.contains(&b));
        assert_eq!((has_a, has_b), if field == Field::Call { (true, true) } else { (false, false) }, "{fragment}");
    }
}

#[test]
fn ok_no_repository_survives_a_link() {
    // The timeline's "(no repository)" lane filters to the empty name; a link carries it as a digest.
    let (engine, events) = sample();
    let f = Filter::default().with(Field::Repository, "");
    let kept = Compiled::new(&f, engine.store()).rows().count();
    // Not every event of the sample is an ECR or ECS call.
    assert!(kept > 0 && kept < events.len(), "{kept} of {}", events.len());
    let (fragment, back, unresolved) = through_a_link(&f, &engine);
    assert_eq!((&back, unresolved), (&f, 0), "through {fragment}");
    assert!(fragment.starts_with("v=events&repo=h."), "{fragment}");
}

#[test]
fn ok_a_repository_by_name_alone_still_survives_a_link() {
    // Links made before repositories were named by ARN name one by its name: in any registry and
    // region, as then.
    let (engine, events) = sample();
    let name = events.iter().find(|e| e["eventName"] == "PutImage").unwrap()["requestParameters"]["repositoryName"]
        .as_str()
        .unwrap()
        .to_owned();
    let f = Filter::default().with(Field::Repository, &name);
    let (fragment, back, unresolved) = through_a_link(&f, &engine);
    assert_eq!((&back, unresolved), (&f, 0), "through {fragment}");
    assert!(Compiled::new(&back, engine.store()).rows().count() > 0);
}

#[test]
fn ok_values_not_in_the_logs_match_nothing_and_are_counted() {
    let (engine, _) = sample();
    let f = Filter::default().with(Field::Repository, "no-such-repository").with(Field::UserAgent, "no-such-agent");
    let (_, back, unresolved) = through_a_link(&f, &engine);
    assert_eq!(unresolved, 2);
    assert_eq!(Compiled::new(&back, engine.store()).rows().count(), 0);
}

#[test]
fn ok_the_images_page_survives_a_link_a_repository_and_an_image_as_digests() {
    let (engine, events) = sample();
    let ix = Index::build(engine.store());
    let through = |page: &Page| {
        let fragment = ViewLink::new("images", &Filter::default(), None).with_page(page).to_fragment();
        (fragment.clone(), resolve(&ViewLink::from_fragment(&fragment), engine.store(), &ix))
    };
    // A pushed image and its repository, read from a successful PutImage of the sample.
    let put = events.iter().find(|e| e["eventName"] == "PutImage" && e["errorCode"].is_null()).unwrap();
    let repo = RepoRef {
        registry: put["requestParameters"]["registryId"].as_str().unwrap().to_owned(),
        region: put["awsRegion"].as_str().unwrap().to_owned(),
        name: put["requestParameters"]["repositoryName"].as_str().unwrap().to_owned(),
        public: put["eventSource"] == "ecr-public.amazonaws.com",
    };
    let digest = put["responseElements"]["image"]["imageId"]["imageDigest"].as_str().unwrap().to_owned();
    let pages = [
        Page::Pushes(PushKeep::Outcome(Outcome::Failed)),
        Page::Pushes(PushKeep::MovedTag),
        Page::Pulls(None),
        Page::Lifecycle,
        Page::Ecs,
        Page::Uses,
        Page::Builder,
        Page::Repository(repo.clone()),
        Page::Image(ImageRef { repo: repo.clone(), digest: digest.clone() }),
    ];
    for page in pages {
        let (fragment, r) = through(&page);
        assert_eq!((r.page.as_ref(), r.unresolved), (Some(&page), 0), "{page:?} through {fragment}");
        for secret in [&repo.name, &repo.registry, &digest] {
            assert!(!fragment.contains(secret.as_str()), "{secret} leaked into {fragment}");
        }
    }
    // The default page goes without saying; one not in these logs is counted, and not opened.
    assert_eq!(through(&Page::Repositories).0, "v=images");
    let elsewhere = RepoRef { name: "not-in-the-sample".into(), ..repo };
    let (_, r) = through(&Page::Repository(elsewhere));
    assert_eq!((r.page, r.unresolved), (None, 1));
}
