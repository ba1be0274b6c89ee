//! Old Reddit's submit page (`old.reddit.com/r/SUB/submit`, here
//! `/r/SUB/submit` without a trailing slash): one `form#newlink` whose link
//! and text tabs are switched by a script that disables the hidden tab's
//! fields, errors as `span.error.CODE.field-FIELD`, and a flair selector.

use std::fmt::Write as _;

use super::store::{Flair, Refusal};
use crate::http::{encode_query_value, escape, escape_text};

/// What the form shows: the values sent before, and an error.
#[derive(Debug, Default)]
pub(crate) struct OldForm<'a> {
    /// `link` or `self`.
    pub(crate) kind: &'a str,
    pub(crate) title: &'a str,
    pub(crate) url: &'a str,
    pub(crate) text: &'a str,
    pub(crate) sr: &'a str,
    pub(crate) flair_id: &'a str,
    pub(crate) error: Option<&'a Refusal>,
}

const STYLE: &str = r#"<style>
body{font:normal x-small verdana,arial,helvetica,sans-serif;margin:0}
#header{background:#cee3f8;border-bottom:1px solid #5f99cf;position:relative;min-height:40px}
#header-bottom-left{position:absolute;bottom:0;left:4px}
#header-bottom-right{position:absolute;right:0;bottom:0;background:#eff7ff;padding:4px}
.content{margin:7px 5px 0 5px}
.tabmenu{list-style:none;padding:0;display:flex;gap:4px}.tabmenu li{padding:4px 8px;background:#eff7ff}
.tabmenu li.selected{background:#5f99cf}.tabmenu li.selected a{color:#fff}
.roundfield{background:#cee3f8;border-radius:7px;padding:5px 10px;margin:5px 0;max-width:500px}
.roundfield .title{font-weight:bold;font-size:small}
.roundfield textarea,.roundfield input[type=text],.roundfield input[type=url]{width:100%;box-sizing:border-box}
.error{color:red;display:block}
.flairselector{background:#fff;border:1px solid #888;padding:4px}
.flairselector ul{list-style:none;padding:0;margin:0}
.flairselector li a{display:block;padding:2px 4px}
</style>"#;

fn error_span(form: &OldForm<'_>, field: &str) -> String {
    match form.error {
        Some(err) if err.old_code().1 == field => {
            let (code, field) = err.old_code();
            format!(
                "<span class=\"error {code} field-{field}\">{}</span>",
                escape_text(&err.old_message())
            )
        }
        _ => String::new(),
    }
}

/// Old Reddit's header: the user link and the logout form when logged in.
pub(crate) fn header(sub: &str, user: &str, uh: &str) -> String {
    format!(
        concat!(
            "<div id=\"header\" role=\"banner\"><div id=\"header-bottom-left\">",
            "<a href=\"/\" id=\"header-img\" class=\"default-header\" title=\"\">reddit.com</a>&nbsp;",
            "<span class=\"hover pagename redditname\"><a href=\"/r/{sub}/\">{sub}</a></span>",
            "<span class=\"pagename selected\">submit</span></div>",
            "<div id=\"header-bottom-right\"><span class=\"user\"><a href=\"/user/{user_q}/\">{user}</a>&nbsp;",
            "(<span class=\"userkarma\" title=\"link karma\">1</span>)</span><span class=\"separator\">|</span>",
            "<a class=\"pref-lang choice\" href=\"/prefs/\">preferences</a><span class=\"separator\">|</span>",
            "<form method=\"post\" action=\"/logout\" class=\"logout hover\"><input type=\"hidden\" name=\"uh\" value=\"{uh}\">",
            "<input type=\"hidden\" name=\"top\" value=\"off\"><a href=\"javascript:void(0)\" onclick=\"this.parentNode.submit()\">logout</a></form>",
            "</div></div>",
        ),
        sub = escape(sub),
        user_q = escape(&encode_query_value(user)),
        user = escape_text(user),
        uh = escape(uh),
    )
}

/// The whole submit page.
pub(crate) fn submit_page(
    sub: &str,
    user: &str,
    uh: &str,
    flairs: &[Flair],
    form: &OldForm<'_>,
) -> String {
    let is_self = form.kind == "self";
    let sub_e = escape(sub);
    let mut flair_field = String::new();
    if !flairs.is_empty() {
        let chosen = flairs
            .iter()
            .find(|f| f.id == form.flair_id)
            .map(|f| f.text.as_str())
            .unwrap_or_default();
        let _ = write!(
            flair_field,
            concat!(
                "<div class=\"spacer\"><div class=\"roundfield\" id=\"flair-field\" data-required=\"true\">",
                "<span class=\"title\">flair</span> <span class=\"little gray roundfield-description\">*required</span>",
                "<div class=\"roundfield-content\"><input type=\"hidden\" name=\"flair_id\" value=\"{id}\">",
                "<input type=\"hidden\" name=\"flair_text\" value=\"{text}\">",
                "<span class=\"linkflairlabel\" id=\"chosen-flair\">{text_t}</span> ",
                "<a href=\"#\" class=\"flairselect-btn\">select flair</a>",
                "<div class=\"flairselector drop-choices\" hidden><ul class=\"flairlist\">",
            ),
            id = escape(if chosen.is_empty() { "" } else { form.flair_id }),
            text = escape(chosen),
            text_t = escape_text(chosen),
        );
        for f in flairs {
            let _ = write!(
                flair_field,
                "<li><a href=\"#\" class=\"flairsample\" data-flair-id=\"{}\" data-flair-text=\"{}\">{}</a></li>",
                escape(&f.id),
                escape(&f.text),
                escape_text(&f.text)
            );
        }
        let _ = write!(
            flair_field,
            "</ul></div>{}</div></div></div>",
            error_span(form, "flair")
        );
    }
    // A leading newline in a textarea is dropped by the parser: keep it.
    let textarea = |s: &str| {
        if s.starts_with('\n') {
            format!("\n{}", escape_text(s))
        } else {
            escape_text(s)
        }
    };
    let body = format!(
        concat!(
            "{header}<div class=\"content\" role=\"main\"><h1>submit to <a href=\"/r/{sub}/\">{sub}</a></h1>",
            "<form id=\"newlink\" class=\"submit content warn-on-unload\" action=\"/r/{sub}/submit\" method=\"post\">",
            "<input type=\"hidden\" name=\"uh\" value=\"{uh}\">",
            "<input type=\"hidden\" name=\"kind\" value=\"{kind}\">",
            "<ul class=\"tabmenu formtab\"><li class=\"{link_sel}\"><a class=\"link-button choice\" href=\"/r/{sub}/submit\">link</a></li>",
            "<li class=\"{text_sel}\"><a class=\"text-button choice\" href=\"/r/{sub}/submit?selftext=true\">text</a></li></ul>",
            "<div class=\"formtabs-content\">",
            "<div class=\"spacer\"><div class=\"roundfield\" id=\"title-field\"><span class=\"title\">title</span> ",
            "<span class=\"little gray roundfield-description\">*required</span><div class=\"roundfield-content\">",
            "<textarea name=\"title\" rows=\"2\" required>{title}</textarea>{title_err}</div></div></div>",
            "<div class=\"spacer\" id=\"link-fields\"{link_hidden}><div class=\"roundfield\" id=\"url-field\"><span class=\"title\">url</span> ",
            "<span class=\"little gray roundfield-description\">*required</span><div class=\"roundfield-content\">",
            "<input id=\"url\" name=\"url\" type=\"url\" value=\"{url}\"{link_disabled}>{url_err}</div></div></div>",
            "<div class=\"spacer\" id=\"text-fields\"{text_hidden}><div class=\"roundfield\" id=\"text-field\"><span class=\"title\">text</span> ",
            "<span class=\"little gray roundfield-description\">(optional)</span><div class=\"roundfield-content\">",
            "<div class=\"usertext-edit md-container\"><div class=\"md\"><textarea rows=\"6\" cols=\"1\" name=\"text\"{text_disabled}>{text}</textarea></div></div>",
            "{text_err}</div></div></div>",
            "<div class=\"spacer\"><div class=\"roundfield\" id=\"reddit-field\"><span class=\"title\">choose a subreddit</span>",
            "<div class=\"roundfield-content\"><input id=\"sr-autocomplete\" name=\"sr\" type=\"text\" autocomplete=\"off\" value=\"{sr}\">",
            "{sr_err}</div></div></div>",
            "{flair_field}",
            "</div><div class=\"spacer\"><button class=\"btn\" name=\"submit\" value=\"form\" type=\"submit\">submit</button>",
            "<span class=\"status\"></span>{rate_err}{kind_err}</div></form></div>",
        ),
        header = header(sub, user, uh),
        sub = sub_e,
        uh = escape(uh),
        kind = if is_self { "self" } else { "link" },
        link_sel = if is_self { "" } else { "selected" },
        text_sel = if is_self { "selected" } else { "" },
        title = textarea(form.title),
        title_err = error_span(form, "title"),
        link_hidden = if is_self { " hidden" } else { "" },
        link_disabled = if is_self { " disabled" } else { "" },
        url = escape(form.url),
        url_err = error_span(form, "url"),
        text_hidden = if is_self { "" } else { " hidden" },
        text_disabled = if is_self { "" } else { " disabled" },
        text = textarea(form.text),
        text_err = error_span(form, "text"),
        sr = escape(form.sr),
        sr_err = error_span(form, "sr"),
        flair_field = flair_field,
        rate_err = error_span(form, "ratelimit"),
        kind_err = error_span(form, "kind"),
    );
    format!(
        concat!(
            "<!DOCTYPE html><html lang=\"en\" xml:lang=\"en\"><head><meta charset=\"utf-8\">",
            "<title>submit to {sub}</title>{style}</head><body class=\"submit-page\">{body}",
            "<script>{script}</script></body></html>\n",
        ),
        sub = sub_e,
        style = STYLE,
        body = body,
        script = SCRIPT,
    )
}

/// Tabs and the flair selector, as old Reddit's `reddit.js` does them.
const SCRIPT: &str = r##"
(() => {
  const form = document.getElementById('newlink');
  const kind = form.querySelector('input[name=kind]');
  const link = document.getElementById('link-fields');
  const text = document.getElementById('text-fields');
  function select(which) {
    const isSelf = which === 'self';
    kind.value = isSelf ? 'self' : 'link';
    link.hidden = isSelf;
    text.hidden = !isSelf;
    for (const e of link.querySelectorAll('input,textarea')) e.disabled = isSelf;
    for (const e of text.querySelectorAll('input,textarea')) e.disabled = !isSelf;
    form.querySelector('a.link-button').parentNode.className = isSelf ? '' : 'selected';
    form.querySelector('a.text-button').parentNode.className = isSelf ? 'selected' : '';
  }
  form.querySelector('a.link-button').addEventListener('click', (e) => { e.preventDefault(); select('link'); });
  form.querySelector('a.text-button').addEventListener('click', (e) => { e.preventDefault(); select('self'); });
  const btn = form.querySelector('a.flairselect-btn');
  if (btn) {
    const selector = form.querySelector('.flairselector');
    btn.addEventListener('click', (e) => { e.preventDefault(); selector.hidden = !selector.hidden; });
    for (const a of selector.querySelectorAll('a.flairsample')) {
      a.addEventListener('click', (e) => {
        e.preventDefault();
        form.querySelector('input[name=flair_id]').value = a.dataset.flairId;
        form.querySelector('input[name=flair_text]').value = a.dataset.flairText;
        document.getElementById('chosen-flair').textContent = a.dataset.flairText;
        selector.hidden = true;
      });
    }
  }
})();
"##;
