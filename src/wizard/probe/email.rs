//! The email check: log in to IMAP (`LOGIN`) and SMTP (`AUTH PLAIN`), then log out. Port 993
//! and 465 use TLS from the start, SMTP upgrades with STARTTLS when the server offers it, and
//! other ports (a local test server) stay plain.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{ClientConfig, RootCertStore, pki_types::ServerName};

use super::{Facts, ProbeInput};

const TIMEOUT: Duration = Duration::from_secs(15);

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

type Conn = BufReader<Box<dyn Stream>>;

pub(super) async fn login(input: &ProbeInput<'_>) -> Result<Facts, String> {
    let address = input.get("EMAIL_ADDRESS");
    let password = input.get("EMAIL_PASSWORD");
    let port = |var: &str, default: u16| input.get(var).parse::<u16>().unwrap_or(default);
    let imap_host = input.get("EMAIL_IMAP_HOST");
    let smtp_host = input.get("EMAIL_SMTP_HOST");
    tokio::time::timeout(
        TIMEOUT,
        imap(
            &imap_host,
            port("EMAIL_IMAP_PORT", 993),
            &address,
            &password,
        ),
    )
    .await
    .map_err(|_| format!("IMAP {imap_host}: timed out"))?
    .map_err(|e| format!("IMAP {imap_host}: {e}"))?;
    tokio::time::timeout(
        TIMEOUT,
        smtp(
            &smtp_host,
            port("EMAIL_SMTP_PORT", 587),
            &address,
            &password,
        ),
    )
    .await
    .map_err(|_| format!("SMTP {smtp_host}: timed out"))?
    .map_err(|e| format!("SMTP {smtp_host}: {e}"))?;
    Ok(Facts::from([("address".into(), address)]))
}

fn tls_connector() -> TlsConnector {
    let roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map(|b| b.with_root_certificates(roots).with_no_client_auth());
    match config {
        Ok(c) => TlsConnector::from(Arc::new(c)),
        // The ring provider supports the default versions; this cannot fail.
        Err(e) => unreachable!("rustls defaults: {e}"),
    }
}

async fn tls(host: &str, plain: Box<dyn Stream>) -> Result<Box<dyn Stream>, String> {
    let name = ServerName::try_from(host.to_string()).map_err(|e| e.to_string())?;
    let s = tls_connector()
        .connect(name, plain)
        .await
        .map_err(|e| format!("TLS: {e}"))?;
    Ok(Box::new(s))
}

async fn connect(host: &str, port: u16, implicit_tls: bool) -> Result<Conn, String> {
    let tcp = TcpStream::connect((host, port))
        .await
        .map_err(|e| format!("cannot connect to port {port}: {e}"))?;
    let stream: Box<dyn Stream> = if implicit_tls {
        tls(host, Box::new(tcp)).await?
    } else {
        Box::new(tcp)
    };
    Ok(BufReader::new(stream))
}

async fn line(conn: &mut Conn) -> Result<String, String> {
    let mut l = String::new();
    let n = conn.read_line(&mut l).await.map_err(|e| e.to_string())?;
    if n == 0 {
        return Err("the server closed the connection".into());
    }
    Ok(l.trim_end().to_string())
}

