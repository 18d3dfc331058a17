//! Self-update: fetch the release manifest, download this target's build, verify its
//! SHA-256 and ed25519 signature, and replace the running binary atomically with rollback.
//! Restarting gateways and syncing skills afterwards is the binary's job.

pub mod install;
pub mod manifest;
pub mod verify;

use std::path::PathBuf;
use std::time::Duration;

use futures_util::StreamExt;

pub use install::{Installed, replace, unpack};
pub use manifest::{Asset, Manifest, compare_versions, target_triple};

/// Why an update could not be made.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// No manifest URL in config or environment.
    #[error("no update manifest is configured")]
    NoManifestUrl,
    /// The server could not be reached.
    #[error("cannot reach {url} (offline?)")]
    Offline {
        /// What was fetched.
        url: String,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with an error status.
    #[error("{url} answered HTTP {status}")]
    Http {
        /// What was fetched.
        url: String,
        /// The status.
        status: u16,
    },
    /// The manifest is not valid JSON of the expected shape.
    #[error("the update manifest at {url} is not valid")]
    BadManifest {
        /// Its URL.
        url: String,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// No build for this machine.
    #[error("the release has no build for {triple}")]
    NoTarget {
        /// This build's triple.
        triple: String,
        /// What the manifest offers.
        available: Vec<String>,
    },
    /// The download does not match the manifest's digest.
    #[error("checksum mismatch: expected {expected}, got {actual}; refusing to install")]
    Checksum {
        /// From the manifest.
        expected: String,
        /// Of the bytes received.
        actual: String,
    },
    /// A manifest entry without a signature.
    #[error("the release for {url} is not signed; refusing to install")]
    MissingSignature {
        /// The artifact.
        url: String,
    },
    /// `--from-file` without a `FILE.sig` beside the file (and without `--allow-unsigned`).
    #[error("{} has no signature ({}.sig is missing); refusing to install", file.display(), file.display())]
    UnsignedFile {
        /// The file given.
        file: std::path::PathBuf,
    },
    /// The signature does not verify with the release key.
    #[error("the signature does not match the release key; refusing to install")]
    BadSignature,
    /// `HERMES_UPDATE_PUBKEY` (or the built-in key) is not an ed25519 public key.
    #[error("`{value}` is not an ed25519 public key (32 bytes, base64 or hex)")]
    BadPublicKey {
        /// The value.
        value: String,
    },
    /// The archive holds no `hermes`.
    #[error("cannot unpack the download: {reason}")]
    Archive {
        /// Why.
        reason: String,
    },
    /// A file operation failed.
    #[error("cannot {action} {}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The new binary failed `--version`; the old one was restored.
    #[error("the new binary failed `--version` ({output}); rolled back to the previous one")]
    Broken {
        /// What it printed.
        output: String,
    },
    /// Rolling back failed: the backup is left where it is.
    #[error("rollback failed; the previous binary is at {}", backup.display())]
    RollbackFailed {
        /// The backup.
        backup: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl UpdateError {
    /// Things the user can do.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::NoManifestUrl => vec![
                "`hermes config set updates.manifest_url https://…/latest.json`, or set HERMES_UPDATE_URL".into(),
                "offline: `hermes update --from-file hermes-<version>-<target>.tar.gz`".into(),
            ],
            Self::Offline { .. } | Self::Http { .. } => vec![
                "check the network (or the proxy), then try again".into(),
                "offline: download the release elsewhere and run `hermes update --from-file FILE`".into(),
            ],
            Self::NoTarget { available, .. } => {
                vec![format!("available builds: {}", available.join(", "))]
            }
            Self::Checksum { .. } | Self::BadSignature | Self::MissingSignature { .. } => vec![
                "the download may be corrupt or tampered with; nothing was changed".into(),
            ],
            Self::UnsignedFile { file } => vec![
                format!(
                    "download the release's signature too and put it beside the file as {}.sig",
                    file.display()
                ),
                "only if you trust where the file came from (e.g. your own build): add --allow-unsigned".into(),
            ],
            Self::Io { .. } => vec![
                "a system-wide install needs root: re-run with sudo, or update with your package manager".into(),
            ],
            Self::RollbackFailed { backup, .. } => vec![format!(
                "restore it by hand: `mv {} <path of hermes>`",
                backup.display()
            )],
            _ => Vec::new(),
        }
    }
}

/// GETs `url` into memory, reporting `(received, total)` as it goes.
pub async fn fetch(
    http: &reqwest::Client,
    url: &str,
    timeout: Duration,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<Vec<u8>, UpdateError> {
    let offline = |source| UpdateError::Offline {
        url: url.to_string(),
        source,
    };
    let resp = http
        .get(url)
        .timeout(timeout)
        .send()
        .await
        .map_err(offline)?;
    let status = resp.status();
    if !status.is_success() {
        return Err(UpdateError::Http {
            url: url.to_string(),
            status: status.as_u16(),
        });
    }
    let total = resp.content_length();
    let mut body = Vec::with_capacity(usize::try_from(total.unwrap_or(0)).unwrap_or(0));
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(offline)?;
        body.extend_from_slice(&chunk);
        progress(body.len() as u64, total);
    }
    Ok(body)
}

/// What the manifest says about this machine.
#[derive(Debug, Clone)]
pub struct Available {
    /// The release.
    pub manifest: Manifest,
    /// This target's build (URL absolute).
    pub asset: Asset,
    /// Whether it is newer than `current`.
    pub newer: bool,
}

/// Fetches the manifest and picks this target's build.
pub async fn check(
    http: &reqwest::Client,
    manifest_url: &str,
    current: &str,
) -> Result<Available, UpdateError> {
    let bytes = fetch(http, manifest_url, Duration::from_secs(20), |_, _| {}).await?;
    let manifest = Manifest::parse(manifest_url, &bytes)?;
    let asset = manifest.asset(&target_triple(), manifest_url)?;
    let newer = compare_versions(&manifest.version, current) == std::cmp::Ordering::Greater;
    Ok(Available {
        manifest,
        asset,
        newer,
    })
}

/// Verifies a downloaded artifact against its manifest entry (digest, then signature).
pub fn verify_asset(
    bytes: &[u8],
    asset: &Asset,
    key: &ed25519_dalek::VerifyingKey,
) -> Result<(), UpdateError> {
    verify::check_sha256(bytes, &asset.sha256)?;
    let Some(sig) = asset.signature.as_deref().filter(|s| !s.trim().is_empty()) else {
        return Err(UpdateError::MissingSignature {
            url: asset.url.clone(),
        });
    };
    verify::check_signature(bytes, sig, key)
}
