//! `hermes pairing` through the real binary. The gateway's side (a stranger asking for a
//! code) is simulated through the library on the same home, as a running gateway would.

use std::path::PathBuf;

use hermes::auth::{CodeOutcome, PairingStore, now};
use hermes::home::HermesPaths;
use serde_json::Value;

use crate::{TestEnv, mode};

/// The store a gateway on this home would use.
fn store(env: &TestEnv) -> PairingStore {
    PairingStore::open(&HermesPaths::at(&env.root(), &env.home()))
}

fn pairing_dir(env: &TestEnv) -> PathBuf {
    env.root().join("pairing")
}

/// A stranger messages the bot: returns (code, request id).
fn ask(env: &TestEnv, platform: &str, user: &str, name: &str) -> (String, String) {
    match store(env)
        .request_code(platform, user, name, now())
        .unwrap()
    {
        CodeOutcome::Issued { code, request_id } => (code.to_string(), request_id),
        other => panic!("no code issued: {other:?}"),
    }
}

fn json(env: &TestEnv, p: &std::path::Path) -> Value {
    serde_json::from_str(&env.read(p)).unwrap()
}

#[test]
fn life_cycle_list_approve_revoke() {
    let env = TestEnv::new();
    let gateway = store(&env);
    let (code, id) = ask(&env, "telegram", "42", "Ann");

    let list = env.run(["pairing", "list"]).ok();
    assert!(
        list.stdout.contains("Pending Pairing Requests (1):"),
        "{list}"
    );
    assert!(
        list.stdout.contains(&id) && list.stdout.contains("42") && list.stdout.contains("Ann"),
        "{list}"
    );
    assert!(list.stdout.contains("0m ago"), "{list}");
    assert!(!list.stdout.contains(&code), "codes are never listed");
    assert!(list.stdout.contains("No approved users."), "{list}");

    assert!(!gateway.is_approved("telegram", "42").unwrap());
    let approve = env
        .run(["pairing", "approve", "Telegram", &code.to_lowercase()])
        .ok();
    assert!(
        approve.stderr.contains("✓ Approved Ann (42) on telegram"),
        "{approve}"
    );
    // The running gateway sees it at once, without a restart.
    assert!(gateway.is_approved("telegram", "42").unwrap());

    let list = env.run(["pairing", "list"]).ok();
    assert!(
        list.stdout.contains("No pending pairing requests."),
        "{list}"
    );
    assert!(list.stdout.contains("Approved Users (1):"), "{list}");

    for f in [
        "telegram-pending.json",
        "telegram-approved.json",
        "_rate_limits.json",
    ] {
        assert_eq!(mode(&pairing_dir(&env).join(f)), 0o600, "{f}");
    }

    let revoke = env.run(["pairing", "revoke", "telegram", "42"]).ok();
    assert!(
        revoke
            .stderr
            .contains("✓ Revoked access for user 42 on telegram"),
        "{revoke}"
    );
    assert!(!gateway.is_approved("telegram", "42").unwrap());
    let again = env.run(["pairing", "revoke", "telegram", "42"]).ok();
    assert!(
        again
            .stderr
            .contains("User 42 not found in approved list for telegram."),
        "{again}"
    );
}

#[test]
fn approve_by_request_id_or_user_id() {
    let env = TestEnv::new();
    let (_, id) = ask(&env, "weixin", "wx_1@im.wechat", "");
    ask(&env, "weixin", "wx_2@im.wechat", "Bo");
    let r = env.run(["pairing", "approve", "weixin", &id]).ok();
    assert!(
        r.stderr.contains("✓ Approved wx_1@im.wechat on weixin"),
        "{r}"
    );
    let r = env
        .run(["pairing", "approve", "weixin", "--user", "wx_2@im.wechat"])
        .ok();
    assert!(
        r.stderr
            .contains("✓ Approved Bo (wx_2@im.wechat) on weixin"),
        "{r}"
    );
    let r = env
        .run(["pairing", "approve", "weixin", "--user", "wx_3"])
        .code(1);
    assert!(
        r.stderr
            .contains("Error: No pending request from user wx_3 on weixin"),
        "{r}"
    );
    // A code and --user together are a usage error.
    env.run(["pairing", "approve", "weixin", "ABCDEFGH", "--user", "x"])
        .code(2);
}

#[test]
fn list_json_never_shows_codes_or_hashes() {
    let env = TestEnv::new();
    assert_eq!(
        env.run(["pairing", "list"]).ok().stdout,
        "No pairing data found. No one has tried to pair yet~\n"
    );
    assert!(
        !env.root().join("pairing").exists(),
        "listing creates nothing"
    );
    let (code, id) = ask(&env, "discord", "7", "Cy");
    let out = env.run(["pairing", "list", "--json"]).ok();
    assert!(
        !out.stdout.contains(&code) && !out.stdout.contains("hash") && !out.stdout.contains("salt")
    );
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["pending"][0]["request_id"], id.as_str());
    assert_eq!(v["pending"][0]["platform"], "discord");
    assert_eq!(v["pending"][0]["user_id"], "7");
    assert_eq!(v["pending"][0]["age_minutes"], 0);
    assert_eq!(v["approved"], serde_json::json!([]));
}

#[test]
fn expired_codes_are_not_approvable() {
    let env = TestEnv::new();
    let (code, id) = ask(&env, "telegram", "42", "Ann");
    let file = pairing_dir(&env).join("telegram-pending.json");
    let mut v = json(&env, &file);
    v[&id]["created_at"] = Value::from(now() - 3601.0);
    env.write(&file, &v.to_string());
    let r = env.run(["pairing", "approve", "telegram", &code]).code(1);
    assert_eq!(
        r.stderr,
        "Error: Code not found or expired\nhint: run `hermes pairing list` to see pending requests\n"
    );
    assert_eq!(
        json(&env, &file),
        serde_json::json!({}),
        "the expired request was purged"
    );
}

