//! [`EndingRead`] on SQLite: tag counts over the newest conversations' `tags` JSON lists.

use super::reads::SqliteConn;
use crate::store::Result;
use crate::store::ending::{EndingRead, TAG_WINDOW};

impl EndingRead for SqliteConn<'_> {
    fn popular_tags(&mut self, prefix: &str, limit: u32) -> Result<Vec<(String, u64)>> {
        self.run(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT j.value, COUNT(*) AS n
                   FROM (SELECT tags FROM sessions ORDER BY id DESC LIMIT ?1) s,
                        json_each(s.tags) j
                  WHERE j.type = 'text'
                    AND lower(substr(j.value, 1, length(?2))) = lower(?2)
                  GROUP BY j.value
                  ORDER BY n DESC, j.value
                  LIMIT ?3",
            )?;
            let rows = stmt.query_map(rusqlite::params![TAG_WINDOW, prefix, limit], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (tag, n) = row?;
                out.push((tag, u64::try_from(n).unwrap_or(0)));
            }
            Ok(out)
        })
    }
}
