//! What the container analyses answer: small, serialisable pages (never proportional to the number
//! of events), with the raw events every item was built from.

use serde::{Deserialize, Serialize};

pub use crate::facts::container::Exposure;
use crate::facts::container::RepoAt;
use crate::model::Millis;

/// Items per list page.
pub const PAGE: usize = 100;

/// Raw events listed per item in a list; the rest are counted (`events_total`).
pub const EVENTS_PER_ITEM: usize = 40;

/// Items in an image's story (pushes, pulls, deployments...); the rest are counted.
pub const STORY_ITEMS: usize = 300;

/// A raw event an item was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRef {
    /// The store row (for the event-detail view).
    pub row: u32,
    /// `eventID`.
    pub id: String,
    /// `eventName`.
    pub name: String,
    /// `eventTime`.
    pub time: Millis,
    /// `errorCode`, empty when it succeeded.
    pub error: String,
}

/// An ECR repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct RepoRef {
    /// The registry's account.
    pub registry: String,
    /// Region.
    pub region: String,
    /// Repository name.
    pub name: String,
    /// An ECR Public repository (`public.ecr.aws`): anyone can pull its images.
    #[serde(default)]
    pub public: bool,
}

impl RepoRef {
    /// `arn:aws:ecr:<region>:<account>:repository/<name>`, or for ECR Public
    /// `arn:aws:ecr-public::<account>:repository/<name>` ([`RepoAt::arn`]).
    pub fn arn(&self) -> String {
        self.at().arn()
    }

    /// How the filter's *Repository* field names it ([`RepoAt::value`]: its ARN, or its name).
    pub fn value(&self) -> String {
        self.at().value()
    }

    fn at(&self) -> RepoAt<'_> {
        RepoAt::new(&self.registry, &self.region, &self.name, self.public)
    }
}

/// An image: a digest in a repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct ImageRef {
    /// The repository.
    pub repo: RepoRef,
    /// `sha256:...`.
    pub digest: String,
}

/// Who made a call, as an investigator names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Who {
    /// The principal (ARN, service, user).
    pub principal: String,
    /// What kind of principal: `IAM user`, `ECS task execution role`, `EC2 instance role`...
    pub kind: String,
    /// The role, for a role session.
    pub role: String,
    /// The caller's account.
    pub account: String,
    /// The caller is in another account than the repository.
    pub cross_account: bool,
    /// The client, from the user agent: `Docker 24.0.7`, `AWS CLI 2.15.0`...
    pub client: String,
    /// The user agent itself.
    pub user_agent: String,
    /// `sourceIPAddress` (an address, or a service name such as `ecs-tasks.amazonaws.com`).
    pub ip: String,
    /// The principal's ARN.
    pub arn: String,
    /// The access key that signed the calls.
    pub access_key: String,
    /// Who is behind the session that made the call, when the logs tell: the identity provider's
    /// subject (a GitHub Actions workflow's `repo:acme/app:ref:refs/heads/main`, a SAML user), the
    /// session's source identity, or the IAM user or root whose long-term key began its chain of
    /// roles. Empty for a call not made with a temporary key, or whose key's STS call is not in
    /// these logs. See [`crate::analysis::identity::origin::origin`].
    pub origin: String,
    /// How [`Who::origin`] is known: the identity provider (`GitHub Actions`, `EKS service
    /// account`, `IAM Identity Center`, a host), `source identity`, or `long-term key`.
    pub origin_via: String,
    /// Who made the first STS call of that chain, as the filter's `origin` names principals:
    /// everything it started is one filter away.
    pub origin_principal: String,
}

/// Whether a push or pull went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// It happened (`PutImage` / `BatchGetImage` succeeded).
    Ok,
    /// A call was refused and nothing was pushed / pulled.
    Failed,
    /// Layers were uploaded but no `PutImage` is in these logs (or layers were fetched without a
    /// `BatchGetImage`).
    Incomplete,
}

