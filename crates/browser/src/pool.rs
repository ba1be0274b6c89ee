//! The engines a run's jobs are spread over: Chromium launched here and/or
//! remote engines, each with its own session limit. A job goes to the
//! engine with the most free sessions; an engine that refuses (connection
//! refused, a browserless 429, a launch failure) is skipped for a while and
//! the job goes elsewhere or waits: a refusal is never the post's failure.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use distroflow_core::{Cookie, CookieScope, Endpoint, EngineKind, Error, Result};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{Browser, BrowserOptions, CdpPage, Session};

/// How long an engine that refused is left alone.
const DOWN_FOR: Duration = Duration::from_secs(10);

struct Slot {
    endpoint: Endpoint,
    free: Arc<Semaphore>,
    /// The shared browser of a `local` or `cdp` engine (browserless: one
    /// connection per session).
    shared: tokio::sync::Mutex<Option<Browser>>,
    down_until: Arc<Mutex<Option<Instant>>>,
}

impl Slot {
    fn is_down(&self) -> bool {
        self.down_until
            .lock()
            .ok()
            .and_then(|d| *d)
            .is_some_and(|t| Instant::now() < t)
    }

    fn mark_down(&self) {
        mark_down(&self.down_until);
    }
}

fn mark_down(until: &Mutex<Option<Instant>>) {
    if let Ok(mut d) = until.lock() {
        *d = Some(Instant::now() + DOWN_FOR);
    }
}

/// Every engine of a run (cheap to share behind an `Arc`).
pub struct Engines {
    slots: Vec<Slot>,
    options: BrowserOptions,
}

/// A job's session on one engine, holding that engine's session permit.
pub struct PooledSession {
    session: Session,
    engine: String,
    /// A browserless session's own browser, closed with it.
    own: Option<Browser>,
    _permit: OwnedSemaphorePermit,
}

impl PooledSession {
    pub fn page(&self) -> &CdpPage {
        self.session.page()
    }

    /// The engine it runs on.
    pub fn engine(&self) -> &str {
        &self.engine
    }

    /// Completes as soon as the engine's connection drops (the engine was
    /// killed, its host went away, browserless ended the session): the
    /// job can fail over at once instead of waiting for CDP timeouts.
    pub fn lost(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        self.session.lost()
    }

    /// Whether the engine's connection has dropped.
    pub fn is_lost(&self) -> bool {
        self.session.browser().is_lost()
    }

    pub async fn close(self) {
        self.session.close().await;
        if let Some(b) = self.own {
            b.close().await;
        }
    }
}

/// What `distroflow engines` shows of one engine.
#[derive(Clone, Debug)]
pub struct EngineStatus {
    pub name: String,
    pub kind: EngineKind,
    pub url: String,
    pub reachable: bool,
    pub version: Option<String>,
    pub max_sessions: usize,
    pub in_use: usize,
    pub latency: Option<Duration>,
    pub error: Option<String>,
}

impl Engines {
    pub fn new(endpoints: Vec<Endpoint>, options: BrowserOptions) -> Arc<Engines> {
        let slots = endpoints
            .into_iter()
            .map(|endpoint| Slot {
                free: Arc::new(Semaphore::new(endpoint.max_sessions.max(1))),
                endpoint,
                shared: tokio::sync::Mutex::new(None),
                down_until: Arc::new(Mutex::new(None)),
            })
            .collect();
        Arc::new(Engines { slots, options })
    }

    /// Whether every engine is this machine's Chromium.
    pub fn only_local(&self) -> bool {
        self.slots
            .iter()
            .all(|s| s.endpoint.kind == EngineKind::Local)
    }

