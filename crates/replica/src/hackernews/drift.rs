//! UI drift: the same site with its markup changed, as real sites change
//! theirs. Version 0 is today's Hacker News; later versions rename, reword
//! and restructure the login and submit forms (the server accepts every
//! version's field names). Self-healing is tested against these.

use regex_lite::Regex;

/// The versions this replica can serve.
pub const UI_VERSIONS: &[u8] = &[0, 1, 2];

/// A version whose submit form has no fields left (nothing to repair), only
/// its hidden one-time tokens: for testing what a failed step leaves behind.
pub const BROKEN: u8 = 9;

/// Rewrites a page of version 0 into version `ui`.
pub(crate) fn apply(ui: u8, html: &str) -> String {
    match ui {
        1 => renamed(html),
        2 => restructured(html),
        BROKEN => {
            let form = Regex::new(
                r#"(?s)<form action="r" method="post">((?:<input type="hidden"[^>]*>)*).*?</form>"#,
            )
            .expect("valid regex");
            form.replace(html, |c: &regex_lite::Captures<'_>| {
                format!(
                    "<form action=\"r\" method=\"post\">{}<p>Submissions are closed for maintenance.</p></form>",
                    &c[1]
                )
            })
            .into_owned()
        }
        _ => html.to_string(),
    }
}

/// Version 1: names, ids and button labels renamed; layout unchanged.
fn renamed(html: &str) -> String {
    html.replace("name=\"title\"", "name=\"t\"")
        .replace("name=\"url\"", "name=\"u\"")
        .replace("name=\"text\"", "name=\"x\"")
        .replace(
            "type=\"submit\" value=\"submit\"",
            "type=\"submit\" value=\"Submit story\"",
        )
        .replace("name=\"acct\"", "name=\"username\"")
        .replace("name=\"pw\"", "name=\"password\"")
        .replace(
            "type=\"submit\" value=\"login\"",
            "type=\"submit\" value=\"Log in\"",
        )
        .replace("id=\"me\"", "id=\"current-user\"")
}

/// Version 2: the forms rebuilt with labels, wrappers and buttons, fields
/// reordered and reworded, the submit form posted to a new path.
fn restructured(html: &str) -> String {
    let submit = Regex::new(
        r#"(?s)<form action="r" method="post">.*?name="fnid" value="([^"]*)".*?</form>"#,
    )
    .expect("valid regex");
    let html = submit.replace(html, |c: &regex_lite::Captures<'_>| {
        format!(
            concat!(
                "<form action=\"submitstory\" method=\"post\" class=\"c-form\">",
                "<input type=\"hidden\" name=\"fnid\" value=\"{}\"><input type=\"hidden\" name=\"fnop\" value=\"submit-page\">",
                "<div class=\"c-field\"><label for=\"f-link\">Link</label><div class=\"c-wrap\"><input id=\"f-link\" type=\"url\" name=\"link\" size=\"50\"></div></div>",
                "<div class=\"c-field\"><label for=\"f-headline\">Headline</label><div class=\"c-wrap\"><input id=\"f-headline\" type=\"text\" name=\"headline\" size=\"50\" maxlength=\"80\"></div></div>",
                "<div class=\"c-field\"><label for=\"f-body\">Body</label><div class=\"c-wrap\"><textarea id=\"f-body\" name=\"body\" rows=\"4\" cols=\"49\"></textarea></div></div>",
                "<div class=\"c-actions\"><button type=\"submit\" class=\"c-primary\">Post story</button> <a href=\"news\" class=\"c-cancel\">Cancel</a></div>",
                "</form>"
            ),
            &c[1]
        )
    });
    let login = Regex::new(r#"(?s)<form action="login" method="post"><input type="hidden" name="goto" value="([^"]*)"><table.*?</form>"#)
        .expect("valid regex");
    let html = login.replace(&html, |c: &regex_lite::Captures<'_>| {
        format!(
            concat!(
                "<form action=\"login\" method=\"post\" class=\"c-form\"><input type=\"hidden\" name=\"goto\" value=\"{}\">",
                "<div class=\"c-field\"><label for=\"f-user\">Username</label><input id=\"f-user\" type=\"text\" name=\"username\"></div>",
                "<div class=\"c-field\"><label for=\"f-pass\">Password</label><input id=\"f-pass\" type=\"password\" name=\"password\"></div>",
                "<button type=\"submit\" class=\"c-primary\">Sign in</button></form>"
            ),
            &c[1]
        )
    });
    html.replace("id=\"me\"", "class=\"c-user\"")
}

/// A form field under any version's name.
pub(crate) fn field<'a>(
    form: &'a std::collections::HashMap<String, String>,
    names: &[&str],
) -> Option<&'a String> {
    names.iter().find_map(|n| form.get(*n))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = r#"<form action="r" method="post"><input type="hidden" name="fnid" value="abc"><input type="text" name="title"><input type="submit" value="submit"></form>"#;

    #[test]
    fn versions_change_the_markup_and_keep_the_token() {
        assert_eq!(apply(0, FORM), FORM);
        let v1 = apply(1, FORM);
        assert!(v1.contains("name=\"t\"") && v1.contains("Submit story"));
        let v2 = apply(2, FORM);
        assert!(v2.contains("action=\"submitstory\"") && v2.contains("value=\"abc\""));
        assert!(!v2.contains("name=\"title\""));
        let broken = apply(BROKEN, FORM);
        assert!(broken.contains("Submissions are closed") && broken.contains("value=\"abc\""));
        assert!(!broken.contains("name=\"title\""));
    }
}
