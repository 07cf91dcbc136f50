//! SHA-256 of a file's *decompressed* content, which is what a digest's `hashValue` covers.
//!
//! Push-based like the ingest reader: [`Hasher::push`] takes the file's bytes in chunks of any size,
//! decompresses them with the ingest [`Decoder`] (gzip sniffed by content, multi-member safe) and
//! hashes what comes out. A file already decompressed by the person (`.json`) hashes the same as
//! the `.json.gz` CloudTrail delivered, so either matches its digest entry. [`Hasher::keeping`]
//! keeps the decompressed content whole instead, for the browser's faster SHA-256 (the worker's
//! `hash_source`).

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::ingest::decode::Decoder;

/// A SHA-256 value.
pub type Sha = [u8; 32];

/// What hashing one file gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HashOutcome {
    /// The SHA-256 of the decompressed content, and its length.
    Hashed {
        /// SHA-256 of every decompressed byte.
        sha256: Sha,
        /// Decompressed length.
        bytes: u64,
    },
    /// The content cannot be decompressed (corrupt or cut gzip), so it cannot be what CloudTrail
    /// delivered: CloudTrail writes valid gzip.
    Undecodable(String),
    /// The file could not be read again (the browser refused, its bytes were not kept): not checked.
    Unread(String),
    /// Not hashed because loading was cancelled, or checking stopped, first: not checked, and
    /// hashed if the check is asked again (see `Engine::check_again`).
    Stopped(StopCause),
}

/// Which of the two stopped a file before it was hashed. Only the engine's worker knows (it got the
/// page's Cancel or Stop); a file an ingest worker gives back unhashed gets its cause there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopCause {
    /// Cancel, while loading.
    #[default]
    LoadCancelled,
    /// Stop checking, once loading was over.
    CheckStopped,
}

impl StopCause {
    /// Why the file was not hashed, as its row says.
    pub fn why(self) -> &'static str {
        match self {
            StopCause::LoadCancelled => "loading was cancelled before it was hashed",
            StopCause::CheckStopped => "checking was stopped before it was hashed",
        }
    }
}

impl HashOutcome {
    /// The outcome for a file whose whole decompressed content is `content`.
    pub fn of_content(content: &[u8]) -> Self {
        HashOutcome::Hashed { sha256: sha256(content), bytes: content.len() as u64 }
    }
}

/// Decompressed bytes the worker's [`Hasher::keeping`] holds whole at most; past it the file is
/// hashed here as it streams. CloudTrail's log files are far smaller (about 100 KB each in the
/// generator's folders). Kept small because wasm memory, once grown, stays grown.
pub const KEEP_BYTES: usize = 16 << 20;

/// How a [`Hasher::keeping`] ended: hashed here, or the whole decompressed content for the caller to
/// hash elsewhere (the browser's own SHA-256, several times faster than this one in wasm).
#[derive(Debug, PartialEq, Eq)]
pub enum Finished {
    /// Hashed here (the file was too big to keep), or not hashable.
    Done(HashOutcome),
    /// Every decompressed byte, to be hashed.
    Whole(Vec<u8>),
}

/// Streams one file into a SHA-256 of its decompressed content.
pub struct Hasher {
    decoder: Decoder,
    content: ContentSha,
    error: Option<String>,
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}

impl Hasher {
    /// A hasher at the start of a file.
    pub fn new() -> Self {
        Hasher { decoder: Decoder::new(), content: ContentSha::new(), error: None }
    }

    /// A hasher that keeps the decompressed content whole, up to `limit` bytes, for
    /// [`Hasher::finish_kept`]; a file that decompresses to more is hashed here instead.
    pub fn keeping(limit: usize) -> Self {
        Hasher { content: ContentSha::keeping(limit), ..Hasher::new() }
    }

    /// Feeds the next chunk of the file as it is on disk.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.error.is_some() {
            return;
        }
        let content = &mut self.content;
        if let Err(e) = self.decoder.push(chunk, &mut |piece| content.take(piece)) {
            self.error = Some(e.to_string());
        }
    }

    /// Ends the file.
    pub fn finish(self) -> HashOutcome {
        match self.finish_kept() {
            Finished::Done(outcome) => outcome,
            Finished::Whole(bytes) => HashOutcome::of_content(&bytes),
        }
    }

    /// Ends the file: its whole decompressed content when it was kept (see [`Hasher::keeping`]),
    /// else what hashing it here gave.
    pub fn finish_kept(mut self) -> Finished {
        if self.error.is_none() {
            let content = &mut self.content;
            if let Err(e) = self.decoder.finish(&mut |piece| content.take(piece)) {
                self.error = Some(e.to_string());
            }
        }
        match self.error {
            Some(e) => Finished::Done(HashOutcome::Undecodable(e)),
            None => self.content.finish(),
        }
    }

    /// Hashes a whole file held in memory.
    pub fn of(bytes: &[u8]) -> HashOutcome {
        let mut h = Hasher::new();
        for chunk in bytes.chunks(1 << 20) {
            h.push(chunk);
        }
        h.finish()
    }
}

