//! The authorization decision for one inbound message: the allowlists, pairing approvals and
//! DM/group policies of upstream's gateway (`<P>_ALLOWED_USERS`, `<P>_DM_POLICY`, …), evaluated
//! in upstream's order and denying by default. Acting on the decision is the gateway's job.

use serde_yaml_ng::Value as Yaml;

use crate::auth::{PairingError, PairingStore, env_prefix};
use crate::config::{Env, Settings};

/// What an unknown user is told when no code can be issued.
pub const TOO_MANY_REQUESTS: &str = "Too many pairing requests right now~ Please try again later!";

/// The message that hands an unknown DM user their pairing code.
#[must_use]
pub fn pairing_message(platform: &str, code: &str) -> String {
    format!(
        "Hi~ I don't recognize you yet!\n\nHere's your pairing code: `{code}`\n\nAsk the bot owner to run:\n`hermes pairing approve {platform} {code}`"
    )
}

/// Where a message was posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatType {
    /// A direct message.
    Dm,
    /// A group chat.
    Group,
    /// A channel (broadcast or server channel).
    Channel,
    /// A thread or forum topic.
    Thread,
}

impl ChatType {
    /// Whether this is a direct message.
    #[must_use]
    pub fn is_dm(self) -> bool {
        self == Self::Dm
    }

    fn label(self) -> &'static str {
        match self {
            Self::Dm => "DM",
            Self::Group => "group",
            Self::Channel => "channel",
            Self::Thread => "thread",
        }
    }
}

/// The facts about an inbound message that authorization looks at.
#[derive(Debug, Clone, Copy)]
pub struct Inbound<'a> {
    /// The platform (`telegram`, `discord`, …).
    pub platform: &'a str,
    /// The sender; `None` for channel posts and anonymous admins.
    pub user_id: Option<&'a str>,
    /// The sender's display name, for log lines.
    pub user_name: Option<&'a str>,
    /// Where it was posted.
    pub chat_type: ChatType,
    /// The chat's id.
    pub chat_id: &'a str,
    /// The sender's role ids (Discord), matched against `<P>_ALLOWED_ROLES` and
    /// `<P>_ALLOWED_USERS`.
    pub roles: &'a [String],
}

/// How a platform treats direct messages (`<P>_DM_POLICY`, `dm_policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmPolicy {
    /// Unknown users get a pairing code.
    Pairing,
    /// The policy itself restricts nobody; authorization decides, and unknown users are
    /// handled by `unauthorized_dm_behavior`.
    Open,
    /// Only allowlisted (or approved) users; unknown users are ignored.
    Allowlist,
    /// Every DM is ignored.
    Disabled,
}

/// How a platform treats group, channel and thread messages (`<P>_GROUP_POLICY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupPolicy {
    /// Authorized senders are answered anywhere.
    Open,
    /// Only chats (or senders) in the group allowlist.
    Allowlist,
    /// Every group message is ignored.
    Disabled,
}

/// What happens to a DM from an unauthorized user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behavior {
    /// Offer a pairing code.
    Pair,
    /// Drop it silently.
    Ignore,
}

/// Which rule let a message through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// System events (Home Assistant, signed webhooks) carry their own authentication.
    System,
    /// `<P>_ALLOW_ALL_USERS`.
    PlatformAllowAll,
    /// `<P>_ALLOWED_USERS` or `allow_from`.
    PlatformAllowlist,
    /// A role in `<P>_ALLOWED_ROLES` (or listed in `<P>_ALLOWED_USERS`).
    Role,
    /// The group allowlists (`<P>_GROUP_ALLOWED_USERS`, `_CHATS`, `group_allow_from`).
    GroupAllowlist,
    /// Approved through pairing.
    Paired,
    /// `GATEWAY_ALLOWED_USERS`.
    GatewayAllowlist,
    /// `GATEWAY_ALLOW_ALL_USERS` (only when no allowlist applies).
    GatewayAllowAll,
}

/// The outcome for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Handle it.
    Allow(Grant),
    /// An unknown user in a DM: offer a pairing code.
    Pair,
    /// Drop it silently; `reason` names the user for the log line.
    Ignore {
        /// Why, for the log.
        reason: String,
    },
}

