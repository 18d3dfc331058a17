//! Artifact checks: SHA-256 against the manifest, and an ed25519 signature over the artifact's
//! bytes by the release key compiled in here (`HERMES_UPDATE_PUBKEY` overrides it for tests
//! and private builds).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use super::UpdateError;

/// The release signing key (raw 32-byte ed25519 public key, base64). The matching private
/// key is held by whoever publishes releases; see docs/update.md to rotate it.
pub const RELEASE_PUBKEY: &str = "CHIXckswzioLCRUkI5WjVLNhCZEVKe31JqQ4atoKI5E=";

/// Lower-case hex SHA-256 of `bytes`.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks `bytes` against an expected hex digest (a `sha256sum` line is accepted too).
pub fn check_sha256(bytes: &[u8], expected: &str) -> Result<(), UpdateError> {
    let expected = expected
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let actual = sha256_hex(bytes);
    if actual == expected {
        Ok(())
    } else {
        Err(UpdateError::Checksum { expected, actual })
    }
}

/// Parses a key given as base64 or hex of the 32 raw bytes.
pub fn parse_key(text: &str) -> Result<VerifyingKey, UpdateError> {
    let t = text.trim();
    let bad = || UpdateError::BadPublicKey {
        value: t.to_string(),
    };
    let raw = if t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit()) {
        (0..32)
            .map(|i| u8::from_str_radix(&t[i * 2..i * 2 + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| bad())?
    } else {
        STANDARD.decode(t).map_err(|_| bad())?
    };
    let arr: [u8; 32] = raw.try_into().map_err(|_| bad())?;
    VerifyingKey::from_bytes(&arr).map_err(|_| bad())
}

/// The key releases are checked with: `override_key` (from `HERMES_UPDATE_PUBKEY`) or the
/// compiled-in one.
pub fn release_key(override_key: Option<&str>) -> Result<VerifyingKey, UpdateError> {
    parse_key(override_key.unwrap_or(RELEASE_PUBKEY))
}

/// Verifies a base64 ed25519 signature over `bytes`.
pub fn check_signature(
    bytes: &[u8],
    signature_b64: &str,
    key: &VerifyingKey,
) -> Result<(), UpdateError> {
    let raw = STANDARD
        .decode(signature_b64.trim())
        .map_err(|_| UpdateError::BadSignature)?;
    let arr: [u8; 64] = raw.try_into().map_err(|_| UpdateError::BadSignature)?;
    key.verify(bytes, &Signature::from_bytes(&arr))
        .map_err(|_| UpdateError::BadSignature)
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signer, SigningKey};

    use super::*;

    #[test]
    fn checksums_and_signatures() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(
            check_sha256(
                b"abc",
                "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD  hermes"
            )
            .is_ok()
        );
        assert!(matches!(
            check_sha256(b"abd", &sha256_hex(b"abc")),
            Err(UpdateError::Checksum { .. })
        ));
        let sk = SigningKey::from_bytes(&[7u8; 32]);
        let pk = STANDARD.encode(sk.verifying_key().as_bytes());
        let key = parse_key(&pk).unwrap();
        let sig = STANDARD.encode(sk.sign(b"binary").to_bytes());
        assert!(check_signature(b"binary", &sig, &key).is_ok());
        assert!(matches!(
            check_signature(b"tampered", &sig, &key),
            Err(UpdateError::BadSignature)
        ));
        assert!(release_key(None).is_ok(), "the compiled-in key parses");
        let hex: String = sk
            .verifying_key()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(parse_key(&hex).unwrap(), key);
        assert!(parse_key("nope").is_err());
    }
}
