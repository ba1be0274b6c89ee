//! One validation: `check`, `post --dry-run` and `post` give the same
//! verdict on the same input, for every platform, before any browser.

use crate::harness::{recording_chrome, User};

/// A 1x1 PNG.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0,
    1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0a, 0x49, 0x44, 0x41, 0x54,
    0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82,
];

/// One input: `--to`, the other arguments, and whether every target takes it.
struct Case {
    to: &'static str,
    args: Vec<String>,
    valid: bool,
}

fn case(to: &'static str, args: &[&str], valid: bool) -> Case {
    Case {
        to,
        args: args.iter().map(|s| s.to_string()).collect(),
        valid,
    }
}

fn cases(png: &str) -> Vec<Case> {
    let a281 = "a".repeat(281);
    let t81 = "t".repeat(81);
    let t301 = "t".repeat(301);
    let tags31: String = (0..31).map(|i| format!("#t{i} ")).collect();
    let five: Vec<&str> = std::iter::repeat_n(["--media", png], 5).flatten().collect();
    let eleven: Vec<&str> = std::iter::repeat_n(["--media", png], 11)
        .flatten()
        .collect();
    let text_for_long = format!("x={a281}");
    let mut x5 = five.clone();
    x5.push("five");
    let mut ig11 = eleven.clone();
    ig11.push("eleven");
    vec![
        // X
        case("x", &["hello"], true),
        case("x", &[""], false),
        case("x", &[&a281], false),
        case("x", &["--split", &a281], true),
        case("x", &["--truncate", &a281], true),
        case("x", &["--media", png, ""], true),
        case("x", &x5, false),
        case("x", &["bad \u{FEFF} char"], false),
        case(
            "x",
            &["--title", "two\nlines", "X has no title field"],
            true,
        ),
        // Reddit
        case(
            "reddit",
            &["--subreddit", "rust", "--title", "T", "body"],
            true,
        ),
        case("reddit", &["--title", "T", "body"], false),
        case("reddit", &["--subreddit", "rust", "body"], false),
        case(
            "reddit",
            &[
                "--subreddit",
                "r/rust",
                "--title",
                "T",
                "--url",
                "https://e.com",
            ],
            true,
        ),
        case(
            "reddit",
            &["--subreddit", "rust", "--title", "T", "--url", "ftp://x"],
            false,
        ),
        case(
            "reddit",
            &["--subreddit", "a-b", "--title", "T", "body"],
            false,
        ),
        case(
            "reddit",
            &["--subreddit", "rust", "--title", &t301, "body"],
            false,
        ),
        case(
            "reddit",
            &["--subreddit", "rust", "--title", &t301, "--truncate", "b"],
            true,
        ),
        case(
            "reddit",
            &["--subreddit", "rust", "--title", "two\nlines", "body"],
            false,
        ),
        case(
            "reddit",
            &["--subreddit", "rust", "--title", "T", "--flair", "OC", "b"],
            true,
        ),
        // Hacker News
        case("hn", &["--title", "T", "--url", "https://e.com"], true),
        case("hn", &["--title", "T", "a text post"], true),
        case("hn", &["--title", "T"], false),
        case("hn", &["--url", "https://e.com"], false),
        case("hn", &["--title", &t81, "--url", "https://e.com"], false),
        case(
            "hn",
            &["--title", &t81, "--url", "https://e.com", "--truncate"],
            true,
        ),
        case(
            "hn",
            &["--title", "two\r\nlines", "--url", "https://e.com"],
            false,
        ),
        case(
            "hn",
            &["--title", "#Rust tips", "--url", "https://e.com"],
            true,
        ),
        // Instagram
        case("instagram", &["caption"], false),
        case("instagram", &["--media", png, "caption"], true),
        case("instagram", &["--media", png, &tags31], false),
        case("instagram", &ig11, false),
        // Several at once
        case(
            "all",
            &[
                "--subreddit",
                "rust",
                "--title",
                "T",
                "--media",
                png,
                "hello",
            ],
            true,
        ),
        case("all", &["--title", "T", "--media", png, "hello"], false),
        case(
            "x,hn",
            &["--title", "T", "--text-for", "x=short", &"long ".repeat(80)],
            true,
        ),
        case(
            "x,hn",
            &["--title", "T", "--text-for", &text_for_long, "short"],
            false,
        ),
        case(
            "x,reddit",
            &["--subreddit", "rust", "--title", "T", "#tag text"],
            true,
        ),
        case(
            "hn,reddit",
            &[
                "--subreddit",
                "rust",
                "--title",
                "a\nb",
                "--url",
                "https://e.com",
            ],
            false,
        ),
    ]
}

