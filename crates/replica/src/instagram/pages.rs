//! Instagram's markup. Like the real site's atomic CSS, every class name is
//! an obfuscated token (`x1i10hfl xjqpnuy`), and here they are drawn anew
//! for every response: nothing can hold on to a class name, so elements are
//! found by role, label and text.

use std::fmt::Write as _;

use rand::Rng;

use super::store::Comment;
use super::InstagramPost;
use crate::http::{escape, escape_text};
use crate::script::js_string;

pub(crate) const NOT_AVAILABLE: &str = "Sorry, this page isn't available.";
pub(crate) const BAD_PASSWORD: &str =
    "Sorry, your password was incorrect. Please double-check your password.";

/// What each kind of element looks like; the key is only a name here.
const STYLES: &[(&str, &str)] = &[
    ("app", "display:flex;min-height:100vh;font-family:-apple-system,\"Segoe UI\",Roboto,Helvetica,Arial,sans-serif;font-size:14px;color:#000;margin:0"),
    ("sidebar", "display:flex;flex-direction:column;gap:4px;width:220px;padding:8px 12px;border-right:1px solid #dbdbdb;position:sticky;top:0;height:100vh;box-sizing:border-box"),
    ("logo", "font-size:24px;font-family:cursive;padding:16px 12px"),
    ("navItem", "display:flex;align-items:center;gap:16px;padding:12px;border-radius:8px;color:inherit;text-decoration:none;cursor:pointer"),
    ("navLabel", "font-size:16px"),
    ("icon", "display:block;flex:none"),
    ("avatar", "width:24px;height:24px;border-radius:50%;background:#ddd;display:block"),
    ("main", "flex:1;display:flex;flex-direction:column;align-items:center;padding:24px"),
    ("menu", "position:fixed;z-index:10;background:#fff;border-radius:8px;box-shadow:0 4px 12px rgba(0,0,0,.15);padding:8px;display:flex;flex-direction:column;min-width:180px"),
    ("menuItem", "display:flex;justify-content:space-between;align-items:center;gap:12px;padding:10px 12px;color:inherit;text-decoration:none;border-radius:6px"),
    ("menuLabel", "font-size:14px"),
    ("overlay", "position:fixed;inset:0;background:rgba(0,0,0,.65);z-index:20;display:flex;align-items:center;justify-content:center"),
    ("close", "position:absolute;top:12px;right:12px;color:#fff;cursor:pointer;padding:6px"),
    ("dialog", "background:#fff;border-radius:12px;width:min(720px,92vw);min-height:420px;display:flex;flex-direction:column;overflow:hidden"),
    ("header", "display:flex;align-items:center;justify-content:space-between;border-bottom:1px solid #dbdbdb;height:42px;padding:0 12px"),
    ("headerSide", "min-width:48px;display:flex;justify-content:center"),
    ("title", "font-size:16px;font-weight:600;margin:0"),
    ("body", "flex:1;display:flex;align-items:stretch;justify-content:center;min-height:380px"),
    ("dropZone", "flex:1;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:16px"),
    ("bigText", "font-size:20px"),
    ("small", "font-size:14px;color:#737373"),
    ("button", "background:#0095f6;color:#fff;border:0;border-radius:8px;padding:7px 16px;font-weight:600;cursor:pointer"),
    ("textButton", "color:#0095f6;font-weight:600;cursor:pointer;padding:4px 8px"),
    ("iconButton", "cursor:pointer;padding:6px;display:flex"),
    ("fileInput", "display:none"),
    ("error", "color:#ed4956;font-size:14px"),
    ("media", "flex:1;display:flex;align-items:center;justify-content:center;background:#efefef;min-width:320px"),
    ("mediaImg", "max-width:100%;max-height:380px;min-width:64px;min-height:64px;object-fit:contain"),
    ("side", "width:300px;border-left:1px solid #dbdbdb;display:flex;flex-direction:column;padding:12px;gap:8px"),
    ("user", "display:flex;align-items:center;gap:8px;font-weight:600"),
    ("captionWrap", "position:relative;min-height:168px"),
    ("caption", "min-height:168px;outline:none;font-size:16px;user-select:text;white-space:pre-wrap;word-break:break-word"),
    ("paragraph", "margin:0"),
    ("placeholder", "position:absolute;top:0;left:0;color:#737373;pointer-events:none;font-size:16px"),
    ("counterRow", "display:flex;justify-content:space-between;align-items:center;color:#737373;font-size:12px"),
    ("row", "border-top:1px solid #efefef;padding:10px 0;display:flex;justify-content:space-between"),
    ("tabs", "display:flex;gap:16px;font-weight:600"),
    ("done", "flex:1;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:16px"),
    ("grid", "display:grid;grid-template-columns:repeat(3,200px);gap:4px;margin-top:24px"),
    ("gridItem", "display:block;width:200px;height:200px;background:#efefef;overflow:hidden;color:inherit;text-decoration:none"),
    ("profileHead", "display:flex;gap:32px;align-items:center"),
    ("handle", "font-size:20px;margin:0"),
    ("postBox", "display:flex;border:1px solid #dbdbdb;max-width:900px"),
    ("postText", "font-size:14px;font-weight:400;margin:0;white-space:normal"),
    ("form", "display:flex;flex-direction:column;gap:8px;width:270px;border:1px solid #dbdbdb;padding:24px"),
    ("field", "padding:9px;border:1px solid #dbdbdb;border-radius:3px;background:#fafafa"),
];

