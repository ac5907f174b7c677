//! The hub tier: the hub's rules (pairing, capacity, transfer, resume, tickets, co-browsing
//! consent) on a real SQLite file with in-memory peers: no socket, no browser, seconds to run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test binary: a panic is the failure report

mod cobrowse;
mod pairing;
mod resume;
mod share_code;
mod support;
mod tickets;
mod transfer;
