//! A visitor's session: hello (with resume), pre-chat request, messages, typing, end; each
//! decoded frame becomes a hub call. Transport-free: the same session runs for a socket on this
//! node and, on the leader, for frames forwarded over NATS.

use super::Session;
use crate::auth::identity;
use crate::hub::{Hub, HubError, Peer};
use crate::limits::{Action, Limiters};
use crate::sites::{is_allowed_site, origin_of_url};
use std::net::IpAddr;
use std::sync::Arc;
use tandem_shared::i18n::{Locale, Texts};
use tandem_shared::limits::{validate_body, validate_client_msg_id, FieldError, Problem};
use tandem_shared::model::ChatRequest;
use tandem_shared::site::SiteSettings;
use tandem_shared::{ConversationId, ErrorCode, ServerMsg, VisitorMsg, PROTOCOL_VERSION};

/// What every visitor session of this relay consults besides the hub.
#[derive(Clone, Debug)]
pub struct VisitorServices {
    /// The origins every site's pages must come from (`--allowed-origins`), if any.
    pub allowed_origins: Vec<String>,
    /// The secret the site signs user ids with, if identity verification is on.
    pub identity_secret: Option<String>,
    /// The per-address quotas.
    pub limiters: Arc<Limiters>,
    /// The knowledge base.
    pub faq: Arc<crate::faq::FaqIndex>,
    /// Sends transcripts by email, when SMTP is configured.
    pub mailer: Option<crate::mail::Mailer>,
}

/// The session of a visitor connection on a page of `site`, served by `hub`; replies go to
/// `peer`.
pub(crate) fn session(
    services: &VisitorServices,
    hub: Arc<Hub>,
    peer: Peer,
    site: Arc<SiteSettings>,
    address: IpAddr,
    page_origin: Option<String>,
) -> VisitorSession {
    VisitorSession {
        allowed_origins: services.allowed_origins.clone(),
        page_origin,
        limiters: services.limiters.clone(),
        address,
        identity_secret: services.identity_secret.clone(),
        hub,
        peer,
        greeted: false,
        in_lobby: false,
        conversation: None,
        joining: None,
        site,
        faq: services.faq.clone(),
        mailer: services.mailer.clone(),
    }
}

/// One visitor connection's state.
pub(crate) struct VisitorSession {
    hub: Arc<Hub>,
    peer: Peer,
    greeted: bool,
    /// On the pre-chat form, as the hub knows it.
    in_lobby: bool,
    /// The open conversation this connection is attached to.
    conversation: Option<ConversationId>,
    /// Gets the conversation an adviser opens by typing this visitor's share code.
    joining: Option<tokio::sync::oneshot::Receiver<ConversationId>>,
    /// The secret the site signs user ids with, if identity verification is on.
    identity_secret: Option<String>,
    /// The site the page belongs to.
    site: Arc<SiteSettings>,
    /// The knowledge base.
    faq: Arc<crate::faq::FaqIndex>,
    /// The per-address quotas.
    limiters: Arc<Limiters>,
    /// The visitor's address, as the quotas count it.
    address: IpAddr,
    /// The `Origin` of the page that opened the connection, as the browser said it.
    page_origin: Option<String>,
    /// The origins every site's pages must come from (`--allowed-origins`), if any.
    allowed_origins: Vec<String>,
    /// Sends transcripts by email, when SMTP is configured.
    mailer: Option<crate::mail::Mailer>,
}

impl VisitorSession {
    /// The site's user id when the request carries a valid signature (with the site's own
    /// secret, else the relay's); an error for a wrong one. Without a secret, identities are
    /// ignored (nothing can be verified).
    fn verified_user(&self, request: &ChatRequest) -> Result<Option<String>, HubError> {
        let secret = self
            .site
            .identity_secret
            .as_ref()
            .map(|s| &s.0)
            .or(self.identity_secret.as_ref());
        let (Some(identity), Some(secret)) = (&request.identity, secret) else {
            return Ok(None);
        };
        match identity::verify(secret, identity) {
            Some(user) => Ok(Some(user)),
            None => {
                tracing::warn!("refused a chat request with a wrong identity signature");
                Err(HubError::Invalid(FieldError {
                    field: "identity",
                    problem: Problem::Invalid,
                }))
            }
        }
    }

    /// The verified user of a request; on a verified-only site, a request without one is
    /// refused with a message, in the visitor's language, asking them to log in.
    fn required_user(&self, request: &ChatRequest) -> Result<Option<String>, HubError> {
        let user = self.verified_user(request)?;
        if user.is_none() && self.site.verified_only {
            let texts = Texts::console(Locale::from_tag(request.locale.as_deref().unwrap_or("en")));
            return Err(HubError::Protocol(
                ErrorCode::Unauthorized,
                texts.t("visitor.log_in_to_chat").to_owned(),
            ));
        }
        Ok(user)
    }

