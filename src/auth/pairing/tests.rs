//! Unit tests of the pairing store against real files in a temp home.

use std::fs;

use serde_json::{Value, json};

use super::*;
use crate::fsutil::mode_of;

const T0: f64 = 1_760_000_000.0;

struct Home {
    _dir: tempfile::TempDir,
    paths: HermesPaths,
    store: PairingStore,
}

fn home() -> Home {
    let dir = tempfile::tempdir().unwrap();
    let paths = HermesPaths::at(dir.path(), dir.path());
    let store = PairingStore::open(&paths);
    Home {
        _dir: dir,
        paths,
        store,
    }
}

fn issue(h: &Home, platform: &str, user: &str, now: f64) -> (PairingCode, String) {
    match h.store.request_code(platform, user, "Name", now).unwrap() {
        CodeOutcome::Issued { code, request_id } => (code, request_id),
        other => panic!("expected a code, got {other:?}"),
    }
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn issued_codes_are_stored_hashed_in_upstream_format() {
    let h = home();
    let (code, id) = issue(&h, "telegram", "42", T0);
    let file = h.paths.pairing_dir().join("telegram-pending.json");
    let text = fs::read_to_string(&file).unwrap();
    assert!(
        !text.contains(code.as_str()),
        "the code never reaches the disk"
    );
    let v = read_json(&file);
    let entry = &v[&id];
    assert_eq!(id.len(), 16);
    assert_eq!(entry["user_id"], "42");
    assert_eq!(entry["user_name"], "Name");
    assert_eq!(entry["created_at"].as_f64(), Some(T0));
    let salt = code::unhex(entry["salt"].as_str().unwrap()).unwrap();
    assert_eq!(salt.len(), 16);
    assert_eq!(entry["hash"], code::hash_code(&salt, code.as_str()));
    for f in ["telegram-pending.json", "_rate_limits.json", ".lock"] {
        assert_eq!(mode_of(&h.paths.pairing_dir().join(f)), Some(0o600), "{f}");
    }
    let rates = read_json(&h.store.rate_limits_file());
    assert_eq!(rates["telegram:42"].as_f64(), Some(T0));
}

#[test]
fn approve_by_code_request_id_and_user_id() {
    let h = home();
    let (code, _) = issue(&h, "telegram", "1", T0);
    let (_, id2) = issue(&h, "telegram", "2", T0);
    issue(&h, "telegram", "3", T0);
    let typed = format!("  {}  ", code.as_str().to_lowercase());
    let ApproveOutcome::Approved(u) = h
        .store
        .approve("telegram", &Approval::parse(&typed), T0 + 5.0)
        .unwrap()
    else {
        panic!("code approval failed");
    };
    assert_eq!((u.user_id.as_str(), u.user_name.as_str()), ("1", "Name"));
    assert!(matches!(
        h.store.approve("telegram", &Approval::parse(&id2.to_uppercase()), T0).unwrap(),
        ApproveOutcome::Approved(ref u) if u.user_id == "2"
    ));
    assert!(matches!(
        h.store.approve("TELEGRAM", &Approval::UserId("3".into()), T0).unwrap(),
        ApproveOutcome::Approved(ref u) if u.user_id == "3"
    ));
    for u in ["1", "2", "3"] {
        assert!(h.store.is_approved("telegram", u).unwrap());
    }
    assert!(!h.store.is_approved("telegram", "4").unwrap());
    assert!(!h.store.is_approved("discord", "1").unwrap());
    let approved = read_json(&h.paths.pairing_dir().join("telegram-approved.json"));
    assert_eq!(approved["1"]["user_name"], "Name");
    assert_eq!(approved["1"]["approved_at"].as_f64(), Some(T0 + 5.0));
    assert_eq!(
        read_json(&h.paths.pairing_dir().join("telegram-pending.json")),
        json!({})
    );
    assert_eq!(
        mode_of(&h.paths.pairing_dir().join("telegram-approved.json")),
        Some(0o600)
    );
}

#[test]
fn expired_codes_are_purged_and_not_approvable() {
    let h = home();
    let (code, _) = issue(&h, "telegram", "1", T0);
    let late = T0 + CODE_TTL_SECS + 1.0;
    assert_eq!(
        h.store
            .approve("telegram", &Approval::Code(code.to_string()), late)
            .unwrap(),
        ApproveOutcome::NotFound {
            failures: 1,
            locked_out: false
        }
    );
    assert!(h.store.list(late).unwrap().pending.is_empty());
}

#[test]
fn one_code_per_user_per_window_and_three_pending_per_platform() {
    let h = home();
    let (first, _) = issue(&h, "telegram", "1", T0);
    assert_eq!(
        h.store
            .request_code("telegram", "1", "", T0 + 599.0)
            .unwrap(),
        CodeOutcome::RateLimited
    );
    assert!(
        h.store
            .is_rate_limited("telegram", "1", T0 + 599.0)
            .unwrap()
    );
    // After the window the user gets a new code, which replaces the old request.
    let (second, _) = issue(&h, "telegram", "1", T0 + 601.0);
    assert_eq!(h.store.list(T0 + 601.0).unwrap().pending.len(), 1);
    assert!(matches!(
        h.store
            .approve("telegram", &Approval::Code(first.to_string()), T0 + 602.0)
            .unwrap(),
        ApproveOutcome::NotFound { .. }
    ));
    issue(&h, "telegram", "2", T0 + 601.0);
    issue(&h, "telegram", "3", T0 + 601.0);
    assert_eq!(
        h.store
            .request_code("telegram", "4", "", T0 + 601.0)
            .unwrap(),
        CodeOutcome::TooManyPending
    );
    // The refusal is rate-limited too, so the user is told once.
    assert_eq!(
        h.store
            .request_code("telegram", "4", "", T0 + 602.0)
            .unwrap(),
        CodeOutcome::RateLimited
    );
    // Other platforms have their own cap.
    issue(&h, "discord", "4", T0 + 601.0);
    assert!(matches!(
        h.store
            .approve("telegram", &Approval::Code(second.to_string()), T0 + 603.0)
            .unwrap(),
        ApproveOutcome::Approved(_)
    ));
}

#[test]
fn five_misses_lock_every_approval_path() {
    let h = home();
    let (code, id) = issue(&h, "telegram", "1", T0);
    for n in 1..=4 {
        assert_eq!(
            h.store
                .approve("telegram", &Approval::Code("ZZZZZZZZ".into()), T0)
                .unwrap(),
            ApproveOutcome::NotFound {
                failures: n,
                locked_out: false
            }
        );
    }
    assert_eq!(
        h.store
            .approve(
                "telegram",
                &Approval::RequestId("0000000000000000".into()),
                T0
            )
            .unwrap(),
        ApproveOutcome::NotFound {
            failures: 5,
            locked_out: true
        }
    );
    let until = T0 + LOCKOUT_SECS;
    for approval in [
        Approval::Code(code.to_string()),
        Approval::RequestId(id.clone()),
        Approval::UserId("1".into()),
    ] {
        assert_eq!(
            h.store.approve("telegram", &approval, T0 + 10.0).unwrap(),
            ApproveOutcome::LockedOut { until },
            "{approval:?}"
        );
    }
    assert_eq!(
        h.store
            .request_code("telegram", "9", "", T0 + 10.0)
            .unwrap(),
        CodeOutcome::LockedOut { until }
    );
    assert_eq!(h.store.locked_until("telegram", T0).unwrap(), Some(until));
    // Other platforms are not affected.
    assert!(h.store.locked_until("discord", T0).unwrap().is_none());
    // The code itself expires with the lockout; a new one works afterwards.
    let later = until + 1.0;
    let (code, _) = issue(&h, "telegram", "1", later);
    assert!(matches!(
        h.store
            .approve("telegram", &Approval::Code(code.to_string()), later)
            .unwrap(),
        ApproveOutcome::Approved(_)
    ));
}

#[test]
fn a_success_resets_the_failure_streak() {
    let h = home();
    let (code, _) = issue(&h, "telegram", "1", T0);
    for _ in 0..4 {
        h.store
            .approve("telegram", &Approval::Code("ZZZZZZZZ".into()), T0)
            .unwrap();
    }
    assert!(matches!(
        h.store
            .approve("telegram", &Approval::Code(code.to_string()), T0)
            .unwrap(),
        ApproveOutcome::Approved(_)
    ));
    assert_eq!(
        h.store
            .approve("telegram", &Approval::UserId("nobody".into()), T0)
            .unwrap(),
        ApproveOutcome::NotFound {
            failures: 1,
            locked_out: false
        }
    );
}

#[test]
fn classic_plaintext_entries_stay_approvable_and_are_rehashed() {
    let h = home();
    let file = h.paths.pairing_dir().join("telegram-pending.json");
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    let legacy = json!({
        "ABCD2345": {"user_id": "7", "user_name": "Old", "created_at": T0},
        "WXYZ6789": {"user_id": "8", "user_name": "Older", "created_at": T0 - 4000.0},
        "junk": "not an object"
    });
    fs::write(&file, legacy.to_string()).unwrap();
    // A listing rewrites the file: the plaintext code is gone, the expired entry purged.
    let listing = h.store.list(T0 + 60.0).unwrap();
    assert_eq!(listing.pending.len(), 1);
    assert_eq!(listing.pending[0].user_id, "7");
    assert_eq!(listing.pending[0].age_minutes, 1);
    let text = fs::read_to_string(&file).unwrap();
    assert!(
        !text.contains("ABCD2345") && !text.contains("WXYZ6789"),
        "{text}"
    );
    assert_eq!(mode_of(&file), Some(0o600));
    // The old code still approves, and no failure was counted on the way (#30409).
    let ApproveOutcome::Approved(u) = h
        .store
        .approve("telegram", &Approval::Code("abcd2345".into()), T0 + 61.0)
        .unwrap()
    else {
        panic!("legacy code not approvable");
    };
    assert_eq!(u.user_name, "Old");
    let rates = fs::read_to_string(h.store.rate_limits_file()).unwrap_or_default();
    assert!(!rates.contains("_failures:telegram"), "{rates}");
}

#[test]
fn upstream_platforms_pairing_dir_is_merged_once() {
    let h = home();
    let alt = h.paths.home().join("platforms/pairing");
    fs::create_dir_all(&alt).unwrap();
    fs::write(
        alt.join("feishu-approved.json"),
        json!({"ou_1": {"user_name": "A", "approved_at": T0}, "ou_2": {"user_name": "B", "approved_at": T0}}).to_string(),
    )
    .unwrap();
    let active = h.paths.pairing_dir();
    fs::create_dir_all(&active).unwrap();
    fs::write(
        active.join("feishu-approved.json"),
        json!({"ou_2": {"user_name": "B2", "approved_at": T0 + 1.0}}).to_string(),
    )
    .unwrap();
    // Readable before any write happened.
    assert!(h.store.is_approved("feishu", "ou_1").unwrap());
    assert!(h.store.revoke("feishu", "ou_1").unwrap().approved);
    let merged = read_json(&active.join("feishu-approved.json"));
    assert_eq!(
        merged,
        json!({"ou_2": {"user_name": "B2", "approved_at": T0 + 1.0}})
    );
    assert!(!alt.join("feishu-approved.json").exists());
    assert!(alt.join("feishu-approved.json.migrated").exists());
    // A revoked user does not come back from the old directory.
    assert!(
        !PairingStore::open(&h.paths)
            .is_approved("feishu", "ou_1")
            .unwrap()
    );
}

#[test]
fn approval_mirrors_into_a_configured_env_allowlist() {
    let h = home();
    let env = h.paths.env_file();
    fs::write(
        &env,
        "# mine\nTELEGRAM_ALLOWED_USERS=100, 200\nDISCORD_ALLOWED_USERS=*\n",
    )
    .unwrap();
    let (code, _) = issue(&h, "telegram", "300", T0);
    let ApproveOutcome::Approved(u) = h
        .store
        .approve("telegram", &Approval::Code(code.to_string()), T0)
        .unwrap()
    else {
        panic!();
    };
    assert_eq!(u.mirrored_to.as_deref(), Some("TELEGRAM_ALLOWED_USERS"));
    assert_eq!(
        fs::read_to_string(&env).unwrap(),
        "# mine\nTELEGRAM_ALLOWED_USERS=100,200,300\nDISCORD_ALLOWED_USERS=*\n"
    );
    // `*` already covers everyone; an unset allowlist stays unset.
    for p in ["discord", "slack"] {
        let (code, _) = issue(&h, p, "300", T0);
        let ApproveOutcome::Approved(u) = h
            .store
            .approve(p, &Approval::Code(code.to_string()), T0)
            .unwrap()
        else {
            panic!();
        };
        assert_eq!(u.mirrored_to, None, "{p}");
    }
    assert!(!fs::read_to_string(&env).unwrap().contains("SLACK"));

    let r = h.store.revoke("telegram", "300").unwrap();
    assert_eq!(
        r,
        Revoked {
            approved: true,
            allowlist: Some("TELEGRAM_ALLOWED_USERS".into())
        }
    );
    let r = h.store.revoke("discord", "300").unwrap();
    assert_eq!(
        r,
        Revoked {
            approved: true,
            allowlist: None
        },
        "`*` is kept"
    );
    assert_eq!(
        fs::read_to_string(&env).unwrap(),
        "# mine\nTELEGRAM_ALLOWED_USERS=100,200\nDISCORD_ALLOWED_USERS=*\n"
    );
    assert!(!h.store.revoke("telegram", "300").unwrap().found());
    assert_eq!(mode_of(&env), Some(0o600));
}

#[test]
fn clear_pending_counts_every_platform() {
    let h = home();
    assert_eq!(h.store.clear_pending().unwrap(), 0);
    issue(&h, "telegram", "1", T0);
    issue(&h, "telegram", "2", T0);
    issue(&h, "discord", "1", T0);
    assert_eq!(h.store.clear_pending().unwrap(), 3);
    assert!(h.store.list(T0).unwrap().pending.is_empty());
}

#[test]
fn whatsapp_ids_match_across_forms() {
    let h = home();
    let (code, _) = issue(&h, "whatsapp", "+15551234@s.whatsapp.net", T0);
    assert_eq!(
        h.store
            .request_code("whatsapp", "15551234", "", T0 + 1.0)
            .unwrap(),
        CodeOutcome::RateLimited
    );
    h.store
        .approve("whatsapp", &Approval::Code(code.to_string()), T0)
        .unwrap();
    assert!(
        h.store
            .is_approved("whatsapp", "15551234:7@s.whatsapp.net")
            .unwrap()
    );
    assert!(h.store.revoke("whatsapp", "+15551234").unwrap().approved);
}

#[test]
fn bad_platforms_and_corrupt_files_are_errors() {
    let h = home();
    for p in ["../x", "", "_rate", "a/b"] {
        assert!(matches!(
            h.store.request_code(p, "1", "", T0),
            Err(PairingError::InvalidPlatform { .. })
        ));
    }
    fs::create_dir_all(h.paths.pairing_dir()).unwrap();
    fs::write(
        h.paths.pairing_dir().join("telegram-approved.json"),
        "[1, 2]",
    )
    .unwrap();
    assert!(matches!(
        h.store.is_approved("telegram", "1"),
        Err(PairingError::Corrupt { .. })
    ));
}

#[test]
fn concurrent_writers_lose_no_update() {
    let h = home();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let store = h.store.clone();
            std::thread::spawn(move || {
                let platform = format!("p{i}");
                store
                    .request_code(&platform, &format!("u{i}"), "", T0)
                    .unwrap()
            })
        })
        .collect();
    for t in threads {
        assert!(matches!(t.join().unwrap(), CodeOutcome::Issued { .. }));
    }
    let rates = read_json(&h.store.rate_limits_file());
    for i in 0..8 {
        assert!(
            rates.get(format!("p{i}:u{i}")).is_some(),
            "lost p{i}: {rates}"
        );
    }
}
