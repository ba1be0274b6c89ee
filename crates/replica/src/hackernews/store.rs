//! The replica's in-memory state and rules: accounts and sessions, one-time
//! form ids, login throttling, submission validation, duplicates and the
//! rate limit. No HTTP here.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime};

use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;

use super::HnStory;

/// Ids of new stories start here (real ids are 8 digits) and grow by a
/// small random step, so nothing can guess the next one.
const FIRST_ID: u64 = 40_000_001;

/// The real site refuses titles longer than this, counted in characters.
pub(crate) const MAX_TITLE_CHARS: usize = 80;

/// One account of the replica.
#[derive(Debug)]
struct Account {
    name: String,
    password: String,
    /// The second half of the `user` cookie, fixed for the server's life.
    session: String,
    /// The `auth` parameter of the logout link.
    auth: String,
}

/// One stored story.
#[derive(Debug, Clone)]
pub(crate) struct Story {
    pub(crate) id: u64,
    pub(crate) title: String,
    pub(crate) url: Option<String>,
    pub(crate) text: Option<String>,
    pub(crate) by: String,
    pub(crate) points: u32,
    pub(crate) created: SystemTime,
}

impl Story {
    pub(crate) fn public(&self) -> HnStory {
        HnStory {
            id: self.id,
            title: self.title.clone(),
            url: self.url.clone(),
            text: self.text.clone(),
            by: self.by.clone(),
            points: self.points,
        }
    }
}

/// One comment under a story (seeded: the replica does not take new ones).
#[derive(Debug, Clone)]
pub(crate) struct Comment {
    pub(crate) id: u64,
    pub(crate) story: u64,
    pub(crate) parent: Option<u64>,
    pub(crate) by: String,
    pub(crate) text: String,
    pub(crate) created: SystemTime,
    /// Shown as `[deleted]`, its replies kept, as the real site does.
    pub(crate) deleted: bool,
}

/// Top-level comment threads per item page before "More" (the real site
/// pages long threads the same way).
pub(crate) const COMMENT_THREADS_PER_PAGE: usize = 30;

/// What `POST /login` leads to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Login {
    /// The `user` cookie value to set.
    Ok(String),
    Bad,
    /// Too many failures: the reCAPTCHA page, with no way through.
    ValidationRequired,
}

/// The fields of the submit form, as sent.
#[derive(Debug, Default, Clone)]
pub(crate) struct Submission {
    pub(crate) fnid: String,
    pub(crate) title: String,
    pub(crate) url: String,
    pub(crate) text: String,
}

/// What `POST /r` leads to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Submitted {
    /// Unknown, already used, or someone else's `fnid`.
    Expired,
    LoggedOut,
    TooFast,
    /// Re-show the submit form with this message and a fresh `fnid`.
    Invalid(&'static str),
    /// The URL was already submitted: that story got a point.
    Duplicate(u64),
    Created(u64),
}

pub(crate) const MSG_NO_TITLE: &str = "Please submit a title.";
pub(crate) const MSG_TITLE_TOO_LONG: &str = "Please make title < 80 characters.";
pub(crate) const MSG_URL_OR_TEXT: &str = "Please enter a url, or some text.";

#[derive(Debug)]
pub(crate) struct Store {
    accounts: Vec<Account>,
    /// Oldest first.
    stories: Vec<Story>,
    next_id: u64,
    /// Issued, unused form ids and the account each was issued to.
    fnids: HashMap<String, String>,
    failed_logins: usize,
    captcha_after: Option<usize>,
    rate_limit: Option<(usize, Duration)>,
    /// Recent successful submissions per account, oldest first.
    recent: HashMap<String, VecDeque<Instant>>,
    /// Oldest first.
    comments: Vec<Comment>,
    pub(crate) comment_threads_per_page: usize,
    /// Which UI version pages are served in (see `drift`).
    pub(crate) ui_version: u8,
    /// What goes wrong after the next submissions are stored.
    pub(crate) fault: Option<super::HnFault>,
    /// How many of the newest stories `/newest` leaves out.
    pub(crate) newest_lag: usize,
}

