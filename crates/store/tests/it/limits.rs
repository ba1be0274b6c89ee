use std::time::Duration;

use distroflow_core::{Error, PlatformId, Post};
use distroflow_store::{
    limits_disabled_by_env, NewAttempt, Outcome, PlatformLimit, RateCheck, RateLimits, Store,
    RATE_LIMITS_ENV,
};
use jiff::Timestamp;

use crate::at;

fn mins(ts: Timestamp, m: i64) -> Timestamp {
    ts.checked_add(jiff::SignedDuration::from_mins(m)).unwrap()
}

/// Records an attempt of `text` that ends as `outcome` at `when`.
fn attempt(
    store: &Store,
    platform: PlatformId,
    account: &str,
    text: &str,
    when: Timestamp,
    outcome: Option<Outcome>,
) {
    let new = NewAttempt::for_post(platform, account, &Post::new(text)).unwrap();
    let id = store.begin_attempt(&new, when).unwrap();
    if let Some(o) = outcome {
        store.finish_attempt(id, &o, when).unwrap();
    }
}

fn posted() -> Option<Outcome> {
    Some(Outcome::Posted {
        url: "https://example.invalid/p".into(),
        id: None,
    })
}

fn wait_of(check: RateCheck) -> (u64, String) {
    match check {
        RateCheck::Wait { wait, reason, .. } => (wait.as_secs(), reason),
        RateCheck::Allowed => panic!("expected a wait"),
    }
}

fn three_an_hour() -> RateLimits {
    let mut limits = RateLimits::default();
    limits.set(
        PlatformId::X,
        PlatformLimit {
            enabled: true,
            min_interval: Duration::from_secs(600),
            max_per_window: 3,
            window: Duration::from_secs(3600),
        },
    );
    limits
}

#[test]
fn the_longest_wait_wins_between_the_interval_and_the_window() {
    let store = Store::open_in_memory().unwrap();
    let t0 = at("2026-03-05T10:00:00Z");
    for (i, m) in [0, 15, 30].into_iter().enumerate() {
        attempt(
            &store,
            PlatformId::X,
            "me",
            &format!("post {i}"),
            mins(t0, m),
            posted(),
        );
    }
    let limits = three_an_hour();
    let check = |now| limits.check(&store, PlatformId::X, "me", now).unwrap();

    // 5 minutes after the last post: the interval asks 5 more minutes, the
    // window (3 in the last hour) 25 more, until the first post is an hour old.
    let (wait, reason) = wait_of(check(mins(t0, 35)));
    assert_eq!(wait, 25 * 60);
    assert_eq!(
        reason,
        "X allows 3 posts per 1h per account; 3 in the last 1h"
    );
    match check(mins(t0, 35)) {
        RateCheck::Wait { until, .. } => assert_eq!(until, mins(t0, 60)),
        RateCheck::Allowed => unreachable!(),
    }
    // Exactly an hour after the first post, it has left the window.
    assert_eq!(check(mins(t0, 60)), RateCheck::Allowed);

    // With room in the window, only the interval counts.
    let mut loose = limits.clone();
    loose.set(
        PlatformId::X,
        PlatformLimit {
            max_per_window: 10,
            ..limits.get(PlatformId::X)
        },
    );
    let (wait, reason) = wait_of(
        loose
            .check(&store, PlatformId::X, "me", mins(t0, 34))
            .unwrap(),
    );
    assert_eq!(wait, 6 * 60);
    assert_eq!(
        reason,
        "X allows 1 post every 10m per account; the last was 4m ago"
    );
    assert_eq!(
        loose
            .check(&store, PlatformId::X, "me", mins(t0, 40))
            .unwrap(),
        RateCheck::Allowed
    );
}

#[test]
fn only_this_accounts_posted_running_or_uncertain_attempts_count() {
    let store = Store::open_in_memory().unwrap();
    let t0 = at("2026-03-05T10:00:00Z");
    let failed = Some(Outcome::Failed {
        kind: "auth".into(),
        message: "no session".into(),
        retry_at: None,
    });
    attempt(&store, PlatformId::X, "me", "a", t0, failed);
    attempt(&store, PlatformId::X, "someone", "b", t0, posted());
    attempt(&store, PlatformId::Reddit, "me", "c", t0, posted());
    let limits = three_an_hour();
    let now = mins(t0, 1);
    assert_eq!(
        limits.check(&store, PlatformId::X, "me", now).unwrap(),
        RateCheck::Allowed
    );

    attempt(
        &store,
        PlatformId::X,
        "me",
        "d",
        t0,
        Some(Outcome::Uncertain {
            reason: "timeout after submit".into(),
        }),
    );
    assert_eq!(
        wait_of(limits.check(&store, PlatformId::X, "me", now).unwrap()).0,
        9 * 60
    );

    let other = Store::open_in_memory().unwrap();
    attempt(&other, PlatformId::X, "me", "e", t0, None); // still running
    assert_eq!(
        wait_of(limits.check(&other, PlatformId::X, "me", now).unwrap()).0,
        9 * 60
    );
}

