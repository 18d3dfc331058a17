//! The byte stream IMAP and SMTP share: TCP, optionally TLS from the start or after
//! STARTTLS, with CRLF line reads bounded in length. Certificate trust (web roots, a CA or
//! pinned self-signed certificate from a file, or no verification) is decided here.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{self, CryptoProvider};
use tokio_rustls::rustls::{self, ClientConfig, DigitallySignedStruct, RootCertStore};

/// The longest protocol line we accept (RFC 5321 allows 512; IMAP servers send longer).
const MAX_LINE: usize = 64 * 1024;
/// How long connecting (TCP and TLS) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How a connection is secured (`EMAIL_IMAP_TLS`, `EMAIL_SMTP_TLS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (IMAPS 993, SMTPS 465).
    Tls,
    /// Plain text upgraded with STARTTLS before logging in.
    StartTls,
    /// No TLS at all (loopback test servers only).
    None,
}

impl Security {
    /// Parses `tls|ssl|implicit`, `starttls`, `none|plain|off`.
    #[must_use]
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "tls" | "ssl" | "implicit" => Some(Self::Tls),
            "starttls" => Some(Self::StartTls),
            "none" | "plain" | "off" | "false" => Some(Self::None),
            _ => None,
        }
    }
}

/// Which server certificates are trusted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// PEM file of extra trust: CA certificates, or the server's own self-signed certificate
    /// (`EMAIL_TLS_CA_FILE`).
    pub ca_file: Option<PathBuf>,
    /// Skip verification entirely (`EMAIL_TLS_INSECURE`).
    pub insecure: bool,
}

/// Why a TLS client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// The CA file could not be read or holds no certificate.
    #[error("cannot read certificates from {path}: {message}")]
    CaFile { path: PathBuf, message: String },
    /// rustls refused the configuration.
    #[error("TLS setup failed: {source}")]
    Rustls {
        #[source]
        source: rustls::Error,
    },
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(crypto::ring::default_provider())
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let fail = |message: String| TlsSetupError::CaFile {
        path: path.to_path_buf(),
        message,
    };
    let certs: Vec<_> = CertificateDer::pem_file_iter(path)
        .map_err(|e| fail(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| fail(e.to_string()))?;
    if certs.is_empty() {
        return Err(fail("no PEM certificate in it".into()));
    }
    Ok(certs)
}

