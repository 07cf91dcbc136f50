//! Credentials handed out by STS, and how console sign-ins ended: what the identity analyses need
//! from `responseElements` / `requestParameters`, which the store does not keep.
//!
//! Every STS call that returns credentials (`AssumeRole`, `AssumeRoleWithSAML`,
//! `AssumeRoleWithWebIdentity`, `GetSessionToken`, `GetFederationToken`, `AssumeRoot`) names the new
//! temporary access key in `responseElements.credentials.accessKeyId`. Later events signed with that
//! key belong to the session it opened, so a [`Grant`] per key is enough to follow any session back to
//! whoever opened it, hop by hop (see [`crate::analysis::identity::chains`]).
//!
//! Only keys that can be followed are recorded: temporary (`ASIA…`) ids made of letters and digits.
//! AWS's documentation examples show long-term `AKIA…` ids in STS responses and published datasets
//! mask keys (`ASIA****…`); linking those would join unrelated events, so they are counted
//! ([`Credentials::unfollowable`]) and left out. A response that is not the documented shape is
//! counted too ([`Credentials::unreadable`]); the event itself still loads.
//!
//! `ConsoleLogin` records neither an `errorCode` nor always an `errorMessage` when a sign-in fails:
//! the outcome is in `responseElements.ConsoleLogin` (`Success` / `Failure`), kept here as the list
//! of failed sign-in rows.

use hashbrown::HashMap;
use serde::{Deserialize, Serialize};

use crate::ingest::raw::{Lenient, Obj, RawEvent, Text};
use crate::model::{IdentityType, KeyKind, Sym};
use crate::store::wire::{index_of, Reader, WireError, Writer};
use crate::store::{Row, Store};

/// Longest access key id accepted (AWS documents up to 128 characters); longer text is not a key.
const MAX_KEY_LEN: usize = 128;

/// The STS call that handed credentials out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StsCall {
    /// `AssumeRole`.
    AssumeRole,
    /// `AssumeRoleWithSAML`.
    AssumeRoleWithSaml,
    /// `AssumeRoleWithWebIdentity`.
    AssumeRoleWithWebIdentity,
    /// `GetSessionToken`.
    GetSessionToken,
    /// `GetFederationToken`.
    GetFederationToken,
    /// `AssumeRoot` (a privileged root session on a member account).
    AssumeRoot,
    /// Another STS call that returned credentials.
    Other,
}

impl StsCall {
    /// From `eventName`.
    pub fn parse(name: &str) -> StsCall {
        match name {
            "AssumeRole" => StsCall::AssumeRole,
            "AssumeRoleWithSAML" => StsCall::AssumeRoleWithSaml,
            "AssumeRoleWithWebIdentity" => StsCall::AssumeRoleWithWebIdentity,
            "GetSessionToken" => StsCall::GetSessionToken,
            "GetFederationToken" => StsCall::GetFederationToken,
            "AssumeRoot" => StsCall::AssumeRoot,
            _ => StsCall::Other,
        }
    }

    /// AWS's name for the call.
    pub fn label(self) -> &'static str {
        match self {
            StsCall::AssumeRole => "AssumeRole",
            StsCall::AssumeRoleWithSaml => "AssumeRoleWithSAML",
            StsCall::AssumeRoleWithWebIdentity => "AssumeRoleWithWebIdentity",
            StsCall::GetSessionToken => "GetSessionToken",
            StsCall::GetFederationToken => "GetFederationToken",
            StsCall::AssumeRoot => "AssumeRoot",
            StsCall::Other => "STS",
        }
    }
}

/// The credentials one STS call handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// The STS event; its identity is whoever asked for the credentials.
    pub row: Row,
    /// Which call.
    pub call: StsCall,
    /// `credentials.accessKeyId`: the new temporary key.
    pub key: Sym,
    /// `requestParameters.roleArn` (`targetPrincipal` for `AssumeRoot`).
    pub role: Sym,
    /// `requestParameters.roleSessionName` (`name` for `GetFederationToken`).
    pub session_name: Sym,
    /// `assumedRoleUser.arn` or `federatedUser.arn`: the session's own ARN.
    pub session_arn: Sym,
    /// `sourceIdentity`, from the response or else the request.
    pub source_identity: Sym,
    /// `subject` (SAML) or `subjectFromWebIdentityToken`: who the identity provider vouched for.
    pub subject: Sym,
    /// `issuer` (SAML) or `provider` (web identity).
    pub provider: Sym,
}

