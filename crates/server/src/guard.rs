//! The guards every request passes: the `Host` check (DNS rebinding), the
//! `Origin` check (a state-changing request or a WebSocket from another
//! site), the body size, and on `/api/v1` the token (or the dashboard's
//! session cookie with its CSRF header).

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::{lock, AppState};

/// The largest JSON body accepted.
pub const MAX_JSON_BODY: usize = 1024 * 1024;

/// The dashboard's session cookie.
pub(crate) const SESSION_COOKIE: &str = "distroflow_session";

/// The header a dashboard's state-changing request carries, with the
/// session's CSRF token (a page of another site cannot set it).
pub(crate) const CSRF_HEADER: &str = "x-distroflow-csrf";

fn is_state_changing(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_websocket(headers: &HeaderMap) -> bool {
    headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Host, Origin and body size, before anything else.
pub(crate) async fn outer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !state.host_allowed(host) {
        return ApiError::new(
            axum::http::StatusCode::MISDIRECTED_REQUEST,
            "host",
            format!("this server does not answer for the host `{host}`"),
            Some(&format!(
                "use http://127.0.0.1:{} (other names are refused against DNS rebinding)",
                state.addr.port()
            )),
        )
        .into_response();
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        // CORS keeps other sites from reading answers; these a browser
        // would send anyway, so they are refused here. A WebSocket is not
        // covered by CORS at all.
        let guarded = is_state_changing(req.method())
            || req.method() == Method::OPTIONS
            || is_websocket(headers);
        // Any extension may try to pair (with the code); no web page may.
        let pairing = req.uri().path() == crate::api::PAIR_PATH
            && crate::clients::is_extension_origin(origin);
        if guarded && !state.origin_allowed(origin) && !pairing {
            return ApiError::forbidden(
                "origin",
                format!("requests from {origin} are not allowed"),
                "add the origin to [server] allowed_origins in config.toml (e.g. chrome-extension://<id>)",
            )
            .into_response();
        }
    }
    // Uploads have the platform table's limit (checked again, file by
    // file, as they are read); everything else is small JSON.
    let limit = if crate::upload::is_multipart(headers) {
        state.uploads.body()
    } else {
        MAX_JSON_BODY as u64
    };
    let too_big = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > limit);
    if too_big {
        return too_large().into_response();
    }
    let mut res = next.run(req).await;
    // No framing (clickjacking), no type guessing, no referrer to the
    // sites a result links to (`same-origin`: with `no-referrer` a
    // browser would send `Origin: null` on the dashboard's own forms).
    for (name, value) in [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        res.headers_mut()
            .insert(name, header::HeaderValue::from_static(value));
    }
    res
}

pub(crate) fn too_large() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!("the request body is over {} KiB", MAX_JSON_BODY / 1024),
        Some("media go by path on this machine (\"media\": [\"/path/to/file\"])"),
    )
}

/// How a request proved who it is.
pub(crate) enum Caller {
    Token,
    /// A paired client's own token (`distroflow tokens list`).
    Client(crate::clients::ClientToken),
    /// The dashboard: its session's CSRF token.
    Session(String),
}

/// The caller a token stands for: the API token, or a client's.
pub(crate) fn by_token(state: &AppState, token: &str) -> Option<Caller> {
    if state.token.matches(token) {
        return Some(Caller::Token);
    }
    crate::clients::find(&state.home, token).map(Caller::Client)
}

/// A request from a browser origin other than the server's own and the
/// configured ones must carry the token paired from that origin (an
/// extension's origin is allowed for its own token only).
pub(crate) fn origin_fits(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or_default();
    if state.configured_origin(origin) {
        return Ok(());
    }
    match caller {
        Caller::Client(c) if c.origin.as_deref() == Some(origin) => Ok(()),
        _ => Err(ApiError::forbidden(
            "origin",
            format!("requests from {origin} must carry the token paired from it"),
            "pair again: run `distroflow serve --pair` and enter the code in the extension's options",
        )),
    }
}

/// The caller of a request: the bearer token, or the session cookie.
pub(crate) fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let auth = auth.to_str().unwrap_or_default();
        let Some(token) = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("bearer "))
        else {
            return Err(ApiError::unauthorized(
                "the Authorization header is not `Bearer <token>`",
            ));
        };
        return by_token(state, token).ok_or_else(|| ApiError::unauthorized("the token is wrong"));
    }
    if let Some(csrf) = session(state, headers) {
        return Ok(Caller::Session(csrf));
    }
    Err(ApiError::unauthorized("no token"))
}

/// The CSRF token of the request's dashboard session, if it has one.
pub(crate) fn session(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let id = session_id(headers)?;
    let sessions = lock(&state.sessions);
    // Constant time is not needed for a lookup key of 256 random bits.
    sessions.get(&id).cloned()
}

/// The session cookie's value, if the request has one.
pub(crate) fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::COOKIE)?
        .to_str()
        .ok()?
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
}

/// `/api/v1`: the token, or a session with its CSRF header for changes.
pub(crate) async fn auth(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let caller = caller(&state, req.headers())
        .and_then(|c| origin_fits(&state, req.headers(), &c).map(|_| c));
    match caller {
        Err(e) => e.into_response(),
        Ok(Caller::Session(csrf)) if is_state_changing(req.method()) => {
            let sent = req
                .headers()
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if crate::token::ApiToken::new(&csrf).matches(sent) {
                next.run(req).await
            } else {
                ApiError::forbidden(
                    "csrf",
                    format!("the {CSRF_HEADER} header is missing or wrong"),
                    "reload the dashboard",
                )
                .into_response()
            }
        }
        Ok(_) => next.run(req).await,
    }
}
