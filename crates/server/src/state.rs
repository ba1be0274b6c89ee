//! What every request shares: the home and config, the token and the
//! dashboard's sessions, the posts made through the API, the event
//! stream, the warm browser and the records.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use distroflow_app::wire::WireResult;
use distroflow_core::{Config, Home, PlatformId};
use distroflow_store::Store;
use serde::Serialize;
use tokio::sync::{broadcast, watch};
use utoipa::ToSchema;

use crate::token::ApiToken;
use crate::warm::Warm;

/// How many finished API posts are remembered for `GET /api/v1/posts/{id}`.
const KEEP_POSTS: usize = 1000;

#[derive(Clone)]
pub(crate) struct AppState(pub(crate) Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

pub(crate) struct Inner {
    pub(crate) home: Home,
    pub(crate) config: Config,
    pub(crate) token: ApiToken,
    pub(crate) addr: SocketAddr,
    /// Origins allowed besides the server's own (`[server] allowed_origins`).
    pub(crate) allowed_origins: Vec<String>,
    /// Accept any `Host` with the right port (`--allow-remote` on an
    /// unspecified address, whose names are not known).
    pub(crate) any_host: bool,
    /// The dashboard's sessions: id → CSRF token.
    pub(crate) sessions: Mutex<HashMap<String, String>>,
    pub(crate) posts: Mutex<VecDeque<PostRecord>>,
    pub(crate) events: broadcast::Sender<Arc<str>>,
    pub(crate) store: Mutex<Store>,
    pub(crate) warm: Warm,
    pub(crate) healer: Arc<distroflow_healer::Healer>,
    /// The records of API posts, unforced and forced: one each for the
    /// whole server, so that two identical posts at once are checked one
    /// after the other and only one goes out.
    pub(crate) ledgers: [Arc<distroflow_engine::Ledger>; 2],
    /// API posts running: shutdown waits for this to reach 0.
    pub(crate) running: watch::Sender<usize>,
    /// Set when a stop was asked for: new posts are refused.
    pub(crate) stopping: AtomicBool,
    /// Fires when the server stops (WebSockets close on it).
    pub(crate) shutdown: watch::Sender<bool>,
    pub(crate) openapi: std::sync::OnceLock<serde_json::Value>,
    pub(crate) uploads: crate::upload::UploadLimits,
    /// The one-time pairing code of `serve --pair`, if any.
    pub(crate) pairing: crate::clients::Pairing,
}

/// Where an API post is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PostState {
    Queued,
    Running,
    Done,
}

#[derive(Clone, Debug)]
pub(crate) struct PostRecord {
    pub(crate) id: String,
    pub(crate) state: PostState,
    pub(crate) targets: Vec<PlatformId>,
    pub(crate) results: Vec<WireResult>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Inner {
    /// The origins a browser page of this server has.
    pub(crate) fn own_origins(&self) -> Vec<String> {
        let port = self.addr.port();
        let mut v = vec![
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}"),
            format!("http://[::1]:{port}"),
        ];
        if !self.addr.ip().is_unspecified() && !self.addr.ip().is_loopback() {
            v.push(format!("http://{}", self.addr));
        }
        v
    }

    /// The server's own origins and the configured ones: any token may
    /// be used from them.
    pub(crate) fn configured_origin(&self, origin: &str) -> bool {
        self.own_origins().iter().any(|o| o == origin)
            || self.allowed_origins.iter().any(|o| o == origin)
    }

    /// The configured origins, and those of paired clients (whose
    /// requests must then carry that client's own token).
    pub(crate) fn origin_allowed(&self, origin: &str) -> bool {
        self.configured_origin(origin) || crate::clients::origin_paired(&self.home, origin)
    }

    pub(crate) fn host_allowed(&self, host: &str) -> bool {
        let port = self.addr.port();
        let host = host.trim().to_ascii_lowercase();
        if self.any_host {
            return host.rsplit_once(':').map(|(_, p)| p) == Some(&port.to_string());
        }
        let mut ok = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        if !self.addr.ip().is_loopback() {
            ok.push(self.addr.to_string());
        }
        ok.contains(&host)
    }

    /// Sends one event to every WebSocket (none listening is fine).
    pub(crate) fn emit(&self, event: serde_json::Value) {
        if let Ok(s) = serde_json::to_string(&event) {
            let _ = self.events.send(Arc::from(s));
        }
    }

    pub(crate) fn remember(&self, record: PostRecord) {
        let mut posts = lock(&self.posts);
        if posts.len() >= KEEP_POSTS {
            posts.pop_front();
        }
        posts.push_back(record);
    }

    pub(crate) fn update(&self, id: &str, f: impl FnOnce(&mut PostRecord)) {
        if let Some(r) = lock(&self.posts).iter_mut().find(|r| r.id == id) {
            f(r);
        }
    }

    pub(crate) fn post(&self, id: &str) -> Option<PostRecord> {
        lock(&self.posts).iter().find(|r| r.id == id).cloned()
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
}
