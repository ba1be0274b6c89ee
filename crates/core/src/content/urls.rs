//! Which parts of a text are URLs, decided the way twitter-text 3.1
//! (the JavaScript library X's web composer descends from) decides them.
//!
//! X counts every URL as 23 weighted characters, so a URL that we see and
//! X does not (or the reverse) makes our count disagree with X's. This is a
//! port of twitter-text's `extractUrlsWithIndices`: its regular expression is
//! evaluated by hand (with the same leftmost, greedy, backtracking choices)
//! and its checks after a match are kept, quirks included:
//!
//! - a URL may follow any character but a letter, a digit or `@ ＠ $ # ＃`;
//! - the host is labels of "domain characters" (anything but ASCII
//!   punctuation, spaces, directional marks and U+FFFE/FEFF/FFFF) ending in a
//!   top-level domain from `tld_lib.yml`, or in a punycode label;
//! - a URL without `http://`/`https://` counts only if it is not preceded by
//!   `- _ . /` and only for its ASCII labels (`日本example.com` yields
//!   `example.com`); without a path its query is not part of it;
//! - every label must be at most 63 characters once punycode-encoded, and
//!   the whole URL at most 4,096;
//! - `t.co` links stop after their slug, and a slug over 40 is no link.
//!
//! Positions are byte offsets into the text (the caller converts to UTF-16
//! where it needs to).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

const TLD_LIB: &str = include_str!("../../data/twitter-text/tld_lib.yml");

/// Longest URL twitter-text accepts, protocol included, in UTF-16 units.
const MAX_URL_LENGTH: usize = 4096;
/// Longest DNS label, once punycode-encoded.
const MAX_LABEL_LENGTH: usize = 63;
/// Longest `t.co` slug.
const MAX_TCO_SLUG_LENGTH: usize = 40;

/// The URLs of `text`, as byte ranges, in order. `without_protocol` also
/// finds bare domains such as `example.com` (X does; Mastodon does not).
pub(crate) fn extract_urls(text: &str, without_protocol: bool) -> Vec<Range<usize>> {
    extract_url_entities(text, without_protocol)
        .into_iter()
        .map(|u| u.range)
        .collect()
}

/// A URL found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UrlEntity {
    /// Where it is (byte offsets).
    pub(crate) range: Range<usize>,
    /// How many UTF-16 units twitter-text's counting loop skips for it: the
    /// length of its URL string. That is the range's length, except for a URL
    /// without protocol whose host has non-ASCII labels before the ASCII ones
    /// and a path (`日本example.com/a`), where twitter-text's string drops the
    /// non-ASCII labels but its range keeps them.
    pub(crate) counted_utf16: usize,
}

pub(crate) fn extract_url_entities(text: &str, without_protocol: bool) -> Vec<UrlEntity> {
    let hint = if without_protocol { '.' } else { ':' };
    if !text.contains(hint) {
        return Vec::new();
    }
    Scanner::new(text).extract(without_protocol)
}

/// The top-level domains, generic ones first then country codes, each list
/// in `tld_lib.yml` order (the order of twitter-text's alternation), grouped
/// by first character.
struct Tlds {
    by_first: HashMap<char, Vec<Vec<char>>>,
}

fn tlds() -> &'static Tlds {
    static TLDS: OnceLock<Tlds> = OnceLock::new();
    TLDS.get_or_init(|| {
        let mut generic = Vec::new();
        let mut country = Vec::new();
        let mut section = "";
        for line in TLD_LIB.lines() {
            let line = line.trim_end();
            if let Some(entry) = line.strip_prefix("- ") {
                let entry = entry.trim().trim_matches(|c| c == '"' || c == '\'');
                let chars: Vec<char> = entry.chars().map(fold).collect();
                match section {
                    "generic" => generic.push(chars),
                    "country" => country.push(chars),
                    _ => {}
                }
            } else if let Some(name) = line.strip_suffix(':') {
                section = if name == "generic" || name == "country" {
                    name
                } else {
                    ""
                };
            }
        }
        let mut by_first: HashMap<char, Vec<Vec<char>>> = HashMap::new();
        for tld in generic.into_iter().chain(country) {
            if let Some(&first) = tld.first() {
                by_first.entry(first).or_default().push(tld);
            }
        }
        Tlds { by_first }
    })
}