impl Store {
    pub(crate) fn new(
        users: &[(String, String)],
        rate_limit: Option<(usize, Duration)>,
        captcha_after: Option<usize>,
    ) -> Self {
        let accounts = users
            .iter()
            .map(|(name, password)| Account {
                name: name.clone(),
                password: password.clone(),
                session: random_token(32),
                auth: random_token(40).to_ascii_lowercase(),
            })
            .collect();
        Store {
            accounts,
            stories: Vec::new(),
            comments: Vec::new(),
            comment_threads_per_page: COMMENT_THREADS_PER_PAGE,
            next_id: FIRST_ID,
            fnids: HashMap::new(),
            failed_logins: 0,
            captcha_after,
            rate_limit,
            recent: HashMap::new(),
            ui_version: 0,
            fault: None,
            newest_lag: 0,
        }
    }

    fn account(&self, name: &str) -> Option<&Account> {
        self.accounts.iter().find(|account| account.name == name)
    }

    /// The `user` cookie value a login of `name` sets.
    pub(crate) fn session_cookie(&self, name: &str) -> Option<String> {
        self.account(name)
            .map(|account| format!("{}&{}", account.name, account.session))
    }

    /// The logout link's `auth` value for `name`.
    pub(crate) fn logout_auth(&self, name: &str) -> Option<&str> {
        self.account(name).map(|account| account.auth.as_str())
    }

    /// The account a `user` cookie value belongs to, if this server issued it.
    pub(crate) fn user_for_cookie(&self, cookie: &str) -> Option<String> {
        let (name, session) = cookie.split_once('&')?;
        self.account(name)
            .filter(|account| account.session == session)
            .map(|account| account.name.clone())
    }

    pub(crate) fn validation_required(&self) -> bool {
        self.captcha_after
            .is_some_and(|limit| self.failed_logins >= limit)
    }

    pub(crate) fn login(&mut self, acct: &str, pw: &str) -> Login {
        if self.validation_required() {
            return Login::ValidationRequired;
        }
        let cookie = self
            .account(acct)
            .filter(|account| account.password == pw)
            .map(|account| format!("{}&{}", account.name, account.session));
        match cookie {
            Some(cookie) => Login::Ok(cookie),
            None => {
                self.failed_logins += 1;
                tracing::debug!(acct, failures = self.failed_logins, "hn replica: bad login");
                if self.validation_required() {
                    Login::ValidationRequired
                } else {
                    Login::Bad
                }
            }
        }
    }

    /// A new one-time form id for `user`'s submit form.
    pub(crate) fn issue_fnid(&mut self, user: &str) -> String {
        let fnid = random_token(22);
        self.fnids.insert(fnid.clone(), user.to_owned());
        fnid
    }

    /// The one-time form ids issued and not used yet.
    pub(crate) fn open_fnids(&self) -> Vec<String> {
        self.fnids.keys().cloned().collect()
    }

    pub(crate) fn set_rate_limit(&mut self, limit: Option<(usize, Duration)>) {
        self.rate_limit = limit;
    }

