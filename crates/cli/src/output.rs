//! What the person reads: errors on stderr with a hint, results on stdout,
//! JSON Lines from dedicated wire structs.

use std::io::Write;

use distroflow_core::{Error, PostResult};
use serde::Serialize;

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `-q`: warnings are not printed (errors still are).
pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// `warning: <what>` on stderr, unless `-q`.
pub(crate) fn warn(message: &str) {
    if !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
        let _ = writeln!(std::io::stderr().lock(), "warning: {message}");
    }
}

/// `error: <what>`, then `caused by:` lines, then `hint:`.
pub(crate) fn print_error(e: &Error) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "error: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let _ = writeln!(err, "  caused by: {s}");
        source = s.source();
    }
    if let Some(h) = e.hint() {
        let _ = writeln!(err, "  hint: {h}");
    }
}

/// `error: <what>` and its `hint:`, for a refusal that is no `Error`.
pub(crate) fn print_problem(message: &str, hint: Option<&str>) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "error: {message}");
    if let Some(h) = hint {
        let _ = writeln!(err, "  hint: {h}");
    }
}

#[derive(Serialize)]
pub(crate) struct WireError<'a> {
    pub(crate) kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) platform: Option<&'a str>,
    pub(crate) message: &'a str,
    pub(crate) hint: Option<&'a str>,
    /// For a rate limit: seconds until the next post is allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) retry_after_secs: Option<u64>,
}

/// With `--json`, a usage or input error (exit 2) is one object on stdout:
/// `{"ok":false,"error":{"kind","message","hint"},"errors":[...]}`, the
/// first refusal in `error` and every one in `errors`.
pub(crate) fn print_refusal(errors: &[WireError<'_>]) {
    #[derive(Serialize)]
    struct Refusal<'a> {
        ok: bool,
        error: Option<&'a WireError<'a>>,
        errors: &'a [WireError<'a>],
    }
    json_line(&Refusal {
        ok: false,
        error: errors.first(),
        errors,
    });
}

/// [`print_refusal`] for one `Error`.
pub(crate) fn print_error_json(e: &Error) {
    let message = e.to_string();
    let hint = e.hint();
    print_refusal(&[WireError {
        kind: e.kind().as_str(),
        platform: None,
        message: &message,
        hint: hint.as_deref(),
        retry_after_secs: None,
    }]);
}

/// Writes one line to stdout; a closed pipe is not an error.
pub(crate) fn line(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{s}");
    let _ = out.flush();
}

pub(crate) fn json_line<T: Serialize>(v: &T) {
    if let Ok(s) = serde_json::to_string(v) {
        line(&s);
    }
}

pub(crate) fn print_result(r: &PostResult, json: bool) {
    if json {
        json_line(&distroflow_app::wire::WireResult::from(r));
        return;
    }
    let secs = r.duration.as_secs_f64();
    match (&r.error, &r.url) {
        (None, Some(url)) if r.status == distroflow_core::Status::Skipped => line(&format!(
            "✓ {:<11} {url}  (already posted; nothing new: --force posts it again)",
            r.platform
        )),
        (None, Some(url)) => {
            let mut s = format!("✓ {:<11} {url}  ({secs:.1}s)", r.platform);
            for u in r.thread.iter().skip(1) {
                s.push_str(&format!("\n  {:<11} {u}", ""));
            }
            line(&s)
        }
        (Some(e), url) => {
            let mut s = format!("✗ {:<11} {}: {}", r.platform, e.kind, e.message);
            if let Some(u) = url {
                s.push_str(&format!("\n  {:<11} existing: {u}", ""));
            }
            if let Some(h) = &e.hint {
                s.push_str(&format!("\n  {:<11} hint: {h}", ""));
            }
            line(&s);
        }
        (None, None) => line(&format!("✓ {:<11} posted  ({secs:.1}s)", r.platform)),
    }
}

/// A spinner per platform on stderr, only when stderr is a terminal (and
/// not for `--json`, `-q` or pipes); results still go to stdout.
pub(crate) struct Progress {
    bars: Option<(
        indicatif::MultiProgress,
        Vec<(distroflow_core::PlatformId, indicatif::ProgressBar)>,
    )>,
}

impl Progress {
    pub(crate) fn new(platforms: &[distroflow_core::PlatformId], enabled: bool) -> Progress {
        use std::io::IsTerminal;
        if !enabled
            || !std::io::stderr().is_terminal()
            || std::env::var_os("DISTROFLOW_NO_PROGRESS").is_some()
        {
            return Progress { bars: None };
        }
        let multi =
            indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr());
        let style =
            indicatif::ProgressStyle::with_template("{spinner} {prefix:<11} {msg} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner());
        let bars = platforms
            .iter()
            .map(|p| {
                let bar = multi.add(indicatif::ProgressBar::new_spinner());
                bar.set_style(style.clone());
                bar.set_prefix(p.as_str());
                bar.set_message("posting…");
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
                (*p, bar)
            })
            .collect();
        Progress {
            bars: Some((multi, bars)),
        }
    }

    pub(crate) fn finish(&self, platform: distroflow_core::PlatformId) {
        if let Some((_, bars)) = &self.bars {
            for (p, bar) in bars {
                if *p == platform {
                    bar.finish_and_clear();
                }
            }
        }
    }

    pub(crate) fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bars {
            Some((multi, _)) => multi.suspend(f),
            None => f(),
        }
    }

    pub(crate) fn clear(&self) {
        if let Some((multi, bars)) = &self.bars {
            for (_, bar) in bars {
                bar.finish_and_clear();
            }
            let _ = multi.clear();
        }
    }
}
