//! The `model` tier: when no cheaper tier found the element, ask a vision
//! model through any OpenAI-compatible endpoint to choose among the page's
//! top-ranked candidates, shown a screenshot. Off unless configured
//! (`DISTROFLOW_AI_BASE_URL`, `DISTROFLOW_AI_MODEL`, `OPENAI_API_KEY`);
//! capped per run and per day; every call's tokens and cost recorded, the
//! cost at the configured model's own price ([`Prices`]), or unknown.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_openai::config::OpenAIConfig;
use async_openai::types::chat::{
    ChatCompletionRequestMessageContentPartImage, ChatCompletionRequestMessageContentPartText,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    ChatCompletionRequestUserMessageContent, ChatCompletionRequestUserMessageContentPart,
    CreateChatCompletionRequest, ImageDetail, ImageUrl, ResponseFormat,
};
use async_openai::Client;
use base64::Engine;
use distroflow_core::{ElementInfo, Error, Result, Secret};
use serde::Deserialize;

use crate::prices::{Price, Prices};

/// How to reach the model and how much it may cost.
#[derive(Clone, Debug)]
pub struct ModelConfig {
    /// e.g. `https://api.openai.com/v1` or a local server.
    pub base_url: String,
    pub model: String,
    pub api_key: Secret,
    pub max_calls_per_run: u32,
    pub max_calls_per_day: u32,
    /// The model's list price; `None`: the cost of a call is unknown.
    pub price: Option<Price>,
    pub timeout: Duration,
}

impl ModelConfig {
    /// From the environment: `DISTROFLOW_AI_BASE_URL` (required to turn the
    /// tier on), `DISTROFLOW_AI_MODEL` (default `gpt-4o-mini`),
    /// `OPENAI_API_KEY`, and optional `DISTROFLOW_AI_MAX_CALLS_PER_RUN`
    /// (default 5) and `DISTROFLOW_AI_MAX_CALLS_PER_DAY` (default 50).
    /// The model's price comes from `prices`, or from
    /// `DISTROFLOW_AI_INPUT_PER_MTOK`/`DISTROFLOW_AI_OUTPUT_PER_MTOK`.
    pub fn from_env(prices: &Prices) -> Result<Option<ModelConfig>> {
        let Some(base_url) = std::env::var("DISTROFLOW_AI_BASE_URL")
            .ok()
            .filter(|s| !s.trim().is_empty())
        else {
            return Ok(None);
        };
        let num = |k: &str, d: u32| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(d)
        };
        let model = std::env::var("DISTROFLOW_AI_MODEL")
            .ok()
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "gpt-4o-mini".into());
        let price = prices.clone().with_env(&model)?.get(&model);
        if price.is_none() {
            tracing::info!(
                model = %model,
                "no price known for this model: its calls' cost is recorded as unknown \
                 (set [ai.prices.\"{model}\"] in config.toml)"
            );
        }
        Ok(Some(ModelConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key: Secret::new(std::env::var("OPENAI_API_KEY").unwrap_or_default()),
            max_calls_per_run: num("DISTROFLOW_AI_MAX_CALLS_PER_RUN", 5),
            max_calls_per_day: num("DISTROFLOW_AI_MAX_CALLS_PER_DAY", 50),
            price,
            model,
            timeout: Duration::from_secs(30),
        }))
    }
}

impl ModelConfig {
    /// An OpenAI-compatible client for this endpoint and key (shared by
    /// every DistroFlow feature that calls a model: the healer's model tier,
    /// reply triage).
    pub fn client(&self) -> Client<OpenAIConfig> {
        let oa = OpenAIConfig::new()
            .with_api_base(self.base_url.clone())
            .with_api_key(self.api_key.expose().to_string());
        Client::with_config(oa)
    }
}

