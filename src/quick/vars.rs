//! Quick-reply variables: `{customer.nickname}` and friends, filled in when an agent inserts a
//! reply. `{{` and `}}` stand for literal braces. A `{name}` whose name is not a known variable
//! is left as typed and reported (the agent sees it before sending; saving refuses it). Braces
//! that do not form `{name}` (a lone `{`, `{ two words }`, `{}`) are plain text.

/// Every variable, with what it stands for (shown in the manager's help line and in errors).
pub const VARIABLES: &[(&str, &str)] = &[
    ("customer.nickname", "the customer's nickname"),
    ("customer.id", "the customer's id"),
    ("agent.name", "your display name"),
    ("agent.username", "your username"),
    ("agent.signature", "your signature (Account screen, f10)"),
    ("session.id", "the conversation's id"),
    ("session.group", "the conversation's skill group"),
    ("date", "today's date (YYYY-MM-DD, the console's time zone)"),
    ("time", "the time now (HH:MM, the console's time zone)"),
    ("customer", "same as customer.nickname"),
    ("agent", "same as agent.name"),
];

/// The longest name a `{…}` may hold to count as a variable reference.
const MAX_NAME_CHARS: usize = 32;

/// The values at hand when a reply is inserted; `None` where there is none (no conversation
/// selected, say): such a variable is left as typed and reported as missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    pub customer_nickname: Option<String>,
    pub customer_id: Option<String>,
    pub agent_name: Option<String>,
    pub agent_username: Option<String>,
    pub agent_signature: Option<String>,
    pub session_id: Option<String>,
    pub session_group: Option<String>,
    pub date: Option<String>,
    pub time: Option<String>,
}

impl Vars {
    /// The value of a known variable (`Some(None)`: known, no value now); `None` if unknown.
    fn get(&self, name: &str) -> Option<Option<&str>> {
        let v = match name {
            "customer.nickname" | "customer" => &self.customer_nickname,
            "customer.id" => &self.customer_id,
            "agent.name" | "agent" => &self.agent_name,
            "agent.username" => &self.agent_username,
            "agent.signature" => &self.agent_signature,
            "session.id" => &self.session_id,
            "session.group" => &self.session_group,
            "date" => &self.date,
            "time" => &self.time,
            _ => return None,
        };
        Some(v.as_deref())
    }

    /// `date` and `time` from a local date-time (the console's clock and time zone).
    pub fn with_clock(mut self, now: &jiff::ZonedDateTime) -> Vars {
        self.date = Some(now.strftime("%Y-%m-%d").to_string());
        self.time = Some(now.strftime("%H:%M").to_string());
        self
    }

    /// `date` and `time` at `now` (ms since the epoch) in the system's time zone.
    pub fn with_local_clock(self, now: crate::model::Millis) -> Vars {
        match jiff::Timestamp::from_millisecond(now) {
            Ok(ts) => self.with_clock(&ts.to_zoned_datetime(jiff::tz::TimeZone::system())),
            Err(_) => self,
        }
    }
}

/// A reply with its variables filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filled {
    pub text: String,
    /// Names in `{…}` that are not variables, left as typed (each once, in order).
    pub unknown: Vec<String>,
    /// Known variables with no value at hand, left as typed (each once, in order).
    pub missing: Vec<String>,
}

impl Filled {
    /// Whether everything was filled.
    pub fn complete(&self) -> bool {
        self.unknown.is_empty() && self.missing.is_empty()
    }
}

/// One piece of a reply body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    /// `{name}`: the name, and the text as typed (with its braces).
    Var(&'a str, &'a str),
}

