use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, PlatformId, Result};

/// A secret string (cookie value, password, token). `Debug` and `Display`
/// never show it; only [`Secret::expose`] does, on purpose.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself. Call only where it leaves for the browser or a file.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

/// One browser cookie. The value is a [`Secret`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cookie {
    pub name: String,
    pub value: Secret,
    pub domain: String,
    #[serde(default = "root_path")]
    pub path: String,
    /// Expiry as seconds since the Unix epoch; `None` for a session cookie.
    #[serde(default)]
    pub expires: Option<f64>,
    #[serde(default)]
    pub http_only: bool,
    #[serde(default)]
    pub secure: bool,
    #[serde(default)]
    pub same_site: Option<SameSite>,
}

fn root_path() -> String {
    "/".into()
}

impl Cookie {
    /// Whether the cookie has an expiry in the past (`now` in Unix seconds).
    pub fn is_expired(&self, now: f64) -> bool {
        matches!(self.expires, Some(e) if e > 0.0 && e < now)
    }
}

/// One `localStorage` entry. The value is a [`Secret`] (it may hold tokens).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageItem {
    pub name: String,
    pub value: Secret,
}

/// What one origin (`https://bsky.app`) keeps in `localStorage`, as in a
/// Playwright storage state's `origins[]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginStorage {
    pub origin: String,
    #[serde(default, rename = "localStorage")]
    pub local_storage: Vec<StorageItem>,
}

/// A saved session for one platform: cookies, and for platforms that keep
/// their session in the page (Bluesky), origin-scoped `localStorage`.
/// `Debug` never shows cookie or storage values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthConfig {
    pub platform: PlatformId,
    pub cookies: Vec<Cookie>,
    /// `localStorage` per origin (only the platform's session keys).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<OriginStorage>,
    /// The account name, when known.
    #[serde(default)]
    pub username: Option<String>,
    /// When it was saved, Unix seconds.
    #[serde(default)]
    pub saved_at: u64,
}

impl AuthConfig {
    pub fn new(platform: PlatformId, cookies: Vec<Cookie>) -> Self {
        AuthConfig {
            platform,
            cookies,
            origins: Vec::new(),
            username: None,
            saved_at: now_secs(),
        }
    }

    /// The saved `localStorage` items of the platform's session keys, from
    /// any origin that belongs to the platform (`scope`): they are
    /// restored on the origin it is configured at.
    pub fn storage_for(&self, scope: &crate::CookieScope) -> Vec<StorageItem> {
        let keys = self.platform.storage_keys();
        let mut out: Vec<StorageItem> = Vec::new();
        for o in &self.origins {
            if !scope.belongs_origin(&o.origin) {
                continue;
            }
            for item in &o.local_storage {
                if keys.contains(&item.name.as_str()) && !out.iter().any(|i| i.name == item.name) {
                    out.push(item.clone());
                }
            }
        }
        out
    }

    /// Replaces the saved storage of the platform's origins (those of
    /// `scope`) with `items`, kept for the configured origin.
    pub fn set_storage(&mut self, scope: &crate::CookieScope, items: Vec<StorageItem>) {
        self.origins.retain(|o| !scope.belongs_origin(&o.origin));
        if !items.is_empty() {
            self.origins.push(OriginStorage {
                origin: scope.origin(),
                local_storage: items,
            });
        }
    }

    /// True when every cookie with an expiry has expired (and there is at least one).
    pub fn all_expired(&self) -> bool {
        let now = now_secs() as f64;
        !self.cookies.is_empty() && self.cookies.iter().all(|c| c.is_expired(now))
    }
}

pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Serialize for PlatformId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PlatformId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What a session file holds: cookies, and `localStorage` per origin (a
/// Playwright storage state's `origins[]`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionFile {
    pub cookies: Vec<Cookie>,
    pub origins: Vec<OriginStorage>,
}

/// Reads a session exported from a browser: everything
/// [`parse_cookie_file`] reads, and a Playwright storage state whose
/// `origins[].localStorage` holds the session (its `cookies` may then be
/// empty).
pub fn parse_session_file(path: &Path, bytes: &[u8]) -> Result<SessionFile> {
    let origins = storage_origins(path, bytes)?;
    if origins.iter().any(|o| !o.local_storage.is_empty()) {
        let cookies = parse_cookie_file(path, bytes).unwrap_or_default();
        return Ok(SessionFile { cookies, origins });
    }
    Ok(SessionFile {
        cookies: parse_cookie_file(path, bytes)?,
        origins,
    })
}

