//! Co-browsing on the visitor's side: the invitation, the capture of the page (redacted
//! before anything leaves the browser), the adviser's guidance, and the visitor's controls
//! (stop, give or take back form filling).
//!
//! - [`privacy`]: what never leaves the browser.
//! - `serialize`, `registry`, `styles`: the page as nodes.
//! - [`capture`]: snapshot and changes per animation frame.
//! - `remote`: the adviser's form help.
//! - [`view`]: veils, pointer and highlight drawn for the visitor.

pub mod capture;
mod listener;
mod pacer;
pub mod privacy;
mod registry;
mod remote;
mod serialize;
mod styles;
pub mod view;

use capture::{Capture, Send};
use leptos::prelude::*;
use privacy::Privacy;
use std::cell::RefCell;
use std::rc::Rc;
use tandem_shared::cobrowse::Guidance;
use tandem_shared::{VisitorFrame, VisitorMsg};
use view::Overlay;

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
    /// Veils, pointer, highlight.
    pub overlay: Overlay,
    capture: StoredValue<Option<Rc<RefCell<Capture>>>, LocalStorage>,
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
            overlay: Overlay::new(),
            capture: StoredValue::new_local(None),
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
                self.adviser.set(adviser.clone());
                self.invite.set(Some(adviser.clone()));
            }
            VisitorFrame::CobrowseResync { .. } => self.with_capture(Capture::snapshot),
            VisitorFrame::CobrowseGuide { guidance, .. } => self.guide(guidance.clone()),
            _ => return false,
        }
        true
    }

    fn with_capture(&self, f: impl FnOnce(&mut Capture)) {
        let capture = self.capture.with_value(Clone::clone);
        if let Some(capture) = capture {
            if let Ok(mut capture) = capture.try_borrow_mut() {
                f(&mut capture);
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
        let capturing = self.capture.with_value(Option::is_some);
        if running && !capturing {
            self.start();
        } else if !running && capturing {
            self.halt();
        }
    }

    fn start(&self) {
        let Some(send) = self.send.with_value(Clone::clone) else {
            return;
        };
        self.invite.set(None);
        let capture = Capture::start(self.privacy.get_value(), send, self.overlay, self.too_large);
        self.capture.set_value(capture);
        self.active.set(true);
        let granted = session_storage()
            .and_then(|s| s.get_item(CONTROL_KEY).ok().flatten())
            .is_some();
        if granted {
            self.set_control(true);
        }
    }

    fn halt(&self) {
        self.with_capture(Capture::stop);
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
                self.with_capture(Capture::relayout);
            }
            Guidance::ClearHighlight => {
                self.overlay.highlighted.set(None);
                self.with_capture(Capture::relayout);
            }
            Guidance::ScrollTo { id } => {
                if let Some(element) = element(id) {
                    let options = web_sys::ScrollIntoViewOptions::new();
                    options.set_behavior(web_sys::ScrollBehavior::Smooth);
                    options.set_block(web_sys::ScrollLogicalPosition::Center);
                    element.scroll_into_view_with_scroll_into_view_options(&options);
                }
            }
            Guidance::Fill { id, value } => {
                self.apply_fill(id, |el, privacy| remote::fill(el, &value, privacy))
            }
            Guidance::Check { id, checked } => {
                self.apply_fill(id, |el, privacy| remote::check(el, checked, privacy))
            }
            Guidance::Navigate { url } => {
                if remote::is_same_site(&url) {
                    self.proposal.set(Some(url));
                }
            }
        }
    }

    fn apply_fill(
        &self,
        id: tandem_shared::cobrowse::NodeId,
        apply: impl FnOnce(&web_sys::Element, &Privacy) -> Result<String, remote::Refusal>,
    ) {
        if !self.control.get_untracked() {
            return;
        }
        let target = self
            .capture
            .with_value(|c| c.as_ref().and_then(|c| c.try_borrow().ok()?.element(id)));
        let Some(element) = target else { return };
        let privacy = self.privacy.get_value();
        if let Ok(field) = apply(&element, &privacy) {
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
