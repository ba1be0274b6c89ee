use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chromiumoxide::browser::Browser as CdpBrowser;
use chromiumoxide::handler::HandlerConfig;
use command_fds::{CommandFdExt, FdMapping};
use distroflow_core::{Error, Result, Waits};
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
    /// How long one job's session may last on an engine that ends sessions
    /// by a timer (browserless's `timeout`): the job deadline.
    pub session_timeout: Duration,
    /// Deadline and poll interval for waits inside pages.
    pub waits: Waits,
    /// Extra Chromium flags for this machine (`DISTROFLOW_CHROME_ARGS`,
    /// split at whitespace). None can open a debugging port or move the
    /// profile.
    pub extra_args: Vec<String>,
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
            max_concurrency: 4,
            cdp_timeout: Duration::from_secs(20),
            session_timeout: Duration::from_secs(120),
            waits: Waits::default(),
            extra_args: std::env::var("DISTROFLOW_CHROME_ARGS")
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
        }
    }
}

/// Flags every launch gets: Puppeteer's defaults for automation (the
/// ones chromiumoxide passes), then our own.
const BASE_FLAGS: &[&str] = &[
    "--disable-background-networking",
    // Puppeteer's old spelling, which today's Chromium ignores; see
    // `NetworkServiceInProcess2` below.
    "--enable-features=NetworkService,NetworkServiceInProcess",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-breakpad",
    "--disable-client-side-phishing-detection",
    "--disable-component-extensions-with-background-pages",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--disable-features=TranslateUI",
    "--disable-hang-monitor",
    "--disable-ipc-flooding-protection",
    "--disable-popup-blocking",
    "--disable-prompt-on-repost",
    "--disable-renderer-backgrounding",
    "--disable-sync",
    "--force-color-profile=srgb",
    "--metrics-recording-only",
    "--no-first-run",
    "--enable-automation",
    "--password-store=basic",
    "--use-mock-keychain",
    "--lang=en_US",
    "--disable-extensions",
    "--window-size=1280,900",
    // Ours.
    "--disable-gpu",
    // Two helper processes fewer, for every run (docs/benchmarks.md,
    // issue 19; the trade-off is in docs/security.md): the GPU process,
    // which headless Chromium starts even with `--disable-gpu` (software
    // compositing), runs as a thread of the browser process, and so does
    // the network service. Renderers, one or more per platform's context,
    // stay processes of their own (site isolation is untouched).
    "--in-process-gpu",
    "--enable-features=NetworkServiceInProcess2",
    // A job never goes back to a page it left: a page kept for that
    // would only hold memory while the job runs.
    "--disable-features=BackForwardCache",
    "--disable-quic",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--no-default-browser-check",
    "--disable-search-engine-choice-screen",
];

/// Switches whose values are lists Chromium reads once: repeated, their
/// values are merged (a second `--disable-features=` adds to the first
/// instead of replacing it).
const LIST_SWITCHES: &[&str] = &[
    "enable-features",
    "disable-features",
    "enable-blink-features",
    "disable-blink-features",
];

