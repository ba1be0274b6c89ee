//! JavaScript shared by the replicas' pages: a Lexical-like rich text
//! editor (Reddit's post body, Instagram's caption), and string literals
//! safe inside inline scripts and JSON answers.

use std::fmt::Write as _;

/// A rich text editor that behaves like Lexical (Meta's editor, used by new
/// Reddit and Instagram): the text lives in the editor's own model, one
/// string per paragraph; input arrives as `beforeinput` events (typing,
/// `Input.insertText`, Enter, Backspace, paste), is applied to the model and
/// the DOM is rendered from it as
/// `<p dir="ltr"><span data-lexical-text="true">..</span></p>`, an empty
/// paragraph as `<p><br></p>`. Changes made to the DOM behind the editor's
/// back (`innerText = ..`, `execCommand`) are reverted, and `.value` means
/// nothing to it, as on the real sites.
///
/// `ReplicaLexical.attach(element, {dir, paragraphClass, onChange})` returns
/// `{ text(), paragraphs(), clear(), setText(t) }`, also kept as `element.__lexicalEditor`.
pub(crate) const LEXICAL_JS: &str = r#"
window.ReplicaLexical = window.ReplicaLexical || (() => {
  function attach(root, opts) {
    opts = opts || {};
    const doc = root.ownerDocument;
    const dir = opts.dir || 'ltr';
    const paragraphClass = opts.paragraphClass || (() => '');
    const onChange = opts.onChange || (() => {});
    let model = [''];
    const text = () => model.join('\n');

    const observer = new MutationObserver(() => render(null));
    function render(caret) {
      const frag = doc.createDocumentFragment();
      for (const para of model) {
        const p = doc.createElement('p');
        const cls = paragraphClass();
        if (cls) p.className = cls;
        if (para === '') {
          p.appendChild(doc.createElement('br'));
        } else {
          p.setAttribute('dir', dir);
          const span = doc.createElement('span');
          span.setAttribute('data-lexical-text', 'true');
          span.textContent = para;
          p.appendChild(span);
        }
        frag.appendChild(p);
      }
      observer.disconnect();
      root.replaceChildren(frag);
      observer.observe(root, { childList: true, characterData: true, subtree: true, attributes: false });
      if (caret && doc.activeElement === root) place(caret);
      root.toggleAttribute('data-empty', text() === '');
      onChange(text());
    }

    function place(at) {
      const sel = doc.getSelection();
      if (!sel) return;
      const p = root.childNodes[at[0]];
      if (!p) return;
      const range = doc.createRange();
      const span = p.querySelector('[data-lexical-text]');
      if (span && span.firstChild) range.setStart(span.firstChild, Math.min(at[1], span.firstChild.length));
      else range.setStart(p, 0);
      range.collapse(true);
      sel.removeAllRanges();
      sel.addRange(range);
    }

    const end = () => [model.length - 1, model[model.length - 1].length];
    function point(node, offset) {
      if (node === root) {
        if (offset >= root.childNodes.length) return end();
        return [Math.min(offset, model.length - 1), 0];
      }
      if (!root.contains(node)) return null;
      let p = node;
      while (p && p.parentNode !== root) p = p.parentNode;
      const i = Array.prototype.indexOf.call(root.childNodes, p);
      if (i < 0 || i >= model.length) return end();
      const r = doc.createRange();
      r.setStart(p, 0);
      r.setEnd(node, offset);
      return [i, Math.min(r.toString().length, model[i].length)];
    }
    function selection() {
      const sel = doc.getSelection();
      if (!sel || sel.rangeCount === 0) return [end(), end()];
      const r = sel.getRangeAt(0);
      const a = point(r.startContainer, r.startOffset);
      const b = point(r.endContainer, r.endOffset);
      if (!a || !b) return [end(), end()];
      return [a, b];
    }
    const same = (a, b) => a[0] === b[0] && a[1] === b[1];
    function remove(a, b) {
      if (a[0] === b[0]) {
        model[a[0]] = model[a[0]].slice(0, a[1]) + model[a[0]].slice(b[1]);
      } else {
        model.splice(a[0], b[0] - a[0] + 1, model[a[0]].slice(0, a[1]) + model[b[0]].slice(b[1]));
      }
      return a;
    }
    function insert(at, data) {
      const parts = data.replace(/\r\n?/g, '\n').split('\n');
      const [i, o] = at;
      const head = model[i].slice(0, o);
      const tail = model[i].slice(o);
      const lines = parts.slice();
      lines[0] = head + lines[0];
      const caret = [i + lines.length - 1, lines[lines.length - 1].length];
      lines[lines.length - 1] += tail;
      model.splice(i, 1, ...lines);
      return caret;
    }
    const isLow = (c) => c >= 0xdc00 && c <= 0xdfff;
    function backward(at) {
      const [i, o] = at;
      if (o > 0) {
        const s = model[i];
        const n = o >= 2 && isLow(s.charCodeAt(o - 1)) ? 2 : 1;
        return remove([i, o - n], at);
      }
      if (i > 0) return remove([i - 1, model[i - 1].length], at);
      return at;
    }
    function forward(at) {
      const [i, o] = at;
      const s = model[i];
      if (o < s.length) {
        const n = isLow(s.charCodeAt(o + 1)) ? 2 : 1;
        return remove(at, [i, o + n]);
      }
      if (i < model.length - 1) return remove(at, [i + 1, 0]);
      return at;
    }

    root.addEventListener('beforeinput', (e) => {
      const t = e.inputType || '';
      if (t === 'insertCompositionText') return;
      e.preventDefault();
      const [a, b] = selection();
      let caret;
      if (t === 'insertText' || t === 'insertReplacementText' || t.startsWith('insertFrom')) {
        let data = e.data;
        if (data == null && e.dataTransfer) data = e.dataTransfer.getData('text/plain');
        if (data == null) return;
        caret = insert(remove(a, b), data);
      } else if (t === 'insertParagraph' || t === 'insertLineBreak') {
        caret = insert(remove(a, b), '\n');
      } else if (t.startsWith('delete')) {
        if (!same(a, b)) caret = remove(a, b);
        else if (t.includes('Backward')) caret = backward(a);
        else caret = forward(a);
      } else {
        return;
      }
      render(caret);
    });
    root.addEventListener('paste', (e) => {
      e.preventDefault();
      const data = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
      const [a, b] = selection();
      render(insert(remove(a, b), data));
    });

    const api = {
      text,
      paragraphs: () => model.slice(),
      clear: () => { model = ['']; render([0, 0]); },
      setText: (t) => { model = String(t).replace(/\r\n?/g, '\n').split('\n'); render(end()); },
    };
    root.__lexicalEditor = api;
    render(null);
    return api;
  }
  return { attach };
})();
"#;

/// `s` as a double-quoted JavaScript string, also valid JSON, safe inside
/// an inline `<script>` (no `</script>`, no raw line separators).
pub(crate) fn js_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::js_string;

    #[test]
    fn strings_are_json_and_script_safe() {
        assert_eq!(js_string("a\"b\\c\n"), r#""a\"b\\c\n""#);
        assert_eq!(js_string("</script>"), r#""\u003c/script\u003e""#);
        assert_eq!(js_string("😀 漢字\u{1}"), "\"😀 漢字\\u0001\"");
    }
}
