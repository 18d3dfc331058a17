//! The start-up ordering (`assets/link/startup-order.ld`, see `build.rs`) is applied to the
//! binary and still names the functions it has. Its patterns come from a trace of an earlier
//! build; as the code changes some stop matching and the cold start slowly regresses, so this
//! test asks for a regeneration (`benches/startup-order.sh`) before that goes far.

use std::process::Command;

/// The input-section patterns of the script, without the `.text.` prefix.
fn patterns() -> Vec<String> {
    let script = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/link/startup-order.ld"
    ))
    .unwrap();
    script
        .lines()
        .filter_map(|l| l.trim().strip_prefix("*(.text.")?.strip_suffix(')'))
        .map(str::to_string)
        .collect()
}

/// Glob match with `*` as the only wildcard.
fn glob(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let tail: Vec<&str> = parts.collect();
    let Some((last, middle)) = tail.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        let Some(at) = rest.find(part) else {
            return false;
        };
        rest = &rest[at + part.len()..];
    }
    rest.ends_with(last)
}

/// `tool args… <binary>` when the tool is installed (binutils comes with the C toolchain
/// that links Rust on Linux), else `None`.
fn binutils(tool: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(tool)
        .args(args)
        .arg(env!("CARGO_BIN_EXE_hermes"))
        .output()
        .ok()?;
    assert!(out.status.success(), "{tool} failed: {out:?}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn globs_match_as_the_linker_does() {
    assert!(glob("_ZN3foo17h*E", "_ZN3foo17h0123456789abcdefE"));
    assert!(!glob("_ZN3foo17h*E", "_ZN3foo17h0123456789abcdefEx"));
    assert!(glob("_RNvCs*_4core3x", "_RNvCsAb12_4core3x"));
    assert!(glob("a*b*c", "aXbYc"));
    assert!(!glob("a*b*c", "aXcYb"));
    assert!(glob("exact", "exact"));
    assert!(!glob("exact", "exactly"));
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
#[allow(clippy::print_stderr)] // says why a test did nothing
fn the_startup_functions_come_first_and_the_patterns_still_match() {
    let patterns = patterns();
    assert!(patterns.len() > 100, "{} patterns", patterns.len());
    if option_env!("HERMES_STARTUP_ORDER").is_none() {
        eprintln!("skipped: this build names its own linker, so build.rs did not apply the script");
        return;
    }
    let (Some(sections), Some(symbols)) = (
        binutils("readelf", &["-SW"]),
        binutils("nm", &["--defined-only"]),
    ) else {
        eprintln!("skipped: readelf and nm (binutils) are not installed");
        return;
    };
    assert!(
        sections.contains(".text.hermes_start"),
        "the binary has no .text.hermes_start section: build.rs did not pass the script"
    );
    let names: std::collections::BTreeSet<&str> = symbols
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .map(|n| match n.rsplit_once('.') {
            Some((base, n)) if n.chars().all(|c| c.is_ascii_digit()) => base,
            _ => n,
        })
        .collect();
    let stale: Vec<&String> = patterns
        .iter()
        .filter(|p| {
            let prefix = p.split('*').next().unwrap_or_default();
            !names
                .range(prefix..)
                .take_while(|n| n.starts_with(prefix))
                .any(|n| glob(p, n))
        })
        .collect();
    let matched = patterns.len() - stale.len();
    assert!(
        matched * 100 >= patterns.len() * 80,
        "only {matched} of {} start-up patterns name a function of this build; regenerate \
         assets/link/startup-order.ld with benches/startup-order.sh. Stale: {:?}",
        patterns.len(),
        &stale[..stale.len().min(10)]
    );
}
