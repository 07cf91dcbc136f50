//! Bytes as they come off the disk → the bytes a parser reads: gzip (one or many members) or plain.
//!
//! Push-based: [`Decoder::push`] takes chunks of any size and hands decompressed output to a callback
//! in bounded pieces, so a 2 GB log never sits in memory at once. The gzip container is parsed here
//! (header, raw deflate, CRC-32 and length trailer) rather than by a wrapper, so that a truncated or
//! corrupt file says exactly where it went wrong, and every member of a multi-member file is read.

use flate2::{Crc, Decompress, FlushDecompress, Status};

use super::limits::{human_bytes, MAX_DECOMPRESSED_BYTES, MAX_INFLATE_RATIO, RATIO_CHECK_AFTER};

/// Decompressed output is produced in pieces of at most this many bytes. Small enough that the
/// allocator reuses the buffer from one file to the next (a folder holds thousands of small files;
/// a fresh 256 KB buffer each cost page faults), large enough that callbacks are few.
const OUT_PIECE: usize = 64 * 1024;

/// Why decoding stopped early. The bytes delivered before it stay valid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // variant fields are named for what they hold
pub enum DecodeError {
    /// The gzip header or trailer is malformed, at this compressed offset.
    BadGzip { offset: u64, what: &'static str },
    /// The deflate data is corrupt, at about this compressed offset.
    Corrupt { offset: u64, detail: String },
    /// The file ends inside a gzip member.
    Truncated { offset: u64 },
    /// The member's CRC-32 or length does not match what was decompressed.
    Checksum { offset: u64 },
    /// More output than [`MAX_DECOMPRESSED_BYTES`], or a ratio beyond [`MAX_INFLATE_RATIO`].
    Bomb { decompressed: u64, compressed: u64, limit: String },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::BadGzip { offset, what } => write!(f, "bad gzip data at byte {offset}: {what}"),
            DecodeError::Corrupt { offset, detail } => write!(f, "corrupt gzip data near byte {offset}: {detail}"),
            DecodeError::Truncated { offset } => {
                write!(f, "the gzip data ends early at byte {offset} (truncated or corrupt file)")
            }
            DecodeError::Checksum { offset } => {
                write!(f, "gzip checksum mismatch for the member ending at byte {offset}")
            }
            DecodeError::Bomb { decompressed, compressed, limit } => {
                let size = |n: u64| format!("{} ({} bytes)", human_bytes(n), crate::text::thousands(n));
                write!(
                    f,
                    "decompression stopped after {} from {} of gzip: {limit}",
                    size(*decompressed),
                    size(*compressed)
                )
            }
        }
    }
}

enum Mode {
    /// Fewer than two bytes seen: gzip or not is still open.
    Sniff,
    Plain,
    /// Reading a member header; `hdr` holds its bytes so far.
    Header,
    Body,
    /// Reading the 8-byte trailer.
    Trailer,
    /// Between members: only more members (or zero padding) may follow.
    Between,
    Failed,
}

/// Push-based decompressor that sniffs gzip by its magic bytes, not by the file name.
pub struct Decoder {
    mode: Mode,
    pending: Vec<u8>,
    inflate: Decompress,
    crc: Crc,
    out: Vec<u8>,
    consumed: u64,
    produced: u64,
    members: u32,
    gzip: bool,
    /// Decompressed bytes allowed ([`MAX_DECOMPRESSED_BYTES`] unless set otherwise).
    max_output: u64,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder at the start of a file.
    pub fn new() -> Self {
        Decoder {
            mode: Mode::Sniff,
            pending: Vec::new(),
            inflate: Decompress::new(false),
            crc: Crc::new(),
            // Allocated when the input turns out to be gzip: plain files never need it.
            out: Vec::new(),
            consumed: 0,
            produced: 0,
            members: 0,
            gzip: false,
            max_output: MAX_DECOMPRESSED_BYTES,
        }
    }

