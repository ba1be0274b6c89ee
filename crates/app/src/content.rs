//! The one validation. `check`, `post --dry-run`, `post`, `schedule`, the
//! daemon and the server all decide with [`validate`], so they cannot
//! disagree: the content rules of the limits table
//! (`distroflow_core::check`), then each adapter's own requirements (a
//! subreddit, a URL), merged into one verdict per platform whose `valid`
//! is false whenever it has an error.

use std::path::PathBuf;
use std::sync::Arc;

use distroflow_core::{
    check_post, Check, Config, Error, Limits, Media, Network, Overflow, PlatformId, Post, Result,
};

/// Everything that decides whether a post is valid, as the CLI's content
/// options and the API's request body both give it.
#[derive(Clone, Debug, Default)]
pub struct Content {
    /// The text (already read: the CLI reads `-` from standard input).
    pub text: String,
    pub title: Option<String>,
    pub url: Option<String>,
    /// Image and video files on this machine.
    pub media: Vec<PathBuf>,
    pub subreddit: Option<String>,
    pub flair: Option<String>,
    /// Another text for one platform: (platform name or alias, text).
    pub text_for: Vec<(String, String)>,
    pub fit: Fit,
}

/// What to do with text over a platform's limit (refused by default).
#[derive(Clone, Copy, Debug, Default)]
pub struct Fit {
    /// Make a thread where the platform has threads.
    pub split: bool,
    /// With `split`: number the posts.
    pub number: bool,
    /// Cut at a word boundary and add an ellipsis.
    pub truncate: bool,
}

/// The overflow mode of `fit`; `split` and `truncate` together, or
/// `number` without `split`, are refused (the CLI's clap rules say the
/// same before this is reached).
pub fn overflow(fit: Fit) -> Result<Overflow> {
    if fit.split && fit.truncate {
        return Err(Error::usage(
            "split and truncate cannot be used together",
            Some("choose one: split makes a thread, truncate cuts the text".into()),
        ));
    }
    if fit.number && !fit.split {
        return Err(Error::usage(
            "number needs split",
            Some("numbering applies to the posts of a split thread".into()),
        ));
    }
    Ok(if fit.split {
        Overflow::Split {
            numbering: fit.number,
        }
    } else if fit.truncate {
        Overflow::Truncate
    } else {
        Overflow::Refuse
    })
}

