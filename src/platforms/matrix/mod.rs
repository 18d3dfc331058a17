//! Matrix over the client-server API v3: password or token login (the token kept in the
//! profile so restarts reuse the device), a `/sync` long poll whose position is saved only
//! after the gateway accepted the batch, invites, DMs, groups and threads, media, and the
//! [`MatrixOutbox`]. End-to-end encryption is not implemented: encrypted rooms get a one-time
//! notice. Who may talk to the agent is the gateway's auth module's business.

pub mod api;
pub mod config;
pub mod convert;
pub mod format;
mod outbox;
mod rooms;
pub mod state;
mod sync;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};

pub use config::{MatrixConfig, MatrixConfigError};
pub use convert::Me;
pub use outbox::MatrixOutbox;
pub use rooms::E2EE_NOTICE;

use self::api::Api;
use self::state::StateFile;
use crate::auth::PairingStore;
use crate::home::HermesPaths;
use crate::platforms::{Capabilities, Outbox, Platform, PlatformCx, PlatformError};

/// The platform name.
pub const PLATFORM: &str = "matrix";
/// The token-lock scope: one gateway per homeserver account.
pub const LOCK_SCOPE: &str = "matrix-user";
/// The log component.
const TARGET: &str = "gateway.platforms.matrix";

/// What is known about a joined room.
#[derive(Debug, Clone, Default)]
struct RoomInfo {
    /// Joined members and their display names (fetched when needed).
    members: Option<HashMap<String, Option<String>>>,
    /// `m.room.name`.
    name: Option<String>,
    /// `m.room.encryption` is set.
    encrypted: bool,
}

/// State shared by the sync loop and the outbox.
#[derive(Debug)]
pub(crate) struct Shared {
    config: MatrixConfig,
    paths: HermesPaths,
    api: Api,
    state: StateFile,
    pairing: PairingStore,
    me: RwLock<Me>,
    direct: Mutex<HashSet<String>>,
    rooms: Mutex<HashMap<String, RoomInfo>>,
    /// Message event id → (room, reaction event id) of the 👀 shown while working on it.
    pending_reactions: Mutex<HashMap<String, (String, String)>>,
    /// Fingerprint of a failed send → its transaction id, reused by the retry.
    retry_txns: Mutex<HashMap<u64, String>>,
    txn_counter: AtomicU64,
}

impl Shared {
    fn me(&self) -> Me {
        self.me.read().map(|m| m.clone()).unwrap_or_default()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The guarded maps stay consistent even if a holder panicked; keep using them.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One Matrix account.
#[derive(Debug)]
pub struct Matrix {
    shared: Arc<Shared>,
    outbox: Arc<MatrixOutbox>,
}

impl Matrix {
    /// An adapter for `config`, keeping its state under `paths`.
    #[must_use]
    pub fn new(config: MatrixConfig, paths: &HermesPaths, http: reqwest::Client) -> Self {
        let state = StateFile::load(&Self::state_file_in(paths));
        let saved = state.get();
        let token = config.access_token.clone().or_else(|| {
            (saved.homeserver == config.homeserver
                && config.user_id.as_deref() == Some(saved.user_id.as_str()))
            .then_some(saved.access_token)
            .flatten()
        });
        let api = Api::new(http, &config.homeserver, token.as_deref().unwrap_or(""));
        let shared = Arc::new(Shared {
            pairing: PairingStore::open(paths),
            paths: paths.clone(),
            api,
            state,
            me: RwLock::new(Me::default()),
            direct: Mutex::new(HashSet::new()),
            rooms: Mutex::new(HashMap::new()),
            pending_reactions: Mutex::new(HashMap::new()),
            retry_txns: Mutex::new(HashMap::new()),
            txn_counter: AtomicU64::new(0),
            config,
        });
        let outbox = Arc::new(MatrixOutbox {
            shared: Arc::clone(&shared),
        });
        Self { shared, outbox }
    }

    fn state_file_in(paths: &HermesPaths) -> std::path::PathBuf {
        paths.platform_state_dir(PLATFORM).join("session.json")
    }

    /// `<home>/matrix/session.json`.
    #[must_use]
    pub fn state_file(&self) -> std::path::PathBuf {
        Self::state_file_in(&self.shared.paths)
    }

    /// The bot's identity, once `run` has logged in.
    #[must_use]
    pub fn me(&self) -> Me {
        self.shared.me()
    }

    /// The adapter's settings.
    #[must_use]
    pub fn config(&self) -> &MatrixConfig {
        &self.shared.config
    }
}

/// Checks the credentials (for `doctor` and the setup wizard): `whoami` with the token, or a
/// password login whose new device is logged out again.
pub async fn probe(config: &MatrixConfig, http: &reqwest::Client) -> Result<Me, PlatformError> {
    let api = Api::new(
        http.clone(),
        &config.homeserver,
        config.access_token.as_deref().unwrap_or(""),
    );
    let session = match (&config.access_token, &config.user_id, &config.password) {
        (Some(_), _, _) => api.whoami().await,
        (None, Some(user), Some(password)) => {
            let s = api.login(user, password, None).await;
            if let Ok(s) = &s {
                api.set_token(s.access_token.as_deref().unwrap_or(""));
                let _ = api.post("/logout", &serde_json::json!({})).await;
            }
            s
        }
        _ => {
            return Err(PlatformError::Fatal {
                platform: PLATFORM.into(),
                message: "no MATRIX_ACCESS_TOKEN and no MATRIX_USER_ID/MATRIX_PASSWORD".into(),
                code: "matrix_config".into(),
            });
        }
    }
    .map_err(api::ApiError::classify)?;
    Ok(Me {
        user_id: session.user_id,
        display_name: None,
    })
}

#[async_trait::async_trait]
impl Platform for Matrix {
    fn name(&self) -> &str {
        PLATFORM
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            max_message_length: self.shared.config.max_message_length,
            edits: true,
            threads: true,
            reactions: self.shared.config.reactions,
            typing: true,
            files: true,
        }
    }

    fn outbox(&self) -> Arc<dyn Outbox> {
        Arc::clone(&self.outbox) as Arc<dyn Outbox>
    }

    async fn run(&self, cx: PlatformCx) -> Result<(), PlatformError> {
        sync::run(&self.shared, &cx).await
    }
}
