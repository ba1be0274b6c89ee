//! The command line's own conventions: completions, the man page, help.

use crate::harness::User;

#[tokio::test]
async fn completions_for_every_shell_know_the_post_command() {
    let u = User::new();
    // A broken config does not stop an install step from generating them.
    std::fs::create_dir_all(u.home()).unwrap();
    std::fs::write(u.home().join("config.toml"), "[rate_limits\n").unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = u.run(&["completions", shell]).await;
        assert_eq!(out.code, 0, "{shell}: {out:?}");
        assert!(!out.stdout.trim().is_empty(), "{shell}: empty script");
        assert!(out.stdout.contains("post"), "{shell}: no `post`: {out:?}");
        assert!(out.stderr.is_empty(), "{shell}: {out:?}");
    }
    let out = u.run(&["completions", "tcsh"]).await;
    assert_eq!(out.code, 2, "{out:?}");
}

#[tokio::test]
async fn man_prints_a_man_page_with_every_command() {
    let u = User::new();
    let out = u.run(&["man"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains(".TH distroflow"), "{out:?}");
    assert!(out.stdout.contains("distroflow post"), "{out:?}");
    // The post command's own flags, not just its name.
    assert!(out.stdout.contains("\\-\\-subreddit"), "{out:?}");
    assert!(!u.home().exists(), "man created the home folder");
}

#[tokio::test]
async fn help_shows_examples_for_commands_and_nested_commands() {
    let u = User::new();
    for args in [
        &["post", "--help"][..],
        &["queue", "retry", "--help"],
        &["selectors", "list", "--help"],
    ] {
        let out = u.run(args).await;
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
        let examples = out.stdout.split_once("Examples:").map(|(_, e)| e);
        let command = format!("distroflow {}", args[..args.len() - 1].join(" "));
        assert!(
            examples.is_some_and(|e| e.contains(&command)),
            "{args:?}: {out:?}"
        );
    }
}

#[tokio::test]
async fn logout_all_forgets_every_saved_session() {
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", "http://127.0.0.1:9");
    u.set("DISTROFLOW_X_URL", "http://127.0.0.1:9");
    for (platform, cookie) in [("hackernews", "user"), ("x", "auth_token")] {
        let file = u.cookie_file(&format!("{platform}.json"), cookie, "v");
        let out = u
            .run(&[
                "login",
                platform,
                "--cookies",
                file.to_str().unwrap(),
                "--no-check",
            ])
            .await;
        assert_eq!(out.code, 0, "{out:?}");
    }
    assert!(u.home().join("auth/x.json").exists());
    let out = u.run(&["logout", "--all"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("removed the saved hackernews session"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains("removed the saved x session"),
        "{out:?}"
    );
    assert!(!u.home().join("auth/x.json").exists());
    assert!(!u.home().join("auth/hackernews.json").exists());
    let out = u.run(&["accounts", "--offline", "--json"]).await;
    assert!(out.json().iter().all(|a| a["status"] == "none"), "{out:?}");
    // Nothing left: still fine, and said so.
    let out = u.run(&["logout", "--all"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("no saved sessions"), "{out:?}");
    // One platform or all, not both and not neither.
    assert_eq!(u.run(&["logout", "x", "--all"]).await.code, 2);
    assert_eq!(u.run(&["logout"]).await.code, 2);
}

#[tokio::test]
async fn history_filters_are_read_and_bad_ones_refused() {
    let u = User::new();
    let out = u
        .run(&[
            "history",
            "--platform",
            "x",
            "--status",
            "failed",
            "--since",
            "2d",
            "--limit",
            "5",
            "--json",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.json().is_empty(), "{out:?}");
    let out = u
        .run(&[
            "history",
            "--since",
            "2026-03-01T00:00:00Z",
            "--status",
            "posted",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    for (args, needle) in [
        (["--status", "ok"], "needs_human"),
        (["--since", "last tuesday"], "RFC 3339"),
        (["--platform", "myspace"], "hackernews"),
    ] {
        let out = u.run(&["history", args[0], args[1]]).await;
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains("hint:") && out.stderr.contains(needle),
            "{args:?}: {out:?}"
        );
    }
}

#[tokio::test]
async fn quiet_silences_warnings_and_logs_in_a_pipe_carry_no_colour() {
    let mut u = User::new();
    // NO_COLOR empty counts as unset (no-color.org): only the pipe decides.
    u.set("NO_COLOR", "");
    u.set("DISTROFLOW_HACKERNEWS_URL", "http://127.0.0.1:9");
    let long = "word ".repeat(80);
    let schedule = [
        "schedule",
        "--at",
        "in 1h",
        "--to",
        "x",
        "--truncate",
        &long,
    ];
    let out = u.run(&schedule).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("warning: x: X text truncated"),
        "{out:?}"
    );
    let quiet: Vec<&str> = ["-q"].into_iter().chain(schedule).collect();
    let out = u.run(&quiet).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("warning"), "{out:?}");

    // A log warning (a session file other users could read is made
    // private), written to a pipe: plain text.
    let cookies = u.cookie_file("c.json", "user", "v");
    let login = [
        "login",
        "hn",
        "--cookies",
        cookies.to_str().unwrap(),
        "--no-check",
    ];
    assert_eq!(u.run(&login).await.code, 0);
    let auth = u.home().join("auth/hackernews.json");
    let open = || {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&auth, std::fs::Permissions::from_mode(0o644)).unwrap();
    };
    open();
    let out = u.run(&["accounts", "--offline"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("WARN"), "{out:?}");
    assert!(out.stderr.contains("made it private"), "{out:?}");
    assert!(
        !out.stderr.contains('\u{1b}'),
        "ANSI escapes in a pipe: {out:?}"
    );
    open();
    let out = u.run(&["-q", "accounts", "--offline"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.is_empty(), "-q printed: {out:?}");
}

#[tokio::test]
async fn accounts_show_when_a_session_was_saved_in_rfc_3339() {
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", "http://127.0.0.1:9");
    let cookies = u.cookie_file("c.json", "user", "v");
    let login = [
        "login",
        "hn",
        "--cookies",
        cookies.to_str().unwrap(),
        "--no-check",
    ];
    assert_eq!(u.run(&login).await.code, 0);
    let before = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(120);
    let out = u.run(&["accounts", "--offline", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    let hn = rows.iter().find(|r| r["platform"] == "hackernews").unwrap();
    let saved = hn["saved_at"].as_str().expect("saved_at is a string");
    let t: jiff::Timestamp = saved.parse().expect("RFC 3339");
    assert!(t > before && saved.ends_with('Z'), "{saved}");
    let x = rows.iter().find(|r| r["platform"] == "x").unwrap();
    assert!(x["saved_at"].is_null(), "{out:?}");
    let out = u.run(&["accounts", "--offline"]).await;
    assert!(out.stdout.contains(&format!("(saved {saved})")), "{out:?}");
}

#[tokio::test]
async fn an_unwritable_home_is_refused_once_before_any_browser_starts() {
    let mut u = User::new();
    let (chrome, started) = crate::harness::recording_chrome(&u);
    u.set("DISTROFLOW_CHROME", chrome.to_str().unwrap());
    u.set("DISTROFLOW_HACKERNEWS_URL", "http://127.0.0.1:9");
    // Under a regular file: not writable even for root (tests run as root,
    // where a 0500 folder would not stop a write).
    let file = u.file("not-a-folder", "");
    let home = file.join("home");
    u.set("DISTROFLOW_HOME", home.to_str().unwrap());
    for args in [
        &["login", "hn", "--username", "u", "--password-stdin"][..],
        &["login", "hn"],
        &[
            "post",
            "--to",
            "hn",
            "--title",
            "T",
            "--url",
            "https://e.com",
        ],
        &[
            "schedule",
            "--at",
            "in 1h",
            "--to",
            "hn",
            "--title",
            "T",
            "--url",
            "https://e.com",
        ],
        &["history"],
        &["logout", "--all"],
    ] {
        let out = u.run_with_stdin(args, Some("pw")).await;
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert_eq!(out.stderr.matches("error:").count(), 1, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains("cannot be written"),
            "{args:?}: {out:?}"
        );
        assert!(out.stderr.contains("hint:"), "{args:?}: {out:?}");
        assert!(!started.exists(), "{args:?} started a browser");
    }
    // With --json the refusal is one JSON object.
    let out = u
        .run(&[
            "post",
            "--json",
            "--to",
            "hn",
            "--title",
            "T",
            "--url",
            "https://e.com",
        ])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(out.json()[0]["ok"], false, "{out:?}");
}
