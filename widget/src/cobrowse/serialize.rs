//! Turns the visitor's page into [`PageNode`]s, redacting as it goes: what is private is
//! never read into them. URLs become absolute (the mirror lives elsewhere), scripts and event
//! handlers are left out, stylesheets are inlined as text, canvases become images.

use super::privacy::{self, Privacy, MASK};
use super::registry::Registry;
use super::styles;
use std::collections::HashMap;
use tandem_shared::cobrowse::{ElementNode, NodeId, PageNode, FRAME_HOST_ATTR, SIZE_ATTR};
use wasm_bindgen::JsCast;
use web_sys::{Element, Node};

const SVG_NS: &str = "http://www.w3.org/2000/svg";
/// Elements never sent.
const SKIPPED: [&str; 5] = ["script", "noscript", "template", "object", "embed"];
/// Attributes holding a URL.
const URL_ATTRS: [&str; 5] = ["src", "href", "action", "poster", "xlink:href"];
/// Largest canvas image sent (data URL characters); larger ones show as a placeholder.
const MAX_CANVAS_CHARS: usize = 200_000;
/// Nodes sent at most in one snapshot or one added subtree: a page of about 75,000 elements
/// (and their text). A larger page is not shown, and both sides are told; a larger added
/// subtree is cut.
pub const MAX_NODES: usize = 150_000;
/// Elements a page may have to be shown: about half of [`MAX_NODES`] (text nodes are the
/// other half). Counted before anything is read, so a larger page costs the visitor nothing.
pub const MAX_ELEMENTS: usize = MAX_NODES / 2;
/// Nodes serialized between two looks at the clock.
const CLOCK_EVERY: u32 = 16;

/// Children the walk left for a later animation frame when its time ran out: `next` and the
/// siblings after it.
pub struct Deferred {
    /// Their parent (an element, a shadow root).
    pub parent: Node,
    /// The first of them.
    pub next: Node,
    /// Whether their text may be shown.
    pub show_text: bool,
    /// Where the mirror puts them, found by an earlier frame: the parent's count of child
    /// changes then, and the sibling they go before.
    pub placed: Option<(u32, Option<NodeId>)>,
}

/// The serializer's state for one page: numbering, rules, and what it found to watch.
pub struct Serializer {
    /// Node numbers.
    pub registry: Registry,
    /// The site's privacy rules.
    pub privacy: Privacy,
    /// The page's base URL.
    pub base: String,
    /// Names of private fields (their values are stripped from URLs too).
    pub private_names: Vec<String>,
    /// Shadow roots and same-origin frame documents met, to observe as well.
    pub found_roots: Vec<Node>,
    /// Style element number → the number of the text standing for its rules, and their count.
    pub styles: HashMap<NodeId, (NodeId, u32)>,
    /// Nodes serialized in the current snapshot or added subtree.
    pub count: usize,
    /// Nodes were left out for [`MAX_NODES`] since the count was last reset.
    pub cut: bool,
    /// Time (`performance.now()`, ms) past which children are left for a later frame.
    deadline: f64,
    /// The deadline has passed (sticky until the next one is set).
    expired: bool,
    /// Nodes walked since the clock was last read.
    ticks: u32,
    /// Children left for later, in document order.
    pub deferred: Vec<Deferred>,
}

impl Serializer {
    /// A serializer for the current page.
    pub fn new(privacy: Privacy, document: &web_sys::Document) -> Self {
        let base = document.base_uri().ok().flatten().unwrap_or_default();
        let private_names = private_field_names(&privacy, document);
        Serializer {
            registry: Registry::default(),
            privacy,
            base,
            private_names,
            found_roots: Vec::new(),
            styles: HashMap::new(),
            count: 0,
            cut: false,
            deadline: f64::INFINITY,
            expired: false,
            ticks: 0,
            deferred: Vec::new(),
        }
    }

    /// Children met after `deadline` (`performance.now()`, ms) are left for later, in
    /// [`Serializer::deferred`]; `f64::INFINITY` walks everything, `f64::NEG_INFINITY` no child.
    pub fn set_deadline(&mut self, deadline: f64) {
        self.deadline = deadline;
        self.expired = deadline == f64::NEG_INFINITY;
        self.ticks = 0;
    }

