//! IAM calls that give credentials or access to someone, and those that take them back: an access
//! key or a console password made for another user, MFA taken off a user, administrator access
//! given (`AdministratorAccess` attached, an inline policy that allows everything), a role made to
//! trust another account or anyone. What an intruder does to stay in once their first way in is
//! found (MITRE ATT&CK T1098, *Account Manipulation*; Stratus Red Team's `iam-backdoor-user`,
//! `iam-create-admin-user`, `iam-create-user-login-profile`, `iam-backdoor-role`,
//! `iam-create-backdoor-role`), and what the logs say only in the one call.
//!
//! Read at ingest into a side table of the [`Store`], one [`IamChange`] per call, whether it went
//! through or not (the event's `errorCode` says which); what it means is judged in
//! `analysis::identity::access`, over every log loaded. These calls are rare, so a request is read
//! as a generic value; its strings are attacker-controlled and read leniently.

use serde_json::Value;

use super::container::{policy, Exposure, MAX_POLICY_LINES};
use crate::ingest::raw::RawEvent;
use crate::model::Sym;
use crate::store::by_row::{ByRow, RowFact};
use crate::store::wire::{index_of, Reader, WireError, Writer};
use crate::store::{Row, Store};

/// IAM's event source.
pub const SOURCE: &str = "iam.amazonaws.com";

/// The calls read.
pub const CALLS: [&str; 31] = [
    "CreateUser",
    "DeleteUser",
    "DeleteRole",
    "DeleteGroup",
    "AddUserToGroup",
    "RemoveUserFromGroup",
    "CreateAccessKey",
    "UpdateAccessKey",
    "DeleteAccessKey",
    "CreateLoginProfile",
    "UpdateLoginProfile",
    "DeleteLoginProfile",
    "DeactivateMFADevice",
    "EnableMFADevice",
    "AttachUserPolicy",
    "AttachRolePolicy",
    "AttachGroupPolicy",
    "DetachUserPolicy",
    "DetachRolePolicy",
    "DetachGroupPolicy",
    "PutUserPolicy",
    "PutRolePolicy",
    "PutGroupPolicy",
    "DeleteUserPolicy",
    "DeleteRolePolicy",
    "DeleteGroupPolicy",
    "CreatePolicy",
    "CreatePolicyVersion",
    "DeletePolicy",
    "CreateRole",
    "UpdateAssumeRolePolicy",
];

/// AWS managed policies that make whoever has them an administrator, or able to make itself one
/// (`IAMFullAccess` can attach any policy to anyone, itself included). By the end of their ARN, so
/// every partition's (`arn:aws-us-gov:`...) counts.
pub const ADMIN_POLICIES: [&str; 2] = [":iam::aws:policy/AdministratorAccess", ":iam::aws:policy/IAMFullAccess"];

/// Whether managed policy `arn` is one of [`ADMIN_POLICIES`].
pub fn admin_policy(arn: &str) -> bool {
    ADMIN_POLICIES.iter().any(|p| arn.ends_with(p))
}

