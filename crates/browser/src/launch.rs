use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chromiumoxide::browser::{Browser as CdpBrowser, BrowserConfig};
use distroflow_core::{Error, Result, Waits};
use futures::StreamExt;
use tokio::sync::{RwLock, Semaphore};

/// How to start Chromium and how jobs share it.
#[derive(Clone, Debug)]
pub struct BrowserOptions {
    /// The binary for headless runs: Chromium's headless shell when it is
    /// installed (the same engine without the desktop browser around it; a
    /// post costs about a quarter of the CPU), else Chromium itself.
    pub chrome: PathBuf,
    /// The binary for a visible window (`login` without flags): Chromium.
    pub visible_chrome: PathBuf,
    pub headless: bool,
    /// How many sessions may be open at once (the pool's size).
    pub max_concurrency: usize,
    /// Deadline for a single CDP call.
    pub cdp_timeout: Duration,
    /// Deadline and poll interval for waits inside pages.
    pub waits: Waits,
}

impl BrowserOptions {
    /// Defaults, with Chromium from `DISTROFLOW_CHROME`, then `configured`,
    /// then the usual install paths (for headless runs, the headless shell
    /// first).
    pub fn from_env(configured: Option<&Path>) -> Self {
        BrowserOptions {
            chrome: headless_chrome_path(configured),
            visible_chrome: chrome_path(configured),
            headless: true,
            max_concurrency: 3,
            cdp_timeout: Duration::from_secs(20),
            waits: Waits::default(),
        }
    }
}

/// Flags on top of chromiumoxide's defaults (which are puppeteer's).
const BASE_FLAGS: &[&str] = &[
    "--disable-gpu",
    "--disable-quic",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--no-default-browser-check",
    "--disable-search-engine-choice-screen",
];

