//! Service names per profile (`hermes-gateway[-<profile>|-<hash>]` for systemd,
//! `ai.hermes.gateway[-…]` for launchd), where their files live, and the unit and plist
//! rendered from the templates in `assets/`. The managers that install and drive them are in
//! [`manager`] (trait, detection), [`systemd`], [`launchd`] and `gateway::detached` (none).

pub mod account;
pub mod launchd;
pub mod manager;
pub mod systemd;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::home::HermesPaths;

/// The suffix that makes a service name unique per home: `""`, `-<profile>`, or `-<hash>`.
#[must_use]
pub fn name_suffix(paths: &HermesPaths) -> String {
    if !paths.root_is_default() {
        let digest = Sha256::digest(paths.home().to_string_lossy().as_bytes());
        let hex: String = digest.iter().take(4).fold(String::new(), |mut acc, b| {
            use std::fmt::Write;
            let _ = write!(acc, "{b:02x}");
            acc
        });
        return format!("-{hex}");
    }
    if paths.profile().is_default() {
        String::new()
    } else {
        format!("-{}", paths.profile())
    }
}

/// The systemd unit name, without `.service`.
#[must_use]
pub fn systemd_unit_name(paths: &HermesPaths) -> String {
    format!("hermes-gateway{}", name_suffix(paths))
}

/// The launchd label (and plist file stem).
#[must_use]
pub fn launchd_label(paths: &HermesPaths) -> String {
    format!("ai.hermes.gateway{}", name_suffix(paths))
}

/// The user unit file path.
#[must_use]
pub fn systemd_user_unit_path(paths: &HermesPaths) -> PathBuf {
    paths
        .systemd_user_dir()
        .join(format!("{}.service", systemd_unit_name(paths)))
}

/// The system unit file path.
#[must_use]
pub fn systemd_system_unit_path(paths: &HermesPaths) -> PathBuf {
    PathBuf::from("/etc/systemd/system").join(format!("{}.service", systemd_unit_name(paths)))
}

/// The launchd plist path.
#[must_use]
pub fn launchd_plist_path(paths: &HermesPaths) -> PathBuf {
    paths
        .launch_agents_dir()
        .join(format!("{}.plist", launchd_label(paths)))
}

const SYSTEMD_TEMPLATE: &str = include_str!("../../../assets/hermes-gateway.service");
const LAUNCHD_TEMPLATE: &str = include_str!("../../../assets/ai.hermes.gateway.plist");

/// What a service file needs to know.
#[derive(Debug, Clone)]
pub struct ServiceSpec {
    /// The hermes binary.
    pub exe: PathBuf,
    /// The PATH captured at install time (tools the agent runs must be found).
    pub path: String,
    /// For a system unit: run as this user and group.
    pub run_as: Option<(String, String)>,
}

/// The command line the service runs.
#[must_use]
pub fn exec_args(paths: &HermesPaths, spec: &ServiceSpec) -> Vec<String> {
    let mut args = vec![spec.exe.display().to_string()];
    if !paths.profile().is_default() {
        args.push("--profile".into());
        args.push(paths.profile().to_string());
    }
    args.extend(["gateway".into(), "run".into(), "--replace".into()]);
    args
}

/// Quotes a word for a systemd command line when needed.
fn systemd_quote(s: &str) -> String {
    if s.chars()
        .any(|c| c.is_whitespace() || c == '"' || c == '\\' || c == '\'')
    {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        s.to_string()
    }
}

