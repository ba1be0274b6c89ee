//! The Reddit replica's state and rules: accounts and sessions, flair
//! templates, uploaded media, submission validation and the rate limit.
//! No HTTP here.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime};

use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;

use super::RedditPost;

/// Post ids are base36; new ones start near real 2024-25 ids.
const FIRST_ID: u64 = 3_209_004_328; // "1h2k3l4" in base36

pub(crate) const MAX_TITLE_CHARS: usize = 300;
pub(crate) const MAX_BODY_CHARS: usize = 40_000;

#[derive(Debug)]
struct Account {
    name: String,
    /// The `reddit_session` cookie value.
    session: String,
    /// The old UI's `uh` form token.
    modhash: String,
}

/// One post flair template of a subreddit.
#[derive(Debug, Clone)]
pub(crate) struct Flair {
    pub(crate) id: String,
    pub(crate) text: String,
}

/// A file uploaded by the new UI's media input before the post is sent.
#[derive(Debug)]
struct Upload {
    owner: String,
    name: String,
    size: usize,
}

/// What a submit form sends, from either UI.
#[derive(Debug, Default, Clone)]
pub(crate) struct Draft {
    pub(crate) subreddit: String,
    /// `self`, `link` or `image`.
    pub(crate) kind: String,
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) url: String,
    /// Upload ids (new UI image posts).
    pub(crate) media: Vec<String>,
    pub(crate) flair_id: String,
    /// `new` or `old`.
    pub(crate) ui: &'static str,
}

/// Why a submission was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    BadSubreddit,
    NoTitle,
    TitleTooLong,
    BodyTooLong,
    NoUrl,
    BadUrl,
    NoMedia,
    BadKind,
    FlairRequired,
    UnknownFlair,
    /// Try again in this many minutes.
    RateLimit(u64),
}

impl Refusal {
    /// The old UI's error code and the field it belongs to.
    pub(crate) fn old_code(&self) -> (&'static str, &'static str) {
        match self {
            Refusal::BadSubreddit => ("SUBREDDIT_NOEXIST", "sr"),
            Refusal::NoTitle => ("NO_TEXT", "title"),
            Refusal::TitleTooLong => ("TOO_LONG", "title"),
            Refusal::BodyTooLong => ("TOO_LONG", "text"),
            Refusal::NoUrl => ("NO_URL", "url"),
            Refusal::BadUrl => ("BAD_URL", "url"),
            Refusal::NoMedia | Refusal::BadKind => ("INVALID_OPTION", "kind"),
            Refusal::FlairRequired => ("SUBMIT_VALIDATION_FLAIR_REQUIRED", "flair"),
            Refusal::UnknownFlair => ("INVALID_FLAIR_TEMPLATE_ID", "flair"),
            Refusal::RateLimit(_) => ("RATELIMIT", "ratelimit"),
        }
    }

    /// The old UI's message, lower case as there.
    pub(crate) fn old_message(&self) -> String {
        match self {
            Refusal::BadSubreddit => "that subreddit doesn't exist".into(),
            Refusal::NoTitle => "we need something here".into(),
            Refusal::TitleTooLong => format!("this is too long (max: {MAX_TITLE_CHARS})"),
            Refusal::BodyTooLong => format!("this is too long (max: {MAX_BODY_CHARS})"),
            Refusal::NoUrl => "a url is required".into(),
            Refusal::BadUrl => "you should check that url".into(),
            Refusal::NoMedia | Refusal::BadKind => "that option is not valid".into(),
            Refusal::FlairRequired => super::pages::FLAIR_REQUIRED.into(),
            Refusal::UnknownFlair => "that flair is not valid".into(),
            Refusal::RateLimit(minutes) => {
                format!(
                    "you are doing that too much. try again in {}.",
                    minutes_text(*minutes)
                )
            }
        }
    }

