//! `kefu bench --soak MINUTES`: the mixed workload of a real help desk, for long enough to see
//! leaks and growth. Conversations arrive at a fixed rate; each customer writes
//! `--chat-messages` messages, each answered by the agent who accepted the conversation, who
//! then ends it; the customer rates it. Every third customer drops their connection halfway
//! and resumes from their cursor; every agent drops and resumes every two minutes (staggered).
//! Every `--report-every` seconds a line ([`super::soak_report`]): the server's RSS,
//! descriptors, threads, database and WAL size, and the interval's send→ack latency and errors.

use super::process::{self, Kind, PASSWORD};
use super::soak_report::{self, Tally};
use crate::client::Client;
use crate::model::AuthorKind;
use crate::protocol::{Event, ServerFrame};
use anyhow::Context;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::time::Instant;

/// What a soak runs.
#[derive(Debug, Clone)]
pub struct Soak {
    pub length: Duration,
    pub agents: usize,
    /// New conversations per second.
    pub arrivals: f64,
    /// Customer messages per conversation (each gets one reply).
    pub messages: u32,
    pub report_every: Duration,
    /// `[storage] event_retention` of the server under test.
    pub retention: String,
}

/// How long a customer waits for any one step before counting an error and leaving.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);
/// Agents drop their connection and resume this often (staggered across agents).
const AGENT_RECONNECT: Duration = Duration::from_secs(120);

pub async fn run(s: Soak) -> anyhow::Result<()> {
    let extra = format!(
        "[storage]\nevent_retention = \"{}\"\n",
        s.retention.replace(['"', '\\', '\n'], "")
    );
    let server = process::start_with(Kind::Kefu, s.agents, 50, &extra).await?;
    let tally = Arc::new(Tally::default());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut agents = Vec::new();
    for i in 0..s.agents {
        let stagger = AGENT_RECONNECT.mul_f64((i as f64 + 1.0) / s.agents.max(1) as f64);
        agents.push(tokio::spawn(agent(
            server.url.clone(),
            i,
            s.messages,
            stagger,
            tally.clone(),
            stop_rx.clone(),
        )));
    }
    // Wait for every agent to be online before customers arrive.
    let ready = Instant::now() + Duration::from_secs(30);
    while tally.agents_online.load(Ordering::Relaxed) < s.agents as u64 {
        anyhow::ensure!(Instant::now() < ready, "the agents did not come online");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "soak: {:.1} min, {} agents, {} conversations/s, {} customer messages + {} replies each, \
         event_retention = {:?}; a line every {} s",
        s.length.as_secs_f64() / 60.0,
        s.agents,
        s.arrivals,
        s.messages,
        s.messages,
        s.retention,
        s.report_every.as_secs()
    );
    let reporter = tokio::spawn(soak_report::report(
        server.pid(),
        server.db_path(),
        tally.clone(),
        s.report_every,
        stop_rx.clone(),
    ));
    let started = Instant::now();
    let end = started + s.length;
    let every = Duration::from_secs_f64(1.0 / s.arrivals.max(0.001));
    let mut arrivals = tokio::time::interval(every);
    arrivals.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut customers = Vec::new();
    let mut n = 0u64;
    while Instant::now() < end {
        arrivals.tick().await;
        let url = server.url.clone();
        let tally = tally.clone();
        let messages = s.messages;
        customers.push(tokio::spawn(async move {
            tally.started.fetch_add(1, Ordering::Relaxed);
            if let Err(e) = conversation(&url, n, messages, &tally).await {
                tally.failed.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(error = %e, n, "a soak conversation failed");
            }
        }));
        customers.retain(|h| !h.is_finished());
        n += 1;
    }
    // The last conversations finish (each step has its own timeout).
    for c in customers {
        let _ = c.await;
    }
    let _ = stop_tx.send(true);
    for a in agents {
        let _ = a.await;
    }
    let rows = reporter.await.unwrap_or_default();
    let disk = process::disk_bytes(&server.db_path())?;
    let census = soak_report::census(&server.db_path())?;
    soak_report::summary(&rows, &tally, started.elapsed(), disk, &census);
    Ok(())
}

