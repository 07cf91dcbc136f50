//! EC2 Image Builder events: pipeline executions (with the image build version they started) and
//! configuration changes. Build completion is not in CloudTrail, so nothing here says a build ended.

use serde::Deserialize;

use super::lenient::{parse, List};
use super::{Found, Kind, Sink};
use crate::ingest::raw::{Lenient, Obj, RawEvent, Text};
use crate::model::Sym;

/// `targetRepository` of a container recipe: the ECR repository its images go to.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Target<'a> {
    #[serde(borrow)]
    repository_name: Lenient<Text<'a>>,
}

/// A recipe's `components[]`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Component<'a> {
    #[serde(borrow)]
    component_arn: Lenient<Text<'a>>,
}

/// Components read per recipe; more are not seen.
const MAX_COMPONENTS: usize = 32;

/// The ARNs and names Image Builder requests and responses carry (each call uses a few).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Fields<'a> {
    #[serde(borrow)]
    image_pipeline_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    image_recipe_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    container_recipe_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    infrastructure_configuration_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    distribution_configuration_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    component_build_version_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    component_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    image_build_version_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    workflow_build_version_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    lifecycle_policy_arn: Lenient<Text<'a>>,
    #[serde(borrow)]
    name: Lenient<Text<'a>>,
    #[serde(borrow)]
    target_repository: Obj<Target<'a>>,
    /// A recipe's base: an Image Builder image ARN, an AMI ID or an SSM parameter for an image
    /// recipe; an image URI (ECR, Docker Hub...) or an image ARN for a container recipe.
    #[serde(borrow)]
    parent_image: Lenient<Text<'a>>,
    #[serde(borrow)]
    components: List<Obj<Component<'a>>, MAX_COMPONENTS>,
    /// A container recipe's Dockerfile, inline.
    #[serde(borrow)]
    dockerfile_template_data: Lenient<Text<'a>>,
    /// A container recipe's Dockerfile, in S3.
    #[serde(borrow)]
    dockerfile_template_uri: Lenient<Text<'a>>,
}

impl Fields<'_> {
    /// The most specific resource the call names.
    fn resource(&self) -> &str {
        [
            &self.image_build_version_arn,
            &self.container_recipe_arn,
            &self.image_recipe_arn,
            &self.infrastructure_configuration_arn,
            &self.distribution_configuration_arn,
            &self.component_build_version_arn,
            &self.component_arn,
            &self.workflow_build_version_arn,
            &self.lifecycle_policy_arn,
            &self.image_pipeline_arn,
            &self.name,
        ]
        .into_iter()
        .map(Lenient::str)
        .find(|s| !s.is_empty())
        .unwrap_or("")
    }

    fn recipe(&self) -> &str {
        match self.container_recipe_arn.str() {
            "" => self.image_recipe_arn.str(),
            r => r,
        }
    }
}

fn pick<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.is_empty() {
        b
    } else {
        a
    }
}

/// What a recipe builds on: `parent:…`, then `component:ARN` each, then `from:IMAGE` for each
/// image its inline Dockerfile names itself ([`dockerfile_images`]) and `dockerfile:URI` for one
/// kept in S3.
fn recipe_sources(req: &Fields) -> Vec<String> {
    let parent = req.parent_image.str().trim();
    let parent = (!parent.is_empty()).then(|| format!("parent:{parent}"));
    let components = req.components.items.iter().filter_map(|c| c.0.ok()).map(|c| c.component_arn.str().trim());
    let components = components.filter(|c| !c.is_empty()).map(|c| format!("component:{c}"));
    let images = dockerfile_images(req.dockerfile_template_data.str()).into_iter().map(|i| format!("from:{i}"));
    let uri = req.dockerfile_template_uri.str().trim();
    let uri = (!uri.is_empty()).then(|| format!("dockerfile:{uri}"));
    parent.into_iter().chain(components).chain(images).chain(uri).collect()
}

