//! DistroFlow's local store: never lose a post, never post one twice.
//!
//! One SQLite file under `$DISTROFLOW_HOME` ([`Store`]) records every post
//! attempt ([`AttemptRow`]) before the browser submits anything, and holds
//! the queue of scheduled jobs ([`Job`]). Around it:
//!
//! - [`content_hash`]: the identity of "this content, to this platform, as
//!   this account", for the idempotency check ([`Store::find_recent`]);
//! - [`RateLimits`]: per platform and account, from the store's attempts;
//! - [`parse_at`] / [`parse_every`]: `--at` and `--every`, time-zone aware;
//! - the healer's memory: learned selectors, fingerprints and model calls
//!   ([`Store::learn_selector`], [`Store::record_fingerprint`], ...);
//! - replies to the person's posts and the triage cache and calls
//!   ([`Store::save_replies`], [`Store::triage_cached`], ...).
//!
//! The CLI owns the flow; this crate owns the records. Posting one target:
//!
//! ```
//! use std::time::Duration;
//! use distroflow_core::{PlatformId, Post};
//! use distroflow_store::{NewAttempt, Outcome, RateCheck, RateLimits, Store};
//!
//! # fn main() -> distroflow_core::Result<()> {
//! let store = Store::open_in_memory()?; // Store::open_home(&home)? in the CLI
//! let post = Post::new("Hello, world");
//! let now = jiff::Timestamp::now();
//! let new = NewAttempt::for_post(PlatformId::X, "me", &post)?;
//! let day = Duration::from_secs(24 * 3600);
//! assert!(store.find_recent(PlatformId::X, "me", &new.content_hash, day, now)?.is_none());
//! assert_eq!(RateLimits::default().check(&store, PlatformId::X, "me", now)?, RateCheck::Allowed);
//! let id = store.begin_attempt(&new, now)?;
//! // ... the adapter posts ...
//! store.finish_attempt(id, &Outcome::Posted { url: "https://x.com/me/status/1".into(), id: None }, now)?;
//! let again = store.find_recent(PlatformId::X, "me", &new.content_hash, day, now)?.unwrap();
//! assert_eq!(again.url.as_deref(), Some("https://x.com/me/status/1"));
//! # Ok(()) }
//! ```

mod attempts;
mod backoff;
mod db;
mod duration;
mod hash;
mod healer;
mod jobs;
mod limits;
mod migrations;
mod owner;
mod payload;
mod replies;
mod when;

pub use attempts::{
    summary, AttemptId, AttemptRow, AttemptState, HistoryFilter, NewAttempt, Outcome,
};
pub use backoff::Backoff;
pub use db::Store;
pub use duration::{format_duration, parse_duration};
pub use hash::{content_hash, ContentFields, ContentHash};
pub use healer::{utc_day, Fingerprint, HealerMemory, MAX_LEARNED};
pub use jobs::{AfterFailure, Job, JobId, JobState, NewJob};
pub use limits::{limits_disabled_by_env, PlatformLimit, RateCheck, RateLimits, RATE_LIMITS_ENV};
pub use owner::Owner;
pub use payload::{JobPayload, JobResults, TargetResult};
pub use replies::{ReplyFilter, TriageCall, TriageRow, TriageRun, TriageTotals};
pub use when::{local_zone, parse_at, parse_every, zone_name, zone_named, Recurrence};

/// The schema version this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: u32 = migrations::LATEST;
