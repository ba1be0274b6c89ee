//! New Reddit's page frame (`shreddit-app`) and the pages both UIs share:
//! the post page, the subreddit page, login and "no such community".

use std::fmt::Write as _;

use super::store::{Comment, Store};
use super::RedditPost;
use crate::http::{encode_query_value, escape, escape_text, iso8601};

pub(crate) const NO_SUCH_COMMUNITY: &str =
    "Sorry, there aren't any communities on Reddit with that name.";
pub(crate) const FLAIR_REQUIRED: &str = "Your post must contain post flair.";
pub(crate) const ADD_FLAIR: &str = "Please add flair to your post";
pub(crate) const NO_SUCH_POST: &str =
    "Sorry, this post was deleted by the person who originally posted it, or it doesn't exist.";

const STYLE: &str = r#"<style>
body{margin:0;font-family:-apple-system,"Segoe UI",Roboto,sans-serif;background:#fff;color:#1c1c1c}
reddit-header-large{display:block;border-bottom:1px solid #ddd;padding:8px 16px}
reddit-header-large nav{display:flex;gap:16px;align-items:center}
main{display:block;max-width:740px;margin:16px auto;padding:0 16px}
shreddit-post{display:block;border:1px solid #ddd;border-radius:16px;padding:12px;margin:12px 0}
shreddit-post h1{font-size:24px;margin:4px 0}
.flair{display:inline-block;background:#eaedef;border-radius:12px;padding:0 8px;font-size:12px}
.toast{background:#0a7c3e;color:#fff;padding:8px 12px;border-radius:8px}
</style>"#;

/// New Reddit's frame: `shreddit-app[user-logged-in]` with the header.
pub(crate) fn layout(title: &str, viewer: Option<&str>, content: &str, scripts: &str) -> String {
    let user = match viewer {
        Some(name) => format!(
            concat!(
                "<a href=\"/submit/\" id=\"create-post\" aria-label=\"Create post\">Create</a>",
                "<button id=\"expand-user-drawer-button\" aria-label=\"Expand user menu\" type=\"button\">",
                "<span class=\"avatar\" aria-hidden=\"true\"></span><a href=\"/user/{q}/\">u/{name}</a></button>",
            ),
            q = escape(&encode_query_value(name)),
            name = escape_text(name),
        ),
        None => "<a id=\"login-button\" href=\"/login/\">Log In</a>".to_owned(),
    };
    format!(
        concat!(
            "<!DOCTYPE html><html lang=\"en-US\" class=\"theme-beta\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>{style}</head>",
            "<body><shreddit-app user-logged-in=\"{logged_in}\" pagetype=\"{pagetype}\">",
            "<reddit-header-large><nav><a href=\"/\" aria-label=\"Home\" id=\"reddit-logo\">reddit</a>",
            "<span class=\"spacer\"></span>{user}</nav></reddit-header-large>",
            "<main>{content}</main></shreddit-app>{scripts}</body></html>\n",
        ),
        title = escape_text(title),
        style = STYLE,
        logged_in = viewer.is_some(),
        pagetype = "page",
        user = user,
        content = content,
        scripts = scripts,
    )
}

/// `https://...` permalink path of a post.
pub(crate) fn permalink(post: &RedditPost) -> String {
    format!(
        "/r/{}/comments/{}/{}/",
        post.subreddit,
        post.id,
        super::store::slug(&post.title)
    )
}

/// One `shreddit-post`, as on listings and the post page.
pub(crate) fn post(post: &RedditPost, full: bool) -> String {
    let link = permalink(post);
    let post_type = match post.kind.as_str() {
        "self" => "text",
        other => other,
    };
    let mut out = format!(
        concat!(
            "<shreddit-post id=\"t3_{id}\" post-title=\"{title_attr}\" permalink=\"{link}\" author=\"{author}\" ",
            "subreddit-prefixed-name=\"r/{sub}\" post-type=\"{post_type}\"{content_href}>",
            "<span slot=\"credit-bar\"><a href=\"/r/{sub}/\">r/{sub}</a> · <a href=\"/user/{author}/\">u/{author}</a></span>",
        ),
        id = escape(&post.id),
        title_attr = escape(&post.title),
        link = escape(&link),
        author = escape(&post.author),
        sub = escape(&post.subreddit),
        post_type = post_type,
        content_href = post
            .url
            .as_deref()
            .map(|u| format!(" content-href=\"{}\"", escape(u)))
            .unwrap_or_default(),
    );
    if full {
        let _ = write!(
            out,
            "<h1 slot=\"title\" id=\"post-title-t3_{}\">{}</h1>",
            escape(&post.id),
            escape_text(&post.title)
        );
    } else {
        let _ = write!(
            out,
            "<a slot=\"full-post-link\" href=\"{}\"><span slot=\"title\">{}</span></a>",
            escape(&link),
            escape_text(&post.title)
        );
    }
    if let Some(flair) = &post.flair {
        let _ = write!(
            out,
            "<shreddit-post-flair slot=\"post-flair\"><span class=\"flair\">{}</span></shreddit-post-flair>",
            escape_text(flair)
        );
    }
    if let Some(url) = &post.url {
        let _ = write!(
            out,
            "<a slot=\"post-media-container\" class=\"post-link\" href=\"{0}\" rel=\"nofollow ugc\">{1}</a>",
            escape(url),
            escape_text(url)
        );
    }
    if !post.media.is_empty() {
        out.push_str("<div slot=\"post-media-container\" class=\"gallery\">");
        for name in &post.media {
            let _ = write!(
                out,
                "<figure><figcaption>{}</figcaption></figure>",
                escape_text(name)
            );
        }
        out.push_str("</div>");
    }
    if full && !post.body.is_empty() {
        let _ = write!(
            out,
            "<div slot=\"text-body\"><div class=\"md\" id=\"t3_{}-post-rtjson-content\">{}</div></div>",
            escape(&post.id),
            paragraphs(&post.body)
        );
    }
    out.push_str("</shreddit-post>");
    out
}

/// The body as rendered: one `<p>` per paragraph (split at blank lines),
/// single line breaks as `<br>`.
pub(crate) fn paragraphs(body: &str) -> String {
    let mut out = String::new();
    let mut current: Vec<String> = Vec::new();
    let flush = |current: &mut Vec<String>, out: &mut String| {
        if !current.is_empty() {
            let _ = write!(out, "<p>{}</p>", current.join("<br>"));
            current.clear();
        }
    };
    for line in body.split('\n') {
        if line.trim().is_empty() {
            flush(&mut current, &mut out);
        } else {
            current.push(escape_text(line));
        }
    }
    flush(&mut current, &mut out);
    out
}

pub(crate) fn post_page(p: &RedditPost, viewer: Option<&str>, comments: &str) -> String {
    let content = format!(
        "<shreddit-title title=\"{}\"></shreddit-title>{}<shreddit-comment-tree id=\"comment-tree\" post-id=\"t3_{}\">{comments}</shreddit-comment-tree>",
        escape(&p.title),
        post(p, true),
        escape(&p.id),
    );
    layout(
        &format!("{} : r/{}", p.title, p.subreddit),
        viewer,
        &content,
        LOAD_MORE_SCRIPT,
    )
}

/// "View more comments": the button's partial fetches the next comments
/// and puts them in its place (new Reddit's `faceplate-partial`).
const LOAD_MORE_SCRIPT: &str = r#"<script>
document.addEventListener('click', async (e) => {
  const b = e.target.closest('faceplate-partial[loading=action] button');
  if (!b || b.disabled) return;
  b.disabled = true;
  const p = b.closest('faceplate-partial');
  const r = await fetch(p.getAttribute('src'), { credentials: 'same-origin' });
  const html = await r.text();
  p.insertAdjacentHTML('beforebegin', html);
  p.remove();
});
</script>"#;

/// Page `page` of a post's comment threads, nested, and the button for
/// the next page when there is one.
pub(crate) fn comment_threads(store: &Store, post: &RedditPost, page: usize) -> String {
    let (tops, more) = store.top_comments(&post.id, page);
    let mut out = String::new();
    for c in tops {
        comment(store, post, c, 0, &mut out);
    }
    if more {
        let _ = write!(
            out,
            concat!(
                "<faceplate-partial loading=\"action\" src=\"/svc/shreddit/more-comments/{id}/?page={next}\">",
                "<button type=\"button\" class=\"more-comments\">View more comments</button></faceplate-partial>",
            ),
            id = escape(&post.id),
            next = page + 1,
        );
    }
    out
}

fn comment(store: &Store, post: &RedditPost, c: &Comment, depth: usize, out: &mut String) {
    let parent = match &c.parent {
        Some(p) => format!("t1_{p}"),
        None => format!("t3_{}", post.id),
    };
    let (author, body, deleted) = if c.deleted {
        (
            "[deleted]".to_owned(),
            "<p>[deleted]</p>".to_owned(),
            " is-comment-deleted=\"\"",
        )
    } else {
        let paras: String = c
            .body
            .split("\n\n")
            .map(|p| format!("<p>{}</p>", escape_text(p)))
            .collect();
        (c.author.clone(), paras, "")
    };
    let _ = write!(
        out,
        concat!(
            "<shreddit-comment thingid=\"t1_{id}\" depth=\"{depth}\" author=\"{author}\" postid=\"t3_{post}\" ",
            "parentid=\"{parent}\" permalink=\"/r/{sub}/comments/{post}/comment/{id}/\" created=\"{created}Z\"{deleted}>",
            "<div slot=\"comment\" id=\"t1_{id}-comment-rtjson-content\">{body}</div>",
        ),
        id = escape(&c.id),
        depth = depth,
        author = escape(&author),
        post = escape(&post.id),
        parent = escape(&parent),
        sub = escape(&post.subreddit),
        created = iso8601(c.created),
        deleted = deleted,
        body = body,
    );
    for child in store.children(&c.id) {
        comment(store, post, child, depth + 1, out);
    }
    out.push_str("</shreddit-comment>");
}

pub(crate) fn subreddit_page(
    sub: &str,
    posts: &[&RedditPost],
    viewer: Option<&str>,
    created: Option<&str>,
) -> String {
    let mut content = format!(
        "<shreddit-subreddit-header prefixed-name=\"r/{0}\" name=\"{0}\"><h1>r/{0}</h1><a href=\"/r/{0}/submit/?type=TEXT\" id=\"create-post-in-community\">Create Post</a></shreddit-subreddit-header>",
        escape(sub)
    );
    if let Some(created) = created {
        let _ = write!(
            content,
            "<div class=\"toast\" role=\"status\" data-created=\"{}\">Post created</div>",
            escape(created)
        );
    }
    content.push_str("<shreddit-feed>");
    for p in posts {
        content.push_str(&post(p, false));
    }
    content.push_str("</shreddit-feed>");
    layout(&format!("r/{sub}"), viewer, &content, "")
}

pub(crate) fn home(posts: &[&RedditPost], viewer: Option<&str>) -> String {
    let mut content = String::from("<h1>Home</h1><shreddit-feed>");
    for p in posts {
        content.push_str(&post(p, false));
    }
    content.push_str("</shreddit-feed>");
    layout("Reddit - Dive into anything", viewer, &content, "")
}

pub(crate) fn user_page(name: &str, posts: &[&RedditPost], viewer: Option<&str>) -> String {
    let mut content = format!("<h1>u/{}</h1><shreddit-feed>", escape_text(name));
    for p in posts {
        content.push_str(&post(p, false));
    }
    content.push_str("</shreddit-feed>");
    layout(&format!("u/{name}"), viewer, &content, "")
}

pub(crate) fn not_found(message: &str, viewer: Option<&str>) -> String {
    let content = format!(
        "<div id=\"not-found\" role=\"alert\"><h1>{}</h1><a href=\"/\">Go home</a></div>",
        escape_text(message)
    );
    layout("Reddit", viewer, &content, "")
}

/// The login page (`/login/`); the form takes the user name as password.
pub(crate) fn login(dest: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape_text(e)))
        .unwrap_or_default();
    let content = format!(
        concat!(
            "<h1>Log In</h1>{error}<form id=\"login\" method=\"post\" action=\"/login\">",
            "<input type=\"hidden\" name=\"dest\" value=\"{dest}\">",
            "<label>Email or username <input name=\"username\" autocomplete=\"username\"></label>",
            "<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label>",
            "<button type=\"submit\">Log In</button></form>",
        ),
        error = error,
        dest = escape(dest),
    );
    layout("Log In", None, &content, "")
}
