//! Named limits on hostile input, each with the reason for its value.
//!
//! A log can be written by an attacker. These caps keep one bad file from taking the tab down; each
//! one that trips becomes a warning naming the file, the offset and the limit.

/// Decompressed bytes read from one file. CloudTrail's own files are at most a few hundred MB
/// decompressed; JSON-lines exports from pipelines can be larger, so the cap is generous. Reading
/// streams, so this bounds time, not memory.
pub const MAX_DECOMPRESSED_BYTES: u64 = 8 << 30;

/// CloudTrail JSON compresses about 8-30:1 (every event carries random ids, request ids and times,
/// so a file cannot go much beyond that); deflate reaches about 1032:1 on repeated bytes. A ratio of
/// 250:1 is a bomb of repeated bytes (or padding), not a log.
pub const MAX_INFLATE_RATIO: u64 = 250;

/// The ratio is only judged after this much output, so tiny files with big headers pass.
pub const RATIO_CHECK_AFTER: u64 = 16 << 20;

/// CloudTrail events are at most 256 KB. Larger ones are still read (pipelines wrap events) up to
/// [`MAX_EVENT_BYTES`], with a warning, because an oversized event was not written by CloudTrail.
pub const CLOUDTRAIL_MAX_EVENT_BYTES: usize = 256 * 1024;

/// An event (one element of `Records`, one line, one envelope) over this many bytes is skipped.
pub const MAX_EVENT_BYTES: usize = 1 << 20;

/// A top-level JSON value that is not a `Records`/`Events`/`logEvents` container streamed element by
/// element (a digest file, a CloudWatch Logs payload, an array wrapper) is held whole up to this size.
pub const MAX_WHOLE_VALUE_BYTES: usize = 64 << 20;

/// JSON nesting deeper than this is refused before any parser sees it; real events nest about 10 deep.
pub const MAX_DEPTH: u32 = 100;

/// One line of a CSV export or CloudWatch export.
pub const MAX_LINE_BYTES: usize = 4 << 20;

/// Warnings kept per file; after that they are counted, so a file of a million bad lines stays cheap.
pub const MAX_WARNINGS_PER_FILE: usize = 20;

/// Bytes as people read them: `512 B`, `1.5 KB`, `8 GB` (powers of 1024).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else if (v - v.round()).abs() < 0.05 {
        format!("{:.0} {}", v, UNITS[u])
    } else {
        format!("{:.1} {}", v, UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn ok_human_bytes() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KB");
        assert_eq!(human_bytes(8 << 30), "8 GB");
    }
}
