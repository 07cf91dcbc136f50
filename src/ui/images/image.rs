//! An image's page: its whole story on one timeline, with its layers beside it.

use yew::prelude::*;

use super::super::Ctx;
use super::common::{
    breaks_after, digest, loading, open, short_digest, use_container, when, who, Events, ImageLink, RepoLink,
};
use super::lists::{image_use_at, layers_cell, moved_from};
use crate::analysis::container::nav::Page;
use crate::analysis::container::report::{
    EcsItem, ImagePage, ImageRef, LayerRow, Outcome, PullItem, PushItem, RepoRef, RunItem, Step, UseItem,
};
use crate::analysis::container::{Ask, ContainerAnswer};
use crate::analysis::filter::Filter;
use crate::text::{arn_parts, bytes, plural, reveal, thousands, utc};
use crate::viewstate::Action;

#[derive(Properties, PartialEq)]
pub struct ImageProps {
    pub image: ImageRef,
}

#[function_component(ImageView)]
pub fn image_view(p: &ImageProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    // The filter *Show its whole story* cleared, and for which image: it can be put back.
    let kept = use_state(|| None::<(String, Filter)>);
    let (answer, shown) = use_container(Ask::Image(p.image.clone()));
    let crumbs = html! {
        <nav class="crumbs" aria-label="Breadcrumb">
            <button type="button" class="linkish" onclick={open(&ctx, Page::Repositories)}>{"Repositories"}</button>
            <span class="sep">{"›"}</span>
            <button type="button" class="linkish" onclick={open(&ctx, Page::Repository(p.image.repo.clone()))}>{p.image.repo.name.clone()}</button>
            <span class="sep">{"›"}</span>
            <span>{short_digest(&p.image.digest)}</span>
        </nav>
    };
    let page = match answer.as_deref() {
        Some(ContainerAnswer::Image(Some(page))) => page.clone(),
        Some(ContainerAnswer::Image(None)) => {
            return html! { <>{crumbs}<section class="panel"><p class="muted">{"These logs say nothing about this image (or the filters hide all of it)."}</p></section></> }
        }
        _ => return html! { <>{crumbs}{loading()}</> },
    };
    html! {
        <div class={classes!("image-page", shown.class)} data-state={shown.state} data-testid="image-page" data-digest={page.image.digest.clone()} data-status={page.status.clone()}
            aria-busy={shown.busy}>
            {crumbs}
            {header(&page)}
            <div class="image-grid">
                <section class="panel" data-testid="image-story">
                    <h2>{"Story"}<span class="count">{thousands(u64::from(page.story_total))}</span></h2>
                    if page.story.is_empty() {
                        <p class="muted">{"Nothing about this image passes the filters."}</p>
                    }
                    <ol class="story">
                        { for page.story.iter().map(|s| step(s, &page.image.repo)) }
                    </ol>
                    if page.story_total as usize > page.story.len() {
                        <p class="muted">{format!("{}, not listed", plural(u64::from(page.story_total) - page.story.len() as u64, "more pull", "more pulls"))}</p>
                    }
                    if page.outside_filter > 0 {
                        // Filtered to who pushed it, the others who pulled or ran it are out of sight.
                        <p class="outside-filter" data-testid="image-outside-filter" data-count={page.outside_filter.to_string()}>
                            {format!("{} of its story {} outside the filter. ",
                                plural(u64::from(page.outside_filter), "more step", "more steps"),
                                if page.outside_filter == 1 { "is" } else { "are" })}
                            <button type="button" class="button small" data-testid="image-whole-story"
                                onclick={whole_story(&ctx, &kept, &page.image.digest)} title="Clear the filter, staying on this image">
                                {"Show its whole story"}
                            </button>
                        </p>
                    }
                    if let Some((_, before)) = kept.as_ref().filter(|(d, _)| *d == page.image.digest && ctx.state.0.filter == Filter::default()) {
                        <p class="outside-filter" data-testid="image-filter-cleared">
                            {"Its whole story, with the filter cleared. "}
                            <button type="button" class="button small" data-testid="image-filter-back"
                                onclick={filter_back(&ctx, &kept, before)} title="Put the filter back, staying on this image">
                                {"Put the filter back"}
                            </button>
                        </p>
                    }
                </section>
                <section class="panel" data-testid="image-layers">
                    <h2>{"Layers"}<span class="count">{thousands(page.layers.len() as u64)}</span></h2>
                    {layers(&page.layers)}
                </section>
            </div>
        </div>
    }
}

