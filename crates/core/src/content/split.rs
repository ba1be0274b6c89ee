//! Making over-long text fit: a thread of parts, or one cut with an ellipsis.
//!
//! Both work on break opportunities, best first:
//!
//! 1. paragraphs (whitespace holding a blank line),
//! 2. lines (whitespace holding one line break),
//! 3. sentences (Unicode sentence boundaries, UAX #29),
//! 4. words (whitespace; and, in Chinese and Japanese, which put no spaces
//!    between words, Unicode word boundaries next to an ideograph or kana,
//!    never before closing punctuation nor after opening punctuation).
//!
//! Each part ends at the farthest break of the best kind that still fits;
//! the whitespace at a break is dropped, and nothing else changes. No break
//! is ever inside a URL, a word or a grapheme cluster (so no emoji sequence,
//! flag or accented letter is cut). Only a word that cannot fit in a post on
//! its own is cut, between grapheme clusters; a URL is never cut, and one
//! that cannot fit makes the text impossible to split.
//!
//! Numbering appends ` 1/3` to each part, counted within the part's limit.

use std::collections::HashSet;
use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// The ellipsis a truncated text ends with.
pub(crate) const ELLIPSIS: &str = "…";

const WORD: u8 = 1;
const SENTENCE: u8 = 2;
const LINE: u8 = 3;
const PARAGRAPH: u8 = 4;

#[derive(Clone, Copy, Debug)]
struct Break {
    /// Where the part before the break ends.
    cut: usize,
    /// Where the part after it starts (after the whitespace).
    next: usize,
    level: u8,
}

/// The break opportunities of a text.
struct Breaks {
    /// Word breaks or better, by position.
    list: Vec<Break>,
    /// Every boundary between two non-space grapheme clusters outside a
    /// protected range: where a word too long for a post may be cut.
    fine: Vec<usize>,
}

/// Whitespace that separates words (not the no-break spaces, which glue).
fn is_break_space(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}')
}

/// Scripts written without spaces between words.
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

/// Closing and small characters a CJK line may not start with.
fn no_break_before(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '：'
            | '；'
            | '！'
            | '？'
            | '）'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '〗'
            | '〙'
            | '〛'
            | 'ー'
            | '々'
            | 'ゝ'
            | 'ゞ'
            | 'ヽ'
            | 'ヾ'
            | '・'
            | '…'
            | '‥'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ゎ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ヮ'
            | 'ヵ'
            | 'ヶ'
            | ')'
            | ']'
            | '}'
            | ','
            | '.'
            | '!'
            | '?'
            | ':'
            | ';'
    )
}

/// Opening characters a CJK line may not end with.
fn no_break_after(c: char) -> bool {
    matches!(
        c,
        '（' | '「' | '『' | '【' | '〔' | '〈' | '《' | '〖' | '〘' | '〚' | '(' | '[' | '{'
    )
}

impl Breaks {
    fn new(text: &str, protected: &[Range<usize>]) -> Breaks {
        let inside = |pos: usize| protected.iter().any(|r| r.start < pos && pos < r.end);
        let sentences: HashSet<usize> = text
            .split_sentence_bound_indices()
            .map(|(i, _)| i)
            .collect();
        let words: HashSet<usize> = text.split_word_bound_indices().map(|(i, _)| i).collect();
        let graphemes: Vec<(usize, &str)> = text.grapheme_indices(true).collect();
        let is_space = |g: &str| g.chars().all(is_break_space);

        let mut list = Vec::new();
        let mut fine = Vec::new();
        // The previous non-space grapheme, and where the space run after it began.
        let mut prev: Option<&str> = None;
        let mut run_start: Option<usize> = None;
        for &(i, g) in &graphemes {
            if is_space(g) {
                if prev.is_some() && run_start.is_none() {
                    run_start = Some(i);
                }
                continue;
            }
            if let Some(p) = prev {
                match run_start.take() {
                    Some(a) => {
                        let run = &text[a..i];
                        let newlines = run.matches('\n').count()
                            + run.matches(['\u{85}', '\u{2028}']).count()
                            + 2 * run.matches('\u{2029}').count()
                            + run
                                .char_indices()
                                .filter(|&(k, c)| c == '\r' && !run[k + 1..].starts_with('\n'))
                                .count();
                        let level = if newlines >= 2 {
                            PARAGRAPH
                        } else if newlines == 1 {
                            LINE
                        } else if sentences.contains(&i) {
                            SENTENCE
                        } else {
                            WORD
                        };
                        if !inside(a) && !inside(i) {
                            list.push(Break {
                                cut: a,
                                next: i,
                                level,
                            });
                        }
                    }
                    None => {
                        if !inside(i) {
                            fine.push(i);
                            let last = p.chars().next_back().unwrap_or(' ');
                            let first = g.chars().next().unwrap_or(' ');
                            if (is_cjk(last) || is_cjk(first))
                                && words.contains(&i)
                                && !no_break_before(first)
                                && !no_break_after(last)
                            {
                                let level = if sentences.contains(&i) {
                                    SENTENCE
                                } else {
                                    WORD
                                };
                                list.push(Break {
                                    cut: i,
                                    next: i,
                                    level,
                                });
                            }
                        }
                    }
                }
            }
            prev = Some(g);
        }
        Breaks { list, fine }
    }
}

