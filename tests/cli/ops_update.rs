//! `hermes update` against a manifest and builds served on 127.0.0.1: up to date, `--check`,
//! a verified install (tar.gz), bad checksum, bad signature, rollback, `--from-file`, offline,
//! and the restart of a detached gateway. Each test updates its own copy of the binary.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer, SigningKey};

use super::ops_http::FakeHttp;
use super::{Run, TestEnv};

fn key() -> SigningKey {
    SigningKey::from_bytes(&[9u8; 32])
}

fn pubkey() -> String {
    STANDARD.encode(key().verifying_key().as_bytes())
}

fn sign(bytes: &[u8]) -> String {
    STANDARD.encode(key().sign(bytes).to_bytes())
}

fn sha(bytes: &[u8]) -> String {
    hermes::update::verify::sha256_hex(bytes)
}

/// A copy of the binary under test (a hard link when possible) that the update may replace.
fn own_binary(env: &TestEnv) -> PathBuf {
    let dir = env.home().join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    let exe = dir.join("hermes");
    if std::fs::hard_link(TestEnv::bin(), &exe).is_err() {
        std::fs::copy(TestEnv::bin(), &exe).unwrap();
    }
    exe
}

fn script(version_line: &str) -> Vec<u8> {
    format!("#!/bin/sh\n{version_line}\n").into_bytes()
}

fn tar_gz(binary: &[u8]) -> Vec<u8> {
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let mut h = tar::Header::new_gnu();
    h.set_size(binary.len() as u64);
    h.set_mode(0o755);
    h.set_cksum();
    b.append_data(&mut h, "hermes-0.2.0/hermes", binary)
        .unwrap();
    b.into_inner().unwrap().finish().unwrap()
}

/// Serves `artifact` as this target's build of `version`, with `sha256` and `signature`.
fn serve(version: &str, artifact: &[u8], sha256: &str, signature: &str) -> FakeHttp {
    let triple = hermes::update::target_triple();
    let manifest = serde_json::json!({
        "version": version,
        "notes": "Faster and smaller.",
        "targets": {
            triple: {"url": "dl/hermes.tar.gz", "sha256": sha256, "signature": signature},
            "riscv64gc-unknown-linux-gnu": {"url": "dl/other", "sha256": "00"}
        }
    });
    FakeHttp::start(vec![
        (
            "/rel/latest.json".into(),
            200,
            manifest.to_string().into_bytes(),
        ),
        ("/rel/dl/hermes.tar.gz".into(), 200, artifact.to_vec()),
    ])
}

fn update(env: &TestEnv, exe: &Path, fake: &FakeHttp, args: &[&str]) -> Run {
    let url = format!("{}/rel/latest.json", fake.url);
    let pk = pubkey();
    let mut all = vec!["update"];
    all.extend(args);
    env.run_program(
        exe,
        &all,
        &[
            ("HERMES_UPDATE_URL", url.as_str()),
            ("HERMES_UPDATE_PUBKEY", pk.as_str()),
            ("HERMES_SERVICE_MANAGER", "none"),
        ],
    )
}

fn version(env: &TestEnv, exe: &Path) -> String {
    env.run_program(exe, &["--version"], &[])
        .stdout
        .trim()
        .to_string()
}

#[test]
fn up_to_date_and_check() {
    let env = TestEnv::new();
    let exe = own_binary(&env);
    let art = tar_gz(&script("echo hermes 0.1.0"));
    let same = serve(hermes::VERSION, &art, &sha(&art), &sign(&art));
    let r = update(&env, &exe, &same, &[]).ok();
    assert!(
        r.stderr.contains(&format!(
            "✓ hermes {v} is up to date (latest release: {v})",
            v = hermes::VERSION
        )),
        "{r}"
    );
    let newer = serve("99.0.0", &art, &sha(&art), &sign(&art));
    let r = update(&env, &exe, &newer, &["--check"]).ok();
    assert_eq!(
        r.stdout,
        format!(
            "hermes 99.0.0 is available (you have {}); run `hermes update` to install it.\n",
            hermes::VERSION
        )
    );
    assert_eq!(version(&env, &exe), format!("hermes {}", hermes::VERSION));
    assert!(!newer.hits().contains(&"/rel/dl/hermes.tar.gz".to_string()));
}

