//! Notes and bookmarks on events, kept in this browser's local storage (never sent anywhere).

use yew::prelude::*;

use super::Ctx;
use crate::bundle::{Note, Notes};
use crate::viewstate::Action;

/// The local storage key.
const KEY: &str = "trailscope.notes.v1";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The notes saved in this browser.
pub fn load() -> Notes {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .and_then(|text| serde_json::from_str::<Notes>(&text).ok())
        .map(|mut n| {
            n.retain(|k, v| crate::link::is_digest(k) && !v.is_empty());
            n
        })
        .unwrap_or_default()
}

/// Saves the notes whenever they change.
#[hook]
pub fn use_persist_notes() {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let notes = ctx.state.0.notes.clone();
    use_effect_with(notes, |notes| {
        if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(notes)) {
            let _ = s.set_item(KEY, &text);
        }
    });
}

/// Now, ISO 8601 UTC.
pub fn now_iso() -> String {
    crate::model::time::format_iso(js_sys::Date::now() as i64)
}

/// Bookmark toggle and note editor for one event.
#[derive(Properties, PartialEq)]
pub struct NoteEditorProps {
    /// The event's digest.
    pub key_digest: String,
}

/// Bookmark toggle and note editor.
#[function_component(NoteEditor)]
pub fn note_editor(p: &NoteEditorProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let current = ctx.state.0.notes.get(&p.key_digest).cloned().unwrap_or_default();
    let toggle = {
        let (state, key, current) = (ctx.state.clone(), p.key_digest.clone(), current.clone());
        Callback::from(move |_| {
            let note = Note { bookmarked: !current.bookmarked, updated: now_iso(), ..current.clone() };
            state.dispatch(Action::SetNote(key.clone(), note));
        })
    };
    let on_change = {
        let (state, key, current) = (ctx.state.clone(), p.key_digest.clone(), current.clone());
        Callback::from(move |e: Event| {
            let text = e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value();
            if text != current.text {
                state.dispatch(Action::SetNote(key.clone(), Note { text, updated: now_iso(), ..current.clone() }));
            }
        })
    };
    html! {
        <section class="note">
            <button type="button" class={classes!("button", "small", current.bookmarked.then_some("on"))} onclick={toggle}
                data-testid="bookmark" aria-pressed={current.bookmarked.to_string()}>
                { if current.bookmarked { "★ Bookmarked" } else { "☆ Bookmark" } }
            </button>
            <textarea data-testid="note" placeholder="Your note on this event (kept in this browser, and in triage bundles you export)"
                value={current.text.clone()} onchange={on_change} rows="3" aria-label="Note on this event" />
        </section>
    }
}
