// Share with DistroFlow: the options page. Pairing goes through the
// service worker, which exchanges the one-time code for a token and keeps
// it in chrome.storage.local (never sync).
"use strict";

const $ = (id) => document.getElementById(id);

function showAlert(error) {
  if (!error) { $("alert").hidden = true; return; }
  $("alert-message").textContent = error.message || "Something went wrong.";
  $("alert-hint").textContent = error.hint || "";
  $("alert").hidden = false;
}

async function refresh() {
  const s = await chrome.runtime.sendMessage({ type: "settings" });
  $("port").value = String(s.port);
  $("state").textContent = s.paired
    ? "Paired (token " + s.tokenId + ", port " + s.port + ")."
    : "Not paired yet.";
  $("state").dataset.paired = s.paired ? "1" : "0";
}

$("pair-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  showAlert(null);
  $("pair").disabled = true;
  const r = await chrome.runtime.sendMessage({
    type: "pair",
    port: $("port").value.trim(),
    code: $("code").value.trim(),
    label: $("label").value.trim(),
  });
  $("pair").disabled = false;
  if (!r || !r.ok) { showAlert((r && r.error) || { message: "The extension did not answer." }); return; }
  $("code").value = "";
  await refresh();
});

$("forget").addEventListener("click", async () => {
  await chrome.runtime.sendMessage({ type: "forget" });
  await refresh();
});

refresh().then(() => { document.body.dataset.ready = "1"; });
