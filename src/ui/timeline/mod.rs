//! The Timeline view: pushes, pulls, expiries, ECS and Image Builder activity over time, drawn on a
//! canvas from the engine's buckets.
//!
//! Wheel, pinch, the buttons and `+` / `-` zoom; dragging and the arrow keys pan; shift-drag (or the
//! brush button) selects a range, which becomes the filter's time range so every view follows;
//! double-click resets; a lane's name is a button that filters every view to it. `↑` / `↓` walk the marks, Enter opens one. The view and the answer live in
//! a [`model::Model`] outside Yew's state, so a frame redraws the canvas without re-rendering.

mod draw;
mod env;
mod events;
mod model;
mod sprites;
mod table;

use std::rc::Rc;

use yew::prelude::*;

use super::query::Shown;
use super::Ctx;
use crate::analysis::filter::{Field, Filter};
use crate::analysis::timeline::viewport::Viewport;
use crate::analysis::timeline::{GroupBy, Lane, LaneKind, Mark, Range, Timeline};
use crate::viewstate::UiPhase;
use env::Env;
use model::Model;

/// Minutes ahead of UTC of the clock shown at the instant `t` (ms): 0 in UTC, else this browser's
/// zone at that instant, daylight saving time included (a view over months crosses its changes).
pub fn offset_at(local: bool, t: i64) -> i64 {
    if !local {
        return 0;
    }
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t as f64));
    -(date.get_timezone_offset().round() as i64)
}

/// The time `t` (ms) in full on the clock shown, with its offset (see [`offset_at`]).
pub fn shown(t: i64, local: bool) -> String {
    crate::analysis::timeline::axis::full(t, offset_at(local, t))
}

