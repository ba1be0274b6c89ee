//! X markup, copied from the real site's pages (2024-2026).
//!
//! The app pages (`/home`, `/compose/post`, `/i/flow/login`) are an empty
//! `#react-root`, a JSON state blob and `main.js`, which renders everything
//! after the hydration delay. Status and profile pages are served rendered,
//! with the same `data-testid`s the app uses. Class names are obfuscated
//! atoms (`css-175oi2r`, `r-...`), as on the real site: only `data-testid`,
//! roles and ARIA labels are stable.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::store::Post;
use crate::http::{escape, escape_text};

/// The client app, served as `/responsive-web/client-web/main.js`.
pub(crate) const APP_JS: &str = include_str!("app.js");

/// The logged-in account.
#[derive(Debug)]
pub(crate) struct Viewer {
    pub(crate) handle: String,
    pub(crate) name: String,
}

impl Viewer {
    pub(crate) fn new(handle: &str) -> Self {
        let mut chars = handle.chars();
        let name = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
        Viewer {
            handle: handle.to_owned(),
            name,
        }
    }
}

/// Which app page the script renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shell {
    Home,
    Compose,
    Login,
}

/// The MIME type of an uploaded media id, if it exists.
pub(crate) type MediaMime<'a> = &'a dyn Fn(u64) -> Option<String>;

