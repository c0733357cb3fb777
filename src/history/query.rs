//! A `history.search` request checked and bounded: what the store's search runs. Every
//! refusal is a sentence for the user (the server answers it as `invalid`).

use super::text::{self, TextQuery};
use crate::model::{Channel, EndReason, Millis, SessionId};
use crate::protocol::{HISTORY_PAGE, HISTORY_PAGE_MAX, HistorySearch};

/// Most tags one search may require.
pub const MAX_TAGS: usize = 10;
/// Longest customer, tag, agent, group or intent filter, in characters.
pub const MAX_FIELD_CHARS: usize = 100;

/// Who a customer filter names: an id (`#42`, or a number, which may also be an external id
/// or part of a nickname), or an external id / part of a nickname.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerFilter {
    pub id: Option<i64>,
    /// `None` for `#42` (an id only).
    pub text: Option<String>,
}

/// A checked search.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub text: Option<TextQuery>,
    pub customer: Option<CustomerFilter>,
    pub after: Option<Millis>,
    pub before: Option<Millis>,
    pub tags: Vec<String>,
    /// A username.
    pub agent: Option<String>,
    pub group: Option<String>,
    pub channel: Option<Channel>,
    pub outcome: Option<EndReason>,
    pub csat_min: Option<u8>,
    pub csat_max: Option<u8>,
    pub intent: Option<String>,
    pub open: Option<bool>,
    /// Conversations with an id below this.
    pub before_id: SessionId,
    pub limit: u32,
}

impl Query {
    /// Whether anything but the text and the page narrows the search.
    pub fn has_filters(&self) -> bool {
        self.customer.is_some()
            || self.after.is_some()
            || self.before.is_some()
            || !self.tags.is_empty()
            || self.agent.is_some()
            || self.group.is_some()
            || self.channel.is_some()
            || self.outcome.is_some()
            || self.csat_min.is_some()
            || self.csat_max.is_some()
            || self.intent.is_some()
            || self.open.is_some()
    }
}

/// Checks a request; the error says what is wrong.
pub fn check(q: &HistorySearch) -> Result<Query, String> {
    let text = match q.text.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => Some(text::parse(t).map_err(|e| e.to_string())?),
    };
    let limit = q.limit.unwrap_or(HISTORY_PAGE);
    if !(1..=HISTORY_PAGE_MAX).contains(&limit) {
        return Err(format!(
            "limit must be 1 to {HISTORY_PAGE_MAX}, not {limit}"
        ));
    }
    for (name, v) in [("csat_min", q.csat_min), ("csat_max", q.csat_max)] {
        if let Some(v) = v
            && !(1..=5).contains(&v)
        {
            return Err(format!("{name} must be 1 to 5 stars, not {v}"));
        }
    }
    if let (Some(a), Some(b)) = (q.csat_min, q.csat_max)
        && a > b
    {
        return Err(format!("csat_min {a} is above csat_max {b}"));
    }
    if let (Some(a), Some(b)) = (q.after, q.before)
        && a >= b
    {
        return Err("`after` must be before `before`".into());
    }
    if q.tags.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags"));
    }
    let field = |name: &str, v: &Option<String>| -> Result<Option<String>, String> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) if s.chars().count() > MAX_FIELD_CHARS => Err(format!(
                "{name} is longer than {MAX_FIELD_CHARS} characters"
            )),
            Some(s) => Ok(Some(s.to_string())),
        }
    };
    let mut tags = Vec::new();
    for t in &q.tags {
        if let Some(t) = field("a tag", &Some(t.clone()))?
            && !tags.contains(&t)
        {
            tags.push(t);
        }
    }
    let customer = field("customer", &q.customer)?.map(|c| customer_filter(&c));
    if let Some(before_id) = q.before_id
        && before_id <= 0
    {
        return Err(format!("before_id must be positive, not {before_id}"));
    }
    Ok(Query {
        text,
        customer,
        after: q.after,
        before: q.before,
        tags,
        agent: field("agent", &q.agent)?,
        group: field("group", &q.group)?,
        channel: q.channel,
        outcome: q.outcome,
        csat_min: q.csat_min,
        csat_max: q.csat_max,
        intent: field("intent", &q.intent)?,
        open: q.open,
        before_id: q.before_id.unwrap_or(SessionId::MAX),
        limit,
    })
}

fn customer_filter(c: &str) -> CustomerFilter {
    if let Some(id) = c.strip_prefix('#') {
        return CustomerFilter {
            id: Some(id.trim().parse().unwrap_or(-1)),
            text: None,
        };
    }
    CustomerFilter {
        id: c.parse().ok(),
        text: Some(c.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_requests_say_why() {
        let bad = |q: HistorySearch| check(&q).unwrap_err();
        assert!(
            bad(HistorySearch {
                limit: Some(0),
                ..Default::default()
            })
            .contains("limit")
        );
        assert!(
            bad(HistorySearch {
                limit: Some(101),
                ..Default::default()
            })
            .contains("limit")
        );
        assert!(
            bad(HistorySearch {
                csat_min: Some(9),
                ..Default::default()
            })
            .contains("csat")
        );
        assert!(
            bad(HistorySearch {
                text: Some("x".repeat(201)),
                ..Default::default()
            })
            .contains("longer")
        );
        assert!(
            bad(HistorySearch {
                after: Some(5),
                before: Some(5),
                ..Default::default()
            })
            .contains("before")
        );
    }

    #[test]
    fn customers_by_id_or_words() {
        assert_eq!(
            customer_filter("#42"),
            CustomerFilter {
                id: Some(42),
                text: None
            }
        );
        assert_eq!(
            customer_filter("42"),
            CustomerFilter {
                id: Some(42),
                text: Some("42".into())
            }
        );
        assert_eq!(customer_filter("ali").id, None);
        let q = check(&HistorySearch::default()).unwrap();
        assert_eq!(
            (q.limit, q.before_id, q.has_filters()),
            (HISTORY_PAGE, SessionId::MAX, false)
        );
    }
}