/// The view.
#[function_component(TimelineView)]
pub fn timeline_view() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let s = &ctx.state.0;
    let group_by = use_state(GroupBy::default);
    let local = use_state(|| false);
    let brush_mode = use_state(|| false);
    let show_table = use_state(|| false);
    let answer = use_state(|| None::<(Rc<Timeline>, (Filter, GroupBy))>);
    let (canvas, host, readout, tip, live) =
        (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let model = use_mut_ref(Model::default);
    let base = use_mut_ref(|| (Filter::default(), GroupBy::default()));
    let whole = use_mut_ref(Filter::default);
    let env = {
        let answer = answer.clone();
        let state = ctx.state.clone();
        Env {
            model: model.clone(),
            canvas: canvas.clone(),
            host: host.clone(),
            readout: readout.clone(),
            tip: tip.clone(),
            live: live.clone(),
            bridge: ctx.bridge.clone(),
            base: base.clone(),
            filter: whole.clone(),
            dispatch: Callback::from(move |a| state.dispatch(a)),
            landed: Callback::from(move |t| answer.set(Some(t))),
        }
    };
    let base_filter = Filter { from: None, to: None, ..s.filter.clone() };
    // The marks drawn answer another filter or grouping while this one's are on their way: dimmed.
    let shown = Shown::of(answer.as_ref().is_some_and(|(_, (f, g))| *f != base_filter || *g != *group_by));
    *whole.borrow_mut() = s.filter.clone();
    let selection = match (s.filter.from, s.filter.to) {
        (None, None) => None,
        (from, to) => Some(Range { from: from.unwrap_or(i64::MIN / 4), to: to.unwrap_or(i64::MAX / 4) }),
    };
    {
        let mut m = model.borrow_mut();
        m.selection = selection;
        m.local = *local;
        m.brush_mode = *brush_mode;
        if m.view.is_none() {
            // Until the first answer, the overview's first and last event place the view.
            let counts = s.overview.as_ref().map(|o| (o.counts.first, o.counts.last));
            if let Some((Some(a), Some(b))) = counts {
                m.view = Some(Viewport::around(Range { from: a, to: b + 1 }));
            }
        }
    }
    // Ask again when the filter (but its range), the grouping or the data change.
    {
        let env = env.clone();
        let key = (base_filter, *group_by, s.data_version);
        use_effect_with(key, move |(f, g, _)| {
            *env.base.borrow_mut() = (f.clone(), *g);
            env.ask();
            env.schedule();
        });
    }
    // A time range set elsewhere (the filter bar, a link) moves the view to it.
    {
        let env = env.clone();
        let bounded = match (s.filter.from, s.filter.to) {
            (Some(from), Some(to)) if to > from => Some(Range { from, to }),
            _ => None,
        };
        use_effect_with(bounded, move |sel| {
            if let Some(r) = *sel {
                let (fits, touched) = {
                    let m = env.model.borrow();
                    (m.view.is_some_and(|v| v.from <= r.from as f64 && v.to >= r.to as f64), m.touched)
                };
                if !fits || !touched {
                    env.set_view(Viewport::around(r));
                }
            }
            env.schedule();
        });
    }
    {
        let env = env.clone();
        use_effect_with((*local, *brush_mode), move |_| env.schedule());
    }
    events::use_native_listeners(&env);
    let handlers = events::handlers(&env);
    let data = answer.as_ref().map(|(t, _)| Rc::clone(t));
    let empty = data.as_ref().is_some_and(|d| d.extent.is_none());
    let loading = s.phase == UiPhase::Loading;
    let group_select = {
        let group_by = group_by.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Some(g) = GroupBy::from_slug(&v) {
                group_by.set(g);
            }
        })
    };
    let button = |label: &'static str, title: &'static str, testid: &'static str, cb: Callback<MouseEvent>| {
        html! { <button type="button" class="button small" {title} aria-label={title} data-testid={testid} onclick={cb}>{label}</button> }
    };
    let click = |f: fn(&Env)| {
        let env = env.clone();
        Callback::from(move |_| f(&env))
    };
    html! {
        <section class="panel timeline" data-testid="timeline" aria-label="Timeline">
            <div class="tl-controls">
                <div class="tl-group">
                    { button("+", "Zoom in (+)", "timeline-zoom-in", click(|e| e.zoom(0.5, 0.5))) }
                    { button("−", "Zoom out (−)", "timeline-zoom-out", click(|e| e.zoom(2.0, 0.5))) }
                    { button("◀", "Earlier (←)", "timeline-pan-left", click(|e| e.pan(-0.25))) }
                    { button("▶", "Later (→)", "timeline-pan-right", click(|e| e.pan(0.25))) }
                    { button("Reset", "Show everything and clear the time range (double-click, 0)", "timeline-reset", click(Env::reset)) }
                    <button type="button" class={classes!("button", "small", brush_mode.then_some("on"))}
                        aria-pressed={brush_mode.to_string()} data-testid="timeline-brush"
                        title="Brush: drag to select a time range (or shift-drag)"
                        onclick={let b = brush_mode.clone(); Callback::from(move |_| b.set(!*b))}>{"Select range"}</button>
                </div>
                <label class="tl-group">{"Lanes by "}
                    <select data-testid="timeline-group" onchange={group_select}>
                        { for GroupBy::ALL.iter().map(|g| html! {
                            <option value={g.slug()} selected={*g == *group_by}>{g.label()}</option>
                        }) }
                    </select>
                </label>
                <button type="button" class="button small" data-testid="timeline-clock" aria-pressed={local.to_string()}
                    title="Show times in UTC or in this browser's local time"
                    onclick={let l = local.clone(); Callback::from(move |_| l.set(!*l))}>
                    { if *local { "Local time" } else { "UTC" } }
                </button>
            </div>
            <p class="tl-readout" data-testid="timeline-range" ref={readout} aria-live="off"></p>
            <Legend />
            if let Some(d) = data.as_ref().filter(|d| !d.off.is_empty()) {
                <OffList off={d.off.clone()} />
            }
            <div class={classes!("tl-host", shown.class)} ref={host} data-testid="timeline-plot" data-state={shown.state} aria-busy={shown.busy}>
                <canvas ref={canvas} class={classes!("tl-canvas", brush_mode.then_some("brush"))} data-testid="timeline-canvas" tabindex="0"
                    role="img" aria-roledescription="timeline"
                    aria-label="Timeline of events. Plus and minus zoom, left and right arrows pan, up and down arrows move between marks, Enter opens one, zero or Home resets."
                    onpointerdown={handlers.down} onpointermove={handlers.moved} onpointerup={handlers.up.clone()}
                    onpointercancel={handlers.up} onpointerleave={handlers.leave} ondblclick={handlers.dbl}
                    onkeydown={handlers.key} />
                <div class="tl-tip" data-testid="timeline-tooltip" role="tooltip" ref={tip} hidden=true></div>
                if let Some(d) = &data {
                    <LaneButtons lanes={Rc::clone(d)} />
                }
                if empty {
                    <p class="tl-empty" data-testid="timeline-empty">
                        { if loading { "No events yet: the timeline fills in as your logs are read." } else { "No events match the filters. Remove a filter to see the timeline." } }
                    </p>
                }
            </div>
            <p class="sr-only" aria-live="polite" data-testid="timeline-focus" ref={live}></p>
            <p class="tl-help">{"Scroll or pinch to zoom, drag to pan, shift-drag (or Select range) to filter every view to a time range, double-click to reset; click a lane's name to filter every view to it. Keys: + − zoom, ← → pan, ↑ ↓ move between marks, Enter opens, 0 or Home resets the zoom."}</p>
            <details class="tl-table" open={*show_table}
                ontoggle={let st = show_table.clone(); Callback::from(move |e: Event| {
                    let open = e.target_unchecked_into::<web_sys::HtmlDetailsElement>().open();
                    if open != *st { st.set(open); }
                })}>
                <summary data-testid="timeline-table-toggle">{"Table of what is drawn"}</summary>
                if *show_table {
                    <table::DrawnTable data={data} local={*local} view={model.borrow().view.map(|v| (v.from, v.to))} stride={model.borrow().stride()} />
                }
            </details>
        </section>
    }
}

