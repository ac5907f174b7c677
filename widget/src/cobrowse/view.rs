//! What the visitor sees while co-browsing runs, drawn in the widget's shadow root (so the
//! capture never sends it): a frame around the page and a bar saying the adviser sees it,
//! veils on what the adviser cannot see, the adviser's pointer and highlight.

use super::serialize::Serializer;
use leptos::prelude::*;
use tandem_shared::cobrowse::NodeId;

/// A box on the visitor's screen, in window coordinates.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    fn of(element: &web_sys::Element) -> Rect {
        let r = element.get_bounding_client_rect();
        Rect {
            x: r.left(),
            y: r.top(),
            w: r.width(),
            h: r.height(),
        }
    }

    /// Its CSS position, in whole pixels (formatting integers keeps the float formatter out
    /// of the widget).
    fn style(&self) -> String {
        let px = |v: f64| v.round() as i32;
        format!(
            "left:{}px;top:{}px;width:{}px;height:{}px",
            px(self.x),
            px(self.y),
            px(self.w),
            px(self.h)
        )
    }
}

/// The drawn layer's state.
#[derive(Clone, Copy)]
pub struct Overlay {
    /// Boxes over private elements.
    pub veils: RwSignal<Vec<Rect>>,
    /// The highlighted element's box and label.
    pub highlight: RwSignal<Option<(Rect, String)>>,
    /// Which element is highlighted, with its label.
    pub highlighted: RwSignal<Option<(NodeId, String)>>,
    /// The adviser's pointer.
    pub pointer: RwSignal<Option<(i32, i32)>>,
}

impl Overlay {
    /// An empty layer.
    pub fn new() -> Overlay {
        Overlay {
            veils: RwSignal::new(Vec::new()),
            highlight: RwSignal::new(None),
            highlighted: RwSignal::new(None),
            pointer: RwSignal::new(None),
        }
    }

    /// Re-reads where veils and highlight go (after scrolling, resizing, changes).
    pub fn refresh(&self, serializer: &Serializer) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let veils: Vec<Rect> = serializer
            .privacy
            .private_elements(&document)
            .iter()
            .map(Rect::of)
            .filter(|r| r.w > 0.0 && r.h > 0.0)
            .collect();
        if self.veils.with_untracked(|v| *v != veils) {
            self.veils.set(veils);
        }
        let highlight = self.highlighted.get_untracked().and_then(|(id, label)| {
            let element = serializer.registry.node(id)?;
            let element: &web_sys::Element = wasm_bindgen::JsCast::dyn_ref(element)?;
            Some((Rect::of(element), label))
        });
        if self.highlight.with_untracked(|h| *h != highlight) {
            self.highlight.set(highlight);
        }
    }

    /// Removes everything drawn.
    pub fn clear(&self) {
        self.veils.set(Vec::new());
        self.highlight.set(None);
        self.highlighted.set(None);
        self.pointer.set(None);
    }
}

impl Default for Overlay {
    fn default() -> Self {
        Overlay::new()
    }
}

/// Veils, pointer and highlight.
#[component]
pub fn OverlayLayer(
    /// The layer's state.
    overlay: Overlay,
    /// The adviser's name, next to their pointer.
    adviser: Signal<String>,
    /// "Hidden from your adviser".
    veil_text: &'static str,
) -> impl IntoView {
    view! {
        <For each=move || overlay.veils.get().into_iter().enumerate() key=|(i, r)| (*i, r.x as i64, r.y as i64, r.w as i64) let:item>
            <div class="cb-veil" style=item.1.style()><span>{veil_text}</span></div>
        </For>
        {move || overlay.highlight.get().map(|(rect, label)| view! {
            <div class="cb-highlight" style=rect.style()>
                <span class="cb-highlight-label">{label}</span>
            </div>
        })}
        {move || overlay.pointer.get().map(|(x, y)| view! {
            <div class="cb-pointer" style=format!("left:{x}px;top:{y}px")>
                <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true"><path d="M1 1l6 16 2-7 7-2z" fill="#e11d48" stroke="#fff"/></svg>
                <span>{move || adviser.get()}</span>
            </div>
        })}
    }
}
