//! Link-time settings for the `hermes` binary (Linux with glibc, native builds).
//!
//! - The functions short commands run at start-up are placed together at the front of the
//!   code (`assets/link/startup-order.ld`, made by `benches/startup-order.sh`), so a command
//!   touches a few hundred KiB of the binary rather than pages spread over all of it. Only
//!   with the default linker (rust-lld) or GNU ld, which both take such a script; a linker
//!   chosen in the Cargo config or RUSTFLAGS is left alone.
//! - With glibc 2.36 or newer the binary's relative relocations are packed (`DT_RELR`): the
//!   dynamic loader then reads a few KiB of relocations instead of half a MiB at every start
//!   (docs/benchmarks.md). The binary stays position-independent. An older glibc cannot load
//!   such a binary, so the flag is only used when the build machine's glibc has it, and only
//!   for native builds (a cross build cannot ask the target's glibc).

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    let host = std::env::var("HOST").unwrap_or_default();
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if !linux_gnu {
        return;
    }
    if target == host && glibc_at_least(2, 36) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    if !custom_linker() {
        let script = format!(
            "{}/assets/link/startup-order.ld",
            std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()
        );
        println!("cargo:rerun-if-changed={script}");
        println!("cargo:rustc-link-arg-bins=-Wl,-T,{script}");
        // Tells tests/cli/startup_order.rs that the binary was linked with it.
        println!("cargo:rustc-env=HERMES_STARTUP_ORDER=1");
    }
}

/// Whether the build names its own linker (Cargo's `linker` setting, or `-fuse-ld`,
/// `-C linker` or a linker flavour in RUSTFLAGS).
fn custom_linker() -> bool {
    if std::env::var_os("RUSTC_LINKER").is_some() {
        return true;
    }
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    flags
        .split('\x1f')
        .any(|f| f.contains("fuse-ld") || f.contains("linker"))
}

/// Whether the build machine's glibc (`getconf GNU_LIBC_VERSION`, e.g. "glibc 2.36") is at
/// least `major.minor`; false when it cannot be told.
fn glibc_at_least(major: u32, minor: u32) -> bool {
    let Ok(out) = Command::new("getconf").arg("GNU_LIBC_VERSION").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(version) = text.trim().strip_prefix("glibc ") else {
        return false;
    };
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(a), Some(b)) => (a, b) >= (major, minor),
        _ => false,
    }
}
