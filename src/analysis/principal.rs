//! A readable name for whoever made a call.

use std::borrow::Cow;

use crate::model::{Identity, IdentityType, Sym};
use crate::store::Interner;

/// The principal as an investigator would name it: the ARN where there is one (for a role session,
/// the session's `assumed-role/...` ARN), else the service, the Identity Center user, the user name
/// (one AWS hid as "user name hidden by AWS" with its account, see [`HIDDEN_USER_NAME`]), or the
/// principal id; `(not recorded)` when the event carries nothing.
pub fn principal_label(id: &Identity, s: &Interner) -> String {
    principal_key(id, s).text(s).into_owned()
}

/// The `userName` AWS logs for a failed console sign-in whose user name is no user of the account
/// ("No username found in supplied account"), in place of what was typed. Names no one: such
/// attempts are told apart by account, not lumped together across accounts under this text.
pub const HIDDEN_USER_NAME: &str = "HIDDEN_DUE_TO_SECURITY_REASONS";

/// What [`principal_label`] makes its text from, so that events can be counted by principal without
/// making a string for each: keys are equal when their symbols are, and one symbol is one text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKey {
    /// The text of a symbol: an ARN, a service, a user name or a principal id.
    Text(Sym),
    /// `Identity Center user …`.
    IdentityCenterUser(Sym),
    /// `account …`.
    Account(Sym),
    /// `user name hidden by AWS, account …` (the account; see [`HIDDEN_USER_NAME`]).
    HiddenUser(Sym),
    /// `(not recorded)`.
    NotRecorded,
}

/// What [`principal_label`] names `id` by.
pub fn principal_key(id: &Identity, s: &Interner) -> PrincipalKey {
    if !id.arn.is_empty() {
        return PrincipalKey::Text(id.arn);
    }
    match id.kind {
        IdentityType::AwsInternal | IdentityType::AWSService if !id.invoked_by.is_empty() => {
            PrincipalKey::Text(id.invoked_by)
        }
        IdentityType::IdentityCenterUser if !id.on_behalf_user.is_empty() => {
            PrincipalKey::IdentityCenterUser(id.on_behalf_user)
        }
        _ if !id.user_name.is_empty() && s.get(id.user_name) == HIDDEN_USER_NAME => {
            PrincipalKey::HiddenUser(id.account_id)
        }
        _ if !id.user_name.is_empty() => PrincipalKey::Text(id.user_name),
        _ if !id.principal_id.is_empty() => PrincipalKey::Text(id.principal_id),
        _ if !id.account_id.is_empty() => PrincipalKey::Account(id.account_id),
        _ => PrincipalKey::NotRecorded,
    }
}

const IDENTITY_CENTER_USER: &str = "Identity Center user ";
const ACCOUNT: &str = "account ";
const HIDDEN_USER: &str = "user name hidden by AWS";
const NOT_RECORDED: &str = "(not recorded)";

impl PrincipalKey {
    /// The label's text.
    pub fn text(self, s: &Interner) -> Cow<'_, str> {
        match self {
            PrincipalKey::Text(sym) => s.get(sym),
            PrincipalKey::IdentityCenterUser(sym) => Cow::Owned(format!("{IDENTITY_CENTER_USER}{}", s.get(sym))),
            PrincipalKey::Account(sym) => Cow::Owned(format!("{ACCOUNT}{}", s.get(sym))),
            PrincipalKey::HiddenUser(acct) if acct.is_empty() => Cow::Borrowed(HIDDEN_USER),
            PrincipalKey::HiddenUser(acct) => Cow::Owned(format!("{HIDDEN_USER}, {ACCOUNT}{}", s.get(acct))),
            PrincipalKey::NotRecorded => Cow::Borrowed(NOT_RECORDED),
        }
    }

    /// Whether another key could give the same text: only a [`PrincipalKey::Text`] that reads like
    /// one of the labels made around a symbol (a user named `account 1234`, say). Two keys of the
    /// other kinds never give the same text unless they are equal: their texts start differently.
    pub fn may_share_text(self, s: &Interner) -> bool {
        let PrincipalKey::Text(sym) = self else { return false };
        // Stored bytes: a packed string starts with a byte text never has, and none of these do.
        let stored = s.stored(sym.0);
        stored.starts_with(IDENTITY_CENTER_USER.as_bytes())
            || stored.starts_with(ACCOUNT.as_bytes())
            || stored.starts_with(HIDDEN_USER.as_bytes())
            || stored == NOT_RECORDED.as_bytes()
    }
}
