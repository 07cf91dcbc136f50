//! Which client made a call, from its `userAgent`: the console, the AWS CLI, an SDK (by language),
//! Terraform, docker, `BuildKit`, containerd, the ECS agent, an AWS service, or something else.
//!
//! ```
//! use trailscope::analysis::identity::client::{classify, Client, SdkLang};
//! assert_eq!(classify("aws-cli/2.15.0 Python/3.11.6 Darwin/23.1.0 exe/x86_64 prompt/off"), Client::AwsCli);
//! assert_eq!(classify("Boto3/1.34.2 md/Botocore#1.34.2 ua/2.0 os/linux#6.1"), Client::Sdk(SdkLang::Python));
//! assert_eq!(classify("buildkit/v0.12").label(), "BuildKit");
//! ```
//!
//! User agents are free text that any caller sets, so this says what the text claims, not what ran.
//! Tools that embed an SDK name both (Terraform's agent contains `aws-sdk-go`, the AWS CLI v1's contains
//! `botocore`), so the more specific tools are tested first. Matching is case-insensitive.

use serde::{Deserialize, Serialize};

/// The language of an AWS SDK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum SdkLang {
    Python,
    Java,
    Go,
    JavaScript,
    DotNet,
    Ruby,
    Php,
    Rust,
    Cpp,
    Kotlin,
    Swift,
    PowerShell,
    /// An `aws-sdk-…` agent in a language not listed.
    Other,
}

/// A kind of client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Client {
    /// The AWS Management Console (`console.amazonaws.com`, `signin.amazonaws.com`, ...).
    Console,
    /// A web browser (sign-in pages, console-backed calls that pass the browser's agent).
    Browser,
    /// The AWS CLI (`aws-cli/…`), `CloudShell` included.
    AwsCli,
    /// An AWS SDK.
    Sdk(SdkLang),
    /// Terraform and its AWS provider.
    Terraform,
    /// The docker client and daemon (ECR logins, pushes, pulls).
    Docker,
    /// `BuildKit` (`docker buildx`, CI builders).
    Buildkit,
    /// containerd (Kubernetes nodes, Fargate, nerdctl).
    Containerd,
    /// The Amazon ECS container agent.
    EcsAgent,
    /// AWS itself: `AWS Internal`, or a service name such as `ecs-tasks.amazonaws.com`.
    AwsService,
    /// A user agent that names none of the above (curl, Go-http-client, custom tools).
    Other,
    /// No user agent in the event.
    NotRecorded,
}

impl Client {
    /// Every client kind, in display order.
    pub const ALL: [Client; 24] = [
        Client::Console,
        Client::Browser,
        Client::AwsCli,
        Client::Sdk(SdkLang::Python),
        Client::Sdk(SdkLang::Java),
        Client::Sdk(SdkLang::Go),
        Client::Sdk(SdkLang::JavaScript),
        Client::Sdk(SdkLang::DotNet),
        Client::Sdk(SdkLang::Ruby),
        Client::Sdk(SdkLang::Php),
        Client::Sdk(SdkLang::Rust),
        Client::Sdk(SdkLang::Cpp),
        Client::Sdk(SdkLang::Kotlin),
        Client::Sdk(SdkLang::Swift),
        Client::Sdk(SdkLang::PowerShell),
        Client::Sdk(SdkLang::Other),
        Client::Terraform,
        Client::Docker,
        Client::Buildkit,
        Client::Containerd,
        Client::EcsAgent,
        Client::AwsService,
        Client::Other,
        Client::NotRecorded,
    ];

    /// The label people see (and the filter's value).
    pub fn label(self) -> &'static str {
        match self {
            Client::Console => "Console",
            Client::Browser => "Web browser",
            Client::AwsCli => "AWS CLI",
            Client::Sdk(lang) => match lang {
                SdkLang::Python => "SDK (Python)",
                SdkLang::Java => "SDK (Java)",
                SdkLang::Go => "SDK (Go)",
                SdkLang::JavaScript => "SDK (JavaScript)",
                SdkLang::DotNet => "SDK (.NET)",
                SdkLang::Ruby => "SDK (Ruby)",
                SdkLang::Php => "SDK (PHP)",
                SdkLang::Rust => "SDK (Rust)",
                SdkLang::Cpp => "SDK (C++)",
                SdkLang::Kotlin => "SDK (Kotlin)",
                SdkLang::Swift => "SDK (Swift)",
                SdkLang::PowerShell => "SDK (PowerShell)",
                SdkLang::Other => "SDK (other)",
            },
            Client::Terraform => "Terraform",
            Client::Docker => "docker",
            Client::Buildkit => "BuildKit",
            Client::Containerd => "containerd",
            Client::EcsAgent => "ECS agent",
            Client::AwsService => "AWS service",
            Client::Other => "Other",
            Client::NotRecorded => "Not recorded",
        }
    }

    /// The client kind with this label.
    pub fn from_label(label: &str) -> Option<Client> {
        Client::ALL.into_iter().find(|c| c.label() == label)
    }

    /// Whether people, or tools people run, use this client interactively or in pipelines, as opposed
    /// to AWS itself or a missing agent.
    pub fn is_human_side(self) -> bool {
        !matches!(self, Client::AwsService | Client::NotRecorded)
    }
}

