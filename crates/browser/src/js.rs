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
// Splits on `sep` outside quotes, parentheses and brackets.
const __split = (s, sep) => {
  const out = [];
  let depth = 0, quote = null, cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) { cur += c; if (c === '\\') { cur += s[++i] || ''; } else if (c === quote) { quote = null; } continue; }
    if (c === '"' || c === "'") { quote = c; cur += c; continue; }
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    if (depth === 0 && s.startsWith(sep, i)) { out.push(cur); cur = ''; i += sep.length - 1; continue; }
    cur += c;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
};
const __q1 = (sel) => {
  const parts = __split(sel, '>>>').map(__part);
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
// Plain CSS keeps the browser's document order; a comma list that uses
// `>>>` or a text test is matched alternative by alternative, in order.
const __q = (sel) => {
  if (!sel.includes('>>>') && !/:(text-is|has-text)\(/.test(sel)) return Array.from(document.querySelectorAll(sel));
  const alts = __split(sel, ',');
  if (alts.length === 1) return __q1(alts[0]);
  const seen = new Set();
  const out = [];
  for (const a of alts) for (const e of __q1(a)) if (!seen.has(e)) { seen.add(e); out.push(e); }
  return out;
};
const __vis = (e) => {
  const r = e.getBoundingClientRect();
  const s = getComputedStyle(e);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
};
// Switched off: a disabled twin (a decoy, a stale copy) is never the one
// acted on or read while an enabled match is there.
const __off = (e) => e.disabled === true || e.getAttribute('aria-disabled') === 'true';
const __first = (sel) => { const v = __q(sel).filter(__vis); return v.find((e) => !__off(e)) || v[0] || null; };
const __isField = (e) => e.tagName === 'INPUT' || e.tagName === 'TEXTAREA';
// Rich editors keep one block per paragraph (Draft.js `[data-block]`,
// Lexical and ProseMirror `p`); an empty block is an empty line. A `<br>`
// inside a block is a hard break (TipTap's HardBreak), except the one that
// ends it (ProseMirror's trailing break, Draft.js's empty-block `<br>`).
const __block = (b) => {
  let out = '';
  const walk = (n) => {
    for (const c of n.childNodes) {
      if (c.nodeType === 3) out += c.data;
      else if (c.nodeName === 'BR') out += '\n';
      else if (c.nodeType === 1) walk(c);
    }
  };
  walk(b);
  let last = b;
  while (last.lastChild) last = last.lastChild;
  return last.nodeName === 'BR' && out.endsWith('\n') ? out.slice(0, -1) : out;
};
const __rich = (e) => {
  let blocks = e.querySelectorAll('[data-block="true"]');
  if (!blocks.length) blocks = e.querySelectorAll(':scope > p, :scope > div > p');
  if (blocks.length) return Array.from(blocks).map(__block).join('\n');
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
        "const e = __first({0}) || __q({0})[0]; return e ? e.getAttribute({1}) : null;",
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
const root = e.getRootNode();
const at = (x, y) => (root.elementFromPoint ? root : document).elementFromPoint(x, y);
// The centre first, then other points inside the element: a control half
// overlapped by its neighbours is still clicked where it shows.
const points = [[0.5, 0.5], [0.25, 0.5], [0.75, 0.5], [0.5, 0.25], [0.5, 0.75], [0.2, 0.2], [0.8, 0.8]];
let hit = null;
for (const [fx, fy] of points) {{
  const x = r.left + r.width * fx, y = r.top + r.height * fy;
  hit = at(x, y);
  if (hit && __inside(hit, e)) return {{ x, y, covered: false }};
}}
// Covered everywhere. By an overlay (a mask, a toast, a sheet: fixed,
// absolute or sticky, above the page) that may go away: worth a wait. By
// the page's own content in flow (an overflowing neighbour): it will not
// move, so waiting is pointless.
let overlay = false;
for (let n = hit; n && n !== document.documentElement; n = n.parentElement || (n.getRootNode() && n.getRootNode().host)) {{
  if (n.contains && n.contains(e)) break;
  const p = getComputedStyle(n).position;
  if (p === 'fixed' || p === 'absolute' || p === 'sticky') {{ overlay = true; break; }}
}}
return {{ x: r.left + r.width / 2, y: r.top + r.height / 2, covered: true, overlay }};"#,
        lit(sel)
    ))
}

