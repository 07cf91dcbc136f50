//! The lists of the Images view: repositories, pushes, pulls, lifecycle runs, ECS, Image Builder.

use yew::prelude::*;

use super::super::Ctx;
use super::common::{
    change, created, empty, exposure_badge, loading, open, outcome, use_container, when, who, Events, ImageLink, Pager,
    RepoLink,
};
use crate::analysis::container::nav::{outcome_slug, Page, PushKeep};
use crate::analysis::container::report::{
    BuilderItem, EcsItem, Headline, ImageRef, ImageUse, Outcome, PullItem, PushItem, RepoSummary, RunItem, UseItem,
};
use crate::analysis::container::{Ask, ContainerAnswer};
use crate::text::{arn_parts, bytes, duration, plural, reveal, short_arn, thousands, tooltip, utc};

/// Whether any filter is set (for the empty-list wording).
#[hook]
fn use_filtered() -> bool {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    !ctx.state.0.filter.is_empty()
}

/// The offset of a paged list, reset when the list changes.
#[hook]
fn use_offset() -> (u32, Callback<u32>) {
    let offset = use_state(|| 0u32);
    let set = {
        let offset = offset.clone();
        Callback::from(move |o| offset.set(o))
    };
    (*offset, set)
}

#[function_component(RepoList)]
pub fn repo_list() -> Html {
    let (offset, set) = use_offset();
    let filtered = use_filtered();
    let (answer, shown) = use_container(Ask::Repositories { offset });
    let Some(ContainerAnswer::Repositories(page)) = answer.as_deref() else { return loading() };
    if page.items.is_empty() {
        return html! { <section class={classes!("panel", shown.class)} aria-busy={shown.busy}>{empty("ECR repositories", filtered)}</section> };
    }
    html! {
        <section class={classes!("panel", shown.class)} data-testid="repo-list" data-state={shown.state} aria-busy={shown.busy}>
            <h2>{"Repositories"}<span class="count">{thousands(page.total)}</span></h2>
            <table class="list repos">
                <thead><tr>
                    <th>{"Repository"}</th><th>{"Created"}</th><th class="num">{"Pushes"}</th><th class="num">{"Pulls"}</th>
                    <th class="num">{"Other accounts"}</th><th class="num">{"Images"}</th><th class="num">{"Expired"}</th><th>{"Last activity"}</th>
                </tr></thead>
                <tbody>
                    { for page.items.iter().map(|s| repo_row(s, filtered)) }
                </tbody>
            </table>
            <Pager offset={offset} total={page.total} on_change={set} />
        </section>
    }
}

