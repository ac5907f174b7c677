//! Co-browsing: the visitor's page as a tree of nodes, the changes made to it, and what the
//! adviser does on it.
//!
//! The widget builds these in the visitor's browser after redacting private content (password,
//! card and one-time-code fields, elements the site marks private): a private value never
//! enters any of these types. Nodes are numbered by the widget; a number stays valid for the
//! node's life on that page, and a new snapshot starts the numbering again.
//!
//! Field names are short on purpose: snapshots of large pages run to hundreds of kilobytes.

use serde::{Deserialize, Serialize};

/// A node of the visitor's page, numbered by the widget.
pub type NodeId = u32;

/// Longest label the adviser may attach to a highlight, in characters.
pub const MAX_HIGHLIGHT_LABEL_CHARS: usize = 80;
/// Longest value the adviser may fill into a field, in characters.
pub const MAX_FILL_CHARS: usize = 2000;
/// Most points in one stroke the adviser draws.
pub const MAX_STROKE_POINTS: usize = 200;
/// Farthest a drawing may reach from the window's corner, in CSS pixels (any way).
pub const MAX_DRAW_COORDINATE: i32 = 20_000;
/// How long a drawing stays on the visitor's page before it has faded, in milliseconds.
pub const DRAWING_LIFETIME_MS: i32 = 4_000;
/// Longest field name kept in the record, in characters.
pub const MAX_FIELD_NAME_CHARS: usize = 120;
/// Most changes in one batch.
pub const MAX_CHANGES_PER_BATCH: usize = 5000;
/// Attribute the widget sets on a frame whose page is on another origin, in place of its
/// address: the host the frame comes from (no path, no query). The adviser's browser shows a
/// labelled box of the frame's size and fetches nothing.
pub const FRAME_HOST_ATTR: &str = "data-tandem-frame";
/// Attribute holding an element's size on the visitor's screen, `WIDTHxHEIGHT` in CSS pixels,
/// for the boxes drawn instead of private elements and other origins' frames.
pub const SIZE_ATTR: &str = "data-tandem-size";

fn is_false(value: &bool) -> bool {
    !*value
}

/// One node of the page (read through one flat struct: see `page_read` at the crate's root).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "k")]
pub enum PageNode {
    /// An element with its attributes (form values included as `value`, `checked`,
    /// `selected`) and children.
    #[serde(rename = "e")]
    Element(Box<ElementNode>),
    /// A text node.
    #[serde(rename = "t")]
    Text {
        /// Its number.
        id: NodeId,
        /// The text (a fixed placeholder when private).
        #[serde(rename = "v")]
        text: String,
    },
}

impl PageNode {
    /// The node's number.
    pub fn id(&self) -> NodeId {
        match self {
            PageNode::Element(element) => element.id,
            PageNode::Text { id, .. } => *id,
        }
    }

    /// How many nodes this subtree holds (itself included).
    pub fn count(&self) -> usize {
        match self {
            PageNode::Element(element) => {
                1 + element.children.iter().map(PageNode::count).sum::<usize>()
                    + element
                        .shadow
                        .iter()
                        .flatten()
                        .map(PageNode::count)
                        .sum::<usize>()
            }
            PageNode::Text { .. } => 1,
        }
    }
}

/// An element of the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementNode {
    /// Its number.
    pub id: NodeId,
    /// Lower-case tag name (`div`, `input`, `svg`…).
    #[serde(rename = "t")]
    pub tag: String,
    /// Attributes, URLs made absolute, event handlers and private values left out.
    #[serde(rename = "a", default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<(String, String)>,
    /// Child nodes (for a same-origin `iframe`: its document's `html` element).
    #[serde(rename = "c", default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<PageNode>,
    /// The children of its open shadow root, if it has one.
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub shadow: Option<Vec<PageNode>>,
    /// In the SVG namespace.
    #[serde(default, skip_serializing_if = "is_false")]
    pub svg: bool,
    /// Private: its content stays in the visitor's browser; the mirror shows a placeholder.
    #[serde(rename = "m", default, skip_serializing_if = "is_false")]
    pub masked: bool,
}

