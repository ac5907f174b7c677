//! Co-browsing on the visitor's side: the invitation, the capture of the page (redacted
//! before anything leaves the browser), the adviser's guidance, and the visitor's controls
//! (stop, give or take back form filling).
//!
//! - [`privacy`]: what never leaves the browser.
//! - `serialize`, `registry`, `styles`: the page as nodes.
//! - [`capture`]: snapshot and changes per animation frame.
//! - `remote`: the adviser's form help.
//! - [`view`]: veils, pointer and highlight drawn for the visitor.
//! - `sketch`: the adviser's strokes and circles, fading.

pub mod capture;
mod listener;
mod pacer;
pub mod privacy;
mod registry;
mod remote;
mod serialize;
mod sketch;
mod styles;
pub mod view;

use capture::Send;
use leptos::prelude::*;
use privacy::Privacy;
use std::cell::RefCell;
use std::rc::Rc;
use tandem_shared::cobrowse::{Guidance, NodeId};
use tandem_shared::{VisitorFrame, VisitorMsg};
use view::Overlay;
use web_sys::Element;

/// A capture running on this page, as the chat side drives it. Its code is in the
/// co-browsing module, fetched when a session first starts (see [`capture::start_capture`]).
pub trait Session {
    /// Sends the whole page again (the adviser's view lost something).
    fn resync(&mut self);
    /// Re-reads the positions of veils and highlight soon.
    fn relayout(&mut self);
    /// Stops observing the page.
    fn stop(&mut self);
    /// The element of a node number, for the adviser's guidance.
    fn element(&self, id: NodeId) -> Option<Element>;
    /// Applies the adviser's fill or tick to a field; the field's name when it was applied.
    fn fill(&self, id: NodeId, fill: &Fill) -> Option<String>;
    /// Shows the adviser's stroke or circle on the page until it has faded.
    fn draw(&mut self, drawing: &Guidance);
}

/// What the adviser puts in a field.
pub enum Fill {
    /// Text typed (or an option chosen).
    Value(String),
    /// A box ticked or not.
    Checked(bool),
}

/// A running session, shared with the callbacks of its page.
type Running = Rc<RefCell<dyn Session>>;

/// How often the co-browsing module is fetched before the session is given up.
const LOAD_ATTEMPTS: u32 = 3;

/// Remembers across the site's pages that the visitor let the adviser fill in fields.
const CONTROL_KEY: &str = "tandem.cobrowse.control";
/// The permission to fill in lapses after this long without the adviser using it.
const CONTROL_LAPSE_MS: f64 = 5.0 * 60.0 * 1000.0;

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// Co-browsing as the widget runs it; a cheap `Copy` handle.
#[derive(Clone, Copy)]
pub struct Cobrowse {
    /// The adviser's name while their invitation waits for an answer.
    pub invite: RwSignal<Option<String>>,
    /// A session runs on this page.
    pub active: RwSignal<bool>,
    /// The adviser may fill in fields.
    pub control: RwSignal<bool>,
    /// The adviser's name.
    pub adviser: RwSignal<String>,
    /// A page the adviser proposes, waiting for the visitor's answer.
    pub proposal: RwSignal<Option<String>>,
    /// The last field the adviser filled in.
    pub filled: RwSignal<Option<String>>,
    /// The permission to fill in lapsed for lack of use.
    pub lapsed: RwSignal<bool>,
    /// The page is too large for the adviser to see.
    pub too_large: RwSignal<bool>,
    /// The co-browsing module could not be fetched: the session was stopped.
    pub load_failed: RwSignal<bool>,
    /// Veils, pointer, highlight.
    pub overlay: Overlay,
    capture: StoredValue<Option<Running>, LocalStorage>,
    /// Counts starts, so a module that arrives after the session ended is not used.
    generation: StoredValue<u32>,
    send: StoredValue<Option<Send>, LocalStorage>,
    privacy: StoredValue<Privacy>,
    /// Stopped here; the relay's confirmation is on its way.
    stopping: StoredValue<bool>,
    /// When the adviser last used the permission to fill in.
    last_fill_ms: StoredValue<f64>,
}

