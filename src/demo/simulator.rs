//! Simulated customers over the real customer endpoint. Every few seconds a customer (a seeded
//! one, so VIPs and complaint customers are recognised, or an anonymous visitor) starts a
//! conversation, writes, answers the agent from a script, sometimes goes quiet, and rates the
//! conversation when it ends. Network trouble is logged, never fatal.

use super::scripts::{self, Persona, Progress, Script};
use super::{DemoCustomer, Lang, SeedInfo};
use crate::client::{Client, ClientError};
use crate::model::{AuthorKind, Channel};
use crate::protocol::{ErrorCode, Event, ServerFrame};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// How busy the simulated customers are.
#[derive(Debug, Clone)]
pub struct Pace {
    /// Gap between two new conversations, picked at random in this range.
    pub start_every: (Duration, Duration),
    /// How long a customer takes to answer an agent (or to write their next opening line).
    pub reply_delay: (Duration, Duration),
    /// Most conversations open at once.
    pub max_open: usize,
    /// Chance that a customer stops answering after their first reply (pending follow-up).
    pub quiet_chance: f64,
    /// Chance that a conversation is an anonymous visitor rather than a seeded customer.
    pub anonymous_chance: f64,
    /// A customer who hears nothing from an agent for this long gives up and disconnects.
    pub patience: Duration,
    /// The server's `auth.customer_identity_secret`: seeded customers' external ids are signed
    /// with it, as a shop's backend would. `None` for a server that takes them unsigned.
    pub identity_secret: Option<String>,
}

impl Pace {
    /// A pace a person at the console can keep up with.
    pub fn demo() -> Pace {
        Pace {
            start_every: (Duration::from_secs(8), Duration::from_secs(25)),
            reply_delay: (Duration::from_secs(2), Duration::from_secs(8)),
            max_open: 6,
            quiet_chance: 0.15,
            anonymous_chance: 0.25,
            patience: Duration::from_secs(15 * 60),
            identity_secret: None,
        }
    }

    /// For tests: conversations start at once, answers come within a fraction of a second,
    /// and nobody goes quiet.
    pub fn fast() -> Pace {
        Pace {
            start_every: (Duration::from_millis(50), Duration::from_millis(150)),
            reply_delay: (Duration::from_millis(50), Duration::from_millis(200)),
            max_open: 6,
            quiet_chance: 0.0,
            anonymous_chance: 0.25,
            patience: Duration::from_secs(60),
            identity_secret: None,
        }
    }
}

/// How often loops look at the shutdown flag at the latest.
const TICK: Duration = Duration::from_millis(200);
/// Reconnection attempts for a conversation whose connection dropped.
const RECONNECTS: u32 = 3;

/// Runs until `shutdown` becomes true (or its sender is dropped), then closes every simulated
/// customer within about a second. `base_url` is the server, e.g. `ws://127.0.0.1:7800`
/// (`http://` also works); customers connect to `{base_url}/ws/customer`.
pub async fn run(
    base_url: String,
    info: SeedInfo,
    pace: Pace,
    mut shutdown: watch::Receiver<bool>,
) {
    let url = customer_url(&base_url);
    let mut tasks: JoinSet<Option<String>> = JoinSet::new();
    // Seeded customers in a conversation now: one customer has one open conversation.
    let mut busy: HashSet<String> = HashSet::new();
    let mut next_start = Instant::now();
    while !stopping(&shutdown) {
        while let Some(done) = tasks.try_join_next() {
            match done {
                Ok(Some(external_id)) => {
                    busy.remove(&external_id);
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "a simulated customer task failed"),
            }
        }
        if Instant::now() >= next_start && tasks.len() < pace.max_open {
            let plan = Plan::pick(&info.customers, &busy, &pace);
            if let Some(c) = &plan.customer {
                busy.insert(c.clone());
            }
            tasks.spawn(conversation(
                url.clone(),
                plan,
                pace.clone(),
                shutdown.clone(),
            ));
            next_start = Instant::now() + random_between(pace.start_every);
        }
        pause(TICK, &mut shutdown).await;
    }
    // Conversations notice the flag within a tick; whatever is still stuck is cut off.
    let drain = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(1), drain)
        .await
        .is_err()
    {
        tasks.abort_all();
    }
}

fn customer_url(base: &str) -> String {
    let base = base.trim_end_matches('/');
    let base = if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else {
        base.to_string()
    };
    if base.ends_with("/ws/customer") {
        base
    } else {
        format!("{base}/ws/customer")
    }
}

fn stopping(shutdown: &watch::Receiver<bool>) -> bool {
    *shutdown.borrow() || shutdown.has_changed().is_err()
}