/// Case folding as a case-insensitive regular expression sees it.
fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn is_invalid(c: char) -> bool {
    matches!(c, '\u{FFFE}' | '\u{FEFF}' | '\u{FFFF}')
}

fn is_directional(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2066}'..='\u{2069}'
    )
}

/// twitter-text's `spacesGroup`.
fn is_space(c: char) -> bool {
    matches!(
        c,
        '\u{09}'..='\u{0D}'
            | ' '
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{180E}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

/// A character that may appear in a host label (twitter-text's
/// `validDomainChars`).
fn is_domain_char(c: char) -> bool {
    !(matches!(
        c,
        '!' | '\''
            | '#'
            | '%'
            | '&'
            | '('
            | ')'
            | '*'
            | '+'
            | ','
            | '\\'
            | '-'
            | '.'
            | '/'
            | ':'
            | ';'
            | '<'
            | '='
            | '>'
            | '?'
            | '@'
            | '['
            | ']'
            | '^'
            | '_'
            | '{'
            | '|'
            | '}'
            | '~'
            | '$'
    ) || is_space(c)
        || is_invalid(c)
        || is_directional(c))
}

/// What may come right before a URL (`validUrlPrecedingChars`).
fn is_preceding_ok(c: char) -> bool {
    !(c.is_ascii_alphanumeric() || matches!(c, '@' | '＠' | '$' | '#' | '＃') || is_invalid(c))
}

fn is_latin_accent(c: char) -> bool {
    matches!(
        c,
        '\u{C0}'..='\u{D6}'
            | '\u{D8}'..='\u{F6}'
            | '\u{F8}'..='\u{FF}'
            | '\u{100}'..='\u{24F}'
            | '\u{253}'
            | '\u{254}'
            | '\u{256}'
            | '\u{257}'
            | '\u{259}'
            | '\u{25B}'
            | '\u{263}'
            | '\u{268}'
            | '\u{26F}'
            | '\u{272}'
            | '\u{289}'
            | '\u{28B}'
            | '\u{2BB}'
            | '\u{300}'..='\u{36F}'
            | '\u{1E00}'..='\u{1EFF}'
    )
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{400}'..='\u{4FF}')
}

/// `validGeneralUrlPathChars`.
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || is_cyrillic(c)
        || is_latin_accent(c)
        || matches!(
            c,
            '!' | '*'
                | '\''
                | ';'
                | ':'
                | '='
                | '+'
                | ','
                | '.'
                | '$'
                | '/'
                | '%'
                | '#'
                | '['
                | ']'
                | '-'
                | '\u{2013}'
                | '_'
                | '~'
                | '@'
                | '|'
                | '&'
        )
}

/// `validUrlPathEndingChars` (besides balanced parentheses).
fn is_path_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || is_cyrillic(c)
        || is_latin_accent(c)
        || matches!(c, '+' | '-' | '=' | '_' | '#' | '/')
}

/// `validUrlQueryChars`.
fn is_query_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '!' | '?'
                | '*'
                | '\''
                | '@'
                | '('
                | ')'
                | ';'
                | ':'
                | '&'
                | '='
                | '+'
                | '$'
                | '/'
                | '%'
                | '#'
                | '['
                | ']'
                | '-'
                | '_'
                | '.'
                | ','
                | '~'
                | '|'
        )
}

/// `validUrlQueryEndingChars`.
fn is_query_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '&' | '=' | '#' | '/')
}

/// A character of a label in `validAsciiDomain`.
fn is_ascii_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || is_latin_accent(c)
}

fn is_punycode_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// One match of twitter-text's URL expression, before its checks.
struct Found {
    start: usize,
    end: usize,
    /// Length of `http://` or `https://`, 0 without a protocol.
    protocol: usize,
    domain: Range<usize>,
    /// The host began with the low surrogate of the astral char just before
    /// `domain` (see [`Scanner::find`]).
    phantom: bool,
    has_path: bool,
}

