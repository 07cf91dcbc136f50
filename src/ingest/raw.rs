//! Typed, borrowing views of CloudTrail JSON, for serde.
//!
//! Strings borrow from the input when they have no escapes ([`Text`]), free-form parts stay
//! unparsed (`&RawValue`), and no field is trusted to have the type AWS documents: a number where a
//! string belongs, or an object where a flag belongs, is recorded as [`Lenient::Wrong`] so the event
//! still loads and the caller can warn about that one field.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// A JSON string that borrows from the input unless it had escapes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text<'a>(pub Cow<'a, str>);

impl Text<'_> {
    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A field as found: the expected type, absent/null, or something else (named for the warning).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Lenient<T> {
    /// Absent or `null`.
    #[default]
    Missing,
    /// The type AWS documents.
    Ok(T),
    /// Another JSON type, named (`"a number"`, `"an object"`...).
    Wrong(&'static str),
}

impl<T> Lenient<T> {
    /// The value when it had the expected type.
    pub fn ok(&self) -> Option<&T> {
        match self {
            Lenient::Ok(v) => Some(v),
            _ => None,
        }
    }
}

impl Lenient<Text<'_>> {
    /// The string, or `""` when missing or mistyped.
    pub fn str(&self) -> &str {
        self.ok().map_or("", Text::as_str)
    }
}

struct TextVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
    type Value = Lenient<Text<'a>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Lenient::Ok(Text(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Lenient::Ok(Text(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Lenient::Ok(Text(Cow::Owned(v))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Missing)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Missing)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Lenient::Wrong("true/false"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Lenient::Wrong("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Lenient::Wrong("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Lenient::Wrong("a number"))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Lenient::Wrong("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Lenient::Wrong("an object"))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Lenient<Text<'a>> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor(std::marker::PhantomData))
    }
}

/// `readOnly`, `managementEvent`, `mfaAuthenticated`: booleans that AWS writes either as JSON
/// booleans or as the strings `"true"` / `"false"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl Flag {
    /// A flag written as a string: the spellings taken for true and false, `""` for missing.
    pub fn from_text(v: &str) -> Lenient<Flag> {
        match v {
            "true" | "True" | "TRUE" | "Yes" | "yes" => Lenient::Ok(Flag(true)),
            "false" | "False" | "FALSE" | "No" | "no" => Lenient::Ok(Flag(false)),
            "" => Lenient::Missing,
            _ => Lenient::Wrong("a string that is not true/false"),
        }
    }
}

struct FlagVisitor;

impl<'de> Visitor<'de> for FlagVisitor {
    type Value = Lenient<Flag>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("true or false")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Lenient::Ok(Flag(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Flag::from_text(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Missing)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient::Missing)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Lenient::Wrong("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Lenient::Wrong("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Lenient::Wrong("a number"))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Lenient::Wrong("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Lenient::Wrong("an object"))
    }
}

impl<'de> Deserialize<'de> for Lenient<Flag> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FlagVisitor)
    }
}

/// An object field that may hold anything; only an object is parsed as `T`, with `T`'s own leniency.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Obj<T>(pub Lenient<T>);

struct ObjVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(a)).map(|v| Obj(Lenient::Ok(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Obj(Lenient::Missing))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Obj(Lenient::Missing))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Obj(Lenient::Wrong("a string")))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Obj(Lenient::Wrong("true/false")))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Obj(Lenient::Wrong("a number")))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Obj(Lenient::Wrong("a number")))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Obj(Lenient::Wrong("a number")))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Obj(Lenient::Wrong("an array")))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjVisitor(std::marker::PhantomData))
    }
}

/// A free-form part of an event (`requestParameters`, `resources`...), kept as its JSON text: valid
/// JSON, unparsed, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raw<'a>(&'a str);

impl<'a> Raw<'a> {
    /// The JSON text.
    pub fn get(self) -> &'a str {
        self.0
    }

    /// `text`, which the caller has checked is one whole JSON value.
    pub(crate) fn checked(text: &'a str) -> Raw<'a> {
        Raw(text)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <&RawValue>::deserialize(d).map(|v| Raw(v.get()))
    }
}

