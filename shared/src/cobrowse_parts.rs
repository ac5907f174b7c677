//! Large co-browsing frames in parts: a page snapshot (hundreds of kilobytes) or a large batch
//! of changes travels as slices of its JSON of at most [`PART_BYTES`] each, which the relay
//! forwards one by one and the console puts back together.
//!
//! Why: a WebSocket connection keeps a buffer as large as the largest frame it ever carried,
//! for its whole life. One 1 MB snapshot would pin 1 MB on the relay for each visitor and each
//! console; parts bound that to one part.

use crate::cobrowse::{PageChanges, PageSnapshot};
use crate::visitor::VisitorMsg;
use serde::{Deserialize, Serialize};

/// Largest slice of JSON in one part, in bytes as written in the part (quotes and backslashes
/// escaped): a part's frame stays under 64 KiB with its envelope.
pub const PART_BYTES: usize = 48 * 1024;
/// Most parts in one frame (a frame of about 15 MiB: a page of some 60,000 elements). Only
/// the console puts parts together; the relay holds one at a time.
pub const MAX_PARTS: u32 = 320;

/// A co-browsing frame that may be sent in parts (read through one flat struct: see `flat`
/// at the crate's root).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PageFrame {
    /// The whole page.
    Snapshot {
        /// The page.
        snapshot: Box<PageSnapshot>,
    },
    /// Changes since the last frame.
    Changes {
        /// The changes.
        changes: PageChanges,
    },
}

/// Every field of either frame kind.
#[derive(Deserialize)]
struct PageFrameFields {
    kind: String,
    snapshot: Option<Box<PageSnapshot>>,
    changes: Option<PageChanges>,
}

impl<'de> Deserialize<'de> for PageFrame {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use crate::flat::required;
        let f = PageFrameFields::deserialize(deserializer)?;
        Ok(match f.kind.as_str() {
            "snapshot" => PageFrame::Snapshot {
                snapshot: required(f.snapshot, "snapshot")?,
            },
            "changes" => PageFrame::Changes {
                changes: required(f.changes, "changes")?,
            },
            other => {
                use serde::de::Error;
                return Err(D::Error::unknown_variant(other, &["snapshot", "changes"]));
            }
        })
    }
}

impl PageFrame {
    /// The frame as the visitor sends it when it fits in one part.
    fn whole(self) -> VisitorMsg {
        match self {
            PageFrame::Snapshot { snapshot } => VisitorMsg::CobrowseSnapshot { snapshot },
            PageFrame::Changes { changes } => VisitorMsg::CobrowseChanges { changes },
        }
    }

    /// The visitor frames that carry this one: itself when its JSON fits in [`PART_BYTES`],
    /// otherwise its parts, numbered `frame` (the sender counts its frames). Fails when the
    /// frame is larger than [`MAX_PARTS`] parts.
    pub fn into_visitor_frames(self, frame: u32) -> Result<Vec<VisitorMsg>, PartError> {
        let json = serde_json::to_string(&self).map_err(|_| PartError::Malformed)?;
        if json.len() <= PART_BYTES {
            return Ok(vec![self.whole()]);
        }
        let page_url = match &self {
            PageFrame::Snapshot { snapshot } => Some(snapshot.url.clone()),
            PageFrame::Changes { .. } => None,
        };
        let slices = split_json(&json);
        let count = u32::try_from(slices.len()).map_err(|_| PartError::TooLarge)?;
        if count > MAX_PARTS {
            return Err(PartError::TooLarge);
        }
        Ok(slices
            .into_iter()
            .zip(0..)
            .map(|(data, index)| VisitorMsg::CobrowsePart {
                part: FramePart {
                    frame,
                    index,
                    count,
                    page_url: if index == 0 { page_url.clone() } else { None },
                    data: data.to_owned(),
                },
            })
            .collect())
    }
}

