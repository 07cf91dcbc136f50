//! Words for what the timeline draws: the tooltip's lines and the table equivalent of the canvas.

use std::rc::Rc;

use yew::prelude::*;

use super::draw::Hit;
use super::model::Marks;
use super::shown;
use crate::analysis::timeline::drawn::Drawn;
use crate::analysis::timeline::{bucket_start, Cell, Mark, Range, Timeline};
use crate::text::{plural, thousands};

/// Rows of the table at most (the canvas can hold more cells than anyone reads as rows).
const MAX_ROWS: usize = 500;

/// A mark's stable name (CSS classes).
pub fn slug(m: Mark) -> &'static str {
    match m {
        Mark::Events => "events",
        Mark::Push => "push",
        Mark::Pull => "pull",
        Mark::Expiry => "expiry",
        Mark::Deploy => "deploy",
        Mark::Build => "build",
        Mark::Use => "use",
    }
}

/// A mark's name in the legend.
pub fn name(m: Mark) -> &'static str {
    match m {
        Mark::Events => "Events",
        Mark::Push => "Push",
        Mark::Pull => "Pull",
        Mark::Expiry => "Lifecycle expiry",
        Mark::Deploy => "ECS",
        Mark::Build => "Image Builder",
        Mark::Use => "Image use (another service)",
    }
}

fn bucket_range(d: &Timeline, b: u32) -> (i64, i64) {
    let r = d.range.unwrap_or(Range { from: 0, to: 1 });
    (bucket_start(r, d.buckets, b), bucket_start(r, d.buckets, b + 1))
}

/// The time from the start of bucket `first` to the end of bucket `last`.
fn when(d: &Timeline, first: u32, last: u32, local: bool) -> String {
    let (t0, t1) = (bucket_range(d, first).0, bucket_range(d, last).1);
    let (a, b) = (shown(t0, local), shown(t1, local));
    // The end's date and zone are the start's as a rule: then only its time is repeated (not on the
    // day local time changes its offset between the two).
    let (mut pa, mut pb) = (a.split(' '), b.split(' '));
    let (day_a, _, zone_a) = (pa.next(), pa.next(), pa.next());
    let (day_b, time_b, zone_b) = (pb.next(), pb.next(), pb.next());
    match time_b {
        Some(time) if day_a == day_b && zone_a == zone_b => format!("{a} → {time}"),
        _ => format!("{a} → {b}"),
    }
}

fn who(d: &Timeline, c: &Drawn) -> String {
    match c.who {
        Some(i) => d.people.get(i as usize).cloned().unwrap_or_default(),
        None => "several identities".into(),
    }
}

fn what(d: &Timeline, c: &Drawn) -> String {
    let lane = d.lanes.get(c.lane as usize).map_or("", |l| l.label.as_str());
    let failed = if c.errors > 0 { format!(" ({} failed)", thousands(u64::from(c.errors))) } else { String::new() };
    format!("{}{failed} · {lane}", c.mark.label(u64::from(c.count)))
}

/// A cell as a row of what is drawn (one bucket).
fn single(c: &Cell) -> Drawn {
    Drawn::of(c, c.bucket)
}

/// The lines for a cell or a drawn mark.
fn lines(d: &Timeline, c: &Drawn, local: bool) -> Vec<String> {
    let open = match (c.mark, c.count) {
        (Mark::Events, 2..) => "Click to zoom in",
        (_, 2..) => "Click to open the first",
        _ => "Click to open",
    };
    vec![what(d, c), format!("Who: {}", who(d, c)), format!("When: {}", when(d, c.first, c.last, local)), open.into()]
}