#[derive(Properties)]
struct LaneProps {
    lanes: Rc<Timeline>,
}

impl PartialEq for LaneProps {
    fn eq(&self, other: &Self) -> bool {
        self.lanes.lanes == other.lanes.lanes
    }
}

/// What the "Other" lane's button leaves out: the value of every lane drawn on its own, one value of
/// one field (a repository, principal or service) or an account and region together (their pair, as
/// [`Field::Place`]: the account's other regions and the region's other accounts stay).
fn drawn_values(lanes: &[Lane]) -> Option<Vec<(Field, String)>> {
    let mut out = Vec::new();
    for lane in lanes.iter().filter(|l| l.kind == LaneKind::Group) {
        match lane.pick.as_slice() {
            [one] => out.push(one.clone()),
            [(Field::Account, account), (Field::Region, region)] => {
                out.push((Field::Place, crate::analysis::filter::place_value(account, region)));
            }
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The "Other" lane's button: leaves out the values drawn in lanes of their own, so every view keeps
/// just the events Other gathers, and the next busiest values get lanes.
fn other_button(ctx: &Ctx, i: usize, lane: &Lane, drawn: Vec<(Field, String)>) -> Html {
    let title = format!(
        "{}: filter every view to them, leaving out the {} drawn above",
        crate::text::tooltip(&lane.label),
        crate::text::plural(drawn.len() as u64, "value", "values")
    );
    let onclick = super::identity::table::leave_out(ctx, drawn);
    html! {
        <li>
            <button type="button" class="tl-lane" data-testid="timeline-other-filter" data-lane={i.to_string()}
                title={title.clone()} aria-label={title} {onclick}></button>
        </li>
    }
}

/// A button over each lane's name that filters every view to it (its repository, principal, service
/// or account and region), and one over "Other" that leaves the lanes drawn out. One row per lane, so
/// each sits over its lane (`static/timeline.css` gives rows the canvas's lane height); a lane no
/// filter names has an empty row.
#[function_component(LaneButtons)]
fn lane_buttons(props: &LaneProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let filter = &ctx.state.0.filter;
    let button = |i: usize, lane: &Lane| {
        if lane.kind == LaneKind::Other {
            if let Some(drawn) = drawn_values(&props.lanes.lanes) {
                return other_button(&ctx, i, lane, drawn);
            }
        }
        if lane.pick.is_empty() {
            return html! { <li></li> };
        }
        let on = lane.pick.iter().all(|(field, v)| filter.has(*field, v));
        // Revealed and cut, as every tooltip: a name from the logs can be 100,000 characters long.
        let name = crate::text::tooltip(&lane.label);
        let title =
            if on { format!("{name}: every view is filtered to it") } else { format!("Filter every view to {name}") };
        let onclick = super::identity::table::pick_all(&ctx, lane.pick.clone());
        html! {
            <li>
                <button type="button" class={classes!("tl-lane", on.then_some("on"))} data-testid="timeline-lane-filter"
                    data-lane={i.to_string()} aria-pressed={on.to_string()} title={title.clone()} aria-label={title} {onclick}></button>
            </li>
        }
    };
    html! {
        <ul class="tl-lanes" aria-label="Lanes">
            { for props.lanes.lanes.iter().enumerate().map(|(i, l)| button(i, l)) }
        </ul>
    }
}

#[function_component(Legend)]
fn legend() -> Html {
    let items = [Mark::Push, Mark::Pull, Mark::Expiry, Mark::Deploy, Mark::Use, Mark::Build];
    html! {
        <ul class="tl-legend" aria-label="Legend">
            { for items.iter().map(|&m| html! {
                <li><span class={classes!("sw", format!("m-{}", table::slug(m)))} aria-hidden="true">{draw::shape(m)}</span>{table::name(m)}</li>
            }) }
            <li><span class="sw m-events" aria-hidden="true"></span>{"Events (darker: more)"}</li>
            <li><span class="sw m-error" aria-hidden="true">{"△"}</span>{"Failed (hollow, red outline; some failed: red outline; red foot under event cells)"}</li>
        </ul>
    }
}

#[derive(Properties, PartialEq)]
struct OffProps {
    off: Vec<crate::analysis::logging::Off>,
}

/// The times CloudTrail logging was off, which the canvas shades: said in words (the canvas is
/// an image), with when each started again, or that it did not in these logs.
#[function_component(OffList)]
fn off_list(p: &OffProps) -> Html {
    let item = |o: &crate::analysis::logging::Off| {
        let until = match o.to {
            Some(t) => format!("until {} ({})", crate::text::utc(t), crate::text::duration(t - o.from)),
            None => "not started again in these logs".to_owned(),
        };
        let kind = if o.monitor { "monitoring" } else { "logging" };
        html! {
            <li data-testid="timeline-off-item" data-kind={kind} data-from={o.from.to_string()} data-to={o.to.map(|t| t.to_string())}>
                <b>{crate::text::reveal(&o.what).into_owned()}</b>
                {format!(": {} at {}, {until}", crate::text::reveal(&o.call), crate::text::utc(o.from))}
            </li>
        }
    };
    let list = |monitor: bool, class: &'static str, label: &'static str| {
        let items: Vec<_> = p.off.iter().filter(|o| o.monitor == monitor).collect();
        (!items.is_empty()).then(|| {
            html! {
                <div class={classes!("tl-off", class)} data-testid="timeline-off" data-kind={if monitor { "monitoring" } else { "logging" }}>
                    <span class="tl-off-key" aria-hidden="true"></span>
                    {label}
                    <ul>{ for items.into_iter().map(item) }</ul>
                </div>
            }
        })
    };
    html! {
        <>
            { for list(false, "", "CloudTrail logging off (shaded): ") }
            { for list(true, "monitor", "Other monitoring off (shaded, dashed edge): ") }
        </>
    }
}
