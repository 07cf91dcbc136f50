//! Who is behind a role session: the workflow, pod or person an identity provider vouched for, the
//! source identity set along its role chain, or the IAM user whose long-term key opened it; and
//! who is behind a long-term key someone made for another user (`CreateAccessKey` in the logs). For
//! each caller shown (the Images tab's pushes and pulls, the changes to logging, the Identities
//! tab's sessions and keys), never for every call.

use serde::{Deserialize, Serialize};

use super::chains::{walk, ChainEnd};
use crate::analysis::principal::principal_label;
use crate::facts::credentials::StsCall;
use crate::model::{KeyKind, Sym};
use crate::store::Store;

/// Who is behind a role session, as far as the logs tell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The identity provider's subject, the source identity, or the principal.
    pub who: String,
    /// How that is known: the provider's name, `source identity` or `long-term key`.
    pub via: String,
    /// Who made the first STS call of the chain (the filter's `origin`).
    pub started_by: String,
}

/// Who is behind the session whose temporary key signed a call, as far as the logs tell. The
/// session's role chain ([`walk`]) is followed back to the first STS call in the logs; the identity
/// provider's subject there wins (who the provider vouched for: a GitHub Actions workflow's
/// `repo:acme/app:ref:refs/heads/main`, an EKS pod's `system:serviceaccount:ns:name`, a SAML
/// user), then a source identity set anywhere along the chain, then the IAM user or root whose
/// long-term key made the first call, or whoever made that key for its user. For a long-term key,
/// whoever made it for its user. `None` when none of these is in the logs.
pub fn origin(store: &Store, key: Sym) -> Option<Origin> {
    match KeyKind::of(&store.str(key)) {
        KeyKind::LongTerm => return made_by(store, key),
        KeyKind::Temporary => {}
        _ => return None,
    }
    let (grants, end) = walk(store, key)?;
    let first = grants.last()?;
    let started_by = principal_label(&store.identity(first.row), &store.strings);
    let subject = store.str(first.subject);
    let (who, via) = if !subject.is_empty() {
        (subject.into_owned(), provider_name(first.call, &store.str(first.provider)))
    } else if let Some(g) = grants.iter().rev().find(|g| g.source_identity != Sym::EMPTY) {
        // The first call's source identity is the one that stuck: a later one cannot change it.
        (store.str(g.source_identity).into_owned(), "source identity".to_owned())
    } else if end == ChainEnd::LongTermKey {
        // A chain begun with a key someone made for its user is that someone's.
        if let Some(o) = made_by(store, store.identity(first.row).access_key) {
            return Some(o);
        }
        (started_by.clone(), "long-term key".to_owned())
    } else {
        return None;
    };
    Some(Origin { who, via, started_by })
}

/// How an [`Origin`] is known when a long-term key was made for its user by another principal.
pub const MADE_KEY: &str = "key made by";

/// Who made long-term key `key` for another user (`CreateAccessKey` in these logs), as the
/// origin of what the key signs.
fn made_by(store: &Store, key: Sym) -> Option<Origin> {
    let c = store.iam.made_for_another(store, key)?;
    let maker = principal_label(&store.identity(c.row), &store.strings);
    Some(Origin { who: maker.clone(), via: MADE_KEY.to_owned(), started_by: maker })
}

impl Origin {
    /// What a role session is, by who is behind it: a CI workflow, a Kubernetes pod, a person
    /// signed in through an identity provider; `None` when the provider says nothing of the kind
    /// (a source identity, a long-term key, an unknown issuer).
    pub fn kind(&self) -> Option<&'static str> {
        Some(match self.via.as_str() {
            "GitHub Actions" | "GitLab CI/CD" | "HCP Terraform" | "CircleCI" | "Bitbucket Pipelines" => {
                "CI workflow (role)"
            }
            "EKS service account" => "EKS pod (role)",
            "IAM Identity Center" => "Person (IAM Identity Center)",
            via if via.starts_with("SAML (") => "Person (SAML)",
            _ => return None,
        })
    }
}

/// A name for the identity provider of a web identity or SAML session: the well-known CI and
/// cluster issuers by name, IAM Identity Center for its SAML issuer, else the issuer's host (an
/// OIDC provider's ARN ends with it).
fn provider_name(call: StsCall, provider: &str) -> String {
    let issuer = provider.split_once(":oidc-provider/").map_or(provider, |(_, host)| host);
    // Okta's SAML issuer is `http://www.okta.com/<id>`; others' are `https://`.
    let issuer = issuer.split_once("://").map_or(issuer, |(_, rest)| rest);
    let host = issuer.split('/').next().unwrap_or(issuer).to_ascii_lowercase();
    let named = match host.as_str() {
        "token.actions.githubusercontent.com" => "GitHub Actions",
        "gitlab.com" => "GitLab CI/CD",
        "app.terraform.io" => "HCP Terraform",
        "oidc.circleci.com" => "CircleCI",
        "api.bitbucket.org" => "Bitbucket Pipelines",
        "accounts.google.com" => "Google",
        "cognito-identity.amazonaws.com" => "Amazon Cognito",
        h if h.starts_with("oidc.eks.") && h.ends_with(".amazonaws.com") => "EKS service account",
        h if h.starts_with("portal.sso.") && h.ends_with(".amazonaws.com") => "IAM Identity Center",
        _ => "",
    };
    match (named, call) {
        ("", _) if host.is_empty() => call.label().to_owned(),
        ("", StsCall::AssumeRoleWithSaml) => format!("SAML ({host})"),
        ("", _) => host,
        (name, _) => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_identity_providers_named() {
        // Provider ARNs and issuers as the STS responses write them (GitHub's from a workflow's
        // AssumeRoleWithWebIdentity in the corpus; EKS's and Identity Center's per their guides).
        let web = StsCall::AssumeRoleWithWebIdentity;
        let cases = [
            (web, "arn:aws:iam::774305579662:oidc-provider/token.actions.githubusercontent.com", "GitHub Actions"),
            (
                web,
                "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
                "EKS service account",
            ),
            (web, "arn:aws:iam::111122223333:oidc-provider/gitlab.com", "GitLab CI/CD"),
            (web, "accounts.google.com", "Google"),
            (web, "arn:aws:iam::111122223333:oidc-provider/auth.example.com/realms/ci", "auth.example.com"),
            (web, "", "AssumeRoleWithWebIdentity"),
            (
                StsCall::AssumeRoleWithSaml,
                "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MTExMTIyMjIzMzMzX2lucy1leGFtcGxl",
                "IAM Identity Center",
            ),
            (StsCall::AssumeRoleWithSaml, "https://idp.example.com/saml2", "SAML (idp.example.com)"),
            (StsCall::AssumeRoleWithSaml, "http://www.okta.com/exk1", "SAML (www.okta.com)"),
        ];
        for (call, provider, want) in cases {
            assert_eq!(provider_name(call, provider), want, "{provider}");
        }
    }

    #[test]
    fn ok_kinds_of_session_by_who_is_behind_them() {
        let of = |via: &str| Origin { who: "x".into(), via: via.into(), started_by: "y".into() }.kind();
        assert_eq!(of("GitLab CI/CD"), Some("CI workflow (role)"));
        assert_eq!(of("EKS service account"), Some("EKS pod (role)"));
        assert_eq!(of("SAML (www.okta.com)"), Some("Person (SAML)"));
        assert_eq!(of("IAM Identity Center"), Some("Person (IAM Identity Center)"));
        for via in ["long-term key", "source identity", "auth.example.com", "Google"] {
            assert_eq!(of(via), None, "{via}");
        }
    }
}
