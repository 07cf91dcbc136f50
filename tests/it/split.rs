//! One large file of JSON lines shared among readers (`Engine::split`): the engine reading it cuts
//! the rest into byte ranges, ingest workers' engines read the lines starting in each
//! (`Engine::open_file_part`) and send them as batches (`Engine::absorb_split`), and the file must
//! come out as the generator's truth and independent counts say, exactly as one engine reading it
//! whole makes it: one file, the same report, the same events at the same offsets.

use trailscope::engine::Engine;
use trailscope::ingest::range::LOOK_BACK;
use trailscope::ingest::FileKind;
use trailscope::store::FileId;

use super::common::{grouped as thousands, records, unique, walk};
use super::container::generate;

const PATH: &str = "exports/cloudtrail-events.jsonl";

/// The generator's records as JSON lines, in file order, with the truth file.
fn lines(events: u32, seed: u32) -> Option<(Vec<u8>, Vec<serde_json::Value>, serde_json::Value)> {
    let (all, truth) = generated(events, seed)?;
    Some((join(all.iter().map(|r| serde_json::to_string(r).unwrap())), all, truth))
}

/// The same, pretty-printed one after another (indented by two spaces, as `jq '.Records[]'` and
/// `serde_json::to_string_pretty` write them).
fn pretty(events: u32, seed: u32) -> Option<(Vec<u8>, Vec<serde_json::Value>, serde_json::Value)> {
    let (all, truth) = generated(events, seed)?;
    Some((join(all.iter().map(|r| serde_json::to_string_pretty(r).unwrap())), all, truth))
}

/// The generator's records in file order, with the truth file.
fn generated(events: u32, seed: u32) -> Option<(Vec<serde_json::Value>, serde_json::Value)> {
    let (dir, truth) = generate(events, seed)?;
    Some((walk(&dir.join("logs")).iter().flat_map(|f| records(f)).collect(), truth))
}

/// `texts`, each followed by a newline.
fn join(texts: impl Iterator<Item = String>) -> Vec<u8> {
    texts.flat_map(|t| t.into_bytes().into_iter().chain([b'\n'])).collect()
}

/// How a split load goes: the engine's own reading, the parts' sizes, the ingest workers'.
struct Plan {
    /// Bytes the engine reads before it cuts the file, and then keeps reading to.
    first: usize,
    piece: u64,
    /// Bytes pushed at a time.
    chunk: usize,
    workers: usize,
    /// An ingest worker sends a batch every this many chunks (so parts are cut across batches).
    every: usize,
    /// Parts (by index) no ingest worker reads: the engine reads them itself (`Engine::open_part`).
    here: Vec<usize>,
}

/// One batch an ingest worker sent, with which split part each of its files is.
struct Batch {
    bytes: Vec<u8>,
    part_of: Vec<Option<(FileId, u64)>>,
}

