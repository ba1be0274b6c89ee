use std::collections::HashSet;
use std::net::SocketAddr;

use std::path::Path;

use distroflow_app::Sites;
use distroflow_core::{AuthConfig, Cookie, Error, Home, PlatformId, Result, Secret, StorageItem};
use distroflow_replica::{
    Bluesky, BlueskyOptions, HackerNews, HnOptions, Instagram, InstagramOptions, LinkedIn,
    LinkedInOptions, Mastodon, MastodonOptions, Reddit, RedditOptions, XOptions, X,
};
use url::Url;

use crate::args::SandboxArgs;
use crate::exit::ExitStatus;
use crate::output;

/// The account every sandbox replica knows (password: the same).
pub(crate) const SANDBOX_USER: &str = "sandbox";

/// What `sandbox` answers under each post of the sandbox account, by whom:
/// a question, a reply to it, praise and a bug report (one of each kind
/// triage tells apart).
const SAMPLE_REPLIES: [(&str, &str); 4] = [
    ("alice", "How does it handle two-factor logins?"),
    ("bob", "Same question here, and does it work with passkeys?"),
    ("carol", "Love it, thanks for sharing!"),
    (
        "dave",
        "The upload failed for me with an error on the second image",
    ),
];

/// How often `sandbox` looks for new posts to answer.
const SEED_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Local replicas of every platform, served from this process, each with
/// the `sandbox` account logged in.
pub(crate) struct Sandbox {
    hackernews: HackerNews,
    x: X,
    reddit: Reddit,
    instagram: Instagram,
    bluesky: Bluesky,
    mastodon: Mastodon,
    linkedin: LinkedIn,
}

fn addr(base: Option<u16>, offset: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], base.map(|b| b + offset).unwrap_or(0)))
}

fn started<T>(what: &str, r: std::io::Result<T>) -> Result<T> {
    r.map_err(|e| Error::Unexpected {
        message: format!("cannot start the {what} replica: {e}"),
    })
}

impl Sandbox {
    /// Starts every replica: on free ports, or on `base_port` and the next six.
    pub(crate) async fn start(base_port: Option<u16>) -> Result<Sandbox> {
        Ok(Sandbox {
            hackernews: started(
                "Hacker News",
                HackerNews::start_on(addr(base_port, 0), HnOptions::default()).await,
            )?,
            x: started(
                "X",
                X::start_on(addr(base_port, 1), XOptions::default()).await,
            )?,
            reddit: started(
                "Reddit",
                Reddit::start_on(addr(base_port, 2), RedditOptions::default()).await,
            )?,
            instagram: started(
                "Instagram",
                Instagram::start_on(addr(base_port, 3), InstagramOptions::default()).await,
            )?,
            bluesky: started(
                "Bluesky",
                Bluesky::start_on(addr(base_port, 4), BlueskyOptions::default()).await,
            )?,
            mastodon: started(
                "Mastodon",
                Mastodon::start_on(addr(base_port, 5), MastodonOptions::default()).await,
            )?,
            linkedin: started(
                "LinkedIn",
                LinkedIn::start_on(addr(base_port, 6), LinkedInOptions::default()).await,
            )?,
        })
    }

    fn url_of(&self, platform: PlatformId) -> String {
        match platform {
            PlatformId::X => self.x.url(),
            PlatformId::Reddit => self.reddit.url(),
            PlatformId::Instagram => self.instagram.url(),
            PlatformId::Bluesky => self.bluesky.url(),
            PlatformId::Mastodon => self.mastodon.url(),
            PlatformId::LinkedIn => self.linkedin.url(),
            _ => self.hackernews.url(),
        }
    }

    /// Adds the sample replies of [`SAMPLE_REPLIES`] under every new
    /// top-level post of the sandbox account (once per post), so that
    /// `distroflow replies` has something to show after a post. `seeded`
    /// remembers the posts done.
    pub(crate) fn seed_replies(&self, seeded: &mut HashSet<(PlatformId, String)>) {
        let mut todo: Vec<(PlatformId, String)> = Vec::new();
        for s in self.hackernews.stories() {
            if s.by == SANDBOX_USER {
                todo.push((PlatformId::HackerNews, s.id.to_string()));
            }
        }
        for p in self.reddit.posts() {
            if p.author == SANDBOX_USER {
                todo.push((PlatformId::Reddit, p.id));
            }
        }
        for p in self.x.posts() {
            if p.user == SANDBOX_USER && p.reply_to.is_none() {
                todo.push((PlatformId::X, p.id));
            }
        }
        for p in self.instagram.posts() {
            if p.user == SANDBOX_USER {
                todo.push((PlatformId::Instagram, p.shortcode));
            }
        }
        let bsky_me = self.bluesky.handle(SANDBOX_USER).unwrap_or_default();
        for p in self.bluesky.posts() {
            if p.handle == bsky_me && p.reply_to.is_none() {
                todo.push((PlatformId::Bluesky, p.rkey));
            }
        }
        for p in self.mastodon.statuses() {
            if p.username == SANDBOX_USER && p.in_reply_to.is_none() {
                todo.push((PlatformId::Mastodon, p.id));
            }
        }
        for p in self.linkedin.posts() {
            if p.member == SANDBOX_USER {
                todo.push((PlatformId::LinkedIn, p.urn));
            }
        }
        for key in todo {
            if seeded.contains(&key) {
                continue;
            }
            self.seed_one(key.0, &key.1);
            seeded.insert(key);
        }
    }

