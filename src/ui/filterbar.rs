//! The filter bar: free-text search and one removable chip per filter value. Every view follows it.

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::query::use_answer;
use super::Ctx;
use crate::analysis::filter::{pair_text, Access, Chip, Errors, Field, Filter};
use crate::engine::{Query, Response, NONE_VALUE};
use crate::model::time::{parse_bound, show_bound, End};
use crate::text::{plural, reveal, thousands, tooltip};
use crate::viewstate::Action;

/// What a "(none)" value (a chip or the menu's) stands for.
const NONE_TITLE: &str = "Events that logged no value for this field";

/// How a value of `field` reads, and what it tells on hover: the empty value (events that logged
/// none) as [`NONE_VALUE`] and [`NONE_TITLE`], a pair as its two values and a repository by name, account
/// and region ([`pair_text`]; its ARN on hover), any other
/// as itself (revealed, and in full on hover). For the chips, the "+ Filter" menu and the breakdowns'
/// "−".
pub fn value_text(field: Field, value: &str) -> (String, String) {
    if value.is_empty() {
        return (String::from(NONE_VALUE), String::from(NONE_TITLE));
    }
    let shown = pair_text(field, value);
    // A repository reads by name, account and region; its ARN is on hover.
    let title = if field == Field::Repository { value } else { &shown };
    (reveal(&shown).into_owned(), tooltip(title))
}

/// What a chip of a shared link's value that no loaded log holds tells on hover.
const UNRESOLVED: &str = "A value from a shared link that none of the loaded logs holds (the link names it only by a \
digest), so it matches nothing yet. Drop the files the link was made from to see it, or remove it.";

/// Values listed per facet in the "Add filter" menu.
const FACET_VALUES: usize = 60;

