//! The batching, caching, capped caller.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_openai::config::OpenAIConfig;
use async_openai::types::chat::{
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    CreateChatCompletionRequest, ResponseFormat, ResponseFormatJsonSchema,
};
use async_openai::Client;
use distroflow_core::{Error, Result};
use distroflow_healer::{ModelConfig, Prices};
use distroflow_store::{Store, TriageCall, TriageRow};
use jiff::Timestamp;
use serde::Serialize;

use crate::rubric::{
    answer_schema, cache_key, from_code, user_message, Verdict, INSTRUCTIONS, RUBRIC_VERSION,
};

/// Tells apart the runs of one process.
static NEXT_RUN: AtomicU32 = AtomicU32::new(0);

/// Replies scored by one model call, at most.
pub const MAX_BATCH: usize = 50;

/// Environment variable: model calls one triage run may make (default 20,
/// up to 1000 replies).
pub const MAX_CALLS_PER_RUN_ENV: &str = "DISTROFLOW_TRIAGE_MAX_CALLS_PER_RUN";
/// Environment variable: triage model calls per UTC day, every process
/// together (default 200).
pub const MAX_CALLS_PER_DAY_ENV: &str = "DISTROFLOW_TRIAGE_MAX_CALLS_PER_DAY";

/// A reason is kept to one line of at most this many characters.
const MAX_REASON_CHARS: usize = 120;

/// The model and the caps of triage.
#[derive(Clone, Debug)]
pub struct TriageConfig {
    /// Endpoint, model, key and price: the same settings as the healer's.
    pub model: ModelConfig,
    pub max_calls_per_run: u32,
    pub max_calls_per_day: u32,
    pub rubric_version: String,
    /// Replies per call (1 to [`MAX_BATCH`]; 1 is the naive way, for
    /// comparison).
    pub batch_size: usize,
}

impl TriageConfig {
    /// Triage with `model` and the default caps (20 calls a run, 200 a day).
    pub fn new(mut model: ModelConfig) -> TriageConfig {
        // A batch of 50 takes a small model a while to write.
        model.timeout = model.timeout.max(Duration::from_secs(120));
        TriageConfig {
            model,
            max_calls_per_run: 20,
            max_calls_per_day: 200,
            rubric_version: RUBRIC_VERSION.into(),
            batch_size: MAX_BATCH,
        }
    }

    /// From the environment: the healer's model settings
    /// (`DISTROFLOW_AI_BASE_URL`, `DISTROFLOW_AI_MODEL`, `OPENAI_API_KEY`,
    /// prices) and [`MAX_CALLS_PER_RUN_ENV`] / [`MAX_CALLS_PER_DAY_ENV`].
    /// `None` when no model is configured.
    pub fn from_env(prices: &Prices) -> Result<Option<TriageConfig>> {
        let Some(model) = ModelConfig::from_env(prices)? else {
            return Ok(None);
        };
        let mut config = TriageConfig::new(model);
        let num = |k: &str| -> Result<Option<u32>> {
            match std::env::var(k).ok().filter(|v| !v.trim().is_empty()) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| Error::Config {
                    message: format!("{k}={v} is not a number of model calls (e.g. 20)"),
                }),
            }
        };
        if let Some(n) = num(MAX_CALLS_PER_RUN_ENV)? {
            config.max_calls_per_run = n;
        }
        if let Some(n) = num(MAX_CALLS_PER_DAY_ENV)? {
            config.max_calls_per_day = n;
        }
        Ok(Some(config))
    }
}

/// What a triage run did and cost.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Replies given.
    pub replies: usize,
    /// Replies answered from the cache (no call).
    pub from_cache: usize,
    /// Replies the model scored in this run.
    pub scored: usize,
    /// Replies left without a verdict (cap reached, model failing, or an
    /// answer still invalid when asked again).
    pub unscored: usize,
    pub calls: u32,
    pub input_tokens: u64,
    /// Input tokens the provider served from its prompt cache.
    pub cached_tokens: u64,
    pub output_tokens: u64,
    /// At the model's list price (input the provider reports as cached at
    /// the model's cached-input rate, when known); `None` when its price
    /// is unknown.
    pub cost_usd: Option<f64>,
    /// Whether a call cap stopped scoring.
    pub capped: bool,
    /// Why scoring stopped early, when the model failed.
    pub failed: Option<String>,
}

