//! Chromium's process tree, found through `/proc` by the unique profile
//! folder each browser gets, so that no process outlives a run.

use std::path::Path;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// Prefix of every profile folder DistroFlow creates.
pub(crate) const PROFILE_PREFIX: &str = "distroflow-chrome-";

struct Proc {
    pid: i32,
    ppid: i32,
    cmdline: String,
}

fn processes() -> Vec<Proc> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(raw) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if raw.is_empty() {
            continue;
        }
        let ppid = std::fs::read_to_string(entry.path().join("stat"))
            .ok()
            .and_then(|s| {
                // pid (comm) state ppid ...; comm may hold spaces.
                let rest = &s[s.rfind(')')? + 1..];
                rest.split_whitespace().nth(1)?.parse().ok()
            })
            .unwrap_or(0);
        out.push(Proc {
            pid,
            ppid,
            cmdline: String::from_utf8_lossy(&raw).replace('\0', " "),
        });
    }
    out
}

fn pids_using(profile: &Path) -> Vec<i32> {
    let needle = profile.display().to_string();
    processes()
        .into_iter()
        .filter(|p| p.cmdline.contains(&needle))
        .map(|p| p.pid)
        .collect()
}

/// Waits up to `grace` for every process of this profile to exit, then
/// kills the rest. Returns how many had to be killed.
pub(crate) fn reap(profile: &Path, grace: Duration) -> usize {
    let deadline = Instant::now() + grace;
    loop {
        let left = pids_using(profile);
        if left.is_empty() {
            return 0;
        }
        if Instant::now() >= deadline {
            for pid in &left {
                let _ = kill(Pid::from_raw(*pid), Signal::SIGKILL);
            }
            tracing::debug!(count = left.len(), "killed leftover Chromium processes");
            return left.len();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Kills browsers of earlier DistroFlow runs that died without closing them
/// (killed with SIGKILL): their main process is orphaned (parent 1) and
/// still holds a DistroFlow profile folder.
pub(crate) fn reap_orphans() {
    for p in processes() {
        let is_main = !p.cmdline.contains("--type=");
        if p.ppid == 1 && is_main && p.cmdline.contains(PROFILE_PREFIX) {
            tracing::info!(pid = p.pid, "closing a Chromium left by an earlier run");
            let _ = kill(Pid::from_raw(p.pid), Signal::SIGKILL);
        }
    }
}
