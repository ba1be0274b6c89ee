// The dashboard's few lines of JavaScript: live checks and posting on
// Compose, live progress from the WebSocket, cancel and retry on Queue.
"use strict";
const csrf = document.querySelector('meta[name="csrf"]').content;

async function api(method, path, body) {
  const r = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: { "content-type": "application/json", "x-distroflow-csrf": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let json = {};
  try { json = await r.json(); } catch (_) { /* no body */ }
  return { ok: r.ok, status: r.status, body: json };
}

function item(text, cls) {
  const li = document.createElement("li");
  li.textContent = text;
  if (cls) li.className = cls;
  return li;
}

function problem(e) {
  return e.message + (e.hint ? " (hint: " + e.hint + ")" : "");
}

// Compose
const form = document.getElementById("compose");
const rows = {};      // post id -> platform -> <li>
const early = {};     // post id -> events that came before the answer

function fields() {
  const fd = new FormData(form);
  const opt = (k) => { const v = (fd.get(k) || "").trim(); return v === "" ? null : v; };
  return {
    to: fd.getAll("to"),
    text: fd.get("text") || "",
    title: opt("title"),
    url: opt("url"),
    subreddit: opt("subreddit"),
    media: (fd.get("media") || "").split("\n").map((s) => s.trim()).filter(Boolean),
  };
}

async function check() {
  const out = document.getElementById("checks");
  const f = fields();
  if (f.to.length === 0) { out.replaceChildren(item("Choose at least one platform.", "error")); return; }
  const r = await api("POST", "/api/v1/check", f);
  if (!r.ok) { out.replaceChildren(item(problem(r.body.error), "error")); return; }
  out.replaceChildren(...r.body.checks.map((c) => {
    const n = c.weighted_length ?? c.length ?? 0;
    const what = c.platform === "hackernews" ? "title " : "";
    const text = (c.valid ? "✓ " : "✗ ") + c.platform + ": " + what + n + "/" + c.limit +
      c.errors.map((e) => " — " + e).join("") + c.warnings.map((w) => " — " + w).join("");
    return item(text, c.valid ? "ok" : "error");
  }));
}

function apply(e) {
  const mine = rows[e.post_id];
  if (!mine) { (early[e.post_id] = early[e.post_id] || []).push(e); return; }
  const row = mine[e.platform];
  if (!row) return;
  if (e.type === "job.started") row.querySelector(".state").textContent = "posting…";
  if (e.type === "job.step") row.querySelector(".state").textContent = e.step + "…";
  if (e.type === "job.finished") {
    const state = row.querySelector(".state");
    state.replaceChildren();
    if (e.ok && e.url) {
      const a = document.createElement("a");
      a.href = e.url; a.textContent = e.url; a.className = "result-link";
      state.append(a);
      row.className = "ok";
    } else if (e.ok) {
      state.textContent = "posted";
      row.className = "ok";
    } else {
      state.textContent = problem(e.error);
      row.className = "error";
    }
  }
}

// While you write, the server loads the targets' compose pages (each in
// its own context with its own session) so that the post starts on them:
// asked when the targets or what decides the page change, and again
// after a minute of writing; the server loads nothing twice in 30 s.
let preparedFor = { key: "", at: 0 };
function prepare() {
  const f = fields();
  if (f.to.length === 0 || (f.text.trim() === "" && !f.title)) return;
  const key = JSON.stringify([f.to, f.subreddit, !!f.url, f.media.length > 0]);
  if (key === preparedFor.key && Date.now() - preparedFor.at < 60000) return;
  preparedFor = { key, at: Date.now() };
  api("POST", "/api/v1/prepare", f).catch(() => { /* the post loads its pages itself */ });
}

if (form) {
  let timer;
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { check(); prepare(); }, 250);
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = fields();
    const status = document.getElementById("post-status");
    const r = await api("POST", "/api/v1/posts", f);
    if (!r.ok) {
      const errors = r.body.errors && r.body.errors.length ? r.body.errors : [r.body.error];
      status.replaceChildren(...errors.map((e) => item((e.platform ? e.platform + ": " : "") + problem(e), "error")));
      return;
    }
    status.replaceChildren();
    const id = r.body.id;
    const list = document.getElementById("progress");
    rows[id] = {};
    for (const p of f.to) {
      const li = document.createElement("li");
      li.id = "row-" + id + "-" + p;
      li.dataset.platform = p;
      const name = document.createElement("span");
      name.className = "platform"; name.textContent = p + ": ";
      const state = document.createElement("span");
      state.className = "state"; state.textContent = "queued";
      li.append(name, state);
      list.prepend(li);
      rows[id][p] = li;
    }
    for (const e of early[id] || []) apply(e);
    delete early[id];
  });
}

// Live progress
if (document.getElementById("progress")) {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/events");
  ws.addEventListener("message", (m) => { try { apply(JSON.parse(m.data)); } catch (_) { /* not an event */ } });
}

// Queue
for (const b of document.querySelectorAll("button[data-job]")) {
  b.addEventListener("click", async () => {
    const id = b.dataset.job;
    const r = b.dataset.action === "cancel"
      ? await api("DELETE", "/api/v1/queue/" + id)
      : await api("POST", "/api/v1/queue/" + id + "/retry");
    if (r.ok) { location.reload(); return; }
    document.getElementById("queue-status").replaceChildren(item(problem(r.body.error), "error"));
  });
}
