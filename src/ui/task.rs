//! Tasks of the page's own: work split into slices that each give the thread back to the page.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// What waits for the page's messages to itself, oldest first.
type Waiting = Rc<RefCell<VecDeque<Box<dyn FnOnce()>>>>;

/// The page's channel to itself (see [`soon`]).
struct SelfChannel {
    to_self: web_sys::MessagePort,
    waiting: Waiting,
    _on_message: Closure<dyn FnMut(JsValue)>,
}

thread_local! {
    static SELF_CHANNEL: Option<SelfChannel> = self_channel();
}

fn self_channel() -> Option<SelfChannel> {
    let channel = web_sys::MessageChannel::new().ok()?;
    let waiting = Waiting::default();
    let queue = waiting.clone();
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        let next = queue.borrow_mut().pop_front();
        if let Some(f) = next {
            f();
        }
    });
    channel.port1().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    Some(SelfChannel { to_self: channel.port2(), waiting, _on_message: on_message })
}

/// Runs `f` in a task of its own, after what the page has waiting (input, drawing, messages): a
/// message the page sends itself. Not `setTimeout(0)`: the browser holds a timer back at least 4 ms
/// once timers are nested five deep, and posting files in 10 ms slices chained that way left the
/// thread idle for a quarter of the time while the workers waited for files.
pub fn soon(f: impl FnOnce() + 'static) {
    let mut f: Option<Box<dyn FnOnce()>> = Some(Box::new(f));
    SELF_CHANNEL.with(|c| {
        let Some(c) = c else { return };
        let Some(g) = f.take() else { return };
        c.waiting.borrow_mut().push_back(g);
        if c.to_self.post_message(&JsValue::NULL).is_err() {
            f = c.waiting.borrow_mut().pop_back();
        }
    });
    // No channel, or it failed (never seen in a browser): a timer, clamped or not.
    if let Some(f) = f {
        gloo::timers::callback::Timeout::new(0, f).forget();
    }
}

/// Resolves in a later task of the page (see [`soon`]), so what runs next is not part of this one.
pub async fn next_task() {
    let _ = JsFuture::from(Promise::new(&mut |resolve: Function, _: Function| {
        soon(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
    }))
    .await;
}