struct Scanner {
    chars: Vec<char>,
    /// Byte offset of every char, plus the text's length.
    bytes: Vec<usize>,
    /// For each index, the end of the run of domain characters, `-` and `_`
    /// starting there.
    run_end: Vec<usize>,
    /// Number of `_` before each index.
    underscores: Vec<usize>,
    /// For each index, where a host starting there ends (see
    /// [`domain_at`](Self::domain_at)), computed once for all.
    domain_end_at: Vec<Option<usize>>,
}

impl Scanner {
    fn new(text: &str) -> Scanner {
        let mut chars = Vec::with_capacity(text.len());
        let mut bytes = Vec::with_capacity(text.len() + 1);
        for (i, c) in text.char_indices() {
            chars.push(c);
            bytes.push(i);
        }
        bytes.push(text.len());
        let n = chars.len();
        let mut run_end = vec![n; n + 1];
        for i in (0..n).rev() {
            let c = chars[i];
            run_end[i] = if is_domain_char(c) || c == '-' || c == '_' {
                run_end[i + 1]
            } else {
                i
            };
        }
        let mut underscores = Vec::with_capacity(n + 1);
        let mut count = 0;
        underscores.push(0);
        for &c in &chars {
            if c == '_' {
                count += 1;
            }
            underscores.push(count);
        }
        let mut scanner = Scanner {
            chars,
            bytes,
            run_end,
            underscores,
            domain_end_at: Vec::new(),
        };
        scanner.domain_end_at = scanner.all_domain_ends();
        scanner
    }

    /// `domain_at` for every index, from the end backwards: a host starting
    /// at `s` takes as many labels as it can, so it ends where the host
    /// starting at its second label ends, or, failing that, after a TLD
    /// right after its first label. Linear, where trying each start alone
    /// would be quadratic on `a.a.a.a…`.
    fn all_domain_ends(&self) -> Vec<Option<usize>> {
        let n = self.len();
        let mut ends: Vec<Option<usize>> = vec![None; n + 1];
        let mut tld_cache: Vec<Option<Option<usize>>> = vec![None; n + 1];
        for s in (0..n).rev() {
            let Some(e) = self.label_at(s) else {
                continue;
            };
            ends[s] = ends[e].or_else(|| {
                if self.underscores[e] > self.underscores[s] {
                    return None;
                }
                *tld_cache[e].get_or_insert_with(|| self.tld_at(e, n))
            });
        }
        ends
    }