/// Why a text cannot be made to fit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unsplittable(pub(crate) String);

/// Splits `text` into parts that each satisfy `fits` (numbered ` i/n` when
/// asked). `protected` ranges (URLs) are never cut.
pub(crate) fn split(
    text: &str,
    fits: &dyn Fn(&str) -> bool,
    protected: &[Range<usize>],
    numbering: bool,
) -> Result<Vec<String>, Unsplittable> {
    let breaks = Breaks::new(text, protected);
    let parts = if numbering {
        let mut digits = 1;
        loop {
            let nines = "9".repeat(digits);
            let reserve = format!(" {nines}/{nines}");
            let ranges = plan(text, &breaks, fits, &reserve, true)?;
            let n = ranges.len();
            if n == 1 {
                break vec![text[ranges[0].clone()].to_string()];
            }
            if n.to_string().len() <= digits {
                break ranges
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| format!("{} {}/{n}", &text[r], i + 1))
                    .collect();
            }
            digits += 1;
        }
    } else {
        plan(text, &breaks, fits, "", false)?
            .into_iter()
            .map(|r| text[r].to_string())
            .collect::<Vec<_>>()
    };
    match parts.iter().position(|p| !fits(p)) {
        Some(i) => Err(Unsplittable(format!("part {} does not fit", i + 1))),
        None => Ok(parts),
    }
}

/// Where each part starts and ends, each fitting with `reserve` appended.
fn plan(
    text: &str,
    breaks: &Breaks,
    fits: &dyn Fn(&str) -> bool,
    reserve: &str,
    trim_end: bool,
) -> Result<Vec<Range<usize>>, Unsplittable> {
    let fits_with = |r: Range<usize>| fits(&format!("{}{reserve}", &text[r]));
    let end = if trim_end {
        // Trailing space, a whole grapheme at a time: a space can belong to
        // a cluster (after a prepended mark such as U+0600), and a cluster
        // is never cut.
        text.grapheme_indices(true)
            .rev()
            .take_while(|(_, g)| g.chars().all(is_break_space))
            .last()
            .map_or(text.len(), |(i, _)| i)
    } else {
        text.len()
    };
    let mut parts = Vec::new();
    let mut start = 0;
    loop {
        // The farthest fitting break of the best kind. A longer part never
        // counts less (so a search finds the farthest fitting break, and the
        // rest of the text can only fit if every break does), but every
        // choice is checked anyway.
        let from = breaks.list.partition_point(|b| b.cut <= start);
        let to = breaks.list.partition_point(|b| b.cut < end);
        let candidates = &breaks.list[from..to.max(from)];
        let fitting = last_fitting(candidates.len(), |i| fits_with(start..candidates[i].cut));
        if fitting == candidates.len() && fits_with(start..end) {
            parts.push(start..end);
            return Ok(parts);
        }
        let chosen = (WORD..=PARAGRAPH).rev().find_map(|level| {
            let i = candidates[..fitting]
                .iter()
                .rposition(|b| b.level == level)?;
            (i + 1 == fitting || fits_with(start..candidates[i].cut)).then_some(candidates[i])
        });
        let chosen = match chosen {
            Some(b) => b,
            None => {
                // One word longer than a post: cut it between graphemes.
                let from = breaks.fine.partition_point(|&p| p <= start);
                let to = breaks.fine.partition_point(|&p| p < end);
                let fine = &breaks.fine[from..to.max(from)];
                match last_fitting(fine.len(), |i| fits_with(start..fine[i])) {
                    0 => return Err(why_not(text, start, breaks)),
                    n => Break {
                        cut: fine[n - 1],
                        next: fine[n - 1],
                        level: 0,
                    },
                }
            }
        };
        parts.push(start..chosen.cut);
        start = chosen.next;
    }
}

