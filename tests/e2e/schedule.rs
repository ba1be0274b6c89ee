//! Scheduling: bad input queues nothing; the daemon posts each due job
//! exactly once, also when it is killed mid-job and restarted.

use std::time::Duration;

use distroflow_replica::{HackerNews, HnFault, HnOptions};

use crate::harness::{signal, User};

#[tokio::test(flavor = "multi_thread")]
async fn bad_schedules_are_refused_and_queue_nothing() {
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", "http://127.0.0.1:9");
    for (args, needle) in [
        (vec!["--at", "2020-01-01 09:00"], "in the past"),
        (vec!["--at", "whenever"], "as a time"),
        (
            vec!["--at", "tomorrow 09:00", "--every", "bogus"],
            "interval",
        ),
        (
            vec!["--at", "tomorrow 09:00", "--tz", "Mars/Olympus"],
            "Mars/Olympus",
        ),
    ] {
        let mut all = vec!["schedule"];
        all.extend(args);
        all.extend(["--to", "hn", "--title", "T", "--url", "https://e.com"]);
        let out = u.run(&all).await;
        assert_eq!(out.code, 2, "{all:?}: {out:?}");
        assert!(out.stderr.contains(needle), "{all:?}: {out:?}");
    }
    let out = u
        .run(&[
            "schedule", "--at", "in 1h", "--to", "myspace", "--title", "T", "x",
        ])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    let out = u
        .run(&[
            "schedule",
            "--at",
            "in 1h",
            "--to",
            "hn",
            "--title",
            &"x".repeat(81),
            "--url",
            "https://e.com",
        ])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    let q = u.run(&["queue", "list", "--all", "--json"]).await;
    assert_eq!(q.code, 0, "{q:?}");
    assert!(q.json().is_empty(), "nothing queued: {q:?}");
}

#[tokio::test]
async fn a_cron_that_never_fires_is_refused_and_queues_nothing() {
    let u = User::new();
    let out = u
        .run(&[
            "schedule",
            "--at",
            "in 1h",
            "--every",
            "0 0 30 2 *",
            "--to",
            "hn",
            "--title",
            "T",
            "--url",
            "https://e.com",
        ])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("never fires"), "{out:?}");
    assert!(out.stderr.contains("hint:"), "{out:?}");
    let q = u.run(&["queue", "list", "--all", "--json"]).await;
    assert!(q.json().is_empty(), "nothing queued: {q:?}");
}

