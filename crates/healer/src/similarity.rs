//! The `similarity` tier: rank a page's elements against a fingerprint
//! (Healenium's path overlap, Similo's weighted properties) and accept only a
//! unique, visible, strong match that is not destructive.

use distroflow_core::{ElementInfo, PathNode};
use strsim::normalized_levenshtein;

/// A match must score at least this (0..1) ...
pub const ACCEPT_SCORE: f64 = 0.62;
/// ... and beat the runner-up by this much, else it is ambiguous.
pub const MIN_MARGIN: f64 = 0.08;

const DESTRUCTIVE: &[&str] = &[
    "delete",
    "discard",
    "remove",
    "block",
    "report",
    "unfollow",
    "mute",
    "deactivate",
    "log out",
    "logout",
    "sign out",
    "spam",
];

/// Containers: their text is their children's, and a dialog holding a
/// "Delete" button is not itself destructive.
const CONTAINER_ROLES: &[&str] = &[
    "dialog",
    "alertdialog",
    "form",
    "main",
    "region",
    "navigation",
    "group",
    "list",
    "listbox",
    "menu",
];

/// Whether acting on the element could destroy something (never a repair).
pub fn looks_destructive(e: &ElementInfo) -> bool {
    if CONTAINER_ROLES.contains(&e.role.as_str()) {
        return false;
    }
    let hay = format!(
        "{} {} {} {}",
        e.text,
        e.name,
        e.attrs.get("aria-label").map(String::as_str).unwrap_or(""),
        e.attrs.get("data-testid").map(String::as_str).unwrap_or("")
    )
    .to_lowercase();
    DESTRUCTIVE.iter().any(|w| hay.contains(w))
}

fn text_sim(a: &str, b: &str) -> f64 {
    let (a, b) = (a.trim().to_lowercase(), b.trim().to_lowercase());
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    normalized_levenshtein(&a, &b)
}

fn jaccard(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let inter = a.iter().filter(|x| b.contains(x)).count() as f64;
    let union = (a.len() + b.len()) as f64 - inter;
    if union == 0.0 {
        0.0
    } else {
        inter / union
    }
}

/// Longest common subsequence of two paths, nodes equal when tag and id are.
fn path_overlap(a: &[PathNode], b: &[PathNode]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut dp = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            dp[i][j] = if a[i - 1].tag == b[j - 1].tag && a[i - 1].id == b[j - 1].id {
                dp[i - 1][j - 1] + 1
            } else {
                dp[i - 1][j].max(dp[i][j - 1])
            };
        }
    }
    dp[a.len()][b.len()] as f64 / a.len().max(b.len()) as f64
}

/// Attributes that say what an element is for.
const KEY_ATTRS: &[&str] = &[
    "name",
    "type",
    "maxlength",
    "data-testid",
    "placeholder",
    "aria-label",
    "href",
];

