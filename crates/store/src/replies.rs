//! Replies to the person's own posts, and what triaging them cost.
//!
//! - `replies`: one row per reply (platform + the platform's id), so a
//!   second `distroflow replies` run keeps only what is new.
//! - `triage_cache`: one verdict per cache key (the triage crate's MD5 of
//!   model, rubric version and normalised text): a reply already scored is
//!   never sent to a model again.
//! - `triage_calls`: every model call with its tokens and cost (unknown
//!   when the model's price is), which also counts a day's calls for the
//!   daily cap.

use std::collections::HashSet;

use distroflow_core::{PlatformId, Reply, Result};
use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};

use crate::db::{bad_column, ms};
use crate::Store;

/// A stored triage verdict (the triage crate checks and types it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TriageRow {
    pub needs_reply: bool,
    /// 0 (none) to 3 (urgent).
    pub priority: u8,
    pub label: String,
    pub reason: String,
}

/// One model call made for triage.
#[derive(Clone, Debug, PartialEq)]
pub struct TriageCall {
    pub model: String,
    /// Replies the call scored (asked for).
    pub replies: u32,
    pub input_tokens: u64,
    /// Input tokens the provider served from its prompt cache.
    pub cached_tokens: u64,
    pub output_tokens: u64,
    /// `None` when the model's price is unknown.
    pub cost_usd: Option<f64>,
    /// The run that made it (one `replies --triage`), if known.
    pub run: Option<String>,
}

/// Triage calls summed: over a period, or over one run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TriageTotals {
    pub calls: u64,
    /// Replies the calls scored (asked for).
    pub replies: u64,
    pub input_tokens: u64,
    pub cached_tokens: u64,
    pub output_tokens: u64,
    /// The cost of the calls whose price was known.
    pub cost_usd: f64,
    /// Calls whose cost is unknown (not in `cost_usd`).
    pub unknown_cost_calls: u64,
}

/// The triage calls of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct TriageRun {
    /// Its first call.
    pub started: Timestamp,
    /// The models it called, comma-separated.
    pub models: String,
    pub totals: TriageTotals,
}

