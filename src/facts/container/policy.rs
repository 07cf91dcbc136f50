//! Policy documents summarised in a few lines: repository policies (who may pull or push) and
//! lifecycle policies (which images expire), both from the rules ECR logs and from the policy text
//! a person set.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::lenient::{texts, List, Num, OneOrMany};
use super::{Exposure, Rule, Sink, MAX_POLICY_LINES, MAX_RULES};
use crate::ingest::raw::{Lenient, Obj, Text};

/// Characters kept of one summary line: a policy naming hundreds of principals is cut, not listed.
const MAX_LINE_CHARS: usize = 300;

/// A lifecycle rule selection, as ECR logs it (`lifecycleEventSelection`) or as a policy text
/// writes it (`selection`).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct Selection<'a> {
    #[serde(borrow)]
    tag_status: Lenient<Text<'a>>,
    #[serde(borrow)]
    tag_prefix_list: List<Lenient<Text<'a>>, 16>,
    #[serde(borrow)]
    tag_pattern_list: List<Lenient<Text<'a>>, 16>,
    #[serde(borrow)]
    count_type: Lenient<Text<'a>>,
    #[serde(borrow)]
    count_unit: Lenient<Text<'a>>,
    count_number: Num,
}

impl Selection<'_> {
    /// `tagged "prod*", image count more than 2`.
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        let status = self.tag_status.str().to_ascii_lowercase();
        let prefixes: Vec<String> = texts(&self.tag_prefix_list).map(|p| format!("\"{p}*\"")).collect();
        let patterns: Vec<String> = texts(&self.tag_pattern_list).map(|p| format!("\"{p}\"")).collect();
        let tags = [prefixes, patterns].concat();
        match (status.as_str(), tags.is_empty()) {
            ("tagged", false) => parts.push(format!("tagged {}", tags.join(", "))),
            ("", true) => {}
            (s, true) => parts.push(format!("{s} images")),
            (s, false) => parts.push(format!("{s} {}", tags.join(", "))),
        }
        let n = self.count_number.0.map_or_else(|| "?".to_owned(), |n| n.to_string());
        let unit = self.count_unit.str().to_ascii_lowercase();
        let unit = if unit.is_empty() { "days".to_owned() } else { unit };
        // "1 day", not "1 days" (ECR's one unit is `days`).
        let unit = match (self.count_number.0, unit.strip_suffix('s')) {
            (Some(1), Some(one)) => one.to_owned(),
            _ => unit,
        };
        match self.count_type.str() {
            "Image count more than" | "imageCountMoreThan" => parts.push(format!("image count more than {n}")),
            "Time since image pushed" | "sinceImagePushed" => parts.push(format!("pushed more than {n} {unit} ago")),
            "Time since image pulled" | "sinceImagePulled" => parts.push(format!("not pulled for {n} {unit}")),
            "" => {}
            other => parts.push(format!("{other} {n}")),
        }
        clip(parts.join(", "))
    }
}

/// A rule as `serviceEventDetails.lifecycleEventPolicy.lifecycleEventRules[]` writes it.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(super) struct EventRule<'a> {
    rule_priority: Num,
    #[serde(borrow)]
    description: Lenient<Text<'a>>,
    #[serde(borrow)]
    lifecycle_event_selection: Obj<Selection<'a>>,
    #[serde(borrow)]
    action: Lenient<Text<'a>>,
}

impl EventRule<'_> {
    /// The rule, interned.
    pub(super) fn summarise(&self, sink: &mut Sink) -> Rule {
        let selection = self.lifecycle_event_selection.0.ok().map(Selection::describe).unwrap_or_default();
        Rule {
            priority: self.rule_priority.u32().unwrap_or(0),
            action: sink.sym(self.action.str()),
            selection: sink.sym(&selection),
            description: sink.sym(&clip(self.description.str().to_owned())),
        }
    }
}

/// A rule of a lifecycle policy text.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct TextRule<'a> {
    rule_priority: Num,
    #[serde(borrow)]
    description: Lenient<Text<'a>>,
    #[serde(borrow)]
    selection: Obj<Selection<'a>>,
    #[serde(borrow)]
    action: Obj<TextAction<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TextAction<'a> {
    #[serde(borrow, rename = "type")]
    kind: Lenient<Text<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LifecycleText<'a> {
    #[serde(borrow)]
    rules: List<Obj<TextRule<'a>>, MAX_RULES>,
}

