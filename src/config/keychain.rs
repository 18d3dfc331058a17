//! The OS keychain as a store for the model provider's API key: the Secret Service (`GNOME
//! Keyring`, `KWallet`) over the D-Bus session bus on Linux and the BSDs, the login keychain on
//! macOS. One entry per variable and profile: service `hermes`, account `<VAR>@<profile home>`
//! (e.g. `OPENROUTER_API_KEY@/home/me/.hermes`), so profiles never share a key by accident.
//!
//! A headless server has no Secret Service, and a locked keyring may wait for a password
//! prompt nobody sees: every call runs on its own thread and is given up after [`TIMEOUT`],
//! and without a session bus nothing is attempted at all. `HERMES_NO_KEYCHAIN=1` turns the
//! keychain off; callers then use `.env`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// The keychain service name of every entry.
pub const SERVICE: &str = "hermes";

/// How long one keychain call may take before hermes gives up on it.
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// Set to a true value (`1`, `true`, `yes`, `on`) to never use the keychain.
pub const DISABLE_VAR: &str = "HERMES_NO_KEYCHAIN";

/// The variables the keychain may hold: the model providers' API keys the setup wizard asks
/// for.
pub const KEYS: &[&str] = &[
    "OPENROUTER_API_KEY",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "NOUS_API_KEY",
];

/// Whether this build has a keychain backend for this OS.
const SUPPORTED: bool = cfg!(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos"
));

/// The account probed to see whether a keychain answers (never stored).
const PROBE_ACCOUNT: &str = "hermes-keychain-probe";

/// Whether `HERMES_NO_KEYCHAIN` (as `value`) turns the keychain off.
#[must_use]
pub fn disabled_by(value: Option<&str>) -> bool {
    matches!(
        value.map(|v| v.trim().to_ascii_lowercase()).as_deref(),
        Some("1" | "true" | "yes" | "on")
    )
}

/// The keychain entries of one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keychain {
    home: String,
    timeout: Duration,
}

impl Keychain {
    /// The keychain of the profile at `home`, if this machine could have one: the OS is
    /// supported and (on Linux and the BSDs) a D-Bus session bus is there to ask. Nothing is
    /// contacted yet.
    #[must_use]
    pub fn for_profile(home: &Path) -> Option<Self> {
        (SUPPORTED && session_bus_present()).then(|| Self::new(home))
    }

    /// The keychain of the profile at `home`, without looking for a session bus first.
    #[must_use]
    pub fn new(home: &Path) -> Self {
        Self {
            home: home.display().to_string(),
            timeout: TIMEOUT,
        }
    }

    /// The account name of `var` in this profile.
    #[must_use]
    pub fn account(&self, var: &str) -> String {
        format!("{var}@{}", self.home)
    }

    /// Whether a keychain answers (a lookup that finds nothing counts) within the timeout.
    ///
    /// # Errors
    /// Why it did not answer.
    pub fn probe(&self) -> Result<(), String> {
        self.call(|| match lookup(PROBE_ACCOUNT) {
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        })
    }

    /// The values of `vars` that the keychain holds.
    ///
    /// # Errors
    /// The keychain did not answer.
    pub fn get_many(&self, vars: &[&str]) -> Result<BTreeMap<String, String>, String> {
        let accounts: Vec<(String, String)> = vars
            .iter()
            .map(|v| ((*v).to_string(), self.account(v)))
            .collect();
        self.call(move || {
            let mut out = BTreeMap::new();
            for (var, account) in accounts {
                if let Some(value) = lookup(&account)?.filter(|v| !v.is_empty()) {
                    out.insert(var, value);
                }
            }
            Ok(out)
        })
    }

    /// The value of `var`, if the keychain holds one.
    ///
    /// # Errors
    /// The keychain did not answer.
    pub fn get(&self, var: &str) -> Result<Option<String>, String> {
        Ok(self.get_many(&[var])?.remove(var))
    }

