//! A fast path for reading one event: the common case, parsed without serde's generic machinery.
//!
//! [`event`] reads a [`RawEvent`] the way `serde_json` does through its derived `Deserialize`, for
//! the shapes CloudTrail writes: strings, booleans and `null` where [`RawEvent`] wants them,
//! objects for its nested parts, any valid JSON in its free-form parts and unknown fields. On
//! anything else (a mistyped field, a duplicate field, an escaped key, invalid or cut-off JSON,
//! nesting deeper than [`MAX_SKIP_DEPTH`]) it gives up with `None` and changes nothing, and the
//! caller parses the same text with serde, which gives the result or the error it always gave. So
//! this module never decides what an odd event means; a differential test holds it to serde's
//! answer over every corpus file and over mutated events.
//!
//! Why: serde's derived parse of an event ran at about a third of the speed of serde skipping the
//! same bytes (`IgnoredAny`), and it is the largest part of an ingest worker's time (README,
//! "Reading an event without serde's machinery").

use std::borrow::Cow;

use super::raw::{
    Flag, Lenient, Obj, Raw, RawAttributes, RawEvent, RawIdentity, RawIssuer, RawOnBehalfOf, RawSessionContext,
    RawWebId, Text,
};

/// Deeper free-form values are left to serde.
pub const MAX_SKIP_DEPTH: usize = 64;

/// The event at the start of `text` (after any whitespace) and the byte offset just past it, when
/// serde's `StreamDeserializer` would read the same event there; `None` when this fast path
/// cannot tell (serde must then parse it).
pub fn event(text: &str) -> Option<(RawEvent<'_>, usize)> {
    let mut p = Parser { text, bytes: text.as_bytes(), at: 0 };
    p.ws();
    p.expect(b'{')?;
    let mut ev = RawEvent::default();
    p.fields(&mut ev, event_field)?;
    // serde's stream looks at what follows a value only when the value is not delimited (a number
    // or a literal); an object ends at its brace.
    Some((ev, p.at))
}

/// Bytes that end the quick scan of a string: the quote, a backslash, and control characters
/// (which JSON forbids in strings; serde rejects them).
static STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

