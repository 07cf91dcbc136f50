//! The page's state and its transitions, without a browser: the UI wraps this in a Yew reducer.
//!
//! `data-state` of `[data-testid=ingest-status]` comes from [`ViewState::phase`]: it only says
//! `done` once the final overview has arrived, so whatever a test or a person reads then is final.

use crate::analysis::container::nav::Page as ContainerPage;
use crate::analysis::filter::Filter;
use crate::bundle::{Note, Notes};
use crate::engine::{Overview, Response, Status};
use crate::link::{Resolved, ViewLink};
use crate::protocol::{Phase, Progress};

/// The page's views, one tab each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum View {
    /// Headline figures and breakdowns.
    #[default]
    Overview,
    /// Pushes, pulls, expiries, deployments and builds over time, on a canvas.
    Timeline,
    /// The container story: repositories, images, pushes, pulls, expiries, deployments.
    Images,
    /// Who did what, with which credentials, from where.
    Identities,
    /// Log files checked against CloudTrail digest files.
    Integrity,
    /// The event table.
    Events,
}

impl View {
    /// Every view, in tab order.
    pub const ALL: [View; 6] =
        [View::Overview, View::Timeline, View::Images, View::Identities, View::Events, View::Integrity];

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            View::Overview => "Overview",
            View::Timeline => "Timeline",
            View::Images => "Images",
            View::Identities => "Identities",
            View::Integrity => "Integrity",
            View::Events => "Events",
        }
    }

    /// The view with this slug.
    pub fn from_slug(slug: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.slug() == slug)
    }

    /// The tab's stable name (for `data-testid` and the URL).
    pub fn slug(self) -> &'static str {
        match self {
            View::Overview => "overview",
            View::Timeline => "timeline",
            View::Images => "images",
            View::Identities => "identities",
            View::Integrity => "integrity",
            View::Events => "events",
        }
    }
}

/// What the status bar shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UiPhase {
    /// Nothing dropped yet.
    #[default]
    Idle,
    /// Files are being read, or the final overview is on its way.
    Loading,
    /// Everything dropped is loaded and shown.
    Done,
    /// The worker failed.
    Error,
}

impl UiPhase {
    /// The value of `data-state`.
    pub fn as_str(self) -> &'static str {
        match self {
            UiPhase::Idle => "idle",
            UiPhase::Loading => "loading",
            UiPhase::Done => "done",
            UiPhase::Error => "error",
        }
    }
}

/// A state change.
#[derive(Debug, Clone)]
pub enum Action {
    /// The person dropped or picked files (or asked for the sample).
    Started,
    /// The page started handing the worker more files, in batches so the page never freezes (their
    /// sizes are not known before: asking a `File` its size costs as much as posting it).
    Sending {
        /// Files in this drop.
        files: u64,
    },
    /// Every file of the drops being sent has been posted to the worker.
    Sent,
    /// Dropped folders are being walked (true), so more files may come; or every walk ended (false).
    Listing(bool),
    /// Sending stopped before the end (Cancel): files not posted are not loaded.
    SendingStopped {
        /// Files of the drops under way the page had not posted yet (found by a folder walk and not
        /// handed over included).
        unsent: u64,
        /// Dropped folders the walks under way had not listed yet.
        folders: u64,
    },
    /// An engine started after a crash is given again what was loaded, and the files a Cancel left
    /// before the crash only as notes that they were not read (see `ui::bridge`): when the last drop
    /// was the one cancelled, the restarted engine's load ends as stopped, as that drop did.
    Replaying {
        /// Files a Cancel left unread (found by a folder walk and not handed over included).
        not_read: u64,
        /// Dropped folders a Cancel stopped the walks before they listed.
        folders: u64,
        /// A Cancel stopped a folder walk.
        walked: bool,
    },
    /// The worker reported progress.
    Progress(Box<Progress>),
    /// The engine's memory changed while it was idle.
    Memory(u64),
    /// The worker answered a query.
    Answer(Box<Response>),
    /// The worker could not do something.
    Failed(String),
    /// The person dismissed the error.
    DismissError,
    /// Replace the filter.
    SetFilter(Box<Filter>),
    /// Change the filter with a function (add a chip, clear the text...).
    EditFilter(fn(&mut Filter, &str), String),
    /// Switch view.
    SetView(View),
    /// Open a page of the Images view (and the view).
    OpenContainer(Box<ContainerPage>),
    /// Open one event's detail (store row), or close it.
    Select(Option<u32>),
    /// The open event's key arrived with its detail (for the link).
    SelectedKey(Option<String>),
    /// The page was opened with a view link in its URL.
    LinkArrived(Box<ViewLink>),
    /// The link was resolved against the loaded logs.
    LinkResolved(Box<Resolved>),
    /// Set (or, when empty, remove) the note on one event (by digest).
    SetNote(String, Note),
    /// Notes imported from a bundle.
    MergeNotes(Notes),
    /// A bundle was imported (what it brought, for people).
    Imported(String),
    /// An export was asked for (its format's name).
    Exporting(String),
    /// An export was saved.
    Exported {
        /// File name.
        name: String,
        /// Events in it.
        events: u64,
        /// Files whose events could not all be read again, one message each.
        problems: Vec<String>,
    },
    /// A search of the events' whole JSON was asked for, or the engine reported on it.
    JsonSearch(crate::analysis::json_search::JsonSearchReport),
    /// The search of the whole events a shared link wants ([`ViewState::whole_wanted`]) was asked for.
    WholeSearchAsked,
    /// The engine's worker crashed (a panic, or the worker died): keep what is shown, offer a restart.
    Crashed(String),
    /// The person asked for a new engine that reads the same files again.
    RestartEngine,
}

