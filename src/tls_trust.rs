//! Which servers our clients (`kefu::client::Client`, the console's network layer) believe for
//! `wss://`: the public web roots, plus an extra CA from a PEM file (a company CA, or the
//! self-signed one a test makes). Also the PEM reading the server's `[tls]` files share.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A PEM file that could not be used, naming the file and why.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct PemError {
    pub path: PathBuf,
    pub reason: String,
}

impl PemError {
    fn new(path: &Path, reason: impl Into<String>) -> PemError {
        PemError {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}

/// Every certificate in a PEM file (at least one).
pub fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, PemError> {
    let bytes = read(path)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PemError::new(path, format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(PemError::new(
            path,
            "holds no certificate (expected `-----BEGIN CERTIFICATE-----`)",
        ));
    }
    Ok(certs)
}

/// The first private key in a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, PemError> {
    let bytes = read(path)?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| {
        PemError::new(
            path,
            format!("holds no usable private key (PKCS#8, PKCS#1 or SEC1 PEM): {e}"),
        )
    })
}

/// Certificate and key files are small; a larger "file" is a mistake (a device, a log).
const MAX_PEM_BYTES: u64 = 1024 * 1024;

fn read(path: &Path) -> Result<Vec<u8>, PemError> {
    let meta = std::fs::metadata(path).map_err(|e| PemError::new(path, e.to_string()))?;
    if meta.len() > MAX_PEM_BYTES {
        return Err(PemError::new(path, "is larger than 1 MiB: not a PEM file"));
    }
    std::fs::read(path).map_err(|e| PemError::new(path, e.to_string()))
}

/// A client configuration trusting the public web roots and, if given, every certificate in
/// `extra_ca` (PEM).
pub fn client_config(extra_ca: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, PemError> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = extra_ca {
        for cert in read_certs(path)? {
            roots
                .add(cert)
                .map_err(|e| PemError::new(path, format!("not a usable CA certificate: {e}")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| PemError::new(Path::new("(tls)"), e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// What tokio-tungstenite connects with: our roots (and CA) for `wss://`.
pub fn connector(config: &Arc<rustls::ClientConfig>) -> tokio_tungstenite::Connector {
    tokio_tungstenite::Connector::Rustls(config.clone())
}
