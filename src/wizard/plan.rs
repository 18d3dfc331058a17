//! `SetupPlan`: what a wizard wants to change, as a plain value. It is shown (secrets masked),
//! confirmed, then applied at once: `.env`, config.yaml (edited losslessly) and whole files are
//! all staged beside their destinations, then renamed into place, so either every file changes
//! or none does. Nothing is written before. A provider key bound for the OS keychain is stored
//! there first (and taken back if the files cannot be written); a keychain that refuses sends
//! it to `.env` instead.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use hermes::config::dotenv::EnvFile;
use hermes::config::keychain::{self, Keychain};
use hermes::config::{read_yaml, yaml_edit};
use hermes::fsutil;
use hermes::home::HermesPaths;
use serde_yaml_ng::Value;

/// A file the plan writes whole (SOUL.md, a Weixin account file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlannedFile {
    /// Where.
    pub(crate) path: PathBuf,
    /// The new contents.
    pub(crate) contents: String,
    /// The mode (`Some(0o600)` for secrets); `None` keeps an existing file's mode.
    pub(crate) mode: Option<u32>,
}

/// The changes a wizard run wants to make.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SetupPlan {
    /// `.env` variables to set, in the order they were answered.
    pub(crate) env_set: Vec<(String, String)>,
    /// `.env` variables to remove.
    pub(crate) env_unset: Vec<String>,
    /// config.yaml keys (dotted) to set.
    pub(crate) config_set: Vec<(String, Value)>,
    /// config.yaml keys (dotted) to remove.
    pub(crate) config_unset: Vec<String>,
    /// Whole files to write.
    pub(crate) files: Vec<PlannedFile>,
    /// Variables and keys whose values are masked when shown.
    pub(crate) secrets: BTreeSet<String>,
    /// Provider keys to store in the OS keychain instead of `.env`.
    pub(crate) keychain_set: Vec<(String, String)>,
    /// The keychain they go to.
    pub(crate) keychain: Option<Keychain>,
}

/// What `apply` did with the keys bound for the keychain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Applied {
    /// The variables now in the keychain.
    pub(crate) keychain: Vec<String>,
    /// Why the keychain refused them (they went to `.env` instead).
    pub(crate) keychain_failed: Option<String>,
}

impl SetupPlan {
    /// Sets a `.env` variable; an empty value removes it.
    pub(crate) fn set_env(&mut self, key: &str, value: &str) {
        self.env_set.retain(|(k, _)| k != key);
        self.env_unset.retain(|k| k != key);
        if value.is_empty() {
            self.env_unset.push(key.to_string());
        } else {
            self.env_set.push((key.to_string(), value.to_string()));
        }
    }

    /// Sets a secret `.env` variable (masked when shown).
    pub(crate) fn set_secret(&mut self, key: &str, value: &str) {
        self.secrets.insert(key.to_string());
        self.set_env(key, value);
    }

