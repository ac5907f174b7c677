//! Error codes that travel on the wire in an `error` frame.

use serde::{Deserialize, Serialize};

/// Why the relay refused a frame or a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame was not valid JSON, or a field had the wrong shape.
    MalformedFrame,
    /// The frame's `type` is not one this relay knows.
    UnknownType,
    /// The frame was larger than the relay accepts.
    FrameTooLarge,
    /// The `hello` carried a protocol version this relay does not speak.
    ProtocolVersion,
    /// A frame other than `hello` came first.
    HelloRequired,
    /// A field's value broke a rule (see the message and `field`).
    InvalidInput,
    /// The token or session is missing, forged or expired.
    Unauthorized,
    /// The caller may not do this (wrong role, someone else's conversation).
    Forbidden,
    /// The conversation does not exist or is over.
    NotFound,
    /// Someone else got there first (e.g. the chat was already taken).
    Conflict,
    /// Too many frames too fast; slow down and send again.
    RateLimited,
    /// Too many visitors are already waiting; try again later.
    QueueFull,
    /// The relay failed; nothing sent was lost, retry later.
    Internal,
    /// A service this needs is not set up or not reachable (e.g. email); nothing was lost.
    Unavailable,
}
