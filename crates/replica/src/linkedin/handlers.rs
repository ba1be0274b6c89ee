//! The replica's routes: the feed (the app renders the share boxes), the
//! member's recent activity and post pages (rendered by the server), the
//! login and checkpoint pages, and the Voyager API calls the share boxes
//! make (guarded by `csrf-token` = `JSESSIONID`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::{ShareBox, Shared};
use crate::http::{asset, cookie, escape_text, page, redirect};

type St = State<Arc<Shared>>;

const APP_JS: &str = include_str!("app.js");

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(|| async { redirect("/feed/", &[]) }))
        .route("/feed", get(|| async { redirect("/feed/", &[]) }))
        .route("/feed/", get(feed))
        .route("/feed/update/{urn}/", get(update))
        .route("/feed/update/{urn}/comments", get(more_comments))
        .route("/in/{vanity}/recent-activity/all/", get(activity))
        .route("/in/{vanity}/", get(profile))
        .route("/login", get(login))
        .route("/checkpoint/challenge/{id}", get(checkpoint))
        .route(
            "/static/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route("/voyager/api/contentcreation/normShares", post(norm_shares))
        .route("/voyager/api/feed/comments", post(new_comment))
        .route(
            "/voyager/api/media/upload",
            post(upload).layer(DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .with_state(shared)
}

/// The member of the `li_at` cookie.
fn member(shared: &Shared, headers: &HeaderMap) -> Option<String> {
    shared.lock().member(&cookie(headers, "li_at")?)
}

/// A logged-in page: the checkpoint when it is on, the login page without
/// a session, else `f`'s page (with `JSESSIONID` set when missing).
fn guarded(shared: &Shared, headers: &HeaderMap, f: impl FnOnce(&str) -> String) -> Response {
    if shared.lock().checkpoint {
        return redirect("/checkpoint/challenge/AgHzQ6Y1rLwW5gAAAZ", &[]);
    }
    let Some(me) = member(shared, headers) else {
        return redirect("/login?session_redirect=%2Ffeed%2F", &[]);
    };
    let mut r = page(StatusCode::OK, f(&me));
    if cookie(headers, "JSESSIONID").is_none_or(|v| v.is_empty()) {
        let v = format!(
            "JSESSIONID=\"ajax:{}\"; Path=/; SameSite=Lax",
            rand::random::<u64>() % 10_000_000_000_000_000_000
        );
        if let Ok(v) = HeaderValue::from_str(&v) {
            r.headers_mut().append(SET_COOKIE, v);
        }
    }
    r
}

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font-family:sans-serif;background:#f4f2ee}} dialog{{width:560px}} .artdeco-modal-overlay{{position:fixed;inset:0;background:#0006;display:flex;justify-content:center;align-items:flex-start}} .artdeco-modal{{background:#fff;width:560px;margin-top:40px;padding:12px}} .ql-editor{{min-height:80px;outline:none}} .artdeco-toast-item{{position:fixed;left:16px;bottom:16px;background:#fff;border:1px solid #ccc;padding:10px}}</style>\
         </head><body>{body}</body></html>\n",
        escape_text(title)
    )
}

async fn feed(State(shared): St, headers: HeaderMap) -> Response {
    let hydration = shared.hydration_delay_ms;
    let classes = shared.classes.clone();
    guarded(&shared, &headers, |me| {
        let share_box = match shared.lock().share_box(me) {
            ShareBox::Classic => "classic",
            ShareBox::Sdui => "sdui",
        };
        let state = json!({
            "me": me, "box": share_box, "classes": classes,
            "hydration": [hydration.0, hydration.1],
        });
        layout(
            "Feed | LinkedIn",
            &format!(
                "<div class=\"application-outlet\" id=\"app\"></div><div id=\"interop-outlet\" data-interop-outlet></div>\
                 <script type=\"application/json\" id=\"li-state\">{}</script><script src=\"/static/app.js\"></script>",
                state.to_string().replace('<', "\\u003c")
            ),
        )
    })
}

