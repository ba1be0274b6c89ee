// Share with DistroFlow: the service worker. It is the only part of the
// extension that talks to the local DistroFlow server (HTTP and WebSocket):
// the popup and options pages ask it through chrome.runtime messages, and it
// answers only messages from the extension's own pages. There is no content
// script and no externally_connectable, so no web page can reach it.
"use strict";

const DEFAULT_PORT = 7777;
const MENU_ID = "share-selection";

// ---- settings (chrome.storage.local only, never sync) ----

async function settings() {
  const s = await chrome.storage.local.get(["port", "token", "tokenId"]);
  return { port: Number(s.port) || DEFAULT_PORT, token: s.token || null, tokenId: s.tokenId || null };
}

function base(port) {
  return "http://127.0.0.1:" + port;
}

// ---- errors a person can act on ----

function offline(port) {
  return {
    kind: "offline",
    message: "DistroFlow is not running on port " + port + ".",
    hint: "Start it in a terminal: distroflow serve (or check the port in this extension's options).",
  };
}

const PAIR_AGAIN =
  "Pair again: run distroflow serve --pair and enter the code in this extension's options.";

function unpaired() {
  return { kind: "unpaired", message: "This browser is not paired with DistroFlow yet.", hint: PAIR_AGAIN };
}

function refused(status, body) {
  const e = (body && body.error) || {};
  if (status === 401 || (status === 403 && e.kind === "origin")) {
    return { kind: "unauthorized", message: "DistroFlow refused this extension's token (it was revoked, or the server's data was reset).", hint: PAIR_AGAIN };
  }
  return { kind: e.kind || "http", platform: e.platform || null, message: e.message || "DistroFlow answered " + status + ".", hint: e.hint || null, errors: body && body.errors };
}

// One call to the server. Never throws: { ok, status, body } or { ok: false, error }.
async function call(method, path, body, opts = {}) {
  const s = await settings();
  if (!s.token && !opts.noToken) return { ok: false, error: unpaired() };
  const port = opts.port || s.port;
  const headers = {};
  if (!opts.noToken) headers.authorization = "Bearer " + s.token;
  if (body !== undefined) headers["content-type"] = "application/json";
  let r;
  try {
    r = await fetch(base(port) + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch (_) {
    return { ok: false, error: offline(port) };
  }
  let json = null;
  try { json = await r.json(); } catch (_) { /* no body */ }
  if (!r.ok) return { ok: false, status: r.status, error: refused(r.status, json), server: json && json.error };
  return { ok: true, status: r.status, body: json };
}

// ---- pairing ----

async function pair(code, port, label) {
  port = Number(port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, error: { kind: "usage", message: "The port must be a number from 1 to 65535.", hint: "distroflow serve prints it: listening on http://127.0.0.1:PORT" } };
  }
  const r = await call("POST", "/api/v1/pair", { code: String(code || ""), label: label || "Share with DistroFlow" }, { noToken: true, port });
  if (!r.ok) {
    // A refused code: the server's own words (wrong with tries left, used,
    // expired, burned), not "revoked".
    if (r.server) return { ok: false, error: { kind: "pair", message: r.server.message, hint: r.server.hint || null } };
    return r;
  }
  await chrome.storage.local.set({ port, token: r.body.token, tokenId: r.body.id });
  await chrome.storage.session.remove("progress");
  return { ok: true, id: r.body.id, label: r.body.label };
}

// ---- posting, with progress from the WebSocket ----

// Progress of the current post, kept in session storage so that a popup
// opened again shows it.
async function saveProgress(p) {
  await chrome.storage.session.set({ progress: p });
}

function wsUrl(port) {
  return "ws://127.0.0.1:" + port + "/api/v1/events";
}

// Opens the events socket and sends the token as the first message;
// resolves once the server says "ready" (or null if it cannot).
function openEvents(port, token, onEvent) {
  return new Promise((resolve) => {
    let ws;
    try { ws = new WebSocket(wsUrl(port)); } catch (_) { resolve(null); return; }
    let ready = false;
    const timer = setTimeout(() => { if (!ready) { try { ws.close(); } catch (_) {} resolve(null); } }, 30000);
    ws.addEventListener("open", () => ws.send(JSON.stringify({ token })));
    ws.addEventListener("message", (m) => {
      let e;
      try { e = JSON.parse(m.data); } catch (_) { return; }
      if (e.type === "ready") { ready = true; clearTimeout(timer); resolve(ws); return; }
      onEvent(e);
    });
    ws.addEventListener("close", () => { clearTimeout(timer); if (!ready) resolve(null); });
    ws.addEventListener("error", () => {});
  });
}

function rowsFor(targets) {
  const rows = {};
  for (const t of targets) rows[t] = { state: "queued", step: null, url: null, error: null };
  return rows;
}

function applyEvent(p, e) {
  const row = p.rows[e.platform];
  if (e.type === "job.started" && row) row.state = "posting";
  if (e.type === "job.step" && row) { row.state = "posting"; row.step = e.step; }
  if (e.type === "job.finished" && row) finishRow(row, e);
  if (e.type === "post.finished") p.done = true;
}

function finishRow(row, result) {
  if (result.ok) { row.state = "posted"; row.url = result.url || null; row.error = null; }
  else { row.state = "failed"; row.error = result.error || { message: "failed" }; }
}

let current = null; // the post being followed (one at a time)

async function post(fields) {
  const s = await settings();
  if (!s.token) return { ok: false, error: unpaired() };
  const targets = fields.to.slice();
  // `live`: progress came over the WebSocket (not only from polling).
  const p = { id: null, targets, rows: rowsFor(targets), done: false, error: null, live: false };
  const early = [];
  let finished = false;
  const notify = () => {
    saveProgress(p);
    chrome.runtime.sendMessage({ type: "progress", progress: p }).catch(() => {});
    if (p.done && !finished) { finished = true; forgetDraft(p, fields); }
  };
  const ws = await openEvents(s.port, s.token, (e) => {
    if (!p.id) { early.push(e); return; }
    if (e.post_id !== p.id) return;
    p.live = true;
    applyEvent(p, e);
    notify();
  });
  const r = await call("POST", "/api/v1/posts", fields);
  if (!r.ok) { if (ws) ws.close(); return r; }
  p.id = r.body.id;
  for (const e of early) if (e.post_id === p.id) { p.live = true; applyEvent(p, e); }
  current = p;
  notify();
  follow(p, ws, notify);
  return { ok: true, progress: p };
}

// Posted everywhere: the draft's job is done, unless it was changed since
// (a new text typed while this one was posting is kept).
async function forgetDraft(p, fields) {
  const allOk = p.targets.every((t) => p.rows[t] && p.rows[t].state === "posted");
  if (!allOk) return;
  const { draft } = await chrome.storage.local.get("draft");
  if (draft && draft.text === fields.text) await chrome.storage.local.remove("draft");
}

// Until the post is done: the socket's events, and the post's record
// polled as a safety net (a socket can drop; the record cannot be missed).
async function follow(p, ws, notify) {
  const deadline = Date.now() + 30 * 60 * 1000;
  while (!p.done && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 2000));
    const r = await call("GET", "/api/v1/posts/" + encodeURIComponent(p.id));
    if (!r.ok) {
      if (r.error && (r.error.kind === "offline" || r.error.kind === "unauthorized")) { p.error = r.error; p.done = true; notify(); }
      continue;
    }
    for (const res of r.body.results || []) {
      const row = p.rows[res.platform];
      if (row && row.state !== "posted" && row.state !== "failed") finishRow(row, res);
    }
    if (r.body.state === "done") p.done = true;
    notify();
  }
  if (ws) { try { ws.close(); } catch (_) {} }
}