/// The command line from `flags` in order: list switches merged, any other
/// repeated switch taking its last value.
pub(crate) fn command_line<'a>(flags: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let mut values: std::collections::HashMap<String, Option<Vec<String>>> = Default::default();
    for flag in flags {
        let flag = flag.trim_start_matches('-');
        if flag.is_empty() {
            continue;
        }
        let (key, value) = match flag.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (flag.to_string(), None),
        };
        if !values.contains_key(&key) {
            order.push(key.clone());
        }
        let slot = values.entry(key.clone()).or_insert(None);
        match (value, LIST_SWITCHES.contains(&key.as_str())) {
            (Some(v), true) => {
                let list = slot.get_or_insert_with(Vec::new);
                for item in v.split(',').filter(|i| !i.is_empty()) {
                    if !list.iter().any(|i| i == item) {
                        list.push(item.to_string());
                    }
                }
            }
            (Some(v), false) => *slot = Some(vec![v]),
            (None, _) => {}
        }
    }
    order
        .into_iter()
        .map(|k| match &values[&k] {
            Some(v) => format!("--{k}={}", v.join(",")),
            None => format!("--{k}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::command_line;

    #[test]
    fn lists_merge_and_other_switches_keep_the_last_value() {
        assert_eq!(
            command_line([
                "--disable-gpu",
                "--disable-features=A,B",
                "--lang=en_US",
                "disable-features=B,C",
                "--lang=de",
            ]),
            vec!["--disable-gpu", "--disable-features=A,B,C", "--lang=de"]
        );
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
    /// chromiumoxide's event loop and the pipe bridge.
    pub(crate) tasks: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// The Chromium process (killed if dropped).
    pub(crate) child: std::sync::Mutex<Option<tokio::process::Child>>,
    /// The private profile folder (0700); removed when the browser closes.
    /// `None` for a remote engine.
    pub(crate) profile: Option<tempfile::TempDir>,
    /// The engine's name, for a remote engine.
    pub(crate) remote: Option<String>,
    /// Set when the connection drops.
    pub(crate) lost: crate::lost::Lost,
    pub(crate) started_in: Duration,
    /// Blank contexts kept ready (`spare.rs`).
    pub(crate) spares: crate::spare::Spares,
    /// Compose pages loaded ahead of a post (`prepared.rs`).
    pub(crate) prepared: crate::prepared::PreparedTabs,
}

/// Why a launch failed: Chromium crashed while starting (worth one more
/// try), or anything else.
enum Start {
    Crashed(Error),
    Failed(Error),
}

impl Start {
    fn error(self) -> Error {
        match self {
            Start::Crashed(e) | Start::Failed(e) => e,
        }
    }
}

impl From<Error> for Start {
    fn from(e: Error) -> Start {
        Start::Failed(e)
    }
}

/// One Chromium process for a whole run. Cheap to clone; close it once with
/// [`Browser::close`]. If it is dropped instead (a panic), Chromium is killed.
///
/// DevTools runs over a pipe (see `pipe.rs`): Chromium opens no debugging
/// port, and it quits by itself when DistroFlow exits, however it exits.
#[derive(Clone)]
pub struct Browser {
    pub(crate) inner: Arc<Inner>,
}

/// The last lines Chromium wrote to stderr, for a launch failure's message.
type Tail = Arc<std::sync::Mutex<std::collections::VecDeque<String>>>;

impl Browser {
    /// Starts Chromium headless (or visible) with a fresh private profile.
    pub async fn launch(options: BrowserOptions) -> Result<Browser> {
        match Self::launch_once(options.clone()).await {
            // Chromium itself crashing while it starts (seen, rarely, as a
            // SIGSEGV of the headless shell before it answers) is not this
            // run's doing and nothing was done yet: one more try.
            Err(Start::Crashed(e)) => {
                tracing::warn!("{e}; starting it once more");
                Self::launch_once(options).await.map_err(Start::error)
            }
            other => other.map_err(Start::error),
        }
    }

    async fn launch_once(options: BrowserOptions) -> std::result::Result<Browser, Start> {
        let started = Instant::now();
        let exe = if options.headless {
            &options.chrome
        } else {
            &options.visible_chrome
        };
        if !exe.exists() {
            return Err(Error::Browser {
                message: format!("Chromium not found at {}", exe.display()),
            }
            .into());
        }
        // Closing what older runs left behind scans every process; it
        // runs beside the launch (it leaves alone any browser whose
        // owner is alive, ours included) and is awaited before returning.
        let orphans = tokio::task::spawn_blocking(crate::procs::reap_orphans);
        let profile = crate::procs::new_profile()?;
        let io = |what: &str, e: std::io::Error| Error::Browser {
            message: format!("cannot start {}: {what}: {e}", exe.display()),
        };
        // Chromium reads CDP from fd 3 and writes it to fd 4.
        let (chrome_reads, to_chrome) = std::io::pipe().map_err(|e| io("pipe", e))?;
        let (from_chrome, chrome_writes) = std::io::pipe().map_err(|e| io("pipe", e))?;

        let user_data_dir = format!("--user-data-dir={}", profile.path().display());
        let mut flags: Vec<&str> = BASE_FLAGS.to_vec();
        flags.extend(options.extra_args.iter().map(String::as_str));
        if options.headless {
            flags.extend(["--headless=new", "--hide-scrollbars", "--mute-audio"]);
        }
        if running_as_root() {
            flags.extend(["--no-sandbox", "--disable-setuid-sandbox"]);
        }
        // Last, so that no extra flag can open a port or move the profile.
        flags.extend(["--remote-debugging-pipe", user_data_dir.as_str()]);
        let args: Vec<String> = command_line(flags)
            .into_iter()
            .filter(|a| {
                !a.starts_with("--remote-debugging-port")
                    && !a.starts_with("--remote-debugging-address")
            })
            .collect();

        let mut cmd = tokio::process::Command::new(exe);
        cmd.args(&args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        cmd.fd_mappings(vec![
            FdMapping {
                parent_fd: chrome_reads.into(),
                child_fd: 3,
            },
            FdMapping {
                parent_fd: chrome_writes.into(),
                child_fd: 4,
            },
        ])
        .map_err(|e| io("file descriptors", std::io::Error::other(e.to_string())))?;
        let mut child = cmd.spawn().map_err(|e| io("spawn", e))?;
        // Chromium's ends of the pipes live on in Chromium only, so that
        // its exit (or ours) closes the channel.
        drop(cmd);
        let tail: Tail = Default::default();
        if let Some(stderr) = child.stderr.take() {
            let tail = tail.clone();
            tokio::spawn(async move {
                use tokio::io::AsyncBufReadExt;
                let mut lines = tokio::io::BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Ok(mut t) = tail.lock() {
                        if t.len() >= 20 {
                            t.pop_front();
                        }
                        t.push_back(line);
                    }
                }
            });
        }

        let lost = crate::lost::new();
        let connected = async {
            let channel = crate::pipe::bridge(
                to_chrome.into(),
                from_chrome.into(),
                Duration::from_secs(30),
            )
            .await?;
            let config = HandlerConfig {
                ignore_https_errors: true,
                ignore_invalid_messages: true,
                viewport: None,
                context_ids: Vec::new(),
                request_timeout: options.cdp_timeout,
                request_intercept: false,
                cache_enabled: true,
            };
            let (cdp, handler) = CdpBrowser::connect_with_config(channel.url.clone(), config)
                .await
                .map_err(|e| Error::Browser {
                    message: format!("cannot attach to {}: {e}", exe.display()),
                })?;
            let events = crate::lost::drive(handler, lost.clone());
            // A first round trip proves the browser is there and answering.
            let version = cdp.version().await;
            Ok::<_, Error>((cdp, vec![channel.task, events], version))
        };
        let mut crashed = false;
        let outcome = tokio::select! {
            r = tokio::time::timeout(Duration::from_secs(40), connected) => match r {
                Ok(r) => r,
                Err(_) => Err(Error::Browser { message: "Chromium did not start within 40s".into() }),
            },
            status = child.wait() => {
                use std::os::unix::process::ExitStatusExt;
                crashed = matches!(&status, Ok(s) if s.signal().is_some());
                Err(Error::Browser {
                    message: format!(
                        "{} exited at start ({}){}",
                        exe.display(),
                        status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string()),
                        last_lines(&tail)
                    ),
                })
            }
        };
        let (cdp, tasks) = match outcome {
            Ok((cdp, tasks, Ok(_))) => (cdp, tasks),
            Ok((_, tasks, Err(e))) => {
                tasks.iter().for_each(|t| t.abort());
                // The connection may have dropped because Chromium died:
                // a crash (a signal) is told apart from a browser that is
                // up but silent, which is killed here.
                let died = tokio::time::timeout(Duration::from_secs(2), child.wait()).await;
                let status = match died {
                    Ok(Ok(status)) => Some(status),
                    _ => {
                        let _ = child.start_kill();
                        let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
                        None
                    }
                };
                let e = Error::Browser {
                    message: match status {
                        Some(status) => format!(
                            "{} exited at start ({status}){}",
                            exe.display(),
                            last_lines(&tail)
                        ),
                        None => {
                            format!("{} did not answer: {e}{}", exe.display(), last_lines(&tail))
                        }
                    },
                };
                use std::os::unix::process::ExitStatusExt;
                return Err(match status {
                    Some(s) if s.signal().is_some() => Start::Crashed(e),
                    _ => Start::Failed(e),
                });
            }
            Err(e) => {
                let _ = child.start_kill();
                let _ = tokio::time::timeout(Duration::from_secs(5), child.wait()).await;
                return Err(if crashed {
                    Start::Crashed(e)
                } else {
                    Start::Failed(e)
                });
            }
        };
        orphans.await.ok();
        let started_in = started.elapsed();
        tracing::debug!(?started_in, profile = %profile.path().display(), "Chromium started");
        Ok(Browser {
            inner: Arc::new(Inner {
                cdp: RwLock::new(Some(cdp)),
                permits: Arc::new(Semaphore::new(options.max_concurrency.max(1))),
                options,
                tasks: std::sync::Mutex::new(tasks),
                child: std::sync::Mutex::new(Some(child)),
                profile: Some(profile),
                remote: None,
                lost,
                spares: Default::default(),
                prepared: Default::default(),
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
        self.inner
            .profile
            .as_ref()
            .map(|p| p.path())
            .unwrap_or(Path::new(""))
    }

    /// The remote engine this browser is on (`None`: launched here).
    pub fn engine(&self) -> Option<&str> {
        self.inner.remote.as_deref()
    }

    pub fn options(&self) -> &BrowserOptions {
        &self.inner.options
    }

    /// Whether the connection to the browser dropped (see `lost.rs`).
    pub fn is_lost(&self) -> bool {
        *self.inner.lost.borrow()
    }

    /// Completes as soon as the connection to the browser drops; never if
    /// the browser is closed first.
    pub fn lost(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let lost = crate::lost::wait(&self.inner.lost);
        async move {
            if !lost.await {
                std::future::pending::<()>().await;
            }
        }
    }

    /// The Chromium process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.inner
            .child
            .lock()
            .ok()
            .and_then(|c| c.as_ref().and_then(|c| c.id()))
    }

    /// Closes Chromium and waits for it to exit, then removes its profile
    /// folder. Safe to call more than once.
    ///
    /// Chromium is killed rather than asked to quit: its profile is a
    /// throwaway folder removed right after, so there is nothing for a
    /// graceful shutdown to save, and asking costs 100-200 ms of every
    /// run (the browser's shutdown, then its helpers exiting one by one).
    pub async fn close(&self) {
        self.drop_spares().await;
        self.drop_prepared().await;
        let Some(cdp) = self.inner.cdp.write().await.take() else {
            return;
        };
        let Some(profile) = self.inner.profile.as_ref().map(|p| p.path().to_path_buf()) else {
            // A remote engine: it is not ours to close. Our contexts are
            // disposed; dropping the connection ends a browserless session.
            if let Ok(mut tasks) = self.inner.tasks.lock() {
                tasks.drain(..).for_each(|t| t.abort());
            }
            drop(cdp);
            return;
        };
        // Its helpers, while they still hang below the browser process.
        let before = {
            let profile = profile.clone();
            tokio::task::spawn_blocking(move || crate::procs::snapshot(&profile))
                .await
                .unwrap_or_default()
        };
        // The connection first, so that the browser's end is not taken
        // for a lost engine.
        if let Ok(mut tasks) = self.inner.tasks.lock() {
            tasks.drain(..).for_each(|t| t.abort());
        }
        drop(cdp);
        let child = self.inner.child.lock().ok().and_then(|mut c| c.take());
        if let Some(mut child) = child {
            let _ = child.start_kill();
            if tokio::time::timeout(Duration::from_secs(10), child.wait())
                .await
                .is_err()
            {
                tracing::warn!("Chromium did not exit 10 s after SIGKILL");
            }
        }
        // Its helpers at once too (they would follow the browser process
        // within a moment anyway).
        let pids = before.clone();
        let _ = tokio::task::spawn_blocking(move || crate::procs::kill_all(&pids)).await;
        // Zygotes, renderers and crash handlers exit on their own shortly
        // after the browser; wait for them, kill any that linger, and
        // remove the profile (whoever holds the last clone of this browser).
        let _ = tokio::task::spawn_blocking(move || {
            crate::procs::reap(&profile, &before, Duration::from_secs(3));
            crate::procs::remove_profile(&profile);
        })
        .await;
        tracing::debug!("Chromium closed");
    }
}

fn last_lines(tail: &Tail) -> String {
    let lines: Vec<String> = tail
        .lock()
        .map(|t| t.iter().cloned().collect())
        .unwrap_or_default();
    if lines.is_empty() {
        String::new()
    } else {
        format!("; Chromium said: {}", lines.join(" | "))
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Ok(tasks) = self.tasks.get_mut() {
            tasks.drain(..).for_each(|t| t.abort());
        }
        // Not closed (a panic path): kill the browser process; its children
        // follow it. Make sure, without waiting long. The profile folder
        // goes with the TempDir.
        let Some(profile) = self.profile.as_ref().map(|p| p.path().to_path_buf()) else {
            return;
        };
        if let Some(cdp) = self.cdp.get_mut().take() {
            let before = crate::procs::snapshot(&profile);
            drop(cdp);
            if let Some(mut child) = self.child.get_mut().ok().and_then(|c| c.take()) {
                let _ = child.start_kill();
            }
            crate::procs::reap(&profile, &before, Duration::from_millis(500));
        }
    }
}

fn running_as_root() -> bool {
    nix::unistd::geteuid().is_root()
}
