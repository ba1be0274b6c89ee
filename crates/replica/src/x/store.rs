//! The X replica's in-memory state and rules: accounts and their
//! `auth_token`s, uploaded media, posts with snowflake ids, duplicate
//! detection, the daily limit and the fault switches. No HTTP here.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::Rng;

use super::{XMedia, XPost, XRefusal};

/// Twitter's snowflake epoch (2010-11-04T01:42:54.657Z), in Unix ms.
const SNOWFLAKE_EPOCH_MS: u64 = 1_288_834_974_657;

/// How many of a user's latest posts a new text may not repeat.
const DUPLICATE_WINDOW: usize = 20;

/// The daily limit counts posts over this window.
const DAY: Duration = Duration::from_secs(24 * 3600);

/// Media types the composer accepts (`accept` of the file input).
pub(crate) const ALLOWED_MIME: [&str; 6] = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "video/mp4",
    "video/quicktime",
];

/// The largest upload the replica takes (the real limits: 5 MB images,
/// 15 MB GIFs, 512 MB video; tests never come near).
pub(crate) const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// One account.
#[derive(Debug)]
struct Account {
    handle: String,
    /// The `auth_token` cookie, 40 hex digits, fixed for the server's life.
    auth_token: String,
}

/// An uploaded file, waiting to be attached to a post (or attached).
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub(crate) owner: String,
    pub(crate) name: String,
    pub(crate) mime: String,
    pub(crate) data: Vec<u8>,
    pub(crate) used: bool,
}

/// One stored post.
#[derive(Debug, Clone)]
pub(crate) struct Post {
    pub(crate) id: u64,
    pub(crate) user: String,
    pub(crate) text: String,
    /// Ids of uploads, in order.
    pub(crate) media: Vec<u64>,
    pub(crate) reply_to: Option<u64>,
    pub(crate) created: SystemTime,
    created_at: Instant,
}

/// A `CreateTweet` request, as the page sends it.
#[derive(Debug, Default)]
pub(crate) struct NewPost {
    pub(crate) text: String,
    pub(crate) media_ids: Vec<u64>,
    pub(crate) reply_to: Option<u64>,
}

/// Why `CreateTweet` refused; each maps to the real API's error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// 187, "Status is a duplicate."
    Duplicate,
    /// 185, over the daily limit.
    DailyLimit,
    /// 226, "This request looks like it might be automated."
    Automated,
    /// A server error: the page says "Something went wrong".
    Internal,
    /// 170 / 324 / 385: nothing to post, bad media ids, reply target gone.
    Invalid(u32),
}

/// What `upload` refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UploadRefused {
    UnsupportedType,
    Empty,
}

#[derive(Debug)]
pub(crate) struct Store {
    accounts: Vec<Account>,
    /// Oldest first.
    posts: Vec<Post>,
    uploads: HashMap<u64, Upload>,
    last_id: u64,
    daily_limit: Option<usize>,
    refusal: Option<XRefusal>,
    compose_modal: bool,
    /// Which UI version the app renders (see `drift`).
    ui_version: u8,
    /// Replies shown on a status page before "Show more replies".
    pub(crate) replies_per_page: usize,
}

/// Direct replies a status page shows before "Show more replies".
pub(crate) const REPLIES_PER_PAGE: usize = 20;

impl Store {
    pub(crate) fn new(handles: &[String]) -> Self {
        let accounts = handles
            .iter()
            .map(|handle| Account {
                handle: handle.clone(),
                auth_token: random_hex(40),
            })
            .collect();
        Store {
            accounts,
            posts: Vec::new(),
            replies_per_page: REPLIES_PER_PAGE,
            uploads: HashMap::new(),
            last_id: 0,
            daily_limit: None,
            refusal: None,
            compose_modal: true,
            ui_version: 0,
        }
    }

    /// The `auth_token` of `handle` (case-insensitive, as X handles are).
    pub(crate) fn auth_token(&self, handle: &str) -> Option<String> {
        self.account(handle).map(|a| a.auth_token.clone())
    }

    /// The handle an `auth_token` cookie belongs to.
    pub(crate) fn user_for_token(&self, token: &str) -> Option<String> {
        self.accounts
            .iter()
            .find(|a| a.auth_token == token)
            .map(|a| a.handle.clone())
    }

