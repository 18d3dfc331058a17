//! The CDN's media encryption: AES-128 in ECB mode with PKCS#7 padding, built over the `aes`
//! block cipher, plus the key formats iLink uses and the random ids the adapter needs.
//! Nothing here does I/O.

use aes::Aes128;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit, generic_array::GenericArray};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

/// AES block size in bytes.
const BLOCK: usize = 16;

/// Why media could not be decrypted.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The key is not valid base64.
    #[error("the media key is not valid base64")]
    KeyEncoding(#[source] base64::DecodeError),
    /// The key decodes to neither 16 raw bytes nor 32 hex characters.
    #[error("unexpected media key format ({len} decoded bytes)")]
    KeyFormat { len: usize },
    /// The ciphertext is not a whole number of blocks.
    #[error("ciphertext of {len} bytes is not a multiple of 16")]
    CiphertextLength { len: usize },
}

/// Pads `data` to a whole number of blocks (PKCS#7: always 1–16 bytes of padding).
#[must_use]
pub fn pkcs7_pad(data: &[u8]) -> Vec<u8> {
    let pad = BLOCK - data.len() % BLOCK;
    let mut out = Vec::with_capacity(data.len() + pad);
    out.extend_from_slice(data);
    // `pad` is 1..=16, so the cast is exact.
    #[allow(clippy::cast_possible_truncation)]
    out.resize(data.len() + pad, pad as u8);
    out
}

/// Removes PKCS#7 padding. Like upstream, data whose last block is not valid padding is
/// returned unchanged rather than rejected.
#[must_use]
pub fn pkcs7_unpad(data: &[u8]) -> &[u8] {
    let Some(&last) = data.last() else {
        return data;
    };
    let pad = usize::from(last);
    if (1..=BLOCK).contains(&pad)
        && data.len() >= pad
        && data[data.len() - pad..].iter().all(|&b| b == last)
    {
        &data[..data.len() - pad]
    } else {
        data
    }
}

/// The ciphertext size of `plain` bytes after padding.
#[must_use]
pub fn padded_size(plain: usize) -> usize {
    (plain / BLOCK + 1) * BLOCK
}

/// Encrypts with AES-128-ECB after PKCS#7 padding.
#[must_use]
pub fn aes128_ecb_encrypt(plaintext: &[u8], key: &[u8; 16]) -> Vec<u8> {
    let cipher = Aes128::new(GenericArray::from_slice(key));
    let mut data = pkcs7_pad(plaintext);
    for block in data.chunks_exact_mut(BLOCK) {
        cipher.encrypt_block(GenericArray::from_mut_slice(block));
    }
    data
}

/// Decrypts AES-128-ECB and strips PKCS#7 padding.
pub fn aes128_ecb_decrypt(ciphertext: &[u8], key: &[u8; 16]) -> Result<Vec<u8>, CryptoError> {
    if !ciphertext.len().is_multiple_of(BLOCK) {
        return Err(CryptoError::CiphertextLength {
            len: ciphertext.len(),
        });
    }
    let cipher = Aes128::new(GenericArray::from_slice(key));
    let mut data = ciphertext.to_vec();
    for block in data.chunks_exact_mut(BLOCK) {
        cipher.decrypt_block(GenericArray::from_mut_slice(block));
    }
    let len = pkcs7_unpad(&data).len();
    data.truncate(len);
    Ok(data)
}

/// Parses a media key: base64 of either 16 raw bytes or a 32-character hex string.
pub fn parse_aes_key(b64: &str) -> Result<[u8; 16], CryptoError> {
    let decoded = B64.decode(b64.trim()).map_err(CryptoError::KeyEncoding)?;
    if let Ok(key) = <[u8; 16]>::try_from(decoded.as_slice()) {
        return Ok(key);
    }
    if decoded.len() == 32
        && let Ok(text) = std::str::from_utf8(&decoded)
        && let Some(key) = parse_hex_key(text)
    {
        return Ok(key);
    }
    Err(CryptoError::KeyFormat { len: decoded.len() })
}

/// Parses a 32-character hex key (`image_item.aeskey`).
#[must_use]
pub fn parse_hex_key(text: &str) -> Option<[u8; 16]> {
    let text = text.trim();
    if text.len() != 32 || !text.is_ascii() {
        return None;
    }
    let mut key = [0u8; 16];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(key)
}

/// Lowercase hex of `bytes`.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Standard base64 of `bytes`.
#[must_use]
pub fn base64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// `N` bytes from the OS generator.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // A failing OS generator leaves zeros; every use (request nonces, client ids, upload
    // keys) would still work, and getrandom only fails on exotic platforms.
    let _ = getrandom::fill(&mut b);
    b
}

/// A version-4 UUID as 32 hex characters (Python's `uuid4().hex`).
pub(crate) fn uuid_hex() -> String {
    let mut b = random_bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    hex(&b)
}

