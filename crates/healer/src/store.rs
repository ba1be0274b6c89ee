//! What the healer remembers between runs: the fingerprint of every target
//! that worked and the selectors learned by trusted repairs.
//! `$DISTROFLOW_HOME/healer-v1/state.json`.

use std::collections::BTreeMap;

use distroflow_core::{ElementInfo, Error, Home, Result};
use serde::{Deserialize, Serialize};

pub(crate) const DIR: &str = "healer-v1";
const FILE: &str = "state.json";
/// Learned selectors kept per target.
const MAX_LEARNED: usize = 5;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Fingerprint {
    pub info: ElementInfo,
    /// The page it was seen on.
    pub url: String,
    /// Unix seconds.
    pub seen_at: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Store {
    #[serde(default)]
    pub fingerprints: BTreeMap<String, Fingerprint>,
    /// Most recent first.
    #[serde(default)]
    pub learned: BTreeMap<String, Vec<String>>,
    /// Model calls per UTC day (days since the Unix epoch), for the daily cap.
    #[serde(default)]
    pub model_calls: BTreeMap<u64, u32>,
}

impl Store {
    pub fn load(home: &Home) -> Result<Store> {
        let path = home.root().join(DIR).join(FILE);
        match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|e| Error::Config {
                message: format!(
                    "{} is damaged ({e}); delete it to start afresh",
                    path.display()
                ),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Store::default()),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    pub fn save(&self, home: &Home) -> Result<()> {
        let body = serde_json::to_vec(self).map_err(|e| Error::Unexpected {
            message: format!("healer state: {e}"),
        })?;
        home.write_private(DIR, FILE, &body).map(|_| ())
    }

    pub fn model_calls_today(&self, now_secs: u64) -> u32 {
        self.model_calls
            .get(&(now_secs / 86_400))
            .copied()
            .unwrap_or(0)
    }

    pub fn count_model_call(&mut self, now_secs: u64) {
        let today = now_secs / 86_400;
        *self.model_calls.entry(today).or_default() += 1;
        self.model_calls.retain(|d, _| *d + 31 >= today);
    }

    pub fn learn(&mut self, target: &str, selector: &str) {
        let list = self.learned.entry(target.to_string()).or_default();
        list.retain(|s| s != selector);
        list.insert(0, selector.to_string());
        list.truncate(MAX_LEARNED);
    }

    /// Forgets everything learned for targets of `platform` (or all).
    pub fn reset(&mut self, platform: Option<&str>) {
        let keep = |k: &String| platform.is_some_and(|p| k.split('.').next() != Some(p));
        self.learned.retain(|k, _| keep(k));
        self.fingerprints.retain(|k, _| keep(k));
    }
}
