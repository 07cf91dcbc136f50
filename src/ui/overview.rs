//! The overview: headline figures, events by service and by API call, files and warnings.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::more::{use_fold, More};
use super::query::{use_answer, Shown};
use super::Ctx;
use crate::analysis::counts::{Counts, NameCount};
use crate::analysis::filter::{call_value, Field};
use crate::analysis::logging::Weakenings;
use crate::engine::{FileRow, FileWarning, Overview, Query, Response, Status};
use crate::ingest::FileKind;
use crate::text::{bytes, duration, file_name, plural, reveal, short_source, thousands, tooltip, utc};
use crate::viewstate::{Action, UiPhase, View};

/// Rows shown per breakdown before "show all".
const TOP: usize = 12;

/// Where the rows a breakdown does not list are found.
const FIND_OTHERS: &str = "to find another, use + Filter or search";

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

/// While loading, the first overview with data is drawn over this many frames after the one it
/// arrives in (whose task only deserializes it; the page around it, tabs, toolbar and filters, is
/// drawn when the drop starts loading), one group of panels a frame: the cards, then
/// three rows of breakdowns, then the files. Drawn at once, it held the main thread for 28 ms of CPU
/// drawing and 20 ms laying out in a load of 5,744 files. Once loading is done it is drawn at once
/// (what a test or a person reads then is whole).
const STAGES: u8 = 5;

/// How many of the [`STAGES`] groups are drawn: while `active`, one more each frame; else all.
#[hook]
fn use_stage(active: bool) -> u8 {
    let stage = use_state_eq(|| 0u8);
    {
        let stage = stage.clone();
        use_effect_with((active, *stage), move |&(active, now)| {
            if active && now < STAGES {
                // After the next frame is drawn, so each group is laid out in a frame of its own.
                let next = Closure::once_into_js(move || {
                    gloo::timers::callback::Timeout::new(0, move || stage.set(now + 1)).forget();
                });
                if let Some(w) = web_sys::window() {
                    let _ = w.request_animation_frame(next.unchecked_ref());
                }
            }
        });
    }
    if active {
        *stage
    } else {
        STAGES
    }
}

/// One shared copy of `value`, made again only when it changes: the views below compare and keep
/// the pointer rather than copying and comparing hundreds of rows on every progress tick.
#[hook]
fn use_shared<T: PartialEq + Clone + 'static>(value: Option<&T>) -> Option<Rc<T>> {
    let cache = use_mut_ref(|| None::<Rc<T>>);
    let mut cache = cache.borrow_mut();
    match (value, cache.as_ref()) {
        (None, _) => *cache = None,
        (Some(v), Some(old)) if **old == *v => {}
        (Some(v), _) => *cache = Some(Rc::new(v.clone())),
    }
    cache.clone()
}

