//! `hermes update [--check] [--from-file F] [--yes]` — replace this binary with a verified
//! release (manifest at `updates.manifest_url` or `HERMES_UPDATE_URL`, see docs/update.md),
//! then sync bundled skills into every profile and restart the gateways that run.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::time::Duration;

use hermes::update::{self, UpdateError, verify};

use super::Context;
use super::error::CliError;
use super::gateway;

/// Update hermes itself.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Only say whether a newer release exists.
    #[arg(long)]
    check: bool,
    /// Install a downloaded release (`.tar.gz` or the binary) without the network; its
    /// signature `FILE.sig` beside it is required and verified (and `FILE.sha256`, if there).
    #[arg(long, value_name = "FILE", conflicts_with = "check")]
    from_file: Option<PathBuf>,
    /// With --from-file: install even when no `FILE.sig` is beside it (a build of your own).
    /// A signature that is there but does not match is still refused.
    #[arg(long, requires = "from_file")]
    allow_unsigned: bool,
    /// Do not ask before installing.
    #[arg(short = 'y', long)]
    yes: bool,
    /// Sync bundled skills into every profile and exit (run by the new binary after an update).
    #[arg(long, hide = true)]
    sync_skills: bool,
}

fn manifest_url(cx: &Context) -> anyhow::Result<String> {
    if let Some(u) = cx.var("HERMES_UPDATE_URL").filter(|u| !u.trim().is_empty()) {
        return Ok(u.trim().to_string());
    }
    let settings = cx.settings()?;
    settings
        .extra
        .get("updates")
        .and_then(|u| u.get("manifest_url"))
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| UpdateError::NoManifestUrl.into())
}

fn current_exe(cx: &Context) -> PathBuf {
    std::fs::canonicalize(cx.exe()).unwrap_or_else(|_| cx.exe())
}

fn confirm(cx: &Context, question: &str, yes: bool) -> anyhow::Result<()> {
    if yes || cx.no_input || !std::io::stdin().is_terminal() {
        return Ok(());
    }
    cx.out.status(format!("{question} [Y/n]"));
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    if matches!(line.trim().to_ascii_lowercase().as_str(), "" | "y" | "yes") {
        Ok(())
    } else {
        Err(CliError::cancelled("update cancelled").into())
    }
}

pub(crate) fn run(cx: &Context, args: Args) -> anyhow::Result<()> {
    if args.sync_skills {
        sync_skills(cx);
        return Ok(());
    }
    let current = hermes::VERSION;
    let key = verify::release_key(cx.var("HERMES_UPDATE_PUBKEY"))?;
    if let Some(file) = &args.from_file {
        return from_file(cx, file, &key, args.yes, args.allow_unsigned);
    }
    let url = manifest_url(cx)?;
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let avail = rt.block_on(update::check(&http, &url, current))?;
    let latest = &avail.manifest.version;
    if !avail.newer {
        cx.out.success(format!(
            "hermes {current} is up to date (latest release: {latest})"
        ));
        return Ok(());
    }
    if args.check {
        cx.out.data(format!(
            "hermes {latest} is available (you have {current}); run `hermes update` to install it."
        ));
        return Ok(());
    }
    if let Some(notes) = avail
        .manifest
        .notes
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        cx.out.status(notes.trim());
    }
    confirm(cx, &format!("Install hermes {latest}?"), args.yes)?;
    cx.out.status(format!("Downloading {}", avail.asset.url));
    let mut bar: Option<indicatif::ProgressBar> = None;
    let bytes = rt.block_on(update::fetch(
        &http,
        &avail.asset.url,
        Duration::from_mins(10),
        |done, total| {
            if bar.is_none() {
                bar = cx.out.progress(total);
            }
            if let Some(b) = &bar {
                b.set_position(done);
            }
        },
    ));
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let bytes = bytes?;
    update::verify_asset(&bytes, &avail.asset, &key)?;
    cx.out.success("Checksum and signature verified");
    let binary = update::unpack(&bytes)?;
    let installed = update::replace(&current_exe(cx), &binary, Some(latest))?;
    cx.out.success(format!(
        "Updated hermes {current} → {latest} ({})",
        installed.path.display()
    ));
    after_install(cx, &installed.path);
    Ok(())
}

