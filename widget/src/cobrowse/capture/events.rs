//! The visitor's typing, ticks, scrolling, frames loading, pointer, hover and focus.

use super::snapshot::scroll_position;
use super::{as_element, document, event_target, Capture};
use crate::cobrowse::serialize::as_field;
use tandem_shared::cobrowse::{NodeId, PageChange};
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, Node};

impl Capture {
    pub(super) fn on_input(&mut self, event: &Event) {
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
    pub(super) fn field_changed(&mut self, element: &Element) {
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

    pub(super) fn on_scroll(&mut self, event: &Event) {
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

    pub(super) fn on_load(&mut self, event: &Event) {
        let Some(target) = event_target(event) else {
            return;
        };
        match target.local_name().as_str() {
            "img" => return self.image_resized(&target),
            "iframe" => {}
            _ => return,
        }
        let frame = target;
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

    /// An image of another origin loaded (or failed): its box on the visitor's screen changed
    /// size, so the mirror's box follows.
    fn image_resized(&mut self, image: &Element) {
        let Some(id) = self.serializer.registry.id_of(image) else {
            return;
        };
        if let Some(size) = crate::cobrowse::serialize::image_elsewhere_size(image) {
            self.push(PageChange::Attr {
                id,
                name: tandem_shared::cobrowse::SIZE_ATTR.into(),
                value: size,
            });
        }
    }

    pub(super) fn on_pointer(&mut self, event: &Event) {
        if let Some(mouse) = event.dyn_ref::<web_sys::MouseEvent>() {
            self.push(PageChange::Pointer {
                x: mouse.client_x(),
                y: mouse.client_y(),
            });
        }
    }

    pub(super) fn nearest_id(&self, element: Option<Element>) -> Option<NodeId> {
        let mut node: Option<Node> = element.map(Into::into);
        while let Some(current) = node {
            if let Some(id) = self.serializer.registry.id_of(&current) {
                return Some(id);
            }
            node = current.parent_node();
        }
        None
    }

    pub(super) fn on_hover(&mut self, event: &Event) {
        let id = self.nearest_id(event_target(event));
        self.push(PageChange::Hover { id });
    }

    pub(super) fn on_focus(&mut self, event: &Event) {
        let id = match event.type_().as_str() {
            "focusin" => self.nearest_id(event_target(event)),
            _ => None,
        };
        self.push(PageChange::Focus { id });
    }
}
