//! The adviser's pen and circle on the mirror: what they draw shows on the visitor's page for
//! a few seconds, and fades here the same way.

use super::Ui;
use leptos::prelude::*;
use tandem_shared::cobrowse::{svg_points, Guidance, DRAWING_LIFETIME_MS, MAX_STROKE_POINTS};

/// Least distance between two points of a stroke, in the visitor's pixels.
const MIN_STEP: i32 = 3;

/// What a press on the mirror does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tool {
    /// Picks an element (to highlight, scroll to or fill).
    Pick,
    /// Draws a stroke.
    Pen,
    /// Draws a circle from its centre.
    Circle,
}

/// The drawing state of one mirror.
#[derive(Clone, Copy)]
pub(super) struct Sketch {
    /// The tool in hand.
    pub tool: RwSignal<Tool>,
    /// The stroke or circle being drawn, in the visitor's window coordinates.
    current: RwSignal<Option<Guidance>>,
    /// Drawings sent and still fading, numbered.
    shown: RwSignal<Vec<(u32, Guidance)>>,
    next: StoredValue<u32>,
}

impl Sketch {
    /// Picking, nothing drawn.
    pub fn new() -> Sketch {
        Sketch {
            tool: RwSignal::new(Tool::Pick),
            current: RwSignal::new(None),
            shown: RwSignal::new(Vec::new()),
            next: StoredValue::new(0),
        }
    }

    /// A press at `(x, y)`: starts a drawing; false when the tool in hand is not a drawing one.
    pub fn begin(&self, x: i32, y: i32) -> bool {
        let started = match self.tool.get_untracked() {
            Tool::Pick => return false,
            Tool::Pen => Guidance::Draw {
                points: vec![[x, y]],
            },
            Tool::Circle => Guidance::Circle { x, y, r: 1 },
        };
        self.current.set(Some(started));
        true
    }

    /// The pointer moved to `(x, y)` while pressed.
    pub fn extend(&self, x: i32, y: i32) {
        self.current.update(|current| match current {
            Some(Guidance::Draw { points }) => {
                let far_enough = points
                    .last()
                    .is_none_or(|[px, py]| (x - px).abs().max((y - py).abs()) >= MIN_STEP);
                if far_enough && points.len() < MAX_STROKE_POINTS {
                    points.push([x, y]);
                }
            }
            Some(Guidance::Circle { x: cx, y: cy, r }) => {
                let (dx, dy) = (f64::from(x - *cx), f64::from(y - *cy));
                *r = (dx.hypot(dy).round() as i32).max(1);
            }
            _ => {}
        });
    }

    /// The press ended: the drawing to send to the visitor, kept here until it has faded.
    pub fn finish(&self) -> Option<Guidance> {
        let drawing = self.current.try_update(Option::take).flatten()?;
        let number = self.next.get_value();
        self.next.set_value(number.wrapping_add(1));
        self.shown
            .update(|list| list.push((number, drawing.clone())));
        let shown = self.shown;
        web_client::browser::after(DRAWING_LIFETIME_MS, move || {
            shown.try_update(|list| list.retain(|(n, _)| *n != number));
        });
        Some(drawing)
    }
}

/// The tools: pick, pen, circle.
#[component]
pub(super) fn SketchTools(sketch: Sketch) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let button = move |tool: Tool, key: &'static str, marker: &'static str| {
        view! {
            <button type="button" class="link" data-sketch-tool=marker
                aria-pressed=move || (sketch.tool.get() == tool).to_string()
                on:click=move |_| sketch.tool.set(tool)>{texts.t(key)}</button>
        }
    };
    view! {
        <span class="sketch-tools" role="group" aria-label=texts.t("console.cobrowse.tools")>
            {button(Tool::Pick, "console.cobrowse.tool_pick", "pick")}
            {button(Tool::Pen, "console.cobrowse.tool_pen", "pen")}
            {button(Tool::Circle, "console.cobrowse.tool_circle", "circle")}
        </span>
    }
}

/// What the adviser draws, over the mirror (scaled like it).
#[component]
pub(super) fn SketchLayer(sketch: Sketch, scale: Memo<f64>) -> impl IntoView {
    view! {
        <svg class="sketch" aria-hidden="true">
            <g transform=move || format!("scale({})", scale.get())>
                <For each=move || sketch.shown.get() key=|(n, _)| *n let:item>
                    {shape(&item.1, true)}
                </For>
                {move || sketch.current.get().map(|drawing| shape(&drawing, false))}
            </g>
        </svg>
    }
}

fn shape(drawing: &Guidance, fading: bool) -> Option<AnyView> {
    let class = if fading { "stroke fading" } else { "stroke" };
    match drawing {
        Guidance::Draw { points } => {
            Some(view! { <polyline class=class points=svg_points(points)/> }.into_any())
        }
        Guidance::Circle { x, y, r } => Some(
            view! { <circle class=class cx=x.to_string() cy=y.to_string() r=r.to_string()/> }
                .into_any(),
        ),
        _ => None,
    }
}
