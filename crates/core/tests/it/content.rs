//! Content checks as a user meets them: threads that X accepts part by
//! part, with emoji, CJK, bidi marks and URLs where parts meet; and
//! properties over arbitrary Unicode.

use distroflow_core::{
    check, find_urls, measure, x_weighted_length, x_weighted_length_with, Check, Draft,
    LimitOverrides, Limits, Network, Overflow, XConfig,
};
use proptest::prelude::*;
use unicode_segmentation::UnicodeSegmentation;

const FAMILY: &str = "👨‍👩‍👧‍👦";

fn x(text: &str, overflow: Overflow) -> Check {
    check(Network::X, &Draft::new(text), overflow, &Limits::default())
}

fn split(text: &str) -> Check {
    x(text, Overflow::Split { numbering: false })
}

fn numbered(text: &str) -> Check {
    x(text, Overflow::Split { numbering: true })
}

/// Every part is a post X accepts.
fn assert_all_valid_on_x(c: &Check) {
    assert!(c.valid, "{:?}", c.errors);
    for part in &c.parts {
        let count = x_weighted_length(part);
        assert!(
            count.valid,
            "part over the limit ({}): {part:?}",
            count.weighted_length
        );
    }
}

/// Whitespace the splitter may drop (not the no-break spaces, which glue).
fn is_break_space(g: &str) -> bool {
    g.chars()
        .all(|c| c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}'))
}

/// `s` without its whitespace grapheme clusters.
fn non_space(s: &str) -> String {
    s.graphemes(true).filter(|g| !is_break_space(g)).collect()
}