/// Before a mouse click: notes whether the press or the click that follows
/// reaches the first match (the window's capture listeners run first, so
/// no page listener can hide it). False when there is no match.
pub(crate) fn arm_click(sel: &str) -> String {
    wrap(&format!(
        r#"const e = __first({});
if (!e) return false;
if (window.__distroflowUnarm) window.__distroflowUnarm();
window.__distroflowHit = false;
const mark = (ev) => {{ if (ev.composedPath().includes(e)) window.__distroflowHit = true; }};
window.addEventListener('mousedown', mark, true);
window.addEventListener('click', mark, true);
window.__distroflowUnarm = () => {{
  window.removeEventListener('mousedown', mark, true);
  window.removeEventListener('click', mark, true);
  window.__distroflowUnarm = null;
}};
return true;"#,
        lit(sel)
    ))
}

/// After a mouse click armed with [`arm_click`]: false when it missed the
/// element (the page moved it between the aim and the click); true when it
/// reached it; null when the document is another one (the click navigated).
pub(crate) const CLICK_REACHED: &str = "(() => { const hit = window.__distroflowHit; if (window.__distroflowUnarm) window.__distroflowUnarm(); return hit === undefined ? null : hit; })()";

pub(crate) fn js_click(sel: &str) -> String {
    wrap(&format!(
        "const e = __first({}); if (!e) return false; e.click(); return true;",
        lit(sel)
    ))
}

