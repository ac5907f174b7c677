//! WebSocket endpoints: `/ws/visitor` for widgets, `/ws/adviser` for consoles.
//!
//! [`socket`] runs any connection (framing, limits) in one task, with [`connection`] writing
//! what its outbox holds; [`visitor`] and [`adviser`] turn decoded frames into hub calls.

pub mod adviser;
mod connection;
pub mod socket;
pub mod visitor;