/// The `origins[]` of a Playwright storage state (none for other files).
fn storage_origins(path: &Path, bytes: &[u8]) -> Result<Vec<OriginStorage>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(Vec::new());
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if !trimmed.starts_with('{') {
        return Ok(Vec::new());
    }
    let Ok(v) = serde_json::from_str::<serde_json::Value>(trimmed) else {
        return Ok(Vec::new());
    };
    let Some(list) = v.get("origins").and_then(|o| o.as_array()) else {
        return Ok(Vec::new());
    };
    let bad = |problem: String| {
        Error::usage(
            format!("session file {}: {problem}", path.display()),
            Some("give a Playwright storage state: {\"cookies\": [...], \"origins\": [{\"origin\": \"https://...\", \"localStorage\": [{\"name\": ..., \"value\": ...}]}]}".into()),
        )
    };
    let mut out = Vec::new();
    for (i, o) in list.iter().enumerate() {
        let origin = o
            .get("origin")
            .and_then(|x| x.as_str())
            .filter(|x| !x.is_empty())
            .ok_or_else(|| bad(format!("origins #{} has no \"origin\"", i + 1)))?;
        let mut items = Vec::new();
        for item in o
            .get("localStorage")
            .and_then(|x| x.as_array())
            .into_iter()
            .flatten()
        {
            let name = item.get("name").and_then(|x| x.as_str());
            let value = item.get("value").and_then(|x| x.as_str());
            match (name, value) {
                (Some(n), Some(v)) => items.push(StorageItem {
                    name: n.to_string(),
                    value: Secret::new(v),
                }),
                _ => {
                    return Err(bad(format!(
                        "a localStorage item of {origin} has no name or value"
                    )))
                }
            }
        }
        out.push(OriginStorage {
            origin: origin.to_string(),
            local_storage: items,
        });
    }
    Ok(out)
}

/// Reads cookies exported from a browser: a JSON array of cookie objects
/// (Chrome DevTools, Puppeteer, EditThisCookie, Playwright), a Playwright
/// storage state `{"cookies": [...]}`, or a Netscape `cookies.txt`.
pub fn parse_cookie_file(path: &Path, bytes: &[u8]) -> Result<Vec<Cookie>> {
    let bad = |problem: String| {
        Error::usage(
            format!("cookie file {}: {problem}", path.display()),
            Some(
                "export cookies as JSON (EditThisCookie, Playwright storage state) or a Netscape cookies.txt"
                    .into(),
            ),
        )
    };
    let text = std::str::from_utf8(bytes).map_err(|_| bad("is not UTF-8 text".into()))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(bad("is empty".into()));
    }
    let cookies = if trimmed.starts_with('[') || trimmed.starts_with('{') {
        let v: serde_json::Value =
            serde_json::from_str(trimmed).map_err(|e| bad(format!("is not valid JSON ({e})")))?;
        let list = match &v {
            serde_json::Value::Array(a) => a,
            serde_json::Value::Object(o) => match o.get("cookies") {
                Some(serde_json::Value::Array(a)) => a,
                _ => return Err(bad("is a JSON object without a \"cookies\" array".into())),
            },
            _ => unreachable!("starts with [ or {{"),
        };
        list.iter()
            .enumerate()
            .map(|(i, c)| json_cookie(c).map_err(|p| bad(format!("cookie #{}: {p}", i + 1))))
            .collect::<Result<Vec<_>>>()?
    } else {
        netscape_cookies(trimmed).map_err(bad)?
    };
    if cookies.is_empty() {
        return Err(bad("holds no cookies".into()));
    }
    Ok(cookies)
}

fn json_cookie(v: &serde_json::Value) -> std::result::Result<Cookie, String> {
    let o = v.as_object().ok_or("is not a JSON object")?;
    let s = |k: &str| o.get(k).and_then(|x| x.as_str());
    let b = |k: &str| o.get(k).and_then(|x| x.as_bool()).unwrap_or(false);
    let name = s("name").filter(|n| !n.is_empty()).ok_or("has no name")?;
    let value = match o.get("value") {
        Some(serde_json::Value::String(v)) => v.clone(),
        Some(other) if !other.is_null() => other.to_string(),
        _ => return Err(format!("`{name}` has no value")),
    };
    let domain = s("domain")
        .map(str::to_string)
        .or_else(|| {
            s("url")
                .and_then(|u| url::Url::parse(u).ok())
                .and_then(|u| u.host_str().map(str::to_string))
        })
        .unwrap_or_default();
    let session = b("session");
    let expires = ["expires", "expirationDate", "expiry"]
        .iter()
        .find_map(|k| o.get(*k).and_then(|x| x.as_f64()))
        .filter(|e| *e > 0.0 && !session);
    let same_site = s("sameSite").and_then(|x| match x.to_ascii_lowercase().as_str() {
        "strict" => Some(SameSite::Strict),
        "lax" => Some(SameSite::Lax),
        "none" | "no_restriction" => Some(SameSite::None),
        _ => None,
    });
    Ok(Cookie {
        name: name.to_string(),
        value: Secret::new(value),
        domain,
        path: s("path").unwrap_or("/").to_string(),
        expires,
        http_only: b("httpOnly"),
        secure: b("secure"),
        same_site,
    })
}

