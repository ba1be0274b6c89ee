//! The `/api/v1` handlers and the router they make with their OpenAPI
//! documentation: every route is registered through `routes!`, which
//! documents it at the same time.

use std::collections::BTreeMap;
use std::path::PathBuf;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use distroflow_app::wire::{
    WireAccount, WireAttempt, WireEngine, WireError, WireJob, WireRepair, WireResult,
};
use distroflow_app::{Content, Fit, HistoryQuery, Schedule};
use distroflow_store::{JobId, JobState};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::{lock, AppState, PostState};

/// A JSON body, refused with the API's own errors (400, 413).
pub(crate) struct Body<T>(pub(crate) T);

impl<T, S> FromRequest<S> for Body<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(crate::guard::too_large()),
            Err(e) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "usage",
                e.body_text(),
                Some("the request body is JSON; see GET /api/v1/openapi.json for its fields"),
            )),
        }
    }
}

/// A post: what `distroflow post` takes, as JSON.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PostRequest {
    /// Where to post: ids or aliases (`x`, `reddit`, `hackernews`/`hn`,
    /// `instagram`, `twitter`), each may be comma-separated, or `all`.
    /// For `/check` also `bluesky`, `mastodon`, `linkedin`.
    pub(crate) to: Vec<String>,
    #[serde(default)]
    pub(crate) text: String,
    pub(crate) title: Option<String>,
    pub(crate) url: Option<String>,
    /// Reddit's subreddit, with or without `r/`.
    pub(crate) subreddit: Option<String>,
    /// Reddit's post flair.
    pub(crate) flair: Option<String>,
    /// Another text for one platform: `{"x": "the short version"}`.
    #[serde(default)]
    pub(crate) text_for: BTreeMap<String, String>,
    /// Image and video files on this machine (absolute paths).
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub(crate) media: Vec<PathBuf>,
    /// Over the limit: make a thread where the platform has threads.
    #[serde(default)]
    pub(crate) split: bool,
    /// With `split`: number the posts (` 1/3`).
    #[serde(default)]
    pub(crate) number: bool,
    /// Over the limit: cut at a word boundary and add an ellipsis.
    #[serde(default)]
    pub(crate) truncate: bool,
    /// Post even if the same content went to the same account recently.
    #[serde(default)]
    pub(crate) force: bool,
    /// Schedule instead of posting now: as `schedule --at` (RFC 3339,
    /// `tomorrow 09:00`, `in 2h`, ...).
    pub(crate) at: Option<String>,
    /// With `at`: repeat (`30m`, `1d`, or a cron expression).
    pub(crate) every: Option<String>,
    /// With `at`: the time zone (IANA name); default this machine's.
    pub(crate) tz: Option<String>,
}