/// What an IAM call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Act {
    /// `CreateUser`.
    UserMade,
    /// `CreateAccessKey`: `detail` the new key's ID.
    KeyMade,
    /// `DeleteAccessKey`, or `UpdateAccessKey` to `Inactive`: `detail` the key's ID.
    KeyEnded,
    /// `UpdateAccessKey` to `Active`: a key made inactive made active again; `detail` its ID.
    KeyActivated,
    /// `EnableMFADevice`: `detail` the device's serial number.
    MfaEnabled,
    /// `DeletePolicy`: `detail` the managed policy's ARN.
    PolicyDeleted,
    /// `CreateLoginProfile` or `UpdateLoginProfile`: a console password set.
    PasswordSet,
    /// `DeleteLoginProfile`.
    PasswordEnded,
    /// `DeactivateMFADevice`: `detail` the device's serial number.
    MfaRemoved,
    /// A managed policy attached: `detail` its ARN.
    Attached,
    /// A managed policy detached: `detail` its ARN.
    Detached,
    /// An inline policy put that allows every action (or every IAM action) on every resource:
    /// `detail` its name.
    InlineAdmin,
    /// An inline policy deleted: `detail` its name.
    InlineDeleted,
    /// A managed policy made (`CreatePolicy`) or given a default version (`CreatePolicyVersion`)
    /// that allows everything: `detail` its ARN.
    PolicyAllowsAll,
    /// A role's trust policy set (`CreateRole`, `UpdateAssumeRolePolicy`): `exposure` whom it lets
    /// in beyond the account, `lines` its statements; `detail` whom it lets in from a public
    /// identity provider with no condition on who (`any GitHub Actions workflow, of any
    /// repository`), when it does.
    Trust,
    /// `DeleteUser`, `DeleteRole` or `DeleteGroup`.
    Deleted,
    /// `AddUserToGroup`: `subject` the group, `detail` the user (`user/NAME`).
    Joined,
    /// `RemoveUserFromGroup`: `subject` the group, `detail` the user (`user/NAME`).
    Left,
    /// EC2's `ModifyImageAttribute` or `ModifySnapshotAttribute` sharing a machine image or a
    /// snapshot, or taking it back (see [`crate::facts::share`]): `subject` `image/ami-…` or
    /// `snapshot/snap-…`, `lines` the accounts, groups and organizations added (`add:…`) and
    /// removed (`remove:…`), `exposure` whom the additions let in.
    Shared,
    /// `CodeBuild`'s `StartBuild` or `StartBuildBatch` overriding the project's buildspec, source,
    /// image, role, privileged mode, session debugging or environment (see
    /// [`crate::facts::build`]): `subject` the project, `lines` one token per override.
    BuildOverridden,
    /// `CodeBuild`'s `CreateWebhook`, `UpdateWebhook` or `DeleteWebhook` (see
    /// [`crate::facts::build`]): `subject` the project, `exposure` `Everyone` when it builds
    /// anyone's pull requests, `lines` why (or what it set).
    Webhook,
}

/// Every [`Act`], for the batch encoding.
const ACTS: [Act; 21] = [
    Act::UserMade,
    Act::KeyMade,
    Act::KeyEnded,
    Act::PasswordSet,
    Act::PasswordEnded,
    Act::MfaRemoved,
    Act::Attached,
    Act::Detached,
    Act::InlineAdmin,
    Act::InlineDeleted,
    Act::PolicyAllowsAll,
    Act::Trust,
    Act::Deleted,
    Act::Joined,
    Act::Left,
    Act::KeyActivated,
    Act::MfaEnabled,
    Act::PolicyDeleted,
    Act::Shared,
    Act::BuildOverridden,
    Act::Webhook,
];

/// Every [`Exposure`], for the batch encoding.
const EXPOSURES: [Exposure; 3] = [Exposure::Own, Exposure::OtherAccounts, Exposure::Everyone];

/// One IAM call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamChange {
    /// The event.
    pub row: Row,
    /// What it did.
    pub act: Act,
    /// Whom: `user/NAME`, `role/NAME` or `group/NAME` (the end of its ARN); empty for a call to
    /// a managed policy, or one that names no user and so is about the caller's own.
    pub subject: Sym,
    /// What, by act (see [`Act`]).
    pub detail: Sym,
    /// For [`Act::Trust`], whom the trust policy lets in beyond the event's account; for
    /// [`Act::Shared`], whom the call adds.
    pub exposure: Exposure,
    /// For [`Act::PasswordSet`], whether the user need not change it at the next sign-in
    /// (`passwordResetRequired: false`, or not given).
    pub no_reset: bool,
    /// For [`Act::Trust`], one line per statement of the trust policy; for [`Act::Shared`], one
    /// token per account, group or organization added or removed.
    pub lines: Vec<Sym>,
}

/// The side table: every IAM change (and every machine image or snapshot shared), by row.
pub type IamChanges = ByRow<IamChange>;

impl RowFact for IamChange {
    fn row(&self) -> Row {
        self.row
    }
    fn heap_extra(&self) -> usize {
        self.lines.capacity() * std::mem::size_of::<Sym>()
    }
}

