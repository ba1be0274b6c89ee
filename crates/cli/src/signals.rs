//! Stopping: Ctrl-C (SIGINT), SIGTERM (systemd, `timeout`, `kill`) and
//! SIGHUP (a closed terminal or SSH session) all stop a command the same
//! way: the browser is closed, what was attempted is recorded, and the
//! process exits 128 + the signal's number (130, 143, 129).
//!
//! A command that does not react within [`GRACE`] is ended anyway (its
//! Chromium quits by itself when the DevTools pipe closes), and a second
//! signal ends it at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::watch;

const SIGHUP: i32 = nix::sys::signal::Signal::SIGHUP as i32;
const SIGINT: i32 = nix::sys::signal::Signal::SIGINT as i32;
const SIGTERM: i32 = nix::sys::signal::Signal::SIGTERM as i32;

/// How long a stopped command may take to close its browser and record.
const GRACE: Duration = Duration::from_secs(20);

static STOP: OnceLock<watch::Sender<i32>> = OnceLock::new();

/// Set by the daemon: a first signal lets the running job finish however
/// long it takes (a second one still ends it at once).
static PATIENT: AtomicBool = AtomicBool::new(false);

pub(crate) fn let_the_running_job_finish() {
    PATIENT.store(true, Ordering::SeqCst);
}

fn channel() -> &'static watch::Sender<i32> {
    STOP.get_or_init(|| watch::channel(0).0)
}

/// Starts watching for SIGINT, SIGTERM and SIGHUP. Call once, inside the
/// runtime.
pub(crate) fn install() {
    use tokio::signal::unix::{signal, SignalKind};
    let kinds = [
        (SignalKind::interrupt(), SIGINT),
        (SignalKind::terminate(), SIGTERM),
        (SignalKind::hangup(), SIGHUP),
    ];
    for (kind, number) in kinds {
        let Ok(mut stream) = signal(kind) else {
            continue;
        };
        tokio::spawn(async move {
            while stream.recv().await.is_some() {
                let tx = channel();
                if *tx.borrow() != 0 {
                    // A second signal: stop now.
                    std::process::exit(128 + number);
                }
                tx.send_replace(number);
                if PATIENT.load(Ordering::SeqCst) {
                    continue;
                }
                tokio::spawn(async move {
                    tokio::time::sleep(GRACE).await;
                    std::process::exit(128 + number);
                });
            }
        });
    }
}

/// Resolves once a stop was asked for.
pub(crate) async fn requested() {
    let mut rx = channel().subscribe();
    let _ = rx.wait_for(|n| *n != 0).await;
}

/// The signal that stopped this command, if one did.
pub(crate) fn stopped_by() -> Option<i32> {
    Some(*channel().borrow()).filter(|n| *n != 0)
}

/// The exit code of a stopped command: 128 + the signal (130 for Ctrl-C).
pub(crate) fn exit_code() -> u8 {
    (128 + stopped_by().unwrap_or(SIGINT)) as u8
}

/// What the stop was, for messages.
pub(crate) fn name() -> &'static str {
    match stopped_by() {
        Some(SIGTERM) => "terminated (SIGTERM)",
        Some(SIGHUP) => "hung up (SIGHUP)",
        _ => "interrupted",
    }
}