/// The size of the visitor's window, in CSS pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewport {
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

/// The whole page at one moment: what a mirror starts from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSnapshot {
    /// The page's address (private values stripped).
    pub url: String,
    /// The page's title.
    pub title: String,
    /// The window's size.
    pub viewport: Viewport,
    /// The page's scroll position.
    pub scroll_x: i32,
    /// The page's scroll position.
    pub scroll_y: i32,
    /// The `html` element.
    pub root: PageNode,
    /// How the visitor's browser lays the page out (from its doctype): the mirror is built in
    /// the same mode.
    #[serde(default, skip_serializing_if = "DocumentMode::is_standards")]
    pub mode: DocumentMode,
    /// Set when the page is too large to be shown: its number of elements. `root` is then an
    /// empty page, and both sides are told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub too_large: Option<u32>,
}

/// A document's rendering mode, as its doctype makes it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentMode {
    /// `<!DOCTYPE html>` and other modern doctypes.
    #[default]
    Standards,
    /// "Almost standards": the XHTML 1.0 and HTML 4.01 Transitional and Frameset doctypes
    /// (images in table cells sit differently).
    LimitedQuirks,
    /// No doctype, or an old one: the browser emulates old layout bugs.
    Quirks,
}

impl DocumentMode {
    /// True for the default, standards mode.
    pub fn is_standards(&self) -> bool {
        *self == DocumentMode::Standards
    }

    /// The mode a browser gives a document with this `compatMode` and doctype public and
    /// system identifiers (`BackCompat` is quirks; `CSS1Compat` is standards or limited
    /// quirks, which only the doctype tells apart).
    pub fn of(compat_mode: &str, public_id: &str, system_id: &str) -> DocumentMode {
        if compat_mode == "BackCompat" {
            return DocumentMode::Quirks;
        }
        let public_id = public_id.to_ascii_lowercase();
        let limited = public_id.starts_with("-//w3c//dtd xhtml 1.0 transitional//")
            || public_id.starts_with("-//w3c//dtd xhtml 1.0 frameset//")
            || (!system_id.is_empty()
                && (public_id.starts_with("-//w3c//dtd html 4.01 transitional//")
                    || public_id.starts_with("-//w3c//dtd html 4.01 frameset//")));
        if limited {
            DocumentMode::LimitedQuirks
        } else {
            DocumentMode::Standards
        }
    }

    /// A doctype giving this mode (none for quirks).
    pub fn doctype(&self) -> &'static str {
        match self {
            DocumentMode::Standards => "<!DOCTYPE html>",
            DocumentMode::LimitedQuirks => {
                "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">"
            }
            DocumentMode::Quirks => "",
        }
    }
}

/// One change to the page since the snapshot (read through one flat struct: see `page_read`
/// at the crate's root).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PageChange {
    /// A node was inserted under `parent` (into its shadow root with `shadow`), before the
    /// node `before`, or last.
    Add {
        /// The parent.
        parent: NodeId,
        /// The next sibling the mirror knows, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<NodeId>,
        /// Into the parent's shadow root.
        #[serde(default, skip_serializing_if = "is_false")]
        shadow: bool,
        /// The new subtree.
        node: PageNode,
    },
    /// A node was removed.
    Remove {
        /// The node.
        id: NodeId,
    },
    /// An attribute was set, or removed (`value` absent).
    Attr {
        /// The element.
        id: NodeId,
        /// The attribute.
        name: String,
        /// Its new value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<String>,
    },
    /// A text node's text changed.
    Text {
        /// The node.
        id: NodeId,
        /// The new text.
        text: String,
    },
    /// A field's value changed (input, textarea, select).
    Value {
        /// The field.
        id: NodeId,
        /// The new value.
        value: String,
    },
    /// A checkbox or radio button was ticked or unticked.
    Checked {
        /// The field.
        id: NodeId,
        /// Ticked.
        checked: bool,
    },
    /// The page (`id` absent) or a scrollable element scrolled.
    Scroll {
        /// The element, or none for the page.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<NodeId>,
        /// Horizontal offset.
        x: i32,
        /// Vertical offset.
        y: i32,
    },
    /// The window was resized.
    Viewport {
        /// The new size.
        viewport: Viewport,
    },
    /// The visitor's pointer moved (window coordinates).
    Pointer {
        /// Horizontal position.
        x: i32,
        /// Vertical position.
        y: i32,
    },
    /// The element under the visitor's pointer (for `:hover` styles), none when it left.
    Hover {
        /// The element.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<NodeId>,
    },
    /// The element with focus (for `:focus` styles), none when focus left.
    Focus {
        /// The element.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<NodeId>,
    },
}

