//! What the web routes send, over plain HTTP (no browser): content types, the CSP of `/chat`,
//! caching and revalidation, and the size of the widget's files.

use crate::common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One plain HTTP/1.1 GET: (status line + headers lowercased, body).
async fn http_get(addr: std::net::SocketAddr, path: &str) -> (String, Vec<u8>) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    (head, raw[split + 4..].to_vec())
}

#[tokio::test]
async fn the_web_routes_send_safe_headers_and_small_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_with_groups(&["presales"]);
    config.channels.web.allowed_origins = vec!["https://shop.example.com".into()];
    let server = TestServer::start(dir.path(), config).await;
    let addr = server.addr;

    let (head, body) = http_get(addr, "/chat").await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    let csp = head
        .lines()
        .find_map(|l| l.strip_prefix("content-security-policy: "))
        .expect("a CSP on /chat");
    assert!(
        csp.contains("script-src 'self';"),
        "no inline scripts: {csp}"
    );
    assert!(csp.contains("default-src 'none';"), "{csp}");
    assert!(
        csp.contains(&format!("connect-src 'self' ws://{addr} wss://{addr};")),
        "{csp}"
    );
    assert!(
        csp.contains("frame-ancestors 'self' https://shop.example.com;"),
        "{csp}"
    );
    let html = String::from_utf8(body).unwrap();
    assert!(
        !html.contains("<script>") && !html.contains("onclick") && !html.contains("style="),
        "no inline script or style in the page"
    );

    let mut total = 0;
    for (path, kind) in [
        ("/widget.js", "text/javascript"),
        ("/chat.js", "text/javascript"),
        ("/conn.js", "text/javascript"),
        ("/render.js", "text/javascript"),
        ("/i18n.js", "text/javascript"),
        ("/chat.css", "text/css"),
    ] {
        let (head, body) = http_get(addr, path).await;
        assert!(head.starts_with("http/1.1 200"), "{path}: {head}");
        assert!(
            head.contains(&format!("content-type: {kind}")),
            "{path}: {head}"
        );
        assert!(head.contains("x-content-type-options: nosniff"), "{path}");
        assert!(head.contains("etag: \""), "{path}");
        assert!(head.contains("cache-control: "), "{path}");
        total += body.len();
    }
    assert!(total < 50 * 1024, "the widget's JS + CSS is {total} bytes");
    // Revalidation: the ETag it sent gets a 304 without the body.
    let (head, _) = http_get(addr, "/chat.js").await;
    let etag = head
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .unwrap()
        .to_string();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "GET /chat.js HTTP/1.1\r\nHost: {addr}\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    assert!(raw.starts_with("HTTP/1.1 304"), "{raw}");
    assert!(raw.ends_with("\r\n\r\n"), "no body: {raw}");

    let (head, _) = http_get(addr, "/widget.js").await;
    assert!(
        head.contains("cross-origin-resource-policy: cross-origin"),
        "{head}"
    );
    assert!(
        head.contains("cache-control: public, max-age=300"),
        "{head}"
    );
    server.stop().await;
}
