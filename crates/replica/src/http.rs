//! Small HTTP and HTML helpers shared by the replicas: escaping, form and
//! cookie parsing, and responses with the headers real sites send.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

const HTML: &str = "text/html; charset=utf-8";

/// Escapes text for HTML element content: `&`, `<` and `>` only, so
/// apostrophes and quotes stay readable in the page source.
pub(crate) fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for double- or single-quoted attribute values (and any
/// other context).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a value for use inside a query string (`goto=item%3Fid%3D1`).
pub(crate) fn encode_query_value(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Parses `application/x-www-form-urlencoded` data (a request body or a
/// query string). A repeated key keeps its first value, missing keys are
/// simply absent, so handlers never reject a malformed form.
pub(crate) fn parse_form(data: &[u8]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for (key, value) in url::form_urlencoded::parse(data) {
        map.entry(key.into_owned())
            .or_insert_with(|| value.into_owned());
    }
    map
}

/// The value of cookie `name` from the request's `Cookie` headers.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"').to_owned())
}

/// An HTML page with `Content-Type: text/html; charset=utf-8`.
pub(crate) fn page(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    set_html_headers(response.headers_mut());
    response
}

/// A `302 Found` to `location` (relative, as the real sites send it), with
/// optional `Set-Cookie` headers.
pub(crate) fn redirect(location: &str, set_cookies: &[String]) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    set_html_headers(headers);
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(LOCATION, value);
    }
    for cookie in set_cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            headers.append(SET_COOKIE, value);
        }
    }
    response
}

/// A static asset (stylesheet, icon).
pub(crate) fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn set_html_headers(headers: &mut HeaderMap) {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(HTML));
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("private; max-age=0"),
    );
}

pub(crate) fn unix_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `2024-05-01T12:34:56`, UTC, as in the real `span.age[title]`.
pub(crate) fn iso8601(at: SystemTime) -> String {
    let secs = unix_seconds(at);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a (year, month, day) date (Howard Hinnant's
/// algorithm, for non-negative days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
        );
        assert_eq!(escape("😀 漢字"), "😀 漢字");
        assert_eq!(
            escape_text(r#"<it's "x" & y>"#),
            r#"&lt;it's "x" &amp; y&gt;"#
        );
    }

    #[test]
    fn cookie_finds_value_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; user=bob&xyz; b=2"));
        assert_eq!(cookie(&headers, "user").as_deref(), Some("bob&xyz"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn form_keeps_unicode_and_first_value() {
        let form = parse_form("title=%F0%9F%98%80+hi&title=second&url=".as_bytes());
        assert_eq!(form["title"], "😀 hi");
        assert_eq!(form["url"], "");
    }
}
