//! Hacker News markup, copied from the real site's pages (2024-2026).
//!
//! Everything user-supplied goes through [`escape`]. Hrefs are relative, as
//! on the real site.

use std::fmt::Write as _;
use std::time::SystemTime;

use super::store::{Comment, Story};
use crate::http::{encode_query_value, escape, escape_text, iso8601, unix_seconds};

/// The logged-in reader, shown at the right of the top bar.
#[derive(Debug)]
pub(crate) struct Viewer {
    pub(crate) name: String,
    pub(crate) karma: u64,
    pub(crate) auth: String,
}

pub(crate) const TOO_FAST: &str = "You're submitting too fast. Please slow down. Thanks.";
pub(crate) const EXPIRED: &str = "Unknown or expired link.";
pub(crate) const NO_SUCH_ITEM: &str = "No such item.";
pub(crate) const NO_SUCH_USER: &str = "No such user.";
pub(crate) const UNKNOWN: &str = "Unknown.";
pub(crate) const BAD_LOGIN: &str = "Bad login.";
pub(crate) const LOGIN_TO_SUBMIT: &str = "You have to be logged in to submit.";
pub(crate) const VALIDATION_REQUIRED: &str =
    "Validation required. If this doesn't work, you can email hn@ycombinator.com for help.";
pub(crate) const NO_SIGNUPS: &str = "Creating accounts is disabled on this replica.";

/// The page layout: orange top bar in `table#hnmain`, `content` rows, footer.
/// `here` is the current page (`news`, `item?id=1`), used for the
/// login/logout `goto`.
pub(crate) fn layout(
    op: &str,
    title: &str,
    viewer: Option<&Viewer>,
    here: &str,
    content: &str,
) -> String {
    let goto = encode_query_value(here);
    let right = match viewer {
        Some(viewer) => format!(
            "<a id=\"me\" href=\"user?id={name_q}\">{name}</a> ({karma}) | <a id=\"logout\" rel=\"nofollow\" href=\"logout?auth={auth}&amp;goto={goto}\">logout</a>",
            name_q = escape(&encode_query_value(&viewer.name)),
            name = escape_text(&viewer.name),
            karma = viewer.karma,
            auth = escape(&viewer.auth),
            goto = escape(&goto),
        ),
        None => format!("<a href=\"login?goto={}\">login</a>", escape(&goto)),
    };
    format!(
        concat!(
            "<html lang=\"en\" op=\"{op}\"><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"origin\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">",
            "<link rel=\"stylesheet\" type=\"text/css\" href=\"news.css\"><link rel=\"icon\" href=\"y18.svg\">",
            "<title>{title}</title></head><body><center>",
            "<table id=\"hnmain\" border=\"0\" cellpadding=\"0\" cellspacing=\"0\" width=\"85%\" bgcolor=\"#f6f6ef\">\n",
            "<tr><td bgcolor=\"#ff6600\"><table border=\"0\" cellpadding=\"0\" cellspacing=\"0\" width=\"100%\" style=\"padding:2px\"><tr>",
            "<td style=\"width:18px;padding-right:4px\"><a href=\"news\"><img src=\"y18.svg\" width=\"18\" height=\"18\" style=\"border:1px white solid; display:block\"></a></td>\n",
            "<td style=\"line-height:12pt; height:10px;\"><span class=\"pagetop\"><b class=\"hnname\"><a href=\"news\">Hacker News</a></b>\n",
            "<a href=\"newest\">new</a> | <a href=\"front\">past</a> | <a href=\"newcomments\">comments</a> | <a href=\"ask\">ask</a> | ",
            "<a href=\"show\">show</a> | <a href=\"jobs\">jobs</a> | <a href=\"submit\">submit</a></span></td>",
            "<td style=\"text-align:right;padding-right:4px;\"><span class=\"pagetop\">{right}</span></td>\n",
            "</tr></table></td></tr>\n",
            "<tr id=\"pagespace\" title=\"{pagespace}\" style=\"height:10px\"></tr>",
            "{content}\n",
            "<tr><td><img src=\"s.gif\" height=\"10\" width=\"0\"><table width=\"100%\" cellspacing=\"0\" cellpadding=\"1\"><tr><td bgcolor=\"#ff6600\"></td></tr></table><br>\n",
            "<center><span class=\"yclinks\"><a href=\"newsguidelines.html\">Guidelines</a> | <a href=\"newsfaq.html\">FAQ</a> | ",
            "<a href=\"lists\">Lists</a> | <a href=\"security.html\">Security</a> | <a href=\"https://www.ycombinator.com/legal/\">Legal</a> | ",
            "<a href=\"https://www.ycombinator.com/apply/\">Apply to YC</a> | <a href=\"mailto:hn@ycombinator.com\">Contact</a></span><br><br>\n",
            "<form method=\"get\" action=\"//hn.algolia.com/\">Search: <input type=\"text\" name=\"q\" size=\"17\" autocorrect=\"off\" spellcheck=\"false\" autocapitalize=\"off\" autocomplete=\"off\"></form>\n",
            "</center></td></tr>\n</table></center></body></html>\n",
        ),
        op = op,
        title = page_title(title),
        right = right,
        pagespace = escape(title),
        content = content,
    )
}

