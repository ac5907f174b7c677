//! Read receipts: each side says how far its screen has shown the conversation; the other side
//! is told once per new high mark.

use super::{Hub, HubError};
use tandem_shared::{AdviserId, ConversationId, Role, ServerMsg};

impl Hub {
    /// The visitor's screen showed the conversation up to `seq`.
    pub async fn visitor_seen(&self, id: &ConversationId, seq: u64) -> Result<(), HubError> {
        self.seen(id, Role::Visitor, seq).await
    }

    /// The adviser's screen showed the conversation up to `seq` (a conversation they hold).
    pub async fn adviser_seen(
        &self,
        adviser: &AdviserId,
        id: &ConversationId,
        seq: u64,
    ) -> Result<(), HubError> {
        self.holder(adviser, id)?;
        self.seen(id, Role::Adviser, seq).await
    }

    /// Raises `role`'s mark to `seq` and tells the other side; a mark that is not higher, or
    /// beyond the last event, changes nothing and is not forwarded (so each message's receipt
    /// goes out once).
    async fn seen(&self, id: &ConversationId, role: Role, seq: u64) -> Result<(), HubError> {
        let raised = {
            let mut state = self.lock();
            let Some(live) = state.conversations.get_mut(id) else {
                return Err(HubError::NotFound("no such conversation"));
            };
            let mark = match role {
                Role::Visitor => &mut live.visitor_seen,
                _ => &mut live.adviser_seen,
            };
            let raised = seq > *mark && seq <= live.last_seq;
            if raised {
                *mark = seq;
                let frame = ServerMsg::Seen {
                    conversation_id: id.clone(),
                    role,
                    seq,
                };
                match role {
                    Role::Visitor => {
                        if let Some(adviser) = live.adviser.clone() {
                            state.send_to_adviser(&adviser, &frame);
                        }
                    }
                    _ => state.send_to_visitors(id, &frame),
                }
            }
            raised
        };
        if raised {
            self.store.save_seen(id, role, seq).await?;
        }
        Ok(())
    }
}
