//! CPU time, to see where a post's cost goes: the whole machine's busy time
//! from `/proc/stat` (on a quiet machine that is this process plus
//! Chromium) and this process's own from `/proc/self/stat`.

use std::time::Duration;

/// Clock ticks per second in `/proc` (USER_HZ, 100 on every Linux this
/// runs on).
const TICKS: f64 = 100.0;

/// Busy CPU time of the whole machine so far (all cores, summed).
pub(crate) fn machine_busy() -> Duration {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().next() else {
        return Duration::ZERO;
    };
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|n| n.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal ...
    let busy: u64 = v
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, n)| *n)
        .take(8)
        .sum();
    Duration::from_secs_f64(busy as f64 / TICKS)
}

/// CPU time of this process so far (user + system).
pub(crate) fn own() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    // rest[0] is the state (not a number, filtered out): utime is field 14
    // of the line, i.e. index 10 of the numbers after the state.
    let (u, s) = (
        f.get(10).copied().unwrap_or(0),
        f.get(11).copied().unwrap_or(0),
    );
    Duration::from_secs_f64((u + s) as f64 / TICKS)
}

/// A CPU meter: machine and own busy time between start and stop.
pub(crate) struct Meter {
    machine: Duration,
    own: Duration,
}

impl Meter {
    pub(crate) fn start() -> Meter {
        Meter {
            machine: machine_busy(),
            own: own(),
        }
    }

    /// (machine busy, this process) since start.
    pub(crate) fn stop(&self) -> (Duration, Duration) {
        (
            machine_busy().saturating_sub(self.machine),
            own().saturating_sub(self.own),
        )
    }
}
