//! Folder drops: a dropped directory is walked whole, and every file keeps its path below the drop,
//! so `AWSLogs/<account>/CloudTrail/<region>/...` still tells account, region and date.
//!
//! Two of the browser's APIs can walk a drop. Where there is the File System Access API (Chromium),
//! the drop's handles are walked: their `getFile()` answers with the file's size and time, so handing
//! the file to the engine later costs the page nothing more. Elsewhere the File and Directory Entries
//! API is: all of it (`readEntries` hands out at most 100 entries a call, so it is called until it
//! returns none), where each `file()` costs the page a blocking call, and posting each file another
//! (the browser asks for its size and time then). A scratch page dropped the 5,744 files of the
//! benchmark and walked, opened and posted them with the handles in 1.0–1.1 s, 0.4 s of it the
//! page's CPU, and no task over 50 ms; see the README's "Folder drops through handles".
//!
//! Every listing and every opening is a round trip to the browser. One at a time, a drop of 5,744
//! files took 6–8 s before the first file was read, with nothing on screen meanwhile. So the walk
//! lists [`FOLDERS_AT_ONCE`] folders together, opens the files it listed a few at a time
//! ([`Node::OPEN_AT_ONCE`]), and hands them over as it goes: reading starts with the first folder,
//! while the walk goes on.

use std::cell::RefCell;
use std::collections::HashSet;

use futures::future::join_all;
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};

use super::task::next_task;

/// Folders listed at a time.
const FOLDERS_AT_ONCE: usize = 8;

/// Files handed over together (fewer at the end of what was listed).
const HAND_OVER: usize = 256;

/// What a drop holds, taken during the drop event (the list is gone after it).
pub struct Dropped {
    /// The dropped items' File System Access handles, as asked for (one promise an item), where the
    /// browser has the API.
    handles: Vec<Promise>,
    /// The same items as File and Directory Entries.
    entries: Vec<FileSystemEntry>,
    /// Without either API: the top-level files only.
    pub files: Vec<File>,
}

impl Dropped {
    /// Nothing to walk: only [`Dropped::files`] (a browser without the Entries API, or files that
    /// are not on disk, as a page's own `DataTransfer` holds).
    pub fn only_files(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Takes what a drop holds; must be called during the drop event.
pub fn dropped(dt: &DataTransfer) -> Dropped {
    let items = dt.items();
    let (mut handles, mut entries) = (Vec::new(), Vec::new());
    for i in 0..items.length() {
        let Some(item) = items.get(i) else { continue };
        if item.kind() != "file" {
            continue;
        }
        if let Ok(Some(entry)) = item.webkit_get_as_entry() {
            entries.push(entry);
        }
        // Not in web-sys's stable API: called by name where the browser has it.
        if let Ok(promise) = call_method(&item, "getAsFileSystemHandle").and_then(JsCast::dyn_into::<Promise>) {
            handles.push(promise);
        }
    }
    if entries.is_empty() {
        // No Entries API: the top-level files only.
        let files = dt.files().map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect()).unwrap_or_default();
        return Dropped { handles: Vec::new(), entries: Vec::new(), files };
    }
    Dropped { handles, entries, files: Vec::new() }
}

/// Whether the browser has a folder picker that answers with a handle (`showDirectoryPicker`, the
/// File System Access API: Chromium). Without it, "Choose a folder" is the `webkitdirectory` input,
/// where the browser makes every file's `File` before the page hears of the pick (1.6–1.9 s of a
/// frozen page for the benchmark's 5,744 files) and posting each file costs a blocking call more.
pub fn can_pick_folder() -> bool {
    web_sys::window().is_some_and(|w| Reflect::has(&w, &"showDirectoryPicker".into()).unwrap_or(false))
}

/// Opens the browser's folder picker; must be called while handling the person's click. `Ok(None)`
/// when they closed it without choosing; `Err` says why it could not open.
pub async fn pick_folder() -> Result<Option<Dropped>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let options = js_sys::Object::new();
    let _ = Reflect::set(&options, &"mode".into(), &"read".into());
    // The browser remembers the folder picked last under this id and starts there.
    let _ = Reflect::set(&options, &"id".into(), &"trailscope-logs".into());
    let asked = Reflect::get(&window, &"showDirectoryPicker".into())
        .and_then(JsCast::dyn_into::<Function>)
        .and_then(|f| f.call1(&window, &options))
        .and_then(JsCast::dyn_into::<Promise>)
        .map_err(|e| describe(&e))?;
    let closed =
        |e: &JsValue| Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string()).as_deref() == Some("AbortError");
    match JsFuture::from(asked).await {
        Ok(folder) => {
            Ok(Some(Dropped { handles: vec![Promise::resolve(&folder)], entries: Vec::new(), files: Vec::new() }))
        }
        Err(e) if closed(&e) => Ok(None),
        Err(e) => Err(describe(&e)),
    }
}