const CSS: &str = r#"html,body{margin:0;height:100%;background:#fff;color:#0f1419;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;font-size:15px}
.css-175oi2r{display:flex;flex-direction:column;box-sizing:border-box;position:relative;min-width:0;min-height:0;border:0 solid black;margin:0;padding:0}
.css-146c3p1{white-space:pre-wrap;overflow-wrap:break-word;min-width:0}
.css-1jxf684{font:inherit;color:inherit;white-space:inherit;overflow-wrap:inherit}
.r-18u37iz{flex-direction:row}
.r-13qz1uu{width:100%}
.r-1pi2tsx{height:100%}
.r-1habvwh{align-items:flex-start}
.r-1777fci{justify-content:center}
.r-o7ynqc{width:275px;flex-shrink:0;align-items:flex-end;padding:8px}
.r-kemksi{width:600px;max-width:100%;border-left:1px solid #eff3f4;border-right:1px solid #eff3f4;min-height:100vh}
.r-1ny4l3l{padding:12px 16px;border-bottom:1px solid #eff3f4}
.r-1loqt21{cursor:pointer}
.r-sdzlij{border-radius:9999px;background:#0f1419;color:#fff;border:0;min-height:36px;padding:0 16px;font-weight:700;font-size:15px;cursor:pointer}
.r-sdzlij[aria-disabled="true"]{opacity:.5;cursor:default}
.r-1niwhzg{background:transparent;color:#1d9bf0;border:1px solid #cfd9de}
.r-bcqeeo{color:#536471}
.r-b88u0q{font-weight:700}
.r-lrvibr{color:inherit;text-decoration:none}
.r-1adg3ll{font-size:20px;line-height:28px}
.r-u8s1d{position:absolute}
.r-1d2f490{position:fixed;left:0;right:0;top:0;bottom:0}
.r-1p0dtai{position:fixed;left:0;right:0;bottom:32px;align-items:center;pointer-events:none;z-index:10}
.r-1h0z5md{background:#1d9bf0;color:#fff;border-radius:4px;padding:12px 16px;pointer-events:auto;flex-direction:row;gap:16px;align-items:center}
.r-1h0z5md a{color:#fff;font-weight:700}
.r-aqfbo4{background:rgba(91,112,131,.4)}
.r-1ye8kvj{background:#fff;border-radius:16px;width:600px;max-width:90vw;max-height:90vh;overflow-y:auto;margin:5vh auto 0;z-index:1}
.r-8akbif{opacity:0;position:absolute;width:1px;height:1px;overflow:hidden}
.r-1iusvr4{flex:1 1 0%}
.r-16y2uox{flex-grow:1}
.r-9aw3ui{min-height:24px;padding:12px 0;font-size:20px;line-height:24px}
.r-1wtj0ep{justify-content:space-between}
.r-ymttw5{padding:0 16px}
.r-1xfd6ze{border-radius:16px;overflow:hidden;width:120px;height:120px;margin:4px}
.r-1xfd6ze img,.r-4qtqp9 img{width:100%;height:100%;object-fit:cover}
.r-4qtqp9{max-width:100%;margin-top:12px;border-radius:16px;overflow:hidden;width:240px;height:160px}
.r-1q142lx{margin-bottom:8px}
.r-dnmrzs{gap:8px}
.DraftEditor-editorContainer,.DraftEditor-root,.public-DraftEditor-content{height:inherit;text-align:initial}
.public-DraftEditor-content[contenteditable=true]{-webkit-user-modify:read-write-plaintext-only}
.DraftEditor-root{position:relative}
.DraftEditor-editorContainer{background-color:rgba(255,255,255,0);border-left:.1px solid transparent;position:relative;z-index:1}
.public-DraftEditorPlaceholder-root{color:#536471;position:absolute;width:100%;z-index:1;pointer-events:none}
.public-DraftEditorPlaceholder-hidden{display:none}
.public-DraftStyleDefault-block{position:relative;white-space:pre-wrap}
.public-DraftStyleDefault-ltr{direction:ltr;text-align:left}
"#;

/// The document every app page starts as: the stylesheet, an empty
/// `#react-root`, the state and the script.
pub(crate) fn shell(
    kind: Shell,
    viewer: Option<&Viewer>,
    hydration_ms: (u64, u64),
    ui: u8,
    query_id: &str,
) -> String {
    let (page, title) = match kind {
        Shell::Home => ("home", "Home / X"),
        Shell::Compose => ("compose", "Home / X"),
        Shell::Login => ("login", "Log in to X / X"),
    };
    let state = json!({
        "page": page,
        "viewer": viewer.map(|v| json!({ "handle": v.handle, "name": v.name })),
        "hydration": [hydration_ms.0, hydration_ms.1],
        "ui": ui,
        "createTweetQueryId": query_id,
    });
    format!(
        concat!(
            "<!DOCTYPE html><html dir=\"ltr\" lang=\"en\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1,maximum-scale=1,user-scalable=0,viewport-fit=cover\">",
            "<title>{title}</title><style>{css}</style></head>",
            "<body style=\"background-color: #FFFFFF;\"><noscript><div class=\"css-146c3p1\">",
            "We’ve detected that JavaScript is disabled in this browser. Please enable JavaScript or switch to a supported browser to continue using x.com.",
            "</div></noscript><div id=\"react-root\" style=\"height:100%;display:flex;\"></div>",
            "<script type=\"application/json\" id=\"__INITIAL_STATE__\">{state}</script>",
            "<script src=\"/responsive-web/client-web/main.js\"></script></body></html>\n",
        ),
        title = title,
        css = CSS,
        state = script_json(&state.to_string()),
    )
}

/// JSON made safe inside `<script>`: no `</script>` or `<!--` can form.
fn script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A served page: the nav (when logged in), `content` in the primary
/// column, and an empty `#layers`.
fn layout(title: &str, viewer: Option<&Viewer>, content: &str) -> String {
    format!(
        concat!(
            "<!DOCTYPE html><html dir=\"ltr\" lang=\"en\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
            "<title>{title}</title><style>{css}</style></head><body style=\"background-color: #FFFFFF;\">",
            "<div id=\"react-root\" style=\"height:100%;display:flex;\">",
            "<div class=\"css-175oi2r r-18u37iz r-13qz1uu r-1777fci\">{nav}",
            "<main role=\"main\" class=\"css-175oi2r r-kemksi\"><div class=\"css-175oi2r\" data-testid=\"primaryColumn\">{content}</div></main>",
            "</div><div id=\"layers\" class=\"css-175oi2r\"></div></div></body></html>\n",
        ),
        title = escape_text(title),
        css = CSS,
        nav = nav(viewer),
        content = content,
    )
}

/// The side navigation, as the app renders it (`SideNav_...`,
/// `AppTabBar_...`).
pub(crate) fn nav(viewer: Option<&Viewer>) -> String {
    let Some(viewer) = viewer else {
        return concat!(
            "<header role=\"banner\" class=\"css-175oi2r r-o7ynqc\"><nav role=\"navigation\" class=\"css-175oi2r\">",
            "<a href=\"/i/flow/login\" role=\"link\" data-testid=\"loginButton\" class=\"css-175oi2r r-sdzlij\"><span class=\"css-1jxf684\">Sign in</span></a>",
            "</nav></header>"
        )
        .to_owned();
    };
    let handle = escape(&viewer.handle);
    format!(
        concat!(
            "<header role=\"banner\" class=\"css-175oi2r r-o7ynqc\"><nav role=\"navigation\" aria-label=\"Primary\" class=\"css-175oi2r r-dnmrzs\">",
            "<a href=\"/home\" aria-label=\"Home\" role=\"link\" data-testid=\"AppTabBar_Home_Link\" class=\"css-175oi2r r-lrvibr\"><span class=\"css-1jxf684\">Home</span></a>",
            "<a href=\"/{handle}\" aria-label=\"Profile\" role=\"link\" data-testid=\"AppTabBar_Profile_Link\" class=\"css-175oi2r r-lrvibr\"><span class=\"css-1jxf684\">Profile</span></a>",
            "<a href=\"/compose/post\" aria-label=\"Post\" role=\"link\" data-testid=\"SideNav_NewTweet_Button\" class=\"css-175oi2r r-sdzlij\"><span class=\"css-1jxf684\">Post</span></a>",
            "<button aria-label=\"Account menu\" role=\"button\" data-testid=\"SideNav_AccountSwitcher_Button\" type=\"button\" class=\"css-175oi2r r-1loqt21\">",
            "<span class=\"css-1jxf684 r-b88u0q\">{name}</span><span class=\"css-1jxf684 r-bcqeeo\">@{handle_text}</span></button>",
            "</nav></header>",
        ),
        handle = handle,
        name = escape_text(&viewer.name),
        handle_text = escape_text(&viewer.handle),
    )
}

/// One post as an `article[data-testid="tweet"]`: the author, the
/// permalink with its `<time>`, the text and the media.
fn article(post: &Post, media_mime: MediaMime<'_>, replies: usize) -> String {
    let handle = escape(&post.user);
    let name = escape_text(&Viewer::new(&post.user).name);
    let mut out = String::new();
    let _ = write!(
        out,
        concat!(
            "<article aria-labelledby=\"id__{id}\" role=\"article\" tabindex=\"-1\" data-testid=\"tweet\" class=\"css-175oi2r r-1ny4l3l\">",
            "<div class=\"css-175oi2r r-18u37iz r-dnmrzs\" data-testid=\"User-Name\" id=\"id__{id}\">",
            "<a href=\"/{handle}\" role=\"link\" class=\"css-175oi2r r-lrvibr\"><span class=\"css-1jxf684 r-b88u0q\">{name}</span></a>",
            "<a href=\"/{handle}\" role=\"link\" tabindex=\"-1\" class=\"css-175oi2r r-lrvibr\"><span class=\"css-1jxf684 r-bcqeeo\">@{handle}</span></a>",
            "<a href=\"/{handle}/status/{id}\" dir=\"ltr\" aria-label=\"{label}\" role=\"link\" class=\"css-175oi2r r-lrvibr r-bcqeeo\"><time datetime=\"{iso}\">{short}</time></a>",
            "</div>",
        ),
        id = post.id,
        handle = handle,
        name = name,
        label = escape(&short_date(post.created)),
        iso = iso8601(post.created),
        short = short_date(post.created),
    );
    if let Some(parent) = post.reply_to {
        let _ = write!(
            out,
            "<div class=\"css-146c3p1 r-bcqeeo\" data-reply-to=\"{parent}\">Replying to <a href=\"/{handle}\" role=\"link\" class=\"r-lrvibr\">@{handle}</a></div>",
        );
    }
    if !post.text.is_empty() {
        let _ = write!(
            out,
            "<div dir=\"auto\" lang=\"und\" class=\"css-146c3p1\" data-testid=\"tweetText\"><span class=\"css-1jxf684\">{}</span></div>",
            escape_text(&post.text)
        );
    }
    for id in &post.media {
        match media_mime(*id).as_deref() {
            Some(mime) if mime.starts_with("video/") => {
                let _ = write!(
                    out,
                    "<div class=\"css-175oi2r r-4qtqp9\" data-testid=\"videoPlayer\"><video preload=\"none\" src=\"/media/{id}\" type=\"{}\"></video></div>",
                    escape(mime)
                );
            }
            Some(_) => {
                let _ = write!(
                    out,
                    "<div class=\"css-175oi2r r-4qtqp9\" data-testid=\"tweetPhoto\"><img alt=\"Image\" draggable=\"true\" src=\"/media/{id}\" class=\"css-9pa8cd\"></div>",
                );
            }
            None => {}
        }
    }
    let (label, count) = match replies {
        0 => ("Reply".to_owned(), String::new()),
        1 => ("1 Reply. Reply".to_owned(), "1".to_owned()),
        n => (format!("{n} Replies. Reply"), n.to_string()),
    };
    let _ = write!(
        out,
        "<div role=\"group\" class=\"css-175oi2r r-18u37iz\"><button data-testid=\"reply\" aria-label=\"{label}\" type=\"button\" class=\"css-175oi2r r-1loqt21 r-1niwhzg\"><span>{count}</span></button></div></article>",
    );
    out
}

/// How many direct replies a post has.
pub(crate) type ReplyCount<'a> = &'a dyn Fn(u64) -> usize;

/// Replies in a conversation, one cell each, then the "Show more replies"
/// cell whose button loads `more` (the next page, as this same fragment)
/// in its place.
pub(crate) fn reply_cells(
    replies: &[&Post],
    more: Option<&str>,
    media_mime: MediaMime<'_>,
    reply_count: ReplyCount<'_>,
) -> String {
    let mut out = String::new();
    for p in replies {
        let _ = write!(
            out,
            "<div class=\"css-175oi2r\" data-testid=\"cellInnerDiv\">{}</div>",
            article(p, media_mime, reply_count(p.id))
        );
    }
    if let Some(more) = more {
        let _ = write!(
            out,
            concat!(
                "<div class=\"css-175oi2r\" data-testid=\"cellInnerDiv\"><button role=\"button\" type=\"button\" ",
                "class=\"css-175oi2r r-1loqt21\" data-more=\"{}\"><span class=\"css-1jxf684\">Show more replies</span></button></div>",
            ),
            escape(more)
        );
    }
    out
}

/// Loads the next replies in place of the "Show more replies" cell.
const SHOW_MORE_SCRIPT: &str = r#"<script>
document.addEventListener('click', async (e) => {
  const b = e.target.closest('button[data-more]');
  if (!b || b.disabled) return;
  b.disabled = true;
  const cell = b.closest('[data-testid=cellInnerDiv]');
  const r = await fetch(b.getAttribute('data-more'), { credentials: 'same-origin' });
  cell.insertAdjacentHTML('beforebegin', await r.text());
  cell.remove();
});
</script>"#;

/// `/HANDLE/status/ID`: the conversation around one post.
pub(crate) fn status(
    viewer: Option<&Viewer>,
    above: &[&Post],
    post: &Post,
    below: &[&Post],
    more: Option<&str>,
    media_mime: MediaMime<'_>,
    reply_count: ReplyCount<'_>,
) -> String {
    let mut content = String::from(
        "<div class=\"css-175oi2r r-1ny4l3l\"><h2 class=\"css-146c3p1 r-1adg3ll r-b88u0q\" role=\"heading\" aria-level=\"2\">Post</h2></div>",
    );
    content.push_str(
        "<section aria-label=\"Timeline: Conversation\" role=\"region\" class=\"css-175oi2r\">",
    );
    for p in above.iter().copied().chain([post]) {
        content.push_str(&format!(
            "<div class=\"css-175oi2r\" data-testid=\"cellInnerDiv\">{}</div>",
            article(p, media_mime, reply_count(p.id))
        ));
    }
    content.push_str(&reply_cells(below, more, media_mime, reply_count));
    content.push_str("</section>");
    content.push_str(SHOW_MORE_SCRIPT);
    let title = format!(
        "{} on X: \"{}\" / X",
        Viewer::new(&post.user).name,
        post.text.chars().take(80).collect::<String>()
    );
    layout(&title, viewer, &content)
}

/// `/HANDLE`: the profile header and the user's posts, newest first.
pub(crate) fn profile(
    viewer: Option<&Viewer>,
    handle: &str,
    newest_first: &[&Post],
    media_mime: MediaMime<'_>,
) -> String {
    let who = Viewer::new(handle);
    let mut content = format!(
        concat!(
            "<div class=\"css-175oi2r r-1ny4l3l\"><div class=\"css-175oi2r\" data-testid=\"UserName\">",
            "<span class=\"css-1jxf684 r-1adg3ll r-b88u0q\">{name}</span><span class=\"css-1jxf684 r-bcqeeo\">@{handle}</span></div>",
            "<div class=\"css-146c3p1 r-bcqeeo\">{count} posts</div></div>",
            "<nav role=\"navigation\" aria-label=\"Profile timelines\" class=\"css-175oi2r r-18u37iz r-1ny4l3l\">",
            "<a href=\"/{handle}\" role=\"tab\" aria-selected=\"true\" class=\"r-lrvibr r-b88u0q\">Posts</a></nav>",
            "<section aria-label=\"Timeline: {name_attr}’s posts\" role=\"region\" class=\"css-175oi2r\">",
        ),
        name = escape_text(&who.name),
        name_attr = escape(&who.name),
        handle = escape(handle),
        count = newest_first.len(),
    );
    if newest_first.is_empty() {
        let _ = write!(
            content,
            "<div class=\"css-175oi2r r-1ny4l3l\" data-testid=\"emptyState\"><span class=\"css-1jxf684 r-b88u0q\">@{} hasn’t posted</span></div>",
            escape_text(handle)
        );
    }
    for post in newest_first {
        let _ = write!(
            content,
            "<div class=\"css-175oi2r\" data-testid=\"cellInnerDiv\">{}</div>",
            article(post, media_mime, 0)
        );
    }
    content.push_str("</section>");
    let title = format!("{} (@{}) / X", who.name, handle);
    layout(&title, viewer, &content)
}

/// An unknown page, as the app shows it.
pub(crate) fn not_found(viewer: Option<&Viewer>) -> String {
    layout(
        "Page not found / X",
        viewer,
        "<div class=\"css-175oi2r r-1ny4l3l\" data-testid=\"error-detail\"><span class=\"css-1jxf684\">Hmm...this page doesn’t exist. Try searching for something else.</span></div>",
    )
}

/// A profile URL without an account.
pub(crate) fn no_account(viewer: Option<&Viewer>) -> String {
    layout(
        "Profile / X",
        viewer,
        "<div class=\"css-175oi2r r-1ny4l3l\" data-testid=\"emptyState\"><span class=\"css-1jxf684 r-b88u0q\">This account doesn’t exist</span><span class=\"css-1jxf684 r-bcqeeo\">Try searching for another.</span></div>",
    )
}

/// Seconds since the epoch as (year, month 1-12, day, hour, minute,
/// second, weekday 0 = Sunday), in UTC.
fn civil(t: SystemTime) -> (i64, u32, u32, u32, u32, u32, u32) {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400) as u32;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = (days + 4).rem_euclid(7) as u32;
    (
        year,
        month,
        day,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        weekday,
    )
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// `2024-05-01T12:34:56.000Z`, as in `<time datetime>`.
fn iso8601(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s, _) = civil(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.000Z")
}

/// `May 1, 2024`.
fn short_date(t: SystemTime) -> String {
    let (y, mo, d, ..) = civil(t);
    format!("{} {d}, {y}", MONTHS[(mo - 1) as usize])
}

/// `Wed May 01 12:34:56 +0000 2024`, the API's `created_at`.
pub(crate) fn twitter_date(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s, wd) = civil(t);
    format!(
        "{} {} {d:02} {h:02}:{mi:02}:{s:02} +0000 {y}",
        DAYS[wd as usize],
        MONTHS[(mo - 1) as usize]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates_are_utc_calendar_dates() {
        // 2024-02-29T13:14:15Z, a Thursday.
        let t = UNIX_EPOCH + Duration::from_secs(1_709_212_455);
        assert_eq!(iso8601(t), "2024-02-29T13:14:15.000Z");
        assert_eq!(twitter_date(t), "Thu Feb 29 13:14:15 +0000 2024");
        assert_eq!(short_date(UNIX_EPOCH), "Jan 1, 1970");
    }

    #[test]
    fn state_json_cannot_close_the_script() {
        let safe = script_json(&json!({ "x": "</script><!--&" }).to_string());
        assert!(!safe.contains('<') && !safe.contains('>'), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["x"], "</script><!--&");
    }

    #[test]
    fn viewer_name_capitalises_the_handle() {
        assert_eq!(Viewer::new("sandbox").name, "Sandbox");
    }
}
