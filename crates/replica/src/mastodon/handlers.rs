//! The replica's routes: Devise's sign-in, the signed-in app shell, and
//! the REST API the web app calls with its token.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::pages::{self, Viewer};
use super::store::{Refused, Status, Store, MAX_UPLOAD_BYTES};
use super::Shared;
use crate::http::{asset, cookie, escape_text, page, parse_form, redirect};

type St = State<Arc<Shared>>;

const SESSION: &str = "_mastodon_session";

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/auth/sign_in", get(sign_in_page).post(sign_in))
        .route(
            "/packs/js/application.js",
            get(|| async { asset("text/javascript; charset=utf-8", pages::APP_JS) }),
        )
        .route("/api/v2/instance", get(instance))
        .route(
            "/api/v1/accounts/verify_credentials",
            get(verify_credentials),
        )
        .route("/api/v1/accounts/lookup", get(lookup))
        .route("/api/v1/accounts/{id}/statuses", get(account_statuses))
        .route("/api/v1/statuses", post(create_status))
        .route("/api/v1/statuses/{id}", get(get_status))
        .route("/api/v1/statuses/{id}/context", get(context))
        .route(
            "/api/v2/media",
            post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .fallback(get(app))
        .with_state(shared)
}

fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut r = (status, v.to_string()).into_response();
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

fn api_error(status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({ "error": message }))
}

fn refused(e: Refused) -> Response {
    match e {
        Refused::Invalid(m) => api_error(StatusCode::UNPROCESSABLE_ENTITY, &m),
        Refused::RateLimited => api_error(StatusCode::TOO_MANY_REQUESTS, "Too many requests"),
        Refused::NotFound => api_error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

/// The account of the browser session cookie, and its app token.
fn session(shared: &Shared, headers: &HeaderMap) -> Option<(String, String)> {
    let c = cookie(headers, SESSION)?;
    shared.lock().session(&c)
}

/// The account of a `Bearer` token.
fn api_account(shared: &Shared, headers: &HeaderMap) -> Option<String> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    shared.lock().token_owner(token)
}

fn unauthorized() -> Response {
    api_error(StatusCode::UNAUTHORIZED, "The access token is invalid")
}

async fn root(State(shared): St, headers: HeaderMap) -> Response {
    match session(&shared, &headers) {
        Some(_) => redirect("/home", &[]),
        None => redirect("/auth/sign_in", &[]),
    }
}

async fn sign_in_page(State(shared): St, headers: HeaderMap) -> Response {
    if session(&shared, &headers).is_some() {
        return redirect("/home", &[]);
    }
    let csrf = shared.lock().issue_csrf();
    page(StatusCode::OK, pages::sign_in(&csrf, None))
}

async fn sign_in(State(shared): St, body: Bytes) -> Response {
    let form = parse_form(&body);
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let mut store = shared.lock();
    if !store.spend_csrf(field("authenticity_token")) {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "<!DOCTYPE html><html><body><h1>The change you wanted was rejected.</h1><p>Invalid authenticity token</p></body></html>".into(),
        );
    }
    match store.sign_in(field("user[email]"), field("user[password]")) {
        Some(s) => redirect(
            "/home",
            &[format!("{SESSION}={s}; path=/; HttpOnly; SameSite=Lax")],
        ),
        None => {
            let csrf = store.issue_csrf();
            page(
                StatusCode::OK,
                pages::sign_in(&csrf, Some("Invalid E-mail address or password.")),
            )
        }
    }
}

/// Every app route: the shell when signed in, else the sign-in page.
async fn app(State(shared): St, headers: HeaderMap) -> Response {
    let Some((account, token)) = session(&shared, &headers) else {
        return redirect("/auth/sign_in", &[]);
    };
    let store = shared.lock();
    let username = store
        .account(&account)
        .map(|a| a.username.clone())
        .unwrap_or_default();
    let domain = base(&headers).trim_start_matches("http://").to_string();
    let body = pages::shell(
        &Viewer {
            account_id: &account,
            username: &username,
            token: &token,
            domain: &domain,
        },
        store.max_characters,
        store.ui_version(),
        shared.hydration_delay_ms,
        store.replies_per_page,
    );
    page(StatusCode::OK, body)
}

