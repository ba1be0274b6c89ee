//! A job stopped before its submit (its deadline, Ctrl-C) records its
//! attempt as `failed`, so that the same post may run again at once; it is
//! never left `running`, which would refuse every retry in the same process
//! (the daemon) with "another DistroFlow run is posting this".

use std::time::Duration;

use distroflow_core::PostResult;
use distroflow_engine::{run, BrowserSource, RunEnd};
use distroflow_replica::{HackerNews, HnOptions};
use distroflow_store::{AttemptRow, AttemptState, Store};

use crate::{browser, hn_job, ledger, link_post};

fn attempts(db: &std::path::Path) -> Vec<AttemptRow> {
    Store::open(db).unwrap().history(10).unwrap()
}

fn results(end: RunEnd) -> Vec<PostResult> {
    match end {
        RunEnd::Done(r) => r,
        RunEnd::Interrupted => panic!("not interrupted"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deadline_while_waiting_for_the_browser_fails_the_attempt_and_a_retry_posts() {
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let b = browser(1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.sqlite3");
    let ledger = ledger(&db);

    // Another job holds the pool's only slot: this one waits past its deadline.
    let held = b.session(&hn.url().parse().unwrap(), &[]).await.unwrap();
    let end = run(
        vec![hn_job(&hn, ledger.clone())],
        link_post(),
        BrowserSource::Shared(b.clone()),
        Duration::from_secs(2),
        |_| {},
        std::future::pending(),
    )
    .await;
    let r = results(end);
    let e = r[0].error.as_ref().expect("timed out");
    assert_eq!(e.kind, "timeout", "{e:?}");
    let rows = attempts(&db);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].state, AttemptState::Failed, "{rows:?}");
    assert!(e.message.contains("nothing was submitted"), "{e:?}");
    assert!(hn.stories().is_empty());
    held.close().await;

    // The same post again, in the same process: not refused, posted once.
    let end = run(
        vec![hn_job(&hn, ledger)],
        link_post(),
        BrowserSource::Shared(b.clone()),
        Duration::from_secs(60),
        |_| {},
        std::future::pending(),
    )
    .await;
    let r = results(end);
    assert!(r[0].ok, "{:?}", r[0].error);
    assert_eq!(hn.stories().len(), 1);
    let rows = attempts(&db);
    assert_eq!(rows[0].state, AttemptState::Posted, "{rows:?}");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_before_the_submit_fails_the_attempt() {
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let b = browser(1).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.sqlite3");
    let held = b.session(&hn.url().parse().unwrap(), &[]).await.unwrap();
    // Ctrl-C once the job is recorded as running (and waits for the pool).
    let running = async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while attempts(&db)
            .first()
            .is_none_or(|r| r.state != AttemptState::Running)
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "never recorded as running"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let end = run(
        vec![hn_job(&hn, ledger(&db))],
        link_post(),
        BrowserSource::Shared(b.clone()),
        Duration::from_secs(60),
        |_| {},
        running,
    )
    .await;
    assert!(matches!(end, RunEnd::Interrupted));
    let rows = attempts(&db);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].state, AttemptState::Failed, "{rows:?}");
    assert!(hn.stories().is_empty());
    held.close().await;
    b.close().await;
}
