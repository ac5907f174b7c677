//! WebSocket endpoints: `/ws/visitor` for widgets, `/ws/adviser` for consoles.
//!
//! [`socket`] runs any connection (framing, limits, the writer task); [`visitor`] and
//! [`adviser`] turn decoded frames into hub calls.

pub mod adviser;
pub mod socket;
pub mod visitor;