impl PostRequest {
    fn content(&self) -> Content {
        Content {
            text: self.text.clone(),
            title: self.title.clone(),
            url: self.url.clone(),
            media: self.media.clone(),
            subreddit: self.subreddit.clone(),
            flair: self.flair.clone(),
            text_for: self
                .text_for
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            fit: Fit {
                split: self.split,
                number: self.number,
                truncate: self.truncate,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Health {
    pub(crate) ok: bool,
    pub(crate) version: String,
}

/// A post accepted: posting now (follow it on `/api/v1/events` or
/// `/api/v1/posts/{id}`), or queued for later (`job`).
#[derive(Serialize, ToSchema)]
pub(crate) struct Accepted {
    pub(crate) id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) job: Option<WireJob>,
    /// For a scheduled post: what will hold it up, as `distroflow
    /// schedule` warns (a target with no saved session waits as
    /// `needs_login` until `distroflow login`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) warnings: Vec<String>,
}

/// An API post and each platform's result, exactly as `post --json`
/// prints them; for a scheduled post (`job-N`), its job.
#[derive(Serialize, ToSchema)]
pub(crate) struct PostView {
    pub(crate) id: String,
    pub(crate) state: PostState,
    pub(crate) targets: Vec<String>,
    pub(crate) results: Vec<WireResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) job: Option<WireJob>,
}

/// `check`'s verdicts: one object per platform, as `check --json` prints.
#[derive(Serialize, ToSchema)]
pub(crate) struct CheckAnswer {
    pub(crate) valid: bool,
    /// Per platform: `platform`, `valid`, `weighted_length` or `length`,
    /// `limit`, `parts`, `part_lengths`, `title`..., `errors`, `warnings`.
    #[schema(value_type = Vec<Object>)]
    pub(crate) checks: Vec<distroflow_core::Check>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct HistoryParams {
    /// Only this platform's attempts.
    pub(crate) platform: Option<String>,
    /// Only attempts that ended so: posted, failed, needs_human, uncertain, running, pending.
    pub(crate) status: Option<String>,
    /// Only attempts since then: RFC 3339 or a span back from now (`2d`, `12h`).
    pub(crate) since: Option<String>,
    /// How many of the newest (default 50).
    pub(crate) limit: Option<usize>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct QueueParams {
    /// Also done and cancelled jobs.
    #[serde(default)]
    pub(crate) all: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RetryParams {
    /// Also run a job that was cancelled.
    #[serde(default)]
    pub(crate) force: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AccountsParams {
    /// Read the saved files only; do not visit the sites.
    #[serde(default)]
    pub(crate) offline: bool,
}

/// The pairing route (reachable without a token, with a valid code only).
pub(crate) const PAIR_PATH: &str = "/api/v1/pair";

/// A pairing: the one-time code `distroflow serve --pair` printed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PairRequest {
    /// The code, as printed (`ABCD-EFGH`; case, spaces and dashes do not matter).
    pub(crate) code: String,
    /// What the token is for, shown by `distroflow tokens list`.
    pub(crate) label: Option<String>,
}

/// A client token of its own, shown this once.
#[derive(Serialize, ToSchema)]
pub(crate) struct Paired {
    /// Send as `Authorization: Bearer <token>`.
    pub(crate) token: String,
    /// Revoke it with `distroflow tokens revoke <id>`.
    pub(crate) id: String,
    pub(crate) label: String,
    /// The browser origin it is bound to (the extension's), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) origin: Option<String>,
}

/// Exchange a one-time pairing code (`distroflow serve --pair`, valid 5
/// minutes, single use, burned after 5 wrong guesses) for a client token
/// of its own. No token needed; from a browser, only an extension's
/// origin may pair, and the token is accepted from that origin only.
#[utoipa::path(post, path = "/api/v1/pair", tag = "server", security(()), request_body = PairRequest,
    responses((status = 201, body = Paired), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody, description = "The code is wrong, used or expired"),
              (status = 403, body = ErrorBody, description = "A web page's origin"),
              (status = 429, body = ErrorBody, description = "Too many wrong codes: the code is burned")))]
pub(crate) async fn pair(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Body(req): Body<PairRequest>,
) -> ApiResult<(StatusCode, Json<Paired>)> {
    use crate::clients::Refused;
    let origin = headers
        .get(axum::http::header::ORIGIN)
        .map(|o| o.to_str().unwrap_or_default().to_string());
    if let Some(o) = &origin {
        if !crate::clients::is_extension_origin(o) {
            return Err(ApiError::forbidden(
                "origin",
                format!("{o} may not pair: only a browser extension or a program may"),
                "pair from the DistroFlow extension's options page",
            ));
        }
    }
    let again = "run `distroflow serve --pair` for a new code (a code works once, for 5 minutes)";
    match state.pairing.redeem(&req.code) {
        Ok(()) => {}
        Err(Refused::Wrong { left }) => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "pair",
                "that pairing code is wrong",
                Some(&format!(
                    "copy the code `distroflow serve --pair` printed ({left} tries left)"
                )),
            ))
        }
        Err(Refused::TooMany) => {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "pair",
                "too many wrong pairing codes: the code no longer works",
                Some(again),
            ))
        }
        Err(Refused::Expired) => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "pair",
                "the pairing code expired",
                Some(again),
            ))
        }
        Err(Refused::NoCode) => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "pair",
                "no pairing code is open (it was used, or the server was not started with --pair)",
                Some(again),
            ))
        }
    }
    let label = req.label.unwrap_or_else(|| match &origin {
        Some(_) => "browser extension".into(),
        None => "client".into(),
    });
    let home = state.home.clone();
    let origin2 = origin.clone();
    let (token, rec) =
        tokio::task::spawn_blocking(move || crate::clients::add(&home, &label, origin2.as_deref()))
            .await
            .map_err(|e| {
                ApiError::from(distroflow_core::Error::Unexpected {
                    message: e.to_string(),
                })
            })??;
    tracing::info!(id = %rec.id, label = %rec.label, "paired a client");
    Ok((
        StatusCode::CREATED,
        Json(Paired {
            token,
            id: rec.id,
            label: rec.label,
            origin: rec.origin,
        }),
    ))
}

