//! A small HTTP server on 127.0.0.1 (axum) answering fixed routes, for `doctor` probes and
//! `update` downloads. It records the paths it was asked for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{StatusCode, Uri};

/// A route: path, status, body.
pub(crate) type Route = (String, u16, Vec<u8>);

/// Routes by path: status and body.
type Table = Arc<Mutex<HashMap<String, (u16, Vec<u8>)>>>;

pub(crate) struct FakeHttp {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    routes: Table,
    hits: Arc<Mutex<Vec<String>>>,
    _rt: tokio::runtime::Runtime,
}

impl FakeHttp {
    pub(crate) fn start(routes: Vec<Route>) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let table: Table = Arc::new(Mutex::new(
            routes.into_iter().map(|(p, s, b)| (p, (s, b))).collect(),
        ));
        let hits = Arc::new(Mutex::new(Vec::new()));
        let (t, h) = (table.clone(), hits.clone());
        let app = axum::Router::new().fallback(move |uri: Uri| {
            let (t, h) = (t.clone(), h.clone());
            async move {
                h.lock().unwrap().push(uri.path().to_string());
                match t.lock().unwrap().get(uri.path()) {
                    Some((status, body)) => (
                        StatusCode::from_u16(*status).unwrap(),
                        Bytes::from(body.clone()),
                    ),
                    None => (StatusCode::NOT_FOUND, Bytes::from_static(b"not found")),
                }
            }
        });
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        rt.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url,
            routes: table,
            hits,
            _rt: rt,
        }
    }

    /// Adds or replaces a route.
    pub(crate) fn route(&self, path: &str, status: u16, body: impl Into<Vec<u8>>) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_string(), (status, body.into()));
    }

    /// Paths requested so far.
    pub(crate) fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }
}
