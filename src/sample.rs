//! The sample logs behind "Load sample logs": AWS's documentation examples for ECR and ECS plus a
//! small generated set, in the S3 layout and gzip'd as CloudTrail delivers them. Built by
//! `scripts/make-sample.py`, embedded at compile time, so loading them makes no request.

include!(concat!(env!("OUT_DIR"), "/sample_files.rs"));

/// Total compressed size of the sample.
pub fn sample_bytes() -> u64 {
    SAMPLE_FILES.iter().map(|(_, b)| b.len() as u64).sum()
}
