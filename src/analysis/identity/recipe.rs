//! *Image Builder recipe builds on another account's image or component*: a `CreateImageRecipe`
//! or `CreateContainerRecipe`, among the rows looked at, whose parent image or components belong
//! to an account other than the recipe's (an Image Builder ARN's owner, an ECR image URI's
//! registry) that none of the recipe's earlier versions in these logs built on. What is in them
//! goes into every image the pipelines that use the recipe build: a component's steps run on the
//! build instance, and the parent image is the result's base. Whoever controls that account
//! controls those images: a supply chain's way in. High when no event of that account is in these
//! logs; medium else (an organization's central account shares components and golden images).
//! AWS-managed images and components (owner `aws`), AMI IDs and other registries' images name no
//! account and are not judged; each version of a recipe is made once, so a later version that
//! keeps the same accounts is no item.

use super::attention::{joined, Attention, AttentionKind, Severity};
use super::breakdown::Gathered;
use crate::analysis::container::recipe_sources;
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

/// What recipe row `r` builds on that another account owns: (`parent image …` or `component …`,
/// that account).
fn outside_sources(store: &Store, r: Row) -> Vec<(String, String)> {
    let Some(Kind::Builder { sources, .. }) = store.container.get(r).map(|f| f.kind) else { return Vec::new() };
    let own = store.str(store.account(r));
    let (parent, components) = recipe_sources(store, sources);
    let parent = (!parent.is_empty()).then_some(("parent image", parent));
    parent
        .into_iter()
        .chain(components.into_iter().map(|c| ("component", c)))
        .filter_map(|(what, s)| {
            let account = owner(&s)?.to_owned();
            (account != own).then(|| (format!("{what} {s}"), account))
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
        let had: Vec<String> = earlier.iter().flat_map(|&(b, _)| outside_sources(store, b)).map(|(_, a)| a).collect();
        let new: Vec<&(String, String)> = now.iter().filter(|(_, a)| !had.contains(a)).collect();
        if new.is_empty() {
            continue;
        }
        let mut accounts: Vec<&str> = new.iter().map(|(_, a)| a.as_str()).collect();
        accounts.sort_unstable();
        accounts.dedup();
        let strangers: Vec<&str> =
            accounts.iter().copied().filter(|a| !logged.iter().any(|&l| store.str(l) == *a)).collect();
        let severity = if strangers.is_empty() { Severity::Medium } else { Severity::High };
        let name = &key.2;
        let parents = new.iter().filter(|(s, _)| s.starts_with("parent")).count();
        let noun = match (parents, new.len() - parents) {
            (0, 1) => "component",
            (0, _) => "components",
            (_, 0) => "image",
            _ => "image and components",
        };
        let title = match accounts.as_slice() {
            [one] => format!("Recipe {name} builds on {one}'s {noun}"),
            more => format!("Recipe {name} builds on {} other accounts' {noun}", more.len()),
        };
        let what: Vec<String> = new.iter().map(|(s, a)| format!("{s} (account {a})")).collect();
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
             {compared}{outside} What is in them goes into every image the pipelines that use the recipe build: a \
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
