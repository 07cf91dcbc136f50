//! Who made a call: CloudTrail's `userIdentity`, reduced to what triage needs.
//!
//! Every string is a [`Sym`] into the store's interner, so an identity is a small fixed-size value
//! that is interned once and shared by all the events it made. Fields that a source does not carry
//! (the console CSV export has no type, ARN or MFA) stay empty and `source_known` says so: nothing is
//! invented.

use serde::{Deserialize, Serialize};

use super::Sym;

/// `userIdentity.type`, plus the two cases AWS leaves without a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[allow(missing_docs)]
pub enum IdentityType {
    Root,
    IAMUser,
    AssumedRole,
    Role,
    FederatedUser,
    Directory,
    AWSAccount,
    AWSService,
    IdentityCenterUser,
    SAMLUser,
    WebIdentityUser,
    /// `type: "Unknown"`, as AWS writes it (Identity Center sign-in, some SSO events).
    Unknown,
    /// No `type`, only `invokedBy` (service-made events such as ECR lifecycle expiries).
    AwsInternal,
    /// A type not in AWS's documented list; its text is kept in [`Identity::type_name`].
    Other,
    /// No `userIdentity` at all (Insights events), or a source that does not carry it (CSV).
    #[default]
    NotRecorded,
}

impl IdentityType {
    /// Every variant, in display order.
    pub const ALL: [IdentityType; 15] = [
        IdentityType::Root,
        IdentityType::IAMUser,
        IdentityType::AssumedRole,
        IdentityType::Role,
        IdentityType::FederatedUser,
        IdentityType::Directory,
        IdentityType::AWSAccount,
        IdentityType::AWSService,
        IdentityType::IdentityCenterUser,
        IdentityType::SAMLUser,
        IdentityType::WebIdentityUser,
        IdentityType::Unknown,
        IdentityType::AwsInternal,
        IdentityType::Other,
        IdentityType::NotRecorded,
    ];

    /// Parses `userIdentity.type`.
    pub fn parse(s: &str) -> IdentityType {
        match s {
            "Root" => IdentityType::Root,
            "IAMUser" => IdentityType::IAMUser,
            "AssumedRole" => IdentityType::AssumedRole,
            "Role" => IdentityType::Role,
            "FederatedUser" => IdentityType::FederatedUser,
            "Directory" => IdentityType::Directory,
            "AWSAccount" => IdentityType::AWSAccount,
            "AWSService" => IdentityType::AWSService,
            "IdentityCenterUser" => IdentityType::IdentityCenterUser,
            "SAMLUser" => IdentityType::SAMLUser,
            "WebIdentityUser" => IdentityType::WebIdentityUser,
            "Unknown" => IdentityType::Unknown,
            _ => IdentityType::Other,
        }
    }

    /// The label people see, AWS's own spelling where there is one.
    pub fn label(self) -> &'static str {
        match self {
            IdentityType::Root => "Root",
            IdentityType::IAMUser => "IAMUser",
            IdentityType::AssumedRole => "AssumedRole",
            IdentityType::Role => "Role",
            IdentityType::FederatedUser => "FederatedUser",
            IdentityType::Directory => "Directory",
            IdentityType::AWSAccount => "AWSAccount",
            IdentityType::AWSService => "AWSService",
            IdentityType::IdentityCenterUser => "IdentityCenterUser",
            IdentityType::SAMLUser => "SAMLUser",
            IdentityType::WebIdentityUser => "WebIdentityUser",
            IdentityType::Unknown => "Unknown",
            IdentityType::AwsInternal => "AWS internal",
            IdentityType::Other => "Other",
            IdentityType::NotRecorded => "Not recorded",
        }
    }
}

/// Whether multi-factor authentication was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub enum Mfa {
    /// `mfaAuthenticated: "true"` or `MFAUsed: "Yes"`.
    Yes,
    /// `mfaAuthenticated: "false"` or `MFAUsed: "No"`.
    No,
    /// Not recorded.
    #[default]
    Unknown,
}

/// What kind of access key signed the call, from its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KeyKind {
    /// `AKIA...`: an IAM user's or root's long-term key.
    LongTerm,
    /// `ASIA...`: temporary credentials from STS.
    Temporary,
    /// Some other prefix.
    Other,
    /// No key in the event (console, service, or `""`).
    None,
}

impl KeyKind {
    /// Classifies an access key id.
    pub fn of(key: &str) -> KeyKind {
        if key.is_empty() {
            KeyKind::None
        } else if key.starts_with("AKIA") {
            KeyKind::LongTerm
        } else if key.starts_with("ASIA") {
            KeyKind::Temporary
        } else {
            KeyKind::Other
        }
    }

    /// The label people see.
    pub fn label(self) -> &'static str {
        match self {
            KeyKind::LongTerm => "Long-term (AKIA)",
            KeyKind::Temporary => "Temporary (ASIA)",
            KeyKind::Other => "Other",
            KeyKind::None => "No key",
        }
    }
}

/// One distinct identity, interned in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Identity {
    /// `type`, or why there is none.
    pub kind: IdentityType,
    /// The raw `type` text when `kind` is [`IdentityType::Other`].
    pub type_name: Sym,
    /// `principalId`.
    pub principal_id: Sym,
    /// `arn`.
    pub arn: Sym,
    /// `accountId`.
    pub account_id: Sym,
    /// `userName` (for CSV: the "User name" column, which may be a session name).
    pub user_name: Sym,
    /// `accessKeyId`.
    pub access_key: Sym,
    /// `sessionContext.sessionIssuer.type`.
    pub issuer_type: Sym,
    /// `sessionContext.sessionIssuer.arn`: for a role session, the role.
    pub issuer_arn: Sym,
    /// `sessionContext.sessionIssuer.userName`.
    pub issuer_name: Sym,
    /// `sessionContext.sessionIssuer.accountId`.
    pub issuer_account: Sym,
    /// `sessionContext.sourceIdentity`.
    pub source_identity: Sym,
    /// `sessionContext.webIdFederationData.federatedProvider`.
    pub web_id_provider: Sym,
    /// `invokedBy`: the service that called on the principal's behalf.
    pub invoked_by: Sym,
    /// `onBehalfOf.userId`: the Identity Center user.
    pub on_behalf_user: Sym,
    /// `onBehalfOf.identityStoreArn`.
    pub identity_store: Sym,
    /// `identityProvider` (SAML / web identity).
    pub identity_provider: Sym,
    /// `sessionContext.attributes.mfaAuthenticated`.
    pub mfa: Mfa,
    /// False when the source cannot carry identity details (console CSV), so gaps are "unknown".
    pub source_known: bool,
}