/// Verdicts in the order of the texts given (`None`: not scored).
#[derive(Clone, Debug)]
pub struct Triaged {
    pub verdicts: Vec<Option<Verdict>>,
    pub stats: Stats,
}

/// Scores replies for one run (counts its calls against the run's cap).
pub struct Triager {
    config: TriageConfig,
    client: Client<OpenAIConfig>,
    calls: AtomicU32,
    /// This run's id in the store's record of calls.
    run: String,
}

/// One unique text to score.
struct Item<'a> {
    key: String,
    text: &'a str,
}

impl Triager {
    pub fn new(config: TriageConfig) -> Triager {
        Triager {
            client: config.model.client(),
            config,
            calls: AtomicU32::new(0),
            run: format!(
                "{}-{}-{}",
                Timestamp::now().as_millisecond(),
                std::process::id(),
                NEXT_RUN.fetch_add(1, Ordering::Relaxed)
            ),
        }
    }

    pub fn config(&self) -> &TriageConfig {
        &self.config
    }

    /// Scores `texts`, from the cache where it can and in batches where it
    /// must. Never fails for the model's sake: a failing model or a reached
    /// cap leaves the rest unscored and says why in [`Stats`]. Store errors
    /// are errors.
    pub async fn triage<S: AsRef<str>>(&self, store: &Store, texts: &[S]) -> Result<Triaged> {
        let model = self.config.model.model.as_str();
        let rubric = self.config.rubric_version.as_str();
        let keys: Vec<String> = texts
            .iter()
            .map(|t| cache_key(model, rubric, t.as_ref()))
            .collect();
        let mut stats = Stats {
            replies: texts.len(),
            cost_usd: Some(0.0),
            ..Stats::default()
        };
        let mut known: HashMap<String, Verdict> = HashMap::new();
        let mut todo: Vec<Item<'_>> = Vec::new();
        for (key, text) in keys.iter().zip(texts) {
            if known.contains_key(key) || todo.iter().any(|i| &i.key == key) {
                continue;
            }
            match store.triage_cached(key)?.and_then(|row| from_row(&row)) {
                Some(v) => {
                    known.insert(key.clone(), v);
                }
                None => todo.push(Item {
                    key: key.clone(),
                    text: text.as_ref(),
                }),
            }
        }
        let cached_keys: Vec<String> = known.keys().cloned().collect();
        let batch = self.config.batch_size.clamp(1, MAX_BATCH);
        'batches: for chunk in todo.chunks(batch) {
            let mut ask: Vec<&Item<'_>> = chunk.iter().collect();
            // The batch, then once more for what was missing or invalid.
            for round in 0..2 {
                if ask.is_empty() {
                    break;
                }
                if !self.take_call(store)? {
                    stats.capped = true;
                    break 'batches;
                }
                let answer = match self.ask(&ask).await {
                    Ok(a) => a,
                    Err(e) => {
                        stats.failed = Some(e.to_string());
                        break 'batches;
                    }
                };
                self.record(store, &answer, ask.len(), &mut stats)?;
                let now = Timestamp::now();
                let mut missing = Vec::new();
                for (i, item) in ask.iter().enumerate() {
                    match answer.verdicts.get(&i) {
                        Some(v) => {
                            store.cache_triage(&item.key, model, rubric, &to_row(v), now)?;
                            known.insert(item.key.clone(), v.clone());
                        }
                        None => missing.push(*item),
                    }
                }
                if !missing.is_empty() && round == 0 {
                    tracing::info!(
                        missing = missing.len(),
                        "the model's answer missed some replies; asking for those alone"
                    );
                }
                ask = missing;
            }
        }
        let verdicts: Vec<Option<Verdict>> = keys.iter().map(|k| known.get(k).cloned()).collect();
        stats.from_cache = keys.iter().filter(|k| cached_keys.contains(k)).count();
        stats.unscored = verdicts.iter().filter(|v| v.is_none()).count();
        stats.scored = stats.replies - stats.from_cache - stats.unscored;
        Ok(Triaged { verdicts, stats })
    }

    /// Takes one call from the run's and the day's budget, if any is left.
    fn take_call(&self, store: &Store) -> Result<bool> {
        if store.triage_calls_on(Timestamp::now())? >= self.config.max_calls_per_day {
            return Ok(false);
        }
        Ok(self
            .calls
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.config.max_calls_per_run).then_some(n + 1)
            })
            .is_ok())
    }

    fn record(&self, store: &Store, a: &Answer, asked: usize, stats: &mut Stats) -> Result<()> {
        let cost = self
            .config
            .model
            .price
            .map(|p| p.cost_with_cached(a.input_tokens, a.cached_tokens, a.output_tokens));
        stats.calls += 1;
        stats.input_tokens += a.input_tokens;
        stats.cached_tokens += a.cached_tokens;
        stats.output_tokens += a.output_tokens;
        stats.cost_usd = match (stats.cost_usd, cost) {
            (Some(total), Some(c)) => Some(total + c),
            _ => None,
        };
        store.record_triage_call(
            &TriageCall {
                model: self.config.model.model.clone(),
                replies: asked as u32,
                input_tokens: a.input_tokens,
                cached_tokens: a.cached_tokens,
                output_tokens: a.output_tokens,
                cost_usd: cost,
                run: Some(self.run.clone()),
            },
            Timestamp::now(),
        )
    }

    /// One model call about `items` (ids `1`.. in order).
    async fn ask(&self, items: &[&Item<'_>]) -> Result<Answer> {
        let texts: Vec<&str> = items.iter().map(|i| i.text).collect();
        let user = user_message(&texts);
        let request = CreateChatCompletionRequest {
            model: self.config.model.model.clone(),
            messages: vec![
                ChatCompletionRequestSystemMessage {
                    content: INSTRUCTIONS.into(),
                    name: None,
                }
                .into(),
                ChatCompletionRequestUserMessage {
                    content: user.into(),
                    name: None,
                }
                .into(),
            ],
            response_format: Some(ResponseFormat::JsonSchema {
                json_schema: ResponseFormatJsonSchema {
                    description: None,
                    name: "reply_triage".into(),
                    schema: answer_schema(),
                    strict: Some(true),
                },
            }),
            temperature: Some(0.0),
            max_completion_tokens: Some(40 * items.len() as u32 + 64),
            ..Default::default()
        };
        let cfg = &self.config.model;
        let response = tokio::time::timeout(cfg.timeout, self.client.chat().create(request))
            .await
            .map_err(|_| Error::Timeout {
                what: "the triage model's answer".into(),
                after: cfg.timeout,
            })?
            .map_err(|e| Error::Network {
                url: cfg.base_url.clone(),
                message: format!("triage model call failed: {e}"),
            })?;
        let usage = response.usage.as_ref();
        let content = response
            .choices
            .first()
            .and_then(|c| c.message.content.clone())
            .unwrap_or_default();
        Ok(Answer {
            verdicts: parse_answer(&content, items.len()),
            input_tokens: usage.map_or(0, |u| u.prompt_tokens as u64),
            cached_tokens: usage
                .and_then(|u| u.prompt_tokens_details.as_ref())
                .and_then(|d| d.cached_tokens)
                .unwrap_or(0) as u64,
            output_tokens: usage.map_or(0, |u| u.completion_tokens as u64),
        })
    }
}