/// The tooltip's lines for a hit: what, who, when, how many (for a drawn mark, of all it merges).
pub fn describe(d: &Timeline, marks: &Marks, h: Hit, local: bool) -> Vec<String> {
    match h {
        Hit::Cell(i) => d.cells.get(i).map_or_else(Vec::new, |c| lines(d, &single(c), local)),
        Hit::Mark(i) => marks.list.get(i).map_or_else(Vec::new, |m| lines(d, m, local)),
        Hit::Span(i) => {
            let s = &d.spans[i];
            let lane = d.lanes.get(s.lane as usize).map_or("", |l| l.label.as_str());
            let kind = if s.mark == Mark::Push { "Push session" } else { "Pull session" };
            let failed = if s.error { " (failed)" } else { "" };
            vec![
                format!("{kind}{failed} · {lane}"),
                format!("Who: {}", d.people.get(s.who as usize).map_or("", String::as_str)),
                format!("When: {} → {}", shown(s.start, local), shown(s.end, local)),
                format!(
                    "{} · {}",
                    plural(u64::from(s.events), "call", "calls"),
                    crate::text::duration(s.end - s.start)
                ),
                "Click to open".into(),
            ]
        }
        Hit::Density(b) => {
            let n = d.density.get(b as usize).copied().unwrap_or(0);
            vec![
                plural(u64::from(n), "event", "events"),
                format!("When: {}", when(d, b, b, local)),
                "Click to zoom in".into(),
            ]
        }
    }
}

/// Props of [`DrawnTable`].
#[derive(Properties, PartialEq)]
pub struct TableProps {
    /// The answer drawn.
    pub data: Option<Rc<Timeline>>,
    /// Times in this browser's zone, not UTC.
    pub local: bool,
    /// The visible range.
    pub view: Option<(f64, f64)>,
    /// Buckets per drawn mark (marks are listed merged as the canvas draws them).
    pub stride: u32,
}

/// The table equivalent of the canvas: every non-empty event cell and every drawn mark (merged as
/// drawn) in view, by time, then lane.
#[function_component(DrawnTable)]
pub fn drawn_table(p: &TableProps) -> Html {
    let ctx = use_context::<super::Ctx>().expect("Ctx is provided by App");
    let Some(d) = p.data.as_deref() else { return html! { <p class="muted">{"Nothing drawn yet."}</p> } };
    let (from, to) = p.view.unwrap_or((f64::MIN, f64::MAX));
    // Event cells overlapping the view, and the marks standing in it (as keyboard focus walks them).
    let events = d.cells.iter().filter(|c| c.mark == Mark::Events).map(single).filter(|c| {
        let (t0, t1) = bucket_range(d, c.first);
        (t1 as f64) > from && (t0 as f64) < to
    });
    let marks = Marks::new(d, p.stride);
    let standing = marks.list.iter().enumerate().filter(|&(i, _)| marks.in_view(i, from, to)).map(|(_, m)| m.clone());
    let mut rows: Vec<Drawn> = events.chain(standing).collect();
    rows.sort_by_key(|c| (c.first, c.lane, c.mark));
    let total = rows.len();
    rows.truncate(MAX_ROWS);
    html! {
        <>
            <table class="tl-cells" data-testid="timeline-table">
                <thead><tr><th>{"When"}</th><th>{"Lane"}</th><th>{"What"}</th><th class="num">{"How many"}</th><th class="num">{"Failed"}</th><th>{"Who"}</th></tr></thead>
                <tbody>
                    { for rows.iter().map(|c| {
                        let (state, row) = (ctx.state.clone(), c.row);
                        let open = Callback::from(move |_| state.dispatch(crate::viewstate::Action::Select(Some(row))));
                        html! {
                            <tr data-mark={slug(c.mark)}>
                                <td class="when">{when(d, c.first, c.last, p.local)}</td>
                                <td>{d.lanes.get(c.lane as usize).map_or("", |l| l.label.as_str())}</td>
                                <td><button type="button" class="linkish" onclick={open} title="Open the first event">{name(c.mark)}</button></td>
                                <td class="num">{thousands(u64::from(c.count))}</td>
                                <td class={classes!("num", (c.errors > 0).then_some("bad"))}>{thousands(u64::from(c.errors))}</td>
                                <td>{who(d, c)}</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            if total > MAX_ROWS {
                <p class="muted">{format!("First {MAX_ROWS} of {} rows; zoom in to see the rest.", thousands(total as u64))}</p>
            }
            if total == 0 {
                <p class="muted">{"Nothing in view."}</p>
            }
        </>
    }
}
