//! The release manifest (docs/update.md): `{version, notes?, targets: {<triple>: {url,
//! sha256, signature}}}`, the target triple of this build, and version comparison.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::UpdateError;

/// One downloadable build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    /// Absolute, or relative to the manifest's URL.
    pub url: String,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    /// Base64 ed25519 signature over the file's bytes.
    #[serde(default)]
    pub signature: Option<String>,
}

/// A release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The released version (`0.2.0`).
    pub version: String,
    /// Release notes, shown before installing.
    #[serde(default)]
    pub notes: Option<String>,
    /// Builds per target triple.
    pub targets: BTreeMap<String, Asset>,
}

impl Manifest {
    /// Parses manifest JSON fetched from `url`.
    pub fn parse(url: &str, bytes: &[u8]) -> Result<Self, UpdateError> {
        serde_json::from_slice(bytes).map_err(|source| UpdateError::BadManifest {
            url: url.to_string(),
            source,
        })
    }

    /// The build for `triple`, its URL made absolute against `manifest_url`.
    pub fn asset(&self, triple: &str, manifest_url: &str) -> Result<Asset, UpdateError> {
        let mut a = self
            .targets
            .get(triple)
            .cloned()
            .ok_or_else(|| UpdateError::NoTarget {
                triple: triple.to_string(),
                available: self.targets.keys().cloned().collect(),
            })?;
        a.url = join_url(manifest_url, &a.url);
        Ok(a)
    }
}

/// Resolves `href` against `base` (enough for manifests: absolute URLs, `/path`, `file`).
#[must_use]
pub fn join_url(base: &str, href: &str) -> String {
    if href.contains("://") {
        return href.to_string();
    }
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    if let Some(rest) = href.strip_prefix('/') {
        let host_end = base[scheme_end..]
            .find('/')
            .map_or(base.len(), |i| scheme_end + i);
        return format!("{}/{rest}", &base[..host_end]);
    }
    let dir_end = base
        .rfind('/')
        .filter(|i| *i >= scheme_end)
        .map_or(base.len(), |i| i);
    format!("{}/{href}", &base[..dir_end])
}

/// This build's target triple (`x86_64-unknown-linux-gnu`, `aarch64-apple-darwin`, …).
#[must_use]
pub fn target_triple() -> String {
    let arch = std::env::consts::ARCH;
    match std::env::consts::OS {
        "macos" => format!("{arch}-apple-darwin"),
        "linux" if cfg!(target_env = "musl") => format!("{arch}-unknown-linux-musl"),
        "linux" => format!("{arch}-unknown-linux-gnu"),
        os => format!("{arch}-unknown-{os}"),
    }
}

/// Orders dotted versions numerically; a pre-release (`1.0.0-rc.1`) sorts before its release.
#[must_use]
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    fn split(v: &str) -> (Vec<u64>, Option<&str>) {
        let v = v.trim().trim_start_matches('v');
        let (core, pre) = match v.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (v, None),
        };
        let core = core.split('+').next().unwrap_or(core);
        (
            core.split('.').map(|p| p.parse().unwrap_or(0)).collect(),
            pre,
        )
    }
    let (ca, pa) = split(a);
    let (cb, pb) = split(b);
    let len = ca.len().max(cb.len());
    for i in 0..len {
        let x = ca.get(i).copied().unwrap_or(0);
        let y = cb.get(i).copied().unwrap_or(0);
        if x != y {
            return x.cmp(&y);
        }
    }
    match (pa, pb) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (Some(x), Some(y)) => x.cmp(y),
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use super::*;

    #[test]
    fn versions_urls_and_targets() {
        assert_eq!(compare_versions("0.2.0", "0.1.9"), Ordering::Greater);
        assert_eq!(compare_versions("v0.10.0", "0.9.1"), Ordering::Greater);
        assert_eq!(compare_versions("1.0.0-rc.1", "1.0.0"), Ordering::Less);
        assert_eq!(compare_versions("1.0", "1.0.0"), Ordering::Equal);
        assert_eq!(
            join_url("https://h.example/rel/latest.json", "hermes.tar.gz"),
            "https://h.example/rel/hermes.tar.gz"
        );
        assert_eq!(
            join_url("https://h.example/rel/latest.json", "/dl/x"),
            "https://h.example/dl/x"
        );
        assert_eq!(join_url("http://a/b.json", "https://c/d"), "https://c/d");
        let m = Manifest::parse(
            "u",
            br#"{"version":"0.2.0","targets":{"x86_64-unknown-linux-gnu":{"url":"a","sha256":"00"}}}"#,
        )
        .unwrap();
        assert!(matches!(
            m.asset("riscv64gc-unknown-linux-gnu", "http://h/m.json"),
            Err(UpdateError::NoTarget { .. })
        ));
        assert_eq!(
            m.asset("x86_64-unknown-linux-gnu", "http://h/m.json")
                .unwrap()
                .url,
            "http://h/a"
        );
        assert!(target_triple().contains('-'));
    }
}
