//! The cost of a whole process tree: one command (`distroflow post`, or the
//! headless shell loading one page), every process it starts, and every
//! process those start, until the last one is gone.
//!
//! - **Memory**: the tree's PSS (`/proc/PID/smaps_rollup`: shared pages
//!   split fairly between the processes sharing them) summed over every
//!   member *at the same instant*, sampled every `every`; the figure is the
//!   largest such sum. (Adding up each process's own peak would count
//!   moments that never happened together.)
//! - **CPU**: this process is made a child subreaper
//!   (`PR_SET_CHILD_SUBREAPER`), so a member orphaned by its parent is
//!   re-parented here instead of to init; after the command exits every
//!   remaining member is waited for (and killed if it lingers). The tree's
//!   CPU is then the growth of this process's `cutime + cstime` (user and
//!   system time of waited-for children, and of the children they waited
//!   for): nothing the tree ran escapes it, and nothing else is in it (the
//!   bench itself starts no other child while it measures). Clock ticks:
//!   10 ms granularity.
//! - **Wall**: from spawning the command to its exit (the browser it
//!   launched is closed by then: `distroflow` waits for it).

use std::collections::HashMap;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

/// Clock ticks per second in `/proc` (USER_HZ).
const TICKS: f64 = 100.0;

/// What one run of a command cost.
#[derive(Clone, Debug)]
pub(crate) struct Cost {
    pub(crate) wall: Duration,
    /// User + system time of the whole tree.
    pub(crate) cpu: Duration,
    /// Largest same-instant PSS sum of the tree, KiB (0 when not sampled).
    pub(crate) peak_pss_kib: u64,
    /// Largest same-instant USS (private pages) sum, KiB.
    pub(crate) peak_uss_kib: u64,
    /// How many samples were taken, and the most processes seen at once.
    pub(crate) samples: usize,
    pub(crate) max_procs: usize,
    pub(crate) status: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Makes this process the subreaper of everything it starts from now on.
pub(crate) fn become_subreaper() -> Result<(), String> {
    nix::sys::prctl::set_child_subreaper(true)
        .map_err(|e| format!("cannot become a child subreaper (prctl): {e}"))
}

/// `(ppid, utime + stime in ticks)` from `/proc/PID/stat`.
fn stat(pid: &str) -> Option<(u32, u64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid ... ; comm may hold spaces and parentheses.
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ppid = f.get(1)?.parse().ok()?;
    // Fields 14 and 15 of the line (utime, stime) are 11 and 12 here.
    let u: u64 = f.get(11)?.parse().ok()?;
    let st: u64 = f.get(12)?.parse().ok()?;
    Some((ppid, u + st))
}

/// This process's waited-for children's CPU so far (`cutime + cstime`).
pub(crate) fn children_cpu() -> Duration {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = s.rfind(')').map(|i| &s[i + 1..]).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // Fields 16 and 17 of the line (cutime, cstime) are 13 and 14 here.
    Duration::from_secs_f64((n(13) + n(14)) as f64 / TICKS)
}

/// Every live descendant of `root` (not `root` itself), by parent links.
pub(crate) fn descendants(root: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for e in dir.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if let Some((ppid, _)) = stat(&pid.to_string()) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut out = Vec::new();
    let mut todo = vec![root];
    while let Some(p) = todo.pop() {
        if let Some(c) = children.get(&p) {
            out.extend(c);
            todo.extend(c);
        }
    }
    out
}

/// The tree's PSS and USS right now (KiB) and how many processes it has.
pub(crate) fn tree_pss(root: u32, include_root: bool) -> (u64, u64, usize) {
    let mut pids = descendants(root);
    if include_root {
        pids.push(root);
    }
    let (mut pss, mut uss) = (0, 0);
    for p in &pids {
        let (a, b) = crate::mem::rollup_kb(&p.to_string());
        pss += a;
        uss += b;
    }
    (pss, uss, pids.len())
}

/// Samples the same-instant PSS of `root`'s tree every `every` until
/// stopped; keeps the largest sum.
pub(crate) struct TreeSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    peak_uss: Arc<AtomicU64>,
    samples: Arc<AtomicUsize>,
    procs: Arc<AtomicUsize>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl TreeSampler {
    pub(crate) fn start(root: u32, include_root: bool, every: Duration) -> TreeSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let peak_uss = Arc::new(AtomicU64::new(0));
        let samples = Arc::new(AtomicUsize::new(0));
        let procs = Arc::new(AtomicUsize::new(0));
        let (s, p, u, n, m) = (
            stop.clone(),
            peak.clone(),
            peak_uss.clone(),
            samples.clone(),
            procs.clone(),
        );
        let handle = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let (kib, uss, count) = tree_pss(root, include_root);
                p.fetch_max(kib, Ordering::Relaxed);
                u.fetch_max(uss, Ordering::Relaxed);
                m.fetch_max(count, Ordering::Relaxed);
                n.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(every);
            }
        });
        TreeSampler {
            stop,
            peak,
            peak_uss,
            samples,
            procs,
            handle: Some(handle),
        }
    }

    /// (peak PSS KiB, peak USS KiB, samples, most processes at once).
    pub(crate) fn stop(mut self) -> (u64, u64, usize, usize) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        (
            self.peak.load(Ordering::Relaxed),
            self.peak_uss.load(Ordering::Relaxed),
            self.samples.load(Ordering::Relaxed),
            self.procs.load(Ordering::Relaxed),
        )
    }
}