/// Whether the server is up (no token needed).
#[utoipa::path(get, path = "/api/v1/health", tag = "server", security(()),
    responses((status = 200, body = Health)))]
pub(crate) async fn health() -> Json<Health> {
    Json(Health {
        ok: true,
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "server",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"),
              (status = 401, body = ErrorBody)))]
pub(crate) async fn openapi(State(state): State<AppState>) -> impl IntoResponse {
    Json(state.openapi.get().cloned().unwrap_or_default())
}

/// Post now, or schedule with `at`. Validation is `distroflow post`'s own
/// (the same messages); invalid input is refused (400) and nothing is
/// posted or queued.
#[utoipa::path(post, path = "/api/v1/posts", tag = "posts",
    request_body(description = "JSON, or multipart/form-data with the same fields (text_for.<platform> for text_for) and `media` file parts, uploaded within the platforms' media limits",
        content((PostRequest = "application/json"), (PostRequest = "multipart/form-data"))),
    responses((status = 202, body = Accepted), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 503, body = ErrorBody, description = "The server is stopping")))]
pub(crate) async fn create_post(
    State(state): State<AppState>,
    input: crate::upload::PostInput,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    let uploads = input.uploads.clone();
    let answer = accept(&state, input).await;
    // Uploads of a refused post go at once; those of a scheduled one stay
    // until its job has run; a post running now removes them when done.
    if let (Err(_), Some(dir)) = (&answer, &uploads) {
        let _ = std::fs::remove_dir_all(dir);
    }
    answer
}

async fn accept(
    state: &AppState,
    input: crate::upload::PostInput,
) -> ApiResult<(StatusCode, Json<Accepted>)> {
    let crate::upload::PostInput { req, uploads } = input;
    let now = Timestamp::now();
    let when = match &req.at {
        Some(at) => Some(
            Schedule {
                at: at.clone(),
                every: req.every.clone(),
                tz: req.tz.clone(),
            }
            .when(now)?,
        ),
        None if req.every.is_some() || req.tz.is_some() => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "usage",
                "`every` and `tz` need `at`",
                Some("give `at` (when the first post goes out)"),
            ))
        }
        None => None,
    };
    let content = req.content();
    let config = state.config.clone();
    let to = req.to.clone();
    // Media files are read and typed: off the async threads.
    let prepared =
        tokio::task::spawn_blocking(move || distroflow_app::prepare(&to, &content, &config))
            .await
            .map_err(|e| {
                ApiError::from(distroflow_core::Error::Unexpected {
                    message: e.to_string(),
                })
            })??;
    if !prepared.problems.is_empty() {
        return Err(ApiError::refused(
            prepared
                .problems
                .iter()
                .map(|p| WireError {
                    kind: "invalid_content".into(),
                    platform: Some(p.platform.as_str().to_string()),
                    message: p.message.clone(),
                    hint: p.hint.clone(),
                    retry_after_secs: None,
                })
                .collect(),
        ));
    }
    if let Some(when) = when {
        let job = {
            let store = lock(&state.store);
            distroflow_app::enqueue(&store, when, &prepared, req.force, now)?
        };
        let wire = WireJob::from(&job);
        let mut warnings = Vec::new();
        let missing = distroflow_app::missing_sessions(&state.home, &prepared.targets)?;
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|p| p.display_name()).collect();
            let logins: Vec<String> = missing
                .iter()
                .map(|p| format!("`distroflow login {p}`"))
                .collect();
            warnings.push(format!(
                "no saved session for {}: the job will wait as needs_login until you run {}",
                names.join(", "),
                logins.join(" and ")
            ));
        }
        return Ok((
            StatusCode::ACCEPTED,
            Json(Accepted {
                id: format!("job-{}", job.id.0),
                job: Some(wire),
                warnings,
            }),
        ));
    }
    if state.is_stopping() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "stopping",
            "the server is stopping",
            Some("post again once it is back"),
        ));
    }
    let id = crate::token::random_hex()[..24].to_string();
    crate::runner::start(state, id.clone(), prepared, req.force, uploads);
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            id,
            job: None,
            warnings: Vec::new(),
        }),
    ))
}

