//! The repairs `doctor --fix` may make on its own: only safe, local ones (permissions,
//! missing directories, stale pid files, an outdated service file).

use std::path::PathBuf;

use serde::Serialize;

use crate::fsutil;
use crate::gateway::service::manager::CommandRunner;

/// A repair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Fix {
    /// `chmod MODE PATH`.
    Chmod {
        /// The file.
        path: PathBuf,
        /// The mode to set.
        mode: u32,
    },
    /// `mkdir -p PATH`.
    CreateDirs {
        /// The directories.
        paths: Vec<PathBuf>,
    },
    /// Remove a pid file naming a dead process.
    RemoveStale {
        /// The file.
        path: PathBuf,
    },
    /// Rewrite an outdated unit or plist, then reload the manager.
    RewriteService {
        /// The file.
        path: PathBuf,
        /// What it should say.
        contents: String,
        /// The reload command (`systemctl --user daemon-reload`), if any.
        reload: Vec<String>,
        /// The restart command of a running service, if any.
        restart: Vec<String>,
    },
}

/// Applies a fix; returns what was done, for the report.
pub fn apply(fix: &Fix, runner: &dyn CommandRunner) -> std::io::Result<String> {
    match fix {
        Fix::Chmod { path, mode } => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(*mode))?;
            Ok(format!("chmod {mode:o} {}", path.display()))
        }
        Fix::CreateDirs { paths } => {
            for p in paths {
                std::fs::create_dir_all(p)?;
            }
            Ok(format!(
                "created {}",
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
        Fix::RemoveStale { path } => {
            std::fs::remove_file(path)?;
            Ok(format!("removed the stale {}", path.display()))
        }
        Fix::RewriteService {
            path,
            contents,
            reload,
            restart,
        } => {
            fsutil::write_atomic(path, contents.as_bytes(), Some(0o644))?;
            let mut done = format!("rewrote {}", path.display());
            let mut ran = Vec::new();
            for (cmd, after) in [(reload, ", then restart the gateway"), (restart, "")] {
                let Some((program, args)) = cmd.split_first() else {
                    continue;
                };
                if runner.run(program, args).is_ok_and(|o| o.success()) {
                    ran.push(format!("`{}`", cmd.join(" ")));
                } else {
                    if !ran.is_empty() {
                        done.push_str(&format!(" and ran {}", ran.join(", ")));
                    }
                    done.push_str(&format!(
                        " (`{}` failed: run it yourself{after})",
                        cmd.join(" ")
                    ));
                    return Ok(done);
                }
            }
            if !ran.is_empty() {
                done.push_str(&format!(" and ran {}", ran.join(", ")));
            }
            Ok(done)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::service::manager::SystemRunner;

    #[test]
    fn chmod_mkdir_remove() {
        let t = tempfile::tempdir().unwrap();
        let env = t.path().join(".env");
        std::fs::write(&env, "A=1\n").unwrap();
        let msg = apply(
            &Fix::Chmod {
                path: env.clone(),
                mode: 0o600,
            },
            &SystemRunner,
        )
        .unwrap();
        assert!(msg.starts_with("chmod 600 "));
        assert_eq!(fsutil::mode_of(&env), Some(0o600));
        let dirs = vec![t.path().join("a/b"), t.path().join("c")];
        apply(
            &Fix::CreateDirs {
                paths: dirs.clone(),
            },
            &SystemRunner,
        )
        .unwrap();
        assert!(dirs.iter().all(|d| d.is_dir()));
        apply(&Fix::RemoveStale { path: env.clone() }, &SystemRunner).unwrap();
        assert!(!env.exists());
    }
}