    /// The request as made on this site: its queue must be one the site offers (the site's
    /// first when it names none), and it records the site.
    fn on_this_site(&self, mut request: ChatRequest) -> Result<ChatRequest, HubError> {
        match &request.queue {
            Some(queue) if !self.site.offers_queue(queue) => {
                return Err(HubError::Invalid(FieldError {
                    field: "queue",
                    problem: Problem::Invalid,
                }));
            }
            None => request.queue = self.site.queues.first().cloned(),
            Some(_) => {}
        }
        request.site = Some(self.site.key.clone());
        Ok(request)
    }

    /// The request of a visitor who shares their page by phone: what the site told about
    /// them (their name, else « Phone caller »), this site's queue, a reason saying how the
    /// session started.
    fn phone_request(&self, mut request: ChatRequest) -> Result<ChatRequest, HubError> {
        // Texts advisers see (the contact's name, the reason), in the visitor's language.
        let texts = Texts::console(Locale::from_tag(request.locale.as_deref().unwrap_or("en")));
        if request.name.trim().is_empty() {
            texts
                .t("console.phone_caller")
                .clone_into(&mut request.name);
        }
        texts
            .t("console.phone_reason")
            .clone_into(&mut request.reason);
        request.queue = None;
        self.on_this_site(request.validated_for_phone().map_err(HubError::Invalid)?)
    }

    /// Takes the conversation an adviser opened by typing this visitor's share code.
    fn adopt_joined_conversation(&mut self) {
        use tokio::sync::oneshot::error::TryRecvError;
        let Some(joining) = self.joining.as_mut() else {
            return;
        };
        match joining.try_recv() {
            Ok(id) => {
                self.conversation = Some(id);
                self.joining = None;
            }
            Err(TryRecvError::Closed) => self.joining = None,
            Err(TryRecvError::Empty) => {}
        }
    }

    /// Counts `action` against the visitor's address; refused once its hourly quota is spent.
    fn within_quota(&self, action: Action) -> Result<(), HubError> {
        if self.limiters.allow(action, self.address) {
            return Ok(());
        }
        tracing::info!(address = %self.address, ?action, "refused: this address's hourly quota is spent");
        let message = match action {
            Action::StartChat => "too many chats from this address; please try again later",
            Action::ShareCode => "too many codes asked from this address; please try again later",
            _ => "too many messages from this address; please try again later",
        };
        Err(HubError::Protocol(ErrorCode::RateLimited, message.into()))
    }

    /// Checks the address of a page shown to the adviser: the adviser's browser fetches the
    /// page's images and styles from its origin, so that origin must be one the site allows
    /// and the one the connection was opened from.
    fn check_page_url(&self, url: &str) -> Result<(), HubError> {
        if self.is_site_page(url) {
            return Ok(());
        }
        tracing::info!(site = %self.site.key, "refused a page snapshot from an origin the site does not allow");
        Err(HubError::Invalid(FieldError {
            field: "url",
            problem: Problem::Invalid,
        }))
    }

    /// True when `url` is a page of this site, from the origin that opened the connection.
    fn is_site_page(&self, url: &str) -> bool {
        origin_of_url(url).as_deref().is_some_and(|of_page| {
            is_allowed_site(Some(of_page), &self.allowed_origins, &self.site)
                && self
                    .page_origin
                    .as_deref()
                    .is_none_or(|opened| opened.eq_ignore_ascii_case(of_page))
        })
    }

    /// Emails the transcript of the ended conversation behind `token`, in the background; the
    /// visitor gets `transcript_sent`, or an error and may try again.
    async fn email_transcript(&self, token: &str) -> Result<(), HubError> {
        let Some(mailer) = self.mailer.clone() else {
            return Err(HubError::Protocol(
                ErrorCode::Unavailable,
                "this site does not send emails".into(),
            ));
        };
        let transcript = self.hub.claim_transcript(token, &self.site.key).await?;
        let offset = self
            .hub
            .visit_offset_minutes(&transcript.id)
            .await
            .unwrap_or(0);
        let (hub, peer) = (self.hub.clone(), self.peer.clone());
        tokio::spawn(async move {
            match mailer.send_transcript(&transcript, offset).await {
                Ok(()) => {
                    tracing::info!(conversation = %transcript.id, "transcript emailed");
                    peer.send(ServerMsg::TranscriptSent {
                        conversation_id: transcript.id,
                        to: masked_email(&transcript.email),
                    });
                }
                Err(error) => {
                    tracing::warn!(%error, conversation = %transcript.id, "could not email a transcript");
                    hub.release_transcript(&transcript.id).await;
                    peer.send(ServerMsg::Error {
                        code: ErrorCode::Unavailable,
                        message: "the transcript could not be emailed; try again later".into(),
                        field: None,
                    });
                }
            }
        });
        Ok(())
    }