    /// Whether the walk's time has run out (the clock is read every few nodes).
    pub fn out_of_time(&mut self) -> bool {
        if !self.expired && self.deadline.is_finite() {
            self.ticks += 1;
            if self.ticks.is_multiple_of(CLOCK_EVERY) {
                self.expired = now() > self.deadline;
            }
        }
        self.expired
    }

    /// A URL attribute made absolute and stripped of private values.
    pub fn url(&self, value: &str) -> Option<String> {
        let absolute = styles::absolute_url(value, &self.base)?;
        Some(privacy::strip_private_params(
            &absolute,
            &self.private_names,
        ))
    }

    /// Serializes `node` and its subtree; none for what is never sent. `show_text` is true
    /// when an ancestor's text may be shown (always, unless "private by default").
    pub fn node(&mut self, node: &Node, show_text: bool) -> Option<PageNode> {
        if self.count >= MAX_NODES {
            self.cut = true;
            return None;
        }
        match node.node_type() {
            Node::ELEMENT_NODE => self.element(node.unchecked_ref::<Element>(), show_text),
            Node::TEXT_NODE => {
                let data = node.text_content().unwrap_or_default();
                let text = if show_text || data.trim().is_empty() {
                    data
                } else {
                    MASK.to_owned()
                };
                self.count += 1;
                Some(PageNode::Text {
                    id: self.registry.assign(node),
                    text,
                })
            }
            _ => None,
        }
    }

    /// The text a text node of `parent` shows (masked where "private by default" hides it).
    pub fn text_of(&self, parent: Option<Element>, data: String) -> String {
        match parent {
            Some(parent)
                if !data.trim().is_empty()
                    && (!self.privacy.shows_text_of(&parent)
                        || self.privacy.is_private_element(&parent)) =>
            {
                MASK.to_owned()
            }
            _ => data,
        }
    }

    fn element(&mut self, element: &Element, show_text: bool) -> Option<PageNode> {
        let tag = element.local_name();
        if SKIPPED.contains(&tag.as_str())
            || element.has_attribute("data-tandem")
            || element.has_attribute("data-tandem-ignore")
        {
            return None;
        }
        if tag == "link" && !is_stylesheet_link(element) {
            return None;
        }
        // `<meta http-equiv>` (refresh, policies, cookies) means nothing in a mirror.
        if tag == "meta" && element.has_attribute("http-equiv") {
            return None;
        }
        self.count += 1;
        let id = self.registry.assign(element);
        let svg = element.namespace_uri().as_deref() == Some(SVG_NS);
        let secret = privacy::is_secret_field(element);
        if secret || self.privacy.is_private_element(element) {
            return Some(self.masked(id, element, &tag, svg));
        }
        // Text shows inside a public ancestor (also across shadow and frame boundaries, which
        // `closest` cannot see) or inside an element the site marks public.
        let show_text = show_text || self.privacy.shows_text_of(element);
        let mut node = ElementNode {
            id,
            tag: tag.clone(),
            attrs: self.attributes(element, &tag),
            children: Vec::new(),
            shadow: None,
            svg,
            masked: false,
        };
        match tag.as_str() {
            "style" => self.style_element(&mut node, element),
            "link" => self.link_element(&mut node, element),
            "canvas" => canvas_image(&mut node, element),
            "iframe" => self.frame_content(&mut node, element),
            "img" => {
                if let Some(Some(size)) = image_elsewhere_size(element) {
                    node.attrs.push((SIZE_ATTR.into(), size));
                }
            }
            "input" | "textarea" | "select" => {
                if tag != "textarea" {
                    node.children = self.children(element, show_text);
                }
                self.field_value(&mut node, element);
            }
            _ => node.children = self.children_in_time(element, show_text),
        }
        if tag == "head" {
            let document = element.owner_document().map(wasm_bindgen::JsValue::from);
            if let Some(document) = document {
                node.children.extend(self.adopted(&document));
            }
        }
        if let Some(shadow) = element.shadow_root() {
            let mut children = self.children_in_time(&shadow, show_text);
            children.extend(self.adopted(&shadow.clone().into()));
            node.shadow = Some(children);
            self.found_roots.push(shadow.into());
        }
        Some(PageNode::Element(Box::new(node)))
    }

