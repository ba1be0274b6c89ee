//! [`HealingPage`]: a [`Page`] that resolves target names (`@x.compose.editor`)
//! through the selector book and repairs a broken target in tiers,
//! cheapest first: `retry`, `alternatives`, `role`, `similarity` (then
//! `model`). Every lookup of a target goes through them: acting on it,
//! waiting for it, counting it, reading its text or attributes. Only
//! targets marked `probe` (markers whose absence is the usual answer) are
//! looked up by their known selectors alone.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use distroflow_core::{Cookie, ElementInfo, Error, Home, Pacer, Page, PlatformId, Result, Waits};
use serde_json::Value;

use crate::book::SelectorBook;
use crate::log::{self, Repair};
use crate::model::{ModelConfig, ModelTier};
use crate::store::Memory;
use crate::{role, similarity};

/// Which tier found the element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// The target's first candidate: nothing to repair.
    Primary,
    Retry,
    Alternatives,
    /// Accessible role and name (or test id, or field name), exact and unique.
    Role,
    Similarity,
    Model,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Primary => "primary",
            Tier::Retry => "retry",
            Tier::Alternatives => "alternatives",
            Tier::Role => "role",
            Tier::Similarity => "similarity",
            Tier::Model => "model",
        }
    }
}

/// Timing of the tiers.
#[derive(Clone, Copy, Debug)]
pub struct HealOptions {
    /// How long the known selectors get before the page is searched by role
    /// and likeness (the page may still be rendering).
    pub similarity_after: Duration,
    /// Time between two scans of the page. A repair is accepted only when
    /// two scans this far apart pick the same element: a page still
    /// rendering or in transition gives no stable answer.
    pub rescan_every: Duration,
    /// How long the cheaper tiers get before the model is asked (once).
    pub model_after: Duration,
    /// Whether the role and similarity tiers run (always, but for the
    /// benchmark that exercises the model tier alone).
    pub search: bool,
}

impl Default for HealOptions {
    fn default() -> Self {
        HealOptions {
            similarity_after: Duration::from_millis(50),
            rescan_every: Duration::from_millis(80),
            model_after: Duration::from_millis(2500),
            search: true,
        }
    }
}

/// The healer of a run: the selector book, what was learned before, and
/// where repairs are recorded. Shared by every job of the run.
pub struct Healer {
    book: SelectorBook,
    memory: Memory,
    home: Option<Home>,
    options: HealOptions,
    model: Option<ModelTier>,
}

impl Healer {
    /// A healer over `book`, remembering in `home` (or nowhere: tests).
    pub fn new(book: SelectorBook, home: Option<Home>) -> Result<Arc<Healer>> {
        Ok(Arc::new(Healer {
            book,
            memory: Memory::open(home.as_ref())?,
            home,
            options: HealOptions::default(),
            model: None,
        }))
    }

    pub fn with_options(self: Arc<Self>, options: HealOptions) -> Arc<Healer> {
        match Arc::try_unwrap(self) {
            Ok(mut h) => {
                h.options = options;
                Arc::new(h)
            }
            Err(shared) => shared,
        }
    }

    /// Turns the `model` tier on (or leaves it off with `None`).
    pub fn with_model(self: Arc<Self>, model: Option<ModelConfig>) -> Arc<Healer> {
        match Arc::try_unwrap(self) {
            Ok(mut h) => {
                h.model = model.map(ModelTier::new);
                Arc::new(h)
            }
            Err(shared) => shared,
        }
    }

    pub fn model_enabled(&self) -> bool {
        self.model.is_some()
    }

    pub fn book(&self) -> &SelectorBook {
        &self.book
    }