fn nav(me: &str) -> String {
    format!(
        "<header class=\"global-nav\"><nav class=\"global-nav__nav\" aria-label=\"Primary Navigation\">\
         <a class=\"global-nav__primary-link\" href=\"/feed/\">Home</a> \
         <a class=\"global-nav__primary-link global-nav__me-link\" href=\"/in/{0}/\" aria-label=\"Me\">Me</a></nav></header>",
        escape_text(me)
    )
}

fn post_html(p: &super::store::Post) -> String {
    format!(
        "<div class=\"feed-shared-update-v2\" data-urn=\"urn:li:activity:{id}\" role=\"article\">\
         <a class=\"update-components-actor__meta-link\" href=\"/in/{v}/\">{v}</a> \
         <a class=\"app-aware-link\" href=\"/feed/update/urn:li:activity:{id}/\">1m</a>\
         <div class=\"update-components-text\"><span class=\"break-words\" dir=\"ltr\" style=\"white-space:pre-wrap\">{t}</span></div>{m}</div>",
        id = p.activity,
        v = escape_text(&p.vanity),
        t = escape_text(&p.text),
        m = if p.media.is_empty() {
            String::new()
        } else {
            format!("<div class=\"update-components-image\">{} media</div>", p.media.len())
        }
    )
}

async fn activity(State(shared): St, headers: HeaderMap, Path(vanity): Path<String>) -> Response {
    let list: String = {
        let s = shared.lock();
        s.posts()
            .iter()
            .rev()
            .filter(|p| p.vanity == vanity)
            .map(post_html)
            .collect()
    };
    guarded(&shared, &headers, |me| {
        layout(
            "Activity | LinkedIn",
            &format!(
                "{}<main class=\"scaffold-layout__main\"><h2>All activity</h2><div class=\"scaffold-finite-scroll__content\">{}</div></main>",
                nav(me),
                if list.is_empty() {
                    "<p class=\"artdeco-empty-state\">No posts yet</p>".to_string()
                } else {
                    list
                }
            ),
        )
    })
}

async fn profile(State(shared): St, headers: HeaderMap, Path(vanity): Path<String>) -> Response {
    guarded(&shared, &headers, |me| {
        layout(
            "LinkedIn",
            &format!(
                "{}<main><h1>{}</h1><a href=\"/in/{1}/recent-activity/all/\">Show all posts</a></main>",
                nav(me),
                escape_text(&vanity)
            ),
        )
    })
}

/// One comment (`article.comments-comment-entity`, its data-id the
/// comment's URN) with its replies nested inside; a deleted one says so.
fn comment_html(c: &super::store::Comment, replies: &[&super::store::Comment]) -> String {
    let urn = format!("urn:li:comment:(urn:li:activity:{},{})", c.activity, c.id);
    let at = format!("{}Z", crate::http::iso8601(c.created));
    let nested: String = replies.iter().map(|r| comment_html(r, &[])).collect();
    let nested = if nested.is_empty() {
        String::new()
    } else {
        format!("<div class=\"comments-comment-item__nested-items comments-replies-list\">{nested}</div>")
    };
    if c.deleted {
        return format!(
            "<article class=\"comments-comment-entity comments-comment-entity--deleted\" data-id=\"{}\">\
             <p class=\"comments-comment-item__deleted\">This comment has been deleted</p>{nested}</article>",
            escape_text(&urn)
        );
    }
    format!(
        "<article class=\"comments-comment-entity\" data-id=\"{urn}\">\
         <div class=\"comments-comment-meta\"><a class=\"comments-comment-meta__description-container\" href=\"/in/{a}/\">\
         <span class=\"comments-comment-meta__description-title\">{a}</span></a> \
         <time class=\"comments-comment-meta__data\" datetime=\"{at}\">1h</time></div>\
         <div class=\"comments-comment-item__main-content update-components-text\" dir=\"ltr\"><span class=\"break-words\">{t}</span></div>{nested}</article>",
        urn = escape_text(&urn),
        a = escape_text(&c.author),
        t = escape_text(&c.text),
    )
}