async fn send(conn: &mut Conn, text: &str) -> Result<(), String> {
    let s = conn.get_mut();
    s.write_all(text.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    s.write_all(b"\r\n").await.map_err(|e| e.to_string())?;
    s.flush().await.map_err(|e| e.to_string())
}

fn imap_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

async fn imap(host: &str, port: u16, user: &str, password: &str) -> Result<(), String> {
    let mut conn = connect(host, port, port == 993).await?;
    let greeting = line(&mut conn).await?;
    if !greeting.starts_with("* OK") && !greeting.starts_with("* PREAUTH") {
        return Err(format!("unexpected greeting `{greeting}`"));
    }
    send(
        &mut conn,
        &format!("a1 LOGIN {} {}", imap_quote(user), imap_quote(password)),
    )
    .await?;
    loop {
        let l = line(&mut conn).await?;
        if let Some(rest) = l.strip_prefix("a1 ") {
            if rest.starts_with("OK") {
                break;
            }
            return Err(format!("login refused: {rest}"));
        }
    }
    let _ = send(&mut conn, "a2 LOGOUT").await;
    Ok(())
}

/// Reads one SMTP reply (all continuation lines); returns its code and last line.
async fn reply(conn: &mut Conn) -> Result<(u16, Vec<String>), String> {
    let mut lines = Vec::new();
    loop {
        let l = line(conn).await?;
        let code = l
            .get(..3)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or(format!("bad reply `{l}`"))?;
        let more = l.as_bytes().get(3) == Some(&b'-');
        lines.push(l.get(4..).unwrap_or_default().to_string());
        if !more {
            return Ok((code, lines));
        }
    }
}

async fn expect(conn: &mut Conn, want: u16) -> Result<Vec<String>, String> {
    let (code, lines) = reply(conn).await?;
    if code == want {
        Ok(lines)
    } else {
        Err(format!(
            "{code} {}",
            lines.last().cloned().unwrap_or_default()
        ))
    }
}

async fn smtp(host: &str, port: u16, user: &str, password: &str) -> Result<(), String> {
    let mut conn = connect(host, port, port == 465).await?;
    expect(&mut conn, 220).await?;
    send(&mut conn, "EHLO hermes.local").await?;
    let caps = expect(&mut conn, 250).await?;
    let caps = if port != 465 && caps.iter().any(|c| c.eq_ignore_ascii_case("STARTTLS")) {
        send(&mut conn, "STARTTLS").await?;
        expect(&mut conn, 220).await?;
        let plain = conn.into_inner();
        conn = BufReader::new(tls(host, plain).await?);
        send(&mut conn, "EHLO hermes.local").await?;
        expect(&mut conn, 250).await?
    } else {
        caps
    };
    if !caps
        .iter()
        .any(|c| c.to_ascii_uppercase().starts_with("AUTH"))
    {
        return Err("the server offers no AUTH (is this the submission port?)".into());
    }
    let token = base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"));
    send(&mut conn, &format!("AUTH PLAIN {token}")).await?;
    expect(&mut conn, 235)
        .await
        .map_err(|e| format!("login refused: {e}"))?;
    let _ = send(&mut conn, "QUIT").await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use hermes::config::Env;
    use hermes::home::HermesPaths;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    use super::*;

    /// A plain-text IMAP + SMTP server on loopback that accepts one user.
    async fn fake_mail(user: &'static str, pass: &'static str) -> (u16, u16) {
        let imap = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let smtp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ports = (
            imap.local_addr().unwrap().port(),
            smtp.local_addr().unwrap().port(),
        );
        tokio::spawn(async move {
            while let Ok((s, _)) = imap.accept().await {
                tokio::spawn(async move {
                    let (r, mut w) = s.into_split();
                    let mut r = BufReader::new(r);
                    w.write_all(b"* OK fake IMAP ready\r\n").await.unwrap();
                    let mut l = String::new();
                    while r.read_line(&mut l).await.unwrap_or(0) > 0 {
                        let reply = if l.starts_with("a1 LOGIN") {
                            if l.trim_end() == format!("a1 LOGIN \"{user}\" \"{pass}\"") {
                                "a1 OK LOGIN completed\r\n"
                            } else {
                                "a1 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"
                            }
                        } else {
                            "* BYE\r\na2 OK\r\n"
                        };
                        w.write_all(reply.as_bytes()).await.unwrap();
                        l.clear();
                    }
                });
            }
        });
        tokio::spawn(async move {
            while let Ok((s, _)) = smtp.accept().await {
                tokio::spawn(async move {
                    let (r, mut w) = s.into_split();
                    let mut r = BufReader::new(r);
                    w.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                    let mut l = String::new();
                    let good = base64::engine::general_purpose::STANDARD
                        .encode(format!("\0{user}\0{pass}"));
                    while r.read_line(&mut l).await.unwrap_or(0) > 0 {
                        let reply = if l.starts_with("EHLO") {
                            "250-fake\r\n250 AUTH PLAIN LOGIN\r\n".to_string()
                        } else if let Some(t) = l.trim_end().strip_prefix("AUTH PLAIN ") {
                            if t == good {
                                "235 2.7.0 Authentication successful\r\n".into()
                            } else {
                                "535 5.7.8 Authentication failed\r\n".into()
                            }
                        } else {
                            "221 bye\r\n".into()
                        };
                        w.write_all(reply.as_bytes()).await.unwrap();
                        l.clear();
                    }
                });
            }
        });
        ports
    }

    async fn check(pass: &str, imap: u16, smtp: u16) -> Result<Facts, String> {
        let answers = BTreeMap::from([
            ("EMAIL_ADDRESS".to_string(), "bot@example.test".to_string()),
            ("EMAIL_PASSWORD".to_string(), pass.to_string()),
            ("EMAIL_IMAP_HOST".to_string(), "127.0.0.1".to_string()),
            ("EMAIL_IMAP_PORT".to_string(), imap.to_string()),
            ("EMAIL_SMTP_HOST".to_string(), "127.0.0.1".to_string()),
            ("EMAIL_SMTP_PORT".to_string(), smtp.to_string()),
        ]);
        let env = Env::from_pairs(Vec::<(String, String)>::new());
        let dir = tempfile::tempdir().unwrap();
        let paths = HermesPaths::at(dir.path(), dir.path());
        let http = reqwest::Client::new();
        login(&ProbeInput {
            answers: &answers,
            env: &env,
            paths: &paths,
            http: &http,
        })
        .await
    }

    #[tokio::test]
    async fn logs_in_to_imap_and_smtp() {
        let (imap, smtp) = fake_mail("bot@example.test", "s3cret").await;
        let facts = check("s3cret", imap, smtp).await.unwrap();
        assert_eq!(facts["address"], "bot@example.test");
        let err = check("wrong", imap, smtp).await.unwrap_err();
        assert!(
            err.starts_with("IMAP 127.0.0.1: login refused: NO"),
            "{err}"
        );
    }
}
