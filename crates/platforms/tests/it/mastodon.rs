//! The Mastodon adapter against the Mastodon replica in real Chromium: a
//! React-controlled textarea, the instance's own limit, a hidden file
//! input, replies from the status page, `_mastodon_session`.

use distroflow_core::{Existing, JobContext, Media, Platform, PlatformId, Post};
use distroflow_platforms::Mastodon;
use distroflow_replica::{Mastodon as Replica, MastodonOptions};

use crate::{browser, cookie};

async fn with_page<T>(
    r: &Replica,
    signed_in: bool,
    f: impl AsyncFnOnce(&dyn distroflow_core::Page, &JobContext) -> T,
) -> T {
    let b = browser().await;
    let ctx = JobContext::new(r.url().parse().unwrap());
    let cookies = if signed_in {
        vec![cookie(
            "_mastodon_session",
            &r.session_cookie("sandbox").unwrap(),
        )]
    } else {
        Vec::new()
    };
    let s = b.session(&ctx.base_url, &cookies).await.unwrap();
    let healer = crate::healer();
    let page = healer.page(s.page(), PlatformId::Mastodon);
    let out = f(&page, &ctx).await;
    page.finish();
    s.close().await;
    b.close().await;
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn text_media_and_a_reply_chain_land_exactly() {
    let r = Replica::start(MastodonOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("p.png");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png"),
        &png,
    )
    .unwrap();
    let text = "Toot 🐘 #rustlang cc @friend@example.social\n\nhttps://example.com/a/long/path";
    let mut post = Post::new(text);
    post.media.push(Media::from_path(&png).unwrap());
    let mut thread = Post::new("ignored");
    thread.thread_overrides.insert(
        PlatformId::Mastodon,
        vec!["one 1/3".into(), "two 2/3".into(), "three 3/3".into()],
    );
    let (single, chain, found, missing) = with_page(&r, true, async |page, ctx| {
        assert!(Mastodon.is_logged_in(page, ctx).await.unwrap());
        assert_eq!(
            Mastodon.account_name(page, ctx).await.unwrap().as_deref(),
            Some("sandbox")
        );
        let single = Mastodon.post(page, ctx, &post).await;
        let chain = Mastodon.post(page, ctx, &thread).await;
        let found = Mastodon.find_existing(page, ctx, &Post::new(text)).await;
        let missing = Mastodon
            .find_existing(page, ctx, &Post::new("not there"))
            .await;
        (single, chain, found, missing)
    })
    .await;
    let single = single.unwrap();
    let s = r.statuses();
    assert_eq!(s[0].text, text);
    assert_eq!(s[0].media.len(), 1);
    assert_eq!(single.url, format!("{}/@sandbox/{}", r.url(), s[0].id));
    let chain = chain.unwrap();
    assert_eq!(
        s[1..].iter().map(|x| x.text.as_str()).collect::<Vec<_>>(),
        ["one 1/3", "two 2/3", "three 3/3"]
    );
    assert_eq!(s[2].in_reply_to.as_deref(), Some(s[1].id.as_str()));
    assert_eq!(s[3].in_reply_to.as_deref(), Some(s[2].id.as_str()));
    assert_eq!(chain.thread.len(), 3);
    assert!(matches!(found.unwrap(), Existing::Found(p) if p.url == single.url));
    assert_eq!(missing.unwrap(), Existing::NotFound);
    r.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_instance_limit_and_the_sign_in_form() {
    let r = Replica::start(MastodonOptions {
        max_characters: 40,
        ..MastodonOptions::default()
    })
    .await
    .unwrap();
    let long = format!("{} https://example.com/{}", "a".repeat(20), "p".repeat(100));
    // 20 + 1 + 23 = 44 > 40: refused before anything is typed.
    let e = with_page(&r, true, async |page, ctx| {
        Mastodon.post(page, ctx, &Post::new(&long)).await
    })
    .await
    .unwrap_err();
    assert!(
        matches!(e, distroflow_core::Error::InvalidContent { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("40"), "{e}");
    assert!(r.statuses().is_empty());
    // No session: an auth error. Then the sign-in form (e-mail address).
    let (none, bad, good) = with_page(&r, false, async |page, ctx| {
        let none = Mastodon.post(page, ctx, &Post::new("hi")).await;
        let pw = |s: &str| distroflow_core::Secret::new(s);
        let bad = Mastodon
            .login_with_password(page, ctx, "sandbox@example.com", &pw("nope"))
            .await;
        let good = Mastodon
            .login_with_password(page, ctx, "sandbox@example.com", &pw("sandbox"))
            .await;
        (none, bad, good)
    })
    .await;
    assert!(none.unwrap_err().is_auth());
    let bad = bad.unwrap_err();
    assert!(
        bad.is_auth() && bad.to_string().contains("Invalid"),
        "{bad}"
    );
    good.unwrap();
    r.shutdown().await;
}
