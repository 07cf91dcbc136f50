//! Geometry of the virtual event table, pure so it is tested without a browser.
//!
//! Chromium cannot lay out an element taller than about 16.7 million pixels: at 30 px a row, that is
//! 550,000 rows. Past [`MAX_SPACER_PX`] the spacer stops growing and the scrollbar is scaled, so a
//! scroll position maps to a row proportionally and the bottom of the scrollbar is the last row.

/// Row height in pixels (matches `.ev-row` in style.css).
pub const ROW_PX: f64 = 30.0;

/// Tallest spacer; beyond it the scrollbar is scaled.
pub const MAX_SPACER_PX: f64 = 8_000_000.0;

/// The spacer's height for `total` rows.
pub fn spacer_height(total: u64) -> f64 {
    (total as f64 * ROW_PX).min(MAX_SPACER_PX)
}

/// Where the viewport is, in rows, for a scroll position (pixels) of the scaled spacer.
pub fn first_row(scroll_top: f64, viewport: f64, total: u64) -> (u64, f64) {
    let total_px = total as f64 * ROW_PX;
    let spacer = spacer_height(total);
    let real = (spacer - viewport).max(0.0);
    let virt = (total_px - viewport).max(0.0);
    let top = if real > 0.0 { scroll_top.clamp(0.0, real) * virt / real } else { 0.0 };
    let first = (top / ROW_PX).floor();
    (first as u64, top - first * ROW_PX)
}

/// The scroll position that shows row `index` at the top.
pub fn scroll_for(index: u64, viewport: f64, total: u64) -> f64 {
    let total_px = total as f64 * ROW_PX;
    let spacer = spacer_height(total);
    let real = (spacer - viewport).max(0.0);
    let virt = (total_px - viewport).max(0.0);
    if virt > 0.0 {
        (index as f64 * ROW_PX).min(virt) * real / virt
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_geometry_maps_ends_to_ends() {
        // Small tables scroll one to one.
        assert_eq!(first_row(0.0, 600.0, 100), (0, 0.0));
        assert_eq!(first_row(300.0, 600.0, 100), (10, 0.0));
        // Huge tables scale: the bottom of the scrollbar is the last page.
        let total = 3_000_000;
        let real_max = MAX_SPACER_PX - 600.0;
        let (first, _) = first_row(real_max, 600.0, total);
        assert_eq!(first, total - 20);
        assert!(scroll_for(total - 20, 600.0, total) <= real_max + 1e-6);
    }
}
