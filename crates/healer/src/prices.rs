//! What a model call costs: list prices per model, in US dollars per
//! million tokens, with published defaults for common vision models and the
//! person's own prices on top. A model with no known price has an unknown
//! cost (`None`), never a guess.
//!
//! `$DISTROFLOW_HOME/config.toml`:
//!
//! ```toml
//! [ai.prices."my-local-model"]
//! input_per_mtok = 0.0
//! output_per_mtok = 0.0
//! # optional: input the provider reports as served from its prompt cache
//! cached_input_per_mtok = 0.0
//! ```
//!
//! and, for the model named by `DISTROFLOW_AI_MODEL` only,
//! `DISTROFLOW_AI_INPUT_PER_MTOK` and `DISTROFLOW_AI_OUTPUT_PER_MTOK`
//! (both, or neither). The environment wins over the file, the file over
//! the defaults.

use std::collections::BTreeMap;

use distroflow_core::{Error, Result};
use serde::Deserialize;

/// Environment variable: US dollars per million input tokens of the
/// configured model.
pub const INPUT_PRICE_ENV: &str = "DISTROFLOW_AI_INPUT_PER_MTOK";
/// Environment variable: US dollars per million output tokens.
pub const OUTPUT_PRICE_ENV: &str = "DISTROFLOW_AI_OUTPUT_PER_MTOK";

/// One model's list price.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// US dollars per million input (prompt) tokens, images included.
    pub input_per_mtok: f64,
    /// US dollars per million output (completion) tokens, reasoning included.
    pub output_per_mtok: f64,
    /// US dollars per million input tokens the provider reports as served
    /// from its prompt cache; `None`: billed as ordinary input.
    #[serde(default)]
    pub cached_input_per_mtok: Option<f64>,
}

impl Price {
    pub const fn new(input_per_mtok: f64, output_per_mtok: f64) -> Price {
        Price {
            input_per_mtok,
            output_per_mtok,
            cached_input_per_mtok: None,
        }
    }

    /// The same price with a cached-input rate.
    pub const fn with_cached(self, cached_input_per_mtok: f64) -> Price {
        Price {
            cached_input_per_mtok: Some(cached_input_per_mtok),
            ..self
        }
    }

    /// The cost of one call of which `cached_tokens` of the input were
    /// reported as served from the provider's prompt cache: those at the
    /// cached rate when known, at the input rate otherwise.
    pub fn cost_with_cached(
        &self,
        input_tokens: u64,
        cached_tokens: u64,
        output_tokens: u64,
    ) -> f64 {
        let cached = cached_tokens.min(input_tokens);
        let cached_rate = self.cached_input_per_mtok.unwrap_or(self.input_per_mtok);
        self.cost(input_tokens - cached, output_tokens) + cached as f64 * cached_rate / 1e6
    }

    /// The cost of one call, in US dollars.
    pub fn cost(&self, input_tokens: u64, output_tokens: u64) -> f64 {
        input_tokens as f64 * self.input_per_mtok / 1e6
            + output_tokens as f64 * self.output_per_mtok / 1e6
    }

    fn check(self, what: &str) -> Result<Price> {
        let ok = |v: f64| v.is_finite() && v >= 0.0;
        if ok(self.input_per_mtok)
            && ok(self.output_per_mtok)
            && self.cached_input_per_mtok.is_none_or(ok)
        {
            Ok(self)
        } else {
            Err(Error::Config {
                message: format!(
                    "{what}: prices must be numbers of US dollars per million tokens, 0 or more"
                ),
            })
        }
    }
}

