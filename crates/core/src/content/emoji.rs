//! Emoji sequences, which X counts as one unit of weight 2 whatever their
//! length (`👨‍👩‍👧‍👦` is seven code points and counts 2).
//!
//! twitter-text finds emoji with a generated regular expression of the
//! Unicode emoji sequences of its day; X has counted newer ones the same way
//! since. Here a sequence is an emoji the `emojis` crate knows (Unicode 18:
//! fully-qualified, minimally-qualified and unqualified forms), found as the
//! longest such prefix of a run of emoji characters, modifiers, variation
//! selectors, keycaps, regional indicators, tags and joiners. Two rules keep
//! twitter-text's behaviour where the weight would otherwise differ:
//! a keycap is `[#*0-9]`, an optional U+FE0F, then U+20E3; and `©` or `®`
//! is an emoji only with U+FE0F after it (alone each weighs 1).

/// Longest candidate looked at: RGI sequences are at most 10 code points.
const MAX_SEQUENCE: usize = 16;

const ZWJ: char = '\u{200D}';

/// Characters an emoji sequence can start with (besides keycaps).
fn can_start(c: char) -> bool {
    matches!(c, '\u{A9}' | '\u{AE}' | '\u{203C}'..='\u{3299}' | '\u{1F000}'..='\u{1FAFF}')
}

/// Characters that extend an emoji without a joiner.
fn extends(c: char) -> bool {
    matches!(
        c,
        '\u{1F3FB}'..='\u{1F3FF}'        // skin tones
            | '\u{FE0E}' | '\u{FE0F}'    // variation selectors
            | '\u{20E3}'                 // combining keycap
            | '\u{1F1E6}'..='\u{1F1FF}'  // regional indicators
            | '\u{E0020}'..='\u{E007F}' // tags
    )
}

/// How many chars of `chars[i..]` form one emoji, 0 when none starts there.
pub(crate) fn emoji_len(chars: &[char], i: usize) -> usize {
    let Some(&first) = chars.get(i) else {
        return 0;
    };
    if matches!(first, '#' | '*' | '0'..='9') {
        return match (chars.get(i + 1), chars.get(i + 2)) {
            (Some('\u{20E3}'), _) => 2,
            (Some('\u{FE0F}'), Some('\u{20E3}')) => 3,
            _ => 0,
        };
    }
    if !can_start(first) {
        return 0;
    }
    // The permissive run.
    let mut j = i + 1;
    while j < chars.len() && j - i < MAX_SEQUENCE {
        let c = chars[j];
        if extends(c) {
            j += 1;
        } else if c == ZWJ && chars.get(j + 1).is_some_and(|&n| can_start(n)) {
            j += 2;
        } else {
            break;
        }
    }
    let end = j.min(i + MAX_SEQUENCE);
    // Its longest known prefix.
    let mut candidate: String = chars[i..end].iter().collect();
    for len in (1..=end - i).rev() {
        if len == 1 && matches!(first, '\u{A9}' | '\u{AE}') {
            return 0;
        }
        if emojis::get(&candidate).is_some() {
            return len;
        }
        candidate.pop();
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let n = emoji_len(&chars, i).max(1);
            out.push(chars[i..i + n].iter().collect());
            i += n;
        }
        out
    }

    #[test]
    fn sequences_are_one_unit() {
        assert_eq!(units("👨‍👩‍👧‍👦"), vec!["👨‍👩‍👧‍👦"]);
        assert_eq!(units("🙋🏽👨‍🎤"), vec!["🙋🏽", "👨‍🎤"]);
        assert_eq!(units("🇺🇸🇬🇧"), vec!["🇺🇸", "🇬🇧"]);
        assert_eq!(units("🏴󠁧󠁢󠁥󠁮󠁧󠁿"), vec!["🏴󠁧󠁢󠁥󠁮󠁧󠁿"]);
        assert_eq!(units("❤️‍🔥"), vec!["❤️‍🔥"]);
        assert_eq!(units("1⃣#️⃣"), vec!["1⃣", "#️⃣"]);
    }

    #[test]
    fn copyright_needs_a_variation_selector() {
        assert_eq!(emoji_len(&['©'], 0), 0);
        assert_eq!(emoji_len(&['©', '\u{FE0F}'], 0), 2);
        assert_eq!(emoji_len(&['1'], 0), 0);
    }

    #[test]
    fn unknown_joins_fall_back_to_the_known_prefix() {
        assert_eq!(units("👍🏽\u{200D}😀"), vec!["👍🏽", "\u{200D}", "😀"]);
    }
}