/// Loads `text` as a split file: the engine reads the first bytes, cuts the rest, the ingest
/// workers read the parts round-robin and their batches are absorbed in turn while the engine reads
/// on. Returns the engine and how many parts there were.
fn load_split(text: &[u8], plan: &Plan) -> (Engine, usize) {
    let size = text.len() as u64;
    let mut engine = Engine::new();
    let id = engine.open_file(PATH, size);
    engine.push(id, &text[..plan.first]);
    let parts = engine.split(id, plan.first as u64 + plan.chunk as u64, plan.piece);
    assert!(parts.len() >= 3, "{} parts", parts.len());
    // Each ingest worker's batches, in the order it sent them.
    let mut sent: Vec<Vec<Batch>> = (0..plan.workers).map(|_| Vec::new()).collect();
    for (w, out) in sent.iter_mut().enumerate() {
        let mut reader = Engine::for_batches();
        let mut part_of = Vec::new();
        let mut chunks = 0;
        for (k, &(start, end)) in parts.iter().enumerate() {
            if k % plan.workers != w || plan.here.contains(&k) {
                continue;
            }
            let mut local = reader.open_file_part(PATH, size, start, end);
            part_of.push(Some((id, start)));
            let from = start.saturating_sub(LOOK_BACK) as usize;
            for piece in text[from..].chunks(plan.chunk) {
                if reader.part_read(local) {
                    break;
                }
                reader.push(local, piece);
                chunks += 1;
                if chunks % plan.every == 0 && !reader.part_read(local) {
                    out.push(Batch { bytes: reader.take_batch(), part_of: std::mem::take(&mut part_of) });
                    // The part carries on as the next batch's first file.
                    (local, part_of) = (0, vec![Some((id, start))]);
                }
            }
            reader.close_file(local);
        }
        if !part_of.is_empty() {
            out.push(Batch { bytes: reader.take_batch(), part_of });
        }
    }
    // Absorbed in turn, the engine reading a chunk of its own between rounds.
    let mut at = plan.first;
    let mut continues: Vec<Option<FileId>> = vec![None; plan.workers];
    let rounds = sent.iter().map(Vec::len).max().unwrap_or(0);
    for round in 0..rounds {
        for (w, list) in sent.iter().enumerate() {
            if let Some(b) = list.get(round) {
                let (_, open) = engine.absorb_split(&b.bytes, continues[w], &b.part_of).expect("a part reads back");
                continues[w] = open;
            }
        }
        if at < text.len() && !engine.part_read(id) {
            let end = (at + plan.chunk).min(text.len());
            engine.push(id, &text[at..end]);
            at = end;
        }
    }
    while at < text.len() && !engine.part_read(id) {
        let end = (at + plan.chunk).min(text.len());
        engine.push(id, &text[at..end]);
        at = end;
    }
    engine.close_file(id);
    for &k in &plan.here {
        let from = engine.open_part(id, parts[k].0).expect("a part no one read") as usize;
        for piece in text[from..].chunks(plan.chunk) {
            if engine.part_read(id) {
                break;
            }
            engine.push(id, piece);
        }
        engine.close_file(id);
    }
    (engine, parts.len())
}

/// `(kind, formats, bytes read, events, duplicates, rejected, warnings with offsets)` of every file.
fn reports(engine: &Engine) -> Vec<String> {
    engine
        .files()
        .iter()
        .map(|f| {
            let r = &f.report;
            let w: Vec<(Option<u64>, &str)> = r.warnings.iter().map(|w| (w.offset, w.message.as_str())).collect();
            format!(
                "{} {:?} {:?} {} {} {} {} {w:?}",
                f.path, r.kind, r.formats, r.bytes_read, r.events, r.duplicates, r.rejected
            )
        })
        .collect()
}

/// Every row's `(offset, length)` in the file, sorted.
fn located(engine: &Engine) -> Vec<(u64, u32)> {
    let store = engine.store();
    let mut out: Vec<(u64, u32)> =
        (0..store.len() as u32).map(|r| store.locator(r)).map(|l| (l.offset, l.len)).collect();
    out.sort_unstable();
    out
}

fn whole(text: &[u8]) -> Engine {
    let mut one = Engine::new();
    one.ingest_bytes(PATH, text);
    one
}

