//! Whole-run behaviour: deadlines, Ctrl-C, the sandbox server, config.toml.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

use crate::harness::{black_hole, signal, User};

fn saved_cookie(u: &User) {
    let f = u.file(
        "c.json",
        r#"[{"name":"user","value":"sandbox&x","domain":"127.0.0.1"}]"#,
    );
    let path = f.to_str().unwrap().to_string();
    let status = std::process::Command::new(crate::harness::BIN)
        .args(["login", "hn", "--cookies", &path, "--no-check"])
        .envs(u.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hung_site_times_out_with_a_clear_error() {
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &black_hole().await);
    saved_cookie(&u);
    std::fs::write(
        u.home().join("config.toml"),
        "[browser]\njob_timeout_secs = 3\n",
    )
    .unwrap();
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "T",
            "--url",
            "https://e.com",
            "--json",
        ])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    let r = &out.json()[0];
    assert_eq!(r["error"]["kind"], "timeout", "{out:?}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Hacker News"),
        "{out:?}"
    );
    assert!(
        u.leftover_browsers().is_empty(),
        "{:?}",
        u.leftover_browsers()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_closes_the_browser_and_exits_130() {
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &black_hole().await);
    saved_cookie(&u);
    let mut child = u.spawn(&[
        "post",
        "--to",
        "hn",
        "--title",
        "T",
        "--url",
        "https://e.com",
    ]);
    // Wait until this run's Chromium is up, then interrupt.
    let tmp = u.dir.path().join("tmp").display().to_string();
    let mut started = false;
    for _ in 0..100 {
        if std::fs::read_dir(&tmp)
            .map(|d| d.count() > 0)
            .unwrap_or(false)
        {
            started = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(started, "Chromium profile never appeared");
    tokio::time::sleep(Duration::from_millis(500)).await;
    signal(child.id().unwrap(), "INT");
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("exits after Ctrl-C")
        .unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .await
        .unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    assert!(
        u.leftover_browsers().is_empty(),
        "{:?}",
        u.leftover_browsers()
    );
}

/// `login` checking cookies on a site that never answers: Ctrl-C closes its
/// browser and exits 130 as `post` does.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_during_login_exits_130_too() {
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &black_hole().await);
    let cookies = u.cookie_file("c.json", "user", "v");
    let mut child = u.spawn(&["login", "hn", "--cookies", cookies.to_str().unwrap()]);
    let tmp = u.dir.path().join("tmp");
    for _ in 0..100 {
        if std::fs::read_dir(&tmp)
            .map(|d| d.count() > 0)
            .unwrap_or(false)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    signal(child.id().unwrap(), "INT");
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("exits after Ctrl-C")
        .unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(
        !u.home().join("auth").join("hackernews.json").exists(),
        "nothing saved"
    );
    assert!(
        u.leftover_browsers().is_empty(),
        "{:?}",
        u.leftover_browsers()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_serves_replicas_until_interrupted() {
    let u = User::new();
    let mut child = u.spawn(&["sandbox"]);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut urls = std::collections::BTreeMap::new();
    while urls.len() < 4 {
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("prints the replica URLs")
            .unwrap()
            .expect("four URL lines");
        let (platform, url) = line.split_once(' ').expect(&line);
        assert!(url.starts_with("http://127.0.0.1:"), "{line}");
        urls.insert(platform.to_string(), url.to_string());
    }
    assert_eq!(
        urls.keys().cloned().collect::<Vec<_>>(),
        ["hackernews", "instagram", "reddit", "x"]
    );
    let url = urls["hackernews"].clone();

    let mut me = User::new();
    me.set("DISTROFLOW_HACKERNEWS_URL", &url);
    let out = me
        .run_with_stdin(
            &["login", "hn", "--username", "sandbox", "--password-stdin"],
            Some("sandbox"),
        )
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = me
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "Via the sandbox",
            "--url",
            "https://example.com/sb",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains(&format!("{url}/item?id=")), "{out:?}");

    signal(child.id().unwrap(), "INT");
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn config_toml_sets_the_platform_url_and_env_wins() {
    let hn = distroflow_replica::HackerNews::start(Default::default())
        .await
        .unwrap();
    let mut u = User::new();
    std::fs::create_dir_all(u.home()).unwrap();
    std::fs::write(
        u.home().join("config.toml"),
        format!("[platforms.hn]\nurl = \"{}\"\n", hn.url()),
    )
    .unwrap();
    let out = u
        .run_with_stdin(
            &["login", "hn", "--username", "sandbox", "--password-stdin"],
            Some("sandbox"),
        )
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "Configured",
            "--url",
            "https://e.com/c",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(hn.stories()[0].title, "Configured");

    u.set("DISTROFLOW_HACKERNEWS_URL", "http://127.0.0.1:9");
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "Env wins",
            "--url",
            "https://e.com/e",
            "--json",
        ])
        .await;
    assert_eq!(out.json()[0]["error"]["kind"], "network", "{out:?}");

    std::fs::write(
        u.home().join("config.toml"),
        "[platforms.myspace]\nurl = \"x\"\n",
    )
    .unwrap();
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "T",
            "--url",
            "https://e.com",
        ])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("myspace") && out.stderr.contains("config.toml"),
        "{out:?}"
    );
}
