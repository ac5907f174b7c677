//! The load harness at a small scale: every phase runs on every server and its figures come
//! out (the real figures come from `cargo bench`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test binary: a panic is the failure report

mod load;