/// A platform's access settings, resolved from the environment and config.yaml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformPolicy {
    /// The DM policy.
    pub dm: DmPolicy,
    /// Whether the DM policy was set (rather than the platform default).
    pub dm_explicit: bool,
    /// The group policy.
    pub group: GroupPolicy,
    /// `<P>_ALLOW_ALL_USERS`.
    pub allow_all: bool,
    /// `<P>_ALLOWED_USERS`, `<P>_ALLOW_FROM` and `allow_from`.
    pub allowed_users: Vec<String>,
    /// `<P>_ALLOWED_ROLES`.
    pub allowed_roles: Vec<String>,
    /// `<P>_GROUP_ALLOWED_USERS`, `<P>_GROUP_ALLOW_FROM` and `group_allow_from` (sender or
    /// chat ids).
    pub group_allowed: Vec<String>,
    /// `<P>_GROUP_ALLOWED_CHATS` (chat ids).
    pub group_allowed_chats: Vec<String>,
    /// `GATEWAY_ALLOWED_USERS`.
    pub gateway_allowed: Vec<String>,
    /// `GATEWAY_ALLOW_ALL_USERS`.
    pub gateway_allow_all: bool,
    /// What an unauthorized DM gets.
    pub unauthorized_dm: Behavior,
    /// Values that were not understood (the gateway logs them at start).
    pub warnings: Vec<String>,
}

impl PlatformPolicy {
    /// Whether any allowlist restricts this platform (for messages of this kind).
    fn has_allowlist(&self, grouped: bool) -> bool {
        !self.allowed_users.is_empty()
            || !self.gateway_allowed.is_empty()
            || (grouped && (!self.group_allowed.is_empty() || !self.group_allowed_chats.is_empty()))
    }
}

/// Resolves a platform's policy. Environment variables win over config.yaml, where the keys
/// may sit in `platforms.<p>.extra`, `platforms.<p>`, `gateway.platforms.<p>` or a top-level
/// `<p>:` block.
#[must_use]
pub fn platform_policy(platform: &str, env: &Env, settings: &Settings) -> PlatformPolicy {
    let prefix = env_prefix(platform);
    let var = |suffix: &str| format!("{prefix}_{suffix}");
    let mut warnings = Vec::new();

    let raw_dm = env
        .get(&var("DM_POLICY"))
        .map(str::to_string)
        .or_else(|| config_value(settings, platform, "dm_policy").and_then(yaml_str));
    let (dm, dm_explicit) = match raw_dm.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
        None => (default_dm(platform), false),
        Some(v) => match v.as_str() {
            "pairing" => (DmPolicy::Pairing, true),
            "open" => (DmPolicy::Open, true),
            "allowlist" => (DmPolicy::Allowlist, true),
            "disabled" => (DmPolicy::Disabled, true),
            other => {
                warnings.push(format!(
                    "{platform}: unknown dm_policy '{other}'; DMs are ignored (use pairing, open, allowlist or disabled)"
                ));
                (DmPolicy::Disabled, true)
            }
        },
    };
    let raw_group = env
        .get(&var("GROUP_POLICY"))
        .map(str::to_string)
        .or_else(|| config_value(settings, platform, "group_policy").and_then(yaml_str));
    let group = match raw_group.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
        None => default_group(platform),
        Some(v) => match v.as_str() {
            "open" => GroupPolicy::Open,
            "allowlist" => GroupPolicy::Allowlist,
            // Upstream's adapters drop group messages under `pairing`: groups never pair.
            "disabled" | "pairing" => GroupPolicy::Disabled,
            other => {
                warnings.push(format!(
                    "{platform}: unknown group_policy '{other}'; group messages are ignored (use open, allowlist or disabled)"
                ));
                GroupPolicy::Disabled
            }
        },
    };

    let mut allowed_users = env.list(&var("ALLOWED_USERS"));
    allowed_users.extend(env.list(&var("ALLOW_FROM")));
    allowed_users.extend(config_list(settings, platform, "allow_from"));
    let mut group_allowed = env.list(&var("GROUP_ALLOWED_USERS"));
    group_allowed.extend(env.list(&var("GROUP_ALLOW_FROM")));
    group_allowed.extend(config_list(settings, platform, "group_allow_from"));

    let mut policy = PlatformPolicy {
        dm,
        dm_explicit,
        group,
        allow_all: env.flag(&var("ALLOW_ALL_USERS")) == Some(true),
        allowed_users,
        allowed_roles: env.list(&var("ALLOWED_ROLES")),
        group_allowed,
        group_allowed_chats: env.list(&var("GROUP_ALLOWED_CHATS")),
        gateway_allowed: env.list("GATEWAY_ALLOWED_USERS"),
        gateway_allow_all: env.flag("GATEWAY_ALLOW_ALL_USERS") == Some(true),
        unauthorized_dm: Behavior::Pair,
        warnings,
    };
    policy.unauthorized_dm = unauthorized_dm(platform, settings, &policy);
    policy
}

