//! The healer's memory shared by several processes: each connection here
//! stands for one DistroFlow process over the same `$DISTROFLOW_HOME`.

use std::sync::{Arc, Barrier};

use distroflow_core::ElementInfo;
use distroflow_store::{Fingerprint, Store};

use crate::at;

/// Two runs at once (the daemon and a `distroflow post`), each learning its
/// own repairs and fingerprints target by target: nothing either learned is
/// lost, and each sees the other's at its next lookup. (With the old
/// whole-file `state.json`, the last run to finish erased the other's.)
#[test]
fn concurrent_writers_each_keep_what_they_learned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Store::FILE_NAME);
    Store::open(&path).unwrap();
    let start = Arc::new(Barrier::new(2));
    let run = |platform: &'static str| {
        let path = path.clone();
        let start = start.clone();
        std::thread::spawn(move || {
            let store = Store::open(&path).unwrap();
            start.wait();
            for i in 0..40 {
                let target = format!("{platform}.step.t{i}");
                let now = at("2025-01-01T00:00:00Z");
                store
                    .learn_selector(&target, &format!("#{platform}-{i}"), now)
                    .unwrap();
                let fp = Fingerprint {
                    info: ElementInfo {
                        tag: "input".into(),
                        ..ElementInfo::default()
                    },
                    url: format!("http://127.0.0.1/{platform}"),
                    seen_at: now,
                };
                store.record_fingerprint(&target, &fp).unwrap();
                store.count_model_call(now).unwrap();
            }
            store
        })
    };
    let (a, b) = (run("hackernews"), run("reddit"));
    let (a, _b) = (a.join().unwrap(), b.join().unwrap());
    // Process A reads what B wrote, without reopening.
    for platform in ["hackernews", "reddit"] {
        for i in 0..40 {
            let target = format!("{platform}.step.t{i}");
            assert_eq!(
                a.learned_selectors(&target).unwrap(),
                [format!("#{platform}-{i}")]
            );
            assert!(a.fingerprint(&target).unwrap().is_some(), "{target}");
        }
    }
    assert_eq!(
        a.model_calls_on(at("2025-01-01T12:00:00Z")).unwrap(),
        80,
        "the daily model budget counts every process's calls"
    );
}
