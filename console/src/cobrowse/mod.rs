//! Co-browsing on the adviser's side: the state of each conversation's session, the mirrors
//! of the visitor's pages, and the adviser's guidance.
//!
//! - [`mirror`]: the page rebuilt in a sandboxed frame.
//! - [`policy`]: what the mirror may build and fetch of what the visitor sent.

pub mod mirror;
pub mod policy;

use leptos::prelude::*;
use mirror::Mirror;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use tandem_shared::cobrowse::{PageChanges, PageSnapshot, Viewport};
use tandem_shared::cobrowse_parts::{FramePart, PageFrame, PartAssembler};
use tandem_shared::{AdviserFrame, ConversationId};

/// What the console shows of one conversation's co-browsing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionView {
    /// The invitation is out.
    pub asked: bool,
    /// The visitor declined the last invitation.
    pub declined: bool,
    /// The visitor lets the adviser fill in fields.
    pub control: bool,
    /// The visitor's page address.
    pub url: String,
    /// The page's title.
    pub title: String,
    /// The visitor's window size.
    pub viewport: Viewport,
    /// The visitor's pointer.
    pub pointer: Option<(i32, i32)>,
    /// A snapshot is shown.
    pub shown: bool,
    /// The visitor's page is too large to be shown: its number of elements.
    pub too_large: Option<u32>,
    /// Fields filled on the visitor's page, latest last.
    pub filled: Vec<String>,
}

/// Every conversation's co-browsing; a cheap `Copy` handle.
#[derive(Clone, Copy)]
pub struct CobrowseDesk {
    /// Per conversation.
    pub sessions: RwSignal<HashMap<ConversationId, SessionView>>,
    mirrors: StoredValue<HashMap<ConversationId, Rc<RefCell<Mirror>>>, LocalStorage>,
    /// Large frames being put back together, per conversation.
    assemblers: StoredValue<HashMap<ConversationId, PartAssembler>, LocalStorage>,
    /// The page address the first part of each conversation's last snapshot named.
    part_pages: StoredValue<HashMap<ConversationId, String>, LocalStorage>,
    /// Each session's last snapshot and the changes since: a mirror that appears (the
    /// session's pane opens, the adviser comes back to the chat) is built from it, without
    /// asking the visitor's page for the whole page again.
    replay: StoredValue<HashMap<ConversationId, Replay>, LocalStorage>,
}

/// A snapshot and the change batches after it.
struct Replay {
    snapshot: Box<PageSnapshot>,
    changes: Vec<PageChanges>,
}

/// Change batches kept after a snapshot; past them the replay is dropped (a fresh snapshot is
/// asked for when a mirror needs one).
const MAX_REPLAY_BATCHES: usize = 2_000;

/// How long a mirror without a snapshot waits for the one the visitor's page sends on its own
/// (at the start of a session) before asking for one.
const SNAPSHOT_GRACE_MS: i32 = 3_000;

impl Default for CobrowseDesk {
    fn default() -> Self {
        CobrowseDesk {
            sessions: RwSignal::new(HashMap::new()),
            mirrors: StoredValue::new_local(HashMap::new()),
            assemblers: StoredValue::new_local(HashMap::new()),
            part_pages: StoredValue::new_local(HashMap::new()),
            replay: StoredValue::new_local(HashMap::new()),
        }
    }
}

impl CobrowseDesk {
    fn update(&self, id: &ConversationId, f: impl FnOnce(&mut SessionView)) {
        self.sessions
            .update(|sessions| f(sessions.entry(id.clone()).or_default()));
    }

    /// One conversation's view.
    pub fn view(&self, id: &ConversationId) -> SessionView {
        self.sessions
            .with(|sessions| sessions.get(id).cloned().unwrap_or_default())
    }

