//! Amazon ECS events: task definitions (which images they run), services and tasks started from
//! them (`family:revision`), clusters.

use serde::de::IgnoredAny;
use serde::Deserialize;

use super::lenient::{parse, texts, List, Num};
use super::{parse_image_uri, Found, Kind, Sink, Span, MAX_CONTAINERS};
use crate::ingest::raw::{Flag, Lenient, Obj, RawEvent, Text};
use crate::model::Sym;

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Container<'a> {
    #[serde(borrow)]
    image: Lenient<Text<'a>>,
    /// A task definition's: what gives the container the host (see [`host_access`]).
    privileged: Lenient<Flag>,
    /// A task definition's: the user the container runs as (empty: the image's, root by default).
    #[serde(borrow)]
    user: Lenient<Text<'a>>,
    #[serde(borrow)]
    linux_parameters: Obj<LinuxParameters<'a>>,
    #[serde(borrow)]
    mount_points: List<Obj<MountPoint<'a>>, MAX_CONTAINERS>,
    /// A task definition's: plain environment variables (see [`credentials`]).
    #[serde(borrow)]
    environment: List<Obj<EnvVar<'a>>, MAX_ENVIRONMENT>,
    /// A task definition's: where the container's output goes (see [`log_drivers`]).
    #[serde(borrow)]
    log_configuration: Obj<LogConfiguration<'a>>,
}

/// `containerDefinitions[].logConfiguration`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct LogConfiguration<'a> {
    #[serde(borrow)]
    log_driver: Lenient<Text<'a>>,
}

/// Where a task definition's containers send their output: `log:DRIVER` for each log driver its
/// containers name (`awslogs`, `awsfirelens`, `splunk`...), each once; `none` (no output kept) and
/// a container with no `logConfiguration` (the Docker daemon's default, on the instance only) add
/// nothing.
fn log_drivers(containers: &Containers) -> Vec<String> {
    let mut said: Vec<String> = Vec::new();
    for c in containers.items.iter().filter_map(|c| c.0.ok()) {
        let driver = c.log_configuration.0.ok().map_or("", |l| l.log_driver.str()).trim().to_ascii_lowercase();
        let token = format!("log:{driver}");
        if !driver.is_empty() && driver != "none" && !said.contains(&token) && said.len() < MAX_HOST_ACCESS {
            said.push(token);
        }
    }
    said
}

/// `containerDefinitions[].environment[]`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct EnvVar<'a> {
    #[serde(borrow)]
    name: Lenient<Text<'a>>,
    #[serde(borrow)]
    value: Lenient<Text<'a>>,
}

/// Environment variables read per container; a credential past them is not seen.
const MAX_ENVIRONMENT: usize = 128;

/// Environment variable names that hold AWS credentials (AWS Config's `ecs-no-environment-secrets`,
/// behind Security Hub's ECS.8, looks for the first, second and last).
const AWS_CREDENTIALS: [&str; 4] =
    ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "ECS_ENGINE_AUTH_DATA"];

/// Words in an environment variable's name that say its value is a secret.
const SECRET_WORDS: [&str; 5] = ["PASSWORD", "PASSWD", "SECRET", "PRIVATE_KEY", "API_KEY"];

/// The credentials a task definition's containers hold in plain environment variables (readable by
/// whoever may call `DescribeTaskDefinition`, and written into this very log): `env:NAME` for
/// those whose name says so and whose value is not empty, each once, and, for
/// `AWS_ACCESS_KEY_ID`, the key's id as `key:AKIA...` (an id, not a secret). Never a secret's
/// value.
fn credentials(containers: &Containers) -> Vec<String> {
    let vars = containers.items.iter().filter_map(|c| c.0.ok()).flat_map(|c| c.environment.items.iter());
    credentials_in(vars)
}