/// Which fields of a struct were seen (serde refuses a duplicate field).
type Seen = u32;

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes.get(self.at).copied()
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.at += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at.checked_add(word.len())?;
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// The members of an object whose `{` was read, each handed to `field` with the key; `field`
    /// answers which bit of [`Seen`] the key is (0 for an unknown key it skipped), or `None`.
    fn fields<T>(&mut self, out: &mut T, field: fn(&mut Self, &str, &mut T) -> Option<Seen>) -> Option<()> {
        let mut seen: Seen = 0;
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            self.expect(b'"')?;
            let key = self.key()?;
            self.expect(b':')?;
            self.ws();
            let bit = field(self, key, out)?;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A key without escapes (the opening quote read).
    fn key(&mut self) -> Option<&'a str> {
        let start = self.at;
        let end = self.scan();
        (self.bytes.get(end) == Some(&b'"')).then(|| {
            self.at = end + 1;
            &self.text[start..end]
        })
    }

    /// The offset of the first quote, backslash or control character from here (or the end),
    /// eight bytes at a time: in each word, the lowest byte flagged by "has a zero byte" over the
    /// word xor `"`, the word xor `\\` and the word less 0x20 is the first such byte (a flag above a
    /// true one can be false, never one below it).
    fn scan(&self) -> usize {
        const ONES: u64 = u64::from_le_bytes([1; 8]);
        const HIGH: u64 = ONES << 7;
        let b = self.bytes;
        let mut i = self.at;
        while let Some(word) = b.get(i..i + 8) {
            let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
            let quote = w ^ (ONES * u64::from(b'"'));
            let slash = w ^ (ONES * u64::from(b'\\'));
            let flags = ((quote.wrapping_sub(ONES) & !quote)
                | (slash.wrapping_sub(ONES) & !slash)
                | (w.wrapping_sub(ONES * 0x20) & !w))
                & HIGH;
            if flags != 0 {
                return i + (flags.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        while i < b.len() && !STOP[b[i] as usize] {
            i += 1;
        }
        i
    }

    /// A string's contents (the opening quote read), borrowed unless it has escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.at;
        let end = self.scan();
        match self.bytes.get(end)? {
            b'"' => {
                self.at = end + 1;
                Some(Cow::Borrowed(&self.text[start..end]))
            }
            b'\\' => {
                let mut out = String::with_capacity(end - start + 16);
                out.push_str(&self.text[start..end]);
                self.at = end;
                self.unescape(&mut out)?;
                Some(Cow::Owned(out))
            }
            _ => None,
        }
    }

    /// The rest of a string with escapes, from the first backslash, decoded into `out`.
    fn unescape(&mut self, out: &mut String) -> Option<()> {
        loop {
            match *self.bytes.get(self.at)? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => {
                    let c = *self.bytes.get(self.at + 1)?;
                    self.at += 2;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode()?),
                        _ => return None,
                    }
                }
                _ => {
                    let end = self.scan();
                    if end == self.at {
                        return None; // a control character
                    }
                    out.push_str(&self.text[self.at..end]);
                    self.at = end;
                }
            }
        }
    }

    /// The character of a `\u` escape (its `\u` read); a surrogate pair takes the second escape.
    /// Lone surrogates are left to serde.
    fn unicode(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        if !(0xD800..0xDC00).contains(&hi) {
            return char::from_u32(hi);
        }
        self.literal(b"\\u")?;
        let lo = self.hex4()?;
        if !(0xDC00..0xE000).contains(&lo) {
            return None;
        }
        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.at..self.at + 4)?;
        let mut v = 0;
        for &d in digits {
            v = v * 16 + char::from(d).to_digit(16)?;
        }
        self.at += 4;
        Some(v)
    }

    /// A field [`Text`] wants: a string, or `null` for missing.
    fn text(&mut self) -> Option<Lenient<Text<'a>>> {
        match *self.bytes.get(self.at)? {
            b'"' => {
                self.at += 1;
                self.string().map(|s| Lenient::Ok(Text(s)))
            }
            b'n' => self.literal(b"null").map(|()| Lenient::Missing),
            _ => None,
        }
    }

    /// A flag: `true`/`false`, one of the strings serde's reader takes, or `null`.
    fn flag(&mut self) -> Option<Lenient<Flag>> {
        match *self.bytes.get(self.at)? {
            b't' => self.literal(b"true").map(|()| Lenient::Ok(Flag(true))),
            b'f' => self.literal(b"false").map(|()| Lenient::Ok(Flag(false))),
            b'n' => self.literal(b"null").map(|()| Lenient::Missing),
            b'"' => {
                self.at += 1;
                Some(Flag::from_text(&self.string()?))
            }
            _ => None,
        }
    }

    /// A nested part into `slot`: an object read by `field`, or `null`; answers `bit`.
    fn obj<T: Default>(
        &mut self,
        slot: &mut Obj<T>,
        field: fn(&mut Self, &str, &mut T) -> Option<Seen>,
        bit: u32,
    ) -> Option<Seen> {
        match *self.bytes.get(self.at)? {
            b'{' => {
                self.at += 1;
                *slot = Obj(Lenient::Ok(T::default()));
                let Obj(Lenient::Ok(inner)) = slot else { return None };
                self.fields(inner, field)?;
            }
            b'n' => {
                self.literal(b"null")?;
                *slot = Obj(Lenient::Missing);
            }
            _ => return None,
        }
        Some(1 << bit)
    }

    /// A free-form part into `slot`: any JSON value, kept as text, or `null` for none; answers `bit`.
    fn raw(&mut self, slot: &mut Option<Raw<'a>>, bit: u32) -> Option<Seen> {
        if self.bytes.get(self.at) == Some(&b'n') {
            self.literal(b"null")?;
            *slot = None;
        } else {
            let start = self.at;
            self.skip(0)?;
            *slot = Some(Raw::checked(&self.text[start..self.at]));
        }
        Some(1 << bit)
    }

    /// Skips one JSON value (whitespace before it already skipped), checking it as serde does.
    fn skip(&mut self, depth: usize) -> Option<()> {
        match *self.bytes.get(self.at)? {
            b'"' => {
                self.at += 1;
                self.skip_string()
            }
            b'{' => {
                self.at += 1;
                self.skip_members(depth + 1, b'}', true)
            }
            b'[' => {
                self.at += 1;
                self.skip_members(depth + 1, b']', false)
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.skip_number(),
            _ => None,
        }
    }

    fn skip_members(&mut self, depth: usize, close: u8, keyed: bool) -> Option<()> {
        if depth > MAX_SKIP_DEPTH {
            return None;
        }
        if self.peek()? == close {
            self.at += 1;
            return Some(());
        }
        loop {
            if keyed {
                self.expect(b'"')?;
                self.skip_string()?;
                self.expect(b':')?;
            }
            self.ws();
            self.skip(depth)?;
            match self.peek()? {
                b',' => self.at += 1,
                c if c == close => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Skips a string's contents (the opening quote read); escapes are checked as serde's skipping
    /// checks them (`\u` wants four hex digits, whatever they encode).
    fn skip_string(&mut self) -> Option<()> {
        loop {
            self.at = self.scan();
            match *self.bytes.get(self.at)? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => {
                    let c = *self.bytes.get(self.at + 1)?;
                    self.at += 2;
                    match c {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            self.hex4()?;
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
    }

    /// Skips a number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn skip_number(&mut self) -> Option<()> {
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        match *self.bytes.get(self.at)? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            self.some_digits()?;
        }
        // A number cut off by the end of the text may go on in the bytes after it.
        (self.at < self.bytes.len()).then_some(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.at;
        self.digits();
        (self.at > start).then_some(())
    }

    /// Skips the value of a field the struct does not have.
    fn unknown(&mut self) -> Option<Seen> {
        self.skip(0).map(|()| 0)
    }
}

fn event_field<'a>(p: &mut Parser<'a>, key: &str, ev: &mut RawEvent<'a>) -> Option<Seen> {
    Some(match key {
        "eventVersion" => set(&mut ev.event_version, p.text()?, 0),
        "userIdentity" => p.obj(&mut ev.user_identity, identity_field, 1)?,
        "eventTime" => set(&mut ev.event_time, p.text()?, 2),
        "eventSource" => set(&mut ev.event_source, p.text()?, 3),
        "eventName" => set(&mut ev.event_name, p.text()?, 4),
        "awsRegion" => set(&mut ev.aws_region, p.text()?, 5),
        "sourceIPAddress" => set(&mut ev.source_ip_address, p.text()?, 6),
        "userAgent" => set(&mut ev.user_agent, p.text()?, 7),
        "errorCode" => set(&mut ev.error_code, p.text()?, 8),
        "errorMessage" => set(&mut ev.error_message, p.text()?, 9),
        "requestID" => set(&mut ev.request_id, p.text()?, 10),
        "eventID" => set(&mut ev.event_id, p.text()?, 11),
        "readOnly" => set(&mut ev.read_only, p.flag()?, 12),
        "managementEvent" => set(&mut ev.management_event, p.flag()?, 13),
        "eventType" => set(&mut ev.event_type, p.text()?, 14),
        "eventCategory" => set(&mut ev.event_category, p.text()?, 15),
        "recipientAccountId" => set(&mut ev.recipient_account_id, p.text()?, 16),
        "vpcEndpointId" => set(&mut ev.vpc_endpoint_id, p.text()?, 17),
        "resources" => p.raw(&mut ev.resources, 18)?,
        "requestParameters" => p.raw(&mut ev.request_parameters, 19)?,
        "responseElements" => p.raw(&mut ev.response_elements, 20)?,
        "additionalEventData" => p.raw(&mut ev.additional_event_data, 21)?,
        "serviceEventDetails" => p.raw(&mut ev.service_event_details, 22)?,
        "@timestamp" => set(&mut ev.pipeline_time, p.text()?, 23),
        _ => p.unknown()?,
    })
}

fn identity_field<'a>(p: &mut Parser<'a>, key: &str, id: &mut RawIdentity<'a>) -> Option<Seen> {
    Some(match key {
        "type" => set(&mut id.kind, p.text()?, 0),
        "principalId" => set(&mut id.principal_id, p.text()?, 1),
        "arn" => set(&mut id.arn, p.text()?, 2),
        "accountId" => set(&mut id.account_id, p.text()?, 3),
        "accessKeyId" => set(&mut id.access_key_id, p.text()?, 4),
        "userName" => set(&mut id.user_name, p.text()?, 5),
        "invokedBy" => set(&mut id.invoked_by, p.text()?, 6),
        "identityProvider" => set(&mut id.identity_provider, p.text()?, 7),
        "credentialId" => set(&mut id.credential_id, p.text()?, 8),
        "sessionContext" => p.obj(&mut id.session_context, context_field, 9)?,
        "onBehalfOf" => p.obj(&mut id.on_behalf_of, behalf_field, 10)?,
        _ => p.unknown()?,
    })
}

fn context_field<'a>(p: &mut Parser<'a>, key: &str, ctx: &mut RawSessionContext<'a>) -> Option<Seen> {
    Some(match key {
        "sessionIssuer" => p.obj(&mut ctx.session_issuer, issuer_field, 0)?,
        "attributes" => p.obj(&mut ctx.attributes, attributes_field, 1)?,
        "webIdFederationData" => p.obj(&mut ctx.web_id_federation_data, web_id_field, 2)?,
        "sourceIdentity" => set(&mut ctx.source_identity, p.text()?, 3),
        _ => p.unknown()?,
    })
}

fn issuer_field<'a>(p: &mut Parser<'a>, key: &str, issuer: &mut RawIssuer<'a>) -> Option<Seen> {
    Some(match key {
        "type" => set(&mut issuer.kind, p.text()?, 0),
        "principalId" => set(&mut issuer.principal_id, p.text()?, 1),
        "arn" => set(&mut issuer.arn, p.text()?, 2),
        "accountId" => set(&mut issuer.account_id, p.text()?, 3),
        "userName" => set(&mut issuer.user_name, p.text()?, 4),
        _ => p.unknown()?,
    })
}

fn attributes_field<'a>(p: &mut Parser<'a>, key: &str, attrs: &mut RawAttributes<'a>) -> Option<Seen> {
    Some(match key {
        "mfaAuthenticated" => set(&mut attrs.mfa_authenticated, p.flag()?, 0),
        "creationDate" => set(&mut attrs.creation_date, p.text()?, 1),
        _ => p.unknown()?,
    })
}

