//! Small file-system helpers every writer uses: atomic replace with an explicit mode,
//! and a private (0600) create. Nothing here knows about hermes' layout.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Mode for files holding secrets (`.env`, credentials, pairing files).
pub const SECRET_MODE: u32 = 0o600;

/// Writes `contents` to `path` atomically: a temp file in the same directory, fsync, rename.
///
/// `mode` sets the permissions of the new file; `None` keeps the mode of an existing file
/// (or 0644 for a new one). A reader never sees a half-written file, and a crash leaves
/// either the old or the new contents.
pub fn write_atomic(path: &Path, contents: &[u8], mode: Option<u32>) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let mode = match mode {
        Some(m) => m,
        None => fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777),
    };
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)?;
        // The umask may have narrowed the mode at creation; set it exactly.
        f.set_permissions(fs::Permissions::from_mode(mode))?;
        f.write_all(contents)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Ok(d) = File::open(dir) {
            // Best effort: make the rename itself durable.
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Reads a file to a string, treating "not found" as `None`.
pub fn read_optional(path: &Path) -> io::Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The permission bits of `path`, if it exists.
#[must_use]
pub fn mode_of(path: &Path) -> Option<u32> {
    fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

/// Copies a directory tree, calling `skip` with each path relative to `src`; a `true` skips it.
/// Symlinks are recreated as symlinks, never followed.
pub fn copy_tree(src: &Path, dst: &Path, skip: &dyn Fn(&Path) -> bool) -> io::Result<()> {
    copy_tree_inner(src, dst, Path::new(""), skip)
}

fn copy_tree_inner(
    src: &Path,
    dst: &Path,
    rel: &Path,
    skip: &dyn Fn(&Path) -> bool,
) -> io::Result<()> {
    fs::create_dir_all(dst)?;
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let rel_child = rel.join(entry.file_name());
        if skip(&rel_child) {
            continue;
        }
        let target = dst.join(entry.file_name());
        let ft = entry.file_type()?;
        if ft.is_dir() {
            copy_tree_inner(&entry.path(), &target, &rel_child, skip)?;
        } else if ft.is_symlink() {
            let link = fs::read_link(entry.path())?;
            std::os::unix::fs::symlink(link, &target)?;
        } else if ft.is_file() {
            fs::copy(entry.path(), &target)?;
        }
        // Sockets, fifos and devices are runtime artefacts: never copied.
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_sets_mode_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b/.env");
        write_atomic(&p, b"one", Some(SECRET_MODE)).unwrap();
        assert_eq!(mode_of(&p), Some(0o600));
        write_atomic(&p, b"two", None).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(mode_of(&p), Some(0o600), "existing mode is kept");
        let leftovers: Vec<_> = fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file left behind");
    }
}
