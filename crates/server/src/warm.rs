//! The warm browser: one Chromium kept running for API posts, so that a
//! post skips the launch. Started in the background when the server
//! starts, checked before each use, started again if it died.

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
        *slot = Some(b.clone());
        Ok(b)
    }

    pub(crate) async fn close(&self) {
        if let Some(b) = self.browser.lock().await.take() {
            b.close().await;
        }
    }
}
