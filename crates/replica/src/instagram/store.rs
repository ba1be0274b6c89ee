//! The Instagram replica's state and rules: accounts and sessions, uploads,
//! shared posts, the challenge and fault switches. No HTTP here.

use std::collections::HashMap;

use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;

use super::InstagramPost;

/// Instagram's caption limit, in characters.
pub(crate) const MAX_CAPTION_CHARS: usize = 2_200;
/// The most files in one carousel.
pub(crate) const MAX_MEDIA: usize = 10;

#[derive(Debug)]
struct Account {
    name: String,
    /// The `sessionid` cookie value.
    session: String,
}

#[derive(Debug)]
struct Upload {
    owner: String,
    name: String,
}

/// Why `configure` refused to share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The fault switch: the next share fails once.
    Fault,
    NoMedia,
    TooManyMedia,
    CaptionTooLong,
}

/// One comment under a post (seeded: the replica does not take new ones).
/// As on Instagram, a reply hangs under a top-level comment (one level).
#[derive(Debug, Clone)]
pub(crate) struct Comment {
    /// Numeric, like the real comment pk.
    pub(crate) id: String,
    pub(crate) post: String,
    /// The top-level comment it replies to.
    pub(crate) parent: Option<String>,
    pub(crate) user: String,
    pub(crate) text: String,
    pub(crate) created: std::time::SystemTime,
    /// Deleted comments (and their replies) are not shown, as on Instagram.
    pub(crate) deleted: bool,
}

/// Top-level comments a post page shows before "Load more comments".
pub(crate) const COMMENTS_PER_PAGE: usize = 15;

#[derive(Debug)]
pub(crate) struct Store {
    accounts: Vec<Account>,
    /// Oldest first.
    posts: Vec<InstagramPost>,
    uploads: HashMap<String, Upload>,
    next_pk: u64,
    pub(crate) challenge: bool,
    pub(crate) fail_next: bool,
    /// The UI version the app renders (see `drift`).
    pub(crate) ui_version: u8,
    /// Oldest first.
    comments: Vec<Comment>,
    pub(crate) comments_per_page: usize,
}

impl Store {
    pub(crate) fn new(users: &[String], challenge: bool) -> Self {
        Store {
            accounts: users
                .iter()
                .map(|name| Account {
                    name: name.clone(),
                    session: format!(
                        "{}%3A{}%3A{}",
                        rand::rng().random_range(10_000_000_000u64..99_999_999_999),
                        Alphanumeric.sample_string(&mut rand::rng(), 14),
                        rand::rng().random_range(1..30)
                    ),
                })
                .collect(),
            posts: Vec::new(),
            uploads: HashMap::new(),
            next_pk: 3_456_789_012_345_678_901,
            challenge,
            fail_next: false,
            ui_version: 0,
            comments: Vec::new(),
            comments_per_page: COMMENTS_PER_PAGE,
        }
    }

