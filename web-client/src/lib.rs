//! The browser side of Tandem's protocol, shared by the widget and the console.
//!
//! - [`socket`]: a WebSocket that reconnects by itself with backoff and jitter and reports its
//!   state honestly.
//! - [`browser`]: small helpers (unique ids, local storage, timers).
//! - [`tone`]: a short chime through the Web Audio API.
//! - [`lazy`]: a view whose code is fetched when it is first shown.

pub mod browser;
pub mod lazy;
pub mod socket;
pub mod tone;

pub use socket::{ConnState, Socket};