    /// Handles a co-browsing frame; false for other frames.
    pub fn on_frame(&self, frame: &AdviserFrame) -> bool {
        match frame {
            AdviserFrame::CobrowseSnapshot {
                conversation_id,
                snapshot,
            } => {
                let shown = self.with_mirror(conversation_id, |m| m.load(snapshot));
                count_snapshot();
                self.replay.update_value(|replay| {
                    replay.insert(
                        conversation_id.clone(),
                        Replay {
                            snapshot: snapshot.clone(),
                            changes: Vec::new(),
                        },
                    );
                });
                self.update(conversation_id, |s| {
                    s.url = snapshot.url.clone();
                    s.title = snapshot.title.clone();
                    s.viewport = snapshot.viewport;
                    s.shown = shown;
                    s.too_large = snapshot.too_large;
                    s.asked = false;
                });
            }
            AdviserFrame::CobrowseChanges {
                conversation_id,
                changes,
            } => {
                self.with_mirror(conversation_id, |m| m.apply(changes));
                record_latency(changes.at_ms);
                self.replay.update_value(|replay| {
                    let full = replay.get_mut(conversation_id).is_some_and(|r| {
                        r.changes.push(changes.clone());
                        r.changes.len() > MAX_REPLAY_BATCHES
                    });
                    if full {
                        replay.remove(conversation_id);
                    }
                });
                let viewport = changes.changes.iter().rev().find_map(|c| match c {
                    tandem_shared::cobrowse::PageChange::Viewport { viewport } => Some(*viewport),
                    _ => None,
                });
                let pointer = changes.changes.iter().rev().find_map(|c| match c {
                    tandem_shared::cobrowse::PageChange::Pointer { x, y } => Some((*x, *y)),
                    _ => None,
                });
                if viewport.is_some() || pointer.is_some() {
                    self.update(conversation_id, |s| {
                        if let Some(viewport) = viewport {
                            s.viewport = viewport;
                        }
                        if pointer.is_some() {
                            s.pointer = pointer;
                        }
                    });
                }
            }
            AdviserFrame::CobrowseDeclined { conversation_id } => {
                self.update(conversation_id, |s| {
                    s.asked = false;
                    s.declined = true;
                })
            }
            AdviserFrame::CobrowseControl {
                conversation_id,
                granted,
            } => self.update(conversation_id, |s| s.control = *granted),
            AdviserFrame::CobrowseFilled {
                conversation_id,
                field,
            } => self.update(conversation_id, |s| s.filled.push(field.clone())),
            _ => return false,
        }
        true
    }

    /// Adds one part of a large snapshot or change batch, and shows the frame once its last
    /// part is in. False when parts were lost: the mirror then needs a fresh snapshot.
    pub fn on_part(&self, id: &ConversationId, part: &FramePart) -> bool {
        if let Some(url) = &part.page_url {
            // The relay checked this address against the site; the snapshot the parts make
            // must name the same origin.
            self.part_pages.update_value(|pages| {
                pages.insert(id.clone(), url.clone());
            });
        }
        let pushed = self
            .assemblers
            .try_update_value(|all| all.entry(id.clone()).or_default().push(part));
        let frame = match pushed {
            Some(Ok(Some(frame))) => frame,
            Some(Ok(None)) => return true,
            Some(Err(_)) | None => return false,
        };
        if let PageFrame::Snapshot { snapshot } = &frame {
            let checked = self
                .part_pages
                .with_value(|pages| pages.get(id).and_then(|url| policy::origin_of(url)));
            if checked.is_none() || checked != policy::origin_of(&snapshot.url) {
                return false;
            }
        }
        let conversation_id = id.clone();
        self.on_frame(&match frame {
            PageFrame::Snapshot { snapshot } => AdviserFrame::CobrowseSnapshot {
                conversation_id,
                snapshot,
            },
            PageFrame::Changes { changes } => AdviserFrame::CobrowseChanges {
                conversation_id,
                changes,
            },
        });
        true
    }

    /// The invitation went out.
    pub fn asked(&self, id: &ConversationId) {
        self.update(id, |s| {
            s.asked = true;
            s.declined = false;
        });
    }

    /// The session ended: forget its state.
    pub fn ended(&self, id: &ConversationId) {
        self.mirrors.update_value(|m| {
            m.remove(id);
        });
        self.assemblers.update_value(|a| {
            a.remove(id);
        });
        self.part_pages.update_value(|p| {
            p.remove(id);
        });
        self.replay.update_value(|r| {
            r.remove(id);
        });
        self.sessions.update(|s| {
            s.remove(id);
        });
    }