async fn instance(State(shared): St, headers: HeaderMap) -> Response {
    let max = shared.lock().max_characters;
    json_response(
        StatusCode::OK,
        &json!({
            "domain": base(&headers).trim_start_matches("http://"),
            "title": "Mastodon",
            "version": "4.3.2",
            "configuration": {
                "statuses": { "max_characters": max, "max_media_attachments": 4, "characters_reserved_per_url": 23 },
                "media_attachments": { "supported_mime_types": super::store::ALLOWED_MIME, "image_size_limit": 16_777_216 },
            },
        }),
    )
}

fn account_json(store: &Store, id: &str, base: &str) -> Value {
    let username = store
        .account(id)
        .map(|a| a.username.clone())
        .unwrap_or_default();
    json!({
        "id": id, "username": username, "acct": username, "display_name": username,
        "url": format!("{base}/@{username}"),
    })
}

/// Rails' `Formatter`: paragraphs, line breaks, links and hashtags.
fn content_html(text: &str) -> String {
    let link = |w: &str| -> String {
        if w.starts_with("http://") || w.starts_with("https://") {
            format!(
                "<a href=\"{0}\" rel=\"nofollow noopener\" target=\"_blank\">{0}</a>",
                escape_text(w)
            )
        } else if let Some(tag) = w.strip_prefix('#').filter(|t| !t.is_empty()) {
            format!(
                "<a href=\"/tags/{0}\" class=\"mention hashtag\" rel=\"tag\">#<span>{0}</span></a>",
                escape_text(tag)
            )
        } else {
            escape_text(w)
        }
    };
    text.split("\n\n")
        .map(|para| {
            let lines: Vec<String> = para
                .split('\n')
                .map(|line| line.split(' ').map(link).collect::<Vec<_>>().join(" "))
                .collect();
            format!("<p>{}</p>", lines.join("<br />"))
        })
        .collect()
}

fn status_json(store: &Store, s: &Status, base: &str) -> Value {
    let acct = account_json(store, &s.account, base);
    let username = acct["username"].as_str().unwrap_or_default().to_string();
    json!({
        "id": s.id,
        "uri": format!("{base}/users/{username}/statuses/{}", s.id),
        "url": format!("{base}/@{username}/{}", s.id),
        "created_at": s.created.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        "in_reply_to_id": s.in_reply_to,
        "visibility": "public",
        "spoiler_text": "",
        "content": content_html(&s.text),
        "account": acct,
        "media_attachments": s.media.iter().map(|m| json!({"id": m, "type": store.media(m).map(|x| if x.mime.starts_with("video/") {"video"} else {"image"}).unwrap_or("image")})).collect::<Vec<_>>(),
    })
}

async fn verify_credentials(State(shared): St, headers: HeaderMap) -> Response {
    let Some(account) = api_account(&shared, &headers) else {
        return unauthorized();
    };
    json_response(
        StatusCode::OK,
        &account_json(&shared.lock(), &account, &base(&headers)),
    )
}