/// How many of the first `n` candidates fit, assuming that once one does
/// not, no later one does. Galloping then binary search: `fits` runs about
/// 2·log2(answer) times, never on a prefix much longer than the answer's.
fn last_fitting(n: usize, fits: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    let mut step = 1;
    while lo < n {
        let probe = (lo + step - 1).min(n - 1);
        if fits(probe) {
            lo = probe + 1;
            step *= 2;
        } else {
            hi = probe;
            break;
        }
    }
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Explains why nothing fits at `start`.
fn why_not(text: &str, start: usize, breaks: &Breaks) -> Unsplittable {
    let next = breaks.fine.partition_point(|&p| p <= start);
    let until = breaks.fine.get(next).copied().unwrap_or(text.len());
    let piece: String = text[start..until].chars().take(60).collect();
    let gap = until - start;
    let first_grapheme = text[start..].graphemes(true).next().map_or(0, str::len);
    if gap > first_grapheme {
        Unsplittable(format!(
            "`{piece}` is a URL longer than one post can hold, and URLs are never cut"
        ))
    } else {
        Unsplittable(format!("`{piece}` does not fit in one post"))
    }
}

/// Cuts `text` at the farthest word break where it fits with an ellipsis
/// (between graphemes if its first word alone is too long).
pub(crate) fn truncate(
    text: &str,
    fits: &dyn Fn(&str) -> bool,
    protected: &[Range<usize>],
) -> Result<String, Unsplittable> {
    let breaks = Breaks::new(text, protected);
    let with_ellipsis = |cut: usize| format!("{}{ELLIPSIS}", text[..cut].trim_end());
    let list = &breaks.list;
    let best = match last_fitting(list.len(), |i| fits(&with_ellipsis(list[i].cut))) {
        0 => {
            let fine = &breaks.fine;
            match last_fitting(fine.len(), |i| fits(&with_ellipsis(fine[i]))) {
                0 => None,
                n => Some(fine[n - 1]),
            }
        }
        n => Some(list[n - 1].cut),
    };
    match best {
        Some(cut) => Ok(with_ellipsis(cut)),
        None => Err(why_not(text, 0, &breaks)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars_fit(limit: usize) -> impl Fn(&str) -> bool {
        move |s: &str| s.chars().count() <= limit
    }

    #[test]
    fn paragraphs_first() {
        let text = "First paragraph here.\n\nSecond one is here. It has two sentences.";
        let parts = split(text, &chars_fit(45), &[], false).unwrap();
        assert_eq!(
            parts,
            vec![
                "First paragraph here.",
                "Second one is here. It has two sentences."
            ]
        );
    }

    #[test]
    fn then_sentences_then_words() {
        let text = "One two three. Four five six seven eight nine.";
        let parts = split(text, &chars_fit(30), &[], false).unwrap();
        assert_eq!(
            parts,
            vec!["One two three.", "Four five six seven eight", "nine."]
        );
    }

    #[test]
    fn numbering_counts_within_the_limit() {
        let text = "aaa bbb ccc ddd eee fff ggg hhh";
        let parts = split(text, &chars_fit(12), &[], true).unwrap();
        assert!(parts.iter().all(|p| p.chars().count() <= 12), "{parts:?}");
        assert_eq!(parts[0], "aaa bbb 1/4");
        assert_eq!(parts.last().unwrap(), "ggg hhh 4/4");
    }

    #[test]
    fn numbering_with_two_digits() {
        let text = vec!["word"; 40].join(" ");
        let parts = split(&text, &chars_fit(12), &[], true).unwrap();
        assert!(parts.len() >= 10);
        assert!(parts[0].ends_with(&format!(" 1/{}", parts.len())));
        assert!(parts.iter().all(|p| p.chars().count() <= 12), "{parts:?}");
    }

    #[test]
    fn never_inside_a_protected_range() {
        let text = "look https://example.com/a/b/c ok";
        let url = 5..30;
        assert_eq!(&text[url.clone()], "https://example.com/a/b/c");
        // The URL does not fit in 20 chars: refused, not cut.
        assert!(split(text, &chars_fit(20), std::slice::from_ref(&url), false).is_err());
        let parts = split(text, &chars_fit(26), &[url], false).unwrap();
        assert_eq!(parts, vec!["look", "https://example.com/a/b/c", "ok"]);
    }

    #[test]
    fn long_words_are_cut_between_graphemes() {
        let text = "e\u{301}e\u{301}e\u{301}e\u{301}e\u{301}";
        let parts = split(text, &chars_fit(4), &[], false).unwrap();
        assert_eq!(
            parts,
            vec!["e\u{301}e\u{301}", "e\u{301}e\u{301}", "e\u{301}"]
        );
    }

    #[test]
    fn cjk_breaks_between_ideographs_not_before_punctuation() {
        let text = "今日は良い天気です。明日も晴れるでしょう。";
        let parts = split(text, &chars_fit(12), &[], false).unwrap();
        assert_eq!(parts.concat(), text);
        assert_eq!(parts[0], "今日は良い天気です。");
        assert!(parts.iter().all(|p| !p.starts_with('。')));
    }

    #[test]
    fn truncates_at_a_word() {
        let text = "The quick brown fox jumps over the lazy dog";
        assert_eq!(
            truncate(text, &chars_fit(20), &[]).unwrap(),
            "The quick brown fox…"
        );
        assert_eq!(truncate("abcdefghij", &chars_fit(5), &[]).unwrap(), "abcd…");
    }
}
