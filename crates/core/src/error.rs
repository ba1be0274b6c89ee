use std::time::Duration;

use crate::PlatformId;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every way a DistroFlow operation can fail. Recovery code decides on the
/// predicates (`is_auth()`, `is_transient()`, ...), never on message text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad input from the person: a missing title, an unknown platform, a malformed file.
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
    /// The content breaks a platform rule (too long, missing media, ...).
    #[error("{message}")]
    InvalidContent {
        platform: PlatformId,
        message: String,
    },
    /// No valid session: not logged in, or the session expired.
    #[error("not logged in to {}: {message}", platform.display_name())]
    Auth {
        platform: PlatformId,
        message: String,
    },
    /// The platform says we are posting too fast.
    #[error("{} rate limit: {message}", platform.display_name())]
    RateLimited {
        platform: PlatformId,
        message: String,
        retry_after: Option<Duration>,
    },
    /// The platform already has this post; nothing new was created.
    #[error("{} already has this post: {existing_url}", platform.display_name())]
    Duplicate {
        platform: PlatformId,
        existing_url: String,
    },
    /// The site wants a person (CAPTCHA, 2FA, security check).
    #[error("{} asks for a person: {reason}", platform.display_name())]
    NeedsHuman {
        platform: PlatformId,
        reason: String,
        url: String,
    },
    /// The platform refused the post for a reason it stated.
    #[error("{} refused the post: {message}", platform.display_name())]
    Rejected {
        platform: PlatformId,
        message: String,
    },
    /// The submit happened but its result is unknown (a timeout, a dropped
    /// connection or a server error after the click): the post may exist.
    #[error("{} may or may not have posted it: {message}", platform.display_name())]
    Uncertain {
        platform: PlatformId,
        message: String,
    },
    /// The site could not be reached.
    #[error("cannot reach {url}: {message}")]
    Network { url: String, message: String },
    /// Something did not happen within its deadline.
    #[error("timed out after {:.1}s waiting for {what}", after.as_secs_f64())]
    Timeout { what: String, after: Duration },
    /// An element the step needs is not on the page.
    #[error("could not find {target} on {url} (tried {selectors})")]
    NotFound {
        target: String,
        selectors: String,
        url: String,
    },
    /// Text typed into an element did not read back the same.
    #[error("typed text did not stick in {target}: read back {read_back:?}")]
    TextMismatch { target: String, read_back: String },
    /// The browser itself failed (launch, CDP, crash).
    #[error("browser: {message}")]
    Browser { message: String },
    /// The configuration is wrong.
    #[error("configuration: {message}")]
    Config { message: String },
    /// Reading or writing a local file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The page did something DistroFlow does not understand.
    #[error("{message}")]
    Unexpected { message: String },
}

