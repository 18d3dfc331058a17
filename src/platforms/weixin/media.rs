//! Media over the Weixin CDN: downloading an inbound item (through `<cdn>/download`, or a
//! `full_url` on an allow-listed host only), decrypting it and caching it under
//! `<home>/cache/weixin/`; and encrypting and uploading an outbound file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Url;

use super::convert::{MediaKey, MediaKind, MediaRef};
use super::crypto::{self, CryptoError};
use crate::fsutil;
use crate::platforms::Media;

/// Hosts a `full_url` may point at (anything else could be a request forgery).
pub const CDN_HOST_ALLOWLIST: &[&str] = &[
    "novac2c.cdn.weixin.qq.com",
    "ilinkai.weixin.qq.com",
    "wx.qlogo.cn",
    "thirdwx.qlogo.cn",
    "res.wx.qq.com",
    "mmbiz.qpic.cn",
    "mmbiz.qlogo.cn",
];

/// Why a media transfer failed.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Neither a CDN parameter nor a usable URL.
    #[error("the media item has no download reference")]
    NoReference,
    /// A `full_url` outside the allow-list (or not http/https).
    #[error("refusing to fetch media from {url}: not a WeChat CDN host")]
    HostNotAllowed { url: String },
    /// The URL does not parse.
    #[error("invalid media URL {url}")]
    BadUrl { url: String },
    /// The download or upload failed.
    #[error("media transfer failed")]
    Http(#[source] reqwest::Error),
    /// The CDN answered with an error status.
    #[error("the CDN answered HTTP {status}")]
    Status { status: u16 },
    /// The file is larger than allowed.
    #[error("the media is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// Decryption failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// Writing to the cache (or reading an attachment) failed.
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The CDN answered without the `x-encrypted-param` header.
    #[error("the CDN upload answered without an x-encrypted-param header")]
    MissingParam,
}

/// `<cdn>/download?encrypted_query_param=…`.
pub fn download_url(cdn_base_url: &str, param: &str) -> Result<Url, MediaError> {
    let raw = format!("{}/download", cdn_base_url.trim_end_matches('/'));
    let mut url = Url::parse(&raw).map_err(|_| MediaError::BadUrl { url: raw })?;
    url.query_pairs_mut()
        .append_pair("encrypted_query_param", param);
    Ok(url)
}

/// `<cdn>/upload?encrypted_query_param=…&filekey=…`.
pub fn upload_url(cdn_base_url: &str, param: &str, filekey: &str) -> Result<Url, MediaError> {
    let raw = format!("{}/upload", cdn_base_url.trim_end_matches('/'));
    let mut url = Url::parse(&raw).map_err(|_| MediaError::BadUrl { url: raw })?;
    url.query_pairs_mut()
        .append_pair("encrypted_query_param", param)
        .append_pair("filekey", filekey);
    Ok(url)
}

/// Checks a `full_url`: http(s) on an allow-listed host.
pub fn allowed_full_url(url: &str) -> Result<Url, MediaError> {
    let parsed = Url::parse(url).map_err(|_| MediaError::BadUrl { url: url.into() })?;
    let host_ok = parsed
        .host_str()
        .is_some_and(|h| CDN_HOST_ALLOWLIST.contains(&h));
    if !matches!(parsed.scheme(), "http" | "https") || !host_ok {
        return Err(MediaError::HostNotAllowed { url: url.into() });
    }
    Ok(parsed)
}

/// Where and how much to download.
#[derive(Debug, Clone)]
pub struct DownloadLimits {
    /// The CDN base URL.
    pub cdn_base_url: String,
    /// Largest file accepted.
    pub max_bytes: u64,
    /// Whole-download timeout.
    pub timeout: Duration,
}

