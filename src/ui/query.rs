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
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let answer = use_state(|| None::<Rc<Response>>);
    let generation = use_mut_ref(|| Rc::new(Cell::new(0u64)));
    let version = ctx.state.0.data_version;
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
            bridge.ask(
                query.clone(),
                Callback::from(move |r: Response| {
                    if gen_cell.get() == mine {
                        answer.set(Some(Rc::new(r)));
                    }
                }),
            );
        });
    }
    (*answer).clone()
}