    /// Wraps a tab for one platform's job.
    pub fn page<'a>(
        self: &Arc<Self>,
        inner: &'a dyn Page,
        platform: PlatformId,
    ) -> HealingPage<'a> {
        HealingPage {
            healer: self.clone(),
            inner,
            platform,
            pending: Mutex::new(Vec::new()),
            steps: Mutex::new(Vec::new()),
            repaired: Mutex::new(Default::default()),
            described: Mutex::new(Default::default()),
        }
    }

    /// What this healer remembers (shared with every run over its home).
    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    fn record(&self, repair: &Repair) {
        tracing::info!(
            tier = %repair.tier, target = %repair.target, selector = %repair.selector,
            score = repair.score, confirmed = repair.confirmed, "repaired a step"
        );
        if let Some(home) = &self.home {
            if let Err(e) = log::append(home, repair) {
                tracing::warn!("cannot record a repair: {e}");
            }
        }
    }

    /// The target's selectors, with the fingerprint to repair against.
    fn candidates(&self, name: &str) -> Result<Candidates> {
        let mut cand = self.known(name)?;
        (cand.fingerprint, cand.learned) = self.fingerprint_of(name);
        Ok(cand)
    }

    /// The fingerprint recorded for the target, else its seed.
    fn fingerprint(&self, name: &str) -> Option<ElementInfo> {
        self.fingerprint_of(name).0
    }

    /// The fingerprint, and whether it was recorded from the element itself
    /// (not the seed's outline).
    fn fingerprint_of(&self, name: &str) -> (Option<ElementInfo>, bool) {
        if let Some(f) = self.memory.fingerprint(name) {
            return (Some(f.info), true);
        }
        let seed = self
            .book
            .target(name)
            .and_then(|t| t.expect.as_ref())
            .map(|e| e.as_fingerprint());
        (seed, false)
    }

    /// The target's selectors only: what a presence check polls, without
    /// reading the fingerprint it does not need.
    fn known(&self, name: &str) -> Result<Candidates> {
        let target = self.book.target(name).ok_or_else(|| Error::Config {
            message: format!("no selector data for target `{name}`"),
        })?;
        let mut list: Vec<(String, Tier)> = Vec::new();
        let mut push = |s: &str, t: Tier| {
            if !list.iter().any(|(x, _)| x == s) {
                list.push((s.to_string(), t));
            }
        };
        push(&target.candidates[0], Tier::Primary);
        for s in &self.memory.learned(name) {
            push(s, Tier::Alternatives);
        }
        for s in &target.candidates[1..] {
            push(s, Tier::Alternatives);
        }
        Ok(Candidates {
            name: name.to_string(),
            list,
            destructive: target.destructive,
            probe: target.probe,
            fingerprint: None,
            learned: false,
        })
    }
}

/// What is known about a target when locating it.
struct Candidates {
    name: String,
    /// Selectors to try, most trusted first, with the tier each stands for.
    list: Vec<(String, Tier)>,
    destructive: bool,
    /// Absence is the usual answer: never repaired by likeness.
    probe: bool,
    /// Recorded, or seeded from the selector data.
    fingerprint: Option<ElementInfo>,
    /// The fingerprint was recorded from the element (not the seed).
    learned: bool,
}

struct Located {
    selector: String,
    tier: Tier,
    score: f64,
    latency: Duration,
    info: Option<ElementInfo>,
    tokens: u64,
    cost_usd: Option<f64>,
}

/// A model answer must point at an element at least this much like the
/// fingerprint: the model chooses, the fingerprint vetoes nonsense.
const MODEL_FLOOR: f64 = 0.35;
/// A known alternative whose match is less like the learned fingerprint
/// (never the seed, which is only an outline) than this
/// is checked against one scan of the page; when that shows an element
/// clearly likelier, it is taken only if the search tiers settle on
/// nothing better.
const DOUBTFUL: f64 = 0.85;
/// How much likelier a search tier's element must be to win over it.
const DOUBT_MARGIN: f64 = 0.1;
/// Candidates shown to the model.
const MODEL_CANDIDATES: usize = 8;
/// The model's own confidence must reach this.
const MODEL_CONFIDENCE: f64 = 0.5;

/// The page's elements less those a step already acted on as another
/// target: a repair never takes another step's element (X's second thread
/// editor is never the first one).
fn unclaimed(page: Vec<ElementInfo>, name: &str) -> Vec<ElementInfo> {
    page.into_iter()
        .filter(|e| e.claimed.is_empty() || e.claimed == name)
        .collect()
}