    /// True while this connection holds a chat that is not over.
    fn has_open_chat(&self) -> bool {
        self.conversation
            .as_ref()
            .is_some_and(|id| self.hub.is_open(id))
    }

    fn conversation(&self) -> Result<ConversationId, HubError> {
        self.conversation
            .clone()
            .ok_or(HubError::NotFound("start a chat first"))
    }

    /// A greeted visitor without a chat is on the pre-chat form: the hub tells them when the
    /// topics they can pick change.
    fn follow_the_form(&mut self) {
        let on_form = self.greeted && self.conversation.is_none();
        if on_form && !self.in_lobby {
            self.hub.enter_lobby(&self.peer, self.site.clone());
        } else if !on_form && self.in_lobby {
            self.hub.leave_lobby(&self.peer);
        }
        self.in_lobby = on_form;
    }

    async fn hello(
        &mut self,
        protocol: u32,
        resume: Option<String>,
        last_seq: u64,
        tickets: &[String],
    ) -> Result<(), HubError> {
        if protocol != PROTOCOL_VERSION {
            let message = format!(
                "this relay speaks protocol {PROTOCOL_VERSION}, not {protocol}; reload the page"
            );
            return Err(HubError::Protocol(ErrorCode::ProtocolVersion, message));
        }
        // One open chat per connection: a second hello may not leave it behind (waiting in
        // the queue with nobody attached) to start another.
        if self.has_open_chat() {
            return Err(HubError::Conflict(
                "a chat is already open on this connection; end it first",
            ));
        }
        self.greeted = true;
        self.hub.send_visitor_tickets(tickets, &self.peer).await?;
        if let Some(previous) = self.conversation.take() {
            self.hub.detach_visitor(&previous, &self.peer);
        }
        let Some(token) = resume else {
            self.peer.send(self.hub.welcome(None, &self.site));
            return Ok(());
        };
        match self
            .hub
            .resume_visitor(&token, last_seq, &self.site, &self.peer)
            .await
        {
            Ok(conversation) => {
                self.conversation = conversation;
                Ok(())
            }
            Err(error @ (HubError::Unauthorized | HubError::NotFound(_))) => {
                tracing::info!(%error, "a visitor's resume was refused");
                self.peer.send(self.hub.welcome(None, &self.site));
                let message = "that conversation cannot be resumed; start a new one".to_owned();
                Err(HubError::Protocol(ErrorCode::Unauthorized, message))
            }
            Err(error) => Err(error),
        }
    }

