//! Email adapter integration tests against real servers: Debian's postfix and dovecot started
//! through `shared/peers/mail.sh` (alice@example.test plays the human, bot@example.test is
//! the gateway). The tests share the two mailboxes, so they run one at a time (`serial`).
//! Alice's side speaks plain SMTP to port 25 from the test; her mailbox is read back over IMAP.

mod adapter;
mod gateway;
#[path = "../support/gateway_proc.rs"]
mod gateway_proc;
mod long_reply;
#[path = "../gateway/model.rs"]
mod model;
#[path = "../support/peer.rs"]
mod peer;
mod wizard;

#[path = "../support/adapter_gateway.rs"]
mod adapter_gateway;
pub(crate) use adapter_gateway::Gateway;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hermes::home::HermesPaths;
use hermes::platforms::email::{
    Email, EmailConfig, Imap, ParsedEmail, Security, TlsOptions, connector, parse_message,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, MutexGuard};

/// How long a test waits for something that should happen soon.
pub(crate) const WAIT: Duration = Duration::from_secs(30);

/// The mailboxes are shared: one test at a time.
pub(crate) async fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::const_new(());
    SERIAL.lock().await
}

pub(crate) fn mail(key: &str) -> String {
    peer::fact("mail", key)
}

pub(crate) fn port(key: &str) -> u16 {
    mail(key).parse().expect("a port")
}

/// A Message-ID no other test run uses.
pub(crate) fn unique_id(tag: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("<{tag}-{nanos}@example.test>")
}

/// A temporary hermes home.
pub(crate) struct Home {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) paths: HermesPaths,
}

impl Home {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let paths = HermesPaths::at(&dir.path().join(".hermes"), dir.path());
        Self { dir, paths }
    }

    /// The bot's account: IMAP with STARTTLS, submission with STARTTLS, the peer's
    /// self-signed certificate trusted.
    pub(crate) fn config(&self) -> EmailConfig {
        let mut c = EmailConfig::new(
            &mail("BOT_EMAIL"),
            &mail("BOT_PASSWORD"),
            &mail("IMAP_HOST"),
            &mail("SMTP_HOST"),
        );
        c.imap_port = port("IMAP_PORT");
        c.imap_security = Security::StartTls;
        c.smtp_port = port("SUBMISSION_PORT");
        c.smtp_security = Security::StartTls;
        c.tls = TlsOptions {
            ca_file: Some(mail("TLS_CERT").into()),
            insecure: false,
        };
        c.poll_interval = Duration::from_secs(1);
        c.lock_dir = Some(self.dir.path().join("locks"));
        c
    }

    pub(crate) fn adapter(&self, config: EmailConfig) -> Arc<Email> {
        Arc::new(Email::new(config, &self.paths))
    }
}

/// A raw RFC 5322 message.
pub(crate) fn message(from: &str, subject: &str, id: &str, extra: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: bot@example.test\r\nSubject: {subject}\r\nMessage-ID: {id}\r\nDate: Sun, 22 Nov 2026 06:00:00 +0000\r\n{extra}\r\n{body}\r\n"
    )
}

/// Reads one SMTP reply and checks its code.
async fn reply(io: &mut BufReader<TcpStream>, want: &str) {
    loop {
        let mut line = String::new();
        io.read_line(&mut line).await.unwrap();
        assert!(line.starts_with(want), "wanted {want}, got {line:?}");
        if line.as_bytes().get(3) != Some(&b'-') {
            return;
        }
    }
}

/// Hands `raw` to the real postfix on port 25 (plain SMTP, as another mail server would).
pub(crate) async fn smtp_deliver(envelope_from: &str, to: &str, raw: &str) {
    let stream = TcpStream::connect((mail("SMTP_HOST").as_str(), port("SMTP_PORT")))
        .await
        .expect("postfix answers on port 25");
    let mut io = BufReader::new(stream);
    reply(&mut io, "220").await;
    for (cmd, want) in [
        ("EHLO test.example.test".to_string(), "250"),
        (format!("MAIL FROM:<{envelope_from}>"), "250"),
        (format!("RCPT TO:<{to}>"), "250"),
        ("DATA".to_string(), "354"),
    ] {
        io.get_mut()
            .write_all(format!("{cmd}\r\n").as_bytes())
            .await
            .unwrap();
        reply(&mut io, want).await;
    }
    let body = raw.replace("\r\n.", "\r\n..");
    io.get_mut()
        .write_all(format!("{body}\r\n.\r\n").as_bytes())
        .await
        .unwrap();
    reply(&mut io, "250").await;
    io.get_mut().write_all(b"QUIT\r\n").await.unwrap();
}

/// Alice sends the bot a mail; returns its Message-ID.
pub(crate) async fn alice_sends(subject: &str, body: &str, extra: &str) -> String {
    let id = unique_id("alice");
    let from = format!("Alice <{}>", mail("ALICE_EMAIL"));
    smtp_deliver(
        &mail("ALICE_EMAIL"),
        &mail("BOT_EMAIL"),
        &message(&from, subject, &id, extra, body),
    )
    .await;
    id
}

/// Logs in to `user`'s mailbox over plain IMAP (the test's own view of it).
pub(crate) async fn mailbox(user: &str, password: &str) -> Imap {
    let tls = connector(&TlsOptions::default()).unwrap();
    let mut imap = Imap::connect(&mail("IMAP_HOST"), port("IMAP_PORT"), Security::None, tls)
        .await
        .expect("dovecot answers");
    imap.login(user, password).await.expect("login");
    imap.select("INBOX").await.expect("select");
    imap
}

/// The messages in alice's INBOX that answer `id`, waiting until `count` arrived.
pub(crate) async fn alice_replies_to(id: &str, count: usize) -> Vec<ParsedEmail> {
    let start = std::time::Instant::now();
    loop {
        let found = replies_now(id).await;
        if found.len() >= count || start.elapsed() > WAIT {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

pub(crate) async fn replies_now(id: &str) -> Vec<ParsedEmail> {
    let mut imap = mailbox(&mail("ALICE_EMAIL"), &mail("ALICE_PASSWORD")).await;
    let uids = imap
        .uid_search(&format!("HEADER In-Reply-To \"{id}\""))
        .await
        .unwrap();
    let mut out = Vec::new();
    for uid in uids {
        let f = imap.uid_fetch(uid, "BODY.PEEK[]").await.unwrap().unwrap();
        out.push(parse_message(&f.body, None).expect("a readable reply"));
    }
    imap.logout().await;
    out
}
