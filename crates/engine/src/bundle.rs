//! Debug bundles: what a failed job leaves for a person to look at, in
//! `$DISTROFLOW_HOME/runs/<time>-<platform>/` (page.html, screenshot.png,
//! steps.txt, error.txt).
//!
//! A bundle is private and holds no secrets: the folders are 0700 and the
//! files 0600, written atomically through [`Home`]; in page.html the values
//! of hidden and password fields, token-like attributes, meta tokens and
//! token-like query parameters (Hacker News' `logout?auth=`, `fnid`, ...)
//! are `[redacted]` in the page before it is serialised, and the HTML, the
//! step log and the error are scrubbed again here. Cookies are never
//! written. Only the newest bundles are kept (`[debug] keep_bundles`).

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use distroflow_core::{Error, Home, Page, PlatformId};
use regex_lite::{Captures, Regex};

/// The folder under the home that holds the bundles.
const RUNS: &str = "runs";

/// What replaces a secret.
pub(crate) const REDACTED: &str = "[redacted]";

/// The page's HTML with its secrets replaced, computed in the page.
const REDACTED_HTML: &str = include_str!("redact.js");

/// Query parameters that carry secrets. Kept in step with `secretParam` in
/// redact.js. Also matches after `&amp;` (its `;`).
static SECRET_PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)([?&;#])([\w.-]*(?:token|csrf|xsrf|session|secret|nonce|passw|signature)[\w.-]*|auth|fnid|hmac|sid|sig|pw|key|apikey|api_key)=([^&#;\s"'<>]*)"#,
    )
    .expect("valid regex")
});

/// An `<input>` or `<meta>` tag.
static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<(?:input|meta)\b[^>]*>").expect("valid regex"));

/// A tag whose value is secret: a hidden or password field, or a field or
/// meta named like a token.
static SECRET_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\stype\s*=\s*["']?(?:hidden|password)\b|\s(?:name|id|property)\s*=\s*["']?[^"'\s>]*(?:token|csrf|xsrf|nonce|secret|passw|hmac|fnid|session)"#,
    )
    .expect("valid regex")
});

/// The value of a tag's `value` or `content` attribute.
static VALUE_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\s(?:value|content)\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)"#)
        .expect("valid regex")
});

/// Where bundles go and how many are kept.
#[derive(Clone, Debug)]
pub struct Bundles {
    home: Home,
    keep: usize,
}

impl Bundles {
    /// Bundles in `home`'s `runs/` folder, the newest `keep` kept (0: none
    /// written).
    pub fn new(home: Home, keep: usize) -> Bundles {
        Bundles { home, keep }
    }

    /// The folder holding the bundles.
    pub fn dir(&self) -> PathBuf {
        self.home.root().join(RUNS)
    }

    /// Writes a bundle for `e` and returns its folder, then removes the
    /// oldest beyond the limit. Best effort: a failure to write never hides
    /// the job's error.
    pub(crate) async fn write(
        &self,
        platform: PlatformId,
        page: &distroflow_healer::HealingPage<'_>,
        e: &Error,
    ) -> Option<PathBuf> {
        if self.keep == 0 {
            self.prune();
            return None;
        }
        let stamp = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%S%.3fZ")
            .to_string();
        let sub = format!("{RUNS}/{stamp}-{platform}");
        let path = match self.home.private_dir(&sub) {
            Ok(p) => p,
            Err(err) => {
                tracing::warn!("cannot write a debug bundle: {err}");
                return None;
            }
        };
        let write = |name: &str, body: &[u8]| {
            if let Err(err) = self.home.write_private(&sub, name, body) {
                tracing::warn!("cannot write the debug bundle's {name}: {err}");
            }
        };
        let url = page.current_url().await.unwrap_or_default();
        if let Ok(png) = page.screenshot_png().await {
            write("screenshot.png", &png);
        }
        // Only ever the redacted page: if that fails, no page at all.
        match page.eval(REDACTED_HTML).await {
            Ok(html) => write(
                "page.html",
                scrub_html(html.as_str().unwrap_or_default()).as_bytes(),
            ),
            Err(err) => tracing::debug!("no page.html in the debug bundle: {err}"),
        }
        let steps = page.steps().join("\n") + "\n";
        write("steps.txt", scrub_text(&steps).as_bytes());
        write(
            "error.txt",
            scrub_text(&format!("{e}\nurl: {url}\n")).as_bytes(),
        );
        self.prune();
        Some(path)
    }

    /// Keeps the newest `keep` bundles and makes those private (bundles
    /// written by older versions were 0755 folders of 0644 files).
    fn prune(&self) {
        let dir = self.dir();
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        let mut bundles: Vec<(String, PathBuf)> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                is_bundle_name(&name).then(|| (name, e.path()))
            })
            .collect();
        // The names start with the UTC time: sorting them sorts by age.
        bundles.sort();
        let old = bundles.len().saturating_sub(self.keep);
        for (_, path) in &bundles[..old] {
            if let Err(err) = std::fs::remove_dir_all(path) {
                tracing::warn!("cannot remove old debug bundle {}: {err}", path.display());
            }
        }
        for (_, path) in &bundles[old..] {
            make_private(path);
        }
    }
}

/// `20250101T120000.123Z-hackernews`: what [`Bundles::write`] names a
/// bundle. Anything else in `runs/` is left alone.
fn is_bundle_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 17
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && name.contains("Z-")
}