fn netscape_cookies(text: &str) -> std::result::Result<Vec<Cookie>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut line = line.trim_end_matches('\r');
        let mut http_only = false;
        if let Some(rest) = line.strip_prefix("#HttpOnly_") {
            line = rest;
            http_only = true;
        } else if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 7 {
            return Err(format!(
                "line {} is neither JSON nor a Netscape cookies.txt line (7 tab-separated fields)",
                n + 1
            ));
        }
        let expires = f[4]
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("line {}: expiry `{}` is not a number", n + 1, f[4]))?;
        if f[5].is_empty() {
            return Err(format!("line {}: cookie has no name", n + 1));
        }
        out.push(Cookie {
            name: f[5].to_string(),
            value: Secret::new(f[6..].join("\t")),
            domain: f[0].to_string(),
            path: f[2].to_string(),
            expires: (expires > 0.0).then_some(expires),
            http_only,
            secure: f[3].eq_ignore_ascii_case("TRUE"),
            same_site: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Vec<Cookie>> {
        parse_cookie_file(Path::new("c.txt"), s.as_bytes())
    }

    #[test]
    fn chrome_array() {
        let c = p(r#"[{"name":"user","value":"sandbox&abc","domain":"news.ycombinator.com","path":"/","expires":1999999999.5,"httpOnly":true,"secure":true,"sameSite":"Lax"}]"#).unwrap();
        assert_eq!(c[0].name, "user");
        assert_eq!(c[0].value.expose(), "sandbox&abc");
        assert_eq!(c[0].same_site, Some(SameSite::Lax));
        assert!(c[0].http_only && c[0].secure);
    }

    #[test]
    fn edit_this_cookie() {
        let c = p(r#"[{"domain":".reddit.com","expirationDate":1999999999,"hostOnly":false,"httpOnly":false,"name":"token","path":"/","sameSite":"no_restriction","secure":true,"session":false,"storeId":"0","value":"v","id":1}]"#).unwrap();
        assert_eq!(c[0].expires, Some(1999999999.0));
        assert_eq!(c[0].same_site, Some(SameSite::None));
    }

    #[test]
    fn playwright_state() {
        let c = p(r#"{"cookies":[{"name":"a","value":"1","domain":"x.com","path":"/","expires":-1,"httpOnly":false,"secure":false,"sameSite":"None"}],"origins":[]}"#).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].expires, None);
    }

    #[test]
    fn netscape() {
        let c = p("# Netscape HTTP Cookie File\n#HttpOnly_.ycombinator.com\tTRUE\t/\tTRUE\t0\tuser\tme&x\nexample.com\tFALSE\t/\tFALSE\t1999999999\tb\t2\n").unwrap();
        assert_eq!(c.len(), 2);
        assert!(c[0].http_only && c[0].secure);
        assert_eq!(c[0].expires, None);
        assert_eq!(c[1].value.expose(), "2");
    }

    #[test]
    fn bad_files_name_the_file_and_problem() {
        for (input, needle) in [
            ("", "is empty"),
            ("[]", "holds no cookies"),
            ("{\"a\":1}", "without a \"cookies\" array"),
            ("[{\"value\":\"x\"}]", "has no name"),
            ("not a cookie file", "Netscape"),
            ("[{", "not valid JSON"),
        ] {
            let e = p(input).unwrap_err().to_string();
            assert!(e.contains("c.txt") && e.contains(needle), "{input}: {e}");
        }
    }

    #[test]
    fn playwright_state_with_local_storage() {
        let text = r#"{"cookies":[],"origins":[{"origin":"https://bsky.app","localStorage":[{"name":"BSKY_STORAGE","value":"{\"session\":1}"},{"name":"other","value":"x"}]}]}"#;
        let s = parse_session_file(Path::new("s.json"), text.as_bytes()).unwrap();
        assert!(s.cookies.is_empty());
        assert_eq!(s.origins[0].origin, "https://bsky.app");
        assert_eq!(
            s.origins[0].local_storage[0].value.expose(),
            "{\"session\":1}"
        );
        let mut a = AuthConfig::new(PlatformId::Bluesky, s.cookies);
        a.origins = s.origins;
        assert!(!format!("{a:?}").contains("session"));
        // Only the platform's keys, from its own origins (here restored on a replica).
        let scope = crate::CookieScope::new(
            PlatformId::Bluesky,
            &url::Url::parse("http://127.0.0.1:9").unwrap(),
        );
        let items = a.storage_for(&scope);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].name, "BSKY_STORAGE");
        a.origins[0].origin = "https://evil.example".into();
        assert!(a.storage_for(&scope).is_empty());
        // Without storage, a state still needs cookies.
        let e =
            parse_session_file(Path::new("s.json"), br#"{"cookies":[],"origins":[]}"#).unwrap_err();
        assert!(e.to_string().contains("holds no cookies"), "{e}");
    }

    #[test]
    fn debug_hides_values() {
        let c = p(r#"[{"name":"user","value":"TOPSECRET","domain":"d"}]"#).unwrap();
        let a = AuthConfig::new(PlatformId::HackerNews, c);
        assert!(!format!("{a:?}").contains("TOPSECRET"));
    }
}