/// Loads `text`, the records `all` of which the generator wrote with `truth`, split as `plan` says,
/// and checks it against the truth, independent counts and one engine reading it whole.
fn check_split(text: &[u8], all: &[serde_json::Value], truth: &serde_json::Value, plan: &Plan) {
    let (engine, parts) = load_split(text, plan);
    assert!(parts >= 10, "{parts} parts");
    let status = engine.status();
    assert_eq!(status.events, unique(all) as u64, "events, counted by serde_json::Value");
    assert_eq!(status.events + status.duplicates, all.len() as u64, "every record is an event or a duplicate");
    assert_eq!((status.files, engine.files().len()), (1, 1), "one file, listed once and done");
    assert_eq!(status.bytes_read, text.len() as u64, "every byte counted once");
    let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    let n = |v: &serde_json::Value| v.as_u64().unwrap_or(u64::MAX);
    assert_eq!(n(&doc["ecr"]["pushes"]), n(&truth["pushes"]), "pushes");
    assert_eq!(n(&doc["ecr"]["pulls"]), n(&truth["pulls"]), "pulls");
    assert_eq!(n(&doc["ecr"]["expired_images"]), n(&truth["lifecycle_expired_images"]), "expired images");
    let one = whole(text);
    assert_eq!(doc, serde_json::from_str::<serde_json::Value>(&one.summary_json()).unwrap());
    assert_eq!(reports(&engine), reports(&one), "the file's report");
    assert_eq!(located(&engine), located(&one), "every event at the offset it has in the file");
    // And those offsets are where the events start, found by splitting the text into lines.
    let starts = record_starts(text);
    assert_eq!(starts.len(), all.len(), "one line opening with '{{' per event");
    assert!(located(&engine).iter().all(|(o, _)| starts.binary_search(o).is_ok()));
}

/// Where the records of `text` start: at its start and at each line that opens with `{` after a `}`
/// and only white space (16 bytes at most), found by splitting it into lines.
fn record_starts(text: &[u8]) -> Vec<u64> {
    let mut starts = Vec::new();
    let mut at = 0usize;
    for line in text.split_inclusive(|&b| b == b'\n') {
        let before = text[..at].trim_ascii_end();
        if at == 0 || (line[0] == b'{' && before.ends_with(b"}") && at - before.len() < 16) {
            starts.push(at as u64);
        }
        at += line.len();
    }
    starts
}

/// `text` with every line's leading spaces taken off: pretty-printed without indenting, so that lines
/// inside a value open with `{`.
fn unindented(text: &[u8]) -> Vec<u8> {
    text.split_inclusive(|&b| b == b'\n').flat_map(<[u8]>::trim_ascii_start).copied().collect()
}

#[test]
fn ok_a_file_of_json_lines_split_among_readers_equals_the_truth_and_one_engine() {
    let Some((text, all, truth)) = lines(3_000, 21) else { return };
    let plan = Plan { first: 40_000, piece: 150_000, chunk: 4_096, workers: 2, every: 7, here: vec![1] };
    check_split(&text, &all, &truth, &plan);
}

#[test]
fn ok_pretty_printed_events_split_among_readers_equal_the_truth_and_one_engine() {
    let Some((text, all, truth)) = pretty(2_000, 26) else { return };
    let plan = Plan { first: 40_000, piece: 150_000, chunk: 4_096, workers: 3, every: 5, here: vec![2] };
    check_split(&text, &all, &truth, &plan);
}

#[test]
fn ok_events_pretty_printed_without_indenting_split_among_readers_equal_the_truth_and_one_engine() {
    // Lines inside an event open with `{` (elements of `resources`), after a `[` or a `,`: no record
    // starts there.
    let Some((text, all, truth)) = pretty(2_000, 30) else { return };
    let text = unindented(&text);
    let plan = Plan { first: 40_000, piece: 150_000, chunk: 4_096, workers: 2, every: 5, here: vec![1] };
    check_split(&text, &all, &truth, &plan);
}

