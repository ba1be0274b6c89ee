//! What the healer remembers between runs: the fingerprint of every target
//! that worked, the selectors learned by trusted repairs, and the model
//! calls per day. It lives in the local store (`store.sqlite3`, tables
//! owned by `distroflow-store`): each lookup reads it, each confirmation
//! writes one target's row, so concurrent runs keep each other's repairs.
//!
//! Before, it was `$DISTROFLOW_HOME/healer-v1/state.json`, rewritten whole
//! at each job's end; such a file is merged into the store once and renamed
//! `state.json.migrated`.

use std::sync::Mutex;

use distroflow_core::{ElementInfo, Error, Home, Result};
use distroflow_store::{Fingerprint, HealerMemory};
use jiff::{SignedDuration, Timestamp};

/// The healer's folder under the home (the repair log lives there).
pub(crate) const DIR: &str = "healer-v1";
const LEGACY_FILE: &str = "state.json";
const MIGRATED_FILE: &str = "state.json.migrated";

/// The healer's memory, over the store of a home (or a private in-memory
/// one that is forgotten with it: tests and the sandbox).
pub struct Memory {
    store: Mutex<distroflow_store::Store>,
}

impl Memory {
    /// Opens the memory of `home` (merging an old `state.json` first), or
    /// a private one for `None`.
    pub fn open(home: Option<&Home>) -> Result<Memory> {
        let store = match home {
            Some(h) => {
                let store = distroflow_store::Store::open_home(h)?;
                migrate_legacy(h, &store)?;
                store
            }
            None => distroflow_store::Store::open_in_memory()?,
        };
        Ok(Memory {
            store: Mutex::new(store),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&distroflow_store::Store) -> Result<T>) -> Result<T> {
        let store = self.store.lock().map_err(|_| Error::Unexpected {
            message: "healer memory lock poisoned".into(),
        })?;
        f(&store)
    }

    /// The selectors learned for `target`, newest first (none when the
    /// store cannot be read: healing goes on without them).
    pub fn learned(&self, target: &str) -> Vec<String> {
        self.with(|s| s.learned_selectors(target))
            .unwrap_or_else(|e| {
                tracing::warn!(target, "cannot read learned selectors: {e}");
                Vec::new()
            })
    }

    /// The fingerprint recorded for `target`.
    pub fn fingerprint(&self, target: &str) -> Option<Fingerprint> {
        self.with(|s| s.fingerprint(target)).unwrap_or_else(|e| {
            tracing::warn!(target, "cannot read a fingerprint: {e}");
            None
        })
    }

    /// Keeps a selector a confirmed repair found.
    pub(crate) fn learn(&self, target: &str, selector: &str) {
        if let Err(e) = self.with(|s| s.learn_selector(target, selector, Timestamp::now())) {
            tracing::warn!(target, "cannot keep a learned selector: {e}");
        }
    }

    /// Records what `target`'s element looks like now.
    pub(crate) fn record_fingerprint(&self, target: &str, info: ElementInfo, url: &str) {
        let fp = Fingerprint {
            info,
            url: url.to_string(),
            seen_at: Timestamp::now(),
        };
        if let Err(e) = self.with(|s| s.record_fingerprint(target, &fp)) {
            tracing::warn!(target, "cannot record a fingerprint: {e}");
        }
    }

    /// Model calls made today (UTC) by every DistroFlow process.
    pub(crate) fn model_calls_today(&self) -> Result<u32> {
        self.with(|s| s.model_calls_on(Timestamp::now()))
    }

    pub(crate) fn count_model_call(&self) {
        if let Err(e) = self.with(|s| s.count_model_call(Timestamp::now())) {
            tracing::warn!("cannot count a model call: {e}");
        }
    }

    /// Forgets everything learned for targets of `platform` (or all).
    pub fn forget(&self, platform: Option<&str>) -> Result<()> {
        self.with(|s| s.forget_healer_memory(platform))
    }
}

/// `state.json` as DistroFlow wrote it before the store held the memory.
#[derive(Default, serde::Deserialize)]
struct LegacyState {
    #[serde(default)]
    fingerprints: std::collections::BTreeMap<String, LegacyFingerprint>,
    /// Most recent first.
    #[serde(default)]
    learned: std::collections::BTreeMap<String, Vec<String>>,
    /// Model calls per UTC day (days since the Unix epoch).
    #[serde(default)]
    model_calls: std::collections::BTreeMap<i64, u32>,
}

#[derive(serde::Deserialize)]
struct LegacyFingerprint {
    info: ElementInfo,
    url: String,
    /// Unix seconds.
    seen_at: i64,
}

/// Merges `healer-v1/state.json` into the store, then renames it. Safe when
/// several processes do it at once: merging is idempotent.
fn migrate_legacy(home: &Home, store: &distroflow_store::Store) -> Result<()> {
    let dir = home.root().join(DIR);
    let path = dir.join(LEGACY_FILE);
    let (body, modified) = match std::fs::read(&path) {
        Ok(b) => {
            let modified = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| Timestamp::try_from(t).ok())
                .unwrap_or_else(Timestamp::now);
            (b, modified)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let old: LegacyState = serde_json::from_slice(&body).map_err(|e| Error::Config {
        message: format!(
            "{} is damaged ({e}); delete it to start afresh (only learned selectors are lost)",
            path.display()
        ),
    })?;
    let seconds = |s: i64| Timestamp::from_second(s).unwrap_or(modified);
    let memory = HealerMemory {
        fingerprints: old
            .fingerprints
            .into_iter()
            .map(|(target, f)| {
                let fp = Fingerprint {
                    info: f.info,
                    url: f.url,
                    seen_at: seconds(f.seen_at),
                };
                (target, fp)
            })
            .collect(),
        // The file kept order, not times: the newest counts as learned when
        // the file was last written, each older one a millisecond before.
        learned: old
            .learned
            .into_iter()
            .map(|(target, list)| {
                let timed = list
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let at = modified
                            .checked_sub(SignedDuration::from_millis(i as i64))
                            .unwrap_or(modified);
                        (s, at)
                    })
                    .collect();
                (target, timed)
            })
            .collect(),
        model_calls: old.model_calls.into_iter().collect(),
    };
    store.import_healer_memory(&memory)?;
    match std::fs::rename(&path, dir.join(MIGRATED_FILE)) {
        Ok(()) => {
            tracing::info!(
                "moved the healer's memory from {} into the store",
                path.display()
            );
            Ok(())
        }
        // Another process migrated it at the same time.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(&path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_state_file_is_merged_once_and_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let old = r##"{
            "fingerprints": {"hackernews.submit.title": {"info": {"tag": "input", "name": "title"}, "url": "http://h/submit", "seen_at": 1700000000}},
            "learned": {"hackernews.submit.title": ["#new", "#older"], "x.compose.editor": ["div.e"]},
            "model_calls": {"19000": 3}
        }"##;
        home.write_private(DIR, LEGACY_FILE, old.as_bytes())
            .unwrap();
        let memory = Memory::open(Some(&home)).unwrap();
        assert_eq!(
            memory.learned("hackernews.submit.title"),
            ["#new", "#older"]
        );
        assert_eq!(memory.learned("x.compose.editor"), ["div.e"]);
        let fp = memory.fingerprint("hackernews.submit.title").unwrap();
        assert_eq!(
            (fp.info.tag.as_str(), fp.url.as_str()),
            ("input", "http://h/submit")
        );
        assert_eq!(fp.seen_at.as_second(), 1_700_000_000);
        let calls = memory
            .with(|s| s.model_calls_on(Timestamp::from_second(19_000 * 86_400).unwrap()))
            .unwrap();
        assert_eq!(calls, 3);
        assert!(!dir.path().join(DIR).join(LEGACY_FILE).exists());
        assert!(dir.path().join(DIR).join(MIGRATED_FILE).exists());

        // Learned since, then opened again: the renamed file is not re-read.
        memory.learn("x.compose.editor", "div.f");
        drop(memory);
        let again = Memory::open(Some(&home)).unwrap();
        assert_eq!(again.learned("x.compose.editor"), ["div.f", "div.e"]);
    }

    #[test]
    fn a_damaged_state_file_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        home.write_private(DIR, LEGACY_FILE, b"{not json").unwrap();
        let e = Memory::open(Some(&home)).err().unwrap();
        assert!(e.to_string().contains("delete it"), "{e}");
    }
}