    /// The value this plan gives a variable: `Some("")` when it removes it.
    pub(crate) fn env_value(&self, key: &str) -> Option<&str> {
        if self.env_unset.iter().any(|k| k == key) {
            return Some("");
        }
        self.env_set
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets a config.yaml key.
    pub(crate) fn set_config(&mut self, key: &str, value: Value) {
        self.config_set.retain(|(k, _)| k != key);
        self.config_unset.retain(|k| k != key);
        self.config_set.push((key.to_string(), value));
    }

    /// Removes a config.yaml key.
    pub(crate) fn unset_config(&mut self, key: &str) {
        self.config_set.retain(|(k, _)| k != key);
        if !self.config_unset.iter().any(|k| k == key) {
            self.config_unset.push(key.to_string());
        }
    }

    /// Adds another plan's changes (later answers win).
    pub(crate) fn merge(&mut self, other: SetupPlan) {
        for (k, v) in other.env_set {
            self.set_env(&k, &v);
        }
        for k in other.env_unset {
            self.set_env(&k, "");
        }
        for (k, v) in other.config_set {
            self.set_config(&k, v);
        }
        for k in other.config_unset {
            self.unset_config(&k);
        }
        for f in other.files {
            self.files.retain(|g| g.path != f.path);
            self.files.push(f);
        }
        self.secrets.extend(other.secrets);
        for (k, v) in other.keychain_set {
            self.keychain_set.retain(|(j, _)| *j != k);
            self.keychain_set.push((k, v));
        }
        if other.keychain.is_some() {
            self.keychain = other.keychain;
        }
    }

    /// Sends the provider keys this plan writes to `keychain` instead of `.env`, and removes a
    /// stale `.env` line for each (`prune` drops the removal when there is none). `stored`:
    /// what the keychain holds now; a key it already holds is not written again.
    pub(crate) fn use_keychain(&mut self, kc: Keychain, stored: &BTreeMap<String, String>) {
        let keys: Vec<(String, String)> = self
            .env_set
            .iter()
            .filter(|(k, _)| keychain::KEYS.contains(&k.as_str()))
            .cloned()
            .collect();
        for (k, v) in keys {
            self.env_set.retain(|(j, _)| *j != k);
            if !self.env_unset.contains(&k) {
                self.env_unset.push(k.clone());
            }
            self.keychain_set.retain(|(j, _)| *j != k);
            if stored.get(&k) != Some(&v) {
                self.keychain_set.push((k, v));
            }
        }
        self.keychain = Some(kc);
    }

    /// Drops changes that would leave things as they are, given the current `.env` and
    /// config.yaml, so the summary lists real changes only.
    pub(crate) fn prune(&mut self, paths: &HermesPaths) -> Result<()> {
        let env = EnvFile::load(&paths.env_file())?.map();
        self.env_set
            .retain(|(k, v)| env.get(k).map(String::as_str) != Some(v.as_str()));
        self.env_unset
            .retain(|k| env.get(k).is_some_and(|v| !v.is_empty()));
        let (_, doc) = read_yaml(&paths.config_file())?;
        self.config_set
            .retain(|(k, v)| hermes::config::lookup(&doc, k) != Some(v));
        self.config_unset
            .retain(|k| hermes::config::lookup(&doc, k).is_some());
        self.files.retain(|f| {
            fsutil::read_optional(&f.path)
                .ok()
                .flatten()
                .is_none_or(|old| old != f.contents)
        });
        Ok(())
    }

    /// Whether there is nothing to write.
    pub(crate) fn is_empty(&self) -> bool {
        self.env_set.is_empty()
            && self.env_unset.is_empty()
            && self.keychain_set.is_empty()
            && self.config_set.is_empty()
            && self.config_unset.is_empty()
            && self.files.is_empty()
    }

    /// The summary shown before confirming, secrets masked.
    pub(crate) fn describe(&self, paths: &HermesPaths) -> Vec<String> {
        let mut out = Vec::new();
        if !self.keychain_set.is_empty() {
            out.push(format!(
                "  the OS keychain (service `{}`)",
                keychain::SERVICE
            ));
            for (k, v) in &self.keychain_set {
                out.push(format!("    {k}={}", mask(v)));
            }
        }
        if !self.env_set.is_empty() || !self.env_unset.is_empty() {
            out.push(format!("  {}", paths.env_file().display()));
            for (k, v) in &self.env_set {
                let shown = if self.is_secret(k) {
                    mask(v)
                } else {
                    v.clone()
                };
                out.push(format!("    {k}={shown}"));
            }
            for k in &self.env_unset {
                out.push(format!("    remove {k}"));
            }
        }
        if !self.config_set.is_empty() || !self.config_unset.is_empty() {
            out.push(format!("  {}", paths.config_file().display()));
            for (k, v) in &self.config_set {
                let shown = if self.is_secret(k) {
                    mask(&scalar(v))
                } else {
                    scalar(v)
                };
                out.push(format!("    {k}: {shown}"));
            }
            for k in &self.config_unset {
                out.push(format!("    remove {k}"));
            }
        }
        for f in &self.files {
            let mode = f
                .mode
                .map(|m| format!(", mode {m:04o}"))
                .unwrap_or_default();
            out.push(format!(
                "  {} ({} lines{mode})",
                f.path.display(),
                f.contents.lines().count()
            ));
        }
        out
    }

    fn is_secret(&self, key: &str) -> bool {
        self.secrets.contains(key) || looks_secret(key)
    }

    /// Writes everything. All new contents are computed first, so an error (a config.yaml that
    /// does not parse, say) writes nothing; then `.env`, config.yaml and the files are staged
    /// and renamed into place together (`write_all`).
    pub(crate) fn apply(&self, paths: &HermesPaths) -> Result<Applied> {
        let env_path = paths.env_file();
        let mut env = EnvFile::load(&env_path)?;
        let env_before = env.render();
        let config_path = paths.config_file();
        let (text, doc) = read_yaml(&config_path)?;
        let mut new_text = text.clone();
        // A bare `model: name` would turn into a mapping and lose the name; keep it.
        if let Some(Value::String(name)) = doc.get("model")
            && self.config_set.iter().any(|(k, _)| k.starts_with("model."))
            && !self.config_set.iter().any(|(k, _)| k == "model.default")
        {
            new_text = edit_set(
                &new_text,
                "model",
                &Value::Mapping(serde_yaml_ng::Mapping::default()),
            )?;
            new_text = edit_set(&new_text, "model.default", &Value::String(name.clone()))?;
        }
        for (k, v) in &self.config_set {
            new_text = edit_set(&new_text, k, v)?;
        }
        for k in &self.config_unset {
            let current = yaml_edit::parse(&new_text)
                .map_err(|e| anyhow::anyhow!("{}: {}", config_path.display(), e.message))?;
            let path = yaml_edit::split_key(k, &current);
            if let Some(t) = yaml_edit::unset(&new_text, &path)
                .with_context(|| format!("removing `{k}` from {}", config_path.display()))?
            {
                new_text = t;
            }
        }
        // The keychain last among the steps that can fail, first among those that write.
        let mut applied = Applied::default();
        let mut env_set = self.env_set.clone();
        let mut env_unset = self.env_unset.clone();
        let mut undo = Vec::new();
        if let Some(kc) = &self.keychain
            && !self.keychain_set.is_empty()
        {
            match store_all(kc, &self.keychain_set) {
                Ok(u) => {
                    undo = u;
                    applied.keychain = self.keychain_set.iter().map(|(k, _)| k.clone()).collect();
                }
                Err(why) => {
                    applied.keychain_failed = Some(why);
                    for (k, v) in &self.keychain_set {
                        env_unset.retain(|j| j != k);
                        env_set.push((k.clone(), v.clone()));
                    }
                }
            }
        }
        for (k, v) in &env_set {
            env.set(k, v);
        }
        for k in &env_unset {
            env.unset(k);
        }
        let mut writes: Vec<(PathBuf, Vec<u8>, Option<u32>)> = Vec::new();
        let env_text = env.render();
        if env_text != env_before {
            writes.push((env_path, env_text.into_bytes(), Some(fsutil::SECRET_MODE)));
        }
        if new_text != text {
            // config.yaml holds `model.api_key` for custom endpoints: keep it private.
            let mode = self
                .config_set
                .iter()
                .any(|(k, _)| self.is_secret(k))
                .then_some(fsutil::SECRET_MODE);
            writes.push((config_path, new_text.into_bytes(), mode));
        }
        for f in &self.files {
            writes.push((f.path.clone(), f.contents.clone().into_bytes(), f.mode));
        }
        if let Err(e) = write_all(&writes) {
            if let Some(kc) = &self.keychain {
                restore(kc, &undo);
            }
            return Err(e);
        }
        Ok(applied)
    }
}

/// Stores every key or none; on success, the values they replaced (to undo).
fn store_all(
    kc: &Keychain,
    keys: &[(String, String)],
) -> std::result::Result<Vec<(String, Option<String>)>, String> {
    let mut undo = Vec::new();
    for (k, v) in keys {
        let step = kc.get(k).and_then(|before| kc.set(k, v).map(|()| before));
        match step {
            Ok(before) => undo.push((k.clone(), before)),
            Err(e) => {
                restore(kc, &undo);
                return Err(e);
            }
        }
    }
    Ok(undo)
}

/// Puts back what `store_all` replaced (best effort).
fn restore(kc: &Keychain, undo: &[(String, Option<String>)]) {
    for (k, before) in undo {
        let _ = match before {
            Some(v) => kc.set(k, v),
            None => kc.delete(k).map(|_| ()),
        };
    }
}

/// A file written beside its destination, not yet renamed into place.
struct Staged {
    tmp: PathBuf,
    dest: PathBuf,
    /// The destination's contents before (`None`: it did not exist), to roll back.
    before: Option<Vec<u8>>,
    mode: u32,
}

/// Writes every file or none: all are staged first (temp file, mode, fsync), then renamed
/// into place; a failed stage removes the temps, and a failed rename puts back the files
/// already replaced.
fn write_all(writes: &[(PathBuf, Vec<u8>, Option<u32>)]) -> Result<()> {
    let mut staged: Vec<Staged> = Vec::new();
    let cleanup = |staged: &[Staged]| {
        for s in staged {
            let _ = std::fs::remove_file(&s.tmp);
        }
    };
    for (dest, contents, mode) in writes {
        match stage(dest, contents, *mode) {
            Ok(s) => staged.push(s),
            Err(e) => {
                cleanup(&staged);
                return Err(e.context(format!("writing {}", dest.display())));
            }
        }
    }
    for i in 0..staged.len() {
        if let Err(e) = std::fs::rename(&staged[i].tmp, &staged[i].dest) {
            for s in &staged[..i] {
                match &s.before {
                    Some(old) => {
                        let _ = fsutil::write_atomic(&s.dest, old, Some(s.mode));
                    }
                    None => {
                        let _ = std::fs::remove_file(&s.dest);
                    }
                }
            }
            cleanup(&staged[i..]);
            return Err(
                anyhow::Error::new(e).context(format!("writing {}", staged[i].dest.display()))
            );
        }
    }
    for s in &staged {
        if let Some(dir) = s.dest.parent()
            && let Ok(d) = std::fs::File::open(dir)
        {
            // Best effort: make the renames durable.
            let _ = d.sync_all();
        }
    }
    Ok(())
}

fn stage(dest: &std::path::Path, contents: &[u8], mode: Option<u32>) -> Result<Staged> {
    use std::io::Write as _;
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mode = match mode {
        Some(m) => m,
        None => std::fs::metadata(dest).map_or(0o644, |m| m.permissions().mode() & 0o7777),
    };
    let before = match std::fs::read(dest) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let name = dest
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy());
    let tmp = dir.join(format!(".{name}.stage-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)?;
        f.set_permissions(std::fs::Permissions::from_mode(mode))?;
        f.write_all(contents)?;
        f.sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    Ok(Staged {
        tmp,
        dest: dest.to_path_buf(),
        before,
        mode,
    })
}

fn edit_set(text: &str, key: &str, value: &Value) -> Result<String> {
    let doc = yaml_edit::parse(text).map_err(|e| anyhow::anyhow!("config.yaml: {}", e.message))?;
    let path = yaml_edit::split_key(key, &doc);
    yaml_edit::set(text, &path, value).with_context(|| format!("setting `{key}` in config.yaml"))
}

/// A YAML value on one line.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => serde_yaml_ng::to_string(other)
            .unwrap_or_default()
            .trim()
            .replace('\n', ", "),
    }
}

