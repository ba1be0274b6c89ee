pub(crate) mod accounts;
pub(crate) mod check;
pub(crate) mod config;
pub(crate) mod docs;
pub(crate) mod engines;
pub(crate) mod history;
pub(crate) mod instance;
pub(crate) mod login;
pub(crate) mod post;
pub(crate) mod replies;
pub(crate) mod sandbox;
pub(crate) mod schedule;
pub(crate) mod selectors;
pub(crate) mod validate;

use std::error::Error as _;
use std::io::Read;

use distroflow_browser::BrowserOptions;
use distroflow_core::{Config, Error, Home, PlatformId, Result};

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

/// Parses `--to` values: comma-separated ids or aliases, or `all`.
pub(crate) fn parse_targets(values: &[String]) -> Result<Vec<PlatformId>> {
    let mut out = Vec::new();
    for name in values.iter().flat_map(|v| v.split(',')) {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        if name.eq_ignore_ascii_case("all") {
            for p in PlatformId::ALL {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
            continue;
        }
        let p: PlatformId = name.parse()?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if out.is_empty() {
        return Err(Error::usage(
            "no platform given",
            Some(format!("--to takes: {}, or all", PlatformId::valid_names())),
        ));
    }
    Ok(out)
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

/// The healer of a run: the built-in selector data with the person's
/// overrides from `$DISTROFLOW_HOME/selectors/`, remembering in `home`
/// (`None`: remember nothing, as in the sandbox).
pub(crate) fn healer(home: Option<&Home>) -> Result<std::sync::Arc<distroflow_healer::Healer>> {
    let mut book = distroflow_healer::SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES)?;
    let mut prices = distroflow_healer::Prices::default();
    if let Some(h) = home {
        book = book.with_overrides(&h.root().join("selectors"))?;
        let source = h.config_path().display().to_string();
        prices = distroflow_healer::Prices::from_config(&h.load_config()?.ai, &source)?;
    }
    Ok(distroflow_healer::Healer::new(book, home.cloned())?
        .with_model(distroflow_healer::ModelConfig::from_env(&prices)?))
}

/// Where a run's browsers come from: Chromium launched here, unless
/// remote engines are configured (`DISTROFLOW_BROWSER_ENDPOINTS`,
/// `[[browser.endpoints]]`), over which the jobs are spread.
pub(crate) fn browser_source(config: &Config) -> Result<distroflow_engine::BrowserSource> {
    let options = browser_options(config);
    let engines = config.endpoints()?;
    if engines.len() == 1 && engines[0].kind == distroflow_core::EngineKind::Local {
        return Ok(distroflow_engine::BrowserSource::Launch(options));
    }
    Ok(distroflow_engine::BrowserSource::Engines(
        distroflow_browser::Engines::new(engines, options),
    ))
}

pub(crate) fn browser_options(config: &Config) -> BrowserOptions {
    let mut o = BrowserOptions::from_env(config.browser.chrome.as_deref());
    o.max_concurrency = config.browser.max_concurrency;
    o.session_timeout = config.job_timeout();
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_dedupe_aliases_and_all() {
        let t = parse_targets(&["hn,hackernews".into(), "twitter".into()]).unwrap();
        assert_eq!(t, vec![PlatformId::HackerNews, PlatformId::X]);
        assert_eq!(
            parse_targets(&["all".into()]).unwrap().len(),
            PlatformId::ALL.len()
        );
        let e = parse_targets(&["myspace".into()]).unwrap_err();
        assert!(e.is_usage() && e.hint().unwrap().contains("hackernews"));
        assert!(parse_targets(&[",".into()]).is_err());
    }
}
