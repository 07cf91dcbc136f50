//! The Timeline view: pushes, pulls, expiries, ECS and Image Builder activity over time, drawn on a
//! canvas from the engine's buckets.
//!
//! Wheel, pinch, the buttons and `+` / `-` zoom; dragging and the arrow keys pan; shift-drag (or the
//! brush button) selects a range, which becomes the filter's time range so every view follows;
//! double-click resets. `↑` / `↓` walk the marks, Enter opens one. The view and the answer live in
//! a [`model::Model`] outside Yew's state, so a frame redraws the canvas without re-rendering.

mod draw;
mod events;
mod model;
mod table;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlCanvasElement, HtmlElement};
use yew::prelude::*;

use super::bridge::Bridge;
use super::Ctx;
use crate::analysis::filter::Filter;
use crate::analysis::timeline::axis::full;
use crate::analysis::timeline::viewport::Viewport;
use crate::analysis::timeline::{bucket_start, GroupBy, Mark, Range, Timeline, TimelineQuery};
use crate::engine::{Query, Response};
use crate::viewstate::{Action, UiPhase};
use draw::Hit;
use model::{Model, PX_PER_BUCKET};

/// What the handlers share: the model, the elements, the way to the engine and to the page state.
#[derive(Clone)]
struct Env {
    model: Rc<RefCell<Model>>,
    canvas: NodeRef,
    host: NodeRef,
    readout: NodeRef,
    tip: NodeRef,
    live: NodeRef,
    bridge: Rc<Bridge>,
    /// The query's filter (without its time range) and grouping, as last rendered.
    base: Rc<RefCell<(Filter, GroupBy)>>,
    /// The whole filter, for the brush.
    filter: Rc<RefCell<Filter>>,
    dispatch: Callback<Action>,
    /// A new answer arrived (re-renders the table and the empty state).
    landed: Callback<Rc<Timeline>>,
}

