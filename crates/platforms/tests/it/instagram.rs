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
