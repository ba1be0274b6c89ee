//! A selector check without a browser, for `selectors import`: CSS as
//! `querySelectorAll` takes it, plus DistroFlow's extensions (`>>>` into a
//! shadow root; `:text-is("…")` and `:has-text("…")` ending a part).
//!
//! It is a small recursive-descent parser of the selector grammar
//! (compound selectors, combinators, lists, attribute selectors, pseudo
//! classes and elements with balanced arguments, strings and escapes), not
//! a full CSS engine: pseudo-class names are not checked against a list and
//! arguments other than selector lists (`:nth-child(2n+1)`) are only
//! checked for balance. It rejects what is broken on any browser:
//! unbalanced brackets or quotes, a dangling combinator or comma, an empty
//! `#`, `.` or `:`, stray `{};!@=`, and text tests whose argument is not a
//! quoted string or that do not end their part.

/// Why `selector` is not one DistroFlow can use, or `None`.
pub(crate) fn check(selector: &str) -> Option<String> {
    let s = selector.trim();
    if s.is_empty() {
        return Some("it is empty".into());
    }
    let mut p = Parser {
        s: s.as_bytes(),
        text: s,
        i: 0,
    };
    p.list(false)
        .and_then(|()| {
            if p.i < p.s.len() {
                Err(p.unexpected())
            } else {
                Ok(())
            }
        })
        .err()
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

type R = std::result::Result<(), String>;

/// Pseudo-classes whose argument is itself a selector list.
const SELECTOR_ARGS: &[&str] = &[
    "not",
    "is",
    "where",
    "matches",
    "-webkit-any",
    "has",
    "host",
    "host-context",
    "slotted",
];

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at(&self, lit: &str) -> bool {
        self.s[self.i..].starts_with(lit.as_bytes())
    }

    fn skip_ws(&mut self) -> bool {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
        self.i > start
    }

    fn unexpected(&self) -> String {
        match self.text[self.i..].chars().next() {
            Some(c) => format!("unexpected `{c}` at character {}", self.i + 1),
            None => "it ends too early".into(),
        }
    }

    /// `complex (, complex)*`. `relative`: each may start with a
    /// combinator (inside `:has()`).
    fn list(&mut self, relative: bool) -> R {
        loop {
            self.skip_ws();
            if self.peek() == Some(b',') || self.peek().is_none() || self.peek() == Some(b')') {
                return Err(if self.i == 0 || self.peek() == Some(b')') {
                    "a selector is missing".into()
                } else {
                    "a selector is missing after a comma".into()
                });
            }
            self.complex(relative)?;
            self.skip_ws();
            if self.peek() == Some(b',') {
                self.i += 1;
                continue;
            }
            return Ok(());
        }
    }

    /// `compound (combinator compound)*`; `>>>` is a combinator too.
    fn complex(&mut self, relative: bool) -> R {
        if relative && self.combinator() {
            self.skip_ws();
        }
        loop {
            let text_test = self.compound()?;
            let ws = self.skip_ws();
            if self.at(">>>") {
                self.i += 3;
            } else if matches!(self.peek(), None | Some(b',') | Some(b')')) {
                return Ok(());
            } else if text_test {
                return Err(":text-is() and :has-text() must end their part \
                            (before `>>>`, `,` or the end)"
                    .into());
            } else if self.combinator() {
            } else if ws {
                continue; // the descendant combinator
            } else {
                return Err(self.unexpected());
            }
            self.skip_ws();
            if matches!(self.peek(), None | Some(b',') | Some(b')')) {
                return Err("a combinator has nothing after it".into());
            }
        }
    }

    fn combinator(&mut self) -> bool {
        if self.at(">>>") {
            return false;
        }
        if matches!(self.peek(), Some(b'>') | Some(b'+') | Some(b'~')) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// A compound selector; returns whether it ended in a text test.
    fn compound(&mut self) -> std::result::Result<bool, String> {
        let start = self.i;
        if self.peek() == Some(b'*') {
            self.i += 1;
        } else if self.ident_start() {
            self.ident()?;
        }
        loop {
            match self.peek() {
                Some(b'#') => {
                    self.i += 1;
                    if !self.ident_char() {
                        return Err(format!("`#` without an id at character {}", self.i));
                    }
                    self.ident()?;
                }
                Some(b'.') => {
                    self.i += 1;
                    if !self.ident_start() {
                        return Err(format!("`.` without a class at character {}", self.i));
                    }
                    self.ident()?;
                }
                Some(b'[') => self.attribute()?,
                Some(b':') => {
                    if self.pseudo()? {
                        return Ok(true);
                    }
                }
                _ => break,
            }
        }
        if self.i == start {
            return Err(self.unexpected());
        }
        Ok(false)
    }

    fn ident_start(&self) -> bool {
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 || c == b'\\' => true,
            Some(b'-') => self.s.get(self.i + 1).is_some_and(|&c| {
                c.is_ascii_alphabetic() || c == b'_' || c == b'-' || c >= 0x80 || c == b'\\'
            }),
            _ => false,
        }
    }

    fn ident_char(&self) -> bool {
        self.peek().is_some_and(|c| {
            c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c >= 0x80 || c == b'\\'
        })
    }

    fn ident(&mut self) -> R {
        let start = self.i;
        while self.ident_char() {
            if self.peek() == Some(b'\\') {
                self.escape()?;
            } else {
                self.i += 1;
            }
        }
        if self.i == start {
            Err(self.unexpected())
        } else {
            Ok(())
        }
    }

    /// `\` then up to six hex digits and one optional space, or any one
    /// character but a newline.
    fn escape(&mut self) -> R {
        self.i += 1;
        match self.peek() {
            None | Some(b'\n') => Err("a `\\` escapes nothing".into()),
            Some(c) if c.is_ascii_hexdigit() => {
                let mut n = 0;
                while n < 6 && self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                    self.i += 1;
                    n += 1;
                }
                if self.peek() == Some(b' ') {
                    self.i += 1;
                }
                Ok(())
            }
            Some(_) => {
                let len = self.text[self.i..].chars().next().map_or(1, char::len_utf8);
                self.i += len;
                Ok(())
            }
        }
    }

    fn string(&mut self) -> R {
        let quote = self.peek().unwrap_or(b'"');
        let start = self.i;
        self.i += 1;
        loop {
            match self.peek() {
                None | Some(b'\n') => {
                    return Err(format!(
                        "the string at character {} is not closed",
                        start + 1
                    ))
                }
                Some(b'\\') => self.i = (self.i + 2).min(self.s.len()),
                Some(c) if c == quote => {
                    self.i += 1;
                    return Ok(());
                }
                Some(_) => self.i += 1,
            }
        }
    }

    /// `[name]`, `[name op value]`, `[name op value i]`.
    fn attribute(&mut self) -> R {
        let open = self.i;
        self.i += 1;
        self.skip_ws();
        if !self.ident_start() {
            return Err(if self.peek().is_none() {
                format!("the `[` at character {} is not closed", open + 1)
            } else {
                format!("an attribute name is missing at character {}", self.i + 1)
            });
        }
        self.ident()?;
        self.skip_ws();
        for op in ["~=", "|=", "^=", "$=", "*=", "="] {
            if self.at(op) {
                self.i += op.len();
                self.skip_ws();
                match self.peek() {
                    Some(b'"') | Some(b'\'') => self.string()?,
                    _ if self.ident_char() => self.ident()?,
                    _ => {
                        return Err(format!(
                            "an attribute value is missing at character {}",
                            self.i + 1
                        ))
                    }
                }
                if self.skip_ws() && matches!(self.peek(), Some(b'i' | b's' | b'I' | b'S')) {
                    self.i += 1;
                    self.skip_ws();
                }
                break;
            }
        }
        if self.peek() == Some(b']') {
            self.i += 1;
            Ok(())
        } else if self.peek().is_none() {
            Err(format!("the `[` at character {} is not closed", open + 1))
        } else {
            Err(self.unexpected())
        }
    }

    /// `:name`, `::name`, `:name(args)`; returns whether it was a text test.
    fn pseudo(&mut self) -> std::result::Result<bool, String> {
        self.i += 1;
        if self.peek() == Some(b':') {
            self.i += 1;
        }
        let name_start = self.i;
        if !self.ident_start() {
            return Err(format!("`:` without a name at character {}", name_start));
        }
        self.ident()?;
        let name = self.text[name_start..self.i].to_ascii_lowercase();
        let text_test = name == "text-is" || name == "has-text";
        if self.peek() != Some(b'(') {
            return if text_test {
                Err(format!(
                    ":{name}() needs a quoted text, as in :{name}(\"Post\")"
                ))
            } else {
                Ok(false)
            };
        }
        let open = self.i;
        self.i += 1;
        self.skip_ws();
        if text_test {
            if !matches!(self.peek(), Some(b'"') | Some(b'\'')) {
                return Err(format!(
                    ":{name}() needs a quoted text, as in :{name}(\"Post\")"
                ));
            }
            self.string()?;
            self.skip_ws();
        } else if SELECTOR_ARGS.contains(&name.as_str()) {
            self.list(name == "has")?;
        } else {
            self.balanced(open)?;
        }
        if self.peek() == Some(b')') {
            self.i += 1;
            Ok(text_test)
        } else if self.peek().is_none() {
            Err(format!("the `(` at character {} is not closed", open + 1))
        } else {
            Err(self.unexpected())
        }
    }

    /// Anything with balanced brackets and closed strings, up to the `)`
    /// that closes the argument (not consumed).
    fn balanced(&mut self, open: usize) -> R {
        let mut stack: Vec<u8> = Vec::new();
        loop {
            match self.peek() {
                None => return Err(format!("the `(` at character {} is not closed", open + 1)),
                Some(b'"') | Some(b'\'') => self.string()?,
                Some(b'\\') => self.escape()?,
                Some(c @ (b'(' | b'[')) => {
                    stack.push(if c == b'(' { b')' } else { b']' });
                    self.i += 1;
                }
                Some(c @ (b')' | b']')) => {
                    if stack.is_empty() && c == b')' {
                        return Ok(());
                    }
                    if stack.pop() != Some(c) {
                        return Err(self.unexpected());
                    }
                    self.i += 1;
                }
                Some(b'{' | b'}' | b';' | b'!' | b'@') => return Err(self.unexpected()),
                Some(_) => self.i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn css_and_our_extensions_pass() {
        for ok in [
            "input",
            "*",
            "#title",
            "input[name=\"title\"]",
            "span.pagetop a[href^=\"user?id=\"]",
            "form[action='r'] input[type=submit][value=\"submit\"]",
            "a[href$=\".png\" i]",
            "div > p + ul ~ li",
            "div>p",
            "shreddit-app form:has(shreddit-composer)",
            "div:has(> button.primary)",
            "li:nth-child(2n+1)",
            "p:not(.a, .b)::before",
            "x-app >>> button:text-is(\"Post\")",
            "x-app >>> div >>> span:has-text('next')",
            "a:has-text(\"x\"), b",
            "#\\31 23 > div:nth-of-type(2)",
            "[data-testid=\"tweetButton\"]",
            "[contenteditable]",
            "  input  ",
            "-foo",
            "é.ü",
        ] {
            assert_eq!(check(ok), None, "{ok}");
        }
    }

    #[test]
    fn no_input_panics() {
        let samples = [
            "x-app >>> button:text-is(\"Pö\\\"st\") , a[b='c' i]:not(:has(> d)):nth-child(2n+1)",
            "#\\31 23 > é.ü[data-x=\"\\\"]",
            "a:has-text('x\\')",
        ];
        for s in samples {
            for (i, _) in s.char_indices() {
                for (j, _) in s[i..].char_indices() {
                    let _ = check(&s[i..i + j]);
                }
                let _ = check(&s[i..]);
            }
        }
    }

    #[test]
    fn broken_selectors_say_why() {
        for (bad, why) in [
            ("", "empty"),
            ("input[name=\"title\"", "not closed"),
            ("input[name=\"title]", "not closed"),
            ("div:not(.a", "not closed"),
            ("div:nth-child(2", "not closed"),
            ("div >", "nothing after"),
            ("div >>>", "nothing after"),
            ("a,", "missing after a comma"),
            ("a,,b", "missing"),
            (", a", "missing"),
            ("#", "without an id"),
            ("div.", "without a class"),
            ("div:", "without a name"),
            ("button:text-is(Post)", "quoted"),
            ("button:has-text", "quoted"),
            ("button:text-is(\"Post\") span", "must end their part"),
            ("div { color: red }", "unexpected"),
            ("a]", "unexpected"),
            ("a)", "unexpected"),
            ("a = b", "unexpected"),
            ("[=x]", "attribute name"),
            ("[a=]", "value is missing"),
            ("div:is()", "missing"),
        ] {
            let got = check(bad).unwrap_or_else(|| panic!("{bad:?} passed"));
            assert!(got.contains(why), "{bad:?}: {got}");
        }
    }
}
