//! Why the hub refused a request.

use crate::store::StoreError;
use tandem_shared::limits::FieldError;
use tandem_shared::{ErrorCode, ServerMsg};

/// A refused request; each maps to a wire error code.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// No such conversation, or it is over.
    #[error("{0}")]
    NotFound(&'static str),
    /// The caller may not act on this conversation.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Someone else got there first, or the conversation is not in the right state.
    #[error("{0}")]
    Conflict(&'static str),
    /// A field broke a rule.
    #[error("{0}")]
    Invalid(FieldError),
    /// The token is forged or damaged.
    #[error("the token is not valid")]
    Unauthorized,
    /// The connection's rules refused the frame (no hello yet, wrong protocol version, ...).
    #[error("{1}")]
    Protocol(ErrorCode, String),
    /// The CRM store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl HubError {
    /// The error frame that answers it. Store failures are logged, not shown in detail.
    pub fn to_frame(&self) -> ServerMsg {
        let code = match self {
            HubError::NotFound(_) => ErrorCode::NotFound,
            HubError::Forbidden(_) => ErrorCode::Forbidden,
            HubError::Conflict(_) => ErrorCode::Conflict,
            HubError::Invalid(_) => ErrorCode::InvalidInput,
            HubError::Unauthorized => ErrorCode::Unauthorized,
            HubError::Protocol(code, _) => *code,
            HubError::Store(error) => {
                tracing::error!(%error, "CRM store failure");
                return ServerMsg::error(
                    ErrorCode::Internal,
                    "the relay could not save this; please retry",
                );
            }
        };
        let field = match self {
            HubError::Invalid(error) => Some(error.field.to_owned()),
            _ => None,
        };
        ServerMsg::Error {
            code,
            message: self.to_string(),
            field,
        }
    }
}
