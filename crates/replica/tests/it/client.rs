//! A tiny HTTP/1.1 client over a Tokio `TcpStream`: one request per
//! connection, forms and cookies by hand, no redirects followed.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub(crate) fn location(&self) -> Option<&str> {
        self.header("location")
    }

    /// The value a `Set-Cookie: NAME=VALUE; ...` header sets.
    pub(crate) fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, value)| value.split(';').next()?.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    }

    /// The value of the first `name="NAME" value="..."` hidden input.
    pub(crate) fn input_value(&self, name: &str) -> Option<String> {
        let needle = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&needle)? + needle.len();
        let end = self.body[start..].find('"')? + start;
        Some(self.body[start..end].to_owned())
    }
}

/// A client for one base URL, sending the `user` cookie when it has one.
pub(crate) struct Client {
    addr: String,
    pub(crate) user_cookie: Option<String>,
}

impl Client {
    pub(crate) fn new(base_url: &str) -> Self {
        let addr = base_url
            .strip_prefix("http://")
            .expect("http base url")
            .trim_end_matches('/')
            .to_owned();
        Client {
            addr,
            user_cookie: None,
        }
    }

    pub(crate) fn with_cookie(base_url: &str, cookie: &str) -> Self {
        let mut client = Self::new(base_url);
        client.user_cookie = Some(cookie.to_owned());
        client
    }

    pub(crate) async fn get(&self, path: &str) -> Response {
        self.send("GET", path, None).await
    }

    pub(crate) async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.send("POST", path, Some(body)).await
    }

    /// Logs in through the form and keeps the cookie it sets.
    pub(crate) async fn login(&mut self, user: &str, password: &str) -> Response {
        let response = self
            .post(
                "/login",
                &[("goto", "news"), ("acct", user), ("pw", password)],
            )
            .await;
        if let Some(cookie) = response.set_cookie("user") {
            self.user_cookie = Some(cookie);
        }
        response
    }

    async fn send(&self, method: &str, path: &str, body: Option<String>) -> Response {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: replica-test\r\n",
            self.addr
        );
        if let Some(cookie) = &self.user_cookie {
            request.push_str(&format!("Cookie: user={cookie}\r\n"));
        }
        if let Some(body) = &body {
            request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
            request.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        if let Some(body) = &body {
            request.push_str(body);
        }

        let mut stream = TcpStream::connect(&self.addr).await.expect("connect");
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        parse(&raw)
    }
}

fn parse(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = std::str::from_utf8(&raw[..split]).expect("ascii head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body: String::from_utf8(body).expect("utf-8 body"),
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("chunk size");
        let size_text = std::str::from_utf8(&data[..line_end]).expect("chunk size text");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
            .expect("hex chunk size");
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}
