//! The timeline's time axis: which ticks to draw over a visible range, and how to label them, from
//! seconds to years, in UTC or in a zone given by its offset from UTC at each instant (the page's
//! local time, daylight saving time included).
//!
//! Ticks sit on round values of the shown clock (every 15 minutes at :00, :15...; every month on the
//! 1st), so they are chosen in local time and turned back into UTC milliseconds.
//!
//! ```
//! use trailscope::analysis::timeline::axis::ticks;
//! // 01:00 to 02:00 UTC over 600 px, at least 80 px apart: every 10 minutes.
//! let t = ticks(3_600_000, 7_200_000, 600.0, 80.0, |_| 0);
//! assert_eq!(t.first().map(|t| t.label.as_str()), Some("01:00"));
//! assert_eq!(t.len(), 6);
//! ```

use crate::model::time::{civil_from_days, days_from_civil};
use crate::model::Millis;

const S: Millis = 1000;
const M: Millis = 60 * S;
const H: Millis = 60 * M;
const D: Millis = 24 * H;

/// Fixed steps, shortest first; months and years are counted on the calendar.
const STEPS: [Step; 28] = [
    Step::Fixed(1),
    Step::Fixed(10),
    Step::Fixed(100),
    Step::Fixed(S),
    Step::Fixed(2 * S),
    Step::Fixed(5 * S),
    Step::Fixed(10 * S),
    Step::Fixed(15 * S),
    Step::Fixed(30 * S),
    Step::Fixed(M),
    Step::Fixed(2 * M),
    Step::Fixed(5 * M),
    Step::Fixed(10 * M),
    Step::Fixed(15 * M),
    Step::Fixed(30 * M),
    Step::Fixed(H),
    Step::Fixed(3 * H),
    Step::Fixed(6 * H),
    Step::Fixed(12 * H),
    Step::Fixed(D),
    Step::Fixed(2 * D),
    Step::Fixed(7 * D),
    Step::Months(1),
    Step::Months(3),
    Step::Months(12),
    // Every other year, and every fifth: on a phone's plot, a year is about 25 px.
    Step::Months(24),
    Step::Months(60),
    Step::Months(120),
];

/// A tick step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Every so many milliseconds.
    Fixed(Millis),
    /// Every so many calendar months.
    Months(i64),
}

impl Step {
    /// About how long it is, for choosing one.
    fn approx(self) -> Millis {
        match self {
            Step::Fixed(ms) => ms,
            Step::Months(n) => n * 30 * D + n * D / 2,
        }
    }
}

/// A tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    /// Where, ms UTC.
    pub at: Millis,
    /// Its label, in the chosen clock.
    pub label: String,
    /// A major tick (a new day, month or year begins): drawn stronger, labelled with the date.
    pub major: bool,
}

/// The shortest step that leaves at least `min_px` between ticks over `span` ms drawn in `width` px.
pub fn step_for(span: Millis, width: f64, min_px: f64) -> Step {
    let per_px = span.max(1) as f64 / width.max(1.0);
    STEPS.into_iter().find(|s| s.approx() as f64 / per_px >= min_px).unwrap_or(Step::Months(120))
}

/// Ticks over `[from, to)` drawn in `width` px, at least `min_px` apart, on a clock `offset(t)`
/// minutes ahead of UTC at the instant `t` (`|_| 0` for UTC). Across a change of offset (daylight
/// saving time) each tick stays on its round local value; a local time the change skips has none.
pub fn ticks(from: Millis, to: Millis, width: f64, min_px: f64, offset: impl Fn(Millis) -> i64) -> Vec<Tick> {
    if to <= from {
        return Vec::new();
    }
    let step = step_for(to - from, width, min_px);
    let at_from = offset(from) * M;
    let (lo, hi) = (from + at_from, to + offset(to) * M);
    let mut out = Vec::new();
    let mut push = |local: Millis| {
        // The instant showing `local`: the offset in force there, found from a first guess.
        let guess = local - offset(local - at_from) * M;
        let at = local - offset(guess) * M;
        if at + offset(at) * M == local && (from..to).contains(&at) {
            out.push(Tick { at, label: label(local, step), major: major(local, step) });
        }
    };
    match step {
        Step::Fixed(ms) => {
            let mut at = lo.div_euclid(ms) * ms;
            if at < lo {
                at += ms;
            }
            while at < hi && out_len_ok(at, lo, ms) {
                push(at);
                at += ms;
            }
        }
        Step::Months(n) => {
            let (y, m, _) = civil_from_days(lo.div_euclid(D));
            let mut month = (y * 12 + (m - 1)).div_euclid(n) * n;
            loop {
                let at = days_from_civil(month.div_euclid(12), month.rem_euclid(12) + 1, 1) * D;
                if at >= hi {
                    break;
                }
                if at >= lo {
                    push(at);
                }
                month += n;
            }
        }
    }
    out
}