fn repo_row(s: &RepoSummary, filtered: bool) -> Html {
    let failed = |n: u32| {
        if n > 0 {
            html! { <span class="bad small">{format!(" +{} refused", thousands(u64::from(n)))}</span> }
        } else {
            html! {}
        }
    };
    html! {
        <tr data-testid="repo-row" data-repo={s.repo.name.clone()} data-account={s.repo.registry.clone()} data-region={s.repo.region.clone()}>
            <td class="key">
                <RepoLink repo={s.repo.clone()} />
                if s.deleted.is_some() {
                    <span class="badge bad">{"deleted"}</span>
                }
                if !s.encryption.is_empty() {
                    <span class="badge">{s.encryption.clone()}</span>
                }
                {exposure_badge(s.exposure, "A repository policy set in these logs")}
            </td>
            <td>{created(s.created, filtered)}</td>
            <td class="num">{thousands(u64::from(s.pushes))}{failed(s.failed_pushes)}</td>
            <td class="num">{thousands(u64::from(s.pulls))}{failed(s.failed_pulls)}</td>
            <td class={classes!("num", (s.cross_account_pulls > 0).then_some("warn"))}>{thousands(u64::from(s.cross_account_pulls))}</td>
            <td class="num">{thousands(u64::from(s.images))}</td>
            <td class="num">{thousands(u64::from(s.expired))}</td>
            <td>{s.last.map_or_else(Html::default, when)}</td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
pub struct OutcomeProps {
    pub outcome: Option<Outcome>,
    /// The headline figures under the same filter, for the switch's counts, once known.
    pub headline: Option<Headline>,
}

#[derive(Properties, PartialEq)]
pub struct PushesProps {
    pub keep: PushKeep,
    /// The headline figures under the same filter, for the switch's counts, once known.
    pub headline: Option<Headline>,
}

/// What each position of the pushes' switch keeps: all, pushed, moved a tag, refused, incomplete.
pub fn push_counts(h: &Headline) -> [u64; 5] {
    [h.pushes + h.failed_pushes + h.incomplete_pushes, h.pushes, h.tag_moves, h.failed_pushes, h.incomplete_pushes]
}

/// What each position of the pulls' switch keeps: all, pulled (incomplete ones included, as the
/// headline counts them), refused, incomplete.
pub fn pull_counts(h: &Headline) -> [u64; 4] {
    [h.pulls + h.failed_pulls, h.pulls, h.failed_pulls, h.incomplete_pulls]
}

/// One position of an outcome switch: what it keeps, its label and what it means.
struct Position<K> {
    keep: K,
    label: &'static str,
    title: &'static str,
}

/// The positions of the pushes' switch, in [`PushKeep::ALL`]'s order.
const PUSH_POSITIONS: [Position<PushKeep>; 5] = [
    Position { keep: PushKeep::All, label: "All", title: "Every push in these logs, whatever its outcome" },
    Position { keep: PushKeep::Outcome(Outcome::Ok), label: "Pushed", title: "Pushes whose PutImage went through" },
    Position {
        keep: PushKeep::MovedTag,
        label: "Moved a tag",
        title: "Pushes of a tag that named another image until then (its previous push in these logs, not expired or deleted since)",
    },
    Position { keep: PushKeep::Outcome(Outcome::Failed), label: "Refused", title: "Pushes refused with an error" },
    Position {
        keep: PushKeep::Outcome(Outcome::Incomplete),
        label: "Incomplete",
        title: "Layers uploaded with no PutImage in these logs",
    },
];

/// The positions of the pulls' switch.
const PULL_POSITIONS: [Position<Option<Outcome>>; 4] = [
    Position { keep: None, label: "All", title: "Every pull in these logs, whatever its outcome" },
    Position {
        keep: Some(Outcome::Ok),
        label: "Pulled",
        title: "Pulls that went through, those whose BatchGetImage is not in these logs included",
    },
    Position { keep: Some(Outcome::Failed), label: "Refused", title: "Pulls refused with an error" },
    Position {
        keep: Some(Outcome::Incomplete),
        label: "Incomplete",
        title: "Layer downloads with no BatchGetImage in these logs (counted as pulled)",
    },
];

/// Filter buttons above the pushes / pulls lists, each with how many items it keeps.
/// A position's `data-testid` is `outcome-` and `slug` of what it keeps.
fn outcome_switch<K: Copy + PartialEq, const N: usize>(
    ctx: &Ctx,
    current: K,
    page: fn(K) -> Page,
    slug: fn(K) -> &'static str,
    positions: &[Position<K>; N],
    counts: Option<[u64; N]>,
) -> Html {
    let b = |(i, p): (usize, &Position<K>)| {
        let count = counts.map(|c| c[i]);
        html! {
            <button type="button" class={classes!("seg", (current == p.keep).then_some("active"))}
                data-testid={format!("outcome-{}", slug(p.keep))} data-count={count.map(|n| n.to_string())}
                title={p.title} aria-pressed={(current == p.keep).to_string()} onclick={open(ctx, page(p.keep))}>
                {p.label}
                if let Some(n) = count {
                    <span class="n">{thousands(n)}</span>
                }
            </button>
        }
    };
    html! { <div class="segmented" role="group" aria-label="Outcome">{ for positions.iter().enumerate().map(b) }</div> }
}

#[function_component(PushList)]
pub fn push_list(p: &PushesProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let (offset, set) = use_offset();
    let filtered = use_filtered();
    let (answer, shown) = use_container(Ask::Pushes { offset, keep: p.keep });
    let Some(ContainerAnswer::Pushes(page)) = answer.as_deref() else { return loading() };
    html! {
        <section class={classes!("panel", shown.class)} data-testid="push-list" data-state={shown.state} aria-busy={shown.busy}>
            <h2>{"Pushes"}<span class="count">{thousands(page.total)}</span>{outcome_switch(&ctx, p.keep, Page::Pushes, PushKeep::slug, &PUSH_POSITIONS, p.headline.as_ref().map(push_counts))}</h2>
            <p class="hint">{"Each push joins the token, layer checks, uploads and PutImage of one image, matched by upload id and by the layers its manifest names."}</p>
            if page.items.is_empty() {
                {empty("pushes", filtered || p.keep != PushKeep::All)}
            } else {
                <table class="list pushes">
                    <thead><tr><th>{"When"}</th><th>{"Repository"}</th><th>{"Image"}</th><th>{"Who"}</th><th>{"Layers"}</th><th>{"Outcome"}</th></tr></thead>
                    <tbody>{ for page.items.iter().map(push_row) }</tbody>
                </table>
            }
            <Pager offset={offset} total={page.total} on_change={set} />
        </section>
    }
}

/// "tag moved from sha256:…" under a push that moved its tag from another image, and ", pushed by
/// DeployRole/ci" when another principal pushed that image (nothing when the tag did not move).
pub fn moved_from(p: &PushItem) -> Html {
    if p.moved_from.is_empty() {
        return html! {};
    }
    let before = ImageRef { repo: p.repo.clone(), digest: p.moved_from.clone() };
    html! {
        <div class="moved small muted" data-testid="tag-moved" data-from={p.moved_from.clone()}
            title="Until this push, the tag named this other image (its previous push in these logs, not expired or deleted since)">
            {"tag moved from "}<ImageLink image={before} />
            if !p.moved_from_by.is_empty() {
                <span class="warn" data-testid="tag-moved-by" data-principal={p.moved_from_by.clone()}
                    title={tooltip(&format!("That image was pushed by {}, not by whoever made this push", p.moved_from_by))}>
                    {", pushed by "}{reveal(short_arn(&p.moved_from_by)).into_owned()}
                </span>
            }
            if let Some((at, by)) = &p.unguarded {
                <div class="bad-text" data-testid="tag-moved-unguarded" data-principal={by.clone()}
                    title="The repository's tags had been made mutable (PutImageTagMutability): see Needs attention on the Identities tab">
                    {format!("while tags were mutable: made so at {} by {}", utc(*at), reveal(short_arn(by)))}
                </div>
            }
        </div>
    }
}

/// How long a session took: `took 17 s`, or `one second` when its calls share a timestamp
/// (CloudTrail times have one-second precision).
pub fn took(start: i64, end: i64) -> String {
    if end - start < 1000 {
        "within a second".to_owned()
    } else {
        format!("took {}", duration(end - start))
    }
}

/// `3 of 8 new · 41.2 MB of 120 MB`.
pub fn layers_cell(p: &PushItem) -> Html {
    if p.layers_total == 0 && p.layers_uploaded == 0 {
        return html! { <span class="muted">{"no layers"}</span> };
    }
    let head = if p.layers_total > 0 {
        format!("{} of {} new", p.layers_uploaded, p.layers_total)
    } else {
        plural(u64::from(p.layers_uploaded), "layer uploaded", "layers uploaded")
    };
    let size = if p.bytes_total > 0 {
        format!("{} of {}", bytes(p.bytes_uploaded), bytes(p.bytes_total))
    } else {
        bytes(p.bytes_uploaded)
    };
    html! { <div class="layers"><div>{head}</div><div class="muted small">{size}</div></div> }
}

fn push_row(p: &PushItem) -> Html {
    let image = ImageRef { repo: p.repo.clone(), digest: p.digest.clone() };
    html! {
        <tr data-testid="push-row" data-digest={p.digest.clone()} data-repo={p.repo.name.clone()} data-outcome={format!("{:?}", p.outcome)}>
            <td>{when(p.start)}<div class="muted small">{took(p.start, p.end)}</div></td>
            <td><RepoLink repo={p.repo.clone()} /></td>
            <td>
                if !p.tag.is_empty() {
                    <span class="tag">{p.tag.clone()}</span>
                }
                <ImageLink image={image} />
                if p.retag {
                    <span class="badge" title="This manifest was already in the repository: the push only added a tag">{"tag added"}</span>
                }
                {moved_from(p)}
            </td>
            <td>{who(&p.who)}</td>
            <td>{layers_cell(p)}</td>
            <td>
                {outcome(p.outcome, "pushed")}
                if !p.error_code.is_empty() {
                    <div class="error" title={tooltip(&p.error_message)}>{reveal(&p.error_code).into_owned()}</div>
                }
                <Events events={p.events.clone()} total={Some(p.events_total)} />
            </td>
        </tr>
    }
}

#[function_component(PullList)]
pub fn pull_list(p: &OutcomeProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let (offset, set) = use_offset();
    let filtered = use_filtered();
    let (answer, shown) = use_container(Ask::Pulls { offset, outcome: p.outcome });
    let Some(ContainerAnswer::Pulls(page)) = answer.as_deref() else { return loading() };
    html! {
        <section class={classes!("panel", shown.class)} data-testid="pull-list" data-state={shown.state} aria-busy={shown.busy}>
            <h2>{"Pulls"}<span class="count">{thousands(page.total)}</span>{outcome_switch(&ctx, p.outcome, Page::Pulls, |o| o.map_or("all", outcome_slug), &PULL_POSITIONS, p.headline.as_ref().map(pull_counts))}</h2>
            <p class="hint">{"Each pull is a BatchGetImage and the layer downloads (GetDownloadUrlForLayer) that followed it; layers the puller had cached are not downloaded again."}</p>
            if page.items.is_empty() {
                {empty("pulls", filtered || p.outcome.is_some())}
            } else {
                <table class="list pulls">
                    <thead><tr><th>{"When"}</th><th>{"Repository"}</th><th>{"Asked for → image"}</th><th>{"Who"}</th><th class="num">{"Layers fetched"}</th><th>{"Outcome"}</th></tr></thead>
                    <tbody>{ for page.items.iter().map(pull_row) }</tbody>
                </table>
            }
            <Pager offset={offset} total={page.total} on_change={set} />
        </section>
    }
}

/// What a pull asked for and the image it got.
pub fn asked_cell(p: &PullItem) -> Html {
    if p.requested.is_empty() {
        return html! { <span class="muted" title="Layer downloads with no BatchGetImage in these logs">{"(manifest request not in these logs)"}</span> };
    }
    let refused = p.outcome == Outcome::Failed;
    html! {
        <div class="asked">
            { for p.requested.iter().zip(p.resolved.iter().chain(std::iter::repeat(&String::new()))).map(|(asked, got)| {
                let by_digest = asked.contains(':');
                let image = ImageRef { repo: p.repo.clone(), digest: got.clone() };
                html! {
                    <div>
                        if by_digest {
                            <span class="badge">{"by digest"}</span>
                        } else {
                            <span class="tag">{asked.clone()}</span>
                        }
                        if got.is_empty() {
                            if !by_digest && !refused {
                                <span class="to"><span class="arrow">{"→"}</span>
                                <span class="muted small" title="No push of this tag is in these logs">{"image not in these logs"}</span></span>
                            }
                        } else {
                            // The arrow goes to the next line with the image, not stay behind at the end of one.
                            <span class="to">
                                if !by_digest { <span class="arrow">{"→"}</span> }
                                <ImageLink image={image} />
                            </span>
                        }
                    </div>
                }
            }) }
        </div>
    }
}

fn pull_row(p: &PullItem) -> Html {
    html! {
        <tr data-testid="pull-row" data-repo={p.repo.name.clone()} data-outcome={format!("{:?}", p.outcome)}>
            <td>{when(p.start)}</td>
            <td><RepoLink repo={p.repo.clone()} /></td>
            <td>{asked_cell(p)}</td>
            <td>{who(&p.who)}</td>
            <td class="num">{thousands(u64::from(p.layers_fetched))}</td>
            <td>
                {outcome(p.outcome, "pulled")}
                if !p.error_code.is_empty() {
                    <div class="error" title={tooltip(&p.error_message)}>{reveal(&p.error_code).into_owned()}</div>
                }
                <Events events={p.events.clone()} total={Some(p.events_total)} />
            </td>
        </tr>
    }
}

#[function_component(LifecycleList)]
pub fn lifecycle_list() -> Html {
    let (offset, set) = use_offset();
    let filtered = use_filtered();
    let (answer, shown) = use_container(Ask::Lifecycle { offset });
    let Some(ContainerAnswer::Lifecycle(page)) = answer.as_deref() else { return loading() };
    html! {
        <section class={classes!("panel", shown.class)} data-testid="lifecycle-list" data-state={shown.state} aria-busy={shown.busy}>
            <h2>{"Lifecycle expiries"}<span class="count">{thousands(page.total)}</span></h2>
            <p class="hint">{"ECR logs a lifecycle run as PolicyExecutionEvent, split into several events when 10 or more images expire; they are joined back here. DryRunEvent previews deleted nothing."}</p>
            if page.items.is_empty() {
                {empty("lifecycle runs", filtered)}
            }
            { for page.items.iter().map(|r| html! { <Run run={r.clone()} /> }) }
            <Pager offset={offset} total={page.total} on_change={set} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct RunProps {
    pub run: RunItem,
}

/// One lifecycle run: its policy's rules and the images it expired.
#[function_component(Run)]
pub fn run(p: &RunProps) -> Html {
    let r = &p.run;
    html! {
        <article class={classes!("run", r.preview.then_some("preview"))} data-testid="lifecycle-run" data-images={r.images_total.to_string()} data-preview={r.preview.to_string()}>
            <header>
                if r.preview {
                    <span class="badge warn">{"preview (DryRunEvent): nothing deleted"}</span>
                } else {
                    <span class="badge bad">{"expired"}</span>
                }
                <strong>{plural(u64::from(r.images_total), "image", "images")}</strong>
                <span>{" in "}</span><RepoLink repo={r.repo.clone()} />
                <span class="muted">{" · "}{utc(r.start)}</span>
                if r.events_total > 1 {
                    <span class="muted">{format!(" · joined from {} events", r.events_total)}</span>
                }
                if r.failures > 0 {
                    <span class="badge bad">{plural(u64::from(r.failures), "failure", "failures")}</span>
                }
            </header>
            <ul class="rules">
                { for r.rules.iter().map(|rule| html! {
                    <li>
                        <span class="badge">{format!("rule {}", rule.priority)}</span>
                        <span>{format!("{} {}", rule.action, rule.selection)}</span>
                        if !rule.description.is_empty() {
                            <span class="muted">{format!(" — {}", rule.description)}</span>
                        }
                    </li>
                }) }
            </ul>
            if let Some(c) = &r.policy_set {
                <div class="policy-set" data-testid="run-policy-set" data-principal={c.who.arn.clone()}>
                    <p class="muted small">{"The policy it applied was set in these logs:"}</p>
                    <ol class="changes">{change(c)}</ol>
                </div>
            }
            if !r.images.is_empty() {
                <table class="list expired">
                    <thead><tr><th>{"Image"}</th><th>{"Tags"}</th><th>{"Pushed"}</th><th class="num" title="Pulled in the week before it was expired, or run by an ECS service then">{"In use"}</th><th>{"Rule"}</th></tr></thead>
                    <tbody>
                        { for r.images.iter().map(|i| html! {
                            <tr data-testid="expired-image" data-digest={i.digest.clone()}>
                                <td><ImageLink image={ImageRef { repo: r.repo.clone(), digest: i.digest.clone() }} /></td>
                                <td>
                                    { for i.tags.iter().map(|t| html! { <span class="tag">{t.clone()}</span> }) }
                                    if i.tags.is_empty() { <span class="muted">{i.tag_status.to_lowercase()}</span> }
                                </td>
                                <td>{i.pushed_at.map_or_else(Html::default, when)}</td>
                                <td class="num" data-testid="expired-pulled" data-pulls={i.pulled_before.to_string()}>
                                    if r.preview {
                                        <span class="muted">{"–"}</span>
                                    } else if i.pulled_before > 0 {
                                        <span class="badge bad" title="Pulled in the week before it was expired: it was in use">
                                            {plural(u64::from(i.pulled_before), "pull", "pulls")}
                                        </span>
                                    } else if i.run_by.is_empty() {
                                        <span class="muted">{"none"}</span>
                                    }
                                    { for i.run_by.iter().map(|s| html! {
                                        <span class="badge bad name" data-testid="expired-run-by"
                                            title="An ECS service's last deployment ran it when it was expired: it was in use">
                                            {format!("run by {}", reveal(s))}
                                        </span>
                                    }) }
                                </td>
                                <td>{i.rule}</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if (r.images.len() as u32) < r.images_total {
                <p class="muted small">{format!("{} in this run", plural(u64::from(r.images_total) - r.images.len() as u64, "more image", "more images"))}</p>
            }
            <Events events={r.events.clone()} total={Some(r.events_total)} />
        </article>
    }
}

#[function_component(EcsList)]
pub fn ecs_list() -> Html {
    let (offset, set) = use_offset();
    let filtered = use_filtered();
    let (answer, shown) = use_container(Ask::Deployments { offset });
    let Some(ContainerAnswer::Deployments(page)) = answer.as_deref() else { return loading() };
    html! {
        <section class={classes!("panel", shown.class)} data-testid="ecs-list" data-state={shown.state} aria-busy={shown.busy}>
            <h2>{"ECS task definitions, services, tasks and clusters"}<span class="count">{thousands(page.total)}</span></h2>
            <p class="hint">{"The ECS calls that register, deploy, run, stop and host images; reads (Describe…, List…) are in Events. Services and tasks name only family:revision: the image comes from the task definition's registration, and a tag is resolved to the image it pointed to at the time. Task state changes are not in CloudTrail."}</p>
            if page.items.is_empty() {
                {empty("ECS calls", filtered)}
            } else {
                <table class="list ecs">
                    <thead><tr><th>{"When"}</th><th>{"Call"}</th><th>{"Where"}</th><th>{"Task definition"}</th><th>{"Images"}</th><th>{"Who"}</th></tr></thead>
                    <tbody>{ for page.items.iter().map(ecs_row) }</tbody>
                </table>
            }
            <Pager offset={offset} total={page.total} on_change={set} />
        </section>
    }
}

/// An image a task definition, a task or another service's call uses, linked to its page when
/// resolved, its repository's account and region after its name: in a list of many registries'
/// calls a name alone does not say which repository it is, or that it is another account's.
pub fn image_use(u: &ImageUse) -> Html {
    image_use_at(u, true)
}

/// Where repository `repo` is, `123456789012 · us-east-1` (as its *Repository* chip says it).
fn repo_place(repo: &crate::analysis::container::report::RepoRef) -> Option<String> {
    crate::analysis::filter::repo_parts(&repo.value()).map(|(_, at)| at)
}

/// [`image_use`], with the repository's account and region when `place` (an image's own page
/// leaves them out: they are the page's).
pub fn image_use_at(u: &ImageUse, place: bool) -> Html {
    let Some(repo) = &u.repo else {
        return html! { <div class="uri"><code title="Not an ECR image">{u.uri.clone()}</code></div> };
    };
    html! {
        <div class="uri">
            <span class="repo-name" title={tooltip(&u.uri)}>{reveal(&repo.name).into_owned()}</span>
            if let Some(at) = place.then(|| repo_place(repo)).flatten() {
                <span class="acct" data-testid="use-place">{reveal(&at).into_owned()}</span>
            }
            if u.other_account {
                <span class="badge warn" data-testid="use-other-account"
                    title="This image is in another account's registry than the account the call was made in">{"other account's image"}</span>
            }
            if !u.tag.is_empty() {
                <span class="tag">{u.tag.clone()}</span>
            }
            if u.digest.is_empty() {
                <span class="muted small" title="No push of this tag before this call is in these logs">{"image unknown"}</span>
            } else {
                <span class="to">
                    if u.via_tag { <span class="arrow">{"→"}</span> }
                    <ImageLink image={ImageRef { repo: repo.clone(), digest: u.digest.clone() }} />
                </span>
            }
        </div>
    }
}

pub fn ecs_row(e: &EcsItem) -> Html {
    html! {
        <tr data-testid="ecs-row" data-call={e.call.clone()}>
            <td>{when(e.time)}</td>
            <td>
                <span class="call">{e.call.clone()}</span>
                if !e.error_code.is_empty() { <div class="error">{reveal(&e.error_code).into_owned()}</div> }
                <Events events={e.events.clone()} />
            </td>
            <td>
                if !e.cluster.is_empty() { <div>{"cluster "}<b>{e.cluster.clone()}</b></div> }
                if !e.service.is_empty() { <div>{"service "}<b>{e.service.clone()}</b></div> }
                if let Some(d) = e.desired { <div class="muted small">{format!("desired count {d}")}</div> }
                if !e.tasks.is_empty() { <div class="muted small">{plural(e.tasks.len() as u64, "task", "tasks")}</div> }
                if !e.role_override.is_empty() {
                    <div class="small" data-testid="ecs-role-override" title="The task role this call gave its tasks in place of its task definition's">
                        {"task role "}<b>{e.role_override.clone()}</b>
                    </div>
                }
                if !e.detail.is_empty() { <div class="muted small" title={tooltip(&e.detail)}>{reveal(&e.detail).into_owned()}</div> }
                if let Some(on) = e.exec {
                    <div class={if on { "small warn-text" } else { "muted small" }} data-testid="ecs-exec" data-on={on.to_string()}
                        title="enableExecuteCommand: whether whoever may call ecs:ExecuteCommand can run commands and open shells in the tasks this call starts">
                        {if on { "ECS Exec turned on" } else { "ECS Exec turned off" }}
                    </div>
                }
                if !e.credentials.is_empty() {
                    <div class="small warn-text" data-testid="ecs-credentials"
                        title="Environment variables of this task definition that hold credentials: readable by whoever may call ecs:DescribeTaskDefinition, and written into CloudTrail with the registration">
                        {format!("credentials in environment: {}", reveal(&e.credentials.join(", ")))}
                    </div>
                }
                if !e.host_access.is_empty() {
                    <div class="small warn-text" data-testid="ecs-host-access"
                        title="What the task definition gives its containers of the instance they run on: a container that runs privileged, shares the host's processes, holds such a capability or mounts such a path can take it over">
                        {format!("host: {}", reveal(&e.host_access.join(", ")))}
                    </div>
                }
            </td>
            <td>{if e.task_definition.is_empty() { html! { <span class="muted">{"—"}</span> } } else { html! { <code>{e.task_definition.clone()}</code> } }}</td>
            <td>
                { for e.images.iter().map(image_use) }
                if e.images.is_empty() && e.registration_missing {
                    <span class="muted small" data-testid="ecs-registration-missing"
                        title={format!("No RegisterTaskDefinition of {} before this call is in these logs, so its images are not known", e.task_definition)}>
                        {"registration not in these logs"}
                    </span>
                }
                if e.scaled_only {
                    <span class="muted small" data-testid="ecs-no-deployment"
                        title="This call started no deployment (it scaled the service or tuned how deployments go): the service's tasks run, and new ones start from, the images its last deployment resolved">
                        {"no new deployment"}
                    </span>
                }
            </td>
            <td>{who(&e.who)}</td>
        </tr>
    }
}

#[function_component(BuilderList)]
pub fn builder_list() -> Html {
    let (offset, set) = use_offset();
    let filtered = use_filtered();
    let (answer, shown) = use_container(Ask::ImageBuilder { offset });
    let Some(ContainerAnswer::ImageBuilder(page)) = answer.as_deref() else { return loading() };
    html! {
        <section class={classes!("panel", shown.class)} data-testid="builder-list" data-state={shown.state} aria-busy={shown.busy}>
            <h2>{"EC2 Image Builder"}<span class="count">{thousands(page.total)}</span></h2>
            <p class="notice" data-testid="builder-notice">
                <b>{"Build completion is not in CloudTrail. "}</b>
                {"Image Builder reports whether a build succeeded or failed to EventBridge and CloudWatch only. These are the API calls: pipeline executions started and configuration changes. Whether a build finished, and what it produced, cannot be told from these logs."}
            </p>
            if page.items.is_empty() {
                {empty("Image Builder changes or executions", filtered)}
            } else {
                <table class="list builder">
                    <thead><tr><th>{"When"}</th><th>{"Call"}</th><th>{"Pipeline / resource"}</th><th>{"Build started"}</th><th>{"Who"}</th></tr></thead>
                    <tbody>{ for page.items.iter().map(builder_row) }</tbody>
                </table>
            }
            <Pager offset={offset} total={page.total} on_change={set} />
        </section>
    }
}

#[function_component(UseList)]
pub fn use_list() -> Html {
    let (offset, set) = use_offset();
    let filtered = use_filtered();
    let (answer, shown) = use_container(Ask::Uses { offset });
    let Some(ContainerAnswer::Uses(page)) = answer.as_deref() else { return loading() };
    html! {
        <section class={classes!("panel", shown.class)} data-testid="uses-list" data-state={shown.state} aria-busy={shown.busy}>
            <h2>{"Images used by other services"}<span class="count">{thousands(page.total)}</span></h2>
            <p class="hint">{"Writes of other services (SageMaker models, Batch job definitions, CodeBuild projects, Lambda functions…) whose request names an ECR image, refused ones too; reads are in Events. A tag is resolved to the image it pointed to at the time. What runs afterwards is not in CloudTrail."}</p>
            if page.items.is_empty() {
                {empty("other services' writes naming an ECR image", filtered)}
            } else {
                <table class="list uses">
                    <thead><tr><th>{"When"}</th><th>{"Call"}</th><th>{"Images"}</th><th>{"Who"}</th></tr></thead>
                    <tbody>{ for page.items.iter().map(use_row) }</tbody>
                </table>
            }
            <Pager offset={offset} total={page.total} on_change={set} />
        </section>
    }
}

/// Another service's call naming images of a repository: when, the service and call, what uses
/// them, the images, who.
pub fn use_row(u: &UseItem) -> Html {
    let service = crate::text::short_source(&u.service);
    html! {
        <tr data-testid="use-row" data-service={u.service.clone()} data-call={u.call.clone()}>
            <td>{when(u.time)}</td>
            <td>
                <span class="call">{format!("{} {}", reveal(service), reveal(&u.call))}</span>
                if !u.name.is_empty() { <div class="small"><b>{reveal(&u.name).into_owned()}</b></div> }
                if !u.error_code.is_empty() { <div class="error">{reveal(&u.error_code).into_owned()}</div> }
                <Events events={u.events.clone()} />
            </td>
            <td>{ for u.images.iter().map(image_use) }</td>
            <td>{who(&u.who)}</td>
        </tr>
    }
}

/// " (account N)" after an Image Builder ARN (or ECR image URI) another account owns; "" for
/// AWS-managed ones (owner `aws`) and what names no account.
fn owned_by(source: &str) -> String {
    let account = match arn_parts(source) {
        (_, "") => source.split_once(".dkr.ecr.").map_or("", |(a, _)| a),
        (_, account) => account,
    };
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        format!(" (account {account})")
    } else {
        String::new()
    }
}

/// What a recipe builds on, comma-separated: each ARN's tail (or image URI) with its owning account.
fn sources(list: &[String]) -> Html {
    html! {
        { for list.iter().enumerate().map(|(i, c)| html! {
            <span title={tooltip(c)}>
                if i > 0 { {", "} }
                <code>{reveal(arn_parts(c).0).into_owned()}</code>{owned_by(c)}
            </span>
        }) }
    }
}

pub fn builder_row(b: &BuilderItem) -> Html {
    let arn_tail = |s: &str| arn_parts(s).0.to_owned();
    html! {
        <tr data-testid="builder-row" data-call={b.call.clone()}>
            <td>{when(b.time)}</td>
            <td>
                <span class={classes!("call", b.execution.then_some("exec"))}>{b.call.clone()}</span>
                if !b.error_code.is_empty() { <div class="error">{reveal(&b.error_code).into_owned()}</div> }
                <Events events={b.events.clone()} />
            </td>
            <td>
                if !b.pipeline.is_empty() { <div title={tooltip(&b.pipeline)}>{"pipeline "}<b>{arn_tail(&b.pipeline)}</b></div> }
                if !b.resource.is_empty() && b.resource != b.pipeline && b.resource != b.build_version {
                    <div class="small" title={tooltip(&b.resource)}>{arn_tail(&b.resource)}</div>
                }
                if !b.target_repository.is_empty() { <div class="small">{"targets ECR repository "}<b>{b.target_repository.clone()}</b></div> }
                if !b.parent.is_empty() {
                    <div class="small" data-testid="builder-parent" title={tooltip(&b.parent)}>
                        {"builds on "}<b>{reveal(arn_parts(&b.parent).0).into_owned()}</b>{owned_by(&b.parent)}
                    </div>
                }
                if !b.components.is_empty() {
                    <div class="small" data-testid="builder-components">{"components: "}{sources(&b.components)}</div>
                }
                if !b.dockerfile_images.is_empty() {
                    <div class="small" data-testid="builder-dockerfile">
                        {"Dockerfile builds on: "}{sources(&b.dockerfile_images)}
                    </div>
                }
                if !b.dockerfile_uri.is_empty() {
                    <div class="small" data-testid="builder-dockerfile-uri" title={tooltip(&b.dockerfile_uri)}>
                        {"Dockerfile from "}<code>{reveal(&b.dockerfile_uri).into_owned()}</code>
                    </div>
                }
            </td>
            <td>
                if b.build_version.is_empty() {
                    <span class="muted">{"—"}</span>
                } else {
                    <code title={tooltip(&b.build_version)}>{arn_tail(&b.build_version)}</code>
                    <div class="muted small">{"outcome not in CloudTrail"}</div>
                }
            </td>
            <td>{who(&b.who)}</td>
        </tr>
    }
}