/// One entry of an image manifest, and whether this push uploaded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRow {
    /// Digest.
    pub digest: String,
    /// Size from the manifest, in bytes.
    pub size: u64,
    /// `config`, `layer` or `manifest` (an index's platform manifest).
    pub kind: String,
    /// For index entries: `os/arch`.
    pub platform: String,
    /// Uploaded by this push (else the registry already had it).
    pub uploaded: bool,
    /// `UploadLayerPart` calls for it.
    pub parts: u32,
}

/// A push: the calls of one image upload, from the token to `PutImage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushItem {
    /// The repository.
    pub repo: RepoRef,
    /// The tag pushed (empty: pushed by digest only).
    pub tag: String,
    /// The image digest (empty when the push failed before `PutImage` or the response is missing).
    pub digest: String,
    /// The manifest's media type.
    pub media_type: String,
    /// What happened.
    pub outcome: Outcome,
    /// The manifest was already in the repository (an earlier push in these logs): a tag was added.
    pub retag: bool,
    /// The image its tag named until this push, which moved the tag from there: the tag's previous
    /// push in these logs was of that image, not expired or deleted since (empty: it was not so).
    pub moved_from: String,
    /// Who pushed that image, when another principal than this push's (else empty).
    pub moved_from_by: String,
    /// When it moved the tag while the repository's tags had been made mutable: when and by
    /// whom they were (see [`super::guards`]).
    #[serde(default)]
    pub unguarded: Option<(Millis, String)>,
    /// Who pushed.
    pub who: Who,
    /// First call.
    pub start: Millis,
    /// Last call.
    pub end: Millis,
    /// Layers in the manifest (config blob included).
    pub layers_total: u32,
    /// Layers this push uploaded.
    pub layers_uploaded: u32,
    /// Bytes of the manifest's layers.
    pub bytes_total: u64,
    /// Bytes uploaded (from the manifest sizes, else the upload parts).
    pub bytes_uploaded: u64,
    /// Uploads that did not match a manifest entry (a layer no manifest names).
    pub stray_uploads: u32,
    /// The first error: code and message.
    pub error_code: String,
    /// The error message.
    pub error_message: String,
    /// Manifest entries (only on the image page, else empty).
    pub layers: Vec<LayerRow>,
    /// The raw events (first [`EVENTS_PER_ITEM`] in lists).
    pub events: Vec<EventRef>,
    /// All raw events.
    pub events_total: u32,
}

/// A pull: one `BatchGetImage` and the layer downloads that followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullItem {
    /// The repository.
    pub repo: RepoRef,
    /// What was asked for: tags and `sha256:` digests.
    pub requested: Vec<String>,
    /// For each request, the image digest it meant (a tag resolved through the pushes in these
    /// logs), empty when unknown.
    pub resolved: Vec<String>,
    /// What happened.
    pub outcome: Outcome,
    /// Who pulled.
    pub who: Who,
    /// First call.
    pub start: Millis,
    /// Last call.
    pub end: Millis,
    /// `GetDownloadUrlForLayer` calls: layers not already cached by the puller.
    pub layers_fetched: u32,
    /// In an image's story, how many of the layers fetched its manifest lists: fewer than fetched
    /// says the pull took blobs of another image too (the tag may not have pointed where these
    /// logs say). `None` elsewhere, and where the manifest is not in these logs, is an index of
    /// platform manifests, or the pull asked for more than one image.
    pub layers_listed: Option<u32>,
    /// The first error.
    pub error_code: String,
    /// The error message.
    pub error_message: String,
    /// The raw events.
    pub events: Vec<EventRef>,
    /// All raw events.
    pub events_total: u32,
}

/// A lifecycle rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRow {
    /// `rulePriority`.
    pub priority: u32,
    /// `expire`.
    pub action: String,
    /// What it selects.
    pub selection: String,
    /// The rule's description.
    pub description: String,
}

/// An image a lifecycle run expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiredRow {
    /// Digest.
    pub digest: String,
    /// Tags it carried.
    pub tags: Vec<String>,
    /// `Tagged` / `Untagged`.
    pub tag_status: String,
    /// When it was pushed.
    pub pushed_at: Option<Millis>,
    /// The rule that selected it.
    pub rule: u32,
    /// How often it was pulled in the week before the run expired it (see
    /// [`super::lifecycle::IN_USE`]): it was in use.
    #[serde(default)]
    pub pulled_before: u32,
    /// The ECS services that ran it when it was expired (`service (cluster …)`): it was in use.
    #[serde(default)]
    pub run_by: Vec<String>,
}

