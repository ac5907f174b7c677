//! Large co-browsing frames in parts: the relay checks that each part is the next one of the
//! visitor's frame, records the page a snapshot's first part names, and forwards the parts as
//! they come. It never puts them together, so no connection holds more than one part.

use super::{Hub, HubError};
use tandem_shared::cobrowse_parts::{FramePart, PartError};
use tandem_shared::limits::{FieldError, Problem};
use tandem_shared::{ConversationId, ServerMsg};

impl Hub {
    /// One part of a large snapshot or change batch from the visitor, relayed to the adviser.
    pub async fn cobrowse_part(
        &self,
        id: &ConversationId,
        part: FramePart,
    ) -> Result<(), HubError> {
        {
            let mut state = self.lock();
            let cobrowse = state.running_cobrowse(id)?;
            cobrowse.parts.accept(&part).map_err(|error| {
                HubError::Invalid(FieldError {
                    field: "part",
                    problem: match error {
                        PartError::TooLarge => Problem::TooLong,
                        PartError::OutOfOrder | PartError::Malformed => Problem::Invalid,
                    },
                })
            })?;
        }
        if let Some(url) = &part.page_url {
            self.note_page(id, url).await?;
        }
        self.to_holder(
            id,
            ServerMsg::CobrowsePart {
                conversation_id: id.clone(),
                part,
            },
        );
        Ok(())
    }
}
