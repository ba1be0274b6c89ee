//! The replica's routes: the app shell for every page, and the XRPC
//! methods the web app calls.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::store::{Refused, MAX_BLOB_BYTES};
use super::Shared;
use crate::http::{asset, page, parse_form};

type St = State<Arc<Shared>>;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/static/js/main.js",
            get(|| async { asset("text/javascript; charset=utf-8", super::pages::APP_JS) }),
        )
        .route(
            "/xrpc/com.atproto.server.createSession",
            post(create_session),
        )
        .route(
            "/xrpc/com.atproto.server.refreshSession",
            post(refresh_session),
        )
        .route("/xrpc/com.atproto.server.getSession", get(get_session))
        .route(
            "/xrpc/com.atproto.repo.uploadBlob",
            post(upload_blob).layer(DefaultBodyLimit::max(MAX_BLOB_BYTES)),
        )
        .route("/xrpc/com.atproto.repo.applyWrites", post(apply_writes))
        .route("/xrpc/com.atproto.repo.createRecord", post(create_record))
        .route("/xrpc/app.bsky.feed.getAuthorFeed", get(author_feed))
        .route("/xrpc/app.bsky.feed.getPostThread", get(post_thread))
        .route("/xrpc/{*method}", get(unknown_method).post(unknown_method))
        .fallback(get(shell))
        .with_state(shared)
}

/// Every page is the app; it routes itself from the URL.
async fn shell(State(shared): St) -> Response {
    let (ui, per_page) = {
        let s = shared.lock();
        (s.ui_version(), s.replies_per_page())
    };
    page(
        StatusCode::OK,
        super::pages::shell(ui, shared.hydration_delay_ms, per_page),
    )
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut r = (status, v.to_string()).into_response();
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

fn xrpc_error(e: Refused) -> Response {
    let (status, error, message) = match e {
        Refused::BadLogin => (
            StatusCode::UNAUTHORIZED,
            "AuthenticationRequired",
            "Invalid identifier or password".to_string(),
        ),
        Refused::AuthMissing => (
            StatusCode::UNAUTHORIZED,
            "AuthMissing",
            "Authentication Required".to_string(),
        ),
        Refused::ExpiredToken => (
            StatusCode::BAD_REQUEST,
            "ExpiredToken",
            "Token has expired".to_string(),
        ),
        Refused::Invalid(m) => (StatusCode::BAD_REQUEST, "InvalidRequest", m),
        Refused::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            "RateLimitExceeded",
            "Rate Limit Exceeded".to_string(),
        ),
    };
    json_response(status, &json!({ "error": error, "message": message }))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::to_string)
}

fn viewer(shared: &Shared, headers: &HeaderMap) -> Result<String, Refused> {
    let token = bearer(headers).ok_or(Refused::AuthMissing)?;
    shared.lock().viewer(&token)
}

fn tokens_json(t: &super::store::Tokens) -> Value {
    json!({
        "accessJwt": t.access, "refreshJwt": t.refresh, "handle": t.handle, "did": t.did,
        "email": format!("{}@example.com", t.handle.split('.').next().unwrap_or("user")),
        "emailConfirmed": true, "active": true,
    })
}

async fn create_session(State(shared): St, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let id = v["identifier"].as_str().unwrap_or_default();
    let pw = v["password"].as_str().unwrap_or_default();
    match shared.lock().create_session(id, pw) {
        Ok(t) => json_response(StatusCode::OK, &tokens_json(&t)),
        Err(e) => xrpc_error(e),
    }
}

async fn refresh_session(State(shared): St, headers: HeaderMap) -> Response {
    let token = bearer(&headers).unwrap_or_default();
    match shared.lock().refresh_session(&token) {
        Ok(t) => json_response(StatusCode::OK, &tokens_json(&t)),
        Err(e) => xrpc_error(e),
    }
}

async fn get_session(State(shared): St, headers: HeaderMap) -> Response {
    let did = match viewer(&shared, &headers) {
        Ok(d) => d,
        Err(e) => return xrpc_error(e),
    };
    let handle = shared.lock().handle_of(&did).unwrap_or_default();
    json_response(
        StatusCode::OK,
        &json!({ "did": did, "handle": handle, "active": true, "emailConfirmed": true }),
    )
}

async fn upload_blob(State(shared): St, headers: HeaderMap, body: Bytes) -> Response {
    let did = match viewer(&shared, &headers) {
        Ok(d) => d,
        Err(e) => return xrpc_error(e),
    };
    let mime = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    match shared.lock().upload(&did, &mime, body.len()) {
        Ok(cid) => json_response(
            StatusCode::OK,
            &json!({"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": body.len()}}),
        ),
        Err(e) => xrpc_error(e),
    }
}

/// The rkey of an `at://did/app.bsky.feed.post/rkey` URI.
fn rkey_of(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("at://")?;
    let mut parts = rest.split('/');
    let (_, coll, rkey) = (parts.next()?, parts.next()?, parts.next()?);
    (coll == "app.bsky.feed.post" && !rkey.is_empty()).then(|| rkey.to_string())
}

/// One post record's text, blobs and parent.
fn record_parts(record: &Value) -> (String, Vec<String>, Option<String>) {
    let text = record["text"].as_str().unwrap_or_default().to_string();
    let blobs = record["embed"]["images"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["image"]["ref"]["$link"].as_str().map(str::to_string))
        .chain(
            record["embed"]["video"]["ref"]["$link"]
                .as_str()
                .map(str::to_string),
        )
        .collect();
    let parent = record["reply"]["parent"]["uri"].as_str().and_then(rkey_of);
    (text, blobs, parent)
}