/// Files the page hands the worker in batches: the total to show meanwhile, and when the worker
/// has them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sending {
    /// The worker's file total when sending started, plus every file of the drops being sent.
    pub files_total: u64,
    /// Every batch has been posted.
    pub all_posted: bool,
    /// Dropped folders are being walked: the total grows as they are.
    pub listing: bool,
    /// Files added to the total since sending started.
    pub found: u64,
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ViewState {
    /// Status bar phase.
    pub phase: UiPhase,
    /// Latest progress.
    pub progress: Progress,
    /// Files the page is still handing to the worker (see [`Action::Sending`]), while it does.
    pub sending: Option<Sending>,
    /// Latest overview.
    pub overview: Option<Overview>,
    /// Loading finished; the overview that reflects it is awaited.
    pub awaiting_final: bool,
    /// Errors from the worker, newest last.
    pub errors: Vec<String>,
    /// What every view shows.
    pub filter: Filter,
    /// The open view.
    pub view: View,
    /// Bumped whenever the loaded data changes, so views ask again.
    pub data_version: u64,
    /// The open page of the Images view.
    pub container: ContainerPage,
    /// The event whose detail is open (store row).
    pub selected: Option<u32>,
    /// The open event's key (see [`crate::link::event_key`]), once its detail has arrived.
    pub selected_key: Option<String>,
    /// A shared view waiting for the logs it refers to.
    pub pending_link: Option<ViewLink>,
    /// What became of the shared view, for people.
    pub link_notice: Option<String>,
    /// What the last export did, for people (`None` while none is running or done).
    pub export_notice: Option<String>,
    /// The last search of the events' whole JSON asked for, as the engine last reported it (see
    /// `analysis::json_search`).
    pub json_search: Option<crate::analysis::json_search::JsonSearchReport>,
    /// A search of the whole events for this text, which a shared link asks for, to be started.
    pub whole_wanted: Option<String>,
    /// Notes and bookmarks by event digest (persisted in local storage by the UI).
    pub notes: Notes,
    /// Why the engine's worker stopped, while it is stopped (the first reason: one crash can be
    /// reported twice, by its panic hook and by the worker's error event).
    pub crashed: Option<String>,
    /// Engines started after a crash; a new value starts a new worker (see `ui::App`).
    pub restarts: u32,
    /// Cancels sent to this engine (see [`Progress::cancels`]).
    pub cancels: u32,
    /// A Cancel was sent and the worker has not said yet that loading stopped.
    pub stopping: bool,
    /// Files of this load a Cancel stopped before the page handed them to the worker.
    pub unsent: u64,
    /// A Cancel of this load stopped folder walks: the files they had found and not handed over
    /// count among those not read, and the files in folders they had not listed are not counted,
    /// only those folders ([`ViewState::folders_not_listed`]).
    pub unlisted: bool,
    /// Dropped folders a Cancel of this load stopped the walks before they listed.
    pub folders_not_listed: u64,
    /// Files handed to this engine after a Cancel to be noted as not read (see
    /// [`Progress::noted_unread`]), every load.
    pub handed_unread: u64,
    /// Files a Cancel left before a crash, when this load gives an engine started after it what was
    /// loaded ([`Action::Replaying`]): the load ends as stopped, though this engine was sent no
    /// Cancel.
    pub replayed_cancel: Option<u64>,
}

impl ViewState {
    /// The last search of the whole events asked for, when it was for `text` (compared as the
    /// filter compares search texts).
    pub fn json_search_of(&self, text: &str) -> Option<&crate::analysis::json_search::JsonSearchReport> {
        let needle = crate::analysis::json_search::needle_of(text);
        self.json_search.as_ref().filter(|r| crate::analysis::json_search::needle_of(&r.text) == needle)
    }

    /// The link to the view shown: the tab, the filter, the open event, the Images view's page.
    pub fn link(&self) -> ViewLink {
        let whole = self.json_search_of(&self.filter.text).is_some_and(|r| !r.stopped);
        let link = ViewLink::new(self.view.slug(), &self.filter, self.selected_key.as_deref()).searching_whole(whole);
        if self.view == View::Images {
            link.with_page(&self.container)
        } else {
            link
        }
    }

