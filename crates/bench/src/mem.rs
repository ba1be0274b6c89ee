//! Memory of the whole process tree: this process plus every Chromium
//! process of a browser (the browser process and its descendants), as PSS from
//! `/proc/PID/smaps_rollup` (shared pages split fairly between processes).

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// (PSS, USS) of a process in KiB: PSS splits each shared page between
/// the processes mapping it, *including processes outside the tree* (another
/// Chromium on the machine shares its binary's pages), so it moves with
/// what else runs; USS (private pages only) does not.
pub(crate) fn rollup_kb(pid: &str) -> (u64, u64) {
    let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
        return (0, 0);
    };
    let field = |name: &str| -> u64 {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (
        field("Pss:"),
        field("Private_Clean:") + field("Private_Dirty:"),
    )
}

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

/// Samples the tree every 25 ms until stopped; keeps the peaks: this
/// process's, the browser's, and their sum at the same instant (the
/// figure to quote: adding the two separate peaks would count moments
/// that never happened together).
pub(crate) struct Sampler {
    stop: Arc<AtomicBool>,
    peak_self: Arc<AtomicU64>,
    peak_browser: Arc<AtomicU64>,
    peak_total: Arc<AtomicU64>,
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
        let peak_total = Arc::new(AtomicU64::new(0));
        let (s, ps, pb, pt) = (
            stop.clone(),
            peak_self.clone(),
            peak_browser.clone(),
            peak_total.clone(),
        );
        let handle = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let (me, browser) = (pss_kb("self"), browser());
                ps.fetch_max(me, Ordering::Relaxed);
                pb.fetch_max(browser, Ordering::Relaxed);
                pt.fetch_max(me + browser, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(25));
            }
        });
        Sampler {
            stop,
            peak_self,
            peak_browser,
            peak_total,
            handle: Some(handle),
        }
    }

    /// Peak (this process, browser) PSS in KiB, each at its own moment.
    pub(crate) fn stop(self) -> (u64, u64) {
        let (me, browser, _) = self.stop_all();
        (me, browser)
    }

    /// Peak (this process, browser, both at the same instant) PSS in KiB.
    pub(crate) fn stop_all(mut self) -> (u64, u64, u64) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        (
            self.peak_self.load(Ordering::Relaxed),
            self.peak_browser.load(Ordering::Relaxed),
            self.peak_total.load(Ordering::Relaxed),
        )
    }
}