/// Top-level comments `start..start+n` of a post, newest last, with their
/// replies, and whether more are left.
fn comments_page(store: &super::store::Store, activity: u64, start: usize) -> (String, bool) {
    let n = store.comments_per_page;
    let top: Vec<&super::store::Comment> = store
        .comments
        .iter()
        .filter(|c| c.activity == activity && c.parent.is_none())
        .collect();
    let html = top
        .iter()
        .skip(start)
        .take(n)
        .map(|c| {
            let replies: Vec<&super::store::Comment> = store
                .comments
                .iter()
                .filter(|r| r.parent == Some(c.id))
                .collect();
            comment_html(c, &replies)
        })
        .collect();
    (html, top.len() > start + n)
}

/// The "Load more comments" button: fetches the next page of comments and
/// puts it in its place.
fn load_more_html(urn: &str, start: usize) -> String {
    format!(
        "<button class=\"comments-comments-list__load-more-comments-button artdeco-button\" type=\"button\" \
         data-next=\"/feed/update/{}/comments?start={start}\" \
         onclick=\"const b=this;b.disabled=true;setTimeout(()=>fetch(b.dataset.next).then(r=>r.text()).then(h=>{{b.insertAdjacentHTML('beforebegin',h);b.remove();}}),150+Math.floor(Math.random()*350))\">\
         <span>Load more comments</span></button>",
        escape_text(urn)
    )
}

async fn update(State(shared): St, headers: HeaderMap, Path(urn): Path<String>) -> Response {
    let found = {
        let s = shared.lock();
        s.posts()
            .iter()
            .find(|p| format!("urn:li:activity:{}", p.activity) == urn)
            .map(|p| {
                let (comments, more) = comments_page(&s, p.activity, 0);
                let more = if more {
                    load_more_html(&urn, s.comments_per_page)
                } else {
                    String::new()
                };
                format!(
                    "{}<div class=\"comments-comments-list\">{comments}{more}</div>",
                    post_html(p)
                )
            })
    };
    guarded(&shared, &headers, |me| {
        layout(
            "Post | LinkedIn",
            &format!(
                "{}<main>{}</main>",
                nav(me),
                found.unwrap_or_else(|| "<p>This post cannot be displayed</p>".into())
            ),
        )
    })
}

/// The next page of a post's comments (what "Load more comments" fetches),
/// with the next button when more are left.
async fn more_comments(
    State(shared): St,
    headers: HeaderMap,
    Path(urn): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    if member(&shared, &headers).is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let start: usize = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .find_map(|kv| kv.strip_prefix("start="))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let s = shared.lock();
    let Some(p) = s
        .posts()
        .iter()
        .find(|p| format!("urn:li:activity:{}", p.activity) == urn)
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (html, more) = comments_page(&s, p.activity, start);
    let next = if more {
        load_more_html(&urn, start + s.comments_per_page)
    } else {
        String::new()
    };
    page(StatusCode::OK, format!("{html}{next}"))
}

async fn login() -> Response {
    page(
        StatusCode::OK,
        layout(
            "LinkedIn Login, Sign in | LinkedIn",
            "<main class=\"app__content\"><h1 class=\"header__content__heading\">Sign in</h1>\
             <form class=\"login__form\" action=\"/checkpoint/lg/login-submit\" method=\"post\">\
             <input id=\"username\" name=\"session_key\" type=\"email\" aria-label=\"Email or phone\" autocomplete=\"username\">\
             <input id=\"password\" name=\"session_password\" type=\"password\" aria-label=\"Password\">\
             <button class=\"btn__primary--large\" type=\"submit\" aria-label=\"Sign in\">Sign in</button></form></main>",
        ),
    )
}

