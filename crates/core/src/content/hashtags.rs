//! Hashtags: kept where they work (X, Instagram, LinkedIn, Bluesky,
//! Mastodon), turned into plain words where they do not (Reddit, Hacker
//! News), counted where they are capped (Instagram).
//!
//! A hashtag is found the way twitter-text finds one: `#` (or the full-width
//! `＃`) that does not follow a letter, a digit or `&`, then letters, marks,
//! digits and `_` with at least one letter, not followed by another `#` or
//! by `://`, and not inside a URL that starts before it. So `#RustLang` and `#日本` are hashtags;
//! `C#`, `#1`, `&#39;`, `#️⃣` and the `#anchor` of `https://x.com/a#anchor`
//! are not. Turning a hashtag into a word drops only its `#`:
//! `Learning #RustLang today` becomes `Learning RustLang today`.

use std::ops::Range;

use unicode_normalization::char::is_combining_mark;

use super::urls::extract_urls;

fn is_alpha(c: char) -> bool {
    c.is_alphabetic() || is_combining_mark(c)
}

fn is_alnum(c: char) -> bool {
    is_alpha(c)
        || c.is_numeric()
        || matches!(
            c,
            '_' | '\u{200C}'
                | '\u{200D}'
                | '\u{A67E}'
                | '\u{05BE}'
                | '\u{05F3}'
                | '\u{05F4}'
                | '\u{FF5E}'
                | '\u{301C}'
                | '\u{309B}'
                | '\u{309C}'
                | '\u{30A0}'
                | '\u{30FB}'
                | '\u{3003}'
                | '\u{0F0B}'
                | '\u{0F0C}'
                | '\u{00B7}'
        )
}

/// The hashtags of `text` (sign included), as byte ranges, in order.
pub(crate) fn find_hashtags(text: &str) -> Vec<Range<usize>> {
    if !text.contains(['#', '＃']) {
        return Vec::new();
    }
    let urls = extract_urls(text, true);
    let mut found = Vec::new();
    let mut prev: Option<char> = None;
    // Where twitter-text's last match ended: its global expression needs a
    // character of its own before the sign, so a sign right there starts none.
    let mut last_end = None;
    for (i, c) in text.char_indices() {
        let before = prev;
        prev = Some(c);
        if c != '#' && c != '＃' || last_end == Some(i) {
            continue;
        }
        let boundary = match before {
            None | Some('\u{FE0E}' | '\u{FE0F}') => true,
            Some(b) => !(is_alnum(b) || b == '&'),
        };
        if !boundary {
            continue;
        }
        let tag_start = i + c.len_utf8();
        let rest = &text[tag_start..];
        if rest.starts_with(['\u{FE0F}', '\u{20E3}']) {
            continue;
        }
        let tag_len: usize = rest
            .chars()
            .take_while(|&t| is_alnum(t))
            .map(char::len_utf8)
            .sum();
        let tag = &rest[..tag_len];
        let after = &rest[tag_len..];
        if !tag.chars().any(is_alpha) {
            continue;
        }
        last_end = Some(tag_start + tag_len);
        if after.starts_with(['#', '＃']) || after.starts_with("://") {
            continue;
        }
        found.push(i..tag_start + tag_len);
    }
    if urls.is_empty() {
        return found;
    }
    // twitter-text's overlap rule: by start, an entity overlapping the last
    // one kept is dropped (so `#tag` wins over a URL that starts inside it,
    // and a URL over a later `#fragment`).
    let mut entities: Vec<(Range<usize>, bool)> = found
        .into_iter()
        .map(|t| (t, true))
        .chain(urls.into_iter().map(|u| (u, false)))
        .collect();
    entities.sort_by_key(|(r, _)| r.start);
    let mut kept: Vec<(Range<usize>, bool)> = Vec::new();
    for e in entities {
        if kept.last().is_some_and(|(last, _)| last.end > e.0.start) {
            continue;
        }
        kept.push(e);
    }
    kept.into_iter()
        .filter(|(_, is_tag)| *is_tag)
        .map(|(r, _)| r)
        .collect()
}

/// How many hashtags `text` holds.
pub fn count_hashtags(text: &str) -> usize {
    find_hashtags(text).len()
}

/// `text` with every hashtag turned into a plain word (its `#` dropped).
///
/// ```
/// use distroflow_core::hashtags_to_words;
///
/// assert_eq!(
///     hashtags_to_words("Learning #RustLang, not C# (#1 pick): https://x.com/a#b"),
///     "Learning RustLang, not C# (#1 pick): https://x.com/a#b"
/// );
/// ```
pub fn hashtags_to_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for tag in find_hashtags(text) {
        out.push_str(&text[last..tag.start]);
        let sign = text[tag.start..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[tag.start + sign..tag.end]);
        last = tag.end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(text: &str) -> Vec<&str> {
        find_hashtags(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn finds_hashtags_like_twitter_text() {
        assert_eq!(
            tags("#Rust and #日本 #tag_2"),
            vec!["#Rust", "#日本", "#tag_2"]
        );
        assert_eq!(tags("＃fullwidth"), vec!["＃fullwidth"]);
        assert_eq!(tags("(#inparens)"), vec!["#inparens"]);
    }

    #[test]
    fn leaves_what_is_not_a_hashtag() {
        assert!(tags("C# and F#").is_empty());
        assert!(tags("#1 #2024").is_empty());
        assert!(tags("&#39; a#b").is_empty());
        assert!(tags("#\u{FE0F}\u{20E3}").is_empty());
        assert!(tags("https://example.com/page#section").is_empty());
        assert!(tags("#tag#more").is_empty());
        assert!(tags("#http://x").is_empty());
    }

    #[test]
    fn words_keep_everything_but_the_sign() {
        assert_eq!(hashtags_to_words("#Rust"), "Rust");
        assert_eq!(
            hashtags_to_words("Ship it! #RustLang #100DaysOfCode"),
            "Ship it! RustLang 100DaysOfCode"
        );
        assert_eq!(count_hashtags("#a #b c#d"), 2);
    }
}
