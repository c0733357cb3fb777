//! The HTTP channel API's tables on SQLite: integrations, their customers, idempotency answers
//! and the webhook cursor (see `store::integrations`).

use super::error::{Res, SqlError};
use super::reads::SqliteConn;
use super::rows::{self, CUSTOMER_SELECT, collect};
use crate::model::{CustomerId, Millis, SessionId};
use crate::protocol::CustomerView;
use crate::store::integrations::{
    ChannelEvent, IdempotentAnswer, Integration, IntegrationRead, IntegrationTx,
};
use crate::store::{Result, StoreError};
use rusqlite::{OptionalExtension, Row, params};

const INTEGRATION_SELECT: &str = "SELECT id, name, channel, webhook_url, secret,
    previous_secret, previous_until, webhook_cursor FROM integrations";

fn integration(r: &Row) -> Res<Integration> {
    let previous: Option<String> = r.get(5)?;
    let until: Option<i64> = r.get(6)?;
    Ok(Integration {
        id: r.get(0)?,
        name: r.get(1)?,
        channel: rows::parse(r.get(2)?)?,
        webhook_url: r.get(3)?,
        secret: r.get(4)?,
        previous: previous.zip(until),
        webhook_cursor: r.get(7)?,
    })
}

/// The columns `rows::event` decodes, then the session, customer and external id.
const CHANNEL_EVENT_COLUMNS: &str = "SELECT e.id, e.body, e.seq, m.session_id, m.seq,
        m.author_kind, m.author_id, m.author_name, m.body, m.client_msg_id, m.created_at,
        m.internal, e.session_id, e.customer_id, ic.external_id";

/// An integration's events after a cursor: the events after it are walked in id order (the
/// webhook's cursor is near the head, so they are few), each checked against the
/// integration's customers. CROSS JOIN keeps SQLite from walking every customer's events
/// instead and sorting them.
fn integration_events_sql() -> String {
    format!(
        "{CHANNEL_EVENT_COLUMNS}
         FROM events e
         CROSS JOIN integration_customers ic ON ic.customer_id = e.customer_id
         LEFT JOIN messages m ON m.session_id = e.session_id AND m.seq = e.seq
         WHERE ic.integration_id = ?1 AND e.id > ?2 AND ?3 IS NULL AND m.internal IS NOT 1
         ORDER BY e.id LIMIT ?4"
    )
}

/// One conversation's events after a cursor, by its customer's event index.
fn session_events_sql() -> String {
    format!(
        "{CHANNEL_EVENT_COLUMNS}
         FROM events e
         JOIN integration_customers ic ON ic.customer_id = e.customer_id
         LEFT JOIN messages m ON m.session_id = e.session_id AND m.seq = e.seq
         WHERE e.customer_id = (SELECT customer_id FROM sessions WHERE id = ?3)
            AND e.id > ?2 AND e.session_id = ?3 AND ic.integration_id = ?1 AND m.internal IS NOT 1
         ORDER BY e.id LIMIT ?4"
    )
}

fn channel_event(r: &Row) -> Res<ChannelEvent> {
    let (id, body) = rows::event(r)?;
    Ok(ChannelEvent {
        id,
        body,
        session: r.get(12)?,
        customer: r.get(13)?,
        external_id: r.get(14)?,
    })
}