async fn checkpoint() -> Response {
    page(
        StatusCode::OK,
        layout(
            "Security Verification | LinkedIn",
            "<main><h1>Let's do a quick security check</h1><p>We need to verify that you're a real person.</p>\
             <div id=\"captcha-internal\"></div></main>",
        ),
    )
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut r = (status, v.to_string()).into_response();
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// The member, when `csrf-token` matches the `JSESSIONID` cookie.
fn api_member(shared: &Shared, headers: &HeaderMap) -> Result<String, StatusCode> {
    let me = member(shared, headers).ok_or(StatusCode::UNAUTHORIZED)?;
    let jsession = cookie(headers, "JSESSIONID").unwrap_or_default();
    let token = headers
        .get("csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if jsession.is_empty() || jsession.trim_matches('"') != token.trim_matches('"') {
        return Err(StatusCode::FORBIDDEN);
    }
    Ok(me)
}

async fn norm_shares(State(shared): St, headers: HeaderMap, body: Bytes) -> Response {
    let me = match api_member(&shared, &headers) {
        Ok(m) => m,
        Err(s) => {
            return json_response(
                s,
                &json!({"status": s.as_u16(), "message": "CSRF check failed."}),
            )
        }
    };
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = v["commentary"].as_str().unwrap_or_default();
    let media: Vec<String> = v["media"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str().map(str::to_string))
        .collect();
    let result = shared.lock().create(&me, text, &media);
    match result {
        Ok(id) => json_response(
            StatusCode::CREATED,
            &json!({"value": {"urn": format!("urn:li:share:{id}"), "activityUrn": format!("urn:li:activity:{id}")}}),
        ),
        Err(m) => json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({"status": 422, "message": m}),
        ),
    }
}

/// A new comment by the member: `{"threadUrn": "urn:li:activity:<id>",
/// "parentComment": "<comment id>"?, "text": "..."}` (the session and its
/// `csrf-token` as for a post).
async fn new_comment(State(shared): St, headers: HeaderMap, body: Bytes) -> Response {
    let me = match api_member(&shared, &headers) {
        Ok(m) => m,
        Err(s) => {
            return json_response(
                s,
                &json!({"status": s.as_u16(), "message": "CSRF check failed."}),
            )
        }
    };
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = v["text"].as_str().unwrap_or_default();
    let activity = v["threadUrn"]
        .as_str()
        .and_then(|u| u.strip_prefix("urn:li:activity:"))
        .and_then(|n| n.parse::<u64>().ok());
    let parent = match v["parentComment"].as_str() {
        Some(p) => match p.parse::<u64>() {
            Ok(id) => Some(id),
            Err(_) => return StatusCode::UNPROCESSABLE_ENTITY.into_response(),
        },
        None => None,
    };
    if text.trim().is_empty() || text.encode_utf16().count() > 1250 {
        return json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({"status": 422, "message": "A comment needs 1 to 1250 characters"}),
        );
    }
    let made = activity.and_then(|a| shared.lock().comment(a, parent, &me, text));
    match made {
        Some(id) => json_response(
            StatusCode::CREATED,
            &json!({"value": {"urn": format!("urn:li:comment:(urn:li:activity:{},{id})", activity.unwrap_or_default()), "id": id.to_string()}}),
        ),
        None => json_response(
            StatusCode::NOT_FOUND,
            &json!({"status": 404, "message": "No such post or comment"}),
        ),
    }
}

async fn upload(State(shared): St, headers: HeaderMap, body: Bytes) -> Response {
    let me = match api_member(&shared, &headers) {
        Ok(m) => m,
        Err(s) => return json_response(s, &json!({"status": s.as_u16()})),
    };
    let mime = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let urn = shared.lock().upload(&me, &mime, body.len());
    match urn {
        Some(u) => json_response(StatusCode::OK, &json!({"value": {"urn": u}})),
        None => json_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({"status": 422, "message": "This file type is not supported"}),
        ),
    }
}
