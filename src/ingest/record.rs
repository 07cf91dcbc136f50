//! One parsed event → one store row, and the warnings it deserves.

use serde::Deserialize;

use super::raw::{Lenient, Raw, RawEvent, RawIdentity, Text};
use super::PathMeta;
use crate::model::time::parse_iso;
use crate::model::{Identity, IdentityType, Mfa};
use crate::store::{flags, parse_uuid, EventRow, EventType, Locator, Store};

/// Whether a JSON object is a CloudTrail event: it has at least one of the fields every event has.
pub fn looks_like_event(raw: &RawEvent) -> bool {
    let present = |f: &Lenient<Text>| !matches!(f, Lenient::Missing);
    present(&raw.event_time) || present(&raw.event_name) || present(&raw.event_source) || present(&raw.event_id)
}

/// Why an event was not stored.
pub type Rejection = String;

/// Where an event's time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSource {
    /// `eventTime`, as CloudTrail writes it.
    EventTime,
    /// No `eventTime`: a log pipeline's `@timestamp` (Logstash / Elastic exports keep one).
    Pipeline,
}

/// Converts a parsed event into a row; field-level problems are appended to `notes`.
pub fn build_row(
    raw: &RawEvent,
    store: &mut Store,
    meta: &PathMeta,
    locator: Locator,
    notes: &mut Vec<String>,
) -> Result<(EventRow, TimeSource), Rejection> {
    let mut wrong = |name: &str, f: &Lenient<Text>| {
        if let Lenient::Wrong(what) = f {
            notes.push(format!("{name} is {what}, left empty"));
        }
    };
    wrong("eventTime", &raw.event_time);
    wrong("eventSource", &raw.event_source);
    wrong("eventName", &raw.event_name);
    wrong("awsRegion", &raw.aws_region);
    wrong("sourceIPAddress", &raw.source_ip_address);
    wrong("userAgent", &raw.user_agent);
    wrong("errorCode", &raw.error_code);
    wrong("errorMessage", &raw.error_message);
    wrong("eventID", &raw.event_id);
    wrong("eventType", &raw.event_type);
    wrong("recipientAccountId", &raw.recipient_account_id);

    let (time, time_source) = match (&raw.event_time, &raw.pipeline_time) {
        (Lenient::Ok(t), _) => (
            parse_iso(t.as_str()).ok_or_else(|| format!("its eventTime {:?} is not a time", clip(t.as_str())))?,
            TimeSource::EventTime,
        ),
        (Lenient::Missing, Lenient::Ok(t)) => (
            parse_iso(t.as_str()).ok_or_else(|| {
                format!("it has no eventTime, and its @timestamp {:?} is not a time", clip(t.as_str()))
            })?,
            TimeSource::Pipeline,
        ),
        (Lenient::Missing, _) => return Err("it has no eventTime".into()),
        (Lenient::Wrong(what), _) => return Err(format!("its eventTime is {what}")),
    };

    let mut f = 0u8;
    match raw.read_only {
        Lenient::Ok(v) => f |= if v.0 { flags::READ_ONLY } else { flags::WRITE },
        Lenient::Wrong(what) => notes.push(format!("readOnly is {what}, left empty")),
        Lenient::Missing => {}
    }
    match raw.management_event {
        Lenient::Ok(v) if v.0 => f |= flags::MANAGEMENT,
        Lenient::Wrong(what) => notes.push(format!("managementEvent is {what}, left empty")),
        _ => {}
    }
    if raw.event_category.str() == "Data" {
        f |= flags::DATA;
    }
    let id_text = raw.event_id.str();
    let event_id = if let Some(v) = parse_uuid(id_text) {
        v
    } else {
        f |= flags::ID_SYMBOL;
        u128::from(store.intern(id_text).0)
    };

    let name = raw.event_name.str();
    let mut identity = identity(&raw.user_identity.0, store, notes);
    if identity.mfa == Mfa::Unknown && name == "ConsoleLogin" {
        identity.mfa = console_mfa(raw.additional_event_data);
    }
    let account = match raw.recipient_account_id.str() {
        "" if !identity.account_id.is_empty() => identity.account_id,
        "" => store.intern(&meta.account),
        a => store.intern(a),
    };
    let region = match raw.aws_region.str() {
        "" => store.intern(&meta.region),
        r => store.intern(r),
    };
    Ok((
        EventRow {
            time,
            source: store.intern(raw.event_source.str()),
            name: store.intern(name),
            region,
            account,
            identity,
            ip: store.intern(raw.source_ip_address.str()),
            user_agent: store.intern(raw.user_agent.str()),
            error_code: store.intern(raw.error_code.str()),
            error_message: store.intern(raw.error_message.str()),
            event_id,
            flags: f,
            event_type: EventType::parse(raw.event_type.str()),
            locator,
        },
        time_source,
    ))
}

