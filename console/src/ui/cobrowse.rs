//! Co-browsing in the chat pane: the adviser asks, then sees a live mirror of the visitor's
//! page, with the visitor's pointer; picks an element to highlight it, scroll the visitor to
//! it or (with the visitor's permission) fill it in; draws on it; proposes a page; stops.

use super::sketch::{Sketch, SketchLayer, SketchTools};
use super::Ui;
use crate::cobrowse::mirror::{field, Mirror, MirrorLabels};
use crate::desk::DeskHandle;
use leptos::prelude::*;
use tandem_shared::cobrowse::{Guidance, NodeId};
use tandem_shared::ConversationId;
use wasm_bindgen::JsCast;

/// Least time between two pointer positions sent, in ms.
const POINTER_GAP_MS: f64 = 50.0;

/// An element the adviser picked in the mirror.
#[derive(Clone, Debug, PartialEq)]
struct Picked {
    id: NodeId,
    /// How it reads: tag, label or text.
    what: String,
    /// Its box in the visitor's window coordinates.
    rect: (f64, f64, f64, f64),
    /// What filling it means.
    field: FieldKind,
}

#[derive(Clone, Debug, PartialEq)]
enum FieldKind {
    None,
    Private,
    Text(String),
    Tick(bool, bool),
    Choice(String, Vec<(String, String)>),
}

fn describe(element: &web_sys::Element) -> (String, FieldKind) {
    let tag = element.local_name();
    let label = element
        .get_attribute("aria-label")
        .or_else(|| element.get_attribute("name"))
        .or_else(|| element.get_attribute("id"))
        .unwrap_or_default();
    let text: String = element
        .text_content()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(40)
        .collect();
    let what = match (label.is_empty(), text.is_empty()) {
        (false, _) => format!("<{tag}> {label}"),
        (true, false) => format!("<{tag}> {text}"),
        _ => format!("<{tag}>"),
    };
    if element.has_attribute("data-tdm-masked") {
        return (what, FieldKind::Private);
    }
    let kind = if let Some(input) = field::<web_sys::HtmlInputElement>(element, "input") {
        match input.type_().as_str() {
            "checkbox" => FieldKind::Tick(input.checked(), false),
            "radio" => FieldKind::Tick(input.checked(), true),
            "submit" | "button" | "reset" | "file" | "image" | "hidden" => FieldKind::None,
            _ => FieldKind::Text(input.value()),
        }
    } else if let Some(area) = field::<web_sys::HtmlTextAreaElement>(element, "textarea") {
        FieldKind::Text(area.value())
    } else if let Some(select) = field::<web_sys::HtmlSelectElement>(element, "select") {
        let options = select.options();
        let choices = (0..options.length())
            .filter_map(|i| options.item(i))
            .map(|o| o.unchecked_into::<web_sys::HtmlOptionElement>())
            .map(|o| (o.value(), o.text()))
            .collect();
        FieldKind::Choice(select.value(), choices)
    } else {
        FieldKind::None
    };
    (what, kind)
}

/// The co-browse button, or the live mirror while the visitor shares their page.
/// Height the console keeps for everything but the mirror while co-browsing (its header, the
/// chat's header and last messages, the tools, the message box).
const MIRROR_SPARE_HEIGHT: f64 = 420.0;

/// The mirror is never made smaller than this, in pixels of height.
const MIRROR_MIN_HEIGHT: f64 = 180.0;

#[component]
pub(crate) fn Cobrowse(
    /// The conversation.
    id: ConversationId,
    /// Co-browsing runs.
    running: Signal<bool>,
) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let handle = expect_context::<DeskHandle>();
    let view_id = id.clone();
    let session = Memo::new(move |_| handle.cobrowse.view(&view_id));
    let ask_id = id.clone();
    view! {
        <Show when=move || running.get() fallback=move || {
            let ask_id = ask_id.clone();
            view! {
                <p class="cobrowse-ask">
                    <button type="button" class="secondary" data-cobrowse-ask=""
                        disabled=move || session.with(|s| s.asked)
                        on:click=move |_| {
                            handle.cobrowse_request(ask_id.clone());
                            // Fetched while the visitor answers: the mirror is ready for the page.
                            leptos::task::spawn_local(async {
                                let _ = fetch_mirror_module().await;
                            });
                        }>{texts.t("console.cobrowse.ask")}</button>
                    " "
                    <span role="status">{move || session.with(|s| {
                        if s.asked { texts.t("console.cobrowse.asked") }
                        else if s.declined { texts.t("console.cobrowse.declined") }
                        else { "" }
                    })}</span>
                </p>
            }
        }>
            {
                let id = id.clone();
                view! { <super::pages::LazyView load=move || mirror_panel(id.clone())/> }
            }
        </Show>
    }
}

