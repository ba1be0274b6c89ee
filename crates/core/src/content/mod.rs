//! Content that fits every platform, decided before any browser opens.
//!
//! [`check`] takes what the person wrote ([`Draft`]) and one [`Network`] and
//! says whether that network will take it, with the exact count, the limit,
//! and the texts to post ([`Check::parts`]: one, or a thread). It is pure:
//! no browser, no I/O, the same answer every time.
//!
//! What it does, in order:
//!
//! 1. **Hashtags** ([`hashtags_to_words`]): kept on X, Instagram, LinkedIn,
//!    Bluesky and Mastodon, where they link; on Reddit and Hacker News, where
//!    they are noise, `#RustLang` becomes `RustLang` (text and title).
//! 2. **Counting**, the network's own way (table in [`limits`](Limits)):
//!    X's weighted length per twitter-text v3 ([`x_weighted_length`]: NFC,
//!    CJK 2, URLs 23, an emoji sequence 2); Bluesky graphemes; Mastodon
//!    graphemes with URLs 23 and `@user@host` as `@user`; characters for
//!    Reddit and Hacker News; UTF-16 units for Instagram and LinkedIn.
//! 3. **Rules**: titles (Reddit 1-300, Hacker News up to 80), Hacker News'
//!    URL or text, media counts (Instagram needs one), Instagram's hashtag
//!    cap, characters X refuses (U+FFFE, U+FEFF, U+FFFF).
//! 4. **Over-long text** ([`Overflow`]): refused by default, with the count,
//!    the limit and a hint; `Split` makes a thread where the network has
//!    threads (X, Bluesky, Mastodon), breaking at paragraphs, then lines,
//!    sentences and words, never inside a URL, a word or a grapheme, with
//!    optional ` 1/3` numbering counted within each part's limit; `Truncate`
//!    cuts at a word and appends `…`. Titles are truncated too, never split.
//!
//! ```
//! use distroflow_core::{check, Draft, Limits, Network, Overflow};
//!
//! let limits = Limits::default();
//! let long = "word ".repeat(70); // 350 weighted characters
//!
//! let refused = check(Network::X, &Draft::new(&long), Overflow::Refuse, &limits);
//! assert!(!refused.valid);
//! assert_eq!(refused.weighted_length, Some(350));
//! assert!(refused.errors[0].starts_with("X text is 350 weighted characters; the limit is 280"));
//!
//! let thread = check(
//!     Network::X,
//!     &Draft::new(&long),
//!     Overflow::Split { numbering: true },
//!     &limits,
//! );
//! assert!(thread.valid);
//! assert_eq!(thread.parts.len(), 2);
//! assert!(thread.parts[0].ends_with(" 1/2"));
//!
//! let hn = check(
//!     Network::HackerNews,
//!     &Draft::new("").title("Show HN: #Rust thing").url("https://example.com"),
//!     Overflow::Refuse,
//!     &limits,
//! );
//! assert_eq!(hn.title.as_deref(), Some("Show HN: Rust thing"));
//! ```

mod count;
mod emoji;
mod hashtags;
mod limits;
mod network;
mod split;
mod twitter;
mod urls;

use serde::Serialize;

pub use hashtags::{count_hashtags, hashtags_to_words};
pub use limits::{LimitOverride, LimitOverrides, Limits, NetworkLimits};
pub use network::Network;
pub use twitter::{x_weighted_length, x_weighted_length_with, XConfig, XCount};

use crate::{Media, Post};
use count::Counter;

/// What the person wrote, as one network will see it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Draft<'a> {
    /// The body text, caption or thread text, exactly as it will be typed.
    pub text: &'a str,
    pub title: Option<&'a str>,
    pub url: Option<&'a str>,
    pub media: &'a [Media],
}

