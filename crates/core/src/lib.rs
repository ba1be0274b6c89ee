//! The domain of DistroFlow, free of any browser, CLI, SQL or HTTP code.
//!
//! It holds the [`Platform`] trait that every adapter implements, the content
//! model ([`Post`]), the outcome of a post ([`PostResult`]), saved sessions
//! ([`AuthConfig`]), the local home folder ([`Home`]) and the one [`Error`]
//! type whose predicates recovery code decides on.
//!
//! Adapters talk to a browser only through the [`Page`] trait, so this crate
//! never learns which browser drives them.
//!
//! ```
//! use distroflow_core::{PlatformId, Post};
//!
//! let id: PlatformId = "hn".parse().unwrap();
//! assert_eq!(id, PlatformId::HackerNews);
//! let post = Post::new("Show HN: a thing").with_title("Show HN: a thing");
//! assert_eq!(post.title.as_deref(), Some("Show HN: a thing"));
//! ```

mod auth;
mod config;
mod content;
mod engines;
mod error;
mod home;
mod media;
mod page;
mod platform;
mod post;
mod reply;
mod result;
mod scope;

pub use auth::{
    parse_cookie_file, parse_session_file, AuthConfig, Cookie, OriginStorage, SameSite, Secret,
    SessionFile, StorageItem,
};
pub use config::{Config, DebugSettings, PlatformConfig, ServerSettings};
pub use content::{
    check, check_post, count_hashtags, find_urls, hashtags_to_words, measure, x_weighted_length,
    x_weighted_length_with, Check, Draft, LimitOverride, LimitOverrides, Limits, Network,
    NetworkLimits, Overflow, XConfig, XCount,
};
pub use engines::{endpoints, Endpoint, EndpointConfig, EngineKind, ENDPOINTS_ENV};
pub use error::{Error, ErrorKind, Result};
pub use home::{AuthStatus, Home};
#[doc(hidden)]
pub use media::minimal_mp4;
pub use media::{Media, MAX_MEDIA_BYTES};
pub use page::{wait_until, wait_until_on, ElementInfo, Pacer, Page, PathNode, Poll, Waits};
pub use platform::{
    plausible_name, Capabilities, Existing, JobContext, Platform, PlatformId, Posted,
};
pub use post::Post;
pub use reply::Reply;
pub use result::{ErrorReport, PostResult, Status};
pub use scope::{CookieScope, DropReason, DroppedCookie, Scoped};