    /// The sample replies under one post: each one top-level, but the
    /// second, which answers the first.
    fn seed_one(&self, platform: PlatformId, post: &str) {
        let ago = |m: u64| std::time::Duration::from_secs(60 * m);
        let mut first: Option<String> = None;
        for (i, (author, text)) in SAMPLE_REPLIES.iter().enumerate() {
            let parent = if i == 1 { first.clone() } else { None };
            let parent = parent.as_deref();
            let id = match platform {
                PlatformId::HackerNews => post.parse().ok().and_then(|story| {
                    let parent = parent.and_then(|p| p.parse().ok());
                    self.hackernews
                        .add_comment(story, parent, author, text, ago(5 - i as u64))
                        .map(|id| id.to_string())
                }),
                PlatformId::Reddit => {
                    self.reddit
                        .add_comment(post, parent, author, text, ago(5 - i as u64))
                }
                PlatformId::X => self.x.add_reply(author, text, parent.unwrap_or(post)),
                PlatformId::Instagram => {
                    self.instagram
                        .add_comment(post, parent, author, text, ago(5 - i as u64))
                }
                PlatformId::Bluesky => self.bluesky.add_reply(parent.unwrap_or(post), author, text),
                PlatformId::Mastodon => {
                    self.mastodon
                        .add_reply(parent.unwrap_or(post), author, text)
                }
                PlatformId::LinkedIn => self.linkedin.add_comment(post, parent, author, text),
                _ => None,
            };
            if i == 0 {
                first = id;
            }
        }
    }

    pub(crate) async fn shutdown(self) {
        tokio::join!(
            self.hackernews.shutdown(),
            self.x.shutdown(),
            self.reddit.shutdown(),
            self.instagram.shutdown(),
            self.bluesky.shutdown(),
            self.mastodon.shutdown(),
            self.linkedin.shutdown()
        );
    }
}

impl distroflow_app::Sites for Sandbox {
    fn user(&self) -> &str {
        SANDBOX_USER
    }

    /// Where a platform's replica lives.
    fn base_url(&self, platform: PlatformId) -> Option<Url> {
        self.url_of(platform).parse().ok()
    }

    /// The logged-in session of the sandbox account on a replica.
    fn cookies(&self, platform: PlatformId) -> Option<Vec<Cookie>> {
        let (name, value) = match platform {
            // Bluesky's session is in the page's storage (see `storage`).
            PlatformId::Bluesky => return Some(Vec::new()),
            PlatformId::X => ("auth_token", self.x.session_cookie(SANDBOX_USER)?),
            PlatformId::Reddit => ("reddit_session", self.reddit.session_cookie(SANDBOX_USER)?),
            PlatformId::Instagram => ("sessionid", self.instagram.session_cookie(SANDBOX_USER)?),
            PlatformId::Mastodon => (
                "_mastodon_session",
                self.mastodon.session_cookie(SANDBOX_USER)?,
            ),
            PlatformId::LinkedIn => ("li_at", self.linkedin.session_cookie(SANDBOX_USER)?),
            _ => ("user", self.hackernews.session_cookie(SANDBOX_USER)?),
        };
        Some(vec![Cookie {
            name: name.into(),
            value: Secret::new(value),
            domain: "127.0.0.1".into(),
            path: "/".into(),
            expires: None,
            http_only: true,
            secure: false,
            same_site: None,
        }])
    }

