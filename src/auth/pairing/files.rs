//! The pairing directory on disk: file names, the exclusive lock that serialises writers (the
//! CLI and a running gateway), JSON reads and atomic 0600 writes, and the one-time merge of
//! upstream's newer `platforms/pairing/` directory into the active one.

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::auth::PairingError;
use crate::fsutil;

/// A JSON object as stored.
pub(super) type Object = Map<String, Value>;

/// Suffix given to merged files of the alternate directory, so a later merge cannot bring
/// back a revoked user (upstream re-merges on every start).
const MIGRATED_SUFFIX: &str = ".migrated";

/// The active pairing directory and upstream's alternate one.
#[derive(Debug, Clone)]
pub(super) struct Dir {
    active: PathBuf,
    alternate: PathBuf,
}

/// Held while a read-modify-write runs; dropping it releases the lock.
pub(super) struct Locked {
    _file: File,
}

impl Dir {
    pub(super) fn new(active: PathBuf, alternate: PathBuf) -> Self {
        Self { active, alternate }
    }

    pub(super) fn path(&self) -> &Path {
        &self.active
    }

    pub(super) fn pending(&self, platform: &str) -> PathBuf {
        self.active.join(format!("{platform}-pending.json"))
    }

    pub(super) fn approved(&self, platform: &str) -> PathBuf {
        self.active.join(format!("{platform}-approved.json"))
    }

    pub(super) fn rate_limits(&self) -> PathBuf {
        self.active.join("_rate_limits.json")
    }

    /// Takes the exclusive lock on `pairing/.lock` (blocking), then merges the alternate
    /// directory if it still holds data.
    pub(super) fn lock(&self) -> Result<Locked, PairingError> {
        if !self.active.is_dir() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&self.active)
                .map_err(PairingError::io("create", &self.active))?;
        }
        let path = self.active.join(".lock");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(fsutil::SECRET_MODE)
            .open(&path)
            .map_err(PairingError::io("open", &path))?;
        file.lock().map_err(PairingError::io("lock", &path))?;
        let locked = Locked { _file: file };
        self.merge_alternate()?;
        Ok(locked)
    }

    /// Reads a file of the active directory, with any unmerged alternate data under it
    /// (active data wins). Needs no lock: every write is an atomic rename.
    pub(super) fn read(&self, active_path: &Path) -> Result<Object, PairingError> {
        let mut merged = match active_path.file_name() {
            Some(name) if self.has_alternate() => {
                read_object(&self.alternate.join(name)).unwrap_or_default()
            }
            _ => Object::new(),
        };
        merged.extend(read_object(active_path)?);
        Ok(merged)
    }

    /// Writes a file atomically with mode 0600, pretty-printed like upstream's files.
    pub(super) fn write(&self, path: &Path, data: &Object) -> Result<(), PairingError> {
        let mut text = serde_json::to_string_pretty(data).unwrap_or_else(|_| "{}".into());
        text.push('\n');
        fsutil::write_atomic(path, text.as_bytes(), Some(fsutil::SECRET_MODE))
            .map_err(PairingError::io("write", path))
    }

    /// Platforms that have a `<platform>-<suffix>.json` file, sorted.
    pub(super) fn platforms(&self, suffix: &str) -> Result<Vec<String>, PairingError> {
        let tail = format!("-{suffix}.json");
        let mut out = Vec::new();
        for dir in [&self.active, &self.alternate] {
            let entries = match fs::read_dir(dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(PairingError::io("read", dir)(e)),
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if let Some(p) = name.strip_suffix(&tail)
                    && super::valid_platform(p)
                    && !out.iter().any(|x| x == p)
                {
                    out.push(p.to_string());
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Whether either directory exists (reads of a fresh home need not create anything).
    pub(super) fn exists(&self) -> bool {
        self.active.is_dir() || self.has_alternate()
    }

    fn has_alternate(&self) -> bool {
        self.alternate != self.active && self.alternate.is_dir()
    }

    /// Folds every `*.json` of the alternate directory into the active one (active data wins
    /// key by key), then renames the merged file to `*.json.migrated`. Files that do not parse
    /// are left where they are.
    fn merge_alternate(&self) -> Result<(), PairingError> {
        if !self.has_alternate() {
            return Ok(());
        }
        let Ok(entries) = fs::read_dir(&self.alternate) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let src = entry.path();
            let Some(name) = src.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                continue;
            };
            if !name.ends_with(".json") || !src.is_file() {
                continue;
            }
            let Ok(theirs) = read_object(&src) else {
                continue;
            };
            let dest = self.active.join(&name);
            let ours = read_object(&dest)?;
            let mut merged = theirs;
            let before = ours.clone();
            merged.extend(ours);
            if merged != before {
                self.write(&dest, &merged)?;
            }
            let done = self.alternate.join(format!("{name}{MIGRATED_SUFFIX}"));
            fs::rename(&src, &done).map_err(PairingError::io("rename", &src))?;
        }
        Ok(())
    }
}

/// Reads a JSON object; a missing file is an empty object, anything else but an object is an
/// error (never silently treated as empty, which would lose data on the next write).
fn read_object(path: &Path) -> Result<Object, PairingError> {
    let Some(text) = fsutil::read_optional(path).map_err(PairingError::io("read", path))? else {
        return Ok(Object::new());
    };
    if text.trim().is_empty() {
        return Ok(Object::new());
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(PairingError::Corrupt {
            path: path.to_path_buf(),
            source: None,
        }),
        Err(e) => Err(PairingError::Corrupt {
            path: path.to_path_buf(),
            source: Some(e),
        }),
    }
}