/// A lifecycle policy run, joined back from the events ECR split it into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunItem {
    /// The repository.
    pub repo: RepoRef,
    /// A `DryRunEvent`: a preview, nothing was deleted.
    pub preview: bool,
    /// `policyId`.
    pub policy_id: String,
    /// `policyVersion`.
    pub policy_version: u32,
    /// First event.
    pub start: Millis,
    /// Last event.
    pub end: Millis,
    /// The policy's rules.
    pub rules: Vec<RuleRow>,
    /// Images expired (first [`PAGE`] in lists).
    pub images: Vec<ExpiredRow>,
    /// All images expired.
    pub images_total: u32,
    /// `lifecycleEventFailureDetails` entries.
    pub failures: u32,
    /// The raw events.
    pub events: Vec<EventRef>,
    /// All raw events (the number of parts ECR split the run into).
    pub events_total: u32,
    /// The `PutLifecyclePolicy` that set the policy it applied, when these logs hold it.
    #[serde(default)]
    pub policy_set: Option<RepoChange>,
}

/// An image a task definition, a task or another service's call uses, resolved to a digest when the
/// logs allow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageUse {
    /// The image URI as written.
    pub uri: String,
    /// The ECR repository (absent for images from other registries).
    pub repo: Option<RepoRef>,
    /// The tag in the URI.
    pub tag: String,
    /// The digest: from the URI, or the image the tag pointed to at that time.
    pub digest: String,
    /// The digest came from resolving the tag through the pushes in these logs.
    pub via_tag: bool,
    /// The image's registry is another account's than the one the call was made in (a workload
    /// running, or a model serving, an image it does not own).
    #[serde(default)]
    pub other_account: bool,
}

/// An ECS call in the deployment story: a task definition registered, a service created or
/// updated, tasks run or started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcsItem {
    /// `RegisterTaskDefinition`, `CreateService`, `UpdateService`, `RunTask`...
    pub call: String,
    /// Cluster (empty for task definitions).
    pub cluster: String,
    /// Service (empty for tasks and task definitions).
    pub service: String,
    /// `family:revision` (revision `latest` when the call named none and no registration is known).
    pub task_definition: String,
    /// Images, resolved at the time of the call.
    pub images: Vec<ImageUse>,
    /// A service or task names a task definition whose registration is not in these logs (made
    /// before them, or, for `latest`, none before the call), so its images are known only where a
    /// task's response lists them.
    pub registration_missing: bool,
    /// An `UpdateService` that started no deployment (it scaled the service, or changed how
    /// deployments go): its tasks run the images the service's last deployment resolved, so none
    /// are resolved at its time and `images` is empty.
    pub scaled_only: bool,
    /// Task ARNs started.
    pub tasks: Vec<String>,
    /// Desired count, for services.
    pub desired: Option<u32>,
    /// `StopTask`'s reason, `ExecuteCommand`'s command, the commands a `RunTask` ran in place of
    /// its task definition's.
    pub detail: String,
    /// Task execution role (task definitions).
    pub execution_role: String,
    /// The task role a `RunTask` or `StartTask` gave its tasks in place of its task definition's.
    pub role_override: String,
    /// What the task definition (registered, or that of the service or task, when its
    /// registration is in these logs) gives its containers of the instance they run on, in words
    /// ("privileged", "mounts the host's /var/run/docker.sock"...; see [`super::ecs::host_said`]).
    #[serde(default)]
    pub host_access: Vec<String>,
    /// The names of the environment variables holding credentials, and an access key's id, of a
    /// task definition registered (`AWS_SECRET_ACCESS_KEY`, `AWS_ACCESS_KEY_ID (AKIA…)`...).
    #[serde(default)]
    pub credentials: Vec<String>,
    /// ECS Exec turned on (or off) for the tasks the call starts (`enableExecuteCommand`), when
    /// it says.
    #[serde(default)]
    pub exec: Option<bool>,
    /// Who made the call.
    pub who: Who,
    /// When.
    pub time: Millis,
    /// `errorCode`.
    pub error_code: String,
    /// The raw events (one).
    pub events: Vec<EventRef>,
}

