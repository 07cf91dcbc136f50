//! Marks pre-drawn on small offscreen canvases, one per shape, state, size and pixel ratio, so a
//! frame stamps each mark with one `drawImage` instead of building and painting a path (zoomed out
//! over a million events a frame shows thousands of marks).

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::draw::{paint, path, Failed};
use crate::analysis::timeline::Mark;

/// Radii are rounded to a quarter pixel (marks grow with the log of their count, 4.5 to 8.5 px).
const STEPS_PER_PX: f64 = 4.0;

/// Room around a mark's radius for its outline (2.5 px when any failed) and its sharpest corner's miter.
const EDGE: f64 = 4.0;

/// Sprites kept at most (6 marks × 3 states × 17 sizes at one pixel ratio is 306).
const MAX_SPRITES: usize = 1024;

type Key = (Mark, Failed, u32, u32);

thread_local! {
    static SPRITES: RefCell<HashMap<Key, (HtmlCanvasElement, f64)>> = RefCell::default();
}

/// Calls `f` with the sprite of a mark of radius `r` (with none, some or all of its calls failed)
/// at `dpr` device pixels per CSS pixel and the half-width in CSS px to draw it at (centred on the
/// mark); `None` when no canvas can be made. The sprite is lent, not cloned: a frame stamps hundreds.
pub fn with<T>(
    mark: Mark,
    failed: Failed,
    r: f64,
    dpr: f64,
    f: impl FnOnce(&HtmlCanvasElement, f64) -> T,
) -> Option<T> {
    let steps = (r * STEPS_PER_PX).round();
    let key = (mark, failed, steps as u32, (dpr * 100.0).round() as u32);
    SPRITES.with(|s| {
        let mut s = s.borrow_mut();
        if !s.contains_key(&key) {
            if s.len() >= MAX_SPRITES {
                s.clear();
            }
            let made = make(mark, failed, steps / STEPS_PER_PX, dpr)?;
            s.insert(key, made);
        }
        s.get(&key).map(|(sprite, half)| f(sprite, *half))
    })
}

fn make(mark: Mark, failed: Failed, r: f64, dpr: f64) -> Option<(HtmlCanvasElement, f64)> {
    // A whole number of device pixels either side of the centre, so stamps land on the pixel grid.
    let half_px = ((r + EDGE) * dpr).ceil();
    let canvas: HtmlCanvasElement = web_sys::window()?.document()?.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(2 * half_px as u32);
    canvas.set_height(2 * half_px as u32);
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.set_transform(dpr, 0.0, 0.0, dpr, half_px, half_px).ok()?;
    path(&ctx, mark, 0.0, 0.0, r);
    paint(&ctx, mark, failed);
    Some((canvas, half_px / dpr))
}
