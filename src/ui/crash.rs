//! What the page shows when the engine's worker crashed: why, that what was loaded is still shown, and
//! a button that starts a new engine reading the same files again (their `File` handles are kept on
//! this thread by the bridge). Also the test hook that crashes it on purpose.

use std::cell::Cell;

use yew::prelude::*;

use super::bridge::Bridge;
use super::Ctx;
use crate::protocol::{TEST_INGEST_PANIC_FRAGMENT, TEST_MEMORY_LIMIT_FRAGMENT, TEST_PANIC_FRAGMENT};
use crate::text::plural;
use crate::viewstate::{Action, UiPhase};

thread_local! {
    /// Whether the page opened with the test fragment and has not crashed the engine yet (once only,
    /// so the restarted engine is left alone).
    static TEST_PANIC_PENDING: Cell<bool> = const { Cell::new(false) };
    /// Whether the page opened with the ingest worker's test fragment and has not sent it yet.
    static TEST_INGEST_PANIC_PENDING: Cell<bool> = const { Cell::new(false) };
    /// Megabytes above the engine's memory to set its limit to before the first load, when the page
    /// opened with the memory test's fragment and has not sent it yet.
    static TEST_MEMORY_LIMIT_PENDING: Cell<Option<u64>> = const { Cell::new(None) };
}

/// How long after loading the test hook crashes the engine.
const TEST_PANIC_AFTER_MS: u32 = 1500;

/// Reads the URL fragment once, before the page rewrites it with its own view.
pub fn init() {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let fragment = hash.trim_start_matches('#');
    TEST_PANIC_PENDING.with(|p| p.set(fragment == TEST_PANIC_FRAGMENT));
    TEST_INGEST_PANIC_PENDING.with(|p| p.set(fragment == TEST_INGEST_PANIC_FRAGMENT));
    TEST_MEMORY_LIMIT_PENDING.with(|p| p.set(memory_limit_megabytes(fragment)));
}

/// The megabytes of the memory test's fragment ([`TEST_MEMORY_LIMIT_FRAGMENT`] then a number).
fn memory_limit_megabytes(fragment: &str) -> Option<u64> {
    fragment.strip_prefix(TEST_MEMORY_LIMIT_FRAGMENT)?.parse().ok()
}

/// Whether a URL fragment is a crash test's, not a shared view.
pub fn is_test_fragment(fragment: &str) -> bool {
    fragment == TEST_PANIC_FRAGMENT
        || fragment == TEST_INGEST_PANIC_FRAGMENT
        || memory_limit_megabytes(fragment).is_some()
}

/// Whether the page opened with the ingest worker's crash test fragment (once: true only the first
/// time it is asked).
pub fn take_ingest_panic() -> bool {
    TEST_INGEST_PANIC_PENDING.with(|p| p.replace(false))
}

/// The memory test's megabytes, if the page opened with its fragment (once: `None` after the first
/// time it is asked).
pub fn take_memory_limit() -> Option<u64> {
    TEST_MEMORY_LIMIT_PENDING.with(Cell::take)
}

/// The crash notice with its restart button (nothing while the engine runs).
#[function_component(CrashNotice)]
pub fn crash_notice() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    {
        let bridge = ctx.bridge.clone();
        use_effect_with(ctx.state.0.phase, move |phase| {
            if *phase == UiPhase::Done && TEST_PANIC_PENDING.with(|p| p.replace(false)) {
                // A moment after loading, so the views have their answers (a crash loses those in flight).
                gloo::timers::callback::Timeout::new(TEST_PANIC_AFTER_MS, move || bridge.test_panic()).forget();
            }
        });
    }
    let Some(reason) = ctx.state.0.crashed.clone() else { return html! {} };
    let what = match Bridge::loads() {
        (0, false) => String::new(),
        (0, true) => " and read the sample again".to_owned(),
        (n, false) => format!(" and read {} again", plural(n, "file", "files")),
        (n, true) => format!(" and read {} and the sample again", plural(n, "file", "files")),
    };
    let on_restart = {
        let state = ctx.state.clone();
        Callback::from(move |_| state.dispatch(Action::RestartEngine))
    };
    html! {
        <div class="crash" role="alert" data-testid="engine-crashed">
            <p><b>{"The engine stopped working."}</b>{" "}{reason}</p>
            <p>{"What it had loaded is still shown, but nothing new can be asked until it restarts. \
                 Restarting reads the same files again, in this tab; nothing is sent anywhere."}</p>
            <button type="button" class="button" onclick={on_restart} data-testid="restart-engine">
                {"Restart the engine"}{what}
            </button>
        </div>
    }
}
