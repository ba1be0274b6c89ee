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
    pub async fn connect(endpoint: &Endpoint, options: BrowserOptions) -> Result<Browser> {
        let started = Instant::now();
        let shown = endpoint.display_url();
        let url = endpoint.connect_url().ok_or_else(|| Error::Browser {
            message: "the local engine is launched, not connected to".into(),
        })?;
        let ws = tokio::time::timeout(CONNECT_TIMEOUT, websocket_url(&url))
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

fn unreachable_err(shown: &str, why: &str) -> Error {
    Error::Browser {
        message: format!("browser engine {shown}: {why}"),
    }
}

/// The WebSocket to connect to: as given, or discovered from
/// `http(s)://host:port/json/version`.
async fn websocket_url(url: &Url) -> Result<String> {
    if matches!(url.scheme(), "ws" | "wss") {
        return Ok(url.to_string());
    }
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    // Chrome answers /json/version only to an IP or localhost as Host.
    let ip = tokio::net::lookup_host((host.as_str(), port))
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| unreachable_err(&host, "cannot resolve the host"))?;
    let mut version = url.clone();
    let _ = version.set_ip_host(ip.ip());
    version.set_path("/json/version");
    let answer: serde_json::Value = reqwest::Client::new()
        .get(version.as_str())
        .send()
        .await
        .map_err(|e| unreachable_err(&host, &e.without_url().to_string()))?
        .error_for_status()
        .map_err(|e| unreachable_err(&host, &refusal(&e.without_url().to_string())))?
        .json()
        .await
        .map_err(|e| unreachable_err(&host, &e.without_url().to_string()))?;
    let ws = answer["webSocketDebuggerUrl"]
        .as_str()
        .ok_or_else(|| unreachable_err(&host, "/json/version has no webSocketDebuggerUrl"))?;
    // Chrome names itself (127.0.0.1, localhost): connect where we asked.
    let mut ws = Url::parse(ws).map_err(|e| unreachable_err(&host, &e.to_string()))?;
    let _ = ws.set_ip_host(ip.ip());
    let _ = ws.set_port(Some(ip.port()));
    if url.scheme() == "https" {
        let _ = ws.set_scheme("wss");
    }
    Ok(ws.to_string())
}
