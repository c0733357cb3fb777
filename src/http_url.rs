//! Webhook URLs (the channel API's, CC's and menu lookups'): which ones are accepted, and the
//! parts a POST needs. Plain parsing, apart from the HTTP client that uses it
//! (`server::webhook`), so configuration can check a URL without depending on the server.

use axum::http::Uri;

/// Whether `url` can be a webhook URL: `http://` or `https://` with a host.
pub fn check_url(url: &str) -> Result<(), String> {
    target(url).map(|_| ())
}

pub(crate) struct Target {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub authority: String,
    pub path: String,
}

pub(crate) fn target(url: &str) -> Result<Target, String> {
    let uri: Uri = url.parse().map_err(|e| format!("not a URL: {e}"))?;
    let tls = match uri.scheme_str() {
        Some("http") => false,
        Some("https") => true,
        _ => return Err("the URL must start with http:// or https://".into()),
    };
    let authority = uri.authority().ok_or("the URL has no host")?;
    let host = uri.host().ok_or("the URL has no host")?;
    if host.is_empty() || authority.as_str().contains('@') {
        return Err("the URL must name a host (and no user)".into());
    }
    Ok(Target {
        tls,
        host: host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
        port: uri.port_u16().unwrap_or(if tls { 443 } else { 80 }),
        authority: authority.as_str().to_string(),
        path: uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("https://shop.example.com/kefu?x=1").is_ok());
        assert!(check_url("ftp://x/").is_err());
        assert!(check_url("shop.example.com/hook").is_err());
        assert!(check_url("http://user@host/").is_err());
        let t = target("http://[::1]:8080").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("::1", 8080, "/")
        );
    }
}