    /// The new UI's message.
    pub(crate) fn new_message(&self) -> String {
        match self {
            Refusal::BadSubreddit => super::pages::NO_SUCH_COMMUNITY.into(),
            Refusal::NoTitle => "Please fill out this field.".into(),
            Refusal::TitleTooLong => {
                format!("Title must be {MAX_TITLE_CHARS} characters or less")
            }
            Refusal::BodyTooLong => format!("Body must be {MAX_BODY_CHARS} characters or less"),
            Refusal::NoUrl => "Link is required".into(),
            Refusal::BadUrl => "Link doesn't look right".into(),
            Refusal::NoMedia => "Add an image or video to your post".into(),
            Refusal::BadKind => "Something went wrong".into(),
            Refusal::FlairRequired => super::pages::FLAIR_REQUIRED.into(),
            Refusal::UnknownFlair => "That flair is not available in this community".into(),
            Refusal::RateLimit(minutes) => {
                format!(
                    "You're doing that too much. Try again in {}.",
                    minutes_text(*minutes)
                )
            }
        }
    }
}

fn minutes_text(minutes: u64) -> String {
    if minutes == 1 {
        "1 minute".into()
    } else {
        format!("{minutes} minutes")
    }
}

/// One comment under a post (seeded: the replica does not take new ones).
#[derive(Debug, Clone)]
pub(crate) struct Comment {
    /// Base36, without `t1_`.
    pub(crate) id: String,
    pub(crate) post: String,
    pub(crate) parent: Option<String>,
    pub(crate) author: String,
    pub(crate) body: String,
    pub(crate) created: SystemTime,
    /// Shown as `[deleted]`, its replies kept, as the real site does.
    pub(crate) deleted: bool,
}

/// Top-level comment threads shown before "View more comments".
pub(crate) const COMMENT_THREADS_PER_PAGE: usize = 20;

#[derive(Debug)]
pub(crate) struct Store {
    accounts: Vec<Account>,
    /// Oldest first.
    posts: Vec<RedditPost>,
    next_id: u64,
    /// Lower-case subreddit name -> its post flairs (all required).
    flairs: BTreeMap<String, Vec<Flair>>,
    uploads: HashMap<String, Upload>,
    rate_limit: Option<(usize, Duration)>,
    recent: HashMap<String, VecDeque<Instant>>,
    /// New Reddit's composer version served.
    pub(crate) ui_version: u8,
    /// Oldest first.
    comments: Vec<Comment>,
    pub(crate) comment_threads_per_page: usize,
}