    async fn handle(&mut self, frame: VisitorMsg) -> Result<(), HubError> {
        if let VisitorMsg::Hello {
            protocol,
            resume,
            last_seq,
            tickets,
        } = frame
        {
            return self.hello(protocol, resume, last_seq, &tickets).await;
        }
        if !self.greeted {
            return Err(HubError::Protocol(
                ErrorCode::HelloRequired,
                "send hello first".into(),
            ));
        }
        match frame {
            VisitorMsg::Hello { .. } | VisitorMsg::Unknown => Err(HubError::Protocol(
                ErrorCode::UnknownType,
                "unexpected frame".into(),
            )),
            VisitorMsg::StartChat { request } => {
                if let Some(current) = &self.conversation {
                    if self.hub.is_open(current) {
                        return Err(HubError::Conflict("a chat is already open; end it first"));
                    }
                    self.hub.detach_visitor(current, &self.peer);
                }
                let request = self.on_this_site(request.validated().map_err(HubError::Invalid)?)?;
                let verified_user = self.required_user(&request)?;
                self.within_quota(Action::StartChat)?;
                self.conversation = self
                    .hub
                    .start_chat(&request, verified_user.as_deref(), &self.peer)
                    .await?;
                Ok(())
            }
            VisitorMsg::LeaveMessage {
                request,
                callback_at_ms,
            } => {
                let request = self.on_this_site(request.validated().map_err(HubError::Invalid)?)?;
                let verified_user = self.required_user(&request)?;
                self.within_quota(Action::LeaveMessage)?;
                self.hub
                    .leave_message(
                        &request,
                        verified_user.as_deref(),
                        callback_at_ms,
                        &self.peer,
                    )
                    .await
            }
            VisitorMsg::Survey { token, survey } => {
                let survey = survey.validated().map_err(HubError::Invalid)?;
                self.hub
                    .save_survey(&token, &self.site.key, &survey, &self.peer)
                    .await
            }
            VisitorMsg::Send {
                client_msg_id,
                body,
            } => {
                let id = self.conversation()?;
                validate_client_msg_id(&client_msg_id).map_err(HubError::Invalid)?;
                let body = validate_body(&body).map_err(HubError::Invalid)?;
                self.hub
                    .visitor_send(&id, client_msg_id, body, &self.peer)
                    .await
            }
            VisitorMsg::Typing { active } => {
                self.hub.visitor_typing(&self.conversation()?, active);
                Ok(())
            }
            VisitorMsg::CobrowseAnswer { accepted } => {
                self.hub
                    .cobrowse_answer(&self.conversation()?, accepted)
                    .await
            }
            VisitorMsg::CobrowseSnapshot { snapshot } => {
                self.check_page_url(&snapshot.url)?;
                self.hub
                    .cobrowse_snapshot(&self.conversation()?, snapshot)
                    .await
            }
            VisitorMsg::CobrowseChanges { changes } => {
                self.hub.cobrowse_changes(&self.conversation()?, changes)
            }
            VisitorMsg::CobrowsePart { part } => {
                // A snapshot's first part names its page; the console shows no snapshot whose
                // first part named no checked page.
                if let Some(url) = &part.page_url {
                    self.check_page_url(url)?;
                }
                self.hub.cobrowse_part(&self.conversation()?, part).await
            }
            VisitorMsg::CobrowseControl { granted } => {
                self.hub.cobrowse_control(&self.conversation()?, granted)
            }
            VisitorMsg::CobrowseFilled { field } => {
                self.hub.cobrowse_filled(&self.conversation()?, field).await
            }
            VisitorMsg::CobrowseStop => {
                self.hub
                    .cobrowse_stop(&self.conversation()?, tandem_shared::Role::Visitor)
                    .await
            }
            VisitorMsg::SuggestArticles { text, locale } => {
                let text: String = text
                    .chars()
                    .take(tandem_shared::faq::MAX_SUGGEST_QUERY_CHARS)
                    .collect();
                let articles = self.faq.suggest(&text, &locale);
                self.peer.send(ServerMsg::Suggestions { text, articles });
                Ok(())
            }
            VisitorMsg::Visit { mut context } => {
                // Pages of another site are not this visit's: never kept nor shown.
                context.pages.retain(|page| self.is_site_page(&page.url));
                self.hub.record_visit(&self.conversation()?, context).await
            }
            VisitorMsg::Seen { seq } => self.hub.visitor_seen(&self.conversation()?, seq).await,
            VisitorMsg::EmailTranscript { token } => self.email_transcript(&token).await,
            VisitorMsg::RequestShareCode { request } => {
                if self.has_open_chat() {
                    return Err(HubError::Conflict("a chat is already open; end it first"));
                }
                let request = self.phone_request(request)?;
                let verified_user = self.verified_user(&request)?;
                self.within_quota(Action::ShareCode)?;
                self.joining = Some(self.hub.request_share_code(
                    request,
                    verified_user,
                    &self.peer,
                )?);
                Ok(())
            }
            VisitorMsg::CancelShareCode => {
                self.hub.withdraw_share_code(&self.peer);
                self.joining = None;
                Ok(())
            }
            VisitorMsg::EndChat => {
                let id = self.conversation()?;
                self.hub.visitor_end(&id).await?;
                self.hub.detach_visitor(&id, &self.peer);
                self.conversation = None;
                Ok(())
            }
        }
    }
}

impl Session for VisitorSession {
    type Frame = VisitorMsg;

    async fn on_frame(&mut self, frame: VisitorMsg) {
        self.adopt_joined_conversation();
        if let Err(error) = self.handle(frame).await {
            self.peer.send(error.to_frame());
        }
        self.follow_the_form();
    }

    async fn on_close(&mut self) {
        // An adviser may have typed the code since the last frame: that chat is detached too.
        self.adopt_joined_conversation();
        if self.joining.take().is_some() {
            self.hub.withdraw_share_code(&self.peer);
        }
        if self.in_lobby {
            self.hub.leave_lobby(&self.peer);
        }
        if let Some(id) = self.conversation.take() {
            self.hub.detach_visitor(&id, &self.peer);
        }
    }
}

/// `j•••@example.com` for `jane@example.com`: enough for the visitor to recognise it, not
/// enough to read it over their shoulder.
fn masked_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".into(),
    }
}