    fn len(&self) -> usize {
        self.chars.len()
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn utf16_len(&self, range: Range<usize>) -> usize {
        self.chars[range].iter().map(|c| c.len_utf16()).sum()
    }

    /// Whether `word` (ASCII, lower case) is at `i`, ignoring ASCII case.
    fn has_prefix_ci(&self, i: usize, word: &str) -> bool {
        let mut j = i;
        for w in word.chars() {
            match self.at(j) {
                Some(c) if c.to_ascii_lowercase() == w => j += 1,
                _ => return false,
            }
        }
        true
    }

    fn extract(&self, without_protocol: bool) -> Vec<UrlEntity> {
        let mut urls = Vec::new();
        let mut pos = 0;
        while pos < self.len() {
            let Some((before, found)) = self.find(pos) else {
                break;
            };
            pos = found.end;
            let url_len = self.utf16_len(found.start..found.end) + usize::from(found.phantom);
            if !self.host_ok(&found) {
                continue;
            }
            let protocol_len = if found.protocol > 0 {
                found.protocol
            } else {
                "https://".len()
            };
            if protocol_len + url_len > MAX_URL_LENGTH {
                continue;
            }
            if found.protocol == 0 {
                if !without_protocol || matches!(before, Some('-' | '_' | '.' | '/')) {
                    continue;
                }
                let ascii = self.ascii_domains_as_placed(found.domain.clone());
                let last = ascii.len().saturating_sub(1);
                for (i, domain) in ascii.iter().enumerate() {
                    let (end, counted) = if i == last && found.has_path {
                        (
                            found.end,
                            self.utf16_len(domain.clone())
                                + self.utf16_len(found.domain.end..found.end),
                        )
                    } else {
                        (domain.end, self.utf16_len(domain.clone()))
                    };
                    urls.push(UrlEntity {
                        range: self.bytes[domain.start]..self.bytes[end],
                        counted_utf16: counted,
                    });
                }
            } else {
                let mut end = found.end;
                if let Some((slug, tco_end)) = self.tco(found.start, found.end) {
                    if slug > MAX_TCO_SLUG_LENGTH {
                        continue;
                    }
                    end = tco_end;
                }
                urls.push(UrlEntity {
                    range: self.bytes[found.start]..self.bytes[end],
                    counted_utf16: self.utf16_len(found.start..end),
                });
            }
        }
        urls
    }

    /// The leftmost match at or after `pos`, with the character before it.
    ///
    /// twitter-text's expression runs over UTF-16 units: an astral char (an
    /// emoji, say) is two, and its high surrogate alone can be "the character
    /// before" a host whose first character is the low surrogate. So before
    /// trying after an astral char, this tries a host that begins inside it
    /// (`😀.example.com` holds the URL `example.com` for twitter-text).
    fn find(&self, pos: usize) -> Option<(Option<char>, Found)> {
        for p in pos..self.len() {
            let c = self.chars[p];
            if c.len_utf16() == 2 {
                if let Some(found) = self.phantom_url_at(p) {
                    return Some((Some(c), found));
                }
                if p == 0 {
                    if let Some(found) = self.url_at(0) {
                        return Some((None, found));
                    }
                }
                if let Some(found) = self.url_at(p + 1) {
                    return Some((Some(c), found));
                }
                continue;
            }
            if is_preceding_ok(c) {
                if let Some(found) = self.url_at(p + 1) {
                    return Some((Some(c), found));
                }
            }
            if p == 0 {
                if let Some(found) = self.url_at(0) {
                    return Some((None, found));
                }
            }
        }
        None
    }

    fn url_at(&self, q: usize) -> Option<Found> {
        let protocol = if self.has_prefix_ci(q, "https://") {
            8
        } else if self.has_prefix_ci(q, "http://") {
            7
        } else {
            0
        };
        let d = q + protocol;
        let d_end = self.domain_at(d)?;
        Some(self.finish(q, protocol, d..d_end, false))
    }

    /// A host (without protocol) whose first character is the low surrogate
    /// of the astral char at `p`.
    fn phantom_url_at(&self, p: usize) -> Option<Found> {
        let q = p + 1;
        let r = match self.at(q) {
            Some('.') => q,
            Some(c) if is_domain_char(c) || c == '-' || c == '_' => self.run_end[q],
            _ => return None,
        };
        if self.at(r) != Some('.') || (r > q && !is_domain_char(self.chars[r - 1])) {
            return None;
        }
        let has_underscore = self.underscores[r] > self.underscores[q];
        let d_end = self.domain_at(r + 1).or_else(|| {
            if has_underscore {
                None
            } else {
                self.tld_at(r + 1, self.len())
            }
        })?;
        Some(self.finish(q, 0, q..d_end, true))
    }

    /// Port, path and query after a host.
    fn finish(&self, q: usize, protocol: usize, domain: Range<usize>, phantom: bool) -> Found {
        let mut e = domain.end;
        // Port.
        if self.at(e) == Some(':') && self.at(e + 1).is_some_and(|c| c.is_ascii_digit()) {
            e += 1;
            while self.at(e).is_some_and(|c| c.is_ascii_digit()) {
                e += 1;
            }
        }
        // Path.
        let mut has_path = false;
        if self.at(e) == Some('/') {
            has_path = true;
            e = self.path_end(e + 1);
        }
        // Query.
        if self.at(e) == Some('?') {
            if let Some(q_end) = self.query_end(e + 1, self.len()) {
                e = q_end;
            }
        }
        Found {
            start: q,
            end: e,
            protocol,
            domain,
            phantom,
            has_path,
        }
    }

    /// A host label at `p` (domain characters, inner `-`, and `_` where
    /// allowed, then a dot): the index after the dot.
    fn label_at(&self, p: usize) -> Option<usize> {
        if !self.at(p).is_some_and(is_domain_char) {
            return None;
        }
        let r = self.run_end[p];
        if self.at(r) != Some('.') || !is_domain_char(self.chars[r - 1]) {
            return None;
        }
        Some(r + 1)
    }

    /// `validSubdomain* validDomainName (validGTLD | validCCTLD | validPunycode)`
    /// at `d`: the end of the host.
    ///
    /// Greedy subdomains, giving one back at a time: the host is the longest
    /// run of labels whose last one (the domain name, which may not hold
    /// `_`) is followed by a TLD.
    fn domain_at(&self, d: usize) -> Option<usize> {
        self.domain_end_at.get(d).copied().flatten()
    }

    /// A top-level domain at `t`, followed by something that is not
    /// `[0-9a-zA-Z@+-]` (or by `limit`): its end.
    fn tld_at(&self, t: usize, limit: usize) -> Option<usize> {
        let first = fold(*self.chars.get(t)?);
        let boundary = |i: usize| {
            i >= limit
                || !self
                    .at(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '+' | '-'))
        };
        if let Some(candidates) = tlds().by_first.get(&first) {
            for tld in candidates {
                let end = t + tld.len();
                if end <= limit
                    && self.chars[t..end]
                        .iter()
                        .zip(tld)
                        .all(|(&c, &l)| fold(c) == l)
                    && boundary(end)
                {
                    return Some(end);
                }
            }
        }
        if t + 4 < limit && self.has_prefix_ci(t, "xn--") && is_punycode_char(self.chars[t + 4]) {
            let mut end = t + 4;
            while end < limit && is_punycode_char(self.chars[end]) {
                end += 1;
            }
            return Some(end);
        }
        None
    }

