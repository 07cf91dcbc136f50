//! Pieces every container page uses: links between pages, digests, who, outcomes, raw events, pager.

use std::rc::Rc;

use yew::prelude::*;

use super::super::query::{use_answer, Shown};
use super::super::Ctx;
use crate::analysis::container::nav::Page;
use crate::analysis::container::report::{EventRef, Exposure, ImageRef, Outcome, RepoChange, RepoRef, Who, PAGE};
use crate::analysis::container::{Ask, ContainerAnswer, ContainerQuery};
use crate::analysis::filter::Field;
use crate::analysis::identity::origin::MADE_KEY;
use crate::engine::{Query, Response};
use crate::text::{arn_parts, plural, reveal, thousands, tooltip, utc, without_assumed_role};
use crate::viewstate::Action;

/// Asks the engine a container question under the current filter; the latest answer, and how to
/// mark it (dimmed when it answers an earlier question, another filter or page, while this one's is
/// on its way).
#[hook]
pub fn use_container(ask: Ask) -> (Option<Rc<ContainerAnswer>>, Shown) {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let filter = ctx.state.0.filter.clone();
    let answered = use_answer(Some(Query::Container(Box::new(ContainerQuery { filter, ask }))));
    let answer = match answered.response.as_deref() {
        Some(Response::Container(a)) => Some(Rc::new((**a).clone())),
        _ => None,
    };
    (answer, answered.shown())
}

/// A callback that opens a page of the Images view.
pub fn open(ctx: &Ctx, page: Page) -> Callback<MouseEvent> {
    let state = ctx.state.clone();
    Callback::from(move |_| state.dispatch(Action::OpenContainer(Box::new(page.clone()))))
}

pub use crate::text::short_digest;

/// A digest in monospace, the whole of it in the tooltip.
pub fn digest(d: &str) -> Html {
    if d.is_empty() {
        return html! { <span class="muted">{"—"}</span> };
    }
    html! { <code class="digest" title={tooltip(d)}>{short_digest(d)}</code> }
}

#[derive(Properties, PartialEq)]
pub struct ImageLinkProps {
    pub image: ImageRef,
}

/// A digest that opens its image's page.
#[function_component(ImageLink)]
pub fn image_link(p: &ImageLinkProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    if p.image.digest.is_empty() {
        return html! { <span class="muted">{"—"}</span> };
    }
    html! {
        <button type="button" class="linkish digest" title={tooltip(&format!("Open image {}", p.image.digest))}
            data-testid="open-image" data-digest={p.image.digest.clone()} onclick={open(&ctx, Page::Image(p.image.clone()))}>
            {short_digest(&p.image.digest)}
        </button>
    }
}

#[derive(Properties, PartialEq)]
pub struct RepoLinkProps {
    pub repo: RepoRef,
    /// Show the account and region after the name.
    #[prop_or(true)]
    pub place: bool,
}

/// A repository name that opens its page.
#[function_component(RepoLink)]
pub fn repo_link(p: &RepoLinkProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    html! {
        <span class="repo">
            <button type="button" class="linkish" title={tooltip(&format!("Open repository {}", p.repo.arn()))}
                data-testid="open-repo" data-repo={p.repo.name.clone()} onclick={open(&ctx, Page::Repository(p.repo.clone()))}>
                {reveal(&p.repo.name).into_owned()}
            </button>
            if p.place {
                <span class="acct">{reveal(&format!("{} · {}", p.repo.registry, p.repo.region)).into_owned()}</span>
            }
            {public_badge(&p.repo)}
        </span>
    }
}

/// "ECR Public" on an ECR Public repository (nothing on a private one).
pub fn public_badge(repo: &RepoRef) -> Html {
    if !repo.public {
        return html! {};
    }
    html! {
        <span class="badge bad" data-testid="repo-public"
            title="An ECR Public repository (public.ecr.aws): anyone can pull its images">{"ECR Public"}</span>
    }
}

