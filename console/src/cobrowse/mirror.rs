//! The mirror: the visitor's page rebuilt inside a sandboxed frame (no script of the site
//! runs: the frame has `sandbox="allow-same-origin"` without `allow-scripts`), kept current
//! with the changes the widget sends.
//!
//! Hover and focus cannot be felt by the mirror, so the site's `:hover` and `:focus` rules
//! are rewritten to classes the mirror sets on the elements the visitor hovers or focuses.

use super::policy::{builds_element, clean_attribute, mirror_policy, origin_of};
use std::collections::HashMap;
use tandem_shared::cobrowse::{
    DocumentMode, ElementNode, NodeId, PageChange, PageChanges, PageNode, PageSnapshot,
    FRAME_HOST_ATTR, SIZE_ATTR,
};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlIFrameElement, Node};

const SVG_NS: &str = "http://www.w3.org/2000/svg";
/// Longest host shown on the box standing for another origin's frame.
const MAX_HOST_CHARS: usize = 100;
/// Marks the box standing for another origin's frame; its value is the box's label.
pub const FRAME_BOX_ATTR: &str = "data-tdm-frame";
/// Marks an image whose address is on another origin: not fetched, its box kept.
pub const IMAGE_ELSEWHERE_ATTR: &str = "data-tdm-offsite";
/// The mask shown in private fields: the same whatever they hold.
const MASK: &str = "•••";
/// Marks mirror elements with the visitor's node numbers (for picking an element).
pub const ID_ATTR: &str = "data-tdm-id";

/// The mirror's own rules: masks for what the visitor's browser kept private, boxes for
/// frames and images of other origins.
const MIRROR_CSS: &str = "[data-tdm-masked]{background-image:repeating-linear-gradient(45deg,#fde2e7 0 6px,#fbcfd8 6px 12px)!important;color:transparent!important;outline:2px dashed #e11d48!important}\
[data-tdm-masked] *{visibility:hidden!important}\
[data-tdm-frame]{display:inline-flex!important;align-items:center;justify-content:center;box-sizing:border-box;overflow:hidden;background:#f1f5f9!important;border:1px dashed #64748b!important;color:#334155!important;font:13px/1.3 system-ui,sans-serif!important;text-align:center;padding:4px}\
[data-tdm-frame]::before{content:attr(data-tdm-frame)}\
:where(img[data-tdm-offsite][data-tandem-size]){display:inline-block;overflow:hidden;background:#f1f5f9}";

/// An image without its address is drawn by the browser as its `alt` text, not as the box
/// of its size the visitor sees: an image of another origin (never fetched by the mirror) is
/// marked, and while the visitor's screen shows it (the widget sends its size) the mirror
/// keeps a box of that size (the page's own `display` rules still win), sitting on the line
/// as an image does (`overflow: hidden` puts an inline block's baseline at its bottom).
/// Marks (or unmarks) `element` after its attribute `attribute` was set: an `img` whose `src`
/// was given but not kept.
fn mark_image_elsewhere(element: &Element, tag: &str, attribute: &str, dropped: bool) {
    if !tag.eq_ignore_ascii_case("img") || !attribute.eq_ignore_ascii_case("src") {
        return;
    }
    let _ = if dropped {
        element.set_attribute(IMAGE_ELSEWHERE_ATTR, "")
    } else {
        element.remove_attribute(IMAGE_ELSEWHERE_ATTR)
    };
}

/// Gives a marked image of another origin the size the visitor's screen shows it at (sent by
/// the widget), whatever the page's rules say: the mirror has no picture to size it by.
fn fit_image_elsewhere(element: &Element) {
    if !element.has_attribute(IMAGE_ELSEWHERE_ATTR) {
        return;
    }
    let style = element.unchecked_ref::<web_sys::HtmlElement>().style();
    let size = element
        .get_attribute(SIZE_ATTR)
        .as_deref()
        .and_then(size_of);
    let Some((width, height)) = size else {
        // It failed on the visitor's screen: its `alt` text shows, as there.
        for property in ["box-sizing", "width", "height"] {
            let _ = style.remove_property(property);
        }
        return;
    };
    for (property, value) in [
        ("box-sizing", "border-box".to_owned()),
        ("width", format!("{width}px")),
        ("height", format!("{height}px")),
    ] {
        let _ = style.set_property_with_priority(property, &value, "important");
    }
}

