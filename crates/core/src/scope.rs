//! Which cookies belong to a platform, so that a session goes only to the
//! site it belongs to: a whole-browser export (Google, a bank, ...) imported
//! as the X session keeps X's cookies and nothing else, and a hand-edited
//! session file is filtered again before anything reaches the browser.

use std::collections::BTreeMap;
use std::fmt;

use url::{Host, Url};

use crate::{Cookie, PlatformId};

/// The cookie domains of one platform where it is configured to live: the
/// platform's own domains (x.com and twitter.com for X, ...) and the host of
/// its configured URL (a replica or a mirror).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CookieScope {
    domains: Vec<String>,
    base: Url,
}

/// Why a cookie was left out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DropReason {
    /// Its domain is not one of the platform's.
    OtherSite,
    /// A `secure` cookie, and the site is plain http on another machine.
    Insecure,
}

/// A cookie left out, by name and domain only (never its value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedCookie {
    pub name: String,
    pub domain: String,
    pub reason: DropReason,
}

/// Cookies split into those that go to the site and those that do not.
#[derive(Clone, Debug, Default)]
pub struct Scoped {
    pub kept: Vec<Cookie>,
    pub dropped: Vec<DroppedCookie>,
}

impl PlatformId {
    /// The domains whose cookies make up this platform's session (each
    /// with its subdomains).
    pub fn cookie_domains(self) -> &'static [&'static str] {
        match self {
            PlatformId::X => &["x.com", "twitter.com"],
            PlatformId::Reddit => &["reddit.com"],
            PlatformId::HackerNews => &["news.ycombinator.com"],
            PlatformId::Instagram => &["instagram.com"],
            PlatformId::Bluesky => &["bsky.app"],
            // Per instance: only the configured instance's host.
            PlatformId::Mastodon => &[],
            PlatformId::LinkedIn => &["linkedin.com"],
        }
    }
}

impl CookieScope {
    /// The platform's domains plus the host of `base`, where it is configured.
    pub fn new(platform: PlatformId, base: &Url) -> CookieScope {
        let mut scope = CookieScope::site(base);
        for d in platform.cookie_domains() {
            if !scope.domains.iter().any(|x| x == d) {
                scope.domains.push((*d).to_string());
            }
        }
        scope
    }

    /// Only the host of `base` (and its subdomains).
    pub fn site(base: &Url) -> CookieScope {
        let host = base
            .host_str()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        CookieScope {
            domains: vec![host].into_iter().filter(|h| !h.is_empty()).collect(),
            base: base.clone(),
        }
    }

    /// The site the cookies are set on.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The domains, for messages.
    pub fn domains(&self) -> &[String] {
        &self.domains
    }

    /// Whether the cookie's domain is one of the platform's (or below one).
    pub fn belongs(&self, c: &Cookie) -> bool {
        let d = c.domain.trim().trim_start_matches('.').to_ascii_lowercase();
        let d = d.trim_start_matches('[').trim_end_matches(']');
        !d.is_empty()
            && self
                .domains
                .iter()
                .any(|a| d == a || d.strip_suffix(a.as_str()).is_some_and(|p| p.ends_with('.')))
    }

    /// Whether an origin (`https://bsky.app`) is one of the platform's.
    pub fn belongs_origin(&self, origin: &str) -> bool {
        let Ok(u) = Url::parse(origin) else {
            return false;
        };
        let host = u.host_str().unwrap_or_default();
        let d = host.trim_start_matches('[').trim_end_matches(']');
        let same_site = u.host_str() == self.base.host_str()
            && u.port_or_known_default() == self.base.port_or_known_default();
        same_site
            || self
                .domains
                .iter()
                .any(|a| d == a || d.strip_suffix(a.as_str()).is_some_and(|p| p.ends_with('.')))
                && u.scheme() == "https"
    }

    /// The origin of the configured site (`http://127.0.0.1:8123`), where
    /// saved storage is restored.
    pub fn origin(&self) -> String {
        self.base.origin().ascii_serialization()
    }

