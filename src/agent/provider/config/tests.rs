use super::*;

fn settings(yaml: &str, env: &Env) -> Settings {
    let doc: Value = serde_yaml_ng::from_str(yaml).unwrap();
    Settings::resolve(&doc, env).unwrap()
}

fn primary(yaml: &str, pairs: &[(&str, &str)]) -> Result<ResolvedProvider, ProviderConfigError> {
    let env = Env::from_pairs(pairs.iter().copied());
    resolve_primary(&settings(yaml, &env), &env)
}

#[test]
fn auto_picks_by_key_in_order() {
    let yaml = "model: anthropic/claude-sonnet-4.6\n";
    let r = primary(
        yaml,
        &[("ANTHROPIC_API_KEY", "a"), ("OPENROUTER_API_KEY", "o")],
    )
    .unwrap();
    assert_eq!(
        (r.name.as_str(), r.base_url.as_str()),
        ("openrouter", OPENROUTER_URL)
    );
    assert_eq!(r.kind, ProviderKind::OpenAi(Flavor::OpenRouter));
    assert_eq!(
        (r.api_key.as_deref(), r.key_label.as_str()),
        (Some("o"), "OPENROUTER_API_KEY")
    );
    assert_eq!(r.model, "anthropic/claude-sonnet-4.6");
    assert!(
        !format!("{r:?}").contains("\"o\""),
        "Debug must not show the key"
    );

    let r = primary(yaml, &[("ANTHROPIC_API_KEY", "a"), ("OPENAI_API_KEY", "x")]).unwrap();
    assert_eq!(
        (r.name.as_str(), r.kind),
        ("anthropic", ProviderKind::Anthropic)
    );
    assert_eq!(r.base_url, "https://api.anthropic.com");

    let r = primary(
        "model: gpt-4o\n",
        &[("OPENAI_API_KEY", "x"), ("NOUS_API_KEY", "n")],
    )
    .unwrap();
    assert_eq!(
        (r.name.as_str(), r.base_url.as_str()),
        ("openai", OPENAI_URL)
    );

    let r = primary("model: Hermes-4-405B\n", &[("NOUS_API_KEY", "n")]).unwrap();
    assert_eq!((r.name.as_str(), r.base_url.as_str()), ("nous", NOUS_URL));

    let err = primary("model: x\n", &[]).unwrap_err();
    assert_eq!(err, ProviderConfigError::NoProvider);
    assert!(err.hints()[0].contains("hermes config set OPENROUTER_API_KEY"));
}