/// `WIDTHxHEIGHT` as whole CSS pixels (anything else, nothing).
fn size_of(value: &str) -> Option<(u32, u32)> {
    let (w, h) = value.split_once('x')?;
    Some((w.trim().parse().ok()?, h.trim().parse().ok()?))
}

/// The texts the mirror writes itself, in the adviser's language.
#[derive(Clone, Debug, Default)]
pub struct MirrorLabels {
    /// The box of a frame from another origin; `{host}` is replaced by the frame's host.
    pub frame_from: String,
    /// The box of a frame whose origin is not known.
    pub frame_unknown: String,
}

/// The page's `:hover` / `:focus` rules, made to follow the visitor's hover and focus.
pub fn follow_visitor_states(css: &str) -> String {
    css.replace(":hover", ".tdm-hover")
        .replace(":focus-within", ".tdm-focus-within")
        .replace(":focus-visible", ".tdm-focus")
        .replace(":focus", ".tdm-focus")
}

/// The node as an element. Mirror nodes belong to the frame's realm, where `instanceof`
/// checks against this window's classes fail: tags and node types decide instead.
pub fn as_element(node: &Node) -> Option<Element> {
    (node.node_type() == Node::ELEMENT_NODE).then(|| node.clone().unchecked_into())
}

/// `element` as the field type `T` when its tag is `tag` (see [`as_element`]).
pub fn field<'a, T: JsCast>(element: &'a Element, tag: &str) -> Option<&'a T> {
    (element.local_name() == tag && element.namespace_uri().as_deref() != Some(SVG_NS))
        .then(|| element.unchecked_ref::<T>())
}

/// One conversation's mirror.
pub struct Mirror {
    frame: HtmlIFrameElement,
    nodes: HashMap<NodeId, Node>,
    hovered: Vec<Element>,
    focused: Vec<Element>,
    /// Frames found while building, filled once attached.
    frames: Vec<(Element, PageNode)>,
    /// The origin of the visitor's page: the only one the mirror fetches from.
    origin: Option<String>,
    /// The mirror document's Content-Security-Policy is in place.
    policy_set: bool,
    /// `origin` was taken from the first page shown, and stays.
    origin_decided: bool,
    /// Texts of the boxes the mirror draws.
    labels: MirrorLabels,
    /// The rendering mode the mirror document was written in (none yet: the frame's first,
    /// empty document).
    mode: Option<DocumentMode>,
}

impl Mirror {
    /// A mirror drawing into `frame` (an empty frame without an address, whose document the
    /// mirror writes in the rendering mode of each page).
    pub fn new(frame: HtmlIFrameElement, labels: MirrorLabels) -> Mirror {
        Mirror {
            frame,
            nodes: HashMap::new(),
            hovered: Vec::new(),
            focused: Vec::new(),
            frames: Vec::new(),
            origin: None,
            policy_set: false,
            origin_decided: false,
            labels,
            mode: None,
        }
    }

    /// Puts the mirror document under a policy that lets it fetch from the origin of the
    /// first page shown alone and send no `Referer`: a later snapshot cannot widen it. False
    /// when it could not be set (nothing may be built then).
    fn ensure_policy(&mut self, document: &Document, page_url: &str) -> bool {
        if self.policy_set {
            return true;
        }
        let Some(head) = document.head() else {
            return false;
        };
        if !self.origin_decided {
            self.origin = origin_of(page_url);
            self.origin_decided = true;
        }
        let metas = [
            (
                "http-equiv",
                "Content-Security-Policy",
                mirror_policy(self.origin.as_deref()),
            ),
            ("name", "referrer", "no-referrer".to_owned()),
        ];
        for (attribute, name, content) in metas {
            if let Ok(meta) = document.create_element("meta") {
                let _ = meta.set_attribute(attribute, name);
                let _ = meta.set_attribute("content", &content);
                let _ = head.append_child(&meta);
            }
        }
        self.policy_set = true;
        true
    }

    fn document(&self) -> Option<Document> {
        self.frame.content_document()
    }

    /// Writes an empty mirror document in `mode` (a document's mode is decided by its
    /// doctype when it is parsed): nothing of the snapshot is written this way, only a fixed
    /// doctype and empty elements; its policy is set again before anything is built.
    fn rewrite(&mut self, document: &Document, mode: DocumentMode) {
        let html = document.unchecked_ref::<web_sys::HtmlDocument>();
        if html.open().is_err() {
            return;
        }
        let _ = html.write_1(&format!(
            "{}<html><head></head><body></body></html>",
            mode.doctype()
        ));
        let _ = html.close();
        self.policy_set = false;
        self.mode = Some(mode);
    }