/// SDK agents: the text that names them and their language. Order matters only where one contains
/// another (`aws-sdk-java` before the `aws-sdk-` catch-all).
const SDKS: [(&str, SdkLang); 20] = [
    ("boto3/", SdkLang::Python),
    ("botocore/", SdkLang::Python),
    ("aws-sdk-java", SdkLang::Java),
    ("aws-java-sdk", SdkLang::Java),
    ("aws-sdk-go", SdkLang::Go),
    ("aws-sdk-js", SdkLang::JavaScript),
    ("aws-sdk-nodejs", SdkLang::JavaScript),
    ("aws-sdk-dotnet", SdkLang::DotNet),
    ("aws-sdk-net", SdkLang::DotNet),
    ("aws-sdk-ruby", SdkLang::Ruby),
    ("aws-sdk-php", SdkLang::Php),
    ("aws-sdk-rust", SdkLang::Rust),
    ("aws-sdk-cpp", SdkLang::Cpp),
    ("aws-sdk-kotlin", SdkLang::Kotlin),
    ("aws-sdk-swift", SdkLang::Swift),
    ("aws-sdk-powershell", SdkLang::PowerShell),
    ("awspowershell", SdkLang::PowerShell),
    ("lang/python", SdkLang::Python),
    ("lang/java", SdkLang::Java),
    ("aws-sdk-", SdkLang::Other),
];

/// Classifies a `userAgent`.
pub fn classify(user_agent: &str) -> Client {
    let ua = user_agent.trim();
    if ua.is_empty() {
        return Client::NotRecorded;
    }
    let lower = ua.to_ascii_lowercase();
    let has = |needle: &str| lower.contains(needle);
    // Tools first: each embeds an SDK or a library whose name would otherwise win.
    if has("amazon-ecs-agent") {
        return Client::EcsAgent;
    }
    if has("buildkit/") || lower.starts_with("buildkit") {
        return Client::Buildkit;
    }
    if has("docker/") || has("docker-client/") {
        return Client::Docker;
    }
    if lower.starts_with("containerd/") || has(" containerd/") {
        return Client::Containerd;
    }
    if has("terraform") {
        return Client::Terraform;
    }
    if has("aws-cli/") {
        return Client::AwsCli;
    }
    if is_console(&lower) {
        return Client::Console;
    }
    if lower.starts_with("aws internal") || has("aws-internal/") {
        return Client::AwsService;
    }
    if let Some(&(_, lang)) = SDKS.iter().find(|(needle, _)| has(needle)) {
        return Client::Sdk(lang);
    }
    if lower.starts_with("mozilla/") {
        return Client::Browser;
    }
    if is_service_name(&lower) {
        return Client::AwsService;
    }
    Client::Other
}

/// `console.amazonaws.com`, `console.ec2.amazonaws.com`, `signin.amazonaws.com`, the S3 console's
/// `[S3Console/0.4, aws-internal/3 …]`: the console's own agents.
fn is_console(lower: &str) -> bool {
    lower == "signin.amazonaws.com"
        || lower.contains("s3console/")
        || (lower.starts_with("console.") && lower.ends_with(".amazonaws.com"))
}

