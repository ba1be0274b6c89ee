// Share with DistroFlow: the popup. It never talks to the server itself:
// every request goes through the service worker (background.js).
// What is typed is saved as a draft in chrome.storage.local at once, so a
// closed popup, a stopped server or a revoked token never loses it.
"use strict";

const $ = (id) => document.getElementById(id);
const form = $("share");
const send = (msg) => chrome.runtime.sendMessage(msg);

// ---- alerts ----

function showAlert(error) {
  if (!error) { $("alert").hidden = true; return; }
  $("alert-message").textContent = error.message || "Something went wrong.";
  $("alert-hint").textContent = error.hint || "";
  $("alert").dataset.kind = error.kind || "";
  $("alert").hidden = false;
}

// ---- fields and the draft ----

function targets() {
  return [...form.querySelectorAll("input[name=to]:checked")].map((i) => i.value);
}

function fields() {
  const to = targets();
  const opt = (id) => { const v = $(id).value.trim(); return v === "" ? null : v; };
  const wantsTitle = to.includes("hackernews") || to.includes("reddit");
  return {
    to,
    text: $("text").value,
    title: wantsTitle ? opt("title") : null,
    subreddit: to.includes("reddit") ? opt("subreddit") : null,
  };
}

function showRows() {
  const to = targets();
  $("title-row").hidden = !(to.includes("hackernews") || to.includes("reddit"));
  $("subreddit-row").hidden = !to.includes("reddit");
}

let page = { url: "", title: "" };

async function saveDraft() {
  await chrome.storage.local.set({
    draft: { text: $("text").value, title: $("title").value, subreddit: $("subreddit").value, pageUrl: page.url, pageTitle: page.title },
    targets: targets(),
  });
}

function prefill(selection, url, title) {
  const sel = (selection || "").trim();
  const parts = [];
  if (sel) parts.push(sel);
  else if (title) parts.push(title);
  if (url) parts.push(url);
  $("text").value = parts.join("\n\n");
  $("title").value = title || "";
}

function showPage() {
  $("page-title").textContent = page.title || "";
  $("page-url").textContent = page.url || "";
  $("page").hidden = !(page.title || page.url);
}

// The page the popup was opened on (activeTab: only after the click).
async function activePage() {
  try {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    if (!tab || !tab.url || !/^https?:/.test(tab.url)) return null;
    let selection = "";
    try {
      const [res] = await chrome.scripting.executeScript({
        target: { tabId: tab.id },
        func: () => String(window.getSelection ? window.getSelection() : ""),
      });
      selection = (res && res.result) || "";
    } catch (_) { /* a page scripts may not run in */ }
    return { url: tab.url, title: tab.title || "", selection };
  } catch (_) {
    return null;
  }
}

// ---- live counts ----

function item(text, cls) {
  const li = document.createElement("li");
  li.textContent = text;
  if (cls) li.className = cls;
  return li;
}

// platform -> session status from `accounts` (logged_in, saved, expired, none).
const sessions = {};

let checkTimer = null;
function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, 300);
}

// While you write, the server loads the targets' compose pages (each in
// its own context with its own session), so that the post starts on them:
// asked when the targets change, and again after a minute; the server
// loads nothing twice in 30 s. If it fails, the post loads them itself.
let preparedFor = { key: "", at: 0 };
function prepare(f) {
  if (f.to.length === 0 || (f.text.trim() === "" && !f.title)) return;
  const key = JSON.stringify([f.to, f.subreddit]);
  if (key === preparedFor.key && Date.now() - preparedFor.at < 60000) return;
  preparedFor = { key, at: Date.now() };
  send({ type: "prepare", fields: f });
}

async function check() {
  const f = fields();
  const out = $("counts");
  if (f.to.length === 0) { out.replaceChildren(item("Choose at least one platform.", "error")); return; }
  const r = await send({ type: "check", fields: f });
  if (!r || !r.ok) {
    out.replaceChildren();
    if (r && r.error && r.error.kind !== "usage" && r.error.kind !== "invalid_content") { showAlert(r.error); return; }
    if (r && r.error) out.replaceChildren(item(r.error.message, "error"));
    return;
  }
  if ($("alert").dataset.kind === "offline" || $("alert").dataset.kind === "unauthorized") showAlert(null);
  prepare(f);
  out.replaceChildren(...r.body.checks.map((c) => {
    const n = c.weighted_length ?? c.length ?? 0;
    let text = c.platform + ": " + n + "/" + c.limit;
    if (c.parts && c.parts > 1) text += " (" + c.parts + " posts)";
    if (c.title_length !== undefined && c.title_limit !== undefined) text += ", title " + c.title_length + "/" + c.title_limit;
    text += (c.errors || []).map((e) => " — " + e).join("") + (c.warnings || []).map((w) => " — " + w).join("");
    const session = sessions[c.platform];
    if (session === "none" || session === "expired") {
      text += " — " + (session === "none" ? "no saved session" : "the session expired") + " (run distroflow login " + c.platform + ")";
    }
    const li = item(text, c.valid ? "ok" : "error");
    li.dataset.platform = c.platform;
    return li;
  }));
}

