//! The Reddit replica: both posting UIs (new Reddit's web components and
//! old Reddit's form) over one store of posts.

mod drift;
mod handlers;
mod new_ui;
mod old_ui;
mod pages;
mod store;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::faults::Faults;
use crate::server::{Running, LOOPBACK_ANY_PORT};
use store::Store;

pub use drift::UI_VERSIONS as REDDIT_UI_VERSIONS;

/// How the Reddit replica behaves.
#[derive(Clone, Debug)]
pub struct RedditOptions {
    /// Accounts. Default: `sandbox`. The login form takes the user name as
    /// the password.
    pub users: Vec<String>,
    /// Subreddits (any case) whose posts need one of these post flairs.
    /// Default: `flairtest` with `Discussion`, `Show and Tell`, `Question`.
    pub flair_required: BTreeMap<String, Vec<String>>,
    /// Simulated latency before every response. Default: none.
    pub latency: Duration,
    /// New Reddit's composer version served (0 = today's site; see
    /// [`REDDIT_UI_VERSIONS`]). Old Reddit does not change.
    pub ui_version: u8,
}

impl Default for RedditOptions {
    fn default() -> Self {
        let mut flair_required = BTreeMap::new();
        flair_required.insert(
            "flairtest".to_owned(),
            vec![
                "Discussion".to_owned(),
                "Show and Tell".to_owned(),
                "Question".to_owned(),
            ],
        );
        RedditOptions {
            users: vec!["sandbox".to_owned()],
            flair_required,
            latency: Duration::ZERO,
            ui_version: 0,
        }
    }
}

/// A post as the replica holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedditPost {
    /// Base36, like `1h2k3l4` (the `t3_` prefix not included).
    pub id: String,
    /// Lower case.
    pub subreddit: String,
    pub author: String,
    /// `self`, `link` or `image`.
    pub kind: String,
    /// Trimmed.
    pub title: String,
    /// Exactly as the form or the editor's model had it (CRLF as LF);
    /// paragraphs joined by `\n`.
    pub body: String,
    /// The link of a link post.
    pub url: Option<String>,
    /// File names of an image post's uploads, in order.
    pub media: Vec<String>,
    /// The post flair's text.
    pub flair: Option<String>,
    /// The UI it was submitted through: `new` or `old`.
    pub ui: String,
}

/// A running Reddit replica on `127.0.0.1`.
///
/// New Reddit: `/r/SUB/submit/?type=TEXT|IMAGE|LINK`; old Reddit:
/// `/r/SUB/submit` (no trailing slash, `?selftext=true` for the text tab),
/// standing in for `old.reddit.com`. Posts live at `/r/SUB/comments/ID/`.
/// Log in with the cookie `reddit_session=<session_cookie(user)>`.
pub struct Reddit {
    server: Running,
    store: Arc<Mutex<Store>>,
    faults: Arc<Faults>,
    redesign: Arc<crate::mutate::Redesign>,
}

impl Reddit {
    /// Starts the replica on a free port of `127.0.0.1`.
    pub async fn start(opts: RedditOptions) -> io::Result<Reddit> {
        Self::start_on(LOOPBACK_ANY_PORT, opts).await
    }

    /// Starts the replica on `addr` (port 0 picks a free one).
    pub async fn start_on(addr: SocketAddr, opts: RedditOptions) -> io::Result<Reddit> {
        let mut store = Store::new(&opts.users, &opts.flair_required);
        store.ui_version = opts.ui_version;
        let store = Arc::new(Mutex::new(store));
        let faults = Faults::new(opts.latency);
        let (router, redesign) = crate::mutate::wrap(handlers::router(Arc::clone(&store)))?;
        let router = crate::faults::layer(router, Arc::clone(&faults));
        let server = Running::start(addr, router).await?;
        Ok(Reddit {
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

    /// All posts, oldest first.
    pub fn posts(&self) -> Vec<RedditPost> {
        self.lock().posts().to_vec()
    }

    /// The `reddit_session` cookie value of `user`, stable for the
    /// server's life; `None` for an unknown user.
    pub fn session_cookie(&self, user: &str) -> Option<String> {
        self.lock().session_cookie(user)
    }

    /// Adds a text post by `author` in r/`sub` as seed data (no rules
    /// checked); returns its permalink (`/r/SUB/comments/ID/SLUG/`).
    pub fn add_post(&self, sub: &str, author: &str, title: &str, body: &str) -> String {
        let mut store = self.lock();
        let id = store.add_post(sub, author, title, body);
        store.post(&id).map(pages::permalink).unwrap_or_default()
    }

    /// Adds a comment under the post `post_id` (or the comment `parent`),
    /// written `ago` before now; returns its id (base36, no `t1_`), or
    /// `None` when the post or parent does not exist. Post pages show
    /// comments nested (new Reddit's `shreddit-comment`), the first
    /// [`Reddit::set_comment_threads_per_page`] top-level threads, then a
    /// "View more comments" button that loads the next ones in place.
    pub fn add_comment(
        &self,
        post_id: &str,
        parent: Option<&str>,
        author: &str,
        body: &str,
        ago: Duration,
    ) -> Option<String> {
        let created = std::time::SystemTime::now()
            .checked_sub(ago)
            .unwrap_or(std::time::UNIX_EPOCH);
        self.lock()
            .add_comment(post_id, parent, author, body, created)
    }

    /// Deletes a comment: it shows as `[deleted]`, its replies stay.
    pub fn delete_comment(&self, id: &str) {
        self.lock().delete_comment(id);
    }

    /// Top-level comment threads per "page" (default 20).
    pub fn set_comment_threads_per_page(&self, n: usize) {
        self.lock().comment_threads_per_page = n.max(1);
    }

    /// Serves new Reddit's composer of UI version `ui` from now on
    /// (renamed, restructured; see [`REDDIT_UI_VERSIONS`]), as when the
    /// real site deploys.
    pub fn set_ui_version(&self, ui: u8) {
        self.lock().ui_version = ui;
    }

    /// While `true`, every request waits without an answer.
    pub fn set_hang(&self, hang: bool) {
        self.faults.set_hang(hang);
    }

    /// Latency before every response from now on.
    pub fn set_latency(&self, latency: Duration) {
        self.faults.set_latency(latency);
    }

    /// At most N posts per user per window; the next one is refused with
    /// "You're doing that too much. Try again in N minutes." (new UI) or
    /// RATELIMIT (old UI). `None` (the default): no limit.
    pub fn set_rate_limit(&self, limit: Option<(usize, Duration)>) {
        self.lock().set_rate_limit(limit);
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

impl fmt::Debug for Reddit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reddit")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl crate::mutate::Mutations for Reddit {
    fn redesign(&self) -> &crate::mutate::Redesign {
        &self.redesign
    }
}
