/* The X replica's client app (what x.com serves as main.<hash>.js).
 *
 * Plain JavaScript. After a random hydration delay it renders the app shell
 * (side nav, primary column, #layers), the inline composer on /home and the
 * compose modal on /compose/post, or the login flow on /i/flow/login.
 *
 * The editor copies Draft.js: it keeps its own model (one string per block),
 * handles `beforeinput` itself (always preventDefault) and re-renders the
 * blocks from the model, so setting `.value` or `textContent` changes
 * nothing that gets posted. Uploads re-render the editors (focus is lost),
 * as on the real site.
 *
 * `STATE.ui` picks the UI version (see drift.rs): 0 is today's x.com, 1
 * renames test ids, rewords labels and changes the class atoms, 2 rebuilds
 * the composer and shows a "Got it" sheet that blocks it until closed.
 */
(function () {
  'use strict';

  var STATE = JSON.parse(document.getElementById('__INITIAL_STATE__').textContent);
  var VIEWER = STATE.viewer;
  var QUERY_ID = STATE.createTweetQueryId;
  var UI = STATE.ui || 0;
  var ALLOWED = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'video/mp4', 'video/quicktime'];
  var BEARER = 'AAAAAAAAAAAAAAAAAAAAAReplicaReplicaReplicaReplica%3DnotARealToken';
  var FEATURES = {
    communities_web_enable_tweet_community_results_fetch: true,
    responsive_web_edit_tweet_api_enabled: true,
    longform_notetweets_consumption_enabled: true,
    responsive_web_enhance_cards_enabled: false
  };
  var T = {
    placeholder: UI === 0 ? 'What is happening?!' : "What's happening?",
    sent: 'Your post was sent.',
    view: 'View',
    duplicate: 'Whoops! You already said that.',
    dailyLimit: 'You are over the daily limit for sending posts.',
    automated: "This request looks like it might be automated. To protect our users from spam and other malicious activity, we can't complete this action right now. Please try again later.",
    wrong: 'Something went wrong. Try sending your post again in a minute.',
    tooMany: 'Please choose up to 4 photos, videos, or GIFs.',
    videoMix: 'Please choose either 1 video or GIF, or up to 4 photos.',
    mediaFailed: 'Some of your media failed to load.',
    noAccount: 'Sorry, we could not find your account.'
  };
  var TOAST_MS = 5000;

  // ---- UI versions -----------------------------------------------------------

  // What each version calls the composer's parts (null: no attribute).
  var V = {
    editorId: function (i) { return UI === 0 ? 'tweetTextarea_' + i : UI === 1 ? 'postTextarea_' + i : null; },
    editorLabel: UI === 0 ? 'Post text' : "What's happening",
    postId: function (inline) {
      if (UI === 0) return inline ? 'tweetButtonInline' : 'tweetButton';
      if (UI === 1) return inline ? 'postButtonInline' : 'postButton';
      return null;
    },
    fileId: UI === 0 ? 'fileInput' : UI === 1 ? 'mediaInput' : null,
    addId: UI < 2 ? 'addButton' : 'addPostButton',
    addLabel: UI < 2 ? 'Add post' : 'Add another post',
    attachmentsId: UI === 0 ? 'attachments' : 'mediaPreviews'
  };

  // Generated class atoms (`css-175oi2r`, `r-18u37iz`) change with every
  // deploy: later versions rename them, in the markup and the stylesheet.
  function atom(token) {
    var m = /^(css|r)-([0-9a-z]+)$/.exec(token);
    if (!m || UI === 0) return token;
    var rev = m[2].split('').reverse().join('');
    return m[1] + '-' + (UI === 1 ? rev : rev.slice(2) + rev.slice(0, 2));
  }

  function classes(v) {
    return UI === 0 ? String(v) : String(v).split(/\s+/).map(atom).join(' ');
  }

  if (UI !== 0) {
    Array.prototype.forEach.call(document.querySelectorAll('head style'), function (style) {
      style.textContent = style.textContent.replace(/\.(?:css|r)-[0-9a-z]+/g, function (sel) {
        return '.' + atom(sel.slice(1));
      });
    });
  }

  // ---- helpers ------------------------------------------------------------

  function h(tag, props) {
    var e = document.createElement(tag);
    var p = props || {};
    Object.keys(p).forEach(function (k) {
      var v = p[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'class') e.className = classes(v);
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    });
    for (var i = 2; i < arguments.length; i++) append(e, arguments[i]);
    return e;
  }

  function append(parent, kid) {
    if (kid === null || kid === undefined || kid === false) return;
    if (Array.isArray(kid)) { kid.forEach(function (k) { append(parent, k); }); return; }
    parent.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }

  function randomKey() {
    return Math.random().toString(36).slice(2, 7).padEnd(5, '0');
  }

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return '';
  }

  function apiHeaders(extra) {
    var headers = {
      'authorization': 'Bearer ' + BEARER,
      'x-csrf-token': readCookie('ct0'),
      'x-twitter-active-user': 'yes',
      'x-twitter-auth-type': 'OAuth2Session',
      'x-twitter-client-language': 'en'
    };
    Object.keys(extra || {}).forEach(function (k) { headers[k] = extra[k]; });
    return headers;
  }

  function setDisabled(button, disabled) {
    if (disabled) {
      button.setAttribute('aria-disabled', 'true');
      button.setAttribute('tabindex', '-1');
    } else {
      button.removeAttribute('aria-disabled');
      button.setAttribute('tabindex', '0');
    }
  }

  function isDisabled(button) {
    return button.getAttribute('aria-disabled') === 'true';
  }

  var segmenter = (typeof Intl !== 'undefined' && Intl.Segmenter)
    ? new Intl.Segmenter(undefined, { granularity: 'grapheme' })
    : null;

  // Length in UTF-16 units of the grapheme ending at `at` / starting at `at`.
  function graphemeBefore(s, at) {
    var head = s.slice(0, at);
    if (!head) return 0;
    if (segmenter) {
      var last = null;
      for (var seg of segmenter.segment(head)) last = seg;
      return last ? last.segment.length : 1;
    }
    var c = head.charCodeAt(head.length - 1);
    return (c >= 0xdc00 && c <= 0xdfff && head.length > 1) ? 2 : 1;
  }

  function graphemeAfter(s, at) {
    var tail = s.slice(at);
    if (!tail) return 0;
    if (segmenter) {
      for (var seg of segmenter.segment(tail)) return seg.segment.length;
    }
    var c = tail.charCodeAt(0);
    return (c >= 0xd800 && c <= 0xdbff && tail.length > 1) ? 2 : 1;
  }

  // ---- toasts (in #layers) --------------------------------------------------

  var layers = null;
  var toastRegion = null;

  function toast(text, href) {
    if (!toastRegion) return;
    var node = h('div', { role: 'alert', 'data-testid': 'toast', class: 'css-175oi2r r-1h0z5md' },
      h('div', { dir: 'ltr', class: 'css-146c3p1' }, h('span', { class: 'css-1jxf684' }, text)),
      href ? h('a', { href: href, role: 'link', class: 'css-175oi2r r-lrvibr' },
        h('div', { dir: 'ltr', class: 'css-146c3p1' }, h('span', { class: 'css-1jxf684' }, T.view))) : null);
    // One toast at a time, as on the real site.
    toastRegion.replaceChildren(node);
    setTimeout(function () { node.remove(); }, TOAST_MS);
  }

  // ---- the editor -------------------------------------------------------------

  function Editor(index, hooks) {
    this.index = index;
    this.hooks = hooks;
    this.blocks = [''];
    this.keys = [randomKey()];
    this.editorKey = randomKey();
    this.composing = null;
    this.root = null;
    this.build();
  }

  Editor.prototype.text = function () { return this.blocks.join('\n'); };
  Editor.prototype.hasText = function () { return this.text().trim().length > 0; };

  // Builds the whole editor DOM anew (first render, or a re-render after an
  // upload: the old element goes, focus with it).
  Editor.prototype.build = function () {
    var self = this;
    var placeholderId = 'placeholder-' + this.editorKey;
    this.placeholder = h('div', { class: 'public-DraftEditorPlaceholder-root' },
      h('div', { class: 'public-DraftEditorPlaceholder-inner', id: placeholderId, style: 'white-space: pre-wrap;' }, T.placeholder));
    this.contents = h('div', { 'data-contents': 'true' });
    this.content = h('div', {
      'aria-activedescendant': null,
      'aria-autocomplete': 'list',
      'aria-describedby': placeholderId,
      'aria-label': V.editorLabel,
      'aria-multiline': 'true',
      class: 'notranslate public-DraftEditor-content',
      contenteditable: 'true',
      'data-testid': V.editorId(this.index),
      role: 'textbox',
      spellcheck: 'true',
      tabindex: '0',
      'no-focus-outline': 'true',
      style: 'outline: none; user-select: text; white-space: pre-wrap; overflow-wrap: break-word;'
    }, this.contents);
    this.content.addEventListener('beforeinput', function (e) { self.onBeforeInput(e); });
    this.content.addEventListener('input', function (e) { self.onInput(e); });
    this.content.addEventListener('keydown', function (e) { self.onKeyDown(e); });
    this.content.addEventListener('paste', function (e) { self.onPaste(e); });
    this.content.addEventListener('drop', function (e) { e.preventDefault(); });
    this.content.addEventListener('compositionstart', function () { self.composing = self.selection(); });
    this.content.addEventListener('compositionend', function (e) { self.onCompositionEnd(e); });
    this.content.addEventListener('focus', function () { if (self.hooks.focus) self.hooks.focus(); });
    // DOM changes made behind the editor's back (textContent = .., a stray
    // execCommand) are undone: the model is the truth.
    if (this.observer) this.observer.disconnect();
    this.observer = new MutationObserver(function () {
      if (self.composing) return;
      var caret = self.selection().end;
      self.render();
      self.placeCaret(caret);
    });
    var root = h('div', { class: 'DraftEditor-root' }, this.placeholder,
      h('div', { class: 'DraftEditor-editorContainer' }, this.content));
    if (this.root && this.root.parentNode) this.root.replaceWith(root);
    this.root = root;
    this.render();
  };

  Editor.prototype.remount = function () { this.build(); };

  Editor.prototype.render = function () {
    if (this.observer) this.observer.disconnect();
    var frag = document.createDocumentFragment();
    for (var i = 0; i < this.blocks.length; i++) {
      var key = this.keys[i] + '-0-0';
      var text = this.blocks[i];
      var leaf = text.length
        ? h('span', { 'data-text': 'true' }, text)
        : h('br', { 'data-text': 'true' });
      frag.append(h('div', { class: '', 'data-block': 'true', 'data-editor': this.editorKey, 'data-offset-key': key },
        h('div', { 'data-offset-key': key, class: 'public-DraftStyleDefault-block public-DraftStyleDefault-ltr' },
          h('span', { 'data-offset-key': key }, leaf))));
    }
    this.contents.replaceChildren(frag);
    if (this.content.childNodes.length !== 1 || this.content.firstChild !== this.contents) {
      this.content.replaceChildren(this.contents);
    }
    var empty = this.blocks.length === 1 && this.blocks[0] === '';
    this.placeholder.classList.toggle('public-DraftEditorPlaceholder-hidden', !empty);
    if (empty) this.content.setAttribute('aria-describedby', 'placeholder-' + this.editorKey);
    else this.content.removeAttribute('aria-describedby');
    this.observer.observe(this.content, { childList: true, characterData: true, subtree: true });
  };

  Editor.prototype.focus = function () {
    this.content.focus();
    var last = this.blocks.length - 1;
    this.placeCaret({ b: last, o: this.blocks[last].length });
  };

  // A DOM point as a model position {b: block, o: UTF-16 offset}.
  Editor.prototype.pos = function (node, offset) {
    var blocks = this.contents.children;
    for (var i = 0; i < blocks.length && i < this.blocks.length; i++) {
      var range = document.createRange();
      range.selectNodeContents(blocks[i]);
      var cmp;
      try { cmp = range.comparePoint(node, offset); } catch (err) { cmp = 1; }
      if (cmp < 0) return { b: i, o: 0 };
      if (cmp === 0) {
        var pre = document.createRange();
        pre.setStart(blocks[i], 0);
        pre.setEnd(node, offset);
        return { b: i, o: Math.min(pre.toString().length, this.blocks[i].length) };
      }
    }
    var last = this.blocks.length - 1;
    return { b: last, o: this.blocks[last].length };
  };

  Editor.prototype.selection = function () {
    var sel = window.getSelection();
    var last = this.blocks.length - 1;
    var end = { b: last, o: this.blocks[last].length };
    if (!sel || sel.rangeCount === 0) return { start: end, end: end };
    var r = sel.getRangeAt(0);
    if (!this.content.contains(r.startContainer) || !this.content.contains(r.endContainer)) {
      return { start: end, end: end };
    }
    return { start: this.pos(r.startContainer, r.startOffset), end: this.pos(r.endContainer, r.endOffset) };
  };

  function before(a, b) { return a.b < b.b || (a.b === b.b && a.o < b.o); }
  function same(a, b) { return a.b === b.b && a.o === b.o; }

  // Replaces the model text between two positions; "\n" splits blocks.
  Editor.prototype.replace = function (range, text) {
    var start = range.start, end = range.end;
    if (before(end, start)) { var t = start; start = end; end = t; }
    text = String(text).replace(/\r\n?/g, '\n');
    var head = this.blocks[start.b].slice(0, start.o);
    var tail = this.blocks[end.b].slice(end.o);
    var lines = (head + text).split('\n');
    var caret = { b: start.b + lines.length - 1, o: lines[lines.length - 1].length };
    lines[lines.length - 1] += tail;
    var firstKey = this.keys[start.b];
    var keys = lines.map(function (_, i) { return i === 0 ? firstKey : randomKey(); });
    this.blocks.splice.apply(this.blocks, [start.b, end.b - start.b + 1].concat(lines));
    this.keys.splice.apply(this.keys, [start.b, end.b - start.b + 1].concat(keys));
    this.commit(caret);
  };

  Editor.prototype.commit = function (caret) {
    this.render();
    this.placeCaret(caret);
    if (this.hooks.change) this.hooks.change();
  };

  Editor.prototype.placeCaret = function (caret) {
    if (document.activeElement !== this.content) return;
    var blockEl = this.contents.children[caret.b];
    if (!blockEl) return;
    var leaf = blockEl.querySelector('[data-text="true"]');
    var range = document.createRange();
    if (leaf && leaf.tagName === 'SPAN' && leaf.firstChild) {
      range.setStart(leaf.firstChild, Math.min(caret.o, leaf.firstChild.length));
    } else if (leaf) {
      range.setStart(leaf.parentNode, 0);
    } else {
      range.setStart(blockEl, 0);
    }
    range.collapse(true);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  };

  Editor.prototype.deleteBackward = function (range) {
    if (!same(range.start, range.end)) { this.replace(range, ''); return; }
    var p = range.start;
    if (p.o > 0) {
      this.replace({ start: { b: p.b, o: p.o - graphemeBefore(this.blocks[p.b], p.o) }, end: p }, '');
    } else if (p.b > 0) {
      this.replace({ start: { b: p.b - 1, o: this.blocks[p.b - 1].length }, end: p }, '');
    } else {
      this.commit(p);
    }
  };

  Editor.prototype.deleteForward = function (range) {
    if (!same(range.start, range.end)) { this.replace(range, ''); return; }
    var p = range.start;
    if (p.o < this.blocks[p.b].length) {
      this.replace({ start: p, end: { b: p.b, o: p.o + graphemeAfter(this.blocks[p.b], p.o) } }, '');
    } else if (p.b < this.blocks.length - 1) {
      this.replace({ start: p, end: { b: p.b + 1, o: 0 } }, '');
    } else {
      this.commit(p);
    }
  };

  Editor.prototype.targetRange = function (e) {
    var ranges = e.getTargetRanges ? e.getTargetRanges() : [];
    if (!ranges.length) return null;
    var r = ranges[0];
    if (!this.content.contains(r.startContainer) || !this.content.contains(r.endContainer)) return null;
    return { start: this.pos(r.startContainer, r.startOffset), end: this.pos(r.endContainer, r.endOffset) };
  };

  Editor.prototype.onBeforeInput = function (e) {
    var type = e.inputType;
    // Behind the v2 sheet the composer takes nothing.
    if (sheet) { e.preventDefault(); return; }
    // IME composition cannot be cancelled; the model catches up at compositionend.
    if (type === 'insertCompositionText') return;
    e.preventDefault();
    var range = this.selection();
    var target;
    switch (type) {
      case 'insertText':
      case 'insertReplacementText':
      case 'insertFromPaste':
      case 'insertFromPasteAsQuotation':
      case 'insertFromDrop':
      case 'insertFromYank': {
        var data = e.data;
        if ((data === null || data === undefined) && e.dataTransfer) data = e.dataTransfer.getData('text/plain');
        if (data === null || data === undefined) return;
        if (type === 'insertReplacementText') range = this.targetRange(e) || range;
        this.replace(range, data);
        return;
      }
      case 'insertParagraph':
      case 'insertLineBreak':
        this.replace(range, '\n');
        return;
      case 'deleteContentBackward':
        target = this.targetRange(e);
        this.deleteBackward(target && !same(target.start, target.end) ? target : range);
        return;
      case 'deleteContentForward':
        target = this.targetRange(e);
        this.deleteForward(target && !same(target.start, target.end) ? target : range);
        return;
      case 'deleteByCut':
      case 'deleteByDrag':
      case 'deleteContent':
        if (!same(range.start, range.end)) this.replace(range, '');
        return;
      default:
        if (type.indexOf('delete') === 0) {
          // Word, line and soft-line deletes: the browser computed the range.
          target = this.targetRange(e);
          if (target && !same(target.start, target.end)) this.replace(target, '');
          else if (type.indexOf('Backward') > 0) this.deleteBackward(range);
          else this.deleteForward(range);
        }
        // Formatting, undo and anything else: not supported, ignored.
    }
  };

  // A mutation the editor did not make (composition, an extension):
  // the model wins, as in Draft.js.
  Editor.prototype.onInput = function (e) {
    if (this.composing || e.isComposing) return;
    var caret = this.selection().end;
    this.render();
    this.placeCaret(caret);
  };

  Editor.prototype.onCompositionEnd = function (e) {
    var range = this.composing || this.selection();
    this.composing = null;
    this.replace(range, e.data || '');
  };

  Editor.prototype.onPaste = function (e) {
    e.preventDefault();
    if (sheet) return;
    var data = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
    if (data) this.replace(this.selection(), data);
  };

  Editor.prototype.onKeyDown = function (e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (this.hooks.submit) this.hooks.submit();
    }
  };

  // ---- the composer -----------------------------------------------------------

  function mediaValid(media) {
    var videos = media.filter(function (m) { return m.mime.indexOf('video/') === 0; }).length;
    return media.length <= 4 && (videos === 0 || media.length === 1);
  }

  function Composer(opts) {
    var self = this;
    this.inline = opts.inline;
    this.onDone = opts.onDone || null;
    this.items = [];
    this.active = 0;
    this.uploading = 0;
    this.sending = false;
    this.itemsEl = h('div', { class: 'css-175oi2r' });
    this.fileInput = h('input', {
      accept: ALLOWED.join(','),
      multiple: true,
      tabindex: '-1',
      type: 'file',
      class: 'r-8akbif',
      'data-testid': V.fileId
    });
    this.fileInput.addEventListener('change', function () { self.onFiles(); });
    var mediaButton = h('button', {
      'aria-label': 'Add photos or video', role: 'button', type: 'button',
      class: 'css-175oi2r r-1loqt21 r-1niwhzg r-sdzlij',
      onclick: function () { self.fileInput.click(); }
    }, h('span', { class: 'css-1jxf684' }, 'Media'));
    this.addButton = h('button', {
      'aria-label': V.addLabel, role: 'button', type: 'button', 'data-testid': V.addId,
      class: 'css-175oi2r r-sdzlij r-1niwhzg',
      onclick: function () { self.onAdd(); }
    }, h('span', { class: 'css-1jxf684' }, '+'));
    this.postLabel = h('span', { class: 'css-1jxf684' }, 'Post');
    // A `button` today; v2 went back to a `div[role=button]` without a test id.
    this.postButton = h(UI >= 2 ? 'div' : 'button', {
      role: 'button', type: UI >= 2 ? null : 'button', tabindex: '0',
      'data-testid': V.postId(this.inline),
      class: 'css-175oi2r r-sdzlij',
      onclick: function () { self.submit(); },
      onkeydown: UI >= 2 ? function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); self.submit(); }
      } : null
    }, h('div', { dir: 'ltr', class: 'css-146c3p1' }, this.postLabel));
    this.status = h('div', { class: 'css-146c3p1 r-bcqeeo', 'aria-live': 'polite' });
    var toolbar = h('div', { 'data-testid': 'toolBar', class: 'css-175oi2r r-18u37iz r-1wtj0ep r-ymttw5' },
      h('nav', { role: 'navigation', class: 'css-175oi2r r-18u37iz r-dnmrzs' }, mediaButton, this.fileInput, this.status),
      h('div', { class: 'css-175oi2r r-18u37iz r-dnmrzs' }, this.addButton, this.postButton));
    // v2 moved the toolbar above the editors.
    this.el = UI >= 2
      ? h('div', { class: 'css-175oi2r r-1ny4l3l' }, toolbar, this.itemsEl)
      : h('div', { class: 'css-175oi2r r-1ny4l3l' }, this.itemsEl, toolbar);
    this.addItem();
    this.update();
    composers.push(this);
    if (sheet) this.el.inert = true;
  }

  Composer.prototype.addItem = function () {
    var self = this;
    var item = { media: [], pending: 0 };
    item.editor = new Editor(this.items.length, {
      change: function () { self.update(); },
      submit: function () { self.submit(); },
      focus: function () { var i = self.items.indexOf(item); if (i >= 0) self.active = i; }
    });
    item.attachments = h('div', { 'data-testid': V.attachmentsId, class: 'css-175oi2r r-18u37iz' });
    item.editorBox = h('div', { class: 'css-175oi2r r-9aw3ui' }, item.editor.root);
    // v2: the media above the editor, the editor two wrappers deeper.
    item.el = UI >= 2
      ? h('div', { class: 'css-175oi2r r-ymttw5 r-1q142lx' }, item.attachments,
        h('div', { class: 'css-175oi2r r-16y2uox' }, h('div', { class: 'css-175oi2r r-1iusvr4' }, item.editorBox)))
      : h('div', { class: 'css-175oi2r r-ymttw5 r-1q142lx' }, item.editorBox, item.attachments);
    this.items.push(item);
    this.itemsEl.append(item.el);
    this.active = this.items.length - 1;
    return item;
  };

  Composer.prototype.focus = function () {
    this.items[this.active].editor.focus();
  };

  Composer.prototype.update = function () {
    var last = this.items[this.items.length - 1];
    setDisabled(this.addButton, this.sending || !(last.editor.hasText() || last.media.length > 0));
    var ready = !this.sending && this.uploading === 0 && this.items.every(function (it) {
      return (it.editor.hasText() || it.media.length > 0) && mediaValid(it.media);
    });
    setDisabled(this.postButton, !ready);
    this.postLabel.textContent = this.items.length > 1 ? 'Post all' : 'Post';
    this.status.textContent = this.uploading ? 'Uploading…' : '';
  };

  Composer.prototype.onAdd = function () {
    if (sheet || isDisabled(this.addButton)) return;
    var item = this.addItem();
    item.editor.focus();
    this.update();
  };

  Composer.prototype.renderAttachments = function (item) {
    var self = this;
    item.attachments.replaceChildren.apply(item.attachments, item.media.map(function (m) {
      var preview = m.mime.indexOf('video/') === 0
        ? h('video', { src: m.url, muted: true })
        : h('img', { src: m.url, alt: '', draggable: 'false' });
      return h('div', { class: 'css-175oi2r r-1xfd6ze' }, preview,
        h('button', {
          'aria-label': 'Remove media', role: 'button', type: 'button', class: 'css-175oi2r r-u8s1d r-1loqt21',
          onclick: function () {
            item.media.splice(item.media.indexOf(m), 1);
            self.renderAttachments(item);
            self.update();
          }
        }, '×'));
    }));
  };

  Composer.prototype.onFiles = async function () {
    var self = this;
    var files = Array.prototype.slice.call(this.fileInput.files || []);
    this.fileInput.value = '';
    if (!files.length || sheet) return;
    var item = this.items[this.active] || this.items[0];
    var isVideo = function (f) { return f.type.indexOf('video/') === 0; };
    var have = item.media.length + item.pending;
    var hadVideo = item.media.some(function (m) { return m.mime.indexOf('video/') === 0; });
    if ((files.some(isVideo) || hadVideo) && have + files.length > 1) {
      toast(T.videoMix);
      return;
    }
    var take = files;
    if (have + files.length > 4) {
      toast(T.tooMany);
      take = files.slice(0, Math.max(0, 4 - have));
    }
    if (!take.length) return;
    item.pending += take.length;
    this.uploading += take.length;
    this.update();
    var results = await Promise.all(take.map(async function (file) {
      try {
        var body = await file.arrayBuffer();
        var url = '/i/api/1.1/media/upload.json?media_category=' + (isVideo(file) ? 'tweet_video' : 'tweet_image') +
          '&media_type=' + encodeURIComponent(file.type) +
          '&name=' + encodeURIComponent(file.name) +
          '&total_bytes=' + body.byteLength;
        var res = await fetch(url, {
          method: 'POST', credentials: 'include',
          headers: apiHeaders({ 'content-type': 'application/octet-stream' }), body: body
        });
        var json = await res.json().catch(function () { return null; });
        if (!res.ok || !json || !json.media_id_string) return null;
        return { id: json.media_id_string, name: file.name, mime: file.type, url: URL.createObjectURL(file) };
      } catch (err) {
        return null;
      }
    }));
    item.pending -= take.length;
    this.uploading -= take.length;
    if (this.items.indexOf(item) < 0) return; // the composer was reset meanwhile
    var failed = false;
    results.forEach(function (m) { if (m) item.media.push(m); else failed = true; });
    if (failed) toast(T.mediaFailed);
    this.renderAttachments(item);
    // Like the real composer: an upload re-renders the editors.
    this.items.forEach(function (it) { it.editor.remount(); });
    self.update();
  };

  function errorText(json) {
    var code = json && json.errors && json.errors[0] && json.errors[0].code;
    switch (code) {
      case 187: return T.duplicate;
      case 185: return T.dailyLimit;
      case 226: return T.automated;
      default: return T.wrong;
    }
  }

  Composer.prototype.reset = function () {
    this.items = [];
    this.itemsEl.replaceChildren();
    this.addItem();
  };

  Composer.prototype.submit = async function () {
    if (sheet || this.sending || isDisabled(this.postButton)) return;
    this.sending = true;
    this.update();
    var prev = null;
    var first = null;
    try {
      for (var i = 0; i < this.items.length; i++) {
        var item = this.items[i];
        var variables = {
          tweet_text: item.editor.text(),
          dark_request: false,
          media: {
            media_entities: item.media.map(function (m) { return { media_id: m.id, tagged_users: [] }; }),
            possibly_sensitive: false
          },
          semantic_annotation_ids: []
        };
        if (prev) variables.reply = { in_reply_to_tweet_id: prev, exclude_reply_user_ids: [] };
        var res = null;
        var json = null;
        try {
          res = await fetch('/i/api/graphql/' + QUERY_ID + '/CreateTweet', {
            method: 'POST', credentials: 'include',
            headers: apiHeaders({ 'content-type': 'application/json' }),
            body: JSON.stringify({ variables: variables, features: FEATURES, queryId: QUERY_ID })
          });
          json = await res.json().catch(function () { return null; });
        } catch (err) {
          res = null;
        }
        var result = json && json.data && json.data.create_tweet &&
          json.data.create_tweet.tweet_results && json.data.create_tweet.tweet_results.result;
        if (!res || !res.ok || !result || (json.errors && json.errors.length)) {
          toast(errorText(json));
          return;
        }
        prev = result.rest_id;
        if (!first) first = prev;
      }
      this.reset();
      toast(T.sent, '/' + VIEWER.handle + '/status/' + first);
      if (this.onDone) this.onDone();
    } finally {
      this.sending = false;
      this.update();
    }
  };

  // ---- the v2 "Got it" sheet ------------------------------------------------------

  // Every composer on the page; the sheet makes them inert until closed.
  var composers = [];
  var sheet = null;
  var SHEET_SEEN = 'replica.sheet.composer_tour';

  function sheetSeen() {
    try { return window.localStorage.getItem(SHEET_SEEN) === '1'; } catch (err) { return false; }
  }

  function closeSheet() {
    if (!sheet) return;
    sheet.remove();
    sheet = null;
    try { window.localStorage.setItem(SHEET_SEEN, '1'); } catch (err) { /* private mode */ }
    composers.forEach(function (c) { c.el.inert = false; });
    if (modalComposer) modalComposer.focus();
  }

  // Shown over the app, once per browser profile, as x.com shows its
  // feature tours: nothing in the composer works until "Got it".
  function showSheet() {
    if (UI < 2 || sheet || sheetSeen()) return;
    var gotIt = h('div', {
      role: 'button', tabindex: '0', class: 'css-175oi2r r-sdzlij',
      onclick: closeSheet,
      onkeydown: function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); closeSheet(); } }
    }, h('span', { class: 'css-1jxf684' }, 'Got it'));
    sheet = h('div', { class: 'css-175oi2r r-1d2f490', style: 'z-index: 3;' },
      h('div', { class: 'css-175oi2r r-1d2f490 r-aqfbo4' }),
      h('div', { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'sheet-header', 'data-testid': 'sheetDialog', class: 'css-175oi2r r-1ye8kvj r-1ny4l3l' },
        h('h2', { id: 'sheet-header', class: 'css-146c3p1 r-1adg3ll r-b88u0q', role: 'heading', 'aria-level': '2' },
          h('span', { class: 'css-1jxf684' }, 'Posting has a new look')),
        h('div', { class: 'css-146c3p1 r-bcqeeo r-1q142lx' },
          h('span', { class: 'css-1jxf684' }, 'Media, threads and the Post button now sit above what you write.')),
        gotIt));
    composers.forEach(function (c) { c.el.inert = true; });
    layers.append(sheet);
    gotIt.focus();
  }

  // ---- pages ------------------------------------------------------------------

  function nav() {
    return h('header', { role: 'banner', class: 'css-175oi2r r-o7ynqc' },
      h('nav', { role: 'navigation', 'aria-label': 'Primary', class: 'css-175oi2r r-dnmrzs' },
        h('a', { href: '/home', 'aria-label': 'Home', role: 'link', 'data-testid': 'AppTabBar_Home_Link', class: 'css-175oi2r r-lrvibr' },
          h('span', { class: 'css-1jxf684' }, 'Home')),
        h('a', { href: '/' + VIEWER.handle, 'aria-label': 'Profile', role: 'link', 'data-testid': 'AppTabBar_Profile_Link', class: 'css-175oi2r r-lrvibr' },
          h('span', { class: 'css-1jxf684' }, 'Profile')),
        h('a', {
          href: '/compose/post', 'aria-label': 'Post', role: 'link', 'data-testid': 'SideNav_NewTweet_Button', class: 'css-175oi2r r-sdzlij',
          onclick: function (e) { e.preventDefault(); history.pushState(null, '', '/compose/post'); openModal(); }
        }, h('span', { class: 'css-1jxf684' }, 'Post')),
        h('button', { 'aria-label': 'Account menu', role: 'button', type: 'button', 'data-testid': 'SideNav_AccountSwitcher_Button', class: 'css-175oi2r r-1loqt21' },
          h('span', { class: 'css-1jxf684 r-b88u0q' }, VIEWER.name),
          h('span', { class: 'css-1jxf684 r-bcqeeo' }, '@' + VIEWER.handle))));
  }

  var modal = null;
  var modalComposer = null;

  function closeModal() {
    if (modal) { modal.remove(); modal = null; modalComposer = null; }
    if (location.pathname === '/compose/post') history.replaceState(null, '', '/home');
  }

  function openModal() {
    if (modal) return;
    var composer = new Composer({ inline: false, onDone: closeModal });
    modalComposer = composer;
    modal = h('div', { class: 'css-175oi2r r-1d2f490', style: 'z-index: 2;' },
      h('div', { class: 'css-175oi2r r-1d2f490 r-aqfbo4', 'data-testid': 'mask', onclick: closeModal }),
      h('div', { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'modal-header', class: 'css-175oi2r r-1ye8kvj' },
        h('div', { class: 'css-175oi2r r-18u37iz r-1wtj0ep r-1ny4l3l' },
          h('button', { 'aria-label': 'Close', role: 'button', type: 'button', 'data-testid': 'app-bar-close', class: 'css-175oi2r r-1loqt21', onclick: closeModal }, '×'),
          h('h2', { id: 'modal-header', class: 'css-146c3p1 r-b88u0q', 'aria-level': '2', role: 'heading' }, h('span', { class: 'css-1jxf684' }, 'Drafts'))),
        composer.el));
    layers.insertBefore(modal, toastRegion);
    composer.focus();
  }

  window.addEventListener('popstate', function () {
    if (location.pathname === '/compose/post') openModal();
    else if (modal) { modal.remove(); modal = null; modalComposer = null; }
  });

  function homePage() {
    var composer = new Composer({ inline: true });
    return h('div', { class: 'css-175oi2r r-18u37iz r-13qz1uu r-1777fci' },
      nav(),
      h('main', { role: 'main', class: 'css-175oi2r r-kemksi' },
        h('div', { class: 'css-175oi2r', 'data-testid': 'primaryColumn' },
          h('div', { class: 'css-175oi2r r-1ny4l3l' },
            h('h2', { class: 'css-146c3p1 r-1adg3ll r-b88u0q', role: 'heading', 'aria-level': '2' }, 'Home'),
            h('div', { role: 'tablist', class: 'css-175oi2r r-18u37iz r-dnmrzs' },
              h('a', { role: 'tab', href: '/home', 'aria-selected': 'true', class: 'r-lrvibr r-b88u0q' }, 'For you'),
              h('a', { role: 'tab', href: '/home', 'aria-selected': 'false', class: 'r-lrvibr r-bcqeeo' }, 'Following'))),
          composer.el,
          h('section', { 'aria-labelledby': 'accessible-list-0', role: 'region', class: 'css-175oi2r' },
            h('h1', { id: 'accessible-list-0', class: 'r-8akbif' }, 'Your Home Timeline'),
            h('div', { 'data-testid': 'cellInnerDiv', class: 'css-175oi2r r-1ny4l3l' },
              h('span', { class: 'css-1jxf684 r-bcqeeo' }, 'Welcome to X!'))))));
  }

  function loginPage() {
    var input = h('input', { autocapitalize: 'sentences', autocomplete: 'username', autocorrect: 'on', name: 'text', spellcheck: 'true', type: 'text', dir: 'auto', class: 'r-13qz1uu' });
    var next = h('button', {
      role: 'button', type: 'button', class: 'css-175oi2r r-sdzlij',
      onclick: async function () {
        try {
          var res = await fetch('/i/api/1.1/onboarding/task.json?flow_name=login', {
            method: 'POST', credentials: 'include',
            headers: apiHeaders({ 'content-type': 'application/json' }),
            body: JSON.stringify({ subtask_inputs: [{ subtask_id: 'LoginEnterUserIdentifierSSO', settings_list: { setting_responses: [{ key: 'user_identifier', response_data: { text_data: { result: input.value } } }] } }] })
          });
          var json = await res.json().catch(function () { return null; });
          var message = json && json.errors && json.errors[0] && json.errors[0].message;
          toast(message || T.wrong);
        } catch (err) {
          toast(T.wrong);
        }
      }
    }, h('span', { class: 'css-1jxf684' }, 'Next'));
    return h('div', { class: 'css-175oi2r r-13qz1uu' },
      h('header', { role: 'banner', class: 'css-175oi2r r-18u37iz r-1wtj0ep r-1ny4l3l' },
        h('a', { href: '/i/flow/login', role: 'link', 'data-testid': 'loginButton', class: 'css-175oi2r r-sdzlij r-1niwhzg' }, h('span', { class: 'css-1jxf684' }, 'Sign in')),
        h('a', { href: '/i/flow/signup', role: 'link', 'data-testid': 'signupButton', class: 'css-175oi2r r-sdzlij' }, h('span', { class: 'css-1jxf684' }, 'Create account'))),
      h('div', { role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'modal-header', class: 'css-175oi2r r-1ye8kvj r-1ny4l3l' },
        h('h1', { id: 'modal-header', class: 'css-146c3p1 r-1adg3ll r-b88u0q' }, 'Sign in to X'),
        h('label', { class: 'css-175oi2r' }, h('span', { class: 'css-1jxf684 r-bcqeeo' }, 'Phone, email, or username'), input),
        next,
        h('a', { href: '/i/flow/password_reset', role: 'link', class: 'r-lrvibr' }, 'Forgot password?')));
  }

  function mount() {
    var root = document.getElementById('react-root');
    toastRegion = h('div', { class: 'css-175oi2r r-1p0dtai', 'aria-live': 'polite' });
    layers = h('div', { id: 'layers', class: 'css-175oi2r', style: 'z-index: 1;' }, toastRegion);
    var app = STATE.page === 'login' || !VIEWER ? loginPage() : homePage();
    root.replaceChildren(app, layers);
    if (STATE.page === 'compose' && VIEWER) openModal();
    if (STATE.page !== 'login' && VIEWER) showSheet();
  }

  var lo = STATE.hydration[0], hi = STATE.hydration[1];
  setTimeout(mount, lo + Math.random() * Math.max(0, hi - lo));
})();
