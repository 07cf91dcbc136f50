//! What the timeline holds between frames: the view, the latest answer, the drag under way, the
//! focused mark. Kept outside Yew's state so a wheel turn redraws the canvas without re-rendering.

use std::cell::RefCell;
use std::rc::Rc;

use super::draw::Hit;
use crate::analysis::timeline::drawn::{coalesce, middle, stride, Drawn, MARK_PX};
use crate::analysis::timeline::viewport::Viewport;
use crate::analysis::timeline::{bucket_start, Mark, Range, Timeline};
use crate::store::Row;

/// A bucket every this many CSS px.
pub const PX_PER_BUCKET: f64 = 4.0;

/// A pointer drag.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Drag {
    /// Moving the view: where it started.
    Pan {
        /// Pointer x at the start.
        x: f64,
        /// The view then.
        view: Viewport,
        /// Moved far enough to be a drag, not a click.
        moved: bool,
    },
    /// Two fingers: their distance and the view when the second came down, and where between the
    /// plot's edges (0..1) their middle was.
    Pinch {
        /// Distance between the pointers at the start.
        dist: f64,
        /// The view then.
        view: Viewport,
        /// The anchor.
        at: f64,
    },
    /// Selecting a range: times under the start and the current pointer.
    Brush {
        /// Time at the start.
        start: f64,
        /// Time under the pointer now.
        now: f64,
    },
}

/// The answer's marks as drawn at the current zoom: merged `stride` buckets at a time (see
/// [`crate::analysis::timeline::drawn`]).
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// Buckets each drawn mark stands for.
    pub stride: u32,
    /// The drawn marks, by lane, group, mark.
    pub list: Rc<Vec<Drawn>>,
    /// Where each stands: the middle of its buckets, ms UTC.
    pub at: Rc<Vec<f64>>,
}

impl Marks {
    /// Answer `d`'s marks merged `stride` buckets at a time.
    pub fn new(d: &Timeline, stride: u32) -> Marks {
        let r = d.range.unwrap_or(Range { from: 0, to: 1 });
        let list = coalesce(&d.cells, stride);
        let at = list.iter().map(|m| middle(r, d.buckets, m)).collect();
        Marks { stride, list: Rc::new(list), at: Rc::new(at) }
    }

    /// Whether drawn mark `i` stands in the time range `[from, to]`: what keyboard focus, the
    /// table and the readout count as in view.
    pub fn in_view(&self, i: usize, from: f64, to: f64) -> bool {
        self.at.get(i).is_some_and(|&t| t >= from && t <= to)
    }
}

/// The timeline's working state.
#[derive(Default)]
#[allow(clippy::struct_excessive_bools)] // independent switches, not a state machine in disguise
pub struct Model {
    /// What is visible (`None` until the data's extent is known).
    pub view: Option<Viewport>,
    /// The latest answer.
    pub data: Option<Rc<Timeline>>,
    /// The view follows the data's extent until the person zooms or pans.
    pub touched: bool,
    /// A question is on its way (range, buckets).
    pub asking: Option<(Range, u32)>,
    /// The view changed while a question was on its way: ask again when it lands.
    pub stale: bool,
    /// A drag under way.
    pub drag: Option<Drag>,
    /// Active pointers (id, x) for pinch zoom.
    pub pointers: Vec<(i32, f64)>,
    /// The focused cell (its row and mark survive new answers).
    pub focus: Option<(Row, Mark)>,
    /// Canvas width in CSS px.
    pub width: f64,
    /// Times are shown in this browser's zone, not UTC (see [`super::offset_at`]).
    pub local: bool,
    /// The filter's time range, drawn as the selection.
    pub selection: Option<Range>,
    /// Dragging brushes instead of panning.
    pub brush_mode: bool,
    /// A frame is scheduled.
    pub frame_pending: bool,
    /// The last merged marks and the answer they are of (merging is redone only when either changes).
    merged: RefCell<Option<(Rc<Timeline>, Marks)>>,
}

impl Model {
    /// Whether the latest answer serves the view (else a question is needed).
    pub fn served(&self) -> bool {
        match (self.view, self.data.as_deref()) {
            (Some(v), Some(d)) => d.range.is_some_and(|r| v.served_by(r, d.buckets, self.plot_w(), PX_PER_BUCKET)),
            _ => false,
        }
    }

