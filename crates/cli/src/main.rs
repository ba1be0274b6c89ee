//! `distroflow`: publish your own content to the platforms where your
//! audience is, through a real Chromium and your own logged-in sessions.
//!
//! This is the only crate that knows about clap, terminals and exit codes.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod commands;
mod examples;
mod exit;
mod output;
mod signals;

use std::io::IsTerminal;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::exit::ExitStatus;

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if !e.use_stderr() {
                // --help, --version.
                let _ = e.print();
                return ExitStatus::Success.into();
            }
            // With --json, even a malformed command line answers in JSON.
            if std::env::args_os().any(|a| a == "--json") {
                let message = e.kind().to_string();
                let detail = e.render().to_string();
                let hint = detail
                    .lines()
                    .map(str::trim)
                    .find(|l| l.starts_with("tip:") || l.starts_with("Usage:"))
                    .map(|l| l.trim_start_matches("tip:").trim().to_string());
                output::print_refusal(&[output::WireError {
                    kind: "usage",
                    platform: None,
                    message: detail
                        .lines()
                        .next()
                        .map(|l| l.trim_start_matches("error:").trim())
                        .unwrap_or(&message),
                    hint: hint.as_deref(),
                    retry_after_secs: None,
                }]);
            } else {
                let _ = e.print();
            }
            return ExitStatus::Usage.into();
        }
    };
    output::set_quiet(cli.quiet);
    init_tracing(cli.verbose, cli.quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitStatus::Failure.into();
        }
    };
    let status = runtime.block_on(run(cli));
    // Jobs that ignore cancellation must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    status.into()
}

async fn run(cli: Cli) -> ExitStatus {
    signals::install();
    let json = cli.command.json();
    // The configuration is checked once, before any command runs (but
    // completions and the man page need none, and a broken config must
    // not stop their install).
    let writes = cli.command.writes_home();
    let checked = if cli.command.needs_home() {
        distroflow_core::Home::from_env()
            .and_then(|h| {
                if writes {
                    commands::ensure_writable(&h)?;
                }
                commands::config::load(&h)
            })
            .map(|_| ())
    } else {
        Ok(())
    };
    let result = match checked {
        Err(e) => Err(e),
        Ok(_) => dispatch(cli.command).await,
    };
    report(result, json)
}

async fn dispatch(command: Command) -> distroflow_core::Result<ExitStatus> {
    match command {
        Command::Post(a) => commands::post::run(a).await,
        Command::Check(a) => commands::check::run(a),
        Command::Login(a) => commands::login::run(a).await,
        Command::Logout(a) => commands::login::logout(a),
        Command::Accounts(a) => commands::accounts::run(a).await,
        Command::Sandbox(a) => commands::sandbox::run(a).await,
        Command::Selectors(a) => commands::selectors::run(a),
        Command::Heal(a) => commands::selectors::heal(a),
        Command::History(a) => commands::history::run(a),
        Command::Replies(a) => commands::replies::run(a).await,
        Command::Schedule(a) => commands::schedule::schedule(a),
        Command::Queue(a) => commands::schedule::queue(a),
        Command::Daemon(a) => commands::schedule::daemon(a).await,
        Command::Serve(a) => commands::serve::run(a).await,
        Command::Engines(a) => commands::engines::run(a).await,
        Command::Tokens(a) => commands::extension::tokens(a),
        Command::Extension(a) => commands::extension::run(a),
        Command::Completions(a) => commands::docs::completions(a),
        Command::Man => commands::docs::man(),
    }
}

fn report(result: distroflow_core::Result<ExitStatus>, json: bool) -> ExitStatus {
    match result {
        Ok(status) => status,
        Err(e) => {
            if json && e.is_usage() {
                output::print_error_json(&e);
            } else {
                output::print_error(&e);
            }
            if signals::stopped_by().is_some() {
                ExitStatus::Interrupted
            } else if e.is_usage() {
                ExitStatus::Usage
            } else {
                ExitStatus::Failure
            }
        }
    }
}

/// Logs on stderr: `-v` picks the level (`-q`: errors only), `RUST_LOG`
/// overrides it, except for the libraries that log CDP or WebSocket
/// traffic in full (cookies, typed passwords, page storage): those are
/// silent at every level, whatever `RUST_LOG` says. DistroFlow logs the
/// CDP traffic itself at trace level, as method names and sizes only.
/// Colour only on a terminal, and never with `NO_COLOR`: a log file or
/// pipe gets plain text.
fn init_tracing(verbose: u8, quiet: bool) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{EnvFilter, Layer};
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let never = tracing_subscriber::filter::filter_fn(|meta| !carries_traffic(meta.target()));
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_target(false)
                .with_ansi(use_ansi(
                    std::io::stderr().is_terminal(),
                    std::env::var_os("NO_COLOR").as_deref(),
                ))
                .with_filter(filter)
                .with_filter(never),
        )
        .try_init();
}

/// Colour (ANSI escapes) on stderr: only on a terminal, and not when
/// `NO_COLOR` is set to anything but the empty string (no-color.org).
fn use_ansi(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Log targets of the libraries that put whole CDP or WebSocket messages
/// in their events.
fn carries_traffic(target: &str) -> bool {
    [
        "chromiumoxide",
        "tungstenite",
        "async_tungstenite",
        "hyper",
        "reqwest",
    ]
    .iter()
    .any(|t| target == *t || target.starts_with(&format!("{t}::")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        use std::ffi::OsStr;
        assert!(use_ansi(true, None));
        assert!(use_ansi(true, Some(OsStr::new(""))));
        assert!(!use_ansi(true, Some(OsStr::new("1"))));
        assert!(!use_ansi(false, None), "a file or pipe gets no escapes");
        assert!(!use_ansi(false, Some(OsStr::new("1"))));
    }

    #[test]
    fn traffic_libraries_are_recognised_with_their_modules_only() {
        assert!(carries_traffic("chromiumoxide::conn"));
        assert!(carries_traffic("tungstenite"));
        assert!(carries_traffic("hyper::proto"));
        assert!(!carries_traffic("distroflow_browser::pipe"));
        assert!(!carries_traffic("hyperx"));
    }
}