/// Standard-tier list prices (no batch discount; the cached-input rate of
/// OpenAI's prompt cache where published), US
/// dollars per million tokens, as published by OpenAI and Google in
/// August 2025. Exact model ids only: a dated snapshot is listed when its
/// price is the alias's (`gpt-4o-2024-05-13` is not: it cost more), so an
/// id not listed here has an unknown cost rather than a wrong one.
const DEFAULTS: &[(&str, Price)] = &[
    ("gpt-4o-mini", Price::new(0.15, 0.60).with_cached(0.075)),
    (
        "gpt-4o-mini-2024-07-18",
        Price::new(0.15, 0.60).with_cached(0.075),
    ),
    ("gpt-4o", Price::new(2.50, 10.00).with_cached(1.25)),
    (
        "gpt-4o-2024-08-06",
        Price::new(2.50, 10.00).with_cached(1.25),
    ),
    (
        "gpt-4o-2024-11-20",
        Price::new(2.50, 10.00).with_cached(1.25),
    ),
    ("gpt-4o-2024-05-13", Price::new(5.00, 15.00)),
    ("gpt-4.1", Price::new(2.00, 8.00).with_cached(0.5)),
    (
        "gpt-4.1-2025-04-14",
        Price::new(2.00, 8.00).with_cached(0.5),
    ),
    ("gpt-4.1-mini", Price::new(0.40, 1.60).with_cached(0.1)),
    (
        "gpt-4.1-mini-2025-04-14",
        Price::new(0.40, 1.60).with_cached(0.1),
    ),
    ("gpt-4.1-nano", Price::new(0.10, 0.40).with_cached(0.025)),
    (
        "gpt-4.1-nano-2025-04-14",
        Price::new(0.10, 0.40).with_cached(0.025),
    ),
    ("gpt-5", Price::new(1.25, 10.00)),
    ("gpt-5-mini", Price::new(0.25, 2.00)),
    ("gpt-5-nano", Price::new(0.05, 0.40)),
    ("o4-mini", Price::new(1.10, 4.40)),
    ("gemini-2.0-flash", Price::new(0.10, 0.40)),
    ("gemini-2.5-flash", Price::new(0.30, 2.50)),
    ("gemini-2.5-flash-lite", Price::new(0.10, 0.40)),
];

/// The price table: defaults, then `[ai.prices]`.
#[derive(Clone, Debug)]
pub struct Prices {
    by_model: BTreeMap<String, Price>,
}

impl Default for Prices {
    fn default() -> Self {
        Prices {
            by_model: DEFAULTS.iter().map(|(m, p)| (m.to_string(), *p)).collect(),
        }
    }
}

/// `[ai]` of config.toml (only `prices` so far).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AiSection {
    #[serde(default)]
    prices: BTreeMap<String, Price>,
}

impl Prices {
    /// The defaults with `[ai.prices."model"]` of config.toml's `[ai]`
    /// table on top; `source` names the file in errors.
    pub fn from_config(ai: &toml::Table, source: &str) -> Result<Prices> {
        let bad = |e: toml::de::Error| Error::Config {
            message: format!(
                "{source}: [ai]: {} (expected [ai.prices.\"model-name\"] with \
                 input_per_mtok and output_per_mtok, US dollars per million tokens)",
                e.message().trim()
            ),
        };
        let section: AiSection = toml::Value::Table(ai.clone()).try_into().map_err(bad)?;
        let mut prices = Prices::default();
        for (model, price) in section.prices {
            let price = price.check(&format!("{source}: [ai.prices.\"{model}\"]"))?;
            prices.by_model.insert(model.trim().to_string(), price);
        }
        Ok(prices)
    }

    /// The environment's price for the configured `model`, if set.
    pub(crate) fn with_env(self, model: &str) -> Result<Prices> {
        let read = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        self.with_env_values(model, read(INPUT_PRICE_ENV), read(OUTPUT_PRICE_ENV))
    }

    fn with_env_values(
        mut self,
        model: &str,
        input: Option<String>,
        output: Option<String>,
    ) -> Result<Prices> {
        match (input, output) {
            (None, None) => Ok(self),
            (Some(i), Some(o)) => {
                let num = |k: &str, v: &str| {
                    v.trim().parse::<f64>().map_err(|_| Error::Config {
                        message: format!(
                            "{k}={v} is not a number (US dollars per million tokens, e.g. 0.15)"
                        ),
                    })
                };
                let price = Price::new(num(INPUT_PRICE_ENV, &i)?, num(OUTPUT_PRICE_ENV, &o)?)
                    .check(&format!("{INPUT_PRICE_ENV}/{OUTPUT_PRICE_ENV}"))?;
                self.by_model.insert(model.trim().to_string(), price);
                Ok(self)
            }
            _ => Err(Error::Config {
                message: format!(
                    "set both {INPUT_PRICE_ENV} and {OUTPUT_PRICE_ENV} (or neither) to price the model"
                ),
            }),
        }
    }

