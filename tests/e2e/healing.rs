//! Self-healing through the binary: a redesigned site still gets the post,
//! every repair is in `heal log`, and working selectors can be shared.

use distroflow_replica::{HackerNews, HnOptions};

use crate::harness::User;

#[tokio::test(flavor = "multi_thread")]
async fn a_redesigned_site_is_repaired_recorded_and_shareable() {
    let hn = HackerNews::start(HnOptions {
        ui_version: 2,
        ..HnOptions::default()
    })
    .await
    .unwrap();
    let u = User::logged_in_to_hn(&hn.url()).await;
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "Healed",
            "--url",
            "https://example.com/healed",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let s = &hn.stories()[0];
    assert_eq!(
        (s.title.as_str(), s.url.as_deref()),
        ("Healed", Some("https://example.com/healed"))
    );

    let log = u.run(&["heal", "log", "--json"]).await;
    let rows = log.json();
    assert!(!rows.is_empty(), "{log:?}");
    for r in &rows {
        for key in ["platform", "target", "tier", "selector", "score"] {
            assert!(!r[key].is_null(), "{key} missing in {r}");
        }
        assert_eq!(r["platform"], "hackernews");
        let time = r["time"].as_str().unwrap_or_default();
        assert!(
            time.parse::<jiff::Timestamp>().is_ok() && time.ends_with('Z'),
            "time is RFC 3339: {r}"
        );
        assert_ne!(r["tier"], "model", "no model is configured");
    }
    assert!(rows
        .iter()
        .any(|r| r["target"] == "hackernews.submit.title" && r["tier"] == "similarity"));
    let human = u.run(&["heal", "log"]).await;
    assert!(human.stdout.contains("model calls: 0"), "{human:?}");
    let first = human.stdout.lines().next().unwrap_or_default();
    let stamp = first.split_whitespace().next().unwrap_or_default();
    assert!(
        stamp.parse::<jiff::Timestamp>().is_ok(),
        "human lines start with an RFC 3339 time: {first}"
    );

    // The learned selectors are used directly the next time: no new repair.
    let before = rows.len();
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "Again",
            "--url",
            "https://example.com/2",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let after = u.run(&["heal", "log", "--json"]).await.json();
    assert!(
        after[before..].iter().all(|r| r["tier"] == "alternatives"),
        "second run uses learned selectors: {:?}",
        &after[before..]
    );

    let list = u.run(&["selectors", "list", "hn", "--json"]).await.json();
    let title = list
        .iter()
        .find(|t| t["target"] == "hackernews.submit.title")
        .unwrap();
    assert!(!title["learned"].as_array().unwrap().is_empty(), "{title}");

    // Share: export from this machine, import on another, which then posts
    // to the redesigned site without any similarity search.
    let exported = u.run(&["selectors", "export", "hackernews"]).await;
    assert_eq!(exported.code, 0);
    let mut other = User::new();
    other.set("DISTROFLOW_HACKERNEWS_URL", &hn.url());
    let f = other.file("hn-selectors.toml", &exported.stdout);
    let out = other
        .run(&["selectors", "import", f.to_str().unwrap()])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = other
        .run_with_stdin(
            &["login", "hn", "--username", "sandbox", "--password-stdin"],
            Some("sandbox"),
        )
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = other
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "Shared",
            "--url",
            "https://example.com/3",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let theirs = other.run(&["heal", "log", "--json"]).await.json();
    assert!(
        theirs.iter().all(|r| r["tier"] != "similarity"),
        "{theirs:?}"
    );

    let bad = other.file("bad.toml", "format = 9\n");
    let out = other
        .run(&["selectors", "import", bad.to_str().unwrap()])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("bad.toml"), "{out:?}");

    let out = u.run(&["selectors", "reset"]).await;
    assert_eq!(out.code, 0);
    let list = u.run(&["selectors", "list", "hn", "--json"]).await.json();
    assert!(list
        .iter()
        .all(|t| t["learned"].as_array().unwrap().is_empty()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_step_nothing_can_repair_leaves_a_debug_bundle_named_in_the_error() {
    let hn = HackerNews::start(HnOptions {
        ui_version: distroflow_replica::HN_UI_BROKEN,
        ..HnOptions::default()
    })
    .await
    .unwrap();
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &hn.url());
    let cookie = hn.session_cookie("sandbox").unwrap();
    let f = u.cookie_file("c.json", "user", &cookie);
    assert_eq!(
        u.run(&["login", "hn", "--cookies", f.to_str().unwrap()])
            .await
            .code,
        0
    );
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "T",
            "--url",
            "https://e.com/b",
            "--json",
        ])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    let r = &out.json()[0];
    assert_eq!(r["error"]["kind"], "not_found", "{out:?}");
    let message = r["error"]["message"].as_str().unwrap();
    let dir = &crate::harness::debug_bundles(message)[0];
    assert!(dir.starts_with(u.home().join("runs")), "{message}");
    for file in ["screenshot.png", "page.html", "steps.txt", "error.txt"] {
        assert!(dir.join(file).exists(), "{file} in {}", dir.display());
    }
    let html = std::fs::read_to_string(dir.join("page.html")).unwrap();
    assert!(
        html.contains("Submissions are closed"),
        "the page as it was"
    );
    let steps = std::fs::read_to_string(dir.join("steps.txt")).unwrap();
    assert!(
        steps.contains("hackernews.submit.title: not found"),
        "{steps}"
    );
    assert!(hn.stories().is_empty());
}