/// Sleeps for `d` unless shutdown comes first; false when it is time to stop.
async fn pause(d: Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    let slept = tokio::select! {
        _ = tokio::time::sleep(d) => true,
        _ = shutdown.wait_for(|s| *s) => false,
    };
    slept && !stopping(shutdown)
}

fn random_between((lo, hi): (Duration, Duration)) -> Duration {
    if hi <= lo {
        return lo;
    }
    Duration::from_millis(rand::random_range(
        lo.as_millis() as u64..=hi.as_millis() as u64,
    ))
}

/// True with probability `p`; anything outside (0, 1], NaN included, counts as never/always.
fn chance(p: f64) -> bool {
    p > 0.0 && (p >= 1.0 || rand::random_bool(p))
}

fn pick<T: Copy>(items: &[T]) -> Option<T> {
    (!items.is_empty()).then(|| items[rand::random_range(0..items.len())])
}

/// Who starts the next conversation and what they will say.
struct Plan {
    /// External id of the seeded customer played, if any.
    customer: Option<String>,
    nickname: String,
    channel: Channel,
    script: &'static Script,
    order_no: String,
    quiet: bool,
}

impl Plan {
    fn pick(customers: &[DemoCustomer], busy: &HashSet<String>, pace: &Pace) -> Plan {
        let free: Vec<&DemoCustomer> = customers
            .iter()
            .filter(|c| !busy.contains(&c.external_id))
            .collect();
        let seeded = pick(&free).filter(|_| !chance(pace.anonymous_chance));
        let (customer, nickname, channel, lang, persona) = match seeded {
            Some(c) => {
                let persona = if c.complaint {
                    Persona::Complaint
                } else if c.vip {
                    Persona::Vip
                } else {
                    Persona::Normal
                };
                (
                    Some(c.external_id.clone()),
                    c.nickname.clone(),
                    c.channel,
                    c.lang,
                    persona,
                )
            }
            None => {
                let lang = if chance(0.5) { Lang::Zh } else { Lang::En };
                let names = if lang == Lang::Zh {
                    scripts::GUESTS_ZH
                } else {
                    scripts::GUESTS_EN
                };
                let name = pick(names).unwrap_or("guest").to_string();
                let channel = pick(&[Channel::Web, Channel::App, Channel::MiniProgram])
                    .unwrap_or(Channel::Web);
                (None, name, channel, lang, Persona::Normal)
            }
        };
        let candidates = scripts::scripts_for(lang, persona);
        let script = pick(&candidates)
            .or_else(|| pick(&scripts::scripts_for(lang, Persona::Normal)))
            .unwrap_or(&scripts::SCRIPTS[0]);
        Plan {
            customer,
            nickname,
            channel,
            script,
            order_no: format!("DD{}", rand::random_range(2_024_000_000u64..2_025_999_999)),
            quiet: chance(pace.quiet_chance),
        }
    }
}

/// One customer's conversation, start to rating. Returns the seeded customer's external id so
/// `run` can let them start another one.
async fn conversation(
    url: String,
    plan: Plan,
    pace: Pace,
    shutdown: watch::Receiver<bool>,
) -> Option<String> {
    let who = plan.nickname.clone();
    match converse(&url, &plan, &pace, shutdown).await {
        Ok(()) => tracing::debug!(customer = %who, "simulated conversation over"),
        Err(e) => tracing::warn!(customer = %who, error = %e, "simulated conversation dropped"),
    }
    plan.customer
}

async fn connect(url: &str) -> Result<Client, ClientError> {
    let mut c = tokio::time::timeout(Duration::from_secs(5), Client::connect(url))
        .await
        .map_err(|_| ClientError::Timeout)??;
    c.timeout = Duration::from_secs(5);
    Ok(c)
}

/// A connected customer in one session.
struct Customer {
    client: Client,
    url: String,
    token: Option<String>,
    session: i64,
    sent: u32,
    /// The answering bot has the conversation (until it hands off).
    with_bot: bool,
}

impl Customer {
    async fn start(url: &str, plan: &Plan, secret: Option<&str>) -> Result<Customer, ClientError> {
        let mut client = connect(url).await?;
        let mut fields = json!({
            "channel": plan.channel,
            "nickname": plan.nickname,
            "external_id": plan.customer,
            "group": plan.script.group,
        });
        if let (Some(ext), Some(secret)) = (&plan.customer, secret) {
            let expires = crate::model::now_ms() / 1000 + 300;
            fields["external_id_expires"] = json!(expires);
            fields["external_id_signature"] =
                json!(crate::auth::sign_customer_identity(secret, ext, expires));
        }
        let reply = match client.call("customer.start", fields.clone()).await {
            // A server without the demo groups: go to its default group instead.
            Err(ClientError::Api(e)) if e.code == ErrorCode::NotFound => {
                fields["group"] = Value::Null;
                client.call("customer.start", fields).await?
            }
            other => other?,
        };
        let session = reply["session_id"]
            .as_i64()
            .ok_or_else(|| ClientError::Decode(format!("customer.start gave {reply}")))?;
        client.cursor = client.cursor.max(reply["cursor"].as_i64().unwrap_or(0));
        Ok(Customer {
            client,
            url: url.to_string(),
            token: reply["token"].as_str().map(str::to_string),
            session,
            sent: 0,
            with_bot: reply["state"] == "bot",
        })
    }

