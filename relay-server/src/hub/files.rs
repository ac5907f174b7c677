//! Files shared in a chat: stored first (HTTP upload), then announced as a numbered message
//! whose body is the file's name, so every transcript, replay and webhook carries it.

use super::{Hub, HubError};
use tandem_shared::files::SharedFile;
use tandem_shared::model::ConversationStatus;
use tandem_shared::{AdviserId, Author, ConversationId, EventKind, Role};

/// Who shares a file.
#[derive(Debug, Clone, Copy)]
pub enum Sharer<'a> {
    /// The visitor of the conversation (proved by its token).
    Visitor,
    /// The adviser holding the conversation.
    Adviser(&'a AdviserId),
}

impl Hub {
    /// The open conversation a visitor token belongs to; refused when forged or over.
    pub fn conversation_of_token(&self, token: &str) -> Result<ConversationId, HubError> {
        let id = self.tokens.verify(token).ok_or(HubError::Unauthorized)?;
        if self.is_open(&id) {
            Ok(id)
        } else {
            Err(HubError::NotFound("this conversation is over"))
        }
    }

    /// Checks that `sharer` may share a file in `id` now, and returns the author to show.
    pub fn file_author(&self, id: &ConversationId, sharer: Sharer<'_>) -> Result<Author, HubError> {
        let state = self.lock();
        let live = state
            .conversations
            .get(id)
            .filter(|live| live.status != ConversationStatus::Ended)
            .ok_or(HubError::NotFound("this conversation is over"))?;
        match sharer {
            Sharer::Visitor => Ok(Author {
                role: Role::Visitor,
                name: live.visitor_name.clone(),
            }),
            Sharer::Adviser(adviser) if live.adviser.as_ref() == Some(adviser) => Ok(Author {
                role: Role::Adviser,
                name: live.adviser_name.clone().unwrap_or_default(),
            }),
            Sharer::Adviser(_) => Err(HubError::Forbidden(
                "only the adviser holding this chat can share files in it",
            )),
        }
    }

    /// Announces a stored file in the conversation (a numbered message for both sides).
    pub async fn share_file(
        &self,
        id: &ConversationId,
        author: Author,
        file: SharedFile,
    ) -> Result<(), HubError> {
        let role = author.role;
        let kind = EventKind::Message {
            author,
            body: file.name.clone(),
            client_msg_id: None,
            file: Some(file),
        };
        self.append(id, kind, None).await?;
        self.telemetry.count_message(role.as_str());
        Ok(())
    }
}
