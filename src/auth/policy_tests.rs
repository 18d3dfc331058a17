//! The authorization matrix: each source of permission, each DM/group policy, allow-all flags,
//! `*`, and groups never pairing.

use super::*;
use crate::auth::{Approval, ApproveOutcome, CodeOutcome};
use crate::home::HermesPaths;

use ChatType::{Channel, Dm, Group, Thread};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Allow(Grant),
    Pair,
    Ignore,
}

struct Case {
    name: &'static str,
    env: &'static [(&'static str, &'static str)],
    yaml: &'static str,
    platform: &'static str,
    user: Option<&'static str>,
    chat: ChatType,
    chat_id: &'static str,
    roles: &'static [&'static str],
    want: Want,
}

const BASE: Case = Case {
    name: "",
    env: &[],
    yaml: "",
    platform: "telegram",
    user: Some("1"),
    chat: Dm,
    chat_id: "c1",
    roles: &[],
    want: Want::Pair,
};

/// Users approved through pairing in every case: `telegram:77` and `discord:88`.
fn store(dir: &std::path::Path) -> PairingStore {
    let store = PairingStore::open(&HermesPaths::at(dir, dir));
    for (p, u) in [("telegram", "77"), ("discord", "88")] {
        let CodeOutcome::Issued { code, .. } = store.request_code(p, u, "", 0.0).unwrap() else {
            panic!("no code");
        };
        let out = store
            .approve(p, &Approval::Code(code.to_string()), 0.0)
            .unwrap();
        assert!(matches!(out, ApproveOutcome::Approved(_)));
    }
    store
}

