//! UI drift of new Reddit's composer: the same page with its markup
//! changed, as Reddit changes shreddit with its deploys. The components'
//! tag names stay (they are the app's API); their attributes, ids, labels
//! and places change. The submit endpoint takes every version's requests.
//! Self-healing is tested against these. Old Reddit does not drift.
//!
//! | | 0 (today's www.reddit.com) | 1: renamed | 2: restructured |
//! |---|---|---|---|
//! | title | `faceplate-textarea-input[name=title]`, "Title" | `name=post-title`, "Post title" | `name=post_title` in a wrapper, "Give your post a title", below the body |
//! | link | `name=link`, "Link URL" | `name=post-link`, "URL" | `name=url` in a wrapper |
//! | body | `aria-label="Post body text field"` | `aria-label="Body"` | wrapped, `aria-label="Write your post"` |
//! | submit | `#submit-post-button` > `#inner-post-submit-button` "Post" | `#post-submit-button` > `#post-submit-inner` "Post" | no ids, in a footer, "Post" |
//! | flair | `#reddit-post-flair-button`, "Add" | `#post-flair-button`, "Apply" | same as 1 |

/// The versions this replica can serve.
pub const UI_VERSIONS: &[u8] = &[0, 1, 2];

/// Rewrites version 0's composer markup (`content`) and component script
/// (`script`) into version `ui`.
pub(crate) fn apply(ui: u8, content: &str, script: &str) -> (String, String) {
    match ui {
        1 => (renamed_content(content), renamed_script(script)),
        2 => (restructured_content(content), restructured_script(script)),
        _ => (content.to_string(), script.to_string()),
    }
}

fn renamed_content(html: &str) -> String {
    html.replace(
        "name=\"title\" label=\"Title\"",
        "name=\"post-title\" label=\"Post title\"",
    )
    .replace(
        "name=\"link\" label=\"Link URL\"",
        "name=\"post-link\" label=\"URL\"",
    )
    .replace("aria-label=\"Post body text field\"", "aria-label=\"Body\"")
    .replace("id=\"submit-post-button\"", "id=\"post-submit-button\"")
}

fn renamed_script(js: &str) -> String {
    js.replace("inner-post-submit-button", "post-submit-inner")
        .replace("reddit-post-flair-button", "post-flair-button")
        .replace(">Add</button>", ">Apply</button>")
}

fn restructured_content(html: &str) -> String {
    let title = between(
        html,
        "<faceplate-textarea-input name=\"title\"",
        "</faceplate-textarea-input>",
    );
    let html = html.replace(&title, "");
    let new_title = title
        .replace("name=\"title\"", "name=\"post_title\"")
        .replace("label=\"Title\"", "label=\"Give your post a title\"");
    let composer = between(html.as_str(), "<shreddit-composer", "</shreddit-composer>");
    let new_composer = composer.replace(
        "aria-label=\"Post body text field\"",
        "aria-label=\"Write your post\"",
    );
    html.replace(
        &composer,
        &format!(
            "<div class=\"composer-body\"><div class=\"body-field\">{new_composer}</div>\
             <div class=\"field title-field\"><div class=\"field-wrap\">{new_title}</div></div></div>"
        ),
    )
    .replace(
        "<div data-post-section=\"LINK\"><faceplate-textarea-input name=\"link\" label=\"Link URL\"",
        "<div data-post-section=\"LINK\"><div class=\"field-wrap\"><faceplate-textarea-input name=\"url\" label=\"Link URL\"",
    )
    .replace(
        "label=\"Link URL\" required></faceplate-textarea-input></div>",
        "label=\"Link URL\" required></faceplate-textarea-input></div></div>",
    )
    .replace(
        "<div class=\"submit-row\"><r-post-form-submit-button id=\"submit-post-button\"></r-post-form-submit-button></div>",
        "<footer class=\"composer-actions\"><div class=\"actions-end\"><r-post-form-submit-button></r-post-form-submit-button></div></footer>",
    )
}

fn restructured_script(js: &str) -> String {
    renamed_script(js).replace(
        "<button id=\"post-submit-inner\" type=\"submit\" disabled>",
        "<button class=\"button-primary\" type=\"submit\" disabled>",
    )
}

/// `from ... to` (inclusive) in `s`; empty when absent.
fn between(s: &str, from: &str, to: &str) -> String {
    s.find(from)
        .and_then(|a| s[a..].find(to).map(|b| s[a..a + b + to.len()].to_string()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_changes_what_it_says() {
        let page = super::super::new_ui::submit_page("rust", "TEXT", &[], "c", "me", 0);
        for &ui in UI_VERSIONS {
            let html = super::super::new_ui::submit_page("rust", "TEXT", &[], "c", "me", ui);
            assert_eq!(html == page, ui == 0, "ui {ui}");
            assert_eq!(html.contains("name=\"title\""), ui == 0, "ui {ui}");
            assert_eq!(
                html.contains("inner-post-submit-button"),
                ui == 0,
                "ui {ui}"
            );
            assert!(html.contains("<r-post-form-submit-button"), "ui {ui}");
            assert!(html.contains("slot=\"rte\""), "ui {ui}");
        }
    }
}
