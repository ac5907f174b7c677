//! Numbers the nodes of the visitor's page: a number stays with its node while the node is
//! on the page, and lets the adviser's guidance name a node.

use std::collections::HashMap;
use tandem_shared::cobrowse::NodeId;
use wasm_bindgen::JsValue;
use web_sys::Node;

/// Node ↔ number, both ways.
pub struct Registry {
    /// Node → number; weak, so the page's removed nodes can be collected.
    ids: js_sys::WeakMap,
    /// Number → node.
    nodes: HashMap<NodeId, Node>,
    next: NodeId,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            ids: js_sys::WeakMap::new(),
            nodes: HashMap::new(),
            next: 1,
        }
    }
}

impl Registry {
    /// Gives `node` a new number.
    pub fn assign(&mut self, node: &Node) -> NodeId {
        let id = self.fresh();
        self.ids.set(node, &JsValue::from(id));
        self.nodes.insert(id, node.clone());
        id
    }

    /// A number that belongs to no node (text the mirror shows in place of a style's rules).
    pub fn fresh(&mut self) -> NodeId {
        let id = self.next;
        self.next = self.next.wrapping_add(1).max(1);
        id
    }

    /// The number of a node, if it has one.
    pub fn id_of(&self, node: &Node) -> Option<NodeId> {
        self.ids.get(node).as_f64().map(|n| n as NodeId)
    }

    /// The node of a number.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(&id)
    }

    /// How many nodes are numbered.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Forgets a removed node and everything under it.
    pub fn forget_subtree(&mut self, node: &Node) {
        if let Some(id) = self.id_of(node) {
            self.nodes.remove(&id);
            self.ids.delete(node);
        }
        let children = node.child_nodes();
        for index in 0..children.length() {
            if let Some(child) = children.item(index) {
                self.forget_subtree(&child);
            }
        }
    }
}
