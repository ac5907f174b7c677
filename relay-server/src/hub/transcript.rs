//! The transcript a visitor asks for by email once the chat is over: sent once per
//! conversation, to the address typed in its pre-chat form.

use super::{Hub, HubError};
use crate::time::now_ms;
use tandem_shared::model::ConversationStatus;
use tandem_shared::{ConversationEvent, ConversationId};

/// A transcript claimed for emailing.
#[derive(Debug)]
pub struct TranscriptToSend {
    /// The conversation.
    pub id: ConversationId,
    /// Where it goes.
    pub email: String,
    /// The visitor's name.
    pub visitor_name: String,
    /// The visitor's language.
    pub locale: Option<String>,
    /// Every event, in order.
    pub events: Vec<ConversationEvent>,
}

impl Hub {
    /// Claims the transcript email of the ended conversation behind `token` (on `site`):
    /// refused while it runs, without an email address, or when it was sent already.
    pub async fn claim_transcript(
        &self,
        token: &str,
        site: &str,
    ) -> Result<TranscriptToSend, HubError> {
        let (id, row) = self.conversation_of_site(token, site).await?;
        if row.status()? != ConversationStatus::Ended {
            return Err(HubError::Conflict(
                "the transcript is sent once the chat is over",
            ));
        }
        let address = self
            .store
            .transcript_address(&id)
            .await?
            .ok_or(HubError::NotFound("no such conversation"))?;
        let email = address.visitor_email.ok_or(HubError::Conflict(
            "no email address was given for this chat",
        ))?;
        if !self.store.claim_transcript_email(&id, now_ms()).await? {
            return Err(HubError::Conflict("the transcript was already emailed"));
        }
        Ok(TranscriptToSend {
            events: self.store.events_after(&id, 0).await?,
            id,
            email,
            visitor_name: row.visitor_name,
            locale: row.locale,
        })
    }

    /// Gives a claimed transcript email back after it failed (the visitor may try again).
    pub async fn release_transcript(&self, id: &ConversationId) {
        if let Err(error) = self.store.release_transcript_email(id).await {
            tracing::warn!(%error, conversation = %id, "could not release the transcript email");
        }
    }
}