/// The systemd unit (user unit, or system unit with `User=`/`Group=` when `spec.run_as`).
#[must_use]
pub fn render_systemd(paths: &HermesPaths, spec: &ServiceSpec) -> String {
    let exec: Vec<String> = exec_args(paths, spec)
        .iter()
        .map(|a| systemd_quote(a))
        .collect();
    let home = paths.home().display().to_string();
    let suffix = if paths.profile().is_default() {
        String::new()
    } else {
        format!(" ({})", paths.profile())
    };
    let (user_lines, wanted_by) = match &spec.run_as {
        Some((user, group)) => (format!("User={user}\nGroup={group}\n"), "multi-user.target"),
        None => (String::new(), "default.target"),
    };
    SYSTEMD_TEMPLATE
        .replace("{{description_suffix}}", &suffix)
        .replace("{{exec_start}}", &exec.join(" "))
        .replace("{{home}}", &home)
        .replace("{{path}}", &spec.path)
        .replace("{{user_lines}}", &user_lines)
        .replace("{{wanted_by}}", wanted_by)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The launchd plist.
#[must_use]
pub fn render_launchd(paths: &HermesPaths, spec: &ServiceSpec) -> String {
    let args: String = exec_args(paths, spec)
        .iter()
        .map(|a| format!("        <string>{}</string>\n", xml_escape(a)))
        .collect();
    LAUNCHD_TEMPLATE
        .replace("{{label}}", &launchd_label(paths))
        .replace("{{program_arguments}}", &args)
        .replace("{{home}}", &xml_escape(&paths.home().display().to_string()))
        .replace("{{path}}", &xml_escape(&spec.path))
}

/// The text with the PATH it sets left out: the unit's `Environment="PATH=…"` line, or the
/// `<string>` after the plist's `<key>PATH</key>`.
fn without_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_key = false;
    for line in text.lines() {
        let t = line.trim();
        if after_key && t.starts_with("<string>") {
            after_key = false;
            continue;
        }
        after_key = t == "<key>PATH</key>";
        if t.starts_with("Environment=\"PATH=") || t.starts_with("Environment=PATH=") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The PATH an installed unit or plist sets, if any.
#[must_use]
pub fn installed_path(text: &str) -> Option<String> {
    let mut after_key = false;
    for line in text.lines() {
        let t = line.trim();
        if after_key {
            return t
                .strip_prefix("<string>")
                .and_then(|r| r.strip_suffix("</string>"))
                .map(|v| {
                    v.replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&amp;", "&")
                });
        }
        after_key = t == "<key>PATH</key>";
        if let Some(v) = t
            .strip_prefix("Environment=\"PATH=")
            .and_then(|r| r.strip_suffix('"'))
            .or_else(|| t.strip_prefix("Environment=PATH="))
        {
            return Some(v.to_string());
        }
    }
    None
}

/// The `User=` and `Group=` of an installed system unit.
#[must_use]
pub fn installed_run_as(text: &str) -> Option<(String, String)> {
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(key).map(|v| v.trim().to_string()))
            .filter(|v| !v.is_empty())
    };
    let user = value("User=")?;
    let group = value("Group=").unwrap_or_else(|| user.clone());
    Some((user, group))
}

/// `wanted` followed by the entries of `installed` it lacks: rewriting a service file never
/// drops a directory its PATH had (a caller under cron or sudo has a shorter PATH).
#[must_use]
pub fn merge_path(wanted: &str, installed: &str) -> String {
    let mut parts: Vec<&str> = wanted.split(':').filter(|p| !p.is_empty()).collect();
    for p in installed.split(':').filter(|p| !p.is_empty()) {
        if !parts.contains(&p) {
            parts.push(p);
        }
    }
    parts.join(":")
}

/// Whether an installed file differs from what we would write now (outdated). The PATH it
/// sets is not compared: it records the installing shell's PATH, which says nothing about
/// whether this version would write the file differently.
#[must_use]
pub fn is_outdated(installed: &Path, expected: &str) -> bool {
    std::fs::read_to_string(installed).map_or(true, |t| without_path(&t) != without_path(expected))
}

/// The service file text for `backend` (`None` has no file).
#[must_use]
pub fn render(
    backend: manager::Backend,
    paths: &HermesPaths,
    spec: &ServiceSpec,
) -> Option<String> {
    match backend {
        manager::Backend::SystemdUser | manager::Backend::SystemdSystem => {
            Some(render_systemd(paths, spec))
        }
        manager::Backend::Launchd => Some(render_launchd(paths, spec)),
        manager::Backend::None => None,
    }
}

/// The manager for `backend`; `None` gives the detached supervisor run from `exe`.
#[must_use]
pub fn manager_for(
    backend: manager::Backend,
    paths: &HermesPaths,
    exe: &Path,
    user: &str,
    runner: Arc<dyn manager::CommandRunner>,
) -> Box<dyn manager::ServiceManager> {
    manager_in(backend, paths, exe, user, runner, None)
}

