//! Self-healing for broken steps, in tiers, cheapest first. Today: the
//! `retry` tier (wait and retry transient failures with exponential
//! backoff inside a total budget). The `alternatives`, `similarity` and
//! `model` tiers build on it.
//!
//! ```
//! use distroflow_healer::{retry, RetryPolicy};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let mut calls = 0;
//! let v = retry(RetryPolicy::default(), "open the composer", || {
//!     calls += 1;
//!     let n = calls;
//!     async move {
//!         if n < 2 {
//!             Err(distroflow_core::Error::Timeout { what: "composer".into(), after: Default::default() })
//!         } else {
//!             Ok(n)
//!         }
//!     }
//! })
//! .await
//! .unwrap();
//! assert_eq!(v, 2);
//! # });
//! ```

mod retry;

pub use retry::{retry, RetryPolicy};
