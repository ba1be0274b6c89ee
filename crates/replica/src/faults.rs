//! Faults a replica can simulate on every request: latency (for
//! benchmarks and timeout tests) and requests that hang until released.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use tokio::sync::watch;

/// The switches, shared by a replica's handle and its middleware.
#[derive(Debug)]
pub(crate) struct Faults {
    hang: watch::Sender<bool>,
    latency: Mutex<Duration>,
}

impl Faults {
    pub(crate) fn new(latency: Duration) -> Arc<Self> {
        Arc::new(Faults {
            hang: watch::Sender::new(false),
            latency: Mutex::new(latency),
        })
    }

    /// While on, every request waits (without answering) until it is off.
    pub(crate) fn set_hang(&self, on: bool) {
        self.hang.send_replace(on);
    }

    pub(crate) fn set_latency(&self, latency: Duration) {
        *self
            .latency
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = latency;
    }

    fn latency(&self) -> Duration {
        *self
            .latency
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Wraps `router` so every request goes through the faults first.
pub(crate) fn layer(router: Router, faults: Arc<Faults>) -> Router {
    router.layer(axum::middleware::from_fn_with_state(faults, apply))
}

async fn apply(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    let mut hang = faults.hang.subscribe();
    // Err only when the sender is gone, i.e. the replica is going away.
    let _ = hang.wait_for(|on| !*on).await;
    let latency = faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    next.run(request).await
}