#[tokio::test]
async fn retry_brings_back_a_cancelled_job_only_with_force() {
    let u = User::new();
    let out = u
        .run(&[
            "schedule",
            "--at",
            "in 1h",
            "--to",
            "hn",
            "--title",
            "T",
            "--url",
            "https://e.com",
            "--json",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let id = out.json()[0]["id"].to_string();
    let out = u.run(&["queue", "cancel", &id]).await;
    assert_eq!(out.code, 0, "{out:?}");

    let out = u.run(&["queue", "retry", &id]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("was cancelled"), "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "hint: to post it anyway, `distroflow queue retry {id} --force`"
        )),
        "{out:?}"
    );
    let job = &u.run(&["queue", "show", &id, "--json"]).await.json()[0];
    assert_eq!(job["state"], "cancelled");

    let out = u.run(&["queue", "retry", &id, "--force", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()[0]["state"], "queued");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_daemon_restarts_and_posts_each_job_exactly_once() {
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let u = User::logged_in_to_hn(&hn.url()).await;
    for n in 1..=2 {
        let title = format!("Scheduled {n}");
        let url = format!("https://example.com/s{n}");
        let out = u
            .run(&[
                "schedule", "--at", "in 1s", "--to", "hn", "--title", &title, "--url", &url,
                "--json",
            ])
            .await;
        assert_eq!(out.code, 0, "{out:?}");
        assert_eq!(out.json()[0]["state"], "queued");
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // The first job's submit reaches the site, then the answer hangs: kill -9.
    hn.set_fault(Some(HnFault::HangAfterStore));
    let mut daemon = u.spawn(&["daemon"]);
    for _ in 0..300 {
        if !hn.stories().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(hn.stories().len(), 1);
    signal(daemon.id().unwrap(), "KILL");
    let _ = daemon.wait().await;
    hn.set_fault(None);

    let out = u.run(&["daemon", "--exit-when-idle"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let titles: Vec<String> = hn.stories().into_iter().map(|s| s.title).collect();
    assert_eq!(titles.len(), 2, "exactly one post per job: {titles:?}");
    assert!(
        titles.contains(&"Scheduled 1".to_string()) && titles.contains(&"Scheduled 2".to_string())
    );
    let q = u.run(&["queue", "list", "--all", "--json"]).await.json();
    assert_eq!(q.len(), 2);
    assert!(q.iter().all(|j| j["state"] == "done"), "{q:?}");
    // Nothing is left to run.
    let out = u.run(&["daemon", "--exit-when-idle"]).await;
    assert_eq!(out.code, 0);
    assert_eq!(hn.stories().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_without_a_session_waits_as_needs_login_and_posts_once_after_login() {
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &hn.url());
    let job = [
        "schedule",
        "--at",
        "in 1s",
        "--to",
        "hn",
        "--title",
        "After login",
        "--url",
        "https://example.com/al",
    ];
    // --strict refuses and queues nothing; without it, a warning.
    let mut strict = job.to_vec();
    strict.push("--strict");
    let out = u.run(&strict).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("no saved session for Hacker News"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains("distroflow login hackernews"),
        "{out:?}"
    );
    assert!(u.run(&["queue", "list", "--json"]).await.json().is_empty());
    let out = u.run(&job).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("will wait as needs_login"), "{out:?}");
    tokio::time::sleep(Duration::from_millis(1200)).await;

    // The daemon does not retry it: it waits, and the daemon goes idle.
    let out = u.run(&["daemon", "--exit-when-idle"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("needs_login"), "{out:?}");
    let show = &u.run(&["queue", "show", "1", "--json"]).await.json()[0];
    assert_eq!(show["state"], "needs_login", "{show}");
    assert_eq!(show["attempts"], 0, "{show}");
    assert_eq!(show["needs_login"][0], "hackernews", "{show}");
    assert_eq!(show["content"]["title"], "After login", "{show}");
    assert_eq!(show["attempt_log"][0]["error_kind"], "auth", "{show}");
    let out = u.run(&["daemon", "--exit-when-idle"]).await;
    assert!(out.stderr.contains("after 0 job(s)"), "{out:?}");
    // The refusal is in history, with its reason, though no browser ran.
    let h = u.run(&["history", "--json"]).await.json();
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0]["state"], "failed");
    assert_eq!(h[0]["error_kind"], "auth");

    let out = u
        .run_with_stdin(
            &["login", "hn", "--username", "sandbox", "--password-stdin"],
            Some("sandbox"),
        )
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("job 1: was waiting for this login"),
        "{out:?}"
    );
    let out = u.run(&["daemon", "--exit-when-idle"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let titles: Vec<String> = hn.stories().into_iter().map(|s| s.title).collect();
    assert_eq!(titles, ["After login"]);
    let show = &u.run(&["queue", "show", "1", "--json"]).await.json()[0];
    assert_eq!(show["state"], "done", "{show}");
    let log = show["attempt_log"].as_array().unwrap();
    assert_eq!(log.len(), 2, "{show}");
    assert_eq!(log[1]["state"], "posted", "{show}");
    // Human detail: content, targets, each attempt, next run.
    let out = u.run(&["queue", "show", "1"]).await;
    for needle in [
        "After login",
        "hackernews",
        "auth: not logged in",
        "posted",
        "next run",
    ] {
        assert!(out.stdout.contains(needle), "{needle}: {out:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limited_job_waits_exactly_as_long_as_the_limit_says() {
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let mut u = User::logged_in_to_hn(&hn.url()).await;
    u.unset("DISTROFLOW_RATE_LIMITS");
    std::fs::write(
        u.home().join("config.toml"),
        "[rate_limits.hackernews]\nmin_interval = \"7m\"\n",
    )
    .unwrap();
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "First",
            "--url",
            "https://example.com/r1",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let first = &u.run(&["history", "--json"]).await.json()[0];
    let posted_at: jiff::Timestamp = first["created_at"].as_str().unwrap().parse().unwrap();

    let out = u
        .run(&[
            "schedule",
            "--at",
            "in 1s",
            "--to",
            "hn",
            "--title",
            "Second",
            "--url",
            "https://example.com/r2",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let out = u.run(&["daemon", "--exit-when-idle"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let job = &u.run(&["queue", "show", "1", "--json"]).await.json()[0];
    assert_eq!(job["state"], "queued", "{job}");
    assert_eq!(
        job["attempts"], 0,
        "a wait the limit asked for is not a failure: {job}"
    );
    let retry: jiff::Timestamp = job["next_retry_at"].as_str().unwrap().parse().unwrap();
    let wait = retry.duration_since(posted_at).as_secs_f64();
    // 7 minutes after the first post (not a flat 10 minutes from now).
    assert!((415.0..=425.0).contains(&wait), "waits {wait}s: {job}");
    assert_eq!(hn.stories().len(), 1);
    // In history too, with when the next post is allowed.
    let h = u
        .run(&["history", "--json", "--status", "failed"])
        .await
        .json();
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0]["error_kind"], "rate_limited");
}
