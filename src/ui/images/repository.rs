//! A repository's page: creation, encryption and KMS grants, policy changes, deletion, pushes and
//! pulls over time, pulls from other accounts, its images, lifecycle runs.

use yew::prelude::*;

use super::super::identity::table::pick;
use super::super::Ctx;
use super::common::{
    change, created, exposure_badge, in_these, loading, open, outcome, public_badge, use_container, when, who, Events,
    ImageLink,
};
use super::lists::{asked_cell, builder_row, layers_cell, moved_from, took, use_row, Run};
use crate::analysis::container::nav::Page;
use crate::analysis::container::report::{ImageRef, RepoPage, RepoRef, Timeline};
use crate::analysis::container::{Ask, ContainerAnswer};
use crate::analysis::filter::Field;
use crate::text::{bytes, duration, plural, reveal, thousands, tooltip, utc};

#[derive(Properties, PartialEq)]
pub struct RepositoryProps {
    pub repo: RepoRef,
}

#[function_component(RepositoryView)]
pub fn repository_view(p: &RepositoryProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let (answer, shown) = use_container(Ask::Repository(p.repo.clone()));
    let crumbs = html! {
        <nav class="crumbs" aria-label="Breadcrumb">
            <button type="button" class="linkish" onclick={open(&ctx, Page::Repositories)}>{"Repositories"}</button>
            <span class="sep">{"›"}</span>
            <span>{p.repo.name.clone()}</span>
        </nav>
    };
    let page = match answer.as_deref() {
        Some(ContainerAnswer::Repository(Some(page))) => page.clone(),
        Some(ContainerAnswer::Repository(None)) => {
            return html! { <>{crumbs}<section class="panel"><p class="muted">{"These logs say nothing about this repository."}</p></section></> }
        }
        _ => return html! { <>{crumbs}{loading()}</> },
    };
    let filtered = !ctx.state.0.filter.is_empty();
    html! {
        <div class={classes!("repo-page", shown.class)} data-testid="repo-page" data-repo={p.repo.name.clone()} data-state={shown.state}
            aria-busy={shown.busy}>
            {crumbs}
            {header(&ctx, &page, filtered)}
            <div class="grid two">
                <section class="panel" data-testid="repo-activity">
                    <h2>{"Pushes and pulls over time"}</h2>
                    {chart(&page.timeline)}
                    if !page.cross_account.is_empty() {
                        <h3>{"Pulls from other accounts"}</h3>
                        <table class="list" data-testid="cross-account-pulls">
                            <thead><tr><th>{"Account"}</th><th class="num">{"Pulls"}</th><th>{"Principals"}</th><th>{"Last"}</th></tr></thead>
                            <tbody>
                                { for page.cross_account.iter().map(|a| html! {
                                    <tr>
                                        <td><code>{a.account.clone()}</code></td>
                                        <td class="num">{thousands(u64::from(a.pulls))}</td>
                                        <td class="small">{ for a.principals.iter().map(|p| html! { <div>{p.clone()}</div> }) }</td>
                                        <td>{when(a.last)}</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    }
                </section>
                <section class="panel" data-testid="repo-changes">
                    <h2>{"Repository changes"}<span class="count">{thousands(page.changes.len() as u64)}</span></h2>
                    if page.changes.is_empty() {
                        <p class="muted">{format!("No creation, policy, grant or deletion {}.", in_these(filtered))}</p>
                    }
                    <ol class="changes">
                        { for page.changes.iter().map(change) }
                    </ol>
                </section>
            </div>
            <section class="panel" data-testid="repo-images">
                <h2>{"Images"}<span class="count">{thousands(u64::from(page.summary.images))}</span></h2>
                {images(&page, filtered)}
            </section>
            <div class="grid two recent">
                <section class="panel">
                    <h2>{"Recent pushes"}<span class="count">{thousands(u64::from(page.summary.pushes + page.summary.failed_pushes))}</span></h2>
                    <table class="list compact">
                        <tbody>
                            { for page.pushes.iter().map(|p| html! {
                                <tr>
                                    <td>{when(p.start)}<div class="muted small">{took(p.start, p.end)}</div></td>
                                    <td>
                                        if !p.tag.is_empty() { <span class="tag">{p.tag.clone()}</span> }
                                        <ImageLink image={ImageRef { repo: p.repo.clone(), digest: p.digest.clone() }} />
                                        {moved_from(p)}
                                        <div>{layers_cell(p)}</div>
                                    </td>
                                    <td>{who(&p.who)}</td>
                                    <td>{outcome(p.outcome, "pushed")}<Events events={p.events.clone()} total={Some(p.events_total)} /></td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </section>
                <section class="panel">
                    <h2>{"Recent pulls"}<span class="count">{thousands(u64::from(page.summary.pulls + page.summary.failed_pulls))}</span></h2>
                    <table class="list compact">
                        <tbody>
                            { for page.pulls.iter().map(|p| html! {
                                <tr>
                                    <td>{when(p.start)}</td>
                                    <td>{asked_cell(p)}</td>
                                    <td>{who(&p.who)}</td>
                                    <td>
                                        {outcome(p.outcome, "pulled")}
                                        if !p.error_code.is_empty() { <div class="error">{reveal(&p.error_code).into_owned()}</div> }
                                        <Events events={p.events.clone()} total={Some(p.events_total)} />
                                    </td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </section>
            </div>
            if !page.runs.is_empty() {
                <section class="panel">
                    <h2>{"Lifecycle runs"}<span class="count">{thousands(page.runs.len() as u64)}</span></h2>
                    { for page.runs.iter().map(|r| html! { <Run run={r.clone()} /> }) }
                </section>
            }
            if !page.builder.is_empty() {
                <section class="panel">
                    <h2>{"Image Builder recipes targeting it"}</h2>
                    <table class="list builder"><tbody>{ for page.builder.iter().map(builder_row) }</tbody></table>
                </section>
            }
            if !page.uses.is_empty() {
                <section class="panel" data-testid="repo-uses">
                    <h2>{"Used by other services"}<span class="count">{thousands(page.uses_total)}</span></h2>
                    <p class="muted small">{"Writes of other services (SageMaker models, Batch job definitions, CodeBuild projects, Lambda functions…) whose request names one of its images. Newest first"}
                        {if page.uses_total > page.uses.len() as u64 { format!("; the {} newest of {} (the Other services tab lists them all).", page.uses.len(), thousands(page.uses_total)) } else { ".".to_owned() }}</p>
                    <table class="list uses"><tbody>{ for page.uses.iter().map(use_row) }</tbody></table>
                </section>
            }
        </div>
    }
}

fn header(ctx: &Ctx, page: &RepoPage, filtered: bool) -> Html {
    let s = &page.summary;
    let filter = &ctx.state.0.filter;
    // Every view (the timeline, identities, events) narrowed to this repository's calls.
    // By its ARN: a repository of the same name in another account or region is another.
    let arn = s.repo.value();
    let this = crate::analysis::filter::repo_text(&arn);
    let only_this = (!filter.has(Field::Repository, &arn)).then(|| pick(ctx, Field::Repository, arn));
    html! {
        <section class="panel page-head">
            <div class="title-row">
                <h1><span class="kind-label">{"Repository"}</span>{s.repo.name.clone()}</h1>
                {public_badge(&s.repo)}
                if s.deleted.is_some() { <span class="badge bad">{"deleted"}</span> }
                if !s.encryption.is_empty() { <span class="badge">{format!("encryption {}", s.encryption)}</span> }
                {exposure_badge(s.exposure, "A repository policy set in these logs")}
                if let Some(onclick) = only_this {
                    <button type="button" class="button small" data-testid="filter-repository" {onclick}
                        title={tooltip(&format!("Show only the calls that name {this}, in every view (not a repository of its name in another account or region)"))}>
                        {"Filter every view to this repository"}
                    </button>
                }
            </div>
            <div class="arn"><code>{s.repo.arn()}</code></div>
            <dl class="facts">
                <div><dt>{"Created"}</dt><dd>{created(s.created, filtered)}</dd></div>
                if let Some(d) = s.deleted { <div><dt>{"Deleted"}</dt><dd>{when(d)}</dd></div> }
                <div><dt>{"Pushes"}</dt><dd>{thousands(u64::from(s.pushes))}{refused(s.failed_pushes)}</dd></div>
                <div><dt>{"Pulls"}</dt><dd>{thousands(u64::from(s.pulls))}{refused(s.failed_pulls)}</dd></div>
                <div><dt>{"From other accounts"}</dt><dd class={classes!((s.cross_account_pulls > 0).then_some("warn"))}>{thousands(u64::from(s.cross_account_pulls))}</dd></div>
                <div><dt>{"Images"}</dt><dd>{thousands(u64::from(s.images))}</dd></div>
                <div><dt>{"Expired"}</dt><dd>{thousands(u64::from(s.expired))}</dd></div>
            </dl>
        </section>
    }
}

fn refused(n: u32) -> Html {
    if n == 0 {
        return html! {};
    }
    html! { <span class="bad small">{format!(" + {} refused", thousands(u64::from(n)))}</span> }
}

fn images(page: &RepoPage, filtered: bool) -> Html {
    if page.images.is_empty() {
        return html! { <p class="muted">{format!("No image of this repository is named {}.", in_these(filtered))}</p> };
    }
    let repo = page.summary.repo.clone();
    html! {
        <table class="list images">
            <thead><tr><th>{"Image"}</th><th>{"Tags"}</th><th>{"Pushed"}</th><th>{"By"}</th><th class="num">{"Size"}</th><th class="num">{"Pulls"}</th><th>{"Last pull"}</th><th>{"Status"}</th></tr></thead>
            <tbody>
                { for page.images.iter().map(|i| html! {
                    <tr data-testid="image-row" data-digest={i.digest.clone()}>
                        <td><ImageLink image={ImageRef { repo: repo.clone(), digest: i.digest.clone() }} /></td>
                        <td>{ for i.tags.iter().map(|t| html! { <span class="tag">{t.clone()}</span> }) }</td>
                        <td>{i.pushed.map_or_else(|| html! { <span class="muted">{"—"}</span> }, when)}</td>
                        // Named as the tables name a principal: a whole ARN in one unbroken line had
                        // taken the table's width and left the image's digest four letters a line.
                        <td class="small" title={tooltip(&i.pushed_by)}>
                            <div class="by">{crate::ui::arn_label(&i.pushed_by)}</div>
                        </td>
                        <td class="num">{if i.size > 0 { bytes(i.size) } else { String::new() }}</td>
                        <td class="num">{thousands(u64::from(i.pulls))}</td>
                        <td>{i.last_pull.map_or_else(Html::default, when)}</td>
                        <td>
                            if let Some(t) = i.deleted {
                                <span class="badge bad" title={utc(t)}>{"deleted"}</span>
                            } else if let Some(t) = i.expired {
                                <span class="badge bad" title={utc(t)}>{"expired"}</span>
                            } else {
                                <span class="badge ok">{"present"}</span>
                            }
                        </td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// Pushes (above) and pulls (below) per bucket, as SVG bars (no inline styles: the CSP forbids them).
fn chart(t: &Timeline) -> Html {
    if t.pushes.is_empty() {
        return html! { <p class="muted">{"No pushes or pulls."}</p> };
    }
    let n = t.pushes.len();
    let max = t.pushes.iter().chain(&t.pulls).copied().max().unwrap_or(1).max(1);
    let w = 100.0 / n as f64;
    let h = |v: u32| f64::from(v) * 46.0 / f64::from(max);
    html! {
        <figure class="chart" data-testid="repo-chart">
            <svg viewBox="0 0 100 100" preserveAspectRatio="none" role="img"
                aria-label={format!("{} and {}", plural(t.pushes.iter().map(|&n| u64::from(n)).sum(), "push", "pushes"), plural(t.pulls.iter().map(|&n| u64::from(n)).sum(), "pull", "pulls"))}>
                <line x1="0" y1="50" x2="100" y2="50" class="axis" />
                { for (0..n).map(|i| {
                    let x = i as f64 * w + w * 0.12;
                    let bw = w * 0.76;
                    let (up, down) = (h(t.pushes[i]), h(t.pulls[i]));
                    html! {
                        <g>
                            <rect class="push" x={format!("{x:.3}")} y={format!("{:.3}", 50.0 - up)} width={format!("{bw:.3}")} height={format!("{up:.3}")}>
                                <title>{format!("{}: {}", utc(bucket(t, i)), plural(u64::from(t.pushes[i]), "push", "pushes"))}</title>
                            </rect>
                            <rect class="pull" x={format!("{x:.3}")} y="50" width={format!("{bw:.3}")} height={format!("{down:.3}")}>
                                <title>{format!("{}: {}", utc(bucket(t, i)), plural(u64::from(t.pulls[i]), "pull", "pulls"))}</title>
                            </rect>
                        </g>
                    }
                }) }
            </svg>
            <figcaption>
                <span class="legend push">{"pushes"}</span>
                <span class="legend pull">{"pulls"}</span>
                <span class="muted">{format!("{} → {} · {} per bar", utc(t.start), utc(bucket(t, n)), duration(t.step))}</span>
            </figcaption>
        </figure>
    }
}

/// Start of bucket `i`.
fn bucket(t: &Timeline, i: usize) -> i64 {
    t.start + i64::try_from(i).unwrap_or(0) * t.step
}