/// Decides what to do with one inbound message, in upstream's order: allow-all for the
/// platform, the platform allowlist (and roles), the group allowlists, pairing approvals,
/// `GATEWAY_ALLOWED_USERS`, `GATEWAY_ALLOW_ALL_USERS`; otherwise unauthorized. Unauthorized
/// group messages are always ignored; unauthorized DMs pair or are ignored as configured.
pub fn authorize(
    input: &Inbound<'_>,
    env: &Env,
    settings: &Settings,
    pairing: &PairingStore,
) -> Result<Decision, PairingError> {
    let platform = input.platform;
    if matches!(platform, "homeassistant" | "webhook") {
        return Ok(Decision::Allow(Grant::System));
    }
    let policy = platform_policy(platform, env, settings);
    let grouped = !input.chat_type.is_dm();
    let who = describe(input);
    let ignore = |why: String| Decision::Ignore {
        reason: format!("{who} on {platform}: {why}"),
    };
    let in_group_list = |ids: &[&str]| {
        matches(&policy.group_allowed, ids) || matches(&policy.group_allowed, &[input.chat_id])
    };

    if grouped {
        match policy.group {
            GroupPolicy::Disabled => {
                return Ok(ignore(format!(
                    "{} messages are disabled (group_policy: disabled)",
                    input.chat_type.label()
                )));
            }
            GroupPolicy::Allowlist => {
                let ids = input.user_id.map(check_ids).unwrap_or_default();
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                return Ok(
                    if in_group_list(&ids) || matches(&policy.group_allowed_chats, &[input.chat_id])
                    {
                        Decision::Allow(Grant::GroupAllowlist)
                    } else {
                        ignore(format!(
                            "{} {} is not in the group allowlist (group_policy: allowlist)",
                            input.chat_type.label(),
                            input.chat_id
                        ))
                    },
                );
            }
            GroupPolicy::Open => {}
        }
        // Chat-scoped allowlists admit every member, even posts without a sender.
        if matches(&policy.group_allowed_chats, &[input.chat_id]) {
            return Ok(Decision::Allow(Grant::GroupAllowlist));
        }
    } else if policy.dm == DmPolicy::Disabled {
        return Ok(ignore("DMs are disabled (dm_policy: disabled)".into()));
    }

    let Some(user_id) = input.user_id.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(ignore("the message has no sender id".into()));
    };
    let ids = check_ids(user_id);
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let roles: Vec<&str> = input.roles.iter().map(String::as_str).collect();

    let grant = if policy.allow_all {
        Some(Grant::PlatformAllowAll)
    } else if matches(&policy.allowed_users, &ids) {
        Some(Grant::PlatformAllowlist)
    } else if !roles.is_empty()
        && (matches_exact(&policy.allowed_roles, &roles)
            || matches_exact(&policy.allowed_users, &roles))
    {
        Some(Grant::Role)
    } else if grouped && in_group_list(&ids) {
        Some(Grant::GroupAllowlist)
    } else if pairing.is_approved(platform, user_id)? {
        Some(Grant::Paired)
    } else if matches(&policy.gateway_allowed, &ids) {
        Some(Grant::GatewayAllowlist)
    } else if policy.gateway_allow_all && !policy.has_allowlist(grouped) {
        // As upstream: the global allow-all opens only platforms without an allowlist.
        Some(Grant::GatewayAllowAll)
    } else {
        None
    };
    if let Some(g) = grant {
        return Ok(Decision::Allow(g));
    }
    if grouped {
        return Ok(ignore(format!(
            "not authorized in {} {} (groups never pair)",
            input.chat_type.label(),
            input.chat_id
        )));
    }
    Ok(match policy.unauthorized_dm {
        Behavior::Pair => Decision::Pair,
        Behavior::Ignore => ignore(format!(
            "not authorized; DM ignored (dm_policy: {}, unauthorized DMs: ignore)",
            dm_label(policy.dm)
        )),
    })
}