/// The filter bar.
#[function_component(FilterBar)]
pub fn filter_bar() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let filter = ctx.state.0.filter.clone();
    let draft = use_state(|| filter.text.clone());
    {
        // The search box follows the filter when something else changes it (a removed chip, a link).
        let draft = draft.clone();
        use_effect_with(filter.text.clone(), move |text| draft.set(text.clone()));
    }
    {
        // A search of the whole events for a text no longer searched for (another, or none) is of
        // no use: stop it.
        let s = &ctx.state.0;
        let running = s.json_search.as_ref().is_some_and(|r| !r.done && !r.stopped);
        let running_other = running && s.json_search_of(&filter.text).is_none();
        let bridge = ctx.bridge.clone();
        use_effect_with(running_other, move |&other| {
            if other {
                bridge.search_json("");
            }
        });
    }
    let search = use_node_ref();
    {
        // "/" anywhere but in a text field goes to the search box, as on most sites with one.
        let search = search.clone();
        use_effect_with((), move |()| {
            let document = web_sys::window().and_then(|w| w.document());
            super::listen(document.map(Into::into), "keydown", move |e: web_sys::Event| {
                let Ok(e) = e.dyn_into::<KeyboardEvent>() else { return };
                if e.key() != "/" || e.ctrl_key() || e.meta_key() || e.alt_key() || e.default_prevented() {
                    return;
                }
                let typing = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()).is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.is_content_editable()
                });
                if let (false, Some(input)) = (typing, search.cast::<HtmlInputElement>()) {
                    e.prevent_default();
                    let _ = input.focus();
                    input.select();
                }
            })
        });
    }
    let on_input = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| draft.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_submit = {
        let (state, draft, filter) = (ctx.state.clone(), draft.clone(), filter.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            state.dispatch(Action::SetFilter(Box::new(filter.with(Field::Text, draft.trim()))));
        })
    };
    let chips = filter.chips();
    let clear = {
        let state = ctx.state.clone();
        Callback::from(move |_| state.dispatch(Action::SetFilter(Box::default())))
    };
    let set = |f: fn(&mut Filter)| {
        let (state, filter) = (ctx.state.clone(), filter.clone());
        Callback::from(move |_| {
            let mut next = filter.clone();
            f(&mut next);
            state.dispatch(Action::SetFilter(Box::new(next)));
        })
    };
    let errors_only = filter.errors == Errors::Only;
    let on_access = {
        let (state, filter) = (ctx.state.clone(), filter.clone());
        Callback::from(move |e: Event| {
            let mut next = filter.clone();
            next.access = match e.target_unchecked_into::<HtmlSelectElement>().value().as_str() {
                "read-only" => Access::ReadOnly,
                "write" => Access::Write,
                _ => Access::Any,
            };
            state.dispatch(Action::SetFilter(Box::new(next)));
        })
    };
    html! {
        <section class="filterbar" aria-label="Filters">
            <form class="search" role="search" onsubmit={on_submit}>
                <input type="search" data-testid="search" placeholder="Search names, ARNs, keys, IPs, user agents, errors, event IDs…"
                    aria-label="Search events" aria-keyshortcuts="/" title={format!("{SEARCH_SCOPE} Press / to come here.")} ref={search}
                    value={(*draft).clone()} oninput={on_input} />
            </form>
            <AddFilter />
            <TimeRange />
            <button type="button" class={classes!("button", "small", "toggle", errors_only.then_some("on"))} data-testid="errors-only"
                aria-pressed={errors_only.to_string()}
                onclick={if errors_only { set(|f| f.errors = Errors::Any) } else { set(|f| f.errors = Errors::Only) }}>
                {"Errors only"}
            </button>
            <select class="select small" aria-label="Read-only or write calls" data-testid="access" onchange={on_access}>
                <option value="any" selected={filter.access == Access::Any}>{"Reads and writes"}</option>
                <option value="read-only" selected={filter.access == Access::ReadOnly}>{"Read-only calls"}</option>
                <option value="write" selected={filter.access == Access::Write}>{"Write calls"}</option>
            </select>
            <ul class="chips" data-testid="filter-chips">
                { for shown_chips(chips).into_iter().map(|c| match c {
                    Shown::One(chip) => chip_item(&ctx, &filter, chip),
                    Shown::Many(field, values) => many_item(&ctx, &filter, field, &values),
                }) }
            </ul>
            if !filter.is_empty() {
                <button type="button" class="link" onclick={clear} data-testid="clear-filters">{"Clear all"}</button>
            }
            if !filter.text.trim().is_empty() {
                <SearchScope text={filter.text.clone()} />
            }
        </section>
    }
}

/// What the search looks at, said while a search is on: the engine keeps no raw JSON, so the other
/// request parameters and the `resources` list are not searched, and a search for an S3 bucket (26
/// of the sample's events name `ml-datasets`) finds nothing, which must not read as "not touched".
const SEARCH_SCOPE: &str = "The search looks at who made each call (names, ARNs, keys), from where and with which \
    client, the call, its error, region, account and event ID, and at ECR, ECS and Image Builder details \
    (repositories, tags, digests, task definitions, clusters, pipelines); not at other request parameters or \
    resources, such as S3 buckets or instance IDs.";

