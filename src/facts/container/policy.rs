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
    /// Whether the statement has a `Condition` (what it holds is not read).
    #[serde(rename = "Condition")]
    condition: Option<de::IgnoredAny>,
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

/// One line per statement of a repository policy: `Allow arn:aws:iam::210987654321:root: ecr:BatchGetImage, …`.
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
            clip(format!("{} {who}: {}", s.effect.str(), what.join(", ")))
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
                None if s.condition.is_none() => Exposure::Everyone,
                None => Exposure::OtherAccounts,
                Some(a) if a != owner => Exposure::OtherAccounts,
                Some(_) => Exposure::Own,
            };
            widest = widest.max(here);
        }
    }
    widest
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