impl Cobrowse {
    /// Co-browsing under the site's privacy rules.
    pub fn new(privacy: Privacy) -> Cobrowse {
        let cobrowse = Cobrowse {
            invite: RwSignal::new(None),
            active: RwSignal::new(false),
            control: RwSignal::new(false),
            adviser: RwSignal::new(String::new()),
            proposal: RwSignal::new(None),
            filled: RwSignal::new(None),
            lapsed: RwSignal::new(false),
            too_large: RwSignal::new(false),
            load_failed: RwSignal::new(false),
            overlay: Overlay::new(),
            capture: StoredValue::new_local(None),
            generation: StoredValue::new(0),
            send: StoredValue::new_local(None),
            privacy: StoredValue::new(privacy),
            stopping: StoredValue::new(false),
            last_fill_ms: StoredValue::new(0.0),
        };
        cobrowse.watch_lapse();
        cobrowse
    }

    /// This page's address without the values of its private fields (a GET form puts them in
    /// the query): what the chat request and the CRM record get.
    pub fn page_url(&self) -> Option<String> {
        let window = web_sys::window()?;
        let href = window.location().href().ok()?;
        let document = window.document()?;
        let names = self
            .privacy
            .with_value(|privacy| serialize::private_field_names(privacy, &document));
        Some(privacy::strip_private_params(&href, &names))
    }

    /// How frames reach the relay.
    pub fn set_sender(&self, send: Send) {
        self.send.set_value(Some(send));
    }

    fn send(&self, frame: &VisitorMsg) {
        self.send.with_value(|send| {
            if let Some(send) = send {
                send(frame);
            }
        });
    }

    /// Handles a co-browsing frame from the relay; false for other frames.
    pub fn on_frame(&self, frame: &VisitorFrame) -> bool {
        match frame {
            VisitorFrame::CobrowseInvite { adviser, .. } => {
                self.load_failed.set(false);
                self.adviser.set(adviser.clone());
                self.invite.set(Some(adviser.clone()));
            }
            VisitorFrame::CobrowseResync { .. } => self.with_capture(|c| c.resync()),
            VisitorFrame::CobrowseGuide { guidance, .. } => self.guide(guidance.clone()),
            _ => return false,
        }
        true
    }

    fn with_capture(&self, f: impl FnOnce(&mut dyn Session)) {
        let capture = self.capture.with_value(Clone::clone);
        if let Some(capture) = capture {
            if let Ok(mut capture) = capture.try_borrow_mut() {
                f(&mut *capture);
            }
        }
    }

    /// Follows the conversation: a session runs from `cobrowse_started` to `cobrowse_ended`
    /// (also after a reload or on another page of the site).
    pub fn sync(&self, running: bool, adviser: Option<String>) {
        if !running {
            self.stopping.set_value(false);
        }
        let running = running && !self.stopping.get_value();
        if let Some(adviser) = adviser {
            if self.adviser.get_untracked() != adviser {
                self.adviser.set(adviser);
            }
        }
        let capturing = self.active.get_untracked();
        if running && !capturing {
            self.start();
        } else if !running && capturing {
            self.halt();
        }
    }

    fn start(&self) {
        if self.send.with_value(Option::is_none) {
            return;
        }
        self.invite.set(None);
        self.load_failed.set(false);
        self.active.set(true);
        self.generation.update_value(|g| *g += 1);
        self.load(self.generation.get_value(), 1);
    }

    /// Fetches the co-browsing module (once per page) and starts the capture with it; tries
    /// again a little later when the fetch fails.
    fn load(&self, generation: u32, attempt: u32) {
        let Some(send) = self.send.with_value(Clone::clone) else {
            return;
        };
        let this = *self;
        leptos::task::spawn_local(async move {
            let privacy = this.privacy.get_value();
            let outcome = capture::start_capture(privacy, send, this.overlay, this.too_large).await;
            match outcome {
                Err(_) if attempt < LOAD_ATTEMPTS => {
                    let delay = 1000 * attempt as i32;
                    web_client::browser::after(delay, move || {
                        if this.generation.try_get_value() == Some(generation) {
                            this.load(generation, attempt + 1);
                        }
                    });
                }
                outcome => this.started(generation, outcome),
            }
        });
    }

    /// The co-browsing module answered: the capture runs (or could not be fetched).
    fn started(
        &self,
        generation: u32,
        started: Result<Option<Running>, leptos::wasm_split::SplitLoaderError>,
    ) {
        let current = self.generation.try_get_value() == Some(generation);
        match started {
            Ok(Some(session)) if current && self.active.get_untracked() => {
                self.capture.set_value(Some(session));
                let granted = session_storage()
                    .and_then(|s| s.get_item(CONTROL_KEY).ok().flatten())
                    .is_some();
                if granted {
                    self.set_control(true);
                }
            }
            // The session ended while the module was on its way.
            Ok(Some(session)) => session.borrow_mut().stop(),
            Ok(None) => {}
            Err(_) if current => {
                self.stop();
                self.load_failed.set(true);
            }
            Err(_) => {}
        }
    }

