use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::{Error, PlatformId, Result};

/// `$DISTROFLOW_HOME/config.toml`. Every field is optional.
///
/// ```toml
/// [browser]
/// max_concurrency = 4
/// chrome = "/usr/bin/chromium"
///
/// [platforms.hackernews]
/// url = "http://127.0.0.1:8123"
/// ```
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub browser: BrowserSettings,
    #[serde(default)]
    pub platforms: BTreeMap<String, PlatformConfig>,
    /// Overrides of the content limits, e.g. `[limits.instagram] hashtags = 5`.
    #[serde(default)]
    pub limits: crate::LimitOverrides,
    /// Posting rate limits per platform, read by the store
    /// (`[rate_limits.x] min_interval = "2m"`).
    #[serde(default)]
    pub rate_limits: toml::Table,
    /// What a failed post leaves behind for debugging.
    #[serde(default)]
    pub debug: DebugSettings,
    /// `distroflow serve`: the origins (besides its own) whose pages may
    /// call the API, e.g. the extension's `chrome-extension://<id>`.
    #[serde(default)]
    pub server: ServerSettings,
    /// The healer's model tier, read by the healer
    /// (`[ai.prices."gpt-4o-mini"] input_per_mtok = 0.15`).
    #[serde(default)]
    pub ai: toml::Table,
    /// Defaults for `post` and `schedule` (`[post] to = ["x", "hackernews"]`).
    #[serde(default)]
    pub post: PostSettings,
}

/// `[post]`: defaults for `post`, `schedule` and `check`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostSettings {
    /// Where to post when the command has no `--to` (ids or aliases, or
    /// `all`).
    #[serde(default)]
    pub to: Vec<String>,
}

/// `[server]`: the local API of `distroflow serve`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Exact origins (`scheme://host[:port]`) allowed besides the server's
    /// own; never a wildcard.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}

/// `[debug]`: the debug bundles a failed post leaves in
/// `$DISTROFLOW_HOME/runs/` (page, screenshot, step log).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DebugSettings {
    /// How many bundles to keep; older ones are removed after a new one is
    /// written. 0 writes none (and removes those left).
    #[serde(default = "default_keep_bundles")]
    pub keep_bundles: usize,
}

impl Default for DebugSettings {
    fn default() -> Self {
        DebugSettings {
            keep_bundles: default_keep_bundles(),
        }
    }
}

