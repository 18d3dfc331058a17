//! `HermesPaths`: the one place that knows where hermes keeps state, and the resolution of
//! `HERMES_HOME` in upstream's order (`-p`, trusted profile home, sticky `active_profile`, default).

use std::path::{Path, PathBuf};

use super::{ProfileError, ProfileName};

/// What resolution needs from the process: flags and environment, gathered by the binary.
#[derive(Debug, Clone, Default)]
pub struct ResolveInput {
    /// `-p/--profile NAME` from anywhere on the command line.
    pub explicit_profile: Option<String>,
    /// `HERMES_HOME` as set in the environment.
    pub hermes_home: Option<PathBuf>,
    /// The user's home directory (`HOME`).
    pub user_home: PathBuf,
    /// `HERMES_DATA_DIR_SUFFIX`, appended literally to the default root.
    pub data_dir_suffix: Option<String>,
    /// `XDG_STATE_HOME`, for machine-wide gateway locks.
    pub xdg_state_home: Option<PathBuf>,
    /// `XDG_CONFIG_HOME`, for systemd user units.
    pub xdg_config_home: Option<PathBuf>,
    /// A supervisor marker is present: the sticky `active_profile` must not apply.
    pub supervised: bool,
}

/// The outcome of resolution: the paths and anything worth a warning.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// Every path hermes uses for this invocation.
    pub paths: HermesPaths,
    /// Non-fatal problems (e.g. a sticky profile that no longer exists).
    pub warnings: Vec<String>,
}

/// Every path hermes uses, for one home (the root or a named profile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HermesPaths {
    root: PathBuf,
    home: PathBuf,
    profile: ProfileName,
    user_home: PathBuf,
    default_root: PathBuf,
    state_home: PathBuf,
    config_home: PathBuf,
}

/// Resolves `HERMES_HOME` in upstream's order.
///
/// 1. An explicit `-p NAME` wins (`default` means the root).
/// 2. Without it, a `HERMES_HOME` whose parent directory is named `profiles` is trusted.
/// 3. Otherwise the sticky `<root>/active_profile` applies, unless a supervisor runs us.
/// 4. Otherwise the root itself.
pub fn resolve(input: &ResolveInput) -> Result<Resolution, ProfileError> {
    let mut default_root = input.user_home.join(".hermes");
    if let Some(suffix) = input.data_dir_suffix.as_deref().filter(|s| !s.is_empty()) {
        let mut s = default_root.into_os_string();
        s.push(suffix);
        default_root = PathBuf::from(s);
    }
    let (root, trusted) = match &input.hermes_home {
        Some(h) if is_profile_dir(h) => {
            let root = h
                .parent()
                .and_then(Path::parent)
                .map_or_else(|| h.clone(), Path::to_path_buf);
            (root, Some(h.clone()))
        }
        Some(h) => (h.clone(), None),
        None => (default_root.clone(), None),
    };
    let base = HermesPaths {
        root: root.clone(),
        home: root.clone(),
        profile: ProfileName::default_profile(),
        user_home: input.user_home.clone(),
        default_root,
        state_home: input
            .xdg_state_home
            .clone()
            .unwrap_or_else(|| input.user_home.join(".local/state")),
        config_home: input
            .xdg_config_home
            .clone()
            .unwrap_or_else(|| input.user_home.join(".config")),
    };
    let mut warnings = Vec::new();

    if let Some(raw) = &input.explicit_profile {
        let name = ProfileName::parse(raw)?;
        let paths = base.for_profile(&name);
        if !name.is_default() && !paths.home.is_dir() {
            return Err(ProfileError::NotFound {
                name: name.to_string(),
            });
        }
        return Ok(Resolution { paths, warnings });
    }
    if let Some(home) = trusted {
        let name = home
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let profile = ProfileName::parse(&name).unwrap_or_else(|_| ProfileName::default_profile());
        return Ok(Resolution {
            paths: HermesPaths {
                home,
                profile,
                ..base
            },
            warnings,
        });
    }
    if !input.supervised
        && let Some(name) = read_active_profile(&root)
    {
        match ProfileName::parse(&name) {
            Ok(n) if n.is_default() => {}
            Ok(n) => {
                let paths = base.for_profile(&n);
                if paths.home.is_dir() {
                    return Ok(Resolution { paths, warnings });
                }
                warnings.push(format!(
                        "active profile '{n}' no longer exists; using the default profile (fix with `hermes profile use default`)"
                    ));
            }
            Err(_) => warnings.push(format!(
                "ignoring {}: '{name}' is not a valid profile name",
                root.join("active_profile").display()
            )),
        }
    }
    Ok(Resolution {
        paths: base,
        warnings,
    })
}

