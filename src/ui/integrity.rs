//! The integrity tab: dropped log files against CloudTrail digest files, and the optional signature check.
//!
//! Everything shown comes from one `Query::Integrity` answer (lists cut in the engine). The pasted
//! public keys and signature travel with that query; they are kept for the page's lifetime (not in
//! storage) so switching tabs does not lose them.

use std::cell::RefCell;

use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use super::query::use_query;
use super::Ctx;
use crate::engine::{Query, Response};
use crate::integrity::report::{
    ChainRow, CheckState, DigestRow, FileFinding, IntegrityCounts, IntegrityReport, KeysInput, Link, SigCheck,
};
use crate::integrity::Finding;
use crate::text::{agree, file_name, plural, reveal, thousands, tooltip};
use crate::viewstate::UiPhase;

/// Largest key or signature file read from a pick (`list-public-keys` output is a few KB).
const MAX_KEY_FILE_BYTES: f64 = 1024.0 * 1024.0;

thread_local! {
    /// The keys and signatures last applied, kept while the page is open.
    static APPLIED: RefCell<KeysInput> = RefCell::new(KeysInput::default());
}

/// The integrity tab.
#[function_component(IntegrityView)]
pub fn integrity_view() -> Html {
    let applied = use_state(|| APPLIED.with(|a| a.borrow().clone()));
    let answer = use_query(Query::Integrity(Box::new((*applied).clone())));
    let on_apply = {
        let applied = applied.clone();
        Callback::from(move |keys: KeysInput| {
            APPLIED.with(|a| *a.borrow_mut() = keys.clone());
            applied.set(keys);
        })
    };
    let report = match answer.as_deref() {
        Some(Response::Integrity(r)) => Some((**r).clone()),
        _ => None,
    };
    let Some(r) = report else {
        // Not "checking": whether there is anything to check is what the answer says.
        return html! { <section class="panel" data-testid="integrity-status" data-state="loading"><p class="muted">{"Loading the integrity check…"}</p></section> };
    };
    let logging_first = r.logging.total > 0 || r.state == CheckState::NoDigests;
    let monitoring_first = r.monitoring.total > 0 || r.state == CheckState::NoDigests;
    html! {
        <>
            <CheckBar state={r.state} counts={r.counts.clone()} />
            <StatusCards report={r.clone()} />
            // Changes to logging (and to monitoring) head the tab when there are some, or nothing
            // else to show; an empty panel does not push the digest check's results down.
            if logging_first {
                <super::logging::LoggingChanges report={r.logging.clone()} />
            }
            if monitoring_first {
                <super::logging::LoggingChanges report={r.monitoring.clone()} monitoring=true />
            }
            if r.state != CheckState::NoDigests {
                <section class="panel" data-testid="integrity-statements">
                    <h2>{"What was checked"}</h2>
                    <ul class="statements">{ for r.statements.iter().map(|s| html! { <li>{s.clone()}</li> }) }</ul>
                </section>
                <ChainsTable chains={r.chains.clone()} digests={r.digests.clone()} total={r.digests_total} />
                <FilesTable files={r.files.clone()} total={r.files_total} />
                <SignaturePanel applied={(*applied).clone()} on_apply={on_apply} problems={r.key_problems.clone()} counts={r.counts.clone()} />
            }
            if !logging_first {
                <super::logging::LoggingChanges report={r.logging.clone()} />
            }
            if !monitoring_first {
                <super::logging::LoggingChanges report={r.monitoring.clone()} monitoring=true />
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct CheckBarProps {
    state: CheckState,
    counts: IntegrityCounts,
}

/// Once loading is over: while files are hashed for the check (read again: loaded before the digests
/// that list them), a way to stop; once some were not hashed because loading was cancelled or
/// checking stopped, a way to hash them. While loading, the status bar's Cancel stops both.
#[function_component(CheckBar)]
fn check_bar(p: &CheckBarProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    // The counts when a button was last pressed: it stays disabled until the answer changes.
    let pressed = use_state(|| None::<IntegrityCounts>);
    if ctx.state.0.phase != UiPhase::Done {
        return Html::default();
    }
    let c = &p.counts;
    let waiting = pressed.as_ref() == Some(c);
    let press = |send: fn(&super::bridge::Bridge)| {
        let (bridge, pressed, counts) = (ctx.bridge.clone(), pressed.clone(), c.clone());
        Callback::from(move |_| {
            pressed.set(Some(counts.clone()));
            send(&bridge);
        })
    };
    if p.state == CheckState::Checking {
        html! {
            <p class="notice check-bar" data-testid="integrity-check-bar" data-state="checking" role="status">
                <span>{if c.pending > 0 {
                    format!("Hashing {} to check them against their digests…", plural(c.pending, "log file", "log files"))
                } else if c.copies_pending > 0 {
                    format!("Hashing {} dropped again to check they are the files already checked…", plural(c.copies_pending, "file", "files"))
                } else {
                    "Hashing digest files to check the links between them…".to_owned()
                }}</span>
                <button type="button" class="button small" data-testid="integrity-stop" disabled={waiting}
                    onclick={press(super::bridge::Bridge::stop_check)}
                    title="Stop hashing; the files not hashed yet stay unchecked until you check them">
                    {if waiting { "Stopping…" } else { "Stop checking" }}
                </button>
            </p>
        }
    } else if c.stopped > 0 {
        html! {
            <p class="notice check-bar" data-testid="integrity-check-bar" data-state="stopped" role="status">
                <span>{format!("{} not hashed: {}.", plural(c.stopped, "file was", "files were"), c.stopped_because())}</span>
                <button type="button" class="button small" data-testid="integrity-check-again" disabled={waiting}
                    onclick={press(super::bridge::Bridge::check_again)}>
                    {agree(c.stopped, "Check it", "Check them")}
                </button>
            </p>
        }
    } else {
        Html::default()
    }
}

#[derive(Properties, PartialEq)]
struct ReportProps {
    report: IntegrityReport,
}

#[function_component(StatusCards)]
fn status_cards(p: &ReportProps) -> Html {
    let r = &p.report;
    let c = &r.counts;
    let card = |label: &str, n: u64, bad: bool, sub: String| {
        html! {
            <div class="card">
                <div class="label">{label.to_owned()}</div>
                <div class={classes!("value", (bad && n > 0).then_some("bad"))}>{thousands(n)}</div>
                <div class="sub">{sub}</div>
            </div>
        }
    };
    let sigs = if c.keys == 0 && c.signatures_given == 0 {
        "not checked".to_owned()
    } else {
        format!("{} failed, {} not checked", thousands(c.signatures_failed), thousands(c.signatures_unchecked))
    };
    html! {
        <section class="cards integrity-cards" data-testid="integrity-status" data-state={r.state.as_str()}
            data-verified={c.verified.to_string()} data-modified={c.modified.to_string()}
            data-missing={c.missing.to_string()} data-unlisted={c.unlisted.to_string()}
            data-pending={c.pending.to_string()} data-digests={c.digests.to_string()} data-read-again={c.read_again.to_string()}
            data-unread={c.unread.to_string()} data-stopped={c.stopped.to_string()} data-stopped-cancelled={c.stopped_cancelled.to_string()} data-not-read={c.not_read.to_string()} data-not-listed={c.not_listed.to_string()} data-digests-not-read={c.digests_not_read.to_string()}
            data-breaks={c.breaks.to_string()} data-gaps={c.gaps.to_string()}
            data-signatures-verified={c.signatures_verified.to_string()} data-signatures-failed={c.signatures_failed.to_string()}>
            if r.state == CheckState::NoDigests {
                <div class="card wide">
                    <div class="label">{"Log integrity"}</div>
                    if let Some(why) = r.digests_not_read_why.filter(|_| c.digests_not_read > 0) {
                        <div class="value muted">{"Digests not read"}</div>
                        <div class="sub">{why.digests_sentence(c.digests_not_read)}</div>
                    } else {
                        <div class="value muted">{"No digest files"}</div>
                        <div class="sub">{"Drop the CloudTrail-Digest folder (next to CloudTrail/ under AWSLogs/<account>/) with the logs to check that no log file was changed, deleted or added."}</div>
                    }
                </div>
            } else {
                {card("Verified", c.verified, false, format!("of {} listed log files{}", thousands(c.listed), if r.state == CheckState::Checking { format!(" · {} being hashed", thousands(c.pending)) } else { String::new() }))}
                {card("Modified", c.modified, true, "hash differs from the digest".into())}
                {card("Missing", c.missing, true, missing_sub(c.not_read + c.not_listed))}
                {card("Unlisted", c.unlisted, true, "dropped, in no digest".into())}
                {card("Chain breaks", c.breaks, true, format!("{} checked, {}", plural(c.links_ok, "link", "links"), plural(c.gaps, "gap", "gaps")))}
                {card("Signatures verified", c.signatures_verified, false, sigs)}
            }
        </section>
    }
}

/// Under the count of missing logs: what missing means, and how many listed logs are not counted
/// there because loading stopped before they were read or found (a Cancel, the memory limit), so
/// that "0 missing" is not taken for every listed log checked.
fn missing_sub(not_read: u64) -> String {
    match not_read {
        0 => "listed, not dropped".to_owned(),
        n => format!("listed, not dropped · {} not read, not checked", thousands(n)),
    }
}

/// A finding as a badge.
pub fn finding_badge(f: Finding) -> Html {
    html! { <span class={classes!("badge", format!("badge-{}", f.as_str()))}>{f.as_str()}</span> }
}

fn link_badge(l: Link) -> Html {
    let (class, text) = match l {
        Link::ChainStart => ("neutral", "chain start"),
        Link::Linked => ("verified", "linked"),
        Link::Broken => ("modified", "broken"),
        Link::Restarted => ("missing", "gap: restart"),
        Link::PreviousMissing => ("missing", "gap: previous missing"),
        Link::PreviousNotDropped => ("neutral", "previous not dropped"),
        Link::Pending => ("pending", "hashing"),
        Link::Unchecked => ("neutral", "not checked"),
    };
    html! { <span class={classes!("badge", format!("badge-{class}"))}>{text}</span> }
}

fn sig_badge(s: SigCheck) -> Html {
    let (class, text) = match s {
        SigCheck::Verified => ("verified", "signature verified"),
        SigCheck::Failed => ("modified", "signature failed"),
        SigCheck::NotChecked => ("neutral", "not checked"),
    };
    html! { <span class={classes!("badge", format!("badge-{class}"))}>{text}</span> }
}

#[derive(Properties, PartialEq)]
struct FilesProps {
    files: Vec<FileFinding>,
    total: u64,
}

#[function_component(FilesTable)]
fn files_table(p: &FilesProps) -> Html {
    html! {
        <section class="panel" data-testid="integrity-files">
            <h2>{"Log files"}<span class="count">{thousands(p.total)}</span></h2>
            // Up to 500 rows: they scroll in place, so the signature check below stays in reach.
            <div class="files-scroll">
            <table class="files integrity-files">
                <thead><tr><th>{"File"}</th><th>{"Result"}</th><th>{"Why"}</th></tr></thead>
                <tbody>
                { for p.files.iter().map(|f| html! {
                    <tr data-finding={f.finding.as_str()}>
                        <td class="path" title={tooltip(&f.path)}>{super::file_label(&f.path)}</td>
                        <td>
                            {finding_badge(f.finding)}
                            if f.signed { <span class="badge badge-verified" title="listed by a digest whose signature verified">{"signed"}</span> }
                        </td>
                        <td class="why">
                            {reveal(&f.detail).into_owned()}
                            if let Some(d) = &f.digest { <span class="acct" title={tooltip(d)}>{" · "}{file_name(d)}</span> }
                        </td>
                    </tr>
                }) }
                </tbody>
            </table>
            </div>
            // Problems come first: past a verified row, every row left out is verified.
            {not_listed("integrity-files-more", p.total, p.files.len(),
                p.files.last().is_some_and(|f| f.finding == Finding::Verified).then_some("all verified"))}
        </section>
    }
}

/// Under a list cut at `listed` of `total` rows: "N more (what they all are) not listed", or nothing.
fn not_listed(testid: &str, total: u64, listed: usize, all_are: Option<&str>) -> Html {
    let more = total.saturating_sub(listed as u64);
    if more == 0 {
        return html! {};
    }
    let all_are = all_are.map(|a| format!(" ({a})")).unwrap_or_default();
    html! { <p class="muted" data-testid={testid.to_owned()}>{format!("{} more{all_are} not listed", thousands(more))}</p> }
}

#[derive(Properties, PartialEq)]
struct ChainsProps {
    chains: Vec<ChainRow>,
    digests: Vec<DigestRow>,
    total: u64,
}

#[function_component(ChainsTable)]
fn chains_table(p: &ChainsProps) -> Html {
    html! {
        <section class="panel" data-testid="integrity-digests">
            <h2>{"Digest chains"}<span class="count">{thousands(p.chains.len() as u64)}</span></h2>
            <table class="chains">
                <thead><tr><th>{"Trail"}</th><th class="num">{"Digests"}</th><th>{"Digest end times"}</th><th class="num">{"Links"}</th><th class="num">{"Breaks"}</th><th class="num">{"Gaps"}</th><th class="num">{"Signed"}</th></tr></thead>
                <tbody>
                { for p.chains.iter().map(|c| html! {
                    <tr>
                        <td class="key" title={tooltip(&c.trail)}>{reveal(&c.trail).into_owned()}</td>
                        <td class="num">{thousands(c.digests)}</td>
                        <td class="span">{format!("{} → {}", c.first_end, c.last_end)}</td>
                        <td class="num">{thousands(c.links_ok)}</td>
                        <td class={classes!("num", (c.breaks > 0).then_some("bad"))}>{thousands(c.breaks)}</td>
                        <td class={classes!("num", (c.gaps > 0).then_some("bad"))}>{thousands(c.gaps)}</td>
                        <td class="num">{format!("{}/{}", thousands(c.signatures[0]), thousands(c.digests))}</td>
                    </tr>
                }) }
                </tbody>
            </table>
            <h3 class="sub-h">{"Digest files"}<span class="count">{thousands(p.total)}</span></h3>
            <ul class="digest-list">
            { for p.digests.iter().map(|d| html! {
                <li data-link={format!("{:?}", d.link)} data-signature={format!("{:?}", d.signature)}>
                    <div class="digest-head">
                        <span class="path" title={tooltip(&d.path)}>{file_name(&d.path)}</span>
                        {link_badge(d.link)}{sig_badge(d.signature)}
                        <span class="acct">{plural(d.logs_listed, "log file", "log files")}</span>
                    </div>
                    <ul class="notes">{ for d.notes.iter().map(|n| html! { <li>{n.clone()}</li> }) }</ul>
                </li>
            }) }
            </ul>
            // Digests with a problem come first: past one without, none left out has one.
            {not_listed("integrity-digests-more", p.total, p.digests.len(),
                p.digests.last().is_some_and(|d| !d.has_problem()).then_some("no problem found in them"))}
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct SignatureProps {
    applied: KeysInput,
    on_apply: Callback<KeysInput>,
    problems: Vec<String>,
    counts: IntegrityCounts,
}

/// The value of a textarea (read through the DOM property, with no cast to a typed element).
fn textarea_value(e: &InputEvent) -> String {
    e.target()
        .and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Reads a small picked text file into `set`.
fn read_picked(e: &Event, set: Callback<Result<String, String>>) {
    let input: HtmlInputElement = e.target_unchecked_into();
    let Some(file): Option<File> = input.files().and_then(|l| l.get(0)) else { return };
    input.set_value("");
    if file.size() > MAX_KEY_FILE_BYTES {
        set.emit(Err(format!("{} is over 1 MB: that is not `list-public-keys` output or a signature", file.name())));
        return;
    }
    spawn_local(async move {
        let text = JsFuture::from(file.text()).await.map(|v| v.as_string().unwrap_or_default());
        set.emit(text.map_err(|e| format!("the browser could not read {}: {e:?}", file.name())));
    });
}

#[function_component(SignaturePanel)]
fn signature_panel(p: &SignatureProps) -> Html {
    let keys = use_state(|| p.applied.public_keys.clone());
    let sigs = use_state(|| p.applied.signatures.clone());
    let error = use_state(|| None::<String>);
    let on_keys = {
        let keys = keys.clone();
        Callback::from(move |e: InputEvent| keys.set(textarea_value(&e)))
    };
    let on_sigs = {
        let sigs = sigs.clone();
        Callback::from(move |e: InputEvent| sigs.set(textarea_value(&e)))
    };
    let loaded = |target: UseStateHandle<String>| {
        let error = error.clone();
        Callback::from(move |r: Result<String, String>| match r {
            Ok(text) => {
                error.set(None);
                target.set(text);
            }
            Err(e) => error.set(Some(e)),
        })
    };
    let on_keys_file = {
        let set = loaded(keys.clone());
        Callback::from(move |e: Event| read_picked(&e, set.clone()))
    };
    let on_sigs_file = {
        let set = loaded(sigs.clone());
        Callback::from(move |e: Event| read_picked(&e, set.clone()))
    };
    let apply = {
        let (keys, sigs, on_apply) = (keys.clone(), sigs.clone(), p.on_apply.clone());
        Callback::from(move |_| on_apply.emit(KeysInput { public_keys: (*keys).clone(), signatures: (*sigs).clone() }))
    };
    let clear = {
        let (keys, sigs, on_apply) = (keys.clone(), sigs.clone(), p.on_apply.clone());
        Callback::from(move |_| {
            keys.set(String::new());
            sigs.set(String::new());
            on_apply.emit(KeysInput::default());
        })
    };
    let applied = !p.applied.is_empty();
    html! {
        <section class="panel signature-panel" data-testid="integrity-signatures-panel">
            <h2>{"Signature check (optional, offline)"}</h2>
            <p class="muted">{"Hashes and links show the logs agree with the digests. To show the digests are CloudTrail's, paste the output of "}<code>{"aws cloudtrail list-public-keys"}</code>{" (run it in the trail's home region) and the newest digest's signature: "}<code>{"aws s3api head-object --bucket <bucket> --key <newest digest key>"}</code>{" shows it under Metadata.signature. Each digest carries the signature of the one before it, so one signature per chain checks the whole chain. Nothing is sent anywhere."}</p>
            <div class="grid two">
                <label class="paste">
                    <span class="label">{"Public keys (list-public-keys output)"}</span>
                    <textarea data-testid="integrity-keys" rows="6" spellcheck="false" value={(*keys).clone()} oninput={on_keys} placeholder="{ \"PublicKeyList\": [ { \"Value\": \"MIIBCgKCAQEA…\", \"Fingerprint\": \"…\" } ] }" />
                    <input type="file" data-testid="integrity-keys-file" accept=".json,.txt,.pem" onchange={on_keys_file} />
                </label>
                <label class="paste">
                    <span class="label">{"Newest digest's signature (x-amz-meta-signature)"}</span>
                    <textarea data-testid="integrity-signatures" rows="6" spellcheck="false" value={(*sigs).clone()} oninput={on_sigs} placeholder="hex, one per chain; head-object output is fine" />
                    <input type="file" data-testid="integrity-signatures-file" accept=".json,.txt" onchange={on_sigs_file} />
                </label>
            </div>
            <div class="actions">
                <button type="button" class="primary" data-testid="integrity-check-signatures" onclick={apply}>{"Check signatures"}</button>
                if applied {
                    <button type="button" class="link" onclick={clear}>{"Clear"}</button>
                    <span class="muted">{format!("{} and {} read", plural(p.counts.keys, "key", "keys"), plural(p.counts.signatures_given, "signature", "signatures"))}</span>
                }
            </div>
            if let Some(e) = &*error { <p class="bad">{e.clone()}</p> }
            if !p.problems.is_empty() {
                <ul class="warnings" data-testid="integrity-key-problems">{ for p.problems.iter().map(|m| html! { <li><span class="wmsg">{m.clone()}</span></li> }) }</ul>
            }
        </section>
    }
}
