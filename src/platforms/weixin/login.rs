//! QR login for the setup wizard and the credential probe for `doctor`. The login reports
//! progress as [`LoginEvent`]s (the QR code comes pre-rendered for a terminal) and never
//! prints; the caller shows them. A confirmed login is saved as the account file, unless the
//! caller asks to write it itself.

use std::time::Duration;

use qrcode::QrCode;
use qrcode::render::unicode::Dense1x2;
use serde_json::{Map, Value};
use tokio::time::Instant;

use super::api::{ApiError, EP_GET_BOT_QR, EP_GET_CONFIG, EP_GET_QR_STATUS, Ilink, Ret};
use super::config::{self, DEFAULT_BASE_URL, WeixinAccount, WeixinConfig, WeixinConfigError};
use crate::home::HermesPaths;
use crate::platforms::PlatformError;

/// What the login is doing, for the caller to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginEvent {
    /// A code to scan: its URL and a rendering for the terminal (`None` if it cannot be drawn).
    QrCode {
        /// The URL inside the code.
        url: String,
        /// Unicode half-block rendering, light on dark.
        terminal: Option<String>,
    },
    /// Not scanned yet.
    Waiting,
    /// Scanned; waiting for the confirmation on the phone.
    Scanned,
    /// The server moved the login to another host.
    Redirected {
        /// The new base URL.
        base_url: String,
    },
    /// The code expired and a new one is being fetched.
    Expired {
        /// This refresh's number (1-based).
        refresh: u32,
        /// The most refreshes allowed.
        max: u32,
    },
    /// A status poll failed; polling continues.
    PollFailed {
        /// What went wrong.
        message: String,
    },
    /// Logged in.
    Confirmed {
        /// The bot account id.
        account_id: String,
    },
}

impl LoginEvent {
    /// Upstream's line for this event, where it prints one.
    #[must_use]
    pub fn text(&self) -> Option<String> {
        match self {
            Self::QrCode { .. } => Some("请使用微信扫描以下二维码：".into()),
            Self::Waiting => Some(".".into()),
            Self::Scanned => Some("已扫码，请在微信里确认...".into()),
            Self::Expired { refresh, max } => {
                Some(format!("二维码已过期，正在刷新... ({refresh}/{max})"))
            }
            Self::Confirmed { account_id } => {
                Some(format!("微信连接成功，account_id={account_id}"))
            }
            Self::Redirected { .. } | Self::PollFailed { .. } => None,
        }
    }
}

/// Why the login did not complete.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The QR code could not be fetched.
    #[error("failed to fetch the Weixin QR code")]
    Fetch(#[source] ApiError),
    /// The answer had no `qrcode`.
    #[error("the Weixin QR code answer has no `qrcode` field")]
    NoQrCode,
    /// Expired more often than allowed.
    #[error("二维码多次过期，请重新执行登录。")]
    Expired,
    /// Not confirmed in time.
    #[error("微信登录超时。")]
    TimedOut,
    /// Confirmed without a bot id or token.
    #[error("the Weixin login was confirmed but the credentials are incomplete")]
    Incomplete,
    /// The account could not be saved.
    #[error(transparent)]
    Save(#[from] WeixinConfigError),
}

impl LoginError {
    /// Hints a user can act on.
    #[must_use]
    pub fn hints(&self) -> Vec<String> {
        match self {
            Self::Fetch(_) => vec!["check the network connection to ilinkai.weixin.qq.com".into()],
            Self::Expired | Self::TimedOut => {
                vec!["run the setup again and scan the code within a few minutes".into()]
            }
            Self::Save(e) => e.hints(),
            Self::NoQrCode | Self::Incomplete => Vec::new(),
        }
    }
}

/// Knobs of the login; the defaults are upstream's, tests shorten them.
#[derive(Debug, Clone)]
pub struct LoginOptions {
    /// Where to fetch the code.
    pub base_url: String,
    /// `bot_type` of the code (`3`).
    pub bot_type: String,
    /// Time between status polls.
    pub poll_interval: Duration,
    /// Give up after this long.
    pub timeout: Duration,
    /// Refresh an expired code at most this often.
    pub max_refreshes: u32,
    /// Timeout of one request.
    pub request_timeout: Duration,
    /// Scheme put before a `redirect_host` (`https`).
    pub redirect_scheme: String,
    /// Save the confirmed account as its file (`true`); `false` only returns it, for a
    /// caller (the setup wizard) that writes it after the user confirms.
    pub save: bool,
}

impl Default for LoginOptions {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.into(),
            bot_type: "3".into(),
            poll_interval: Duration::from_secs(1),
            timeout: Duration::from_mins(8),
            max_refreshes: 3,
            request_timeout: Duration::from_secs(35),
            redirect_scheme: "https".into(),
            save: true,
        }
    }
}

