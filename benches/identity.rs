//! Identity report cost against the overview's counts, measured in the same run on the same
//! synthetic events (users with long-term keys, role sessions opened by `AssumeRole`, several
//! clients, addresses and some refused calls).
//!
//!     cargo bench --bench identity
//!
//! Compare `identity/report` with `identity/counts (baseline)`: the ratio is the figure to quote.

use std::fmt::Write;

use criterion::{criterion_group, criterion_main, Criterion};
use trailscope::analysis::counts::count;
use trailscope::analysis::filter::{Compiled, Field, Filter};
use trailscope::analysis::identity::report;
use trailscope::engine::Engine;

/// Events generated.
const EVENTS: usize = 100_000;

const AGENTS: [&str; 6] = [
    "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64 prompt/off",
    "Boto3/1.34.2 md/Botocore#1.34.2 ua/2.0 os/linux#6.1 lang/python#3.11.6",
    "buildkit/v0.12",
    "amazon-ecs-agent/1.79.2 (linux; amd64)",
    "terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.24.0",
    "console.amazonaws.com",
];

fn events() -> Vec<u8> {
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut out = String::from(r#"{"Records":["#);
    let mut sessions: Vec<String> = Vec::new();
    for i in 0..EVENTS {
        if i > 0 {
            out.push(',');
        }
        let (t, agent, ip) = (i as u64, AGENTS[next(6) as usize], format!("198.51.100.{}", next(40)));
        let user = next(50);
        let error = if next(50) == 0 { r#","errorCode":"AccessDenied""# } else { "" };
        let (identity, name, extra) = if next(20) == 0 || sessions.is_empty() {
            let key = format!("ASIA{i:016}");
            sessions.push(key.clone());
            (
                format!(
                    r#"{{"type":"IAMUser","arn":"arn:aws:iam::111111111111:user/u{user}","accessKeyId":"AKIA{user:016}"}}"#
                ),
                "AssumeRole",
                format!(
                    r#","responseElements":{{"credentials":{{"accessKeyId":"{key}"}},"assumedRoleUser":{{"arn":"arn:aws:sts::111111111111:assumed-role/R{}/s{i}"}}}}"#,
                    i % 30
                ),
            )
        } else {
            let key = &sessions[next(sessions.len() as u64) as usize];
            (
                format!(
                    r#"{{"type":"AssumedRole","arn":"arn:aws:sts::111111111111:assumed-role/R{r}/s{key}","accessKeyId":"{key}",
                    "sessionContext":{{"sessionIssuer":{{"type":"Role","arn":"arn:aws:iam::111111111111:role/R{r}"}},"attributes":{{"mfaAuthenticated":"false"}}}}}}"#,
                    r = key.len() % 30
                ),
                "PutImage",
                String::new(),
            )
        };
        let source = if name == "AssumeRole" { "sts" } else { "ecr" };
        let _ = write!(
            out,
            r#"{{"eventTime":"2026-03-01T{:02}:{:02}:{:02}Z","eventSource":"{source}.amazonaws.com","eventName":"{name}",
            "eventID":"00000000-0000-4000-8000-{i:012}","awsRegion":"us-east-1","sourceIPAddress":"{ip}","userAgent":"{agent}",
            "readOnly":false,"userIdentity":{identity}{error}{extra}}}"#,
            t / 3600 % 24,
            t / 60 % 60,
            t % 60
        );
    }
    out.push_str("]}");
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    let mut engine = Engine::new();
    engine.ingest_bytes("synthetic.json", &events());
    let store = engine.store();
    assert_eq!(store.len(), EVENTS, "every synthetic event is held");
    let all = Compiled::new(&Filter::default(), store);
    let mut g = c.benchmark_group("identity");
    g.sample_size(10);
    g.bench_function("counts (baseline)", |b| b.iter(|| count(store, all.rows())));
    g.bench_function("report", |b| b.iter(|| report(store, all.rows())));
    let origin = Filter::default().with(Field::Origin, "arn:aws:iam::111111111111:user/u7");
    g.bench_function("report, started-by filter", |b| {
        b.iter(|| {
            let c = Compiled::new(&origin, store);
            report(store, c.rows())
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
