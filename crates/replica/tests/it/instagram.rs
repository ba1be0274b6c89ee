//! The Instagram replica over real HTTP: sessions, the challenge, the
//! upload and configure calls, profiles and post pages, and class names
//! that change on every load. The create dialog's browser behaviour is
//! tested through the adapter in distroflow-platforms.

use distroflow_replica::{Instagram, InstagramOptions};

use crate::reddit::{form, send, Reply};

const FORM: &str = "application/x-www-form-urlencoded";

struct Site {
    ig: Instagram,
    cookie: String,
}

impl Site {
    async fn start() -> Site {
        let ig = Instagram::start(InstagramOptions::default()).await.unwrap();
        let cookie = format!("sessionid={}", ig.session_cookie("sandbox").unwrap());
        Site { ig, cookie }
    }

    async fn get(&self, path: &str) -> Reply {
        send(&self.ig.url(), "GET", path, Some(&self.cookie), "", b"").await
    }

    async fn upload(&self, name: &str) -> Reply {
        let url = self.ig.url();
        let addr = url.strip_prefix("http://").unwrap();
        // The entity name travels in a header; send it by hand.
        let body = b"\x89PNG\r\n\x1a\nfake";
        let head = format!(
            "POST /rupload_igphoto/fb_uploader_1 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {}\r\nContent-Type: image/png\r\nX-Entity-Name: {name}\r\nContent-Length: {}\r\n\r\n",
            self.cookie,
            body.len()
        );
        raw(addr, head.as_bytes(), body).await
    }

    async fn configure(&self, ids: &str, caption: &str) -> Reply {
        send(
            &self.ig.url(),
            "POST",
            "/api/v1/media/configure/",
            Some(&self.cookie),
            FORM,
            &form(&[("upload_ids", ids), ("caption", caption)]),
        )
        .await
    }
}

async fn raw(addr: &str, head: &[u8], body: &[u8]) -> Reply {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(head).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    // Small JSON answers come with a content length, never chunked.
    Reply {
        status,
        headers: Vec::new(),
        body: body.to_owned(),
    }
}

/// The class attribute of the first `<a` on the page.
fn first_link_class(body: &str) -> String {
    let start = body.find("<a class=\"").unwrap() + "<a class=\"".len();
    let end = body[start..].find('"').unwrap() + start;
    body[start..end].to_owned()
}

#[tokio::test]
async fn sessions_pages_and_changing_class_names() {
    let site = Site::start().await;
    let url = site.ig.url();

    let out = send(&url, "GET", "/", None, "", b"").await;
    assert_eq!(out.status, 302);
    assert_eq!(out.header("location"), Some("/accounts/login/?next=%2F"));
    let login = send(&url, "GET", "/accounts/login/", None, "", b"").await;
    assert!(login.body.contains("name=\"username\""));
    assert!(login.body.contains("name=\"password\" type=\"password\""));

    let bad = send(
        &url,
        "POST",
        "/accounts/login/",
        None,
        FORM,
        &form(&[("username", "sandbox"), ("password", "nope")]),
    )
    .await;
    assert!(bad.body.contains("Sorry, your password was incorrect."));
    let good = send(
        &url,
        "POST",
        "/accounts/login/",
        None,
        FORM,
        &form(&[("username", "sandbox"), ("password", "sandbox")]),
    )
    .await;
    assert_eq!(good.status, 302);
    let set = good.header("set-cookie").unwrap();
    assert!(
        set.starts_with(&format!("{}; Path=/", site.cookie)),
        "{set}"
    );

    let home = site.get("/").await;
    assert_eq!(home.status, 200);
    for needle in [
        "<svg aria-label=\"Home\"",
        "<svg aria-label=\"New post\"",
        "<span class=\"",
        ">Create</span></a>",
        "href=\"/sandbox/\" role=\"link\"",
        "alt=\"sandbox's profile picture\"",
        ">Profile</span></a>",
        "ReplicaLexical",
        "aria-label=\"Create new post\"",
        "Drag photos and videos here",
        "Select from computer",
        "image/jpeg,image/png,image/heic,image/heif,video/mp4,video/quicktime",
        "Write a caption...",
        "Your post has been shared.",
        "Your post couldn't be shared",
    ] {
        assert!(home.body.contains(needle), "missing {needle}");
    }
    let again = site.get("/").await;
    let (a, b) = (first_link_class(&home.body), first_link_class(&again.body));
    assert_ne!(a, b, "class names must change on every load");
    assert!(
        a.split(' ').all(|t| t.starts_with('x') && t.len() >= 7),
        "{a}"
    );

    assert_eq!(site.get("/nobody_here/").await.status, 404);
    assert!(site
        .get("/p/Cxxxxxxxxxx/")
        .await
        .body
        .contains("Sorry, this page isn't available."));

    site.ig.set_challenge(true);
    for path in ["/", "/sandbox/"] {
        let r = site.get(path).await;
        assert_eq!(r.status, 302, "{path}");
        assert!(r.header("location").unwrap().starts_with("/challenge/"));
    }
    let check = site.get("/challenge/").await;
    assert!(check.body.contains("Help us confirm it's you"));
    assert_eq!(site.upload("a.png").await.status, 400);
    site.ig.set_challenge(false);
    assert_eq!(site.get("/").await.status, 200);
    site.ig.shutdown().await;
}

