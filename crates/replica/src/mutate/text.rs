//! The server half of a redesign: renames and element swaps in the text of
//! HTML pages, scripts and stylesheets, the same way in every response so
//! that the replica's own scripts and styles keep finding what they made.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex_lite::{Captures, Regex};

use super::plan::{Op, Plan};

/// What a token names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Id,
    Class,
    Name,
}

impl Kind {
    fn op(self) -> Op {
        match self {
            Kind::Id => Op::RenameIds,
            Kind::Class => Op::RenameClasses,
            Kind::Name => Op::RenameNames,
        }
    }

    fn of_attr(attr: &str) -> Option<Kind> {
        match attr {
            "id" | "for" | "htmlFor" => Some(Kind::Id),
            "class" | "className" => Some(Kind::Class),
            "name" => Some(Kind::Name),
            _ => None,
        }
    }
}

/// What a transform reads and records.
pub(crate) struct Ctx<'a> {
    pub(crate) plan: &'a Plan,
    pub(crate) known: &'a mut HashSet<(Kind, String)>,
    pub(crate) names_back: &'a mut HashMap<String, String>,
    pub(crate) names_out: &'a mut HashMap<String, String>,
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("built-in pattern {pattern}: {e}"))
}

/// `id="…"`, `class='…'`, `name="…"`, `for="…"` in markup (also inside
/// template strings).
static MARKUP_ATTR: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(\s)(id|class|name|for)=(["'])([^"'<>]*)(["'])"#));
/// `{ class: '…' }`, `'name': "…"` in script objects.
static SCRIPT_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"([{,]\s*)(['"]?)(id|name|class|className|htmlFor)(['"]?)(\s*:\s*)(['"])([^'"\n]*)(['"])"#)
});
/// String literals of a script (template strings without nesting).
static LITERAL: LazyLock<Regex> =
    LazyLock::new(|| re(r#"'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`"#));
static SELECTOR_TOKEN: LazyLock<Regex> = LazyLock::new(|| re(r#"([#.])([A-Za-z_][A-Za-z0-9_-]*)"#));
static SELECTOR_ATTR: LazyLock<Regex> =
    LazyLock::new(|| re(r#"\[(id|class|name|for)([~|^$*]?=)(\\?["']?)([A-Za-z_][A-Za-z0-9_-]*)"#));
static SCRIPT_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?is)<script\b([^>]*)>(.*?)</script>|<style\b([^>]*)>(.*?)</style>"#));
static BUTTON_TAG: LazyLock<Regex> = LazyLock::new(|| re(r#"(?s)<button\b([^>]*)>(.*?)</button>"#));
static SUBMIT_INPUT: LazyLock<Regex> =
    LazyLock::new(|| re(r#"<input\b([^>]*\btype=["']submit["'][^>]*)>"#));
static VALUE_ATTR: LazyLock<Regex> = LazyLock::new(|| re(r#"\bvalue=["']([^"']*)["']"#));
static DIALOG_OPEN: LazyLock<Regex> = LazyLock::new(|| re(r#"(?i)<dialog\b([^>]*)>"#));
static H_BUTTON: LazyLock<Regex> = LazyLock::new(|| re(r#"\(\s*(['"])button(['"])\s*,\s*\{"#));
static H_DIV_ROLE: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"\(\s*(['"])div(['"])\s*,\s*\{(\s*)role:\s*(['"])(button|dialog)(['"])"#)
});
static TAG_IN_SELECTOR: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(^|[\s,>+~(}])(button|dialog)([\s,>+~:.\[#){]|$)"#));
static QUERY_CALL: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(querySelector|querySelectorAll|closest|matches)\(\s*$"#));

fn valid_token(t: &str) -> bool {
    let mut chars = t.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !t.starts_with("df-")
        && !t.starts_with("data-df")
}

impl Ctx<'_> {
    /// The new name of `token`, if this seed renames it.
    fn renamed(&mut self, kind: Kind, token: &str) -> Option<String> {
        if !valid_token(token) || !self.plan.has(kind.op()) {
            return None;
        }
        // Each seed renames a share of 40-100% of the tokens of a kind.
        let share = 400 + self.plan.permille(&format!("share:{kind:?}")) * 6 / 10;
        if self.plan.permille(&format!("pick:{kind:?}:{token}")) >= share {
            return None;
        }
        if kind == Kind::Name {
            if let Some(n) = self.names_out.get(token) {
                return Some(n.clone());
            }
        }
        let mut new = new_token(self.plan, kind, token);
        if kind == Kind::Name {
            if self.names_back.get(&new).is_some_and(|old| old != token)
                || self.names_out.contains_key(&new)
            {
                new = obfuscated(self.plan.draw(&format!("clash:{token}")));
            }
            self.names_back.insert(new.clone(), token.to_owned());
            self.names_out.insert(token.to_owned(), new.clone());
        }
        Some(new)
    }

    fn value(&mut self, kind: Kind, value: &str) -> String {
        if kind == Kind::Class {
            value
                .split_whitespace()
                .map(|t| self.renamed(kind, t).unwrap_or_else(|| t.to_owned()))
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            self.renamed(kind, value)
                .unwrap_or_else(|| value.to_owned())
        }
    }

    fn learn(&mut self, kind: Kind, value: &str) {
        let tokens: Vec<&str> = if kind == Kind::Class {
            value.split_whitespace().collect()
        } else {
            vec![value]
        };
        for t in tokens.into_iter().filter(|t| valid_token(t)) {
            self.known.insert((kind, t.to_owned()));
        }
    }

    fn is_known(&self, kind: Kind, token: &str) -> bool {
        self.known.contains(&(kind, token.to_owned()))
    }

    /// Remembers the tokens `text` uses as ids, classes and names.
    fn harvest(&mut self, text: &str) {
        let found: Vec<(Kind, String)> = MARKUP_ATTR
            .captures_iter(text)
            .filter_map(|c| Some((Kind::of_attr(&c[2])?, c[4].to_owned())))
            .chain(
                SCRIPT_ATTR
                    .captures_iter(text)
                    .filter_map(|c| Some((Kind::of_attr(&c[3])?, c[7].to_owned()))),
            )
            .collect();
        for (kind, v) in found {
            self.learn(kind, &v);
        }
    }

    fn markup_attrs(&mut self, text: &str) -> String {
        MARKUP_ATTR
            .replace_all(text, |c: &Captures<'_>| {
                let Some(kind) = Kind::of_attr(&c[2]) else {
                    return c[0].to_owned();
                };
                if c[3] != c[5] || (kind == Kind::Name && !renames_name_of(text, c)) {
                    return c[0].to_owned();
                }
                let v = self.value(kind, &c[4]);
                format!("{}{}={}{}{}", &c[1], &c[2], &c[3], v, &c[5])
            })
            .into_owned()
    }

    /// Renames in one CSS selector (or selector-like string).
    fn selector(&mut self, sel: &str, only_known: bool) -> String {
        let s = SELECTOR_TOKEN
            .replace_all(sel, |c: &Captures<'_>| {
                let kind = if &c[1] == "#" { Kind::Id } else { Kind::Class };
                if only_known && !self.is_known(kind, &c[2]) {
                    return c[0].to_owned();
                }
                match self.renamed(kind, &c[2]) {
                    Some(n) => format!("{}{}", &c[1], n),
                    None => c[0].to_owned(),
                }
            })
            .into_owned();
        let s = SELECTOR_ATTR
            .replace_all(&s, |c: &Captures<'_>| {
                let Some(kind) = Kind::of_attr(&c[1]) else {
                    return c[0].to_owned();
                };
                if only_known && !self.is_known(kind, &c[4]) {
                    return c[0].to_owned();
                }
                match self.renamed(kind, &c[4]) {
                    Some(n) => format!("[{}{}{}{}", &c[1], &c[2], &c[3], n),
                    None => c[0].to_owned(),
                }
            })
            .into_owned();
        self.swapped_tags(&s)
    }

    /// `button` and `dialog` as tag selectors, after the swap.
    fn swapped_tags(&self, sel: &str) -> String {
        let buttons = self.plan.has(Op::SwapButtons);
        let dialogs = self.plan.has(Op::SwapDialogs);
        if !buttons && !dialogs {
            return sel.to_owned();
        }
        // Twice: adjacent matches share their delimiter.
        let mut s = sel.to_owned();
        for _ in 0..2 {
            s = TAG_IN_SELECTOR
                .replace_all(&s, |c: &Captures<'_>| {
                    let tag = match &c[2] {
                        "button" if buttons => "[data-df-button]",
                        "dialog" if dialogs => "[data-df-dialog]",
                        other => other,
                    };
                    format!("{}{}{}", &c[1], tag, &c[3])
                })
                .into_owned();
        }
        s
    }

    /// Element swaps in markup: `<button>` and `<input type=submit>` become
    /// `div[role=button]`, `div[role=button]` becomes `<button>`; `<dialog>`
    /// becomes `div[role=dialog]` and the reverse.
    fn swaps(&self, text: &str) -> String {
        let mut s = text.to_owned();
        if self.plan.has(Op::SwapButtons) {
            s = swap_divs(
                &s,
                "button",
                "<button type=\"button\" data-df-native",
                "</button>",
            );
            s = BUTTON_TAG
                .replace_all(&s, |c: &Captures<'_>| {
                    if c[1].contains("data-df-native") {
                        return c[0].to_owned();
                    }
                    format!(
                        "<div role=\"button\" tabindex=\"0\" data-df-button{}>{}</div>",
                        &c[1], &c[2]
                    )
                })
                .into_owned();
            s = SUBMIT_INPUT
                .replace_all(&s, |c: &Captures<'_>| {
                    let label = VALUE_ATTR
                        .captures(&c[1])
                        .map(|v| v[1].to_owned())
                        .unwrap_or_else(|| "Submit".to_owned());
                    let attrs = c[1].trim_end_matches('/');
                    format!(
                        "<div role=\"button\" tabindex=\"0\" data-df-button{attrs}>{label}</div>"
                    )
                })
                .into_owned();
        }
        if self.plan.has(Op::SwapDialogs) {
            s = swap_divs(&s, "dialog", "<dialog open data-df-native", "</dialog>");
            s = DIALOG_OPEN
                .replace_all(&s, |c: &Captures<'_>| {
                    if c[1].contains("data-df-native") {
                        return c[0].to_owned();
                    }
                    let hidden = if has_word(&c[1], "open") {
                        ""
                    } else {
                        " hidden"
                    };
                    format!("<div role=\"dialog\" data-df-dialog{hidden}{}>", &c[1])
                })
                .into_owned();
            // Closing tags of the dialogs made from divs stay dialogs.
            s = close_converted_dialogs(&s);
        }
        s
    }

    /// Swaps in script code that builds elements: `h('button', {…})` and
    /// `h('div', { role: 'dialog', …})`.
    fn script_swaps(&self, js: &str) -> String {
        let mut s = js.to_owned();
        let buttons = self.plan.has(Op::SwapButtons);
        let dialogs = self.plan.has(Op::SwapDialogs);
        if buttons || dialogs {
            s = H_DIV_ROLE
                .replace_all(&s, |c: &Captures<'_>| match &c[5] {
                    "button" if buttons => format!(
                        "({q}button{q}, {{{sp}'data-df-native': true, type: 'button', role: 'button'",
                        q = &c[1],
                        sp = &c[3]
                    ),
                    "dialog" if dialogs => format!(
                        "({q}dialog{q}, {{{sp}open: true, role: 'dialog'",
                        q = &c[1],
                        sp = &c[3]
                    ),
                    _ => c[0].to_owned(),
                })
                .into_owned();
        }
        if buttons {
            s = H_BUTTON
                .replace_all(&s, |c: &Captures<'_>| {
                    format!(
                        "({q}div{q}, {{ 'data-df-button': true, tabindex: '0', role: 'button', ",
                        q = &c[1]
                    )
                })
                .into_owned();
        }
        s
    }

    /// Renames in the string literals of a script: script attributes,
    /// selectors, and exact ids (and distinctive names).
    fn literals(&mut self, js: &str) -> String {
        let mut out = String::with_capacity(js.len());
        let mut last = 0;
        for m in LITERAL.find_iter(js) {
            let before = &js[last..m.start()];
            out.push_str(before);
            last = m.end();
            let lit = m.as_str();
            let (q, body) = (&lit[..1], &lit[1..lit.len() - 1]);
            let mut from = m.start().saturating_sub(40);
            while !js.is_char_boundary(from) {
                from -= 1;
            }
            let head = &js[from..m.start()];
            // A script attribute: `class: '…'`.
            if let Some(kind) = pair_key(head) {
                out.push_str(q);
                out.push_str(&self.value(kind, body));
                out.push_str(q);
                continue;
            }
            // An exact id (`getElementById('…')`) or a distinctive name.
            if self.is_known(Kind::Id, body) {
                if let Some(n) = self.renamed(Kind::Id, body) {
                    out.push_str(&format!("{q}{n}{q}"));
                    continue;
                }
            }
            if distinctive(body) && self.is_known(Kind::Name, body) {
                if let Some(n) = self.renamed(Kind::Name, body) {
                    out.push_str(&format!("{q}{n}{q}"));
                    continue;
                }
            }
            let is_query = QUERY_CALL.is_match(head);
            let renamed = if q == "`" {
                self.outside_interpolations(body)
            } else if (body == "button" || body == "dialog") && !is_query {
                body.to_owned()
            } else {
                self.selector(body, true)
            };
            out.push_str(q);
            out.push_str(&renamed);
            out.push_str(q);
        }
        out.push_str(&js[last..]);
        out
    }

    /// `selector` on a template string, leaving `${…}` alone.
    fn outside_interpolations(&mut self, body: &str) -> String {
        let mut out = String::with_capacity(body.len());
        let bytes = body.as_bytes();
        let mut plain_start = 0;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{') {
                out.push_str(&self.selector(&body[plain_start..i], true));
                let mut depth = 0usize;
                let mut j = i + 1;
                while j < bytes.len() {
                    match bytes[j] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let end = (j + 1).min(bytes.len());
                out.push_str(&body[i..end]);
                i = end;
                plain_start = end;
            } else {
                i += 1;
            }
        }
        out.push_str(&self.selector(&body[plain_start..], true));
        out
    }
}

/// Whether the `name` attribute matched in `c` names a form field: not a
/// `<slot>` (its light-DOM children name it in `slot="…"`) nor a `<meta>`.
fn renames_name_of(text: &str, c: &Captures<'_>) -> bool {
    let Some(m) = c.get(0) else { return false };
    let tag = text[..m.start()]
        .rfind('<')
        .map(|i| &text[i + 1..m.start()])
        .unwrap_or_default()
        .to_ascii_lowercase();
    !(tag.starts_with("slot") || tag.starts_with("meta"))
}

fn has_word(attrs: &str, word: &str) -> bool {
    attrs
        .split(|c: char| c.is_whitespace() || c == '=')
        .any(|w| w.eq_ignore_ascii_case(word))
}

/// A name shaped like an identifier of code (`flairId`, `csrf_token`)
/// rather than a word (`title`), safe to rename as an exact literal.
fn distinctive(s: &str) -> bool {
    s.len() >= 5 && (s.contains('_') || s.chars().skip(1).any(|c| c.is_ascii_uppercase()))
}

/// The attribute kind when `head` ends in an object key such as `class: `.
fn pair_key(head: &str) -> Option<Kind> {
    static KEY: LazyLock<Regex> =
        LazyLock::new(|| re(r#"[{,]\s*(['"]?)(id|name|class|className|htmlFor)(['"]?)\s*:\s*$"#));
    let c = KEY.captures(head)?;
    Kind::of_attr(&c[2])
}

/// Replaces each `<div …role="ROLE"…>` and its matching `</div>` with
/// `open…>` and `close`.
fn swap_divs(text: &str, role: &str, open: &str, close: &str) -> String {
    static DIV_OPEN: LazyLock<Regex> = LazyLock::new(|| re(r#"<div\b([^>]*)>"#));
    let mut s = text.to_owned();
    let mut from = 0;
    while let Some(c) = DIV_OPEN.captures_at(&s, from) {
        let Some(m) = c.get(0) else { break };
        let attrs = c[1].to_owned();
        let is_role = [
            format!("role=\"{role}\""),
            format!("role='{role}'"),
            format!("role={role}"),
        ]
        .iter()
        .any(|r| attrs.contains(r.as_str()));
        if !is_role || attrs.contains("data-df-") {
            from = m.end();
            continue;
        }
        let Some(close_at) = matching_close(&s, m.end()) else {
            from = m.end();
            continue;
        };
        let new_open = format!("{open}{attrs}>");
        let mut next = String::with_capacity(s.len() + 32);
        next.push_str(&s[..m.start()]);
        next.push_str(&new_open);
        next.push_str(&s[m.end()..close_at]);
        next.push_str(close);
        next.push_str(&s[close_at + "</div>".len()..]);
        from = m.start() + new_open.len();
        s = next;
    }
    s
}

/// The index of the `</div>` closing a div whose content starts at `from`.
fn matching_close(s: &str, from: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut i = from;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with("</div>") {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
            i += 6;
        } else if rest.starts_with("<div") && rest[4..].starts_with([' ', '>', '\n', '\t']) {
            depth += 1;
            i += 4;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    None
}

/// `</dialog>` of dialogs turned into divs becomes `</div>`; those of
/// divs turned into dialogs stay.
fn close_converted_dialogs(text: &str) -> String {
    // Walk the dialog tags in order, keeping a stack of what each opened.
    static TAGS: LazyLock<Regex> = LazyLock::new(|| {
        re(r#"(?i)<div role="dialog" data-df-dialog|<dialog open data-df-native|</dialog>"#)
    });
    let mut out = String::with_capacity(text.len());
    let mut stack: Vec<bool> = Vec::new();
    let mut last = 0;
    for m in TAGS.find_iter(text) {
        out.push_str(&text[last..m.start()]);
        last = m.end();
        let t = m.as_str();
        if t.starts_with("<div") {
            stack.push(true);
            out.push_str(t);
        } else if t.starts_with("<dialog") {
            stack.push(false);
            out.push_str(t);
        } else if stack.pop().unwrap_or(true) {
            out.push_str("</div>");
        } else {
            out.push_str(t);
        }
    }
    out.push_str(&text[last..]);
    out
}

/// A new name for `token`: an obfuscated atom, or the same words reworded
/// within synonyms in another case style.
fn new_token(plan: &Plan, kind: Kind, token: &str) -> String {
    let h = plan.draw(&format!("new:{kind:?}:{token}"));
    if h.is_multiple_of(3) {
        return obfuscated(h >> 2);
    }
    let words = split_words(token);
    if words.is_empty() {
        return obfuscated(h >> 2);
    }
    let mut changed = false;
    let mut out_words: Vec<String> = Vec::with_capacity(words.len() + 1);
    for (i, w) in words.iter().enumerate() {
        match synonyms(w) {
            Some(alts) => {
                let pick = alts[((h >> (8 + 3 * i)) as usize) % alts.len()];
                changed |= pick != w;
                out_words.push(pick.to_owned());
            }
            None => out_words.push(w.clone()),
        }
    }
    let joined_len: usize = out_words.iter().map(String::len).sum();
    if !changed || joined_len <= 6 {
        const AFFIX: &[&str] = &["field", "v2", "new", "box", "main", "ctl"];
        out_words.push(AFFIX[((h >> 40) as usize) % AFFIX.len()].to_owned());
    }
    let style = (h >> 4) % 3;
    let s = match style {
        0 => out_words.join("-"),
        1 => out_words.join("_"),
        _ => {
            let mut s = out_words[0].clone();
            for w in &out_words[1..] {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    s.extend(f.to_uppercase());
                    s.push_str(c.as_str());
                }
            }
            s
        }
    };
    if s == token || !valid_token(&s) {
        obfuscated(h >> 2)
    } else {
        s
    }
}

/// An atom like the obfuscated class names of big sites: `x1k9fz2q`.
fn obfuscated(h: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut s = String::from("x");
    let mut v = h;
    for _ in 0..7 {
        s.push(char::from(ALPHABET[(v % 36) as usize]));
        v /= 36;
    }
    s
}

fn split_words(token: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in token.chars() {
        if c == '-' || c == '_' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn synonyms(word: &str) -> Option<&'static [&'static str]> {
    const TABLE: &[(&str, &[&str])] = &[
        ("tweet", &["post", "status", "note"]),
        ("post", &["publish", "entry", "share"]),
        ("text", &["body", "content", "message"]),
        ("title", &["headline", "heading", "subject"]),
        ("button", &["btn", "cta", "action"]),
        ("submit", &["send", "publish", "confirm"]),
        ("input", &["field", "entry", "control"]),
        ("textarea", &["editor", "composer", "field"]),
        ("url", &["link", "href", "address"]),
        ("link", &["url", "anchor", "href"]),
        ("user", &["account", "member", "profile"]),
        ("login", &["signin", "auth", "session"]),
        ("modal", &["dialog", "sheet", "overlay"]),
        ("dialog", &["modal", "sheet", "popup"]),
        ("file", &["media", "upload", "attachment"]),
        ("media", &["file", "upload", "asset"]),
        ("inner", &["core", "main", "content"]),
        ("form", &["composer", "panel", "editor"]),
        ("add", &["append", "plus", "new"]),
        ("flair", &["tag", "label", "badge"]),
        ("caption", &["description", "body", "summary"]),
        ("root", &["app", "container", "mount"]),
        ("me", &["self", "current", "viewer"]),
        ("area", &["box", "region", "field"]),
        ("editor", &["composer", "writer", "rte"]),
        ("label", &["caption", "legend", "tag"]),
        ("error", &["alert", "problem", "warning"]),
        ("acct", &["account", "username", "handle"]),
        ("pw", &["password", "passcode", "secret"]),
    ];
    TABLE
        .iter()
        .find(|(w, _)| *w == word)
        .map(|(_, alts)| *alts)
}

/// Renames and swaps in an HTML page (its inline scripts and styles too).
pub(crate) fn html(ctx: &mut Ctx<'_>, src: &str) -> String {
    ctx.harvest(src);
    let mut out = String::with_capacity(src.len() + 256);
    let mut last = 0;
    for c in SCRIPT_BLOCK.captures_iter(src) {
        let Some(m) = c.get(0) else { continue };
        out.push_str(&markup(ctx, &src[last..m.start()]));
        last = m.end();
        if let (Some(attrs), Some(body)) = (c.get(1), c.get(2)) {
            let attrs = ctx.markup_attrs(attrs.as_str());
            let body = if attrs.to_ascii_lowercase().contains("json") {
                body.as_str().to_owned()
            } else {
                js(ctx, body.as_str())
            };
            out.push_str(&format!("<script{attrs}>{body}</script>"));
        } else if let (Some(attrs), Some(body)) = (c.get(3), c.get(4)) {
            out.push_str(&format!(
                "<style{}>{}</style>",
                attrs.as_str(),
                css(ctx, body.as_str())
            ));
        }
    }
    out.push_str(&markup(ctx, &src[last..]));
    out
}

fn markup(ctx: &mut Ctx<'_>, text: &str) -> String {
    let s = ctx.markup_attrs(text);
    ctx.swaps(&s)
}

/// Renames and swaps in a script.
pub(crate) fn js(ctx: &mut Ctx<'_>, src: &str) -> String {
    ctx.harvest(src);
    let s = ctx.script_swaps(src);
    let s = ctx.markup_attrs(&s);
    let s = ctx.swaps(&s);
    ctx.literals(&s)
}

/// Renames in a stylesheet's selectors.
pub(crate) fn css(ctx: &mut Ctx<'_>, src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(open) = rest.find('{') {
        let (head, tail) = rest.split_at(open);
        // The selector is what follows the last `}` or `;` before `{`.
        let cut = head.rfind(['}', ';']).map_or(0, |i| i + 1);
        out.push_str(&head[..cut]);
        let sel = &head[cut..];
        if sel.trim_start().starts_with('@') {
            out.push_str(sel);
        } else {
            out.push_str(&ctx.selector(sel, false));
        }
        out.push('{');
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<F: FnOnce(&mut Ctx<'_>) -> String>(seed: u64, f: F) -> String {
        let plan = Plan::with_ops(
            seed,
            &[
                Op::RenameIds,
                Op::RenameClasses,
                Op::RenameNames,
                Op::SwapButtons,
                Op::SwapDialogs,
            ],
        );
        let mut known = HashSet::new();
        let mut back = HashMap::new();
        let mut out = HashMap::new();
        let mut ctx = Ctx {
            plan: &plan,
            known: &mut known,
            names_back: &mut back,
            names_out: &mut out,
        };
        f(&mut ctx)
    }

    #[test]
    fn renames_are_consistent_across_markup_scripts_and_styles() {
        for seed in 0..30 {
            let out = with(seed, |ctx| {
                html(
                    ctx,
                    r#"<html><head><style>#innerTextArea{color:red} .flair-option, dialog{x:1}</style></head><body>
<input id="innerTextArea" class="flair-option big" name="flairId"><dialog id="m"><p>x</p></dialog><button type="submit">Post</button>
<script>const a = document.getElementById('innerTextArea'); const b = root.querySelector('input[name=flairId]:checked .flair-option'); h('button', { class: 'flair-option' }); const u = '/upload.json';</script></body></html>"#,
                )
            });
            let id = Regex::new(r#"id="([^"]+)""#)
                .unwrap()
                .captures(&out)
                .unwrap()[1]
                .to_owned();
            assert!(out.contains(&format!("getElementById('{id}')")), "{out}");
            assert!(out.contains(&format!("#{id}{{")), "{out}");
            let name = Regex::new(r#"name="([^"]+)""#)
                .unwrap()
                .captures(&out)
                .unwrap()[1]
                .to_owned();
            assert!(out.contains(&format!("[name={name}]")), "{out}");
            assert!(out.contains("'/upload.json'"));
            assert!(
                !out.contains("<button") && !out.contains("<dialog"),
                "{out}"
            );
            assert!(out.contains("[data-df-dialog]{"), "{out}");
            assert!(out.contains("</div><div role=\"button\""), "{out}");
        }
    }

    #[test]
    fn slot_and_meta_names_stay() {
        for seed in 0..20 {
            let out = with(seed, |ctx| {
                ctx.markup_attrs(
                    r#"<meta name="viewport"><slot name="rte"></slot><input name="rte">"#,
                )
            });
            assert!(
                out.starts_with(r#"<meta name="viewport"><slot name="rte"></slot>"#),
                "{out}"
            );
        }
    }

    #[test]
    fn div_roles_become_elements_with_matching_close() {
        let out = with(1, |ctx| {
            ctx.swaps(r#"<div role="dialog"><div>a</div><div role="button" tabindex="0">Next</div></div><p>after</p>"#)
        });
        assert_eq!(
            out,
            r#"<dialog open data-df-native role="dialog"><div>a</div><button type="button" data-df-native role="button" tabindex="0">Next</button></dialog><p>after</p>"#
        );
    }

    #[test]
    fn new_tokens_differ_and_are_valid() {
        let plan = Plan::with_ops(3, &[]);
        for t in [
            "title",
            "tweetTextarea_0",
            "inner-post-submit-button",
            "me",
            "a",
            "__INITIAL_STATE__",
        ] {
            let n = new_token(&plan, Kind::Id, t);
            assert_ne!(n, t);
            assert!(valid_token(&n), "{n}");
        }
    }
}
