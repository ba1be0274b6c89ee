//! Chromium's process tree, found through `/proc` by the unique profile
//! folder each browser gets, so that no process outlives a run.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, Instant};

use distroflow_core::{Error, Result};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// Prefix of every profile folder DistroFlow creates.
pub(crate) const PROFILE_PREFIX: &str = "distroflow-chrome-";

/// In each profile folder: the pid of the process that made it, so that a
/// later run can tell a live run's folder from one left behind.
const OWNER_FILE: &str = "distroflow-owner";

/// A new private profile folder (0700), marked with this process as owner.
pub(crate) fn new_profile() -> Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix(PROFILE_PREFIX)
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let owner = dir.path().join(OWNER_FILE);
    std::fs::write(&owner, format!("{}\n", std::process::id()))
        .map_err(|e| Error::io(&owner, e))?;
    Ok(dir)
}

/// Removes a closed browser's profile folder (best effort).
pub(crate) fn remove_profile(profile: &Path) {
    if let Err(e) = std::fs::remove_dir_all(profile) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::debug!(profile = %profile.display(), "cannot remove the profile folder: {e}");
        }
    }
}

/// Removes profile folders (this user's) that no live run owns and no
/// browser uses: those of runs that were killed, including folders made by
/// older versions without an owner file (once they are a minute old).
fn sweep_profiles(in_use: &std::collections::HashSet<String>) {
    let Ok(dir) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    let me = nix::unistd::geteuid().as_raw();
    for entry in dir.flatten() {
        if !entry
            .file_name()
            .to_string_lossy()
            .starts_with(PROFILE_PREFIX)
        {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_dir() || meta.uid() != me || in_use.contains(&path.display().to_string()) {
            continue;
        }
        let owner = std::fs::read_to_string(path.join(OWNER_FILE))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok());
        let keep = match owner {
            Some(pid) => Path::new(&format!("/proc/{pid}")).exists(),
            None => meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_none_or(|age| age < Duration::from_secs(60)),
        };
        if !keep {
            tracing::debug!(profile = %path.display(), "removing a profile folder left by an earlier run");
            remove_profile(&path);
        }
    }
}

struct Proc {
    pid: i32,
    ppid: i32,
    cmdline: String,
    /// The profile folder it belongs to, if it is a DistroFlow browser's.
    profile: Option<String>,
}

impl Proc {
    /// The browser process of `profile` itself (or a launcher script that
    /// did not `exec` it), not one of its helpers.
    fn is_browser_of(&self, profile: &str) -> bool {
        !self.cmdline.contains("--type=")
            && self.cmdline.contains(&format!("--user-data-dir={profile}"))
    }
}

/// The DistroFlow profile folder a command line names. The browser process
/// (and a launcher script in front of it) always does; of its helpers, only
/// the full browser's do.
fn profile_of(cmdline: &str) -> Option<String> {
    let flag = cmdline
        .split(' ')
        .find_map(|a| a.strip_prefix("--user-data-dir="))?;
    flag.contains(PROFILE_PREFIX).then(|| flag.to_string())
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
        let cmdline = String::from_utf8_lossy(&raw).replace('\0', " ");
        let profile = profile_of(&cmdline);
        out.push(Proc {
            pid,
            ppid,
            cmdline,
            profile,
        });
    }
    out
}

/// The processes of browsers whose profile folder satisfies `wanted`: those
/// that name it, and all their descendants (with the folder they belong
/// to filled in).
fn trees(wanted: impl Fn(&str) -> bool) -> Vec<Proc> {
    let mut all = processes();
    let mut children: std::collections::HashMap<i32, Vec<usize>> = Default::default();
    for (i, p) in all.iter().enumerate() {
        children.entry(p.ppid).or_default().push(i);
    }
    // Descendants take their ancestor's profile (browser, zygote, renderer).
    let mut stack: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].profile.is_some())
        .collect();
    while let Some(i) = stack.pop() {
        let profile = all[i].profile.clone();
        for &c in children
            .get(&all[i].pid)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if all[c].profile.is_none() {
                all[c].profile = profile.clone();
                stack.push(c);
            }
        }
    }
    all.retain(|p| p.profile.as_deref().is_some_and(&wanted));
    all
}

