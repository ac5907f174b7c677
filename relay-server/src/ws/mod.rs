//! WebSocket connections, whoever opened them: [`socket`] runs one connection (framing, size
//! and rate limits, the hello deadline) in one task, with `connection` writing what its
//! outbox holds. What the frames do is the role's [`crate::session`].

mod connection;
pub mod socket;
