//! Live checks the platform wizards run after the answers (`validate.probe` in the specs): a
//! cheap authenticated call per platform. Telegram and Weixin use the runtime's own probes;
//! the others are one HTTP request (or an IMAP/SMTP login) each, written here.

mod email;

use std::collections::BTreeMap;
use std::time::Duration;

use hermes::config::{Env, Settings};
use hermes::home::HermesPaths;
use hermes::platforms::{telegram, weixin};
use serde_json::Value;

/// What a probe found out, for the `success` message (`{username}`, `{id}`, …).
pub(crate) type Facts = BTreeMap<String, String>;

/// The inputs of a probe: the answers so far, over the profile's environment.
pub(crate) struct ProbeInput<'a> {
    /// Answers of this wizard run (`TELEGRAM_BOT_TOKEN` → value).
    pub(crate) answers: &'a BTreeMap<String, String>,
    /// Process environment overlaid by the profile's `.env` (base URL overrides live here).
    pub(crate) env: &'a Env,
    /// The profile.
    pub(crate) paths: &'a HermesPaths,
    /// The HTTP client.
    pub(crate) http: &'a reqwest::Client,
}

impl ProbeInput<'_> {
    fn get(&self, key: &str) -> String {
        self.answers
            .get(key)
            .filter(|v| !v.is_empty())
            .cloned()
            .or_else(|| self.env.get(key).map(str::to_string))
            .unwrap_or_default()
    }
}

/// Runs the probe `name`; `Err` carries a one-line reason.
pub(crate) async fn run(name: &str, input: &ProbeInput<'_>) -> Result<Facts, String> {
    match name {
        "telegram.getMe" => telegram_get_me(input).await,
        "weixin.getconfig" => weixin_getconfig(input).await,
        "discord.users_me" => discord_users_me(input).await,
        "slack.auth_test" => slack_auth_test(input).await,
        "matrix.whoami" => matrix_whoami(input).await,
        "homeassistant.api" => home_assistant_api(input).await,
        "email.login" => email::login(input).await,
        other => Err(format!("unknown check `{other}`")),
    }
}

async fn telegram_get_me(input: &ProbeInput<'_>) -> Result<Facts, String> {
    let base = Some(input.get("TELEGRAM_BASE_URL"))
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| telegram::DEFAULT_BASE_URL.to_string());
    let config = telegram::TelegramConfig::new(&input.get("TELEGRAM_BOT_TOKEN"), &base);
    let bot = telegram::probe(&config, input.http)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Facts::from([
        ("username".into(), bot.username),
        ("id".into(), bot.id.to_string()),
        ("name".into(), bot.first_name),
    ]))
}

async fn weixin_getconfig(input: &ProbeInput<'_>) -> Result<Facts, String> {
    let pairs: Vec<(String, String)> = [
        "WEIXIN_ACCOUNT_ID",
        "WEIXIN_TOKEN",
        "WEIXIN_BASE_URL",
        "WEIXIN_CDN_BASE_URL",
    ]
    .iter()
    .map(|k| ((*k).to_string(), input.get(k)))
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let env = Env::from_pairs(pairs);
    let config = weixin::WeixinConfig::from_env(&env, &Settings::default(), input.paths)
        .map_err(|e| e.to_string())?;
    weixin::probe(&config, input.http)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Facts::from([("account_id".into(), config.account_id)]))
}

/// Sends a request and returns the JSON body of a 2xx answer.
async fn json(req: reqwest::RequestBuilder) -> Result<Value, String> {
    let resp = req
        .timeout(Duration::from_secs(15))
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    if !status.is_success() {
        let detail: String = body.chars().take(200).collect();
        return Err(format!("HTTP {status}: {}", detail.trim()));
    }
    serde_json::from_str(&body).map_err(|e| format!("the answer is not JSON: {e}"))
}

fn field(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn base_or(input: &ProbeInput<'_>, var: &str, default: &str) -> String {
    Some(input.get(var))
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| default.to_string())
        .trim_end_matches('/')
        .to_string()
}

async fn discord_users_me(input: &ProbeInput<'_>) -> Result<Facts, String> {
    let base = base_or(input, "DISCORD_BASE_URL", "https://discord.com/api/v10");
    let token = input.get("DISCORD_BOT_TOKEN");
    let v = json(
        input
            .http
            .get(format!("{base}/users/@me"))
            .header("Authorization", format!("Bot {token}")),
    )
    .await?;
    Ok(Facts::from([
        ("username".into(), field(&v, "username")),
        ("id".into(), field(&v, "id")),
    ]))
}

async fn slack_auth_test(input: &ProbeInput<'_>) -> Result<Facts, String> {
    let base = base_or(input, "SLACK_BASE_URL", "https://slack.com/api");
    let token = input.get("SLACK_BOT_TOKEN");
    let v = json(
        input
            .http
            .post(format!("{base}/auth.test"))
            .bearer_auth(token),
    )
    .await?;
    if v.get("ok").and_then(Value::as_bool) != Some(true) {
        return Err(format!("Slack answered `{}`", field(&v, "error")));
    }
    Ok(Facts::from([
        ("team".into(), field(&v, "team")),
        ("user".into(), field(&v, "user")),
        ("user_id".into(), field(&v, "user_id")),
    ]))
}

async fn matrix_whoami(input: &ProbeInput<'_>) -> Result<Facts, String> {
    let base = input
        .get("MATRIX_HOMESERVER")
        .trim_end_matches('/')
        .to_string();
    let token = input.get("MATRIX_ACCESS_TOKEN");
    let user = input.get("MATRIX_USER_ID");
    let v = if token.is_empty() {
        // Log in with the password; the gateway logs in again itself, so the session is ended
        // below.
        json(
            input
                .http
                .post(format!("{base}/_matrix/client/v3/login"))
                .json(&serde_json::json!({
                    "type": "m.login.password",
                    "identifier": {"type": "m.id.user", "user": user},
                    "password": input.get("MATRIX_PASSWORD"),
                    "initial_device_display_name": "hermes setup check",
                })),
        )
        .await?
    } else {
        json(
            input
                .http
                .get(format!("{base}/_matrix/client/v3/account/whoami"))
                .bearer_auth(&token),
        )
        .await?
    };
    let token_made = field(&v, "access_token");
    if token.is_empty() && !token_made.is_empty() {
        // The check's own device goes again: `POST /logout` (Matrix client-server API,
        // "Logout") invalidates the token and deletes the device. Best effort.
        let _ = json(
            input
                .http
                .post(format!("{base}/_matrix/client/v3/logout"))
                .bearer_auth(&token_made)
                .json(&serde_json::json!({})),
        )
        .await;
    }
    let found = field(&v, "user_id");
    if !user.is_empty() && !found.is_empty() && found != user {
        return Err(format!("the token belongs to {found}, not {user}"));
    }
    Ok(Facts::from([("user_id".into(), found)]))
}

async fn home_assistant_api(input: &ProbeInput<'_>) -> Result<Facts, String> {
    let base = base_or(input, "HASS_URL", "http://homeassistant.local:8123");
    let v = json(
        input
            .http
            .get(format!("{base}/api/"))
            .bearer_auth(input.get("HASS_TOKEN")),
    )
    .await?;
    Ok(Facts::from([("message".into(), field(&v, "message"))]))
}
