//! Selectors as data: every step's target (e.g. `x.compose.editor`) with
//! ordered candidate selectors and what the element is expected to be,
//! from TOML files embedded in the binary and overridable by files in
//! `$DISTROFLOW_HOME/selectors/`.

use std::collections::BTreeMap;
use std::path::Path;

use distroflow_core::{ElementInfo, Error, Result};
use serde::{Deserialize, Serialize};

/// The selector file format this build reads and writes.
pub const BOOK_FORMAT: u32 = 1;

/// What a target's element is: a seed fingerprint for the similarity tier
/// before DistroFlow has ever seen the element itself.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Accessible name (aria-label, label, placeholder, button text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbor_text: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, String>,
}

impl Expect {
    pub fn as_fingerprint(&self) -> ElementInfo {
        ElementInfo {
            tag: self.tag.clone().unwrap_or_default(),
            role: self.role.clone().unwrap_or_default(),
            name: self.name.clone().unwrap_or_default(),
            text: self.text.clone().unwrap_or_default(),
            neighbor_text: self.neighbor_text.clone().unwrap_or_default(),
            attrs: self.attrs.clone(),
            visible: true,
            ..ElementInfo::default()
        }
    }
}

/// One target: ordered candidate selectors, most trusted first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub candidates: Vec<String>,
    /// The element deletes, discards, blocks or reports: repair never picks it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub destructive: bool,
    /// A marker whose absence is the usual answer (an error banner, a
    /// challenge, a logged-out form, an optional notice): looked up by its
    /// known selectors only, never repaired by likeness, since a repair
    /// could only ever invent one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub probe: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BookFile {
    format: u32,
    #[serde(default)]
    targets: BTreeMap<String, Target>,
}

/// Every known target, by full name (`platform.step.element`).
#[derive(Clone, Debug, Default)]
pub struct SelectorBook {
    targets: BTreeMap<String, Target>,
    /// Targets changed by override files (for `selectors list`).
    overridden: std::collections::BTreeSet<String>,
}

impl SelectorBook {
    /// Parses the embedded files: `(source name, TOML)`.
    pub fn builtin(files: &[(&str, &str)]) -> Result<SelectorBook> {
        let mut book = SelectorBook::default();
        for (name, text) in files {
            let file = parse(name, text)?;
            book.targets.extend(file.targets);
        }
        Ok(book)
    }

    /// Applies every `*.toml` in `dir` (sorted by name): an override's
    /// candidates come first, then the built-in ones.
    pub fn with_overrides(mut self, dir: &Path) -> Result<SelectorBook> {
        let mut files: Vec<_> = match std::fs::read_dir(dir) {
            Ok(d) => d
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(self),
            Err(e) => return Err(Error::io(dir, e)),
        };
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            let file = parse(&path.display().to_string(), &text)?;
            for (name, t) in file.targets {
                self.overridden.insert(name.clone());
                let entry = self.targets.entry(name).or_default();
                let mut candidates = t.candidates;
                for c in std::mem::take(&mut entry.candidates) {
                    if !candidates.contains(&c) {
                        candidates.push(c);
                    }
                }
                entry.candidates = candidates;
                entry.destructive |= t.destructive;
                entry.probe |= t.probe;
                if t.expect.is_some() {
                    entry.expect = t.expect;
                }
            }
        }
        Ok(self)
    }

    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets.get(name)
    }

    pub fn targets(&self) -> impl Iterator<Item = (&String, &Target)> {
        self.targets.iter()
    }

    pub fn is_overridden(&self, name: &str) -> bool {
        self.overridden.contains(name)
    }

    /// The whole book (or one platform's part) as a selector file: every
    /// field of every target, so that importing it changes nothing.
    pub fn export(&self, platform: Option<&str>) -> String {
        self.export_with_learned(platform, |_| Vec::new())
    }

    /// Like [`SelectorBook::export`], with each target's `learned`
    /// selectors (newest first) ahead of its candidates, to share repairs.
    pub fn export_with_learned(
        &self,
        platform: Option<&str>,
        learned: impl Fn(&str) -> Vec<String>,
    ) -> String {
        let targets = self
            .targets
            .iter()
            .filter(|(k, _)| platform.is_none_or(|p| k.split('.').next() == Some(p)))
            .map(|(k, v)| {
                let mut t = v.clone();
                let mut candidates = learned(k);
                for c in t.candidates {
                    if !candidates.contains(&c) {
                        candidates.push(c);
                    }
                }
                t.candidates = candidates;
                (k.clone(), t)
            })
            .collect();
        toml::to_string_pretty(&BookFile {
            format: BOOK_FORMAT,
            targets,
        })
        .unwrap_or_default()
    }

    /// Checks a selector file for `selectors import`: its format, that it
    /// names only targets this book knows, and that every candidate is a
    /// selector ([`crate::css`]). Every problem is listed with its line.
    /// Returns how many targets the file holds.
    pub fn check_import(&self, name: &str, text: &str) -> Result<usize> {
        let file = parse(name, text)?;
        let spans: SpannedFile = toml::from_str(text)
            .map_err(|e| Error::usage(format!("selector file {name}: {}", e.message()), None))?;
        let line = |at: usize| text[..at.min(text.len())].matches('\n').count() + 1;
        let mut problems = Vec::new();
        let mut unknown = false;
        for (target, t) in &spans.targets {
            if !self.targets.contains_key(target.as_ref()) {
                unknown = true;
                problems.push(format!(
                    "line {}: unknown target `{}`",
                    line(target.span().start),
                    target.as_ref()
                ));
                continue;
            }
            for c in &t.candidates {
                if let Some(why) = crate::css::check(c.as_ref()) {
                    problems.push(format!(
                        "line {}: target `{}`: `{}` is not a valid selector: {why}",
                        line(c.span().start),
                        target.as_ref(),
                        c.as_ref()
                    ));
                }
            }
        }
        if problems.is_empty() {
            return Ok(file.targets.len());
        }
        let hint = if unknown {
            "`distroflow selectors list` shows the known targets; nothing was imported"
        } else {
            "fix the selectors (CSS, plus `>>>` and :text-is(\"…\")/:has-text(\"…\")); nothing was imported"
        };
        Err(Error::usage(
            format!(
                "selector file {name} cannot be imported:\n  {}",
                problems.join("\n  ")
            ),
            Some(hint.into()),
        ))
    }
}

