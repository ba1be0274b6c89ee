use std::collections::BTreeSet;
use std::time::Duration;

use distroflow_core::{PlatformId, Post};
use distroflow_store::{
    parse_every, AfterFailure, AttemptState, JobId, JobPayload, JobResults, JobState, NewAttempt,
    NewJob, Outcome, Owner, Store, TargetResult,
};
use jiff::Timestamp;

use crate::{at, dead_pid, file_store};

fn one_off(due: &str, targets: &[PlatformId]) -> NewJob {
    NewJob {
        due_at: at(due),
        every: None,
        tz: "Europe/Berlin".into(),
        targets: targets.to_vec(),
        payload: JobPayload::from_post(&Post::new("scheduled hello"), false),
    }
}

fn mins(ts: Timestamp, m: i64) -> Timestamp {
    ts.checked_add(jiff::SignedDuration::from_mins(m)).unwrap()
}

#[test]
fn a_job_is_claimed_only_once_it_is_due_and_keeps_its_payload() {
    let store = Store::open_in_memory().unwrap();
    let now = at("2026-03-05T10:00:00Z");
    let mut post = Post::new("body").with_title("Title");
    post.set_option(PlatformId::Reddit, "subreddit", "rust");
    let id = store
        .enqueue(
            &NewJob {
                payload: JobPayload::from_post(&post, true),
                ..one_off(
                    "2026-03-05T12:00:00Z",
                    &[PlatformId::Reddit, PlatformId::X, PlatformId::Reddit],
                )
            },
            now,
        )
        .unwrap();
    assert_eq!(store.next_wake().unwrap(), Some(at("2026-03-05T12:00:00Z")));
    assert!(store
        .claim_due(at("2026-03-05T11:59:59Z"), "w1")
        .unwrap()
        .is_none());

    let job = store
        .claim_due(at("2026-03-05T12:00:00Z"), "w1")
        .unwrap()
        .unwrap();
    assert_eq!(job.id, id);
    assert_eq!(job.state, JobState::Running);
    assert_eq!(job.worker.as_deref(), Some("w1"));
    assert_eq!(
        job.targets,
        vec![PlatformId::Reddit, PlatformId::X],
        "targets de-duplicated in order"
    );
    assert!(job.payload.force);
    assert_eq!(job.payload.to_post().unwrap(), post);
    assert!(store
        .claim_due(at("2026-03-05T13:00:00Z"), "w2")
        .unwrap()
        .is_none());
    assert_eq!(
        store.next_wake().unwrap(),
        None,
        "nothing queued: a daemon may exit when idle"
    );
}

#[test]
fn two_store_handles_on_many_threads_never_claim_a_job_twice() {
    let (dir, store) = file_store();
    let path = dir.path().join("home").join(Store::FILE_NAME);
    let now = at("2026-03-05T10:00:00Z");
    let total = 120;
    let mut ids = BTreeSet::new();
    for _ in 0..total {
        ids.insert(
            store
                .enqueue(&one_off("2026-03-05T09:00:00Z", &[PlatformId::X]), now)
                .unwrap(),
        );
    }
    drop(store);

    let workers: Vec<_> = (0..8)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                // Two handles per thread, used in turn: separate connections
                // racing for the same rows, as two processes would.
                let handles = [Store::open(&path).unwrap(), Store::open(&path).unwrap()];
                let mut mine = Vec::new();
                for turn in 0.. {
                    let s = &handles[turn % 2];
                    match s.claim_due(now, &format!("worker-{w}")).unwrap() {
                        Some(job) => {
                            s.complete_job(job.id, &JobResults::new(), now).unwrap();
                            mine.push(job.id);
                        }
                        None => break,
                    }
                }
                mine
            })
        })
        .collect();
    let mut claimed: Vec<JobId> = Vec::new();
    for w in workers {
        claimed.extend(w.join().unwrap());
    }
    let unique: BTreeSet<JobId> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), total, "every claim was of a different job");
    assert_eq!(unique, ids, "every job was claimed");
    let check = Store::open(&path).unwrap();
    assert_eq!(check.jobs(&[JobState::Done]).unwrap().len(), total);
}