impl ByRow<IamChange> {
    /// The `CreateAccessKey` calls that went through and made a key for a user other than their
    /// caller (`store` says whether each went through and who called).
    pub fn keys_made_for_others<'a>(&'a self, store: &'a Store) -> impl Iterator<Item = &'a IamChange> + 'a {
        self.all().iter().filter(move |c| {
            c.act == Act::KeyMade
                && !c.detail.is_empty()
                && !c.subject.is_empty()
                && store.error_code(c.row).is_empty()
                && !by_itself(store, c)
        })
    }

    /// The call of [`Self::keys_made_for_others`] that made long-term key `key`, if any.
    pub fn made_for_another<'a>(&'a self, store: &'a Store, key: Sym) -> Option<&'a IamChange> {
        self.keys_made_for_others(store).find(|c| c.detail == key)
    }

    /// Writes the table (symbols and rows are the batch's own).
    pub(crate) fn encode(&self, w: &mut Writer) {
        w.u64(self.all().len() as u64);
        for c in self.all() {
            w.u32(c.row);
            w.u64(index_of(&ACTS, &c.act));
            w.u32(c.subject.0);
            w.u32(c.detail.0);
            w.u64(index_of(&EXPOSURES, &c.exposure));
            w.u64(u64::from(c.no_reset));
            w.syms(&c.lines);
        }
    }

    /// Reads what [`Self::encode`] wrote.
    pub(crate) fn decode(r: &mut Reader) -> Result<IamChanges, WireError> {
        let n = r.count()?;
        let mut changes = Vec::with_capacity(n);
        for _ in 0..n {
            let (row, act, subject, detail) = (r.u32()?, r.pick(&ACTS)?, Sym(r.u32()?), Sym(r.u32()?));
            let (exposure, no_reset) = (r.pick(&EXPOSURES)?, r.pick(&[false, true])?);
            let lines = r.syms()?;
            changes.push(IamChange { row, act, subject, detail, exposure, no_reset, lines });
        }
        Ok(ByRow::from_items(changes))
    }
}

/// Whether change `c` names its caller's own user (`user/NAME`, called by IAM user NAME).
pub fn by_itself(store: &Store, c: &IamChange) -> bool {
    let id = store.identity(c.row);
    let subject = store.str(c.subject);
    id.kind == crate::model::IdentityType::IAMUser && subject.strip_prefix("user/") == Some(&*store.str(id.user_name))
}

/// Adds the table `src` of a decoded batch to `store`: symbols through `sym`, rows through `row`
/// (`None`: the event was already held).
pub(crate) fn absorb(store: &mut Store, src: &IamChanges, sym: &dyn Fn(Sym) -> Sym, row: &dyn Fn(Row) -> Option<Row>) {
    for c in src.all() {
        let Some(r) = row(c.row) else { continue };
        let lines = c.lines.iter().map(|&l| sym(l)).collect();
        let (subject, detail) = (sym(c.subject), sym(c.detail));
        store.iam.put(IamChange {
            row: r,
            act: c.act,
            subject,
            detail,
            exposure: c.exposure,
            no_reset: c.no_reset,
            lines,
        });
    }
}

/// Records the call in row `row`, if it is one of [`CALLS`].
pub fn record(raw: &RawEvent, row: Row, store: &mut Store) {
    let name = raw.event_name.str();
    if !CALLS.contains(&name) {
        return;
    }
    let parse = |r: Option<crate::ingest::raw::Raw>| -> Value {
        r.and_then(|r| serde_json::from_str(r.get()).ok()).unwrap_or_default()
    };
    let (req, resp) = (parse(raw.request_parameters), parse(raw.response_elements));
    let account = store.str(store.account(row)).into_owned();
    let Some(read @ Read { act: Some(act), .. }) = read(name, &req, &resp, &account) else { return };
    let (subject, detail) = (store.intern(&read.subject), store.intern(&read.detail));
    let lines = read.lines.iter().take(MAX_POLICY_LINES).map(|l| store.intern(l)).collect();
    let (exposure, no_reset) = (read.exposure, read.no_reset);
    store.iam.put(IamChange { row, act, subject, detail, exposure, no_reset, lines });
}

/// What [`read`] found in one call.
#[derive(Debug, Default)]
struct Read {
    act: Option<Act>,
    subject: String,
    detail: String,
    exposure: Exposure,
    no_reset: bool,
    lines: Vec<String>,
}

/// A string field, or "".
fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key].as_str().unwrap_or("")
}

/// `kind/NAME` for a name given, else "".
fn named(kind: &str, name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!("{kind}/{name}")
    }
}