    /// The end of a path starting after its `/`.
    ///
    /// twitter-text's `validUrlPath*` repeats, as long as one matches: (a)
    /// path characters and balanced-parenthesis groups up to the last
    /// path-ending *character* (so `/foo.` stops before the dot), or (b) one
    /// parenthesis group alone. (Its ending alternative "or a parenthesis
    /// group" is spliced in without brackets, so a group can only end a path
    /// as (b): `/a(b)` is `a` then `(b)`, while `/&.(a)` matches nothing.)
    fn path_end(&self, p: usize) -> usize {
        let mut pos = p;
        loop {
            let mut i = pos;
            let mut last_ending = None;
            while let Some(c) = self.at(i) {
                if is_path_char(c) {
                    i += 1;
                    if is_path_ending_char(c) {
                        last_ending = Some(i);
                    }
                } else if c == '(' {
                    match self.balanced_parens(i) {
                        Some(j) => i = j,
                        None => break,
                    }
                } else {
                    break;
                }
            }
            let next = match last_ending {
                Some(e) => e,
                None if self.at(pos) == Some('(') => match self.balanced_parens(pos) {
                    Some(j) => j,
                    None => return pos,
                },
                None => return pos,
            };
            if next == pos {
                return pos;
            }
            pos = next;
        }
    }

    fn path_run(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(is_path_char) {
            i += 1;
        }
        i
    }

    /// `(` path chars `)`, or `(` path chars `(` path chars `)` path chars `)`.
    fn balanced_parens(&self, i: usize) -> Option<usize> {
        let r1 = self.path_run(i + 1);
        if r1 > i + 1 && self.at(r1) == Some(')') {
            return Some(r1 + 1);
        }
        if self.at(r1) == Some('(') {
            let r2 = self.path_run(r1 + 1);
            if r2 > r1 + 1 && self.at(r2) == Some(')') {
                let r3 = self.path_run(r2 + 1);
                if self.at(r3) == Some(')') {
                    return Some(r3 + 1);
                }
            }
        }
        None
    }

