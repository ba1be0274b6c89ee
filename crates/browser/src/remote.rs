//! Remote engines: a Chromium on another host reached through its DevTools
//! WebSocket (`cdp`), or a browserless server where each connection is a
//! fresh browser (`browserless`). The explicit, opt-in exception to the
//! private pipe: whoever runs the engine sees every cookie sent to it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chromiumoxide::browser::Browser as CdpBrowser;
use chromiumoxide::handler::HandlerConfig;
use distroflow_core::{Endpoint, EngineKind, Error, Result};
use tokio::sync::{RwLock, Semaphore};
use url::Url;

use crate::launch::{BrowserOptions, Inner};
use crate::Browser;

/// How long connecting to an engine may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

impl Browser {
    /// Connects to a remote engine. For `http(s)://host:port` the
    /// WebSocket is discovered through `/json/version` (asked by IP, since
    /// Chrome refuses a Host that is a name); `ws(s)://` is used as is.
    /// A browserless connection asks for a session as long as a job may
    /// take (`timeout=`, unless the URL sets one). No message carries the
    /// token.
    pub async fn connect(endpoint: &Endpoint, options: BrowserOptions) -> Result<Browser> {
        Self::connect_unscrubbed(endpoint, options)
            .await
            .map_err(|e| scrub(e, endpoint))
    }

    async fn connect_unscrubbed(endpoint: &Endpoint, options: BrowserOptions) -> Result<Browser> {
        let started = Instant::now();
        let shown = endpoint.display_url();
        let mut url = endpoint.connect_url().ok_or_else(|| Error::Browser {
            message: "the local engine is launched, not connected to".into(),
        })?;
        if endpoint.kind == EngineKind::Browserless
            && !url.query_pairs().any(|(k, _)| k == "timeout")
        {
            // browserless ends a session after 30 s by default, with no
            // close frame: ask for as long as a job may run.
            let ms = options.session_timeout.as_millis().to_string();
            url.query_pairs_mut().append_pair("timeout", &ms);
        }
        let ws = tokio::time::timeout(CONNECT_TIMEOUT, websocket_url(&url, endpoint.kind))
            .await
            .map_err(|_| unreachable_err(&shown, "no answer"))??;
        let config = HandlerConfig {
            ignore_https_errors: false,
            ignore_invalid_messages: true,
            viewport: None,
            context_ids: Vec::new(),
            request_timeout: options.cdp_timeout,
            request_intercept: false,
            cache_enabled: true,
        };
        let (cdp, handler) =
            tokio::time::timeout(CONNECT_TIMEOUT, CdpBrowser::connect_with_config(ws, config))
                .await
                .map_err(|_| unreachable_err(&shown, "no answer"))?
                .map_err(|e| unreachable_err(&shown, &refusal(&e.to_string())))?;
        let lost = crate::lost::new();
        let events = crate::lost::drive(handler, lost.clone());
        if let Err(e) = tokio::time::timeout(CONNECT_TIMEOUT, cdp.version())
            .await
            .map_err(|_| unreachable_err(&shown, "no answer to Browser.getVersion"))?
        {
            events.abort();
            return Err(unreachable_err(&shown, &e.to_string()));
        }
        let sessions = match endpoint.kind {
            EngineKind::Browserless => 1,
            _ => endpoint.max_sessions,
        };
        Ok(Browser {
            inner: Arc::new(Inner {
                cdp: RwLock::new(Some(cdp)),
                permits: Arc::new(Semaphore::new(sessions.max(1))),
                options,
                tasks: std::sync::Mutex::new(vec![events]),
                child: std::sync::Mutex::new(None),
                profile: None,
                remote: Some(endpoint.name.clone()),
                lost,
                spares: Default::default(),
                prepared: Default::default(),
                started_in: started.elapsed(),
            }),
        })
    }

    /// Whether the connection to the engine still works.
    pub async fn is_alive(&self) -> bool {
        let guard = self.inner.cdp.read().await;
        let Some(cdp) = guard.as_ref() else {
            return false;
        };
        matches!(
            tokio::time::timeout(Duration::from_secs(5), cdp.version()).await,
            Ok(Ok(_))
        )
    }

    /// The browser's product and version (`Chrome/156...`).
    pub async fn version(&self) -> Result<String> {
        let guard = self.inner.cdp.read().await;
        let cdp = guard.as_ref().ok_or_else(|| Error::Browser {
            message: "browser already closed".into(),
        })?;
        let v = tokio::time::timeout(self.inner.options.cdp_timeout, cdp.version())
            .await
            .map_err(|_| Error::Browser {
                message: "no answer to Browser.getVersion".into(),
            })?
            .map_err(crate::page::cdp_err)?;
        Ok(v.product.clone())
    }
}

/// A connection refused, a 429 (browserless's queue is full) or a lost
/// engine: "full or down", never the post's own failure.
fn refusal(message: &str) -> String {
    if message.contains("429") {
        "the engine is full (429)".into()
    } else {
        message.to_string()
    }
}

/// The error without the endpoint's token, wherever a library quoted it.
fn scrub(e: Error, endpoint: &Endpoint) -> Error {
    let Some(token) = endpoint.token.as_ref().map(|t| t.expose().to_string()) else {
        return e;
    };
    if token.is_empty() || !e.to_string().contains(&token) {
        return e;
    }
    let message = match e {
        Error::Browser { message } => message,
        other => other.to_string(),
    };
    Error::Browser {
        message: message.replace(&token, "****"),
    }
}

fn unreachable_err(shown: &str, why: &str) -> Error {
    Error::Browser {
        message: format!("browser engine {shown}: {why}"),
    }
}

