//! Pairing codes and request ids: generation from the OS random source, salted hashing, and
//! constant-time comparison. Codes exist in plaintext only in memory and in the user's chat.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::auth::PairingError;

/// The code alphabet: 32 symbols without the look-alikes 0/O and 1/I.
pub(super) const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Characters in a code.
pub(super) const CODE_LEN: usize = 8;

/// A pairing code as shown to the user once. `Debug` hides it, so a stray `{:?}` in a log
/// line never leaks one.
#[derive(Clone, PartialEq, Eq)]
pub struct PairingCode(String);

impl PairingCode {
    /// The code's text, for the message to the user.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PairingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PairingCode(***)")
    }
}

impl fmt::Display for PairingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `N` bytes from the OS random source.
pub(super) fn random<const N: usize>() -> Result<[u8; N], PairingError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| PairingError::Random {
        source: e.raw_os_error().map_or_else(
            || std::io::Error::other(e.to_string()),
            std::io::Error::from_raw_os_error,
        ),
    })?;
    Ok(buf)
}

/// A fresh code. 32 symbols are exactly 5 bits, so masking a random byte is unbiased.
pub(super) fn new_code() -> Result<PairingCode, PairingError> {
    let bytes = random::<CODE_LEN>()?;
    Ok(PairingCode(
        bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(b & 0x1f)]))
            .collect(),
    ))
}

/// A fresh 16-hex request id.
pub(super) fn new_request_id() -> Result<String, PairingError> {
    Ok(hex(&random::<8>()?))
}

/// Upstream's normal form of a typed code: trimmed, uppercased.
pub(super) fn normalize(code: &str) -> String {
    code.trim().to_uppercase()
}

/// Whether `s` looks like a code (used to recognise classic plaintext keys).
pub(super) fn looks_like_code(s: &str) -> bool {
    s.len() == CODE_LEN && s.bytes().all(|b| ALPHABET.contains(&b))
}

/// `sha256hex(salt + code)`, upstream's stored form.
pub(super) fn hash_code(salt: &[u8], code: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(code.as_bytes());
    hex(&h.finalize())
}

/// Compares without an early exit, so timing says nothing about how much matched.
pub(super) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Lowercase hex.
pub(super) fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            // Writing to a String cannot fail.
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Parses hex (either case); `None` on anything else.
pub(super) fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Whether `s` is a request id (16 hex digits).
pub(super) fn is_request_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_alphabet() {
        for _ in 0..200 {
            let c = new_code().unwrap();
            assert!(looks_like_code(c.as_str()), "{c}");
        }
        assert_eq!(format!("{:?}", new_code().unwrap()), "PairingCode(***)");
    }

    #[test]
    fn every_symbol_is_reachable() {
        // 5 bits per symbol: over many codes every one of the 32 symbols shows up.
        let mut seen = [false; 32];
        for _ in 0..400 {
            for b in new_code().unwrap().as_str().bytes() {
                let i = ALPHABET.iter().position(|a| *a == b).unwrap();
                seen[i] = true;
            }
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn hash_matches_python_hashlib() {
        // hashlib.sha256(bytes.fromhex("00112233445566778899aabbccddeeff") + b"ABCDEFGH").hexdigest()
        let salt = unhex("00112233445566778899aabbccddeeff").unwrap();
        assert_eq!(
            hash_code(&salt, "ABCDEFGH"),
            "10f3bc3a85171d944bb36c25d668cceee1c2d1145fe22432a4f0ea3da3639593"
        );
    }

    #[test]
    fn helpers() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
        assert_eq!(hex(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(unhex("00ABff"), Some(vec![0, 0xab, 0xff]));
        assert_eq!(unhex("0g"), None);
        assert!(is_request_id("0123456789abcdef"));
        assert!(!is_request_id("ABCDEFGH"));
        assert_eq!(normalize(" abcd2345 "), "ABCD2345");
        assert_eq!(new_request_id().unwrap().len(), 16);
    }
}