    fn halt(&self) {
        self.generation.update_value(|g| *g += 1);
        self.with_capture(|c| c.stop());
        self.capture.set_value(None);
        self.active.set(false);
        self.control.set(false);
        self.proposal.set(None);
        self.filled.set(None);
        if let Some(storage) = session_storage() {
            let _ = storage.remove_item(CONTROL_KEY);
        }
    }

    /// The visitor answers the invitation.
    pub fn answer(&self, accepted: bool) {
        self.invite.set(None);
        self.send(&VisitorMsg::CobrowseAnswer { accepted });
    }

    /// The visitor stops co-browsing: capture stops here at once.
    pub fn stop(&self) {
        self.stopping.set_value(true);
        self.halt();
        self.send(&VisitorMsg::CobrowseStop);
    }

    /// Gives or takes back the adviser's permission to fill in fields.
    pub fn set_control(&self, granted: bool) {
        self.control.set(granted);
        self.lapsed.set(false);
        if granted {
            self.last_fill_ms.set_value(js_sys::Date::now());
        }
        if let Some(storage) = session_storage() {
            let _ = if granted {
                storage.set_item(CONTROL_KEY, "1")
            } else {
                storage.remove_item(CONTROL_KEY)
            };
        }
        self.send(&VisitorMsg::CobrowseControl { granted });
    }

    /// The visitor accepts (or not) the page the adviser proposed.
    pub fn follow_proposal(&self, accepted: bool) {
        let Some(url) = self.proposal.get_untracked() else {
            return;
        };
        self.proposal.set(None);
        if accepted {
            if let Some(window) = web_sys::window() {
                let _ = window.location().assign(&url);
            }
        }
    }

    fn guide(&self, guidance: Guidance) {
        if !self.active.get_untracked() {
            return;
        }
        let element = |id| {
            self.capture
                .with_value(|c| c.as_ref().and_then(|c| c.try_borrow().ok()?.element(id)))
        };
        match guidance {
            Guidance::Pointer { x, y } => self.overlay.pointer.set(Some((x, y))),
            Guidance::PointerHidden => self.overlay.pointer.set(None),
            Guidance::Highlight { id, label } => {
                self.overlay.highlighted.set(Some((id, label)));
                self.with_capture(|c| c.relayout());
            }
            Guidance::ClearHighlight => {
                self.overlay.highlighted.set(None);
                self.with_capture(|c| c.relayout());
            }
            Guidance::ScrollTo { id } => {
                if let Some(element) = element(id) {
                    let options = web_sys::ScrollIntoViewOptions::new();
                    options.set_behavior(web_sys::ScrollBehavior::Smooth);
                    options.set_block(web_sys::ScrollLogicalPosition::Center);
                    element.scroll_into_view_with_scroll_into_view_options(&options);
                }
            }
            Guidance::Fill { id, value } => self.apply_fill(id, Fill::Value(value)),
            Guidance::Check { id, checked } => self.apply_fill(id, Fill::Checked(checked)),
            Guidance::Navigate { url } => {
                if remote::is_same_site(&url) {
                    self.proposal.set(Some(url));
                }
            }
            drawing @ (Guidance::Draw { .. } | Guidance::Circle { .. }) => {
                self.with_capture(|c| c.draw(&drawing))
            }
        }
    }

    fn apply_fill(&self, id: NodeId, fill: Fill) {
        if !self.control.get_untracked() {
            return;
        }
        let applied = self.capture.with_value(|c| {
            c.as_ref()
                .and_then(|c| c.try_borrow().ok()?.fill(id, &fill))
        });
        if let Some(field) = applied {
            self.last_fill_ms.set_value(js_sys::Date::now());
            self.filled.set(Some(field.clone()));
            self.send(&VisitorMsg::CobrowseFilled { field });
        }
    }

    /// Takes the permission back when the adviser has not used it for a while.
    fn watch_lapse(&self) {
        let this = *self;
        web_client::browser::after(15_000, move || {
            if this.control.try_get_untracked() == Some(true)
                && js_sys::Date::now() - this.last_fill_ms.get_value() > CONTROL_LAPSE_MS
            {
                this.set_control(false);
                this.lapsed.set(true);
            }
            if this.control.try_get_untracked().is_some() {
                this.watch_lapse();
            }
        });
    }
}