/// The search's scope while a search is on ([`SEARCH_SCOPE`]), and the search of the events' whole
/// JSON (see `analysis::json_search`): the button that starts it, how far it got, what it found.
#[function_component(SearchScope)]
fn search_scope(props: &SearchScopeProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let s = &ctx.state.0;
    let report = s.json_search_of(&props.text);
    let start = {
        let (bridge, text) = (ctx.bridge.clone(), props.text.trim().to_owned());
        Callback::from(move |_| bridge.search_json(&text))
    };
    let stop = {
        let bridge = ctx.bridge.clone();
        Callback::from(move |_| bridge.search_json(""))
    };
    let button = |label: &str| {
        html! {
            <button type="button" class="linklike" data-testid="search-json" onclick={start.clone()}
                title="Reads every event again from your files (nothing leaves the browser) and keeps those whose JSON contains the text, in every view">
                {label.to_owned()}
            </button>
        }
    };
    let quoted = format!("“{}”", reveal(props.text.trim()));
    let held = s.overview.as_ref().map_or(0, |o| o.status.events);
    let (state, body) = match report {
        Some(r) if r.done => {
            let found = plural(r.matched, "event's", "events'");
            let since = held.saturating_sub(r.total);
            let body = html! { <>
                {format!("The whole JSON of every event was searched too (request parameters, responses, resources): \
                    {found} JSON contains {quoted}, and every view keeps them with the events whose fields match. ")}
                if since > 0 {
                    {format!("{} loaded since were not searched. ", plural(since, "event", "events"))}
                    {button("Search them again")}
                }
                if !r.problems.is_empty() {
                    // File names are the user's: shown with bidi and invisible characters revealed.
                    <span class="search-problems">{format!(" Not read again: {}.", reveal(&r.problems.join("; ")))}</span>
                }
            </> };
            ("done", body)
        }
        Some(r) if !r.stopped => {
            let body = html! { <>
                {format!("Reading every event again to search its whole JSON for {quoted}: {} of {} events, {} found so far. ",
                    thousands(r.searched), thousands(r.total), thousands(r.matched))}
                <button type="button" class="linklike" data-testid="search-json-stop" onclick={stop}>{"Stop"}</button>
            </> };
            ("running", body)
        }
        Some(_) => (
            "stopped",
            html! { <>
                {format!("The search of the whole events was stopped. {SEARCH_SCOPE} ")}
                {button("Search the whole of every event too")}
            </> },
        ),
        None => (
            "fields",
            html! { <>
                {format!("{SEARCH_SCOPE} ")}
                {button("Search the whole of every event too")}
            </> },
        ),
    };
    html! {
        // Busy while running: a screen reader then says the outcome, not a count every 200 ms.
        <p class="search-scope" data-testid="search-scope" data-state={state} aria-live="polite" aria-busy={(state == "running").to_string()}>{body}</p>
    }
}

#[derive(Properties, PartialEq)]
struct SearchScopeProps {
    /// The search text.
    text: String,
}

/// More values of one field left out than this read as one chip ("not Principal · 12 values")
/// whose × puts them all back; the "+ Filter" menu lists each, struck through, to put back one.
const NOT_CHIPS_APART: usize = 3;

/// A chip as the bar shows it: one part of the filter, or many values of one field left out.
enum Shown {
    One(Chip),
    Many(Field, Vec<String>),
}

/// The chips as the bar shows them, in their order: a field's values left out gathered into one
/// [`Shown::Many`] where there are more than [`NOT_CHIPS_APART`] (three clicks on the timeline's
/// "Other" lane leave out 36 principals).
fn shown_chips(chips: Vec<Chip>) -> Vec<Shown> {
    let mut left_out: std::collections::HashMap<Field, usize> = std::collections::HashMap::new();
    for chip in chips.iter().filter(|c| c.not) {
        *left_out.entry(chip.field).or_default() += 1;
    }
    let mut out: Vec<Shown> = Vec::new();
    for chip in chips {
        if !chip.not || left_out[&chip.field] <= NOT_CHIPS_APART {
            out.push(Shown::One(chip));
            continue;
        }
        match out.iter_mut().find_map(|s| match s {
            Shown::Many(f, values) if *f == chip.field => Some(values),
            _ => None,
        }) {
            Some(values) => values.push(chip.value),
            None => out.push(Shown::Many(chip.field, vec![chip.value])),
        }
    }
    out
}

/// Whether a chip's value is a shared link's digest of a value none of the loaded logs holds.
fn unresolved(field: Field, value: &str) -> bool {
    crate::link::list_key(field).is_some_and(|(_, hashed)| hashed) && crate::link::is_digest(value)
}