/// [`manager_for`], with system units in `system_dir` instead of `/etc/systemd/system`.
#[must_use]
pub fn manager_in(
    backend: manager::Backend,
    paths: &HermesPaths,
    exe: &Path,
    user: &str,
    runner: Arc<dyn manager::CommandRunner>,
    system_dir: Option<PathBuf>,
) -> Box<dyn manager::ServiceManager> {
    let sd = |scope| {
        let s = systemd::Systemd::new(paths, scope, user, runner.clone());
        match &system_dir {
            Some(d) => s.with_system_dir(d.clone()),
            None => s,
        }
    };
    match backend {
        manager::Backend::SystemdUser => Box::new(sd(systemd::Scope::User)),
        manager::Backend::SystemdSystem => Box::new(sd(systemd::Scope::System)),
        manager::Backend::Launchd => Box::new(launchd::Launchd::new(paths, runner)),
        manager::Backend::None => Box::new(super::detached::Detached::new(paths, exe)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::home::ProfileName;

    #[test]
    fn names_follow_upstream() {
        let user = PathBuf::from("/home/u");
        let p = HermesPaths::at(&user.join(".hermes"), &user);
        assert_eq!(systemd_unit_name(&p), "hermes-gateway");
        assert_eq!(launchd_label(&p), "ai.hermes.gateway");
        let coder = p.for_profile(&ProfileName::parse("coder").unwrap());
        assert_eq!(systemd_unit_name(&coder), "hermes-gateway-coder");
        assert_eq!(
            systemd_user_unit_path(&coder),
            PathBuf::from("/home/u/.config/systemd/user/hermes-gateway-coder.service")
        );
        let spec = ServiceSpec {
            exe: "/usr/local/bin/hermes".into(),
            path: "/usr/bin:/bin".into(),
            run_as: None,
        };
        let unit = render_systemd(&coder, &spec);
        assert!(
            unit.contains(
                "ExecStart=/usr/local/bin/hermes --profile coder gateway run --replace\n"
            ),
            "{unit}"
        );
        assert!(unit.contains("Environment=\"HERMES_HOME=/home/u/.hermes/profiles/coder\"\n"));
        assert!(unit.contains("RestartForceExitStatus=75\nRestartPreventExitStatus=78\n"));
        assert!(unit.contains("WantedBy=default.target"));
        assert!(!unit.contains("{{"), "every placeholder filled");
        let system = render_systemd(
            &p,
            &ServiceSpec {
                run_as: Some(("ann".into(), "ann".into())),
                ..spec.clone()
            },
        );
        assert!(
            system.contains("User=ann\nGroup=ann\nRestart=always")
                && system.contains("WantedBy=multi-user.target")
        );
        assert!(system.contains("ExecStart=/usr/local/bin/hermes gateway run --replace\n"));
        let plist = render_launchd(&coder, &spec);
        assert!(plist.contains("<string>ai.hermes.gateway-coder</string>"));
        assert!(plist.contains("<string>--profile</string>\n        <string>coder</string>"));
        assert!(!plist.contains("{{"));
        let custom = HermesPaths::at(&PathBuf::from("/srv/h"), &user);
        let n = systemd_unit_name(&custom);
        assert!(
            n.starts_with("hermes-gateway-") && n.len() == "hermes-gateway-".len() + 8,
            "{n}"
        );
    }
}

#[cfg(test)]
mod outdated_tests {
    use super::*;

    #[test]
    fn path_is_ignored_and_kept_and_user_group_read_back() {
        let t = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(&t.path().join(".hermes"), t.path());
        let spec = |path: &str, run_as: Option<(&str, &str)>| ServiceSpec {
            exe: "/usr/local/bin/hermes".into(),
            path: path.into(),
            run_as: run_as.map(|(u, g)| (u.into(), g.into())),
        };
        for render in [render_systemd, render_launchd] {
            let installed = render(&paths, &spec("/opt/tools:/usr/bin:/bin", None));
            let file = t.path().join("unit");
            std::fs::write(&file, &installed).unwrap();
            assert_eq!(
                installed_path(&installed).as_deref(),
                Some("/opt/tools:/usr/bin:/bin")
            );
            assert!(!is_outdated(
                &file,
                &render(&paths, &spec("/usr/bin:/bin", None))
            ));
            let other = HermesPaths::at(&t.path().join("elsewhere"), t.path());
            assert!(is_outdated(
                &file,
                &render(&other, &spec("/usr/bin:/bin", None))
            ));
        }
        assert_eq!(
            merge_path("/usr/bin:/bin", "/opt/tools:/usr/bin:/bin"),
            "/usr/bin:/bin:/opt/tools"
        );
        let system = render_systemd(&paths, &spec("/usr/bin", Some(("ann", "staff"))));
        assert_eq!(
            installed_run_as(&system),
            Some(("ann".to_string(), "staff".to_string()))
        );
        assert_eq!(
            installed_run_as(&render_systemd(&paths, &spec("/usr/bin", None))),
            None
        );
    }
}

#[cfg(test)]
mod verify_tests {
    use super::*;
    use crate::home::ProfileName;

    /// `systemd-analyze verify` must accept the units with nothing on stderr (an unknown key only
    /// warns). Needs Debian's `systemd` package (installed by `.ci/run`).
    #[test]
    fn systemd_analyze_accepts_user_and_system_units() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join(".hermes");
        std::fs::create_dir_all(root.join("profiles/coder")).unwrap();
        let paths =
            HermesPaths::at(&root, t.path()).for_profile(&ProfileName::parse("coder").unwrap());
        let spec = ServiceSpec {
            exe: "/bin/true".into(),
            path: "/usr/local/bin:/usr/bin:/bin".into(),
            run_as: None,
        };
        let runtime = t.path().join("run");
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::set_permissions(
            &runtime,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let default = HermesPaths::at(&root, t.path());
        // A binary in a directory with a space: ExecStart= must quote it.
        let tools = t.path().join("my tools");
        std::fs::create_dir_all(&tools).unwrap();
        std::fs::copy("/bin/true", tools.join("hermes")).unwrap();
        let spaced = ServiceSpec {
            exe: tools.join("hermes"),
            path: format!("{}:/usr/bin:/bin", tools.display()),
            run_as: None,
        };
        for (system, text) in [
            (false, render_systemd(&paths, &spec)),
            (false, render_systemd(&default, &spec)),
            (false, render_systemd(&paths, &spaced)),
            (
                true,
                render_systemd(
                    &paths,
                    &ServiceSpec {
                        run_as: Some(("root".into(), "root".into())),
                        ..spec.clone()
                    },
                ),
            ),
            (
                true,
                render_systemd(
                    &default,
                    &ServiceSpec {
                        run_as: Some(("root".into(), "root".into())),
                        ..spaced.clone()
                    },
                ),
            ),
        ] {
            let unit = t
                .path()
                .join(format!("{}.service", systemd_unit_name(&paths)));
            std::fs::write(&unit, text).unwrap();
            let mut cmd = std::process::Command::new("systemd-analyze");
            if !system {
                cmd.arg("--user").env("XDG_RUNTIME_DIR", &runtime);
            }
            let out = cmd
                .arg("verify")
                .arg(&unit)
                .output()
                .expect("systemd-analyze (apt-get install systemd)");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && stderr.trim().is_empty(),
                "system={system}: {stderr}"
            );
        }
    }
}

#[cfg(test)]
mod snapshot_tests {
    use super::*;
    use crate::home::ProfileName;

    fn fixture() -> (HermesPaths, ServiceSpec) {
        let user = PathBuf::from("/home/ann");
        let paths = HermesPaths::at(&user.join(".hermes"), &user)
            .for_profile(&ProfileName::parse("coder").unwrap());
        let spec = ServiceSpec {
            exe: "/usr/local/bin/hermes".into(),
            path: "/usr/local/bin:/usr/bin:/bin".into(),
            run_as: None,
        };
        (paths, spec)
    }

    #[test]
    fn user_unit() {
        let (paths, spec) = fixture();
        insta::assert_snapshot!(render_systemd(&paths, &spec));
    }

    #[test]
    fn system_unit() {
        let (paths, spec) = fixture();
        let spec = ServiceSpec {
            run_as: Some(("ann".into(), "staff".into())),
            ..spec
        };
        insta::assert_snapshot!(render_systemd(&paths, &spec));
    }

    #[test]
    fn launchd_plist() {
        let (paths, spec) = fixture();
        insta::assert_snapshot!(render_launchd(&paths, &spec));
    }
}
