//! The LinkedIn adapter against the LinkedIn replica in real Chromium:
//! both share boxes (the classic Quill modal inside an open shadow root,
//! the SDUI dialog swapped in after a placeholder), without configuration.

use distroflow_core::{Existing, JobContext, Media, Platform, PlatformId, Post};
use distroflow_platforms::LinkedIn;
use distroflow_replica::{LinkedIn as Replica, LinkedInOptions, ShareBox};

use crate::{browser, cookie};

async fn with_page<T>(
    r: &Replica,
    f: impl AsyncFnOnce(&dyn distroflow_core::Page, &JobContext) -> T,
) -> T {
    let b = browser().await;
    let ctx = JobContext::new(r.url().parse().unwrap());
    let me = [cookie("li_at", &r.session_cookie("sandbox").unwrap())];
    let s = b.session(&ctx.base_url, &me).await.unwrap();
    let healer = crate::healer();
    let page = healer.page(s.page(), PlatformId::LinkedIn);
    let out = f(&page, &ctx).await;
    page.finish();
    s.close().await;
    b.close().await;
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn both_share_boxes_post_text_and_an_image() {
    let r = Replica::start(LinkedInOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("p.png");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png"),
        &png,
    )
    .unwrap();
    let classic = "Classic share box 🚀 #rustlang\n\nSecond paragraph.";
    let mut post = Post::new(classic);
    post.media.push(Media::from_path(&png).unwrap());
    let (one, found) = with_page(&r, async |page, ctx| {
        assert!(LinkedIn.is_logged_in(page, ctx).await.unwrap());
        let one = LinkedIn.post(page, ctx, &post).await;
        let found = LinkedIn.find_existing(page, ctx, &Post::new(classic)).await;
        (one, found)
    })
    .await;
    let one = one.unwrap();
    let posts = r.posts();
    assert_eq!(posts[0].text, classic);
    assert_eq!(posts[0].media, 1);
    assert_eq!(
        one.url,
        format!("{}/feed/update/{}/", r.url(), posts[0].urn)
    );
    assert!(matches!(found.unwrap(), Existing::Found(p) if p.url == one.url));

    // The rollout gives this member the SDUI box: same adapter, no setting.
    r.set_share_box("sandbox", ShareBox::Sdui);
    let sdui = "SDUI share box ✨\nline two";
    let mut post = Post::new(sdui);
    post.media.push(Media::from_path(&png).unwrap());
    let two = with_page(&r, async |page, ctx| LinkedIn.post(page, ctx, &post).await)
        .await
        .unwrap();
    let posts = r.posts();
    assert_eq!(posts[1].text, sdui);
    assert_eq!(posts[1].media, 1);
    assert!(two.url.ends_with(&format!("{}/", posts[1].urn)), "{two:?}");
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_checkpoint_is_needs_human() {
    let r = Replica::start(LinkedInOptions::default()).await.unwrap();
    r.set_checkpoint(true);
    let e = with_page(&r, async |page, ctx| {
        LinkedIn.post(page, ctx, &Post::new("hello")).await
    })
    .await
    .unwrap_err();
    assert!(
        matches!(e, distroflow_core::Error::NeedsHuman { .. }),
        "{e}"
    );
    assert!(r.posts().is_empty());
    r.shutdown().await;
}
