//! Pointer, wheel and keyboard input on the timeline's canvas.

use wasm_bindgen::prelude::*;
use web_sys::{AddEventListenerOptions, Element, KeyboardEvent, PointerEvent, WheelEvent};
use yew::prelude::*;

use super::draw::{self, Geometry, Hit};
use super::model::Drag;
use super::Env;

/// The canvas's Yew handlers.
pub struct Handlers {
    pub down: Callback<PointerEvent>,
    pub moved: Callback<PointerEvent>,
    pub up: Callback<PointerEvent>,
    pub leave: Callback<PointerEvent>,
    pub dbl: Callback<MouseEvent>,
    pub key: Callback<KeyboardEvent>,
}

/// Pointer position on the canvas, CSS px.
fn pos(e: &MouseEvent) -> (f64, f64) {
    (f64::from(e.offset_x()), f64::from(e.offset_y()))
}

fn geometry(env: &Env) -> Option<Geometry> {
    let m = env.model.borrow();
    m.view.map(|view| Geometry { width: m.width, view })
}

fn hit_at(env: &Env, x: f64, y: f64) -> Option<Hit> {
    let g = geometry(env)?;
    let m = env.model.borrow();
    draw::hit(m.data.as_deref()?, &m.marks(), g, x, y)
}

/// Builds the handlers.
pub fn handlers(env: &Env) -> Handlers {
    let leave = {
        let env = env.clone();
        Callback::from(move |_: PointerEvent| env.tooltip(None))
    };
    let dbl = {
        let env = env.clone();
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            env.reset();
        })
    };
    let key = {
        let env = env.clone();
        Callback::from(move |e: KeyboardEvent| on_key(&env, &e))
    };
    Handlers { down: on_down(env), moved: on_move(env), up: on_up(env), leave, dbl, key }
}

/// A pointer down starts a pan, a brush (shift or brush mode) or, with a second finger, a pinch.
fn on_down(env: &Env) -> Callback<PointerEvent> {
    {
        let env = env.clone();
        Callback::from(move |e: PointerEvent| {
            let (x, _) = pos(&e);
            if let Some(el) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                let _ = el.set_pointer_capture(e.pointer_id());
            }
            let Some(g) = geometry(&env) else { return };
            let mut m = env.model.borrow_mut();
            m.pointers.retain(|p| p.0 != e.pointer_id());
            m.pointers.push((e.pointer_id(), x));
            m.drag = if m.pointers.len() >= 2 {
                let (a, b) = (m.pointers[0].1, m.pointers[1].1);
                Some(Drag::Pinch {
                    dist: (a - b).abs().max(1.0),
                    view: g.view,
                    at: (f64::midpoint(a, b) - g.gutter()) / g.plot_w(),
                })
            } else if e.shift_key() || m.brush_mode {
                let t = g.t(x.max(g.gutter()));
                Some(Drag::Brush { start: t, now: t })
            } else {
                Some(Drag::Pan { x, view: g.view, moved: false })
            };
        })
    }
}

/// A pointer move drags, brushes, pinches, or (with nothing under way) shows what is under it.
fn on_move(env: &Env) -> Callback<PointerEvent> {
    {
        let env = env.clone();
        Callback::from(move |e: PointerEvent| {
            let (x, y) = pos(&e);
            let Some(g) = geometry(&env) else { return };
            let drag = {
                let mut m = env.model.borrow_mut();
                if let Some(p) = m.pointers.iter_mut().find(|p| p.0 == e.pointer_id()) {
                    p.1 = x;
                }
                m.drag
            };
            match drag {
                Some(Drag::Pan { x: x0, view, moved }) => {
                    let dx = x - x0;
                    if moved || dx.abs() > 3.0 {
                        env.model.borrow_mut().drag = Some(Drag::Pan { x: x0, view, moved: true });
                        env.set_view(view.pan(-dx / g.plot_w()));
                    }
                }
                Some(Drag::Brush { start, .. }) => {
                    env.model.borrow_mut().drag = Some(Drag::Brush { start, now: g.t(x.clamp(g.gutter(), g.width)) });
                    env.schedule();
                }
                Some(Drag::Pinch { dist, view, at }) => {
                    let xs: Vec<f64> = env.model.borrow().pointers.iter().map(|p| p.1).collect();
                    if let [a, b, ..] = xs[..] {
                        env.set_view(view.zoom(dist / (a - b).abs().max(1.0), at));
                    }
                }
                None => env.tooltip(hit_at(&env, x, y).map(|h| (h, x, y))),
            }
        })
    }
}

