pub(crate) mod accounts;
pub(crate) mod check;
pub(crate) mod config;
pub(crate) mod docs;
pub(crate) mod engines;
pub(crate) mod extension;
pub(crate) mod history;
pub(crate) mod login;
pub(crate) mod post;
pub(crate) mod replies;
pub(crate) mod sandbox;
pub(crate) mod schedule;
pub(crate) mod selectors;
pub(crate) mod serve;
pub(crate) mod validate;

use std::error::Error as _;
use std::io::Read;

use distroflow_core::{Config, Error, Home, PlatformId, Result};

pub(crate) use distroflow_app::{browser_options, browser_source, healer};

/// After a login: scheduled jobs that waited for it are queued again (the
/// daemon runs them). Never fails the login: the store may not exist yet.
pub(crate) fn resume_waiting_jobs(home: &Home, platform: PlatformId) {
    if !home
        .root()
        .join(distroflow_store::Store::FILE_NAME)
        .exists()
    {
        return;
    }
    let resumed = distroflow_store::Store::open_home(home)
        .and_then(|s| s.resume_after_login(platform, jiff::Timestamp::now()));
    match resumed {
        Ok(ids) => {
            for id in ids {
                eprintln!(
                    "job {id}: was waiting for this login; queued again (the daemon runs it)"
                );
            }
        }
        Err(e) => tracing::warn!("could not resume jobs waiting for the {platform} login: {e}"),
    }
}

/// The `--to` values, or `[post] to` from config.toml when there are none.
pub(crate) fn targets_or_default(to: &[String], config: &Config) -> Result<Vec<String>> {
    if to.iter().any(|v| !v.trim().is_empty()) {
        return Ok(to.to_vec());
    }
    if config.post.to.is_empty() {
        return Err(Error::Usage {
            message: "no platforms to post to".into(),
            hint: Some(
                "give --to (e.g. --to x,hackernews), or set a default in config.toml: [post] to = [\"x\", \"hackernews\"]".into(),
            ),
        });
    }
    Ok(config.post.to.clone())
}

/// Refuses (exit 2, one message) a `$DISTROFLOW_HOME` that cannot be
/// created or written, before a command does any work that would then
/// be lost, such as a whole browser login whose session cannot be saved.
/// The probe file is created and removed at once.
pub(crate) fn ensure_writable(home: &Home) -> Result<()> {
    let refuse = |what: String| {
        Error::usage(
            format!(
                "DISTROFLOW_HOME {} cannot be written: {what}",
                home.root().display()
            ),
            Some(
                "point DISTROFLOW_HOME at a folder you can write (it is created if missing), \
                 or fix the folder's permissions"
                    .into(),
            ),
        )
    };
    let dir = home.private_dir("").map_err(|e| match e.source() {
        Some(io) => refuse(io.to_string()),
        None => refuse(e.to_string()),
    })?;
    let probe = dir.join(format!(".write-check-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|e| refuse(e.to_string()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

pub(crate) fn parse_platform(name: &str) -> Result<PlatformId> {
    name.parse()
}

/// The text argument, or standard input for `-`.
pub(crate) fn read_text(arg: Option<&str>) -> Result<String> {
    match arg {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                Error::usage(
                    format!("cannot read the text from standard input: {e}"),
                    None,
                )
            })?;
            // A trailing newline from `echo` is not part of the post.
            let trimmed = s.strip_suffix('\n').unwrap_or(&s);
            let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
            Ok(trimmed.to_string())
        }
        Some(t) => Ok(t.to_string()),
        None => Ok(String::new()),
    }
}
