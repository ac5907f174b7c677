//! A hub on a temporary SQLite file, with in-memory peers instead of sockets: what a client
//! would receive is read from its peer's outbox.

use std::sync::Arc;
use std::time::Duration;
use tandem_relay::auth::visitor_token::VisitorTokens;
use tandem_relay::hub::{Delivery, Hub, Peer, PeerInbox};
use tandem_relay::store::{NewAdviser, Store, StoreLocation};
use tandem_shared::model::{ChatRequest, Presence};
use tandem_shared::{AdviserId, ConversationId, ServerMsg};

/// How long a client waits for a frame before the test fails.
const FRAME_WAIT: Duration = Duration::from_secs(5);

/// A hub and its store, alive as long as this value.
pub struct Bench {
    /// The hub under test.
    pub hub: Arc<Hub>,
    /// Its CRM store.
    pub store: Store,
    _dir: tempfile::TempDir,
}

/// One connection as the hub sees it, and what it was sent.
pub struct Client {
    /// The hub's handle on the connection.
    pub peer: Peer,
    inbox: PeerInbox,
}

impl Client {
    /// A new in-memory connection.
    pub fn new() -> Client {
        let (peer, inbox) = Peer::new();
        Client { peer, inbox }
    }

    /// The next frame `wanted` accepts, skipping the others; fails after a few seconds.
    pub async fn next_where(
        &mut self,
        what: &str,
        wanted: impl Fn(&ServerMsg) -> bool,
    ) -> anyhow::Result<ServerMsg> {
        let mut frames = self.frames_until(what, wanted).await?;
        frames
            .pop()
            .ok_or_else(|| anyhow::anyhow!("no frame for {what}"))
    }

    /// Every frame up to and including the first one `last` accepts.
    pub async fn frames_until(
        &mut self,
        what: &str,
        last: impl Fn(&ServerMsg) -> bool,
    ) -> anyhow::Result<Vec<ServerMsg>> {
        let mut frames = Vec::new();
        loop {
            let delivery = tokio::time::timeout(FRAME_WAIT, self.inbox.next())
                .await
                .map_err(|_| anyhow::anyhow!("waited {FRAME_WAIT:?} for {what}"))?;
            match delivery {
                Delivery::Frame(frame) => {
                    let message: ServerMsg = serde_json::from_str(frame.text().as_str())?;
                    let done = last(&message);
                    frames.push(message);
                    if done {
                        return Ok(frames);
                    }
                }
                Delivery::Close(reason) => anyhow::bail!("closed ({reason:?}) before {what}"),
            }
        }
    }

    /// Whether any frame `unwanted` accepts arrives within `within` (other frames are read).
    pub async fn receives_within(
        &mut self,
        within: Duration,
        unwanted: impl Fn(&ServerMsg) -> bool,
    ) -> bool {
        tokio::time::timeout(within, self.next_where("", unwanted))
            .await
            .is_ok_and(|found| found.is_ok())
    }
}

/// A console attached to the hub.
pub struct Console {
    /// The adviser.
    pub id: AdviserId,
    /// Their connection.
    pub client: Client,
}

impl Console {
    /// Goes available for `max_chats` chats at once.
    pub async fn available(&self, bench: &Bench, max_chats: u8) -> anyhow::Result<()> {
        let presence = Presence {
            available: true,
            max_chats,
        };
        bench.hub.set_presence(&self.id, presence).await?;
        Ok(())
    }

    /// The next chat the hub gives this adviser.
    pub async fn next_assigned(&mut self) -> anyhow::Result<ConversationId> {
        match self
            .client
            .next_where("an assigned chat", |m| {
                matches!(m, ServerMsg::Assigned { .. })
            })
            .await?
        {
            ServerMsg::Assigned { conversation } => Ok(conversation.id),
            _ => anyhow::bail!("not an assignment"),
        }
    }
}

/// A visitor with a chat started.
pub struct Visitor {
    /// Their conversation.
    pub id: ConversationId,
    /// The token that resumes it.
    pub token: String,
    /// Their connection.
    pub client: Client,
}

/// A valid pre-chat request.
pub fn request(name: &str, email: &str) -> ChatRequest {
    ChatRequest {
        name: name.into(),
        email: Some(email.into()),
        reason: "A question".into(),
        page_url: Some("https://example.com/".into()),
        locale: Some("fr".into()),
        ..Default::default()
    }
}

impl Bench {
    /// A hub on a new SQLite file (the `general` queue, no adviser).
    pub async fn new() -> anyhow::Result<Bench> {
        let dir = tempfile::tempdir()?;
        let store = Store::connect(&StoreLocation::Sqlite(dir.path().join("hub.db"))).await?;
        let tokens = VisitorTokens::new(b"hub tests".to_vec());
        let hub = Hub::restore(store.clone(), tokens, 100).await?;
        Ok(Bench {
            hub,
            store,
            _dir: dir,
        })
    }

    /// An adviser account at `level`, its console attached (away at first).
    pub async fn console(&self, login: &str, level: u8) -> anyhow::Result<Console> {
        let adviser = NewAdviser {
            login,
            display_name: login,
            password_hash: "not used here",
            role: tandem_shared::access::AdviserRole::Adviser,
        };
        let actor = tandem_relay::store::Actor::command_line();
        let id = self.store.upsert_adviser(adviser, &actor, 1).await?.id;
        self.store.set_adviser_service(&id, level, &[]).await?;
        let row = self
            .store
            .adviser(&id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the adviser was not saved"))?;
        let client = Client::new();
        self.hub
            .attach_adviser(row.profile(), 2, &client.peer, None)
            .await?;
        Ok(Console { id, client })
    }

    /// A visitor who sent the pre-chat form.
    pub async fn visitor(&self, name: &str, email: &str) -> anyhow::Result<Visitor> {
        let mut client = Client::new();
        let id = self
            .hub
            .start_chat(&request(name, email), None, &client.peer)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the chat became a ticket"))?;
        let token = match client
            .next_where("chat_started", |m| {
                matches!(m, ServerMsg::ChatStarted { .. })
            })
            .await?
        {
            ServerMsg::ChatStarted { conversation } => conversation.token,
            _ => anyhow::bail!("not chat_started"),
        };
        Ok(Visitor { id, token, client })
    }
}