/// What call `name` did, in an event of `account`; `None` for a call that gives nothing and takes
/// nothing back (a managed policy attached is kept whatever it is: whether it allows everything
/// may be known only from a `CreatePolicy` elsewhere in the logs).
fn read(name: &str, req: &Value, resp: &Value, account: &str) -> Option<Read> {
    let user = || named("user", text(req, "userName"));
    // `AttachUserPolicy` → user, `PutRolePolicy` → role...
    let holder = || {
        let kind = ["User", "Role", "Group"].into_iter().find(|k| name.contains(k)).unwrap_or("User");
        let lower = kind.to_ascii_lowercase();
        named(&lower, text(req, &format!("{lower}Name")))
    };
    let mut out = Read::default();
    match name {
        "CreateUser" => (out.act, out.subject) = (Some(Act::UserMade), user()),
        "DeleteUser" | "DeleteRole" | "DeleteGroup" => (out.act, out.subject) = (Some(Act::Deleted), holder()),
        "AddUserToGroup" | "RemoveUserFromGroup" => {
            let act = if name == "AddUserToGroup" { Act::Joined } else { Act::Left };
            (out.act, out.subject, out.detail) = (Some(act), named("group", text(req, "groupName")), user());
        }
        "CreateAccessKey" => {
            // The response names the user even when the request does not (the caller's own key).
            let key = &resp["accessKey"];
            out.act = Some(Act::KeyMade);
            out.subject = user();
            text(key, "accessKeyId").clone_into(&mut out.detail);
        }
        "DeleteAccessKey" => {
            (out.act, out.subject, out.detail) = (Some(Act::KeyEnded), user(), text(req, "accessKeyId").to_owned());
        }
        "UpdateAccessKey" => {
            let act = match text(req, "status") {
                s if s.eq_ignore_ascii_case("Inactive") => Act::KeyEnded,
                s if s.eq_ignore_ascii_case("Active") => Act::KeyActivated,
                _ => return None,
            };
            (out.act, out.subject, out.detail) = (Some(act), user(), text(req, "accessKeyId").to_owned());
        }
        "CreateLoginProfile" | "UpdateLoginProfile" => {
            out.act = Some(Act::PasswordSet);
            out.subject = user();
            out.no_reset = !matches!(req["passwordResetRequired"], Value::Bool(true));
        }
        "DeleteLoginProfile" => (out.act, out.subject) = (Some(Act::PasswordEnded), user()),
        "DeactivateMFADevice" | "EnableMFADevice" => {
            let act = if name == "EnableMFADevice" { Act::MfaEnabled } else { Act::MfaRemoved };
            (out.act, out.subject, out.detail) = (Some(act), user(), text(req, "serialNumber").to_owned());
        }
        "DeletePolicy" => (out.act, out.detail) = (Some(Act::PolicyDeleted), text(req, "policyArn").to_owned()),
        "AttachUserPolicy" | "AttachRolePolicy" | "AttachGroupPolicy" => {
            (out.act, out.subject, out.detail) = (Some(Act::Attached), holder(), text(req, "policyArn").to_owned());
        }
        "DetachUserPolicy" | "DetachRolePolicy" | "DetachGroupPolicy" => {
            (out.act, out.subject, out.detail) = (Some(Act::Detached), holder(), text(req, "policyArn").to_owned());
        }
        "PutUserPolicy" | "PutRolePolicy" | "PutGroupPolicy" if allows_all(text(req, "policyDocument")) => {
            (out.act, out.subject, out.detail) = (Some(Act::InlineAdmin), holder(), text(req, "policyName").to_owned());
        }
        "DeleteUserPolicy" | "DeleteRolePolicy" | "DeleteGroupPolicy" => {
            (out.act, out.subject, out.detail) =
                (Some(Act::InlineDeleted), holder(), text(req, "policyName").to_owned());
        }
        "CreatePolicy" if allows_all(text(req, "policyDocument")) => {
            // The new policy's ARN is in the response only (absent when the call failed).
            let arn = text(&resp["policy"], "arn");
            let arn = if arn.is_empty() { format!("policy {}", text(req, "policyName")) } else { arn.to_owned() };
            (out.act, out.detail) = (Some(Act::PolicyAllowsAll), arn);
        }
        "CreatePolicyVersion" if default_version(req) && allows_all(text(req, "policyDocument")) => {
            (out.act, out.detail) = (Some(Act::PolicyAllowsAll), text(req, "policyArn").to_owned());
        }
        "CreateRole" | "UpdateAssumeRolePolicy" => {
            let doc = text(req, if name == "CreateRole" { "assumeRolePolicyDocument" } else { "policyDocument" });
            out.act = Some(Act::Trust);
            out.subject = named("role", text(req, "roleName"));
            out.exposure = policy::exposure(doc, account);
            if let Some(whom) = policy::open_web_identity(doc) {
                (out.exposure, out.detail) = (Exposure::Everyone, whom.to_owned());
            }
            out.lines = policy::statements(doc);
        }
        _ => return None,
    }
    out.act?;
    Some(out)
}

