use distroflow_core::{JobContext, Media, PlatformId, Post};
use distroflow_platforms::Reddit;
use distroflow_replica::{Reddit as Replica, RedditOptions};

use crate::{browser, cookie, post_in, post_with};

/// A 1x1 transparent PNG.
pub(crate) const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

fn to(sub: &str, post: Post) -> Post {
    let mut post = post;
    post.set_option(PlatformId::Reddit, "subreddit", sub);
    post
}

fn old_ui(replica: &Replica) -> JobContext {
    let mut ctx = JobContext::new(replica.url().parse().unwrap());
    ctx.settings.insert("ui".into(), "old".into());
    ctx
}

#[tokio::test(flavor = "multi_thread")]
async fn new_ui_text_link_and_image_posts_land_exactly() {
    let reddit = Replica::start(RedditOptions::default()).await.unwrap();
    let b = browser().await;
    let me = [cookie(
        "reddit_session",
        &reddit.session_cookie("sandbox").unwrap(),
    )];

    let body = "First paragraph ✨ with emoji 👋🏽\n\n中文段落，第二段。\n\n\nafter two blank lines\nand a line break";
    let text = to("Rust", Post::new(body).with_title("Text post — 你好 🦀"));
    let posted = post_with(&b, &Reddit, &reddit.url(), &me, &text)
        .await
        .unwrap();
    let posts = reddit.posts();
    assert_eq!(posts.len(), 1);
    let p = &posts[0];
    assert_eq!(
        (p.kind.as_str(), p.title.as_str(), p.body.as_str()),
        ("self", "Text post — 你好 🦀", body)
    );
    assert_eq!((p.subreddit.as_str(), p.ui.as_str()), ("rust", "new"));
    assert_eq!(posted.id, p.id);
    assert_eq!(
        posted.url,
        format!("{}/r/rust/comments/{}/", reddit.url(), p.id)
    );

    let link = to(
        "rust",
        Post::new("")
            .with_title("A link")
            .with_url("https://example.com/a?b=1"),
    );
    let posted = post_with(&b, &Reddit, &reddit.url(), &me, &link)
        .await
        .unwrap();
    let p = reddit.posts().pop().unwrap();
    assert_eq!(posted.id, p.id);
    assert_eq!(p.kind, "link");
    assert_eq!(p.url.as_deref(), Some("https://example.com/a?b=1"));
    assert_eq!(p.body, "");

    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("tiny.png");
    std::fs::write(&png, TINY_PNG).unwrap();
    let mut image = to("pics_test", Post::new("").with_title("An image"));
    image.media.push(Media::from_path(&png).unwrap());
    let posted = post_with(&b, &Reddit, &reddit.url(), &me, &image)
        .await
        .unwrap();
    let p = reddit.posts().pop().unwrap();
    assert_eq!(posted.id, p.id);
    assert_eq!((p.kind.as_str(), p.title.as_str()), ("image", "An image"));
    assert_eq!(p.media, vec!["tiny.png".to_string()]);
    assert_eq!(reddit.posts().len(), 3);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn flair_required_is_refused_with_the_list_or_chosen() {
    let reddit = Replica::start(RedditOptions::default()).await.unwrap();
    let b = browser().await;
    let me = [cookie(
        "reddit_session",
        &reddit.session_cookie("sandbox").unwrap(),
    )];

    let plain = to("flairtest", Post::new("body").with_title("Needs flair"));
    let e = post_with(&b, &Reddit, &reddit.url(), &me, &plain)
        .await
        .unwrap_err();
    assert_eq!(e.kind().as_str(), "rejected", "{e}");
    assert!(
        e.to_string().contains(
            "r/flairtest requires a flair; available: Discussion, Show and Tell, Question"
        ),
        "{e}"
    );
    assert!(e.to_string().contains("--flair NAME"), "{e}");
    assert!(reddit.posts().is_empty());

    let mut unknown = plain.clone();
    unknown.set_option(PlatformId::Reddit, "flair", "Memes");
    let e = post_with(&b, &Reddit, &reddit.url(), &me, &unknown)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("no post flair named \"Memes\""),
        "{e}"
    );
    assert!(reddit.posts().is_empty());

    let mut flaired = plain.clone();
    flaired.set_option(PlatformId::Reddit, "flair", "Show and Tell");
    post_with(&b, &Reddit, &reddit.url(), &me, &flaired)
        .await
        .unwrap();
    let posts = reddit.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].flair.as_deref(), Some("Show and Tell"));
    assert_eq!(posts[0].body, "body");

    // The same through old Reddit's flair selector.
    let e = post_in(&b, &Reddit, old_ui(&reddit), &me, &plain)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("available: Discussion, Show and Tell, Question"),
        "{e}"
    );
    let mut old_flaired = plain.clone();
    old_flaired.set_option(PlatformId::Reddit, "flair", "question");
    post_in(&b, &Reddit, old_ui(&reddit), &me, &old_flaired)
        .await
        .unwrap();
    let p = reddit.posts().pop().unwrap();
    assert_eq!(
        (p.flair.as_deref(), p.ui.as_str()),
        (Some("Question"), "old")
    );
    assert_eq!(reddit.posts().len(), 2);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn old_ui_text_and_link_posts() {
    let reddit = Replica::start(RedditOptions::default()).await.unwrap();
    let b = browser().await;
    let me = [cookie(
        "reddit_session",
        &reddit.session_cookie("sandbox").unwrap(),
    )];

    let body = "Old text ✨\n\n第二段\n\nlast";
    let text = to("rust", Post::new(body).with_title("Old UI text 🦀"));
    let posted = post_in(&b, &Reddit, old_ui(&reddit), &me, &text)
        .await
        .unwrap();
    let p = reddit.posts().pop().unwrap();
    assert_eq!(
        (
            p.kind.as_str(),
            p.title.as_str(),
            p.body.as_str(),
            p.ui.as_str()
        ),
        ("self", "Old UI text 🦀", body, "old")
    );
    assert_eq!(
        posted.url,
        format!("{}/r/rust/comments/{}/", reddit.url(), p.id)
    );

    let link = to(
        "rust",
        Post::new("ignored on a link post")
            .with_title("Old UI link")
            .with_url("https://example.com/old"),
    );
    let posted = post_in(&b, &Reddit, old_ui(&reddit), &me, &link)
        .await
        .unwrap();
    let p = reddit.posts().pop().unwrap();
    assert_eq!(posted.id, p.id);
    assert_eq!(
        (p.kind.as_str(), p.url.as_deref(), p.body.as_str()),
        ("link", Some("https://example.com/old"), "")
    );
    assert_eq!(reddit.posts().len(), 2);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn logged_out_and_rate_limited() {
    let reddit = Replica::start(RedditOptions::default()).await.unwrap();
    let b = browser().await;
    let post = to("rust", Post::new("x").with_title("t"));

    for ctx in [
        JobContext::new(reddit.url().parse().unwrap()),
        old_ui(&reddit),
    ] {
        let e = post_in(&b, &Reddit, ctx, &[], &post).await.unwrap_err();
        assert!(e.is_auth(), "{e}");
        assert!(
            e.hint().unwrap().contains("distroflow login reddit"),
            "{:?}",
            e.hint()
        );
    }

    let me = [cookie(
        "reddit_session",
        &reddit.session_cookie("sandbox").unwrap(),
    )];
    reddit.set_rate_limit(Some((1, std::time::Duration::from_secs(540))));
    post_with(&b, &Reddit, &reddit.url(), &me, &post)
        .await
        .unwrap();
    for ctx in [
        JobContext::new(reddit.url().parse().unwrap()),
        old_ui(&reddit),
    ] {
        let e = post_in(&b, &Reddit, ctx, &me, &post).await.unwrap_err();
        assert!(e.is_rate_limited(), "{e}");
        match e {
            distroflow_core::Error::RateLimited { retry_after, .. } => {
                assert_eq!(retry_after, Some(std::time::Duration::from_secs(540)))
            }
            other => panic!("{other}"),
        }
    }
    assert_eq!(reddit.posts().len(), 1);

    let e = post_with(&b, &Reddit, &reddit.url(), &me, &to("ab", post.clone()))
        .await
        .unwrap_err();
    assert!(e.is_usage(), "{e}");
    b.close().await;
}

/// Every new-Reddit composer version (renamed fields and ids, reworded
/// labels, moved and wrapped components) still gets the exact content
/// into the right fields, with a fresh healer (no fingerprints: only the
/// selector data), and every repair is recorded and confirmed by tier.
#[tokio::test(flavor = "multi_thread")]
async fn posting_survives_every_ui_version() {
    use distroflow_core::{Home, Platform};
    use distroflow_healer::{read_repairs, Healer, SelectorBook};

    let b = browser().await;
    for &ui in distroflow_replica::REDDIT_UI_VERSIONS {
        let reddit = Replica::start(RedditOptions {
            ui_version: ui,
            ..RedditOptions::default()
        })
        .await
        .unwrap();
        let me = [cookie(
            "reddit_session",
            &reddit.session_cookie("sandbox").unwrap(),
        )];
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let book = SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES).unwrap();
        let healer = Healer::new(book, Some(home.clone())).unwrap();
        let ctx = JobContext::new(reddit.url().parse().unwrap());
        let s = b.session(&ctx.base_url, &me).await.unwrap();
        let page = healer.page(s.page(), PlatformId::Reddit);

        let body = format!("Body on ui {ui} ✓\n\nsecond paragraph");
        let text = to(
            "rust",
            Post::new(body.clone()).with_title(format!("Text on ui {ui}")),
        );
        let posted_text = Reddit
            .post(&page, &ctx, &text)
            .await
            .unwrap_or_else(|e| panic!("ui {ui}: text: {e}\n{:#?}", page.steps()));
        let link = to(
            "rust",
            Post::new("")
                .with_title(format!("Link on ui {ui}"))
                .with_url(format!("https://example.com/ui{ui}")),
        );
        let posted_link = Reddit
            .post(&page, &ctx, &link)
            .await
            .unwrap_or_else(|e| panic!("ui {ui}: link: {e}\n{:#?}", page.steps()));
        page.finish();
        s.close().await;

        let posts = reddit.posts();
        assert_eq!(posts.len(), 2, "ui {ui}: no stray posts: {posts:?}");
        let (t, l) = (&posts[0], &posts[1]);
        assert_eq!(
            (
                t.kind.as_str(),
                t.subreddit.as_str(),
                t.title.as_str(),
                t.body.as_str()
            ),
            (
                "self",
                "rust",
                format!("Text on ui {ui}").as_str(),
                body.as_str()
            ),
            "ui {ui}"
        );
        assert_eq!(t.url, None, "ui {ui}");
        assert_eq!(
            (l.kind.as_str(), l.title.as_str(), l.body.as_str()),
            ("link", format!("Link on ui {ui}").as_str(), ""),
            "ui {ui}: nothing typed into the wrong field"
        );
        assert_eq!(
            l.url.as_deref(),
            Some(format!("https://example.com/ui{ui}").as_str())
        );
        assert_eq!(
            (posted_text.id.as_str(), posted_link.id.as_str()),
            (t.id.as_str(), l.id.as_str())
        );

        let repairs = read_repairs(&home).unwrap();
        if ui == 0 {
            assert!(
                repairs.is_empty(),
                "today's UI needs no repair: {repairs:?}"
            );
        } else {
            assert!(
                repairs.iter().all(|r| r.confirmed && r.tier != "model"),
                "{repairs:?}"
            );
            for target in [
                "reddit.new.submit.title",
                "reddit.new.submit.link",
                "reddit.new.submit.button",
            ] {
                assert!(
                    repairs.iter().any(|r| r.target == target),
                    "ui {ui}: {target} was repaired: {repairs:?}"
                );
            }
        }
    }
    b.close().await;
}

