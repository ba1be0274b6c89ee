//! The Bluesky replica's in-memory state and rules: accounts (handle, DID,
//! app password), sessions whose refresh token rotates on every use (a
//! used one is refused, as a stale saved session is on the real PDS),
//! blobs, and posts with TID record keys. No HTTP here.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::Rng;

use super::{BskyMedia, BskyPost};

/// The most graphemes a post's text may have (`MAX_GRAPHEME_LENGTH`).
pub(crate) const MAX_GRAPHEMES: usize = 300;
/// The most UTF-8 bytes of a post's text (the lexicon's `maxLength`).
pub(crate) const MAX_BYTES: usize = 3000;
/// Blob types the app takes.
pub(crate) const ALLOWED_MIME: [&str; 6] = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "video/mp4",
    "video/quicktime",
];
/// The largest blob (real: 1 MB images, 100 MB video; tests never come near).
pub(crate) const MAX_BLOB_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug)]
struct Account {
    handle: String,
    did: String,
    password: String,
}

/// One session: the access token's owner and expiry.
#[derive(Debug, Clone)]
struct Access {
    did: String,
    until: Instant,
}

#[derive(Debug, Clone)]
pub(crate) struct Blob {
    pub(crate) owner: String,
    pub(crate) mime: String,
    pub(crate) size: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Post {
    pub(crate) rkey: String,
    pub(crate) did: String,
    pub(crate) text: String,
    pub(crate) blobs: Vec<String>,
    /// The parent post's rkey (a thread's previous post).
    pub(crate) reply_to: Option<String>,
    pub(crate) created: SystemTime,
    /// Deleted by its author: the thread shows a placeholder.
    pub(crate) deleted: bool,
}

/// A new session's tokens.
#[derive(Debug, Clone)]
pub(crate) struct Tokens {
    pub(crate) access: String,
    pub(crate) refresh: String,
    pub(crate) did: String,
    pub(crate) handle: String,
}

/// Why a write or a session call was refused (XRPC error names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// 401 `AuthenticationRequired`: bad identifier or password.
    BadLogin,
    /// 401 `AuthMissing`: no access token.
    AuthMissing,
    /// 400 `ExpiredToken`: an access token past its time, or a refresh
    /// token already used (rotated) or unknown.
    ExpiredToken,
    /// 400 `InvalidRequest` with a message.
    Invalid(String),
    /// 429 `RateLimitExceeded`.
    RateLimited,
}

#[derive(Debug)]
pub(crate) struct Store {
    accounts: Vec<Account>,
    access: HashMap<String, Access>,
    /// Live refresh tokens -> DID. A used one is removed.
    refresh: HashMap<String, String>,
    blobs: HashMap<String, Blob>,
    posts: Vec<Post>,
    last_tid: u64,
    access_ttl: Duration,
    ui_version: u8,
    daily_limit: Option<usize>,
    refreshes: usize,
    replies_per_page: usize,
}