/// The credentials side table of the store.
#[derive(Default)]
pub struct Credentials {
    grants: Vec<Grant>,
    by_key: HashMap<Sym, u32>,
    failed_signins: Vec<Row>,
    /// `AssumeRoleWithWebIdentity` calls refused, and the role each asked for.
    refused: Vec<(Row, Sym)>,
    /// STS responses whose key cannot be followed (masked, or not a temporary `ASIA…` key).
    pub unfollowable: u64,
    /// STS responses or sign-in outcomes that were not the documented shape.
    pub unreadable: u64,
}

impl Credentials {
    /// The grant that handed out `key`, if these logs hold it.
    pub fn grant(&self, key: Sym) -> Option<&Grant> {
        self.by_key.get(&key).map(|&i| &self.grants[i as usize])
    }

    /// Every grant, in ingest order.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// `AssumeRoleWithWebIdentity` calls that were refused (any `errorCode`), each with the role
    /// it asked for (`requestParameters.roleArn`), in ingest order: someone whose token the role
    /// does not accept, or someone trying roles to find one that does.
    pub fn refused(&self) -> &[(Row, Sym)] {
        &self.refused
    }

    /// Whether the `ConsoleLogin` in row `r` failed (`responseElements.ConsoleLogin: "Failure"`).
    pub fn signin_failed(&self, r: Row) -> bool {
        self.failed_signins.binary_search(&r).is_ok()
    }

    /// Resident bytes, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        self.grants.capacity() * std::mem::size_of::<Grant>()
            + self.by_key.capacity() * (std::mem::size_of::<(Sym, u32)>() + 1)
            + self.failed_signins.capacity() * std::mem::size_of::<Row>()
            + self.refused.capacity() * std::mem::size_of::<(Row, Sym)>()
    }

    /// Adds a grant; `kinds` are the caller identity types of the grant already held for the same
    /// key and of the new one, when the key was seen before.
    fn add(&mut self, g: Grant, kinds: Option<(IdentityType, IdentityType)>) {
        match (self.by_key.get(&g.key), kinds) {
            // A cross-account AssumeRole is logged in both accounts; the copy in the role's account
            // names the caller only as an `AWSAccount`. Keep the copy that says who it was.
            (Some(&i), Some((IdentityType::AWSAccount, new))) if new != IdentityType::AWSAccount => {
                self.grants[i as usize] = g;
            }
            (Some(_), _) => {}
            (None, _) => {
                self.by_key.insert(g.key, self.grants.len() as u32);
                self.grants.push(g);
            }
        }
    }
}

/// Every [`StsCall`], for the batch encoding.
const STS_CALLS: [StsCall; 7] = [
    StsCall::AssumeRole,
    StsCall::AssumeRoleWithSaml,
    StsCall::AssumeRoleWithWebIdentity,
    StsCall::GetSessionToken,
    StsCall::GetFederationToken,
    StsCall::AssumeRoot,
    StsCall::Other,
];