/// Runs of grapheme clusters between whitespace.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for g in s.graphemes(true) {
        if is_break_space(g) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        } else {
            word.push_str(g);
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

#[test]
fn zwj_family_emoji_count_two_and_are_never_broken() {
    let exactly = FAMILY.repeat(140);
    assert_eq!(x_weighted_length(&exactly).weighted_length, 280);
    assert!(x(&exactly, Overflow::Refuse).valid);

    let over = FAMILY.repeat(141);
    let refused = x(&over, Overflow::Refuse);
    assert_eq!(refused.weighted_length, Some(282));
    assert!(!refused.valid);

    let c = split(&over);
    assert_all_valid_on_x(&c);
    assert_eq!(c.parts.concat(), over);
    for part in &c.parts {
        assert!(
            part.replace(FAMILY, "").is_empty(),
            "a family was cut: {part:?}"
        );
    }
    assert_eq!(c.part_lengths, vec![280, 2]);
}

#[test]
fn skin_tones_flags_and_keycaps_stay_whole() {
    let unit = "👩🏽‍💻🇯🇵#️⃣🏳️‍🌈";
    assert_eq!(x_weighted_length(unit).weighted_length, 8);
    let text = unit.repeat(40); // 320
    let c = split(&text);
    assert_all_valid_on_x(&c);
    assert_eq!(c.parts.concat(), text);
    assert!(c.parts[0].ends_with("🏳️‍🌈"));
}

#[test]
fn cjk_counts_two_and_splits_between_ideographs() {
    let text = "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。".repeat(6);
    let count = x_weighted_length(&text);
    assert_eq!(count.weighted_length, text.chars().count() * 2);
    let c = split(&text);
    assert_all_valid_on_x(&c);
    assert_eq!(c.parts.concat(), text, "CJK has no spaces to drop");
    // Sentence ends are preferred, and no part starts with punctuation.
    assert!(c.parts[0].ends_with('。'), "{:?}", c.parts[0]);
    assert!(c.parts.iter().all(|p| !p.starts_with(['，', '。'])));
}

#[test]
fn bidi_marks_and_rtl_urls_stay_with_their_text() {
    let rtl = "\u{2066}\u{202A}http://foobar.بارت/\u{202C}\u{2069}";
    assert_eq!(x_weighted_length(rtl).weighted_length, 31);
    let text = format!(
        "{} {rtl} {}",
        "word ".repeat(50).trim(),
        "more ".repeat(10).trim()
    );
    let c = split(&text);
    assert_all_valid_on_x(&c);
    assert!(
        c.parts.iter().any(|p| p.contains(rtl)),
        "the marked URL was cut: {:?}",
        c.parts
    );
}

#[test]
fn a_url_at_the_boundary_moves_whole_to_the_next_part() {
    let url = "https://example.com/a/rather/long/path/that/would/not/fit/in/the/first/post";
    // 262 weighted of words, then the URL (23) would end at 286 > 280.
    let words = "abcdef ".repeat(37) + "abcd"; // 259 + 4 = 263
    let text = format!("{words} {url} tail words here");
    let c = split(&text);
    assert_all_valid_on_x(&c);
    assert_eq!(c.parts.len(), 2);
    assert_eq!(c.parts[0], words);
    assert!(c.parts[1].starts_with(url), "{:?}", c.parts[1]);

    // Bare domains are URLs too, and are not cut either.
    let text = format!("{words} example.com/some/page tail");
    let c = split(&text);
    assert_all_valid_on_x(&c);
    assert!(c.parts[1].starts_with("example.com/some/page"));
}

#[test]
fn a_url_that_just_fits_stays_in_the_first_part() {
    let url = "https://example.com/this/is/long/but/weighs/twenty-three";
    let words = "abcdef ".repeat(36) + "abcdefg"; // 252 + 7 = 259; + 1 + 23 = 283 > 280
    let shorter = &words[..words.len() - 4]; // 255 + 1 + 23 = 279
    let text = format!("{shorter} {url} and then more words follow here");
    let c = split(&text);
    assert_all_valid_on_x(&c);
    assert_eq!(c.parts[0], format!("{shorter} {url}"));
    assert_eq!(c.part_lengths[0], 279);
}

#[test]
fn numbering_is_counted_within_each_part() {
    let text = "Sentence number one is here. ".repeat(120);
    let c = numbered(&text);
    assert_all_valid_on_x(&c);
    let n = c.parts.len();
    assert!(n >= 10, "expected two-digit numbering, got {n} parts");
    for (i, part) in c.parts.iter().enumerate() {
        assert!(part.ends_with(&format!(" {}/{n}", i + 1)), "{part:?}");
        assert!(x_weighted_length(part).weighted_length <= 280);
    }
    // Sentence breaks: every part but the last ends a sentence before its number.
    assert!(c.parts[0]
        .trim_end_matches(&format!(" 1/{n}"))
        .ends_with('.'));
}

#[test]
fn paragraphs_become_posts() {
    let p1 = "First paragraph. ".repeat(10);
    let p2 = "Second paragraph. ".repeat(10);
    let p3 = "Third paragraph. ".repeat(10);
    let text = format!("{}\n\n{}\n\n{}", p1.trim(), p2.trim(), p3.trim());
    let c = split(&text);
    assert_all_valid_on_x(&c);
    assert_eq!(c.parts, vec![p1.trim(), p2.trim(), p3.trim()]);
}

#[test]
fn truncate_cuts_at_a_word_with_an_ellipsis() {
    let text = "The quick brown fox jumps over the lazy dog. ".repeat(10);
    let c = x(&text, Overflow::Truncate);
    assert_all_valid_on_x(&c);
    assert_eq!(c.parts.len(), 1);
    let t = &c.parts[0];
    assert!(t.ends_with('…'));
    assert!(text.starts_with(t.trim_end_matches('…')));
    assert!(!t.trim_end_matches('…').ends_with(' '));
    assert!(c.part_lengths[0] <= 280 && c.part_lengths[0] >= 270);
    assert!(c.warnings[0].starts_with("X text truncated from 450 to"));
}

#[test]
fn json_has_the_documented_fields() {
    let c = x(&"a".repeat(300), Overflow::Refuse);
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["platform"], "x");
    assert_eq!(v["valid"], false);
    assert_eq!(v["weighted_length"], 300);
    assert_eq!(v["limit"], 280);
    assert!(v.get("length").is_none());
    assert_eq!(v["parts"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["errors"][0],
        "X text is 300 weighted characters; the limit is 280 (hint: --split to make a thread, or --truncate)"
    );
    assert!(v["warnings"].as_array().unwrap().is_empty());

    let b = check(
        Network::Bluesky,
        &Draft::new("héllo 👋🏽"),
        Overflow::Refuse,
        &Limits::default(),
    );
    let v = serde_json::to_value(&b).unwrap();
    assert_eq!(v["platform"], "bluesky");
    assert_eq!(v["length"], 7);
    assert_eq!(v["limit"], 300);
    assert!(v.get("weighted_length").is_none());
}

#[test]
fn bluesky_and_mastodon_threads() {
    let limits = Limits::default();
    let text = "Grapheme counting: é 👋🏽 🇫🇷 and words. ".repeat(20);
    let c = check(
        Network::Bluesky,
        &Draft::new(&text),
        Overflow::Split { numbering: true },
        &limits,
    );
    assert!(c.valid, "{:?}", c.errors);
    assert!(c.part_lengths.iter().all(|&n| n <= 300));
    assert!(c.parts.len() >= 2);

    let url = "https://example.com/".to_string() + &"x".repeat(200);
    let text = format!("{} {url}", "word ".repeat(95).trim());
    // 474 graphemes of words + 1 + 23 for the URL = 498: one Mastodon post.
    let m = check(
        Network::Mastodon,
        &Draft::new(&text),
        Overflow::Refuse,
        &limits,
    );
    assert!(m.valid, "{:?}", m.errors);
    assert_eq!(m.length, Some(498));
}

#[test]
fn limits_from_config_change_the_verdict() {
    let overrides: LimitOverrides = toml::from_str("[x]\ntext = 25000\n").unwrap();
    let premium = Limits::default().with_overrides(&overrides).unwrap();
    let text = "long form ".repeat(1000);
    let c = check(Network::X, &Draft::new(&text), Overflow::Refuse, &premium);
    assert!(c.valid, "{:?}", c.errors);
    assert_eq!(c.limit, 25_000);
    assert_eq!(measure(Network::X, &text, &premium), 10_000);
}

// ---- properties ----------------------------------------------------------

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z]{1,12}",
        2 => "[a-z]{1,8}[.,!?;:]",
        1 => Just("https://example.com/path/to/page?x=1".to_string()),
        1 => "https?://[a-z]{1,10}\\.(com|org|co\\.jp|io)(/[a-z0-9_\\-]{0,12}){0,4}",
        1 => "[a-z]{2,8}\\.(com|net|dev)",
        1 => prop::sample::select(vec![
            "👨‍👩‍👧‍👦", "🏳️‍🌈", "👩🏽‍💻", "🇺🇸", "❤️", "1⃣", "🧑‍🤝‍🧑", "😀",
        ]).prop_map(str::to_string),
        1 => "[\u{4e00}-\u{9fff}]{1,40}",
        1 => "[\u{3040}-\u{309f}\u{30a0}-\u{30ff}]{1,12}[。、]?",
        1 => prop::sample::select(vec![
            "\u{202A}", "\u{202B}", "\u{202C}", "\u{2066}", "\u{2069}", "\u{200E}", "\u{200F}",
        ]).prop_map(str::to_string),
        1 => "[\u{0600}-\u{06ff}]{1,10}",
        1 => "#[A-Za-z]{1,10}",
        1 => "\\PC{1,12}",
        1 => any::<String>(),
    ]
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ", " ", " ", "  ", "\n", "\n\n", ". ", "", "\t", "\u{3000}",
    ])
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec((token(), separator()), 0..140)
        .prop_map(|v| v.into_iter().map(|(t, s)| t + s).collect())
}

