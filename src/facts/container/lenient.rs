//! Lenient serde helpers for the free-form parts of an event (`requestParameters`,
//! `responseElements`, `serviceEventDetails`), on top of [`crate::ingest::raw`]'s [`Lenient`].
//!
//! Every value may be hostile or simply not what AWS documents: a number written as a string, an
//! array where one object was expected. These types never fail on a wrong type; they record nothing
//! and let the rest of the event be read. Lists keep at most a named number of elements (see the
//! limits in the parent module) and count the rest.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::ingest::raw::{Lenient, Raw, Text};

/// A whole number that AWS writes as a JSON number (`"partFirstByte": 0`) or, in some exports, as a
/// string of digits. Negative, fractional or out-of-range values and other types read as `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Num(pub Option<u64>);

struct NumVisitor;

impl<'de> Visitor<'de> for NumVisitor {
    type Value = Num;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
        Ok(Num(Some(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
        Ok(Num(u64::try_from(v).ok()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
        // Epoch milliseconds sometimes arrive as 1.584042813E12; anything fractional is not a count.
        let ok = v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 1.8e19;
        Ok(Num(ok.then_some(v as u64)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
        Ok(Num(v.trim().parse().ok()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Num, E> {
        Ok(Num(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Num, E> {
        Ok(Num(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Num, E> {
        Ok(Num(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Num, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Num, A::Error> {
        while a.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Num(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Num, A::Error> {
        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Num(None))
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumVisitor)
    }
}

impl Num {
    /// The value as a `u32`, when it fits.
    pub fn u32(self) -> Option<u32> {
        self.0.and_then(|v| u32::try_from(v).ok())
    }
}

/// A JSON array read element by element, keeping at most `MAX` elements (the rest are counted in
/// `dropped`). Anything that is not an array reads as an empty list.
#[derive(Debug, Clone, PartialEq)]
pub struct List<T, const MAX: usize> {
    /// The elements kept, in order.
    pub items: Vec<T>,
    /// Elements beyond `MAX`.
    pub dropped: u32,
}

impl<T, const MAX: usize> Default for List<T, MAX> {
    fn default() -> Self {
        List { items: Vec::new(), dropped: 0 }
    }
}

struct ListVisitor<T, const MAX: usize>(PhantomData<T>);

impl<'de, T: Deserialize<'de>, const MAX: usize> Visitor<'de> for ListVisitor<T, MAX> {
    type Value = List<T, MAX>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        let mut out = List::default();
        loop {
            if out.items.len() < MAX {
                match a.next_element::<T>()? {
                    Some(v) => out.items.push(v),
                    None => break,
                }
            } else if a.next_element::<IgnoredAny>()?.is_some() {
                out.dropped = out.dropped.saturating_add(1);
            } else {
                break;
            }
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(List::default())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(List::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(List::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(List::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(List::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(List::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(List::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(List::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for List<T, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ListVisitor(PhantomData))
    }
}

/// The strings of a list of [`Lenient`] texts, skipping elements of another type and empty ones.
pub fn texts<'x, 'a: 'x, const MAX: usize>(list: &'x List<Lenient<Text<'a>>, MAX>) -> impl Iterator<Item = &'x str> {
    list.items.iter().map(Lenient::str).filter(|s| !s.is_empty())
}

/// A string that may also be given as a list of strings (IAM policy `Principal.AWS`, `Action`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OneOrMany<'a>(pub Vec<Text<'a>>);

/// Strings kept from a one-or-many field: policies with more are summarised, not listed.
const MAX_ONE_OR_MANY: usize = 32;

struct OneOrManyVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for OneOrManyVisitor<'a> {
    type Value = OneOrMany<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or a list of strings")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(OneOrMany(vec![Text(v.into())]))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(OneOrMany(vec![Text(v.to_owned().into())]))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        let list = ListVisitor::<Lenient<Text<'a>>, MAX_ONE_OR_MANY>(PhantomData).visit_seq(a)?;
        Ok(OneOrMany(list.items.into_iter().filter_map(|t| t.ok().cloned()).collect()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(OneOrMany::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(OneOrMany::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(OneOrMany::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(OneOrMany::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(OneOrMany::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(OneOrMany::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(OneOrMany::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for OneOrMany<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OneOrManyVisitor(PhantomData))
    }
}

/// Parses `json` as `T`, or `None` when it is not an object of that shape (never an error: the
/// event is already stored; a part the analyses cannot read is simply not used). Only objects are
/// read: serde would otherwise fill a struct from an array, field by field.
pub fn parse<'a, T: Deserialize<'a>>(json: Option<Raw<'a>>) -> Option<T> {
    let text = json?.get();
    if !text.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Default)]
    #[serde(default, rename_all = "camelCase")]
    struct Probe<'a> {
        part_first_byte: Num,
        #[serde(borrow)]
        layer_digests: List<Lenient<Text<'a>>, 2>,
        #[serde(borrow)]
        action: OneOrMany<'a>,
    }

    #[test]
    fn ok_numbers_in_any_reasonable_shape() {
        for (json, want) in [
            ("5", Some(5)),
            ("\"42\"", Some(42)),
            ("1.584042813E12", Some(1_584_042_813_000)),
            ("-1", None),
            ("1.5", None),
            ("{\"a\":1}", None),
            ("[1]", None),
            ("null", None),
        ] {
            let text = format!("{{\"partFirstByte\":{json}}}");
            let p: Probe = serde_json::from_str(&text).unwrap();
            assert_eq!(p.part_first_byte.0, want, "{json}");
        }
    }

    #[test]
    fn ok_lists_skip_wrong_elements_and_cap() {
        let p: Probe = serde_json::from_str(r#"{"layerDigests":["a",3,{"x":[1]},"b","c","d"]}"#).unwrap();
        assert_eq!(texts(&p.layer_digests).collect::<Vec<_>>(), ["a"]);
        assert_eq!(p.layer_digests.dropped, 4);
        let p: Probe = serde_json::from_str(r#"{"layerDigests":"sha256:x"}"#).unwrap();
        assert!(p.layer_digests.items.is_empty());
    }

    #[test]
    fn ok_one_or_many() {
        let p: Probe = serde_json::from_str(r#"{"action":"ecr:BatchGetImage"}"#).unwrap();
        assert_eq!(p.action.0.len(), 1);
        let p: Probe = serde_json::from_str(r#"{"action":["a",1,"b"]}"#).unwrap();
        assert_eq!(p.action.0.iter().map(Text::as_str).collect::<Vec<_>>(), ["a", "b"]);
        let p: Probe = serde_json::from_str(r#"{"action":{"x":1}}"#).unwrap();
        assert!(p.action.0.is_empty());
    }

    #[test]
    fn err_not_an_object_is_none() {
        let raw: Raw = serde_json::from_str("[1,2]").unwrap();
        let parsed: Option<Probe> = parse(Some(raw));
        assert!(parsed.is_none());
        assert!(parse::<Probe>(None).is_none());
    }
}
