//! The Instagram replica: the web app's create flow (sidebar "New post",
//! the "Post" submenu item, the "Create new post" dialog with its crop,
//! edit and caption steps), profiles and post pages, with class names that
//! change on every page load.

mod app;
mod drift;
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

pub use drift::UI_VERSIONS as INSTAGRAM_UI_VERSIONS;

/// How the Instagram replica behaves.
#[derive(Clone, Debug)]
pub struct InstagramOptions {
    /// Accounts. Default: `sandbox`. The login form takes the user name as
    /// the password.
    pub users: Vec<String>,
    /// Simulated latency before every response. Default: none.
    pub latency: Duration,
    /// When true, every logged-in page redirects to `/challenge/` (a
    /// security check a person must pass) and the APIs refuse.
    pub challenge: bool,
    /// The app version served (see [`INSTAGRAM_UI_VERSIONS`]): 0 is today's
    /// instagram.com, 1 rewords its buttons and the caption's label, 2
    /// restructures the dialog and shows a "New: reels" notice first.
    pub ui_version: u8,
}

impl Default for InstagramOptions {
    fn default() -> Self {
        InstagramOptions {
            users: vec!["sandbox".to_owned()],
            latency: Duration::ZERO,
            challenge: false,
            ui_version: 0,
        }
    }
}

/// A shared post as the replica holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstagramPost {
    /// The numeric media id (`pk`).
    pub id: String,
    /// The 11-character code in `/p/SHORTCODE/`.
    pub shortcode: String,
    pub user: String,
    /// Exactly the caption editor's model (paragraphs joined by `\n`).
    pub caption: String,
    /// File names, in carousel order.
    pub media: Vec<String>,
}

/// A running Instagram replica on `127.0.0.1`.
///
/// Log in with the cookie `sessionid=<session_cookie(user)>`.
pub struct Instagram {
    server: Running,
    store: Arc<Mutex<Store>>,
    faults: Arc<Faults>,
    redesign: Arc<crate::mutate::Redesign>,
}

impl Instagram {
    /// Starts the replica on a free port of `127.0.0.1`.
    pub async fn start(opts: InstagramOptions) -> io::Result<Instagram> {
        Self::start_on(LOOPBACK_ANY_PORT, opts).await
    }

    /// Starts the replica on `addr` (port 0 picks a free one).
    pub async fn start_on(addr: SocketAddr, opts: InstagramOptions) -> io::Result<Instagram> {
        let mut store = Store::new(&opts.users, opts.challenge);
        store.ui_version = opts.ui_version;
        let store = Arc::new(Mutex::new(store));
        let faults = Faults::new(opts.latency);
        let (router, redesign) = crate::mutate::wrap(handlers::router(Arc::clone(&store)))?;
        let router = crate::faults::layer(router, Arc::clone(&faults));
        let server = Running::start(addr, router).await?;
        Ok(Instagram {
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

    /// All shared posts, oldest first.
    pub fn posts(&self) -> Vec<InstagramPost> {
        self.lock().posts().to_vec()
    }

    /// The `sessionid` cookie value of `user`, stable for the server's
    /// life; `None` for an unknown user.
    pub fn session_cookie(&self, user: &str) -> Option<String> {
        self.lock().session_cookie(user)
    }

    /// Adds a post of `user` with `caption` as seed data (no media, no
    /// rules); returns its shortcode (`/p/SHORTCODE/`).
    pub fn add_post(&self, user: &str, caption: &str) -> String {
        lock(&self.store).add_post(user, caption)
    }

    /// Adds a comment under the post `shortcode` (or a reply to the comment
    /// `parent`; a reply to a reply hangs under the same top-level comment,
    /// as on Instagram), written `ago` before now; returns its id, or `None`
    /// when the post or parent does not exist. A post page shows the first
    /// [`Instagram::set_comments_per_page`] comments, then "Load more
    /// comments"; replies are behind "View replies (N)".
    pub fn add_comment(
        &self,
        shortcode: &str,
        parent: Option<&str>,
        user: &str,
        text: &str,
        ago: Duration,
    ) -> Option<String> {
        let created = std::time::SystemTime::now()
            .checked_sub(ago)
            .unwrap_or(std::time::UNIX_EPOCH);
        lock(&self.store).add_comment(shortcode, parent, user, text, created)
    }

    /// Deletes a comment: it and its replies are no longer shown.
    pub fn delete_comment(&self, id: &str) {
        lock(&self.store).delete_comment(id);
    }

    /// Top-level comments per page before "Load more comments" (default 15).
    pub fn set_comments_per_page(&self, n: usize) {
        lock(&self.store).comments_per_page = n.max(1);
    }

    /// While `true`, every request waits without an answer.
    pub fn set_hang(&self, hang: bool) {
        self.faults.set_hang(hang);
    }

    /// Latency before every response from now on.
    pub fn set_latency(&self, latency: Duration) {
        self.faults.set_latency(latency);
    }

    /// Turns the security check on or off (see [`InstagramOptions::challenge`]).
    pub fn set_challenge(&self, on: bool) {
        self.lock().challenge = on;
    }

    /// Serves UI version `ui` from the next page load on.
    pub fn set_ui_version(&self, ui: u8) {
        self.lock().ui_version = ui;
    }

    /// While on, the next share fails ("Your post couldn't be shared");
    /// the failure turns the switch off.
    pub fn set_fail_next(&self, on: bool) {
        self.lock().fail_next = on;
    }

    /// Stops the server (hung requests are released first).
    pub async fn shutdown(self) {
        self.faults.set_hang(false);
        self.server.shutdown().await;
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }
}

impl fmt::Debug for Instagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instagram")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl crate::mutate::Mutations for Instagram {
    fn redesign(&self) -> &crate::mutate::Redesign {
        &self.redesign
    }
}
