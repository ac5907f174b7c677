//! Co-browsing frames written by hand: a visitor without a widget sends them over its socket
//! while an adviser watches in the console, in headless Chromium. For pages a widget would
//! never send (hostile ones) and for exact batches (a frame in slices).

use crate::browser::{ask_to_share, console_log_in, page_text, wait_for_text, Browser};
use crate::clients::{accept_invitation, chat_request, fresh_hello, WsClient};
use crate::{Endpoint, TestRelay};
use fantoccini::Client;
use tandem_shared::cobrowse::{ElementNode, PageNode};
use tandem_shared::{ServerMsg, VisitorMsg};
use tokio::task::JoinHandle;

/// An element of a crafted page.
pub fn element(id: u32, tag: &str, attrs: &[(&str, String)], children: Vec<PageNode>) -> PageNode {
    PageNode::Element(Box::new(ElementNode {
        id,
        tag: tag.into(),
        attrs: attrs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect(),
        children,
        shadow: None,
        svg: false,
        masked: false,
    }))
}

/// A text node of a crafted page.
pub fn text(id: u32, text: &str) -> PageNode {
    PageNode::Text {
        id,
        text: text.into(),
    }
}

/// A relay serving one site, an adviser logged in to the console, and a visitor of the site
/// (a bare socket) whose chat the adviser holds and who accepted to co-browse.
pub struct CraftedSession {
    /// The relay (allows only the site's origin).
    pub relay: TestRelay,
    /// Keeps the console's browser running.
    pub browser: Browser,
    /// The adviser's console.
    pub console: Client,
    /// The visitor's socket.
    pub visitor: WsClient,
}

impl CraftedSession {
    /// Starts it all for a visitor of `site` (an origin) asking with `reason`.
    pub async fn start(site: &str, reason: &str) -> anyhow::Result<CraftedSession> {
        let allowed = site.to_owned();
        let relay = TestRelay::spawn_configured(|c| c.allowed_origins = vec![allowed]).await?;
        relay.add_adviser("lea", "Léa Martin").await?;
        let mut browser = Browser::start().await?;
        let console = browser.session(1400, 1000).await?;
        console_log_in(&console, &relay.url(""), "lea").await?;
        let mut visitor = WsClient::open_from(&relay.ws_url("/ws/visitor"), site).await?;
        visitor.send(&fresh_hello()).await?;
        visitor
            .send(&VisitorMsg::StartChat {
                request: chat_request("Mallory", "mallory@example.com", reason),
            })
            .await?;
        wait_for_text("the console", reason, || page_text(&console, ".chat-pane")).await?;
        ask_to_share(&console).await?;
        accept_invitation(&mut visitor).await?;
        Ok(CraftedSession {
            relay,
            browser,
            console,
            visitor,
        })
    }
}

/// Sends `frames` now, and again each time the console asks for a fresh page (it does once its
/// mirror is ready), as a widget would answer with the page; stops when aborted.
pub fn answer_with(mut visitor: WsClient, frames: Vec<VisitorMsg>) -> JoinHandle<()> {
    tokio::spawn(async move {
        for frame in &frames {
            let _ = visitor.send(frame).await;
        }
        loop {
            match visitor.recv().await {
                Ok(ServerMsg::CobrowseResync { .. }) => {
                    for frame in &frames {
                        let _ = visitor.send(frame).await;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    })
}