/// Another service's call that names ECR images in its request: a `SageMaker` model, a Batch job
/// definition, a `CodeBuild` project's build image, a Lambda function...
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UseItem {
    /// The service (`eventSource`), `sagemaker.amazonaws.com`.
    pub service: String,
    /// The call, `CreateModel`.
    pub call: String,
    /// What uses them, as the request names it (`modelName`, `functionName`...; empty when it
    /// names none).
    pub name: String,
    /// Images, resolved at the time of the call.
    pub images: Vec<ImageUse>,
    /// Who made the call.
    pub who: Who,
    /// When.
    pub time: Millis,
    /// `errorCode`.
    pub error_code: String,
    /// The raw events (one).
    pub events: Vec<EventRef>,
}

/// An EC2 Image Builder call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuilderItem {
    /// The call.
    pub call: String,
    /// Whether it started a pipeline execution.
    pub execution: bool,
    /// The pipeline ARN.
    pub pipeline: String,
    /// The resource the call named or created.
    pub resource: String,
    /// The image build version an execution started.
    pub build_version: String,
    /// The recipe.
    pub recipe: String,
    /// A container recipe's target ECR repository.
    pub target_repository: String,
    /// A recipe made: the image it builds on (an image ARN, an AMI ID, an image URI...).
    pub parent: String,
    /// A recipe made: its components' ARNs.
    pub components: Vec<String>,
    /// A container recipe made: the images its inline Dockerfile names itself (`FROM`,
    /// `COPY --from=`), beside or in place of the parent image.
    pub dockerfile_images: Vec<String>,
    /// A container recipe made: its Dockerfile's S3 URI, when kept there.
    pub dockerfile_uri: String,
    /// Who.
    pub who: Who,
    /// When.
    pub time: Millis,
    /// `errorCode`.
    pub error_code: String,
    /// The raw event.
    pub events: Vec<EventRef>,
}

/// A change to a repository: creation, a KMS grant, a policy, deletion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoChange {
    /// The call (`CreateRepository`, `CreateGrant`, `SetRepositoryPolicy`...).
    pub call: String,
    /// Whom the repository policy it set lets in beyond the repository's account.
    pub exposure: Exposure,
    /// The protection it turned down, in words ("tags made mutable"; see
    /// [`super::guards`]), or empty.
    #[serde(default)]
    pub lowered: String,
    /// What it set, one line each.
    pub details: Vec<String>,
    /// Who.
    pub who: Who,
    /// When.
    pub time: Millis,
    /// `errorCode`.
    pub error_code: String,
    /// The raw event.
    pub events: Vec<EventRef>,
}

/// A change to a registry as a whole: its policy, replication, pull-through cache rules, scanning,
/// creation templates, account settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryChange {
    /// The registry's account.
    pub registry: String,
    /// Its region.
    pub region: String,
    /// The change, as a repository's are told. Its `exposure` is whom a registry policy or a
    /// creation template's repository policy lets in, or to whom replication copies images
    /// ([`Exposure::OtherAccounts`] for a destination in another account).
    pub change: RepoChange,
}

/// A repository's line in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RepoSummary {
    /// The repository.
    pub repo: RepoRef,
    /// `CreateRepository` time, when in these logs.
    pub created: Option<Millis>,
    /// `DeleteRepository` time, when in these logs.
    pub deleted: Option<Millis>,
    /// Encryption (`KMS`, `AES256`), when known.
    pub encryption: String,
    /// Pushes that went through.
    pub pushes: u32,
    /// Refused pushes.
    pub failed_pushes: u32,
    /// Pulls that went through.
    pub pulls: u32,
    /// Refused pulls.
    pub failed_pulls: u32,
    /// Pulls by principals of other accounts.
    pub cross_account_pulls: u32,
    /// Distinct image digests seen.
    pub images: u32,
    /// Images a lifecycle policy expired.
    pub expired: u32,
    /// Policy and setting changes.
    pub changes: u32,
    /// The widest a repository policy set in these logs (and went through) let others in, whether
    /// or not a later policy took it back.
    pub exposure: Exposure,
    /// Latest activity.
    pub last: Option<Millis>,
}