    /// Replaces the mirror with a snapshot.
    pub fn load(&mut self, snapshot: &PageSnapshot) {
        let Some(document) = self.document() else {
            return;
        };
        self.nodes.clear();
        self.hovered.clear();
        self.focused.clear();
        if self.mode != Some(snapshot.mode) {
            self.rewrite(&document, snapshot.mode);
        }
        if !self.ensure_policy(&document, &snapshot.url) {
            return;
        }
        let Some(root) = self.build(&document, &snapshot.root, false, "") else {
            return;
        };
        match document.document_element() {
            Some(old) => {
                let _ = document.replace_child(&root, &old);
            }
            None => {
                let _ = document.append_child(&root);
            }
        }
        self.add_mirror_style(&document);
        self.fill_frames();
        self.scroll(None, snapshot.scroll_x, snapshot.scroll_y);
    }

    fn add_mirror_style(&self, document: &Document) {
        let Ok(style) = document.create_element("style") else {
            return;
        };
        style.set_text_content(Some(MIRROR_CSS));
        let parent = document
            .head()
            .map(Node::from)
            .or_else(|| document.document_element().map(Node::from));
        if let Some(parent) = parent {
            let _ = parent.append_child(&style);
        }
    }

    fn build(
        &mut self,
        document: &Document,
        node: &PageNode,
        in_svg: bool,
        parent_tag: &str,
    ) -> Option<Node> {
        match node {
            PageNode::Text { id, text } => {
                let text = if parent_tag == "style" {
                    follow_visitor_states(text)
                } else {
                    text.clone()
                };
                let created: Node = document.create_text_node(&text).into();
                self.nodes.insert(*id, created.clone());
                Some(created)
            }
            PageNode::Element(element) => self.build_element(document, element, in_svg),
        }
    }