    async fn say(&mut self, text: &str) -> Result<(), ClientError> {
        self.sent += 1;
        let fields = json!({
            "session_id": self.session,
            "client_msg_id": format!("sim-{}-{}", self.session, self.sent),
            "body": text,
        });
        self.client.call("message.send", fields).await.map(|_| ())
    }

    /// After a dropped connection: reconnect and resume from the last cursor seen, so no
    /// agent message is missed. Gives up after a few tries.
    async fn reconnect(&mut self, shutdown: &mut watch::Receiver<bool>) -> Result<(), ClientError> {
        let token = self.token.clone().ok_or(ClientError::Closed)?;
        let mut backoff = Duration::from_millis(500);
        for attempt in 1..=RECONNECTS {
            if !pause(backoff, shutdown).await {
                return Err(ClientError::Closed);
            }
            backoff *= 2;
            let resumed = async {
                let mut c = connect(&self.url).await?;
                c.cursor = self.client.cursor;
                c.call(
                    "customer.resume",
                    json!({"token": token, "cursor": self.client.cursor}),
                )
                .await?;
                Ok::<_, ClientError>(c)
            };
            match resumed.await {
                Ok(c) => {
                    self.client = c;
                    return Ok(());
                }
                Err(e) => tracing::info!(attempt, error = %e, "simulated customer reconnecting"),
            }
        }
        Err(ClientError::Closed)
    }
}

async fn converse(
    url: &str,
    plan: &Plan,
    pace: &Pace,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), ClientError> {
    let mut me = Customer::start(url, plan, pace.identity_secret.as_deref()).await?;
    tracing::info!(customer = %plan.nickname, session = me.session, group = plan.script.group, "simulated customer writes");
    for (i, line) in plan.script.opening.iter().enumerate() {
        if i > 0 && !pause(random_between(pace.reply_delay), &mut shutdown).await {
            return Ok(());
        }
        me.say(line).await?;
    }
    let mut progress = Progress::default();
    let mut heard = String::new();
    let mut due: Option<Instant> = None;
    let mut replies = 0u32;
    let mut bot_heard = 0u32;
    let mut last_news = Instant::now();
    while !stopping(&shutdown) {
        if last_news.elapsed() > pace.patience {
            tracing::info!(customer = %plan.nickname, "simulated customer ran out of patience");
            break;
        }
        let wait = due.map_or(TICK, |d| {
            d.saturating_duration_since(Instant::now()).min(TICK)
        });
        match me.client.next_frame(wait).await {
            Ok(ServerFrame::Event { event, .. }) => match event {
                Event::AgentJoined { session_id, .. } if session_id == me.session => {
                    last_news = Instant::now();
                }
                Event::Message { message }
                    if message.session_id == me.session
                        && message.author_kind != AuthorKind::Customer =>
                {
                    last_news = Instant::now();
                    match with_the_bot(&mut me, plan, &message, &mut bot_heard).await? {
                        BotTurn::Agent => {}
                        BotTurn::Skip => continue,
                        BotTurn::Done => break,
                    }
                    heard.push_str(&message.body);
                    heard.push('\n');
                    let quiet = (plan.quiet && replies >= 1) || progress.done();
                    if due.is_none() && !quiet {
                        due = Some(Instant::now() + random_between(pace.reply_delay));
                        // Best effort: the agent sees "typing…" while the customer "thinks".
                        let typing = json!({"session_id": me.session, "active": true});
                        let _ = me.client.send("typing", typing).await;
                    }
                }
                Event::SessionEnded {
                    session_id, survey, ..
                } if session_id == me.session => {
                    if survey && pause(random_between(pace.reply_delay), &mut shutdown).await {
                        rate(&mut me, plan).await;
                    }
                    break;
                }
                _ => {}
            },
            Ok(_) | Err(ClientError::Timeout) => {}
            Err(ClientError::Api(e)) => {
                tracing::debug!(error = %e, "simulated customer got an error")
            }
            Err(e) => {
                tracing::info!(customer = %plan.nickname, error = %e, "simulated customer lost the connection");
                me.reconnect(&mut shutdown).await?;
            }
        }
        if due.is_some_and(|d| Instant::now() >= d) {
            due = None;
            if let Some(line) = progress.next_line(plan.script, &heard) {
                me.say(&line.replace("{order}", &plan.order_no)).await?;
                replies += 1;
            }
            heard.clear();
        }
    }
    me.client.close().await;
    Ok(())
}