/// Cuts `json` into slices that take at most [`PART_BYTES`] bytes once written as a JSON
/// string (a quote or a backslash takes two), never inside a character.
fn split_json(json: &str) -> Vec<&str> {
    let mut slices = Vec::with_capacity(json.len() / PART_BYTES + 1);
    let (mut start, mut escaped) = (0, 0);
    for (at, c) in json.char_indices() {
        let cost = match c {
            '"' | '\\' => 2,
            _ => c.len_utf8(),
        };
        if escaped + cost > PART_BYTES {
            slices.push(&json[start..at]);
            (start, escaped) = (at, 0);
        }
        escaped += cost;
    }
    if start < json.len() {
        slices.push(&json[start..]);
    }
    slices
}

/// One part of a large co-browsing frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FramePart {
    /// Which frame of the sender's it belongs to.
    pub frame: u32,
    /// Its place, from 0.
    pub index: u32,
    /// How many parts the frame has.
    pub count: u32,
    /// On the first part of a snapshot: the page's address (the relay records the pages seen
    /// without putting the parts together).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// A slice of the frame's JSON.
    pub data: String,
}

impl FramePart {
    /// Checks what can be checked on one part alone.
    pub fn check(&self) -> Result<(), PartError> {
        if self.count == 0 || self.count > MAX_PARTS {
            return Err(PartError::TooLarge);
        }
        if self.index >= self.count || self.data.len() > PART_BYTES {
            return Err(PartError::Malformed);
        }
        if self.index > 0 && self.page_url.is_some() {
            return Err(PartError::Malformed);
        }
        Ok(())
    }
}

/// Why parts were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PartError {
    /// More parts than [`MAX_PARTS`].
    #[error("the frame has more than {MAX_PARTS} parts")]
    TooLarge,
    /// A part that is not the next one expected.
    #[error("a part came out of order")]
    OutOfOrder,
    /// A part that contradicts itself (place beyond the count, slice too long, an address on a
    /// later part), or parts that do not make a frame.
    #[error("the parts do not make a co-browsing frame")]
    Malformed,
}

/// Checks that parts come in order, one frame at a time (what the relay keeps per session).
#[derive(Clone, Debug, Default)]
pub struct PartOrder {
    next: Option<(u32, u32, u32)>,
}

impl PartOrder {
    /// Accepts `part` when it is the first of a frame or the next of the current one; a
    /// new first part abandons an unfinished frame (its sender started over).
    pub fn accept(&mut self, part: &FramePart) -> Result<(), PartError> {
        part.check()?;
        let expected = match self.next {
            _ if part.index == 0 => true,
            Some((frame, index, count)) => {
                (frame, index, count) == (part.frame, part.index, part.count)
            }
            None => false,
        };
        if !expected {
            self.next = None;
            return Err(PartError::OutOfOrder);
        }
        let next = part.index + 1;
        self.next = (next < part.count).then_some((part.frame, next, part.count));
        Ok(())
    }
}

/// Puts parts back together (the console, one per conversation).
#[derive(Clone, Debug, Default)]
pub struct PartAssembler {
    order: PartOrder,
    json: String,
}

