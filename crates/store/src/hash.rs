//! The identity of "the same content to the same platform and account".
//!
//! [`content_hash`] is SHA-256 (hex, 64 characters) over a versioned,
//! length-prefixed encoding of exactly these fields, in this order:
//!
//! | field       | value                                                                 |
//! |-------------|-----------------------------------------------------------------------|
//! | (prefix)    | `distroflow-content-v1`                                               |
//! | `platform`  | the platform id (`x`, `reddit`, `hackernews`, `instagram`)            |
//! | `account`   | trimmed, one leading `@` or `u/` dropped, lowercased                  |
//! | `parts`     | how many, then each text the platform receives (`Post::parts_for`): a thread's posts in order, else the one text, each normalised as below |
//! | `title`     | normalised; absent and empty are the same                             |
//! | `url`       | trimmed, otherwise exact; absent and empty are the same               |
//! | `media`     | how many, then the SHA-256 of each file's bytes, in order             |
//! | `subreddit` | Reddit only: trimmed, `/r/` or `r/` dropped, lowercased; else empty   |
//!
//! Text normalisation is deliberately light: Unicode NFC, line endings to
//! `\n`, trailing spaces of each line and leading/trailing blank space of
//! the whole text removed. Spaces inside a line and blank lines between
//! paragraphs are kept, because they show on the platform. So `echo TEXT |
//! distroflow post -` (a trailing newline) and `distroflow post TEXT` hash
//! the same, and a deliberate edit hashes differently.
//!
//! Media is hashed by content, not by path: the same picture moved or
//! renamed is the same post; a re-exported picture is not. Nothing else
//! (flair, MIME type, file names, options other than the subreddit) is part
//! of the identity. Changing any rule above means a new prefix (`-v2`).

use std::fmt;
use std::io::Read;
use std::path::Path;

use distroflow_core::{Error, PlatformId, Post, Result};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

const PREFIX: &str = "distroflow-content-v1";

/// The SHA-256 of a post's identity for one platform and account (64 hex
/// characters). See the module docs for exactly what is hashed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(String);

