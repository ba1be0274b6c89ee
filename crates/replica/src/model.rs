//! A local, deterministic stand-in for an OpenAI-compatible chat endpoint,
//! for testing the healer's `model` tier without the internet. It reads the
//! real request (the candidates listed in the text part, the screenshot in
//! the image part) and answers with the candidate that shares the most words
//! with the description of the target.

use std::collections::HashSet;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::server::{Running, LOOPBACK_ANY_PORT};

/// What one request to the fake model carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelRequest {
    pub model: String,
    /// The target named in the prompt.
    pub target: String,
    /// How many candidates were listed.
    pub candidates: usize,
    /// Whether a `data:image/png;base64,` screenshot was attached.
    pub has_image: bool,
    /// The candidate chosen (1-based), if any.
    pub answered: Option<usize>,
}

#[derive(Default)]
struct Inner {
    requests: Vec<ModelRequest>,
    /// Answer this (1-based) instead of choosing; `Some(None)` answers null.
    forced: Option<Option<usize>>,
}

/// A running fake model on `127.0.0.1`. Point `DISTROFLOW_AI_BASE_URL` at
/// [`FakeModel::url`].
pub struct FakeModel {
    server: Running,
    inner: Arc<Mutex<Inner>>,
}

impl FakeModel {
    pub async fn start() -> io::Result<FakeModel> {
        Self::start_on(LOOPBACK_ANY_PORT).await
    }

    pub async fn start_on(addr: SocketAddr) -> io::Result<FakeModel> {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/chat/completions", post(complete))
            .route("/v1/chat/completions", post(complete))
            .with_state(Arc::clone(&inner));
        let server = Running::start(addr, app).await?;
        Ok(FakeModel { server, inner })
    }

    /// The API base, `http://127.0.0.1:PORT/v1`.
    pub fn url(&self) -> String {
        format!("{}/v1", self.server.url())
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<ModelRequest> {
        self.inner
            .lock()
            .map(|i| i.requests.clone())
            .unwrap_or_default()
    }

    /// Makes every later answer this candidate (1-based), or null.
    pub fn force_answer(&self, candidate: Option<usize>) {
        if let Ok(mut i) = self.inner.lock() {
            i.forced = Some(candidate);
        }
    }

    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

fn words(s: &str) -> HashSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

async fn complete(State(inner): State<Arc<Mutex<Inner>>>, Json(body): Json<Value>) -> Response {
    let model = body["model"].as_str().unwrap_or_default().to_string();
    let mut text = String::new();
    let mut has_image = false;
    for m in body["messages"].as_array().into_iter().flatten() {
        if m["role"] != "user" {
            continue;
        }
        match &m["content"] {
            Value::String(s) => text.push_str(s),
            Value::Array(parts) => {
                for p in parts {
                    match p["type"].as_str() {
                        Some("text") => text.push_str(p["text"].as_str().unwrap_or_default()),
                        Some("image_url") => {
                            has_image |= p["image_url"]["url"].as_str().is_some_and(|u| {
                                u.starts_with("data:image/png;base64,") && u.len() > 100
                            })
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    if text.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"message": "no user text"}})),
        )
            .into_response();
    }
    let line = |prefix: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let target = line("Target:");
    let looked_like = line("It looked like:");
    let candidates: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Candidates:"))
        .skip(1)
        .filter(|l| {
            l.split_once(". ")
                .is_some_and(|(n, _)| n.parse::<usize>().is_ok())
        })
        .collect();
    let want: HashSet<String> = words(&looked_like)
        .union(&words(&target))
        .cloned()
        .collect();
    let mut guard = match inner.lock() {
        Ok(g) => g,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let answered = match guard.forced {
        Some(forced) => forced,
        None => candidates
            .iter()
            .enumerate()
            .map(|(i, c)| (i + 1, words(c).intersection(&want).count()))
            .max_by_key(|(i, n)| (*n, usize::MAX - i))
            .filter(|(_, n)| *n > 0)
            .map(|(i, _)| i),
    };
    guard.requests.push(ModelRequest {
        model: model.clone(),
        target,
        candidates: candidates.len(),
        has_image,
        answered,
    });
    let content =
        json!({ "candidate": answered, "confidence": if answered.is_some() { 0.9 } else { 0.0 } });
    let prompt_tokens = text.len() / 4 + if has_image { 85 } else { 0 };
    Json(json!({
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": content.to_string() },
            "finish_reason": "stop"
        }],
        "usage": { "prompt_tokens": prompt_tokens, "completion_tokens": 12, "total_tokens": prompt_tokens + 12 }
    }))
    .into_response()
}
