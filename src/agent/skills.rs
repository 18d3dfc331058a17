//! Skills: `skills/**/SKILL.md` files with YAML front matter (`name`, `description`) and a
//! Markdown body. Listing them for the system prompt, loading one (`skill_view`, `/<skill>`),
//! and syncing the bundled ones from `assets/skills/` into a profile without ever overwriting a
//! skill the user changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml_ng::Value;
use sha2::{Digest, Sha256};

use crate::fsutil;
use crate::home::HermesPaths;

/// The skills shipped in the binary, as `(name, SKILL.md text)`.
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "daily-briefing",
        include_str!("../../assets/skills/daily-briefing/SKILL.md"),
    ),
    (
        "summarize-url",
        include_str!("../../assets/skills/summarize-url/SKILL.md"),
    ),
    (
        "system-health",
        include_str!("../../assets/skills/system-health/SKILL.md"),
    ),
    (
        "explain-error",
        include_str!("../../assets/skills/explain-error/SKILL.md"),
    ),
];

/// The manifest of what [`sync_bundled_skills`] installed: skill name → SHA-256 of the text.
const MANIFEST: &str = ".bundled.json";
/// A marker file in the profile home that turns bundled skills off.
const OPT_OUT: &str = ".no-bundled-skills";

/// One installed skill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skill {
    /// Its name (front matter `name`, else the folder name).
    pub name: String,
    /// One line on when to use it.
    pub description: String,
    /// Its `SKILL.md`.
    pub path: PathBuf,
}

/// Splits a `SKILL.md` into its front matter (as YAML) and its body.
#[must_use]
pub fn parse_front_matter(text: &str) -> (Option<Value>, &str) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (None, text);
    };
    let end = rest
        .match_indices("\n---")
        .find(|(i, _)| {
            let after = &rest[i + 4..];
            after.is_empty() || after.starts_with('\n') || after.starts_with("\r\n")
        })
        .map(|(i, _)| i);
    match end {
        Some(i) => {
            let yaml = &rest[..i];
            let body = rest[i + 4..].trim_start_matches(['\r', '\n']);
            (serde_yaml_ng::from_str(yaml).ok(), body)
        }
        None => (None, text),
    }
}

/// Every `SKILL.md` under `skills/` (hidden folders skipped), sorted by name.
#[must_use]
pub fn list(paths: &HermesPaths) -> Vec<Skill> {
    let mut files = Vec::new();
    collect(&paths.skills_dir(), &mut files, 0);
    let mut skills: Vec<Skill> = files
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let (meta, _) = parse_front_matter(&text);
            let field = |k: &str| {
                meta.as_ref()
                    .and_then(|m| m.get(k))
                    .and_then(Value::as_str)
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
            };
            let dir_name = path
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())?;
            Some(Skill {
                name: field("name").unwrap_or(dir_name),
                description: field("description").unwrap_or_default(),
                path,
            })
        })
        .collect();
    skills.sort_by(|a, b| a.name.cmp(&b.name));
    skills.dedup_by(|a, b| a.name == b.name);
    skills
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    // Skills sit at most a few levels deep (`skills/<category>/<skill>/SKILL.md`).
    if depth > 4 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = e.path();
        if path.is_dir() {
            collect(&path, out, depth + 1);
        } else if name == "SKILL.md" {
            out.push(path);
        }
    }
}

/// The skill called `name` (exact, or ignoring case and `_`/`-`).
#[must_use]
pub fn find(paths: &HermesPaths, name: &str) -> Option<Skill> {
    let norm = |s: &str| s.trim().to_ascii_lowercase().replace('_', "-");
    let wanted = norm(name.trim_start_matches('/'));
    let all = list(paths);
    all.iter()
        .find(|s| s.name == name)
        .or_else(|| all.iter().find(|s| norm(&s.name) == wanted))
        .cloned()
}

/// The body of a skill's `SKILL.md` (front matter removed).
#[must_use]
pub fn body(skill: &Skill) -> Option<String> {
    let text = std::fs::read_to_string(&skill.path).ok()?;
    Some(parse_front_matter(&text).1.trim().to_string())
}

/// The turn input for `/<name> args`: the skill's instructions and the user's words, as
/// upstream frames them. `None` when no such skill is installed.
#[must_use]
pub fn skill_prompt(paths: &HermesPaths, name: &str, args: &str) -> Option<String> {
    let skill = find(paths, name)?;
    let body = body(&skill)?;
    let mut parts = vec![
        format!(
            "[IMPORTANT: The user has invoked the \"{}\" skill, indicating they want you to follow its instructions. The full skill content is loaded below.]",
            skill.name
        ),
        String::new(),
        body,
    ];
    if let Some(dir) = skill.path.parent() {
        parts.push(String::new());
        parts.push(format!("[Skill directory: {}]", dir.display()));
    }
    let args = args.trim();
    if !args.is_empty() {
        parts.push(String::new());
        parts.push(format!(
            "The user has provided the following instruction alongside the skill invocation: {args}"
        ));
    }
    Some(parts.join("\n"))
}

/// What [`sync_bundled_skills`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Newly installed.
    pub installed: Vec<String>,
    /// Replaced by a newer bundled version (the user had not changed them).
    pub updated: Vec<String>,
    /// Left alone because the user changed them.
    pub kept: Vec<String>,
    /// Not reinstalled because the user deleted them.
    pub removed_by_user: Vec<String>,
    /// Nothing was done: `.no-bundled-skills` exists.
    pub opted_out: bool,
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Copies the bundled skills into `skills/`: missing ones are installed, ones still exactly as
/// installed are updated, ones the user edited or deleted are left alone. The hashes installed
/// are kept in `skills/.bundled.json`. Skipped entirely when `.no-bundled-skills` exists.
pub fn sync_bundled_skills(paths: &HermesPaths) -> std::io::Result<SyncReport> {
    sync_skills(paths, BUNDLED)
}

