use std::net::SocketAddr;

use distroflow_core::{Cookie, Error, PlatformId, Result, Secret};
use distroflow_replica::{
    HackerNews, HnOptions, Instagram, InstagramOptions, Reddit, RedditOptions, XOptions, X,
};
use url::Url;

use crate::args::SandboxArgs;
use crate::exit::ExitStatus;
use crate::output;

/// The account every sandbox replica knows (password: the same).
pub(crate) const SANDBOX_USER: &str = "sandbox";

/// Local replicas of every platform, served from this process, each with
/// the `sandbox` account logged in.
pub(crate) struct Sandbox {
    hackernews: HackerNews,
    x: X,
    reddit: Reddit,
    instagram: Instagram,
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
    /// Starts every replica: on free ports, or on `base_port` and the next three.
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
        })
    }

    fn url_of(&self, platform: PlatformId) -> String {
        match platform {
            PlatformId::X => self.x.url(),
            PlatformId::Reddit => self.reddit.url(),
            PlatformId::Instagram => self.instagram.url(),
            _ => self.hackernews.url(),
        }
    }

    pub(crate) async fn shutdown(self) {
        tokio::join!(
            self.hackernews.shutdown(),
            self.x.shutdown(),
            self.reddit.shutdown(),
            self.instagram.shutdown()
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
            PlatformId::X => ("auth_token", self.x.session_cookie(SANDBOX_USER)?),
            PlatformId::Reddit => ("reddit_session", self.reddit.session_cookie(SANDBOX_USER)?),
            PlatformId::Instagram => ("sessionid", self.instagram.session_cookie(SANDBOX_USER)?),
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
}

/// `distroflow sandbox`: serve the replicas until Ctrl-C.
pub(crate) async fn run(args: SandboxArgs) -> Result<ExitStatus> {
    let sandbox = Sandbox::start(args.base_port).await?;
    let mut exports = Vec::new();
    for p in PlatformId::ALL {
        let url = sandbox.url_of(p);
        output::line(&format!("{} {url}", p.as_str()));
        exports.push(format!("{}={url}", p.url_env_var()));
    }
    eprintln!(
        "\nDistroFlow sandbox: local copies of X, Reddit, Hacker News and Instagram; account `{SANDBOX_USER}`.\n\
         Try it from another terminal:\n\
         \n  export DISTROFLOW_HOME=$(mktemp -d) {}\n\
         \x20 echo {SANDBOX_USER} | distroflow login hackernews --username {SANDBOX_USER} --password-stdin\n\
         \x20 distroflow post --to hackernews --title \"Hello\" --url https://example.com\n\
         \nOr post to all four at once with the built-in account: distroflow post --sandbox --to all ...\n\
         Open the URLs above in a browser to look around. Press Ctrl-C to stop.",
        exports.join(" ")
    );
    crate::signals::requested().await;
    sandbox.shutdown().await;
    Ok(ExitStatus::Success)
}
