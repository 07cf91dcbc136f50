//! Drawing the timeline on its canvas, and finding what is under the pointer.
//!
//! Everything drawn comes from the engine's buckets ([`Timeline`]); a frame is a few thousand
//! rectangles and shapes whatever the number of events. Text from the logs (lane names) is drawn
//! with `fillText`, which never interprets it.

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::model::{Drag, Marks, Model};
use crate::analysis::timeline::axis::ticks;
use crate::analysis::timeline::drawn::Drawn;
use crate::analysis::timeline::viewport::Viewport;
use crate::analysis::timeline::{bucket_start, Cell, LaneKind, Mark, Range, Timeline};
use crate::model::Millis;
use crate::palette::{Palette, DARK, LIGHT};

/// Lane names on the left: 35% of the canvas, from [`GUTTER_MIN`] to [`GUTTER_MAX`] px (a fixed
/// 200 px left a phone's canvas a plot of about 100 px).
pub fn gutter(width: f64) -> f64 {
    (width * 0.35).clamp(GUTTER_MIN, GUTTER_MAX)
}
/// The plot's width in a canvas `width` px wide.
pub fn plot_w(width: f64) -> f64 {
    (width - gutter(width) - PAD_R).max(10.0)
}
/// The gutter in a wide canvas (from about 570 px).
pub const GUTTER_MAX: f64 = 200.0;
/// The gutter in a narrow one: room for "(no repository)" and "Image Builder".
pub const GUTTER_MIN: f64 = 112.0;
/// Room on the right.
pub const PAD_R: f64 = 12.0;
/// Time axis on top.
pub const AXIS_H: f64 = 26.0;
/// Density strip under it.
pub const DENSITY_H: f64 = 36.0;
/// One lane.
pub const LANE_H: f64 = 30.0;

/// The canvas's text: lane names and axis labels.
const FONT: &str = "12px system-ui, -apple-system, 'Segoe UI', sans-serif";

/// Where a repository is, under its name when another lane's repository has that name too.
const PLACE_FONT: &str = "10px system-ui, -apple-system, 'Segoe UI', sans-serif";
/// Below the last lane.
pub const PAD_B: f64 = 8.0;

/// The marks' colours (`Palette::marks`): Okabe-Ito, distinct for the common colour-vision
/// deficiencies, two of them darker on the light page; the marks also differ in shape. Only the
/// events' slate follows the page's text.
pub fn colour(m: Mark) -> &'static str {
    let p = pal();
    match m {
        Mark::Events => p.events,
        Mark::Push => p.marks[0],
        Mark::Pull => p.marks[1],
        Mark::Expiry => p.marks[2],
        Mark::Deploy => p.marks[3],
        Mark::Build => p.marks[4],
        Mark::Use => p.marks[5],
    }
}

thread_local! {
    /// Whether the frame being drawn takes the dark palette (set by [`frame`]).
    static DARK_SCHEME: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The event cells' eight shades in the frame's palette, lightest first (alpha 0.12 to 0.62).
fn shades() -> [String; 8] {
    std::array::from_fn(|i| format!("rgba({},{:.3})", pal().cells, 0.12 + 0.5 * i as f64 / 7.0))
}

/// The palette of the frame being drawn.
fn pal() -> &'static Palette {
    if DARK_SCHEME.with(std::cell::Cell::get) {
        &DARK
    } else {
        &LIGHT
    }
}

thread_local! {
    /// The query `static/style.css` takes its dark palette under (on screen; a print is light),
    /// asked once: a frame reads whether it matches.
    static DARK_QUERY: Option<web_sys::MediaQueryList> =
        web_sys::window().and_then(|w| w.match_media("screen and (prefers-color-scheme: dark)").ok().flatten());
}

/// Whether the page is dark.
fn prefers_dark() -> bool {
    DARK_QUERY.with(|q| q.as_ref().is_some_and(web_sys::MediaQueryList::matches))
}