    /// A decoder that stops after `max` decompressed bytes (tests use a small cap).
    pub fn with_max_output(max: u64) -> Self {
        Decoder { max_output: max, ..Self::new() }
    }

    /// Whether the input turned out to be gzip.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// Decompressed bytes delivered so far.
    pub fn produced(&self) -> u64 {
        self.produced
    }

    /// Feeds the next chunk; `emit` receives decompressed pieces in order.
    pub fn push(&mut self, chunk: &[u8], emit: &mut dyn FnMut(&[u8])) -> Result<(), DecodeError> {
        if matches!(self.mode, Mode::Failed) {
            return Ok(());
        }
        let r = self.push_inner(chunk, emit);
        if r.is_err() {
            self.mode = Mode::Failed;
        }
        r
    }

    fn push_inner(&mut self, mut chunk: &[u8], emit: &mut dyn FnMut(&[u8])) -> Result<(), DecodeError> {
        loop {
            let more = match self.mode {
                Mode::Failed => return Ok(()),
                Mode::Sniff => self.sniff(chunk, emit)?,
                Mode::Plain => return self.deliver_plain(chunk, emit),
                Mode::Header => self.header(&mut chunk, emit)?,
                Mode::Body => self.body(&mut chunk, emit)?,
                Mode::Trailer => self.trailer(&mut chunk)?,
                Mode::Between => {
                    // Some tools pad with zeros after the last member; tolerate that, nothing else.
                    let zeros = chunk.iter().take_while(|&&b| b == 0).count();
                    self.consumed += zeros as u64;
                    chunk = &chunk[zeros..];
                    if !chunk.is_empty() {
                        self.mode = Mode::Header;
                    }
                    !chunk.is_empty()
                }
            };
            if !more {
                return Ok(());
            }
        }
    }

    /// Decides gzip or plain from the first two bytes. Returns whether to go on with `chunk`.
    fn sniff(&mut self, chunk: &[u8], emit: &mut dyn FnMut(&[u8])) -> Result<bool, DecodeError> {
        if self.pending.len() + chunk.len() < 2 {
            self.pending.extend_from_slice(chunk);
            return Ok(false);
        }
        let mut head = self.pending.clone();
        head.extend_from_slice(&chunk[..2usize.saturating_sub(head.len()).min(chunk.len())]);
        if head[..2] == [0x1f, 0x8b] {
            self.gzip = true;
            self.out = vec![0; OUT_PIECE];
            self.mode = Mode::Header;
        } else {
            self.mode = Mode::Plain;
            let pending = std::mem::take(&mut self.pending);
            self.deliver_plain(&pending, emit)?;
        }
        Ok(true)
    }

    fn header(&mut self, chunk: &mut &[u8], emit: &mut dyn FnMut(&[u8])) -> Result<bool, DecodeError> {
        let take = chunk.len().min(64 * 1024);
        self.pending.extend_from_slice(&chunk[..take]);
        *chunk = &chunk[take..];
        match parse_header(&self.pending) {
            HeaderParse::NeedMore => Ok(!chunk.is_empty()),
            HeaderParse::Bad(what) => Err(DecodeError::BadGzip { offset: self.consumed, what }),
            HeaderParse::Done(len) => {
                let rest = self.pending.split_off(len);
                self.pending.clear();
                self.consumed += len as u64;
                self.inflate.reset(false);
                self.crc.reset();
                self.mode = Mode::Body;
                self.members += 1;
                if !rest.is_empty() {
                    self.push_inner(&rest, emit)?;
                }
                Ok(true)
            }
        }
    }