    /// The plot's width in CSS px.
    pub fn plot_w(&self) -> f64 {
        super::draw::plot_w(self.width)
    }

    /// Buckets per drawn mark at the current zoom (1 when nothing is drawn yet).
    pub fn stride(&self) -> u32 {
        let (Some(v), Some(d)) = (self.view, self.data.as_deref()) else { return 1 };
        match d.range {
            Some(r) if d.buckets > 0 => {
                let bucket_px = (r.to - r.from) as f64 / f64::from(d.buckets) / v.span() * self.plot_w();
                stride(bucket_px, MARK_PX)
            }
            _ => 1,
        }
    }

    /// The answer's marks as drawn at the current zoom (remembered per answer and stride).
    pub fn marks(&self) -> Marks {
        let Some(d) = self.data.as_ref() else { return Marks::default() };
        let k = self.stride();
        let mut merged = self.merged.borrow_mut();
        if let Some((tl, m)) = merged.as_ref() {
            if Rc::ptr_eq(tl, d) && m.stride == k {
                return m.clone();
            }
        }
        let m = Marks::new(d, k);
        *merged = Some((Rc::clone(d), m.clone()));
        m
    }

    /// What keyboard focus walks, in order: the drawn marks in view by time then lane; when the
    /// answer has no marks, its event cells in view.
    pub fn focus_order(&self) -> Vec<Hit> {
        let Some(d) = self.data.as_deref() else { return Vec::new() };
        let r = d.range.unwrap_or(Range { from: 0, to: 1 });
        let at = |b: u32| bucket_start(r, d.buckets, b.min(d.buckets)) as f64;
        let marks = self.marks();
        let Some(v) = self.view else { return Vec::new() };
        if marks.list.is_empty() {
            let mut order: Vec<usize> = (0..d.cells.len())
                .filter(|&i| {
                    let t = at(d.cells[i].bucket);
                    t >= v.from - v.span() / f64::from(d.buckets.max(1)) && t < v.to
                })
                .collect();
            order.sort_by_key(|&i| (d.cells[i].bucket, d.cells[i].lane, d.cells[i].mark));
            return order.into_iter().map(Hit::Cell).collect();
        }
        let mut order: Vec<usize> = (0..marks.list.len()).filter(|&i| marks.in_view(i, v.from, v.to)).collect();
        order.sort_by_key(|&i| (marks.list[i].group, marks.list[i].lane, marks.list[i].mark));
        order.into_iter().map(Hit::Mark).collect()
    }

    /// What the focus is on now: its event cell, or the drawn mark holding its key event (which,
    /// after a zoom has merged marks differently, is the drawn mark holding that cell).
    pub fn focused(&self) -> Option<Hit> {
        let (row, mark) = self.focus?;
        let d = self.data.as_deref()?;
        if mark == Mark::Events {
            return d.cells.iter().position(|c| (c.row, c.mark) == (row, mark)).map(Hit::Cell);
        }
        let marks = self.marks();
        if let Some(i) = marks.list.iter().position(|m| (m.row, m.mark) == (row, mark)) {
            return Some(Hit::Mark(i));
        }
        let c = d.cells.iter().find(|c| (c.row, c.mark) == (row, mark))?;
        let group = c.bucket / marks.stride.max(1);
        marks.list.iter().position(|m| (m.lane, m.mark, m.group) == (c.lane, mark, group)).map(Hit::Mark)
    }

    /// Moves the focus `by` steps in keyboard order; returns what it is on.
    pub fn move_focus(&mut self, by: i32) -> Option<Hit> {
        let order = self.focus_order();
        let at = self.focused().and_then(|h| order.iter().position(|&o| o == h));
        let next = match (at, by >= 0) {
            (None, true) => 0,
            (None, false) => order.len().checked_sub(1)?,
            (Some(i), true) => (i + by as usize).min(order.len().checked_sub(1)?),
            (Some(i), false) => i.saturating_sub(by.unsigned_abs() as usize),
        };
        let hit = *order.get(next)?;
        let d = self.data.clone()?;
        self.focus = match hit {
            Hit::Cell(i) => Some((d.cells[i].row, d.cells[i].mark)),
            Hit::Mark(i) => self.marks().list.get(i).map(|m| (m.row, m.mark)),
            Hit::Span(_) | Hit::Density(_) => None,
        };
        Some(hit)
    }
}
