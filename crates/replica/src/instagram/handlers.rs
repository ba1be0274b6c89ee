//! The Instagram replica's routes.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::lock;
use super::pages::{self, Classes};
use super::store::{Refusal, Store};
use crate::http::{cookie, encode_query_value, page, parse_form, redirect};
use crate::script::js_string;

type Shared = Arc<Mutex<Store>>;

const SESSION_COOKIE: &str = "sessionid";
const MAX_UPLOAD: usize = 100 * 1024 * 1024;

pub(super) fn router(store: Shared) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/accounts/login/", get(login_page).post(login_post))
        .route(
            "/accounts/login",
            get(|| async { redirect("/accounts/login/", &[]) }),
        )
        .route("/accounts/logout/", post(logout))
        .route("/challenge/", get(challenge))
        .route("/challenge", get(|| async { redirect("/challenge/", &[]) }))
        .route("/p/{code}/", get(post_page))
        .route("/p/{code}", get(post_slash))
        .route("/{user}/", get(profile))
        .route("/{user}", get(profile_slash))
        .route(
            "/rupload_igphoto/{entity}",
            post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/api/v1/media/configure/", post(configure))
        .route("/api/v1/media/{code}/comments/", get(more_comments))
        .route("/api/v1/media/configure_sidecar/", post(configure))
        .fallback(|| async { not_available() })
        .with_state(store)
}

/// Who is logged in, and whether the security check stands in the way.
enum Viewer {
    Anonymous,
    Challenged,
    User(String),
}

fn viewer(store: &Store, headers: &HeaderMap) -> Viewer {
    match cookie(headers, SESSION_COOKIE).and_then(|s| store.user_for_session(&s)) {
        None => Viewer::Anonymous,
        Some(_) if store.challenge => Viewer::Challenged,
        Some(user) => Viewer::User(user),
    }
}

fn ok(body: String) -> Response {
    page(StatusCode::OK, body)
}

fn not_available() -> Response {
    page(StatusCode::NOT_FOUND, pages::not_available(&Classes::new()))
}

