use std::path::PathBuf;
use std::time::Duration;

use crate::replies;
use crate::ui::{snippet, Seen, Signs};
use async_trait::async_trait;
use distroflow_core::{
    wait_until_on, Capabilities, Error, Existing, JobContext, Page, Platform, PlatformId, Post,
    Posted, Reply, Result, Waits,
};
use serde_json::Value;

mod comments;
mod existing;
mod flair;
mod new;
mod old;

use comments::*;
use existing::*;
use flair::*;
use new::*;
use old::*;

const ID: PlatformId = PlatformId::Reddit;

// Targets in `selectors/reddit.toml` (candidates, alternatives and seeds);
// the healer resolves and repairs them.
// New Reddit (www.reddit.com): shreddit web components.
const SEL_NEW_LOGGED_IN: &str = "@reddit.new.app.logged_in";
const SEL_COMPOSER: &str = "@reddit.new.submit.composer";
const SEL_TITLE: &str = "@reddit.new.submit.title";
const SEL_BODY: &str = "@reddit.new.submit.body";
const SEL_LINK: &str = "@reddit.new.submit.link";
const SEL_MEDIA_INPUT: &str = "@reddit.new.submit.media_input";
const SEL_FLAIR_BUTTON: &str = "@reddit.new.submit.flair_button";
const SEL_FLAIR_APPLY: &str = "@reddit.new.submit.flair_apply";
const SEL_SUBMIT: &str = "@reddit.new.submit.button";
const SEL_NEW_ERROR: &str = "@reddit.new.submit.error";

// Old Reddit (old.reddit.com): one plain form.
const SEL_OLD_USER: &str = "@reddit.old.header.user";
const SEL_OLD_FORM: &str = "@reddit.old.submit.form";
const SEL_OLD_LINK_TAB: &str = "@reddit.old.submit.link_tab";
const SEL_OLD_TEXT_TAB: &str = "@reddit.old.submit.text_tab";
const SEL_OLD_TITLE: &str = "@reddit.old.submit.title";
const SEL_OLD_URL: &str = "@reddit.old.submit.url";
const SEL_OLD_TEXT: &str = "@reddit.old.submit.text";
const SEL_OLD_SR: &str = "@reddit.old.submit.subreddit";
const SEL_OLD_FLAIR_OPEN: &str = "@reddit.old.submit.flair_open";
const SEL_OLD_SUBMIT: &str = "@reddit.old.submit.button";

/// Reddit: text, link and image posts to a subreddit through new Reddit's
/// composer (default) or old Reddit's form (`ui = "old"` in config).
#[derive(Clone, Copy, Debug, Default)]
pub struct Reddit;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Link,
    Image,
}

impl Kind {
    fn of(post: &Post) -> Kind {
        if !post.media.is_empty() {
            Kind::Image
        } else if post.url.as_deref().is_some_and(|u| !u.trim().is_empty()) {
            Kind::Link
        } else {
            Kind::Text
        }
    }
}

/// Everything a submission needs, checked once.
struct Plan<'a> {
    subreddit: String,
    kind: Kind,
    title: &'a str,
    body: &'a str,
    url: &'a str,
    media: Vec<PathBuf>,
    flair: Option<&'a str>,
}

#[derive(Debug, Default)]
struct Flairs {
    required: bool,
    /// `(id, text)` in page order.
    options: Vec<(String, String)>,
}