/// The sums of a triage_calls query's columns 0-6.
fn totals_of(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<TriageTotals> {
    let n = |i: usize| -> rusqlite::Result<u64> {
        Ok(row.get::<_, Option<i64>>(at + i)?.unwrap_or(0).max(0) as u64)
    };
    Ok(TriageTotals {
        calls: n(0)?,
        replies: n(1)?,
        input_tokens: n(2)?,
        cached_tokens: n(3)?,
        output_tokens: n(4)?,
        cost_usd: row.get::<_, Option<f64>>(at + 5)?.unwrap_or(0.0),
        unknown_cost_calls: n(6)?,
    })
}

const SUMS: &str = "COUNT(*), SUM(replies), SUM(input_tokens), SUM(cached_tokens), \
                    SUM(output_tokens), SUM(cost_usd), SUM(cost_usd IS NULL)";

/// What `distroflow replies` keeps of the replies it read.
#[derive(Clone, Debug, Default)]
pub struct ReplyFilter {
    pub platforms: Vec<PlatformId>,
    /// Only replies to these posts (empty: all).
    pub post_urls: Vec<String>,
}

impl Store {
    /// Saves the replies not seen before; returns those that were new, in
    /// the order given. Saving the same reply twice keeps one row.
    pub fn save_replies(&self, replies: &[Reply], now: Timestamp) -> Result<Vec<Reply>> {
        let tx = self.write_tx()?;
        let mut new = Vec::new();
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO replies
                     (platform, id, post_url, author, text, at, url, parent, fetched_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (platform, id) DO NOTHING",
                )
                .map_err(|e| self.err(e))?;
            for r in replies {
                let added = stmt
                    .execute(params![
                        r.platform.as_str(),
                        r.id,
                        r.post_url,
                        r.author,
                        r.text,
                        r.at,
                        r.url,
                        r.parent,
                        ms(now)
                    ])
                    .map_err(|e| self.err(e))?;
                if added > 0 {
                    new.push(r.clone());
                }
            }
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(new)
    }

    /// The ids of the replies already stored under `post_url`.
    pub fn known_reply_ids(&self, platform: PlatformId, post_url: &str) -> Result<HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM replies WHERE platform = ?1 AND post_url = ?2")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![platform.as_str(), post_url], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<HashSet<String>>>()
            .map_err(|e| self.err(e))
    }

    /// The stored replies to the posts `filter` names, in the order they
    /// were collected.
    pub fn replies(&self, filter: &ReplyFilter) -> Result<Vec<Reply>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT platform, id, post_url, author, text, at, url, parent
                 FROM replies ORDER BY fetched_at, rowid",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                let platform: String = r.get(0)?;
                Ok(Reply {
                    platform: platform.parse().map_err(|e| bad_column(0, e))?,
                    id: r.get(1)?,
                    post_url: r.get(2)?,
                    author: r.get(3)?,
                    text: r.get(4)?,
                    at: r.get(5)?,
                    url: r.get(6)?,
                    parent: r.get(7)?,
                })
            })
            .map_err(|e| self.err(e))?;
        let all = rows
            .collect::<rusqlite::Result<Vec<Reply>>>()
            .map_err(|e| self.err(e))?;
        Ok(all
            .into_iter()
            .filter(|r| filter.platforms.is_empty() || filter.platforms.contains(&r.platform))
            .filter(|r| filter.post_urls.is_empty() || filter.post_urls.contains(&r.post_url))
            .collect())
    }

    /// The cached verdict for `key`, if any.
    pub fn triage_cached(&self, key: &str) -> Result<Option<TriageRow>> {
        self.conn
            .prepare_cached(
                "SELECT needs_reply, priority, label, reason FROM triage_cache WHERE key = ?1",
            )
            .and_then(|mut s| {
                s.query_row([key], |r| {
                    Ok(TriageRow {
                        needs_reply: r.get(0)?,
                        priority: r.get(1)?,
                        label: r.get(2)?,
                        reason: r.get(3)?,
                    })
                })
                .optional()
            })
            .map_err(|e| self.err(e))
    }

    /// Keeps `row` as the verdict for `key` (replacing an older one).
    pub fn cache_triage(
        &self,
        key: &str,
        model: &str,
        rubric: &str,
        row: &TriageRow,
        now: Timestamp,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO triage_cache
                 (key, model, rubric, needs_reply, priority, label, reason, scored_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (key) DO UPDATE SET needs_reply = excluded.needs_reply,
                   priority = excluded.priority, label = excluded.label,
                   reason = excluded.reason, scored_at = excluded.scored_at",
                params![
                    key,
                    model,
                    rubric,
                    row.needs_reply,
                    row.priority,
                    row.label,
                    row.reason,
                    ms(now)
                ],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Records one triage model call.
    pub fn record_triage_call(&self, call: &TriageCall, now: Timestamp) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO triage_calls
                 (at, model, replies, input_tokens, cached_tokens, output_tokens, cost_usd, run)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    ms(now),
                    call.model,
                    call.replies,
                    call.input_tokens as i64,
                    call.cached_tokens as i64,
                    call.output_tokens as i64,
                    call.cost_usd,
                    call.run
                ],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Every triage call at or after `from`, summed.
    pub fn triage_totals_since(&self, from: Timestamp) -> Result<TriageTotals> {
        self.conn
            .query_row(
                &format!("SELECT {SUMS} FROM triage_calls WHERE at >= ?1"),
                [ms(from)],
                |r| totals_of(r, 0),
            )
            .map_err(|e| self.err(e))
    }

    /// The newest `limit` triage runs, newest first (a call made before
    /// runs were recorded counts as a run of its own).
    pub fn triage_runs(&self, limit: usize) -> Result<Vec<TriageRun>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT MIN(at), GROUP_CONCAT(DISTINCT model), {SUMS} FROM triage_calls
                 GROUP BY COALESCE(run, 'call-' || id) ORDER BY MIN(at) DESC, MIN(id) DESC LIMIT ?1"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(TriageRun {
                    started: crate::db::ts_at(r, 0)?,
                    models: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    totals: totals_of(r, 2)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))
    }

    /// Triage model calls made on `now`'s UTC day, by every process.
    pub fn triage_calls_on(&self, now: Timestamp) -> Result<u32> {
        let day = crate::utc_day(now);
        let (from, to) = (day * 86_400_000, (day + 1) * 86_400_000);
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM triage_calls WHERE at >= ?1 AND at < ?2",
                [from, to],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(id: &str, text: &str) -> Reply {
        Reply {
            id: id.into(),
            platform: PlatformId::HackerNews,
            post_url: "http://hn/item?id=1".into(),
            author: "pg".into(),
            text: text.into(),
            at: None,
            url: format!("http://hn/item?id={id}"),
            parent: None,
        }
    }

    #[test]
    fn a_reply_is_stored_once_and_only_new_ones_are_returned() {
        let store = Store::open_in_memory().unwrap();
        let now = Timestamp::now();
        let first = store
            .save_replies(&[reply("2", "a"), reply("3", "b")], now)
            .unwrap();
        assert_eq!(first.len(), 2);
        let second = store
            .save_replies(&[reply("3", "b"), reply("4", "c")], now)
            .unwrap();
        assert_eq!(second, vec![reply("4", "c")]);
        let all = store.replies(&ReplyFilter::default()).unwrap();
        assert_eq!(all.len(), 3);
        let known = store
            .known_reply_ids(PlatformId::HackerNews, "http://hn/item?id=1")
            .unwrap();
        assert_eq!(known.len(), 3);
        let none = store
            .replies(&ReplyFilter {
                platforms: vec![PlatformId::X],
                post_urls: vec![],
            })
            .unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn verdicts_are_cached_and_calls_counted_per_day() {
        let store = Store::open_in_memory().unwrap();
        let now = Timestamp::now();
        assert_eq!(store.triage_cached("k").unwrap(), None);
        let row = TriageRow {
            needs_reply: true,
            priority: 2,
            label: "question".into(),
            reason: "asks how".into(),
        };
        store.cache_triage("k", "m", "1", &row, now).unwrap();
        assert_eq!(store.triage_cached("k").unwrap(), Some(row));
        let call = TriageCall {
            model: "m".into(),
            replies: 50,
            input_tokens: 3000,
            cached_tokens: 0,
            output_tokens: 900,
            cost_usd: None,
            run: None,
        };
        store.record_triage_call(&call, now).unwrap();
        store.record_triage_call(&call, now).unwrap();
        assert_eq!(store.triage_calls_on(now).unwrap(), 2);
        // Two calls of one run, priced: one run of their own.
        let priced = TriageCall {
            cost_usd: Some(0.0004),
            cached_tokens: 100,
            run: Some("r1".into()),
            ..call.clone()
        };
        let later = now + jiff::SignedDuration::from_secs(5);
        store.record_triage_call(&priced, later).unwrap();
        store.record_triage_call(&priced, later).unwrap();
        let month = store.triage_totals_since(now).unwrap();
        assert_eq!(month.calls, 4);
        assert_eq!(month.replies, 200);
        assert_eq!(month.input_tokens, 12_000);
        assert_eq!(month.cached_tokens, 200);
        assert_eq!(month.unknown_cost_calls, 2);
        assert!((month.cost_usd - 0.0008).abs() < 1e-12);
        let runs = store.triage_runs(10).unwrap();
        assert_eq!(runs.len(), 3, "the run, then the two calls without one");
        assert_eq!(runs[0].totals.calls, 2);
        assert_eq!(runs[0].models, "m");
        assert_eq!(
            runs[0].started,
            Timestamp::from_millisecond(ms(later)).unwrap()
        );
        assert_eq!(runs[1].totals.unknown_cost_calls, 1);
        assert_eq!(
            store
                .triage_totals_since(later + jiff::SignedDuration::from_secs(1))
                .unwrap(),
            TriageTotals::default()
        );
        let tomorrow = now + jiff::SignedDuration::from_hours(24);
        assert_eq!(store.triage_calls_on(tomorrow).unwrap(), 0);
    }
}