/// Changes gathered during one animation frame of the visitor's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageChanges {
    /// In order.
    pub changes: Vec<PageChange>,
    /// When the first of them happened, in ms since the epoch on the visitor's clock
    /// (the mirror measures its delay with it).
    pub at_ms: i64,
}

/// What an adviser does on the visitor's page during co-browsing (read through one flat
/// struct: see `flat` at the crate's root).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Guidance {
    /// Shows the adviser's pointer at this place of the visitor's window.
    Pointer {
        /// Horizontal position.
        x: i32,
        /// Vertical position.
        y: i32,
    },
    /// Hides the adviser's pointer.
    PointerHidden,
    /// Outlines an element with a short label.
    Highlight {
        /// The element.
        id: NodeId,
        /// What to say about it.
        label: String,
    },
    /// Removes the highlight.
    ClearHighlight,
    /// Scrolls the visitor's page to an element.
    ScrollTo {
        /// The element.
        id: NodeId,
    },
    /// Types a value into a field (needs the visitor's permission).
    Fill {
        /// The field.
        id: NodeId,
        /// The value.
        value: String,
    },
    /// Ticks or unticks a checkbox or radio button (needs the visitor's permission).
    Check {
        /// The field.
        id: NodeId,
        /// Ticked.
        checked: bool,
    },
    /// Proposes another page of the site; the visitor is asked first.
    Navigate {
        /// The page's address.
        url: String,
    },
    /// Draws a stroke through these places of the visitor's window (like the pointer's);
    /// it fades after [`DRAWING_LIFETIME_MS`].
    Draw {
        /// `[x, y]` in order, at most [`MAX_STROKE_POINTS`].
        points: Vec<[i32; 2]>,
    },
    /// Draws a circle around a place of the visitor's window; it fades like a stroke.
    Circle {
        /// Centre, horizontal.
        x: i32,
        /// Centre, vertical.
        y: i32,
        /// Radius.
        r: i32,
    },
}

/// Every field of a [`Guidance`], whatever it does.
#[derive(Deserialize)]
struct GuidanceFields {
    #[serde(rename = "do")]
    action: String,
    x: Option<i32>,
    y: Option<i32>,
    id: Option<NodeId>,
    label: Option<String>,
    value: Option<String>,
    checked: Option<bool>,
    url: Option<String>,
    points: Option<Vec<[i32; 2]>>,
    r: Option<i32>,
}

/// What [`Guidance`] reads, for the error about anything else.
const GUIDANCE_ACTIONS: &[&str] = &[
    "pointer",
    "pointer_hidden",
    "highlight",
    "clear_highlight",
    "scroll_to",
    "fill",
    "check",
    "navigate",
    "draw",
    "circle",
];

