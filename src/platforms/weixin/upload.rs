//! Outbound media: a random AES key and file key, `getuploadurl`, the ciphertext posted to
//! the CDN, and the message item that points at the `x-encrypted-param` it answers with.

use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::api::{EP_GET_UPLOAD_URL, Ret};
use super::convert::{ITEM_FILE, ITEM_IMAGE, ITEM_VIDEO, ITEM_VOICE};
use super::media::{MediaError, mime_for, upload_url};
use super::{Shared, crypto};
use crate::platforms::PlatformError;

/// `getuploadurl` media types.
const MEDIA_IMAGE: i64 = 1;
const MEDIA_VIDEO: i64 = 2;
const MEDIA_FILE: i64 = 3;
const MEDIA_VOICE: i64 = 4;

/// How long one CDN upload may take.
const UPLOAD_TIMEOUT: Duration = Duration::from_mins(2);

/// Uploads `path` for `peer` and returns the `item_list` entry that sends it.
pub(super) async fn upload(
    shared: &Shared,
    peer: &str,
    path: &Path,
) -> Result<Value, PlatformError> {
    let plain = tokio::fs::read(path).await.map_err(|source| {
        media_error(&MediaError::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        })
    })?;
    let name = path
        .file_name()
        .map_or_else(|| "file.bin".into(), |n| n.to_string_lossy().into_owned());
    let mime = mime_for(&name);
    let media_type = if mime.starts_with("image/") {
        MEDIA_IMAGE
    } else if mime.starts_with("video/") {
        MEDIA_VIDEO
    } else if name.ends_with(".silk") {
        MEDIA_VOICE
    } else {
        MEDIA_FILE
    };
    let key = crypto::random_bytes::<16>();
    let filekey = crypto::hex(&crypto::random_bytes::<16>());
    let md5 = crypto::hex(&crypto::md5(&plain));
    let ciphertext = crypto::aes128_ecb_encrypt(&plain, &key);

    let mut p = Map::new();
    p.insert("filekey".into(), filekey.clone().into());
    p.insert("media_type".into(), media_type.into());
    p.insert("to_user_id".into(), peer.into());
    p.insert("rawsize".into(), plain.len().into());
    p.insert("rawfilemd5".into(), md5.clone().into());
    p.insert("filesize".into(), crypto::padded_size(plain.len()).into());
    p.insert("no_need_thumb".into(), true.into());
    p.insert("aeskey".into(), crypto::hex(&key).into());
    let v = shared
        .api
        .post(EP_GET_UPLOAD_URL, p, shared.config.timings.api)
        .await
        .map_err(|e| super::api_error(&e))?;
    let ret = Ret::of(&v);
    if !ret.is_ok() {
        return Err(super::transient(format!(
            "iLink getuploadurl failed: {ret}"
        )));
    }
    let field = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let url = match (field("upload_full_url"), field("upload_param")) {
        (Some(full), _) => reqwest::Url::parse(&full)
            .map_err(|_| media_error(&MediaError::BadUrl { url: full.clone() }))?,
        (None, Some(param)) => upload_url(&shared.config.cdn_base_url, &param, &filekey)
            .map_err(|e| media_error(&e))?,
        (None, None) => {
            return Err(super::transient(
                "iLink getuploadurl answered neither upload_param nor upload_full_url",
            ));
        }
    };
    let resp = shared
        .http
        .post(url)
        .timeout(UPLOAD_TIMEOUT)
        .header("Content-Type", "application/octet-stream")
        .body(ciphertext.clone())
        .send()
        .await
        .map_err(|e| media_error(&MediaError::Http(e)))?;
    if !resp.status().is_success() {
        return Err(media_error(&MediaError::Status {
            status: resp.status().as_u16(),
        }));
    }
    let param = resp
        .headers()
        .get("x-encrypted-param")
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| media_error(&MediaError::MissingParam))?;
    // iLink wants base64 of the key's hex string, not of the raw bytes (raw shows grey boxes).
    let media = json!({
        "encrypt_query_param": param,
        "aes_key": crypto::base64(crypto::hex(&key).as_bytes()),
        "encrypt_type": 1,
    });
    Ok(match media_type {
        MEDIA_IMAGE => json!({"type": ITEM_IMAGE, "image_item": {
            "media": media, "mid_size": ciphertext.len()}}),
        MEDIA_VIDEO => json!({"type": ITEM_VIDEO, "video_item": {
            "media": media, "video_size": ciphertext.len(), "play_length": 0, "video_md5": md5}}),
        MEDIA_VOICE => json!({"type": ITEM_VOICE, "voice_item": {
            "media": media, "encode_type": 6, "bits_per_sample": 16, "sample_rate": 24000,
            "playtime": 0}}),
        _ => json!({"type": ITEM_FILE, "file_item": {
            "media": media, "file_name": name, "len": plain.len().to_string()}}),
    })
}

fn media_error(e: &MediaError) -> PlatformError {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    super::transient(msg)
}