    /// A mirror frame is ready for this conversation: built from the last snapshot and the
    /// changes since when the console has them. Otherwise `ask` (for a fresh snapshot) runs
    /// if none has come after a short grace: at the start of a session the visitor's page
    /// sends one on its own, and asking too would send the whole page twice.
    pub fn attach(&self, id: &ConversationId, mirror: Mirror, ask: impl FnOnce() + 'static) {
        let mirror = Rc::new(RefCell::new(mirror));
        self.mirrors.update_value(|m| {
            m.insert(id.clone(), mirror.clone());
        });
        let replayed = self.replay.with_value(|replay| {
            let Some(replay) = replay.get(id) else {
                return false;
            };
            let Ok(mut mirror) = mirror.try_borrow_mut() else {
                return false;
            };
            mirror.load(&replay.snapshot);
            for changes in &replay.changes {
                mirror.apply(changes);
            }
            true
        });
        if replayed {
            self.update(id, |s| s.shown = true);
            return;
        }
        let desk = *self;
        let id = id.clone();
        web_client::browser::after(SNAPSHOT_GRACE_MS, move || {
            let attached = desk
                .mirrors
                .try_with_value(|m| m.contains_key(&id))
                .unwrap_or(false);
            let snapshot = desk
                .replay
                .try_with_value(|r| r.contains_key(&id))
                .unwrap_or(true);
            if attached && !snapshot {
                ask();
            }
        });
    }

    /// The mirror frame went away (another chat is shown).
    pub fn detach(&self, id: &ConversationId) {
        self.mirrors.try_update_value(|m| {
            m.remove(id);
        });
        self.sessions.try_update(|s| {
            if let Some(view) = s.get_mut(id) {
                view.shown = false;
            }
        });
    }

    /// Runs `f` on the conversation's mirror; false when none is shown.
    pub fn with_mirror(&self, id: &ConversationId, f: impl FnOnce(&mut Mirror)) -> bool {
        let mirror = self.mirrors.with_value(|m| m.get(id).cloned());
        match mirror.and_then(|m| m.try_borrow_mut().ok().map(|mut m| f(&mut m))) {
            Some(()) => true,
            None => false,
        }
    }
}

/// The console's co-browsing figures, for the benchmark and the tests
/// (`window.__tandemMirror`: `latencies` in ms, `snapshots` received).
fn figures() -> Option<wasm_bindgen::JsValue> {
    let window = web_sys::window()?;
    let key = wasm_bindgen::JsValue::from_str("__tandemMirror");
    Some(
        js_sys::Reflect::get(&window, &key)
            .ok()
            .filter(|v| v.is_object())
            .unwrap_or_else(|| {
                let holder = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&holder, &"latencies".into(), &js_sys::Array::new());
                let _ = js_sys::Reflect::set(&holder, &"snapshots".into(), &0.into());
                let _ = js_sys::Reflect::set(&window, &key, &holder);
                holder.into()
            }),
    )
}

/// Counts a snapshot received (`window.__tandemMirror.snapshots`).
fn count_snapshot() {
    let Some(holder) = figures() else { return };
    let count = js_sys::Reflect::get(&holder, &"snapshots".into())
        .ok()
        .and_then(|n| n.as_f64())
        .unwrap_or(0.0);
    let _ = js_sys::Reflect::set(&holder, &"snapshots".into(), &(count + 1.0).into());
}

/// Keeps the delay from the visitor's change to the mirror's update, for the benchmark
/// (`window.__tandemMirror.latencies`, in ms).
fn record_latency(at_ms: i64) {
    let Some(holder) = figures() else { return };
    let delay = js_sys::Date::now() - at_ms as f64;
    if let Ok(list) = js_sys::Reflect::get(&holder, &"latencies".into()) {
        if let Some(list) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Array>(&list) {
            if list.length() < 100_000 {
                list.push(&delay.into());
            }
        }
    }
}
