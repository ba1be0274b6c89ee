//! What the `distroflow` command and `distroflow serve` both do, so that
//! they cannot disagree: the one validation ([`prepare`], [`validate`]),
//! the jobs of a post ([`make_jobs`]), the scheduler's run of a queued job
//! ([`run_queued_job`]), and the JSON objects both print ([`wire`]).
//!
//! Nothing here prints, parses a command line or speaks HTTP: the CLI
//! prints these objects as JSON Lines, the server answers with them.
//!
//! ```no_run
//! # fn demo() -> distroflow_core::Result<()> {
//! use distroflow_app::{prepare, Content};
//!
//! let home = distroflow_core::Home::from_env()?;
//! let config = home.load_config()?;
//! let content = Content { text: "hello".into(), ..Content::default() };
//! let prepared = prepare(&["x".to_string()], &content, &config)?;
//! assert!(prepared.problems.is_empty());
//! # Ok(()) }
//! ```

mod accounts;
mod content;
mod history;
mod instance;
mod jobs;
mod queue;
mod scheduler;
pub mod wire;

pub use accounts::{accounts, check_in};
pub use content::{
    adapters, overflow, parse_networks, parse_targets, post_from, prepare, validate, Content, Fit,
    Prepared, Problem, Validated,
};
pub use history::{history, parse_since, parse_status, HistoryQuery};
pub use instance::apply_instance_limits;
pub use jobs::{
    browser_options, browser_source, checking_browser, healer, ledger, ledger_for, make_jobs, Sites,
};
pub use queue::{enqueue, listed_states, missing_sessions, Schedule, When};
pub use scheduler::{run_queued_job, run_scheduler, JobOutcome, SchedulerEvent};