    /// Stores `value` as `var`.
    ///
    /// # Errors
    /// The keychain did not answer or refused.
    pub fn set(&self, var: &str, value: &str) -> Result<(), String> {
        let account = self.account(var);
        let value = value.to_string();
        self.call(move || {
            keyring::Entry::new(SERVICE, &account)
                .and_then(|e| e.set_password(&value))
                .map_err(|e| e.to_string())
        })
    }

    /// Removes `var`; `Ok(false)` when there was nothing to remove.
    ///
    /// # Errors
    /// The keychain did not answer or refused.
    pub fn delete(&self, var: &str) -> Result<bool, String> {
        let account = self.account(var);
        self.call(move || {
            match keyring::Entry::new(SERVICE, &account).and_then(|e| e.delete_credential()) {
                Ok(()) => Ok(true),
                Err(keyring::Error::NoEntry) => Ok(false),
                Err(e) => Err(e.to_string()),
            }
        })
    }

    /// Runs `f` on its own thread and waits at most the timeout for it. A call still blocked
    /// (a keyring waiting for a password prompt) is left behind; it ends with the process.
    fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Result<T, String> {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("keychain".into())
            .spawn(move || {
                let _ = tx.send(f());
            })
            .map_err(|e| e.to_string())?;
        match rx.recv_timeout(self.timeout) {
            Ok(r) => r,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
                "no answer within {} s (a locked keyring waiting for its password?)",
                self.timeout.as_secs()
            )),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err("the keychain call failed".into()),
        }
    }
}

/// One entry's value; `Ok(None)` when there is none.
fn lookup(account: &str) -> Result<Option<String>, String> {
    match keyring::Entry::new(SERVICE, account).and_then(|e| e.get_password()) {
        Ok(v) => Ok(Some(v)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Whether a D-Bus session bus may be listening, as the D-Bus client will look for it:
/// `DBUS_SESSION_BUS_ADDRESS`, else `$XDG_RUNTIME_DIR/bus`. Checked without connecting, so a
/// headless server never waits. macOS needs no bus.
fn session_bus_present() -> bool {
    if cfg!(target_os = "macos") {
        return true;
    }
    if let Some(addr) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS") {
        return unix_socket_present(&addr.to_string_lossy());
    }
    let runtime = std::env::var_os("XDG_RUNTIME_DIR").map_or_else(
        || format!("/run/user/{}", rustix::process::geteuid().as_raw()),
        |d| d.to_string_lossy().into_owned(),
    );
    Path::new(&runtime).join("bus").exists()
}

/// For a `unix:path=…` address, whether the socket file exists; any other address (abstract
/// sockets, TCP) is tried.
fn unix_socket_present(addr: &str) -> bool {
    if addr.trim().is_empty() {
        return false;
    }
    for part in addr.split(';') {
        let Some(rest) = part.strip_prefix("unix:") else {
            return true;
        };
        match rest.split(',').find_map(|kv| kv.strip_prefix("path=")) {
            Some(path) => {
                if Path::new(path).exists() {
                    return true;
                }
            }
            None => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disable_values() {
        assert!(disabled_by(Some("1")));
        assert!(disabled_by(Some(" Yes ")));
        assert!(!disabled_by(Some("0")));
        assert!(!disabled_by(Some("")));
        assert!(!disabled_by(None));
    }

    #[test]
    fn accounts_name_the_variable_and_the_profile() {
        let k = Keychain::new(Path::new("/home/me/.hermes/profiles/work"));
        assert_eq!(
            k.account("OPENAI_API_KEY"),
            "OPENAI_API_KEY@/home/me/.hermes/profiles/work"
        );
    }

    #[test]
    fn bus_addresses_pointing_nowhere_are_not_tried() {
        assert!(!unix_socket_present(""));
        assert!(!unix_socket_present("unix:path=/nonexistent/bus"));
        assert!(unix_socket_present("unix:abstract=/tmp/dbus-x"));
        assert!(unix_socket_present("tcp:host=127.0.0.1,port=1"));
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("bus");
        std::fs::write(&sock, "").unwrap();
        assert!(unix_socket_present(&format!(
            "unix:path=/nonexistent/bus;unix:path={}",
            sock.display()
        )));
    }
}
