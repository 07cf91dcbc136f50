//! Changes to registries as a whole, above the repositories: a registry policy that lets another
//! account replicate or pull through, replication to another account, pull-through cache rules
//! (which upstream registries become repositories here), scanning, creation templates.

use yew::prelude::*;

use super::common::{change_badge, details, lowered_badge, use_container, when, who, Events, Pager};
use crate::analysis::container::report::{Exposure, RegistryChange};
use crate::analysis::container::{Ask, ContainerAnswer};
use crate::text::{plural, reveal, thousands};

/// Changes shown before the panel is unfolded: registries change seldom, and the repositories
/// under them are what the tab is for.
const FOLDED: usize = 5;

/// The panel; nothing at all when the filter keeps no registry change.
#[function_component(RegistryChanges)]
pub fn registry_changes() -> Html {
    let offset = use_state(|| 0u32);
    let unfolded = use_state(|| false);
    let (answer, shown) = use_container(Ask::Registry { offset: *offset });
    let Some(ContainerAnswer::Registry(page)) = answer.as_deref() else { return Html::default() };
    if page.total == 0 {
        return Html::default();
    }
    let opened = page.items.iter().any(|g| g.change.error_code.is_empty() && g.change.exposure != Exposure::Own);
    let shown_items = if *unfolded { page.items.len() } else { page.items.len().min(FOLDED) };
    let toggle = {
        let (unfolded, offset) = (unfolded.clone(), offset.clone());
        Callback::from(move |_| {
            unfolded.set(!*unfolded);
            offset.set(0);
        })
    };
    let set_offset = {
        let offset = offset.clone();
        Callback::from(move |o| offset.set(o))
    };
    html! {
        <section class={classes!("panel", shown.class)} data-testid="registry-changes" data-total={page.total.to_string()}
            data-state={shown.state} aria-busy={shown.busy}>
            <h2>{"Registry settings"}<span class="count">{thousands(page.total)}</span></h2>
            <p class="muted small">
                {"Changes to a registry as a whole: its policy, replication, pull-through cache rules, scanning, signing, templates for new repositories."}
                if opened {
                    {" Those marked let another account in, copy images to one, or turn scanning or signing off."}
                }
            </p>
            <table class="list registry">
                <thead><tr><th>{"When"}</th><th>{"Change"}</th><th>{"What it set"}</th><th>{"Who"}</th></tr></thead>
                <tbody>{ for page.items.iter().take(shown_items).map(row) }</tbody>
            </table>
            if page.total as usize > FOLDED {
                <button type="button" class="link" data-testid="registry-more" onclick={toggle}>
                    { if *unfolded { "Show fewer".to_owned() } else { format!("Show all {}", plural(page.total, "change", "changes")) } }
                </button>
            }
            if *unfolded {
                <Pager offset={*offset} total={page.total} on_change={set_offset} />
            }
        </section>
    }
}

fn row(g: &RegistryChange) -> Html {
    let c = &g.change;
    html! {
        <tr class={classes!((!c.error_code.is_empty()).then_some("failed"))} data-testid="change" data-call={c.call.clone()}>
            <td>{when(c.time)}</td>
            <td>
                <div class="call">{c.call.clone()}</div>
                {change_badge(c)}
                {lowered_badge(c)}
                if !c.error_code.is_empty() { <div class="error">{reveal(&c.error_code).into_owned()}</div> }
                <div class="muted small" data-testid="registry" data-account={g.registry.clone()} data-region={g.region.clone()}>
                    {reveal(&format!("{} · {}", g.registry, g.region)).into_owned()}
                </div>
            </td>
            <td>{details(&c.details)}</td>
            <td>{who(&c.who)}<Events events={c.events.clone()} /></td>
        </tr>
    }
}
