//! The controller: the console's socket, the desk signal, and the adviser's actions.

use crate::cobrowse::CobrowseDesk;
use crate::model::{Attention, Desk, Effect, Pending};
use leptos::prelude::*;
use tandem_shared::cobrowse::Guidance;
use tandem_shared::desk::TransferTarget;
use tandem_shared::model::{Channel, Presence, WrapUp};
use tandem_shared::PROTOCOL_VERSION;
use tandem_shared::{AdviserFrame, AdviserId, AdviserMsg, ConversationId, EventKind};
use web_client::browser::{after, unique_id};
use web_client::socket::Handlers;
use web_client::{ConnState, Socket};

/// The console's connection to the relay; a cheap `Copy` handle for the components.
#[derive(Clone, Copy)]
pub struct DeskHandle {
    /// Everything the console shows.
    pub desk: RwSignal<Desk>,
    /// The connection's state.
    pub conn: RwSignal<ConnState>,
    socket: StoredValue<Option<Socket>, LocalStorage>,
    /// The conversation the adviser told the visitor they are typing in, and a keystroke count.
    typing: StoredValue<(Option<ConversationId>, u32)>,
    /// Co-browsing sessions and their mirrors.
    pub cobrowse: CobrowseDesk,
    /// The latest thing that should call the adviser's attention (see `ui::attention`).
    pub attention: RwSignal<Option<Attention>>,
    /// For each conversation, the highest event number this screen said it showed.
    seen_sent: StoredValue<Vec<(ConversationId, u64)>>,
}

impl DeskHandle {
    /// Connects to the relay (the login cookie authenticates the upgrade).
    pub fn connect() -> DeskHandle {
        let handle = DeskHandle {
            desk: RwSignal::new(Desk::default()),
            conn: RwSignal::new(ConnState::Connecting),
            socket: StoredValue::new_local(None),
            typing: StoredValue::new((None, 0)),
            cobrowse: CobrowseDesk::default(),
            attention: RwSignal::new(None),
            seen_sent: StoredValue::new(Vec::new()),
        };
        let location = web_sys::window().map(|w| w.location());
        let host = location
            .as_ref()
            .and_then(|l| l.host().ok())
            .unwrap_or_default();
        let secure = location
            .and_then(|l| l.protocol().ok())
            .is_some_and(|p| p == "https:");
        let url = format!("{}://{host}/ws/adviser", if secure { "wss" } else { "ws" });
        let handlers = Handlers {
            on_open: Box::new(move |socket| {
                socket.send(&AdviserMsg::Hello {
                    protocol: PROTOCOL_VERSION,
                });
                for (conversation_id, pending) in handle.desk.with_untracked(|d| {
                    d.chats
                        .iter()
                        .flat_map(|c| c.pending.iter().map(|p| (c.detail.id.clone(), p.clone())))
                        .collect::<Vec<_>>()
                }) {
                    socket.send(&AdviserMsg::Send {
                        conversation_id,
                        client_msg_id: pending.client_msg_id,
                        body: pending.body,
                    });
                }
                // The relay forgets what a closed console watched: ask again.
                for conversation_id in handle.desk.with_untracked(|d| {
                    d.chats
                        .iter()
                        .filter(|c| c.watching)
                        .map(|c| c.detail.id.clone())
                        .collect::<Vec<_>>()
                }) {
                    socket.send(&AdviserMsg::Watch { conversation_id });
                }
            }),
            on_frame: Box::new(move |frame| {
                if let AdviserFrame::CobrowsePart {
                    conversation_id,
                    part,
                } = &frame
                {
                    if !handle.cobrowse.on_part(conversation_id, part) {
                        handle.cobrowse_resync(conversation_id.clone());
                    }
                    return;
                }
                if handle.cobrowse.on_frame(&frame) {
                    return;
                }
                if let AdviserFrame::Event {
                    conversation_id,
                    event,
                } = &frame
                {
                    if matches!(
                        event.kind,
                        EventKind::CobrowseStarted | EventKind::CobrowseEnded { .. }
                    ) {
                        handle.cobrowse.ended(conversation_id);
                    }
                }
                if let AdviserFrame::Assigned { conversation } = &frame {
                    // Joined by a caller's code: the relay asked the visitor's consent at once.
                    let fresh = handle
                        .desk
                        .with_untracked(|d| d.chat(&conversation.id).is_none());
                    if fresh && conversation.channel == Channel::Phone {
                        handle.cobrowse.asked(&conversation.id);
                    }
                }
                match handle.desk.try_update(|d| d.apply(frame)).flatten() {
                    Some(Effect::Sync {
                        conversation_id,
                        after_seq,
                    }) => {
                        handle.send(&AdviserMsg::Sync {
                            conversation_id,
                            after_seq,
                        });
                    }
                    Some(Effect::RestorePresence { presence }) => handle.set_presence(presence),
                    Some(Effect::Attention(attention)) => handle.attention.set(Some(attention)),
                    None => {}
                }
            }),
            on_state: Box::new(move |state| handle.conn.set(state)),
        };
        handle
            .socket
            .set_value(Some(Socket::connect(&url, handlers)));
        handle
    }

