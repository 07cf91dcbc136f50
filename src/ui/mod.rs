//! The page: a thin Yew UI over the engine in the worker. It draws and asks; it never parses.
//!
//! One state ([`crate::viewstate::ViewState`], wrapped by `state::State`) changed by one action enum,
//! shared with components by context together with the `bridge::Bridge` to the worker.

mod bridge;
mod crash;
mod detail;
mod dropzone;
mod events;
mod filterbar;
mod identity;
mod images;
mod integrity;
mod logging;
mod more;
mod notes;
mod overview;
mod query;
mod state;
mod status;
pub mod task;
mod timeline;
mod toolbar;
mod url;
mod walk;

use std::rc::Rc;

use yew::prelude::*;

use crate::viewstate::{Action, UiPhase, View};

/// Calls `f` on every `event` the window gets, until the returned cleanup runs (for an effect to
/// return).
fn on_window(event: &'static str, mut f: impl FnMut() + 'static) -> impl FnOnce() {
    listen(web_sys::window().map(Into::into), event, move |_| f())
}

/// Calls `f` with every `event` `target` gets (none when there is no target), until the returned
/// cleanup runs.
pub(crate) fn listen(
    target: Option<web_sys::EventTarget>,
    event: &'static str,
    f: impl FnMut(web_sys::Event) + 'static,
) -> impl FnOnce() {
    use wasm_bindgen::JsCast;
    let closure = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(f);
    if let Some(t) = &target {
        let _ = t.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    }
    move || {
        if let Some(t) = target {
            let _ = t.remove_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        }
    }
}
use bridge::Bridge;
use state::State;

/// What every component can reach: the state and the way to the worker.
#[derive(Clone)]
pub struct Ctx {
    /// The page state.
    pub state: UseReducerHandle<State>,
    /// The worker.
    pub bridge: Rc<Bridge>,
}

impl PartialEq for Ctx {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state && Rc::ptr_eq(&self.bridge, &other.bridge)
    }
}

/// Mounts the app on the page's `#app` element (on the body if it is missing). Yew empties the
/// element it mounts on, so the font specimen beside it (index.html) stays.
pub fn start() {
    console_error_panic_hook::set_once();
    crash::init();
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<App>::with_root(root).render(),
        None => yew::Renderer::<App>::new().render(),
    };
}

#[function_component(App)]
fn app() -> Html {
    let state = use_reducer(|| {
        let mut s = State::default();
        s.0.notes = notes::load();
        if let Some(link) = url::initial_link() {
            s.0.apply(crate::viewstate::Action::LinkArrived(Box::new(link)));
        }
        s
    });
    let bridge = {
        let dispatcher = state.dispatcher();
        // A new value of `restarts` (after a crash) starts a new engine that reads the same files again.
        use_memo(state.0.restarts, move |&restarts| {
            let bridge = Bridge::new(dispatcher);
            if restarts > 0 {
                bridge.replay();
            }
            bridge
        })
    };
    {
        let phase = state.0.phase;
        use_effect_with(phase, move |phase| {
            if *phase == UiPhase::Done {
                bridge::measure_ingest();
            }
        });
    }
    let ctx = Ctx { state: state.clone(), bridge };
    let notice = state.0.link_notice.clone();
    // The page around the views (tabs, toolbar, filters) is drawn as soon as a drop starts loading,
    // while the workers wait for its first files, not with the first overview: by then they keep
    // every core busy, and that drawing (about 14 ms of CPU) held the main thread for 50-130 ms.
    let has_data = state.0.phase == UiPhase::Loading || state.0.overview.as_ref().is_some_and(|o| o.files_total > 0);
    html! {
        <ContextProvider<Ctx> context={ctx}>
            <header class="topbar">
                <div class="brand">
                    <span class="logo" aria-hidden="true">{"◆"}</span>
                    <span class="name">{"Trailscope"}</span>
                    <span class="tagline">{"CloudTrail for your container supply chain"}</span>
                </div>
                <div class="privacy" title="Trailscope reads your files inside this browser tab. Nothing is uploaded.">
                    <span class="lock" aria-hidden="true">{"●"}</span>
                    {"Offline: your logs never leave this browser"}
                </div>
            </header>
            <main class={classes!("page", has_data.then_some("has-data"))}>
                <UrlSync />
                if let Some(n) = notice {
                    <p class="notice" data-testid="link-notice" role="status">{n}</p>
                }
                <dropzone::DropZone compact={has_data} />
                <status::StatusBar />
                <crash::CrashNotice />
                if has_data {
                    <div class="tabs-row">
                        <Tabs />
                        <toolbar::Toolbar />
                    </div>
                    <filterbar::FilterBar />
                    { view(state.0.view) }
                } else {
                    <overview::OverviewView />
                }
            </main>
            <detail::EventDrawer />
        </ContextProvider<Ctx>>
    }
}

