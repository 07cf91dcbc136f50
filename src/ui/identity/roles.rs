//! Roles (session issuers) and their sessions. A role row filters to the role; its sessions open
//! beneath it, and a session row filters to that session's access key.

use std::collections::HashSet;

use yew::prelude::*;

use super::table::{count_cells, head, not_cell, pick, pick_key, who_cell, NARROW, TOP};
use crate::analysis::filter::Field;
use crate::analysis::identity::{List, RoleRow, SessionRow};
use crate::text::{arn_parts, plural, reveal, thousands, tooltip};
use crate::ui::more::{use_fold, More};
use crate::ui::Ctx;

/// Props of [`RolesPanel`].
#[derive(Properties, PartialEq)]
pub struct RolesProps {
    /// The roles.
    pub roles: List<RoleRow>,
}

/// `arn:aws:sts::1:assumed-role/Role/session` → `session`.
fn session_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn session_line(ctx: &Ctx, s: &SessionRow) -> Html {
    let (field, value) = if s.access_key.is_empty() {
        (Field::Principal, s.stat.key.clone())
    } else {
        (Field::AccessKey, s.access_key.clone())
    };
    let mut sub = Vec::new();
    if !s.access_key.is_empty() {
        sub.push(s.access_key.clone());
    }
    if !s.opened_by.is_empty() {
        sub.push(format!("opened by {}", arn_parts(&s.opened_by).0));
    }
    if !s.source_identity.is_empty() {
        sub.push(format!("source identity {}", s.source_identity));
    }
    html! {
        <tr class="pickable session" tabindex="0" data-key={value.clone()} title={tooltip(&format!("Show only session {}", s.stat.key))}
            onclick={pick(ctx, field, value.clone())} onkeydown={pick_key(ctx, field, value.clone())}>
            {who_cell(session_name(&s.stat.key), &sub.join(" · "), None, false, s.origin.as_ref())}
            {count_cells(&s.stat)}
            {not_cell(ctx, field, &value)}
        </tr>
    }
}

/// The roles panel.
#[function_component(RolesPanel)]
pub fn roles_panel(p: &RolesProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let open = use_state(HashSet::<String>::new);
    let rows = &p.roles.rows;
    let fold = use_fold(rows.len(), TOP);
    html! {
        <section class="panel idt" data-testid="identity-by-role">
            <h2>{"Roles and their sessions"}<span class="count">{thousands(p.roles.total)}</span></h2>
            <p class="note">{"Session issuers: the role behind each assumed-role session (or the user behind a federation token)."}</p>
            if rows.is_empty() {
                <p class="muted">{"No role sessions in these events."}</p>
            } else {
                <table class="idt">
                    {head("Role")}
                    <tbody>
                    { for rows.iter().take(fold.shown()).map(|r| {
                        let is_open = open.contains(&r.stat.key);
                        let flip = {
                            let (open, key) = (open.clone(), r.stat.key.clone());
                            Callback::from(move |e: MouseEvent| {
                                e.stop_propagation();
                                let mut next = (*open).clone();
                                if !next.remove(&key) {
                                    next.insert(key.clone());
                                }
                                open.set(next);
                            })
                        };
                        let (main, account) = arn_parts(&r.stat.key);
                        let sub = format!("{} · {} · {}", r.issuer_type, account, plural(r.sessions.total, "session", "sessions"));
                        html! {
                            <>
                            <tr class="pickable" tabindex="0" data-key={r.stat.key.clone()} title={tooltip(&format!("Show only role {}", r.stat.key))}
                                onclick={pick(&ctx, Field::Role, r.stat.key.clone())} onkeydown={pick_key(&ctx, Field::Role, r.stat.key.clone())}>
                                <td class="who">
                                    <div class="main" title={tooltip(&r.stat.key)}>
                                        <button type="button" class="disclose" aria-expanded={is_open.to_string()}
                                            aria-label={format!("Sessions of {}", reveal(main))} onclick={flip}>{ if is_open { "▾" } else { "▸" } }</button>
                                        {reveal(main).into_owned()}
                                    </div>
                                    <div class="sub" title={tooltip(&sub)}>{reveal(&sub).into_owned()}</div>
                                </td>
                                {count_cells(&r.stat)}
                                {not_cell(&ctx, Field::Role, &r.stat.key)}
                            </tr>
                            if is_open {
                                { for r.sessions.rows.iter().map(|s| session_line(&ctx, s)) }
                                if r.sessions.total > r.sessions.rows.len() as u64 {
                                    <tr class="session"><td colspan="5" class="muted">
                                        {format!("{} more sessions: filter by this role to list them", thousands(r.sessions.total - r.sessions.rows.len() as u64))}
                                    </td></tr>
                                }
                            }
                            </>
                        }
                    }) }
                    </tbody>
                </table>
                <More {fold} total={p.roles.total} what="roles" hint={NARROW} />
            }
        </section>
    }
}
