//! The filter bar: free-text search and one removable chip per filter value. Every view follows it.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::Ctx;
use crate::analysis::filter::Field;
use crate::viewstate::Action;

/// The filter bar.
#[function_component(FilterBar)]
pub fn filter_bar() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let filter = ctx.state.0.filter.clone();
    let draft = use_state(|| filter.text.clone());
    {
        // The search box follows the filter when something else changes it (a removed chip, a link).
        let draft = draft.clone();
        use_effect_with(filter.text.clone(), move |text| draft.set(text.clone()));
    }
    let on_input = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| draft.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_submit = {
        let (state, draft, filter) = (ctx.state.clone(), draft.clone(), filter.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            state.dispatch(Action::SetFilter(Box::new(filter.with(Field::Text, draft.trim()))));
        })
    };
    let chips = filter.chips();
    let clear = {
        let state = ctx.state.clone();
        Callback::from(move |_| state.dispatch(Action::SetFilter(Box::default())))
    };
    html! {
        <section class="filterbar" aria-label="Filters">
            <form class="search" role="search" onsubmit={on_submit}>
                <input type="search" data-testid="search" placeholder="Search names, ARNs, keys, IPs, user agents, errors…"
                    aria-label="Search events" value={(*draft).clone()} oninput={on_input} />
            </form>
            <ul class="chips" data-testid="filter-chips">
                { for chips.into_iter().map(|chip| {
                    let remove = {
                        let (state, filter, chip) = (ctx.state.clone(), filter.clone(), chip.clone());
                        Callback::from(move |_| state.dispatch(Action::SetFilter(Box::new(filter.without(&chip)))))
                    };
                    html! {
                        <li class="chip" data-field={format!("{:?}", chip.field)}>
                            <span class="chip-field">{chip.field.label()}</span>
                            <span class="chip-value" title={chip.value.clone()}>{chip.value.clone()}</span>
                            <button type="button" class="chip-x" aria-label={format!("Remove {} {}", chip.field.label(), chip.value)}
                                onclick={remove}>{"×"}</button>
                        </li>
                    }
                }) }
            </ul>
            if !filter.is_empty() {
                <button type="button" class="link" onclick={clear} data-testid="clear-filters">{"Clear all"}</button>
            }
        </section>
    }
}