    /// A private element: its tag and look, a placeholder instead of its content.
    fn masked(&mut self, id: NodeId, element: &Element, tag: &str, svg: bool) -> PageNode {
        let mut attrs: Vec<(String, String)> = self
            .attributes(element, tag)
            .into_iter()
            .filter(|(name, _)| Privacy::keeps_on_private(name))
            .collect();
        attrs.push(size_attribute(element));
        PageNode::Element(Box::new(ElementNode {
            id,
            tag: tag.to_owned(),
            attrs,
            children: Vec::new(),
            shadow: None,
            svg,
            masked: true,
        }))
    }

    /// Children of an element or shadow root.
    pub fn children(&mut self, parent: &Node, show_text: bool) -> Vec<PageNode> {
        let list = parent.child_nodes();
        let mut children = Vec::with_capacity(list.length() as usize);
        for index in 0..list.length() {
            if let Some(child) = list.item(index) {
                if let Some(node) = self.node(&child, show_text) {
                    children.push(node);
                }
            }
        }
        children
    }

    /// Children of an element or shadow root, up to the deadline; the rest is deferred.
    fn children_in_time(&mut self, parent: &Node, show_text: bool) -> Vec<PageNode> {
        let list = parent.child_nodes();
        let mut children = Vec::new();
        for index in 0..list.length() {
            let Some(child) = list.item(index) else {
                continue;
            };
            if self.out_of_time() {
                self.deferred.push(Deferred {
                    parent: parent.clone(),
                    next: child,
                    show_text,
                    placed: None,
                });
                break;
            }
            if let Some(node) = self.node(&child, show_text) {
                children.push(node);
            }
        }
        children
    }

    /// Attributes as the mirror may see them.
    pub fn attributes(&self, element: &Element, tag: &str) -> Vec<(String, String)> {
        let list = element.attributes();
        let mut attrs = Vec::with_capacity(list.length() as usize);
        // A choice's or a button's value is the site's, not what the visitor typed.
        let fixed_value = tag == "input"
            && element.get_attribute("type").is_some_and(|t| {
                matches!(
                    t.to_ascii_lowercase().as_str(),
                    "checkbox" | "radio" | "submit" | "button" | "reset"
                )
            });
        for index in 0..list.length() {
            let Some(attr) = list.item(index) else {
                continue;
            };
            let name = attr.name();
            if fixed_value && name.eq_ignore_ascii_case("value") {
                attrs.push((name, attr.value()));
                continue;
            }
            if let Some(value) = self.attribute(tag, &name, attr.value()) {
                attrs.push((name, value));
            }
        }
        attrs
    }