/// `X-WECHAT-UIN`: base64 of the decimal string of a random `u32`.
pub(crate) fn random_uin() -> String {
    base64(
        u32::from_be_bytes(random_bytes::<4>())
            .to_string()
            .as_bytes(),
    )
}

/// MD5 of `data` (RFC 1321), as iLink's `rawfilemd5` wants it. Not used for security.
#[must_use]
#[allow(clippy::many_single_char_names)] // the RFC's names
pub fn md5(data: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    // K[i] = floor(abs(sin(i + 1)) * 2^32); the truncating cast is the definition.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let k: [u32; 64] =
        std::array::from_fn(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32);
    let mut state: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_le_bytes());
    for chunk in msg.chunks_exact(64) {
        let m: [u32; 16] = std::array::from_fn(|i| {
            u32::from_le_bytes([
                chunk[4 * i],
                chunk[4 * i + 1],
                chunk[4 * i + 2],
                chunk[4 * i + 3],
            ])
        });
        let [mut a, mut b, mut c, mut d] = state;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let rotated = a
                .wrapping_add(f)
                .wrapping_add(k[i])
                .wrapping_add(m[g])
                .rotate_left(S[i]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(rotated);
        }
        state[0] = state[0].wrapping_add(a);
        state[1] = state[1].wrapping_add(b);
        state[2] = state[2].wrapping_add(c);
        state[3] = state[3].wrapping_add(d);
    }
    let mut out = [0u8; 16];
    for (i, w) in state.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn fips197_aes128_vector() {
        // FIPS-197 Appendix C.1.
        let key: [u8; 16] = unhex("000102030405060708090a0b0c0d0e0f")
            .try_into()
            .unwrap();
        let plain = unhex("00112233445566778899aabbccddeeff");
        let ct = aes128_ecb_encrypt(&plain, &key);
        assert_eq!(ct.len(), 32, "a full block of padding follows");
        assert_eq!(hex(&ct[..16]), "69c4e0d86a7b0430d8cdb78070b4c55a");
        assert_eq!(aes128_ecb_decrypt(&ct, &key).unwrap(), plain);
    }

    #[test]
    fn sp800_38a_ecb_vector() {
        // NIST SP 800-38A F.1.1, first block.
        let key: [u8; 16] = unhex("2b7e151628aed2a6abf7158809cf4f3c")
            .try_into()
            .unwrap();
        let ct = aes128_ecb_encrypt(&unhex("6bc1bee22e409f96e93d7e117393172a"), &key);
        assert_eq!(hex(&ct[..16]), "3ad77bb40d7a3660a89ecaf32466ef97");
    }

    #[test]
    fn pkcs7_padding() {
        assert_eq!(pkcs7_pad(b""), vec![16u8; 16]);
        assert_eq!(pkcs7_pad(b"abc").len(), 16);
        assert_eq!(pkcs7_pad(b"abc")[15], 13);
        assert_eq!(pkcs7_pad(&[0u8; 16]).len(), 32);
        assert_eq!(pkcs7_unpad(&pkcs7_pad(b"hello")), b"hello");
        // Not valid padding: returned unchanged.
        assert_eq!(pkcs7_unpad(b"abc\x05"), b"abc\x05");
        for n in [0usize, 1, 15, 16, 17, 1000] {
            assert_eq!(padded_size(n), pkcs7_pad(&vec![1u8; n]).len());
        }
    }

    #[test]
    fn round_trip_and_bad_length() {
        let key = [7u8; 16];
        let data: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let ct = aes128_ecb_encrypt(&data, &key);
        assert_eq!(aes128_ecb_decrypt(&ct, &key).unwrap(), data);
        assert!(matches!(
            aes128_ecb_decrypt(&ct[..20], &key),
            Err(CryptoError::CiphertextLength { len: 20 })
        ));
    }

    #[test]
    fn key_formats() {
        let raw = [0xabu8; 16];
        assert_eq!(parse_aes_key(&base64(&raw)).unwrap(), raw);
        let hex_key = base64(hex(&raw).as_bytes());
        assert_eq!(parse_aes_key(&hex_key).unwrap(), raw);
        assert!(matches!(
            parse_aes_key(&base64(b"short")),
            Err(CryptoError::KeyFormat { len: 5 })
        ));
        assert!(parse_aes_key("%%%").is_err());
        assert_eq!(parse_hex_key(&hex(&raw)), Some(raw));
        assert_eq!(parse_hex_key("zz"), None);
    }

    #[test]
    fn md5_vectors() {
        // RFC 1321 appendix A.5.
        assert_eq!(hex(&md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex(&md5(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            hex(&md5(
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            )),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
    }

    #[test]
    fn ids() {
        let u = uuid_hex();
        assert_eq!(u.len(), 32);
        assert_eq!(&u[12..13], "4");
        let uin = B64.decode(random_uin()).unwrap();
        let text = String::from_utf8(uin).unwrap();
        assert!(text.parse::<u32>().is_ok(), "{text}");
    }
}