struct Answer {
    /// By position in the batch.
    verdicts: HashMap<usize, Verdict>,
    input_tokens: u64,
    cached_tokens: u64,
    output_tokens: u64,
}

/// The valid verdicts of an answer, by position (id `1` is 0). An item
/// with an unknown or repeated id, a field missing or out of range is left
/// out (and so asked again). The code gives label and priority;
/// `needs_reply` is priority > 0.
fn parse_answer(content: &str, asked: usize) -> HashMap<usize, Verdict> {
    let mut out = HashMap::new();
    for item in answer_items(content) {
        let index = item["i"]
            .as_u64()
            .and_then(|n| (n as usize).checked_sub(1))
            .filter(|i| *i < asked);
        let Some(index) = index else { continue };
        if out.contains_key(&index) {
            continue;
        }
        let verdict = (|| {
            let (label, priority) = from_code(item["l"].as_str()?)?;
            let reason = item["r"]
                .as_str()
                .unwrap_or_default()
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .chars()
                .take(MAX_REASON_CHARS)
                .collect::<String>();
            Some(Verdict {
                needs_reply: priority > 0,
                priority,
                label,
                reason,
            })
        })();
        if let Some(v) = verdict {
            out.insert(index, v);
        }
    }
    out
}

/// The answer's items: all of them, or, from an answer cut short (the
/// token limit, a dropped connection), every item complete before the cut,
/// so that only the rest is asked again.
fn answer_items(content: &str) -> Vec<serde_json::Value> {
    let text = content.trim();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        return v["items"].as_array().cloned().unwrap_or_default();
    }
    let Some(start) = text
        .find("\"items\"")
        .and_then(|i| text[i..].find('[').map(|j| i + j + 1))
    else {
        return Vec::new();
    };
    let mut rest = &text[start..];
    let mut items = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if !rest.starts_with('{') {
            break;
        }
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
        match stream.next() {
            Some(Ok(v)) => {
                items.push(v);
                rest = &rest[stream.byte_offset()..];
            }
            _ => break,
        }
    }
    items
}

