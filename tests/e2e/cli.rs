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
