//! The ingest status bar: `[data-testid=ingest-status]` and what it says to people.

use yew::prelude::*;

use super::Ctx;
use crate::engine::{Query, Status};
use crate::protocol::{MemoryFull, Progress};
use crate::text::{agree, bytes, duration, plural, thousands};
use crate::viewstate::{Action, UiPhase};

/// The status bar.
#[function_component(StatusBar)]
pub fn status_bar() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let view = &ctx.state.0;
    let s = view.status();
    let p = &view.progress;
    let phase = view.phase;
    // Files still being handed to the worker count in the total from the drop on; their bytes only
    // once the worker has them, so meanwhile the bar follows files.
    let files_total = view.files_total();
    let bytes_total = p.bytes_total;
    // Once a Cancel stopped the load: the files it left unread.
    let cancelled = view.cancelled_not_read();
    let not_read = |n: u64| if n == 0 { String::new() } else { format!("; {} not read", thousands(n)) };
    // A walk a Cancel stopped: the folders it had not listed, whose files were never found.
    let folders = match view.folders_not_listed {
        0 => String::new(),
        n => format!("; {} not listed", plural(n, "folder", "folders")),
    };
    let label = match phase {
        UiPhase::Idle => match cancelled {
            Some(n) if view.unlisted => format!(
                "Stopped while the folders were listed, before any file was read{}{folders}",
                if n == 0 { String::new() } else { format!(": {} found not read", plural(n, "file", "files")) }
            ),
            Some(0) | None => "No logs loaded yet".to_owned(),
            Some(n) => format!("Stopped before any file was read: {} not read", plural(n, "file", "files")),
        },
        UiPhase::Loading if view.stopping => "Stopping: finishing what is being read…".to_owned(),
        UiPhase::Loading if p.memory_full.is_some() => {
            "Memory limit reached: finishing the files begun; no others will be read".to_owned()
        }
        UiPhase::Loading => {
            let done = s.bytes_read.min(bytes_total);
            let listing = view.sending.filter(|s| s.listing);
            if listing.is_some_and(|l| l.found == 0) {
                "Listing the folders…".to_owned()
            } else if listing.is_some() {
                format!(
                    "Reading {} of {} found so far · {} read",
                    thousands(s.files),
                    plural(files_total, "file", "files"),
                    bytes(done)
                )
            } else if view.sending.is_some() {
                format!(
                    "Reading {} of {} · {} read",
                    thousands(s.files),
                    plural(files_total, "file", "files"),
                    bytes(done)
                )
            } else {
                format!(
                    "Reading {} of {} · {} of {}{}",
                    thousands(s.files),
                    plural(files_total, "file", "files"),
                    bytes(done),
                    bytes(bytes_total),
                    speed(p)
                )
            }
        }
        UiPhase::Done if cancelled.is_some() => format!(
            "Stopped{}: kept {} read before Cancel{}{}{folders}",
            if view.unlisted { " while the folders were listed" } else { "" },
            plural(s.files, "file", "files"),
            in_part(s),
            match cancelled.unwrap_or(0) {
                n if view.unlisted && n > 0 => format!("; {} found not read", thousands(n)),
                n => not_read(n),
            }
        ),
        UiPhase::Done => match &p.memory_full {
            Some(full) => format!(
                "Stopped at the memory limit: kept {}{}{}",
                plural(s.files, "file", "files"),
                in_part(s),
                not_read(full.files_not_read)
            ),
            None => format!("Loaded {}", plural(s.files, "file", "files")),
        },
        // Not only the engine's: a picker, a download or a save can fail with nothing loaded.
        UiPhase::Error => "Nothing loaded: see the message below".to_owned(),
    };
    let pct = if view.sending.is_some() {
        (s.files * 100).checked_div(files_total).unwrap_or(0)
    } else {
        (s.bytes_read.min(bytes_total) * 100).checked_div(bytes_total).unwrap_or(0)
    };
    // Loading ended before every file was read (Cancel, the memory limit): the dot says so too.
    let stopped = cancelled.is_some() || p.memory_full.is_some();
    let on_cancel = {
        let bridge = ctx.bridge.clone();
        Callback::from(move |_| bridge.cancel())
    };
    let on_summary = {
        let bridge = ctx.bridge.clone();
        Callback::from(move |_| bridge.query(Query::SummaryJson))
    };
    let on_dismiss = {
        let state = ctx.state.clone();
        Callback::from(move |_| state.dispatch(Action::DismissError))
    };
    html! {
        <>
        <section class={classes!("statusbar", phase.as_str(), stopped.then_some("stopped"))} data-testid="ingest-status"
            data-state={phase.as_str()}
            data-events={s.events.to_string()}
            data-files={s.files.to_string()}
            data-skipped={s.skipped.to_string()}
            data-warnings={s.warnings.to_string()}
            data-files-cut={s.files_cut.to_string()}
            data-files-repeated={s.repeated.to_string()}
            data-hashed={s.hashed.to_string()}
            data-checking={p.checking.to_string()}
            data-heap-bytes={p.heap_bytes.to_string()}
            data-workers={p.workers.to_string()}
            data-readers={p.readers.to_string()}
            data-workers-heap-bytes={p.workers_heap_bytes.to_string()}
            data-files-done={s.files.to_string()}
            data-files-total={files_total.to_string()}
            data-bytes-read={s.bytes_read.to_string()}
            data-bytes-total={p.bytes_total.to_string()}
            data-bytes-decoded={s.bytes_decoded.to_string()}
            data-rate={p.rate_bytes_per_s.to_string()}
            data-rate-events={p.rate_events_per_s.to_string()}
            data-eta-ms={p.eta_ms.map(|ms| ms.to_string())}
            data-cancelled={cancelled.is_some().to_string()}
            data-memory-full={p.memory_full.is_some().to_string()}
            data-files-not-read={(p.memory_full.as_ref().map_or(0, |f| f.files_not_read) + cancelled.unwrap_or(0)).to_string()}
            data-folders-not-listed={view.folders_not_listed.to_string()}
            data-bytes-not-read={p.memory_full.as_ref().map_or(0, |f| f.bytes_not_read).to_string()}
            aria-live="polite">
            <span class="dot" aria-hidden="true"></span>
            <span class="label">{label}</span>
            if phase == UiPhase::Loading && !view.stopping {
                <progress class="bar" max="100" value={pct.to_string()} aria-label="Bytes read"></progress>
                <button type="button" class="button small" onclick={on_cancel} data-testid="ingest-cancel"
                    title="Stop reading; keep what was loaded">{"Cancel"}</button>
            }
            <span class="facts">
                <span><b>{thousands(s.events)}</b>{agree(s.events, " event", " events")}</span>
                if phase == UiPhase::Loading && p.rate_events_per_s > 0 {
                    <span>{thousands(p.rate_events_per_s)}{" events/s"}</span>
                }
                if s.duplicates > 0 {
                    <span title="Re-delivered events held once">{plural(s.duplicates, "duplicate", "duplicates")}</span>
                }
                if s.repeated > 0 {
                    <span title="Log files every event of which was already loaded: dropped again, or the same log delivered twice">
                        {plural(s.repeated, "file", "files")}{" with no new events"}
                    </span>
                }
                if s.skipped > 0 {
                    <span title="Digest files: kept for integrity checks, not events">{plural(s.skipped, "digest file", "digest files")}{" set aside"}</span>
                }
                if s.warnings > 0 {
                    <span class="warn">{plural(s.warnings, "warning", "warnings")}</span>
                }
                if s.bytes_decoded > 0 {
                    <span>{bytes(s.bytes_decoded)}{" of JSON"}</span>
                }
                if p.heap_bytes > 0 {
                    <span title="Memory the engine (and, while loading, its ingest workers) uses in this tab">
                        {bytes(p.heap_bytes + p.workers_heap_bytes)}{" in use"}
                    </span>
                }
                if phase == UiPhase::Done && p.checking > 0 {
                    <span data-testid="ingest-checking" title="Log files loaded before the digests that list them, read again to check them (the Integrity tab can stop it)">
                        {"Checking integrity: "}{plural(p.checking, "file", "files")}{" left"}
                    </span>
                }
                if p.workers > 0 && phase == UiPhase::Loading {
                    <span title="Workers reading files in parallel, one per core">{plural(u64::from(p.workers), "reader", "readers")}</span>
                }
            </span>
            if phase == UiPhase::Done {
                <button type="button" class="button small" onclick={on_summary} data-testid="download-summary">
                    {"Download summary"}
                </button>
            }
        </section>
        if let (UiPhase::Done, Some(full)) = (phase, &p.memory_full) {
            <p class="memory-full" role="status" data-testid="memory-full">{memory_notice(full, s.files_cut)}</p>
        }
        if !view.errors.is_empty() {
            <div class="errors" role="alert">
                { for view.errors.iter().map(|e| html! { <p>{e}</p> }) }
                <button type="button" class="button small" onclick={on_dismiss}>{"Dismiss"}</button>
            </div>
        }
        </>
    }
}

