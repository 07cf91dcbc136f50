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
    // What a recipe builds on: `parent:…` then `component:ARN` each.
    let parent = req.parent_image.str().trim();
    let parent = (!parent.is_empty()).then(|| format!("parent:{parent}"));
    let components = req.components.items.iter().filter_map(|c| c.0.ok()).map(|c| c.component_arn.str().trim());
    let sources: Vec<String> =
        parent.into_iter().chain(components.filter(|c| !c.is_empty()).map(|c| format!("component:{c}"))).collect();
    let kind = Kind::Builder {
        pipeline: sink.sym(pick(req.image_pipeline_arn.str(), resp.image_pipeline_arn.str())),
        resource: sink.sym(resource),
        build_version: sink.sym(pick(resp.image_build_version_arn.str(), req.image_build_version_arn.str())),
        recipe: sink.sym(pick(req.recipe(), resp.recipe())),
        sources: sink.syms(sources.iter().map(String::as_str)),
    };
    Some((Sym::EMPTY, sink.sym(target), kind))
}