/// A page without the layout, as the real login and error pages are.
pub(crate) fn bare(op: &str, title: &str, body: &str) -> String {
    format!(
        concat!(
            "<html lang=\"en\" op=\"{op}\"><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"origin\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">",
            "<link rel=\"stylesheet\" type=\"text/css\" href=\"news.css\"><title>{title}</title></head>",
            "<body>{body}</body></html>\n",
        ),
        op = op,
        title = page_title(title),
        body = body,
    )
}

fn page_title(title: &str) -> String {
    if title.is_empty() {
        "Hacker News".to_owned()
    } else {
        format!("{} | Hacker News", escape_text(title))
    }
}

/// A one-line message page (`Unknown or expired link.` and friends).
pub(crate) fn message(op: &str, text: &str) -> String {
    bare(op, "", &escape_text(text))
}

/// The login form, with `goto` as the page to return to.
pub(crate) fn login_form(goto: &str) -> String {
    let goto = escape(goto);
    format!(
        concat!(
            "<b>Login</b><br><br>",
            "<form action=\"login\" method=\"post\"><input type=\"hidden\" name=\"goto\" value=\"{goto}\">",
            "<table border=\"0\"><tr><td>username:</td><td><input type=\"text\" name=\"acct\" size=\"20\" autocorrect=\"off\" spellcheck=\"false\" autocapitalize=\"off\" autofocus=\"true\"></td></tr>",
            "<tr><td>password:</td><td><input type=\"password\" name=\"pw\" size=\"20\"></td></tr></table><br>",
            "<input type=\"submit\" value=\"login\"></form>",
            "<a href=\"forgot\">Forgot your password?</a><br><br>\n",
            "<b>Create Account</b><br><br>",
            "<form action=\"login\" method=\"post\"><input type=\"hidden\" name=\"goto\" value=\"{goto}\"><input type=\"hidden\" name=\"creating\" value=\"t\">",
            "<table border=\"0\"><tr><td>username:</td><td><input type=\"text\" name=\"acct\" size=\"20\" autocorrect=\"off\" spellcheck=\"false\" autocapitalize=\"off\"></td></tr>",
            "<tr><td>password:</td><td><input type=\"password\" name=\"pw\" size=\"20\"></td></tr></table><br>",
            "<input type=\"submit\" value=\"create account\"></form>",
        ),
        goto = goto,
    )
}

/// The login page, optionally headed by a message (`Bad login.`).
pub(crate) fn login(goto: &str, message: Option<&str>) -> String {
    let mut body = String::new();
    if let Some(message) = message {
        let _ = write!(body, "{}<br><br>", escape_text(message));
    }
    body.push_str(&login_form(goto));
    bare("login", "Login", &body)
}

