//! The X adapter against the X replica in real Chromium. The replica's app
//! hydrates after a random delay (on by default), keeps its Draft.js-like
//! editor's own model, re-renders the editor after uploads, and answers
//! with toasts: every test goes through all of that.

use std::path::Path;

use distroflow_core::{Cookie, JobContext, Media, Platform, PlatformId, Post};
use distroflow_platforms::X;
use distroflow_replica::{XOptions, XRefusal, X as Replica};

use crate::{browser, cookie, post_with};

/// A 1x1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0a, 0x49, 0x44, 0x41, 0x54,
    0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

async fn replica(opts: XOptions) -> Replica {
    Replica::start(opts).await.expect("X replica starts")
}

/// The session DistroFlow imports for X: the `auth_token` cookie (the
/// replica's page sets `ct0` itself, as x.com does).
fn session(x: &Replica) -> Vec<Cookie> {
    vec![cookie(
        "auth_token",
        &x.session_cookie("sandbox").expect("sandbox account"),
    )]
}

fn status_url(x: &Replica, id: &str) -> String {
    format!("{}/sandbox/status/{id}", x.url())
}

fn png(dir: &Path, name: &str) -> Media {
    let path = dir.join(name);
    std::fs::write(&path, PNG).unwrap();
    Media::from_path(&path).expect("a valid PNG")
}

