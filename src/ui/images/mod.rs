//! The Images view: the container story. Headline figures, sub-tabs for repositories, pushes,
//! pulls, lifecycle expiries, ECS deployments, other services' uses and Image Builder, and the
//! repository and image pages. Everything here follows the filter bar; every item lists the raw
//! events it was built from.

pub(crate) mod common;
mod image;
mod lists;
mod registry;
mod repository;

pub(super) use common::short_digest;

use yew::prelude::*;

use super::query::Shown;
use super::Ctx;
use crate::analysis::container::nav::{Page, PushKeep};
use crate::analysis::container::report::{Headline, Outcome};
use crate::analysis::container::{Ask, ContainerAnswer};
use crate::text::{plural, thousands};
use common::{open, use_container};

/// The Images view.
#[function_component(ImagesView)]
pub fn images_view() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let page = ctx.state.0.container.clone();
    let (headline, shown) = use_container(Ask::Headline);
    let h = match headline.as_deref() {
        Some(ContainerAnswer::Headline(h)) => Some(*h),
        _ => None,
    };
    let body = match &page {
        Page::Repositories => html! { <><registry::RegistryChanges /><lists::RepoList /></> },
        Page::Pushes(k) => html! { <lists::PushList keep={*k} headline={h} /> },
        Page::Pulls(o) => html! { <lists::PullList outcome={*o} headline={h} /> },
        Page::Lifecycle => html! { <lists::LifecycleList /> },
        Page::Ecs => html! { <lists::EcsList /> },
        Page::Builder => html! { <lists::BuilderList /> },
        Page::Uses => html! { <lists::UseList /> },
        Page::Repository(r) => html! { <repository::RepositoryView repo={r.clone()} /> },
        Page::Image(i) => html! { <image::ImageView image={i.clone()} /> },
    };
    html! {
        <div class="images-view" data-testid="images-view" data-page={page.slug()}>
            if let Some(h) = h {
                <Cards headline={h} {shown} />
            }
            <nav class="subtabs" aria-label="Container story">
                { for Page::LISTS.iter().map(|tab| {
                    let count = h.map(|h| count_of(tab, &h));
                    html! {
                        <button type="button" class={classes!("subtab", page.under(tab).then_some("active"))}
                            data-testid={format!("images-nav-{}", tab.slug())} onclick={open(&ctx, tab.clone())}>
                            {tab.label()}
                            if let Some(n) = count {
                                <span class={classes!("count", shown.class)}>{thousands(n)}</span>
                            }
                        </button>
                    }
                }) }
            </nav>
            {body}
        </div>
    }
}

/// The figure shown next to a sub-tab.
fn count_of(tab: &Page, h: &Headline) -> u64 {
    match tab {
        Page::Repositories => h.repositories,
        Page::Pushes(_) => lists::push_counts(h)[0],
        Page::Pulls(_) => lists::pull_counts(h)[0],
        Page::Lifecycle => h.lifecycle_runs + h.lifecycle_previews,
        Page::Ecs => h.ecs_calls,
        Page::Builder => h.builder_executions + h.builder_changes,
        Page::Uses => h.image_uses,
        _ => 0,
    }
}

#[derive(Properties, PartialEq)]
struct CardsProps {
    headline: Headline,
    /// Whether the figures answer an earlier filter while this one's are on their way.
    shown: Shown,
}

/// Under a count of refusals, why, by kind, each as (count, one, more): "326 not found, 12 access
/// denied, 1 other error" ("none" when nothing was refused).
fn refusals(kinds: &[(u64, &str, &str)]) -> String {
    let parts: Vec<String> =
        kinds.iter().filter(|&&(n, ..)| n > 0).map(|&(n, one, more)| plural(n, one, more)).collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Headline figures; each opens the list behind it.
#[function_component(Cards)]
fn cards(p: &CardsProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let h = p.headline;
    let card = |label: &str, value: u64, sub: Html, page: Page, testid: &str, bad: bool| {
        html! {
            <button type="button" class="card pick" data-testid={testid.to_owned()} data-value={value.to_string()} onclick={open(&ctx, page)}>
                <div class="label">{label.to_owned()}</div>
                <div class={classes!("value", (bad && value > 0).then_some("bad"))}>{thousands(value)}</div>
                <div class="sub">{sub}</div>
            </button>
        }
    };
    html! {
        <section class={classes!("cards", "images-cards", p.shown.class)} data-testid="images-cards"
            data-state={p.shown.state} aria-busy={p.shown.busy}>
            { card("Pushes", h.pushes, html! {
                <>{plural(h.images, "distinct image", "distinct images")}
                  if h.tag_moves > 0 { {format!("; {} moved a tag", thousands(h.tag_moves))} }
                  if h.public_pushes > 0 { {format!("; {} to ECR Public", thousands(h.public_pushes))} }</>
              }, Page::Pushes(PushKeep::Outcome(Outcome::Ok)), "card-pushes", false) }
            // Incomplete pushes (uploads with no PutImage) were not refused: the figure leaves them
            // out, and the line says so rather than listing them with the refusals.
            { card("Refused pushes", h.failed_pushes, html! {
                <>{refusals(&[
                    (h.failed_pushes_denied, "access denied", "access denied"),
                    (h.failed_pushes - h.failed_pushes_denied, "other error", "other errors"),
                ])}
                  if h.incomplete_pushes > 0 { {format!("; {} more incomplete", thousands(h.incomplete_pushes))} }</>
              }, Page::Pushes(PushKeep::Outcome(Outcome::Failed)), "card-failed-pushes", true) }
            { card("Pulls", h.pulls, html! {
                <>{format!("{} from other accounts", thousands(h.cross_account_pulls))}
                  if h.incomplete_pulls > 0 { {format!(", {} incomplete", thousands(h.incomplete_pulls))} }</>
              }, Page::Pulls(Some(Outcome::Ok)), "card-pulls", false) }
            { card("Refused pulls", h.failed_pulls, html! {
                {refusals(&[
                    (h.failed_pulls_not_found, "not found", "not found"),
                    (h.failed_pulls_denied, "access denied", "access denied"),
                    (h.failed_pulls - h.failed_pulls_not_found - h.failed_pulls_denied, "other error", "other errors"),
                ])}
              }, Page::Pulls(Some(Outcome::Failed)), "card-failed-pulls", true) }
            { card("Expired images", h.expired_images, html! {
                <>{plural(h.lifecycle_runs, "lifecycle run", "lifecycle runs")}
                  if h.lifecycle_previews > 0 { {format!(", {}", plural(h.lifecycle_previews, "preview", "previews"))} }</>
              }, Page::Lifecycle, "card-expired", false) }
            // The card opens the list of every ECS call (clusters, stops, refusals too), which it names.
            // A refused call (a task run or a service changed that did not happen) is no deployment;
            // the line says how many the list it opens holds.
            { card("Deployments", h.deployments, html! {
                <>{format!("{}; {} listed", plural(h.task_definitions, "task definition", "task definitions"),
                    plural(h.ecs_calls, "ECS call", "ECS calls"))}
                  if h.ecs_refused > 0 { {format!(", {} refused", thousands(h.ecs_refused))} }</>
              }, Page::Ecs, "card-deployments", false) }
        </section>
    }
}
