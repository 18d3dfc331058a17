//! Request authentication for webhook routes: HMAC-SHA256 over the raw body as GitHub
//! (`X-Hub-Signature-256: sha256=<hex>`), hermes (`X-Hermes-Signature`) and generic senders
//! (`X-Webhook-Signature: <hex>`) sign it, and GitLab's plain `X-Gitlab-Token`. Every
//! comparison is constant-time.

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

/// The secret that switches signature checks off (loopback binds only; testing).
pub const INSECURE_NO_AUTH: &str = "INSECURE_NO_AUTH";

const BLOCK: usize = 64;

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
#[must_use]
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Lowercase hex of `bytes`.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256=<hex>` of the body, as GitHub sends it.
#[must_use]
pub fn github_signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex(&hmac_sha256(secret.as_bytes(), body)))
}

/// Equality whose time depends only on the lengths, not on where the inputs differ.
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Whether the request carries a valid signature for `secret`. The first signature header
/// present decides; a request without any is refused.
#[must_use]
pub fn verify(headers: &HeaderMap, body: &[u8], secret: &str) -> bool {
    let expected = hex(&hmac_sha256(secret.as_bytes(), body));
    let hex_matches = |given: &str| {
        let given = given.strip_prefix("sha256=").unwrap_or(given);
        constant_time_eq(given.to_ascii_lowercase().as_bytes(), expected.as_bytes())
    };
    if let Some(sig) = header(headers, "x-hub-signature-256") {
        return sig.starts_with("sha256=") && hex_matches(sig);
    }
    if let Some(sig) = header(headers, "x-hermes-signature") {
        return hex_matches(sig);
    }
    if let Some(sig) = header(headers, "x-webhook-signature") {
        return hex_matches(sig);
    }
    if let Some(token) = header(headers, "x-gitlab-token") {
        return constant_time_eq(token.as_bytes(), secret.as_bytes());
    }
    false
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 of RFC 4231.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn signature_headers() {
        let body = br#"{"a":1}"#;
        let mut h = HeaderMap::new();
        assert!(!verify(&h, body, "s"), "no signature header");
        h.insert(
            "X-Hub-Signature-256",
            HeaderValue::from_str(&github_signature("s", body)).unwrap(),
        );
        assert!(verify(&h, body, "s"));
        assert!(!verify(&h, body, "other"));
        assert!(!verify(&h, b"{}", "s"));
        let mut h = HeaderMap::new();
        let bare = hex(&hmac_sha256(b"s", body));
        h.insert("X-Hermes-Signature", HeaderValue::from_str(&bare).unwrap());
        assert!(verify(&h, body, "s"));
        let mut h = HeaderMap::new();
        h.insert("X-Gitlab-Token", HeaderValue::from_static("s"));
        assert!(verify(&h, body, "s") && !verify(&h, body, "t"));
        assert!(!constant_time_eq(b"ab", b"abc"));
    }
}
