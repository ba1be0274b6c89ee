/* The Mastodon replica's web app (what an instance serves from
 * /packs/js/application.js).
 *
 * Plain JavaScript. It reads the initial state the signed-in page embeds
 * (meta.access_token, meta.me, the instance's limits) and, after a random
 * hydration delay, renders the compose panel (4.2+ markup; the pre-4.2
 * one for UI 1) and the column for the URL: the home timeline, an
 * account's statuses, or a status with its replies (and a Reply button).
 * Every API call carries the token (`Authorization: Bearer`), never the
 * cookie.
 *
 * The textarea is React-controlled: its value is the compose state, set
 * back on every render; an `input` event updates the state, and the submit
 * re-reads the textarea first (Mastodon's Grammarly guard). The counter
 * counts code points after every URL becomes 23 characters and every
 * `@user@domain` becomes `@user`. Statuses are sent with an
 * Idempotency-Key that lives as long as the draft.
 */
(function () {
  'use strict';

  var STATE = JSON.parse(document.getElementById('initial-state').textContent);
  var TOKEN = STATE.meta.access_token;
  var ME = STATE.accounts[STATE.meta.me];
  var UI = STATE.ui || 0;
  var MAX = STATE.configuration.statuses.max_characters;
  var URL_CHARS = STATE.configuration.statuses.characters_reserved_per_url;
  var ACCEPT = STATE.configuration.media_attachments.supported_mime_types.join(',');
  var T = {
    placeholder: UI === 0 ? "What's on your mind?" : 'What is on your mind?',
    publish: UI === 0 ? 'Post' : 'Publish!',
    reply: 'Reply',
    published: 'Post published.',
    open: 'Open',
    upload: 'Add images, a video or an audio file'
  };

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

  function api(method, path, body, extraHeaders) {
    var headers = Object.assign({ Authorization: 'Bearer ' + TOKEN }, extraHeaders || {});
    var init = { method: method, headers: headers };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) { headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
    });
  }

  function uuid() {
    return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }

  // ---- counting (features/compose/util/counter) --------------------------------

  var URL_RE = /https?:\/\/[^\s]+/g;
  var MENTION_RE = /(^|[^/\w])@(([a-z0-9_]+)@[a-z0-9.-]+[a-z0-9]+)/ig;
  function countableText(text) {
    return text.replace(URL_RE, 'x'.repeat(URL_CHARS)).replace(MENTION_RE, function (_, pre, __, user) { return pre + '@' + user; });
  }
  function length(text) { return Array.from(countableText(text)).length; }

  // ---- notifications --------------------------------------------------------------

  var alerts = h('div', { class: 'notification-list' });
  function showAlert(message, action) {
    var bar = h('div', { class: 'notification-bar notification-bar-active', role: 'status' },
      h('div', { class: 'notification-bar-wrapper' },
        h('p', { class: 'notification-bar-message' }, message),
        action ? h('button', { class: 'notification-bar-action', type: 'button', onclick: action.onClick }, action.label) : null));
    alerts.append(bar);
    setTimeout(function () { bar.remove(); }, 10000);
  }

  // ---- compose state and form ------------------------------------------------------------

  var compose = { text: '', inReplyTo: null, replyText: '', media: [], uploading: 0, submitting: false, key: uuid() };
  var form, textarea, counter, submit, uploads, fileInput, replyBox;

  function buildForm() {
    textarea = h('textarea', {
      class: 'autosuggest-textarea__textarea', placeholder: T.placeholder, 'aria-label': T.placeholder,
      dir: 'auto', 'aria-autocomplete': 'list', lang: 'en', rows: 3
    });
    textarea.addEventListener('input', function () { compose.text = textarea.value; render(); });
    textarea.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); handleSubmit(); }
    });
    counter = h('span', { class: 'character-counter' });
    uploads = h('div', { class: 'compose-form__uploads' });
    fileInput = h('input', { type: 'file', name: 'file-upload-input', multiple: true, accept: ACCEPT, style: 'display: none;' });
    fileInput.addEventListener('change', function () { upload(Array.from(fileInput.files || [])); fileInput.value = ''; });
    var uploadButton = h('div', { class: 'compose-form__upload-button' },
      h('button', { type: 'button', class: 'icon-button', title: T.upload, 'aria-label': T.upload, onclick: function () { fileInput.click(); } }, '📎'),
      h('label', null, h('span', { style: 'display: none;' }, T.upload), fileInput));
    submit = h('button', { type: UI === 0 ? 'submit' : 'button', class: UI === 0 ? 'button' : 'button button--block' }, T.publish);
    if (UI !== 0) submit.addEventListener('click', handleSubmit);
    replyBox = h('div', { class: 'reply-indicator', style: 'display:none;' });
    var buttons = h('div', { class: 'compose-form__buttons' }, uploadButton,
      h('button', { type: 'button', class: 'icon-button', title: 'Add a poll', 'aria-label': 'Add a poll' }, '📊'),
      h('button', { type: 'button', class: 'icon-button', title: 'Add content warning', 'aria-label': 'Add content warning' }, 'CW'));
    var footer = UI === 0
      ? h('div', { class: 'compose-form__footer' },
          h('div', { class: 'compose-form__dropdowns' },
            h('button', { type: 'button', class: 'dropdown-button', title: 'Change post privacy' }, 'Public'),
            h('button', { type: 'button', class: 'dropdown-button', title: 'Change post language' }, 'EN')),
          h('div', { class: 'compose-form__actions' }, buttons,
            h('div', { class: 'character-counter__wrapper' }, counter),
            h('div', { class: 'compose-form__submit' }, submit)))
      : h('div', null,
          h('div', { class: 'compose-form__buttons-wrapper' }, buttons, h('div', { class: 'character-counter__wrapper' }, counter)),
          h('div', { class: 'compose-form__publish' }, h('div', { class: 'compose-form__publish-button-wrapper' }, submit)));
    form = h('form', { class: 'compose-form' }, replyBox,
      h('div', { class: 'compose-form__highlightable' },
        h('div', { class: 'compose-form__scrollable' },
          h('div', { class: 'autosuggest-textarea' }, h('label', null, h('span', { style: 'display: none;' }, T.placeholder), textarea)),
          h('div', { class: 'compose-form__upload-wrapper' }, uploads)),
        footer));
    form.addEventListener('submit', function (e) { e.preventDefault(); handleSubmit(); });
    render();
    return form;
  }

  function render() {
    // Controlled: the DOM value is the state's.
    if (textarea.value !== compose.text) textarea.value = compose.text;
    var left = MAX - length(compose.text);
    counter.textContent = String(left);
    counter.className = 'character-counter' + (left < 0 ? ' character-counter--over' : '');
    var empty = compose.text.trim().length === 0 && compose.media.length === 0;
    submit.disabled = left < 0 || empty || compose.uploading > 0 || compose.submitting;
    submit.textContent = compose.inReplyTo ? T.reply : T.publish;
    replyBox.style.display = compose.inReplyTo ? '' : 'none';
    replyBox.replaceChildren(compose.inReplyTo ? h('div', { class: 'reply-indicator__content translate' }, compose.replyText) : '',
      compose.inReplyTo ? h('button', { type: 'button', class: 'icon-button', title: 'Cancel', 'aria-label': 'Cancel', onclick: function () { compose.inReplyTo = null; render(); } }, '×') : '');
    uploads.replaceChildren.apply(uploads, compose.media.map(function (m) {
      return h('div', { class: 'compose-form__upload' },
        h('div', { class: 'compose-form__upload-thumbnail', style: 'background-image: url(' + m.preview + ');' }));
    }));
  }

  function upload(files) {
    if (compose.media.length + files.length > 4) { showAlert('File upload limit exceeded.'); return; }
    files.forEach(function (f) {
      compose.uploading++;
      render();
      var data = new FormData();
      data.append('file', f);
      api('POST', '/api/v2/media', data).then(function (r) {
        compose.uploading--;
        if (r.status !== 200 && r.status !== 202) { showAlert(r.data.error || 'Upload failed'); render(); return; }
        compose.media.push({ id: r.data.id, preview: URL.createObjectURL(f) });
        render();
      });
    });
  }

  function handleSubmit() {
    // Grammarly guard: the textarea may hold what the state missed.
    if (compose.text !== textarea.value) compose.text = textarea.value;
    render();
    if (submit.disabled) return;
    compose.submitting = true;
    render();
    api('POST', '/api/v1/statuses', {
      status: compose.text, in_reply_to_id: compose.inReplyTo, media_ids: compose.media.map(function (m) { return m.id; }),
      sensitive: false, spoiler_text: '', visibility: 'public', poll: null, language: 'en'
    }, { 'Idempotency-Key': compose.key }).then(function (r) {
      compose.submitting = false;
      if (r.status !== 200) { showAlert(r.data.error || 'Something went wrong'); render(); return; }
      var st = r.data;
      compose.text = ''; compose.inReplyTo = null; compose.media = []; compose.key = uuid();
      render();
      prependToTimeline(st);
      showAlert(T.published, { label: T.open, onClick: function () { navigate('/@' + st.account.acct + '/' + st.id); } });
    }, function () {
      compose.submitting = false;
      showAlert('Something went wrong');
      render();
    });
  }

  // ---- statuses ----------------------------------------------------------------------

  function statusEl(st, detailed) {
    var content = h('div', { class: 'status__content__text translate' });
    content.innerHTML = st.content;
    var link = '/@' + st.account.acct + '/' + st.id;
    if (detailed) {
      return h('div', { class: 'detailed-status', 'data-id': st.id },
        h('a', { class: 'detailed-status__display-name', href: '/@' + st.account.acct }, '@' + st.account.acct),
        h('div', { class: 'status__content' }, content),
        h('div', { class: 'detailed-status__meta' }, h('a', { class: 'detailed-status__datetime', href: link }, 'now')),
        h('div', { class: 'detailed-status__action-bar' },
          h('div', { class: 'detailed-status__button' },
            h('button', { type: 'button', class: 'icon-button', title: 'Reply', 'aria-label': 'Reply', onclick: function () {
              compose.inReplyTo = st.id;
              compose.replyText = content.textContent;
              render();
              textarea.focus();
            } }, '↩')),
          h('div', { class: 'detailed-status__button' }, h('button', { type: 'button', class: 'icon-button', title: 'Boost', 'aria-label': 'Boost' }, '🔁')),
          h('div', { class: 'detailed-status__button' }, h('button', { type: 'button', class: 'icon-button', title: 'Favorite', 'aria-label': 'Favorite' }, '★'))));
    }
    var when = typeof st.created_at === 'number' ? new Date(st.created_at * 1000).toISOString() : String(st.created_at || '');
    return h('article', { 'data-id': st.id }, h('div', { class: 'status status-public' + (st.in_reply_to_id ? ' status-reply' : ''), 'data-id': st.id },
      h('div', { class: 'status__info' },
        h('a', { class: 'status__relative-time', href: link }, h('time', { datetime: when, title: when }, 'now')),
        h('a', { class: 'status__display-name', href: '/@' + st.account.acct }, '@' + st.account.acct)),
      h('div', { class: 'status__content' }, content),
      st.media_attachments.length ? h('div', { class: 'media-gallery' }, st.media_attachments.length + ' attachment(s)') : null));
  }

  var column;
  function prependToTimeline(st) {
    var list = column && column.querySelector('.item-list[data-timeline="home"]');
    if (list) list.prepend(statusEl(st, false));
  }

  function accountColumn(acct) {
    var list = h('div', { class: 'item-list', role: 'feed' });
    column.append(h('div', { class: 'account__header' }, h('h1', null, '@' + acct)), list);
    api('GET', '/api/v1/accounts/lookup?acct=' + encodeURIComponent(acct)).then(function (r) {
      if (r.status !== 200) { list.append(h('div', { class: 'empty-column-indicator' }, 'Profile unavailable')); return; }
      return api('GET', '/api/v1/accounts/' + r.data.id + '/statuses?limit=40').then(function (s) {
        if (!s.data.length) list.append(h('div', { class: 'empty-column-indicator' }, 'No posts found'));
        s.data.forEach(function (st) { list.append(statusEl(st, false)); });
      });
    });
  }

  function statusColumn(id) {
    var box = h('div', { class: 'scrollable' });
    column.append(box);
    api('GET', '/api/v1/statuses/' + id).then(function (r) {
      if (r.status !== 200) { box.append(h('div', { class: 'empty-column-indicator' }, 'Post not found')); return; }
      box.append(statusEl(r.data, true));
      return api('GET', '/api/v1/statuses/' + id + '/context').then(function (c) {
        // The replies a page at a time, behind "Load more".
        var per = STATE.replies_per_page || 40;
        var rest = c.data.descendants.slice();
        function more() {
          rest.splice(0, per).forEach(function (st) { box.append(statusEl(st, false)); });
          if (rest.length) {
            var b = h('button', { type: 'button', class: 'load-more', onclick: function () {
              b.disabled = true;
              setTimeout(function () { b.remove(); more(); }, 150 + Math.floor(Math.random() * 350));
            } }, 'Load more');
            box.append(b);
          }
        }
        more();
      });
    });
  }

  function homeColumn() {
    var list = h('div', { class: 'item-list', role: 'feed', 'data-timeline': 'home' });
    column.append(h('h1', { class: 'column-header__title' }, 'Home'), list);
    api('GET', '/api/v1/accounts/' + ME.id + '/statuses?limit=20').then(function (s) {
      s.data.forEach(function (st) { list.append(statusEl(st, false)); });
    });
  }

  function navigate(path) {
    history.pushState(null, '', path);
    route();
  }

  function route() {
    column.replaceChildren();
    var path = location.pathname;
    var m;
    if ((m = path.match(/^\/@([^/]+)\/(\d+)$/))) statusColumn(m[2]);
    else if ((m = path.match(/^\/@([^/]+)/))) accountColumn(decodeURIComponent(m[1]));
    else homeColumn();
    if (path === '/share') {
      var text = new URLSearchParams(location.search).get('text');
      if (text) { compose.text = text; render(); }
    }
  }

  function boot() {
    var root = document.getElementById('mastodon');
    column = h('div', { class: 'column', role: 'region', 'aria-label': 'Main' });
    var nav = h('div', { class: 'navigation-bar' },
      h('a', { href: '/@' + ME.acct, class: 'account__avatar', 'aria-hidden': 'true' }, ''),
      h('div', { class: 'navigation-bar__profile' },
        h('a', { href: '/@' + ME.acct, class: 'navigation-bar__profile-account' }, h('strong', null, '@' + ME.acct))));
    root.replaceChildren(h('div', { class: 'ui' },
      h('div', { class: 'columns-area__panels' },
        h('div', { class: 'columns-area__panels__pane columns-area__panels__pane--compositional' },
          h('div', { class: 'compose-panel' }, nav, buildForm())),
        h('div', { class: 'columns-area__panels__main' }, column)),
      alerts));
    document.addEventListener('click', function (e) {
      var a = e.target.closest && e.target.closest('a[href^="/"]');
      if (a && !e.defaultPrevented) { e.preventDefault(); navigate(a.getAttribute('href')); }
    });
    window.addEventListener('popstate', route);
    route();
  }

  var lo = STATE.hydration[0], hi = STATE.hydration[1];
  setTimeout(boot, lo + Math.floor(Math.random() * Math.max(1, hi - lo)));
})();
