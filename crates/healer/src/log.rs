//! The repair record: one JSON line per repair in
//! `$DISTROFLOW_HOME/healer-v1/repairs.jsonl`.

use std::io::Write;

use distroflow_core::{Error, Home, Result};
use serde::{Deserialize, Serialize};

const FILE: &str = "repairs.jsonl";

/// One repair: which target, which tier found it, what it cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Repair {
    /// Unix seconds.
    pub time: u64,
    pub platform: String,
    pub target: String,
    /// `retry`, `alternatives`, `similarity` or `model`.
    pub tier: String,
    /// The selector that no longer worked (the target's first candidate).
    pub old_selector: String,
    /// The selector that worked.
    pub selector: String,
    /// Similarity or model confidence, 0..1 (1 for retry and alternatives).
    pub score: f64,
    /// Time the repair added to its step.
    pub latency_ms: u64,
    #[serde(default)]
    pub tokens: u64,
    /// US dollars; `None` (null) when the model's price is unknown.
    #[serde(default = "no_cost")]
    pub cost_usd: Option<f64>,
    /// The step's expected outcome followed, so the repair was kept.
    pub confirmed: bool,
    /// The page it happened on.
    #[serde(default)]
    pub url: String,
}

/// Lines written before costs could be unknown had no cost or 0.
fn no_cost() -> Option<f64> {
    Some(0.0)
}

pub(crate) fn append(home: &Home, repair: &Repair) -> Result<()> {
    let dir = home.private_dir(crate::store::DIR)?;
    let path = dir.join(FILE);
    let mut line = serde_json::to_string(repair).map_err(|e| Error::Unexpected {
        message: format!("repair record: {e}"),
    })?;
    line.push('\n');
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    f.write_all(line.as_bytes())
        .map_err(|e| Error::io(&path, e))
}

/// Every recorded repair, oldest first (damaged lines are skipped).
pub fn read(home: &Home) -> Result<Vec<Repair>> {
    let path = home.root().join(crate::store::DIR).join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(s) => Ok(s
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io(&path, e)),
    }
}
