//! The profile verbs over the file system: create (fresh or cloned, staged and published
//! with one rename), list, show, use, delete, rename.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{HermesPaths, ProfileError, ProfileName, alias};
use crate::config::{self, dotenv::EnvFile, keys, yaml_edit};
use crate::fsutil;
use crate::gateway::{pid, service};

/// Directories every new profile gets.
pub const PROFILE_DIRS: &[&str] = &[
    "memories",
    "sessions",
    "skills",
    "skins",
    "logs",
    "plans",
    "workspace",
    "cron",
    "home",
];

/// The persona a fresh profile starts with.
const DEFAULT_SOUL: &str = include_str!("../../assets/SOUL.md");

/// Bundled skills seeded into fresh profiles: (folder name, SKILL.md text).
const BUNDLED_SKILLS: &[(&str, &str)] = &[
    (
        "daily-briefing",
        include_str!("../../assets/skills/daily-briefing/SKILL.md"),
    ),
    (
        "summarize-url",
        include_str!("../../assets/skills/summarize-url/SKILL.md"),
    ),
];

/// How a new profile is seeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloneMode {
    /// A fresh profile (only the source's `model:` block is carried over).
    Fresh,
    /// `--clone`: config.yaml, .env, SOUL.md, memories and skills.
    Config,
    /// `--clone-all`: everything but history and runtime state. As upstream, that includes
    /// `auth.json` (kept owner-only), so the clone works at once; channel state stays behind
    /// unless `--clone-channels`.
    All,
}

/// What `profile create` was asked to do.
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// The new profile's name (validated with [`ProfileName::parse_new`]).
    pub name: ProfileName,
    /// The clone mode.
    pub mode: CloneMode,
    /// The profile to copy from (default: the active one).
    pub source: Option<ProfileName>,
    /// Copy messaging channel credentials too (`--clone-channels`).
    pub clone_channels: bool,
    /// Skip bundled skills (`--no-skills`).
    pub no_skills: bool,
    /// `--description`.
    pub description: Option<String>,
}

/// The result of a create.
#[derive(Debug, Clone)]
pub struct Created {
    /// The new home.
    pub home: PathBuf,
    /// The profile copied from, if any.
    pub source: Option<ProfileName>,
    /// Platforms whose credentials were not copied (no `--clone-channels`).
    pub channels_left_behind: Vec<String>,
}