/// Calls `f` whenever the page turns dark or light (the system's setting changed), so the canvas is
/// drawn again in the page's colours; returns what removes the listener.
pub fn on_scheme_change(mut f: impl FnMut() + 'static) -> impl FnOnce() {
    crate::ui::listen(DARK_QUERY.with(|q| q.clone().map(Into::into)), "change", move |_| f())
}

/// The shape's name, for the legend and the table.
pub fn shape(m: Mark) -> &'static str {
    match m {
        Mark::Events => "shaded cell",
        Mark::Push => "▲",
        Mark::Pull => "▼",
        Mark::Expiry => "✕",
        Mark::Deploy => "■",
        Mark::Build => "◆",
        Mark::Use => "●",
    }
}

/// The canvas's height in CSS px for `lanes` lanes.
pub fn height(lanes: usize) -> f64 {
    AXIS_H + DENSITY_H + LANE_H * lanes.max(1) as f64 + PAD_B
}

/// Where things are on the canvas.
#[derive(Clone, Copy)]
pub struct Geometry {
    /// Canvas width, CSS px.
    pub width: f64,
    /// The view.
    pub view: Viewport,
}

impl Geometry {
    /// The lane names' width.
    pub fn gutter(self) -> f64 {
        gutter(self.width)
    }

    /// Plot width.
    pub fn plot_w(self) -> f64 {
        plot_w(self.width)
    }

    /// x of a time.
    pub fn x(self, t: Millis) -> f64 {
        self.gutter() + self.view.x_of(t as f64, self.plot_w())
    }

    /// Time at an x.
    pub fn t(self, x: f64) -> f64 {
        self.view.time_at(x - self.gutter(), self.plot_w())
    }

    /// The x range of bucket `b` of an answer.
    pub fn bucket_x(self, tl: &Timeline, b: u32) -> (f64, f64) {
        let r = tl.range.unwrap_or(Range { from: 0, to: 1 });
        (self.x(bucket_start(r, tl.buckets, b)), self.x(bucket_start(r, tl.buckets, b + 1)))
    }

    /// Top of lane `i`.
    pub fn lane_y(i: usize) -> f64 {
        AXIS_H + DENSITY_H + LANE_H * i as f64
    }
}

/// What the pointer is over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Hit {
    /// An event cell of the answer (index into its `cells`).
    Cell(usize),
    /// A drawn mark (index into [`Marks::list`]).
    Mark(usize),
    /// A session span (index into its `spans`).
    Span(usize),
    /// A bucket of the density strip.
    Density(u32),
}

/// What is at (x, y), preferring marks (as drawn) over spans over event cells.
pub fn hit(tl: &Timeline, marks: &Marks, g: Geometry, x: f64, y: f64) -> Option<Hit> {
    if x < g.gutter() || x > g.width - PAD_R + 4.0 {
        return None;
    }
    if (AXIS_H..AXIS_H + DENSITY_H).contains(&y) {
        let r = tl.range?;
        let t = g.t(x).floor() as Millis;
        return crate::analysis::timeline::bucket_of(r, tl.buckets, t).map(Hit::Density);
    }
    let lane_f = (y - AXIS_H - DENSITY_H) / LANE_H;
    if lane_f < 0.0 || lane_f >= tl.lanes.len() as f64 {
        return None;
    }
    let lane = lane_f as u16;
    // The nearest drawn mark whose shape (and two pixels round it) is under the pointer.
    let mut best: Option<(f64, usize)> = None;
    for (i, _) in marks.list.iter().enumerate().filter(|(_, m)| m.lane == lane) {
        let Some((mx, _, r)) = mark_at(g, marks, i) else { continue };
        let d = (x - mx).abs();
        if d <= r + 2.0 && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, i));
        }
    }
    if let Some((_, i)) = best {
        return Some(Hit::Mark(i));
    }
    let mut events = None;
    for (i, c) in tl.cells.iter().enumerate().filter(|(_, c)| c.lane == lane && c.mark == Mark::Events) {
        let (x0, x1) = g.bucket_x(tl, c.bucket);
        if x >= x0 - 1.0 && x <= x1.max(x0 + 2.0) + 1.0 {
            events = Some(i);
        }
    }
    let mid = Geometry::lane_y(lane as usize) + LANE_H / 2.0;
    if (y - mid).abs() <= 5.0 {
        for (i, s) in tl.spans.iter().enumerate().filter(|(_, s)| s.lane == lane) {
            if x >= g.x(s.start) - 2.0 && x <= g.x(s.end) + 2.0 {
                return Some(Hit::Span(i));
            }
        }
    }
    events.map(Hit::Cell)
}

