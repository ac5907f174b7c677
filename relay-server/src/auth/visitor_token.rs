//! Visitor tokens: `v1.<conversation id>.<HMAC-SHA256>`, signed by the relay with a secret kept
//! in the CRM store, so a visitor can resume their own conversation and no other.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tandem_shared::ConversationId;

type HmacSha256 = Hmac<Sha256>;

/// How long a conversation's token still opens it once the conversation ended (to read the
/// transcript, rate it): 30 days. An open conversation's token always works.
pub const TOKEN_LIFETIME_AFTER_END_MS: i64 = 30 * 24 * 3600 * 1000;

/// Whether the token of a conversation that ended at `ended_at_ms` (none while open) still
/// opens it at `now_ms`.
pub fn still_opens(ended_at_ms: Option<i64>, now_ms: i64) -> bool {
    ended_at_ms.is_none_or(|ended| now_ms - ended <= TOKEN_LIFETIME_AFTER_END_MS)
}

/// Signing domains, so a conversation token never passes for a ticket token.
const CONVERSATION_DOMAIN: &[u8] = b"tandem-visitor-v1:";
const TICKET_DOMAIN: &[u8] = b"tandem-ticket-v1:";

/// Signs and checks visitor tokens.
#[derive(Clone)]
pub struct VisitorTokens {
    key: Vec<u8>,
}

impl std::fmt::Debug for VisitorTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VisitorTokens(..)")
    }
}

impl VisitorTokens {
    /// Tokens signed with `key`.
    pub fn new(key: Vec<u8>) -> Self {
        Self { key }
    }

    fn mac(&self, domain: &[u8], id: &str) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(&self.key).ok()?;
        mac.update(domain);
        mac.update(id.as_bytes());
        Some(mac)
    }

    fn sign_in(&self, domain: &[u8], version: &str, id: &str) -> String {
        let signature = self
            .mac(domain, id)
            .map(|mac| B64.encode(mac.finalize().into_bytes()))
            .unwrap_or_default();
        format!("{version}.{id}.{signature}")
    }

    fn verify_in(&self, domain: &[u8], expected_version: &str, token: &str) -> Option<String> {
        let mut parts = token.splitn(3, '.');
        let (version, id, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if version != expected_version || id.is_empty() {
            return None;
        }
        let signature = B64.decode(signature).ok()?;
        self.mac(domain, id)?.verify_slice(&signature).ok()?;
        Some(id.to_owned())
    }

    /// A token that lets its holder read a ticket they left (and nothing else).
    pub fn sign_ticket(&self, ticket_id: &str) -> String {
        self.sign_in(TICKET_DOMAIN, "t1", ticket_id)
    }

    /// The ticket id of a genuine ticket token.
    pub fn verify_ticket(&self, token: &str) -> Option<String> {
        self.verify_in(TICKET_DOMAIN, "t1", token)
    }

    /// The token for a conversation.
    pub fn sign(&self, conversation: &ConversationId) -> String {
        self.sign_in(CONVERSATION_DOMAIN, "v1", conversation.as_str())
    }

    /// The conversation a token opens, if the token is genuine.
    pub fn verify(&self, token: &str) -> Option<ConversationId> {
        self.verify_in(CONVERSATION_DOMAIN, "v1", token)
            .map(ConversationId)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_lapses_thirty_days_after_its_chat_ended() {
        let day = 24 * 3600 * 1000;
        assert!(still_opens(None, 400 * day), "an open chat's token works");
        assert!(still_opens(Some(0), 30 * day));
        assert!(!still_opens(Some(0), 30 * day + 1));
    }

    #[test]
    fn a_token_opens_its_own_conversation_only() {
        let tokens = VisitorTokens::new(b"secret".to_vec());
        let token = tokens.sign(&ConversationId::from("abc"));
        assert_eq!(tokens.verify(&token), Some(ConversationId::from("abc")));
        let forged = token.replace("abc", "abd");
        assert_eq!(
            tokens.verify(&forged),
            None,
            "another id with the same signature"
        );
        assert_eq!(
            VisitorTokens::new(b"other".to_vec()).verify(&token),
            None,
            "another relay's key"
        );
        assert_eq!(tokens.verify("v1.abc."), None);
        assert_eq!(tokens.verify("garbage"), None);
        let ticket = tokens.sign_ticket("abc");
        assert_eq!(tokens.verify_ticket(&ticket).as_deref(), Some("abc"));
        assert_eq!(
            tokens.verify(&ticket),
            None,
            "a ticket token opens no conversation"
        );
        assert_eq!(
            tokens.verify_ticket(&token),
            None,
            "a conversation token reads no ticket"
        );
    }
}