#[test]
fn ok_a_file_that_turns_from_lines_to_pretty_printed_after_it_was_cut_still_reads_whole() {
    // JSON lines for the start the engine judges the file by, then pretty-printed events, indented
    // and not (as when exports are put together), a broken line and an indented event, which go with
    // the record before them, and JSON lines again.
    let Some((_, all, truth)) = lines(2_500, 27) else { return };
    let compact = |r: &serde_json::Value| serde_json::to_string(r).unwrap();
    let mut text = join(all[..200].iter().map(compact));
    text.extend(join(all[200..1_000].iter().map(|r| serde_json::to_string_pretty(r).unwrap())));
    text.extend(unindented(&join(all[1_000..2_000].iter().map(|r| serde_json::to_string_pretty(r).unwrap()))));
    text.extend_from_slice(b"not json at all\n");
    text.extend(join(all[2_000..2_001].iter().map(|r| format!("  {}", compact(r)))));
    text.extend(join(all[2_001..].iter().map(compact)));
    assert!(record_starts(&text[..40_000]).len() > 20, "the first 40,000 bytes are JSON lines");
    let plan = Plan { first: 40_000, piece: 150_000, chunk: 4_096, workers: 2, every: 7, here: vec![3] };
    let (engine, parts) = load_split(&text, &plan);
    assert!(parts >= 10, "{parts} parts");
    let r = &engine.files()[0].report;
    assert_eq!((r.events + r.duplicates, r.rejected), (all.len() as u64, 1), "every event; the broken line");
    let doc: serde_json::Value = serde_json::from_str(&engine.summary_json()).unwrap();
    assert_eq!(doc["ecr"]["pulls"].as_u64(), truth["pulls"].as_u64(), "pulls");
    let one = whole(&text);
    assert_eq!(reports(&engine), reports(&one), "the file's report");
    assert_eq!(located(&engine), located(&one), "every event at the offset it has in the file");
}

