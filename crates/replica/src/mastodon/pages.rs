//! The HTML the replica serves: Devise's sign-in page (rendered by the
//! server) and the web app's shell with its initial state.

use serde_json::json;

use crate::http::escape;

/// The web app (what an instance serves under `/packs/js/`).
pub(crate) const APP_JS: &str = include_str!("app.js");

const CSS: &str = "body{margin:0;font-family:mastodon-font-sans-serif,sans-serif;background:#f2f5f7;}\
.columns-area{display:flex;gap:10px;padding:10px;}\
.compose-panel{width:300px;}\
.column{flex:1;max-width:600px;background:#fff;}\
.autosuggest-textarea__textarea{width:100%;min-height:120px;box-sizing:border-box;}\
.compose-form__submit button:disabled{opacity:.5;}\
.notification-list{position:fixed;bottom:20px;left:20px;}\
.notification-bar{background:#282c37;color:#fff;padding:10px;border-radius:4px;display:flex;gap:10px;}\
.status{padding:10px;border-bottom:1px solid #ddd;}\
.compose-form__upload-thumbnail{width:80px;height:80px;background-size:cover;}\
.simple_form{max-width:400px;margin:40px auto;background:#fff;padding:20px;}";

/// `auth/sessions/new`: the sign-in form, with a flash when one is given.
pub(crate) fn sign_in(csrf: &str, flash: Option<&str>) -> String {
    format!(
        concat!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
            "<meta name=\"csrf-param\" content=\"authenticity_token\"><meta name=\"csrf-token\" content=\"{csrf}\">",
            "<title>Log in - Mastodon</title><style>{css}</style></head><body class=\"lighter\">",
            "<div class=\"container-alt\"><div class=\"logo-container\"><h1><a href=\"/\">Mastodon</a></h1></div>",
            "<div class=\"form-container\">{flash}",
            "<form class=\"simple_form new_user\" id=\"new_user\" novalidate=\"novalidate\" action=\"/auth/sign_in\" accept-charset=\"UTF-8\" method=\"post\">",
            "<input type=\"hidden\" name=\"authenticity_token\" value=\"{csrf}\" autocomplete=\"off\">",
            "<p class=\"lead\">Login with your example.com credentials. If your account is hosted on a different server, you will not be able to log in here.</p>",
            "<div class=\"fields-group\"><div class=\"input email required user_email\">",
            "<label class=\"email required\" for=\"user_email\">E-mail address <abbr title=\"required\">*</abbr></label>",
            "<div class=\"label_input\"><input aria-label=\"E-mail address\" autofocus=\"autofocus\" required=\"required\" aria-required=\"true\" autocomplete=\"username\" class=\"string email required\" type=\"email\" name=\"user[email]\" id=\"user_email\"></div></div></div>",
            "<div class=\"fields-group\"><div class=\"input password required user_password\">",
            "<label class=\"password required\" for=\"user_password\">Password <abbr title=\"required\">*</abbr></label>",
            "<div class=\"label_input\"><input aria-label=\"Password\" required=\"required\" aria-required=\"true\" autocomplete=\"current-password\" class=\"password required\" type=\"password\" name=\"user[password]\" id=\"user_password\"></div></div></div>",
            "<div class=\"actions\"><button name=\"button\" type=\"submit\" class=\"btn\">Log in</button></div>",
            "</form><div class=\"form-footer\"><ul class=\"no-list\"><li><a href=\"/auth/password/new\">Forgot your password?</a></li></ul></div>",
            "</div></div></body></html>\n"
        ),
        csrf = escape(csrf),
        css = CSS,
        flash = flash
            .map(|f| format!("<div class=\"flash-message alert\">{}</div>", escape(f)))
            .unwrap_or_default(),
    )
}

/// What the signed-in shell hands the app.
pub(crate) struct Viewer<'a> {
    pub(crate) account_id: &'a str,
    pub(crate) username: &'a str,
    pub(crate) token: &'a str,
    pub(crate) domain: &'a str,
}

/// The web app's shell: its initial state (the access token of this
/// browser session, the account, the instance's limits) and the script.
pub(crate) fn shell(
    v: &Viewer<'_>,
    max_characters: usize,
    ui: u8,
    hydration_ms: (u64, u64),
    replies_per_page: usize,
) -> String {
    let state = json!({
        "meta": {
            "access_token": v.token,
            "me": v.account_id,
            "domain": v.domain,
            "locale": "en",
            "version": if ui == 0 { "4.3.2" } else { "4.1.0" },
        },
        "accounts": {
            v.account_id: { "id": v.account_id, "username": v.username, "acct": v.username, "display_name": v.username },
        },
        "compose": { "me": v.account_id, "default_privacy": "public", "default_language": "en" },
        "configuration": {
            "statuses": { "max_characters": max_characters, "characters_reserved_per_url": 23 },
            "media_attachments": { "supported_mime_types": super::store::ALLOWED_MIME },
        },
        "ui": ui,
        "hydration": [hydration_ms.0, hydration_ms.1],
        "replies_per_page": replies_per_page,
    });
    format!(
        concat!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>Mastodon</title><style>{css}</style>",
            "<script id=\"initial-state\" type=\"application/json\">{state}</script></head>",
            "<body class=\"app-body theme-default\"><div class=\"app-holder\" id=\"mastodon\" data-props=\"{{&quot;locale&quot;:&quot;en&quot;}}\"></div>",
            "<script src=\"/packs/js/application.js\"></script></body></html>\n"
        ),
        css = CSS,
        state = state
            .to_string()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026"),
    )
}
