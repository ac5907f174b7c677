//! Co-browsing within a conversation: the adviser's invitation, the visitor's consent, the
//! page frames relayed to the adviser, the adviser's guidance relayed to the visitor, and the
//! session's record (start, end, pages, fields filled).
//!
//! Page frames are not numbered events: they are relayed as they come and a mirror that lost
//! track asks for a fresh snapshot. Start and end are numbered events, so both sides (and a
//! reloaded page) know whether a session runs.

use super::state::HubState;
use super::{Hub, HubError};
use crate::sites::origin_of_url;
use crate::store::Audit;
use crate::time::now_ms;
use tandem_shared::cobrowse::{Guidance, PageChanges, PageSnapshot, MAX_FIELD_NAME_CHARS};
use tandem_shared::limits::{truncate_chars, FieldError, Problem};
use tandem_shared::model::ConversationStatus;
use tandem_shared::{AdviserId, ConversationId, EventKind, Role, ServerMsg};

/// A co-browsing session in progress.
#[derive(Debug)]
pub(crate) struct CobrowseLive {
    /// Its row in the CRM store.
    pub session: i64,
    /// The visitor lets the adviser fill in fields.
    pub control: bool,
    /// The last page recorded.
    pub last_url: Option<String>,
    /// Where the visitor is in sending a large frame in parts.
    pub parts: tandem_shared::cobrowse_parts::PartOrder,
}

impl HubState {
    /// The co-browsing session running in a conversation, or an error when none runs.
    pub(super) fn running_cobrowse(
        &mut self,
        id: &ConversationId,
    ) -> Result<&mut CobrowseLive, HubError> {
        self.conversations
            .get_mut(id)
            .and_then(|live| live.cobrowse.as_mut())
            .ok_or(HubError::Conflict("co-browsing is not running"))
    }
}

impl Hub {
    /// The adviser asks to see the visitor's page: the visitor's widget shows the invitation.
    pub async fn cobrowse_request(
        &self,
        adviser: &AdviserId,
        id: &ConversationId,
    ) -> Result<(), HubError> {
        let (name, status) = self.holder(adviser, id)?;
        if status != ConversationStatus::Active {
            return Err(HubError::Conflict("co-browsing needs a chat in progress"));
        }
        {
            let mut state = self.lock();
            let live = state
                .conversations
                .get_mut(id)
                .ok_or(HubError::NotFound("no such conversation in progress"))?;
            if live.cobrowse.is_some() {
                return Err(HubError::Conflict("co-browsing is already running"));
            }
            if live.visitors.is_empty() {
                return Err(HubError::Conflict(
                    "the visitor's page is not open now; ask again when they are back",
                ));
            }
            live.cobrowse_invited = true;
            state.send_to_visitors(
                id,
                &ServerMsg::CobrowseInvite {
                    conversation_id: id.clone(),
                    adviser: name,
                },
            );
        }
        let actor = self.actor(adviser);
        let audit = Audit::of(&actor, "cobrowse.requested", "conversation", id.as_str());
        self.store.audit(&audit, now_ms()).await?;
        Ok(())
    }

    /// The visitor answers the invitation. Accepting starts the session (a numbered event);
    /// declining tells the adviser.
    pub async fn cobrowse_answer(
        &self,
        id: &ConversationId,
        accepted: bool,
    ) -> Result<(), HubError> {
        {
            let mut state = self.lock();
            let live = state
                .conversations
                .get_mut(id)
                .ok_or(HubError::NotFound("no such conversation in progress"))?;
            if !std::mem::take(&mut live.cobrowse_invited) || live.cobrowse.is_some() {
                return Err(HubError::Conflict(
                    "there is no co-browsing invitation to answer",
                ));
            }
            if !accepted {
                let declined = ServerMsg::CobrowseDeclined {
                    conversation_id: id.clone(),
                };
                if let Some(adviser) = live.adviser.clone() {
                    state.send_to_adviser(&adviser, &declined);
                }
                return Ok(());
            }
        }
        let actor = self.holder_actor(id);
        let audit = Audit::of(&actor, "cobrowse.started", "conversation", id.as_str());
        let session = self.store.start_cobrowse(id, &audit, now_ms()).await?;
        if let Some(live) = self.lock().conversations.get_mut(id) {
            live.cobrowse = Some(CobrowseLive {
                session,
                control: false,
                last_url: None,
                parts: Default::default(),
            });
        }
        self.append(id, EventKind::CobrowseStarted, None).await?;
        tracing::info!(conversation = %id.as_str(), "co-browsing started");
        Ok(())
    }