/// One response's class names.
pub(crate) struct Classes {
    map: Vec<(&'static str, String)>,
    /// The UI version the app script renders (see `drift`).
    ui: u8,
}

impl Classes {
    /// Fresh random class names for every kind of element.
    pub(crate) fn new() -> Self {
        let mut rng = rand::rng();
        let map = STYLES
            .iter()
            .map(|(key, _)| {
                let n = rng.random_range(2..=5);
                let classes: Vec<String> = (0..n).map(|_| token(&mut rng)).collect();
                (*key, classes.join(" "))
            })
            .collect();
        Classes { map, ui: 0 }
    }

    /// The same, for the app of UI version `ui`.
    pub(crate) fn with_ui(mut self, ui: u8) -> Self {
        self.ui = ui;
        self
    }

    /// The class attribute value of `key`'s elements.
    pub(crate) fn c(&self, key: &str) -> &str {
        self.map
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// The stylesheet: each kind's style on its first token.
    pub(crate) fn css(&self) -> String {
        let mut out = String::new();
        for ((_, classes), (_, style)) in self.map.iter().zip(STYLES) {
            let first = classes.split(' ').next().unwrap_or_default();
            let _ = write!(out, ".{first}{{{style}}}");
        }
        out
    }

    /// `{"key":"classes",...}` for the page's script.
    pub(crate) fn js(&self) -> String {
        let mut out = String::from("{");
        for (i, (key, classes)) in self.map.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{}:{}", js_string(key), js_string(classes));
        }
        out.push('}');
        out
    }
}

/// `x1i10hfl`-like: an `x`, then 6-7 of `[a-z0-9]`.
fn token(rng: &mut impl Rng) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let len = rng.random_range(6..=7);
    let mut out = String::from("x");
    for _ in 0..len {
        out.push(char::from(CHARS[rng.random_range(0..CHARS.len())]));
    }
    out
}

/// An icon as the real site draws them: `svg[aria-label][role=img]` with a title.
pub(crate) fn icon(c: &Classes, label: &str, size: u32) -> String {
    format!(
        concat!(
            "<svg aria-label=\"{label}\" class=\"{cls}\" fill=\"currentColor\" height=\"{size}\" role=\"img\" ",
            "viewBox=\"0 0 24 24\" width=\"{size}\"><title>{label}</title>",
            "<path d=\"M4 4h16v16H4z\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\"></path></svg>",
        ),
        label = escape(label),
        cls = c.c("icon"),
        size = size,
    )
}

