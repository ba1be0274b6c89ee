#!/usr/bin/env python3
"""Look-alikes of Bluesky's and Mastodon's posting flows (stdlib only).

    python3 newsites.py SITE PORT      SITE: bluesky | mastodon | linkedin

Written from shared/docs/field-notes.md §1 (what is known of the real
composers), not from DistroFlow's replicas or adapters: where the notes are
silent, the choices here differ on purpose (a real <button> with `disabled`
for Bluesky's publish, one <p> with <br> hard breaks in its editor, a file
input that is never attached to the document, a profile whose posts carry
no test ids; Mastodon's status page with a timeline-style action bar, no
navigation bar, a 0.4-1.2 s boot).

Prints one JSON line when listening:
    {"site": ..., "url": ..., "cookie": {...}} (mastodon)
    {"site": ..., "url": ..., "storage": {"name": "BSKY_STORAGE", "value": ...}} (bluesky)
State: GET /__lookalike/posts (id, text, media, reply_to, public_url).
"""
import json
import random
import re
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
POSTS = []
MEDIA = {}
SITE = sys.argv[1] if len(sys.argv) > 1 else "bluesky"
USER = "alice"


def js_json(obj):
    return (json.dumps(obj).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


# ---------------------------------------------------------------- Bluesky

BSKY_DID = "did:plc:" + "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(24))
BSKY_HANDLE = "alice.test"
BSKY_ACCESS = "acc-" + secrets.token_urlsafe(24)
BSKY_REFRESH = "ref-" + secrets.token_urlsafe(24)

BSKY_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Bluesky</title>
<style>body{font-family:sans-serif} .modal{position:fixed;inset:0;background:#0005;display:flex;align-items:start;justify-content:center}
.sheet{background:#fff;width:560px;margin-top:30px;padding:10px} .ProseMirror{min-height:50px;border:1px solid #ccc;padding:6px;white-space:pre-wrap}
.toast{position:fixed;right:10px;bottom:10px;background:#222;color:#fff;padding:8px}</style></head>
<body><div id="app">Loading…</div><script>
(function(){
const HANDLE_KEY = 'BSKY_STORAGE';
function session(){ try { const s = JSON.parse(localStorage.getItem(HANDLE_KEY)).session; return s.accounts.find(a => a.did === s.currentAccount.did); } catch (e) { return null; } }
function el(html){ const t = document.createElement('template'); t.innerHTML = html.trim(); return t.content.firstElementChild; }
function esc(s){ return s.replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c])); }
const app = document.getElementById('app');

// An editor that keeps a model: one <p>, lines separated by <br> (HardBreak).
function Editor(placeholder){
  const node = el('<div class="ProseMirror" contenteditable="true" role="textbox" aria-label="Rich-Text Editor" translate="no"></div>');
  let text = '';
  function paint(){ const p = document.createElement('p'); const lines = text.split('\\n');
    lines.forEach((l, i) => { if (i) p.appendChild(document.createElement('br')); if (l) p.appendChild(document.createTextNode(l)); });
    if (!text) { p.setAttribute('data-placeholder', placeholder); p.appendChild(document.createElement('br')); }
    node.replaceChildren(p); }
  function caretEnd(){ const r = document.createRange(); r.selectNodeContents(node); r.collapse(false); const s = getSelection(); s.removeAllRanges(); s.addRange(r); }
  node.addEventListener('beforeinput', e => {
    e.preventDefault();
    const sel = getSelection();
    const all = sel.rangeCount && sel.toString().length > 0 && sel.toString().replace(/\\s/g,'').length >= text.replace(/\\s/g,'').length;
    if (e.inputType.startsWith('insert')) {
      const data = e.inputType === 'insertParagraph' || e.inputType === 'insertLineBreak' ? '\\n' : (e.data ?? (e.dataTransfer ? e.dataTransfer.getData('text/plain') : ''));
      text = (all ? '' : text) + data;
    } else if (e.inputType.startsWith('delete')) {
      text = all ? '' : text.slice(0, -1);
    }
    paint(); caretEnd(); node.dispatchEvent(new CustomEvent('model'));
  });
  paint();
  return { node, get text(){ return text; } };
}

function composer(initial){
  const modal = el('<div class="modal"><div class="sheet" data-testid="composePostView" role="dialog" aria-modal="true">'
    + '<div class="bar"><button type="button" class="cancel">Cancel</button> <button type="button" data-testid="composerPublishBtn" aria-label="Publish post" disabled>Post</button></div>'
    + '<div class="posts"></div><div class="foot"><button type="button" data-testid="openMediaBtn" aria-label="Add media to post">Media</button>'
    + ' <button type="button" aria-label="Add another post to thread">+</button> <span class="count"></span></div></div></div>');
  const posts = []; let active = 0;
  const publish = modal.querySelector('[data-testid=composerPublishBtn]');
  const count = modal.querySelector('.count');
  function refresh(){
    const many = posts.length > 1;
    publish.textContent = many ? 'Post All' : 'Post';
    publish.setAttribute('aria-label', many ? 'Publish posts' : 'Publish post');
    const ok = posts.every(p => p.ed.text.trim() || p.files.length) && posts.every(p => [...new Intl.Segmenter().segment(p.ed.text)].length <= 300);
    publish.disabled = !ok;
    count.textContent = 300 - [...new Intl.Segmenter().segment(posts[active].ed.text)].length;
  }
  function add(text){
    const ed = Editor(posts.length ? 'Add another post' : "What's up?");
    const box = el('<section class="post-item"><div class="gallery"></div></section>');
    box.prepend(ed.node);
    const p = { ed, files: [], box };
    ed.node.addEventListener('focus', () => { active = posts.indexOf(p); refresh(); });
    ed.node.addEventListener('model', refresh);
    posts.push(p); active = posts.length - 1;
    modal.querySelector('.posts').appendChild(box);
    if (text) { ed.node.focus(); document.execCommand('insertText', false, text); }
    refresh(); ed.node.focus();
  }
  modal.querySelector('[aria-label="Add another post to thread"]').onclick = () => add('');
  modal.querySelector('.cancel').onclick = () => modal.remove();
  modal.querySelector('[data-testid=openMediaBtn]').onclick = () => {
    // Made at click time and never put in the document.
    const input = document.createElement('input');
    input.type = 'file'; input.multiple = true; input.accept = 'image/*,video/*';
    const p = posts[active];
    input.onchange = () => { for (const f of input.files) { p.files.push(f);
      const img = document.createElement('img'); img.alt = 'Image'; img.width = 64; img.src = URL.createObjectURL(f); p.box.querySelector('.gallery').appendChild(img); } refresh(); };
    input.click();
  };
  publish.onclick = async () => {
    publish.disabled = true;
    const me = session();
    const auth = { Authorization: 'Bearer ' + me.accessJwt };
    const writes = [];
    for (const p of posts) {
      const images = [];
      for (const f of p.files) {
        const r = await fetch('/xrpc/com.atproto.repo.uploadBlob', { method: 'POST', headers: Object.assign({'Content-Type': f.type}, auth), body: f });
        images.push({ alt: '', image: (await r.json()).blob });
      }
      writes.push({ text: p.ed.text, images });
    }
    const r = await fetch('/xrpc/com.atproto.repo.applyWrites', { method: 'POST', headers: Object.assign({'Content-Type': 'application/json'}, auth),
      body: JSON.stringify({ repo: me.did, writes: writes.map(w => ({ $type: 'com.atproto.repo.applyWrites#create', collection: 'app.bsky.feed.post', value: { text: w.text, embed: w.images.length ? { images: w.images } : undefined } })) }) });
    modal.remove();
    const ok = r.ok;
    setTimeout(() => { const t = el('<div class="toast" role="status"></div>'); t.textContent = ok ? (posts.length > 1 ? 'Your posts were sent' : 'Your post was sent') : 'Failed to post';
      document.body.appendChild(t); setTimeout(() => t.remove(), 7000); }, 500);
  };
  document.body.appendChild(modal);
  add(initial);
}

function shell(me){
  app.innerHTML = '<div class="left"><nav><a href="/">Home</a> <a href="/profile/' + esc(me.handle) + '" aria-label="Profile">Profile</a>'
    + ' <button type="button" aria-label="Compose new post">New Post</button></nav></div><main id="main"></main>';
  app.querySelector('[aria-label="Compose new post"]').onclick = () => composer('');
}

async function route(){
  const me = session();
  if (!me) { app.innerHTML = '<div><h2>Bluesky</h2><button type="button" data-testid="signInButton">Sign in</button></div>'; return; }
  shell(me);
  const main = document.getElementById('main');
  const m = location.pathname.match(/^\\/profile\\/([^/]+)\\/?$/);
  if (m) {
    const r = await fetch('/__feed?actor=' + encodeURIComponent(m[1]));
    const list = await r.json();
    main.innerHTML = list.map(p => '<div class="row"><span>@' + esc(p.handle) + '</span> <a href="/profile/' + esc(p.handle) + '/post/' + p.rkey + '">' + p.ago + '</a><div class="body" style="white-space:pre-wrap">' + esc(p.text) + '</div></div>').join('') || '<p>Nothing here</p>';
  } else {
    main.innerHTML = '<p>Discover</p>';
  }
  if (location.pathname === '/intent/compose') composer(new URLSearchParams(location.search).get('text') || '');
}
setTimeout(route, 400 + Math.random() * 800);
})();
</script></body></html>
"""


# ---------------------------------------------------------------- LinkedIn
# From the notes: `/feed/?shareActive=true` opens the share box; this
# look-alike gives the SDUI one only: a placeholder <dialog> first, swapped
# ~0.5 s later for a <dialog> with `[data-sdui-screen*='sharing.ShareCompose']`,
# a TipTap editor `[componentkey='ShareBox_textEditor']` inside
# `[data-testid='ui-core-tiptap-text-editor-wrapper']`, obfuscated classes,
# and the footer's only text-only <button> as the submit. Session: `li_at`;
# JSESSIONID's value as `csrf-token`. The new post's URL from a toast link.

LI_AT = "AQEDA" + secrets.token_urlsafe(40)
LI_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Feed | LinkedIn</title></head><body>
<nav><a href="/in/alice/" class="nav-me">Me</a></nav><main><button type="button" id="start">Start a post</button></main>
<script>
(function(){
const K = () => '_' + Math.random().toString(36).slice(2, 9);
function open(){
  const ph = document.createElement('dialog'); ph.className = K(); ph.open = true; ph.innerHTML = '<div class="' + K() + '">Loading…</div>';
  document.body.appendChild(ph);
  setTimeout(() => {
    ph.remove();
    const d = document.createElement('dialog'); d.className = K(); d.open = true;
    d.innerHTML = '<div data-sdui-screen="com.linkedin.sdui.flagshipnav.sharing.ShareCompose" class="' + K() + '">'
      + '<div data-testid="ui-core-tiptap-text-editor-wrapper" class="' + K() + '"><div contenteditable="true" role="textbox" componentkey="ShareBox_textEditor" class="ProseMirror ' + K() + '"><p><br></p></div></div>'
      + '<div class="' + K() + '"><button type="button" aria-label="Add media" class="' + K() + '"><svg width="16" height="16"></svg></button>'
      + '<button type="button" aria-label="Post settings" class="' + K() + '"><svg width="16" height="16"></svg></button>'
      + '<button type="button" class="' + K() + '" disabled>Post</button></div></div>';
    document.body.appendChild(d);
    const ed = d.querySelector('[componentkey=ShareBox_textEditor]');
    const post = Array.from(d.querySelectorAll('button')).find(b => b.textContent.trim() === 'Post');
    let text = '';
    function paint(){ ed.replaceChildren(...(text ? text.split('\\n') : ['']).map(l => { const p = document.createElement('p'); if (l) p.textContent = l; else p.appendChild(document.createElement('br')); return p; }));
      post.disabled = !text.trim(); }
    ed.addEventListener('beforeinput', e => { e.preventDefault();
      const sel = getSelection(); const all = sel.toString().length > 0;
      if (e.inputType.startsWith('insert')) text = (all ? '' : text) + (e.inputType === 'insertParagraph' ? '\\n' : (e.data || ''));
      else if (e.inputType.startsWith('delete')) text = all ? '' : text.slice(0, -1);
      paint(); const r = document.createRange(); r.selectNodeContents(ed); r.collapse(false); sel.removeAllRanges(); sel.addRange(r); });
    post.onclick = async () => {
      post.disabled = true;
      const tok = (document.cookie.match(/JSESSIONID="?([^";]+)/) || [])[1] || '';
      const r = await fetch('/voyager/api/contentcreation/normShares', { method: 'POST', headers: { 'csrf-token': tok, 'Content-Type': 'application/json' }, body: JSON.stringify({ commentary: text }) });
      const j = await r.json(); d.remove();
      const t = document.createElement('div'); t.className = 'artdeco-toast-item'; t.setAttribute('role', 'alert');
      t.innerHTML = r.ok ? 'Post successful. <a href="/feed/update/' + j.urn + '/">View post</a>' : 'Something went wrong';
      document.body.appendChild(t);
    };
    ed.focus();
  }, 500);
}
document.getElementById('start').onclick = open;
if (new URLSearchParams(location.search).get('shareActive') === 'true') setTimeout(open, 300);
})();
</script></body></html>
"""


# ---------------------------------------------------------------- Mastodon

M_SESSION = secrets.token_hex(32)
M_TOKEN = secrets.token_urlsafe(32)
M_ME = "109" + "".join(random.choice("0123456789") for _ in range(15))
M_IDEMP = {}

M_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Mastodon</title>
<script id="initial-state" type="application/json">__STATE__</script></head>
<body><div id="mastodon"></div><script>
(function(){
const S = JSON.parse(document.getElementById('initial-state').textContent);
const auth = { Authorization: 'Bearer ' + S.meta.access_token };
const root = document.getElementById('mastodon');
function esc(s){ return s.replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c])); }
let text = ''; let replyTo = null; let media = []; let key = crypto.randomUUID(); let busy = 0;
function count(t){ return [...t.replace(/https?:\\/\\/\\S+/g, 'x'.repeat(23)).replace(/@(\\w+)@[\\w.-]+\\w/g, '@$1')].length; }
function alertBar(msg){ const b = document.createElement('div'); b.className = 'notification-bar';
  b.innerHTML = '<span class="notification-bar-message"></span>'; b.firstChild.textContent = msg; document.body.appendChild(b); setTimeout(() => b.remove(), 8000); }