/// ` (in part)` or ` (2 of them in part)`: files a stop cut short.
fn in_part(s: &Status) -> String {
    match s.files_cut {
        0 => String::new(),
        n if n == s.files => " (in part)".to_owned(),
        n => format!(" ({} of them in part)", thousands(n)),
    }
}

/// What the page says once loading stopped at the engine's memory limit.
fn memory_notice(full: &MemoryFull, files_cut: u64) -> String {
    let unread = match full.files_not_read {
        0 => String::new(),
        n => {
            let from = full.first_not_read.as_deref().map(|p| format!(", from {p} on")).unwrap_or_default();
            format!(" {} ({}) were not read{from}.", plural(n, "file", "files"), bytes(full.bytes_not_read))
        }
    };
    let cut = match files_cut {
        0 => "every file it read was read whole".to_owned(),
        1 => "every file it read was read whole but one, whose warning says how far it got".to_owned(),
        n => format!("every file it read was read whole but {}, whose warnings say how far each got", thousands(n)),
    };
    format!(
        "The engine's memory reached its limit ({}), the most this tab can safely hold, so it stopped \
         reading.{unread} What is shown is what was read: {cut}. To see the rest, load fewer files at a \
         time in another tab (one account, region or stretch of days).",
        bytes(full.limit_bytes),
    )
}

/// ` · 2.1 MB/s · about 5 s left`, once the worker has measured a rate.
fn speed(p: &Progress) -> String {
    match p.eta_ms {
        Some(left) if p.rate_bytes_per_s > 0 => {
            format!(
                " · {}/s · about {} left",
                bytes(p.rate_bytes_per_s),
                duration(i64::try_from(left).unwrap_or(i64::MAX))
            )
        }
        _ => String::new(),
    }
}