#[rustfmt::skip]
fn cases() -> Vec<Case> {
    use Grant::*;
    vec![
        Case { name: "unknown DM pairs by default", ..BASE },
        Case { name: "platform allow-all", env: &[("TELEGRAM_ALLOW_ALL_USERS", "true")], want: Want::Allow(PlatformAllowAll), ..BASE },
        Case { name: "platform allow-all false", env: &[("TELEGRAM_ALLOW_ALL_USERS", "false")], ..BASE },
        Case { name: "platform allowlist", env: &[("TELEGRAM_ALLOWED_USERS", "5, 1")], want: Want::Allow(PlatformAllowlist), ..BASE },
        Case { name: "allowlist star", env: &[("TELEGRAM_ALLOWED_USERS", "*")], want: Want::Allow(PlatformAllowlist), ..BASE },
        Case { name: "not in allowlist: DM ignored, no codes", env: &[("TELEGRAM_ALLOWED_USERS", "5")], want: Want::Ignore, ..BASE },
        Case { name: "other platform's allowlist does not apply", env: &[("DISCORD_ALLOWED_USERS", "1")], want: Want::Pair, ..BASE },
        Case { name: "paired user", user: Some("77"), want: Want::Allow(Paired), ..BASE },
        Case { name: "paired with an allowlist set", env: &[("TELEGRAM_ALLOWED_USERS", "5")], user: Some("77"), want: Want::Allow(Paired), ..BASE },
        Case { name: "paired on another platform only", user: Some("88"), want: Want::Pair, ..BASE },
        Case { name: "paired in a group", user: Some("77"), chat: Group, want: Want::Allow(Paired), ..BASE },
        Case { name: "gateway allowlist", env: &[("GATEWAY_ALLOWED_USERS", "1")], want: Want::Allow(GatewayAllowlist), ..BASE },
        Case { name: "gateway allowlist star", env: &[("GATEWAY_ALLOWED_USERS", "*")], platform: "slack", want: Want::Allow(GatewayAllowlist), ..BASE },
        Case { name: "not in gateway allowlist", env: &[("GATEWAY_ALLOWED_USERS", "2")], want: Want::Ignore, ..BASE },
        Case { name: "gateway allow-all", env: &[("GATEWAY_ALLOW_ALL_USERS", "yes")], want: Want::Allow(GatewayAllowAll), ..BASE },
        Case { name: "gateway allow-all yields to a platform allowlist", env: &[("GATEWAY_ALLOW_ALL_USERS", "true"), ("TELEGRAM_ALLOWED_USERS", "5")], want: Want::Ignore, ..BASE },
        Case { name: "gateway allow-all still opens other platforms", env: &[("GATEWAY_ALLOW_ALL_USERS", "true"), ("TELEGRAM_ALLOWED_USERS", "5")], platform: "discord", want: Want::Allow(GatewayAllowAll), ..BASE },
        Case { name: "discord role", env: &[("DISCORD_ALLOWED_ROLES", "r1")], platform: "discord", roles: &["r0", "r1"], want: Want::Allow(Role), ..BASE },
        Case { name: "discord role id in the user allowlist", env: &[("DISCORD_ALLOWED_USERS", "r2")], platform: "discord", roles: &["r2"], chat: Channel, want: Want::Allow(Role), ..BASE },
        Case { name: "roles never match a star", env: &[("DISCORD_ALLOWED_ROLES", "*")], platform: "discord", roles: &["r2"], want: Want::Pair, ..BASE },
        Case { name: "user@host matches its local part", env: &[("EMAIL_ALLOWED_USERS", "alice")], platform: "email", user: Some("alice@example.com"), want: Want::Allow(PlatformAllowlist), ..BASE },
        Case { name: "email ignores strangers", platform: "email", want: Want::Ignore, ..BASE },
        Case { name: "email may opt into pairing", platform: "email", yaml: "platforms:\n  email:\n    unauthorized_dm_behavior: pair\n", want: Want::Pair, ..BASE },
        Case { name: "groups never pair", chat: Group, want: Want::Ignore, ..BASE },
        Case { name: "channels never pair", chat: Channel, want: Want::Ignore, ..BASE },
        Case { name: "threads never pair", chat: Thread, want: Want::Ignore, ..BASE },
        Case { name: "allowlisted user in a group", env: &[("TELEGRAM_ALLOWED_USERS", "1")], chat: Group, want: Want::Allow(PlatformAllowlist), ..BASE },
        Case { name: "group chat allowlist admits posts without a sender", env: &[("TELEGRAM_GROUP_ALLOWED_CHATS", "-100")], user: None, chat: Group, chat_id: "-100", want: Want::Allow(GroupAllowlist), ..BASE },
        Case { name: "group sender allowlist", env: &[("TELEGRAM_GROUP_ALLOWED_USERS", "1")], chat: Group, want: Want::Allow(GroupAllowlist), ..BASE },
        Case { name: "group sender allowlist is not a DM grant", env: &[("TELEGRAM_GROUP_ALLOWED_USERS", "1")], want: Want::Ignore, ..BASE },
        Case { name: "group_policy disabled beats the allowlist", env: &[("TELEGRAM_GROUP_POLICY", "disabled"), ("TELEGRAM_ALLOWED_USERS", "1")], chat: Group, want: Want::Ignore, ..BASE },
        Case { name: "group_policy allowlist: listed chat", env: &[("WEIXIN_GROUP_POLICY", "allowlist"), ("WEIXIN_GROUP_ALLOWED_USERS", "r1@chatroom")], platform: "weixin", chat: Group, chat_id: "r1@chatroom", want: Want::Allow(GroupAllowlist), ..BASE },
        Case { name: "group_policy allowlist: other chat", env: &[("WEIXIN_GROUP_POLICY", "allowlist"), ("WEIXIN_GROUP_ALLOWED_USERS", "r1@chatroom"), ("WEIXIN_ALLOWED_USERS", "1")], platform: "weixin", chat: Group, chat_id: "r2@chatroom", want: Want::Ignore, ..BASE },
        Case { name: "group_policy allowlist from config", yaml: "platforms:\n  weixin:\n    extra:\n      group_policy: allowlist\n      group_allow_from: [r3@chatroom]\n", platform: "weixin", chat: Group, chat_id: "r3@chatroom", want: Want::Allow(GroupAllowlist), ..BASE },
        Case { name: "group_policy open", env: &[("WEIXIN_GROUP_POLICY", "open"), ("WEIXIN_ALLOWED_USERS", "1")], platform: "weixin", chat: Group, want: Want::Allow(PlatformAllowlist), ..BASE },
        Case { name: "weixin groups are off by default", env: &[("WEIXIN_ALLOW_ALL_USERS", "true")], platform: "weixin", chat: Group, want: Want::Ignore, ..BASE },
        Case { name: "weixin DM default open: strangers pair", platform: "weixin", want: Want::Pair, ..BASE },
        Case { name: "weixin DM default open: allow-all", env: &[("WEIXIN_ALLOW_ALL_USERS", "true")], platform: "weixin", want: Want::Allow(PlatformAllowAll), ..BASE },
        Case { name: "dm_policy open with an allowlist ignores strangers", env: &[("WEIXIN_ALLOWED_USERS", "9")], platform: "weixin", want: Want::Ignore, ..BASE },
        Case { name: "dm_policy disabled beats allow-all", yaml: "platforms:\n  telegram:\n    extra:\n      dm_policy: disabled\n", env: &[("TELEGRAM_ALLOW_ALL_USERS", "true")], want: Want::Ignore, ..BASE },
        Case { name: "dm_policy disabled leaves groups alone", env: &[("TELEGRAM_DM_POLICY", "disabled"), ("TELEGRAM_ALLOWED_USERS", "1")], chat: Group, want: Want::Allow(PlatformAllowlist), ..BASE },
        Case { name: "dm_policy allowlist: stranger", env: &[("WECOM_DM_POLICY", "allowlist")], platform: "wecom", want: Want::Ignore, ..BASE },
        Case { name: "dm_policy allowlist: allow_from", yaml: "platforms:\n  wecom:\n    extra:\n      dm_policy: allowlist\n      allow_from: [1]\n", platform: "wecom", want: Want::Allow(PlatformAllowlist), ..BASE },
        Case { name: "dm_policy allowlist: allow_from as CSV", yaml: "wecom:\n  dm_policy: allowlist\n  allow_from: \"3, 1\"\n", platform: "wecom", want: Want::Allow(PlatformAllowlist), ..BASE },
        Case { name: "explicit pairing pairs despite an allowlist", env: &[("TELEGRAM_DM_POLICY", "pairing"), ("TELEGRAM_ALLOWED_USERS", "5")], want: Want::Pair, ..BASE },
        Case { name: "env beats config", env: &[("TELEGRAM_DM_POLICY", "pairing")], yaml: "platforms:\n  telegram:\n    dm_policy: disabled\n", want: Want::Pair, ..BASE },
        Case { name: "unknown dm_policy fails closed", env: &[("TELEGRAM_DM_POLICY", "sometimes")], want: Want::Ignore, ..BASE },
        Case { name: "global unauthorized_dm_behavior: ignore", yaml: "unauthorized_dm_behavior: ignore\n", want: Want::Ignore, ..BASE },
        Case { name: "gateway.unauthorized_dm_behavior: ignore", yaml: "gateway:\n  unauthorized_dm_behavior: ignore\n", want: Want::Ignore, ..BASE },
        Case { name: "per-platform pair beats the allowlist default", env: &[("TELEGRAM_ALLOWED_USERS", "5")], yaml: "platforms:\n  telegram:\n    unauthorized_dm_behavior: pair\n", want: Want::Pair, ..BASE },
        Case { name: "per-platform ignore beats explicit pairing", env: &[("TELEGRAM_DM_POLICY", "pairing")], yaml: "gateway:\n  platforms:\n    telegram:\n      unauthorized_dm_behavior: ignore\n", want: Want::Ignore, ..BASE },
        Case { name: "DM without a sender id", user: None, want: Want::Ignore, ..BASE },
        Case { name: "home assistant events", platform: "homeassistant", user: None, want: Want::Allow(System), ..BASE },
        Case { name: "qq uses the QQ_ prefix", env: &[("QQ_ALLOWED_USERS", "1")], platform: "qqbot", want: Want::Allow(PlatformAllowlist), ..BASE },
    ]
}