/// `text` with a line-break opportunity after each of `after`, so a long name wraps between its
/// parts (`assumed-role/` · `Role/` · `session`) before it wraps inside one.
pub fn breaks_after(text: &str, after: &[char]) -> Html {
    let parts: Vec<&str> = text.split_inclusive(after).collect();
    let last = parts.len().saturating_sub(1);
    html! { <>{ for parts.into_iter().enumerate().map(|(i, part)| html! { <>{part.to_owned()}if i < last { <wbr /> }</> }) }</> }
}

/// Who made a call: the principal (resource part of an ARN first, without `assumed-role/`, which
/// the kind under it says: a role session, an instance's role, a person through Identity Center),
/// the kind, the client. In a list's narrow column the prefix had been a line of its own.
pub fn who(w: &Who) -> Html {
    let (main, account) = arn_parts(&w.principal);
    // A name of 100,000 characters had taken hundreds of lines of each row it stood in: its first
    // LONG_TEXT, and an ellipsis (the tooltip says how many more).
    let main = cut(without_assumed_role(main), crate::text::LONG_TEXT);
    let behind = if w.origin.is_empty() { String::new() } else { format!("\n{}: {}", w.origin_via, w.origin) };
    html! {
        <div class="who" title={tooltip(&format!("{}\n{}{behind}\nfrom {}\n{}", w.principal, w.kind, w.ip, w.user_agent))}>
            <div class="who-main">
                <span class="principal">{breaks_after(&main, &['/'])}</span>
                if !account.is_empty() {
                    <span class="acct">{cut(account, SHORT)}</span>
                }
                if w.cross_account {
                    <span class="badge warn" title="The caller is in another account than what it called (the repository, the trail, the service)">{"other account"}</span>
                }
            </div>
            <div class="who-sub">
                <span class="kind">{w.kind.clone()}</span>
                <span class="sep">{"·"}</span>
                <span class="client">{cut(&w.client, SHORT)}</span>
                if !w.ip.is_empty() {
                    <span class="sep">{"·"}</span>
                    <span class="ip">{cut(&w.ip, SHORT)}</span>
                }
            </div>
            if !w.origin.is_empty() {
                <WhoOrigin origin={w.origin.clone()} via={w.origin_via.clone()} started_by={w.origin_principal.clone()} />
            }
        </div>
    }
}

/// Props of [`WhoOrigin`].
#[derive(Properties, PartialEq)]
pub struct WhoOriginProps {
    /// Who is behind the session ([`crate::analysis::identity::Origin::who`]).
    pub origin: String,
    /// How that is known.
    pub via: String,
    /// Who made the first STS call of the chain: the filter's value.
    pub started_by: String,
}

/// Who a caller's role session was for (the workflow, pod or person behind a role), a button
/// that filters every view to everything the chain's first caller started.
#[function_component(WhoOrigin)]
pub fn who_origin(p: &WhoOriginProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let onclick = {
        let (ctx, started_by) = (ctx.clone(), p.started_by.clone());
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            let f = ctx.state.0.filter.with_all(&[(Field::Origin, started_by.clone())]);
            ctx.state.dispatch(Action::SetFilter(Box::new(f)));
        })
    };
    let origin = breaks_after(&cut(&p.origin, crate::text::LONG_TEXT), &[':', '/']);
    let title = format!("Show everything {} started: its own calls and those of every session it opened", p.started_by);
    html! {
        <div class="who-origin" data-testid="who-origin" data-via={p.via.clone()} data-started-by={p.started_by.clone()}>
            <button type="button" class="linkish" title={tooltip(&title)} {onclick}>
                if p.via == "long-term key" {
                    <span class="via">{"started by "}</span>
                    <span class="origin">{origin}</span>
                    <span class="via">{" (long-term key)"}</span>
                } else if p.via == MADE_KEY {
                    <span class="via">{"key made by "}</span>
                    <span class="origin">{origin}</span>
                } else {
                    <span class="via">{format!("{}: ", cut(&p.via, SHORT))}</span>
                    <span class="origin">{origin}</span>
                }
            </button>
        </div>
    }
}

/// Characters of an account, client or address shown under a caller: an IPv6 address has 39, a
/// service's name about 30.
const SHORT: usize = 48;