impl Env {
    /// Draws on the next animation frame (once, however often asked).
    fn schedule(&self) {
        if std::mem::replace(&mut self.model.borrow_mut().frame_pending, true) {
            return;
        }
        let env = self.clone();
        let cb = Closure::once_into_js(move || env.frame());
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(cb.unchecked_ref());
        }
    }

    fn frame(&self) {
        let perf = web_sys::window().and_then(|w| w.performance());
        let t0 = perf.as_ref().map_or(0.0, web_sys::Performance::now);
        let width = self.host.cast::<Element>().map_or(0.0, |h| f64::from(h.client_width()));
        let need = {
            let mut m = self.model.borrow_mut();
            m.frame_pending = false;
            if width > 0.0 {
                m.width = width;
            }
            if let Some(c) = self.canvas.cast::<HtmlCanvasElement>() {
                draw::frame(&c, &m);
            }
            self.readout(&m);
            m.view.is_some() && !m.served()
        };
        if let Some(p) = perf {
            record_frame(p.now() - t0);
        }
        if need {
            self.ask();
        }
    }

    /// The `[data-testid=timeline-range]` readout: the visible range and the answer, as attributes
    /// for tests and as text for people.
    fn readout(&self, m: &Model) {
        let Some(el) = self.readout.cast::<Element>() else { return };
        let set = |k: &str, v: &str| {
            let _ = el.set_attribute(k, v);
        };
        let state = match &m.data {
            Some(d) if d.extent.is_none() => "empty",
            Some(_) if m.asking.is_none() && !m.stale => "ready",
            _ => "loading",
        };
        set("data-state", state);
        let Some(v) = m.view else {
            el.set_text_content(Some("Waiting for the first events…"));
            return;
        };
        if let Some(r) = m.selection {
            set("data-selection-from", &r.from.to_string());
            set("data-selection-to", &r.to.to_string());
        } else {
            let _ = el.remove_attribute("data-selection-from");
            let _ = el.remove_attribute("data-selection-to");
        }
        set("data-from", &format!("{}", v.from.round() as i64));
        set("data-to", &format!("{}", v.to.round() as i64));
        let (mut visible, mut buckets, mut marks) = (0u64, 0u32, 0usize);
        if let Some(d) = m.data.as_deref() {
            let r = d.range.unwrap_or(Range { from: 0, to: 1 });
            for (b, &n) in d.density.iter().enumerate() {
                let t = bucket_start(r, d.buckets, b as u32) as f64;
                if t >= v.from && t < v.to {
                    visible += u64::from(n);
                    buckets += 1;
                }
            }
            marks = d.cells.iter().filter(|c| c.mark != Mark::Events).count();
            set("data-lanes", &d.lanes.len().to_string());
        }
        set("data-buckets", &buckets.to_string());
        set("data-visible-events", &visible.to_string());
        set("data-marks", &marks.to_string());
        let from = full(v.from.round() as i64, m.offset_min);
        let to = full(v.to.round() as i64, m.offset_min);
        let events = crate::text::plural(visible, "event", "events");
        el.set_text_content(Some(&format!("{from} → {to} · {events} in view")));
    }

    /// Asks the engine for the view's buckets (or marks the answer on its way as stale).
    fn ask(&self) {
        let (range, buckets) = {
            let mut m = self.model.borrow_mut();
            let Some(view) = m.view else { return };
            if m.asking.is_some() {
                m.stale = true;
                return;
            }
            let (range, buckets) = view.request(m.plot_w(), PX_PER_BUCKET);
            m.asking = Some((range, buckets));
            m.stale = false;
            (range, buckets)
        };
        let (filter, group_by) = self.base.borrow().clone();
        let q = TimelineQuery { filter, range, buckets, group_by };
        let env = self.clone();
        self.bridge.ask(
            Query::Timeline(Box::new(q)),
            Callback::from(move |r: Response| {
                if let Response::Timeline(t) = r {
                    env.arrived(Rc::new(*t));
                }
            }),
        );
    }

    fn arrived(&self, t: Rc<Timeline>) {
        let again = {
            let mut m = self.model.borrow_mut();
            m.asking = None;
            if !m.touched {
                if let Some(e) = t.extent {
                    let v = Viewport::around(e);
                    if m.view != Some(v) {
                        m.view = Some(v);
                        m.stale = true;
                    }
                }
            }
            m.data = Some(Rc::clone(&t));
            m.stale || !m.served()
        };
        self.schedule();
        self.landed.emit(t);
        if again {
            self.ask();
        }
    }

    /// Changes the view (the person zoomed or panned).
    fn set_view(&self, v: Viewport) {
        {
            let mut m = self.model.borrow_mut();
            m.view = Some(v.clamped());
            m.touched = true;
        }
        self.schedule();
    }

    fn zoom(&self, factor: f64, at: f64) {
        let Some(v) = self.model.borrow().view else { return };
        self.set_view(v.zoom(factor, at));
    }

    fn pan(&self, frac: f64) {
        let Some(v) = self.model.borrow().view else { return };
        self.set_view(v.pan(frac));
    }

    /// Back to everything: the filter's time range removed and the view fitted to the data.
    fn reset(&self) {
        let filter = self.filter.borrow().clone();
        if filter.from.is_some() || filter.to.is_some() {
            self.dispatch.emit(Action::SetFilter(Box::new(Filter { from: None, to: None, ..filter })));
        }
        {
            let mut m = self.model.borrow_mut();
            m.touched = false;
            m.focus = None;
            if let Some(e) = m.data.as_ref().and_then(|d| d.extent) {
                m.view = Some(Viewport::around(e));
            }
        }
        self.schedule();
    }

    /// Makes `[from, to)` the filter's time range, and shows it.
    fn brush(&self, from: f64, to: f64) {
        let (from, to) = (from.min(to).floor() as i64, from.max(to).ceil() as i64);
        if to <= from {
            return;
        }
        let filter = self.filter.borrow().clone();
        self.dispatch.emit(Action::SetFilter(Box::new(Filter { from: Some(from), to: Some(to), ..filter })));
        self.set_view(Viewport::around(Range { from, to }));
    }

    /// Opens what a hit shows: one event or session in the drawer, or a closer look at a bucket.
    fn open(&self, hit: Hit) {
        let (data, view) = {
            let m = self.model.borrow();
            (m.data.clone(), m.view)
        };
        let (Some(d), Some(v)) = (data, view) else { return };
        let r = d.range.unwrap_or(Range { from: 0, to: 1 });
        let zoom_to = |b: u32| {
            let (t0, t1) = (bucket_start(r, d.buckets, b), bucket_start(r, d.buckets, b + 1));
            let w = ((t1 - t0) as f64).max(v.span() / 50.0);
            self.set_view(Viewport { from: t0 as f64 - w, to: t1 as f64 + w });
        };
        match hit {
            Hit::Cell(i) => {
                let c = &d.cells[i];
                if c.mark == Mark::Events && c.count > 1 {
                    zoom_to(c.bucket);
                } else {
                    self.dispatch.emit(Action::Select(Some(c.row)));
                }
            }
            Hit::Span(i) => self.dispatch.emit(Action::Select(Some(d.spans[i].row))),
            Hit::Density(b) => zoom_to(b),
        }
    }

    /// Shows (or, with `None`, hides) the tooltip for a hit at canvas position (x, y).
    fn tooltip(&self, hit: Option<(Hit, f64, f64)>) {
        let Some(tip) = self.tip.cast::<HtmlElement>() else { return };
        let text = {
            let m = self.model.borrow();
            hit.and_then(|(h, _, _)| m.data.as_deref().map(|d| table::describe(d, h, m.offset_min)))
        };
        match (text, hit) {
            (Some(lines), Some((_, x, y))) => {
                tip.set_text_content(Some(&lines.join("\n")));
                let _ = tip.remove_attribute("hidden");
                let width = self.model.borrow().width;
                let left = if x > width - 300.0 { x - 290.0 } else { x + 14.0 };
                let style = tip.style();
                let _ = style.set_property("left", &format!("{left:.0}px"));
                let _ = style.set_property("top", &format!("{:.0}px", y + 14.0));
            }
            _ => {
                let _ = tip.set_attribute("hidden", "");
            }
        }
    }

    /// Says what the focused mark is to screen readers.
    fn announce(&self, text: &str) {
        if let Some(el) = self.live.cast::<Element>() {
            el.set_text_content(Some(text));
        }
    }
}