#[async_trait]
impl Platform for Reddit {
    fn id(&self) -> PlatformId {
        ID
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            text: true,
            title: true,
            link: true,
            media: true,
            threads: false,
            password_login: false,
        }
    }

    fn validate(&self, post: &Post) -> Result<()> {
        plan(post).map(|_| ())
    }

    fn login_path(&self) -> &'static str {
        "login/"
    }

    fn logged_in_marker(&self) -> &'static str {
        "shreddit-app[user-logged-in=\"true\"], #header-bottom-right span.user > a[href^=\"/user/\"]"
    }

    async fn is_logged_in(&self, page: &dyn Page, ctx: &JobContext) -> Result<bool> {
        page.goto(ctx.url("/")?.as_str()).await?;
        let here = page.current_url().await?;
        // Either UI may be configured (or redirected to): the signs of both.
        Ok(
            crate::ui::settle(page, &ANY_SIGNS, || check_challenge(page, &here)).await?
                == Seen::LoggedIn,
        )
    }

    async fn account_name(&self, page: &dyn Page, _ctx: &JobContext) -> Result<Option<String>> {
        let v = page.eval(JS_USER_NAME).await?;
        Ok(distroflow_core::plausible_name(
            v.as_str().unwrap_or_default(),
        ))
    }

    /// Looks through the user's own recent posts (`/user/NAME/submitted/`)
    /// for one to the same subreddit with the same title (and the same
    /// link, or the same body on the post's page).
    async fn find_existing(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        post: &Post,
    ) -> Result<Existing> {
        let plan = plan(post)?;
        find_existing(page, ctx, &plan).await
    }

    fn reads_replies(&self) -> bool {
        true
    }

    /// The comments on the post's page (new Reddit's `shreddit-comment`,
    /// nested), after "View more comments" was pressed until none is left.
    async fn replies(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        post_url: &str,
    ) -> Result<Vec<Reply>> {
        let url = replies::on_site(ID, ctx, &on_new_reddit(ctx, post_url)?)?;
        page.goto(url.as_str()).await?;
        for _ in 0..MAX_COMMENT_PAGES {
            let state = comment_state(page).await?;
            if !state.more {
                break;
            }
            page.click(SEL_MORE_COMMENTS).await?;
            wait_until_on(
                page,
                page.waits(),
                "more Reddit comments to load",
                || async {
                    let now = comment_state(page).await?;
                    let settled = now.comments > state.comments || !(now.more || now.pending);
                    Ok(settled.then_some(()))
                },
            )
            .await?;
        }
        let read: replies::Read =
            serde_json::from_value(page.eval(READ_COMMENTS).await?).map_err(|e| {
                Error::Unexpected {
                    message: format!("reading the comments of {url}: {e}"),
                }
            })?;
        Ok(replies::to_replies(ID, post_url, read.rows, |r| {
            replies::link(&url, r)
        }))
    }

    fn compose_url(&self, ctx: &JobContext, post: &Post) -> Option<url::Url> {
        // The new UI's submit page (old Reddit's form is not loaded ahead).
        match ctx.setting("ui").map(str::trim) {
            None | Some("") | Some("new") => {
                new::submit_url(ctx, &subreddit(post).ok()?, Kind::of(post)).ok()
            }
            Some(_) => None,
        }
    }

    async fn post(&self, page: &dyn Page, ctx: &JobContext, post: &Post) -> Result<Posted> {
        let plan = plan(post)?;
        match ctx.setting("ui").map(str::trim) {
            None | Some("") | Some("new") => post_new(page, ctx, &plan).await,
            Some("old") => post_old(page, ctx, &plan).await,
            Some(other) => Err(Error::Config {
                message: format!(
                    "[platforms.reddit] ui = \"{other}\" is not a Reddit UI; use \"new\" or \"old\""
                ),
            }),
        }
    }
}

/// The post's subreddit, checked (`rust` from `r/rust`, `/r/rust/` or a URL).
fn subreddit(post: &Post) -> Result<String> {
    let subreddit = post
        .option(ID, "subreddit")
        .map(str::trim)
        .map(|s| {
            s.trim_start_matches("https://www.reddit.com")
                .trim_start_matches('/')
                .trim_start_matches("r/")
                .trim_end_matches('/')
        })
        .unwrap_or_default();
    if subreddit.is_empty() {
        return Err(Error::usage(
            "Reddit needs a subreddit",
            Some("add --subreddit NAME".into()),
        ));
    }
    if !(3..=21).contains(&subreddit.len())
        || !subreddit
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(Error::usage(
            format!("`{subreddit}` is not a subreddit name (3-21 letters, digits or _)"),
            Some("add --subreddit NAME, e.g. --subreddit rust".into()),
        ));
    }
    Ok(subreddit.to_string())
}