/// The reCAPTCHA page shown after too many failed logins.
pub(crate) fn validation_required(goto: &str) -> String {
    let body = format!(
        concat!(
            "<b>Login</b><br><br>{message}<br><br>",
            "<form action=\"login\" method=\"post\"><input type=\"hidden\" name=\"goto\" value=\"{goto}\">",
            "<table border=\"0\"><tr><td>username:</td><td><input type=\"text\" name=\"acct\" size=\"20\" autocorrect=\"off\" spellcheck=\"false\" autocapitalize=\"off\" autofocus=\"true\"></td></tr>",
            "<tr><td>password:</td><td><input type=\"password\" name=\"pw\" size=\"20\"></td></tr></table><br>",
            "<div class=\"g-recaptcha\" data-sitekey=\"x\"></div><br>",
            "<input type=\"submit\" value=\"login\"></form>",
        ),
        message = escape_text(VALIDATION_REQUIRED),
        goto = escape(goto),
    );
    bare("login", "Login", &body)
}

/// What the submit form shows when re-rendered after an error.
#[derive(Debug, Default)]
pub(crate) struct SubmitValues<'a> {
    pub(crate) message: Option<&'a str>,
    pub(crate) title: &'a str,
    pub(crate) url: &'a str,
    pub(crate) text: &'a str,
}

/// The submit page's content rows.
pub(crate) fn submit_form(fnid: &str, values: &SubmitValues<'_>) -> String {
    let mut out = String::from("<tr><td>");
    if let Some(message) = values.message {
        let _ = write!(out, "{}<br><br>", escape_text(message));
    }
    let _ = write!(
        out,
        concat!(
            "<form action=\"r\" method=\"post\"><input type=\"hidden\" name=\"fnid\" value=\"{fnid}\"><input type=\"hidden\" name=\"fnop\" value=\"submit-page\">",
            "<script type=\"text/javascript\">function tlen(el) {{ var n = el.value.length - 80; el.nextSibling.innerText = n > 0 ? n + ' too long' : ''; }}</script>",
            "<table border=\"0\">",
            "<tr><td>title</td><td><input type=\"text\" name=\"title\" value=\"{title}\" size=\"50\" maxlength=\"80\" oninput=\"tlen(this)\" onfocus=\"tlen(this)\"><span style=\"margin-left:10px\"></span></td></tr>",
            "<tr><td>url</td><td><input type=\"url\" name=\"url\" value=\"{url}\" size=\"50\"></td></tr>",
            "<tr><td>text</td><td><textarea name=\"text\" rows=\"4\" cols=\"49\" wrap=\"virtual\">{text}</textarea></td></tr>",
            "<tr><td></td><td><input type=\"submit\" value=\"submit\"></td></tr>",
            "<tr style=\"height:20px\"></tr>",
            "<tr><td></td><td>Leave url blank to submit a question for discussion. If there is no url, text will appear at the top of the thread. If there is a url, text is optional.",
            "<br><br>You can also submit via <a href=\"bookmarklet.html\" rel=\"nofollow\"><u>bookmarklet</u></a>.</td></tr>",
            "</table></form></td></tr>",
        ),
        fnid = escape(fnid),
        title = escape(values.title),
        url = escape(values.url),
        // A leading newline in a textarea is dropped by the parser: keep it.
        text = if values.text.starts_with('\n') {
            format!("\n{}", escape_text(values.text))
        } else {
            escape_text(values.text)
        },
    );
    out
}

