//! Profile export and import as `.tar.gz`. Exports never contain `.env` or `auth.json`
//! (secrets stay on this machine) nor runtime files; imports are staged and published with
//! one rename, and refuse to overwrite.

use std::fs::{self, File};
use std::path::{Component, Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use super::{HermesPaths, ProfileError, ProfileName, profiles::PROFILE_DIRS};
use crate::config::dotenv;
use crate::fsutil;

/// Files never exported (relative to the home, any depth for the runtime artefacts).
fn excluded(rel: &Path) -> bool {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let top = rel.components().count() == 1;
    (top && matches!(
        name.as_str(),
        ".env"
            | "auth.json"
            | "gateway.pid"
            | "gateway.lock"
            | "gateway_state.json"
            | "processes.json"
            | "profiles"
            | "active_profile"
    )) || name.ends_with(".sock")
        || name.ends_with(".tmp")
        || name == "__pycache__"
}

/// Writes `<name>.tar.gz` (or `out`) holding the profile under a top-level `<name>/` folder.
pub fn export_profile(
    paths: &HermesPaths,
    name: &ProfileName,
    out: &Path,
) -> Result<PathBuf, ProfileError> {
    let p = paths.for_profile(name);
    if !p.home().is_dir() {
        return Err(ProfileError::NotFound {
            name: name.to_string(),
        });
    }
    let tmp = out.with_extension("partial");
    let result = (|| -> std::io::Result<()> {
        let file = File::create(&tmp)?;
        let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::default()));
        tar.follow_symlinks(false);
        append_dir(&mut tar, p.home(), Path::new(""), Path::new(name.as_str()))?;
        let gz = tar.into_inner()?;
        gz.finish()?.sync_all()?;
        fs::rename(&tmp, out)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(ProfileError::io("write", out)(e));
    }
    Ok(out.to_path_buf())
}

fn append_dir(
    tar: &mut tar::Builder<GzEncoder<File>>,
    base: &Path,
    rel: &Path,
    prefix: &Path,
) -> std::io::Result<()> {
    tar.append_dir(prefix.join(rel), base.join(rel))?;
    let mut entries: Vec<_> = fs::read_dir(base.join(rel))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    for e in entries {
        let child = rel.join(e.file_name());
        if excluded(&child) || e.file_name().to_string_lossy().starts_with(".staging-") {
            continue;
        }
        let ft = e.file_type()?;
        if ft.is_dir() {
            append_dir(tar, base, &child, prefix)?;
        } else if ft.is_file() || ft.is_symlink() {
            tar.append_path_with_name(e.path(), prefix.join(&child))?;
        }
    }
    Ok(())
}

/// Imports an archive as a new profile named `name` (default: the archive's top folder).
pub fn import_profile(
    paths: &HermesPaths,
    archive: &Path,
    name: Option<&str>,
) -> Result<(ProfileName, PathBuf), ProfileError> {
    let bad = |reason: &str| ProfileError::BadArchive {
        path: archive.to_path_buf(),
        reason: reason.to_string(),
    };
    let top = archive_top_dir(archive)?;
    let raw = name.map_or_else(|| top.clone(), str::to_string);
    let profile = ProfileName::parse(&raw)?;
    if profile.is_default() {
        return Err(ProfileError::DefaultProfile {
            action: "imported over",
        });
    }
    let profile = ProfileName::parse_new(profile.as_str())?;
    let target = paths.for_profile(&profile);
    if target.home().exists() {
        return Err(ProfileError::AlreadyExists {
            name: profile.to_string(),
            path: target.home().to_path_buf(),
        });
    }
    let profiles_dir = paths.profiles_dir();
    fs::create_dir_all(&profiles_dir).map_err(ProfileError::io("create", &profiles_dir))?;
    let staging = profiles_dir.join(format!(".staging-import-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let result = (|| -> Result<(), ProfileError> {
        fs::create_dir_all(&staging).map_err(ProfileError::io("create", &staging))?;
        let file = File::open(archive).map_err(ProfileError::io("open", archive))?;
        let mut tar = tar::Archive::new(GzDecoder::new(file));
        tar.set_preserve_permissions(true);
        for entry in tar.entries().map_err(|e| bad(&e.to_string()))? {
            let mut entry = entry.map_err(|e| bad(&e.to_string()))?;
            let path = entry.path().map_err(|e| bad(&e.to_string()))?.into_owned();
            let Ok(rel) = path.strip_prefix(&top) else {
                return Err(bad("entries outside the top-level folder"));
            };
            if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
                return Err(bad("an entry's path leaves the archive"));
            }
            if rel.as_os_str().is_empty() || excluded(rel) {
                continue;
            }
            let kind = entry.header().entry_type();
            if !(kind.is_file() || kind.is_dir()) {
                // Links could point anywhere on this machine; a profile needs none.
                continue;
            }
            entry.unpack_in(&staging).map_err(|e| bad(&e.to_string()))?;
        }
        // The archive's top folder was unpacked under staging; lift it up.
        let inner = staging.join(&top);
        for d in PROFILE_DIRS {
            fs::create_dir_all(inner.join(d)).map_err(ProfileError::io("create", inner.join(d)))?;
        }
        let env = inner.join(".env");
        fsutil::write_atomic(
            &env,
            dotenv::PLACEHOLDER.as_bytes(),
            Some(fsutil::SECRET_MODE),
        )
        .map_err(ProfileError::io("write", &env))?;
        if target.home().exists() {
            return Err(ProfileError::AlreadyExists {
                name: profile.to_string(),
                path: target.home().to_path_buf(),
            });
        }
        fs::rename(&inner, target.home()).map_err(ProfileError::io("publish", target.home()))
    })();
    let _ = fs::remove_dir_all(&staging);
    result?;
    Ok((profile, target.home().to_path_buf()))
}

