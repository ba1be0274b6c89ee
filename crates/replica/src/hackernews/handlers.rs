//! The replica's routes: what each URL of the real site does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::lock;
use super::pages::{self, SubmitValues, Viewer};
use super::store::{Login, Store, Story, Submission, Submitted};
use crate::http::{asset, cookie, page, parse_form, redirect};

type Shared = Arc<Mutex<Store>>;

/// Stories per list page, as on the real site.
const PAGE_SIZE: usize = 30;

/// Ten years, like the real `user` cookie.
const COOKIE_MAX_AGE: u64 = 10 * 365 * 24 * 3600;

pub(super) fn router(store: Shared) -> Router {
    Router::new()
        .route("/", get(front))
        .route("/news", get(front))
        .route("/newest", get(newest))
        .route("/login", get(login_page).post(login_post))
        .route("/logout", get(logout))
        .route("/submit", get(submit_page))
        .route("/r", axum::routing::post(submit_post))
        .route("/submitstory", axum::routing::post(submit_post))
        .route("/item", get(item))
        .route("/comment", axum::routing::post(comment_post))
        .route("/submitted", get(submitted))
        .route("/user", get(user))
        .route(
            "/news.css",
            get(|| async { asset("text/css", pages::NEWS_CSS) }),
        )
        .route(
            "/y18.svg",
            get(|| async { asset("image/svg+xml", pages::Y18_SVG) }),
        )
        .fallback(unknown)
        .layer(axum::middleware::map_response_with_state(
            Arc::clone(&store),
            serve_ui_version,
        ))
        .with_state(store)
}

/// Rewrites HTML pages into the UI version being served.
async fn serve_ui_version(State(store): State<Shared>, response: Response) -> Response {
    let ui = lock(&store).ui_version;
    let is_html = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if ui == 0 || !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 8 * 1024 * 1024).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let html = super::drift::apply(ui, &String::from_utf8_lossy(&bytes));
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(html))
}

/// The logged-in account, if the request carries a `user` cookie this
/// server issued.
fn viewer(store: &Store, headers: &HeaderMap) -> Option<Viewer> {
    let name = store.user_for_cookie(&cookie(headers, "user")?)?;
    Some(Viewer {
        karma: store.karma(&name),
        auth: store.logout_auth(&name).unwrap_or_default().to_owned(),
        name,
    })
}

fn query(uri: &Uri) -> HashMap<String, String> {
    parse_form(uri.query().unwrap_or_default().as_bytes())
}

/// A `goto` that stays on this site, else `news`.
fn safe_goto(goto: Option<&String>) -> String {
    match goto {
        Some(goto)
            if !goto.is_empty()
                && goto.chars().all(|c| c.is_ascii_graphic())
                && !goto.starts_with("//")
                && !goto.contains(':')
                && !goto.contains('\\') =>
        {
            goto.clone()
        }
        _ => "news".to_owned(),
    }
}

fn ok(body: String) -> Response {
    page(StatusCode::OK, body)
}

fn not_found(text: &str) -> Response {
    page(StatusCode::NOT_FOUND, pages::message("", text))
}

async fn unknown() -> Response {
    not_found(pages::UNKNOWN)
}

/// The front page: stories ranked by the real site's gravity formula.
async fn front(State(store): State<Shared>, headers: HeaderMap, uri: Uri) -> Response {
    let store = lock(&store);
    let viewer = viewer(&store, &headers);
    let now = SystemTime::now();
    let mut ranked: Vec<&Story> = store.newest().collect();
    // Stable sort: equal scores stay newest first.
    ranked.sort_by(|a, b| rank_score(b, now).total_cmp(&rank_score(a, now)));
    let page_no: usize = query(&uri)
        .get("p")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let start = (page_no - 1) * PAGE_SIZE;
    let shown: Vec<&Story> = ranked.iter().skip(start).take(PAGE_SIZE).copied().collect();
    let more = (ranked.len() > start + PAGE_SIZE).then(|| format!("news?p={}", page_no + 1));
    let here = if page_no == 1 {
        "news".to_owned()
    } else {
        format!("news?p={page_no}")
    };
    let content = pages::story_list(&shown, start + 1, &here, more.as_deref());
    ok(pages::layout("news", "", viewer.as_ref(), &here, &content))
}

fn rank_score(story: &Story, now: SystemTime) -> f64 {
    let hours = now
        .duration_since(story.created)
        .map_or(0.0, |d| d.as_secs_f64() / 3600.0);
    f64::from(story.points.saturating_sub(1)) / (hours + 2.0).powf(1.8)
}