#[test]
fn failures_back_off_1m_5m_25m_2h_and_the_fifth_is_final_with_the_reason() {
    let store = Store::open_in_memory().unwrap();
    let mut now = at("2026-03-05T10:00:00Z");
    let id = store
        .enqueue(&one_off("2026-03-05T10:00:00Z", &[PlatformId::X]), now)
        .unwrap();
    let mut waits = Vec::new();
    loop {
        let job = store
            .claim_due(now, "w")
            .unwrap()
            .expect("due again after its backoff");
        assert!(
            store.claim_due(now, "w").unwrap().is_none(),
            "a running job is not claimed again"
        );
        match store
            .fail_or_backoff(job.id, "cannot reach https://x.com", None, now)
            .unwrap()
        {
            AfterFailure::RetryAt(next) => {
                let wait = next.duration_since(now).as_secs() / 60;
                waits.push(wait);
                let queued = store.job(id).unwrap().unwrap();
                assert_eq!(queued.state, JobState::Queued);
                assert_eq!(queued.runs_at(), next);
                assert!(
                    store.claim_due(mins(next, -1), "w").unwrap().is_none(),
                    "not before its time"
                );
                now = next;
            }
            AfterFailure::Failed => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(waits, vec![1, 5, 25, 120]);
    let job = store.job(id).unwrap().unwrap();
    assert_eq!(job.state, JobState::Failed);
    assert_eq!(job.attempts, 5);
    assert_eq!(
        job.last_error.as_deref(),
        Some("cannot reach https://x.com")
    );
    assert_eq!(store.next_wake().unwrap(), None);

    // `queue retry` starts it over, at once.
    let retried = store.retry_job(id, now, false).unwrap();
    assert_eq!((retried.state, retried.attempts), (JobState::Queued, 0));
    assert_eq!(store.claim_due(now, "w").unwrap().unwrap().id, id);
}

#[test]
fn a_platforms_try_again_later_defers_without_using_up_attempts() {
    let store = Store::open_in_memory().unwrap();
    let now = at("2026-03-05T10:00:00Z");
    let id = store
        .enqueue(&one_off("2026-03-05T10:00:00Z", &[PlatformId::Reddit]), now)
        .unwrap();
    let mut t = now;
    for _ in 0..7 {
        store.claim_due(t, "w").unwrap().unwrap();
        let after = store
            .fail_or_backoff(
                id,
                "Reddit: try again in 9 minutes",
                Some(Duration::from_secs(540)),
                t,
            )
            .unwrap();
        assert_eq!(after, AfterFailure::RetryAt(mins(t, 9)));
        t = mins(t, 9);
    }
    let job = store.job(id).unwrap().unwrap();
    assert_eq!((job.attempts, job.deferrals), (0, 7));
    assert_eq!(job.state, JobState::Queued);
}

#[test]
fn per_target_results_survive_a_retry_so_posted_targets_are_not_posted_again() {
    let store = Store::open_in_memory().unwrap();
    let now = at("2026-03-05T10:00:00Z");
    let id = store
        .enqueue(
            &one_off(
                "2026-03-05T10:00:00Z",
                &[PlatformId::X, PlatformId::HackerNews],
            ),
            now,
        )
        .unwrap();
    let job = store.claim_due(now, "w").unwrap().unwrap();
    assert_eq!(
        job.pending_targets(),
        vec![PlatformId::X, PlatformId::HackerNews]
    );

    let attempt = store
        .begin_attempt(
            &NewAttempt::for_post(PlatformId::X, "me", &job.payload.to_post().unwrap())
                .unwrap()
                .with_job(id),
            now,
        )
        .unwrap();
    store
        .finish_attempt(
            attempt,
            &Outcome::Posted {
                url: "https://x.com/me/status/3".into(),
                id: None,
            },
            now,
        )
        .unwrap();
    let mut results = JobResults::new();
    results.insert(
        PlatformId::X,
        TargetResult::posted("https://x.com/me/status/3", Some(attempt)),
    );
    results.insert(
        PlatformId::HackerNews,
        TargetResult::failed("timed out", None),
    );
    store.set_job_results(id, &results, now).unwrap();
    store
        .fail_or_backoff(id, "hackernews: timed out", None, now)
        .unwrap();

    let again = store.claim_due(mins(now, 1), "w").unwrap().unwrap();
    assert_eq!(again.pending_targets(), vec![PlatformId::HackerNews]);
    assert_eq!(
        again.results[&PlatformId::X].url.as_deref(),
        Some("https://x.com/me/status/3")
    );
    let history = store.attempts_for_job(id).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].state, AttemptState::Posted);
}

