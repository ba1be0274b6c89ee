//! A local, deterministic stand-in for an OpenAI-compatible chat endpoint
//! that triages replies (`distroflow replies --triage`), for tests and the
//! benchmark without the internet. It reads the real request: the system
//! instructions, the strict JSON schema in `response_format`, and the
//! replies as lines `1: text` in the user message; it answers each reply by
//! keywords, in the schema's compact shape: one code per reply for label
//! and priority, and a reason only where the schema's branch for that code
//! has one (`{"items": [{"i": 1, "l": "q", "r": "asks a question"},
//! {"i": 2, "l": "p"}]}`), as a model held to the schema would.
//!
//! Token counts are estimated at 4 characters a token, of the real prompt
//! and of the real answer; a system prompt identical to the previous
//! request's (and at least 1024 tokens) is reported as cached in 128-token
//! steps, like OpenAI's prompt cache.
//!
//! A model whose name contains `nano` answers worse on purpose (every
//! fourth label becomes `other`), so that model choice can be tested.

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

/// What one triage request carried.
#[derive(Clone, Debug, PartialEq)]
pub struct TriageRequest {
    pub model: String,
    /// The system message, byte for byte.
    pub system: String,
    /// The ids of the replies asked about, in order (`1`, `2`, ...).
    pub ids: Vec<String>,
    /// The request's `response_format`, as sent.
    pub response_format: Value,
}

#[derive(Default)]
struct Inner {
    requests: Vec<TriageRequest>,
    /// Break this many items of the next answer (missing or invalid).
    malform_next: usize,
    /// Fail every request with this status.
    fail: Option<u16>,
    /// Report this many prompt tokens as cached in every answer (a
    /// provider whose cache threshold is lower than OpenAI's).
    cached: Option<u64>,
}

/// A running fake triage model on `127.0.0.1`. Point
/// `DISTROFLOW_AI_BASE_URL` at [`FakeTriageModel::url`].
pub struct FakeTriageModel {
    server: Running,
    inner: Arc<Mutex<Inner>>,
}

impl FakeTriageModel {
    pub async fn start() -> io::Result<FakeTriageModel> {
        Self::start_on(LOOPBACK_ANY_PORT).await
    }

    pub async fn start_on(addr: SocketAddr) -> io::Result<FakeTriageModel> {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/chat/completions", post(complete))
            .route("/v1/chat/completions", post(complete))
            .with_state(Arc::clone(&inner));
        let server = Running::start(addr, app).await?;
        Ok(FakeTriageModel { server, inner })
    }