/// What a simulated customer does with a message while the answering bot has them.
enum BotTurn {
    /// Not the bot's (or the bot answered and the script goes on): answer as to an agent.
    Agent,
    /// Nothing to answer (the greeting, the hand-off line, a request for a person just sent).
    Skip,
    /// Satisfied by the bot's answer: thanked it and ended the conversation.
    Done,
}

/// Chance that a customer whom the bot answered is satisfied and leaves.
const SATISFIED_BY_BOT: f64 = 0.4;
/// Chance that a customer whom the bot answered asks for a person anyway.
const ASKS_FOR_PERSON: f64 = 0.3;

/// Keeps the demo lively with the bot in front: some customers are answered and leave (resolved
/// by the bot), some ask for a person, the rest go on with their script (the bot's fallbacks
/// then hand them off).
async fn with_the_bot(
    me: &mut Customer,
    plan: &Plan,
    message: &crate::protocol::MessageView,
    heard: &mut u32,
) -> Result<BotTurn, ClientError> {
    if !me.with_bot {
        return Ok(BotTurn::Agent);
    }
    let handed_off = message.author_kind == AuthorKind::System
        && message
            .client_msg_id
            .as_deref()
            .is_some_and(|c| c.starts_with("bot-"));
    if handed_off {
        me.with_bot = false;
        return Ok(BotTurn::Skip);
    }
    if message.author_kind != AuthorKind::Bot {
        return Ok(BotTurn::Agent);
    }
    *heard += 1;
    // The greeting, or the honest "I don't know": the script goes on (or waits).
    if *heard == 1 {
        return Ok(BotTurn::Skip);
    }
    let roll: f64 = rand::random();
    let answered = !message.body.contains("转人工") && !message.body.contains("agent");
    if answered && roll < SATISFIED_BY_BOT {
        me.say(plan.script.thanks).await?;
        let end = json!({"session_id": me.session});
        me.client.call("session.end", end).await?;
        return Ok(BotTurn::Done);
    }
    if roll < SATISFIED_BY_BOT + ASKS_FOR_PERSON {
        me.say(match plan.script.lang {
            Lang::Zh => "还是帮我转人工吧",
            Lang::En => "Can I talk to a person, please?",
        })
        .await?;
        return Ok(BotTurn::Skip);
    }
    Ok(BotTurn::Agent)
}

/// Three to five stars: complaint customers stay grudging, VIPs are easy to please.
async fn rate(me: &mut Customer, plan: &Plan) {
    let stars: u8 = match plan.script.persona {
        Persona::Complaint => rand::random_range(3..=4),
        Persona::Vip => rand::random_range(4..=5),
        Persona::Normal => rand::random_range(3..=5),
    };
    let fields = json!({"session_id": me.session, "stars": stars});
    match me.client.call("session.rate", fields).await {
        Ok(_) => tracing::info!(customer = %plan.nickname, stars, "simulated customer rated"),
        Err(e) => tracing::debug!(error = %e, "simulated rating refused"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_point_at_the_customer_endpoint() {
        assert_eq!(customer_url("ws://h:1"), "ws://h:1/ws/customer");
        assert_eq!(customer_url("http://h:1/"), "ws://h:1/ws/customer");
        assert_eq!(customer_url("https://h"), "wss://h/ws/customer");
        assert_eq!(customer_url("ws://h/ws/customer"), "ws://h/ws/customer");
    }

    #[test]
    fn plans_never_reuse_a_busy_customer() {
        let info = SeedInfo::builtin();
        let busy: HashSet<String> = info.customers[1..]
            .iter()
            .map(|c| c.external_id.clone())
            .collect();
        let pace = Pace {
            anonymous_chance: 0.0,
            ..Pace::fast()
        };
        for _ in 0..50 {
            let plan = Plan::pick(&info.customers, &busy, &pace);
            assert_eq!(
                plan.customer.as_deref(),
                Some(info.customers[0].external_id.as_str())
            );
            // 张伟 is a VIP: the VIP script in Chinese.
            assert_eq!(
                (plan.script.persona, plan.script.lang),
                (Persona::Vip, Lang::Zh)
            );
        }
        let all: HashSet<String> = info
            .customers
            .iter()
            .map(|c| c.external_id.clone())
            .collect();
        assert!(Plan::pick(&info.customers, &all, &pace).customer.is_none());
    }
}