/// `s` revealed, cut after `n` characters with an ellipsis (the tooltip has it whole). An account,
/// client or address is cut at [`SHORT`]: they do not wrap, and keep the caller's column as wide as
/// they are (a 100,000-character address in a hostile log had made the Images tab 777,428 pixels
/// wide; letting them wrap anywhere instead let the column narrow until a role's session took five
/// lines).
fn cut(s: &str, n: usize) -> String {
    let (head, more) = crate::text::first_chars(s, n);
    let mut out = reveal(head).into_owned();
    if more > 0 {
        out.push('…');
    }
    out
}

/// A badge saying whom a repository policy let in beyond the repository's account (nothing when no
/// one); `which` names the policy for the tooltip ("This policy", "A policy set in these logs").
pub fn exposure_badge(e: Exposure, which: &str) -> Html {
    let (class, label, slug, whom) = match e {
        Exposure::Own => return html! {},
        Exposure::OtherAccounts => (
            "warn",
            "policy: other accounts",
            "other-accounts",
            "principals of other accounts, or anyone who meets its conditions",
        ),
        Exposure::Everyone => {
            ("bad", "policy: open to everyone", "everyone", "anyone at all (principal *, with no condition)")
        }
    };
    html! {
        <span class={classes!("badge", class)} data-testid="policy-exposure" data-exposure={slug}
            title={format!("{which} lets {whom} in")}>{label}</span>
    }
}

/// Whom a change lets in beyond its registry's account, as a badge: a policy's principals, or, for
/// replication, which lets no one in, that it copies images out to another account.
pub fn change_badge(c: &RepoChange) -> Html {
    if c.call == "PutReplicationConfiguration" && c.exposure != Exposure::Own {
        return html! {
            <span class="badge warn" data-testid="replicates-out"
                title="Each image pushed to a repository this selects is copied to another account's registry">
                {"replicates to other accounts"}
            </span>
        };
    }
    exposure_badge(c.exposure, "This policy")
}

/// What protection a change turned down, as a badge ("tags made mutable"), or nothing.
pub fn lowered_badge(c: &RepoChange) -> Html {
    if c.lowered.is_empty() {
        return html! {};
    }
    html! {
        <span class="badge bad" data-testid="protection-lowered"
            title="This turned a protection of the registry down: see Needs attention on the Identities tab">
            {c.lowered.clone()}
        </span>
    }
}

/// A change to a repository, as a list item: the call, whom it lets in, when, its error, what it
/// set, who, its raw event.
pub fn change(c: &RepoChange) -> Html {
    html! {
        <li class={classes!((!c.error_code.is_empty()).then_some("failed"))} data-testid="change" data-call={c.call.clone()}>
            <div class="change-head">
                <span class="call">{reveal(&c.call).into_owned()}</span>
                {change_badge(c)}
                {lowered_badge(c)}
                {when(c.time)}
                if !c.error_code.is_empty() { <span class="error">{reveal(&c.error_code).into_owned()}</span> }
            </div>
            {details(&c.details)}
            {who(&c.who)}
            <Events events={c.events.clone()} />
        </li>
    }
}

/// What a change set, a line each, bidi controls and invisible characters shown as markers: a
/// policy's principal is a name people act on.
pub fn details(lines: &[String]) -> Html {
    html! { <ul class="details">{ for lines.iter().map(|d| html! { <li>{reveal(d).into_owned()}</li> }) }</ul> }
}

/// `pushed`, `refused`, `incomplete` as a badge; `verb` says what went through.
pub fn outcome(o: Outcome, verb: &str) -> Html {
    match o {
        Outcome::Ok => html! { <span class="badge ok">{verb.to_owned()}</span> },
        Outcome::Failed => html! { <span class="badge bad">{"refused"}</span> },
        Outcome::Incomplete => html! { <span class="badge warn">{"incomplete"}</span> },
    }
}

