//! The adviser's strokes and circles on the visitor's page: SVG shapes in the widget's shadow
//! root (which the capture never sends), each removed once it has faded.

use tandem_shared::cobrowse::{svg_points, Guidance, DRAWING_LIFETIME_MS};
use web_sys::Element;

const SVG: Option<&str> = Some("http://www.w3.org/2000/svg");

/// The layer the shapes go in, made on the first drawing.
#[derive(Default)]
pub struct Sketch {
    layer: Option<Element>,
}

impl Sketch {
    /// Draws a stroke or a circle (other guidance is not a drawing) and removes it once faded.
    pub fn draw(&mut self, drawing: &Guidance) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let shape = match drawing {
            Guidance::Draw { points } => {
                shape(&document, "polyline", &[("points", svg_points(points))])
            }
            Guidance::Circle { x, y, r } => shape(
                &document,
                "circle",
                &[
                    ("cx", x.to_string()),
                    ("cy", y.to_string()),
                    ("r", r.to_string()),
                ],
            ),
            _ => None,
        };
        let (Some(shape), Some(layer)) = (shape, self.layer(&document)) else {
            return;
        };
        if layer.append_child(&shape).is_ok() {
            web_client::browser::after(DRAWING_LIFETIME_MS, move || shape.remove());
        }
    }

    /// Removes every drawing at once (co-browsing stopped).
    pub fn clear(&mut self) {
        if let Some(layer) = self.layer.take() {
            layer.remove();
        }
    }

    /// The `<svg>` over the page, inside the widget's shadow root.
    fn layer(&mut self, document: &web_sys::Document) -> Option<Element> {
        if let Some(layer) = &self.layer {
            return Some(layer.clone());
        }
        let widget = document
            .query_selector("[data-tandem]")
            .ok()??
            .shadow_root()?
            .query_selector(".tandem")
            .ok()??;
        let layer = document.create_element_ns(SVG, "svg").ok()?;
        layer.set_attribute("class", "cb-drawings").ok()?;
        layer.set_attribute("aria-hidden", "true").ok()?;
        widget.append_child(&layer).ok()?;
        self.layer = Some(layer.clone());
        Some(layer)
    }
}

fn shape(
    document: &web_sys::Document,
    tag: &str,
    attributes: &[(&str, String)],
) -> Option<Element> {
    let shape = document.create_element_ns(SVG, tag).ok()?;
    shape.set_attribute("class", "cb-stroke").ok()?;
    for (name, value) in attributes {
        shape.set_attribute(name, value).ok()?;
    }
    Some(shape)
}
