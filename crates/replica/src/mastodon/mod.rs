//! The Mastodon replica: one instance's web UI, options, the running
//! server handle, and the statuses it holds.
//!
//! As on a real instance: Devise's sign-in form at `/auth/sign_in` (e-mail
//! and password, a CSRF token) sets `_mastodon_session`; a signed-in page
//! (`/home`, `/publish`, `/share`, `/@user`, `/@user/<id>`) embeds the web
//! app's access token in its initial state, and the app calls the REST API
//! with it (`Authorization: Bearer`), never with the cookie. The compose
//! form is the 4.2+ one (`form.compose-form`, a React-controlled
//! `textarea.autosuggest-textarea__textarea`, a hidden
//! `input[name=file-upload-input]`, `.compose-form__submit button`); the
//! counter counts URLs as 23 and `@user@domain` as `@user` against the
//! limit `/api/v2/instance` announces; statuses are created by
//! `POST /api/v1/statuses` honouring `Idempotency-Key`, and "Post
//! published." is shown. Replies go through the status page's Reply button.

mod drift;
pub use drift::UI_VERSIONS as MASTODON_UI_VERSIONS;
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

/// How the Mastodon replica behaves.
#[derive(Clone, Debug)]
pub struct MastodonOptions {
    /// Usernames; each signs in as `<name>@example.com` with the password
    /// `<name>`. Default: `["sandbox"]`.
    pub users: Vec<String>,
    /// The instance's character limit (`/api/v2/instance`). Default: 500.
    pub max_characters: usize,
    /// The app renders after a random delay in this range (ms). Default: 150-600.
    pub hydration_delay_ms: (u64, u64),
    pub latency: Duration,
    /// The UI version served (see [`MASTODON_UI_VERSIONS`]).
    pub ui_version: u8,
}

impl Default for MastodonOptions {
    fn default() -> Self {
        MastodonOptions {
            users: vec!["sandbox".to_owned()],
            max_characters: 500,
            hydration_delay_ms: (150, 600),
            latency: Duration::ZERO,
            ui_version: 0,
        }
    }
}

/// A media attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MastodonMedia {
    pub name: String,
    pub mime: String,
    pub bytes: usize,
}

/// A status as the replica holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MastodonStatus {
    pub id: String,
    pub username: String,
    /// Exactly as the textarea held it.
    pub text: String,
    pub media: Vec<MastodonMedia>,
    pub in_reply_to: Option<String>,
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

/// A running Mastodon replica on `127.0.0.1`.
pub struct Mastodon {
    server: Running,
    shared: Arc<Shared>,
    faults: Arc<Faults>,
    redesign: Arc<crate::mutate::Redesign>,
}

impl Mastodon {
    pub async fn start(opts: MastodonOptions) -> io::Result<Mastodon> {
        Self::start_on(LOOPBACK_ANY_PORT, opts).await
    }

    pub async fn start_on(addr: SocketAddr, opts: MastodonOptions) -> io::Result<Mastodon> {
        let (lo, hi) = crate::seed::hydration("mastodon", opts.hydration_delay_ms);
        let mut store = Store::new(&opts.users, opts.max_characters);
        store.set_ui_version(opts.ui_version);
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            hydration_delay_ms: (lo.min(hi), lo.max(hi)),
        });
        let faults = Faults::new(opts.latency);
        let (app, redesign) = crate::mutate::wrap(handlers::router(Arc::clone(&shared)))?;
        let app = crate::faults::layer(app, Arc::clone(&faults));
        let server = Running::start(addr, app).await?;
        Ok(Mastodon {
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

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// All statuses, oldest first.
    pub fn statuses(&self) -> Vec<MastodonStatus> {
        let s = self.shared.lock();
        s.statuses().iter().map(|x| s.public(x)).collect()
    }

    /// A signed-in `_mastodon_session` cookie value for `username`.
    pub fn session_cookie(&self, username: &str) -> Option<String> {
        self.shared.lock().session_for(username)
    }

    /// Adds a status as seed data and returns its id.
    pub fn add_status(&self, username: &str, text: &str) -> Option<String> {
        let mut s = self.shared.lock();
        let id = s.account_by_name(username)?.id.clone();
        s.create(&id, text, &[], None, None).ok()
    }

    /// Changes the instance's character limit.
    /// Adds a reply to status `parent` (a status or another reply) by
    /// `username` (an account made when there is none) and returns its id;
    /// `None` when the parent is unknown.
    pub fn add_reply(&self, parent: &str, username: &str, text: &str) -> Option<String> {
        let mut s = self.shared.lock();
        let account = s.ensure_account(username);
        s.create(&account, text, &[], Some(parent), None).ok()
    }

    /// Deletes a status: gone from its thread, its replies stay.
    pub fn delete_status(&self, id: &str) -> bool {
        self.shared.lock().delete(id)
    }

    /// Replies a status page shows before "Load more" (default 40).
    pub fn set_replies_per_page(&self, n: usize) {
        self.shared.lock().replies_per_page = n.max(1);
    }

    pub fn set_max_characters(&self, n: usize) {
        self.shared.lock().max_characters = n;
    }

    pub fn set_daily_limit(&self, n: Option<usize>) {
        self.shared.lock().set_daily_limit(n);
    }

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

impl fmt::Debug for Mastodon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mastodon")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl crate::mutate::Mutations for Mastodon {
    fn redesign(&self) -> &crate::mutate::Redesign {
        &self.redesign
    }
}
