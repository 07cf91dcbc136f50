//! The overview: headline figures, events by service and by API call, files and warnings.

use yew::prelude::*;

use super::query::use_query_if;
use super::Ctx;
use crate::analysis::counts::{Count, Counts, NameCount};
use crate::analysis::filter::Field;
use crate::engine::{FileRow, FileWarning, Query, Response, Status};
use crate::ingest::FileKind;
use crate::text::{arn_parts, bytes, duration, file_name, plural, reveal, thousands, utc};
use crate::viewstate::Action;
use crate::viewstate::UiPhase;

/// Rows shown per breakdown before "show all".
const TOP: usize = 12;

/// Rows of the file and warning lists drawn at first (more than their scrolling panels show); more
/// are drawn as the person scrolls near the end. Laying out all 200 listed files took most of a
/// refresh's layout while loading.
const LIST_STEP: usize = 30;

/// Draws [`LIST_STEP`] more rows once a scrolled list is this close to its end (pixels).
const LIST_MARGIN_PX: i32 = 300;

/// How many rows of a scrolling list to draw, and the scroll handler that draws more.
#[hook]
fn use_rows_shown() -> (usize, Callback<Event>) {
    let shown = use_state_eq(|| LIST_STEP);
    let on_scroll = {
        let shown = shown.clone();
        Callback::from(move |e: Event| {
            let el: web_sys::Element = e.target_unchecked_into();
            if el.scroll_top() + el.client_height() + LIST_MARGIN_PX >= el.scroll_height() {
                shown.set(*shown + LIST_STEP);
            }
        })
    };
    (*shown, on_scroll)
}

/// The overview page.
#[function_component(OverviewView)]
pub fn overview_view() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let view = &ctx.state.0;
    // Without a filter the overview (refreshed by the bridge while loading) has the counts already.
    let filtered = !view.filter.is_empty();
    let answer = use_query_if(filtered.then(|| Query::Counts(Box::new(view.filter.clone()))));
    let Some(o) = view.overview.as_ref().filter(|o| o.files_total > 0) else {
        return empty_state(view.phase);
    };
    let (counts, names_total) = match answer.as_deref() {
        _ if !filtered => (o.counts.clone(), o.names_total),
        Some(Response::Counts { counts, names_total }) => ((**counts).clone(), *names_total),
        _ => (Counts::default(), 0),
    };
    html! {
        <>
            <Cards status={o.status.clone()} files_total={o.files_total} counts={counts.clone()} names_total={names_total} />
            <div class="grid two">
                <Breakdown title="Events by service" testid="by-source" rows={counts.by_source.clone()} field={Field::Source} />
                <Names rows={counts.by_name.clone()} total={names_total} />
            </div>
            <div class="grid two">
                <Breakdown title="Identity types" testid="by-identity-type" rows={counts.by_identity_type.clone()} field={Field::IdentityType} />
                <Breakdown title="Principals" testid="by-principal" rows={counts.by_principal.clone()} field={Field::Principal} arns=true />
            </div>
            <Files files={o.files.clone()} total={o.files_total} warnings={o.warnings.clone()} warnings_total={o.status.warnings} />
        </>
    }
}

