//! The dashboard at `/`: server-rendered pages (maud) with a few lines of
//! JavaScript on the WebSocket, no build step. It logs in by pasting the
//! token once, then holds an HttpOnly, SameSite=Strict session cookie;
//! its state-changing API calls carry the session's CSRF token in
//! `x-distroflow-csrf`. These routes are pages, not API: they are not in
//! the OpenAPI document.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use distroflow_core::PlatformId;
use distroflow_store::{AttemptState, HistoryFilter};
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;

use crate::guard::SESSION_COOKIE;
use crate::state::{lock, AppState};

const SCRIPT: &str = include_str!("dashboard.js");

const STYLE: &str = "
body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#1d1d1f;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.2rem;align-items:center}
header a{color:#fff}header a[aria-current]{font-weight:700;text-decoration:underline 3px}
main{max-width:60rem;margin:0 auto;padding:1rem}
label{display:block;margin:.6rem 0 .2rem;font-weight:600}
input[type=text],input[type=url],input[type=password],textarea,select{width:100%;box-sizing:border-box;padding:.45rem;font:inherit}
fieldset{border:1px solid #ccc;margin:.6rem 0}fieldset label{display:inline-block;font-weight:400;margin-right:1rem}
button{font:inherit;padding:.45rem 1rem;margin:.6rem .4rem 0 0;cursor:pointer}
:focus-visible{outline:3px solid #0a66c2;outline-offset:2px}
.ok{color:#116329}.error{color:#b3261e}
table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;color:#000;padding:.5rem}
ul.plain{list-style:none;padding:0}
";

/// The dashboard's routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(compose))
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/history", get(history))
        .route("/queue", get(queue))
        .route("/accounts", get(accounts))
        .route("/healing", get(healing))
}

fn head(title: &str, csrf: Option<&str>) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            @if let Some(c) = csrf { meta name="csrf" content=(c); }
            title { (title) " · DistroFlow" }
            style { (maud::PreEscaped(STYLE)) }
        }
    }
}

fn page(title: &str, current: &str, csrf: &str, body: Markup) -> Markup {
    let nav = [
        ("/", "Compose"),
        ("/history", "History"),
        ("/queue", "Queue"),
        ("/accounts", "Accounts"),
        ("/healing", "Healing"),
    ];
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title, Some(csrf)))
            body {
                a.skip href="#main" { "Skip to content" }
                header {
                    strong { "DistroFlow" }
                    nav aria-label="Pages" {
                        @for (href, name) in nav {
                            @if name == current {
                                a href=(href) aria-current="page" { (name) } " "
                            } @else {
                                a href=(href) { (name) } " "
                            }
                        }
                    }
                    form method="post" action="/logout" {
                        button type="submit" { "Log out" }
                    }
                }
                main #main tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
                script { (maud::PreEscaped(SCRIPT)) }
            }
        }
    }
}

fn login_page(error: Option<&str>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head("Log in", None))
            body {
                main #main {
                    h1 { "DistroFlow" }
                    p { "Paste the API token from " code { "$DISTROFLOW_HOME/api-token" } " once; this browser then keeps a session." }
                    @if let Some(e) = error {
                        p.error role="alert" { (e) }
                    }
                    form method="post" action="/login" {
                        label for="token" { "API token" }
                        input #token type="password" name="token" autocomplete="current-password" required autofocus;
                        button type="submit" { "Log in" }
                    }
                }
            }
        }
    }
}

/// The session's CSRF token, or the login page.
fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<String, Box<Response>> {
    crate::guard::session(state, headers).ok_or_else(|| {
        // An old cookie (of a server since restarted) is shown the login
        // page too.
        Box::new(login_page(None).into_response())
    })
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    token: String,
}

async fn login(State(state): State<AppState>, Form(f): Form<LoginForm>) -> Response {
    if !state.token.matches(&f.token) {
        return (
            StatusCode::UNAUTHORIZED,
            login_page(Some("That is not the token.")),
        )
            .into_response();
    }
    let id = crate::token::random_hex();
    let csrf = crate::token::random_hex();
    lock(&state.sessions).insert(id.clone(), csrf);
    (
        [(
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/"),
        )],
        Redirect::to("/"),
    )
        .into_response()
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(id) = crate::guard::session_id(&headers) {
        lock(&state.sessions).remove(&id);
    }
    (
        [(
            header::SET_COOKIE,
            format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
        )],
        Redirect::to("/"),
    )
        .into_response()
}