fn plan(post: &Post) -> Result<Plan<'_>> {
    let subreddit = subreddit(post)?;
    let title = post
        .title_for(PlatformId::Reddit)
        .map(str::trim)
        .unwrap_or_default();
    if title.is_empty() {
        return Err(Error::usage(
            "Reddit needs a title",
            Some("add --title \"...\"".into()),
        ));
    }
    // Title and body lengths, media count, types and sizes are the limits
    // table's (content/limits.rs, overridable by [limits.reddit]), checked
    // before this.
    let body = post.text_for(ID);
    let kind = Kind::of(post);
    let url = post.url.as_deref().map(str::trim).unwrap_or_default();
    if kind == Kind::Link {
        match url::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => {
                return Err(Error::usage(
                    format!("`{url}` is not an http(s) URL"),
                    Some("give --url a full address such as https://example.com/page".into()),
                ))
            }
        }
    }
    let flair = post
        .option(ID, "flair")
        .map(str::trim)
        .filter(|f| !f.is_empty());
    Ok(Plan {
        subreddit: subreddit.to_string(),
        kind,
        title,
        body,
        url,
        media: post.media.iter().map(|m| m.path.clone()).collect(),
        flair,
    })
}

/// Auth, a missing community, or a page that is not the composer.
/// What tells new Reddit's pages apart: the app says whether a user is
/// logged in, once it rendered.
const NEW_SIGNS: Signs<'static> = Signs {
    name: "Reddit",
    logged_in: &[SEL_NEW_LOGGED_IN],
    login: &["shreddit-app[user-logged-in=\"false\"]", "#login-button"],
    login_paths: &["/login", "/account/login"],
};

/// Either UI, for the logged-in check of `login` and `accounts`.
const ANY_SIGNS: Signs<'static> = Signs {
    name: "Reddit",
    logged_in: &[SEL_NEW_LOGGED_IN, SEL_OLD_USER],
    login: &[
        "shreddit-app[user-logged-in=\"false\"]",
        "#login-button",
        ".login-required",
        "form#login_login-main",
        "form.login-form",
    ],
    login_paths: &["/login", "/account/login"],
};

/// Old Reddit: the header names the user, or offers to log in.
const OLD_SIGNS: Signs<'static> = Signs {
    name: "Reddit",
    logged_in: &[SEL_OLD_USER],
    login: &[
        ".login-required",
        "form#login_login-main",
        "form.login-form",
    ],
    login_paths: &["/login", "/account/login"],
};

/// "try again in 9 minutes" / "1 minute" / "30 seconds".
fn retry_after(message: &str) -> Option<Duration> {
    let words: Vec<&str> = message.split_whitespace().collect();
    words.windows(2).find_map(|w| {
        let n: u64 = w[0].parse().ok()?;
        let unit = w[1].trim_end_matches(['.', ',', '!']).to_ascii_lowercase();
        match unit.as_str() {
            "minute" | "minutes" => Some(Duration::from_secs(n * 60)),
            "second" | "seconds" => Some(Duration::from_secs(n)),
            "hour" | "hours" => Some(Duration::from_secs(n * 3600)),
            _ => None,
        }
    })
}

fn is_login_url(href: &str) -> bool {
    url::Url::parse(href)
        .map(|u| {
            let p = u.path();
            p == "/login" || p.starts_with("/login/") || p.starts_with("/account/login")
        })
        .unwrap_or(false)
}