/// The WebSocket to connect to: as given (a `ws://` name resolved to its
/// address for a Chromium), or, for `http(s)://`, `ws(s)://` on the same
/// place for browserless, and discovered through `/json/version` for a
/// Chromium. A query string (a proxy's or browserless's token) is kept.
async fn websocket_url(url: &Url, kind: EngineKind) -> Result<String> {
    let host = url.host_str().unwrap_or_default().to_string();
    let plain = matches!(url.scheme(), "ws" | "http");
    match (url.scheme(), kind) {
        // browserless serves its WebSocket where it serves HTTP.
        (_, EngineKind::Browserless) => return Ok(as_websocket(url).to_string()),
        ("wss", _) => return Ok(url.to_string()),
        ("ws", _) => {
            // Chromium's own socket: by address, as for /json/version.
            let mut ws = url.clone();
            if matches!(url.host(), Some(url::Host::Domain(_))) {
                let ip = resolve(url).await?;
                let _ = ws.set_ip_host(ip.ip());
            }
            return Ok(ws.to_string());
        }
        _ => {}
    }
    // Chromium answers /json/version only to an IP or localhost as Host;
    // behind TLS there is a proxy in front of it, which gets its own name.
    let ip = if plain {
        Some(resolve(url).await?)
    } else {
        None
    };
    let version = version_url(url, ip.map(|a| a.ip()));
    let answer: serde_json::Value = reqwest::Client::new()
        .get(version.as_str())
        .send()
        .await
        .map_err(|e| unreachable_err(&host, &with_causes(e.without_url())))?
        .error_for_status()
        .map_err(|e| unreachable_err(&host, &refusal(&e.without_url().to_string())))?
        .json()
        .await
        .map_err(|e| unreachable_err(&host, &e.without_url().to_string()))?;
    let ws = answer["webSocketDebuggerUrl"]
        .as_str()
        .ok_or_else(|| unreachable_err(&host, "/json/version has no webSocketDebuggerUrl"))?;
    let ws = Url::parse(ws).map_err(|e| unreachable_err(&host, &e.to_string()))?;
    Ok(discovered_ws(url, &ws, ip).to_string())
}

/// An error and what caused it ("error sending request: … invalid peer
/// certificate: UnknownIssuer").
fn with_causes(e: impl std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// `http(s)` → `ws(s)`, everything else kept.
fn as_websocket(url: &Url) -> Url {
    let mut ws = url.clone();
    let scheme = match url.scheme() {
        "http" => "ws",
        "https" => "wss",
        other => other,
    };
    let _ = ws.set_scheme(scheme);
    ws
}

async fn resolve(url: &Url) -> Result<std::net::SocketAddr> {
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    // `[::1]` comes back bracketed; the resolver wants it bare.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    // IPv4 first: Chromium listens on 127.0.0.1 unless told otherwise,
    // and `localhost` may resolve to ::1 first.
    let mut addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((bare, port))
        .await
        .map(Iterator::collect)
        .unwrap_or_default();
    addrs.sort_by_key(|a| !a.is_ipv4());
    addrs
        .first()
        .copied()
        .ok_or_else(|| unreachable_err(&host, "cannot resolve the host"))
}

/// `<url's path>/json/version`, the query kept (not textually appended, as
/// chromiumoxide does, which puts it after a `?token=`), by `ip` if given.
fn version_url(url: &Url, ip: Option<std::net::IpAddr>) -> Url {
    let mut version = url.clone();
    if let Some(ip) = ip {
        let _ = version.set_ip_host(ip);
    }
    let path = format!("{}/json/version", url.path().trim_end_matches('/'));
    version.set_path(&path);
    version
}

/// The socket Chromium named (it names itself `127.0.0.1` or `localhost`)
/// moved to where it was asked: the address for plain http, the name (and
/// `wss`) behind TLS; the configured query carried over.
fn discovered_ws(asked: &Url, named: &Url, ip: Option<std::net::SocketAddr>) -> Url {
    let mut ws = named.clone();
    match ip {
        Some(ip) => {
            let _ = ws.set_ip_host(ip.ip());
            let _ = ws.set_port(Some(ip.port()));
        }
        None => {
            let _ = ws.set_scheme("wss");
            let _ = ws.set_host(asked.host_str());
            let _ = ws.set_port(asked.port());
        }
    }
    if ws.query().is_none() {
        ws.set_query(asked.query());
    }
    ws
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_keeps_the_query_and_asks_by_address() {
        let u = Url::parse("http://box1:9222/?token=s3cret").unwrap();
        let ip = "10.0.0.5".parse().unwrap();
        assert_eq!(
            version_url(&u, Some(ip)).as_str(),
            "http://10.0.0.5:9222/json/version?token=s3cret"
        );
        let named = Url::parse("ws://127.0.0.1:9222/devtools/browser/abc").unwrap();
        let at = std::net::SocketAddr::new(ip, 9222);
        assert_eq!(
            discovered_ws(&u, &named, Some(at)).as_str(),
            "ws://10.0.0.5:9222/devtools/browser/abc?token=s3cret"
        );
        // Behind TLS: the proxy's name, wss, its port.
        let u = Url::parse("https://engines.example:8443/e1/?auth=x").unwrap();
        assert_eq!(
            version_url(&u, None).as_str(),
            "https://engines.example:8443/e1/json/version?auth=x"
        );
        let named = Url::parse("ws://localhost:9222/devtools/browser/abc").unwrap();
        assert_eq!(
            discovered_ws(&u, &named, None).as_str(),
            "wss://engines.example:8443/devtools/browser/abc?auth=x"
        );
        let b = Url::parse("https://pool.example/chromium?token=t").unwrap();
        assert_eq!(
            as_websocket(&b).as_str(),
            "wss://pool.example/chromium?token=t"
        );
    }
}