/// [`credentials`] of these environment variables (a task definition's containers', or those a
/// task start's overrides give).
fn credentials_in<'v, 'a: 'v>(vars: impl Iterator<Item = &'v Obj<EnvVar<'a>>>) -> Vec<String> {
    let mut said: Vec<String> = Vec::new();
    for v in vars.filter_map(|v| v.0.ok()).filter(|v| !v.value.str().trim().is_empty()) {
        let name = v.name.str().trim().to_ascii_uppercase();
        let secret = AWS_CREDENTIALS.contains(&name.as_str()) || SECRET_WORDS.iter().any(|w| name.contains(w));
        let token = format!("env:{name}");
        if secret && !said.contains(&token) && said.len() < MAX_HOST_ACCESS {
            said.push(token);
        }
        let value = v.value.str().trim();
        let is_key_id = value.len() == 20
            && (value.starts_with("AKIA") || value.starts_with("ASIA"))
            && value.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if name == "AWS_ACCESS_KEY_ID" && is_key_id && !said.iter().any(|s| s.starts_with("key:")) {
            said.push(format!("key:{value}"));
        }
    }
    said
}

type Containers<'a> = List<Obj<Container<'a>>, MAX_CONTAINERS>;

/// `containerDefinitions[].linuxParameters`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct LinuxParameters<'a> {
    #[serde(borrow)]
    capabilities: Obj<Capabilities<'a>>,
    #[serde(borrow)]
    devices: List<Obj<Device<'a>>, MAX_CAPABILITIES>,
}

/// `linuxParameters.devices[]`: a device of the instance given to the container.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Device<'a> {
    #[serde(borrow)]
    host_path: Lenient<Text<'a>>,
}

/// Whether giving a container the instance's device `path` gives it the host: a disk or partition
/// (whose files it reads and writes past every permission, `debugfs` needing nothing more) or the
/// instance's memory.
pub fn host_device_matters(path: &str) -> bool {
    const DISKS: [&str; 10] = ["sd", "xvd", "nvme", "vd", "hd", "dm-", "mapper/", "disk/", "loop", "md"];
    let Some(name) = path.trim().strip_prefix("/dev/") else { return false };
    DISKS.iter().any(|d| name.starts_with(d)) || ["mem", "kmem", "port"].contains(&name)
}

/// Whether a container's `user` is root: the name or uid 0, or none (the image's user, which is
/// root unless the image says otherwise; Security Hub's ECS.1 counts it so).
fn runs_as_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or("").trim();
    name.is_empty() || name == "root" || name == "0"
}

/// `linuxParameters.capabilities`: those added to Docker's defaults.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Capabilities<'a> {
    #[serde(borrow)]
    add: List<Lenient<Text<'a>>, MAX_CAPABILITIES>,
}

/// Capabilities ECS accepts (`ALL` and 38 names).
const MAX_CAPABILITIES: usize = 40;

/// `containerDefinitions[].mountPoints[]`: the task definition's volume a container mounts.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct MountPoint<'a> {
    #[serde(borrow)]
    source_volume: Lenient<Text<'a>>,
}

/// A task definition's `volumes[]`: a bind mount of the instance's `host.sourcePath`, when given.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Volume<'a> {
    #[serde(borrow)]
    name: Lenient<Text<'a>>,
    #[serde(borrow)]
    host: Obj<HostPath<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct HostPath<'a> {
    #[serde(borrow)]
    source_path: Lenient<Text<'a>>,
}

type Volumes<'a> = List<Obj<Volume<'a>>, MAX_CONTAINERS>;

/// What in a task definition gives its containers the instance they run on. ECS's
/// `RegisterTaskDefinition` reference and Security Hub's ECS controls (ECS.3 "should not share
/// the host's process namespace", ECS.4 "should run as non-privileged", ECS.1 on the host network
/// mode) name them.
struct Host<'x, 'a> {
    containers: &'x Containers<'a>,
    volumes: &'x Volumes<'a>,
    pid_mode: &'x str,
    ipc_mode: &'x str,
    network_mode: &'x str,
}