#[test]
fn ok_files_of_mixed_records_cut_anywhere_read_as_one_engine_reads_them() {
    // Random mixes of what a file of events one after another may hold (JSON lines, pretty-printed
    // events, indented and not, CRLF, blank, broken and indented lines), cut and read with random
    // plans: the file's report and every event's offset must be those of one engine reading it whole.
    let Some((_, all, _)) = lines(300, 28) else { return };
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = |n: usize| {
        // xorshift64*: any fixed sequence will do; the assertions do not depend on it.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    };
    for round in 0..60 {
        let compact = |r: &serde_json::Value| serde_json::to_string(r).unwrap();
        // The start the engine judges the file by: JSON lines, of which it reads two and some of
        // the third before it cuts the file.
        let mut text = join(all[..3].iter().map(compact));
        let two = text.iter().enumerate().filter(|&(_, &b)| b == b'\n').nth(1).map_or(0, |(i, _)| i + 1);
        let first = two + next(text.len() - two);
        for r in &all[3..] {
            let piece = match next(10) {
                0..=3 => format!("{}\n", compact(r)),
                4..=5 => format!("{}\n", serde_json::to_string_pretty(r).unwrap()),
                6 => String::from_utf8(unindented(serde_json::to_string_pretty(r).unwrap().as_bytes())).unwrap() + "\n",
                7 => format!("{}\r\n\r\n", compact(r)),
                8 => format!("not json {round}\n{}\n", compact(r)),
                _ => format!("   {}\n", compact(r)),
            };
            text.extend_from_slice(piece.as_bytes());
        }
        let plan = Plan {
            first,
            piece: 3_000 + next(20_000) as u64,
            chunk: 100 + next(5_000),
            workers: 1 + next(3),
            every: 1 + next(7),
            here: if next(2) == 0 { vec![] } else { vec![0] },
        };
        let what =
            format!("round {round}: {} bytes, first {first}, piece {}, chunk {}", text.len(), plan.piece, plan.chunk);
        let (engine, _) = load_split(&text, &plan);
        let one = whole(&text);
        assert_eq!(engine.status().events, one.status().events, "{what}");
        assert_eq!(reports(&engine), reports(&one), "{what}");
        assert_eq!(located(&engine), located(&one), "{what}");
    }
}

#[test]
fn ok_bad_lines_in_any_part_are_named_at_their_file_offsets() {
    let Some((mut text, all, _)) = lines(1_500, 22) else { return };
    // A broken line every 97 lines, placed by hand; their offsets are counted here.
    let mut with_bad = Vec::new();
    let mut bad_at = Vec::new();
    for (i, line) in text.split_inclusive(|&b| b == b'\n').enumerate() {
        if i % 97 == 50 {
            bad_at.push(with_bad.len() as u64);
            with_bad.extend_from_slice(b"{\"eventTime\": \"2026-01-01T00:00:00Z\", oops}\n");
        }
        with_bad.extend_from_slice(line);
    }
    text = with_bad;
    assert!(bad_at.len() >= 10);
    let plan = Plan { first: 30_000, piece: 60_000, chunk: 1_000, workers: 3, every: 5, here: vec![2, 5] };
    let (engine, _) = load_split(&text, &plan);
    let r = &engine.files()[0].report;
    assert_eq!((r.kind, r.rejected, r.events + r.duplicates), (FileKind::Logs, bad_at.len() as u64, all.len() as u64));
    let named: Vec<u64> = r.warnings.iter().filter_map(|w| w.offset).collect();
    assert_eq!(named, bad_at[..named.len()], "warnings in file order, at the bad lines' offsets");
    assert_eq!(r.warnings_total, bad_at.len() as u64);
    assert_eq!(reports(&engine), reports(&whole(&text)));
}

/// An engine that has read the start of `text` and cut the rest, with the parts.
fn cut(text: &[u8]) -> (Engine, FileId, Vec<(u64, u64)>) {
    let mut engine = Engine::new();
    let id = engine.open_file(PATH, text.len() as u64);
    engine.push(id, &text[..20_000]);
    let parts = engine.split(id, 20_000, 50_000);
    assert!(parts.len() >= 3);
    (engine, id, parts)
}

/// An ingest worker's engine that has read the first `n` bytes it was fed of the part of `text` that
/// starts at `start` and ends at `end` (fed from `LOOK_BACK` bytes before `start`), the part still open as its
/// file 0.
fn part_fed(text: &[u8], (start, end): (u64, u64), n: usize) -> Engine {
    let mut reader = Engine::for_batches();
    let local = reader.open_file_part(PATH, text.len() as u64, start, end);
    let from = (start - LOOK_BACK) as usize;
    reader.push(local, &text[from..from + n]);
    reader
}

/// Events on the lines that start in `from..to`, counted from the text.
fn lines_in(text: &[u8], from: u64, to: u64) -> u64 {
    let mut at = 0u64;
    let mut n = 0;
    for line in text.split_inclusive(|&b| b == b'\n') {
        n += u64::from((from..to).contains(&at) && line.len() > 2);
        at += line.len() as u64;
    }
    n
}

#[test]
fn ok_a_part_left_unread_or_lost_says_so_and_the_file_keeps_the_rest() {
    let Some((text, _, _)) = lines(800, 23) else { return };
    let (mut engine, id, parts) = cut(&text);
    // The engine's own part to its cut.
    let mut at = 20_000;
    while !engine.part_read(id) && at < text.len() {
        let end = (at + 4_096).min(text.len());
        engine.push(id, &text[at..end]);
        at = end;
    }
    engine.close_file(id);
    assert_eq!(engine.status().files, 0, "parts still to read: the file is not done");
    assert_eq!(engine.files()[0].report.kind, FileKind::Pending);
    // Part 0 of the rest: read by a worker, which is lost after one batch.
    let (s0, e0) = parts[0];
    let from = (s0 - LOOK_BACK) as usize;
    engine.absorb_split(&part_fed(&text, parts[0], 10_000).take_batch(), None, &[Some((id, s0))]).unwrap();
    engine.split_part_lost(id, s0, "the ingest worker reading it crashed");
    // The other parts: never started (the load was cancelled).
    for &(s, _) in &parts[1..] {
        engine.part_unread(id, s, "loading was cancelled");
    }
    let r = &engine.files()[0].report;
    assert_eq!(engine.status().files, 1, "every part accounted for: the file is done");
    assert_eq!(r.kind, FileKind::Logs);
    assert!(r.cut);
    // What was read: the lines before the first cut, and those of part 0 whose line ended within the
    // 10,000 bytes fed.
    let first_cut = s0;
    let fed_end = from as u64 + 10_000;
    let complete = {
        let mut at = 0u64;
        let mut n = 0;
        for line in text.split_inclusive(|&b| b == b'\n') {
            let end = at + line.len() as u64;
            n += u64::from(at >= first_cut && end <= fed_end);
            at = end;
        }
        n
    };
    assert_eq!(r.events + r.duplicates, lines_in(&text, 0, first_cut) + complete);
    // The parts not read, together, first; then the lost part's own warning.
    let messages: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
    let (s1, size) = (thousands(parts[1].0), thousands(text.len() as u64));
    assert_eq!(messages[0], format!("bytes {s1} to {size} of this file were not read: loading was cancelled"));
    let (s0, e0) = (thousands(s0), thousands(e0));
    assert!(
        messages[1].starts_with(&format!("the ingest worker reading it crashed while reading bytes {s0} to {e0}")),
        "{messages:?}"
    );
    assert_eq!((messages.len(), r.warnings_total), (2, 2));
}

#[test]
fn ok_only_plain_files_of_events_one_after_another_are_cut() {
    let Some((text, all, _)) = lines(400, 24) else { return };
    let try_cut = |bytes: &[u8]| {
        let mut engine = Engine::new();
        let id = engine.open_file(PATH, bytes.len() as u64);
        engine.push(id, &bytes[..20_000.min(bytes.len())]);
        engine.split(id, 20_000, 20_000).len()
    };
    assert!(try_cut(&text) > 0, "JSON lines are cut");
    // The same events pretty-printed, one after the other, indented or not.
    let pretty = join(all.iter().map(|r| serde_json::to_string_pretty(r).unwrap()));
    assert!(try_cut(&pretty) > 0, "pretty-printed");
    assert!(try_cut(&unindented(&pretty)) > 0, "pretty-printed without indenting");
    // A CloudTrail log file: one Records document.
    let records = serde_json::to_vec(&serde_json::json!({ "Records": all })).unwrap();
    assert_eq!(try_cut(&records), 0, "Records");
    // Gzip JSON lines: offsets are not the file's.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &text).unwrap();
    let gz = gz.finish().unwrap();
    assert_eq!(try_cut(&gz), 0, "gzip");
    // Too short to be worth it: the rest is less than half a part.
    let mut engine = Engine::new();
    let id = engine.open_file(PATH, text.len() as u64);
    engine.push(id, &text[..20_000]);
    assert!(engine.split(id, 20_000, 2 * text.len() as u64).is_empty());
}

#[test]
fn err_a_batch_naming_a_part_that_is_not_being_read_is_refused() {
    let Some((text, _, _)) = lines(600, 25) else { return };
    let (mut engine, id, parts) = cut(&text);
    let s0 = parts[0].0;
    let batch = part_fed(&text, parts[0], 5_000).take_batch();
    let before = engine.status().events;
    assert!(engine.absorb_split(&batch, None, &[Some((id, s0 + 1))]).is_err(), "no part starts there");
    assert!(engine.absorb_split(&batch, None, &[Some((id + 1, s0))]).is_err(), "no such file");
    engine.part_unread(id, s0, "loading was cancelled");
    assert!(engine.absorb_split(&batch, None, &[Some((id, s0))]).is_err(), "that part is given up");
    assert_eq!(engine.status().events, before, "nothing was added");
}

#[test]
fn ok_lines_repeated_in_other_parts_count_once_and_then_as_duplicates() {
    // The export twice over, as a careless concatenation makes it: each event's second copy is in a
    // part read by another reader, which the engine may take before or after the first.
    let Some((once, all, _)) = lines(1_200, 26) else { return };
    let text = [once.as_slice(), once.as_slice()].concat();
    let plan = Plan { first: 25_000, piece: 90_000, chunk: 2_048, workers: 3, every: 4, here: vec![4] };
    let (engine, _) = load_split(&text, &plan);
    let r = &engine.files()[0].report;
    let n = unique(&all) as u64;
    assert_eq!((r.events, r.duplicates), (n, 2 * all.len() as u64 - n), "(events, duplicates), by serde_json::Value");
    assert_eq!(engine.status().events, n);
    assert_eq!(reports(&engine), reports(&whole(&text)));
}

#[test]
fn ok_a_part_cancelled_partway_says_how_far_into_the_part_it_got() {
    let Some((text, _, _)) = lines(600, 27) else { return };
    let (mut engine, id, parts) = cut(&text);
    let s0 = parts[0].0;
    let from = (s0 - LOOK_BACK) as usize;
    let mut reader = part_fed(&text, parts[0], 10_000);
    reader.read_cancelled(0);
    reader.close_file(0);
    engine.absorb_split(&reader.take_batch(), None, &[Some((id, s0))]).unwrap();
    // The part's first record starts at the first line start at or after its start, found here.
    let first = s0 as usize + text[s0 as usize - 1..].iter().position(|&b| b == b'\n').unwrap();
    let owned = from + 10_000 - first;
    let r = &engine.files()[0].report;
    assert_eq!(r.kind, FileKind::Pending, "other parts are still to come");
    let messages: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        [format!(
            "loading was cancelled after {} bytes of the part of this file from byte {}; what came before was read, the rest of that part was not",
            thousands(owned as u64),
            thousands(first as u64)
        )]
    );
}