    /// Applies one action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Started => {
                self.phase = UiPhase::Loading;
                self.awaiting_final = false;
                // A new load: the last one's Cancel no longer stands (the worker's next report says so
                // too). One not answered yet still holds the load: the page posts none of the new
                // files before the answer (see `ui::bridge`).
                (self.unsent, self.unlisted, self.folders_not_listed, self.progress.cancelled) = (0, false, 0, false);
                self.replayed_cancel = None;
            }
            Action::Sending { files } => self.sending(files),
            Action::Sent => self.sent(),
            Action::Listing(on) => self.listing(on),
            Action::SendingStopped { unsent, folders } => self.sending_stopped(unsent, folders),
            Action::Replaying { not_read, folders, walked } => self.replaying(not_read, folders, walked),
            Action::Progress(p) => self.progress(*p),
            Action::Memory(bytes) => self.progress.heap_bytes = bytes,
            Action::Answer(r) => {
                if let Response::Overview(o) = *r {
                    self.overview_came(*o);
                }
            }
            Action::Failed(message) => {
                self.errors.push(message);
                if self.phase == UiPhase::Idle {
                    self.phase = UiPhase::Error;
                }
            }
            Action::DismissError => {
                self.errors.clear();
                if self.phase == UiPhase::Error {
                    self.phase = UiPhase::Idle;
                }
            }
            Action::SetFilter(f) => {
                // The person took over: the shared view no longer applies.
                self.pending_link = None;
                self.filter = *f;
            }
            Action::EditFilter(edit, value) => {
                self.pending_link = None;
                edit(&mut self.filter, &value);
            }
            // A tab, a page or an event the person opened: the shared view no longer applies either.
            Action::SetView(v) => {
                self.pending_link = None;
                self.view = v;
            }
            Action::OpenContainer(page) => {
                self.pending_link = None;
                self.view = View::Images;
                self.container = *page;
            }
            Action::Select(row) => {
                self.pending_link = None;
                if row != self.selected {
                    self.selected_key = None;
                }
                self.selected = row;
            }
            Action::SelectedKey(key) => self.selected_key = key,
            Action::LinkArrived(link) => {
                // A link without a tab (the view at rest) is the overview.
                self.view = View::from_slug(&link.view).unwrap_or_default();
                // With logs loaded the link is resolved at once (and says so if some of it is not
                // in them); before, it waits for them.
                self.link_notice = (self.phase != UiPhase::Done)
                    .then(|| "This link opens a shared view. Drop the same CloudTrail files to see it.".into());
                self.pending_link = Some(*link);
            }
            Action::SetNote(key, note) => {
                if note.is_empty() {
                    self.notes.remove(&key);
                } else {
                    self.notes.insert(key, note);
                }
            }
            Action::MergeNotes(imported) => crate::bundle::merge(&mut self.notes, &imported),
            Action::Imported(what) => self.export_notice = Some(what),
            Action::Exporting(what) => self.export_notice = Some(format!("Preparing the {what} export…")),
            Action::Exported { name, events, problems } => {
                self.export_notice = Some(saved_notice(&name, events, &problems));
            }
            Action::JsonSearch(report) => self.json_searched(report),
            Action::Crashed(message) => self.crash(message),
            Action::RestartEngine => self.restart_engine(),
            Action::LinkResolved(r) => self.link_resolved(*r),
            Action::WholeSearchAsked => self.whole_wanted = None,
        }
    }

    /// A shared link was resolved against the loaded logs.
    fn link_resolved(&mut self, r: Resolved) {
        let whole = self.pending_link.as_ref().is_some_and(|l| l.whole);
        if let Some(v) = self.pending_link.as_ref().and_then(|l| View::from_slug(&l.view)) {
            self.view = v;
        }
        self.filter = r.filter;
        self.container = r.page.unwrap_or_default();
        self.selected = r.event;
        self.selected_key = None;
        // The sender searched the whole events for the text: so does this page, once (a link with
        // values not in the logs is resolved again as the data changes, the search's end included).
        let asked = self.json_search_of(&self.filter.text).is_some_and(|j| !j.stopped);
        if whole && !self.filter.text.trim().is_empty() && !asked {
            self.whole_wanted = Some(self.filter.text.clone());
        }
        if r.unresolved == 0 {
            self.pending_link = None;
            self.link_notice = None;
        } else {
            let (verb, match_, them) =
                if r.unresolved == 1 { ("is", "it matches", "it") } else { ("are", "they match", "them") };
            self.link_notice = Some(format!(
                "{} of the shared view's values {verb} not in the loaded logs, so {match_} nothing yet. Drop the same files to see {them}.",
                r.unresolved
            ));
        }
    }

    /// More files are on their way to the worker.
    fn sending(&mut self, files: u64) {
        let s =
            self.sending.get_or_insert(Sending { files_total: self.progress.files_received(), ..Sending::default() });
        s.files_total += files;
        s.found += files;
        s.all_posted = false;
    }

    /// Folder walks started (`true`: more files may come however many are posted) or all ended.
    fn listing(&mut self, on: bool) {
        if on {
            self.sending(0);
        }
        if let Some(s) = &mut self.sending {
            s.listing = on;
        }
    }

    /// Cancel: files not posted yet are not loaded. The load ends on the worker's report that counts
    /// this Cancel (it answers every one, even when it was handed nothing of the load).
    fn sending_stopped(&mut self, unsent: u64, folders: u64) {
        self.unlisted |= self.sending.is_some_and(|s| s.listing);
        self.folders_not_listed += folders;
        self.sending = None;
        self.cancels += 1;
        self.stopping = true;
        self.unsent += unsent;
        self.handed_unread += unsent;
    }

    /// An engine started after a crash is told of what a Cancel left (see [`Action::Replaying`]).
    fn replaying(&mut self, not_read: u64, folders: u64, walked: bool) {
        self.replayed_cancel = (not_read > 0 || folders > 0).then_some(not_read);
        self.folders_not_listed += folders;
        self.unlisted |= walked;
    }

    /// Files a Cancel left unread, once it has stopped the load: those the worker was given and those
    /// the page had not posted yet. After a crash, once the restarted engine has read again what the
    /// Cancel kept, the files it left ([`Action::Replaying`]).
    pub fn cancelled_not_read(&self) -> Option<u64> {
        let cancelled = self.cancels > 0 && self.progress.cancelled;
        let replayed = self.replayed_cancel.filter(|_| self.phase != UiPhase::Loading);
        let files_cancelled = if cancelled { self.progress.files_cancelled } else { 0 };
        ((cancelled || replayed.is_some()) && !self.stopping)
            .then_some(files_cancelled + self.unsent + replayed.unwrap_or(0))
    }

    /// Every batch has been posted. The worker may have read the last files and said done before
    /// this was applied (reports of the worker can be handled before the page applies it): nothing
    /// else would end the load then, so its last report is weighed again, and the overview its done
    /// asked for ends the load if it came already.
    fn sent(&mut self) {
        let Some(s) = &mut self.sending else { return };
        s.all_posted = true;
        self.settle();
    }

    /// Nothing more is on its way to the worker: its last report is weighed again. A done ends the
    /// load once the overview it asked for is there; a worker that never started (a dropped folder
    /// held no files) leaves the page as it was.
    fn settle(&mut self) {
        self.progress(self.progress.clone());
        if self.sending.is_none() && self.phase == UiPhase::Loading && self.progress.phase == Phase::Idle {
            self.phase = UiPhase::Idle;
        }
        if let Some(o) = &self.overview {
            self.end_on(o.status.files);
        }
    }

    /// The load ends on an overview of `files` files, awaited and covering every file read.
    fn end_on(&mut self, files: u64) {
        // An overview that does not include every file read yet is stale: keep loading. A Cancel
        // not answered yet (see `sending_stopped`) is not the end either.
        if self.awaiting_final && !self.stopping && files >= self.progress.status.files {
            self.awaiting_final = false;
            self.phase = UiPhase::Done;
        }
    }

    /// The worker answered the overview.
    fn overview_came(&mut self, o: Overview) {
        self.end_on(o.status.files);
        if self.overview.as_ref().is_none_or(|old| old.status != o.status) {
            self.data_version += 1;
        }
        self.overview = Some(o);
    }

    /// The worker reported progress.
    fn progress(&mut self, p: Progress) {
        // Loading stopped after the last Cancel, and the files the page had not posted are noted as
        // not read: nothing more of the load will come.
        let stopped = self.stopping && p.answers(self.cancels, self.handed_unread);
        // The worker has every file once all are posted and its total reached them.
        if self.sending.is_some_and(|s| s.all_posted && p.files_received() >= s.files_total) {
            self.sending = None;
        }
        // The worker may run out of work between two batches: not the end while files are on their way.
        if p.phase == Phase::Done && self.sending.is_some() {
            self.phase = UiPhase::Loading;
            self.awaiting_final = false;
        } else if p.phase == Phase::Done {
            self.awaiting_final = true;
        } else if p.phase == Phase::Loading {
            self.phase = UiPhase::Loading;
        }
        self.progress = p;
        if stopped {
            // Files dropped while the Cancel was answered wait on the page until now: the worker's
            // total before them is the one the Cancel left.
            if let Some(s) = &mut self.sending {
                s.files_total = self.progress.files_received() + s.found;
            }
            self.stopping = false;
            self.settle();
        }
    }

    /// A search of the events' JSON was asked for, or reported on.
    fn json_searched(&mut self, report: crate::analysis::json_search::JsonSearchReport) {
        if report.done {
            // The engine keeps the rows it found: every view asks again.
            self.data_version += 1;
        }
        self.json_search = Some(report);
    }

    /// The engine stopped: what is shown stays, the first reason is kept.
    fn crash(&mut self, message: String) {
        self.crashed.get_or_insert(message);
        self.sending = None;
        self.stopping = false;
        self.phase = UiPhase::Error;
        self.awaiting_final = false;
    }

    /// A new engine starts (the UI sends it the same files again).
    fn restart_engine(&mut self) {
        self.crashed = None;
        self.restarts += 1;
        // The new engine counts its Cancels from none.
        (self.cancels, self.stopping, self.unsent, self.unlisted, self.handed_unread) = (0, false, 0, false, 0);
        (self.folders_not_listed, self.replayed_cancel) = (0, None);
        // The new engine starts empty: what it is sent again counts from nothing.
        self.progress.files_total = 0;
        self.progress.memory_full = None;
        self.progress.bytes_total = 0;
        self.phase = UiPhase::Idle;
        // A new engine has not searched the events' JSON.
        self.json_search = None;
        // The new engine answers again: every view asks once more.
        self.data_version += 1;
    }

    /// Files to read in all, counting files the page has not handed to the worker yet (whose sizes
    /// are not known yet: the bytes total is the worker's).
    pub fn files_total(&self) -> u64 {
        let total = self.progress.files_total;
        self.sending.map_or(total, |s| total.max(s.files_total))
    }

    /// The counters to show: the overview's once final, else the latest progress.
    pub fn status(&self) -> &Status {
        match (&self.overview, self.phase) {
            (Some(o), UiPhase::Done) => &o.status,
            _ => &self.progress.status,
        }
    }
}