fn header(page: &ImagePage) -> Html {
    let status = match page.status.as_str() {
        "expired" => html! { <span class="badge bad big">{"expired by a lifecycle policy"}</span> },
        "deleted" => html! { <span class="badge bad big">{"deleted"}</span> },
        _ => html! { <span class="badge ok big">{"present"}</span> },
    };
    html! {
        <section class="panel page-head">
            <div class="title-row">
                <h1><span class="kind-label">{"Image"}</span>{short_digest(&page.image.digest)}</h1>
                {status}
                { for page.current_tags.iter().map(|t| html! { <span class="tag big" title="Points to this image at the end of these logs">{t.clone()}</span> }) }
            </div>
            <div class="arn"><code data-testid="image-digest">{page.image.digest.clone()}</code></div>
            <dl class="facts">
                <div><dt>{"Repository"}</dt><dd><RepoLink repo={page.image.repo.clone()} /></dd></div>
                <div><dt>{"Tags it carried"}</dt><dd>
                    if page.tags.is_empty() { <span class="muted">{"none in these logs"}</span> }
                    { for page.tags.iter().map(|t| html! { <span class="tag">{t.clone()}</span> }) }
                </dd></div>
                <div><dt>{"Size"}</dt><dd>{if page.size > 0 { bytes(page.size) } else { "unknown".to_owned() }}</dd></div>
                <div><dt>{"Pulls"}</dt><dd data-testid="image-pulls">{thousands(u64::from(page.pulls))}
                    <span class="muted">{format!(" by {}", plural(u64::from(page.pullers), "principal", "principals"))}</span></dd></div>
                if !page.media_type.is_empty() {
                    <div><dt>{"Manifest"}</dt><dd class="small">{breaks_after(&reveal(&page.media_type), &['/', '.', '+'])}</dd></div>
                }
                if !page.also_in.is_empty() {
                    <div><dt>{"Same digest in"}</dt><dd>
                        { for page.also_in.iter().map(|r| html! { <ImageLink image={ImageRef { repo: r.clone(), digest: page.image.digest.clone() }} /> }) }
                    </dd></div>
                }
            </dl>
        </section>
    }
}

/// One step of the story (of an image of `repo`): a dot, a title, the details and the raw events.
fn step(s: &Step, repo: &RepoRef) -> Html {
    let (kind, title, body) = match s {
        Step::Pushed(p) => pushed(p),
        Step::TagMoved { tag, to, who: w, events, .. } => (
            "moved",
            format!("Tag {tag} moved to another image"),
            html! {
                <>
                    <div class="step-facts">{"now "}<ImageLink image={ImageRef { repo: repo.clone(), digest: to.clone() }} /></div>
                    {who(w)}
                    <Events events={events.clone()} />
                </>
            },
        ),
        Step::Pulled(p) => pulled(p),
        Step::TaskDefinition(e) => ecs("taskdef", e),
        Step::Deployed(e) => ecs("deployed", e),
        Step::UsedBy(u) => used_by(u),
        Step::Expired(r) => expired(r),
        Step::Deleted { who: w, events, .. } => (
            "deleted",
            "Deleted (BatchDeleteImage)".to_owned(),
            html! { <>{who(w)}<Events events={events.clone()} /></> },
        ),
    };
    html! {
        <li class={classes!("step", kind)} data-testid="story-step" data-kind={kind}>
            <span class="dot" aria-hidden="true"></span>
            <div class="step-body">
                <div class="step-head"><span class="step-title">{title}</span>{when(s.time())}</div>
                {body}
            </div>
        </li>
    }
}

