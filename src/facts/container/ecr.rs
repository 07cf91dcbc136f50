//! Amazon ECR events: the push and pull calls, lifecycle expiries, repository changes.

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::lenient::{parse, texts, List, Num};
use super::{
    policy, registry, EntryKind, ExpiredImage, Exposure, Found, Kind, ManifestEntry, Rule, Sink, Span, MAX_IMAGE_IDS,
    MAX_LAYER_DIGESTS, MAX_LIFECYCLE_IMAGES, MAX_MANIFEST_ENTRIES, MAX_RULES, MAX_TAGS_PER_IMAGE, MUTABILITY_LINE,
    SCAN_ON_PUSH_LINE,
};
use crate::ingest::raw::{Flag, Lenient, Obj, RawEvent, Text};
use crate::model::Sym;

/// `imageIds[]` element.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ImageId<'a> {
    #[serde(borrow)]
    image_tag: Lenient<Text<'a>>,
    #[serde(borrow)]
    image_digest: Lenient<Text<'a>>,
}

impl ImageId<'_> {
    /// The id as one string: the digest when given (it is exact), else the tag.
    fn key(&self) -> &str {
        match self.image_digest.str() {
            "" => self.image_tag.str(),
            d => d,
        }
    }
}

type ImageIds<'a> = List<Obj<ImageId<'a>>, MAX_IMAGE_IDS>;

fn id_keys<'x>(ids: &'x ImageIds<'_>) -> impl Iterator<Item = &'x str> {
    ids.items.iter().filter_map(|i| i.0.ok()).map(ImageId::key).filter(|k| !k.is_empty())
}

/// `encryptionConfiguration`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Encryption<'a> {
    #[serde(borrow)]
    encryption_type: Lenient<Text<'a>>,
    #[serde(borrow)]
    kms_key: Lenient<Text<'a>>,
}

/// `imageScanningConfiguration`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Scanning {
    scan_on_push: Lenient<Flag>,
}

/// `requestParameters` of every ECR call we read (each uses a few of these).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Request<'a> {
    #[serde(borrow)]
    repository_name: Lenient<Text<'a>>,
    #[serde(borrow)]
    registry_id: Lenient<Text<'a>>,
    #[serde(borrow)]
    upload_id: Lenient<Text<'a>>,
    part_first_byte: Num,
    part_last_byte: Num,
    #[serde(borrow)]
    layer_digests: List<Lenient<Text<'a>>, MAX_LAYER_DIGESTS>,
    #[serde(borrow)]
    layer_digest: Lenient<Text<'a>>,
    #[serde(borrow)]
    image_tag: Lenient<Text<'a>>,
    #[serde(borrow)]
    image_digest: Lenient<Text<'a>>,
    #[serde(borrow)]
    image_manifest: Lenient<Text<'a>>,
    #[serde(borrow)]
    image_manifest_media_type: Lenient<Text<'a>>,
    #[serde(borrow)]
    image_ids: ImageIds<'a>,
    #[serde(borrow)]
    encryption_configuration: Obj<Encryption<'a>>,
    #[serde(borrow)]
    image_tag_mutability: Lenient<Text<'a>>,
    #[serde(borrow)]
    image_tag_mutability_exclusion_filters: registry::Filters<'a>,
    image_scanning_configuration: Obj<Scanning>,
    force: Lenient<Flag>,
    #[serde(borrow)]
    policy_text: Lenient<Text<'a>>,
    #[serde(borrow)]
    lifecycle_policy_text: Lenient<Text<'a>>,
}

/// `responseElements.image`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ImageResponse<'a> {
    #[serde(borrow)]
    image_id: Obj<ImageId<'a>>,
    #[serde(borrow)]
    image_manifest: Lenient<Text<'a>>,
    #[serde(borrow)]
    image_manifest_media_type: Lenient<Text<'a>>,
    #[serde(borrow)]
    registry_id: Lenient<Text<'a>>,
}

/// `responseElements.repository`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RepositoryResponse<'a> {
    #[serde(borrow)]
    registry_id: Lenient<Text<'a>>,
    #[serde(borrow)]
    repository_name: Lenient<Text<'a>>,
    #[serde(borrow)]
    encryption_configuration: Obj<Encryption<'a>>,
    #[serde(borrow)]
    image_tag_mutability: Lenient<Text<'a>>,
    image_scanning_configuration: Obj<Scanning>,
}

/// `responseElements` of every ECR call we read.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Response<'a> {
    #[serde(borrow)]
    upload_id: Lenient<Text<'a>>,
    part_size: Num,
    #[serde(borrow)]
    layer_digest: Lenient<Text<'a>>,
    #[serde(borrow)]
    image: Obj<ImageResponse<'a>>,
    #[serde(borrow)]
    repository: Obj<RepositoryResponse<'a>>,
    #[serde(borrow)]
    image_ids: ImageIds<'a>,
    /// `SetRepositoryPolicy`'s.
    #[serde(borrow)]
    registry_id: Lenient<Text<'a>>,
}

