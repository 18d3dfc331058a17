//! Putting a new binary in place: take it out of a `.tar.gz` if needed, write it next to the
//! running one, fsync, keep a hard-linked backup, rename over, run `--version`, and roll back
//! when that fails.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::UpdateError;

/// The binary inside `bytes`: a `.tar.gz` holding a file named `hermes`, or the bytes as is.
pub fn unpack(bytes: &[u8]) -> Result<Vec<u8>, UpdateError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes.to_vec());
    }
    let bad = |reason: String| UpdateError::Archive { reason };
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    for entry in tar.entries().map_err(|e| bad(e.to_string()))? {
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        let is_hermes = entry
            .path()
            .ok()
            .and_then(|p| p.file_name().map(|n| n == "hermes"))
            .unwrap_or(false);
        if is_hermes && entry.header().entry_type().is_file() {
            let mut out = Vec::new();
            entry
                .read_to_end(&mut out)
                .map_err(|e| bad(e.to_string()))?;
            return Ok(out);
        }
    }
    Err(bad("no file named `hermes` in the archive".into()))
}

/// What replacing the binary did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    /// The binary replaced.
    pub path: PathBuf,
    /// What the new binary printed for `--version`.
    pub version_output: String,
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> UpdateError {
    let path = path.to_path_buf();
    move |source| UpdateError::Io {
        action,
        path,
        source,
    }
}

/// Runs `exe --version` with a timeout; `Some(output)` when it exits 0.
fn version_of(exe: &Path, timeout: Duration) -> Result<String, String> {
    let mut child = Command::new(exe)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`--version` did not finish within {} s",
                    timeout.as_secs()
                ));
            }
        }
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .trim()
    .to_string();
    if out.status.success() {
        Ok(text)
    } else {
        Err(format!("exit {}: {text}", out.status.code().unwrap_or(-1)))
    }
}

/// Replaces `target` with `binary`. `expect_version`, when given, must appear in the new
/// binary's `--version`; otherwise (or when it fails to run) the old binary is restored.
pub fn replace(
    target: &Path,
    binary: &[u8],
    expect_version: Option<&str>,
) -> Result<Installed, UpdateError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map_or_else(|| "hermes".into(), |n| n.to_string_lossy().into_owned());
    let tag = std::process::id();
    let new = dir.join(format!(".{name}.update-{tag}.new"));
    let backup = dir.join(format!(".{name}.update-{tag}.old"));
    {
        let mut f = File::create(&new).map_err(io("write", &new))?;
        f.write_all(binary).map_err(io("write", &new))?;
        f.set_permissions(fs::Permissions::from_mode(0o755))
            .map_err(io("chmod", &new))?;
        f.sync_all().map_err(io("sync", &new))?;
    }
    // A hard link keeps the old binary reachable without a moment where `target` is missing.
    let _ = fs::remove_file(&backup);
    if fs::hard_link(target, &backup).is_err() {
        fs::copy(target, &backup).map_err(io("back up", target))?;
    }
    if let Err(e) = fs::rename(&new, target) {
        let _ = fs::remove_file(&new);
        let _ = fs::remove_file(&backup);
        return Err(io("replace", target)(e));
    }
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    let check = version_of(target, Duration::from_secs(20)).and_then(|out| match expect_version {
        Some(v) if !out.contains(v) => Err(format!("it reports `{out}`, not {v}")),
        _ => Ok(out),
    });
    match check {
        Ok(version_output) => {
            let _ = fs::remove_file(&backup);
            Ok(Installed {
                path: target.to_path_buf(),
                version_output,
            })
        }
        Err(output) => {
            fs::rename(&backup, target).map_err(|source| UpdateError::RollbackFailed {
                backup: backup.clone(),
                source,
            })?;
            Err(UpdateError::Broken { output })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        let p = dir.join(name);
        fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    #[test]
    fn replaces_and_rolls_back() {
        let t = tempfile::tempdir().unwrap();
        let target = script(t.path(), "hermes", "echo hermes 0.1.0");
        let ok = replace(&target, b"#!/bin/sh\necho hermes 0.2.0\n", Some("0.2.0")).unwrap();
        assert_eq!(ok.version_output, "hermes 0.2.0");
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o755
        );
        let err = replace(&target, b"#!/bin/sh\nexit 3\n", Some("0.3.0")).unwrap_err();
        assert!(matches!(err, UpdateError::Broken { .. }), "{err}");
        assert!(
            fs::read_to_string(&target).unwrap().contains("0.2.0"),
            "rolled back"
        );
        let names: Vec<String> = fs::read_dir(t.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["hermes"], "no leftovers");
    }

    #[test]
    fn unpacks_tar_gz() {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        let mut h = tar::Header::new_gnu();
        h.set_size(4);
        h.set_mode(0o755);
        h.set_cksum();
        builder
            .append_data(&mut h, "hermes-0.2.0/hermes", &b"BIN!"[..])
            .unwrap();
        let gz = builder.into_inner().unwrap().finish().unwrap();
        assert_eq!(unpack(&gz).unwrap(), b"BIN!");
        assert_eq!(unpack(b"#!/bin/sh").unwrap(), b"#!/bin/sh");
    }
}
