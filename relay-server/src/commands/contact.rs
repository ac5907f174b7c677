//! `tandem-relay contact erase`: the right to be forgotten.

use tandem_relay::store::{Actor, Audit, StoreLocation};
use tandem_relay::time::now_ms;

/// Erases a contact and everything of theirs, unless one of their chats is still open.
pub(crate) async fn erase_contact(store: &StoreLocation, id: &str) -> anyhow::Result<()> {
    let store = super::open_store(store).await?;
    let id = tandem_shared::ContactId(id.to_owned());
    if store.contact_has_open_conversation(&id).await? {
        anyhow::bail!("this contact has a chat waiting or in progress; erase it once it is over");
    }
    let actor = Actor::command_line();
    let audit = Audit::of(&actor, "contact.erased", "contact", id.as_str());
    match store.erase_contact(&id, "cli", &audit, now_ms()).await? {
        Some(erasure) => {
            println!(
                "erased: {} sessions, {} tickets, {} webhook events",
                erasure.sessions, erasure.tickets, erasure.webhook_events
            );
            Ok(())
        }
        None => anyhow::bail!("no contact with this id"),
    }
}