    fn send(&self, frame: &AdviserMsg) -> bool {
        self.socket
            .with_value(|socket| socket.as_ref().is_some_and(|s| s.send(frame)))
    }

    /// Changes availability or capacity; said again when the relay next greets the console
    /// if the socket is not open now, until the relay confirms it.
    pub fn set_presence(&self, presence: Presence) {
        self.desk
            .update(|desk| desk.chosen_presence = Some(presence));
        self.send(&AdviserMsg::SetPresence { presence });
    }

    /// Joins the caller who reads out this share code.
    pub fn join_by_code(&self, code: String) {
        self.desk.update(|d| d.error = None);
        self.send(&AdviserMsg::JoinByCode { code });
    }

    /// Takes a waiting visitor.
    pub fn take(&self, conversation_id: ConversationId) {
        self.send(&AdviserMsg::Take { conversation_id });
    }

    /// Sends a message; pending until the relay confirms it.
    pub fn say(&self, conversation_id: ConversationId, body: String) {
        let pending = Pending {
            client_msg_id: unique_id(),
            body,
        };
        let frame = AdviserMsg::Send {
            conversation_id: conversation_id.clone(),
            client_msg_id: pending.client_msg_id.clone(),
            body: pending.body.clone(),
        };
        self.desk.update(|d| {
            if let Some(chat) = d.chats.iter_mut().find(|c| c.detail.id == conversation_id) {
                chat.pending.push(pending);
            }
        });
        self.send(&frame);
        self.stop_typing();
    }

    /// The adviser typed in a chat: tell the visitor, and again when typing stops for 3 s.
    pub fn typed(&self, conversation_id: ConversationId) {
        let (current, count) = self.typing.get_value();
        if current.as_ref() != Some(&conversation_id) {
            self.stop_typing();
            self.send(&AdviserMsg::Typing {
                conversation_id: conversation_id.clone(),
                active: true,
            });
        }
        let seen = count.wrapping_add(1);
        self.typing.set_value((Some(conversation_id), seen));
        let handle = *self;
        after(3000, move || {
            if handle.typing.get_value().1 == seen {
                handle.stop_typing();
            }
        });
    }

    fn stop_typing(&self) {
        let (current, count) = self.typing.get_value();
        if let Some(conversation_id) = current {
            self.typing.set_value((None, count.wrapping_add(1)));
            self.send(&AdviserMsg::Typing {
                conversation_id,
                active: false,
            });
        }
    }

