use std::net::SocketAddr;

use distroflow_core::{Cookie, Error, PlatformId, Result, Secret};
use distroflow_replica::{HackerNews as HnReplica, HnOptions};
use url::Url;

use crate::args::SandboxArgs;
use crate::exit::ExitStatus;
use crate::output;

/// The account every sandbox replica knows (password: the same).
pub(crate) const SANDBOX_USER: &str = "sandbox";

/// Local replicas of the platforms, served from this process.
pub(crate) struct Sandbox {
    hackernews: HnReplica,
}

impl Sandbox {
    pub(crate) async fn start(hn_port: Option<u16>) -> Result<Sandbox> {
        let opts = HnOptions::default();
        let hn = match hn_port {
            Some(port) => HnReplica::start_on(SocketAddr::from(([127, 0, 0, 1], port)), opts).await,
            None => HnReplica::start(opts).await,
        }
        .map_err(|e| Error::Unexpected {
            message: format!("cannot start the Hacker News replica: {e}"),
        })?;
        Ok(Sandbox { hackernews: hn })
    }

    /// Where a platform's replica lives, if the sandbox has one.
    pub(crate) fn base_url(&self, platform: PlatformId) -> Option<Url> {
        match platform {
            PlatformId::HackerNews => self.hackernews.url().parse().ok(),
            _ => None,
        }
    }

    /// The logged-in session of the sandbox account on a replica.
    pub(crate) fn cookies(&self, platform: PlatformId) -> Option<Vec<Cookie>> {
        match platform {
            PlatformId::HackerNews => {
                let value = self.hackernews.session_cookie(SANDBOX_USER)?;
                Some(vec![Cookie {
                    name: "user".into(),
                    value: Secret::new(value),
                    domain: "127.0.0.1".into(),
                    path: "/".into(),
                    expires: None,
                    http_only: true,
                    secure: false,
                    same_site: None,
                }])
            }
            _ => None,
        }
    }

    pub(crate) async fn shutdown(self) {
        self.hackernews.shutdown().await;
    }
}

/// `distroflow sandbox`: serve the replicas until Ctrl-C.
pub(crate) async fn run(args: SandboxArgs) -> Result<ExitStatus> {
    let sandbox = Sandbox::start(args.hackernews_port).await?;
    let hn = sandbox
        .base_url(PlatformId::HackerNews)
        .map(|u| u.to_string())
        .unwrap_or_default();
    let hn = hn.trim_end_matches('/');
    output::line(&format!("hackernews {hn}"));
    eprintln!(
        "\nDistroFlow sandbox: local copies of the platforms; account `{SANDBOX_USER}`, password `{SANDBOX_USER}`.\n\
         Try it from another terminal:\n\
         \n  export DISTROFLOW_HOME=$(mktemp -d) DISTROFLOW_HACKERNEWS_URL={hn}\n\
         \x20 echo {SANDBOX_USER} | distroflow login hackernews --username {SANDBOX_USER} --password-stdin\n\
         \x20 distroflow post --to hackernews --title \"Hello\" --url https://example.com\n\
         \nThen open {hn}/newest in a browser. Press Ctrl-C to stop."
    );
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    Ok(ExitStatus::Success)
}