#[tokio::test(flavor = "multi_thread")]
async fn text_with_emoji_cjk_and_blank_lines_lands_exactly() {
    // Hydration is on by default: nothing exists until the script renders it.
    let x = replica(XOptions::default()).await;
    let b = browser().await;
    let me = session(&x);

    let ctx = JobContext::new(x.url().parse().unwrap());
    let s = b.session(&ctx.base_url, &me).await.unwrap();
    let healer = crate::healer();
    let page = healer.page(s.page(), PlatformId::X);
    assert!(X.is_logged_in(&page, &ctx).await.unwrap());
    s.close().await;

    let text =
        "Shipping DistroFlow 0.1 🚀👩‍💻\n\n跨平台发布 — 日本語も\n\nLast  paragraph, two  spaces.";
    let posted = post_with(&b, &X, &x.url(), &me, &Post::new(text))
        .await
        .unwrap();
    let posts = x.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].text, text);
    assert_eq!(posts[0].user, "sandbox");
    assert_eq!(posted.id, posts[0].id);
    assert_eq!(posted.url, status_url(&x, &posts[0].id));
    assert!(posted.thread.is_empty());
    b.close().await;
    x.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_images_land_with_the_post() {
    // A slow server: every request, uploads included, takes 150 ms more.
    let x = replica(XOptions {
        latency: std::time::Duration::from_millis(150),
        ..XOptions::default()
    })
    .await;
    let b = browser().await;
    let dir = tempfile::tempdir().unwrap();
    let mut post = Post::new("Two screenshots\nof the same thing");
    post.media = vec![png(dir.path(), "first.png"), png(dir.path(), "second.png")];

    let posted = post_with(&b, &X, &x.url(), &session(&x), &post)
        .await
        .unwrap();
    let posts = x.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].text, "Two screenshots\nof the same thing");
    let media: Vec<(&str, &str, usize)> = posts[0]
        .media
        .iter()
        .map(|m| (m.name.as_str(), m.mime.as_str(), m.bytes))
        .collect();
    assert_eq!(
        media,
        [
            ("first.png", "image/png", PNG.len()),
            ("second.png", "image/png", PNG.len())
        ]
    );
    assert_eq!(posted.url, status_url(&x, &posts[0].id));

    // Media alone, no text.
    let mut only = Post::new("");
    only.media = vec![png(dir.path(), "alone.png")];
    post_with(&b, &X, &x.url(), &session(&x), &only)
        .await
        .unwrap();
    let last = x.posts().pop().unwrap();
    assert_eq!(last.text, "");
    assert_eq!(last.media.len(), 1);
    b.close().await;
    x.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thread_lands_as_a_reply_chain() {
    let x = replica(XOptions::default()).await;
    // An older post on the profile must not be taken for part of the thread.
    let older = x.add_post("sandbox", "an older post");
    let b = browser().await;
    let parts = vec![
        "1/3 A thread about threads 🧵".to_string(),
        "2/3 中文段落\n\nwith a blank line".to_string(),
        "3/3 the end".to_string(),
    ];
    let mut post = Post::new("unused when split");
    post.thread_overrides.insert(PlatformId::X, parts.clone());

    let posted = post_with(&b, &X, &x.url(), &session(&x), &post)
        .await
        .unwrap();
    let posts = x.posts();
    assert_eq!(posts.len(), 4);
    assert_eq!(posts[0].id, older);
    let thread = &posts[1..];
    let texts: Vec<&str> = thread.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, parts);
    assert_eq!(thread[0].reply_to, None);
    assert_eq!(thread[1].reply_to.as_deref(), Some(thread[0].id.as_str()));
    assert_eq!(thread[2].reply_to.as_deref(), Some(thread[1].id.as_str()));

    let urls: Vec<String> = thread.iter().map(|p| status_url(&x, &p.id)).collect();
    assert_eq!(posted.thread, urls);
    assert_eq!(posted.url, urls[0]);
    assert_eq!(posted.id, thread[0].id);
    b.close().await;
    x.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_become_clear_errors() {
    let x = replica(XOptions::default()).await;
    let b = browser().await;
    let me = session(&x);

    let post = Post::new("Said once, and only once.");
    post_with(&b, &X, &x.url(), &me, &post).await.unwrap();
    let e = post_with(&b, &X, &x.url(), &me, &post).await.unwrap_err();
    assert!(
        matches!(e, distroflow_core::Error::Rejected { .. }),
        "{e:?}"
    );
    assert!(
        e.to_string().contains("Whoops! You already said that."),
        "{e}"
    );
    assert_eq!(x.posts().len(), 1);

    x.set_daily_limit(Some(1));
    let e = post_with(&b, &X, &x.url(), &me, &Post::new("over the limit"))
        .await
        .unwrap_err();
    assert!(e.is_rate_limited(), "{e}");
    x.set_daily_limit(None);

    x.set_refusal(Some(XRefusal::Automated));
    let e = post_with(&b, &X, &x.url(), &me, &Post::new("looks automated"))
        .await
        .unwrap_err();
    assert!(e.is_needs_human(), "{e}");
    x.set_refusal(None);
    assert_eq!(x.posts().len(), 1);

    // No session: the login flow, and the hint says how to fix it.
    let e = post_with(&b, &X, &x.url(), &[], &Post::new("logged out"))
        .await
        .unwrap_err();
    assert!(e.is_auth(), "{e}");
    assert!(
        e.hint().unwrap_or_default().contains("distroflow login x"),
        "{:?}",
        e.hint()
    );
    let ctx = JobContext::new(x.url().parse().unwrap());
    let s = b.session(&ctx.base_url, &[]).await.unwrap();
    let healer = crate::healer();
    let page = healer.page(s.page(), PlatformId::X);
    assert!(!X.is_logged_in(&page, &ctx).await.unwrap());
    s.close().await;
    assert_eq!(x.posts().len(), 1);
    b.close().await;
    x.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn inline_composer_on_home_when_the_modal_route_is_gone() {
    // A slow hydration as well: the composer shows up to 1.5 s late.
    let x = replica(XOptions {
        hydration_delay_ms: (800, 1500),
        ..XOptions::default()
    })
    .await;
    x.set_compose_modal(false);
    let b = browser().await;
    let dir = tempfile::tempdir().unwrap();

    let text = "From the home timeline ✨\n\n第二段";
    let mut post = Post::new(text);
    post.media = vec![png(dir.path(), "inline.png")];
    let posted = post_with(&b, &X, &x.url(), &session(&x), &post)
        .await
        .unwrap();
    let posts = x.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].text, text);
    assert_eq!(posts[0].media.len(), 1);
    assert_eq!(posted.url, status_url(&x, &posts[0].id));

    let mut thread = Post::new("");
    thread.thread_overrides.insert(
        PlatformId::X,
        vec!["inline 1/2".into(), "inline 2/2".into()],
    );
    let posted = post_with(&b, &X, &x.url(), &session(&x), &thread)
        .await
        .unwrap();
    let posts = x.posts();
    assert_eq!(posts.len(), 3);
    assert_eq!(posts[2].reply_to.as_deref(), Some(posts[1].id.as_str()));
    assert_eq!(
        posted.thread,
        [status_url(&x, &posts[1].id), status_url(&x, &posts[2].id)]
    );
    b.close().await;
    x.shutdown().await;
}