/// Images a Dockerfile names itself, in order and once each: each `FROM`'s image and each
/// `COPY --from=`'s that is not an earlier stage. Image Builder's own placeholder (`FROM {{{
/// imagebuilder:parentImage }}}`, the recipe's parent image), `scratch`, stage names, stage
/// numbers and images named through a build argument (`$BASE`) are not images named here. Lines
/// continued with `\` are read as one.
pub(crate) fn dockerfile_images(text: &str) -> Vec<&str> {
    let mut stages: Vec<&str> = Vec::new();
    let mut images: Vec<&str> = Vec::new();
    // An instruction's words, with continued lines' words after its own.
    let mut words: Vec<&str> = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        words.clear();
        let mut part = line;
        while let Some(head) = part.strip_suffix('\\') {
            words.extend(head.split_whitespace());
            part = lines.next().map_or("", str::trim);
        }
        words.extend(part.split_whitespace());
        let Some((op, args)) = words.split_first() else { continue };
        // Flags (`--platform=…`, `--chown=…`) come before an instruction's arguments.
        let mut plain = args.iter().copied().filter(|w| !w.starts_with("--"));
        if op.eq_ignore_ascii_case("FROM") {
            if args.iter().any(|w| w.contains("{{")) {
                // `FROM {{{ imagebuilder:parentImage }}} [AS name]`: the placeholder is three words.
                let rest: Vec<&str> = plain.skip_while(|w| !w.contains("}}")).skip(1).collect();
                stages.extend(stage_name(&rest));
                continue;
            }
            let image = plain.next().unwrap_or("");
            named(&mut images, image, &stages);
            stages.extend(stage_name(&plain.collect::<Vec<_>>()));
        } else if op.eq_ignore_ascii_case("COPY") {
            let from = args.iter().find_map(|w| w.strip_prefix("--from=").or_else(|| w.strip_prefix("--FROM=")));
            if let Some(image) = from {
                named(&mut images, image, &stages);
            }
        }
    }
    images
}

/// Adds `image` to `images`, a Dockerfile's, unless it is no image of its own (see
/// [`dockerfile_images`]).
fn named<'a>(images: &mut Vec<&'a str>, image: &'a str, stages: &[&str]) {
    let own = image.is_empty()
        || image.contains("{{")
        || image.contains('$')
        || image.eq_ignore_ascii_case("scratch")
        || image.bytes().all(|b| b.is_ascii_digit())
        || stages.iter().any(|s| s.eq_ignore_ascii_case(image));
    if !own && !images.contains(&image) && images.len() < MAX_COMPONENTS {
        images.push(image);
    }
}

/// `AS name` after a `FROM`'s image: the stage's name.
fn stage_name<'a>(rest: &[&'a str]) -> Option<&'a str> {
    match rest {
        [as_, name, ..] if as_.eq_ignore_ascii_case("AS") => Some(name),
        _ => None,
    }
}

/// Reads an Image Builder event (writes only: reads say nothing about the supply chain).
pub(super) fn read(name: &str, raw: &RawEvent, sink: &mut Sink) -> Found {
    if ["Get", "List", "Describe"].iter().any(|p| name.starts_with(p)) {
        return None;
    }
    let req: Fields = parse(raw.request_parameters).unwrap_or_default();
    let resp: Fields = parse(raw.response_elements).unwrap_or_default();
    // The response names what was created (its ARN); the request names what was acted on.
    let resource = pick(resp.resource(), req.resource());
    let target = req.target_repository.0.ok().map_or("", |t| t.repository_name.str());
    let sources = recipe_sources(&req);
    let kind = Kind::Builder {
        pipeline: sink.sym(pick(req.image_pipeline_arn.str(), resp.image_pipeline_arn.str())),
        resource: sink.sym(resource),
        build_version: sink.sym(pick(resp.image_build_version_arn.str(), req.image_build_version_arn.str())),
        recipe: sink.sym(pick(req.recipe(), resp.recipe())),
        sources: sink.syms(sources.iter().map(String::as_str)),
    };
    Some((Sym::EMPTY, sink.sym(target), kind))
}
