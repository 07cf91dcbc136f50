//! The identities view: who did what, with which credentials, from where.
//!
//! One query ([`Query::Identities`]) with the page's filter; every table row, session, chain and
//! attention item adds to that filter when clicked, so every view narrows to it. Rows from console
//! CSV exports keep their gaps (`Not recorded`, `Unknown`) and a note says why.

mod attention;
mod chains;
mod roles;
pub(super) mod table;

use yew::prelude::*;

use crate::analysis::filter::Field;
use crate::analysis::identity::{IdentityReport, Stat};
use crate::engine::{Query, Response};
use crate::model::KeyKind;
use crate::text::{arn_parts, plural, thousands};
use crate::ui::query::use_answer;
use crate::ui::Ctx;
use table::{Line, StatTable};

/// The identities page.
#[function_component(IdentitiesView)]
pub fn identities_view() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let answered = use_answer(Some(Query::Identities(Box::new(ctx.state.0.filter.clone()))));
    // An answer to the filter before, while this one's is on its way: shown dimmed.
    let shown = answered.shown();
    let Some(Response::Identities(r)) = answered.response.as_deref() else {
        return html! {
            <section class="panel" data-testid="identities" data-state="loading">
                <p class="muted">{"Counting who did what…"}</p>
            </section>
        };
    };
    if r.events == 0 {
        return html! {
            <section class={classes!("panel", "empty-filter", shown.class)} data-testid="identities" data-state={shown.state} data-events="0"
                aria-busy={shown.busy}>
                <p class="muted">{"No events match the filters. Remove a chip, or clear the search, to see who did what."}</p>
            </section>
        };
    }
    html! {
        <div class={classes!("identities", shown.class)} data-testid="identities" data-state={shown.state} data-events={r.events.to_string()}
            aria-busy={shown.busy}>
            <Headline report={(**r).clone()} />
            if r.csv_events > 0 {
                <p class="note csv" data-testid="identity-csv-note">
                    {format!("{} come from console CSV exports, which do not record the identity type, ARN, MFA or \
                        session issuer: they count as Not recorded / Unknown here, never guessed.", plural(r.csv_events, "event", "events"))}
                </p>
            }
            <attention::AttentionPanel items={r.attention.clone()} />
            <div class="grid two">
                <StatTable title="Identity types" testid="identity-by-type" what="Type" lines={lines(&r.by_type.rows, Field::IdentityType)}
                    total={r.by_type.total} note="AWS internal: service events that carry only invokedBy, no type." />
                <StatTable title="Principals" testid="identity-by-principal" what="Principal" lines={principals(r)} total={r.by_principal.total} />
            </div>
            <div class="grid two">
                <roles::RolesPanel roles={r.by_role.clone()} />
                <StatTable title="Access keys" testid="identity-by-key" what="Access key" lines={keys(r)} total={r.by_key.total}
                    note="AKIA: an IAM user's or root's long-term key. ASIA: temporary credentials from STS." />
            </div>
            <chains::ChainsPanel chains={r.chains.clone()} />
            <div class="grid three">
                <StatTable title="MFA" testid="identity-by-mfa" what="MFA used" lines={lines(&r.by_mfa.rows, Field::Mfa)} total={r.by_mfa.total}
                    note="From the session's mfaAuthenticated, or ConsoleLogin's MFAUsed." />
                <StatTable title="Key kinds" testid="identity-by-key-kind" what="Kind" lines={lines(&r.by_key_kind.rows, Field::KeyKind)} total={r.by_key_kind.total} />
                <StatTable title="Clients" testid="identity-by-client" what="Client" lines={lines(&r.by_client.rows, Field::Client)} total={r.by_client.total}
                    note="From the user agent, which the caller sets: what it claims, not proof." />
            </div>
            <div class="grid two">
                <StatTable title="User agents" testid="identity-by-user-agent" what="User agent" lines={agents(r)} total={r.by_user_agent.total} />
                <StatTable title="Source IPs" testid="identity-by-ip" what="Address" lines={lines(&r.by_ip.rows, Field::Ip)} total={r.by_ip.total}
                    note="An AWS service name here means the service made the call on the caller's behalf." />
            </div>
            <div class="grid three">
                <StatTable title="Accounts" testid="identity-by-account" what="Account" lines={lines(&r.by_account.rows, Field::Account)}
                    total={r.by_account.total} note="The account each event was recorded in." />
                <StatTable title="Invoked by" testid="identity-by-invoked-by" what="Service" lines={lines(&r.by_invoked_by.rows, Field::InvokedBy)}
                    total={r.by_invoked_by.total} empty="No event was made by a service on someone's behalf." />
                <StatTable title="Identity Center users" testid="identity-by-identity-center-user" what="User id" lines={center_users(r)}
                    total={r.by_identity_center_user.total} empty="No IAM Identity Center user (onBehalfOf) in these events." />
            </div>
        </div>
    }
}