#[test]
fn explicit_provider_needs_its_key() {
    let yaml = "model:\n  default: claude-opus-4-1\n  provider: anthropic\n";
    let err = primary(yaml, &[("OPENROUTER_API_KEY", "o")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no API key for anthropic: ANTHROPIC_API_KEY is not set"
    );
    assert_eq!(
        err.hints(),
        vec!["`hermes config set ANTHROPIC_API_KEY <key>`"]
    );
    let r = primary(
        "model:\n  default: gpt-4o\n  provider: openai-api\n",
        &[("OPENAI_API_KEY", "k")],
    )
    .unwrap();
    assert_eq!(r.name, "openai");
}

#[test]
fn model_api_key_wins_over_env() {
    let yaml = "model:\n  default: m\n  provider: openrouter\n  api_key: inline\n";
    let r = primary(yaml, &[("OPENROUTER_API_KEY", "env")]).unwrap();
    assert_eq!(
        (r.api_key.as_deref(), r.key_label.as_str()),
        (Some("inline"), "model.api_key")
    );
}

#[test]
fn base_url_means_custom_and_keys_stay_on_their_hosts() {
    let yaml = "model:\n  default: qwen3\n  base_url: http://127.0.0.1:11434/v1/\n";
    let r = primary(
        yaml,
        &[("OPENAI_API_KEY", "secret"), ("OPENROUTER_API_KEY", "o")],
    )
    .unwrap();
    assert_eq!(r.name, "custom");
    assert_eq!(r.base_url, "http://127.0.0.1:11434/v1");
    assert_eq!(r.api_key, None);
    assert_eq!(r.kind, ProviderKind::OpenAi(Flavor::Generic));

    let yaml =
        "model:\n  default: gpt-4o\n  provider: custom\n  base_url: https://api.openai.com/v1\n";
    let r = primary(yaml, &[("OPENAI_API_KEY", "k")]).unwrap();
    assert_eq!(r.api_key.as_deref(), Some("k"));

    let err = primary("model:\n  default: m\n  provider: custom\n", &[]).unwrap_err();
    assert!(matches!(err, ProviderConfigError::MissingBaseUrl { .. }));

    let r = primary("model:\n  default: llama3\n  provider: ollama\n", &[]).unwrap();
    assert_eq!(r.base_url, "http://127.0.0.1:11434/v1");

    let yaml = "model:\n  default: MiniMax-M2\n  provider: custom\n  base_url: https://api.minimax.io/anthropic\n";
    assert_eq!(primary(yaml, &[]).unwrap().kind, ProviderKind::Anthropic);
}

#[test]
fn named_custom_providers() {
    let yaml = "\
model:
  default: ''
  provider: My Box
custom_providers:
  - name: my box
    base_url: http://10.0.0.5:8000/v1
    model: qwen3-32b
    api_key_env: BOX_KEY
  - name: other
    base_url: http://x/v1
    api_key: inline
";
    let r = primary(yaml, &[("BOX_KEY", "bk")]).unwrap();
    assert_eq!(r.name, "my box");
    assert_eq!(r.model, "qwen3-32b");
    assert_eq!(
        (r.api_key.as_deref(), r.key_label.as_str()),
        (Some("bk"), "BOX_KEY")
    );

    let yaml2 = yaml
        .replace("provider: My Box", "provider: custom:other")
        .replace("default: ''", "default: picked");
    let r = primary(&yaml2, &[]).unwrap();
    assert_eq!((r.name.as_str(), r.model.as_str()), ("other", "picked"));
    assert_eq!(r.api_key.as_deref(), Some("inline"));

    // A custom provider's own model wins over model.default, as upstream.
    let yaml3 = yaml.replace("default: ''", "default: ignored");
    assert_eq!(primary(&yaml3, &[]).unwrap().model, "qwen3-32b");

    let providers = "\
model: {default: m, provider: lab}
providers:
  lab: {api: 'https://lab.example/anthropic', key_env: LAB_KEY}
";
    let r = primary(providers, &[("LAB_KEY", "l")]).unwrap();
    assert_eq!((r.name.as_str(), r.kind), ("lab", ProviderKind::Anthropic));

    let err = primary("model: {default: m, provider: nope}\n", &[]).unwrap_err();
    assert_eq!(err.to_string(), "unknown model provider `nope`");
}

#[test]
fn no_model() {
    let err = primary(
        "model: {provider: openrouter}\n",
        &[("OPENROUTER_API_KEY", "k")],
    )
    .unwrap_err();
    assert_eq!(
        err.hints(),
        vec!["`hermes config set model.default <model>`"]
    );
}

#[test]
fn fallbacks_resolve_and_skip() {
    let yaml = "\
model: {default: anthropic/claude-sonnet-4.6, provider: openrouter}
fallback_providers:
  - {provider: anthropic, model: claude-sonnet-4-5}
  - {provider: nous}
  - {provider: custom, base_url: 'http://127.0.0.1:8080/v1', model: local}
";
    let env = Env::from_pairs([("OPENROUTER_API_KEY", "o"), ("ANTHROPIC_API_KEY", "a")]);
    let s = settings(yaml, &env);
    let f = resolve_fallbacks(&s, &env, "anthropic/claude-sonnet-4.6");
    assert_eq!(f.len(), 3);
    assert_eq!(f[0].1.as_ref().unwrap().model, "claude-sonnet-4-5");
    assert!(matches!(
        f[1].1,
        Err(ProviderConfigError::MissingKey { .. })
    ));
    assert_eq!(
        f[2].1.as_ref().unwrap().base_url,
        "http://127.0.0.1:8080/v1"
    );

    let chain = from_settings(&s, &env, reqwest::Client::new()).unwrap();
    let names: Vec<_> = chain.entries().collect();
    assert_eq!(
        names,
        vec![
            ("openrouter", "anthropic/claude-sonnet-4.6"),
            ("anthropic", "claude-sonnet-4-5"),
            ("custom", "local"),
        ]
    );
    assert_eq!(chain.skipped().len(), 1);
    assert_eq!(chain.skipped()[0].provider, "nous");
}

#[test]
fn legacy_fallback_model_and_retries() {
    let yaml = "\
model: {default: m, provider: openrouter}
fallback_model: {provider: openai, model: gpt-4o-mini}
agent: {api_max_retries: 1}
";
    let env = Env::from_pairs([("OPENROUTER_API_KEY", "o"), ("OPENAI_API_KEY", "k")]);
    let s = settings(yaml, &env);
    let f = resolve_fallbacks(&s, &env, "m");
    assert_eq!(f[0].1.as_ref().unwrap().name, "openai");
    assert_eq!(retry_policy(&s).max_attempts, 2);
}

#[test]
fn upstream_environment_variables() {
    // HERMES_INFERENCE_PROVIDER fills in an unset model.provider; config wins.
    let r = primary(
        "model: claude-x\n",
        &[
            ("HERMES_INFERENCE_PROVIDER", "anthropic"),
            ("ANTHROPIC_API_KEY", "a"),
            ("OPENROUTER_API_KEY", "o"),
        ],
    )
    .unwrap();
    assert_eq!(r.name, "anthropic");
    let r = primary(
        "model: {default: x, provider: openrouter}\n",
        &[
            ("HERMES_INFERENCE_PROVIDER", "anthropic"),
            ("ANTHROPIC_API_KEY", "a"),
            ("OPENROUTER_API_KEY", "o"),
        ],
    )
    .unwrap();
    assert_eq!(r.name, "openrouter");

    // CUSTOM_BASE_URL wins over model.base_url for auto/custom.
    let r = primary(
        "model: {default: m, base_url: 'http://127.0.0.1:1/v1'}\n",
        &[("CUSTOM_BASE_URL", "http://127.0.0.1:2/v1/")],
    )
    .unwrap();
    assert_eq!(
        (r.name.as_str(), r.base_url.as_str()),
        ("custom", "http://127.0.0.1:2/v1")
    );

    // OPENROUTER_BASE_URL points OpenRouter at a mirror, with the OpenRouter key.
    let r = primary(
        "model: x/y\n",
        &[
            ("OPENROUTER_API_KEY", "o"),
            ("OPENROUTER_BASE_URL", "https://or-mirror.example/api/v1/"),
        ],
    )
    .unwrap();
    assert_eq!(r.base_url, "https://or-mirror.example/api/v1");
    assert_eq!(r.api_key.as_deref(), Some("o"));

    // OPENAI_BASE_URL is not read (upstream dropped it: config.yaml names endpoints).
    let r = primary(
        "model: gpt-4o\n",
        &[
            ("OPENAI_API_KEY", "k"),
            ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
        ],
    )
    .unwrap();
    assert_eq!(r.base_url, OPENAI_URL);
}

#[test]
fn custom_hosts_get_their_vendor_key_only() {
    let yaml = "model: {default: deepseek-chat, base_url: 'https://api.deepseek.com/v1'}\n";
    let r = primary(
        yaml,
        &[("DEEPSEEK_API_KEY", "d"), ("OPENAI_API_KEY", "secret")],
    )
    .unwrap();
    assert_eq!(
        (r.api_key.as_deref(), r.key_label.as_str()),
        (Some("d"), "DEEPSEEK_API_KEY")
    );
    // model.api_key wins; a local server gets no cloud key.
    let yaml = "model: {default: m, base_url: 'http://127.0.0.1:8080/v1', api_key: local}\n";
    let r = primary(yaml, &[("OPENAI_API_KEY", "secret")]).unwrap();
    assert_eq!(r.api_key.as_deref(), Some("local"));

    assert_eq!(
        vendor_key_var("https://api.groq.com/openai/v1").as_deref(),
        Some("GROQ_API_KEY")
    );
    assert_eq!(
        vendor_key_var("https://api.mistral.ai/v1").as_deref(),
        Some("MISTRAL_API_KEY")
    );
    // A look-alike host names itself, never the vendor it imitates.
    assert_eq!(
        vendor_key_var("https://api.deepseek.com.attacker.test/v1").as_deref(),
        Some("ATTACKER_API_KEY")
    );
    for none in [
        "http://127.0.0.1:8080/v1",
        "http://localhost:11434/v1",
        "http://[::1]:8000/v1",
        "https://api.openai.com/v1",
        "https://openrouter.ai/api/v1",
        "https://ollama.com/v1",
        "http://myserver/v1",
    ] {
        assert_eq!(vendor_key_var(none), None, "{none}");
    }
}
