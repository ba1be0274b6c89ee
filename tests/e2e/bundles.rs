//! Debug bundles: what a failed post leaves in `$DISTROFLOW_HOME/runs` is
//! private (0700 folders, 0600 files), holds none of the page's secrets,
//! is named in the hint, and only the newest are kept.

use std::path::{Path, PathBuf};

use distroflow_replica::{HackerNews, HnOptions, HN_UI_BROKEN};

use crate::harness::{debug_bundles, mode, Output, User};

/// A Hacker News replica whose submit form has nothing left to fill (only
/// its hidden one-time token), and a user logged in to it by cookie.
async fn broken_hn() -> (HackerNews, User) {
    let hn = HackerNews::start(HnOptions {
        ui_version: HN_UI_BROKEN,
        ..HnOptions::default()
    })
    .await
    .unwrap();
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &hn.url());
    let cookie = hn.session_cookie("sandbox").unwrap();
    let f = u.cookie_file("c.json", "user", &cookie);
    let login = u
        .run(&["login", "hn", "--cookies", f.to_str().unwrap()])
        .await;
    assert_eq!(login.code, 0, "{login:?}");
    (hn, u)
}

async fn failing_post(u: &User) -> (Output, PathBuf) {
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
    let message = out.json()[0]["error"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    let dir = debug_bundles(&message)
        .pop()
        .unwrap_or_else(|| panic!("no bundle named: {out:?}"));
    (out, dir)
}

fn chmod(p: impl AsRef<Path>, m: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m))
}

fn bundles_in(runs: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(runs)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_post_leaves_a_private_bundle_without_the_pages_secrets() {
    let (hn, u) = broken_hn().await;
    // A runs/ folder as an older version left it.
    let runs = u.home().join("runs");
    std::fs::create_dir_all(&runs).unwrap();
    chmod(&runs, 0o755).unwrap();

    let (out, dir) = failing_post(&u).await;
    assert!(dir.starts_with(&runs), "{out:?}");
    assert_eq!(mode(&runs), 0o700);
    assert_eq!(mode(&dir), 0o700);
    let files = ["screenshot.png", "page.html", "steps.txt", "error.txt"];
    for file in files {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }

    // The secrets the page held: the submit form's one-time tokens, the
    // logout link's per-account token, and the session cookie.
    let fnids = hn.open_fnids();
    assert!(!fnids.is_empty(), "the failed run loaded the submit form");
    let logout = hn.logout_auth("sandbox").unwrap();
    let cookie = hn.session_cookie("sandbox").unwrap();
    let session = cookie.split('&').nth(1).unwrap().to_string();
    let html = std::fs::read_to_string(dir.join("page.html")).unwrap();
    assert!(
        html.contains("Submissions are closed"),
        "the page as it was"
    );
    assert!(html.contains("name=\"fnid\""), "the field is kept: {html}");
    assert!(html.contains("logout?auth=[redacted]"), "{html}");
    for file in ["page.html", "steps.txt", "error.txt"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        for secret in fnids.iter().chain([&logout, &session]) {
            assert!(
                !text.contains(secret.as_str()),
                "{file} holds {secret}: {text}"
            );
        }
    }
    assert!(html.contains("[redacted]"));

    // The hint names the bundle and its step log.
    let hint = out.json()[0]["error"]["hint"].as_str().unwrap().to_string();
    assert!(hint.contains(&dir.display().to_string()), "{hint}");
    assert!(hint.contains("steps.txt"), "{hint}");
    assert!(!hint.contains("-v"), "{hint}");
    assert!(hn.stories().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_newest_bundles_are_kept() {
    let (_hn, u) = broken_hn().await;
    std::fs::write(u.home().join("config.toml"), "[debug]\nkeep_bundles = 3\n").unwrap();
    // Four bundles from earlier failures (as an older version wrote them),
    // and a file that is not a bundle.
    let runs = u.home().join("runs");
    let old: Vec<String> = (1..=4)
        .map(|d| format!("2024010{d}T090000.000Z-hackernews"))
        .collect();
    for name in &old {
        std::fs::create_dir_all(runs.join(name)).unwrap();
        std::fs::write(runs.join(name).join("page.html"), "old").unwrap();
        chmod(runs.join(name), 0o755).unwrap();
        chmod(runs.join(name).join("page.html"), 0o644).unwrap();
    }
    std::fs::write(runs.join("notes.txt"), "mine").unwrap();

    let (_, new) = failing_post(&u).await;
    let new = new.file_name().unwrap().to_str().unwrap().to_string();
    assert_eq!(
        bundles_in(&runs),
        [&old[2], &old[3], &new, "notes.txt"],
        "the newest three, and what is not a bundle"
    );
    // What was kept from before is private now too.
    assert_eq!(mode(&runs.join(&old[3])), 0o700);
    assert_eq!(mode(&runs.join(&old[3]).join("page.html")), 0o600);
}