/// Parses targets: comma-separated ids or aliases, or `all`.
pub fn parse_targets(values: &[String]) -> Result<Vec<PlatformId>> {
    let mut out = Vec::new();
    for name in values.iter().flat_map(|v| v.split(',')) {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        if name.eq_ignore_ascii_case("all") {
            for p in PlatformId::ALL {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
            continue;
        }
        let p: PlatformId = name.parse()?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if out.is_empty() {
        return Err(Error::usage(
            "no platform given",
            Some(format!("--to takes: {}, or all", PlatformId::valid_names())),
        ));
    }
    Ok(out)
}

/// Networks to check: comma-separated names, or `all` (the platforms
/// DistroFlow posts to, as for `post`).
pub fn parse_networks(values: &[String]) -> Result<Vec<Network>> {
    let mut out = Vec::new();
    for name in values.iter().flat_map(|v| v.split(',')).map(str::trim) {
        if name.is_empty() {
            continue;
        }
        let add: Vec<Network> = if name.eq_ignore_ascii_case("all") {
            PlatformId::ALL.iter().map(|&p| Network::from(p)).collect()
        } else {
            vec![name.parse()?]
        };
        for n in add {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    if out.is_empty() {
        return Err(Error::usage(
            "no platform given",
            Some(format!(
                "--to takes: {}; `all` is x, reddit, hackernews, instagram",
                Network::valid_names()
            )),
        ));
    }
    Ok(out)
}

/// The post `content` describes (media read and typed, options set), for
/// `targets` (which `text_for` must name).
pub fn post_from(content: &Content, targets: &[Network]) -> Result<Post> {
    let mut post = Post::new(content.text.clone());
    post.title = content.title.clone().filter(|t| !t.trim().is_empty());
    post.url = content.url.clone().filter(|u| !u.trim().is_empty());
    for path in &content.media {
        post.media.push(Media::from_path(path)?);
    }
    if let Some(sub) = content
        .subreddit
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let sub = sub.trim_start_matches("/r/").trim_start_matches("r/");
        post.set_option(PlatformId::Reddit, "subreddit", sub);
    }
    if let Some(flair) = content
        .flair
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        post.set_option(PlatformId::Reddit, "flair", flair);
    }
    for (platform, text) in &content.text_for {
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
pub struct Validated {
    pub post: Post,
    pub checks: Vec<Check>,
}

impl Validated {
    pub fn valid(&self) -> bool {
        self.checks.iter().all(|c| c.valid)
    }

    /// Every refusal, once, each with its own hint.
    pub fn problems(&self) -> Vec<Problem> {
        self.checks
            .iter()
            .flat_map(|c| c.errors.iter().map(|e| Problem::of(c.platform, e)))
            .collect()
    }
}

/// Checks `post` for each of `networks` with the content rules and, for
/// the platforms DistroFlow posts to, the adapter's own requirements.
/// Never starts a browser.
pub fn validate(
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
pub struct Problem {
    pub platform: Network,
    pub message: String,
    pub hint: Option<String>,
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

/// A post, checked for every target: what `post`, `schedule` and the
/// server share.
pub struct Prepared {
    pub targets: Vec<PlatformId>,
    pub post: Post,
    pub checks: Vec<Check>,
    pub adapters: Vec<Arc<dyn distroflow_core::Platform>>,
    /// Everything refused (empty when the post may go out).
    pub problems: Vec<Problem>,
}

/// Reads the post from `content` and checks it for every target with the
/// one validation `check` uses, before any browser starts.
pub fn prepare(to: &[String], content: &Content, config: &Config) -> Result<Prepared> {
    let targets = parse_targets(to)?;
    let networks: Vec<Network> = targets.iter().map(|&t| Network::from(t)).collect();
    let mode = overflow(content.fit)?;
    let post = post_from(content, &networks)?;
    let mut limits = config.content_limits()?;
    crate::instance::apply_instance_limits(&mut limits, config, &networks);
    let v = validate(&networks, post, mode, &limits);
    let problems = v.problems();
    Ok(Prepared {
        adapters: adapters(&targets)?,
        targets,
        post: v.post,
        checks: v.checks,
        problems,
    })
}

/// The adapters of `targets`, in order.
pub fn adapters(targets: &[PlatformId]) -> Result<Vec<Arc<dyn distroflow_core::Platform>>> {
    targets
        .iter()
        .map(|&t| distroflow_platforms::adapter(t).map(Arc::<dyn distroflow_core::Platform>::from))
        .collect()
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

    #[test]
    fn targets_dedupe_aliases_and_all() {
        let t = parse_targets(&["hn,hackernews".into(), "twitter".into()]).unwrap();
        assert_eq!(t, vec![PlatformId::HackerNews, PlatformId::X]);
        assert_eq!(
            parse_targets(&["all".into()]).unwrap().len(),
            PlatformId::ALL.len()
        );
        let e = parse_targets(&["myspace".into()]).unwrap_err();
        assert!(e.is_usage() && e.hint().unwrap().contains("hackernews"));
        assert!(parse_targets(&[",".into()]).is_err());
    }

    #[test]
    fn split_and_truncate_together_are_refused() {
        let both = Fit {
            split: true,
            truncate: true,
            number: false,
        };
        assert!(overflow(both).unwrap_err().is_usage());
        let number = Fit {
            number: true,
            ..Fit::default()
        };
        assert!(overflow(number).unwrap_err().is_usage());
    }
}