    /// The adviser's screen shows the conversation up to `seq`: the visitor is told once.
    pub fn saw(&self, conversation_id: &ConversationId, seq: u64) {
        let sent = self.seen_sent.with_value(|sent| {
            sent.iter()
                .find(|(id, _)| id == conversation_id)
                .map_or(0, |(_, seq)| *seq)
        });
        if seq <= sent
            || !self.send(&AdviserMsg::Seen {
                conversation_id: conversation_id.clone(),
                seq,
            })
        {
            return;
        }
        self.seen_sent.update_value(|sent| {
            sent.retain(|(id, _)| id != conversation_id);
            sent.push((conversation_id.clone(), seq));
        });
    }

    /// Ends a chat.
    pub fn end(&self, conversation_id: ConversationId) {
        self.send(&AdviserMsg::EndChat { conversation_id });
    }

    /// Records the wrap-up of an ended chat.
    pub fn wrap_up(&self, conversation_id: ConversationId, wrap_up: WrapUp) {
        self.send(&AdviserMsg::WrapUp {
            conversation_id,
            wrap_up,
        });
    }

    /// Hands a chat over to a queue, a level or a colleague, with a note.
    pub fn transfer(&self, conversation_id: ConversationId, target: TransferTarget, note: String) {
        self.send(&AdviserMsg::Transfer {
            conversation_id,
            target,
            note,
        });
    }

    /// Adds a note only advisers see: to a chat held, or as a whisper to a chat watched.
    pub fn add_note(&self, conversation_id: ConversationId, body: String) {
        let watching = self
            .desk
            .with_untracked(|d| d.chat(&conversation_id).is_some_and(|c| c.watching));
        if watching {
            self.send(&AdviserMsg::Whisper {
                conversation_id,
                body,
            });
        } else {
            self.send(&AdviserMsg::AddNote {
                conversation_id,
                body,
            });
        }
    }

    /// Watches a chat another adviser holds (supervisors).
    pub fn watch(&self, conversation_id: ConversationId) {
        self.desk.update(|d| d.error = None);
        self.send(&AdviserMsg::Watch { conversation_id });
    }

    /// Stops watching a chat.
    pub fn unwatch(&self, conversation_id: ConversationId) {
        self.desk.update(|d| d.unwatch(&conversation_id));
        self.send(&AdviserMsg::Unwatch { conversation_id });
    }

    /// Moves a watched chat from its adviser to a colleague, a queue or a level.
    pub fn reassign(&self, conversation_id: ConversationId, target: TransferTarget) {
        self.send(&AdviserMsg::Reassign {
            conversation_id,
            target,
        });
    }

    /// Takes a watched chat over from its adviser.
    pub fn take_over(&self, conversation_id: ConversationId) {
        self.send(&AdviserMsg::TakeOver { conversation_id });
    }

    /// Writes to a colleague.
    pub fn ask(&self, to: AdviserId, conversation_id: Option<ConversationId>, body: String) {
        self.send(&AdviserMsg::AskColleague {
            to,
            conversation_id,
            body,
        });
    }

    /// Asks the visitor to share their page.
    pub fn cobrowse_request(&self, conversation_id: ConversationId) {
        self.cobrowse.asked(&conversation_id);
        self.send(&AdviserMsg::CobrowseRequest { conversation_id });
    }

    /// Guides the visitor on their page.
    pub fn cobrowse_guide(&self, conversation_id: ConversationId, guidance: Guidance) {
        self.send(&AdviserMsg::CobrowseGuide {
            conversation_id,
            guidance,
        });
    }

    /// Asks the visitor's page for a fresh snapshot.
    pub fn cobrowse_resync(&self, conversation_id: ConversationId) {
        self.send(&AdviserMsg::CobrowseResync { conversation_id });
    }

    /// Stops co-browsing.
    pub fn cobrowse_stop(&self, conversation_id: ConversationId) {
        self.send(&AdviserMsg::CobrowseStop { conversation_id });
    }

    /// Closes the socket (on logout).
    pub fn disconnect(&self) {
        self.socket.with_value(|socket| {
            if let Some(socket) = socket {
                socket.close();
            }
        });
    }
}
