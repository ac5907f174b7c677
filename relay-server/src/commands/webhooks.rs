//! `tandem-relay webhooks`: the outbox per destination.

use tandem_relay::store::StoreLocation;

/// Prints the outbox per destination.
pub(crate) async fn webhook_status(store: &StoreLocation) -> anyhow::Result<()> {
    let store = super::open_store(store).await?;
    for summary in store.outbox_summary().await? {
        println!(
            "{}: delivered {}, pending {}, failing {}",
            summary.destination, summary.delivered, summary.pending, summary.failing
        );
    }
    for item in store.pending_outbox(None, 20).await? {
        let error = item.last_error.as_deref().unwrap_or("not tried yet");
        println!(
            "  {} {} {} attempts={} last error: {error}",
            item.destination, item.event_id, item.kind, item.attempts
        );
    }
    Ok(())
}