impl Credentials {
    /// Writes the table as it is (symbols and rows are the batch's own).
    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u64(self.grants.len() as u64);
        for g in &self.grants {
            w.u32(g.row);
            w.u64(index_of(&STS_CALLS, &g.call));
            for s in [g.key, g.role, g.session_name, g.session_arn, g.source_identity, g.subject, g.provider] {
                w.u32(s.0);
            }
        }
        w.u64(self.failed_signins.len() as u64);
        for &r in &self.failed_signins {
            w.u32(r);
        }
        w.u64(self.refused.len() as u64);
        for &(r, role) in &self.refused {
            w.u32(r);
            w.u32(role.0);
        }
        w.u64(self.unfollowable);
        w.u64(self.unreadable);
    }

    /// Reads what [`Self::encode`] wrote: the grants in order, the failed sign-ins and the counters
    /// (the lookup by key is not needed, since the table is only absorbed).
    pub(crate) fn decode(r: &mut Reader) -> Result<Credentials, WireError> {
        let n = r.count()?;
        let mut grants = Vec::with_capacity(n);
        for _ in 0..n {
            let (row, call) = (r.u32()?, r.pick(&STS_CALLS)?);
            let mut s = [Sym::EMPTY; 7];
            for x in &mut s {
                *x = Sym(r.u32()?);
            }
            let [key, role, session_name, session_arn, source_identity, subject, provider] = s;
            grants.push(Grant { row, call, key, role, session_name, session_arn, source_identity, subject, provider });
        }
        let n = r.count()?;
        let failed_signins = (0..n).map(|_| r.u32()).collect::<Result<_, _>>()?;
        let n = r.count()?;
        let refused = (0..n).map(|_| Ok((r.u32()?, Sym(r.u32()?)))).collect::<Result<_, WireError>>()?;
        let (unfollowable, unreadable) = (r.u64()?, r.u64()?);
        Ok(Credentials { grants, by_key: HashMap::new(), failed_signins, refused, unfollowable, unreadable })
    }
}

/// Adds the credentials table `src` of a decoded batch to `store`: symbols through `sym`, rows
/// through `row` (`None`: the event was already held).
pub(crate) fn absorb(store: &mut Store, src: &Credentials, sym: &dyn Fn(Sym) -> Sym, row: &dyn Fn(Row) -> Option<Row>) {
    for g in &src.grants {
        let Some(r) = row(g.row) else { continue };
        let grant = Grant {
            row: r,
            call: g.call,
            key: sym(g.key),
            role: sym(g.role),
            session_name: sym(g.session_name),
            session_arn: sym(g.session_arn),
            source_identity: sym(g.source_identity),
            subject: sym(g.subject),
            provider: sym(g.provider),
        };
        let kind = |r: Row| store.identity(r).kind;
        let kinds = store.credentials.grant(grant.key).map(|old| (kind(old.row), kind(grant.row)));
        store.credentials.add(grant, kinds);
    }
    for &f in &src.failed_signins {
        if let Some(r) = row(f) {
            let at = store.credentials.failed_signins.partition_point(|&x| x < r);
            if store.credentials.failed_signins.get(at) != Some(&r) {
                store.credentials.failed_signins.insert(at, r);
            }
        }
    }
    for &(f, role) in &src.refused {
        if let Some(r) = row(f) {
            store.credentials.refused.push((r, sym(role)));
        }
    }
    store.credentials.unfollowable += src.unfollowable;
    store.credentials.unreadable += src.unreadable;
}

/// Whether `key` can link events: a temporary key id, letters and digits only (not masked).
pub fn followable(key: &str) -> bool {
    KeyKind::of(key) == KeyKind::Temporary
        && (16..=MAX_KEY_LEN).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct StsResponse<'a> {
    #[serde(borrow)]
    credentials: Obj<Creds<'a>>,
    #[serde(borrow)]
    assumed_role_user: Obj<SessionUser<'a>>,
    #[serde(borrow)]
    federated_user: Obj<SessionUser<'a>>,
    #[serde(borrow)]
    source_identity: Lenient<Text<'a>>,
    #[serde(borrow)]
    subject: Lenient<Text<'a>>,
    #[serde(borrow)]
    subject_from_web_identity_token: Lenient<Text<'a>>,
    #[serde(borrow)]
    issuer: Lenient<Text<'a>>,
    #[serde(borrow)]
    provider: Lenient<Text<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Creds<'a> {
    #[serde(borrow)]
    access_key_id: Lenient<Text<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct SessionUser<'a> {
    #[serde(borrow)]
    arn: Lenient<Text<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct StsRequest<'a> {
    #[serde(borrow)]
    role_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    role_session_name: Lenient<Text<'a>>,
    #[serde(borrow)]
    name: Lenient<Text<'a>>,
    #[serde(borrow)]
    target_principal: Lenient<Text<'a>>,
    #[serde(borrow)]
    source_identity: Lenient<Text<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SigninResponse<'a> {
    #[serde(borrow, rename = "ConsoleLogin")]
    console_login: Lenient<Text<'a>>,
}