fn default_keep_bundles() -> usize {
    50
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrowserSettings {
    /// How many platform jobs may drive the browser at once.
    #[serde(default = "default_concurrency")]
    pub max_concurrency: usize,
    /// Chromium's path (`DISTROFLOW_CHROME` wins).
    #[serde(default)]
    pub chrome: Option<PathBuf>,
    /// Deadline for one platform's whole job, in seconds.
    #[serde(default = "default_job_timeout")]
    pub job_timeout_secs: u64,
    /// Remote browser engines (`[[browser.endpoints]]`); none: Chromium
    /// launched here.
    #[serde(default)]
    pub endpoints: Vec<crate::EndpointConfig>,
}

impl Default for BrowserSettings {
    fn default() -> Self {
        BrowserSettings {
            max_concurrency: default_concurrency(),
            chrome: None,
            job_timeout_secs: default_job_timeout(),
            endpoints: Vec::new(),
        }
    }
}

/// Four jobs at once: `--to x,reddit,hackernews,instagram` runs truly
/// concurrently (docs/benchmarks.md, issue 19); each more costs one
/// renderer (about 20-35 MiB) while it runs.
fn default_concurrency() -> usize {
    4
}
fn default_job_timeout() -> u64 {
    120
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PlatformConfig {
    /// Base URL of the platform (a replica, a mirror).
    pub url: Option<String>,
    /// The platform's own settings (e.g. Reddit's `ui = "old"`).
    #[serde(flatten)]
    pub settings: BTreeMap<String, toml::Value>,
}

impl Config {
    /// Reads the file; a missing file is the default configuration.
    pub fn load(path: &Path) -> Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(Error::io(path, e)),
        };
        let cfg: Config = toml::from_str(&text).map_err(|e| {
            // file:line: what, as compilers say it.
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            Error::Config {
                message: match line {
                    Some(n) => format!("{}:{n}: {}", path.display(), e.message().trim()),
                    None => format!("{}: {}", path.display(), e.message().trim()),
                },
            }
        })?;
        for key in cfg.platforms.keys() {
            key.parse::<PlatformId>().map_err(|_| Error::Config {
                message: format!(
                    "{}: unknown platform [platforms.{key}] (valid: {})",
                    path.display(),
                    PlatformId::valid_names()
                ),
            })?;
        }
        for origin in &cfg.server.allowed_origins {
            let exact = origin.contains("://")
                && !origin.contains('*')
                && !origin.ends_with('/')
                && origin != "null";
            if !exact {
                return Err(Error::Config {
                    message: format!(
                        "{}: server.allowed_origins: `{origin}` is not an exact origin \
                         (scheme://host[:port], no wildcard, no path)",
                        path.display()
                    ),
                });
            }
        }
        for name in &cfg.post.to {
            if !name.eq_ignore_ascii_case("all") && name.parse::<PlatformId>().is_err() {
                let line = text
                    .lines()
                    .position(|l| l.contains(&format!("\"{name}\"")))
                    .map(|i| format!(":{}", i + 1))
                    .unwrap_or_default();
                return Err(Error::Config {
                    message: format!(
                        "{}{line}: [post] to: unknown platform `{name}` (valid: {}, or all)",
                        path.display(),
                        PlatformId::valid_names()
                    ),
                });
            }
        }
        if cfg.browser.max_concurrency == 0 {
            return Err(Error::Config {
                message: format!(
                    "{}: browser.max_concurrency must be at least 1",
                    path.display()
                ),
            });
        }
        Ok(cfg)
    }

    /// The platform's base URL: `DISTROFLOW_<PLATFORM>_URL`, then config.toml,
    /// then the real site.
    pub fn base_url(&self, platform: PlatformId) -> Result<Url> {
        let env_var = platform.url_env_var();
        let (raw, source) = match std::env::var(&env_var) {
            Ok(v) if !v.trim().is_empty() => (v, env_var),
            _ => match self
                .platforms
                .iter()
                .find(|(k, _)| k.parse::<PlatformId>().ok() == Some(platform))
                .and_then(|(_, p)| p.url.clone())
            {
                Some(u) => (u, format!("[platforms.{platform}] url")),
                None => (platform.default_url().to_string(), "default".into()),
            },
        };
        let url = Url::parse(raw.trim()).map_err(|e| Error::Config {
            message: format!("{source}: `{raw}` is not a URL ({e})"),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::Config {
                message: format!("{source}: `{raw}` must be an http or https URL"),
            });
        }
        Ok(url)
    }

    /// The platform's settings as strings (`[platforms.<id>]` minus `url`).
    pub fn settings(&self, platform: PlatformId) -> BTreeMap<String, String> {
        self.platforms
            .iter()
            .filter(|(k, _)| k.parse::<PlatformId>().ok() == Some(platform))
            .flat_map(|(_, p)| p.settings.iter())
            .map(|(k, v)| {
                let v = match v {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), v)
            })
            .collect()
    }

    /// Where and how a platform's jobs run.
    pub fn job_context(&self, platform: PlatformId) -> Result<crate::JobContext> {
        Ok(crate::JobContext {
            base_url: self.base_url(platform)?,
            settings: self.settings(platform),
        })
    }

    /// The content limits: the documented table with `[limits.*]` applied.
    pub fn content_limits(&self) -> Result<crate::Limits> {
        crate::Limits::default().with_overrides(&self.limits)
    }

    /// The browser engines jobs run on (see [`crate::endpoints`]).
    pub fn endpoints(&self) -> Result<Vec<crate::Endpoint>> {
        crate::endpoints(&self.browser.endpoints, self.browser.max_concurrency)
    }

    pub fn job_timeout(&self) -> Duration {
        Duration::from_secs(self.browser.job_timeout_secs.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_origins_are_exact_or_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(
            &p,
            "[server]\nallowed_origins = [\"chrome-extension://abcdef\"]\n",
        )
        .unwrap();
        let c = Config::load(&p).unwrap();
        assert_eq!(c.server.allowed_origins, ["chrome-extension://abcdef"]);
        for bad in [
            "*",
            "https://*.example.com",
            "null",
            "example.com",
            "https://e.com/",
        ] {
            std::fs::write(&p, format!("[server]\nallowed_origins = [\"{bad}\"]\n")).unwrap();
            let e = Config::load(&p).unwrap_err().to_string();
            assert!(e.contains("not an exact origin"), "{bad}: {e}");
        }
    }

    #[test]
    fn config_url_and_unknown_platform() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(
            &p,
            "[platforms.instagram]\nurl = \"http://127.0.0.1:9/\"\n[platforms.reddit]\nui = \"old\"\n",
        )
        .unwrap();
        let c = Config::load(&p).unwrap();
        assert_eq!(
            c.job_context(PlatformId::Reddit).unwrap().setting("ui"),
            Some("old")
        );
        assert_eq!(
            c.base_url(PlatformId::Instagram).unwrap().as_str(),
            "http://127.0.0.1:9/"
        );
        std::fs::write(&p, "[platforms.myspace]\nurl = \"http://a\"\n").unwrap();
        let e = Config::load(&p).unwrap_err().to_string();
        assert!(e.contains("myspace"), "{e}");
        assert!(Config::load(&dir.path().join("none.toml")).is_ok());
        assert_eq!(Config::default().debug.keep_bundles, 50);
        std::fs::write(&p, "[debug]\nkeep_bundles = 3\n").unwrap();
        assert_eq!(Config::load(&p).unwrap().debug.keep_bundles, 3);
        std::fs::write(&p, "[debug]\n\nkeep_bundles = \"many\"\n").unwrap();
        let e = Config::load(&p).unwrap_err().to_string();
        assert!(e.contains("config.toml:3: invalid type"), "{e}");
    }
}
