//! The foot of a list a panel shows folded to its first rows: the button that shows every row the
//! engine sent (or fewer again) and, when the engine sent only the biggest of more, a line saying
//! so. A panel never says "all" of a list the engine cut.

use yew::prelude::*;

use crate::text::thousands;

/// A list drawn folded to its first `top` rows until the person unfolds it: how many rows to draw
/// ([`Fold::shown`]), and what the foot ([`More`]) shows and flips.
#[derive(Clone, PartialEq)]
pub struct Fold {
    /// Rows the engine sent.
    pub listed: usize,
    /// Rows drawn while folded.
    pub top: usize,
    /// Whether every listed row is drawn.
    pub all: bool,
    /// Folds or unfolds.
    pub toggle: Callback<MouseEvent>,
}

impl Fold {
    /// Rows to draw.
    pub fn shown(&self) -> usize {
        if self.all {
            self.listed
        } else {
            self.listed.min(self.top)
        }
    }
}

/// The fold of a list of `listed` rows showing `top` while folded (folded at first).
#[hook]
pub fn use_fold(listed: usize, top: usize) -> Fold {
    let all = use_state(|| false);
    let toggle = {
        let all = all.clone();
        Callback::from(move |_| all.set(!*all))
    };
    Fold { listed, top, all: *all, toggle }
}

#[derive(Properties, PartialEq)]
pub struct MoreProps {
    /// The list's fold.
    pub fold: Fold,
    /// Rows there are: more than the fold's `listed` when the engine cut the list to its first.
    pub total: u64,
    /// What the rows are, plural ("principals").
    pub what: AttrValue,
    /// How to reach the rows not listed ("use + Filter or search").
    pub hint: AttrValue,
}

/// "Show all N", or "Show the top N of M" when the engine cut the list; once every listed row is
/// shown (or when all of them fit folded), "N of M principals listed; HINT." under a cut list.
#[function_component(More)]
pub fn more(p: &MoreProps) -> Html {
    let Fold { listed, top, all, ref toggle } = p.fold;
    let cut = p.total > listed as u64;
    let foldable = listed > top;
    let label = match (all, cut) {
        (true, _) => "Show fewer".to_owned(),
        (false, false) => format!("Show all {}", thousands(p.total)),
        (false, true) => format!("Show the top {} of {}", thousands(listed as u64), thousands(p.total)),
    };
    html! {
        <>
            if cut && (all || !foldable) {
                <p class="muted small" data-testid="list-cut">
                    {format!("{} of {} {} listed; {}.", thousands(listed as u64), thousands(p.total), p.what, p.hint)}
                </p>
            }
            if foldable {
                <button type="button" class="link" data-testid="list-more" onclick={toggle.clone()}>{label}</button>
            }
        </>
    }
}
