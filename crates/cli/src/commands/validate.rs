//! The one validation. `check`, `post --dry-run`, `post`, `schedule` and
//! the daemon all decide with [`validate`], so they cannot disagree: the
//! content rules of the limits table (`distroflow_core::check`), then each
//! adapter's own requirements (a subreddit, a URL), merged into one verdict
//! per platform whose `valid` is false whenever it has an error.

use distroflow_core::{
    check_post, Check, Error, Limits, Media, Network, Overflow, PlatformId, Post, Result,
};

use crate::args::{ContentArgs, FitArgs};
use crate::commands::read_text;
use crate::output;

pub(crate) fn overflow(fit: FitArgs) -> Overflow {
    if fit.split {
        Overflow::Split {
            numbering: fit.number,
        }
    } else if fit.truncate {
        Overflow::Truncate
    } else {
        Overflow::Refuse
    }
}

/// The post the content options describe (media read and typed, options
/// set), for `targets` (which `--text-for` must name).
pub(crate) fn post_from(args: &ContentArgs, targets: &[Network]) -> Result<Post> {
    let mut post = Post::new(read_text(args.text.as_deref())?);
    post.title = args.title.clone().filter(|t| !t.trim().is_empty());
    post.url = args.url.clone().filter(|u| !u.trim().is_empty());
    for path in &args.media {
        post.media.push(Media::from_path(path)?);
    }
    if let Some(sub) = args
        .subreddit
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let sub = sub.trim_start_matches("/r/").trim_start_matches("r/");
        post.set_option(PlatformId::Reddit, "subreddit", sub);
    }
    if let Some(flair) = args
        .flair
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        post.set_option(PlatformId::Reddit, "flair", flair);
    }
    for spec in &args.text_for {
        let (platform, text) = spec.split_once('=').ok_or_else(|| {
            Error::usage(
                format!("--text-for `{spec}` is not PLATFORM=TEXT"),
                Some("e.g. --text-for x=\"the short version\"".into()),
            )
        })?;
        let platform: PlatformId = platform.parse()?;
        if !targets.contains(&Network::from(platform)) {
            return Err(Error::usage(
                format!("--text-for {platform} but {platform} is not in --to"),
                Some(format!(
                    "add {platform} to --to, or drop --text-for {platform}=…"
                )),
            ));
        }
        post.text_overrides.insert(platform, text.to_string());
    }
    Ok(post)
}

/// The verdicts for every network, and the post with what the verdicts
/// fixed (threads, truncations, hashtags made words) written into it.
pub(crate) struct Validated {
    pub(crate) post: Post,
    pub(crate) checks: Vec<Check>,
}

impl Validated {
    pub(crate) fn valid(&self) -> bool {
        self.checks.iter().all(|c| c.valid)
    }

    /// Every refusal, once, each with its own hint.
    pub(crate) fn problems(&self) -> Vec<Problem> {
        self.checks
            .iter()
            .flat_map(|c| c.errors.iter().map(|e| Problem::of(c.platform, e)))
            .collect()
    }
}

/// Checks `post` for each of `networks` with the content rules and, for
/// the platforms DistroFlow posts to, the adapter's own requirements.
/// Never starts a browser.
pub(crate) fn validate(
    networks: &[Network],
    mut post: Post,
    mode: Overflow,
    limits: &Limits,
) -> Validated {
    let mut checks = Vec::new();
    for &n in networks {
        let mut c = check_post(n, &post, mode, limits);
        if c.valid {
            c.apply_to(&mut post);
        }
        if let Some(id) = n.platform_id() {
            let adapter_says = distroflow_platforms::adapter(id).and_then(|a| a.validate(&post));
            if let Err(e) = adapter_says {
                merge(&mut c, &e);
            }
        }
        c.valid = c.errors.is_empty();
        checks.push(c);
    }
    Validated { post, checks }
}

/// Adds an adapter's refusal to a verdict, unless the content rules said
/// the same already (their messages carry the hint inline).
fn merge(c: &mut Check, e: &Error) {
    let message = e.to_string();
    let said = c
        .errors
        .iter()
        .any(|known| Problem::of(c.platform, known).message == message);
    if said {
        return;
    }
    // An adapter's content refusal carries only the generic hint; a usage
    // refusal (no subreddit) its own.
    c.errors.push(match e {
        Error::Usage { hint: Some(h), .. } => format!("{message} (hint: {h})"),
        _ => message,
    });
}

/// One refusal: what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) platform: Network,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

impl Problem {
    /// Splits a verdict's error (`what (hint: do this)`).
    fn of(platform: Network, error: &str) -> Problem {
        match error.rsplit_once(" (hint: ") {
            Some((message, hint)) if hint.ends_with(')') => Problem {
                platform,
                message: message.to_string(),
                hint: Some(hint[..hint.len() - 1].to_string()),
            },
            _ => Problem {
                platform,
                message: error.to_string(),
                hint: None,
            },
        }
    }
}

/// Prints every refusal once (`error:` then its own `hint:`), or with
/// `--json` one object on stdout, and says how the command ends: exit 2,
/// nothing posted.
pub(crate) fn refuse(problems: &[Problem], json: bool) {
    if json {
        let wire: Vec<_> = problems
            .iter()
            .map(|p| output::WireError {
                kind: "invalid_content",
                platform: Some(p.platform.as_str()),
                message: &p.message,
                hint: p.hint.as_deref(),
                retry_after_secs: None,
            })
            .collect();
        output::print_refusal(&wire);
        return;
    }
    for p in problems {
        output::print_problem(&p.message, p.hint.as_deref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_split_their_own_hint() {
        let p = Problem::of(
            Network::HackerNews,
            "Hacker News title is 81 characters; the limit is 80 (hint: shorten the title, or --truncate)",
        );
        assert_eq!(
            p.message,
            "Hacker News title is 81 characters; the limit is 80"
        );
        assert_eq!(p.hint.as_deref(), Some("shorten the title, or --truncate"));
        let p = Problem::of(Network::X, "no hint here");
        assert_eq!((p.message.as_str(), p.hint), ("no hint here", None));
    }

    #[test]
    fn a_verdict_with_an_error_is_never_valid() {
        let post = Post::new("hello").with_title("T");
        let v = validate(
            &[Network::Reddit, Network::HackerNews],
            post,
            Overflow::Refuse,
            &Limits::default(),
        );
        let reddit = &v.checks[0];
        assert!(!reddit.valid);
        assert_eq!(
            reddit.errors,
            vec!["Reddit needs a subreddit (hint: add --subreddit NAME)"]
        );
        assert!(v.checks[1].valid, "{:?}", v.checks[1].errors);
        assert!(!v.valid());
    }

    #[test]
    fn the_same_refusal_is_said_once() {
        let v = validate(
            &[Network::HackerNews],
            Post::new("").with_url("https://e.com"),
            Overflow::Refuse,
            &Limits::default(),
        );
        assert_eq!(v.problems().len(), 1, "{:?}", v.problems());
        assert_eq!(v.problems()[0].hint.as_deref(), Some("add --title \"...\""));
    }
}