/// Draws one frame and returns how many time labels its axis shows (for the readout); errors from
/// the canvas API are ignored (the next frame draws again).
pub fn frame(canvas: &HtmlCanvasElement, m: &Model) -> usize {
    let Some(ctx) = context(canvas) else { return 0 };
    DARK_SCHEME.with(|d| d.set(prefers_dark()));
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    let lanes = m.data.as_ref().map_or(0, |d| d.lanes.len());
    let (w, h) = (m.width.max(100.0), height(lanes));
    let (pw, ph) = ((w * dpr).round() as u32, (h * dpr).round() as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
        let style = canvas.style();
        let _ = style.set_property("width", &format!("{w}px"));
        let _ = style.set_property("height", &format!("{h}px"));
        // The lane buttons over the names take the gutter's width (static/timeline.css).
        if let Some(host) = canvas.parent_element().and_then(|p| p.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = host.style().set_property("--gutter", &format!("{}px", gutter(w)));
        }
    }
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, w, h);
    let Some(view) = m.view else { return 0 };
    let g = Geometry { width: w, view };
    ctx.set_font(FONT);
    ctx.set_text_baseline("middle");
    lanes_background(&ctx, g, m.data.as_deref(), h);
    if let Some(tl) = m.data.as_deref() {
        off_bands(&ctx, g, tl, h);
    }
    let labels = axis(&ctx, g, m.local, h);
    if let Some(tl) = m.data.as_deref() {
        let marks = m.marks();
        plot(&ctx, g, tl, &marks, dpr);
        focus_ring(&ctx, g, tl, &marks, m);
    }
    selection(&ctx, g, m, h);
    labels
}

/// Draws what the answer holds (density, event cells, spans, marks as merged) with `g`'s geometry.
pub fn plot(ctx: &CanvasRenderingContext2d, g: Geometry, tl: &Timeline, marks: &Marks, dpr: f64) {
    density(ctx, g, tl);
    cells(ctx, g, tl);
    spans(ctx, g, tl);
    draw_marks(ctx, g, tl, marks, dpr);
}

/// Shades the times CloudTrail logging was off, over every lane, from the stop to the start
/// again (or the plot's end), edged at the stop: a gap in the marks there is no quiet time. The
/// times another service that watches the account was off are shaded too, in their own colour
/// and edged dashed, under CloudTrail's.
fn off_bands(ctx: &CanvasRenderingContext2d, g: Geometry, tl: &Timeline, h: f64) {
    let (top, bottom) = (AXIS_H, h - PAD_B);
    let end = g.gutter() + g.plot_w();
    let dashed = js_sys::Array::of2(&4.0.into(), &3.0.into());
    for monitor in [true, false] {
        let (fill, edge) = if monitor { pal().monitor_off } else { pal().off };
        for off in tl.off.iter().filter(|o| o.monitor == monitor) {
            let x0 = g.x(off.from).max(g.gutter());
            let x1 = off.to.map_or(end, |t| g.x(t)).min(end);
            if x1 < g.gutter() || x0 > end {
                continue;
            }
            ctx.set_fill_style_str(fill);
            ctx.fill_rect(x0, top, (x1 - x0).max(2.0), bottom - top);
            if g.x(off.from) >= g.gutter() {
                ctx.set_stroke_style_str(edge);
                ctx.set_line_width(1.5);
                if monitor {
                    let _ = ctx.set_line_dash(&dashed);
                }
                ctx.begin_path();
                ctx.move_to(x0, top);
                ctx.line_to(x0, bottom);
                ctx.stroke();
                let _ = ctx.set_line_dash(&js_sys::Array::new());
            }
        }
    }
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into::<CanvasRenderingContext2d>().ok()
}

