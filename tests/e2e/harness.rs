use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

pub const BIN: &str = env!("CARGO_BIN_EXE_distroflow");

/// One isolated user: a home folder, a temp folder, environment overrides.
pub struct User {
    pub dir: tempfile::TempDir,
    pub env: Vec<(String, String)>,
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// The JSON lines on stdout.
    pub fn json(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
            .collect()
    }
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )?;
        // A failed step left a debug bundle: its step log says what was
        // tried (the folder is gone once the test ends).
        let both = format!("{}{}", self.stdout, self.stderr);
        for dir in debug_bundles(&both) {
            let steps = std::fs::read_to_string(dir.join("steps.txt")).unwrap_or_default();
            write!(f, "\n--- steps in {}\n{steps}", dir.display())?;
        }
        Ok(())
    }
}

/// The debug bundle folders named in `text` (`[debug bundle: <path>]`).
pub fn debug_bundles(text: &str) -> Vec<PathBuf> {
    text.split("[debug bundle: ")
        .skip(1)
        .filter_map(|part| part.split(']').next())
        .map(PathBuf::from)
        .collect()
}

impl User {
    pub fn new() -> User {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("tmp")).unwrap();
        let env = vec![
            (
                "DISTROFLOW_HOME".into(),
                dir.path().join("home").display().to_string(),
            ),
            (
                "TMPDIR".into(),
                dir.path().join("tmp").display().to_string(),
            ),
            // Tests post often to local replicas; the rate-limit tests
            // turn this back on.
            ("DISTROFLOW_RATE_LIMITS".into(), "off".into()),
        ];
        User { dir, env }
    }

    /// A user of a Hacker News replica at `url`, logged in through its
    /// form as `sandbox`.
    pub async fn logged_in_to_hn(url: &str) -> User {
        let mut u = User::new();
        u.set("DISTROFLOW_HACKERNEWS_URL", url);
        let out = u
            .run_with_stdin(
                &["login", "hn", "--username", "sandbox", "--password-stdin"],
                Some("sandbox"),
            )
            .await;
        assert_eq!(out.code, 0, "{out:?}");
        u
    }

    /// A user with a saved (unchecked) Hacker News session for the site at
    /// `url`: the cookie `user=alice&abc` on 127.0.0.1.
    pub async fn with_saved_hn_session(url: &str) -> User {
        let mut u = User::new();
        u.set("DISTROFLOW_HACKERNEWS_URL", url);
        let f = u.cookie_file("hn-cookies.json", "user", "alice&abc");
        let out = u
            .run(&[
                "login",
                "hn",
                "--cookies",
                f.to_str().unwrap(),
                "--no-check",
            ])
            .await;
        assert_eq!(out.code, 0, "{out:?}");
        u
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn unset(&mut self, key: &str) {
        self.env.retain(|(k, _)| k != key);
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
    }

    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// A cookie file (a JSON array, as browsers export) holding one cookie
    /// for the replicas' host.
    pub fn cookie_file(&self, name: &str, cookie: &str, value: &str) -> PathBuf {
        let json = serde_json::json!([{
            "name": cookie, "value": value, "domain": "127.0.0.1", "path": "/"
        }]);
        self.file(name, &json.to_string())
    }

    pub async fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, None).await
    }

    pub async fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = tokio::process::Command::new(BIN);
        cmd.args(args)
            .env_remove("RUST_LOG")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("NO_COLOR", "1")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("DISTROFLOW_")) {
            cmd.env_remove(k);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn distroflow");
        if let Some(input) = stdin {
            let mut s = child.stdin.take().unwrap();
            s.write_all(input.as_bytes()).await.unwrap();
            drop(s);
        }
        let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
            .await
            .expect("distroflow finished within 120s")
            .unwrap();
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Processes of browsers whose profile lives in this user's temp
    /// folder (every Chromium of this user), helpers included.
    pub fn leftover_browsers(&self) -> Vec<String> {
        let tmp = self.dir.path().join("tmp");
        let mut found = Vec::new();
        // Children may take a moment to exit after the browser process.
        for _ in 0..30 {
            found = distroflow_browser::browser_processes(&tmp)
                .into_iter()
                .map(|(pid, cmd)| format!("{pid}: {cmd}"))
                .collect();
            if found.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        found
    }
}

pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// A Chromium stand-in that records that it was started, then fails.
pub fn recording_chrome(user: &User) -> (PathBuf, PathBuf) {
    let marker = user.dir.path().join("chrome-started");
    let script = user.file(
        "fake-chrome.sh",
        &format!("#!/bin/sh\ntouch '{}'\nexit 1\n", marker.display()),
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, marker)
}

/// A server on 127.0.0.1 that accepts connections and never answers.
pub async fn black_hole() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// Sends a signal to a process with the system's `kill`.
pub fn signal(pid: u32, sig: &str) {
    let ok = std::process::Command::new("kill")
        .args([format!("-{sig}"), pid.to_string()])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "kill -{sig} {pid}");
}

impl User {
    /// Starts the binary without waiting for it.
    pub fn spawn(&self, args: &[&str]) -> tokio::process::Child {
        let mut cmd = tokio::process::Command::new(BIN);
        cmd.args(args)
            .env_remove("RUST_LOG")
            .env_remove("DISPLAY")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("DISTROFLOW_")) {
            cmd.env_remove(k);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.spawn().expect("spawn distroflow")
    }
}

/// The body of a plain-HTTP GET to a loopback URL (a replica's page or
/// record), read to the end.
pub async fn http_get(url: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.trim_start_matches("http://");
    let (addr, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    sock.write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut raw = Vec::new();
    sock.read_to_end(&mut raw).await.unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    raw.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}
