//! The timeline's working parts shared by its handlers: asking the engine, drawing frames, zooming,
//! panning, brushing, opening what was clicked, the tooltip and the readout.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlCanvasElement, HtmlElement};
use yew::prelude::*;

use super::draw::{self, Hit};
use super::model::{Model, PX_PER_BUCKET};
use super::table;
use crate::analysis::filter::Filter;
use crate::analysis::timeline::viewport::Viewport;
use crate::analysis::timeline::{bucket_start, GroupBy, Mark, Range, Timeline, TimelineQuery};
use crate::engine::{Query, Response};
use crate::ui::bridge::Bridge;
use crate::viewstate::Action;

/// What the handlers share: the model, the elements, the way to the engine and to the page state.
#[derive(Clone)]
pub struct Env {
    pub model: Rc<RefCell<Model>>,
    pub canvas: NodeRef,
    pub host: NodeRef,
    pub readout: NodeRef,
    pub tip: NodeRef,
    pub live: NodeRef,
    pub bridge: Rc<Bridge>,
    /// The query's filter (without its time range) and grouping, as last rendered.
    pub base: Rc<RefCell<(Filter, GroupBy)>>,
    /// The whole filter, for the brush.
    pub filter: Rc<RefCell<Filter>>,
    pub dispatch: Callback<Action>,
    /// A new answer arrived, with the filter and grouping it answers (re-renders the table and the
    /// empty state, and dims the plot while it answers another filter than the one shown).
    pub landed: Callback<(Rc<Timeline>, (Filter, GroupBy))>,
}

