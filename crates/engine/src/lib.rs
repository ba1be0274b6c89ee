//! The fan-out: every target runs at once in one browser, each in its own
//! isolated context, bounded by the browser pool, each with a deadline.
//! Results are reported as they finish; a failure, hang or crash of one
//! target never stops or delays the others.
//!
//! ```no_run
//! # async fn demo(jobs: Vec<distroflow_engine::Job>) {
//! use distroflow_browser::BrowserOptions;
//! use distroflow_engine::{run, BrowserSource, RunEnd};
//!
//! let post = distroflow_core::Post::new("hello");
//! let end = run(
//!     jobs,
//!     post,
//!     BrowserSource::Launch(BrowserOptions::from_env(None)),
//!     std::time::Duration::from_secs(120),
//!     |r| println!("{:?} {:?}", r.platform, r.url),
//!     std::future::pending(),
//! )
//! .await;
//! # let _ = end; }
//! ```

mod bundle;
mod fanout;
mod ledger;
mod prepare;

pub use bundle::Bundles;
pub use fanout::{
    read_storage, run, run_observed, save_storage, BrowserSource, Job, RunEnd, StepFn,
};
pub use ledger::{Before, Ledger, DEFAULT_WINDOW};
pub use prepare::{prepare, Prepared};