/// [`sync_bundled_skills`] over an explicit set of skills.
pub fn sync_skills(paths: &HermesPaths, bundled: &[(&str, &str)]) -> std::io::Result<SyncReport> {
    let mut report = SyncReport::default();
    if paths.home().join(OPT_OUT).exists() {
        report.opted_out = true;
        return Ok(report);
    }
    let dir = paths.skills_dir();
    let manifest_path = dir.join(MANIFEST);
    let mut manifest: BTreeMap<String, String> = fsutil::read_optional(&manifest_path)?
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let before = manifest.clone();
    for (name, text) in bundled {
        let target = dir.join(name).join("SKILL.md");
        let want = sha256(text);
        match fsutil::read_optional(&target)? {
            None if manifest.contains_key(*name) => report.removed_by_user.push((*name).into()),
            None => {
                fsutil::write_atomic(&target, text.as_bytes(), None)?;
                manifest.insert((*name).into(), want);
                report.installed.push((*name).into());
            }
            Some(current) => {
                let have = sha256(&current);
                if have == want {
                    manifest.insert((*name).into(), want);
                } else if manifest.get(*name) == Some(&have) {
                    fsutil::write_atomic(&target, text.as_bytes(), None)?;
                    manifest.insert((*name).into(), want);
                    report.updated.push((*name).into());
                } else {
                    report.kept.push((*name).into());
                }
            }
        }
    }
    if manifest != before {
        let json = serde_json::to_string_pretty(&manifest).unwrap_or_default();
        fsutil::write_atomic(&manifest_path, json.as_bytes(), None)?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home() -> (tempfile::TempDir, HermesPaths) {
        let t = tempfile::tempdir().unwrap();
        let p = HermesPaths::at(t.path(), t.path());
        (t, p)
    }

    #[test]
    fn front_matter_and_body() {
        let (meta, body) = parse_front_matter("---\nname: x\ndescription: Does y.\n---\n\n# X\n");
        let meta = meta.unwrap();
        assert_eq!(meta["name"].as_str(), Some("x"));
        assert_eq!(body, "# X\n");
        let (meta, body) = parse_front_matter("# no front matter\n");
        assert!(meta.is_none());
        assert_eq!(body, "# no front matter\n");
    }

    #[test]
    fn bundled_skills_parse() {
        for (name, text) in BUNDLED {
            let (meta, body) = parse_front_matter(text);
            let meta = meta.unwrap_or_else(|| panic!("{name} has front matter"));
            assert_eq!(meta["name"].as_str(), Some(*name));
            assert!(meta["description"].as_str().is_some_and(|d| !d.is_empty()));
            assert!(!body.trim().is_empty());
        }
    }

    #[test]
    fn sync_installs_updates_and_keeps_user_changes() {
        let (_t, paths) = home();
        let v1 = [
            ("a", "---\nname: a\n---\nv1\n"),
            ("b", "---\nname: b\n---\nv1\n"),
        ];
        let r = sync_skills(&paths, &v1).unwrap();
        assert_eq!(r.installed, ["a", "b"]);
        // The user edits `b` and deletes `a`; a new version ships.
        std::fs::write(paths.skills_dir().join("b/SKILL.md"), "mine").unwrap();
        std::fs::remove_dir_all(paths.skills_dir().join("a")).unwrap();
        let v2 = [
            ("a", "---\nname: a\n---\nv2\n"),
            ("b", "---\nname: b\n---\nv2\n"),
            ("c", "---\nname: c\n---\nv2\n"),
        ];
        let r = sync_skills(&paths, &v2).unwrap();
        assert_eq!(r.installed, ["c"]);
        assert_eq!(r.kept, ["b"]);
        assert_eq!(r.removed_by_user, ["a"]);
        let b = std::fs::read_to_string(paths.skills_dir().join("b/SKILL.md")).unwrap();
        assert_eq!(b, "mine");
        // An untouched skill follows the bundled version.
        let v3 = [("c", "---\nname: c\n---\nv3\n")];
        let r = sync_skills(&paths, &v3).unwrap();
        assert_eq!(r.updated, ["c"]);
    }

    #[test]
    fn opt_out_marker_skips_everything() {
        let (_t, paths) = home();
        std::fs::write(paths.home().join(OPT_OUT), "").unwrap();
        let r = sync_bundled_skills(&paths).unwrap();
        assert!(r.opted_out);
        assert!(!paths.skills_dir().exists());
    }

    #[test]
    fn list_find_and_prompt() {
        let (_t, paths) = home();
        sync_bundled_skills(&paths).unwrap();
        let nested = paths.skills_dir().join("ops/deploy-check/SKILL.md");
        fsutil::write_atomic(
            &nested,
            b"---\ndescription: Check a deploy.\n---\nSteps.\n",
            None,
        )
        .unwrap();
        let names: Vec<String> = list(&paths).into_iter().map(|s| s.name).collect();
        assert!(names.contains(&"deploy-check".to_string()), "{names:?}");
        assert!(names.contains(&"summarize-url".to_string()));
        let prompt = skill_prompt(&paths, "/summarize_url", "https://example.com").unwrap();
        assert!(prompt.contains("\"summarize-url\" skill"));
        assert!(prompt.contains("# Summarise a URL"));
        assert!(prompt.ends_with("skill invocation: https://example.com"));
        assert!(skill_prompt(&paths, "nope", "").is_none());
    }
}
