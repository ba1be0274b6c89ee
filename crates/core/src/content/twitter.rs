//! X's weighted length, as twitter-text v3 computes it.
//!
//! The text is NFC-normalised; a URL (see [`urls`](super::urls)) weighs the
//! configured 23; an emoji sequence (see [`emoji`](super::emoji)) weighs 2;
//! any other code point weighs 1 inside the v3 ranges (U+0000-U+10FF,
//! U+2000-U+200D, U+2010-U+201F, U+2032-U+2037) and 2 elsewhere, CJK
//! included. U+FFFE, U+FEFF and U+FFFF make a post invalid. The numbers
//! come from `data/twitter-text/v3.json`, twitter-text's own configuration.
//!
//! The result has the fields of twitter-text's `parseTweet` and agrees with
//! it on every case of the `WeightedTweetsWithDiscountedEmojiCounterTest` and
//! `UnicodeDirectionalMarkerCounterTest` sections of its conformance suite
//! (`tests/it/conformance.rs` runs them from `data/twitter-text/validate.yml`).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::emoji::emoji_len;
use super::urls::extract_url_entities;

const V3_JSON: &str = include_str!("../../data/twitter-text/v3.json");

/// How X weighs text: twitter-text's v3 configuration, with the two numbers
/// a person may need to change (X Premium posts are longer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XConfig {
    /// The most weighted characters one post may hold (280).
    pub max_weighted_length: usize,
    /// What every URL weighs (23).
    pub transformed_url_length: usize,
    scale: usize,
    default_weight: usize,
    emoji_parsing: bool,
    ranges: Vec<WeightedRange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
struct WeightedRange {
    start: u32,
    end: u32,
    weight: usize,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigJson {
    max_weighted_tweet_length: usize,
    scale: usize,
    default_weight: usize,
    emoji_parsing_enabled: bool,
    #[serde(rename = "transformedURLLength")]
    transformed_url_length: usize,
    ranges: Vec<WeightedRange>,
}

impl XConfig {
    /// twitter-text's v3 configuration (`v3.json`): 280 weighted characters,
    /// URLs 23, emoji parsing on.
    pub fn v3() -> XConfig {
        static V3: OnceLock<XConfig> = OnceLock::new();
        V3.get_or_init(|| {
            let json: ConfigJson =
                serde_json::from_str(V3_JSON).expect("data/twitter-text/v3.json is valid");
            XConfig {
                max_weighted_length: json.max_weighted_tweet_length,
                transformed_url_length: json.transformed_url_length,
                scale: json.scale,
                default_weight: json.default_weight,
                emoji_parsing: json.emoji_parsing_enabled,
                ranges: json.ranges,
            }
        })
        .clone()
    }

    /// The same weights with another limit (e.g. 25,000 for X Premium).
    pub fn with_max_weighted_length(mut self, max: usize) -> XConfig {
        self.max_weighted_length = max;
        self
    }

    /// The same weights with another URL length.
    pub fn with_url_length(mut self, length: usize) -> XConfig {
        self.transformed_url_length = length;
        self
    }

    fn weight(&self, c: char) -> usize {
        let cp = u32::from(c);
        self.ranges
            .iter()
            .find(|r| (r.start..=r.end).contains(&cp))
            .map_or(self.default_weight, |r| r.weight)
    }
}

impl Default for XConfig {
    fn default() -> Self {
        XConfig::v3()
    }
}

/// What twitter-text's `parseTweet` says about a text. Ranges are inclusive
/// UTF-16 indices into the text as given (before normalisation); like
/// twitter-text's, `valid_range_end` can be -1 when nothing fits and
/// normalisation lengthened the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct XCount {
    /// The weighted length X compares with its limit.
    pub weighted_length: usize,
    /// Not empty, within the limit, and free of U+FFFE, U+FEFF and U+FFFF.
    pub valid: bool,
    /// `weighted_length` per thousand of the limit (X's progress ring).
    pub permillage: usize,
    pub display_range_start: i64,
    pub display_range_end: i64,
    /// The part of the text that fits (X highlights the rest).
    pub valid_range_start: i64,
    pub valid_range_end: i64,
}

/// X's weighted length of `text` with twitter-text's v3 configuration.
///
/// ```
/// use distroflow_core::x_weighted_length;
///
/// let count = x_weighted_length("Hi http://test.co");
/// assert_eq!(count.weighted_length, 26); // "Hi " + a URL weighing 23
/// assert!(count.valid);
/// assert_eq!(x_weighted_length("👨‍👩‍👧‍👦").weighted_length, 2);
/// assert_eq!(x_weighted_length("日本語").weighted_length, 6);
/// ```
pub fn x_weighted_length(text: &str) -> XCount {
    x_weighted_length_with(text, &XConfig::v3())
}