impl PartAssembler {
    /// Adds a part: the frame once its last part is in, `None` while parts are missing. A
    /// part out of order drops the unfinished frame (the mirror then asks for a snapshot).
    pub fn push(&mut self, part: &FramePart) -> Result<Option<PageFrame>, PartError> {
        if let Err(error) = self.order.accept(part) {
            self.json.clear();
            return Err(error);
        }
        if part.index == 0 {
            self.json.clear();
        }
        self.json.push_str(&part.data);
        if part.index + 1 < part.count {
            return Ok(None);
        }
        let json = std::mem::take(&mut self.json);
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|_| PartError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cobrowse::{ElementNode, PageChange, PageNode, Viewport};

    fn page(text: String) -> PageFrame {
        PageFrame::Snapshot {
            snapshot: Box::new(PageSnapshot {
                url: "https://site.test/apply".into(),
                title: "Apply".into(),
                viewport: Viewport { w: 800, h: 600 },
                scroll_x: 0,
                scroll_y: 0,
                mode: Default::default(),
                too_large: None,
                root: PageNode::Element(Box::new(ElementNode {
                    id: 1,
                    tag: "html".into(),
                    attrs: Vec::new(),
                    children: vec![PageNode::Text { id: 2, text }],
                    shadow: None,
                    svg: false,
                    masked: false,
                })),
            }),
        }
    }

    fn parts(frames: Vec<VisitorMsg>) -> Vec<FramePart> {
        frames
            .into_iter()
            .filter_map(|frame| match frame {
                VisitorMsg::CobrowsePart { part } => Some(part),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_small_frame_goes_whole() -> Result<(), PartError> {
        let frames = page("short".into()).into_visitor_frames(1)?;
        assert!(matches!(
            frames.as_slice(),
            [VisitorMsg::CobrowseSnapshot { .. }]
        ));
        Ok(())
    }

    #[test]
    fn a_large_snapshot_with_multibyte_text_comes_back_whole() -> Result<(), PartError> {
        // "é" is two bytes and "😀" four: slices must never cut one.
        let text: String = "é😀a".repeat(60_000);
        let original = page(text);
        let parts = parts(original.clone().into_visitor_frames(7)?);
        assert!(parts.len() > 5, "{} parts", parts.len());
        assert!(parts.iter().all(|p| p.data.len() <= PART_BYTES));
        for part in &parts {
            let written = serde_json::to_string(&part.data).map_err(|_| PartError::Malformed)?;
            assert!(written.len() <= PART_BYTES + 2, "{} bytes", written.len());
        }
        assert_eq!(
            parts[0].page_url.as_deref(),
            Some("https://site.test/apply")
        );
        assert!(parts[1..].iter().all(|p| p.page_url.is_none()));
        let mut assembler = PartAssembler::default();
        let mut done = None;
        for part in &parts {
            done = assembler.push(part)?;
        }
        assert_eq!(done, Some(original));
        Ok(())
    }

    #[test]
    fn a_missing_part_drops_the_frame_and_the_next_one_still_assembles() -> Result<(), PartError> {
        let first = parts(page("x".repeat(200_000)).into_visitor_frames(1)?);
        let second_frame = PageFrame::Changes {
            changes: PageChanges {
                changes: vec![PageChange::Text {
                    id: 2,
                    text: "y".repeat(100_000),
                }],
                at_ms: 5,
            },
        };
        let second = parts(second_frame.clone().into_visitor_frames(2)?);
        let mut assembler = PartAssembler::default();
        assembler.push(&first[0])?;
        assert_eq!(assembler.push(&first[2]), Err(PartError::OutOfOrder));
        assert_eq!(
            assembler.push(&first[3]),
            Err(PartError::OutOfOrder),
            "the rest of a broken frame is refused too"
        );
        let mut done = None;
        for part in &second {
            done = assembler.push(part)?;
        }
        assert_eq!(done, Some(second_frame));
        Ok(())
    }

    #[test]
    fn parts_that_claim_too_much_are_refused() {
        let part = |index, count, data: &str| FramePart {
            frame: 1,
            index,
            count,
            page_url: None,
            data: data.into(),
        };
        let mut order = PartOrder::default();
        assert_eq!(
            order.accept(&part(0, MAX_PARTS + 1, "{")),
            Err(PartError::TooLarge)
        );
        assert_eq!(order.accept(&part(3, 2, "{")), Err(PartError::Malformed));
        let long = "x".repeat(PART_BYTES + 1);
        assert_eq!(order.accept(&part(0, 2, &long)), Err(PartError::Malformed));
        assert_eq!(
            order.accept(&part(1, 2, "}")),
            Err(PartError::OutOfOrder),
            "no frame was started"
        );
        let mut assembler = PartAssembler::default();
        assert_eq!(
            assembler.push(&part(0, 1, "{not json")),
            Err(PartError::Malformed)
        );
    }
}