/// Capabilities beyond Docker's defaults that let a process reach past its container: mount
/// filesystems and escape through cgroups (`SYS_ADMIN`), load kernel modules, read raw devices or
/// any file by handle, reboot; `ALL` gives them all.
const HOST_CAPABILITIES: [&str; 6] = ["ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_RAWIO", "DAC_READ_SEARCH", "SYS_BOOT"];

/// Host directories whose bind mount gives a container the instance: its configuration, the
/// kernel's interfaces, devices, home directories, container runtimes' state and the ECS agent's.
const HOST_DIRECTORIES: [&str; 19] = [
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/root",
    "/home",
    "/boot",
    "/run",
    "/var/run",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/ecs",
    "/var/lib/kubelet",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/opt/aws",
];

/// Whether a bind mount of host path `path` gives the host: its root, a socket (Docker's,
/// containerd's: whoever talks to it starts containers as root on the instance), or a system
/// directory or a path in one.
pub fn host_path_matters(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    p.is_empty() && path.starts_with('/')
        || p.rsplit('/')
            .next()
            .and_then(|f| f.rsplit_once('.'))
            .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("sock"))
        || HOST_DIRECTORIES.iter().any(|d| p == *d || p.strip_prefix(d).is_some_and(|rest| rest.starts_with('/')))
}

/// What a task definition gives its containers of the host, one symbol each: `privileged`, `pid`
/// and `ipc` (the host's process and IPC namespaces), `cap:NAME` (a capability of
/// [`HOST_CAPABILITIES`] added), `mount:PATH` (a host path of [`host_path_matters`] a container
/// mounts), `device:PATH` (a disk or the memory of the instance, [`host_device_matters`]),
/// `network-root` (the host's network to a container that runs as root and not privileged:
/// Security Hub's ECS.1) or else `network` (the host's network, which by itself does not give the
/// instance).
fn host_access(h: &Host) -> Vec<String> {
    let mut said: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if !said.contains(&s) {
            said.push(s);
        }
    };
    let containers: Vec<&Container> = h.containers.items.iter().filter_map(|c| c.0.ok()).collect();
    if containers.iter().any(|c| matches!(c.privileged, Lenient::Ok(Flag(true)))) {
        add("privileged".to_owned());
    }
    for (mode, token) in [(h.pid_mode, "pid"), (h.ipc_mode, "ipc")] {
        if mode.eq_ignore_ascii_case("host") {
            add(token.to_owned());
        }
    }
    for c in &containers {
        let linux = c.linux_parameters.0.ok();
        let added = linux.and_then(|l| l.capabilities.0.ok());
        for cap in added.into_iter().flat_map(|a| texts(&a.add)) {
            let cap = cap.trim().trim_start_matches("CAP_").to_ascii_uppercase();
            if HOST_CAPABILITIES.contains(&cap.as_str()) {
                add(format!("cap:{cap}"));
            }
        }
        let devices = linux.into_iter().flat_map(|l| l.devices.items.iter().filter_map(|d| d.0.ok()));
        for path in devices.map(|d| d.host_path.str().trim()).filter(|p| host_device_matters(p)) {
            add(format!("device:{path}"));
        }
    }
    let mounted: Vec<&str> = containers
        .iter()
        .flat_map(|c| c.mount_points.items.iter().filter_map(|m| m.0.ok()).map(|m| m.source_volume.str()))
        .collect();
    for v in h.volumes.items.iter().filter_map(|v| v.0.ok()) {
        let path = v.host.0.ok().map_or("", |p| p.source_path.str());
        if host_path_matters(path) && mounted.contains(&v.name.str()) {
            add(format!("mount:{path}"));
        }
    }
    if h.network_mode.eq_ignore_ascii_case("host") {
        let privileged = |c: &&Container| matches!(c.privileged, Lenient::Ok(Flag(true)));
        let root = containers.iter().any(|c| !privileged(c) && runs_as_root(c.user.str()));
        add(if root { "network-root" } else { "network" }.to_owned());
    }
    said.truncate(MAX_HOST_ACCESS);
    said
}

