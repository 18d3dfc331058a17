//! Alias wrappers: `~/.local/bin/<alias>` scripts that run `hermes -p <profile> "$@"`, so
//! `coder setup` is `hermes -p coder setup`. A wrapper for a non-default root also carries
//! `HERMES_HOME` (upstream #28292).

use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{HermesPaths, ProfileError, ProfileName, RESERVED_NAMES, SUBCOMMAND_NAMES};
use crate::fsutil;

/// A wrapper script found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapper {
    /// Where it is.
    pub path: PathBuf,
    /// The profile it runs.
    pub profile: String,
}

/// What happened to an alias request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AliasStatus {
    /// The wrapper was written.
    Written(PathBuf),
    /// The wrapper was removed.
    Removed(PathBuf),
    /// Nothing to remove.
    Absent(PathBuf),
}

/// Quotes a word for `/bin/sh` only when it needs it (like Python's `shlex.quote`).
fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@%+=:,./-_".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\"'\"'"))
    }
}

/// The text of a wrapper for `profile`, running the binary at `exe`.
#[must_use]
pub fn wrapper_script(paths: &HermesPaths, exe: &Path, profile: &ProfileName) -> String {
    let mut s = String::from("#!/bin/sh\n");
    if !paths.root_is_default() {
        // Upstream #28292: without this, `coder` would look for the profile under ~/.hermes.
        let root = sh_quote(&paths.root().to_string_lossy());
        let _ = writeln!(s, "HERMES_HOME={root}\nexport HERMES_HOME");
    }
    let _ = writeln!(
        s,
        "exec {} -p {profile} \"$@\"",
        sh_quote(&exe.to_string_lossy())
    );
    s
}

/// Why `alias` cannot be used as a command name, or `None` when it can.
#[must_use]
pub fn alias_collision(paths: &HermesPaths, alias: &str, path_var: Option<&str>) -> Option<String> {
    let Ok(name) = ProfileName::parse(alias) else {
        return Some(format!("'{alias}' is not a valid name"));
    };
    if RESERVED_NAMES.contains(&name.as_str()) {
        return Some(format!("'{name}' is a reserved name"));
    }
    if SUBCOMMAND_NAMES.contains(&name.as_str()) {
        return Some(format!("'{name}' conflicts with a hermes subcommand"));
    }
    let ours = paths.local_bin_dir().join(name.as_str());
    for dir in path_var
        .unwrap_or_default()
        .split(':')
        .filter(|d| !d.is_empty())
    {
        let candidate = Path::new(dir).join(name.as_str());
        if is_executable(&candidate) {
            if candidate == ours && read_wrapper(&candidate).is_some() {
                continue;
            }
            return Some(format!(
                "'{name}' conflicts with an existing command ({})",
                candidate.display()
            ));
        }
    }
    if ours.exists() && read_wrapper(&ours).is_none() {
        return Some(format!(
            "{} exists and is not a hermes wrapper",
            ours.display()
        ));
    }
    None
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Writes `~/.local/bin/<alias>` for `profile`, replacing an older wrapper of ours.
pub fn write_wrapper(
    paths: &HermesPaths,
    alias: &str,
    profile: &ProfileName,
    exe: &Path,
) -> Result<PathBuf, ProfileError> {
    let path = paths.local_bin_dir().join(alias);
    let text = wrapper_script(paths, exe, profile);
    fsutil::write_atomic(&path, text.as_bytes(), Some(0o755))
        .map_err(ProfileError::io("write", &path))?;
    Ok(path)
}

/// Removes the wrapper at `~/.local/bin/<alias>` if it is ours.
pub fn remove_wrapper(paths: &HermesPaths, alias: &str) -> Result<AliasStatus, ProfileError> {
    let path = paths.local_bin_dir().join(alias);
    if read_wrapper(&path).is_none() {
        return Ok(AliasStatus::Absent(path));
    }
    fs::remove_file(&path).map_err(ProfileError::io("remove", &path))?;
    Ok(AliasStatus::Removed(path))
}

/// Parses a wrapper of ours (or upstream's): the profile it runs, from its first 8 KiB.
#[must_use]
pub fn read_wrapper(path: &Path) -> Option<Wrapper> {
    let mut buf = Vec::new();
    fs::File::open(path)
        .ok()?
        .take(8192)
        .read_to_end(&mut buf)
        .ok()?;
    let text = String::from_utf8_lossy(&buf);
    for line in text.lines() {
        let line = line.trim();
        // `exec <hermes> -p <name> "$@"` (ours and upstream's POSIX form).
        if line.starts_with("exec ") && line.contains("hermes") {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let Some(i) = words.iter().position(|w| *w == "-p")
                && let Some(name) = words.get(i + 1)
            {
                return Some(Wrapper {
                    path: path.to_path_buf(),
                    profile: name.trim_matches('\'').to_string(),
                });
            }
        }
    }
    None
}

/// The first wrapper in `~/.local/bin` that runs `profile`.
#[must_use]
pub fn find_wrapper(paths: &HermesPaths, profile: &ProfileName) -> Option<Wrapper> {
    let dir = paths.local_bin_dir();
    let preferred = dir.join(profile.as_str());
    if let Some(w) = read_wrapper(&preferred).filter(|w| w.profile == profile.as_str()) {
        return Some(w);
    }
    let mut entries: Vec<_> = fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    entries
        .into_iter()
        .filter_map(|p| read_wrapper(&p))
        .find(|w| w.profile == profile.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapper_round_trip_and_custom_root() {
        let t = tempfile::tempdir().unwrap();
        let user = t.path();
        let paths = HermesPaths::at(&user.join(".hermes"), user);
        let coder = ProfileName::parse("coder").unwrap();
        let p = write_wrapper(&paths, "coder", &coder, Path::new("/usr/local/bin/hermes")).unwrap();
        let text = fs::read_to_string(&p).unwrap();
        assert_eq!(
            text,
            "#!/bin/sh\nexec /usr/local/bin/hermes -p coder \"$@\"\n"
        );
        assert_eq!(read_wrapper(&p).unwrap().profile, "coder");
        assert_eq!(find_wrapper(&paths, &coder).unwrap().path, p);

        let custom = HermesPaths::at(&user.join("my home"), user);
        let text = wrapper_script(&custom, Path::new("/opt/hermes"), &coder);
        assert!(text.contains("HERMES_HOME='"), "{text}");
        assert!(text.contains("export HERMES_HOME"));

        assert!(matches!(
            remove_wrapper(&paths, "coder").unwrap(),
            AliasStatus::Removed(_)
        ));
        assert!(matches!(
            remove_wrapper(&paths, "coder").unwrap(),
            AliasStatus::Absent(_)
        ));
    }

    #[test]
    fn collisions() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(&t.path().join(".hermes"), t.path());
        assert!(
            alias_collision(&paths, "gateway", None)
                .unwrap()
                .contains("subcommand")
        );
        assert!(
            alias_collision(&paths, "sudo", None)
                .unwrap()
                .contains("reserved")
        );
        assert!(
            alias_collision(&paths, "sh", Some("/bin:/usr/bin"))
                .unwrap()
                .contains("existing command")
        );
        assert!(alias_collision(&paths, "zz-unused-name", Some("/bin")).is_none());
    }
}
