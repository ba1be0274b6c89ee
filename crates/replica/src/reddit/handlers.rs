//! The Reddit replica's routes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::lock;
use super::new_ui;
use super::old_ui::{self, OldForm};
use super::pages;
use super::store::{valid_subreddit, Draft, Refusal, Store};
use crate::http::{cookie, encode_query_value, page, parse_form, redirect};
use crate::script::js_string;

type Shared = Arc<Mutex<Store>>;

const SESSION_COOKIE: &str = "reddit_session";
/// Uploads up to this size (Reddit takes images up to 20 MB, video more).
const MAX_UPLOAD: usize = 100 * 1024 * 1024;

pub(super) fn router(store: Shared) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login_post))
        .route("/login/", get(login_page))
        .route("/logout", post(logout))
        .route("/r/{sub}", get(subreddit_slash))
        .route("/r/{sub}/", get(subreddit))
        .route("/r/{sub}/submit", get(submit_no_slash).post(old_submit))
        .route("/r/{sub}/submit/", get(new_submit))
        .route("/r/{sub}/comments/{id}", get(post_page))
        .route("/r/{sub}/comments/{id}/", get(post_page))
        .route("/r/{sub}/comments/{id}/{slug}", get(post_page_slug))
        .route("/r/{sub}/comments/{id}/{slug}/", get(post_page_slug))
        .route("/user/{name}/", get(user_page))
        .route("/user/{name}/submitted/", get(user_page))
        .route(
            "/svc/shreddit/media-upload",
            post(media_upload).layer(DefaultBodyLimit::max(MAX_UPLOAD)),
        )
        .route("/svc/shreddit/submit", post(new_submit_post))
        .route("/svc/shreddit/more-comments/{id}/", get(more_comments))
        .fallback(|| async { not_found(pages::NO_SUCH_COMMUNITY, None) })
        .with_state(store)
}

fn viewer(store: &Store, headers: &HeaderMap) -> Option<String> {
    store.user_for_session(&cookie(headers, SESSION_COOKIE)?)
}

fn query(uri: &Uri) -> HashMap<String, String> {
    parse_form(uri.query().unwrap_or_default().as_bytes())
}

fn ok(body: String) -> Response {
    page(StatusCode::OK, body)
}

fn not_found(message: &str, viewer: Option<&str>) -> Response {
    page(StatusCode::NOT_FOUND, pages::not_found(message, viewer))
}

fn json(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

fn to_login(dest: &str) -> Response {
    redirect(&format!("/login/?dest={}", encode_query_value(dest)), &[])
}

/// A path back to this page, for the login `dest`.
fn here(uri: &Uri) -> String {
    uri.path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned())
}

async fn home(State(store): State<Shared>, headers: HeaderMap) -> Response {
    let store = lock(&store);
    let viewer = viewer(&store, &headers);
    let posts: Vec<_> = store.posts().iter().rev().take(25).collect();
    ok(pages::home(&posts, viewer.as_deref()))
}

async fn login_page(uri: Uri) -> Response {
    let dest = query(&uri)
        .get("dest")
        .cloned()
        .unwrap_or_else(|| "/".into());
    ok(pages::login(&dest, None))
}

/// A `dest` that stays on this site.
fn safe_dest(dest: Option<&String>) -> String {
    match dest {
        Some(d) if d.starts_with('/') && !d.starts_with("//") && !d.contains('\\') => d.clone(),
        _ => "/".into(),
    }
}