/// Pushes and pulls over time, for a small chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Timeline {
    /// Start of the first bucket.
    pub start: Millis,
    /// Bucket width.
    pub step: Millis,
    /// Pushes per bucket.
    pub pushes: Vec<u32>,
    /// Pulls per bucket.
    pub pulls: Vec<u32>,
}

/// Pulls by principals of another account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPulls {
    /// The account.
    pub account: String,
    /// Pulls.
    pub pulls: u32,
    /// Distinct principals.
    pub principals: Vec<String>,
    /// Last pull.
    pub last: Millis,
}

/// An image's line on a repository page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRow {
    /// Digest.
    pub digest: String,
    /// Tags it carried in these logs.
    pub tags: Vec<String>,
    /// First push.
    pub pushed: Option<Millis>,
    /// Who pushed it first.
    pub pushed_by: String,
    /// Pulls.
    pub pulls: u32,
    /// Last pull.
    pub last_pull: Option<Millis>,
    /// Expired by a lifecycle policy at.
    pub expired: Option<Millis>,
    /// Deleted (`BatchDeleteImage`) at.
    pub deleted: Option<Millis>,
    /// Size of its layers.
    pub size: u64,
}

/// A repository's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoPage {
    /// Headline.
    pub summary: RepoSummary,
    /// Creation, grants, policy changes, deletion, oldest first.
    pub changes: Vec<RepoChange>,
    /// Pushes and pulls over time.
    pub timeline: Timeline,
    /// Images, newest first (cut at [`PAGE`]).
    pub images: Vec<ImageRow>,
    /// Recent pushes.
    pub pushes: Vec<PushItem>,
    /// Recent pulls.
    pub pulls: Vec<PullItem>,
    /// Pulls from other accounts.
    pub cross_account: Vec<AccountPulls>,
    /// Lifecycle runs.
    pub runs: Vec<RunItem>,
    /// Image Builder container recipes that target it.
    pub builder: Vec<BuilderItem>,
    /// Other services' calls that name its images (a `SageMaker` model, a Batch job definition...),
    /// newest first (cut at [`PAGE`]).
    pub uses: Vec<UseItem>,
    /// How many such calls the filter keeps (`uses` holds the newest [`PAGE`]).
    pub uses_total: u64,
}

/// One step of an image's story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// Pushed (or tagged).
    Pushed(Box<PushItem>),
    /// A tag it carried was pushed to another image.
    TagMoved {
        /// The tag.
        tag: String,
        /// The image it points to now.
        to: String,
        /// When.
        time: Millis,
        /// Who.
        who: Box<Who>,
        /// The `PutImage`.
        events: Vec<EventRef>,
    },
    /// Pulled.
    Pulled(Box<PullItem>),
    /// A task definition that uses it (by digest, or by a tag that pointed to it).
    TaskDefinition(Box<EcsItem>),
    /// A service or task started from such a task definition.
    Deployed(Box<EcsItem>),
    /// Another service's call that names it (by digest, or by a tag that pointed to it).
    UsedBy(Box<UseItem>),
    /// Expired by a lifecycle policy (or selected by a preview).
    Expired(Box<RunItem>),
    /// Deleted with `BatchDeleteImage`.
    Deleted {
        /// When.
        time: Millis,
        /// Who.
        who: Box<Who>,
        /// The call.
        events: Vec<EventRef>,
    },
}

impl Step {
    /// When it happened.
    pub fn time(&self) -> Millis {
        match self {
            Step::Pushed(p) => p.start,
            Step::Pulled(p) => p.start,
            Step::TaskDefinition(e) | Step::Deployed(e) => e.time,
            Step::UsedBy(u) => u.time,
            Step::Expired(r) => r.start,
            Step::TagMoved { time, .. } | Step::Deleted { time, .. } => *time,
        }
    }
}

