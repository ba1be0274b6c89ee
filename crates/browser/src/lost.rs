//! A browser whose connection drops (the engine was killed, its host went
//! away, browserless's session timer fired and it closed the socket without
//! a close frame, a local Chromium crashed) is *lost*: every command still
//! waiting on it would otherwise hang until its CDP timeout. The handler's
//! stream ending, or a WebSocket error, marks the browser lost at once, and
//! its sessions' jobs can react to that instead of to a timeout.

use chromiumoxide::error::CdpError;
use chromiumoxide::handler::Handler;
use futures::StreamExt;
use tokio::sync::watch;

/// Whether the browser's connection is gone, shared by its clones.
pub(crate) type Lost = watch::Sender<bool>;

pub(crate) fn new() -> Lost {
    watch::Sender::new(false)
}

/// Drives chromiumoxide's handler until the connection ends, then marks the
/// browser lost (dropping the handler, which fails every command still
/// waiting for an answer).
pub(crate) fn drive(mut handler: Handler, lost: Lost) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(event) = handler.next().await {
            // Not logged: an error may quote the message it was about.
            if let Err(CdpError::Ws(_)) = event {
                // The socket is closed, reset or broken: nothing more comes.
                break;
            }
        }
        // Lost first: a command failing because the handler is gone is then
        // seen as the loss it is.
        lost.send_replace(true);
        drop(handler);
    })
}

/// Completes when the browser is lost (`true`) or gone without being lost
/// (`false`: closed and dropped).
pub(crate) fn wait(lost: &Lost) -> impl std::future::Future<Output = bool> + Send + 'static {
    let mut rx = lost.subscribe();
    async move { rx.wait_for(|l| *l).await.is_ok() }
}
