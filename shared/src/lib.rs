//! Tandem's wire protocol and the rules both ends agree on.
//!
//! Layout:
//! - [`ids`]: newtype identifiers (conversation, adviser, contact).
//! - [`event`]: the numbered events of a conversation (messages, joins, end).
//! - [`model`]: data carried inside frames (pre-chat request, queue entries, wrap-up, records).
//! - [`cobrowse`]: co-browsing: the visitor's page as nodes and changes, the adviser's guidance.
//! - [`cobrowse_parts`]: large co-browsing frames sent in parts and put back together.
//! - [`desk`]: the service desk: queues, levels, transfers, notes, tickets, canned answers,
//!   surveys.
//! - [`visitor`]: frames a visitor's widget sends.
//! - [`adviser`]: frames an adviser's console sends.
//! - [`access`]: the roles of adviser accounts (admin, supervisor, adviser).
//! - [`audit`]: the audit trail's entries (who did what, when, from where).
//! - [`server`]: frames the relay sends to both.
//! - [`visitor_frame`]: the frames a visitor receives, as the widget reads them.
//! - [`error`]: error codes that travel on the wire.
//! - [`limits`]: size limits and input validation, applied by the widget and enforced by the relay.
//! - [`report`]: the dashboard's figures (wait, handling, abandonment, FCR, CSAT/CES/NPS).
//! - [`codec`]: decoding of client frames into a typed message or a typed error.
//! - [`site`]: sites served by one relay: key, allowed origins, queues, look.
//! - [`invitation`]: proactive invitations (rules, events, counts).
//! - [`faq`]: the knowledge base suggested to visitors before they chat.
//! - [`files`]: files shared in a chat (images, PDF): accepted types, names, sizes.
//! - [`i18n`]: the French and English texts of the widget and the console.
//! - [`transcript`]: a conversation as plain text (download and email).
//! - [`visit`]: the visitor's context (pages of the visit, device, local time) advisers see.
//!
//! Every connection starts with a `hello` frame carrying [`PROTOCOL_VERSION`]. Frames are JSON
//! text objects tagged by a `type` field in `snake_case`. See `docs/protocol.md`.

pub mod access;
pub mod adviser;
pub mod adviser_frame;
pub mod audit;
pub mod cobrowse;
pub mod cobrowse_parts;
pub mod codec;
pub mod desk;
pub mod error;
pub mod event;
pub mod faq;
pub mod files;
mod flat;
pub mod i18n;
pub mod ids;
pub mod invitation;
pub mod limits;
pub mod model;
mod page_read;
pub mod pending;
pub mod report;
pub mod server;
pub mod share_code;
pub mod site;
pub mod transcript;
pub mod visit;
pub mod visitor;
pub mod visitor_frame;

pub use adviser::AdviserMsg;
pub use adviser_frame::AdviserFrame;
pub use error::ErrorCode;
pub use event::{Author, ConversationEvent, EventKind, Role};
pub use ids::{AdviserId, ContactId, ConversationId};
pub use server::ServerMsg;
pub use visitor::VisitorMsg;
pub use visitor_frame::VisitorFrame;

/// Version of the wire protocol; a client whose `hello` carries another one is refused with
/// [`ErrorCode::ProtocolVersion`].
pub const PROTOCOL_VERSION: u32 = 1;
