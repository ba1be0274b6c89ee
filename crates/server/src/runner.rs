//! An API post: run in the background through the same fan-out and
//! ledger as `distroflow post`, on the warm browser, with every step sent
//! to the WebSockets.

use std::sync::Arc;

use distroflow_app::wire::WireResult;
use distroflow_app::Prepared;
use distroflow_core::PlatformId;
use distroflow_engine::{BrowserSource, RunEnd, StepFn};
use serde_json::json;

use crate::state::{AppState, PostRecord, PostState};

/// Queues `prepared` as post `id` and starts it; returns at once.
/// `uploads`: the folder of the files sent with it, removed when it is done.
pub(crate) fn start(
    state: &AppState,
    id: String,
    prepared: Prepared,
    force: bool,
    uploads: Option<std::path::PathBuf>,
) {
    let targets = prepared.targets.clone();
    state.remember(PostRecord {
        id: id.clone(),
        state: PostState::Queued,
        targets: targets.clone(),
        results: Vec::new(),
    });
    state.emit(json!({
        "type": "post.queued",
        "post_id": id,
        "targets": targets.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
    }));
    state.running.send_modify(|n| *n += 1);
    let state = state.clone();
    tokio::spawn(async move {
        run(&state, &id, prepared, force).await;
        if let Some(dir) = uploads {
            let _ = std::fs::remove_dir_all(dir);
        }
        state.running.send_modify(|n| *n -= 1);
    });
}

async fn run(state: &AppState, id: &str, prepared: Prepared, force: bool) {
    state.update(id, |r| r.state = PostState::Running);
    let Prepared { post, adapters, .. } = prepared;
    let ledger = state.ledgers[usize::from(force)].clone();
    let jobs = distroflow_app::make_jobs(
        adapters.clone(),
        &state.home,
        &state.config,
        None,
        &state.healer,
        Some(&ledger),
    );
    let results = match jobs {
        Err(e) => {
            let message = e.to_string();
            let results: Vec<_> = adapters
                .iter()
                .map(|a| {
                    distroflow_core::PostResult::from_outcome(
                        a.id(),
                        Err(distroflow_core::Error::Unexpected {
                            message: message.clone(),
                        }),
                        std::time::Duration::ZERO,
                    )
                })
                .collect();
            for r in &results {
                let mut event = serde_json::to_value(WireResult::from(r)).unwrap_or_default();
                event["type"] = "job.finished".into();
                event["post_id"] = id.into();
                state.emit(event);
            }
            results
        }
        Ok(jobs) => {
            let source = source(state).await;
            let steps: StepFn = {
                let state = state.clone();
                let id = id.to_string();
                Arc::new(move |platform: PlatformId, step: &'static str| {
                    let event = if step == "started" {
                        json!({"type": "job.started", "post_id": id, "platform": platform.as_str()})
                    } else {
                        json!({"type": "job.step", "post_id": id, "platform": platform.as_str(), "step": step})
                    };
                    state.emit(event);
                })
            };
            let end = distroflow_engine::run_observed(
                jobs,
                post,
                source,
                state.config.job_timeout(),
                |r| {
                    let wire = WireResult::from(r);
                    let mut event = serde_json::to_value(&wire).unwrap_or_default();
                    event["type"] = "job.finished".into();
                    event["post_id"] = id.into();
                    state.emit(event);
                    state.update(id, |rec| rec.results.push(wire));
                },
                Some(steps),
                std::future::pending(),
            )
            .await;
            match end {
                RunEnd::Done(results) => results,
                RunEnd::Interrupted => Vec::new(),
            }
        }
    };
    let wire: Vec<WireResult> = results.iter().map(WireResult::from).collect();
    state.update(id, |r| {
        r.state = PostState::Done;
        r.results = wire.clone();
    });
    state.emit(json!({
        "type": "post.finished",
        "post_id": id,
        "ok": !wire.is_empty() && wire.iter().all(|r| r.ok),
        "results": wire,
    }));
}

/// The warm browser, unless remote engines are configured (then the jobs
/// are spread over them, as for `post`). A browser that cannot start
/// fails the jobs with its reason, as for `post`.
async fn source(state: &AppState) -> BrowserSource {
    match distroflow_app::browser_source(&state.config) {
        Ok(BrowserSource::Launch(options)) => match state.warm.get().await {
            Ok(b) => BrowserSource::Shared(b),
            Err(e) => {
                tracing::warn!("the warm browser cannot start: {e}");
                BrowserSource::Launch(options)
            }
        },
        Ok(other) => other,
        Err(e) => {
            tracing::warn!("{e}");
            BrowserSource::Launch(distroflow_app::browser_options(&state.config))
        }
    }
}
