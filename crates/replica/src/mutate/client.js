/* The page half of a seeded redesign (see mutate/mod.rs), injected at the
 * top of every HTML page with its configuration in window.__DF_MUTATE__:
 * { seed, ops: [names], hydrate: ms or null, page, decoyPath }.
 *
 * It watches the document and every shadow root and, for each element as
 * it appears, applies the seed's mutations: data-testid renames, synonym
 * labels, wrappers, unwrapping, a control moved into a shadow root,
 * reordered fields and decoys. Every choice is drawn from the seed and the
 * element's own signature, so the same seed gives the same page. It also
 * holds the polyfills that keep the server's element swaps working, and
 * the late-hydration splash.
 */
(function () {
  'use strict';
  if (window.__dfMutateInstalled) return;
  window.__dfMutateInstalled = true;
  var CFG = window.__DF_MUTATE__ || {};
  var OPS = {};
  (CFG.ops || []).forEach(function (o) { OPS[o] = true; });
  var SEED = String(CFG.seed || '0');

  // ---- seeded choices -------------------------------------------------------

  function hash(key) {
    var s = SEED + '|' + key;
    var h = 0x811c9dc5;
    for (var i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
    return h >>> 0;
  }
  function chance(key, p) { return (hash(key) % 1000) < p * 1000; }
  function pick(key, list) { return list[hash(key) % list.length]; }
  function atom(key) { return 'x' + hash(key).toString(36).slice(0, 6); }

  // ---- recording decoys -------------------------------------------------------

  function record(kind, label) {
    var body = JSON.stringify({ kind: kind, label: label || '', page: location.pathname + location.search });
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(CFG.decoyPath, body)) return;
    } catch (e) { /* fall through */ }
    try { fetch(CFG.decoyPath, { method: 'POST', body: body, keepalive: true }); } catch (e) { /* ignore */ }
  }

  // ---- what elements are ----------------------------------------------------------

  var BUTTONISH = 'button, input[type=submit], input[type=button], [role=button]';
  function isDecoy(el) { return !!(el.closest && el.closest('[data-df-decoy]')); }
  function ours(el) {
    return el.id === 'df-splash' || el.hasAttribute('data-df-wrap') || el.hasAttribute('data-df-host') ||
      el.hasAttribute('data-df-decoy') || el.hasAttribute('data-df-mutate');
  }
  function inEditor(el) {
    var p = el.parentElement;
    return !!(p && p.closest('[contenteditable=true], [contenteditable=""]'));
  }
  function isTextField(el) {
    var t = el.tagName;
    if (t === 'TEXTAREA') return true;
    if (t === 'INPUT') {
      var ty = (el.getAttribute('type') || 'text').toLowerCase();
      return ty === 'text' || ty === 'url' || ty === 'email' || ty === 'search';
    }
    return el.getAttribute('contenteditable') === 'true' || el.getAttribute('role') === 'textbox';
  }
  function isControl(el) {
    if (ours(el) || inEditor(el)) return false;
    var t = el.tagName;
    if (t === 'INPUT') return (el.getAttribute('type') || '').toLowerCase() !== 'hidden';
    if (t === 'TEXTAREA' || t === 'SELECT' || t === 'BUTTON') return true;
    var role = el.getAttribute('role');
    return role === 'button' || role === 'textbox' || el.getAttribute('contenteditable') === 'true';
  }
  function labelOf(el) {
    if (el.tagName === 'INPUT') return (el.value || el.getAttribute('value') || '').trim();
    var t = (el.textContent || '').trim();
    return t || (el.getAttribute('aria-label') || '').trim();
  }
  function custom(el) { return !!el && el.tagName.indexOf('-') > 0; }
  var counts = {};
  function signature(el) {
    var base = el.tagName + '|' + (el.getAttribute('name') || el.id || labelOf(el).slice(0, 30) || el.getAttribute('placeholder') || '');
    if (!sigs.has(el)) {
      counts[base] = (counts[base] || 0) + 1;
      sigs.set(el, base + '#' + counts[base]);
    }
    return sigs.get(el);
  }
  var sigs = new WeakMap();

  // ---- data-testid renames ----------------------------------------------------

  var SYN = {
    tweet: ['post', 'status', 'note'], post: ['publish', 'entry', 'share'], text: ['body', 'content'],
    textarea: ['editor', 'composer'], button: ['btn', 'cta', 'action'], input: ['field', 'entry'],
    file: ['media', 'upload'], add: ['append', 'plus'], inline: ['embedded', 'inset'],
    attachments: ['media', 'previews'], tool: ['action', 'control'], bar: ['strip', 'row'],
    dialog: ['modal', 'sheet'], close: ['dismiss', 'exit'], caption: ['description', 'body']
  };
  var produced = new Set();
  var testidMap = {};
  function newTestid(old) {
    if (testidMap[old]) return testidMap[old];
    var h = hash('testid:' + old);
    var out;
    if (h % 3 === 0) {
      out = atom('tid:' + old);
    } else {
      var words = old.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s_-]+/).filter(Boolean).map(function (w) { return w.toLowerCase(); });
      var changed = false;
      words = words.map(function (w, i) {
        var alts = SYN[w];
        if (!alts) return w;
        changed = true;
        return alts[(h >>> (3 * i + 4)) % alts.length];
      });
      if (!changed) words.push(pick('affix:' + old, ['v2', 'new', 'main', 'ctl']));
      var style = (h >>> 2) % 3;
      out = style === 0 ? words.join('-') : style === 1 ? words.join('_')
        : words[0] + words.slice(1).map(function (w) { return w.charAt(0).toUpperCase() + w.slice(1); }).join('');
      if (out === old) out = atom('tid:' + old);
    }
    testidMap[old] = out;
    produced.add(out);
    return out;
  }
  var testidShare = 0.4 + (hash('share:testid') % 600) / 1000;
  function renameTestid(el) {
    var v = el.getAttribute('data-testid');
    if (!v || produced.has(v) || !chance('tid-pick:' + v, testidShare)) return;
    el.setAttribute('data-testid', newTestid(v));
  }

  // ---- labels within synonyms ---------------------------------------------------

  var GROUPS = [
    ['Post', 'Publish', 'Share', 'Send'], ['Post all', 'Publish all', 'Send all'],
    ['Add', 'Apply', 'Save', 'Done'], ['Next', 'Continue', 'Proceed'],
    ['submit', 'Submit', 'Send', 'Publish'], ['login', 'Log in', 'Sign in'],
    ['Reply', 'Respond'], ['OK', 'Got it', 'Dismiss']
  ];
  var relabelled = new WeakMap();
  function relabel(el) {
    var label = labelOf(el);
    if (!label || relabelled.get(el) === label) return;
    var group = null;
    for (var g = 0; g < GROUPS.length && !group; g++) {
      if (GROUPS[g].indexOf(label) >= 0) group = GROUPS[g];
    }
    if (!group) return;
    var others = group.filter(function (w) { return w !== label; });
    var next = pick('label:' + label, others);
    if (el.tagName === 'INPUT') {
      el.value = next;
      el.setAttribute('value', next);
    } else {
      var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      var n;
      while ((n = walker.nextNode())) {
        if (n.nodeValue.trim() === label) { n.nodeValue = n.nodeValue.replace(label, next); break; }
      }
      if (!n && el.children.length === 0) el.textContent = next;
    }
    if ((el.getAttribute('aria-label') || '') === label) el.setAttribute('aria-label', next);
    relabelled.set(el, labelOf(el));
  }

  // ---- structure ------------------------------------------------------------------

  var wrapClasses = ['x-field', 'c-wrap', 'css-1dbjc4n', 'r-box', 'flex-col', 'xw' + (hash('w') % 97)];
  function wrap(el) {
    var p = el.parentNode;
    if (!p || custom(p.host ? null : p) || el.hasAttribute('slot') || /^(TR|TBODY|TABLE|THEAD|SELECT|UL|OL)$/.test(p.tagName || '')) return;
    var key = 'wrap:' + signature(el);
    if (!chance(key, 0.5)) return;
    var depth = 1 + (hash(key + ':d') % 2);
    var focused = document.activeElement === el;
    var outer = null, inner = null;
    for (var i = 0; i < depth; i++) {
      var d = document.createElement('div');
      d.setAttribute('data-df-wrap', '');
      d.className = pick(key + ':c' + i, wrapClasses);
      if (inner) inner.appendChild(d); else outer = d;
      inner = d;
    }
    p.insertBefore(outer, el);
    inner.appendChild(el);
    if (focused) el.focus();
  }

  function unwrap(el) {
    var p = el.parentElement;
    if (!p || !/^(DIV|SPAN)$/.test(p.tagName) || p.id || p.children.length !== 1 || ours(p)) return;
    if (custom(p.parentElement) || (p.textContent || '').trim() !== (el.textContent || '').trim()) return;
    if (!chance('unwrap:' + signature(el), 0.5)) return;
    p.replaceWith(el);
  }

  var nativeAttachShadow = Element.prototype.attachShadow;
  var moved = 0;
  function intoShadow(el) {
    if (moved >= 2 || el.getRootNode() !== document) return;
    var form = el.closest('form');
    if (!form || (el.getAttribute('type') || '').toLowerCase() === 'file') return;
    if (!chance('shadow:' + signature(el), 0.5)) return;
    var host = document.createElement('span');
    host.setAttribute('data-df-host', '');
    host.className = atom('host:' + signature(el));
    el.parentNode.insertBefore(host, el);
    var root = nativeAttachShadow.call(host, { mode: 'open' });
    root.appendChild(el);
    moved++;
  }

  var shuffled = new WeakSet();
  function reorderAround(el) {
    var a = el;
    for (var depth = 0; depth < 4 && a && a.parentElement; depth++, a = a.parentElement) {
      var p = a.parentElement;
      if (shuffled.has(p) || /^(HTML|BODY|HEAD)$/.test(p.tagName) || inEditor(p)) continue;
      var kids = Array.prototype.slice.call(p.children);
      if (kids.length < 2 || kids.length > 8) continue;
      var withControls = kids.filter(function (k) {
        return isControl(k) || !!k.querySelector('input:not([type=hidden]), textarea, select, button, [role=button], [contenteditable=true]');
      });
      if (withControls.length < 2) continue;
      shuffled.add(p);
      var key = 'reorder:' + signature(p);
      if (!chance(key, 0.6)) continue;
      var order = kids.slice();
      for (var i = order.length - 1; i > 0; i--) {
        var j = hash(key + ':' + i) % (i + 1);
        var t = order[i]; order[i] = order[j]; order[j] = t;
      }
      if (order.every(function (k, i) { return k === kids[i]; })) order.push(order.shift());
      var focused = document.activeElement;
      order.forEach(function (k) { p.appendChild(k); });
      if (focused && focused !== document.activeElement && focused.focus) focused.focus();
      return;
    }
  }

  // ---- decoys ---------------------------------------------------------------------------

  var PRIMARY = /^(post|post all|submit|share|publish|tweet|send|next)$/i;
  var decoysDone = {};
  function decoyClone(el, kind, label) {
    var d = el.cloneNode(true);
    d.removeAttribute('id');
    d.removeAttribute('name');
    d.setAttribute('data-df-decoy', kind);
    if (d.tagName === 'BUTTON' || d.tagName === 'INPUT' || d.hasAttribute('data-df-button')) d.setAttribute('type', 'button');
    if (label) {
      if (d.tagName === 'INPUT') { d.value = label; d.setAttribute('value', label); } else {
        var walker = document.createTreeWalker(d, NodeFilter.SHOW_TEXT);
        var n, done = false;
        while ((n = walker.nextNode())) {
          if (!done && n.nodeValue.trim()) { n.nodeValue = label; done = true; } else if (done) n.nodeValue = '';
        }
        if (!done) d.textContent = label;
      }
      if (d.hasAttribute('aria-label')) d.setAttribute('aria-label', label);
    }
    d.addEventListener('click', function (e) {
      e.preventDefault();
      e.stopImmediatePropagation();
      record(kind, labelOf(d));
    }, true);
    return d;
  }
  function place(el, d, key) {
    if (chance(key, 0.5)) el.parentNode.insertBefore(d, el);
    else el.parentNode.insertBefore(d, el.nextSibling);
  }
  function decoysFor(el, label) {
    if (!PRIMARY.test(label) || !el.parentNode) return;
    if (OPS['decoy-hidden-post'] && !decoysDone.hidden) {
      decoysDone.hidden = true;
      var h = decoyClone(el, 'hidden-post', null);
      if (chance('hidden-how', 0.5)) h.style.display = 'none'; else h.hidden = true;
      el.parentNode.insertBefore(h, el);
    }
    if (OPS['decoy-disabled-post'] && !decoysDone.disabled) {
      decoysDone.disabled = true;
      var d = decoyClone(el, 'disabled-post', null);
      if ((d.tagName === 'BUTTON' || d.tagName === 'INPUT') && chance('disabled-how', 0.5)) d.disabled = true;
      else d.setAttribute('aria-disabled', 'true');
      place(el, d, 'disabled-where');
    }
    if (OPS['decoy-destructive'] && !decoysDone.destructive) {
      decoysDone.destructive = true;
      var x = decoyClone(el, 'destructive', pick('destructive-label', ['Delete', 'Discard', 'Delete draft', 'Discard post']));
      place(el, x, 'destructive-where');
    }
  }
  function decoyField(el) {
    if (decoysDone.field || !el.parentNode) return;
    decoysDone.field = true;
    var ta = chance('field-tag', 0.5);
    var f = document.createElement(ta ? 'textarea' : 'input');
    if (!ta) f.type = 'text';
    var label = pick('field-label', ['Add a comment', 'Search', 'Write a reply', 'Add a note']);
    f.placeholder = label;
    f.setAttribute('aria-label', label);
    if (el.className && typeof el.className === 'string') f.className = el.className;
    f.setAttribute('data-df-decoy', 'field');
    var typed = false;
    function hit() { if (!typed) { typed = true; record('field', label); } }
    f.addEventListener('beforeinput', hit);
    f.addEventListener('input', hit);
    f.addEventListener('keydown', hit);
    f.addEventListener('blur', function () { typed = false; });
    place(el, f, 'field-where');
  }

  // ---- applying ---------------------------------------------------------------------------

  var ready = document.readyState !== 'loading';
  var done = new WeakSet();
  function process(el, initial) {
    if (ours(el) || isDecoy(el)) return;
    if (OPS['rename-testids'] && el.hasAttribute('data-testid')) renameTestid(el);
    var buttonish = el.matches(BUTTONISH);
    if (buttonish && OPS.relabel) relabel(el);
    if (!ready || done.has(el) || !isControl(el)) return;
    done.add(el);
    var label = labelOf(el);
    if (buttonish) decoysFor(el, label);
    if (OPS['decoy-field'] && isTextField(el)) decoyField(el);
    if (OPS.reorder) reorderAround(el);
    if (OPS.unwrap && initial) unwrap(el);
    if (OPS.shadow) intoShadow(el);
    if (OPS.wrap && el.isConnected) wrap(el);
  }
  function scan(root, initial) {
    if (root.nodeType === 1) { process(root, initial); if (root.shadowRoot) watch(root.shadowRoot); }
    var all = root.querySelectorAll ? root.querySelectorAll('*') : [];
    for (var i = 0; i < all.length; i++) {
      process(all[i], initial);
      if (all[i].shadowRoot) watch(all[i].shadowRoot);
    }
  }
  var watched = new WeakSet();
  function onRecords(records) {
    records.forEach(function (r) {
      if (r.type === 'attributes') { process(r.target, false); return; }
      if (r.type === 'characterData') {
        var b = r.target.parentElement && r.target.parentElement.closest(BUTTONISH);
        if (b) process(b, false);
        return;
      }
      if (r.target.nodeType === 1 && r.target.matches(BUTTONISH)) process(r.target, false);
      r.addedNodes.forEach(function (n) {
        if (n.nodeType === 1) scan(n, false);
        else if (n.nodeType === 3 && n.parentElement) {
          var b2 = n.parentElement.closest(BUTTONISH);
          if (b2) process(b2, false);
        }
      });
    });
    if (CFG.hydrate && hydrating) splash();
  }
  function watch(root) {
    if (watched.has(root)) return;
    watched.add(root);
    new MutationObserver(onRecords).observe(root, {
      childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['data-testid']
    });
    if (root !== document) scan(root, false);
  }
  Element.prototype.attachShadow = function (init) {
    var root = nativeAttachShadow.call(this, init);
    watch(root);
    return root;
  };

  // ---- polyfills for swapped and moved elements ----------------------------------------

  function fromPath(e, sel) {
    var path = e.composedPath ? e.composedPath() : [e.target];
    for (var i = 0; i < path.length; i++) {
      if (path[i].nodeType === 1 && path[i].matches(sel)) return path[i];
    }
    return null;
  }
  function formOf(el) {
    if (el.form) return el.form;
    var f = el.closest('form');
    if (f) return f;
    var root = el.getRootNode();
    return root && root.host ? formOf(root.host) : null;
  }
  function disabled(el) { return el.hasAttribute('disabled') || el.getAttribute('aria-disabled') === 'true'; }
  window.addEventListener('click', function (e) {
    var b = fromPath(e, '[data-df-button]');
    if (b && disabled(b)) { e.preventDefault(); e.stopImmediatePropagation(); }
  }, true);
  window.addEventListener('click', function (e) {
    if (e.defaultPrevented) return;
    var b = fromPath(e, '[data-df-button]');
    if (b) {
      var t = (b.getAttribute('type') || 'submit').toLowerCase();
      var f = t === 'submit' && formOf(b);
      if (f) f.requestSubmit();
      return;
    }
    var s = fromPath(e, 'button, input[type=submit]');
    if (s && !s.form && s.getRootNode() !== document && (s.type || '').toLowerCase() === 'submit') {
      var f2 = formOf(s);
      if (f2) { e.preventDefault(); f2.requestSubmit(); }
    }
  });
  window.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    var b = fromPath(e, '[data-df-button]');
    if (b && e.composedPath()[0] === b) { e.preventDefault(); b.click(); }
  });
  Object.defineProperty(HTMLDivElement.prototype, 'disabled', {
    configurable: true,
    get: function () { return this.hasAttribute('disabled'); },
    set: function (v) {
      this.toggleAttribute('disabled', !!v);
      if (v) this.setAttribute('aria-disabled', 'true'); else this.removeAttribute('aria-disabled');
    }
  });
  // Dialogs turned into divs.
  HTMLDivElement.prototype.showModal = function () {
    this.hidden = false;
    this.setAttribute('open', '');
    this.setAttribute('aria-modal', 'true');
    this.style.position = 'fixed';
    this.style.inset = '10vh 0 auto 0';
    this.style.margin = '0 auto';
    this.style.zIndex = '1000';
    this.style.background = this.style.background || '#fff';
    this.style.width = 'fit-content';
  };
  HTMLDivElement.prototype.show = HTMLDivElement.prototype.showModal;
  HTMLDivElement.prototype.close = function (value) {
    if (value !== undefined) this.returnValue = value;
    this.hidden = true;
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
  Object.defineProperty(HTMLDivElement.prototype, 'open', {
    configurable: true,
    get: function () { return this.hasAttribute('open'); },
    set: function (v) { if (v) this.showModal(); else this.close(); }
  });
  window.addEventListener('submit', function (e) {
    var f = e.target;
    if (f && f.getAttribute && (f.getAttribute('method') || '').toLowerCase() === 'dialog') {
      var d = f.closest('[data-df-dialog]');
      if (d) { e.preventDefault(); d.close(); }
    }
  }, true);
  // Controls moved into a shadow root still belong to their form.
  window.addEventListener('formdata', function (e) {
    var hosts = e.target.querySelectorAll('[data-df-host]');
    for (var i = 0; i < hosts.length; i++) {
      var els = hosts[i].shadowRoot ? hosts[i].shadowRoot.querySelectorAll('input, textarea, select') : [];
      for (var j = 0; j < els.length; j++) {
        var c = els[j];
        if (!c.name || c.disabled) continue;
        var ty = (c.type || '').toLowerCase();
        if ((ty === 'checkbox' || ty === 'radio') && !c.checked) continue;
        if (ty === 'submit' || ty === 'button') continue;
        if (ty === 'file') { Array.prototype.forEach.call(c.files || [], function (file) { e.formData.append(c.name, file); }); continue; }
        e.formData.append(c.name, c.value);
      }
    }
  }, true);

  // ---- late hydration ------------------------------------------------------------------------

  var hydrating = false;
  function splash() {
    if (!document.body || document.getElementById('df-splash')) return;
    var s = document.createElement('div');
    s.id = 'df-splash';
    s.setAttribute('role', 'status');
    s.setAttribute('aria-busy', 'true');
    s.style.cssText = 'position:fixed;inset:0;display:flex;align-items:center;justify-content:center;background:#fff;font:16px sans-serif;color:#536471;z-index:2147483647';
    s.textContent = 'Loading\u2026';
    document.body.insertBefore(s, document.body.firstChild);
  }
  if (CFG.hydrate) {
    hydrating = true;
    var style = document.createElement('style');
    style.setAttribute('data-df-mutate', '');
    style.textContent = 'html[data-df-hydrating] body > :not(#df-splash){display:none !important}';
    document.documentElement.setAttribute('data-df-hydrating', '');
    (document.head || document.documentElement).appendChild(style);
    setTimeout(function () {
      hydrating = false;
      document.documentElement.removeAttribute('data-df-hydrating');
      var s = document.getElementById('df-splash');
      if (s) s.remove();
      style.remove();
    }, CFG.hydrate);
  }

  watch(document);
  function start() {
    ready = true;
    if (CFG.hydrate && hydrating) splash();
    scan(document, true);
  }
  if (ready) start(); else document.addEventListener('DOMContentLoaded', start);
})();