/// One line per rule of a lifecycle policy text: `rule 1: expire untagged images, pushed more than 14 days ago`.
pub(super) fn lifecycle_rules(text: &str) -> Vec<String> {
    let Ok(doc) = serde_json::from_str::<LifecycleText>(text) else { return Vec::new() };
    doc.rules
        .items
        .iter()
        .filter_map(|r| r.0.ok())
        .take(MAX_POLICY_LINES)
        .map(|r| {
            let action = r.action.0.ok().map_or("", |a| a.kind.str());
            let sel = r.selection.0.ok().map(Selection::describe).unwrap_or_default();
            let prio = r.rule_priority.0.map_or_else(|| "?".to_owned(), |p| p.to_string());
            let desc = r.description.str();
            let mut line = format!("rule {prio}: {action} {sel}");
            if !desc.is_empty() {
                line = format!("{line} ({desc})");
            }
            clip(line)
        })
        .collect()
}

/// A repository policy document.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PolicyDoc<'a> {
    #[serde(borrow, rename = "Statement")]
    statement: OneOrList<'a>,
}

/// `Statement`: one object or a list of them.
#[derive(Default)]
struct OneOrList<'a>(Vec<Statement<'a>>);

struct OneOrListVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for OneOrListVisitor<'a> {
    type Value = OneOrList<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a statement or a list of statements")
    }
    fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        Ok(OneOrList(vec![Statement::deserialize(de::value::MapAccessDeserializer::new(a))?]))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(s) = a.next_element::<Obj<Statement<'a>>>()? {
            if let (Lenient::Ok(s), true) = (s.0, out.len() < MAX_POLICY_LINES) {
                out.push(s);
            }
        }
        Ok(OneOrList(out))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(OneOrList::default())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(OneOrList::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(OneOrList::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(OneOrList::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(OneOrList::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(OneOrList::default())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for OneOrList<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OneOrListVisitor(std::marker::PhantomData))
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Statement<'a> {
    #[serde(borrow, rename = "Effect")]
    effect: Lenient<Text<'a>>,
    #[serde(borrow, rename = "Principal")]
    principal: Principal<'a>,
    #[serde(borrow, rename = "Action")]
    action: OneOrMany<'a>,
    /// `Condition`: operator → key → value or values.
    #[serde(borrow, rename = "Condition")]
    condition: Entries<'a, Entries<'a, Values<'a>>>,
}

/// Condition tests kept of one statement: a policy with more is summarised, not listed.
const MAX_TESTS: usize = 16;

/// Values kept of one condition test.
const MAX_VALUES: usize = 16;

/// One test of a `Condition` block: operator `StringLike`, key
/// `token.actions.githubusercontent.com:sub`, values `repo:acme/app:*`.
struct Test<'x> {
    op: &'x str,
    key: &'x str,
    values: &'x [Text<'x>],
}

impl Test<'_> {
    /// `token.actions.githubusercontent.com:sub StringLike repo:acme/app:*`.
    fn describe(&self) -> String {
        let values: Vec<&str> = self.values.iter().map(Text::as_str).collect();
        format!("{} {} {}", self.key, self.op, values.join(" or "))
    }

    /// Whether the test lets in only requests whose `key` has one of the values: an equality or a
    /// pattern (case folded, and `…IfExists`), not a negation or a set test on a missing key.
    fn admits_only(&self) -> bool {
        let op = self.op.to_ascii_lowercase();
        let op = op.strip_suffix("ifexists").unwrap_or(&op);
        let op = op.strip_prefix("foranyvalue:").unwrap_or(op);
        matches!(op, "stringequals" | "stringlike" | "stringequalsignorecase")
    }
}

impl Statement<'_> {
    /// The tests of its `Condition` (operator → key → values), in order, at most [`MAX_TESTS`].
    fn tests(&self) -> impl Iterator<Item = Test<'_>> + '_ {
        self.condition
            .0
            .iter()
            .flat_map(|(op, keys)| {
                keys.0.iter().map(move |(key, values)| Test { op: op.as_str(), key: key.as_str(), values: &values.0 })
            })
            .take(MAX_TESTS)
    }
}

/// An object's entries, in order, at most [`MAX_TESTS`] kept; anything but an object reads as none.
struct Entries<'a, V>(Vec<(Text<'a>, V)>);

impl<V> Default for Entries<'_, V> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

struct EntriesVisitor<'a, V>(std::marker::PhantomData<(&'a (), V)>);

