use std::time::Duration;

use distroflow_core::{Config, Home};
use distroflow_server::{ApiToken, ServeOptions};

pub const TOKEN: &str = "test-token-0123456789abcdef0123456789abcdef";

/// A server in its own thread (and runtime), with a private home, no
/// scheduler and no Chromium; stopped when dropped.
pub struct Server {
    pub port: u16,
    _home: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start() -> Server {
        Server::with(|_| {})
    }

    pub fn with(configure: impl FnOnce(&mut Config)) -> Server {
        Server::with_pair_code(configure, None)
    }

    /// A server started as `serve --pair` would be, with `code`.
    pub fn with_pair_code(configure: impl FnOnce(&mut Config), code: Option<String>) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("home"));
        let mut config = Config::default();
        // No browser: these tests never post.
        config.browser.chrome = Some(dir.path().join("no-chromium"));
        configure(&mut config);
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = distroflow_server::bind("127.0.0.1:0", false).await.unwrap();
                port_tx.send(listener.local_addr().unwrap().port()).unwrap();
                let mut options = ServeOptions::new(home, config, ApiToken::new(TOKEN));
                options.scheduler = false;
                options.pair_code = code;
                distroflow_server::serve(listener, options, async {
                    let _ = stop_rx.await;
                })
                .await
                .unwrap();
            });
        });
        let port = port_rx.recv_timeout(Duration::from_secs(30)).unwrap();
        Server {
            port,
            _home: dir,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The server's $DISTROFLOW_HOME.
    pub fn home_path(&self) -> std::path::PathBuf {
        self._home.path().join("home")
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

pub fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// The error object of an answer, checked for its shape.
pub async fn error_of(r: reqwest::Response) -> serde_json::Value {
    let v: serde_json::Value = r.json().await.unwrap();
    let e = v["error"].clone();
    assert!(e["kind"].is_string(), "{v}");
    assert!(e["message"].is_string(), "{v}");
    assert!(e.get("hint").is_some(), "{v}");
    e
}

/// A multipart/form-data body: (name, file name, content) per part; its
/// content type.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "distroflow-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