/// Posts a text with an image and a 2-part thread through the compose
/// modal, then a 2-part thread with an image through the inline composer of
/// `/home`, on every UI version of the replica (renamed test ids and
/// labels; a rebuilt composer behind a "Got it" sheet), each version with a
/// fresh healer that records its repairs: the exact texts land in the right
/// posts, nothing else is posted, and what was repaired was repaired
/// without the model.
#[tokio::test(flavor = "multi_thread")]
async fn posting_survives_every_ui_version() {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use distroflow_core::{Home, Posted};
    use distroflow_healer::{read_repairs, Healer, SelectorBook};

    /// One post in a fresh browser context (a fresh profile), as a run does.
    async fn post(
        b: &distroflow_browser::Browser,
        healer: &Arc<Healer>,
        x: &Replica,
        post: &Post,
    ) -> distroflow_core::Result<Posted> {
        X.validate(post)?;
        let ctx = JobContext::new(x.url().parse().unwrap());
        let s = b.session(&ctx.base_url, &session(x)).await?;
        let page = healer.page(s.page(), PlatformId::X);
        let out = X.post(&page, &ctx, post).await;
        page.finish();
        s.close().await;
        out
    }

    let b = browser().await;
    let files = tempfile::tempdir().unwrap();
    for &ui in distroflow_replica::X_UI_VERSIONS {
        let x = replica(XOptions {
            ui_version: ui,
            ..XOptions::default()
        })
        .await;
        let older = x.add_post("sandbox", "an older post");
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let book = SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES).unwrap();
        let healer = Healer::new(book, Some(home.clone())).unwrap();

        let text = format!("Posted on ui {ui} ✓\n\nsecond paragraph");
        let mut single = Post::new(text.clone());
        single.media = vec![png(files.path(), &format!("ui{ui}.png"))];
        let one = post(&b, &healer, &x, &single)
            .await
            .unwrap_or_else(|e| panic!("ui {ui}: text post: {e}"));
        let parts = vec![
            format!("ui {ui} thread 1/2 🧵"),
            format!("ui {ui} thread 2/2"),
        ];
        let mut thread = Post::new("unused when split");
        thread.thread_overrides.insert(PlatformId::X, parts.clone());
        let two = post(&b, &healer, &x, &thread)
            .await
            .unwrap_or_else(|e| panic!("ui {ui}: thread: {e}"));
        // The modal route gone: the inline composer of /home.
        x.set_compose_modal(false);
        let inline_parts = vec![format!("ui {ui} inline 1/2"), format!("ui {ui} inline 2/2")];
        let mut inline = Post::new("unused when split");
        inline
            .thread_overrides
            .insert(PlatformId::X, inline_parts.clone());
        inline.media = vec![png(files.path(), &format!("inline{ui}.png"))];
        let three = post(&b, &healer, &x, &inline)
            .await
            .unwrap_or_else(|e| panic!("ui {ui}: inline thread: {e}"));

        // Exactly these posts, each text in its own post: nothing typed
        // into the wrong editor, no media removed, nothing posted twice.
        let posts = x.posts();
        let texts: Vec<&str> = posts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "an older post",
                text.as_str(),
                &parts[0],
                &parts[1],
                &inline_parts[0],
                &inline_parts[1]
            ],
            "ui {ui}"
        );
        assert_eq!(posts[0].id, older);
        assert_eq!(
            posts[1].media.len(),
            1,
            "ui {ui}: the image went with the post"
        );
        assert_eq!(posts[1].media[0].name, format!("ui{ui}.png"));
        assert_eq!(posts[1].reply_to, None);
        assert!(posts[2].media.is_empty() && posts[3].media.is_empty());
        assert_eq!(posts[2].reply_to, None, "ui {ui}");
        assert_eq!(posts[3].reply_to.as_deref(), Some(posts[2].id.as_str()));
        assert_eq!(one.url, status_url(&x, &posts[1].id));
        assert_eq!(
            two.thread,
            [status_url(&x, &posts[2].id), status_url(&x, &posts[3].id)]
        );
        assert_eq!(posts[4].media.len(), 1, "ui {ui}");
        assert_eq!(posts[4].media[0].name, format!("inline{ui}.png"));
        assert!(posts[5].media.is_empty());
        assert_eq!(posts[4].reply_to, None, "ui {ui}");
        assert_eq!(posts[5].reply_to.as_deref(), Some(posts[4].id.as_str()));
        assert_eq!(
            three.thread,
            [status_url(&x, &posts[4].id), status_url(&x, &posts[5].id)]
        );

        let repairs = read_repairs(&home).unwrap();
        let repaired: BTreeSet<&str> = repairs.iter().map(|r| r.target.as_str()).collect();
        if ui == 0 {
            assert!(
                repairs.is_empty(),
                "today's UI needs no repair: {repairs:?}"
            );
        } else {
            assert!(
                repairs
                    .iter()
                    .all(|r| r.confirmed && r.platform == "x" && r.tier != "model"),
                "ui {ui}: {repairs:?}"
            );
            let mut expected = BTreeSet::from([
                "x.compose.editor_0",
                "x.compose.editor_1",
                "x.compose.file_input",
                "x.compose.post_button",
                "x.home.editor_0",
                "x.home.editor_1",
                "x.home.file_input",
                "x.home.post_button",
            ]);
            if ui >= 2 {
                // Renamed, reworded: only its text "+" is left.
                expected.insert("x.compose.add_button");
                expected.insert("x.home.add_button");
            }
            assert_eq!(repaired, expected, "ui {ui}: {repairs:?}");
        }
        x.shutdown().await;
    }
    b.close().await;
}