/// The element of `page` for the fingerprint: by role and name, else by
/// likeness (never a disabled one).
fn pick_in(fp: &ElementInfo, page: &[ElementInfo], destructive: bool) -> Option<Located> {
    let (index, tier, score) = if let Some(i) = role::pick(fp, page, destructive) {
        (i, Tier::Role, 1.0)
    } else {
        if tracing::enabled!(tracing::Level::DEBUG) {
            // Why nothing was taken: the best likenesses (selectors and
            // scores only, never text typed into the page).
            let mut best: Vec<(f64, &str)> = page
                .iter()
                .filter(|c| c.visible)
                .map(|c| (similarity::score(fp, c), c.selector.as_str()))
                .collect();
            best.sort_by(|a, b| b.0.total_cmp(&a.0));
            best.truncate(3);
            tracing::debug!(role = %fp.role, candidates = page.len(), ?best, "no unique role match; likeness");
        }
        let p = similarity::pick(fp, page, destructive)?;
        if role::is_disabled(&page[p.index]) {
            return None;
        }
        (p.index, Tier::Similarity, p.score)
    };
    let info = page[index].clone();
    Some(Located {
        selector: info.selector.clone(),
        tier,
        score,
        latency: Duration::ZERO,
        info: Some(info),
        tokens: 0,
        cost_usd: Some(0.0),
    })
}

/// Whether `c` is clearly more like the fingerprint than the element a
/// known alternative matched (`matched`, `likeness`): it has the
/// fingerprint's role and one of its identifying keys (accessible name,
/// test id, form field name) where the match does not, or it scores
/// clearly higher.
fn likelier(fp: &ElementInfo, c: &ElementInfo, matched: &Located, likeness: f64) -> bool {
    let named = matched
        .info
        .as_ref()
        .is_some_and(|m| role::identified_unlike(fp, c, m));
    named || similarity::score(fp, c) >= likeness + DOUBT_MARGIN
}

/// Two elements a person could not tell apart (same kind, role and name):
/// choosing one of them is a guess.
fn twins(a: &ElementInfo, b: &ElementInfo) -> bool {
    a.tag == b.tag && a.role == b.role && a.name == b.name && a.text == b.text
}

fn poisoned() -> Error {
    Error::Unexpected {
        message: "healer state poisoned".into(),
    }
}

struct Pending {
    target: String,
    repair: Repair,
    info: Option<ElementInfo>,
}

/// A tab whose selectors may be target names (`@platform.step.element`).
/// Plain CSS selectors pass through unchanged.
pub struct HealingPage<'a> {
    healer: Arc<Healer>,
    inner: &'a dyn Page,
    platform: PlatformId,
    pending: Mutex<Vec<Pending>>,
    steps: Mutex<Vec<String>>,
    /// Per target: what a repair on this page found, and when the page was
    /// last searched for it by a query (queries are polled; searches are
    /// not repeated faster than `rescan_every`).
    repaired: Mutex<std::collections::HashMap<String, Repaired>>,
    /// Targets whose fingerprint a query has looked at on this page.
    described: Mutex<std::collections::HashSet<String>>,
}

