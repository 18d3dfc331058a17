//! `hermes gateway install|uninstall|start|stop|restart`: pick the service manager (systemd,
//! launchd, or the detached supervisor when there is none) and report what it did.

use std::path::PathBuf;
use std::sync::Arc;

use hermes::gateway::pid;
use hermes::gateway::service::manager::{
    Backend, HostFacts, InstallOptions, Linger, ServiceError, ServiceManager, Started,
    SystemRunner, detect,
};
use hermes::gateway::service::{self as svc, ServiceSpec, account, systemd};
use hermes::home::{HermesPaths, ProfileName};

use super::super::Context;
use super::super::error::CliError;

/// `--system`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ScopeArgs {
    /// Target the Linux system unit (`/etc/systemd/system`, needs sudo).
    #[arg(long)]
    system: bool,
}

/// Flags of `install`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct InstallArgs {
    /// Install a boot-time system unit instead of a user unit (needs sudo).
    #[arg(long)]
    system: bool,
    /// With `--system`: run the gateway as this user (default: the user who ran sudo).
    #[arg(long, value_name = "USER")]
    run_as_user: Option<String>,
    /// Rewrite an installed service file that is outdated.
    #[arg(long)]
    force: bool,
    /// Start the service right away (the default).
    #[arg(long, overrides_with = "no_start_now")]
    start_now: bool,
    /// Install without starting it.
    #[arg(long)]
    no_start_now: bool,
}

/// Flags of `start`, `stop` and `restart`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ControlArgs {
    /// Act on the gateways of every profile.
    #[arg(long)]
    all: bool,
    /// Target the Linux system unit.
    #[arg(long)]
    system: bool,
}

fn runner() -> Arc<SystemRunner> {
    Arc::new(SystemRunner)
}

/// Where system units live: `/etc/systemd/system`, or `HERMES_SYSTEMD_SYSTEM_DIR` (tests,
/// images prepared in a chroot).
fn system_dir(cx: &Context) -> Option<PathBuf> {
    cx.var("HERMES_SYSTEMD_SYSTEM_DIR")
        .filter(|d| !d.trim().is_empty())
        .map(PathBuf::from)
}

/// The manager of `backend` for `paths`, run as `user`.
pub(crate) fn manager(
    cx: &Context,
    backend: Backend,
    paths: &HermesPaths,
    user: &str,
) -> Box<dyn ServiceManager> {
    svc::manager_in(backend, paths, &cx.exe(), user, runner(), system_dir(cx))
}

/// The backend this host offers for `system` (or the user scope).
pub(crate) fn backend(cx: &Context, system: bool) -> Backend {
    let facts = HostFacts::probe(&SystemRunner);
    detect(&facts, system, cx.var("HERMES_SERVICE_MANAGER"))
}

fn user(cx: &Context) -> String {
    account::current_user(cx.var("USER").or(cx.var("LOGNAME")))
}

/// The manager that controls `paths`' gateway: the installed service when there is one
/// (the system unit when only that exists), else the detached supervisor.
pub(crate) fn controller(
    cx: &Context,
    paths: &HermesPaths,
    system: bool,
    backend: Backend,
) -> anyhow::Result<Box<dyn ServiceManager>> {
    let make = |b| manager(cx, b, paths, &user(cx));
    if system {
        let m = make(Backend::SystemdSystem);
        if !m.is_installed() {
            return Err(ServiceError::NotInstalled {
                name: format!("{}.service", m.name()),
            }
            .into());
        }
        return Ok(m);
    }
    if backend != Backend::None {
        let m = make(backend);
        if m.is_installed() {
            return Ok(m);
        }
        if backend == Backend::SystemdUser {
            let sys = make(Backend::SystemdSystem);
            if sys.is_installed() {
                return Ok(sys);
            }
        }
    }
    Ok(make(Backend::None))
}

