//! The visitor's context (pages of the visit, device, local time): kept on the conversation
//! and shown live to its adviser.

use super::{Hub, HubError};
use crate::time::now_ms;
use tandem_shared::visit::VisitContext;
use tandem_shared::{ConversationId, ServerMsg};

impl Hub {
    /// Records where the visitor is now (bounded, with the device named from the user agent)
    /// and tells the conversation's adviser.
    pub async fn record_visit(
        &self,
        id: &ConversationId,
        context: VisitContext,
    ) -> Result<(), HubError> {
        let mut visit = context.bounded(now_ms());
        visit.device = visit.user_agent.as_deref().and_then(device_name);
        self.store.save_visit(id, &visit).await?;
        let state = self.lock();
        let Some(live) = state.conversations.get(id) else {
            return Ok(());
        };
        if let Some(adviser) = &live.adviser {
            state.send_to_adviser(
                adviser,
                &ServerMsg::VisitChanged {
                    conversation_id: id.clone(),
                    visit,
                },
            );
        }
        Ok(())
    }
}

impl Hub {
    /// The visitor's offset from UTC in minutes, when their widget said.
    pub async fn visit_offset_minutes(&self, id: &ConversationId) -> Option<i32> {
        match self.store.visit(id).await {
            Ok(visit) => visit.and_then(|v| v.utc_offset_minutes),
            Err(error) => {
                tracing::warn!(%error, conversation = %id, "could not read the visitor's context");
                None
            }
        }
    }
}

/// "Chrome 131 · Android 14 · smartphone" from a user agent; none for an unknown one.
fn device_name(user_agent: &str) -> Option<String> {
    let parsed = woothee::parser::Parser::new().parse(user_agent)?;
    let major = parsed.version.split('.').next().unwrap_or_default();
    let browser = match (parsed.name, major) {
        ("UNKNOWN", _) => return None,
        (name, "UNKNOWN" | "") => name.to_owned(),
        (name, major) => format!("{name} {major}"),
    };
    let system = match (parsed.os, parsed.os_version.as_ref()) {
        ("UNKNOWN", _) => None,
        (os, "UNKNOWN" | "") => Some(os.to_owned()),
        (os, version) if os.contains(version) => Some(os.to_owned()),
        (os, version) => Some(format!("{os} {version}")),
    };
    let kind = match parsed.category {
        "UNKNOWN" => None,
        category => Some(category.to_owned()),
    };
    Some(
        [Some(browser), system, kind]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
    )
}

#[cfg(test)]
mod tests {
    use super::device_name;

    #[test]
    fn names_a_phone_and_a_desktop_browser() {
        let phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
        let named = device_name(phone).unwrap_or_default();
        assert!(named.starts_with("Chrome 131"), "{named}");
        assert!(named.contains("Android"), "{named}");
        assert!(named.contains("smartphone"), "{named}");
        let desktop =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
        let named = device_name(desktop).unwrap_or_default();
        assert!(named.starts_with("Firefox 133"), "{named}");
        assert!(named.contains("Windows"), "{named}");
        assert_eq!(device_name("curl-ish nonsense"), None);
    }
}
