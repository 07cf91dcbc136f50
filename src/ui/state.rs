//! The Yew reducer around the pure [`ViewState`].

use std::rc::Rc;

use yew::Reducible;

use crate::viewstate::{Action, ViewState};

/// The page state, as a Yew reducer.
#[derive(Default, PartialEq)]
pub struct State(pub ViewState);

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = self.0.clone();
        next.apply(action);
        Rc::new(State(next))
    }
}
