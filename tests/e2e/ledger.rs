//! Never lose, never duplicate: the records, idempotency, rate limits, and
//! faults after the submit (a server error, a hang, a kill -9).

use std::time::Duration;

use distroflow_replica::{HackerNews, HnFault, HnOptions};

use crate::harness::{signal, User};

async fn logged_in(hn: &HackerNews) -> User {
    let u = User::logged_in_to_hn(&hn.url()).await;
    u
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_post_twice_is_posted_once_unless_forced() {
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let u = logged_in(&hn).await;
    let args = [
        "post",
        "--to",
        "hn",
        "--title",
        "Once only",
        "--json",
        "The same text",
    ];
    let first = u.run(&args).await;
    assert_eq!(first.code, 0, "{first:?}");
    let url = first.json()[0]["url"].clone();
    let again = u.run(&args).await;
    assert_eq!(again.code, 0, "{again:?}");
    let r = &again.json()[0];
    assert_eq!(r["status"], "skipped", "{again:?}");
    assert_eq!(r["url"], url);
    assert_eq!(hn.stories().len(), 1, "not posted twice");

    let mut forced = args.to_vec();
    forced.insert(1, "--force");
    let out = u.run(&forced).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()[0]["status"], "posted");
    assert_eq!(hn.stories().len(), 2);

    let history = u.run(&["history", "--json"]).await.json();
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(history
        .iter()
        .all(|h| h["state"] == "posted" && h["platform"] == "hackernews"));
    assert!(history
        .iter()
        .all(|h| h["url"].as_str().unwrap().contains("item?id=")));
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_hold_by_default_and_switch_off() {
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let mut u = logged_in(&hn).await;
    u.unset("DISTROFLOW_RATE_LIMITS");
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "First",
            "--url",
            "https://e.com/1",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "Second",
            "--url",
            "https://e.com/2",
            "--json",
        ])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    let r = &out.json()[0];
    assert_eq!(r["error"]["kind"], "rate_limited", "{out:?}");
    assert!(r["error"]["message"]
        .as_str()
        .unwrap()
        .contains("--no-rate-limit"));
    assert_eq!(hn.stories().len(), 1);
    let out = u
        .run(&[
            "post",
            "--no-rate-limit",
            "--to",
            "hn",
            "--title",
            "Second",
            "--url",
            "https://e.com/2",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    u.set("DISTROFLOW_RATE_LIMITS", "off");
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "Third",
            "--url",
            "https://e.com/3",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(hn.stories().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_after_the_submit_is_resolved_by_looking_not_by_reposting() {
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let u = logged_in(&hn).await;
    hn.set_fault(Some(HnFault::ErrorAfterStore));
    let args = [
        "post",
        "--to",
        "hn",
        "--title",
        "Behind a 500",
        "--json",
        "text",
    ];
    let out = u.run(&args).await;
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.json()[0]["error"]["kind"], "uncertain", "{out:?}");
    assert_eq!(
        hn.stories().len(),
        1,
        "the story was stored before the error"
    );
    hn.set_fault(None);
    let out = u.run(&args).await;
    assert_eq!(out.code, 0, "{out:?}");
    let r = &out.json()[0];
    assert_eq!(r["status"], "skipped", "found on the site: {out:?}");
    assert_eq!(
        r["url"],
        format!("{}/item?id={}", hn.url(), hn.stories()[0].id)
    );
    assert_eq!(hn.stories().len(), 1, "exactly one post");
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_after_the_submit_then_a_rerun_posts_exactly_once() {
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let u = logged_in(&hn).await;
    hn.set_fault(Some(HnFault::HangAfterStore));
    let args = [
        "post",
        "--to",
        "hn",
        "--title",
        "Killed mid-post",
        "--url",
        "https://example.com/k9",
    ];
    let mut child = u.spawn(&args);
    // Wait until the story is stored (the answer hangs), then kill -9.
    for _ in 0..200 {
        if !hn.stories().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(hn.stories().len(), 1, "the submit reached the site");
    signal(child.id().unwrap(), "KILL");
    let _ = child.wait().await;
    hn.set_fault(None);

    let out = u.run(&[&args[..], &["--json"]].concat()).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()[0]["status"], "skipped", "{out:?}");
    assert_eq!(
        hn.stories().len(),
        1,
        "exactly one post after the kill and the re-run"
    );
    let history = u.run(&["history", "--json"]).await.json();
    assert_eq!(history[0]["state"], "posted", "{history:?}");
    // The killed run's Chromium does not outlive it for long: the next run
    // closes orphans of killed runs.
    assert!(
        u.leftover_browsers().is_empty(),
        "{:?}",
        u.leftover_browsers()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_before_the_submit_then_a_rerun_posts_it() {
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let u = logged_in(&hn).await;
    // Nothing answers the submit page: the run is killed before any submit.
    hn.set_hang(true);
    let args = [
        "post",
        "--to",
        "hn",
        "--title",
        "Killed early",
        "--url",
        "https://example.com/early",
    ];
    let mut child = u.spawn(&args);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    signal(child.id().unwrap(), "KILL");
    let _ = child.wait().await;
    hn.set_hang(false);
    assert!(hn.stories().is_empty());
    let out = u.run(&[&args[..], &["--json"]].concat()).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.json()[0]["status"],
        "posted",
        "looked, not there, posted: {out:?}"
    );
    assert_eq!(hn.stories().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_challenge_page_hands_over_to_a_person_and_posts_nothing() {
    use distroflow_replica::{Instagram, InstagramOptions};
    let ig = Instagram::start(InstagramOptions::default()).await.unwrap();
    ig.set_challenge(true);
    let mut u = User::new();
    u.set("DISTROFLOW_INSTAGRAM_URL", &ig.url());
    let cookie = ig.session_cookie("sandbox").unwrap();
    let f = u.cookie_file("ig.json", "sessionid", &cookie);
    assert_eq!(
        u.run(&[
            "login",
            "instagram",
            "--cookies",
            f.to_str().unwrap(),
            "--no-check"
        ])
        .await
        .code,
        0
    );
    let png = u.dir.path().join("p.png");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png"),
        &png,
    )
    .unwrap();
    let out = u
        .run(&[
            "post",
            "--to",
            "instagram",
            "--media",
            png.to_str().unwrap(),
            "--json",
            "caption",
        ])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    let r = &out.json()[0];
    assert_eq!(r["error"]["kind"], "needs_human", "{out:?}");
    // The hand-over opens the very page of the check, with the session.
    let hint = r["error"]["hint"].as_str().unwrap();
    let at = hint
        .split("--at ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{hint}"));
    assert!(hint.contains("distroflow login instagram --at "), "{hint}");
    assert!(at.contains("/challenge/"), "{hint}");
    assert!(ig.posts().is_empty(), "nothing submitted past a challenge");
    let history = u.run(&["history", "--json"]).await.json();
    assert_eq!(history[0]["state"], "needs_human", "{history:?}");

    // Without a display (the harness runs without one) that window cannot
    // open: said so, exit 2. A page off the site is never opened.
    let out = u.run(&["login", "instagram", "--at", at]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("no display"), "{out:?}");
    let out = u
        .run(&[
            "login",
            "instagram",
            "--at",
            "https://evil.example/challenge/",
        ])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("is not on Instagram"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_connection_after_the_submit_is_resolved_by_looking() {
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let u = logged_in(&hn).await;
    hn.set_fault(Some(HnFault::DropAfterStore));
    let args = [
        "post",
        "--to",
        "hn",
        "--title",
        "Dropped",
        "--json",
        "a text post",
    ];
    let out = u.run(&args).await;
    // The browser may resend a POST whose connection dropped; the one-time
    // form id stops the resent one, and nothing here submits again.
    assert_eq!(hn.stories().len(), 1, "stories: {:?}", hn.stories());
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.json()[0]["error"]["kind"], "uncertain", "{out:?}");
    hn.set_fault(None);
    let out = u.run(&args).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()[0]["status"], "skipped", "{out:?}");
    assert_eq!(hn.stories().len(), 1, "exactly one post");
}
