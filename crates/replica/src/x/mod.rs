//! The X (x.com) replica: options, the running server handle, and the posts
//! it holds.
//!
//! Like the real site, every page is a script-rendered app: the HTML has an
//! empty `#react-root`, and `main.js` renders the app shell, a Draft.js-like
//! editor that keeps its own model (it ignores `.value` and `textContent`),
//! media uploads that re-render the editor, threads, and toasts, after a
//! random hydration delay. Status and profile pages are served rendered.
//! Later UI versions ([`X_UI_VERSIONS`]) rename, reword and restructure the
//! app, as the real site does.

mod drift;
pub use drift::UI_VERSIONS as X_UI_VERSIONS;
mod handlers;
mod pages;
mod store;

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::faults::Faults;
use crate::server::{Running, LOOPBACK_ANY_PORT};
use store::Store;

/// How the X replica behaves.
#[derive(Clone, Debug)]
pub struct XOptions {
    /// Account handles (without `@`). Default: `["sandbox"]`.
    pub users: Vec<String>,
    /// The app renders after a random delay in this range, in milliseconds,
    /// as the real site hydrates after its scripts load. Default: 150-600.
    pub hydration_delay_ms: (u64, u64),
    /// Simulated server latency added to every response. Default: none.
    pub latency: Duration,
    /// The UI version served (0 = today's site; see [`X_UI_VERSIONS`]).
    pub ui_version: u8,
}

impl Default for XOptions {
    fn default() -> Self {
        XOptions {
            users: vec!["sandbox".to_owned()],
            hydration_delay_ms: (150, 600),
            latency: Duration::ZERO,
            ui_version: 0,
        }
    }
}

/// A media file attached to a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XMedia {
    /// The file name the browser sent.
    pub name: String,
    pub mime: String,
    /// Size in bytes.
    pub bytes: usize,
}

/// A post as the replica holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XPost {
    /// A 19-digit snowflake id.
    pub id: String,
    /// The author's handle.
    pub user: String,
    /// Exactly as the editor's model had it: blocks joined by `\n`.
    pub text: String,
    pub media: Vec<XMedia>,
    /// The post this one replies to (the previous post of a thread).
    pub reply_to: Option<String>,
}

/// A refusal the replica can be told to give every `CreateTweet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum XRefusal {
    /// Error 226: "This request looks like it might be automated. ..."
    Automated,
    /// A server error: "Something went wrong. Try sending your post again in a minute."
    SomethingWentWrong,
}

/// State the handlers share with the handle.
struct Shared {
    store: Mutex<Store>,
    hydration_delay_ms: (u64, u64),
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A running X replica on `127.0.0.1`.
///
/// Stops on [`X::shutdown`] or when dropped.
pub struct X {
    server: Running,
    shared: Arc<Shared>,
    faults: Arc<Faults>,
    redesign: Arc<crate::mutate::Redesign>,
}

impl X {
    /// Starts the replica on a free port of `127.0.0.1`.
    pub async fn start(opts: XOptions) -> io::Result<X> {
        Self::start_on(LOOPBACK_ANY_PORT, opts).await
    }

    /// Starts the replica on `addr` (port 0 picks a free one).
    pub async fn start_on(addr: SocketAddr, opts: XOptions) -> io::Result<X> {
        let (lo, hi) = crate::seed::hydration("x", opts.hydration_delay_ms);
        let mut store = Store::new(&opts.users);
        store.set_ui_version(opts.ui_version);
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            hydration_delay_ms: (lo.min(hi), lo.max(hi)),
        });
        let faults = Faults::new(opts.latency);
        let (app, redesign) = crate::mutate::wrap(handlers::router(Arc::clone(&shared)))?;
        let app = crate::faults::layer(app, Arc::clone(&faults));
        let server = Running::start(addr, app).await?;
        Ok(X {
            redesign,
            server,
            shared,
            faults,
        })
    }

    /// How many GET requests asked for `path_and_query` (`/submit`,
    /// `/r/rust/submit/?type=TEXT`): the page's loads and its scripts' fetches.
    pub fn gets(&self, path_and_query: &str) -> usize {
        self.server.gets(path_and_query)
    }

    /// The base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// All posts, oldest first.
    pub fn posts(&self) -> Vec<XPost> {
        let store = self.shared.lock();
        store.posts().iter().map(|p| store.public(p)).collect()
    }

    /// The `auth_token` cookie value that logs in as `handle`, or `None`
    /// for an unknown handle. Stable for the server's life.
    pub fn session_cookie(&self, handle: &str) -> Option<String> {
        self.shared.lock().auth_token(handle)
    }

    /// Adds a post as seed data (no rules) and returns its id.
    pub fn add_post(&self, handle: &str, text: &str) -> String {
        self.shared
            .lock()
            .insert(handle, text, Vec::new(), None)
            .to_string()
    }

    /// Adds a reply by `handle` to the post `reply_to` as seed data (no
    /// rules); returns its id, or `None` when that post does not exist.
    /// A status page shows the first [`X::set_replies_per_page`] direct
    /// replies, then "Show more replies", which loads the next ones in place;
    /// each post's reply button says how many replies it has.
    pub fn add_reply(&self, handle: &str, text: &str, reply_to: &str) -> Option<String> {
        let parent: u64 = reply_to.parse().ok()?;
        let mut store = self.shared.lock();
        store.post(parent)?;
        Some(
            store
                .insert(handle, text, Vec::new(), Some(parent))
                .to_string(),
        )
    }

    /// Direct replies per status page before "Show more replies" (default 20).
    pub fn set_replies_per_page(&self, n: usize) {
        self.shared.lock().replies_per_page = n.max(1);
    }

    /// At most `limit` posts per user per 24 hours; the next gets "You are
    /// over the daily limit for sending posts." `None`: no limit (default).
    pub fn set_daily_limit(&self, limit: Option<usize>) {
        self.shared.lock().set_daily_limit(limit);
    }

    /// Makes every post attempt fail this way from now on (`None`: post
    /// normally, the default).
    pub fn set_refusal(&self, refusal: Option<XRefusal>) {
        self.shared.lock().set_refusal(refusal);
    }

    /// With `false`, `/compose/post` redirects to `/home`, so only the
    /// inline composer is left (as when the route moved from
    /// `/compose/tweet`). Default: `true`.
    pub fn set_compose_modal(&self, enabled: bool) {
        self.shared.lock().set_compose_modal(enabled);
    }

    /// Serves another UI version from the next page load on (renamed,
    /// reworded, restructured app; see [`X_UI_VERSIONS`]), as when the real
    /// site deploys a new app.
    pub fn set_ui_version(&self, ui: u8) {
        self.shared.lock().set_ui_version(ui);
    }

    /// Fault switch: while `true`, every request hangs without an answer.
    pub fn set_hang(&self, hang: bool) {
        self.faults.set_hang(hang);
    }

    /// Changes the latency added to every response from now on.
    pub fn set_latency(&self, latency: Duration) {
        self.faults.set_latency(latency);
    }

    /// Stops the server and waits for it (hung requests are released,
    /// open connections get a few seconds to finish).
    pub async fn shutdown(self) {
        self.set_hang(false);
        self.server.shutdown().await;
    }
}

impl fmt::Debug for X {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl crate::mutate::Mutations for X {
    fn redesign(&self) -> &crate::mutate::Redesign {
        &self.redesign
    }
}
