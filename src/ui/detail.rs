//! One event in full, in a drawer over any view: its headline fields, links that filter the views to
//! what it belongs to, and its original JSON (read again from the file) as a collapsible tree. JSON
//! that AWS stores inside strings (ECR image manifests, policy documents) is decoded and shown too,
//! with a manifest's layers as a table. Everything is rendered as text.

use serde_json::Value;
use web_sys::KeyboardEvent;
use yew::prelude::*;

use super::identity::table::pick;
use super::images::short_digest;
use super::query::{use_answer, Shown};
use super::Ctx;
use crate::analysis::container::nav::Page;
use crate::analysis::container::report::{ImageRef, RepoRef};
use crate::analysis::filter::Field;
use crate::analysis::json_search::{needle_of, places};
use crate::engine::{EventDetail, Query, Response};
use crate::text::{bytes, first_chars, hits, plural, reveal, thousands, tooltip, utc, LONG_TEXT};
use crate::viewstate::Action;

/// Nesting levels open at first.
const OPEN_DEPTH: usize = 2;

fn copy(text: String) -> Callback<MouseEvent> {
    Callback::from(move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
        }
    })
}

/// The drawer; renders nothing when no event is selected.
#[function_component(EventDrawer)]
pub fn event_drawer() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let Some(row) = ctx.state.0.selected else {
        return html! {};
    };
    html! { <Drawer {row} /> }
}

#[derive(Properties, PartialEq)]
struct DrawerProps {
    row: u32,
}

#[function_component(Drawer)]
fn drawer(p: &DrawerProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let answered = use_answer(Some(Query::Event { row: p.row }));
    // Another event's detail, while this one is read from its file: dimmed, and said so.
    let shown = answered.shown();
    let answer = answered.response;
    let close = {
        let state = ctx.state.clone();
        Callback::from(move |_| state.dispatch(Action::Select(None)))
    };
    let on_key = {
        let state = ctx.state.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                state.dispatch(Action::Select(None));
            }
        })
    };
    {
        // The open event's key goes into the view link.
        let state = ctx.state.clone();
        let key = match answer.as_deref() {
            Some(Response::Event(Some(d))) => Some(crate::link::event_key(
                &d.view.event_id,
                &crate::model::time::format_iso(d.view.time),
                &d.view.source,
                &d.view.name,
            )),
            _ => None,
        };
        use_effect_with(key, move |key| {
            if key.is_some() {
                state.dispatch(Action::SelectedKey(key.clone()));
            }
        });
    }
    let body = match answer.as_deref() {
        Some(Response::Event(Some(d))) => html! { <Body detail={(**d).clone()} {shown} /> },
        Some(Response::Event(None)) => html! { <p class="muted">{"This event is no longer loaded."}</p> },
        _ => html! { <p class="muted">{"Reading the event from its file…"}</p> },
    };
    html! {
        <aside class="drawer" role="dialog" aria-label="Event detail" data-testid="event-detail" onkeydown={on_key} tabindex="-1"
            data-state={if answer.is_none() { "loading" } else { shown.state }}>
            <div class="drawer-head">
                <h2>{"Event"}</h2>
                <button type="button" class="button small" onclick={close} data-testid="close-detail" aria-label="Close">{"Close ✕"}</button>
            </div>
            {body}
        </aside>
    }
}

#[derive(Properties, PartialEq)]
struct BodyProps {
    detail: EventDetail,
    /// Whether it is another event's, shown dimmed while this one is read.
    shown: Shown,
}

