//! Where logs come in: drag and drop, the file and folder pickers, and the sample.

use js_sys::Array;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement};
use yew::prelude::*;

use super::Ctx;

/// Props of [`DropZone`].
#[derive(Properties, PartialEq)]
pub struct DropZoneProps {
    /// Data is loaded: show the small "add more" bar instead of the big invitation.
    pub compact: bool,
}

/// The drop zone with its pickers.
#[function_component(DropZone)]
pub fn drop_zone(props: &DropZoneProps) -> Html {
    let ctx = use_context::<Ctx>().expect("Ctx is provided by App");
    let over = use_state(|| false);

    let on_pick = {
        let bridge = ctx.bridge.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            // One copy of the list (clearing the input below may empty it); the bridge reads each
            // file's path as it posts the file, so a pick of thousands costs this task no more than one.
            let files = input.files().map(|list| Array::from(&list)).unwrap_or_default();
            // Picking the same file again must fire `change` again.
            input.set_value("");
            bridge.ingest(files);
        })
    };
    // With a folder picker that answers with the folder's handle, "Choose a folder" opens that
    // instead of the upload input (which stays, for browsers without it). A click on the input (from
    // its label, or from the keyboard) is where the picker opens, while the click still counts as
    // the person's.
    let on_folder_click = {
        let bridge = ctx.bridge.clone();
        Callback::from(move |e: MouseEvent| {
            if super::walk::can_pick_folder() {
                e.prevent_default();
                bridge.pick_folder();
            }
        })
    };
    let on_drop = {
        let (bridge, over) = (ctx.bridge.clone(), over.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            over.set(false);
            let Some(dt) = e.data_transfer() else { return };
            let dropped = super::walk::dropped(&dt);
            if dropped.only_files() {
                // Dropped files keep their names (see `own_path` in the bridge).
                bridge.ingest(dropped.files.iter().collect());
                return;
            }
            bridge.walk(dropped);
        })
    };
    let on_drag_over = {
        let over = over.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*over {
                over.set(true);
            }
        })
    };
    let on_drag_leave = {
        let over = over.clone();
        Callback::from(move |e: DragEvent| {
            // Leaving for a child element is not leaving the zone.
            let to = e.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
            let zone = e.current_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
            if !matches!((zone, to), (Some(z), Some(t)) if z.contains(Some(&t))) {
                over.set(false);
            }
        })
    };
    let on_sample = {
        let bridge = ctx.bridge.clone();
        Callback::from(move |_| bridge.load_sample())
    };

    let class = classes!("dropzone", props.compact.then_some("compact"), (*over).then_some("over"));
    html! {
        <section {class} data-testid="drop-zone" aria-label="Add CloudTrail logs"
            ondrop={on_drop} ondragover={on_drag_over} ondragleave={on_drag_leave}>
            if props.compact {
                <span class="dz-title">{"Add more logs"}</span>
                <span class="dz-hint">{"Drop files or folders here, or"}</span>
            } else {
                <div class="dz-icon" aria-hidden="true">{"⇣"}</div>
                <h1 class="dz-title">{"Drop CloudTrail logs here"}</h1>
                <p class="dz-hint">
                    {"The .json.gz files CloudTrail delivers to S3, a whole AWSLogs/ folder, console Event history downloads, "}
                    {"lookup-events output or JSON lines. They are read inside this tab and never uploaded."}
                </p>
            }
            <div class="dz-actions">
                <label class="button primary">
                    {"Choose files"}
                    <input type="file" multiple=true data-testid="file-input" class="visually-hidden"
                        accept=".gz,.json,.jsonl,.ndjson,.csv,.log,.txt,application/json,application/gzip,text/csv"
                        onchange={on_pick.clone()} />
                </label>
                <label class="button" data-testid="choose-folder">
                    {"Choose a folder"}
                    <input type="file" webkitdirectory=true multiple=true data-testid="folder-input" class="visually-hidden"
                        onclick={on_folder_click} onchange={on_pick} />
                </label>
                <button type="button" class="button ghost" data-testid="load-sample" onclick={on_sample}>
                    {"Load sample logs"}
                </button>
            </div>
        </section>
    }
}
