use chromiumoxide::cdp::browser_protocol::network::{
    Cookie as CdpCookie, CookieParam, CookieSameSite, TimeSinceEpoch,
};
use distroflow_core::{Cookie, CookieScope, SameSite, Secret};

/// Saved cookies, set for the platform's configured site: only those that
/// belong to the platform (`scope`), and `secure` ones only over https or to
/// this machine. A cookie saved for another of the platform's hosts (the
/// real site, while a replica or mirror is configured) is set host-only on
/// the configured host, so a session exported from a browser follows the
/// platform wherever it is configured to live.
pub(crate) fn to_cdp_cookies(scope: &CookieScope, cookies: &[Cookie]) -> Vec<CookieParam> {
    let base = scope.base();
    let host = base.host_str().unwrap_or_default().to_ascii_lowercase();
    let https = base.scheme() == "https";
    let scoped = scope.to_send(cookies);
    if let Some(summary) = scoped.summary() {
        tracing::debug!("saved session for {scope}: {summary}");
    }
    scoped
        .kept
        .iter()
        .map(|c| {
            let bare = c.domain.trim_start_matches('.').to_ascii_lowercase();
            let matches_host =
                !bare.is_empty() && (host == bare || host.ends_with(&format!(".{bare}")));
            let secure = c.secure && https;
            let mut p = CookieParam::new(c.name.clone(), c.value.expose().to_string());
            p.url = Some(format!(
                "{}://{}/",
                base.scheme(),
                base.host_str().unwrap_or_default()
            ));
            if matches_host && c.domain.starts_with('.') {
                p.domain = Some(c.domain.clone());
            }
            p.path = Some(if c.path.is_empty() {
                "/".into()
            } else {
                c.path.clone()
            });
            p.secure = Some(secure);
            p.http_only = Some(c.http_only);
            p.same_site = match c.same_site {
                Some(SameSite::Strict) => Some(CookieSameSite::Strict),
                Some(SameSite::Lax) => Some(CookieSameSite::Lax),
                Some(SameSite::None) if secure => Some(CookieSameSite::None),
                _ => None,
            };
            p.expires = c.expires.map(TimeSinceEpoch::new);
            p
        })
        .collect()
}

pub(crate) fn from_cdp_cookie(c: &CdpCookie) -> Cookie {
    Cookie {
        name: c.name.clone(),
        value: Secret::new(c.value.clone()),
        domain: c.domain.clone(),
        path: c.path.clone(),
        expires: (!c.session && c.expires > 0.0).then_some(c.expires),
        http_only: c.http_only,
        secure: c.secure,
        same_site: c.same_site.as_ref().map(|s| match s {
            CookieSameSite::Strict => SameSite::Strict,
            CookieSameSite::Lax => SameSite::Lax,
            CookieSameSite::None => SameSite::None,
        }),
    }
}