fn lanes_background(ctx: &CanvasRenderingContext2d, g: Geometry, tl: Option<&Timeline>, h: f64) {
    ctx.set_fill_style_str(pal().ground);
    ctx.fill_rect(g.gutter(), AXIS_H, g.plot_w(), DENSITY_H);
    let Some(tl) = tl else { return };
    // A principal's lane is named by its ARN without the account and type before the name.
    let labels: Vec<&str> = tl.lanes.iter().map(|lane| lane.label.as_str()).collect();
    let names = crate::text::short_names(&labels);
    for (i, (lane, name)) in tl.lanes.iter().zip(names).enumerate() {
        let y = Geometry::lane_y(i);
        ctx.set_fill_style_str(if i % 2 == 0 { pal().lane } else { pal().ground });
        ctx.fill_rect(0.0, y, g.width, LANE_H);
        let special = matches!(lane.kind, LaneKind::Ecs | LaneKind::Builder | LaneKind::Uses);
        ctx.set_fill_style_str(if special { pal().special } else { pal().label });
        // A repository or principal name from the log: the canvas obeys bidi controls too.
        let room = g.gutter() - 16.0;
        let mid = y + LANE_H / 2.0;
        let fits = |s: &str| ctx.measure_text(s).map_or(0.0, |m| m.width()) <= room;
        match lane.two_lines(name, fits) {
            // A repository another lane's has the name of: where it is goes under the name, so
            // that cutting a long one to the gutter's room keeps both.
            Some((name, place)) => {
                let _ = ctx.fill_text(&fitted_label(ctx, &crate::text::reveal(name), room, false), 8.0, mid - 6.0);
                ctx.set_font(PLACE_FONT);
                let place = fitted_label(ctx, &crate::text::reveal(place), room, true);
                let _ = ctx.fill_text(&place, 8.0, mid + 7.0);
                ctx.set_font(FONT);
            }
            None => {
                let _ = ctx.fill_text(&fitted_label(ctx, &crate::text::reveal(name), room, false), 8.0, mid);
            }
        }
    }
    ctx.set_stroke_style_str(pal().gutter);
    ctx.set_line_width(1.0);
    ctx.begin_path();
    ctx.move_to(g.gutter() - 0.5, AXIS_H);
    ctx.line_to(g.gutter() - 0.5, h - PAD_B);
    ctx.stroke();
}

/// A lane label cut to `max` px (the gutter's room), remembered for that room and font (`small`:
/// [`PLACE_FONT`]): measuring text every frame would cost more than drawing.
fn fitted_label(ctx: &CanvasRenderingContext2d, s: &str, max: f64, small: bool) -> String {
    type Fitted = std::collections::HashMap<(u64, bool, String), String>;
    thread_local! {
        static FITTED: std::cell::RefCell<Fitted> = std::cell::RefCell::default();
    }
    FITTED.with(|f| {
        let mut f = f.borrow_mut();
        if f.len() > 4096 {
            f.clear();
        }
        f.entry((max.round().to_bits(), small, s.to_owned())).or_insert_with(|| fit(ctx, s, max.round())).clone()
    })
}

/// `s` cut with an ellipsis to fit `max` px (see [`crate::text::fit_text`]).
fn fit(ctx: &CanvasRenderingContext2d, s: &str, max: f64) -> String {
    crate::text::fit_text(s, max, |s| ctx.measure_text(s).map_or(0.0, |m| m.width()))
}

