//! The `role` tier: find the element by what a person sees, its accessible
//! role and name, the way Playwright's `getByRole` does. A dialog that moves
//! from `<dialog>` to `div[role=dialog]`, or a button whose id and classes
//! change while it still says "Post", is found here, before any fuzzy
//! ranking. Test ids and form field names count as names too, so a page in
//! another language is still matched by structure where its text differs.

use distroflow_core::ElementInfo;

use crate::similarity::looks_destructive;

/// Roles a page usually has one of at a time: matched by role alone when
/// the target has no name.
const SINGLETON_ROLES: &[&str] = &["dialog", "alertdialog", "form", "main"];

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether the element is switched off (a disabled decoy is never a repair).
pub(crate) fn is_disabled(e: &ElementInfo) -> bool {
    e.attrs.contains_key("disabled")
        || e.attrs.get("aria-disabled").map(String::as_str) == Some("true")
}

/// What identifies the element besides its role: its accessible name, test
/// id and form field name (each when known).
fn keys(e: &ElementInfo) -> Vec<(&'static str, String)> {
    let mut k = Vec::new();
    let name = if e.name.is_empty() { &e.text } else { &e.name };
    if !name.trim().is_empty() {
        k.push(("name", norm(name)));
    }
    if let Some(v) = e.attrs.get("data-testid").filter(|v| !v.is_empty()) {
        k.push(("data-testid", v.clone()));
    }
    // The form field's `name` attribute (not its accessible name).
    if let Some(v) = e.attrs.get("name").filter(|v| !v.is_empty()) {
        k.push(("field", v.clone()));
    }
    k
}

fn key_of(e: &ElementInfo, kind: &str) -> Option<String> {
    match kind {
        "name" => {
            let name = if e.name.is_empty() { &e.text } else { &e.name };
            Some(norm(name)).filter(|n| !n.is_empty())
        }
        "field" => e.attrs.get("name").filter(|v| !v.is_empty()).cloned(),
        attr => e.attrs.get(attr).filter(|v| !v.is_empty()).cloned(),
    }
}

/// Whether `c` lacks one of the target's identifying keys (accessible
/// name, test id, field name).
pub(crate) fn keys_differ(want: &ElementInfo, c: &ElementInfo) -> bool {
    keys(want)
        .iter()
        .any(|(kind, value)| key_of(c, kind).as_deref() != Some(value.as_str()))
}

/// Whether `c` has the target's role and one of its identifying keys
/// (accessible name, test id, field name) that `other` lacks: told apart
/// from `other` the way a person or a form would tell them apart.
pub(crate) fn identified_unlike(want: &ElementInfo, c: &ElementInfo, other: &ElementInfo) -> bool {
    if want.role.is_empty() || c.role != want.role {
        return false;
    }
    keys(want).iter().any(|(kind, value)| {
        key_of(c, kind).as_deref() == Some(value.as_str())
            && key_of(other, kind).as_deref() != Some(value.as_str())
    })
}

/// The one element of `page` with the target's role and the same name (or
/// test id, or field name), visible, enabled and not destructive (unless
/// the target is). `None` when there is none or more than one: ambiguity
/// is a miss.
pub(crate) fn pick(
    want: &ElementInfo,
    page: &[ElementInfo],
    allow_destructive: bool,
) -> Option<usize> {
    if want.role.is_empty() {
        return None;
    }
    let usable: Vec<usize> = page
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.visible
                && c.role == want.role
                && !is_disabled(c)
                && (allow_destructive || !looks_destructive(c))
        })
        .map(|(i, _)| i)
        .collect();
    let wanted = keys(want);
    if wanted.is_empty() {
        return (SINGLETON_ROLES.contains(&want.role.as_str()) && usable.len() == 1)
            .then(|| usable[0]);
    }
    // The strongest key first: a name a person reads, then a test id,
    // then a field name.
    for (kind, value) in &wanted {
        let hits: Vec<usize> = usable
            .iter()
            .copied()
            .filter(|&i| key_of(&page[i], kind).as_deref() == Some(value.as_str()))
            .collect();
        match hits.len() {
            1 => return Some(hits[0]),
            0 => continue,
            _ => return None,
        }
    }
    // Last, a button relabelled within its meaning ("Post" became
    // "Publish"): the one element of the role named by a synonym.
    let name = key_of(want, "name")?;
    let group = SYNONYMS.iter().find(|g| g.contains(&name.as_str()))?;
    let hits: Vec<usize> = usable
        .iter()
        .copied()
        .filter(|&i| key_of(&page[i], "name").is_some_and(|n| group.contains(&n.as_str())))
        .collect();
    (hits.len() == 1).then(|| hits[0])
}

