//! Integration tests of the store: one binary, one module per concern.

mod attempts;
mod healer;
mod jobs;
mod limits;
mod migrations;
mod when;

use distroflow_store::Store;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// An instant from RFC 3339.
pub(crate) fn at(s: &str) -> Timestamp {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

pub(crate) fn berlin() -> TimeZone {
    TimeZone::get("Europe/Berlin").expect("the system tzdb knows Europe/Berlin")
}

/// A store in a fresh folder (kept alive by the returned guard).
pub(crate) fn file_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("home").join(Store::FILE_NAME)).unwrap();
    (dir, store)
}

/// The pid of a process that has ended (and been reaped).
pub(crate) fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}