/// The axis's ticks in view (x, major) with their labels, `None` where a label is left out: ticks
/// are at least 90 px apart, 48 on a plot narrower than 400 px (where 90 left a phone's eight-year
/// view one year labelled), and a label that would run into the one before it or past the right edge
/// is left out (its line still shows). Label widths are estimated (7 px a character, above what
/// the 12 px font takes).
fn axis_ticks(g: Geometry, local: bool) -> Vec<(f64, bool, Option<String>)> {
    let (from, to) = (g.view.from.floor() as Millis, g.view.to.ceil() as Millis);
    let min_px = if g.plot_w() < 400.0 { 48.0 } else { 90.0 };
    let mut free_from = g.gutter();
    let mut out = Vec::new();
    for t in ticks(from, to, g.plot_w(), min_px, |t| super::offset_at(local, t)) {
        let x = g.x(t.at).round() + 0.5;
        if x < g.gutter() || x > g.width - PAD_R {
            continue;
        }
        let end = x + 3.0 + 7.0 * t.label.chars().count() as f64;
        let label = (x + 3.0 >= free_from && end <= g.width).then(|| {
            free_from = end + 6.0;
            t.label
        });
        out.push((x, t.major, label));
    }
    out
}

/// Draws the axis; returns how many labels it shows.
fn axis(ctx: &CanvasRenderingContext2d, g: Geometry, local: bool, h: f64) -> usize {
    ctx.set_line_width(1.0);
    let mut labels = 0;
    for (x, major, label) in axis_ticks(g, local) {
        ctx.set_stroke_style_str(if major { pal().grid.0 } else { pal().grid.1 });
        ctx.begin_path();
        ctx.move_to(x, AXIS_H - 6.0);
        ctx.line_to(x, h - PAD_B);
        ctx.stroke();
        if let Some(label) = label {
            ctx.set_fill_style_str(if major { pal().tick.0 } else { pal().tick.1 });
            let _ = ctx.fill_text(&label, x + 3.0, AXIS_H / 2.0);
            labels += 1;
        }
    }
    labels
}

fn density(ctx: &CanvasRenderingContext2d, g: Geometry, tl: &Timeline) {
    let max = tl.density.iter().copied().max().unwrap_or(0);
    if max == 0 {
        return;
    }
    let scale = (DENSITY_H - 6.0) / (f64::from(max) + 1.0).ln();
    let base = AXIS_H + DENSITY_H - 2.0;
    ctx.set_fill_style_str(pal().density);
    let (first, last) = visible_buckets(g, tl, 0.0);
    for (b, &n) in tl.density.iter().enumerate().take(last as usize + 1).skip(first as usize) {
        if n == 0 {
            continue;
        }
        let Some((x, w)) = clip(g, g.bucket_x(tl, b as u32)) else { continue };
        let bh = ((f64::from(n) + 1.0).ln() * scale).max(2.0);
        ctx.fill_rect(x, base - bh, w, bh);
    }
}

/// The first and last bucket of an answer that can show in the plot, with `margin_px` either side
/// (answers cover three screens: most of their cells are off screen and skipped before any maths).
fn visible_buckets(g: Geometry, tl: &Timeline, margin_px: f64) -> (u32, u32) {
    let Some(r) = tl.range else { return (0, 0) };
    if tl.buckets == 0 {
        return (1, 0);
    }
    let margin = margin_px / g.plot_w() * g.view.span();
    let at = |t: f64| {
        let t = (t.floor() as Millis).clamp(r.from, r.to - 1);
        crate::analysis::timeline::bucket_of(r, tl.buckets, t).unwrap_or(0)
    };
    // One bucket of slack either side for rounding.
    (at(g.view.from - margin).saturating_sub(1), (at(g.view.to + margin) + 1).min(tl.buckets - 1))
}

/// A bucket's x range cut to the plot: (left, width), or `None` when outside it.
fn clip(g: Geometry, (x0, x1): (f64, f64)) -> Option<(f64, f64)> {
    let (a, b) = (x0.max(g.gutter()), x1.min(g.width - PAD_R));
    (b > a - 1.0 && x1 >= g.gutter() && x0 <= g.width - PAD_R).then(|| (a, (b - a).max(1.0)))
}

