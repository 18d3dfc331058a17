//! Who the service runs as: the current user's name, and a user's uid, primary group and
//! home from `/etc/passwd` and `/etc/group` (no NSS: system units name local users).

use std::path::PathBuf;

/// One `/etc/passwd` entry (the fields we use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserEntry {
    /// Login name.
    pub name: String,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Home directory.
    pub home: PathBuf,
}

/// Parses `/etc/passwd` text.
#[must_use]
pub fn parse_passwd(text: &str) -> Vec<UserEntry> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 7 {
                return None;
            }
            Some(UserEntry {
                name: f[0].to_string(),
                uid: f[2].parse().ok()?,
                gid: f[3].parse().ok()?,
                home: PathBuf::from(f[5]),
            })
        })
        .collect()
}

/// The name of group `gid` in `/etc/group` text.
#[must_use]
pub fn group_name(text: &str, gid: u32) -> Option<String> {
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() >= 3 && f[2].parse::<u32>().ok() == Some(gid)).then(|| f[0].to_string())
    })
}

fn passwd() -> Vec<UserEntry> {
    std::fs::read_to_string("/etc/passwd")
        .map(|t| parse_passwd(&t))
        .unwrap_or_default()
}

/// A local user by name.
#[must_use]
pub fn user(name: &str) -> Option<UserEntry> {
    passwd().into_iter().find(|u| u.name == name)
}

/// The name of the user running this process (`/etc/passwd` by uid, else `$USER`).
#[must_use]
pub fn current_user(env_user: Option<&str>) -> String {
    let uid = rustix::process::getuid().as_raw();
    passwd()
        .into_iter()
        .find(|u| u.uid == uid)
        .map(|u| u.name)
        .or_else(|| env_user.map(str::to_string))
        .unwrap_or_else(|| uid.to_string())
}

/// `(user, group)` for a system unit's `User=`/`Group=`.
#[must_use]
pub fn user_and_group(name: &str) -> (String, String) {
    let group = user(name)
        .and_then(|u| {
            std::fs::read_to_string("/etc/group")
                .ok()
                .and_then(|t| group_name(&t, u.gid))
        })
        .unwrap_or_else(|| name.to_string());
    (name.to_string(), group)
}

/// Whether this process runs as root.
#[must_use]
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_passwd_and_group() {
        let users = parse_passwd(
            "# comment\nroot:x:0:0:root:/root:/bin/bash\nann:x:1000:1001:Ann:/home/ann:/bin/zsh\nbroken\n",
        );
        assert_eq!(users.len(), 2);
        assert_eq!(users[1].home, PathBuf::from("/home/ann"));
        assert_eq!(
            group_name("root:x:0:\nstaff:x:1001:ann\n", 1001).as_deref(),
            Some("staff")
        );
        assert_eq!(group_name("root:x:0:\n", 5), None);
    }
}