fn created(did: &str, rkey: &str) -> Value {
    json!({
        "$type": "com.atproto.repo.applyWrites#createResult",
        "uri": format!("at://{did}/app.bsky.feed.post/{rkey}"),
        "cid": format!("bafyrei{rkey}"),
        "validationStatus": "valid",
    })
}

async fn apply_writes(State(shared): St, headers: HeaderMap, body: Bytes) -> Response {
    let did = match viewer(&shared, &headers) {
        Ok(d) => d,
        Err(e) => return xrpc_error(e),
    };
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let writes = v["writes"].as_array().cloned().unwrap_or_default();
    if v["repo"].as_str() != Some(did.as_str()) || writes.is_empty() {
        return xrpc_error(Refused::Invalid("Invalid repo or writes".into()));
    }
    let mut store = shared.lock();
    // All or nothing, as one commit: check every write before storing.
    let mut made = Vec::new();
    for w in &writes {
        if w["collection"].as_str() != Some("app.bsky.feed.post") {
            return xrpc_error(Refused::Invalid("Unsupported collection".into()));
        }
        let (text, blobs, parent) = record_parts(&w["value"]);
        match store.create(&did, w["rkey"].as_str(), &text, blobs, parent) {
            Ok(rkey) => made.push(rkey),
            Err(e) => {
                // Undo this commit's earlier writes.
                store.remove(&did, &made);
                return xrpc_error(e);
            }
        }
    }
    let results: Vec<Value> = made.iter().map(|k| created(&did, k)).collect();
    json_response(
        StatusCode::OK,
        &json!({"commit": {"cid": "bafyreicommit", "rev": made.last()}, "results": results}),
    )
}

async fn create_record(State(shared): St, headers: HeaderMap, body: Bytes) -> Response {
    let did = match viewer(&shared, &headers) {
        Ok(d) => d,
        Err(e) => return xrpc_error(e),
    };
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (text, blobs, parent) = record_parts(&v["record"]);
    let result = shared
        .lock()
        .create(&did, v["rkey"].as_str(), &text, blobs, parent);
    match result {
        Ok(rkey) => {
            let c = created(&did, &rkey);
            json_response(StatusCode::OK, &json!({"uri": c["uri"], "cid": c["cid"]}))
        }
        Err(e) => xrpc_error(e),
    }
}

fn post_view(store: &super::store::Store, p: &super::store::Post) -> Value {
    let handle = store.handle_of(&p.did).unwrap_or_default();
    let created = p
        .created
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    json!({
        "uri": format!("at://{}/app.bsky.feed.post/{}", p.did, p.rkey),
        "cid": format!("bafyrei{}", p.rkey),
        "author": {"did": p.did, "handle": handle, "displayName": handle.split('.').next()},
        "record": {"$type": "app.bsky.feed.post", "text": p.text, "createdAt": created},
        "embed": if p.blobs.is_empty() { Value::Null } else { json!({"$type": "app.bsky.embed.images#view", "images": p.blobs.len()}) },
        "replyTo": p.reply_to.as_ref().map(|k| format!("at://{}/app.bsky.feed.post/{k}", p.did)),
    })
}

async fn author_feed(State(shared): St, uri: Uri) -> Response {
    let q = parse_form(uri.query().unwrap_or_default().as_bytes());
    let store = shared.lock();
    let Some(did) = q.get("actor").and_then(|a| store.did_of(a)) else {
        return xrpc_error(Refused::Invalid("Profile not found".into()));
    };
    let feed: Vec<Value> = store
        .posts()
        .iter()
        .rev()
        .filter(|p| p.did == did && !p.deleted)
        .take(50)
        .map(|p| json!({ "post": post_view(&store, p) }))
        .collect();
    json_response(StatusCode::OK, &json!({ "feed": feed }))
}

async fn post_thread(State(shared): St, uri: Uri) -> Response {
    let q = parse_form(uri.query().unwrap_or_default().as_bytes());
    let at = q.get("uri").cloned().unwrap_or_default();
    let store = shared.lock();
    let found = at
        .strip_prefix("at://")
        .and_then(|r| r.split('/').next())
        .and_then(|who| store.did_of(who))
        .zip(rkey_of(&at))
        .and_then(|(did, rkey)| store.post(&did, &rkey).cloned());
    let Some(p) = found.filter(|p| !p.deleted) else {
        return xrpc_error(Refused::Invalid("Post not found".into()));
    };
    json_response(
        StatusCode::OK,
        &json!({ "thread": thread_view(&store, &p, 0) }),
    )
}

/// A post and its replies, nested (`app.bsky.feed.defs#threadViewPost`);
/// a deleted one is a `#notFoundPost` that keeps its replies.
fn thread_view(store: &super::store::Store, p: &super::store::Post, depth: usize) -> Value {
    let replies: Vec<Value> = if depth < 20 {
        store
            .posts()
            .iter()
            .filter(|r| r.reply_to.as_deref() == Some(p.rkey.as_str()))
            .map(|r| thread_view(store, r, depth + 1))
            .collect()
    } else {
        Vec::new()
    };
    if p.deleted {
        return json!({
            "$type": "app.bsky.feed.defs#notFoundPost",
            "uri": format!("at://{}/app.bsky.feed.post/{}", p.did, p.rkey),
            "notFound": true,
            "replies": replies,
        });
    }
    json!({ "$type": "app.bsky.feed.defs#threadViewPost", "post": post_view(store, p), "replies": replies })
}

async fn unknown_method() -> Response {
    json_response(
        StatusCode::NOT_IMPLEMENTED,
        &json!({"error": "MethodNotImplemented", "message": "Method Not Implemented"}),
    )
}