/// Waits for every remaining child of this process (the command's
/// orphans, re-parented here), killing whatever is still alive after
/// `grace`.
pub(crate) fn reap_all(grace: Duration) {
    let me = std::process::id();
    let deadline = Instant::now() + grace;
    let mut killed = false;
    loop {
        match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => {
                if Instant::now() >= deadline && !killed {
                    for pid in descendants(me) {
                        let _ = nix::sys::signal::kill(
                            Pid::from_raw(pid as i32),
                            nix::sys::signal::Signal::SIGKILL,
                        );
                    }
                    killed = true;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Ok(_) => {}       // reaped one; look again at once
            Err(_) => return, // ECHILD: none left
        }
    }
}

/// Runs `cmd` as a whole process tree (its own process group) and
/// measures it; with `sample`, its memory every that often.
///
/// Blocking: call from a plain thread (`spawn_blocking`). The caller must
/// have called [`become_subreaper`] and must start no other child while
/// this runs (it waits for every child of this process).
pub(crate) fn measure(mut cmd: Command, sample: Option<Duration>) -> Result<Cost, String> {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let cpu_before = children_cpu();
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    // Everything below this process: the command and its orphans.
    let sampler = sample.map(|every| TreeSampler::start(std::process::id(), false, every));
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_string(&mut s);
        }
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    let status = child.wait().map_err(|e| e.to_string())?;
    let wall = start.elapsed();
    // The orphans (Chromium helpers that outlived their parent) are ours.
    reap_all(Duration::from_secs(10));
    let (peak_pss_kib, peak_uss_kib, samples, max_procs) =
        sampler.map(|s| s.stop()).unwrap_or((0, 0, 0, 0));
    let cpu = children_cpu().saturating_sub(cpu_before);
    Ok(Cost {
        wall,
        cpu,
        peak_pss_kib,
        peak_uss_kib,
        samples,
        max_procs,
        status: status.code(),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree's CPU includes a process its parent left behind, and
    /// nothing of the tree is left once `measure` returns.
    #[test]
    fn an_orphan_is_reaped_and_its_cpu_counted() {
        become_subreaper().expect("subreaper");
        let mut cmd = Command::new("sh");
        // The parent exits at once; its child spins, orphaned, then exits.
        cmd.args([
            "-c",
            "sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo spun >&2' & exit 0",
        ]);
        let cost = measure(cmd, Some(Duration::from_millis(20))).expect("measure");
        assert_eq!(cost.status, Some(0));
        assert!(
            cost.stderr.contains("spun"),
            "the orphan ran to its end before measure returned: {cost:?}"
        );
        assert!(
            cost.cpu > Duration::ZERO,
            "the orphan's CPU is the tree's: {cost:?}"
        );
        assert!(
            descendants(std::process::id()).is_empty(),
            "nothing of the tree is left"
        );
    }
}
