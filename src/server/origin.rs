//! The `Origin` check on WebSocket handshakes, against cross-site WebSocket hijacking: a page on
//! another site must not be able to open a socket to this server with the visitor's network
//! position. Browsers always send `Origin` on WebSocket handshakes; native clients (the console,
//! apps, integrations) send none and are not affected.

/// A web origin: scheme, host and port (the port only when it is not the scheme's default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

/// Splits `host[:port]` (with `[v6]` hosts); `None` if malformed.
fn host_port(s: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (format!("[{h}]"), port)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (s.to_string(), None),
        }
    };
    let ok_host = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._[]:".contains(c));
    if !ok_host {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) => Some(p.parse::<u16>().ok()?),
    };
    Some((host.to_ascii_lowercase(), port))
}

impl Origin {
    /// Parses `scheme://host[:port]` as browsers send it (no path, no trailing slash);
    /// `None` for anything else, including the opaque origin `null`.
    pub fn parse(s: &str) -> Option<Origin> {
        let (scheme, rest) = s.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if !scheme_ok {
            return None;
        }
        let (host, port) = host_port(rest)?;
        let port = port.filter(|p| Some(*p) != default_port(&scheme));
        Some(Origin { scheme, host, port })
    }

    /// Whether this origin names the host the request was sent to (its `Host` header), taking
    /// the origin's scheme as the request's: behind a TLS proxy the server cannot see it.
    fn is_host(&self, host_header: &str) -> bool {
        let Some((host, port)) = host_port(host_header) else {
            return false;
        };
        let port = port.filter(|p| Some(*p) != default_port(&self.scheme));
        host == self.host && port == self.port
    }
}

/// Decides a handshake: no `Origin` passes; otherwise it must be the server's own origin (same
/// host and port as `Host`) or one of `allowed`. The error says why, for the 403 body.
pub fn check(
    origins: &[&str],
    host_header: Option<&str>,
    allowed: &[Origin],
) -> Result<(), String> {
    let origin = match origins {
        [] => return Ok(()),
        [one] => *one,
        _ => return Err("more than one Origin header".into()),
    };
    let Some(parsed) = Origin::parse(origin) else {
        return Err(format!("origin `{origin}` is not allowed"));
    };
    if allowed.contains(&parsed) || host_header.is_some_and(|h| parsed.is_host(h)) {
        Ok(())
    } else {
        Err(format!("origin `{origin}` is not allowed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<Origin> {
        vec![
            Origin::parse("https://shop.example.com").unwrap(),
            Origin::parse("http://localhost:3000").unwrap(),
        ]
    }

    #[test]
    fn no_origin_passes_and_foreign_ones_do_not() {
        let a = allowed();
        assert!(check(&[], Some("chat.example.com"), &a).is_ok());
        assert!(check(&["https://evil.example"], Some("chat.example.com"), &a).is_err());
        assert!(check(&["null"], Some("chat.example.com"), &a).is_err());
        assert!(check(&["https://shop.example.com.evil.example"], None, &a).is_err());
        assert!(
            check(&["http://shop.example.com"], None, &a).is_err(),
            "scheme counts"
        );
        assert!(
            check(
                &["https://shop.example.com", "https://evil.example"],
                None,
                &a
            )
            .is_err()
        );
    }

    #[test]
    fn listed_origins_match_regardless_of_case_and_default_port() {
        let a = allowed();
        assert!(check(&["https://shop.example.com"], None, &a).is_ok());
        assert!(check(&["HTTPS://Shop.Example.com:443"], None, &a).is_ok());
        assert!(check(&["http://localhost:3000"], None, &a).is_ok());
        assert!(check(&["http://localhost:3001"], None, &a).is_err());
    }

    #[test]
    fn the_servers_own_origin_passes() {
        assert!(check(&["http://127.0.0.1:7800"], Some("127.0.0.1:7800"), &[]).is_ok());
        assert!(check(&["https://chat.example.com"], Some("chat.example.com"), &[]).is_ok());
        assert!(
            check(
                &["https://chat.example.com"],
                Some("chat.example.com:443"),
                &[]
            )
            .is_ok()
        );
        assert!(check(&["http://[::1]:7800"], Some("[::1]:7800"), &[]).is_ok());
        assert!(check(&["http://127.0.0.1:7801"], Some("127.0.0.1:7800"), &[]).is_err());
        assert!(check(&["http://evil.example:7800"], Some("127.0.0.1:7800"), &[]).is_err());
    }

    #[test]
    fn config_entries_must_be_bare_origins() {
        assert!(Origin::parse("https://shop.example.com").is_some());
        assert!(Origin::parse("capacitor://localhost").is_some());
        for bad in [
            "shop.example.com",
            "https://shop.example.com/",
            "https://shop.example.com/chat",
            "https://",
            "https://a:b",
            "null",
            "*",
        ] {
            assert!(Origin::parse(bad).is_none(), "{bad}");
        }
    }
}