/// One page of a newest-first list, continuing below id `next` when given.
fn newest_page<'a>(
    stories: impl Iterator<Item = &'a Story>,
    params: &HashMap<String, String>,
) -> (Vec<&'a Story>, usize, Option<(u64, usize)>) {
    let next: Option<u64> = params.get("next").and_then(|n| n.parse().ok());
    let first_rank: usize = params
        .get("n")
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    let mut rest = stories.filter(|story| next.is_none_or(|next| story.id < next));
    let shown: Vec<&Story> = rest.by_ref().take(PAGE_SIZE).collect();
    let more = match (rest.next(), shown.last()) {
        (Some(_), Some(last)) => Some((last.id, first_rank + PAGE_SIZE)),
        _ => None,
    };
    (shown, first_rank, more)
}

async fn newest(State(store): State<Shared>, headers: HeaderMap, uri: Uri) -> Response {
    let store = lock(&store);
    let viewer = viewer(&store, &headers);
    let (shown, first_rank, more) =
        newest_page(store.newest().skip(store.newest_lag), &query(&uri));
    let more = more.map(|(next, n)| format!("newest?next={next}&n={n}"));
    let content = pages::story_list(&shown, first_rank, "newest", more.as_deref());
    ok(pages::layout(
        "newest",
        "New Links",
        viewer.as_ref(),
        "newest",
        &content,
    ))
}

async fn submitted(State(store): State<Shared>, headers: HeaderMap, uri: Uri) -> Response {
    let store = lock(&store);
    let params = query(&uri);
    let Some(name) = params.get("id").filter(|name| store.user_exists(name)) else {
        return not_found(pages::NO_SUCH_USER);
    };
    let viewer = viewer(&store, &headers);
    let theirs = store.newest().filter(|story| &story.by == name);
    let (shown, first_rank, more) = newest_page(theirs, &params);
    let id_q = crate::http::encode_query_value(name);
    let here = format!("submitted?id={id_q}");
    let more = more.map(|(next, n)| format!("{here}&next={next}&n={n}"));
    let content = pages::story_list(&shown, first_rank, &here, more.as_deref());
    let title = format!("{name}'s submissions");
    ok(pages::layout(
        "submitted",
        &title,
        viewer.as_ref(),
        &here,
        &content,
    ))
}