fn read_beside(file: &Path, ext: &str) -> Option<String> {
    let mut p = file.as_os_str().to_owned();
    p.push(ext);
    std::fs::read_to_string(PathBuf::from(p)).ok()
}

fn from_file(
    cx: &Context,
    file: &Path,
    key: &ed25519_dalek::VerifyingKey,
    yes: bool,
    allow_unsigned: bool,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).map_err(|source| UpdateError::Io {
        action: "read",
        path: file.to_path_buf(),
        source,
    })?;
    if let Some(sum) = read_beside(file, ".sha256") {
        verify::check_sha256(&bytes, &sum)?;
        cx.out.success("Checksum verified");
    }
    match read_beside(file, ".sig") {
        Some(sig) => {
            verify::check_signature(&bytes, &sig, key)?;
            cx.out.success("Signature verified");
        }
        None if allow_unsigned => cx.out.warn(format!(
            "No {}.sig beside it: installing without a signature check (--allow-unsigned).",
            file.display()
        )),
        None => {
            return Err(UpdateError::UnsignedFile {
                file: file.to_path_buf(),
            }
            .into());
        }
    }
    confirm(cx, &format!("Install {}?", file.display()), yes)?;
    let binary = update::unpack(&bytes)?;
    let installed = update::replace(&current_exe(cx), &binary, None)?;
    cx.out.success(format!(
        "Installed {} ({})",
        installed.version_output,
        installed.path.display()
    ));
    after_install(cx, &installed.path);
    Ok(())
}

/// Syncs skills (with the new binary's bundled set when it can) and restarts gateways.
fn after_install(cx: &Context, exe: &Path) {
    let synced = std::process::Command::new(exe)
        .args(["update", "--sync-skills"])
        .envs([("HERMES_HOME", cx.paths.root().display().to_string())])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .filter(|s| s.contains("Skills synced:"));
    match synced {
        Some(text) => cx.out.data(text.trim()),
        // The new binary could not do it (an older release): sync what this one bundles.
        None => sync_skills(cx),
    }
    let Ok(profiles) = gateway::all_profiles(cx) else {
        return;
    };
    let mut restarted = 0;
    for paths in &profiles {
        match gateway::service::restart_supervised(cx, paths) {
            Ok(Some(s)) => {
                restarted += 1;
                cx.out.success(format!(
                    "Restarted the gateway of profile {}{}",
                    paths.profile(),
                    s.gateway_pid
                        .map(|p| format!(" (PID {p})"))
                        .unwrap_or_default()
                ));
            }
            Ok(None) => {}
            Err(e) => cx.out.warn(format!("{e:#}")),
        }
    }
    if restarted == 0 {
        cx.out
            .status("No supervised gateway was running; nothing to restart.");
    }
}

fn sync_skills(cx: &Context) {
    let Ok(profiles) = gateway::all_profiles(cx) else {
        return;
    };
    let parts: Vec<String> = profiles
        .iter()
        .map(|p| {
            let name = p.profile().to_string();
            match hermes::agent::sync_bundled_skills(p) {
                Ok(r) if r.opted_out => format!("{name} (opted out)"),
                Ok(r) if r.installed.is_empty() && r.updated.is_empty() => {
                    format!("{name} (up to date)")
                }
                Ok(r) => {
                    let mut bits = Vec::new();
                    if !r.installed.is_empty() {
                        bits.push(format!("+{} new", r.installed.len()));
                    }
                    if !r.updated.is_empty() {
                        bits.push(format!("{} updated", r.updated.len()));
                    }
                    format!("{name} ({})", bits.join(", "))
                }
                Err(e) => format!("{name} (failed: {e})"),
            }
        })
        .collect();
    cx.out.data(format!("Skills synced: {}", parts.join(", ")));
}
