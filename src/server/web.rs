//! The web chat channel's static files, compiled into the binary: `GET /chat` (the customer
//! chat page), its script and style sheet, and `GET /widget.js` (the embed script a shop puts
//! on its pages). No build step: the files in `web/` are served as they are.
//!
//! Headers: every file gets its exact `Content-Type`, `X-Content-Type-Options: nosniff` and an
//! `ETag` (answered with 304 when it matches), and is revalidated on each use (`no-cache`), so
//! an upgraded server is never shadowed by a stale copy. `/chat` gets a Content-Security-Policy
//! that allows only its own scripts and styles (no inline script at all), sockets only to its
//! own host, and framing only by itself and `[channels.web] allowed_origins` — the shops that
//! embed the widget. `/widget.js` is meant to be loaded by those shops' pages: it may be read
//! cross-origin (`Cross-Origin-Resource-Policy: cross-origin`) and is cached for five minutes.

use axum::Router;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use std::sync::Arc;

const CORP: HeaderName = HeaderName::from_static("cross-origin-resource-policy");

/// One file: where it is served, what it is, and how it is cached.
struct Asset {
    path: &'static str,
    body: &'static str,
    content_type: &'static str,
    cache: &'static str,
    etag: String,
}

const FILES: [(&str, &str, &str, &str); 7] = [
    (
        "/chat",
        include_str!("../../web/chat.html"),
        "text/html; charset=utf-8",
        "no-cache",
    ),
    (
        "/chat.css",
        include_str!("../../web/chat.css"),
        "text/css; charset=utf-8",
        "no-cache",
    ),
    (
        "/i18n.js",
        include_str!("../../web/i18n.js"),
        "text/javascript; charset=utf-8",
        "no-cache",
    ),
    (
        "/conn.js",
        include_str!("../../web/conn.js"),
        "text/javascript; charset=utf-8",
        "no-cache",
    ),
    (
        "/render.js",
        include_str!("../../web/render.js"),
        "text/javascript; charset=utf-8",
        "no-cache",
    ),
    (
        "/chat.js",
        include_str!("../../web/chat.js"),
        "text/javascript; charset=utf-8",
        "no-cache",
    ),
    (
        "/widget.js",
        include_str!("../../web/widget.js"),
        "text/javascript; charset=utf-8",
        "public, max-age=300",
    ),
];

/// The routes of the web chat, to merge into the server's router. `allowed_origins` are the
/// configured `[channels.web] allowed_origins` (already validated as bare origins).
pub fn routes<S: Clone + Send + Sync + 'static>(allowed_origins: &[String]) -> Router<S> {
    let ancestors: String = allowed_origins
        .iter()
        .filter(|o| is_csp_source(o))
        .map(|o| format!(" {o}"))
        .collect();
    let ancestors = Arc::new(ancestors);
    let mut router = Router::new();
    for (path, body, content_type, cache) in FILES {
        let asset = Arc::new(Asset {
            path,
            body,
            content_type,
            cache,
            etag: etag(body),
        });
        let ancestors = ancestors.clone();
        router = router.route(
            path,
            get(move |headers: HeaderMap| {
                let asset = asset.clone();
                let ancestors = ancestors.clone();
                async move { serve(&asset, &headers, &ancestors) }
            }),
        );
    }
    router
}

fn etag(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Only characters an origin can have: a config value can never add a CSP directive.
fn is_csp_source(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 300
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:/[]+".contains(c))
}

/// The `Host` the page was requested from, if it is a plain `host[:port]`.
fn own_host(headers: &HeaderMap) -> Option<&str> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let ok = !host.is_empty()
        && host.len() <= 262
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
    ok.then_some(host)
}

/// The Content-Security-Policy of `/chat`. Sockets go to the page's own host: `'self'` covers
/// `ws:`/`wss:` of the same host in current browsers, the explicit entries cover older ones.
fn chat_csp(headers: &HeaderMap, ancestors: &str) -> String {
    let connect = match own_host(headers) {
        Some(h) => format!("'self' ws://{h} wss://{h}"),
        None => "'self'".to_string(),
    };
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src {connect}; frame-ancestors 'self'{ancestors}; base-uri 'none'; \
         form-action 'self'; object-src 'none'"
    )
}

fn serve(asset: &Asset, headers: &HeaderMap, ancestors: &str) -> Response {
    let fresh = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == asset.etag || t.trim() == "*");
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        asset.body.into_response()
    };
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name: HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    set(h, header::CONTENT_TYPE, asset.content_type);
    set(h, header::CACHE_CONTROL, asset.cache);
    set(h, header::ETAG, &asset.etag);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if asset.path == "/chat" {
        set(
            h,
            header::CONTENT_SECURITY_POLICY,
            &chat_csp(headers, ancestors),
        );
        set(h, header::REFERRER_POLICY, "no-referrer");
    }
    if asset.path == "/widget.js" {
        set(h, CORP, "cross-origin");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csp_names_the_own_host_and_the_allowed_origins_only() {
        let mut h = HeaderMap::new();
        h.insert(
            header::HOST,
            HeaderValue::from_static("chat.example.com:7800"),
        );
        let csp = chat_csp(&h, " https://shop.example.com");
        assert!(csp.contains(
            "connect-src 'self' ws://chat.example.com:7800 wss://chat.example.com:7800;"
        ));
        assert!(csp.contains("frame-ancestors 'self' https://shop.example.com;"));
        assert!(csp.contains("script-src 'self';"), "no inline scripts");
        h.insert(header::HOST, HeaderValue::from_static("evil; script-src *"));
        assert!(chat_csp(&h, "").contains("connect-src 'self';"));
    }

    #[test]
    fn config_values_cannot_add_directives() {
        assert!(is_csp_source("https://shop.example.com:8443"));
        assert!(!is_csp_source("https://a.example; script-src *"));
        assert!(!is_csp_source(""));
    }
}
