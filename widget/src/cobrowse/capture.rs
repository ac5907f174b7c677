//! The live capture of the visitor's page: a full snapshot, then the changes (DOM mutations,
//! typing, ticks, scrolling, resizing, pointer, hover and focus) gathered per animation
//! frame with a bounded amount of work per frame, so a busy page never freezes the tab.

use super::listener::Listener;
use super::pacer::Pacer;
use super::privacy::Privacy;
use super::serialize::{as_field, Serializer};
use super::view::Overlay;
use leptos::prelude::{RwSignal, Set};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use tandem_shared::cobrowse::{
    DocumentMode, ElementNode, NodeId, PageChange, PageChanges, PageNode, PageSnapshot, Viewport,
};
use tandem_shared::cobrowse_parts::{PageFrame, PartError};
use tandem_shared::VisitorMsg;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, MutationObserver, MutationObserverInit, MutationRecord, Node};

/// Work allowed per animation frame, in milliseconds.
const FRAME_BUDGET_MS: f64 = 6.0;
/// Least time between two change frames, in milliseconds (about 30 per second).
const MIN_SEND_GAP_MS: f64 = 33.0;
/// How often rules added by script (CSS-in-JS) are looked for, in milliseconds.
const STYLE_CHECK_MS: i32 = 1000;

/// Work waiting for an animation frame.
enum Work {
    /// A mutation record.
    Record(MutationRecord),
    /// A node a record added.
    Add {
        /// Where it was added.
        target: Node,
        /// The node.
        node: Node,
    },
}

/// Sends a frame to the relay; false when it could not be sent.
pub type Send = Rc<dyn Fn(&VisitorMsg) -> bool>;

/// What the capture measured (read by the benchmark from `window.__tandemCobrowse`).
#[derive(Default)]
struct Stats {
    snapshot_ms: f64,
    snapshot_bytes: usize,
    snapshot_nodes: usize,
    batches: u32,
    batch_bytes: usize,
}

