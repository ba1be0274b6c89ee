//! `distroflow serve`: DistroFlow's local REST API, with live progress
//! over a WebSocket.
//!
//! Posts made here go through the same validation, fan-out, ledger and
//! store as the CLI's (so they appear in `distroflow history`, and are
//! never posted twice), on a browser kept warm between posts. The
//! scheduler (the daemon's code) runs inside unless asked not to.
//!
//! Security: loopback only unless the caller allows otherwise; a token on
//! every `/api/v1` route but the health check, compared in constant time;
//! a `Host` check against DNS rebinding; CORS for the server's own origin
//! and the configured ones only, and a state-changing request from any
//! other origin refused; body size limits. See docs/server.md.
//!
//! ```no_run
//! # async fn demo() -> distroflow_core::Result<()> {
//! use distroflow_server::{bind, serve, ApiToken, ServeOptions};
//!
//! let home = distroflow_core::Home::from_env()?;
//! let config = home.load_config()?;
//! let (token, _) = ApiToken::load(&home, false)?;
//! let listener = bind("127.0.0.1:0", false).await?;
//! let options = ServeOptions::new(home, config, token);
//! serve(listener, options, async { tokio::signal::ctrl_c().await.ok(); }).await
//! # }
//! ```

mod api;
mod clients;
mod dashboard;
mod error;
mod events;
mod guard;
mod runner;
mod state;
mod token;
mod upload;
mod warm;

use distroflow_engine::BrowserSource;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use distroflow_app::SchedulerEvent;
use distroflow_core::{Config, Error, Home, Result};
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};

pub use clients::{list as client_tokens, new_pair_code, revoke as revoke_client_token};
pub use clients::{ClientToken, CLIENTS_FILE, PAIR_ATTEMPTS, PAIR_FOR};
pub use error::ErrorBody;
pub use events::{FIRST_MESSAGE, PING_EVERY};
pub use guard::MAX_JSON_BODY;
pub use token::{ApiToken, TokenSource, TOKEN_ENV, TOKEN_FILE};

use crate::state::{AppState, Inner};

/// What `serve` runs with.
pub struct ServeOptions {
    pub home: Home,
    pub config: Config,
    pub token: ApiToken,
    /// Run the scheduler (`distroflow daemon`'s code) inside the server.
    pub scheduler: bool,
    /// Told what the scheduler does (the CLI prints it as the daemon does).
    pub on_scheduler: Arc<dyn Fn(SchedulerEvent<'_>) + Send + Sync>,
    /// A one-time pairing code (`serve --pair`, from [`new_pair_code`]):
    /// valid for [`PAIR_FOR`] at `POST /api/v1/pair`.
    pub pair_code: Option<String>,
}

impl ServeOptions {
    pub fn new(home: Home, config: Config, token: ApiToken) -> ServeOptions {
        ServeOptions {
            home,
            config,
            token,
            scheduler: true,
            on_scheduler: Arc::new(|_| {}),
            pair_code: None,
        }
    }
}

/// Listens on `listen` (`127.0.0.1:7777`, `localhost:0`, `[::1]:7777`).
/// An address off this machine is refused unless `allow_remote`.
pub async fn bind(listen: &str, allow_remote: bool) -> Result<TcpListener> {
    let addr = parse_listen(listen)?;
    if !addr.ip().is_loopback() && !allow_remote {
        return Err(Error::usage(
            format!("{listen} is not on this machine (loopback)"),
            Some(
                "listen on 127.0.0.1, or pass --allow-remote if other machines must reach it \
                 (the token is then the only guard)"
                    .into(),
            ),
        ));
    }
    TcpListener::bind(addr).await.map_err(|e| {
        Error::usage(
            format!("cannot listen on {addr}: {e}"),
            Some("pick another port with --listen 127.0.0.1:PORT (0: any free port)".into()),
        )
    })
}

fn parse_listen(listen: &str) -> Result<SocketAddr> {
    let refuse = || {
        Error::usage(
            format!("`{listen}` is not an address and port"),
            Some("e.g. --listen 127.0.0.1:7777".into()),
        )
    };
    if let Some(port) = listen.strip_prefix("localhost:") {
        let port: u16 = port.parse().map_err(|_| refuse())?;
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    listen.parse().map_err(|_| refuse())
}

/// The whole router (API and guards) for `state`, with the OpenAPI
/// document filled in.
fn router(state: AppState) -> Router {
    let (public, private) = api::routers();
    let private = private.route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        guard::auth,
    ));
    let (api, doc) = public.merge(private).split_for_parts();
    let _ = state
        .openapi
        .set(serde_json::to_value(&doc).unwrap_or_default());
    let cors = cors(&state);
    api.merge(dashboard::router())
        .layer(axum::extract::DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(cors)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::outer,
        ))
        .fallback(|| async { error::ApiError::not_found("no such route") })
        .with_state(state)
}