/// Builds the TLS client for `options`.
pub fn connector(options: &TlsOptions) -> Result<TlsConnector, TlsSetupError> {
    let rustls_err = |source| TlsSetupError::Rustls { source };
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(rustls_err)?;
    let config = if options.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCert(provider())))
            .with_no_client_auth()
    } else {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let mut pinned = Vec::new();
        if let Some(path) = &options.ca_file {
            for cert in read_certs(path)? {
                // A self-signed server certificate is usually marked CA:TRUE, which webpki
                // refuses as an end entity; it is also accepted below as an exact pin.
                let _ = roots.add(cert.clone());
                pinned.push(cert);
            }
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
            .build()
            .map_err(|e| TlsSetupError::Rustls {
                source: rustls::Error::General(e.to_string()),
            })?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Pinned {
                webpki,
                exact: pinned,
                provider: provider(),
            }))
            .with_no_client_auth()
    };
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Web PKI verification, plus exact matches of certificates from the CA file.
#[derive(Debug)]
struct Pinned {
    webpki: Arc<WebPkiServerVerifier>,
    exact: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.exact.iter().any(|p| p.as_ref() == end_entity.as_ref()) {
            return Ok(ServerCertVerified::assertion());
        }
        self.webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Accepts any certificate (`EMAIL_TLS_INSECURE`); handshake signatures are still checked.
#[derive(Debug)]
struct AnyCert(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCert {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Whether an I/O error is a refused server certificate (retrying will not help).
#[must_use]
pub(crate) fn is_certificate_error(e: &io::Error) -> bool {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .is_some_and(|r| {
            matches!(
                r,
                rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented
            )
        })
}

/// TCP, or TLS over TCP.
pub(crate) enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A line-oriented connection to a mail server.
pub(crate) struct Wire {
    io: BufReader<Conn>,
    pending: Vec<u8>,
    host: String,
    tls: TlsConnector,
}

fn timeout_err(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, format!("{what} timed out"))
}

async fn handshake(
    tls: &TlsConnector,
    host: &str,
    tcp: TcpStream,
) -> io::Result<TlsStream<TcpStream>> {
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    tokio::time::timeout(CONNECT_TIMEOUT, tls.connect(name, tcp))
        .await
        .map_err(|_| timeout_err("TLS handshake"))?
}

impl Wire {
    /// Connects to `host:port`, starting TLS at once when `security` is [`Security::Tls`].
    pub(crate) async fn connect(
        host: &str,
        port: u16,
        security: Security,
        tls: TlsConnector,
    ) -> io::Result<Self> {
        let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host, port)))
            .await
            .map_err(|_| timeout_err("connecting"))??;
        let conn = if security == Security::Tls {
            Conn::Tls(Box::new(handshake(&tls, host, tcp).await?))
        } else {
            Conn::Plain(tcp)
        };
        Ok(Self {
            io: BufReader::new(conn),
            pending: Vec::new(),
            host: host.to_string(),
            tls,
        })
    }

    /// Upgrades a plain connection to TLS (after the server agreed to STARTTLS).
    pub(crate) async fn start_tls(self) -> io::Result<Self> {
        let Self { io, host, tls, .. } = self;
        let conn = match io.into_inner() {
            Conn::Plain(tcp) => Conn::Tls(Box::new(handshake(&tls, &host, tcp).await?)),
            already @ Conn::Tls(_) => already,
        };
        Ok(Self {
            io: BufReader::new(conn),
            pending: Vec::new(),
            host,
            tls,
        })
    }

    /// Whether the connection is encrypted.
    pub(crate) fn is_tls(&self) -> bool {
        matches!(self.io.get_ref(), Conn::Tls(_))
    }

    /// One line without its CRLF; an error at end of stream or past [`MAX_LINE`].
    ///
    /// Cancel-safe: a partial line stays in `pending` for the next call (IDLE waits on this
    /// inside `select!`).
    pub(crate) async fn read_line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            let buf = self.io.fill_buf().await?;
            if buf.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                ));
            }
            if let Some(i) = buf.iter().position(|b| *b == b'\n') {
                self.pending.extend_from_slice(&buf[..i]);
                self.io.consume(i + 1);
                let mut line = std::mem::take(&mut self.pending);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            let n = buf.len();
            self.pending.extend_from_slice(buf);
            self.io.consume(n);
            if self.pending.len() > MAX_LINE {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a line from the server is too long",
                ));
            }
        }
    }

    /// Exactly `n` bytes (an IMAP literal).
    pub(crate) async fn read_exact(&mut self, n: usize) -> io::Result<Vec<u8>> {
        let mut buf = vec![0; n];
        self.io.read_exact(&mut buf).await?;
        Ok(buf)
    }

    /// Writes and flushes.
    pub(crate) async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        let w = self.io.get_mut();
        w.write_all(bytes).await?;
        w.flush().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_names() {
        assert_eq!(Security::parse("STARTTLS"), Some(Security::StartTls));
        assert_eq!(Security::parse("ssl"), Some(Security::Tls));
        assert_eq!(Security::parse("none"), Some(Security::None));
        assert_eq!(Security::parse("maybe"), None);
    }

    #[test]
    fn a_missing_ca_file_is_an_error() {
        let options = TlsOptions {
            ca_file: Some(PathBuf::from("/nonexistent/ca.pem")),
            insecure: false,
        };
        assert!(matches!(
            connector(&options),
            Err(TlsSetupError::CaFile { .. })
        ));
        assert!(connector(&TlsOptions::default()).is_ok());
    }
}
