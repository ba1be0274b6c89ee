use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use url::Url;

use crate::{Error, Page, Post, Reply, Result};

/// The platforms DistroFlow knows, by their stable ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PlatformId {
    X,
    Reddit,
    HackerNews,
    Instagram,
    Bluesky,
    Mastodon,
    LinkedIn,
}

impl PlatformId {
    /// Every platform, in display order.
    pub const ALL: [PlatformId; 7] = [
        PlatformId::X,
        PlatformId::Reddit,
        PlatformId::HackerNews,
        PlatformId::Instagram,
        PlatformId::Bluesky,
        PlatformId::Mastodon,
        PlatformId::LinkedIn,
    ];

    /// The canonical id, as used on the command line, in files and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            PlatformId::X => "x",
            PlatformId::Reddit => "reddit",
            PlatformId::HackerNews => "hackernews",
            PlatformId::Instagram => "instagram",
            PlatformId::Bluesky => "bluesky",
            PlatformId::Mastodon => "mastodon",
            PlatformId::LinkedIn => "linkedin",
        }
    }

    /// A human name for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            PlatformId::X => "X",
            PlatformId::Reddit => "Reddit",
            PlatformId::HackerNews => "Hacker News",
            PlatformId::Instagram => "Instagram",
            PlatformId::Bluesky => "Bluesky",
            PlatformId::Mastodon => "Mastodon",
            PlatformId::LinkedIn => "LinkedIn",
        }
    }

    /// The real site's base URL, used unless configured otherwise.
    /// Mastodon is one instance among many: its default is the flagship
    /// instance, and `DISTROFLOW_MASTODON_URL` or `[platforms.mastodon] url`
    /// names the person's own.
    pub fn default_url(self) -> &'static str {
        match self {
            PlatformId::X => "https://x.com",
            PlatformId::Reddit => "https://www.reddit.com",
            PlatformId::HackerNews => "https://news.ycombinator.com",
            PlatformId::Instagram => "https://www.instagram.com",
            PlatformId::Bluesky => "https://bsky.app",
            PlatformId::Mastodon => "https://mastodon.social",
            PlatformId::LinkedIn => "https://www.linkedin.com",
        }
    }

    /// The `localStorage` keys that hold this platform's session (saved
    /// and restored per origin, beside cookies). Bluesky keeps its whole
    /// session in `BSKY_STORAGE` and no cookie.
    pub fn storage_keys(self) -> &'static [&'static str] {
        match self {
            PlatformId::Bluesky => &["BSKY_STORAGE"],
            _ => &[],
        }
    }

    /// The environment variable that overrides the base URL,
    /// e.g. `DISTROFLOW_HACKERNEWS_URL`.
    pub fn url_env_var(self) -> String {
        format!("DISTROFLOW_{}_URL", self.as_str().to_ascii_uppercase())
    }

    /// Ids and aliases accepted on input, for help and error messages.
    pub fn valid_names() -> &'static str {
        "x (alias twitter), reddit, hackernews (alias hn), instagram (alias ig), bluesky (alias bsky), mastodon, linkedin"
    }
}

impl fmt::Display for PlatformId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for PlatformId {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "x" | "twitter" => Ok(PlatformId::X),
            "reddit" => Ok(PlatformId::Reddit),
            "hackernews" | "hn" => Ok(PlatformId::HackerNews),
            "instagram" | "ig" => Ok(PlatformId::Instagram),
            "bluesky" | "bsky" => Ok(PlatformId::Bluesky),
            "mastodon" => Ok(PlatformId::Mastodon),
            "linkedin" => Ok(PlatformId::LinkedIn),
            other => Err(Error::Usage {
                message: format!("unknown platform `{other}`"),
                hint: Some(format!("valid platforms: {}", PlatformId::valid_names())),
            }),
        }
    }
}

/// What a platform can take.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub text: bool,
    pub title: bool,
    pub link: bool,
    pub media: bool,
    pub threads: bool,
    /// Whether the platform has a plain username/password form DistroFlow may fill.
    pub password_login: bool,
}

/// What a job knows besides the post: where the platform lives and the
/// platform's own settings from config.toml (e.g. Reddit's `ui = "old"`).
#[derive(Clone, Debug)]
pub struct JobContext {
    /// The platform's base URL (real site or a replica).
    pub base_url: Url,
    /// `[platforms.<id>]` keys other than `url`.
    pub settings: std::collections::BTreeMap<String, String>,
}

impl JobContext {
    pub fn new(base_url: Url) -> Self {
        JobContext {
            base_url,
            settings: Default::default(),
        }
    }

    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(String::as_str)
    }
}

impl JobContext {
    /// Resolves a path against the base URL (`submit`, `/item?id=1`).
    pub fn url(&self, path: &str) -> Result<Url> {
        let base = if self.base_url.path().ends_with('/') {
            self.base_url.clone()
        } else {
            let mut u = self.base_url.clone();
            let p = format!("{}/", u.path());
            u.set_path(&p);
            u
        };
        base.join(path.trim_start_matches('/'))
            .map_err(|e| Error::Config {
                message: format!("bad URL path `{path}` on {}: {e}", self.base_url),
            })
    }
}

/// A post that now exists on a platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posted {
    /// The (first) post's id.
    pub id: String,
    /// The (first) post's URL.
    pub url: String,
    /// For a thread, every post's URL in order (the first included);
    /// empty for a single post.
    pub thread: Vec<String>,
}

impl Posted {
    pub fn single(id: impl Into<String>, url: impl Into<String>) -> Self {
        Posted {
            id: id.into(),
            url: url.into(),
            thread: Vec::new(),
        }
    }
}

/// What a look for an earlier post found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Existing {
    /// The post is there.
    Found(Posted),
    /// Looked, and it is not there: posting it is safe.
    NotFound,
    /// This platform cannot tell.
    CannotTell,
}

