//! An adviser's console session: presence, taking chats, messages, typing, ending and
//! wrap-up; each decoded frame becomes a hub call. Transport-free, like the visitor's.

use super::Session;
use crate::hub::{Hub, HubError, Peer};
use crate::store::AdviserRow;
use std::sync::Arc;
use tandem_shared::access::AdviserRole;
use tandem_shared::limits::{validate_body, validate_client_msg_id, validate_note};
use tandem_shared::{AdviserMsg, ErrorCode, PROTOCOL_VERSION};

/// The least role that may send a frame (docs/roles.md lists them; the relay's tests walk
/// that table).
pub fn needed_role(frame: &AdviserMsg) -> AdviserRole {
    match frame {
        AdviserMsg::Watch { .. }
        | AdviserMsg::Unwatch { .. }
        | AdviserMsg::Whisper { .. }
        | AdviserMsg::TakeOver { .. }
        | AdviserMsg::Reassign { .. } => AdviserRole::Supervisor,
        AdviserMsg::Hello { .. }
        | AdviserMsg::SetPresence { .. }
        | AdviserMsg::Take { .. }
        | AdviserMsg::Send { .. }
        | AdviserMsg::Typing { .. }
        | AdviserMsg::Seen { .. }
        | AdviserMsg::Sync { .. }
        | AdviserMsg::EndChat { .. }
        | AdviserMsg::WrapUp { .. }
        | AdviserMsg::Transfer { .. }
        | AdviserMsg::AddNote { .. }
        | AdviserMsg::AskColleague { .. }
        | AdviserMsg::CobrowseRequest { .. }
        | AdviserMsg::CobrowseGuide { .. }
        | AdviserMsg::CobrowseResync { .. }
        | AdviserMsg::CobrowseStop { .. }
        | AdviserMsg::JoinByCode { .. }
        | AdviserMsg::Unknown => AdviserRole::Adviser,
    }
}

/// The session of `adviser`'s console connection, served by `hub`; replies go to `peer`.
/// `address` is where the console connected from (the audit trail records it).
pub(crate) fn session(
    hub: Arc<Hub>,
    peer: Peer,
    adviser: AdviserRow,
    address: Option<std::net::IpAddr>,
) -> AdviserSession {
    AdviserSession {
        hub,
        peer,
        adviser,
        address,
        greeted: false,
    }
}

/// One console connection's state.
pub(crate) struct AdviserSession {
    hub: Arc<Hub>,
    peer: Peer,
    adviser: AdviserRow,
    address: Option<std::net::IpAddr>,
    greeted: bool,
}