    /// The sandbox account's `localStorage` session on a replica that keeps
    /// it there (Bluesky).
    fn storage(&self, platform: PlatformId) -> Vec<StorageItem> {
        match platform {
            PlatformId::Bluesky => self
                .bluesky
                .storage_value(SANDBOX_USER)
                .map(|v| {
                    vec![StorageItem {
                        name: "BSKY_STORAGE".into(),
                        value: Secret::new(v),
                    }]
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

/// The file that marks a folder as a sandbox home (so `sandbox --home`
/// never writes over a real one).
const MARKER: &str = ".distroflow-sandbox";

/// Makes `dir` a home logged in to every replica of `sandbox`: a session
/// per platform and the replicas' URLs in `config.toml` (rate limits off:
/// there is no real site to protect). Refuses a folder with files in it
/// that is not an earlier sandbox home.
pub(crate) fn prepare_home(sandbox: &Sandbox, dir: &Path) -> Result<Home> {
    let marker = dir.join(MARKER);
    let has_files = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if has_files && !marker.exists() {
        return Err(Error::Config {
            message: format!(
                "{} has files in it and is not a sandbox home; `sandbox --home` needs a new or empty folder (it never writes over a real DistroFlow home)",
                dir.display()
            ),
        });
    }
    let home = Home::at(dir);
    home.write_private(
        ".",
        MARKER,
        b"This folder is a DistroFlow sandbox home (distroflow sandbox --home). Its sessions log in to local replicas only.\n",
    )?;
    let mut config = String::from(
        "# Written by `distroflow sandbox --home`: the sandbox's replicas, rewritten at each start.\n",
    );
    for p in PlatformId::ALL {
        let Some(cookies) = sandbox.cookies(p) else {
            continue;
        };
        config.push_str(&format!(
            "\n[platforms.{p}]\nurl = \"{}\"\n\n[rate_limits.{p}]\nenabled = false\n",
            sandbox.url_of(p)
        ));
        let mut auth = AuthConfig::new(p, cookies);
        auth.username = Some(SANDBOX_USER.into());
        // A session kept in the site's storage (Bluesky) goes with it.
        if let Some(url) = sandbox.base_url(p) {
            auth.set_storage(
                &distroflow_core::CookieScope::new(p, &url),
                sandbox.storage(p),
            );
        }
        home.save_auth(&auth)?;
    }
    home.write_private(".", "config.toml", config.as_bytes())?;
    // The file just written is read back the way every command reads it.
    home.load_config()?;
    Ok(home)
}

/// `distroflow sandbox`: serve the replicas until Ctrl-C.
pub(crate) async fn run(args: SandboxArgs) -> Result<ExitStatus> {
    let sandbox = Sandbox::start(args.base_port).await?;
    if let Some(dir) = &args.home {
        let dir = std::path::absolute(dir).map_err(|e| Error::io(dir, e))?;
        if let Err(e) = prepare_home(&sandbox, &dir) {
            sandbox.shutdown().await;
            return Err(e);
        }
        for p in PlatformId::ALL {
            if sandbox.cookies(p).is_some() {
                output::line(&format!("{} {}", p.as_str(), sandbox.url_of(p)));
            }
        }
        let quoted = shell_quote(&dir.to_string_lossy());
        output::line(&format!("export DISTROFLOW_HOME={quoted}"));
        eprintln!(
            "\nDistroFlow sandbox: local copies of every platform, each logged in as `{SANDBOX_USER}` in {quoted}.\n\
             Point a shell at it with the export line above, then use DistroFlow as with the real sites:\n\
             \n  distroflow post --to all --subreddit sandbox --title \"Hello\" --media docs/example.png \"Hello from DistroFlow\"\n\
             \x20 distroflow history\n\
             \x20 distroflow schedule --to hackernews --at \"in 1m\" --title \"Later\" --url https://example.com && distroflow daemon\n\
             \x20 distroflow replies       # every post gets a few sample replies\n\
             \nPress Ctrl-C to stop (the home stays; the next `sandbox --home` refreshes its sessions and URLs)."
        );
        serve_until_interrupted(&sandbox).await;
        sandbox.shutdown().await;
        return Ok(ExitStatus::Success);
    }
    let mut exports = Vec::new();
    for p in PlatformId::ALL {
        let url = sandbox.url_of(p);
        output::line(&format!("{} {url}", p.as_str()));
        exports.push(format!("{}={url}", p.url_env_var()));
    }
    eprintln!(
        "\nDistroFlow sandbox: local copies of X, Reddit, Hacker News, Instagram, Bluesky, Mastodon and LinkedIn; account `{SANDBOX_USER}`.\n\
         Try it from another terminal:\n\
         \n  export DISTROFLOW_HOME=$(mktemp -d) {}\n\
         \x20 echo {SANDBOX_USER} | distroflow login hackernews --username {SANDBOX_USER} --password-stdin\n\
         \x20 distroflow post --to hackernews --title \"Hello\" --url https://example.com\n\
         \nOr post to all of them at once with the built-in account: distroflow post --sandbox --to all ...\n\
         Open the URLs above in a browser to look around. Press Ctrl-C to stop.",
        exports.join(" ")
    );
    serve_until_interrupted(&sandbox).await;
    sandbox.shutdown().await;
    Ok(ExitStatus::Success)
}

/// Serves until Ctrl-C, answering each new post with the sample replies.
async fn serve_until_interrupted(sandbox: &Sandbox) {
    let seeding = async {
        let mut seeded = HashSet::new();
        loop {
            sandbox.seed_replies(&mut seeded);
            tokio::time::sleep(SEED_EVERY).await;
        }
    };
    tokio::select! {
        _ = crate::signals::requested() => {}
        () = seeding => {}
    }
}

/// Quotes a path for a POSIX shell when it needs it.
fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(shell_quote("/tmp/sb-1"), "/tmp/sb-1");
        assert_eq!(shell_quote("/tmp/my home"), "'/tmp/my home'");
        assert_eq!(shell_quote("/tmp/it's"), "'/tmp/it'\\''s'");
    }
}