/// Event cells as a heat map: darker for more events (on a log scale), a red foot for errors.
/// Neighbouring cells of one lane in the same shade are filled as one rectangle (zoomed out, most
/// of a busy lane is a few runs of equal shades), as are neighbouring feet.
fn cells(ctx: &CanvasRenderingContext2d, g: Geometry, tl: &Timeline) {
    let max = tl.cells.iter().filter(|c| c.mark == Mark::Events).map(|c| c.count).max().unwrap_or(1);
    let scale = (f64::from(max) + 1.0).ln();
    // Eight shades, each set once per frame: changing the fill style per cell costs more than the fill.
    let shade = |c: &Cell| ((f64::from(c.count) + 1.0).ln() / scale * 7.0).round().clamp(0.0, 7.0) as usize;
    let (first, last) = visible_buckets(g, tl, 0.0);
    // Runs as (left, right, lane, last bucket): a lane's next bucket extends its run.
    let mut by_shade: [Vec<Run>; 8] = Default::default();
    let mut errors: Vec<Run> = Vec::new();
    let extend = |runs: &mut Vec<Run>, (a, b, lane, bucket): Run| match runs.last_mut() {
        Some(run) if run.2 == lane && run.3 + 1 == bucket => (run.1, run.3) = (b, bucket),
        _ => runs.push((a, b, lane, bucket)),
    };
    let (left, right) = (g.gutter(), g.width - PAD_R);
    for c in tl.cells.iter().filter(|c| c.mark == Mark::Events && (first..=last).contains(&c.bucket)) {
        let (x0, x1) = g.bucket_x(tl, c.bucket);
        if x1 < left || x0 > right {
            continue;
        }
        let run = (x0.max(left), x1.min(right), c.lane, c.bucket);
        extend(&mut by_shade[shade(c)], run);
        if c.errors > 0 {
            extend(&mut errors, run);
        }
    }
    for (fill, runs) in shades().iter().zip(&by_shade) {
        if runs.is_empty() {
            continue;
        }
        ctx.set_fill_style_str(fill);
        for &(a, b, lane, _) in runs {
            ctx.fill_rect(a, Geometry::lane_y(lane as usize) + 6.0, (b - a).max(1.5), LANE_H - 12.0);
        }
    }
    ctx.set_fill_style_str(pal().error);
    for (a, b, lane, _) in errors {
        ctx.fill_rect(a, Geometry::lane_y(lane as usize) + LANE_H - 6.0, (b - a).max(3.0), 3.0);
    }
}

/// Neighbouring event cells filled as one: left and right x, lane, last bucket.
type Run = (f64, f64, u16, u32);

fn spans(ctx: &CanvasRenderingContext2d, g: Geometry, tl: &Timeline) {
    for s in &tl.spans {
        let (x0, x1) = (g.x(s.start).max(g.gutter()), g.x(s.end).min(g.width - PAD_R));
        if x1 - x0 < 2.0 {
            continue;
        }
        let y = Geometry::lane_y(s.lane as usize) + LANE_H / 2.0;
        ctx.set_fill_style_str(if s.error { pal().error } else { colour(s.mark) });
        ctx.set_global_alpha(0.55);
        ctx.fill_rect(x0, y - 2.0, x1 - x0, 4.0);
        ctx.set_global_alpha(1.0);
    }
}

/// Drawn mark `i`'s centre and radius: in the middle of its buckets, larger for more (on a log
/// scale). Pushes sit a little left of the middle and pulls a little right, so the two stay apart
/// where buckets hold both.
pub fn mark_at(g: Geometry, marks: &Marks, i: usize) -> Option<(f64, f64, f64)> {
    let (m, &t) = (marks.list.get(i)?, marks.at.get(i)?);
    Some(place(g, m, t))
}

fn place(g: Geometry, m: &Drawn, t: f64) -> (f64, f64, f64) {
    let r = 4.5 + (f64::from(m.count)).ln().min(4.0);
    let nudge = match m.mark {
        Mark::Push => -r * 0.8,
        Mark::Pull => r * 0.8,
        _ => 0.0,
    };
    (g.gutter() + g.view.x_of(t, g.plot_w()) + nudge, Geometry::lane_y(m.lane as usize) + LANE_H / 2.0, r)
}