/// X's weighted length of `text` with `config`.
pub fn x_weighted_length_with(text: &str, config: &XConfig) -> XCount {
    let normalized: String = text.nfc().collect();
    let chars: Vec<char> = normalized.chars().collect();
    // Where URLs start (char index) and how many UTF-16 units each skips.
    let mut url_starts = Vec::new();
    let (mut ci, mut last_byte) = (0, 0);
    for u in extract_url_entities(&normalized, true) {
        ci += normalized[last_byte..u.range.start].chars().count();
        url_starts.push((ci, u.counted_utf16));
        last_byte = u.range.start;
    }
    let mut urls = url_starts.into_iter().peekable();
    // Emoji are found over the whole text first, left to right (so a
    // sequence partly inside a URL does not restart after it).
    let mut emoji_at = vec![0; chars.len()];
    if config.emoji_parsing {
        let mut k = 0;
        while k < chars.len() {
            let len = emoji_len(&chars, k);
            emoji_at[k] = len;
            k += len.max(1);
        }
    }

    let scale = config.scale.max(1);
    let max_scaled = config.max_weighted_length * scale;
    let mut weighted = 0;
    let mut valid = true;
    let mut valid_index: i64 = 0; // UTF-16 index of the last unit that fits
    let mut index16: usize = 0;
    // A URL's string can end inside a surrogate pair (see `UrlEntity`);
    // twitter-text then weighs the lone low surrogate left over.
    let mut half_consumed = false;
    let mut i = 0;
    while i < chars.len() {
        while urls.peek().is_some_and(|&(start, _)| start < i) {
            urls.next();
        }
        // (chars taken, UTF-16 units taken, weight, the entity's last unit)
        let (len, units, weight, last_unit_invalid) = if half_consumed {
            half_consumed = false;
            (1, 1, config.default_weight, false)
        } else if let Some(&(_, counted)) = urls.peek().filter(|&&(start, _)| start == i) {
            urls.next();
            let (mut j, mut units) = (i, 0);
            while j < chars.len() && units < counted {
                units += chars[j].len_utf16();
                j += 1;
            }
            let mut last_invalid = is_invalid(chars[j - 1]);
            if units > counted {
                // The last char was cut after its high surrogate.
                half_consumed = true;
                j -= 1;
                units = counted;
                last_invalid = false;
            }
            (
                j - i,
                units,
                config.transformed_url_length * scale,
                last_invalid,
            )
        } else {
            let emoji = emoji_at[i];
            let len = emoji.max(1);
            let units = chars[i..i + len].iter().map(|c| c.len_utf16()).sum();
            let weight = if emoji > 0 {
                config.default_weight
            } else {
                config.weight(chars[i])
            };
            (len, units, weight, is_invalid(chars[i + len - 1]))
        };
        weighted += weight;
        // twitter-text tests the entity's last UTF-16 unit.
        if valid && last_unit_invalid {
            valid = false;
        }
        if valid && weighted <= max_scaled {
            valid_index = (index16 + units - 1) as i64;
        }
        index16 += units;
        // After a cut, `len` stops before the cut char: it comes next.
        i += len;
    }
    let weighted_length = weighted / scale;
    let valid = valid && weighted_length > 0 && weighted_length <= config.max_weighted_length;
    let permillage = (weighted_length * 1000)
        .checked_div(config.max_weighted_length)
        .unwrap_or(0);
    let original16 = text.encode_utf16().count() as i64;
    let normalization_offset = original16 - index16 as i64;
    XCount {
        weighted_length,
        valid,
        permillage,
        display_range_start: 0,
        display_range_end: (original16 - 1).max(0),
        valid_range_start: 0,
        valid_range_end: valid_index + normalization_offset,
    }
}

/// U+FFFE, U+FEFF and U+FFFF, which X refuses.
pub(crate) fn is_invalid(c: char) -> bool {
    matches!(c, '\u{FFFE}' | '\u{FEFF}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_weights() {
        assert_eq!(x_weighted_length("abc").weighted_length, 3);
        assert_eq!(x_weighted_length("日本").weighted_length, 4);
        assert_eq!(x_weighted_length("\u{2014}").weighted_length, 1); // em dash
        assert_eq!(x_weighted_length("\u{2026}").weighted_length, 2); // ellipsis
        assert_eq!(x_weighted_length("©").weighted_length, 1);
        assert_eq!(x_weighted_length("©\u{FE0F}").weighted_length, 2);
        assert_eq!(x_weighted_length("see example.com").weighted_length, 27);
    }

    #[test]
    fn empty_is_invalid() {
        let c = x_weighted_length("");
        assert_eq!((c.weighted_length, c.valid), (0, false));
    }

    #[test]
    fn invalid_characters() {
        let c = x_weighted_length("ok\u{FEFF}");
        assert!(!c.valid);
        assert_eq!(c.valid_range_end, 1);
    }

    #[test]
    fn limit_is_configurable() {
        let text = "x".repeat(300);
        assert!(!x_weighted_length(&text).valid);
        let premium = XConfig::v3().with_max_weighted_length(25_000);
        let c = x_weighted_length_with(&text, &premium);
        assert!(c.valid);
        assert_eq!(c.permillage, 12);
    }
}
