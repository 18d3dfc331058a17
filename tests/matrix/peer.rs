//! The real Synapse homeserver of `../shared/peers/synapse.sh` (started once per test
//! binary; a failure to start fails the tests), fresh users made through the Synapse admin
//! API, and a small client-server API client that plays the humans.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The running homeserver.
pub(crate) struct Peer {
    pub(crate) hs: String,
    admin_id: String,
    admin_token: String,
}

/// Installs (cached) and starts Synapse once; panics with its output when it cannot.
pub(crate) fn peer() -> &'static Peer {
    static PEER: OnceLock<Peer> = OnceLock::new();
    PEER.get_or_init(|| Peer {
        hs: crate::peers::fact("synapse", "HOMESERVER"),
        admin_id: crate::peers::fact("synapse", "ADMIN_USER_ID"),
        admin_token: crate::peers::fact("synapse", "ADMIN_ACCESS_TOKEN"),
    })
}

/// A random suffix for unique user names.
pub(crate) fn unique() -> String {
    let mut b = [0u8; 5];
    getrandom::fill(&mut b).unwrap();
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Peer {
    /// The admin, who creates users.
    pub(crate) fn admin(&self) -> User {
        User {
            hs: self.hs.clone(),
            id: self.admin_id.clone(),
            token: self.admin_token.clone(),
            http: reqwest::Client::new(),
        }
    }

    /// A fresh user `@<prefix><random>:localhost` with a password, logged in.
    pub(crate) async fn user(&self, prefix: &str) -> (User, String) {
        let name = format!("{prefix}{}", unique());
        let id = format!("@{name}:localhost");
        let password = format!("pw-{}", unique());
        let admin = self.admin();
        admin
            .call(
                "PUT",
                &format!("/_synapse/admin/v2/users/{}", enc(&id)),
                &json!({"password": password, "admin": false}),
            )
            .await;
        let login = admin
            .anonymous(
                "/_matrix/client/v3/login",
                &json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": id}, "password": password}),
            )
            .await;
        let user = User {
            hs: self.hs.clone(),
            id,
            token: login["access_token"].as_str().unwrap().to_string(),
            http: reqwest::Client::new(),
        };
        (user, password)
    }
}

/// Percent-encodes a path segment.
pub(crate) fn enc(s: &str) -> String {
    hermes::platforms::matrix::api::enc(s)
}

/// A logged-in user.
#[derive(Clone)]
pub(crate) struct User {
    pub(crate) hs: String,
    pub(crate) id: String,
    pub(crate) token: String,
    http: reqwest::Client,
}

impl User {
    /// A client-server call that must succeed.
    pub(crate) async fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        let (status, v) = self.try_call(method, path, body).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {v}"
        );
        v
    }

    /// A call that may fail: (status, body). Synapse's own rate limits (room creation has
    /// one the peer script does not raise) are waited out.
    pub(crate) async fn try_call(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        loop {
            let url = format!("{}{path}", self.hs);
            let req = match method {
                "GET" => self.http.get(url),
                "PUT" => self.http.put(url).json(body),
                _ => self.http.post(url).json(body),
            };
            let resp = req.bearer_auth(&self.token).send().await.unwrap();
            let status = resp.status().as_u16();
            let v: Value = resp.json().await.unwrap_or(Value::Null);
            if status == 429 {
                let ms = v["retry_after_ms"].as_u64().unwrap_or(1000).min(60_000);
                tokio::time::sleep(Duration::from_millis(ms)).await;
                continue;
            }
            return (status, v);
        }
    }

    async fn anonymous(&self, path: &str, body: &Value) -> Value {
        let resp = self
            .http
            .post(format!("{}{path}", self.hs))
            .json(body)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap()
    }

    /// Creates a private room and invites `invite`.
    pub(crate) async fn create_room(&self, invite: &[&str], is_direct: bool) -> String {
        let v = self
            .call(
                "POST",
                "/_matrix/client/v3/createRoom",
                &json!({"preset": "private_chat", "invite": invite, "is_direct": is_direct}),
            )
            .await;
        v["room_id"].as_str().unwrap().to_string()
    }

    /// Joins a room.
    pub(crate) async fn join(&self, room: &str) {
        self.call(
            "POST",
            &format!("/_matrix/client/v3/join/{}", enc(room)),
            &json!({}),
        )
        .await;
    }

    /// Sends a message event; returns its id.
    pub(crate) async fn send(&self, room: &str, content: &Value) -> String {
        let v = self
            .call(
                "PUT",
                &format!(
                    "/_matrix/client/v3/rooms/{}/send/m.room.message/t{}",
                    enc(room),
                    unique()
                ),
                content,
            )
            .await;
        v["event_id"].as_str().unwrap().to_string()
    }

    /// Sends plain text.
    pub(crate) async fn say(&self, room: &str, text: &str) -> String {
        self.send(room, &json!({"msgtype": "m.text", "body": text}))
            .await
    }

    /// The room's recent events, oldest first.
    pub(crate) async fn events(&self, room: &str) -> Vec<Value> {
        let v = self
            .call(
                "GET",
                &format!(
                    "/_matrix/client/v3/rooms/{}/messages?dir=b&limit=100",
                    enc(room)
                ),
                &Value::Null,
            )
            .await;
        let mut chunk = v["chunk"].as_array().cloned().unwrap_or_default();
        chunk.reverse();
        chunk
    }

    /// Waits until an event in the room matches `pred` and returns it.
    pub(crate) async fn wait_for(
        &self,
        room: &str,
        what: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let start = Instant::now();
        loop {
            if let Some(ev) = self.events(room).await.into_iter().find(|e| pred(e)) {
                return ev;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what} in {room}: {:#?}",
                self.events(room).await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `user` has joined `room`.
    pub(crate) async fn wait_joined(&self, room: &str, user: &str) {
        let start = Instant::now();
        loop {
            let v = self
                .call(
                    "GET",
                    &format!("/_matrix/client/v3/rooms/{}/joined_members", enc(room)),
                    &Value::Null,
                )
                .await;
            if v["joined"].get(user).is_some() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{user} did not join {room}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `user`'s membership in `room` as this user sees it.
    pub(crate) async fn membership(&self, room: &str, user: &str) -> Option<String> {
        let (status, v) = self
            .try_call(
                "GET",
                &format!(
                    "/_matrix/client/v3/rooms/{}/state/m.room.member/{}",
                    enc(room),
                    enc(user)
                ),
                &Value::Null,
            )
            .await;
        (status == 200)
            .then(|| v["membership"].as_str().map(str::to_string))
            .flatten()
    }

    /// Logs this access token out (revokes it).
    pub(crate) async fn logout(&self) {
        self.call("POST", "/_matrix/client/v3/logout", &json!({}))
            .await;
    }
}