/// The overview page.
#[function_component(OverviewView)]
pub fn overview_view() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let view = &ctx.state.0;
    // Without a filter the overview (refreshed by the bridge while loading) has the counts already.
    let filtered = !view.filter.is_empty();
    let answered = use_answer(filtered.then(|| Query::Counts(Box::new(view.filter.clone()))));
    let (answer, marks) = (answered.response.clone(), Shown::of(filtered && answered.outdated()));
    let shown = view.overview.as_ref().filter(|o| o.files_total > 0);
    let overview = use_shared(shown);
    let (filtered_counts, filtered_names) = match answer.as_deref() {
        Some(Response::Counts { counts, names_total }) => (Some(&**counts), *names_total),
        _ => (None, 0),
    };
    let filtered_counts = use_shared(filtered_counts);
    let all_counts = use_shared(shown.map(|o| &o.counts));
    let stage = use_stage(view.phase == UiPhase::Loading && shown.is_some());
    let (Some(o), Some(all_counts)) = (overview, all_counts) else {
        return empty_state(view.phase);
    };
    let (counts, names_total) = match filtered_counts {
        _ if !filtered => (all_counts, o.names_total),
        Some(c) => (c, filtered_names),
        // The first answer under a filter is on its way: zeros would be counts nobody made.
        None => {
            return html! {
                <section class="panel" data-testid="overview-counting">
                    <p class="muted">{"Counting the events that match the filters…"}</p>
                </section>
            }
        }
    };
    html! {
        <div class={classes!("view-body", marks.class)} data-testid="overview" data-state={marks.state} aria-busy={marks.busy}>
            if o.logging.any() || o.monitoring.any() {
                <Weakened logging={o.logging} monitoring={o.monitoring} />
            }
            if stage >= 1 {
                <Cards status={o.status.clone()} files_total={o.files_total} counts={counts.clone()} names_total={names_total} />
            }
            if stage >= 2 {
                <div class="grid two">
                    <Breakdown title="Events by service" testid="by-source" counts={counts.clone()} field={Field::Source} what="services" />
                    <Names counts={counts.clone()} total={names_total} />
                </div>
            }
            if stage >= 3 {
                <div class="grid two">
                    <Breakdown title="Identity types" testid="by-identity-type" counts={counts.clone()} field={Field::IdentityType} what="identity types" />
                    <Breakdown title="Principals" testid="by-principal" counts={counts.clone()} field={Field::Principal} arns=true what="principals" />
                </div>
            }
            if stage >= 4 {
                <div class="grid two">
                    <Breakdown title="Accounts" testid="by-account" counts={counts.clone()} field={Field::Account} what="accounts" />
                    <Breakdown title="Regions" testid="by-region" counts={counts} field={Field::Region} what="regions" />
                </div>
            }
            if stage >= 5 {
                <Files overview={o} />
            }
        </div>
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
struct WeakenedProps {
    logging: Weakenings,
    monitoring: Weakenings,
}

/// The first thing an investigator must know of a set of logs, whatever the filter: CloudTrail was
/// stopped or told to log less in them, or other monitoring was turned off (or someone tried).
/// The Integrity tab lists the calls.
#[function_component(Weakened)]
fn weakened(p: &WeakenedProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let (l, m) = (p.logging, p.monitoring);
    let mut parts = Vec::new();
    if l.stops > 0 {
        parts.push(format!("{} stopped CloudTrail logging", plural(l.stops, "call", "calls")));
    }
    if l.narrows > 0 {
        parts.push(format!("{} narrowed what a trail logs", plural(l.narrows, "call", "calls")));
    }
    if m.stops > 0 {
        parts.push(format!("{} turned other monitoring off", plural(m.stops, "call", "calls")));
    }
    if m.narrows > 0 {
        parts.push(format!("{} narrowed other monitoring", plural(m.narrows, "call", "calls")));
    }
    let refused = l.refused + m.refused;
    if refused > 0 {
        parts.push(format!("{} to do so refused", plural(refused, "attempt", "attempts")));
    }
    let went_through = l.stops + l.narrows + m.stops + m.narrows > 0;
    let onclick = {
        let state = ctx.state.clone();
        Callback::from(move |_| state.dispatch(Action::SetView(View::Integrity)))
    };
    html! {
        <p class={classes!("weakened", went_through.then_some("bad"))} data-testid="overview-weakened" role="status"
            data-logging-stops={l.stops.to_string()} data-logging-narrows={l.narrows.to_string()}
            data-monitoring-stops={m.stops.to_string()} data-monitoring-narrows={m.narrows.to_string()}
            data-logging-refused={l.refused.to_string()} data-monitoring-refused={m.refused.to_string()}>
            <b>{"In these logs: "}</b>{format!("{}. ", parts.join("; "))}
            <button type="button" class="linklike" data-testid="overview-weakened-open" {onclick}>{"See the changes on the Integrity tab"}</button>
        </p>
    }
}

#[derive(Properties, PartialEq)]
struct CardsProps {
    /// Counters over everything loaded (not the whole overview: its lists are copied and compared on
    /// every redraw otherwise).
    status: Status,
    files_total: u64,
    /// Counts under the current filter.
    counts: Rc<Counts>,
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
                <div class="value" data-testid="total-services">{thousands(c.distinct(Field::Source))}</div>
                <div class="sub">{plural(p.names_total, "API call type", "API call types")}</div>
            </div>
            <div class="card">
                <div class="label">{"Errors"}</div>
                <div class={classes!("value", (c.errors > 0).then_some("bad"))}>{thousands(c.errors)}</div>
                <div class="sub">{format!("{error_pct:.1}% of events")}</div>
            </div>
            <div class="card">
                <div class="label">{"Principals"}</div>
                <div class="value" data-testid="total-principals">{thousands(c.principals)}</div>
                <div class="sub" data-testid="total-accounts-regions">
                    {plural(c.distinct(Field::Account), "account", "accounts")}{", "}{plural(c.distinct(Field::Region), "region", "regions")}
                </div>
            </div>
            <div class="card">
                <div class="label">{"Files"}</div>
                <div class="value">{thousands(o.files_total)}</div>
                <div class="sub">
                    {bytes(o.status.bytes_read)}{" read, "}{bytes(o.status.bytes_decoded)}{" of JSON"}
                    if o.status.repeated > 0 {
                        <br />{thousands(o.status.repeated)}{" with no new events"}
                    }
                </div>
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
    /// Its rows are `counts`' list of `field`.
    counts: Rc<Counts>,
    /// Clicking a row filters every view to it.
    field: Field,
    /// Keys are ARNs: show the resource part first and the account after.
    #[prop_or_default]
    arns: bool,
    /// What the rows are, plural ("principals").
    what: AttrValue,
}

/// A breakdown key as text: `(none)` for empty, ARNs split into resource and account.
fn key_cell(key: &str, arns: bool) -> Html {
    if key.is_empty() {
        return html! { <span class="muted">{"(none)"}</span> };
    }
    if arns {
        return super::arn_label(key);
    }
    html! { {reveal(key).into_owned()} }
}

#[function_component(Breakdown)]
fn breakdown(p: &BreakdownProps) -> Html {
    let rows = p.counts.by_field(p.field);
    let max = rows.first().map_or(0, |r| r.count);
    let fold = use_fold(rows.len(), TOP);
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let field = p.field;
    html! {
        <section class="panel" data-testid={p.testid.clone()}>
            <h2>{p.title.clone()}</h2>
            <table class={classes!("counts", p.arns.then_some("names"))}>
                <tbody>
                { for rows.iter().take(fold.shown()).map(|r| {
                    let (pick, key) = (super::identity::table::pick(&ctx, field, r.key.clone()), super::identity::table::pick_key(&ctx, field, r.key.clone()));
                    html! {
                    <tr class="pickable" tabindex="0" onclick={pick} onkeydown={key} title={tooltip(&format!("Show only {}", r.key))}>
                        <td class="key">{key_cell(&r.key, p.arns)}</td>
                        <td class="barcell">{bar(r.count, max)}</td>
                        <td class="num">{thousands(r.count)}</td>
                        {super::identity::table::not_cell(&ctx, field, &r.key)}
                    </tr>
                    }
                }) }
                </tbody>
            </table>
            if rows.is_empty() {
                <p class="muted">{"No events match the filters."}</p>
            }
            <More {fold} total={p.counts.distinct(field)} what={p.what.clone()} hint={FIND_OTHERS} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct NamesProps {
    /// Its rows are `counts.by_name`.
    counts: Rc<Counts>,
    total: u64,
}

#[function_component(Names)]
fn names(p: &NamesProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let rows: &[NameCount] = &p.counts.by_name;
    let fold = use_fold(rows.len(), TOP);
    let max = rows.first().map_or(0, |r| r.count);
    html! {
        <section class="panel" data-testid="by-name">
            <h2>{"API calls"}</h2>
            <table class="counts calls">
                <thead><tr><th>{"Call"}</th><th class="barcell"></th><th class="num">{"Events"}</th><th class="num">{"Errors"}</th><th class="not" aria-label="Leave out"></th></tr></thead>
                <tbody>
                { for rows.iter().take(fold.shown()).map(|r| {
                    let call = vec![(Field::Source, r.source.clone()), (Field::Name, r.name.clone())];
                    let (pick, key) = (super::identity::table::pick_all(&ctx, call.clone()), super::identity::table::pick_all_key(&ctx, call));
                    html! {
                    <tr class="pickable" tabindex="0" onclick={pick} onkeydown={key} title={tooltip(&format!("Show only {} {}", r.source, r.name))}>
                        <td class="key">
                            <span class="svc">{reveal(short_source(&r.source)).into_owned()}</span>{" "}{ if r.name.is_empty() { "(none)".to_owned() } else { reveal(&r.name).into_owned() } }
                        </td>
                        <td class="barcell">{bar(r.count, max)}</td>
                        <td class="num">{thousands(r.count)}</td>
                        <td class={classes!("num", (r.errors > 0).then_some("bad"))}>{ if r.errors > 0 { thousands(r.errors) } else { String::new() } }</td>
                        {super::identity::table::not_cell(&ctx, Field::Call, &call_value(&r.source, &r.name))}
                    </tr>
                    }
                }) }
                </tbody>
            </table>
            <More {fold} total={p.total} what="API calls" hint={FIND_OTHERS} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct FilesProps {
    /// Its files and warnings.
    overview: Rc<Overview>,
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
    let o = &p.overview;
    let (files, total, warnings, warnings_total): (&[FileRow], u64, &[FileWarning], u64) =
        (&o.files, o.files_total, &o.warnings, o.status.warnings);
    let (files_shown, on_files_scroll) = use_rows_shown();
    let (warnings_shown, on_warnings_scroll) = use_rows_shown();
    html! {
        <div class="grid two">
            <section class="panel" data-testid="files">
                <h2>{"Files"}<span class="count">{thousands(total)}</span></h2>
                <div class="files-scroll" onscroll={on_files_scroll}>
                <table class="files">
                    <thead><tr><th>{"File"}</th><th>{"Kind"}</th><th class="num">{"Events"}</th><th class="num">{"Size"}</th></tr></thead>
                    <tbody>
                    { for files.iter().take(files_shown).map(|f| html! {
                        <tr class={classes!((f.warnings > 0).then_some("has-warning"))}>
                            <td class="path" title={tooltip(&f.path)}>{super::file_label(&f.path)}</td>
                            <td>{kind_label(f.kind)}{ if f.gzip { " · gz" } else { "" } }</td>
                            <td class="num" data-duplicates={f.duplicates.to_string()}>
                                {thousands(f.events)}
                                if f.duplicates > 0 {
                                    <div class="muted small" title="Events of this file already loaded from another file (or earlier in it): held once">
                                        {format!("+{} already loaded", thousands(f.duplicates))}
                                    </div>
                                }
                            </td>
                            <td class="num">{bytes(f.bytes)}</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
                </div>
                if total > files.len() as u64 {
                    <p class="muted">{format!("{} not listed", plural(total - files.len() as u64, "more file", "more files"))}</p>
                }
            </section>
            <section class="panel" data-testid="warnings" id="warnings">
                <h2>{"Warnings"}<span class="count">{thousands(warnings_total)}</span></h2>
                if warnings.is_empty() {
                    <p class="muted">{"Every record was read."}</p>
                } else {
                    <ul class="warnings" onscroll={on_warnings_scroll}>
                    { for warnings.iter().take(warnings_shown).map(|w| html! {
                        <li>
                            <span class="wfile" title={tooltip(&w.path)}>{file_name(&w.path)}</span>
                            <span class="wmsg">{w.message.clone()}</span>
                        </li>
                    }) }
                    </ul>
                    if warnings_total > warnings.len() as u64 {
                        <p class="muted">{format!("{} more in the summary download", thousands(warnings_total - warnings.len() as u64))}</p>
                    }
                }
            </section>
        </div>
    }
}
