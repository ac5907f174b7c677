//! Emailing the answer to a ticket, or a chat's transcript, in the visitor's language, over
//! SMTP (lettre).

use crate::store::TicketRow;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use tandem_shared::i18n::{Locale, Texts};

/// Where and as whom answers are emailed.
#[derive(Clone)]
pub struct MailConfig {
    /// `smtp://host:port` (plain), `smtp://host:587?tls=required` or `smtps://host` (TLS),
    /// with `user:password@` when the server needs a login.
    pub url: String,
    /// The sender, e.g. `Acme support <support@acme.example>`.
    pub from: String,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password.
        f.debug_struct("MailConfig")
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

/// Why an email was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The configuration is wrong.
    #[error("mail settings: {0}")]
    Config(String),
    /// The contact has no email address.
    #[error("the contact left no email address")]
    NoAddress,
    /// The message could not be built.
    #[error("could not build the email: {0}")]
    Build(String),
    /// The SMTP server refused or could not be reached.
    #[error("SMTP delivery failed: {0}")]
    Send(String),
}

/// Sends emails through one SMTP server.
#[derive(Clone, Debug)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// A mailer for `config`; checks the URL and the sender's address.
    pub fn new(config: &MailConfig) -> Result<Mailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.url)
            .map_err(|e| MailError::Config(format!("SMTP URL: {e}")))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = config
            .from
            .parse()
            .map_err(|e| MailError::Config(format!("sender `{}`: {e}", config.from)))?;
        Ok(Mailer { transport, from })
    }

    /// Emails an answered ticket's answer to its contact.
    pub async fn send_answer(&self, ticket: &TicketRow) -> Result<(), MailError> {
        let email = ticket.email.as_deref().ok_or(MailError::NoAddress)?;
        let texts = Texts::get(Locale::from_tag(ticket.locale.as_deref().unwrap_or("en")));
        let answer = ticket.answer.as_deref().unwrap_or_default();
        let body = format!(
            "{}\n\n{}\n\n{}\n> {}\n",
            texts.format("mail.greeting", &[("name", &ticket.name)]),
            answer,
            texts.t("mail.your_message"),
            ticket.message.replace('\n', "\n> "),
        );
        self.deliver(&ticket.name, email, texts.t("mail.subject"), body)
            .await
    }

    /// Sends one plain-text email to `name <email>`.
    async fn deliver(
        &self,
        name: &str,
        email: &str,
        subject: &str,
        body: String,
    ) -> Result<(), MailError> {
        let to: Mailbox = format!("{} <{email}>", name.replace(['<', '>', '"'], ""))
            .parse()
            .map_err(|e| MailError::Build(format!("recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body)
            .map_err(|e| MailError::Build(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| MailError::Send(e.to_string()))?;
        Ok(())
    }

    /// Emails a chat's transcript to the address its visitor typed; `offset_minutes` is the
    /// visitor's time zone (UTC when unknown), for the times of the lines.
    pub async fn send_transcript(
        &self,
        transcript: &crate::hub::TranscriptToSend,
        offset_minutes: i32,
    ) -> Result<(), MailError> {
        let texts = Texts::get(Locale::from_tag(
            transcript.locale.as_deref().unwrap_or("en"),
        ));
        let body = format!(
            "{}\n\n{}",
            texts.format("mail.greeting", &[("name", &transcript.visitor_name)]),
            tandem_shared::transcript::text(
                texts,
                texts.t("mail.transcript_title"),
                &transcript.events,
                |at| tandem_shared::transcript::clock_at_offset(at, offset_minutes),
            ),
        );
        self.deliver(
            &transcript.visitor_name,
            &transcript.email,
            texts.t("mail.transcript_subject"),
            body,
        )
        .await
    }
}
