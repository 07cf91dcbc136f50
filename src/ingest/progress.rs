//! How fast a run of loading goes, and how long it has left: the figures the status bar shows.
//!
//! A run lasts while the worker's queue is not empty; files dropped during a run join it (their bytes
//! raise the total, so the time left grows), files dropped after it start a new one. Pure arithmetic
//! on the worker's clock, so it is tested natively.
//!
//! ```
//! use trailscope::ingest::progress::Run;
//! let run = Run::start(1_000.0, 0, 0);
//! let m = run.measure(3_000.0, 4_000_000, 10_000_000, 20_000);
//! assert_eq!((m.rate_bytes_per_s, m.rate_events_per_s, m.eta_ms), (2_000_000, 10_000, Some(3_000)));
//! ```

/// No rate is claimed before this much of a run has passed: the first reads say little.
pub const MIN_ELAPSED_MS: f64 = 250.0;

/// One run of loading: when it started, where the counters were then, and where its time went.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Run {
    /// When the run started (worker clock, ms).
    pub started: f64,
    /// Compressed bytes read before the run.
    pub bytes_before: u64,
    /// Events held before the run.
    pub events_before: u64,
    /// Milliseconds waiting for file reads.
    pub read_ms: f64,
    /// Milliseconds in the engine (decompress, parse, store).
    pub ingest_ms: f64,
    /// Milliseconds answering queries while loading.
    pub query_ms: f64,
    /// Milliseconds adding ingest workers' batches to the store (part of `ingest_ms`).
    pub absorb_ms: f64,
    /// Milliseconds the ingest workers waited for reads, summed over them.
    pub workers_read_ms: f64,
    /// Milliseconds the ingest workers spent in their engines, summed over them.
    pub workers_ingest_ms: f64,
    /// Files the ingest workers read again to hash them.
    pub workers_hashed: u64,
    /// Files read to the end.
    pub files: u64,
    /// Files the engine's worker cut into parts for every reader.
    pub split: u64,
    /// Parts of those that the engine's worker read itself, as no ingest worker could.
    pub parts_here: u64,
    /// File slices read.
    pub reads: u64,
}

/// What [`Run::measure`] says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measure {
    /// Milliseconds since the run started.
    pub elapsed_ms: u64,
    /// Compressed bytes read per second.
    pub rate_bytes_per_s: u64,
    /// Events added per second.
    pub rate_events_per_s: u64,
    /// Milliseconds left at this rate (`None` before there is a rate).
    pub eta_ms: Option<u64>,
}

impl Run {
    /// A run starting at `now`, with `bytes_read` and `events` already there from earlier runs.
    pub fn start(now: f64, bytes_read: u64, events: u64) -> Run {
        Run { started: now, bytes_before: bytes_read, events_before: events, ..Run::default() }
    }

    /// Records one file slice read, which took `ms`.
    pub fn read(&mut self, ms: f64) {
        self.read_ms += ms;
        self.reads += 1;
    }

    /// The rate and time left at `now`, with `bytes_read` of `bytes_total` read and `events` held.
    pub fn measure(&self, now: f64, bytes_read: u64, bytes_total: u64, events: u64) -> Measure {
        let elapsed = (now - self.started).max(0.0);
        let mut m = Measure { elapsed_ms: elapsed as u64, ..Measure::default() };
        let done = bytes_read.saturating_sub(self.bytes_before);
        if elapsed < MIN_ELAPSED_MS || done == 0 {
            return m;
        }
        let per_ms = done as f64 / elapsed;
        m.rate_bytes_per_s = (per_ms * 1000.0) as u64;
        m.rate_events_per_s = (events.saturating_sub(self.events_before) as f64 * 1000.0 / elapsed) as u64;
        m.eta_ms = Some((bytes_total.saturating_sub(bytes_read) as f64 / per_ms) as u64);
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_no_rate_before_the_first_measure() {
        let run = Run::start(0.0, 0, 0);
        assert_eq!(run.measure(100.0, 5, 10, 1).eta_ms, None);
        assert_eq!(run.measure(1_000.0, 0, 10, 0).eta_ms, None);
    }

    #[test]
    fn ok_earlier_runs_do_not_count_towards_the_rate() {
        // 1 MB and 500 events were loaded by an earlier drop; this run read 2 MB more in 2 s.
        let run = Run::start(10_000.0, 1_000_000, 500);
        let m = run.measure(12_000.0, 3_000_000, 5_000_000, 2_500);
        assert_eq!(
            m,
            Measure { elapsed_ms: 2_000, rate_bytes_per_s: 1_000_000, rate_events_per_s: 1_000, eta_ms: Some(2_000) }
        );
    }

    #[test]
    fn ok_done_means_nothing_left() {
        let run = Run::start(0.0, 0, 0);
        assert_eq!(run.measure(1_000.0, 10, 10, 1).eta_ms, Some(0));
    }
}