/// How alike a candidate is to the fingerprint, 0..1. Only properties the
/// fingerprint has count, so a seed fingerprint from the selector data
/// (role, name, text) works as well as a recorded one.
pub fn score(fp: &ElementInfo, c: &ElementInfo) -> f64 {
    let mut total = 0.0;
    let mut got = 0.0;
    let mut add = |weight: f64, s: f64| {
        total += weight;
        got += weight * s;
    };
    if !fp.tag.is_empty() {
        add(1.5, f64::from(u8::from(fp.tag == c.tag)));
    }
    if !fp.role.is_empty() {
        add(1.5, f64::from(u8::from(fp.role == c.role)));
    }
    if !fp.id.is_empty() {
        add(1.0, text_sim(&fp.id, &c.id));
    }
    if !fp.name.is_empty() {
        add(1.5, text_sim(&fp.name, &c.name));
    }
    if !fp.text.is_empty() {
        add(1.5, text_sim(&fp.text, &c.text));
    }
    if !fp.neighbor_text.is_empty() {
        add(1.0, text_sim(&fp.neighbor_text, &c.neighbor_text));
    }
    for k in KEY_ATTRS {
        if let Some(v) = fp.attrs.get(*k) {
            let s = c.attrs.get(*k).map(|cv| text_sim(v, cv)).unwrap_or(0.0);
            add(0.75, s);
        }
    }
    if !fp.classes.is_empty() {
        add(0.5, jaccard(&fp.classes, &c.classes));
    }
    if !fp.path.is_empty() {
        add(1.0, path_overlap(&fp.path, &c.path));
    }
    if fp.rect[2] > 0.0 && c.rect[2] > 0.0 {
        let dist = ((fp.rect[0] - c.rect[0]).powi(2) + (fp.rect[1] - c.rect[1]).powi(2)).sqrt();
        let size = (fp.rect[2] * fp.rect[3]).min(c.rect[2] * c.rect[3])
            / (fp.rect[2] * fp.rect[3])
                .max(c.rect[2] * c.rect[3])
                .max(1.0);
        add(0.5, 0.5 * (1.0 - (dist / 600.0).min(1.0)) + 0.5 * size);
    }
    if total == 0.0 {
        0.0
    } else {
        got / total
    }
}

/// The accepted match: its index in `candidates`, its score and the
/// runner-up's score.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pick {
    pub index: usize,
    pub score: f64,
    pub runner_up: f64,
}

/// Ranks visible, non-destructive candidates; returns the best only when it
/// is strong and clearly ahead. `allow_destructive` is for targets that are
/// themselves destructive.
pub fn pick(fp: &ElementInfo, candidates: &[ElementInfo], allow_destructive: bool) -> Option<Pick> {
    let mut ranked: Vec<(usize, f64)> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.visible && (allow_destructive || !looks_destructive(c)))
        .map(|(i, c)| (i, score(fp, c)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (index, best) = *ranked.first()?;
    let runner_up = ranked.get(1).map(|r| r.1).unwrap_or(0.0);
    (best >= ACCEPT_SCORE && best - runner_up >= MIN_MARGIN).then_some(Pick {
        index,
        score: best,
        runner_up,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(tag: &str, role: &str, name: &str, text: &str, testid: &str) -> ElementInfo {
        let mut e = ElementInfo {
            tag: tag.into(),
            role: role.into(),
            name: name.into(),
            text: text.into(),
            visible: true,
            ..Default::default()
        };
        if !testid.is_empty() {
            e.attrs.insert("data-testid".into(), testid.into());
        }
        e
    }

    #[test]
    fn a_renamed_button_is_found_and_a_delete_button_never() {
        let fp = el("button", "button", "Post", "Post", "tweetButtonInline");
        let page = vec![
            el("button", "button", "Delete", "Delete", "deleteButton"),
            el("div", "button", "Post", "Post", "postButtonInline"),
            el("a", "link", "Home", "Home", "homeLink"),
        ];
        let p = pick(&fp, &page, false).expect("the renamed post button");
        assert_eq!(p.index, 1);
        assert!(looks_destructive(&page[0]));
        // Only the delete button looks like it: nothing is accepted.
        let fp = el("button", "button", "Delete post", "Delete", "deleteButton");
        assert_eq!(pick(&fp, &page, false), None);
    }

    #[test]
    fn two_equal_matches_are_ambiguous() {
        let fp = el("div", "button", "Next", "Next", "");
        let page = vec![
            el("div", "button", "Next", "Next", ""),
            el("div", "button", "Next", "Next", ""),
        ];
        assert_eq!(pick(&fp, &page, false), None);
    }

    #[test]
    fn invisible_elements_do_not_count() {
        let fp = el("textarea", "textbox", "title", "", "");
        let mut hidden = el("textarea", "textbox", "title", "", "");
        hidden.visible = false;
        assert_eq!(pick(&fp, &[hidden], false), None);
    }
}