/// A post made through the API (or `job-N`, a scheduled one) and its
/// results so far.
#[utoipa::path(get, path = "/api/v1/posts/{id}", tag = "posts",
    params(("id" = String, Path, description = "From POST /api/v1/posts")),
    responses((status = 200, body = PostView), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn get_post(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<PostView>> {
    if let Some(n) = id.strip_prefix("job-").and_then(|n| n.parse::<i64>().ok()) {
        let job = lock(&state.store).job(JobId(n))?;
        let job = job.ok_or_else(|| ApiError::not_found(format!("no post {id}")))?;
        let post_state = match job.state {
            JobState::Queued => PostState::Queued,
            JobState::Running => PostState::Running,
            _ => PostState::Done,
        };
        let wire = WireJob::from(&job);
        return Ok(Json(PostView {
            id,
            state: post_state,
            targets: wire.targets.clone(),
            results: Vec::new(),
            job: Some(wire),
        }));
    }
    let rec = state
        .post(&id)
        .ok_or_else(|| ApiError::not_found(format!("no post {id}")))?;
    Ok(Json(PostView {
        id: rec.id,
        state: rec.state,
        targets: rec.targets.iter().map(|t| t.as_str().to_string()).collect(),
        results: rec.results,
        job: None,
    }))
}

/// How long a prepared page waits for its post.
pub(crate) const PREPARE_KEEP: std::time::Duration = std::time::Duration::from_secs(90);

/// Pages loaded ahead of a post.
#[derive(Serialize, ToSchema)]
pub(crate) struct PrepareAnswer {
    /// The platforms whose page is loaded and waiting for the post.
    pub(crate) prepared: Vec<String>,
    /// The others, and why (their post is not affected: it loads the page
    /// itself).
    pub(crate) skipped: Vec<SkippedTarget>,
    /// How long the pages wait for the post, in seconds; ask again after.
    pub(crate) keep_secs: u64,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct SkippedTarget {
    pub(crate) platform: String,
    pub(crate) reason: String,
}

/// Load the targets' compose pages now, in the warm browser, each in its
/// own context with its own session, for the post that is being written:
/// a post sent within `keep_secs` starts on the loaded page instead of
/// loading it (what the dashboard and the extension ask when you pick
/// targets and write). Takes the same fields as a post (none is required
/// but `to`; Reddit needs `subreddit`); posts nothing. Asked again for the
/// same targets within a third of `keep_secs`, it loads nothing again.
/// Answers once the pages have loaded.
#[utoipa::path(post, path = "/api/v1/prepare", tag = "posts", request_body = PostRequest,
    responses((status = 200, body = PrepareAnswer), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 503, body = ErrorBody, description = "The server is stopping")))]
