//! config.toml, read and checked once, for every command: the tables
//! other crates read later (`[rate_limits.*]`, `[limits.*]`, `[ai]`, the
//! platforms' URLs) are checked here too, so a bad value is refused by
//! `post --dry-run`, `check` or `accounts` exactly as by `post`: exit 2,
//! naming the file, the key and its line.

use std::path::Path;

use distroflow_core::{Config, Error, Home, PlatformId, Result};

pub(crate) fn load(home: &Home) -> Result<Config> {
    let path = home.config_path();
    let config = home.load_config()?;
    let checked = (|| -> Result<()> {
        config.content_limits()?;
        distroflow_store::RateLimits::from_toml(&config.rate_limits)?;
        distroflow_healer::Prices::from_config(&config.ai, "")?;
        for p in PlatformId::ALL {
            config.base_url(p)?;
        }
        Ok(())
    })();
    checked.map_err(|e| locate(&path, e))?;
    Ok(config)
}

/// Names the file and the line of the key a configuration error is about
/// (`[rate_limits.x] min_interval: ...` → `config.toml:5: ...`).
fn locate(path: &Path, e: Error) -> Error {
    let Error::Config { message } = e else {
        return e;
    };
    // Prices name their source first; it is empty here.
    let message = message.trim_start_matches(": ").to_string();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let line = message
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(table, rest)| {
            let key = rest
                .trim_start_matches([':', ' '])
                .split([':', ' '])
                .next()
                .filter(|k| !k.is_empty());
            line_of(&text, table, key)
        });
    let Some(line) = line else {
        // From the environment, or a key that is not written as such.
        return Error::Config { message };
    };
    Error::Config {
        message: format!("{}:{line}: {message}", path.display()),
    }
}

/// The 1-based line of `key` in `[table]` (or of the table's header when
/// `key` is not in it), for tables written as `[a.b]` headers.
fn line_of(text: &str, table: &str, key: Option<&str>) -> Option<usize> {
    let normal = |s: &str| s.replace(['"', '\'', ' '], "");
    let want = normal(table);
    let mut header = None;
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            current = normal(name);
            if header.is_none() && current.starts_with(&want) {
                header = Some(i + 1);
            }
            continue;
        }
        if let Some(k) = key {
            let here = current == want || current.starts_with(&format!("{want}."));
            let keyed = t
                .strip_prefix(k)
                .is_some_and(|r| r.trim_start().starts_with('='));
            if here && keyed {
                return Some(i + 1);
            }
        }
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_key_under_its_table() {
        let text = "[browser]\nmax_concurrency = 2\n\n[rate_limits.x]\nenabled = true\nmin_interval = \"banana\"\n";
        assert_eq!(
            line_of(text, "rate_limits.x", Some("min_interval")),
            Some(6)
        );
        assert_eq!(line_of(text, "rate_limits.x", Some("window")), Some(4));
        assert_eq!(line_of(text, "limits.x", Some("text")), None);
        let ai = "[ai.prices.\"m\"]\ninput_per_mtok = \"x\"\n";
        assert_eq!(line_of(ai, "ai", Some("invalid")), Some(1));
    }
}