/// Host access kept per task definition; each container's privileges past it are not told apart.
const MAX_HOST_ACCESS: usize = 12;

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Request<'a> {
    #[serde(borrow)]
    cluster_name: Lenient<Text<'a>>,
    #[serde(borrow)]
    cluster: Lenient<Text<'a>>,
    #[serde(borrow)]
    service_name: Lenient<Text<'a>>,
    #[serde(borrow)]
    service: Lenient<Text<'a>>,
    #[serde(borrow)]
    task_definition: Lenient<Text<'a>>,
    #[serde(borrow)]
    task_definitions: List<Lenient<Text<'a>>, MAX_CONTAINERS>,
    #[serde(borrow)]
    family: Lenient<Text<'a>>,
    desired_count: Num,
    count: Num,
    #[serde(borrow)]
    container_definitions: Containers<'a>,
    /// `RegisterTaskDefinition`: what gives its containers the host, with `containerDefinitions`.
    #[serde(borrow)]
    pid_mode: Lenient<Text<'a>>,
    #[serde(borrow)]
    ipc_mode: Lenient<Text<'a>>,
    #[serde(borrow)]
    network_mode: Lenient<Text<'a>>,
    #[serde(borrow)]
    volumes: Volumes<'a>,
    #[serde(borrow)]
    execution_role_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    task_role_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    task: Lenient<Text<'a>>,
    #[serde(borrow)]
    reason: Lenient<Text<'a>>,
    #[serde(borrow)]
    command: Lenient<Text<'a>>,
    /// `RunTask`, `StartTask`: what the task runs with in place of its task definition's.
    #[serde(borrow)]
    overrides: Obj<Overrides<'a>>,
    /// `UpdateService`: starts a deployment of the same task definition.
    force_new_deployment: Lenient<Flag>,
    /// `CreateService`, `UpdateService`, `RunTask`, `StartTask`: ECS Exec turned on (or off) for
    /// the tasks they start.
    enable_execute_command: Lenient<Flag>,
    /// `UpdateService` settings whose change starts a new deployment (ECS replaces every task),
    /// only their presence read.
    network_configuration: Option<IgnoredAny>,
    platform_version: Option<IgnoredAny>,
    capacity_provider_strategy: Option<IgnoredAny>,
    load_balancers: Option<IgnoredAny>,
    service_registries: Option<IgnoredAny>,
    service_connect_configuration: Option<IgnoredAny>,
    volume_configurations: Option<IgnoredAny>,
}

impl Request<'_> {
    /// Whether this `UpdateService` starts a new deployment: it names a task definition, forces
    /// one, or changes a setting every task must be replaced for (network, platform version,
    /// capacity providers, load balancers, service discovery or Service Connect, volumes). A call
    /// that only scales (`desiredCount`) or changes how deployments go does not: the service's
    /// tasks keep running, and new ones start from, what its last deployment resolved.
    fn redeploys(&self) -> bool {
        !self.task_definition.str().is_empty()
            || matches!(self.force_new_deployment, Lenient::Ok(Flag(true)))
            || [
                &self.network_configuration,
                &self.platform_version,
                &self.capacity_provider_strategy,
                &self.load_balancers,
                &self.service_registries,
                &self.service_connect_configuration,
                &self.volume_configurations,
            ]
            .iter()
            .any(|v| v.is_some())
    }
}

/// `RunTask`'s `overrides`: the task role, and each container's command and environment.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Overrides<'a> {
    #[serde(borrow)]
    task_role_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    container_overrides: List<Obj<ContainerOverride<'a>>, MAX_CONTAINERS>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ContainerOverride<'a> {
    #[serde(borrow)]
    command: List<Lenient<Text<'a>>, MAX_COMMAND_WORDS>,
    /// Variables added to (or replacing) the container's environment.
    #[serde(borrow)]
    environment: List<Obj<EnvVar<'a>>, MAX_ENVIRONMENT>,
}

