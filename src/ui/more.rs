//! The foot of a list a panel shows folded to its first rows: the button that shows every row the
//! engine sent (or fewer again) and, when the engine sent only the biggest of more, a line saying
//! so. A panel never says "all" of a list the engine cut.

use yew::prelude::*;

use crate::text::thousands;

#[derive(Properties, PartialEq)]
pub struct MoreProps {
    /// Rows the engine sent.
    pub listed: usize,
    /// Rows there are: more than `listed` when the engine cut the list to its first.
    pub total: u64,
    /// Rows shown while folded.
    pub top: usize,
    /// Whether every listed row is shown.
    pub all: bool,
    pub toggle: Callback<MouseEvent>,
    /// What the rows are, plural ("principals").
    pub what: AttrValue,
    /// How to reach the rows not listed ("use + Filter or search").
    pub hint: AttrValue,
}

/// "Show all N", or "Show the top N of M" when the engine cut the list; once every listed row is
/// shown (or when all of them fit folded), "N of M principals listed; HINT." under a cut list.
#[function_component(More)]
pub fn more(p: &MoreProps) -> Html {
    let cut = p.total > p.listed as u64;
    let foldable = p.listed > p.top;
    let label = match (p.all, cut) {
        (true, _) => "Show fewer".to_owned(),
        (false, false) => format!("Show all {}", thousands(p.total)),
        (false, true) => format!("Show the top {} of {}", thousands(p.listed as u64), thousands(p.total)),
    };
    html! {
        <>
            if cut && (p.all || !foldable) {
                <p class="muted small" data-testid="list-cut">
                    {format!("{} of {} {} listed; {}.", thousands(p.listed as u64), thousands(p.total), p.what, p.hint)}
                </p>
            }
            if foldable {
                <button type="button" class="link" data-testid="list-more" onclick={p.toggle.clone()}>{label}</button>
            }
        </>
    }
}