    fn body(&mut self, chunk: &mut &[u8], emit: &mut dyn FnMut(&[u8])) -> Result<bool, DecodeError> {
        if chunk.is_empty() {
            return Ok(false);
        }
        let before_in = self.inflate.total_in();
        let before_out = self.inflate.total_out();
        let status = self
            .inflate
            .decompress(chunk, &mut self.out, FlushDecompress::None)
            .map_err(|e| DecodeError::Corrupt { offset: self.consumed, detail: e.to_string() })?;
        let used = (self.inflate.total_in() - before_in) as usize;
        let made = (self.inflate.total_out() - before_out) as usize;
        self.consumed += used as u64;
        *chunk = &chunk[used..];
        if made > 0 {
            // Hand out what fits under the cap before stopping, so the events before it load.
            let room = self.max_output.saturating_sub(self.produced);
            let give = made.min(usize::try_from(room).unwrap_or(usize::MAX));
            self.produced += made as u64;
            self.crc.update(&self.out[..made]);
            emit(&self.out[..give]);
            self.check_bomb()?;
        }
        if status == Status::StreamEnd {
            self.mode = Mode::Trailer;
        } else if used == 0 && made == 0 {
            // No progress with input left: the inflater wants more than this chunk offers.
            if chunk.is_empty() {
                return Ok(false);
            }
            return Err(DecodeError::Corrupt {
                offset: self.consumed,
                detail: "the deflate stream makes no progress".into(),
            });
        }
        Ok(true)
    }

    fn trailer(&mut self, chunk: &mut &[u8]) -> Result<bool, DecodeError> {
        let take = (8 - self.pending.len()).min(chunk.len());
        self.pending.extend_from_slice(&chunk[..take]);
        *chunk = &chunk[take..];
        self.consumed += take as u64;
        if self.pending.len() < 8 {
            return Ok(false);
        }
        let crc = u32::from_le_bytes([self.pending[0], self.pending[1], self.pending[2], self.pending[3]]);
        let size = u32::from_le_bytes([self.pending[4], self.pending[5], self.pending[6], self.pending[7]]);
        self.pending.clear();
        if crc != self.crc.sum() || size != self.crc.amount() {
            return Err(DecodeError::Checksum { offset: self.consumed });
        }
        self.mode = Mode::Between;
        Ok(true)
    }

    fn deliver_plain(&mut self, chunk: &[u8], emit: &mut dyn FnMut(&[u8])) -> Result<(), DecodeError> {
        self.consumed += chunk.len() as u64;
        self.produced += chunk.len() as u64;
        if self.produced > self.max_output {
            return Err(self.bomb(format!("files over {} are not read", super::limits::human_bytes(self.max_output))));
        }
        if !chunk.is_empty() {
            emit(chunk);
        }
        Ok(())
    }

    fn check_bomb(&self) -> Result<(), DecodeError> {
        if self.produced > self.max_output {
            return Err(self.bomb(format!(
                "the limit is {} of decompressed data per file",
                super::limits::human_bytes(self.max_output)
            )));
        }
        if self.produced > RATIO_CHECK_AFTER && self.produced > self.consumed.max(1) * MAX_INFLATE_RATIO {
            return Err(
                self.bomb(format!("a compression ratio over {MAX_INFLATE_RATIO}:1 is a decompression bomb, not a log"))
            );
        }
        Ok(())
    }

    fn bomb(&self, limit: String) -> DecodeError {
        DecodeError::Bomb { decompressed: self.produced, compressed: self.consumed, limit }
    }

    /// Ends the input. Plain input is always complete; gzip must end between members.
    pub fn finish(&mut self, emit: &mut dyn FnMut(&[u8])) -> Result<(), DecodeError> {
        match self.mode {
            Mode::Sniff => {
                let pending = std::mem::take(&mut self.pending);
                self.mode = Mode::Plain;
                self.deliver_plain(&pending, emit)
            }
            Mode::Plain | Mode::Between | Mode::Failed => Ok(()),
            Mode::Header | Mode::Body | Mode::Trailer => {
                self.mode = Mode::Failed;
                Err(DecodeError::Truncated { offset: self.consumed + self.pending.len() as u64 })
            }
        }
    }
}

