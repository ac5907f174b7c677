//! Identity verification: the site's server signs a logged-in user's id with a secret it
//! shares with the relay (hex HMAC-SHA256, as Intercom's `user_hash`), so the relay can trust
//! that id and attach the chat to that user's CRM contact.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tandem_shared::model::SignedIdentity;

/// The user id when `identity` is signed with `secret`, `None` when the signature is wrong.
pub fn verify(secret: &str, identity: &SignedIdentity) -> Option<String> {
    let signature: Vec<u8> = (0..identity.signature.len())
        .step_by(2)
        .map(|i| {
            identity
                .signature
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<_>>()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(identity.user_id.as_bytes());
    mac.verify_slice(&signature).ok()?;
    Some(identity.user_id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sites_signature_is_accepted() {
        // From `printf 42 | openssl dgst -sha256 -hmac site-secret`.
        let signature =
            "b1ebef87a7a02c74616f19c84015d0f3895699d01c6629b27ce1ba9a24aab44b".to_owned();
        let identity = SignedIdentity {
            user_id: "42".into(),
            signature,
        };
        assert_eq!(verify("site-secret", &identity).as_deref(), Some("42"));
        let forged = SignedIdentity {
            user_id: "43".into(),
            ..identity.clone()
        };
        assert_eq!(
            verify("site-secret", &forged),
            None,
            "another id with the same signature"
        );
        assert_eq!(
            verify("other-secret", &identity),
            None,
            "another site's secret"
        );
    }
}
