//! AWS KMS `CreateGrant` calls that ECR makes for a KMS-encrypted repository: the grant's
//! encryption context names the repository (`constraints.encryptionContextSubset["aws:ecr:arn"]`).

use serde::Deserialize;

use super::lenient::{parse, texts, List};
use super::{parse_repo_arn, Found, Kind, Sink};
use crate::ingest::raw::{Lenient, Obj, RawEvent, Text};

#[derive(Deserialize, Default)]
#[serde(default)]
struct Context<'a> {
    #[serde(borrow, rename = "aws:ecr:arn")]
    ecr_arn: Lenient<Text<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Constraints<'a> {
    #[serde(borrow)]
    encryption_context_subset: Obj<Context<'a>>,
    #[serde(borrow)]
    encryption_context_equals: Obj<Context<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Request<'a> {
    #[serde(borrow)]
    key_id: Lenient<Text<'a>>,
    #[serde(borrow)]
    grantee_principal: Lenient<Text<'a>>,
    #[serde(borrow)]
    operations: List<Lenient<Text<'a>>, 16>,
    #[serde(borrow)]
    constraints: Obj<Constraints<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Response<'a> {
    #[serde(borrow)]
    grant_id: Lenient<Text<'a>>,
}

/// Reads a `CreateGrant`; grants for anything but an ECR repository are not recorded.
pub(super) fn read(raw: &RawEvent, sink: &mut Sink) -> Found {
    let req: Request = parse(raw.request_parameters)?;
    let c = req.constraints.0.ok()?;
    let arn = [&c.encryption_context_subset, &c.encryption_context_equals]
        .into_iter()
        .filter_map(|ctx| ctx.0.ok())
        .map(|ctx| ctx.ecr_arn.str())
        .find(|a| !a.is_empty())?;
    let (account, _region, name) = parse_repo_arn(arn)?;
    let resp: Response = parse(raw.response_elements).unwrap_or_default();
    let operations = texts(&req.operations).collect::<Vec<_>>().join(", ");
    let kind = Kind::KmsGrant {
        key: sink.sym(req.key_id.str()),
        grantee: sink.sym(req.grantee_principal.str()),
        operations: sink.sym(&operations),
        grant_id: sink.sym(resp.grant_id.str()),
    };
    Some((sink.sym(account), sink.sym(name), kind))
}
