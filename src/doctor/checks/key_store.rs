//! Which store holds the model provider's key: the OS keychain, the profile's `.env`, the
//! environment, or none; and whether a keychain answers here.

use super::Ctx;
use crate::agent::provider::{ProviderConfigError, resolve_primary};
use crate::config::keychain::{self, Keychain};
use crate::doctor::Finding;

/// One `→` row under "Model Provider"; none when the provider needs no key variable.
pub(in crate::doctor) fn check(cx: &Ctx<'_>) -> Vec<Finding> {
    const P: &str = "Model Provider";
    let var = match resolve_primary(&cx.settings, &cx.env) {
        Ok(p) if p.api_key.is_some() => p.key_label,
        Err(ProviderConfigError::MissingKey { var, .. }) => var,
        _ => return Vec::new(),
    };
    let store = if !var
        .chars()
        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
    {
        // An inline key (`model.api_key`, a fallback entry's `api_key`).
        format!("config.yaml ({var})")
    } else if cx.env.get(&var).is_none() {
        format!("missing ({var} is in no keychain, .env or environment)")
    } else if cx.env.is_from_keychain(&var) {
        format!("the OS keychain (service `{}`)", keychain::SERVICE)
    } else if cx.env.is_from_dotenv(&var) {
        cx.show(&cx.paths.env_file())
    } else {
        "the environment".into()
    };
    let disabled =
        keychain::disabled_by(cx.env.vars().get(keychain::DISABLE_VAR).map(String::as_str));
    let keychain = if disabled {
        format!("(keychain off: {}=1)", keychain::DISABLE_VAR)
    } else {
        match Keychain::for_profile(cx.paths.home()).map(|k| k.probe()) {
            None => "(no keychain here: no D-Bus session)".into(),
            Some(Ok(())) => "(the OS keychain answers)".into(),
            Some(Err(e)) => format!("(the OS keychain does not answer: {e})"),
        }
    };
    vec![
        Finding::info("provider.key_store", P, format!("Model key store: {store}"))
            .detail(keychain),
    ]
}
