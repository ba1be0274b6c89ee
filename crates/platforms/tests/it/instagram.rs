use distroflow_core::{Media, Platform, Post};
use distroflow_platforms::Instagram;
use distroflow_replica::{Instagram as Replica, InstagramOptions};

use crate::reddit::TINY_PNG;
use crate::{browser, cookie, post_with};

fn with_image(text: &str, dir: &tempfile::TempDir, names: &[&str]) -> Post {
    let mut post = Post::new(text);
    for name in names {
        let path = dir.path().join(name);
        std::fs::write(&path, TINY_PNG).unwrap();
        post.media.push(Media::from_path(&path).unwrap());
    }
    post
}

#[tokio::test(flavor = "multi_thread")]
async fn image_and_caption_land_exactly_and_the_url_is_the_profiles_first_post() {
    let ig = Replica::start(InstagramOptions::default()).await.unwrap();
    let b = browser().await;
    let me = [cookie("sessionid", &ig.session_cookie("sandbox").unwrap())];
    let dir = tempfile::tempdir().unwrap();

    let caption = "Sunset 🌅 over the bay ✨\n\n夕日がきれい — 中文也行\n\n\n#sunset #photo";
    let post = with_image(caption, &dir, &["sunset.png"]);
    let posted = post_with(&b, &Instagram, &ig.url(), &me, &post)
        .await
        .unwrap();
    let posts = ig.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].caption, caption);
    assert_eq!(posts[0].media, vec!["sunset.png".to_string()]);
    assert_eq!(posts[0].user, "sandbox");
    assert_eq!(posted.id, posts[0].shortcode);
    assert_eq!(
        posted.url,
        format!("{}/p/{}/", ig.url(), posts[0].shortcode)
    );

    // A carousel; the URL is the newest post, first on the profile.
    let two = with_image("two", &dir, &["a.png", "b.png"]);
    let posted = post_with(&b, &Instagram, &ig.url(), &me, &two)
        .await
        .unwrap();
    let newest = ig.posts().pop().unwrap();
    assert_eq!(newest.media, vec!["a.png".to_string(), "b.png".to_string()]);
    assert_eq!(newest.caption, "two");
    assert_eq!(posted.id, newest.shortcode);

    // A share the site refuses is an error, not a post.
    ig.set_fail_next(true);
    let e = post_with(&b, &Instagram, &ig.url(), &me, &post)
        .await
        .unwrap_err();
    assert_eq!(e.kind().as_str(), "rejected", "{e}");
    assert!(
        e.to_string().contains("Your post couldn't be shared"),
        "{e}"
    );
    assert_eq!(ig.posts().len(), 2);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_image_challenge_and_logged_out_post_nothing() {
    let ig = Replica::start(InstagramOptions::default()).await.unwrap();
    let b = browser().await;
    let me = [cookie("sessionid", &ig.session_cookie("sandbox").unwrap())];
    let dir = tempfile::tempdir().unwrap();

    let e = Instagram.validate(&Post::new("text only")).unwrap_err();
    assert_eq!(e.kind().as_str(), "invalid_content");
    assert_eq!(e.to_string(), "Instagram needs at least one image or video");

    let post = with_image("hello", &dir, &["x.png"]);
    let e = post_with(&b, &Instagram, &ig.url(), &[], &post)
        .await
        .unwrap_err();
    assert!(e.is_auth(), "{e}");
    assert!(e.hint().unwrap().contains("distroflow login instagram"));

    ig.set_challenge(true);
    let e = post_with(&b, &Instagram, &ig.url(), &me, &post)
        .await
        .unwrap_err();
    assert!(e.is_needs_human(), "{e}");
    assert!(e.to_string().contains("security check"), "{e}");
    assert!(ig.posts().is_empty());

    ig.set_challenge(false);
    post_with(&b, &Instagram, &ig.url(), &me, &post)
        .await
        .unwrap();
    assert_eq!(ig.posts().len(), 1);
    b.close().await;
}