/// Downloads, decrypts and caches one media item into `cache_dir`.
pub async fn download(
    http: &reqwest::Client,
    item: &MediaRef,
    limits: &DownloadLimits,
    cache_dir: &Path,
) -> Result<Media, MediaError> {
    let url = match (&item.encrypt_query_param, &item.full_url) {
        (Some(p), _) => download_url(&limits.cdn_base_url, p)?,
        (None, Some(u)) => allowed_full_url(u)?,
        (None, None) => return Err(MediaError::NoReference),
    };
    let mut resp = http
        .get(url)
        .timeout(limits.timeout)
        .send()
        .await
        .map_err(MediaError::Http)?;
    if !resp.status().is_success() {
        return Err(MediaError::Status {
            status: resp.status().as_u16(),
        });
    }
    let too_large = MediaError::TooLarge {
        limit: limits.max_bytes,
    };
    if resp.content_length().is_some_and(|n| n > limits.max_bytes) {
        return Err(too_large);
    }
    let mut data = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(MediaError::Http)? {
        if (data.len() + chunk.len()) as u64 > limits.max_bytes {
            return Err(too_large);
        }
        data.extend_from_slice(&chunk);
    }
    let data = match &item.key {
        Some(MediaKey::Base64(k)) => crypto::aes128_ecb_decrypt(&data, &crypto::parse_aes_key(k)?)?,
        Some(MediaKey::Hex(h)) => match crypto::parse_hex_key(h) {
            Some(key) => crypto::aes128_ecb_decrypt(&data, &key)?,
            None => return Err(CryptoError::KeyFormat { len: h.len() }.into()),
        },
        None => data,
    };
    let (ext, mime) = file_type(item.kind, item.file_name.as_deref());
    let id = &crypto::uuid_hex()[..12];
    let name = match &item.file_name {
        Some(n) => format!("{id}_{}", sanitize(n)),
        None => format!("weixin_{id}.{ext}"),
    };
    let path = cache_dir.join(name);
    fsutil::write_atomic(&path, &data, Some(fsutil::SECRET_MODE)).map_err(|source| {
        MediaError::Io {
            action: "write",
            path: path.clone(),
            source,
        }
    })?;
    Ok(Media {
        kind: item.kind.as_str().into(),
        path,
        mime: Some(mime),
    })
}

/// The extension and MIME type of a downloaded item.
fn file_type(kind: MediaKind, file_name: Option<&str>) -> (&'static str, String) {
    match kind {
        MediaKind::Image => ("jpg", "image/jpeg".into()),
        MediaKind::Voice => ("silk", "audio/silk".into()),
        MediaKind::Video => ("mp4", "video/mp4".into()),
        MediaKind::File => ("bin", mime_for(file_name.unwrap_or_default()).into()),
    }
}

/// A MIME type from a file name's extension (the common ones; otherwise octet-stream).
#[must_use]
pub fn mime_for(name: &str) -> &'static str {
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "ogg" | "opus" => "audio/ogg",
        "wav" => "audio/wav",
        "m4a" => "audio/mp4",
        "silk" => "audio/silk",
        "pdf" => "application/pdf",
        "txt" | "md" | "log" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// A file name safe to put in the cache directory.
fn sanitize(name: &str) -> String {
    let base = Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let clean: String = base
        .chars()
        .map(|c| {
            if c.is_control() || c == '/' || c == '\\' {
                '_'
            } else {
                c
            }
        })
        .take(120)
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    if clean.is_empty() {
        "file.bin".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_allowlist() {
        let u = download_url("https://novac2c.cdn.weixin.qq.com/c2c/", "a+b/c=").unwrap();
        assert_eq!(
            u.as_str(),
            "https://novac2c.cdn.weixin.qq.com/c2c/download?encrypted_query_param=a%2Bb%2Fc%3D"
        );
        let u = upload_url("http://x/c2c", "p", "k").unwrap();
        assert_eq!(
            u.as_str(),
            "http://x/c2c/upload?encrypted_query_param=p&filekey=k"
        );
        assert!(allowed_full_url("https://mmbiz.qpic.cn/x.jpg").is_ok());
        assert!(allowed_full_url("http://169.254.169.254/latest").is_err());
        assert!(allowed_full_url("file:///etc/passwd").is_err());
        assert!(allowed_full_url("https://mmbiz.qpic.cn.evil.com/x").is_err());
    }

    #[test]
    fn names_and_types() {
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize(".hidden"), "hidden");
        assert_eq!(sanitize(""), "file.bin");
        assert_eq!(mime_for("Report.PDF"), "application/pdf");
        assert_eq!(mime_for("x"), "application/octet-stream");
    }
}