/// A list of stories (`/news`, `/newest`, `/submitted`), with ranks from
/// `first_rank` and an optional `More` link.
pub(crate) fn story_list(
    stories: &[&Story],
    first_rank: usize,
    here: &str,
    more: Option<&str>,
) -> String {
    let mut out =
        String::from("<tr><td><table border=\"0\" cellpadding=\"0\" cellspacing=\"0\">\n");
    for (i, story) in stories.iter().enumerate() {
        out.push_str(&story_rows(story, Some(first_rank + i), here));
        out.push_str(&subtext_row(story, here));
        out.push_str("<tr class=\"spacer\" style=\"height:5px\"></tr>\n");
    }
    out.push_str("<tr class=\"morespace\" style=\"height:10px\"></tr>");
    if let Some(more) = more {
        let _ = write!(
            out,
            "<tr><td colspan=\"2\"></td><td class=\"title\"><a href=\"{}\" class=\"morelink\" rel=\"next\">More</a></td></tr>",
            escape(more)
        );
    }
    out.push_str("\n</table></td></tr>");
    out
}

/// The story page's content rows.
pub(crate) fn item(
    story: &Story,
    logged_in: bool,
    comments: &[(usize, &Comment)],
    more: Option<&str>,
) -> String {
    let here = format!("item?id={}", story.id);
    let mut out = String::from("<tr><td><table class=\"fatitem\" border=\"0\">\n");
    out.push_str(&story_rows(story, None, &here));
    out.push_str(&subtext_row(story, &here));
    if let Some(text) = &story.text {
        out.push_str("<tr style=\"height:2px\"></tr>");
        let _ = writeln!(
            out,
            "<tr><td colspan=\"2\"></td><td><div class=\"toptext\">{}</div></td></tr>",
            paragraphs(text)
        );
    }
    if logged_in {
        let _ = writeln!(
            out,
            concat!(
                "<tr><td colspan=\"2\"></td><td><br><form action=\"comment\" method=\"post\">",
                "<input type=\"hidden\" name=\"parent\" value=\"{id}\"><input type=\"hidden\" name=\"goto\" value=\"item?id={id}\">",
                "<textarea name=\"text\" rows=\"8\" cols=\"80\" wrap=\"virtual\"></textarea><br><br>",
                "<input type=\"submit\" value=\"add comment\"></form></td></tr>",
            ),
            id = story.id
        );
    }
    out.push_str("</table><br><br><table border=\"0\" class=\"comment-tree\">\n");
    for (depth, c) in comments {
        out.push_str(&comment_row(story.id, *depth, c));
    }
    out.push_str("</table>");
    if let Some(more) = more {
        let _ = write!(
            out,
            "<br><a href=\"{}\" class=\"morelink\" rel=\"next\">More</a>",
            escape(more)
        );
    }
    out.push_str("<br><br></td></tr>");
    out
}

/// One comment as the real site renders it: a `tr.athing.comtr` row whose
/// `td.ind[indent]` gives the depth; a deleted one keeps its row, with no
/// author and `[deleted]` for text.
fn comment_row(story: u64, depth: usize, c: &Comment) -> String {
    let head = if c.deleted {
        "<span class=\"comhead\"> [deleted]</span>".to_owned()
    } else {
        format!(
            concat!(
                "<span class=\"comhead\"><a href=\"user?id={by_q}\" class=\"hnuser\">{by}</a> ",
                "<span class=\"age\" title=\"{iso} {unix}\"><a href=\"item?id={id}\">{age}</a></span>",
                "<span class=\"navs\"> | <a href=\"item?id={story}\">root</a></span></span>",
            ),
            by_q = escape(&encode_query_value(&c.by)),
            by = escape_text(&c.by),
            iso = iso8601(c.created),
            unix = unix_seconds(c.created),
            id = c.id,
            age = age(c.created),
            story = story,
        )
    };
    let body = if c.deleted {
        "<div class=\"comment\"><span class=\"commtext\">[deleted]</span></div>".to_owned()
    } else {
        format!(
            concat!(
                "<div class=\"comment\"><div class=\"commtext c00\">{text}</div>",
                "<div class=\"reply\"><p><font size=\"1\"><u><a href=\"reply?id={id}&amp;goto=item%3Fid%3D{story}\">reply</a></u></font></p></div></div>",
            ),
            text = paragraphs(&c.text),
            id = c.id,
            story = story,
        )
    };
    format!(
        concat!(
            "<tr class=\"athing comtr\" id=\"{id}\"><td><table border=\"0\"><tr>",
            "<td class=\"ind\" indent=\"{depth}\"><img src=\"s.gif\" height=\"1\" width=\"{width}\"></td>",
            "<td class=\"default\"><div style=\"margin-top:2px; margin-bottom:-10px;\">{head}</div><br>{body}</td>",
            "</tr></table></td></tr>\n",
        ),
        id = c.id,
        depth = depth,
        width = depth * 40,
        head = head,
        body = body,
    )
}