// ---- progress ----

function render(p) {
  const list = $("progress");
  if (!p) { list.replaceChildren(); return; }
  list.dataset.live = p.live ? "1" : "0";
  list.replaceChildren(...p.targets.map((t) => {
    const row = p.rows[t] || { state: "queued" };
    const li = document.createElement("li");
    li.dataset.platform = t;
    li.dataset.state = row.state;
    const name = document.createElement("span");
    name.className = "platform";
    name.textContent = t + ": ";
    const state = document.createElement("span");
    state.className = "state";
    if (row.state === "posted" && row.url) {
      const a = document.createElement("a");
      a.href = row.url; a.textContent = row.url; a.className = "result-link"; a.target = "_blank"; a.rel = "noopener";
      state.append(a);
      li.className = "ok";
    } else if (row.state === "posted") {
      state.textContent = "posted";
      li.className = "ok";
    } else if (row.state === "failed") {
      const e = row.error || {};
      state.textContent = (e.message || "failed") + (e.hint ? " (" + e.hint + ")" : "");
      li.className = "error";
    } else {
      state.textContent = row.step ? row.step + "…" : row.state + "…";
    }
    li.append(name, state);
    return li;
  }));
  if (p.error) showAlert(p.error);
  if (p.done) $("post").disabled = false;
}

chrome.runtime.onMessage.addListener((msg) => {
  if (msg && msg.type === "progress") render(msg.progress);
});

// ---- actions ----

form.addEventListener("input", () => { showRows(); saveDraft(); scheduleCheck(); });

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  await saveDraft();
  const f = fields();
  if (f.to.length === 0) { showAlert({ message: "Choose at least one platform.", hint: null }); return; }
  showAlert(null);
  $("post").disabled = true;
  const r = await send({ type: "post", fields: f });
  if (!r || !r.ok) {
    $("post").disabled = false;
    const e = (r && r.error) || { message: "The extension did not answer." };
    if (r && r.error && r.error.errors && r.error.errors.length > 1) {
      showAlert({ kind: e.kind, message: r.error.errors.map((x) => (x.platform ? x.platform + ": " : "") + x.message).join(" "), hint: e.hint });
    } else {
      showAlert({ kind: e.kind, message: (e.platform ? e.platform + ": " : "") + e.message, hint: e.hint });
    }
    return;
  }
  render(r.progress);
});

$("from-page").addEventListener("click", async () => {
  const p = await activePage();
  if (!p) return;
  page = { url: p.url, title: p.title };
  prefill(p.selection, p.url, p.title);
  showPage();
  $("from-page").hidden = true;
  await saveDraft();
  scheduleCheck();
});

$("options").addEventListener("click", (ev) => { ev.preventDefault(); chrome.runtime.openOptionsPage(); });

// ---- start ----

async function start() {
  const stored = await chrome.storage.local.get(["targets", "draft"]);
  for (const t of stored.targets || []) {
    const box = form.querySelector("input[name=to][value=\"" + t + "\"]");
    if (box) box.checked = true;
  }
  const { pending } = await chrome.storage.session.get("pending");
  const draft = stored.draft;
  if (pending && Date.now() - pending.at < 10 * 60 * 1000) {
    // The context menu's selection: an explicit new share.
    await chrome.storage.session.remove("pending");
    page = { url: pending.url, title: pending.title };
    prefill(pending.selection, pending.url, pending.title);
  } else if (draft && (draft.text || draft.title)) {
    page = { url: draft.pageUrl || "", title: draft.pageTitle || "" };
    $("text").value = draft.text || "";
    $("title").value = draft.title || "";
    $("subreddit").value = draft.subreddit || "";
    const here = await activePage();
    if (here && here.url !== page.url) $("from-page").hidden = false;
  } else {
    const here = await activePage();
    if (here) { page = { url: here.url, title: here.title }; prefill(here.selection, here.url, here.title); }
  }
  if (draft && draft.subreddit && !$("subreddit").value) $("subreddit").value = draft.subreddit;
  showPage();
  showRows();
  await saveDraft();
  const settings = await send({ type: "settings" });
  if (settings && !settings.paired) {
    showAlert({ kind: "unpaired", message: "This browser is not paired with DistroFlow yet.", hint: "Run distroflow serve --pair, then enter the code in Options below." });
  } else {
    const status = await send({ type: "status" });
    if (status && !status.ok) showAlert(status.error);
    if (status && status.ok && Array.isArray(status.body)) {
      for (const a of status.body) sessions[a.platform] = a.status;
    }
  }
  const prog = await send({ type: "progress" });
  if (prog && prog.progress) render(prog.progress);
  if (targets().length > 0) check();
  document.body.dataset.ready = "1";
}

start();
