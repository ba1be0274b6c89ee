//! Starting and stopping one replica's HTTP server.
//!
//! Every replica has the same shape: bind `127.0.0.1:0` (or a given
//! address), serve an axum router on a background task, hand back its URL,
//! and stop gracefully on `shutdown` or when dropped.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long `shutdown` waits for open connections before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The address `start` binds: loopback, any free port.
pub(crate) const LOOPBACK_ANY_PORT: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// GET requests served, by path and query.
#[derive(Clone, Debug, Default)]
struct Gets(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, usize>>>);

/// A running server task. Dropping it asks the task to stop.
#[derive(Debug)]
pub(crate) struct Running {
    addr: SocketAddr,
    /// GET requests served, by path and query.
    gets: Gets,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Running {
    /// Binds `addr` and serves `app` on a new task.
    ///
    /// Must be called inside a Tokio runtime.
    pub(crate) async fn start(addr: SocketAddr, app: Router) -> io::Result<Self> {
        let gets = Gets::default();
        let counter = gets.clone();
        let app = app.layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let counter = counter.clone();
                async move {
                    if req.method() == axum::http::Method::GET {
                        let key = req
                            .uri()
                            .path_and_query()
                            .map(|p| p.as_str().to_string())
                            .unwrap_or_default();
                        if let Ok(mut m) = counter.0.lock() {
                            *m.entry(key).or_default() += 1;
                        }
                    }
                    next.run(req).await
                }
            },
        ));
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                // Either an explicit stop or the sender being dropped.
                let _ = stopped.await;
            });
            if let Err(err) = serve.await {
                tracing::warn!(%addr, error = %err, "replica server stopped with an error");
            }
        });
        tracing::debug!(%addr, "replica server listening");
        Ok(Running {
            addr,
            gets,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// How many GET requests asked for `path_and_query` (`/submit`,
    /// `/feed/?shareActive=true`): a page load, or a script's fetch.
    pub(crate) fn gets(&self, path_and_query: &str) -> usize {
        self.gets
            .0
            .lock()
            .map(|m| m.get(path_and_query).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections, lets open ones finish (closing idle
    /// keep-alive connections), and waits for the task, cutting it after a
    /// short grace period.
    pub(crate) async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                tracing::debug!(addr = %self.addr, "replica server did not stop in time; aborting");
                task.abort();
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // Graceful: the listener closes at once, open connections end after
        // their current request. The task is detached and ends by itself.
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