async fn compose(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let csrf = match signed_in(&state, &headers) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let body = html! {
        form #compose {
            fieldset {
                legend { "Post to" }
                @for p in PlatformId::ALL {
                    label { input type="checkbox" name="to" value=(p.as_str()); " " (p.display_name()) }
                }
            }
            label for="text" { "Text" }
            textarea #text name="text" rows="5" {}
            label for="title" { "Title (Hacker News, Reddit)" }
            input #title type="text" name="title";
            label for="url" { "Link" }
            input #url type="url" name="url";
            label for="subreddit" { "Subreddit (Reddit)" }
            input #subreddit type="text" name="subreddit";
            label for="media" { "Media: files on this machine, one path a line" }
            textarea #media name="media" rows="2" {}
            button #post type="submit" { "Post" }
        }
        h2 { "Check" }
        ul #checks .plain aria-live="polite" {}
        ul #post-status .plain role="alert" {}
        h2 { "Progress" }
        ul #progress .plain aria-live="polite" {}
    };
    page("Compose", "Compose", &csrf, body).into_response()
}

#[derive(Deserialize)]
pub(crate) struct HistoryFilters {
    platform: Option<String>,
    status: Option<String>,
    since: Option<String>,
}

/// Posted out of every attempt that ended, per platform, since `since`.
fn success_rates(
    state: &AppState,
    since: jiff::Timestamp,
) -> distroflow_core::Result<BTreeMap<&'static str, (usize, usize)>> {
    let rows = lock(&state.store).history_where(&HistoryFilter {
        platform: None,
        state: None,
        since: Some(since),
        limit: usize::MAX >> 1,
    })?;
    let mut out: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    for r in rows {
        let ended = !matches!(r.state, AttemptState::Running | AttemptState::Pending);
        if !ended {
            continue;
        }
        let e = out.entry(r.platform.as_str()).or_default();
        e.1 += 1;
        if r.state == AttemptState::Posted {
            e.0 += 1;
        }
    }
    Ok(out)
}

fn rate((posted, ended): (usize, usize)) -> String {
    match (posted * 100).checked_div(ended) {
        None => "—".into(),
        Some(pct) => format!("{pct}% ({posted}/{ended})"),
    }
}

async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<HistoryFilters>,
) -> Response {
    let csrf = match signed_in(&state, &headers) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let empty = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
    let query = distroflow_app::HistoryQuery {
        platform: empty(f.platform.clone()),
        status: empty(f.status.clone()),
        since: empty(f.since.clone()),
        limit: 200,
    };
    let now = jiff::Zoned::now();
    let rows = {
        let store = lock(&state.store);
        distroflow_app::history(&store, &query, &now)
    };
    let day = jiff::SignedDuration::from_hours(24);
    let rates = |days: i32| success_rates(&state, now.timestamp() - day * days).unwrap_or_default();
    let (week, month) = (rates(7), rates(30));
    let body = html! {
        h2 { "Success rate" }
        table {
            thead { tr { th scope="col" { "Platform" } th scope="col" { "7 days" } th scope="col" { "30 days" } } }
            tbody {
                @for p in PlatformId::ALL {
                    tr {
                        th scope="row" { (p.display_name()) }
                        td { (rate(week.get(p.as_str()).copied().unwrap_or_default())) }
                        td { (rate(month.get(p.as_str()).copied().unwrap_or_default())) }
                    }
                }
            }
        }
        h2 { "Posts" }
        form method="get" action="/history" {
            label for="f-platform" { "Platform" }
            select #f-platform name="platform" {
                option value="" { "All" }
                @for p in PlatformId::ALL {
                    option value=(p.as_str()) selected[f.platform.as_deref() == Some(p.as_str())] { (p.display_name()) }
                }
            }
            label for="f-status" { "Status" }
            select #f-status name="status" {
                option value="" { "Any" }
                @for s in AttemptState::ALL {
                    option value=(s.as_str()) selected[f.status.as_deref() == Some(s.as_str())] { (s.as_str()) }
                }
            }
            label for="f-since" { "Since (2d, 12h, 1w, or RFC 3339)" }
            input #f-since type="text" name="since" value=(f.since.clone().unwrap_or_default());
            button type="submit" { "Filter" }
        }
        @match rows {
            Err(e) => p.error role="alert" { (e) @if let Some(h) = e.hint() { " (hint: " (h) ")" } },
            Ok(rows) if rows.is_empty() => p { "No posts yet." },
            Ok(rows) => table #history {
                thead { tr {
                    th scope="col" { "When" } th scope="col" { "Platform" } th scope="col" { "State" }
                    th scope="col" { "Post" } th scope="col" { "Link or error" }
                } }
                tbody {
                    @for r in &rows {
                        tr {
                            td { (r.created_at) }
                            td { (r.platform) }
                            td { (r.state) }
                            td { (r.summary) }
                            td {
                                @if let Some(u) = &r.url { a href=(u) { (u) } }
                                @else if let Some(e) = &r.error { span.error { (e) } }
                            }
                        }
                    }
                }
            },
        }
    };
    page("History", "History", &csrf, body).into_response()
}

