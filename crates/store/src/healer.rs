//! What the healer remembers between runs (it was `healer-v1/state.json`):
//! the fingerprint of each target that worked, the selectors that trusted
//! repairs found, and how many model calls were made per UTC day.
//!
//! Every write is one upsert of one target's row (or one selector's, or one
//! day's), made when it is learned, never a rewrite of everything: two runs
//! at once (the daemon and a `distroflow post`) each keep what they learned,
//! and each read sees what the other wrote since.

use std::time::Duration;

use distroflow_core::{ElementInfo, Result};
use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};

use crate::db::{bad_column, ms, ts_at};
use crate::Store;

/// Learned selectors kept per target (the newest).
pub const MAX_LEARNED: usize = 5;

/// Model-call counts are kept this many days.
const MODEL_CALL_DAYS: i64 = 31;

/// A fingerprint is rewritten when the element changed, or at most this
/// often when it did not (so a run of identical steps writes nothing).
const FINGERPRINT_REFRESH: Duration = Duration::from_secs(3600);

/// What a target's element looked like the last time it was found.
#[derive(Clone, Debug, PartialEq)]
pub struct Fingerprint {
    pub info: ElementInfo,
    /// The page it was seen on.
    pub url: String,
    pub seen_at: Timestamp,
}

/// Everything the healer's old `state.json` held, to be merged into the
/// store once ([`Store::import_healer_memory`]).
#[derive(Clone, Debug, Default)]
pub struct HealerMemory {
    pub fingerprints: Vec<(String, Fingerprint)>,
    /// Per target, newest first, each with the time it counts as learned.
    pub learned: Vec<(String, Vec<(String, Timestamp)>)>,
    /// Model calls per UTC day (days since the Unix epoch).
    pub model_calls: Vec<(i64, u32)>,
}

/// The UTC day of `now`, as days since the Unix epoch.
pub fn utc_day(now: Timestamp) -> i64 {
    now.as_second().div_euclid(86_400)
}

impl Store {
    /// The selectors learned for `target`, newest first.
    pub fn learned_selectors(&self, target: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT selector FROM healer_learned WHERE target = ?1
                 ORDER BY learned_at DESC, rowid DESC",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([target], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
            .map_err(|e| self.err(e))
    }