impl AdviserSession {
    async fn handle(&mut self, frame: AdviserMsg) -> Result<(), HubError> {
        let me = self.adviser.profile().id;
        if !self.adviser.role().includes(needed_role(&frame)) {
            return Err(HubError::Forbidden(
                "your role does not allow this (docs/roles.md)",
            ));
        }
        match frame {
            AdviserMsg::Hello { .. } | AdviserMsg::Unknown => Ok(()),
            AdviserMsg::SetPresence { presence } => self.hub.set_presence(&me, presence).await,
            AdviserMsg::Take { conversation_id } => self.hub.take(&me, &conversation_id).await,
            AdviserMsg::Send {
                conversation_id,
                client_msg_id,
                body,
            } => {
                validate_client_msg_id(&client_msg_id).map_err(HubError::Invalid)?;
                let body = validate_body(&body).map_err(HubError::Invalid)?;
                self.hub
                    .adviser_send(&me, &conversation_id, client_msg_id, body, &self.peer)
                    .await
            }
            AdviserMsg::Typing {
                conversation_id,
                active,
            } => self.hub.adviser_typing(&me, &conversation_id, active),
            AdviserMsg::Seen {
                conversation_id,
                seq,
            } => self.hub.adviser_seen(&me, &conversation_id, seq).await,
            AdviserMsg::Sync {
                conversation_id,
                after_seq,
            } => {
                self.hub
                    .sync(&me, &conversation_id, after_seq, &self.peer)
                    .await
            }
            AdviserMsg::EndChat { conversation_id } => {
                self.hub.adviser_end(&me, &conversation_id).await
            }
            AdviserMsg::WrapUp {
                conversation_id,
                wrap_up,
            } => {
                let wrap_up = wrap_up.validated().map_err(HubError::Invalid)?;
                self.hub.wrap_up(&me, &conversation_id, &wrap_up).await
            }
            AdviserMsg::Transfer {
                conversation_id,
                target,
                note,
            } => {
                let target = target.validated().map_err(HubError::Invalid)?;
                let note = validate_note(&note).map_err(HubError::Invalid)?;
                self.hub
                    .transfer(&me, &conversation_id, &target, &note)
                    .await
            }
            AdviserMsg::AddNote {
                conversation_id,
                body,
            } => {
                let body = validate_note(&body).map_err(HubError::Invalid)?;
                self.hub.add_note(&me, &conversation_id, body).await
            }
            AdviserMsg::CobrowseRequest { conversation_id } => {
                self.hub.cobrowse_request(&me, &conversation_id).await
            }
            AdviserMsg::CobrowseGuide {
                conversation_id,
                guidance,
            } => self.hub.cobrowse_guide(&me, &conversation_id, guidance),
            AdviserMsg::CobrowseResync { conversation_id } => {
                self.hub.cobrowse_resync(&me, &conversation_id)
            }
            AdviserMsg::CobrowseStop { conversation_id } => {
                self.hub.holder(&me, &conversation_id)?;
                self.hub
                    .cobrowse_stop(&conversation_id, tandem_shared::Role::Adviser)
                    .await
            }
            AdviserMsg::JoinByCode { code } => self.hub.join_by_code(&me, &code).await,
            AdviserMsg::Watch { conversation_id } => {
                self.hub.watch(&me, &conversation_id, &self.peer).await
            }
            AdviserMsg::Unwatch { conversation_id } => {
                self.hub.unwatch(&conversation_id, &self.peer);
                Ok(())
            }
            AdviserMsg::Whisper {
                conversation_id,
                body,
            } => {
                let body = validate_note(&body).map_err(HubError::Invalid)?;
                self.hub.whisper(&me, &conversation_id, body).await
            }
            AdviserMsg::TakeOver { conversation_id } => {
                self.hub.take_over(&me, &conversation_id).await
            }
            AdviserMsg::Reassign {
                conversation_id,
                target,
            } => self.hub.reassign(&me, &conversation_id, &target).await,
            AdviserMsg::AskColleague {
                to,
                conversation_id,
                body,
            } => {
                let body = validate_note(&body).map_err(HubError::Invalid)?;
                self.hub.ask_colleague(&me, &to, conversation_id, body)
            }
        }
    }

    async fn hello(&mut self, protocol: u32) -> Result<(), HubError> {
        if protocol != PROTOCOL_VERSION {
            let message = format!(
                "this relay speaks protocol {PROTOCOL_VERSION}, not {protocol}; reload the console"
            );
            return Err(HubError::Protocol(ErrorCode::ProtocolVersion, message));
        }
        if self.greeted {
            return Err(HubError::Conflict(
                "hello was already sent on this connection",
            ));
        }
        self.greeted = true;
        let saved_capacity = u8::try_from(self.adviser.max_chats).unwrap_or(1);
        self.hub
            .attach_adviser(
                self.adviser.profile(),
                saved_capacity,
                &self.peer,
                self.address,
            )
            .await
    }
}

impl Session for AdviserSession {
    type Frame = AdviserMsg;

    async fn on_frame(&mut self, frame: AdviserMsg) {
        let outcome = match frame {
            AdviserMsg::Hello { protocol } => self.hello(protocol).await,
            _ if !self.greeted => Err(HubError::Protocol(
                ErrorCode::HelloRequired,
                "send hello first".into(),
            )),
            frame => self.handle(frame).await,
        };
        if let Err(error) = outcome {
            self.peer.send(error.to_frame());
        }
    }

    async fn on_close(&mut self) {
        if self.greeted {
            self.hub
                .detach_adviser(&self.adviser.profile().id, &self.peer);
        }
    }
}