/// Where a hit is drawn: its centre and half its size.
pub fn hit_at(g: Geometry, tl: &Timeline, marks: &Marks, h: Hit) -> Option<(f64, f64, f64)> {
    match h {
        Hit::Cell(i) => {
            let c = tl.cells.get(i)?;
            let (x0, x1) = g.bucket_x(tl, c.bucket);
            Some((f64::midpoint(x0, x1), Geometry::lane_y(c.lane as usize) + LANE_H / 2.0, ((x1 - x0) / 2.0).max(6.0)))
        }
        Hit::Mark(i) => mark_at(g, marks, i),
        Hit::Span(_) | Hit::Density(_) => None,
    }
}

fn draw_marks(ctx: &CanvasRenderingContext2d, g: Geometry, tl: &Timeline, marks: &Marks, dpr: f64) {
    // Marks reach up to 12 px past their middle, which is within their group.
    let (first, last) = visible_buckets(g, tl, 16.0);
    let k = marks.stride.max(1);
    let (first, last) = (first / k, last / k);
    // Stamped from sprites drawn once per shape, size and state, in device pixels at whole-pixel
    // positions and the sprite's own size: each mark is then a plain copy, not a path, two style
    // changes, a fill and a stroke, nor a resampled image.
    let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    for (m, &t) in marks.list.iter().zip(marks.at.iter()).filter(|(m, _)| (first..=last).contains(&m.group)) {
        let (x, y, r) = place(g, m, t);
        if x < g.gutter() - r || x > g.width - PAD_R + r {
            continue;
        }
        let stamped = super::sprites::with(m.mark, Failed::of(m.count, m.errors), r, dpr, |sprite, half| {
            let half = (half * dpr).round();
            let (x, y) = ((x * dpr).round() - half, (y * dpr).round() - half);
            let _ = ctx.draw_image_with_html_canvas_element(sprite, x, y);
        });
        if stamped.is_none() {
            let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
            path(ctx, m.mark, x, y, r);
            paint(ctx, m.mark, Failed::of(m.count, m.errors));
            let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        }
    }
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
}

/// A dashed box around the focused cell or mark.
fn focus_ring(ctx: &CanvasRenderingContext2d, g: Geometry, tl: &Timeline, marks: &Marks, m: &Model) {
    if let Some((x, y, r)) = m.focused().and_then(|h| hit_at(g, tl, marks, h)) {
        ctx.set_stroke_style_str(pal().focus);
        ctx.set_line_width(2.0);
        let _ = ctx.set_line_dash(&js_sys::Array::of2(&3.0.into(), &2.0.into()));
        ctx.stroke_rect(x - r - 4.0, y - r - 4.0, 2.0 * r + 8.0, 2.0 * r + 8.0);
        let _ = ctx.set_line_dash(&js_sys::Array::new());
    }
}

/// How many of a drawn mark's calls failed, as it is painted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failed {
    /// None: in its colour with a white edge.
    None,
    /// Some, not all: in its colour inside a red outline.
    Some,
    /// Every one: hollow inside a red outline.
    All,
}

impl Failed {
    /// Of `errors` failures among `count` calls. A mark merging a hundred pulls, one of them
    /// refused, had been drawn hollow as if all were: zoomed out over the generator's logs a third of
    /// the marks read as failed where 4% of the pushes and pulls were.
    pub fn of(count: u32, errors: u32) -> Failed {
        match errors {
            0 => Failed::None,
            e if e < count => Failed::Some,
            _ => Failed::All,
        }
    }
}

