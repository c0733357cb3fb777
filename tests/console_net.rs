//! The console's network task (`console/net.rs`) against the real in-process server, through
//! a relay that can refuse or cut connections: reconnect backoff (grows, capped, back to the
//! start after a success), resuming with the token and the last cursor after a drop (events
//! missed meanwhile are replayed), and the outbox re-sent in order. (What it writes
//! to `console.log` is checked in `console_log.rs`, a binary of its own for its global logger.)

mod common;
#[path = "support/ws_proxy.rs"]
mod ws_proxy;

use common::*;
use kefu::console::app::{NetEvent, Tag};
use kefu::console::net::{self, Backoff, NetCmd, NetOptions};
use kefu::console::reply::{Reply, ReplyError};
use kefu::model::{AgentStatus, Role, now_ms};
use kefu::protocol::request::{Accept, Directory, SendMessage, SetStatus};
use kefu::protocol::{Event, Request, ServerFrame};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::mpsc;
use ws_proxy::WsProxy;

struct Net {
    cmds: mpsc::UnboundedSender<NetCmd>,
    events: mpsc::UnboundedReceiver<NetEvent>,
    /// Highest event cursor seen.
    cursor: i64,
}

impl Net {
    fn start(url: &str, options: NetOptions) -> Net {
        let (tx, events) = mpsc::unbounded_channel();
        let cmds = net::spawn_with(tx, options);
        cmds.send(NetCmd::Login {
            server: url.into(),
            username: "alice".into(),
            password: PASSWORD.into(),
        })
        .unwrap();
        Net {
            cmds,
            events,
            cursor: 0,
        }
    }

    /// The next event that `pick` accepts (others are dropped, cursors noted).
    async fn next<T>(&mut self, what: &str, mut pick: impl FnMut(&NetEvent) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let ev = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
                .expect("the network task is alive");
            if let NetEvent::Frame(ServerFrame::Event { cursor, .. }) = &ev {
                self.cursor = self.cursor.max(*cursor);
            }
            if let Some(t) = pick(&ev) {
                return t;
            }
        }
    }

    async fn connected(&mut self) -> bool {
        self.next("connected", |e| match e {
            NetEvent::Connected { resumed, .. } => Some(*resumed),
            _ => None,
        })
        .await
    }

    /// The delay of the next backoff, as the retry time it announces (measured on arrival).
    async fn backoff(&mut self) -> i64 {
        self.next("a disconnect", |e| match e {
            NetEvent::Disconnected { retry_at, .. } => Some(retry_at - now_ms()),
            NetEvent::Connected { .. } => panic!("connected while down"),
            _ => None,
        })
        .await
    }

    fn request(&self, tag: Tag, request: impl Into<Request>) {
        let request = request.into();
        self.cmds.send(NetCmd::Request { tag, request }).unwrap();
    }

    async fn reply(&mut self, want: Tag) -> Result<Reply, ReplyError> {
        self.next("a reply", |e| match e {
            NetEvent::Reply { tag, result } if *tag == want => Some(result.clone()),
            _ => None,
        })
        .await
    }
}

fn send(session: i64, id: &str, body: &str) -> (Tag, SendMessage) {
    (
        Tag::Send {
            session,
            client_msg_id: id.into(),
        },
        SendMessage {
            session_id: session,
            client_msg_id: id.into(),
            body: body.into(),
        },
    )
}

/// What `setup` leaves running: alice online through the relay, with an accepted session.
struct Fixture {
    _dir: tempfile::TempDir,
    server: TestServer,
    proxy: WsProxy,
    net: Net,
    customer: kefu::client::Client,
    session: i64,
}

