//! `kefu admin kb checkins`: who has read the knowledge base's latest updates, as a table.

use crate::admin::format_time;
use crate::protocol::AgentCheckin;
use crate::store::Store;

/// Every agent's last check-in and unread count, read from the store.
pub fn table(store: &mut dyn Store) -> anyhow::Result<String> {
    let mut rows = Vec::new();
    store.transaction(&mut |tx| {
        rows = tx.kb_checkins()?;
        Ok(())
    })?;
    Ok(render(&rows))
}

/// One line per agent: username, last check-in (or `never`), unread articles.
pub fn render(rows: &[AgentCheckin]) -> String {
    let width = rows
        .iter()
        .map(|r| r.username.chars().count())
        .max()
        .unwrap_or(0)
        .max("agent".len());
    let mut out = format!("{:<width$}  {:<24}  unread\n", "agent", "last check-in");
    for r in rows {
        let at = r
            .checked_at
            .map(format_time)
            .unwrap_or_else(|| "never".into());
        out += &format!("{:<width$}  {:<24}  {}\n", r.username, at, r.unread);
    }
    out
}