impl ContentHash {
    /// A hash as stored (not checked beyond being kept as is).
    pub fn from_stored(hex: impl Into<String>) -> ContentHash {
        ContentHash(hex.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 characters, enough to tell posts apart in a listing.
    pub fn short(&self) -> &str {
        self.0.get(..12).unwrap_or(&self.0)
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What is hashed for one platform, before the platform and account are
/// added. Built from a [`Post`] by [`ContentFields::of`], or by hand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContentFields {
    pub parts: Vec<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    /// SHA-256 (hex) of each media file's bytes, in order.
    pub media: Vec<String>,
    pub subreddit: Option<String>,
}

impl ContentFields {
    /// The fields of `post` as `platform` receives it; reads each media file
    /// to hash its bytes.
    pub fn of(platform: PlatformId, post: &Post) -> Result<ContentFields> {
        let media = post
            .media
            .iter()
            .map(|m| file_sha256(&m.path))
            .collect::<Result<Vec<_>>>()?;
        let subreddit = match platform {
            PlatformId::Reddit => post.option(platform, "subreddit").map(str::to_string),
            _ => None,
        };
        Ok(ContentFields {
            parts: post.parts_for(platform),
            title: post.title.clone(),
            url: post.url.clone(),
            media,
            subreddit,
        })
    }

    /// The hash of these fields for `platform` and `account`.
    pub fn hash(&self, platform: PlatformId, account: &str) -> ContentHash {
        let mut h = Sha256::new();
        h.update(PREFIX.as_bytes());
        field(&mut h, "platform", platform.as_str());
        field(&mut h, "account", &normalize_account(account));
        field(&mut h, "parts", &self.parts.len().to_string());
        for part in &self.parts {
            field(&mut h, "part", &normalize_text(part));
        }
        field(
            &mut h,
            "title",
            &normalize_text(self.title.as_deref().unwrap_or("")),
        );
        field(&mut h, "url", self.url.as_deref().unwrap_or("").trim());
        field(&mut h, "media", &self.media.len().to_string());
        for m in &self.media {
            field(&mut h, "file", m);
        }
        let subreddit = match platform {
            PlatformId::Reddit => normalize_subreddit(self.subreddit.as_deref().unwrap_or("")),
            _ => String::new(),
        };
        field(&mut h, "subreddit", &subreddit);
        ContentHash(hex(&h.finalize()))
    }
}

/// The content hash of `post` as `platform` receives it from `account`.
/// Reads the media files (an unreadable one is an `Error::Io` naming it).
pub fn content_hash(platform: PlatformId, account: &str, post: &Post) -> Result<ContentHash> {
    Ok(ContentFields::of(platform, post)?.hash(platform, account))
}

/// One field: its name, a NUL, the value's length (u64, little endian), the value.
fn field(h: &mut Sha256, name: &str, value: &str) {
    h.update(name.as_bytes());
    h.update([0u8]);
    h.update((value.len() as u64).to_le_bytes());
    h.update(value.as_bytes());
}

/// NFC, `\n` line endings, no trailing spaces on lines, no blank space at
/// either end.
pub(crate) fn normalize_text(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    let unix = nfc.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = unix.split('\n').map(str::trim_end).collect();
    lines.join("\n").trim().to_string()
}

fn normalize_account(s: &str) -> String {
    let s = s.trim();
    let s = s
        .strip_prefix('@')
        .or_else(|| s.strip_prefix("u/"))
        .unwrap_or(s);
    s.to_lowercase()
}

fn normalize_subreddit(s: &str) -> String {
    let s = s.trim();
    let s = s
        .strip_prefix("/r/")
        .or_else(|| s.strip_prefix("r/"))
        .unwrap_or(s);
    s.trim_end_matches('/').to_lowercase()
}

fn file_sha256(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(platform: PlatformId, account: &str, post: &Post) -> String {
        content_hash(platform, account, post).unwrap().to_string()
    }

    #[test]
    fn the_hash_is_pinned_so_it_stays_stable_across_releases() {
        let post = Post::new("Hello world").with_title("Hi");
        assert_eq!(
            hash(PlatformId::HackerNews, "me", &post),
            "c0b726e7b3a44570123fac8ccc7ec2a875f9bc6849d59a79056da40b01c16e3d",
            "changing what is hashed needs a new prefix, not a silent change"
        );
    }

    #[test]
    fn trailing_newlines_and_crlf_do_not_change_the_hash_but_edits_do() {
        let a = hash(PlatformId::X, "me", &Post::new("line one\nline two"));
        let b = hash(
            PlatformId::X,
            "me",
            &Post::new("  line one  \r\nline two\n\n"),
        );
        assert_eq!(a, b);
        let c = hash(PlatformId::X, "me", &Post::new("line one\n\nline two"));
        assert_ne!(a, c);
        let d = hash(PlatformId::X, "me", &Post::new("line  one\nline two"));
        assert_ne!(a, d);
    }

    #[test]
    fn nfc_and_nfd_spellings_are_the_same_text() {
        let nfc = hash(PlatformId::X, "me", &Post::new("caf\u{e9}"));
        let nfd = hash(PlatformId::X, "me", &Post::new("cafe\u{301}"));
        assert_eq!(nfc, nfd);
    }

    #[test]
    fn platform_account_and_per_platform_text_are_part_of_the_identity() {
        let mut post = Post::new("general");
        let x = hash(PlatformId::X, "me", &post);
        assert_ne!(x, hash(PlatformId::HackerNews, "me", &post));
        assert_ne!(x, hash(PlatformId::X, "someone", &post));
        assert_eq!(x, hash(PlatformId::X, "@ME ", &post));
        post.text_overrides.insert(PlatformId::X, "for x".into());
        assert_ne!(x, hash(PlatformId::X, "me", &post));
        assert_eq!(
            hash(PlatformId::HackerNews, "me", &post),
            hash(PlatformId::HackerNews, "me", &Post::new("general"))
        );
    }

    #[test]
    fn subreddit_counts_on_reddit_only_and_loosely() {
        let mut a = Post::new("t").with_title("T");
        a.set_option(PlatformId::Reddit, "subreddit", "rust");
        let mut b = a.clone();
        b.set_option(PlatformId::Reddit, "subreddit", "r/Rust");
        let mut c = a.clone();
        c.set_option(PlatformId::Reddit, "subreddit", "golang");
        assert_eq!(
            hash(PlatformId::Reddit, "me", &a),
            hash(PlatformId::Reddit, "me", &b)
        );
        assert_ne!(
            hash(PlatformId::Reddit, "me", &a),
            hash(PlatformId::Reddit, "me", &c)
        );
    }

    #[test]
    fn media_is_identified_by_its_bytes_not_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let one = dir.path().join("one.png");
        let two = dir.path().join("renamed.png");
        let other = dir.path().join("other.png");
        std::fs::write(&one, b"\x89PNG same bytes").unwrap();
        std::fs::write(&two, b"\x89PNG same bytes").unwrap();
        std::fs::write(&other, b"\x89PNG other bytes").unwrap();
        let with = |p: &Path| {
            let mut post = Post::new("pic");
            post.media.push(distroflow_core::Media {
                path: p.to_path_buf(),
                mime: "image/png".into(),
                size: 15,
                duration: None,
            });
            hash(PlatformId::Instagram, "me", &post)
        };
        assert_eq!(with(&one), with(&two));
        assert_ne!(with(&one), with(&other));
        assert_ne!(
            with(&one),
            hash(PlatformId::Instagram, "me", &Post::new("pic"))
        );
    }

    #[test]
    fn a_missing_media_file_is_an_io_error_naming_it() {
        let mut post = Post::new("pic");
        post.media.push(distroflow_core::Media {
            path: "/nonexistent/pic.png".into(),
            mime: "image/png".into(),
            size: 1,
            duration: None,
        });
        let e = content_hash(PlatformId::X, "me", &post).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/pic.png"), "{e}");
    }
}