enum HeaderParse {
    NeedMore,
    Bad(&'static str),
    Done(usize),
}

/// RFC 1952 member header: magic, method 8, flags, then optional extra, name, comment and header CRC.
fn parse_header(h: &[u8]) -> HeaderParse {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    if h.len() < 10 {
        return HeaderParse::NeedMore;
    }
    if h[0] != 0x1f || h[1] != 0x8b {
        return HeaderParse::Bad("data after the last gzip member is not another member");
    }
    if h[2] != 8 {
        return HeaderParse::Bad("unknown compression method (only deflate exists)");
    }
    let flags = h[3];
    if flags & 0xe0 != 0 {
        return HeaderParse::Bad("reserved header flags are set");
    }
    let mut at = 10;
    if flags & FEXTRA != 0 {
        if h.len() < at + 2 {
            return HeaderParse::NeedMore;
        }
        at += 2 + usize::from(u16::from_le_bytes([h[at], h[at + 1]]));
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            match h.get(at..).and_then(|rest| rest.iter().position(|&b| b == 0)) {
                Some(nul) => at += nul + 1,
                None if h.len() > 60 * 1024 => return HeaderParse::Bad("header name or comment is too long"),
                None => return HeaderParse::NeedMore,
            }
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    if h.len() < at {
        HeaderParse::NeedMore
    } else {
        HeaderParse::Done(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn run(input: &[u8], chunk: usize) -> (Vec<u8>, Result<(), DecodeError>) {
        let mut d = Decoder::new();
        let mut out = Vec::new();
        for c in input.chunks(chunk.max(1)) {
            if let Err(e) = d.push(c, &mut |b| out.extend_from_slice(b)) {
                return (out, Err(e));
            }
        }
        let r = d.finish(&mut |b| out.extend_from_slice(b));
        (out, r)
    }

    #[test]
    fn ok_plain_passes_through() {
        let (out, r) = run(b"{\"Records\":[]}", 3);
        assert_eq!(r, Ok(()));
        assert_eq!(out, b"{\"Records\":[]}");
    }

    #[test]
    fn ok_gzip_in_any_chunking() {
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_string().into_bytes()).collect();
        let z = gz(&data);
        for chunk in [1, 7, 4096, z.len()] {
            let (out, r) = run(&z, chunk);
            assert_eq!(r, Ok(()), "chunk {chunk}");
            assert_eq!(out, data, "chunk {chunk}");
        }
    }

    #[test]
    fn ok_multi_member_gzip_reads_every_member() {
        let mut z = gz(b"first ");
        z.extend(gz(b"second"));
        let (out, r) = run(&z, 5);
        assert_eq!(r, Ok(()));
        assert_eq!(out, b"first second");
    }

    #[test]
    fn err_truncated_gzip_keeps_what_was_decoded() {
        let data = vec![b'x'; 100_000];
        let z = gz(&data);
        let (_, r) = run(&z[..z.len() - 4], 1000);
        assert!(matches!(r, Err(DecodeError::Truncated { .. })), "{r:?}");
    }

    #[test]
    fn err_flipped_byte_is_corrupt_or_checksum() {
        let mut z = gz(b"hello hello hello hello");
        let mid = z.len() - 10;
        z[mid] ^= 0x55;
        let (_, r) = run(&z, 1000);
        // Depending on where the flip lands, deflate sees bad codes, a bad checksum, or a stream that never ends.
        assert!(
            matches!(
                r,
                Err(DecodeError::Corrupt { .. } | DecodeError::Checksum { .. } | DecodeError::Truncated { .. })
            ),
            "{r:?}"
        );
    }

    #[test]
    fn err_bomb_stops_early() {
        let z = gz(&vec![0u8; 64 << 20]);
        let mut d = Decoder::new();
        let mut seen = 0u64;
        let r = d.push(&z, &mut |b| seen += b.len() as u64);
        assert!(matches!(r, Err(DecodeError::Bomb { .. })), "{r:?}");
        assert!(seen <= RATIO_CHECK_AFTER + OUT_PIECE as u64, "stopped after {seen} bytes");
        assert!(r.unwrap_err().to_string().contains("250:1"));
    }
}