fn empty_state(phase: UiPhase) -> Html {
    if phase == UiPhase::Loading {
        return html! { <section class="empty"><p>{"Reading your logs…"}</p></section> };
    }
    html! {
        <section class="empty intro">
            <div class="intro-grid">
                <div>
                    <h2>{"What Trailscope shows"}</h2>
                    <ul>
                        <li>{"Amazon ECR pushes, pulls and lifecycle expiries rebuilt from the individual API calls"}</li>
                        <li>{"ECS deployments and EC2 Image Builder runs around them"}</li>
                        <li>{"Who did it: root, IAM users, roles and their sessions, services, federated and Identity Center users"}</li>
                    </ul>
                </div>
                <div>
                    <h2>{"Private by construction"}</h2>
                    <ul>
                        <li>{"Files are read in this tab, by code that runs in your browser"}</li>
                        <li>{"No upload, no analytics, no third-party scripts or fonts"}</li>
                        <li>{"Works offline once opened"}</li>
                    </ul>
                </div>
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CardsProps {
    /// Counters over everything loaded (not the whole overview: its lists are copied and compared on
    /// every redraw otherwise).
    status: Status,
    files_total: u64,
    /// Counts under the current filter.
    counts: Counts,
    names_total: u64,
}

#[function_component(Cards)]
fn cards(p: &CardsProps) -> Html {
    let o = p;
    let c = &p.counts;
    let filtered = c.events != o.status.events;
    let span = match (c.first, c.last) {
        (Some(a), Some(b)) => html! {
            <>
                <div class="value">{duration(b - a)}</div>
                <div class="sub">{utc(a)}<br />{"to "}{utc(b)}</div>
            </>
        },
        _ => html! { <div class="value muted">{"—"}</div> },
    };
    let error_pct = if c.events > 0 { c.errors as f64 * 100.0 / c.events as f64 } else { 0.0 };
    html! {
        <section class="cards" data-testid="overview-cards">
            <div class="card">
                <div class="label">{"Events"}</div>
                <div class="value" data-testid="total-events">{thousands(c.events)}</div>
                <div class="sub">
                    if filtered {
                        {"of "}{thousands(o.status.events)}{" loaded"}
                    } else {
                        {plural(o.status.duplicates, "duplicate", "duplicates")}{" removed"}
                    }
                </div>
            </div>
            <div class="card">
                <div class="label">{"Time span"}</div>
                {span}
            </div>
            <div class="card">
                <div class="label">{"Services"}</div>
                <div class="value">{thousands(c.by_source.len() as u64)}</div>
                <div class="sub">{plural(p.names_total, "API call type", "API call types")}</div>
            </div>
            <div class="card">
                <div class="label">{"Errors"}</div>
                <div class={classes!("value", (c.errors > 0).then_some("bad"))}>{thousands(c.errors)}</div>
                <div class="sub">{format!("{error_pct:.1}% of events")}</div>
            </div>
            <div class="card">
                <div class="label">{"Principals"}</div>
                <div class="value">{thousands(c.principals)}</div>
                <div class="sub">{plural(c.by_account.len() as u64, "account", "accounts")}{", "}{plural(c.by_region.len() as u64, "region", "regions")}</div>
            </div>
            <div class="card">
                <div class="label">{"Files"}</div>
                <div class="value">{thousands(o.files_total)}</div>
                <div class="sub">{bytes(o.status.bytes_read)}{" read, "}{bytes(o.status.bytes_decoded)}{" of JSON"}</div>
            </div>
        </section>
    }
}

/// A horizontal bar, drawn in SVG so no inline style is needed (the page's CSP forbids them).
fn bar(count: u64, max: u64) -> Html {
    let w = if max == 0 { 0.0 } else { count as f64 * 100.0 / max as f64 };
    html! {
        <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
            <rect x="0" y="0" width={format!("{w:.2}")} height="10" rx="1" />
        </svg>
    }
}

#[derive(Properties, PartialEq)]
struct BreakdownProps {
    title: AttrValue,
    testid: AttrValue,
    rows: Vec<Count>,
    /// Clicking a row filters every view to it.
    field: Field,
    /// Keys are ARNs: show the resource part first and the account after.
    #[prop_or_default]
    arns: bool,
}

/// A breakdown key as text: `(none)` for empty, ARNs split into resource and account.
fn key_cell(key: &str, arns: bool) -> Html {
    if key.is_empty() {
        return html! { <span class="muted">{"(none)"}</span> };
    }
    let (main, account) = if arns { arn_parts(key) } else { (key, "") };
    html! {
        <>
            {reveal(main).into_owned()}
            if !account.is_empty() {
                <span class="acct">{reveal(account).into_owned()}</span>
            }
        </>
    }
}

#[function_component(Breakdown)]
fn breakdown(p: &BreakdownProps) -> Html {
    let all = use_state(|| false);
    let max = p.rows.first().map_or(0, |r| r.count);
    let shown = if *all { p.rows.len() } else { p.rows.len().min(TOP) };
    let toggle = {
        let all = all.clone();
        Callback::from(move |_| all.set(!*all))
    };
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let field = p.field;
    html! {
        <section class="panel" data-testid={p.testid.clone()}>
            <h2>{p.title.clone()}</h2>
            <table class="counts">
                <tbody>
                { for p.rows.iter().take(shown).map(|r| {
                    let pick = {
                        let (state, key) = (ctx.state.clone(), r.key.clone());
                        Callback::from(move |_| {
                            let f = state.0.filter.with(field, &key);
                            state.dispatch(Action::SetFilter(Box::new(f)));
                        })
                    };
                    html! {
                    <tr class="pickable" onclick={pick} title={format!("Show only {}", r.key)}>
                        <td class="key">{key_cell(&r.key, p.arns)}</td>
                        <td class="barcell">{bar(r.count, max)}</td>
                        <td class="num">{thousands(r.count)}</td>
                    </tr>
                    }
                }) }
                </tbody>
            </table>
            if p.rows.is_empty() {
                <p class="muted">{"No events match the filters."}</p>
            }
            if p.rows.len() > TOP {
                <button type="button" class="link" onclick={toggle}>
                    { if *all { "Show fewer".to_owned() } else { format!("Show all {}", thousands(p.rows.len() as u64)) } }
                </button>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct NamesProps {
    rows: Vec<NameCount>,
    total: u64,
}

#[function_component(Names)]
fn names(p: &NamesProps) -> Html {
    let all = use_state(|| false);
    let shown = if *all { p.rows.len() } else { p.rows.len().min(TOP) };
    let max = p.rows.first().map_or(0, |r| r.count);
    let toggle = {
        let all = all.clone();
        Callback::from(move |_| all.set(!*all))
    };
    html! {
        <section class="panel" data-testid="by-name">
            <h2>{"API calls"}</h2>
            <table class="counts">
                <thead><tr><th>{"Call"}</th><th></th><th class="num">{"Events"}</th><th class="num">{"Errors"}</th></tr></thead>
                <tbody>
                { for p.rows.iter().take(shown).map(|r| html! {
                    <tr>
                        <td class="key" title={format!("{} {}", r.source, r.name)}>
                            <span class="svc">{reveal(short_source(&r.source)).into_owned()}</span>{" "}{ if r.name.is_empty() { "(none)".to_owned() } else { reveal(&r.name).into_owned() } }
                        </td>
                        <td class="barcell">{bar(r.count, max)}</td>
                        <td class="num">{thousands(r.count)}</td>
                        <td class={classes!("num", (r.errors > 0).then_some("bad"))}>{ if r.errors > 0 { thousands(r.errors) } else { String::new() } }</td>
                    </tr>
                }) }
                </tbody>
            </table>
            if p.rows.len() > TOP {
                <button type="button" class="link" onclick={toggle}>
                    { if *all { "Show fewer".to_owned() } else { format!("Show all {}", thousands(p.total)) } }
                </button>
            }
        </section>
    }
}

/// `ecr.amazonaws.com` → `ecr`.
fn short_source(s: &str) -> &str {
    s.strip_suffix(".amazonaws.com").unwrap_or(s)
}

#[derive(Properties, PartialEq)]
struct FilesProps {
    files: Vec<FileRow>,
    total: u64,
    warnings: Vec<FileWarning>,
    warnings_total: u64,
}

fn kind_label(k: FileKind) -> &'static str {
    match k {
        FileKind::Pending => "reading",
        FileKind::Logs => "logs",
        FileKind::Digest => "digest (set aside)",
        FileKind::NotCloudTrail => "not CloudTrail",
        FileKind::Empty => "empty",
        FileKind::Unreadable => "unreadable",
    }
}

#[function_component(Files)]
fn files(p: &FilesProps) -> Html {
    let (files_shown, on_files_scroll) = use_rows_shown();
    let (warnings_shown, on_warnings_scroll) = use_rows_shown();
    html! {
        <div class="grid two">
            <section class="panel" data-testid="files">
                <h2>{"Files"}<span class="count">{thousands(p.total)}</span></h2>
                <div class="files-scroll" onscroll={on_files_scroll}>
                <table class="files">
                    <thead><tr><th>{"File"}</th><th>{"Kind"}</th><th class="num">{"Events"}</th><th class="num">{"Size"}</th></tr></thead>
                    <tbody>
                    { for p.files.iter().take(files_shown).map(|f| html! {
                        <tr class={classes!((f.warnings > 0).then_some("has-warning"))}>
                            <td class="path" title={f.path.clone()}>{file_name(&f.path)}</td>
                            <td>{kind_label(f.kind)}{ if f.gzip { " · gz" } else { "" } }</td>
                            <td class="num">{thousands(f.events)}</td>
                            <td class="num">{bytes(f.bytes)}</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
                </div>
                if p.total > p.files.len() as u64 {
                    <p class="muted">{format!("{} more files not listed", thousands(p.total - p.files.len() as u64))}</p>
                }
            </section>
            <section class="panel" data-testid="warnings" id="warnings">
                <h2>{"Warnings"}<span class="count">{thousands(p.warnings_total)}</span></h2>
                if p.warnings.is_empty() {
                    <p class="muted">{"Every record was read."}</p>
                } else {
                    <ul class="warnings" onscroll={on_warnings_scroll}>
                    { for p.warnings.iter().take(warnings_shown).map(|w| html! {
                        <li>
                            <span class="wfile" title={w.path.clone()}>{file_name(&w.path)}</span>
                            <span class="wmsg">{w.message.clone()}</span>
                        </li>
                    }) }
                    </ul>
                    if p.warnings_total > p.warnings.len() as u64 {
                        <p class="muted">{format!("{} more in the summary download", thousands(p.warnings_total - p.warnings.len() as u64))}</p>
                    }
                }
            </section>
        </div>
    }
}
