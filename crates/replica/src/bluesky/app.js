/* The Bluesky replica's client app (what bsky.app serves as
 * /static/js/main.<hash>.js).
 *
 * Plain JavaScript. After a random hydration delay it reads the session
 * from localStorage["BSKY_STORAGE"] (no cookie is involved), checks it with
 * com.atproto.server.getSession, refreshes an expired access token with
 * com.atproto.server.refreshSession (the refresh token rotates: the new
 * pair is written back to localStorage, the old one is spent), and renders
 * the app for the URL: the home feed, a profile, a post thread, or the
 * composer (/intent/compose?text=...). Without a usable session it shows
 * the splash with "Sign in".
 *
 * The editor copies TipTap/ProseMirror as bsky.app builds it: a
 * contenteditable `div.ProseMirror` with TipTap's default role and label,
 * one <p> per paragraph, its own model (it handles beforeinput and
 * re-renders; DOM changes made behind its back are undone). The composer
 * counts graphemes after shortening links (toShortUrl), up to 300 per post,
 * and threads natively ("Add another post to thread", "Post All"). The
 * media button makes its <input type=file> only when clicked, as
 * expo-image-picker does on the web.
 */
(function () {
  'use strict';

  var STATE = JSON.parse(document.getElementById('__BSKY_STATE__').textContent);
  var UI = STATE.ui || 0;
  var MAX_GRAPHEMES = 300;
  var MAX_IMAGES = 4;
  var ALLOWED = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'video/mp4', 'video/quicktime'];
  var V = {
    editorAttrs: UI === 0 ? { role: 'textbox', 'aria-label': 'Rich-Text Editor' } : {},
    mediaId: UI === 0 ? 'openMediaBtn' : 'openGalleryBtn',
    mediaLabel: UI === 0 ? 'Add media to post' : 'Gallery',
    addLabel: UI === 0 ? 'Add another post to thread' : 'Add new post',
    postAll: UI === 0 ? 'Post All' : 'Post all',
    publishLabel: function (many) { return UI === 0 ? (many ? 'Publish posts' : 'Publish post') : null; },
    newPostLabel: UI === 0 ? 'Compose new post' : null
  };

  // ---- DOM helper ------------------------------------------------------------

  function h(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k.indexOf('on') === 0 && typeof v === 'function') e.addEventListener(k.slice(2), v);
        else if (k === 'class') e.className = v;
        else e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      e.append(c.nodeType ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  // An RN-web Pressable: a div with role=button, aria-disabled when off.
  function button(attrs, label, onPress) {
    var b = h('div', Object.assign({ role: 'button', tabindex: '0' }, attrs), label);
    b.addEventListener('click', function (e) {
      if (b.getAttribute('aria-disabled') === 'true') return;
      onPress(e);
    });
    b.addEventListener('keydown', function (e) {
      if ((e.key === 'Enter' || e.key === ' ') && b.getAttribute('aria-disabled') !== 'true') { e.preventDefault(); onPress(e); }
    });
    return b;
  }

  // ---- persisted state (localStorage["BSKY_STORAGE"]) -----------------------

  function readStorage() {
    try { return JSON.parse(localStorage.getItem('BSKY_STORAGE') || 'null') || {}; } catch (e) { return {}; }
  }
  function writeStorage(data) { localStorage.setItem('BSKY_STORAGE', JSON.stringify(data)); }

  function currentAccount() {
    var d = readStorage();
    var s = d.session || {};
    var cur = s.currentAccount && s.currentAccount.did;
    return (s.accounts || []).find(function (a) { return a.did === cur; }) || null;
  }

  function saveAccount(acc) {
    var d = readStorage();
    d.session = d.session || { accounts: [] };
    d.session.accounts = (d.session.accounts || []).filter(function (a) { return a.did !== acc.did; });
    d.session.accounts.unshift(acc);
    d.session.currentAccount = { did: acc.did };
    writeStorage(d);
  }

  // A session the server refused: the account stays listed, its tokens go.
  function dropTokens() {
    var acc = currentAccount();
    if (!acc) return;
    delete acc.accessJwt;
    delete acc.refreshJwt;
    var d = readStorage();
    d.session.accounts = d.session.accounts.map(function (a) { return a.did === acc.did ? acc : a; });
    d.session.currentAccount = undefined;
    writeStorage(d);
  }

  // ---- XRPC ------------------------------------------------------------------

  function call(method, opts, token) {
    opts = opts || {};
    var headers = {};
    if (token) headers.Authorization = 'Bearer ' + token;
    if (opts.json !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.contentType) headers['Content-Type'] = opts.contentType;
    var url = '/xrpc/' + method + (opts.query ? '?' + new URLSearchParams(opts.query) : '');
    return fetch(url, {
      method: opts.method || (opts.json !== undefined || opts.body ? 'POST' : 'GET'),
      headers: headers,
      body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
    });
  }

  function refresh() {
    var acc = currentAccount();
    if (!acc || !acc.refreshJwt) return Promise.resolve(false);
    return call('com.atproto.server.refreshSession', { method: 'POST' }, acc.refreshJwt).then(function (r) {
      if (r.status !== 200) { dropTokens(); return false; }
      acc.accessJwt = r.body.accessJwt;
      acc.refreshJwt = r.body.refreshJwt;
      saveAccount(acc);
      return true;
    });
  }

  // An authenticated call; an expired access token is refreshed once.
  function xrpc(method, opts) {
    var acc = currentAccount();
    return call(method, opts, acc && acc.accessJwt).then(function (r) {
      if (r.status === 400 && r.body.error === 'ExpiredToken') {
        return refresh().then(function (ok) {
          if (!ok) return r;
          return call(method, opts, currentAccount().accessJwt);
        });
      }
      return r;
    });
  }

  // ---- counting --------------------------------------------------------------

  var segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;
  function graphemes(s) {
    if (!segmenter) return Array.from(s).length;
    var n = 0;
    for (var _ of segmenter.segment(s)) n++; // eslint-disable-line no-unused-vars
    return n;
  }
  var TLDS = ['com', 'org', 'net', 'io', 'app', 'dev', 'social', 'co', 'uk', 'de', 'fr', 'jp', 'me', 'xyz', 'ai', 'rs', 'edu', 'gov', 'info', 'blog', 'tech', 'news'];
  var URL_RE = /(^|\s|\()((https?:\/\/[\S]+)|((?<domain>[a-z][a-z0-9]*(\.[a-z0-9]+)+)[\S]*))/gim;
  // The links of a text as {start, end, uri}, the way detectFacets finds them.
  function links(text) {
    var out = [];
    var m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(text))) {
      var uri = m[2];
      if (!uri.startsWith('http')) {
        var domain = m.groups.domain;
        if (!domain || TLDS.indexOf(domain.split('.').pop().toLowerCase()) < 0) continue;
        uri = 'https://' + uri;
      }
      var start = text.indexOf(m[2], m.index);
      var end = start + m[2].length;
      if (/[.,;:!?]$/.test(uri)) { uri = uri.slice(0, -1); end--; }
      if (/[)]$/.test(uri) && !uri.includes('(')) { uri = uri.slice(0, -1); end--; }
      out.push({ start: start, end: end, uri: uri });
    }
    return out;
  }
  function toShortUrl(url) {
    try {
      var u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return url;
      var path = (u.pathname === '/' ? '' : u.pathname) + u.search + u.hash;
      if (path.length > 15) return u.host + path.slice(0, 13) + '...';
      return u.host + path;
    } catch (e) { return url; }
  }
  // shortenLinks(richtext).graphemeLength
  function shortenedLength(text) {
    var n = 0, last = 0;
    links(text).forEach(function (l) {
      n += graphemes(text.slice(last, l.start)) + graphemes(toShortUrl(l.uri));
      last = l.end;
    });
    return n + graphemes(text.slice(last));
  }

  // ---- the editor (TipTap/ProseMirror) ----------------------------------------

  function Editor(placeholder, hooks) {
    var self = this;
    this.lines = [''];
    this.hooks = hooks || {};
    this.placeholder = placeholder;
    this.el = h('div', Object.assign({
      contenteditable: 'true', translate: 'no', tabindex: '0',
      class: 'tiptap ProseMirror ProseMirror-light'
    }, V.editorAttrs));
    this.el.addEventListener('beforeinput', function (e) { self.onBeforeInput(e); });
    this.el.addEventListener('paste', function (e) {
      e.preventDefault();
      var t = e.clipboardData ? e.clipboardData.getData('text/plain') : '';
      if (t) self.replace(self.selection(), t);
    });
    this.el.addEventListener('drop', function (e) { e.preventDefault(); });
    this.el.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) { e.preventDefault(); if (self.hooks.publish) self.hooks.publish(); }
    });
    this.el.addEventListener('focus', function () { if (self.hooks.focus) self.hooks.focus(); });
    this.observer = new MutationObserver(function () {
      var caret = self.selection().end;
      self.render();
      self.placeCaret(caret);
    });
    this.render();
  }
  Editor.prototype.text = function () { return this.lines.join('\n'); };
  Editor.prototype.setText = function (t) { this.lines = String(t).replace(/\r\n?/g, '\n').split('\n'); this.render(); if (this.hooks.change) this.hooks.change(); };
  Editor.prototype.render = function () {
    this.observer.disconnect();
    var empty = this.lines.length === 1 && this.lines[0] === '';
    var ps = this.lines.map(function (l, i) {
      var p = l.length ? h('p', null, l) : h('p', null, h('br', { class: 'ProseMirror-trailingBreak' }));
      if (empty && i === 0) { p.className = 'is-empty is-editor-empty'; p.setAttribute('data-placeholder', this.placeholder); }
      return p;
    }, this);
    this.el.replaceChildren.apply(this.el, ps);
    this.observer.observe(this.el, { childList: true, characterData: true, subtree: true });
  };
  Editor.prototype.pos = function (node, offset) {
    var ps = this.el.children;
    for (var i = 0; i < ps.length && i < this.lines.length; i++) {
      var r = document.createRange();
      r.selectNodeContents(ps[i]);
      var cmp;
      try { cmp = r.comparePoint(node, offset); } catch (err) { cmp = 1; }
      if (cmp < 0) return { b: i, o: 0 };
      if (cmp === 0) {
        var pre = document.createRange();
        pre.setStart(ps[i], 0);
        pre.setEnd(node, offset);
        return { b: i, o: Math.min(pre.toString().length, this.lines[i].length) };
      }
    }
    var last = this.lines.length - 1;
    return { b: last, o: this.lines[last].length };
  };
  Editor.prototype.selection = function () {
    var last = this.lines.length - 1;
    var end = { b: last, o: this.lines[last].length };
    var sel = window.getSelection();
    if (!sel || !sel.rangeCount) return { start: end, end: end };
    var r = sel.getRangeAt(0);
    if (!this.el.contains(r.startContainer) || !this.el.contains(r.endContainer)) return { start: end, end: end };
    return { start: this.pos(r.startContainer, r.startOffset), end: this.pos(r.endContainer, r.endOffset) };
  };
  function before(a, b) { return a.b < b.b || (a.b === b.b && a.o < b.o); }
  Editor.prototype.replace = function (range, text) {
    var s = range.start, e = range.end;
    if (before(e, s)) { var t = s; s = e; e = t; }
    var head = this.lines[s.b].slice(0, s.o);
    var tail = this.lines[e.b].slice(e.o);
    var parts = (head + String(text).replace(/\r\n?/g, '\n')).split('\n');
    var caret = { b: s.b + parts.length - 1, o: parts[parts.length - 1].length };
    parts[parts.length - 1] += tail;
    this.lines.splice.apply(this.lines, [s.b, e.b - s.b + 1].concat(parts));
    this.render();
    this.placeCaret(caret);
    if (this.hooks.change) this.hooks.change();
  };
  Editor.prototype.placeCaret = function (c) {
    if (document.activeElement !== this.el) return;
    var p = this.el.children[c.b];
    if (!p) return;
    var r = document.createRange();
    if (p.firstChild && p.firstChild.nodeType === 3) r.setStart(p.firstChild, Math.min(c.o, p.firstChild.length));
    else r.setStart(p, 0);
    r.collapse(true);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(r);
  };
  Editor.prototype.onBeforeInput = function (e) {
    e.preventDefault();
    var type = e.inputType;
    var range = this.selection();
    var ranges = e.getTargetRanges ? e.getTargetRanges() : [];
    if (ranges.length && this.el.contains(ranges[0].startContainer)) {
      range = { start: this.pos(ranges[0].startContainer, ranges[0].startOffset), end: this.pos(ranges[0].endContainer, ranges[0].endOffset) };
    }
    var collapsed = range.start.b === range.end.b && range.start.o === range.end.o;
    if (type === 'insertText' || type === 'insertReplacementText' || type === 'insertFromPaste' || type === 'insertFromDrop') {
      var data = e.data;
      if ((data === null || data === undefined) && e.dataTransfer) data = e.dataTransfer.getData('text/plain');
      if (data !== null && data !== undefined) this.replace(range, data);
    } else if (type === 'insertParagraph' || type === 'insertLineBreak') {
      this.replace(range, '\n');
    } else if (type.indexOf('delete') === 0) {
      if (!collapsed) { this.replace(range, ''); return; }
      var p = range.start;
      if (type.indexOf('Backward') > 0) {
        if (p.o > 0) this.replace({ start: { b: p.b, o: p.o - 1 }, end: p }, '');
        else if (p.b > 0) this.replace({ start: { b: p.b - 1, o: this.lines[p.b - 1].length }, end: p }, '');
      } else if (p.o < this.lines[p.b].length) {
        this.replace({ start: p, end: { b: p.b, o: p.o + 1 } }, '');
      } else if (p.b < this.lines.length - 1) {
        this.replace({ start: p, end: { b: p.b + 1, o: 0 } }, '');
      }
    }
  };

  // ---- toasts ----------------------------------------------------------------

  function toast(text, action) {
    var t = h('div', { class: 'toast', role: 'alert', 'aria-live': 'polite' }, h('span', null, text),
      action ? button({ 'aria-label': action.label, class: 'toast-action' }, action.text, action.onPress) : null);
    document.body.append(t);
    setTimeout(function () { t.remove(); }, 6000);
  }

  // ---- the composer ------------------------------------------------------------

  var composer = null;

  function openComposer(initText) {
    if (composer) return;
    var acc = currentAccount();
    var posts = [];
    var active = 0;
    var publishing = false;
    var list = h('div', { class: 'composer-posts' });
    var errorBox = h('div', { class: 'composer-error' });
    var publishBtn = button({ 'data-testid': 'composerPublishBtn' }, 'Post', publish);
    var stage = h('div', { class: 'composer-stage' });
    var cancelBtn = button({ 'aria-label': 'Cancel', 'data-testid': 'composerDiscardButton' }, 'Cancel', function () { close(); });
    var topBar = h('div', { class: 'composer-top', style: 'display:flex;justify-content:space-between;align-items:center;' },
      cancelBtn, h('div', { style: 'display:flex;gap:8px;align-items:center;' }, stage, publishBtn));
    var charCount = h('div', { class: 'char-progress', style: 'width:65px;text-align:right;' });
    var mediaBtn = button({ 'data-testid': V.mediaId, 'aria-label': V.mediaLabel, 'aria-haspopup': 'true' }, '🖼', pickMedia);
    var gifBtn = button({ 'data-testid': 'openGifBtn', 'aria-label': 'Select GIF' }, 'GIF', function () {});
    var addBtn = button({ 'aria-label': V.addLabel }, '+', function () { addPost(''); });
    var footer = h('div', { class: 'composer-footer', style: 'display:flex;justify-content:space-between;border-top:1px solid #e5e7eb;' },
      h('div', { style: 'display:flex;gap:4px;' }, mediaBtn, gifBtn),
      h('div', { style: 'display:flex;gap:4px;align-items:center;' }, addBtn, h('span', null, 'English'), charCount));
    var view = h('div', { 'data-testid': 'composePostView', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'New post' },
      topBar, errorBox, list, footer);
    var backdrop = h('div', { class: 'composer-backdrop' }, view);

    function addPost(text) {
      var post = { media: [] };
      post.editor = new Editor(posts.length === 0 ? "What's up?" : 'Add another post', {
        change: update,
        focus: function () { active = posts.indexOf(post); update(); },
        publish: publish
      });
      post.gallery = h('div', { class: 'composer-gallery', 'data-testid': 'composerGallery' });
      post.el = h('div', { class: 'composer-post', style: 'padding:8px 0;' },
        h('div', { class: 'avatar', 'aria-hidden': 'true' }, '@' + acc.handle), post.editor.el, post.gallery);
      posts.push(post);
      list.append(post.el);
      if (text) post.editor.setText(text);
      active = posts.length - 1;
      update();
      setTimeout(function () { post.editor.el.focus(); }, 0);
    }

    function canPost() {
      return posts.every(function (p) {
        var t = p.editor.text();
        return shortenedLength(t) <= MAX_GRAPHEMES && (t.trim().length > 0 || p.media.length > 0);
      });
    }

    function update() {
      var many = posts.length > 1;
      var p = posts[active] || posts[0];
      var left = MAX_GRAPHEMES - shortenedLength(p.editor.text());
      charCount.textContent = String(left);
      charCount.style.color = left < 0 ? '#ec4868' : '';
      publishBtn.textContent = many ? V.postAll : 'Post';
      var label = V.publishLabel(many);
      if (label) publishBtn.setAttribute('aria-label', label);
      publishBtn.setAttribute('aria-disabled', String(!canPost() || publishing));
      var media = p.media;
      var video = media.some(function (m) { return m.file.type.indexOf('video/') === 0; });
      mediaBtn.setAttribute('aria-disabled', String(video || media.length >= MAX_IMAGES));
      addBtn.style.display = (p.editor.text().trim() || p.media.length) ? '' : 'none';
    }

    function pickMedia() {
      // expo-image-picker on the web: a new input for every click, clicked
      // at once (the click's user activation opens the OS chooser).
      var input = document.createElement('input');
      input.type = 'file';
      input.accept = 'image/*,video/*';
      input.multiple = true;
      input.style.display = 'none';
      document.body.appendChild(input);
      var post = posts[active];
      input.addEventListener('change', function () {
        var files = Array.from(input.files || []);
        input.remove();
        var bad = files.find(function (f) { return ALLOWED.indexOf(f.type) < 0; });
        if (bad) { toast('Unsupported file type: ' + (bad.type || bad.name)); return; }
        var all = post.media.concat(files.map(function (f) { return { file: f }; }));
        var videos = all.filter(function (m) { return m.file.type.indexOf('video/') === 0; }).length;
        if (videos > 1 || (videos === 1 && all.length > 1)) { toast('You can only select one video, or up to 4 images'); return; }
        if (all.length > MAX_IMAGES) { toast('You can only add up to ' + MAX_IMAGES + ' images per post'); return; }
        files.forEach(function (f) {
          var m = { file: f };
          post.media.push(m);
          var url = URL.createObjectURL(f);
          post.gallery.append(h('div', { class: 'gallery-item' },
            f.type.indexOf('video/') === 0 ? h('video', { src: url, class: 'thumb' }) : h('img', { src: url, alt: '', class: 'thumb' }),
            button({ 'aria-label': 'Remove image' }, '×', function () {})));
        });
        update();
      });
      input.click();
    }

    function showError(msg) {
      errorBox.replaceChildren(h('div', { role: 'alert', class: 'admonition-error', style: 'color:#ec4868;padding:8px;' }, msg));
    }

    function tid() {
      var v = (Date.now() * 1000 + (tid.n = ((tid.n || 0) + 1) % 1000)) * 1024 + Math.floor(Math.random() * 1024);
      var abc = '234567abcdefghijklmnopqrstuvwxyz';
      var s = '';
      for (var i = 0; i < 13; i++) { s = abc[Number(BigInt(v) >> BigInt(5 * i) & BigInt(31))] + s; }
      return s;
    }

    function publish() {
      if (publishing || !canPost()) return;
      publishing = true;
      errorBox.replaceChildren();
      publishBtn.style.display = 'none';
      stage.textContent = 'Processing…';
      var me = currentAccount();
      var uploads = [];
      var n = 0;
      posts.forEach(function (p) {
        p.media.forEach(function (m) {
          n++;
          var i = n;
          uploads.push(function () {
            stage.textContent = 'Uploading image #' + i + '…';
            return xrpc('com.atproto.repo.uploadBlob', { body: m.file, contentType: m.file.type }).then(function (r) {
              if (r.status !== 200) throw new Error(r.body.message || 'Failed to upload');
              m.blob = r.body.blob;
            });
          });
        });
      });
      var chain = Promise.resolve();
      uploads.forEach(function (u) { chain = chain.then(u); });
      chain.then(function () {
        stage.textContent = 'Posting…';
        var writes = [];
        var root = null, parent = null;
        posts.forEach(function (p) {
          var rkey = tid();
          var uri = 'at://' + me.did + '/app.bsky.feed.post/' + rkey;
          var text = p.editor.text();
          var record = { $type: 'app.bsky.feed.post', text: text, createdAt: new Date().toISOString(), langs: ['en'] };
          var facets = links(text).map(function (l) {
            var enc = new TextEncoder();
            return { index: { byteStart: enc.encode(text.slice(0, l.start)).length, byteEnd: enc.encode(text.slice(0, l.end)).length },
              features: [{ $type: 'app.bsky.richtext.facet#link', uri: l.uri }] };
          });
          if (facets.length) record.facets = facets;
          if (p.media.length) {
            var vid = p.media[0].file.type.indexOf('video/') === 0;
            record.embed = vid ? { $type: 'app.bsky.embed.video', video: p.media[0].blob }
              : { $type: 'app.bsky.embed.images', images: p.media.map(function (m) { return { alt: '', image: m.blob }; }) };
          }
          if (parent) record.reply = { root: root, parent: parent };
          var ref = { uri: uri, cid: 'bafyrei' + rkey };
          if (!root) root = ref;
          parent = ref;
          writes.push({ $type: 'com.atproto.repo.applyWrites#create', collection: 'app.bsky.feed.post', rkey: rkey, value: record });
        });
        return xrpc('com.atproto.repo.applyWrites', { json: { repo: me.did, validate: true, writes: writes } });
      }).then(function (r) {
        if (r.status !== 200) throw new Error(r.body.message || r.body.error || 'Something went wrong');
        var many = posts.length > 1;
        var first = r.body.results[0].uri.split('/').pop();
        close();
        setTimeout(function () {
          toast(many ? 'Your posts were sent' : 'Your post was sent', {
            text: 'View', label: 'View post',
            onPress: function () { navigate('/profile/' + me.handle + '/post/' + first); }
          });
        }, 500);
      }).catch(function (e) {
        publishing = false;
        stage.textContent = '';
        publishBtn.style.display = '';
        showError(String(e.message || e));
        update();
      });
    }

    function close() {
      backdrop.remove();
      composer = null;
    }

    addPost(initText || '');
    document.body.append(backdrop);
    composer = { view: view };
  }

  // ---- pages -----------------------------------------------------------------

  var root = document.getElementById('root');

  function navigate(path) {
    history.pushState(null, '', path);
    route();
  }

  function nav(acc) {
    var newPost = button({ 'aria-label': V.newPostLabel, class: 'new-post' }, 'New Post', function () { openComposer(''); });
    return h('nav', { role: 'navigation', 'aria-label': 'Primary' },
      h('a', { href: '/', 'aria-label': 'Home', role: 'link' }, 'Home'),
      h('a', { href: '/search', 'aria-label': 'Search', role: 'link' }, 'Explore'),
      h('a', { href: '/notifications', 'aria-label': 'Notifications', role: 'link' }, 'Notifications'),
      h('a', { href: '/profile/' + acc.handle, 'aria-label': 'Profile', role: 'link' }, 'Profile'),
      newPost);
  }

  function feedItem(p) {
    var handle = p.author.handle;
    var rkey = p.uri.split('/').pop();
    return h('div', { 'data-testid': 'feedItem-by-' + handle, role: 'link', tabindex: '0', class: 'feed-item', style: 'padding:12px;border-bottom:1px solid #e5e7eb;' },
      h('a', { href: '/profile/' + handle, class: 'author' }, '@' + handle),
      ' · ',
      h('a', { href: '/profile/' + handle + '/post/' + rkey, 'aria-label': new Date(p.record.createdAt).toString(), 'data-tooltip': 'post' }, 'now'),
      p.replyTo ? h('div', { class: 'reply-to' }, 'Reply') : null,
      h('div', { 'data-testid': 'postText', dir: 'auto', style: 'white-space:pre-wrap;' }, p.record.text),
      p.embed ? h('div', { class: 'embed' }, p.embed.images + ' image(s)') : null);
  }

  function profilePage(main, handle) {
    main.append(h('h1', null, '@' + handle));
    var feed = h('div', { 'data-testid': 'postsFeed', role: 'list' });
    main.append(feed);
    call('app.bsky.feed.getAuthorFeed', { query: { actor: handle, limit: 30 } }).then(function (r) {
      if (r.status !== 200) { feed.append(h('div', { class: 'error' }, r.body.message || 'Error')); return; }
      if (!r.body.feed.length) feed.append(h('div', { 'data-testid': 'emptyFeed' }, 'No posts yet.'));
      r.body.feed.forEach(function (item) { feed.append(feedItem(item.post)); });
    });
  }

  // The thread screen: the post, then its replies as a tree (a reply's
  // replies inside it), the top-level ones a page at a time behind
  // "Show more replies"; a deleted reply is a "Deleted post" placeholder
  // that keeps its replies.
  function threadItem(node) {
    var kids = h('div', { class: 'thread-replies', style: 'padding-left:16px;' });
    (node.replies || []).forEach(function (r) { kids.append(threadItem(r)); });
    var item;
    if (node.notFound) {
      item = h('div', { 'data-testid': 'postThreadItem-deleted', class: 'feed-item', style: 'padding:12px;' }, 'Deleted post');
    } else {
      item = feedItem(node.post);
      item.setAttribute('data-testid', 'postThreadItem-by-' + node.post.author.handle);
    }
    item.append(kids);
    return item;
  }

  function threadPage(main, handle, rkey) {
    var box = h('div', { 'data-testid': 'postThreadScreen' });
    main.append(box);
    call('app.bsky.feed.getPostThread', { query: { uri: 'at://' + handle + '/app.bsky.feed.post/' + rkey } }).then(function (r) {
      if (r.status !== 200) { box.append(h('div', { class: 'error' }, 'Post not found')); return; }
      var t = r.body.thread;
      var item = feedItem(t.post);
      item.setAttribute('data-testid', 'postThreadItem-by-' + t.post.author.handle);
      box.append(item);
      var per = STATE.repliesPerPage || 20;
      var rest = (t.replies || []).slice();
      var list = h('div', { class: 'thread-replies' });
      box.append(list);
      function more() {
        rest.splice(0, per).forEach(function (x) { list.append(threadItem(x)); });
        if (rest.length) {
          var b = button({ 'aria-label': 'Show more replies' }, 'Show more replies', function () {
            b.setAttribute('aria-disabled', 'true');
            setTimeout(function () { b.remove(); more(); }, 150 + Math.floor(Math.random() * 350));
          });
          box.append(b);
        }
      }
      more();
    });
  }

  function loginPage(afterLogin) {
    var user = h('input', { 'data-testid': 'loginUsernameInput', type: 'text', placeholder: 'Username or email address', autocomplete: 'username', 'aria-label': 'Username or email address', autocapitalize: 'none' });
    var pass = h('input', { 'data-testid': 'loginPasswordInput', type: 'password', placeholder: 'Password', autocomplete: 'current-password', 'aria-label': 'Password' });
    var err = h('div', { class: 'login-error' });
    var next = button({ 'data-testid': 'loginNextButton', 'aria-label': 'Next' }, 'Next', function () {
      err.replaceChildren();
      next.setAttribute('aria-disabled', 'true');
      call('com.atproto.server.createSession', { json: { identifier: user.value, password: pass.value } }).then(function (r) {
        next.setAttribute('aria-disabled', 'false');
        if (r.status !== 200) {
          err.append(h('div', { role: 'alert', 'data-testid': 'loginErrorMessage' }, r.status === 401 ? 'Incorrect username or password' : (r.body.message || 'Error')));
          return;
        }
        var b = r.body;
        saveAccount({ service: location.origin, did: b.did, handle: b.handle, email: b.email, emailConfirmed: b.emailConfirmed,
          refreshJwt: b.refreshJwt, accessJwt: b.accessJwt, active: true, pdsUrl: location.origin });
        afterLogin();
      });
    });
    pass.addEventListener('keydown', function (e) { if (e.key === 'Enter') next.click(); });
    return h('div', { 'data-testid': 'loginForm', class: 'login' },
      h('h1', null, 'Sign in'),
      h('div', null, 'Hosting provider: ', h('span', null, 'Bluesky Social')),
      h('label', null, 'Account'), user, pass, err, next);
  }

  function splash() {
    root.replaceChildren(h('main', { role: 'main' },
      h('div', { 'data-testid': 'splashScreen', class: 'splash' },
        h('h1', null, 'Bluesky'),
        h('div', null, "What's up?"),
        button({ 'data-testid': 'createAccountButton', 'aria-label': 'Create new account' }, 'Create account', function () {}),
        button({ 'data-testid': 'signInButton', 'aria-label': 'Sign in' }, 'Sign in', function () {
          root.replaceChildren(h('main', { role: 'main' }, loginPage(route)));
        }))));
  }

  function route() {
    var acc = currentAccount();
    if (!acc || !acc.accessJwt) { splash(); return; }
    var path = location.pathname;
    var main = h('main', { role: 'main' });
    root.replaceChildren(nav(acc), main);
    var m;
    if ((m = path.match(/^\/profile\/([^/]+)\/post\/([^/]+)/))) threadPage(main, decodeURIComponent(m[1]), m[2]);
    else if ((m = path.match(/^\/profile\/([^/]+)/))) profilePage(main, decodeURIComponent(m[1]));
    else {
      main.append(h('div', { 'data-testid': 'homeScreenFeedTabs', role: 'tablist' },
        h('div', { role: 'tab', 'aria-selected': 'true' }, 'Following'), h('div', { role: 'tab' }, 'Discover')),
        h('div', { 'data-testid': 'followingFeedPage' }, 'Your following feed'));
    }
    if (path === '/intent/compose') {
      var text = new URLSearchParams(location.search).get('text') || '';
      history.replaceState(null, '', '/');
      openComposer(text);
    }
  }

  window.addEventListener('popstate', route);
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[href^="/"]');
    if (a && !e.defaultPrevented && !e.metaKey && !e.ctrlKey) { e.preventDefault(); navigate(a.getAttribute('href')); }
  });

  // Resume the session: check the access token, refresh (rotate) when it
  // expired, then render.
  function boot() {
    var acc = currentAccount();
    if (!acc || !acc.accessJwt) { route(); return; }
    call('com.atproto.server.getSession', {}, acc.accessJwt).then(function (r) {
      if (r.status === 200) return true;
      if (r.status === 400 && r.body.error === 'ExpiredToken') return refresh();
      dropTokens();
      return false;
    }).then(route, route);
  }

  var lo = STATE.hydration[0], hi = STATE.hydration[1];
  root.append(h('div', { class: 'loading', 'aria-label': 'Loading' }, ''));
  setTimeout(boot, lo + Math.floor(Math.random() * Math.max(1, hi - lo)));
})();