async fn queue(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let csrf = match signed_in(&state, &headers) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let jobs = lock(&state.store).jobs(distroflow_app::listed_states(true));
    let body = html! {
        ul #queue-status .plain role="alert" {}
        @match jobs {
            Err(e) => p.error role="alert" { (e) },
            Ok(jobs) if jobs.is_empty() => p { "No scheduled posts. Schedule one with " code { "distroflow schedule" } " or the API's " code { "at" } "." },
            Ok(jobs) => table #queue {
                thead { tr {
                    th scope="col" { "#" } th scope="col" { "State" } th scope="col" { "Due" }
                    th scope="col" { "To" } th scope="col" { "Post" } th scope="col" { "Actions" }
                } }
                tbody {
                    @for j in &jobs {
                        @let w = distroflow_app::wire::WireJob::from(j);
                        tr {
                            td { (w.id) }
                            td { (w.state) @if let Some(e) = &w.last_error { br; span.error { (e) } } }
                            td { (w.due_at) @if let Some(e) = &w.every { br; "every " (e) } }
                            td { (w.targets.join(", ")) }
                            td { (w.summary) }
                            td {
                                @if w.state == "queued" || w.state == "failed" {
                                    button type="button" data-job=(w.id) data-action="cancel" aria-label={ "Cancel job " (w.id) } { "Cancel" }
                                }
                                @if w.state == "failed" || w.state == "cancelled" {
                                    button type="button" data-job=(w.id) data-action="retry" aria-label={ "Retry job " (w.id) } { "Retry" }
                                }
                            }
                        }
                    }
                }
            },
        }
    };
    page("Queue", "Queue", &csrf, body).into_response()
}

async fn accounts(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let csrf = match signed_in(&state, &headers) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    // From the saved files: the page answers at once (the API's
    // /api/v1/accounts checks on the sites).
    let rows = distroflow_app::accounts(
        &state.home,
        &state.config,
        true,
        None,
        std::future::pending(),
    )
    .await
    .map(Option::unwrap_or_default);
    let body = html! {
        @match rows {
            Err(e) => p.error role="alert" { (e) },
            Ok(rows) => table #accounts {
                thead { tr { th scope="col" { "Platform" } th scope="col" { "Session" } th scope="col" { "Account" } th scope="col" { "How to log in" } } }
                tbody {
                    @for r in &rows {
                        tr {
                            th scope="row" { (r.platform) }
                            td { (r.status.replace('_', " ")) @if let Some(t) = &r.saved_at { br; "saved " (t) } }
                            td { (r.username.clone().unwrap_or_default()) }
                            td { code { "distroflow login " (r.platform) } }
                        }
                    }
                }
            },
        }
        p { "Logging in opens a browser window on this machine, or imports cookies: "
            code { "distroflow login x --cookies cookies.json" } "." }
    };
    page("Accounts", "Accounts", &csrf, body).into_response()
}

