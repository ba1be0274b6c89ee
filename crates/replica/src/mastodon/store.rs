//! The Mastodon replica's in-memory state and rules: accounts (username,
//! email, password), browser sessions (`_mastodon_session`) each with the
//! access token the web app is handed, media, statuses with snowflake-like
//! ids, the instance's character limit counted the way
//! `StatusLengthValidator` counts, and `Idempotency-Key`s. No HTTP here.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;
use unicode_segmentation::UnicodeSegmentation;

use super::{MastodonMedia, MastodonStatus};

/// What one URL counts (`characters_reserved_per_url`).
pub(crate) const URL_CHARS: usize = 23;
pub(crate) const ALLOWED_MIME: [&str; 6] = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "video/mp4",
    "video/quicktime",
];
pub(crate) const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug)]
pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) username: String,
    pub(crate) email: String,
    password: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Media {
    pub(crate) owner: String,
    pub(crate) name: String,
    pub(crate) mime: String,
    pub(crate) size: usize,
    pub(crate) used: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Status {
    pub(crate) id: String,
    pub(crate) account: String,
    pub(crate) text: String,
    pub(crate) media: Vec<String>,
    pub(crate) in_reply_to: Option<String>,
    pub(crate) created: SystemTime,
    /// Deleted by its author: gone from threads, its replies stay.
    pub(crate) deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// 422 with Rails' validation message.
    Invalid(String),
    /// 429.
    RateLimited,
    /// 404.
    NotFound,
}

#[derive(Debug)]
pub(crate) struct Store {
    accounts: Vec<Account>,
    /// `_mastodon_session` -> account id.
    sessions: HashMap<String, String>,
    /// access token -> account id.
    tokens: HashMap<String, String>,
    /// session -> its access token.
    session_tokens: HashMap<String, String>,
    media: HashMap<String, Media>,
    statuses: Vec<Status>,
    /// (account, Idempotency-Key) -> status id.
    idempotency: HashMap<(String, String), String>,
    last_id: u64,
    pub(crate) max_characters: usize,
    ui_version: u8,
    daily_limit: Option<usize>,
    /// Replies a status page shows before "Load more".
    pub(crate) replies_per_page: usize,
    /// Form tokens issued and not yet used.
    csrf: std::collections::HashSet<String>,
}

impl Store {
    pub(crate) fn new(users: &[String], max_characters: usize) -> Store {
        let mut s = Store {
            accounts: Vec::new(),
            sessions: HashMap::new(),
            tokens: HashMap::new(),
            session_tokens: HashMap::new(),
            media: HashMap::new(),
            statuses: Vec::new(),
            idempotency: HashMap::new(),
            last_id: 0,
            max_characters,
            ui_version: 0,
            daily_limit: None,
            replies_per_page: 40,
            csrf: Default::default(),
        };
        for u in users {
            let id = s.next_id();
            s.accounts.push(Account {
                id,
                username: u.clone(),
                email: format!("{u}@example.com"),
                password: u.clone(),
            });
        }
        s
    }

    pub(crate) fn ui_version(&self) -> u8 {
        self.ui_version
    }
    pub(crate) fn set_ui_version(&mut self, ui: u8) {
        self.ui_version = ui;
    }
    pub(crate) fn set_daily_limit(&mut self, n: Option<usize>) {
        self.daily_limit = n;
    }

    /// Snowflake-like ids (ms since the epoch << 16 | sequence), as strings.
    fn next_id(&mut self) -> String {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let v = ((ms << 16) | rand::rng().random_range(0..1024)).max(self.last_id + 1);
        self.last_id = v;
        v.to_string()
    }

    /// The id of account `username`, made (e-mail `<name>@example.com`,
    /// password `<name>`) when there is none: the authors of seeded
    /// replies.
    pub(crate) fn ensure_account(&mut self, username: &str) -> String {
        if let Some(a) = self.account_by_name(username) {
            return a.id.clone();
        }
        let id = self.next_id();
        self.accounts.push(Account {
            id: id.clone(),
            username: username.to_string(),
            email: format!("{username}@example.com"),
            password: username.to_string(),
        });
        id
    }

    /// Marks a status deleted; true when it was there.
    pub(crate) fn delete(&mut self, id: &str) -> bool {
        let mut found = false;
        for s in self.statuses.iter_mut().filter(|s| s.id == id) {
            s.deleted = true;
            found = true;
        }
        found
    }

    pub(crate) fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    pub(crate) fn account_by_name(&self, name: &str) -> Option<&Account> {
        let name = name.trim_start_matches('@');
        let name = name.split('@').next().unwrap_or(name);
        self.accounts
            .iter()
            .find(|a| a.username.eq_ignore_ascii_case(name))
    }

    /// A new form token (one use).
    pub(crate) fn issue_csrf(&mut self) -> String {
        let t = csrf_token();
        self.csrf.insert(t.clone());
        t
    }

    /// Whether a form token was issued here (it is spent).
    pub(crate) fn spend_csrf(&mut self, t: &str) -> bool {
        self.csrf.remove(t)
    }

    /// Devise's sign-in: the e-mail address and the password.
    pub(crate) fn sign_in(&mut self, email: &str, password: &str) -> Option<String> {
        let id = self
            .accounts
            .iter()
            .find(|a| a.email.eq_ignore_ascii_case(email.trim()) && a.password == password)?
            .id
            .clone();
        Some(self.new_session(&id))
    }

    fn new_session(&mut self, account: &str) -> String {
        let session = random_token(64);
        let token = random_token(43);
        self.sessions.insert(session.clone(), account.to_string());
        self.tokens.insert(token.clone(), account.to_string());
        self.session_tokens.insert(session.clone(), token);
        session
    }

    /// A logged-in `_mastodon_session` for seeding (tests, the sandbox).
    pub(crate) fn session_for(&mut self, username: &str) -> Option<String> {
        let id = self.account_by_name(username)?.id.clone();
        Some(self.new_session(&id))
    }

    /// The account and web app token of a session cookie.
    pub(crate) fn session(&self, cookie: &str) -> Option<(String, String)> {
        let account = self.sessions.get(cookie)?.clone();
        let token = self.session_tokens.get(cookie)?.clone();
        Some((account, token))
    }

    pub(crate) fn token_owner(&self, token: &str) -> Option<String> {
        self.tokens.get(token).cloned()
    }

    pub(crate) fn upload(
        &mut self,
        owner: &str,
        name: &str,
        mime: &str,
        size: usize,
    ) -> Result<String, Refused> {
        if !ALLOWED_MIME.contains(&mime) {
            return Err(Refused::Invalid(format!(
                "Validation failed: File content type is invalid, File is invalid ({mime})"
            )));
        }
        if size == 0 {
            return Err(Refused::Invalid("Validation failed: File is empty".into()));
        }
        let id = self.next_id();
        self.media.insert(
            id.clone(),
            Media {
                owner: owner.to_string(),
                name: name.to_string(),
                mime: mime.to_string(),
                size,
                used: false,
            },
        );
        Ok(id)
    }

    pub(crate) fn media(&self, id: &str) -> Option<&Media> {
        self.media.get(id)
    }

    /// `POST /api/v1/statuses`. A repeated `Idempotency-Key` returns the
    /// status it made, and makes nothing new.
    pub(crate) fn create(
        &mut self,
        account: &str,
        text: &str,
        media_ids: &[String],
        in_reply_to: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<String, Refused> {
        if let Some(key) = idempotency_key.filter(|k| !k.is_empty()) {
            if let Some(id) = self
                .idempotency
                .get(&(account.to_string(), key.to_string()))
            {
                return Ok(id.clone());
            }
        }
        if let Some(limit) = self.daily_limit {
            if self
                .statuses
                .iter()
                .filter(|s| s.account == account)
                .count()
                >= limit
            {
                return Err(Refused::RateLimited);
            }
        }
        if text.trim().is_empty() && media_ids.is_empty() {
            return Err(Refused::Invalid(
                "Validation failed: Text can't be blank".into(),
            ));
        }
        if countable_length(text) > self.max_characters {
            return Err(Refused::Invalid(format!(
                "Validation failed: Text character limit of {} exceeded",
                self.max_characters
            )));
        }
        if media_ids.len() > 4
            || media_ids.iter().any(|m| {
                self.media
                    .get(m)
                    .is_none_or(|x| x.owner != account || x.used)
            })
        {
            return Err(Refused::Invalid(
                "Validation failed: Media attachments are invalid".into(),
            ));
        }
        if let Some(parent) = in_reply_to {
            if !self.statuses.iter().any(|s| s.id == parent) {
                return Err(Refused::NotFound);
            }
        }
        for m in media_ids {
            if let Some(x) = self.media.get_mut(m) {
                x.used = true;
            }
        }
        let id = self.next_id();
        self.statuses.push(Status {
            id: id.clone(),
            account: account.to_string(),
            text: text.to_string(),
            media: media_ids.to_vec(),
            in_reply_to: in_reply_to.map(str::to_string),
            created: SystemTime::now(),
            deleted: false,
        });
        if let Some(key) = idempotency_key.filter(|k| !k.is_empty()) {
            self.idempotency
                .insert((account.to_string(), key.to_string()), id.clone());
        }
        Ok(id)
    }

    pub(crate) fn statuses(&self) -> &[Status] {
        &self.statuses
    }

    pub(crate) fn status(&self, id: &str) -> Option<&Status> {
        self.statuses.iter().find(|s| s.id == id)
    }

    pub(crate) fn public(&self, s: &Status) -> MastodonStatus {
        MastodonStatus {
            id: s.id.clone(),
            username: self
                .account(&s.account)
                .map(|a| a.username.clone())
                .unwrap_or_default(),
            text: s.text.clone(),
            media: s
                .media
                .iter()
                .filter_map(|m| self.media.get(m))
                .map(|m| MastodonMedia {
                    name: m.name.clone(),
                    mime: m.mime.clone(),
                    bytes: m.size,
                })
                .collect(),
            in_reply_to: s.in_reply_to.clone(),
        }
    }
}

/// `StatusLengthValidator`: graphemes, each URL as 23, `@user@domain` as
/// `@user`.
pub(crate) fn countable_length(text: &str) -> usize {
    use std::sync::OnceLock;
    static URL: OnceLock<regex_lite::Regex> = OnceLock::new();
    static MENTION: OnceLock<regex_lite::Regex> = OnceLock::new();
    let url = URL.get_or_init(|| regex_lite::Regex::new(r"https?://[^\s]+").expect("regex"));
    let mention = MENTION.get_or_init(|| {
        regex_lite::Regex::new(r"(^|[^/\w])@([a-zA-Z0-9_]+)@[a-zA-Z0-9.\-]+[a-zA-Z0-9]")
            .expect("regex")
    });
    let no_urls = url.replace_all(text, "x".repeat(URL_CHARS).as_str());
    let short = mention.replace_all(&no_urls, "$1@$2");
    short.graphemes(true).count()
}

fn random_token(n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(A[rng.random_range(0..A.len())]))
        .collect()
}

/// A fresh CSRF token for a form.
fn csrf_token() -> String {
    random_token(86)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_urls_as_23_and_remote_mentions_as_local() {
        assert_eq!(
            countable_length("hi https://example.com/a/very/long/path/indeed"),
            3 + 23
        );
        assert_eq!(countable_length("cc @alice@mastodon.social"), 3 + 6);
        assert_eq!(countable_length("👩‍👩‍👧"), 1);
        let mut s = Store::new(&["alice".into()], 10);
        let a = s.account_by_name("alice").unwrap().id.clone();
        assert!(s
            .create(
                &a,
                "https://example.com/long/path/over/ten",
                &[],
                None,
                None
            )
            .is_err());
        assert!(s.create(&a, "short", &[], None, None).is_ok());
    }

    #[test]
    fn an_idempotency_key_makes_one_status() {
        let mut s = Store::new(&["alice".into()], 500);
        let a = s.account_by_name("alice").unwrap().id.clone();
        let one = s.create(&a, "hello", &[], None, Some("k1")).unwrap();
        let two = s.create(&a, "hello", &[], None, Some("k1")).unwrap();
        assert_eq!(one, two);
        assert_eq!(s.statuses().len(), 1);
        let reply = s.create(&a, "more", &[], Some(&one), Some("k2")).unwrap();
        assert_eq!(
            s.status(&reply).unwrap().in_reply_to.as_deref(),
            Some(one.as_str())
        );
    }

    #[test]
    fn sign_in_takes_the_email() {
        let mut s = Store::new(&["alice".into()], 500);
        assert!(s.sign_in("alice@example.com", "alice").is_some());
        assert!(s.sign_in("alice", "alice").is_none());
        assert!(s.sign_in("alice@example.com", "nope").is_none());
    }
}