/// A time as `2026-03-01 00:04:12 UTC`.
pub fn when(ms: i64) -> Html {
    // Date and time each stay whole; a narrow table may put the time under the date.
    let text = utc(ms);
    let (date, time) = text.split_once(' ').unwrap_or((&text, ""));
    html! { <time class="when"><span>{date.to_owned()}</span>{" "}<span>{time.to_owned()}</span></time> }
}

#[derive(Properties, PartialEq)]
pub struct EventsProps {
    pub events: Vec<EventRef>,
    /// All events, when more exist than listed.
    #[prop_or_default]
    pub total: Option<u32>,
    /// Open from the start.
    #[prop_or_default]
    pub open: bool,
}

/// The raw events an item was built from, each with its store row (`data-row`) for the event view.
#[function_component(Events)]
pub fn events(p: &EventsProps) -> Html {
    let total = p.total.unwrap_or(p.events.len() as u32);
    let label = plural(u64::from(total), "event", "events");
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let open_event = |row: u32| {
        let state = ctx.state.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            state.dispatch(Action::Select(Some(row)));
        })
    };
    html! {
        <details class="events" data-testid="raw-events" open={p.open}>
            <summary>{label}</summary>
            <ol>
                { for p.events.iter().map(|e| html! {
                    <li class={classes!("event", (!e.error.is_empty()).then_some("failed"))} data-row={e.row.to_string()}
                        data-event-id={e.id.clone()} title={tooltip(&format!("eventID {}", e.id))}>
                        <time>{utc(e.time)}</time>
                        <button type="button" class="ename linklike" onclick={open_event(e.row)}
                            title="Open this event">{e.name.clone()}</button>
                        if !e.error.is_empty() {
                            <span class="eerr">{e.error.clone()}</span>
                        }
                        <code class="eid">{e.id.clone()}</code>
                    </li>
                }) }
            </ol>
            if total as usize > p.events.len() {
                <p class="muted more">{format!("and {} more", thousands(u64::from(total) - p.events.len() as u64))}</p>
            }
        </details>
    }
}

#[derive(Properties, PartialEq)]
pub struct PagerProps {
    pub offset: u32,
    pub total: u64,
    pub on_change: Callback<u32>,
}

/// Previous / next page of a list.
#[function_component(Pager)]
pub fn pager(p: &PagerProps) -> Html {
    if p.total <= PAGE as u64 {
        return html! {};
    }
    let page = PAGE as u32;
    let prev = {
        let (cb, o) = (p.on_change.clone(), p.offset);
        Callback::from(move |_| cb.emit(o.saturating_sub(page)))
    };
    let next = {
        let (cb, o) = (p.on_change.clone(), p.offset);
        Callback::from(move |_| cb.emit(o + page))
    };
    let last = (u64::from(p.offset) + u64::from(page)).min(p.total);
    html! {
        <div class="pager">
            <button type="button" class="button small" disabled={p.offset == 0} onclick={prev}>{"← Newer"}</button>
            <span class="muted">{format!("{}–{} of {}", thousands(u64::from(p.offset) + 1), thousands(last), thousands(p.total))}</span>
            <button type="button" class="button small" disabled={last >= p.total} onclick={next}>{"Older →"}</button>
        </div>
    }
}

/// The "nothing here" line of a list.
pub fn empty(what: &str, filtered: bool) -> Html {
    let why = if filtered { " match the filters" } else { " in these logs" };
    html! { <p class="empty-list muted">{format!("No {what}{why}.")}</p> }
}

/// Where something shown was not found: "in these logs", or under a filter "in the filtered events"
/// (it may be in the logs and filtered out, so "not in these logs" would be wrong).
pub fn in_these(filtered: bool) -> &'static str {
    if filtered {
        "in the filtered events"
    } else {
        "in these logs"
    }
}

/// When a repository was created, or that its `CreateRepository` is not among the events shown.
pub fn created(at: Option<i64>, filtered: bool) -> Html {
    match at {
        Some(t) => when(t),
        None => html! { <span class="muted">{format!("not {}", in_these(filtered))}</span> },
    }
}

/// A "Loading…" placeholder while the engine answers.
pub fn loading() -> Html {
    html! { <p class="muted loading">{"Loading…"}</p> }
}
