//! Choosing the cheapest model that is good enough: score a labelled set
//! of 100 replies (written and labelled for this project, shipped in the
//! binary) with each model, and compare agreement and cost per 100 replies.
//! Also the batching figure: calls, tokens and cost per 100 replies batched
//! against one call per reply, and calls saved by the cache on a second,
//! overlapping pass.

use distroflow_core::{Error, Result};
use distroflow_store::Store;
use serde::{Deserialize, Serialize};

use crate::{Stats, TriageConfig, Triager};

const EVAL_SET: &str = include_str!("../fixtures/eval-replies.jsonl");

/// One labelled reply of the evaluation set.
#[derive(Clone, Debug, Deserialize)]
pub struct EvalItem {
    pub id: String,
    pub text: String,
    pub label: String,
    pub needs_reply: bool,
    pub priority: u8,
}

/// The shipped evaluation set (100 replies).
pub fn eval_set() -> Result<Vec<EvalItem>> {
    EVAL_SET
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| Error::Unexpected {
                message: format!("the built-in evaluation set, line {}: {e}", i + 1),
            })
        })
        .collect()
}

/// How one model did on the set.
#[derive(Clone, Debug, Serialize)]
pub struct EvalResult {
    pub model: String,
    pub replies: usize,
    /// Percent of replies given the set's label (an unscored reply counts
    /// as a disagreement).
    pub agreement: f64,
    /// Percent with the set's `needs_reply`.
    pub needs_reply_agreement: f64,
    pub calls: u32,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// US dollars per 100 replies at the model's price; `None`: unknown.
    pub cost_per_100: Option<f64>,
    pub unscored: usize,
    /// Why scoring stopped early, if it did.
    pub failed: Option<String>,
}

/// Scores the set with `config`'s model, from scratch (a private,
/// in-memory cache: the person's cache is neither read nor filled).
pub async fn evaluate(config: TriageConfig, set: &[EvalItem]) -> Result<EvalResult> {
    let store = Store::open_in_memory()?;
    let model = config.model.model.clone();
    let texts: Vec<&str> = set.iter().map(|i| i.text.as_str()).collect();
    let t = Triager::new(config).triage(&store, &texts).await?;
    let n = set.len().max(1) as f64;
    let pct = |hits: usize| 100.0 * hits as f64 / n;
    let labels = set
        .iter()
        .zip(&t.verdicts)
        .filter(|(i, v)| v.as_ref().is_some_and(|v| v.label.as_str() == i.label))
        .count();
    let needs = set
        .iter()
        .zip(&t.verdicts)
        .filter(|(i, v)| v.as_ref().is_some_and(|v| v.needs_reply == i.needs_reply))
        .count();
    Ok(EvalResult {
        model,
        replies: set.len(),
        agreement: pct(labels),
        needs_reply_agreement: pct(needs),
        calls: t.stats.calls,
        input_tokens: t.stats.input_tokens,
        output_tokens: t.stats.output_tokens,
        cost_per_100: t.stats.cost_usd.map(|c| c * 100.0 / n),
        unscored: t.stats.unscored,
        failed: t.stats.failed,
    })
}

/// Agreement points a cheaper model may be behind the best and still be
/// recommended.
pub const WITHIN_POINTS: f64 = 5.0;

/// The cheapest model within [`WITHIN_POINTS`] of the best agreement (a
/// known cost beats an unknown one; among equal costs, the better one).
/// `None` when no model scored anything.
pub fn recommend(results: &[EvalResult]) -> Option<&EvalResult> {
    let scored: Vec<&EvalResult> = results.iter().filter(|r| r.unscored < r.replies).collect();
    let best = scored.iter().map(|r| r.agreement).fold(f64::NAN, f64::max);
    if best.is_nan() {
        return None;
    }
    scored
        .into_iter()
        .filter(|r| r.agreement >= best - WITHIN_POINTS)
        .min_by(|a, b| {
            let cost = |r: &EvalResult| r.cost_per_100.unwrap_or(f64::INFINITY);
            cost(a)
                .total_cmp(&cost(b))
                .then(b.agreement.total_cmp(&a.agreement))
        })
}

