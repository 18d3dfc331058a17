//! What the wizards do to the outside world while asking: live checks, the Weixin QR login,
//! listing and trying models, opening an editor. `Effects` is a trait so plan-level tests run
//! the wizards offline; `LiveEffects` does it for real on a small tokio runtime, and Ctrl-C
//! during any of it cancels the wizard (exit 130).

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Result;
use hermes::agent::provider::{Anthropic, Flavor, OpenAiCompatible, Provider};
use hermes::agent::types::{ChatRequest, Message};
use hermes::config::Env;
use hermes::home::HermesPaths;
use hermes::platforms::weixin::{self, LoginEvent, LoginOptions};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::plan::PlannedFile;
use super::probe::{self, Facts, ProbeInput};
use super::prompter::{Prompter, cancelled};
use super::spec::{self, Login, ProviderSpec, fill, text};

/// An outcome that may fail with a one-line reason the wizard shows (the outer `Result` is for
/// cancellation and hard errors).
pub(crate) type Outcome<T> = Result<Result<T, String>>;

/// Side effects of the wizards.
pub(crate) trait Effects {
    /// Runs a live check (`telegram.getMe`, …) with the answers so far.
    fn probe(
        &mut self,
        p: &mut dyn Prompter,
        name: &str,
        answers: &BTreeMap<String, String>,
    ) -> Outcome<Facts>;
    /// Runs an interactive login; returns its outputs (`account_id`, `token`, `base_url`,
    /// `user_id`).
    fn login(&mut self, p: &mut dyn Prompter, login: &Login) -> Outcome<BTreeMap<String, String>>;
    /// The model ids a provider offers.
    fn list_models(
        &mut self,
        p: &mut dyn Prompter,
        provider: &ProviderSpec,
        base_url: &str,
        key: &str,
    ) -> Outcome<Vec<String>>;
    /// A one-token chat completion against `model`.
    fn check_model(
        &mut self,
        p: &mut dyn Prompter,
        provider: &ProviderSpec,
        base_url: &str,
        key: &str,
        model: &str,
    ) -> Outcome<()>;
    /// Lets the user edit `text` in their editor; returns the result.
    fn edit(&mut self, text: &str) -> Result<String>;
}

/// The file a login's outputs are kept in, written with the rest of the plan: for the Weixin
/// QR login, `weixin/accounts/<account_id>.json` (0600), as `weixin::qr_login` would save it.
pub(crate) fn login_file(
    paths: &HermesPaths,
    login: &Login,
    outputs: &BTreeMap<String, String>,
) -> Result<Option<PlannedFile>> {
    if login.kind != "weixin_qr" {
        return Ok(None);
    }
    let get = |k: &str| outputs.get(k).cloned().unwrap_or_default();
    let account = weixin::WeixinAccount {
        account_id: get("account_id"),
        token: get("token"),
        base_url: get("base_url"),
        user_id: get("user_id"),
        saved_at: jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
    };
    let path = weixin::config::account_file(paths, &account.account_id);
    if account.account_id.is_empty()
        || account.account_id.starts_with('.')
        || account.account_id.contains(['/', '\\', '\0'])
    {
        anyhow::bail!(
            "the Weixin login returned an unusable account id `{}`",
            account.account_id
        );
    }
    let mut contents = serde_json::to_string_pretty(&account)?;
    contents.push('\n');
    Ok(Some(PlannedFile {
        path,
        contents,
        mode: Some(hermes::fsutil::SECRET_MODE),
    }))
}

/// The real thing.
pub(crate) struct LiveEffects {
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    env: Env,
    paths: HermesPaths,
}

impl LiveEffects {
    pub(crate) fn new(paths: &HermesPaths, env: Env) -> Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(40))
            .build()?;
        Ok(Self {
            rt,
            http,
            env,
            paths: paths.clone(),
        })
    }

    /// Runs `fut`, giving up with a cancellation when Ctrl-C arrives.
    fn run<T>(&self, fut: impl Future<Output = T>) -> Result<T> {
        self.rt.block_on(async {
            tokio::select! {
                v = fut => Ok(v),
                _ = tokio::signal::ctrl_c() => Err(cancelled()),
            }
        })
    }

    fn provider(&self, spec: &ProviderSpec, base_url: &str, key: &str) -> Box<dyn Provider> {
        if spec.id == "anthropic" {
            let mut a = Anthropic::new(&spec.id, base_url, self.http.clone());
            if !key.is_empty() {
                a = a.with_key(key, spec.key_env.clone().unwrap_or_default());
            }
            Box::new(a)
        } else {
            let mut o = OpenAiCompatible::new(&spec.id, base_url, self.http.clone())
                .with_flavor(Flavor::detect(base_url));
            if !key.is_empty() {
                o = o.with_key(
                    key,
                    spec.key_env
                        .clone()
                        .unwrap_or_else(|| "model.api_key".into()),
                );
            }
            Box::new(o)
        }
    }
}

impl Effects for LiveEffects {
    fn probe(
        &mut self,
        p: &mut dyn Prompter,
        name: &str,
        answers: &BTreeMap<String, String>,
    ) -> Outcome<Facts> {
        let _spin = p.progress(&text(&spec::setup().gateway, "checking"));
        let input = ProbeInput {
            answers,
            env: &self.env,
            paths: &self.paths,
            http: &self.http,
        };
        self.run(probe::run(name, &input))
    }