/// An image's page: its whole story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImagePage {
    /// The image.
    pub image: ImageRef,
    /// Tags it carried, in the order they appeared.
    pub tags: Vec<String>,
    /// Tags that still point to it at the end of these logs.
    pub current_tags: Vec<String>,
    /// Manifest media type.
    pub media_type: String,
    /// Total size of its layers.
    pub size: u64,
    /// Manifest entries, from its first push.
    pub layers: Vec<LayerRow>,
    /// `present`, `expired` or `deleted`, as far as these logs tell (all of them, whatever the
    /// filter).
    pub status: String,
    /// Pushes, pulls, task definitions, deployments, expiry: oldest first (cut at [`STORY_ITEMS`]).
    pub story: Vec<Step>,
    /// Steps in all.
    pub story_total: u32,
    /// Pulls in all, and distinct pullers.
    pub pulls: u32,
    /// Distinct principals that pulled it.
    pub pullers: u32,
    /// Other repositories holding the same digest.
    pub also_in: Vec<RepoRef>,
    /// Steps of the image's whole story the filter leaves out (0 without a filter): filtered to
    /// the principal that pushed it, the pulls and deployments by everyone else.
    pub outside_filter: u32,
}

/// Headline figures of the container story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Headline {
    /// Pushes that went through.
    pub pushes: u64,
    /// Pushes refused with an error.
    pub failed_pushes: u64,
    /// Of [`Headline::failed_pushes`], those refused for want of permission (`AccessDenied…`,
    /// `…UnauthorizedOperation`).
    pub failed_pushes_denied: u64,
    /// Uploads with no `PutImage`.
    pub incomplete_pushes: u64,
    /// Of [`Headline::pushes`], those that moved their tag from another image (see
    /// [`PushItem::moved_from`]).
    pub tag_moves: u64,
    /// Of [`Headline::pushes`], those to ECR Public repositories, which anyone can pull.
    pub public_pushes: u64,
    /// Pulls that went through (layers fetched with no `BatchGetImage` in these logs included).
    pub pulls: u64,
    /// Pulls refused with an error.
    pub failed_pulls: u64,
    /// Of [`Headline::failed_pulls`], those refused for want of permission.
    pub failed_pulls_denied: u64,
    /// Of [`Headline::failed_pulls`], those of a repository, image or layer that does not exist
    /// (`…NotFoundException`).
    pub failed_pulls_not_found: u64,
    /// Of [`Headline::pulls`], those with layer downloads but no `BatchGetImage` in these logs.
    pub incomplete_pulls: u64,
    /// Pulls by principals of other accounts.
    pub cross_account_pulls: u64,
    /// Lifecycle runs (not previews).
    pub lifecycle_runs: u64,
    /// Lifecycle previews (`DryRunEvent`).
    pub lifecycle_previews: u64,
    /// Images expired by lifecycle runs.
    pub expired_images: u64,
    /// Repositories.
    pub repositories: u64,
    /// Distinct images (repository + digest).
    pub images: u64,
    /// Task definitions registered.
    pub task_definitions: u64,
    /// Services created or updated, tasks run or started.
    pub deployments: u64,
    /// Every ECS call in the story (task definitions, services, tasks, clusters).
    pub ecs_calls: u64,
    /// Of those, the calls refused (with an error code): a task run or a service changed that did
    /// not happen.
    pub ecs_refused: u64,
    /// Image Builder pipeline executions started.
    pub builder_executions: u64,
    /// Changes to registries as a whole.
    pub registry_changes: u64,
    /// Of those, the ones that went through and let other accounts (or everyone) in, or
    /// replicate images to another account.
    pub registry_opened: u64,
    /// Other Image Builder writes.
    pub builder_changes: u64,
    /// Other services' writes that name ECR images (refused ones too, as ECS calls are counted).
    pub image_uses: u64,
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPage<T> {
    /// The items.
    pub items: Vec<T>,
    /// Items in all.
    pub total: u64,
    /// Index of the first item.
    pub offset: u64,
}

impl<T> Default for ListPage<T> {
    fn default() -> Self {
        ListPage { items: Vec::new(), total: 0, offset: 0 }
    }
}
