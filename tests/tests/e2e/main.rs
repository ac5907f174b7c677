//! End-to-end tests, in one binary: a real relay on a loopback port with a real SQLite file,
//! real WebSocket clients, and headless Chromium for what a person does in a browser.

mod api;
mod bad_input;
mod browser_chat;
mod chat;
mod queue;
mod restarts;
mod resume;
mod webhooks;
