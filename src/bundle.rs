//! The triage bundle: a person's view, notes and bookmarks, in a small JSON file another person can
//! import next to the same logs. Like view links, it holds no log values in clear: events are named
//! by the digest of their key (see [`crate::link`]) and the view by its link fragment. Notes are the
//! person's own words. Notes and bookmarks also persist in the browser's local storage, never remotely.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The bundle's schema name.
pub const SCHEMA: &str = "trailscope-bundle/1";

/// Most notes a bundle may carry (a bundle is a file someone else wrote).
pub const MAX_NOTES: usize = 100_000;

/// Longest note kept, in characters.
pub const MAX_NOTE_CHARS: usize = 20_000;

/// What a person wrote about one event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Note {
    /// The note (may be empty for a bare bookmark).
    pub text: String,
    /// Bookmarked.
    pub bookmarked: bool,
    /// When it last changed, ISO 8601 UTC.
    pub updated: String,
}

impl Note {
    /// Whether there is nothing to keep.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty() && !self.bookmarked
    }
}

/// Notes by event digest.
pub type Notes = BTreeMap<String, Note>;

/// A file of the investigation, so the importer knows what to drop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleFile {
    /// Relative path as dropped.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
}

/// The bundle file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// When it was written.
    pub created: String,
    /// The view, as a link fragment.
    pub view: String,
    /// Notes and bookmarks by event digest.
    pub notes: Notes,
    /// The files that were loaded.
    pub files: Vec<BundleFile>,
}

impl Bundle {
    /// The bundle as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a bundle, refusing anything that is not one; notes are cleaned of empty entries and
    /// keys that are not digests, and cut to the limits.
    pub fn from_json(text: &str) -> Result<Bundle, String> {
        let mut b: Bundle = serde_json::from_str(text).map_err(|e| format!("this is not a Trailscope bundle ({e})"))?;
        if b.schema != SCHEMA {
            return Err(format!("this bundle's schema is {:?}; this version reads {SCHEMA:?}", b.schema));
        }
        if b.notes.len() > MAX_NOTES {
            return Err(format!(
                "this bundle has {} notes, more than the {MAX_NOTES} a bundle may carry",
                b.notes.len()
            ));
        }
        b.notes.retain(|k, n| crate::link::is_digest(k) && !n.is_empty());
        for n in b.notes.values_mut() {
            if n.text.chars().count() > MAX_NOTE_CHARS {
                n.text = n.text.chars().take(MAX_NOTE_CHARS).collect();
            }
        }
        Ok(b)
    }
}

/// Merges imported notes into local ones: the newer of two notes on one event wins.
pub fn merge(local: &mut Notes, imported: &Notes) {
    for (k, n) in imported {
        match local.get(k) {
            Some(mine) if mine.updated >= n.updated => {}
            _ => {
                local.insert(k.clone(), n.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(text: &str, updated: &str) -> Note {
        Note { text: text.into(), bookmarked: false, updated: updated.into() }
    }

    #[test]
    fn ok_round_trip() {
        let mut notes = Notes::new();
        notes.insert(
            crate::link::digest("k"),
            Note { text: "suspicious push".into(), bookmarked: true, updated: "2026-11-22T03:00:00Z".into() },
        );
        let b = Bundle {
            schema: SCHEMA.into(),
            created: "2026-11-22T03:00:00Z".into(),
            view: "v=events&src=ecr.amazonaws.com".into(),
            notes,
            files: vec![BundleFile { path: "AWSLogs/x.json.gz".into(), size: 10 }],
        };
        assert_eq!(Bundle::from_json(&b.to_json()), Ok(b));
    }

    #[test]
    fn err_not_a_bundle() {
        assert!(Bundle::from_json("{\"Records\":[]}").unwrap_err().starts_with("this is not a Trailscope bundle"));
        let other = r#"{"schema":"trailscope-bundle/9","created":"","view":"","notes":{},"files":[]}"#;
        assert_eq!(
            Bundle::from_json(other).unwrap_err(),
            "this bundle's schema is \"trailscope-bundle/9\"; this version reads \"trailscope-bundle/1\""
        );
    }

    #[test]
    fn ok_hostile_notes_are_cleaned() {
        let long = "x".repeat(MAX_NOTE_CHARS + 5);
        let text = format!(
            r#"{{"schema":"trailscope-bundle/1","created":"","view":"","files":[],"notes":{{"not-a-digest":{{"text":"a"}},"{}":{{"text":""}},"{}":{{"text":"{long}"}}}}}}"#,
            crate::link::digest("empty"),
            crate::link::digest("long")
        );
        let b = Bundle::from_json(&text).unwrap();
        assert_eq!(b.notes.len(), 1);
        assert_eq!(b.notes.values().next().unwrap().text.chars().count(), MAX_NOTE_CHARS);
    }

    #[test]
    fn ok_merge_keeps_the_newer_note() {
        let mut local = Notes::new();
        local.insert("a".into(), note("mine, newer", "2026-11-22T02:00:00Z"));
        local.insert("b".into(), note("mine, older", "2026-11-20T00:00:00Z"));
        let mut imported = Notes::new();
        imported.insert("a".into(), note("theirs, older", "2026-11-21T00:00:00Z"));
        imported.insert("b".into(), note("theirs, newer", "2026-11-21T00:00:00Z"));
        imported.insert("c".into(), note("theirs, only", "2026-11-21T00:00:00Z"));
        merge(&mut local, &imported);
        let texts: Vec<&str> = local.values().map(|n| n.text.as_str()).collect();
        assert_eq!(texts, ["mine, newer", "theirs, newer", "theirs, only"]);
    }
}
