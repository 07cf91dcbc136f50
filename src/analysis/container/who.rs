//! Who pushed or pulled, and with what: the client named by the user agent, and the kind of
//! principal (a person, a CI role, an ECS task's execution role, an EC2 instance role, a service,
//! another account).

use std::borrow::Cow;

use crate::analysis::identity::origin::origin;
use crate::analysis::principal::principal_label;
use crate::model::{Identity, IdentityType};
use crate::store::{Row, Store};

use super::report::Who;

/// The client a user agent names, with its version when the agent says it: `Docker 24.0.7`,
/// `AWS CLI 2.15.0`, `ECS agent 1.79.2`. The order matters: Terraform embeds the Go SDK's agent,
/// Docker's names its `containerd`-free upstream client, so the more specific names come first.
pub fn client(ua: &str) -> String {
    let l = ua.to_ascii_lowercase();
    let ver = |key: &str| version_after(ua, &l, key);
    let named = |name: &str, key: &str| match ver(key) {
        Some(v) => format!("{name} {v}"),
        None => name.to_owned(),
    };
    if ua.is_empty() {
        return "(no user agent)".into();
    }
    if l == "aws internal" {
        return "AWS internal".into();
    }
    if l.contains("console.amazonaws.com") || l.contains("signin.amazonaws.com") || l.starts_with("mozilla/") {
        return "AWS console".into();
    }
    let rules: [(&str, &str, &str); 19] = [
        ("amazon-ecs-agent", "ECS agent", "amazon-ecs-agent/"),
        ("buildkit", "BuildKit", "buildkit/"),
        ("terraform", "Terraform", "terraform/"),
        ("aws-cdk", "AWS CDK", "aws-cdk/"),
        ("cloudformation", "CloudFormation", ""),
        ("kaniko", "kaniko", "kaniko/"),
        ("buildah", "Buildah", "buildah/"),
        ("podman", "Podman", "podman/"),
        ("skopeo", "skopeo", "skopeo/"),
        ("go-containerregistry", "crane / go-containerregistry", "go-containerregistry/"),
        ("docker-client", "Docker", "docker-client/"),
        ("docker/", "Docker", "docker/"),
        ("containerd", "containerd", "containerd/"),
        ("kubelet", "kubelet", "kubelet/"),
        ("ecr-credential-helper", "ECR credential helper", ""),
        ("aws-cli/", "AWS CLI", "aws-cli/"),
        ("aws-powershell", "AWS Tools for PowerShell", ""),
        ("boto3", "Python SDK (boto3)", "boto3/"),
        ("botocore", "Python SDK (botocore)", "botocore/"),
    ];
    for (needle, name, key) in rules {
        if l.contains(needle) {
            return if key.is_empty() { name.to_owned() } else { named(name, key) };
        }
    }
    if let Some(i) = l.find("aws-sdk-") {
        let lang: String = l[i + 8..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        return format!("AWS SDK ({lang})");
    }
    if l.starts_with("go-http-client") {
        return "Go HTTP client".into();
    }
    if l.ends_with(".amazonaws.com") {
        return format!("AWS service ({ua})");
    }
    "Other".into()
}

/// The version after `key` in `ua` (matched case-insensitively via `lower`), up to a space,
/// parenthesis or semicolon, without a leading `v`.
fn version_after(ua: &str, lower: &str, key: &str) -> Option<String> {
    let at = lower.find(key)? + key.len();
    let v: String = ua[at..].chars().take_while(|c| !matches!(c, ' ' | '(' | ')' | ';' | ',')).collect();
    let v = v.trim_start_matches(['v', 'V']);
    (!v.is_empty() && v.len() <= 40 && v.chars().next().is_some_and(|c| c.is_ascii_digit())).then(|| v.to_owned())
}

/// The role part of an assumed-role session (`assumed-role/<role>/<session>`): (role, session).
fn role_session(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.split_once(":assumed-role/")?.1;
    rest.split_once('/')
}

/// Describes the principal of row `r` for a push or pull into a repository of account `owner`,
/// with who is behind its role session ([`origin`]).
pub fn who(store: &Store, r: Row, owner: &str) -> Who {
    let mut w = caller(store, r, owner);
    if let Some(o) = origin(store, store.identity(r).access_key) {
        // A plain role session says more as what is behind it: "CI workflow (role)".
        if let Some(kind) = o.kind().filter(|_| w.kind == ROLE_SESSION) {
            kind.clone_into(&mut w.kind);
        }
        (w.origin, w.origin_via, w.origin_principal) = (o.who, o.via, o.started_by);
    }
    w
}

/// [`who`] without [`Who::origin`], which follows the session's STS calls: for a figure over
/// every call (the accounts that pulled from a repository), not a row shown.
pub fn caller(store: &Store, r: Row, owner: &str) -> Who {
    let id = &store.identity(r);
    let s = &store.strings;
    let ip = store.str(store.ip(r));
    let ua = store.str(store.user_agent(r));
    let arn = s.get(id.arn);
    let account = account_of(id, store);
    let (kind, role) = kind_of(id, store, &ip, &ua);
    Who {
        principal: principal_label(id, s),
        kind,
        role,
        account: account.to_string(),
        cross_account: !account.is_empty() && !owner.is_empty() && account != owner,
        client: client(&ua),
        user_agent: ua.into_owned(),
        ip: ip.into_owned(),
        arn: arn.into_owned(),
        access_key: s.get(id.access_key).into_owned(),
        origin: String::new(),
        origin_via: String::new(),
        origin_principal: String::new(),
    }
}

/// The kind of a role session nothing else names (see [`kind_of`]).
const ROLE_SESSION: &str = "Role session";

/// The caller's account: `userIdentity.accountId`, else the session issuer's.
fn account_of<'s>(id: &Identity, store: &'s Store) -> Cow<'s, str> {
    let a = store.str(id.account_id);
    if a.is_empty() {
        store.str(id.issuer_account)
    } else {
        a
    }
}

