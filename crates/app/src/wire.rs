//! The JSON objects DistroFlow prints (`--json`, one per line) and the
//! server answers with: dedicated wire structs, not domain types, so that
//! the CLI and the API give the very same objects.

use std::collections::BTreeMap;

use distroflow_core::PostResult;
use serde::Serialize;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// One refusal or failure: what happened and what to do.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema), schema(as = Problem))]
pub struct WireError {
    /// A stable name: `usage`, `invalid_content`, `auth`, `rate_limited`, ...
    pub kind: String,
    /// The platform it is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// For a rate limit: seconds until the next post is allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

impl WireError {
    pub fn of(e: &distroflow_core::Error) -> WireError {
        WireError {
            kind: e.kind().as_str().to_string(),
            platform: None,
            message: e.to_string(),
            hint: e.hint(),
            retry_after_secs: match e {
                distroflow_core::Error::RateLimited { retry_after, .. } => {
                    retry_after.map(|d| d.as_secs())
                }
                _ => None,
            },
        }
    }
}

/// One platform's result of a post: a line of `post --json`.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema), schema(as = PlatformResult))]
pub struct WireResult {
    pub platform: String,
    pub ok: bool,
    /// `posted`, `skipped` (already posted), `failed`, ...
    pub status: String,
    pub id: Option<String>,
    pub url: Option<String>,
    /// Every post's URL, for a thread.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thread_urls: Vec<String>,
    pub error: Option<WireError>,
    #[cfg_attr(feature = "openapi", schema(value_type = u64))]
    pub duration_ms: u128,
    /// The remote browser engine that ran the job, when not this machine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
}

impl From<&PostResult> for WireResult {
    fn from(r: &PostResult) -> WireResult {
        WireResult {
            platform: r.platform.as_str().to_string(),
            ok: r.ok,
            status: r.status.as_str().to_string(),
            id: r.id.clone(),
            url: r.url.clone(),
            thread_urls: r.thread.clone(),
            error: r.error.as_ref().map(|e| WireError {
                kind: e.kind.clone(),
                platform: None,
                message: e.message.clone(),
                hint: e.hint.clone(),
                retry_after_secs: e.retry_after.map(|d| d.as_secs()),
            }),
            duration_ms: r.duration.as_millis(),
            engine: r.engine.clone(),
        }
    }
}

/// A scheduled job: a line of `queue list --json`.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema), schema(as = Job))]
pub struct WireJob {
    pub id: i64,
    /// `queued`, `needs_login` (waits for `distroflow login`), `running`,
    /// `failed`, `done`, `cancelled`.
    pub state: String,
    /// RFC 3339.
    pub due_at: String,
    pub every: Option<String>,
    pub tz: String,
    pub targets: Vec<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub next_retry_at: Option<String>,
    /// The title, or the text's first line (60 characters at most).
    pub summary: String,
    /// Per platform: `{"state","url","error"}`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub results: BTreeMap<String, serde_json::Value>,
}

impl From<&distroflow_store::Job> for WireJob {
    fn from(job: &distroflow_store::Job) -> WireJob {
        WireJob {
            id: job.id.0,
            state: job.state.as_str().to_string(),
            due_at: job.due_at.to_string(),
            every: job.every.clone(),
            tz: job.tz.clone(),
            targets: job.targets.iter().map(|t| t.as_str().to_string()).collect(),
            attempts: job.attempts,
            last_error: job.last_error.clone(),
            next_retry_at: job.next_retry_at.map(|t| t.to_string()),
            summary: job
                .payload
                .title
                .clone()
                .unwrap_or_else(|| job.payload.text.lines().next().unwrap_or_default().to_string())
                .chars()
                .take(60)
                .collect(),
            results: job
                .results
                .iter()
                .map(|(p, r)| {
                    (
                        p.as_str().to_string(),
                        serde_json::json!({ "state": r.state.as_str(), "url": r.url, "error": r.error }),
                    )
                })
                .collect(),
        }
    }
}

/// One post attempt: a line of `history --json`.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema), schema(as = Attempt))]
pub struct WireAttempt {
    pub id: i64,
    pub platform: String,
    pub account: String,
    /// `posted`, `failed`, `needs_human`, `uncertain`, `running`, `pending`.
    pub state: String,
    pub summary: String,
    pub url: Option<String>,
    pub post_id: Option<String>,
    pub error_kind: Option<String>,
    pub error: Option<String>,
    pub content_hash: String,
    pub created_at: String,
    pub finished_at: Option<String>,
}

impl From<&distroflow_store::AttemptRow> for WireAttempt {
    fn from(r: &distroflow_store::AttemptRow) -> WireAttempt {
        WireAttempt {
            id: r.id.0,
            platform: r.platform.as_str().to_string(),
            account: r.account.clone(),
            state: r.state.as_str().to_string(),
            summary: r.summary.clone(),
            url: r.url.clone(),
            post_id: r.post_id.clone(),
            error_kind: r.error_kind.clone(),
            error: r.error.clone(),
            content_hash: r.content_hash.as_str().to_string(),
            created_at: r.created_at.to_string(),
            finished_at: r.finished_at.map(|t| t.to_string()),
        }
    }
}

/// One platform's session: a line of `accounts --json`.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema), schema(as = Account))]
pub struct WireAccount {
    pub platform: String,
    /// `logged_in`, `saved`, `expired`, `none`.
    pub status: String,
    pub username: Option<String>,
    /// When the session was saved, RFC 3339 (UTC).
    pub saved_at: Option<String>,
    /// Whether the site was visited to check it.
    pub checked: bool,
    pub error: Option<String>,
}

/// One repair of the healer: a line of `heal log --json`, with its time
/// as RFC 3339 (UTC) and `cost_usd` null when the model's price is unknown.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema), schema(as = Repair))]
pub struct WireRepair {
    pub time: String,
    pub platform: String,
    pub target: String,
    /// `learned`, `fingerprint`, `role`, `model`, ...
    pub tier: String,
    pub old_selector: String,
    pub selector: String,
    pub score: f64,
    pub latency_ms: u64,
    pub tokens: u64,
    pub cost_usd: Option<f64>,
    pub confirmed: bool,
    pub url: String,
}

impl From<&distroflow_healer::Repair> for WireRepair {
    fn from(r: &distroflow_healer::Repair) -> WireRepair {
        WireRepair {
            time: rfc3339(r.time).unwrap_or_else(|| r.time.to_string()),
            platform: r.platform.clone(),
            target: r.target.clone(),
            tier: r.tier.clone(),
            old_selector: r.old_selector.clone(),
            selector: r.selector.clone(),
            score: r.score,
            latency_ms: r.latency_ms,
            tokens: r.tokens,
            cost_usd: r.cost_usd,
            confirmed: r.confirmed,
            url: r.url.clone(),
        }
    }
}

/// One browser engine: a line of `engines --json`.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema), schema(as = Engine))]
pub struct WireEngine {
    pub name: String,
    pub kind: String,
    pub url: String,
    pub reachable: bool,
    pub version: Option<String>,
    pub max_sessions: usize,
    pub in_use: usize,
    pub free: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u64>))]
    pub latency_ms: Option<u128>,
    pub error: Option<String>,
}

impl From<&distroflow_browser::EngineStatus> for WireEngine {
    fn from(s: &distroflow_browser::EngineStatus) -> WireEngine {
        WireEngine {
            name: s.name.clone(),
            kind: s.kind.as_str().to_string(),
            url: s.url.clone(),
            reachable: s.reachable,
            version: s.version.clone(),
            max_sessions: s.max_sessions,
            in_use: s.in_use,
            free: s.max_sessions.saturating_sub(s.in_use),
            latency_ms: s.latency.map(|l| l.as_millis()),
            error: s.error.clone(),
        }
    }
}

/// Epoch seconds (as auth files and the repair log store them) as RFC
/// 3339 in UTC.
pub fn rfc3339(epoch_secs: u64) -> Option<String> {
    let secs = i64::try_from(epoch_secs).ok()?;
    jiff::Timestamp::from_second(secs)
        .ok()
        .map(|t| t.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn saved_times_are_rfc_3339() {
        assert_eq!(
            super::rfc3339(1_772_704_800).as_deref(),
            Some("2026-03-05T10:00:00Z")
        );
        assert_eq!(super::rfc3339(u64::MAX), None);
    }
}