/// After a post, `find_existing` finds it on the user's submitted page
/// (same subreddit, title, body or link); a post never made, or the same
/// title in another subreddit or with another body, is NotFound.
#[tokio::test(flavor = "multi_thread")]
async fn find_existing_finds_a_made_post_and_not_others() {
    use distroflow_core::{Existing, Platform};

    let reddit = Replica::start(RedditOptions::default()).await.unwrap();
    let b = browser().await;
    let me = [cookie(
        "reddit_session",
        &reddit.session_cookie("sandbox").unwrap(),
    )];
    let ctx = JobContext::new(reddit.url().parse().unwrap());
    let find = |post: Post| {
        let b = &b;
        let ctx = ctx.clone();
        let me = me.clone();
        async move {
            let s = b.session(&ctx.base_url, &me).await.unwrap();
            let h = crate::healer();
            let page = h.page(s.page(), PlatformId::Reddit);
            let out = Reddit.find_existing(&page, &ctx, &post).await;
            page.finish();
            s.close().await;
            out
        }
    };

    let text = to(
        "rust",
        Post::new("Hello ✨\n\nworld").with_title("Find me \"please\""),
    );
    let never = to("rust", Post::new("x").with_title("Never posted"));
    assert!(matches!(
        find(text.clone()).await.unwrap(),
        Existing::NotFound
    ));

    let posted = post_with(&b, &Reddit, &reddit.url(), &me, &text)
        .await
        .unwrap();
    let link = to(
        "rust",
        Post::new("")
            .with_title("A found link")
            .with_url("https://example.com/found"),
    );
    let posted_link = post_with(&b, &Reddit, &reddit.url(), &me, &link)
        .await
        .unwrap();

    match find(text.clone()).await.unwrap() {
        Existing::Found(p) => assert_eq!((p.id, p.url), (posted.id.clone(), posted.url.clone())),
        other => panic!("{other:?}"),
    }
    match find(link.clone()).await.unwrap() {
        Existing::Found(p) => assert_eq!(p.id, posted_link.id),
        other => panic!("{other:?}"),
    }
    assert!(matches!(find(never).await.unwrap(), Existing::NotFound));
    let elsewhere = to("golang", text.clone());
    assert!(matches!(find(elsewhere).await.unwrap(), Existing::NotFound));
    let mut other_body = text.clone();
    other_body.text = "another body".into();
    assert!(matches!(
        find(other_body).await.unwrap(),
        Existing::NotFound
    ));
    let mut other_url = link.clone();
    other_url.url = Some("https://example.com/other".into());
    assert!(matches!(find(other_url).await.unwrap(), Existing::NotFound));

    // Logged out: an auth error, not NotFound.
    let s = b.session(&ctx.base_url, &[]).await.unwrap();
    let h = crate::healer();
    let page = h.page(s.page(), PlatformId::Reddit);
    let e = Reddit.find_existing(&page, &ctx, &text).await.unwrap_err();
    assert!(e.is_auth(), "{e}");
    s.close().await;
    assert_eq!(reddit.posts().len(), 2);
    b.close().await;
}