fn document(c: &Classes, title: &str, body: &str) -> String {
    format!(
        concat!(
            "<!DOCTYPE html><html class=\"{html}\" lang=\"en\" dir=\"ltr\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>",
            "<style>body{{margin:0}}{css}</style></head><body>{body}</body></html>\n",
        ),
        html = c.c("app"),
        title = escape_text(title),
        css = c.css(),
        body = body,
    )
}

/// The logged-in frame: the sidebar and `main`, plus the app script.
pub(crate) fn app(c: &Classes, title: &str, user: &str, main: &str) -> String {
    let nav = |href: &str, label: &str, text: &str| {
        format!(
            "<a class=\"{item}\" href=\"{href}\" role=\"link\" tabindex=\"0\"><div>{icon}</div><span class=\"{lbl}\">{text}</span></a>",
            item = c.c("navItem"),
            href = escape(href),
            icon = icon(c, label, 24),
            lbl = c.c("navLabel"),
            text = escape_text(text),
        )
    };
    let sidebar = format!(
        concat!(
            "<div class=\"{sidebar}\"><div class=\"{logo}\"><a href=\"/\" role=\"link\" tabindex=\"0\">Instagram</a></div>",
            "{home}{search}{explore}{reels}{messages}{notifications}",
            "<div><span><div>{create}</div></span></div>",
            "<a class=\"{item}\" href=\"/{user_href}/\" role=\"link\" tabindex=\"0\"><div><span><img alt=\"{user_attr}'s profile picture\" class=\"{avatar}\" ",
            "src=\"data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==\"></span></div>",
            "<span class=\"{lbl}\">Profile</span></a>",
            "<div style=\"flex:1\"></div>{more}</div>",
        ),
        sidebar = c.c("sidebar"),
        logo = c.c("logo"),
        home = nav("/", "Home", "Home"),
        search = nav("#", "Search", "Search"),
        explore = nav("/explore/", "Explore", "Explore"),
        reels = nav("/reels/", "Reels", "Reels"),
        messages = nav("/direct/inbox/", "Direct", "Messages"),
        notifications = nav("#", "Notifications", "Notifications"),
        create = nav("#", "New post", "Create"),
        item = c.c("navItem"),
        user_href = escape(user),
        user_attr = escape(user),
        avatar = c.c("avatar"),
        lbl = c.c("navLabel"),
        more = nav("#", "Settings", "More"),
    );
    let body = format!(
        concat!(
            "<div id=\"mount_0_0_{mount}\"><div class=\"{app}\">{sidebar}<main class=\"{main}\" role=\"main\">{content}</main></div></div>",
            "<script>{lexical}</script><script>const C = {classes}; const ME = {me}; const UI = {ui};\n{app_js}</script>",
        ),
        mount = rand::rng().random_range(10..99),
        app = c.c("app"),
        sidebar = sidebar,
        main = c.c("main"),
        content = main,
        lexical = crate::script::LEXICAL_JS,
        classes = c.js(),
        me = js_string(user),
        ui = c.ui,
        app_js = super::app::APP_JS,
    );
    document(c, title, &body)
}

pub(crate) fn home(c: &Classes, user: &str, posts: &[&InstagramPost]) -> String {
    let mut main = String::new();
    if posts.is_empty() {
        let _ = write!(
            main,
            "<span class=\"{}\">You're all caught up</span>",
            c.c("small")
        );
    }
    for p in posts {
        let _ = write!(
            main,
            "<article><div><a href=\"/{u}/\" role=\"link\">{ut}</a></div><a href=\"/p/{sc}/\" role=\"link\" class=\"{gi}\">{first}</a></article>",
            u = escape(&p.user),
            ut = escape_text(&p.user),
            sc = escape(&p.shortcode),
            gi = c.c("gridItem"),
            first = escape_text(p.media.first().map(String::as_str).unwrap_or_default()),
        );
    }
    app(c, "Instagram", user, &main)
}