#[test]
fn installs_a_verified_release_and_syncs_skills() {
    let env = TestEnv::new();
    let exe = own_binary(&env);
    let art = tar_gz(&script("echo hermes 99.0.0"));
    let fake = serve("99.0.0", &art, &sha(&art), &sign(&art));
    let r = update(&env, &exe, &fake, &["--yes"]).ok();
    assert!(
        r.stderr.contains("✓ Checksum and signature verified"),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!(
            "✓ Updated hermes {} → 99.0.0 ([TMP]/home/bin/hermes)",
            hermes::VERSION
        )),
        "{r}"
    );
    assert!(r.stdout.contains("Skills synced: default ("), "{r}");
    assert!(
        r.stderr
            .contains("No supervised gateway was running; nothing to restart."),
        "{r}"
    );
    assert_eq!(version(&env, &exe), "hermes 99.0.0");
    assert!(env.root().join("skills").is_dir());
}

#[test]
fn a_bad_checksum_is_refused() {
    let env = TestEnv::new();
    let exe = own_binary(&env);
    let art = tar_gz(&script("echo hermes 99.0.0"));
    let fake = serve("99.0.0", &art, &sha(b"something else"), &sign(&art));
    let r = update(&env, &exe, &fake, &["--yes"]).code(1);
    assert!(
        r.stderr.contains("Error: checksum mismatch: expected "),
        "{r}"
    );
    assert!(r.stderr.contains("refusing to install"), "{r}");
    assert_eq!(version(&env, &exe), format!("hermes {}", hermes::VERSION));
}

#[test]
fn a_bad_signature_is_refused() {
    let env = TestEnv::new();
    let exe = own_binary(&env);
    let art = tar_gz(&script("echo hermes 99.0.0"));
    let other = SigningKey::from_bytes(&[3u8; 32]);
    let forged = STANDARD.encode(other.sign(&art).to_bytes());
    let fake = serve("99.0.0", &art, &sha(&art), &forged);
    let r = update(&env, &exe, &fake, &["--yes"]).code(1);
    assert!(
        r.stderr
            .contains("Error: the signature does not match the release key; refusing to install"),
        "{r}"
    );
    assert_eq!(version(&env, &exe), format!("hermes {}", hermes::VERSION));
}

#[test]
fn a_binary_that_fails_version_is_rolled_back() {
    let env = TestEnv::new();
    let exe = own_binary(&env);
    let art = tar_gz(&script("echo broken >&2; exit 1"));
    let fake = serve("99.0.0", &art, &sha(&art), &sign(&art));
    let r = update(&env, &exe, &fake, &["--yes"]).code(1);
    assert!(
        r.stderr
            .contains("Error: the new binary failed `--version` (exit 1: broken); rolled back to the previous one"),
        "{r}"
    );
    assert_eq!(version(&env, &exe), format!("hermes {}", hermes::VERSION));
    let leftovers: Vec<_> = std::fs::read_dir(exe.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["hermes"]);
}

#[test]
fn offline_is_a_clear_error() {
    let env = TestEnv::new();
    let exe = own_binary(&env);
    let r = env
        .run_program(
            &exe,
            &["update", "--check"],
            &[("HERMES_UPDATE_URL", "http://127.0.0.1:9/latest.json")],
        )
        .code(1);
    assert!(
        r.stderr
            .contains("Error: cannot reach http://127.0.0.1:9/latest.json (offline?)"),
        "{r}"
    );
    assert!(
        r.stderr
            .contains("hint: offline: download the release elsewhere"),
        "{r}"
    );
    let none = env.run_program(&exe, &["update"], &[]).code(1);
    assert!(
        none.stderr
            .contains("Error: no update manifest is configured"),
        "{none}"
    );
    assert!(none.stderr.contains("updates.manifest_url"), "{none}");
}

