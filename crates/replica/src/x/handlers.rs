//! The replica's routes: what each URL of the real site does.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::pages::{self, Shell, Viewer};
use super::store::{new_csrf_token, NewPost, Refused, UploadRefused, MAX_UPLOAD_BYTES};
use super::Shared;
use crate::http::{asset, cookie, encode_query_value, page, parse_form, redirect};

type St = State<Arc<Shared>>;

/// The query id in the real `CreateTweet` URL (it changes with deploys).
pub(crate) const CREATE_TWEET_QUERY_ID: &str = "oB-5XsHNAbjvARJEc8CZFw";

/// Five years, like the real `ct0` cookie.
const CT0_MAX_AGE: u64 = 5 * 365 * 24 * 3600;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/home", get(home))
        .route("/compose/post", get(compose))
        .route(
            "/compose/tweet",
            get(|| async { redirect("/compose/post", &[]) }),
        )
        .route("/login", get(|| async { redirect("/i/flow/login", &[]) }))
        .route("/i/flow/login", get(login_page))
        .route("/i/api/1.1/onboarding/task.json", post(login_task))
        .route(
            "/i/api/1.1/media/upload.json",
            post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/i/api/graphql/{query_id}/CreateTweet", post(create_tweet))
        .route("/i/api/graphql/CreateTweet", post(create_tweet))
        .route("/media/{id}", get(media))
        .route(
            "/responsive-web/client-web/main.js",
            get(|| async { asset("text/javascript; charset=utf-8", pages::APP_JS) }),
        )
        .route("/i/api/2/replies/{id}", get(more_replies))
        .route("/{handle}", get(profile))
        .route("/{handle}/status/{id}", get(status))
        .fallback(unknown)
        .with_state(shared)
}

/// The logged-in handle, if the request carries an `auth_token` this
/// server issued.
fn viewer(shared: &Shared, headers: &HeaderMap) -> Option<String> {
    let token = cookie(headers, "auth_token")?;
    shared.lock().user_for_token(&token)
}

fn query(uri: &Uri) -> std::collections::HashMap<String, String> {
    parse_form(uri.query().unwrap_or_default().as_bytes())
}

/// An HTML page that also sets `ct0` when the browser has none, as the
/// real site does on its first page view.
fn html(status: StatusCode, headers: &HeaderMap, body: String) -> Response {
    let mut response = page(status, body);
    if cookie(headers, "ct0").is_none_or(|v| v.is_empty()) {
        let set = format!(
            "ct0={}; Path=/; Max-Age={CT0_MAX_AGE}; SameSite=Lax",
            new_csrf_token()
        );
        if let Ok(value) = HeaderValue::from_str(&set) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

fn to_login(from: &str) -> Response {
    redirect(
        &format!(
            "/i/flow/login?redirect_after_login={}",
            encode_query_value(from)
        ),
        &[],
    )
}

fn shell(shared: &Shared, headers: &HeaderMap, kind: Shell, handle: Option<&str>) -> Response {
    let ui = shared.lock().ui_version();
    let body = pages::shell(
        kind,
        handle.map(Viewer::new).as_ref(),
        shared.hydration_delay_ms,
        ui,
        super::drift::create_tweet_query_id(ui),
    );
    html(StatusCode::OK, headers, body)
}

async fn root(State(shared): St, headers: HeaderMap) -> Response {
    match viewer(&shared, &headers) {
        Some(_) => redirect("/home", &[]),
        None => redirect("/i/flow/login", &[]),
    }
}

async fn home(State(shared): St, headers: HeaderMap) -> Response {
    match viewer(&shared, &headers) {
        Some(handle) => shell(&shared, &headers, Shell::Home, Some(&handle)),
        None => to_login("/home"),
    }
}

async fn compose(State(shared): St, headers: HeaderMap) -> Response {
    let Some(handle) = viewer(&shared, &headers) else {
        return to_login("/compose/post");
    };
    if !shared.lock().compose_modal() {
        return redirect("/home", &[]);
    }
    shell(&shared, &headers, Shell::Compose, Some(&handle))
}

async fn login_page(State(shared): St, headers: HeaderMap) -> Response {
    if viewer(&shared, &headers).is_some() {
        return redirect("/home", &[]);
    }
    shell(&shared, &headers, Shell::Login, None)
}

/// The login flow's API: the replica has no password login, so every
/// attempt ends the way an unknown account does.
async fn login_task() -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        399,
        "Sorry, we could not find your account.",
    )
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut response = (status, value.to_string()).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=utf-8"),
    );
    response
}

fn api_error(status: StatusCode, code: u32, message: &str) -> Response {
    json_response(
        status,
        &json!({ "errors": [{ "code": code, "message": message }] }),
    )
}