pub(crate) fn profile(c: &Classes, viewer: &str, name: &str, posts: &[&InstagramPost]) -> String {
    let mut main = format!(
        concat!(
            "<header class=\"{head}\"><img alt=\"{n}'s profile picture\" class=\"{avatar}\" src=\"data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==\">",
            "<section><h2 class=\"{handle}\" dir=\"auto\">{nt}</h2><ul><li><span>{count}</span> posts</li></ul></section></header>",
            "<div class=\"{grid}\">",
        ),
        head = c.c("profileHead"),
        n = escape(name),
        avatar = c.c("avatar"),
        handle = c.c("handle"),
        nt = escape_text(name),
        count = posts.len(),
        grid = c.c("grid"),
    );
    for p in posts {
        let _ = write!(
            main,
            "<a class=\"{gi}\" href=\"/p/{sc}/\" role=\"link\" tabindex=\"0\"><div><span class=\"{small}\">{first}</span></div></a>",
            gi = c.c("gridItem"),
            sc = escape(&p.shortcode),
            small = c.c("small"),
            first = escape_text(p.media.first().map(String::as_str).unwrap_or_default()),
        );
    }
    main.push_str("</div>");
    app(
        c,
        &format!("{name} • Instagram photos and videos"),
        viewer,
        &main,
    )
}

/// The caption as the real site shows it: line breaks as `<br>`.
fn caption_html(caption: &str) -> String {
    caption
        .split('\n')
        .map(escape_text)
        .collect::<Vec<_>>()
        .join("<br>")
}

pub(crate) fn post(c: &Classes, viewer: Option<&str>, p: &InstagramPost, comments: &str) -> String {
    let mut media = String::new();
    for name in &p.media {
        let _ = write!(
            media,
            "<li><div class=\"{}\" role=\"img\" aria-label=\"{}\"></div></li>",
            c.c("mediaImg"),
            escape(name)
        );
    }
    let main = format!(
        concat!(
            "<article class=\"{box_}\"><ul class=\"{media_c}\">{media}</ul><div class=\"{side}\">",
            "<div class=\"{user}\"><a href=\"/{u}/\" role=\"link\">{ut}</a></div>",
            "<div><h1 class=\"{text}\" dir=\"auto\">{caption}</h1></div>",
            "<time datetime=\"2025-01-01T00:00:00.000Z\">Just now</time>",
            "<div role=\"presentation\"><ul class=\"{list}\">{comments}</ul></div></div></article>{script}",
        ),
        box_ = c.c("postBox"),
        media_c = c.c("media"),
        media = media,
        side = c.c("side"),
        user = c.c("user"),
        u = escape(&p.user),
        ut = escape_text(&p.user),
        text = c.c("postText"),
        caption = caption_html(&p.caption),
        list = c.c("side"),
        comments = comments,
        script = COMMENTS_SCRIPT,
    );
    let title = format!("{} on Instagram", p.user);
    match viewer {
        Some(v) => app(c, &title, v, &main),
        None => document(c, &title, &format!("<main role=\"main\">{main}</main>")),
    }
}

/// "View replies (N)" shows a comment's hidden replies; "Load more
/// comments" fetches the next comments into the list (its fragment is the
/// list items, then the next button, if any).
const COMMENTS_SCRIPT: &str = r#"<script>
document.addEventListener('click', async (e) => {
  const b = e.target.closest('button');
  if (!b || b.disabled) return;
  if (b.hasAttribute('data-replies')) {
    const ul = b.nextElementSibling;
    const open = ul.hidden;
    ul.hidden = !open;
    b.firstElementChild.textContent = open ? 'Hide replies' : b.getAttribute('data-replies');
    return;
  }
  if (b.querySelector('svg[aria-label="Load more comments"]')) {
    b.disabled = true;
    const r = await fetch(b.getAttribute('data-src'), { credentials: 'same-origin' });
    const html = await r.text();
    const li = b.closest('li');
    li.insertAdjacentHTML('beforebegin', html);
    li.remove();
  }
});
</script>"#;

