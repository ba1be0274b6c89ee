//! The Hacker News replica: options, the running server handle, and the
//! stories it holds.

mod drift;
pub use drift::{BROKEN as HN_UI_BROKEN, UI_VERSIONS as HN_UI_VERSIONS};
mod handlers;
mod pages;
mod store;

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::server::{Running, LOOPBACK_ANY_PORT};
use store::Store;

/// How the Hacker News replica behaves.
#[derive(Clone)]
pub struct HnOptions {
    /// Accounts as `(username, password)`. Default: `sandbox`/`sandbox`.
    pub users: Vec<(String, String)>,
    /// At most N submissions per user per window; the next one inside the
    /// window gets "You're submitting too fast. Please slow down. Thanks."
    /// and creates nothing. Default: no limit.
    pub rate_limit: Option<(usize, Duration)>,
    /// After this many failed logins (counted per server), `/login` shows
    /// the reCAPTCHA "Validation required." page and refuses every login.
    /// Default: `Some(5)`.
    pub captcha_after_failed_logins: Option<usize>,
    /// The UI version served (0 = today's site; see [`HN_UI_VERSIONS`]).
    pub ui_version: u8,
    /// Simulated latency before every response (benchmarks). Default: none.
    pub latency: Duration,
    /// `/newest` leaves out the N newest stories, as a busy site's cached
    /// listing does for a moment after a submit. Default: 0.
    pub newest_lag: usize,
}

impl Default for HnOptions {
    fn default() -> Self {
        HnOptions {
            users: vec![("sandbox".to_owned(), "sandbox".to_owned())],
            rate_limit: None,
            captcha_after_failed_logins: Some(5),
            ui_version: 0,
            latency: Duration::ZERO,
            newest_lag: 0,
        }
    }
}

impl fmt::Debug for HnOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let users: Vec<(&str, &str)> = self
            .users
            .iter()
            .map(|(name, _)| (name.as_str(), "****"))
            .collect();
        f.debug_struct("HnOptions")
            .field("users", &users)
            .field("rate_limit", &self.rate_limit)
            .field(
                "captcha_after_failed_logins",
                &self.captcha_after_failed_logins,
            )
            .finish()
    }
}

/// A fault after a submission is stored: the story exists, but the answer
/// the browser gets says nothing clear (for never-duplicate tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HnFault {
    /// Store the story, then answer 500 Internal Server Error.
    ErrorAfterStore,
    /// Store the story, then never answer.
    HangAfterStore,
    /// Store the story, then drop the connection without an answer.
    DropAfterStore,
}

/// A story as the replica holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HnStory {
    pub id: u64,
    /// Trimmed, at most 80 characters when submitted through the form.
    pub title: String,
    /// Trimmed; `None` for a text post.
    pub url: Option<String>,
    /// Exactly as submitted, with CRLF turned into LF; `None` when blank.
    pub text: Option<String>,
    pub by: String,
    pub points: u32,
}

/// A running Hacker News replica on `127.0.0.1`.
///
/// Stops on [`HackerNews::shutdown`] or when dropped.
pub struct HackerNews {
    server: Running,
    store: Arc<Mutex<Store>>,
    faults: Arc<crate::faults::Faults>,
    redesign: Arc<crate::mutate::Redesign>,
}

impl HackerNews {
    /// Starts the replica on a free port of `127.0.0.1`.
    pub async fn start(opts: HnOptions) -> io::Result<HackerNews> {
        Self::start_on(LOOPBACK_ANY_PORT, opts).await
    }

    /// Starts the replica on `addr` (port 0 picks a free one).
    pub async fn start_on(addr: SocketAddr, opts: HnOptions) -> io::Result<HackerNews> {
        let store = Arc::new(Mutex::new(Store::new(
            &opts.users,
            opts.rate_limit,
            opts.captcha_after_failed_logins,
        )));
        lock(&store).ui_version = opts.ui_version;
        lock(&store).newest_lag = opts.newest_lag;
        let faults = crate::faults::Faults::new(opts.latency);
        let (app, redesign) = crate::mutate::wrap(handlers::router(Arc::clone(&store)))?;
        let app = crate::faults::layer(app, Arc::clone(&faults));
        let server = Running::start(addr, app).await?;
        Ok(HackerNews {
            redesign,
            server,
            store,
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

    /// All stories, newest first.
    pub fn stories(&self) -> Vec<HnStory> {
        self.lock().newest().map(store::Story::public).collect()
    }

    /// The `user` cookie value (`USERNAME&TOKEN`) that logging in as `user`
    /// sets, or `None` for an unknown user. Stable for the server's life.
    pub fn session_cookie(&self, user: &str) -> Option<String> {
        self.lock().session_cookie(user)
    }

    /// The `auth` value of `user`'s logout link (a per-account secret the
    /// real site puts in every page's header), or `None` for an unknown user.
    pub fn logout_auth(&self, user: &str) -> Option<String> {
        self.lock().logout_auth(user).map(str::to_owned)
    }

    /// The one-time submit-form ids (`fnid`) handed out and not used yet.
    pub fn open_fnids(&self) -> Vec<String> {
        self.lock().open_fnids()
    }

    /// Adds a story as seed data (no validation, no rate limit) and returns
    /// its id.
    pub fn add_story(&self, by: &str, title: &str, url: Option<&str>, text: Option<&str>) -> u64 {
        self.lock().insert(by, title, url, text)
    }

    /// Adds a comment (a reply) under story `story`, or under the comment
    /// `parent`, as seed data, written `ago` before now; returns its id, or
    /// `None` when the story or parent does not exist. Item pages show the
    /// comments nested, [`HackerNews::set_comment_threads_per_page`] top-level
    /// threads a page, then a "More" link.
    pub fn add_comment(
        &self,
        story: u64,
        parent: Option<u64>,
        by: &str,
        text: &str,
        ago: Duration,
    ) -> Option<u64> {
        let created = std::time::SystemTime::now()
            .checked_sub(ago)
            .unwrap_or(std::time::UNIX_EPOCH);
        self.lock().add_comment(story, parent, by, text, created)
    }

    /// Deletes a comment: it shows as `[deleted]`, its replies stay.
    pub fn delete_comment(&self, id: u64) {
        self.lock().delete_comment(id);
    }

    /// Top-level comment threads per item page (default 30).
    pub fn set_comment_threads_per_page(&self, n: usize) {
        self.lock().comment_threads_per_page = n.max(1);
    }

    /// Serves another UI version from now on (renamed, reworded,
    /// restructured forms), as when the real site changes its markup.
    pub fn set_ui_version(&self, ui: u8) {
        self.lock().ui_version = ui;
    }

    /// While on, every request hangs without an answer.
    pub fn set_hang(&self, hang: bool) {
        self.faults.set_hang(hang);
    }

    /// Simulated latency before every response from now on.
    pub fn set_latency(&self, latency: Duration) {
        self.faults.set_latency(latency);
    }

    /// Makes every later submission go wrong after it is stored (or not).
    pub fn set_fault(&self, fault: Option<HnFault>) {
        self.lock().fault = fault;
    }

    /// Changes the submission rate limit from now on.
    pub fn set_rate_limit(&self, limit: Option<(usize, Duration)>) {
        self.lock().set_rate_limit(limit);
    }

    /// Stops the server and waits for it (open connections get a few
    /// seconds to finish).
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }
}

impl fmt::Debug for HackerNews {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HackerNews")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

/// Locks the store; a panic elsewhere never makes the replica unusable.
fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl crate::mutate::Mutations for HackerNews {
    fn redesign(&self) -> &crate::mutate::Redesign {
        &self.redesign
    }
}
