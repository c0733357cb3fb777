//! `kefu serve` speaking HTTPS/WSS itself (`[tls]`): a CA and server certificates made here
//! with rcgen, the real server started with them, and real clients — `kefu::client::Client`,
//! the console's network task and a raw TLS socket for `GET /healthz` — trusting that CA. A
//! plain `ws://` client is refused; a bad file stops the start naming it; SIGHUP swaps the
//! certificate while a connection made before stays up.

mod common;

use common::*;
use kefu::client::Client;
use kefu::config::ServerConfig;
use kefu::console::app::NetEvent;
use kefu::console::net::{self, NetCmd, NetOptions};
use kefu::model::Role;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, ServerName};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A test CA, able to sign server certificates.
struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

impl Ca {
    fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Ca {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A certificate for 127.0.0.1 and localhost: (cert PEM, key PEM, cert DER).
    fn server_cert(&self, cn: &str) -> (String, String, Vec<u8>) {
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem(), cert.der().to_vec())
    }
}

struct Files {
    dir: tempfile::TempDir,
    cert: PathBuf,
    key: PathBuf,
    ca: PathBuf,
}

fn write_files(ca: &Ca, cert: &str, key: &str) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let f = Files {
        cert: dir.path().join("server.crt"),
        key: dir.path().join("server.key"),
        ca: dir.path().join("ca.crt"),
        dir,
    };
    std::fs::write(&f.cert, cert).unwrap();
    std::fs::write(&f.key, key).unwrap();
    std::fs::write(&f.ca, &ca.pem).unwrap();
    f
}

fn tls_config(f: &Files) -> ServerConfig {
    let mut config = ServerConfig::default();
    config.tls.cert = Some(f.cert.clone());
    config.tls.key = Some(f.key.clone());
    config
}

/// A raw TLS connection trusting only `ca`: the certificate the server presented, and the
/// stream.
async fn tls_connect(
    addr: std::net::SocketAddr,
    ca: &Path,
) -> (
    Vec<u8>,
    tokio_rustls::client::TlsStream<tokio::net::TcpStream>,
) {
    let pem = std::fs::read(ca).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::pem::PemObject::pem_slice_iter(&pem) {
        let c: CertificateDer = c.unwrap();
        roots.add(c).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .unwrap();
    let presented = stream.get_ref().1.peer_certificates().unwrap()[0].to_vec();
    (presented, stream)
}

fn wss(server: &TestServer) -> String {
    format!("wss://127.0.0.1:{}/ws/agent", server.addr.port())
}

#[tokio::test]
async fn clients_connect_over_wss_with_the_ca_and_plain_ws_is_refused() {
    let data = tempfile::tempdir().unwrap();
    add_agent(data.path(), "alice", &[], Role::Agent, None);
    let ca = Ca::new("kefu test CA");
    let (cert, key, der) = ca.server_cert("first");
    let f = write_files(&ca, &cert, &key);
    let server = TestServer::start(data.path(), tls_config(&f)).await;

    // The admin client, trusting the CA.
    let mut c = Client::connect_with_ca(&wss(&server), &f.ca).await.unwrap();
    login_online(&mut c, "alice").await;

    // Without the CA (public roots only) the certificate is not believed.
    let e = Client::connect(&wss(&server)).await.err().expect("refused");
    assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");

    // A plain ws:// client gets no WebSocket.
    let plain = format!("ws://127.0.0.1:{}/ws/agent", server.addr.port());
    assert!(Client::connect(&plain).await.is_err());

    // HTTPS GET /healthz.
    let (presented, mut s) = tls_connect(server.addr, &f.ca).await;
    assert_eq!(presented, der);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("ok\n"), "{answer}");

    // The console's network task, given the CA as `kefu console --ca` gives it.
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let options = NetOptions {
        tls: Some(kefu::tls_trust::client_config(Some(&f.ca)).unwrap()),
        ..Default::default()
    };
    let cmds = net::spawn_with(tx, options);
    cmds.send(NetCmd::Login {
        server: format!("wss://127.0.0.1:{}", server.addr.port()),
        username: "alice".into(),
        password: PASSWORD.into(),
    })
    .unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let ev = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("the console connects in time")
            .unwrap();
        match ev {
            NetEvent::Connected { .. } => break,
            NetEvent::LoginFailed { message, .. } => panic!("console sign-in failed: {message}"),
            _ => {}
        }
    }
    let _ = cmds.send(NetCmd::Shutdown);
    c.close().await;
    server.stop().await;
}