/// The live mirror and its tools, in a WebAssembly module of their own that the console
/// fetches when the adviser first asks to co-browse (or a session starts): most advisers'
/// days have none.
#[leptos::wasm_split::wasm_split(
    mirror,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    preload(fetch_mirror_module)
)]
fn mirror_panel(id: ConversationId) -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <MirrorPanel id=id/> }.into_any())
}

/// Runs `then` with `frame` once it is on the page (checked each animation frame, for a few
/// seconds at most: a panel taken away before it was shown needs nothing).
fn when_on_page(
    frame: web_sys::HtmlIFrameElement,
    then: impl FnOnce(web_sys::HtmlIFrameElement) + 'static,
) {
    fn check(
        frame: web_sys::HtmlIFrameElement,
        then: Box<dyn FnOnce(web_sys::HtmlIFrameElement)>,
        frames_left: u32,
    ) {
        if frame.is_connected() {
            then(frame);
        } else if frames_left > 0 {
            request_animation_frame(move || check(frame, then, frames_left - 1));
        }
    }
    check(frame, Box::new(then), 300);
}

/// The live mirror and the adviser's tools.
#[component]
fn MirrorPanel(id: ConversationId) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let handle = expect_context::<DeskHandle>();
    let cobrowse = handle.cobrowse;
    let view_id = id.clone();
    let session = Memo::new(move |_| cobrowse.view(&view_id));
    let frame = NodeRef::<leptos::html::Iframe>::new();
    let stage = NodeRef::<leptos::html::Div>::new();
    let picked = RwSignal::new(None::<Picked>);
    let label = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let proposal = RwSignal::new(String::new());
    let last_pointer = StoredValue::new(0.0_f64);
    let sketch = Sketch::new();
    // The mirror is scaled to fit its pane's width and to leave the conversation and the
    // message box room on the screen; again whenever the window is resized.
    let resized = RwSignal::new(0u32);
    let on_resize = window_event_listener(leptos::ev::resize, move |_| {
        resized.update(|n| *n = n.wrapping_add(1))
    });
    on_cleanup(move || on_resize.remove());
    let scale = Memo::new(move |_| {
        resized.track();
        let viewport = session.with(|s| s.viewport);
        let width = stage
            .get()
            .and_then(|s| s.parent_element())
            // The panel's padding is not room for the mirror.
            .map_or(0, |pane| pane.client_width() - 20);
        if viewport.w == 0 || width <= 0 {
            return 1.0;
        }
        let window_height = web_sys::window()
            .and_then(|w| w.inner_height().ok())
            .and_then(|h| h.as_f64())
            .unwrap_or(800.0);
        let room = (window_height - MIRROR_SPARE_HEIGHT).max(MIRROR_MIN_HEIGHT);
        (f64::from(width) / f64::from(viewport.w))
            .min(room / f64::from(viewport.h.max(200)))
            .min(1.0)
    });
    // The mirror takes the frame once it is on the page (its empty document is there at
    // once; the load events of the documents the mirror writes are not new frames).
    {
        let id = id.clone();
        let attached = StoredValue::new(false);
        Effect::new(move |_| {
            let Some(frame) = frame.get() else { return };
            if attached.get_value() {
                return;
            }
            attached.set_value(true);
            let element: web_sys::HtmlIFrameElement = frame.unchecked_into();
            let ask = id.clone();
            let id = id.clone();
            let labels = MirrorLabels {
                frame_from: texts.t("console.cobrowse.frame_from").to_owned(),
                frame_unknown: texts.t("console.cobrowse.frame_unknown").to_owned(),
            };
            // The panel is built before it is put on the page (its module fetched meanwhile):
            // a frame has a document to write in only once it is on the page.
            when_on_page(element, move |element| {
                cobrowse.attach(&id, Mirror::new(element, labels), move || {
                    handle.cobrowse_resync(ask)
                });
            });
        });
    }
    {
        let id = id.clone();
        on_cleanup(move || cobrowse.detach(&id));
    }
    let point = move |ev: &web_sys::MouseEvent| -> Option<(f64, f64)> {
        let stage = stage.get_untracked()?;
        let rect = stage.get_bounding_client_rect();
        let s = scale.get_untracked();
        Some((
            (f64::from(ev.client_x()) - rect.left()) / s,
            (f64::from(ev.client_y()) - rect.top()) / s,
        ))
    };
    let move_id = id.clone();
    let on_move = move |ev: web_sys::MouseEvent| {
        if let Some((x, y)) = point(&ev) {
            sketch.extend(x as i32, y as i32);
        }
        let now = js_sys::Date::now();
        if now - last_pointer.get_value() < POINTER_GAP_MS {
            return;
        }
        last_pointer.set_value(now);
        if let Some((x, y)) = point(&ev) {
            handle.cobrowse_guide(
                move_id.clone(),
                Guidance::Pointer {
                    x: x as i32,
                    y: y as i32,
                },
            );
        }
    };
    let leave_id = id.clone();
    let on_leave = move |_| {
        if let Some(drawing) = sketch.finish() {
            handle.cobrowse_guide(leave_id.clone(), drawing);
        }
        handle.cobrowse_guide(leave_id.clone(), Guidance::PointerHidden)
    };
    let on_press = move |ev: web_sys::MouseEvent| {
        if let Some((x, y)) = point(&ev) {
            if sketch.begin(x as i32, y as i32) {
                ev.prevent_default();
            }
        }
    };
    let release_id = id.clone();
    let on_release = move |_| {
        if let Some(drawing) = sketch.finish() {
            handle.cobrowse_guide(release_id.clone(), drawing);
        }
    };
    let pick_id = id.clone();
    let on_pick = move |ev: web_sys::MouseEvent| {
        if sketch.tool.get_untracked() != super::sketch::Tool::Pick {
            return;
        }
        let Some((x, y)) = point(&ev) else { return };
        let mut found = None;
        cobrowse.with_mirror(&pick_id, |mirror| found = mirror.element_at(x, y));
        let Some((node, element)) = found else { return };
        let (what, field) = describe(&element);
        let r = element.get_bounding_client_rect();
        if let FieldKind::Text(current) | FieldKind::Choice(current, _) = &field {
            value.set(current.clone());
        }
        picked.set(Some(Picked {
            id: node,
            what,
            rect: (r.left(), r.top(), r.width(), r.height()),
            field,
        }));
    };
    let guide = {
        let id = id.clone();
        move |guidance: Guidance| handle.cobrowse_guide(id.clone(), guidance)
    };
    let stop_id = id.clone();
    let refresh_id = id.clone();
    let propose_guide = guide.clone();
    view! {
        <section class="cobrowse" aria-label=texts.t("console.cobrowse.ask")>
            <div class="cobrowse-bar">
                <span class="cobrowse-url" title=move || session.with(|s| s.url.clone())>{move || session.with(|s| s.url.clone())}</span>
                <span class="cobrowse-control" data-control=move || session.with(|s| s.control).to_string()>{move || if session.with(|s| s.control) {
                    texts.t("console.cobrowse.control_on") } else { texts.t("console.cobrowse.control_off") }}</span>
                <SketchTools sketch=sketch/>
                <button type="button" class="link" on:click=move |_| handle.cobrowse_resync(refresh_id.clone())>{texts.t("console.cobrowse.refresh")}</button>
                <button type="button" class="secondary" data-cobrowse-stop="" on:click=move |_| handle.cobrowse_stop(stop_id.clone())>{texts.t("console.cobrowse.stop")}</button>
            </div>
            <div class="mirror-stage" node_ref=stage
                style=move || { let v = session.with(|s| s.viewport); let s = scale.get(); format!("width:{}px;height:{}px", (f64::from(v.w.max(320)) * s).round(), (f64::from(v.h.max(200)) * s).round()) }>
                <iframe class="mirror" title=texts.t("console.cobrowse.ask") sandbox="allow-same-origin" referrerpolicy="no-referrer" node_ref=frame
                    style=move || { let v = session.with(|s| s.viewport); format!("width:{}px;height:{}px;transform:scale({})", v.w.max(320), v.h.max(200), scale.get()) }></iframe>
                <div class="mirror-overlay" data-mirror-overlay="" class:drawing=move || sketch.tool.get() != super::sketch::Tool::Pick
                    on:mousemove=on_move on:mouseleave=on_leave on:mousedown=on_press on:mouseup=on_release on:click=on_pick>
                    <SketchLayer sketch=sketch scale=scale/>
                    {move || session.with(|s| s.pointer).map(|(x, y)| view! {
                        <span class="visitor-pointer" style=move || format!("left:{}px;top:{}px", f64::from(x) * scale.get(), f64::from(y) * scale.get())></span>
                    })}
                    {move || picked.get().map(|p| {
                        let (x, y, w, h) = p.rect;
                        view! { <span class="picked" style=move || { let s = scale.get(); format!("left:{}px;top:{}px;width:{}px;height:{}px", x * s, y * s, w * s, h * s) }></span> }
                    })}
                </div>
                {move || match session.with(|s| s.too_large) {
                    Some(count) => Some(view! {
                        <p class="mirror-waiting" role="status" data-mirror-too-large="">{texts.format("console.cobrowse.too_large", &[("count", &count.to_string())])}</p>
                    }.into_any()),
                    None if !session.with(|s| s.shown) => Some(view! {
                        <p class="mirror-waiting">{texts.t("console.cobrowse.waiting")}</p>
                    }.into_any()),
                    None => None,
                }}
            </div>
            <div class="cobrowse-tools">
                {move || match picked.get() {
                    None => view! { <p class="hint">{texts.t("console.cobrowse.pick")}</p> }.into_any(),
                    Some(p) => {
                        let guide = guide.clone();
                        let node = p.id;
                        let control = session.with(|s| s.control);
                        let g1 = guide.clone(); let g2 = guide.clone(); let g3 = guide.clone(); let g4 = guide.clone();
                        let field = match p.field.clone() {
                            FieldKind::Private => Some(view! { <p class="private">{texts.t("console.cobrowse.private")}</p> }.into_any()),
                            FieldKind::None => None,
                            FieldKind::Text(_) if control => Some(view! {
                                <form class="fill" on:submit=move |ev| { ev.prevent_default(); g3(Guidance::Fill { id: node, value: value.get_untracked() }); }>
                                    <label for="fill-value">{texts.t("console.cobrowse.value")}</label>
                                    <input id="fill-value" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                                    <button type="submit" class="primary" data-cobrowse-fill="">{texts.t("console.cobrowse.fill")}</button>
                                </form>
                            }.into_any()),
                            FieldKind::Choice(_, options) if control => Some(view! {
                                <form class="fill" on:submit=move |ev| { ev.prevent_default(); g3(Guidance::Fill { id: node, value: value.get_untracked() }); }>
                                    <label for="fill-choice">{texts.t("console.cobrowse.value")}</label>
                                    <select id="fill-choice" prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                                        {options.into_iter().map(|(v, t)| view! { <option value=v>{t}</option> }).collect_view()}
                                    </select>
                                    <button type="submit" class="primary" data-cobrowse-fill="">{texts.t("console.cobrowse.fill")}</button>
                                </form>
                            }.into_any()),
                            FieldKind::Tick(checked, radio) if control && !(radio && checked) => Some(view! {
                                <button type="button" class="primary" data-cobrowse-tick="" on:click=move |_| g4(Guidance::Check { id: node, checked: !checked })>
                                    {if checked { texts.t("console.cobrowse.untick") } else { texts.t("console.cobrowse.tick") }}
                                </button>
                            }.into_any()),
                            _ => None,
                        };
                        view! {
                            <p class="picked-what">{texts.format("console.cobrowse.selected", &[("what", &p.what)])}</p>
                            <form class="highlight" on:submit=move |ev| { ev.prevent_default(); g1(Guidance::Highlight { id: node, label: label.get_untracked() }); }>
                                <label for="highlight-label">{texts.t("console.cobrowse.label")}</label>
                                <input id="highlight-label" maxlength="80" prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev))/>
                                <button type="submit" class="secondary" data-cobrowse-highlight="">{texts.t("console.cobrowse.highlight")}</button>
                                <button type="button" class="link" on:click=move |_| guide(Guidance::ClearHighlight)>{texts.t("console.cobrowse.clear")}</button>
                            </form>
                            <button type="button" class="secondary" data-cobrowse-scroll="" on:click=move |_| g2(Guidance::ScrollTo { id: node })>{texts.t("console.cobrowse.scroll")}</button>
                            {field}
                        }.into_any()
                    }
                }}
                <form class="propose" on:submit={
                    let guide = propose_guide;
                    move |ev| {
                        ev.prevent_default();
                        let url = proposal.get_untracked().trim().to_owned();
                        if !url.is_empty() {
                            guide(Guidance::Navigate { url });
                            proposal.set(String::new());
                        }
                    }
                }>
                    <label for="propose-url">{texts.t("console.cobrowse.propose")}</label>
                    <input id="propose-url" type="url" placeholder="https://" prop:value=move || proposal.get() on:input=move |ev| proposal.set(event_target_value(&ev))/>
                    <button type="submit" class="secondary">{texts.t("console.cobrowse.propose_go")}</button>
                </form>
                <ul class="filled" aria-live="polite">
                    {move || session.with(|s| s.filled.clone()).into_iter().map(|field| view! {
                        <li>{texts.format("console.cobrowse.filled", &[("field", &field)])}</li>
                    }).collect_view()}
                </ul>
            </div>
        </section>
    }
}
