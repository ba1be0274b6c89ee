/* The LinkedIn replica's feed app.
 *
 * After a random hydration delay it renders the nav and the "Start a post"
 * entry; `?shareActive=true` (or the entry) opens the member's share box:
 *  - classic: an Ember-style modal rendered into the OPEN shadow root of
 *    div#interop-outlet, with a Quill editor (div.ql-editor, one <p> per
 *    line, `ql-blank` when empty) and button.share-actions__primary-action;
 *  - sdui: a placeholder <dialog> first (a skeleton, no editor), swapped
 *    ~500 ms later for the real <dialog>: a ProseMirror editor keyed
 *    componentkey="ShareBox_textEditor", obfuscated class names, icon
 *    buttons with labels, and the footer's only text-only button, "Post".
 * Both editors keep their own model (they handle beforeinput and re-render;
 * DOM changes made behind their back are undone). Media: the media button
 * makes a file input at click time. Posting calls the Voyager API with the
 * JSESSIONID value as `csrf-token`; the toast says "Post successful." and
 * links to the new post.
 */
(function () {
  'use strict';
  var S = JSON.parse(document.getElementById('li-state').textContent);
  var C = S.classes;
  var MAX = 3000;

  function h(tag, attrs) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k.indexOf('on') === 0 && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      e.append(c.nodeType ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  function icon() { return h('svg', { 'aria-hidden': 'true', width: 24, height: 24 }); }
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)JSESSIONID="?([^";]+)"?/);
    return m ? m[1] : '';
  }
  function voyager(path, body, type) {
    var headers = { 'csrf-token': csrf() };
    headers['Content-Type'] = type || 'application/json';
    return fetch('/voyager/api/' + path, { method: 'POST', headers: headers, credentials: 'include',
      body: type ? body : JSON.stringify(body) }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) { return { status: r.status, data: d }; });
    });
  }

  // An editor with its own model: one <p> per line (Quill and ProseMirror alike).
  function Editor(el, onChange, emptyClass) {
    var lines = [''];
    var observer = new MutationObserver(function () { render(); });
    function render() {
      observer.disconnect();
      el.replaceChildren.apply(el, lines.map(function (l) { return l ? h('p', null, l) : h('p', null, h('br')); }));
      if (emptyClass) el.classList.toggle(emptyClass, lines.length === 1 && !lines[0]);
      observer.observe(el, { childList: true, subtree: true, characterData: true });
    }
    function root() { return el.getRootNode(); }
    function selection() {
      var r = root();
      var sel = r.getSelection ? r.getSelection() : window.getSelection();
      var end = { b: lines.length - 1, o: lines[lines.length - 1].length };
      if (!sel || !sel.rangeCount) return { s: end, e: end };
      var range = sel.getRangeAt(0);
      if (!el.contains(range.startContainer)) return { s: end, e: end };
      function pos(node, off) {
        var ps = el.children;
        for (var i = 0; i < ps.length; i++) {
          if (ps[i] === node || ps[i].contains(node)) {
            var pre = document.createRange(); pre.setStart(ps[i], 0); pre.setEnd(node, off);
            return { b: i, o: Math.min(pre.toString().length, lines[i].length) };
          }
        }
        return node === el && off === 0 ? { b: 0, o: 0 } : end;
      }
      return { s: pos(range.startContainer, range.startOffset), e: pos(range.endContainer, range.endOffset) };
    }
    function replace(r, text) {
      var s = r.s, e = r.e;
      if (e.b < s.b || (e.b === s.b && e.o < s.o)) { var t = s; s = e; e = t; }
      var parts = (lines[s.b].slice(0, s.o) + text).split('\n');
      var caret = { b: s.b + parts.length - 1, o: parts[parts.length - 1].length };
      parts[parts.length - 1] += lines[e.b].slice(e.o);
      lines.splice.apply(lines, [s.b, e.b - s.b + 1].concat(parts));
      render();
      var p = el.children[caret.b];
      var rng = document.createRange();
      if (p.firstChild && p.firstChild.nodeType === 3) rng.setStart(p.firstChild, caret.o); else rng.setStart(p, 0);
      rng.collapse(true);
      var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(rng);
      onChange();
    }
    el.addEventListener('beforeinput', function (ev) {
      ev.preventDefault();
      var r = selection();
      var collapsed = r.s.b === r.e.b && r.s.o === r.e.o;
      var t = ev.inputType;
      if (t === 'insertText' || t === 'insertFromPaste' || t === 'insertReplacementText') {
        var d = ev.data != null ? ev.data : (ev.dataTransfer ? ev.dataTransfer.getData('text/plain') : '');
        replace(r, String(d).replace(/\r\n?/g, '\n'));
      } else if (t === 'insertParagraph' || t === 'insertLineBreak') replace(r, '\n');
      else if (t.indexOf('delete') === 0) {
        if (!collapsed) replace(r, '');
        else if (r.s.o > 0) replace({ s: { b: r.s.b, o: r.s.o - 1 }, e: r.s }, '');
        else if (r.s.b > 0) replace({ s: { b: r.s.b - 1, o: lines[r.s.b - 1].length }, e: r.s }, '');
      }
    });
    el.addEventListener('paste', function (ev) { ev.preventDefault(); });
    render();
    return { text: function () { return lines.join('\n'); } };
  }

  function toast(html) {
    var t = h('div', { class: 'artdeco-toast-item artdeco-toast-item--visible', role: 'alert' });
    t.innerHTML = html;
    document.body.append(t);
    setTimeout(function () { t.remove(); }, 8000);
  }

  // The share box's common flow; `parts` holds its elements.
  function wire(parts, close) {
    var media = [];
    var uploading = 0;
    var ed = Editor(parts.editor, update, parts.emptyClass);
    function update() {
      var text = ed.text();
      var n = text.length;
      parts.post.disabled = uploading > 0 || n > MAX || (!text.trim() && !media.length);
    }
    parts.media.addEventListener('click', function () {
      var input = document.createElement('input');
      input.type = 'file'; input.multiple = true; input.accept = 'image/*,video/*';
      input.addEventListener('change', function () {
        Array.from(input.files || []).forEach(function (f) {
          uploading++; update();
          voyager('media/upload', f, f.type || 'application/octet-stream').then(function (r) {
            uploading--;
            if (r.status !== 200) { toast('<p class="artdeco-toast-item__message">' + (r.data.message || 'Upload failed') + '</p>'); update(); return; }
            media.push(r.data.value.urn);
            parts.preview.append(h('img', { src: URL.createObjectURL(f), alt: f.name, width: 80 }));
            update();
          });
        });
      });
      input.click();
    });
    parts.post.addEventListener('click', function () {
      if (parts.post.disabled) return;
      parts.post.disabled = true;
      voyager('contentcreation/normShares', { visibleToConnectionsOnly: false, commentary: ed.text(), media: media, origin: 'FEED' })
        .then(function (r) {
          if (r.status !== 201) {
            toast('<p class="artdeco-toast-item__message">Something went wrong. ' + (r.data.message || '') + '</p>');
            update();
            return;
          }
          close();
          toast('<p class="artdeco-toast-item__message">Post successful. <a class="artdeco-toast-item__cta" href="/feed/update/' + r.data.value.activityUrn + '/">View post</a></p>');
        });
    });
    update();
    parts.editor.focus();
  }

  function classic() {
    var host = document.getElementById('interop-outlet');
    var root = host.shadowRoot || host.attachShadow({ mode: 'open' });
    var editor = h('div', { class: 'ql-editor ql-blank', contenteditable: 'true', role: 'textbox', 'aria-multiline': 'true',
      'aria-label': 'Text editor for creating content', 'data-placeholder': 'What do you want to talk about?', 'data-gramm': 'false' });
    var post = h('button', { class: 'share-actions__primary-action artdeco-button artdeco-button--primary', type: 'button', disabled: true }, h('span', { class: 'artdeco-button__text' }, 'Post'));
    var mediaBtn = h('button', { class: 'share-promoted-detour-button artdeco-button', type: 'button', 'aria-label': 'Add media' }, h('li-icon', { type: 'image-medium', 'aria-hidden': 'true' }));
    var preview = h('div', { class: 'share-creation-state__media-preview' });
    var overlay = h('div', { class: 'artdeco-modal-overlay artdeco-modal-overlay--is-top-layer' },
      h('div', { class: 'artdeco-modal share-box', role: 'dialog', 'aria-labelledby': 'share-to-linkedin-modal__header' },
        h('h2', { id: 'share-to-linkedin-modal__header', class: 'share-box__title' }, 'Create a post'),
        h('button', { class: 'artdeco-modal__dismiss', type: 'button', 'aria-label': 'Dismiss', onclick: function () { overlay.remove(); } }, '×'),
        h('div', { class: 'share-creation-state__text-editor' }, h('div', { class: 'editor-container' },
          h('div', { class: 'ql-container' }, editor, h('div', { class: 'ql-clipboard', contenteditable: 'true', tabindex: '-1' })))),
        preview,
        h('div', { class: 'share-creation-state__footer' },
          h('div', { class: 'share-creation-state__promoted-detour-button-item' }, mediaBtn),
          h('div', { class: 'share-box_actions' }, post))));
    root.replaceChildren(overlay);
    wire({ editor: editor, post: post, media: mediaBtn, preview: preview, emptyClass: 'ql-blank' }, function () { overlay.remove(); });
  }

  function sdui() {
    // A placeholder dialog first, replaced by the real one ~500 ms later.
    var placeholder = h('dialog', { class: C[0], open: true, 'aria-busy': 'true' },
      h('div', { class: C[1] }, h('div', { class: C[2] }), h('div', { class: C[2] })));
    document.body.append(placeholder);
    setTimeout(function () {
      placeholder.remove();
      var editor = h('div', { class: 'tiptap ProseMirror ' + C[3], componentkey: 'ShareBox_textEditor', contenteditable: 'true',
        role: 'textbox', 'aria-multiline': 'true', 'aria-label': 'Text editor for creating content', translate: 'no' });
      var post = h('button', { class: C[4], type: 'button', disabled: true }, 'Post');
      var mediaBtn = h('button', { class: C[5], type: 'button', 'aria-label': 'Add a photo' }, icon());
      var preview = h('div', { class: C[6] });
      var dialog = h('dialog', { class: C[7], open: true, 'aria-labelledby': 'share-compose-title' },
        h('div', { 'data-sdui-screen': 'com.linkedin.sdui.flagshipnav.sharing.ShareCompose', class: C[8] },
          h('div', { class: C[9] }, h('h2', { id: 'share-compose-title', class: C[10] }, 'Create post'),
            h('button', { class: C[5], type: 'button', 'aria-label': 'Dismiss', onclick: function () { dialog.remove(); } }, icon())),
          h('div', { 'data-testid': 'ui-core-tiptap-text-editor-wrapper', class: C[11] }, editor),
          preview,
          h('div', { class: C[1] }, mediaBtn,
            h('button', { class: C[5], type: 'button', 'aria-label': 'Add a video' }, icon()),
            h('button', { class: C[5], type: 'button', 'aria-label': 'Schedule post' }, icon()),
            post)));
      document.body.append(dialog);
      wire({ editor: editor, post: post, media: mediaBtn, preview: preview }, function () { dialog.remove(); });
    }, 500);
  }

  function boot() {
    var app = document.getElementById('app');
    var start = h('button', { class: 'share-box-feed-entry__trigger artdeco-button', type: 'button' }, 'Start a post');
    start.addEventListener('click', function () { (S.box === 'sdui' ? sdui : classic)(); });
    app.replaceChildren(
      h('header', { class: 'global-nav' }, h('nav', { class: 'global-nav__nav', 'aria-label': 'Primary Navigation' },
        h('a', { class: 'global-nav__primary-link', href: '/feed/' }, 'Home'), ' ',
        h('a', { class: 'global-nav__primary-link global-nav__me-link', href: '/in/' + S.me + '/', 'aria-label': 'Me' }, 'Me'))),
      h('main', { class: 'scaffold-layout__main', 'aria-label': 'Main Feed' },
        h('div', { class: 'share-box-feed-entry__wrapper' }, start),
        h('div', { class: 'scaffold-finite-scroll' }, 'Your feed')));
    if (new URLSearchParams(location.search).get('shareActive') === 'true') start.click();
  }
  var lo = S.hydration[0], hi = S.hydration[1];
  setTimeout(boot, lo + Math.floor(Math.random() * Math.max(1, hi - lo)));
})();