/// Batched against naive, per 100 replies, and the cache's saving.
#[derive(Clone, Debug, Serialize)]
pub struct BatchingFigures {
    pub model: String,
    pub batched: Stats,
    pub one_per_reply: Stats,
    /// A second pass over the same 100 replies plus 20 new ones: calls
    /// with the cache, and without it.
    pub second_pass_calls: u32,
    pub second_pass_calls_without_cache: u32,
}

impl BatchingFigures {
    /// How many times fewer calls batching makes.
    pub fn call_ratio(&self) -> f64 {
        self.one_per_reply.calls as f64 / self.batched.calls.max(1) as f64
    }

    /// Percent of calls the cache saved on the second pass.
    pub fn second_pass_saving(&self) -> f64 {
        let without = self.second_pass_calls_without_cache.max(1) as f64;
        100.0 * (1.0 - self.second_pass_calls as f64 / without)
    }
}

/// Measures batching and caching with `config`'s model on the set (100
/// replies; 20 of them again with their words reordered as the new ones).
pub async fn batching_figures(config: TriageConfig, set: &[EvalItem]) -> Result<BatchingFigures> {
    let texts: Vec<String> = set.iter().map(|i| i.text.clone()).collect();
    let run = |batch: usize, texts: Vec<String>, store: Option<Store>| {
        let mut c = config.clone();
        c.batch_size = batch;
        c.max_calls_per_run = u32::MAX;
        c.max_calls_per_day = u32::MAX;
        async move {
            let store = match store {
                Some(s) => s,
                None => Store::open_in_memory()?,
            };
            let t = Triager::new(c).triage(&store, &texts).await?;
            Ok::<_, Error>((t.stats, store))
        }
    };
    let (batched, store) = run(crate::MAX_BATCH, texts.clone(), None).await?;
    let (one_per_reply, _) = run(1, texts.clone(), None).await?;
    let mut second = texts.clone();
    second.extend(texts.iter().take(20).map(|t| format!("(new) {t}")));
    let (with_cache, _) = run(crate::MAX_BATCH, second.clone(), Some(store)).await?;
    let (without_cache, _) = run(crate::MAX_BATCH, second, None).await?;
    Ok(BatchingFigures {
        model: config.model.model.clone(),
        batched,
        one_per_reply,
        second_pass_calls: with_cache.calls,
        second_pass_calls_without_cache: without_cache.calls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Label;

    fn set_labels(set: &[EvalItem]) -> Vec<Option<Label>> {
        set.iter().map(|i| i.label.parse().ok()).collect()
    }

    #[test]
    fn the_set_has_100_labelled_replies_of_every_kind() {
        let set = eval_set().unwrap();
        assert_eq!(set.len(), 100);
        let labels = set_labels(&set);
        assert!(labels.iter().all(Option::is_some));
        for l in Label::ALL {
            let n = labels.iter().filter(|x| **x == Some(l)).count();
            assert!(n >= 15, "{l}: {n}");
        }
        assert!(set.iter().all(|i| i.priority <= 3));
        let mut ids: Vec<&str> = set.iter().map(|i| i.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 100);
    }

    fn result(model: &str, agreement: f64, cost: Option<f64>) -> EvalResult {
        EvalResult {
            model: model.into(),
            replies: 100,
            agreement,
            needs_reply_agreement: agreement,
            calls: 2,
            input_tokens: 0,
            output_tokens: 0,
            cost_per_100: cost,
            unscored: 0,
            failed: None,
        }
    }

    #[test]
    fn the_cheapest_within_five_points_of_the_best_is_recommended() {
        let r = [
            result("big", 92.0, Some(0.01)),
            result("mini", 88.0, Some(0.001)),
            result("nano", 80.0, Some(0.0005)),
            result("local", 90.0, None),
        ];
        assert_eq!(recommend(&r).unwrap().model, "mini");
        let r = [
            result("big", 92.0, Some(0.01)),
            result("nano", 86.0, Some(0.0)),
        ];
        assert_eq!(recommend(&r).unwrap().model, "big");
        assert!(recommend(&[]).is_none());
    }
}
