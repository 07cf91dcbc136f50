//! The attention list: what deserves a look, each item with its reason. Clicking an item narrows
//! every view to the events behind it.

use yew::prelude::*;

use super::table::{seen, set_filter, NARROW};
use crate::analysis::filter::Field;
use crate::analysis::identity::{Attention, List};
use crate::text::{plural, reveal, thousands, tooltip};
use crate::ui::more::{use_fold, More};
use crate::ui::Ctx;

/// Items shown before "show all".
const TOP: usize = 8;

/// Props of [`AttentionPanel`].
#[derive(Properties, PartialEq)]
pub struct AttentionProps {
    /// The items.
    pub items: List<Attention>,
}

/// The attention panel.
#[function_component(AttentionPanel)]
pub fn attention_panel(p: &AttentionProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let rows = &p.items.rows;
    let fold = use_fold(rows.len(), TOP);
    html! {
        <section class="panel attention" data-testid="identity-attention">
            <h2>{"Needs attention"}<span class="count">{thousands(p.items.total)}</span></h2>
            if rows.is_empty() {
                <p class="muted">
                    {"Nothing stands out in these events: no root activity, no console sign-in without MFA, no burst \
                      of denied calls, no long-term key at a new address, no writes from an unusual client, no ECR repository or registry \
                      opened to outsiders, no credentials made for someone else, no administrator access given, no image \
                      deleted soon after its push, no role refused to a web identity."}
                </p>
            } else {
                <ul class="attention-list">
                { for rows.iter().take(fold.shown()).zip(card_keys(rows)).map(|(a, key)| {
                    let narrow = {
                        let (ctx, a) = (ctx.clone(), a.clone());
                        Callback::from(move |_| set_filter(&ctx, a.narrow(&ctx.state.0.filter)))
                    };
                    let key_narrow = {
                        let (ctx, a) = (ctx.clone(), a.clone());
                        Callback::from(move |e: KeyboardEvent| if e.key() == "Enter" { set_filter(&ctx, a.narrow(&ctx.state.0.filter)) })
                    };
                    html! {
                        <li {key} class={classes!("item", a.severity.slug())} data-kind={a.kind.slug()} data-severity={a.severity.slug()}
                            tabindex="0" onclick={narrow} onkeydown={key_narrow} title="Show these events">
                            <div class="item-head">
                                <span class={classes!("sev", a.severity.slug())}>{a.severity.slug()}</span>
                                <span class="kind">{a.kind.label()}</span>
                                if a.who.is_empty() {
                                    <span class="item-title" title={tooltip(&a.title)}>{reveal(&a.title).into_owned()}</span>
                                }
                            </div>
                            if !a.who.is_empty() {
                                {who_line(a)}
                            }
                            // What it is about, unless the title only says the principal again.
                            if !a.who.is_empty() && !a.title.contains(a.who.as_str()) {
                                <div class="item-title item-line" data-testid="attention-title" title={tooltip(&a.title)}>
                                    {reveal(&a.title).into_owned()}
                                </div>
                            }
                            <Why text={a.why.clone()} events={a.events} seen={seen(a.first, a.last)} />
                        </li>
                    }
                }) }
                </ul>
                <More {fold} total={p.items.total} what="items" hint={NARROW} />
            }
        </section>
    }
}

/// A key per card, the same for the same item across redraws, and never twice in one list.
fn card_keys(rows: &[Attention]) -> Vec<String> {
    let mut seen = std::collections::HashMap::new();
    rows.iter()
        .map(|a| {
            let key = format!("{}|{}|{}|{}", a.kind.slug(), a.who, a.title, a.first);
            let n: &mut u32 = seen.entry(key.clone()).or_default();
            *n += 1;
            if *n == 1 {
                key
            } else {
                format!("{key}#{n}")
            }
        })
        .collect()
}

/// Characters of a reason that four lines of the narrowest card hold: a longer one gets "Read all".
const CLAMPED_CHARS: usize = 200;

/// Props of [`Why`].
#[derive(Properties, PartialEq)]
struct WhyProps {
    text: String,
    events: u64,
    seen: Html,
}

/// An item's reason, four lines of it, and its foot; a longer reason (a policy's statements, who
/// took a role on, when it was taken back) opens whole on "Read all", which does not narrow the
/// views and stays with its item (the card is keyed) while the list is redrawn.
#[function_component(Why)]
fn why(p: &WhyProps) -> Html {
    let open = use_state(|| false);
    let long = p.text.chars().count() > CLAMPED_CHARS;
    let toggle = {
        let open = open.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            open.set(!*open);
        })
    };
    // Enter on the button is the button's, not the card's (which narrows every view).
    let keep = Callback::from(|e: KeyboardEvent| e.stop_propagation());
    html! {
        <>
            <p class={classes!("why", (*open).then_some("open"))} data-testid="attention-why" title={tooltip(&p.text)}>
                {reveal(&p.text).into_owned()}
            </p>
            <div class="item-foot">
                <span>
                    {plural(p.events, "event", "events")}
                    if long {
                        <button class="disclose read" data-testid="attention-read" aria-expanded={open.to_string()}
                            onclick={toggle} onkeydown={keep}>
                            { if *open { "Less" } else { "Read all" } }
                        </button>
                    }
                </span>
                <span class="seen">{p.seen.clone()}</span>
            </div>
        </>
    }
}

/// The item's principal on a line of its own, named as the tables name it: a narrow card gives up
/// the kind (`assumed-role/`), then the account, then the role's name before the session. In the
/// title, after the ARN's 40-odd characters, two users of one account read the same (the card had
/// read `arn:aws:iam::55556666…` twice). A key's item names the key first. The whole title is the
/// tooltip.
fn who_line(a: &Attention) -> Html {
    let key = a.chips.iter().find(|(f, _)| *f == Field::AccessKey).map(|(_, k)| k);
    html! {
        <div class="item-who" data-testid="attention-who" data-principal={a.who.clone()} title={tooltip(&a.title)}>
            if let Some(key) = key {
                <code class="key">{reveal(key).into_owned()}</code>
            }
            {crate::ui::arn_label(&a.who)}
        </div>
    }
}
