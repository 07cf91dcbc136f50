//! Folder drops: a dropped directory is walked with the File and Directory Entries API, all of it
//! (`readEntries` hands out at most 100 entries a call, so it is called until it returns none), and
//! every file keeps its path below the drop, so `AWSLogs/<account>/CloudTrail/<region>/...` still tells
//! account, region and date.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};

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

/// Every file under the dropped entries, with its relative path; and what could not be read.
pub async fn walk(entries: Vec<FileSystemEntry>) -> (Vec<File>, Vec<String>, Vec<String>) {
    let mut files = Vec::new();
    let mut paths = Vec::new();
    let mut problems = Vec::new();
    let mut stack = entries;
    while let Some(entry) = stack.pop() {
        let path = entry.full_path().trim_start_matches('/').to_owned();
        if entry.is_directory() {
            let reader = entry.unchecked_into::<FileSystemDirectoryEntry>().create_reader();
            loop {
                let batch = JsFuture::from(Promise::new(&mut |resolve: Function, reject: Function| {
                    if let Err(e) = reader.read_entries_with_callback_and_callback(&resolve, &reject) {
                        let _ = reject.call1(&JsValue::NULL, &e);
                    }
                }))
                .await;
                match batch.map(JsCast::unchecked_into::<Array>) {
                    Ok(b) if b.length() > 0 => stack.extend(b.iter().map(JsCast::unchecked_into::<FileSystemEntry>)),
                    Ok(_) => break,
                    Err(e) => {
                        problems.push(format!("{path}: the folder could not be listed ({})", describe(&e)));
                        break;
                    }
                }
            }
        } else if entry.is_file() {
            let file_entry = entry.unchecked_into::<FileSystemFileEntry>();
            let file = JsFuture::from(Promise::new(&mut |resolve: Function, reject: Function| {
                file_entry.file_with_callback_and_callback(&resolve, &reject);
            }))
            .await;
            match file.and_then(JsCast::dyn_into::<File>) {
                Ok(f) => {
                    files.push(f);
                    paths.push(path);
                }
                Err(e) => problems.push(format!("{path}: the file could not be opened ({})", describe(&e))),
            }
        }
    }
    // Walking pops from the end; give the files back in a stable, readable order.
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| paths[a].cmp(&paths[b]));
    let files = order.iter().map(|&i| files[i].clone()).collect();
    let paths = order.iter().map(|&i| paths[i].clone()).collect();
    (files, paths, problems)
}

fn describe(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_else(|| format!("{e:?}"))
}