/// Labels sites swap for one another on the same action (English; tried
/// only after the exact name, the test id and the field name).
const SYNONYMS: &[&[&str]] = &[
    &[
        "post", "publish", "share", "send", "submit", "tweet", "toot", "post all",
    ],
    &["next", "continue", "proceed"],
    &["add", "apply", "save", "done"],
    &["log in", "sign in", "login"],
    &["ok", "got it", "dismiss"],
];

#[cfg(test)]
mod tests {
    use super::*;

    fn el(tag: &str, role: &str, name: &str) -> ElementInfo {
        ElementInfo {
            tag: tag.into(),
            role: role.into(),
            name: name.into(),
            visible: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_dialog_that_changed_its_tag_is_found_by_role() {
        let want = el("dialog", "dialog", "");
        let page = vec![el("div", "dialog", ""), el("button", "button", "Add")];
        assert_eq!(pick(&want, &page, false), Some(0));
        // Two dialogs at once: ambiguous.
        let two = vec![el("div", "dialog", ""), el("dialog", "dialog", "")];
        assert_eq!(pick(&want, &two, false), None);
    }

    #[test]
    fn a_button_is_found_by_its_name_and_decoys_are_not() {
        let want = el("button", "button", "Post");
        let mut hidden = el("button", "button", "Post");
        hidden.visible = false;
        let mut disabled = el("div", "button", "Post");
        disabled.attrs.insert("aria-disabled".into(), "true".into());
        let page = vec![
            hidden,
            disabled,
            el("div", "button", "Delete"),
            el("div", "button", " post "),
        ];
        assert_eq!(pick(&want, &page, false), Some(3));
        // A second live "Post": ambiguous, nothing.
        let mut twice = page.clone();
        twice.push(el("span", "button", "Post"));
        assert_eq!(pick(&want, &twice, false), None);
    }

    #[test]
    fn a_relabelled_button_is_found_by_a_synonym_when_it_is_the_only_one() {
        let want = el("button", "button", "Share");
        let page = vec![el("div", "button", "Publish"), el("div", "button", "Back")];
        assert_eq!(pick(&want, &page, false), Some(0));
        let two = vec![el("div", "button", "Publish"), el("div", "button", "Post")];
        assert_eq!(pick(&want, &two, false), None);
    }

    #[test]
    fn a_field_whose_label_is_out_of_reach_is_found_by_its_field_name() {
        // HN's title input moved into a shadow root: its label cell is out
        // of reach, so its accessible name is empty; its `name` is not.
        let mut want = el("input", "textbox", "title");
        want.attrs.insert("name".into(), "title".into());
        let mut moved = el("input", "textbox", "");
        moved.attrs.insert("name".into(), "title".into());
        let mut url = el("input", "textbox", "");
        url.attrs.insert("name".into(), "url".into());
        let page = vec![el("input", "textbox", "Search"), url, moved];
        assert_eq!(pick(&want, &page, false), Some(2));
    }

    #[test]
    fn common_labels_for_the_same_action_are_synonyms() {
        for (want, now) in [
            ("Post", "Send"),
            ("Next", "Proceed"),
            ("OK", "Got it"),
            ("Share", "Post all"),
            // HN's `<input type=submit value=submit>` redrawn as "Publish".
            ("submit", "Publish"),
        ] {
            let page = vec![el("div", "button", "Back"), el("button", "button", now)];
            assert_eq!(
                pick(&el("button", "button", want), &page, false),
                Some(1),
                "{want} -> {now}"
            );
        }
        // Different actions never stand in for each other.
        let page = vec![el("button", "button", "Proceed")];
        assert_eq!(pick(&el("button", "button", "Post"), &page, false), None);
    }

    #[test]
    fn a_test_id_matches_when_the_label_is_in_another_language() {
        let mut want = el("button", "button", "Post");
        want.attrs
            .insert("data-testid".into(), "tweetButton".into());
        let mut german = el("button", "button", "Posten");
        german
            .attrs
            .insert("data-testid".into(), "tweetButton".into());
        assert_eq!(pick(&want, &[german], false), Some(0));
    }

    #[test]
    fn a_destructive_element_is_never_picked_for_a_safe_target() {
        let want = el("button", "button", "Discard");
        let page = vec![el("button", "button", "Discard")];
        assert_eq!(pick(&want, &page, false), None);
        assert_eq!(pick(&want, &page, true), Some(0));
    }
}