/// Renders `data` as a QR code of Unicode half blocks, light modules on a dark terminal.
#[must_use]
pub fn render_qr(data: &str) -> Option<String> {
    let code = QrCode::new(data.as_bytes()).ok()?;
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

/// Runs the QR login: fetch a code, poll its status until confirmed, then (with
/// `opts.save`) save the account to `<home>/weixin/accounts/<account_id>.json` (0600) and
/// return it.
pub async fn qr_login(
    http: &reqwest::Client,
    paths: &HermesPaths,
    opts: &LoginOptions,
    mut on_event: impl FnMut(LoginEvent),
) -> Result<WeixinAccount, LoginError> {
    let origin = Ilink::new(http.clone(), &opts.base_url, None);
    let mut qrcode = fetch_code(&origin, opts, &mut on_event).await?;
    let mut poller = origin.clone();
    let deadline = Instant::now() + opts.timeout;
    let mut refreshes = 0;
    while Instant::now() < deadline {
        let status = poller
            .get(&status_query(&qrcode), opts.request_timeout)
            .await;
        match status {
            Err(e) => {
                if !e.is_timeout() {
                    on_event(LoginEvent::PollFailed {
                        message: e.detail(),
                    });
                }
            }
            Ok(v) => {
                let field = |k: &str| {
                    v.get(k)
                        .and_then(Value::as_str)
                        .map(str::trim)
                        .unwrap_or_default()
                        .to_string()
                };
                match field("status").as_str() {
                    "scaned" => on_event(LoginEvent::Scanned),
                    "scaned_but_redirect" => {
                        let host = field("redirect_host");
                        if !host.is_empty() {
                            let base_url = format!("{}://{host}", opts.redirect_scheme);
                            poller = Ilink::new(http.clone(), &base_url, None);
                            on_event(LoginEvent::Redirected { base_url });
                        }
                    }
                    "expired" => {
                        refreshes += 1;
                        if refreshes > opts.max_refreshes {
                            return Err(LoginError::Expired);
                        }
                        on_event(LoginEvent::Expired {
                            refresh: refreshes,
                            max: opts.max_refreshes,
                        });
                        qrcode = fetch_code(&origin, opts, &mut on_event).await?;
                    }
                    "confirmed" => {
                        let account = WeixinAccount {
                            account_id: field("ilink_bot_id"),
                            token: field("bot_token"),
                            base_url: normalise_base(&field("baseurl"), &opts.base_url),
                            user_id: field("ilink_user_id"),
                            saved_at: String::new(),
                        };
                        if account.account_id.is_empty() || account.token.is_empty() {
                            return Err(LoginError::Incomplete);
                        }
                        let saved = if opts.save {
                            config::save_account(paths, &account)?;
                            config::load_account(paths, &account.account_id)?
                        } else {
                            None
                        };
                        on_event(LoginEvent::Confirmed {
                            account_id: account.account_id.clone(),
                        });
                        return Ok(saved.unwrap_or(account));
                    }
                    _ => on_event(LoginEvent::Waiting),
                }
            }
        }
        tokio::time::sleep(opts.poll_interval).await;
    }
    Err(LoginError::TimedOut)
}

async fn fetch_code(
    origin: &Ilink,
    opts: &LoginOptions,
    on_event: &mut impl FnMut(LoginEvent),
) -> Result<String, LoginError> {
    let v = origin
        .get(
            &format!("{EP_GET_BOT_QR}?bot_type={}", opts.bot_type),
            opts.request_timeout,
        )
        .await
        .map_err(LoginError::Fetch)?;
    let text = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let qrcode = text("qrcode");
    if qrcode.is_empty() {
        return Err(LoginError::NoQrCode);
    }
    // The phone must scan the full URL; the bare token is only a fallback.
    let url = Some(text("qrcode_img_content"))
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| qrcode.clone());
    on_event(LoginEvent::QrCode {
        terminal: render_qr(&url),
        url,
    });
    Ok(qrcode)
}

fn status_query(qrcode: &str) -> String {
    let mut u = reqwest::Url::parse("http://q/").unwrap_or_else(|_| unreachable!("a literal"));
    u.query_pairs_mut().append_pair("qrcode", qrcode);
    format!("{EP_GET_QR_STATUS}?{}", u.query().unwrap_or_default())
}

fn normalise_base(baseurl: &str, fallback: &str) -> String {
    let b = baseurl.trim().trim_end_matches('/');
    if b.is_empty() {
        fallback.trim_end_matches('/').to_string()
    } else if b.contains("://") {
        b.to_string()
    } else {
        format!("https://{b}")
    }
}

/// Checks the credentials with a cheap authenticated call (`getconfig` for the account's
/// owner), for `doctor`. `-14` or HTTP 401/403 mean the token is no longer accepted.
pub async fn probe(config: &WeixinConfig, http: &reqwest::Client) -> Result<(), PlatformError> {
    let api = Ilink::new(http.clone(), &config.base_url, Some(&config.token));
    let mut p = Map::new();
    let user = config.user_id.as_deref().unwrap_or(&config.account_id);
    p.insert("ilink_user_id".into(), user.into());
    let v = api
        .post(EP_GET_CONFIG, p, config.timings.config)
        .await
        .map_err(|e| super::api_error(&e))?;
    let ret = Ret::of(&v);
    if ret.is_ok() {
        Ok(())
    } else if ret.is_session_expired() {
        Err(super::unauthorized(format!(
            "iLink answered `session expired` ({ret}); {}",
            super::RELOGIN
        )))
    } else {
        Err(super::transient(format!("iLink getconfig failed: {ret}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_renders_and_texts() {
        let q = render_qr("https://liteapp.weixin.qq.com/q/abc?qrcode=123&bot_type=3").unwrap();
        assert!(q.lines().count() > 10);
        assert!(q.contains('█') || q.contains('▀') || q.contains('▄'));
        assert_eq!(
            LoginEvent::Confirmed {
                account_id: "b@im.bot".into()
            }
            .text()
            .unwrap(),
            "微信连接成功，account_id=b@im.bot"
        );
        assert_eq!(normalise_base("", "http://x/"), "http://x");
        assert_eq!(
            normalise_base("ilink.example", "x"),
            "https://ilink.example"
        );
        assert_eq!(
            status_query("a b"),
            "ilink/bot/get_qrcode_status?qrcode=a+b"
        );
    }
}
