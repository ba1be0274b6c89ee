//! Self-healing for broken steps. Adapters name their targets
//! (`@hackernews.submit.title`); the selector book (data files, overridable)
//! lists each target's candidate selectors and what the element is.
//! [`HealingPage`] resolves a target and, when the page changed, repairs the
//! step in tiers, cheapest first, each named in the log:
//!
//! 1. `retry`: the element vanished under us (a re-render): find it again.
//! 2. `alternatives`: the target's other candidates and selectors learned
//!    by earlier trusted repairs.
//! 3. `role`: the one visible, enabled element with the target's accessible
//!    role and name (or test id, or field name), as a person sees it.
//! 4. `similarity`: rank the page's elements against the target's
//!    fingerprint; accept only a unique, visible, strong, non-destructive match.
//! 5. `model` (when configured): a vision model picks among the best
//!    candidates; its answer passes the same checks.
//!
//! Role and similarity answers count only when two scans a moment apart
//! agree, so a page still rendering is never "repaired".
//!
//! A repair is kept (learned, fingerprinted, recorded as confirmed) only
//! after the step's expected outcome followed: `type_text` reads the text
//! back; other steps wait for the adapter's `confirm_repairs()` once the
//! post exists.
//!
//! ```no_run
//! # async fn demo(tab: &dyn distroflow_core::Page) -> distroflow_core::Result<()> {
//! use distroflow_core::{Page, PlatformId};
//! use distroflow_healer::{Healer, SelectorBook};
//!
//! let book = SelectorBook::builtin(&[("hn", "format = 1\n[targets.\"hackernews.submit.title\"]\ncandidates = ['input[name=title]']\n")])?;
//! let healer = Healer::new(book, None)?;
//! let page = healer.page(tab, PlatformId::HackerNews);
//! page.type_text("@hackernews.submit.title", "Hello").await?;
//! page.finish();
//! # Ok(()) }
//! ```

mod book;
mod css;
mod heal;
mod log;
mod model;
mod prices;
mod retry;
mod role;
mod similarity;
mod store;

pub use book::{validate_file, Expect, SelectorBook, Target, BOOK_FORMAT};
pub use distroflow_store::Fingerprint;
pub use heal::{HealOptions, Healer, HealingPage, Tier};
pub use log::{read as read_repairs, Repair};
pub use model::{ModelAnswer, ModelConfig, ModelTier};
pub use prices::{Price, Prices, INPUT_PRICE_ENV, OUTPUT_PRICE_ENV};
pub use retry::{retry, RetryPolicy};
pub use similarity::{looks_destructive, pick, score, Pick, ACCEPT_SCORE, MIN_MARGIN};
pub use store::Memory;
