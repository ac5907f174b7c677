//! End-to-end tests in headless Chromium: what a visitor and an adviser do in their browsers,
//! against a real relay.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test binary: a panic is the failure report

mod browser_a11y;
mod browser_audit;
mod browser_chat;
mod browser_cluster;
mod browser_cobrowse;
mod browser_day;
mod browser_desk;
mod browser_drawing;
mod browser_embed;
mod browser_faq;
mod browser_files;
mod browser_mirror_frames;
mod browser_mirror_pages;
mod browser_mirror_safety;
mod browser_modules;
mod browser_phone_share;
mod browser_records;
mod browser_sites;
mod browser_sso;
mod browser_supervision;
mod browser_team;