impl Store {
    pub(crate) fn new(users: &[String]) -> Store {
        let accounts = users
            .iter()
            .map(|u| Account {
                handle: if u.contains('.') {
                    u.clone()
                } else {
                    format!("{u}.bsky.social")
                },
                did: format!("did:plc:{}", random_b32(24)),
                password: u.split('.').next().unwrap_or(u).to_string(),
            })
            .collect();
        Store {
            accounts,
            access: HashMap::new(),
            refresh: HashMap::new(),
            blobs: HashMap::new(),
            posts: Vec::new(),
            last_tid: 0,
            access_ttl: Duration::from_secs(2 * 3600),
            ui_version: 0,
            daily_limit: None,
            refreshes: 0,
            replies_per_page: 20,
        }
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
    pub(crate) fn refreshes(&self) -> usize {
        self.refreshes
    }

    fn account_by(&self, id: &str) -> Option<&Account> {
        let id = id.trim().trim_start_matches('@');
        self.accounts.iter().find(|a| {
            a.handle.eq_ignore_ascii_case(id)
                || a.did == id
                || a.handle
                    .split('.')
                    .next()
                    .is_some_and(|h| h.eq_ignore_ascii_case(id))
        })
    }

    /// The handle of a DID or handle.
    pub(crate) fn handle_of(&self, id: &str) -> Option<String> {
        self.account_by(id).map(|a| a.handle.clone())
    }

    pub(crate) fn did_of(&self, id: &str) -> Option<String> {
        self.account_by(id).map(|a| a.did.clone())
    }

    fn issue(&mut self, did: &str) -> Tokens {
        let access = jwt("com.atproto.access", did);
        let refresh = jwt("com.atproto.refresh", did);
        self.access.insert(
            access.clone(),
            Access {
                did: did.to_string(),
                until: Instant::now() + self.access_ttl,
            },
        );
        self.refresh.insert(refresh.clone(), did.to_string());
        let handle = self.handle_of(did).unwrap_or_default();
        Tokens {
            access,
            refresh,
            did: did.to_string(),
            handle,
        }
    }

    /// `com.atproto.server.createSession`: the handle (or its first label)
    /// and the app password.
    pub(crate) fn create_session(
        &mut self,
        identifier: &str,
        password: &str,
    ) -> Result<Tokens, Refused> {
        let did = match self.account_by(identifier) {
            Some(a) if a.password == password => a.did.clone(),
            _ => return Err(Refused::BadLogin),
        };
        Ok(self.issue(&did))
    }

    /// A logged-in session for seeding (tests, the sandbox).
    pub(crate) fn session_for(&mut self, user: &str) -> Option<Tokens> {
        let did = self.did_of(user)?;
        Some(self.issue(&did))
    }

    /// `com.atproto.server.refreshSession`: the refresh token is spent and
    /// a new pair issued (rotation); a spent or unknown one is refused.
    pub(crate) fn refresh_session(&mut self, refresh: &str) -> Result<Tokens, Refused> {
        let did = self.refresh.remove(refresh).ok_or(Refused::ExpiredToken)?;
        self.refreshes += 1;
        Ok(self.issue(&did))
    }

    /// The DID an access token belongs to, while it is valid.
    pub(crate) fn viewer(&self, access: &str) -> Result<String, Refused> {
        match self.access.get(access) {
            Some(a) if a.until > Instant::now() => Ok(a.did.clone()),
            _ => Err(Refused::ExpiredToken),
        }
    }

    /// Every access token expires now (as after two hours away): the app
    /// must refresh, which rotates the refresh token.
    pub(crate) fn expire_access(&mut self) {
        self.access.clear();
    }

    pub(crate) fn upload(&mut self, did: &str, mime: &str, size: usize) -> Result<String, Refused> {
        if !ALLOWED_MIME.contains(&mime) {
            return Err(Refused::Invalid(format!("Unsupported blob type: {mime}")));
        }
        if size == 0 {
            return Err(Refused::Invalid("Empty blob".into()));
        }
        let cid = format!("bafkrei{}", random_b32(52));
        self.blobs.insert(
            cid.clone(),
            Blob {
                owner: did.to_string(),
                mime: mime.to_string(),
                size,
            },
        );
        Ok(cid)
    }

    /// A new TID: microseconds since the epoch and a clock id, base32-sortable.
    pub(crate) fn next_tid(&mut self) -> String {
        let us = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64);
        let v = ((us << 10) | rand::rng().random_range(0..1024)).max(self.last_tid + 1);
        self.last_tid = v;
        tid_string(v)
    }

    /// Creates a post record. The text rules are the app's and the
    /// lexicon's (300 graphemes, 3000 bytes); blobs must be the author's.
    pub(crate) fn create(
        &mut self,
        did: &str,
        rkey: Option<&str>,
        text: &str,
        blobs: Vec<String>,
        reply_to: Option<String>,
    ) -> Result<String, Refused> {
        if let Some(limit) = self.daily_limit {
            if self.posts.iter().filter(|p| p.did == did).count() >= limit {
                return Err(Refused::RateLimited);
            }
        }
        let graphemes = unicode_segmentation::UnicodeSegmentation::graphemes(text, true).count();
        if text.len() > MAX_BYTES || graphemes > 3 * MAX_GRAPHEMES {
            return Err(Refused::Invalid(
                "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes".into(),
            ));
        }
        if text.trim().is_empty() && blobs.is_empty() {
            return Err(Refused::Invalid("Post is empty".into()));
        }
        if blobs.len() > 4
            || blobs
                .iter()
                .any(|b| self.blobs.get(b).is_none_or(|x| x.owner != did))
        {
            return Err(Refused::Invalid("Invalid embed".into()));
        }
        if let Some(parent) = &reply_to {
            if !self.posts.iter().any(|p| &p.rkey == parent) {
                return Err(Refused::Invalid(
                    "Could not locate record: reply parent".into(),
                ));
            }
        }
        let rkey = match rkey {
            Some(k) if !k.is_empty() && !self.posts.iter().any(|p| p.rkey == k) => k.to_string(),
            Some(k) if !k.is_empty() => {
                return Err(Refused::Invalid(format!("Record already exists: {k}")))
            }
            _ => self.next_tid(),
        };
        self.posts.push(Post {
            rkey: rkey.clone(),
            did: did.to_string(),
            text: text.to_string(),
            blobs,
            reply_to,
            created: SystemTime::now(),
            deleted: false,
        });
        Ok(rkey)
    }