    /// One attribute as the mirror may see it; none when it is left out.
    pub fn attribute(&self, tag: &str, name: &str, value: String) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("on") {
            return None;
        }
        // A frame's address (which may carry a token) never leaves: its page is mirrored
        // inside it when same-origin, or shown as a labelled box.
        if tag == "iframe" && (lower == "src" || lower == "srcdoc") {
            return None;
        }
        let field = matches!(tag, "input" | "textarea" | "select" | "option");
        if field
            && (lower == "value" || lower == "checked" || lower == "selected")
            && tag != "option"
        {
            return None;
        }
        if URL_ATTRS.contains(&lower.as_str()) {
            return self.url(&value);
        }
        match lower.as_str() {
            "srcset" => Some(
                value
                    .split(',')
                    .filter_map(|candidate| {
                        let mut parts = candidate.split_whitespace();
                        let url = self.url(parts.next()?)?;
                        Some(parts.fold(url, |acc, part| format!("{acc} {part}")))
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            "style" => Some(styles::absolute_css_urls(&value, &self.base)),
            _ => Some(value),
        }
    }

    /// The current value (or ticked state) of a field that is not private.
    fn field_value(&self, node: &mut ElementNode, element: &Element) {
        if self.privacy.is_private_field(element) {
            node.masked = true;
            return;
        }
        if let Some(input) = as_field::<web_sys::HtmlInputElement>(element, "input") {
            match input.type_().as_str() {
                "checkbox" | "radio" => {
                    if input.checked() {
                        node.attrs.push(("checked".into(), String::new()));
                    }
                }
                "file" => {}
                _ => node.attrs.push(("value".into(), input.value())),
            }
        } else if let Some(area) = as_field::<web_sys::HtmlTextAreaElement>(element, "textarea") {
            node.attrs.push(("value".into(), area.value()));
        } else if let Some(select) = as_field::<web_sys::HtmlSelectElement>(element, "select") {
            node.attrs.push(("value".into(), select.value()));
        }
    }

    /// A `style` element: its rules as one text (CSS-in-JS rules included).
    fn style_element(&mut self, node: &mut ElementNode, element: &Element) {
        let sheet = element
            .dyn_ref::<web_sys::HtmlStyleElement>()
            .and_then(|style| style.sheet())
            .and_then(|sheet| sheet.dyn_into::<web_sys::CssStyleSheet>().ok());
        let (css, rules) = match &sheet {
            Some(sheet) => (
                styles::sheet_text(sheet, &self.base).unwrap_or_default(),
                styles::rule_count(sheet),
            ),
            None => (element.text_content().unwrap_or_default(), 0),
        };
        let text_id = self.registry.fresh();
        self.styles.insert(node.id, (text_id, rules));
        node.children = vec![PageNode::Text {
            id: text_id,
            text: css,
        }];
    }

    /// A stylesheet link: inlined when the page can read it, kept as a link otherwise.
    fn link_element(&mut self, node: &mut ElementNode, element: &Element) {
        let sheet = element
            .dyn_ref::<web_sys::HtmlLinkElement>()
            .and_then(|link| link.sheet())
            .and_then(|sheet| sheet.dyn_into::<web_sys::CssStyleSheet>().ok());
        let Some(css) = sheet
            .as_ref()
            .and_then(|s| styles::sheet_text(s, &self.base))
        else {
            return;
        };
        node.tag = "style".into();
        node.attrs.retain(|(name, _)| name == "media");
        let text_id = self.registry.fresh();
        node.children = vec![PageNode::Text {
            id: text_id,
            text: css,
        }];
    }

    /// Adopted stylesheets of a document or shadow root, as `style` elements.
    fn adopted(&mut self, root: &wasm_bindgen::JsValue) -> Vec<PageNode> {
        styles::adopted_sheets(root)
            .iter()
            .filter_map(|sheet| styles::sheet_text(sheet, &self.base))
            .map(|css| {
                let id = self.registry.fresh();
                let text_id = self.registry.fresh();
                PageNode::Element(Box::new(ElementNode {
                    id,
                    tag: "style".into(),
                    attrs: Vec::new(),
                    children: vec![PageNode::Text {
                        id: text_id,
                        text: css,
                    }],
                    shadow: None,
                    svg: false,
                    masked: false,
                }))
            })
            .collect()
    }

    /// A same-origin frame: its document, as the frame's only child. A frame from another
    /// origin: its size and the host it comes from ([`FRAME_HOST_ATTR`]), for a labelled box.
    fn frame_content(&mut self, node: &mut ElementNode, element: &Element) {
        let frame = element.unchecked_ref::<web_sys::HtmlIFrameElement>();
        let Some(document) = frame.content_document() else {
            let host = web_sys::Url::new(&frame.src())
                .map(|url| url.host())
                .unwrap_or_default();
            node.attrs.push((FRAME_HOST_ATTR.into(), host));
            node.attrs.push(size_attribute(element));
            return;
        };
        let Some(root) = document.document_element() else {
            return;
        };
        if let Some(html) = self.node(&root, self.privacy.shows_all_text()) {
            node.children = vec![html];
        }
        self.found_roots.push(document.into());
    }
}

/// The page's clock, in milliseconds.
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// `element` as the HTML type `T` when its tag is `tag`. Elements of a same-origin frame
/// belong to the frame's realm, where `instanceof` checks against this window fail.
pub fn as_field<'a, T: JsCast>(element: &'a Element, tag: &str) -> Option<&'a T> {
    (element.local_name() == tag && element.namespace_uri().as_deref() != Some(SVG_NS))
        .then(|| element.unchecked_ref::<T>())
}

/// The element's size on screen as [`SIZE_ATTR`], for the boxes the mirror draws instead.
fn size_attribute(element: &Element) -> (String, String) {
    let rect = element.get_bounding_client_rect();
    (
        SIZE_ATTR.into(),
        format!("{}x{}", rect.width().round(), rect.height().round()),
    )
}

