//! What the timeline holds between frames: the view, the latest answer, the drag under way, the
//! focused mark. Kept outside Yew's state so a wheel turn redraws the canvas without re-rendering.

use std::rc::Rc;

use crate::analysis::timeline::viewport::Viewport;
use crate::analysis::timeline::{Mark, Range, Timeline};
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
    /// Minutes ahead of UTC of the clock shown (0: UTC).
    pub offset_min: i64,
    /// The filter's time range, drawn as the selection.
    pub selection: Option<Range>,
    /// Dragging brushes instead of panning.
    pub brush_mode: bool,
    /// A frame is scheduled.
    pub frame_pending: bool,
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
        (self.width - super::draw::GUTTER - super::draw::PAD_R).max(10.0)
    }

    /// Cells in keyboard order: marks by time then lane; when there are none, event cells.
    pub fn focus_order(&self) -> Vec<usize> {
        let Some(d) = self.data.as_deref() else { return Vec::new() };
        let marks: Vec<usize> = (0..d.cells.len()).filter(|&i| d.cells[i].mark != Mark::Events).collect();
        let mut order = if marks.is_empty() { (0..d.cells.len()).collect() } else { marks };
        // Only what is visible.
        if let Some(v) = self.view {
            let r = d.range.unwrap_or(Range { from: 0, to: 1 });
            order.retain(|&i| {
                let t = crate::analysis::timeline::bucket_start(r, d.buckets, d.cells[i].bucket) as f64;
                t >= v.from - v.span() / f64::from(d.buckets.max(1)) && t < v.to
            });
        }
        order.sort_by_key(|&i| (d.cells[i].bucket, d.cells[i].lane, d.cells[i].mark));
        order
    }

    /// Moves the focus `by` cells in keyboard order; returns the focused cell.
    pub fn move_focus(&mut self, by: i32) -> Option<usize> {
        let order = self.focus_order();
        let d = self.data.clone()?;
        let at = self.focus.and_then(|f| order.iter().position(|&i| (d.cells[i].row, d.cells[i].mark) == f));
        let next = match (at, by >= 0) {
            (None, true) => 0,
            (None, false) => order.len().checked_sub(1)?,
            (Some(i), true) => (i + by as usize).min(order.len().checked_sub(1)?),
            (Some(i), false) => i.saturating_sub(by.unsigned_abs() as usize),
        };
        let cell = *order.get(next)?;
        self.focus = Some((d.cells[cell].row, d.cells[cell].mark));
        Some(cell)
    }
}