/// `parts` without their ` i/n` numbers.
fn unnumbered(parts: &[String]) -> Vec<String> {
    let n = parts.len();
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            p.strip_suffix(&format!(" {}/{n}", i + 1))
                .unwrap_or(p)
                .to_string()
        })
        .collect()
}

fn is_cjk(c: char) -> bool {
    matches!(
        c,
        '\u{2E80}'..='\u{2FFF}'
            | '\u{3000}'..='\u{30FF}'
            | '\u{3100}'..='\u{312F}'
            | '\u{31A0}'..='\u{31FF}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FE30}'..='\u{FE4F}'
            | '\u{FF00}'..='\u{FFEF}'
            | '\u{20000}'..='\u{3FFFF}'
    )
}

/// The properties of a split: parts valid, words kept in order, URLs whole.
fn check_split(network: Network, text: &str, limits: &Limits, numbering: bool) {
    let c = check(
        network,
        &Draft::new(text),
        Overflow::Split { numbering },
        limits,
    );
    let limit = limits.get(network).text.unwrap();
    if !c.valid {
        // Only for a reason the user can act on.
        assert!(
            c.errors.iter().any(|e| e.contains("cannot be split")
                || e.contains("which X refuses")
                || e.contains("needs a text")),
            "{:?}",
            c.errors
        );
        return;
    }
    // Every part is valid on its own.
    for part in &c.parts {
        if network == Network::X {
            let cfg = XConfig::v3().with_max_weighted_length(limit);
            assert!(
                x_weighted_length_with(part, &cfg).valid,
                "invalid part {part:?}"
            );
        } else {
            assert!(
                measure(network, part, limits) <= limit,
                "long part {part:?}"
            );
        }
    }
    let parts = if numbering {
        unnumbered(&c.parts)
    } else {
        c.parts.clone()
    };
    // Nothing but whitespace at split points changes.
    assert_eq!(non_space(&parts.concat()), non_space(text));
    // Words are kept in order: output words regroup into input words; a word
    // is only cut in CJK or when it cannot fit in one post on its own.
    let input = words(text);
    let output: Vec<String> = parts.iter().flat_map(|p| words(p)).collect();
    let mut o = 0;
    for word in &input {
        let mut joined = String::new();
        let mut pieces = 0;
        while joined.len() < word.len() {
            joined.push_str(&output[o]);
            o += 1;
            pieces += 1;
        }
        assert_eq!(&joined, word, "words out of order");
        if pieces > 1 {
            let too_long = measure(network, word, limits) + 8 > limit;
            assert!(
                too_long || word.chars().any(is_cjk),
                "the word {word:?} was cut although it fits"
            );
        }
    }
    assert_eq!(o, output.len());
    // Every URL of the input is whole in one part, in order.
    let (mut pi, mut off) = (0, 0);
    for r in find_urls(text) {
        let url = &text[r];
        loop {
            assert!(pi < parts.len(), "the URL {url:?} was cut: {parts:?}");
            match parts[pi][off..].find(url) {
                Some(k) => {
                    off += k + url.len();
                    break;
                }
                None => {
                    pi += 1;
                    off = 0;
                }
            }
        }
    }
}

