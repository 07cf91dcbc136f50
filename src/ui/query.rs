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
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let answer = use_state(|| None::<Rc<Response>>);
    let generation = use_mut_ref(|| Rc::new(Cell::new(0u64)));
    let version = ctx.state.0.data_version;
    {
        let (answer, generation, bridge) = (answer.clone(), generation.clone(), ctx.bridge.clone());
        use_effect_with((query, version), move |(query, _)| {
            let gen_cell = generation.borrow().clone();
            let mine = gen_cell.get() + 1;
            gen_cell.set(mine);
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