/// The profile named in `<root>/active_profile`, if any.
fn read_active_profile(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("active_profile")).ok()?;
    let name = text.trim();
    (!name.is_empty()).then(|| name.to_string())
}

fn is_profile_dir(home: &Path) -> bool {
    home.parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n == "profiles")
}

impl HermesPaths {
    /// Paths for a plain home with no profiles involved (tests, tools).
    #[must_use]
    pub fn at(root: &Path, user_home: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            home: root.to_path_buf(),
            profile: ProfileName::default_profile(),
            user_home: user_home.to_path_buf(),
            default_root: user_home.join(".hermes"),
            state_home: user_home.join(".local/state"),
            config_home: user_home.join(".config"),
        }
    }

    /// The same root, switched to another profile.
    #[must_use]
    pub fn for_profile(&self, name: &ProfileName) -> Self {
        let home = if name.is_default() {
            self.root.clone()
        } else {
            self.profiles_dir().join(name.as_str())
        };
        Self {
            home,
            profile: name.clone(),
            ..self.clone()
        }
    }

    /// The profiles root (`~/.hermes`), shared by every profile.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// The active home (`HERMES_HOME)`: the root, or `<root>/profiles/<name>`.
    #[must_use]
    pub fn home(&self) -> &Path {
        &self.home
    }
    /// The active profile's name (`default` for the root).
    #[must_use]
    pub fn profile(&self) -> &ProfileName {
        &self.profile
    }
    /// Whether the root is the platform default (`~/.hermes`), so wrappers need not carry it.
    #[must_use]
    pub fn root_is_default(&self) -> bool {
        self.root == self.default_root
    }
    /// The user's home directory.
    #[must_use]
    pub fn user_home(&self) -> &Path {
        &self.user_home
    }
    /// `<root>/profiles`.
    #[must_use]
    pub fn profiles_dir(&self) -> PathBuf {
        self.root.join("profiles")
    }
    /// `<root>/active_profile`, the sticky default.
    #[must_use]
    pub fn active_profile_file(&self) -> PathBuf {
        self.root.join("active_profile")
    }
    /// `config.yaml` of the active home.
    #[must_use]
    pub fn config_file(&self) -> PathBuf {
        self.home.join("config.yaml")
    }
    /// `.env` of the active home (secrets, 0600).
    #[must_use]
    pub fn env_file(&self) -> PathBuf {
        self.home.join(".env")
    }
    /// `auth.json` (OAuth credentials; never exported).
    #[must_use]
    pub fn auth_file(&self) -> PathBuf {
        self.home.join("auth.json")
    }
    /// `SOUL.md`, the persona.
    #[must_use]
    pub fn soul_file(&self) -> PathBuf {
        self.home.join("SOUL.md")
    }
    /// `profile.yaml` (description, display name).
    #[must_use]
    pub fn profile_meta_file(&self) -> PathBuf {
        self.home.join("profile.yaml")
    }
    /// `memories/`.
    #[must_use]
    pub fn memories_dir(&self) -> PathBuf {
        self.home.join("memories")
    }
    /// `skills/`.
    #[must_use]
    pub fn skills_dir(&self) -> PathBuf {
        self.home.join("skills")
    }
    /// `sessions/` (routing index and legacy transcripts).
    #[must_use]
    pub fn sessions_dir(&self) -> PathBuf {
        self.home.join("sessions")
    }
    /// `state.db`, the `SQLite` store.
    #[must_use]
    pub fn state_db(&self) -> PathBuf {
        self.home.join("state.db")
    }
    /// `response_store.db`, the API server's stored Responses (`previous_response_id`).
    #[must_use]
    pub fn response_store_db(&self) -> PathBuf {
        self.home.join("response_store.db")
    }
    /// `logs/`.
    #[must_use]
    pub fn logs_dir(&self) -> PathBuf {
        self.home.join("logs")
    }
    /// `cron/`.
    #[must_use]
    pub fn cron_dir(&self) -> PathBuf {
        self.home.join("cron")
    }
    /// `scripts/` (cron scripts).
    #[must_use]
    pub fn scripts_dir(&self) -> PathBuf {
        self.home.join("scripts")
    }
    /// `pairing/`.
    #[must_use]
    pub fn pairing_dir(&self) -> PathBuf {
        self.home.join("pairing")
    }
    /// `cache/`: downloaded media and other re-creatable files.
    #[must_use]
    pub fn cache_dir(&self) -> PathBuf {
        self.home.join("cache")
    }
    /// `<platform>/`: an adapter's durable state (e.g. the Telegram update cursor).
    #[must_use]
    pub fn platform_state_dir(&self, platform: &str) -> PathBuf {
        self.home.join(platform)
    }
    /// `webhook_subscriptions.json`: webhook routes added at run time (hot-reloaded).
    #[must_use]
    pub fn webhook_subscriptions_file(&self) -> PathBuf {
        self.home.join("webhook_subscriptions.json")
    }
    /// `weixin/` (saved iLink accounts, sync cursors, context tokens).
    #[must_use]
    pub fn weixin_dir(&self) -> PathBuf {
        self.home.join("weixin")
    }
    /// `cache/weixin/`, where downloaded Weixin media goes.
    #[must_use]
    pub fn weixin_cache_dir(&self) -> PathBuf {
        self.home.join("cache/weixin")
    }
    /// `gateway.pid`.
    #[must_use]
    pub fn gateway_pid_file(&self) -> PathBuf {
        self.home.join("gateway.pid")
    }
    /// `gateway.lock`.
    #[must_use]
    pub fn gateway_lock_file(&self) -> PathBuf {
        self.home.join("gateway.lock")
    }
    /// `gateway_state.json`.
    #[must_use]
    pub fn gateway_state_file(&self) -> PathBuf {
        self.home.join("gateway_state.json")
    }
    /// `gateway-supervisor.pid`: the detached supervisor of `hermes gateway start` (no service
    /// manager), in the same JSON record format as `gateway.pid`.
    #[must_use]
    pub fn gateway_supervisor_pid_file(&self) -> PathBuf {
        self.home.join("gateway-supervisor.pid")
    }
    /// `gateway-starts.log`: epoch seconds of recent starts (the respawn-storm breaker).
    #[must_use]
    pub fn gateway_starts_log(&self) -> PathBuf {
        self.home.join("gateway-starts.log")
    }
    /// `logs/gateway.stdout.log`: stdout and stderr of a detached gateway.
    #[must_use]
    pub fn gateway_stdout_log(&self) -> PathBuf {
        self.logs_dir().join("gateway.stdout.log")
    }
    /// `gateway.json` (per-platform and per-chat-type reset policies).
    #[must_use]
    pub fn gateway_json_file(&self) -> PathBuf {
        self.home.join("gateway.json")
    }
    /// `sessions/sessions.json`, upstream's session routing index.
    #[must_use]
    pub fn sessions_index_file(&self) -> PathBuf {
        self.sessions_dir().join("sessions.json")
    }
    /// `~/.local/bin`, where alias wrappers go.
    #[must_use]
    pub fn local_bin_dir(&self) -> PathBuf {
        self.user_home.join(".local/bin")
    }
    /// Machine-wide token lock directory (`HERMES_GATEWAY_LOCK_DIR` overrides it at the caller).
    #[must_use]
    pub fn gateway_lock_dir(&self) -> PathBuf {
        self.state_home.join("hermes/gateway-locks")
    }
    /// `~/.config/systemd/user`.
    #[must_use]
    pub fn systemd_user_dir(&self) -> PathBuf {
        self.config_home.join("systemd/user")
    }
    /// `~/Library/LaunchAgents`.
    #[must_use]
    pub fn launch_agents_dir(&self) -> PathBuf {
        self.user_home.join("Library/LaunchAgents")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(home: &Path) -> ResolveInput {
        ResolveInput {
            user_home: home.to_path_buf(),
            ..ResolveInput::default()
        }
    }

    #[test]
    fn resolution_order() {
        let t = tempfile::tempdir().unwrap();
        let user = t.path();
        let root = user.join(".hermes");
        std::fs::create_dir_all(root.join("profiles/coder")).unwrap();
        std::fs::create_dir_all(root.join("profiles/work")).unwrap();

        // 4. default
        let r = resolve(&input(user)).unwrap();
        assert_eq!(r.paths.home(), root);
        assert!(r.paths.profile().is_default());
        assert!(r.paths.root_is_default());

        // 3. sticky
        std::fs::write(root.join("active_profile"), "work\n").unwrap();
        let r = resolve(&input(user)).unwrap();
        assert_eq!(r.paths.home(), root.join("profiles/work"));
        // ... also when HERMES_HOME names the root (#22502)
        let r = resolve(&ResolveInput {
            hermes_home: Some(root.clone()),
            ..input(user)
        })
        .unwrap();
        assert_eq!(r.paths.profile().as_str(), "work");
        // ... but not under a supervisor
        let r = resolve(&ResolveInput {
            supervised: true,
            ..input(user)
        })
        .unwrap();
        assert!(r.paths.profile().is_default());

        // 2. trusted profile home
        let r = resolve(&ResolveInput {
            hermes_home: Some(root.join("profiles/coder")),
            ..input(user)
        })
        .unwrap();
        assert_eq!(r.paths.profile().as_str(), "coder");
        assert_eq!(r.paths.root(), root);

        // 1. explicit wins over everything
        let r = resolve(&ResolveInput {
            explicit_profile: Some("Coder".into()),
            hermes_home: Some(root.join("profiles/work")),
            ..input(user)
        })
        .unwrap();
        assert_eq!(r.paths.home(), root.join("profiles/coder"));
        let r = resolve(&ResolveInput {
            explicit_profile: Some("default".into()),
            ..input(user)
        })
        .unwrap();
        assert_eq!(r.paths.home(), root);
        let e = resolve(&ResolveInput {
            explicit_profile: Some("nope".into()),
            ..input(user)
        });
        assert!(matches!(e, Err(ProfileError::NotFound { .. })));
    }

    #[test]
    fn stale_sticky_profile_warns() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join(".hermes");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("active_profile"), "gone").unwrap();
        let r = resolve(&input(t.path())).unwrap();
        assert!(r.paths.profile().is_default());
        assert_eq!(r.warnings.len(), 1);
    }

    #[test]
    fn custom_root_and_suffix() {
        let t = tempfile::tempdir().unwrap();
        let r = resolve(&ResolveInput {
            data_dir_suffix: Some("-dev".into()),
            ..input(t.path())
        })
        .unwrap();
        assert_eq!(r.paths.root(), t.path().join(".hermes-dev"));
        let custom = t.path().join("elsewhere");
        let r = resolve(&ResolveInput {
            hermes_home: Some(custom.clone()),
            ..input(t.path())
        })
        .unwrap();
        assert_eq!(r.paths.root(), custom);
        assert!(!r.paths.root_is_default());
    }
}