/// Words of an overridden command kept; more are counted, as "…".
const MAX_COMMAND_WORDS: usize = 32;

impl Overrides<'_> {
    /// The task role and the commands (each container's words joined by spaces, containers by
    /// "; "), empty when not overridden, and the credentials the containers' environments are
    /// given ([`credentials`]' tokens).
    fn said(&self) -> (&str, String, Vec<String>) {
        let commands: Vec<String> = self
            .container_overrides
            .items
            .iter()
            .filter_map(|c| c.0.ok())
            .filter(|c| !c.command.items.is_empty())
            .map(|c| {
                let words: Vec<&str> = texts(&c.command).collect();
                let more = if c.command.dropped > 0 { " …" } else { "" };
                format!("{}{more}", words.join(" "))
            })
            .collect();
        let vars =
            self.container_overrides.items.iter().filter_map(|c| c.0.ok()).flat_map(|c| c.environment.items.iter());
        (self.task_role_arn.str(), commands.join("; "), credentials_in(vars))
    }
}

// Field names mirror AWS's JSON keys.
#[allow(clippy::struct_field_names)]
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct TaskDefinition<'a> {
    #[serde(borrow)]
    task_definition_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    family: Lenient<Text<'a>>,
    revision: Num,
    #[serde(borrow)]
    container_definitions: Containers<'a>,
    #[serde(borrow)]
    pid_mode: Lenient<Text<'a>>,
    #[serde(borrow)]
    ipc_mode: Lenient<Text<'a>>,
    #[serde(borrow)]
    network_mode: Lenient<Text<'a>>,
    #[serde(borrow)]
    volumes: Volumes<'a>,
}

// Field names mirror AWS's JSON keys.
#[allow(clippy::struct_field_names)]
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Service<'a> {
    #[serde(borrow)]
    service_name: Lenient<Text<'a>>,
    #[serde(borrow)]
    cluster_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    task_definition: Lenient<Text<'a>>,
    desired_count: Num,
}

// Field names mirror AWS's JSON keys.
#[allow(clippy::struct_field_names)]
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Task<'a> {
    #[serde(borrow)]
    task_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    task_definition_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    cluster_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    containers: Containers<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Cluster<'a> {
    #[serde(borrow)]
    cluster_name: Lenient<Text<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Response<'a> {
    #[serde(borrow)]
    task_definition: Obj<TaskDefinition<'a>>,
    #[serde(borrow)]
    service: Obj<Service<'a>>,
    #[serde(borrow)]
    tasks: List<Obj<Task<'a>>, MAX_CONTAINERS>,
    #[serde(borrow)]
    task: Obj<Task<'a>>,
    #[serde(borrow)]
    cluster: Obj<Cluster<'a>>,
}

/// `family:revision` of a task definition reference: `family`, `family:3`, or its ARN
/// `arn:aws:ecs:<region>:<account>:task-definition/family:3`. Revision 0: not given (the latest).
pub fn parse_task_def(s: &str) -> (&str, u32) {
    let s = s.rsplit_once(":task-definition/").map_or(s, |(_, r)| r);
    match s.rsplit_once(':') {
        Some((family, rev)) if rev.bytes().all(|b| b.is_ascii_digit()) && !rev.is_empty() => {
            (family, rev.parse().unwrap_or(0))
        }
        _ => (s, 0),
    }
}

/// The last part of a cluster/service/task ARN (`.../cluster/prod` → `prod`); names stay as they are.
fn short(s: &str) -> &str {
    if s.starts_with("arn:") {
        s.rsplit('/').next().unwrap_or(s)
    } else {
        s
    }
}

fn first_non_empty<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.is_empty() {
        b
    } else {
        a
    }
}