    /// The DID of account `name`, made (with the password `name`) when
    /// there is none: the authors of seeded replies.
    pub(crate) fn ensure_account(&mut self, name: &str) -> String {
        if let Some(did) = self.did_of(name) {
            return did;
        }
        let handle = if name.contains('.') {
            name.to_string()
        } else {
            format!("{name}.bsky.social")
        };
        let did = format!("did:plc:{}", random_b32(24));
        self.accounts.push(Account {
            handle,
            did: did.clone(),
            password: name.split('.').next().unwrap_or(name).to_string(),
        });
        did
    }

    /// Marks a post deleted; true when it was there.
    pub(crate) fn delete(&mut self, rkey: &str) -> bool {
        let mut found = false;
        for p in self.posts.iter_mut().filter(|p| p.rkey == rkey) {
            p.deleted = true;
            found = true;
        }
        found
    }

    /// Top-level replies shown before "Show more replies".
    pub(crate) fn replies_per_page(&self) -> usize {
        self.replies_per_page
    }
    pub(crate) fn set_replies_per_page(&mut self, n: usize) {
        self.replies_per_page = n.max(1);
    }

    /// Removes posts (a commit that failed half-way).
    pub(crate) fn remove(&mut self, did: &str, rkeys: &[String]) {
        self.posts
            .retain(|p| !(p.did == did && rkeys.contains(&p.rkey)));
    }

    pub(crate) fn posts(&self) -> &[Post] {
        &self.posts
    }

    pub(crate) fn post(&self, did: &str, rkey: &str) -> Option<&Post> {
        self.posts.iter().find(|p| p.did == did && p.rkey == rkey)
    }

    pub(crate) fn public(&self, p: &Post) -> BskyPost {
        BskyPost {
            rkey: p.rkey.clone(),
            handle: self.handle_of(&p.did).unwrap_or_default(),
            text: p.text.clone(),
            media: p
                .blobs
                .iter()
                .filter_map(|b| self.blobs.get(b))
                .map(|b| BskyMedia {
                    mime: b.mime.clone(),
                    bytes: b.size,
                })
                .collect(),
            reply_to: p.reply_to.clone(),
        }
    }
}

const B32_SORTABLE: &[u8] = b"234567abcdefghijklmnopqrstuvwxyz";

fn tid_string(mut v: u64) -> String {
    let mut out = [b'2'; 13];
    for i in (0..13).rev() {
        out[i] = B32_SORTABLE[(v & 31) as usize];
        v >>= 5;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn random_b32(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(B32_SORTABLE[rng.random_range(0..32)]))
        .collect()
}

/// A JWT-shaped token (header.payload.signature), opaque to the app.
fn jwt(scope: &str, did: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"typ":"at+jwt","alg":"ES256K"}"#);
    let payload = b64.encode(
        format!(
            r#"{{"scope":"{scope}","sub":"{did}","jti":"{}"}}"#,
            random_b32(20)
        )
        .as_bytes(),
    );
    format!("{header}.{payload}.{}", random_b32(43))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_rotate_and_a_spent_one_is_refused() {
        let mut s = Store::new(&["alice".into()]);
        let t = s.create_session("alice.bsky.social", "alice").unwrap();
        assert_eq!(s.viewer(&t.access).unwrap(), t.did);
        let t2 = s.refresh_session(&t.refresh).unwrap();
        assert_ne!(t2.refresh, t.refresh);
        assert_eq!(
            s.refresh_session(&t.refresh).unwrap_err(),
            Refused::ExpiredToken
        );
        s.expire_access();
        assert_eq!(s.viewer(&t2.access).unwrap_err(), Refused::ExpiredToken);
        assert!(s.refresh_session(&t2.refresh).is_ok());
        assert_eq!(
            s.create_session("alice", "nope").unwrap_err(),
            Refused::BadLogin
        );
    }

    #[test]
    fn tids_sort_as_they_are_made() {
        let mut s = Store::new(&["alice".into()]);
        let a = s.next_tid();
        let b = s.next_tid();
        assert_eq!(a.len(), 13);
        assert!(b > a, "{a} {b}");
    }

    #[test]
    fn posts_and_blobs() {
        let mut s = Store::new(&["alice".into(), "bob".into()]);
        let a = s.did_of("alice").unwrap();
        let b = s.did_of("bob").unwrap();
        let blob = s.upload(&a, "image/png", 10).unwrap();
        assert!(s.create(&b, None, "x", vec![blob.clone()], None).is_err());
        let k = s.create(&a, None, "hi #rust", vec![blob], None).unwrap();
        assert!(s.create(&a, None, "reply", vec![], Some(k.clone())).is_ok());
        assert!(s.create(&a, None, "  ", vec![], None).is_err());
        assert_eq!(s.public(&s.posts()[0]).media.len(), 1);
        assert_eq!(s.public(&s.posts()[1]).reply_to, Some(k));
    }
}