/// One CloudTrail event, as much of it as the store keeps or the analyses read.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct RawEvent<'a> {
    #[serde(borrow)]
    pub event_version: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub user_identity: Obj<RawIdentity<'a>>,
    #[serde(borrow)]
    pub event_time: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub event_source: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub event_name: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub aws_region: Lenient<Text<'a>>,
    #[serde(borrow, rename = "sourceIPAddress")]
    pub source_ip_address: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub user_agent: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub error_code: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub error_message: Lenient<Text<'a>>,
    #[serde(borrow, rename = "requestID")]
    pub request_id: Lenient<Text<'a>>,
    #[serde(borrow, rename = "eventID")]
    pub event_id: Lenient<Text<'a>>,
    pub read_only: Lenient<Flag>,
    pub management_event: Lenient<Flag>,
    #[serde(borrow)]
    pub event_type: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub event_category: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub recipient_account_id: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub vpc_endpoint_id: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub resources: Option<Raw<'a>>,
    #[serde(borrow)]
    pub request_parameters: Option<Raw<'a>>,
    #[serde(borrow)]
    pub response_elements: Option<Raw<'a>>,
    #[serde(borrow)]
    pub additional_event_data: Option<Raw<'a>>,
    #[serde(borrow)]
    pub service_event_details: Option<Raw<'a>>,
    /// A log pipeline's time (Logstash / Elastic exports), used only when `eventTime` is absent.
    #[serde(borrow, rename = "@timestamp")]
    pub pipeline_time: Lenient<Text<'a>>,
}

/// `userIdentity`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct RawIdentity<'a> {
    #[serde(borrow, rename = "type")]
    pub kind: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub principal_id: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub account_id: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub access_key_id: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub user_name: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub invoked_by: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub identity_provider: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub credential_id: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub session_context: Obj<RawSessionContext<'a>>,
    #[serde(borrow)]
    pub on_behalf_of: Obj<RawOnBehalfOf<'a>>,
}

/// `userIdentity.sessionContext`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct RawSessionContext<'a> {
    #[serde(borrow)]
    pub session_issuer: Obj<RawIssuer<'a>>,
    #[serde(borrow)]
    pub attributes: Obj<RawAttributes<'a>>,
    #[serde(borrow)]
    pub web_id_federation_data: Obj<RawWebId<'a>>,
    #[serde(borrow)]
    pub source_identity: Lenient<Text<'a>>,
}

/// `sessionContext.sessionIssuer`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct RawIssuer<'a> {
    #[serde(borrow, rename = "type")]
    pub kind: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub principal_id: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub account_id: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub user_name: Lenient<Text<'a>>,
}

/// `sessionContext.attributes`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct RawAttributes<'a> {
    pub mfa_authenticated: Lenient<Flag>,
    #[serde(borrow)]
    pub creation_date: Lenient<Text<'a>>,
}

/// `sessionContext.webIdFederationData`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct RawWebId<'a> {
    #[serde(borrow)]
    pub federated_provider: Lenient<Text<'a>>,
}

/// `userIdentity.onBehalfOf` (IAM Identity Center users).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct RawOnBehalfOf<'a> {
    #[serde(borrow)]
    pub user_id: Lenient<Text<'a>>,
    #[serde(borrow)]
    pub identity_store_arn: Lenient<Text<'a>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_strings_borrow_when_unescaped() {
        let ev: RawEvent = serde_json::from_str(r#"{"eventName":"PutImage","userAgent":"a\"b"}"#).unwrap();
        assert!(matches!(ev.event_name, Lenient::Ok(Text(Cow::Borrowed("PutImage")))));
        assert!(matches!(ev.user_agent, Lenient::Ok(Text(Cow::Owned(ref s))) if s == "a\"b"));
    }

    #[test]
    fn ok_wrong_types_are_named_not_fatal() {
        let ev: RawEvent = serde_json::from_str(
            r#"{"eventName":5,"eventSource":{"x":1},"readOnly":"true","userIdentity":"root","errorCode":null}"#,
        )
        .unwrap();
        assert_eq!(ev.event_name, Lenient::Wrong("a number"));
        assert_eq!(ev.event_source, Lenient::Wrong("an object"));
        assert_eq!(ev.read_only, Lenient::Ok(Flag(true)));
        assert!(matches!(ev.user_identity.0, Lenient::Wrong("a string")));
        assert_eq!(ev.error_code, Lenient::Missing);
    }

    #[test]
    fn ok_empty_session_issuer_object() {
        let ev: RawEvent =
            serde_json::from_str(r#"{"userIdentity":{"type":"IAMUser","sessionContext":{"sessionIssuer":{},"attributes":{"mfaAuthenticated":"false"}}}}"#)
                .unwrap();
        let id = ev.user_identity.0.ok().unwrap();
        let ctx = id.session_context.0.ok().unwrap();
        assert_eq!(ctx.session_issuer.0.ok().unwrap().arn, Lenient::Missing);
        assert_eq!(ctx.attributes.0.ok().unwrap().mfa_authenticated, Lenient::Ok(Flag(false)));
    }
}