/// Splits a body into text and `{name}` references; `{{`/`}}` become one brace of text.
fn pieces(body: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut start = 0; // start of the pending text
    let mut i = 0;
    let bytes = body.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'}' if bytes.get(i + 1) == Some(&bytes[i]) => {
                out.push(Piece::Text(&body[start..i + 1]));
                i += 2;
                start = i;
            }
            b'{' => {
                let rest = &body[i + 1..];
                let end = rest.find(['{', '}']);
                match end {
                    Some(e) if rest.as_bytes()[e] == b'}' && is_name(&rest[..e]) => {
                        out.push(Piece::Text(&body[start..i]));
                        out.push(Piece::Var(&rest[..e], &body[i..i + e + 2]));
                        i += e + 2;
                        start = i;
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    out.push(Piece::Text(&body[start..]));
    out.retain(|p| *p != Piece::Text(""));
    out
}

/// What counts as a variable reference between braces: no spaces, not empty, short.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= MAX_NAME_CHARS
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Fills the variables of `body` from `vars`.
pub fn fill(body: &str, vars: &Vars) -> Filled {
    let mut f = Filled::default();
    for p in pieces(body) {
        match p {
            Piece::Text(t) => f.text.push_str(t),
            Piece::Var(name, typed) => match vars.get(name) {
                Some(Some(v)) => f.text.push_str(v),
                Some(None) => {
                    f.text.push_str(typed);
                    push_once(&mut f.missing, name);
                }
                None => {
                    f.text.push_str(typed);
                    push_once(&mut f.unknown, name);
                }
            },
        }
    }
    f
}

fn push_once(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_string());
    }
}

/// The names in `{…}` of `body` that are not variables (each once, in order).
pub fn unknown_variables(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in pieces(body) {
        if let Piece::Var(name, _) = p
            && Vars::default().get(name).is_none()
        {
            push_once(&mut out, name);
        }
    }
    out
}

/// The variable names, comma-separated, for messages.
pub fn variable_list() -> String {
    VARIABLES
        .iter()
        .map(|(n, _)| format!("{{{n}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        Vars {
            customer_nickname: Some("小明".into()),
            customer_id: Some("42".into()),
            agent_name: Some("Alice 王".into()),
            agent_username: Some("alice".into()),
            agent_signature: Some("— Alice, 售后".into()),
            session_id: Some("7".into()),
            session_group: Some("售后".into()),
            date: Some("2026-01-02".into()),
            time: Some("09:05".into()),
        }
    }

    #[test]
    fn every_variable_and_alias_is_filled() {
        let f = fill(
            "{customer.nickname}/{customer}/{customer.id}/{agent.name}/{agent}/{agent.username}/\
             {agent.signature}/{session.id}/{session.group}/{date} {time}",
            &vars(),
        );
        assert_eq!(
            f.text,
            "小明/小明/42/Alice 王/Alice 王/alice/— Alice, 售后/7/售后/2026-01-02 09:05"
        );
        assert!(f.complete());
    }

    #[test]
    fn cjk_text_around_variables_is_kept() {
        let f = fill("您好{customer}，我是{agent.name}。请稍等～", &vars());
        assert_eq!(f.text, "您好小明，我是Alice 王。请稍等～");
    }

    #[test]
    fn doubled_braces_are_literal() {
        let f = fill("{{customer}} is {customer}; }} and {{", &vars());
        assert_eq!(f.text, "{customer} is 小明; } and {");
        assert!(f.complete());
        assert!(unknown_variables("{{not.a.var}}").is_empty());
    }

    #[test]
    fn unknown_variables_are_left_and_reported_once() {
        let f = fill("Hi {custmer}, {订单号} and {custmer} again", &vars());
        assert_eq!(f.text, "Hi {custmer}, {订单号} and {custmer} again");
        assert_eq!(f.unknown, ["custmer", "订单号"]);
        assert_eq!(unknown_variables("x {foo} {agent}"), ["foo"]);
    }

    #[test]
    fn variables_without_a_value_are_left_and_reported_missing() {
        let f = fill("Session {session.id} for {customer}", &Vars::default());
        assert_eq!(f.text, "Session {session.id} for {customer}");
        assert_eq!(f.missing, ["session.id", "customer"]);
        assert!(f.unknown.is_empty());
    }

    #[test]
    fn malformed_braces_are_plain_text() {
        for s in [
            "a { b",
            "a } b",
            "{}",
            "{ customer }",
            "{customer",
            "customer}",
            "{{{",
            "}}}",
            "{a{customer}",
            "价格 {",
            "😀{",
        ] {
            let f = fill(s, &vars());
            assert!(f.unknown.is_empty(), "{s}: {:?}", f.unknown);
            assert!(unknown_variables(s).is_empty(), "{s}");
        }
        assert_eq!(fill("{ customer }", &vars()).text, "{ customer }");
        assert_eq!(fill("{a{customer}", &vars()).text, "{a小明");
        assert_eq!(fill("{{{customer}", &vars()).text, "{小明");
        assert_eq!(fill("{customer}}}", &vars()).text, "小明}");
        assert_eq!(fill("价格 {", &vars()).text, "价格 {");
    }

    #[test]
    fn a_long_brace_run_is_text() {
        let long = format!("{{{}}}", "x".repeat(40));
        assert!(unknown_variables(&long).is_empty());
        assert_eq!(fill(&long, &vars()).text, long);
    }

    #[test]
    fn the_clock_fills_date_and_time() {
        let now: jiff::ZonedDateTime = "2026-03-04T05:06:07+08:00[Asia/Shanghai]".parse().unwrap();
        let v = Vars::default().with_clock(&now);
        assert_eq!(fill("{date} {time}", &v).text, "2026-03-04 05:06");
    }
}