    fn login(&mut self, p: &mut dyn Prompter, login: &Login) -> Outcome<BTreeMap<String, String>> {
        if login.kind != "weixin_qr" {
            return Ok(Err(format!("unknown login `{}`", login.kind)));
        }
        let opts = LoginOptions {
            base_url: self
                .env
                .get("WEIXIN_BASE_URL")
                .unwrap_or(weixin::DEFAULT_BASE_URL)
                .to_string(),
            // The account file is written with the rest of the plan, after the confirmation.
            save: false,
            ..LoginOptions::default()
        };
        let text = |key: &str| login.events.get(key).cloned().unwrap_or_default();
        let show = |p: &mut dyn Prompter, e: LoginEvent| match e {
            LoginEvent::QrCode { url, terminal } => {
                p.say(&text("qr_code"));
                p.say(&url);
                if let Some(qr) = terminal {
                    p.say(&qr);
                }
                p.say(&text("waiting"));
            }
            LoginEvent::Scanned => p.say(&text("scanned")),
            LoginEvent::Expired { refresh, max } => p.say(&fill(
                &text("expired"),
                &[("refresh", &refresh.to_string()), ("max", &max.to_string())],
            )),
            LoginEvent::Confirmed { account_id } => {
                p.say(&fill(&text("confirmed"), &[("account_id", &account_id)]));
            }
            LoginEvent::PollFailed { message } => p.warn(&message),
            LoginEvent::Waiting | LoginEvent::Redirected { .. } => {}
        };
        let http = self.http.clone();
        let paths = self.paths.clone();
        let result = self.run(weixin::qr_login(&http, &paths, &opts, |e| show(p, e)))?;
        Ok(result
            .map(|acc| {
                BTreeMap::from([
                    ("account_id".to_string(), acc.account_id),
                    ("token".to_string(), acc.token),
                    ("base_url".to_string(), acc.base_url),
                    ("user_id".to_string(), acc.user_id),
                ])
            })
            .map_err(|e| e.to_string()))
    }

    fn list_models(
        &mut self,
        p: &mut dyn Prompter,
        provider: &ProviderSpec,
        base_url: &str,
        key: &str,
    ) -> Outcome<Vec<String>> {
        let _spin = p.progress(&fill(
            &text(&spec::setup().model, "fetching"),
            &[("provider", &provider.id)],
        ));
        let url = format!("{}/models", base_url.trim_end_matches('/'));
        let mut req = self.http.get(url).timeout(Duration::from_secs(20));
        if provider.id == "anthropic" {
            req = req.header("x-api-key", key).header(
                "anthropic-version",
                hermes::agent::provider::ANTHROPIC_VERSION,
            );
            req = req.query(&[("limit", "1000")]);
        } else if !key.is_empty() {
            req = req.bearer_auth(key);
        }
        self.run(async move {
            let resp = req.send().await.map_err(|e| e.to_string())?;
            let status = resp.status();
            if !status.is_success() {
                return Err(format!("HTTP {status}"));
            }
            let v: Value = resp.json().await.map_err(|e| e.to_string())?;
            let mut ids: Vec<String> = v
                .get("data")
                .or_else(|| v.get("models"))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|m| {
                            m.get("id")
                                .or_else(|| m.get("name"))
                                .and_then(Value::as_str)
                                .map(str::to_string)
                        })
                        .collect()
                })
                .unwrap_or_default();
            ids.sort();
            ids.dedup();
            if ids.is_empty() {
                Err("the list is empty".to_string())
            } else {
                Ok(ids)
            }
        })
    }

    fn check_model(
        &mut self,
        p: &mut dyn Prompter,
        provider: &ProviderSpec,
        base_url: &str,
        key: &str,
        model: &str,
    ) -> Outcome<()> {
        let _spin = p.progress(&fill(
            &text(&spec::setup().model, "validating"),
            &[("model", model)],
        ));
        let prov = self.provider(provider, base_url, key);
        let mut req = ChatRequest::new(model, vec![Message::user("Say OK.")]);
        req.max_tokens = Some(1);
        let cancel = CancellationToken::new();
        self.run(async move {
            prov.chat(&req, &mut |_| {}, &cancel)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }

    fn edit(&mut self, text: &str) -> Result<String> {
        let editor = self
            .env
            .get("VISUAL")
            .or_else(|| self.env.get("EDITOR"))
            .unwrap_or("vi")
            .to_string();
        let dir = self.paths.cache_dir();
        // A cache directory made only for this edit goes again afterwards.
        let made = !dir.exists();
        std::fs::create_dir_all(&dir)?;
        let file = dir.join(format!("SOUL.md.edit-{}", std::process::id()));
        hermes::fsutil::write_atomic(&file, text.as_bytes(), Some(0o600))?;
        let mut parts = editor.split_whitespace();
        let program = parts.next().unwrap_or("vi");
        let status = std::process::Command::new(program)
            .args(parts)
            .arg(&file)
            .status();
        let edited = std::fs::read_to_string(&file);
        let _ = std::fs::remove_file(&file);
        if made {
            let _ = std::fs::remove_dir(&dir);
        }
        match status {
            Ok(s) if s.success() => Ok(edited?),
            Ok(s) => anyhow::bail!("the editor `{editor}` exited with {s}"),
            Err(e) => Err(anyhow::Error::new(e).context(format!("starting the editor `{editor}`"))),
        }
    }
}