async fn setup(options: NetOptions) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    add_agent(dir.path(), "alice", &["general"], Role::Agent, None);
    let server = TestServer::start(dir.path(), Default::default()).await;
    let proxy = WsProxy::start(server.addr).await;
    let mut net = Net::start(&proxy.url(), options);
    assert!(!net.connected().await, "a first sign-in");
    let online = SetStatus {
        status: AgentStatus::Online,
    };
    net.request(Tag::Status(AgentStatus::Online), online);
    let status = net.reply(Tag::Status(AgentStatus::Online)).await;
    assert!(
        matches!(&status, Ok(Reply::SetStatus(r)) if r.status == AgentStatus::Online),
        "{status:?}"
    );
    let (customer, session, _) = server.customer("Bob", None).await;
    net.next("the offer", |e| match e {
        NetEvent::Frame(ServerFrame::Event {
            event: Event::Offer { .. },
            ..
        }) => Some(()),
        _ => None,
    })
    .await;
    net.request(
        Tag::Accept(session),
        Accept {
            session_id: session,
        },
    );
    net.reply(Tag::Accept(session)).await.unwrap();
    Fixture {
        _dir: dir,
        server,
        proxy,
        net,
        customer,
        session,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backoff_grows_to_its_cap_and_starts_again_after_a_successful_reconnect() {
    let ms = Duration::from_millis;
    let options = NetOptions {
        backoff: Backoff::new(ms(100), ms(800)),
        ..Default::default()
    };
    let mut f = setup(options).await;
    f.proxy.set_down(true);
    let mut seen = Vec::new();
    for _ in 0..6 {
        seen.push(f.net.backoff().await);
    }
    // Announced on arrival, so a little less than the delay itself; never more.
    let expected = [100, 200, 400, 800, 800, 800];
    for (got, want) in seen.iter().zip(expected) {
        assert!(
            *got <= want && *got >= want / 2,
            "backoff {seen:?}, expected about {expected:?}"
        );
    }
    f.proxy.set_down(false);
    assert!(f.net.connected().await, "back, as a reconnect");
    f.proxy.set_down(true);
    let first = f.net.backoff().await;
    assert!(
        (50..=100).contains(&first),
        "after a success it starts again from the minimum: {first}"
    );
    f.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_resumes_with_its_token_and_cursor_and_gets_what_it_missed() {
    let options = NetOptions {
        backoff: Backoff::new(Duration::from_millis(50), Duration::from_millis(200)),
        ..Default::default()
    };
    let mut f = setup(options).await;
    let kinds_on = |proxy: &WsProxy, conn: usize| -> Vec<Value> {
        proxy
            .sent()
            .into_iter()
            .filter(|(n, _)| *n == conn)
            .map(|(_, frame)| frame)
            .collect()
    };
    let first = kinds_on(&f.proxy, 1);
    assert_eq!(
        first[1]["type"], "login",
        "signed in with the password first"
    );
    let cursor_before = f.net.cursor;
    assert!(cursor_before > 0);
    f.proxy.set_down(true);
    f.net.backoff().await;
    // While the console is away, the customer writes.
    f.customer
        .call(
            "message.send",
            json!({"session_id": f.session, "client_msg_id": "k1", "body": "are you there?"}),
        )
        .await
        .unwrap();
    f.proxy.set_down(false);
    assert!(f.net.connected().await, "a reconnect");
    f.net
        .next("the missed message, replayed", |e| match e {
            NetEvent::Frame(ServerFrame::Event {
                event: Event::Message { message },
                ..
            }) if message.body == "are you there?" => Some(()),
            _ => None,
        })
        .await;
    let frames = kinds_on(&f.proxy, f.proxy.connections());
    let kinds: Vec<&str> = frames.iter().filter_map(|f| f["type"].as_str()).collect();
    assert_eq!(&kinds[..2], ["hello", "resume"], "{kinds:?}");
    assert!(!kinds.contains(&"login"), "no password needed: {kinds:?}");
    assert_eq!(
        frames[1]["cursor"], cursor_before,
        "from the last event it had"
    );
    assert!(frames[1]["token"].as_str().is_some_and(|t| t.len() >= 32));
    f.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_is_resent_in_the_order_it_was_written() {
    let options = NetOptions {
        backoff: Backoff::new(Duration::from_millis(50), Duration::from_millis(200)),
        ..Default::default()
    };
    let mut f = setup(options).await;
    f.proxy.set_down(true);
    f.net.backoff().await;
    let ids = ["o1", "o2", "o3", "o4", "o5"];
    for id in ids {
        let (tag, message) = send(f.session, id, &format!("message {id}"));
        f.net.request(tag, message);
    }
    // Other requests fail at once while disconnected; sends wait.
    f.net.request(Tag::Directory, Directory {});
    assert_eq!(
        f.net.reply(Tag::Directory).await,
        Err(ReplyError::NotConnected)
    );
    f.proxy.set_down(false);
    let mut acked = Vec::new();
    while acked.len() < ids.len() {
        let (id, ack) = f
            .net
            .next("the acks", |e| match e {
                NetEvent::Reply {
                    tag: Tag::Send { client_msg_id, .. },
                    result,
                } => Some((client_msg_id.clone(), result.clone())),
                _ => None,
            })
            .await;
        assert!(
            matches!(&ack, Ok(Reply::SendMessage(a)) if a.seq > 0),
            "{ack:?}"
        );
        acked.push(id);
    }
    let conn = f.proxy.connections();
    let resent: Vec<String> = f
        .proxy
        .sent()
        .into_iter()
        .filter(|(n, frame)| *n == conn && frame["type"] == "message.send")
        .filter_map(|(_, frame)| frame["client_msg_id"].as_str().map(String::from))
        .collect();
    assert_eq!(resent, ids, "oldest first");
    assert_eq!(acked, ids);
    let t = f
        .customer
        .call("session.transcript", json!({"session_id": f.session}))
        .await
        .unwrap();
    let bodies: Vec<&str> = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["body"].as_str())
        .collect();
    let want: Vec<String> = ids.iter().map(|id| format!("message {id}")).collect();
    assert_eq!(bodies, want, "stored in the order written, once each");
    f.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_of_the_wrong_shape_is_reported_not_swallowed() {
    use kefu::console::app::App;
    use kefu::console::i18n::Lang;
    let mut f = setup(NetOptions::default()).await;
    let mut app = App::new(Lang::En, Default::default(), now_ms());
    async fn directory(net: &mut Net) -> NetEvent {
        net.request(Tag::Directory, Directory {});
        net.next("the directory reply", |e| match e {
            NetEvent::Reply {
                tag: Tag::Directory,
                ..
            } => Some(e.clone()),
            _ => None,
        })
        .await
    }
    // The real reply fills the transfer directory.
    let real = directory(&mut f.net).await;
    app.on_net(real);
    assert_eq!(app.directory.len(), 1, "alice is listed");

    // A server that answers with another shape: `agents` is not a list.
    f.proxy
        .mangle_reply_to(r#""directory""#, json!({"agents": "nobody", "groups": []}));
    let odd = directory(&mut f.net).await;
    let NetEvent::Reply {
        result: Err(ReplyError::Unreadable { request, detail }),
        ..
    } = &odd
    else {
        panic!("not reported as unreadable: {odd:?}")
    };
    assert_eq!(*request, "directory");
    assert!(detail.contains("invalid type"), "{detail}");
    app.on_net(odd);
    let notice = app
        .notice
        .as_ref()
        .map(|(n, _)| n.clone())
        .unwrap_or_default();
    assert!(
        notice.contains("directory") && notice.contains("could not be read"),
        "the agent is told: {notice:?}"
    );
    assert_eq!(app.directory.len(), 1, "not emptied by the odd reply");

    // The connection is still good: the next reply is read as usual.
    let again = directory(&mut f.net).await;
    assert!(
        matches!(&again, NetEvent::Reply { result: Ok(Reply::Directory(d)), .. } if d.agents.len() == 1),
        "{again:?}"
    );
    f.server.stop().await;
}