fn identity(raw: &Lenient<RawIdentity>, store: &mut Store, notes: &mut Vec<String>) -> Identity {
    let id = match raw {
        Lenient::Ok(id) => id,
        Lenient::Missing => {
            return Identity { kind: IdentityType::NotRecorded, source_known: true, ..Identity::default() }
        }
        Lenient::Wrong(what) => {
            notes.push(format!("userIdentity is {what}, left empty"));
            return Identity { kind: IdentityType::NotRecorded, source_known: true, ..Identity::default() };
        }
    };
    let mut s = |t: &Lenient<Text>| store.intern(t.str());
    let mut out = Identity {
        principal_id: s(&id.principal_id),
        arn: s(&id.arn),
        account_id: s(&id.account_id),
        user_name: s(&id.user_name),
        access_key: s(&id.access_key_id),
        invoked_by: s(&id.invoked_by),
        identity_provider: s(&id.identity_provider),
        source_known: true,
        ..Identity::default()
    };
    let type_text = id.kind.str();
    out.kind = match type_text {
        "" if !out.invoked_by.is_empty() => IdentityType::AwsInternal,
        "" => IdentityType::NotRecorded,
        t => IdentityType::parse(t),
    };
    if out.kind == IdentityType::Other {
        out.type_name = s(&id.kind);
    }
    if let Some(ctx) = id.session_context.0.ok() {
        out.source_identity = s(&ctx.source_identity);
        if let Some(issuer) = ctx.session_issuer.0.ok() {
            out.issuer_type = s(&issuer.kind);
            out.issuer_arn = s(&issuer.arn);
            out.issuer_name = s(&issuer.user_name);
            out.issuer_account = s(&issuer.account_id);
        }
        if let Some(web) = ctx.web_id_federation_data.0.ok() {
            out.web_id_provider = s(&web.federated_provider);
        }
        if let Some(attrs) = ctx.attributes.0.ok() {
            out.mfa = match attrs.mfa_authenticated {
                Lenient::Ok(v) if v.0 => Mfa::Yes,
                Lenient::Ok(_) => Mfa::No,
                _ => Mfa::Unknown,
            };
        }
    }
    if let Some(obo) = id.on_behalf_of.0.ok() {
        out.on_behalf_user = s(&obo.user_id);
        out.identity_store = s(&obo.identity_store_arn);
    }
    if let Lenient::Wrong(what) = id.kind {
        notes.push(format!("userIdentity.type is {what}, left empty"));
    }
    out
}

/// `additionalEventData.MFAUsed` of a `ConsoleLogin`: `"Yes"` / `"No"`.
fn console_mfa(extra: Option<Raw>) -> Mfa {
    #[derive(Deserialize)]
    struct Extra<'a> {
        #[serde(borrow, rename = "MFAUsed", default)]
        mfa_used: Lenient<Text<'a>>,
    }
    let Some(extra) = extra else { return Mfa::Unknown };
    match serde_json::from_str::<Extra>(extra.get()).map(|e| e.mfa_used) {
        Ok(Lenient::Ok(t)) if t.as_str() == "Yes" => Mfa::Yes,
        Ok(Lenient::Ok(t)) if t.as_str() == "No" => Mfa::No,
        _ => Mfa::Unknown,
    }
}

/// A value for a message, cut to a readable length.
pub fn clip(s: &str) -> String {
    match crate::text::first_chars(s, 60) {
        (all, 0) => all.to_owned(),
        (head, _) => format!("{head}…"),
    }
}