/// Whether a variable name says it holds a secret.
pub(crate) fn looks_secret(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    ["TOKEN", "PASSWORD", "SECRET", "API_KEY", "_KEY"]
        .iter()
        .any(|s| k.ends_with(s))
        || k.ends_with("API_KEY")
        || key == "model.api_key"
}

/// A secret as shown: its last four characters only.
pub(crate) fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    if n <= 8 {
        "********".to_string()
    } else {
        let tail: String = secret.chars().skip(n - 4).collect();
        format!("****{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(dir: &std::path::Path) -> HermesPaths {
        HermesPaths::at(&dir.join(".hermes"), dir)
    }

    #[test]
    fn masks_secrets() {
        assert_eq!(mask("short"), "********");
        assert_eq!(mask("123456789:ABCDEFGH"), "****EFGH");
        assert!(looks_secret("TELEGRAM_BOT_TOKEN"));
        assert!(looks_secret("OPENROUTER_API_KEY"));
        assert!(!looks_secret("TELEGRAM_ALLOWED_USERS"));
    }

    #[test]
    fn apply_edits_env_and_config_losslessly_in_one_go() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        std::fs::create_dir_all(p.home()).unwrap();
        std::fs::write(p.env_file(), "# mine\nKEEP=1\nTELEGRAM_ALLOWED_USERS=1\n").unwrap();
        std::fs::write(
            p.config_file(),
            "# my config\nmodel: old/model\nagent:\n  max_turns: 9\n",
        )
        .unwrap();
        let mut plan = SetupPlan::default();
        plan.set_secret("OPENROUTER_API_KEY", "sk-or-abcdefghijkl");
        plan.set_env("TELEGRAM_ALLOWED_USERS", "");
        plan.set_config("model.provider", Value::String("openrouter".into()));
        let lines = plan.describe(&p).join("\n");
        assert!(lines.contains("OPENROUTER_API_KEY=****ijkl"), "{lines}");
        assert!(lines.contains("remove TELEGRAM_ALLOWED_USERS"), "{lines}");
        plan.apply(&p).unwrap();
        let env = std::fs::read_to_string(p.env_file()).unwrap();
        assert_eq!(
            env,
            "# mine\nKEEP=1\nOPENROUTER_API_KEY=sk-or-abcdefghijkl\n"
        );
        assert_eq!(fsutil::mode_of(&p.env_file()), Some(0o600));
        let cfg = std::fs::read_to_string(p.config_file()).unwrap();
        assert!(cfg.starts_with("# my config\n"), "{cfg}");
        assert!(cfg.contains("default: old/model"), "{cfg}");
        assert!(cfg.contains("provider: openrouter"), "{cfg}");
        assert!(cfg.contains("max_turns: 9"), "{cfg}");
    }

    #[test]
    fn a_broken_config_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        std::fs::create_dir_all(p.home()).unwrap();
        std::fs::write(p.config_file(), "model: [unclosed\n").unwrap();
        let mut plan = SetupPlan::default();
        plan.set_env("A", "1");
        plan.set_config("model.default", Value::String("x".into()));
        assert!(plan.apply(&p).is_err());
        assert!(!p.env_file().exists());
    }

    #[test]
    fn a_failed_write_puts_back_the_files_already_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        std::fs::create_dir_all(p.home()).unwrap();
        std::fs::write(p.env_file(), "A=1\n").unwrap();
        std::fs::write(p.config_file(), "agent:\n  max_turns: 9\n").unwrap();
        // A directory where a file should go: staging works, its rename fails.
        let blocked = p.home().join("SOUL.md");
        std::fs::create_dir_all(blocked.join("inside")).unwrap();
        let mut plan = SetupPlan::default();
        plan.set_env("B", "2");
        plan.set_config("model.default", Value::String("x".into()));
        plan.files.push(PlannedFile {
            path: blocked.clone(),
            contents: "soul\n".into(),
            mode: None,
        });
        assert!(plan.apply(&p).is_err());
        assert_eq!(std::fs::read_to_string(p.env_file()).unwrap(), "A=1\n");
        assert_eq!(
            std::fs::read_to_string(p.config_file()).unwrap(),
            "agent:\n  max_turns: 9\n"
        );
        let mut left: Vec<String> = std::fs::read_dir(p.home())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".env", "SOUL.md", "config.yaml"]);
    }

    #[test]
    fn prune_keeps_real_changes_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        std::fs::create_dir_all(p.home()).unwrap();
        std::fs::write(p.env_file(), "A=1\nB=2\n").unwrap();
        std::fs::write(p.config_file(), "model:\n  default: m\n").unwrap();
        let mut plan = SetupPlan::default();
        plan.set_env("A", "1");
        plan.set_env("B", "3");
        plan.set_env("C", "");
        plan.set_config("model.default", Value::String("m".into()));
        plan.unset_config("model.base_url");
        plan.prune(&p).unwrap();
        assert_eq!(plan.env_set, [("B".to_string(), "3".to_string())]);
        assert!(plan.env_unset.is_empty());
        assert!(plan.config_set.is_empty() && plan.config_unset.is_empty());
    }

    #[test]
    fn provider_keys_go_to_the_keychain_and_a_stale_env_line_goes() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        std::fs::create_dir_all(p.home()).unwrap();
        std::fs::write(
            p.env_file(),
            "OPENAI_API_KEY=sk-stale-0000
",
        )
        .unwrap();
        let mut plan = SetupPlan::default();
        plan.set_secret("OPENROUTER_API_KEY", "sk-or-abcdefghijkl");
        plan.set_secret("OPENAI_API_KEY", "sk-same-as-stored");
        plan.set_secret("TELEGRAM_BOT_TOKEN", "123:abcdefghijkl");
        let stored = BTreeMap::from([(
            "OPENAI_API_KEY".to_string(),
            "sk-same-as-stored".to_string(),
        )]);
        plan.use_keychain(Keychain::new(p.home()), &stored);
        plan.prune(&p).unwrap();
        // Platform tokens stay in .env; a key the keychain holds already is not written again,
        // but its stale .env line goes.
        assert_eq!(
            plan.keychain_set,
            [(
                "OPENROUTER_API_KEY".to_string(),
                "sk-or-abcdefghijkl".to_string()
            )]
        );
        assert_eq!(plan.env_unset, ["OPENAI_API_KEY"]);
        assert_eq!(plan.env_set.len(), 1);
        let lines = plan.describe(&p).join("\n");
        assert!(
            lines.starts_with(
                "  the OS keychain (service `hermes`)\n    OPENROUTER_API_KEY=****ijkl\n"
            ),
            "{lines}"
        );
        assert!(lines.contains("    remove OPENAI_API_KEY"), "{lines}");
        assert!(!lines.contains("sk-or"), "{lines}");
    }
}