impl<'de> Deserialize<'de> for Guidance {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use crate::flat::required;
        let f = GuidanceFields::deserialize(deserializer)?;
        Ok(match f.action.as_str() {
            "pointer" => Guidance::Pointer {
                x: required(f.x, "x")?,
                y: required(f.y, "y")?,
            },
            "pointer_hidden" => Guidance::PointerHidden,
            "highlight" => Guidance::Highlight {
                id: required(f.id, "id")?,
                label: required(f.label, "label")?,
            },
            "clear_highlight" => Guidance::ClearHighlight,
            "scroll_to" => Guidance::ScrollTo {
                id: required(f.id, "id")?,
            },
            "fill" => Guidance::Fill {
                id: required(f.id, "id")?,
                value: required(f.value, "value")?,
            },
            "check" => Guidance::Check {
                id: required(f.id, "id")?,
                checked: required(f.checked, "checked")?,
            },
            "navigate" => Guidance::Navigate {
                url: required(f.url, "url")?,
            },
            "draw" => Guidance::Draw {
                points: required(f.points, "points")?,
            },
            "circle" => Guidance::Circle {
                x: required(f.x, "x")?,
                y: required(f.y, "y")?,
                r: required(f.r, "r")?,
            },
            other => {
                use serde::de::Error;
                return Err(D::Error::unknown_variant(other, GUIDANCE_ACTIONS));
            }
        })
    }
}

impl Guidance {
    /// Checks the sizes of what the adviser sends.
    pub fn validated(self) -> Result<Guidance, crate::limits::FieldError> {
        use crate::limits::{FieldError, Problem};
        let too_long = |field| FieldError {
            field,
            problem: Problem::TooLong,
        };
        match &self {
            Guidance::Highlight { label, .. }
                if label.chars().count() > MAX_HIGHLIGHT_LABEL_CHARS =>
            {
                Err(too_long("label"))
            }
            Guidance::Fill { value, .. } if value.chars().count() > MAX_FILL_CHARS => {
                Err(too_long("value"))
            }
            Guidance::Navigate { url } if url.chars().count() > crate::limits::MAX_URL_CHARS => {
                Err(too_long("url"))
            }
            Guidance::Navigate { url }
                if !(url.starts_with("https://") || url.starts_with("http://")) =>
            {
                Err(FieldError {
                    field: "url",
                    problem: Problem::Invalid,
                })
            }
            Guidance::Draw { points } if points.len() > MAX_STROKE_POINTS => {
                Err(too_long("points"))
            }
            Guidance::Draw { points } if points.iter().flatten().any(|c| !on_canvas(*c)) => {
                Err(FieldError {
                    field: "points",
                    problem: Problem::Invalid,
                })
            }
            Guidance::Circle { x, y, r }
                if !on_canvas(*x) || !on_canvas(*y) || !on_canvas(*r) || *r < 1 =>
            {
                Err(FieldError {
                    field: "r",
                    problem: Problem::Invalid,
                })
            }
            _ => Ok(self),
        }
    }

    /// True when it changes the visitor's form, which needs their permission.
    pub fn needs_control(&self) -> bool {
        matches!(self, Guidance::Fill { .. } | Guidance::Check { .. })
    }
}

/// A stroke's points as SVG's `points` attribute reads them (`x,y x,y …`): how both the
/// visitor's page and the adviser's mirror draw it.
pub fn svg_points(points: &[[i32; 2]]) -> String {
    let pairs: Vec<String> = points.iter().map(|[x, y]| format!("{x},{y}")).collect();
    pairs.join(" ")
}

/// A coordinate a drawing may use.
fn on_canvas(value: i32) -> bool {
    (-MAX_DRAW_COORDINATE..=MAX_DRAW_COORDINATE).contains(&value)
}

/// A co-browsing session as the CRM record keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CobrowseRecord {
    /// When the visitor accepted, ms since the epoch.
    pub started_at_ms: i64,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at_ms: Option<i64>,
    /// Who ended it (`visitor`, `adviser`, `system` when the chat ended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_by: Option<crate::Role>,
    /// Pages seen, in order.
    pub pages: Vec<CobrowsePage>,
    /// Fields the adviser filled (names only, never values).
    pub fields_filled: Vec<CobrowseField>,
}

/// A page seen during co-browsing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CobrowsePage {
    /// Its address.
    pub url: String,
    /// When the mirror first showed it.
    pub at_ms: i64,
}

