//! The JavaScript that runs in pages. Selectors are CSS with `>>>` to step
//! into an element's shadow root, and a part may end in `:text-is("Next")`
//! (its whole visible text, whitespace folded) or `:has-text("next")` (a
//! case-insensitive substring). Only visible elements count as matches for
//! clicks and typing.

use serde_json::Value;

const PRELUDE: &str = r#"
const __norm = (t) => (t || '').replace(/\s+/g, ' ').trim();
const __part = (p) => {
  const m = p.match(/^(.*?):(text-is|has-text)\((["'])(.*)\3\)$/s);
  if (!m) return { css: p, test: null };
  const want = m[4];
  const test = m[2] === 'text-is'
    ? (e) => __norm(e.innerText || e.textContent) === __norm(want)
    : (e) => __norm(e.innerText || e.textContent).toLowerCase().includes(__norm(want).toLowerCase());
  return { css: m[1].trim() || '*', test };
};
const __q = (sel) => {
  const parts = sel.split('>>>').map((s) => s.trim()).filter(Boolean).map(__part);
  let roots = [document];
  let found = [];
  for (let i = 0; i < parts.length; i++) {
    found = [];
    for (const r of roots) {
      for (const e of r.querySelectorAll(parts[i].css)) {
        if (!parts[i].test || parts[i].test(e)) found.push(e);
      }
    }
    if (i < parts.length - 1) roots = found.map((e) => e.shadowRoot).filter(Boolean);
  }
  return found;
};
const __vis = (e) => {
  const r = e.getBoundingClientRect();
  const s = getComputedStyle(e);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
};
const __first = (sel) => __q(sel).find(__vis) || null;
const __isField = (e) => e.tagName === 'INPUT' || e.tagName === 'TEXTAREA';
// Rich editors keep one block per paragraph (Draft.js `[data-block]`,
// Lexical and ProseMirror `p`); an empty block is an empty line.
const __rich = (e) => {
  let blocks = e.querySelectorAll('[data-block="true"]');
  if (!blocks.length) blocks = e.querySelectorAll(':scope > p, :scope > div > p');
  if (blocks.length) return Array.from(blocks).map((b) => b.textContent).join('\n');
  return e.innerText;
};
const __text = (e) => (__isField(e) ? e.value : e.isContentEditable ? __rich(e) : e.innerText);
const __inside = (a, b) => { for (let n = a; n; n = n.parentNode || n.host) { if (n === b) return true; } return false; };
"#;

/// Wraps a function body that uses the prelude into an expression.
pub(crate) fn wrap(body: &str) -> String {
    format!("(() => {{ {PRELUDE}\n{body}\n}})()")
}

pub(crate) fn lit(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

pub(crate) fn count(sel: &str) -> String {
    wrap(&format!("return __q({}).length;", lit(sel)))
}

pub(crate) fn text(sel: &str) -> String {
    wrap(&format!(
        "const e = __q({}).find(__vis) || __q({0})[0]; return e ? __text(e) : null;",
        lit(sel)
    ))
}

pub(crate) fn attr(sel: &str, name: &str) -> String {
    wrap(&format!(
        "const e = __q({})[0]; return e ? e.getAttribute({}) : null;",
        lit(sel),
        lit(name)
    ))
}

/// Scrolls the first visible match into view and returns where to click,
/// or `{covered: true}` when another element sits on top of it.
pub(crate) fn click_point(sel: &str) -> String {
    wrap(&format!(
        r#"const e = __first({});
if (!e) return null;
e.scrollIntoView({{ block: 'center', inline: 'center' }});
const r = e.getBoundingClientRect();
const x = r.left + r.width / 2, y = r.top + r.height / 2;
const root = e.getRootNode();
const hit = (root.elementFromPoint ? root : document).elementFromPoint(x, y);
return {{ x, y, covered: !(hit && __inside(hit, e)) }};"#,
        lit(sel)
    ))
}

pub(crate) fn js_click(sel: &str) -> String {
    wrap(&format!(
        "const e = __first({}); if (!e) return false; e.click(); return true;",
        lit(sel)
    ))
}

/// Focuses the first visible match and selects its whole content, so that
/// the next `Input.insertText` replaces it. Returns `field`, `rich` or null.
pub(crate) fn focus_and_select(sel: &str) -> String {
    wrap(&format!(
        r#"const e = __first({});
if (!e) return null;
e.scrollIntoView({{ block: 'center' }});
e.focus();
if (__isField(e)) {{ e.select(); return 'field'; }}
const s = window.getSelection();
const range = document.createRange();
range.selectNodeContents(e);
s.removeAllRanges();
s.addRange(range);
return 'rich';"#,
        lit(sel)
    ))
}

pub(crate) fn read_back(sel: &str) -> String {
    wrap(&format!(
        "const e = __first({0}) || __q({0})[0]; return e ? __text(e) : null;",
        lit(sel)
    ))
}

pub(crate) fn element(sel: &str) -> String {
    wrap(&format!("return __q({})[0] || null;", lit(sel)))
}

pub(crate) const MARK_DOCUMENT: &str = "window.__distroflowDoc = 1; true";
pub(crate) const NEW_DOCUMENT_READY: &str =
    "window.__distroflowDoc === undefined && document.readyState === 'complete'";
pub(crate) const BODY_TEXT: &str = "document.body ? document.body.innerText : ''";