#[test]
fn authorization_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let mut failures = Vec::new();
    for case in cases() {
        let env = Env::from_pairs(case.env.iter().copied());
        let doc: serde_yaml_ng::Value = if case.yaml.is_empty() {
            serde_yaml_ng::Value::Null
        } else {
            serde_yaml_ng::from_str(case.yaml).unwrap()
        };
        let settings = Settings::resolve(&doc, &env).unwrap();
        let roles: Vec<String> = case.roles.iter().map(|r| (*r).to_string()).collect();
        let input = Inbound {
            platform: case.platform,
            user_id: case.user,
            user_name: Some("Ann"),
            chat_type: case.chat,
            chat_id: case.chat_id,
            roles: &roles,
        };
        let got = match authorize(&input, &env, &settings, &store).unwrap() {
            Decision::Allow(g) => Want::Allow(g),
            Decision::Pair => Want::Pair,
            Decision::Ignore { reason } => {
                assert!(reason.contains(case.platform), "{}: {reason}", case.name);
                Want::Ignore
            }
        };
        if got != case.want {
            failures.push(format!("{}: want {:?}, got {got:?}", case.name, case.want));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn ignore_reasons_name_the_user() {
    let dir = tempfile::tempdir().unwrap();
    let store = PairingStore::open(&HermesPaths::at(dir.path(), dir.path()));
    let env = Env::from_pairs([("TELEGRAM_ALLOWED_USERS", "5")]);
    let settings = Settings::resolve(&serde_yaml_ng::Value::Null, &env).unwrap();
    let input = Inbound {
        platform: "telegram",
        user_id: Some("123"),
        user_name: Some("Mallory"),
        chat_type: Dm,
        chat_id: "123",
        roles: &[],
    };
    let Decision::Ignore { reason } = authorize(&input, &env, &settings, &store).unwrap() else {
        panic!("expected ignore");
    };
    assert!(
        reason.starts_with("user 123 (Mallory) on telegram: "),
        "{reason}"
    );
}

#[test]
fn policy_resolution_and_warnings() {
    let env = Env::from_pairs([("WEIXIN_GROUP_POLICY", "maybe")]);
    let settings = Settings::resolve(&serde_yaml_ng::Value::Null, &env).unwrap();
    let p = platform_policy("weixin", &env, &settings);
    assert_eq!((p.dm, p.dm_explicit), (DmPolicy::Open, false));
    assert_eq!(p.group, GroupPolicy::Disabled);
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    let p = platform_policy("telegram", &env, &settings);
    assert_eq!(
        (p.dm, p.group, p.unauthorized_dm),
        (DmPolicy::Pairing, GroupPolicy::Open, Behavior::Pair)
    );
}

#[test]
fn upstream_messages() {
    assert_eq!(
        pairing_message("telegram", "XKGH5N7P"),
        "Hi~ I don't recognize you yet!\n\nHere's your pairing code: `XKGH5N7P`\n\nAsk the bot owner to run:\n`hermes pairing approve telegram XKGH5N7P`"
    );
    assert_eq!(
        TOO_MANY_REQUESTS,
        "Too many pairing requests right now~ Please try again later!"
    );
}