/// A selector file read again with the position of each target and
/// candidate, to name the line of a problem.
#[derive(Deserialize)]
struct SpannedFile {
    #[serde(default)]
    targets: BTreeMap<toml::Spanned<String>, SpannedTarget>,
}

#[derive(Deserialize)]
struct SpannedTarget {
    #[serde(default)]
    candidates: Vec<toml::Spanned<String>>,
}

/// Checks a selector file's format alone (see [`SelectorBook::check_import`]
/// for the whole check).
pub fn validate_file(name: &str, text: &str) -> Result<usize> {
    parse(name, text).map(|f| f.targets.len())
}

fn parse(name: &str, text: &str) -> Result<BookFile> {
    let file: BookFile = toml::from_str(text).map_err(|e| {
        Error::usage(
            format!("selector file {name}: {}", e.message()),
            Some("see `distroflow selectors export` for the format".into()),
        )
    })?;
    if file.format != BOOK_FORMAT {
        return Err(Error::usage(
            format!(
                "selector file {name} has format {} but this DistroFlow reads format {BOOK_FORMAT}",
                file.format
            ),
            None,
        ));
    }
    for (k, t) in &file.targets {
        if t.candidates.is_empty() {
            return Err(Error::usage(
                format!("selector file {name}: target `{k}` has no candidates"),
                None,
            ));
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILTIN: &str = r#"
format = 1
[targets."hn.submit.title"]
candidates = ['input[name="title"]']
expect = { tag = "input", role = "textbox", neighbor_text = "title" }
[targets."hn.delete"]
candidates = ['a.delete']
destructive = true
"#;

    #[test]
    fn overrides_come_first_and_export_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("mine.toml"),
            "format = 1\n[targets.\"hn.submit.title\"]\ncandidates = ['#title']\n",
        )
        .unwrap();
        let book = SelectorBook::builtin(&[("hn", BUILTIN)])
            .unwrap()
            .with_overrides(dir.path())
            .unwrap();
        let t = book.target("hn.submit.title").unwrap();
        assert_eq!(t.candidates, vec!["#title", "input[name=\"title\"]"]);
        assert!(t.expect.is_some());
        assert!(book.is_overridden("hn.submit.title"));
        assert!(book.target("hn.delete").unwrap().destructive);
        let exported = book.export(Some("hn"));
        let again = SelectorBook::builtin(&[("export", &exported)]).unwrap();
        assert_eq!(again.target("hn.submit.title"), Some(t));
    }

    #[test]
    fn export_keeps_every_field_and_puts_learned_first() {
        let book = SelectorBook::builtin(&[("hn", BUILTIN)]).unwrap();
        let text = book.export_with_learned(None, |t| {
            if t == "hn.delete" {
                vec!["button.del".into()]
            } else {
                Vec::new()
            }
        });
        let again = SelectorBook::builtin(&[("export", &text)]).unwrap();
        assert_eq!(
            again.target("hn.submit.title"),
            book.target("hn.submit.title")
        );
        let del = again.target("hn.delete").unwrap();
        assert_eq!(del.candidates, ["button.del", "a.delete"]);
        assert!(del.destructive);
    }

    #[test]
    fn import_refuses_unknown_targets_and_broken_selectors_by_line() {
        let book = SelectorBook::builtin(&[("hn", BUILTIN)]).unwrap();
        let ok = "format = 1\n[targets.\"hn.submit.title\"]\ncandidates = ['#t >>> input:text-is(\"x\")']\n";
        assert_eq!(book.check_import("ok.toml", ok).unwrap(), 1);
        let bad = "format = 1\n\n[targets.\"hn.submit.titel\"]\ncandidates = ['#t']\n\n[targets.\"hn.delete\"]\ncandidates = [\n  'a.delete',\n  'a[href=\"x\"',\n]\n";
        let e = book.check_import("bad.toml", bad).unwrap_err();
        assert!(e.is_usage());
        let msg = e.to_string();
        assert!(msg.contains("bad.toml"), "{msg}");
        assert!(
            msg.contains("line 3: unknown target `hn.submit.titel`"),
            "{msg}"
        );
        assert!(
            msg.contains("line 9: target `hn.delete`: `a[href=\"x\"` is not a valid selector"),
            "{msg}"
        );
        assert!(e.hint().unwrap().contains("selectors list"));
    }

    #[test]
    fn bad_files_are_usage_errors_naming_the_file() {
        let e = validate_file("x.toml", "format = 2\n").unwrap_err();
        assert!(e.is_usage() && e.to_string().contains("x.toml"));
        let e = validate_file("y.toml", "format = 1\n[targets.a]\ncandidates = []\n").unwrap_err();
        assert!(e.to_string().contains("no candidates"));
        assert!(validate_file("z.toml", "nonsense").is_err());
    }
}