#[test]
fn a_repeating_job_is_queued_again_at_its_next_time_with_the_same_id() {
    let store = Store::open_in_memory().unwrap();
    let now = at("2026-03-27T07:00:00Z");
    let id = store
        .enqueue(
            &NewJob {
                every: Some(parse_every("0 9 * * *").unwrap()),
                ..one_off("2026-03-28T08:00:00Z", &[PlatformId::X]) // 09:00 CET
            },
            now,
        )
        .unwrap();
    let run_at = at("2026-03-28T08:00:30Z");
    store.claim_due(run_at, "w").unwrap().unwrap();
    let mut results = JobResults::new();
    results.insert(
        PlatformId::X,
        TargetResult::posted("https://x.com/me/status/4", None),
    );
    let next = store.complete_job(id, &results, run_at).unwrap();
    // 09:00 in Berlin the next day is 07:00 UTC: summer time began overnight.
    assert_eq!(next, Some(at("2026-03-29T07:00:00Z")));
    let job = store.job(id).unwrap().unwrap();
    assert_eq!(job.state, JobState::Queued);
    assert_eq!(job.due_at, at("2026-03-29T07:00:00Z"));
    assert_eq!((job.runs, job.last_run_at), (1, Some(run_at)));
    assert!(
        job.results.is_empty(),
        "a new occurrence starts with no results"
    );

    // An occurrence that fails for good moves the job on, it does not stop it.
    let store = store.with_backoff(distroflow_store::Backoff {
        max_attempts: 1,
        ..Default::default()
    });
    store
        .claim_due(at("2026-03-29T07:00:00Z"), "w")
        .unwrap()
        .unwrap();
    let after = store
        .fail_or_backoff(id, "not logged in", None, at("2026-03-29T07:00:05Z"))
        .unwrap();
    assert_eq!(
        after,
        AfterFailure::NextOccurrence(at("2026-03-30T07:00:00Z"))
    );
    let job = store.job(id).unwrap().unwrap();
    assert_eq!(job.state, JobState::Queued);
    assert!(job
        .last_error
        .unwrap()
        .ends_with("failed after 1 attempts: not logged in"));

    // Cancelling stops the series.
    let cancelled = store.cancel_job(id, at("2026-03-29T08:00:00Z")).unwrap();
    assert_eq!(cancelled.state, JobState::Cancelled);
    assert!(store
        .claim_due(at("2026-04-30T07:00:00Z"), "w")
        .unwrap()
        .is_none());

    // A retry does not bring a cancelled job back by mistake...
    let e = store
        .retry_job(id, at("2026-03-29T08:01:00Z"), false)
        .unwrap_err();
    assert!(e.is_usage(), "{e}");
    assert!(e.hint().unwrap().contains("--force"), "{e:?}");
    assert_eq!(store.job(id).unwrap().unwrap().state, JobState::Cancelled);
    // ...only on purpose.
    let revived = store
        .retry_job(id, at("2026-03-29T08:01:00Z"), true)
        .unwrap();
    assert_eq!(revived.state, JobState::Queued);
}