/// Creates a profile. The tree is built in a hidden staging directory and published with
/// one rename, so a failure or a crash never leaves a half-made profile.
pub fn create_profile(paths: &HermesPaths, opts: &CreateOptions) -> Result<Created, ProfileError> {
    let target = paths.for_profile(&opts.name);
    if target.home().exists() {
        return Err(ProfileError::AlreadyExists {
            name: opts.name.to_string(),
            path: target.home().to_path_buf(),
        });
    }
    let source_name = opts
        .source
        .clone()
        .unwrap_or_else(|| paths.profile().clone());
    let source = paths.for_profile(&source_name);
    if !source.home().is_dir() && (opts.mode != CloneMode::Fresh || !source_name.is_default()) {
        return Err(ProfileError::NotFound {
            name: source_name.to_string(),
        });
    }
    let profiles_dir = paths.profiles_dir();
    fs::create_dir_all(&profiles_dir).map_err(ProfileError::io("create", &profiles_dir))?;
    let staging = profiles_dir.join(format!(".staging-{}-{}", opts.name, std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let result = build_profile(&source, &staging, opts);
    let left_behind = match result {
        Ok(l) => l,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    if target.home().exists() {
        let _ = fs::remove_dir_all(&staging);
        return Err(ProfileError::AlreadyExists {
            name: opts.name.to_string(),
            path: target.home().to_path_buf(),
        });
    }
    fs::rename(&staging, target.home()).map_err(|e| {
        let _ = fs::remove_dir_all(&staging);
        ProfileError::io("publish", target.home())(e)
    })?;
    Ok(Created {
        home: target.home().to_path_buf(),
        source: (opts.mode != CloneMode::Fresh).then_some(source_name),
        channels_left_behind: left_behind,
    })
}

/// Fills `dir` with a new profile; returns the platforms left behind.
fn build_profile(
    source: &HermesPaths,
    dir: &Path,
    opts: &CreateOptions,
) -> Result<Vec<String>, ProfileError> {
    match opts.mode {
        CloneMode::All => {
            let from_root = source.profile().is_default();
            fsutil::copy_tree(source.home(), dir, &|rel| {
                skip_in_full_clone(rel, from_root, opts.clone_channels)
            })
            .map_err(ProfileError::io("copy", source.home()))?;
            for f in [
                "gateway.pid",
                "gateway.lock",
                "gateway_state.json",
                "processes.json",
                ".clean_shutdown",
            ] {
                let _ = fs::remove_file(dir.join(f));
            }
        }
        CloneMode::Config => {
            fs::create_dir_all(dir).map_err(ProfileError::io("create", dir))?;
            for f in [
                "config.yaml",
                ".env",
                "SOUL.md",
                "memories/MEMORY.md",
                "memories/USER.md",
            ] {
                copy_if_exists(&source.home().join(f), &dir.join(f))?;
            }
            let skills = source.skills_dir();
            if skills.is_dir() {
                fsutil::copy_tree(&skills, &dir.join("skills"), &|_| false)
                    .map_err(ProfileError::io("copy", &skills))?;
            }
        }
        CloneMode::Fresh => {
            fs::create_dir_all(dir).map_err(ProfileError::io("create", dir))?;
            seed_fresh(source, dir, opts)?;
        }
    }
    for d in PROFILE_DIRS {
        let p = dir.join(d);
        fs::create_dir_all(&p).map_err(ProfileError::io("create", &p))?;
    }
    let env_path = dir.join(".env");
    if env_path.exists() {
        // A copied .env keeps its secrets private whatever mode the source had.
        fsutil::write_atomic(
            &env_path,
            &fs::read(&env_path).map_err(ProfileError::io("read", &env_path))?,
            Some(fsutil::SECRET_MODE),
        )
        .map_err(ProfileError::io("write", &env_path))?;
    } else {
        fsutil::write_atomic(
            &env_path,
            config::dotenv::PLACEHOLDER.as_bytes(),
            Some(fsutil::SECRET_MODE),
        )
        .map_err(ProfileError::io("write", &env_path))?;
    }
    let auth = dir.join("auth.json");
    if auth.is_file() {
        // Credentials copied by `--clone-all` stay private whatever mode the source had.
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&auth, fs::Permissions::from_mode(fsutil::SECRET_MODE))
            .map_err(ProfileError::io("protect", &auth))?;
    }
    let left_behind = if opts.mode == CloneMode::Fresh || opts.clone_channels {
        Vec::new()
    } else {
        strip_channels(dir)?
    };
    if let Some(desc) = &opts.description {
        let meta = dir.join("profile.yaml");
        let text = yaml_edit::set(
            "",
            &["description".to_string()],
            &serde_yaml_ng::Value::String(desc.clone()),
        )
        .map_err(|e| ProfileError::io("write", &meta)(std::io::Error::other(e.to_string())))?;
        fsutil::write_atomic(&meta, text.as_bytes(), None)
            .map_err(ProfileError::io("write", &meta))?;
    }
    Ok(left_behind)
}

/// A fresh profile: the source's `model:` block, the default persona, bundled skills.
fn seed_fresh(source: &HermesPaths, dir: &Path, opts: &CreateOptions) -> Result<(), ProfileError> {
    let mut config_text =
        String::from("# hermes profile configuration. Edit with `hermes config set KEY VALUE`.\n");
    if let Ok(Some(text)) = fsutil::read_optional(&source.config_file())
        && let Ok(doc) = yaml_edit::parse(&text)
        && let Some(model) = doc.get("model")
    {
        config_text = yaml_edit::set(&config_text, &["model".to_string()], model).map_err(|e| {
            ProfileError::io("write", dir.join("config.yaml"))(std::io::Error::other(e.to_string()))
        })?;
    }
    let cfg = dir.join("config.yaml");
    fsutil::write_atomic(&cfg, config_text.as_bytes(), None)
        .map_err(ProfileError::io("write", &cfg))?;
    let soul = dir.join("SOUL.md");
    fsutil::write_atomic(&soul, DEFAULT_SOUL.as_bytes(), None)
        .map_err(ProfileError::io("write", &soul))?;
    if opts.no_skills {
        let marker = dir.join(".no-bundled-skills");
        fsutil::write_atomic(&marker, b"", None).map_err(ProfileError::io("write", &marker))?;
    } else {
        for (name, text) in BUNDLED_SKILLS {
            let p = dir.join("skills").join(name).join("SKILL.md");
            fsutil::write_atomic(&p, text.as_bytes(), None)
                .map_err(ProfileError::io("write", &p))?;
        }
    }
    Ok(())
}

/// What `--clone-all` leaves out, by path relative to the source home.
fn skip_in_full_clone(rel: &Path, from_root: bool, clone_channels: bool) -> bool {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let top = rel.components().count() == 1;
    if name == "__pycache__"
        || name.ends_with(".pyc")
        || name.ends_with(".sock")
        || name.ends_with(".tmp")
    {
        return true;
    }
    if top {
        let history = [
            "sessions",
            "backups",
            "state-snapshots",
            "checkpoints",
            "cron",
            "logs",
        ];
        if history.contains(&name.as_str())
            || name.starts_with("state.db")
            || name.starts_with("response_store.db")
        {
            return true;
        }
        let infrastructure = [
            "hermes-agent",
            ".worktrees",
            "profiles",
            "bin",
            "node_modules",
            ".hermes-runtime",
            "node",
            "active_profile",
        ];
        if from_root && infrastructure.contains(&name.as_str()) {
            return true;
        }
        // Channel state: logged-in accounts and approved users belong to the source's bots.
        if !clone_channels
            && [
                "weixin",
                "pairing",
                "platforms",
                "webhook_subscriptions.json",
            ]
            .contains(&name.as_str())
        {
            return true;
        }
    }
    false
}

/// Removes messaging-channel credentials from a cloned profile; returns the platforms removed.
fn strip_channels(dir: &Path) -> Result<Vec<String>, ProfileError> {
    let mut platforms: Vec<String> = Vec::new();
    let env_path = dir.join(".env");
    if env_path.exists() {
        let mut env = EnvFile::load(&env_path).map_err(|e| {
            ProfileError::io("read", &env_path)(std::io::Error::other(e.to_string()))
        })?;
        for key in env.retain_keys(|k| keys::channel_platform_of_env(k).is_some()) {
            if let Some(p) = keys::channel_platform_of_env(&key) {
                push_unique(&mut platforms, p);
            }
        }
        env.save(&env_path).map_err(|e| {
            ProfileError::io("write", &env_path)(std::io::Error::other(e.to_string()))
        })?;
    }
    let cfg = dir.join("config.yaml");
    if let Ok(Some(mut text)) = fsutil::read_optional(&cfg) {
        let Ok(doc) = yaml_edit::parse(&text) else {
            return Ok(platforms);
        };
        if let Some(map) = doc.as_mapping() {
            for (k, v) in map {
                let Some(k) = k.as_str() else { continue };
                if k == "platforms" {
                    if let Some(m) = v.as_mapping() {
                        for name in m.keys().filter_map(|n| n.as_str()) {
                            push_unique(&mut platforms, name);
                        }
                    }
                } else if keys::CHANNEL_CONFIG_SECTIONS.contains(&k) {
                    push_unique(&mut platforms, k);
                } else {
                    continue;
                }
                if let Ok(Some(t)) = yaml_edit::unset(&text, &[k.to_string()]) {
                    text = t;
                }
            }
        }
        fsutil::write_atomic(&cfg, text.as_bytes(), None)
            .map_err(ProfileError::io("write", &cfg))?;
    }
    Ok(platforms)
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

fn copy_if_exists(from: &Path, to: &Path) -> Result<(), ProfileError> {
    if from.is_file() {
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(ProfileError::io("create", parent))?;
        }
        fs::copy(from, to).map_err(ProfileError::io("copy", from))?;
    }
    Ok(())
}

/// One row of `profile list` / the body of `profile show`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProfileInfo {
    /// The name (`default` for the root).
    pub name: String,
    /// Its home directory.
    pub path: PathBuf,
    /// Whether it is the active profile of this invocation.
    pub active: bool,
    /// `model.default` (or the bare `model:` string).
    pub model: Option<String>,
    /// `model.provider`.
    pub provider: Option<String>,
    /// The gateway's pid when it runs.
    pub gateway_pid: Option<u32>,
    /// The alias wrapper that runs it.
    pub alias: Option<PathBuf>,
    /// `profile.yaml` description.
    pub description: Option<String>,
    /// Number of skills (folders with a SKILL.md).
    pub skills: usize,
    /// Whether `.env` exists.
    pub has_env: bool,
    /// Whether `SOUL.md` exists.
    pub has_soul: bool,
    /// The systemd unit or launchd label.
    pub service: String,
}

/// Facts about one profile.
pub fn profile_info(paths: &HermesPaths, name: &ProfileName) -> Result<ProfileInfo, ProfileError> {
    let p = paths.for_profile(name);
    if !p.home().is_dir() && !name.is_default() {
        return Err(ProfileError::NotFound {
            name: name.to_string(),
        });
    }
    let (model, provider) = fsutil::read_optional(&p.config_file())
        .ok()
        .flatten()
        .map(|t| config::model_summary(&t))
        .unwrap_or_default();
    let description = fsutil::read_optional(&p.profile_meta_file())
        .ok()
        .flatten()
        .and_then(|t| yaml_edit::parse(&t).ok())
        .and_then(|d| {
            d.get("description")
                .and_then(|v| v.as_str().map(str::to_string))
        });
    let skills = count_skills(&p.skills_dir());
    Ok(ProfileInfo {
        name: name.to_string(),
        path: p.home().to_path_buf(),
        active: paths.profile() == name,
        model,
        provider,
        gateway_pid: pid::running_gateway(&p),
        alias: if name.is_default() {
            None
        } else {
            alias::find_wrapper(&p, name).map(|w| w.path)
        },
        description,
        skills,
        has_env: p.env_file().exists(),
        has_soul: p.soul_file().exists(),
        service: service::systemd_unit_name(&p),
    })
}

fn count_skills(dir: &Path) -> usize {
    let Ok(rd) = fs::read_dir(dir) else { return 0 };
    rd.filter_map(Result::ok)
        .filter(|e| {
            e.path().join("SKILL.md").is_file() || e.path().is_dir() && count_skills(&e.path()) > 0
        })
        .count()
}

/// Every profile: `default` first, then the named ones in name order.
pub fn list_profiles(paths: &HermesPaths) -> Result<Vec<ProfileInfo>, ProfileError> {
    let mut names = vec![ProfileName::default_profile()];
    if let Ok(rd) = fs::read_dir(paths.profiles_dir()) {
        let mut named: Vec<ProfileName> = rd
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .filter_map(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                if n.starts_with('.') {
                    None
                } else {
                    ProfileName::parse(&n).ok().filter(|p| !p.is_default())
                }
            })
            .collect();
        named.sort();
        names.extend(named);
    }
    names.iter().map(|n| profile_info(paths, n)).collect()
}

