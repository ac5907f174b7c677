//! `tandem-relay queue`: the queues visitors pick from.

use tandem_relay::cli::QueueArgs;
use tandem_relay::hours::QueueSchedule;
use tandem_relay::store::{QueueRow, StoreLocation};
use tandem_shared::limits::validate_key;

/// Creates or changes a queue.
pub(crate) async fn set_queue(store: &StoreLocation, args: QueueArgs) -> anyhow::Result<()> {
    let row = QueueRow {
        key: validate_key(&args.key).map_err(|e| anyhow::anyhow!("queue key: {e}"))?,
        name_en: args.name_en,
        name_fr: args.name_fr,
        hours: args.hours,
        timezone: args.timezone,
        max_wait_secs: args.max_wait_secs,
        reply_within_hours: args.reply_within_hours,
        position: args.position,
    };
    QueueSchedule::new(row.clone())?;
    let store = super::open_store(store).await?;
    let actor = tandem_relay::store::Actor::command_line();
    let audit = tandem_relay::store::Audit::of(&actor, "queue.changed", "queue", &row.key);
    store.upsert_queue(&row, &audit).await?;
    println!("queue {} saved (a running relay picks it up on restart, or set it with PUT /api/v1/queues/{})", row.key, row.key);
    Ok(())
}

/// Prints the queues.
pub(crate) async fn list_queues(store: &StoreLocation) -> anyhow::Result<()> {
    let store = super::open_store(store).await?;
    for queue in store.queues().await? {
        println!(
            "{}\t{} / {}\thours: {} ({})",
            queue.key,
            queue.name_en,
            queue.name_fr,
            queue.hours.as_deref().unwrap_or("24/7"),
            queue.timezone
        );
    }
    Ok(())
}