impl<'a> Draft<'a> {
    pub fn new(text: &'a str) -> Draft<'a> {
        Draft {
            text,
            ..Draft::default()
        }
    }

    pub fn title(mut self, title: &'a str) -> Draft<'a> {
        self.title = Some(title);
        self
    }

    pub fn url(mut self, url: &'a str) -> Draft<'a> {
        self.url = Some(url);
        self
    }

    pub fn media(mut self, media: &'a [Media]) -> Draft<'a> {
        self.media = media;
        self
    }

    /// The draft `post` makes for `network` (its per-platform text when it
    /// has one).
    pub fn from_post(post: &'a Post, network: Network) -> Draft<'a> {
        Draft {
            text: match network.platform_id() {
                Some(id) => post.text_for(id),
                None => &post.text,
            },
            title: match network.platform_id() {
                Some(id) => post.title_for(id),
                None => post.title.as_deref(),
            },
            url: post.url.as_deref(),
            media: &post.media,
        }
    }
}

/// What to do with a text over the limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overflow {
    /// Refuse it, saying by how much (the default).
    #[default]
    Refuse,
    /// Make a thread where the network has threads; `numbering` appends
    /// ` 1/3`, ` 2/3`, ... within each part's limit.
    Split { numbering: bool },
    /// Cut at a word and append `…`.
    Truncate,
}

/// The verdict on a draft for one network. `--json` prints it as is:
///
/// ```json
/// {"platform":"x","valid":false,"weighted_length":312,"limit":280,
///  "parts":["..."],"part_lengths":[312],
///  "errors":["X text is 312 weighted characters; the limit is 280 (hint: --split to make a thread, or --truncate)"],
///  "warnings":[]}
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    pub platform: Network,
    /// No errors: every part can be posted as is.
    pub valid: bool,
    /// X: the weighted length of the whole text (before any split).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weighted_length: Option<usize>,
    /// Other networks: the length of the whole text in the network's unit;
    /// for Hacker News, whose only limit is the title's, the title's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<usize>,
    /// The limit `weighted_length` / `length` is held to (per post).
    pub limit: usize,
    /// The texts to post, one per post of a thread (one when not split).
    pub parts: Vec<String>,
    /// The length of each part, in the same unit.
    pub part_lengths: Vec<usize>,
    /// The title to post (hashtags made words, truncated if asked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_length: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_limit: Option<usize>,
    /// Why it cannot be posted: each says the count, the limit and a hint.
    pub errors: Vec<String>,
    /// What was changed or may surprise (split, truncated, hashtags made words).
    pub warnings: Vec<String>,
}

impl Check {
    /// Puts the verdict's texts into `post` for this network's platform: a
    /// thread override when split, a text override when the text changed.
    /// The title goes to `title_overrides` when it changed.
    pub fn apply_to(&self, post: &mut Post) {
        let Some(id) = self.platform.platform_id() else {
            return;
        };
        if let Some(t) = &self.title {
            if Some(t.as_str()) != post.title_for(id) {
                post.title_overrides.insert(id, t.clone());
            }
        }
        match self.parts.as_slice() {
            [one] => {
                if one != post.text_for(id) {
                    post.text_overrides.insert(id, one.clone());
                }
            }
            [] => {}
            many => {
                post.thread_overrides.insert(id, many.to_vec());
            }
        }
    }
}

/// The URLs in `text` as twitter-text finds them (X counts each as 23),
/// as byte ranges in order; bare domains such as `example.com` included.
///
/// ```
/// let text = "read https://example.com/a and example.org.";
/// let urls: Vec<&str> = distroflow_core::find_urls(text).into_iter().map(|r| &text[r]).collect();
/// assert_eq!(urls, vec!["https://example.com/a", "example.org"]);
/// ```
pub fn find_urls(text: &str) -> Vec<std::ops::Range<usize>> {
    urls::extract_urls(text, true)
}

/// The length of `text` on `network`, counted the network's way (the unit of
/// [`Check::length`], or X's weighted length).
pub fn measure(network: Network, text: &str, limits: &Limits) -> usize {
    Counter::new(network, limits.get(network)).length(text)
}

/// Checks `draft` against `network`'s rules and `limits`, fixing what
/// `overflow` allows. Never panics, for any text.
pub fn check(network: Network, draft: &Draft<'_>, overflow: Overflow, limits: &Limits) -> Check {
    let l = *limits.get(network);
    let counter = Counter::new(network, &l);
    let name = network.display_name();
    let what = network.text_name();
    let unit = counter.unit();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();

    // 1. Hashtags.
    let (text, mut title) = if network.keeps_hashtags() {
        (
            draft.text.to_string(),
            draft.title.map(|t| t.trim().to_string()),
        )
    } else {
        let n = count_hashtags(draft.text) + draft.title.map_or(0, count_hashtags);
        if n > 0 {
            warnings.push(format!(
                "{name} has no hashtags: {n} made plain words (#tag became tag)"
            ));
        }
        (
            hashtags_to_words(draft.text),
            draft.title.map(|t| hashtags_to_words(t.trim())),
        )
    };

    // 2. Count.
    let length = counter.length(&text);
    let has_text = !text.trim().is_empty();
    let mut parts = vec![text.clone()];

    // 3. Rules.
    if matches!(
        network,
        Network::X | Network::Bluesky | Network::Mastodon | Network::LinkedIn
    ) && !has_text
        && draft.media.is_empty()
    {
        errors.push(format!(
            "{name} post needs a text or media (hint: give a text, or --media FILE)"
        ));
    }
    let invalid = if network == Network::X {
        text.chars().find(|&c| twitter::is_invalid(c))
    } else {
        None
    };
    if let Some(c) = invalid {
        errors.push(format!(
            "X text contains U+{:04X}, which X refuses (hint: remove it)",
            u32::from(c)
        ));
    }
    if matches!(network, Network::HackerNews | Network::Reddit) {
        let url = draft.url.map(str::trim).unwrap_or_default();
        if !url.is_empty()
            && !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            errors.push(format!(
                "`{url}` is not an http(s) URL (hint: give --url a full address such as https://example.com/page)"
            ));
        }
        if network == Network::HackerNews && url.is_empty() && !has_text {
            errors.push(
                "Hacker News needs a url or a text (hint: add --url URL for a link post, or TEXT for a text post)"
                    .into(),
            );
        }
    }
    check_media(network, &l, draft.media, &mut errors, &mut warnings);
    if let Some(cap) = l.hashtags {
        let n = count_hashtags(&text);
        if n > cap {
            errors.push(format!(
                "{name} {what} has {n} hashtags; the limit is {cap} (hint: remove some; the cap is [limits.{network}] hashtags in config.toml)"
            ));
        } else if network == Network::Instagram && n > 5 && cap > 5 {
            warnings.push(format!(
                "Instagram is reported to cap some accounts at 5 hashtags; this caption has {n} (hint: set [limits.instagram] hashtags = 5 to enforce it)"
            ));
        }
    }
    if network == Network::Instagram && !urls::extract_urls(&text, true).is_empty() {
        warnings.push("Instagram does not make links in captions clickable".into());
    }

    // 4. Over-long text.
    let too_long = l.text.filter(|&lim| length > lim);
    let too_big = l.bytes.filter(|&b| text.len() > b);
    if has_text && invalid.is_none() && (too_long.is_some() || too_big.is_some()) {
        let over = match (too_long, too_big) {
            (Some(lim), _) => format!("{name} {what} is {length} {unit}; the limit is {lim}"),
            (None, Some(b)) => format!(
                "{name} {what} is {} bytes of UTF-8; the limit is {b} bytes",
                text.len()
            ),
            (None, None) => unreachable!("checked above"),
        };
        let fits = |s: &str| counter.fits(s);
        let protected = urls::extract_urls(&text, true);
        match overflow {
            Overflow::Refuse => {
                let hint = if network.has_threads() {
                    "--split to make a thread, or --truncate"
                } else {
                    "--truncate, or shorten it"
                };
                errors.push(format!("{over} (hint: {hint})"));
            }
            Overflow::Split { numbering } if network.has_threads() => {
                match split::split(&text, &fits, &protected, numbering) {
                    Ok(p) => {
                        warnings.push(if p.len() > 1 {
                            format!("{name} {what} split into a thread of {} posts", p.len())
                        } else {
                            format!("{name} {what} fits once its trailing whitespace is dropped")
                        });
                        parts = p;
                    }
                    Err(e) => errors.push(format!(
                        "{over}, and it cannot be split: {} (hint: shorten it, or --truncate)",
                        e.0
                    )),
                }
            }
            Overflow::Split { .. } => {
                errors.push(format!(
                    "{over} (hint: {name} has no threads, so --split cannot help; --truncate, or shorten it)"
                ));
            }
            Overflow::Truncate => match split::truncate(&text, &fits, &protected) {
                Ok(t) => {
                    warnings.push(format!(
                        "{name} {what} truncated from {length} to {} {unit}",
                        counter.length(&t)
                    ));
                    parts = vec![t];
                }
                Err(e) => errors.push(format!(
                    "{over}, and it cannot be truncated: {} (hint: shorten it)",
                    e.0
                )),
            },
        }
    }

    // Titles.
    let mut title_length = None;
    if let Some(title_limit) = l.title {
        match title.as_deref().filter(|t| !t.is_empty()) {
            None => errors.push(format!("{name} needs a title (hint: add --title \"...\")")),
            // A title field is one line: the site's input drops a line
            // break, so the title would not read back as given.
            Some(t) if t.contains(['\n', '\r']) => errors.push(format!(
                "{name} title has a line break; a title is one line (hint: put the title on one line)"
            )),
            Some(t) => {
                let n = t.chars().count();
                title_length = Some(n);
                if n > title_limit {
                    let fits = |s: &str| s.chars().count() <= title_limit;
                    let over =
                        format!("{name} title is {n} characters; the limit is {title_limit}");
                    if overflow == Overflow::Truncate {
                        match split::truncate(t, &fits, &urls::extract_urls(t, true)) {
                            Ok(cut) => {
                                let m = cut.chars().count();
                                warnings.push(format!(
                                    "{name} title truncated from {n} to {m} characters"
                                ));
                                title_length = Some(m);
                                title = Some(cut);
                            }
                            Err(e) => errors.push(format!(
                                "{over}, and it cannot be truncated: {} (hint: shorten the title)",
                                e.0
                            )),
                        }
                    } else {
                        errors.push(format!("{over} (hint: shorten the title, or --truncate)"));
                    }
                }
            }
        }
    }

    let part_lengths = parts.iter().map(|p| counter.length(p)).collect();
    let (weighted_length, length, limit) = match network {
        Network::X => (Some(length), None, l.text.unwrap_or(0)),
        Network::HackerNews if l.text.is_none() => {
            (None, Some(title_length.unwrap_or(0)), l.title.unwrap_or(0))
        }
        _ => (None, Some(length), l.text.or(l.title).unwrap_or(0)),
    };
    Check {
        platform: network,
        valid: errors.is_empty(),
        weighted_length,
        length,
        limit,
        parts,
        part_lengths,
        title_limit: l.title,
        title_length,
        title: if l.title.is_some() { title } else { None },
        errors,
        warnings,
    }
}

/// [`check`] for a [`Post`], with the post's text for the network's platform.
pub fn check_post(network: Network, post: &Post, overflow: Overflow, limits: &Limits) -> Check {
    check(network, &Draft::from_post(post, network), overflow, limits)
}

/// `2:20` for 140 seconds (rounded up to the second).
fn minutes(secs: f64) -> String {
    let s = secs.ceil() as u64;
    format!("{}:{:02} min", s / 60, s % 60)
}

fn check_media(
    network: Network,
    l: &NetworkLimits,
    media: &[Media],
    errors: &mut Vec<String>,
    warnings: &mut Vec<String>,
) {
    let name = network.display_name();
    let n = media.len();
    let videos = media
        .iter()
        .filter(|m| m.mime.starts_with("video/"))
        .count();
    if n < l.min_media {
        errors.push(if l.min_media == 1 {
            format!("{name} needs at least one image or video (hint: add --media FILE)")
        } else {
            format!(
                "{name} needs at least {} images or videos; got {n} (hint: add --media FILE)",
                l.min_media
            )
        });
    }
    if l.media == 0 && n > 0 {
        // A cross-post with images still goes out here, without them.
        warnings.push(format!(
            "{name} takes no images or video: the media are not posted there"
        ));
        return;
    } else if n > l.media {
        errors.push(format!(
            "{name} takes at most {} images or videos; got {n} (hint: attach fewer)",
            l.media
        ));
    } else if network.video_alone() && videos > 0 && n > 1 {
        errors.push(format!(
            "{name} takes up to {} images, or one video alone; got {n} files with {videos} video (hint: post the video on its own)",
            l.media
        ));
    }
    let mb = |b: u64| b as f64 / 1_048_576.0;
    for m in media {
        let file = m.path.display();
        if !l.media_types.is_empty() && !l.media_types.contains(&m.mime.as_str()) {
            errors.push(format!(
                "{name} does not take {} files: {file} (hint: convert it to one of {}, or leave {network} out of --to)",
                m.mime,
                l.media_types.join(", ")
            ));
            continue;
        }
        let (kind, limit, key) = match m.mime.as_str() {
            "image/gif" => ("a GIF", l.gif_bytes, "gif_bytes"),
            v if v.starts_with("video/") => ("a video", l.video_bytes, "video_bytes"),
            _ => ("an image", l.image_bytes, "image_bytes"),
        };
        if let Some(max) = limit.filter(|&max| m.size > max) {
            errors.push(format!(
                "{file} is {:.1} MB; {name} takes {kind} of at most {:.0} MB (hint: make it smaller; the limit is [limits.{network}] {key} in config.toml)",
                mb(m.size),
                mb(max)
            ));
        }
        if let (true, Some(max)) = (m.mime.starts_with("video/"), l.video_seconds) {
            match m.duration {
                Some(d) if d.as_secs_f64() > max as f64 => errors.push(format!(
                    "{file} is {} long; {name} takes videos of at most {} (hint: trim it; the limit is [limits.{network}] video_seconds in config.toml)",
                    minutes(d.as_secs_f64()),
                    minutes(max as f64)
                )),
                Some(_) => {}
                None => warnings.push(format!(
                    "could not read the length of {file}; {name} takes videos of at most {}",
                    minutes(max as f64)
                )),
            }
        }
    }
}
#[cfg(test)]
mod tests {
    use super::count::mastodon_length;
    use super::*;
    use crate::PlatformId;

    fn x(text: &str, overflow: Overflow) -> Check {
        check(Network::X, &Draft::new(text), overflow, &Limits::default())
    }

    #[test]
    fn refuses_with_count_limit_and_hint() {
        let c = x(&"a".repeat(312), Overflow::Refuse);
        assert!(!c.valid);
        assert_eq!(c.weighted_length, Some(312));
        assert_eq!(c.limit, 280);
        assert_eq!(
            c.errors,
            vec!["X text is 312 weighted characters; the limit is 280 (hint: --split to make a thread, or --truncate)"]
        );
    }

    #[test]
    fn x_text_is_never_rewritten_when_it_fits() {
        let text = "  #Rust\u{2000} ok  ";
        let c = x(text, Overflow::Refuse);
        assert!(c.valid);
        assert_eq!(c.parts, vec![text]);
    }

    #[test]
    fn split_and_truncate() {
        let text = format!(
            "{}\n\n{}",
            "one ".repeat(50).trim(),
            "two ".repeat(50).trim()
        );
        let c = x(&text, Overflow::Split { numbering: false });
        assert!(c.valid, "{:?}", c.errors);
        assert_eq!(c.parts.len(), 2);
        assert_eq!(c.parts[0], "one ".repeat(50).trim());
        let t = x(&text, Overflow::Truncate);
        assert!(t.valid);
        assert!(t.parts[0].ends_with("one…") || t.parts[0].ends_with("two…"));
        assert!(t.part_lengths[0] <= 280);
    }

    #[test]
    fn reddit_and_hn_make_hashtags_words() {
        let limits = Limits::default();
        let d = Draft::new("Learning #RustLang").title("#Rust tips");
        let c = check(Network::Reddit, &d, Overflow::Refuse, &limits);
        assert!(c.valid, "{:?}", c.errors);
        assert_eq!(c.parts, vec!["Learning RustLang"]);
        assert_eq!(c.title.as_deref(), Some("Rust tips"));
        assert!(c.warnings[0].contains("2 made plain words"));
        let kept = check(Network::Bluesky, &d, Overflow::Refuse, &limits);
        assert_eq!(kept.parts, vec!["Learning #RustLang"]);
    }

    #[test]
    fn hacker_news_rules() {
        let limits = Limits::default();
        let long = "x".repeat(81);
        let c = check(
            Network::HackerNews,
            &Draft::new("").title(&long),
            Overflow::Refuse,
            &limits,
        );
        assert_eq!((c.length, c.limit), (Some(81), 80));
        assert_eq!(
            c.errors,
            vec![
                "Hacker News needs a url or a text (hint: add --url URL for a link post, or TEXT for a text post)",
                "Hacker News title is 81 characters; the limit is 80 (hint: shorten the title, or --truncate)",
            ]
        );
        let t = check(
            Network::HackerNews,
            &Draft::new("").title("Show HN: a rather long title that goes on and on, well past the eighty character limit of the site").url("https://example.com"),
            Overflow::Truncate,
            &limits,
        );
        assert!(t.valid, "{:?}", t.errors);
        assert!(t.title.as_deref().unwrap().ends_with('…'));
        assert!(t.title_length.unwrap() <= 80);
    }

    #[test]
    fn a_title_with_a_line_break_is_refused_where_there_are_titles() {
        let limits = Limits::default();
        for network in [Network::Reddit, Network::HackerNews] {
            for title in ["two\nlines", "cr\rhere", "trailing\n still"] {
                let d = Draft::new("body").title(title).url("https://e.com");
                let c = check(network, &d, Overflow::Truncate, &limits);
                assert!(!c.valid, "{network} {title:?}");
                assert!(
                    c.errors[0].contains("title has a line break"),
                    "{:?}",
                    c.errors
                );
            }
        }
        // X has no title: it is not posted there, so it is not refused.
        let d = Draft::new("text").title("two\nlines");
        assert!(check(Network::X, &d, Overflow::Refuse, &limits).valid);
    }

    #[test]
    fn instagram_needs_media_and_caps_hashtags() {
        let limits = Limits::default();
        let tags: Vec<String> = (0..31).map(|i| format!("#tag{i}")).collect();
        let c = check(
            Network::Instagram,
            &Draft::new(&tags.join(" ")),
            Overflow::Refuse,
            &limits,
        );
        assert_eq!(
            c.errors,
            vec![
                "Instagram needs at least one image or video (hint: add --media FILE)",
                "Instagram caption has 31 hashtags; the limit is 30 (hint: remove some; the cap is [limits.instagram] hashtags in config.toml)",
            ]
        );
    }

    fn file(mime: &str, mb: u64) -> Media {
        Media {
            path: format!("/tmp/f.{}", mime.rsplit('/').next().unwrap()).into(),
            mime: mime.into(),
            size: mb * 1024 * 1024,
            duration: None,
        }
    }

    #[test]
    fn media_limits_come_from_the_table_per_network() {
        let limits = Limits::default();
        let verdict = |n: Network, media: &[Media]| {
            check(
                n,
                &Draft::new("hi").title("T").media(media),
                Overflow::Refuse,
                &limits,
            )
        };
        // A 10 MB image: too big for X (5) and Instagram (8), fine on Reddit (20).
        let ten = [file("image/png", 10)];
        assert_eq!(
            verdict(Network::X, &ten).errors,
            ["/tmp/f.png is 10.0 MB; X takes an image of at most 5 MB (hint: make it smaller; the limit is [limits.x] image_bytes in config.toml)"]
        );
        assert!(!verdict(Network::Instagram, &ten).valid);
        assert!(verdict(Network::Reddit, &ten).valid);
        // 200 MB: refused by every network that takes media.
        let huge = [file("video/mp4", 2000)];
        for n in [Network::X, Network::Reddit, Network::Instagram] {
            assert!(!verdict(n, &huge).valid, "{n}");
        }
        // Types: HEIC on Instagram, not on X.
        let heic = [file("image/heic", 1)];
        assert!(verdict(Network::Instagram, &heic).valid);
        assert!(verdict(Network::X, &heic).errors[0].contains("does not take image/heic"));
        // Counts: X 4 images, or one video alone.
        assert!(verdict(Network::X, &vec![file("image/png", 1); 4]).valid);
        assert!(!verdict(Network::X, &vec![file("image/png", 1); 5]).valid);
        assert!(!verdict(Network::X, &[file("video/mp4", 1), file("image/png", 1)]).valid);
        // Hacker News takes none: not an error, a warning.
        let hn = verdict(Network::HackerNews, &ten);
        assert!(hn.errors.iter().all(|e| !e.contains("MB")));
        // An override raises a limit.
        let raised = Limits::default()
            .with_overrides(&toml::from_str("[x]\nimage_bytes = 20971520\n").unwrap())
            .unwrap();
        assert!(
            check(
                Network::X,
                &Draft::new("hi").media(&ten),
                Overflow::Refuse,
                &raised
            )
            .valid
        );
    }

    #[test]
    fn mastodon_counts_urls_and_remote_mentions() {
        let text = "hi @alice@mastodon.social see https://example.com/a/very/long/path/indeed";
        // "hi @alice see " = 14, URL = 23
        assert_eq!(mastodon_length(text, 23), 14 + 23);
        assert_eq!(mastodon_length("mail me@example.com", 23), 19);
    }

    #[test]
    fn bluesky_counts_graphemes_and_bytes() {
        let limits = Limits::default();
        let family = "👨‍👩‍👧‍👦".repeat(150); // 150 graphemes, 3,750 bytes
        let c = check(
            Network::Bluesky,
            &Draft::new(&family),
            Overflow::Refuse,
            &limits,
        );
        assert_eq!(c.length, Some(150));
        assert!(
            c.errors[0].starts_with("Bluesky text is 3750 bytes of UTF-8; the limit is 3000 bytes")
        );
    }

    #[test]
    fn networks_parse_and_print() {
        for n in Network::ALL {
            assert_eq!(n.as_str().parse::<Network>().unwrap(), n);
        }
        assert_eq!("hn".parse::<Network>().unwrap(), Network::HackerNews);
        assert!("myspace".parse::<Network>().is_err());
        assert_eq!(Network::from(PlatformId::Instagram), Network::Instagram);
    }

    #[test]
    fn apply_to_sets_overrides() {
        let mut post = Post::new("word ".repeat(70));
        let c = check_post(
            Network::X,
            &post,
            Overflow::Split { numbering: true },
            &Limits::default(),
        );
        c.apply_to(&mut post);
        assert_eq!(post.parts_for(PlatformId::X), c.parts);
        assert_eq!(post.parts_for(PlatformId::X).len(), 2);
    }
}