/// Records what an STS event handed out, or how a console sign-in ended (row `row`, just added).
pub fn record(raw: &RawEvent, row: Row, store: &mut Store) {
    if raw.event_source.str() == "signin.amazonaws.com" {
        record_signin(raw, row, store);
        return;
    }
    if !raw.error_code.str().is_empty() {
        if raw.event_name.str() == "AssumeRoleWithWebIdentity" {
            let role = store.intern(request(raw).role_arn.str());
            store.credentials.refused.push((row, role));
        }
        return;
    }
    // Failed calls have no response (`null`, which serde gives as `None`).
    let Some(resp) = raw.response_elements else { return };
    // Only an object is a response: serde would otherwise read an array as the struct's fields in order.
    let Ok(Obj(Lenient::Ok(resp))) = serde_json::from_str::<Obj<StsResponse>>(resp.get()) else {
        store.credentials.unreadable += 1;
        return;
    };
    let Some(creds) = resp.credentials.0.ok() else { return };
    let key = creds.access_key_id.str();
    if key.is_empty() {
        return;
    }
    if !followable(key) {
        store.credentials.unfollowable += 1;
        return;
    }
    let req = request(raw);
    let call = StsCall::parse(raw.event_name.str());
    let session_arn = either(
        resp.assumed_role_user.0.ok().map_or("", |u| u.arn.str()),
        resp.federated_user.0.ok().map_or("", |u| u.arn.str()),
    );
    let grant = Grant {
        row,
        call,
        key: store.intern(key),
        role: store.intern(either(req.role_arn.str(), req.target_principal.str())),
        session_name: store.intern(either(req.role_session_name.str(), req.name.str())),
        session_arn: store.intern(session_arn),
        source_identity: store.intern(either(resp.source_identity.str(), req.source_identity.str())),
        subject: store.intern(either(resp.subject.str(), resp.subject_from_web_identity_token.str())),
        provider: store.intern(either(resp.issuer.str(), resp.provider.str())),
    };
    let kind = |r: Row| store.identity(r).kind;
    let kinds = store.credentials.grant(grant.key).map(|old| (kind(old.row), kind(grant.row)));
    store.credentials.add(grant, kinds);
}

/// The request of STS event `raw`, or an empty one when it is not an object of that shape.
fn request<'a>(raw: &RawEvent<'a>) -> StsRequest<'a> {
    match raw.request_parameters.map(|r| serde_json::from_str::<Obj<StsRequest>>(r.get())) {
        Some(Ok(Obj(Lenient::Ok(req)))) => req,
        _ => StsRequest::default(),
    }
}

/// `a` unless it is empty, else `b`.
fn either<'s>(a: &'s str, b: &'s str) -> &'s str {
    if a.is_empty() {
        b
    } else {
        a
    }
}

