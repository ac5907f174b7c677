//! Decoding of client frames: a typed message, or a typed error to send back.

use crate::adviser::AdviserMsg;
use crate::error::ErrorCode;
use crate::server::ServerMsg;
use crate::visitor::VisitorMsg;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::fmt;

/// A frame type a client may send.
pub trait ClientFrame: DeserializeOwned {
    /// True for the catch-all variant that stands for a type this relay does not know.
    fn is_unknown(&self) -> bool;
    /// True for the `hello` that opens every connection.
    fn is_hello(&self) -> bool;
}

impl ClientFrame for VisitorMsg {
    fn is_unknown(&self) -> bool {
        matches!(self, VisitorMsg::Unknown)
    }
    fn is_hello(&self) -> bool {
        matches!(self, VisitorMsg::Hello { .. })
    }
}

impl ClientFrame for AdviserMsg {
    fn is_unknown(&self) -> bool {
        matches!(self, AdviserMsg::Unknown)
    }
    fn is_hello(&self) -> bool {
        matches!(self, AdviserMsg::Hello { .. })
    }
}

/// Why a frame could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Larger than the limit.
    TooLarge {
        /// Size of the frame in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Not JSON, or a field of the wrong shape.
    Malformed(String),
    /// A `type` this relay does not know.
    UnknownType(String),
    /// A binary frame, where only JSON text is spoken.
    Binary,
}

impl DecodeError {
    /// The wire error code for this failure.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::TooLarge { .. } => ErrorCode::FrameTooLarge,
            Self::Malformed(_) | Self::Binary => ErrorCode::MalformedFrame,
            Self::UnknownType(_) => ErrorCode::UnknownType,
        }
    }

    /// The error frame that answers this failure.
    pub fn to_frame(&self) -> ServerMsg {
        ServerMsg::error(self.code(), self.to_string())
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { size, limit } => {
                write!(
                    f,
                    "frame of {size} bytes is larger than the limit of {limit} bytes"
                )
            }
            Self::Malformed(reason) => write!(f, "malformed frame: {reason}"),
            Self::UnknownType(kind) => write!(f, "unknown frame type `{kind}`"),
            Self::Binary => f.write_str("binary frames are not accepted; send JSON text"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes one text frame, refusing frames over `limit` bytes.
pub fn decode<T: ClientFrame>(text: &str, limit: usize) -> Result<T, DecodeError> {
    if text.len() > limit {
        return Err(DecodeError::TooLarge {
            size: text.len(),
            limit,
        });
    }
    let frame: T = serde_json::from_str(text).map_err(|e| DecodeError::Malformed(e.to_string()))?;
    if frame.is_unknown() {
        return Err(DecodeError::UnknownType(type_name(text)));
    }
    Ok(frame)
}

/// The `type` field of a frame known to be a JSON object with a string `type`.
fn type_name(text: &str) -> String {
    #[derive(Deserialize)]
    struct TypeOnly {
        #[serde(rename = "type")]
        kind: String,
    }
    let mut name = serde_json::from_str::<TypeOnly>(text)
        .map(|t| t.kind)
        .unwrap_or_default();
    crate::limits::truncate_chars(&mut name, 64);
    name
}
