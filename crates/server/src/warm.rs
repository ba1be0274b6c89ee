//! The warm browser: one Chromium kept running for API posts, so that a
//! post skips the launch. Started in the background when the server
//! starts, checked before each use, started again if it died. It keeps
//! blank contexts ready (as many as the pool's size), so that a job also
//! skips opening its context and tab (`distroflow_browser`'s `spare.rs`).

use distroflow_browser::{Browser, BrowserOptions};
use distroflow_core::Result;
use tokio::sync::Mutex;

pub(crate) struct Warm {
    options: BrowserOptions,
    browser: Mutex<Option<Browser>>,
}

impl Warm {
    pub(crate) fn new(options: BrowserOptions) -> Warm {
        Warm {
            options,
            browser: Mutex::new(None),
        }
    }

    /// The running browser, launched first if there is none (or it died).
    pub(crate) async fn get(&self) -> Result<Browser> {
        let mut slot = self.browser.lock().await;
        if let Some(b) = slot.as_ref() {
            if b.is_alive().await {
                return Ok(b.clone());
            }
            tracing::warn!("the warm browser is gone; starting another");
            b.close().await;
        }
        let b = Browser::launch(self.options.clone()).await?;
        // A post's jobs then start in contexts opened ahead of time.
        b.keep_spares(self.options.max_concurrency);
        *slot = Some(b.clone());
        Ok(b)
    }

    /// The running browser, if it is up now (without waiting or launching):
    /// the scheduler's jobs use it then instead of launching their own.
    pub(crate) fn current(&self) -> Option<Browser> {
        let slot = self.browser.try_lock().ok()?;
        slot.as_ref().filter(|b| !b.is_lost()).cloned()
    }

    pub(crate) async fn close(&self) {
        if let Some(b) = self.browser.lock().await.take() {
            b.close().await;
        }
    }
}