/// Interns image URIs as (URI, ECR repository name or empty) pairs.
fn image_pairs<'x>(images: impl Iterator<Item = &'x str>, sink: &mut Sink) -> Span {
    let mut syms: Vec<Sym> = Vec::new();
    for uri in images.filter(|u| !u.is_empty()) {
        syms.push(sink.sym(uri));
        syms.push(sink.sym(parse_image_uri(uri).map_or("", |u| u.name)));
    }
    sink.sym_span(&syms)
}

fn images<'x>(c: &'x Containers<'_>) -> impl Iterator<Item = &'x str> {
    c.items.iter().filter_map(|c| c.0.ok()).map(|c| c.image.str())
}

/// Reads an ECS event.
pub(super) fn read(name: &str, raw: &RawEvent, sink: &mut Sink) -> Found {
    if ["Describe", "List", "Get", "Discover", "Poll", "Submit"].iter().any(|p| name.starts_with(p)) {
        return None;
    }
    let req: Request = parse(raw.request_parameters).unwrap_or_default();
    let resp: Response = parse(raw.response_elements).unwrap_or_default();
    let kind = match name {
        "RegisterTaskDefinition" => {
            let td = resp.task_definition.0.ok();
            let from_arn = td.map_or(("", 0), |t| parse_task_def(t.task_definition_arn.str()));
            let family = first_non_empty(td.map_or("", |t| t.family.str()), req.family.str());
            let family = first_non_empty(family, from_arn.0);
            let revision = td.and_then(|t| t.revision.u32()).unwrap_or(from_arn.1);
            let asked: Vec<&str> = images(&req.container_definitions).collect();
            let uris = if asked.iter().any(|u| !u.is_empty()) {
                asked
            } else {
                td.map(|t| images(&t.container_definitions).collect()).unwrap_or_default()
            };
            // The request says what was asked; a response alone (the request left out) says the same.
            let host = match td.filter(|_| req.container_definitions.items.is_empty()) {
                Some(t) => Host {
                    containers: &t.container_definitions,
                    volumes: &t.volumes,
                    pid_mode: t.pid_mode.str(),
                    ipc_mode: t.ipc_mode.str(),
                    network_mode: t.network_mode.str(),
                },
                None => Host {
                    containers: &req.container_definitions,
                    volumes: &req.volumes,
                    pid_mode: req.pid_mode.str(),
                    ipc_mode: req.ipc_mode.str(),
                    network_mode: req.network_mode.str(),
                },
            };
            Kind::TaskDef {
                family: sink.sym(family),
                revision,
                images: image_pairs(uris.into_iter(), sink),
                exec_role: sink.sym(req.execution_role_arn.str()),
                task_role: sink.sym(req.task_role_arn.str()),
                risks: {
                    let risks =
                        [host_access(&host), credentials(host.containers), log_drivers(host.containers)].concat();
                    sink.syms(risks.iter().map(String::as_str))
                },
            }
        }
        "DeregisterTaskDefinition" | "DeleteTaskDefinitions" => {
            let first = texts(&req.task_definitions).next().unwrap_or("");
            let (family, revision) = parse_task_def(first_non_empty(req.task_definition.str(), first));
            Kind::TaskDefGone { family: sink.sym(family), revision }
        }
        "CreateService" | "UpdateService" | "DeleteService" => {
            let svc = resp.service.0.ok();
            let td = first_non_empty(svc.map_or("", |s| s.task_definition.str()), req.task_definition.str());
            let (family, revision) = parse_task_def(td);
            let service = short(first_non_empty(
                first_non_empty(req.service_name.str(), req.service.str()),
                svc.map_or("", |s| s.service_name.str()),
            ));
            let desired = req.desired_count.u32().or_else(|| svc.and_then(|s| s.desired_count.u32()));
            let cluster = cluster_of(&req, svc.map_or("", |s| s.cluster_arn.str()));
            Kind::Service {
                cluster: sink.sym(&cluster),
                service: sink.sym(service),
                family: sink.sym(family),
                revision,
                desired: if name == "DeleteService" { None } else { desired },
                deploys: name == "CreateService" || (name == "UpdateService" && req.redeploys()),
                exec: match req.enable_execute_command {
                    Lenient::Ok(Flag(on)) if name != "DeleteService" => Some(on),
                    _ => None,
                },
            }
        }
        "RunTask" | "StartTask" => task(&req, &resp, sink),
        "StopTask" | "ExecuteCommand" => {
            let detail = if name == "StopTask" { req.reason.str() } else { req.command.str() };
            let task = first_non_empty(req.task.str(), resp.task.0.ok().map_or("", |t| t.task_arn.str()));
            Kind::TaskCall {
                cluster: sink.sym(&cluster_of(&req, "")),
                task: sink.sym(short(task)),
                detail: sink.sym(detail),
            }
        }
        "CreateCluster"
        | "DeleteCluster"
        | "UpdateCluster"
        | "UpdateClusterSettings"
        | "PutClusterCapacityProviders" => {
            let named =
                first_non_empty(req.cluster_name.str(), resp.cluster.0.ok().map_or("", |c| c.cluster_name.str()));
            let c = if named.is_empty() { cluster_of(&req, "") } else { short(named).to_owned() };
            Kind::Cluster { cluster: sink.sym(&c) }
        }
        _ => return None,
    };
    Some((Sym::EMPTY, Sym::EMPTY, kind))
}