/// The profile page's content rows.
pub(crate) fn user(name: &str, karma: u64) -> String {
    let name_q = escape(&encode_query_value(name));
    format!(
        concat!(
            "<tr><td><table border=\"0\">",
            "<tr class=\"athing\"><td valign=\"top\">user:</td><td><a href=\"user?id={name_q}\" class=\"hnuser\">{name}</a></td></tr>",
            "<tr><td valign=\"top\">karma:</td><td>{karma}</td></tr>",
            "<tr><td valign=\"top\">about:</td><td></td></tr>",
            "<tr><td></td><td><a href=\"submitted?id={name_q}\"><u>submissions</u></a></td></tr>",
            "</table><br><br></td></tr>",
        ),
        name_q = name_q,
        name = escape_text(name),
        karma = karma,
    )
}

fn story_rows(story: &Story, rank: Option<usize>, here: &str) -> String {
    let id = story.id;
    let rank = rank.map(|rank| format!("{rank}.")).unwrap_or_default();
    let href = match &story.url {
        Some(url) => escape(url),
        None => format!("item?id={id}"),
    };
    let sitebit = story
        .url
        .as_deref()
        .and_then(site)
        .map(|site| {
            format!(
                "<span class=\"sitebit comhead\"> (<a href=\"from?site={q}\"><span class=\"sitestr\">{site}</span></a>)</span>",
                q = escape(&encode_query_value(&site)),
                site = escape_text(&site),
            )
        })
        .unwrap_or_default();
    format!(
        concat!(
            "<tr class=\"athing submission\" id=\"{id}\">",
            "<td align=\"right\" valign=\"top\" class=\"title\"><span class=\"rank\">{rank}</span></td>",
            "<td valign=\"top\" class=\"votelinks\"><center><a id=\"up_{id}\" href=\"vote?id={id}&amp;how=up&amp;goto={goto}\"><div class=\"votearrow\" title=\"upvote\"></div></a></center></td>",
            "<td class=\"title\"><span class=\"titleline\"><a href=\"{href}\">{title}</a>{sitebit}</span></td></tr>\n",
        ),
        id = id,
        rank = rank,
        goto = escape(&encode_query_value(here)),
        href = href,
        title = escape_text(&story.title),
        sitebit = sitebit,
    )
}

fn subtext_row(story: &Story, here: &str) -> String {
    let id = story.id;
    let points = if story.points == 1 {
        "1 point".to_owned()
    } else {
        format!("{} points", story.points)
    };
    let trailing = format!(
        " | <a href=\"hide?id={id}&amp;goto={goto}\">hide</a> | <a href=\"item?id={id}\">discuss</a>",
        goto = escape(&encode_query_value(here)),
    );
    format!(
        concat!(
            "<tr><td colspan=\"2\"></td><td class=\"subtext\"><span class=\"subline\">",
            "<span class=\"score\" id=\"score_{id}\">{points}</span> by <a href=\"user?id={by_q}\" class=\"hnuser\">{by}</a> ",
            "<span class=\"age\" title=\"{iso} {unix}\"><a href=\"item?id={id}\">{age}</a></span> <span id=\"unv_{id}\"></span>",
            "{trailing}</span></td></tr>\n",
        ),
        id = id,
        points = points,
        by_q = escape(&encode_query_value(&story.by)),
        by = escape_text(&story.by),
        iso = iso8601(story.created),
        unix = unix_seconds(story.created),
        age = age(story.created),
        trailing = trailing,
    )
}

