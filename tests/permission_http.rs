//! Every HTTP route of the permission table (`docs/permissions.md`) against a real server: a
//! route the code's table lacks is refused 403 by the gate, and each listed one answers as its
//! row says.

mod common;

use common::*;

/// `METHOD path` over a fresh connection: the status code.
async fn http_status(addr: std::net::SocketAddr, method: &str, path: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(WAIT, s.read_to_end(&mut raw))
        .await
        .expect("an answer in time")
        .unwrap();
    let text = String::from_utf8_lossy(&raw);
    text.split(' ').nth(1).unwrap().parse().unwrap()
}

/// The routes of `docs/permissions.md`: (method, path, who may call it).
fn documented_routes() -> Vec<(String, String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/permissions.md");
    let doc = std::fs::read_to_string(path).unwrap();
    doc.lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('|').map(str::trim).collect();
            let method = *cols.get(1)?;
            (cols.len() == 5 && (method == "GET" || method == "POST")).then(|| {
                let path = cols[2].trim_matches('`').to_string();
                (method.to_string(), path, cols[3].to_string())
            })
        })
        .collect()
}

#[tokio::test]
async fn every_http_route_is_in_the_table_and_answers_as_it_says() {
    let routes = documented_routes();
    for (_, path) in kefu::server::api::ROUTES {
        assert!(
            routes.iter().any(|(_, p, _)| p == path),
            "{path} is not in the table"
        );
    }
    for widget in ["/chat", "/widget.js", "/healthz", "/metrics", "/ws/agent"] {
        assert!(routes.iter().any(|(_, p, _)| p == widget), "{widget}");
    }
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), Default::default()).await;
    for (method, path, who) in &routes {
        let status = http_status(server.addr, method, &path.replace("{id}", "1")).await;
        // The table's gate refuses routes it lacks with 403; each listed one answers as its
        // row says (a request from 127.0.0.1, which `[metrics] allow` lists by default).
        let ok = if who.starts_with("anyone may connect") {
            (400..500).contains(&status) && status != 403
        } else if who.contains("signed") {
            status == 401
        } else {
            status == 200
        };
        assert!(ok, "{method} {path} ({who}): {status}");
    }
    server.stop().await;
}
