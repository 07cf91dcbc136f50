//! Folder drops: a dropped directory is walked with the File and Directory Entries API, all of it
//! (`readEntries` hands out at most 100 entries a call, so it is called until it returns none), and
//! every file keeps its path below the drop, so `AWSLogs/<account>/CloudTrail/<region>/...` still tells
//! account, region and date.
//!
//! Every `readEntries` and every `file()` is a round trip to the browser. One at a time, a drop of
//! 5,744 files took 6–8 s before the first file was read, with nothing on screen meanwhile. So the
//! walk lists [`FOLDERS_AT_ONCE`] folders together, opens the files it listed [`FILES_AT_ONCE`] at a
//! time, and hands them over as it goes: reading starts with the first folder, while the walk goes
//! on.

use futures::future::join_all;
use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};

use super::task::next_task;

/// Folders listed at a time.
const FOLDERS_AT_ONCE: usize = 8;

/// `file()` calls made together. The browser answers each with a blocking call of its own (the file's
/// blob), and runs every answer that waits in one task of the page, calls made from those answers
/// included: 256 calls made together gave tasks of 230–440 ms (24 over 50 ms a load of 5,744 files),
/// 32 still 127 ms while the ingest workers held the cores, and 8 kept under way all the time (each
/// answer making the next call) one task of 2.4 s. So the walk makes 8 and, once all are answered,
/// yields to the page before the next 8.
const FILES_AT_ONCE: usize = 8;

/// Files handed over together (fewer at the end of what was listed).
const HAND_OVER: usize = 256;

/// Takes what a drop holds; must be called during the drop event (the list is gone after it).
pub fn entries(dt: &DataTransfer) -> (Vec<FileSystemEntry>, Vec<File>) {
    let items = dt.items();
    let mut entries = Vec::new();
    for i in 0..items.length() {
        if let Some(item) = items.get(i) {
            if item.kind() == "file" {
                if let Ok(Some(entry)) = item.webkit_get_as_entry() {
                    entries.push(entry);
                }
            }
        }
    }
    if entries.is_empty() {
        // No Entries API: the top-level files only.
        let files = dt.files().map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect()).unwrap_or_default();
        return (Vec::new(), files);
    }
    (entries, Vec::new())
}

/// What the walk hands over as it goes.
pub trait Found {
    /// More files, with their relative paths. False: stop walking (the load was cancelled).
    fn files(&mut self, files: Vec<File>, paths: Vec<String>) -> bool;
}

/// Walks every file under the dropped entries, handing them to `found` in groups as they are opened.
/// Returns how many files it found and what could not be read. Folders are listed in path order,
/// the first ones first, so a CloudTrail tree is read roughly from its oldest day on.
pub async fn walk(entries: Vec<FileSystemEntry>, found: &mut impl Found) -> (u64, Vec<String>) {
    let mut problems = Vec::new();
    let mut count = 0;
    // Folders to list, the next one last; files listed and not opened yet.
    let mut folders: Vec<(String, FileSystemDirectoryEntry)> = Vec::new();
    let mut files: Vec<(String, FileSystemFileEntry)> = Vec::new();
    sort_in(entries, &mut folders, &mut files);
    loop {
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let (mut got, mut paths) = (Vec::new(), Vec::new());
        for (i, group) in files.chunks(FILES_AT_ONCE).enumerate() {
            let opened = join_all(group.iter().map(|(_, entry)| open(entry))).await;
            for ((path, _), file) in group.iter().zip(opened) {
                match file {
                    Ok(f) => {
                        got.push(f);
                        paths.push(path.clone());
                    }
                    Err(e) => problems.push(format!("{path}: the file could not be opened ({e})")),
                }
            }
            let last = (i + 1) * FILES_AT_ONCE >= files.len();
            if got.len() >= HAND_OVER || (last && !got.is_empty()) {
                count += got.len() as u64;
                if !found.files(std::mem::take(&mut got), std::mem::take(&mut paths)) {
                    return (count, problems);
                }
            }
            if !last {
                next_task().await;
            }
        }
        files.clear();
        if folders.is_empty() {
            return (count, problems);
        }
        let take = folders.split_off(folders.len().saturating_sub(FOLDERS_AT_ONCE));
        let listed = join_all(take.iter().map(|(_, folder)| list(folder))).await;
        let mut inside = Vec::new();
        for ((path, _), (entries, failed)) in take.iter().zip(listed) {
            if let Some(e) = failed {
                problems.push(format!("{path}: the folder could not be listed ({e})"));
            }
            inside.extend(entries);
        }
        sort_in(inside, &mut folders, &mut files);
    }
}

/// Sorts entries into folders (pushed so that the first in path order is listed next) and files.
fn sort_in(
    entries: Vec<FileSystemEntry>,
    folders: &mut Vec<(String, FileSystemDirectoryEntry)>,
    files: &mut Vec<(String, FileSystemFileEntry)>,
) {
    let mut found = Vec::new();
    for entry in entries {
        let path = entry.full_path().trim_start_matches('/').to_owned();
        if entry.is_directory() {
            found.push((path, entry.unchecked_into::<FileSystemDirectoryEntry>()));
        } else if entry.is_file() {
            files.push((path, entry.unchecked_into::<FileSystemFileEntry>()));
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0));
    folders.extend(found);
}

/// Every entry of a folder, and why the listing stopped early if it did.
async fn list(folder: &FileSystemDirectoryEntry) -> (Vec<FileSystemEntry>, Option<String>) {
    let reader = folder.create_reader();
    let mut entries = Vec::new();
    loop {
        let batch = JsFuture::from(Promise::new(&mut |resolve: Function, reject: Function| {
            if let Err(e) = reader.read_entries_with_callback_and_callback(&resolve, &reject) {
                let _ = reject.call1(&JsValue::NULL, &e);
            }
        }))
        .await;
        match batch.map(JsCast::unchecked_into::<Array>) {
            Ok(b) if b.length() > 0 => entries.extend(b.iter().map(JsCast::unchecked_into::<FileSystemEntry>)),
            Ok(_) => return (entries, None),
            Err(e) => return (entries, Some(describe(&e))),
        }
    }
}

/// The `File` of a file entry.
async fn open(entry: &FileSystemFileEntry) -> Result<File, String> {
    let file = JsFuture::from(Promise::new(&mut |resolve: Function, reject: Function| {
        entry.file_with_callback_and_callback(&resolve, &reject);
    }))
    .await;
    file.and_then(JsCast::dyn_into::<File>).map_err(|e| describe(&e))
}

fn describe(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_else(|| format!("{e:?}"))
}