/// A manifest descriptor (`config`, `layers[]`, `manifests[]`).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Descriptor<'a> {
    #[serde(borrow)]
    digest: Lenient<Text<'a>>,
    size: Num,
    #[serde(borrow)]
    platform: Obj<Platform<'a>>,
    /// Schema 1 manifests list `fsLayers[].blobSum` with no size.
    #[serde(borrow)]
    blob_sum: Lenient<Text<'a>>,
}

/// `manifests[].platform` of an image index.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Platform<'a> {
    #[serde(borrow)]
    os: Lenient<Text<'a>>,
    #[serde(borrow)]
    architecture: Lenient<Text<'a>>,
    #[serde(borrow)]
    variant: Lenient<Text<'a>>,
}

/// An image manifest (Docker v2 schema 2, OCI, image index / manifest list, or schema 1).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Manifest<'a> {
    #[serde(borrow)]
    media_type: Lenient<Text<'a>>,
    #[serde(borrow)]
    config: Obj<Descriptor<'a>>,
    #[serde(borrow)]
    layers: List<Obj<Descriptor<'a>>, MAX_MANIFEST_ENTRIES>,
    #[serde(borrow)]
    manifests: List<Obj<Descriptor<'a>>, MAX_MANIFEST_ENTRIES>,
    #[serde(borrow)]
    fs_layers: List<Obj<Descriptor<'a>>, MAX_MANIFEST_ENTRIES>,
}

/// `serviceEventDetails` of a lifecycle event.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct LifecycleDetails<'a> {
    #[serde(borrow)]
    repository_name: Lenient<Text<'a>>,
    #[serde(borrow)]
    lifecycle_event_policy: Obj<LifecyclePolicy<'a>>,
    #[serde(borrow)]
    lifecycle_event_image_actions: List<Obj<ImageAction<'a>>, MAX_LIFECYCLE_IMAGES>,
    lifecycle_event_failure_details: List<IgnoredAny, MAX_LIFECYCLE_IMAGES>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct LifecyclePolicy<'a> {
    #[serde(borrow)]
    lifecycle_event_rules: List<Obj<policy::EventRule<'a>>, MAX_RULES>,
    policy_version: Num,
    #[serde(borrow)]
    policy_id: Lenient<Text<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ImageAction<'a> {
    #[serde(borrow)]
    lifecycle_event_image: Obj<LifecycleImage<'a>>,
    rule_priority: Num,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct LifecycleImage<'a> {
    #[serde(borrow)]
    digest: Lenient<Text<'a>>,
    #[serde(borrow)]
    tag_status: Lenient<Text<'a>>,
    #[serde(borrow)]
    tag_list: List<Lenient<Text<'a>>, MAX_TAGS_PER_IMAGE>,
    pushed_at: Num,
}

/// `resources[]` element: the repository ARN, for events whose parameters do not name it.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Resource<'a> {
    #[serde(borrow, rename = "ARN")]
    arn: Lenient<Text<'a>>,
}