/// What the service file should say for this profile.
pub(crate) fn spec(cx: &Context, run_as: Option<(String, String)>) -> ServiceSpec {
    let exe = std::fs::canonicalize(cx.exe()).unwrap_or_else(|_| cx.exe());
    let mut path = cx
        .var("PATH")
        .unwrap_or("/usr/local/bin:/usr/bin:/bin")
        .to_string();
    // The gateway's tools must find hermes itself.
    if let Some(dir) = exe.parent().map(|d| d.display().to_string())
        && !path.split(':').any(|p| p == dir)
    {
        path = format!("{dir}:{path}");
    }
    ServiceSpec { exe, path, run_as }
}

/// What the service file of `backend` should say now, compared with (or rewritten over) the
/// installed `file`: its PATH entries are kept (a caller under cron or sudo has a shorter
/// PATH), and a system unit keeps the `User=`/`Group=` it was installed with unless `run_as`
/// names others.
pub(crate) fn expected(
    cx: &Context,
    backend: Backend,
    paths: &HermesPaths,
    file: Option<&std::path::Path>,
    run_as: Option<(String, String)>,
) -> Option<String> {
    let text = file.and_then(|f| std::fs::read_to_string(f).ok());
    let run_as = if backend == Backend::SystemdSystem {
        run_as.or_else(|| text.as_deref().and_then(svc::installed_run_as))
    } else {
        None
    };
    let paths = match &run_as {
        Some((u, _)) => home_of(paths, u),
        None => paths.clone(),
    };
    let mut spec = spec(cx, run_as);
    if let Some(installed) = text.as_deref().and_then(svc::installed_path) {
        spec.path = svc::merge_path(&spec.path, &installed);
    }
    svc::render(backend, &paths, &spec)
}

/// For a system unit run as another user: that user's own home (sudo resets `$HOME`).
fn home_of(paths: &HermesPaths, run_as: &str) -> HermesPaths {
    match account::user(run_as) {
        Some(u) if paths.root_is_default() && u.home != paths.user_home() => {
            HermesPaths::at(&u.home.join(".hermes"), &u.home).for_profile(paths.profile())
        }
        _ => paths.clone(),
    }
}

pub(crate) fn install(cx: &Context, args: &InstallArgs) -> anyhow::Result<()> {
    let backend = backend(cx, args.system);
    if backend == Backend::None {
        return Err(ServiceError::NoManager.into());
    }
    let (paths, run_as) = if args.system {
        let who = args
            .run_as_user
            .clone()
            .or_else(|| cx.var("SUDO_USER").map(str::to_string))
            .unwrap_or_else(|| user(cx));
        let (u, g) = account::user_and_group(&who);
        (home_of(&cx.paths, &u), Some((u, g)))
    } else {
        (cx.paths.clone(), None)
    };
    let linger_user = run_as.as_ref().map_or_else(|| user(cx), |(u, _)| u.clone());
    let manager = manager(cx, backend, &paths, &linger_user);
    let Some(contents) = expected(cx, backend, &paths, manager.file().as_deref(), run_as) else {
        return Err(ServiceError::NoManager.into());
    };
    let opts = InstallOptions {
        force: args.force,
        start_now: !args.no_start_now,
    };
    let o = manager.install(&contents, opts)?;
    if o.written {
        cx.out.success(format!(
            "{} {} ({})",
            if o.was_outdated {
                "Rewrote the outdated"
            } else {
                "Installed"
            },
            o.path.display(),
            backend.label()
        ));
    } else {
        cx.out
            .success(format!("{} is installed and up to date", o.path.display()));
    }
    if o.started {
        cx.out.success(format!(
            "Started {} (profile {})",
            manager.name(),
            paths.profile()
        ));
    } else {
        cx.out.status(format!(
            "Start it with: {}",
            profile_command(paths.profile(), "gateway start")
        ));
    }
    if let Some(l) = &o.linger {
        print_linger(cx, l, &manager.name());
    }
    if o.both_scopes {
        warn_both_scopes(cx);
    }
    Ok(())
}

