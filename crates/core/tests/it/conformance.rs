//! twitter-text's own conformance suite, run against our X counter.
//!
//! `data/twitter-text/validate.yml` is an unmodified copy of twitter-text's
//! `conformance/validate.yml` (Apache-2.0, see the NOTICE next to it). Every
//! case of the two v3 sections must agree on every field.

use distroflow_core::{check, x_weighted_length, Draft, Limits, Network, Overflow};
use yaml_rust2::{Yaml, YamlLoader};

const VALIDATE_YML: &str = include_str!("../../data/twitter-text/validate.yml");

const SECTIONS: [&str; 2] = [
    "WeightedTweetsWithDiscountedEmojiCounterTest",
    "UnicodeDirectionalMarkerCounterTest",
];

const FIELDS: [&str; 7] = [
    "weightedLength",
    "valid",
    "permillage",
    "displayRangeStart",
    "displayRangeEnd",
    "validRangeStart",
    "validRangeEnd",
];

struct Case {
    section: &'static str,
    description: String,
    text: String,
    expected: Yaml,
}

fn cases() -> Vec<Case> {
    let docs = YamlLoader::load_from_str(VALIDATE_YML).expect("validate.yml parses");
    let tests = &docs[0]["tests"];
    let mut out = Vec::new();
    for section in SECTIONS {
        let list = tests[section]
            .as_vec()
            .unwrap_or_else(|| panic!("section {section} in validate.yml"));
        for case in list {
            out.push(Case {
                section,
                description: case["description"].as_str().unwrap_or_default().to_string(),
                text: case["text"].as_str().expect("text").to_string(),
                expected: case["expected"].clone(),
            });
        }
    }
    out
}

fn actual(field: &str, text: &str) -> Yaml {
    let c = x_weighted_length(text);
    let n = |v: usize| Yaml::Integer(v as i64);
    let i = Yaml::Integer;
    match field {
        "weightedLength" => n(c.weighted_length),
        "valid" => Yaml::Boolean(c.valid),
        "permillage" => n(c.permillage),
        "displayRangeStart" => i(c.display_range_start),
        "displayRangeEnd" => i(c.display_range_end),
        "validRangeStart" => i(c.valid_range_start),
        "validRangeEnd" => i(c.valid_range_end),
        other => panic!("unknown field {other}"),
    }
}

#[test]
fn every_v3_case_of_the_suite_passes() {
    let cases = cases();
    // 22 + 2 cases in the copy we carry; a shorter file would hide failures.
    assert_eq!(cases.len(), 24, "validate.yml lost cases");
    let mut failures = Vec::new();
    for case in &cases {
        for field in FIELDS {
            let want = &case.expected[field];
            assert!(!want.is_badvalue(), "{}: no {field}", case.description);
            let got = actual(field, &case.text);
            if &got != want {
                failures.push(format!(
                    "{} / {}: {field} expected {want:?}, got {got:?}",
                    case.section, case.description
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// What `distroflow check --to x --json` reports is the same count.
#[test]
fn check_reports_the_conformance_numbers() {
    let limits = Limits::default();
    for case in cases() {
        let c = check(
            Network::X,
            &Draft::new(&case.text),
            Overflow::Refuse,
            &limits,
        );
        let want_len = case.expected["weightedLength"].as_i64().unwrap() as usize;
        let want_valid = case.expected["valid"].as_bool().unwrap();
        assert_eq!(c.weighted_length, Some(want_len), "{}", case.description);
        assert_eq!(c.valid, want_valid, "{}: {:?}", case.description, c.errors);
        assert_eq!(c.limit, 280);
        assert_eq!(c.parts, vec![case.text.clone()], "{}", case.description);
        if !want_valid {
            assert!(!c.errors.is_empty());
        }
    }
}

/// Texts where twitter-text's URL rules are subtle, with what twitter-text
/// 3.1.0 (npm, the JavaScript X's composer descends from) answers:
/// (text, weighted length, valid, valid range end).
#[test]
fn agrees_with_twitter_text_js_on_subtle_urls() {
    let cases: &[(&str, usize, bool, i64)] = &[
        // A host right after an emoji (UTF-16 surrogates) and after a dot.
        ("😀.example.co.jp is here", 34, true, 23),
        // The same ASCII domain twice in one host: the first copy counts.
        ("ab.co8080🏳️‍🌈香港🏳️‍🌈ab.co$ end", 45, true, 32),
        // A parenthesis group only ends a path on its own.
        ("see x.com/&.(a) and x.com/a(b).", 61, true, 30),
        ("Aab.co\u{200B}❤️भारत.net/,🏳️‍🌈+com", 41, true, 28),
        ("🇺🇸\u{202C}a.bZ👨‍👩‍👧‍👦.net/!/", 42, true, 26),
        ("日本example.com/path?q=1 ok", 30, true, 24),
        (
            "http://en.wikipedia.org/wiki/Primer_(film) (film)",
            30,
            true,
            48,
        ),
        ("https://t.co/abcdefghij/extra?x=1", 33, true, 32),
        (
            "-example.com _example.com /example.com .example.com",
            51,
            true,
            50,
        ),
        ("user@example.com and @example.com", 33, true, 32),
        ("www.example.com:8080/a?b=c#d", 23, true, 27),
        ("HTTPS://WWW.EXAMPLE.COM/ABC", 23, true, 26),
        ("foo.みんな/bar and foo.みんなbar", 41, true, 25),
        ("http://xn--p1ai.рф/путь", 23, true, 22),
        ("example.notatld example.technology", 39, true, 33),
        ("©®™ ©️ ®️ 1⃣ #️⃣ *️⃣", 19, true, 19),
        ("क़ख़ग़ \u{0958} e\u{301}", 11, true, 10),
        ("\u{FEFF}start", 7, false, 0),
    ];
    for &(text, weighted, valid, valid_end) in cases {
        let c = x_weighted_length(text);
        assert_eq!(
            (c.weighted_length, c.valid, c.valid_range_end),
            (weighted, valid, valid_end),
            "{text:?}"
        );
    }
    let long = format!("{} example.com", "a".repeat(278));
    let c = x_weighted_length(&long);
    assert_eq!(
        (c.weighted_length, c.valid, c.valid_range_end),
        (302, false, 278)
    );
}

/// Emoji newer than twitter-text 3.1.0's (Emoji 11) list count as one
/// sequence, as X counts them today; twitter-text 3.1.0 says 26 here.
#[test]
fn newer_emoji_sequences_count_two() {
    assert_eq!(x_weighted_length("👁️‍🗨️ ❤️‍🔥 🐈‍⬛ 🧑‍🤝‍🧑").weighted_length, 11);
}