/// (kind of principal, role name when it is a role session).
fn kind_of(id: &Identity, store: &Store, ip: &str, ua: &str) -> (String, String) {
    let s = &store.strings;
    let invoked = s.get(id.invoked_by);
    let arn = s.get(id.arn);
    let (role, session) = role_session(&arn).unwrap_or(("", ""));
    let role = if role.is_empty() { s.get(id.issuer_name) } else { Cow::Borrowed(role) };
    let kind = match id.kind {
        IdentityType::AssumedRole | IdentityType::Role => {
            if invoked == "ecs-tasks.amazonaws.com" || ip == "ecs-tasks.amazonaws.com" {
                "ECS task execution role"
            } else if session.starts_with("i-")
                && session.len() > 2
                && session[2..].bytes().all(|b| b.is_ascii_hexdigit())
            {
                "EC2 instance role"
            } else if ua.to_ascii_lowercase().contains("amazon-ecs-agent") {
                "ECS agent (role)"
            } else if role.starts_with("AWSReservedSSO_") {
                "Person (IAM Identity Center)"
            } else if !invoked.is_empty() && invoked.ends_with(".amazonaws.com") {
                "AWS service (role)"
            } else {
                ROLE_SESSION
            }
        }
        IdentityType::IAMUser => "IAM user",
        IdentityType::Root => "Root user",
        IdentityType::FederatedUser | IdentityType::SAMLUser | IdentityType::WebIdentityUser => "Federated user",
        IdentityType::IdentityCenterUser => "Person (IAM Identity Center)",
        IdentityType::AWSService | IdentityType::AwsInternal => "AWS service",
        IdentityType::AWSAccount => "Another AWS account",
        _ => "Unknown",
    };
    (kind.to_owned(), role.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_clients_from_user_agents_seen_in_the_wild() {
        // User agents as the generator (after real ones) and AWS's documentation write them.
        let cases = [
            ("docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/6.2.0 os/linux arch/amd64 UpstreamClient(Docker-Client/24.0.7 \\(linux\\))", "Docker 24.0.7"),
            ("aws-cli/2.15.0 Python/3.11.6 Linux/6.1.61 exe/x86_64.amzn.2 prompt/off command/ecr.put-image", "AWS CLI 2.15.0"),
            ("buildkit/v0.12", "BuildKit 0.12"),
            ("console.amazonaws.com", "AWS console"),
            ("amazon-ecs-agent/1.79.2 (linux; amd64)", "ECS agent 1.79.2"),
            ("containerd/1.7.11", "containerd 1.7.11"),
            ("Go-http-client/1.1", "Go HTTP client"),
            ("aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 md/GOOS#linux api/ecr#1.24.6", "AWS SDK (go-v2)"),
            ("terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.24.0", "Terraform"),
            ("Boto3/1.34.2 md/Botocore#1.34.2 ua/2.0 os/linux#6.1 lang/python#3.11.6", "Python SDK (boto3) 1.34.2"),
            ("AWS Internal", "AWS internal"),
            ("", "(no user agent)"),
            ("curl/8.0", "Other"),
        ];
        for (ua, want) in cases {
            assert_eq!(client(ua), want, "{ua}");
        }
    }

    #[test]
    fn ok_role_sessions() {
        assert_eq!(
            role_session("arn:aws:sts::1:assumed-role/ecsTaskExecutionRole/abc"),
            Some(("ecsTaskExecutionRole", "abc"))
        );
        assert_eq!(role_session("arn:aws:iam::1:user/Mary"), None);
    }
}
