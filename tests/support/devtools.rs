//! Test support shared by the browser and end-to-end suites: which TCP
//! ports a set of processes listens on, and whether any of them answers
//! like a Chrome DevTools endpoint (`/json/version` or `/json/list` with a
//! `webSocketDebuggerUrl`), which would let any local user drive the browser.

use std::collections::HashSet;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The TCP ports (IPv4 and IPv6) on which any of `pids` listens.
pub(crate) fn listening_ports(pids: &[u32]) -> Vec<u16> {
    let mut inodes = HashSet::new();
    for pid in pids {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Ok(target) = std::fs::read_link(fd.path()) {
                let t = target.to_string_lossy();
                if let Some(inode) = t.strip_prefix("socket:[").and_then(|r| r.strip_suffix(']')) {
                    inodes.insert(inode.to_string());
                }
            }
        }
    }
    let mut ports = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st ... uid timeout inode
            if f.len() < 10 || f[3] != "0A" || !inodes.contains(f[9]) {
                continue;
            }
            if let Some(port) = f[1]
                .rsplit(':')
                .next()
                .and_then(|p| u16::from_str_radix(p, 16).ok())
            {
                ports.push(port);
            }
        }
    }
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// The answers of `port` to the DevTools discovery URLs that hand out a
/// `webSocketDebuggerUrl` (none, for a port that is not DevTools).
pub(crate) async fn devtools_answers(port: u16) -> Vec<String> {
    let mut found = Vec::new();
    for path in ["/json/version", "/json/list"] {
        let Ok(Ok(mut sock)) = tokio::time::timeout(
            Duration::from_secs(2),
            tokio::net::TcpStream::connect(("127.0.0.1", port)),
        )
        .await
        else {
            continue;
        };
        let req =
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
        if sock.write_all(req.as_bytes()).await.is_err() {
            continue;
        }
        let mut body = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(2), sock.read_to_end(&mut body)).await;
        let body = String::from_utf8_lossy(&body);
        if body.contains("webSocketDebuggerUrl") {
            found.push(format!(
                "{port}{path}: {}",
                body.lines().last().unwrap_or_default()
            ));
        }
    }
    found
}

/// Every DevTools endpoint that any of `pids` serves.
pub(crate) async fn devtools_endpoints(pids: &[u32]) -> Vec<String> {
    let mut all = Vec::new();
    for port in listening_ports(pids) {
        all.extend(devtools_answers(port).await);
    }
    all
}