/// The list items of one page of comments (each with its replies behind
/// "View replies (N)"), then the "Load more comments" item when more follow.
pub(crate) fn comment_items(
    code: &str,
    comments: &[(&Comment, Vec<&Comment>)],
    more: Option<&str>,
) -> String {
    let mut out = String::new();
    for (top, replies) in comments {
        out.push_str("<li>");
        comment_body(code, top, &mut out);
        if !replies.is_empty() {
            let label = format!("View replies ({})", replies.len());
            let _ = write!(
                out,
                "<button type=\"button\" data-replies=\"{l}\"><span>{l}</span></button><ul hidden>",
                l = escape(&label)
            );
            for r in replies {
                out.push_str("<li>");
                comment_body(code, r, &mut out);
                out.push_str("</li>");
            }
            out.push_str("</ul>");
        }
        out.push_str("</li>");
    }
    if let Some(more) = more {
        let _ = write!(
            out,
            "<li><button type=\"button\" data-src=\"{}\"><svg aria-label=\"Load more comments\" role=\"img\" height=\"24\" width=\"24\"></svg></button></li>",
            escape(more)
        );
    }
    out
}

fn comment_body(code: &str, c: &Comment, out: &mut String) {
    let _ = write!(
        out,
        concat!(
            "<div><a href=\"/{u}/\" role=\"link\">{ut}</a> <span dir=\"auto\">{text}</span></div>",
            "<div><a href=\"/p/{code}/c/{id}/\" role=\"link\"><time datetime=\"{at}.000Z\">{at}</time></a></div>",
        ),
        u = escape(&c.user),
        ut = escape_text(&c.user),
        text = escape_text(&c.text),
        code = escape(code),
        id = escape(&c.id),
        at = crate::http::iso8601(c.created),
    );
}

pub(crate) fn login(c: &Classes, next: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| {
            format!(
                "<div class=\"{}\" role=\"alert\">{}</div>",
                c.c("error"),
                escape_text(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        concat!(
            "<main class=\"{main}\" role=\"main\"><form class=\"{form}\" id=\"loginForm\" method=\"post\" action=\"/accounts/login/\">",
            "<div class=\"{logo}\">Instagram</div><input type=\"hidden\" name=\"next\" value=\"{next}\">",
            "<input aria-label=\"Phone number, username, or email\" class=\"{field}\" name=\"username\" type=\"text\" autocomplete=\"username\">",
            "<input aria-label=\"Password\" class=\"{field}\" name=\"password\" type=\"password\" autocomplete=\"current-password\">",
            "<button class=\"{button}\" type=\"submit\">Log in</button>{error}</form></main>",
        ),
        main = c.c("main"),
        form = c.c("form"),
        logo = c.c("logo"),
        next = escape(next),
        field = c.c("field"),
        button = c.c("button"),
        error = error,
    );
    document(c, "Login • Instagram", &body)
}

pub(crate) fn challenge(c: &Classes) -> String {
    let body = format!(
        concat!(
            "<main class=\"{main}\" role=\"main\"><div class=\"{form}\">",
            "<h2 class=\"{handle}\">Help us confirm it's you</h2>",
            "<p class=\"{small}\">We detected unusual activity on your account. To secure your account, ",
            "we need you to confirm that this is you before you can continue.</p>",
            "<div class=\"{button}\" role=\"button\" tabindex=\"0\" aria-disabled=\"true\">Continue</div>",
            "</div></main>",
        ),
        main = c.c("main"),
        form = c.c("form"),
        handle = c.c("handle"),
        small = c.c("small"),
        button = c.c("button"),
    );
    document(c, "Security check • Instagram", &body)
}

pub(crate) fn not_available(c: &Classes) -> String {
    let body = format!(
        "<main class=\"{}\" role=\"main\"><h2>{}</h2><span>The link you followed may be broken, or the page may have been removed. <a href=\"/\">Go back to Instagram.</a></span></main>",
        c.c("main"),
        escape_text(NOT_AVAILABLE)
    );
    document(c, "Page not found • Instagram", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_differ_per_response_and_cover_every_style() {
        let a = Classes::new();
        let b = Classes::new();
        assert_ne!(a.c("navItem"), b.c("navItem"));
        assert!(a
            .c("dialog")
            .split(' ')
            .all(|t| t.starts_with('x') && t.len() >= 7));
        assert_eq!(a.css().matches('{').count(), STYLES.len());
    }
}