/// Focuses the first visible match and selects its whole content, so that
/// the next `Input.insertText` replaces it. Returns `field`, `rich` or null.
/// Focuses the element and selects its contents, so that the next insert
/// replaces them. Returns 'field' or 'rich' once the focus is really on it
/// (an editor that is not editable yet, or a field that is disabled, does
/// not take the focus, and text typed then would land in whatever had it
/// before), 'busy' when it is not ready for typing yet, and null when
/// there is no such element.
pub(crate) fn focus_and_select(sel: &str) -> String {
    wrap(&format!(
        r#"let e = __first({});
if (!e) return null;
if (!__isField(e) && !e.isContentEditable) {{
  // A wrapper around the editor: type into the editor inside it.
  const inner = e.querySelector('[contenteditable="true"], [contenteditable=""], textarea, input');
  if (!inner) return 'busy';
  e = inner;
}}
if (__isField(e) && (e.disabled || e.readOnly)) return 'busy';
e.scrollIntoView({{ block: 'center' }});
e.focus();
let active = document.activeElement;
while (active && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement;
if (!active || !(active === e || e.contains(active) || active.contains(e))) return 'busy';
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

/// Marks the element as a target's (a property, not an attribute: the
/// page's markup and styles are untouched), with the label a button or
/// link had: one the page relabels in place (a dialog's "Next" that
/// becomes "Share") is another control to a person, and no longer counts
/// as claimed. A text field stays claimed whatever is typed into it.
pub(crate) fn claim(sel: &str, target: &str) -> String {
    wrap(&format!(
        "{DESCRIBE}\nconst e = __first({0}) || __q({0})[0]; if (e) {{ const d = __describe(e); e.__distroflowClaim = {1}; e.__distroflowClaimName = __LABELLED_ROLES.includes(d.role) ? d.name : null; }} return !!e;",
        lit(sel),
        lit(target)
    ))
}

/// Whether the element typed into is a password field (its read-back is
/// never repeated in an error).
pub(crate) fn is_password(sel: &str) -> String {
    wrap(&format!(
        "const e = __first({0}) || __q({0})[0]; return !!e && e.tagName === 'INPUT' && (e.getAttribute('type') || '').toLowerCase() === 'password';",
        lit(sel)
    ))
}

pub(crate) fn element(sel: &str) -> String {
    wrap(&format!("return __q({})[0] || null;", lit(sel)))
}

/// True when the document changed in the last `since_ms` (a mutation
/// anywhere in it or in an open shadow root, or a step of
/// `document.readyState`), else a promise that resolves true at the next
/// change, false after `max_ms` without one. One observer per document,
/// made by the first call and left connected, notes when the last change
/// was (the page's cost: a timestamp per batch of mutations); so a change
/// made while a poll ran is not missed. A wake is sent a task later, so
/// that one burst of changes (a render, and the microtasks after it) is
/// one wake.
pub(crate) fn changed_within(since_ms: u128, max_ms: u128) -> String {
    format!(
        r#"(() => {{
  let s = window.__distroflowWatch;
  if (!s) {{
    s = window.__distroflowWatch = {{ last: -Infinity, wake: null }};
    const changed = () => {{
      s.last = performance.now();
      const wake = s.wake;
      s.wake = null;
      if (wake) wake();
    }};
    s.obs = new MutationObserver(changed);
    document.addEventListener('readystatechange', changed);
  }}
  const opts = {{ subtree: true, childList: true, attributes: true, characterData: true }};
  // A document's observer does not see into shadow roots: each open one
  // is watched too (observing a node again changes nothing).
  const watch = (root) => {{
    s.obs.observe(root, opts);
    for (const e of root.querySelectorAll('*')) if (e.shadowRoot) watch(e.shadowRoot);
  }};
  watch(document);
  if (performance.now() - s.last <= {since_ms}) return true;
  return new Promise((resolve) => {{
    let woke = false;
    const timer = setTimeout(() => {{ if (s.wake === wake) s.wake = null; resolve(woke); }}, {max_ms});
    const wake = () => {{ woke = true; setTimeout(() => {{ clearTimeout(timer); resolve(true); }}, 0); }};
    s.wake = wake;
  }});
}})()"#
    )
}

pub(crate) const MARK_DOCUMENT: &str = "window.__distroflowDoc = 1; true";
/// Marks a prepared tab's document (`prepared.rs`): gone once another
/// document loads in the tab; kept through the app's own route changes.
pub(crate) const MARK_PREPARED: &str = "window.__distroflowPrepared = 1; true";
pub(crate) const STILL_PREPARED: &str = "window.__distroflowPrepared === 1";
pub(crate) const NEW_DOCUMENT_READY: &str =
    "window.__distroflowDoc === undefined && document.readyState === 'complete'";
pub(crate) const BODY_TEXT: &str = "document.body ? document.body.innerText : ''";

/// Describes elements for fingerprints and similarity search: tag, id,
/// classes, attributes, text, role, accessible name, neighbour text, the
/// root-to-element path (through shadow hosts), box and visibility, and a
/// selector that reaches the element alone.
const DESCRIBE: &str = r#"
const __ATTRS = ['name','type','maxlength','role','aria-label','data-testid','placeholder','href','title','alt','value','contenteditable','aria-disabled','disabled','for','slot','data-lexical-editor'];
const __implicitRole = (e) => {
  const t = e.tagName.toLowerCase();
  if (t === 'button') return 'button';
  if (t === 'a' && e.hasAttribute('href')) return 'link';
  if (t === 'textarea') return 'textbox';
  if (t === 'select') return 'combobox';
  if (t === 'dialog') return 'dialog';
  if (t === 'form') return 'form';
  if (t === 'input') {
    const ty = (e.getAttribute('type') || 'text').toLowerCase();
    if (['submit','button','reset','image'].includes(ty)) return 'button';
    if (ty === 'checkbox') return 'checkbox';
    if (ty === 'radio') return 'radio';
    if (ty === 'file') return 'file';
    if (ty === 'hidden') return '';
    return 'textbox';
  }
  if (e.isContentEditable) return 'textbox';
  return '';
};
const __cssEsc = (s) => (window.CSS && CSS.escape) ? CSS.escape(s) : s.replace(/[^a-zA-Z0-9_-]/g, (c) => '\\' + c);
const __attrSel = (k, v) => '[' + k + '="' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"]';
const __uniqueIn = (root, sel, e) => { try { const m = root.querySelectorAll(sel); return m.length === 1 && m[0] === e; } catch (_) { return false; } };
const __localSel = (e) => {
  const root = e.getRootNode();
  const tag = e.tagName.toLowerCase();
  if (e.id && __uniqueIn(root, '#' + __cssEsc(e.id), e)) return '#' + __cssEsc(e.id);
  for (const k of ['data-testid', 'name', 'aria-label', 'placeholder']) {
    const v = e.getAttribute(k);
    if (v) { const s = tag + __attrSel(k, v); if (__uniqueIn(root, s, e)) return s; }
  }
  const parts = [];
  let n = e;
  while (n && n.nodeType === 1) {
    const t = n.tagName.toLowerCase();
    if (n !== e && n.id && __uniqueIn(root, '#' + __cssEsc(n.id), n)) { parts.unshift('#' + __cssEsc(n.id)); break; }
    const p = n.parentElement;
    if (!p) { parts.unshift(t); break; }
    const same = Array.from(p.children).filter((c) => c.tagName === n.tagName);
    parts.unshift(same.length > 1 ? t + ':nth-of-type(' + (same.indexOf(n) + 1) + ')' : t);
    n = p;
  }
  return parts.join(' > ');
};
const __fullSel = (e) => {
  const chain = [];
  let n = e;
  while (n) {
    chain.unshift(__localSel(n));
    const r = n.getRootNode();
    n = (r instanceof ShadowRoot) ? r.host : null;
  }
  return chain.join(' >>> ');
};
const __path = (e) => {
  const out = [];
  let n = e;
  while (n && n.nodeType === 1) {
    const p = n.parentElement || null;
    const idx = p ? Array.from(p.children).indexOf(n) : 0;
    out.unshift({ tag: n.tagName.toLowerCase(), id: n.id || '', classes: Array.from(n.classList || []), index: Math.max(idx, 0) });
    if (p) { n = p; continue; }
    const r = n.getRootNode();
    n = (r instanceof ShadowRoot) ? r.host : null;
  }
  return out;
};
const __ownText = (e) => __norm(e.isContentEditable ? '' : (e.innerText || e.textContent || '')).slice(0, 200);
const __labelOf = (e) => {
  if (e.labels && e.labels.length) return __norm(e.labels[0].innerText);
  const by = e.getAttribute('aria-labelledby');
  if (by) { const l = e.getRootNode().getElementById ? e.getRootNode().getElementById(by) : null; if (l) return __norm(l.innerText); }
  return '';
};
const __neighbor = (e) => {
  const l = __labelOf(e);
  if (l) return l.slice(0, 100);
  let n = e;
  for (let i = 0; i < 4 && n; i++) {
    let s = n.previousElementSibling;
    while (s) { const t = __norm(s.innerText || s.textContent); if (t) return t.slice(0, 100); s = s.previousElementSibling; }
    n = n.parentElement;
  }
  return '';
};
// An open modal (a `<dialog>` shown modally, or a visible `aria-modal`
// element) makes the rest of the page inert, as it is to a person and to
// assistive technology: what lies behind it is never a repair.
// Controls a person tells apart by their label (a text field's name comes
// from what was typed into it, so it is not one of these).
const __LABELLED_ROLES = ['button', 'link', 'menuitem', 'tab', 'option'];
let __modalsMemo = null;
const __modals = () => __modalsMemo || (__modalsMemo = Array.from(
  document.querySelectorAll('dialog:modal, [aria-modal="true"]')).filter(__vis));
const __within = (m, e) => {
  for (let n = e; n; n = n.parentNode || n.host) { if (n === m) return true; }
  return false;
};
const __inert = (e) => { const ms = __modals(); return ms.length > 0 && !ms.some((m) => __within(m, e)); };
const __describe = (e) => {
  const attrs = {};
  for (const k of __ATTRS) { const v = e.getAttribute(k); if (v !== null && k !== 'role') attrs[k] = v.slice(0, 200); }
  const role = e.getAttribute('role') || __implicitRole(e);
  const text = __ownText(e);
  const name = __norm(e.getAttribute('aria-label') || __labelOf(e) || e.getAttribute('placeholder') || e.getAttribute('alt') || e.getAttribute('title') || (e.tagName === 'INPUT' && ['submit','button'].includes(e.type) ? e.value : '') || text).slice(0, 200);
  const r = e.getBoundingClientRect();
  return { selector: __fullSel(e), tag: e.tagName.toLowerCase(), id: e.id || '', classes: Array.from(e.classList || []),
    attrs, text, role, name, neighbor_text: __neighbor(e), path: __path(e),
    rect: [r.left + scrollX, r.top + scrollY, r.width, r.height], visible: __vis(e),
    claimed: (e.__distroflowClaim && (e.__distroflowClaimName == null || e.__distroflowClaimName === name)) ? e.__distroflowClaim : '',
    inert: __inert(e) };
};
const __ACTIONABLE = 'input:not([type=hidden]),textarea,button,select,a[href],dialog,[role],[contenteditable="true"],[contenteditable=""],[data-testid],[tabindex],[aria-label]';
const __scan = () => {
  const out = [];
  const walk = (root) => {
    for (const e of root.querySelectorAll('*')) {
      if (e.matches(__ACTIONABLE)) out.push(e);
      if (e.shadowRoot) walk(e.shadowRoot);
    }
  };
  walk(document);
  return out.slice(0, 2000).map(__describe);
};
"#;

pub(crate) fn describe(sel: &str) -> String {
    wrap(&format!(
        "{DESCRIBE}\nconst e = __first({}); return e ? __describe(e) : null;",
        lit(sel)
    ))
}

pub(crate) fn scan() -> String {
    wrap(&format!("{DESCRIBE}\nreturn __scan();"))
}