/// One chip, with its ×.
fn chip_item(ctx: &Ctx, filter: &Filter, chip: Chip) -> Html {
    let remove = {
        let (state, filter, chip) = (ctx.state.clone(), filter.clone(), chip.clone());
        Callback::from(move |_| state.dispatch(Action::SetFilter(Box::new(filter.without(&chip)))))
    };
    // A link's digest of a value none of the logs holds: the digest means nothing to a person, so
    // the chip says what it is.
    let unresolved = unresolved(chip.field, &chip.value);
    let (value, title) = if unresolved {
        (String::from("not in the loaded logs"), String::from(UNRESOLVED))
    } else {
        // An empty value: the overview's "(none)" row, or the menu's.
        value_text(chip.field, &chip.value)
    };
    // A value left out reads "not Principal …".
    let field = if chip.not { format!("not {}", chip.field.label()) } else { chip.field.label().to_owned() };
    html! {
        <li class={classes!("chip", unresolved.then_some("unresolved"), chip.not.then_some("not"))} data-field={format!("{:?}", chip.field)}>
            <span class="chip-field">{field.clone()}</span>
            <span class="chip-value" {title}>{value.clone()}</span>
            <button type="button" class="chip-x" aria-label={format!("Remove {field} {value}")}
                onclick={remove}>{"×"}</button>
        </li>
    }
}

/// Values a gathered chip lists on hover.
const LISTED: usize = 20;

/// A value in the "+ Filter" menu: as [`value_text`] shows it, or a repository's name over where it
/// is (on one line, the menu's width had cut the region off: "data/report · 123456789012 · us-wes…").
fn fv_key(field: Field, value: &str, shown: String) -> Html {
    match crate::analysis::filter::repo_parts(value).filter(|_| field == Field::Repository) {
        Some((name, place)) => html! {
            <span class="fv-key">
                <span class="fv-name">{reveal(name).into_owned()}</span>
                <span class="fv-where">{reveal(&place).into_owned()}</span>
            </span>
        },
        None => html! { <span class="fv-key">{shown}</span> },
    }
}

/// Values of one field left out, as one chip: how many, the first [`LISTED`] on hover, and a × that
/// puts them all back.
fn many_item(ctx: &Ctx, filter: &Filter, field: Field, values: &[String]) -> Html {
    let put_back = {
        let (state, mut next) = (ctx.state.clone(), filter.clone());
        next.exclude.retain(|(x, _)| *x != field);
        Callback::from(move |_| state.dispatch(Action::SetFilter(Box::new(next.clone()))))
    };
    let mut list: Vec<String> = values
        .iter()
        .take(LISTED)
        .map(|v| {
            if unresolved(field, v) {
                String::from("(a value not in the loaded logs)")
            } else {
                value_text(field, v).0
            }
        })
        .collect();
    if values.len() > LISTED {
        list.push(format!("… and {} more", thousands((values.len() - LISTED) as u64)));
    }
    let label = format!("not {}", field.label());
    let count = format!("{} values", thousands(values.len() as u64));
    html! {
        <li class="chip not many" data-field={format!("{field:?}")} data-count={values.len().to_string()}>
            <span class="chip-field">{label.clone()}</span>
            <span class="chip-value" title={list.join("\n")}>{count.clone()}</span>
            <button type="button" class="chip-x" aria-label={format!("Remove {label} {count}: put them all back")}
                onclick={put_back}>{"×"}</button>
        </li>
    }
}

/// The facets of the "Add filter" menu, in its order (named as their chips are).
const FACETS: [Field; 16] = [
    Field::Source,
    Field::Name,
    Field::Repository,
    Field::Principal,
    Field::IdentityType,
    Field::Role,
    Field::IdentityCenterUser,
    Field::AccessKey,
    Field::KeyKind,
    Field::Mfa,
    Field::InvokedBy,
    Field::Ip,
    Field::UserAgent,
    Field::Client,
    Field::Account,
    Field::Region,
];