#[test]
fn a_daemon_that_missed_occurrences_runs_the_next_one_not_all_of_them() {
    let store = Store::open_in_memory().unwrap();
    let id = store
        .enqueue(
            &NewJob {
                every: Some(parse_every("1h").unwrap()),
                ..one_off("2026-03-05T09:15:00Z", &[PlatformId::X])
            },
            at("2026-03-05T09:00:00Z"),
        )
        .unwrap();
    let late = at("2026-03-05T13:40:00Z");
    store.claim_due(late, "w").unwrap().unwrap();
    let next = store.complete_job(id, &JobResults::new(), late).unwrap();
    assert_eq!(
        next,
        Some(at("2026-03-05T14:15:00Z")),
        "keeps its :15 phase"
    );
}

#[test]
fn cancel_and_retry_refuse_what_makes_no_sense_with_usage_errors() {
    let store = Store::open_in_memory().unwrap();
    let now = at("2026-03-05T10:00:00Z");
    let id = store
        .enqueue(&one_off("2026-03-05T10:00:00Z", &[PlatformId::X]), now)
        .unwrap();

    let e = store.retry_job(id, now, false).unwrap_err();
    assert!(e.is_usage());
    assert_eq!(
        e.to_string(),
        format!("job {id} is queued and has not failed; nothing to retry")
    );

    store.claim_due(now, "w").unwrap().unwrap();
    let e = store.cancel_job(id, now).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("job {id} is running now and cannot be cancelled")
    );
    store.complete_job(id, &JobResults::new(), now).unwrap();
    let e = store.cancel_job(id, now).unwrap_err();
    assert_eq!(e.to_string(), format!("job {id} is already done"));
    let e = store.retry_job(id, now, false).unwrap_err();
    assert_eq!(
        e.hint().as_deref(),
        Some("schedule the post again to send it again")
    );

    let e = store.cancel_job(JobId(999), now).unwrap_err();
    assert!(e.is_usage());
    assert_eq!(e.to_string(), "no job 999");
    assert_eq!(
        e.hint().as_deref(),
        Some("see `distroflow queue list` for job ids")
    );

    let e = store
        .enqueue(&one_off("2026-03-05T10:00:00Z", &[]), now)
        .unwrap_err();
    assert!(e.is_usage());
    let e = store
        .enqueue(
            &NewJob {
                tz: "Mars/Olympus".into(),
                ..one_off("2026-03-05T10:00:00Z", &[PlatformId::X])
            },
            now,
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "unknown time zone `Mars/Olympus`");
}

#[test]
fn jobs_survive_a_restart_and_a_crashed_daemons_job_is_requeued() {
    let (dir, store) = file_store();
    let path = dir.path().join("home").join(Store::FILE_NAME);
    let now = at("2026-03-05T10:00:00Z");
    let crashed = store
        .enqueue(&one_off("2026-03-05T10:00:00Z", &[PlatformId::X]), now)
        .unwrap();
    let live = store
        .enqueue(&one_off("2026-03-05T10:00:00Z", &[PlatformId::X]), now)
        .unwrap();
    let later = store
        .enqueue(&one_off("2026-03-06T10:00:00Z", &[PlatformId::X]), now)
        .unwrap();

    // A daemon that then died claimed the first job; this process the second.
    let dead_daemon = Store::open(&path)
        .unwrap()
        .with_owner(Owner::new(dead_pid(), None));
    assert_eq!(
        dead_daemon
            .claim_due(now, "daemon-old")
            .unwrap()
            .unwrap()
            .id,
        crashed
    );
    drop(dead_daemon);
    assert_eq!(
        store.claim_due(now, "daemon-live").unwrap().unwrap().id,
        live
    );
    drop(store);

    let restarted = Store::open(&path).unwrap();
    let t = at("2026-03-05T10:30:00Z");
    assert_eq!(restarted.requeue_stale_running(t).unwrap(), vec![crashed]);
    let job = restarted.job(crashed).unwrap().unwrap();
    assert_eq!(job.state, JobState::Queued);
    assert!(job
        .last_error
        .unwrap()
        .starts_with("interrupted: the process running it (pid "));
    assert_eq!(
        restarted.job(live).unwrap().unwrap().state,
        JobState::Running
    );
    let order: Vec<JobId> = restarted.jobs(&[]).unwrap().iter().map(|j| j.id).collect();
    assert_eq!(order, vec![live, crashed, later]);
    let queued: Vec<JobId> = restarted
        .jobs(&[JobState::Queued])
        .unwrap()
        .iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(queued, vec![crashed, later]);
    assert_eq!(
        restarted.claim_due(t, "daemon-new").unwrap().unwrap().id,
        crashed
    );
}

