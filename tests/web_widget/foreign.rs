//! A second, tiny HTTP server in the test: "another site" on another port. `/raw` is a page
//! whose script opens kefu's customer socket directly and writes the outcome into the page;
//! `/embed` is a shop page carrying the one-line widget tag.

use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn page(path: &str, kefu: SocketAddr) -> String {
    match path {
        "/raw" => format!(
            r#"<!doctype html><html><body><p id="result">pending</p><script>
var ws = new WebSocket("ws://{kefu}/ws/customer");
var out = document.getElementById("result");
ws.onopen = function () {{ out.textContent = "opened"; }};
ws.onerror = function () {{ if (out.textContent === "pending") out.textContent = "refused"; }};
ws.onclose = function () {{ if (out.textContent === "pending") out.textContent = "refused"; }};
</script></body></html>"#
        ),
        _ => format!(
            r#"<!doctype html><html><head><title>Shop</title></head><body><h1>A shop</h1>
<script src="http://{kefu}/widget.js" data-group="presales" data-lang="en"></script>
</body></html>"#
        ),
    }
}

/// Binds first (the kefu config names this port in `allowed_origins`), serves later.
pub async fn bind() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}

pub fn serve(listener: TcpListener, kefu: SocketAddr) {
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut got = 0;
                while !buf[..got].windows(4).any(|w| w == b"\r\n\r\n") && got < buf.len() {
                    match s.read(&mut buf[got..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got += n,
                    }
                }
                let head = String::from_utf8_lossy(&buf[..got]);
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let body = page(&path, kefu);
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(resp.as_bytes()).await;
            });
        }
    });
}