#[tokio::test]
async fn the_console_without_the_ca_does_not_believe_the_server() {
    let data = tempfile::tempdir().unwrap();
    add_agent(data.path(), "alice", &[], Role::Agent, None);
    let ca = Ca::new("kefu test CA");
    let (cert, key, _) = ca.server_cert("first");
    let f = write_files(&ca, &cert, &key);
    let server = TestServer::start(data.path(), tls_config(&f)).await;
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let cmds = net::spawn_with(tx, NetOptions::default());
    cmds.send(NetCmd::Login {
        server: format!("wss://127.0.0.1:{}", server.addr.port()),
        username: "alice".into(),
        password: PASSWORD.into(),
    })
    .unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let ev = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("an answer in time")
            .unwrap();
        match ev {
            NetEvent::Connected { .. } => panic!("connected without trusting the CA"),
            NetEvent::LoginFailed { message, .. } => {
                assert!(message.to_lowercase().contains("certificate"), "{message}");
                break;
            }
            _ => {}
        }
    }
    let _ = cmds.send(NetCmd::Shutdown);
    server.stop().await;
}

#[tokio::test]
async fn a_missing_or_bad_file_stops_the_start_naming_it() {
    let data = tempfile::tempdir().unwrap();
    let ca = Ca::new("kefu test CA");
    let (cert, key, _) = ca.server_cert("first");
    let f = write_files(&ca, &cert, &key);
    let start = |config: ServerConfig| {
        let dir = data.path().to_path_buf();
        async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            kefu::server::run(listener, config, dir, std::future::pending())
                .await
                .expect_err("the server must not start")
                .to_string()
        }
    };
    let mut missing = tls_config(&f);
    missing.tls.cert = Some(f.dir.path().join("nope.crt"));
    let e = start(missing).await;
    assert!(e.contains("nope.crt"), "{e}");

    std::fs::write(f.dir.path().join("junk.key"), "not a key\n").unwrap();
    let mut junk = tls_config(&f);
    junk.tls.key = Some(f.dir.path().join("junk.key"));
    let e = start(junk).await;
    assert!(e.contains("junk.key") && e.contains("private key"), "{e}");

    // A key that belongs to another certificate.
    let (_, other_key, _) = ca.server_cert("other");
    std::fs::write(f.dir.path().join("other.key"), other_key).unwrap();
    let mut mismatched = tls_config(&f);
    mismatched.tls.key = Some(f.dir.path().join("other.key"));
    let e = start(mismatched).await;
    assert!(e.contains("server.crt") && e.contains("other.key"), "{e}");
}

#[cfg(unix)]
#[tokio::test]
async fn sighup_swaps_the_certificate_and_keeps_open_connections() {
    let data = tempfile::tempdir().unwrap();
    add_agent(data.path(), "alice", &[], Role::Agent, None);
    let ca = Ca::new("kefu test CA");
    let (cert1, key1, der1) = ca.server_cert("first");
    let f = write_files(&ca, &cert1, &key1);
    let server = TestServer::start(data.path(), tls_config(&f)).await;
    let mut old = Client::connect_with_ca(&wss(&server), &f.ca).await.unwrap();
    login_online(&mut old, "alice").await;
    assert_eq!(tls_connect(server.addr, &f.ca).await.0, der1);

    // (A bad file on SIGHUP keeps the old certificate: `server::tls`'s unit test.)
    let (cert2, key2, der2) = ca.server_cert("second");
    std::fs::write(&f.key, key2).unwrap();
    std::fs::write(&f.cert, cert2).unwrap();
    hangup();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if tls_connect(server.addr, &f.ca).await.0 == der2 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the new certificate was never served"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The connection made before the swap still works.
    old.call("status.set", serde_json::json!({"status": "away"}))
        .await
        .unwrap();
    // And a new one sees the new certificate and works too.
    let mut new = Client::connect_with_ca(&wss(&server), &f.ca).await.unwrap();
    login_online(&mut new, "alice").await;
    old.close().await;
    new.close().await;
    server.stop().await;
}

/// Sends SIGHUP to this process, as an operator would to `kefu serve` (every TLS server in
/// this test binary reloads; they each read their own files).
#[cfg(unix)]
fn hangup() {
    rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::HUP).unwrap();
}
