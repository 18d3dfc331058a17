//! Access control: who may talk to the agent. Allowlists and DM/group policies (`policy`), and
//! the pairing store that lets an operator approve strangers by code (`pairing`). Delivering
//! the pairing message and logging the decision are the gateway's job.

mod error;
pub mod pairing;
pub mod policy;

pub use error::PairingError;
pub use pairing::{
    Approval, ApproveOutcome, ApprovedRow, ApprovedUser, CodeOutcome, Listing, PairingCode,
    PairingStore, PendingRow, Revoked, now,
};
pub use policy::{
    Behavior, ChatType, Decision, DmPolicy, Grant, GroupPolicy, Inbound, PlatformPolicy,
    TOO_MANY_REQUESTS, authorize, pairing_message, platform_policy,
};

/// The prefix of a platform's environment variables (`telegram` → `TELEGRAM`, as in
/// `TELEGRAM_ALLOWED_USERS`). Upstream names QQ's variables `QQ_*` although the platform is
/// `qqbot`.
#[must_use]
pub fn env_prefix(platform: &str) -> String {
    match platform {
        "qqbot" => "QQ".to_string(),
        p => p
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect(),
    }
}

/// The variable holding a platform's user allowlist (`<P>_ALLOWED_USERS`).
#[must_use]
pub fn allowlist_var(platform: &str) -> String {
    format!("{}_ALLOWED_USERS", env_prefix(platform))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_prefixes() {
        assert_eq!(env_prefix("telegram"), "TELEGRAM");
        assert_eq!(env_prefix("qqbot"), "QQ");
        assert_eq!(env_prefix("wecom_callback"), "WECOM_CALLBACK");
        assert_eq!(
            allowlist_var("whatsapp_cloud"),
            "WHATSAPP_CLOUD_ALLOWED_USERS"
        );
    }
}
