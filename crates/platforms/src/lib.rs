//! Platform adapters. Each module drives one site's own posting UI through
//! [`distroflow_core::Page`], so an adapter never sees CDP and a new platform
//! touches one module.
//!
//! ```no_run
//! # async fn demo(page: &dyn distroflow_core::Page) -> distroflow_core::Result<()> {
//! use distroflow_core::{JobContext, PlatformId, Post};
//!
//! let hn = distroflow_platforms::adapter(PlatformId::HackerNews)?;
//! let post = Post::new("").with_title("Hello").with_url("https://example.com");
//! hn.validate(&post)?;
//! let ctx = JobContext::new("http://127.0.0.1:8123".parse().unwrap());
//! let posted = hn.post(page, &ctx, &post).await?;
//! println!("{}", posted.url);
//! # Ok(()) }
//! ```

mod bluesky;
mod hackernews;
mod instagram;
mod linkedin;
mod mastodon;
mod reddit;
mod replies;
mod ui;
mod x;

pub use bluesky::Bluesky;
pub use hackernews::HackerNews;
pub use instagram::Instagram;
pub use linkedin::LinkedIn;
pub use mastodon::Mastodon;
pub use reddit::Reddit;
pub use x::X;

use distroflow_core::{Error, Platform, PlatformId, Result};

/// Every platform's selector data (`platform.step.element` targets with
/// candidate selectors), embedded in the binary: `(file name, TOML)`.
pub const SELECTOR_FILES: &[(&str, &str)] = &[
    ("bluesky.toml", include_str!("../selectors/bluesky.toml")),
    (
        "hackernews.toml",
        include_str!("../selectors/hackernews.toml"),
    ),
    (
        "instagram.toml",
        include_str!("../selectors/instagram.toml"),
    ),
    ("linkedin.toml", include_str!("../selectors/linkedin.toml")),
    ("mastodon.toml", include_str!("../selectors/mastodon.toml")),
    ("reddit.toml", include_str!("../selectors/reddit.toml")),
    ("x.toml", include_str!("../selectors/x.toml")),
];

/// The adapter for a platform.
pub fn adapter(id: PlatformId) -> Result<Box<dyn Platform>> {
    match id {
        PlatformId::HackerNews => Ok(Box::new(HackerNews)),
        PlatformId::Reddit => Ok(Box::new(Reddit)),
        PlatformId::Instagram => Ok(Box::new(Instagram)),
        PlatformId::X => Ok(Box::new(X)),
        PlatformId::Bluesky => Ok(Box::new(Bluesky)),
        PlatformId::Mastodon => Ok(Box::new(Mastodon)),
        PlatformId::LinkedIn => Ok(Box::new(LinkedIn)),
        other => Err(Error::usage(
            format!("posting to {} is not supported yet", other.display_name()),
            Some(
                "supported now: hackernews, x, reddit, instagram, bluesky, mastodon, linkedin"
                    .into(),
            ),
        )),
    }
}