    /// Handles a submit form post by `user` (None when logged out).
    pub(crate) fn submit(&mut self, user: Option<&str>, form: &Submission) -> Submitted {
        // The form id is spent whatever happens next.
        let Some(owner) = self.fnids.remove(&form.fnid) else {
            return Submitted::Expired;
        };
        let Some(user) = user else {
            return Submitted::LoggedOut;
        };
        if owner != user {
            return Submitted::Expired;
        }

        let title = form.title.trim();
        let url = form.url.trim();
        let text = normalize_newlines(&form.text);
        if title.is_empty() {
            return Submitted::Invalid(MSG_NO_TITLE);
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Submitted::Invalid(MSG_TITLE_TOO_LONG);
        }
        if url.is_empty() && text.trim().is_empty() {
            return Submitted::Invalid(MSG_URL_OR_TEXT);
        }
        if !url.is_empty() {
            if let Some(story) = self
                .stories
                .iter_mut()
                .find(|story| story.url.as_deref() == Some(url))
            {
                story.points += 1;
                tracing::debug!(id = story.id, url, "hn replica: duplicate url upvoted");
                return Submitted::Duplicate(story.id);
            }
        }
        if self.too_fast(user) {
            tracing::debug!(user, "hn replica: submitting too fast");
            return Submitted::TooFast;
        }

        let url = (!url.is_empty()).then_some(url);
        let text = (!text.trim().is_empty()).then_some(text.as_str());
        let id = self.insert(user, title, url, text);
        self.recent
            .entry(user.to_owned())
            .or_default()
            .push_back(Instant::now());
        tracing::debug!(id, user, "hn replica: story submitted");
        Submitted::Created(id)
    }

    /// Whether one more submission by `user` now would exceed the limit.
    fn too_fast(&mut self, user: &str) -> bool {
        let Some((max, window)) = self.rate_limit else {
            return false;
        };
        let recent = self.recent.entry(user.to_owned()).or_default();
        let now = Instant::now();
        while recent
            .front()
            .is_some_and(|at| now.duration_since(*at) >= window)
        {
            recent.pop_front();
        }
        recent.len() >= max
    }

    /// Stores a story as given (seed data: no rules, no rate limit).
    pub(crate) fn insert(
        &mut self,
        by: &str,
        title: &str,
        url: Option<&str>,
        text: Option<&str>,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += rand::rng().random_range(1..=9);
        self.stories.push(Story {
            id,
            title: title.to_owned(),
            url: url.map(str::to_owned),
            text: text.map(str::to_owned),
            by: by.to_owned(),
            points: 1,
            created: SystemTime::now(),
        });
        id
    }

    /// Adds a comment under `story` (or under the comment `parent`) as
    /// seed data; `None` when the story or parent does not exist.
    pub(crate) fn add_comment(
        &mut self,
        story: u64,
        parent: Option<u64>,
        by: &str,
        text: &str,
        created: SystemTime,
    ) -> Option<u64> {
        self.story(story)?;
        if let Some(p) = parent {
            self.comments
                .iter()
                .find(|c| c.id == p && c.story == story)?;
        }
        let id = self.next_id;
        self.next_id += rand::rng().random_range(1..=9);
        self.comments.push(Comment {
            id,
            story,
            parent,
            by: by.to_owned(),
            text: text.to_owned(),
            created,
            deleted: false,
        });
        Some(id)
    }

    /// The story that item `id` (a story or a comment) belongs to.
    pub(crate) fn comment_story(&self, id: u64) -> Option<u64> {
        if self.story(id).is_some() {
            return Some(id);
        }
        self.comments.iter().find(|c| c.id == id).map(|c| c.story)
    }

    pub(crate) fn delete_comment(&mut self, id: u64) {
        if let Some(c) = self.comments.iter_mut().find(|c| c.id == id) {
            c.deleted = true;
        }
    }

    /// Page `page` (from 1) of `story`'s comments: whole top-level threads,
    /// each in reading order with its depth; and whether a next page exists.
    pub(crate) fn comment_page(&self, story: u64, page: usize) -> (Vec<(usize, &Comment)>, bool) {
        let per = self.comment_threads_per_page.max(1);
        let tops: Vec<&Comment> = self
            .comments
            .iter()
            .filter(|c| c.story == story && c.parent.is_none())
            .collect();
        let start = page.saturating_sub(1) * per;
        let mut out = Vec::new();
        for top in tops.iter().skip(start).take(per) {
            self.thread(top, 0, &mut out);
        }
        (out, tops.len() > start + per)
    }