/// `CreatePolicyVersion`'s `setAsDefault`, as a boolean or `"true"`.
fn default_version(req: &Value) -> bool {
    match &req["setAsDefault"] {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Whether policy document `text` has an `Allow` statement of every action (`*`), or every IAM
/// action (`iam:*`, with which a principal gives itself the rest), on every resource (`*`).
/// Conditions are not read: a policy that allows everything under a condition still does for
/// whoever meets it.
pub fn allows_all(text: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<Value>(text) else { return false };
    let statements = match &doc["Statement"] {
        Value::Array(a) => a.iter().collect(),
        s @ Value::Object(_) => vec![s],
        _ => Vec::new(),
    };
    let any = |v: &Value, f: &dyn Fn(&str) -> bool| match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter().filter_map(Value::as_str).any(f),
        _ => false,
    };
    statements.into_iter().any(|s| {
        s["Effect"].as_str().is_some_and(|e| e.eq_ignore_ascii_case("allow"))
            && any(&s["Action"], &|a| a == "*" || a == "*:*" || a.eq_ignore_ascii_case("iam:*"))
            && any(&s["Resource"], &|r| r == "*")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented request of each call, as the IAM API reference writes its parameters.
    fn read_one(name: &str, req: &str, resp: &str) -> Option<Read> {
        let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or_default();
        read(name, &parse(req), &parse(resp), "111122223333")
    }

    #[test]
    fn ok_each_call_names_whom_and_what() {
        let key = read_one(
            "CreateAccessKey",
            r#"{"userName":"ci"}"#,
            r#"{"accessKey":{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","status":"Active","userName":"ci"}}"#,
        )
        .unwrap();
        assert_eq!(
            (key.act, key.subject.as_str(), key.detail.as_str()),
            (Some(Act::KeyMade), "user/ci", "AKIAIOSFODNN7EXAMPLE")
        );
        let own = read_one("CreateAccessKey", "{}", r#"{"accessKey":{"accessKeyId":"AKIAI44QH8DHBEXAMPLE"}}"#).unwrap();
        assert_eq!(own.subject, "", "no userName: the caller's own key");
        let off =
            read_one("UpdateAccessKey", r#"{"accessKeyId":"AKIAI44QH8DHBEXAMPLE","status":"Inactive"}"#, "").unwrap();
        assert_eq!(off.act, Some(Act::KeyEnded));
        let on =
            read_one("UpdateAccessKey", r#"{"accessKeyId":"AKIAI44QH8DHBEXAMPLE","status":"Active"}"#, "").unwrap();
        assert_eq!((on.act, on.detail.as_str()), (Some(Act::KeyActivated), "AKIAI44QH8DHBEXAMPLE"));
        assert!(read_one("UpdateAccessKey", r#"{"accessKeyId":"AKIAI44QH8DHBEXAMPLE","status":7}"#, "").is_none());
        let mfa =
            read_one("EnableMFADevice", r#"{"userName":"Bob","serialNumber":"arn:aws:iam::123456789012:mfa/Bob"}"#, "");
        let mfa = mfa.unwrap();
        assert_eq!(
            (mfa.act, mfa.subject.as_str(), mfa.detail.as_str()),
            (Some(Act::MfaEnabled), "user/Bob", "arn:aws:iam::123456789012:mfa/Bob")
        );
        let gone = read_one("DeletePolicy", r#"{"policyArn":"arn:aws:iam::123456789012:policy/all"}"#, "").unwrap();
        assert_eq!(
            (gone.act, gone.detail.as_str()),
            (Some(Act::PolicyDeleted), "arn:aws:iam::123456789012:policy/all")
        );
        let pw = read_one("CreateLoginProfile", r#"{"userName":"Bob","passwordResetRequired":true}"#, "").unwrap();
        assert_eq!((pw.act, pw.no_reset), (Some(Act::PasswordSet), false));
        let pw = read_one("UpdateLoginProfile", r#"{"userName":"Bob"}"#, "").unwrap();
        assert!(pw.no_reset, "no passwordResetRequired: none required");
        let attach = read_one(
            "AttachGroupPolicy",
            r#"{"groupName":"Finance","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}"#,
            "",
        )
        .unwrap();
        assert_eq!(
            (attach.subject.as_str(), attach.detail.as_str()),
            ("group/Finance", "arn:aws:iam::aws:policy/ReadOnlyAccess")
        );
        let joined = read_one("AddUserToGroup", r#"{"groupName":"Admins","userName":"Bob"}"#, "").unwrap();
        assert_eq!(
            (joined.act, joined.subject.as_str(), joined.detail.as_str()),
            (Some(Act::Joined), "group/Admins", "user/Bob")
        );
        let gone = read_one("DeleteRole", r#"{"roleName":"Test-Role"}"#, "").unwrap();
        assert_eq!((gone.act, gone.subject.as_str()), (Some(Act::Deleted), "role/Test-Role"));
    }

    #[test]
    fn ok_only_policies_that_allow_everything_are_admin() {
        let all = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
        let iam = r#"{"Statement":[{"Effect":"Allow","Action":["iam:*"],"Resource":["*"]}]}"#;
        let some = r#"{"Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}"#;
        let denied = r#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
        let one_bucket = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}]}"#;
        assert!(allows_all(all) && allows_all(iam));
        assert!(!allows_all(some) && !allows_all(denied) && !allows_all(one_bucket) && !allows_all("not json"));
        let put = |doc: &str| {
            read_one(
                "PutUserPolicy",
                &serde_json::json!({"userName":"Bob","policyName":"p","policyDocument":doc}).to_string(),
                "",
            )
        };
        assert_eq!(put(all).unwrap().act, Some(Act::InlineAdmin));
        assert!(put(some).is_none(), "an inline policy that does not allow everything is not kept");
        let version = |default: &str| {
            let req = format!(
                r#"{{"policyArn":"arn:aws:iam::111122223333:policy/p","setAsDefault":{default},"policyDocument":{}}}"#,
                serde_json::to_string(all).unwrap()
            );
            read_one("CreatePolicyVersion", &req, "")
        };
        assert_eq!(version("true").unwrap().detail, "arn:aws:iam::111122223333:policy/p");
        assert!(version("false").is_none(), "a version not made the default changes nothing yet");
        assert!(admin_policy("arn:aws:iam::aws:policy/AdministratorAccess"));
        assert!(admin_policy("arn:aws-us-gov:iam::aws:policy/AdministratorAccess"));
        assert!(!admin_policy("arn:aws:iam::aws:policy/ReadOnlyAccess"));
    }

    #[test]
    fn ok_a_trust_policy_says_whom_it_lets_in() {
        let trust = |doc: &str| {
            let req = serde_json::json!({"roleName":"r","policyDocument":doc}).to_string();
            read_one("UpdateAssumeRolePolicy", &req, "").unwrap()
        };
        let outside = trust(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}"#,
        );
        assert_eq!((outside.exposure, outside.subject.as_str()), (Exposure::OtherAccounts, "role/r"));
        assert_eq!(outside.lines, ["Allow arn:aws:iam::444455556666:root: sts:AssumeRole"]);
        let own =
            trust(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}]}"#);
        assert_eq!(own.exposure, Exposure::Own);
        let service = trust(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        );
        assert_eq!(service.exposure, Exposure::Own);
        let anyone = trust(r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}"#);
        assert_eq!(anyone.exposure, Exposure::Everyone);
    }

    #[test]
    fn ok_hostile_requests_are_read_without_failing() {
        for req in [
            "null",
            "[]",
            "42",
            r#"{"userName":7}"#,
            r#"{"policyDocument":{"Statement":"x"}}"#,
            r#"{"roleName":["a"]}"#,
        ] {
            for name in CALLS {
                let _ = read_one(name, req, req);
            }
        }
        let odd = read_one("CreateAccessKey", r#"{"userName":["x"]}"#, "null").unwrap();
        assert_eq!((odd.subject.as_str(), odd.detail.as_str()), ("", ""));
    }
}
