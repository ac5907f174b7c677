//! A WebSocket to the relay that reconnects by itself.
//!
//! After each (re)connection it calls `on_open`, where the caller sends its `hello` (with
//! what it last saw, so the relay replays only what was missed). Lost connections are retried
//! with exponential backoff (0.5 s doubling to 30 s) and random jitter, so a relay restart is
//! not met by every client at the same instant.

use crate::browser::after;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};

/// What the connection is doing, to show the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnState {
    /// Opening the first connection.
    Connecting,
    /// Connected.
    Open,
    /// Lost; the next attempt is scheduled.
    Reconnecting,
    /// Closed on purpose (the relay refused this client, or the page asked).
    Closed,
}

/// Callbacks of a [`Socket`] whose frames from the relay are read as `F` (the widget reads
/// only the frames visitors receive, the console all of them).
pub struct Handlers<F> {
    /// Called after each successful (re)connection.
    pub on_open: Box<dyn Fn(&Socket)>,
    /// Called for each frame from the relay.
    pub on_frame: Box<dyn Fn(F)>,
    /// Called when the connection state changes.
    pub on_state: Box<dyn Fn(ConnState)>,
}

/// The callbacks once the frame type is decided: each text frame is decoded by `on_text`.
struct Callbacks {
    on_open: Box<dyn Fn(&Socket)>,
    on_text: Box<dyn Fn(&str)>,
    on_state: Box<dyn Fn(ConnState)>,
}

impl<F: DeserializeOwned + 'static> From<Handlers<F>> for Callbacks {
    fn from(handlers: Handlers<F>) -> Callbacks {
        let on_frame = handlers.on_frame;
        Callbacks {
            on_open: handlers.on_open,
            on_text: Box::new(move |text| match serde_json::from_str::<F>(text) {
                Ok(frame) => on_frame(frame),
                Err(error) => {
                    web_sys::console::warn_1(&format!("Tandem: unreadable frame: {error}").into())
                }
            }),
            on_state: handlers.on_state,
        }
    }
}

struct Inner {
    url: String,
    ws: Option<WebSocket>,
    attempt: u32,
    stopped: bool,
    handlers: Callbacks,
    // Kept alive as long as the WebSocket they are attached to.
    listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

/// A reconnecting WebSocket; cheap to clone.
#[derive(Clone)]
pub struct Socket {
    inner: Rc<RefCell<Inner>>,
}

/// The delay before reconnection attempt `attempt` (0-based), in milliseconds, given a random
/// number in [0, 1): 500 ms doubling up to 30 s, plus up to 50% jitter.
pub fn backoff_ms(attempt: u32, random: f64) -> i32 {
    let base = (500.0 * 2f64.powi(attempt.min(6) as i32)).min(30_000.0);
    (base * (1.0 + 0.5 * random.clamp(0.0, 1.0))) as i32
}

impl Socket {
    /// Opens a socket to `url` and keeps it open.
    pub fn connect<F: DeserializeOwned + 'static>(url: &str, handlers: Handlers<F>) -> Socket {
        let inner = Inner {
            url: url.to_owned(),
            ws: None,
            attempt: 0,
            stopped: false,
            handlers: handlers.into(),
            listeners: Vec::new(),
        };
        let socket = Socket {
            inner: Rc::new(RefCell::new(inner)),
        };
        (socket.inner.borrow().handlers.on_state)(ConnState::Connecting);
        socket.open();
        socket
    }

    fn from_weak(weak: &Weak<RefCell<Inner>>) -> Option<Socket> {
        weak.upgrade().map(|inner| Socket { inner })
    }

    fn open(&self) {
        let url = self.inner.borrow().url.clone();
        let ws = match WebSocket::new(&url) {
            Ok(ws) => ws,
            Err(_) => {
                self.schedule_reconnect();
                return;
            }
        };
        let weak = Rc::downgrade(&self.inner);
        let on_open = {
            let weak = weak.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                if let Some(socket) = Socket::from_weak(&weak) {
                    socket.inner.borrow_mut().attempt = 0;
                    (socket.inner.borrow().handlers.on_state)(ConnState::Open);
                    (socket.inner.borrow().handlers.on_open)(&socket);
                }
            })
        };
        let on_message = {
            let weak = weak.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let Some(socket) = Socket::from_weak(&weak) else {
                    return;
                };
                let Some(text) = event.unchecked_ref::<MessageEvent>().data().as_string() else {
                    return;
                };
                (socket.inner.borrow().handlers.on_text)(&text);
            })
        };
        // Whatever the close code (relay restarting, slow consumer, network gone), reconnecting
        // is right: the client resumes from its last event.
        let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(socket) = Socket::from_weak(&weak) {
                socket.schedule_reconnect();
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let mut inner = self.inner.borrow_mut();
        inner.ws = Some(ws);
        inner.listeners = vec![on_open, on_message, on_close];
    }

    fn schedule_reconnect(&self) {
        let delay = {
            let mut inner = self.inner.borrow_mut();
            if inner.stopped {
                return;
            }
            if let Some(ws) = inner.ws.take() {
                ws.set_onopen(None);
                ws.set_onmessage(None);
                ws.set_onclose(None);
            }
            let delay = backoff_ms(inner.attempt, js_sys::Math::random());
            inner.attempt += 1;
            delay
        };
        (self.inner.borrow().handlers.on_state)(ConnState::Reconnecting);
        let weak = Rc::downgrade(&self.inner);
        after(delay, move || {
            if let Some(socket) = Socket::from_weak(&weak) {
                if !socket.inner.borrow().stopped {
                    socket.open();
                }
            }
        });
    }

    /// Sends a frame; false when not connected (the caller keeps it and resends after the
    /// next `on_open`).
    pub fn send<T: Serialize>(&self, frame: &T) -> bool {
        let inner = self.inner.borrow();
        let Some(ws) = inner
            .ws
            .as_ref()
            .filter(|ws| ws.ready_state() == WebSocket::OPEN)
        else {
            return false;
        };
        match serde_json::to_string(frame) {
            Ok(text) => ws.send_with_str(&text).is_ok(),
            Err(_) => false,
        }
    }

    /// Closes the socket for good.
    pub fn close(&self) {
        let ws = {
            let mut inner = self.inner.borrow_mut();
            inner.stopped = true;
            inner.ws.take()
        };
        if let Some(ws) = ws {
            ws.set_onclose(None);
            let _ = ws.close();
        }
        (self.inner.borrow().handlers.on_state)(ConnState::Closed);
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;

    #[test]
    fn backoff_grows_to_a_cap_with_jitter() {
        assert_eq!(backoff_ms(0, 0.0), 500);
        assert_eq!(backoff_ms(1, 0.0), 1000);
        assert_eq!(backoff_ms(20, 0.0), 30_000);
        assert_eq!(backoff_ms(20, 0.999_999), 44_999);
        assert!(backoff_ms(2, 0.5) > backoff_ms(2, 0.0));
    }
}