    /// The API base, `http://127.0.0.1:PORT/v1`.
    pub fn url(&self) -> String {
        format!("{}/v1", self.server.url())
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<TriageRequest> {
        self.inner
            .lock()
            .map(|i| i.requests.clone())
            .unwrap_or_default()
    }

    /// In the next answer, the last `n` items are broken: the first left
    /// out, the second with a code outside the schema, the third with an
    /// id never asked about, the fourth with another reply's id, and so on
    /// in turn.
    pub fn malform_next(&self, n: usize) {
        if let Ok(mut i) = self.inner.lock() {
            i.malform_next = n;
        }
    }

    /// Reports `tokens` of every later request's prompt as served from the
    /// provider's cache (at most the prompt's size).
    pub fn report_cached(&self, tokens: u64) {
        if let Ok(mut i) = self.inner.lock() {
            i.cached = Some(tokens);
        }
    }

    /// Answers every later request with this HTTP status (an outage).
    pub fn fail_with(&self, status: u16) {
        if let Ok(mut i) = self.inner.lock() {
            i.fail = Some(status);
        }
    }

    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// The fake's verdict on one reply: (label, needs_reply, priority, reason).
pub fn keyword_verdict(text: &str) -> (&'static str, bool, u8, &'static str) {
    let t = text.to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if any(&[
        "crypto",
        "followers",
        "dm me",
        "promo code",
        "click here",
        "free money",
        "check my profile",
        "giveaway",
        "airdrop",
    ]) {
        ("spam", false, 0, "promotion unrelated to the post")
    } else if any(&[
        "bug",
        "crash",
        "error",
        "broken",
        "doesn't work",
        "does not work",
        "fails",
        "failed",
        "panic",
        "regression",
    ]) {
        ("bug", true, 3, "reports something not working")
    } else if t.contains('?') {
        ("question", true, 2, "asks a question")
    } else if any(&[
        "slow",
        "worse",
        "hate",
        "useless",
        "disappoint",
        "overpriced",
        "bloated",
        "confusing",
        "not convinced",
        "meh",
    ]) {
        ("criticism", true, 1, "critical of the project")
    } else if any(&[
        "love",
        "great",
        "awesome",
        "thanks",
        "thank you",
        "nice",
        "amazing",
        "congrat",
        "well done",
        "cool",
    ]) {
        ("praise", false, 0, "positive feedback")
    } else {
        ("other", false, 0, "nothing to answer")
    }
}

fn tokens(chars: usize) -> u64 {
    chars.div_ceil(4) as u64
}

async fn complete(State(inner): State<Arc<Mutex<Inner>>>, Json(body): Json<Value>) -> Response {
    let bad = |msg: &str| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": {"message": msg}})),
        )
            .into_response()
    };
    let model = body["model"].as_str().unwrap_or_default().to_string();
    let text_of = |m: &Value| match &m["content"] {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str())
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    };
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let system: String = messages
        .iter()
        .filter(|m| m["role"] == "system" || m["role"] == "developer")
        .map(text_of)
        .collect();
    let user: String = messages
        .iter()
        .filter(|m| m["role"] == "user")
        .map(text_of)
        .collect();
    let asked: Vec<(String, String)> = user
        .lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(id, text)| (id.trim().to_string(), text.to_string()))
        .collect();
    if asked.is_empty() || asked.iter().any(|(id, _)| id.parse::<u32>().is_err()) {
        return bad("the user message is not lines of `id: reply`");
    }
    // The schema's branches: which codes it takes, and which carry `r`.
    let branches: Vec<Value> = body["response_format"]["json_schema"]["schema"]["properties"]
        ["items"]["items"]["anyOf"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let takes_reason = |code: &str| {
        branches.iter().any(|b| {
            b["properties"]["r"].is_object()
                && b["properties"]["l"]["enum"]
                    .as_array()
                    .is_some_and(|e| e.iter().any(|c| c == code))
        })
    };
    let mut guard = match inner.lock() {
        Ok(g) => g,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let previous_system = guard.requests.last().map(|r| r.system.clone());
    guard.requests.push(TriageRequest {
        model: model.clone(),
        system: system.clone(),
        ids: asked.iter().map(|(id, _)| id.clone()).collect(),
        response_format: body["response_format"].clone(),
    });
    if let Some(status) = guard.fail {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, Json(json!({"error": {"message": "fake outage"}}))).into_response();
    }
    let worse = model.contains("nano");
    let mut answers: Vec<Value> = asked
        .iter()
        .enumerate()
        .map(|(n, (id, text))| {
            let (mut label, _needs_reply, mut priority, reason) = keyword_verdict(text);
            if worse && n % 4 == 3 {
                (label, priority) = ("other", 0);
            }
            let code = match (label, priority) {
                ("criticism", 0) => "n",
                (l, _) => &l[..1],
            };
            let id = id.parse::<u32>().unwrap_or(0);
            if takes_reason(code) {
                json!({"i": id, "l": code, "r": reason})
            } else {
                json!({"i": id, "l": code})
            }
        })
        .collect();
    let forced_cached = guard.cached;
    let broken = std::mem::take(&mut guard.malform_next).min(answers.len());
    let start = answers.len() - broken;
    let mut drop_at = Vec::new();
    for k in 0..broken {
        let i = start + k;
        match k % 4 {
            0 => drop_at.push(i),
            1 => answers[i]["l"] = json!("urgent"),
            2 => answers[i]["i"] = json!(999),
            _ => answers[i]["i"] = answers[0]["i"].clone(),
        }
    }
    for i in drop_at.into_iter().rev() {
        answers.remove(i);
    }
    drop(guard);
    let content = json!({ "items": answers }).to_string();
    let system_tokens = tokens(system.len());
    let prompt_tokens = system_tokens + tokens(user.len());
    let cached = if let Some(n) = forced_cached {
        n.min(prompt_tokens)
    } else if previous_system.as_deref() == Some(system.as_str()) && system_tokens >= 1024 {
        system_tokens / 128 * 128
    } else {
        0
    };
    let completion_tokens = tokens(content.len());
    Json(json!({
        "id": "chatcmpl-fake-triage",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": content },
            "finish_reason": "stop"
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": { "cached_tokens": cached }
        }
    }))
    .into_response()
}
