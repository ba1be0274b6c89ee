use std::time::Duration;

use distroflow_core::{Error, PlatformId, Post};
use distroflow_store::{AttemptState, HistoryFilter, NewAttempt, Outcome, Owner, Store};

use crate::{at, dead_pid, file_store};

const DAY: Duration = Duration::from_secs(24 * 3600);

fn posted(url: &str) -> Outcome {
    Outcome::Posted {
        url: url.into(),
        id: None,
    }
}

#[test]
fn the_same_content_is_found_within_the_window_and_not_after_it() {
    let store = Store::open_in_memory().unwrap();
    let post = Post::new("Launching today!");
    let new = NewAttempt::for_post(PlatformId::X, "me", &post).unwrap();
    let t0 = at("2026-03-05T10:00:00Z");
    let id = store.begin_attempt(&new, t0).unwrap();
    store
        .finish_attempt(id, &posted("https://x.com/me/status/1"), t0)
        .unwrap();

    let hash = &new.content_hash;
    let found = store
        .find_recent(PlatformId::X, "me", hash, DAY, at("2026-03-06T09:59:00Z"))
        .unwrap()
        .expect("23h59m later the post is still within the day");
    assert_eq!(found.state, AttemptState::Posted);
    assert_eq!(found.url.as_deref(), Some("https://x.com/me/status/1"));
    assert_eq!(found.summary, "Launching today!");

    assert_eq!(
        store
            .find_recent(PlatformId::X, "me", hash, DAY, at("2026-03-06T10:00:01Z"))
            .unwrap(),
        None,
        "outside the window the same content may go out again"
    );
    // Another account, another platform, other text: not the same post.
    let now = at("2026-03-05T11:00:00Z");
    assert_eq!(
        store
            .find_recent(PlatformId::X, "other", hash, DAY, now)
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .find_recent(PlatformId::Reddit, "me", hash, DAY, now)
            .unwrap(),
        None
    );
    let edited =
        NewAttempt::for_post(PlatformId::X, "me", &Post::new("Launching tomorrow!")).unwrap();
    assert_eq!(
        store
            .find_recent(PlatformId::X, "me", &edited.content_hash, DAY, now)
            .unwrap(),
        None
    );
}

#[test]
fn failed_and_needs_human_attempts_do_not_block_a_new_one_but_uncertain_ones_do() {
    let store = Store::open_in_memory().unwrap();
    let new = NewAttempt::for_post(
        PlatformId::HackerNews,
        "me",
        &Post::new("t").with_title("T"),
    )
    .unwrap();
    let t0 = at("2026-03-05T10:00:00Z");
    let now = at("2026-03-05T10:05:00Z");
    let find = || {
        store
            .find_recent(PlatformId::HackerNews, "me", &new.content_hash, DAY, now)
            .unwrap()
    };

    let a = store.begin_attempt(&new, t0).unwrap();
    let auth = Error::Auth {
        platform: PlatformId::HackerNews,
        message: "no session".into(),
    };
    store
        .finish_attempt(a, &Outcome::from_error(&auth, t0), t0)
        .unwrap();
    let b = store.begin_attempt(&new, t0).unwrap();
    let captcha = Error::NeedsHuman {
        platform: PlatformId::HackerNews,
        reason: "CAPTCHA".into(),
        url: "https://news.ycombinator.com/submit".into(),
    };
    store
        .finish_attempt(b, &Outcome::from_error(&captcha, t0), t0)
        .unwrap();
    assert_eq!(find(), None);
    let rows = store.history(10).unwrap();
    assert_eq!(rows[0].state, AttemptState::NeedsHuman);
    assert_eq!(
        rows[0].error.as_deref(),
        Some("CAPTCHA (https://news.ycombinator.com/submit)")
    );
    assert_eq!(rows[1].state, AttemptState::Failed);
    assert_eq!(rows[1].error_kind.as_deref(), Some("auth"));

    let c = store.begin_attempt(&new, t0).unwrap();
    assert_eq!(
        find().unwrap().state,
        AttemptState::Running,
        "another run is posting it now"
    );
    store
        .finish_attempt(
            c,
            &Outcome::Uncertain {
                reason: "timed out after the submit click".into(),
            },
            t0,
        )
        .unwrap();
    let open = find().unwrap();
    assert_eq!(open.state, AttemptState::Uncertain);
    assert_eq!(
        open.error.as_deref(),
        Some("timed out after the submit click")
    );

    // Looking on the platform found the post: the uncertain row is settled.
    store
        .finish_attempt(c, &posted("https://news.ycombinator.com/item?id=9"), now)
        .unwrap();
    let settled = find().unwrap();
    assert_eq!(settled.id, c);
    assert_eq!(settled.state, AttemptState::Posted);
}

