//! The timeline's visible range and how zooming, panning and re-asking move it, without a browser.
//!
//! The page asks the engine for three screens of buckets (the visible range with one screen either
//! side), so panning by less than a screen never waits for the engine; it asks again when the view
//! leaves that range or the zoom changes the bucket size by more than half.

use super::Range;
use crate::model::Millis;

/// Narrowest visible range: 100 ms.
pub const MIN_SPAN: f64 = 100.0;

/// Widest visible range: about 30 years (keeps every bucket formula far from overflow).
pub const MAX_SPAN: f64 = 30.0 * 366.0 * 86_400_000.0;

/// A visible range, ms UTC, as floats so zooming is smooth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// Left edge.
    pub from: f64,
    /// Right edge.
    pub to: f64,
}

impl Viewport {
    /// The view of a range, padded by 2% either side so marks at the ends are not cut.
    pub fn around(r: Range) -> Viewport {
        let pad = ((r.to - r.from) as f64 * 0.02).max(500.0);
        Viewport { from: r.from as f64 - pad, to: r.to as f64 + pad }.clamped()
    }

    /// The view of exactly a range.
    pub fn exactly(r: Range) -> Viewport {
        Viewport { from: r.from as f64, to: r.to as f64 }.clamped()
    }

    /// Its width in ms.
    pub fn span(self) -> f64 {
        self.to - self.from
    }

    /// Zoomed by `factor` (< 1 zooms in) around the point at `at` (0 = left edge, 1 = right edge).
    #[must_use]
    pub fn zoom(self, factor: f64, at: f64) -> Viewport {
        let anchor = self.from + self.span() * at.clamp(0.0, 1.0);
        let span = (self.span() * factor).clamp(MIN_SPAN, MAX_SPAN);
        let from = anchor - span * at.clamp(0.0, 1.0);
        Viewport { from, to: from + span }
    }

    /// Moved by `frac` of its width (positive moves later).
    #[must_use]
    pub fn pan(self, frac: f64) -> Viewport {
        let d = self.span() * frac;
        Viewport { from: self.from + d, to: self.to + d }
    }

    /// Within the span limits.
    #[must_use]
    pub fn clamped(self) -> Viewport {
        let mid = f64::midpoint(self.from, self.to);
        let span = self.span().clamp(MIN_SPAN, MAX_SPAN);
        Viewport { from: mid - span / 2.0, to: mid + span / 2.0 }
    }

    /// The time at `x` of a plot `width` px wide.
    pub fn time_at(self, x: f64, width: f64) -> f64 {
        self.from + self.span() * (x / width.max(1.0))
    }

    /// The x of time `t` in a plot `width` px wide.
    pub fn x_of(self, t: f64, width: f64) -> f64 {
        (t - self.from) / self.span() * width
    }

    /// What to ask for, drawing `width` px with a bucket every `px_per_bucket`: one screen either
    /// side, in whole milliseconds.
    pub fn request(self, width: f64, px_per_bucket: f64) -> (Range, u32) {
        let (from, to) = (self.from - self.span(), self.to + self.span());
        let range = Range { from: from.floor() as Millis, to: (to.ceil() as Millis).max(from.floor() as Millis + 1) };
        let buckets = ((3.0 * width / px_per_bucket.max(1.0)).round() as u32).clamp(1, super::MAX_BUCKETS);
        (range, buckets)
    }

    /// Whether an answer over `have` in `buckets` buckets still serves this view drawn `width` px
    /// wide with a bucket every `px_per_bucket`: the view is inside it and buckets are within half
    /// and twice the wanted size.
    pub fn served_by(self, have: Range, buckets: u32, width: f64, px_per_bucket: f64) -> bool {
        if buckets == 0 || self.from < have.from as f64 || self.to > have.to as f64 {
            return false;
        }
        let have_px = (have.to - have.from) as f64 / f64::from(buckets) / self.span() * width;
        have_px >= px_per_bucket / 2.0 && have_px <= px_per_bucket * 2.0
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // the values compared are exact in binary floating point
mod tests {
    use super::*;

    #[test]
    fn ok_zoom_keeps_the_anchor_in_place() {
        let v = Viewport { from: 0.0, to: 1000.0 };
        let z = v.zoom(0.5, 0.25);
        // The time under a quarter of the width (250) stays there: 250 - 500 * 0.25 = 125.
        assert_eq!((z.from, z.to), (125.0, 625.0));
        assert_eq!(z.time_at(0.25 * 800.0, 800.0), 250.0);
        // No narrower than 100 ms.
        assert_eq!(v.zoom(0.001, 0.5).span(), MIN_SPAN);
    }

    #[test]
    fn ok_pan_and_coordinates() {
        let v = Viewport { from: 1000.0, to: 2000.0 }.pan(-0.1);
        assert_eq!((v.from, v.to), (900.0, 1900.0));
        assert_eq!(v.x_of(1400.0, 500.0), 250.0);
    }

    #[test]
    fn ok_request_covers_a_screen_either_side() {
        let v = Viewport { from: 1000.0, to: 2000.0 };
        let (r, n) = v.request(600.0, 4.0);
        assert_eq!((r.from, r.to, n), (0, 3000, 450));
        assert!(v.served_by(r, n, 600.0, 4.0));
        // Half a screen later: still served. A screen and a half: not.
        assert!(v.pan(0.5).served_by(r, n, 600.0, 4.0));
        assert!(!v.pan(1.5).served_by(r, n, 600.0, 4.0));
        // Zoomed in 4×: buckets now 16 px wide on screen, too coarse.
        assert!(!v.zoom(0.25, 0.5).served_by(r, n, 600.0, 4.0));
        assert!(!v.served_by(r, 0, 600.0, 4.0));
    }

    #[test]
    fn ok_around_pads_a_range() {
        let v = Viewport::around(Range { from: 0, to: 100_000 });
        assert_eq!((v.from, v.to), (-2000.0, 102_000.0));
        // A single instant still gets a readable width.
        let v = Viewport::around(Range { from: 5000, to: 5001 });
        assert!(v.span() >= 1000.0);
    }
}
