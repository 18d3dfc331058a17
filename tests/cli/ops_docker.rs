//! The container pieces without a Docker engine: `docker/entrypoint.sh` run with bash in a
//! temp dir (UID/GID mapping, chown, default and given commands), and the shape of
//! `compose.yaml` and the `Dockerfile`.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A temp dir anyone may enter, with a stub `hermes` that reports who runs it and how.
fn sandbox() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = t.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let stub = bin.join("hermes");
    std::fs::write(
        &stub,
        "#!/bin/sh\necho \"uid=$(id -u) gid=$(id -g) home=$HOME data=$HERMES_HOME args=$*\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    (t, bin)
}

fn entrypoint(
    dir: &Path,
    bin: &Path,
    env: &[(&str, &str)],
    args: &[&str],
) -> (i32, String, String) {
    let mut cmd = Command::new("bash");
    cmd.arg(repo("docker/entrypoint.sh"))
        .args(args)
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/sbin:/usr/bin:/sbin:/bin", bin.display()),
        )
        .env("HERMES_HOME", dir.join("data"))
        .env("HOME", "/root")
        .current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn entrypoint_drops_to_the_requested_ids_and_runs_the_gateway_by_default() {
    let (t, bin) = sandbox();
    let ids = [("HERMES_UID", "12345"), ("HERMES_GID", "12346")];
    let (code, out, err) = entrypoint(t.path(), &bin, &ids, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let data = t.path().join("data");
    if is_root() {
        assert_eq!(
            out.trim(),
            format!(
                "uid=12345 gid=12346 home={d}/home data={d} args=gateway run --replace",
                d = data.display()
            )
        );
        assert!(
            err.contains("Dropping root privileges (uid 12345, gid 12346)"),
            "{err}"
        );
        let m = std::fs::metadata(&data).unwrap();
        assert_eq!(
            (m.uid(), m.gid()),
            (12345, 12346),
            "the data dir is re-owned"
        );
        // A file left by root inside an already re-owned volume is not walked again…
        std::fs::write(data.join("root-file"), "x").unwrap();
        let (code, out, _) = entrypoint(t.path(), &bin, &ids, &["pairing", "list"]);
        assert_eq!(code, 0);
        assert!(out.trim().ends_with("args=pairing list"), "{out}");
        assert_eq!(std::fs::metadata(data.join("root-file")).unwrap().uid(), 0);
        // …but a volume owned by someone else is.
        let (code, _, _) = entrypoint(
            t.path(),
            &bin,
            &[("HERMES_UID", "23456"), ("HERMES_GID", "23456")],
            &["hermes", "status"],
        );
        assert_eq!(code, 0);
        assert_eq!(
            std::fs::metadata(data.join("root-file")).unwrap().uid(),
            23456
        );
    } else {
        // Unprivileged already: the command runs as is, nothing is re-owned.
        assert!(out.trim().ends_with("args=gateway run --replace"), "{out}");
        assert!(data.is_dir());
    }
}

#[test]
fn entrypoint_runs_a_shell_and_rejects_bad_ids() {
    let (t, bin) = sandbox();
    let (code, out, err) = entrypoint(
        t.path(),
        &bin,
        &[("HERMES_UID", "0"), ("HERMES_GID", "0")],
        &["bash", "-c", "echo shell $(id -u)"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "shell 0");
    let (code, _, err) = entrypoint(t.path(), &bin, &[("HERMES_UID", "abc")], &[]);
    assert_eq!(code, 64);
    assert!(
        err.contains("HERMES_UID and HERMES_GID must be numbers"),
        "{err}"
    );
}

#[test]
fn compose_and_dockerfile_match_the_deployment_guides() {
    let compose: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(repo("compose.yaml")).unwrap()).unwrap();
    let svc = &compose["services"]["hermes"];
    assert_eq!(svc["restart"], "unless-stopped");
    assert_eq!(svc["container_name"], "hermes");
    assert!(
        svc["volumes"][0].as_str().unwrap().ends_with(":/opt/data"),
        "{svc:?}"
    );
    assert_eq!(svc["ports"][0], "127.0.0.1:8642:8642");
    // Seed 003's hub in another container: both ways to reach the API server are spelled
    // out, with the key that must then be set and match the hub's.
    let text = std::fs::read_to_string(repo("compose.yaml")).unwrap();
    for needle in [
        "#      - \"8642:8642\"",
        "http://host.docker.internal:8642/v1",
        "http://hermes:8642/v1",
        "HERMES_API_KEY must be exactly equal to this API_SERVER_KEY",
        "#   hub:\n#     name: wechat-clawbot-hub_default\n#     external: true",
    ] {
        assert!(text.contains(needle), "compose.yaml lacks {needle}");
    }
    assert!(svc["environment"]["TZ"].as_str().unwrap().contains("TZ"));
    let docker = std::fs::read_to_string(repo("Dockerfile")).unwrap();
    for needle in [
        "FROM rust:",
        "FROM debian:",
        "COPY --from=build /usr/local/bin/hermes /usr/local/lib/hermes/hermes",
        "COPY docker/hermes.sh /usr/local/bin/hermes",
        "HERMES_HOME=/opt/data",
        "VOLUME [\"/opt/data\"]",
        "EXPOSE 8642",
        "ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/usr/local/bin/hermes-entrypoint\"]",
        "CMD [\"gateway\", \"run\", \"--replace\"]",
    ] {
        assert!(docker.contains(needle), "Dockerfile lacks {needle}");
    }
    for pkg in [
        "bash",
        "ca-certificates",
        "git",
        "gosu",
        "python3",
        "tini",
        "tzdata",
    ] {
        assert!(
            docker.contains(&format!(" {pkg} ")) || docker.contains(&format!(" {pkg}\n")),
            "{pkg}"
        );
    }
}

/// `docker exec hermes hermes …` as root: the `hermes` on PATH (docker/hermes.sh) drops to the
/// owner of the data directory, so what it writes stays readable by the gateway.
#[test]
fn hermes_on_path_drops_from_root_to_the_data_owner() {
    let t = tempfile::tempdir().unwrap();
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = t.path().join("bin");
    let lib = t.path().join("lib/hermes");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::copy(repo("docker/hermes.sh"), bin.join("hermes")).unwrap();
    // The "binary": reports who runs it and writes a 0600 file, as a pairing approval does.
    std::fs::write(
        lib.join("hermes"),
        "#!/bin/sh\numask 077\necho approved > \"$HERMES_HOME/approved.json\"\necho \"uid=$(id -u) gid=$(id -g) home=$HOME args=$*\"\n",
    )
    .unwrap();
    for f in [bin.join("hermes"), lib.join("hermes")] {
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let data = t.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let run = || {
        let out = Command::new(bin.join("hermes"))
            .args(["pairing", "approve", "weixin", "ABCD1234"])
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("HERMES_HOME", &data)
            .env("HOME", "/root")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let me = std::fs::metadata("/proc/self").unwrap().uid();
    if !is_root() {
        // Not root: runs as is.
        assert!(run().starts_with(&format!("uid={me} ")));
        return;
    }
    // A data directory still owned by root: stays root.
    assert!(run().starts_with("uid=0 gid=0 home=/root "), "{}", run());
    // The entrypoint gave the data directory to HERMES_UID:HERMES_GID.
    std::os::unix::fs::chown(&data, Some(10000), Some(10001)).unwrap();
    std::fs::remove_file(data.join("approved.json")).unwrap();
    assert_eq!(
        run(),
        format!(
            "uid=10000 gid=10001 home={}/home args=pairing approve weixin ABCD1234",
            data.display()
        )
    );
    let m = std::fs::metadata(data.join("approved.json")).unwrap();
    assert_eq!(
        (m.uid(), m.gid()),
        (10000, 10001),
        "the gateway's user owns it"
    );
}

/// Where `.ci/run` installs the linters (a venv beside the test peers), else `PATH`.
fn linter(name: &str) -> Option<PathBuf> {
    let cache = std::env::var_os("HERMES_PEERS_DIR").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/hermes-peers"),
        PathBuf::from,
    );
    let venv = cache.join("lint/bin").join(name);
    if venv.is_file() {
        return Some(venv);
    }
    Command::new(name)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from(name))
}

/// No Docker engine runs here, so the image's files are linted instead: hadolint for the
/// `Dockerfile`, shellcheck for the scripts the image runs.
#[test]
#[allow(clippy::print_stderr)] // says why a test did nothing
fn the_dockerfile_and_the_images_scripts_pass_their_linters() {
    let (Some(hadolint), Some(shellcheck)) = (linter("hadolint"), linter("shellcheck")) else {
        eprintln!("skipped: hadolint and shellcheck are not installed (.ci/run installs them)");
        return;
    };
    let out = Command::new(&hadolint)
        .arg(repo("Dockerfile"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hadolint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(&shellcheck)
        .args([
            repo("docker/entrypoint.sh"),
            repo("docker/hermes.sh"),
            repo(".ci/run"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "shellcheck:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
