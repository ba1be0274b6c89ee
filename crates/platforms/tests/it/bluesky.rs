//! The Bluesky adapter against the Bluesky replica in real Chromium. The
//! replica's app hydrates late, keeps its session in
//! `localStorage["BSKY_STORAGE"]` (no cookie), keeps its TipTap-like
//! editor's own model, and makes its file input only on click.

use distroflow_core::{Existing, JobContext, Media, Platform, PlatformId, Post, StorageItem};
use distroflow_platforms::Bluesky;
use distroflow_replica::{Bluesky as Replica, BlueskyOptions};

use crate::browser;

fn storage(r: &Replica) -> Vec<StorageItem> {
    vec![StorageItem {
        name: "BSKY_STORAGE".into(),
        value: distroflow_core::Secret::new(r.storage_value("sandbox").unwrap()),
    }]
}

/// Runs `f` with a page of a fresh context whose storage holds the session.
async fn with_page<T>(
    r: &Replica,
    items: &[StorageItem],
    f: impl AsyncFnOnce(&dyn distroflow_core::Page, &JobContext) -> T,
) -> T {
    let b = browser().await;
    let ctx = JobContext::new(r.url().parse().unwrap());
    let s = b.session(&ctx.base_url, &[]).await.unwrap();
    let origin = distroflow_core::CookieScope::site(&ctx.base_url).origin();
    s.page().seed_local_storage(&origin, items).await.unwrap();
    let healer = crate::healer();
    let page = healer.page(s.page(), PlatformId::Bluesky);
    let out = f(&page, &ctx).await;
    page.finish();
    s.close().await;
    b.close().await;
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn text_thread_and_image_land_exactly() {
    let r = Replica::start(BlueskyOptions::default()).await.unwrap();
    let items = storage(&r);
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("p.png");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png"),
        &png,
    )
    .unwrap();
    let text = "Shipping 🚀👩‍💻 #rustlang\n\n日本語も https://example.com/a/very/long/path/indeed";
    let mut post = Post::new(text);
    post.media.push(Media::from_path(&png).unwrap());
    let posted = with_page(&r, &items, async |page, ctx| {
        assert!(Bluesky.is_logged_in(page, ctx).await.unwrap());
        Bluesky.post(page, ctx, &post).await
    })
    .await
    .unwrap();
    let p = &r.posts()[0];
    assert_eq!(p.text, text);
    assert_eq!(p.media.len(), 1);
    assert_eq!(
        posted.url,
        format!("{}/profile/sandbox.bsky.social/post/{}", r.url(), p.rkey)
    );

    // A thread: one post replying to the other, in order.
    let mut thread = Post::new("ignored");
    thread.thread_overrides.insert(
        PlatformId::Bluesky,
        vec!["first 1/2".into(), "second 2/2".into()],
    );
    let posted = with_page(&r, &items, async |page, ctx| {
        Bluesky.post(page, ctx, &thread).await
    })
    .await
    .unwrap();
    let all = r.posts();
    let (a, b) = (&all[1], &all[2]);
    assert_eq!(
        (a.text.as_str(), b.text.as_str()),
        ("first 1/2", "second 2/2")
    );
    assert_eq!(b.reply_to.as_deref(), Some(a.rkey.as_str()));
    assert_eq!(posted.thread.len(), 2);
    assert!(posted.thread[1].ends_with(&b.rkey), "{posted:?}");

    // Looking finds what is there, and not what is not.
    let found = with_page(&r, &items, async |page, ctx| {
        (
            Bluesky.find_existing(page, ctx, &Post::new(text)).await,
            Bluesky
                .find_existing(page, ctx, &Post::new("never posted"))
                .await,
        )
    })
    .await;
    assert!(matches!(found.0.unwrap(), Existing::Found(p) if p.url == posted_first(&r)));
    assert_eq!(found.1.unwrap(), Existing::NotFound);
    r.shutdown().await;
}

fn posted_first(r: &Replica) -> String {
    format!(
        "{}/profile/sandbox.bsky.social/post/{}",
        r.url(),
        r.posts()[0].rkey
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn no_session_or_a_spent_one_is_an_auth_error() {
    let r = Replica::start(BlueskyOptions::default()).await.unwrap();
    let e = with_page(&r, &[], async |page, ctx| {
        Bluesky.post(page, ctx, &Post::new("hi")).await
    })
    .await
    .unwrap_err();
    assert!(e.is_auth(), "{e}");
    // A session whose refresh token was already used: refused, logged out.
    let items = storage(&r);
    r.expire_access_tokens();
    with_page(&r, &items, async |page, ctx| {
        assert!(Bluesky.is_logged_in(page, ctx).await.unwrap());
    })
    .await;
    r.expire_access_tokens();
    let e = with_page(&r, &items, async |page, ctx| {
        Bluesky.post(page, ctx, &Post::new("hi")).await
    })
    .await
    .unwrap_err();
    assert!(e.is_auth(), "{e}");
    assert!(r.posts().is_empty());
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn password_login_through_the_web_form() {
    let r = Replica::start(BlueskyOptions::default()).await.unwrap();
    let (ok, bad) = with_page(&r, &[], async |page, ctx| {
        let bad = Bluesky
            .login_with_password(
                page,
                ctx,
                "sandbox.bsky.social",
                &distroflow_core::Secret::new("wrong"),
            )
            .await;
        let ok = Bluesky
            .login_with_password(
                page,
                ctx,
                "sandbox.bsky.social",
                &distroflow_core::Secret::new("sandbox"),
            )
            .await;
        let stored = page
            .eval("JSON.parse(localStorage.getItem('BSKY_STORAGE')).session.accounts[0].handle")
            .await
            .unwrap();
        (ok.map(|_| stored), bad)
    })
    .await;
    assert_eq!(ok.unwrap(), "sandbox.bsky.social");
    let bad = bad.unwrap_err();
    assert!(
        bad.is_auth() && bad.to_string().contains("Incorrect"),
        "{bad}"
    );
    r.shutdown().await;
}