#[test]
fn rate_limit_and_pending_cap() {
    let env = TestEnv::new();
    let gateway = store(&env);
    ask(&env, "telegram", "1", "");
    assert_eq!(
        gateway.request_code("telegram", "1", "", now()).unwrap(),
        CodeOutcome::RateLimited
    );
    ask(&env, "telegram", "2", "");
    ask(&env, "telegram", "3", "");
    assert_eq!(
        gateway.request_code("telegram", "4", "", now()).unwrap(),
        CodeOutcome::TooManyPending
    );
    let list = env.run(["pairing", "list", "--json"]).ok();
    let v: Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(v["pending"].as_array().unwrap().len(), 3);
    let r = env.run(["pairing", "clear-pending"]).ok();
    assert!(
        r.stderr.contains("✓ Cleared 3 pending pairing request(s)"),
        "{r}"
    );
    let r = env.run(["pairing", "clear-pending"]).ok();
    assert!(r.stderr.contains("No pending requests to clear."), "{r}");
}

#[test]
fn five_bad_codes_lock_every_approval_path() {
    let env = TestEnv::new();
    let (code, id) = ask(&env, "telegram", "42", "Ann");
    for _ in 0..4 {
        let r = env
            .run(["pairing", "approve", "telegram", "ZZZZZZZZ"])
            .code(1);
        assert!(!r.stderr.contains("locked out"), "{r}");
    }
    let r = env
        .run(["pairing", "approve", "telegram", "ZZZZZZZZ"])
        .code(1);
    assert!(
        r.stderr
            .contains("[pairing] Platform telegram locked out for 3600s after 5 failed attempts"),
        "{r}"
    );
    for target in [vec![code.as_str()], vec![id.as_str()], vec!["--user", "42"]] {
        let mut args = vec!["pairing", "approve", "telegram"];
        args.extend(target);
        let r = env.run(&args).code(1);
        assert!(
            r.stderr.contains(
                "Error: Platform 'telegram' is locked out after too many failed approval attempts"
            ),
            "{r}"
        );
        assert!(
            r.stderr
                .contains("hint: the lockout clears in ~59 minute(s)"),
            "{r}"
        );
        assert!(r.stderr.contains("`_lockout:telegram`"), "{r}");
    }
    assert!(!store(&env).is_approved("telegram", "42").unwrap());
    let rates = json(&env, &pairing_dir(&env).join("_rate_limits.json"));
    assert!(rates["_lockout:telegram"].as_f64().unwrap() > now() + 3500.0);
    // Other platforms stay usable.
    let (code, _) = ask(&env, "discord", "1", "");
    env.run(["pairing", "approve", "discord", &code]).ok();
}

#[test]
fn classic_plaintext_requests_are_approvable_and_rehashed() {
    let env = TestEnv::new();
    let file = pairing_dir(&env).join("telegram-pending.json");
    let created = now() - 120.0;
    env.write(
        &file,
        &format!(
            r#"{{"K7MPQR2X": {{"user_id": "9", "user_name": "Old", "created_at": {created}}}}}"#
        ),
    );
    let list = env.run(["pairing", "list"]).ok();
    assert!(
        list.stdout.contains("Pending Pairing Requests (1):") && list.stdout.contains("2m ago"),
        "{list}"
    );
    let text = env.read(&file);
    assert!(!text.contains("K7MPQR2X"), "rewritten hashed: {text}");
    assert_eq!(mode(&file), 0o600);
    let r = env.run(["pairing", "approve", "telegram", "K7MPQR2X"]).ok();
    assert!(r.stderr.contains("✓ Approved Old (9) on telegram"), "{r}");
}

#[test]
fn approval_is_mirrored_into_a_configured_allowlist() {
    let env = TestEnv::new();
    let dotenv = env.root().join(".env");
    env.write(&dotenv, "# tokens\nTELEGRAM_ALLOWED_USERS=1\n");
    let (code, _) = ask(&env, "telegram", "42", "Ann");
    let r = env.run(["pairing", "approve", "telegram", &code]).ok();
    assert!(
        r.stderr.contains("Added to TELEGRAM_ALLOWED_USERS in"),
        "{r}"
    );
    assert_eq!(env.read(&dotenv), "# tokens\nTELEGRAM_ALLOWED_USERS=1,42\n");
    assert_eq!(mode(&dotenv), 0o600);
    // No allowlist configured for Discord: the .env stays as it is.
    let (code, _) = ask(&env, "discord", "42", "Ann");
    env.run(["pairing", "approve", "discord", &code]).ok();
    assert_eq!(env.read(&dotenv), "# tokens\nTELEGRAM_ALLOWED_USERS=1,42\n");
    let r = env.run(["pairing", "revoke", "telegram", "42"]).ok();
    assert!(
        r.stderr.contains("Removed from TELEGRAM_ALLOWED_USERS in"),
        "{r}"
    );
    assert_eq!(env.read(&dotenv), "# tokens\nTELEGRAM_ALLOWED_USERS=1\n");
}

#[test]
fn bad_platform_names_are_refused() {
    let env = TestEnv::new();
    let r = env
        .run(["pairing", "approve", "../etc", "ABCDEFGH"])
        .code(1);
    assert!(
        r.stderr.contains("Error: '../etc' is not a platform name"),
        "{r}"
    );
    assert!(
        r.stderr.contains("hint: platform names are lowercase"),
        "{r}"
    );
}