#[function_component(Body)]
fn body(p: &BodyProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let d = &p.detail;
    let v = &d.view;
    let fact = |label: &str, value: &str, field: Option<Field>| {
        if value.is_empty() {
            return html! {};
        }
        // A 100,000-character value would fill the drawer: the raw JSON below has it all.
        let (shown, cut) = first_chars(value, LONG_TEXT);
        html! {
            <>
                <dt>{label.to_owned()}</dt>
                <dd>
                    <span class="val">{reveal(shown).into_owned()}</span>
                    if cut > 0 { <span class="muted">{format!(" … and {} (Copy copies all)", plural(cut as u64, "more character", "more characters"))}</span> }
                    <button type="button" class="icon" title="Copy" aria-label={format!("Copy {label}")} onclick={copy(value.to_owned())}>{icon_copy()}</button>
                    if let Some(field) = field {
                        <button type="button" class="icon" title={tooltip(&format!("Show only events with this {}", label.to_lowercase()))}
                            aria-label={format!("Filter to this {}", label.to_lowercase())} onclick={pick(&ctx, field, value.to_owned())}>{icon_filter()}</button>
                    }
                </dd>
            </>
        }
    };
    let read_only = match v.read_only {
        Some(true) => "read-only",
        Some(false) => "write",
        None => "not recorded",
    };
    html! {
        <div class={classes!("drawer-body", p.shown.class)} aria-busy={p.shown.busy}>
            <p class="headline">
                <span class="svc">{reveal(crate::text::short_source(&v.source)).into_owned()}</span>
                {" "}<b data-testid="detail-name">{reveal(&v.name).into_owned()}</b>
                if !v.error_code.is_empty() { <span class="badge bad">{reveal(&v.error_code).into_owned()}</span> }
            </p>
            <p class="muted">{utc(v.time)}{" · "}{read_only}</p>
            if !v.error_message.is_empty() { <p class="errmsg">{reveal(&v.error_message).into_owned()}</p> }
            <dl class="facts-list">
                {fact("Principal", &v.principal, Some(Field::Principal))}
                {fact("Identity type", &v.identity_type, Some(Field::IdentityType))}
                {fact("Access key", &v.access_key, Some(Field::AccessKey))}
                {fact("Source IP", &v.ip, Some(Field::Ip))}
                {fact("User agent", &v.user_agent, None)}
                {fact("Account", &v.account, Some(Field::Account))}
                {fact("Region", &v.region, Some(Field::Region))}
                {fact("Call", &v.name, Some(Field::Name))}
                {fact("Event ID", &v.event_id, None)}
                {fact("File", &d.path, None)}
            </dl>
            <Belongs repo={d.repo.clone()} image={d.image.clone()} />
            <super::notes::NoteEditor key_digest={v.key.clone()} />
            <p class="muted small">{format!("{} bytes at byte {} of the {}file", thousands(u64::from(d.locator.len)), thousands(d.locator.offset), if d.gzip { "decompressed " } else { "" })}</p>
            { match &d.json {
                Ok(text) => json_block(text, Some(needle_of(&ctx.state.0.filter.text)).filter(|n| !n.is_empty()).as_deref()),
                Err(e) => html! { <p class="errmsg" data-testid="detail-error">{e.clone()}</p> },
            } }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct BelongsProps {
    repo: Option<RepoRef>,
    image: Option<ImageRef>,
}

/// Links to the Images view's pages of the repository and image the event is part of.
#[function_component(Belongs)]
fn belongs(p: &BelongsProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    if p.repo.is_none() && p.image.is_none() {
        return html! {};
    }
    let open = |page: Page| {
        let state = ctx.state.clone();
        Callback::from(move |_| {
            state.dispatch(Action::Select(None));
            state.dispatch(Action::OpenContainer(Box::new(page.clone())));
        })
    };
    html! {
        <p class="belongs" data-testid="detail-belongs">
            if let Some(r) = &p.repo {
                <span>{"Repository "}</span>
                <button type="button" class="linkish" data-testid="detail-open-repo" title={tooltip(&r.arn())}
                    onclick={open(Page::Repository(r.clone()))}>{reveal(&r.name).into_owned()}</button>
                <button type="button" class="icon" data-testid="detail-filter-repo" title="Show only the events about this repository"
                    aria-label="Filter to this repository" onclick={pick(&ctx, Field::Repository, r.value())}>{icon_filter()}</button>
            }
            if let Some(i) = &p.image {
                <span>{" · image "}</span>
                <button type="button" class="linkish digest" data-testid="detail-open-image" title={tooltip(&i.digest)}
                    onclick={open(Page::Image(i.clone()))}>{short_digest(&i.digest)}</button>
            }
        </p>
    }
}

/// Two overlapping sheets.
fn icon_copy() -> Html {
    html! {
        <svg class="ico" viewBox="0 0 16 16" aria-hidden="true">
            <rect x="5" y="5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.4" />
            <path d="M3 11V3.5A1.5 1.5 0 0 1 4.5 2H11" fill="none" stroke="currentColor" stroke-width="1.4" />
        </svg>
    }
}

/// A funnel.
fn icon_filter() -> Html {
    html! {
        <svg class="ico" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M2 3h12l-4.5 5.5V13l-3 1.5V8.5Z" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round" />
        </svg>
    }
}

/// The event's JSON as a tree; with a search on, what holds its text (`needle`, lower case) is
/// marked, and the branches that lead to it are open.
fn json_block(text: &str, needle: Option<&str>) -> Html {
    let parsed: Option<Value> = serde_json::from_str(text).ok();
    let pretty = parsed.as_ref().and_then(|v| serde_json::to_string_pretty(v).ok()).unwrap_or_else(|| text.to_owned());
    let places = match (&parsed, needle) {
        (Some(v), Some(n)) => places(v, n),
        _ => 0,
    };
    html! {
        <section class="json">
            <div class="json-head">
                <h3>{"Original JSON"}</h3>
                if places > 0 {
                    <span class="json-hits" data-testid="json-hits">
                        {format!("The search text is in {}, marked", plural(places, "place", "places"))}
                    </span>
                }
                <button type="button" class="button small" onclick={copy(pretty)} data-testid="copy-json">{"Copy JSON"}</button>
            </div>
            <div class="tree" data-testid="json-tree">
                { match &parsed {
                    Some(v) => node(None, v, 0, needle),
                    None => html! { <pre class="raw">{marked(text, needle)}</pre> },
                } }
            </div>
        </section>
    }
}

/// `text`, with where it holds `needle` in `<mark>`s (as text, like everything else).
fn marked(text: &str, needle: Option<&str>) -> Html {
    let ranges = needle.map(|n| hits(text, n)).unwrap_or_default();
    if ranges.is_empty() {
        return html! { {text.to_owned()} };
    }
    let mut at = 0;
    let mut parts: Vec<Html> = Vec::with_capacity(ranges.len() * 2 + 1);
    for r in ranges {
        parts.push(html! { {text[at..r.start].to_owned()} });
        parts.push(html! { <mark class="hit">{text[r.clone()].to_owned()}</mark> });
        at = r.end;
    }
    parts.push(html! { {text[at..].to_owned()} });
    parts.into_iter().collect()
}

fn key_html(key: Option<&str>, needle: Option<&str>) -> Html {
    match key {
        Some(k) => html! { <><span class="k">{marked(k, needle)}</span><span class="p">{": "}</span></> },
        None => html! {},
    }
}

/// One JSON value as a tree node; `needle` as [`json_block`] has it.
fn node(key: Option<&str>, v: &Value, depth: usize, needle: Option<&str>) -> Html {
    let opens = |v: &Value| needle.is_some_and(|n| places(v, n) > 0);
    match v {
        Value::Object(map) => html! {
            <details open={depth < OPEN_DEPTH || opens(v)}>
                <summary>{key_html(key, needle)}<span class="p">{format!("{{…}} {}", crate::text::plural(map.len() as u64, "key", "keys"))}</span></summary>
                <div class="children">
                    { for map.iter().map(|(k, v)| node(Some(k), v, depth + 1, needle)) }
                </div>
            </details>
        },
        Value::Array(items) => html! {
            <details open={depth < OPEN_DEPTH || opens(v)}>
                <summary>{key_html(key, needle)}<span class="p">{format!("[…] {}", crate::text::plural(items.len() as u64, "item", "items"))}</span></summary>
                <div class="children">
                    { for items.iter().enumerate().map(|(i, v)| node(Some(&i.to_string()), v, depth + 1, needle)) }
                </div>
            </details>
        },
        Value::String(s) => {
            if let Some(inner) = embedded_json(s) {
                // JSON stored as a string: the decoded value first, the escaped string on request.
                return html! {
                    <div class="leaf">
                        <details class="decoded" open={depth < OPEN_DEPTH + 2 || opens(&inner)}>
                            <summary>{key_html(key, needle)}<span class="badge">{"JSON in a string, decoded"}</span></summary>
                            { manifest_layers(&inner) }
                            { node(None, &inner, 0, needle) }
                            <details class="rawstr">
                                <summary><span class="p">{format!("the string as logged ({} characters)", thousands(s.chars().count() as u64))}</span></summary>
                                <span class="s">{marked(&format!("{s:?}"), needle)}</span>
                            </details>
                        </details>
                    </div>
                };
            }
            let quoted = format!("{s:?}");
            if let (head, 1..) = first_chars(&quoted, LONG_TEXT) {
                return html! {
                    <div class="leaf">
                        <details class="longstr" open={opens(v)}>
                            <summary>{key_html(key, needle)}<span class="s">{marked(&format!("{head}…"), needle)}</span></summary>
                            <span class="s">{marked(&quoted, needle)}</span>
                        </details>
                    </div>
                };
            }
            html! { <div class="leaf">{key_html(key, needle)}<span class="s">{marked(&quoted, needle)}</span></div> }
        }
        Value::Number(n) => {
            html! { <div class="leaf">{key_html(key, needle)}<span class="n">{marked(&n.to_string(), needle)}</span></div> }
        }
        Value::Bool(b) => {
            html! { <div class="leaf">{key_html(key, needle)}<span class="b">{marked(&b.to_string(), needle)}</span></div> }
        }
        Value::Null => html! { <div class="leaf">{key_html(key, needle)}<span class="null">{"null"}</span></div> },
    }
}

/// JSON that AWS stores as a string (`imageManifest`, `policyText`, lookup-events' `CloudTrailEvent`).
fn embedded_json(s: &str) -> Option<Value> {
    let t = s.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) || s.len() > 4 << 20 {
        return None;
    }
    serde_json::from_str::<Value>(s).ok().filter(|v| v.is_object() || v.is_array())
}

/// An image manifest's layers as a table (digest, media type, size), with the total.
fn manifest_layers(v: &Value) -> Html {
    let Some(layers) = v.get("layers").and_then(Value::as_array) else {
        return html! {};
    };
    let size = |l: &Value| l.get("size").and_then(Value::as_u64).unwrap_or(0);
    let total: u64 = layers.iter().map(size).sum();
    html! {
        <table class="layers" data-testid="manifest-layers">
            <thead><tr><th>{"#"}</th><th>{"Layer digest"}</th><th>{"Media type"}</th><th class="num">{"Size"}</th></tr></thead>
            <tbody>
                { for layers.iter().enumerate().map(|(i, l)| html! {
                    <tr>
                        <td class="num">{(i + 1).to_string()}</td>
                        <td class="mono" title={tooltip(l.get("digest").and_then(Value::as_str).unwrap_or(""))}>
                            {l.get("digest").and_then(Value::as_str).unwrap_or("").to_owned()}
                        </td>
                        <td>{l.get("mediaType").and_then(Value::as_str).unwrap_or("").rsplit('.').next().unwrap_or("").to_owned()}</td>
                        <td class="num">{bytes(size(l))}</td>
                    </tr>
                }) }
            </tbody>
            <tfoot><tr><td></td><td>{plural(layers.len() as u64, "layer", "layers")}</td><td></td><td class="num">{bytes(total)}</td></tr></tfoot>
        </table>
    }
}
