//! Memory of the whole process tree: this process plus every Chromium
//! process of a browser (the browser process and its descendants), as PSS from
//! `/proc/PID/smaps_rollup` (shared pages split fairly between processes).

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub(crate) fn pss_kb(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// (this process, the browser's processes) in KiB.
pub(crate) fn tree_pss(profile: &Path) -> (u64, u64) {
    let me = pss_kb("self");
    let browser = distroflow_browser::browser_processes(profile)
        .iter()
        .map(|(pid, _)| pss_kb(&pid.to_string()))
        .sum();
    (me, browser)
}

/// Samples the tree every 25 ms until stopped; keeps the peaks.
pub(crate) struct Sampler {
    stop: Arc<AtomicBool>,
    peak_self: Arc<AtomicU64>,
    peak_browser: Arc<AtomicU64>,
    handle: Option<std::thread::JoinHandle<()>>,
}

/// PSS of every process in process group `pgid` (an engine started in
/// its own group: browser, zygotes, renderers, helpers), in KiB.
pub(crate) fn group_pss(pgid: u32) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|pid| pid.chars().all(|c| c.is_ascii_digit()))
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| {
                    // pid (comm) state ppid pgrp ...
                    let rest = &s[s.rfind(')')? + 1..];
                    rest.split_whitespace().nth(2)?.parse::<u32>().ok()
                })
                == Some(pgid)
        })
        .map(|pid| pss_kb(&pid))
        .sum()
}

impl Sampler {
    pub(crate) fn start(profile: &Path) -> Sampler {
        let profile = profile.to_path_buf();
        Sampler::start_with(move || tree_pss(&profile).1)
    }

    /// Samples this process and `browser()` (KiB).
    pub(crate) fn start_with(browser: impl Fn() -> u64 + Send + 'static) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_self = Arc::new(AtomicU64::new(0));
        let peak_browser = Arc::new(AtomicU64::new(0));
        let (s, ps, pb) = (stop.clone(), peak_self.clone(), peak_browser.clone());
        let handle = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let (me, browser) = (pss_kb("self"), browser());
                ps.fetch_max(me, Ordering::Relaxed);
                pb.fetch_max(browser, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(25));
            }
        });
        Sampler {
            stop,
            peak_self,
            peak_browser,
            handle: Some(handle),
        }
    }

    /// Peak (this process, browser) PSS in KiB.
    pub(crate) fn stop(mut self) -> (u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        (
            self.peak_self.load(Ordering::Relaxed),
            self.peak_browser.load(Ordering::Relaxed),
        )
    }
}