// ---- messages from the extension's own pages only ----

function fromOwnPage(sender) {
  return sender && sender.id === chrome.runtime.id && typeof sender.url === "string" &&
    sender.url.startsWith(chrome.runtime.getURL(""));
}

async function handle(msg) {
  switch (msg && msg.type) {
    case "settings": {
      const s = await settings();
      return { ok: true, port: s.port, paired: !!s.token, tokenId: s.tokenId };
    }
    case "pair": return pair(msg.code, msg.port, msg.label);
    case "forget": await chrome.storage.local.remove(["token", "tokenId"]); return { ok: true };
    case "status": return call("GET", "/api/v1/accounts?offline=true");
    case "check": return call("POST", "/api/v1/check", msg.fields);
    case "prepare": return call("POST", "/api/v1/prepare", msg.fields);
    case "post": return post(msg.fields);
    case "progress": {
      const { progress } = await chrome.storage.session.get("progress");
      return { ok: true, progress: current || progress || null };
    }
    default: return { ok: false, error: { kind: "usage", message: "unknown request" } };
  }
}

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (!fromOwnPage(sender)) return false;
  handle(msg).then(sendResponse, (e) => sendResponse({ ok: false, error: { kind: "unexpected", message: String(e) } }));
  return true;
});

// ---- the context menu: "Share selection with DistroFlow" ----

chrome.runtime.onInstalled.addListener(() => {
  // Installed, updated or reloaded: one menu item, never a duplicate.
  chrome.contextMenus.removeAll(() => {
    chrome.contextMenus.create({ id: MENU_ID, title: "Share selection with DistroFlow", contexts: ["selection"] });
  });
});

// What the popup is prefilled with: kept in session storage (memory only).
async function share(info, tab) {
  await chrome.storage.session.set({
    pending: {
      selection: info.selectionText || "",
      url: info.pageUrl || (tab && tab.url) || "",
      title: (tab && tab.title) || "",
      at: Date.now(),
    },
  });
  try {
    await chrome.action.openPopup();
  } catch (_) {
    await chrome.windows.create({ url: chrome.runtime.getURL("popup.html"), type: "popup", width: 460, height: 640 });
  }
}

chrome.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === MENU_ID) share(info, tab);
});

// Tests drive the context menu's path through this (the worker's scope).
self.distroflowShare = share;