impl<'de: 'a, 'a, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<'a, V> {
    type Value = Entries<'a, V>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some((key, value)) = a.next_entry::<Lenient<Text<'a>>, V>()? {
            if let (Lenient::Ok(key), true) = (key, out.len() < MAX_TESTS) {
                out.push((key, value));
            }
        }
        Ok(Entries(out))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Entries::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Entries::default())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Entries::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Entries::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Entries::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Entries::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Entries::default())
    }
}

impl<'de: 'a, 'a, V: Deserialize<'de>> Deserialize<'de> for Entries<'a, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntriesVisitor(std::marker::PhantomData))
    }
}

/// A condition key's value or values, each written as text (`true`, `3600`); objects are skipped.
#[derive(Default)]
struct Values<'a>(Vec<Text<'a>>);

struct ValuesVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ValuesVisitor<'a> {
    type Value = Values<'a>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value or a list of values")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Values(vec![Text(v.into())]))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Values(vec![Text(v.to_owned().into())]))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Values(vec![Text(v.to_string().into())]))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Values(vec![Text(v.to_string().into())]))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Values(vec![Text(v.to_string().into())]))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Values(vec![Text(v.to_string().into())]))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Values::default())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = a.next_element::<Values<'a>>()? {
            out.extend(v.0.into_iter().take(MAX_VALUES.saturating_sub(out.len())));
        }
        Ok(Values(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
        Ok(Values::default())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Values<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValuesVisitor(std::marker::PhantomData))
    }
}

/// `Principal`: `"*"` or `{"AWS": ..., "Service": ..., "Federated": ...}`.
#[derive(Default)]
struct Principal<'a>(Vec<Text<'a>>);

#[derive(Deserialize, Default)]
#[serde(default)]
struct PrincipalMap<'a> {
    #[serde(borrow, rename = "AWS")]
    aws: OneOrMany<'a>,
    #[serde(borrow, rename = "Service")]
    service: OneOrMany<'a>,
    #[serde(borrow, rename = "Federated")]
    federated: OneOrMany<'a>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Principal<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A string (`"*"`) reads like a one-element list; a map lists principals by kind.
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Principal<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a principal")
            }
            fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
                let m = PrincipalMap::deserialize(de::value::MapAccessDeserializer::new(a))?;
                Ok(Principal([m.aws.0, m.service.0, m.federated.0].concat()))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Principal(vec![Text(v.into())]))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Principal(vec![Text(v.to_owned().into())]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                while a.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Principal::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Principal::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Principal::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Principal::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Principal::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Principal::default())
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// One line per statement of a repository or trust policy: `Allow arn:aws:iam::210987654321:root:
/// ecr:BatchGetImage, …`, and its conditions: `…, when aws:PrincipalOrgID StringEquals o-a1b2c3`.
pub(crate) fn statements(text: &str) -> Vec<String> {
    let Ok(doc) = serde_json::from_str::<PolicyDoc>(text) else { return Vec::new() };
    doc.statement
        .0
        .iter()
        .take(MAX_POLICY_LINES)
        .map(|s| {
            let who: Vec<&str> = s.principal.0.iter().map(Text::as_str).collect();
            let who = if who.is_empty() { "(no principal)".to_owned() } else { who.join(", ") };
            let what: Vec<&str> = s.action.0.iter().map(Text::as_str).collect();
            let tests: Vec<String> = s.tests().map(|t| t.describe()).collect();
            let when = if tests.is_empty() { String::new() } else { format!(", when {}", tests.join(" and ")) };
            clip(format!("{} {who}: {}{when}", s.effect.str(), what.join(", ")))
        })
        .collect()
}

/// Whom repository policy `text` lets in beyond account `owner`: [`Exposure::Everyone`] for an
/// `Allow` to principal `*` (or `{"AWS": "*"}`) with no `Condition`; [`Exposure::OtherAccounts`] for
/// one with a condition, or to a principal of another account (an ARN's account, or an account id);
/// services (`ecs.amazonaws.com`) are no account. `Deny` statements let no one in. A policy that does
/// not read as one says [`Exposure::Own`]: nothing it could be said to open.
pub(crate) fn exposure(text: &str, owner: &str) -> Exposure {
    let Ok(doc) = serde_json::from_str::<PolicyDoc>(text) else { return Exposure::Own };
    let mut widest = Exposure::Own;
    for s in doc.statement.0.iter().filter(|s| s.effect.str().eq_ignore_ascii_case("allow")) {
        for p in s.principal.0.iter().map(Text::as_str) {
            let account = if p == "*" {
                None
            } else if p.starts_with("arn:") {
                Some(p.split(':').nth(4).unwrap_or(""))
            } else if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
                Some(p)
            } else {
                continue; // a service
            };
            let here = match account {
                None if s.tests().next().is_none() => Exposure::Everyone,
                None => Exposure::OtherAccounts,
                Some(a) if a != owner => Exposure::OtherAccounts,
                Some(_) => Exposure::Own,
            };
            widest = widest.max(here);
        }
    }
    widest
}

