//! DOM mutation records turned into the mirror's changes.

use super::{as_element, Capture, Work};
use crate::cobrowse::privacy::Privacy;
use tandem_shared::cobrowse::{NodeId, PageChange};
use wasm_bindgen::JsCast;
use web_sys::{Element, MutationRecord, Node};

impl Capture {
    /// One mutation record into changes.
    pub(super) fn mutation(&mut self, record: &MutationRecord) {
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
                let private = crate::cobrowse::privacy::is_secret_field(element)
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

    /// Queues mutation records, noting the nodes they add as pending.
    pub(super) fn queue_records(&mut self, records: js_sys::Array) {
        for record in records
            .iter()
            .filter_map(|r| r.dyn_into::<MutationRecord>().ok())
        {
            let added = record.added_nodes();
            for node in (0..added.length()).filter_map(|i| added.item(i)) {
                let count = self.pending_count(&node) + 1;
                self.pending_adds.set(node.unchecked_ref(), &count.into());
            }
            self.work.push_back(Work::Record(record));
        }
    }

    /// How many queued records still add `node`.
    fn pending_count(&self, node: &Node) -> u32 {
        self.pending_adds
            .get(node.unchecked_ref())
            .as_f64()
            .map_or(0, |n| n as u32)
    }

    /// One queued addition of `node` was handled.
    fn settle(&mut self, node: &Node) {
        match self.pending_count(node) {
            0 => {}
            1 => {
                self.pending_adds.delete(node.unchecked_ref());
            }
            count => {
                self.pending_adds
                    .set(node.unchecked_ref(), &(count - 1).into());
            }
        }
    }

    pub(super) fn child_list(&mut self, record: &MutationRecord, target: &Node) {
        if let Some(style) = as_element(target).filter(|e| e.local_name() == "style") {
            let added = record.added_nodes();
            for node in (0..added.length()).filter_map(|i| added.item(i)) {
                self.settle(&node);
            }
            return self.style_changed(&style);
        }
        let changes = self.child_changes_of(target).wrapping_add(1);
        self.child_changes
            .set(target.unchecked_ref(), &changes.into());
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
    pub(super) fn added(&mut self, target: &Node, node: &Node) {
        self.settle(node);
        if !node.is_connected() || node.parent_node().as_ref() != Some(target) {
            return;
        }
        let (parent, shadow) = self.mirror_parent(target);
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
        if self.snapshot_started.is_none() {
            self.serializer.count = 0;
            self.serializer.cut = false;
        }
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

    /// The next sibling the mirror has in its place (one a queued record still adds may be
    /// elsewhere in the mirror: it is placed when its record is handled).
    pub(super) fn next_known_sibling(&self, node: &Node) -> Option<NodeId> {
        let mut next = node.next_sibling();
        while let Some(sibling) = next {
            if let Some(id) = self.serializer.registry.id_of(&sibling) {
                if self.pending_count(&sibling) == 0 {
                    return Some(id);
                }
            }
            next = sibling.next_sibling();
        }
        None
    }

    /// A style element's rules changed: the mirror gets them all again.
    pub(super) fn style_changed(&mut self, style: &Element) {
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
        let css =
            crate::cobrowse::styles::sheet_text(&sheet, &self.serializer.base).unwrap_or_default();
        let count = crate::cobrowse::styles::rule_count(&sheet);
        self.serializer.styles.insert(style_id, (text_id, count));
        self.push(PageChange::Text {
            id: text_id,
            text: css,
        });
    }

    /// Rules inserted by script change no DOM: compare rule counts now and then.
    pub(super) fn check_styles(&mut self) {
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
                (crate::cobrowse::styles::rule_count(&sheet) != *count)
                    .then(|| node.clone().unchecked_into::<Element>())
            })
            .collect();
        for style in changed {
            self.style_changed(&style);
        }
    }
}