#[derive(Default)]
struct Repaired {
    selector: Option<String>,
    searched: Option<Instant>,
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl HealingPage<'_> {
    /// The step log: every targeted action, the selector used and its tier.
    pub fn steps(&self) -> Vec<String> {
        self.steps.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn log_step(&self, line: String) {
        if let Ok(mut s) = self.steps.lock() {
            s.push(line);
        }
    }

    /// Records repairs that were never confirmed (the job failed or ended
    /// before its outcome). What was learned is already in the store.
    pub fn finish(&self) {
        let pending = self
            .pending
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default();
        for p in pending {
            self.healer.record(&p.repair);
        }
    }

    /// For queries (presence, text, attributes): the first known selector
    /// that matches now; when none does, the role and similarity tiers look
    /// once (two scans, a moment apart, must agree), at most every
    /// `rescan_every` per target since queries are polled. Absence is an
    /// answer: the primary selector is returned, which matches nothing.
    async fn quick(&self, selector: &str, search: bool) -> Result<String> {
        let Some(name) = selector.strip_prefix('@') else {
            return Ok(selector.to_string());
        };
        let mut cand = self.healer.known(name)?;
        for (i, (s, _)) in cand.list.iter().enumerate() {
            if self.inner.count(s).await.unwrap_or(0) > 0 {
                if i == 0 && !cand.probe {
                    self.fingerprint_queried(name, s).await;
                }
                return Ok(s.clone());
            }
        }
        if let Some(s) = self.repaired_selector(name) {
            if self.inner.count(&s).await.unwrap_or(0) > 0 {
                return Ok(s);
            }
        }
        let primary = cand.list[0].0.clone();
        if !search || cand.probe || !self.healer.options.search {
            return Ok(primary);
        }
        let due = {
            let mut map = self.repaired.lock().map_err(|_| poisoned())?;
            let entry = map.entry(name.to_string()).or_default();
            let due = entry
                .searched
                .is_none_or(|t| t.elapsed() >= self.healer.options.rescan_every);
            if due {
                entry.searched = Some(Instant::now());
            }
            due
        };
        if !due {
            return Ok(primary);
        }
        cand.fingerprint = self.healer.fingerprint(name);
        let start = Instant::now();
        let Some(first) = self.search(&cand).await else {
            return Ok(primary);
        };
        tokio::time::sleep(self.healer.options.rescan_every).await;
        let Some(second) = self.search(&cand).await else {
            return Ok(primary);
        };
        if first.selector != second.selector || !self.unique(&second.selector).await {
            return Ok(primary);
        }
        let mut found = second;
        found.latency = start.elapsed();
        let selector = found.selector.clone();
        self.log_step(format!(
            "{name} -> {selector} ({}, looked up)",
            found.tier.as_str()
        ));
        self.remember(name, found).await;
        Ok(selector)
    }

    /// A target only ever queried (a logged-in marker) is fingerprinted
    /// too, the first time its primary selector finds it: when a redesign
    /// breaks every selector, the search tiers then know its name and
    /// place, not only the seed's outline. Once per target and page.
    async fn fingerprint_queried(&self, name: &str, selector: &str) {
        let first = self
            .described
            .lock()
            .map(|mut d| d.insert(name.to_string()))
            .unwrap_or(false);
        if !first || self.healer.memory.fingerprint(name).is_some() {
            return;
        }
        if let Ok(Some(info)) = self.inner.describe(selector).await {
            if info.visible {
                let url = self.inner.current_url().await.unwrap_or_default();
                self.healer.memory.record_fingerprint(name, info, &url);
            }
        }
    }

    fn repaired_selector(&self, name: &str) -> Option<String> {
        self.repaired
            .lock()
            .ok()
            .and_then(|m| m.get(name).and_then(|r| r.selector.clone()))
    }

    /// Whether `selector` matches exactly one element now.
    async fn unique(&self, selector: &str) -> bool {
        self.inner.count(selector).await.unwrap_or(0) == 1
    }

    /// One search of the page for a target whose known selectors all
    /// failed: by role and name first, then by likeness to its fingerprint.
    /// What a person can reach comes first: while a modal dialog is open,
    /// the page behind it is searched only when the modal has no match
    /// (the timeline's twin of X's modal editor is never taken for it; the
    /// navigation behind the modal can still be read).
    async fn search(&self, cand: &Candidates) -> Option<Located> {
        let fp = cand.fingerprint.as_ref()?;
        let page = unclaimed(self.inner.scan().await.ok()?, &cand.name);
        let reachable: Vec<ElementInfo> = page.iter().filter(|e| !e.inert).cloned().collect();
        if reachable.len() < page.len() {
            if let Some(found) = pick_in(fp, &reachable, cand.destructive) {
                return Some(found);
            }
        }
        pick_in(fp, &page, cand.destructive)
    }

    /// Whether one scan shows an element (visible, enabled, not another
    /// step's) clearly more like the fingerprint than `likeness`.
    async fn likelier_elsewhere(
        &self,
        fp: &ElementInfo,
        cand: &Candidates,
        matched: &Located,
        likeness: f64,
    ) -> bool {
        let Ok(page) = self.inner.scan().await else {
            return false;
        };
        if tracing::enabled!(tracing::Level::TRACE) {
            let mut best: Vec<(f64, String, bool)> = page
                .iter()
                .map(|c| (similarity::score(fp, c), c.selector.clone(), c.visible))
                .collect();
            best.sort_by(|a, b| b.0.total_cmp(&a.0));
            best.truncate(4);
            tracing::trace!(?best, "likeness elsewhere");
        }
        unclaimed(page, &cand.name).iter().any(|c| {
            c.visible
                && !role::is_disabled(c)
                && (cand.destructive || !similarity::looks_destructive(c))
                && likelier(fp, c, matched, likeness)
        })
    }

    /// Keeps a repair found on this page: later lookups of the target use
    /// it at once, and it waits, pending, for the step's outcome.
    async fn remember(&self, name: &str, located: Located) {
        if let Ok(mut map) = self.repaired.lock() {
            map.entry(name.to_string()).or_default().selector = Some(located.selector.clone());
        }
        let url = self.inner.current_url().await.unwrap_or_default();
        let old_selector = self
            .healer
            .book
            .target(name)
            .map(|t| t.candidates[0].clone())
            .unwrap_or_default();
        let repair = Repair {
            time: now_secs(),
            platform: self.platform.as_str().to_string(),
            target: name.to_string(),
            tier: located.tier.as_str().to_string(),
            old_selector,
            selector: located.selector.clone(),
            score: located.score,
            latency_ms: located.latency.as_millis() as u64,
            tokens: located.tokens,
            cost_usd: located.cost_usd,
            confirmed: false,
            url,
        };
        if let Ok(mut p) = self.pending.lock() {
            match p
                .iter_mut()
                .find(|x| x.target == name && x.repair.selector == repair.selector)
            {
                // Found again (waited for, then acted on): one repair, with
                // the fingerprint of whichever lookup described it.
                Some(x) => {
                    if x.info.is_none() {
                        x.info = located.info;
                    }
                }
                None => p.push(Pending {
                    target: name.to_string(),
                    repair,
                    info: located.info,
                }),
            }
        }
    }

    async fn locate(&self, name: &str, visible: bool) -> Result<Located> {
        let cand = self.healer.candidates(name)?;
        let Candidates {
            list,
            destructive,
            probe,
            fingerprint: fp,
            ..
        } = &cand;
        let mut list = list.clone();
        // A repair found earlier on this page (by a query) comes first.
        if let Some(s) = self.repaired_selector(name) {
            list.retain(|(x, _)| *x != s);
            list.insert(0, (s, Tier::Retry));
        }
        let waits = self.inner.waits();
        let opts = self.healer.options;
        let start = Instant::now();
        let deadline = start + waits.timeout;
        let mut last_scan: Option<Instant> = None;
        let mut last_pick: Option<String> = None;
        let mut asked_model = false;
        let mut pacer = Pacer::new(waits);
        // A known alternative's match held back (see below), with its
        // likeness to the fingerprint.
        let mut doubtful: Option<(Located, f64)> = None;
        let mut doubt_checked = false;
        loop {
            let round = Instant::now();
            for (sel, tier) in &list {
                let info = if visible {
                    self.inner.describe(sel).await.ok().flatten()
                } else if self.inner.count(sel).await.unwrap_or(0) > 0 {
                    Some(ElementInfo::default())
                } else {
                    None
                };
                if let Some(info) = info {
                    // A known alternative that now matches something
                    // unlike the fingerprint (a decoy field where the real
                    // one moved into a shadow root) is held back while the
                    // search tiers look for a likelier element.
                    // A match that lacks one of the fingerprint's identifying
                    // keys (its accessible name, test id or field name: a
                    // note field cloned from the composer, classes and
                    // all) is as doubtful.
                    let likeness = match (fp, *tier) {
                        (Some(fp), Tier::Alternatives | Tier::Retry)
                            if visible && !probe && cand.learned =>
                        {
                            let s = similarity::score(fp, &info);
                            if role::keys_differ(fp, &info) {
                                s.min(DOUBTFUL - f64::EPSILON)
                            } else {
                                s
                            }
                        }
                        _ => 1.0,
                    };
                    let located = Located {
                        selector: sel.clone(),
                        tier: *tier,
                        score: 1.0,
                        latency: if *tier == Tier::Primary {
                            Duration::ZERO
                        } else {
                            start.elapsed()
                        },
                        info: visible.then_some(info),
                        tokens: 0,
                        cost_usd: Some(0.0),
                    };
                    if doubtful.as_ref().is_some_and(|(d, _)| d.selector == *sel) {
                        continue;
                    }
                    if likeness < DOUBTFUL && doubtful.is_none() && !doubt_checked {
                        doubt_checked = true;
                        if let Some(fp) = fp {
                            if self.likelier_elsewhere(fp, &cand, &located, likeness).await {
                                tracing::debug!(target = name, selector = %sel, likeness, "a known alternative matches an element less like the fingerprint than another; searching first");
                                doubtful = Some((located, likeness));
                                continue;
                            }
                        }
                    }
                    return Ok(located);
                }
            }
            let elapsed = start.elapsed();
            // The search had its chances (three scans) and found nothing
            // likelier: the doubtful alternative it is.
            if elapsed >= opts.similarity_after + opts.rescan_every * 3 {
                if let Some((d, _)) = doubtful.take() {
                    return Ok(Located {
                        latency: start.elapsed(),
                        ..d
                    });
                }
            }
            if !probe && fp.is_some() && opts.search {
                let due = last_scan.is_none_or(|t| t.elapsed() >= opts.rescan_every);
                if elapsed >= opts.similarity_after && due {
                    last_scan = Some(Instant::now());
                    match self.search(&cand).await {
                        // The same answer twice, a moment apart: the page
                        // has settled on it.
                        Some(found) if last_pick.as_deref() == Some(found.selector.as_str()) => {
                            if self.unique(&found.selector).await {
                                if let Some((d, likeness)) = doubtful.take() {
                                    let better = match &found.info {
                                        Some(info) => fp
                                            .as_ref()
                                            .is_some_and(|fp| likelier(fp, info, &d, likeness)),
                                        None => false,
                                    };
                                    if d.selector == found.selector || !better {
                                        return Ok(Located {
                                            latency: start.elapsed(),
                                            ..d
                                        });
                                    }
                                }
                                return Ok(Located {
                                    latency: start.elapsed(),
                                    ..found
                                });
                            }
                            last_pick = None;
                        }
                        Some(found) => last_pick = Some(found.selector),
                        None => last_pick = None,
                    }
                }
            }
            // Waits too (a gate whose every selector broke): the model's
            // answer is verified the same way (visible, enabled, unique,
            // like the fingerprint), and a target known to be hidden (a
            // file input) is never shown to it.
            let hidden = cand.learned && fp.as_ref().is_some_and(|f| !f.visible);
            if !probe && !hidden && !asked_model && elapsed >= opts.model_after {
                if let Some(model) = &self.healer.model {
                    asked_model = true;
                    if let Some(found) = self
                        .ask_model(model, name, fp.as_ref(), *destructive, start)
                        .await
                    {
                        return Ok(found);
                    }
                }
            }
            if Instant::now() >= deadline {
                return Err(Error::NotFound {
                    target: format!("`{name}`"),
                    selectors: list
                        .iter()
                        .map(|(s, _)| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" | "),
                    url: self.inner.current_url().await.unwrap_or_default(),
                });
            }
            // Paced as in `wait_until_on`: fast polls first, then every
            // `waits.every`, and a change in the page ends a pause early
            // (a page that changes all the time is not polled faster).
            let left = deadline.saturating_duration_since(Instant::now());
            pacer.pause_on(self.inner, left, round.elapsed()).await;
        }
    }

    /// The `model` tier: a screenshot and the best candidates by every
    /// signal there is (role and name, likeness to the fingerprint or the
    /// target's seed) go to the model. Its answer is verified like any
    /// other tier's: it must be one of the candidates sent, visible,
    /// enabled, unique on the page, not destructive, and like the
    /// fingerprint; the step's outcome must then confirm it. With nothing
    /// to verify against (no fingerprint, no seed) the model is not asked.
    async fn ask_model(
        &self,
        model: &ModelTier,
        name: &str,
        fp: Option<&ElementInfo>,
        destructive: bool,
        start: Instant,
    ) -> Option<Located> {
        let fp = fp?.clone();
        let page = unclaimed(self.inner.scan().await.ok()?, name);
        let role_pick = role::pick(&fp, &page, destructive);
        let mut ranked: Vec<(usize, f64)> = page
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.visible
                    && !role::is_disabled(c)
                    && (destructive || !similarity::looks_destructive(c))
            })
            .map(|(i, c)| {
                let s = similarity::score(&fp, c);
                (i, if Some(i) == role_pick { s.max(1.0) } else { s })
            })
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked.truncate(MODEL_CANDIDATES);
        if ranked.is_empty() {
            return None;
        }
        let today = self.healer.memory.model_calls_today().ok()?;
        if !model.take_call(today) {
            tracing::warn!(target = name, "model budget used up; not asking the model");
            return None;
        }
        let shot = self.inner.screenshot_png().await.ok()?;
        let shown: Vec<&ElementInfo> = ranked.iter().map(|(i, _)| &page[*i]).collect();
        self.healer.memory.count_model_call();
        let answer = match model.choose(name, &fp, &shot, &shown).await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(target = name, "model tier failed: {e}");
                return None;
            }
        };
        let mut verdict = Err("the model chose none of the candidates");
        if let Some(choice) = answer.choice {
            verdict = match ranked.get(choice) {
                None => Err("the model chose an element it was not shown"),
                Some(_) if answer.confidence < MODEL_CONFIDENCE => {
                    Err("the model was not confident")
                }
                Some((_, score)) if *score < MODEL_FLOOR => {
                    Err("the model's choice is not like the element it replaces")
                }
                Some((i, _))
                    if ranked
                        .iter()
                        .any(|(j, _)| j != i && twins(&page[*i], &page[*j])) =>
                {
                    Err("the model's choice has an identical twin on the page")
                }
                Some((i, _)) => {
                    if !self.unique(&page[*i].selector).await {
                        Err("the model's choice is not one element on the page")
                    } else {
                        Ok(&page[*i])
                    }
                }
            };
        }
        match verdict {
            Ok(info) => Some(Located {
                selector: info.selector.clone(),
                tier: Tier::Model,
                score: answer.confidence,
                latency: start.elapsed(),
                info: Some(info.clone()),
                tokens: answer.tokens,
                cost_usd: answer.cost_usd,
            }),
            Err(why) => {
                tracing::info!(target = name, "model answer rejected: {why}");
                self.log_step(format!("{name}: model answer rejected: {why}"));
                // A call that found nothing still cost something: record it.
                self.healer.record(&Repair {
                    time: now_secs(),
                    platform: self.platform.as_str().to_string(),
                    target: name.to_string(),
                    tier: Tier::Model.as_str().to_string(),
                    old_selector: String::new(),
                    selector: String::new(),
                    score: answer.confidence,
                    latency_ms: start.elapsed().as_millis() as u64,
                    tokens: answer.tokens,
                    cost_usd: answer.cost_usd,
                    confirmed: false,
                    url: self.inner.current_url().await.unwrap_or_default(),
                });
                None
            }
        }
    }

    /// Runs an action on a target: locate (repairing if needed), act,
    /// retry a vanished element, remember what worked.
    async fn act<F, Fut>(
        &self,
        selector: &str,
        visible: bool,
        outcome_is_checked: bool,
        action: F,
    ) -> Result<()>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<()>>,
    {
        let Some(name) = selector.strip_prefix('@') else {
            return action(selector.to_string()).await;
        };
        let mut located = match self.locate(name, visible).await {
            Ok(l) => l,
            Err(e) => {
                self.log_step(format!("{name}: not found ({e})"));
                return Err(e);
            }
        };
        let url = self.inner.current_url().await.unwrap_or_default();
        let mut attempt = 1;
        let retry_start = Instant::now();
        loop {
            // Claimed before acting, with the label it has now: an action
            // that relabels its own control ("Next" becoming "Share") must
            // not keep the new label for itself.
            let _ = self.inner.claim(&located.selector, name).await;
            match action(located.selector.clone()).await {
                Ok(()) => break,
                // The element went away under us (a re-render): find it again.
                Err(e)
                    if (e.is_not_found() || matches!(e, Error::TextMismatch { .. }))
                        && attempt < 3 =>
                {
                    tracing::debug!(tier = "retry", target = name, attempt, error = %e, "retrying a step");
                    tokio::time::sleep(Duration::from_millis(150 * attempt)).await;
                    attempt += 1;
                    let again = self.locate(name, visible).await?;
                    if located.tier == Tier::Primary && again.tier == Tier::Primary {
                        located.tier = Tier::Retry;
                    } else {
                        located = again;
                    }
                }
                Err(e) => {
                    self.log_step(format!(
                        "{name} -> {} ({}): failed: {e}",
                        located.selector,
                        located.tier.as_str()
                    ));
                    return Err(e);
                }
            }
        }
        self.log_step(format!(
            "{name} -> {} ({})",
            located.selector,
            located.tier.as_str()
        ));
        if located.tier == Tier::Retry {
            located.latency = retry_start.elapsed();
        }
        match located.tier {
            Tier::Primary => {
                if let Some(info) = located.info {
                    self.healer.memory.record_fingerprint(name, info, &url);
                }
            }
            _ => {
                self.remember(name, located).await;
                if outcome_is_checked {
                    self.confirm_target(Some(name));
                }
            }
        }
        Ok(())
    }

    /// Keeps the pending repairs of one target (or all): learned selectors,
    /// fingerprints, and a confirmed record.
    fn confirm_target(&self, only: Option<&str>) {
        let confirmed: Vec<Pending> = match self.pending.lock() {
            Ok(mut p) => {
                let (yes, no): (Vec<_>, Vec<_>) = p
                    .drain(..)
                    .partition(|x| only.is_none_or(|t| t == x.target));
                *p = no;
                yes
            }
            Err(_) => return,
        };
        for mut c in confirmed {
            c.repair.confirmed = true;
            if c.repair.tier != Tier::Retry.as_str() {
                self.healer.memory.learn(&c.target, &c.repair.selector);
            }
            if let Some(info) = c.info.take() {
                self.healer
                    .memory
                    .record_fingerprint(&c.target, info, &c.repair.url);
            }
            self.healer.record(&c.repair);
        }
    }
}

