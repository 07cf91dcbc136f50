//! The Integrity tab's *Changes to logging*: every call that started, stopped, deleted or narrowed
//! a trail or event data store, oldest first, so that stops and starts read as a story. It shows
//! whether or not digests were dropped: most loads have none, and a stopped trail is the gap no
//! digest of these logs can show. *Changes to monitoring*, the same list for the other services
//! that watch the account (`GuardDuty`, Config, flow logs...), follows it.

use yew::prelude::*;

use super::images::common::{details, when, who, Events};
use crate::analysis::logging::{LoggingChange, LoggingReport};
use crate::facts::trail::{Effect, Target};
use crate::text::{duration, plural, reveal, thousands, tooltip, utc};

#[derive(Properties, PartialEq)]
pub struct LoggingProps {
    pub report: LoggingReport,
    /// The list of the other services that watch the account (`integrity-monitoring`, hooks
    /// `monitoring-…`) rather than of CloudTrail's trails (`integrity-logging`, `logging-…`).
    #[prop_or_default]
    pub monitoring: bool,
}

/// The words and hooks of one of the two lists.
struct Words {
    /// The prefix of every hook (`logging`, `monitoring`).
    hook: &'static str,
    title: &'static str,
    about: &'static str,
    none: &'static str,
    /// What a stop stops ("logging", "monitoring").
    what: &'static str,
    /// The lead's last sentence.
    after: &'static str,
}

const LOGGING: Words = Words {
    hook: "logging",
    title: "Changes to logging",
    about: "Calls that create, start, stop, delete or change a trail, its event selectors, or a CloudTrail Lake event data store; those that delete, expire or close to CloudTrail the S3 bucket a trail delivers to; and those that disable the KMS key a trail encrypts with, or schedule its deletion; oldest first.",
    none: "No trail or event data store was changed in these logs (no StopLogging, DeleteTrail, PutEventSelectors, UpdateTrail…).",
    what: "logging",
    after: "What a trail did not record while stopped or narrowed is in no log.",
};

const MONITORING: Words = Words {
    hook: "monitoring",
    title: "Changes to monitoring",
    about: "Calls that turn off, narrow or turn on the other services that watch the account: GuardDuty (a detector, its members, trusted IP lists, archiving filters), Security Hub, AWS Config, VPC flow logs (and the log groups they or a trail send to), Route 53 Resolver query logs, Inspector, Macie, IAM Access Analyzer, Detective, CloudWatch alarms and EventBridge rules (those people made, not a service's own), and an account leaving its organization, oldest first.",
    none: "No other monitoring was turned off or on in these logs (no DeleteDetector, StopConfigurationRecorder, DeleteFlowLogs, LeaveOrganization…).",
    what: "monitoring",
    after: "What a service did not watch while off is in none of its records or findings.",
};

/// The panel.
#[function_component(LoggingChanges)]
pub fn logging_changes(p: &LoggingProps) -> Html {
    let r = &p.report;
    let w = if p.monitoring { &MONITORING } else { &LOGGING };
    let lead = if r.stops + r.narrows + r.refused == 0 {
        format!("None of them stopped or narrowed {}.", w.what)
    } else {
        let mut parts = Vec::new();
        if r.stops > 0 {
            parts.push(format!("{} stopped {}", plural(r.stops, "call", "calls"), w.what));
        }
        if r.narrows > 0 {
            parts.push(format!("{} narrowed it", plural(r.narrows, "call", "calls")));
        }
        if r.refused > 0 {
            parts.push(format!("{} to stop or narrow it refused", plural(r.refused, "attempt", "attempts")));
        }
        format!("{}. {}", parts.join("; "), w.after)
    };
    let hook = |name: &str| format!("{}-{name}", w.hook);
    html! {
        <section class="panel" data-testid={format!("integrity-{}", w.hook)} data-total={r.total.to_string()}
            data-stops={r.stops.to_string()} data-narrows={r.narrows.to_string()} data-refused={r.refused.to_string()}>
            <h2>{w.title}<span class="count">{thousands(r.total)}</span></h2>
            <p class="muted small">{w.about}</p>
            if r.total == 0 {
                <p class="muted" data-testid={hook("none")}>{w.none}</p>
            } else {
                <p class={classes!("logging-lead", (r.stops + r.narrows > 0).then_some("bad"))} data-testid={hook("lead")}>{lead}</p>
                <table class="list registry logging">
                    <thead><tr><th>{"When"}</th><th>{"Change"}</th><th>{"What it set"}</th><th>{"Who"}</th></tr></thead>
                    <tbody>{ for r.changes.iter().map(|c| row(c, w)) }</tbody>
                </table>
                if r.total as usize > r.changes.len() {
                    <p class="muted" data-testid={hook("more")}>{format!("{} more not listed (the summary lists them all)", thousands(r.total - r.changes.len() as u64))}</p>
                }
            }
        </section>
    }
}

