//! How the visitor's page is read: the nodes and changes the widget sends, decoded through
//! one flat struct each (see [`crate::flat`]) instead of serde's internally tagged enums,
//! whose decoders were the largest part of the console's co-browsing code. Same JSON, same
//! errors: a missing field is named, an unknown `k` or `op` is refused.

use crate::cobrowse::{ElementNode, NodeId, PageChange, PageNode, Viewport};
use crate::flat::required;
use serde::de::Error;
use serde::{Deserialize, Deserializer};

/// The node kinds (`k`).
const NODE_KINDS: &[&str] = &["e", "t"];

/// The change kinds (`op`).
const CHANGE_KINDS: &[&str] = &[
    "add", "remove", "attr", "text", "value", "checked", "scroll", "viewport", "pointer", "hover",
    "focus",
];

/// Every field of either node kind.
#[derive(Deserialize)]
struct NodeFields {
    k: String,
    id: NodeId,
    t: Option<String>,
    #[serde(default)]
    a: Vec<(String, String)>,
    #[serde(default)]
    c: Vec<PageNode>,
    s: Option<Vec<PageNode>>,
    #[serde(default)]
    svg: bool,
    #[serde(default)]
    m: bool,
    v: Option<String>,
}

impl<'de> Deserialize<'de> for PageNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let f = NodeFields::deserialize(deserializer)?;
        Ok(match f.k.as_str() {
            "e" => PageNode::Element(Box::new(ElementNode {
                id: f.id,
                tag: required(f.t, "t")?,
                attrs: f.a,
                children: f.c,
                shadow: f.s,
                svg: f.svg,
                masked: f.m,
            })),
            "t" => PageNode::Text {
                id: f.id,
                text: required(f.v, "v")?,
            },
            other => return Err(D::Error::unknown_variant(other, NODE_KINDS)),
        })
    }
}

/// Every field of any change kind.
#[derive(Deserialize)]
struct ChangeFields {
    op: String,
    parent: Option<NodeId>,
    before: Option<NodeId>,
    #[serde(default)]
    shadow: bool,
    node: Option<PageNode>,
    id: Option<NodeId>,
    name: Option<String>,
    value: Option<String>,
    text: Option<String>,
    checked: Option<bool>,
    x: Option<i32>,
    y: Option<i32>,
    viewport: Option<Viewport>,
}

impl<'de> Deserialize<'de> for PageChange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let f = ChangeFields::deserialize(deserializer)?;
        Ok(match f.op.as_str() {
            "add" => PageChange::Add {
                parent: required(f.parent, "parent")?,
                before: f.before,
                shadow: f.shadow,
                node: required(f.node, "node")?,
            },
            "remove" => PageChange::Remove {
                id: required(f.id, "id")?,
            },
            "attr" => PageChange::Attr {
                id: required(f.id, "id")?,
                name: required(f.name, "name")?,
                value: f.value,
            },
            "text" => PageChange::Text {
                id: required(f.id, "id")?,
                text: required(f.text, "text")?,
            },
            "value" => PageChange::Value {
                id: required(f.id, "id")?,
                value: required(f.value, "value")?,
            },
            "checked" => PageChange::Checked {
                id: required(f.id, "id")?,
                checked: required(f.checked, "checked")?,
            },
            "scroll" => PageChange::Scroll {
                id: f.id,
                x: required(f.x, "x")?,
                y: required(f.y, "y")?,
            },
            "viewport" => PageChange::Viewport {
                viewport: required(f.viewport, "viewport")?,
            },
            "pointer" => PageChange::Pointer {
                x: required(f.x, "x")?,
                y: required(f.y, "y")?,
            },
            "hover" => PageChange::Hover { id: f.id },
            "focus" => PageChange::Focus { id: f.id },
            other => return Err(D::Error::unknown_variant(other, CHANGE_KINDS)),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::cobrowse::{ElementNode, PageChange, PageNode, Viewport};
    use crate::cobrowse_parts::PageFrame;

    fn element() -> PageNode {
        PageNode::Element(Box::new(ElementNode {
            id: 2,
            tag: "svg".into(),
            attrs: vec![("class".into(), "icon".into())],
            children: vec![PageNode::Text {
                id: 3,
                text: "Hi".into(),
            }],
            shadow: Some(vec![PageNode::Text {
                id: 4,
                text: "Inside".into(),
            }]),
            svg: true,
            masked: true,
        }))
    }

    /// Every change kind, each optional field filled in, and again with them left out.
    fn every_change() -> Vec<PageChange> {
        vec![
            PageChange::Add {
                parent: 1,
                before: Some(5),
                shadow: true,
                node: element(),
            },
            PageChange::Add {
                parent: 1,
                before: None,
                shadow: false,
                node: PageNode::Text {
                    id: 6,
                    text: String::new(),
                },
            },
            PageChange::Remove { id: 2 },
            PageChange::Attr {
                id: 2,
                name: "href".into(),
                value: Some("/a".into()),
            },
            PageChange::Attr {
                id: 2,
                name: "hidden".into(),
                value: None,
            },
            PageChange::Text {
                id: 3,
                text: "Bye".into(),
            },
            PageChange::Value {
                id: 7,
                value: "ana@example.com".into(),
            },
            PageChange::Checked {
                id: 8,
                checked: true,
            },
            PageChange::Scroll {
                id: Some(9),
                x: 0,
                y: -4,
            },
            PageChange::Scroll {
                id: None,
                x: 3,
                y: 400,
            },
            PageChange::Viewport {
                viewport: Viewport { w: 390, h: 844 },
            },
            PageChange::Pointer { x: 10, y: 20 },
            PageChange::Hover { id: Some(2) },
            PageChange::Hover { id: None },
            PageChange::Focus { id: Some(7) },
            PageChange::Focus { id: None },
        ]
    }

    #[test]
    fn every_change_and_node_reads_back_the_same() {
        for change in every_change() {
            let json = serde_json::to_string(&change).unwrap_or_default();
            let read = serde_json::from_str::<PageChange>(&json).map_err(|e| e.to_string());
            assert_eq!(read, Ok(change), "{json}");
        }
        let frame = PageFrame::Changes {
            changes: crate::cobrowse::PageChanges {
                changes: every_change(),
                at_ms: 12,
            },
        };
        let json = serde_json::to_string(&frame).unwrap_or_default();
        let read = serde_json::from_str::<PageFrame>(&json).map_err(|e| e.to_string());
        assert_eq!(read, Ok(frame));
    }

    #[test]
    fn unknown_kinds_and_missing_fields_are_refused_by_name() {
        let error = |json: &str| {
            serde_json::from_str::<PageChange>(json)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(error(r#"{"op":"explode","id":1}"#).contains("unknown variant `explode`"));
        assert!(error(r#"{"op":"text","id":1}"#).contains("missing field `text`"));
        assert!(error(r#"{"op":"add","parent":1,"node":{"k":"x","id":2}}"#)
            .contains("unknown variant `x`"));
        assert!(error(r#"{"op":"add","parent":1,"node":{"k":"e","id":2}}"#)
            .contains("missing field `t`"));
        let frame = serde_json::from_str::<PageFrame>(r#"{"kind":"video"}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(frame.contains("unknown variant `video`"), "{frame}");
    }
}