    /// The adviser holding a chat, as the audit trail names them (co-browsing starts and fills
    /// happen on the visitor's side, on that adviser's behalf).
    fn holder_actor(&self, id: &ConversationId) -> crate::store::Actor {
        let holder = self
            .lock()
            .conversations
            .get(id)
            .and_then(|c| c.adviser.clone());
        match &holder {
            Some(adviser) => self.actor(adviser),
            None => crate::store::Actor::command_line(),
        }
    }

    /// The session's row, or an error when none runs.
    fn cobrowse_session(&self, id: &ConversationId) -> Result<i64, HubError> {
        self.lock().running_cobrowse(id).map(|c| c.session)
    }

    /// A snapshot of the visitor's page: recorded as a page seen when its address is new,
    /// and relayed to the adviser.
    pub async fn cobrowse_snapshot(
        &self,
        id: &ConversationId,
        snapshot: Box<PageSnapshot>,
    ) -> Result<(), HubError> {
        self.note_page(id, &snapshot.url).await?;
        self.to_holder(
            id,
            ServerMsg::CobrowseSnapshot {
                conversation_id: id.clone(),
                snapshot,
            },
        );
        Ok(())
    }

    /// Records the page the visitor shows, when it is not the one recorded last.
    pub(super) async fn note_page(&self, id: &ConversationId, url: &str) -> Result<(), HubError> {
        let mut url = url.to_owned();
        truncate_chars(&mut url, tandem_shared::limits::MAX_URL_CHARS);
        let new_page_of = {
            let mut state = self.lock();
            let cobrowse = state.running_cobrowse(id)?;
            let new_page = cobrowse.last_url.as_deref() != Some(url.as_str());
            cobrowse.last_url = Some(url.clone());
            new_page.then_some(cobrowse.session)
        };
        if let Some(session) = new_page_of {
            self.store
                .add_cobrowse_page(session, &url, now_ms())
                .await?;
        }
        Ok(())
    }

    /// Changes on the visitor's page, relayed to the adviser.
    pub fn cobrowse_changes(
        &self,
        id: &ConversationId,
        changes: PageChanges,
    ) -> Result<(), HubError> {
        if changes.changes.len() > tandem_shared::cobrowse::MAX_CHANGES_PER_BATCH {
            return Err(HubError::Invalid(FieldError {
                field: "changes",
                problem: Problem::TooLong,
            }));
        }
        self.cobrowse_session(id)?;
        self.to_holder(
            id,
            ServerMsg::CobrowseChanges {
                conversation_id: id.clone(),
                changes,
            },
        );
        Ok(())
    }

    /// The visitor gives or takes back the permission to fill in fields.
    pub fn cobrowse_control(&self, id: &ConversationId, granted: bool) -> Result<(), HubError> {
        let mut state = self.lock();
        let live = state
            .conversations
            .get_mut(id)
            .ok_or(HubError::NotFound("no such conversation in progress"))?;
        let cobrowse = live
            .cobrowse
            .as_mut()
            .ok_or(HubError::Conflict("co-browsing is not running"))?;
        cobrowse.control = granted;
        if let Some(adviser) = live.adviser.clone() {
            state.send_to_adviser(
                &adviser,
                &ServerMsg::CobrowseControl {
                    conversation_id: id.clone(),
                    granted,
                },
            );
        }
        Ok(())
    }

