//! Prepared tabs: a platform's compose page loaded ahead of a post that is
//! about to come, on a browser that stays up (`distroflow serve`), so that
//! the post's job finds the form ready instead of loading it.
//!
//! Only ever made on request (the dashboard and the extension ask when a
//! person picks targets and starts writing: `POST /api/v1/prepare`), never
//! in the background on a timer: one page load per target, which the post
//! then would have made anyway.
//!
//! A prepared tab is a spare (`spare.rs`) that took one site's cookies
//! and loaded one URL. It is used by at most one job: the first job whose
//! site, cookies and saved storage are exactly the ones it was prepared
//! with. That job's first navigation to the same URL, while the tab still
//! holds the document it loaded, is skipped; any other navigation loads
//! as usual. A prepared tab nobody used is disposed of (with its cookies)
//! after its time is up, when another is prepared for the same account,
//! or when the browser closes.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::browser::BrowserContextId;
use chromiumoxide::cdp::browser_protocol::network::SetCookiesParams;
use distroflow_core::{Cookie, CookieScope, Page, Result, StorageItem};
use url::Url;

use crate::cookies::to_cdp_cookies;
use crate::page::CdpPage;
use crate::Browser;

/// At most this many prepared tabs at once (the oldest goes first).
const MAX_PREPARED: usize = 8;

/// What a prepared tab was made for: the site, and a digest of the exact
/// cookies and storage it holds (kept in memory only). A job with other
/// cookies (a new login since) never gets it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Key(u64);

impl Key {
    pub(crate) fn of(scope: &CookieScope, cookies: &[Cookie], storage: &[StorageItem]) -> Key {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        scope.origin().hash(&mut h);
        for c in to_cdp_cookies(scope, cookies) {
            (&c.name, &c.value, &c.domain, &c.path).hash(&mut h);
        }
        0xffu8.hash(&mut h);
        for i in storage {
            (&i.name, i.value.expose()).hash(&mut h);
        }
        Key(h.finish())
    }
}

pub(crate) struct Ready {
    id: u64,
    key: Key,
    /// The URL that was loaded.
    url: String,
    made: Instant,
    until: Instant,
    pub(crate) context: BrowserContextId,
    pub(crate) page: CdpPage,
}

#[derive(Default)]
pub(crate) struct PreparedTabs {
    ready: std::sync::Mutex<Vec<Ready>>,
    /// Keys being prepared now.
    loading: std::sync::Mutex<Vec<Key>>,
    next_id: AtomicU64,
}

/// What a job's tab was prepared with: its first navigation to `url` is
/// skipped while the tab still holds the document that load made (the
/// app may have changed its route since, as Bluesky's intent does; a new
/// document, such as a sign-in page the site sent the tab to, is loaded
/// over as usual).
#[derive(Clone, Debug)]
pub(crate) struct Preloaded {
    pub(crate) url: String,
}

