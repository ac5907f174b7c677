//! Visitor tokens: `v1.<conversation id>.<HMAC-SHA256>`, signed by the relay with a secret kept
//! in the CRM store, so a visitor can resume their own conversation and no other.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tandem_shared::ConversationId;

type HmacSha256 = Hmac<Sha256>;

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

    fn mac(&self, id: &str) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(&self.key).ok()?;
        mac.update(b"tandem-visitor-v1:");
        mac.update(id.as_bytes());
        Some(mac)
    }

    /// The token for a conversation.
    pub fn sign(&self, conversation: &ConversationId) -> String {
        let signature = self
            .mac(conversation.as_str())
            .map(|mac| B64.encode(mac.finalize().into_bytes()))
            .unwrap_or_default();
        format!("v1.{conversation}.{signature}")
    }

    /// The conversation a token was signed for, or `None` for a forged or damaged token.
    pub fn verify(&self, token: &str) -> Option<ConversationId> {
        let mut parts = token.splitn(3, '.');
        let (version, id, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if version != "v1" || id.is_empty() {
            return None;
        }
        let signature = B64.decode(signature).ok()?;
        self.mac(id)?.verify_slice(&signature).ok()?;
        Some(ConversationId::from(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
