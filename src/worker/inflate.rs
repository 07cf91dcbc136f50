//! `ToWorker::Inflate`: decompress files without parsing or storing them, so the benchmark can tell
//! how much of loading is inflating (the same [`Decoder`] and reads as ingest) and how much the rest.

use web_sys::File;

use super::{now, post, read_slice, CHUNK_BYTES};
use crate::ingest::decode::Decoder;
use crate::protocol::FromWorker;

/// Reads and decompresses `files` in order, then posts [`FromWorker::Inflated`].
pub(crate) async fn inflate(files: Vec<File>) {
    let started = now();
    let (mut bytes_in, mut bytes_out, mut inflating) = (0_u64, 0_u64, 0.0);
    for file in files {
        let mut decoder = Decoder::new();
        let mut emit = |piece: &[u8]| bytes_out += piece.len() as u64;
        let size = file.size();
        let mut at = 0.0;
        while at < size {
            let end = (at + CHUNK_BYTES).min(size);
            let Ok(bytes) = read_slice(&file, at, end).await else { break };
            bytes_in += bytes.len() as u64;
            let t = now();
            let pushed = decoder.push(&bytes, &mut emit);
            inflating += now() - t;
            if pushed.is_err() {
                break;
            }
            at = end;
        }
        let t = now();
        let _ = decoder.finish(&mut emit);
        inflating += now() - t;
    }
    let ms = (now() - started) as u64;
    post(&FromWorker::Inflated { bytes_in, bytes_out, ms, inflate_ms: inflating as u64 });
}