/// A bare service host name such as `ecs-tasks.amazonaws.com`, `cloudformation.amazonaws.com` or
/// `[ssm.amazonaws.com]`: AWS calling on someone's behalf.
fn is_service_name(lower: &str) -> bool {
    let host = lower.trim_start_matches('[').trim_end_matches(']');
    !host.contains(' ') && (host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn"))
}

/// Whether a user agent names a penetration-testing distribution (Kali, Parrot, Pentoo), as AWS
/// `GuardDuty`'s `PenTest:IAMUser/*` findings do.
pub fn pentest_distribution(user_agent: &str) -> Option<&'static str> {
    let lower = user_agent.to_ascii_lowercase();
    [("kali", "Kali Linux"), ("parrot", "Parrot Security"), ("pentoo", "Pentoo")]
        .into_iter()
        .find(|(needle, _)| lower.contains(needle))
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Real user agents, copied from the sample (AWS documentation examples and generator), the shared
    // corpus (invictus-ir, Stratus Red Team, TrailDiscover, awsdocs) and AWS's user-agent docs.
    #[test]
    fn ok_real_agents() {
        let cases: &[(&str, Client)] = &[
            ("console.amazonaws.com", Client::Console),
            ("console.ec2.amazonaws.com", Client::Console),
            ("signin.amazonaws.com", Client::Console),
            ("AWS Internal", Client::AwsService),
            ("aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.184", Client::AwsService),
            ("ecs-tasks.amazonaws.com", Client::AwsService),
            ("[ssm.amazonaws.com]", Client::AwsService),
            ("aws-cli/2.15.0 Python/3.11.6 Darwin/23.1.0 exe/x86_64 prompt/off", Client::AwsCli),
            ("aws-cli/1.16.248 Python/3.4.7 Linux/4.9.184 botocore/1.12.239", Client::AwsCli),
            (
                "APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) terraform-provider-aws/3.76.1 \
                 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.44.157 (go1.19.3; linux; amd64)",
                Client::Terraform,
            ),
            (
                "Boto3/1.34.2 md/Botocore#1.34.2 ua/2.0 os/linux#6.1 lang/python#3.11.6 Botocore/1.34.2",
                Client::Sdk(SdkLang::Python),
            ),
            ("Boto3/1.17.46 Python/3.8.8 Windows/10 Botocore/1.20.46", Client::Sdk(SdkLang::Python)),
            (
                "aws-sdk-java/2.21.29 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS Java/17.0.9",
                Client::Sdk(SdkLang::Java),
            ),
            ("aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 md/GOOS#linux api/ecr#1.24.6", Client::Sdk(SdkLang::Go)),
            (
                "aws-sdk-js/3.363.0 ua/2.0 os/linux#5.10 lang/js md/nodejs#18.16.1 api/s3#3.363.0",
                Client::Sdk(SdkLang::JavaScript),
            ),
            (
                "aws-sdk-dotnet-coreclr/3.7.300.2 aws-sdk-dotnet-core/3.7.300.2 .NET_Core/6.0.25",
                Client::Sdk(SdkLang::DotNet),
            ),
            ("aws-sdk-ruby3/3.186.1 ruby/3.2.2 x86_64-linux aws-sdk-s3/1.136.0", Client::Sdk(SdkLang::Ruby)),
            (
                "docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/6.2.0 os/linux arch/amd64 \
                 UpstreamClient(Docker-Client/24.0.7 \\(linux\\))",
                Client::Docker,
            ),
            ("buildkit/v0.12", Client::Buildkit),
            ("containerd/1.7.11", Client::Containerd),
            ("amazon-ecs-agent/1.79.2 (linux; amd64)", Client::EcsAgent),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
                Client::Browser,
            ),
            ("[S3Console/0.4, aws-internal/3 aws-sdk-java/1.11.1030 Linux/5.4.129]", Client::Console),
            ("Go-http-client/1.1", Client::Other),
            ("stratus-red-team_fccf7123-0651-41f5-b06c-460da5ee1c94", Client::Other),
        ];
        for &(ua, want) in cases {
            assert_eq!(classify(ua), want, "{ua}");
        }
    }

    #[test]
    fn ok_empty_and_whitespace_are_not_recorded() {
        assert_eq!(classify(""), Client::NotRecorded);
        assert_eq!(classify("   "), Client::NotRecorded);
    }

    #[test]
    fn ok_labels_round_trip_and_are_distinct() {
        let labels: std::collections::HashSet<&str> = Client::ALL.iter().map(|c| c.label()).collect();
        assert_eq!(labels.len(), Client::ALL.len());
        for c in Client::ALL {
            assert_eq!(Client::from_label(c.label()), Some(c));
        }
        assert_eq!(Client::from_label("no such client"), None);
    }

    #[test]
    fn ok_pentest_distributions() {
        assert_eq!(
            pentest_distribution("aws-cli/1.18.69 Python/3.8.5 Linux/5.7.0-kali1-amd64 botocore/1.17.12"),
            Some("Kali Linux")
        );
        assert_eq!(
            pentest_distribution("Boto3/1.9.201 Python/3.7.3 Linux/4.19.0-parrot1-13t-amd64"),
            Some("Parrot Security")
        );
        assert_eq!(pentest_distribution("aws-cli/2.15.0 Python/3.11.6 Darwin/23.1.0"), None);
    }
}