/// (kind, title, body) of a step.
type Parts = (&'static str, String, Html);

fn pushed(p: &PushItem) -> Parts {
    let verb = match (p.outcome, p.retag) {
        (Outcome::Ok, true) => "Tagged",
        (Outcome::Ok, false) => "Pushed",
        _ => "Push refused",
    };
    let tag = if p.tag.is_empty() { String::new() } else { format!(" as {}", p.tag) };
    (
        "pushed",
        format!("{verb}{tag}"),
        html! {
            <>
                {moved_from(p)}
                {who(&p.who)}
                <div class="step-facts">{layers_cell(p)}
                    if !p.error_code.is_empty() { <span class="error">{reveal(&p.error_code).into_owned()}</span> }
                </div>
                <Events events={p.events.clone()} total={Some(p.events_total)} />
            </>
        },
    )
}

fn pulled(p: &PullItem) -> Parts {
    let how = p
        .requested
        .iter()
        .map(|r| if r.contains(':') { "by digest".to_owned() } else { format!("as {r}") })
        .collect::<Vec<_>>()
        .join(", ");
    let verb = if p.outcome == Outcome::Failed { "Pull refused" } else { "Pulled" };
    (
        "pulled",
        format!("{verb} {how}"),
        html! {
            <>
                {who(&p.who)}
                <div class="step-facts">{plural(u64::from(p.layers_fetched), "layer downloaded", "layers downloaded")}
                    if let Some(listed) = p.layers_listed.filter(|&n| n < p.layers_fetched) {
                        <span class="warn-text" data-testid="pull-layers-elsewhere"
                            title="Layers this image's manifest does not list: the pull fetched blobs of another image too, so the tag may not have pointed here when it was pulled.">
                            {if listed == 0 { ", none of them in this image's manifest".to_owned() } else { format!(", {listed} of them in this image's manifest") }}
                        </span>
                    }
                    if !p.error_code.is_empty() { <span class="error">{reveal(&p.error_code).into_owned()}</span> }
                </div>
                <Events events={p.events.clone()} total={Some(p.events_total)} />
            </>
        },
    )
}

fn ecs(kind: &'static str, e: &EcsItem) -> Parts {
    let deployed = kind == "deployed";
    let what = match e.call.as_str() {
        "RegisterTaskDefinition" => format!("Task definition {} registered", e.task_definition),
        "CreateService" => format!("Service {} created on cluster {}", e.service, e.cluster),
        "UpdateService" => format!("Service {} updated on cluster {}", e.service, e.cluster),
        "RunTask" | "StartTask" => format!("Task started on cluster {} ({})", e.cluster, e.task_definition),
        other => other.to_owned(),
    };
    (
        kind,
        what,
        html! {
            <>
                <div class="step-facts">
                    { for e.images.iter().map(|i| image_use_at(i, false)) }
                    if deployed && !e.task_definition.is_empty() { <div class="muted small">{format!("from task definition {}", e.task_definition)}</div> }
                    if let Some(d) = e.desired { <div class="muted small">{format!("desired count {d}")}</div> }
                    if !e.execution_role.is_empty() { <div class="muted small">{format!("execution role {}", arn_parts(&e.execution_role).0)}</div> }
                </div>
                {who(&e.who)}
                <Events events={e.events.clone()} />
            </>
        },
    )
}

/// Another service's call that names the image: "Used by sagemaker `CreateModel` `ExampleModel`".
fn used_by(u: &UseItem) -> Parts {
    let service = crate::text::short_source(&u.service);
    let verb = if u.error_code.is_empty() { "Used by" } else { "Refused use by" };
    let name = if u.name.is_empty() { String::new() } else { format!(" {}", reveal(&u.name)) };
    (
        "used",
        format!("{verb} {} {}{name}", reveal(service), reveal(&u.call)),
        html! {
            <>
                <div class="step-facts" data-testid="used-by" data-service={u.service.clone()} data-call={u.call.clone()}>
                    { for u.images.iter().map(|i| image_use_at(i, false)) }
                    if !u.error_code.is_empty() { <span class="error">{reveal(&u.error_code).into_owned()}</span> }
                </div>
                {who(&u.who)}
                <Events events={u.events.clone()} />
            </>
        },
    )
}

fn expired(r: &RunItem) -> Parts {
    let rule = r.images.first().and_then(|i| r.rules.iter().find(|x| x.priority == i.rule));
    let title =
        if r.preview { "Selected by a lifecycle preview (nothing deleted)" } else { "Expired by a lifecycle policy" };
    (
        "expired",
        title.to_owned(),
        html! {
            <>
                if let Some(rule) = rule {
                    <div class="step-facts">
                        <span class="badge">{format!("rule {}", rule.priority)}</span>
                        {format!(" {} {}", rule.action, rule.selection)}
                        if !rule.description.is_empty() { <span class="muted">{format!(" — {}", rule.description)}</span> }
                    </div>
                }
                if r.images_total > 1 {
                    <div class="muted small">{format!("with {} in the same run", plural(u64::from(r.images_total - 1), "other image", "other images"))}</div>
                }
                if let Some(t) = r.images.first().and_then(|i| i.pushed_at) {
                    <div class="muted small">{format!("ECR says it was pushed {}", utc(t))}</div>
                }
                if let Some(c) = &r.policy_set {
                    <div class="muted small" data-testid="run-policy-set" data-principal={c.who.arn.clone()}>
                        {format!("under the policy set {} by ", utc(c.time))}{reveal(&c.who.principal).into_owned()}
                    </div>
                }
                <Events events={r.events.clone()} total={Some(r.events_total)} />
            </>
        },
    )
}

fn layers(rows: &[LayerRow]) -> Html {
    if rows.is_empty() {
        return html! { <p class="muted">{"The manifest is not in these logs (the image was pushed before them)."}</p> };
    }
    let uploaded = rows.iter().filter(|l| l.uploaded).count() as u64;
    html! {
        <>
            <p class="muted small">{format!("{} uploaded by its first push, {} already in the registry", uploaded, rows.len() as u64 - uploaded)}</p>
            <table class="list layers-table">
                <thead><tr><th>{"Blob"}</th><th class="num">{"Size"}</th><th>{""}</th></tr></thead>
                <tbody>
                    { for rows.iter().map(|l| html! {
                        <tr data-testid="layer-row" data-uploaded={l.uploaded.to_string()}>
                            <td>{digest(&l.digest)}
                                if l.kind != "layer" { <span class="badge">{l.kind.clone()}</span> }
                                if !l.platform.is_empty() { <span class="muted small">{format!(" {}", l.platform)}</span> }
                            </td>
                            <td class="num">{bytes(l.size)}</td>
                            <td>
                                if l.uploaded {
                                    <span class="badge ok" title={plural(u64::from(l.parts), "part", "parts")}>{"uploaded"}</span>
                                } else {
                                    <span class="badge">{"already there"}</span>
                                }
                            </td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </>
    }
}

/// Clears the filter, keeping the image's page open, and keeps the filter in `kept` (with the
/// image's `digest`) to be put back.
fn whole_story(ctx: &Ctx, kept: &UseStateHandle<Option<(String, Filter)>>, digest: &str) -> Callback<MouseEvent> {
    let (ctx, kept, digest) = (ctx.clone(), kept.clone(), digest.to_owned());
    Callback::from(move |_| {
        kept.set(Some((digest.clone(), ctx.state.0.filter.clone())));
        ctx.state.dispatch(Action::SetFilter(Box::default()));
    })
}

/// Puts filter `before` back, still on the image's page.
fn filter_back(ctx: &Ctx, kept: &UseStateHandle<Option<(String, Filter)>>, before: &Filter) -> Callback<MouseEvent> {
    let (ctx, kept, before) = (ctx.clone(), kept.clone(), before.clone());
    Callback::from(move |_| {
        kept.set(None);
        ctx.state.dispatch(Action::SetFilter(Box::new(before.clone())));
    })
}