/// What a walk has not done yet: the folders it has not listed and the files it found and has not
/// handed over. Shared with the page, so that a Cancel can say at once what the walk leaves: the
/// walk itself notices only when it next hands files over, maybe a folder's listing later.
#[derive(Debug, Default)]
pub struct Left {
    /// Folders not listed yet, those being listed included, by path.
    pub folders: HashSet<String>,
    /// Files found and not handed over yet, those being opened included, by path.
    pub files: HashSet<String>,
}

/// What the walk hands over as it goes.
pub trait Found {
    /// More files, with their relative paths. False: stop walking (the load was cancelled).
    fn files(&mut self, files: Vec<File>, paths: Vec<String>) -> bool;
}

/// Walks every file under the dropped folders and files, handing them to `found` in groups as they
/// are opened, through their handles when each item has one, else through their entries. Returns how
/// many files it found and what could not be read. Folders are listed in path order, the first ones
/// first, so a CloudTrail tree is read roughly from its oldest day on, except that `CloudTrail-Digest`
/// folders go before all others: once the engine sees a digest, it hashes the files it reads for the
/// integrity check, rather than read them again after the load (see `Worker::digests_pending`).
/// Keeps `left` up to date as it goes.
pub async fn walk(dropped: Dropped, found: &mut impl Found, left: &RefCell<Left>) -> (u64, Vec<String>) {
    let Dropped { handles, entries, .. } = dropped;
    // A drop has both, one of each an item; a picked folder only its handle.
    if !handles.is_empty() && (entries.is_empty() || handles.len() == entries.len()) {
        let got: Result<Vec<Handle>, JsValue> =
            join_all(handles.into_iter().map(JsFuture::from)).await.into_iter().map(|h| h.map(Handle)).collect();
        // A handle is null for what is not a file or folder on disk; then the entries walk it all.
        if let Ok(got) = got {
            if got.iter().all(|h| h.is_file() || h.is_folder()) {
                return walk_nodes(got, found, left).await;
            }
        }
    }
    walk_nodes(entries.into_iter().map(Entry).collect(), found, left).await
}

/// A dropped file or folder, as one of the browser's two APIs shows it.
trait Node: Sized {
    /// Files opened together, before the walk yields to the page.
    const OPEN_AT_ONCE: usize;
    fn name(&self) -> String;
    fn is_folder(&self) -> bool;
    fn is_file(&self) -> bool;
    /// Every entry of a folder, and why the listing stopped early if it did.
    async fn list(&self) -> (Vec<Self>, Option<String>);
    /// The `File` of a file.
    async fn open(&self) -> Result<File, String>;
}

