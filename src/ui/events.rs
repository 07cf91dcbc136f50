//! The event table: virtualised (only the visible rows exist in the DOM; the engine sends one page at
//! a time), sortable by time, resizable columns, keyboard navigation, any number of rows.
//!
//! Chromium cannot lay out an element taller than about 16.7 million pixels, so past that the
//! scrollbar is scaled (see [`crate::layout`]). Heights and offsets are set through the CSSOM, never
//! `style` attributes, which the page's CSP forbids.

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};
use yew::prelude::*;

use super::query::{use_answer, Shown};
use super::Ctx;
use crate::analysis::events::{EventPage, EventView, Order};
use crate::engine::{Query, Response};
use crate::layout::{first_row, scroll_for, ROW_PX};
use crate::text::{arn_parts, reveal, thousands, tooltip, utc};
use crate::viewstate::Action;

/// Rows asked for around the visible ones, so small scrolls need no new page.
const OVERSCAN: u64 = 60;

/// Columns: label and default width (CSS grid track).
const COLUMNS: [(&str, &str); 8] = [
    ("Time (UTC)", "11.5rem"),
    ("Event", "minmax(12rem, 1.2fr)"),
    ("Principal", "minmax(12rem, 1.4fr)"),
    ("Source IP", "9rem"),
    ("Region", "7.5rem"),
    ("Account", "8.5rem"),
    ("Error", "minmax(7rem, .8fr)"),
    ("User agent", "minmax(10rem, 1fr)"),
];

/// The least width the columns take (a `minmax`'s first value, else the column's width), as CSS: in a
/// window narrower than that the table scrolls sideways rather than hide its last columns.
fn least_width(widths: &[String]) -> String {
    let least = widths.iter().map(|w| w.strip_prefix("minmax(").and_then(|m| m.split(',').next()).unwrap_or(w).trim());
    format!("calc({})", least.collect::<Vec<_>>().join(" + "))
}

fn set_style(node: &NodeRef, property: &str, value: &str) {
    if let Some(el) = node.cast::<HtmlElement>() {
        let _ = el.style().set_property(property, value);
    }
}

