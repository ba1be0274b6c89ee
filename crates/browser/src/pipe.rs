//! The private DevTools channel: Chromium speaks CDP over
//! `--remote-debugging-pipe` (file descriptors 3 and 4, messages ending in
//! a NUL byte), never over a TCP port another local user could reach.
//!
//! chromiumoxide speaks CDP over a WebSocket only, so the pipe is bridged
//! in-process: a listener on 127.0.0.1 with an unguessable 256-bit path
//! accepts exactly one WebSocket (ours) and closes at once, and never
//! answers `/json/version` or `/json/list`. What crosses it is pumped
//! between the WebSocket and the pipe. When DistroFlow exits, however it
//! exits (SIGKILL included), the pipe closes and Chromium quits by itself.

use std::net::Ipv4Addr;
use std::os::fd::OwnedFd;
use std::time::Duration;

use async_tungstenite::tokio::{accept_hdr_async, TokioAdapter};
use async_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use async_tungstenite::tungstenite::http::StatusCode;
use async_tungstenite::tungstenite::Message;
use async_tungstenite::WebSocketStream;
use distroflow_core::{Error, Result};
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::unix::pipe;
use tokio::net::{TcpListener, TcpStream};

/// The bridge's one-shot address, and the task pumping messages.
pub(crate) struct Channel {
    /// `ws://127.0.0.1:PORT/devtools/browser/<secret>`: accepted once.
    pub(crate) url: String,
    pub(crate) task: tokio::task::JoinHandle<()>,
}

/// Bridges Chromium's pipe: `to_chrome` is the write end of the pipe
/// Chromium reads as fd 3, `from_chrome` the read end of the one it writes
/// as fd 4. The WebSocket must connect within `accept_within`.
pub(crate) async fn bridge(
    to_chrome: OwnedFd,
    from_chrome: OwnedFd,
    accept_within: Duration,
) -> Result<Channel> {
    let io = |e: std::io::Error| Error::Browser {
        message: format!("cannot open the DevTools pipe: {e}"),
    };
    let tx = pipe::Sender::from_owned_fd(to_chrome).map_err(io)?;
    let rx = pipe::Receiver::from_owned_fd(from_chrome).map_err(io)?;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(io)?;
    let port = listener.local_addr().map_err(io)?.port();
    let path = format!("/devtools/browser/{}", secret_hex());
    let url = format!("ws://127.0.0.1:{port}{path}");
    let task = tokio::spawn(async move {
        let ws = tokio::time::timeout(accept_within, accept_one(&listener, &path)).await;
        // The listener closes here: nobody else can even try.
        drop(listener);
        match ws {
            Ok(ws) => pump(ws, tx, rx).await,
            Err(_) => tracing::debug!("nobody took the DevTools channel in time"),
        }
    });
    Ok(Channel { url, task })
}

/// 256 random bits, hex: the only way into the listener while it is open.
fn secret_hex() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal without telling how much of it matched.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

type Ws = WebSocketStream<TokioAdapter<TcpStream>>;

/// The first WebSocket from a loopback address that asks for `path`;
/// anything else is turned away (404) and the wait goes on.
async fn accept_one(listener: &TcpListener, path: &str) -> Ws {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        if !peer.ip().is_loopback() {
            continue;
        }
        // Every message goes out at once: with Nagle's algorithm a reply
        // that follows a burst of events (a page load's lifecycle events)
        // waited for the client's delayed ACK, about 40 ms on loopback.
        let _ = stream.set_nodelay(true);
        let expected = path.as_bytes().to_vec();
        // The callback's type is tungstenite's; its error is a whole response.
        #[allow(clippy::result_large_err)]
        let check = move |req: &Request, resp: Response| {
            if same(req.uri().path().as_bytes(), &expected) {
                Ok(resp)
            } else {
                let mut no = ErrorResponse::new(None);
                *no.status_mut() = StatusCode::NOT_FOUND;
                Err(no)
            }
        };
        match tokio::time::timeout(Duration::from_secs(2), accept_hdr_async(stream, check)).await {
            Ok(Ok(ws)) => return ws,
            _ => tracing::debug!("turned away a connection to the DevTools channel"),
        }
    }
}

/// Pumps messages both ways until either side closes, then closes both:
/// the pipe closing makes Chromium quit.
async fn pump(ws: Ws, mut tx: pipe::Sender, mut rx: pipe::Receiver) {
    let (mut ws_tx, mut ws_rx) = ws.split();
    let to_chrome = async {
        while let Some(msg) = ws_rx.next().await {
            let bytes = match msg {
                Ok(Message::Text(t)) => t.as_bytes().to_vec(),
                Ok(Message::Binary(b)) => b.to_vec(),
                Ok(Message::Close(_)) | Err(_) => break,
                Ok(_) => continue,
            };
            trace_message("→", &bytes);
            if tx.write_all(&bytes).await.is_err() || tx.write_all(b"\0").await.is_err() {
                break;
            }
        }
    };
    let from_chrome = async {
        let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
        let mut scanned = 0;
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = match rx.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            buf.extend_from_slice(&chunk[..n]);
            while let Some(end) = buf[scanned..].iter().position(|&b| b == 0) {
                let end = scanned + end;
                let message: Vec<u8> = buf.drain(..=end).take(end).collect();
                scanned = 0;
                trace_message("←", &message);
                let text = String::from_utf8(message)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                if ws_tx.send(Message::text(text)).await.is_err() {
                    return;
                }
            }
            scanned = buf.len();
        }
        let _ = ws_tx.close(None).await;
    };
    tokio::select! {
        _ = to_chrome => {}
        _ = from_chrome => {}
    }
    // Dropping `tx` closes Chromium's end of the channel.
}

/// The CDP traffic at trace level, without its contents: a message's id,
/// method and size only (parameters carry cookies, typed passwords and
/// page storage, and are never logged).
fn trace_message(direction: &str, bytes: &[u8]) {
    if !tracing::enabled!(tracing::Level::TRACE) {
        return;
    }
    #[derive(serde::Deserialize)]
    struct Head {
        id: Option<u64>,
        method: Option<String>,
    }
    let head: Option<Head> = serde_json::from_slice(bytes).ok();
    let (id, method) = head.map(|h| (h.id, h.method)).unwrap_or_default();
    tracing::trace!(
        id,
        method = method.as_deref().unwrap_or("(response)"),
        bytes = bytes.len(),
        "CDP {direction}"
    );
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn compares_in_full() {
        assert!(same(b"/devtools/browser/ab", b"/devtools/browser/ab"));
        assert!(!same(b"/devtools/browser/ab", b"/devtools/browser/ac"));
        assert!(!same(b"/devtools/browser/a", b"/devtools/browser/ab"));
    }
}
