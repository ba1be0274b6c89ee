use chromiumoxide::cdp::browser_protocol::browser::BrowserContextId;
use chromiumoxide::cdp::browser_protocol::network::SetCookiesParams;
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams,
};
use distroflow_core::{Cookie, CookieScope, Error, Result, StorageItem};
use tokio::sync::OwnedSemaphorePermit;
use url::Url;

use crate::cookies::to_cdp_cookies;
use crate::page::{cdp_err, CdpPage};
use crate::Browser;
use chromiumoxide::Page as RawPage;

/// One job's slice of the browser: an isolated context (its own cookies,
/// storage and cache), one tab in it, and a pool permit held until close.
pub struct Session {
    browser: Browser,
    context: BrowserContextId,
    page: CdpPage,
    _permit: OwnedSemaphorePermit,
}

impl Browser {
    /// Opens a new isolated context with those of `cookies` that belong to
    /// `base_url`'s host set for it, waiting for a pool permit first.
    pub async fn session(&self, base_url: &Url, cookies: &[Cookie]) -> Result<Session> {
        self.session_in(&CookieScope::site(base_url), cookies).await
    }

    /// [`Browser::session_in`] for a job that will restore `storage` too:
    /// on the tab prepared for exactly these cookies and storage when one
    /// is ready (`prepared.rs`), else on a new context.
    pub async fn session_for(
        &self,
        scope: &CookieScope,
        cookies: &[Cookie],
        storage: &[StorageItem],
    ) -> Result<Session> {
        let key = crate::prepared::Key::of(scope, cookies, storage);
        // A page being loaded ahead for this very job: waiting for it is
        // never slower than loading it again.
        let deadline = std::time::Instant::now() + self.inner.options.waits.timeout;
        while self.preparing(key) && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        if self.prepared_tabs() > 0 {
            let permit = self.permit().await?;
            if let Some((context, page)) = self.take_prepared(key) {
                return Ok(Session {
                    browser: self.clone(),
                    context,
                    page,
                    _permit: permit,
                });
            }
        }
        self.session_in(scope, cookies).await
    }

    /// Opens a new isolated context for a platform's site (`scope`'s base
    /// URL) with the cookies that belong to it (see
    /// [`CookieScope::to_send`]), waiting for a pool permit first.
    pub async fn session_in(&self, scope: &CookieScope, cookies: &[Cookie]) -> Result<Session> {
        let permit = self.permit().await?;
        let mut spare = self.take_spare();
        self.refill_spares();
        loop {
            let opened = std::time::Instant::now();
            // A spare (see `spare.rs`) when one is ready, else a new context.
            let used_spare = spare.is_some();
            let (context, page) = match spare.take() {
                Some(ready) => ready,
                None => self.open_blank().await?,
            };
            tracing::debug!(elapsed = ?opened.elapsed(), spare = used_spare, "opened a browser context");
            let page = CdpPage::new(page, self.inner.options.clone());
            let params = to_cdp_cookies(scope, cookies);
            if !params.is_empty() {
                let set = page
                    .with_timeout(
                        "setting cookies",
                        page.raw().execute(SetCookiesParams::new(params)),
                    )
                    .await;
                if let Err(e) = set {
                    self.dispose_context(context).await;
                    if used_spare {
                        // The spare went bad while it waited: a new one.
                        tracing::debug!("a spare tab failed ({e}); opening a new context");
                        continue;
                    }
                    return Err(e);
                }
            }
            return Ok(Session {
                browser: self.clone(),
                context,
                page,
                _permit: permit,
            });
        }
    }
}
impl Browser {
    /// A slot of the pool, waited for.
    async fn permit(&self) -> Result<OwnedSemaphorePermit> {
        self.inner
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::Browser {
                message: "browser pool closed".into(),
            })
    }

    /// A new isolated context with one blank tab.
    pub(crate) async fn open_blank(&self) -> Result<(BrowserContextId, RawPage)> {
        let timeout = self.inner.options.cdp_timeout;
        let guard = self.inner.cdp.read().await;
        let cdp = guard.as_ref().ok_or_else(|| Error::Browser {
            message: "browser already closed".into(),
        })?;
        let context = tokio::time::timeout(
            timeout,
            cdp.create_browser_context(CreateBrowserContextParams::default()),
        )
        .await
        .map_err(|_| timeout_err("creating a browser context", timeout))?
        .map_err(cdp_err)?;
        let params = CreateTargetParams::builder()
            .url("about:blank")
            .browser_context_id(context.clone())
            .build()
            .map_err(|message| Error::Browser { message })?;
        let page = new_tab(cdp, params, timeout).await?;
        Ok((context, page))
    }
}

/// A new tab as `params` say, within `timeout`.
async fn new_tab(
    cdp: &chromiumoxide::Browser,
    params: CreateTargetParams,
    timeout: std::time::Duration,
) -> Result<RawPage> {
    tokio::time::timeout(timeout, cdp.new_page(params))
        .await
        .map_err(|_| timeout_err("opening a tab", timeout))?
        .map_err(cdp_err)
}

impl Session {
    pub fn page(&self) -> &CdpPage {
        &self.page
    }

    /// The browser the session is in.
    pub fn browser(&self) -> &Browser {
        &self.browser
    }

    /// Completes as soon as the session's browser connection drops (its
    /// engine was killed or went away); never if it is closed first.
    pub fn lost(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        self.browser.lost()
    }

    /// Closes the tab and disposes of the context (its cookies go with it).
    pub async fn close(self) {
        let timeout = self.browser.inner.options.cdp_timeout;
        let _ = tokio::time::timeout(timeout, self.page.raw().clone().close()).await;
        self.browser.dispose_context(self.context).await;
    }
}

pub(crate) fn timeout_err(what: &str, after: std::time::Duration) -> Error {
    Error::Timeout {
        what: what.to_string(),
        after,
    }
}

impl Browser {
    /// A tab in the browser's default context at `url`. Extensions run
    /// there only (a [`Session`]'s isolated context has none), so this is
    /// how an extension's own pages (`chrome-extension://<id>/...`) are
    /// opened and driven. No pool permit is taken; close the tab with
    /// `page.raw().clone().close()` or with the browser.
    pub async fn default_context_tab(&self, url: &str) -> Result<CdpPage> {
        let timeout = self.inner.options.cdp_timeout;
        let guard = self.inner.cdp.read().await;
        let cdp = guard.as_ref().ok_or_else(|| Error::Browser {
            message: "browser already closed".into(),
        })?;
        let params = CreateTargetParams::builder()
            .url(url)
            .build()
            .map_err(|message| Error::Browser { message })?;
        let page = new_tab(cdp, params, timeout).await?;
        Ok(CdpPage::new(page, self.inner.options.clone()))
    }
}