    fn thread<'a>(&'a self, c: &'a Comment, depth: usize, out: &mut Vec<(usize, &'a Comment)>) {
        out.push((depth, c));
        for child in self.comments.iter().filter(|k| k.parent == Some(c.id)) {
            self.thread(child, depth + 1, out);
        }
    }

    pub(crate) fn story(&self, id: u64) -> Option<&Story> {
        self.stories.iter().find(|story| story.id == id)
    }

    /// All stories, newest first.
    pub(crate) fn newest(&self) -> impl Iterator<Item = &Story> {
        self.stories.iter().rev()
    }

    /// Whether `name` is an account or has submitted anything.
    pub(crate) fn user_exists(&self, name: &str) -> bool {
        self.account(name).is_some() || self.stories.iter().any(|story| story.by == name)
    }

    /// Karma as the real site counts it: 1, plus the upvotes on one's stories.
    pub(crate) fn karma(&self, name: &str) -> u64 {
        1 + self
            .stories
            .iter()
            .filter(|story| story.by == name)
            .map(|story| u64::from(story.points.saturating_sub(1)))
            .sum::<u64>()
    }
}

/// Browsers send textarea line breaks as CRLF; store LF.
fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn random_token(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        Store::new(&[("alice".into(), "pw".into())], None, Some(2))
    }

    fn form(store: &mut Store, title: &str, url: &str, text: &str) -> Submission {
        Submission {
            fnid: store.issue_fnid("alice"),
            title: title.into(),
            url: url.into(),
            text: text.into(),
        }
    }

    #[test]
    fn session_cookie_is_stable_and_checked() {
        let mut store = store();
        let cookie = store.session_cookie("alice").unwrap();
        assert_eq!(store.login("alice", "pw"), Login::Ok(cookie.clone()));
        assert_eq!(store.user_for_cookie(&cookie).as_deref(), Some("alice"));
        assert_eq!(store.user_for_cookie("alice&forged"), None);
        assert_eq!(store.session_cookie("nobody"), None);
    }

    #[test]
    fn failed_logins_lead_to_validation() {
        let mut store = store();
        assert_eq!(store.login("alice", "wrong"), Login::Bad);
        assert_eq!(store.login("alice", "wrong"), Login::ValidationRequired);
        assert_eq!(store.login("alice", "pw"), Login::ValidationRequired);
    }

    #[test]
    fn title_length_counts_characters() {
        let mut store = store();
        let eighty = "é".repeat(80);
        let f = form(&mut store, &eighty, "", "body");
        assert!(matches!(
            store.submit(Some("alice"), &f),
            Submitted::Created(_)
        ));
        let f = form(&mut store, &"é".repeat(81), "", "body");
        assert_eq!(
            store.submit(Some("alice"), &f),
            Submitted::Invalid(MSG_TITLE_TOO_LONG)
        );
    }

    #[test]
    fn text_keeps_content_but_normalizes_crlf() {
        let mut store = store();
        let f = form(&mut store, "t  ", "", "a\r\n\r\nb 😀 \r\n");
        let Submitted::Created(id) = store.submit(Some("alice"), &f) else {
            panic!("not created");
        };
        let story = store.story(id).unwrap();
        assert_eq!(story.title, "t");
        assert_eq!(story.text.as_deref(), Some("a\n\nb 😀 \n"));
        assert_eq!(story.url, None);
    }

    #[test]
    fn fnid_belongs_to_its_user() {
        let mut store = Store::new(
            &[("alice".into(), "a".into()), ("bob".into(), "b".into())],
            None,
            None,
        );
        let f = form(&mut store, "t", "", "x");
        assert_eq!(store.submit(Some("bob"), &f), Submitted::Expired);
    }

    #[test]
    fn ids_increase() {
        let mut store = store();
        let a = store.insert("alice", "a", None, Some("x"));
        let b = store.insert("alice", "b", None, Some("x"));
        assert!(a >= FIRST_ID && b > a);
        assert_eq!(store.newest().next().unwrap().id, b);
    }
}
