//! Which process owns a running attempt or job, and whether it still lives.
//!
//! A `running` row records its process id and a *start marker*; when that
//! process is gone the row was interrupted (a crash, a kill, a power cut).
//! On Linux the marker is `<boot id>:<start time in clock ticks>` from
//! `/proc`, so a process id reused after the crash, or after a reboot, does
//! not pass for the original. Elsewhere on Unix only the process id is
//! checked (a reused id reads as alive, which errs on the safe side: the row
//! waits rather than being re-posted). This needs no heartbeat: nothing has
//! to keep writing while a post runs.

use std::sync::OnceLock;

/// A process that can own `running` rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pid: u32,
    start: Option<String>,
}

impl Owner {
    /// This process.
    pub fn current() -> Owner {
        static CURRENT: OnceLock<Owner> = OnceLock::new();
        CURRENT
            .get_or_init(|| {
                let pid = std::process::id();
                Owner {
                    pid,
                    start: probe(pid).marker(),
                }
            })
            .clone()
    }

    /// A process by id and start marker, as stored.
    pub fn new(pid: u32, start: Option<String>) -> Owner {
        Owner { pid, start }
    }

    /// A running process, with its start marker read now; `None` when no
    /// such process exists.
    pub fn of_pid(pid: u32) -> Option<Owner> {
        match probe(pid) {
            Probe::Gone => None,
            p => Some(Owner {
                pid,
                start: p.marker(),
            }),
        }
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The start marker (`None` where the system offers none).
    pub fn start_marker(&self) -> Option<&str> {
        self.start.as_deref()
    }

    /// Whether this very process still runs: its id exists, it is not a
    /// zombie, and (where known) it started at the recorded moment.
    pub fn is_alive(&self) -> bool {
        match probe(self.pid) {
            Probe::Gone => false,
            Probe::Alive(None) => true,
            Probe::Alive(Some(now)) => self.start.as_deref().is_none_or(|s| s == now),
        }
    }
}

enum Probe {
    Gone,
    Alive(Option<String>),
}

impl Probe {
    fn marker(self) -> Option<String> {
        match self {
            Probe::Gone => None,
            Probe::Alive(m) => m,
        }
    }
}

#[cfg(target_os = "linux")]
fn probe(pid: u32) -> Probe {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Probe::Gone;
    };
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so
    // the fields are counted after the last `)`. Field 3 is the state,
    // field 22 the start time.
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
        return Probe::Gone;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    if matches!(fields.first(), Some(&"Z") | Some(&"X") | None) {
        return Probe::Gone;
    }
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap_or_default();
    Probe::Alive(
        fields
            .get(19)
            .map(|start| format!("{}:{start}", boot.trim())),
    )
}

#[cfg(all(unix, not(target_os = "linux")))]
fn probe(pid: u32) -> Probe {
    use nix::errno::Errno;
    use nix::sys::signal::kill;
    use nix::unistd::Pid;
    let Ok(raw) = i32::try_from(pid) else {
        return Probe::Gone;
    };
    match kill(Pid::from_raw(raw), None) {
        Ok(()) | Err(Errno::EPERM) => Probe::Alive(None),
        Err(_) => Probe::Gone,
    }
}

#[cfg(not(unix))]
fn probe(_pid: u32) -> Probe {
    // No cheap check: treat the owner as alive, so nothing is re-posted on a
    // guess; `distroflow queue retry` resolves such a row by hand.
    Probe::Alive(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_finished_child_is_not() {
        assert!(Owner::current().is_alive());
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!Owner::new(pid, None).is_alive());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_reused_pid_with_another_start_is_not_the_same_process() {
        let me = Owner::current();
        assert!(me.start_marker().is_some());
        let impostor = Owner::new(me.pid(), Some("other-boot:1".into()));
        assert!(!impostor.is_alive());
        assert_eq!(Owner::of_pid(me.pid()), Some(me));
    }
}
