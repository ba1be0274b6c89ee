//! DistroFlow's own rate limits, per platform and account, kept well below
//! the platforms' so that an account is never flagged for posting like a bot.
//!
//! | platform   | min interval | max per window | why                                                                                      |
//! |------------|--------------|----------------|------------------------------------------------------------------------------------------|
//! | x          | 2m           | 50 / 24h       | X allows thousands of posts a day, but bursts from automation get accounts locked; 50 a day is a very busy person |
//! | reddit     | 10m          | 10 / 24h       | Reddit says "you're doing that too much, try again in N minutes" to young or low-karma accounts at about one post per 10 minutes, and its spam filter punishes heavy self-promotion |
//! | hackernews | 5m           | 5 / 24h        | HN answers "you're posting too fast" within minutes and flags accounts that submit many stories; a handful a day is already a lot |
//! | instagram  | 15m          | 10 / 24h       | Instagram's "action blocked" hits automated-looking accounts early; a few posts a day is normal use |
//! | bluesky    | 2m           | 30 / 24h       | Bluesky's PDS rate limits writes per account (points per hour and day); a person posts a few times a day
//! | mastodon   | 2m           | 30 / 24h       | instances limit posting per account (300 per 3h upstream); a few posts a day is normal use
//! | linkedin   | 60m          | 3 / 24h        | LinkedIn checkpoints automation readily and restricts accounts; a few posts a day at most
//!
//! Every posted, running or uncertain attempt counts (an uncertain one may
//! well have posted), one per attempt: a thread counts once. A platform's
//! own "try again at T" (a failed attempt with `retry_at`) is honoured too.
//!
//! Configuration (`$DISTROFLOW_HOME/config.toml`), every key optional; a
//! missing key keeps the default; `max_per_window = 0` or
//! `min_interval = "0s"` turns that part off:
//!
//! ```toml
//! [rate_limits.x]
//! min_interval = "2m"
//! max_per_window = 50
//! window = "24h"
//! enabled = true
//! ```
//!
//! Limits are switched off per platform with `enabled = false`, for one
//! run by the CLI's `--no-rate-limit` ([`RateLimits::disable_all`]), and
//! everywhere with `DISTROFLOW_RATE_LIMITS=off` ([`limits_disabled_by_env`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use distroflow_core::{Error, PlatformId, Result};
use jiff::Timestamp;
use rusqlite::params;
use serde::Deserialize;

use crate::db::{minus, ms, plus};
use crate::duration::{format_duration, parse_duration};
use crate::Store;

/// The environment variable that switches every limit off (`off`, `0`,
/// `false`, `no`, `disabled`).
pub const RATE_LIMITS_ENV: &str = "DISTROFLOW_RATE_LIMITS";

/// Whether `DISTROFLOW_RATE_LIMITS` switches rate limits off.
pub fn limits_disabled_by_env() -> bool {
    std::env::var(RATE_LIMITS_ENV).is_ok_and(|v| is_off(&v))
}

fn is_off(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "off" | "0" | "false" | "no" | "disabled"
    )
}

/// One platform's limit (per account).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlatformLimit {
    pub enabled: bool,
    /// The least time between two posts (zero: none).
    pub min_interval: Duration,
    /// The most posts within `window` (zero: no cap).
    pub max_per_window: u32,
    pub window: Duration,
}

impl PlatformLimit {
    /// The documented default for `platform` (see the module table).
    pub fn default_for(platform: PlatformId) -> PlatformLimit {
        let (min_minutes, max, hours) = match platform {
            PlatformId::X => (2, 50, 24),
            PlatformId::Reddit => (10, 10, 24),
            PlatformId::HackerNews => (5, 5, 24),
            PlatformId::Instagram => (15, 10, 24),
            PlatformId::Bluesky | PlatformId::Mastodon => (2, 30, 24),
            PlatformId::LinkedIn => (60, 3, 24),
            _ => (10, 10, 24),
        };
        PlatformLimit {
            enabled: true,
            min_interval: Duration::from_secs(min_minutes * 60),
            max_per_window: max,
            window: Duration::from_secs(hours * 3600),
        }
    }
}

/// The answer of [`RateLimits::check`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RateCheck {
    Allowed,
    /// Posting now would break a limit: wait `wait` (until `until`).
    Wait {
        wait: Duration,
        until: Timestamp,
        /// Which limit, for people: "X allows 1 post every 2m; the last was 40s ago".
        reason: String,
    },
}

