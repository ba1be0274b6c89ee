//! LinkedIn end to end: `li_at` imported with `login --cookies` (checked on
//! the site), text and an image through whichever share box the member
//! has, and a checkpoint handed to the person.

use distroflow_replica::{LinkedIn, LinkedInOptions, ShareBox};

use crate::harness::User;

#[tokio::test(flavor = "multi_thread")]
async fn posts_through_both_share_boxes_and_stops_at_a_checkpoint() {
    let li = LinkedIn::start(LinkedInOptions::default()).await.unwrap();
    let mut u = User::new();
    u.set("DISTROFLOW_LINKEDIN_URL", &li.url());
    let f = u.cookie_file("li.json", "li_at", &li.session_cookie("sandbox").unwrap());
    let out = u
        .run(&["login", "linkedin", "--cookies", f.to_str().unwrap()])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("logged in as sandbox"), "{out:?}");

    let text = "Hello LinkedIn 👋 #rustlang\n\nA second paragraph.";
    let out = u
        .run(&[
            "post",
            "--to",
            "linkedin",
            "--media",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png"),
            "--json",
            text,
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let posts = li.posts();
    assert_eq!((posts[0].text.as_str(), posts[0].media), (text, 1));
    assert_eq!(
        out.json()[0]["url"],
        format!("{}/feed/update/{}/", li.url(), posts[0].urn)
    );

    li.set_share_box("sandbox", ShareBox::Sdui);
    let out = u.run(&["post", "--to", "linkedin", "SDUI too"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(li.posts()[1].text, "SDUI too");

    li.set_checkpoint(true);
    let out = u
        .run(&["post", "--to", "linkedin", "--json", "blocked"])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.json()[0]["error"]["kind"], "needs_human", "{out:?}");
    assert_eq!(li.posts().len(), 2);
}
