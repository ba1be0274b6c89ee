//! DistroFlow's browser layer over chromiumoxide.
//!
//! One [`Browser`] (one Chromium process, headless, a private profile folder)
//! serves every job of a run; each job gets a [`Session`]: its own browser
//! context with that platform's cookies, a tab implementing
//! [`distroflow_core::Page`], and a permit from the pool's semaphore. Every
//! CDP call has a timeout and every wait is a poll with a deadline.
//!
//! ```no_run
//! # async fn demo() -> distroflow_core::Result<()> {
//! use distroflow_browser::{Browser, BrowserOptions};
//! use distroflow_core::Page;
//!
//! let browser = Browser::launch(BrowserOptions::from_env(None)).await?;
//! let url = url::Url::parse("http://127.0.0.1:8123").unwrap();
//! let session = browser.session(&url, &[]).await?;
//! session.page().goto("http://127.0.0.1:8123/newest").await?;
//! session.close().await;
//! browser.close().await;
//! # Ok(()) }
//! ```

mod cookies;
mod js;
mod launch;
mod lost;
mod page;
mod pipe;
mod pool;
mod prepared;
mod procs;
mod remote;
mod session;
mod spare;

pub use launch::{chrome_path, headless_chrome_path, Browser, BrowserOptions};
pub use page::CdpPage;
pub use pool::{EngineStatus, Engines, PooledSession};
pub use procs::browser_processes;
pub use session::Session;