/// `text` as an account name when it reads like one: a single short line
/// (a `@` in front is dropped).
pub fn plausible_name(text: &str) -> Option<String> {
    let name = text.trim().trim_start_matches('@');
    let ok = !name.is_empty() && name.chars().count() <= 50 && !name.contains(char::is_whitespace);
    ok.then(|| name.to_string())
}

/// What [`Platform::replies`] answers on a platform that cannot read them.
fn replies_unsupported(id: PlatformId) -> Error {
    Error::Usage {
        message: format!(
            "reading replies on {} is not supported yet",
            id.display_name()
        ),
        hint: None,
    }
}

/// One platform adapter. Adapters drive the site's own web UI through [`Page`].
#[async_trait]
pub trait Platform: Send + Sync {
    fn id(&self) -> PlatformId;

    fn capabilities(&self) -> Capabilities;

    /// Checks, without a browser, that the post is complete for this platform.
    fn validate(&self, post: &Post) -> Result<()>;

    /// The path of the login page, relative to the base URL.
    fn login_path(&self) -> &'static str;

    /// A selector present only when logged in (checked without navigating,
    /// e.g. while a person logs in by hand in a visible browser).
    fn logged_in_marker(&self) -> &'static str;

    /// Whether the page (already loaded with the saved session) is logged in.
    async fn is_logged_in(&self, page: &dyn Page, ctx: &JobContext) -> Result<bool>;

    /// The logged-in account's name as the site shows it, read from a page
    /// [`Platform::is_logged_in`] just found logged in; `None` when the page
    /// does not show it. By default, the marker's text when it reads like
    /// a name (one short line).
    async fn account_name(&self, page: &dyn Page, _ctx: &JobContext) -> Result<Option<String>> {
        let text = page
            .text(self.logged_in_marker())
            .await?
            .unwrap_or_default();
        Ok(plausible_name(&text))
    }

    /// Logs in with a username and password where the site has a plain form.
    async fn login_with_password(
        &self,
        _page: &dyn Page,
        _ctx: &JobContext,
        _username: &str,
        _password: &crate::Secret,
    ) -> Result<()> {
        Err(Error::Usage {
            message: format!(
                "{} has no plain login form DistroFlow may fill",
                self.id().display_name()
            ),
            hint: Some(format!(
                "use `distroflow login {} --cookies FILE` or a visible browser",
                self.id()
            )),
        })
    }

    /// Looks on the platform for this post by this account (after an attempt
    /// whose outcome is unknown), so that it is never posted twice.
    async fn find_existing(
        &self,
        _page: &dyn Page,
        _ctx: &JobContext,
        _post: &Post,
    ) -> Result<Existing> {
        Ok(Existing::CannotTell)
    }

    /// The replies under one of the person's own posts (`post_url`), every
    /// level of nesting and every page, oldest first; deleted ones left out.
    /// Read only: nothing is posted. Platforms that cannot yet read replies
    /// say so (a usage error, see [`Platform::reads_replies`]) and the
    /// others still run.
    async fn replies(
        &self,
        _page: &dyn Page,
        _ctx: &JobContext,
        _post_url: &str,
    ) -> Result<Vec<Reply>> {
        Err(replies_unsupported(self.id()))
    }

    /// Whether [`Platform::replies`] is implemented for this platform.
    fn reads_replies(&self) -> bool {
        false
    }

    /// The page [`Platform::post`] loads first for `post`, when that page
    /// is the same whatever the post says (a compose form): a browser that
    /// stays up may load it ahead, while the person is still writing, and
    /// hand the loaded tab to the post's job (`distroflow serve`'s prepared
    /// tabs). `None`: nothing to load ahead (the default).
    fn compose_url(&self, _ctx: &JobContext, _post: &Post) -> Option<url::Url> {
        None
    }

    /// Publishes the post and returns where it now lives. A failure after
    /// the submit whose result is unknown is [`Error::Uncertain`].
    async fn post(&self, page: &dyn Page, ctx: &JobContext, post: &Post) -> Result<Posted>;
}

#[cfg(test)]
mod tests {
    use super::plausible_name;
    use super::*;

    /// A platform that implements only what every adapter must.
    struct Minimal;

    #[async_trait]
    impl Platform for Minimal {
        fn id(&self) -> PlatformId {
            PlatformId::Instagram
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities::default()
        }
        fn validate(&self, _post: &Post) -> Result<()> {
            Ok(())
        }
        fn login_path(&self) -> &'static str {
            "login"
        }
        fn logged_in_marker(&self) -> &'static str {
            "#me"
        }
        async fn is_logged_in(&self, _page: &dyn Page, _ctx: &JobContext) -> Result<bool> {
            Ok(false)
        }
        async fn post(&self, _page: &dyn Page, _ctx: &JobContext, _post: &Post) -> Result<Posted> {
            Err(Error::usage("not in this test", None))
        }
    }

    #[test]
    fn a_platform_without_replies_says_so_and_is_not_asked() {
        assert!(!Minimal.reads_replies());
        let e = replies_unsupported(Minimal.id());
        assert!(e.is_usage());
        assert_eq!(
            e.to_string(),
            "reading replies on Instagram is not supported yet"
        );
    }

    #[test]
    fn account_names_are_one_short_word() {
        assert_eq!(plausible_name(" @alice \n").as_deref(), Some("alice"));
        assert_eq!(plausible_name("u_2").as_deref(), Some("u_2"));
        assert_eq!(plausible_name(""), None);
        // A whole page's text is not a name.
        assert_eq!(plausible_name("Home Popular\nMine is `graphlib`."), None);
        assert_eq!(plausible_name(&"a".repeat(51)), None);
    }
}