async fn login_post(State(store): State<Shared>, body: Bytes) -> Response {
    let form = parse_form(&body);
    let user = form.get("username").map(String::as_str).unwrap_or_default();
    let password = form.get("password").map(String::as_str).unwrap_or_default();
    let dest = safe_dest(form.get("dest"));
    let store = lock(&store);
    match store
        .session_cookie(user)
        .filter(|_| !user.is_empty() && password == user)
    {
        Some(session) => redirect(
            &dest,
            &[format!(
                "{SESSION_COOKIE}={session}; Path=/; Max-Age=15552000; HttpOnly; SameSite=Lax"
            )],
        ),
        None => page(
            StatusCode::OK,
            pages::login(&dest, Some("Invalid username or password.")),
        ),
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

async fn subreddit_slash(Path(sub): Path<String>) -> Response {
    redirect(&format!("/r/{}/", encode_query_value(&sub)), &[])
}

async fn subreddit(
    State(store): State<Shared>,
    Path(sub): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let store = lock(&store);
    let viewer = viewer(&store, &headers);
    if !valid_subreddit(&sub) {
        return not_found(pages::NO_SUCH_COMMUNITY, viewer.as_deref());
    }
    let lower = sub.to_ascii_lowercase();
    let posts: Vec<_> = store
        .posts()
        .iter()
        .rev()
        .filter(|p| p.subreddit == lower)
        .collect();
    let created = query(&uri).get("created").cloned();
    ok(pages::subreddit_page(
        &lower,
        &posts,
        viewer.as_deref(),
        created.as_deref(),
    ))
}

/// `/r/SUB/submit`: old Reddit's form, or new Reddit's composer when a
/// `type` is asked for.
async fn submit_no_slash(
    store: State<Shared>,
    sub: Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if query(&uri).contains_key("type") {
        return new_submit(store, sub, headers, uri).await;
    }
    let State(store) = store;
    let Path(sub) = sub;
    let store = lock(&store);
    let Some(user) = viewer(&store, &headers) else {
        return redirect(
            &format!("/login?dest={}", encode_query_value(&here(&uri))),
            &[],
        );
    };
    if !valid_subreddit(&sub) {
        return not_found(pages::NO_SUCH_COMMUNITY, Some(&user));
    }
    let lower = sub.to_ascii_lowercase();
    let is_self = query(&uri).get("selftext").is_some_and(|v| v == "true");
    let form = OldForm {
        kind: if is_self { "self" } else { "link" },
        sr: &lower,
        ..OldForm::default()
    };
    ok(old_ui::submit_page(
        &lower,
        &user,
        &store.modhash(&user),
        store.flairs(&lower),
        &form,
    ))
}

async fn old_submit(
    State(store): State<Shared>,
    Path(sub): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = parse_form(&body);
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let mut store = lock(&store);
    let Some(user) = viewer(&store, &headers) else {
        let dest = format!("/r/{sub}/submit");
        return redirect(&format!("/login?dest={}", encode_query_value(&dest)), &[]);
    };
    if field("uh") != store.modhash(&user) {
        return page(
            StatusCode::FORBIDDEN,
            pages::not_found(
                "Forbidden: your session expired; reload the page.",
                Some(&user),
            ),
        );
    }
    let sr = {
        let sr = field("sr");
        let sr = sr.trim().trim_start_matches("/r/").trim_start_matches("r/");
        if sr.is_empty() {
            sub.clone()
        } else {
            sr.to_owned()
        }
    };
    let kind = if field("kind") == "self" {
        "self"
    } else {
        "link"
    };
    let draft = Draft {
        subreddit: sr.clone(),
        kind: kind.to_owned(),
        title: field("title"),
        body: if kind == "self" {
            field("text")
        } else {
            String::new()
        },
        url: if kind == "link" {
            field("url")
        } else {
            String::new()
        },
        media: Vec::new(),
        flair_id: field("flair_id"),
        ui: "old",
    };
    match store.submit(&user, &draft) {
        Ok(id) => {
            let post = store.post(&id).cloned();
            let link = post.as_ref().map(pages::permalink).unwrap_or_default();
            redirect(&link, &[])
        }
        Err(refusal) => {
            let lower = if valid_subreddit(&sub) {
                sub.to_ascii_lowercase()
            } else {
                "reddit".to_owned()
            };
            let flairs = if valid_subreddit(&sr) {
                store.flairs(&sr).to_vec()
            } else {
                Vec::new()
            };
            let (title, url, text, flair_id) = (
                field("title"),
                field("url"),
                field("text"),
                field("flair_id"),
            );
            let values = OldForm {
                kind,
                title: &title,
                url: &url,
                text: &text.replace("\r\n", "\n"),
                sr: &sr,
                flair_id: &flair_id,
                error: Some(&refusal),
            };
            ok(old_ui::submit_page(
                &lower,
                &user,
                &store.modhash(&user),
                &flairs,
                &values,
            ))
        }
    }
}

async fn new_submit(
    State(store): State<Shared>,
    Path(sub): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let store = lock(&store);
    let Some(user) = viewer(&store, &headers) else {
        return to_login(&here(&uri));
    };
    if !valid_subreddit(&sub) {
        return not_found(pages::NO_SUCH_COMMUNITY, Some(&user));
    }
    let lower = sub.to_ascii_lowercase();
    let kind = new_ui::post_type(query(&uri).get("type").map(String::as_str));
    ok(new_ui::submit_page(
        &lower,
        kind,
        store.flairs(&lower),
        &store.modhash(&user),
        &user,
        store.ui_version,
    ))
}

async fn new_submit_post(State(store): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let form = parse_form(&body);
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let mut store = lock(&store);
    let Some(user) = viewer(&store, &headers) else {
        return json(
            StatusCode::UNAUTHORIZED,
            r#"{"ok":false,"error":"USER_REQUIRED","message":"Please log in to continue."}"#.into(),
        );
    };
    if field("csrf_token") != store.modhash(&user) {
        return json(
            StatusCode::FORBIDDEN,
            r#"{"ok":false,"error":"BAD_CSRF","message":"Something went wrong. Please reload the page."}"#.into(),
        );
    }
    let draft = Draft {
        subreddit: field("sr"),
        kind: field("kind"),
        title: field("title"),
        body: field("text"),
        url: field("url"),
        media: field("media")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        flair_id: field("flair_id"),
        ui: "new",
    };
    match store.submit(&user, &draft) {
        Ok(id) => {
            let post = store.post(&id).cloned();
            let sub = post.map(|p| p.subreddit).unwrap_or_default();
            let post_type = match draft.kind.as_str() {
                "link" => "LINK",
                "image" => "IMAGE",
                _ => "TEXT",
            };
            let redirect = format!("/r/{sub}/?created=t3_{id}&createdPostType={post_type}");
            json(
                StatusCode::OK,
                format!(
                    "{{\"ok\":true,\"id\":{},\"redirect\":{}}}",
                    js_string(&format!("t3_{id}")),
                    js_string(&redirect)
                ),
            )
        }
        Err(refusal) => {
            let code = match &refusal {
                Refusal::RateLimit(_) => "RATELIMIT",
                other => other.old_code().0,
            };
            json(
                StatusCode::OK,
                format!(
                    "{{\"ok\":false,\"error\":{},\"message\":{}}}",
                    js_string(code),
                    js_string(&refusal.new_message())
                ),
            )
        }
    }
}

async fn post_page(
    State(store): State<Shared>,
    Path((sub, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    show_post(&store, &sub, &id, &headers)
}

async fn post_page_slug(
    State(store): State<Shared>,
    Path((sub, id, _slug)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    show_post(&store, &sub, &id, &headers)
}

fn show_post(store: &Shared, sub: &str, id: &str, headers: &HeaderMap) -> Response {
    let store = lock(store);
    let viewer = viewer(&store, headers);
    match store.post(id) {
        Some(post) if post.subreddit.eq_ignore_ascii_case(sub) => {
            let comments = pages::comment_threads(&store, post, 1);
            ok(pages::post_page(post, viewer.as_deref(), &comments))
        }
        Some(post) => redirect(&pages::permalink(post), &[]),
        None => not_found(pages::NO_SUCH_POST, viewer.as_deref()),
    }
}

/// The next page of a post's comment threads, as an HTML fragment.
async fn more_comments(State(store): State<Shared>, Path(id): Path<String>, uri: Uri) -> Response {
    let store = lock(&store);
    let page: usize = uri
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("page=")))
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    match store.post(&id) {
        Some(post) => {
            let html = pages::comment_threads(&store, post, page);
            ([(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn user_page(
    State(store): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let store = lock(&store);
    let viewer = viewer(&store, &headers);
    let posts: Vec<_> = store
        .posts()
        .iter()
        .rev()
        .filter(|p| p.author == name)
        .collect();
    ok(pages::user_page(&name, &posts, viewer.as_deref()))
}

async fn media_upload(
    State(store): State<Shared>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let mut store = lock(&store);
    let Some(user) = viewer(&store, &headers) else {
        return json(
            StatusCode::UNAUTHORIZED,
            r#"{"error":"USER_REQUIRED"}"#.into(),
        );
    };
    let name = query(&uri)
        .get("filename")
        .cloned()
        .unwrap_or_else(|| "upload".into());
    let mime = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    if body.is_empty() || !(mime.starts_with("image/") || mime.starts_with("video/")) {
        return json(
            StatusCode::BAD_REQUEST,
            r#"{"error":"INVALID_MEDIA","message":"This file type is not supported"}"#.into(),
        );
    }
    let id = store.upload(&user, &name, body.len());
    json(StatusCode::OK, format!("{{\"id\":{}}}", js_string(&id)))
}