#[test]
fn a_platforms_own_try_again_time_is_honoured() {
    let store = Store::open_in_memory().unwrap();
    let t0 = at("2026-03-05T10:00:00Z");
    let too_fast = Error::RateLimited {
        platform: PlatformId::Reddit,
        message: "you're doing that too much. try again in 30 minutes.".into(),
        retry_after: Some(Duration::from_secs(1800)),
    };
    attempt(
        &store,
        PlatformId::Reddit,
        "me",
        "a",
        t0,
        Some(Outcome::from_error(&too_fast, t0)),
    );
    let limits = RateLimits::default();
    let (wait, reason) = wait_of(
        limits
            .check(&store, PlatformId::Reddit, "me", mins(t0, 10))
            .unwrap(),
    );
    assert_eq!(wait, 20 * 60);
    assert_eq!(reason, "Reddit asked to wait until 2026-03-05T10:30:00Z");
    assert_eq!(
        limits
            .check(&store, PlatformId::Reddit, "me", mins(t0, 30))
            .unwrap(),
        RateCheck::Allowed
    );
}

#[test]
fn limits_switch_off_per_platform_for_a_run_and_by_environment() {
    let store = Store::open_in_memory().unwrap();
    let t0 = at("2026-03-05T10:00:00Z");
    attempt(&store, PlatformId::HackerNews, "me", "a", t0, posted());
    let now = mins(t0, 1);
    let blocked = |l: &RateLimits| {
        l.check(&store, PlatformId::HackerNews, "me", now).unwrap() != RateCheck::Allowed
    };

    assert!(blocked(&RateLimits::default()));
    assert!(
        !blocked(&RateLimits::default().disable_all()),
        "--no-rate-limit"
    );
    let off = RateLimits::from_config_text("[rate_limits.hn]\nenabled = false\n").unwrap();
    assert!(!blocked(&off));
    assert!(!off.is_enabled(PlatformId::HackerNews) && off.is_enabled(PlatformId::X));

    // The only test that touches this variable.
    std::env::set_var(RATE_LIMITS_ENV, "off");
    assert!(limits_disabled_by_env());
    assert!(!blocked(&RateLimits::default().with_env()));
    std::env::set_var(RATE_LIMITS_ENV, "on");
    assert!(!limits_disabled_by_env());
    assert!(blocked(&RateLimits::default().with_env()));
    std::env::remove_var(RATE_LIMITS_ENV);
    assert!(!limits_disabled_by_env());
}

#[test]
fn config_overrides_the_defaults_key_by_key() {
    let limits = RateLimits::from_config_text(
        r#"
        [browser]
        max_concurrency = 2

        [rate_limits.x]
        min_interval = "30s"
        max_per_window = 100
        window = "12h"

        [rate_limits.twitter]
        enabled = true

        [rate_limits.reddit]
        max_per_window = 0
        "#,
    )
    .unwrap();
    let x = limits.get(PlatformId::X);
    assert_eq!(x.min_interval, Duration::from_secs(30));
    assert_eq!(
        (x.max_per_window, x.window),
        (100, Duration::from_secs(12 * 3600))
    );
    let reddit = limits.get(PlatformId::Reddit);
    assert_eq!(reddit.max_per_window, 0);
    assert_eq!(
        reddit.min_interval,
        Duration::from_secs(600),
        "unset keys keep the default"
    );
    assert_eq!(
        limits.get(PlatformId::Instagram),
        PlatformLimit::default_for(PlatformId::Instagram)
    );

    let err = |text: &str| RateLimits::from_config_text(text).unwrap_err().to_string();
    assert_eq!(
        err("[rate_limits.x]\nmin_interval = \"soon\"\n"),
        "configuration: [rate_limits.x] min_interval: `soon` is not a duration \
         (write durations like 90s, 30m, 2h, 1h30m, 1d, 1w (or words: 2 hours))"
    );
    assert!(err("[rate_limits.myspace]\nenabled = false\n")
        .contains("unknown platform [rate_limits.myspace]"));
    assert!(err("[rate_limits.x]\nmax_per_day = 3\n").contains("unknown field `max_per_day`"));
    assert!(err("[rate_limits.x]\nwindow = \"0s\"\n").contains("window must be longer than 0s"));

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("config.toml");
    assert_eq!(
        RateLimits::from_config_file(&missing).unwrap(),
        RateLimits::default()
    );
    std::fs::write(&missing, "[rate_limits.x]\nenabled = 3\n").unwrap();
    let e = RateLimits::from_config_file(&missing)
        .unwrap_err()
        .to_string();
    assert!(e.contains("config.toml: [rate_limits.x]"), "{e}");
}
