//! Tandem's adviser console: Leptos compiled to WebAssembly, served by the relay at `/console`.
//!
//! Layout:
//! - [`model`]: the desk's state (queue, chats, presence) and how relay frames change it.
//! - [`desk`]: the controller: the socket and the adviser's actions.
//! - [`account`]: login, logout, who is logged in (HTTP).
//! - [`api`]: queues, canned answers, tickets and the dashboard's report (HTTP).
//! - `ui`: the components (login, header, queue and chats, conversation, wrap-up, contact).

pub mod account;
pub mod api;
pub mod cobrowse;
pub mod desk;
pub mod model;
mod ui;

use wasm_bindgen::prelude::*;

/// Mounts the console on the page's body.
#[wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(ui::App);
}
