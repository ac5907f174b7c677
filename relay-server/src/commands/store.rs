//! `tandem-relay store copy` and `backup`: the CRM store moved or copied.

use super::open_store;
use anyhow::{bail, Context};
use tandem_relay::store::StoreLocation;

/// Copies every row of the SQLite store into a new, empty PostgreSQL store.
pub(crate) async fn copy_store(from: &StoreLocation, to: &str) -> anyhow::Result<()> {
    let to = StoreLocation::parse(to);
    if &to == from {
        bail!("the source and the target are the same store ({to})");
    }
    let source = open_store(from).await?;
    let target = open_store(&to).await?;
    let report = source
        .copy_into(&target)
        .await
        .with_context(|| format!("copying {from} into {to}"))?;
    for (table, rows) in &report.tables {
        println!("{table:<24} {rows:>10} rows");
    }
    println!(
        "copied {} rows from {from} into {to}; start the relays with --store pointing at it",
        report.total_rows()
    );
    Ok(())
}

/// Writes a consistent copy of the SQLite store while the relay runs.
pub(crate) async fn backup(store: &StoreLocation, to: &std::path::Path) -> anyhow::Result<()> {
    if to.exists() {
        bail!("{} already exists; name a new file", to.display());
    }
    let store = open_store(store).await?;
    store
        .backup_to(to)
        .await
        .with_context(|| format!("copying the CRM to {}", to.display()))?;
    println!(
        "CRM copied to {} (a consistent copy, taken while the relay may run)",
        to.display()
    );
    Ok(())
}
