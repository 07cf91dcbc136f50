//! Exports and the triage bundle: the events the filter keeps as JSON, JSON lines or CSV, the
//! summary, and a bundle of the view, notes and bookmarks that another person can import.

use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::bridge::download;
use super::Ctx;
use crate::bundle::{Bundle, BundleFile, SCHEMA};
use crate::engine::Query;
use crate::export::Format;
use crate::link::ViewLink;
use crate::viewstate::Action;

/// The export menu.
#[function_component(Toolbar)]
pub fn toolbar() -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let s = &ctx.state.0;
    let export = |format: Format| {
        let (bridge, state) = (ctx.bridge.clone(), ctx.state.clone());
        Callback::from(move |_| bridge.export(format, state.0.filter.clone()))
    };
    let summary = {
        let bridge = ctx.bridge.clone();
        Callback::from(move |_| bridge.query(Query::SummaryJson))
    };
    let bundle = {
        let state = ctx.state.clone();
        Callback::from(move |_| {
            let s = &state.0;
            let files = s
                .overview
                .as_ref()
                .map(|o| o.files.iter().map(|f| BundleFile { path: f.path.clone(), size: f.bytes }).collect())
                .unwrap_or_default();
            let b = Bundle {
                schema: SCHEMA.into(),
                created: super::notes::now_iso(),
                view: s.link().to_fragment(),
                notes: s.notes.clone(),
                files,
            };
            if let Err(e) = download("trailscope-bundle.json", "application/json", &b.to_json()) {
                state.dispatch(Action::Failed(format!("The bundle could not be saved: {e}")));
            }
        })
    };
    let import = {
        let state = ctx.state.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            input.set_value("");
            let state = state.clone();
            spawn_local(async move {
                let text = JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string()).unwrap_or_default();
                match Bundle::from_json(&text) {
                    Ok(b) => {
                        let n = b.notes.len() as u64;
                        state.dispatch(Action::MergeNotes(b.notes));
                        state.dispatch(Action::LinkArrived(Box::new(ViewLink::from_fragment(&b.view))));
                        state.dispatch(Action::Imported(format!(
                            "Imported {}: its view and {}.",
                            file.name(),
                            crate::text::plural(n, "note or bookmark", "notes and bookmarks")
                        )));
                    }
                    Err(e) => state.dispatch(Action::Failed(format!("{}: {e}", file.name()))),
                }
            });
        })
    };
    html! {
        <div class="toolbar">
            <details class="menu">
                <summary class="button small" data-testid="export-menu">{"Export ▾"}</summary>
                <div class="menu-body" role="menu">
                    <p class="menu-note">{"Events the filters keep"}</p>
                    <button type="button" role="menuitem" data-testid="export-json" onclick={export(Format::Records)}>{"JSON (CloudTrail Records)"}</button>
                    <button type="button" role="menuitem" data-testid="export-jsonl" onclick={export(Format::JsonLines)}>{"JSON lines"}</button>
                    <button type="button" role="menuitem" data-testid="export-csv" onclick={export(Format::Csv)}>{"CSV (spreadsheet-safe)"}</button>
                    <p class="menu-note">{"Everything loaded"}</p>
                    <button type="button" role="menuitem" onclick={summary}>{"Summary (trailscope-summary.json)"}</button>
                    <p class="menu-note">{"Hand over to a colleague"}</p>
                    <button type="button" role="menuitem" data-testid="export-bundle" onclick={bundle}>{"Triage bundle: view, notes, bookmarks"}</button>
                    <label class="menuitem">
                        {"Import a triage bundle…"}
                        <input type="file" accept=".json,application/json" class="visually-hidden" data-testid="import-bundle" onchange={import} />
                    </label>
                </div>
            </details>
            if let Some(n) = &s.export_notice {
                <span class="export-notice" data-testid="export-notice" role="status">{n.clone()}</span>
            }
        </div>
    }
}
