//! A breakdown table: one row per value with its events, errors and first / last seen. Clicking a
//! row (or pressing Enter on it) adds it to the filter, so every view narrows to it; its "−" leaves
//! the value out instead.

use yew::prelude::*;

use crate::analysis::filter::{Field, Filter};
use crate::analysis::identity::{Origin, Stat};
use crate::model::Millis;
use crate::text::{reveal, thousands, tooltip, utc};
use crate::ui::images::common::WhoOrigin;
use crate::ui::more::{use_fold, More};
use crate::ui::Ctx;
use crate::viewstate::Action;

/// Rows shown before "show all".
pub const TOP: usize = 10;

/// Where the rows a panel does not list are found.
pub const NARROW: &str = "narrow the filter to list the others";

/// One row as shown.
#[derive(Clone, PartialEq)]
pub struct Line {
    /// Counts.
    pub stat: Stat,
    /// The main text.
    pub main: String,
    /// A muted second line.
    pub sub: String,
    /// A small tag before the main text: text and CSS class.
    pub badge: Option<(String, &'static str)>,
    /// The filter field a click adds.
    pub field: Field,
    /// The value a click adds.
    pub value: String,
    /// Who is behind a session's key (a temporary key's row), as a button under the second line.
    pub origin: Option<Origin>,
}

impl Line {
    /// A row whose text and filter value are its key.
    pub fn plain(stat: &Stat, field: Field) -> Line {
        Line {
            main: stat.key.clone(),
            value: stat.key.clone(),
            stat: stat.clone(),
            sub: String::new(),
            badge: None,
            field,
            origin: None,
        }
    }
}

/// Replaces the page's filter.
pub fn set_filter(ctx: &Ctx, f: Filter) {
    ctx.state.dispatch(Action::SetFilter(Box::new(f)));
}

/// A callback that adds `field = value` to the current filter.
pub fn pick(ctx: &Ctx, field: Field, value: String) -> Callback<MouseEvent> {
    pick_all(ctx, vec![(field, value)])
}

/// A callback that adds every `field = value` to the current filter (a call's service and name, a
/// lane's account and region).
pub fn pick_all(ctx: &Ctx, values: Vec<(Field, String)>) -> Callback<MouseEvent> {
    let ctx = ctx.clone();
    Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        set_filter(&ctx, ctx.state.0.filter.with_all(&values));
    })
}

/// The same on Enter, for keyboard users.
pub fn pick_key(ctx: &Ctx, field: Field, value: String) -> Callback<KeyboardEvent> {
    pick_all_key(ctx, vec![(field, value)])
}

/// [`pick_all`] on Enter.
pub fn pick_all_key(ctx: &Ctx, values: Vec<(Field, String)>) -> Callback<KeyboardEvent> {
    let ctx = ctx.clone();
    Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" {
            set_filter(&ctx, ctx.state.0.filter.with_all(&values));
        }
    })
}

/// A callback that leaves out the events each `field = value` keeps (see `Filter::excluding_all`),
/// for a row's "−" button or the timeline's "Other" lane: the click goes no further (a row itself
/// keeps its value).
pub fn leave_out(ctx: &Ctx, values: Vec<(Field, String)>) -> Callback<MouseEvent> {
    let ctx = ctx.clone();
    Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        set_filter(&ctx, ctx.state.0.filter.excluding_all(&values));
    })
}

/// Keeps a key press on a row's button from reaching the row (whose Enter picks the value).
fn own_keys() -> Callback<KeyboardEvent> {
    Callback::from(|e: KeyboardEvent| e.stop_propagation())
}

/// A row's last cell: a "−" button that leaves out `field = value` (see [`leave_out`]), faint until
/// the row is hovered or the button focused.
pub fn not_cell(ctx: &Ctx, field: Field, value: &str) -> Html {
    let (shown, what) = crate::ui::filterbar::value_text(field, value);
    html! {
        <td class="not">
            <button type="button" class="facet-not" aria-label={format!("Leave out {shown}")}
                title={format!("Leave out {what}")} onclick={leave_out(ctx, vec![(field, value.to_owned())])} onkeydown={own_keys()}>{"−"}</button>
        </td>
    }
}

/// `2026-03-01 00:04:12 UTC` → `2026-03-01 00:04:12`.
fn stamp(ms: Millis) -> String {
    utc(ms).trim_end_matches(" UTC").to_owned()
}

