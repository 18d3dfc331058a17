//! Service names per profile: `hermes-gateway[-<profile>|-<hash>]` for systemd and
//! `ai.hermes.gateway[-…]` for launchd, and where their files live.

use std::path::PathBuf;

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
        let custom = HermesPaths::at(&PathBuf::from("/srv/h"), &user);
        let n = systemd_unit_name(&custom);
        assert!(
            n.starts_with("hermes-gateway-") && n.len() == "hermes-gateway-".len() + 8,
            "{n}"
        );
    }
}