/// For an image from another origin than its page's (which the adviser's browser never
/// fetches): its size on screen (the value of [`SIZE_ATTR`]) while it shows or loads, for the
/// mirror to keep its box that size; `Some(None)` once it failed (the browser then shows its
/// `alt` text, and so does the mirror). `None` for any other element.
pub fn image_elsewhere_size(element: &Element) -> Option<Option<String>> {
    let source = element.get_attribute("src")?;
    let document = element.owner_document()?;
    let base = document.base_uri().ok().flatten()?;
    let source = web_sys::Url::new_with_base(source.trim(), &base).ok()?;
    if source.href().starts_with("data:")
        || source.origin() == document.location()?.origin().ok()?
    {
        return None;
    }
    let image = element.unchecked_ref::<web_sys::HtmlImageElement>();
    let failed = image.complete() && image.natural_width() == 0;
    Some((!failed).then(|| size_attribute(element).1))
}

fn is_stylesheet_link(element: &Element) -> bool {
    element.get_attribute("rel").is_some_and(|rel| {
        rel.to_ascii_lowercase()
            .split_whitespace()
            .any(|r| r == "stylesheet")
    })
}

/// A canvas as an image of its current drawing (a placeholder when it cannot be read), in
/// WebP, which keeps transparency (JPEG draws a blank canvas as a black block); browsers that
/// cannot write WebP give PNG.
fn canvas_image(node: &mut ElementNode, element: &Element) {
    node.tag = "img".into();
    let canvas = element.dyn_ref::<web_sys::HtmlCanvasElement>();
    if let Some(canvas) = canvas.filter(|canvas| is_blank(canvas)) {
        // Nothing drawn (a placeholder waiting for its picture): a transparent image of the
        // canvas's size, without encoding one (7 ms a canvas; pages have a hundred).
        let (width, height) = (canvas.width(), canvas.height());
        node.attrs.push((
            "src".into(),
            format!("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'/%3E"),
        ));
        return;
    }
    let image = canvas
        .and_then(|canvas| {
            canvas
                .to_data_url_with_type_and_encoder_options("image/webp", &0.7.into())
                .ok()
        })
        .filter(|url| url.len() <= MAX_CANVAS_CHARS);
    match image {
        Some(url) => node.attrs.push(("src".into(), url)),
        None => node.attrs.push(("alt".into(), "canvas".into())),
    }
}

/// Canvases larger than this many pixels are not checked for being blank (reading them costs
/// more than encoding them).
const MAX_BLANK_CHECK_PIXELS: u32 = 1_000_000;

/// True when nothing is drawn on `canvas` (every pixel transparent). The canvas is copied onto
/// a scratch canvas and read there: asking the page's canvas for a context would give it one,
/// and a site that wants WebGL on it later could not have it.
fn is_blank(canvas: &web_sys::HtmlCanvasElement) -> bool {
    let (width, height) = (canvas.width(), canvas.height());
    if width == 0 || height == 0 {
        return true;
    }
    if width.saturating_mul(height) > MAX_BLANK_CHECK_PIXELS {
        return false;
    }
    let Some(document) = canvas.owner_document() else {
        return false;
    };
    let Ok(scratch) = document.create_element("canvas") else {
        return false;
    };
    let scratch = scratch.unchecked_into::<web_sys::HtmlCanvasElement>();
    scratch.set_width(width);
    scratch.set_height(height);
    let Ok(Some(context)) = scratch.get_context("2d") else {
        return false;
    };
    let context = context.unchecked_into::<web_sys::CanvasRenderingContext2d>();
    if context
        .draw_image_with_html_canvas_element(canvas, 0.0, 0.0)
        .is_err()
    {
        return false;
    }
    context
        .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
        .map(|pixels| {
            pixels
                .data()
                .iter()
                .skip(3)
                .step_by(4)
                .all(|alpha| *alpha == 0)
        })
        .unwrap_or(false)
}

/// Names of the page's private fields.
pub(crate) fn private_field_names(privacy: &Privacy, document: &web_sys::Document) -> Vec<String> {
    let Ok(fields) = document.query_selector_all("input, textarea, select") else {
        return Vec::new();
    };
    let mut names = Vec::new();
    for index in 0..fields.length() {
        let Some(field) = fields
            .item(index)
            .and_then(|f| f.dyn_into::<Element>().ok())
        else {
            continue;
        };
        if privacy.is_private_field(&field) {
            if let Some(name) = field.get_attribute("name").filter(|n| !n.is_empty()) {
                names.push(name);
            }
        }
    }
    names
}