/// Reads an ECR event.
pub(super) fn read(name: &str, raw: &RawEvent, sink: &mut Sink) -> Found {
    let req: Request = parse(raw.request_parameters).unwrap_or_default();
    let resp: Response = parse(raw.response_elements).unwrap_or_default();
    let mut registry = req.registry_id.str();
    let mut repo = req.repository_name.str();
    let kind = match name {
        "GetAuthorizationToken" => Kind::AuthToken,
        "BatchCheckLayerAvailability" => Kind::LayerCheck { digests: sink.syms(texts(&req.layer_digests)) },
        "InitiateLayerUpload" => {
            Kind::UploadStart { upload: sink.sym(resp.upload_id.str()), part_size: resp.part_size.0.unwrap_or(0) }
        }
        "UploadLayerPart" => Kind::UploadPart {
            upload: sink.sym(first_non_empty(req.upload_id.str(), resp.upload_id.str())),
            first: req.part_first_byte.0.unwrap_or(u64::MAX),
            last: req.part_last_byte.0.unwrap_or(u64::MAX),
        },
        "CompleteLayerUpload" => {
            let asked = texts(&req.layer_digests).next().unwrap_or("");
            Kind::UploadDone {
                upload: sink.sym(first_non_empty(req.upload_id.str(), resp.upload_id.str())),
                digest: sink.sym(first_non_empty(resp.layer_digest.str(), asked)),
            }
        }
        "PutImage" => put_image(&req, &resp, sink, &mut registry),
        "BatchGetImage" => Kind::GetImage { ids: sink.syms(id_keys(&req.image_ids)) },
        "GetDownloadUrlForLayer" => Kind::LayerUrl { digest: sink.sym(req.layer_digest.str()) },
        "BatchDeleteImage" => {
            let ids = sink.syms(id_keys(&req.image_ids));
            Kind::DeleteImages { ids, deleted: sink.syms(id_keys(&resp.image_ids)) }
        }
        "PolicyExecutionEvent" | "DryRunEvent" => {
            let details: LifecycleDetails = parse(raw.service_event_details).unwrap_or_default();
            let kind = lifecycle(&details, name == "DryRunEvent", sink);
            return Some((sink.sym(registry), repo_of_lifecycle(&details, raw, sink), kind));
        }
        "CreateRepository" => {
            let r = resp.repository.0.ok();
            let enc = req.encryption_configuration.0.ok().or(r.and_then(|r| r.encryption_configuration.0.ok()));
            let scan =
                req.image_scanning_configuration.0.ok().or(r.and_then(|r| r.image_scanning_configuration.0.ok()));
            if let Some(r) = r {
                registry = first_non_empty(registry, r.registry_id.str());
                repo = first_non_empty(repo, r.repository_name.str());
            }
            let mutability =
                first_non_empty(req.image_tag_mutability.str(), r.map_or("", |r| r.image_tag_mutability.str()));
            Kind::RepoCreated {
                encryption: sink.sym(enc.map_or("", |e| e.encryption_type.str())),
                kms_key: sink.sym(enc.map_or("", |e| e.kms_key.str())),
                mutability: sink.sym(mutability),
                scan_on_push: scan.and_then(|s| s.scan_on_push.ok().map(|f| f.0)),
            }
        }
        "DeleteRepository" => Kind::RepoDeleted { force: req.force.ok().is_some_and(|f| f.0) },
        _ if repo.is_empty() && registry::CALLS.contains(&name) => {
            // A change to the whole registry: a repository change that names no repository.
            registry = first_non_empty(registry, resp.registry_id.str());
            let (lines, exposure) = registry::read(name, raw, owner(registry, &resp, raw));
            let syms: Vec<Sym> = lines.iter().map(|l| sink.sym(l)).collect();
            Kind::RepoChange { lines: sink.sym_span(&syms), exposure }
        }
        _ if is_read(name) || repo.is_empty() => return None,
        _ => {
            let exposure = if name == "SetRepositoryPolicy" {
                policy::exposure(req.policy_text.str(), owner(registry, &resp, raw))
            } else {
                Exposure::Own
            };
            Kind::RepoChange { lines: change_lines(name, &req, sink), exposure }
        }
    };
    Some((sink.sym(registry), sink.sym(repo), kind))
}

/// The registry's account, against which a policy's principals are judged: named, else the
/// response's, else the account the event was logged in, else the caller's (a policy is set by the
/// registry's own account).
fn owner<'a>(registry: &'a str, resp: &'a Response, raw: &'a RawEvent) -> &'a str {
    let caller = raw.user_identity.0.ok().map_or("", |i| i.account_id.str());
    let owner = [registry, resp.registry_id.str(), raw.recipient_account_id.str(), caller];
    owner.into_iter().find(|a| !a.is_empty()).unwrap_or("")
}

/// Calls that only read: nothing to record unless they are part of a push or a pull.
fn is_read(name: &str) -> bool {
    ["Describe", "List", "Get", "BatchGet", "Validate"].iter().any(|p| name.starts_with(p))
}

fn first_non_empty<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.is_empty() {
        b
    } else {
        a
    }
}

fn put_image<'a>(req: &'a Request, resp: &'a Response, sink: &mut Sink, registry: &mut &'a str) -> Kind {
    let image = resp.image.0.ok();
    let id = image.and_then(|i| i.image_id.0.ok());
    if let Some(i) = image {
        *registry = first_non_empty(registry, i.registry_id.str());
    }
    let tag = first_non_empty(req.image_tag.str(), id.map_or("", |i| i.image_tag.str()));
    let digest = first_non_empty(id.map_or("", |i| i.image_digest.str()), req.image_digest.str());
    let manifest = first_non_empty(req.image_manifest.str(), image.map_or("", |i| i.image_manifest.str()));
    let declared =
        first_non_empty(req.image_manifest_media_type.str(), image.map_or("", |i| i.image_manifest_media_type.str()));
    let (media_type, entries) = read_manifest(manifest, sink);
    Kind::PutImage {
        tag: sink.sym(tag),
        digest: sink.sym(digest),
        media_type: sink.sym(first_non_empty(declared, &media_type)),
        entries,
    }
}