/// The capture of one page while co-browsing runs.
pub struct Capture {
    serializer: Serializer,
    observer: Option<MutationObserver>,
    /// Mutation records and added nodes still to turn into changes, in order.
    work: VecDeque<Work>,
    changes: Vec<PageChange>,
    first_at_ms: Option<i64>,
    frame_requested: bool,
    /// The animation frame asked for, to cancel on stop (its callback must not outlive us).
    frame_handle: Option<i32>,
    last_sent_ms: f64,
    layout_changed: bool,
    send: Send,
    /// Page frames sent (numbers the parts of large ones).
    frames_sent: u32,
    /// Frames on their way, paced to what the relay accepts.
    outbox: Pacer<VisitorMsg>,
    /// The page is too large to be shown (the visitor's bar says so).
    too_large: RwSignal<bool>,
    overlay: Overlay,
    stats: Stats,
    listeners: Vec<Listener>,
    on_frame: Option<Closure<dyn FnMut()>>,
    on_mutations: Option<Closure<dyn FnMut(js_sys::Array)>>,
    style_timer: Option<(i32, Closure<dyn FnMut()>)>,
    /// This capture, for listeners added later (same-origin frames).
    weak: Weak<RefCell<Capture>>,
}

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn now() -> f64 {
    window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn document() -> Option<web_sys::Document> {
    window().and_then(|w| w.document())
}

/// The node as an element, by node type: nodes of a same-origin frame belong to another
/// realm, where `instanceof` checks fail.
fn as_element(node: &Node) -> Option<Element> {
    (node.node_type() == Node::ELEMENT_NODE).then(|| node.clone().unchecked_into())
}

/// The element an event really happened on (inside shadow roots too).
fn event_target(event: &Event) -> Option<Element> {
    let first = event.composed_path().get(0);
    let node = if first.is_object() {
        Some(first.unchecked_into::<Node>())
    } else {
        event.target().map(|t| t.unchecked_into::<Node>())
    };
    node.as_ref().and_then(as_element)
}

impl Capture {
    /// Starts capturing this page: sends the snapshot, then changes as they happen.
    pub fn start(
        privacy: Privacy,
        send: Send,
        overlay: Overlay,
        too_large: RwSignal<bool>,
    ) -> Option<Rc<RefCell<Capture>>> {
        let document = document()?;
        let capture = Rc::new(RefCell::new(Capture {
            serializer: Serializer::new(privacy, &document),
            observer: None,
            work: VecDeque::new(),
            changes: Vec::new(),
            first_at_ms: None,
            frame_requested: false,
            frame_handle: None,
            last_sent_ms: 0.0,
            layout_changed: true,
            send,
            frames_sent: 0,
            outbox: Pacer::default(),
            too_large,
            overlay,
            stats: Stats::default(),
            listeners: Vec::new(),
            on_frame: None,
            on_mutations: None,
            style_timer: None,
            weak: Weak::new(),
        }));
        Capture::wire(&capture, &document);
        capture.borrow_mut().snapshot();
        Some(capture)
    }

    /// Sets up the observer, the listeners and the timers, each holding a weak reference.
    fn wire(capture: &Rc<RefCell<Capture>>, document: &web_sys::Document) {
        let weak = Rc::downgrade(capture);
        let on_frame = {
            let weak = weak.clone();
            Closure::<dyn FnMut()>::new(move || with(&weak, Capture::flush))
        };
        let on_mutations = {
            let weak = weak.clone();
            Closure::<dyn FnMut(js_sys::Array)>::new(move |records: js_sys::Array| {
                with(&weak, |c| {
                    c.work.extend(
                        records
                            .iter()
                            .filter_map(|r| r.dyn_into::<MutationRecord>().ok())
                            .map(Work::Record),
                    );
                    c.touch();
                })
            })
        };
        let observer = MutationObserver::new(on_mutations.as_ref().unchecked_ref()).ok();
        let mut listeners = Vec::new();
        let target: &web_sys::EventTarget = document.as_ref();
        for kind in ["input", "change"] {
            let weak = weak.clone();
            listeners.push(Listener::new(target, kind, true, move |e| {
                with(&weak, |c| c.on_input(&e))
            }));
        }
        {
            let weak = weak.clone();
            listeners.push(Listener::new(target, "scroll", true, move |e| {
                with(&weak, |c| c.on_scroll(&e))
            }));
        }
        {
            let weak = weak.clone();
            listeners.push(Listener::new(target, "pointermove", true, move |e| {
                with(&weak, |c| c.on_pointer(&e))
            }));
        }
        {
            let weak = weak.clone();
            listeners.push(Listener::new(target, "mouseover", true, move |e| {
                with(&weak, |c| c.on_hover(&e))
            }));
        }
        {
            // A same-origin frame that (re)loads has a new document: send it again.
            let weak = weak.clone();
            listeners.push(Listener::new(target, "load", true, move |e| {
                with(&weak, |c| c.on_load(&e))
            }));
        }
        for kind in ["focusin", "focusout"] {
            let weak = weak.clone();
            listeners.push(Listener::new(target, kind, true, move |e| {
                with(&weak, |c| c.on_focus(&e))
            }));
        }
        if let Some(window) = window() {
            let weak = weak.clone();
            listeners.push(Listener::new(window.as_ref(), "resize", false, move |_| {
                with(&weak, |c| {
                    c.push(PageChange::Viewport {
                        viewport: viewport(),
                    })
                })
            }));
        }
        let style_timer = {
            let weak = weak.clone();
            let tick = Closure::<dyn FnMut()>::new(move || with(&weak, Capture::check_styles));
            window().and_then(|w| {
                w.set_interval_with_callback_and_timeout_and_arguments_0(
                    tick.as_ref().unchecked_ref(),
                    STYLE_CHECK_MS,
                )
                .ok()
                .map(|id| (id, tick))
            })
        };
        let mut this = capture.borrow_mut();
        this.weak = weak;
        this.observer = observer;
        this.listeners = listeners;
        this.on_frame = Some(on_frame);
        this.on_mutations = Some(on_mutations);
        this.style_timer = style_timer;
    }

    /// Sends the whole page again, numbering from scratch (on start, and when the relay asks).
    pub fn snapshot(&mut self) {
        let started = now();
        let Some(document) = document() else { return };
        let Some(root) = document.document_element() else {
            return;
        };
        if let Some(observer) = &self.observer {
            observer.disconnect();
        }
        self.work.clear();
        self.changes.clear();
        self.outbox.clear();
        self.first_at_ms = None;
        self.serializer = Serializer::new(self.serializer.privacy.clone(), &document);
        let show_text = self.serializer.privacy.shows_all_text();
        let Some(tree) = self.serializer.node(&root, show_text) else {
            return;
        };
        self.observe(document.as_ref());
        for found in std::mem::take(&mut self.serializer.found_roots) {
            self.observe(&found);
        }
        let (scroll_x, scroll_y) = scroll_position();
        let url = document.url().unwrap_or_default();
        let (public_id, system_id) = document
            .doctype()
            .map(|doctype| (doctype.public_id(), doctype.system_id()))
            .unwrap_or_default();
        let snapshot = PageSnapshot {
            url: self.serializer.url(&url).unwrap_or(url),
            title: document.title(),
            viewport: viewport(),
            scroll_x,
            scroll_y,
            root: tree,
            mode: DocumentMode::of(&document.compat_mode(), &public_id, &system_id),
            too_large: None,
        };
        // Kept small, in case the page cannot be sent: its header without the tree.
        let empty = emptied(&snapshot);
        let mut sent = if self.serializer.cut {
            Err(PartError::TooLarge)
        } else {
            self.send_page(PageFrame::Snapshot {
                snapshot: Box::new(snapshot),
            })
        };
        if sent.is_err() {
            // Past the node cap, or beyond the parts a frame may have (very long texts).
            let notice = PageSnapshot {
                too_large: Some(document.get_elements_by_tag_name("*").length()),
                ..empty
            };
            sent = self.send_page(PageFrame::Snapshot {
                snapshot: Box::new(notice),
            });
        }
        self.stats.snapshot_bytes = sent.unwrap_or_default();
        self.stats.snapshot_ms = now() - started;
        self.stats.snapshot_nodes = self.serializer.count;
        self.layout_changed = true;
        self.publish_stats();
        self.touch();
    }

    /// Sends a snapshot or a change batch, in parts when it is large and paced to what the
    /// relay accepts; returns the bytes sent. Fails for a frame too large even for parts.
    fn send_page(&mut self, frame: PageFrame) -> Result<usize, PartError> {
        if let PageFrame::Snapshot { snapshot } = &frame {
            self.too_large.set(snapshot.too_large.is_some());
        }
        self.frames_sent = self.frames_sent.wrapping_add(1);
        let frames = frame.into_visitor_frames(self.frames_sent)?;
        let mut bytes = 0;
        for frame in frames {
            bytes += serde_json::to_string(&frame).map_or(0, |s| s.len());
            self.outbox.push(frame);
        }
        self.release();
        Ok(bytes)
    }

    /// Sends what the pace allows now; asks for a frame when more waits.
    fn release(&mut self) {
        let send = self.send.clone();
        if self.outbox.release(now(), |frame| {
            send(&frame);
        }) {
            self.touch();
        }
    }

    fn observe(&mut self, root: &Node) {
        let main = document().is_some_and(|d| Node::from(d) == *root);
        if root.node_type() == Node::DOCUMENT_NODE && !main {
            // Typing inside a same-origin frame does not reach the page's listeners.
            for kind in ["input", "change"] {
                let weak = self.weak.clone();
                self.listeners
                    .push(Listener::new(root, kind, true, move |e| {
                        with(&weak, |c| c.on_input(&e))
                    }));
            }
        }
        let Some(observer) = &self.observer else {
            return;
        };
        let options = MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        options.set_attributes(true);
        options.set_character_data(true);
        let _ = observer.observe_with_options(root, &options);
    }

    /// Something happened: make sure a frame is coming.
    fn touch(&mut self) {
        if self.frame_requested {
            return;
        }
        if let (Some(window), Some(callback)) = (window(), &self.on_frame) {
            self.frame_handle = window
                .request_animation_frame(callback.as_ref().unchecked_ref())
                .ok();
            self.frame_requested = self.frame_handle.is_some();
        }
    }

    /// Queues a change; pointer, scroll, hover, focus and size keep only their latest.
    fn push(&mut self, change: PageChange) {
        use PageChange as C;
        let same = |old: &PageChange| match (old, &change) {
            (C::Pointer { .. }, C::Pointer { .. })
            | (C::Viewport { .. }, C::Viewport { .. })
            | (C::Hover { .. }, C::Hover { .. })
            | (C::Focus { .. }, C::Focus { .. }) => true,
            (C::Scroll { id: a, .. }, C::Scroll { id: b, .. }) => a == b,
            (C::Value { id: a, .. }, C::Value { id: b, .. }) => a == b,
            _ => false,
        };
        self.changes.retain(|old| !same(old));
        if matches!(change, C::Scroll { .. } | C::Viewport { .. }) {
            self.layout_changed = true;
        }
        self.changes.push(change);
        self.first_at_ms
            .get_or_insert_with(|| js_sys::Date::now() as i64);
        self.touch();
    }

    /// One animation frame: turns queued mutation records into changes within the budget,
    /// then sends what is ready.
    fn flush(&mut self) {
        self.frame_requested = false;
        self.frame_handle = None;
        self.release();
        let started = now();
        if let Some(observer) = &self.observer {
            self.work.extend(
                observer
                    .take_records()
                    .iter()
                    .filter_map(|r| r.dyn_into().ok())
                    .map(Work::Record),
            );
        }
        // Bounded work per frame: what is left waits for the next frame, in order. A record
        // adding many nodes is split into one item per node.
        while now() - started < FRAME_BUDGET_MS {
            let Some(item) = self.work.pop_front() else {
                break;
            };
            match item {
                Work::Record(record) => self.mutation(&record),
                Work::Add { target, node } => self.added(&target, &node),
            }
        }
        if self.layout_changed {
            self.layout_changed = false;
            self.overlay.refresh(&self.serializer);
        }
        let ready = now() - self.last_sent_ms >= MIN_SEND_GAP_MS;
        if ready && !self.changes.is_empty() {
            let frame = PageFrame::Changes {
                changes: PageChanges {
                    changes: std::mem::take(&mut self.changes),
                    at_ms: self.first_at_ms.take().unwrap_or_default(),
                },
            };
            self.stats.batches += 1;
            // A batch too large even for parts is lost: the mirror gets the page again.
            match self.send_page(frame) {
                Ok(bytes) => self.stats.batch_bytes += bytes,
                Err(_) => self.snapshot(),
            }
            self.last_sent_ms = now();
            self.publish_stats();
        }
        if !self.work.is_empty() || !self.changes.is_empty() {
            self.touch();
        }
    }

    /// One mutation record into changes.
    fn mutation(&mut self, record: &MutationRecord) {
        let Some(target) = record.target() else {
            return;
        };
        self.layout_changed = true;
        match record.type_().as_str() {
            "childList" => self.child_list(record, &target),
            "characterData" => {
                let parent = target.parent_element();
                if let Some(style) = parent.as_ref().filter(|p| p.local_name() == "style") {
                    return self.style_changed(style);
                }
                let Some(id) = self.serializer.registry.id_of(&target) else {
                    return;
                };
                let text = self
                    .serializer
                    .text_of(parent, target.text_content().unwrap_or_default());
                self.push(PageChange::Text { id, text });
            }
            "attributes" => {
                let Some(element) = as_element(&target) else {
                    return;
                };
                let element = &element;
                let (Some(id), Some(name)) = (
                    self.serializer.registry.id_of(&target),
                    record.attribute_name(),
                ) else {
                    return;
                };
                let tag = element.local_name();
                let private = super::privacy::is_secret_field(element)
                    || self.serializer.privacy.is_private_element(element);
                if private && !Privacy::keeps_on_private(&name) {
                    return;
                }
                let value = element
                    .get_attribute(&name)
                    .and_then(|v| self.serializer.attribute(&tag, &name, v));
                if element.get_attribute(&name).is_some() && value.is_none() {
                    return;
                }
                self.push(PageChange::Attr { id, name, value });
            }
            _ => {}
        }
    }

    fn child_list(&mut self, record: &MutationRecord, target: &Node) {
        if let Some(style) = as_element(target).filter(|e| e.local_name() == "style") {
            return self.style_changed(&style);
        }
        let removed = record.removed_nodes();
        for index in 0..removed.length() {
            let Some(node) = removed.item(index) else {
                continue;
            };
            if let Some(id) = self.serializer.registry.id_of(&node) {
                if !node.is_connected() || node.parent_node().as_ref() != Some(target) {
                    self.serializer.registry.forget_subtree(&node);
                    self.push(PageChange::Remove { id });
                }
            }
        }
        let added = record.added_nodes();
        let nodes: Vec<Node> = (0..added.length()).filter_map(|i| added.item(i)).collect();
        // Ahead of later records, in their order.
        for node in nodes.into_iter().rev() {
            self.work.push_front(Work::Add {
                target: target.clone(),
                node,
            });
        }
    }

    /// A node added under `target`, unless it has gone or moved since.
    fn added(&mut self, target: &Node, node: &Node) {
        if !node.is_connected() || node.parent_node().as_ref() != Some(target) {
            return;
        }
        let (parent, shadow) = match target.dyn_ref::<web_sys::ShadowRoot>() {
            Some(root) => (self.serializer.registry.id_of(&root.host()), true),
            None => (self.serializer.registry.id_of(target), false),
        };
        let Some(parent) = parent else { return };
        if let Some(old) = self.serializer.registry.id_of(node) {
            // Moved: the mirror drops the old place and gets it anew.
            self.serializer.registry.forget_subtree(node);
            self.push(PageChange::Remove { id: old });
        }
        let show_text =
            as_element(target).is_none_or(|e| self.serializer.privacy.shows_text_of(&e));
        let before = self.next_known_sibling(node);
        // The node cap bounds one snapshot or one added subtree, not the page's life.
        self.serializer.count = 0;
        self.serializer.cut = false;
        if let Some(tree) = self.serializer.node(node, show_text) {
            self.push(PageChange::Add {
                parent,
                before,
                shadow,
                node: tree,
            });
        }
        for found in std::mem::take(&mut self.serializer.found_roots) {
            self.observe(&found);
        }
    }

    fn next_known_sibling(&self, node: &Node) -> Option<NodeId> {
        let mut next = node.next_sibling();
        while let Some(sibling) = next {
            if let Some(id) = self.serializer.registry.id_of(&sibling) {
                return Some(id);
            }
            next = sibling.next_sibling();
        }
        None
    }

    /// A style element's rules changed: the mirror gets them all again.
    fn style_changed(&mut self, style: &Element) {
        let Some(style_id) = self.serializer.registry.id_of(style) else {
            return;
        };
        let Some(&(text_id, _)) = self.serializer.styles.get(&style_id) else {
            return;
        };
        let sheet = style
            .dyn_ref::<web_sys::HtmlStyleElement>()
            .and_then(|s| s.sheet())
            .and_then(|s| s.dyn_into::<web_sys::CssStyleSheet>().ok());
        let Some(sheet) = sheet else { return };
        let css = super::styles::sheet_text(&sheet, &self.serializer.base).unwrap_or_default();
        let count = super::styles::rule_count(&sheet);
        self.serializer.styles.insert(style_id, (text_id, count));
        self.push(PageChange::Text {
            id: text_id,
            text: css,
        });
    }

    /// Rules inserted by script change no DOM: compare rule counts now and then.
    fn check_styles(&mut self) {
        let changed: Vec<Element> = self
            .serializer
            .styles
            .iter()
            .filter_map(|(style_id, (_, count))| {
                let node = self.serializer.registry.node(*style_id)?;
                let sheet = node
                    .dyn_ref::<web_sys::HtmlStyleElement>()?
                    .sheet()?
                    .dyn_into::<web_sys::CssStyleSheet>()
                    .ok()?;
                (super::styles::rule_count(&sheet) != *count)
                    .then(|| node.clone().unchecked_into::<Element>())
            })
            .collect();
        for style in changed {
            self.style_changed(&style);
        }
    }

    fn on_input(&mut self, event: &Event) {
        let Some(element) = event_target(event) else {
            return;
        };
        self.field_changed(&element);
        // Ticking a radio button unticks the others of its group.
        if let Some(input) = as_field::<web_sys::HtmlInputElement>(&element, "input") {
            if input.type_() == "radio" && !input.name().is_empty() {
                if let Some(group) = document().map(|d| d.get_elements_by_name(&input.name())) {
                    for index in 0..group.length() {
                        if let Some(other) = group.item(index).as_ref().and_then(as_element) {
                            if other != element {
                                self.field_changed(&other);
                            }
                        }
                    }
                }
            }
        }
    }

    /// A field's current value (or ticked state), unless private.
    fn field_changed(&mut self, element: &Element) {
        let Some(id) = self.serializer.registry.id_of(element) else {
            return;
        };
        if self.serializer.privacy.is_private_field(element) {
            return;
        }
        let change = if let Some(input) = as_field::<web_sys::HtmlInputElement>(element, "input") {
            match input.type_().as_str() {
                "checkbox" | "radio" => PageChange::Checked {
                    id,
                    checked: input.checked(),
                },
                "file" => return,
                _ => PageChange::Value {
                    id,
                    value: input.value(),
                },
            }
        } else if let Some(area) = as_field::<web_sys::HtmlTextAreaElement>(element, "textarea") {
            PageChange::Value {
                id,
                value: area.value(),
            }
        } else if let Some(select) = as_field::<web_sys::HtmlSelectElement>(element, "select") {
            PageChange::Value {
                id,
                value: select.value(),
            }
        } else {
            return;
        };
        self.push(change);
    }

    fn on_scroll(&mut self, event: &Event) {
        let target = event.target().map(|t| t.unchecked_into::<Node>());
        let element = target.as_ref().and_then(as_element);
        let change = match element {
            Some(element) if element.local_name() != "html" => {
                let Some(id) = self.serializer.registry.id_of(&element) else {
                    return;
                };
                PageChange::Scroll {
                    id: Some(id),
                    x: element.scroll_left(),
                    y: element.scroll_top(),
                }
            }
            _ => {
                let (x, y) = scroll_position();
                PageChange::Scroll { id: None, x, y }
            }
        };
        self.push(change);
    }

    fn on_load(&mut self, event: &Event) {
        let Some(frame) = event_target(event).filter(|e| e.local_name() == "iframe") else {
            return;
        };
        let (Some(id), Some(parent)) =
            (self.serializer.registry.id_of(&frame), frame.parent_node())
        else {
            return;
        };
        let Some(parent_id) = self.serializer.registry.id_of(&parent) else {
            return;
        };
        self.serializer.registry.forget_subtree(&frame);
        self.push(PageChange::Remove { id });
        let before = self.next_known_sibling(&frame);
        let show_text = self.serializer.privacy.shows_all_text();
        if let Some(node) = self.serializer.node(&frame, show_text) {
            self.push(PageChange::Add {
                parent: parent_id,
                before,
                shadow: false,
                node,
            });
        }
        for found in std::mem::take(&mut self.serializer.found_roots) {
            self.observe(&found);
        }
    }

    fn on_pointer(&mut self, event: &Event) {
        if let Some(mouse) = event.dyn_ref::<web_sys::MouseEvent>() {
            self.push(PageChange::Pointer {
                x: mouse.client_x(),
                y: mouse.client_y(),
            });
        }
    }

    fn nearest_id(&self, element: Option<Element>) -> Option<NodeId> {
        let mut node: Option<Node> = element.map(Into::into);
        while let Some(current) = node {
            if let Some(id) = self.serializer.registry.id_of(&current) {
                return Some(id);
            }
            node = current.parent_node();
        }
        None
    }

    fn on_hover(&mut self, event: &Event) {
        let id = self.nearest_id(event_target(event));
        self.push(PageChange::Hover { id });
    }

    fn on_focus(&mut self, event: &Event) {
        let id = match event.type_().as_str() {
            "focusin" => self.nearest_id(event_target(event)),
            _ => None,
        };
        self.push(PageChange::Focus { id });
    }

    /// The node of a number, for the adviser's guidance.
    pub fn element(&self, id: NodeId) -> Option<Element> {
        self.serializer.registry.node(id).and_then(as_element)
    }

    /// The site's privacy rules.
    pub fn privacy(&self) -> &Privacy {
        &self.serializer.privacy
    }

    /// Re-reads the positions of veils and highlight soon.
    pub fn relayout(&mut self) {
        self.layout_changed = true;
        self.touch();
    }

    fn publish_stats(&self) {
        let Some(window) = window() else { return };
        let stats = js_sys::Object::new();
        let set = |key: &str, value: f64| {
            let _ = js_sys::Reflect::set(&stats, &key.into(), &value.into());
        };
        set("snapshotMs", self.stats.snapshot_ms);
        set("snapshotBytes", self.stats.snapshot_bytes as f64);
        set("snapshotNodes", self.stats.snapshot_nodes as f64);
        set("batches", f64::from(self.stats.batches));
        set("batchBytes", self.stats.batch_bytes as f64);
        let _ = js_sys::Reflect::set(&window, &"__tandemCobrowse".into(), &stats);
    }

    /// Stops observing; the listeners go with the value.
    pub fn stop(&mut self) {
        if let Some(observer) = self.observer.take() {
            observer.disconnect();
        }
        // A frame asked for and not run yet would call a dropped callback.
        if let (Some(window), Some(handle)) = (window(), self.frame_handle.take()) {
            let _ = window.cancel_animation_frame(handle);
        }
        self.frame_requested = false;
        self.listeners.clear();
        if let (Some(window), Some((id, _))) = (window(), &self.style_timer) {
            window.clear_interval_with_handle(*id);
        }
        self.style_timer = None;
        self.work.clear();
        self.changes.clear();
        self.overlay.clear();
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        // Nothing the browser holds may call into a capture that is gone.
        self.stop();
    }
}

fn with(weak: &Weak<RefCell<Capture>>, f: impl FnOnce(&mut Capture)) {
    if let Some(capture) = weak.upgrade() {
        if let Ok(mut capture) = capture.try_borrow_mut() {
            f(&mut capture);
        }
    }
}

fn viewport() -> Viewport {
    let size = |v: Option<wasm_bindgen::JsValue>| v.and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;
    let window = window();
    Viewport {
        w: size(window.as_ref().and_then(|w| w.inner_width().ok())),
        h: size(window.as_ref().and_then(|w| w.inner_height().ok())),
    }
}

fn scroll_position() -> (i32, i32) {
    window().map_or((0, 0), |w| {
        (
            w.scroll_x().unwrap_or(0.0) as i32,
            w.scroll_y().unwrap_or(0.0) as i32,
        )
    })
}

/// The snapshot's address, title, size and `html` element, without what the element holds:
/// what is sent of a page too large to be shown.
fn emptied(snapshot: &PageSnapshot) -> PageSnapshot {
    let root = match &snapshot.root {
        PageNode::Element(html) => PageNode::Element(Box::new(ElementNode {
            id: html.id,
            tag: html.tag.clone(),
            attrs: html.attrs.clone(),
            children: Vec::new(),
            shadow: None,
            svg: html.svg,
            masked: html.masked,
        })),
        text => text.clone(),
    };
    PageSnapshot {
        url: snapshot.url.clone(),
        title: snapshot.title.clone(),
        viewport: snapshot.viewport,
        scroll_x: snapshot.scroll_x,
        scroll_y: snapshot.scroll_y,
        root,
        mode: snapshot.mode,
        too_large: None,
    }
}