async fn check_challenge(page: &dyn Page, here: &str) -> Result<()> {
    let captcha = page
        .count("iframe[src*=\"recaptcha\"], iframe[src*=\"hcaptcha\"], .g-recaptcha")
        .await?
        > 0;
    if captcha || here.contains("/challenge") || here.contains("/checkpoint") {
        return Err(Error::NeedsHuman {
            platform: ID,
            reason: "Reddit asks for a CAPTCHA or a security check".into(),
            url: here.to_string(),
        });
    }
    Ok(())
}

fn logged_out() -> Error {
    Error::Auth {
        platform: ID,
        message: "Reddit shows the login page: the saved session is missing or expired".into(),
    }
}

fn no_community(sub: &str) -> Error {
    Error::Rejected {
        platform: ID,
        message: format!(
            "r/{sub} does not exist (Reddit: \"Sorry, there aren't any communities on Reddit with that name.\")"
        ),
    }
}

/// Escapes a value for a double-quoted CSS attribute selector.
fn css_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(sub: Option<&str>, title: &str) -> Post {
        let mut p = Post::new("body").with_title(title);
        if let Some(s) = sub {
            p.set_option(ID, "subreddit", s);
        }
        p
    }

    #[test]
    fn validation_names_what_is_missing() {
        let e = Reddit.validate(&post(None, "t")).unwrap_err();
        assert!(
            e.is_usage() && e.to_string() == "Reddit needs a subreddit",
            "{e}"
        );
        assert_eq!(e.hint().as_deref(), Some("add --subreddit NAME"));
        let e = Reddit.validate(&post(Some("rust"), " ")).unwrap_err();
        assert!(e.to_string().contains("title"), "{e}");
        assert!(Reddit
            .validate(&post(Some("r/rust"), &"é".repeat(300)))
            .is_ok());
        assert!(Reddit.validate(&post(Some("no-dash"), "t")).is_err());
        // Lengths are the limits table's, so an override can raise them.
        let mut long = post(Some("rust"), &"é".repeat(301));
        long.text = "x".repeat(40_001);
        assert!(Reddit.validate(&long).is_ok());
    }

    #[test]
    fn kinds_follow_media_then_url() {
        let mut p = post(Some("rust"), "t").with_url("https://e.com");
        assert_eq!(Kind::of(&p), Kind::Link);
        p.media.push(distroflow_core::Media {
            path: "a.png".into(),
            mime: "image/png".into(),
            size: 1,
            duration: None,
        });
        assert_eq!(Kind::of(&p), Kind::Image);
        assert_eq!(Kind::of(&post(Some("rust"), "t")), Kind::Text);
    }

    #[test]
    fn parses_retry_after_and_created_ids() {
        assert_eq!(
            retry_after("You're doing that too much. Try again in 9 minutes."),
            Some(Duration::from_secs(540))
        );
        assert_eq!(
            retry_after("you are doing that too much. try again in 1 minute."),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            created_from_url("http://h/r/rust/?created=t3_1h2k3l4&createdPostType=TEXT"),
            Some((Some("rust".into()), "1h2k3l4".into()))
        );
        assert_eq!(
            post_from_path("/r/rust/comments/abc/slug/"),
            Some(("rust".into(), "abc".into()))
        );
    }

    #[test]
    fn flair_choice_refuses_with_the_list() {
        let flairs = Flairs {
            required: true,
            options: vec![
                ("1".into(), "Discussion".into()),
                ("2".into(), "Show and Tell".into()),
            ],
        };
        let e = choose_flair("flairtest", &flairs, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Reddit refused the post: r/flairtest requires a flair; available: Discussion, Show and Tell; use --flair NAME"
        );
        assert_eq!(
            choose_flair("flairtest", &flairs, Some("show  and tell")).unwrap(),
            Some(("2".into(), "Show and Tell".into()))
        );
        assert!(choose_flair("x", &flairs, Some("Nope")).is_err());
        assert_eq!(choose_flair("x", &Flairs::default(), None).unwrap(), None);
    }
}