/// The limits of every platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    limits: BTreeMap<PlatformId, PlatformLimit>,
    all_off: bool,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            limits: PlatformId::ALL
                .into_iter()
                .map(|p| (p, PlatformLimit::default_for(p)))
                .collect(),
            all_off: false,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitConfig {
    enabled: Option<bool>,
    min_interval: Option<String>,
    max_per_window: Option<u32>,
    window: Option<String>,
}

impl RateLimits {
    /// The defaults, with `[rate_limits.<platform>]` tables applied over
    /// them. `table` is the `rate_limits` table itself.
    pub fn from_toml(table: &toml::Table) -> Result<RateLimits> {
        let mut limits = RateLimits::default();
        for (key, value) in table {
            let bad = |message: String| Error::Config {
                message: format!("[rate_limits.{key}] {message}"),
            };
            let platform: PlatformId = key.parse().map_err(|_| Error::Config {
                message: format!(
                    "unknown platform [rate_limits.{key}] (valid: {})",
                    PlatformId::valid_names()
                ),
            })?;
            let cfg: LimitConfig = value
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| bad(e.message().to_string()))?;
            let duration = |field: &str, v: &str| {
                parse_duration(v).map_err(|e| {
                    bad(format!(
                        "{field}: {e}{}",
                        e.hint().map(|h| format!(" ({h})")).unwrap_or_default()
                    ))
                })
            };
            let mut limit = limits.get(platform);
            if let Some(e) = cfg.enabled {
                limit.enabled = e;
            }
            if let Some(v) = &cfg.min_interval {
                limit.min_interval = duration("min_interval", v)?;
            }
            if let Some(n) = cfg.max_per_window {
                limit.max_per_window = n;
            }
            if let Some(v) = &cfg.window {
                limit.window = duration("window", v)?;
                if limit.window.is_zero() {
                    return Err(bad("window must be longer than 0s".into()));
                }
            }
            limits.set(platform, limit);
        }
        Ok(limits)
    }

    /// The limits from a whole `config.toml` text (its `[rate_limits]`
    /// table; other tables are ignored here).
    pub fn from_config_text(text: &str) -> Result<RateLimits> {
        let doc: toml::Table = toml::from_str(text).map_err(|e| Error::Config {
            message: e.message().to_string(),
        })?;
        match doc.get("rate_limits") {
            None => Ok(RateLimits::default()),
            Some(toml::Value::Table(t)) => RateLimits::from_toml(t),
            Some(_) => Err(Error::Config {
                message: "rate_limits must be a table of [rate_limits.<platform>] tables".into(),
            }),
        }
    }

    /// The limits from `config.toml`; a missing file gives the defaults.
    pub fn from_config_file(path: &Path) -> Result<RateLimits> {
        match std::fs::read_to_string(path) {
            Ok(text) => RateLimits::from_config_text(&text).map_err(|e| match e {
                Error::Config { message } => Error::Config {
                    message: format!("{}: {message}", path.display()),
                },
                other => other,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(RateLimits::default()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Switches every limit off (`--no-rate-limit`, `DISTROFLOW_RATE_LIMITS=off`).
    pub fn disable_all(mut self) -> RateLimits {
        self.all_off = true;
        self
    }

    /// [`RateLimits::disable_all`] when `DISTROFLOW_RATE_LIMITS` says so.
    pub fn with_env(self) -> RateLimits {
        if limits_disabled_by_env() {
            self.disable_all()
        } else {
            self
        }
    }

    pub fn get(&self, platform: PlatformId) -> PlatformLimit {
        self.limits
            .get(&platform)
            .copied()
            .unwrap_or_else(|| PlatformLimit::default_for(platform))
    }

    pub fn set(&mut self, platform: PlatformId, limit: PlatformLimit) {
        self.limits.insert(platform, limit);
    }

    /// Whether `platform` is limited at all.
    pub fn is_enabled(&self, platform: PlatformId) -> bool {
        !self.all_off && self.get(platform).enabled
    }

    /// May `account` post to `platform` at `now`? Counted from the store's
    /// attempts (see the module docs); the longest of the waits wins.
    pub fn check(
        &self,
        store: &Store,
        platform: PlatformId,
        account: &str,
        now: Timestamp,
    ) -> Result<RateCheck> {
        if !self.is_enabled(platform) {
            return Ok(RateCheck::Allowed);
        }
        let limit = self.get(platform);
        let name = platform.display_name();
        let mut waits: Vec<(Timestamp, String)> = Vec::new();

        if let Some(until) = store.platform_retry_at(platform, account, now)? {
            waits.push((until, format!("{name} asked to wait until {until}")));
        }
        let lookback = limit.min_interval.max(if limit.max_per_window > 0 {
            limit.window
        } else {
            Duration::ZERO
        });
        let times = store.post_times(platform, account, minus(now, lookback), now)?;
        if !limit.min_interval.is_zero() {
            if let Some(&last) = times.last() {
                let until = plus(last, limit.min_interval);
                if until > now {
                    waits.push((
                        until,
                        format!(
                            "{name} allows 1 post every {} per account; the last was {} ago",
                            format_duration(limit.min_interval),
                            format_duration(since(now, last))
                        ),
                    ));
                }
            }
        }
        if limit.max_per_window > 0 {
            let cutoff = minus(now, limit.window);
            let in_window: Vec<Timestamp> = times.into_iter().filter(|t| *t > cutoff).collect();
            let max = limit.max_per_window as usize;
            if in_window.len() >= max {
                // The post that must leave the window before one more fits.
                let oldest_to_expire = in_window[in_window.len() - max];
                waits.push((
                    plus(oldest_to_expire, limit.window),
                    format!(
                        "{name} allows {max} posts per {} per account; {} in the last {}",
                        format_duration(limit.window),
                        in_window.len(),
                        format_duration(limit.window)
                    ),
                ));
            }
        }
        Ok(match waits.into_iter().max_by_key(|(until, _)| *until) {
            Some((until, reason)) => RateCheck::Wait {
                wait: since(until, now),
                until,
                reason,
            },
            None => RateCheck::Allowed,
        })
    }
}

/// `a - b`, zero when `b` is later.
fn since(a: Timestamp, b: Timestamp) -> Duration {
    Duration::try_from(a.duration_since(b)).unwrap_or(Duration::ZERO)
}

impl Store {
    /// When each posted, running or uncertain attempt of this target
    /// happened (finished, else started), oldest first, within `(from, to]`.
    fn post_times(
        &self,
        platform: PlatformId,
        account: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Timestamp>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT t FROM (
                     SELECT COALESCE(finished_at, started_at, created_at) AS t FROM attempts
                     WHERE platform = ?1 AND account = ?2
                       AND state IN ('posted', 'running', 'uncertain'))
                 WHERE t > ?3 AND t <= ?4 ORDER BY t",
            )
            .map_err(|e| self.err(e))?;
        let times = stmt
            .query_map(params![platform.as_str(), account, ms(from), ms(to)], |r| {
                crate::db::ts_at(r, 0)
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e));
        times
    }

    /// The latest "try again at" a platform gave this target, if still ahead.
    fn platform_retry_at(
        &self,
        platform: PlatformId,
        account: &str,
        now: Timestamp,
    ) -> Result<Option<Timestamp>> {
        let v: Option<i64> = self
            .conn
            .query_row(
                "SELECT MAX(retry_at) FROM attempts
                 WHERE platform = ?1 AND account = ?2 AND retry_at > ?3",
                params![platform.as_str(), account, ms(now)],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        v.map(|v| {
            Timestamp::from_millisecond(v).map_err(|e| self.damaged(format!("bad time {v}: {e}")))
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_values_that_mean_off() {
        for v in ["off", "OFF", "0", "false", "no", " disabled "] {
            assert!(is_off(v), "{v}");
        }
        for v in ["on", "1", "", "yes"] {
            assert!(!is_off(v), "{v}");
        }
    }

    #[test]
    fn defaults_match_the_documented_table() {
        let l = RateLimits::default();
        let x = l.get(PlatformId::X);
        assert_eq!((x.min_interval.as_secs(), x.max_per_window), (120, 50));
        assert_eq!(x.window.as_secs(), 86_400);
        assert_eq!(l.get(PlatformId::Reddit).min_interval.as_secs(), 600);
        assert_eq!(l.get(PlatformId::HackerNews).max_per_window, 5);
        assert_eq!(l.get(PlatformId::Instagram).min_interval.as_secs(), 900);
        assert!(PlatformId::ALL.iter().all(|p| l.is_enabled(*p)));
    }
}