fn small_limits() -> Limits {
    let o: LimitOverrides =
        toml::from_str("[x]\ntext = 60\n[bluesky]\ntext = 40\n[mastodon]\ntext = 50\n").unwrap();
    Limits::default().with_overrides(&o).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_unicode(text in any::<String>(), title in any::<String>()) {
        let limits = small_limits();
        for network in Network::ALL {
            for overflow in [
                Overflow::Refuse,
                Overflow::Split { numbering: false },
                Overflow::Split { numbering: true },
                Overflow::Truncate,
            ] {
                let d = Draft::new(&text).title(&title).url(&title);
                let c = check(network, &d, overflow, &limits);
                prop_assert_eq!(c.valid, c.errors.is_empty());
                prop_assert_eq!(c.parts.len(), c.part_lengths.len());
            }
        }
    }

    #[test]
    fn x_threads_keep_words_and_urls(text in text(), numbering in any::<bool>()) {
        check_split(Network::X, &text, &Limits::default(), numbering);
    }

    #[test]
    fn short_posts_keep_words_and_urls(text in text(), numbering in any::<bool>()) {
        let limits = small_limits();
        for network in [Network::X, Network::Bluesky, Network::Mastodon] {
            check_split(network, &text, &limits, numbering);
        }
    }

    #[test]
    fn truncation_is_a_valid_prefix(text in text()) {
        let limits = small_limits();
        let c = check(Network::X, &Draft::new(&text), Overflow::Truncate, &limits);
        if c.valid && c.warnings.iter().any(|w| w.contains("truncated")) {
            let t = &c.parts[0];
            prop_assert!(t.ends_with('…'));
            prop_assert!(text.starts_with(t.trim_end_matches('…')));
            let cfg = XConfig::v3().with_max_weighted_length(60);
            prop_assert!(x_weighted_length_with(t, &cfg).valid);
        }
    }
}