/// What the page says when an export was saved, with the files whose events could not all be read
/// again.
fn saved_notice(name: &str, events: u64, problems: &[String]) -> String {
    let saved = format!("Saved {name}: {}.", crate::text::plural(events, "event", "events"));
    if problems.is_empty() {
        return saved;
    }
    format!(
        "{saved} Not every event could be read again ({}): {}",
        crate::text::plural(problems.len() as u64, "file", "files"),
        problems.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Overview;

    #[test]
    fn an_export_notice_counts_in_words() {
        assert_eq!(saved_notice("a.csv", 1, &[]), "Saved a.csv: 1 event.");
        let problems = ["x.json: the file is no longer available".to_owned()];
        assert_eq!(
            saved_notice("a.csv", 2, &problems),
            "Saved a.csv: 2 events. Not every event could be read again (1 file): x.json: the file is no longer available"
        );
    }

    fn progress(phase: Phase, files: u64) -> Action {
        let mut p = Progress { phase, ..Progress::default() };
        p.status.files = files;
        Action::Progress(Box::new(p))
    }

    fn overview(files: u64) -> Action {
        let mut o = Overview::default();
        o.status.files = files;
        Action::Answer(Box::new(Response::Overview(Box::new(o))))
    }

    #[test]
    fn ok_done_only_after_final_overview() {
        let mut s = ViewState::default();
        assert_eq!(s.phase.as_str(), "idle");
        s.apply(Action::Started);
        s.apply(progress(Phase::Loading, 1));
        assert_eq!(s.phase, UiPhase::Loading);
        s.apply(overview(1)); // a live update while loading
        assert_eq!(s.phase, UiPhase::Loading);
        s.apply(progress(Phase::Done, 3));
        assert_eq!(s.phase, UiPhase::Loading, "not done before the overview arrives");
        s.apply(overview(2)); // stale: answered before the last file closed
        assert_eq!(s.phase, UiPhase::Loading);
        s.apply(overview(3));
        assert_eq!(s.phase, UiPhase::Done);
        assert_eq!(s.status().files, 3);
    }

    fn totals(phase: Phase, files: u64, files_total: u64) -> Action {
        let mut p = Progress { phase, files_total, ..Progress::default() };
        p.status.files = files;
        Action::Progress(Box::new(p))
    }

    #[test]
    fn ok_files_sent_in_batches_count_from_the_drop_and_done_waits_for_all() {
        let mut s = ViewState::default();
        // An earlier drop of 2 files is loaded; 5 more go over in batches.
        s.apply(totals(Phase::Done, 2, 2));
        s.apply(Action::Started);
        s.apply(Action::Sending { files: 5 });
        assert_eq!(s.files_total(), 7, "the whole drop counts at once");
        s.apply(totals(Phase::Loading, 3, 4)); // the first batch (2 files) arrived
        assert_eq!(s.files_total(), 7);
        // The worker ran dry before the next batch: not the end.
        s.apply(totals(Phase::Done, 4, 4));
        s.apply(overview(4));
        assert_eq!(s.phase, UiPhase::Loading);
        s.apply(Action::Sent);
        s.apply(totals(Phase::Loading, 5, 7));
        assert!(s.sending.is_none(), "the worker has every file");
        s.apply(totals(Phase::Done, 7, 7));
        assert_eq!(s.phase, UiPhase::Loading, "done once the final overview arrives");
        s.apply(overview(7));
        assert_eq!((s.phase, s.files_total()), (UiPhase::Done, 7));
    }

    #[test]
    fn ok_files_the_memory_limit_left_unread_count_as_received() {
        // The worker takes unread files out of its total once its memory is full; the page, which
        // posted them, still ends the load once every file it sent is accounted for, this drop and the next.
        let full = |files: u64, files_total: u64, not_read: u64| {
            let mut p = Progress { phase: Phase::Done, files_total, ..Progress::default() };
            p.status.files = files;
            p.memory_full = Some(crate::protocol::MemoryFull { files_not_read: not_read, ..Default::default() });
            Action::Progress(Box::new(p))
        };
        let mut s = ViewState::default();
        s.apply(Action::Started);
        s.apply(Action::Sending { files: 5 });
        s.apply(Action::Sent);
        s.apply(full(3, 3, 2));
        assert!(s.sending.is_none(), "3 read and 2 not: the worker had all 5");
        s.apply(overview(3));
        assert_eq!(s.phase, UiPhase::Done);
        s.apply(Action::Started);
        s.apply(Action::Sending { files: 1 });
        s.apply(Action::Sent);
        s.apply(full(3, 3, 2));
        assert!(s.sending.is_some(), "the new file is not accounted for yet");
        s.apply(full(3, 3, 3));
        assert!(s.sending.is_none());
        s.apply(overview(3));
        assert_eq!(s.phase, UiPhase::Done);
    }

    #[test]
    fn ok_done_reported_before_the_last_post_is_acknowledged_still_ends() {
        // Seen in a browser: the worker read the last batch and said done, twice, and its overview
        // came, all before the page applied `Sent`; the load then showed "loading" for good.
        for overview_first in [true, false] {
            let mut s = ViewState::default();
            s.apply(Action::Started);
            s.apply(Action::Sending { files: 5 });
            s.apply(totals(Phase::Loading, 3, 5));
            s.apply(totals(Phase::Done, 5, 5));
            s.apply(totals(Phase::Done, 5, 5));
            if overview_first {
                s.apply(overview(5));
            }
            assert_eq!(s.phase, UiPhase::Loading, "not done while the page says files are on their way");
            s.apply(Action::Sent);
            if !overview_first {
                assert_eq!(s.phase, UiPhase::Loading, "done once the final overview arrives");
                s.apply(overview(5));
            }
            assert_eq!((s.phase, s.files_total()), (UiPhase::Done, 5), "overview first: {overview_first}");
            assert!(s.sending.is_none());
        }
    }

    #[test]
    fn ok_a_folder_walk_hands_files_over_as_it_goes_and_the_load_ends_after_the_walk() {
        let mut s = ViewState::default();
        s.apply(Action::Started);
        s.apply(Action::Listing(true));
        assert_eq!((s.phase, s.files_total()), (UiPhase::Loading, 0));
        assert!(s.sending.is_some_and(|s| s.listing && s.found == 0));
        s.apply(Action::Sending { files: 3 }); // the first folder's files
        s.apply(totals(Phase::Loading, 1, 3));
        // The worker read all it had while the walk went on: not the end.
        s.apply(totals(Phase::Done, 3, 3));
        s.apply(overview(3));
        assert_eq!(s.phase, UiPhase::Loading);
        s.apply(Action::Sending { files: 2 }); // the next folder's
        assert_eq!(s.files_total(), 5);
        s.apply(totals(Phase::Loading, 4, 5));
        s.apply(totals(Phase::Done, 5, 5));
        s.apply(overview(5));
        assert_eq!(s.phase, UiPhase::Loading, "the walk may find more");
        s.apply(Action::Listing(false));
        s.apply(Action::Sent);
        assert_eq!((s.phase, s.files_total()), (UiPhase::Done, 5));
        assert!(s.sending.is_none());
    }

    /// A page that has loaded `files` files, then had a folder dropped and listed, none of it posted.
    fn listing_after(files: u64) -> ViewState {
        let mut s = ViewState::default();
        if files > 0 {
            s.apply(totals(Phase::Done, files, files));
            s.apply(overview(files));
            assert_eq!(s.phase, UiPhase::Done);
        }
        s.apply(Action::Started);
        s.apply(Action::Listing(true));
        assert_eq!(s.phase, UiPhase::Loading);
        s
    }

    #[test]
    fn ok_a_dropped_folder_without_files_leaves_the_page_as_it_was() {
        // The first drop: idle again. After a load of 2 files: done again, on the overview there.
        for (loaded, phase) in [(0, UiPhase::Idle), (2, UiPhase::Done)] {
            let mut s = listing_after(loaded);
            s.apply(Action::Listing(false));
            s.apply(Action::Sent);
            assert_eq!((s.phase, s.files_total()), (phase, loaded));
        }
    }

    /// A report of the worker in `phase` with `files` read (and in its total), having had `cancels`
    /// Cancels, the last of which left `files_cancelled` of the files it was given unread, and noted
    /// `noted_unread` files the page handed over after its Cancels.
    fn after_cancels(phase: Phase, files: u64, cancels: u32, files_cancelled: u64, noted_unread: u64) -> Action {
        let mut p =
            Progress { phase, files_total: files, cancels, files_cancelled, noted_unread, ..Progress::default() };
        p.cancelled = cancels > 0;
        p.status.files = files;
        Action::Progress(Box::new(p))
    }

    #[test]
    fn ok_cancel_before_any_file_is_posted_ends_the_load_on_the_workers_answer() {
        // The worker was handed nothing of the load (a folder listed, 40 files found, none posted): it
        // answers the Cancel at once, as it was, and the load ends on that answer, not before.
        for (loaded, worker, phase) in [(0, Phase::Idle, UiPhase::Idle), (2, Phase::Done, UiPhase::Done)] {
            let mut s = listing_after(loaded);
            s.apply(Action::Sending { files: 40 });
            // 40 files found and not posted, 3 folders not listed yet.
            s.apply(Action::SendingStopped { unsent: 40, folders: 3 });
            assert_eq!((s.phase, s.stopping, s.cancelled_not_read()), (UiPhase::Loading, true, None));
            // A report sent before the worker had the Cancel does not end it, nor its answer before
            // it has noted the files handed over after the Cancel.
            s.apply(after_cancels(worker, loaded, 0, 0, 0));
            assert_eq!((s.phase, s.stopping), (UiPhase::Loading, true));
            s.apply(after_cancels(worker, loaded, 1, 0, 16));
            assert_eq!((s.phase, s.stopping), (UiPhase::Loading, true));
            s.apply(after_cancels(worker, loaded, 1, 0, 40));
            assert_eq!((s.phase, s.files_total(), s.stopping), (phase, loaded, false));
            assert_eq!(s.cancelled_not_read(), Some(40), "the files found and never posted are not read");
            assert!(s.unlisted, "the walk had not ended: the bar says the folders were not all listed");
            assert_eq!(s.folders_not_listed, 3);
            // The next drop starts afresh.
            s.apply(Action::Started);
            assert_eq!((s.cancelled_not_read(), s.unlisted, s.folders_not_listed), (None, false, 0));
        }
    }

    #[test]
    fn ok_cancel_while_sending_shows_the_workers_totals_and_every_file_left_unread() {
        let mut s = ViewState::default();
        s.apply(Action::Started);
        s.apply(Action::Sending { files: 10 });
        s.apply(Action::Sending { files: 2 }); // a second drop while the first is sent
        assert_eq!(s.files_total(), 12);
        s.apply(totals(Phase::Loading, 1, 3));
        // 3 posted, 9 not yet.
        s.apply(Action::SendingStopped { unsent: 9, folders: 0 });
        assert_eq!(s.files_total(), 3);
        // The worker finishes the slice under way: still loading, stopping.
        s.apply(after_cancels(Phase::Loading, 1, 1, 0, 3));
        assert_eq!((s.phase, s.stopping), (UiPhase::Loading, true));
        // Loading stopped before the worker noted the files the page handed over after the Cancel:
        // its overview does not end the load.
        s.apply(after_cancels(Phase::Done, 1, 1, 2, 6));
        s.apply(overview(1));
        assert_eq!((s.phase, s.stopping), (UiPhase::Loading, true));
        // All 9 noted: done, on the overview already there (of the file read).
        s.apply(after_cancels(Phase::Done, 1, 1, 2, 9));
        assert_eq!((s.phase, s.stopping, s.files_total()), (UiPhase::Done, false, 1));
        assert_eq!(s.cancelled_not_read(), Some(11), "2 the worker had, 9 the page had");
        assert!(!s.unlisted, "no folder was walked");
    }

    #[test]
    fn ok_files_dropped_while_a_cancel_is_answered_count_from_what_the_cancel_left() {
        let mut s = ViewState::default();
        s.apply(Action::Started);
        s.apply(Action::Sending { files: 4 });
        s.apply(Action::Sent);
        s.apply(totals(Phase::Loading, 1, 4));
        s.apply(Action::SendingStopped { unsent: 0, folders: 0 });
        // 5 more dropped before the answer: counted on the worker's total of 4, not yet cut.
        s.apply(Action::Started);
        s.apply(Action::Sending { files: 5 });
        assert!(s.stopping, "the new drop waits for the answer");
        // The Cancel left 2 of the 4 unread (1 read, 1 cut short).
        s.apply(after_cancels(Phase::Done, 2, 1, 2, 0));
        assert_eq!((s.phase, s.stopping, s.files_total()), (UiPhase::Loading, false, 7));
        s.apply(Action::Sent);
        s.apply(totals(Phase::Loading, 4, 7));
        s.apply(totals(Phase::Done, 7, 7));
        s.apply(overview(7));
        assert_eq!((s.phase, s.files_total()), (UiPhase::Done, 7), "the load of the new files ends");
    }

    #[test]
    fn ok_a_restarted_engine_counts_its_cancels_from_none() {
        let mut s = ViewState::default();
        s.apply(Action::Started);
        s.apply(Action::Sending { files: 3 });
        s.apply(Action::SendingStopped { unsent: 3, folders: 0 });
        s.apply(Action::Crashed("boom".into()));
        s.apply(Action::RestartEngine);
        s.apply(Action::Started);
        s.apply(Action::Sending { files: 3 });
        s.apply(Action::SendingStopped { unsent: 1, folders: 0 });
        // The new engine's first Cancel answers the page's first to it, its count of files noted
        // as not read the file the page handed it after that Cancel.
        s.apply(after_cancels(Phase::Done, 2, 1, 0, 1));
        s.apply(overview(2));
        assert_eq!((s.phase, s.cancelled_not_read()), (UiPhase::Done, Some(1)));
    }

    #[test]
    fn ok_a_restarted_engine_given_what_a_cancel_left_ends_stopped() {
        let mut s = ViewState::default();
        s.apply(Action::Started);
        s.apply(Action::Sending { files: 7 });
        s.apply(Action::SendingStopped { unsent: 3, folders: 1 });
        s.apply(after_cancels(Phase::Done, 2, 1, 2, 3));
        s.apply(overview(2));
        assert_eq!(s.cancelled_not_read(), Some(5));
        s.apply(Action::Crashed("boom".into()));
        s.apply(Action::RestartEngine);
        s.apply(Action::Started);
        // The new engine is sent the 2 files read to read, and told of the 5 and the folder.
        s.apply(Action::Replaying { not_read: 5, folders: 1, walked: true });
        s.apply(Action::Sending { files: 2 });
        assert_eq!(s.cancelled_not_read(), None, "still loading");
        s.apply(Action::Sent);
        s.apply(totals(Phase::Done, 2, 2));
        s.apply(overview(2));
        assert_eq!((s.phase, s.cancelled_not_read(), s.folders_not_listed), (UiPhase::Done, Some(5), 1));
        // A drop after it is a new load, which reads everything.
        s.apply(Action::Started);
        s.apply(Action::Sending { files: 1 });
        s.apply(Action::Sent);
        s.apply(totals(Phase::Done, 3, 3));
        s.apply(overview(3));
        assert_eq!((s.phase, s.cancelled_not_read(), s.folders_not_listed), (UiPhase::Done, None, 0));
    }

    #[test]
    fn ok_a_restarted_engine_gets_the_same_files_again_and_finishes() {
        let mut s = ViewState::default();
        s.apply(Action::Started);
        s.apply(Action::Sending { files: 3 });
        s.apply(Action::Sent);
        s.apply(totals(Phase::Loading, 1, 3));
        s.apply(Action::Crashed("boom".into()));
        s.apply(Action::RestartEngine);
        s.apply(Action::Started);
        s.apply(Action::Sending { files: 3 }); // the same 3 files, to the new engine
        assert_eq!(s.files_total(), 3);
        s.apply(Action::Sent);
        s.apply(totals(Phase::Done, 3, 3));
        s.apply(overview(3));
        assert_eq!((s.phase, s.files_total()), (UiPhase::Done, 3));
    }

    #[test]
    fn ok_a_crash_keeps_what_is_shown_and_a_restart_reloads() {
        let mut s = ViewState::default();
        s.apply(Action::Started);
        s.apply(progress(Phase::Done, 2));
        s.apply(overview(2));
        assert_eq!(s.phase, UiPhase::Done);
        s.apply(Action::Crashed("panicked at boom".into()));
        s.apply(Action::Crashed("The engine stopped: unreachable".into()));
        assert_eq!(s.phase, UiPhase::Error);
        assert_eq!(s.crashed.as_deref(), Some("panicked at boom"), "the first reason is kept");
        assert_eq!(s.overview.as_ref().map(|o| o.status.files), Some(2), "what was loaded stays shown");
        assert_eq!(s.status().files, 2);
        let v = s.data_version;
        s.apply(Action::RestartEngine);
        assert_eq!((s.crashed.as_deref(), s.restarts, s.data_version), (None, 1, v + 1));
        s.apply(Action::Started);
        s.apply(progress(Phase::Done, 2));
        s.apply(overview(2));
        assert_eq!(s.phase, UiPhase::Done);
    }

    #[test]
    fn ok_data_version_moves_when_the_data_does() {
        let mut s = ViewState::default();
        s.apply(overview(1));
        let v = s.data_version;
        s.apply(overview(1));
        assert_eq!(s.data_version, v, "same status, same data");
        s.apply(overview(2));
        assert_eq!(s.data_version, v + 1);
    }

    #[test]
    fn ok_filter_edits() {
        let mut s = ViewState::default();
        s.apply(Action::EditFilter(|f, v| f.sources.push(v.to_owned()), "ecr.amazonaws.com".into()));
        assert_eq!(s.filter.sources, ["ecr.amazonaws.com"]);
        s.apply(Action::SetFilter(Box::default()));
        assert!(s.filter.is_empty());
    }

    #[test]
    fn ok_opening_a_container_page_switches_to_images() {
        let mut s = ViewState::default();
        s.apply(Action::OpenContainer(Box::new(ContainerPage::Lifecycle)));
        assert_eq!((s.view, &s.container), (View::Images, &ContainerPage::Lifecycle));
        s.apply(Action::SetView(View::Overview));
        assert_eq!(s.container, ContainerPage::Lifecycle, "the Images view keeps its page");
    }

    #[test]
    fn ok_a_link_asks_for_the_search_of_the_whole_events_its_sender_made_once() {
        use crate::analysis::json_search::JsonSearchReport;
        let mut s = ViewState::default();
        s.filter.text = "ML-Datasets".into();
        assert!(!s.link().whole, "not searched so");
        s.apply(Action::JsonSearch(JsonSearchReport {
            text: "ml-datasets ".into(),
            done: true,
            ..JsonSearchReport::default()
        }));
        let link = s.link();
        assert!(link.whole, "the same text, in another case");
        // The colleague's page: resolving the link wants the search, once asked not again, and not
        // again when the link is resolved anew after the search ended.
        let mut c = ViewState::default();
        c.apply(Action::LinkArrived(Box::new(link)));
        let resolved = || Resolved {
            filter: Filter { text: "ML-Datasets".into(), ..Filter::default() },
            unresolved: 1,
            ..Resolved::default()
        };
        c.apply(Action::LinkResolved(Box::new(resolved())));
        assert_eq!(c.whole_wanted.as_deref(), Some("ML-Datasets"));
        c.apply(Action::WholeSearchAsked);
        c.apply(Action::JsonSearch(JsonSearchReport { text: "ML-Datasets".into(), ..JsonSearchReport::default() }));
        c.apply(Action::LinkResolved(Box::new(resolved())));
        assert_eq!(c.whole_wanted, None);
        // Stopped: the search is not under way, so the link's wish counts again.
        c.apply(Action::JsonSearch(JsonSearchReport {
            text: "ML-Datasets".into(),
            stopped: true,
            ..JsonSearchReport::default()
        }));
        assert!(!c.link().whole);
    }

    #[test]
    fn ok_a_shared_link_waits_applies_and_yields_to_edits() {
        use crate::analysis::filter::Field;
        let mut s = ViewState::default();
        let link = ViewLink::new("events", &Filter::default().with(Field::Ip, "203.0.113.12"), None);
        s.apply(Action::LinkArrived(Box::new(link.clone())));
        assert_eq!(s.view, View::Events);
        assert!(s.link_notice.is_some() && s.pending_link.is_some());
        let resolved = Resolved {
            filter: Filter::default().with(Field::Ip, "203.0.113.12"),
            event: Some(4),
            unresolved: 0,
            page: None,
        };
        s.apply(Action::LinkResolved(Box::new(resolved)));
        assert_eq!(s.filter.ips, ["203.0.113.12"]);
        assert_eq!(s.selected, Some(4));
        assert!(s.pending_link.is_none() && s.link_notice.is_none());
        // Partly resolved: kept pending, with a notice; an edit by the person drops it.
        s.apply(Action::LinkArrived(Box::new(link)));
        s.apply(Action::LinkResolved(Box::new(Resolved {
            filter: Filter::default(),
            event: None,
            unresolved: 1,
            page: None,
        })));
        assert!(s.pending_link.is_some());
        assert_eq!(
            s.link_notice.as_deref(),
            Some("1 of the shared view's values is not in the loaded logs, so it matches nothing yet. Drop the same files to see it.")
        );
        s.apply(Action::SetFilter(Box::default()));
        assert!(s.pending_link.is_none());
        // So does a tab, a page or an event the person opens; until then the link's tab comes back
        // with its answer.
        for took_over in [
            Action::SetView(View::Timeline),
            Action::OpenContainer(Box::new(ContainerPage::Ecs)),
            Action::Select(Some(2)),
        ] {
            s.apply(Action::LinkArrived(Box::new(ViewLink::new("events", &Filter::default(), None))));
            s.view = View::Overview;
            s.apply(Action::LinkResolved(Box::new(Resolved { unresolved: 1, ..Resolved::default() })));
            assert_eq!(s.view, View::Events);
            s.apply(took_over);
            assert!(s.pending_link.is_none());
        }
        // A link to a page of the Images view opens it; one without, the view's first page.
        let r = |page| Resolved { filter: Filter::default(), event: None, unresolved: 0, page };
        s.apply(Action::LinkResolved(Box::new(r(Some(ContainerPage::Lifecycle)))));
        assert_eq!(s.container, ContainerPage::Lifecycle);
        s.apply(Action::LinkResolved(Box::new(r(None))));
        assert_eq!(s.container, ContainerPage::Repositories);
    }

    #[test]
    fn ok_a_link_pasted_once_logs_are_loaded_waits_for_nothing() {
        use crate::analysis::filter::Field;
        let mut s = ViewState { phase: UiPhase::Done, view: View::Identities, ..ViewState::default() };
        s.filter = Filter::default().with(Field::Region, "eu-west-1");
        let link = ViewLink::new("events", &Filter::default().with(Field::Region, "us-east-1"), None);
        s.apply(Action::LinkArrived(Box::new(link)));
        assert_eq!(s.view, View::Events);
        assert!(s.pending_link.is_some(), "resolved against the loaded logs next");
        assert_eq!(s.link_notice, None, "no 'drop the files' for logs already loaded");
        // The fragment emptied: the view at rest.
        s.apply(Action::LinkArrived(Box::default()));
        assert_eq!(s.view, View::default());
    }

    #[test]
    fn ok_error_before_anything_then_dismissed() {
        let mut s = ViewState::default();
        s.apply(Action::Failed("boom".into()));
        assert_eq!(s.phase.as_str(), "error");
        s.apply(Action::DismissError);
        assert_eq!(s.phase, UiPhase::Idle);
        assert!(s.errors.is_empty());
    }
}
