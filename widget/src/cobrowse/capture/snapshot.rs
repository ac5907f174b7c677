//! Reading the whole page: a first slice at once, the rest over the next animation frames;
//! a page too large to be shown is announced instead.

use super::{document, window, Capture, Work, FRAME_BUDGET_MS};
use crate::cobrowse::serialize::{now, Deferred, Serializer, MAX_ELEMENTS};
use tandem_shared::cobrowse::{
    DocumentMode, ElementNode, NodeId, PageChange, PageNode, PageSnapshot, Viewport,
};
use tandem_shared::cobrowse_parts::{PageFrame, PartError};
use wasm_bindgen::JsCast;
use web_sys::Node;

impl Capture {
    /// Sends the whole page again, numbering from scratch (on start, and when the relay asks).
    /// What the first slice of time reads goes at once; the rest follows as additions read
    /// over the next animation frames, so a large page never freezes the tab.
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
        self.child_changes = js_sys::WeakMap::new();
        self.pending_adds = js_sys::WeakMap::new();
        self.serializer = Serializer::new(self.serializer.privacy.clone(), &document);
        let show_text = self.serializer.privacy.shows_all_text();
        let elements = document.get_elements_by_tag_name("*").length();
        let too_large = elements as usize > MAX_ELEMENTS;
        // A page too large to be shown is not read: its `html` element alone says so.
        self.serializer.set_deadline(if too_large {
            f64::NEG_INFINITY
        } else {
            started + FRAME_BUDGET_MS
        });
        let tree = self.serializer.node(&root, show_text);
        self.serializer.set_deadline(f64::INFINITY);
        let Some(tree) = tree else { return };
        self.observe(document.as_ref());
        for found in std::mem::take(&mut self.serializer.found_roots) {
            self.observe(&found);
        }
        let snapshot = self.page_snapshot(&document, tree);
        // Kept small, in case the page cannot be sent: its header without the tree.
        let empty = emptied(&snapshot);
        self.snapshot_header = Some(empty.clone());
        // Past the element cap (the tree is then the `html` element alone), past the node cap,
        // or beyond the parts a frame may have (very long texts): both sides are told.
        let sent = if too_large || self.serializer.cut {
            Err(PartError::TooLarge)
        } else {
            self.send_page(PageFrame::Snapshot {
                snapshot: Box::new(snapshot),
            })
        };
        let sent = sent.or_else(|_| self.send_too_large(empty, elements));
        self.stats.snapshot_bytes = sent.unwrap_or_default();
        self.stats.snapshot_slice_ms = now() - started;
        self.snapshot_started = Some(started);
        self.queue_deferred();
        self.snapshot_progress();
        self.layout_changed = true;
        self.touch();
    }

    /// The page's address, title, size, scroll and mode around `root`.
    pub(super) fn page_snapshot(
        &self,
        document: &web_sys::Document,
        root: PageNode,
    ) -> PageSnapshot {
        let (scroll_x, scroll_y) = scroll_position();
        let url = document.url().unwrap_or_default();
        let (public_id, system_id) = document
            .doctype()
            .map(|doctype| (doctype.public_id(), doctype.system_id()))
            .unwrap_or_default();
        PageSnapshot {
            url: self.serializer.url(&url).unwrap_or(url),
            title: document.title(),
            viewport: viewport(),
            scroll_x,
            scroll_y,
            root,
            mode: DocumentMode::of(&document.compat_mode(), &public_id, &system_id),
            too_large: None,
        }
    }

    /// Tells both sides the page can't be shown: its header and `html` element, and its
    /// number of elements. Drops what was still to be read.
    pub(super) fn send_too_large(
        &mut self,
        empty: PageSnapshot,
        elements: u32,
    ) -> Result<usize, PartError> {
        self.work.retain(|work| !matches!(work, Work::Rest(_)));
        self.serializer.deferred.clear();
        self.send_page(PageFrame::Snapshot {
            snapshot: Box::new(PageSnapshot {
                too_large: Some(elements),
                ..empty
            }),
        })
    }

    /// Children left for later go first in the queue, in document order.
    pub(super) fn queue_deferred(&mut self) {
        let deferred = std::mem::take(&mut self.serializer.deferred);
        for rest in deferred.into_iter().rev() {
            self.work.push_front(Work::Rest(rest));
        }
    }

    /// Once nothing of the snapshot is left to read: its figures are published.
    pub(super) fn snapshot_progress(&mut self) {
        let Some(started) = self.snapshot_started else {
            return;
        };
        // Done once everything read is sent too.
        if !self.changes.is_empty() || self.work.iter().any(|work| matches!(work, Work::Rest(_))) {
            return;
        }
        self.snapshot_started = None;
        self.snapshot_header = None;
        self.stats.snapshot_ms = now() - started;
        self.stats.snapshot_at = started;
        self.stats.snapshot_nodes = self.serializer.count;
        self.publish_stats();
    }

    /// Reads children a snapshot or an addition left for later, from `rest.next` on, until
    /// the frame's time runs out; each is sent as an addition to its parent.
    pub(super) fn rest(&mut self, rest: Deferred) {
        let Deferred {
            parent,
            next,
            show_text,
            placed,
        } = rest;
        if !parent.is_connected() {
            return;
        }
        let (parent_id, shadow) = self.mirror_parent(&parent);
        let Some(parent_id) = parent_id else { return };
        // Untouched since the snapshot, the parent's later children are all still unread:
        // these go at its end. Otherwise before the next sibling the mirror knows, found once
        // per run (walking the siblings for each would cost a long list's length squared).
        let changes = self.child_changes_of(&parent);
        let mut before = match placed {
            Some((seen, before)) if seen == changes => Some(before),
            _ if changes == 0 => Some(None),
            _ => None,
        };
        let mut current = if next.parent_node().as_ref() == Some(&parent) {
            Some(next)
        } else {
            parent.first_child()
        };
        let mut first = true;
        while let Some(node) = current {
            current = node.next_sibling();
            if self.serializer.registry.id_of(&node).is_some() {
                if changes != 0 {
                    before = None;
                }
                continue;
            }
            if !first && self.serializer.out_of_time() {
                self.serializer.deferred.push(Deferred {
                    parent: parent.clone(),
                    next: node,
                    show_text,
                    placed: before.map(|before| (changes, before)),
                });
                break;
            }
            first = false;
            let place = match before {
                Some(place) => place,
                None => *before.insert(self.next_known_sibling(&node)),
            };
            if let Some(tree) = self.serializer.node(&node, show_text) {
                self.push(PageChange::Add {
                    parent: parent_id,
                    before: place,
                    shadow,
                    node: tree,
                });
            }
        }
        for found in std::mem::take(&mut self.serializer.found_roots) {
            self.observe(&found);
        }
    }

    /// How many child changes of `parent` were turned into changes since the snapshot.
    pub(super) fn child_changes_of(&self, parent: &Node) -> u32 {
        self.child_changes
            .get(parent.unchecked_ref())
            .as_f64()
            .map_or(0, |n| n as u32)
    }

    /// The mirror's parent for children of `target`: its own number, or its host's when it
    /// is a shadow root (and true).
    pub(super) fn mirror_parent(&self, target: &Node) -> (Option<NodeId>, bool) {
        match target.dyn_ref::<web_sys::ShadowRoot>() {
            Some(root) => (self.serializer.registry.id_of(&root.host()), true),
            None => (self.serializer.registry.id_of(target), false),
        }
    }
}

pub(super) fn viewport() -> Viewport {
    let size = |v: Option<wasm_bindgen::JsValue>| v.and_then(|v| v.as_f64()).unwrap_or(0.0) as u32;
    let window = window();
    Viewport {
        w: size(window.as_ref().and_then(|w| w.inner_width().ok())),
        h: size(window.as_ref().and_then(|w| w.inner_height().ok())),
    }
}

pub(super) fn scroll_position() -> (i32, i32) {
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