    /// The visitor's widget applied a fill: the field's name goes to the record.
    pub async fn cobrowse_filled(
        &self,
        id: &ConversationId,
        field: String,
    ) -> Result<(), HubError> {
        let mut field = field.trim().to_owned();
        if field.is_empty() {
            return Err(HubError::Invalid(FieldError {
                field: "field",
                problem: Problem::Required,
            }));
        }
        truncate_chars(&mut field, MAX_FIELD_NAME_CHARS);
        let session = self.cobrowse_session(id)?;
        let actor = self.holder_actor(id);
        // The field's name, never its value.
        let audit = Audit::of(&actor, "cobrowse.field_filled", "conversation", id.as_str())
            .with_detail(field.clone());
        self.store
            .add_cobrowse_field(session, &field, &audit, now_ms())
            .await?;
        self.to_holder(
            id,
            ServerMsg::CobrowseFilled {
                conversation_id: id.clone(),
                field,
            },
        );
        Ok(())
    }

    /// Stops the session at the visitor's or the adviser's request (both sides see it at
    /// once, as a numbered event).
    pub async fn cobrowse_stop(&self, id: &ConversationId, by: Role) -> Result<(), HubError> {
        if self.finish_cobrowse(id, by).await? {
            Ok(())
        } else {
            Err(HubError::Conflict("co-browsing is not running"))
        }
    }

    /// Ends the session if one runs (the chat ends, or is handed over); true if one ran.
    pub(super) async fn finish_cobrowse(
        &self,
        id: &ConversationId,
        by: Role,
    ) -> Result<bool, HubError> {
        let running = self.lock().conversations.get_mut(id).and_then(|live| {
            live.cobrowse_invited = false;
            live.cobrowse.take()
        });
        let Some(running) = running else {
            return Ok(false);
        };
        self.store
            .end_cobrowse(running.session, by, now_ms())
            .await?;
        self.append(id, EventKind::CobrowseEnded { by }, None)
            .await?;
        tracing::info!(conversation = %id.as_str(), by = by.as_str(), "co-browsing ended");
        Ok(true)
    }

    /// The adviser's guidance, relayed to the visitor's page. Filling in needs the visitor's
    /// permission.
    pub fn cobrowse_guide(
        &self,
        adviser: &AdviserId,
        id: &ConversationId,
        guidance: Guidance,
    ) -> Result<(), HubError> {
        self.holder(adviser, id)?;
        let guidance = guidance.validated().map_err(HubError::Invalid)?;
        let mut state = self.lock();
        let cobrowse = state.running_cobrowse(id)?;
        let control = cobrowse.control;
        if let Guidance::Navigate { url } = &guidance {
            // Only to another page of the site the visitor shows: the relay, not only the
            // widget, refuses to send the visitor elsewhere.
            let shown = cobrowse.last_url.as_deref().and_then(origin_of_url);
            if shown.is_none() || shown != origin_of_url(url) {
                return Err(HubError::Invalid(FieldError {
                    field: "url",
                    problem: Problem::Invalid,
                }));
            }
        }
        if guidance.needs_control() && !control {
            return Err(HubError::Forbidden(
                "the visitor has not allowed you to fill in fields",
            ));
        }
        state.send_to_visitors(
            id,
            &ServerMsg::CobrowseGuide {
                conversation_id: id.clone(),
                guidance,
            },
        );
        Ok(())
    }

    /// Asks the visitor's page for a fresh snapshot (a mirror joined late or lost track).
    pub fn cobrowse_resync(
        &self,
        adviser: &AdviserId,
        id: &ConversationId,
    ) -> Result<(), HubError> {
        self.holder(adviser, id)?;
        self.cobrowse_session(id)?;
        self.lock().send_to_visitors(
            id,
            &ServerMsg::CobrowseResync {
                conversation_id: id.clone(),
            },
        );
        Ok(())
    }

    /// Whether a session runs in this conversation.
    pub(super) fn cobrowse_running(&self, id: &ConversationId) -> bool {
        self.lock()
            .conversations
            .get(id)
            .is_some_and(|live| live.cobrowse.is_some())
    }

    /// Sends a frame to the adviser who holds the conversation.
    pub(super) fn to_holder(&self, id: &ConversationId, frame: ServerMsg) {
        let state = self.lock();
        if let Some(adviser) = state.conversations.get(id).and_then(|l| l.adviser.clone()) {
            state.send_to_adviser(&adviser, &frame);
        }
    }
}