/// `find_existing` in a fresh context, as the runner calls it after an
/// attempt whose outcome is unknown.
async fn find_existing_with(
    b: &distroflow_browser::Browser,
    ig: &Replica,
    me: &[distroflow_core::Cookie],
    post: &Post,
) -> distroflow_core::Existing {
    let ctx = distroflow_core::JobContext::new(ig.url().parse().unwrap());
    let s = b.session(&ctx.base_url, me).await.unwrap();
    let healer = crate::healer();
    let page = healer.page(s.page(), distroflow_core::PlatformId::Instagram);
    let out = Instagram.find_existing(&page, &ctx, post).await;
    page.finish();
    s.close().await;
    out.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn find_existing_matches_the_caption_of_a_shared_post() {
    use distroflow_core::Existing;
    let ig = Replica::start(InstagramOptions::default()).await.unwrap();
    let b = browser().await;
    let me = [cookie("sessionid", &ig.session_cookie("sandbox").unwrap())];
    let dir = tempfile::tempdir().unwrap();

    let never = with_image("A caption never shared", &dir, &["n.png"]);
    assert_eq!(
        find_existing_with(&b, &ig, &me, &never).await,
        Existing::NotFound
    );

    let caption = "Harbour at dusk 🌆\n\nsecond paragraph #harbour";
    let post = with_image(caption, &dir, &["harbour.png"]);
    let posted = post_with(&b, &Instagram, &ig.url(), &me, &post)
        .await
        .unwrap();
    // A newer post: the match is by caption, not "the newest".
    post_with(
        &b,
        &Instagram,
        &ig.url(),
        &me,
        &with_image("later", &dir, &["later.png"]),
    )
    .await
    .unwrap();

    let again = with_image(
        " Harbour at dusk 🌆\nsecond paragraph #harbour ",
        &dir,
        &["harbour.png"],
    );
    match find_existing_with(&b, &ig, &me, &again).await {
        Existing::Found(found) => {
            assert_eq!(found.id, posted.id);
            assert_eq!(found.url, format!("{}/p/{}/", ig.url(), posted.id));
            let shared = ig.posts();
            let p = shared.iter().find(|p| p.shortcode == found.id).unwrap();
            assert_eq!(p.caption, caption);
        }
        other => panic!("expected Found, got {other:?}"),
    }
    assert_eq!(
        find_existing_with(&b, &ig, &me, &never).await,
        Existing::NotFound
    );
    assert_eq!(ig.posts().len(), 2);
    b.close().await;
}

/// Every UI version the replica serves (reworded buttons and caption label,
/// a restructured dialog behind a "New: reels" notice), each with a fresh
/// healer that records its repairs: the exact caption and media land, one
/// post per attempt, and what was repaired was repaired without the model.
#[tokio::test(flavor = "multi_thread")]
async fn posting_survives_every_ui_version() {
    use std::collections::BTreeSet;

    use distroflow_core::{Home, JobContext, PlatformId};
    use distroflow_healer::{read_repairs, Healer, SelectorBook};

    let b = browser().await;
    let files = tempfile::tempdir().unwrap();
    for &ui in distroflow_replica::INSTAGRAM_UI_VERSIONS {
        let ig = Replica::start(InstagramOptions {
            ui_version: ui,
            ..InstagramOptions::default()
        })
        .await
        .unwrap();
        let me = [cookie("sessionid", &ig.session_cookie("sandbox").unwrap())];
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let book = SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES).unwrap();
        let healer = Healer::new(book, Some(home.clone())).unwrap();

        let caption = format!("Shared on ui {ui} ✓\n\nsecond paragraph #drift");
        let names = [format!("ui{ui}a.png"), format!("ui{ui}b.png")];
        let post = with_image(&caption, &files, &[&names[0], &names[1]]);
        Instagram.validate(&post).unwrap();
        let ctx = JobContext::new(ig.url().parse().unwrap());
        let s = b.session(&ctx.base_url, &me).await.unwrap();
        let page = healer.page(s.page(), PlatformId::Instagram);
        let posted = Instagram.post(&page, &ctx, &post).await;
        page.finish();
        s.close().await;
        let posted = posted.unwrap_or_else(|e| panic!("ui {ui}: {e}"));

        let posts = ig.posts();
        assert_eq!(posts.len(), 1, "ui {ui}");
        assert_eq!(posts[0].caption, caption, "ui {ui}");
        assert_eq!(posts[0].media, names.to_vec(), "ui {ui}");
        assert_eq!(posted.id, posts[0].shortcode);
        assert_eq!(
            posted.url,
            format!("{}/p/{}/", ig.url(), posts[0].shortcode)
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
                    .all(|r| r.confirmed && r.platform == "instagram" && r.tier != "model"),
                "ui {ui}: {repairs:?}"
            );
            let expected = BTreeSet::from([
                "instagram.create.caption",
                "instagram.create.next",
                "instagram.create.share",
            ]);
            assert_eq!(repaired, expected, "ui {ui}: {repairs:?}");
        }
        ig.shutdown().await;
    }
    b.close().await;
}