/// The single top-level folder of an archive.
fn archive_top_dir(archive: &Path) -> Result<String, ProfileError> {
    let bad = |reason: &str| ProfileError::BadArchive {
        path: archive.to_path_buf(),
        reason: reason.to_string(),
    };
    let file = File::open(archive).map_err(ProfileError::io("open", archive))?;
    let mut tar = tar::Archive::new(GzDecoder::new(file));
    let mut top: Option<String> = None;
    for entry in tar
        .entries()
        .map_err(|e| bad(&format!("not a gzip'd tar ({e})")))?
    {
        let entry = entry.map_err(|e| bad(&format!("not a gzip'd tar ({e})")))?;
        let path = entry.path().map_err(|e| bad(&e.to_string()))?.into_owned();
        let Some(Component::Normal(first)) = path.components().next() else {
            return Err(bad("an entry has an absolute or parent path"));
        };
        let first = first.to_string_lossy().into_owned();
        match &top {
            None => top = Some(first),
            Some(t) if *t == first => {}
            Some(_) => return Err(bad("it has more than one top-level folder")),
        }
    }
    top.ok_or_else(|| bad("it is empty"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_excludes_secrets_and_import_round_trips() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(&t.path().join(".hermes"), t.path());
        let home = paths.profiles_dir().join("coder");
        fs::create_dir_all(home.join("memories")).unwrap();
        fs::write(home.join("config.yaml"), "model: x\n").unwrap();
        fs::write(home.join(".env"), "OPENAI_API_KEY=secret\n").unwrap();
        fs::write(home.join("auth.json"), "{}").unwrap();
        fs::write(home.join("gateway.pid"), "1").unwrap();
        fs::write(home.join("memories/USER.md"), "likes tea").unwrap();
        let out = t.path().join("coder.tar.gz");
        export_profile(&paths, &ProfileName::parse("coder").unwrap(), &out).unwrap();

        let file = File::open(&out).unwrap();
        let names: Vec<String> = tar::Archive::new(GzDecoder::new(file))
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.contains(&"coder/config.yaml".to_string()),
            "{names:?}"
        );
        assert!(!names.iter().any(|n| n.ends_with(".env")
            || n.ends_with("auth.json")
            || n.ends_with("gateway.pid")));

        let (name, dir) = import_profile(&paths, &out, Some("copy")).unwrap();
        assert_eq!(name.as_str(), "copy");
        assert_eq!(
            fs::read_to_string(dir.join("memories/USER.md")).unwrap(),
            "likes tea"
        );
        assert_eq!(fsutil::mode_of(&dir.join(".env")), Some(0o600));
        assert!(
            !fs::read_to_string(dir.join(".env"))
                .unwrap()
                .contains("secret")
        );
        assert!(matches!(
            import_profile(&paths, &out, Some("copy")),
            Err(ProfileError::AlreadyExists { .. })
        ));
        assert!(matches!(
            import_profile(&paths, &out, Some("default")),
            Err(ProfileError::DefaultProfile { .. })
        ));
        let junk = t.path().join("junk.tar.gz");
        fs::write(&junk, "not an archive").unwrap();
        assert!(matches!(
            import_profile(&paths, &junk, None),
            Err(ProfileError::BadArchive { .. })
        ));
    }
}