/// What a change does, as a badge: red for a stop or narrowing that went through.
fn effect_badge(c: &LoggingChange, w: &Words) -> Html {
    let refused = !c.error_code.is_empty();
    let verb = match c.effect {
        Effect::Stops => "stops",
        Effect::Narrows => "narrows",
        // A refused start changed nothing, and is no attempt to hide anything.
        Effect::Starts if !refused => "starts",
        _ => return Html::default(),
    };
    let class = match c.effect {
        _ if refused => "warn",
        Effect::Starts => "ok",
        _ => "bad",
    };
    let text = format!("{}{verb} {}", if refused { "tried: " } else { "" }, w.what);
    html! { <span class={classes!("badge", class)} data-testid={format!("{}-effect", w.hook)}>{text}</span> }
}

fn row(c: &LoggingChange, w: &Words) -> Html {
    let refused = !c.error_code.is_empty();
    let (what, name) = crate::analysis::logging::subject(c.target, &c.trail, &c.bucket, &c.call, &c.source);
    let name = reveal(&name).into_owned();
    // A trail stopped can be started again; a bucket deleted is not "started".
    // A key, a rule or alarm actions are enabled again; a trail or a service started.
    let enabled = c.target == Target::Key || crate::facts::monitor::PER_NAME.contains(&c.source.as_str());
    let again = if enabled { "enabled again" } else { "started again" };
    let restart = (c.effect == Effect::Stops && !refused && c.restartable()).then(|| match c.started_again {
        Some(t) => html! {
            <div class="small" data-testid={format!("{}-restart", w.hook)} data-state="started">
                {format!("{again} {} ({} later)", utc(t), duration(t - c.time))}
            </div>
        },
        None => html! {
            <div class="small bad" data-testid={format!("{}-restart", w.hook)} data-state="not-started">
                {format!("not {again} in these logs")}
            </div>
        },
    });
    let on_bucket = c.target == Target::Bucket;
    html! {
        <tr class={classes!(refused.then_some("failed"))} data-testid={format!("{}-change", w.hook)} data-call={c.call.clone()}
            data-source={c.source.clone()} data-effect={c.effect.slug()} data-refused={refused.to_string()}
            data-bucket={on_bucket.to_string()}>
            <td>{when(c.time)}</td>
            <td>
                <div class="call">{reveal(&c.call).into_owned()}</div>
                {effect_badge(c, w)}
                if refused { <div class="error">{format!("{}: refused, nothing changed", reveal(&c.error_code))}</div> }
                <div class="muted small" data-testid={format!("{}-trail", w.hook)} title={tooltip(if on_bucket { &c.bucket } else { &c.trail })}>{format!("{what} ")}<b>{name}</b></div>
            </td>
            <td>{details(&c.lines)}{ for restart }</td>
            <td>{who(&c.who)}<Events events={c.events.clone()} /></td>
        </tr>
    }
}