    pub(crate) fn session_cookie(&self, name: &str) -> Option<String> {
        self.accounts
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.session.clone())
    }

    pub(crate) fn user_for_session(&self, session: &str) -> Option<String> {
        self.accounts
            .iter()
            .find(|a| a.session == session)
            .map(|a| a.name.clone())
    }

    pub(crate) fn is_account(&self, name: &str) -> bool {
        self.accounts.iter().any(|a| a.name == name)
    }

    pub(crate) fn posts(&self) -> &[InstagramPost] {
        &self.posts
    }

    /// Adds a post of `user` with `caption` as seed data (no media
    /// checked); returns its shortcode.
    pub(crate) fn add_post(&mut self, user: &str, caption: &str) -> String {
        let id = self.next_pk.to_string();
        self.next_pk += rand::rng().random_range(1..1_000);
        let code = shortcode();
        self.posts.push(InstagramPost {
            id,
            shortcode: code.clone(),
            user: user.to_owned(),
            caption: caption.to_owned(),
            media: Vec::new(),
        });
        code
    }

    /// Adds a comment under the post `code` (a reply to a reply hangs under
    /// the same top-level comment); `None` when either does not exist.
    pub(crate) fn add_comment(
        &mut self,
        code: &str,
        parent: Option<&str>,
        user: &str,
        text: &str,
        created: std::time::SystemTime,
    ) -> Option<String> {
        self.post(code)?;
        let parent = match parent {
            None => None,
            Some(p) => {
                let c = self.comments.iter().find(|c| c.id == p && c.post == code)?;
                Some(c.parent.clone().unwrap_or_else(|| c.id.clone()))
            }
        };
        let id = self.next_pk.to_string();
        self.next_pk += rand::rng().random_range(1..1_000);
        self.comments.push(Comment {
            id: id.clone(),
            post: code.to_owned(),
            parent,
            user: user.to_owned(),
            text: text.to_owned(),
            created,
            deleted: false,
        });
        Some(id)
    }

    pub(crate) fn delete_comment(&mut self, id: &str) {
        if let Some(c) = self.comments.iter_mut().find(|c| c.id == id) {
            c.deleted = true;
        }
    }

    /// Page `page` (from 1) of the post's shown top-level comments, each
    /// with its shown replies; and whether more follow.
    pub(crate) fn comment_page(
        &self,
        code: &str,
        page: usize,
    ) -> (Vec<(&Comment, Vec<&Comment>)>, bool) {
        let per = self.comments_per_page.max(1);
        let tops: Vec<&Comment> = self
            .comments
            .iter()
            .filter(|c| c.post == code && c.parent.is_none() && !c.deleted)
            .collect();
        let start = page.saturating_sub(1) * per;
        let shown = tops
            .iter()
            .skip(start)
            .take(per)
            .map(|t| {
                let replies = self
                    .comments
                    .iter()
                    .filter(|c| c.parent.as_deref() == Some(t.id.as_str()) && !c.deleted)
                    .collect();
                (*t, replies)
            })
            .collect();
        (shown, tops.len() > start + per)
    }

    pub(crate) fn post(&self, shortcode: &str) -> Option<&InstagramPost> {
        self.posts.iter().find(|p| p.shortcode == shortcode)
    }

    pub(crate) fn upload(&mut self, owner: &str, name: &str) -> String {
        let id = rand::rng()
            .random_range(100_000_000_000_000u64..999_999_999_999_999)
            .to_string();
        self.uploads.insert(
            id.clone(),
            Upload {
                owner: owner.to_owned(),
                name: name.to_owned(),
            },
        );
        id
    }

    /// Shares a post of `user`'s uploads with `caption`; returns its shortcode.
    pub(crate) fn configure(
        &mut self,
        user: &str,
        upload_ids: &[String],
        caption: &str,
    ) -> Result<String, Refusal> {
        if self.fail_next {
            self.fail_next = false;
            return Err(Refusal::Fault);
        }
        if upload_ids.is_empty() {
            return Err(Refusal::NoMedia);
        }
        if upload_ids.len() > MAX_MEDIA {
            return Err(Refusal::TooManyMedia);
        }
        let caption = caption.replace("\r\n", "\n");
        if caption.chars().count() > MAX_CAPTION_CHARS {
            return Err(Refusal::CaptionTooLong);
        }
        let mut media = Vec::new();
        for id in upload_ids {
            match self.uploads.get(id) {
                Some(u) if u.owner == user => media.push(u.name.clone()),
                _ => return Err(Refusal::NoMedia),
            }
        }
        let id = self.next_pk.to_string();
        self.next_pk += rand::rng().random_range(1..1_000);
        let shortcode = shortcode();
        self.posts.push(InstagramPost {
            id,
            shortcode: shortcode.clone(),
            user: user.to_owned(),
            caption,
            media,
        });
        tracing::debug!(shortcode, user, "instagram replica: post shared");
        Ok(shortcode)
    }
}

/// An 11-character shortcode like `C7xYz_Ab-12`.
fn shortcode() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    let mut out = String::from("C");
    for _ in 0..10 {
        out.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configure_checks_and_fault_fails_once() {
        let mut s = Store::new(&["me".to_owned()], false);
        let up = s.upload("me", "a.png");
        s.fail_next = true;
        assert_eq!(
            s.configure("me", std::slice::from_ref(&up), "x"),
            Err(Refusal::Fault)
        );
        let code = s
            .configure("me", std::slice::from_ref(&up), "hi\r\nthere")
            .unwrap();
        assert_eq!(code.len(), 11);
        assert_eq!(s.post(&code).unwrap().caption, "hi\nthere");
        assert_eq!(s.configure("me", &[], "x"), Err(Refusal::NoMedia));
        assert_eq!(
            s.configure("other", std::slice::from_ref(&up), "x"),
            Err(Refusal::NoMedia)
        );
        assert_eq!(
            s.configure("me", &[up], &"é".repeat(2201)),
            Err(Refusal::CaptionTooLong)
        );
    }
}