/// What the model chose, and what it cost.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelAnswer {
    /// Index into the candidates given.
    pub choice: Option<usize>,
    pub confidence: f64,
    pub tokens: u64,
    /// `None` when the model's price is unknown.
    pub cost_usd: Option<f64>,
}

#[derive(Deserialize)]
struct Reply {
    candidate: Option<serde_json::Value>,
    #[serde(default)]
    confidence: Option<f64>,
}

/// The model tier of a run (counts its calls).
pub struct ModelTier {
    config: ModelConfig,
    client: Client<OpenAIConfig>,
    calls: AtomicU32,
}

const SYSTEM: &str =
    "You find one element on a web page for a posting step of a browser automation. \
You are given the step's target, what the element looked like before, a screenshot, and numbered \
candidates. Answer with JSON only: {\"candidate\": <number or null>, \"confidence\": <0..1>}. \
Choose null when no candidate clearly is the target. Never choose an element that deletes, \
discards, blocks or reports.";

impl ModelTier {
    pub fn new(config: ModelConfig) -> ModelTier {
        ModelTier {
            client: config.client(),
            config,
            calls: AtomicU32::new(0),
        }
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Takes one call from this run's budget, if any is left.
    pub(crate) fn take_call(&self, calls_today: u32) -> bool {
        if calls_today >= self.config.max_calls_per_day {
            return false;
        }
        self.calls
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.config.max_calls_per_run).then_some(n + 1)
            })
            .is_ok()
    }

    /// Asks the model which candidate is `target`.
    pub async fn choose(
        &self,
        target: &str,
        fingerprint: &ElementInfo,
        screenshot_png: &[u8],
        candidates: &[&ElementInfo],
    ) -> Result<ModelAnswer> {
        let mut prompt = format!(
            "Target: {target}\nIt looked like: {}\nCandidates:\n",
            describe(fingerprint)
        );
        for (i, c) in candidates.iter().enumerate() {
            prompt.push_str(&format!("{}. {}\n", i + 1, describe(c)));
        }
        let image = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(screenshot_png)
        );
        let user = ChatCompletionRequestUserMessage {
            content: ChatCompletionRequestUserMessageContent::Array(vec![
                ChatCompletionRequestUserMessageContentPart::Text(
                    ChatCompletionRequestMessageContentPartText {
                        text: prompt,
                        prompt_cache_breakpoint: None,
                    },
                ),
                ChatCompletionRequestUserMessageContentPart::ImageUrl(
                    ChatCompletionRequestMessageContentPartImage {
                        image_url: ImageUrl {
                            url: image,
                            detail: Some(ImageDetail::Low),
                        },
                        prompt_cache_breakpoint: None,
                    },
                ),
            ]),
            name: None,
        };
        let system = ChatCompletionRequestSystemMessage {
            content: SYSTEM.into(),
            name: None,
        };
        let request = CreateChatCompletionRequest {
            model: self.config.model.clone(),
            messages: vec![system.into(), user.into()],
            response_format: Some(ResponseFormat::JsonObject),
            temperature: Some(0.0),
            max_completion_tokens: Some(60),
            ..Default::default()
        };
        let response =
            tokio::time::timeout(self.config.timeout, self.client.chat().create(request))
                .await
                .map_err(|_| Error::Timeout {
                    what: "the model's answer".into(),
                    after: self.config.timeout,
                })?
                .map_err(|e| Error::Network {
                    url: self.config.base_url.clone(),
                    message: format!("model call failed: {e}"),
                })?;
        let (input, output) = response
            .usage
            .as_ref()
            .map(|u| (u.prompt_tokens as u64, u.completion_tokens as u64))
            .unwrap_or((0, 0));
        let cost_usd = self.config.price.map(|p| p.cost(input, output));
        let content = response
            .choices
            .first()
            .and_then(|c| c.message.content.clone())
            .unwrap_or_default();
        let reply: Option<Reply> = serde_json::from_str(strip_fences(&content)).ok();
        let choice = reply
            .as_ref()
            .and_then(|r| r.candidate.as_ref())
            .and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            })
            .and_then(|n| (n as usize).checked_sub(1))
            .filter(|i| *i < candidates.len());
        Ok(ModelAnswer {
            choice,
            confidence: reply
                .and_then(|r| r.confidence)
                .unwrap_or(0.0)
                .clamp(0.0, 1.0),
            tokens: input + output,
            cost_usd,
        })
    }
}