/// Why an API call is refused before it runs.
#[derive(Debug, Clone, Copy)]
enum Denied {
    /// No valid `auth_token`.
    Unauthenticated,
    /// `x-csrf-token` missing or not the `ct0` cookie.
    Csrf,
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        match self {
            Denied::Unauthenticated => {
                api_error(StatusCode::UNAUTHORIZED, 32, "Could not authenticate you.")
            }
            Denied::Csrf => api_error(
                StatusCode::FORBIDDEN,
                353,
                "This request requires a matching csrf cookie and header.",
            ),
        }
    }
}

/// The logged-in handle of an API call, checking the session and the CSRF
/// double-submit (`x-csrf-token` must equal the `ct0` cookie).
fn api_viewer(shared: &Shared, headers: &HeaderMap) -> Result<String, Denied> {
    let handle = viewer(shared, headers).ok_or(Denied::Unauthenticated)?;
    let ct0 = cookie(headers, "ct0").unwrap_or_default();
    let header = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if ct0.is_empty() || ct0 != header {
        return Err(Denied::Csrf);
    }
    Ok(handle)
}

/// `POST /i/api/1.1/media/upload.json?media_type=image%2Fpng&name=a.png`
/// with the file's bytes as the body (the real site uploads in
/// INIT/APPEND/FINALIZE chunks; one request does here).
async fn upload(State(shared): St, headers: HeaderMap, uri: Uri, body: Bytes) -> Response {
    let handle = match api_viewer(&shared, &headers) {
        Ok(handle) => handle,
        Err(denied) => return denied.into_response(),
    };
    let params = query(&uri);
    let mime = params
        .get("media_type")
        .cloned()
        .or_else(|| {
            headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let name = params.get("name").cloned().unwrap_or_default();
    let size = body.len();
    match shared.lock().upload(&handle, &name, &mime, body.to_vec()) {
        Ok(id) => json_response(
            StatusCode::OK,
            &json!({
                "media_id": id,
                "media_id_string": id.to_string(),
                "media_key": format!("3_{id}"),
                "size": size,
                "expires_after_secs": 86400,
                "image": { "image_type": mime },
            }),
        ),
        Err(UploadRefused::UnsupportedType) => {
            api_error(StatusCode::BAD_REQUEST, 323, "Unsupported media type.")
        }
        Err(UploadRefused::Empty) => {
            api_error(StatusCode::BAD_REQUEST, 324, "Media file is empty.")
        }
    }
}

/// Reads the `CreateTweet` variables the page sends.
fn new_post(body: &[u8]) -> Option<NewPost> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let vars = value.get("variables")?;
    let text = vars.get("tweet_text")?.as_str()?.to_owned();
    let id = |v: &Value| match v {
        Value::String(s) => s.parse::<u64>().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    };
    let media_ids = vars
        .pointer("/media/media_entities")
        .and_then(Value::as_array)
        .map(|entities| {
            entities
                .iter()
                .map(|e| e.get("media_id").and_then(id))
                .collect::<Option<Vec<u64>>>()
        })
        .unwrap_or(Some(Vec::new()))?;
    let reply_to = match vars.pointer("/reply/in_reply_to_tweet_id") {
        None | Some(Value::Null) => None,
        Some(v) => Some(id(v)?),
    };
    Some(NewPost {
        text,
        media_ids,
        reply_to,
    })
}

/// `POST /i/api/graphql/QUERY_ID/CreateTweet`: refusals come back as HTTP
/// 200 with an `errors` array, as on the real API.
async fn create_tweet(State(shared): St, headers: HeaderMap, body: Bytes) -> Response {
    let handle = match api_viewer(&shared, &headers) {
        Ok(handle) => handle,
        Err(denied) => return denied.into_response(),
    };
    let Some(new) = new_post(&body) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            214,
            "Bad request: malformed variables.",
        );
    };
    let refused = |code: u32, message: &str| {
        json_response(
            StatusCode::OK,
            &json!({
                "errors": [{
                    "message": message,
                    "code": code,
                    "kind": "Permissions",
                    "name": "AuthorizationError",
                    "source": "Client",
                    "path": ["create_tweet"],
                }],
                "data": {},
            }),
        )
    };
    let mut store = shared.lock();
    match store.create(&handle, &new) {
        Ok(id) => {
            let Some(post) = store.post(id) else {
                return api_error(StatusCode::INTERNAL_SERVER_ERROR, 131, "Internal error.");
            };
            json_response(
                StatusCode::OK,
                &json!({ "data": { "create_tweet": { "tweet_results": { "result": {
                    "rest_id": id.to_string(),
                    "__typename": "Tweet",
                    "core": { "user_results": { "result": { "legacy": { "screen_name": handle } } } },
                    "legacy": {
                        "id_str": id.to_string(),
                        "full_text": post.text,
                        "created_at": pages::twitter_date(post.created),
                        "in_reply_to_status_id_str": post.reply_to.map(|r| r.to_string()),
                    },
                } } } } }),
            )
        }
        Err(Refused::Duplicate) => refused(187, "Authorization: Status is a duplicate. (187)"),
        Err(Refused::DailyLimit) => refused(
            185,
            "Authorization: User is over daily status update limit. (185)",
        ),
        Err(Refused::Automated) => refused(
            226,
            "Authorization: This request looks like it might be automated. To protect our users from spam and other malicious activity, we can't complete this action right now. Please try again later. (226)",
        ),
        Err(Refused::Internal) => api_error(
            StatusCode::SERVICE_UNAVAILABLE,
            130,
            "Over capacity",
        ),
        Err(Refused::Invalid(code)) => {
            let message = match code {
                170 => "Missing required parameter: status. (170)",
                385 => "You attempted to reply to a Tweet that is deleted or not visible to you. (385)",
                _ => "Some of the submitted media ids are invalid. (324)",
            };
            refused(code, message)
        }
    }
}