/// A pointer up ends the brush (which then filters) or, if the pointer did not move, clicks.
fn on_up(env: &Env) -> Callback<PointerEvent> {
    {
        let env = env.clone();
        Callback::from(move |e: PointerEvent| {
            let (x, y) = pos(&e);
            let drag = {
                let mut m = env.model.borrow_mut();
                m.pointers.retain(|p| p.0 != e.pointer_id());
                m.drag.take()
            };
            match drag {
                Some(Drag::Brush { start, now }) => {
                    let px = geometry(&env).map_or(0.0, |g| (g.x(start as i64) - g.x(now as i64)).abs());
                    if px >= 4.0 {
                        env.brush(start, now);
                    } else {
                        env.schedule();
                    }
                }
                Some(Drag::Pan { moved: false, .. }) if e.type_() == "pointerup" => {
                    if let Some(h) = hit_at(&env, x, y) {
                        env.open(h);
                    }
                }
                _ => {}
            }
        })
    }
}

fn on_key(env: &Env, e: &KeyboardEvent) {
    let big = if e.shift_key() { 0.5 } else { 0.2 };
    match e.key().as_str() {
        "+" | "=" => env.zoom(0.5, 0.5),
        "-" | "_" => env.zoom(2.0, 0.5),
        "ArrowLeft" => env.pan(-big),
        "ArrowRight" => env.pan(big),
        "0" | "Home" => env.reset(),
        "ArrowDown" | "ArrowUp" => {
            let by = if e.key() == "ArrowDown" { 1 } else { -1 };
            let cell = env.model.borrow_mut().move_focus(by);
            env.schedule();
            focus_feedback(env, cell);
        }
        "Enter" | " " => {
            let focused = env.model.borrow().focused();
            match focused {
                Some(h) => env.open(h),
                None => return,
            }
        }
        "Escape" => {
            env.model.borrow_mut().focus = None;
            focus_at(env, None);
            env.tooltip(None);
            env.announce("");
            env.schedule();
        }
        _ => return,
    }
    e.prevent_default();
}

/// Shows the focused cell's or mark's tooltip next to it and says it to screen readers.
fn focus_feedback(env: &Env, focused: Option<Hit>) {
    let Some(h) = focused else {
        focus_at(env, None);
        env.announce("No marks in view.");
        return;
    };
    let Some(g) = geometry(env) else { return };
    let (x, y, lines) = {
        let m = env.model.borrow();
        let Some(d) = m.data.as_deref() else { return };
        let marks = m.marks();
        let Some((x, y, _)) = draw::hit_at(g, d, &marks, h) else { return };
        (x, y, super::table::describe(d, &marks, h, m.local))
    };
    focus_at(env, Some((x, y)));
    env.tooltip(Some((h, x, y)));
    env.announce(&lines.join(". "));
}

/// Where the focused mark is drawn (its middle, in CSS px in the canvas), as the canvas's
/// `data-focus-at`, for tests that read its pixels; taken away when nothing is focused.
fn focus_at(env: &Env, at: Option<(f64, f64)>) {
    let Some(canvas) = env.canvas.cast::<Element>() else { return };
    let _ = match at {
        Some((x, y)) => canvas.set_attribute("data-focus-at", &format!("{x:.1},{y:.1}")),
        None => canvas.remove_attribute("data-focus-at"),
    };
}

/// The wheel (which must not scroll the page, so it cannot be a passive listener) and window
/// resizes, attached natively for the component's lifetime.
#[hook]
pub fn use_native_listeners(env: &Env) {
    let env = env.clone();
    use_effect_with((), move |()| {
        let canvas = env.canvas.cast::<Element>();
        let wheel = {
            let env = env.clone();
            Closure::<dyn FnMut(WheelEvent)>::new(move |e: WheelEvent| {
                e.prevent_default();
                let Some(g) = geometry(&env) else { return };
                let unit = if e.delta_mode() == 1 { 16.0 } else { 1.0 };
                let (dx, dy) = (e.delta_x() * unit, e.delta_y() * unit);
                if dx.abs() > dy.abs() && !e.ctrl_key() {
                    env.pan(dx / g.plot_w());
                } else {
                    let at = (f64::from(e.offset_x()) - g.gutter()) / g.plot_w();
                    env.zoom((dy * 0.002).exp(), at);
                }
            })
        };
        let opts = AddEventListenerOptions::new();
        opts.set_passive(false);
        if let Some(c) = &canvas {
            let _ = c.add_event_listener_with_callback_and_add_event_listener_options(
                "wheel",
                wheel.as_ref().unchecked_ref(),
                &opts,
            );
        }
        let resized = {
            let env = env.clone();
            super::super::on_window("resize", move || env.schedule())
        };
        let recoloured = {
            let env = env.clone();
            draw::on_scheme_change(move || env.schedule())
        };
        env.schedule();
        move || {
            if let Some(c) = &canvas {
                let _ = c.remove_event_listener_with_callback("wheel", wheel.as_ref().unchecked_ref());
            }
            resized();
            recoloured();
        }
    });
}