/// The media type and entries of a manifest string (nothing when it is not a manifest).
fn read_manifest(text: &str, sink: &mut Sink) -> (String, Span) {
    let Ok(m) = serde_json::from_str::<Manifest>(text) else { return (String::new(), Span::default()) };
    let mut out = Vec::new();
    let mut add = |d: &Descriptor, kind: EntryKind, sink: &mut Sink| {
        let digest = first_non_empty(d.digest.str(), d.blob_sum.str());
        if digest.is_empty() {
            return;
        }
        let platform = d.platform.0.ok().map_or(Sym::EMPTY, |p| {
            let mut s = format!("{}/{}", p.os.str(), p.architecture.str());
            if !p.variant.str().is_empty() {
                s.push('/');
                s.push_str(p.variant.str());
            }
            sink.sym(&s)
        });
        out.push(ManifestEntry { digest: sink.sym(digest), size: d.size.0.unwrap_or(0), kind, platform });
    };
    if let Some(c) = m.config.0.ok() {
        add(c, EntryKind::Config, sink);
    }
    for d in m.layers.items.iter().chain(&m.fs_layers.items).filter_map(|d| d.0.ok()) {
        add(d, EntryKind::Layer, sink);
    }
    for d in m.manifests.items.iter().filter_map(|d| d.0.ok()) {
        add(d, EntryKind::Manifest, sink);
    }
    (m.media_type.str().to_owned(), sink.entries(&out))
}

fn lifecycle(d: &LifecycleDetails, dry_run: bool, sink: &mut Sink) -> Kind {
    let policy = d.lifecycle_event_policy.0.ok();
    let rules: Vec<Rule> = policy
        .map(|p| p.lifecycle_event_rules.items.iter().filter_map(|r| r.0.ok()).map(|r| r.summarise(sink)).collect())
        .unwrap_or_default();
    let mut images = Vec::new();
    for a in d.lifecycle_event_image_actions.items.iter().filter_map(|a| a.0.ok()) {
        let Some(img) = a.lifecycle_event_image.0.ok() else { continue };
        if img.digest.str().is_empty() {
            continue;
        }
        images.push(ExpiredImage {
            digest: sink.sym(img.digest.str()),
            tags: sink.syms(texts(&img.tag_list)),
            tag_status: sink.sym(img.tag_status.str()),
            pushed_at: img.pushed_at.0.and_then(|v| i64::try_from(v).ok()),
            rule: a.rule_priority.u32().unwrap_or(0),
        });
    }
    let failures = d.lifecycle_event_failure_details.items.len() + d.lifecycle_event_failure_details.dropped as usize;
    Kind::Lifecycle {
        dry_run,
        policy: sink.sym(policy.map_or("", |p| p.policy_id.str())),
        version: policy.and_then(|p| p.policy_version.u32()).unwrap_or(0),
        rules: sink.rules(&rules),
        images: sink.expired(&images),
        failures: u16::try_from(failures).unwrap_or(u16::MAX),
    }
}

/// The repository of a lifecycle event: `serviceEventDetails.repositoryName`, else the resource ARN.
fn repo_of_lifecycle(d: &LifecycleDetails, raw: &RawEvent, sink: &mut Sink) -> Sym {
    if !d.repository_name.str().is_empty() {
        return sink.sym(d.repository_name.str());
    }
    let resources: List<Obj<Resource>, 8> = parse(raw.resources).unwrap_or_default();
    let name = resources
        .items
        .iter()
        .filter_map(|r| r.0.ok())
        .find_map(|r| super::parse_repo_arn(r.arn.str()).map(|(_, _, n)| n))
        .unwrap_or("");
    sink.sym(name)
}

/// Summary lines of a repository change, for the repository page.
fn change_lines(name: &str, req: &Request, sink: &mut Sink) -> Span {
    let mut lines: Vec<String> = Vec::new();
    match name {
        "SetRepositoryPolicy" => lines = policy::statements(req.policy_text.str()),
        "PutLifecyclePolicy" | "StartLifecyclePolicyPreview" => {
            lines = policy::lifecycle_rules(req.lifecycle_policy_text.str());
        }
        "PutImageTagMutability" if !req.image_tag_mutability.str().is_empty() => {
            let mutability = req.image_tag_mutability.str();
            lines.push(format!("{MUTABILITY_LINE}{mutability}"));
            lines.extend(registry::excluded_tags(mutability, &req.image_tag_mutability_exclusion_filters));
        }
        "PutImageScanningConfiguration" => {
            if let Some(v) = req.image_scanning_configuration.0.ok().and_then(|s| s.scan_on_push.ok()) {
                lines.push(format!("{SCAN_ON_PUSH_LINE}{}", if v.0 { "on" } else { "off" }));
            }
        }
        _ => {}
    }
    let syms: Vec<Sym> = lines.iter().map(|l| sink.sym(l)).collect();
    sink.sym_span(&syms)
}