/// A stable, machine-readable name for each kind of error (used in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    Usage,
    InvalidContent,
    Auth,
    RateLimited,
    Duplicate,
    NeedsHuman,
    Rejected,
    Uncertain,
    Network,
    Timeout,
    NotFound,
    TextMismatch,
    Browser,
    Config,
    Io,
    Unexpected,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Usage => "usage",
            ErrorKind::InvalidContent => "invalid_content",
            ErrorKind::Auth => "auth",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Duplicate => "duplicate",
            ErrorKind::NeedsHuman => "needs_human",
            ErrorKind::Rejected => "rejected",
            ErrorKind::Uncertain => "uncertain",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::NotFound => "not_found",
            ErrorKind::TextMismatch => "text_mismatch",
            ErrorKind::Browser => "browser",
            ErrorKind::Config => "config",
            ErrorKind::Io => "io",
            ErrorKind::Unexpected => "unexpected",
        }
    }
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Usage { .. } => ErrorKind::Usage,
            Error::InvalidContent { .. } => ErrorKind::InvalidContent,
            Error::Auth { .. } => ErrorKind::Auth,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::Duplicate { .. } => ErrorKind::Duplicate,
            Error::NeedsHuman { .. } => ErrorKind::NeedsHuman,
            Error::Rejected { .. } => ErrorKind::Rejected,
            Error::Uncertain { .. } => ErrorKind::Uncertain,
            Error::Network { .. } => ErrorKind::Network,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::TextMismatch { .. } => ErrorKind::TextMismatch,
            Error::Browser { .. } => ErrorKind::Browser,
            Error::Config { .. } => ErrorKind::Config,
            Error::Io { .. } => ErrorKind::Io,
            Error::Unexpected { .. } => ErrorKind::Unexpected,
        }
    }

    pub fn is_auth(&self) -> bool {
        matches!(self, Error::Auth { .. })
    }
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateLimited { .. })
    }
    pub fn is_duplicate(&self) -> bool {
        matches!(self, Error::Duplicate { .. })
    }
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }
    pub fn is_needs_human(&self) -> bool {
        matches!(self, Error::NeedsHuman { .. })
    }
    /// The post may exist: look on the platform before posting it again.
    pub fn is_uncertain(&self) -> bool {
        matches!(self, Error::Uncertain { .. })
    }
    pub fn is_network(&self) -> bool {
        matches!(self, Error::Network { .. })
    }
    /// Bad input from the person (exit code 2), found before anything was posted.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::Usage { .. } | Error::InvalidContent { .. } | Error::Config { .. }
        )
    }
    /// Worth retrying as is: the same step may work a moment later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Timeout { .. }
                | Error::Network { .. }
                | Error::NotFound { .. }
                | Error::TextMismatch { .. }
        )
    }

    /// What the person should do next, if DistroFlow knows.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Usage { hint, .. } => hint.clone(),
            Error::InvalidContent { platform, .. } => Some(format!(
                "shorten or complete the post for {}, or leave {} out of --to",
                platform.display_name(),
                platform
            )),
            Error::Auth { platform, .. } => Some(format!("run `distroflow login {platform}`")),
            Error::RateLimited { .. } => {
                Some("wait before posting again; DistroFlow will not retry on its own".into())
            }
            Error::Duplicate { .. } => {
                Some("nothing new was posted; the existing post is linked above".into())
            }
            Error::NeedsHuman { platform, url, .. } if !url.is_empty() => Some(format!(
                "run `distroflow login {platform} --at {url}` on a machine with a display and complete the check in the window"
            )),
            Error::NeedsHuman { platform, .. } => Some(format!(
                "run `distroflow login {platform}` on a machine with a display and complete the check"
            )),
            Error::Uncertain { platform, .. } => Some(format!(
                "check {} before posting again; a re-run looks for the post first and never posts it twice",
                platform.display_name()
            )),
            Error::Network { .. } => {
                Some("check the network, or the platform's URL in config.toml / DISTROFLOW_<PLATFORM>_URL".into())
            }
            Error::Browser { .. } => Some(
                "check that Chromium is installed (/usr/bin/chromium) or set DISTROFLOW_CHROME".into(),
            ),
            Error::Config { .. } => Some("check $DISTROFLOW_HOME/config.toml".into()),
            Error::NotFound { .. } | Error::TextMismatch { .. } => Some(
                "the site's page may have changed; `distroflow selectors list` shows the selectors tried, `distroflow heal` what self-healing did".into(),
            ),
            _ => None,
        }
    }

    /// The hint when a failed step left a debug bundle in `bundle` (the
    /// folder holding the page, a screenshot and the step log).
    pub fn hint_with_bundle(&self, bundle: &std::path::Path) -> String {
        let see = format!(
            "see the debug bundle in {} (steps.txt has the step log, page.html and screenshot.png the page)",
            bundle.display()
        );
        match self {
            Error::NotFound { .. } | Error::TextMismatch { .. } => {
                format!("the site's page may have changed; {see}")
            }
            other => match other.hint() {
                Some(h) => format!("{h}; {see}"),
                None => see,
            },
        }
    }

    /// A usage error, with a hint if there is one.
    pub fn usage(message: impl Into<String>, hint: Option<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint,
        }
    }

    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicates_follow_the_kind() {
        let e = Error::Auth {
            platform: PlatformId::HackerNews,
            message: "no session".into(),
        };
        assert!(e.is_auth() && !e.is_transient());
        assert_eq!(e.hint().unwrap(), "run `distroflow login hackernews`");
        let t = Error::Timeout {
            what: "editor".into(),
            after: Duration::from_secs(2),
        };
        assert!(t.is_transient() && t.is_timeout());
        assert_eq!(t.kind().as_str(), "timeout");
    }

    #[test]
    fn a_bundle_hint_names_the_folder_and_its_step_log() {
        let e = Error::NotFound {
            target: "`title`".into(),
            selectors: "input".into(),
            url: "http://x/submit".into(),
        };
        assert!(!e.hint().unwrap().contains("-v"));
        let h = e.hint_with_bundle(std::path::Path::new("/h/runs/1-hackernews"));
        assert!(h.starts_with("the site's page may have changed; see the debug bundle in /h/runs/1-hackernews (steps.txt"), "{h}");
        let u = Error::Uncertain {
            platform: PlatformId::X,
            message: "m".into(),
        };
        let h = u.hint_with_bundle(std::path::Path::new("/b"));
        assert!(
            h.starts_with("check X before posting again") && h.contains("/b (steps.txt"),
            "{h}"
        );
    }
}
