//! The view in the URL fragment: written as the view changes, read when the page opens, and
//! resolved against the logs once they are loaded (see [`crate::link`]).

use wasm_bindgen::JsValue;
use yew::prelude::*;

use super::Ctx;
use crate::engine::{Query, Response};
use crate::link::ViewLink;
use crate::viewstate::{Action, UiPhase, ViewState};

/// The link in the page's URL when it opened, if any.
pub fn initial_link() -> Option<ViewLink> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let hash = hash.trim_start_matches('#');
    (!hash.is_empty() && !super::crash::is_test_fragment(hash)).then(|| ViewLink::from_fragment(hash))
}

/// The link now in the URL after the person changed its fragment (a link pasted into this tab's
/// address bar, or Back): `None` when it is a test fragment. An empty fragment is the view at rest.
fn changed_link() -> Option<ViewLink> {
    let hash = web_sys::window()?.location().hash().ok()?;
    let hash = hash.trim_start_matches('#');
    (!super::crash::is_test_fragment(hash)).then(|| ViewLink::from_fragment(hash))
}

fn write_fragment(fragment: &str) {
    let Some(window) = web_sys::window() else { return };
    let location = window.location();
    let current = location.hash().unwrap_or_default();
    if current.trim_start_matches('#') == fragment {
        return;
    }
    let url = if fragment.is_empty() {
        format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default())
    } else {
        format!("#{fragment}")
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Keeps the URL and the view in step.
#[hook]
pub fn use_url_sync() {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let s = &ctx.state.0;
    // A link pasted into this tab's address bar only changes the fragment (no new page): it is
    // taken as a link arriving. The page's own writes replace the history entry, which fires no
    // `hashchange`.
    {
        let state = ctx.state.clone();
        use_effect_with((), move |()| {
            super::on_window("hashchange", move || {
                if let Some(link) = changed_link() {
                    state.dispatch(Action::LinkArrived(Box::new(link)));
                }
            })
        });
    }
    // Resolve a shared link whenever loading completes.
    {
        let (state, bridge) = (ctx.state.clone(), ctx.bridge.clone());
        let pending = s.pending_link.clone();
        use_effect_with((s.phase, s.data_version, pending), move |(phase, _, pending)| {
            if let (UiPhase::Done, Some(link)) = (phase, pending) {
                bridge.ask(
                    Query::Resolve(Box::new(link.clone())),
                    Callback::from(move |r: Response| {
                        if let Response::Resolved(r) = r {
                            state.dispatch(Action::LinkResolved(r));
                        }
                    }),
                );
            }
        });
    }
    // A shared link whose sender searched the whole events for its text: search them here too.
    {
        let (state, bridge) = (ctx.state.clone(), ctx.bridge.clone());
        use_effect_with(s.whole_wanted.clone(), move |wanted| {
            if let Some(text) = wanted {
                bridge.search_json(text);
                state.dispatch(Action::WholeSearchAsked);
            }
        });
    }
    // Write the view into the URL, unless a shared view is still waiting for its logs.
    {
        use_effect_with((s.link(), s.pending_link.is_some()), move |(link, waiting)| {
            if !*waiting {
                let at_rest = *link == ViewState::default().link();
                write_fragment(&if at_rest { String::new() } else { link.to_fragment() });
            }
        });
    }
}
