//! `GET /api/v1/events`: live progress over a WebSocket.
//!
//! The token goes in the `Authorization` header, or (browsers cannot set
//! headers on a WebSocket) in `?token=`, or as the first message
//! (`{"token":"..."}`) within [`FIRST_MESSAGE`]; the dashboard's session
//! cookie works too. A wrong token is refused before the upgrade (401); a
//! missing one closes the socket (code 1008) after the wait.
//!
//! Frames are JSON text: `{"type":"ready"}` once subscribed, then
//! `post.queued`, `job.started`, `job.step`, `job.finished` (with the
//! platform's result object) and `post.finished`, each with `post_id`.
//! The server pings every [`PING_EVERY`].

use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// How long a socket without a token may take to send it.
pub const FIRST_MESSAGE: Duration = Duration::from_secs(10);

/// How often an idle socket is pinged.
pub const PING_EVERY: Duration = Duration::from_secs(20);

/// The close code of a refused socket (RFC 6455: policy violation).
const POLICY: u16 = 1008;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct EventsParams {
    /// The API token, for clients that cannot set headers (browsers).
    pub(crate) token: Option<String>,
}

/// Live progress of posts, as JSON text frames (a WebSocket).
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventsParams),
    security(("bearer" = []), ()),
    responses((status = 101, description = "Switching to a WebSocket; frames: {\"type\":\"ready\"}, then post.queued, job.started, job.step, job.finished (with the platform's result object), post.finished, each with post_id"),
              (status = 400, body = ErrorBody, description = "Not a WebSocket request"),
              (status = 401, body = ErrorBody)))]
pub(crate) async fn events(
    State(state): State<AppState>,
    Query(params): Query<EventsParams>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    // A paired client's socket is closed once its token is revoked.
    let mut client = None;
    let authed = if headers.contains_key(header::AUTHORIZATION)
        || crate::guard::session(&state, &headers).is_some()
    {
        match crate::guard::caller(&state, &headers)
            .and_then(|c| crate::guard::origin_fits(&state, &headers, &c).map(|_| c))
        {
            Ok(c) => {
                client = client_id(&c);
                true
            }
            Err(e) => return e.into_response(),
        }
    } else if let Some(t) = &params.token {
        let Some(caller) = crate::guard::by_token(&state, t) else {
            return ApiError::unauthorized("the token is wrong").into_response();
        };
        if let Err(e) = crate::guard::origin_fits(&state, &headers, &caller) {
            return e.into_response();
        }
        client = client_id(&caller);
        true
    } else {
        false
    };
    let ws = match ws {
        Ok(ws) => ws,
        Err(_) if !authed => return ApiError::unauthorized("no token").into_response(),
        Err(e) => {
            return ApiError::new(
                StatusCode::BAD_REQUEST,
                "usage",
                format!("this is a WebSocket endpoint: {e}"),
                Some("connect with a WebSocket client (ws://127.0.0.1:PORT/api/v1/events)"),
            )
            .into_response()
        }
    };
    ws.on_upgrade(move |socket| run(socket, state, authed, client, headers))
}

async fn close(mut socket: WebSocket, code: u16, reason: &str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await;
}

fn client_id(caller: &crate::guard::Caller) -> Option<String> {
    match caller {
        crate::guard::Caller::Client(c) => Some(c.id.clone()),
        _ => None,
    }
}

async fn run(
    mut socket: WebSocket,
    state: AppState,
    mut authed: bool,
    mut client: Option<String>,
    headers: HeaderMap,
) {
    if !authed {
        let first = tokio::time::timeout(FIRST_MESSAGE, socket.recv()).await;
        if let Ok(Some(Ok(Message::Text(text)))) = first {
            let token = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("token").and_then(|t| t.as_str()).map(str::to_string))
                .unwrap_or_else(|| text.to_string());
            if let Some(c) = crate::guard::by_token(&state, &token) {
                authed = crate::guard::origin_fits(&state, &headers, &c).is_ok();
                client = client_id(&c);
            }
        }
        if !authed {
            close(socket, POLICY, "no valid token").await;
            return;
        }
    }
    let mut events = state.events.subscribe();
    let mut stop = state.shutdown.subscribe();
    if *stop.borrow_and_update() {
        close(socket, 1001, "the server is stopping").await;
        return;
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    if socket
        .send(Message::Text(r#"{"type":"ready"}"#.into()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            ev = events.recv() => match ev {
                Ok(frame) => {
                    if socket.send(Message::Text(frame.as_ref().into())).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    let frame = format!(r#"{{"type":"lagged","missed":{n}}}"#);
                    if socket.send(Message::Text(frame.into())).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Closed) => break,
            },
            _ = ping.tick() => {
                if client.as_deref().is_some_and(|id| !crate::clients::exists(&state.home, id)) {
                    close(socket, POLICY, "the token was revoked").await;
                    return;
                }
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return;
                }
            }
            msg = socket.recv() => match msg {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
            _ = stop.changed() => break,
        }
    }
    close(socket, 1001, "the server is stopping").await;
}