#[test]
fn from_file_verifies_a_signature_beside_it() {
    let env = TestEnv::new();
    let exe = own_binary(&env);
    let bin = script("echo hermes 99.1.0");
    let file = env.home().join("hermes-99.1.0");
    std::fs::write(&file, &bin).unwrap();
    let pk = pubkey();
    let run = |env: &TestEnv| {
        env.run_program(
            &exe,
            &["update", "--from-file", file.to_str().unwrap(), "--yes"],
            &[
                ("HERMES_UPDATE_PUBKEY", pk.as_str()),
                ("HERMES_SERVICE_MANAGER", "none"),
            ],
        )
    };
    std::fs::write(env.home().join("hermes-99.1.0.sig"), sign(b"not it")).unwrap();
    let r = run(&env).code(1);
    assert!(r.stderr.contains("signature does not match"), "{r}");
    assert_eq!(version(&env, &exe), format!("hermes {}", hermes::VERSION));

    std::fs::write(env.home().join("hermes-99.1.0.sig"), sign(&bin)).unwrap();
    std::fs::write(
        env.home().join("hermes-99.1.0.sha256"),
        format!("{}  hermes-99.1.0\n", sha(&bin)),
    )
    .unwrap();
    let r = run(&env).ok();
    assert!(r.stderr.contains("✓ Checksum verified"), "{r}");
    assert!(r.stderr.contains("✓ Signature verified"), "{r}");
    assert!(
        r.stderr
            .contains("✓ Installed hermes 99.1.0 ([TMP]/home/bin/hermes)"),
        "{r}"
    );
    assert_eq!(version(&env, &exe), "hermes 99.1.0");
}

#[test]
fn from_file_refuses_an_unsigned_file_unless_allowed() {
    let env = TestEnv::new();
    let exe = own_binary(&env);
    let bin = script("echo hermes 99.2.0");
    let file = env.home().join("hermes-99.2.0");
    std::fs::write(&file, &bin).unwrap();
    let pk = pubkey();
    let keys = [("HERMES_UPDATE_PUBKEY", pk.as_str())];
    let path = file.to_str().unwrap();
    let r = env
        .run_program(&exe, &["update", "--from-file", path, "--yes"], &keys)
        .code(1);
    assert!(
        r.stderr.contains(
            "Error: [TMP]/home/hermes-99.2.0 has no signature ([TMP]/home/hermes-99.2.0.sig is missing); refusing to install"
        ),
        "{r}"
    );
    assert!(r.stderr.contains("add --allow-unsigned"), "{r}");
    assert_eq!(version(&env, &exe), format!("hermes {}", hermes::VERSION));

    // The override does not excuse a signature that is there but wrong.
    let sig = env.home().join("hermes-99.2.0.sig");
    std::fs::write(&sig, sign(b"something else")).unwrap();
    let r = env
        .run_program(
            &exe,
            &["update", "--from-file", path, "--allow-unsigned", "--yes"],
            &keys,
        )
        .code(1);
    assert!(r.stderr.contains("signature does not match"), "{r}");
    assert_eq!(version(&env, &exe), format!("hermes {}", hermes::VERSION));

    std::fs::remove_file(&sig).unwrap();
    let r = env
        .run_program(
            &exe,
            &["update", "--from-file", path, "--allow-unsigned", "--yes"],
            &keys,
        )
        .ok();
    assert!(
        r.stderr
            .contains("installing without a signature check (--allow-unsigned)"),
        "{r}"
    );
    assert_eq!(version(&env, &exe), "hermes 99.2.0");
    // Only with --from-file.
    let r = env.run(["update", "--allow-unsigned"]);
    assert_eq!(r.code, 2, "{r}");
    assert!(r.stderr.contains("--from-file"), "{r}");
}

#[test]
fn an_update_restarts_the_detached_gateway_with_the_new_binary() {
    let env = TestEnv::new();
    let exe = own_binary(&env);
    let none = [("HERMES_SERVICE_MANAGER", "none")];
    env.run_program(&exe, &["gateway", "start"], &none).ok();
    let pid = |env: &TestEnv| {
        let v: serde_json::Value =
            serde_json::from_str(&env.read(&env.root().join("gateway.pid"))).unwrap();
        v["pid"].as_u64().unwrap()
    };
    let before = pid(&env);
    // A real build of hermes as the "new" release (the same one: --from-file does not compare).
    let release = env.home().join("hermes-new");
    std::fs::copy(TestEnv::bin(), &release).unwrap();
    let r = env.run_program(
        &exe,
        &[
            "update",
            "--from-file",
            release.to_str().unwrap(),
            "--allow-unsigned",
            "--yes",
        ],
        &none,
    );
    let stop = env.run_program(&exe, &["gateway", "stop", "--all"], &none);
    let r = r.ok();
    stop.ok();
    assert!(r.stderr.contains("without a signature check"), "{r}");
    assert!(r.stdout.contains("Skills synced: default ("), "{r}");
    assert!(
        r.stderr
            .contains("✓ Restarted the gateway of profile default (PID "),
        "{r}"
    );
    let log = env.read(&env.root().join("logs/gateway.stdout.log"));
    assert!(
        log.contains(&format!("gateway PID {before} ended (exit 75)")),
        "{log}"
    );
}