function paint(){
  const ta = root.querySelector('textarea'); if (ta.value !== text) ta.value = text;
  const btn = root.querySelector('.compose-form__submit button');
  btn.textContent = replyTo ? 'Reply' : 'Post';
  btn.disabled = busy > 0 || count(text) > S.max || (!text.trim() && !media.length);
  root.querySelector('.left').textContent = S.max - count(text);
}
root.innerHTML = '<div class="wrap"><form class="compose-form"><div class="compose-form__highlightable"><div class="compose-form__scrollable">'
  + '<textarea class="autosuggest-textarea__textarea" dir="auto" aria-autocomplete="list" lang="en" placeholder="What\\'s on your mind?" aria-label="What\\'s on your mind?"></textarea>'
  + '<div class="previews"></div></div><div class="compose-form__footer"><span class="compose-form__upload-button"><input type="file" multiple style="display:none" accept="image/png,image/jpeg,image/gif,image/webp,video/mp4"></span>'
  + '<span class="left"></span><div class="compose-form__submit"><button type="submit" class="button">Post</button></div></div></div></form><div class="col"></div></div>';
const ta = root.querySelector('textarea');
ta.addEventListener('input', () => { text = ta.value; paint(); });
root.querySelector('input[type=file]').addEventListener('change', async (e) => {
  for (const f of e.target.files) { busy++; paint(); const fd = new FormData(); fd.append('file', f);
    const r = await fetch('/api/v2/media', { method: 'POST', headers: auth, body: fd }); const j = await r.json(); busy--;
    media.push(j.id); const d = document.createElement('div'); d.className = 'compose-form__upload'; d.textContent = f.name; root.querySelector('.previews').appendChild(d); paint(); }
});
root.querySelector('form').addEventListener('submit', async (e) => {
  e.preventDefault(); if (text !== ta.value) text = ta.value; busy++; paint();
  const r = await fetch('/api/v1/statuses', { method: 'POST', headers: Object.assign({'Content-Type': 'application/json', 'Idempotency-Key': key}, auth),
    body: JSON.stringify({ status: text, in_reply_to_id: replyTo, media_ids: media, visibility: 'public' }) });
  busy--; const j = await r.json();
  if (!r.ok) { alertBar(j.error || 'Error'); paint(); return; }
  text = ''; media = []; replyTo = null; key = crypto.randomUUID(); root.querySelector('.previews').innerHTML = ''; paint();
  alertBar('Post published.');
});
const col = root.querySelector('.col');
const m = location.pathname.match(/^\\/@[^/]+\\/(\\d+)$/);
if (m) {
  fetch('/api/v1/statuses/' + m[1], { headers: auth }).then(r => r.json()).then(st => {
    col.innerHTML = '<article class="status"><div class="status__content">' + st.content + '</div><div class="status__action-bar">'
      + '<button type="button" class="status__action-bar__button icon-button" title="Reply" aria-label="Reply">R</button>'
      + '<button type="button" class="icon-button" title="Boost" aria-label="Boost">B</button></div></article>';
    col.querySelector('[title=Reply]').onclick = () => { replyTo = st.id; paint(); ta.focus(); };
  });
}
paint();
})();
</script></body></html>
"""


def m_status(s, base):
    paras = "".join("<p>" + "<br>".join(
        re.sub(r"&", "&amp;", line).replace("<", "&lt;").replace(">", "&gt;") for line in para.split("\n")) + "</p>"
        for para in s["text"].split("\n\n"))
    return {"id": s["id"], "url": base + "/@" + USER + "/" + s["id"], "content": paras,
            "in_reply_to_id": s["reply_to"], "account": {"id": M_ME, "acct": USER, "username": USER},
            "media_attachments": [{"id": m} for m in s["media"]]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="text/html; charset=utf-8", headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def base(self):
        return "http://" + self.headers.get("Host", "127.0.0.1")

    def bearer_ok(self, token):
        return self.headers.get("Authorization", "") == "Bearer " + token

    def cookie(self, name):
        for part in (self.headers.get("Cookie") or "").split(";"):
            k, _, v = part.strip().partition("=")
            if k == name:
                return v
        return None

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path == "/__lookalike/posts":
            with LOCK:
                return self.send(200, json.dumps(POSTS), "application/json")
        if SITE == "linkedin":
            if self.cookie("li_at") != LI_AT:
                return self.send(302, "", headers=[("Location", "/login")])
            if url.path == "/login":
                return self.send(200, '<form><input id="username" name="session_key"></form>')
            if url.path.startswith("/in/"):
                with LOCK:
                    rows = "".join('<article><a href="/feed/update/%s/">1m</a><p>%s</p></article>' % (p["id"], p["text"].replace("<", "&lt;")) for p in reversed(POSTS))
                return self.send(200, '<nav><a href="/in/alice/" class="nav-me">Me</a></nav><main>%s</main>' % rows)
            headers = [] if self.cookie("JSESSIONID") else [("Set-Cookie", 'JSESSIONID="ajax:%d"; Path=/' % random.randint(10**17, 10**18))]
            return self.send(200, LI_PAGE, headers=headers)
        if SITE == "bluesky":
            if url.path == "/__feed":
                with LOCK:
                    rows = [dict(p, handle=BSKY_HANDLE, ago="%ds" % int(time.time() - p["t"])) for p in reversed(POSTS)]
                return self.send(200, json.dumps(rows), "application/json")
            return self.send(200, BSKY_PAGE)
        # Mastodon
        if url.path == "/api/v2/instance":
            return self.send(200, json.dumps({"configuration": {"statuses": {
                "max_characters": 500, "characters_reserved_per_url": 23}}}), "application/json")
        if url.path.startswith("/api/"):
            if not self.bearer_ok(M_TOKEN):
                return self.send(401, json.dumps({"error": "The access token is invalid"}), "application/json")
            m = re.match(r"^/api/v1/accounts/(\d+)/statuses$", url.path)
            if m:
                with LOCK:
                    rows = [m_status(s, self.base()) for s in reversed(POSTS)][: int((q.get("limit") or ["20"])[0])]
                return self.send(200, json.dumps(rows), "application/json")
            if url.path == "/api/v1/accounts/verify_credentials":
                return self.send(200, json.dumps({"id": M_ME, "acct": USER, "username": USER}), "application/json")
            m = re.match(r"^/api/v1/statuses/(\d+)$", url.path)
            if m:
                with LOCK:
                    s = next((s for s in POSTS if s["id"] == m.group(1)), None)
                return self.send(200 if s else 404, json.dumps(m_status(s, self.base()) if s else {"error": "Record not found"}), "application/json")
            return self.send(404, "{}", "application/json")
        if url.path == "/auth/sign_in":
            return self.send(200, '<form id="new_user" action="/auth/sign_in" method="post"><input type="email" name="user[email]" id="user_email">'
                             '<input type="password" name="user[password]" id="user_password"><button type="submit">Log in</button></form>')
        if self.cookie("_mastodon_session") != M_SESSION:
            return self.send(302, "", headers=[("Location", "/auth/sign_in")])
        state = {"meta": {"access_token": M_TOKEN, "me": M_ME}, "max": 500}
        return self.send(200, M_PAGE.replace("__STATE__", js_json(state)))

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        data = self.body()
        if SITE == "linkedin":
            tok = (self.cookie("JSESSIONID") or "").strip('"')
            if self.cookie("li_at") != LI_AT or not tok or self.headers.get("csrf-token") != tok:
                return self.send(403, json.dumps({"status": 403}), "application/json")
            req = json.loads(data)
            with LOCK:
                urn = "urn:li:activity:%d" % (7000000000000000000 + len(POSTS))
                POSTS.append({"id": urn, "text": req["commentary"], "media": [], "reply_to": None,
                              "public_url": "%s/feed/update/%s/" % (self.base(), urn)})
            return self.send(201, json.dumps({"urn": urn}), "application/json")
        if SITE == "bluesky":
            if self.headers.get("Authorization") != "Bearer " + BSKY_ACCESS:
                return self.send(401, json.dumps({"error": "AuthMissing"}), "application/json")
            if url.path == "/xrpc/com.atproto.repo.uploadBlob":
                cid = "bafk" + secrets.token_hex(8)
                with LOCK:
                    MEDIA[cid] = {"name": "blob", "size": len(data)}
                return self.send(200, json.dumps({"blob": {"ref": {"$link": cid}, "mimeType": self.headers.get("Content-Type"), "size": len(data)}}), "application/json")
            if url.path == "/xrpc/com.atproto.repo.applyWrites":
                req = json.loads(data)
                results = []
                with LOCK:
                    prev = None
                    for w in req["writes"]:
                        rkey = "3l" + secrets.token_hex(6)
                        v = w["value"]
                        media = [MEDIA[i["image"]["ref"]["$link"]] for i in ((v.get("embed") or {}).get("images") or [])]
                        POSTS.append({"id": rkey, "rkey": rkey, "text": v["text"], "media": media, "reply_to": prev, "t": time.time(),
                                      "public_url": "%s/profile/%s/post/%s" % (self.base(), BSKY_HANDLE, rkey)})
                        prev = rkey
                        results.append({"uri": "at://%s/app.bsky.feed.post/%s" % (BSKY_DID, rkey)})
                return self.send(200, json.dumps({"results": results}), "application/json")
            return self.send(404, "{}", "application/json")
        # Mastodon
        if url.path == "/auth/sign_in":
            f = urllib.parse.parse_qs(data.decode())
            if f.get("user[email]") == ["alice@example.com"] and f.get("user[password]") == ["wonderland"]:
                return self.send(302, "", headers=[("Location", "/home"), ("Set-Cookie", "_mastodon_session=%s; path=/; HttpOnly" % M_SESSION)])
            return self.send(200, '<div class="flash-message alert">Invalid E-mail address or password.</div><form id="new_user"></form>')
        if not self.bearer_ok(M_TOKEN):
            return self.send(401, json.dumps({"error": "The access token is invalid"}), "application/json")
        if url.path == "/api/v2/media":
            mid = str(random.randint(10**17, 10**18))
            name = (re.search(rb'filename="([^"]*)"', data) or [b"", b"file"])[1].decode()
            with LOCK:
                MEDIA[mid] = {"name": name, "size": len(data)}
            return self.send(200, json.dumps({"id": mid, "type": "image"}), "application/json")
        if url.path == "/api/v1/statuses":
            req = json.loads(data)
            key = self.headers.get("Idempotency-Key")
            with LOCK:
                if key and key in M_IDEMP:
                    s = next(s for s in POSTS if s["id"] == M_IDEMP[key])
                    return self.send(200, json.dumps(m_status(s, self.base())), "application/json")
                if len(req["status"]) > 500:
                    return self.send(422, json.dumps({"error": "Validation failed: Text character limit of 500 exceeded"}), "application/json")
                sid = str(int(time.time() * 1000) << 16 | random.randint(0, 65535))
                s = {"id": sid, "text": req["status"], "media": [MEDIA[m] for m in req.get("media_ids") or []],
                     "reply_to": req.get("in_reply_to_id"), "public_url": "%s/@%s/%s" % (self.base(), USER, sid)}
                POSTS.append(s)
                if key:
                    M_IDEMP[key] = sid
            return self.send(200, json.dumps(m_status(s, self.base())), "application/json")
        return self.send(404, "{}", "application/json")


def main():
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    url = "http://127.0.0.1:%d" % srv.server_address[1]
    line = {"site": SITE, "url": url + "/"}
    if SITE == "bluesky":
        line["storage"] = {"name": "BSKY_STORAGE", "value": json.dumps({"session": {
            "accounts": [{"service": url, "did": BSKY_DID, "handle": BSKY_HANDLE, "accessJwt": BSKY_ACCESS, "refreshJwt": BSKY_REFRESH}],
            "currentAccount": {"did": BSKY_DID}}})}
    elif SITE == "linkedin":
        line["cookie"] = {"name": "li_at", "value": LI_AT}
    else:
        line["cookie"] = {"name": "_mastodon_session", "value": M_SESSION}
    print(json.dumps(line), flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
