//! The LinkedIn replica: the feed with both share boxes LinkedIn runs at
//! once (the classic Ember modal with a Quill editor inside the open shadow
//! root of `div#interop-outlet`, and the SDUI `<dialog>` with a ProseMirror
//! editor keyed `ShareBox_textEditor`, obfuscated classes, swapped in
//! ~500 ms after a placeholder dialog), chosen per member like the real
//! rollout. Session: the `li_at` cookie, and `JSESSIONID` (`"ajax:..."`,
//! set by the page when missing) whose value every `/voyager/api/` call
//! sends as `csrf-token`. Posts are made by
//! `POST /voyager/api/contentcreation/normShares`; the toast "Post
//! successful." links to `/feed/update/urn:li:activity:<id>/`; a member's
//! posts are listed at `/in/<vanity>/recent-activity/all/`. A checkpoint
//! switch sends every page to `/checkpoint/challenge/...`.

mod drift;
pub use drift::UI_VERSIONS as LINKEDIN_UI_VERSIONS;
mod handlers;
mod store;

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::faults::Faults;
use crate::server::{Running, LOOPBACK_ANY_PORT};
use store::Store;

/// Which share box a member gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareBox {
    /// The Ember modal with Quill, in `#interop-outlet`'s shadow root.
    Classic,
    /// The SDUI `<dialog>` with ProseMirror.
    Sdui,
}

/// How the LinkedIn replica behaves.
#[derive(Clone, Debug)]
pub struct LinkedInOptions {
    /// Vanity names. Default: `["sandbox"]`.
    pub users: Vec<String>,
    /// The app renders after a random delay in this range (ms).
    pub hydration_delay_ms: (u64, u64),
    pub latency: Duration,
    /// 0: every member gets the classic box; 1: the SDUI one.
    pub ui_version: u8,
}

impl Default for LinkedInOptions {
    fn default() -> Self {
        LinkedInOptions {
            users: vec!["sandbox".into()],
            hydration_delay_ms: (150, 600),
            latency: Duration::ZERO,
            ui_version: 0,
        }
    }
}

/// A post as the replica holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedInPost {
    /// `urn:li:activity:<id>`.
    pub urn: String,
    pub member: String,
    /// Exactly as the editor's model had it: paragraphs joined by `\n`.
    pub text: String,
    pub media: usize,
}

struct Shared {
    store: Mutex<Store>,
    hydration_delay_ms: (u64, u64),
    /// Obfuscated class names of this "build" of the SDUI app.
    classes: Vec<String>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running LinkedIn replica on `127.0.0.1`.
pub struct LinkedIn {
    server: Running,
    shared: Arc<Shared>,
    faults: Arc<Faults>,
    redesign: Arc<crate::mutate::Redesign>,
}

fn share_box_of(ui: u8) -> ShareBox {
    if ui == 0 {
        ShareBox::Classic
    } else {
        ShareBox::Sdui
    }
}

impl LinkedIn {
    pub async fn start(opts: LinkedInOptions) -> io::Result<LinkedIn> {
        Self::start_on(LOOPBACK_ANY_PORT, opts).await
    }

    pub async fn start_on(addr: SocketAddr, opts: LinkedInOptions) -> io::Result<LinkedIn> {
        let (lo, hi) = crate::seed::hydration("linkedin", opts.hydration_delay_ms);
        let store = Store::new(&opts.users, share_box_of(opts.ui_version));
        let classes = (0..12).map(|_| format!("_{}", store::random(8))).collect();
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            hydration_delay_ms: (lo.min(hi), lo.max(hi)),
            classes,
        });
        let faults = Faults::new(opts.latency);
        let (app, redesign) = crate::mutate::wrap(handlers::router(Arc::clone(&shared)))?;
        let app = crate::faults::layer(app, Arc::clone(&faults));
        let server = Running::start(addr, app).await?;
        Ok(LinkedIn {
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

    /// All posts, oldest first.
    pub fn posts(&self) -> Vec<LinkedInPost> {
        let s = self.shared.lock();
        s.posts().iter().map(|p| s.public(p)).collect()
    }

    /// The `li_at` cookie of a member.
    /// Adds a post by member `vanity` as seed data and returns its URN
    /// (`urn:li:activity:<id>`).
    pub fn add_post(&self, vanity: &str, text: &str) -> Option<String> {
        self.shared
            .lock()
            .create(vanity, text, &[])
            .ok()
            .map(|id| format!("urn:li:activity:{id}"))
    }

    /// Adds a comment on the post `urn` (`urn:li:activity:<id>`) by
    /// `author`, a reply when `parent` is a comment's id (a reply to a
    /// reply hangs under the top-level comment, as on LinkedIn); returns
    /// the comment's id, `None` when the post or parent is unknown.
    pub fn add_comment(
        &self,
        urn: &str,
        parent: Option<&str>,
        author: &str,
        text: &str,
    ) -> Option<String> {
        let activity: u64 = urn.strip_prefix("urn:li:activity:")?.parse().ok()?;
        let parent = match parent {
            Some(p) => Some(p.parse().ok()?),
            None => None,
        };
        self.shared
            .lock()
            .comment(activity, parent, author, text)
            .map(|id| id.to_string())
    }

    /// Deletes a comment: "This comment has been deleted" in its place,
    /// its replies stay.
    pub fn delete_comment(&self, id: &str) -> bool {
        let mut s = self.shared.lock();
        let mut found = false;
        for c in s.comments.iter_mut().filter(|c| c.id.to_string() == id) {
            c.deleted = true;
            found = true;
        }
        found
    }

    /// Top-level comments a post page shows before "Load more comments"
    /// (default 10).
    pub fn set_comments_per_page(&self, n: usize) {
        self.shared.lock().comments_per_page = n.max(1);
    }

    pub fn session_cookie(&self, vanity: &str) -> Option<String> {
        self.shared.lock().li_at(vanity)
    }

    /// Gives one member a share box (the rollout), whatever the UI version.
    pub fn set_share_box(&self, vanity: &str, b: ShareBox) {
        self.shared.lock().set_share_box(vanity, b);
    }

    /// 0: the classic box for members without their own; 1: the SDUI one.
    pub fn set_ui_version(&self, ui: u8) {
        self.shared.lock().default_box = share_box_of(ui);
    }

    /// While on, every page is a security checkpoint.
    pub fn set_checkpoint(&self, on: bool) {
        self.shared.lock().checkpoint = on;
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

impl fmt::Debug for LinkedIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkedIn")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl crate::mutate::Mutations for LinkedIn {
    fn redesign(&self) -> &crate::mutate::Redesign {
        &self.redesign
    }
}