/// An uploaded file, as `pbs.twimg.com` serves it.
async fn media(State(shared): St, Path(id): Path<String>) -> Response {
    let id = id.split('.').next().and_then(|id| id.parse::<u64>().ok());
    let store = shared.lock();
    let Some(upload) = id.and_then(|id| store.media(id)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = upload.data.clone().into_response();
    if let Ok(value) = HeaderValue::from_str(&upload.mime) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

async fn profile(State(shared): St, headers: HeaderMap, Path(handle): Path<String>) -> Response {
    let me = viewer(&shared, &headers);
    let me = me.as_deref().map(Viewer::new);
    let store = shared.lock();
    let Some(handle) = store.canonical_handle(&handle) else {
        drop(store);
        return html(
            StatusCode::NOT_FOUND,
            &headers,
            pages::no_account(me.as_ref()),
        );
    };
    let posts: Vec<_> = store
        .posts()
        .iter()
        .rev()
        .filter(|p| p.user == handle)
        .collect();
    let body = pages::profile(me.as_ref(), &handle, &posts, &|id| {
        store.media(id).map(|m| m.mime.clone())
    });
    drop(store);
    html(StatusCode::OK, &headers, body)
}

/// The next page of a conversation's replies, as cells (the "Show more
/// replies" button's fragment).
async fn more_replies(State(shared): St, Path(id): Path<u64>, uri: axum::http::Uri) -> Response {
    let store = shared.lock();
    let page: usize = uri
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("page=")))
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    if store.post(id).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let (replies, more) = store.replies_page(id, page);
    let more = more.then(|| format!("/i/api/2/replies/{id}?page={}", page + 1));
    let cells = pages::reply_cells(
        &replies,
        more.as_deref(),
        &|m| store.media(m).map(|x| x.mime.clone()),
        &|p| store.reply_count(p),
    );
    (
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        cells,
    )
        .into_response()
}

async fn status(
    State(shared): St,
    headers: HeaderMap,
    Path((handle, id)): Path<(String, String)>,
) -> Response {
    let me = viewer(&shared, &headers);
    let me = me.as_deref().map(Viewer::new);
    let store = shared.lock();
    let post = id
        .parse::<u64>()
        .ok()
        .and_then(|id| store.post(id))
        .filter(|p| p.user.eq_ignore_ascii_case(&handle));
    let Some(post) = post else {
        drop(store);
        return html(
            StatusCode::NOT_FOUND,
            &headers,
            pages::not_found(me.as_ref()),
        );
    };
    // The conversation: what it replies to above, the replies below.
    let mut above = Vec::new();
    let mut parent = post.reply_to.and_then(|id| store.post(id));
    while let Some(p) = parent {
        above.push(p);
        parent = p.reply_to.and_then(|id| store.post(id));
    }
    above.reverse();
    let (below, more) = store.replies_page(post.id, 1);
    let more = more.then(|| format!("/i/api/2/replies/{}?page=2", post.id));
    let body = pages::status(
        me.as_ref(),
        &above,
        post,
        &below,
        more.as_deref(),
        &|id| store.media(id).map(|m| m.mime.clone()),
        &|id| store.reply_count(id),
    );
    drop(store);
    html(StatusCode::OK, &headers, body)
}

async fn unknown(State(shared): St, headers: HeaderMap) -> Response {
    let me = viewer(&shared, &headers);
    html(
        StatusCode::NOT_FOUND,
        &headers,
        pages::not_found(me.as_deref().map(Viewer::new).as_ref()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_create_tweet_variables() {
        let body = json!({
            "variables": {
                "tweet_text": "a\n\nb",
                "reply": { "in_reply_to_tweet_id": "1234567890123456789", "exclude_reply_user_ids": [] },
                "media": { "media_entities": [{ "media_id": "42", "tagged_users": [] }], "possibly_sensitive": false },
            },
            "queryId": CREATE_TWEET_QUERY_ID,
        });
        let new = new_post(body.to_string().as_bytes()).unwrap();
        assert_eq!(new.text, "a\n\nb");
        assert_eq!(new.media_ids, vec![42]);
        assert_eq!(new.reply_to, Some(1_234_567_890_123_456_789));
        assert!(new_post(b"{\"variables\":{}}").is_none());
        assert!(new_post(b"not json").is_none());
    }
}