pub(crate) async fn prepare(
    State(state): State<AppState>,
    Body(req): Body<PostRequest>,
) -> ApiResult<Json<PrepareAnswer>> {
    if state.is_stopping() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "stopping",
            "the server is stopping",
            Some("post once it is back"),
        ));
    }
    let content = req.content();
    let to = req.to.clone();
    let (targets, post) = tokio::task::spawn_blocking(move || -> distroflow_core::Result<_> {
        let targets = distroflow_app::parse_targets(&to)?;
        let networks: Vec<distroflow_core::Network> = targets.iter().map(|&t| t.into()).collect();
        Ok((targets, distroflow_app::post_from(&content, &networks)?))
    })
    .await
    .map_err(|e| {
        ApiError::from(distroflow_core::Error::Unexpected {
            message: e.to_string(),
        })
    })??;
    let keep_secs = PREPARE_KEEP.as_secs();
    let skip_all = |reason: &str| PrepareAnswer {
        prepared: Vec::new(),
        skipped: targets
            .iter()
            .map(|t| SkippedTarget {
                platform: t.as_str().to_string(),
                reason: reason.to_string(),
            })
            .collect(),
        keep_secs,
    };
    // Only the server's own warm browser keeps pages: remote engines are
    // shared, and their jobs go wherever there is room.
    if !matches!(
        distroflow_app::browser_source(&state.config),
        Ok(distroflow_engine::BrowserSource::Launch(_))
    ) {
        return Ok(Json(skip_all(
            "remote browser engines are configured: the page loads when the post starts",
        )));
    }
    let browser = match state.warm.get().await {
        Ok(b) => b,
        Err(e) => return Ok(Json(skip_all(&format!("the browser cannot start: {e}")))),
    };
    let adapters = distroflow_app::adapters(&targets)?;
    let jobs = distroflow_app::make_jobs(
        adapters,
        &state.home,
        &state.config,
        None,
        &state.healer,
        None,
    )?;
    let answers = distroflow_engine::prepare(jobs, &post, &browser, PREPARE_KEEP).await;
    let mut out = PrepareAnswer {
        prepared: Vec::new(),
        skipped: Vec::new(),
        keep_secs,
    };
    for (platform, answer) in answers {
        match answer {
            distroflow_engine::Prepared::Ready => out.prepared.push(platform.as_str().to_string()),
            distroflow_engine::Prepared::Skipped(reason) => out.skipped.push(SkippedTarget {
                platform: platform.as_str().to_string(),
                reason,
            }),
        }
    }
    Ok(Json(out))
}

/// What each platform would get, without a browser: `check --json`'s
/// objects. `force` and `at` are ignored.
#[utoipa::path(post, path = "/api/v1/check", tag = "posts", request_body = PostRequest,
    responses((status = 200, body = CheckAnswer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn check(
    State(state): State<AppState>,
    Body(req): Body<PostRequest>,
) -> ApiResult<Json<CheckAnswer>> {
    let content = req.content();
    let mut limits = state.config.content_limits()?;
    let config = state.config.clone();
    let v = tokio::task::spawn_blocking(move || -> distroflow_core::Result<_> {
        let networks = distroflow_app::parse_networks(&req.to)?;
        // A Mastodon instance's own limit, as `check` applies it.
        distroflow_app::apply_instance_limits(&mut limits, &config, &networks);
        let mode = distroflow_app::overflow(content.fit)?;
        let post = distroflow_app::post_from(&content, &networks)?;
        Ok(distroflow_app::validate(&networks, post, mode, &limits))
    })
    .await
    .map_err(|e| {
        ApiError::from(distroflow_core::Error::Unexpected {
            message: e.to_string(),
        })
    })??;
    Ok(Json(CheckAnswer {
        valid: v.valid(),
        checks: v.checks,
    }))
}

/// Every post attempt, newest first: `history --json`'s objects, with its filters.
#[utoipa::path(get, path = "/api/v1/history", tag = "records", params(HistoryParams),
    responses((status = 200, body = Vec<WireAttempt>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn history(
    State(state): State<AppState>,
    Query(p): Query<HistoryParams>,
) -> ApiResult<Json<Vec<WireAttempt>>> {
    let query = HistoryQuery {
        platform: p.platform,
        status: p.status,
        since: p.since,
        limit: p.limit.unwrap_or(50),
    };
    let rows = tokio::task::spawn_blocking(move || {
        let store = lock(&state.store);
        distroflow_app::history(&store, &query, &jiff::Zoned::now())
    })
    .await
    .map_err(|e| {
        ApiError::from(distroflow_core::Error::Unexpected {
            message: e.to_string(),
        })
    })??;
    Ok(Json(rows))
}

/// Which platforms have a working session: `accounts --json`'s objects
/// (checked on the sites in the warm browser unless `offline`).
#[utoipa::path(get, path = "/api/v1/accounts", tag = "records", params(AccountsParams),
    responses((status = 200, body = Vec<WireAccount>), (status = 401, body = ErrorBody)))]
pub(crate) async fn accounts(
    State(state): State<AppState>,
    Query(p): Query<AccountsParams>,
) -> ApiResult<Json<Vec<WireAccount>>> {
    let warm = if p.offline {
        None
    } else {
        state.warm.get().await.ok()
    };
    let rows = distroflow_app::accounts(
        &state.home,
        &state.config,
        p.offline,
        warm,
        std::future::pending(),
    )
    .await?
    .unwrap_or_default();
    Ok(Json(rows))
}

/// Scheduled jobs: queued, running and failed (`all`: also done and cancelled).
#[utoipa::path(get, path = "/api/v1/queue", tag = "queue", params(QueueParams),
    responses((status = 200, body = Vec<WireJob>), (status = 401, body = ErrorBody)))]