#[test]
fn a_posted_attempt_is_preferred_and_settled_rows_cannot_change() {
    let store = Store::open_in_memory().unwrap();
    let new = NewAttempt::for_post(PlatformId::X, "me", &Post::new("hi")).unwrap();
    let t0 = at("2026-03-05T10:00:00Z");
    let first = store.begin_attempt(&new, t0).unwrap();
    store
        .finish_attempt(first, &posted("https://x.com/me/status/1"), t0)
        .unwrap();
    let second = store.begin_attempt(&new, t0).unwrap();
    store
        .finish_attempt(
            second,
            &Outcome::Uncertain {
                reason: "5xx after submit".into(),
            },
            t0,
        )
        .unwrap();
    let found = store
        .find_recent(PlatformId::X, "me", &new.content_hash, DAY, t0)
        .unwrap()
        .unwrap();
    assert_eq!(found.id, first);

    let e = store
        .finish_attempt(first, &posted("https://x.com/me/status/2"), t0)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("attempt {first} is posted, not pending, running or uncertain")
    );
    assert_eq!(
        store.attempt(first).unwrap().unwrap().url.as_deref(),
        Some("https://x.com/me/status/1")
    );
}

#[test]
fn a_duplicate_is_recorded_as_posted_at_the_existing_url() {
    let store = Store::open_in_memory().unwrap();
    let new = NewAttempt::for_post(PlatformId::HackerNews, "me", &Post::new("t")).unwrap();
    let t0 = at("2026-03-05T10:00:00Z");
    let id = store.begin_attempt(&new, t0).unwrap();
    let dup = Error::Duplicate {
        platform: PlatformId::HackerNews,
        existing_url: "https://news.ycombinator.com/item?id=5".into(),
    };
    store
        .finish_attempt(id, &Outcome::from_error(&dup, t0), t0)
        .unwrap();
    let row = store.attempt(id).unwrap().unwrap();
    assert_eq!(row.state, AttemptState::Posted);
    assert_eq!(
        row.url.as_deref(),
        Some("https://news.ycombinator.com/item?id=5")
    );
}

#[test]
fn history_is_newest_first_and_limited() {
    let store = Store::open_in_memory().unwrap();
    let t0 = at("2026-03-05T10:00:00Z");
    for text in ["one", "two", "three"] {
        let new = NewAttempt::for_post(PlatformId::X, "me", &Post::new(text)).unwrap();
        let id = store.record_pending(&new, t0).unwrap();
        store.start_attempt(id, t0).unwrap();
        store
            .finish_attempt(id, &posted(&format!("https://x.com/me/status/{text}")), t0)
            .unwrap();
    }
    let rows = store.history(2).unwrap();
    let summaries: Vec<&str> = rows.iter().map(|r| r.summary.as_str()).collect();
    assert_eq!(summaries, vec!["three", "two"]);
    assert_eq!(rows[0].started_at, Some(t0));
    assert_eq!(rows[0].owner.as_ref(), Some(&Owner::current()));
}