fn record_signin(raw: &RawEvent, row: Row, store: &mut Store) {
    let Some(resp) = raw.response_elements else { return };
    match serde_json::from_str::<Obj<SigninResponse>>(resp.get()) {
        Ok(Obj(Lenient::Ok(s))) if s.console_login.str() == "Failure" => store.credentials.failed_signins.push(row),
        Ok(Obj(Lenient::Ok(_))) => {}
        _ => store.credentials.unreadable += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;

    #[test]
    fn ok_only_temporary_unmasked_keys_are_followed() {
        assert!(followable("ASIAWHOJDLGPOEXAMPLE"));
        assert!(!followable("AKIAIOSFODNN7EXAMPLE"), "STS never hands out long-term keys; AWS's docs examples do");
        assert!(!followable("ASIA****************"), "masked in published datasets");
        assert!(!followable("ASIA1"));
        assert!(!followable(""));
    }

    // AWS's documented AssumeRoleWithWebIdentity example (IAM user guide, "Logging IAM and AWS STS API
    // calls with AWS CloudTrail"), with the example key replaced by a temporary one.
    const WEB_IDENTITY: &str = r#"{"eventVersion":"1.05","userIdentity":{"type":"WebIdentityUser",
      "principalId":"accounts.google.com:<id-of-application>.apps.googleusercontent.com:<id-of-user>","userName":"<id of user>",
      "identityProvider":"accounts.google.com"},"eventTime":"2016-03-23T01:39:51Z","eventSource":"sts.amazonaws.com",
      "eventName":"AssumeRoleWithWebIdentity","awsRegion":"us-east-2","sourceIPAddress":"192.0.2.101",
      "requestParameters":{"durationSeconds":3600,"roleArn":"arn:aws:iam::444455556666:role/FederatedWebIdentityRole",
      "roleSessionName":"MyAssignedRoleSessionName"},"responseElements":{"provider":"accounts.google.com",
      "subjectFromWebIdentityToken":"<id of user>","audience":"<id of application>.apps.googleusercontent.com",
      "credentials":{"accessKeyId":"ASIACQRSTUVWRAOEXAMPLE","expiration":"Mar 23, 2016 2:39:51 AM","sessionToken":"<encoded session token blob>"},
      "assumedRoleUser":{"assumedRoleId":"AROACQRSTUVWRAOEXAMPLE:MyAssignedRoleSessionName",
      "arn":"arn:aws:sts::444455556666:assumed-role/FederatedWebIdentityRole/MyAssignedRoleSessionName"}},
      "eventID":"bEXAMPLE-0b30-4246-b28c-e3da3EXAMPLE","eventType":"AwsApiCall","recipientAccountId":"444455556666"}"#;

    #[test]
    fn ok_refused_web_identity_calls_keep_the_role_they_asked_for() {
        let refused = WEB_IDENTITY.replace(
            r#""responseElements":{"provider""#,
            r#""errorCode":"AccessDenied","responseElements":{"provider""#,
        );
        // Another refused, its request not an object: kept, with no role.
        let odd = refused
            .replace(r#""requestParameters":{"durationSeconds""#, r#""requestParameters":[1],"x":{"durationSeconds""#)
            .replace("bEXAMPLE-0b30", "cEXAMPLE-0b30");
        let mut e = Engine::new();
        e.ingest_bytes("web.json", format!("{refused}\n{odd}").as_bytes());
        let s = e.store();
        let roles: Vec<String> = s.credentials.refused().iter().map(|&(_, role)| s.str(role).into_owned()).collect();
        assert_eq!(roles, ["arn:aws:iam::444455556666:role/FederatedWebIdentityRole", ""]);
        assert!(s.credentials.grants().is_empty(), "a refused call hands out nothing");
    }

    #[test]
    fn ok_web_identity_grant_keeps_request_and_response_facts() {
        let mut e = Engine::new();
        e.ingest_bytes("web.json", WEB_IDENTITY.as_bytes());
        let s = e.store();
        let key = s.strings.lookup("ASIACQRSTUVWRAOEXAMPLE").expect("key interned");
        let g = s.credentials.grant(key).expect("grant recorded");
        assert_eq!(g.call, StsCall::AssumeRoleWithWebIdentity);
        assert_eq!(s.str(g.role), "arn:aws:iam::444455556666:role/FederatedWebIdentityRole");
        assert_eq!(s.str(g.session_name), "MyAssignedRoleSessionName");
        assert_eq!(
            s.str(g.session_arn),
            "arn:aws:sts::444455556666:assumed-role/FederatedWebIdentityRole/MyAssignedRoleSessionName"
        );
        assert_eq!((&*s.str(g.subject), &*s.str(g.provider)), ("<id of user>", "accounts.google.com"));
        assert!(s.credentials.heap_bytes() > 0);
    }

    #[test]
    fn ok_failed_console_sign_in_is_remembered() {
        let log = r#"{"Records":[
          {"eventTime":"2026-01-01T00:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventID":"00000000-0000-4000-8000-000000000001",
           "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"},"responseElements":{"ConsoleLogin":"Failure"}},
          {"eventTime":"2026-01-01T00:00:01Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventID":"00000000-0000-4000-8000-000000000002",
           "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"},"responseElements":{"ConsoleLogin":"Success"}}]}"#;
        let mut e = Engine::new();
        e.ingest_bytes("signin.json", log.as_bytes());
        let c = &e.store().credentials;
        assert!(c.signin_failed(0));
        assert!(!c.signin_failed(1));
        assert_eq!(c.unreadable, 0);
    }
}