async fn healing(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let csrf = match signed_in(&state, &headers) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let repairs = distroflow_healer::read_repairs(&state.home).unwrap_or_default();
    let mut tiers: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &repairs {
        *tiers.entry(r.tier.as_str()).or_default() += 1;
    }
    let now = jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::UTC);
    let month_start = now
        .first_of_month()
        .ok()
        .and_then(|d| d.start_of_day().ok())
        .map(|d| d.timestamp().as_second())
        .unwrap_or_default();
    let model: Vec<_> = repairs
        .iter()
        .filter(|r| r.tier == "model" && r.time as i64 >= month_start)
        .collect();
    let known = model
        .iter()
        .filter_map(|r| r.cost_usd)
        .fold(0.0_f64, |a, c| a + c);
    let unknown = model.iter().filter(|r| r.cost_usd.is_none()).count();
    // Reply triage's model calls, from the store.
    let month_from = jiff::Timestamp::from_second(month_start).unwrap_or_default();
    let (triage_month, triage_runs) = {
        let store = lock(&state.store);
        (
            store.triage_totals_since(month_from).unwrap_or_default(),
            store.triage_runs(20).unwrap_or_default(),
        )
    };
    let cost = |t: &distroflow_store::TriageTotals| {
        let mut s = format!("${:.6}", t.cost_usd);
        if t.unknown_cost_calls > 0 {
            s.push_str(&format!(" + {} at unknown cost", t.unknown_cost_calls));
        }
        s
    };
    let body = html! {
        h2 { "Repairs per tier" }
        @if tiers.is_empty() { p { "No repairs recorded." } }
        @else {
            table { tbody { @for (t, n) in &tiers { tr { th scope="row" { (t) } td { (n) } } } } }
        }
        h2 { "This month" }
        p #model-cost {
            "Model calls: " (model.len()) "; cost: $" (format!("{known:.4}"))
            @if unknown > 0 { " plus " (unknown) " calls at unknown cost (set [ai.prices.\"<model>\"] in config.toml)" }
        }
        h2 { "Reply triage" }
        p #triage-month {
            "This month: " (triage_month.calls) " model calls for " (triage_month.replies) " replies; "
            (triage_month.input_tokens) " tokens in (" (triage_month.cached_tokens) " cached), "
            (triage_month.output_tokens) " tokens out; cost: " (cost(&triage_month))
        }
        @if triage_runs.is_empty() { p { "No triage runs yet (" code { "distroflow replies --triage" } ")." } }
        @else {
            table #triage-runs {
                thead { tr { th scope="col" { "Run" } th scope="col" { "Model" } th scope="col" { "Calls" } th scope="col" { "Replies" } th scope="col" { "Tokens in" } th scope="col" { "Cached" } th scope="col" { "Tokens out" } th scope="col" { "Cost" } } }
                tbody {
                    @for r in &triage_runs {
                        tr {
                            td { (r.started.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()) }
                            td { (r.models) }
                            td { (r.totals.calls) }
                            td { (r.totals.replies) }
                            td { (r.totals.input_tokens) }
                            td { (r.totals.cached_tokens) }
                            td { (r.totals.output_tokens) }
                            td { (cost(&r.totals)) }
                        }
                    }
                }
            }
        }
        h2 { "Recent repairs" }
        @if repairs.is_empty() { p { "None yet." } }
        @else {
            table {
                thead { tr { th scope="col" { "When" } th scope="col" { "Target" } th scope="col" { "Tier" } th scope="col" { "Selector" } th scope="col" { "Confirmed" } } }
                tbody {
                    @for r in repairs.iter().rev().take(20) {
                        @let w = distroflow_app::wire::WireRepair::from(r);
                        tr { td { (w.time) } td { (w.target) } td { (w.tier) } td { code { (w.selector) } } td { (if w.confirmed { "yes" } else { "no" }) } }
                    }
                }
            }
        }
    };
    page("Healing", "Healing", &csrf, body).into_response()
}