/// The SHA-256 of decompressed content given piece by piece, or the content itself kept whole while
/// it stays within a limit (see [`Hasher::keeping`]). [`Hasher`] feeds it from its own decoder;
/// ingest feeds it the pieces its decoder gives while it reads a file (see
/// `crate::ingest::FileReader::hashing`), so a file is not decompressed twice.
#[derive(Clone)]
pub struct ContentSha {
    sha: Sha256,
    /// The content so far, while it is kept whole.
    kept: Option<Vec<u8>>,
    /// The most `kept` may hold.
    limit: usize,
    /// Bytes taken.
    len: u64,
}

impl ContentSha {
    /// Hashes every piece as it comes.
    pub fn new() -> Self {
        ContentSha { sha: Sha256::new(), kept: None, limit: 0, len: 0 }
    }

    /// Keeps the content whole up to `limit` bytes; past it, hashes it as it comes.
    pub fn keeping(limit: usize) -> Self {
        ContentSha { kept: Some(Vec::new()), limit, ..ContentSha::new() }
    }

    /// Takes the next piece: kept while the whole stays within the limit, else hashed (with what was
    /// kept before it, which is then dropped).
    pub fn take(&mut self, piece: &[u8]) {
        self.len += piece.len() as u64;
        match &mut self.kept {
            Some(whole) if whole.len() + piece.len() <= self.limit => whole.extend_from_slice(piece),
            Some(whole) => {
                self.sha.update(&whole);
                self.sha.update(piece);
                self.kept = None;
            }
            None => self.sha.update(piece),
        }
    }

    /// The content whole if it was kept, else its hash.
    pub fn finish(self) -> Finished {
        match self.kept {
            Some(whole) => Finished::Whole(whole),
            None => Finished::Done(HashOutcome::Hashed { sha256: self.sha.finalize().into(), bytes: self.len }),
        }
    }
}

impl Default for ContentSha {
    fn default() -> Self {
        Self::new()
    }
}

/// SHA-256 of bytes already in memory.
pub fn sha256(bytes: &[u8]) -> Sha {
    Sha256::digest(bytes).into()
}

/// Lower-case hex, as digests write hashes and signatures.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    push_hex(&mut s, bytes);
    s
}

/// Appends `bytes` to `out` as lower-case hex.
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
}

/// Hex (either case) to bytes; `None` when it is not an even run of hex digits.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.as_bytes();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    s.chunks(2).map(|p| Some(digit(p[0])? << 4 | digit(p[1])?)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn ok_known_sha256_of_plain_and_gzip() {
        // FIPS 180-2 example: SHA-256("abc").
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(hex(&sha256(b"abc")), abc);
        let HashOutcome::Hashed { sha256: plain, bytes } = Hasher::of(b"abc") else { panic!() };
        assert_eq!((hex(&plain), bytes), (abc.to_owned(), 3));
        let mut h = Hasher::new();
        for b in gzip(b"abc") {
            h.push(&[b]); // one byte at a time
        }
        assert_eq!(h.finish(), HashOutcome::Hashed { sha256: plain, bytes: 3 });
    }

    #[test]
    fn ok_keeping_gives_the_whole_content_or_hashes_past_the_limit() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        let expected: Sha = Sha256::digest(&data).into(); // the sha2 crate itself, not our streaming
        let feed = |mut h: Hasher| {
            for chunk in gzip(&data).chunks(333) {
                h.push(chunk);
            }
            h.finish_kept()
        };
        assert_eq!(feed(Hasher::keeping(5000)), Finished::Whole(data.clone()));
        let past = Finished::Done(HashOutcome::Hashed { sha256: expected, bytes: 5000 });
        assert_eq!(feed(Hasher::keeping(4999)), past);
        assert_eq!(feed(Hasher::keeping(10)), past);
        assert_eq!(Hasher::keeping(5000).finish(), Hasher::of(b""));
        let gz = gzip(&data);
        let mut cut = Hasher::keeping(5000);
        cut.push(&gz[..gz.len() - 4]);
        assert!(matches!(cut.finish_kept(), Finished::Done(HashOutcome::Undecodable(_))));
    }

    #[test]
    fn err_cut_gzip_is_undecodable() {
        let gz = gzip(&[b'x'; 5000]);
        let HashOutcome::Undecodable(why) = Hasher::of(&gz[..gz.len() - 4]) else { panic!() };
        assert!(why.contains("ends early"), "{why}");
    }

    #[test]
    fn ok_hex_round_trip() {
        assert_eq!(unhex("00ff7A"), Some(vec![0, 255, 0x7a]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(hex(&[0, 255, 0x7a]), "00ff7a");
    }
}