async fn item(State(store): State<Shared>, headers: HeaderMap, uri: Uri) -> Response {
    let store = lock(&store);
    let id: Option<u64> = query(&uri).get("id").and_then(|id| id.trim().parse().ok());
    let Some(story) = id.and_then(|id| store.story(id)) else {
        return not_found(pages::NO_SUCH_ITEM);
    };
    let viewer = viewer(&store, &headers);
    let here = format!("item?id={}", story.id);
    let page: usize = query(&uri)
        .get("p")
        .and_then(|p| p.trim().parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let (comments, more) = store.comment_page(story.id, page);
    let more = more.then(|| format!("item?id={}&p={}", story.id, page + 1));
    let content = pages::item(story, viewer.is_some(), &comments, more.as_deref());
    ok(pages::layout(
        "item",
        &story.title,
        viewer.as_ref(),
        &here,
        &content,
    ))
}

async fn user(State(store): State<Shared>, headers: HeaderMap, uri: Uri) -> Response {
    let store = lock(&store);
    let params = query(&uri);
    let Some(name) = params.get("id").filter(|name| store.user_exists(name)) else {
        return not_found(pages::NO_SUCH_USER);
    };
    let viewer = viewer(&store, &headers);
    let here = format!("user?id={}", crate::http::encode_query_value(name));
    let content = pages::user(name, store.karma(name));
    let title = format!("Profile: {name}");
    ok(pages::layout(
        "user",
        &title,
        viewer.as_ref(),
        &here,
        &content,
    ))
}

async fn login_page(State(store): State<Shared>, uri: Uri) -> Response {
    let store = lock(&store);
    let goto = safe_goto(query(&uri).get("goto"));
    if store.validation_required() {
        return ok(pages::validation_required(&goto));
    }
    ok(pages::login(&goto, None))
}

async fn login_post(State(store): State<Shared>, body: Bytes) -> Response {
    let form = parse_form(&body);
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let goto = safe_goto(form.get("goto"));
    let mut store = lock(&store);
    if field("creating") == "t" && !store.validation_required() {
        return ok(pages::message("login", pages::NO_SIGNUPS));
    }
    let any = |names: &[&str]| {
        super::drift::field(&form, names)
            .map(String::as_str)
            .unwrap_or_default()
    };
    match store.login(any(&["acct", "username"]), any(&["pw", "password"])) {
        Login::Ok(value) => {
            let set_cookie =
                format!("user={value}; Path=/; Max-Age={COOKIE_MAX_AGE}; HttpOnly; SameSite=Lax");
            redirect(&goto, &[set_cookie])
        }
        Login::Bad => ok(pages::login(&goto, Some(pages::BAD_LOGIN))),
        Login::ValidationRequired => ok(pages::validation_required(&goto)),
    }
}

async fn logout(uri: Uri) -> Response {
    let goto = safe_goto(query(&uri).get("goto"));
    let clear = "user=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax".to_owned();
    redirect(&goto, &[clear])
}

async fn submit_page(State(store): State<Shared>, headers: HeaderMap) -> Response {
    let mut store = lock(&store);
    let Some(viewer) = viewer(&store, &headers) else {
        return ok(pages::login("submit", Some(pages::LOGIN_TO_SUBMIT)));
    };
    let fnid = store.issue_fnid(&viewer.name);
    let content = pages::submit_form(&fnid, &SubmitValues::default());
    ok(pages::layout(
        "submit",
        "Submit",
        Some(&viewer),
        "submit",
        &content,
    ))
}

/// `POST /comment` (the item page's "add comment" form): a logged-in
/// user's comment on a story (`parent` = its id) or a reply to a comment.
async fn comment_post(State(store): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let form = parse_form(&body);
    let mut store = lock(&store);
    let Some(viewer) = viewer(&store, &headers) else {
        return ok(pages::login("news", Some(pages::LOGIN_TO_SUBMIT)));
    };
    let text = form.get("text").map(|t| t.trim()).unwrap_or_default();
    let parent: Option<u64> = form.get("parent").and_then(|p| p.trim().parse().ok());
    let Some(parent) = parent.filter(|_| !text.is_empty()) else {
        return ok(pages::message("comment", pages::EXPIRED));
    };
    let added = match store.comment_story(parent) {
        Some(story) => {
            let under = (story != parent).then_some(parent);
            store.add_comment(
                story,
                under,
                &viewer.name,
                text,
                std::time::SystemTime::now(),
            )
        }
        None => None,
    };
    match added {
        Some(_) => redirect(&safe_goto(form.get("goto")), &[]),
        None => not_found(pages::NO_SUCH_ITEM),
    }
}

async fn submit_post(State(store): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    match submit_now(&store, &headers, &body) {
        Some(response) => response,
        // The story is stored; the answer never comes.
        None => std::future::pending().await,
    }
}

/// The submission; `None` when the answer must hang (a fault switch).
fn submit_now(store: &Shared, headers: &HeaderMap, body: &Bytes) -> Option<Response> {
    let form = parse_form(body);
    let field = |names: &[&str]| {
        super::drift::field(&form, names)
            .cloned()
            .unwrap_or_default()
    };
    let submission = Submission {
        fnid: field(&["fnid"]),
        title: field(&["title", "t", "headline"]),
        url: field(&["url", "u", "link"]),
        text: field(&["text", "x", "body"]),
    };
    let mut store = lock(store);
    let viewer = viewer(&store, headers);
    Some(
        match store.submit(viewer.as_ref().map(|v| v.name.as_str()), &submission) {
            Submitted::Expired => ok(pages::message("r", pages::EXPIRED)),
            Submitted::LoggedOut => ok(pages::login("submit", Some(pages::LOGIN_TO_SUBMIT))),
            Submitted::TooFast => ok(pages::message("r", pages::TOO_FAST)),
            Submitted::Duplicate(id) => redirect(&format!("item?id={id}"), &[]),
            Submitted::Created(_) => match store.fault {
                None => redirect("newest", &[]),
                Some(super::HnFault::ErrorAfterStore) => crate::http::page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "<html><body><h1>Internal Server Error</h1></body></html>".into(),
                ),
                Some(super::HnFault::HangAfterStore) => return None,
                Some(super::HnFault::DropAfterStore) => return Some(drop_connection()),
            },
            Submitted::Invalid(message) => {
                let Some(viewer) = viewer else {
                    return Some(ok(pages::login("submit", Some(pages::LOGIN_TO_SUBMIT))));
                };
                // The form is shown again, filled in, with a fresh one-time id.
                let fnid = store.issue_fnid(&viewer.name);
                let values = SubmitValues {
                    message: Some(message),
                    title: &submission.title,
                    url: &submission.url,
                    text: &submission.text.replace("\r\n", "\n"),
                };
                let content = pages::submit_form(&fnid, &values);
                ok(pages::layout(
                    "submit",
                    "Submit",
                    Some(&viewer),
                    "submit",
                    &content,
                ))
            }
        },
    )
}

/// A response whose body fails mid-stream: the server closes the
/// connection without a complete answer (the browser sees a broken
/// response).
fn drop_connection() -> Response {
    let broken = futures::stream::iter([Err::<Vec<u8>, _>(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "simulated dropped connection",
    ))]);
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "text/html; charset=utf-8")
        .header("content-length", "100000")
        .body(axum::body::Body::from_stream(broken))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goto_stays_on_site() {
        let g = |s: &str| safe_goto(Some(&s.to_owned()));
        assert_eq!(g("item?id=5"), "item?id=5");
        assert_eq!(g("submit"), "submit");
        assert_eq!(g("https://evil.example"), "news");
        assert_eq!(g("//evil.example"), "news");
        assert_eq!(safe_goto(None), "news");
    }
}