/// The unauthorized-DM behaviour, in upstream's order: the platform's own
/// `unauthorized_dm_behavior`, email's `ignore`, a global `ignore`, an explicit DM policy,
/// then `ignore` when any allowlist is configured (#9337), else `pair`.
fn unauthorized_dm(platform: &str, settings: &Settings, policy: &PlatformPolicy) -> Behavior {
    let parse = |v: &str| match v.trim().to_ascii_lowercase().as_str() {
        "pair" => Some(Behavior::Pair),
        "ignore" => Some(Behavior::Ignore),
        _ => None,
    };
    if let Some(b) = config_value(settings, platform, "unauthorized_dm_behavior")
        .and_then(yaml_str)
        .and_then(|v| parse(&v))
    {
        return b;
    }
    if platform == "email" {
        return Behavior::Ignore;
    }
    let global = [
        Some(settings.unauthorized_dm_behavior.clone()),
        settings
            .gateway
            .extra
            .get("unauthorized_dm_behavior")
            .and_then(yaml_str),
    ];
    if global
        .iter()
        .flatten()
        .any(|v| parse(v) == Some(Behavior::Ignore))
    {
        return Behavior::Ignore;
    }
    match policy.dm {
        DmPolicy::Pairing if policy.dm_explicit => return Behavior::Pair,
        DmPolicy::Allowlist | DmPolicy::Disabled => return Behavior::Ignore,
        _ => {}
    }
    if !policy.allowed_users.is_empty()
        || !policy.group_allowed.is_empty()
        || !policy.group_allowed_chats.is_empty()
        || !policy.gateway_allowed.is_empty()
    {
        return Behavior::Ignore;
    }
    Behavior::Pair
}

/// Platforms whose upstream adapter defaults differ from `pairing` (reference §10).
fn default_dm(platform: &str) -> DmPolicy {
    match platform {
        "weixin" => DmPolicy::Open,
        _ => DmPolicy::Pairing,
    }
}

fn default_group(platform: &str) -> GroupPolicy {
    match platform {
        // iLink bot identities rarely sit in groups; upstream keeps them off by default.
        "weixin" => GroupPolicy::Disabled,
        _ => GroupPolicy::Open,
    }
}

fn dm_label(p: DmPolicy) -> &'static str {
    match p {
        DmPolicy::Pairing => "pairing",
        DmPolicy::Open => "open",
        DmPolicy::Allowlist => "allowlist",
        DmPolicy::Disabled => "disabled",
    }
}

/// `user 123 (Alice)` for log lines.
fn describe(input: &Inbound<'_>) -> String {
    match (input.user_id, input.user_name.filter(|n| !n.is_empty())) {
        (Some(id), Some(name)) => format!("user {id} ({name})"),
        (Some(id), None) => format!("user {id}"),
        (None, _) => format!("a message in {} {}", input.chat_type.label(), input.chat_id),
    }
}

/// The ids a sender is matched by: the id, and the part before `@` of `user@host` ids.
fn check_ids(user_id: &str) -> Vec<String> {
    let mut out = vec![user_id.to_string()];
    if let Some((local, _)) = user_id.split_once('@')
        && !local.is_empty()
    {
        out.push(local.to_string());
    }
    out
}

/// Whether the list holds `*` or one of the ids.
fn matches(list: &[String], ids: &[&str]) -> bool {
    list.iter().any(|e| e == "*" || ids.contains(&e.as_str()))
}

/// Whether the list names one of the ids (no wildcard: roles are never "everyone").
fn matches_exact(list: &[String], ids: &[&str]) -> bool {
    list.iter().any(|e| ids.contains(&e.as_str()))
}

/// A platform key from config.yaml: `platforms.<p>.extra`, `platforms.<p>`,
/// `gateway.platforms.<p>` (and its `extra`), then a top-level `<p>:` block.
fn config_value<'a>(settings: &'a Settings, platform: &str, key: &str) -> Option<&'a Yaml> {
    [
        settings.platforms.get(platform),
        settings.gateway.platforms.get(platform),
        settings.extra.get(platform),
    ]
    .into_iter()
    .flatten()
    .find_map(|block| {
        block
            .get("extra")
            .and_then(|e| e.get(key))
            .filter(|v| !v.is_null())
            .or_else(|| block.get(key).filter(|v| !v.is_null()))
    })
}

/// A list from config.yaml: a sequence, or a comma-separated string.
fn config_list(settings: &Settings, platform: &str, key: &str) -> Vec<String> {
    match config_value(settings, platform, key) {
        Some(Yaml::Sequence(items)) => items.iter().filter_map(yaml_str).collect(),
        Some(v) => yaml_str(v)
            .map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

fn yaml_str(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.trim().to_string()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