impl Store {
    pub(crate) fn new(users: &[String], flair_required: &BTreeMap<String, Vec<String>>) -> Self {
        let accounts = users
            .iter()
            .map(|name| Account {
                name: name.clone(),
                session: random_token(48),
                modhash: random_token(40).to_ascii_lowercase(),
            })
            .collect();
        let flairs = flair_required
            .iter()
            .map(|(sub, names)| {
                let list = names
                    .iter()
                    .map(|text| Flair {
                        id: uuid_like(),
                        text: text.clone(),
                    })
                    .collect();
                (sub.to_ascii_lowercase(), list)
            })
            .collect();
        Store {
            accounts,
            posts: Vec::new(),
            next_id: FIRST_ID,
            flairs,
            uploads: HashMap::new(),
            rate_limit: None,
            recent: HashMap::new(),
            ui_version: 0,
            comments: Vec::new(),
            comment_threads_per_page: COMMENT_THREADS_PER_PAGE,
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

    pub(crate) fn modhash(&self, name: &str) -> String {
        self.accounts
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.modhash.clone())
            .unwrap_or_default()
    }

    /// The post flairs of a subreddit; non-empty means one is required.
    pub(crate) fn flairs(&self, subreddit: &str) -> &[Flair] {
        self.flairs
            .get(&subreddit.to_ascii_lowercase())
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    pub(crate) fn set_rate_limit(&mut self, limit: Option<(usize, Duration)>) {
        self.rate_limit = limit;
    }

    /// Keeps an uploaded file for `owner` and returns its id.
    pub(crate) fn upload(&mut self, owner: &str, name: &str, size: usize) -> String {
        let id = random_token(13).to_ascii_lowercase();
        self.uploads.insert(
            id.clone(),
            Upload {
                owner: owner.to_owned(),
                name: name.to_owned(),
                size,
            },
        );
        id
    }

    pub(crate) fn posts(&self) -> &[RedditPost] {
        &self.posts
    }

    /// Adds a post as seed data (no validation, no rate limit); returns its id.
    pub(crate) fn add_post(&mut self, sub: &str, author: &str, title: &str, body: &str) -> String {
        let id = to_base36(self.next_id);
        self.next_id += rand::rng().random_range(1..=40);
        self.posts.push(RedditPost {
            id: id.clone(),
            subreddit: sub.to_ascii_lowercase(),
            author: author.to_owned(),
            kind: "self".into(),
            title: title.to_owned(),
            body: body.to_owned(),
            url: None,
            media: Vec::new(),
            flair: None,
            ui: "new".into(),
        });
        id
    }

    /// Adds a comment under `post` (or the comment `parent`) as seed data;
    /// `None` when either does not exist.
    pub(crate) fn add_comment(
        &mut self,
        post: &str,
        parent: Option<&str>,
        author: &str,
        body: &str,
        created: SystemTime,
    ) -> Option<String> {
        self.post(post)?;
        if let Some(p) = parent {
            self.comments.iter().find(|c| c.id == p && c.post == post)?;
        }
        let id = to_base36(self.next_id);
        self.next_id += rand::rng().random_range(1..=40);
        self.comments.push(Comment {
            id: id.clone(),
            post: post.to_owned(),
            parent: parent.map(str::to_owned),
            author: author.to_owned(),
            body: body.to_owned(),
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

    /// The top-level comments of `post` on page `page` (from 1), and
    /// whether more follow.
    pub(crate) fn top_comments(&self, post: &str, page: usize) -> (Vec<&Comment>, bool) {
        let per = self.comment_threads_per_page.max(1);
        let tops: Vec<&Comment> = self
            .comments
            .iter()
            .filter(|c| c.post == post && c.parent.is_none())
            .collect();
        let start = page.saturating_sub(1) * per;
        let shown = tops.iter().skip(start).take(per).copied().collect();
        (shown, tops.len() > start + per)
    }

    /// The direct replies to comment `id`, oldest first.
    pub(crate) fn children(&self, id: &str) -> Vec<&Comment> {
        self.comments
            .iter()
            .filter(|c| c.parent.as_deref() == Some(id))
            .collect()
    }

    pub(crate) fn post(&self, id: &str) -> Option<&RedditPost> {
        self.posts.iter().find(|p| p.id == id)
    }

    /// Validates and stores a post by `user`; returns its id.
    pub(crate) fn submit(&mut self, user: &str, draft: &Draft) -> Result<String, Refusal> {
        if !valid_subreddit(&draft.subreddit) {
            return Err(Refusal::BadSubreddit);
        }
        let title = draft.title.trim();
        if title.is_empty() {
            return Err(Refusal::NoTitle);
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(Refusal::TitleTooLong);
        }
        let body = draft.body.replace("\r\n", "\n");
        if body.chars().count() > MAX_BODY_CHARS {
            return Err(Refusal::BodyTooLong);
        }
        let url = draft.url.trim();
        let mut media = Vec::new();
        match draft.kind.as_str() {
            "self" => {}
            "link" => {
                if url.is_empty() {
                    return Err(Refusal::NoUrl);
                }
                match url::Url::parse(url) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                    _ => return Err(Refusal::BadUrl),
                }
            }
            "image" => {
                for id in &draft.media {
                    match self.uploads.get(id) {
                        Some(upload) if upload.owner == user && upload.size > 0 => {
                            media.push(upload.name.clone())
                        }
                        _ => return Err(Refusal::NoMedia),
                    }
                }
                if media.is_empty() {
                    return Err(Refusal::NoMedia);
                }
            }
            _ => return Err(Refusal::BadKind),
        }
        let flairs = self.flairs(&draft.subreddit);
        let flair = if draft.flair_id.is_empty() {
            if !flairs.is_empty() {
                return Err(Refusal::FlairRequired);
            }
            None
        } else {
            match flairs.iter().find(|f| f.id == draft.flair_id) {
                Some(f) => Some(f.text.clone()),
                None => return Err(Refusal::UnknownFlair),
            }
        };
        if let Some(minutes) = self.too_fast(user) {
            return Err(Refusal::RateLimit(minutes));
        }
        let id = to_base36(self.next_id);
        self.next_id += rand::rng().random_range(1..=40);
        let kind = match draft.kind.as_str() {
            "self" => "self",
            "link" => "link",
            _ => "image",
        };
        self.posts.push(RedditPost {
            id: id.clone(),
            subreddit: draft.subreddit.to_ascii_lowercase(),
            author: user.to_owned(),
            kind: kind.to_owned(),
            title: title.to_owned(),
            body,
            url: (kind == "link").then(|| url.to_owned()),
            media,
            flair,
            ui: draft.ui.to_owned(),
        });
        self.recent
            .entry(user.to_owned())
            .or_default()
            .push_back(Instant::now());
        tracing::debug!(id, user, "reddit replica: post submitted");
        Ok(id)
    }

    /// `Some(minutes to wait)` when one more post by `user` now is too many.
    fn too_fast(&mut self, user: &str) -> Option<u64> {
        let (max, window) = self.rate_limit?;
        let recent = self.recent.entry(user.to_owned()).or_default();
        let now = Instant::now();
        while recent
            .front()
            .is_some_and(|at| now.duration_since(*at) >= window)
        {
            recent.pop_front();
        }
        if recent.len() < max {
            return None;
        }
        let wait = recent.front().map_or(window, |oldest| {
            window.saturating_sub(now.duration_since(*oldest))
        });
        Some(wait.as_secs().div_ceil(60).max(1))
    }
}

/// Subreddit names: 3-21 characters of `[A-Za-z0-9_]`.
pub(crate) fn valid_subreddit(name: &str) -> bool {
    (3..=21).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The URL slug of a title: lower-case ASCII words joined by `_`.
pub(crate) fn slug(title: &str) -> String {
    let mut out = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if out.len() + word.len() > 50 {
            break;
        }
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    if out.is_empty() {
        "_".into()
    } else {
        out
    }
}

fn to_base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn random_token(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

fn uuid_like() -> String {
    let hex: String = (0..32)
        .map(|_| char::from_digit(rand::rng().random_range(0..16), 16).unwrap_or('0'))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        let mut flairs = BTreeMap::new();
        flairs.insert("FlairTest".to_owned(), vec!["Discussion".to_owned()]);
        Store::new(&["alice".to_owned()], &flairs)
    }

    fn draft(kind: &str) -> Draft {
        Draft {
            subreddit: "rust".into(),
            kind: kind.into(),
            title: "Hello".into(),
            ui: "new",
            ..Draft::default()
        }
    }

    #[test]
    fn ids_are_base36_and_grow() {
        assert_eq!(to_base36(FIRST_ID), "1h2k3l4");
        let mut s = store();
        let a = s.submit("alice", &draft("self")).unwrap();
        let b = s.submit("alice", &draft("self")).unwrap();
        assert!(a.len() == 7 && b > a, "{a} {b}");
    }

    #[test]
    fn flair_is_required_case_insensitively() {
        let mut s = store();
        let mut d = draft("self");
        d.subreddit = "flairtest".into();
        assert_eq!(s.submit("alice", &d), Err(Refusal::FlairRequired));
        d.flair_id = "nope".into();
        assert_eq!(s.submit("alice", &d), Err(Refusal::UnknownFlair));
        d.flair_id = s.flairs("FLAIRTEST")[0].id.clone();
        s.submit("alice", &d).unwrap();
        assert_eq!(s.posts()[0].flair.as_deref(), Some("Discussion"));
    }

    #[test]
    fn rules_and_rate_limit() {
        let mut s = store();
        let mut d = draft("link");
        assert_eq!(s.submit("alice", &d), Err(Refusal::NoUrl));
        d.url = "ftp://x".into();
        assert_eq!(s.submit("alice", &d), Err(Refusal::BadUrl));
        d.url = "https://example.com".into();
        d.title = "é".repeat(301);
        assert_eq!(s.submit("alice", &d), Err(Refusal::TitleTooLong));
        d.title = "é".repeat(300);
        s.submit("alice", &d).unwrap();
        s.set_rate_limit(Some((1, Duration::from_secs(600))));
        assert_eq!(s.submit("alice", &d), Err(Refusal::RateLimit(10)));
        assert_eq!(
            Refusal::RateLimit(10).new_message(),
            "You're doing that too much. Try again in 10 minutes."
        );
        assert!(!valid_subreddit("ab") && !valid_subreddit("a-b-c") && valid_subreddit("A_b1"));
        assert_eq!(slug("Hello, World! 中文"), "hello_world");
    }
}
