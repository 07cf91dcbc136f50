//! The timeline canvas's colours, as the page's light and dark palettes (`static/style.css`). Pure,
//! so that their contrast is tested without a browser (`ui::timeline::draw` draws with them).

/// The colours the canvas draws with, as the page's light or dark palette (`static/style.css`).
pub struct Palette {
    /// The density strip's ground, and every other lane's.
    pub ground: &'static str,
    /// The other lanes' ground.
    pub lane: &'static str,
    /// Lane names.
    pub label: &'static str,
    /// The ECS and Image Builder lanes' names.
    pub special: &'static str,
    /// The line after the names.
    pub gutter: &'static str,
    /// Grid lines, major and minor.
    pub grid: (&'static str, &'static str),
    /// Axis labels, major and minor.
    pub tick: (&'static str, &'static str),
    /// The density bars.
    pub density: &'static str,
    /// The events' mark.
    pub events: &'static str,
    /// Event cells' colour (`r,g,b`), in eight shades: alpha 0.12 to 0.62 (see `ui::timeline::draw::shades`).
    pub cells: &'static str,
    /// Failures.
    pub error: &'static str,
    /// The focus ring.
    pub focus: &'static str,
    /// A mark's edge and a failed mark's fill (the lane's ground).
    pub edge: &'static str,
    /// Outside a picked range.
    pub dim: &'static str,
    /// A picked range's edges.
    pub range: &'static str,
    /// A time CloudTrail logging was off: its shade (translucent over the lanes), and its edge.
    pub off: (&'static str, &'static str),
    /// A time another service that watches the account was off (`GuardDuty`, flow logs, an
    /// alarm...): its shade and its edge, drawn dashed.
    pub monitor_off: (&'static str, &'static str),
    /// The marks' colours: push, pull, lifecycle expiry, ECS deployment, Image Builder run, another
    /// service's use (see `ui::timeline::draw::colour`); `static/style.css` gives the legend's the
    /// same (`--mark-*`).
    pub marks: [&'static str; 6],
}

/// The light page's.
pub const LIGHT: Palette = Palette {
    ground: "#f8fafc",
    lane: "#ffffff",
    label: "#334155",
    special: "#0f766e",
    gutter: "#e2e8f0",
    grid: ("#cbd5e1", "#eef2f7"),
    tick: ("#0f172a", "#475569"),
    density: "#64748b",
    events: "#475569",
    cells: "71,85,105",
    error: "#B91C1C",
    focus: "#111827",
    edge: "#ffffff",
    dim: "rgba(241,245,249,0.72)",
    range: "#0f766e",
    off: ("rgba(185,28,28,0.10)", "#B91C1C"),
    monitor_off: ("rgba(91,33,182,0.10)", "#5B21B6"),
    // Okabe-Ito, but for the orange, the reddish purple and the sky blue, darkened to 3:1 on the
    // light lanes (at 2.2:1, 2.9:1 and 2.2:1 a pull, a build and a use read faintly on white).
    marks: ["#0072B2", "#B07800", "#D55E00", "#009E73", "#B05E93", "#3A8FC7"],
};

/// The dark page's (`prefers-color-scheme: dark`, on screen).
pub const DARK: Palette = Palette {
    ground: "#172033",
    lane: "#111827",
    label: "#cbd5e1",
    special: "#2dd4bf",
    gutter: "#2b3648",
    grid: ("#475569", "#243044"),
    tick: ("#e2e8f0", "#94a3b8"),
    density: "#94a3b8",
    events: "#94a3b8",
    cells: "148,163,184",
    error: "#f87171",
    focus: "#f8fafc",
    edge: "#111827",
    dim: "rgba(11,17,32,0.72)",
    range: "#2dd4bf",
    off: ("rgba(248,113,113,0.14)", "#f87171"),
    monitor_off: ("rgba(167,139,250,0.12)", "#a78bfa"),
    // Okabe-Ito.
    marks: ["#0072B2", "#E69F00", "#D55E00", "#009E73", "#CC79A7", "#56B4E9"],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// `#rrggbb` as WCAG's relative luminance.
    fn luminance(hex: &str) -> f64 {
        let hex = hex.strip_prefix('#').expect("a #rrggbb colour");
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digits")) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
    }

    /// WCAG's contrast ratio of two `#rrggbb` colours.
    fn contrast(a: &str, b: &str) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// The values of the CSS variable `name` in the light palette and in the dark one, as
    /// `static/style.css` writes them (in `:root`, then under `prefers-color-scheme: dark`).
    fn css_var(name: &str) -> (String, String) {
        let css = include_str!("../static/style.css");
        let name = format!("{name}:");
        let mut found = css.match_indices(&name).map(|(at, name)| {
            let value = &css[at + name.len()..];
            value[..value.find(';').expect("a declaration")].trim().to_owned()
        });
        (found.next().expect("the light value"), found.next().expect("the dark value"))
    }

    /// The marks, in the order of [`Palette::marks`].
    const MARKS: [&str; 6] = ["push", "pull", "expiry", "deploy", "build", "use"];

    #[test]
    fn ok_every_mark_stands_out_from_its_lane_at_wcag_aa() {
        // Graphics (WCAG 1.4.11) need 3:1 against what is next to them: the lanes' grounds.
        for (name, pal) in [("light", &LIGHT), ("dark", &DARK)] {
            for (mark, colour) in MARKS.into_iter().zip(pal.marks) {
                for ground in [pal.lane, pal.ground] {
                    let ratio = contrast(colour, ground);
                    assert!(ratio >= 3.0, "{name}: a {mark} ({colour} on {ground}) has a contrast of {ratio:.2}:1");
                }
            }
        }
    }

    #[test]
    fn ok_the_legend_shows_the_marks_colours() {
        for (i, mark) in MARKS.into_iter().enumerate() {
            let (light, dark) = css_var(&format!("--mark-{mark}"));
            assert_eq!((light.as_str(), dark.as_str()), (LIGHT.marks[i], DARK.marks[i]), "--mark-{mark}");
        }
    }

    #[test]
    fn ok_every_text_on_the_canvas_reads_at_wcag_aa() {
        // The canvas is cleared, so its axis labels stand on the page's panel colour.
        let (light_panel, dark_panel) = css_var("--panel");
        for (name, pal, panel) in [("light", &LIGHT, light_panel), ("dark", &DARK, dark_panel)] {
            let texts = [
                ("lane name", pal.label, pal.lane),
                ("lane name", pal.label, pal.ground),
                ("ECS or Image Builder lane name", pal.special, pal.lane),
                ("ECS or Image Builder lane name", pal.special, pal.ground),
                ("major axis label", pal.tick.0, panel.as_str()),
                ("minor axis label", pal.tick.1, panel.as_str()),
            ];
            for (what, ink, ground) in texts {
                let ratio = contrast(ink, ground);
                assert!(ratio >= 4.5, "{name}: a {what} ({ink} on {ground}) has a contrast of {ratio:.2}:1");
            }
        }
    }

    #[test]
    fn ok_contrast_is_wcags() {
        // WCAG's own bounds: black on white 21:1, a colour on itself 1:1; #767676 on white is the
        // lightest grey that passes AA (4.54:1).
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        assert!((contrast("#336699", "#336699") - 1.0).abs() < 1e-9);
        assert!((contrast("#767676", "#ffffff") - 4.54).abs() < 0.01);
    }
}
