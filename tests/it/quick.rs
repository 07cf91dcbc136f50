//! The fast event reader (`ingest::quick`) against serde, which it must agree with or leave the
//! text to: every object in every file of the shared corpus (events and everything else in them),
//! and those events mutated byte by byte.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::value::RawValue;
use trailscope::ingest::quick;
use trailscope::ingest::raw::RawEvent;

use super::common::{corpus, read_maybe_gz, walk};

/// What serde's stream reads at the start of `text`: the event's `Debug` and where it ends, or
/// `None` for an error or nothing.
fn serde(text: &str) -> Option<(String, usize)> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<RawEvent>();
    let ev = stream.next()?.ok()?;
    Some((format!("{ev:?}"), stream.byte_offset()))
}

#[derive(Default, Debug)]
struct Tally {
    read: usize,
    declined: usize,
}

impl Tally {
    /// Holds the fast path to serde's answer on `text`: the same event and end, or no answer.
    fn check(&mut self, text: &str) {
        match quick::event(text) {
            Some((ev, end)) => {
                assert_eq!(
                    Some((format!("{ev:?}"), end)),
                    serde(text),
                    "the fast path disagrees with serde on {text:?}"
                );
                self.read += 1;
            }
            None => self.declined += 1,
        }
    }
}

/// Every object in the JSON value `text`, outermost first, with its original text.
fn objects<'a>(text: &'a str, out: &mut Vec<&'a str>) {
    match text.trim_start().as_bytes().first() {
        Some(b'{') => {
            out.push(text);
            if let Ok(map) = serde_json::from_str::<HashMap<Cow<str>, &RawValue>>(text) {
                for v in map.values() {
                    objects(v.get(), out);
                }
            }
        }
        Some(b'[') => {
            if let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(text) {
                for v in items {
                    objects(v.get(), out);
                }
            }
        }
        _ => {}
    }
}

/// The objects of every corpus file that is JSON or JSON lines, and how many of them are events
/// (have an `eventName`).
fn corpus_objects() -> Option<(Vec<String>, usize)> {
    let dir = corpus()?;
    let mut texts = Vec::new();
    for path in walk(&dir) {
        let Ok(text) = String::from_utf8(read_maybe_gz(&path)) else { continue };
        let mut found = Vec::new();
        if serde_json::from_str::<&RawValue>(&text).is_ok() {
            objects(&text, &mut found);
        } else {
            for line in text.lines() {
                if serde_json::from_str::<&RawValue>(line).is_ok() {
                    objects(line, &mut found);
                }
            }
        }
        texts.extend(found.into_iter().map(str::to_owned));
    }
    let events = texts.iter().filter(|t| t.contains("\"eventName\"")).count();
    Some((texts, events))
}

#[test]
fn ok_agrees_with_serde_on_every_corpus_object() {
    let Some((texts, events)) = corpus_objects() else { return };
    assert!(events > 1_000, "only {events} events found in the corpus");
    let mut all = Tally::default();
    let mut with_events = Tally::default();
    for text in &texts {
        all.check(text);
        // As the framer hands it over: followed by the next element.
        all.check(&format!("{text},{{\"eventName\":\"Next\"}}]}}"));
        if text.contains("\"eventName\"") {
            with_events.check(text);
        }
    }
    eprintln!("corpus objects: {all:?}; those with an eventName: {with_events:?}");
    // The fast path must be the usual path, not an idle one: nearly every real event takes it.
    assert!(
        with_events.declined * 100 <= events,
        "the fast path left {} of {events} corpus events to serde",
        with_events.declined
    );
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Bytes that change JSON's meaning, and some that do not.
const MUTANTS: &[&str] = &[
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\n",
    "\t",
    "0",
    "1",
    "-",
    ".",
    "e",
    "+",
    "n",
    "t",
    "f",
    "null",
    "true",
    "false",
    "\\u",
    "\\ud800",
    "\\udc00",
    "\\n",
    "\"\"",
    "é",
    "\u{1}",
    "\"eventName\":\"X\",",
    "\"readOnly\":\"Yes\",",
    "\"userIdentity\":{},",
    "1e999",
    "[]",
    "{}",
];

/// Corpus events with a byte deleted, a byte replaced, a fragment inserted, or cut short; the fast
/// path must agree with serde or decline every time.
#[test]
fn ok_agrees_with_serde_on_mutated_events() {
    let Some((texts, _)) = corpus_objects() else { return };
    let mut events: Vec<&String> = texts.iter().filter(|t| t.contains("\"eventName\"")).collect();
    events.sort();
    events.dedup();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut tally = Tally::default();
    for _ in 0..40_000 {
        let base = events[rng.below(events.len())].as_str();
        let mut text = base.to_owned();
        for _ in 0..=rng.below(3) {
            // Work on char boundaries so the text stays a string, as the reader's input always is.
            let at = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).nth(rng.below(text.chars().count() + 1));
            let at = at.unwrap_or(text.len());
            match rng.below(4) {
                0 if at < text.len() => {
                    let next = text[at..].chars().next().map_or(0, char::len_utf8);
                    text.replace_range(at..at + next, "");
                }
                1 if at < text.len() => {
                    let next = text[at..].chars().next().map_or(0, char::len_utf8);
                    text.replace_range(at..at + next, MUTANTS[rng.below(MUTANTS.len())]);
                }
                2 => text.insert_str(at, MUTANTS[rng.below(MUTANTS.len())]),
                _ => text.truncate(at),
            }
        }
        tally.check(&text);
    }
    eprintln!("mutated events: {tally:?}");
    // Both outcomes must occur, or the mutations test nothing.
    assert!(tally.read > 1_000 && tally.declined > 1_000, "{tally:?}");
}
