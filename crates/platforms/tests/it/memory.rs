//! The healer's memory shared by concurrent runs over one home: two
//! healers (as the daemon and a `distroflow post` would have) repair
//! different sites at the same time in real Chromium, and both runs'
//! learned selectors and fingerprints survive.

use distroflow_core::{Home, JobContext, Platform, PlatformId, Post};
use distroflow_healer::{read_repairs, Healer, SelectorBook};
use distroflow_platforms::{HackerNews, Reddit};
use distroflow_replica::{HackerNews as Hn, HnOptions, Reddit as RedditReplica, RedditOptions};

use crate::{browser, cookie};

fn healer(home: &Home) -> std::sync::Arc<Healer> {
    let book = SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES).unwrap();
    Healer::new(book, Some(home.clone())).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_runs_at_once_both_keep_their_repairs() {
    let hn = Hn::start(HnOptions {
        ui_version: 2,
        ..HnOptions::default()
    })
    .await
    .unwrap();
    let reddit_ui = *distroflow_replica::REDDIT_UI_VERSIONS.last().unwrap();
    let reddit = RedditReplica::start(RedditOptions {
        ui_version: reddit_ui,
        ..RedditOptions::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    // Two healers over one home, each opened before the other learns
    // anything: what the old whole-file state lost (last writer wins).
    let (a, b) = (healer(&home), healer(&home));

    let br = browser().await;
    let hn_ctx = JobContext::new(hn.url().parse().unwrap());
    let reddit_ctx = JobContext::new(reddit.url().parse().unwrap());
    let hn_me = [cookie("user", &hn.session_cookie("sandbox").unwrap())];
    let reddit_me = [cookie(
        "reddit_session",
        &reddit.session_cookie("sandbox").unwrap(),
    )];
    let run_hn = async {
        let s = br.session(&hn_ctx.base_url, &hn_me).await.unwrap();
        let page = a.page(s.page(), PlatformId::HackerNews);
        let post = Post::new("")
            .with_title("Healed at once")
            .with_url("https://example.com/at-once");
        let r = HackerNews.post(&page, &hn_ctx, &post).await;
        page.finish();
        s.close().await;
        r
    };
    let run_reddit = async {
        let s = br.session(&reddit_ctx.base_url, &reddit_me).await.unwrap();
        let page = b.page(s.page(), PlatformId::Reddit);
        let mut post = Post::new("Body at once").with_title("Healed at once too");
        post.set_option(PlatformId::Reddit, "subreddit", "rust");
        let r = Reddit.post(&page, &reddit_ctx, &post).await;
        page.finish();
        s.close().await;
        r
    };
    let (hn_posted, reddit_posted) = tokio::join!(run_hn, run_reddit);
    br.close().await;
    hn_posted.unwrap();
    reddit_posted.unwrap();
    assert_eq!(hn.stories().len(), 1);
    assert_eq!(reddit.posts().len(), 1);

    // A third run over the same home sees every repair both runs confirmed.
    let c = healer(&home);
    let repairs = read_repairs(&home).unwrap();
    for platform in ["hackernews", "reddit"] {
        let learned: Vec<_> = repairs
            .iter()
            .filter(|r| r.platform == platform && r.confirmed && r.tier != "retry")
            .collect();
        assert!(!learned.is_empty(), "{platform} was repaired: {repairs:?}");
        for r in learned {
            assert!(
                c.memory().learned(&r.target).contains(&r.selector),
                "{platform}: {} -> {} kept",
                r.target,
                r.selector
            );
            assert!(
                c.memory().fingerprint(&r.target).is_some(),
                "{} fingerprinted",
                r.target
            );
        }
    }
}