/// "Add filter": pick a facet, then a value (with its count under the current filters).
#[function_component(AddFilter)]
fn add_filter() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let open = use_state(|| false);
    let facet = use_state(|| Field::Source);
    let narrow = use_state(String::new);
    let filter = ctx.state.0.filter.clone();
    // Values are only needed while the menu is open; the engine narrows them (there can be more
    // than it sends, as IP addresses or access keys over millions of events).
    let asked = use_answer((*open).then(|| Query::Values {
        field: *facet,
        filter: Box::new(filter.clone()),
        narrow: (*narrow).clone(),
    }));
    let toggle = {
        let open = open.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            open.set(!*open);
        })
    };
    // The facet the values shown are of (another one's while a new tab's are on their way).
    let of = match &asked.answered {
        Some(Query::Values { field, .. }) => field.label(),
        _ => "",
    };
    let (shown_as, answer) = (asked.shown(), asked.response.clone());
    let (values, total) = match answer.as_deref() {
        Some(Response::Values(list, total)) => (list.as_slice(), *total),
        _ => (&[][..], 0),
    };
    let shown = &values[..values.len().min(FACET_VALUES)];
    html! {
        <div class="menu add-filter">
            <button type="button" class="button small" data-testid="add-filter" aria-expanded={open.to_string()} onclick={toggle}>{"+ Filter"}</button>
            if *open {
                <div class="menu-body facet-menu" role="dialog" aria-label="Add a filter">
                    <div class="facet-tabs" role="tablist">
                        { for FACETS.iter().map(|&field| {
                            let label = field.label();
                            let active = *facet == field;
                            let (facet, narrow) = (facet.clone(), narrow.clone());
                            let onclick = Callback::from(move |_| { facet.set(field); narrow.set(String::new()); });
                            html! {
                                <button type="button" role="tab" class={classes!("facet-tab", active.then_some("active"))}
                                    aria-selected={active.to_string()} data-facet={label} {onclick}>{label}</button>
                            }
                        }) }
                    </div>
                    <input type="search" class="facet-search" placeholder="Narrow the list…" aria-label="Narrow the values"
                        value={(*narrow).clone()}
                        oninput={ let narrow = narrow.clone(); Callback::from(move |e: InputEvent| narrow.set(e.target_unchecked_into::<HtmlInputElement>().value())) } />
                    <ul class={classes!("facet-values", shown_as.class)} data-testid="facet-values" data-facet={of}
                        data-state={shown_as.state} aria-busy={shown_as.busy}>
                        { for shown.iter().map(|c| {
                            let (picked, out) = (filter.has(*facet, &c.key), filter.excludes(*facet, &c.key));
                            let (state, filter, open, key, field) = (ctx.state.clone(), filter.clone(), open.clone(), c.key.clone(), *facet);
                            // A value picked already is taken out again; one left out is kept instead.
                            let onclick = {
                                let (state, filter, open, key) = (state.clone(), filter.clone(), open.clone(), key.clone());
                                Callback::from(move |_| {
                                    let f = if picked { filter.without(&Chip::of(field, key.clone())) } else { filter.with(field, &key) };
                                    state.dispatch(Action::SetFilter(Box::new(f)));
                                    open.set(false);
                                })
                            };
                            // The minus button leaves the value out, or puts it back.
                            let on_not = Callback::from(move |_| {
                                let back = Chip { field, value: key.clone(), not: true };
                                let f = if out { filter.without(&back) } else { filter.excluding(field, &key) };
                                state.dispatch(Action::SetFilter(Box::new(f)));
                                open.set(false);
                            });
                            // The empty value: the events that logged none for the field.
                            let none = c.key.is_empty();
                            let (shown_key, what) = value_text(field, &c.key);
                            let title = if picked { format!("{what} (picked: click to remove)") } else { what.clone() };
                            let not_label = if out { format!("Put back {shown_key}") } else { format!("Leave out {shown_key}") };
                            let not_title = if out { format!("{what} is left out: click to put it back") } else { format!("Leave out {what}") };
                            html! {
                                <li class="facet-row">
                                    <button type="button" class={classes!("facet-value", picked.then_some("on"), none.then_some("none"), out.then_some("out"))} aria-pressed={picked.to_string()} {title} {onclick}>
                                        {fv_key(field, &c.key, shown_key)}
                                        <span class="fv-count">{thousands(c.count)}</span>
                                    </button>
                                    <button type="button" class={classes!("facet-not", out.then_some("on"))} aria-pressed={out.to_string()}
                                        aria-label={not_label} title={not_title} onclick={on_not}>{"−"}</button>
                                </li>
                            }
                        }) }
                    </ul>
                    if answer.is_some() && values.is_empty() {
                        <p class="muted" data-testid="facet-none">
                            { if narrow.is_empty() { "No values under the current filters." } else { "No value contains this text under the current filters." } }
                        </p>
                    }
                    if (shown.len() as u64) < total {
                        <p class="muted facet-more" data-testid="facet-more">
                            { format!("The {} most frequent of {} values: narrow the list to find the others.", shown.len(), thousands(total)) }
                        </p>
                    }
                </div>
            }
        </div>
    }
}