    /// Query characters after a `?`, up to the last query-ending one.
    fn query_end(&self, p: usize, limit: usize) -> Option<usize> {
        let mut i = p;
        let mut last = None;
        while i < limit && self.at(i).is_some_and(is_query_char) {
            if is_query_ending_char(self.chars[i]) {
                last = Some(i + 1);
            }
            i += 1;
        }
        last
    }

    /// twitter-text's `idna.toAscii` check: a host starting `xn--` must hold
    /// an ASCII domain, and every label, punycode-encoded, is 1 to 63 long.
    fn host_ok(&self, found: &Found) -> bool {
        let domain = found.domain.clone();
        // The host as UTF-16 code points would be decoded by punycode.js: a
        // lone low surrogate stays a (surrogate) code point of its own.
        let mut host: Vec<u32> = Vec::with_capacity(domain.len() + 1);
        if found.phantom {
            let c = u32::from(self.chars[domain.start - 1]);
            host.push(0xDC00 + ((c - 0x10000) & 0x3FF));
        }
        host.extend(self.chars[domain.clone()].iter().map(|&c| u32::from(c)));
        let starts_xn = host.len() >= 4 && host[..4] == ['x', 'n', '-', '-'].map(u32::from);
        if starts_xn && self.ascii_domains(domain).is_empty() {
            return false;
        }
        host.split(|&c| c == u32::from('.'))
            .all(|label| punycode_len(label).is_some_and(|n| (1..=MAX_LABEL_LENGTH).contains(&n)))
    }

    /// Where twitter-text places the ASCII domains of a host: it finds each
    /// with `validAsciiDomain`, then looks its text up with `indexOf` from
    /// the end of the previous one, which finds an earlier copy when the host
    /// holds the same text twice (`ab.co…ab.co`).
    fn ascii_domains_as_placed(&self, domain: Range<usize>) -> Vec<Range<usize>> {
        let mut placed = Vec::new();
        let mut from = domain.start;
        for m in self.ascii_domains(domain.clone()) {
            let needle = &self.chars[m.clone()];
            let start = (from..=domain.end - needle.len())
                .find(|&k| &self.chars[k..k + needle.len()] == needle)
                .unwrap_or(m.start);
            placed.push(start..start + needle.len());
            from = start + needle.len();
        }
        placed
    }

    /// `validAsciiDomain` matches inside `domain`, in order.
    fn ascii_domains(&self, domain: Range<usize>) -> Vec<Range<usize>> {
        let mut found = Vec::new();
        let mut s = domain.start;
        while s < domain.end {
            match self.ascii_domain_at(s, domain.end) {
                Some(e) => {
                    found.push(s..e);
                    s = e;
                }
                None => s += 1,
            }
        }
        found
    }

    /// `(?:[-a-z0-9À-ÿ…]+\.)+ (gTLD | ccTLD | punycode)` at `s`, within `limit`.
    fn ascii_domain_at(&self, s: usize, limit: usize) -> Option<usize> {
        let mut ends = Vec::new();
        let mut p = s;
        loop {
            let mut q = p;
            while q < limit && is_ascii_label_char(self.chars[q]) {
                q += 1;
            }
            if q == p || q >= limit || self.chars[q] != '.' {
                break;
            }
            ends.push(q + 1);
            p = q + 1;
        }
        ends.iter()
            .rev()
            .find_map(|&tld_start| self.tld_at(tld_start, limit))
    }