    /// Whether the configured site is on this machine (the sandbox, tests).
    pub fn is_loopback(&self) -> bool {
        match self.base.host() {
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }

    /// What `login --cookies` keeps: the platform's cookies only.
    pub fn filter(&self, cookies: Vec<Cookie>) -> Scoped {
        let mut out = Scoped::default();
        for c in cookies {
            if self.belongs(&c) {
                out.kept.push(c);
            } else {
                out.dropped
                    .push(DroppedCookie::of(&c, DropReason::OtherSite));
            }
        }
        out
    }

    /// What may be set in the browser for the configured site: the
    /// platform's cookies, and `secure` ones only over https (or to this
    /// machine, where nothing crosses a network).
    pub fn to_send(&self, cookies: &[Cookie]) -> Scoped {
        let plain_http = self.base.scheme() != "https" && !self.is_loopback();
        let mut out = Scoped::default();
        for c in cookies {
            if !self.belongs(c) {
                out.dropped
                    .push(DroppedCookie::of(c, DropReason::OtherSite));
            } else if c.secure && plain_http {
                out.dropped.push(DroppedCookie::of(c, DropReason::Insecure));
            } else {
                out.kept.push(c.clone());
            }
        }
        out
    }
}

impl DroppedCookie {
    fn of(c: &Cookie, reason: DropReason) -> DroppedCookie {
        DroppedCookie {
            name: c.name.clone(),
            domain: c.domain.trim_start_matches('.').to_ascii_lowercase(),
            reason,
        }
    }
}

impl Scoped {
    /// "dropped 7 cookies: 5 for other sites (accounts.google.com 3,
    /// bank.example 2), 2 secure cookies that plain http would expose";
    /// names and domains only.
    pub fn summary(&self) -> Option<String> {
        if self.dropped.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        let other: Vec<&DroppedCookie> = self
            .dropped
            .iter()
            .filter(|d| d.reason == DropReason::OtherSite)
            .collect();
        if !other.is_empty() {
            let mut by_domain: BTreeMap<&str, usize> = BTreeMap::new();
            for d in &other {
                *by_domain
                    .entry(if d.domain.is_empty() {
                        "(no domain)"
                    } else {
                        d.domain.as_str()
                    })
                    .or_default() += 1;
            }
            let mut domains: Vec<(&str, usize)> = by_domain.into_iter().collect();
            domains.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let shown: Vec<String> = domains
                .iter()
                .take(5)
                .map(|(d, n)| format!("{d} {n}"))
                .collect();
            let more = if domains.len() > 5 {
                format!(", {} more sites", domains.len() - 5)
            } else {
                String::new()
            };
            parts.push(format!(
                "{} for other sites ({}{more})",
                other.len(),
                shown.join(", ")
            ));
        }
        let insecure = self
            .dropped
            .iter()
            .filter(|d| d.reason == DropReason::Insecure)
            .count();
        if insecure > 0 {
            parts.push(format!(
                "{insecure} secure {} that plain http would expose",
                if insecure == 1 { "cookie" } else { "cookies" }
            ));
        }
        Some(format!(
            "dropped {} {}: {}",
            self.dropped.len(),
            if self.dropped.len() == 1 {
                "cookie"
            } else {
                "cookies"
            },
            parts.join(", ")
        ))
    }
}

impl fmt::Display for CookieScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.domains.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    fn c(domain: &str, secure: bool) -> Cookie {
        Cookie {
            name: format!("n-{domain}"),
            value: Secret::new("VALUE"),
            domain: domain.into(),
            path: "/".into(),
            expires: None,
            http_only: false,
            secure,
            same_site: None,
        }
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn a_platform_keeps_its_own_domains_and_subdomains_only() {
        let x = CookieScope::new(PlatformId::X, &url("https://x.com"));
        for ok in [".x.com", "x.com", "api.x.com", ".twitter.com", "X.COM"] {
            assert!(x.belongs(&c(ok, true)), "{ok}");
        }
        for no in [
            ".google.com",
            "bank.example",
            "notx.com",
            "x.com.evil.example",
            "com",
            "",
            "twitter.co",
        ] {
            assert!(!x.belongs(&c(no, true)), "{no}");
        }
        let hn = CookieScope::new(PlatformId::HackerNews, &url("https://news.ycombinator.com"));
        assert!(hn.belongs(&c("news.ycombinator.com", true)));
        assert!(!hn.belongs(&c(".ycombinator.com", true)));
    }

    #[test]
    fn a_configured_url_adds_its_host() {
        let r = CookieScope::new(PlatformId::Reddit, &url("http://127.0.0.1:8123/"));
        assert!(r.belongs(&c("127.0.0.1", false)));
        assert!(r.belongs(&c(".reddit.com", false)));
        assert!(!r.belongs(&c("127.0.0.2", false)));
        let m = CookieScope::new(PlatformId::Reddit, &url("https://reddit.mirror.example"));
        assert!(m.belongs(&c("reddit.mirror.example", false)));
        assert!(!m.belongs(&c("mirror.example", false)));
    }

    #[test]
    fn secure_cookies_never_travel_over_plain_http_off_this_machine() {
        let cookies = [c("reddit.com", true), c("reddit.com", false)];
        let remote = CookieScope::new(PlatformId::Reddit, &url("http://reddit.mirror.example"));
        let s = remote.to_send(&cookies);
        assert_eq!(s.kept.len(), 1);
        assert!(!s.kept[0].secure);
        assert_eq!(s.dropped[0].reason, DropReason::Insecure);
        for local in ["http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9"] {
            let s = CookieScope::new(PlatformId::Reddit, &url(local)).to_send(&cookies);
            assert_eq!(s.kept.len(), 2, "{local}");
        }
        let https = CookieScope::new(PlatformId::Reddit, &url("https://www.reddit.com"));
        assert_eq!(https.to_send(&cookies).kept.len(), 2);
    }

    #[test]
    fn the_summary_names_domains_never_values() {
        let x = CookieScope::new(PlatformId::X, &url("http://x.mirror.example"));
        let mut all = vec![c(".x.com", false), c(".x.com", true)];
        all.extend((0..3).map(|_| c(".google.com", false)));
        all.push(c("bank.example", false));
        let s = x.filter(all.clone());
        assert_eq!(s.kept.len(), 2);
        let text = s.summary().unwrap();
        assert_eq!(
            text,
            "dropped 4 cookies: 4 for other sites (google.com 3, bank.example 1)"
        );
        let sent = x.to_send(&all).summary().unwrap();
        assert!(
            sent.contains("1 secure cookie that plain http would expose"),
            "{sent}"
        );
        assert!(!sent.contains("VALUE") && !text.contains("VALUE"));
    }
}