fn web_id_field<'a>(p: &mut Parser<'a>, key: &str, web: &mut RawWebId<'a>) -> Option<Seen> {
    Some(match key {
        "federatedProvider" => set(&mut web.federated_provider, p.text()?, 0),
        _ => p.unknown()?,
    })
}

fn behalf_field<'a>(p: &mut Parser<'a>, key: &str, of: &mut RawOnBehalfOf<'a>) -> Option<Seen> {
    Some(match key {
        "userId" => set(&mut of.user_id, p.text()?, 0),
        "identityStoreArn" => set(&mut of.identity_store_arn, p.text()?, 1),
        _ => p.unknown()?,
    })
}

/// Stores a field's value and answers its bit in [`Seen`].
fn set<T>(slot: &mut T, value: T, bit: u32) -> Seen {
    *slot = value;
    1 << bit
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde's stream reads at the start of `text`: the event's `Debug` and where it ends.
    fn serde(text: &str) -> Option<(String, usize)> {
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<RawEvent>();
        let ev = stream.next()?.ok()?;
        Some((format!("{ev:?}"), stream.byte_offset()))
    }

    fn quick(text: &str) -> Option<(String, usize)> {
        event(text).map(|(ev, end)| (format!("{ev:?}"), end))
    }

    /// `text` is read by the fast path, as serde reads it.
    fn same(text: &str) {
        let q = quick(text);
        assert!(q.is_some(), "the fast path gave up on {text}");
        assert_eq!(q, serde(text), "{text}");
    }

    /// The fast path leaves `text` to serde.
    fn declined(text: &str) {
        assert_eq!(quick(text), None, "{text}");
    }

    #[test]
    fn ok_typical_event_is_read_as_serde_reads_it() {
        same(
            r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROA:s","arn":"arn:aws:sts::1:assumed-role/r/s","accountId":"1","accessKeyId":"ASIA","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA","arn":"arn:aws:iam::1:role/r","accountId":"1","userName":"r"},"webIdFederationData":{},"attributes":{"creationDate":"2024-01-01T00:00:00Z","mfaAuthenticated":"false"}},"invokedBy":"ecs.amazonaws.com"},"eventTime":"2024-01-01T00:00:01Z","eventSource":"ecr.amazonaws.com","eventName":"PutImage","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","userAgent":"docker/24","requestParameters":{"repositoryName":"app","imageTag":"v1","imageManifest":"{\"schemaVersion\": 2}","n":[1,-2.5e3,true,null]},"responseElements":null,"requestID":"r","eventID":"e","readOnly":false,"resources":[{"ARN":"arn:aws:ecr:us-east-1:1:repository/app","accountId":"1"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"1","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.2"}}"#,
        );
    }

    #[test]
    fn ok_whitespace_and_what_follows() {
        same(" \n\t{ \"eventName\" : \"A\" ,\r\n \"readOnly\" : true } ,{\"eventName\":\"B\"}");
        same(r#"{"eventName":"A"}]"#);
        same(r#"{"eventName":"A"}x"#);
        same("{}");
        same(r#"{"userIdentity":{},"resources":[],"requestParameters":{}}"#);
    }

    #[test]
    fn ok_escapes_are_decoded_as_serde_decodes_them() {
        same(r#"{"userAgent":"a\"b\\c\/d\b\f\n\r\t é \u00e9 \ud83d\ude00 \u0000 end","errorMessage":"\\"}"#);
        // Escapes in free-form parts and unknown fields are only checked; lone surrogates pass there.
        same(r#"{"requestParameters":{"k\"ey":"\ud800 \uDFFF"},"x":"\u12aB"}"#);
    }

    #[test]
    fn ok_flags_in_the_forms_aws_writes() {
        for v in ["true", "false", "null", r#""true""#, r#""No""#, r#""""#, r#""maybe""#] {
            same(&format!(
                r#"{{"readOnly":{v},"userIdentity":{{"sessionContext":{{"attributes":{{"mfaAuthenticated":{v}}}}}}}}}"#
            ));
        }
    }

    #[test]
    fn ok_null_parts_are_missing() {
        same(r#"{"userIdentity":null,"eventName":null,"requestParameters":null,"readOnly":null}"#);
        same(r#"{"userIdentity":{"sessionContext":null,"onBehalfOf":{"userId":"u","identityStoreArn":null}}}"#);
    }

    #[test]
    fn ok_numbers_in_free_form_parts() {
        for n in ["0", "-0", "12", "-3.25", "1e5", "1E+5", "2.5e-3", "123456789012345678901234567890"] {
            same(&format!(r#"{{"requestParameters":{{"n":{n}}},"m":[{n}]}}"#));
        }
    }

    #[test]
    fn err_mistyped_fields_are_left_to_serde() {
        declined(r#"{"eventName":5}"#);
        declined(r#"{"eventSource":{"x":1}}"#);
        declined(r#"{"userIdentity":"root"}"#);
        declined(r#"{"readOnly":1}"#);
        declined(r#"{"userIdentity":{"sessionContext":{"attributes":[]}}}"#);
        // serde fills a struct from an array, field by field; that too is left to it.
        declined(r#"["1.08"]"#);
    }

    #[test]
    fn err_duplicates_escaped_keys_and_lone_surrogates_are_left_to_serde() {
        declined(r#"{"eventName":"A","eventName":"B"}"#);
        declined(r#"{"userIdentity":{"arn":"a","arn":"b"}}"#);
        declined(r#"{"event\u004eame":"A"}"#);
        declined(r#"{"userAgent":"\ud800"}"#);
        declined(r#"{"userAgent":"\ud800\u0041"}"#);
    }

    #[test]
    fn err_invalid_or_cut_json_is_left_to_serde() {
        for text in [
            r#"{"eventName":"A""#,
            r#"{"eventName":"A"#,
            r#"{"eventName":"A",}"#,
            r#"{"eventName" "A"}"#,
            r#"{"requestParameters":{"n":01}}"#,
            r#"{"requestParameters":{"n":1.}}"#,
            r#"{"requestParameters":{"n":-}}"#,
            r#"{"requestParameters":{"n":tru}}"#,
            r#"{"requestParameters":[1 2]}"#,
            r#"{"requestParameters":{"a":"\x"}}"#,
            r#"{"requestParameters":{"a":"\u12"}}"#,
            "{\"userAgent\":\"tab\there\"}",
            "",
        ] {
            declined(text);
            // and serde agrees there is no event there
            assert_eq!(serde(text), None, "{text}");
        }
    }

    #[test]
    fn err_nesting_past_the_limit_is_left_to_serde() {
        let deep = |n: usize| format!(r#"{{"requestParameters":{}{}}}"#, "[".repeat(n), "]".repeat(n));
        same(&deep(MAX_SKIP_DEPTH));
        declined(&deep(MAX_SKIP_DEPTH + 1));
    }

    #[test]
    fn ok_scan_finds_the_first_stop_byte_at_every_position() {
        // Every stop byte at every offset of a word, after every run of plain bytes (ASCII and
        // UTF-8 continuation bytes, which must not be taken for stops).
        for stop in [b'"', b'\\', 0x00, 0x1f] {
            for len in 0..20 {
                let mut bytes: Vec<u8> = "aé~ü".bytes().cycle().take(len).collect();
                bytes.push(stop);
                bytes.extend_from_slice(b"\"\\ rest");
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let p = Parser { text: &text, bytes: text.as_bytes(), at: 0 };
                let first = text.bytes().position(|b| STOP[b as usize]).unwrap();
                assert_eq!(p.scan(), first, "{text:?}");
            }
        }
    }
}