/// What the adapter relies on the replica to copy from x.com, checked
/// through the same Page API: the editor ignores DOM writes, keeps blank
/// lines as empty blocks, survives the re-render an upload causes, and the
/// composer refuses a fifth image.
#[tokio::test(flavor = "multi_thread")]
async fn replica_composer_behaves_like_x() {
    use distroflow_core::{wait_until, Page};

    let x = replica(XOptions::default()).await;
    let b = browser().await;
    let dir = tempfile::tempdir().unwrap();
    let ctx = JobContext::new(x.url().parse().unwrap());
    let s = b.session(&ctx.base_url, &session(&x)).await.unwrap();
    let page = s.page();
    let editor = r#"div[role="dialog"] [data-testid="tweetTextarea_0"]"#;
    let button = r#"div[role="dialog"] [data-testid="tweetButton"]"#;
    let blocks = format!(
        "Array.from(document.querySelectorAll({})).map((b) => b.textContent)",
        serde_json::Value::String(format!("{editor} [data-block=\"true\"]"))
    );

    page.goto(ctx.url("compose/post").unwrap().as_str())
        .await
        .unwrap();
    // Only the script renders the composer, after the hydration delay.
    wait_until(page.waits(), "the modal editor", || async {
        Ok((page.count(editor).await? > 0).then_some(()))
    })
    .await
    .unwrap();
    assert_eq!(
        page.attr(button, "aria-disabled").await.unwrap().as_deref(),
        Some("true")
    );

    // Writing the DOM behind the editor's back changes nothing.
    page.eval(&format!(
        "document.querySelector({}).textContent = 'sneaky'",
        serde_json::Value::String(editor.into())
    ))
    .await
    .unwrap();
    wait_until(page.waits(), "the editor to undo the DOM write", || async {
        let text = page.text(editor).await?.unwrap_or_default();
        Ok((text.is_empty()).then_some(()))
    })
    .await
    .unwrap();
    assert_eq!(
        page.attr(button, "aria-disabled").await.unwrap().as_deref(),
        Some("true")
    );

    // Typing goes into the model: a blank line is an empty block.
    page.type_text(editor, "a\n\nb").await.unwrap();
    assert_eq!(
        page.eval(&blocks).await.unwrap(),
        serde_json::json!(["a", "", "b"])
    );
    wait_until(page.waits(), "Post to be enabled", || async {
        Ok((page.attr(button, "aria-disabled").await?.is_none()).then_some(()))
    })
    .await
    .unwrap();

    // An upload re-renders the editor (a new element), keeping the text.
    page.eval(&format!(
        "document.querySelector({}).__before_upload = true",
        serde_json::Value::String(editor.into())
    ))
    .await
    .unwrap();
    let five: Vec<_> = (0..5)
        .map(|i| png(dir.path(), &format!("{i}.png")).path)
        .collect();
    page.set_files(r#"div[role="dialog"] [data-testid="fileInput"]"#, &five)
        .await
        .unwrap();
    let thumbs = r#"div[role="dialog"] [data-testid="attachments"] > div"#;
    wait_until(page.waits(), "4 thumbnails", || async {
        Ok((page.count(thumbs).await? == 4).then_some(()))
    })
    .await
    .unwrap();
    let toast = page.text(r#"#layers [data-testid="toast"]"#).await.unwrap();
    assert_eq!(
        toast.as_deref(),
        Some("Please choose up to 4 photos, videos, or GIFs.")
    );
    let fresh = page
        .eval(&format!(
            "document.querySelector({}).__before_upload === undefined",
            serde_json::Value::String(editor.into())
        ))
        .await
        .unwrap();
    assert_eq!(fresh, serde_json::Value::Bool(true), "editor re-rendered");
    assert_eq!(
        page.eval(&blocks).await.unwrap(),
        serde_json::json!(["a", "", "b"])
    );
    s.close().await;
    b.close().await;
    assert!(x.posts().is_empty());
    x.shutdown().await;
}

/// `find_existing` in a fresh context, as the runner calls it after an
/// attempt whose outcome is unknown.
async fn find_existing_with(
    b: &distroflow_browser::Browser,
    x: &Replica,
    me: &[Cookie],
    post: &Post,
) -> distroflow_core::Existing {
    let ctx = JobContext::new(x.url().parse().unwrap());
    let s = b.session(&ctx.base_url, me).await.unwrap();
    let healer = crate::healer();
    let page = healer.page(s.page(), PlatformId::X);
    let out = X.find_existing(&page, &ctx, post).await;
    page.finish();
    s.close().await;
    out.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn find_existing_finds_a_sent_post_and_only_that() {
    use distroflow_core::Existing;
    let x = replica(XOptions::default()).await;
    let b = browser().await;
    let me = session(&x);

    let never = Post::new("A post that was never sent");
    assert_eq!(
        find_existing_with(&b, &x, &me, &never).await,
        Existing::NotFound
    );

    let text = "Release notes  for 0.2\n\nwith two paragraphs 🚀";
    let sent = Post::new(text);
    let posted = post_with(&b, &X, &x.url(), &me, &sent).await.unwrap();
    // Another post after it: the match is by text, not "the newest".
    post_with(&b, &X, &x.url(), &me, &Post::new("Something else"))
        .await
        .unwrap();

    // Whitespace differences do not matter; the text does.
    let again = Post::new(" Release notes for 0.2\nwith two paragraphs 🚀 ");
    match find_existing_with(&b, &x, &me, &again).await {
        Existing::Found(found) => {
            assert_eq!(found.id, posted.id);
            assert_eq!(found.url, status_url(&x, &posted.id));
            assert_eq!(
                x.posts().iter().find(|p| p.id == found.id).unwrap().text,
                text
            );
        }
        other => panic!("expected Found, got {other:?}"),
    }
    assert_eq!(
        find_existing_with(&b, &x, &me, &never).await,
        Existing::NotFound
    );
    assert_eq!(x.posts().len(), 2);
    b.close().await;
    x.shutdown().await;
}