fn strip_fences(s: &str) -> &str {
    let t = s.trim();
    let t = t
        .strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .unwrap_or(t);
    t.strip_suffix("```").unwrap_or(t).trim()
}

/// One line about an element, for the prompt.
pub(crate) fn describe(e: &ElementInfo) -> String {
    let mut s = format!("<{}", if e.tag.is_empty() { "?" } else { &e.tag });
    if !e.role.is_empty() {
        s.push_str(&format!(" role={:?}", e.role));
    }
    for (k, v) in &e.attrs {
        s.push_str(&format!(
            " {k}={:?}",
            v.chars().take(60).collect::<String>()
        ));
    }
    s.push('>');
    if !e.name.is_empty() {
        s.push_str(&format!(
            " name {:?}",
            e.name.chars().take(80).collect::<String>()
        ));
    }
    if !e.text.is_empty() {
        s.push_str(&format!(
            " text {:?}",
            e.text.chars().take(80).collect::<String>()
        ));
    }
    if !e.neighbor_text.is_empty() {
        s.push_str(&format!(
            " label {:?}",
            e.neighbor_text.chars().take(60).collect::<String>()
        ));
    }
    if e.rect[2] > 0.0 {
        s.push_str(&format!(
            " at ({:.0},{:.0}) {:.0}x{:.0}",
            e.rect[0], e.rect[1], e.rect[2], e.rect[3]
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element(tag: &str, name: &str) -> ElementInfo {
        ElementInfo {
            tag: tag.into(),
            name: name.into(),
            visible: true,
            ..ElementInfo::default()
        }
    }

    /// Through a local OpenAI-compatible server: each model's call costs
    /// that model's price; a model without one costs "unknown", not 0 and
    /// not another model's price.
    #[tokio::test]
    async fn a_call_costs_its_own_models_price_or_is_unknown() {
        let fake = distroflow_replica::FakeModel::start().await.unwrap();
        let prices = Prices::default();
        let ask = |model: &str| {
            let tier = ModelTier::new(ModelConfig {
                base_url: fake.url(),
                model: model.into(),
                api_key: Secret::new("sk-test"),
                max_calls_per_run: 5,
                max_calls_per_day: 50,
                price: prices.get(model),
                timeout: Duration::from_secs(10),
            });
            async move {
                let fp = element("input", "title");
                let (a, b) = (element("input", "title"), element("button", "submit"));
                tier.choose("hackernews.submit.title", &fp, b"png", &[&a, &b])
                    .await
                    .unwrap()
            }
        };
        // The fake answers 12 completion tokens; the rest are the prompt's.
        let mini = ask("gpt-4o-mini").await;
        let big = ask("gpt-4o").await;
        assert_eq!(mini.choice, Some(0));
        assert_eq!(mini.tokens, big.tokens, "same prompt, same tokens");
        let (input, output) = (mini.tokens - 12, 12);
        assert_eq!(
            mini.cost_usd,
            Some(Price::new(0.15, 0.60).cost(input, output))
        );
        assert_eq!(
            big.cost_usd,
            Some(Price::new(2.50, 10.00).cost(input, output))
        );
        let unknown = ask("my-llava").await;
        assert!(unknown.tokens > 0);
        assert_eq!(unknown.cost_usd, None);
        let models: Vec<_> = fake.requests().into_iter().map(|r| r.model).collect();
        assert_eq!(models, ["gpt-4o-mini", "gpt-4o", "my-llava"]);
    }
}