/// `hermes [-p NAME] …` for messages.
pub(crate) fn profile_command(profile: &ProfileName, rest: &str) -> String {
    if profile.is_default() {
        format!("hermes {rest}")
    } else {
        format!("hermes -p {profile} {rest}")
    }
}

pub(super) fn print_linger(cx: &Context, linger: &Linger, unit: &str) {
    match linger {
        Linger::Enabled => cx
            .out
            .success("Systemd linger is enabled (service survives logout)"),
        Linger::EnabledNow => cx
            .out
            .success("Linger enabled — gateway will persist after logout"),
        Linger::Failed { user, detail } => {
            cx.out.status("");
            cx.out
                .status("⚠️ Linger not enabled — gateway will STOP when you close this terminal.");
            cx.out.status(format!("  Auto-enable failed: {detail}"));
            cx.out.status("");
            cx.out
                .status("  On headless servers (VPS, cloud instances) run:");
            cx.out
                .status(format!("    sudo loginctl enable-linger {user}"));
            cx.out.status("");
            cx.out.status("  Then restart the gateway:");
            cx.out
                .status(format!("    systemctl --user restart {unit}.service"));
            cx.out.status("");
        }
    }
}

pub(super) fn warn_both_scopes(cx: &Context) {
    cx.out
        .warn("Both user and system gateway services are installed (user + system).");
    cx.out.status(
        "  This is confusing and can make start/stop/status behavior ambiguous.\n  Default gateway commands target the user service unless you pass --system.\n  Keep one of these:\n    hermes gateway uninstall\n    sudo hermes gateway uninstall --system",
    );
}

pub(crate) fn uninstall(cx: &Context, args: &ScopeArgs) -> anyhow::Result<()> {
    let backend = backend(cx, args.system);
    if backend == Backend::None {
        return Err(ServiceError::NoManager.into());
    }
    let manager = manager(cx, backend, &cx.paths, &user(cx));
    let path = manager.file().unwrap_or_default();
    if manager.uninstall()? {
        cx.out.success(format!("Removed {}", path.display()));
    } else {
        cx.out.status(format!(
            "No gateway service is installed ({}).",
            path.display()
        ));
    }
    Ok(())
}

fn targets(cx: &Context, all: bool) -> anyhow::Result<Vec<HermesPaths>> {
    if all {
        super::all_profiles(cx)
    } else {
        Ok(vec![cx.paths.clone()])
    }
}