    /// Keeps `selector` as the newest learned selector of `target` (and only
    /// the [`MAX_LEARNED`] newest).
    pub fn learn_selector(&self, target: &str, selector: &str, now: Timestamp) -> Result<()> {
        let tx = self.write_tx()?;
        upsert_learned(&tx, target, selector, now, true).map_err(|e| self.err(e))?;
        trim_learned(&tx, target).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// The fingerprint recorded for `target`, if any.
    pub fn fingerprint(&self, target: &str) -> Result<Option<Fingerprint>> {
        let row = self
            .conn
            .prepare_cached("SELECT info, url, seen_at FROM healer_fingerprints WHERE target = ?1")
            .and_then(|mut s| {
                s.query_row([target], |r| {
                    let info: String = r.get(0)?;
                    let info: ElementInfo =
                        serde_json::from_str(&info).map_err(|e| bad_column(0, e))?;
                    Ok(Fingerprint {
                        info,
                        url: r.get(1)?,
                        seen_at: ts_at(r, 2)?,
                    })
                })
                .optional()
            });
        row.map_err(|e| self.err(e))
    }

    /// Records what `target`'s element looks like now. An older record
    /// never replaces a newer one; an unchanged element is rewritten at
    /// most hourly.
    pub fn record_fingerprint(&self, target: &str, fingerprint: &Fingerprint) -> Result<()> {
        upsert_fingerprint(&self.conn, target, fingerprint)
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Model calls made so far on `now`'s UTC day, by every process.
    pub fn model_calls_on(&self, now: Timestamp) -> Result<u32> {
        self.conn
            .query_row(
                "SELECT calls FROM healer_model_calls WHERE day = ?1",
                [utc_day(now)],
                |r| r.get(0),
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(|e| self.err(e))
    }

    /// Counts one model call on `now`'s UTC day; returns the day's count.
    pub fn count_model_call(&self, now: Timestamp) -> Result<u32> {
        let day = utc_day(now);
        let tx = self.write_tx()?;
        let calls = tx
            .query_row(
                "INSERT INTO healer_model_calls (day, calls) VALUES (?1, 1)
                 ON CONFLICT (day) DO UPDATE SET calls = calls + 1
                 RETURNING calls",
                [day],
                |r| r.get(0),
            )
            .and_then(|calls| {
                tx.execute(
                    "DELETE FROM healer_model_calls WHERE day < ?1",
                    [day - MODEL_CALL_DAYS],
                )?;
                Ok(calls)
            })
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(calls)
    }

    /// Forgets the learned selectors and fingerprints of `platform`'s
    /// targets (`platform.…`), or of every target.
    pub fn forget_healer_memory(&self, platform: Option<&str>) -> Result<()> {
        let tx = self.write_tx()?;
        for table in ["healer_learned", "healer_fingerprints"] {
            let done = match platform {
                Some(p) => tx.execute(
                    &format!(
                        "DELETE FROM {table} WHERE substr(target, 1, length(?1) + 1) = ?1 || '.'"
                    ),
                    [p],
                ),
                None => tx.execute(&format!("DELETE FROM {table}"), []),
            };
            done.map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Merges an old `state.json`'s contents, in one transaction. Merging
    /// twice changes nothing, and nothing the store already knows is lost:
    /// a newer fingerprint stays, a selector learned since stays ahead, and
    /// a day's model calls become the larger of the two counts.
    pub fn import_healer_memory(&self, memory: &HealerMemory) -> Result<()> {
        let tx = self.write_tx()?;
        let run = || -> rusqlite::Result<()> {
            for (target, fp) in &memory.fingerprints {
                upsert_fingerprint(&tx, target, fp)?;
            }
            for (target, selectors) in &memory.learned {
                for (selector, at) in selectors {
                    upsert_learned(&tx, target, selector, *at, false)?;
                }
                trim_learned(&tx, target)?;
            }
            for (day, calls) in &memory.model_calls {
                tx.execute(
                    "INSERT INTO healer_model_calls (day, calls) VALUES (?1, ?2)
                     ON CONFLICT (day) DO UPDATE SET calls = max(calls, excluded.calls)",
                    params![day, calls],
                )?;
            }
            Ok(())
        };
        run().map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }
}

fn upsert_learned(
    conn: &rusqlite::Connection,
    target: &str,
    selector: &str,
    at: Timestamp,
    newer_wins: bool,
) -> rusqlite::Result<usize> {
    let sql = if newer_wins {
        "INSERT INTO healer_learned (target, selector, learned_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (target, selector) DO UPDATE SET learned_at = max(learned_at, excluded.learned_at)"
    } else {
        "INSERT OR IGNORE INTO healer_learned (target, selector, learned_at) VALUES (?1, ?2, ?3)"
    };
    conn.execute(sql, params![target, selector, ms(at)])
}

fn trim_learned(conn: &rusqlite::Connection, target: &str) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM healer_learned WHERE target = ?1 AND rowid NOT IN (
             SELECT rowid FROM healer_learned WHERE target = ?1
             ORDER BY learned_at DESC, rowid DESC LIMIT ?2)",
        params![target, MAX_LEARNED as i64],
    )
}

fn upsert_fingerprint(
    conn: &rusqlite::Connection,
    target: &str,
    fp: &Fingerprint,
) -> rusqlite::Result<usize> {
    let info = serde_json::to_string(&fp.info)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.execute(
        "INSERT INTO healer_fingerprints (target, info, url, seen_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (target) DO UPDATE
            SET info = excluded.info, url = excluded.url, seen_at = excluded.seen_at
          WHERE excluded.seen_at >= seen_at
            AND (info != excluded.info OR url != excluded.url OR excluded.seen_at - seen_at >= ?5)",
        params![
            target,
            info,
            fp.url,
            ms(fp.seen_at),
            FINGERPRINT_REFRESH.as_millis() as i64
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn fp(tag: &str, seen: &str) -> Fingerprint {
        Fingerprint {
            info: ElementInfo {
                tag: tag.into(),
                ..ElementInfo::default()
            },
            url: "http://127.0.0.1/submit".into(),
            seen_at: at(seen),
        }
    }

    #[test]
    fn learned_selectors_are_newest_first_and_capped() {
        let s = Store::open_in_memory().unwrap();
        for i in 0..7 {
            let now = at("2025-01-01T00:00:00Z") + jiff::SignedDuration::from_secs(i);
            s.learn_selector("hn.title", &format!("#t{i}"), now)
                .unwrap();
        }
        // Learning an old one again moves it to the front.
        s.learn_selector("hn.title", "#t3", at("2025-01-02T00:00:00Z"))
            .unwrap();
        assert_eq!(
            s.learned_selectors("hn.title").unwrap(),
            ["#t3", "#t6", "#t5", "#t4", "#t2"]
        );
        assert!(s.learned_selectors("hn.other").unwrap().is_empty());
    }

    #[test]
    fn a_fingerprint_is_replaced_by_newer_only() {
        let s = Store::open_in_memory().unwrap();
        s.record_fingerprint("hn.title", &fp("input", "2025-01-02T00:00:00Z"))
            .unwrap();
        s.record_fingerprint("hn.title", &fp("textarea", "2025-01-01T00:00:00Z"))
            .unwrap();
        assert_eq!(
            s.fingerprint("hn.title").unwrap().unwrap().info.tag,
            "input"
        );
        s.record_fingerprint("hn.title", &fp("textarea", "2025-01-03T00:00:00Z"))
            .unwrap();
        let got = s.fingerprint("hn.title").unwrap().unwrap();
        assert_eq!(got, fp("textarea", "2025-01-03T00:00:00Z"));
    }

    #[test]
    fn model_calls_count_per_utc_day() {
        let s = Store::open_in_memory().unwrap();
        let d1 = at("2025-01-01T23:00:00Z");
        assert_eq!(s.model_calls_on(d1).unwrap(), 0);
        assert_eq!(s.count_model_call(d1).unwrap(), 1);
        assert_eq!(s.count_model_call(d1).unwrap(), 2);
        let d2 = at("2025-01-02T01:00:00Z");
        assert_eq!(s.model_calls_on(d2).unwrap(), 0);
        s.count_model_call(d2).unwrap();
        assert_eq!(s.model_calls_on(d1).unwrap(), 2);
        // Old days are dropped.
        s.count_model_call(at("2025-03-01T00:00:00Z")).unwrap();
        assert_eq!(s.model_calls_on(d1).unwrap(), 0);
    }

    #[test]
    fn forgetting_one_platform_keeps_the_others() {
        let s = Store::open_in_memory().unwrap();
        let now = at("2025-01-01T00:00:00Z");
        for t in ["hn.title", "hnx.title", "x.editor"] {
            s.learn_selector(t, "#a", now).unwrap();
            s.record_fingerprint(t, &fp("input", "2025-01-01T00:00:00Z"))
                .unwrap();
        }
        s.forget_healer_memory(Some("hn")).unwrap();
        assert!(s.learned_selectors("hn.title").unwrap().is_empty());
        assert!(s.fingerprint("hn.title").unwrap().is_none());
        assert_eq!(s.learned_selectors("hnx.title").unwrap(), ["#a"]);
        assert!(s.fingerprint("x.editor").unwrap().is_some());
        s.forget_healer_memory(None).unwrap();
        assert!(s.learned_selectors("x.editor").unwrap().is_empty());
        assert!(s.fingerprint("hnx.title").unwrap().is_none());
    }

    #[test]
    fn importing_twice_changes_nothing_and_loses_nothing_newer() {
        let s = Store::open_in_memory().unwrap();
        let newer = at("2025-02-01T00:00:00Z");
        s.learn_selector("hn.title", "#new", newer).unwrap();
        s.record_fingerprint("hn.title", &fp("textarea", "2025-02-01T00:00:00Z"))
            .unwrap();
        s.count_model_call(at("2025-01-20T00:00:00Z")).unwrap();
        let old = at("2025-01-01T00:00:00Z");
        let memory = HealerMemory {
            fingerprints: vec![
                ("hn.title".into(), fp("input", "2025-01-01T00:00:00Z")),
                ("hn.url".into(), fp("input", "2025-01-01T00:00:00Z")),
            ],
            learned: vec![(
                "hn.title".into(),
                vec![
                    ("#old1".into(), old),
                    ("#old2".into(), old - jiff::SignedDuration::from_millis(1)),
                ],
            )],
            model_calls: vec![(utc_day(at("2025-01-20T00:00:00Z")), 3)],
        };
        s.import_healer_memory(&memory).unwrap();
        s.import_healer_memory(&memory).unwrap();
        assert_eq!(
            s.learned_selectors("hn.title").unwrap(),
            ["#new", "#old1", "#old2"]
        );
        assert_eq!(
            s.fingerprint("hn.title").unwrap().unwrap().info.tag,
            "textarea"
        );
        assert!(s.fingerprint("hn.url").unwrap().is_some());
        assert_eq!(s.model_calls_on(at("2025-01-20T12:00:00Z")).unwrap(), 3);
    }
}