    fn build_element(
        &mut self,
        document: &Document,
        node: &ElementNode,
        in_svg: bool,
    ) -> Option<Node> {
        if !builds_element(&node.tag, &node.attrs) {
            return None;
        }
        let svg = node.svg || in_svg && node.tag != "foreignObject";
        // A frame without its page (one from another origin) is a labelled box, never loaded.
        let frame_elsewhere = node.tag == "iframe" && node.children.is_empty();
        let element = if svg {
            document.create_element_ns(Some(SVG_NS), &node.tag).ok()?
        } else if frame_elsewhere {
            document.create_element("div").ok()?
        } else {
            document.create_element(&node.tag).ok()?
        };
        for (name, value) in &node.attrs {
            match clean_attribute(&node.tag, name, value, self.origin.as_deref()) {
                Some(value) => {
                    let _ = element.set_attribute(name, &value);
                }
                None => mark_image_elsewhere(&element, &node.tag, name, true),
            }
        }
        let _ = element.set_attribute(ID_ATTR, &node.id.to_string());
        fit_image_elsewhere(&element);
        if node.masked {
            self.mask(&element);
        } else if frame_elsewhere {
            self.frame_box(&element);
        }
        if node.tag == "iframe" {
            if let Some(content) = node.children.first() {
                self.frames.push((element.clone(), content.clone()));
            }
        } else {
            for child in &node.children {
                if let Some(built) = self.build(document, child, svg, &node.tag) {
                    let _ = element.append_child(&built);
                }
            }
        }
        if let Some(shadow_children) = &node.shadow {
            let init = web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open);
            if let Ok(shadow) = element.attach_shadow(&init) {
                for child in shadow_children {
                    if let Some(built) = self.build(document, child, svg, "") {
                        let _ = shadow.append_child(&built);
                    }
                }
            }
        }
        self.set_field_state(&element, node);
        self.nodes.insert(node.id, element.clone().into());
        Some(element.into())
    }

    /// The box standing for a frame from another origin: its size, and what it is.
    fn frame_box(&self, element: &Element) {
        let host: String = element
            .get_attribute(FRAME_HOST_ATTR)
            .unwrap_or_default()
            .chars()
            .take(MAX_HOST_CHARS)
            .collect();
        let label = if host.is_empty() {
            self.labels.frame_unknown.clone()
        } else {
            self.labels.frame_from.replace("{host}", &host)
        };
        let _ = element.set_attribute(FRAME_BOX_ATTR, &label);
        let style = element.get_attribute("style").unwrap_or_default();
        let size = element
            .get_attribute(SIZE_ATTR)
            .as_deref()
            .and_then(size_of);
        let size = size.map_or(String::new(), |(w, h)| format!("width:{w}px;height:{h}px;"));
        let _ = element.set_attribute("style", &format!("{style};{size}"));
    }

    fn mask(&self, element: &Element) {
        let _ = element.set_attribute("data-tdm-masked", "");
        if let Some((w, h)) = element
            .get_attribute(SIZE_ATTR)
            .as_deref()
            .and_then(size_of)
        {
            let style = element.get_attribute("style").unwrap_or_default();
            let _ = element.set_attribute(
                "style",
                &format!("{style};min-width:{w}px;min-height:{h}px;display:inline-block"),
            );
        }
        if let Some(input) = field::<web_sys::HtmlInputElement>(element, "input") {
            input.set_value(MASK);
        } else if let Some(area) = field::<web_sys::HtmlTextAreaElement>(element, "textarea") {
            area.set_value(MASK);
        }
    }

    /// Field values live in properties, not attributes.
    fn set_field_state(&self, element: &Element, node: &ElementNode) {
        if node.masked {
            return;
        }
        let value = node
            .attrs
            .iter()
            .find(|(n, _)| n == "value")
            .map(|(_, v)| v.as_str());
        if let Some(select) = field::<web_sys::HtmlSelectElement>(element, "select") {
            if let Some(value) = value {
                select.set_value(value);
            }
        } else if let Some(area) = field::<web_sys::HtmlTextAreaElement>(element, "textarea") {
            area.set_value(value.unwrap_or_default());
        } else if let Some(input) = field::<web_sys::HtmlInputElement>(element, "input") {
            input.set_checked(node.attrs.iter().any(|(n, _)| n == "checked"));
        }
    }

    /// Same-origin frames of the visitor's page get their document once attached.
    fn fill_frames(&mut self) {
        for (frame, content) in std::mem::take(&mut self.frames) {
            let Some(document) = field::<HtmlIFrameElement>(&frame, "iframe")
                .and_then(HtmlIFrameElement::content_document)
            else {
                continue;
            };
            if let Some(root) = self.build(&document, &content, false, "") {
                match document.document_element() {
                    Some(old) => {
                        let _ = document.replace_child(&root, &old);
                    }
                    None => {
                        let _ = document.append_child(&root);
                    }
                }
            }
        }
    }

    /// Applies changes in order; a change to a node the mirror does not hold is skipped.
    pub fn apply(&mut self, changes: &PageChanges) {
        let Some(document) = self.document() else {
            return;
        };
        for change in &changes.changes {
            self.apply_one(&document, change);
            // A frame added by this change gets its document before the next change, which
            // may add to a node inside it (a large page's frame comes in slices).
            if !self.frames.is_empty() {
                self.fill_frames();
            }
        }
    }

    fn apply_one(&mut self, document: &Document, change: &PageChange) {
        match change {
            PageChange::Add {
                parent,
                before,
                shadow,
                node,
            } => {
                let Some(parent_node) = self.nodes.get(parent).cloned() else {
                    return;
                };
                let target: Node = if *shadow {
                    match as_element(&parent_node).and_then(|e| e.shadow_root()) {
                        Some(root) => root.into(),
                        None => return,
                    }
                } else {
                    parent_node.clone()
                };
                let parent_element = as_element(&parent_node);
                let parent_tag = parent_element
                    .as_ref()
                    .map(Element::local_name)
                    .unwrap_or_default();
                let in_svg = parent_element
                    .as_ref()
                    .is_some_and(|e| e.namespace_uri().as_deref() == Some(SVG_NS));
                let owner = parent_node
                    .owner_document()
                    .unwrap_or_else(|| document.clone());
                let Some(built) = self.build(&owner, node, in_svg, &parent_tag) else {
                    return;
                };
                let reference = before.and_then(|b| self.nodes.get(&b).cloned());
                let reference = reference.filter(|r| r.parent_node().as_ref() == Some(&target));
                let _ = target.insert_before(&built, reference.as_ref());
            }
            PageChange::Remove { id } => {
                if let Some(node) = self.nodes.remove(id) {
                    if let Some(parent) = node.parent_node() {
                        let _ = parent.remove_child(&node);
                    }
                }
            }
            PageChange::Attr { id, name, value } => {
                let Some(element) = self.element(*id) else {
                    return;
                };
                let tag = element.local_name();
                let value_given = value.is_some();
                let value = value
                    .as_deref()
                    .and_then(|v| clean_attribute(&tag, name, v, self.origin.as_deref()));
                let _ = match &value {
                    Some(value) => element.set_attribute(name, value),
                    None => element.remove_attribute(name),
                };
                mark_image_elsewhere(&element, &tag, name, value_given && value.is_none());
                // A new address, a new size, or a new `style` that dropped the size.
                fit_image_elsewhere(&element);
            }
            PageChange::Text { id, text } => {
                let Some(node) = self.nodes.get(id) else {
                    return;
                };
                let in_style = node
                    .parent_element()
                    .is_some_and(|p| p.local_name() == "style");
                let text = if in_style {
                    follow_visitor_states(text)
                } else {
                    text.clone()
                };
                node.set_text_content(Some(&text));
            }
            PageChange::Value { id, value } => {
                let Some(element) = self.element(*id) else {
                    return;
                };
                if element.has_attribute("data-tdm-masked") {
                    return;
                }
                if let Some(input) = field::<web_sys::HtmlInputElement>(&element, "input") {
                    input.set_value(value);
                } else if let Some(area) =
                    field::<web_sys::HtmlTextAreaElement>(&element, "textarea")
                {
                    area.set_value(value);
                } else if let Some(select) = field::<web_sys::HtmlSelectElement>(&element, "select")
                {
                    select.set_value(value);
                }
            }
            PageChange::Checked { id, checked } => {
                if let Some(element) = self.element(*id) {
                    if let Some(input) = field::<web_sys::HtmlInputElement>(&element, "input") {
                        input.set_checked(*checked);
                    }
                }
            }
            PageChange::Scroll { id, x, y } => self.scroll(*id, *x, *y),
            PageChange::Hover { id } => {
                let hovered = self.chain(*id);
                swap_classes(&mut self.hovered, hovered, "tdm-hover", None);
            }
            PageChange::Focus { id } => {
                let focused = self.chain(*id);
                swap_classes(
                    &mut self.focused,
                    focused,
                    "tdm-focus-within",
                    Some("tdm-focus"),
                );
            }
            PageChange::Viewport { .. } | PageChange::Pointer { .. } => {}
        }
    }

    fn element(&self, id: NodeId) -> Option<Element> {
        self.nodes.get(&id).and_then(as_element)
    }

    /// The element and its ancestors.
    fn chain(&self, id: Option<NodeId>) -> Vec<Element> {
        let mut chain = Vec::new();
        let mut current = id.and_then(|id| self.element(id));
        while let Some(element) = current {
            current = element.parent_element();
            chain.push(element);
        }
        chain
    }

    fn scroll(&self, id: Option<NodeId>, x: i32, y: i32) {
        match id {
            None => {
                if let Some(window) = self.frame.content_window() {
                    window.scroll_to_with_x_and_y(f64::from(x), f64::from(y));
                }
            }
            Some(id) => {
                if let Some(element) = self.element(id) {
                    element.set_scroll_left(x);
                    element.set_scroll_top(y);
                }
            }
        }
    }

    /// The visitor's element under a point of the mirror (window coordinates of the
    /// visitor's page), with its node number.
    pub fn element_at(&self, x: f64, y: f64) -> Option<(NodeId, Element)> {
        let document = self.document()?;
        let mut current = document.element_from_point(x as f32, y as f32);
        while let Some(element) = current {
            if let Some(id) = element.get_attribute(ID_ATTR).and_then(|v| v.parse().ok()) {
                return Some((id, element));
            }
            current = element.parent_element();
        }
        None
    }
}

/// Moves a state class from the old chain to the new one; `first` goes on the element
/// itself (focus), `class` on the whole chain.
fn swap_classes(old: &mut Vec<Element>, new: Vec<Element>, class: &str, first: Option<&str>) {
    for element in old.iter() {
        let _ = element.class_list().remove_1(class);
        if let Some(first) = first {
            let _ = element.class_list().remove_1(first);
        }
    }
    for element in &new {
        let _ = element.class_list().add_1(class);
    }
    if let (Some(first), Some(element)) = (first, new.first()) {
        let _ = element.class_list().add_1(first);
    }
    *old = new;
}

#[cfg(test)]
mod tests {
    use super::follow_visitor_states;

    #[test]
    fn the_sites_hover_and_focus_rules_follow_the_visitor() {
        let css = "a:hover,button:focus-visible{color:red} form:focus-within{outline:0} input:focus{border:0}";
        assert_eq!(
            follow_visitor_states(css),
            "a.tdm-hover,button.tdm-focus{color:red} form.tdm-focus-within{outline:0} input.tdm-focus{border:0}"
        );
    }
}