    fn account(&self, handle: &str) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|a| a.handle.eq_ignore_ascii_case(handle))
    }

    /// The account's handle as spelt at creation, for a handle in any case.
    pub(crate) fn canonical_handle(&self, handle: &str) -> Option<String> {
        self.account(handle).map(|a| a.handle.clone())
    }

    pub(crate) fn set_daily_limit(&mut self, limit: Option<usize>) {
        self.daily_limit = limit;
    }

    pub(crate) fn set_refusal(&mut self, refusal: Option<XRefusal>) {
        self.refusal = refusal;
    }

    pub(crate) fn compose_modal(&self) -> bool {
        self.compose_modal
    }

    pub(crate) fn set_compose_modal(&mut self, on: bool) {
        self.compose_modal = on;
    }

    pub(crate) fn ui_version(&self) -> u8 {
        self.ui_version
    }

    pub(crate) fn set_ui_version(&mut self, ui: u8) {
        self.ui_version = ui;
    }

    /// A new snowflake-like id: milliseconds since the Twitter epoch in the
    /// high bits, strictly increasing, 19 digits today.
    fn next_id(&mut self) -> u64 {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let since = now_ms.saturating_sub(SNOWFLAKE_EPOCH_MS);
        let worker: u64 = rand::rng().random_range(0..1024);
        let candidate = (since << 22) | (worker << 12);
        self.last_id = candidate.max(self.last_id + 1);
        self.last_id
    }

    /// Stores an uploaded file for `owner` and returns its media id.
    pub(crate) fn upload(
        &mut self,
        owner: &str,
        name: &str,
        mime: &str,
        data: Vec<u8>,
    ) -> Result<u64, UploadRefused> {
        if !ALLOWED_MIME.contains(&mime) {
            return Err(UploadRefused::UnsupportedType);
        }
        if data.is_empty() {
            return Err(UploadRefused::Empty);
        }
        let id = self.next_id();
        self.uploads.insert(
            id,
            Upload {
                owner: owner.to_owned(),
                name: name.to_owned(),
                mime: mime.to_owned(),
                data,
                used: false,
            },
        );
        tracing::debug!(id, owner, name, mime, "x replica: media uploaded");
        Ok(id)
    }

    pub(crate) fn media(&self, id: u64) -> Option<&Upload> {
        self.uploads.get(&id)
    }

    /// `CreateTweet` for `user`.
    pub(crate) fn create(&mut self, user: &str, new: &NewPost) -> Result<u64, Refused> {
        match self.refusal {
            Some(XRefusal::Automated) => return Err(Refused::Automated),
            Some(XRefusal::SomethingWentWrong) => return Err(Refused::Internal),
            None => {}
        }
        if let Some(limit) = self.daily_limit {
            let today = self
                .posts
                .iter()
                .filter(|p| p.user == user && p.created_at.elapsed() < DAY)
                .count();
            if today >= limit {
                return Err(Refused::DailyLimit);
            }
        }
        if new.text.trim().is_empty() && new.media_ids.is_empty() {
            return Err(Refused::Invalid(170));
        }
        if !new.text.trim().is_empty() && self.is_duplicate(user, &new.text) {
            return Err(Refused::Duplicate);
        }
        self.check_media(user, &new.media_ids)?;
        if let Some(parent) = new.reply_to {
            if !self.posts.iter().any(|p| p.id == parent) {
                return Err(Refused::Invalid(385));
            }
        }
        for id in &new.media_ids {
            if let Some(upload) = self.uploads.get_mut(id) {
                upload.used = true;
            }
        }
        let id = self.insert(user, &new.text, new.media_ids.clone(), new.reply_to);
        tracing::debug!(id, user, "x replica: post created");
        Ok(id)
    }

    /// Whether `text` repeats one of `user`'s latest posts.
    fn is_duplicate(&self, user: &str, text: &str) -> bool {
        self.posts
            .iter()
            .rev()
            .filter(|p| p.user == user)
            .take(DUPLICATE_WINDOW)
            .any(|p| p.text.trim() == text.trim())
    }

    /// Up to 4 images, or 1 video alone; every id uploaded by `user` and
    /// not yet used.
    fn check_media(&self, user: &str, ids: &[u64]) -> Result<(), Refused> {
        let mut videos = 0;
        for id in ids {
            let Some(upload) = self.uploads.get(id) else {
                return Err(Refused::Invalid(324));
            };
            if upload.owner != user || upload.used {
                return Err(Refused::Invalid(324));
            }
            if upload.mime.starts_with("video/") {
                videos += 1;
            }
        }
        let distinct = ids.iter().collect::<std::collections::HashSet<_>>().len();
        if ids.len() > 4 || (videos > 0 && ids.len() > 1) || distinct != ids.len() {
            return Err(Refused::Invalid(324));
        }
        Ok(())
    }

    /// Stores a post as given (seed data: no rules).
    pub(crate) fn insert(
        &mut self,
        user: &str,
        text: &str,
        media: Vec<u64>,
        reply_to: Option<u64>,
    ) -> u64 {
        let id = self.next_id();
        self.posts.push(Post {
            id,
            user: user.to_owned(),
            text: text.to_owned(),
            media,
            reply_to,
            created: SystemTime::now(),
            created_at: Instant::now(),
        });
        id
    }

    /// Page `page` (from 1) of the direct replies to `id`, oldest first,
    /// and whether more follow.
    pub(crate) fn replies_page(&self, id: u64, page: usize) -> (Vec<&Post>, bool) {
        let all: Vec<&Post> = self
            .posts
            .iter()
            .filter(|p| p.reply_to == Some(id))
            .collect();
        let per = self.replies_per_page.max(1);
        let start = page.saturating_sub(1) * per;
        let shown = all.iter().skip(start).take(per).copied().collect();
        (shown, all.len() > start + per)
    }

    pub(crate) fn reply_count(&self, id: u64) -> usize {
        self.posts.iter().filter(|p| p.reply_to == Some(id)).count()
    }

    pub(crate) fn post(&self, id: u64) -> Option<&Post> {
        self.posts.iter().find(|p| p.id == id)
    }

    /// All posts, oldest first.
    pub(crate) fn posts(&self) -> &[Post] {
        &self.posts
    }

    /// The public form of a stored post.
    pub(crate) fn public(&self, post: &Post) -> XPost {
        XPost {
            id: post.id.to_string(),
            user: post.user.clone(),
            text: post.text.clone(),
            media: post
                .media
                .iter()
                .filter_map(|id| self.uploads.get(id))
                .map(|u| XMedia {
                    name: u.name.clone(),
                    mime: u.mime.clone(),
                    bytes: u.data.len(),
                })
                .collect(),
            reply_to: post.reply_to.map(|id| id.to_string()),
        }
    }
}

