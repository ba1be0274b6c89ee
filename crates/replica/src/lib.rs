//! Local, faithful replicas of the sites DistroFlow posts to, served over
//! HTTP on `127.0.0.1` for browser tests and the sandbox mode.
//!
//! A replica copies the real site's pages and rules (markup, one-time form
//! ids, error texts, rate limits, login challenges), so a browser flow that
//! passes against it has a fair chance on the real site. Each replica is a
//! handle with the same shape: `start` (a free port) or `start_on`, `url`,
//! and `shutdown` (dropping the handle stops it too).
//!
//! Today there is Hacker News ([`HackerNews`]).
//!
//! ```
//! use distroflow_replica::{HackerNews, HnOptions};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let hn = HackerNews::start(HnOptions::default()).await?;
//! let id = hn.add_story("sandbox", "Seeded story", Some("https://example.com/"), None);
//! // Point a browser at hn.url() and log in as sandbox/sandbox, or give it
//! // the cookie `user=<hn.session_cookie("sandbox")>` for hn.url().
//! assert!(hn.session_cookie("sandbox").unwrap().starts_with("sandbox&"));
//! assert_eq!(hn.stories()[0].id, id);
//! hn.shutdown().await;
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

mod bluesky;
mod faults;
mod hackernews;
mod http;
mod instagram;
mod linkedin;
mod mastodon;
mod model;
mod mutate;
mod reddit;
mod script;
mod seed;
mod server;
mod triage_model;
mod x;

pub use bluesky::{Bluesky, BlueskyOptions, BskyMedia, BskyPost, BLUESKY_UI_VERSIONS};
pub use hackernews::{HackerNews, HnFault, HnOptions, HnStory, HN_UI_BROKEN, HN_UI_VERSIONS};
pub use instagram::{Instagram, InstagramOptions, InstagramPost, INSTAGRAM_UI_VERSIONS};
pub use linkedin::{LinkedIn, LinkedInOptions, LinkedInPost, ShareBox, LINKEDIN_UI_VERSIONS};
pub use mastodon::{
    Mastodon, MastodonMedia, MastodonOptions, MastodonStatus, MASTODON_UI_VERSIONS,
};
pub use model::{FakeModel, ModelRequest};
pub use mutate::{
    mutation_plan, parse_hydrate, parse_mutate, DecoyHit, Mutations, Redesign, HYDRATE_ENV,
    MUTATE_ENV,
};
pub use reddit::{Reddit, RedditOptions, RedditPost, REDDIT_UI_VERSIONS};
pub use seed::SEED_ENV;
pub use triage_model::{keyword_verdict, FakeTriageModel, TriageRequest};
pub use x::{XMedia, XOptions, XPost, XRefusal, X, X_UI_VERSIONS};