/// Makes `name` the sticky default (`default` removes the sticky file).
pub fn set_active_profile(paths: &HermesPaths, name: &ProfileName) -> Result<(), ProfileError> {
    let file = paths.active_profile_file();
    if name.is_default() {
        return match fs::remove_file(&file) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(ProfileError::io("remove", &file)(e)),
        };
    }
    if !paths.for_profile(name).home().is_dir() {
        return Err(ProfileError::NotFound {
            name: name.to_string(),
        });
    }
    fsutil::write_atomic(&file, format!("{name}\n").as_bytes(), None)
        .map_err(ProfileError::io("write", &file))
}

/// What `delete_profile` did besides removing the directory.
#[derive(Debug, Default, Clone)]
pub struct Deleted {
    /// The gateway pid that was stopped.
    pub stopped_gateway: Option<u32>,
    /// Service files removed.
    pub removed_services: Vec<PathBuf>,
    /// The alias wrapper removed.
    pub removed_alias: Option<PathBuf>,
    /// Whether the sticky default pointed here and was reset.
    pub reset_active: bool,
}

/// Deletes a named profile: stops its gateway, removes its service files and alias, resets the
/// sticky default if it pointed here, and removes the directory.
pub fn delete_profile(paths: &HermesPaths, name: &ProfileName) -> Result<Deleted, ProfileError> {
    if name.is_default() {
        return Err(ProfileError::DefaultProfile { action: "deleted" });
    }
    let p = paths.for_profile(name);
    if !p.home().is_dir() {
        return Err(ProfileError::NotFound {
            name: name.to_string(),
        });
    }
    let mut done = Deleted::default();
    if let Some(gw) = pid::running_gateway(&p) {
        if !pid::terminate(gw, Duration::from_secs(10)) {
            return Err(ProfileError::GatewayRunning {
                name: name.to_string(),
                pid: gw,
            });
        }
        done.stopped_gateway = Some(gw);
    }
    let unit = service::systemd_user_unit_path(&p);
    if unit.exists() {
        // Best effort: without a user bus (containers) there is nothing to disable.
        let _ = std::process::Command::new("systemctl")
            .args([
                "--user",
                "disable",
                "--now",
                &service::systemd_unit_name(&p),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        fs::remove_file(&unit).map_err(ProfileError::io("remove", &unit))?;
        done.removed_services.push(unit);
    }
    let plist = service::launchd_plist_path(&p);
    if plist.exists() {
        fs::remove_file(&plist).map_err(ProfileError::io("remove", &plist))?;
        done.removed_services.push(plist);
    }
    if let Some(w) = alias::find_wrapper(&p, name) {
        fs::remove_file(&w.path).map_err(ProfileError::io("remove", &w.path))?;
        done.removed_alias = Some(w.path);
    }
    if fs::read_to_string(paths.active_profile_file()).is_ok_and(|t| t.trim() == name.as_str()) {
        set_active_profile(paths, &ProfileName::default_profile())?;
        done.reset_active = true;
    }
    // Move aside first so a failure halfway never leaves a half-deleted profile in the list.
    let trash = paths
        .profiles_dir()
        .join(format!(".deleting-{name}-{}", std::process::id()));
    fs::rename(p.home(), &trash).map_err(ProfileError::io("remove", p.home()))?;
    fs::remove_dir_all(&trash).map_err(ProfileError::io("remove", &trash))?;
    Ok(done)
}

/// What `rename_profile` did.
#[derive(Debug, Clone)]
pub struct Renamed {
    /// The new home.
    pub home: PathBuf,
    /// The old wrapper removed (a new one is the caller's choice).
    pub removed_alias: Option<PathBuf>,
    /// Session keys migrated from `agent:<old>:` to `agent:<new>:`.
    pub migrated_sessions: usize,
    /// A service file still carries the old name and should be reinstalled.
    pub stale_service: Option<PathBuf>,
    /// Whether the sticky default followed the rename.
    pub moved_active: bool,
}

/// Renames a profile (directory, sticky default, session keys); `default` cannot be renamed
/// (its display name is set instead, by the caller).
pub fn rename_profile(
    paths: &HermesPaths,
    old: &ProfileName,
    new: &ProfileName,
) -> Result<Renamed, ProfileError> {
    if old.is_default() || new.is_default() {
        return Err(ProfileError::DefaultProfile { action: "renamed" });
    }
    let from = paths.for_profile(old);
    let to = paths.for_profile(new);
    if !from.home().is_dir() {
        return Err(ProfileError::NotFound {
            name: old.to_string(),
        });
    }
    if to.home().exists() {
        return Err(ProfileError::AlreadyExists {
            name: new.to_string(),
            path: to.home().to_path_buf(),
        });
    }
    if let Some(gw) = pid::running_gateway(&from) {
        return Err(ProfileError::GatewayRunning {
            name: old.to_string(),
            pid: gw,
        });
    }
    fs::rename(from.home(), to.home()).map_err(ProfileError::io("rename", from.home()))?;
    let migrated_sessions =
        migrate_session_keys(&to.sessions_dir().join("sessions.json"), old, new)?;
    let removed_alias = match alias::find_wrapper(&from, old) {
        Some(w) => {
            fs::remove_file(&w.path).map_err(ProfileError::io("remove", &w.path))?;
            Some(w.path)
        }
        None => None,
    };
    let mut moved_active = false;
    if fs::read_to_string(paths.active_profile_file()).is_ok_and(|t| t.trim() == old.as_str()) {
        set_active_profile(paths, new)?;
        moved_active = true;
    }
    let unit = service::systemd_user_unit_path(&from);
    let plist = service::launchd_plist_path(&from);
    let stale_service = [unit, plist].into_iter().find(|p| p.exists());
    Ok(Renamed {
        home: to.home().to_path_buf(),
        removed_alias,
        migrated_sessions,
        stale_service,
        moved_active,
    })
}

/// Rewrites `agent:<old>:…` keys of the session routing index.
fn migrate_session_keys(
    index: &Path,
    old: &ProfileName,
    new: &ProfileName,
) -> Result<usize, ProfileError> {
    let Ok(Some(text)) = fsutil::read_optional(index) else {
        return Ok(0);
    };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&text)
    else {
        return Ok(0);
    };
    let prefix = format!("agent:{old}:");
    let mut count = 0;
    let migrated: serde_json::Map<String, serde_json::Value> = map
        .into_iter()
        .map(|(k, v)| match k.strip_prefix(&prefix) {
            Some(rest) => {
                count += 1;
                (format!("agent:{new}:{rest}"), v)
            }
            None => (k, v),
        })
        .collect();
    if count > 0 {
        let out = serde_json::to_string_pretty(&migrated).unwrap_or_default();
        fsutil::write_atomic(index, out.as_bytes(), None)
            .map_err(ProfileError::io("write", index))?;
    }
    Ok(count)
}
