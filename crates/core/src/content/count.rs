//! How each network counts text (the unit of `Check::length`).

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use super::twitter::{x_weighted_length_with, XConfig};
use super::{urls, Network, NetworkLimits};

/// How one network counts text.
pub(crate) struct Counter {
    network: Network,
    limits: NetworkLimits,
    x: XConfig,
}

impl Counter {
    pub(crate) fn new(network: Network, limits: &NetworkLimits) -> Counter {
        let mut x = XConfig::v3();
        if network == Network::X {
            if let Some(t) = limits.text {
                x.max_weighted_length = t;
            }
        }
        if let Some(u) = limits.url_length {
            x.transformed_url_length = u;
        }
        Counter {
            network,
            limits: *limits,
            x,
        }
    }

    pub(crate) fn unit(&self) -> &'static str {
        match self.network {
            Network::X => "weighted characters",
            Network::Bluesky => "graphemes (links shortened)",
            Network::Mastodon => "characters (URLs count 23)",
            Network::Reddit | Network::HackerNews => "characters",
            Network::Instagram | Network::LinkedIn => "characters (UTF-16)",
        }
    }

    pub(crate) fn length(&self, s: &str) -> usize {
        match self.network {
            Network::X => x_weighted_length_with(s, &self.x).weighted_length,
            Network::Bluesky => bluesky_length(s),
            Network::Mastodon => mastodon_length(s, self.x.transformed_url_length),
            Network::Reddit | Network::HackerNews => s.chars().count(),
            Network::Instagram | Network::LinkedIn => s.encode_utf16().count(),
        }
    }

    /// Whether `s` can be one post's text.
    pub(crate) fn fits(&self, s: &str) -> bool {
        if self.network == Network::X {
            return x_weighted_length_with(s, &self.x).valid;
        }
        self.limits.text.is_none_or(|lim| self.length(s) <= lim)
            && self.limits.bytes.is_none_or(|b| s.len() <= b)
    }
}

/// Bluesky's count (the composer's `shortenedGraphemeLength`): graphemes,
/// after each link's text is shortened the way the app shows it
/// (`toShortUrl`): the scheme dropped, the host kept (`www.` too), and a
/// path (with query and fragment; none when it is `/`) longer than 15
/// characters cut to 13 plus `...`. So a link counts its host plus at most
/// 16.
pub(crate) fn bluesky_length(s: &str) -> usize {
    let mut total = 0;
    let mut last = 0;
    for r in urls::extract_urls(s, true) {
        total += s[last..r.start].graphemes(true).count();
        total += bluesky_short_url_length(&s[r.clone()]);
        last = r.end;
    }
    total + s[last..].graphemes(true).count()
}

/// The length of `toShortUrl(url)`.
fn bluesky_short_url_length(raw: &str) -> usize {
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("https://{raw}")
    };
    let Ok(u) = url::Url::parse(&with_scheme) else {
        return raw.graphemes(true).count();
    };
    let host = match u.port() {
        Some(p) => format!("{}:{p}", u.host_str().unwrap_or_default()),
        None => u.host_str().unwrap_or_default().to_string(),
    };
    let mut path = if u.path() == "/" {
        String::new()
    } else {
        u.path().to_string()
    };
    if let Some(q) = u.query() {
        path.push('?');
        path.push_str(q);
    }
    if let Some(f) = u.fragment() {
        path.push('#');
        path.push_str(f);
    }
    let path_len = path.graphemes(true).count();
    host.graphemes(true).count() + if path_len > 15 { 16 } else { path_len }
}

/// Mastodon's count: graphemes, every `http(s)://` URL as 23, and a remote
/// mention `@user@host` as `@user` (Mastodon's `StatusLengthValidator`).
pub(crate) fn mastodon_length(s: &str, url_length: usize) -> usize {
    let urls = urls::extract_urls(s, false);
    let mut mentions = remote_mention_hosts(s);
    mentions.retain(|m| !urls.iter().any(|u| u.start < m.end && m.start < u.end));
    let mut cuts: Vec<(Range<usize>, usize)> = urls
        .into_iter()
        .map(|u| (u, url_length))
        .chain(mentions.into_iter().map(|m| (m, 0)))
        .collect();
    cuts.sort_by_key(|(r, _)| r.start);
    let mut total = 0;
    let mut last = 0;
    for (r, counts) in cuts {
        total += s[last..r.start].graphemes(true).count() + counts;
        last = r.end;
    }
    total + s[last..].graphemes(true).count()
}

/// The `@host` parts of remote mentions (`@user@host`), as byte ranges.
fn remote_mention_hosts(s: &str) -> Vec<Range<usize>> {
    let word = |c: char| {
        c.is_alphanumeric() || c == '_' || unicode_normalization::char::is_combining_mark(c)
    };
    let user_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut found = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        let before = prev;
        prev = Some(c);
        if c != '@' || before.is_some_and(|b| b == '=' || b == '/' || word(b)) {
            continue;
        }
        let rest = &s[i + 1..];
        if !rest.starts_with(user_char) {
            continue;
        }
        let run = rest
            .find(|c: char| !(user_char(c) || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        let user_len = rest[..run].trim_end_matches(['.', '-']).len();
        let after = &rest[user_len..];
        let Some(host) = after.strip_prefix('@') else {
            continue;
        };
        let host_run = host
            .find(|c: char| !(word(c) || c == '.' || c == '-'))
            .unwrap_or(host.len());
        let host_len = host[..host_run].trim_end_matches(['.', '-']).len();
        if host[..host_len].chars().count() >= 2 {
            let start = i + 1 + user_len;
            found.push(start..start + 1 + host_len);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::bluesky_length;

    #[test]
    fn bluesky_counts_a_link_as_its_short_form() {
        // Host only: "example.com".
        assert_eq!(bluesky_length("https://example.com/"), 11);
        assert_eq!(bluesky_length("see https://example.com"), 4 + 11);
        // A path of 15 stays whole; longer ones are 13 + "...".
        // (The path counts its leading `/`.)
        assert_eq!(bluesky_length("https://a.io/12345678901234"), 4 + 15);
        assert_eq!(bluesky_length("https://a.io/123456789012345"), 4 + 16);
        assert_eq!(bluesky_length("https://a.io/1234567890123456789"), 4 + 16);
        let long = format!("https://www.example.com/{}", "x".repeat(200));
        assert_eq!(bluesky_length(&long), "www.example.com".len() + 16);
        // Query and fragment are part of the path.
        assert_eq!(bluesky_length("http://a.io/?q=1#top"), 4 + 8);
        // A long host is not capped (crosspost's "27" is wrong there).
        let host = format!("https://{}.example.com/abc", "h".repeat(40));
        assert_eq!(bluesky_length(&host), 40 + 12 + 4);
        // Bare domains are links too.
        assert_eq!(
            bluesky_length("example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            11 + 16
        );
        // Everything else is graphemes.
        assert_eq!(bluesky_length("👩‍👩‍👧 é"), 3);
    }
}