impl IntegrationRead for SqliteConn<'_> {
    fn integration(&mut self, name: &str) -> Result<Option<Integration>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!("{INTEGRATION_SELECT} WHERE name = ?1"))?;
            Ok(collect(&mut stmt, [name], integration)?.pop())
        })
    }

    fn list_integrations(&mut self) -> Result<Vec<Integration>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!("{INTEGRATION_SELECT} ORDER BY name"))?;
            collect(&mut stmt, [], integration)
        })
    }

    fn integration_customer(
        &mut self,
        integration: i64,
        external_id: &str,
    ) -> Result<Option<CustomerView>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "{CUSTOMER_SELECT} WHERE c.id = (SELECT customer_id FROM integration_customers
                    WHERE integration_id = ?1 AND external_id = ?2)"
            ))?;
            Ok(collect(&mut stmt, params![integration, external_id], |r| {
                rows::customer(r, 0)
            })?
            .pop())
        })
    }

    fn customer_integration(&mut self, customer: CustomerId) -> Result<Option<(i64, String)>> {
        self.run(|c| {
            Ok(c.prepare_cached(
                "SELECT integration_id, external_id FROM integration_customers
                 WHERE customer_id = ?1",
            )?
            .query_row([customer], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
        })
    }

    fn idempotent_answer(
        &mut self,
        integration: i64,
        key: &str,
    ) -> Result<Option<IdempotentAnswer>> {
        self.run(|c| {
            Ok(c.prepare_cached(
                "SELECT body_sha256, answer FROM api_idempotency
                 WHERE integration_id = ?1 AND key = ?2",
            )?
            .query_row(params![integration, key], |r| {
                Ok(IdempotentAnswer {
                    body_sha256: r.get(0)?,
                    answer: r.get(1)?,
                })
            })
            .optional()?)
        })
    }

    fn channel_events(
        &mut self,
        integration: i64,
        session: Option<SessionId>,
        cursor: i64,
        limit: u32,
    ) -> Result<Vec<ChannelEvent>> {
        self.run(|c| {
            let sql = match session {
                None => integration_events_sql(),
                Some(_) => session_events_sql(),
            };
            let mut stmt = c.prepare_cached(&sql)?;
            collect(
                &mut stmt,
                params![integration, cursor, session, limit],
                channel_event,
            )
        })
    }

    fn newest_event_id(&mut self) -> Result<i64> {
        self.run(|c| {
            Ok(c.prepare_cached("SELECT COALESCE(MAX(id), 0) FROM events")?
                .query_row([], |r| r.get(0))?)
        })
    }
}

impl IntegrationTx for SqliteConn<'_> {
    fn insert_integration(&mut self, i: &Integration, now: Millis) -> Result<i64> {
        if self.integration(&i.name)?.is_some() {
            return Err(StoreError::Conflict(format!(
                "integration `{}` already exists",
                i.name
            )));
        }
        self.run(|c| {
            c.execute(
                "INSERT INTO integrations (name, channel, webhook_url, secret, webhook_cursor,
                    created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    i.name,
                    i.channel.as_str(),
                    i.webhook_url,
                    i.secret,
                    i.webhook_cursor,
                    now
                ],
            )?;
            Ok(c.last_insert_rowid())
        })
    }

    fn rotate_secret(&mut self, name: &str, secret: &str, previous_until: Millis) -> Result<()> {
        self.run(|c| {
            let n = c.execute(
                "UPDATE integrations SET previous_secret = secret, previous_until = ?3,
                    secret = ?2 WHERE name = ?1",
                params![name, secret, previous_until],
            )?;
            if n == 0 {
                return Err(not_found(name));
            }
            Ok(())
        })
    }

    fn delete_integration(&mut self, name: &str) -> Result<()> {
        self.run(|c| {
            let n = c.execute("DELETE FROM integrations WHERE name = ?1", [name])?;
            if n == 0 {
                return Err(not_found(name));
            }
            Ok(())
        })
    }

    fn insert_integration_customer(
        &mut self,
        integration: i64,
        external_id: &str,
        customer: CustomerId,
    ) -> Result<()> {
        self.run(|c| {
            c.prepare_cached(
                "INSERT INTO integration_customers (integration_id, external_id, customer_id)
                 VALUES (?1, ?2, ?3)",
            )?
            .execute(params![integration, external_id, customer])?;
            Ok(())
        })
    }

    fn put_idempotent_answer(
        &mut self,
        integration: i64,
        key: &str,
        answer: &IdempotentAnswer,
        now: Millis,
    ) -> Result<(IdempotentAnswer, bool)> {
        if let Some(stored) = self.idempotent_answer(integration, key)? {
            return Ok((stored, false));
        }
        self.run(|c| {
            c.prepare_cached(
                "INSERT INTO api_idempotency (integration_id, key, body_sha256, answer,
                    created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                integration,
                key,
                answer.body_sha256,
                answer.answer,
                now
            ])?;
            Ok(())
        })?;
        Ok((answer.clone(), true))
    }

    fn advance_webhook_cursor(&mut self, integration: i64, cursor: i64) -> Result<()> {
        self.run(|c| {
            c.prepare_cached(
                "UPDATE integrations SET webhook_cursor = MAX(webhook_cursor, ?2) WHERE id = ?1",
            )?
            .execute(params![integration, cursor])?;
            Ok(())
        })
    }
}

fn not_found(name: &str) -> SqlError {
    SqlError::Store(StoreError::NotFound(format!("no integration `{name}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(sql: &str) -> String {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        for m in crate::store::migrations::MIGRATIONS {
            c.execute_batch(m).unwrap();
        }
        let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(params![1, 0, 3, 100], |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("\n")
    }

    /// The webhook walks the events after its cursor (few) rather than every event of every
    /// customer of the integration (sorted each poll); the catch-up uses the customer's index.
    #[test]
    fn the_event_queries_use_the_cheap_plans() {
        let webhook = plan(&integration_events_sql());
        assert!(
            webhook.starts_with("SEARCH e USING INTEGER PRIMARY KEY"),
            "{webhook}"
        );
        assert!(!webhook.contains("TEMP B-TREE"), "{webhook}");
        let session = plan(&session_events_sql());
        assert!(
            session.starts_with("SEARCH e USING INDEX events_customer"),
            "{session}"
        );
    }
}