/// Guards against a runaway loop on absurd inputs (never more than a few thousand ticks).
fn out_len_ok(at: Millis, lo: Millis, ms: Millis) -> bool {
    (at - lo) / ms < 10_000
}

fn major(local: Millis, step: Step) -> bool {
    let (y, m, d) = civil_from_days(local.div_euclid(D));
    match step {
        Step::Fixed(ms) if ms < D => local.rem_euclid(D) == 0,
        Step::Fixed(_) => d == 1,
        Step::Months(n) if n < 12 => m == 1 && d == 1,
        Step::Months(_) => y % 10 == 0,
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A tick's label: the date at day changes and coarser, the time of day below that.
fn label(local: Millis, step: Step) -> String {
    let (y, m, d) = civil_from_days(local.div_euclid(D));
    let ms = local.rem_euclid(D);
    let (hh, mm, ss, frac) = (ms / H, ms % H / M, ms % M / S, ms % S);
    let month = MONTHS[(m - 1) as usize];
    match step {
        Step::Months(n) if n >= 12 => format!("{y}"),
        Step::Months(_) if m == 1 => format!("{month} {y}"),
        Step::Months(_) => month.to_owned(),
        Step::Fixed(_) if ms == 0 && d == 1 && m == 1 => format!("{y}-{m:02}-{d:02}"),
        Step::Fixed(_) if ms == 0 => format!("{month} {d}"),
        Step::Fixed(s) if s < S => format!("{hh:02}:{mm:02}:{ss:02}.{frac:03}"),
        Step::Fixed(s) if s < M => format!("{hh:02}:{mm:02}:{ss:02}"),
        Step::Fixed(_) => format!("{hh:02}:{mm:02}"),
    }
}

/// A time in full on a clock `offset_min` minutes ahead of UTC, for tooltips and the range readout
/// (`2026-03-01 10:00:05` and, for local time, its offset `+01:00`).
pub fn full(t: Millis, offset_min: i64) -> String {
    let local = t + offset_min * M;
    let (y, m, d) = civil_from_days(local.div_euclid(D));
    let ms = local.rem_euclid(D);
    let (hh, mm, ss) = (ms / H, ms % H / M, ms % M / S);
    let zone = if offset_min == 0 {
        " UTC".to_owned()
    } else {
        let sign = if offset_min < 0 { '-' } else { '+' };
        format!(" {sign}{:02}:{:02}", offset_min.abs() / 60, offset_min.abs() % 60)
    };
    format!("{y}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}{zone}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_iso;

    fn at(s: &str) -> Millis {
        parse_iso(s).unwrap()
    }

    fn labels(t: &[Tick]) -> Vec<&str> {
        t.iter().map(|t| t.label.as_str()).collect()
    }

    #[test]
    fn ok_years_on_a_phone() {
        // Eight years over 194 px, 48 px apart: a year is 24 px, two are 49 (24 months of 30.5 days).
        let t = ticks(at("2018-04-25T14:10:34Z"), at("2026-04-26T04:59:43Z"), 194.0, 48.0, |_| 0);
        assert_eq!(labels(&t), ["2020", "2022", "2024", "2026"]);
    }

    #[test]
    fn ok_seconds() {
        // 10 s over 1000 px, 80 px apart: 1 s steps (100 px each), 10 ticks, :00 to :09.
        let t = ticks(at("2026-03-01T10:00:00Z"), at("2026-03-01T10:00:10Z"), 1000.0, 80.0, |_| 0);
        assert_eq!(t.len(), 10);
        assert_eq!(labels(&t)[..3], ["10:00:00", "10:00:01", "10:00:02"]);
    }

    #[test]
    fn ok_minutes_start_on_round_values() {
        // 10:07–11:07 over 600 px: 10-minute steps from 10:10.
        let t = ticks(at("2026-03-01T10:07:00Z"), at("2026-03-01T11:07:00Z"), 600.0, 80.0, |_| 0);
        assert_eq!(labels(&t), ["10:10", "10:20", "10:30", "10:40", "10:50", "11:00"]);
        assert!(t.iter().all(|t| !t.major));
    }

    #[test]
    fn ok_a_new_day_is_major_and_dated() {
        let t = ticks(at("2026-03-01T18:00:00Z"), at("2026-03-02T06:00:00Z"), 400.0, 80.0, |_| 0);
        // 12 h over 400 px: 3 h steps (100 px).
        assert_eq!(labels(&t), ["18:00", "21:00", "Mar 2", "03:00"]);
        assert_eq!(t.iter().filter(|t| t.major).count(), 1);
    }

    #[test]
    fn ok_months_on_the_calendar() {
        // A year over 1200 px: monthly ticks on the 1st, January with its year.
        let t = ticks(at("2025-11-15T00:00:00Z"), at("2026-11-15T00:00:00Z"), 1200.0, 80.0, |_| 0);
        assert_eq!(
            labels(&t),
            ["Dec", "Jan 2026", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"]
        );
        assert_eq!(t[1].at, at("2026-01-01T00:00:00Z"));
        // Ten years over 800 px: yearly.
        let t = ticks(at("2016-06-01T00:00:00Z"), at("2026-06-01T00:00:00Z"), 800.0, 60.0, |_| 0);
        assert_eq!(labels(&t).first(), Some(&"2017"));
        assert_eq!(t.len(), 10);
    }

    #[test]
    fn ok_local_time_shifts_the_round_values() {
        // UTC+05:30: 10:00 local is 04:30 UTC; ticks are on the local hour.
        let t = ticks(at("2026-03-01T04:00:00Z"), at("2026-03-01T08:00:00Z"), 400.0, 80.0, |_| 330);
        assert_eq!(labels(&t), ["10:00", "11:00", "12:00", "13:00"]);
        assert_eq!(t[0].at, at("2026-03-01T04:30:00Z"));
        assert_eq!(full(at("2026-03-01T04:30:00Z"), 330), "2026-03-01 10:00:00 +05:30");
        assert_eq!(full(at("2026-03-01T04:30:00Z"), -60), "2026-03-01 03:30:00 -01:00");
        assert_eq!(full(at("2026-03-01T04:30:00Z"), 0), "2026-03-01 04:30:00 UTC");
    }

    /// Central European Time in 2026: UTC+1, and UTC+2 from 29 March 01:00 UTC to 25 October 01:00
    /// UTC (the EU rule: the last Sundays of March and October).
    fn berlin(t: Millis) -> i64 {
        if (at("2026-03-29T01:00:00Z")..at("2026-10-25T01:00:00Z")).contains(&t) {
            120
        } else {
            60
        }
    }

    #[test]
    fn ok_daylight_saving_time_starts() {
        // 29 March 2026, 23:00 the day before to 06:00 local, hourly: 02:00 does not exist there.
        let t = ticks(at("2026-03-28T22:00:00Z"), at("2026-03-29T04:00:00Z"), 600.0, 80.0, berlin);
        assert_eq!(labels(&t), ["23:00", "Mar 29", "01:00", "03:00", "04:00", "05:00"]);
        let utc: Vec<Millis> = t.iter().map(|t| t.at).collect();
        let hours = ["22", "23", "00", "01", "02", "03"].map(|h| {
            let day = if h.starts_with('2') { 28 } else { 29 };
            at(&format!("2026-03-{day}T{h}:00:00Z"))
        });
        assert_eq!(utc, hours);
        assert_eq!(full(at("2026-03-29T00:30:00Z"), berlin(at("2026-03-29T00:30:00Z"))), "2026-03-29 01:30:00 +01:00");
        assert_eq!(full(at("2026-03-29T01:30:00Z"), berlin(at("2026-03-29T01:30:00Z"))), "2026-03-29 03:30:00 +02:00");
    }

    #[test]
    fn ok_days_and_months_on_local_midnight_on_both_sides_of_a_change() {
        // Daily ticks across the October change: local midnight is 22:00 UTC before, 23:00 after.
        let t = ticks(at("2026-10-22T12:00:00Z"), at("2026-10-28T12:00:00Z"), 600.0, 80.0, berlin);
        assert_eq!(labels(&t), ["Oct 23", "Oct 24", "Oct 25", "Oct 26", "Oct 27", "Oct 28"]);
        assert_eq!(t[0].at, at("2026-10-22T22:00:00Z"));
        assert_eq!(t[2].at, at("2026-10-24T22:00:00Z"));
        assert_eq!(t[3].at, at("2026-10-25T23:00:00Z"));
        // Monthly over the year: April 1 is summer time, December 1 is not.
        let t = ticks(at("2026-01-15T00:00:00Z"), at("2026-12-15T00:00:00Z"), 1200.0, 80.0, berlin);
        let april = t.iter().find(|t| t.label == "Apr").unwrap();
        assert_eq!(april.at, at("2026-03-31T22:00:00Z"));
        let december = t.iter().find(|t| t.label == "Dec").unwrap();
        assert_eq!(december.at, at("2026-11-30T23:00:00Z"));
    }

    #[test]
    fn ok_degenerate_ranges() {
        assert!(ticks(10, 10, 500.0, 80.0, |_| 0).is_empty());
        assert!(ticks(10, 5, 500.0, 80.0, |_| 0).is_empty());
        // A millisecond over a wide canvas: millisecond ticks at most, never an endless loop.
        assert!(ticks(0, 1, 5000.0, 80.0, |_| 0).len() <= 1);
    }
}
