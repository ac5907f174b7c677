//! The relay's integration tests: a real relay on a loopback port with a real SQLite file
//! (or PostgreSQL, `TANDEM_TEST_STORE=postgres`), real WebSocket and HTTP clients; the
//! fault-injection tests start the real binary; the several-node tests a real NATS server.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test binary: a panic is the failure report

mod access;
mod api;
mod audit;
mod bad_input;
mod chat;
mod cluster;
mod cobrowse;
mod connectors;
mod contact_trust;
mod desk;
mod faq;
mod files;
mod insight;
mod invitations;
mod operations;
mod postgres;
mod privacy;
mod queue;
mod records;
mod restarts;
mod resume;
mod revocation;
mod roles;
mod security;
mod share_code;
mod sites;
mod supervision;
mod team;
mod tickets;
mod visit;
mod webhooks;