/// The domain shown after a title, without `www.`, as the real site does.
fn site(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    Some(host.strip_prefix("www.").unwrap_or(host).to_owned())
}

/// Text as the real site renders it: paragraphs split at blank lines, the
/// first bare, the rest in `<p>`; single newlines stay as they are.
pub(crate) fn paragraphs(text: &str) -> String {
    let mut paras: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.split('\n') {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paras.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paras.push(current.join("\n"));
    }
    let mut out = String::new();
    for (i, para) in paras.iter().enumerate() {
        if i == 0 {
            out.push_str(&escape_text(para));
        } else {
            let _ = write!(out, "<p>{}</p>", escape_text(para));
        }
    }
    out
}

/// `just now`, `5 minutes ago`, `1 hour ago`, `3 days ago`.
fn age(at: SystemTime) -> String {
    let secs = SystemTime::now()
        .duration_since(at)
        .map_or(0, |d| d.as_secs());
    let (n, unit) = match secs {
        0..60 => return "just now".to_owned(),
        60..3600 => (secs / 60, "minute"),
        3600..86_400 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    if n == 1 {
        format!("1 {unit} ago")
    } else {
        format!("{n} {unit}s ago")
    }
}

/// A small stylesheet so screenshots look like the real site.
pub(crate) const NEWS_CSS: &str = "body { font-family: Verdana, Geneva, sans-serif; font-size: 10pt; color: #828282; }
td { font-family: Verdana, Geneva, sans-serif; font-size: 10pt; color: #828282; }
.pagetop { font-family: Verdana, Geneva, sans-serif; font-size: 10pt; color: #222222; line-height: 12px; }
.pagetop a:link, .pagetop a:visited { color: #000000; }
.hnname { margin-right: 5px; }
.title { font-family: Verdana, Geneva, sans-serif; font-size: 10pt; color: #828282; overflow: hidden; }
.titleline > a:link, .titleline > a:visited { color: #000000; }
.subtext, .subline { font-family: Verdana, Geneva, sans-serif; font-size: 7pt; color: #828282; }
.subtext a:link, .subtext a:visited { color: #828282; }
.comhead, .sitestr { font-family: Verdana, Geneva, sans-serif; font-size: 8pt; color: #828282; }
.toptext { color: #000000; overflow-wrap: anywhere; }
.votearrow { width: 10px; height: 10px; border: 0px; margin: 3px 2px 6px; background: url('y18.svg'); background-size: 10px; }
a:link { color: #000000; text-decoration: none; }
a:visited { color: #828282; text-decoration: none; }
";

/// The orange "Y" icon.
pub(crate) const Y18_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"18\" height=\"18\" viewBox=\"4 4 188 188\"><path d=\"m4 4h188v188h-188z\" fill=\"#f60\"/><path d=\"m73.2521756 45.01h22.7478244l14 26.9 14-26.9h22.7l-25.5 48.2v32.3h-22.4v-32.3z\" fill=\"#fff\"/></svg>\n";

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn paragraphs_split_at_blank_lines() {
        assert_eq!(
            paragraphs("a\nb\n\n\nc <x>\n\nd"),
            "a\nb<p>c &lt;x&gt;</p><p>d</p>"
        );
        assert_eq!(paragraphs("only"), "only");
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00");
        let t = UNIX_EPOCH + Duration::from_secs(1_709_251_199); // leap year
        assert_eq!(iso8601(t), "2024-02-29T23:59:59");
    }

    #[test]
    fn site_drops_www() {
        assert_eq!(
            site("https://www.example.com/a").as_deref(),
            Some("example.com")
        );
        assert_eq!(site("not a url"), None);
    }
}