#[test]
fn a_job_without_a_session_waits_for_login_and_resumes_only_when_every_platform_is_back() {
    let store = Store::open_in_memory().unwrap();
    let t0 = at("2026-03-05T12:00:00Z");
    let id = store
        .enqueue(
            &one_off(
                "2026-03-05T12:00:00Z",
                &[PlatformId::X, PlatformId::Reddit, PlatformId::HackerNews],
            ),
            t0,
        )
        .unwrap();
    let job = store.claim_due(t0, "w").unwrap().unwrap();
    store
        .wait_for_login(
            job.id,
            &[PlatformId::X, PlatformId::Reddit],
            "not logged in to X; not logged in to Reddit",
            t0,
        )
        .unwrap();
    let job = store.job(id).unwrap().unwrap();
    assert_eq!(job.state, JobState::NeedsLogin);
    assert_eq!(job.needs_login, [PlatformId::X, PlatformId::Reddit]);
    assert_eq!(
        job.attempts, 0,
        "waiting for a login is not a failed attempt"
    );
    // Never run, never woken for, however long one waits.
    assert_eq!(store.next_wake().unwrap(), None);
    assert!(store
        .claim_due(mins(t0, 60 * 24 * 30), "w")
        .unwrap()
        .is_none());
    assert_eq!(store.jobs(&[JobState::Queued]).unwrap().len(), 0);
    assert_eq!(store.jobs(&[JobState::NeedsLogin]).unwrap().len(), 1);

    // A login for another platform changes nothing; X alone leaves Reddit.
    let t1 = mins(t0, 90);
    assert!(store
        .resume_after_login(PlatformId::Instagram, t1)
        .unwrap()
        .is_empty());
    assert!(store
        .resume_after_login(PlatformId::X, t1)
        .unwrap()
        .is_empty());
    let job = store.job(id).unwrap().unwrap();
    assert_eq!(job.state, JobState::NeedsLogin);
    assert_eq!(job.needs_login, [PlatformId::Reddit]);
    assert!(store.claim_due(t1, "w").unwrap().is_none());

    let t2 = mins(t0, 120);
    assert_eq!(
        store.resume_after_login(PlatformId::Reddit, t2).unwrap(),
        [id]
    );
    let job = store.job(id).unwrap().unwrap();
    assert_eq!(job.state, JobState::Queued);
    assert!(job.needs_login.is_empty());
    assert_eq!(store.next_wake().unwrap(), Some(t2));
    assert_eq!(store.claim_due(t2, "w").unwrap().unwrap().id, id);
}

#[test]
fn a_job_waiting_for_login_can_be_cancelled_or_retried_by_hand() {
    let store = Store::open_in_memory().unwrap();
    let t0 = at("2026-03-05T12:00:00Z");
    for _ in 0..2 {
        store
            .enqueue(&one_off("2026-03-05T12:00:00Z", &[PlatformId::X]), t0)
            .unwrap();
        let job = store.claim_due(t0, "w").unwrap().unwrap();
        store
            .wait_for_login(job.id, &[PlatformId::X], "not logged in to X", t0)
            .unwrap();
    }
    let cancelled = store.cancel_job(JobId(1), t0).unwrap();
    assert_eq!(cancelled.state, JobState::Cancelled);
    let retried = store.retry_job(JobId(2), mins(t0, 5), false).unwrap();
    assert_eq!(retried.state, JobState::Queued);
    assert!(retried.needs_login.is_empty());
    assert_eq!(
        store.claim_due(mins(t0, 5), "w").unwrap().unwrap().id,
        JobId(2)
    );
}
