//! `distroflow sandbox --home DIR`: a home logged in to every replica, so
//! that the ordinary commands work against the sandbox as against the
//! real sites, and the posts reach `history`.

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::harness::{http_get, signal, User};

#[tokio::test]
async fn sandbox_home_is_logged_in_everywhere_and_posts_reach_history() {
    let u = User::new();
    let dir = u.dir.path().join("sandbox-home");
    let mut child = u.spawn(&["sandbox", "--home", dir.to_str().unwrap()]);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut urls = Vec::new();
    let export = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let line = lines.next_line().await.unwrap().expect("sandbox stopped");
            if let Some(home) = line.strip_prefix("export DISTROFLOW_HOME=") {
                return home.to_string();
            }
            urls.push(line);
        }
    })
    .await
    .expect("the sandbox printed its export line");
    assert_eq!(export, dir.display().to_string());
    assert_eq!(urls.len(), 7, "{urls:?}");

    // Another shell, pointed at the sandbox home, with the default rate
    // limits (the sandbox home turns them off in its config).
    let mut shell = User::new();
    shell.set("DISTROFLOW_HOME", &export);
    shell.unset("DISTROFLOW_RATE_LIMITS");

    let out = shell.run(&["accounts", "--offline", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let accounts = out.json();
    assert_eq!(accounts.len(), 7, "{out:?}");
    for a in &accounts {
        assert_eq!(a["status"], "saved", "{a}");
        assert_eq!(a["username"], "sandbox", "{a}");
    }

    let png = std::fs::canonicalize("../../docs/example.png").unwrap();
    let args = [
        "post",
        "--json",
        "--to",
        "all",
        "--subreddit",
        "sandbox",
        "--title",
        "Sandbox home title",
        "--media",
        png.to_str().unwrap(),
        "Posted from a sandbox home",
    ];
    let out = shell.run(&args).await;
    assert_eq!(out.code, 0, "{out:?}");
    let results = out.json();
    assert_eq!(results.len(), 7, "{out:?}");
    for r in &results {
        assert_eq!(r["ok"], true, "{r}");
        let url = r["url"].as_str().unwrap();
        assert!(
            urls.iter()
                .any(|l| l.ends_with(&url[..url[7..].find('/').unwrap() + 7])),
            "{url} is on one of the sandbox's replicas {urls:?}"
        );
        // The post is on the replica with its text or title (on the sites
        // whose post pages are served as HTML to anyone; the others render
        // them in the browser, and their adapters read the text back).
        if ["hackernews", "reddit", "x", "instagram"].contains(&r["platform"].as_str().unwrap()) {
            let page = http_get(url).await;
            assert!(
                page.contains("Sandbox home title") || page.contains("Posted from a sandbox home"),
                "{url}: {page}"
            );
        }
    }
    // Again, at once: the rate limits are off in the sandbox home, and
    // the ledger still never posts the same thing twice: each platform
    // answers with the post already made.
    let out = shell.run(&args).await;
    assert_eq!(out.code, 0, "{out:?}");
    let again = out.json();
    assert_eq!(again.len(), 7, "{out:?}");
    for r in &again {
        assert_eq!(r["status"], "skipped", "{r}");
        let first = results
            .iter()
            .find(|f| f["platform"] == r["platform"])
            .unwrap();
        assert_eq!(r["url"], first["url"], "{r}");
    }

    let out = shell.run(&["history", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let history: Vec<Value> = out.json();
    let posted: Vec<&str> = history
        .iter()
        .filter(|h| h["state"] == "posted")
        .filter_map(|h| h["url"].as_str())
        .collect();
    for r in &results {
        assert!(posted.contains(&r["url"].as_str().unwrap()), "{history:?}");
    }

    // Every post got the sandbox's sample replies, which `replies` reads
    // from each replica like from the real site: four per post, the
    // second an answer to the first.
    let out = shell.run(&["replies", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    for r in &results {
        let platform = r["platform"].as_str().unwrap();
        let replies: Vec<&Value> = rows
            .iter()
            .filter(|x| x["type"] == "reply" && x["platform"] == platform)
            .collect();
        assert_eq!(replies.len(), 4, "{platform}: {out:?}");
        let q = replies
            .iter()
            .find(|x| x["text"] == "How does it handle two-factor logins?")
            .unwrap_or_else(|| panic!("{platform}: {out:?}"));
        let answer = replies
            .iter()
            .find(|x| {
                x["text"]
                    .as_str()
                    .unwrap()
                    .starts_with("Same question here")
            })
            .unwrap_or_else(|| panic!("{platform}: {out:?}"));
        assert_eq!(answer["parent"], q["id"], "{platform}: {out:?}");
    }

    signal(child.id().unwrap(), "INT");
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("the sandbox stops on Ctrl-C")
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

#[tokio::test]
async fn sandbox_home_never_writes_over_a_real_home() {
    let u = User::new();
    let real = u.dir.path().join("real-home");
    std::fs::create_dir_all(&real).unwrap();
    std::fs::write(real.join("config.toml"), "[post]\n").unwrap();
    let out = u.run(&["sandbox", "--home", real.to_str().unwrap()]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("is not a sandbox home"), "{out:?}");
    assert_eq!(
        std::fs::read_to_string(real.join("config.toml")).unwrap(),
        "[post]\n"
    );
    assert!(!real.join("auth").exists());
}