fn json(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

fn to_login(next: &str) -> Response {
    redirect(
        &format!("/accounts/login/?next={}", encode_query_value(next)),
        &[],
    )
}

fn to_challenge(next: &str) -> Response {
    redirect(
        &format!("/challenge/?next={}", encode_query_value(next)),
        &[],
    )
}

async fn home(State(store): State<Shared>, headers: HeaderMap) -> Response {
    let store = lock(&store);
    match viewer(&store, &headers) {
        Viewer::Anonymous => to_login("/"),
        Viewer::Challenged => to_challenge("/"),
        Viewer::User(user) => {
            let posts: Vec<_> = store.posts().iter().rev().take(12).collect();
            ok(pages::home(
                &Classes::new().with_ui(store.ui_version),
                &user,
                &posts,
            ))
        }
    }
}

async fn login_page(uri: Uri) -> Response {
    let next = parse_form(uri.query().unwrap_or_default().as_bytes())
        .get("next")
        .cloned()
        .unwrap_or_else(|| "/".into());
    ok(pages::login(&Classes::new(), &next, None))
}

async fn login_post(State(store): State<Shared>, body: Bytes) -> Response {
    let form = parse_form(&body);
    let user = form.get("username").map(String::as_str).unwrap_or_default();
    let password = form.get("password").map(String::as_str).unwrap_or_default();
    let next = match form.get("next") {
        Some(n) if n.starts_with('/') && !n.starts_with("//") => n.clone(),
        _ => "/".into(),
    };
    let store = lock(&store);
    match store
        .session_cookie(user)
        .filter(|_| !user.is_empty() && password == user)
    {
        Some(session) => redirect(
            &next,
            &[format!(
                "{SESSION_COOKIE}={session}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"
            )],
        ),
        None => ok(pages::login(
            &Classes::new(),
            &next,
            Some(pages::BAD_PASSWORD),
        )),
    }
}

async fn logout() -> Response {
    redirect(
        "/",
        &[format!(
            "{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        )],
    )
}

async fn challenge() -> Response {
    ok(pages::challenge(&Classes::new()))
}

async fn profile_slash(Path(user): Path<String>) -> Response {
    redirect(&format!("/{}/", encode_query_value(&user)), &[])
}

async fn profile(
    State(store): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let store = lock(&store);
    let here = format!("/{name}/");
    let viewer = match viewer(&store, &headers) {
        Viewer::Anonymous => return to_login(&here),
        Viewer::Challenged => return to_challenge(&here),
        Viewer::User(user) => user,
    };
    let posts: Vec<_> = store
        .posts()
        .iter()
        .rev()
        .filter(|p| p.user == name)
        .collect();
    if !store.is_account(&name) && posts.is_empty() {
        return not_available();
    }
    ok(pages::profile(
        &Classes::new().with_ui(store.ui_version),
        &viewer,
        &name,
        &posts,
    ))
}

async fn post_slash(Path(code): Path<String>) -> Response {
    redirect(&format!("/p/{}/", encode_query_value(&code)), &[])
}

async fn post_page(
    State(store): State<Shared>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let store = lock(&store);
    let viewer = match viewer(&store, &headers) {
        Viewer::Challenged => return to_challenge(&format!("/p/{code}/")),
        Viewer::Anonymous => None,
        Viewer::User(user) => Some(user),
    };
    match store.post(&code) {
        Some(p) => {
            let (comments, more) = store.comment_page(&code, 1);
            let more = more.then(|| format!("/api/v1/media/{code}/comments/?page=2"));
            let items = pages::comment_items(&code, &comments, more.as_deref());
            ok(pages::post(
                &Classes::new().with_ui(store.ui_version),
                viewer.as_deref(),
                p,
                &items,
            ))
        }
        None => not_available(),
    }
}

/// The next comments of a post, as list items ("Load more comments").
async fn more_comments(
    State(store): State<Shared>,
    Path(code): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    let store = lock(&store);
    if store.post(&code).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let page: usize = uri
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("page=")))
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let (comments, more) = store.comment_page(&code, page);
    let more = more.then(|| format!("/api/v1/media/{code}/comments/?page={}", page + 1));
    (
        [(CONTENT_TYPE, "text/html; charset=utf-8")],
        pages::comment_items(&code, &comments, more.as_deref()),
    )
        .into_response()
}

/// A refusal as the private API words it.
fn fail(status: StatusCode, message: &str) -> Response {
    json(
        status,
        format!("{{\"message\":{},\"status\":\"fail\"}}", js_string(message)),
    )
}

async fn upload(State(store): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let mut store = lock(&store);
    let user = match viewer(&store, &headers) {
        Viewer::Anonymous => return fail(StatusCode::FORBIDDEN, "login_required"),
        Viewer::Challenged => return fail(StatusCode::BAD_REQUEST, "challenge_required"),
        Viewer::User(user) => user,
    };
    let name = headers
        .get("x-entity-name")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            url::form_urlencoded::parse(format!("n={}", v.replace('+', "%2B")).as_bytes())
                .next()
                .map(|(_, n)| n.into_owned())
                .unwrap_or_default()
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "upload".into());
    let mime = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if body.is_empty() || !(mime.starts_with("image/") || mime.starts_with("video/")) {
        return fail(
            StatusCode::BAD_REQUEST,
            "Uploaded image isn't in an allowed format",
        );
    }
    let id = store.upload(&user, &name);
    json(
        StatusCode::OK,
        format!("{{\"upload_id\":{},\"status\":\"ok\"}}", js_string(&id)),
    )
}

async fn configure(State(store): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let form = parse_form(&body);
    let mut store = lock(&store);
    let user = match viewer(&store, &headers) {
        Viewer::Anonymous => return fail(StatusCode::FORBIDDEN, "login_required"),
        Viewer::Challenged => return fail(StatusCode::BAD_REQUEST, "challenge_required"),
        Viewer::User(user) => user,
    };
    let ids: Vec<String> = form
        .get("upload_ids")
        .map(|s| {
            s.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let caption = form.get("caption").cloned().unwrap_or_default();
    match store.configure(&user, &ids, &caption) {
        Ok(code) => {
            let pk = store.post(&code).map(|p| p.id.clone()).unwrap_or_default();
            json(
                StatusCode::OK,
                format!(
                    "{{\"media\":{{\"code\":{},\"pk\":{}}},\"status\":\"ok\"}}",
                    js_string(&code),
                    js_string(&pk)
                ),
            )
        }
        Err(refusal) => {
            let message = match refusal {
                Refusal::Fault => "Your post couldn't be shared",
                Refusal::NoMedia => "Media not found or unavailable",
                Refusal::TooManyMedia => "You can only choose 10 or fewer files.",
                Refusal::CaptionTooLong => "The caption is too long.",
            };
            fail(StatusCode::BAD_REQUEST, message)
        }
    }
}