pub(crate) async fn queue(
    State(state): State<AppState>,
    Query(p): Query<QueueParams>,
) -> ApiResult<Json<Vec<WireJob>>> {
    let jobs = lock(&state.store).jobs(distroflow_app::listed_states(p.all))?;
    Ok(Json(jobs.iter().map(WireJob::from).collect()))
}

fn existing_job(state: &AppState, id: i64) -> ApiResult<()> {
    match lock(&state.store).job(JobId(id))? {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found(format!("no job {id}"))),
    }
}

/// Cancel a queued job.
#[utoipa::path(delete, path = "/api/v1/queue/{id}", tag = "queue",
    params(("id" = i64, Path, description = "The job's number")),
    responses((status = 200, body = WireJob), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Json<WireJob>> {
    existing_job(&state, id)?;
    let job = lock(&state.store).cancel_job(JobId(id), Timestamp::now())?;
    Ok(Json(WireJob::from(&job)))
}

/// Run a failed job again now (a cancelled one only with `force`).
#[utoipa::path(post, path = "/api/v1/queue/{id}/retry", tag = "queue",
    params(("id" = i64, Path, description = "The job's number"), RetryParams),
    responses((status = 200, body = WireJob), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn retry(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(p): Query<RetryParams>,
) -> ApiResult<Json<WireJob>> {
    existing_job(&state, id)?;
    let job = lock(&state.store).retry_job(JobId(id), Timestamp::now(), p.force)?;
    Ok(Json(WireJob::from(&job)))
}

/// What self-healing did: `heal log --json`'s objects.
#[utoipa::path(get, path = "/api/v1/heal-log", tag = "records",
    responses((status = 200, body = Vec<WireRepair>), (status = 401, body = ErrorBody)))]
pub(crate) async fn heal_log(State(state): State<AppState>) -> ApiResult<Json<Vec<WireRepair>>> {
    let repairs = distroflow_healer::read_repairs(&state.home)?;
    Ok(Json(repairs.iter().map(WireRepair::from).collect()))
}

/// The browser engines posts run on: `engines --json`'s objects.
#[utoipa::path(get, path = "/api/v1/engines", tag = "records",
    responses((status = 200, body = Vec<WireEngine>), (status = 401, body = ErrorBody)))]
pub(crate) async fn engines(State(state): State<AppState>) -> ApiResult<Json<Vec<WireEngine>>> {
    let engines = distroflow_browser::Engines::new(
        state.config.endpoints()?,
        distroflow_app::browser_options(&state.config),
    );
    let status = engines.status().await;
    Ok(Json(status.iter().map(WireEngine::from).collect()))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "DistroFlow local API",
        description = "Post to X, Reddit, Hacker News and Instagram through DistroFlow's own browser and your saved sessions. Every route but /api/v1/health needs `Authorization: Bearer <token>` (the token is in $DISTROFLOW_HOME/api-token). Errors are {\"error\":{\"kind\",\"message\",\"hint\"}}."
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "server", description = "The server itself"),
        (name = "posts", description = "Post now or later, and check"),
        (name = "events", description = "Live progress"),
        (name = "queue", description = "Scheduled posts"),
        (name = "records", description = "History, sessions, repairs, engines"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API's routes: `public` needs no token (the health check, and the
/// WebSocket, which checks its token itself: browsers cannot set headers
/// on one), the rest do.
pub(crate) fn routers() -> (OpenApiRouter<AppState>, OpenApiRouter<AppState>) {
    use utoipa::OpenApi;
    let public = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(pair))
        .routes(routes!(crate::events::events));
    let private = OpenApiRouter::new()
        .routes(routes!(openapi))
        .routes(routes!(create_post))
        .routes(routes!(get_post))
        .routes(routes!(check))
        .routes(routes!(prepare))
        .routes(routes!(history))
        .routes(routes!(accounts))
        .routes(routes!(queue))
        .routes(routes!(cancel))
        .routes(routes!(retry))
        .routes(routes!(heal_log))
        .routes(routes!(engines));
    (public, private)
}