impl Browser {
    /// Loads `url` in a new tab that holds `cookies` (those that belong to
    /// `scope`'s site) and `storage`, for the next job with exactly these
    /// to use within `keep` (see the module docs). Replaces a tab prepared
    /// earlier for the same. Returns once the page has loaded.
    ///
    /// Asked again for the same while one is loading, or while one loaded
    /// less than a third of `keep` ago is waiting, it loads nothing: a
    /// dashboard may ask on every keystroke and the site sees one load.
    pub async fn prepare(
        &self,
        scope: &CookieScope,
        cookies: &[Cookie],
        storage: &[StorageItem],
        url: &Url,
        keep: Duration,
    ) -> Result<()> {
        let key = Key::of(scope, cookies, storage);
        let recent = self.inner.prepared.ready.lock().is_ok_and(|ready| {
            ready
                .iter()
                .any(|r| r.key == key && r.url == url.as_str() && r.made.elapsed() < keep / 3)
        });
        if recent {
            return Ok(());
        }
        let Some(_loading) = Loading::start(self, key) else {
            return Ok(());
        };
        let (context, raw) = match self.take_spare() {
            Some(spare) => spare,
            None => self.open_blank().await?,
        };
        self.refill_spares();
        let page = CdpPage::new(raw, self.inner.options.clone());
        let loaded = async {
            let params = to_cdp_cookies(scope, cookies);
            if !params.is_empty() {
                page.with_timeout(
                    "setting cookies",
                    page.raw().execute(SetCookiesParams::new(params)),
                )
                .await?;
            }
            page.seed_local_storage(&scope.origin(), storage).await?;
            page.goto(url.as_str()).await?;
            page.eval(crate::js::MARK_PREPARED).await
        }
        .await;
        match loaded {
            Ok(_) => {}
            Err(e) => {
                self.dispose_context(context).await;
                return Err(e);
            }
        };
        let id = self.inner.prepared.next_id.fetch_add(1, Ordering::SeqCst);
        let mut gone = Vec::new();
        if let Ok(mut ready) = self.inner.prepared.ready.lock() {
            let (old, keep_these): (Vec<Ready>, Vec<Ready>) =
                ready.drain(..).partition(|r| r.key == key);
            *ready = keep_these;
            gone.extend(old);
            while ready.len() >= MAX_PREPARED {
                gone.push(ready.remove(0));
            }
            ready.push(Ready {
                id,
                key,
                url: url.as_str().to_string(),
                made: Instant::now(),
                until: Instant::now() + keep,
                context,
                page,
            });
        }
        for r in gone {
            self.dispose_context(r.context).await;
        }
        // Disposed of when its time is up, unless a job took it.
        let browser = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(keep).await;
            let expired = browser
                .inner
                .prepared
                .ready
                .lock()
                .ok()
                .and_then(|mut ready| {
                    let i = ready.iter().position(|r| r.id == id)?;
                    Some(ready.remove(i))
                });
            if let Some(r) = expired {
                tracing::debug!("a prepared tab was not used in time; disposed of");
                browser.dispose_context(r.context).await;
            }
        });
        tracing::debug!(origin = %scope.origin(), "prepared a tab");
        Ok(())
    }

    /// How many prepared tabs are waiting for a job.
    pub fn prepared_tabs(&self) -> usize {
        self.inner
            .prepared
            .ready
            .lock()
            .map(|r| r.len())
            .unwrap_or(0)
    }

    /// Whether a tab is being prepared for `key` now.
    pub(crate) fn preparing(&self, key: Key) -> bool {
        self.inner
            .prepared
            .loading
            .lock()
            .is_ok_and(|l| l.contains(&key))
    }

    /// The prepared tab for `key`, if one is ready and in time.
    pub(crate) fn take_prepared(&self, key: Key) -> Option<(BrowserContextId, CdpPage)> {
        let mut ready = self.inner.prepared.ready.lock().ok()?;
        let now = Instant::now();
        let i = ready.iter().position(|r| r.key == key && r.until > now)?;
        let r = ready.remove(i);
        r.page.set_preloaded(Preloaded { url: r.url });
        Some((r.context, r.page))
    }

    /// Disposes of every prepared tab (the browser is closing).
    pub(crate) async fn drop_prepared(&self) {
        let ready: Vec<Ready> = self
            .inner
            .prepared
            .ready
            .lock()
            .map(|mut r| r.drain(..).collect())
            .unwrap_or_default();
        self.dispose_all(ready.into_iter().map(|r| r.context)).await;
    }
}

/// A key being prepared, until dropped.
struct Loading<'a> {
    browser: &'a Browser,
    key: Key,
}

impl<'a> Loading<'a> {
    /// `None` when `key` is being prepared already.
    fn start(browser: &'a Browser, key: Key) -> Option<Loading<'a>> {
        let mut loading = browser.inner.prepared.loading.lock().ok()?;
        if loading.contains(&key) {
            return None;
        }
        loading.push(key);
        Some(Loading { browser, key })
    }
}

impl Drop for Loading<'_> {
    fn drop(&mut self) {
        if let Ok(mut loading) = self.browser.inner.prepared.loading.lock() {
            loading.retain(|k| *k != self.key);
        }
    }
}
