//! End to end: the `distroflow` binary, a real headless Chromium, and the
//! replicas on 127.0.0.1. Each test has its own DISTROFLOW_HOME and TMPDIR,
//! so it can also check that no Chromium of its own is left behind.

#![allow(clippy::print_stdout, clippy::print_stderr, unreachable_pub)]

mod bluesky;
mod bundles;
mod cli;
mod engines;
mod extension;
mod fanout;
mod hackernews;
mod harness;
mod healing;
mod input;
mod ledger;
mod lifecycle;
mod linkedin;
mod lookalikes;
mod mastodon;
mod readiness;
mod replies;
mod sandbox;
mod schedule;
mod security;
mod serve;
mod validation;
