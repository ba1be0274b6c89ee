//! The HTML the replica serves: one app shell for every route (the app
//! renders itself from the URL), and the `BSKY_STORAGE` value for a session.

use serde_json::json;

use super::store::Tokens;

/// The client app (what bsky.app serves as `/static/js/main.<hash>.js`).
pub(crate) const APP_JS: &str = include_str!("app.js");

const CSS: &str = "html,body{margin:0;height:100%;font-family:InterVariable,system-ui,sans-serif;}\
#root{display:flex;min-height:100%;}\
nav[role=navigation]{width:240px;padding:12px;display:flex;flex-direction:column;gap:6px;}\
main{flex:1;max-width:600px;border-left:1px solid #e5e7eb;border-right:1px solid #e5e7eb;}\
[role=button]{cursor:pointer;user-select:none;display:inline-flex;align-items:center;padding:6px 12px;border-radius:999px;}\
[role=button][aria-disabled=true]{opacity:.5;cursor:default;}\
.composer-backdrop{position:fixed;inset:0;background:rgba(0,0,0,.3);display:flex;justify-content:center;align-items:flex-start;padding-top:40px;}\
[data-testid=composePostView]{background:#fff;width:600px;border-radius:8px;padding:8px;}\
.ProseMirror{min-height:60px;outline:none;white-space:pre-wrap;word-wrap:break-word;padding:8px;}\
.ProseMirror p{margin:0;}\
.ProseMirror p.is-editor-empty:first-child::before{content:attr(data-placeholder);color:#8d99a5;float:left;height:0;pointer-events:none;}\
.toast{position:fixed;bottom:20px;left:20px;background:#111;color:#fff;padding:10px 16px;border-radius:8px;}\
.thumb{width:80px;height:80px;object-fit:cover;margin:4px;}";

/// The app shell: an empty root, the page state, the app script.
pub(crate) fn shell(ui: u8, hydration_ms: (u64, u64), replies_per_page: usize) -> String {
    let state = json!({ "ui": ui, "hydration": [hydration_ms.0, hydration_ms.1], "repliesPerPage": replies_per_page });
    format!(
        concat!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"UTF-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1, minimum-scale=1, viewport-fit=cover\">",
            "<title>Bluesky</title><style>{css}</style></head><body>",
            "<noscript>JavaScript Required</noscript><div id=\"root\"></div>",
            "<script type=\"application/json\" id=\"__BSKY_STATE__\">{state}</script>",
            "<script src=\"/static/js/main.js\"></script></body></html>\n",
        ),
        css = CSS,
        state = state.to_string().replace('<', "\\u003c"),
    )
}

/// The `localStorage["BSKY_STORAGE"]` value of a logged-in session, the
/// shape `src/state/persisted` validates (`session.accounts[]`,
/// `session.currentAccount`), its service this replica.
pub(crate) fn bsky_storage(service: &str, t: &Tokens) -> String {
    json!({
        "colorMode": "system",
        "session": {
            "accounts": [{
                "service": service,
                "did": t.did,
                "handle": t.handle,
                "email": format!("{}@example.com", t.handle.split('.').next().unwrap_or("user")),
                "emailConfirmed": true,
                "refreshJwt": t.refresh,
                "accessJwt": t.access,
                "active": true,
                "pdsUrl": service,
            }],
            "currentAccount": { "did": t.did },
        },
        "reminders": {},
        "languagePrefs": { "primaryLanguage": "en", "contentLanguages": ["en"], "postLanguage": "en" },
        "requireAltTextEnabled": false,
    })
    .to_string()
}
