//! `use_query`: a view asks the engine a question and re-asks when the question or the data changes.

use std::cell::Cell;
use std::rc::Rc;

use yew::prelude::*;

use super::Ctx;
use crate::engine::{Query, Response};

/// The latest answer to `query`, re-asked whenever `query` changes or more data is loaded. Answers
/// to questions that were replaced by newer ones are dropped.
#[hook]
pub fn use_query(query: Query) -> Option<Rc<Response>> {
    use_query_if(Some(query))
}

/// [`use_query`] for a question that is not always needed: with `None` nothing is asked (and the
/// last answer is forgotten), so a view does not make the engine answer, and the page deserialize
/// and draw, what it already has or does not show.
#[hook]
pub fn use_query_if(query: Option<Query>) -> Option<Rc<Response>> {
    use_answer(query).response
}

/// The latest answer, and whether it answers the question asked now.
pub struct Answer {
    /// The latest answer to this or an earlier question.
    pub response: Option<Rc<Response>>,
    /// False while a new question (another filter) is on its way and `response` answers an older
    /// one: the view shows it dimmed, as it may not hold for the filter shown (answers to the same
    /// question on more data, while loading, are current).
    pub current: bool,
    /// The question `response` answers.
    pub answered: Option<Query>,
}

impl Answer {
    /// An answer is shown, and it is not to the question asked now.
    pub fn outdated(&self) -> bool {
        self.response.is_some() && !self.current
    }

    /// How the view marks the answer it shows (see [`Shown`]).
    pub fn shown(&self) -> Shown {
        Shown::of(self.outdated())
    }
}

/// How a view marks the answer it shows, the same way in every view: `data-state` (`ready`, or
/// `updating` for an answer to an earlier question shown while this one's is on its way), the
/// `updating` class that dims it (after a moment, so quick answers do not flicker) and `aria-busy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    /// `data-state`.
    pub state: &'static str,
    /// The class to add.
    pub class: Option<&'static str>,
    /// `aria-busy`.
    pub busy: &'static str,
}

impl Shown {
    /// `outdated`: the answer shown is to an earlier question.
    pub fn of(outdated: bool) -> Shown {
        if outdated {
            Shown { state: "updating", class: Some("updating"), busy: "true" }
        } else {
            Shown { state: "ready", class: None, busy: "false" }
        }
    }
}

/// [`use_query_if`], saying whether the answer is to the question asked now.
#[hook]
pub fn use_answer(query: Option<Query>) -> Answer {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let answer = use_state(|| None::<(Query, Rc<Response>)>);
    let generation = use_mut_ref(|| Rc::new(Cell::new(0u64)));
    let version = ctx.state.0.data_version;
    let current = match (&*answer, &query) {
        (Some((answered, _)), Some(asked)) => answered == asked,
        _ => false,
    };
    {
        let (answer, generation, bridge) = (answer.clone(), generation.clone(), ctx.bridge.clone());
        // Without a question the data version does not matter: nothing to ask again.
        let version = query.as_ref().map(|_| version);
        use_effect_with((query, version), move |(query, _)| {
            let gen_cell = generation.borrow().clone();
            let mine = gen_cell.get() + 1;
            gen_cell.set(mine);
            let Some(query) = query else {
                if answer.is_some() {
                    answer.set(None);
                }
                return;
            };
            let asked = query.clone();
            bridge.ask(
                query.clone(),
                Callback::from(move |r: Response| {
                    if gen_cell.get() == mine {
                        answer.set(Some((asked.clone(), Rc::new(r))));
                    }
                }),
            );
        });
    }
    Answer {
        response: answer.as_ref().map(|(_, r)| Rc::clone(r)),
        current,
        answered: answer.as_ref().map(|(q, _)| q.clone()),
    }
}
