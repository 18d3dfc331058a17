//! Per-adapter HTTP clients for `<P>_PROXY` (`TELEGRAM_PROXY`, `DISCORD_PROXY`) and for
//! pinned addresses (`TELEGRAM_FALLBACK_IPS`). The shared gateway client is used when an
//! adapter needs neither.
//!
//! Only `http://` and `https://` proxies are supported: SOCKS would need reqwest's `socks`
//! feature, which pulls in a SOCKS client crate this build does not carry.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Why a proxy setting cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    /// A `socks4://`/`socks5://` URL.
    #[error(
        "{var} is a SOCKS proxy ({url}); this build supports only http:// and https:// proxies (SOCKS support is not compiled in). Use an HTTP(S) proxy, e.g. `{var}=http://127.0.0.1:8080`, or a local HTTP-to-SOCKS bridge"
    )]
    Socks { var: String, url: String },
    /// Not a URL, or another scheme.
    #[error("{var} is not an http(s) proxy URL: {url} ({why})")]
    Invalid {
        var: String,
        url: String,
        why: String,
    },
}

/// Parses a proxy setting named `var` (for messages): `http://[user:pass@]host:port` or
/// `https://…`. A bare `host:port` is taken as `http://host:port`.
pub fn parse(var: &str, raw: &str) -> Result<reqwest::Url, ProxyError> {
    let raw = raw.trim();
    let shown = redact(raw);
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("http://{raw}")
    };
    let url = reqwest::Url::parse(&with_scheme).map_err(|e| ProxyError::Invalid {
        var: var.into(),
        url: shown.clone(),
        why: e.to_string(),
    })?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(url),
        "http" | "https" => Err(ProxyError::Invalid {
            var: var.into(),
            url: shown,
            why: "no host".into(),
        }),
        s if s.starts_with("socks") => Err(ProxyError::Socks {
            var: var.into(),
            url: shown,
        }),
        s => Err(ProxyError::Invalid {
            var: var.into(),
            url: shown,
            why: format!("unsupported scheme {s}"),
        }),
    }
}

/// A proxy URL for logs: any password replaced by `***`.
#[must_use]
pub fn redact(raw: &str) -> String {
    match reqwest::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => raw.to_string(),
    }
}

/// A client like the gateway's (10 s connect timeout) that sends everything through
/// `proxy` when given, and resolves `pin.0` to `pin.1` when given (the URL's port is kept).
pub fn client(
    proxy: Option<&reqwest::Url>,
    pin: Option<(&str, IpAddr)>,
) -> Result<reqwest::Client, String> {
    let mut b = reqwest::Client::builder().connect_timeout(Duration::from_secs(10));
    if let Some(p) = proxy {
        b = b.proxy(reqwest::Proxy::all(p.as_str()).map_err(|e| e.to_string())?);
    }
    if let Some((host, ip)) = pin {
        b = b.resolve(host, SocketAddr::new(ip, 0));
    }
    b.build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// A byte stream a websocket can run over (a TCP or TLS connection to a proxy).
pub trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for T {}

/// Opens a tunnel to `host:port` through `proxy` with HTTP `CONNECT` (RFC 9110 §9.3.6), for
/// connections reqwest does not make (websockets). TLS to the target is the caller's.
pub async fn tunnel(proxy: &reqwest::Url, host: &str, port: u16) -> Result<Box<dyn Io>, String> {
    use base64::Engine as _;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let shown = redact(proxy.as_str());
    let proxy_host = proxy.host_str().unwrap_or_default().to_string();
    let proxy_port = proxy.port_or_known_default().unwrap_or(80);
    let tcp = tokio::net::TcpStream::connect((proxy_host.as_str(), proxy_port))
        .await
        .map_err(|e| format!("cannot connect to the proxy {shown}: {e}"))?;
    let mut stream: Box<dyn Io> = if proxy.scheme() == "https" {
        let mut roots = tokio_rustls::rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(
            std::sync::Arc::new(tokio_rustls::rustls::crypto::ring::default_provider()),
        )
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = rustls_pki_types::ServerName::try_from(proxy_host.clone())
            .map_err(|e| format!("bad proxy host {proxy_host}: {e}"))?;
        let tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS to the proxy {shown} failed: {e}"))?;
        Box::new(tls)
    } else {
        Box::new(tcp)
    };
    let mut request = format!("CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n");
    if !proxy.username().is_empty() {
        let user = percent_decode(proxy.username());
        let pass = percent_decode(proxy.password().unwrap_or_default());
        let creds = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        request.push_str(&format!("Proxy-Authorization: Basic {creds}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("proxy {shown}: {e}"))?;
    // The answer's head, read byte by byte so nothing of the tunnel is consumed.
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 {
            return Err(format!("proxy {shown} sent an oversized answer"));
        }
        let b = stream
            .read_u8()
            .await
            .map_err(|e| format!("proxy {shown} closed the tunnel: {e}"))?;
        head.push(b);
    }
    let status = String::from_utf8_lossy(&head)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let code = status.split_whitespace().nth(1).unwrap_or_default();
    if !code.starts_with('2') {
        return Err(format!(
            "proxy {shown} refused CONNECT {host}:{port}: {status}"
        ));
    }
    Ok(stream)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_proxies_parse_and_socks_is_refused_with_the_reason() {
        assert_eq!(
            parse("X_PROXY", "http://127.0.0.1:3128").unwrap().as_str(),
            "http://127.0.0.1:3128/"
        );
        assert_eq!(
            parse("X_PROXY", "proxy.local:8080").unwrap().as_str(),
            "http://proxy.local:8080/"
        );
        assert!(parse("X_PROXY", "https://u:p@proxy.local").is_ok());
        let e = parse("TELEGRAM_PROXY", "socks5://u:secret@127.0.0.1:1080").unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, ProxyError::Socks { .. }));
        assert!(
            text.contains("TELEGRAM_PROXY") && text.contains("SOCKS support is not compiled in")
        );
        assert!(!text.contains("secret"), "{text}");
        assert!(matches!(
            parse("X_PROXY", "ftp://h"),
            Err(ProxyError::Invalid { .. })
        ));
        assert_eq!(percent_decode("a%40b%3A"), "a@b:");
    }
}