/// A bundle folder 0700 and its files 0600, when they were looser.
#[cfg(unix)]
fn make_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let tighten = |p: &Path, mode: u32| {
        let loose = std::fs::symlink_metadata(p)
            .is_ok_and(|m| !m.is_symlink() && m.permissions().mode() & 0o077 != 0);
        if loose {
            let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
        }
    };
    tighten(dir, 0o700);
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_file()) {
                tighten(&e.path(), 0o600);
            }
        }
    }
}

#[cfg(not(unix))]
fn make_private(_dir: &Path) {}

/// Token-like query parameters' values, anywhere in `text`.
pub(crate) fn scrub_text(text: &str) -> String {
    SECRET_PARAM
        .replace_all(text, |c: &Captures<'_>| {
            format!("{}{}={REDACTED}", &c[1], &c[2])
        })
        .into_owned()
}

/// [`scrub_text`], plus the values of hidden, password and token-named
/// fields and token metas: the second pass over what the page redacted.
pub(crate) fn scrub_html(html: &str) -> String {
    let html = TAG.replace_all(html, |c: &Captures<'_>| {
        let tag = &c[0];
        if SECRET_TAG.is_match(tag) {
            VALUE_ATTR
                .replace_all(tag, |v: &Captures<'_>| format!("{}\"{REDACTED}\"", &v[1]))
                .into_owned()
        } else {
            tag.to_string()
        }
    });
    scrub_text(&html)
}

/// The error naming its bundle (the message keeps its kind), so that the
/// bundle is found from a log line or the JSON output alone.
pub(crate) fn with_bundle(e: Error, path: &Path) -> Error {
    let note = format!(" [debug bundle: {}]", path.display());
    match e {
        Error::Auth { platform, message } => Error::Auth {
            platform,
            message: format!("{message}{note}"),
        },
        Error::NotFound {
            target,
            selectors,
            url,
        } => Error::NotFound {
            target,
            selectors,
            url: format!("{url}{note}"),
        },
        Error::TextMismatch { target, read_back } => Error::TextMismatch {
            target: format!("{target}{note}"),
            read_back,
        },
        Error::Timeout { what, after } => Error::Timeout {
            what: format!("{what}{note}"),
            after,
        },
        Error::Unexpected { message } => Error::Unexpected {
            message: format!("{message}{note}"),
        },
        Error::Uncertain { platform, message } => Error::Uncertain {
            platform,
            message: format!("{message}{note}"),
        },
        Error::Browser { message } => Error::Browser {
            message: format!("{message}{note}"),
        },
        other => other,
    }
}

/// Failures worth a look at the page: a step that failed, and an auth
/// failure too (what the page showed says why); not a refusal the
/// platform explained.
pub(crate) fn leaves_bundle(e: &Error) -> bool {
    use distroflow_core::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::NotFound
            | ErrorKind::Auth
            | ErrorKind::TextMismatch
            | ErrorKind::Timeout
            | ErrorKind::Unexpected
            | ErrorKind::Uncertain
            | ErrorKind::Browser
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_tokens_are_scrubbed_in_html_and_text() {
        let html = r#"<a id="logout" href="logout?auth=8f3a9c&amp;goto=submit">logout</a> <a href="x?fnid=AbC&hmac=1&csrf_token=z&id=7">x</a>"#;
        let out = scrub_html(html);
        assert!(!out.contains("8f3a9c") && !out.contains("AbC"), "{out}");
        assert!(
            !out.contains("csrf_token=z") && !out.contains("hmac=1"),
            "{out}"
        );
        assert!(
            out.contains("logout?auth=[redacted]&amp;goto=submit"),
            "{out}"
        );
        assert!(out.contains("id=7"), "{out}");
        let text = scrub_text("could not find `t` on http://h/r?fnid=q1w2&session=abc (tried x)");
        assert_eq!(
            text,
            "could not find `t` on http://h/r?fnid=[redacted]&session=[redacted] (tried x)"
        );
    }

    #[test]
    fn hidden_password_and_token_fields_lose_their_values() {
        let html = concat!(
            r#"<input type="hidden" name="fnid" value="s3cr3t">"#,
            r#"<INPUT TYPE=password name=pw value='hunter2'>"#,
            r#"<input type="text" name="authenticity_token" value="tok">"#,
            r#"<meta name="csrf-token" content="meta-tok">"#,
            r#"<input type="text" name="title" value="My title">"#,
            r#"<meta name="viewport" content="width=device-width">"#,
        );
        let out = scrub_html(html);
        for secret in ["s3cr3t", "hunter2", "value=\"tok\"", "meta-tok"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains(r#"value="My title""#), "{out}");
        assert!(out.contains(r#"content="width=device-width""#), "{out}");
        assert_eq!(out.matches(REDACTED).count(), 4, "{out}");
    }

    #[test]
    fn pruning_keeps_the_newest_and_leaves_other_files_alone() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("h"));
        let runs = home.private_dir(RUNS).unwrap();
        let names: Vec<String> = (1..=5)
            .map(|i| format!("2025010{i}T120000.000Z-hackernews"))
            .collect();
        for n in &names {
            std::fs::create_dir(runs.join(n)).unwrap();
            std::fs::write(runs.join(n).join("page.html"), "old").unwrap();
        }
        std::fs::create_dir(runs.join("notes")).unwrap();
        Bundles::new(home, 3).prune();
        let mut left: Vec<String> = std::fs::read_dir(&runs)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [&names[2], &names[3], &names[4], "notes"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&runs.join(&names[4])), 0o700);
            assert_eq!(mode(&runs.join(&names[4]).join("page.html")), 0o600);
        }
    }
}