fn lines(stats: &[Stat], field: Field) -> Vec<Line> {
    stats.iter().map(|s| Line::plain(s, field)).collect()
}

fn principals(r: &IdentityReport) -> Vec<Line> {
    r.by_principal
        .rows
        .iter()
        .map(|p| {
            let (main, account) = arn_parts(&p.stat.key);
            let mut sub = vec![p.kind.clone()];
            let account = if account.is_empty() { p.account.as_str() } else { account };
            if !account.is_empty() {
                sub.push(format!("account {account}"));
            }
            if p.sessions_opened > 0 {
                sub.push(format!("opened {}", plural(p.sessions_opened, "session", "sessions")));
            }
            if !p.source_known {
                sub.push("from a CSV export: type, ARN and MFA not recorded".to_owned());
            }
            Line {
                stat: p.stat.clone(),
                main: main.to_owned(),
                sub: sub.join(" · "),
                badge: None,
                field: Field::Principal,
                value: p.stat.key.clone(),
                origin: None,
            }
        })
        .collect()
}

fn keys(r: &IdentityReport) -> Vec<Line> {
    r.by_key
        .rows
        .iter()
        .map(|k| {
            let badge = match k.kind {
                KeyKind::LongTerm => ("long-term", "long-term"),
                KeyKind::Temporary => ("temporary", "temporary"),
                KeyKind::Other | KeyKind::None => ("other", "other"),
            };
            let mut sub = vec![arn_parts(&k.principal).0.to_owned(), plural(k.ips, "address", "addresses")];
            if !k.opened_by.is_empty() {
                sub.push(format!("opened by {}", arn_parts(&k.opened_by).0));
            }
            Line {
                stat: k.stat.clone(),
                main: k.stat.key.clone(),
                sub: sub.join(" · "),
                badge: Some((badge.0.to_owned(), badge.1)),
                field: Field::AccessKey,
                value: k.stat.key.clone(),
                origin: k.origin.clone(),
            }
        })
        .collect()
}

fn agents(r: &IdentityReport) -> Vec<Line> {
    r.by_user_agent
        .rows
        .iter()
        .map(|a| Line {
            stat: a.stat.clone(),
            main: a.stat.key.clone(),
            sub: a.client.clone(),
            badge: None,
            field: Field::UserAgent,
            value: a.stat.key.clone(),
            origin: None,
        })
        .collect()
}

fn center_users(r: &IdentityReport) -> Vec<Line> {
    r.by_identity_center_user
        .rows
        .iter()
        .map(|u| Line {
            stat: u.stat.clone(),
            main: u.stat.key.clone(),
            sub: u.identity_store.clone(),
            badge: None,
            field: Field::IdentityCenterUser,
            value: u.stat.key.clone(),
            origin: None,
        })
        .collect()
}

#[derive(Properties, PartialEq)]
struct HeadlineProps {
    report: IdentityReport,
}

/// The headline figures.
#[function_component(Headline)]
fn headline(p: &HeadlineProps) -> Html {
    let r = &p.report;
    let mfa = |label: &str| r.by_mfa.rows.iter().find(|s| s.key == label).map_or(0, |s| s.events);
    // Of every key, not only of those the table lists (the first 200): a card that read "63
    // long-term, 137 temporary listed" over 39,836 keys counted the listed ones.
    let k = r.keys_by_kind;
    let high = r.attention_high;
    html! {
        <section class="cards" data-testid="identity-cards">
            <div class="card">
                <div class="label">{"Principals"}</div>
                <div class="value">{thousands(r.by_principal.total)}</div>
                <div class="sub">{plural(r.events, "event", "events")}{", "}{plural(r.by_type.total, "identity type", "identity types")}</div>
            </div>
            <div class="card">
                <div class="label">{"Roles"}</div>
                <div class="value">{thousands(r.by_role.total)}</div>
                <div class="sub">{plural(r.chains.temporary_keys, "temporary key", "temporary keys")}{", "}{thousands(r.chains.rows.total)}{" traced"}</div>
            </div>
            <div class="card">
                <div class="label">{"Access keys"}</div>
                <div class="value">{thousands(r.by_key.total)}</div>
                <div class="sub" data-testid="identity-key-kinds">{format!("{} long-term, {} temporary{}", thousands(k.long_term), thousands(k.temporary),
                    if k.other > 0 { format!(", {} other", thousands(k.other)) } else { String::new() })}</div>
            </div>
            <div class="card">
                <div class="label">{"Events without MFA"}</div>
                <div class="value">{thousands(mfa("No"))}</div>
                <div class="sub">{format!("{} with MFA, {} not recorded", thousands(mfa("Yes")), thousands(mfa("Unknown")))}</div>
            </div>
            <div class="card">
                <div class="label">{"Needs attention"}</div>
                <div class={classes!("value", (high > 0).then_some("bad"))}>{thousands(r.attention.total)}</div>
                <div class="sub">{thousands(high)}{" high"}</div>
            </div>
        </section>
    }
}
