//! HTTPS/WSS served by us (`[tls] cert` and `key`, `docs/tls.md`): the rustls acceptor the
//! accept loop wraps each connection in, and the certificate it presents, which SIGHUP swaps
//! for the files' current contents without touching open connections (a handshake reads the
//! certificate once; connections made before keep theirs).

use crate::tls_trust::{PemError, read_certs, read_key};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio_rustls::TlsAcceptor;

/// Why the certificate or key cannot be used, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("tls.cert {0}")]
    Cert(PemError),
    #[error("tls.key {0}")]
    Key(PemError),
    #[error("tls: {} does not go with the key in {}: {reason}", cert.display(), key.display())]
    Mismatch {
        cert: PathBuf,
        key: PathBuf,
        reason: String,
    },
}

/// The certificate in use, swapped whole on reload.
#[derive(Debug)]
pub struct Reloading {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<Arc<CertifiedKey>>,
}

impl ResolvesServerCert for Reloading {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|c| c.clone())
    }
}

impl Reloading {
    /// Reads the files again; on success new handshakes present the new certificate. On
    /// failure the one in use stays and the error says why.
    pub fn reload(&self) -> Result<(), TlsError> {
        let fresh = load(&self.cert, &self.key)?;
        if let Ok(mut c) = self.current.write() {
            *c = Arc::new(fresh);
        }
        Ok(())
    }
}

/// The acceptor and its reloadable certificate.
pub struct Tls {
    pub acceptor: TlsAcceptor,
    pub certs: Arc<Reloading>,
}

/// Loads `cert` and `key` (PEM) into an acceptor speaking HTTP/1.1 (WebSockets upgrade from it).
pub fn setup(cert: &Path, key: &Path) -> Result<Tls, TlsError> {
    let first = load(cert, key)?;
    let certs = Arc::new(Reloading {
        cert: cert.to_path_buf(),
        key: key.to_path_buf(),
        current: RwLock::new(Arc::new(first)),
    });
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Mismatch {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            reason: e.to_string(),
        })?
        .with_no_client_auth()
        .with_cert_resolver(certs.clone());
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        certs,
    })
}

/// Reads and checks a certificate chain and its key.
fn load(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    let chain = read_certs(cert).map_err(TlsError::Cert)?;
    let der = read_key(key).map_err(TlsError::Key)?;
    let provider = rustls::crypto::ring::default_provider();
    let signing = provider
        .key_provider
        .load_private_key(der)
        .map_err(|e| TlsError::Key(key_error(key, e)))?;
    let certified = CertifiedKey::new(chain, signing);
    // A key that is not the certificate's would fail every handshake: refuse it here.
    certified.keys_match().map_err(|e| TlsError::Mismatch {
        cert: cert.to_path_buf(),
        key: key.to_path_buf(),
        reason: e.to_string(),
    })?;
    Ok(certified)
}

fn key_error(key: &Path, e: rustls::Error) -> PemError {
    PemError {
        path: key.to_path_buf(),
        reason: format!("not a usable private key: {e}"),
    }
}

/// Reloads the certificate on every SIGHUP until the server stops.
#[cfg(unix)]
pub fn reload_on_sighup(
    certs: Arc<Reloading>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = super::listen::until_true(&mut stop) => return,
                got = hup.recv() => if got.is_none() { return },
            }
            match certs.reload() {
                Ok(()) => tracing::info!(cert = %certs.cert.display(), "tls certificate reloaded"),
                Err(e) => tracing::error!(
                    error = %e,
                    "tls certificate NOT reloaded; still serving the previous one"
                ),
            }
        }
    });
    Ok(())
}

#[cfg(not(unix))]
pub fn reload_on_sighup(
    _certs: Arc<Reloading>,
    _stop: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<()> {
    Ok(())
}

/// How `[tls]` says connections are spoken to: TLS with the configured certificate (or
/// plain), and which proxies' `X-Forwarded-For` is believed.
pub fn front(config: &crate::config::TlsConfig) -> anyhow::Result<super::listen::Front> {
    // rustls wants a process-wide provider for anything that does not name one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let trusted = crate::config::TrustedProxies::parse(&config.trusted_proxies)
        .map_err(|e| anyhow::anyhow!(e))?;
    let (tls, certs) = match (&config.cert, &config.key) {
        (Some(cert), Some(key)) => {
            let t = setup(cert, key)?;
            tracing::info!(cert = %cert.display(), "serving https and wss");
            (Some(t.acceptor), Some(t.certs))
        }
        _ => (None, None),
    };
    Ok(super::listen::Front {
        tls,
        trusted: Arc::new(trusted),
        certs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(dir: &Path, name: &str) -> (PathBuf, PathBuf, Vec<u8>) {
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        let c = params.self_signed(&key).unwrap();
        let (cp, kp) = (
            dir.join(format!("{name}.crt")),
            dir.join(format!("{name}.key")),
        );
        std::fs::write(&cp, c.pem()).unwrap();
        std::fs::write(&kp, key.serialize_pem()).unwrap();
        (cp, kp, c.der().to_vec())
    }

    fn served(t: &Reloading) -> Vec<u8> {
        t.current.read().unwrap().cert[0].to_vec()
    }

    #[test]
    fn a_bad_file_on_reload_keeps_the_certificate_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let (cp, kp, first) = cert(dir.path(), "a");
        let t = setup(&cp, &kp).unwrap();
        assert_eq!(served(&t.certs), first);
        std::fs::write(&cp, "garbage").unwrap();
        let e = t.certs.reload().unwrap_err().to_string();
        assert!(e.contains("a.crt"), "{e}");
        assert_eq!(served(&t.certs), first, "still the old one");
        // A key that is not the certificate's is refused too.
        let (cp2, _, _) = cert(dir.path(), "b");
        std::fs::copy(&cp2, &cp).unwrap();
        assert!(t.certs.reload().is_err());
        assert_eq!(served(&t.certs), first);
        let (cp3, kp3, third) = cert(dir.path(), "c");
        std::fs::copy(&cp3, &cp).unwrap();
        std::fs::copy(&kp3, &kp).unwrap();
        t.certs.reload().unwrap();
        assert_eq!(served(&t.certs), third);
    }
}
