//! The live capture of the visitor's page: a full snapshot, then the changes (DOM mutations,
//! typing, ticks, scrolling, resizing, pointer, hover and focus) gathered per animation
//! frame with a bounded amount of work per frame, so a busy page never freezes the tab.

mod events;
mod mutations;
mod snapshot;

use super::listener::Listener;
use super::pacer::Pacer;
use super::privacy::Privacy;
use super::serialize::{now, Deferred, Serializer};
use super::view::Overlay;
use super::{Fill, Session};
use leptos::prelude::{RwSignal, Set};
use leptos::wasm_split::SplitLoaderError;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use tandem_shared::cobrowse::{NodeId, PageChange, PageChanges, PageSnapshot};
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
    /// Children a snapshot or a large addition left for a later frame.
    Rest(Deferred),
}

/// Sends a frame to the relay; false when it could not be sent.
pub type Send = Rc<dyn Fn(&VisitorMsg) -> bool>;

/// What the capture measured (read by the benchmark from `window.__tandemCobrowse`).
#[derive(Default)]
struct Stats {
    /// From the start of the snapshot until its last deferred part was read.
    snapshot_ms: f64,
    /// When the last snapshot was started (`performance.now()`, ms).
    snapshot_at: f64,
    /// The longest frame's work while the snapshot was read.
    snapshot_slice_ms: f64,
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
    /// The snapshot being read, without its tree: what is sent if the page grows past what
    /// can be shown before it is read.
    snapshot_header: Option<PageSnapshot>,
    /// When the snapshot being read (over several frames) was started.
    snapshot_started: Option<f64>,
    /// Node → how many queued records add it: until they are turned into changes, the
    /// mirror may have it elsewhere, so nothing is placed before it.
    pending_adds: js_sys::WeakMap,
    /// Parent → how many of its child changes were turned into changes since the snapshot
    /// (children read later are placed by their known siblings once it is not zero).
    child_changes: js_sys::WeakMap,
    overlay: Overlay,
    /// The adviser's drawings on the page.
    sketch: super::sketch::Sketch,
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

use snapshot::viewport;

/// Starts capturing this page (see [`Capture::start`]). This is where the widget's
/// co-browsing module is cut off: the first call fetches it, so a chat that never
/// co-browses never downloads it. An error when the module could not be fetched.
#[leptos::wasm_split::wasm_split(cobrowse, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn start_capture(
    privacy: Privacy,
    send: Send,
    overlay: Overlay,
    too_large: RwSignal<bool>,
) -> Result<Option<Rc<RefCell<dyn Session>>>, SplitLoaderError> {
    let capture = Capture::start(privacy, send, overlay, too_large);
    Ok(capture.map(|capture| capture as Rc<RefCell<dyn Session>>))
}

impl Session for Capture {
    fn resync(&mut self) {
        self.snapshot();
    }

    fn relayout(&mut self) {
        Capture::relayout(self);
    }

    fn stop(&mut self) {
        Capture::stop(self);
    }

    fn element(&self, id: NodeId) -> Option<Element> {
        Capture::element(self, id)
    }

    fn fill(&self, id: NodeId, fill: &Fill) -> Option<String> {
        let element = Capture::element(self, id)?;
        let privacy = &self.serializer.privacy;
        let applied = match fill {
            Fill::Value(value) => super::remote::fill(&element, value, privacy),
            Fill::Checked(checked) => super::remote::check(&element, *checked, privacy),
        };
        applied.ok()
    }

    fn draw(&mut self, drawing: &tandem_shared::cobrowse::Guidance) {
        self.sketch.draw(drawing);
    }
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
            snapshot_started: None,
            snapshot_header: None,
            child_changes: js_sys::WeakMap::new(),
            pending_adds: js_sys::WeakMap::new(),
            overlay,
            sketch: super::sketch::Sketch::default(),
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
                    c.queue_records(records);
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
        // A same-origin frame that (re)loads has a new document: send it again. An image of
        // another origin that loads or fails changes size: send its new size.
        for kind in ["load", "error"] {
            let weak = weak.clone();
            listeners.push(Listener::new(target, kind, true, move |e| {
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
            // A part's size is its data's (encoding it again would cost the tab its time).
            bytes += match &frame {
                VisitorMsg::CobrowsePart { part } => part.data.len(),
                small => serde_json::to_string(small).map_or(0, |s| s.len()),
            };
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
        if let Some(records) = self.observer.as_ref().map(MutationObserver::take_records) {
            self.queue_records(records);
        }
        // Bounded work per frame: what is left waits for the next frame, in order. A record
        // adding many nodes is split into one item per node, and a subtree read past the
        // frame's time leaves the rest for later.
        self.serializer.set_deadline(started + FRAME_BUDGET_MS);
        while now() - started < FRAME_BUDGET_MS {
            let Some(item) = self.work.pop_front() else {
                break;
            };
            match item {
                Work::Record(record) => self.mutation(&record),
                Work::Add { target, node } => self.added(&target, &node),
                Work::Rest(rest) => self.rest(rest),
            }
            self.queue_deferred();
        }
        self.serializer.set_deadline(f64::INFINITY);
        if self.snapshot_started.is_some() && self.serializer.cut {
            // The page grew past what can be shown while it was read.
            let elements = document().map_or(0, |d| d.get_elements_by_tag_name("*").length());
            self.changes.clear();
            if let Some(header) = self.snapshot_header.take() {
                let _ = self.send_too_large(header, elements);
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
                Ok(bytes) => {
                    self.stats.batch_bytes += bytes;
                    if self.snapshot_started.is_some() {
                        self.stats.snapshot_bytes += bytes;
                    }
                }
                Err(_) => self.snapshot(),
            }
            self.last_sent_ms = now();
            self.publish_stats();
        }
        if self.snapshot_started.is_some() {
            self.stats.snapshot_slice_ms = self.stats.snapshot_slice_ms.max(now() - started);
            self.snapshot_progress();
        }
        if !self.work.is_empty() || !self.changes.is_empty() {
            self.touch();
        }
    }

    /// The node of a number, for the adviser's guidance.
    pub fn element(&self, id: NodeId) -> Option<Element> {
        self.serializer.registry.node(id).and_then(as_element)
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
        set("snapshotSliceMs", self.stats.snapshot_slice_ms);
        set("snapshotAt", self.stats.snapshot_at);
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
        self.sketch.clear();
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
