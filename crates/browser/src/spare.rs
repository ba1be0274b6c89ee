//! Spare tabs: blank isolated contexts opened ahead of time on a browser
//! that stays up between posts (`distroflow serve`), so that a job skips
//! creating its context and tab (about 60-200 ms, docs/benchmarks.md).
//!
//! A spare has no cookies and has loaded nothing but `about:blank`: the
//! job that takes it sets its own site's cookies into it, exactly as into
//! a new context, and the context is disposed of when that job ends. A
//! spare is never used twice, so nothing of one job reaches another.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chromiumoxide::cdp::browser_protocol::browser::BrowserContextId;
use chromiumoxide::cdp::browser_protocol::target::DisposeBrowserContextParams;
use chromiumoxide::Page as RawPage;

use crate::Browser;

#[derive(Default)]
pub(crate) struct Spares {
    /// How many to keep ready (0: none; a CLI run never keeps any).
    want: AtomicUsize,
    ready: std::sync::Mutex<Vec<(BrowserContextId, RawPage)>>,
    /// Set while a task is opening spares, so that only one does.
    filling: AtomicBool,
}

impl Browser {
    /// Keeps `n` blank contexts with a tab each ready for the next
    /// sessions (see the module docs). Opens them in the background.
    pub fn keep_spares(&self, n: usize) {
        self.inner.spares.want.store(n, Ordering::SeqCst);
        self.refill_spares();
    }

    /// How many spares are ready now.
    pub fn spares_ready(&self) -> usize {
        self.inner.spares.ready.lock().map(|r| r.len()).unwrap_or(0)
    }

    /// A ready spare, if any.
    pub(crate) fn take_spare(&self) -> Option<(BrowserContextId, RawPage)> {
        self.inner.spares.ready.lock().ok()?.pop()
    }

    /// Opens spares in the background until `want` are ready.
    pub(crate) fn refill_spares(&self) {
        let spares = &self.inner.spares;
        if spares.want.load(Ordering::SeqCst) == 0 || spares.filling.swap(true, Ordering::SeqCst) {
            return;
        }
        let browser = self.clone();
        tokio::spawn(async move {
            let spares = &browser.inner.spares;
            loop {
                let have = spares.ready.lock().map(|r| r.len()).unwrap_or(usize::MAX);
                if have >= spares.want.load(Ordering::SeqCst) || browser.is_lost() {
                    break;
                }
                match browser.open_blank().await {
                    Ok(spare) => {
                        if let Ok(mut ready) = spares.ready.lock() {
                            ready.push(spare);
                        }
                    }
                    Err(e) => {
                        tracing::debug!("could not open a spare tab: {e}");
                        break;
                    }
                }
            }
            spares.filling.store(false, Ordering::SeqCst);
        });
    }

    /// Closes the spares (before the browser closes, or when one is stale).
    pub(crate) async fn drop_spares(&self) {
        self.inner.spares.want.store(0, Ordering::SeqCst);
        let ready: Vec<_> = self
            .inner
            .spares
            .ready
            .lock()
            .map(|mut r| r.drain(..).collect())
            .unwrap_or_default();
        self.dispose_all(ready.into_iter().map(|(context, _)| context))
            .await;
    }

    /// Disposes of contexts as the browser closes: a browser launched here
    /// is killed with its contexts; a remote engine's are disposed of one
    /// by one.
    pub(crate) async fn dispose_all(&self, contexts: impl IntoIterator<Item = BrowserContextId>) {
        if self.inner.profile.is_some() {
            return;
        }
        for context in contexts {
            self.dispose_context(context).await;
        }
    }

    pub(crate) async fn dispose_context(&self, context: BrowserContextId) {
        let timeout = self.inner.options.cdp_timeout;
        let guard = self.inner.cdp.read().await;
        if let Some(cdp) = guard.as_ref() {
            let _ = tokio::time::timeout(
                timeout,
                cdp.execute(DisposeBrowserContextParams::new(context)),
            )
            .await;
        }
    }
}