/// Identity providers anyone can get a token from; whom a role that trusts one lets in when no
/// condition names who; and the condition keys (after `PROVIDER:`) that do name who. The keys are
/// those IAM documents for web identity federation (and, for GitHub, the claims STS validates);
/// `aud` is one only where it names an application of the account's own (a Cognito identity
/// pool, a Google client), not for GitHub, where every workflow asks for the same audience.
const PUBLIC_PROVIDERS: [(&str, &str, &[&str]); 8] = [
    (
        "token.actions.githubusercontent.com",
        "any GitHub Actions workflow, of any repository",
        &["sub", "repository", "repository_id", "job_workflow_ref", "enterprise_id", "actor", "actor_id"],
    ),
    ("gitlab.com", "any GitLab CI/CD job, of any project", &["sub"]),
    ("app.terraform.io", "any HCP Terraform run, of any organization", &["sub"]),
    ("agent.buildkite.com", "any Buildkite job, of any organization", &["sub"]),
    ("accounts.google.com", "anyone with a Google account", &["aud", "oaud", "sub"]),
    ("cognito-identity.amazonaws.com", "any Amazon Cognito identity, of any identity pool", &["aud", "sub"]),
    ("graph.facebook.com", "anyone with a Facebook account", &["app_id", "id"]),
    ("www.amazon.com", "anyone with an Amazon account", &["app_id", "user_id"]),
];

/// Whom trust policy `text` lets in from a public identity provider (see [`PUBLIC_PROVIDERS`]):
/// `Some("any GitHub Actions workflow, of any repository")` when an `Allow` of
/// `sts:AssumeRoleWithWebIdentity` to that provider (its `oidc-provider/` ARN, or its name) has no
/// condition that admits only some values of a key naming who, or only patterns that begin with a
/// wildcard (`repo:*`). `None` else, and for a text that does not read as a policy.
pub(crate) fn open_web_identity(text: &str) -> Option<&'static str> {
    let doc = serde_json::from_str::<PolicyDoc>(text).ok()?;
    doc.statement.0.iter().filter(|s| s.effect.str().eq_ignore_ascii_case("allow") && web_identity(s)).find_map(|s| {
        s.principal.0.iter().find_map(|p| {
            let p = p.as_str();
            let host = p.split_once(":oidc-provider/").map_or(p, |(_, host)| host);
            let (provider, whom, keys) = PUBLIC_PROVIDERS.iter().find(|(h, _, _)| host.eq_ignore_ascii_case(h))?;
            let names_who = s.tests().any(|t| {
                let key = t.key.to_ascii_lowercase();
                let named =
                    key.strip_prefix(provider).and_then(|k| k.strip_prefix(':')).is_some_and(|k| keys.contains(&k));
                named && t.admits_only() && !t.values.is_empty() && t.values.iter().all(|v| !open_pattern(v.as_str()))
            });
            (!names_who).then_some(*whom)
        })
    })
}

/// Whether statement `s` allows `sts:AssumeRoleWithWebIdentity`, by name or by a pattern.
fn web_identity(s: &Statement) -> bool {
    const ACTION: &str = "sts:assumerolewithwebidentity";
    s.action.0.iter().any(|a| {
        let a = a.as_str().to_ascii_lowercase();
        a == ACTION || a.strip_suffix('*').is_some_and(|prefix| ACTION.starts_with(prefix))
    })
}

/// Whether condition value `v` matches anyone: it begins with a wildcard, whole (`*`) or after
/// the claim's type (`repo:*`, `project_path:*`).
fn open_pattern(v: &str) -> bool {
    let rest = v.split_once(':').map_or(v, |(_, rest)| rest);
    [v, rest].iter().any(|s| s.starts_with(['*', '?']))
}

/// `s`, cut to [`MAX_LINE_CHARS`] characters and an ellipsis.
pub(super) fn clip(s: String) -> String {
    if s.chars().count() <= MAX_LINE_CHARS {
        return s;
    }
    let mut out: String = s.chars().take(MAX_LINE_CHARS).collect();
    out.push('…');
    out
}
