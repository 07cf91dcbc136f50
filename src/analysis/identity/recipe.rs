//! *Image Builder recipe builds on another account's image or component*: a `CreateImageRecipe`
//! or `CreateContainerRecipe`, among the rows looked at, whose parent image, components or
//! Dockerfile's own images (`FROM`, `COPY --from=`) belong to an account other than the recipe's
//! (an Image Builder ARN's owner, an ECR image URI's registry) that none of the recipe's earlier
//! versions in these logs built on. What is in them goes into every image the pipelines that use
//! the recipe build: a component's steps run on the build instance, and the parent image is the
//! result's base. Whoever controls that account controls those images: a supply chain's way in.
//! High when no event of that account is in these logs; medium else (an organization's central
//! account shares components and golden images). A container recipe's image from another registry
//! than ECR (Docker Hub, ECR Public, any host) is one too, medium, when the recipe's earlier
//! versions in these logs built on none of that registry's: a first version's public base image
//! is commonplace, a later version's new registry is not. AWS-managed images and components (owner
//! `aws`), AMI IDs and SSM parameters are not judged; each version of a recipe is made once, so a
//! later version that keeps the same accounts and registries is no item.

use super::attention::{joined, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use super::outside::source;
use crate::analysis::container::{recipe_sources, RecipeSources};
use crate::analysis::filter::Field;
use crate::facts::container::{parse_image_uri, Kind};
use crate::model::Sym;
use crate::store::{Row, Store};
use crate::text::utc;

/// The account that owns what a recipe builds on: an Image Builder ARN's owner field, an ECR
/// image URI's registry; none for AWS-managed ones (`aws`), AMI IDs, SSM parameters and other
/// registries.
fn owner(source: &str) -> Option<&str> {
    let account = match source.strip_prefix("arn:") {
        Some(rest) => rest.split(':').nth(3)?,
        None => parse_image_uri(source)?.account,
    };
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
}

/// A recipe's name and version, from its ARN (`…:image-recipe/NAME/VERSION`) or its name alone.
fn name_version(resource: &str) -> (&str, &str) {
    let tail = resource.split_once("recipe/").map_or(resource, |(_, t)| t);
    tail.split_once('/').unwrap_or((tail, ""))
}

/// Something a recipe builds on from outside its account.
struct Outside {
    /// `parent image …`, `component …` or `Dockerfile image …`.
    what: String,
    /// Whose: an account, or a registry ([`source`]'s words).
    from: String,
    /// Whether `from` is an account.
    account: bool,
}

impl Outside {
    /// Its image, or what is built on: not a component.
    fn is_image(&self) -> bool {
        !self.what.starts_with("component")
    }
}

/// What recipe row `r` builds on from outside its account: what another account owns, and a
/// container recipe's images from another registry than ECR.
fn outside_sources(store: &Store, r: Row) -> Vec<Outside> {
    let Some(Kind::Builder { sources, .. }) = store.container.get(r).map(|f| f.kind) else { return Vec::new() };
    let own = store.str(store.account(r));
    // A container recipe's parent is an image URI or an Image Builder image ARN; an image
    // recipe's an ARN, an AMI ID or an SSM parameter.
    let container = store.str(store.name(r)) == "CreateContainerRecipe";
    let RecipeSources { parent, components, dockerfile_images, .. } = recipe_sources(store, sources);
    let parent = (!parent.is_empty()).then_some(("parent image", parent, container));
    parent
        .into_iter()
        .chain(components.into_iter().map(|c| ("component", c, false)))
        .chain(dockerfile_images.into_iter().map(|i| ("Dockerfile image", i, true)))
        .filter_map(|(what, s, uri)| {
            let (from, account) = match owner(&s) {
                Some(a) => (a.to_owned(), true),
                None if uri && !s.starts_with("arn:") => (source(&s), false),
                None => return None,
            };
            (from != own).then(|| Outside { what: format!("{what} {s}"), from, account })
        })
        .collect()
}

/// The recipe made in row `r`: (account, region, name) and its version.
fn recipe_of(store: &Store, r: Row) -> Option<((Sym, Sym, String), String)> {
    let Some(Kind::Builder { resource, .. }) = store.container.get(r).map(|f| f.kind) else { return None };
    let resource = store.str(resource);
    let (name, version) = name_version(&resource);
    Some(((store.account(r), store.region(r), name.to_owned()), version.to_owned()))
}

/// One item per recipe made among the rows looked at that builds on an account the recipe's
/// earlier versions in these logs did not.
pub(super) fn outside(g: &Gathered, out: &mut Vec<Attention>) {
    if g.recipes.is_empty() {
        return;
    }
    let store = g.store;
    let logged = store.accounts();
    for &(id, r) in &g.recipes {
        let now = outside_sources(store, r);
        let Some((key, version)) = recipe_of(store, r).filter(|_| !now.is_empty()) else { continue };
        // The same recipe's versions made before it, in every log loaded.
        let at = (store.time(r), r);
        let earlier: Vec<(Row, String)> = g
            .container
            .builder
            .iter()
            .filter(|&&b| (store.time(b), b) < at && store.error_code(b).is_empty() && store.name(b) == store.name(r))
            .filter_map(|&b| recipe_of(store, b).filter(|(k, _)| *k == key).map(|(_, v)| (b, v)))
            .collect();
        let had: Vec<String> = earlier.iter().flat_map(|&(b, _)| outside_sources(store, b)).map(|o| o.from).collect();
        // Another registry than ECR only tells against earlier versions that did not use it.
        let new: Vec<&Outside> =
            now.iter().filter(|o| !had.contains(&o.from) && (o.account || !earlier.is_empty())).collect();
        if new.is_empty() {
            continue;
        }
        let mut origins: Vec<&str> = new.iter().map(|o| o.from.as_str()).collect();
        origins.sort_unstable();
        origins.dedup();
        let mut strangers: Vec<&str> = new
            .iter()
            .filter(|o| o.account && !logged.iter().any(|&l| store.str(l) == o.from))
            .map(|o| o.from.as_str())
            .collect();
        strangers.sort_unstable();
        strangers.dedup();
        let severity = if strangers.is_empty() { Severity::Medium } else { Severity::High };
        let name = &key.2;
        let images = new.iter().filter(|o| o.is_image()).count();
        let noun = match (images, new.len() - images) {
            (0, 1) => "component",
            (0, _) => "components",
            (1, 0) => "image",
            (_, 0) => "images",
            _ => "images and components",
        };
        let title = match origins.as_slice() {
            [one] => format!("Recipe {name} builds on {one}'s {noun}"),
            more if new.iter().all(|o| o.account) => {
                format!("Recipe {name} builds on {} other accounts' {noun}", more.len())
            }
            more => format!("Recipe {name} builds on {} outside sources' {noun}", more.len()),
        };
        let what: Vec<String> = new
            .iter()
            .map(|o| {
                if o.account {
                    format!("{} (account {})", o.what, o.from)
                } else {
                    format!("{} ({})", o.what, o.from)
                }
            })
            .collect();
        let dockerfile = if new.iter().any(|o| o.what.starts_with("Dockerfile")) {
            " Its Dockerfile names that image itself: the build starts from it, whatever the parent image says."
        } else {
            ""
        };
        let compared = match earlier.as_slice() {
            [] => format!(" No earlier version of {name} is in these logs to compare with."),
            some => {
                let versions: Vec<&str> = some.iter().map(|(_, v)| v.as_str()).collect();
                format!(" Its earlier versions in these logs ({}) did not.", joined(&versions, ", "))
            }
        };
        let outside = match strangers.as_slice() {
            [] => String::new(),
            [one] => format!(" No event of account {one} is in these logs."),
            more => format!(" No event of accounts {} is in these logs.", joined(more, ", ")),
        };
        let why = format!(
            "{} at {} from {} with {} made Image Builder recipe {name} {version} ({}, {}) that builds on {}.\
             {compared}{outside}{dockerfile} What is in them goes into every image the pipelines that use the recipe build: a \
             component's steps run on the build instance, and the parent image is the result's base.",
            g.str(store.name(r)),
            utc(store.time(r)),
            g.str(store.ip(r)),
            g.client(store.user_agent(r)).label(),
            g.str(key.0),
            g.str(key.1),
            joined(&what, ", "),
        );
        let t = store.time(r);
        let chips = vec![(Field::Source, crate::facts::share::BUILDER_SOURCE.to_owned())];
        out.push(Attention::of_calls(
            AttentionKind::RecipeFromOutside,
            severity,
            (title, why),
            g.label(id),
            (1, t, t),
            chips,
        ));
    }
}
