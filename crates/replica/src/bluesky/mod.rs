//! The Bluesky (bsky.app) replica: options, the running server handle, and
//! the posts it holds.
//!
//! Like the real web app, every page is one script-rendered app: the HTML
//! has an empty root, and `main.js` renders the shell, a TipTap/ProseMirror
//! editor (`div.ProseMirror[role=textbox][aria-label="Rich-Text Editor"]`)
//! that keeps its own model, the native thread composer ("Add another post
//! to thread", "Post All"), a media button that makes its file input only
//! when clicked, the 300-grapheme counter after link shortening, and the
//! "Your post was sent" toast. The session lives in
//! `localStorage["BSKY_STORAGE"]`, never in a cookie: the app boots from
//! it, refreshes an expired access token with the refresh token, which
//! rotates (a spent one is refused and the app shows its login screen).
//! Writes go through XRPC (`com.atproto.repo.applyWrites`,
//! `uploadBlob`); posts live at `/profile/<handle>/post/<rkey>`.

mod drift;
pub use drift::UI_VERSIONS as BLUESKY_UI_VERSIONS;
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

/// How the Bluesky replica behaves.
#[derive(Clone, Debug)]
pub struct BlueskyOptions {
    /// Account names; each is `<name>.bsky.social` with the app password
    /// `<name>`. Default: `["sandbox"]`.
    pub users: Vec<String>,
    /// The app renders after a random delay in this range (ms). Default: 150-600.
    pub hydration_delay_ms: (u64, u64),
    pub latency: Duration,
    /// The UI version served (0 = today's app; see [`BLUESKY_UI_VERSIONS`]).
    pub ui_version: u8,
}

impl Default for BlueskyOptions {
    fn default() -> Self {
        BlueskyOptions {
            users: vec!["sandbox".to_owned()],
            hydration_delay_ms: (150, 600),
            latency: Duration::ZERO,
            ui_version: 0,
        }
    }
}

/// An image or video attached to a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BskyMedia {
    pub mime: String,
    pub bytes: usize,
}

/// A post as the replica holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BskyPost {
    /// The record key (a TID), the last part of the post's URL.
    pub rkey: String,
    /// The author's handle (`sandbox.bsky.social`).
    pub handle: String,
    /// Exactly as the editor's model had it: paragraphs joined by `\n`.
    pub text: String,
    pub media: Vec<BskyMedia>,
    /// The previous post of a thread (its rkey).
    pub reply_to: Option<String>,
}

struct Shared {
    store: Mutex<Store>,
    hydration_delay_ms: (u64, u64),
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running Bluesky replica on `127.0.0.1`. Stops on
/// [`Bluesky::shutdown`] or when dropped.
pub struct Bluesky {
    server: Running,
    shared: Arc<Shared>,
    faults: Arc<Faults>,
    redesign: Arc<crate::mutate::Redesign>,
}

impl Bluesky {
    pub async fn start(opts: BlueskyOptions) -> io::Result<Bluesky> {
        Self::start_on(LOOPBACK_ANY_PORT, opts).await
    }

    pub async fn start_on(addr: SocketAddr, opts: BlueskyOptions) -> io::Result<Bluesky> {
        let (lo, hi) = crate::seed::hydration("bluesky", opts.hydration_delay_ms);
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
        Ok(Bluesky {
            server,
            shared,
            faults,
            redesign,
        })
    }

    /// How many GET requests asked for `path_and_query` (`/submit`,
    /// `/r/rust/submit/?type=TEXT`): the page's loads and its scripts' fetches.
    pub fn gets(&self, path_and_query: &str) -> usize {
        self.server.gets(path_and_query)
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// All posts, oldest first.
    pub fn posts(&self) -> Vec<BskyPost> {
        let s = self.shared.lock();
        s.posts().iter().map(|p| s.public(p)).collect()
    }

    /// The full handle of an account name (`sandbox` -> `sandbox.bsky.social`).
    pub fn handle(&self, user: &str) -> Option<String> {
        self.shared.lock().handle_of(user)
    }

    /// A fresh logged-in session for `user`, as the value the web app keeps
    /// in `localStorage["BSKY_STORAGE"]` (its access and refresh tokens).
    pub fn storage_value(&self, user: &str) -> Option<String> {
        let url = self.url();
        let t = self.shared.lock().session_for(user)?;
        Some(pages::bsky_storage(&url, &t))
    }

    /// A Playwright storage state holding that session for this replica's
    /// origin (what `login bluesky --cookies FILE` reads).
    pub fn storage_state(&self, user: &str) -> Option<String> {
        let value = self.storage_value(user)?;
        Some(
            serde_json::json!({
                "cookies": [],
                "origins": [{
                    "origin": self.url(),
                    "localStorage": [{"name": "BSKY_STORAGE", "value": value}],
                }],
            })
            .to_string(),
        )
    }

    /// Every access token expires now: the next page load refreshes the
    /// session, which rotates its refresh token.
    pub fn expire_access_tokens(&self) {
        self.shared.lock().expire_access();
    }

    /// How many times a session was refreshed (each spent a refresh token).
    pub fn refreshes(&self) -> usize {
        self.shared.lock().refreshes()
    }

    /// Adds a post as seed data and returns its rkey.
    pub fn add_post(&self, user: &str, text: &str) -> Option<String> {
        let mut s = self.shared.lock();
        let did = s.did_of(user)?;
        s.create(&did, None, text, Vec::new(), None).ok()
    }

    /// Adds a reply to the post `parent` (a post or another reply) by
    /// `author` (an account made when there is none) and returns its rkey;
    /// `None` when the parent is unknown.
    pub fn add_reply(&self, parent: &str, author: &str, text: &str) -> Option<String> {
        let mut s = self.shared.lock();
        let did = s.ensure_account(author);
        s.create(&did, None, text, Vec::new(), Some(parent.to_string()))
            .ok()
    }

    /// Deletes a post or reply: its thread shows "Deleted post" in its
    /// place, its replies stay.
    pub fn delete_post(&self, rkey: &str) -> bool {
        self.shared.lock().delete(rkey)
    }

    /// Top-level replies a thread shows before "Show more replies"
    /// (default 20).
    pub fn set_replies_per_page(&self, n: usize) {
        self.shared.lock().set_replies_per_page(n);
    }

    /// At most `n` posts per account (then `RateLimitExceeded`).
    pub fn set_daily_limit(&self, n: Option<usize>) {
        self.shared.lock().set_daily_limit(n);
    }

    /// Serves another UI version from the next page load on.
    pub fn set_ui_version(&self, ui: u8) {
        self.shared.lock().set_ui_version(ui);
    }

    pub fn set_hang(&self, hang: bool) {
        self.faults.set_hang(hang);
    }

    pub fn set_latency(&self, latency: Duration) {
        self.faults.set_latency(latency);
    }

    pub async fn shutdown(self) {
        self.set_hang(false);
        self.server.shutdown().await;
    }
}

impl fmt::Debug for Bluesky {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bluesky")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl crate::mutate::Mutations for Bluesky {
    fn redesign(&self) -> &crate::mutate::Redesign {
        &self.redesign
    }
}