/// Fills and outlines the current path as a mark (shape and fill tell failure, not only the colour).
pub fn paint(ctx: &CanvasRenderingContext2d, mark: Mark, failed: Failed) {
    ctx.set_fill_style_str(if failed == Failed::All { pal().edge } else { colour(mark) });
    match failed {
        Failed::None => {
            ctx.fill();
            ctx.set_stroke_style_str(pal().edge);
            ctx.set_line_width(1.0);
            ctx.stroke();
        }
        // The red outline around the colour, not over its edge: stroked first, then filled over
        // (half the line is left, outside). Over it, a mark of two or three pulls (the smallest
        // drawn) had kept a core of its colour little more than a pixel wide, reading as red.
        Failed::Some => {
            ctx.set_stroke_style_str(pal().error);
            ctx.set_line_width(4.0);
            ctx.stroke();
            ctx.fill();
        }
        Failed::All => {
            ctx.fill();
            ctx.set_stroke_style_str(pal().error);
            ctx.set_line_width(2.5);
            ctx.stroke();
        }
    }
}

/// The outline of a mark's shape.
pub fn path(ctx: &CanvasRenderingContext2d, mark: Mark, x: f64, y: f64, r: f64) {
    ctx.begin_path();
    match mark {
        Mark::Push => {
            ctx.move_to(x, y - r);
            ctx.line_to(x + r, y + r * 0.8);
            ctx.line_to(x - r, y + r * 0.8);
        }
        Mark::Pull => {
            ctx.move_to(x, y + r);
            ctx.line_to(x + r, y - r * 0.8);
            ctx.line_to(x - r, y - r * 0.8);
        }
        Mark::Expiry => {
            // A plus sign turned 45°: an ✕ that can be filled and outlined like the other marks.
            let (a, w) = (r * 1.15, r * 0.36);
            let plus = [
                (w, -a),
                (w, -w),
                (a, -w),
                (a, w),
                (w, w),
                (w, a),
                (-w, a),
                (-w, w),
                (-a, w),
                (-a, -w),
                (-w, -w),
                (-w, -a),
            ];
            for (px, py) in plus {
                let s = std::f64::consts::FRAC_1_SQRT_2;
                ctx.line_to(x + (px - py) * s, y + (px + py) * s);
            }
        }
        Mark::Deploy | Mark::Events => ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7),
        Mark::Build => {
            ctx.move_to(x, y - r);
            ctx.line_to(x + r, y);
            ctx.line_to(x, y + r);
            ctx.line_to(x - r, y);
        }
        Mark::Use => {
            let _ = ctx.arc(x, y, r * 0.9, 0.0, std::f64::consts::TAU);
        }
    }
    ctx.close_path();
}

fn selection(ctx: &CanvasRenderingContext2d, g: Geometry, m: &Model, h: f64) {
    let top = AXIS_H;
    let dim = |x0: f64, x1: f64| {
        let (a, b) = (x0.max(g.gutter()), x1.min(g.width - PAD_R));
        if b > a {
            ctx.fill_rect(a, top, b - a, h - top - PAD_B);
        }
    };
    if let Some(sel) = m.selection {
        let (a, b) = (g.x(sel.from), g.x(sel.to));
        ctx.set_fill_style_str(pal().dim);
        dim(g.gutter(), a);
        dim(b, g.width);
        ctx.set_stroke_style_str(pal().range);
        ctx.set_line_width(1.5);
        for x in [a, b] {
            if (g.gutter()..=g.width - PAD_R).contains(&x) {
                ctx.begin_path();
                ctx.move_to(x, top);
                ctx.line_to(x, h - PAD_B);
                ctx.stroke();
            }
        }
    }
    if let Some(Drag::Brush { start, now, .. }) = m.drag {
        let (a, b) = (g.x(start.min(now) as Millis), g.x(start.max(now) as Millis));
        ctx.set_fill_style_str("rgba(20,184,166,0.18)");
        ctx.fill_rect(a.max(g.gutter()), top, (b.min(g.width - PAD_R) - a.max(g.gutter())).max(1.0), h - top - PAD_B);
        ctx.set_stroke_style_str(pal().range);
        ctx.set_line_width(1.0);
        ctx.stroke_rect(a.max(g.gutter()), top, (b.min(g.width - PAD_R) - a.max(g.gutter())).max(1.0), h - top - PAD_B);
    }
}