/// A UTC time range: text inputs (every browser, no locale surprises) taking a date, or a date and
/// time to the hour, minute or second; the end keeps all of what it names, a date the whole day
/// ([`parse_bound`]), and shows the last second kept.
#[function_component(TimeRange)]
fn time_range() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let filter = ctx.state.0.filter.clone();
    let show = |t: Option<i64>, end| t.map(|t| show_bound(t, end)).unwrap_or_default();
    let from = use_state(|| show(filter.from, End::From));
    let to = use_state(|| show(filter.to, End::To));
    let error = use_state(|| None::<String>);
    {
        let (from, to) = (from.clone(), to.clone());
        use_effect_with((filter.from, filter.to), move |(f, t)| {
            from.set(show(*f, End::From));
            to.set(show(*t, End::To));
        });
    }
    let parse = |s: &str, end| -> Result<Option<i64>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        parse_bound(s, end).map(Some).ok_or_else(|| {
            format!("“{s}” is not a time like 2026-03-01, 2026-03-01 00:05 or 2026-03-01 00:05:00 (UTC, or add +HH:MM)")
        })
    };
    let apply = {
        let (state, filter, from, to, error) =
            (ctx.state.clone(), filter.clone(), from.clone(), to.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match (parse(&from, End::From), parse(&to, End::To)) {
                (Ok(Some(f)), Ok(Some(t))) if t <= f => {
                    error.set(Some(format!(
                        "“{}” is before “{}”: the range would keep nothing",
                        to.trim(),
                        from.trim()
                    )));
                }
                (Ok(f), Ok(t)) => {
                    error.set(None);
                    state.dispatch(Action::SetFilter(Box::new(Filter { from: f, to: t, ..filter.clone() })));
                }
                (Err(m), _) | (_, Err(m)) => error.set(Some(m)),
            }
        })
    };
    let input = |h: &UseStateHandle<String>| {
        let h = h.clone();
        Callback::from(move |e: InputEvent| h.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    html! {
        <form class="time-range" onsubmit={apply} aria-label="Time range (UTC)">
            <input type="text" class="small" placeholder="From (UTC)" size="19" value={(*from).clone()} oninput={input(&from)}
                aria-label="From, UTC" data-testid="time-from"
                title="From this time on, UTC: 2026-03-01, 2026-03-01 00:05 or 2026-03-01 00:05:00 (or add +HH:MM)" />
            <span class="muted">{"→"}</span>
            <input type="text" class="small" placeholder="To (UTC)" size="19" value={(*to).clone()} oninput={input(&to)}
                aria-label="To, UTC" data-testid="time-to"
                title="Up to the end of this time, UTC: 2026-03-01 keeps that whole day, 2026-03-01 00:05 that whole minute" />
            <button type="submit" class="button small">{"Apply"}</button>
            if let Some(m) = &*error {
                <span class="field-error" role="alert">{m.clone()}</span>
            }
        </form>
    }
}