#[async_trait]
impl Page for HealingPage<'_> {
    async fn goto(&self, url: &str) -> Result<()> {
        self.inner.goto(url).await
    }
    async fn current_url(&self) -> Result<String> {
        self.inner.current_url().await
    }
    async fn eval(&self, expression: &str) -> Result<Value> {
        self.inner.eval(expression).await
    }
    async fn count(&self, selector: &str) -> Result<usize> {
        self.inner.count(&self.quick(selector, false).await?).await
    }
    async fn wait_for(&self, selector: &str, what: &str) -> Result<()> {
        let Some(name) = selector.strip_prefix('@') else {
            return self.inner.wait_for(selector, what).await;
        };
        match self.locate(name, false).await {
            Ok(located) => {
                if located.tier != Tier::Primary {
                    self.log_step(format!(
                        "{name} -> {} ({}, waited for)",
                        located.selector,
                        located.tier.as_str()
                    ));
                    self.remember(name, located).await;
                }
                Ok(())
            }
            Err(e) => {
                self.log_step(format!("{name}: never appeared ({what}): {e}"));
                Err(e)
            }
        }
    }
    async fn text(&self, selector: &str) -> Result<Option<String>> {
        self.inner.text(&self.quick(selector, true).await?).await
    }
    async fn attr(&self, selector: &str, name: &str) -> Result<Option<String>> {
        self.inner
            .attr(&self.quick(selector, true).await?, name)
            .await
    }
    async fn body_text(&self) -> Result<String> {
        self.inner.body_text().await
    }
    async fn click(&self, selector: &str) -> Result<()> {
        self.act(selector, true, false, |s| async move {
            self.inner.click(&s).await
        })
        .await
    }
    async fn click_and_wait_for_navigation(&self, selector: &str) -> Result<()> {
        // Not retried once clicked: a submit must never happen twice.
        self.act(selector, true, false, |s| async move {
            self.inner.click_and_wait_for_navigation(&s).await
        })
        .await
    }
    async fn type_text(&self, selector: &str, text: &str) -> Result<()> {
        // type_text reads the text back: its outcome is checked.
        self.act(selector, true, true, |s| async move {
            self.inner.type_text(&s, text).await
        })
        .await
    }
    async fn set_files(&self, selector: &str, files: &[PathBuf]) -> Result<()> {
        self.act(selector, false, false, |s| async move {
            self.inner.set_files(&s, files).await
        })
        .await
    }
    async fn set_files_via_chooser(&self, trigger: &str, files: &[PathBuf]) -> Result<()> {
        self.act(trigger, true, false, |s| async move {
            self.inner.set_files_via_chooser(&s, files).await
        })
        .await
    }
    async fn screenshot_png(&self) -> Result<Vec<u8>> {
        self.inner.screenshot_png().await
    }
    async fn cookies(&self, url: &str) -> Result<Vec<Cookie>> {
        self.inner.cookies(url).await
    }
    fn waits(&self) -> Waits {
        self.inner.waits()
    }
    async fn changed_within(&self, since: Duration, max: Duration) -> Result<bool> {
        self.inner.changed_within(since, max).await
    }
    async fn describe(&self, selector: &str) -> Result<Option<ElementInfo>> {
        self.inner
            .describe(&self.quick(selector, true).await?)
            .await
    }
    async fn scan(&self) -> Result<Vec<ElementInfo>> {
        self.inner.scan().await
    }
    async fn confirm_repairs(&self) -> Result<()> {
        self.confirm_target(None);
        Ok(())
    }
}
