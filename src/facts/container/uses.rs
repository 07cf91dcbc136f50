//! Other services' calls that name ECR images in their request: a `SageMaker` model
//! (`CreateModel`'s `primaryContainer.image`), a Batch job definition, a `CodeBuild` project's build
//! image, an App Runner service, a Lambda function... Where each service writes the URI differs
//! and most are not documented for CloudTrail, so the request is searched for any string that is
//! an ECR image URI rather than read field by field. Only writes are read (a read's request names
//! what is looked at, not what is used), and only requests that contain `.ecr.` are parsed at all.

use super::{parse_image_uri, Found, Kind, Sink, MAX_CONTAINERS};
use crate::ingest::raw::RawEvent;
use crate::model::Sym;

/// Deepest nesting walked in a request (requests nest a few levels; a hostile one may nest more).
const MAX_DEPTH: usize = 16;

/// The ECR images a write of another service names, as an [`Kind::ImageUse`].
pub(super) fn read(raw: &RawEvent, sink: &mut Sink) -> Found {
    let req = raw.request_parameters?.get();
    if raw.read_only.ok().is_some_and(|f| f.0) || memchr::memmem::find(req.as_bytes(), b".ecr.").is_none() {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(req).ok()?;
    let mut uris: Vec<&str> = Vec::new();
    walk(&value, 0, &mut uris);
    if uris.is_empty() {
        return None;
    }
    // The thing that uses them, by the first top-level `…Name` (`modelName`, `functionName`,
    // `jobDefinitionName`) or `name`, in the order the request wrote them... as serde_json keeps
    // keys sorted, the first in that order.
    let name = value
        .as_object()
        .and_then(|o| o.iter().find_map(|(k, v)| (k == "name" || k.ends_with("Name")).then(|| v.as_str()).flatten()));
    let mut syms: Vec<Sym> = Vec::with_capacity(uris.len() * 2);
    for uri in uris {
        syms.push(sink.sym(uri));
        syms.push(sink.sym(parse_image_uri(uri).map_or("", |u| u.name)));
    }
    let images = sink.sym_span(&syms);
    let name = sink.sym(name.unwrap_or_default());
    Some((Sym::EMPTY, Sym::EMPTY, Kind::ImageUse { images, name }))
}

/// Every distinct string of `v` that is an ECR image URI, up to [`MAX_CONTAINERS`].
fn walk<'v>(v: &'v serde_json::Value, depth: usize, out: &mut Vec<&'v str>) {
    if depth > MAX_DEPTH || out.len() >= MAX_CONTAINERS {
        return;
    }
    match v {
        serde_json::Value::String(s) if parse_image_uri(s).is_some() && !out.contains(&s.as_str()) => out.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|x| walk(x, depth + 1, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, depth + 1, out)),
        _ => {}
    }
}