/// First and last seen, the last shortened to its time when on the same day.
pub fn seen(first: Millis, last: Millis) -> Html {
    let (a, b) = (stamp(first), stamp(last));
    if a == b {
        return html! { <span>{a}</span> };
    }
    let b = if a.get(..10) == b.get(..10) { b[11..].to_owned() } else { b };
    html! { <>{a}<br /><span class="muted">{"→ "}</span>{b}</> }
}

/// Events, errors, seen: the three count cells of a row.
pub fn count_cells(s: &Stat) -> Html {
    html! {
        <>
            <td class="num">{thousands(s.events)}</td>
            <td class={classes!("num", (s.errors > 0).then_some("bad"))}>
                { if s.errors > 0 { thousands(s.errors) } else { String::new() } }
            </td>
            <td class="seen">{seen(s.first, s.last)}</td>
        </>
    }
}

/// The header of a table with count cells after a first column named `what`.
pub fn head(what: &str) -> Html {
    html! {
        <thead><tr>
            <th class="who">{what.to_owned()}</th><th class="num">{"Events"}</th><th class="num">{"Errors"}</th>
            <th class="seen">{"First → last seen (UTC)"}</th><th class="not" aria-label="Leave out"></th>
        </tr></thead>
    }
}

/// The main cell: badge, main text (or `(none)`), muted second line. A principal's name keeps its
/// last part when cut (see [`crate::ui::principal_label`]).
pub fn who_cell(
    main: &str,
    sub: &str,
    badge: Option<&(String, &'static str)>,
    principal: bool,
    origin: Option<&Origin>,
) -> Html {
    html! {
        <td class="who">
            <div class="main" title={tooltip(main)}>
                if let Some((text, class)) = badge {
                    <span class={classes!("tag", *class)}>{text.clone()}</span>
                }
                if main.is_empty() {
                    <span class="muted">{"(none)"}</span>
                } else if principal {
                    {crate::ui::principal_label(main, "")}
                } else {
                    {reveal(main).into_owned()}
                }
            </div>
            if !sub.is_empty() {
                <div class="sub" title={tooltip(sub)}>{reveal(sub).into_owned()}</div>
            }
            if let Some(o) = origin {
                <WhoOrigin origin={o.who.clone()} via={o.via.clone()} started_by={o.started_by.clone()} />
            }
        </td>
    }
}

/// Props of [`StatTable`].
#[derive(Properties, PartialEq)]
pub struct TableProps {
    /// Heading.
    pub title: AttrValue,
    /// `data-testid`.
    pub testid: AttrValue,
    /// What the first column holds.
    pub what: AttrValue,
    /// Rows (already cut by the engine).
    pub lines: Vec<Line>,
    /// Rows before the engine's cut.
    pub total: u64,
    /// A line under the heading.
    #[prop_or_default]
    pub note: AttrValue,
    /// What to say when there are no rows.
    #[prop_or(AttrValue::Static("No events match the filters."))]
    pub empty: AttrValue,
}

/// A breakdown panel.
#[function_component(StatTable)]
pub fn stat_table(p: &TableProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let fold = use_fold(p.lines.len(), TOP);
    html! {
        <section class="panel idt" data-testid={p.testid.clone()}>
            <h2>{p.title.clone()}<span class="count">{thousands(p.total)}</span></h2>
            if !p.note.is_empty() {
                <p class="note">{p.note.clone()}</p>
            }
            if p.lines.is_empty() {
                <p class="muted">{p.empty.clone()}</p>
            } else {
                <table class="idt">
                    {head(&p.what)}
                    <tbody>
                    { for p.lines.iter().take(fold.shown()).map(|l| html! {
                        <tr class="pickable" tabindex="0" data-key={l.value.clone()}
                            title={tooltip(&format!("Show only {} {}", p.what.to_lowercase(), l.value))}
                            onclick={pick(&ctx, l.field, l.value.clone())} onkeydown={pick_key(&ctx, l.field, l.value.clone())}>
                            {who_cell(&l.main, &l.sub, l.badge.as_ref(), l.field == Field::Principal, l.origin.as_ref())}
                            {count_cells(&l.stat)}
                            {not_cell(&ctx, l.field, &l.value)}
                        </tr>
                    }) }
                    </tbody>
                </table>
            }
            <div class="more">
                <More {fold} total={p.total} what={p.title.to_lowercase()} hint={NARROW} />
            </div>
        </section>
    }
}