fn to_row(v: &Verdict) -> TriageRow {
    TriageRow {
        needs_reply: v.needs_reply,
        priority: v.priority,
        label: v.label.as_str().into(),
        reason: v.reason.clone(),
    }
}

fn from_row(row: &TriageRow) -> Option<Verdict> {
    Some(Verdict {
        needs_reply: row.needs_reply,
        priority: row.priority.min(3),
        label: row.label.parse().ok()?,
        reason: row.reason.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Label;

    #[test]
    fn an_answer_keeps_only_valid_items_for_known_ids() {
        let content = r#"{"items":[
            {"i":1,"l":"q","r":"asks\nmore"},
            {"i":1,"l":"o"},
            {"i":2,"l":"urgent","r":"x"},
            {"i":9,"l":"b","r":"x"},
            {"i":3,"r":"x"},
            {"i":4,"l":"n"},
            {"i":5,"l":"p"}
        ]}"#;
        let v = parse_answer(content, 5);
        assert_eq!(v.len(), 3);
        assert_eq!(v[&0].reason, "asks");
        assert_eq!((v[&0].label, v[&0].priority), (Label::Question, 2));
        assert!(v[&0].needs_reply);
        assert_eq!((v[&3].label, v[&3].priority), (Label::Criticism, 0));
        assert!(!v[&3].needs_reply);
        assert_eq!(v[&4].label, Label::Praise);
        assert_eq!(v[&4].reason, "");
        assert!(parse_answer("not json", 3).is_empty());
    }

    #[test]
    fn an_answer_cut_short_keeps_the_items_before_the_cut() {
        let cut = r#"{"items":[{"i":1,"l":"p"},
            {"i":2,"l":"b","r":"crash"},{"i":3,"l"#;
        let v = parse_answer(cut, 3);
        assert_eq!(v.len(), 2);
        assert_eq!((v[&1].label, v[&1].priority), (Label::Bug, 3));
        assert!(parse_answer(r#"{"items":["#, 3).is_empty());
        assert!(parse_answer(r#"{"other":[{"i":1}"#, 3).is_empty());
    }
}