    /// Sessions on the engines that are not down: how much work a
    /// coordinator may have running without jobs waiting for room.
    pub fn live_capacity(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| !s.is_down())
            .map(|s| s.endpoint.max_sessions)
            .sum()
    }

    /// Sessions on all engines together.
    pub fn capacity(&self) -> usize {
        self.slots.iter().map(|s| s.endpoint.max_sessions).sum()
    }

    pub fn endpoints(&self) -> Vec<Endpoint> {
        self.slots.iter().map(|s| s.endpoint.clone()).collect()
    }

    /// Opens a session for a platform's site on the engine with the most
    /// free sessions, waiting (up to the page wait deadline) while every
    /// engine is full or down.
    pub async fn session_in(
        &self,
        scope: &CookieScope,
        cookies: &[Cookie],
    ) -> Result<PooledSession> {
        let deadline = Instant::now() + self.options.waits.timeout.max(Duration::from_secs(15));
        let mut last: Option<Error> = None;
        loop {
            let mut order: Vec<&Slot> = self.slots.iter().filter(|s| !s.is_down()).collect();
            order.sort_by_key(|s| std::cmp::Reverse(s.free.available_permits()));
            for slot in order {
                let Ok(permit) = slot.free.clone().try_acquire_owned() else {
                    continue;
                };
                match self.open(slot, scope, cookies).await {
                    Ok((session, own)) => {
                        return Ok(PooledSession {
                            session,
                            engine: slot.endpoint.name.clone(),
                            own,
                            _permit: permit,
                        })
                    }
                    Err(e) => {
                        tracing::warn!(engine = %slot.endpoint.name, "engine refused a session: {e}");
                        slot.mark_down();
                        last = Some(e);
                    }
                }
            }
            if Instant::now() >= deadline {
                return Err(last.unwrap_or_else(|| Error::Browser {
                    message: "no browser engine had room for this job in time".into(),
                }));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn open(
        &self,
        slot: &Slot,
        scope: &CookieScope,
        cookies: &[Cookie],
    ) -> Result<(Session, Option<Browser>)> {
        let mut options = self.options.clone();
        options.max_concurrency = slot.endpoint.max_sessions;
        match slot.endpoint.kind {
            EngineKind::Browserless => {
                let b = Browser::connect(&slot.endpoint, options).await?;
                match b.session_in(scope, cookies).await {
                    Ok(s) => Ok((s, Some(b))),
                    Err(e) => {
                        b.close().await;
                        Err(e)
                    }
                }
            }
            EngineKind::Local | EngineKind::Cdp => {
                let browser = {
                    let mut shared = slot.shared.lock().await;
                    let usable = match shared.as_ref() {
                        Some(b) if b.is_lost() => false,
                        Some(_) if slot.endpoint.kind == EngineKind::Local => true,
                        Some(b) => b.is_alive().await,
                        None => false,
                    };
                    if !usable {
                        if let Some(old) = shared.take() {
                            old.close().await;
                        }
                        let b = if slot.endpoint.kind == EngineKind::Local {
                            Browser::launch(options).await?
                        } else {
                            Browser::connect(&slot.endpoint, options).await?
                        };
                        // A lost engine takes no new jobs for a while: its
                        // jobs move elsewhere, and new ones go elsewhere.
                        let lost = crate::lost::wait(&b.inner.lost);
                        let down = slot.down_until.clone();
                        let name = slot.endpoint.name.clone();
                        tokio::spawn(async move {
                            if lost.await {
                                tracing::warn!("browser engine {name} was lost (its connection dropped); its jobs move to other engines");
                                mark_down(&down);
                            }
                        });
                        *shared = Some(b);
                    }
                    shared.clone().ok_or_else(|| Error::Browser {
                        message: "no browser".into(),
                    })?
                };
                Ok((browser.session_in(scope, cookies).await?, None))
            }
        }
    }

    /// Closes this run's browsers (local Chromium is closed; remote engines
    /// are only disconnected).
    pub async fn close(&self) {
        for slot in &self.slots {
            if let Some(b) = slot.shared.lock().await.take() {
                b.close().await;
            }
        }
    }

    /// Every engine's state, for `distroflow engines`: remote ones are
    /// connected to and asked for their version.
    pub async fn status(&self) -> Vec<EngineStatus> {
        let mut out = Vec::new();
        for slot in &self.slots {
            let e = &slot.endpoint;
            let max = e.max_sessions;
            let in_use = max.saturating_sub(slot.free.available_permits());
            let started = Instant::now();
            let probe = match e.kind {
                EngineKind::Local => {
                    let chrome = &self.options.chrome;
                    if chrome.exists() {
                        Ok(format!("{} (launched per run)", chrome.display()))
                    } else {
                        Err(format!("Chromium not found at {}", chrome.display()))
                    }
                }
                _ => match Browser::connect(e, self.options.clone()).await {
                    Ok(b) => {
                        let v = b.version().await.map_err(|e| e.to_string());
                        b.close().await;
                        v
                    }
                    Err(err) => Err(err.to_string()),
                },
            };
            let latency = started.elapsed();
            out.push(EngineStatus {
                name: e.name.clone(),
                kind: e.kind,
                url: e.display_url(),
                reachable: probe.is_ok(),
                version: probe.as_ref().ok().cloned(),
                max_sessions: max,
                in_use,
                latency: (e.kind != EngineKind::Local).then_some(latency),
                error: probe.err(),
            });
        }
        out
    }
}