#[test]
fn history_filters_by_platform_state_and_time_together() {
    let store = Store::open_in_memory().unwrap();
    let rows = [
        (PlatformId::X, "old x", "2026-03-01T10:00:00Z", true),
        (PlatformId::X, "new x", "2026-03-05T10:00:00Z", true),
        (PlatformId::X, "failed x", "2026-03-05T11:00:00Z", false),
        (PlatformId::Reddit, "reddit", "2026-03-05T12:00:00Z", true),
    ];
    for (p, text, t, ok) in rows {
        let new = NewAttempt::for_post(p, "me", &Post::new(text)).unwrap();
        let id = store.begin_attempt(&new, at(t)).unwrap();
        let outcome = if ok {
            posted(&format!("https://example.com/{text}"))
        } else {
            Outcome::Failed {
                kind: "auth".into(),
                message: "log in again".into(),
                retry_at: None,
            }
        };
        store.finish_attempt(id, &outcome, at(t)).unwrap();
    }
    let show = |f: HistoryFilter| -> Vec<String> {
        let f = HistoryFilter { limit: 10, ..f };
        store
            .history_where(&f)
            .unwrap()
            .into_iter()
            .map(|r| r.summary)
            .collect()
    };
    assert_eq!(
        show(HistoryFilter {
            platform: Some(PlatformId::X),
            ..Default::default()
        }),
        ["failed x", "new x", "old x"]
    );
    assert_eq!(
        show(HistoryFilter {
            platform: Some(PlatformId::X),
            state: Some(AttemptState::Posted),
            since: Some(at("2026-03-05T00:00:00Z")),
            ..Default::default()
        }),
        ["new x"]
    );
    assert_eq!(
        show(HistoryFilter {
            state: Some(AttemptState::Failed),
            ..Default::default()
        }),
        ["failed x"]
    );
    // `since` is inclusive; the limit keeps the newest.
    let newest = store
        .history_where(&HistoryFilter {
            since: Some(at("2026-03-05T10:00:00Z")),
            limit: 2,
            ..Default::default()
        })
        .unwrap();
    let newest: Vec<&str> = newest.iter().map(|r| r.summary.as_str()).collect();
    assert_eq!(newest, ["reddit", "failed x"]);
}

#[test]
fn a_running_attempt_of_a_dead_process_becomes_uncertain() {
    let (dir, store) = file_store();
    let path = dir.path().join("home").join(Store::FILE_NAME);
    let t0 = at("2026-03-05T10:00:00Z");
    let new = NewAttempt::for_post(PlatformId::Reddit, "me", &Post::new("crash me")).unwrap();
    let mine = store.begin_attempt(&new, t0).unwrap();

    let gone = Owner::new(dead_pid(), None);
    let crashed = Store::open(&path).unwrap().with_owner(gone.clone());
    let lost = crashed.begin_attempt(&new, t0).unwrap();
    let never_started = crashed.record_pending(&new, t0).unwrap();
    drop(crashed);

    let later = at("2026-03-05T10:10:00Z");
    let open = store.uncertain_or_running(later).unwrap();
    let states: Vec<_> = open.iter().map(|r| (r.id, r.state)).collect();
    assert_eq!(
        states,
        vec![
            (mine, AttemptState::Running),
            (lost, AttemptState::Uncertain)
        ],
        "this live process keeps its running row; the dead one's is uncertain"
    );
    let row = &open[1];
    assert_eq!(
        row.error.as_deref(),
        Some(
            format!(
                "the process that was posting it (pid {}) ended before it finished: crashed or killed",
                gone.pid()
            )
            .as_str()
        )
    );
    assert_eq!(row.finished_at, Some(later));
    let pending = store.attempt(never_started).unwrap().unwrap();
    assert_eq!(pending.state, AttemptState::Failed);
    assert_eq!(pending.error_kind.as_deref(), Some("interrupted"));
}

/// Not a test on its own: the crash test below runs this in a child
/// process, which begins an attempt and then kills itself (SIGKILL: no
/// destructors, no core file), as a crash or `kill -9` would.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var("DISTROFLOW_STORE_CRASH_CHILD") else {
        return;
    };
    let store = Store::open(path).unwrap();
    let new = NewAttempt::for_post(
        PlatformId::X,
        "me",
        &Post::new("posted as the process died"),
    )
    .unwrap();
    store
        .begin_attempt(&new, at("2026-03-05T10:00:00Z"))
        .unwrap();
    let me = std::process::id().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-9", &me])
        .status();
    std::process::abort();
}

#[test]
fn a_process_killed_mid_post_leaves_an_uncertain_attempt_that_blocks_a_repost() {
    let (dir, store) = file_store();
    let path = dir.path().join("home").join(Store::FILE_NAME);
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "attempts::crash_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("DISTROFLOW_STORE_CRASH_CHILD", &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the child was killed");

    let new = NewAttempt::for_post(
        PlatformId::X,
        "me",
        &Post::new("posted as the process died"),
    )
    .unwrap();
    let now = at("2026-03-05T10:01:00Z");
    let blocking = store
        .find_recent(PlatformId::X, "me", &new.content_hash, DAY, now)
        .unwrap()
        .expect("the crashed attempt blocks posting the same content");
    assert_eq!(blocking.state, AttemptState::Uncertain);
    assert!(blocking
        .error
        .as_deref()
        .unwrap()
        .contains("crashed or killed"));
    assert_ne!(blocking.owner.unwrap().pid(), std::process::id());
}
