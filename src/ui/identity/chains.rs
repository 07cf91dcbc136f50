//! Role chains: each session in use, followed back through the STS calls that opened it to the
//! identity that started it. The session filters to its key; the origin filters to everything it
//! started.

use yew::prelude::*;

use super::table::{pick, seen, NARROW, TOP};
use crate::analysis::filter::Field;
use crate::analysis::identity::{Chain, Chains, Hop};
use crate::text::{agree, arn_parts, plural, reveal, thousands, tooltip, utc};
use crate::ui::more::{use_fold, More};
use crate::ui::Ctx;

/// Props of [`ChainsPanel`].
#[derive(Properties, PartialEq)]
pub struct ChainsProps {
    /// The chains.
    pub chains: Chains,
}

/// A principal's name (its ARN's resource), and beside it the account when the ARN names one: the
/// same user name in two accounts is two people, and a hop into another account is worth seeing.
fn named(arn: &str) -> Html {
    let (name, account) = arn_parts(arn);
    // The kind (`assumed-role/`, `user/`) kept on one line: a narrow line broke after "assumed-".
    let (kind, rest) = match name.split_once('/') {
        Some((kind, rest)) if !kind.is_empty() => (kind, rest),
        _ => ("", name),
    };
    html! {
        <>
            if !kind.is_empty() {
                <span class="nobr">{format!("{}/", reveal(kind))}</span>
            }
            {reveal(rest).into_owned()}
            if !account.is_empty() {
                <span class="acct">{reveal(account).into_owned()}</span>
            }
        </>
    }
}

fn hop_line(h: &Hop) -> Html {
    let mut how = Vec::new();
    if !h.key.is_empty() {
        how.push(format!("key {}", h.key));
    }
    if !h.ip.is_empty() {
        how.push(format!("from {}", h.ip));
    }
    how.push(format!("with {}", h.client));
    how.push(utc(h.time));
    let mut what = Vec::new();
    if !h.role.is_empty() {
        what.push(format!("role {}", arn_parts(&h.role).0));
    }
    if !h.session_name.is_empty() {
        what.push(format!("session name {}", h.session_name));
    }
    if !h.source_identity.is_empty() {
        what.push(format!("source identity {}", h.source_identity));
    }
    if !h.subject.is_empty() {
        what.push(format!("subject {} ({})", h.subject, h.provider));
    }
    html! {
        <li class="hop">
            <span class="arrow" aria-hidden="true">{"←"}</span>
            <span class="call">{h.call.clone()}</span>{" by "}
            <span class="who" title={tooltip(&h.principal)}>{named(&h.principal)}</span>
            <span class="tag kind">{h.kind.clone()}</span>
            <div class="hop-sub">{how.join(" · ")}</div>
            if !what.is_empty() {
                <div class="hop-sub">{what.join(" · ")}</div>
            }
        </li>
    }
}

fn chain_item(ctx: &Ctx, c: &Chain) -> Html {
    let origin = pick(ctx, Field::Origin, c.origin.clone());
    html! {
        <li class="chain" data-key={c.stat.key.clone()}>
            <div class="chain-head pickable" tabindex="0" title={tooltip(&format!("Show only the events of session key {}", c.stat.key))}
                onclick={pick(ctx, Field::AccessKey, c.stat.key.clone())}>
                <span class="who" title={tooltip(&c.session)}>{named(&c.session)}</span>
                <span class="tag temporary">{reveal(&c.stat.key).into_owned()}</span>
                <span class="facts">
                    {plural(c.stat.events, "event", "events")}
                    if c.stat.errors > 0 { <span class="bad">{format!(" · {} failed", thousands(c.stat.errors))}</span> }
                    {" · "}{seen(c.stat.first, c.stat.last)}
                </span>
            </div>
            <ol class="hops">{ for c.hops.iter().map(hop_line) }</ol>
            <div class="origin">
                {"Started by "}<b title={tooltip(&c.origin)}>{named(&c.origin)}</b>
                <span class="tag kind">{c.origin_kind.clone()}</span>
                <span class="muted">{format!("— {}", c.end.explain())}</span>
                <button type="button" class="button small" onclick={origin}
                    title="Show everything this principal did, itself and through the sessions it opened">
                    {"Everything it started"}
                </button>
            </div>
        </li>
    }
}

/// The chains panel.
#[function_component(ChainsPanel)]
pub fn chains_panel(p: &ChainsProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let c = &p.chains;
    let rows = &c.rows.rows;
    let fold = use_fold(rows.len(), TOP);
    let linked = c.temporary_keys - c.not_in_logs;
    html! {
        <section class="panel chains" data-testid="identity-chains">
            <h2>{"Role chains"}<span class="count">{thousands(c.rows.total)}</span></h2>
            <p class="note">
                {format!("{} in these events; {} traced to the STS call that issued {}",
                    plural(c.temporary_keys, "temporary key", "temporary keys"), thousands(linked), agree(linked, "it", "them"))}
                if c.not_in_logs > 0 {
                    {format!("; {} issued outside these logs (earlier, or in another trail)", thousands(c.not_in_logs))}
                }
                {"."}
                if c.unfollowable > 0 {
                    {format!(" {} handed out a key that cannot be followed (masked, or not a temporary key).",
                        plural(c.unfollowable, "STS response", "STS responses"))}
                }
                if c.unreadable > 0 {
                    {format!(" {} could not be read.", plural(c.unreadable, "STS or sign-in response", "STS or sign-in responses"))}
                }
            </p>
            if rows.is_empty() {
                <p class="muted">{"No session in these events can be traced back: the STS calls that opened them are not in the loaded logs."}</p>
            } else {
                <ul class="chain-list">{ for rows.iter().take(fold.shown()).map(|ch| chain_item(&ctx, ch)) }</ul>
                <More {fold} total={c.rows.total} what="chains" hint={NARROW} />
            }
        </section>
    }
}
