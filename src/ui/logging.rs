//! The Integrity tab's *Changes to logging*: every call that started, stopped, deleted or narrowed
//! a trail or event data store, oldest first, so that stops and starts read as a story. It shows
//! whether or not digests were dropped: most loads have none, and a stopped trail is the gap no
//! digest of these logs can show.

use yew::prelude::*;

use super::images::common::{details, when, who, Events};
use crate::analysis::logging::{LoggingChange, LoggingReport};
use crate::facts::trail::Effect;
use crate::text::{duration, plural, reveal, thousands, tooltip, utc};

#[derive(Properties, PartialEq)]
pub struct LoggingProps {
    pub report: LoggingReport,
}

/// The panel.
#[function_component(LoggingChanges)]
pub fn logging_changes(p: &LoggingProps) -> Html {
    let r = &p.report;
    let lead = if r.stops + r.narrows + r.refused == 0 {
        "None of them stopped or narrowed logging.".to_owned()
    } else {
        let mut parts = Vec::new();
        if r.stops > 0 {
            parts.push(format!("{} stopped logging", plural(r.stops, "call", "calls")));
        }
        if r.narrows > 0 {
            parts.push(format!("{} narrowed it", plural(r.narrows, "call", "calls")));
        }
        if r.refused > 0 {
            parts.push(format!("{} to stop or narrow it refused", plural(r.refused, "attempt", "attempts")));
        }
        format!("{}. What a trail did not record while stopped or narrowed is in no log.", parts.join("; "))
    };
    html! {
        <section class="panel" data-testid="integrity-logging" data-total={r.total.to_string()}
            data-stops={r.stops.to_string()} data-narrows={r.narrows.to_string()} data-refused={r.refused.to_string()}>
            <h2>{"Changes to logging"}<span class="count">{thousands(r.total)}</span></h2>
            <p class="muted small">{"Calls that create, start, stop, delete or change a trail, its event selectors, or a CloudTrail Lake event data store, and those that delete, expire or close to CloudTrail the S3 bucket a trail delivers to, oldest first."}</p>
            if r.total == 0 {
                <p class="muted" data-testid="logging-none">{"No trail or event data store was changed in these logs (no StopLogging, DeleteTrail, PutEventSelectors, UpdateTrail…)."}</p>
            } else {
                <p class={classes!("logging-lead", (r.stops + r.narrows > 0).then_some("bad"))} data-testid="logging-lead">{lead}</p>
                <table class="list registry logging">
                    <thead><tr><th>{"When"}</th><th>{"Change"}</th><th>{"What it set"}</th><th>{"Who"}</th></tr></thead>
                    <tbody>{ for r.changes.iter().map(row) }</tbody>
                </table>
                if r.total as usize > r.changes.len() {
                    <p class="muted" data-testid="logging-more">{format!("{} more not listed (the summary lists them all)", thousands(r.total - r.changes.len() as u64))}</p>
                }
            }
        </section>
    }
}

/// What a change does, as a badge: red for a stop or narrowing that went through.
fn effect_badge(c: &LoggingChange) -> Html {
    let refused = !c.error_code.is_empty();
    let (class, text) = match c.effect {
        Effect::Stops => ("bad", "stops logging"),
        Effect::Narrows => ("bad", "narrows logging"),
        // A refused start changed nothing, and is no attempt to hide anything.
        Effect::Starts if !refused => ("ok", "starts logging"),
        _ => return Html::default(),
    };
    let class = if refused { "warn" } else { class };
    let text = if refused { format!("tried: {text}") } else { text.to_owned() };
    html! { <span class={classes!("badge", class)} data-testid="logging-effect">{text}</span> }
}

fn row(c: &LoggingChange) -> Html {
    let refused = !c.error_code.is_empty();
    let (what, name) = crate::analysis::logging::subject(c.on_bucket, &c.trail, &c.bucket, &c.call);
    let name = reveal(&name).into_owned();
    // A trail stopped can be started again; a bucket deleted is not "started".
    let restart = (c.effect == Effect::Stops && !refused && !c.on_bucket).then(|| match c.started_again {
        Some(t) => html! {
            <div class="small" data-testid="logging-restart" data-state="started">
                {format!("started again {} ({} later)", utc(t), duration(t - c.time))}
            </div>
        },
        None => html! {
            <div class="small bad" data-testid="logging-restart" data-state="not-started">
                {"not started again in these logs"}
            </div>
        },
    });
    html! {
        <tr class={classes!(refused.then_some("failed"))} data-testid="logging-change" data-call={c.call.clone()}
            data-effect={c.effect.slug()} data-refused={refused.to_string()} data-bucket={c.on_bucket.to_string()}>
            <td>{when(c.time)}</td>
            <td>
                <div class="call">{reveal(&c.call).into_owned()}</div>
                {effect_badge(c)}
                if refused { <div class="error">{format!("{}: refused, nothing changed", reveal(&c.error_code))}</div> }
                <div class="muted small" data-testid="logging-trail" title={tooltip(if c.on_bucket { &c.bucket } else { &c.trail })}>{format!("{what} ")}<b>{name}</b></div>
            </td>
            <td>{details(&c.lines)}{ for restart }</td>
            <td>{who(&c.who)}<Events events={c.events.clone()} /></td>
        </tr>
    }
}