/// Every process of DistroFlow browsers whose profile folder lies under
/// `under` (a profile folder itself, or a folder holding several), as
/// (pid, command line), helpers included. Tests and the benchmark use it to
/// find a browser's whole process tree.
pub fn browser_processes(under: &Path) -> Vec<(u32, String)> {
    let under = under.display().to_string();
    trees(|d| d.starts_with(&under))
        .into_iter()
        .map(|p| (p.pid as u32, p.cmdline))
        .collect()
}

/// A browser's processes now, to be waited for after it is closed (when
/// the helpers no longer hang below the browser process).
pub(crate) fn snapshot(profile: &Path) -> Vec<i32> {
    let profile = profile.display().to_string();
    trees(|d| d == profile).into_iter().map(|p| p.pid).collect()
}

/// Running (not a zombie, which has no command line).
fn alive(pid: i32) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| !c.is_empty())
}

fn pids_using(profile: &Path, before: &[i32]) -> Vec<i32> {
    let mut pids = snapshot(profile);
    for pid in before {
        // Still there? An exited one may be a zombie, which has no command
        // line and needs no killing.
        if !pids.contains(pid)
            && std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| !c.is_empty())
        {
            pids.push(*pid);
        }
    }
    pids
}

/// Waits up to `grace` for every process of this profile (and those of
/// `before`, a [`snapshot`] taken while it ran) to exit, then kills the
/// rest. Returns how many had to be killed.
pub(crate) fn reap(profile: &Path, before: &[i32], grace: Duration) -> usize {
    let deadline = Instant::now() + grace;
    loop {
        // The known processes are polled one by one (a few files); the
        // whole of /proc is read only once they are gone, to find any the
        // snapshot missed. Reading all of /proc every 10 ms cost a post
        // tens of milliseconds of CPU (issue 19).
        let known: Vec<i32> = before.iter().copied().filter(|p| alive(*p)).collect();
        let left = if known.is_empty() || Instant::now() >= deadline {
            pids_using(profile, before)
        } else {
            known
        };
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
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends SIGKILL to each of `pids` still alive (a browser's processes,
/// snapshotted while they were its).
pub(crate) fn kill_all(pids: &[i32]) {
    for pid in pids {
        if alive(*pid) {
            let _ = kill(Pid::from_raw(*pid), Signal::SIGKILL);
        }
    }
}

/// Kills browsers of earlier DistroFlow runs that died without closing them
/// (killed with SIGKILL, by versions before the DevTools pipe: a browser on
/// the pipe quits by itself when its run dies), then removes the profile
/// folders such runs left behind. A browser is orphaned when its main process was
/// handed to init (parent 1; with a launcher script that did not `exec`,
/// such as Debian's `chromium-headless-shell`, the script is) or is gone
/// while helpers linger. All of its processes go, found by profile folder.
pub(crate) fn reap_orphans() {
    let all = trees(|_| true);
    // When DistroFlow itself is PID 1 (a container), its own browsers have
    // parent 1: nothing can be told from that.
    if std::process::id() == 1 {
        return;
    }
    let mut killed: Vec<i32> = Vec::new();
    let mut browsers: std::collections::BTreeMap<&str, Vec<&Proc>> = Default::default();
    for p in &all {
        if let Some(profile) = p.profile.as_deref() {
            browsers.entry(profile).or_default().push(p);
        }
    }
    for (profile, procs) in browsers {
        let orphaned = procs
            .iter()
            .any(|p| p.is_browser_of(profile) && p.ppid == 1)
            || !procs.iter().any(|p| p.is_browser_of(profile));
        if !orphaned {
            continue;
        }
        tracing::info!(
            profile,
            count = procs.len(),
            "closing a Chromium left by an earlier run"
        );
        for p in procs {
            let _ = kill(Pid::from_raw(p.pid), Signal::SIGKILL);
            killed.push(p.pid);
        }
    }
    // Give the killed ones a moment to go, so their folders go too.
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline && killed.iter().any(|pid| alive(*pid)) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let in_use = trees(|_| true)
        .into_iter()
        .filter_map(|p| p.profile)
        .collect();
    sweep_profiles(&in_use);
}