fn cors(state: &AppState) -> tower_http::cors::CorsLayer {
    use axum::http::{header, HeaderName, HeaderValue, Method};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    // The own and configured origins, a paired extension's while its
    // token exists, and any extension on the pairing route.
    let state = state.clone();
    let allowed = move |origin: &HeaderValue, parts: &axum::http::request::Parts| {
        let origin = origin.to_str().unwrap_or_default();
        state.origin_allowed(origin)
            || (parts.uri.path() == api::PAIR_PATH && clients::is_extension_origin(origin))
    };
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(allowed))
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static(guard::CSRF_HEADER),
        ])
        .max_age(std::time::Duration::from_secs(600))
}

/// The OpenAPI 3.1 document of the API, as committed in docs/openapi.json.
pub fn openapi_json() -> String {
    let (public, private) = api::routers();
    let doc = public.merge(private).into_openapi();
    let mut s = doc.to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

fn state(listener: &TcpListener, options: &ServeOptions) -> Result<AppState> {
    let addr = listener.local_addr().map_err(|e| Error::Unexpected {
        message: format!("cannot read the listening address: {e}"),
    })?;
    let home = &options.home;
    let config = &options.config;
    Ok(AppState(Arc::new(Inner {
        home: home.clone(),
        config: config.clone(),
        token: options.token.clone(),
        addr,
        allowed_origins: config.server.allowed_origins.clone(),
        any_host: addr.ip().is_unspecified(),
        sessions: Mutex::new(Default::default()),
        posts: Mutex::new(Default::default()),
        events: broadcast::channel(1024).0,
        store: Mutex::new(distroflow_store::Store::open_home(home)?),
        warm: warm::Warm::new(distroflow_app::browser_options(config)),
        healer: distroflow_app::healer(Some(home))?,
        ledgers: [
            distroflow_app::ledger(home, config, false, false)?,
            distroflow_app::ledger(home, config, false, true)?,
        ],
        running: watch::channel(0).0,
        stopping: AtomicBool::new(false),
        shutdown: watch::channel(false).0,
        openapi: Default::default(),
        uploads: upload::UploadLimits::of(config)?,
        pairing: clients::Pairing::new(options.pair_code.as_deref()),
    })))
}

/// Serves until `shutdown` completes; then stops accepting, lets the
/// running posts (and the scheduler's running job) finish, closes the
/// warm browser, and returns.
pub async fn serve(
    listener: TcpListener,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let state = state(&listener, &options)?;
    let app = router(state.clone());
    // The first post should not wait for Chromium to start.
    if matches!(
        distroflow_app::browser_source(&options.config),
        Ok(distroflow_engine::BrowserSource::Launch(_))
    ) {
        let warm = state.clone();
        tokio::spawn(async move {
            if let Err(e) = warm.warm.get().await {
                tracing::warn!("the warm browser cannot start: {e}");
            }
        });
    }
    let stop_scheduler = Arc::new(AtomicBool::new(false));
    let stopping = {
        let state = state.clone();
        let stop_scheduler = stop_scheduler.clone();
        async move {
            shutdown.await;
            state.stopping.store(true, Ordering::SeqCst);
            stop_scheduler.store(true, Ordering::SeqCst);
            state.shutdown.send_replace(true);
        }
    };
    let server = async {
        axum::serve(listener, app)
            .with_graceful_shutdown(stopping)
            .await
            .map_err(|e| Error::Unexpected {
                message: format!("the server stopped: {e}"),
            })
    };
    let scheduler = async {
        if !options.scheduler {
            return Ok(0);
        }
        let on = |e: SchedulerEvent<'_>| {
            scheduler_event(&state, &e);
            (options.on_scheduler)(e);
        };
        distroflow_app::run_scheduler(
            &options.home,
            &options.config,
            stop_scheduler.clone(),
            false,
            // Scheduled jobs run on the warm browser too, when it is up.
            &|| match distroflow_app::browser_source(&options.config)? {
                BrowserSource::Launch(o) => Ok(state
                    .warm
                    .current()
                    .map(BrowserSource::Shared)
                    .unwrap_or(BrowserSource::Launch(o))),
                other => Ok(other),
            },
            &on,
        )
        .await
    };
    let (served, scheduled) = tokio::join!(server, scheduler);
    // Posts still running finish (they are recorded either way).
    let _ = state.running.subscribe().wait_for(|n| *n == 0).await;
    state.warm.close().await;
    served?;
    scheduled.map(|_| ())
}

/// The scheduler's jobs on the WebSocket too, as posts `job-N`.
fn scheduler_event(state: &AppState, e: &SchedulerEvent<'_>) {
    use serde_json::json;
    match e {
        SchedulerEvent::Requeued(_) | SchedulerEvent::Resumed(_) => {}
        SchedulerEvent::Started(job) => state.emit(json!({
            "type": "post.queued",
            "post_id": format!("job-{}", job.id.0),
            "targets": job.pending_targets().iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        })),
        SchedulerEvent::Result(id, r) => {
            let mut event = serde_json::to_value(distroflow_app::wire::WireResult::from(*r))
                .unwrap_or_default();
            event["type"] = "job.finished".into();
            event["post_id"] = format!("job-{}", id.0).into();
            state.emit(event);
        }
        SchedulerEvent::Finished(id, outcome) => state.emit(json!({
            "type": "post.finished",
            "post_id": format!("job-{}", id.0),
            "ok": matches!(outcome, distroflow_app::JobOutcome::Done),
        })),
    }
}