/// A field the adviser filled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CobrowseField {
    /// The field's name (its label, `name` or `id`).
    pub field: String,
    /// When.
    pub at_ms: i64,
}

#[cfg(test)]
mod guidance_tests {
    use super::Guidance;

    #[test]
    fn every_guidance_reads_back_as_written() {
        let all = [
            Guidance::Pointer { x: -3, y: 40 },
            Guidance::PointerHidden,
            Guidance::Highlight {
                id: 4,
                label: "Here".into(),
            },
            Guidance::ClearHighlight,
            Guidance::ScrollTo { id: 5 },
            Guidance::Fill {
                id: 6,
                value: "Paris".into(),
            },
            Guidance::Check {
                id: 7,
                checked: true,
            },
            Guidance::Navigate {
                url: "https://shop.example/help".into(),
            },
            Guidance::Draw {
                points: vec![[1, 2], [30, -4]],
            },
            Guidance::Circle {
                x: 10,
                y: 20,
                r: 30,
            },
        ];
        for guidance in all {
            let text = serde_json::to_string(&guidance).unwrap_or_default();
            assert_eq!(serde_json::from_str::<Guidance>(&text).ok(), Some(guidance));
        }
    }

    #[test]
    fn unknown_actions_and_missing_fields_are_errors_that_say_so() {
        let error = |text: &str| {
            serde_json::from_str::<Guidance>(text)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(error(r#"{"do":"dance"}"#).contains("unknown variant `dance`"));
        assert!(error(r#"{"do":"fill","id":3}"#).contains("missing field `value`"));
        assert!(error(r#"{"do":"circle","x":3,"y":4}"#).contains("missing field `r`"));
    }

    #[test]
    fn a_strokes_points_read_as_svg_writes_them() {
        assert_eq!(super::svg_points(&[[1, 2], [-30, 4]]), "1,2 -30,4");
        assert_eq!(super::svg_points(&[]), "");
    }

    #[test]
    fn drawings_are_refused_past_their_limits() {
        use super::{MAX_DRAW_COORDINATE, MAX_STROKE_POINTS};
        let stroke = |n: usize, at: i32| Guidance::Draw {
            points: vec![[at, at]; n],
        };
        let field = |g: Guidance| g.validated().err().map(|e| e.field);
        assert_eq!(field(stroke(MAX_STROKE_POINTS, 5)), None);
        assert_eq!(field(stroke(MAX_STROKE_POINTS + 1, 5)), Some("points"));
        assert_eq!(field(stroke(3, MAX_DRAW_COORDINATE + 1)), Some("points"));
        let circle = |r: i32| Guidance::Circle { x: 0, y: 0, r };
        assert_eq!(field(circle(40)), None);
        assert_eq!(field(circle(0)), Some("r"));
        assert_eq!(field(circle(MAX_DRAW_COORDINATE + 1)), Some("r"));
    }
}

#[cfg(test)]
mod tests {
    use super::DocumentMode;

    #[test]
    fn the_mode_follows_the_doctype_as_browsers_read_it() {
        assert_eq!(DocumentMode::of("BackCompat", "", ""), DocumentMode::Quirks);
        assert_eq!(
            DocumentMode::of("CSS1Compat", "", ""),
            DocumentMode::Standards
        );
        assert_eq!(
            DocumentMode::of(
                "CSS1Compat",
                "-//W3C//DTD XHTML 1.0 Transitional//EN",
                "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"
            ),
            DocumentMode::LimitedQuirks
        );
        assert_eq!(
            DocumentMode::of(
                "CSS1Compat",
                "-//W3C//DTD HTML 4.01 Transitional//EN",
                "http://www.w3.org/TR/html4/loose.dtd"
            ),
            DocumentMode::LimitedQuirks
        );
        // HTML 4.01 Strict is standards mode.
        assert_eq!(
            DocumentMode::of(
                "CSS1Compat",
                "-//W3C//DTD HTML 4.01//EN",
                "http://www.w3.org/TR/html4/strict.dtd"
            ),
            DocumentMode::Standards
        );
    }
}