fn args<'a>(command: &[&'a str], c: &'a Case) -> Vec<&'a str> {
    let mut v: Vec<&str> = command.to_vec();
    v.extend(["--to", c.to]);
    v.extend(c.args.iter().map(String::as_str));
    v
}

fn valid_flags(out: &crate::harness::Output) -> Vec<(String, bool)> {
    out.json()
        .iter()
        .map(|v| {
            let errors = v["errors"].as_array().map_or(0, Vec::len);
            let valid = v["valid"].as_bool().unwrap();
            assert_eq!(valid, errors == 0, "valid with errors: {v}");
            (v["platform"].as_str().unwrap().to_string(), valid)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn check_dry_run_and_post_agree_on_every_input() {
    let mut u = User::new();
    let (chrome, marker) = recording_chrome(&u);
    u.set("DISTROFLOW_CHROME", chrome.to_str().unwrap());
    let png = u.dir.path().join("pic.png");
    std::fs::write(&png, PNG).unwrap();
    let png = png.to_str().unwrap().to_string();
    let all = cases(&png);
    assert!(all.len() >= 30);
    for c in &all {
        let what = format!("--to {} {:?}", c.to, c.args);
        let check = u.run(&args(&["check", "--json"], c)).await;
        let dry = u
            .run(&args(&["post", "--sandbox", "--dry-run", "--json"], c))
            .await;
        let _ = std::fs::remove_file(&marker);
        let post = u.run(&args(&["post", "--sandbox"], c)).await;
        let started = marker.exists();

        assert_eq!(
            check.code,
            if c.valid { 0 } else { 1 },
            "check {what}: {check:?}"
        );
        let verdicts = valid_flags(&check);
        assert_eq!(
            verdicts.iter().all(|(_, v)| *v),
            c.valid,
            "check {what}: {check:?}"
        );
        assert_eq!(valid_flags(&dry), verdicts, "dry run {what}: {dry:?}");
        if c.valid {
            assert_ne!(dry.code, 2, "dry run {what}: {dry:?}");
            // Past validation: the browser was asked for (a stand-in
            // that fails, so nothing is posted).
            assert!(started, "post {what} did not reach the browser: {post:?}");
            assert_eq!(post.code, 1, "post {what}: {post:?}");
        } else {
            assert_eq!(dry.code, 2, "dry run {what}: {dry:?}");
            assert_eq!(post.code, 2, "post {what}: {post:?}");
            assert!(!started, "post {what} started a browser: {post:?}");
            // Each refusal once, with its own hint.
            let errors: Vec<&str> = post
                .stderr
                .lines()
                .filter(|l| l.starts_with("error: "))
                .collect();
            let unique: std::collections::HashSet<_> = errors.iter().collect();
            assert_eq!(errors.len(), unique.len(), "post {what}: {post:?}");
            assert!(
                !post.stderr.contains("shorten or complete the post"),
                "post {what}: {post:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn check_all_means_the_platforms_post_can_reach() {
    let u = User::new();
    let out = u.run(&["check", "--to", "all", "--json", "hello"]).await;
    let platforms: Vec<String> = out
        .json()
        .iter()
        .map(|v| v["platform"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        platforms,
        [
            "x",
            "reddit",
            "hackernews",
            "instagram",
            "bluesky",
            "mastodon",
            "linkedin"
        ]
    );
    let dry = u
        .run(&["post", "--dry-run", "--to", "all", "--json", "hello"])
        .await;
    let posted: Vec<String> = dry
        .json()
        .iter()
        .map(|v| v["platform"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(posted, platforms);
    let out = u.run(&["check", "--to", "linkedin", "hi"]).await;
    assert_eq!(out.code, 0, "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn schedule_and_the_daemon_validate_the_same_way() {
    let mut u = User::new();
    let (chrome, marker) = recording_chrome(&u);
    u.set("DISTROFLOW_CHROME", chrome.to_str().unwrap());
    u.set("DISTROFLOW_HACKERNEWS_URL", "http://127.0.0.1:9");
    // The same refusal as `post`: exit 2, nothing queued.
    let out = u
        .run(&[
            "schedule", "--at", "in 1h", "--to", "hn", "--title", "a\nb", "x",
        ])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("title has a line break"), "{out:?}");
    let out = u
        .run(&[
            "schedule",
            "--at",
            "in 1s",
            "--to",
            "hn",
            "--title",
            "A title",
            "--url",
            "https://e.com",
            "--json",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    // The config changed since: the daemon checks with today's limits and
    // refuses the job before any browser.
    std::fs::create_dir_all(u.home()).unwrap();
    std::fs::write(u.home().join("config.toml"), "[limits.hn]\ntitle = 3\n").unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let out = u.run(&["daemon", "--exit-when-idle"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("refused: Hacker News title is 7 characters; the limit is 3"),
        "{out:?}"
    );
    assert!(!marker.exists(), "the daemon started a browser");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_prints_once_with_its_own_hint() {
    let u = User::new();
    let title = "x".repeat(81);
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            &title,
            "--url",
            "https://e.com",
        ])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(
        out.stderr,
        "error: Hacker News title is 81 characters; the limit is 80\n  hint: shorten the title, or --truncate\n"
    );
    assert!(out.stdout.is_empty(), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_json_every_usage_error_is_one_json_object_on_stdout() {
    let u = User::new();
    for args in [
        // Content refused.
        &["post", "--json", "--to", "hn,reddit", "hello"][..],
        &["schedule", "--json", "--at", "in 1h", "--to", "hn", "x"],
        // Input refused before any content check.
        &["post", "--json", "--to", "myspace", "hello"],
        &[
            "post",
            "--json",
            "--to",
            "x",
            "--media",
            "/nonexistent.png",
            "hi",
        ],
        &[
            "check",
            "--json",
            "--to",
            "x",
            "--text-for",
            "nonsense",
            "hi",
        ],
        &["history", "--json", "--limit", "many"],
        // Malformed command line.
        &["post", "--json", "--too", "x", "hi"],
    ] {
        let out = u.run(args).await;
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        let objects = out.json();
        assert_eq!(objects.len(), 1, "{args:?}: {out:?}");
        let o = &objects[0];
        assert_eq!(o["ok"], false, "{args:?}: {o}");
        for key in ["kind", "message", "hint"] {
            assert!(o["error"].get(key).is_some(), "{args:?}: {o}");
        }
        assert!(!o["error"]["message"].as_str().unwrap().is_empty());
        assert!(out.stderr.is_empty(), "{args:?}: {out:?}");
    }
    // Without --json the same error is for people, on stderr.
    let out = u.run(&["post", "--to", "myspace", "hello"]).await;
    assert!(out.stdout.is_empty() && out.stderr.starts_with("error: "));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_config_is_refused_by_every_command_naming_file_key_and_line() {
    let u = User::new();
    std::fs::create_dir_all(u.home()).unwrap();
    let path = u.home().join("config.toml");
    for (toml, key, line) in [
        (
            "[browser]\nmax_concurrency = 2\n\n[rate_limits.x]\nmin_interval = \"banana\"\n",
            "[rate_limits.x] min_interval",
            5,
        ),
        ("\n[limits.hn]\ntitle = 0\n", "[limits.hn] title", 3),
        ("[limits.x]\ntext = \"long\"\n", "invalid type", 2),
        (
            "[platforms.reddit]\nurl = \"nope\"\n",
            "[platforms.reddit] url",
            2,
        ),
    ] {
        std::fs::write(&path, toml).unwrap();
        let at = format!("{}:{line}: ", path.display());
        for args in [
            &["post", "--dry-run", "--to", "x", "hi"][..],
            &["post", "--to", "x", "hi"],
            &["check", "--to", "x", "hi"],
            &["accounts", "--offline"],
            &["history"],
            &["queue", "list"],
        ] {
            let out = u.run(args).await;
            assert_eq!(out.code, 2, "{args:?} with {toml:?}: {out:?}");
            assert!(
                out.stderr.contains(&at) && out.stderr.contains(key),
                "{args:?} with {toml:?}: {out:?}"
            );
        }
        let out = u
            .run(&["post", "--dry-run", "--json", "--to", "x", "hi"])
            .await;
        assert_eq!(out.code, 2, "{out:?}");
        assert_eq!(out.json()[0]["error"]["kind"], "config", "{out:?}");
    }
}

/// A PNG header in a sparse file of `mb` MiB (no disk is used).
fn big_png(u: &User, name: &str, mb: u64) -> String {
    let p = u.dir.path().join(name);
    std::fs::write(&p, PNG).unwrap();
    let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
    f.set_len(mb * 1024 * 1024).unwrap();
    p.to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn media_limits_per_platform_refuse_before_any_browser_and_overrides_apply() {
    let mut u = User::new();
    let (chrome, marker) = recording_chrome(&u);
    u.set("DISTROFLOW_CHROME", chrome.to_str().unwrap());
    let ten = big_png(&u, "ten.png", 10);
    let huge = big_png(&u, "huge.png", 200);
    let sub = ["--subreddit", "rust", "--title", "T"];
    for (to, file, valid) in [
        ("x", &ten, false),
        ("reddit", &ten, true),
        ("instagram", &ten, false),
        ("reddit", &huge, false),
        ("instagram", &huge, false),
        ("hn", &huge, true), // Hacker News takes no media: posted without it.
    ] {
        let mut args = vec!["post", "--sandbox", "--to", to, "--media", file];
        args.extend(sub);
        args.push("caption");
        let _ = std::fs::remove_file(&marker);
        let out = u.run(&args).await;
        if valid {
            assert!(marker.exists(), "{to} {file}: {out:?}");
        } else {
            assert_eq!(out.code, 2, "{to} {file}: {out:?}");
            assert!(out.stderr.contains(" MB; "), "{to} {file}: {out:?}");
            assert!(!marker.exists(), "{to} {file}: a browser was started");
        }
    }
    // [limits.*] overrides apply everywhere: the adapters hold no limits.
    std::fs::create_dir_all(u.home()).unwrap();
    std::fs::write(
        u.home().join("config.toml"),
        "[limits.x]\nimage_bytes = 20971520\n[limits.hn]\ntitle = 100\n[limits.reddit]\ntitle = 400\n",
    )
    .unwrap();
    let t90 = "t".repeat(90);
    let t350 = "t".repeat(350);
    for args in [
        vec!["--to", "x", "--media", &ten, "hi"],
        vec!["--to", "hn", "--title", &t90, "--url", "https://e.com"],
        vec![
            "--to",
            "reddit",
            "--subreddit",
            "rust",
            "--title",
            &t350,
            "b",
        ],
    ] {
        let check = u.run(&[&["check"][..], &args].concat()).await;
        assert_eq!(check.code, 0, "{args:?}: {check:?}");
        let _ = std::fs::remove_file(&marker);
        let out = u.run(&[&["post", "--sandbox"][..], &args].concat()).await;
        assert!(marker.exists(), "{args:?} was refused: {out:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sandbox_dry_run_knows_the_sandbox_is_logged_in() {
    let u = User::new();
    let out = u
        .run(&[
            "post",
            "--sandbox",
            "--dry-run",
            "--json",
            "--to",
            "hn,x",
            "--title",
            "T",
            "hello",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    for v in out.json() {
        assert_eq!(v["login"], "saved", "{out:?}");
    }
    // Without --sandbox the same user has no session.
    let out = u
        .run(&["post", "--dry-run", "--to", "hn", "--title", "T", "hello"])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("login: none"), "{out:?}");
}

#[tokio::test]
async fn post_without_to_uses_the_configured_default_targets() {
    let u = User::new();
    // Neither --to nor a default: a usage error that says how to set one.
    let out = u
        .run(&[
            "post",
            "--dry-run",
            "--title",
            "T",
            "--url",
            "https://example.com",
        ])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("no platforms to post to"), "{out:?}");
    assert!(out.stderr.contains("[post] to"), "{out:?}");

    std::fs::write(
        u.home().join("config.toml"),
        "[post]\nto = [\"hn\", \"x\"]\n",
    )
    .unwrap();
    for command in [
        &["post", "--dry-run", "--json"][..],
        &["check", "--json"][..],
    ] {
        let mut a = command.to_vec();
        a.extend(["--title", "T", "--url", "https://example.com", "hello"]);
        let out = u.run(&a).await;
        let platforms: Vec<String> = out
            .json()
            .iter()
            .map(|c| c["platform"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(platforms, ["hackernews", "x"], "{command:?}: {out:?}");
    }
    // --to still wins over the default.
    let out = u
        .run(&[
            "check",
            "--json",
            "--to",
            "reddit",
            "--subreddit",
            "rust",
            "--title",
            "T",
            "hello",
        ])
        .await;
    assert_eq!(out.json().len(), 1, "{out:?}");
    assert_eq!(out.json()[0]["platform"], "reddit", "{out:?}");

    // A default naming an unknown platform is a config error with its line.
    std::fs::write(
        u.home().join("config.toml"),
        "[post]\nto = [\"hn\",\n  \"myspace\"]\n",
    )
    .unwrap();
    let out = u.run(&["post", "--dry-run", "--title", "T", "hello"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("config.toml:3"), "{out:?}");
    assert!(out.stderr.contains("myspace"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_video_too_long_for_a_platform_is_refused_before_any_browser() {
    let mut u = User::new();
    let (chrome, marker) = recording_chrome(&u);
    u.set("DISTROFLOW_CHROME", chrome.to_str().unwrap());
    // 200 s: over X's 2:20, within Reddit's limit.
    let clip = u.dir.path().join("clip.mp4");
    std::fs::write(&clip, distroflow_core::minimal_mp4(200)).unwrap();
    let clip = clip.to_str().unwrap();
    let out = u
        .run(&[
            "check",
            "--json",
            "--to",
            "x,reddit",
            "--subreddit",
            "rust",
            "--title",
            "T",
            "--media",
            clip,
            "watch this",
        ])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    let checks = out.json();
    let x = checks.iter().find(|c| c["platform"] == "x").unwrap();
    assert_eq!(x["valid"], false, "{x}");
    let why = x["errors"][0].as_str().unwrap();
    assert!(
        why.contains("3:20 min") && why.contains("2:20 min"),
        "{why}"
    );
    assert!(why.contains("video_seconds"), "{why}");
    let reddit = checks.iter().find(|c| c["platform"] == "reddit").unwrap();
    assert_eq!(reddit["valid"], true, "{reddit}");

    let out = u
        .run(&[
            "post",
            "--sandbox",
            "--to",
            "x",
            "--media",
            clip,
            "watch this",
        ])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("3:20 min"), "{out:?}");
    assert!(!marker.exists(), "a browser was started");

    // The limit is in the one table, so an override raises it everywhere.
    std::fs::create_dir_all(u.home()).unwrap();
    std::fs::write(
        u.home().join("config.toml"),
        "[limits.x]\nvideo_seconds = 300\n",
    )
    .unwrap();
    let out = u
        .run(&["check", "--to", "x", "--media", clip, "watch this"])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
}
