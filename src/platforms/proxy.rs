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
    b.build().map_err(|e| format!("cannot build the HTTP client: {e}"))
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
        assert!(text.contains("TELEGRAM_PROXY") && text.contains("SOCKS support is not compiled in"));
        assert!(!text.contains("secret"), "{text}");
        assert!(matches!(
            parse("X_PROXY", "ftp://h"),
            Err(ProxyError::Invalid { .. })
        ));
    }
}