impl Env {
    /// Draws on the next animation frame (once, however often asked).
    pub fn schedule(&self) {
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
            let labels = self.canvas.cast::<HtmlCanvasElement>().map_or(0, |c| draw::frame(&c, &m));
            self.readout(&m, labels);
            m.view.is_some() && m.asking.is_none() && !m.served()
        };
        if let Some(p) = perf {
            record_frame(p.now() - t0);
        }
        if need {
            self.ask();
        }
    }

    /// The `[data-testid=timeline-range]` readout: the visible range and the answer, as attributes
    /// for tests and as text for people; `axis_labels`: the time labels the frame's axis shows.
    fn readout(&self, m: &Model, axis_labels: usize) {
        let Some(el) = self.readout.cast::<Element>() else { return };
        let set = |k: &str, v: &str| {
            let _ = el.set_attribute(k, v);
        };
        let state = match &m.data {
            Some(d) if d.extent.is_none() => "empty",
            Some(_) if m.asking.is_none() && !m.stale && m.served() => "ready",
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
        let (mut visible, mut buckets, mut marks, mut drawn) = (0u64, 0u32, 0usize, 0usize);
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
            let merged = m.marks();
            drawn = (0..merged.list.len()).filter(|&i| merged.in_view(i, v.from, v.to)).count();
            set("data-stride", &merged.stride.to_string());
            set("data-lanes", &d.lanes.len().to_string());
        }
        set("data-buckets", &buckets.to_string());
        set("data-visible-events", &visible.to_string());
        set("data-marks", &marks.to_string());
        set("data-drawn-marks", &drawn.to_string());
        set("data-axis-labels", &axis_labels.to_string());
        let from = super::shown(v.from.round() as i64, m.local);
        let to = super::shown(v.to.round() as i64, m.local);
        // Before the first answer there is nothing to count: "0 events" would be a wrong count.
        let events = match m.data {
            Some(_) => format!("{} in view", crate::text::plural(visible, "event", "events")),
            None => "counting events…".to_owned(),
        };
        el.set_text_content(Some(&format!("{from} → {to} · {events}")));
    }

    /// Asks the engine for the view's buckets (or marks the answer on its way as stale).
    pub fn ask(&self) {
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
        let asked = self.base.borrow().clone();
        let q = TimelineQuery { filter: asked.0.clone(), range, buckets, group_by: asked.1 };
        let env = self.clone();
        self.bridge.ask(
            Query::Timeline(Box::new(q)),
            Callback::from(move |r: Response| {
                if let Response::Timeline(t) = r {
                    env.arrived(Rc::new(*t), asked.clone());
                }
            }),
        );
    }

    fn arrived(&self, t: Rc<Timeline>, asked: (Filter, GroupBy)) {
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
        self.landed.emit((t, asked));
        if again {
            self.ask();
        }
    }

    /// Changes the view (the person zoomed or panned). The tooltip goes: it told what was under the
    /// pointer (or the focused mark) where the old view drew it.
    pub fn set_view(&self, v: Viewport) {
        {
            let mut m = self.model.borrow_mut();
            m.view = Some(v.clamped());
            m.touched = true;
        }
        self.tooltip(None);
        self.schedule();
    }

    pub fn zoom(&self, factor: f64, at: f64) {
        let Some(v) = self.model.borrow().view else { return };
        self.set_view(v.zoom(factor, at));
    }

    pub fn pan(&self, frac: f64) {
        let Some(v) = self.model.borrow().view else { return };
        self.set_view(v.pan(frac));
    }

    /// Back to everything: the filter's time range removed and the view fitted to the data.
    pub fn reset(&self) {
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
        self.tooltip(None);
        self.schedule();
    }

    /// Makes `[from, to)` the filter's time range, and shows it.
    pub fn brush(&self, from: f64, to: f64) {
        // Rounded to the coarsest of 1 ms, 10 ms, ... 1 s, 1 min, 1 h, 1 day that a pixel is
        // worth, so the chip reads 00:01:00 rather than 00:00:59.853 and is still where it was dragged.
        let per_px = self.model.borrow().view.map_or(1.0, |v| v.span() / self.model.borrow().plot_w());
        let unit = [86_400_000.0, 3_600_000.0, 60_000.0, 1000.0, 100.0, 10.0, 1.0]
            .into_iter()
            .find(|&u| u <= per_px)
            .unwrap_or(1.0);
        let round = |t: f64| ((t / unit).round() * unit) as i64;
        let (from, to) = (round(from.min(to)), round(from.max(to)));
        if to <= from {
            return;
        }
        // The view first, and its question sent at once: the other views' questions for the new
        // filter then queue behind the timeline's in the engine, not in front of it.
        self.set_view(Viewport::around(Range { from, to }));
        if !self.model.borrow().served() {
            self.ask();
        }
        let filter = self.filter.borrow().clone();
        self.dispatch.emit(Action::SetFilter(Box::new(Filter { from: Some(from), to: Some(to), ..filter })));
    }

    /// Opens what a hit shows: one event or session in the drawer, or a closer look at a bucket.
    pub fn open(&self, hit: Hit) {
        let (data, view, marks) = {
            let m = self.model.borrow();
            (m.data.clone(), m.view, m.marks())
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
                let Some(c) = d.cells.get(i) else { return };
                if c.mark == Mark::Events && c.count > 1 {
                    zoom_to(c.bucket);
                } else {
                    self.dispatch.emit(Action::Select(Some(c.row)));
                }
            }
            Hit::Mark(i) => {
                if let Some(mark) = marks.list.get(i) {
                    self.dispatch.emit(Action::Select(Some(mark.row)));
                }
            }
            Hit::Span(i) => self.dispatch.emit(Action::Select(Some(d.spans[i].row))),
            Hit::Density(b) => zoom_to(b),
        }
    }

    /// Shows (or, with `None`, hides) the tooltip for a hit at canvas position (x, y).
    pub fn tooltip(&self, hit: Option<(Hit, f64, f64)>) {
        let Some(tip) = self.tip.cast::<HtmlElement>() else { return };
        let text = {
            let m = self.model.borrow();
            hit.and_then(|(h, _, _)| m.data.as_deref().map(|d| table::describe(d, &m.marks(), h, m.local)))
        };
        match (text, hit) {
            (Some(lines), Some((_, x, y))) => {
                // Repository names, principals and tags are the log's text: revealed and cut.
                let lines: Vec<String> = lines.iter().map(|l| crate::text::tooltip(l)).collect();
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
    pub fn announce(&self, text: &str) {
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