/// A home from before the store held the healer's memory: its
/// `healer-v1/state.json` is moved into the store on first use, so that
/// nothing learned is lost, and the old file is renamed, not re-read.
#[tokio::test(flavor = "multi_thread")]
async fn an_old_healer_state_file_is_moved_into_the_store() {
    let u = User::new();
    let dir = u.home().join("healer-v1");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("state.json"),
        r#"{"learned":{"hackernews.submit.title":["input#t2","input#t1"]},"fingerprints":{},"model_calls":{}}"#,
    )
    .unwrap();
    let list = u.run(&["selectors", "list", "hn", "--json"]).await;
    assert_eq!(list.code, 0, "{list:?}");
    let title = list
        .json()
        .into_iter()
        .find(|t| t["target"] == "hackernews.submit.title")
        .unwrap();
    assert_eq!(
        title["learned"],
        serde_json::json!(["input#t2", "input#t1"])
    );
    assert!(!dir.join("state.json").exists());
    assert!(dir.join("state.json.migrated").exists());
    assert!(u.home().join("store.sqlite3").exists());
}

/// `selectors export` writes every field of every target of every platform
/// (candidates in order, `expect`, `destructive`), so exporting on one
/// machine and importing on another changes nothing: the second machine
/// exports the very same file.
#[tokio::test(flavor = "multi_thread")]
async fn selectors_export_then_import_is_lossless() {
    let a = User::new();
    // No built-in target is destructive: mark one, so that the flag is
    // part of what must survive.
    let mark = a.file(
        "mark.toml",
        "format = 1\n[targets.\"hackernews.login.button\"]\ncandidates = ['#login-button']\ndestructive = true\n",
    );
    let out = a
        .run(&["selectors", "import", mark.to_str().unwrap()])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let exported = a.run(&["selectors", "export"]).await;
    assert_eq!(exported.code, 0, "{exported:?}");
    let text = &exported.stdout;
    for platform in ["hackernews", "reddit", "x", "instagram"] {
        assert!(
            text.contains(&format!("[targets.\"{platform}.")),
            "{platform} exported"
        );
    }
    assert!(text.contains("destructive = true"), "destructive kept");
    assert!(text.contains(".expect]"), "expect kept");

    let b = User::new();
    let f = b.file("all.toml", text);
    let out = b.run(&["selectors", "import", f.to_str().unwrap()]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let again = b.run(&["selectors", "export"]).await;
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(
        &again.stdout, text,
        "export -> import -> export is the identity"
    );
}

/// `selectors import` refuses a file that names a target DistroFlow does
/// not have, or a selector no browser would take: exit 2, the line and
/// target named, nothing imported.
#[tokio::test(flavor = "multi_thread")]
async fn selectors_import_refuses_unknown_targets_and_invalid_selectors() {
    let u = User::new();
    let unknown = u.file(
        "typo.toml",
        "format = 1\n\n[targets.\"hackernews.submit.titel\"]\ncandidates = ['input#title']\n",
    );
    let out = u
        .run(&["selectors", "import", unknown.to_str().unwrap()])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("typo.toml"), "{out:?}");
    assert!(
        out.stderr
            .contains("line 3: unknown target `hackernews.submit.titel`"),
        "{out:?}"
    );
    assert!(out.stderr.contains("selectors list"), "a hint: {out:?}");

    let broken = u.file(
        "broken.toml",
        "format = 1\n[targets.\"hackernews.submit.title\"]\ncandidates = [\n  'input#title',\n  'input[name=\"title\"',\n]\n",
    );
    let out = u
        .run(&["selectors", "import", broken.to_str().unwrap()])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(
            "line 5: target `hackernews.submit.title`: `input[name=\"title\"` is not a valid selector"
        ),
        "{out:?}"
    );
    assert!(!u.home().join("selectors").exists(), "nothing was imported");
}