/// ECS uses the cluster named `default` when a call names none.
fn cluster_of(req: &Request<'_>, arn: &str) -> String {
    let c = short(first_non_empty(arn, req.cluster.str()));
    if c.is_empty() { "default" } else { c }.to_owned()
}

/// A `RunTask` or `StartTask`.
fn task(req: &Request<'_>, resp: &Response<'_>, sink: &mut Sink) -> Kind {
    let tasks: Vec<&Task> = resp.tasks.items.iter().filter_map(|t| t.0.ok()).collect();
    let td = first_non_empty(req.task_definition.str(), tasks.first().map_or("", |t| t.task_definition_arn.str()));
    let (family, revision) = parse_task_def(td);
    let (family, revision) = match (revision, tasks.first()) {
        // The response names the revision that actually ran when the request named a family.
        (0, Some(t)) => {
            let (f, r) = parse_task_def(t.task_definition_arn.str());
            (first_non_empty(family, f), r)
        }
        _ => (family, revision),
    };
    let arns: Vec<&str> = tasks.iter().map(|t| t.task_arn.str()).filter(|s| !s.is_empty()).collect();
    let uris: Vec<&str> = tasks.iter().flat_map(|t| images(&t.containers)).collect();
    let cluster = cluster_of(req, tasks.first().map_or("", |t| t.cluster_arn.str()));
    let (role, command, secrets) = req.overrides.0.ok().map(Overrides::said).unwrap_or_default();
    Kind::Task {
        cluster: sink.sym(&cluster),
        family: sink.sym(family),
        revision,
        count: req.count.u32().map_or(1, |c| u16::try_from(c).unwrap_or(u16::MAX)),
        tasks: sink.syms(arns),
        images: image_pairs(uris.into_iter(), sink),
        overrides: if role.is_empty() && command.is_empty() && secrets.is_empty() {
            Span::default()
        } else {
            sink.syms([role, command.as_str()].into_iter().chain(secrets.iter().map(String::as_str)))
        },
        exec: matches!(req.enable_execute_command, Lenient::Ok(Flag(true))),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_task_def;

    #[test]
    fn ok_task_definition_references() {
        assert_eq!(parse_task_def("web-api:12"), ("web-api", 12));
        assert_eq!(parse_task_def("web-api"), ("web-api", 0));
        assert_eq!(parse_task_def("arn:aws:ecs:us-east-1:123456789012:task-definition/web-api:7"), ("web-api", 7));
        assert_eq!(parse_task_def("odd:name:x"), ("odd:name:x", 0));
        assert_eq!(parse_task_def(""), ("", 0));
    }
}