/// One customer's conversation, start to rating.
async fn conversation(url: &str, n: u64, messages: u32, tally: &Tally) -> anyhow::Result<()> {
    let customer_url = format!("{url}/ws/customer");
    let mut c = Client::connect(&customer_url).await?;
    c.timeout = STEP_TIMEOUT;
    let r = c
        .call(
            "customer.start",
            json!({"channel": "web", "nickname": format!("soak-{n}")}),
        )
        .await?;
    let session = r["session_id"].as_i64().context("no session id")?;
    let token = r["token"].as_str().context("no token")?.to_string();
    c.wait_event(STEP_TIMEOUT, |e| matches!(e, Event::AgentJoined { .. }))
        .await?;
    for k in 0..messages {
        if n.is_multiple_of(3) && k == messages / 2 {
            // Drop the connection and come back from the cursor.
            let cursor = c.cursor;
            c.close().await;
            c = Client::connect(&customer_url).await?;
            c.timeout = STEP_TIMEOUT;
            c.call("customer.resume", json!({"token": token, "cursor": cursor}))
                .await?;
            tally.resumes.fetch_add(1, Ordering::Relaxed);
        }
        let sent = Instant::now();
        let body = format!("question {k}: where is my order {n}?");
        let ack = c
            .call(
                "message.send",
                json!({"session_id": session, "client_msg_id": format!("c{k}"), "body": body}),
            )
            .await;
        match ack {
            Ok(_) => tally.acked(sent.elapsed()),
            Err(e) => {
                tally.errors.fetch_add(1, Ordering::Relaxed);
                return Err(e.into());
            }
        }
        c.wait_event(
            STEP_TIMEOUT,
            |e| matches!(e, Event::Message { message } if message.author_kind == AuthorKind::Agent),
        )
        .await?;
    }
    c.wait_event(STEP_TIMEOUT, |e| matches!(e, Event::SessionEnded { .. }))
        .await?;
    c.call(
        "session.rate",
        json!({"session_id": session, "stars": 1 + n % 5}),
    )
    .await?;
    tally.finished.fetch_add(1, Ordering::Relaxed);
    c.close().await;
    Ok(())
}

/// One agent: accepts every offer, answers every customer message, ends a conversation after
/// its last answer; drops and resumes its connection every [`AGENT_RECONNECT`].
async fn agent(
    url: String,
    i: usize,
    messages: u32,
    first_reconnect: Duration,
    tally: Arc<Tally>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let agent_url = format!("{url}/ws/agent");
    let Ok((mut c, token)) = agent_login(&agent_url, i).await else {
        tally.errors.fetch_add(1, Ordering::Relaxed);
        return;
    };
    tally.agents_online.fetch_add(1, Ordering::Relaxed);
    // Customer messages answered, per session; answers in flight: request id → sent at.
    let mut answered: HashMap<i64, u32> = HashMap::new();
    let mut in_flight: HashMap<u64, Instant> = HashMap::new();
    let mut reconnect_at = Instant::now() + first_reconnect;
    loop {
        let frame = tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep_until(reconnect_at) => {
                reconnect_at += AGENT_RECONNECT;
                let cursor = c.cursor;
                c.close().await;
                match agent_resume(&agent_url, &token, cursor).await {
                    Ok(next) => {
                        c = next;
                        tally.resumes.fetch_add(1, Ordering::Relaxed);
                        in_flight.clear();
                    }
                    Err(_) => {
                        tally.errors.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                }
                continue;
            }
            f = c.next_frame(Duration::from_secs(3600)) => match f {
                Ok(f) => f,
                Err(_) => {
                    tally.errors.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            },
        };
        match frame {
            ServerFrame::Event {
                event: Event::Offer { session, .. },
                ..
            } => {
                let _ = c
                    .send("session.accept", json!({"session_id": session.id}))
                    .await;
            }
            ServerFrame::Event {
                event: Event::Message { message },
                ..
            } if message.author_kind == AuthorKind::Customer => {
                let s = message.session_id;
                let n = answered.entry(s).or_default();
                *n += 1;
                let body = format!("answer {}: it ships tomorrow", *n);
                if let Ok(id) = c
                    .send(
                        "message.send",
                        json!({"session_id": s, "client_msg_id": format!("a{n}"), "body": body}),
                    )
                    .await
                {
                    in_flight.insert(id, Instant::now());
                }
                if *n >= messages {
                    answered.remove(&s);
                    let _ = c
                        .send(
                            "session.end",
                            json!({"session_id": s, "outcome": "resolved"}),
                        )
                        .await;
                }
            }
            ServerFrame::Reload { .. } => {
                tally.reloads.fetch_add(1, Ordering::Relaxed);
            }
            ServerFrame::Reply { id, ok, .. } => {
                // Only the answers are timed and counted; an accept of an offer replayed after
                // a resume may be refused (already accepted), which is expected.
                if let Some(at) = id.as_u64().and_then(|id| in_flight.remove(&id)) {
                    if ok {
                        tally.acked(at.elapsed());
                    } else {
                        tally.errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            _ => {}
        }
    }
}

async fn agent_login(url: &str, i: usize) -> anyhow::Result<(Client, String)> {
    let mut c = Client::connect(url).await?;
    let r = c
        .call(
            "login",
            json!({"username": format!("bench{i}"), "password": PASSWORD}),
        )
        .await?;
    let token = r["token"].as_str().context("no token")?.to_string();
    c.call("status.set", json!({"status": "online"})).await?;
    Ok((c, token))
}

async fn agent_resume(url: &str, token: &str, cursor: i64) -> anyhow::Result<Client> {
    let mut c = Client::connect(url).await?;
    c.call("resume", json!({"token": token, "cursor": cursor}))
        .await?;
    // Routing counts a resumed agent by their stored status; say online again to be sure.
    c.call("status.set", json!({"status": "online"})).await?;
    Ok(c)
}