/// The walk over either API.
async fn walk_nodes<N: Node>(top: Vec<N>, found: &mut impl Found, left: &RefCell<Left>) -> (u64, Vec<String>) {
    let mut problems = Vec::new();
    let mut count = 0;
    // Folders to list, the next one last; files listed and not opened yet.
    let mut folders: Vec<(String, N)> = Vec::new();
    let mut files: Vec<(String, N)> = Vec::new();
    sort_in(None, top, &mut folders, &mut files, &mut left.borrow_mut());
    loop {
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let (mut got, mut paths) = (Vec::new(), Vec::new());
        for (i, group) in files.chunks(N::OPEN_AT_ONCE).enumerate() {
            let opened = join_all(group.iter().map(|(_, node)| node.open())).await;
            for ((path, _), file) in group.iter().zip(opened) {
                match file {
                    Ok(f) => {
                        got.push(f);
                        paths.push(path.clone());
                    }
                    Err(e) => {
                        left.borrow_mut().files.remove(path);
                        problems.push(format!("{path}: the file could not be opened ({e})"));
                    }
                }
            }
            let last = (i + 1) * N::OPEN_AT_ONCE >= files.len();
            if got.len() >= HAND_OVER || (last && !got.is_empty()) {
                count += got.len() as u64;
                {
                    let mut left = left.borrow_mut();
                    for path in &paths {
                        left.files.remove(path);
                    }
                }
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
        let listed = join_all(take.iter().map(|(_, folder)| folder.list())).await;
        let mut left = left.borrow_mut();
        for ((path, _), (inside, failed)) in take.iter().zip(listed) {
            if let Some(e) = failed {
                problems.push(format!("{path}: the folder could not be listed ({e})"));
            }
            left.folders.remove(path);
            sort_in(Some(path), inside, &mut folders, &mut files, &mut left);
        }
    }
}

/// Sorts the nodes found in the folder at `path` (`None`: the drop itself) into folders (pushed so
/// that a `CloudTrail-Digest` folder, else the first in path order, is listed next) and files, and
/// notes both in `left`.
fn sort_in<N: Node>(
    path: Option<&str>,
    nodes: Vec<N>,
    folders: &mut Vec<(String, N)>,
    files: &mut Vec<(String, N)>,
    left: &mut Left,
) {
    let mut found = Vec::new();
    for node in nodes {
        let name = node.name();
        let path = path.map_or_else(|| name.clone(), |p| format!("{p}/{name}"));
        if node.is_folder() {
            left.folders.insert(path.clone());
            found.push((path, node));
        } else if node.is_file() {
            left.files.insert(path.clone());
            files.push((path, node));
        }
    }
    folders_first(&mut found);
    folders.extend(found);
}

/// Orders folders so that popping them gives `CloudTrail-Digest` ones first, then the rest, each
/// in path order.
fn folders_first<N>(found: &mut [(String, N)]) {
    let key = |path: &str| (!path.ends_with("/CloudTrail-Digest") && path != "CloudTrail-Digest", path.to_owned());
    found.sort_by_cached_key(|(path, _)| std::cmp::Reverse(key(path)));
}

/// A File and Directory Entries API entry.
struct Entry(FileSystemEntry);

impl Node for Entry {
    /// The browser answers each `file()` with a blocking call of its own (the file's blob), and runs
    /// every answer that waits in one task of the page, calls made from those answers included: 256
    /// calls made together gave tasks of 230–440 ms (24 over 50 ms a load of 5,744 files), 32 still
    /// 127 ms while the ingest workers held the cores, and 8 kept under way all the time (each answer
    /// making the next call) one task of 2.4 s. So the walk makes 8 and, once all are answered, yields
    /// to the page before the next 8.
    const OPEN_AT_ONCE: usize = 8;

    fn name(&self) -> String {
        self.0.name()
    }
    fn is_folder(&self) -> bool {
        self.0.is_directory()
    }
    fn is_file(&self) -> bool {
        self.0.is_file()
    }
    async fn list(&self) -> (Vec<Self>, Option<String>) {
        let (entries, failed) = list(self.0.unchecked_ref()).await;
        (entries.into_iter().map(Entry).collect(), failed)
    }
    async fn open(&self) -> Result<File, String> {
        open(self.0.unchecked_ref()).await
    }
}

/// A File System Access API handle (`FileSystemFileHandle` or `FileSystemDirectoryHandle`), used by
/// name: web-sys has these only among its unstable APIs.
struct Handle(JsValue);

impl Handle {
    fn kind(&self) -> Option<String> {
        Reflect::get(&self.0, &"kind".into()).ok().and_then(|k| k.as_string())
    }
    /// The next value of an async iterator (`values()` of a folder's handle), `None` at its end.
    async fn next(iterator: &JsValue) -> Result<Option<JsValue>, JsValue> {
        let step = JsFuture::from(call_method(iterator, "next")?.dyn_into::<Promise>()?).await?;
        if Reflect::get(&step, &"done".into())?.is_truthy() {
            return Ok(None);
        }
        Reflect::get(&step, &"value".into()).map(Some)
    }
}

impl Node for Handle {
    /// `getFile()` has no blocking call: 16 opened together, with the page's yield between groups,
    /// kept every task of the benchmark's folder drop short (see the README).
    const OPEN_AT_ONCE: usize = 16;

    fn name(&self) -> String {
        Reflect::get(&self.0, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default()
    }
    fn is_folder(&self) -> bool {
        self.kind().as_deref() == Some("directory")
    }
    fn is_file(&self) -> bool {
        self.kind().as_deref() == Some("file")
    }
    async fn list(&self) -> (Vec<Self>, Option<String>) {
        let mut found = Vec::new();
        let iterator = match call_method(&self.0, "values") {
            Ok(i) => i,
            Err(e) => return (found, Some(describe(&e))),
        };
        loop {
            match Handle::next(&iterator).await {
                Ok(Some(h)) => found.push(Handle(h)),
                Ok(None) => return (found, None),
                Err(e) => return (found, Some(describe(&e))),
            }
        }
    }
    async fn open(&self) -> Result<File, String> {
        let asked = call_method(&self.0, "getFile").and_then(JsCast::dyn_into::<Promise>).map_err(|e| describe(&e))?;
        JsFuture::from(asked).await.and_then(JsCast::dyn_into::<File>).map_err(|e| describe(&e))
    }
}

/// Calls the method `name` of `on` with no arguments, looked up by name (for the APIs web-sys has only
/// among its unstable ones); an error when there is no such method.
fn call_method(on: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    Reflect::get(on, &name.into())?.dyn_into::<Function>()?.call0(on)
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