/// The events view.
#[function_component(EventsView)]
pub fn events_view() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let filter = ctx.state.0.filter.clone();
    let selected_row = ctx.state.0.selected;
    let order = use_state(|| Order::Oldest);
    let scroll_top = use_state(|| 0.0f64);
    let viewport = use_state(|| 600.0f64);
    let cursor = use_state(|| None::<u64>);
    let widths = use_state(|| COLUMNS.iter().map(|(_, w)| (*w).to_owned()).collect::<Vec<_>>());
    let scroller = use_node_ref();
    let spacer = use_node_ref();
    let window_rows = use_node_ref();
    let table = use_node_ref();

    // A new filter or order starts at the top.
    {
        let (scroll_top, cursor, scroller) = (scroll_top.clone(), cursor.clone(), scroller.clone());
        use_effect_with((filter.clone(), *order), move |_| {
            scroll_top.set(0.0);
            cursor.set(None);
            if let Some(el) = scroller.cast::<HtmlElement>() {
                el.set_scroll_top(0);
            }
        });
    }
    // The viewport's height, now and on resize.
    {
        let (viewport, scroller) = (viewport.clone(), scroller.clone());
        use_effect_with((), move |()| {
            let measure = {
                let (viewport, scroller) = (viewport.clone(), scroller.clone());
                move || {
                    if let Some(el) = scroller.cast::<HtmlElement>() {
                        viewport.set(f64::from(el.client_height().max(1)));
                    }
                }
            };
            measure();
            super::on_window("resize", measure)
        });
    }

    // Which rows to ask for: a page aligned to OVERSCAN so small scrolls reuse it.
    // None until the first page: the count then says it is counting, not "0".
    let total_known = use_state(|| None::<u64>);
    let (first, sub) = first_row(*scroll_top, *viewport, total_known.unwrap_or(0));
    let visible = (*viewport / ROW_PX).ceil() as u64 + 1;
    let page_start = first.saturating_sub(OVERSCAN / 2) / OVERSCAN * OVERSCAN;
    let limit = (visible + 2 * OVERSCAN) as u32;
    let answered =
        use_answer(Some(Query::Events { filter: Box::new(filter.clone()), order: *order, offset: page_start, limit }));
    // The rows shown are another filter's (or order's) while this one's are on its way: dimmed. A
    // page further down the same list is not.
    let shown = Shown::of(match &answered.answered {
        Some(Query::Events { filter: f, order: o, .. }) => **f != filter || o != &*order,
        _ => false,
    });
    let page: Option<EventPage> = match answered.response.as_deref() {
        Some(Response::Events(p)) => Some((**p).clone()),
        _ => None,
    };
    {
        let total_known = total_known.clone();
        let total = page.as_ref().map(|p| p.total);
        use_effect_with(total, move |t| {
            if t.is_some() {
                total_known.set(*t);
            }
        });
    }
    let known = page.as_ref().map(|p| p.total).or(*total_known);
    let total = known.unwrap_or(0);

    // Geometry through the CSSOM.
    {
        let (spacer, window_rows, table, widths) = (spacer.clone(), window_rows.clone(), table.clone(), widths.clone());
        let height = crate::layout::spacer_height(total);
        let vp = *viewport;
        use_effect_with((height.to_bits(), sub.to_bits(), vp.to_bits(), (*widths).clone()), move |_| {
            set_style(&spacer, "height", &format!("{height}px"));
            set_style(&window_rows, "height", &format!("{vp}px"));
            set_style(&window_rows, "--shift", &format!("{}px", -sub));
            set_style(&table, "--cols", &widths.join(" "));
            set_style(&table, "--least", &least_width(&widths));
        });
    }

    let on_scroll = {
        let (scroll_top, table) = (scroll_top.clone(), table.clone());
        Callback::from(move |e: Event| {
            let el: HtmlElement = e.target_unchecked_into();
            // The header row is outside the scroller: it follows the rows sideways.
            set_style(&table, "--scroll-x", &format!("{}px", el.scroll_left()));
            let top = f64::from(el.scroll_top());
            if top.to_bits() != scroll_top.to_bits() {
                scroll_top.set(top);
            }
        })
    };
    let open = {
        let state = ctx.state.clone();
        Callback::from(move |row: u32| state.dispatch(Action::Select(Some(row))))
    };
    let row_at = {
        let page = page.clone();
        move |i: u64| -> Option<EventView> {
            let p = page.as_ref()?;
            p.rows.get(usize::try_from(i.checked_sub(p.offset)?).ok()?).cloned()
        }
    };
    let on_key = {
        let (cursor, scroller, scroll_top, open, row_at) =
            (cursor.clone(), scroller.clone(), scroll_top.clone(), open.clone(), row_at.clone());
        let (vp, first) = (*viewport, first);
        Callback::from(move |e: KeyboardEvent| {
            if total == 0 {
                return;
            }
            let page_rows = ((vp / ROW_PX).floor() as u64).max(1);
            let at = cursor.unwrap_or(first);
            let next = match e.key().as_str() {
                "ArrowDown" => (at + u64::from(cursor.is_some())).min(total - 1),
                "ArrowUp" => at.saturating_sub(1),
                "PageDown" => (at + page_rows).min(total - 1),
                "PageUp" => at.saturating_sub(page_rows),
                "Home" => 0,
                "End" => total - 1,
                "Enter" => {
                    if let Some(v) = row_at(at) {
                        open.emit(v.row);
                    }
                    e.prevent_default();
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            cursor.set(Some(next));
            // Keep the cursor in view.
            let (top_row, _) = first_row(*scroll_top, vp, total);
            let want = if next < top_row {
                Some(next)
            } else if next + 1 >= top_row + page_rows {
                Some((next + 1).saturating_sub(page_rows))
            } else {
                None
            };
            if let (Some(want), Some(el)) = (want, scroller.cast::<HtmlElement>()) {
                let y = scroll_for(want, vp, total);
                el.set_scroll_top(y.round() as i32);
                scroll_top.set(y.round());
            }
        })
    };
    let toggle_order = {
        let order = order.clone();
        Callback::from(move |_| order.set(if *order == Order::Oldest { Order::Newest } else { Order::Oldest }))
    };

    let rows: Html = (first..(first + visible).min(total))
        .map(|i| match row_at(i) {
            Some(v) => {
                let onclick = {
                    let (open, cursor, row) = (open.clone(), cursor.clone(), v.row);
                    Callback::from(move |_| {
                        cursor.set(Some(i));
                        open.emit(row);
                    })
                };
                let note = ctx.state.0.notes.get(&v.key);
                let class = classes!(
                    "ev-row",
                    note.is_some_and(|n| n.bookmarked).then_some("bookmarked"),
                    (*cursor == Some(i)).then_some("cursor"),
                    (selected_row == Some(v.row)).then_some("selected"),
                    (!v.error_code.is_empty()).then_some("failed"),
                    (i % 2 == 1).then_some("odd")
                );
                html! {
                    <div {class} role="row" aria-rowindex={(i + 2).to_string()} data-row={v.row.to_string()} {onclick}>
                        { cells(&v, note) }
                    </div>
                }
            }
            None => html! { <div class="ev-row loading" role="row" aria-rowindex={(i + 2).to_string()}><div class="cell muted">{"…"}</div></div> },
        })
        .collect();

    html! {
        <section class={classes!("panel", "events", shown.class)} data-testid="events"
            data-state={shown.state} aria-busy={shown.busy}>
            <div class="ev-head">
                <h2>{"Events"}<span class="count" data-testid="events-total">{known.map_or_else(|| "…".to_owned(), thousands)}</span></h2>
                <span class="muted ev-help">{"↑ ↓ to move, Enter to open, drag a column edge to resize"}</span>
            </div>
            <div class="ev-table" ref={table} role="grid" aria-rowcount={(total + 1).to_string()} aria-label="Events">
                <div class="ev-row ev-header" role="row" aria-rowindex="1">
                    { for COLUMNS.iter().enumerate().map(|(i, (label, _))| html! {
                        <HeaderCell index={i} label={*label} widths={widths.clone()}
                            order={(i == 0).then_some(*order)} on_sort={(i == 0).then(|| toggle_order.clone())} />
                    }) }
                </div>
                <div class="ev-scroller" ref={scroller} onscroll={on_scroll} tabindex="0" onkeydown={on_key}
                    data-testid="events-scroller" aria-label="Event rows">
                    <div class="ev-spacer" ref={spacer}>
                        <div class="ev-window" ref={window_rows}>
                            <div class="ev-shift">{rows}</div>
                        </div>
                    </div>
                </div>
                if total == 0 && page.is_some() {
                    <p class="empty-rows">{"No events match the filters."}</p>
                }
            </div>
            // Only the rows in view exist, so a print holds those: it says so rather than pass for the list.
            if total > visible {
                <p class="print-only" data-testid="events-print-note">
                    {format!("This print shows only the events in view, from the {} of {}. Export saves them all, as JSON, JSON lines or CSV.",
                        crate::text::ordinal(first + 1), crate::text::thousands(total))}
                </p>
            }
        </section>
    }
}

fn cells(v: &EventView, note: Option<&crate::bundle::Note>) -> Html {
    let (who, account) = arn_parts(&v.principal);
    let svc = crate::text::short_source(&v.source).to_owned();
    html! {
        <>
            <div class="cell time" role="gridcell">
                { match note {
                    Some(n) if n.bookmarked => html! { <span class="mark" title="Bookmarked" aria-label="Bookmarked">{"★"}</span> },
                    Some(_) => html! { <span class="mark" title="Has a note" aria-label="Has a note">{"✎"}</span> },
                    None => html! {},
                } }
                {utc(v.time).trim_end_matches(" UTC").to_owned()}
            </div>
            <div class="cell" role="gridcell" title={tooltip(&format!("{} {}", v.source, v.name))}><span class="svc">{reveal(&svc).into_owned()}</span>{" "}{reveal(&v.name).into_owned()}</div>
            <div class="cell" role="gridcell" title={tooltip(&v.principal)}>{super::principal_label(who, account)}</div>
            <div class="cell mono" role="gridcell" title={tooltip(&v.ip)}>{reveal(&v.ip).into_owned()}</div>
            <div class="cell" role="gridcell">{reveal(&v.region).into_owned()}</div>
            <div class="cell mono" role="gridcell">{reveal(&v.account).into_owned()}</div>
            <div class="cell err" role="gridcell" title={tooltip(&v.error_message)}>{reveal(&v.error_code).into_owned()}</div>
            <div class="cell" role="gridcell" title={tooltip(&v.user_agent)}>{reveal(&v.user_agent).into_owned()}</div>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct HeaderProps {
    index: usize,
    label: &'static str,
    widths: UseStateHandle<Vec<String>>,
    order: Option<Order>,
    on_sort: Option<Callback<MouseEvent>>,
}

/// A column header with a drag handle on its right edge.
#[function_component(HeaderCell)]
fn header_cell(p: &HeaderProps) -> Html {
    let cell = use_node_ref();
    let on_down = {
        let (widths, cell, index) = (p.widths.clone(), cell.clone(), p.index);
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            e.stop_propagation();
            let Some(el) = cell.cast::<HtmlElement>() else { return };
            let start_x = f64::from(e.client_x());
            let start_w = el.get_bounding_client_rect().width();
            let widths = widths.clone();
            let moved = wasm_bindgen::closure::Closure::<dyn FnMut(MouseEvent)>::new(move |m: MouseEvent| {
                let w = (start_w + f64::from(m.client_x()) - start_x).max(48.0);
                let mut next = (*widths).clone();
                next[index] = format!("{w:.0}px");
                widths.set(next);
            });
            let Some(win) = web_sys::window() else { return };
            let _ = win.add_event_listener_with_callback("mousemove", moved.as_ref().unchecked_ref());
            let up = wasm_bindgen::closure::Closure::once(move |_: MouseEvent| {
                if let Some(win) = web_sys::window() {
                    let _ = win.remove_event_listener_with_callback("mousemove", moved.as_ref().unchecked_ref());
                }
            });
            let opts = web_sys::AddEventListenerOptions::new();
            opts.set_once(true);
            let _ = win.add_event_listener_with_callback_and_add_event_listener_options(
                "mouseup",
                up.as_ref().unchecked_ref(),
                &opts,
            );
            up.forget();
        })
    };
    let label = match p.order {
        Some(Order::Oldest) => format!("{} ↑", p.label),
        Some(Order::Newest) => format!("{} ↓", p.label),
        None => p.label.to_owned(),
    };
    let sort = p.on_sort.clone();
    html! {
        <div class="cell head" role="columnheader" ref={cell}
            aria-sort={match p.order { Some(Order::Oldest) => "ascending", Some(Order::Newest) => "descending", None => "none" }}>
            if let Some(on_sort) = sort {
                <button type="button" class="sort" onclick={on_sort} data-testid="sort-time"
                    title="Oldest or newest first">{label}</button>
            } else {
                <span>{label}</span>
            }
            <span class="resize" aria-hidden="true" onmousedown={on_down}></span>
        </div>
    }
}
