//! Reply triage at the lowest cost: which replies to the person's own posts
//! need an answer, and how urgently.
//!
//! Each reply gets a [`Verdict`]: `needs_reply`, `priority` (0–3), a
//! [`Label`] and a one-line reason. The cost is kept down three ways:
//!
//! - **Batching**: one model call scores up to [`MAX_BATCH`] replies, with
//!   OpenAI structured outputs (a strict JSON schema with one-letter keys,
//!   one code per reply for label and priority ([`WIRE_CODES`]), a reason
//!   only when it needs an answer; ids short and local, `1`..`50`, one line
//!   a reply, cut at [`MAX_TEXT_CHARS`]). Replies missing or invalid in the answer are
//!   asked again on their own, never the whole batch.
//! - **A stable prefix**: the instructions come first and are the same
//!   bytes in every call ([`INSTRUCTIONS`]), so a provider's prompt cache
//!   applies; the replies come last.
//! - **A cache**: each verdict is kept in the store under the MD5 of model,
//!   rubric version and normalised text ([`cache_key`]); a reply already
//!   scored is never sent again, and a changed rubric or model re-scores.
//!
//! Calls are capped per run and per UTC day; each call's tokens and cost
//! (at the configured model's price, or unknown) are recorded in the store.
//! It reads replies; it never writes one.

mod eval;
mod rubric;
mod triager;

pub use eval::{
    batching_figures, eval_set, evaluate, recommend, BatchingFigures, EvalItem, EvalResult,
    WITHIN_POINTS,
};
pub use rubric::{
    cache_key, normalise, Label, Verdict, INSTRUCTIONS, MAX_TEXT_CHARS, RUBRIC_VERSION, WIRE_CODES,
};
pub use triager::{
    Stats, TriageConfig, Triaged, Triager, MAX_BATCH, MAX_CALLS_PER_DAY_ENV, MAX_CALLS_PER_RUN_ENV,
};
