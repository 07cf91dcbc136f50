//! A readable name for whoever made a call.

use crate::model::{Identity, IdentityType};
use crate::store::Interner;

/// The principal as an investigator would name it: the ARN where there is one (for a role session,
/// the session's `assumed-role/...` ARN), else the service, the Identity Center user, the user name,
/// or the principal id; `(not recorded)` when the event carries nothing.
pub fn principal_label(id: &Identity, s: &Interner) -> String {
    let arn = s.get(id.arn);
    if !arn.is_empty() {
        return arn.into_owned();
    }
    match id.kind {
        IdentityType::AwsInternal | IdentityType::AWSService if !id.invoked_by.is_empty() => {
            s.get(id.invoked_by).into_owned()
        }
        IdentityType::IdentityCenterUser if !id.on_behalf_user.is_empty() => {
            format!("Identity Center user {}", s.get(id.on_behalf_user))
        }
        _ if !id.user_name.is_empty() => s.get(id.user_name).into_owned(),
        _ if !id.principal_id.is_empty() => s.get(id.principal_id).into_owned(),
        _ if !id.account_id.is_empty() => format!("account {}", s.get(id.account_id)),
        _ => "(not recorded)".to_owned(),
    }
}