/// Records a frame's drawing time for the benchmark (`window.__trailscopeFrames`, last 5,000).
fn record_frame(ms: f64) {
    let Some(w) = web_sys::window() else { return };
    let key = JsValue::from_str("__trailscopeFrames");
    let list = js_sys::Reflect::get(&w, &key).ok().filter(JsValue::is_object);
    let list: js_sys::Array = if let Some(l) = list {
        l.unchecked_into()
    } else {
        let a = js_sys::Array::new();
        let _ = js_sys::Reflect::set(&w, &key, &a);
        a
    };
    if list.length() >= 5000 {
        list.shift();
    }
    list.push(&JsValue::from_f64(ms));
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
    let answer = use_state(|| None::<Rc<Timeline>>);
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
    *whole.borrow_mut() = s.filter.clone();
    let selection = match (s.filter.from, s.filter.to) {
        (None, None) => None,
        (from, to) => Some(Range { from: from.unwrap_or(i64::MIN / 4), to: to.unwrap_or(i64::MAX / 4) }),
    };
    let offset_min = if *local { -i64::from(js_sys::Date::new_0().get_timezone_offset() as i32) } else { 0 };
    {
        let mut m = model.borrow_mut();
        m.selection = selection;
        m.offset_min = offset_min;
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
        use_effect_with(selection, move |sel| {
            if let Some(r) = sel.filter(|r| r.to - r.from < i64::MAX / 4) {
                let fits = env.model.borrow().view.is_some_and(|v| v.from <= r.from as f64 && v.to >= r.to as f64);
                if !fits || !env.model.borrow().touched {
                    env.set_view(Viewport::around(r));
                }
            }
            env.schedule();
        });
    }
    {
        let env = env.clone();
        use_effect_with((offset_min, *brush_mode), move |_| env.schedule());
    }
    events::use_native_listeners(&env);
    let handlers = events::handlers(&env);
    let data = (*answer).clone();
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
            <div class="tl-host" ref={host}>
                <canvas ref={canvas} class={classes!("tl-canvas", brush_mode.then_some("brush"))} data-testid="timeline-canvas" tabindex="0"
                    role="img" aria-roledescription="timeline"
                    aria-label="Timeline of events. Plus and minus zoom, left and right arrows pan, up and down arrows move between marks, Enter opens one, 0 resets."
                    onpointerdown={handlers.down} onpointermove={handlers.moved} onpointerup={handlers.up.clone()}
                    onpointercancel={handlers.up} onpointerleave={handlers.leave} ondblclick={handlers.dbl}
                    onkeydown={handlers.key} />
                <div class="tl-tip" data-testid="timeline-tooltip" role="tooltip" ref={tip} hidden=true></div>
                if empty {
                    <p class="tl-empty" data-testid="timeline-empty">
                        { if loading { "No events yet: the timeline fills in as your logs are read." } else { "No events match the filters. Remove a filter to see the timeline." } }
                    </p>
                }
            </div>
            <p class="sr-only" aria-live="polite" data-testid="timeline-focus" ref={live}></p>
            <p class="tl-help">{"Scroll or pinch to zoom, drag to pan, shift-drag (or Select range) to filter every view to a time range, double-click to reset. Keys: + − zoom, ← → pan, ↑ ↓ move between marks, Enter opens, 0 resets."}</p>
            <details class="tl-table" open={*show_table}
                ontoggle={let st = show_table.clone(); Callback::from(move |e: Event| {
                    let open = e.target_unchecked_into::<web_sys::HtmlDetailsElement>().open();
                    if open != *st { st.set(open); }
                })}>
                <summary data-testid="timeline-table-toggle">{"Table of what is drawn"}</summary>
                if *show_table {
                    <table::DrawnTable data={data} offset={offset_min} view={model.borrow().view.map(|v| (v.from, v.to))} />
                }
            </details>
        </section>
    }
}

#[function_component(Legend)]
fn legend() -> Html {
    let items = [Mark::Push, Mark::Pull, Mark::Expiry, Mark::Deploy, Mark::Build];
    html! {
        <ul class="tl-legend" aria-label="Legend">
            { for items.iter().map(|&m| html! {
                <li><span class={classes!("sw", format!("m-{}", table::slug(m)))} aria-hidden="true">{draw::shape(m)}</span>{table::name(m)}</li>
            }) }
            <li><span class="sw m-events" aria-hidden="true"></span>{"Events (darker: more)"}</li>
            <li><span class="sw m-error" aria-hidden="true">{"△"}</span>{"Failed (hollow, red outline; red foot under event cells)"}</li>
        </ul>
    }
}