fn describe(started: &Started, m: &dyn ServiceManager) -> String {
    let mut parts = Vec::new();
    if let Some(p) = started.gateway_pid {
        parts.push(format!("PID {p}"));
    }
    if m.backend() == Backend::None
        && let Some(s) = started.supervisor_pid
    {
        parts.push(format!("supervisor PID {s}"));
    } else if m.backend() != Backend::None {
        parts.push(m.backend().label().to_string());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// Runs `act` on each target; with `--all`, one failure does not stop the others.
fn each(
    cx: &Context,
    args: &ControlArgs,
    mut act: impl FnMut(&HermesPaths, &dyn ServiceManager) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let backend = backend(cx, args.system);
    let mut failed = Vec::new();
    for paths in targets(cx, args.all)? {
        let result =
            controller(cx, &paths, args.system, backend).and_then(|m| act(&paths, m.as_ref()));
        match result {
            Ok(()) => {}
            Err(e) if args.all => {
                cx.out.warn(format!("profile {}: {e:#}", paths.profile()));
                failed.push(paths.profile().to_string());
            }
            Err(e) => return Err(e),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::user(format!("failed for profile(s): {}", failed.join(", "))).into())
    }
}

pub(crate) fn start(cx: &Context, args: &ControlArgs) -> anyhow::Result<()> {
    each(cx, args, |paths, m| {
        let profile = paths.profile();
        match m.start() {
            Ok(s) => {
                if s.reloaded {
                    cx.out
                        .status("↻ launchd job was unloaded; reloading service definition");
                }
                cx.out.success(format!(
                    "Started the gateway of profile {profile}{}",
                    describe(&s, m)
                ));
                if m.backend() == Backend::None && !args.all {
                    cx.out.status(format!(
                        "Output goes to {}; `{}` shows it.",
                        tilde(cx, &paths.gateway_stdout_log()),
                        profile_command(profile, "gateway status")
                    ));
                }
                Ok(())
            }
            Err(ServiceError::AlreadyRunning { pid, .. }) => {
                cx.out.status(format!(
                    "The gateway of profile {profile} is already running (PID {pid})."
                ));
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    })
}

pub(crate) fn stop(cx: &Context, args: &ControlArgs) -> anyhow::Result<()> {
    let mut any = false;
    each(cx, args, |paths, m| {
        let profile = paths.profile();
        let gateway = pid::running_gateway(paths);
        let mut stopped = m.stop()?;
        // A foreground gateway next to an installed service: stop it too.
        if m.backend() != Backend::None
            && let Some(p) = pid::running_gateway(paths)
        {
            if !pid::terminate(p, std::time::Duration::from_secs(70)) {
                return Err(ServiceError::DidNotStop { pid: p }.into());
            }
            stopped = true;
        }
        if stopped {
            any = true;
            let which = gateway.map(|p| format!(" (PID {p})")).unwrap_or_default();
            cx.out
                .success(format!("Stopped the gateway of profile {profile}{which}"));
        } else if !args.all {
            cx.out
                .status(format!("No gateway is running for profile {profile}."));
        }
        Ok(())
    })?;
    if args.all && !any {
        cx.out.status("No gateway was running.");
    }
    Ok(())
}

pub(crate) fn restart(cx: &Context, args: &ControlArgs) -> anyhow::Result<()> {
    each(cx, args, |paths, m| {
        let s = m.restart()?;
        cx.out.success(format!(
            "Restarted the gateway of profile {}{}",
            paths.profile(),
            describe(&s, m)
        ));
        Ok(())
    })
}

/// A path with the user's home shown as `~`.
pub(crate) fn tilde(cx: &Context, p: &std::path::Path) -> String {
    let home = cx.paths.user_home();
    match p.strip_prefix(home) {
        Ok(rest) => PathBuf::from("~").join(rest).display().to_string(),
        Err(_) => p.display().to_string(),
    }
}

/// The systemd user unit of a profile, for linger and scope checks in `status`.
pub(crate) fn systemd_user(cx: &Context, paths: &HermesPaths) -> systemd::Systemd {
    let sd = systemd::Systemd::new(paths, systemd::Scope::User, &user(cx), runner());
    match system_dir(cx) {
        Some(d) => sd.with_system_dir(d),
        None => sd,
    }
}

/// After an update: restart `paths`' gateway when something supervises it (a service or the
/// detached supervisor). `Ok(None)`: nothing to restart; a lone foreground gateway is
/// reported as `Err` with what to do, since restarting it here would detach it.
pub(crate) fn restart_supervised(
    cx: &Context,
    paths: &HermesPaths,
) -> anyhow::Result<Option<Started>> {
    let backend = backend(cx, false);
    let m = controller(cx, paths, false, backend)?;
    let supervised = if m.backend() == Backend::None {
        hermes::gateway::detached::supervisor_pid(paths).is_some()
    } else {
        m.is_active() == Some(true)
    };
    if supervised {
        return Ok(Some(m.restart()?));
    }
    if let Some(p) = pid::running_gateway(paths) {
        return Err(CliError::user(format!(
            "the gateway of profile {} runs in the foreground (PID {p}); restart it yourself to use the new version",
            paths.profile()
        ))
        .into());
    }
    Ok(None)
}