async fn lookup(State(shared): St, headers: HeaderMap, uri: Uri) -> Response {
    let q = parse_form(uri.query().unwrap_or_default().as_bytes());
    let store = shared.lock();
    match q.get("acct").and_then(|a| store.account_by_name(a)) {
        Some(a) => json_response(
            StatusCode::OK,
            &account_json(&store, &a.id.clone(), &base(&headers)),
        ),
        None => api_error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

async fn account_statuses(
    State(shared): St,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let q = parse_form(uri.query().unwrap_or_default().as_bytes());
    let exclude_replies = q.get("exclude_replies").is_some_and(|v| v == "true");
    let limit = q
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(20usize)
        .min(40);
    let store = shared.lock();
    let b = base(&headers);
    let list: Vec<Value> = store
        .statuses()
        .iter()
        .rev()
        .filter(|s| s.account == id && !s.deleted && !(exclude_replies && s.in_reply_to.is_some()))
        .take(limit)
        .map(|s| status_json(&store, s, &b))
        .collect();
    json_response(StatusCode::OK, &Value::Array(list))
}

async fn get_status(State(shared): St, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let store = shared.lock();
    match store.status(&id).filter(|s| !s.deleted) {
        Some(s) => json_response(StatusCode::OK, &status_json(&store, s, &base(&headers))),
        None => api_error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

async fn context(State(shared): St, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let store = shared.lock();
    let b = base(&headers);
    // Depth first, in reply order, as the web UI shows a thread; a deleted
    // status is left out and its replies kept.
    fn walk(store: &Store, parent: &str, b: &str, out: &mut Vec<Value>, depth: usize) {
        if depth > 40 {
            return;
        }
        for s in store
            .statuses()
            .iter()
            .filter(|s| s.in_reply_to.as_deref() == Some(parent))
        {
            if !s.deleted {
                out.push(status_json(store, s, b));
            }
            walk(store, &s.id, b, out, depth + 1);
        }
    }
    let mut descendants = Vec::new();
    walk(&store, &id, &b, &mut descendants, 0);
    let mut ancestors = Vec::new();
    let mut cur = store.status(&id).and_then(|s| s.in_reply_to.clone());
    while let Some(p) = cur {
        match store.status(&p) {
            Some(s) => {
                ancestors.insert(0, status_json(&store, s, &b));
                cur = s.in_reply_to.clone();
            }
            None => break,
        }
    }
    json_response(
        StatusCode::OK,
        &json!({ "ancestors": ancestors, "descendants": descendants }),
    )
}

async fn create_status(State(shared): St, headers: HeaderMap, body: Bytes) -> Response {
    let Some(account) = api_account(&shared, &headers) else {
        return unauthorized();
    };
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = v["status"].as_str().unwrap_or_default();
    let media: Vec<String> = v["media_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str().map(str::to_string))
        .collect();
    let key = headers
        .get("idempotency-key")
        .and_then(|k| k.to_str().ok())
        .map(str::to_string);
    let mut store = shared.lock();
    match store.create(
        &account,
        text,
        &media,
        v["in_reply_to_id"].as_str(),
        key.as_deref(),
    ) {
        Ok(id) => {
            let s = store.status(&id).cloned();
            match s {
                Some(s) => json_response(StatusCode::OK, &status_json(&store, &s, &base(&headers))),
                None => api_error(StatusCode::INTERNAL_SERVER_ERROR, "lost"),
            }
        }
        Err(e) => refused(e),
    }
}

/// The `file` part of a multipart body: (file name, content type, size).
fn multipart_file(body: &[u8], content_type: &str) -> Option<(String, String, usize)> {
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let delim = format!("--{boundary}");
    let text = body;
    let mut start = 0;
    let find = |hay: &[u8], needle: &[u8], from: usize| -> Option<usize> {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    while let Some(at) = find(text, delim.as_bytes(), start) {
        let part_start = at + delim.len();
        let head_end = find(text, b"\r\n\r\n", part_start)?;
        let head = String::from_utf8_lossy(&text[part_start..head_end]).to_string();
        let data_start = head_end + 4;
        let next = find(text, format!("\r\n{delim}").as_bytes(), data_start)?;
        if head.contains("name=\"file\"") {
            let name = head
                .split("filename=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or_default()
                .to_string();
            let mime = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Type: "))
                .unwrap_or_default()
                .trim()
                .to_string();
            return Some((name, mime, next - data_start));
        }
        start = next + 2;
    }
    None
}

async fn upload(State(shared): St, headers: HeaderMap, body: Bytes) -> Response {
    let Some(account) = api_account(&shared, &headers) else {
        return unauthorized();
    };
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some((name, mime, size)) = multipart_file(&body, ct) else {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: File can't be blank",
        );
    };
    let result = shared.lock().upload(&account, &name, &mime, size);
    match result {
        Ok(id) => json_response(
            StatusCode::OK,
            &json!({
                "id": id,
                "type": if mime.starts_with("video/") { "video" } else { "image" },
                "url": format!("{}/system/media_attachments/{id}", base(&headers)),
                "preview_url": null, "description": null,
            }),
        ),
        Err(e) => refused(e),
    }
}