/// The open view's component.
fn view(v: View) -> Html {
    match v {
        View::Overview => html! { <overview::OverviewView /> },
        View::Timeline => html! { <timeline::TimelineView /> },
        View::Images => html! { <images::ImagesView /> },
        View::Identities => html! { <identity::IdentitiesView /> },
        View::Integrity => html! { <integrity::IntegrityView /> },
        View::Events => html! { <events::EventsView /> },
    }
}

#[function_component(Tabs)]
fn tabs() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let current = ctx.state.0.view;
    html! {
        <nav class="tabs" role="tablist" aria-label="Views">
            { for View::ALL.iter().map(|&v| {
                let state = ctx.state.clone();
                let onclick = Callback::from(move |_| state.dispatch(Action::SetView(v)));
                html! {
                    <button type="button" role="tab" class={classes!("tab", (v == current).then_some("active"))}
                        aria-selected={(v == current).to_string()} data-testid={format!("tab-{}", v.slug())} {onclick}>
                        {v.label()}
                    </button>
                }
            }) }
        </nav>
    }
}

/// Keeps the URL fragment and the view in step (a component so it sits inside the context).
#[function_component(UrlSync)]
fn url_sync() -> Html {
    url::use_url_sync();
    notes::use_persist_notes();
    html! {}
}

/// A principal's name for a narrow column, in the parts it gives way in (`text::principal_parts`):
/// its kind (`assumed-role/`) goes first, whole; then the account after the name is cut; then the
/// role's name is cut with an ellipsis, to its first three letters, a part of their own that does
/// not shrink (a name of up to seven letters stays whole; one of up to four, `user`, goes
/// altogether). The last part (a session, a user's name) stays; a long one (an SDK's generated
/// session) is cut with the rest of the role's name, each in proportion to its length, and after
/// `user` takes all the room. Bidi and invisible characters are shown.
pub fn principal_label(name: &str, account: &str) -> Html {
    let name = crate::text::reveal(name);
    let (kind, head, tail) = crate::text::principal_parts(&name);
    let long = tail.chars().count() > LONG_LAST_PART;
    let short = head.chars().count() <= SHORT_HEAD;
    let (first, rest) = match crate::text::first_chars(head, FIRST_LETTERS) {
        (first, more) if more >= MORE_LETTERS => (first, &head[first.len()..]),
        _ => (head, ""),
    };
    let last = html! { <span class={classes!("ptail", long.then_some("long"))}>{tail.to_owned()}</span> };
    html! {
        <span class="pname">
            if !kind.is_empty() {
                <span class="pkind">{kind.to_owned()}</span>
            }
            <span class="prest">
                if short {
                    <span class="pid short">
                        <span class="phead">{head.to_owned()}</span>
                        {last}
                    </span>
                } else {
                    <span class="pid">
                        <span class="pfirst">{first.to_owned()}</span>
                        <span class="pgroup">
                            if !rest.is_empty() {
                                <span class="phead">{rest.to_owned()}</span>
                            }
                            {last}
                        </span>
                    </span>
                }
                if !account.is_empty() {
                    <span class="acct">{crate::text::reveal(account).into_owned()}</span>
                }
            </span>
        </span>
    }
}

/// [`principal_label`] of a whole ARN: its resource, then its account.
pub fn arn_label(arn: &str) -> Html {
    let (name, account) = crate::text::arn_parts(arn);
    principal_label(name, account)
}

/// How many characters a principal's head has at most when it gives all its room to the last part:
/// `user` in `user/alice`, which says what the last part is more than it names anything.
const SHORT_HEAD: usize = 4;

/// How many of a role's first letters stay when its name is cut: enough to tell `Admin` from `AppRunner`.
const FIRST_LETTERS: usize = 3;

/// How many letters of a role's name must follow its first ones for the name to be cut at all: a
/// shorter name (`Admin`, `Deploy`, `CIRole1`) is about as wide whole as its first letters and an
/// ellipsis, and five letters are wider than the room the ellipsis keeps (`.pgroup .phead`, 2em).
const MORE_LETTERS: usize = 5;

/// How many characters a principal's last part (with its `/`) has before it is long: a person's or
/// an instance's session name has fewer, an SDK's generated one more.
const LONG_LAST_PART: usize = 20;

/// A file's name for a narrow column: the part that tells files apart stays and the rest is cut
/// with an ellipsis (`text::name_parts`); bidi and invisible characters are shown (`text::file_name`).
fn file_label(path: &str) -> Html {
    let name = crate::text::file_name(path);
    let (head, tail) = crate::text::name_parts(&name);
    html! { <span class="fname"><span class="fhead">{head.to_owned()}</span><span class="ftail">{tail.to_owned()}</span></span> }
}
