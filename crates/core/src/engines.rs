//! Where browsers come from: Chromium launched here (`local`, the default),
//! or remote engines that speak CDP over a WebSocket: a Chromium started
//! with `--remote-debugging-port` on another host (`cdp`), or a
//! browserless pool (`browserless`, one browser per connection).
//!
//! ```toml
//! [[browser.endpoints]]
//! name = "box1"
//! url = "ws://10.0.0.5:3000/chromium"
//! kind = "browserless"
//! max_sessions = 5
//! token_env = "BROWSERLESS_TOKEN"
//! insecure = true   # plain ws:// to another host: only inside a private network
//! ```
//!
//! or `DISTROFLOW_BROWSER_ENDPOINTS=local,ws://127.0.0.1:9222/devtools/browser/…`.

use std::fmt;

use serde::Deserialize;
use url::{Host, Url};

use crate::{Error, Result, Secret};

/// The environment variable listing endpoints (comma-separated URLs or
/// `local`); it wins over `[[browser.endpoints]]`.
pub const ENDPOINTS_ENV: &str = "DISTROFLOW_BROWSER_ENDPOINTS";

/// What kind of engine an endpoint is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// Chromium launched by DistroFlow on this machine, over a private pipe.
    Local,
    /// A running Chromium's DevTools WebSocket (or its `http://host:port`).
    Cdp,
    /// A browserless server: each connection is a fresh browser.
    Browserless,
}

impl EngineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::Local => "local",
            EngineKind::Cdp => "cdp",
            EngineKind::Browserless => "browserless",
        }
    }
}

/// `[[browser.endpoints]]` as written in config.toml.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointConfig {
    /// `local`, `ws://`, `wss://` or `http(s)://host:port`.
    pub url: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Sessions at once on this engine (browserless's default is 5).
    #[serde(default = "default_sessions")]
    pub max_sessions: usize,
    /// Guessed from the URL when omitted.
    #[serde(default)]
    pub kind: Option<EngineKind>,
    /// The environment variable that holds the engine's token (the token
    /// itself is never written in the config, nor logged).
    #[serde(default)]
    pub token_env: Option<String>,
    /// Allow plain `ws://`/`http://` to another host. A remote CDP endpoint
    /// owns every cookie sent to it: use TLS or a tunnel instead.
    #[serde(default)]
    pub insecure: bool,
}

fn default_sessions() -> usize {
    5
}

/// One engine, resolved and checked.
#[derive(Clone, PartialEq)]
pub struct Endpoint {
    pub name: String,
    pub kind: EngineKind,
    /// `None` for `local`.
    pub url: Option<Url>,
    pub max_sessions: usize,
    pub token: Option<Secret>,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("url", &self.display_url())
            .field("max_sessions", &self.max_sessions)
            .field("token", &self.token)
            .finish()
    }
}

impl Endpoint {
    /// This machine's Chromium.
    pub fn local(max_sessions: usize) -> Endpoint {
        Endpoint {
            name: "local".into(),
            kind: EngineKind::Local,
            url: None,
            max_sessions: max_sessions.max(1),
            token: None,
        }
    }

    /// The URL for messages: no query (tokens live there), no password.
    pub fn display_url(&self) -> String {
        match &self.url {
            None => "local".into(),
            Some(u) => {
                let mut u = u.clone();
                u.set_query(None);
                let _ = u.set_password(None);
                u.to_string()
            }
        }
    }

    /// The WebSocket URL to connect to, token included (browserless takes
    /// it as `?token=`). Never log it.
    pub fn connect_url(&self) -> Option<Url> {
        let mut u = self.url.clone()?;
        if let Some(t) = &self.token {
            if !u.query_pairs().any(|(k, _)| k == "token") {
                u.query_pairs_mut().append_pair("token", t.expose());
            }
        }
        Some(u)
    }

    fn from_url(raw: &str, name: Option<String>, cfg: Option<&EndpointConfig>) -> Result<Endpoint> {
        let raw = raw.trim();
        let max_sessions = cfg.map(|c| c.max_sessions).unwrap_or_else(default_sessions);
        if max_sessions == 0 {
            return Err(bad(raw, "max_sessions must be at least 1"));
        }
        if raw.eq_ignore_ascii_case("local") {
            let mut e = Endpoint::local(max_sessions);
            if let Some(n) = name {
                e.name = n;
            }
            return Ok(e);
        }
        let url = Url::parse(raw).map_err(|e| bad(raw, &format!("not a URL ({e})")))?;
        if !matches!(url.scheme(), "ws" | "wss" | "http" | "https") {
            return Err(bad(raw, "use ws://, wss://, http:// or https://"));
        }
        let host = url.host().ok_or_else(|| bad(raw, "no host"))?;
        let plain = matches!(url.scheme(), "ws" | "http");
        let insecure = cfg.is_some_and(|c| c.insecure);
        if plain && !is_loopback(&host) && !insecure {
            return Err(Error::Config {
                message: format!(
                    "browser endpoint {}: plain {} to another host would hand every session cookie to anyone on the way",
                    redact(&url),
                    url.scheme()
                ),
            });
        }
        let kind = cfg.and_then(|c| c.kind).unwrap_or_else(|| guess_kind(&url));
        if kind == EngineKind::Local {
            return Err(bad(raw, "kind = \"local\" takes url = \"local\""));
        }
        let token = match cfg.and_then(|c| c.token_env.as_deref()) {
            Some(var) => Some(Secret::new(std::env::var(var).map_err(|_| {
                Error::Config {
                    message: format!(
                        "browser endpoint {}: the token variable {var} is not set",
                        redact(&url)
                    ),
                }
            })?)),
            None => None,
        };
        let name = name.unwrap_or_else(|| {
            format!(
                "{}:{}",
                url.host_str().unwrap_or_default(),
                url.port_or_known_default().unwrap_or_default()
            )
        });
        Ok(Endpoint {
            name,
            kind,
            url: Some(url),
            max_sessions,
            token,
        })
    }
}