/// One command-line flag as chromiumoxide takes it: the switch without its
/// dashes, and its value split at commas. chromiumoxide adds the dashes
/// itself and merges the values of a repeated switch, so a second
/// `--disable-features=` adds to the defaults' list instead of being
/// passed twice (Chromium would keep only one of them).
pub(crate) fn chrome_arg(flag: &str) -> (String, Vec<String>) {
    let flag = flag.trim_start_matches('-');
    match flag.split_once('=') {
        Some((key, value)) => (
            key.to_string(),
            value
                .split(',')
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        None => (flag.to_string(), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::chrome_arg;

    #[test]
    fn flags_lose_their_dashes_and_split_lists() {
        assert_eq!(chrome_arg("--disable-gpu"), ("disable-gpu".into(), vec![]));
        assert_eq!(
            chrome_arg("--disable-features=A,B"),
            ("disable-features".into(), vec!["A".into(), "B".into()])
        );
        assert_eq!(chrome_arg("--lang=de"), ("lang".into(), vec!["de".into()]));
    }
}

/// Which binary headless runs use: `DISTROFLOW_CHROME`, then the
/// configured path, then Chromium's headless shell (Debian's
/// `chromium-headless-shell` package, or Google's `chrome-headless-shell`),
/// then [`chrome_path`]. The shell is the engine Chromium ships for
/// automation (Puppeteer's default for headless): the same Blink and V8,
/// without the desktop browser's per-tab work, so a post costs it about a
/// quarter of the CPU (docs/benchmarks.md).
pub fn headless_chrome_path(configured: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit_chrome(configured) {
        return p;
    }
    // The binary itself before Debian's launcher script, which runs it
    // without `exec` (one process fewer, and signals reach Chromium).
    for c in [
        "/usr/lib/chromium/chromium-headless-shell",
        "/usr/bin/chromium-headless-shell",
        "/usr/bin/chrome-headless-shell",
    ] {
        if Path::new(c).exists() {
            return PathBuf::from(c);
        }
    }
    chrome_path(None)
}

fn explicit_chrome(configured: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DISTROFLOW_CHROME").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    configured.map(Path::to_path_buf)
}

/// Where Chromium is: `DISTROFLOW_CHROME`, then the configured path, then
/// Debian's `/usr/bin/chromium` and other common names.
pub fn chrome_path(configured: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit_chrome(configured) {
        return p;
    }
    for c in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
        "/usr/bin/google-chrome-stable",
    ] {
        if Path::new(c).exists() {
            return PathBuf::from(c);
        }
    }
    PathBuf::from("/usr/bin/chromium")
}

pub(crate) struct Inner {
    pub(crate) cdp: RwLock<Option<CdpBrowser>>,
    pub(crate) options: BrowserOptions,
    pub(crate) permits: Arc<Semaphore>,
    handler: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// The private profile folder; removed when the browser is dropped.
    profile: tempfile::TempDir,
    pub(crate) started_in: Duration,
}

/// One Chromium process for a whole run. Cheap to clone; close it once with
/// [`Browser::close`]. If it is dropped instead (a panic), Chromium is killed.
#[derive(Clone)]
pub struct Browser {
    pub(crate) inner: Arc<Inner>,
}

impl Browser {
    /// Starts Chromium headless (or visible) with a fresh private profile.
    pub async fn launch(options: BrowserOptions) -> Result<Browser> {
        let started = Instant::now();
        let exe = if options.headless {
            &options.chrome
        } else {
            &options.visible_chrome
        };
        if !exe.exists() {
            return Err(Error::Browser {
                message: format!("Chromium not found at {}", exe.display()),
            });
        }
        crate::procs::reap_orphans();
        let profile = tempfile::Builder::new()
            .prefix(crate::procs::PROFILE_PREFIX)
            .tempdir()
            .map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let mut builder = BrowserConfig::builder()
            .chrome_executable(exe)
            .user_data_dir(profile.path())
            .launch_timeout(Duration::from_secs(30))
            .request_timeout(options.cdp_timeout)
            .window_size(1280, 900)
            .viewport(None);
        // Extra flags for this machine, e.g. DISTROFLOW_CHROME_ARGS="--lang=de".
        let extra = std::env::var("DISTROFLOW_CHROME_ARGS").unwrap_or_default();
        let flags = BASE_FLAGS
            .iter()
            .copied()
            .chain(extra.split_whitespace())
            .map(chrome_arg);
        for (key, values) in flags {
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            builder = if values.is_empty() {
                builder.arg(key.as_str())
            } else {
                builder.arg((key.as_str(), values.as_slice()))
            };
        }
        if options.headless {
            builder = builder.new_headless_mode();
        } else {
            builder = builder.with_head();
        }
        if running_as_root() {
            builder = builder.no_sandbox();
        }
        let config = builder
            .build()
            .map_err(|message| Error::Browser { message })?;
        let (cdp, mut handler) =
            tokio::time::timeout(Duration::from_secs(40), CdpBrowser::launch(config))
                .await
                .map_err(|_| Error::Browser {
                    message: "Chromium did not start within 40s".into(),
                })?
                .map_err(|e| Error::Browser {
                    message: format!("cannot start {}: {e}", exe.display()),
                })?;
        let task = tokio::spawn(async move {
            while let Some(event) = handler.next().await {
                if let Err(e) = event {
                    tracing::trace!(error = %e, "CDP handler");
                }
            }
        });
        let started_in = started.elapsed();
        tracing::debug!(?started_in, profile = %profile.path().display(), "Chromium started");
        Ok(Browser {
            inner: Arc::new(Inner {
                cdp: RwLock::new(Some(cdp)),
                permits: Arc::new(Semaphore::new(options.max_concurrency.max(1))),
                options,
                handler: std::sync::Mutex::new(Some(task)),
                profile,
                started_in,
            }),
        })
    }

    /// How long Chromium took to start and accept CDP.
    pub fn start_time(&self) -> Duration {
        self.inner.started_in
    }

    /// The private profile folder (unique to this browser; tests use it to
    /// find leftover processes).
    pub fn profile_dir(&self) -> &Path {
        self.inner.profile.path()
    }

    pub fn options(&self) -> &BrowserOptions {
        &self.inner.options
    }

    /// Closes Chromium and waits for it to exit (killing it if it will not).
    /// Safe to call more than once.
    pub async fn close(&self) {
        let Some(mut cdp) = self.inner.cdp.write().await.take() else {
            return;
        };
        // Its helpers, while they still hang below the browser process.
        let profile = self.inner.profile.path().to_path_buf();
        let before = {
            let profile = profile.clone();
            tokio::task::spawn_blocking(move || crate::procs::snapshot(&profile))
                .await
                .unwrap_or_default()
        };
        let polite = tokio::time::timeout(Duration::from_secs(5), cdp.close()).await;
        if !matches!(polite, Ok(Ok(_))) {
            let _ = cdp.kill().await;
        }
        match tokio::time::timeout(Duration::from_secs(10), cdp.wait()).await {
            Ok(_) => {}
            Err(_) => {
                let _ = cdp.kill().await;
                let _ = tokio::time::timeout(Duration::from_secs(5), cdp.wait()).await;
            }
        }
        if let Some(task) = self.inner.handler.lock().ok().and_then(|mut h| h.take()) {
            task.abort();
        }
        // Zygotes, renderers and crash handlers exit on their own shortly
        // after the browser; wait for them, kill any that linger.
        let _ = tokio::task::spawn_blocking(move || {
            crate::procs::reap(&profile, &before, Duration::from_secs(3))
        })
        .await;
        tracing::debug!("Chromium closed");
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(task) = self.handler.get_mut().ok().and_then(|h| h.take()) {
            task.abort();
        }
        // Not closed (a panic path): chromiumoxide spawned Chromium with
        // kill_on_drop, so dropping it kills the browser process; its
        // children follow it. Make sure, without waiting long.
        if let Some(cdp) = self.cdp.get_mut().take() {
            let before = crate::procs::snapshot(self.profile.path());
            drop(cdp);
            crate::procs::reap(self.profile.path(), &before, Duration::from_millis(500));
        }
    }
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}