#[tokio::test]
async fn upload_configure_profile_and_post_page() {
    let site = Site::start().await;
    let up = site.upload("my%20photo.png").await;
    assert_eq!(up.status, 200, "{}", up.body);
    let v: serde_json::Value = serde_json::from_str(&up.body).unwrap();
    assert_eq!(v["status"], "ok");
    let id = v["upload_id"].as_str().unwrap().to_owned();

    site.ig.set_fail_next(true);
    let failed = site.configure(&id, "x").await;
    assert_eq!(failed.status, 400);
    assert!(failed.body.contains("Your post couldn't be shared"));
    assert!(site.ig.posts().is_empty());

    let caption = "line one ✨\n\n中文 <b>not bold</b>";
    let ok = site.configure(&id, caption).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let v: serde_json::Value = serde_json::from_str(&ok.body).unwrap();
    let code = v["media"]["code"].as_str().unwrap().to_owned();
    let posts = site.ig.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].shortcode, code);
    assert_eq!(posts[0].caption, caption);
    assert_eq!(posts[0].media, vec!["my photo.png".to_string()]);

    let second = site.configure(&id, "second").await;
    let code2 = serde_json::from_str::<serde_json::Value>(&second.body).unwrap()["media"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let profile = site.get("/sandbox/").await;
    let first = profile.body.find(&format!("href=\"/p/{code2}/\"")).unwrap();
    let older = profile.body.find(&format!("href=\"/p/{code}/\"")).unwrap();
    assert!(first < older, "newest first");

    let page = site.get(&format!("/p/{code}/")).await;
    assert!(page
        .body
        .contains("line one ✨<br><br>中文 &lt;b&gt;not bold&lt;/b&gt;</h1>"));

    let anon = send(
        &site.ig.url(),
        "POST",
        "/api/v1/media/configure/",
        None,
        FORM,
        &form(&[("upload_ids", &id), ("caption", "x")]),
    )
    .await;
    assert_eq!(anon.status, 403);
    let none = site.configure("", "x").await;
    assert_eq!(none.status, 400);
    assert_eq!(site.ig.posts().len(), 2);
    site.ig.shutdown().await;
}

#[tokio::test]
async fn pages_name_the_ui_version_the_app_renders() {
    let site = Site::start().await;
    assert_eq!(distroflow_replica::INSTAGRAM_UI_VERSIONS, &[0, 1, 2]);
    let home = site.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("const UI = 0;"));
    site.ig.set_ui_version(2);
    for path in ["/", "/sandbox/"] {
        let page = site.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.contains("const UI = 2;"), "{path}");
        // The sidebar the adapter starts from is the same in every version.
        assert!(page.body.contains("svg aria-label=\"New post\""), "{path}");
    }
}