fn bad(raw: &str, why: &str) -> Error {
    let shown = Url::parse(raw)
        .map(|u| redact(&u))
        .unwrap_or_else(|_| "(not a URL)".into());
    Error::Config {
        message: format!("browser endpoint {shown}: {why}"),
    }
}

fn redact(u: &Url) -> String {
    let mut u = u.clone();
    u.set_query(None);
    let _ = u.set_password(None);
    u.to_string()
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// browserless serves `/chromium`, `/chrome` (and takes `?token=`); a
/// Chromium's own socket is `/devtools/browser/<id>`.
fn guess_kind(url: &Url) -> EngineKind {
    let path = url.path();
    if path.starts_with("/devtools/") {
        return EngineKind::Cdp;
    }
    if path.starts_with("/chromium")
        || path.starts_with("/chrome")
        || url.query_pairs().any(|(k, _)| k == "token")
    {
        return EngineKind::Browserless;
    }
    EngineKind::Cdp
}

/// The configured engines: `DISTROFLOW_BROWSER_ENDPOINTS`, else
/// `[[browser.endpoints]]`, else one `local` engine with `local_sessions`.
pub fn endpoints(configured: &[EndpointConfig], local_sessions: usize) -> Result<Vec<Endpoint>> {
    let mut out = Vec::new();
    match std::env::var(ENDPOINTS_ENV) {
        Ok(list) if !list.trim().is_empty() => {
            for raw in list.split(',').filter(|s| !s.trim().is_empty()) {
                let e = if raw.trim().eq_ignore_ascii_case("local") {
                    Endpoint::local(local_sessions)
                } else {
                    Endpoint::from_url(raw, None, None)?
                };
                out.push(e);
            }
        }
        _ => {
            for c in configured {
                let e = if c.url.trim().eq_ignore_ascii_case("local") {
                    let mut e = Endpoint::local(c.max_sessions);
                    if let Some(n) = &c.name {
                        e.name = n.clone();
                    }
                    e
                } else {
                    Endpoint::from_url(&c.url, c.name.clone(), Some(c))?
                };
                out.push(e);
            }
        }
    }
    if out.is_empty() {
        out.push(Endpoint::local(local_sessions));
    }
    let mut names = std::collections::BTreeSet::new();
    for e in &mut out {
        let base = e.name.clone();
        let mut n = 2;
        while !names.insert(e.name.clone()) {
            e.name = format!("{base}#{n}");
            n += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(url: &str) -> EndpointConfig {
        EndpointConfig {
            url: url.into(),
            name: None,
            max_sessions: 5,
            kind: None,
            token_env: None,
            insecure: false,
        }
    }

    #[test]
    fn kinds_are_guessed_and_plain_remote_sockets_refused() {
        let e = endpoints(&[cfg("ws://127.0.0.1:9222/devtools/browser/abc")], 3).unwrap();
        assert_eq!(e[0].kind, EngineKind::Cdp);
        let e = endpoints(&[cfg("wss://pool.example:3000/chromium")], 3).unwrap();
        assert_eq!(e[0].kind, EngineKind::Browserless);
        assert_eq!(e[0].name, "pool.example:3000");
        let err = endpoints(&[cfg("ws://10.0.0.5:9222/devtools/browser/x")], 3).unwrap_err();
        assert!(err.to_string().contains("plain ws"), "{err}");
        let mut ok = cfg("ws://10.0.0.5:9222/devtools/browser/x");
        ok.insecure = true;
        assert!(endpoints(&[ok], 3).is_ok());
        assert!(endpoints(&[cfg("ftp://x")], 3).is_err());
        let none = endpoints(&[], 4).unwrap();
        assert_eq!(none, vec![Endpoint::local(4)]);
    }

    #[test]
    fn tokens_never_show() {
        let mut c = cfg("wss://pool.example/chromium?token=SECRET1");
        c.kind = Some(EngineKind::Browserless);
        let e = &endpoints(&[c], 3).unwrap()[0];
        assert!(!format!("{e:?}").contains("SECRET1"));
        assert!(!e.display_url().contains("SECRET1"));
        assert!(e.connect_url().unwrap().as_str().contains("SECRET1"));
        let err = endpoints(&[cfg("ws://10.1.1.1/chromium?token=SECRET2")], 3).unwrap_err();
        assert!(!err.to_string().contains("SECRET2"), "{err}");
    }
}