    /// The price of `model`, if known (exact id).
    pub fn get(&self, model: &str) -> Option<Price> {
        self.by_model.get(model.trim()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_model_has_its_own_price_and_unknown_ones_none() {
        let p = Prices::default();
        let mini = p.get("gpt-4o-mini").unwrap();
        let big = p.get("gpt-4o").unwrap();
        assert_eq!(mini.cost(1_000_000, 1_000_000), 0.75);
        assert_eq!(big.cost(1_000_000, 0), 2.5);
        assert_eq!(p.get("gpt-4.1-nano").unwrap().cost(0, 1_000_000), 0.4);
        assert!(p.get("gpt-4.1-mini").is_some());
        assert_eq!(p.get("my-llava"), None);
        assert_eq!(
            p.get("gpt-4o-2099-01-01"),
            None,
            "no guessing from a prefix"
        );
    }

    #[test]
    fn config_adds_and_replaces_prices() {
        let ai: toml::Table = toml::from_str(
            r#"
            [prices."my-llava"]
            input_per_mtok = 0
            output_per_mtok = 0.5
            [prices."gpt-4o-mini"]
            input_per_mtok = 1.0
            output_per_mtok = 2.0
            "#,
        )
        .unwrap();
        let p = Prices::from_config(&ai, "config.toml").unwrap();
        assert_eq!(p.get("my-llava"), Some(Price::new(0.0, 0.5)));
        assert_eq!(p.get("gpt-4o-mini"), Some(Price::new(1.0, 2.0)));
        assert!(p.get("gpt-4o").is_some(), "other defaults stay");
    }

    #[test]
    fn cached_input_is_billed_at_its_rate_when_known() {
        let mini = Prices::default().get("gpt-4o-mini").unwrap();
        let full = mini.cost(1_000_000, 0);
        assert!((mini.cost_with_cached(1_000_000, 1_000_000, 0) - 0.075).abs() < 1e-12);
        assert!((mini.cost_with_cached(1_000_000, 0, 0) - full).abs() < 1e-12);
        // More cached than sent is read as all of it, never a negative cost.
        assert!((mini.cost_with_cached(10, 99, 0) - 10.0 * 0.075 / 1e6).abs() < 1e-15);
        // No cached rate: the full input rate, an upper bound.
        let local = Price::new(0.2, 0.8);
        assert_eq!(local.cost_with_cached(1000, 500, 10), local.cost(1000, 10));
        let ai: toml::Table = toml::from_str(
            "[prices.\"m\"]\ninput_per_mtok = 1.0\noutput_per_mtok = 2.0\ncached_input_per_mtok = 0.25\n",
        )
        .unwrap();
        let p = Prices::from_config(&ai, "config.toml").unwrap();
        assert_eq!(p.get("m"), Some(Price::new(1.0, 2.0).with_cached(0.25)));
        let bad: toml::Table = toml::from_str(
            "[prices.\"m\"]\ninput_per_mtok = 1.0\noutput_per_mtok = 2.0\ncached_input_per_mtok = -1\n",
        )
        .unwrap();
        assert!(Prices::from_config(&bad, "config.toml").is_err());
    }

    #[test]
    fn the_environment_prices_the_configured_model() {
        let env = |i: Option<&str>, o: Option<&str>| {
            Prices::default().with_env_values("my-llava", i.map(String::from), o.map(String::from))
        };
        let p = env(Some("0.2"), Some(" 0.8 ")).unwrap();
        assert_eq!(p.get("my-llava"), Some(Price::new(0.2, 0.8)));
        assert_eq!(env(None, None).unwrap().get("my-llava"), None);
        let e = env(Some("0.2"), None).unwrap_err().to_string();
        assert!(e.contains(OUTPUT_PRICE_ENV), "{e}");
        let e = env(Some("cheap"), Some("1")).unwrap_err().to_string();
        assert!(e.contains("cheap") && e.contains("not a number"), "{e}");
        assert!(env(Some("NaN"), Some("1")).is_err());
    }

    #[test]
    fn bad_config_names_the_file_and_the_keys() {
        for bad in [
            "[prices.m]\ninput_per_mtok = 1\n",
            "[prices.m]\ninput_per_mtok = 1\noutput_per_mtok = 'cheap'\n",
            "[prices.m]\ninput_per_mtok = -1\noutput_per_mtok = 1\n",
            "[prices.m]\ninput_per_mtok = 1\noutput_per_mtok = 1\ncurrency = 'eur'\n",
            "model = 'x'\n",
        ] {
            let ai: toml::Table = toml::from_str(bad).unwrap();
            let e = Prices::from_config(&ai, "/h/config.toml").unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains("/h/config.toml"), "{bad}: {msg}");
            assert!(
                msg.contains("per_mtok") || msg.contains("per million"),
                "{bad}: {msg}"
            );
        }
    }
}