fn random_hex(len: usize) -> String {
    const HEX: &[u8] = b"0123456789abcdef";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(HEX[rng.random_range(0..HEX.len())]))
        .collect()
}

/// A fresh `ct0` (CSRF) value, 32 hex digits as a logged-out `ct0` is.
pub(crate) fn new_csrf_token() -> String {
    random_hex(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        Store::new(&["alice".to_owned(), "bob".to_owned()])
    }

    fn text(t: &str) -> NewPost {
        NewPost {
            text: t.to_owned(),
            ..NewPost::default()
        }
    }

    #[test]
    fn tokens_are_per_user_and_checked() {
        let store = store();
        let a = store.auth_token("alice").unwrap();
        assert_eq!(a.len(), 40);
        assert_eq!(store.user_for_token(&a).as_deref(), Some("alice"));
        assert_eq!(store.auth_token("ALICE"), Some(a));
        assert_eq!(store.user_for_token("forged"), None);
        assert_ne!(store.auth_token("alice"), store.auth_token("bob"));
    }

    #[test]
    fn ids_are_increasing_19_digit_snowflakes() {
        let mut store = store();
        let a = store.create("alice", &text("one")).unwrap();
        let b = store.create("alice", &text("two")).unwrap();
        assert!(b > a);
        assert_eq!(a.to_string().len(), 19, "{a}");
    }

    #[test]
    fn duplicates_are_per_user_and_keep_text_exact() {
        let mut store = store();
        store.create("alice", &text("a\n\nb 😀")).unwrap();
        assert_eq!(
            store.create("alice", &text("a\n\nb 😀")),
            Err(Refused::Duplicate)
        );
        assert!(store.create("bob", &text("a\n\nb 😀")).is_ok());
        assert_eq!(store.posts()[0].text, "a\n\nb 😀");
    }

    #[test]
    fn daily_limit_and_refusals() {
        let mut store = store();
        store.set_daily_limit(Some(1));
        store.create("alice", &text("one")).unwrap();
        assert_eq!(
            store.create("alice", &text("two")),
            Err(Refused::DailyLimit)
        );
        store.set_daily_limit(None);
        store.set_refusal(Some(XRefusal::Automated));
        assert_eq!(store.create("alice", &text("two")), Err(Refused::Automated));
    }

    #[test]
    fn media_rules() {
        let mut store = store();
        let ids: Vec<u64> = (0..5)
            .map(|i| {
                store
                    .upload("alice", &format!("{i}.png"), "image/png", vec![1])
                    .unwrap()
            })
            .collect();
        let post = |media: &[u64]| NewPost {
            text: String::new(),
            media_ids: media.to_vec(),
            reply_to: None,
        };
        assert_eq!(
            store.create("alice", &post(&ids)),
            Err(Refused::Invalid(324))
        );
        assert_eq!(
            store.create("bob", &post(&ids[..1])),
            Err(Refused::Invalid(324))
        );
        assert!(store.create("alice", &post(&ids[..4])).is_ok());
        // Already used.
        assert_eq!(
            store.create("alice", &post(&ids[..1])),
            Err(Refused::Invalid(324))
        );
        assert_eq!(
            store.upload("alice", "x.txt", "text/plain", vec![1]),
            Err(UploadRefused::UnsupportedType)
        );
        let public = store.public(&store.posts()[0]);
        assert_eq!(public.media.len(), 4);
        assert_eq!(public.media[0].name, "0.png");
    }
}