#[test]
fn ok_lines_longer_than_a_part_and_than_an_event_may_be_read_as_one_engine_reads_them() {
    // A pipeline's export may hold events far longer than CloudTrail's 256 KB: one of 300 KB, read
    // with a warning, and one of 1.2 MB, over the most an event may be, skipped with one. Each
    // crosses several parts' ends, so parts are owned by a record that started parts before.
    let Some((_, all, _)) = lines(400, 29) else { return };
    let padded = |r: &serde_json::Value, len: usize| {
        let mut r = r.clone();
        r["requestParameters"] = serde_json::json!({ "policy": "x".repeat(len) });
        serde_json::to_string(&r).unwrap()
    };
    let (long, too_long) = (150, 300);
    let text = join(all.iter().enumerate().map(|(i, r)| match i {
        _ if i == long => padded(r, 300 << 10),
        _ if i == too_long => padded(r, 1_200 << 10),
        _ => serde_json::to_string(r).unwrap(),
    }));
    let plan = Plan { first: 20_000, piece: 100_000, chunk: 64 << 10, workers: 2, every: 3, here: vec![] };
    let (engine, parts) = load_split(&text, &plan);
    assert!(parts >= 20, "{parts} parts");
    let one = whole(&text);
    assert_eq!(reports(&engine), reports(&one));
    assert_eq!(located(&engine), located(&one));
    // Counted here: every record but the one over 1 MB, as serde_json reads them.
    let kept: Vec<serde_json::Value> =
        all.iter().enumerate().filter(|&(i, _)| i != too_long).map(|(_, r)| r.clone()).collect();
    assert_eq!(engine.status().events, unique(&kept) as u64);
    // Both long lines are named at their offsets, found by splitting the text into lines.
    let starts: Vec<u64> = std::iter::once(0)
        .chain(text.iter().enumerate().filter(|&(_, &b)| b == b'\n').map(|(i, _)| i as u64 + 1))
        .collect();
    let r = &engine.files()[0].report;
    let at = |i: usize| r.warnings.iter().filter(|w| w.offset == Some(starts[i])).count();
    assert_eq!((at(long), at(too_long)), (1, 1), "{:?}", r.warnings);
    assert_eq!(r.rejected, 1);
}