    /// `^https?://t\.co/([a-z0-9]+)(?:\?query)?` on the URL: the slug's
    /// length and where the match ends.
    fn tco(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let prefix = if self.has_prefix_ci(start, "https://t.co/") {
            "https://t.co/".len()
        } else if self.has_prefix_ci(start, "http://t.co/") {
            "http://t.co/".len()
        } else {
            return None;
        };
        let slug_start = start + prefix;
        let mut i = slug_start;
        while i < end && self.chars[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i == slug_start {
            return None;
        }
        let slug = i - slug_start;
        if i < end && self.chars[i] == '?' {
            if let Some(q_end) = self.query_end(i + 1, end) {
                i = q_end;
            }
        }
        Some((slug, i))
    }
}

/// Length of `punycode.toASCII(label)` as twitter-text computes it, on
/// code points (labels may hold the ideographic full stops punycode.js also
/// splits on; a part with anything above U+007E becomes `xn--` + RFC 3492).
fn punycode_len(label: &[u32]) -> Option<usize> {
    let mut total = 0;
    for (i, part) in label
        .split(|&c| matches!(c, 0x3002 | 0xFF0E | 0xFF61))
        .enumerate()
    {
        if i > 0 {
            total += 1;
        }
        if part.iter().any(|&c| c > 0x7E) {
            total += "xn--".len() + punycode_encoded_len(part)?;
        } else {
            total += part.len();
        }
    }
    Some(total)
}

/// Length of the RFC 3492 encoding of `input` (`None` on overflow, where
/// punycode.js throws), by `idna`'s encoder. A lone surrogate (the phantom
/// half of twitter-text's UTF-16 slip, which punycode.js encodes as a code
/// point of its own) is not a Rust `char`: it is counted as U+FFFD, which
/// can differ from punycode.js by a digit only for such a label at the
/// 63-character limit.
fn punycode_encoded_len(input: &[u32]) -> Option<usize> {
    let chars: Vec<char> = input
        .iter()
        .map(|&c| char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    idna::punycode::encode(&chars).map(|s| s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str) -> Vec<&str> {
        extract_urls(text, true)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn finds_urls_with_and_without_protocol() {
        assert_eq!(urls("Hi http://test.co"), vec!["http://test.co"]);
        assert_eq!(urls("see example.com now"), vec!["example.com"]);
        assert_eq!(urls("a foo.co.jp b"), vec!["foo.co.jp"]);
        assert_eq!(
            urls("https://example.com/path/to/resource?search=foo&lang=en."),
            vec!["https://example.com/path/to/resource?search=foo&lang=en"]
        );
        assert_eq!(
            urls("(http://example.com/a.)"),
            vec!["http://example.com/a"]
        );
        assert_eq!(
            urls("http://en.wikipedia.org/wiki/Primer_(film)."),
            vec!["http://en.wikipedia.org/wiki/Primer_(film)"]
        );
        assert_eq!(urls("http://☃.net/"), vec!["http://☃.net/"]);
        assert_eq!(urls("日本example.com/x"), vec!["example.com/x"]);
    }

    #[test]
    fn refuses_what_twitter_text_refuses() {
        // Not a TLD, glued to a word, preceded by `-` / `@`, or a label over 63.
        assert!(urls("example.notatld").is_empty());
        assert!(urls("fooexample.com").len() == 1);
        assert!(urls("-example.com").is_empty());
        assert!(urls("@example.com").is_empty());
        assert!(urls("user@example.com").is_empty());
        let long = format!("{}.com", "a".repeat(64));
        assert!(urls(&long).is_empty());
        let ok = format!("{}.com", "a".repeat(63));
        assert_eq!(urls(&ok).len(), 1);
    }

    #[test]
    fn tco_stops_after_the_slug() {
        assert_eq!(
            urls("https://t.co/abc123/more"),
            vec!["https://t.co/abc123"]
        );
        let long = format!("https://t.co/{}", "a".repeat(41));
        assert!(urls(&long).is_empty());
    }

    #[test]
    fn without_protocol_can_be_turned_off() {
        let text = "example.com and https://example.org";
        let found: Vec<&str> = extract_urls(text, false)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(found, vec!["https://example.org"]);
    }

    #[test]
    fn punycode_length_matches_rfc_3492() {
        let len = |s: &str| punycode_len(&s.chars().map(u32::from).collect::<Vec<_>>());
        assert_eq!(len("example"), Some(7));
        assert_eq!(len("☃"), Some("xn--n3h".len()));
        assert_eq!(len("bücher"), Some("xn--bcher-kva".len()));
        assert_eq!(len("日本語"), Some("xn--wgv71a119e".len()));
        assert_eq!(len("правительство"), Some("xn--80aealotwbjpid2k".len()));
        assert_eq!(len("a。b"), Some(3));
    }
}
