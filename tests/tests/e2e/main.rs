//! End-to-end tests, in one binary: a real relay on a loopback port with a real SQLite file,
//! real WebSocket clients, and headless Chromium for what a person does in a browser.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test binary: a panic is the failure report

mod access;
mod api;
mod bad_input;
mod browser_a11y;
mod browser_chat;
mod browser_cluster;
mod browser_cobrowse;
mod browser_desk;
mod browser_embed;
mod browser_faq;
mod browser_files;
mod browser_mirror_safety;
mod browser_records;
mod browser_sites;
mod chat;
mod cluster;
mod cobrowse;
mod connectors;
mod contact_trust;
mod desk;
mod faq;
mod files;
mod insight;
mod load;
mod operations;
mod postgres;
mod privacy;
mod queue;
mod records;
mod restarts;
mod resume;
mod revocation;
mod security;
mod sites;
mod tickets;
mod webhooks;
